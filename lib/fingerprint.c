/* fingerprint: see fingerprint.h */
#include "fingerprint.h"
#include "event.h"
#include "grouping.h"
#include "learn.h"
#include "mask.h"
#include "util.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Longest frame name kept after normalisation. */
#define NAME_MAX_LEN 512

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Drop what compilers and runtimes number or hash per build or per run:
 * Java "$$Lambda$12/0x..", "$$EnhancerBySpringCGLIB$$ab12" and "$1";
 * Rust "::h0123456789abcdef"; .NET "<Main>b__0_1" and "d__5"; Go
 * ".func1" and "+0x1d"; addresses; hex hash runs.  What remains is the
 * name a person wrote.  Every digit run goes: generated numbering is far
 * more common in frames than a meaningful digit that alone tells two
 * functions apart.
 */
static void normalise_name(const char *s, struct qe_buf *out)
{
	size_t n = strlen(s), i, start = out->len, k;
	const char *cut;

	if ((cut = strstr(s, "$$")) != NULL)
		n = (size_t)(cut - s);
	if ((cut = strstr(s, "/0x")) != NULL && (size_t)(cut - s) < n)
		n = (size_t)(cut - s);
	/* Rust legacy mangling hash. */
	if (n >= 19 && !memcmp(s + n - 19, "::h", 3)) {
		for (k = n - 16; k < n && is_hex((unsigned char)s[k]); k++)
			;
		if (k == n)
			n -= 19;
	}
	if (n > NAME_MAX_LEN)
		n = NAME_MAX_LEN;
	/* at most n bytes are kept: room for them once, then plain stores */
	qe_buf_grow(out, n);
	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if ((c == '0' || c == '+') && i + 1 < n &&
		    (s[i + 1] == 'x' || s[i + 1] == 'X' ||
		     (c == '+' && s[i + 1] == '0'))) {
			/* 0x1f, +0x1f: addresses and offsets */
			size_t j = i + 1;
			if (c == '+' && s[j] == '0')
				j++;
			if (j < n && (s[j] == 'x' || s[j] == 'X')) {
				j++;
				while (j < n && is_hex((unsigned char)s[j]))
					j++;
				i = j;
				continue;
			}
		}
		if (is_hex(c) && (i == 0 || !is_alnum((unsigned char)s[i - 1]))) {
			/* A hex run of 8 or more with a digit in it is a hash. */
			size_t j = i;
			int dig = 0;
			while (j < n && is_hex((unsigned char)s[j]))
				dig |= is_digit((unsigned char)s[j++]);
			if (dig && j - i >= 8 &&
			    (j == n || !is_alnum((unsigned char)s[j]))) {
				i = j;
				continue;
			}
		}
		if (is_digit(c)) {
			i++;
			continue;
		}
		if (c == ' ' || c == '\t') {
			i++;
			continue;
		}
		out->buf[out->len++] = (char)c;
		i++;
	}
	out->buf[out->len] = '\0';
	/* A trailing separator left by a removed suffix ("Foo$", "bar."). */
	while (out->len > start && strchr("$.:_-+/", out->buf[out->len - 1]))
		qe_buf_truncate(out, out->len - 1);
}

/*
 * A source path reduced to what is the same on every host: separators
 * unified, line/column and query dropped, everything up to the last
 * package directory (site-packages, node_modules, ...) removed, then the
 * last two components kept, so /home/<user>/, checkout directories and
 * interpreter versions do not matter.
 */
static void normalise_file(const char *file, struct qe_buf *out)
{
	static const char *const roots[] = {
	    "site-packages/", "dist-packages/", "node_modules/", "/gems/",
	    "/pkg/mod/",      "/vendor/",	"/src/"};
	/* the first NAME_MAX_LEN bytes, and one component of them, on the
	 * stack: a frame costs no allocation */
	char tmp[NAME_MAX_LEN + 1], comp[NAME_MAX_LEN + 1];
	const char *s, *p, *base;
	size_t n, k, slashes, len = 0;

	for (p = file; *p && len < NAME_MAX_LEN; p++)
		tmp[len++] = *p == '\\' ? '/' : *p;
	tmp[len] = '\0';
	s = tmp;
	if ((p = strstr(s, "://")) != NULL)
		s = p + 3;
	n = strcspn(s, "?#");
	/* file.js:12:5, file.py:12 */
	while (n > 0 && (is_digit((unsigned char)s[n - 1]) || s[n - 1] == ':')) {
		k = n;
		while (k > 0 && is_digit((unsigned char)s[k - 1]))
			k--;
		if (k == 0 || s[k - 1] != ':')
			break;
		n = k - 1;
	}
	for (k = 0; k < QE_ARRAY_SIZE(roots); k++) {
		const char *last = NULL, *q = s;
		while ((q = strstr(q, roots[k])) != NULL && q < s + n) {
			last = q;
			q++;
		}
		if (last && last + strlen(roots[k]) < s + n) {
			n -= (size_t)(last + strlen(roots[k]) - s);
			s = last + strlen(roots[k]);
		}
	}
	base = s + n;
	for (slashes = 0; base > s; base--)
		if (base[-1] == '/' && ++slashes == 2)
			break;
	{
		/* Components lose version suffixes ("foo@1.2.3") via the name rules. */
		const char *q = base, *end = s + n;
		while (q < end) {
			const char *e = memchr(q, '/', (size_t)(end - q));
			if (!e)
				e = end;
			len = (size_t)(e - q);
			if (len) {
				const char *at = memchr(q, '@', len);
				if (at)
					len = (size_t)(at - q);
				memcpy(comp, q, len);
				comp[len] = '\0';
				if (out->len && out->buf[out->len - 1] != '/')
					qe_buf_addch(out, '/');
				normalise_name(comp, out);
			}
			q = e + 1;
		}
	}
}

/* The frames a fingerprint uses: up to QE_FINGERPRINT_FRAMES in-app
 * frames, else the top frames.  Python prints the innermost frame last,
 * so there the last frames are taken. */
static size_t pick_frames(const struct qe_event *ev, size_t *idx)
{
	size_t i, nr = 0, nr_app = 0;
	int reverse = ev->kind && !strcmp(ev->kind, "python");

	for (i = 0; i < ev->nr_frames; i++)
		if (ev->frames[i].in_app)
			nr_app++;
	for (i = 0; i < ev->nr_frames && nr < QE_FINGERPRINT_FRAMES; i++) {
		size_t f = reverse ? ev->nr_frames - 1 - i : i;
		if (nr_app && !ev->frames[f].in_app)
			continue;
		idx[nr++] = f;
	}
	if (reverse) {
		/* Keep the trace's own order in what is hashed and shown. */
		for (i = 0; i < nr / 2; i++) {
			size_t t = idx[i];
			idx[i] = idx[nr - 1 - i];
			idx[nr - 1 - i] = t;
		}
	}
	return nr;
}

/*
 * The memo tables below pick a slot by this hash, eight bytes at a time
 * rather than one.  It only picks the slot: the key bytes are compared in
 * full, so a shared slot costs a miss and never a wrong result.
 */
static uint64_t memo_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 32);
}

/*
 * One slot of a memo: a key, the text it gave (may be empty) and a
 * fingerprint ("" when not known yet).  Key and text share one
 * allocation.  Memos are direct-mapped: a new key takes the slot of the
 * one before.  The process is single-threaded.
 */
struct memo {
	char *key; /* key_len bytes, then the text and a NUL */
	size_t key_len, text_len;
	char hex[17];
};

/* Longest key and text kept in a memo: longer inputs are worked out
 * every time, so a memo holds at most its slots times this. */
#define MEMO_MAX_KEY 1024
#define MEMO_MAX_TEXT 1024

static struct memo *memo_slot(struct memo *table, size_t slots, const char *key,
			      size_t len)
{
	return &table[memo_hash(key, len) & (slots - 1)];
}

static int memo_is(const struct memo *m, const char *key, size_t len)
{
	return m->key && m->key_len == len && !memcmp(m->key, key, len);
}

static const char *memo_text(const struct memo *m)
{
	return m->key + m->key_len;
}

/* The bytes m holds. */
static size_t memo_bytes(const struct memo *m)
{
	return m->key ? m->key_len + m->text_len + 1 : 0;
}

/* Keep key -> text, hex in m (NULL text: ""; NULL hex: not known). */
static void memo_set(struct memo *m, const char *key, size_t len, const char *text,
		     size_t text_len, const char *hex)
{
	if (len > MEMO_MAX_KEY || text_len > MEMO_MAX_TEXT)
		return;
	free(m->key);
	m->key = qe_xmalloc(len + text_len + 1);
	memcpy(m->key, key, len);
	if (text_len)
		memcpy(m->key + len, text, text_len);
	m->key[len + text_len] = '\0';
	m->key_len = len;
	m->text_len = text_len;
	memcpy(m->hex, hex ? hex : "", hex ? 17 : 1);
}

/*
 * The frames of one trace repeat with every event of its group: the last
 * names and paths normalised and their results are kept, so a repeat
 * costs a hash and a compare rather than the rules above.  Longer texts
 * are normalised every time.
 */
#define NORM_SLOTS 512
#define NORM_MAX_TEXT 256

static struct memo norm_memo[2][NORM_SLOTS];

/* normalise_file (file) or normalise_name of s into the empty out. */
static void normalise_cached(int file, const char *s, struct qe_buf *out)
{
	size_t len = strlen(s);
	struct memo *m;

	if (len > NORM_MAX_TEXT) {
		if (file)
			normalise_file(s, out);
		else
			normalise_name(s, out);
		return;
	}
	m = memo_slot(norm_memo[file], NORM_SLOTS, s, len);
	if (memo_is(m, s, len)) {
		qe_buf_add(out, memo_text(m), m->text_len);
		return;
	}
	if (file)
		normalise_file(s, out);
	else
		normalise_name(s, out);
	memo_set(m, s, len, out->buf, out->len, NULL);
}

static void frame_parts(const struct qe_frame *f, struct qe_buf *where, struct qe_buf *fn)
{
	qe_buf_reset(where);
	qe_buf_reset(fn);
	if (f->module && *f->module)
		normalise_cached(0, f->module, where);
	else if (f->file && *f->file)
		normalise_cached(1, f->file, where);
	if (f->function && *f->function)
		normalise_cached(0, f->function, fn);
}

static int uses_frames(const struct qe_event *ev)
{
	return ev->type && *ev->type && ev->nr_frames > 0;
}

/* The message a message fingerprint masks: the parsed message, else the
 * first line. */
static const char *event_message(const struct qe_event *ev)
{
	if (ev->message && *ev->message)
		return ev->message;
	return ev->nr_lines ? ev->lines[0] : NULL;
}

/* The template of msg, as the event's type has it masked. */
static void mask_message(const struct qe_event *ev, const char *msg, size_t len,
			 struct qe_buf *out)
{
	if (ev->type && *ev->type)
		qe_mask_append(msg, len, out);
	else
		qe_mask_line(msg, len, out);
}

static void event_template(const struct qe_event *ev, struct qe_buf *out)
{
	const char *msg = event_message(ev);

	if (msg)
		mask_message(ev, msg, strlen(msg), out);
}

char *qe_fingerprint_mask(const char *msg, size_t len)
{
	struct qe_buf out = QE_BUF_INIT;

	qe_mask_append(msg, len, &out);
	return qe_buf_detach(&out);
}

char *qe_fingerprint_mask_line(const char *line, size_t len)
{
	struct qe_buf out = QE_BUF_INIT;

	qe_mask_line(line, len, &out);
	return qe_buf_detach(&out);
}

/*
 * Events of one group hash the same text again and again: the last texts
 * hashed keep their result, so a repeat costs one pass over the text
 * rather than SHA-256.
 */
#define HASH_SLOTS 1024

static struct memo hash_memo[HASH_SLOTS];

static void hash_hex(const struct qe_buf *in, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	struct memo *m = memo_slot(hash_memo, HASH_SLOTS, in->buf, in->len);
	size_t i;

	if (memo_is(m, in->buf, in->len)) {
		memcpy(out, m->hex, 17);
		return;
	}
	qe_sha256(in->buf, in->len, md);
	for (i = 0; i < 8; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[16] = '\0';
	memo_set(m, in->buf, in->len, NULL, 0, out);
}

/* The header every hashed text starts with, spelt at compile time (the
 * version is a plain integer literal): no printf per event. */
#define FP_STR2(x) #x
#define FP_STR(x) FP_STR2(x)
#define FP_HEADER "qerrors-fingerprint\n" FP_STR(QE_FINGERPRINT_VERSION) "\n"

/* s, then a newline. */
static void add_line(struct qe_buf *b, const char *s)
{
	qe_buf_addstr(b, s);
	qe_buf_addch(b, '\n');
}

/* A Go panic with a value of its own, panic("...") or panic(fmt.Sprintf(
 * ...)), has the type "panic", which does not say what went wrong: its
 * message does, and two of them raised in one function have the same
 * frames.  Its template is hashed with them. */
static int go_value_panic(const struct qe_event *ev)
{
	return ev->kind && !strcmp(ev->kind, "go") && ev->type &&
	       !strcmp(ev->type, "panic");
}

/* What the fingerprint of a trace hashes: type and frames (and the
 * template of a Go panic's value). */
static void trace_basis(const struct qe_event *ev, const size_t *idx, size_t nr,
			const struct qe_buf *tmpl, struct qe_buf *in)
{
	static struct qe_buf where = QE_BUF_INIT, fn = QE_BUF_INIT;
	size_t i;

	qe_buf_add(in, FP_HEADER "trace\n", sizeof(FP_HEADER "trace\n") - 1);
	add_line(in, ev->kind ? ev->kind : "");
	add_line(in, ev->type);
	for (i = 0; i < nr; i++) {
		frame_parts(&ev->frames[idx[i]], &where, &fn);
		qe_buf_add(in, where.buf, where.len);
		qe_buf_addch(in, '\t');
		qe_buf_add(in, fn.buf, fn.len);
		qe_buf_addch(in, '\n');
	}
	if (go_value_panic(ev)) {
		qe_buf_addstr(in, "template\n");
		qe_buf_add(in, tmpl->buf, tmpl->len);
		qe_buf_addch(in, '\n');
	}
}

/* What the fingerprint of a message hashes: type and template.  The kind
 * is left out: one message found by two rules is one error. */
static void message_basis(const struct qe_event *ev, const struct qe_buf *tmpl,
			  struct qe_buf *in)
{
	qe_buf_add(in, FP_HEADER "message\n", sizeof(FP_HEADER "message\n") - 1);
	add_line(in, ev->type ? ev->type : "");
	qe_buf_add(in, tmpl->buf, tmpl->len);
	qe_buf_addch(in, '\n');
}

/* s and its NUL: the fields of a memo key, none of which holds a NUL. */
static void add_field(struct qe_buf *b, const char *s)
{
	qe_buf_add(b, s, strlen(s) + 1);
}

/*
 * A trace's fingerprint depends on its kind, its type and the frames
 * picked, as they were read: the events of one trace site give the same
 * key, and the memo below saves normalising and hashing their frames.
 */
#define TRACE_SLOTS 1024

static struct memo trace_memo[TRACE_SLOTS];

static void trace_fingerprint(const struct qe_event *ev, struct qe_buf *key,
			      struct qe_buf *in, const struct qe_buf *tmpl, char fp[17])
{
	size_t idx[QE_FINGERPRINT_FRAMES], nr = pick_frames(ev, idx), i;
	struct memo *m;

	qe_buf_reset(key);
	add_field(key, ev->kind ? ev->kind : "");
	add_field(key, ev->type);
	for (i = 0; i < nr; i++) {
		const struct qe_frame *f = &ev->frames[idx[i]];
		/* which of module and file frame_parts() takes, and it */
		if (f->module && *f->module) {
			qe_buf_addch(key, 'm');
			add_field(key, f->module);
		} else if (f->file && *f->file) {
			qe_buf_addch(key, 'f');
			add_field(key, f->file);
		} else {
			add_field(key, "-");
		}
		add_field(key, f->function ? f->function : "");
	}
	if (go_value_panic(ev)) {
		qe_buf_addch(key, 't');
		qe_buf_add(key, tmpl->buf, tmpl->len);
	}
	m = memo_slot(trace_memo, TRACE_SLOTS, key->buf, key->len);
	if (memo_is(m, key->buf, key->len)) {
		memcpy(fp, m->hex, 17);
		return;
	}
	qe_buf_reset(in);
	trace_basis(ev, idx, nr, tmpl, in);
	hash_hex(in, fp);
	memo_set(m, key->buf, key->len, NULL, 0, fp);
}

/*
 * Messages recur word for word (a failure without a number in it, a
 * trace's exception message): the last ones keep their template and
 * the fingerprint it gives, keyed by the type (which decides how the
 * message is masked, and is hashed) and the message.
 */
#define MESSAGE_SLOTS 4096
/* What its keys and texts may take together: most messages are short,
 * so 4,096 of them fit, and long ones cannot take 8 MiB. */
#define MESSAGE_MEMO_BYTES (2u << 20)

static struct memo message_memo[MESSAGE_SLOTS];
static size_t message_memo_bytes;

/* memo_set() within MESSAGE_MEMO_BYTES: a key that does not fit is
 * worked out every time. */
static void message_memo_set(struct memo *m, const char *key, size_t len,
			     const char *text, size_t text_len)
{
	size_t old = memo_bytes(m), need = len + text_len + 1;
	if (message_memo_bytes - old + need > MESSAGE_MEMO_BYTES)
		return;
	memo_set(m, key, len, text, text_len, NULL);
	message_memo_bytes = message_memo_bytes - old + memo_bytes(m);
}

/* Fill tmpl with ev's template and, when fp is not NULL, fp with the
 * fingerprint of its message basis. */
static void message_fingerprint(const struct qe_event *ev, struct qe_buf *key,
				struct qe_buf *in, struct qe_buf *tmpl, char *fp)
{
	const char *msg = event_message(ev);
	struct memo *m;

	qe_buf_reset(tmpl);
	qe_buf_reset(key);
	add_field(key, ev->type ? ev->type : "");
	if (msg)
		qe_buf_addstr(key, msg);
	m = memo_slot(message_memo, MESSAGE_SLOTS, key->buf, key->len);
	if (memo_is(m, key->buf, key->len)) {
		qe_buf_add(tmpl, memo_text(m), m->text_len);
		if (!fp)
			return;
		if (m->hex[0]) {
			memcpy(fp, m->hex, 17);
			return;
		}
	} else {
		if (msg)
			mask_message(ev, msg, strlen(msg), tmpl);
		message_memo_set(m, key->buf, key->len, tmpl->buf, tmpl->len);
		if (!fp)
			return;
	}
	qe_buf_reset(in);
	message_basis(ev, tmpl, in);
	hash_hex(in, fp);
	if (memo_is(m, key->buf, key->len))
		memcpy(m->hex, fp, 17);
}

void qe_fingerprint(struct qe_event *ev)
{
	qe_fingerprint_with(ev, NULL, NULL, NULL);
}

const char *qe_fp_stage_name(enum qe_fp_stage s)
{
	switch (s) {
	case QE_FP_STAGE_MASK:
		return "mask";
	case QE_FP_STAGE_LEARNT:
		return "learnt";
	case QE_FP_STAGE_TRACE:
		return "trace";
	case QE_FP_STAGE_RULE:
		return "rule";
	}
	return "mask";
}

void qe_fp_info_release(struct qe_fp_info *info)
{
	free(info->learnt);
	free(info->rule);
	free(info->group);
	free(info->split);
	memset(info, 0, sizeof(*info));
}

void qe_fingerprint_with(struct qe_event *ev, struct qe_grouping *g, const char *source,
			 struct qe_fp_info *info)
{
	/* kept from one event to the next: no allocation once they have grown */
	static struct qe_buf key = QE_BUF_INIT, in = QE_BUF_INIT, tmpl = QE_BUF_INIT,
			     learnt = QE_BUF_INIT;
	struct qe_fp_info local;
	struct qe_grouping_hit hit;
	struct qe_learn *l = qe_grouping_learner(g);
	const struct qe_buf *shown = &tmpl; /* the template the event keeps */
	int trace = uses_frames(ev);
	char fp[17];

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (trace) {
		message_fingerprint(ev, &key, &in, &tmpl, NULL);
		trace_fingerprint(ev, &key, &in, &tmpl, fp);
	} else {
		message_fingerprint(ev, &key, &in, &tmpl, fp);
	}
	memcpy(info->mask_fp, fp, sizeof(fp));
	info->stage = trace ? QE_FP_STAGE_TRACE : QE_FP_STAGE_MASK;
	if (!trace && l) {
		char id[17];
		qe_buf_reset(&learnt);
		if (qe_learn_match(l, ev->type, tmpl.buf, fp, qe_wall_ms(), id,
				   &learnt)) {
			/* another line's id, or a template with a variable */
			if (strcmp(id, fp) || strstr(learnt.buf, QE_LEARN_VAR) ||
			    strstr(learnt.buf, "<?>")) {
				info->stage = QE_FP_STAGE_LEARNT;
				shown = &learnt;
			}
			memcpy(fp, id, sizeof(id));
			if (info != &local)
				info->learnt = qe_xstrndup(learnt.buf, learnt.len);
		}
	}
	if (qe_grouping_rule_match(g, ev, source, &hit)) {
		qe_buf_reset(&in);
		qe_buf_add(&in, FP_HEADER "rule\n", sizeof(FP_HEADER "rule\n") - 1);
		qe_buf_addstr(&in, hit.group ? "group\n" : "of\n");
		add_line(&in, hit.group ? hit.group : fp);
		qe_buf_addstr(&in, "split\n");
		add_line(&in, hit.split);
		hash_hex(&in, fp);
		info->stage = QE_FP_STAGE_RULE;
		info->rule = hit.rule;
		info->group = hit.group ? qe_xstrdup(hit.group) : NULL;
		info->split = hit.split;
		hit.rule = hit.split = NULL;
		qe_grouping_hit_release(&hit);
		/* a rule's group shows the template of its message */
		shown = &tmpl;
	}
	memcpy(ev->fingerprint, fp, sizeof(fp));
	free(ev->template);
	ev->template = qe_xstrndup(shown->buf, shown->len);
	if (info == &local)
		qe_fp_info_release(&local);
}

/* A JSON string from bytes that may not be UTF-8. */
static json_t *jstr(const char *s)
{
	char *clean;
	json_t *j;

	if (!s)
		return json_null();
	clean = qe_utf8_sanitize(s, strlen(s));
	j = json_string(clean);
	free(clean);
	return j ? j : json_null();
}

void qe_fingerprint_explain(const struct qe_event *ev, struct qe_buf *out)
{
	json_t *obj = json_object(), *frames = json_array();
	struct qe_buf tmpl = QE_BUF_INIT, where = QE_BUF_INIT, fn = QE_BUF_INIT;
	size_t idx[QE_FINGERPRINT_FRAMES], nr, i;
	char *text;

	json_object_set_new(obj, "version", json_integer(QE_FINGERPRINT_VERSION));
	json_object_set_new(obj, "basis",
			    json_string(uses_frames(ev) ? "frames" : "message"));
	json_object_set_new(obj, "kind", jstr(ev->kind));
	json_object_set_new(obj, "type",
			    ev->type && *ev->type ? jstr(ev->type) : json_null());
	if (uses_frames(ev)) {
		nr = pick_frames(ev, idx);
		for (i = 0; i < nr; i++) {
			json_t *f = json_object();
			frame_parts(&ev->frames[idx[i]], &where, &fn);
			json_object_set_new(f, "module", jstr(where.buf));
			json_object_set_new(f, "function", jstr(fn.buf));
			json_object_set_new(f, "in_app",
					    json_boolean(ev->frames[idx[i]].in_app));
			json_array_append_new(frames, f);
		}
	}
	json_object_set_new(obj, "frames", frames);
	event_template(ev, &tmpl);
	json_object_set_new(obj, "template", jstr(tmpl.buf));
	text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		qe_buf_addstr(out, text);
	free(text);
	json_decref(obj);
	qe_buf_release(&tmpl);
	qe_buf_release(&where);
	qe_buf_release(&fn);
}

void qe_fingerprint_explain_with(const struct qe_event *ev, const struct qe_fp_info *info,
				 struct qe_buf *out)
{
	struct qe_buf base = QE_BUF_INIT;
	json_t *obj;
	char *text;

	qe_fingerprint_explain(ev, &base);
	obj = json_loads(base.buf, 0, NULL);
	qe_buf_release(&base);
	if (!obj)
		obj = json_object();
	json_object_set_new(obj, "stage", json_string(qe_fp_stage_name(info->stage)));
	json_object_set_new(obj, "mask_fingerprint", json_string(info->mask_fp));
	if (info->learnt)
		json_object_set_new(obj, "learnt_template", jstr(info->learnt));
	if (info->rule) {
		json_object_set_new(obj, "rule", jstr(info->rule));
		json_object_set_new(obj, "group",
				    info->group ? jstr(info->group) : json_null());
		json_object_set_new(obj, "split", jstr(info->split ? info->split : ""));
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		qe_buf_addstr(out, text);
	free(text);
	json_decref(obj);
}
