/* rules: see rules.h */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rules.h"

#include "buf.h"
#include "config.h"
#include "event.h"
#include "util.h"

#include <pcre2.h>
#ifdef QE_HAVE_HS
#include <hs.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_MATCH_LIMIT 100000
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (1024 * 1024)

struct sample {
	char *line;
	int matches;
};

struct rule {
	char *name;
	char *kind;
	char *severity_name;
	char *pattern;	    /* the start pattern as written */
	char *continuation; /* NULL when none */
	int severity;
	enum qe_rule_lang lang;
	int builtin;
	pcre2_code *re;
	pcre2_code *cont;
	/* re and cont JIT-compiled yet: on their first match, so that a
	 * rule whose gate no line passes costs its compile only */
	unsigned char re_jit, cont_jit;
	unsigned char re_first[32];   /* bytes a match of re can start with */
	unsigned char cont_first[32]; /* ... of cont */
	pcre2_code **ignore;
	size_t nr_ignore;
	int has_lvl;	/* the pattern has a (?<lvl>...) group */
	int type_group; /* user rules: (?<type>...) group number, or 0 */
	int msg_group;	/* user rules: (?<message>...) group number, or 0 */
	int gate;	/* built-in rules: a literal test the pattern implies */
	unsigned need;	/* ... the words of which the line must have one */
	struct sample *samples;
	size_t nr_samples;
	uint64_t hits;
	uint64_t time_ns;
};

struct qe_rules {
	struct rule *rules;
	size_t nr, alloc;
	size_t nr_user; /* user rules come first */
	pcre2_code **ignore;
	size_t nr_ignore;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	pcre2_match_data *md;
	size_t lang_rule[QE_LANG_RUST + 1];
	int timing; /* measure time per rule (rules test); off on the hot path */
	int passed; /* the last qe_rules_match_start() got past the prefilter */
#ifdef QE_HAVE_HS
	hs_scratch_t *hs_scratch; /* NULL: qe_rules_scan() uses the trigram scan */
	unsigned hs_fit;	  /* the databases (bits by slot) it was sized for */
#endif
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Compile one pattern; on failure record "<what> at offset N: reason".
 * Without JIT: see jit(). */
static pcre2_code *compile_only(const char *pat, int user, const char *rule,
				const char *what)
{
	int err;
	PCRE2_SIZE off;
	uint32_t opts = 0;
	pcre2_code *re;

	/* Log text is bytes, often not valid UTF-8; user patterns may still
	 * want to name non-ASCII characters, so they get UTF mode that
	 * tolerates invalid input. */
	if (user)
		opts |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	re =
	    pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts, &err, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		if (rule)
			qe_error("rule '%s': invalid %s at offset %zu: %s", rule, what,
				 (size_t)off, (const char *)msg);
		else
			qe_error("%s '%s': invalid pattern at offset %zu: %s", what, pat,
				 (size_t)off, (const char *)msg);
		return NULL;
	}
	return re;
}

/* JIT-compile re the first time it is matched (*done says it was tried).
 * Without JIT support the interpreter still works, only slower. */
static void jit(pcre2_code *re, unsigned char *done)
{
	if (!*done) {
		*done = 1;
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	}
}

/* compile_only() and JIT at once, for the patterns matched on every line
 * that gets that far (the ignore patterns) */
static pcre2_code *compile(const char *pat, int user, const char *rule, const char *what)
{
	pcre2_code *re = compile_only(pat, user, rule, what);
	if (re)
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

/*
 * The bytes a match of an anchored pattern can start with, one bit each;
 * every bit set when the pattern is not anchored.  A byte is in the set
 * when the pattern, given that byte alone, matches or could match more
 * (a hard partial match): PCRE2's own answer, so a line whose first byte
 * is not in it cannot match and the call is saved.  In UTF mode a
 * non-ASCII byte alone is not a character: those bytes all stay in.
 */
static void first_bytes(const pcre2_code *re, int utf, unsigned char set[32])
{
	uint32_t opts = 0;
	pcre2_match_data *md;
	unsigned c;

	memset(set, 0xff, 32);
	if (pcre2_pattern_info(re, PCRE2_INFO_ALLOPTIONS, &opts) != 0 ||
	    !(opts & PCRE2_ANCHORED))
		return;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md)
		return;
	for (c = 0; c < (utf ? 0x80u : 256u); c++) {
		unsigned char b = (unsigned char)c;
		int rc = pcre2_match(re, &b, 1, 0, PCRE2_PARTIAL_HARD | PCRE2_NO_JIT, md,
				     NULL);
		if (rc == PCRE2_ERROR_NOMATCH)
			set[c >> 3] &= (unsigned char)~(1u << (c & 7));
	}
	pcre2_match_data_free(md);
}

static int may_start(const unsigned char set[32], const char *line, size_t len)
{
	unsigned c = len ? (unsigned char)line[0] : 0;
	return !len || (set[c >> 3] >> (c & 7)) & 1;
}

static int group_number(const pcre2_code *re, const char *name)
{
	int n = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);
	return n > 0 ? n : 0;
}

/*
 * Gates: for some built-in rules, words that any line the pattern matches
 * must contain.  A line without them cannot match, so the pattern is not
 * run; the samples (qe_rules_check_samples) go through the same test.
 * Each gate must follow from its pattern in rules_builtin.c: the one that
 * changes a pattern changes its gate.
 */
enum {
	G_NONE,
	G_JAVA,	  /* Exception | Error | Throwable */
	G_DOTNET, /* xception (Exception, "Unhandled exception:") */
	G_PYTHON, /* "Traceback (most recent call last):" or rich's box title,
		   * "Fatal Python error: "
		   * "Traceback (most recent call last) ", "RemoteTraceback:" */
	G_GO_HTTP,
	G_PHP,	     /* "Fatal error:", "Parse error:", "fatal error:" | ".php:" */
	G_RUBY,	     /* ".rb:" | Error | Exception ("<internal:x>" raising one) */
	G_NODE,	     /* Error | Exception (also ruby-rescued's) */
	G_MONOLOG,   /* ".ERROR: ", ".CRITICAL: ", ".ALERT: ", ".EMERGENCY: " */
	G_LEVEL,     /* the upper-case level words */
	G_LOWER,     /* "[level]" in lower case, or a level|lvl|severity key */
	G_COLON,     /* "error: ", "crit: ", ... at the start or after a time */
	G_SANITIZER, /* "==ERROR: ", "runtime error: " (gfortran's too) */
	G_PERL,	     /* " line " and a digit (" at FILE line N.") */
	G_ASSERT,    /* "Assertion " */
	G_TCL,	     /* "while executing", "while compiling" */
};

static const struct {
	const char *rule;
	int gate;
} rule_gates[] = {
    {"java-exception", G_JAVA},	    {"dotnet-exception", G_DOTNET},
    {"python-traceback", G_PYTHON}, {"go-http-panic", G_GO_HTTP},
    {"php-fatal", G_PHP},	    {"ruby-exception", G_RUBY},
    {"node-error", G_NODE},	    {"level", G_LEVEL},
    {"level-lower", G_LOWER},	    {"monolog", G_MONOLOG},
    {"level-colon", G_COLON},	    {"ruby-rescued", G_NODE},
    {"sanitizer", G_SANITIZER},	    {"gfortran", G_SANITIZER},
    {"perl-die", G_PERL},	    {"c-assert", G_ASSERT},
    {"tcl-error", G_TCL},
};

/* The words the gates look for, found in one pass over the line. */
enum {
	W_EXCEPTION = 1 << 0, /* Exception */
	W_XCEPTION = 1 << 1,  /* xception */
	W_ERROR = 1 << 2,     /* Error */
	W_THROWABLE = 1 << 3,
	W_TRACEBACK = 1 << 4,	/* Traceback (most recent call last):, rich's box title,
				 * Traceback:,   Fatal Python error: */
	W_HTTP_PANIC = 1 << 5,	/* http: panic serving */
	W_ERROR_COLON = 1 << 6, /* error: after "Fatal ", "Parse " or "fatal " */
	W_PHP = 1 << 7,		/* .php: */
	W_RB = 1 << 8,		/* .rb: */
	W_LEVEL = 1 << 9,	/* ERR, EMERG, FATAL, CRIT, SEVERE, ALERT, PANIC */
	W_LOWER = 1 << 10,	/* error] crit] ... (padded), or error<TAB> ... */
	W_KEY = 1 << 11,	/* lvl, level, severity in any case */
	W_TRIGGER = 1 << 12,	/* a trigger word of the prefilter */
	W_MONOLOG = 1 << 13,	/* .ERROR: .CRITICAL: .ALERT: .EMERGENCY: */
	W_COLON = 1 << 14,	/* error: crit: alert: emerg: fatal: and a space, first
				   or after a date and time */
	W_SANITIZER = 1 << 15,	/* ==ERROR: (after the pid), runtime error: */
	W_PERL = 1 << 16,	/* " line " and a digit */
	W_ASSERT = 1 << 17,	/* Assertion and a blank */
	W_TCL = 1 << 18,	/* while executing, while compiling */
	W_SCANNED = 1 << 30,
};

/* Does the ASCII word w (lower case) start at p, in any case? */
static int at_ci(const char *p, const char *end, const char *w)
{
	for (; *w; w++, p++)
		if (p >= end || ((unsigned char)*p | 0x20) != (unsigned char)*w)
			return 0;
	return 1;
}

static int at(const char *p, const char *end, const char *w, size_t n)
{
	return (size_t)(end - p) >= n && !memcmp(p, w, n);
}

#define AT(w) at(p, end, w, sizeof(w) - 1)
/* w at p, after the byte b */
#define AFTER(b, w) (p > l && p[-1] == (b) && AT(w))

static int digits(const char *p, size_t n)
{
	for (; n; n--, p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

static int time_byte(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	       c == '_' || c == '.' || c == ':' || c == '+' || c == '-';
}

/* Where level-colon's pattern lets its level word begin: at the line
 * start l, or after "\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d[\w.:+-]{0,24} " and
 * an optional "\[[^\]]{1,64}\] " (each run ends at the first byte it
 * cannot take, so there is one way to read them). */
static int colon_start(const char *l, const char *p)
{
	const char *q = l + 19, *b;

	if (p == l)
		return 1;
	if (p - l < 21 || p[-1] != ' ' || !digits(l, 4) || l[4] != '-' ||
	    !digits(l + 5, 2) || l[7] != '-' || !digits(l + 8, 2) ||
	    (l[10] != 'T' && l[10] != ' ') || !digits(l + 11, 2) || l[13] != ':' ||
	    !digits(l + 14, 2) || l[16] != ':' || !digits(l + 17, 2))
		return 0;
	while (q < p && time_byte(*q) && q - (l + 19) <= 24)
		q++;
	if (q - (l + 19) > 24 || q >= p || *q != ' ')
		return 0;
	if (q + 1 == p)
		return 1;
	if (q[1] != '[' || !(b = memchr(q + 2, ']', (size_t)(p - (q + 2)))))
		return 0;
	return b - (q + 2) >= 1 && b - (q + 2) <= 64 && b[1] == ' ' && b + 2 == p;
}

/* A lower-case level word of n bytes at p, then ": ", where level-colon
 * looks for it. */
static int colon_level(const char *l, const char *p, const char *end, size_t n)
{
	return (size_t)(end - p) > n + 1 && p[n] == ':' && p[n + 1] == ' ' &&
	       colon_start(l, p);
}

/* "error:" at p after what PHP writes before it. */
static int php_error(const char *l, const char *p)
{
	return p - l >= 6 && (!memcmp(p - 6, "Fatal ", 6) ||
			      !memcmp(p - 6, "Parse ", 6) || !memcmp(p - 6, "fatal ", 6));
}

/* A lower-case level as level-lower takes it: "error]", "[error    ]"
 * (padded, as structlog writes it) or "error<TAB>" (zap's console). */
static int lower_level(const char *p, const char *end, const char *w, size_t n)
{
	size_t pad = 0;

	/* the second byte first: most words that start like a level do not
	 * go on like one, and that costs no call */
	if ((size_t)(end - p) < n || p[1] != w[1] || memcmp(p, w, n))
		return 0;
	p += n;
	if (p < end && *p == '\t')
		return 1;
	while (p < end && *p == ' ' && pad < 8)
		p++, pad++;
	return p < end && *p == ']';
}

/* the second byte is tested here first: no call for most words */
#define LOWER(w) (p + 1 < end && p[1] == (w)[1] && lower_level(p, end, w, sizeof(w) - 1))

/* " line N" at p as Perl ends its message with it: at the line's end,
 * before its full stop, or before the ", <FH> line N." of a read. */
static int perl_line(const char *p, const char *end)
{
	if (end - p < 7 || memcmp(p, " line ", 6) || p[6] < '0' || p[6] > '9')
		return 0;
	for (p += 7; p < end && *p >= '0' && *p <= '9'; p++)
		;
	if (p < end && *p == '.')
		p++;
	while (p < end && (*p == ' ' || *p == '\r'))
		p++;
	return p == end || (end - p >= 3 && p[0] == ',' && p[1] == ' ' && p[2] == '<');
}

/* ".go:N" at p, and nothing but blanks after the number: the file of a
 * frame of a Go stack without addresses (pkg/errors' "%+v"), not the
 * "main.go:42:" or "x.go:80]" of a log line. */
static int go_file_end(const char *p, const char *end)
{
	if (end - p < 5 || memcmp(p, ".go:", 4) || p[4] < '0' || p[4] > '9')
		return 0;
	for (p += 5; p < end && *p >= '0' && *p <= '9'; p++)
		;
	while (p < end && (*p == ' ' || *p == '\r'))
		p++;
	return p == end;
}

/* The gate words that start at p (l is the line's start, for the byte
 * before "xception"). */
static unsigned words_at(const char *l, const char *p, const char *end)
{
	unsigned w = 0;

	switch (*p) {
	case 'x':
		if (AT("xception")) {
			w |= W_XCEPTION;
			if (p > l && p[-1] == 'E')
				w |= W_EXCEPTION;
		}
		break;
	case 'E':
		if (AT("Error"))
			w |= W_ERROR;
		else if (AT("ERR") || AT("EMERG")) {
			w |= W_LEVEL;
			if (AFTER('=', "ERROR: "))
				w |= W_SANITIZER;
			if (AFTER('.', "ERROR: ") || AFTER('.', "EMERGENCY: "))
				w |= W_MONOLOG;
		}
		break;
	case 'T':
		if (AT("Throwable"))
			w |= W_THROWABLE;
		else if (AT("Traceback (most recent call last):") ||
			 AT("Traceback (most recent call last) ") || AT("Traceback:"))
			w |= W_TRACEBACK;
		break;
	case 'h':
		if (AT("http: panic serving "))
			w |= W_HTTP_PANIC;
		break;
	case 'e':
		if (AT("error:")) {
			if (p - l >= 8 && !memcmp(p - 8, "runtime ", 8))
				w |= W_SANITIZER;
			if (php_error(l, p))
				w |= W_ERROR_COLON;
			if (colon_level(l, p, end, 5))
				w |= W_COLON;
		} else if (LOWER("error") || LOWER("emerg")) {
			w |= W_LOWER;
		}
		if (AT("emerg") && colon_level(l, p, end, 5))
			w |= W_COLON;
		break;
	case '.':
		if (AT(".php:"))
			w |= W_PHP;
		else if (AT(".rb:"))
			w |= W_RB;
		break;
	case 'F':
		if (AT("FATAL"))
			w |= W_LEVEL;
		else if (AT("Fatal Python error: "))
			w |= W_TRACEBACK;
		break;
	case 'C':
		if (AT("CRIT")) {
			w |= W_LEVEL;
			if (AFTER('.', "CRITICAL: "))
				w |= W_MONOLOG;
		}
		break;
	case 'A':
		if (AT("ALERT")) {
			w |= W_LEVEL;
			if (AFTER('.', "ALERT: "))
				w |= W_MONOLOG;
		} else if (AT("Assertion ")) {
			w |= W_ASSERT;
		}
		break;
	case 'P':
		if (AT("PANIC"))
			w |= W_LEVEL;
		break;
	case 'c':
		if (LOWER("crit") || LOWER("critical"))
			w |= W_LOWER;
		if (AT("crit") && colon_level(l, p, end, 4))
			w |= W_COLON;
		break;
	case 'a':
		if (LOWER("alert"))
			w |= W_LOWER;
		if (AT("alert") && colon_level(l, p, end, 5))
			w |= W_COLON;
		break;
	case 'f':
		if (LOWER("fatal"))
			w |= W_LOWER;
		if (AT("fatal") && colon_level(l, p, end, 5))
			w |= W_COLON;
		break;
	case 'p':
	case 'd':
		if (*p == 'p' ? LOWER("panic") : LOWER("dpanic"))
			w |= W_LOWER;
		break;
	case 'S':
		if (AT("SEVERE"))
			w |= W_LEVEL;
		/* fall through */
	case 's':
		if (at_ci(p, end, "severity"))
			w |= W_KEY;
		break;
	case ' ':
		if (perl_line(p, end))
			w |= W_PERL;
		break;
	case 'w':
		if (AT("while executing") || AT("while compiling"))
			w |= W_TCL;
		break;
	case 'l':
	case 'L':
		if (at_ci(p, end, "lvl") || at_ci(p, end, "level"))
			w |= W_KEY;
		break;
	default:
		break;
	}
	return w;
}

#undef AT
#undef AFTER
#undef LOWER

static int trigger_at(const char *p, const char *end);

/*
 * Where the words that words_at() and trigger_at() look for may start,
 * seen from a pair of their bytes, so that scan_words() looks at every
 * other position only.  Each word has one pair at an even offset and one
 * at an odd offset (a rare pair when there is a choice), so that one of
 * them is at an even position of the line whatever the word's position;
 * pair_back[] holds, for the two bytes as one 16-bit load, the offsets
 * (one bit each) of the words' starts before the pair.  Letters in any
 * case: a position looked at that starts no word costs a test.
 */
static unsigned char pair_back[65536];
static int pair_ready;

static unsigned pair_key(const char *p)
{
	uint16_t k;
	memcpy(&k, p, 2);
	return k;
}

static void pair_set(unsigned a, unsigned b, unsigned back)
{
	char two[2] = {(char)a, (char)b};
	pair_back[pair_key(two)] |= (unsigned char)(1u << back);
}

static unsigned other_case(unsigned c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? c ^ 0x20 : c;
}

static void pair_init(void)
{
	static const struct {
		char pair[3];
		unsigned char back; /* offset of the pair in the word */
	} pairs[] = {
	    {"er", 0}, {"rr", 1}, /* err, error, error:, ERR, Error */
	    {"em", 0}, {"rg", 3}, /* emerg */
	    {"xc", 0}, {"pt", 3}, /* xcept, xception */
	    {"bl", 6}, {"hr", 1}, /* throwable */
	    {"eb", 4}, {"ck", 7}, /* traceback */
	    {"tp", 2}, {"p:", 3}, /* http: panic serving */
	    {".p", 0}, {"p:", 3}, /* .php: */
	    {".r", 0}, {"rb", 1}, /* .rb: */
	    {"fa", 0}, {"al", 3}, /* fatal */
	    {"cr", 0}, {"ri", 1}, /* crit, critical */
	    {"al", 0}, {"rt", 3}, /* alert */
	    {"ni", 2}, {"ic", 3}, /* panic */
	    {"dp", 0}, {"ni", 3}, /* dpanic */
	    {"ve", 2}, {"ev", 1}, /* severe, severity, level */
	    {"lv", 0}, {"vl", 1}, /* lvl */
	    {" l", 0}, {"ne", 3}, /* " line " */
	    {"as", 0}, {"ss", 1}, /* assertion */
	    {"wh", 0}, {"hi", 1}, /* while executing, while compiling */
	    {".g", 0}, {"go", 1}, /* .go: */
	};
	size_t i;

	for (i = 0; i < QE_ARRAY_SIZE(pairs); i++) {
		unsigned a = (unsigned char)pairs[i].pair[0];
		unsigned b = (unsigned char)pairs[i].pair[1];
		pair_set(a, b, pairs[i].back);
		pair_set(other_case(a), b, pairs[i].back);
		pair_set(a, other_case(b), pairs[i].back);
		pair_set(other_case(a), other_case(b), pairs[i].back);
	}
	pair_ready = 1;
}

/*
 * One pass over a line for the gate words and, as W_TRIGGER, the trigger
 * words of the prefilter (the same answer as qe_rules_prefilter() but for
 * the line-start forms).  Every word is at least three bytes long.
 */
static unsigned scan_words(const char *l, size_t n)
{
	const char *end = l + n;
	unsigned w = W_SCANNED;
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		unsigned back, o;
		/* most pairs start no word: four of them with one test */
		while (i + 7 < n &&
		       !(pair_back[pair_key(l + i)] | pair_back[pair_key(l + i + 2)] |
			 pair_back[pair_key(l + i + 4)] | pair_back[pair_key(l + i + 6)]))
			i += 8;
		if (i + 1 >= n)
			break;
		back = pair_back[pair_key(l + i)];
		for (o = 0; back; o++, back >>= 1) {
			const char *p = l + i - o;
			if (!(back & 1) || o > i || p + 3 > end)
				continue;
			w |= words_at(l, p, end);
			if (!(w & W_TRIGGER) && trigger_at(p, end))
				w |= W_TRIGGER;
		}
	}
	return w;
}

/* The words one of which a line must have for the rule's pattern to match. */
static unsigned gate_words(int gate)
{
	switch (gate) {
	case G_JAVA:
		return W_EXCEPTION | W_ERROR | W_THROWABLE;
	case G_DOTNET:
		return W_XCEPTION;
	case G_PYTHON:
		return W_TRACEBACK;
	case G_GO_HTTP:
		return W_HTTP_PANIC;
	case G_PHP:
		return W_ERROR_COLON | W_PHP;
	case G_RUBY:
		return W_RB | W_ERROR | W_EXCEPTION;
	case G_NODE:
		return W_ERROR | W_EXCEPTION;
	case G_MONOLOG:
		return W_MONOLOG;
	case G_LEVEL:
		return W_LEVEL;
	case G_LOWER:
		return W_LOWER | W_KEY;
	case G_COLON:
		return W_COLON;
	case G_SANITIZER:
		return W_SANITIZER;
	case G_PERL:
		return W_PERL;
	case G_ASSERT:
		return W_ASSERT;
	case G_TCL:
		return W_TCL;
	default:
		return 0;
	}
}

static struct rule *add_rule(struct qe_rules *r)
{
	struct rule *ru;
	QE_ALLOC_GROW(r->rules, r->nr + 1, r->alloc);
	ru = &r->rules[r->nr++];
	memset(ru, 0, sizeof(*ru));
	return ru;
}

static int add_user_rule(struct qe_rules *r, const struct qe_rule_conf *rc)
{
	struct rule *ru;
	const char *start;
	enum qe_severity sev = QE_SEV_ERROR;
	size_t i;

	if (!rc->name || !*rc->name)
		return qe_error("rule without a name");
	if (!rc->pattern || !*rc->pattern)
		return qe_error("rule '%s': no pattern", rc->name);
	if (rc->severity && qe_severity_parse(rc->severity, &sev) < 0)
		return qe_error("rule '%s': unknown severity '%s'", rc->name,
				rc->severity);

	ru = add_rule(r);
	ru->name = qe_xstrdup(rc->name);
	ru->kind = qe_xstrdup(rc->kind && *rc->kind ? rc->kind : rc->name);
	ru->severity = (int)sev;
	ru->severity_name = qe_xstrdup(qe_severity_name(sev));
	ru->lang = QE_LANG_USER;

	/* The pattern must compile even when a separate start pattern
	 * decides where events begin: it is what the user wrote first. */
	ru->re = compile_only(rc->pattern, 1, rc->name, "pattern");
	if (!ru->re)
		return -1;
	start = rc->start && *rc->start ? rc->start : NULL;
	if (start) {
		pcre2_code *s = compile_only(start, 1, rc->name, "start pattern");
		if (!s)
			return -1;
		pcre2_code_free(ru->re);
		ru->re = s;
	}
	ru->pattern = qe_xstrdup(start ? start : rc->pattern);
	first_bytes(ru->re, 1, ru->re_first);
	if (rc->continuation && *rc->continuation) {
		ru->continuation = qe_xstrdup(rc->continuation);
		ru->cont =
		    compile_only(rc->continuation, 1, rc->name, "continuation pattern");
		if (!ru->cont)
			return -1;
		first_bytes(ru->cont, 1, ru->cont_first);
	}
	if (rc->nr_ignore) {
		ru->ignore = qe_xcalloc(rc->nr_ignore, sizeof(*ru->ignore));
		for (i = 0; i < rc->nr_ignore; i++) {
			ru->ignore[i] =
			    compile(rc->ignore[i], 1, rc->name, "ignore pattern");
			if (!ru->ignore[i])
				return -1;
			ru->nr_ignore++;
		}
	}
	ru->type_group = group_number(ru->re, "type");
	ru->msg_group = group_number(ru->re, "message");
	if (rc->nr_samples) {
		ru->samples = qe_xcalloc(rc->nr_samples, sizeof(*ru->samples));
		for (i = 0; i < rc->nr_samples; i++) {
			ru->samples[i].line =
			    qe_xstrdup(rc->samples[i].line ? rc->samples[i].line : "");
			ru->samples[i].matches = rc->samples[i].matches;
		}
		ru->nr_samples = rc->nr_samples;
	}
	return 0;
}

static int add_builtin_rule(struct qe_rules *r, const struct qe_builtin_rule *b)
{
	struct rule *ru = add_rule(r);
	enum qe_severity sev = QE_SEV_ERROR;
	size_t i;

	qe_severity_parse(b->severity, &sev);
	ru->name = qe_xstrdup(b->name);
	ru->kind = qe_xstrdup(b->kind);
	ru->severity = (int)sev;
	ru->severity_name = qe_xstrdup(b->severity);
	ru->lang = b->lang;
	ru->builtin = 1;
	for (i = 0; i < QE_ARRAY_SIZE(rule_gates); i++)
		if (!strcmp(rule_gates[i].rule, b->name))
			ru->gate = rule_gates[i].gate;
	ru->need = gate_words(ru->gate);
	ru->pattern = qe_xstrdup(b->pattern);
	ru->re = compile_only(b->pattern, 0, b->name, "pattern");
	if (!ru->re)
		return -1;
	first_bytes(ru->re, 0, ru->re_first);
	if (b->continuation) {
		ru->continuation = qe_xstrdup(b->continuation);
		ru->cont =
		    compile_only(b->continuation, 0, b->name, "continuation pattern");
		if (!ru->cont)
			return -1;
		first_bytes(ru->cont, 0, ru->cont_first);
	}
	{
		/* a name used by several alternatives is "not unique", still there */
		int g = pcre2_substring_nametable_scan(ru->re, (PCRE2_SPTR) "lvl", NULL,
						       NULL);
		ru->has_lvl = g > 0 || g == PCRE2_ERROR_NOUNIQUESUBSTRING;
	}
	ru->samples = qe_xcalloc(b->nr_samples ? b->nr_samples : 1, sizeof(*ru->samples));
	for (i = 0; i < b->nr_samples; i++) {
		ru->samples[i].line = qe_xstrdup(b->samples[i].line);
		ru->samples[i].matches = b->samples[i].matches;
	}
	ru->nr_samples = b->nr_samples;
	if (b->lang != QE_LANG_USER && b->lang != QE_LANG_LINE &&
	    r->lang_rule[b->lang] == (size_t)-1)
		r->lang_rule[b->lang] = r->nr - 1;
	return 0;
}

struct qe_rules *qe_rules_new(const struct qe_config *c)
{
	struct qe_rules *r = qe_xcalloc(1, sizeof(*r));
	long limit = c->match_limit > 0 ? c->match_limit : DEFAULT_MATCH_LIMIT;
	size_t i;

	for (i = 0; i < QE_ARRAY_SIZE(r->lang_rule); i++)
		r->lang_rule[i] = (size_t)-1;
	if (!pair_ready)
		pair_init();
	r->mctx = pcre2_match_context_create(NULL);
	if (!r->mctx)
		goto fail_alloc;
	pcre2_set_match_limit(r->mctx, (uint32_t)limit);
	pcre2_set_depth_limit(r->mctx, (uint32_t)limit);
	r->jit_stack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (r->jit_stack)
		pcre2_jit_stack_assign(r->mctx, NULL, r->jit_stack);
	/* Enough room for any rule's groups; ovector grows if a user rule has more. */
	r->md = pcre2_match_data_create(32, NULL);
	if (!r->md)
		goto fail_alloc;

	if (c->nr_ignore)
		r->ignore = qe_xcalloc(c->nr_ignore, sizeof(*r->ignore));
	for (i = 0; i < c->nr_ignore; i++) {
		r->ignore[i] = compile(c->ignore[i], 1, NULL, "ignore pattern");
		if (!r->ignore[i])
			goto fail;
		r->nr_ignore++;
	}
	for (i = 0; i < c->nr_rules; i++)
		if (add_user_rule(r, &c->rules[i]) < 0)
			goto fail;
	r->nr_user = r->nr;
	if (c->builtin_rules)
		for (i = 0; i < qe_nr_builtin_rules; i++)
			if (add_builtin_rule(r, &qe_builtin_rules[i]) < 0)
				goto fail;
	return r;

fail_alloc:
	qe_error("cannot allocate the rule set");
fail:
	qe_rules_free(r);
	return NULL;
}

static void rule_release(struct rule *ru)
{
	size_t i;
	free(ru->name);
	free(ru->kind);
	free(ru->severity_name);
	free(ru->pattern);
	free(ru->continuation);
	pcre2_code_free(ru->re);
	pcre2_code_free(ru->cont);
	for (i = 0; i < ru->nr_ignore; i++)
		pcre2_code_free(ru->ignore[i]);
	free(ru->ignore);
	for (i = 0; i < ru->nr_samples; i++)
		free(ru->samples[i].line);
	free(ru->samples);
}

void qe_rules_free(struct qe_rules *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->nr; i++)
		rule_release(&r->rules[i]);
	free(r->rules);
	for (i = 0; i < r->nr_ignore; i++)
		pcre2_code_free(r->ignore[i]);
	free(r->ignore);
	pcre2_match_data_free(r->md);
	pcre2_jit_stack_free(r->jit_stack);
#ifdef QE_HAVE_HS
	if (r->hs_scratch)
		hs_free_scratch(r->hs_scratch);
#endif
	pcre2_match_context_free(r->mctx);
	free(r);
}

size_t qe_rules_count(const struct qe_rules *r)
{
	return r->nr;
}

void qe_rules_info(const struct qe_rules *r, size_t i, struct qe_rule_info *out)
{
	const struct rule *ru = &r->rules[i];
	out->name = ru->name;
	out->kind = ru->kind;
	out->severity = ru->severity_name;
	out->pattern = ru->pattern;
	out->continuation = ru->continuation;
	out->builtin = ru->builtin;
	out->nr_samples = ru->nr_samples;
	out->hits = ru->hits;
	out->time_ns = ru->time_ns;
}

size_t qe_rules_lang_rule(const struct qe_rules *r, enum qe_rule_lang lang)
{
	if ((size_t)lang >= QE_ARRAY_SIZE(r->lang_rule))
		return (size_t)-1;
	return r->lang_rule[lang];
}

/* Match errors (match limit, depth limit) count as "no match": a runaway
 * pattern must not stop the agent. */
static int match(struct qe_rules *r, const pcre2_code *re, const char *line, size_t len)
{
	return pcre2_match(re, (PCRE2_SPTR)line, len, 0, 0, r->md, r->mctx) > 0;
}

static int ignored(struct qe_rules *r, pcre2_code *const *ign, size_t n, const char *line,
		   size_t len)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (match(r, ign[i], line, len))
			return 1;
	return 0;
}

/* Severity named by a level token, or -1 when the level is not an error. */
static int level_severity(const char *s, size_t n)
{
	static const struct {
		const char *word;
		enum qe_severity sev;
	} words[] = {
	    {"error", QE_SEV_ERROR},	   {"err", QE_SEV_ERROR},
	    {"erro", QE_SEV_ERROR}, /* slog-term's four-letter levels */
	    {"e", QE_SEV_ERROR},	   {"severe", QE_SEV_ERROR},
	    {"critical", QE_SEV_CRITICAL}, {"crit", QE_SEV_CRITICAL},
	    {"fatal", QE_SEV_FATAL},	   {"f", QE_SEV_FATAL},
	    {"emerg", QE_SEV_FATAL},	   {"emergency", QE_SEV_FATAL},
	    {"alert", QE_SEV_FATAL},	   {"panic", QE_SEV_FATAL},
	};
	size_t i;

	if (n && s[0] >= '0' && s[0] <= '9') {
		/* syslog PRI: facility * 8 + severity (0 emerg .. 7 debug) */
		long pri = strtol(s, NULL, 10);
		switch (pri % 8) {
		case 0:
		case 1:
			return QE_SEV_FATAL;
		case 2:
			return QE_SEV_CRITICAL;
		case 3:
			return QE_SEV_ERROR;
		default:
			return -1;
		}
	}
	for (i = 0; i < QE_ARRAY_SIZE(words); i++)
		if (strlen(words[i].word) == n && !strncasecmp(words[i].word, s, n))
			return (int)words[i].sev;
	return -1;
}

static void group_span(struct qe_rules *r, int g, size_t *off, size_t *len)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	*off = *len = 0;
	if (g <= 0 || (uint32_t)g >= pcre2_get_ovector_count(r->md))
		return;
	if (ov[2 * g] == PCRE2_UNSET)
		return;
	*off = ov[2 * g];
	*len = ov[2 * g + 1] - ov[2 * g];
}

/* Does rule i start an event on line?  Fills m when m is not NULL. */
static int try_rule(struct qe_rules *r, size_t i, const char *line, size_t len,
		    struct qe_rule_match *m, int account, unsigned *words)
{
	struct rule *ru = &r->rules[i];
	uint64_t t0;
	int sev = ru->severity, ok = 0;

	account = account && r->timing;
	t0 = account ? now_ns() : 0;

	if (ru->gate) {
		if (!(*words & W_SCANNED))
			*words = scan_words(line, len);
		if (!(*words & ru->need))
			goto out;
	}
	if (!may_start(ru->re_first, line, len))
		goto out;
	if (!ru->re_jit) {
		jit(ru->re, &ru->re_jit);
		t0 = account ? now_ns() : 0; /* `rules test` times matches */
	}
	if (!match(r, ru->re, line, len))
		goto out;
	if (ru->has_lvl) {
		PCRE2_UCHAR lvl[16];
		PCRE2_SIZE n = sizeof(lvl);
		if (pcre2_substring_copy_byname(r->md, (PCRE2_SPTR) "lvl", lvl, &n) < 0)
			goto out;
		sev = level_severity((const char *)lvl, n);
		if (sev < 0)
			goto out;
	}
	if (m) {
		m->rule = i;
		m->lang = ru->lang;
		m->severity = sev;
		m->name = ru->name;
		m->kind = ru->kind;
		group_span(r, ru->type_group, &m->type_off, &m->type_len);
		group_span(r, ru->msg_group, &m->msg_off, &m->msg_len);
	}
	if (ru->nr_ignore && ignored(r, ru->ignore, ru->nr_ignore, line, len))
		goto out;
	ok = 1;
out:
	if (account)
		ru->time_ns += now_ns() - t0;
	return ok;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline int lc(unsigned char c)
{
	return c | 0x20;
}

/* Case-insensitive compare of the ASCII letters in w against p[0..]. */
static inline int at_word(const char *p, const char *end, const char *w)
{
	for (; *w; w++, p++)
		if (p >= end || lc((unsigned char)*p) != *w)
			return 0;
	return 1;
}

/*
 * The prefilter: one pass over the line looking for the trigger words of
 * the built-in pack (err, xcept, fatal, crit, severe, emerg, alert, panic,
 * traceback, throwable, ".rb:", "assertion ", Perl's " line N" at the
 * end, Tcl's "while executing", a Go file's ".go:N") and the line-start forms (glog
 * "E0101", also behind a collector's time, syslog "<3>").  A byte table picks candidate
 * positions so the common bytes cost one load and one test.
 */
enum { T_E = 1, T_X, T_F, T_C, T_S, T_A, T_P, T_T, T_DOT, T_SP, T_W };

static const unsigned char trigger[256] = {
    ['E'] = T_E, ['e'] = T_E,	['X'] = T_X,  ['x'] = T_X, ['F'] = T_F,
    ['f'] = T_F, ['C'] = T_C,	['c'] = T_C,  ['S'] = T_S, ['s'] = T_S,
    ['A'] = T_A, ['a'] = T_A,	['P'] = T_P,  ['p'] = T_P, ['T'] = T_T,
    ['t'] = T_T, ['.'] = T_DOT, [' '] = T_SP, ['W'] = T_W, ['w'] = T_W,
};

/* Does a trigger word start at p?  p + 3 <= end. */
static int trigger_at(const char *p, const char *end)
{
	switch (trigger[(unsigned char)*p]) {
	case 0:
		break;
	case T_E:
		/* err..., emerg */
		if (lc((unsigned char)p[1]) == 'r' && lc((unsigned char)p[2]) == 'r')
			return 1;
		if (at_word(p + 1, end, "merg"))
			return 1;
		break;
	case T_X:
		if (at_word(p + 1, end, "cept"))
			return 1;
		break;
	case T_F:
		if (at_word(p + 1, end, "atal"))
			return 1;
		break;
	case T_C:
		if (at_word(p + 1, end, "rit"))
			return 1;
		break;
	case T_S:
		if (at_word(p + 1, end, "evere"))
			return 1;
		break;
	case T_A:
		if (at_word(p + 1, end, "lert") || at_word(p + 1, end, "ssertion "))
			return 1;
		break;
	case T_P:
		if (at_word(p + 1, end, "anic"))
			return 1;
		break;
	case T_T:
		if (at_word(p + 1, end, "raceback") || at_word(p + 1, end, "hrowable"))
			return 1;
		break;
	case T_DOT:
		if (p[1] == 'r' && p[2] == 'b' && p + 3 < end && p[3] == ':')
			return 1;
		/* a Go frame's file at the end of its line: pkg/errors'
		 * stack has no other word */
		if (p[1] == 'g' && go_file_end(p, end))
			return 1;
		break;
	case T_W:
		/* Tcl's trace under its message */
		if (at_word(p + 1, end, "hile executing") ||
		    at_word(p + 1, end, "hile compiling"))
			return 1;
		break;
	case T_SP:
		/* Perl's " at FILE line N." */
		if (perl_line(p, end))
			return 1;
		break;
	}
	return 0;
}

/* The exact check of the words that start in a short window [p, to) of a
 * line that ends at end, once the trigram scan saw a hint. */
static int prefilter_exact(const char *p, const char *to, const char *end)
{
	for (; p < to && p + 3 <= end; p++)
		if (trigger_at(p, end))
			return 1;
	return 0;
}

/*
 * Trigrams that hint at a trigger word, folded to 5 bits per byte so that
 * case does not matter.  Each trigger contributes two overlapping
 * trigrams (a four-byte window: "err"+"rr?", "xce"+"cep", "fat"+"ata",
 * "cri"+"rit", "sev"+"eve", "mer"+"erg", "ale"+"ler", "ani"+"nic",
 * "ceb"+"eba", "wab"+"abl", ".rb"+"rb:", "ine"+"ne ", "ert"+"rti", "whi"+"hil",
 * ".go"+"go:"), so that one of them starts at an even offset: the scan then looks at
 * every other position only.  A hit is confirmed by the exact check around it.
 */
static uint32_t trigram_bits[1024]; /* 2^15 bits */
static int trigram_ready;

static unsigned fold3(const char *t)
{
	return ((unsigned)(t[0] & 31) << 10) | ((unsigned)(t[1] & 31) << 5) |
	       (unsigned)(t[2] & 31);
}

static void trigram_set(unsigned k)
{
	trigram_bits[k >> 5] |= 1u << (k & 31);
}

static void trigram_init(void)
{
	static const char *const hints[] = {
	    "err", "xce", "cep", "fat", "ata", "cri", "rit", "sev", "eve", "mer",
	    "erg", "ale", "ler", "ani", "nic", "ceb", "eba", "wab", "abl", ".rb",
	    "rb:", "ine", "ne ", "ert", "rti", "whi", "hil", ".go", "go:"};
	size_t i;
	unsigned c;
	for (i = 0; i < QE_ARRAY_SIZE(hints); i++)
		trigram_set(fold3(hints[i]));
	/* "err" is a whole trigger (ERR, error): its partner is "rr" + any byte */
	for (c = 0; c < 32; c++)
		trigram_set(((unsigned)('r' & 31) << 10) | ((unsigned)('r' & 31) << 5) |
			    c);
	/* qe_rules_scan(): a newline and the first byte of a line-start form,
	 * either as the first two bytes of a trigram or as the last two */
	for (c = 0; c < 32; c++) {
		static const char starts[] = "<EF/f";
		size_t k;
		for (k = 0; k < sizeof(starts) - 1; k++) {
			unsigned b = (unsigned)(starts[k] & 31);
			trigram_set(((unsigned)('\n' & 31) << 10) | (b << 5) | c);
			trigram_set((c << 10) | ((unsigned)('\n' & 31) << 5) | b);
		}
	}
	/* glog's header behind a collector's prefix (prefilter_start()): " E0",
	 * " E1", " F0", " F1" and, for the odd offsets, the same letters and
	 * digits with the next digit */
	for (c = 0; c < 2; c++) {
		unsigned e = 'E' & 31, f = 'F' & 31, m = ('0' + c) & 31, d;
		trigram_set((e << 5) | m);
		trigram_set((f << 5) | m);
		for (d = '0'; d <= '9'; d++) {
			trigram_set((e << 10) | (m << 5) | (d & 31));
			trigram_set((f << 10) | (m << 5) | (d & 31));
		}
	}
	trigram_ready = 1;
}

static int trigram_hit(const unsigned char *p)
{
	unsigned h = ((unsigned)(p[0] & 31) << 10) | ((unsigned)(p[1] & 31) << 5) |
		     (unsigned)(p[2] & 31);
	return (trigram_bits[h >> 5] >> (h & 31)) & 1;
}

static int confirm(const char *line, size_t len, size_t at)
{
	/* the trigger word starts at most 8 bytes before the trigram */
	size_t from = at >= 8 ? at - 8 : 0;
	size_t to = at + 12 < len ? at + 12 : len;
	return prefilter_exact(line + from, line + to, line + len);
}

/* glog's header "E0101 " at p: a level letter, the month (0 or 1 first)
 * and day, a blank; p + 6 <= end. */
static int glog_head(const char *p)
{
	return (p[0] == 'E' || p[0] == 'F') && (p[1] == '0' || p[1] == '1') &&
	       is_digit(p[2]) && is_digit(p[3]) && is_digit(p[4]) && p[5] == ' ';
}

/* How far into a line a collector's prefix may reach: a timestamp, a
 * syslog host and tag, CRI's stream and flag. */
#define BEHIND_MAX 128

/* The start of a collector's timestamp: RFC 3339's "2026-12-01T" (kubectl
 * logs --timestamps, CRI, journald's short-iso) or syslog's "Dec  1 ". */
static int stamp_start(const char *s, size_t n)
{
	if (is_digit(s[0]))
		return s[4] == '-' && s[7] == '-' && s[10] == 'T' && is_digit(s[3]);
	return s[0] >= 'A' && s[0] <= 'Z' && s[3] == ' ' &&
	       (s[4] == ' ' || is_digit(s[4])) && is_digit(s[5]);
}

/*
 * The line-start forms of the prefilter: syslog "<3>", glog "E0101"; and
 * glog's header behind the prefix a collector puts before each line
 * (kubectl, CRI, a syslog daemon; the assembler reads it after
 * qe_trace_prefix()), loosely: after one of the first six blanks, in
 * the first BEHIND_MAX bytes of a line that starts with a timestamp.
 */
static int prefilter_start(const char *line, size_t len)
{
	const char *p, *end;
	int words = 0;

	if (len >= 2 && line[0] == '<' && is_digit(line[1]))
		return 1;
	if (len >= 5 && (line[0] == 'E' || line[0] == 'F') && is_digit(line[1]))
		return 1;
	if (len < 24 || !stamp_start(line, len))
		return 0;
	end = line + (len < BEHIND_MAX ? len : BEHIND_MAX);
	for (p = line; words++ < 6 && (p = memchr(p, ' ', (size_t)(end - p))) &&
		       line + len - ++p >= 6;)
		if (glog_head(p))
			return 1;
	return 0;
}

int qe_rules_prefilter(const char *line, size_t len)
{
	const unsigned char *p = (const unsigned char *)line;
	size_t i;

	if (prefilter_start(line, len))
		return 1;
	if (len < 3)
		return 0;
	if (!trigram_ready)
		trigram_init();
	/* Every other position: a trigger's window has a hinted trigram at
	 * an even offset, except one whose first trigram is the line's last
	 * three bytes at an odd offset, checked after the loop. */
	for (i = 0; i + 3 <= len; i += 2)
		if (trigram_hit(p + i) && confirm(line, len, i))
			return 1;
	if ((len - 3) % 2 && trigram_hit(p + len - 3) && confirm(line, len, len - 3))
		return 1;
	return 0;
}

/* A line that starts with a form the line prefilter or the assembler
 * looks at only at a line start (a superset of both). */
static int start_form(const char *p, const char *end)
{
	unsigned char c = (unsigned char)p[0];
	if (c == '/' || c == 'f')
		return 1;
	return (c == '<' || c == 'E' || c == 'F') && p + 1 < end && p[1] >= '0' &&
	       p[1] <= '9';
}

/* Whether the line at ls (whole lines up to end) is the one a scan is
 * after: it is, unless text says it changes nothing. */
static int text_takes(const struct qe_scan_text *text, const char *ls, const char *end)
{
	const char *le;
	if (!text)
		return 1;
	if (!(le = memchr(ls, '\n', (size_t)(end - ls))))
		le = end;
	return text->take(ls, (size_t)(le - ls), text->data);
}

/* A line whose first byte after blanks is '{': the decoder may read it
 * as a JSON record. */
static int json_line(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p < end && *p == '{';
}

#ifdef QE_HAVE_HS
/*
 * The same trigger words and line-start forms as one Vectorscan
 * (Hyperscan) database: its literal matcher looks at 16 or 32 bytes at a
 * time.  Built once per process; when it cannot be built the trigram scan
 * below does the work.  Only literals: they build fast, and a short
 * pattern with a character class can miss matches at some offsets
 * (Vectorscan 5.4.9: "\\[a-z]" alone, or "\\[^\"\\]" among these), so
 * every class is spelled out.
 *
 * The same database holds the tests for JSON records (see rules.h), which
 * count only on a line that starts with '{': the escapes, and key names
 * followed by their closing quote, whose value is then looked at here.
 * The keys follow lib/decode.c (level_keys, the last components of
 * exception_keys without a trigger word, message_keys); a configured key
 * is added by its last component (the decoder reads "a.b" as the key
 * "a.b" or as "b" inside "a"), so one database per set of configured
 * keys.
 */
/* no more than half the smallest useful read buffer: a catch-up with
 * tail.read_buffer_bytes of 64 KiB offers the scan a little less than
 * that, and would never build the database */
#define HS_MIN_BLOCK 16384
#define HS_DBS 4

/* HS_DIGIT: a line start that counts when a digit follows; HS_BEHIND:
 * glog's header when its line passes prefilter_start() */
/* HS_CONFIRM: a literal that is only part of a trigger, confirmed by
 * trigger_at() around it (Perl's " line N", a Go file's ".go:N", each at
 * the end of its line; Tcl's "while executing", "while compiling") */
/* HS_FILE_LINE: a line that starts with a tab and a path ("\t/app/main.go:17",
 * a frame's file), a candidate when its end is a trigger: ".go:" is too
 * common a literal (klog's "main.go:42]") */
enum {
	HS_TEXT,
	HS_DIGIT,
	HS_BEHIND,
	HS_CONFIRM,
	HS_FILE_LINE,
	HS_ESCAPE,
	HS_LEVEL,
	HS_EXC,
	HS_MSG
};

static const char *const hs_words[] = {
    "err",   "emerg", "xcept",	   "fatal",	"crit", "severe",
    "alert", "panic", "traceback", "throwable", ".rb:", "assertion ",
};
/* (Every literal counts: one more than these, and the scan of the
 * database built from them takes a third longer, Vectorscan 5.4.9.) */
static const char *const hs_confirm_words[] = {" line ", "while "};
/* A name that ends another is left out ("loglevel", "log_level" end in
 * "level", "short_message" in "message"): hs_on_match() goes back over
 * the whole name. */
/* "levelname" and "level_name" end in "name": a key that only ends so
 * is taken too, its value tells */
static const char *const hs_level_keys[] = {"level", "lvl", "severity", "@l", "name"};
/* "stack_trace", "stacktrace" and "backtrace" end in "trace": a key that
 * only ends so is taken too, as the scan without Vectorscan takes it */
static const char *const hs_exc_keys[] = {"stack", "trace", "exc_info", "exc_text", "@x"};
static const char *const hs_msg_keys[] = {"msg",   "message",	  "@m",
					  "event", "textPayload", "@mt"};

static struct hs_db {
	char *keys[3]; /* the configured keys it was built for (NULL: none) */
	hs_database_t *db;
} hs_dbs[HS_DBS];
static size_t hs_nr_dbs;

struct hs_pats {
	char **pat;
	unsigned *flags, *ids;
	size_t nr, alloc;
};

/* One literal, as \xHH for every byte; id is its kind. */
static void hs_add(struct hs_pats *p, const char *lit, size_t len, unsigned flags,
		   unsigned kind)
{
	struct qe_buf b = QE_BUF_INIT;
	size_t i;
	if (p->nr == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 64;
		p->pat = qe_xrealloc(p->pat, p->alloc * sizeof(*p->pat));
		p->flags = qe_xrealloc(p->flags, p->alloc * sizeof(*p->flags));
		p->ids = qe_xrealloc(p->ids, p->alloc * sizeof(*p->ids));
	}
	for (i = 0; i < len; i++)
		qe_buf_addf(&b, "\\x%02x", (unsigned char)lit[i]);
	p->pat[p->nr] = qe_buf_detach(&b);
	p->flags[p->nr] = flags;
	p->ids[p->nr] = kind;
	p->nr++;
}

/* A key name followed by its closing quote.  A name shorter than three
 * bytes goes with the byte before it too, '"' or (a configured dotted
 * path) '.': a short literal slows the whole scan down. */
static void hs_add_key(struct hs_pats *p, const char *k, unsigned kind, int dotted)
{
	struct qe_buf b = QE_BUF_INIT;
	const char *dot = strrchr(k, '.');
	k = dot ? dot + 1 : k;
	if (strlen(k) >= 3) {
		qe_buf_addf(&b, "%s\"", k);
		hs_add(p, b.buf, b.len, 0, kind);
	} else {
		qe_buf_addf(&b, "\"%s\"", k);
		hs_add(p, b.buf, b.len, 0, kind);
		if (dotted) {
			b.buf[0] = '.';
			hs_add(p, b.buf, b.len, 0, kind);
		}
	}
	qe_buf_release(&b);
}

static hs_database_t *hs_build(const struct qe_scan_json *j)
{
	/* \u can hide a word, \n makes a message a trace; the others
	 * (\" \\ \/ \b \f \r \t) make no letter and no line (\/ at the
	 * start of a message is looked at with it) */
	static const char escapes[] = "un";
	struct hs_pats p = {NULL, NULL, NULL, 0, 0};
	hs_compile_error_t *err = NULL;
	hs_database_t *db = NULL;
	char lit[2];
	size_t i;

	/* the words in any case; the line starts exactly, matched after
	 * their newline (the first line of a block is looked at by the
	 * caller).  Every match is reported: one on a JSON line may not
	 * count (hs_on_match). */
	for (i = 0; i < QE_ARRAY_SIZE(hs_words); i++)
		hs_add(&p, hs_words[i], strlen(hs_words[i]),
		       hs_words[i][0] == '.' ? 0 : HS_FLAG_CASELESS, HS_TEXT);
	for (i = 0; i < QE_ARRAY_SIZE(hs_confirm_words); i++)
		hs_add(&p, hs_confirm_words[i], strlen(hs_confirm_words[i]),
		       HS_FLAG_CASELESS, HS_CONFIRM);
	hs_add(&p, "\n\t/", 3, 0, HS_FILE_LINE);
	hs_add(&p, "\n<", 2, 0, HS_DIGIT);
	hs_add(&p, "\nE", 2, 0, HS_DIGIT);
	hs_add(&p, "\nF", 2, 0, HS_DIGIT);
	hs_add(&p, "\n/", 2, 0, HS_TEXT);
	hs_add(&p, "\nf", 2, 0, HS_TEXT);
	/* two bytes, not " E0", " E1", ...: each literal costs the build
	 * about as much as the scan of 100 KB */
	hs_add(&p, " E", 2, 0, HS_BEHIND);
	hs_add(&p, " F", 2, 0, HS_BEHIND);
	for (i = 0; escapes[i]; i++) {
		lit[0] = '\\', lit[1] = escapes[i];
		hs_add(&p, lit, 2, 0, HS_ESCAPE);
	}
	for (i = 0; i < QE_ARRAY_SIZE(hs_level_keys); i++)
		hs_add_key(&p, hs_level_keys[i], HS_LEVEL, 0);
	for (i = 0; i < QE_ARRAY_SIZE(hs_exc_keys); i++)
		hs_add_key(&p, hs_exc_keys[i], HS_EXC, 0);
	for (i = 0; i < QE_ARRAY_SIZE(hs_msg_keys); i++)
		hs_add_key(&p, hs_msg_keys[i], HS_MSG, 0);
	if (j->level)
		hs_add_key(&p, j->level, HS_LEVEL, 1);
	if (j->exception)
		hs_add_key(&p, j->exception, HS_EXC, 1);
	if (j->message)
		hs_add_key(&p, j->message, HS_MSG, 1);

	if (hs_compile_multi((const char *const *)p.pat, p.flags, p.ids, (unsigned)p.nr,
			     HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
		hs_free_compile_error(err);
		db = NULL;
	}
	for (i = 0; i < p.nr; i++)
		free(p.pat[i]);
	free(p.pat);
	free(p.flags);
	free(p.ids);
	return db;
}

static int same_key(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The database for j's configured keys, its slot in *slot; NULL when it
 * cannot be built or HS_DBS other sets took the slots. */
static hs_database_t *hs_database(const struct qe_scan_json *j, size_t *slot)
{
	static const struct qe_scan_json none;
	size_t i;

	if (!j)
		j = &none;
	for (i = 0; i < hs_nr_dbs; i++)
		if (same_key(hs_dbs[i].keys[0], j->level) &&
		    same_key(hs_dbs[i].keys[1], j->message) &&
		    same_key(hs_dbs[i].keys[2], j->exception))
			break;
	if (i == hs_nr_dbs) {
		if (hs_nr_dbs == HS_DBS ||
		    (hs_nr_dbs == 0 && hs_valid_platform() != HS_SUCCESS))
			return NULL;
		/* a set that fails to build keeps its slot (db NULL): it is
		 * not tried again */
		hs_dbs[i].keys[0] = j->level ? qe_xstrdup(j->level) : NULL;
		hs_dbs[i].keys[1] = j->message ? qe_xstrdup(j->message) : NULL;
		hs_dbs[i].keys[2] = j->exception ? qe_xstrdup(j->exception) : NULL;
		hs_dbs[i].db = hs_build(j);
		hs_nr_dbs++;
	}
	*slot = i;
	return hs_dbs[i].db;
}

/*
 * A level value the decoder may read as error or above: 0-3, 50-99 or 400-600
 * with any leading zeros and a zero fraction, quoted or not; a negative
 * number; a number or string with an exponent or a hex prefix (strtod()
 * reads those).  v is the value's first byte, end the line's end.
 */
static int level_value(const char *v, const char *end)
{
	const char *q = v, *d;
	unsigned n = 0;
	size_t nd = 0, zeros = 0;

	if (q < end && *q == '-')
		return 1;
	if (q < end && *q == '"')
		q++;
	if (q >= end || !is_digit(*q))
		return 0;
	for (d = q; d < end && *d != '"' && *d != '\n'; d++)
		if (*d == 'e' || *d == 'E' || *d == 'x' || *d == 'X' || *d == 'p' ||
		    *d == 'P')
			return 1;
	while (q < end && *q == '0')
		q++, zeros++;
	while (q < end && is_digit(*q) && nd < 4)
		n = n * 10 + (unsigned)(*q++ - '0'), nd++;
	if (!nd && !zeros)
		return 0;
	if (!(n <= 3 || (n >= 50 && n < 100) || (n >= 400 && n <= 600)))
		return 0;
	if (q < end && *q == '.')
		for (q++; q < end && *q == '0'; q++)
			;
	return q < end && !is_digit(*q) && *q != '.' && *q != 'e' && *q != 'E';
}

/* Whether a JSON test's match, the key that ends at p (its closing quote
 * included), makes the line a candidate; key is the byte before the
 * name, end the end of the block (nothing past a '\n' is looked at). */
static int json_key_hit(unsigned kind, const char *key, const char *p, const char *end)
{
	const char *v = p;
	if (*key != '"' && *key != '.')
		return 0; /* the name is the tail of another */
	while (v < end && (*v == ' ' || *v == '\t' || *v == '\r'))
		v++;
	if (v >= end || *v != ':')
		return 0;
	if (kind == HS_EXC)
		return 1;
	for (v++; v < end && (*v == ' ' || *v == '\t' || *v == '\r'); v++)
		;
	if (kind == HS_LEVEL)
		return level_value(v, end);
	/* a message that starts with a line-start form */
	if (v + 2 >= end || *v != '"' || v[1] == '\n')
		return 0;
	if (v[1] == '\\' && v[2] == '/')
		return 1;
	return v[1] == '/' || v[1] == 'f' ||
	       ((v[1] == '<' || v[1] == 'E' || v[1] == 'F') && is_digit(v[2]));
}

struct hs_ctx {
	const char *buf;
	size_t n;
	const struct qe_scan_json *json; /* NULL: every line is text */
	const struct qe_scan_text *text; /* NULL: a text line with a match is taken */
	unsigned long long to;		 /* the end of the match that stopped the scan */
	unsigned long long line;	 /* start of the line of the last match */
	int line_json;	/* ... 1 when it starts with '{', 0 not; -1: none yet */
	int line_quick; /* ... 1 when the decoder reads it as a quick record */
	int line_take;	/* ... text_takes() of it; -1: not asked yet */
};

/* The line of a match that ends at to (matches come in order of their
 * end: one on the line of the previous one needs no second look). */
static void hs_line(struct hs_ctx *c, unsigned long long to)
{
	const char *q;
	if (to - 1 < c->line)
		c->line = 0, c->line_json = -1;
	q = memrchr(c->buf + c->line, '\n', (size_t)(to - 1 - c->line));
	if (q || c->line_json < 0) {
		const char *ls = q ? q + 1 : c->buf + c->line;
		c->line = (unsigned long long)(ls - c->buf);
		c->line_json = json_line(ls, c->buf + to);
		c->line_quick = -1;
		c->line_take = -1;
	}
}

static int hs_on_match(unsigned id, unsigned long long from, unsigned long long to,
		       unsigned flags, void *ctx)
{
	struct hs_ctx *c = ctx;
	const char *ls, *le, *at = c->buf + to, *end = c->buf + c->n, *k;

	if (id == HS_DIGIT) {
		if (at >= end || *at < '0' || *at > '9')
			return 0;
		id = HS_TEXT;
	}
	if (id == HS_CONFIRM) {
		/* the word starts at most 6 bytes before the literal's end,
		 * and its line's end says whether it is one */
		const char *w = at - c->buf >= 6 ? at - 6 : c->buf;
		if (!(le = memchr(at, '\n', (size_t)(end - at))))
			le = end;
		if ((k = memrchr(w, '\n', (size_t)(at - w))))
			w = k + 1;
		if (!prefilter_exact(w, at, le))
			return 0;
		id = HS_TEXT;
	}
	if (id == HS_FILE_LINE) {
		const char *w;
		if (!(le = memchr(at, '\n', (size_t)(end - at))))
			le = end;
		w = le - at > 16 ? le - 16 : at;
		if (!prefilter_exact(w, le, le))
			return 0;
		id = HS_TEXT;
	}
	if (id == HS_BEHIND) {
		const char *q;
		if (end - at < 5 || !glog_head(at - 1))
			return 0;
		q = memrchr(c->buf, '\n', (size_t)(at - c->buf));
		ls = q ? q + 1 : c->buf;
		if (!(le = memchr(at, '\n', (size_t)(end - at))))
			le = end;
		if (!prefilter_start(ls, (size_t)(le - ls)))
			return 0;
		id = HS_TEXT;
	}
	if (id > HS_ESCAPE) {
		/* a key: its value first, which passes most of them (a level
		 * of info, a message of words); back over the name to the
		 * byte before it */
		if (!c->json)
			return 0;
		for (k = at - 2; k > c->buf && k[0] != '"' && k[0] != '.'; k--)
			;
		if (!json_key_hit(id, k, at, end))
			return 0;
	}
	if (c->json || c->text)
		hs_line(c, to);
	if (!c->json || !c->line_json) {
		if (id != HS_TEXT)
			return 0; /* the JSON tests count on JSON lines only */
		/* a line is asked about once, at its first match */
		if (c->text && c->line_take < 0)
			c->line_take = text_takes(c->text, c->buf + c->line, end);
		if (c->text && !c->line_take)
			return 0;
		c->to = to;
		return 1; /* the first one is enough */
	}
	if (c->line_quick == 1)
		return 0;
	ls = c->buf + c->line;
	/* a record of a level below error with no exception key is read by
	 * the decoder's quick scan: no event, nothing for the rules, whatever
	 * its words */
	if (c->line_quick < 0 && c->json->quick) {
		size_t len;
		if (!(le = memchr(at, '\n', (size_t)(end - at))))
			le = end;
		len = (size_t)(le - ls);
		if (len && ls[len - 1] == '\r')
			len--;
		c->line_quick = c->json->quick(ls, len, c->json->data);
	}
	if (c->line_quick == 1)
		return 0;
	c->to = to;
	return 1;
}

/* Offset of the first line with a trigger, n when none, or (size_t)-1
 * when the scan failed (then the trigram scan runs). */
static size_t hs_first_line(struct qe_rules *r, hs_database_t *db, const char *buf,
			    size_t n, const struct qe_scan_json *json,
			    const struct qe_scan_text *text)
{
	struct hs_ctx c = {buf, n, json, text, 0, 0, -1, -1, -1};
	const char *q;
	hs_error_t e;

	if (n > 0x7fffffffu)
		return (size_t)-1;
	/* the first line's start form has no newline before it to match,
	 * nor a frame's file ("\t/app/main.go:17", HS_FILE_LINE) */
	if (start_form(buf, buf + n) ||
	    (n > 1 && buf[0] == '\t' && buf[1] == '/' &&
	     qe_rules_prefilter(buf,
				(q = memchr(buf, '\n', n)) ? (size_t)(q - buf) : n))) {
		if (text_takes(text, buf, buf + n))
			return 0;
		c.line_json = 0; /* known: passed */
		c.line_take = 0;
	}
	e = hs_scan(db, buf, (unsigned)n, 0, r->hs_scratch, hs_on_match, &c);
	if (e == HS_SUCCESS)
		return n;
	if (e != HS_SCAN_TERMINATED || !c.to)
		return (size_t)-1;
	/* the match ends in the line we want: back to its start */
	q = memrchr(buf, '\n', (size_t)c.to - 1);
	return q ? (size_t)(q + 1 - buf) : 0;
}

/* The Vectorscan scan of buf, or (size_t)-1 when it cannot run. */
static size_t hs_scan_block(struct qe_rules *r, const char *buf, size_t n,
			    const struct qe_scan_json *json,
			    const struct qe_scan_text *text)
{
	size_t slot;
	hs_database_t *db;
	/* building the database costs a few milliseconds: only for the large
	 * reads of a catch-up, not for a few appended lines; once built it
	 * serves the short rest of a read as well */
	if ((n < HS_MIN_BLOCK && !r->hs_fit) || !(db = hs_database(json, &slot)))
		return (size_t)-1;
	/* one scratch space, grown for each database it is used with */
	if (!(r->hs_fit & (1u << slot))) {
		if (hs_alloc_scratch(db, &r->hs_scratch) != HS_SUCCESS)
			return (size_t)-1;
		r->hs_fit |= 1u << slot;
	}
	return hs_first_line(r, db, buf, n, json, text);
}
#endif

/* The first line in buf[0, n) that starts with '{' after blanks, or n. */
static size_t first_json_line(const char *buf, size_t n)
{
	const char *p = buf, *end = buf + n, *nl;
	while (p < end) {
		if (json_line(p, end))
			return (size_t)(p - buf);
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			break;
		p = nl + 1;
	}
	return n;
}

/* The end of the line at p (its '\n', or end). */
static const char *line_end(const char *p, const char *end)
{
	const char *le = memchr(p, '\n', (size_t)(end - p));
	return le ? le : end;
}

/* The offset of the line after the one at i, or n. */
static size_t next_line(const char *buf, size_t n, size_t i)
{
	const char *le = memchr(buf + i, '\n', n - i);
	return le ? (size_t)(le + 1 - buf) : n;
}

/* From the line start i on, pass the lines that start with a line-start
 * form and that text passes: the first line start that is none of them,
 * with *found set when the line there is the one found. */
static size_t pass_forms(const char *buf, size_t n, size_t i,
			 const struct qe_scan_text *text, int *found)
{
	while (i < n && start_form(buf + i, buf + n)) {
		if (text_takes(text, buf + i, buf + n)) {
			*found = 1;
			return i;
		}
		i = next_line(buf, n, i);
	}
	return i;
}

/* The trigram scan for text lines (see qe_rules_prefilter). */
static size_t trigram_scan(const char *buf, size_t n, const struct qe_scan_text *text)
{
	const unsigned char *u = (const unsigned char *)buf;
	const char *end = buf + n, *ls, *q;
	size_t i;
	int found = 0;

	if (!trigram_ready)
		trigram_init();
	if ((i = pass_forms(buf, n, 0, text, &found)), found)
		return i;
	/* The trigrams are laid out so that every other position is enough
	 * (see qe_rules_prefilter).  The line of a hit is looked at whole;
	 * when it turns out harmless it is passed, and the scan goes on at
	 * the next line, whose line-start form a newline in the trigram
	 * hinted at. */
	while (i + 3 <= n) {
		if (!trigram_hit(u + i)) {
			i += 2;
			continue;
		}
		q = memrchr(buf, '\n', i);
		ls = q ? q + 1 : buf;
		if (qe_rules_prefilter(ls, (size_t)(line_end(buf + i, end) - ls)) &&
		    text_takes(text, ls, end))
			return (size_t)(ls - buf);
		i = pass_forms(buf, n, next_line(buf, n, (size_t)(ls - buf)), text,
			       &found);
		if (found)
			return i;
	}
	return n;
}

size_t qe_rules_scan(struct qe_rules *r, const char *buf, size_t n,
		     const struct qe_scan_json *json, const struct qe_scan_text *text)
{
	size_t k, t, off;

	if (r->nr_user || !n)
		return 0; /* user rules look at every line */
#ifdef QE_HAVE_HS
	if ((k = hs_scan_block(r, buf, n, json, text)) != (size_t)-1)
		return k;
#endif
	if (!json)
		return trigram_scan(buf, n, text);
	/* the portable way: the trigram scan up to the next JSON line, which
	 * is passed when the decoder reads it as a quick record */
	for (off = 0;;) {
		const char *le;
		size_t len;
		k = off + first_json_line(buf + off, n - off);
		if (k > off && (t = off + trigram_scan(buf + off, k - off, text)) < k)
			return t;
		if (k == n || !json->quick)
			return k;
		le = memchr(buf + k, '\n', n - k);
		len = le ? (size_t)(le - (buf + k)) : n - k;
		if (len && buf[k + len - 1] == '\r')
			len--;
		if (!json->quick(buf + k, len, json->data))
			return k;
		if (!le)
			return n;
		off = (size_t)(le + 1 - buf);
	}
}

static int match_start(struct qe_rules *r, const char *line, size_t len,
		       struct qe_rule_match *m, int count)
{
	size_t i;
	unsigned words = 0;

	r->passed = 0;
	for (i = 0; i < r->nr; i++) {
		/* the prefilter and the gates' words in one pass */
		if (i == r->nr_user) {
			words = scan_words(line, len);
			if (!(words & W_TRIGGER) && !prefilter_start(line, len))
				return 0;
			r->passed = 1;
		}
		/* the built-in rules' cheap tests first, without a call */
		if (i >= r->nr_user &&
		    ((r->rules[i].gate && !(words & r->rules[i].need)) ||
		     !may_start(r->rules[i].re_first, line, len)))
			continue;
		if (!try_rule(r, i, line, len, m, 1, &words))
			continue;
		/* Global ignores run only on lines that matched something. */
		if (r->nr_ignore && ignored(r, r->ignore, r->nr_ignore, line, len))
			return 0;
		if (count)
			r->rules[i].hits++;
		return 1;
	}
	return 0;
}

int qe_rules_match_start(struct qe_rules *r, const char *line, size_t len,
			 struct qe_rule_match *m)
{
	return match_start(r, line, len, m, 1);
}

int qe_rules_peek_start(struct qe_rules *r, const char *line, size_t len,
			struct qe_rule_match *m)
{
	return match_start(r, line, len, m, 0);
}

void qe_rules_count_hit(struct qe_rules *r, size_t i)
{
	if (i < r->nr)
		r->rules[i].hits++;
}

int qe_rules_prefilter_passed(const struct qe_rules *r)
{
	return r->passed;
}

int qe_rules_match_cont(struct qe_rules *r, size_t i, const char *line, size_t len)
{
	if (i >= r->nr || !r->rules[i].cont)
		return 0;
	if (!may_start(r->rules[i].cont_first, line, len))
		return 0;
	jit(r->rules[i].cont, &r->rules[i].cont_jit);
	return match(r, r->rules[i].cont, line, len);
}

size_t qe_rules_check_samples(struct qe_rules *r, qe_sample_fn fn, void *data)
{
	size_t i, j, failures = 0;

	for (i = 0; i < r->nr; i++) {
		struct rule *ru = &r->rules[i];
		for (j = 0; j < ru->nr_samples; j++) {
			const char *line = ru->samples[j].line;
			size_t len = strlen(line);
			unsigned words = 0;
			int got = try_rule(r, i, line, len, NULL, 0, &words);
			int ok;

			if (got && r->nr_ignore &&
			    ignored(r, r->ignore, r->nr_ignore, line, len))
				got = 0;
			/* A built-in sample that the prefilter drops would never
			 * reach its rule when tailing. */
			if (got && ru->builtin && !qe_rules_prefilter(line, len))
				got = 0;
			ok = got == !!ru->samples[j].matches;
			if (!ok)
				failures++;
			if (fn)
				fn(ru->name, line, ru->samples[j].matches, ok, data);
		}
	}
	return failures;
}

void qe_rules_set_timing(struct qe_rules *r, int on)
{
	r->timing = on;
}
