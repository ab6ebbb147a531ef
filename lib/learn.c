/* learn: see learn.h */
#include "learn.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A variable that may also be missing: the slot held nothing in a line. */
#define OPT_VAR "<?>"

struct tpl {
	char id[17];
	char *type;
	char **tok;
	size_t ntok;
	size_t opt; /* optional position + 1; 0 = none */
	long long count, first_seen;
	uint64_t seq;	   /* creation order: ties and export order */
	uint32_t key;	   /* hash of the first word; 0 when it is a value */
	uint32_t mark;	   /* the last lookup that found it */
	unsigned char *fl; /* tok_flags() of each token */
	/* tok_hash() of each token, then for each position the slot of the
	 * next template of its list in the index (LINK()) */
	uint32_t *h;
	size_t bytes;
	int dirty;
	uint32_t slot; /* its number in the index, from 1; 0 = not in it */
};

#define LINK(t, i) ((t)->h[(t)->ntok + (i)])

/* The templates of one length, in creation order. */
struct bucket {
	struct tpl **t;
	size_t nr, alloc;
};

/*
 * Messages of one group come again and again, and once the templates
 * stop changing each is matched as it was the last time: the last
 * messages matched keep the template they joined and its text, valid
 * while nothing changed that can alter its match: the settings, or the
 * templates of its length, one more or one less (the only ones it is
 * compared with).  Key and text share one allocation.
 */
#define MEMO_SLOTS 1024
#define MEMO_MAX_KEY 1024 /* type, NUL and message; longer ones are matched */

struct memo {
	char *key; /* key_len bytes, then the template's text and a NUL */
	size_t key_len, text_len;
	uint64_t gen;
	struct tpl *t;
};

/*
 * The index: for each length, position and word, the templates of that
 * length that hold the word at that position, and for each length and
 * position those that hold a variable or a value of the mask there.  A
 * list is threaded through its templates (LINK()) by slot number.  A
 * message is compared only with templates found in the lists of its
 * words (see find()).
 */
#define IX_MANY 65535 /* a list this long or longer: nr stays there */

struct ix_list {
	uint32_t head; /* slot of the first template; 0 = none */
	uint16_t nr;   /* of templates, up to IX_MANY: to choose the shortest */
	uint16_t at;   /* in the table: length << 6 | position */
};

/* The list of the templates holding one word at one position of one
 * length, in a table of open addressing (linear probing): an entry with
 * an empty list is unused. */
struct ix_ent {
	uint32_t h; /* tok_hash() of the word */
	struct ix_list ls;
};

#define IX_MIN 64

struct qe_learn {
	struct bucket len[QE_LEARN_MAX_TOKENS + 1];
	struct ix_ent *ix; /* ix_cap entries, ix_nr of them used */
	size_t ix_cap, ix_nr;
	/* [n][i]: templates of n tokens with a variable or a value at i */
	struct ix_list any[QE_LEARN_MAX_TOKENS + 1][QE_LEARN_MAX_TOKENS];
	struct tpl **slot;   /* [s - 1]: the template of slot s */
	uint32_t *free_slot; /* slots given back, to be used again */
	size_t nr_slot, alloc_slot, nr_free_slot, alloc_free_slot;
	size_t ix_bytes; /* of the index, counted in st.bytes */
	uint32_t mark;	 /* of the last lookup (tpl.mark) */
	int scan;	 /* compare with every template, as a check of the index */
	uint64_t gen;	 /* changes that can alter any match, from 1 */
	/* changes to len[n]; one more, so that n + 1 is always an index */
	uint64_t len_gen[QE_LEARN_MAX_TOKENS + 2];
	struct memo *memo; /* MEMO_SLOTS, allocated on the first match */
	size_t max_templates, max_bytes;
	double sim;
	unsigned distinct; /* words in a slot before it is a variable */
	uint64_t next_seq;
	long long last_first_seen; /* of the last template created here */
	char (*retired)[17];	   /* ids merged away since the last clean */
	size_t nr_retired, alloc_retired;
	struct qe_learn_stats st;
};

/* Tokens of one message: pointers into a private copy. */
struct toks {
	char *buf;
	char *t[QE_LEARN_MAX_TOKENS + 1];
	unsigned char fl[QE_LEARN_MAX_TOKENS + 1]; /* tok_flags() of each */
	uint32_t h[QE_LEARN_MAX_TOKENS + 1];	   /* tok_hash() of each */
	size_t n;
	int too_long;
};

static int is_var(const char *t)
{
	return !strcmp(t, QE_LEARN_VAR) || !strcmp(t, OPT_VAR);
}

/* A token that is a value and nothing else: "<IP>", "<*>". */
static int is_value(const char *t)
{
	size_t n = strlen(t);
	return n >= 3 && t[0] == '<' && t[n - 1] == '>' && !strchr(t + 1, '<');
}

/*
 * 1: a state name in capitals (RUNNING, FAIL_TASK_CLEANUP, LEADING,
 * "GET), a constant, as the mask takes it, so two of them never make a
 * variable.  2: a capitalised word of letters alone (Started, Paused,
 * BlockManager), the same except as the first word of a message, where
 * a capital says nothing.  A closed set of words (states, methods,
 * directions) fills a slot with as many different words as a slot of
 * names does; their case tells them apart (as in the mask: lower case is
 * data).  Quotes and brackets around the word, or a colon or a comma
 * after it, do not count.
 */
static int is_state(const char *t)
{
	const char *w;
	size_t upper = 0, lower = 0, other = 0;

	while (*t == '"' || *t == '\'' || *t == '(' || *t == '[' || *t == '{')
		t++;
	w = t;
	if (!(*w >= 'A' && *w <= 'Z') && *w != '_' && !(*w >= '0' && *w <= '9'))
		return 0; /* most words: lower case */
	for (; *t; t++) {
		if (*t >= 'A' && *t <= 'Z')
			upper++;
		else if (*t >= 'a' && *t <= 'z')
			lower++;
		else if (*t == '_' || (*t >= '0' && *t <= '9'))
			other++;
		else
			break;
		if (lower && other)
			return 0;
	}
	for (; *t; t++)
		switch (*t) {
		case '"':
		case '\'':
		case ')':
		case ']':
		case '}':
		case ',':
		case ':':
		case ';':
		case '.':
			break;
		default:
			return 0; /* a value of the mask, a path, a name */
		}
	if (!lower)
		return upper >= 2;
	return !other && upper + lower >= 3 && *w >= 'A' && *w <= 'Z' ? 2 : 0;
}

/* A mark of two or more signs and nothing else ("****", "--"): what a
 * program prints where it has no value, a constant, never a slot. */
static int is_mark(const char *t)
{
	size_t n = 0;

	for (; *t; t++, n++)
		if ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
		    (*t >= '0' && *t <= '9') || (unsigned char)*t >= 0x80)
			return 0;
	return n >= 2;
}

/* A token the mask made a value of, or that holds one ("port=<NUM>"). */
static int has_placeholder(const char *t)
{
	const char *lt = strchr(t, '<');
	return lt && strchr(lt, '>');
}

/*
 * What a token is, worked out once per token, not in every comparison:
 * a message is compared with every template of its length, and at the
 * caps with thousands of them.
 */
enum {
	TF_VAR = 1,	    /* is_var() */
	TF_VALUE = 2,	    /* is_value() */
	TF_PLACEHOLDER = 4, /* has_placeholder() */
	TF_STATE = 8,	    /* is_state() */
	TF_MARK = 16,	    /* is_mark() */
	TF_CAPS = 32,	    /* is_state() == 2 */
};

static unsigned char tok_flags(const char *t)
{
	int st = is_state(t);

	return (unsigned char)((is_var(t) ? TF_VAR : 0) | (is_value(t) ? TF_VALUE : 0) |
			       (has_placeholder(t) ? TF_PLACEHOLDER : 0) |
			       (st == 1 ? TF_STATE : 0) | (st == 2 ? TF_CAPS : 0) |
			       (is_mark(t) ? TF_MARK : 0));
}

/* Tokens of different hashes are different words. */
static uint32_t tok_hash(const char *t)
{
	uint32_t h = 2166136261u;

	for (; *t; t++)
		h = (h ^ (unsigned char)*t) * 16777619u;
	return h;
}

/* w has what p has around its values: "chdir(pwd)" and "chdir(<PATH>)",
 * not "onStepChanged" and "Open(<NUM>)". */
static int around(const char *p, const char *w)
{
	size_t pre = (size_t)(strchr(p, '<') - p), n = strlen(p), wn = strlen(w);
	size_t post = n - 1 - (size_t)(strrchr(p, '>') - p);

	return wn > pre + post && !strncmp(p, w, pre) &&
	       !strcmp(p + n - post, w + wn - post);
}

/* Two tokens that both hold values ("<NUM>-<NUM>" and "<NUM>:<NUM>+<ID>",
 * "bash:<ID>" and "<ID>:<ID>"), under the same key if they have one
 * ("port=<NUM>" and "port=<IP>", not "port=<NUM>" and "user=<STR>"). */
static int both_values(const char *x, const char *y)
{
	const char *ex, *ey;

	if (!has_placeholder(x) && !has_placeholder(y))
		return 0;
	ex = strchr(x, '=');
	ey = strchr(y, '=');
	if (ex && strchr(x, '<') && ex > strchr(x, '<'))
		ex = NULL;
	if (ey && strchr(y, '<') && ey > strchr(y, '<'))
		ey = NULL;
	if (!ex && !ey)
		return has_placeholder(x) ? has_placeholder(y) || around(x, y)
					  : around(y, x);
	/* a key without a value says the value is absent, another message
	 * than one that has it ("rhost=" and "rhost=<IP>") */
	if ((ex && !ex[1]) || (ey && !ey[1]))
		return 0;
	return ex && ey && ex - x == ey - y && !memcmp(x, y, (size_t)(ex - x));
}

/* Templates are looked at only when their first words agree (compare()
 * requires it, unless one of them is a value): a hash of the first word
 * skips the others without comparing strings.  0 = a value, agrees with
 * every word. */
static uint32_t first_key(const char *t)
{
	uint32_t h = 2166136261u;

	if (has_placeholder(t) || !strcmp(t, QE_LEARN_VAR) || !strcmp(t, "<?>"))
		return 0;
	for (; *t; t++)
		h = (h ^ (unsigned char)*t) * 16777619u;
	return h ? h : 1;
}

static void tokenize(const char *s, struct toks *out)
{
	char *p;

	out->buf = qe_xstrdup(s);
	out->n = 0;
	out->too_long = 0;
	for (p = out->buf; *p;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		if (out->n == QE_LEARN_MAX_TOKENS) {
			out->too_long = 1;
			break;
		}
		out->t[out->n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	for (size_t i = 0; i < out->n; i++) {
		out->fl[i] = tok_flags(out->t[i]);
		out->h[i] = tok_hash(out->t[i]);
	}
}

/* The flags of t's tokens, after its tokens changed. */
static void tpl_sync(struct tpl *t)
{
	size_t i;

	t->fl = qe_xrealloc(t->fl, t->ntok ? t->ntok : 1);
	/* and the links: a change of length unlinks the template first */
	t->h = qe_xrealloc(t->h, (t->ntok ? 2 * t->ntok : 1) * sizeof(*t->h));
	for (i = 0; i < t->ntok; i++) {
		t->fl[i] = tok_flags(t->tok[i]);
		t->h[i] = tok_hash(t->tok[i]);
	}
	t->key = first_key(t->tok[0]);
}

static size_t tpl_bytes(const struct tpl *t)
{
	/* with its links in the index */
	size_t b = sizeof(*t) + strlen(t->type) + 1 +
		   t->ntok * (sizeof(char *) + sizeof(*t->h)),
	       i;

	for (i = 0; i < t->ntok; i++)
		b += strlen(t->tok[i]) + 1;
	return b;
}

static void tpl_free(struct tpl *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->ntok; i++)
		free(t->tok[i]);
	free(t->tok);
	free(t->fl);
	free(t->h);
	free(t->type);
	free(t);
}

/* A variable or a value of the mask: agrees with any word (too_far()). */
static int takes_any(unsigned char fl)
{
	return (fl & (TF_VAR | TF_PLACEHOLDER)) != 0;
}

#define SLOT(l, s) ((l)->slot[(s)-1])

static uint16_t ix_at(size_t n, size_t i)
{
	return (uint16_t)(n << 6 | i);
}

static size_t ix_home(uint32_t h, uint16_t at, size_t cap)
{
	uint64_t x = (uint64_t)at << 32 | h;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

static struct ix_ent *ix_find(const struct qe_learn *l, uint32_t h, uint16_t at)
{
	size_t i;

	if (!l->ix_cap)
		return NULL;
	for (i = ix_home(h, at, l->ix_cap); l->ix[i].ls.head;
	     i = (i + 1) & (l->ix_cap - 1))
		if (l->ix[i].h == h && l->ix[i].ls.at == at)
			return &l->ix[i];
	return NULL;
}

/* The index's memory, into st.bytes. */
static void ix_account(struct qe_learn *l)
{
	size_t b = l->ix_cap * sizeof(*l->ix) + l->alloc_slot * sizeof(*l->slot) +
		   l->alloc_free_slot * sizeof(*l->free_slot);

	l->st.bytes = l->st.bytes - l->ix_bytes + b;
	l->ix_bytes = b;
}

/* The table's size for nr entries: at most three quarters full. */
static size_t ix_cap_for(size_t cap, size_t nr)
{
	if (cap < IX_MIN)
		cap = IX_MIN;
	while (nr * 4 > cap * 3)
		cap *= 2;
	return cap;
}

static void ix_resize(struct qe_learn *l, size_t cap)
{
	struct ix_ent *old = l->ix;
	size_t n = l->ix_cap, i, j;

	l->ix = qe_xcalloc(cap, sizeof(*l->ix));
	l->ix_cap = cap;
	for (i = 0; i < n; i++) {
		if (!old[i].ls.head)
			continue;
		for (j = ix_home(old[i].h, old[i].ls.at, cap); l->ix[j].ls.head;
		     j = (j + 1) & (cap - 1))
			;
		l->ix[j] = old[i];
	}
	free(old);
	ix_account(l);
}

/* A new entry for the list of (h, at), empty (head 0) until its first
 * template is linked. */
static struct ix_ent *ix_insert(struct qe_learn *l, uint32_t h, uint16_t at)
{
	size_t i;

	if (ix_cap_for(l->ix_cap, l->ix_nr + 1) != l->ix_cap)
		ix_resize(l, ix_cap_for(l->ix_cap, l->ix_nr + 1));
	for (i = ix_home(h, at, l->ix_cap); l->ix[i].ls.head;
	     i = (i + 1) & (l->ix_cap - 1))
		;
	l->ix_nr++;
	l->ix[i].h = h;
	l->ix[i].ls.at = at;
	l->ix[i].ls.nr = 0;
	return &l->ix[i];
}

/* Free an entry, moving back those after it that its place can hold
 * (deletion in linear probing, with no marks left behind). */
static void ix_erase(struct qe_learn *l, struct ix_ent *e)
{
	size_t mask = l->ix_cap - 1, i = (size_t)(e - l->ix), j = i, k;

	for (;;) {
		j = (j + 1) & mask;
		if (!l->ix[j].ls.head)
			break;
		k = ix_home(l->ix[j].h, l->ix[j].ls.at, l->ix_cap);
		/* the entry at j may move to i unless its home is in (i, j] */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			l->ix[i] = l->ix[j];
			i = j;
		}
	}
	l->ix[i].ls.head = 0;
	l->ix_nr--;
}

static void ix_link(struct qe_learn *l, struct tpl *t, size_t i)
{
	struct ix_list *ls;
	struct ix_ent *e;

	if (takes_any(t->fl[i])) {
		ls = &l->any[t->ntok][i];
	} else {
		e = ix_find(l, t->h[i], ix_at(t->ntok, i));
		ls = &(e ? e : ix_insert(l, t->h[i], ix_at(t->ntok, i)))->ls;
	}
	LINK(t, i) = ls->head;
	ls->head = t->slot;
	if (ls->nr < IX_MANY)
		ls->nr++;
}

static void ix_unlink(struct qe_learn *l, struct tpl *t, size_t i)
{
	struct ix_ent *e = NULL;
	struct ix_list *ls;
	uint32_t *p;

	if (takes_any(t->fl[i])) {
		ls = &l->any[t->ntok][i];
	} else {
		e = ix_find(l, t->h[i], ix_at(t->ntok, i));
		if (!e)
			return; /* cannot be: every token is in a list */
		ls = &e->ls;
	}
	for (p = &ls->head; *p && *p != t->slot; p = &LINK(SLOT(l, *p), i))
		;
	if (!*p)
		return;
	*p = LINK(t, i);
	if (ls->nr < IX_MANY) /* else not counted any more */
		ls->nr--;
	if (e && !ls->head)
		ix_erase(l, e);
}

/* The slot array's size to hold one more template. */
static size_t ix_slots_for(const struct qe_learn *l)
{
	if (l->nr_free_slot || l->nr_slot < l->alloc_slot)
		return l->alloc_slot;
	return l->alloc_slot < 64 ? 64 : l->alloc_slot * 2;
}

/* What adding a template of ntok tokens may add to the index's memory. */
static size_t ix_cost(const struct qe_learn *l, size_t ntok)
{
	return (ix_cap_for(l->ix_cap, l->ix_nr + ntok) - l->ix_cap) * sizeof(*l->ix) +
	       (ix_slots_for(l) - l->alloc_slot) * sizeof(*l->slot);
}

static void ix_add(struct qe_learn *l, struct tpl *t)
{
	size_t i, a = ix_slots_for(l);

	if (a != l->alloc_slot) {
		l->slot = qe_xrealloc(l->slot, a * sizeof(*l->slot));
		l->alloc_slot = a;
	}
	if (l->nr_free_slot)
		t->slot = l->free_slot[--l->nr_free_slot];
	else
		t->slot = (uint32_t)++l->nr_slot;
	SLOT(l, t->slot) = t;
	for (i = 0; i < t->ntok; i++)
		ix_link(l, t, i);
	ix_account(l);
}

static void ix_del(struct qe_learn *l, struct tpl *t)
{
	size_t i;

	if (!t->slot)
		return;
	for (i = 0; i < t->ntok; i++)
		ix_unlink(l, t, i);
	SLOT(l, t->slot) = NULL;
	QE_ALLOC_GROW(l->free_slot, l->nr_free_slot + 1, l->alloc_free_slot);
	l->free_slot[l->nr_free_slot++] = t->slot;
	t->slot = 0;
	ix_account(l);
}

/* The templates of n tokens changed. */
static void changed(struct qe_learn *l, size_t n)
{
	l->len_gen[n]++;
}

/* What a match of a message of n tokens depends on; it only grows. */
static uint64_t gen_near(const struct qe_learn *l, size_t n)
{
	uint64_t g = l->gen + l->len_gen[n] + l->len_gen[n + 1];

	if (n > 0)
		g += l->len_gen[n - 1];
	return g;
}

static void set_tok(struct qe_learn *l, struct tpl *t, size_t i, const char *v)
{
	if (!strcmp(t->tok[i], v))
		return;
	changed(l, t->ntok);
	if (t->slot)
		ix_unlink(l, t, i);
	free(t->tok[i]);
	t->tok[i] = qe_xstrdup(v);
	t->fl[i] = tok_flags(v);
	t->h[i] = tok_hash(v);
	if (t->slot)
		ix_link(l, t, i);
	t->dirty = 1;
	l->st.bytes -= t->bytes;
	t->bytes = tpl_bytes(t);
	l->st.bytes += t->bytes;
}

struct qe_learn *qe_learn_new(size_t max_templates, size_t max_bytes, double similarity)
{
	struct qe_learn *l = qe_xcalloc(1, sizeof(*l));

	l->max_templates = max_templates ? max_templates : QE_LEARN_DEFAULT_TEMPLATES;
	l->max_bytes = max_bytes ? max_bytes : (size_t)QE_LEARN_DEFAULT_BYTES;
	l->sim = similarity > 0 ? similarity : QE_LEARN_SIMILARITY;
	l->distinct = QE_LEARN_DISTINCT;
	l->gen = 1;
	return l;
}

void qe_learn_set_scan(struct qe_learn *l, int on)
{
	l->scan = on;
}

void qe_learn_set_distinct(struct qe_learn *l, unsigned n)
{
	if (n >= 2 && n <= QE_LEARN_DISTINCT_MAX) {
		l->distinct = n;
		l->gen++;
	}
}

void qe_learn_free(struct qe_learn *l)
{
	size_t n, i;

	if (!l)
		return;
	for (n = 0; n <= QE_LEARN_MAX_TOKENS; n++) {
		for (i = 0; i < l->len[n].nr; i++)
			tpl_free(l->len[n].t[i]);
		free(l->len[n].t);
	}
	if (l->memo)
		for (i = 0; i < MEMO_SLOTS; i++)
			free(l->memo[i].key);
	free(l->memo);
	free(l->retired);
	free(l->ix);
	free(l->slot);
	free(l->free_slot);
	free(l);
}

/*
 * How a message lines up with a template: position k of the longer one
 * is skipped when their lengths differ by one (skip_t: in the template,
 * else in the message).
 */
struct align {
	struct tpl *t;
	size_t skip; /* skipped position + 1; 0 = same length */
	int skip_t;
	size_t eq, vars, soft;
	size_t hard;	 /* words against other words */
	size_t eq_words; /* of eq, words (not values of the mask) */
	double sim;
};

/* Compare m with t, skipping position `skip` - 1 of the longer one. */
static void compare_as(const struct tpl *t, const struct toks *m, size_t skip, int skip_t,
		       double min_sim, int free_first, struct align *a)
{
	size_t i = 0, j = 0, k = skip ? skip - 1 : (size_t)-1, hard = 0, vval = 0;
	size_t longer = t->ntok > m->n ? t->ntok : m->n;
	/* more words apart than this and the similarity cannot be reached */
	double max_hard = (double)longer * (1.0 - min_sim) + 1e-9;
	int first = 1;

	a->eq = a->vars = a->soft = a->hard = a->eq_words = 0;
	a->sim = -1;
	while (i < t->ntok && j < m->n) {
		const char *x, *y;
		unsigned fx, fy;
		if (skip_t && i == k) {
			i++;
			continue;
		}
		if (!skip_t && j == k) {
			j++;
			continue;
		}
		x = t->tok[i];
		y = m->t[j];
		fx = t->fl[i];
		fy = m->fl[j];
		if (fx & TF_VAR) {
			a->vars++;
			if (fy & TF_PLACEHOLDER)
				vval++;
		} else if (x[0] == y[0] && !strcmp(x, y)) {
			a->eq++;
			if (!(fx & TF_PLACEHOLDER))
				a->eq_words++;
		} else if ((fx & fy & TF_STATE) || (!first && (fx & fy & TF_CAPS)))
			return; /* different states: different messages */
		else if (first && !((fx | fy) & TF_PLACEHOLDER)) {
			/* different first words: different messages, unless
			 * asked for a name at the start (all else equal) */
			if (!free_first)
				return;
			a->soft++;
			hard++;
			max_hard = 1;
		} else if ((fx | fy) & TF_MARK)
			return; /* no value where the other has one */
		else if (((fx | fy) & TF_VALUE) ||
			 (((fx | fy) & TF_PLACEHOLDER) && both_values(x, y)))
			a->soft++; /* a value against a word, or values of two
				      shapes: a slot, likely */
		else if ((fx | fy) & TF_PLACEHOLDER)
			return; /* values under different keys or words */
		else if ((double)++hard > max_hard)
			return;
		first = 0;
		i++;
		j++;
	}
	/* A learnt variable takes anything, and a value meeting a word or
	 * another value is a slot; but equal words (twice) and the values
	 * met (in slots or variables) must make up the length, so that a
	 * template of variables cannot take every message of words. */
	if (a->eq == 0 || 2 * a->eq + a->soft + vval < longer)
		return;
	a->hard = hard;
	a->sim = (double)(a->eq + a->vars + a->soft) / (double)longer;
}

/*
 * Whether m, of t's length, is certainly too far from t for compare()
 * to take it: where both hold words (no variable, no value) every pair
 * of different words either ends compare() or counts against max_hard,
 * and words of different hashes differ.  Only hashes and flags are
 * read, so most templates of a length are passed over without a string
 * compared.
 */
static int too_far(const struct tpl *t, const struct toks *m, double max_hard)
{
	size_t i, miss = 0;

	for (i = 0; i < m->n; i++)
		if (!((t->fl[i] | m->fl[i]) & (TF_VAR | TF_PLACEHOLDER)) &&
		    t->h[i] != m->h[i] && (double)++miss > max_hard)
			return 1;
	return 0;
}

static void compare(const struct tpl *t, const struct toks *m, size_t skip, int skip_t,
		    double min_sim, struct align *a)
{
	compare_as(t, m, skip, skip_t, min_sim, 0, a);
}

static int better(const struct align *a, const struct align *best)
{
	if (!best->t)
		return 1;
	if (a->sim != best->sim)
		return a->sim > best->sim;
	if (a->vars != best->vars)
		return a->vars > best->vars;
	return a->t->seq < best->t->seq;
}

/* Exception types, most often both "" (a line of no type). */
static int same_type(const char *x, const char *y)
{
	return x[0] == y[0] && (!x[0] || !strcmp(x + 1, y + 1));
}

/*
 * The similarity a message of n tokens needs with a template of its
 * length: the one set, but never so high that one word may not differ
 * in a message of three tokens or more ("visible is X" has two of three
 * equal).  Whether that word is a slot is for evidence() to say, from
 * the different words seen there, not for the share of equal positions,
 * which in a short message cannot tell one differing word from none.
 */
static double sim_for(const struct qe_learn *l, size_t n)
{
	double one_apart = n >= 3 ? (double)(n - 1) / (double)n : 1.0;

	return l->sim < one_apart ? l->sim : one_apart;
}

/* One lookup: a message and the best template found for it so far. */
struct look {
	struct qe_learn *l;
	const char *type;
	const struct toks *m;
	uint32_t mkey;	 /* first_key() of the message */
	double sim;	 /* needed of a template of m's length: sim_for() */
	double max_hard; /* as compare_as() works it out for one of m's length */
	struct align *best;
};

typedef void (*try_fn)(const struct look *q, struct tpl *t);

/* A template of the message's length. */
static void try_same(const struct look *q, struct tpl *t)
{
	struct align a;

	if (q->mkey && t->key && t->key != q->mkey)
		return;
	if (!same_type(t->type, q->type))
		return;
	if (too_far(t, q->m, q->max_hard))
		return;
	a.t = t;
	compare(t, q->m, 0, 0, q->sim, &a);
	a.skip = 0;
	a.skip_t = 0;
	if (a.sim + 1e-9 >= q->sim && better(&a, q->best))
		*q->best = a;
}

/* A name at the start (a program, a host): a template of the same
 * length that differs in the first word only, which evidence() then
 * weighs like any other word slot. */
static void try_first(const struct look *q, struct tpl *t)
{
	struct align a;

	if (!t->key || t->key == q->mkey || !same_type(t->type, q->type))
		return;
	a.t = t;
	compare_as(t, q->m, 0, 0, q->l->sim, 1, &a);
	a.skip = 0;
	a.skip_t = 0;
	/* "<key> set to <NUM>": two words in common say too little that
	 * the first one is a name */
	if (a.eq_words >= 3 && a.sim + 1e-9 >= q->l->sim && better(&a, q->best))
		*q->best = a;
}

/* The message lacks one value of a template one token longer. */
static void try_shorter(const struct look *q, struct tpl *t)
{
	struct align a;
	size_t k;

	if (!same_type(t->type, q->type))
		return;
	for (k = 0; k < t->ntok; k++) {
		if (k > 0 && q->mkey && t->key && t->key != q->mkey)
			break;
		if (t->opt ? k + 1 != t->opt : !(t->fl[k] & TF_VALUE))
			continue;
		a.t = t;
		compare(t, q->m, k + 1, 1, q->l->sim, &a);
		a.skip = k + 1;
		a.skip_t = 1;
		/* a slot that holds nothing, and no other word apart: words
		 * need the evidence of siblings */
		if (!a.hard && a.sim + 1e-9 >= q->l->sim && better(&a, q->best))
			*q->best = a;
	}
}

/* The message has one value more than a template one token shorter. */
static void try_longer(const struct look *q, struct tpl *t)
{
	struct align a;
	size_t k;

	if (!same_type(t->type, q->type) || t->opt)
		return;
	for (k = 0; k < q->m->n; k++) {
		if (k > 0 && q->mkey && t->key && t->key != q->mkey)
			break;
		if (!(q->m->fl[k] & TF_VALUE))
			continue;
		a.t = t;
		compare(t, q->m, k + 1, 0, q->l->sim, &a);
		a.skip = k + 1;
		a.skip_t = 0;
		if (!a.hard && a.sim + 1e-9 >= q->l->sim && better(&a, q->best))
			*q->best = a;
	}
}

static void try_all(const struct look *q, size_t n, try_fn fn)
{
	const struct bucket *b = &q->l->len[n];
	size_t i;

	for (i = 0; i < b->nr; i++)
		fn(q, b->t[i]);
}

/* The list of the templates of n tokens holding the word of hash h at
 * position i (NULL: none), and in *cost how many templates that list and
 * those holding a variable or a value there make. */
static const struct ix_list *at_list(struct qe_learn *l, size_t n, size_t i, uint32_t h,
				     size_t *cost)
{
	const struct ix_ent *e = ix_find(l, h, ix_at(n, i));

	*cost = (size_t)(e ? e->ls.nr : 0) + l->any[n][i].nr;
	return e ? &e->ls : NULL;
}

/* A new lookup: templates are found once each in it. */
static void next_mark(struct qe_learn *l)
{
	size_t s;

	if (++l->mark == 0) {
		/* after 2^32 lookups: no template is to keep an old mark */
		for (s = 1; s <= l->nr_slot; s++)
			if (SLOT(l, s))
				SLOT(l, s)->mark = 0;
		l->mark = 1;
	}
}

static void walk(const struct look *q, const struct ix_list *ls, size_t i, try_fn fn)
{
	struct qe_learn *l = q->l;
	uint32_t s;

	for (s = ls ? ls->head : 0; s; s = LINK(SLOT(l, s), i)) {
		struct tpl *t = SLOT(l, s);
		/* found at another position already */
		if (t->mark == l->mark)
			continue;
		t->mark = l->mark;
		fn(q, t);
	}
}

/* Try the templates of n tokens that may agree at i with a word, ls the
 * list of those holding it. */
static void try_at(const struct look *q, size_t n, size_t i, const struct ix_list *ls,
		   try_fn fn)
{
	walk(q, ls, i, fn);
	walk(q, &q->l->any[n][i], i, fn);
}

/* Whether the message's token j is a word (no variable, no value): a
 * template takes the message only if it agrees with each such word, or
 * (same length) with all but max_hard of them. */
static int word_at(const struct toks *m, size_t j)
{
	return !takes_any(m->fl[j]);
}

/*
 * Pass 1 through the index.  A template that too_far() lets pass holds,
 * at all but at most H = max_hard of the message's words, the same word
 * or a variable or value: so it is in the lists of at least one of any
 * H + 1 of them, and the H + 1 shortest are enough.  When the first
 * token is a word it must agree (compare_as() takes no other first
 * word): its lists alone are enough, when shorter.  Returns 0 when
 * looking at every template costs no more.
 */
static int index_same(const struct look *q)
{
	struct qe_learn *l = q->l;
	const struct toks *m = q->m;
	size_t n = m->n, need = (size_t)q->max_hard + 1, pos[QE_LEARN_MAX_TOKENS];
	size_t cost[QE_LEARN_MAX_TOKENS], nq = 0, i, j, c, sum = 0, first = (size_t)-1;
	const struct ix_list *ls[QE_LEARN_MAX_TOKENS], *x;

	if (!l->len[n].nr)
		return 1;
	for (i = 0; i < n; i++) {
		if (!word_at(m, i))
			continue;
		x = at_list(l, n, i, m->h[i], &c);
		if (i == 0)
			first = c;
		/* in order of cost */
		for (j = nq++; j > 0 && cost[j - 1] > c; j--) {
			cost[j] = cost[j - 1];
			pos[j] = pos[j - 1];
			ls[j] = ls[j - 1];
		}
		cost[j] = c;
		pos[j] = i;
		ls[j] = x;
	}
	if (nq >= need)
		for (i = 0; i < need; i++)
			sum += cost[i];
	else
		sum = (size_t)-1;
	if (first < sum) {
		if (first >= l->len[n].nr)
			return 0;
		for (i = 0; pos[i] != 0; i++)
			;
		next_mark(l);
		try_at(q, n, 0, ls[i], try_same);
		return 1;
	}
	if (sum >= l->len[n].nr)
		return 0;
	next_mark(l);
	for (i = 0; i < need; i++)
		try_at(q, n, pos[i], ls[i], try_same);
	return 1;
}

/* Pass 2 through the index: a template that differs in the first word
 * only agrees with every other word of the message. */
static int index_first(const struct look *q)
{
	struct qe_learn *l = q->l;
	const struct toks *m = q->m;
	size_t n = m->n, i, best = (size_t)-1, at = 0, c;
	const struct ix_list *ls = NULL, *x;

	if (!l->len[n].nr)
		return 1;
	for (i = 1; i < n; i++) {
		if (!word_at(m, i))
			continue;
		x = at_list(l, n, i, m->h[i], &c);
		if (c < best) {
			best = c;
			at = i;
			ls = x;
		}
	}
	if (best >= l->len[n].nr)
		return 0;
	next_mark(l);
	try_at(q, n, at, ls, try_first);
	return 1;
}

/*
 * Passes 3 and 4 through the index: a template of tn tokens, one more
 * (or one fewer) than the message, agrees with each word j of the
 * message at position j or j + 1 (j - 1 or j), as the position skipped
 * is before or after it.  The lists of the word with the fewest are
 * enough.
 */
static int index_near(const struct look *q, size_t tn, try_fn fn)
{
	struct qe_learn *l = q->l;
	const struct toks *m = q->m;
	size_t j, best = (size_t)-1, at_lo = 0, at_hi = 0, c, c2, lo, hi;
	const struct ix_list *ls_lo = NULL, *ls_hi = NULL, *x, *y;

	if (!l->len[tn].nr)
		return 1;
	for (j = 0; j < m->n; j++) {
		if (!word_at(m, j))
			continue;
		/* the positions of the template word j may stand at */
		lo = tn > m->n || j == 0 ? j : j - 1;
		hi = tn > m->n ? j + 1 : (j < tn ? j : j - 1);
		x = at_list(l, tn, lo, m->h[j], &c);
		y = NULL;
		if (hi != lo) {
			y = at_list(l, tn, hi, m->h[j], &c2);
			c += c2;
		}
		if (c < best) {
			best = c;
			at_lo = lo;
			at_hi = hi;
			ls_lo = x;
			ls_hi = y;
		}
	}
	if (best >= l->len[tn].nr)
		return 0;
	next_mark(l);
	try_at(q, tn, at_lo, ls_lo, fn);
	if (at_hi != at_lo)
		try_at(q, tn, at_hi, ls_hi, fn);
	return 1;
}

/*
 * The template that takes message m, if any, in *best: the best one
 * (better()) of m's length, else of those of m's length with another
 * first word, else of those a token longer or shorter.  Through the
 * index only templates that can take m are compared with it, and the
 * one chosen is the one a look at every template would choose, since
 * better() orders all of them.
 * Lines one slot apart join only where the slot is a value: a variable
 * or a placeholder of the mask, at the same place as the template's.
 */
static void find(struct qe_learn *l, const char *type, const struct toks *m,
		 struct align *best)
{
	size_t n = m->n;
	struct look q;

	memset(best, 0, sizeof(*best));
	q.l = l;
	q.type = type;
	q.m = m;
	q.mkey = n ? first_key(m->t[0]) : 0;
	q.sim = sim_for(l, n);
	q.max_hard = (double)n * (1.0 - q.sim) + 1e-9;
	q.best = best;
	if (n == 0 || n > QE_LEARN_MAX_TOKENS)
		return;
	if (l->scan || !index_same(&q))
		try_all(&q, n, try_same);
	if (best->t)
		return;
	if (n >= 4 && q.mkey && (l->scan || !index_first(&q)))
		try_all(&q, n, try_first);
	if (best->t)
		return;
	/* n + 1 is an index of len[] only up to QE_LEARN_MAX_TOKENS */
	if (n + 1 <= QE_LEARN_MAX_TOKENS && n >= 2 &&
	    (l->scan || !index_near(&q, n + 1, try_shorter)))
		try_all(&q, n + 1, try_shorter);
	if (n >= 3 && (l->scan || !index_near(&q, n - 1, try_longer)))
		try_all(&q, n - 1, try_longer);
}

static void bucket_add(struct bucket *b, struct tpl *t)
{
	size_t i = b->nr;

	QE_ALLOC_GROW(b->t, b->nr + 1, b->alloc);
	/* kept in creation order, so that ties always go the same way */
	while (i > 0 && b->t[i - 1]->seq > t->seq) {
		b->t[i] = b->t[i - 1];
		i--;
	}
	b->t[i] = t;
	b->nr++;
}

static void bucket_remove(struct bucket *b, const struct tpl *t)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		if (b->t[i] == t) {
			memmove(b->t + i, b->t + i + 1, (b->nr - i - 1) * sizeof(*b->t));
			b->nr--;
			return;
		}
}

/* Fold message m into the template found for it. */
static void generalise(struct qe_learn *l, const struct align *a, const struct toks *m)
{
	struct tpl *t = a->t;
	size_t i = 0, j = 0, k = a->skip ? a->skip - 1 : (size_t)-1;

	if (a->skip && !a->skip_t) {
		/* the template grows an optional slot where the message has a value */
		char **tok = qe_xcalloc(t->ntok + 1, sizeof(*tok));
		size_t x;
		bucket_remove(&l->len[t->ntok], t);
		ix_del(l, t);
		for (x = 0, i = 0; x <= t->ntok; x++)
			tok[x] = x == k ? qe_xstrdup(OPT_VAR) : t->tok[i++];
		free(t->tok);
		t->tok = tok;
		t->ntok++;
		tpl_sync(t);
		t->opt = k + 1;
		changed(l, t->ntok - 1);
		changed(l, t->ntok);
		t->dirty = 1;
		bucket_add(&l->len[t->ntok], t);
		ix_add(l, t);
		l->st.bytes -= t->bytes;
		t->bytes = tpl_bytes(t);
		l->st.bytes += t->bytes;
		k = (size_t)-1; /* now the same length */
	} else if (a->skip) {
		if (t->opt != k + 1)
			changed(l, t->ntok);
		t->opt = k + 1;
		set_tok(l, t, k, OPT_VAR);
	}
	for (i = 0, j = 0; i < t->ntok && j < m->n;) {
		if (a->skip_t && i == k) {
			i++;
			continue;
		}
		if (!is_var(t->tok[i]) && strcmp(t->tok[i], m->t[j]))
			set_tok(l, t, i, QE_LEARN_VAR);
		i++;
		j++;
	}
	tpl_sync(t);
}

static void retire(struct qe_learn *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->nr_retired; i++)
		if (!strcmp(l->retired[i], id))
			return;
	/* bounded like the templates: one retired id per template at most */
	if (l->nr_retired >= l->max_templates)
		return;
	QE_ALLOC_GROW(l->retired, l->nr_retired + 1, l->alloc_retired);
	snprintf(l->retired[l->nr_retired++], 17, "%s", id);
}

/* Does the earlier of two templates (first seen, then id) win? */
static int earlier(long long fs_a, const char *id_a, long long fs_b, const char *id_b)
{
	if (fs_a != fs_b)
		return fs_a < fs_b;
	return strcmp(id_a, id_b) < 0;
}

/*
 * Evidence for a word slot.  Where a template holds a word and a message
 * another word (no value of the mask in either), the slot becomes a
 * variable only once l->distinct different words were seen there:
 * "stored as bytes" and "stored as values", "view acls" and "modify
 * acls" stay two messages, while a slot that holds a fourth user name is
 * a variable.  Until then each word keeps a template of its own (a
 * sibling: equal elsewhere, a word where the others have theirs).  Two
 * names (name_like()) are enough: "visible is system.charge.show" and
 * "visible is system.time.showampm" are one message.
 */
static int plain_word(const char *t)
{
	return !is_var(t) && !has_placeholder(t);
}

#define MAX_DIFFS 4

/* Positions where t has a word and m another one; more than MAX_DIFFS:
 * MAX_DIFFS + 1 (too many to be one slot: no evidence is asked). */
static size_t word_diffs(const struct tpl *t, const struct toks *m, size_t *pos)
{
	size_t i, n = 0;

	for (i = 0; i < t->ntok && i < m->n; i++)
		if (plain_word(t->tok[i]) && plain_word(m->t[i]) &&
		    strcmp(t->tok[i], m->t[i])) {
			if (n == MAX_DIFFS)
				return MAX_DIFFS + 1;
			pos[n++] = i;
		}
	return n;
}

static int in_pos(size_t i, const size_t *pos, size_t np)
{
	size_t k;

	for (k = 0; k < np; k++)
		if (pos[k] == i)
			return 1;
	return 0;
}

/* s has words at pos and agrees with t everywhere else (a variable on
 * either side agrees with anything). */
static int sibling(const struct tpl *s, const struct tpl *t, const size_t *pos, size_t np)
{
	size_t i;

	if (s == t || s->ntok != t->ntok || strcmp(s->type, t->type))
		return 0;
	for (i = 0; i < t->ntok; i++) {
		if (in_pos(i, pos, np)) {
			if (!plain_word(s->tok[i]))
				return 0;
		} else if (!is_var(t->tok[i]) && !is_var(s->tok[i]) &&
			   strcmp(t->tok[i], s->tok[i])) {
			return 0;
		}
	}
	return 1;
}

static int same_at(char *const *x, char *const *y, const size_t *pos, size_t np)
{
	size_t k;

	for (k = 0; k < np; k++)
		if (strcmp(x[pos[k]], y[pos[k]]))
			return 0;
	return 1;
}

/* siblings looked at: one per word short of the evidence, and a few
 * more that hold a word already counted */
#define MAX_SIBLINGS (QE_LEARN_DISTINCT_MAX + 3)

/*
 * Whether m may join t: 1 when the words it differs in are variables by
 * the evidence (the siblings found are then in sib[], *nsib of them, to
 * be folded into t), 0 when m is to be a template of its own.
 */
/* Keep s among the siblings found, the MAX_SIBLINGS first seen. */
static void keep_sibling(struct tpl **sib, size_t *nsib, struct tpl *s)
{
	size_t i = *nsib;

	if (i == MAX_SIBLINGS) {
		if (s->seq > sib[i - 1]->seq)
			return;
		i--;
	} else {
		++*nsib;
	}
	for (; i > 0 && sib[i - 1]->seq > s->seq; i--)
		sib[i] = sib[i - 1];
	sib[i] = s;
}

/*
 * The siblings of t for the words at pos, in creation order, as many as
 * MAX_SIBLINGS.  A sibling holds t's word, or a variable, wherever t has
 * a word (pos aside): through the index, those in the lists of the
 * position of t with the fewest are enough.
 */
static size_t find_siblings(struct qe_learn *l, const struct tpl *t, const size_t *pos,
			    size_t np, struct tpl **sib)
{
	const struct bucket *b = &l->len[t->ntok];
	const struct ix_list *ls = NULL, *x;
	size_t n = t->ntok, i, at = 0, best = (size_t)-1, c, k, nsib = 0;
	uint32_t slot;

	for (i = 0; i < n && !l->scan; i++) {
		if ((t->fl[i] & TF_VAR) || in_pos(i, pos, np))
			continue;
		if (takes_any(t->fl[i])) {
			/* a value: a sibling holds it too, or a variable */
			x = NULL;
			c = l->any[n][i].nr;
		} else {
			x = at_list(l, n, i, t->h[i], &c);
		}
		if (c < best) {
			best = c;
			at = i;
			ls = x;
		}
	}
	if (best >= b->nr) {
		for (i = 0; i < b->nr && nsib < MAX_SIBLINGS; i++)
			if (sibling(b->t[i], t, pos, np))
				sib[nsib++] = b->t[i];
		return nsib;
	}
	next_mark(l);
	for (k = 0; k < 2; k++, ls = &l->any[n][at])
		for (slot = ls ? ls->head : 0; slot; slot = LINK(SLOT(l, slot), at)) {
			struct tpl *s = SLOT(l, slot);
			if (s->mark == l->mark)
				continue;
			s->mark = l->mark;
			if (sibling(s, t, pos, np))
				keep_sibling(sib, &nsib, s);
		}
	return nsib;
}

/*
 * A word with a digit, or a '.' or '/' between letters or digits: a name
 * (system.time.show, com.apple.backup.daily, pkg/.Activity, eth0) rather
 * than a word of the message.  Two different names in one slot are
 * evidence enough that it is a variable.
 */
static int name_like(const char *t)
{
	const char *p;

	for (p = t; *p; p++) {
		if (*p >= '0' && *p <= '9')
			return 1;
		if (p > t && (*p == '.' || *p == '/') && p[1] &&
		    (isalnum((unsigned char)p[-1]) || p[-1] == '.') &&
		    (isalnum((unsigned char)p[1]) || p[1] == '.'))
			return 1;
	}
	return 0;
}

static int evidence(struct qe_learn *l, const struct tpl *t, const struct toks *m,
		    struct tpl **sib, size_t *nsib)
{
	size_t pos[MAX_DIFFS + 1], np = word_diffs(t, m, pos), i, k, distinct = 2;

	*nsib = 0;
	if (np == 0 || np > MAX_DIFFS)
		return 1;
	*nsib = find_siblings(l, t, pos, np, sib);
	for (i = 0; i < *nsib; i++) {
		int seen = 0;
		/* a word already counted (t's, m's or an earlier sibling's) */
		if (same_at(sib[i]->tok, t->tok, pos, np) ||
		    same_at(sib[i]->tok, m->t, pos, np))
			seen = 1;
		for (k = 0; k < i && !seen; k++)
			if (same_at(sib[i]->tok, sib[k]->tok, pos, np))
				seen = 1;
		if (!seen)
			distinct++;
	}
	for (i = 0; i < np; i++)
		if (!name_like(t->tok[pos[i]]) || !name_like(m->t[pos[i]]))
			break;
	if (i == np)
		return 1; /* names in every slot: two are enough */
	return distinct >= l->distinct;
}

/* Fold sibling s into t: t takes s's count and, when s was seen first,
 * its id; s's id is retired. */
static void fold(struct qe_learn *l, struct tpl *t, struct tpl *s)
{
	size_t i;

	changed(l, t->ntok);
	for (i = 0; i < t->ntok; i++)
		if (!is_var(t->tok[i]) && strcmp(t->tok[i], s->tok[i]))
			set_tok(l, t, i, QE_LEARN_VAR);
	/* the one seen first (first_seen is unique to a learner's own) */
	if (earlier(s->first_seen, s->id, t->first_seen, t->id)) {
		retire(l, t->id);
		snprintf(t->id, sizeof(t->id), "%s", s->id);
		t->first_seen = s->first_seen;
	} else {
		retire(l, s->id);
	}
	t->count += s->count;
	t->dirty = 1;
	tpl_sync(t);
	bucket_remove(&l->len[s->ntok], s);
	ix_del(l, s);
	l->st.templates--;
	l->st.bytes -= s->bytes;
	l->st.merged++;
	tpl_free(s);
}

static void join(const struct tpl *t, struct qe_buf *out)
{
	size_t i;

	for (i = 0; i < t->ntok; i++) {
		if (i)
			qe_buf_addch(out, ' ');
		qe_buf_addstr(out, t->tok[i]);
	}
}

static struct tpl *create(struct qe_learn *l, const char *id, const char *type,
			  const struct toks *m, long long first_seen)
{
	struct tpl *t;
	size_t i;

	if (l->st.templates >= l->max_templates)
		return NULL;
	t = qe_xcalloc(1, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	t->type = qe_xstrdup(type);
	t->ntok = m->n;
	t->tok = qe_xcalloc(m->n ? m->n : 1, sizeof(*t->tok));
	for (i = 0; i < m->n; i++) {
		t->tok[i] = qe_xstrdup(m->t[i]);
		if (!strcmp(t->tok[i], OPT_VAR))
			t->opt = i + 1;
	}
	t->first_seen = first_seen;
	tpl_sync(t);
	t->seq = l->next_seq++;
	t->dirty = 1;
	t->bytes = tpl_bytes(t);
	if (l->st.bytes + t->bytes + ix_cost(l, t->ntok) > l->max_bytes) {
		tpl_free(t);
		return NULL;
	}
	l->st.bytes += t->bytes;
	l->st.templates++;
	changed(l, t->ntok);
	bucket_add(&l->len[t->ntok], t);
	ix_add(l, t);
	return t;
}

/* The time a new template is first seen: never the same as the one
 * before it, so that which of two was first survives a restart (the
 * state keeps first_seen, not the order of creation). */
static long long first_seen(struct qe_learn *l, int64_t now_ms)
{
	long long t = (long long)now_ms;

	if (t <= l->last_first_seen)
		t = l->last_first_seen + 1;
	l->last_first_seen = t;
	return t;
}

/* The memo slot of type and masked, and in *ntok its number of tokens;
 * NULL when they are too long to be kept. */
static struct memo *memo_slot(struct qe_learn *l, const char *type, const char *masked,
			      char *key, size_t *key_len, size_t *ntok)
{
	size_t tl = strlen(type) + 1, ml = strlen(masked), i;

	*key_len = 0;
	if (tl + ml > MEMO_MAX_KEY)
		return NULL;
	for (i = 0, *ntok = 0; i < ml; i++)
		if (masked[i] != ' ' && (i == 0 || masked[i - 1] == ' '))
			++*ntok;
	if (*ntok > QE_LEARN_MAX_TOKENS)
		return NULL;
	if (!l->memo)
		l->memo = qe_xcalloc(MEMO_SLOTS, sizeof(*l->memo));
	memcpy(key, type, tl);
	memcpy(key + tl, masked, ml + 1); /* and its NUL: room was left for it */
	*key_len = tl + ml;
	return &l->memo[qe_fnv1a(key, *key_len) & (MEMO_SLOTS - 1)];
}

static void memo_set(struct memo *m, const char *key, size_t key_len, struct tpl *t,
		     uint64_t gen)
{
	struct qe_buf text = QE_BUF_INIT;

	join(t, &text);
	free(m->key);
	m->key = qe_xmalloc(key_len + text.len + 1);
	memcpy(m->key, key, key_len);
	memcpy(m->key + key_len, text.buf, text.len + 1);
	m->key_len = key_len;
	m->text_len = text.len;
	m->gen = gen;
	m->t = t;
	qe_buf_release(&text);
}

int qe_learn_match(struct qe_learn *l, const char *type, const char *masked,
		   const char *mask_fp, int64_t now_ms, char id_out[17],
		   struct qe_buf *tmpl_out)
{
	struct toks m;
	struct align a;
	struct tpl *t = NULL;
	char key[MEMO_MAX_KEY + 1];
	size_t key_len, ntok = 0;
	struct memo *slot;
	uint64_t gen;

	if (!type)
		type = "";
	slot = memo_slot(l, type, masked, key, &key_len, &ntok);
	/* no slot for a message too long to learn: ntok may be past the table */
	gen = slot ? gen_near(l, ntok) : 0;
	if (slot && slot->key && slot->gen == gen && slot->key_len == key_len &&
	    !memcmp(slot->key, key, key_len)) {
		/* matched as the last time, and nothing changed since */
		t = slot->t;
		l->st.matched++;
		t->count++;
		memcpy(id_out, t->id, 17);
		if (tmpl_out)
			qe_buf_add(tmpl_out, slot->key + key_len, slot->text_len);
		return 1;
	}
	snprintf(id_out, 17, "%s", mask_fp);
	tokenize(masked, &m);
	if (m.too_long || m.n == 0) {
		/* an empty message has nothing to learn; a long one is dropped */
		if (m.too_long)
			l->st.dropped++;
		free(m.buf);
		return 0;
	}
	find(l, type, &m, &a);
	if (a.t && !a.skip) {
		struct tpl *sib[MAX_SIBLINGS];
		size_t nsib, i;
		if (evidence(l, a.t, &m, sib, &nsib)) {
			generalise(l, &a, &m);
			for (i = 0; i < nsib; i++)
				fold(l, a.t, sib[i]);
		} else {
			a.t = NULL; /* a word of its own, so far */
		}
	}
	if (a.t) {
		t = a.t;
		if (a.skip)
			generalise(l, &a, &m);
		l->st.matched++;
		/* a match that changed nothing comes out the same next time */
		if (slot && gen_near(l, ntok) == gen)
			memo_set(slot, key, key_len, t, gen);
	} else if ((t = create(l, mask_fp, type, &m, first_seen(l, now_ms))) != NULL) {
		l->st.created++;
	} else {
		l->st.dropped++;
	}
	free(m.buf);
	if (!t)
		return 0;
	t->count++;
	snprintf(id_out, 17, "%s", t->id);
	if (tmpl_out)
		join(t, tmpl_out);
	return 1;
}

static struct tpl *by_id(struct qe_learn *l, const char *id)
{
	size_t n, i;

	for (n = 0; n <= QE_LEARN_MAX_TOKENS; n++)
		for (i = 0; i < l->len[n].nr; i++)
			if (!strcmp(l->len[n].t[i]->id, id))
				return l->len[n].t[i];
	return NULL;
}

static int valid_id(const char *id)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return id[16] == '\0';
}

int qe_learn_import(struct qe_learn *l, const struct qe_learnt *in)
{
	struct toks m;
	struct align a;
	struct tpl *t;
	const char *type = in->type ? in->type : "";

	l->gen++;
	if (!in->id || !valid_id(in->id))
		return qe_error("learnt template id '%s' is not 16 hex digits",
				in->id ? in->id : "");
	if (!in->tmpl)
		return qe_error("learnt template '%s' has no text", in->id);
	tokenize(in->tmpl, &m);
	if (m.too_long || m.n == 0) {
		free(m.buf);
		return qe_error("learnt template '%s' has %s tokens", in->id,
				m.n ? "too many" : "no");
	}
	t = by_id(l, in->id);
	if (t && (t->ntok != m.n || !same_type(t->type, type))) {
		/* the same id for another shape: keep ours */
		free(m.buf);
		return 0;
	}
	if (!t) {
		find(l, type, &m, &a);
		t = a.t;
		if (t && (a.skip || t->opt)) {
			/* optional slots are merged only by lines, not records */
			t = NULL;
		}
		if (t && t->ntok != m.n)
			t = NULL;
		if (t) {
			/* two words in one slot are two templates until the
			 * evidence says otherwise, in the state as in a stream */
			struct tpl *sib[MAX_SIBLINGS];
			size_t nsib, i;
			if (!evidence(l, t, &m, sib, &nsib)) {
				t = NULL;
			} else {
				for (i = 0; i < nsib; i++)
					fold(l, t, sib[i]);
			}
		}
	}
	if (!t) {
		t = create(l, in->id, type, &m, in->first_seen);
		free(m.buf);
		if (!t) {
			l->st.dropped++;
			return 0;
		}
		t->count = in->count;
		/* what was loaded is saved already */
		t->dirty = 0;
		return 0;
	}
	memset(&a, 0, sizeof(a));
	a.t = t;
	generalise(l, &a, &m);
	if (strcmp(t->id, in->id)) {
		l->st.merged++;
		if (earlier(in->first_seen, in->id, t->first_seen, t->id)) {
			retire(l, t->id);
			snprintf(t->id, sizeof(t->id), "%s", in->id);
			t->first_seen = in->first_seen;
		} else {
			retire(l, in->id);
		}
		t->dirty = 1;
	} else if (in->first_seen < t->first_seen) {
		t->first_seen = in->first_seen;
	}
	if (in->count > t->count)
		t->count = in->count;
	free(m.buf);
	return 0;
}

/* Every template, in creation order. */
static size_t all(struct qe_learn *l, struct tpl ***out)
{
	struct tpl **v = qe_xcalloc(l->st.templates ? l->st.templates : 1, sizeof(*v));
	size_t n, i, nr = 0;

	for (n = 0; n <= QE_LEARN_MAX_TOKENS; n++)
		for (i = 0; i < l->len[n].nr && nr < l->st.templates; i++)
			v[nr++] = l->len[n].t[i];
	for (i = 1; i < nr; i++) {
		struct tpl *x = v[i];
		size_t j = i;
		while (j > 0 && v[j - 1]->seq > x->seq) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
	*out = v;
	return nr;
}

int qe_learn_export(struct qe_learn *l, int dirty_only, qe_learn_fn fn, void *data)
{
	struct qe_buf text = QE_BUF_INIT;
	struct qe_learnt r;
	struct tpl **v;
	size_t nr = all(l, &v), i;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		if (dirty_only && !v[i]->dirty)
			continue;
		qe_buf_reset(&text);
		join(v[i], &text);
		r.id = v[i]->id;
		r.type = v[i]->type;
		r.tmpl = text.buf;
		r.count = v[i]->count;
		r.first_seen = v[i]->first_seen;
		r.retired = 0;
		ret = fn(&r, data);
	}
	for (i = 0; i < l->nr_retired && !ret; i++) {
		memset(&r, 0, sizeof(r));
		r.id = l->retired[i];
		r.type = "";
		r.tmpl = "";
		r.retired = 1;
		ret = fn(&r, data);
	}
	free(v);
	qe_buf_release(&text);
	return ret;
}

void qe_learn_clean(struct qe_learn *l)
{
	size_t n, i;

	for (n = 0; n <= QE_LEARN_MAX_TOKENS; n++)
		for (i = 0; i < l->len[n].nr; i++)
			l->len[n].t[i]->dirty = 0;
	l->nr_retired = 0;
}

void qe_learn_touch(struct qe_learn *l, const char *id)
{
	struct tpl *t = by_id(l, id);

	if (t)
		t->dirty = 1;
}

void qe_learn_stats(const struct qe_learn *l, struct qe_learn_stats *out)
{
	*out = l->st;
}
