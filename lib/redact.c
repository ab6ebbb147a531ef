/* redact: see redact.h */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "redact.h"

#include "config.h"
#include "util.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * How it works: every rule scans the whole input on its own and proposes
 * candidate spans.  The candidates are then merged: where two overlap, the
 * union is masked (so a byte that any rule considers secret never leaves),
 * and it takes the class of the longer candidate, or on a tie the class of
 * the rule with the higher priority (a GitHub token found as the value of
 * "token=" is labelled as a GitHub token).
 *
 * Every built-in pattern is written so that it can only start at the
 * beginning of a run of the characters it consumes (a negative lookbehind)
 * and consumes runs possessively; each byte is then examined a bounded
 * number of times per rule, which keeps the work linear in the input even
 * on hostile text.  Patterns run in byte mode, so invalid UTF-8 and binary
 * data are just bytes.
 */

enum {
	RC_CUSTOM,
	RC_PRIVATE_KEY,
	RC_AWS_KEY,
	RC_GITHUB_TOKEN,
	RC_GITLAB_TOKEN,
	RC_SLACK_TOKEN,
	RC_SLACK_WEBHOOK,
	RC_STRIPE_KEY,
	RC_API_KEY,
	RC_GOOGLE_API_KEY,
	RC_JWT,
	RC_TOKEN,
	RC_BASIC_AUTH,
	RC_PASSWORD,
	RC_SECRET,
	RC_CARD,
	RC_EMAIL,
	RC_IP,
	RC_AWS_SECRET,
	RC_AZURE_KEY,
	RC_GCP_KEY,
	RC_SENDGRID_KEY,
	RC_TWILIO_KEY,
	RC_NPM_TOKEN,
	RC_PYPI_TOKEN,
	RC_VAULT_TOKEN,
	RC_DIGITALOCEAN_TOKEN,
	RC_COOKIE,
	RC_PHONE,
	RC_WEBHOOK,
	RC_CHAT_TOKEN,
	RC_MAIL_KEY,
	RC_REGISTRY_TOKEN,
	RC_CI_TOKEN,
	RC_CLOUD_KEY,
	RC_SAAS_TOKEN,
	RC_PAYMENT_KEY,
	RC_AI_KEY,
	RC_DATABASE_TOKEN,
	RC_NR
};

static const char *const class_names[RC_NR] = {
    "CUSTOM",	      "PRIVATE_KEY",  "AWS_KEY",
    "GITHUB_TOKEN",   "GITLAB_TOKEN", "SLACK_TOKEN",
    "SLACK_WEBHOOK",  "STRIPE_KEY",   "API_KEY",
    "GOOGLE_API_KEY", "JWT",	      "TOKEN",
    "BASIC_AUTH",     "PASSWORD",     "SECRET",
    "CARD",	      "EMAIL",	      "IP",
    "AWS_SECRET",     "AZURE_KEY",    "GCP_KEY",
    "SENDGRID_KEY",   "TWILIO_KEY",   "NPM_TOKEN",
    "PYPI_TOKEN",     "VAULT_TOKEN",  "DIGITALOCEAN_TOKEN",
    "COOKIE",	      "PHONE",	      "WEBHOOK",
    "CHAT_TOKEN",     "MAIL_KEY",     "REGISTRY_TOKEN",
    "CI_TOKEN",	      "CLOUD_KEY",    "SAAS_TOKEN",
    "PAYMENT_KEY",    "AI_KEY",	      "DATABASE_TOKEN",
};

/* Match limit for the built-in patterns: they are bounded by design, so
 * this only guards against a mistake, and must never cut a real match. */
#define BUILTIN_MATCH_LIMIT 10000000u
#define DEFAULT_CUSTOM_MATCH_LIMIT 100000u
/* Distinct values remembered per redaction; past this, placeholders are
 * still unique but a repeat of a value gets a new number. */
#define MAX_MAP_ENTRIES (1u << 20)
/* Capture groups a match records: the vendor pattern has one per vendor. */
#define MATCH_GROUPS 128
/* How far back the e-mail rule looks for "scheme://" (userinfo check). */
#define URL_LOOKBACK 2048

struct span {
	size_t s, e;
	int cls;
	int prio;
};

struct cands {
	struct span *v;
	size_t nr, alloc;
};

struct rule;
/* Turn a match into a span; 0 rejects the match (the search then resumes
 * one byte after the start of the match). */
typedef int (*pick_fn)(const struct rule *r, const char *t, size_t len,
		       const PCRE2_SIZE *ov, int rc, struct span *out);
/* A hand-written scanner adds its own candidates. */
typedef void (*scan_fn)(const char *t, size_t len, struct cands *c);

struct rule {
	pcre2_code *code;
	/* code JIT-compiled yet: on its first match, so that the many
	 * patterns whose words no text holds cost their compile only */
	unsigned char jit;
	scan_fn scan;
	pick_fn pick;
	int cls;
	int prio;
	int group;	   /* group to mask; 0 = whole match */
	int utf;	   /* pattern compiled in UTF mode: resume on a character */
	size_t custom;	   /* 1-based index of a custom pattern, 0 for built-ins */
	const char *words; /* built-ins: words one of which a match contains */
	int caseless;	   /* the words in any case */
	int shapes;	   /* the vendor rule: also look for discord_shape() */
	int pre;	   /* its id in the prefilter, or -1: always run */
	/* built-ins with no word: the gate every match implies, or 0 */
	unsigned gate;
};

/*
 * The prefilter: most built-in patterns cannot match without one of a few
 * literal words (a token's fixed prefix, a key name).  One pass over the
 * text finds which of all those words occur (a table of their first two
 * bytes, case folded, picks the positions to compare at); a pattern none
 * of whose words occur is skipped.  The words are listed with the
 * patterns below and must follow from them.
 */
#define MAX_PRE 64 /* rules with words: one bit each */
#define PRE_BUCKETS 1024

struct pre_word {
	const char *w;
	unsigned len;
	unsigned key; /* first two bytes, folded */
	int caseless;
	int id;	  /* the rule's bit */
	int next; /* in its bucket, or -1 */
};

struct prefilter {
	struct pre_word *words;
	size_t nr, alloc;
	int head[PRE_BUCKETS];
	uint64_t pairs[65536 / 64]; /* first two bytes of some word */
	uint64_t singles;	    /* ids with a one-byte word */
	char single[MAX_PRE];	    /* that byte */
};

struct qe_redactor {
	struct rule *rules;
	size_t nr_rules;
	pcre2_match_context *builtin_mctx;
	pcre2_match_context *custom_mctx;
	struct prefilter *pre;
	/* the match data every redaction uses in turn (made on the first;
	 * one thread uses a redactor) */
	pcre2_match_data *md;
	unsigned refs; /* owners besides the creator */
};

struct map_entry {
	char *val; /* NULL = free slot */
	size_t len;
	uint64_t hash;
	int cls;
	unsigned num;
};

struct qe_redaction {
	const struct qe_redactor *r;
	struct map_entry *map;
	size_t map_size; /* power of two, or 0 */
	size_t map_used;
	unsigned next_num[RC_NR];
	size_t count;
};

/* ---- character and value tests ---- */

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int group_set(const PCRE2_SIZE *ov, int rc, int g)
{
	return g < rc && ov[2 * g] != PCRE2_UNSET;
}

/* Case-insensitive memmem for short ASCII needles. */
static int ci_contains(const char *h, size_t hl, const char *needle)
{
	size_t nl = strlen(needle), i;
	int c0 = needle[0] | 0x20; /* needles are lower-case letters */
	for (i = 0; i + nl <= hl; i++)
		if ((h[i] | 0x20) == c0 && !strncasecmp(h + i, needle, nl))
			return 1;
	return 0;
}

static int ci_equals(const char *s, size_t l, const char *word)
{
	return strlen(word) == l && !strncasecmp(s, word, l);
}

/* "<CLASS_N>": an earlier redaction's output is not a secret. */
static int is_placeholder(const char *s, size_t l)
{
	size_t i = 1;
	if (l < 4 || s[0] != '<' || s[l - 1] != '>')
		return 0;
	while (i < l - 1 && ((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
		i++;
	if (i == 1 || s[i - 1] != '_' || i == l - 1)
		return 0;
	while (i < l - 1 && is_digit(s[i]))
		i++;
	return i == l - 1;
}

/* Values of secret-looking keys that carry no secret. */
static int is_empty_value(const char *s, size_t l)
{
	static const char *const words[] = {
	    "true",	  "false",    "null",	    "none",	  "nil",
	    "undefined",  "redacted", "[redacted]", "<redacted>", "[filtered]",
	    "(redacted)", "[hidden]", "hidden",	    "masked",	  "[masked]",
	};
	size_t i;
	if (!l)
		return 1;
	for (i = 0; i < l && s[i] == '*'; i++)
		;
	if (i == l)
		return 1;
	for (i = 0; i < QE_ARRAY_SIZE(words); i++)
		if (ci_equals(s, l, words[i]))
			return 1;
	return is_placeholder(s, l);
}

static void cands_add(struct cands *c, size_t s, size_t e, int cls, int prio)
{
	if (e <= s)
		return;
	QE_ALLOC_GROW(c->v, c->nr + 1, c->alloc);
	c->v[c->nr].s = s;
	c->v[c->nr].e = e;
	c->v[c->nr].cls = cls;
	c->v[c->nr].prio = prio;
	c->nr++;
}

/* ---- pick functions ---- */

static int pick_default(const struct rule *r, const char *t, size_t len,
			const PCRE2_SIZE *ov, int rc, struct span *out)
{
	int g = r->group && group_set(ov, rc, r->group) ? r->group : 0;
	out->s = ov[2 * g];
	out->e = ov[2 * g + 1];
	out->cls = r->cls;
	return out->e > out->s;
}

/* The class of a key=value pair, from the key's name. */
static int key_class(const char *k, size_t kl)
{
	if (ci_contains(k, kl, "phone") || ci_contains(k, kl, "mobile") ||
	    ci_contains(k, kl, "msisdn"))
		return RC_PHONE;
	if (ci_contains(k, kl, "pass") || ci_contains(k, kl, "pwd"))
		return RC_PASSWORD;
	if (ci_contains(k, kl, "token") || ci_contains(k, kl, "session"))
		return RC_TOKEN;
	return RC_SECRET;
}

/*
 * key=value, key: value, "key": "value", <key>value</key>, --key value.
 * Group 1 is the key; the value is the first set group after it.
 */
static int pick_keyvalue(const struct rule *r, const char *t, size_t len,
			 const PCRE2_SIZE *ov, int rc, struct span *out)
{
	const char *k = t + ov[2];
	size_t kl = ov[3] - ov[2], s, e;
	int g;
	for (g = 2; g < rc; g++)
		if (group_set(ov, rc, g))
			break;
	if (g >= rc)
		return 0;
	s = ov[2 * g];
	e = ov[2 * g + 1];
	/* the closing backslash of an escaped quote is not part of the value */
	while (e > s && t[e - 1] == '\\' && e < len && (t[e] == '"' || t[e] == '\''))
		e--;
	if (is_empty_value(t + s, e - s))
		return 0;
	/* PWD=/home/bob is a directory, not a password */
	if ((ci_equals(k, kl, "pwd") || ci_equals(k, kl, "oldpwd")) &&
	    (t[s] == '/' || t[s] == '~'))
		return 0;
	/* token: Bearer abc -- the credential is the word after the scheme */
	if ((ci_equals(t + s, e - s, "bearer") || ci_equals(t + s, e - s, "basic")) &&
	    e < len && (t[e] == ' ' || t[e] == '\t')) {
		size_t x = e;
		while (x < len && (t[x] == ' ' || t[x] == '\t'))
			x++;
		while (x < len && t[x] != ' ' && t[x] != '\t' && t[x] != '\n' &&
		       t[x] != '\r' && t[x] != '"' && t[x] != '\'' && t[x] != ',' &&
		       t[x] != ';' && t[x] != '&')
			x++;
		if (x > e + 1)
			e = x;
	}
	out->s = s;
	out->e = e;
	out->cls = key_class(k, kl);
	if (out->cls == RC_PHONE) {
		/* mobile: iOS, phone_verified: yes -- not numbers */
		size_t i, digits = 0;
		/* an unquoted number goes on past its spaces: 020 7946 0958 */
		while (e + 1 < len && strchr(" .-()", t[e]) && t[e] &&
		       (is_digit(t[e + 1]) || t[e + 1] == '('))
			for (e++;
			     e < len && (is_digit(t[e]) || t[e] == '(' || t[e] == ')');
			     e++)
				;
		out->e = e;
		for (i = s; i < e; i++)
			digits += is_digit(t[i]);
		if (digits < 6)
			return 0;
	}
	return e > s;
}

static int pick_authorization(const struct rule *r, const char *t, size_t len,
			      const PCRE2_SIZE *ov, int rc, struct span *out)
{
	if (!group_set(ov, rc, 2))
		return 0;
	out->s = ov[4];
	out->e = ov[5];
	/* too short to be a credential: f"Bearer {token}" in source code */
	if (out->e - out->s < 4 || is_empty_value(t + out->s, out->e - out->s))
		return 0;
	out->cls = RC_TOKEN;
	if (group_set(ov, rc, 1) && ci_equals(t + ov[2], ov[3] - ov[2], "basic"))
		out->cls = RC_BASIC_AUTH;
	return 1;
}

/* "Bearer X" in running text: X must look like a credential, not a word
 * ("uses Bearer authentication"). */
static int pick_bearer(const struct rule *r, const char *t, size_t len,
		       const PCRE2_SIZE *ov, int rc, struct span *out)
{
	size_t s = ov[2], e = ov[3], i;
	int random = e - s >= 24;
	for (i = s; i < e && !random; i++)
		if (is_digit(t[i]) || strchr("._~+/=-", t[i]) ||
		    (i > s && t[i] >= 'A' && t[i] <= 'Z'))
			random = 1;
	if (!random || is_placeholder(t + s, e - s))
		return 0;
	out->s = s;
	out->e = e;
	out->cls = r->cls;
	return 1;
}

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* "Basic X" in running text: X must decode to printable "user:password"
 * ("Basic authentication" is prose, not a credential). */
static int pick_basic(const struct rule *r, const char *t, size_t len,
		      const PCRE2_SIZE *ov, int rc, struct span *out)
{
	size_t i, n = 0;
	unsigned acc = 0;
	int bits = 0, colon = 0;
	for (i = ov[2]; i < ov[3] && t[i] != '='; i++) {
		acc = (acc << 6) | (unsigned)b64_value(t[i]);
		bits += 6;
		if (bits >= 8) {
			unsigned char ch = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
			n++;
			if (ch < 0x20 || ch == 0x7f)
				return 0;
			colon |= ch == ':';
		}
	}
	if (!colon || n < 3)
		return 0;
	out->s = ov[2];
	out->e = ov[3];
	out->cls = RC_BASIC_AUTH;
	return 1;
}

static int pick_has_digit(const struct rule *r, const char *t, size_t len,
			  const PCRE2_SIZE *ov, int rc, struct span *out)
{
	size_t i;
	for (i = ov[0]; i < ov[1]; i++)
		if (is_digit(t[i]))
			return pick_default(r, t, len, ov, rc, out);
	return 0;
}

static int pick_url_password(const struct rule *r, const char *t, size_t len,
			     const PCRE2_SIZE *ov, int rc, struct span *out)
{
	if (!group_set(ov, rc, 1) || ov[3] == ov[2])
		return 0;
	out->s = ov[2];
	out->e = ov[3];
	out->cls = RC_PASSWORD;
	return !is_placeholder(t + out->s, out->e - out->s);
}

/* Issuer prefixes and lengths of payment cards (ISO/IEC 7812 IINs). */
static int card_plausible(const char *d, size_t n)
{
	int p2 = (d[0] - '0') * 10 + (d[1] - '0');
	int p3 = p2 * 10 + (d[2] - '0');
	int p4 = p3 * 10 + (d[3] - '0');
	switch (d[0]) {
	case '2':
		return (p4 >= 2221 && p4 <= 2720 && n == 16) ||
		       (p4 >= 2200 && p4 <= 2204 && n >= 16);
	case '3':
		if (p2 == 34 || p2 == 37)
			return n == 15;
		if (p2 == 35 || p2 == 38 || p2 == 39)
			return n >= 16;
		return (p2 == 36 || (p3 >= 300 && p3 <= 305)) && n >= 14;
	case '4':
		return n == 13 || n == 16 || n == 19;
	case '5':
		if (p2 >= 51 && p2 <= 55)
			return n == 16;
		return p2 == 50 || (p2 >= 56 && p2 <= 58);
	case '6':
		return 1;
	default:
		return 0;
	}
}

static int luhn_ok(const char *d, size_t n)
{
	int sum = 0, dbl = 0;
	size_t i = n;
	while (i--) {
		int v = d[i] - '0';
		if (dbl) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

/*
 * A card printed with dots (4111.1111.1111.1111): every separator is a
 * dot, in groups of 3 to 6 digits, so that a decimal number is not one.
 */
static int dots_ok(const char *t, size_t s, size_t e)
{
	size_t i, group = 0, dots = 0;
	if (!memchr(t + s, '.', e - s))
		return 1;
	for (i = s; i < e; i++) {
		if (is_digit(t[i])) {
			group++;
			continue;
		}
		if (t[i] != '.' || group < 3 || group > 6)
			return 0;
		dots++;
		group = 0;
	}
	return dots >= 3 && group >= 3 && group <= 6;
}

/*
 * The pattern takes up to 19 digits; a card followed by another group of
 * digits ("4111 1111 1111 1111 2024") is found by also trying shorter
 * prefixes that end where a group ends.
 */
static int pick_card(const struct rule *r, const char *t, size_t len,
		     const PCRE2_SIZE *ov, int rc, struct span *out)
{
	char d[24];
	size_t end[24];
	size_t n = 0, i;
	for (i = ov[0]; i < ov[1] && n < sizeof(d); i++) {
		if (is_digit(t[i])) {
			d[n] = t[i];
			end[n] = i + 1;
			n++;
		}
	}
	for (; n >= 13; n--) {
		size_t e = end[n - 1];
		if (e != ov[1] && is_digit(t[e]))
			continue;
		if (card_plausible(d, n) && luhn_ok(d, n) && dots_ok(t, ov[0], e)) {
			out->s = ov[0];
			out->e = e;
			out->cls = RC_CARD;
			return 1;
		}
	}
	return 0;
}

/* Is t[s] inside the authority of a URL ("scheme://user:pass@host")? */
static int in_url_userinfo(const char *t, size_t s)
{
	size_t lim = s > URL_LOOKBACK ? s - URL_LOOKBACK : 0, i = s;
	while (i > lim) {
		char c = t[i - 1];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' ||
		    c == '\'' || c == '<' || c == '>' || c == '/' || c == '?' || c == '#')
			break;
		i--;
	}
	return i >= 3 && t[i - 1] == '/' && t[i - 2] == '/' && t[i - 3] == ':';
}

static int pick_email(const struct rule *r, const char *t, size_t len,
		      const PCRE2_SIZE *ov, int rc, struct span *out)
{
	size_t s = ov[0], e = ov[1], dot = e, i, at = s;
	int alnum = 0;
	while (t[at] != '@')
		at++;
	for (i = s; i < at; i++)
		if (is_alpha(t[i]) || is_digit(t[i]))
			alnum = 1;
	if (!alnum)
		return 0;
	while (dot > at && t[dot - 1] != '.')
		dot--;
	if (e - dot < 2 || e - dot > 63)
		return 0;
	for (i = dot; i < e; i++)
		if (!is_alpha(t[i]))
			return 0;
	if (in_url_userinfo(t, s))
		return 0;
	out->s = s;
	out->e = e;
	out->cls = RC_EMAIL;
	return 1;
}

static int pick_ipv4(const struct rule *r, const char *t, size_t len,
		     const PCRE2_SIZE *ov, int rc, struct span *out)
{
	unsigned oct[4] = {0, 0, 0, 0}, k = 0;
	size_t i;
	for (i = ov[0]; i < ov[1]; i++) {
		if (t[i] == '.')
			k++;
		else
			oct[k] = oct[k] * 10 + (unsigned)(t[i] - '0');
	}
	if (oct[0] > 255 || oct[1] > 255 || oct[2] > 255 || oct[3] > 255)
		return 0;
	/* loopback and "any" say nothing about anyone, and help the reader */
	if (oct[0] == 127 || (!oct[0] && !oct[1] && !oct[2] && !oct[3]))
		return 0;
	return pick_default(r, t, len, ov, rc, out);
}

static int pick_ipv6(const struct rule *r, const char *t, size_t len,
		     const PCRE2_SIZE *ov, int rc, struct span *out)
{
	char buf[64];
	unsigned char addr[16];
	static const unsigned char loop[16] = {0, 0, 0, 0, 0, 0, 0, 0,
					       0, 0, 0, 0, 0, 0, 0, 1};
	static const unsigned char any[16];
	size_t n = ov[1] - ov[0], i;
	int digit = 0;
	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, t + ov[0], n);
	buf[n] = '\0';
	/* "a::b" or "dead::beef" in code are names, not addresses */
	for (i = 0; i < n; i++)
		if (is_digit(buf[i]))
			digit = 1;
	if (!digit || inet_pton(AF_INET6, buf, addr) != 1)
		return 0;
	if (!memcmp(addr, loop, 16) || !memcmp(addr, any, 16))
		return 0;
	return pick_default(r, t, len, ov, rc, out);
}

/* ---- hand-written scanner: PEM private key blocks ---- */

/* t[s..] is "-----BEGIN " or "-----END "; is the label a private key?
 * Returns the offset just after the closing "-----", or 0. */
static size_t pem_label_end(const char *t, size_t len, size_t s, size_t skip)
{
	size_t i = s + skip, lim = i + 64 < len ? i + 64 : len, ls = i;
	while (i < lim && ((t[i] >= 'A' && t[i] <= 'Z') || is_digit(t[i]) || t[i] == ' '))
		i++;
	if (i + 5 > len || memcmp(t + i, "-----", 5))
		return 0;
	if (!((i - ls >= 11 && !memcmp(t + i - 11, "PRIVATE KEY", 11)) ||
	      (i - ls >= 17 && !memcmp(t + i - 17, "PRIVATE KEY BLOCK", 17))))
		return 0;
	return i + 5;
}

/* From BEGIN through END; a block without its END is masked to the end
 * of the text, since a truncated key is still a key. */
static void scan_pem(const char *t, size_t len, struct cands *c)
{
	size_t off = 0;
	while (off < len) {
		const char *b = memmem(t + off, len - off, "-----BEGIN ", 11);
		size_t bs, he, end = len, x;
		if (!b)
			break;
		bs = (size_t)(b - t);
		he = pem_label_end(t, len, bs, 11);
		if (!he) {
			off = bs + 1;
			continue;
		}
		x = he;
		while (x < len) {
			const char *q = memmem(t + x, len - x, "-----END ", 9);
			size_t ee;
			if (!q)
				break;
			ee = pem_label_end(t, len, (size_t)(q - t), 9);
			if (ee) {
				end = ee;
				break;
			}
			x = (size_t)(q - t) + 1;
		}
		cands_add(c, bs, end, RC_PRIVATE_KEY, 90);
		off = end;
	}
}

/* ---- credentials known by their shape ---- */

/*
 * Tokens that issuers give a fixed prefix and length, so that they can be
 * found without any key name around them.  All are joined into one
 * pattern (one pass over the text); the capture group that matched tells
 * the class.  A fragment must not hold capture groups of its own.
 * need_digit: the shape alone is too common in ordinary text.
 */
struct vendor {
	const char *fragment;
	int cls;
	int need_digit;
};

static const struct vendor vendors[] = {
    /* cloud providers and hosting */
    {"do[por]_v1_[a-f0-9]{64}", RC_DIGITALOCEAN_TOKEN, 0},
    {"LTAI[A-Za-z0-9]{20}", RC_CLOUD_KEY, 0},	   /* Alibaba Cloud */
    {"GOCSPX-[A-Za-z0-9_-]{28}", RC_GCP_KEY, 0},   /* OAuth client secret */
    {"ya29\\.[A-Za-z0-9_-]{40,}+", RC_GCP_KEY, 0}, /* OAuth access token */
    {"[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}", RC_AZURE_KEY, 0},   /* Entra ID */
    {"HRKU-[A-Za-z0-9_-]{40,}+", RC_CLOUD_KEY, 0},			   /* Heroku */
    {"dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}", RC_CLOUD_KEY, 0},		   /* Dynatrace */
    {"sha256~[A-Za-z0-9_-]{43}", RC_CLOUD_KEY, 0},			   /* OpenShift */
    {"tskey-[a-z]++-[A-Za-z0-9]{6,}+-[A-Za-z0-9]{16,}+", RC_CLOUD_KEY, 0}, /* Tailscale */
    {"rnd_[A-Za-z0-9]{32}", RC_CLOUD_KEY, 0},				   /* Render */
    {"nfp_[A-Za-z0-9]{36}", RC_CLOUD_KEY, 0},				   /* Netlify */
    {"v(?:cp|ci|ca|cr|ck)_[A-Za-z0-9]{24,}+", RC_CLOUD_KEY, 0},		   /* Vercel */
    {"AGE-SECRET-KEY-1[0-9A-Z]{58}", RC_PRIVATE_KEY, 0},
    /* databases as a service */
    {"sbp_[a-f0-9]{40}", RC_DATABASE_TOKEN, 0}, /* Supabase */
    {"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}+", RC_DATABASE_TOKEN, 0},
    {"dapi[a-f0-9]{32}(?:-[0-9])?", RC_DATABASE_TOKEN, 0}, /* Databricks */
    /* package registries */
    {"npm_[A-Za-z0-9]{36}", RC_NPM_TOKEN, 0},
    {"pypi-AgE[A-Za-z0-9_-]{50,}+", RC_PYPI_TOKEN, 0},
    {"rubygems_[a-f0-9]{48}", RC_REGISTRY_TOKEN, 0},
    {"oy2[a-z0-9]{43}", RC_REGISTRY_TOKEN, 1}, /* NuGet */
    {"dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}+", RC_REGISTRY_TOKEN, 0},
    {"CLOJARS_[a-z0-9]{60}", RC_REGISTRY_TOKEN, 0},
    {"AKCp[A-Za-z0-9]{69}", RC_REGISTRY_TOKEN, 0},	       /* Artifactory */
    {"cmVmdGtuOjAxOj[A-Za-z0-9]{40,}+", RC_REGISTRY_TOKEN, 0}, /* JFrog */
    /* CI, infrastructure, secret stores */
    {"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}", RC_CI_TOKEN, 0},		  /* CircleCI */
    {"bkua_[a-f0-9]{40}", RC_CI_TOKEN, 0},				  /* Buildkite */
    {"[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,}+", RC_CI_TOKEN, 0}, /* Terraform */
    {"pul-[a-f0-9]{40}", RC_CI_TOKEN, 0},				  /* Pulumi */
    {"dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}", RC_CI_TOKEN,
     0}, /* Doppler */
    {"hv[sbr]\\.[A-Za-z0-9_-]{24,}+", RC_VAULT_TOKEN, 0},
    {"ops_eyJ[A-Za-z0-9+/=]{64,}+", RC_CI_TOKEN, 0},   /* 1Password */
    {"pnu_[A-Za-z0-9]{36}", RC_CI_TOKEN, 0},	       /* Prefect */
    {"glc_[A-Za-z0-9+/]{32,}+={0,2}", RC_CI_TOKEN, 0}, /* Grafana */
    {"glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}", RC_CI_TOKEN, 0},
    {"sntry[su]_[A-Za-z0-9+/=_]{40,}+", RC_CI_TOKEN, 0}, /* Sentry */
    /* SaaS */
    {"NRAK-[A-Z0-9]{27}", RC_SAAS_TOKEN, 0}, /* New Relic */
    {"NRII-[A-Za-z0-9_-]{32}", RC_SAAS_TOKEN, 0},
    {"PMAK-[a-f0-9]{24}-[a-f0-9]{34}", RC_SAAS_TOKEN, 0},     /* Postman */
    {"ATATT3[A-Za-z0-9_=-]{150,}+", RC_SAAS_TOKEN, 0},	      /* Atlassian */
    {"ATBB[A-Za-z0-9]{32}", RC_SAAS_TOKEN, 0},		      /* Bitbucket */
    {"lin_api_[A-Za-z0-9]{40}", RC_SAAS_TOKEN, 0},	      /* Linear */
    {"ntn_[0-9]{11}[A-Za-z0-9]{35}", RC_SAAS_TOKEN, 0},	      /* Notion */
    {"figd_[A-Za-z0-9_-]{40,}+", RC_SAAS_TOKEN, 0},	      /* Figma */
    {"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", RC_SAAS_TOKEN, 0}, /* Shopify */
    {"pat[A-Za-z0-9]{14}\\.[a-f0-9]{64}", RC_SAAS_TOKEN, 0},  /* Airtable */
    {"CFPAT-[A-Za-z0-9_-]{43}", RC_SAAS_TOKEN, 0},	      /* Contentful */
    {"tfp_[A-Za-z0-9_.=-]{59}", RC_SAAS_TOKEN, 0},	      /* Typeform */
    {"aio_[A-Za-z0-9]{28}", RC_SAAS_TOKEN, 0},		      /* Adafruit IO */
    {"ico-[A-Za-z0-9]{32}", RC_SAAS_TOKEN, 0},		      /* Infracost */
    {"rdme_[a-z0-9]{70}", RC_SAAS_TOKEN, 0},		      /* ReadMe */
    {"shippo_(?:live|test)_[a-f0-9]{40}", RC_SAAS_TOKEN, 0},
    {"EZ[AT]K[A-Za-z0-9]{54}", RC_SAAS_TOKEN, 0}, /* EasyPost */
    /* AI services */
    {"hf_[A-Za-z]{34}", RC_AI_KEY, 0},	   /* Hugging Face */
    {"gsk_[A-Za-z0-9]{52}", RC_AI_KEY, 0}, /* Groq */
    {"r8_[A-Za-z0-9]{37}", RC_AI_KEY, 0},  /* Replicate */
    /* chat and mail */
    {"[0-9]{8,10}:AA[A-Za-z0-9_-]{33}", RC_CHAT_TOKEN, 0}, /* Telegram bot */
    {"[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}", RC_CHAT_TOKEN,
     1}, /* Discord bot */
    {"SG\\.[A-Za-z0-9_-]{16,32}+\\.[A-Za-z0-9_-]{16,64}+", RC_SENDGRID_KEY, 0},
    {"key-[a-f0-9]{32}", RC_MAIL_KEY, 0},	   /* Mailgun */
    {"[a-f0-9]{32}-us[0-9]{1,2}", RC_MAIL_KEY, 0}, /* Mailchimp */
    {"(?:AC|SK)[a-f0-9]{32}", RC_TWILIO_KEY, 0},   /* account and API key SIDs */
    /* payments */
    {"sq0(?:atp|csp|idp)-[A-Za-z0-9_-]{22,}+", RC_PAYMENT_KEY, 0}, /* Square */
    {"access_token\\$(?:production|sandbox)\\$[a-z0-9]{16}\\$[a-f0-9]{32}",
     RC_PAYMENT_KEY, 0}, /* Braintree */
    {"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X", RC_PAYMENT_KEY, 0},
    {"duffel_(?:test|live)_[A-Za-z0-9_=-]{43}", RC_PAYMENT_KEY, 0},
};

_Static_assert(QE_ARRAY_SIZE(vendors) < MATCH_GROUPS, "too many vendor fragments");

static int pick_vendor(const struct rule *r, const char *t, size_t len,
		       const PCRE2_SIZE *ov, int rc, struct span *out)
{
	int g;
	size_t i;
	for (g = 1; g < rc && g <= (int)QE_ARRAY_SIZE(vendors); g++)
		if (group_set(ov, rc, g))
			break;
	if (g >= rc || g > (int)QE_ARRAY_SIZE(vendors))
		return 0;
	if (vendors[g - 1].need_digit) {
		for (i = ov[0]; i < ov[1] && !is_digit(t[i]); i++)
			;
		if (i == ov[1])
			return 0;
	}
	out->s = ov[0];
	out->e = ov[1];
	out->cls = vendors[g - 1].cls;
	return 1;
}

/* The one pattern of all vendor fragments; caller frees. */
static char *vendor_pattern(void)
{
	struct qe_buf b = QE_BUF_INIT;
	size_t i;
	qe_buf_addstr(&b, "(?<![A-Za-z0-9_~.+/-])(?:");
	for (i = 0; i < QE_ARRAY_SIZE(vendors); i++)
		qe_buf_addf(&b, "%s(%s)", i ? "|" : "", vendors[i].fragment);
	qe_buf_addstr(&b, ")(?![A-Za-z0-9_])");
	return qe_buf_detach(&b);
}

/* A literal word of each vendor fragment, for the prefilter; the Discord
 * bot token has none and is looked for by discord_shape(). */
static const char vendor_words[] =
    "_v1_ LTAI GOCSPX- ya29. Q~ HRKU- dt0c01. sha256~ tskey- rnd_ nfp_ vcp_ vci_ vca_ "
    "vcr_ vck_ AGE-SECRET-KEY-1 sbp_ pscale_ dapi npm_ pypi-AgE rubygems_ oy2 dckr_ "
    "CLOJARS_ AKCp cmVmdGtuOjAxOj CCIPAT_ bkua_ .atlasv1. pul- dp.pt. dp.st. dp.sa. "
    "dp.ct. dp.scim. dp.audit. hvs. hvb. hvr. ops_eyJ pnu_ glc_ glsa_ sntry NRAK- "
    "NRII- PMAK- ATATT3 ATBB lin_api_ ntn_ figd_ shpat_ shpca_ shppa_ shpss_ pat "
    "CFPAT- tfp_ aio_ ico- rdme_ shippo_ EZAK EZTK hf_ gsk_ r8_ :AA SG. key- -us AC SK "
    "sq0 access_token$ FLWSECK duffel_";

static int token_char(int c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '-';
}

/* "[MNO]" and 23 to 25 token characters, '.', 6 of them, '.': the start
 * of a Discord bot token, as its fragment requires. */
static int discord_shape(const char *t, size_t len)
{
	const char *p = t, *end = t + len;
	while ((p = memchr(p, '.', (size_t)(end - p))) != NULL) {
		size_t d = (size_t)(p - t), k;
		int ok = d >= 24 && d + 7 < len && t[d + 7] == '.';
		for (k = 1; ok && k <= 6; k++)
			ok = token_char((unsigned char)t[d + k]);
		for (k = 1; ok && k <= 24; k++)
			ok = token_char((unsigned char)t[d - k]);
		if (ok)
			return 1;
		p++;
	}
	return 0;
}

/* The first capture group that took part, as the secret. */
static int pick_first_group(const struct rule *r, const char *t, size_t len,
			    const PCRE2_SIZE *ov, int rc, struct span *out)
{
	int g;
	for (g = 1; g < rc; g++)
		if (group_set(ov, rc, g))
			break;
	if (g >= rc || ov[2 * g + 1] == ov[2 * g] ||
	    is_empty_value(t + ov[2 * g], ov[2 * g + 1] - ov[2 * g]))
		return 0;
	out->s = ov[2 * g];
	out->e = ov[2 * g + 1];
	out->cls = r->cls;
	return 1;
}

/* Upper case, lower case and digits: random, not a word or a name. */
static int looks_random(const char *s, size_t l)
{
	int up = 0, lo = 0, dg = 0;
	size_t i;
	for (i = 0; i < l; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			up = 1;
		else if (s[i] >= 'a' && s[i] <= 'z')
			lo = 1;
		else if (is_digit(s[i]))
			dg = 1;
	}
	return up && lo && dg;
}

static int pick_random(const struct rule *r, const char *t, size_t len,
		       const PCRE2_SIZE *ov, int rc, struct span *out)
{
	if (!looks_random(t + ov[0], ov[1] - ov[0]))
		return 0;
	return pick_default(r, t, len, ov, rc, out);
}

/* An AWS access key id at t[i..]? */
static int aws_key_id_at(const char *t, size_t len, size_t i)
{
	size_t k;
	if (i + 20 > len || (memcmp(t + i, "AKIA", 4) && memcmp(t + i, "ASIA", 4)))
		return 0;
	for (k = i + 4; k < i + 20; k++)
		if (!((t[k] >= 'A' && t[k] <= 'Z') || is_digit(t[k])))
			return 0;
	return 1;
}

/* How far around a bare 40-character value the AWS context is looked for. */
#define AWS_CONTEXT 256

/*
 * A secret access key has no prefix: 40 characters of base64.  Masked
 * only when it looks random (so a git commit id, all lower-case hex, is
 * not) and the text near it speaks of AWS: an access key id, "aws",
 * "amazon" or "secret".
 */
static int pick_aws_secret(const struct rule *r, const char *t, size_t len,
			   const PCRE2_SIZE *ov, int rc, struct span *out)
{
	size_t s = ov[0], e = ov[1], a, b, i, slashes = 0;
	if (!looks_random(t + s, e - s))
		return 0;
	for (i = s; i < e; i++)
		slashes += t[i] == '/';
	if (slashes > 3) /* a path */
		return 0;
	a = s > AWS_CONTEXT ? s - AWS_CONTEXT : 0;
	b = e + AWS_CONTEXT < len ? e + AWS_CONTEXT : len;
	for (i = a; i + 20 <= b; i++)
		if ((i + 20 <= s || i >= e) && aws_key_id_at(t, len, i))
			break;
	if (i + 20 > b && !ci_contains(t + a, b - a, "aws") &&
	    !ci_contains(t + a, b - a, "amazon") && !ci_contains(t + a, b - a, "secret"))
		return 0;
	out->s = s;
	out->e = e;
	out->cls = RC_AWS_SECRET;
	return 1;
}

/* Azure: AccountKey=, SharedAccessKey=, SAS sig=.  A short sig= is a
 * signal number, not a signature. */
static int pick_azure(const struct rule *r, const char *t, size_t len,
		      const PCRE2_SIZE *ov, int rc, struct span *out)
{
	size_t kl = ov[3] - ov[2], vl = ov[5] - ov[4];
	if (kl == 3 && vl < 20)
		return 0;
	if (is_empty_value(t + ov[4], vl))
		return 0;
	out->s = ov[4];
	out->e = ov[5];
	out->cls = RC_AZURE_KEY;
	return 1;
}

/*
 * Phone numbers: international (+ country code, 8 to 15 digits, E.164)
 * or the North American (415) 555-2671 / 415-555-2671 forms.  Written
 * without separators, an international number needs 10 digits, so that
 * "+12345678" in a counter is left alone.
 */
static int pick_phone(const struct rule *r, const char *t, size_t len,
		      const PCRE2_SIZE *ov, int rc, struct span *out)
{
	size_t i, digits = 0, seps = 0;
	for (i = ov[0]; i < ov[1]; i++) {
		if (is_digit(t[i]))
			digits++;
		else if (t[i] != '+')
			seps++;
	}
	if (t[ov[0]] == '+' && (digits < 8 || digits > 15 || (!seps && digits < 10)))
		return 0;
	return pick_default(r, t, len, ov, rc, out);
}

/* ---- hand-written scanner: cookies ---- */

/* Attributes of Set-Cookie, not cookies. */
static int cookie_attribute(const char *s, size_t l)
{
	static const char *const attrs[] = {
	    "path",	"domain",      "expires",  "max-age", "samesite", "secure",
	    "httponly", "partitioned", "priority", "version", "comment",
	};
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(attrs); i++)
		if (ci_equals(s, l, attrs[i]))
			return 1;
	return 0;
}

/* A cookie whose name says it authenticates, or whose value is random
 * (theme=dark and lang=en say nothing about anyone). */
static int cookie_secret(const char *n, size_t nl, const char *v, size_t vl)
{
	static const char *const words[] = {
	    "sess",	"sid",	  "auth", "token", "jwt",  "csrf",    "xsrf",  "login",
	    "remember", "secret", "key",  "pass",  "user", "account", "ident", "saml",
	};
	size_t i, digits = 0;
	for (i = 0; i < QE_ARRAY_SIZE(words); i++)
		if (ci_contains(n, nl, words[i]))
			return 1;
	for (i = 0; i < vl; i++)
		digits += is_digit(v[i]);
	return vl >= 20 || (vl >= 12 && digits > 0);
}

#define COOKIE_HEADER_MAX 16384

static int cookie_value_char(int c)
{
	return c != ';' && c != ',' && c != ' ' && c != '\t' && c != '\r' && c != '\n' &&
	       c != '"' && c != '\\' && c != '\'' && c != '\0';
}

/* Cookie: a=b; c=d and Set-Cookie: a=b; Path=/ -- as headers, JSON or
 * dict members.  Each value that looks secret is masked. */
static void scan_cookie(const char *t, size_t len, struct cands *c)
{
	size_t off = 0;
	while (off + 6 < len) {
		const char *p = memmem(t + off, len - off, "ookie", 5);
		size_t k, w, i, end, lim;
		int set = 0;
		if (!p)
			break;
		k = (size_t)(p - t);
		off = k + 5;
		if (!k || (t[k - 1] != 'c' && t[k - 1] != 'C'))
			continue;
		k--;
		if (k >= 4 && !strncasecmp(t + k - 4, "set-", 4))
			set = 1;
		w = set ? k - 4 : k;
		if (w && (is_alpha(t[w - 1]) || is_digit(t[w - 1])))
			continue; /* a longer word */
		i = off;
		if (i < len && (t[i] == 's' || t[i] == 'S')) /* cookies: */
			i++;
		while (i < len && (t[i] == '\\' || t[i] == '"' || t[i] == '\''))
			i++;
		while (i < len && (t[i] == ' ' || t[i] == '\t'))
			i++;
		if (i >= len || (t[i] != ':' && t[i] != '='))
			continue;
		i++;
		while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\\' ||
				   t[i] == '"' || t[i] == '\''))
			i++;
		lim = i + COOKIE_HEADER_MAX < len ? i + COOKIE_HEADER_MAX : len;
		for (end = i; end < lim && t[end] != '\n' && t[end] != '\r'; end++)
			;
		/* pairs up to the end of the line */
		while (i < end) {
			size_t ns, ne, vs, ve;
			while (i < end && (t[i] == ' ' || t[i] == '\t' || t[i] == ';'))
				i++;
			ns = i;
			while (i < end && t[i] != '=' && t[i] != ';' && t[i] != ' ' &&
			       t[i] != '"' && t[i] != '\'' && t[i] != ',')
				i++;
			ne = i;
			if (i >= end || t[i] != '=' || ne == ns)
				break; /* not a cookie list (any more) */
			vs = ++i;
			if (vs < end && t[vs] == '"')
				vs = ++i;
			while (i < end && cookie_value_char(t[i]))
				i++;
			ve = i;
			if (!(set && cookie_attribute(t + ns, ne - ns)) && ve > vs &&
			    !is_empty_value(t + vs, ve - vs) &&
			    cookie_secret(t + ns, ne - ns, t + vs, ve - vs))
				cands_add(c, vs, ve, RC_COOKIE, 45);
			if (i < end && t[i] == '"')
				i++;
			/* the next pair starts after "; "; anything else ends the list */
			while (i < end && t[i] != ';') {
				if (strchr(" \t\"'\\,", t[i]))
					goto next;
				i++;
			}
		}
	next:
		off = i > off ? i : off;
	}
}

/* ---- the built-in rule table ---- */

/*
 * Gates: for the built-ins that have no word for the prefilter, a shape
 * that every match of the pattern contains, looked for in one pass with
 * no regex; the text without it is not searched.  Each follows from its
 * pattern below: the one that changes a pattern changes its gate.
 */
static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

enum { G_AWS_SECRET = 1, G_CARD = 2, G_PHONE = 4, G_IPV4 = 8, G_IPV6 = 16, G_ALL = 31 };

/*
 * All gates in one pass; bit set: the shape is in t.
 *   aws secret: [A-Za-z0-9/+]{40}
 *   card: [0-9](?:[ .-]?[0-9]){12,18}: 13 digits, at most one of " .-"
 *     between two
 *   phone: "+" and [1-9], or [0-9]{3}[.-][0-9]{4} (how both North
 *     American forms end)
 *   ipv4: (?:[0-9]{1,3}\.){3}[0-9]{1,3}: three dots in a run of [0-9.]
 *   ipv6: (?:[0-9A-Fa-f]{0,4}:){2,7}...: two colons in a run of hex
 *     digits and colons
 */
static unsigned gate_scan(const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t i, b64 = 0, digits = 0, dots = 0, colons = 0, run3 = 0;
	unsigned got = 0;
	int sep = 0;

	for (i = 0; i < len && got != G_ALL; i++) {
		int c = t[i], d = is_digit(c);
		b64 = d || is_alpha(c) || c == '/' || c == '+' ? b64 + 1 : 0;
		if (b64 >= 40)
			got |= G_AWS_SECRET;
		if (d) {
			if (++digits >= 13)
				got |= G_CARD;
			sep = 0;
		} else if ((c == ' ' || c == '.' || c == '-') && digits && !sep) {
			sep = 1;
		} else {
			digits = 0;
			sep = 0;
		}
		if (c == '+' && i + 1 < len && t[i + 1] >= '1' && t[i + 1] <= '9')
			got |= G_PHONE;
		if ((c == '.' || c == '-') && run3 >= 3 && i + 4 < len &&
		    is_digit(t[i + 1]) && is_digit(t[i + 2]) && is_digit(t[i + 3]) &&
		    is_digit(t[i + 4]))
			got |= G_PHONE;
		run3 = d ? run3 + 1 : 0; /* digits just before the next byte */
		if (c == '.')
			dots++;
		else if (!d)
			dots = 0;
		if (dots >= 3)
			got |= G_IPV4;
		if (c == ':')
			colons++;
		else if (!is_hex(c))
			colons = 0;
		if (colons >= 2)
			got |= G_IPV6;
	}
	return got;
}

static const struct {
	pick_fn pick;
	unsigned gate;
} gates[] = {
    {pick_aws_secret, G_AWS_SECRET},
    {pick_card, G_CARD},
    {pick_phone, G_PHONE},
    {pick_ipv4, G_IPV4},
    {pick_ipv6, G_IPV6},
};

enum { NEED_NONE, NEED_IPS, NEED_EMAILS };

struct builtin {
	const char *pattern;
	uint32_t flags;
	pick_fn pick;
	int cls;
	int prio;
	int group;
	int need;
	const char *words; /* space-separated; NULL: the pattern always runs */
};

#define KV_KEYS                                                                          \
	"(pass(?:word|wd|phrase)|pwd|(?<![a-z])pass|token|session[_-]?id|secret"         \
	"|private[_-]?key[_-]?id"                                                        \
	"|(?:api|private|access|secret|signing|encryption|master|client"                 \
	"|account)[_-]?key"                                                              \
	"|auth|credentials?"                                                             \
	"|(?<![a-z])(?:tele)?phone(?:[_-]?(?:number|no))?"                               \
	"|mobile(?:[_-]?(?:number|phone))?|msisdn)"
#define SEP "[ \\t]*(?:=>|:=|[:=])[ \\t]*"

static const struct builtin builtins[] = {
    /* AWS access key ids */
    {"(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|"
     "APKA)"
     "[A-Z0-9]{16}(?![A-Za-z0-9])",
     0, pick_default, RC_AWS_KEY, 80, 0, NEED_NONE,
     "A3T AKIA ASIA ABIA ACCA AGPA AIDA AIPA ANPA ANVA AROA APKA"},
    {"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{20,}+|github_pat_[A-Za-z0-9_]{20,}+)", 0,
     pick_default, RC_GITHUB_TOKEN, 80, 0, NEED_NONE,
     "ghp_ gho_ ghu_ ghs_ ghr_ github_pat_"},
    {"(?<![A-Za-z0-9_-])gl(?:pat|ptt|dt|rt|soat|cbt|ft|imt|oas)-[A-Za-z0-9_-]{20,}+", 0,
     pick_default, RC_GITLAB_TOKEN, 80, 0, NEED_NONE,
     "glpat- glptt- gldt- glrt- glsoat- glcbt- glft- glimt- gloas-"},
    {"(?<![A-Za-z0-9_.-])(?:xox[abposre]|xapp|xoxe(?:\\.xox[bp])?)-[A-Za-z0-9-]{10,}+", 0,
     pick_default, RC_SLACK_TOKEN, 80, 0, NEED_NONE, "xox xapp-"},
    /* webhooks whose URL is the credential */
    {"discord(?:app)?\\.com/api/webhooks/[0-9]++/([A-Za-z0-9_-]++)", 0, pick_default,
     RC_WEBHOOK, 80, 1, NEED_NONE, "/api/webhooks/"},
    {"\\.webhook\\.office\\.com/webhookb2/([A-Za-z0-9@/_-]++)", 0, pick_default,
     RC_WEBHOOK, 80, 1, NEED_NONE, ".webhook.office.com/webhookb2/"},
    /* Sentry DSN: https://KEY@o1.ingest.sentry.io/2 */
    {"(?<![A-Za-z0-9+.-])https?://"
     "([a-f0-9]{32})(?::[a-f0-9]{32})?@[A-Za-z0-9.-]{0,128}?sentry",
     0, pick_default, RC_CI_TOKEN, 80, 1, NEED_NONE, "sentry"},
    /* Vault's older service tokens: s. and 24 characters */
    {"(?<![A-Za-z0-9_.-])s\\.[A-Za-z0-9]{24}(?![A-Za-z0-9_.-])", 0, pick_random,
     RC_VAULT_TOKEN, 80, 0, NEED_NONE, "s."},
    /* Twilio: an auth token after an account SID on the same line */
    {"(?<![A-Za-z0-9])AC[a-f0-9]{32}(?![A-Za-z0-9])[^\\r\\n]{0,200}?"
     "(?<![A-Za-z0-9])([a-f0-9]{32})(?![A-Za-z0-9])",
     0, pick_default, RC_TWILIO_KEY, 70, 1, NEED_NONE, "AC"},
    /* Azure storage and Service Bus connection strings, SAS signatures */
    {"(?<![A-Za-z0-9])(AccountKey|SharedAccessKey|SharedAccessSignature|sig)[ \\t]*=[ "
     "\\t]*"
     "([^\\s;&\"'<>]++)",
     PCRE2_CASELESS, pick_azure, RC_AZURE_KEY, 80, 2, NEED_NONE,
     "accountkey sharedaccesskey sig"},
    /* a bare AWS secret access key, with AWS in sight */
    {"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", 0, pick_aws_secret,
     RC_AWS_SECRET, 35, 0, NEED_NONE, NULL},
    {"hooks\\.slack\\.com/(?:services|workflows|triggers)/([A-Za-z0-9_/-]++)", 0,
     pick_default, RC_SLACK_WEBHOOK, 80, 1, NEED_NONE, "hooks.slack.com/"},
    {"(?<![A-Za-z0-9_])(?:(?:sk|rk|pk)_(?:live|test)|whsec)_[A-Za-z0-9]{10,}+", 0,
     pick_default, RC_STRIPE_KEY, 80, 0, NEED_NONE, "_live_ _test_ whsec_"},
    {"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}+", 0, pick_has_digit, RC_API_KEY, 80, 0,
     NEED_NONE, "sk-"},
    {"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{30,}+", 0, pick_default, RC_GOOGLE_API_KEY, 80,
     0, NEED_NONE, "AIza"},
    {"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}+\\.[A-Za-z0-9_-]{5,}+\\.[A-Za-z0-9_-]*+", 0,
     pick_default, RC_JWT, 75, 0, NEED_NONE, "eyJ"},
    /* Authorization: Bearer X / Basic X, also as a JSON or dict member */
    {"authorization\\\\?[\"']?[ \\t]*[:=][ \\t]*\\\\?[\"']?"
     "(?:(bearer|basic|token|bot|apikey|key|sso-key)[ \\t]+)?([^\\s\"',;\\\\]++)",
     PCRE2_CASELESS, pick_authorization, RC_TOKEN, 60, 2, NEED_NONE, "authorization"},
    {"(?<![A-Za-z0-9_-])[Bb]earer[ \\t]+([A-Za-z0-9._~+/=-]{8,}+)", 0, pick_bearer,
     RC_TOKEN, 55, 1, NEED_NONE, "earer"},
    {"(?<![A-Za-z0-9_-])[Bb]asic[ \\t]+([A-Za-z0-9+/]{4,}+={0,2})(?![A-Za-z0-9+/=])", 0,
     pick_basic, RC_BASIC_AUTH, 55, 1, NEED_NONE, "asic"},
    /* scheme://user:password@host -- the user stays, the password goes */
    {"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\\s/?#@:\"'<>]{0,256}:"
     "([^\\s/?#\"'<>]{1,1024})@",
     0, pick_url_password, RC_PASSWORD, 50, 1, NEED_NONE, "://"},
    /* key=value, key: value, "key": "value", key => 'value' */
    {KV_KEYS "(?:[_-]?(?:confirmation|confirm|hash|digest))?(?![a-z0-9_-])"
	     "(?:\\\\?[\"'])?" SEP "(?:\\\\\"((?:[^\"\\\\\\r\\n]|\\\\(?!\"))*+)\\\\\""
	     "|\"((?:[^\"\\\\\\r\\n]|\\\\.)*+)(?:\"|(?=[\\r\\n])|\\z)"
	     "|'([^'\\r\\n]*+)(?:'|(?=[\\r\\n])|\\z)"
	     "|([^\\s\\x00\"'&,;)\\]}{\\[][^\\s\\x00\"'&,;)\\]}]*+))",
     PCRE2_CASELESS, pick_keyvalue, RC_SECRET, 40, 0, NEED_NONE,
     "pass pwd token session secret key auth credential phone mobile msisdn"},
    /* <password>value</password> */
    {"<([a-z0-9_:.-]{0,64}?(?:password|passwd|pwd|secret|token|api[_-]?key"
     "|private[_-]?key|access[_-]?key|credentials?))>([^<]++)</",
     PCRE2_CASELESS, pick_keyvalue, RC_SECRET, 40, 0, NEED_NONE, "</"},
    /* --password value on a command line */
    {"(?<![A-Za-z0-9_-])--?(pass(?:word|wd)?|token|secret|api-?key|auth-token"
     "|access-token)[ \\t]+([^\\s\"'-][^\\s\"']*+)",
     PCRE2_CASELESS, pick_keyvalue, RC_SECRET, 40, 0, NEED_NONE,
     "-pass -token -secret -api -auth-token -access-token"},
    /* mysql -pSECRET, and the password options of other clients */
    {"(?<![A-Za-z0-9_-])(?:mysql(?:dump|admin|import|check|show|pump|sh|binlog)?"
     "|mariadb(?:-dump|-admin|-import|-check|-show|-binlog)?)(?:\\.exe)?(?![A-Za-z0-9_-])"
     "[^\\r\\n]{0,512}?[ \\t]-p(?:'([^'\\r\\n]++)'|\"([^\"\\r\\n]++)\"|([^\\s\"']++))",
     0, pick_first_group, RC_PASSWORD, 40, 0, NEED_NONE, "mysql mariadb"},
    {"(?<![A-Za-z0-9_-])(?:sshpass[^\\r\\n]{0,256}?[ \\t]-p|redis-cli[^\\r\\n]{0,512}?[ "
     "\\t]-a"
     "|mongo(?:sh|dump|restore|import|export)?[^\\r\\n]{0,512}?[ \\t]-p"
     "|sqlcmd[^\\r\\n]{0,512}?[ \\t]-P|ldap[a-z]*+[^\\r\\n]{0,512}?[ \\t]-w"
     "|docker[ \\t]+login[^\\r\\n]{0,512}?[ \\t]-p)"
     "[ \\t]*+(?:'([^'\\r\\n]++)'|\"([^\"\\r\\n]++)\"|([^\\s\"'-][^\\s\"']*+))",
     0, pick_first_group, RC_PASSWORD, 40, 0, NEED_NONE,
     "sshpass redis-cli mongo sqlcmd ldap docker"},
    /* curl -u user:pass, smbclient -U user%pass */
    {"(?<![A-Za-z0-9_-])curl[^\\r\\n]{0,1024}?[ \\t](?:-u|--user)[ \\t]*+['\"]?"
     "[^\\s:'\"]*+:([^\\s'\"]++)",
     0, pick_first_group, RC_PASSWORD, 40, 0, NEED_NONE, "curl"},
    {"(?<![A-Za-z0-9_-])(?:smbclient|rpcclient|smbmap)[^\\r\\n]{0,512}?[ \\t]-U[ "
     "\\t]*+['\"]?"
     "[^\\s%'\"]++%([^\\s'\"]++)",
     0, pick_first_group, RC_PASSWORD, 40, 0, NEED_NONE, "smbclient rpcclient smbmap"},
    /* openssl -passin pass:X, keytool -storepass X */
    {"(?<![A-Za-z0-9_-])-pass(?:in|out)?[ \\t]++pass:([^\\s\"']++)", 0, pick_first_group,
     RC_PASSWORD, 40, 0, NEED_NONE, "pass:"},
    {"(?<![A-Za-z0-9_-])-(?:src|dest|new)?(?:store|key)?pass[ "
     "\\t]++([^\\s\"'-][^\\s\"']*+)",
     0, pick_first_group, RC_PASSWORD, 40, 0, NEED_NONE, "pass"},
    /* phone numbers: +CC ..., (415) 555-2671, 415-555-2671, 415.555.2671 */
    {"(?<![A-Za-z0-9_+.-])(?:\\+[1-9][0-9]{0,2}(?:[ .-]?+\\(?[0-9]{1,5}\\)?){1,6}"
     "|(?:\\([2-9][0-9]{2}\\)[ ]?|[2-9][0-9]{2}[.-])[2-9][0-9]{2}[.-][0-9]{4})"
     "(?![0-9A-Za-z_]|[.-][0-9])",
     0, pick_phone, RC_PHONE, 25, 0, NEED_NONE, NULL},
    {"(?<![0-9]|[0-9][.,])[0-9](?:[ .-]?[0-9]){12,18}(?![0-9])", 0, pick_card, RC_CARD,
     30, 0, NEED_NONE, NULL},
    {"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@[A-Za-z0-9-]++(?:\\.[A-Za-z0-9-]++)++", 0,
     pick_email, RC_EMAIL, 20, 0, NEED_EMAILS, "@"},
    {"(?<![0-9A-Za-z_.])(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?![0-9]|\\.[0-9])", 0, pick_ipv4,
     RC_IP, 10, 0, NEED_IPS, NULL},
    {"(?<![0-9A-Za-z_:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
     "(?:[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|[0-9A-Fa-f]{0,4})"
     "(?![0-9A-Za-z_:]|\\.[0-9])",
     0, pick_ipv6, RC_IP, 10, 0, NEED_IPS, NULL},
};

static pcre2_code *compile(const char *pattern, uint32_t flags, size_t index)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
					 flags, &err, &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		if (index)
			qe_error("redact pattern %zu: invalid at offset %zu: %s", index,
				 (size_t)off, (const char *)msg);
		else
			qe_error("built-in redact pattern: invalid at offset %zu: %s",
				 (size_t)off, (const char *)msg);
		return NULL;
	}
	return code;
}

/* ASCII letters folded to lower case, other bytes as they are */
static const unsigned char pre_fold[256] = {
#define F4(b) F1(b), F1(b + 1), F1(b + 2), F1(b + 3)
#define F1(b) ((b) >= 'A' && (b) <= 'Z' ? (b) + 32 : (b))
#define F16(b) F4(b), F4(b + 4), F4(b + 8), F4(b + 12)
#define F64(b) F16(b), F16(b + 16), F16(b + 32), F16(b + 48)
    F64(0), F64(64), F64(128), F64(192)
#undef F64
#undef F16
#undef F1
#undef F4
};

static unsigned pre_bucket(unsigned key)
{
	return (key ^ (key >> 7) ^ (key >> 3)) & (PRE_BUCKETS - 1);
}

static int pre_ci_equal(const char *s, const char *w, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (pre_fold[(unsigned char)s[i]] != pre_fold[(unsigned char)w[i]])
			return 0;
	return 1;
}

/* The prefilter of the rules' words; a rule without words (or past
 * MAX_PRE) keeps pre = -1 and always runs. */
static struct prefilter *prefilter_new(struct rule *rules, size_t nr_rules)
{
	struct prefilter *p = qe_xcalloc(1, sizeof(*p));
	size_t i;
	int id = 0;

	for (i = 0; i < PRE_BUCKETS; i++)
		p->head[i] = -1;
	for (i = 0; i < nr_rules; i++) {
		struct rule *ru = &rules[i];
		const char *w = ru->words;
		ru->pre = -1;
		if (!w || ru->custom || ru->scan || id >= MAX_PRE)
			continue;
		ru->pre = id;
		while (*w) {
			size_t l = strcspn(w, " ");
			if (l == 1 && ((p->singles >> id) & 1)) {
				ru->pre = -1; /* one one-byte word per rule */
			} else if (l == 1) {
				p->singles |= (uint64_t)1 << id;
				p->single[id] = *w;
			} else if (l) {
				struct pre_word *pw;
				unsigned k = (unsigned)pre_fold[(unsigned char)w[0]]
						 << 8 |
					     pre_fold[(unsigned char)w[1]];
				QE_ALLOC_GROW(p->words, p->nr + 1, p->alloc);
				pw = &p->words[p->nr];
				pw->w = w;
				pw->len = (unsigned)l;
				pw->key = k;
				pw->caseless = ru->caseless;
				pw->id = id;
				pw->next = p->head[pre_bucket(k)];
				p->head[pre_bucket(k)] = (int)p->nr++;
				p->pairs[k >> 6] |= (uint64_t)1 << (k & 63);
			}
			w += l;
			w += *w == ' ';
		}
		id++;
	}
	return p;
}

struct qe_redactor *qe_redactor_new(const struct qe_config *c)
{
	struct qe_redactor *r = qe_xcalloc(1, sizeof(*r));
	int ips = c ? c->redact_ips : 1, emails = c ? c->redact_emails : 1;
	size_t nr_custom = c ? c->nr_redact_patterns : 0, i, n = 0;
	uint32_t limit = DEFAULT_CUSTOM_MATCH_LIMIT;

	if (c && c->match_limit > 0 && (unsigned long)c->match_limit <= UINT32_MAX)
		limit = (uint32_t)c->match_limit;
	r->builtin_mctx = pcre2_match_context_create(NULL);
	r->custom_mctx = pcre2_match_context_create(NULL);
	if (!r->builtin_mctx || !r->custom_mctx) {
		qe_error("cannot create a match context");
		goto fail;
	}
	pcre2_set_match_limit(r->builtin_mctx, BUILTIN_MATCH_LIMIT);
	pcre2_set_match_limit(r->custom_mctx, limit);

	r->rules = qe_xcalloc(nr_custom + QE_ARRAY_SIZE(builtins) + 3, sizeof(*r->rules));
	for (i = 0; i < nr_custom; i++) {
		struct rule *ru = &r->rules[n];
		uint32_t groups = 0;
		ru->code = compile(c->redact_patterns[i],
				   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, i + 1);
		if (!ru->code)
			goto fail;
		n++;
		pcre2_pattern_info(ru->code, PCRE2_INFO_CAPTURECOUNT, &groups);
		ru->pick = pick_default;
		ru->cls = RC_CUSTOM;
		ru->prio = 100;
		ru->group = groups ? 1 : 0;
		ru->utf = 1;
		ru->custom = i + 1;
	}
	r->rules[n].scan = scan_pem;
	r->rules[n].cls = RC_PRIVATE_KEY;
	n++;
	r->rules[n].scan = scan_cookie;
	r->rules[n].cls = RC_COOKIE;
	n++;
	{
		char *vp = vendor_pattern();
		struct rule *ru = &r->rules[n];
		ru->code = compile(vp, 0, 0);
		free(vp);
		if (!ru->code)
			goto fail;
		n++;
		ru->pick = pick_vendor;
		ru->cls = RC_TOKEN;
		ru->prio = 80;
		ru->words = vendor_words;
		ru->shapes = 1;
	}
	for (i = 0; i < QE_ARRAY_SIZE(builtins); i++) {
		const struct builtin *b = &builtins[i];
		struct rule *ru = &r->rules[n];
		if ((b->need == NEED_IPS && !ips) || (b->need == NEED_EMAILS && !emails))
			continue;
		ru->code = compile(b->pattern, b->flags, 0);
		if (!ru->code)
			goto fail;
		n++;
		ru->pick = b->pick;
		ru->cls = b->cls;
		ru->prio = b->prio;
		ru->group = b->group;
		ru->words = b->words;
		ru->caseless = !!(b->flags & PCRE2_CASELESS);
		if (!b->words) {
			size_t g;
			for (g = 0; g < QE_ARRAY_SIZE(gates); g++)
				if (gates[g].pick == b->pick)
					ru->gate = gates[g].gate;
		}
	}
	r->nr_rules = n;
	r->pre = prefilter_new(r->rules, n);
	return r;
fail:
	r->nr_rules = n;
	qe_redactor_free(r);
	return NULL;
}

struct qe_redactor *qe_redactor_ref(struct qe_redactor *r)
{
	if (r)
		r->refs++;
	return r;
}

void qe_redactor_free(struct qe_redactor *r)
{
	size_t i;
	if (!r)
		return;
	if (r->refs) {
		r->refs--;
		return;
	}
	for (i = 0; i < r->nr_rules; i++)
		pcre2_code_free(r->rules[i].code);
	free(r->rules);
	if (r->pre) {
		free(r->pre->words);
		free(r->pre);
	}
	pcre2_match_context_free(r->builtin_mctx);
	pcre2_match_context_free(r->custom_mctx);
	pcre2_match_data_free(r->md);
	free(r);
}

struct qe_redaction *qe_redaction_new(const struct qe_redactor *r)
{
	struct qe_redaction *s = qe_xcalloc(1, sizeof(*s));
	s->r = r;
	return s;
}

/* Forget the values s numbered: the map holds the secrets themselves,
 * which are not left behind in freed memory. */
static void redaction_clear(struct qe_redaction *s)
{
	size_t i;
	for (i = 0; i < s->map_size; i++) {
		if (s->map[i].val) {
			explicit_bzero(s->map[i].val, s->map[i].len);
			free(s->map[i].val);
		}
	}
	free(s->map);
}

void qe_redaction_free(struct qe_redaction *s)
{
	if (!s)
		return;
	redaction_clear(s);
	free(s);
}

size_t qe_redaction_count(const struct qe_redaction *s)
{
	return s ? s->count : 0;
}

/* ---- the placeholder map ---- */

static uint64_t value_hash(int cls, const char *v, size_t l)
{
	return qe_fnv1a(v, l) ^ ((uint64_t)(unsigned)cls * 0x9e3779b97f4a7c15ULL);
}

static void map_grow(struct qe_redaction *s)
{
	size_t nsize = s->map_size ? s->map_size * 2 : 64, i;
	struct map_entry *nm = qe_xcalloc(nsize, sizeof(*nm));
	for (i = 0; i < s->map_size; i++) {
		struct map_entry *e = &s->map[i];
		size_t j;
		if (!e->val)
			continue;
		for (j = e->hash & (nsize - 1); nm[j].val; j = (j + 1) & (nsize - 1))
			;
		nm[j] = *e;
	}
	free(s->map);
	s->map = nm;
	s->map_size = nsize;
}

static unsigned placeholder_num(struct qe_redaction *s, int cls, const char *v, size_t l)
{
	uint64_t h = value_hash(cls, v, l);
	size_t j;
	struct map_entry *e;
	if (s->map_used >= MAX_MAP_ENTRIES)
		return ++s->next_num[cls];
	if ((s->map_used + 1) * 10 > s->map_size * 7)
		map_grow(s);
	for (j = h & (s->map_size - 1); s->map[j].val; j = (j + 1) & (s->map_size - 1)) {
		e = &s->map[j];
		if (e->hash == h && e->cls == cls && e->len == l && !memcmp(e->val, v, l))
			return e->num;
	}
	e = &s->map[j];
	e->val = qe_xstrndup(v, l);
	e->len = l;
	e->hash = h;
	e->cls = cls;
	e->num = ++s->next_num[cls];
	s->map_used++;
	return e->num;
}

/* ---- matching ---- */

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	if (x->e != y->e)
		return x->e > y->e ? -1 : 1;
	return y->prio - x->prio;
}

static void run_rule(const struct qe_redactor *r, const struct rule *ru, const char *t,
		     size_t len, pcre2_match_data *md, struct cands *c)
{
	size_t off = 0;
	int warned = 0;
	pcre2_match_context *mctx = ru->custom ? r->custom_mctx : r->builtin_mctx;

	if (ru->scan) {
		ru->scan(t, len, c);
		return;
	}
	if (!ru->jit) {
		/* the redactor is not const where it was made (and one
		 * thread uses it); without JIT the interpreter runs the same
		 * pattern, only slower */
		((struct rule *)ru)->jit = 1;
		pcre2_jit_compile(ru->code, PCRE2_JIT_COMPLETE);
	}
	while (off <= len) {
		int rc = pcre2_match(ru->code, (PCRE2_SPTR)t, len, off, 0, md, mctx);
		const PCRE2_SIZE *ov;
		struct span sp;
		size_t ms, me;
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc < 0) {
			/* a runaway pattern: give up on this line, not on the text */
			const char *nl = memchr(t + off, '\n', len - off);
			if (!warned && ru->custom)
				qe_warning("redact pattern %zu: match limit reached; "
					   "rest of the line not searched",
					   ru->custom);
			warned = 1;
			if (!nl)
				break;
			off = (size_t)(nl - t) + 1;
			continue;
		}
		ov = pcre2_get_ovector_pointer(md);
		ms = ov[0];
		me = ov[1];
		if (rc == 0)
			rc = (int)pcre2_get_ovector_count(md);
		if (ru->pick(ru, t, len, ov, rc, &sp) && sp.e > sp.s) {
			cands_add(c, sp.s, sp.e, sp.cls, ru->prio);
			off = me > ms ? me : ms + 1;
		} else {
			off = ms + 1;
		}
		/* in UTF mode the search must resume on a character boundary */
		while (ru->utf && off < len && ((unsigned char)t[off] & 0xc0) == 0x80)
			off++;
	}
}

/* Bit i set: a word of prefilter rule i occurs in text. */
static uint64_t prefilter_scan(const struct prefilter *p, const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text;
	uint64_t hits = 0;
	size_t i;
	int id;

	for (id = 0; id < MAX_PRE; id++)
		if (((p->singles >> id) & 1) && memchr(text, p->single[id], len))
			hits |= (uint64_t)1 << id;
	for (i = 0; i + 1 < len; i++) {
		unsigned k = (unsigned)pre_fold[t[i]] << 8 | pre_fold[t[i + 1]];
		int j;
		if (!((p->pairs[k >> 6] >> (k & 63)) & 1))
			continue;
		for (j = p->head[pre_bucket(k)]; j >= 0; j = p->words[j].next) {
			const struct pre_word *w = &p->words[j];
			if (w->key != k || w->len > len - i || ((hits >> w->id) & 1))
				continue;
			if (w->caseless ? pre_ci_equal(text + i, w->w, w->len)
					: !memcmp(text + i, w->w, w->len))
				hits |= (uint64_t)1 << w->id;
		}
	}
	return hits;
}

char *qe_redact_mem(struct qe_redaction *s, const char *text, size_t len, size_t *out_len)
{
	const struct qe_redactor *r = s->r;
	struct cands c = {NULL, 0, 0};
	struct qe_buf out = QE_BUF_INIT;
	pcre2_match_data *md = r->md;
	uint64_t may = prefilter_scan(r->pre, text, len);
	unsigned gates_got = gate_scan(text, len);
	size_t i, prev = 0;

	if (!md) {
		md = pcre2_match_data_create(MATCH_GROUPS, NULL);
		if (!md)
			abort();
		((struct qe_redactor *)r)->md = md;
	}
	for (i = 0; i < r->nr_rules; i++) {
		const struct rule *ru = &r->rules[i];
		if (ru->pre >= 0 && !((may >> ru->pre) & 1) &&
		    !(ru->shapes && discord_shape(text, len)))
			continue; /* cannot match anywhere in text */
		if (ru->gate && !(gates_got & ru->gate))
			continue;
		run_rule(r, ru, text, len, md, &c);
	}

	if (c.nr)
		qsort(c.v, c.nr, sizeof(*c.v), span_cmp);
	qe_buf_grow(&out, len);
	for (i = 0; i < c.nr;) {
		struct span cur = c.v[i++];
		char ph[64];
		/* union of everything that overlaps: no candidate byte survives */
		while (i < c.nr && c.v[i].s < cur.e) {
			struct span *n = &c.v[i++];
			if (n->e > cur.e) {
				size_t nl = n->e - n->s, cl = cur.e - cur.s;
				if (nl > cl || (nl == cl && n->prio > cur.prio)) {
					cur.cls = n->cls;
					cur.prio = n->prio;
				}
				cur.e = n->e;
			}
		}
		qe_buf_add(&out, text + prev, cur.s - prev);
		snprintf(ph, sizeof(ph), "<%s_%u>", class_names[cur.cls],
			 placeholder_num(s, cur.cls, text + cur.s, cur.e - cur.s));
		qe_buf_addstr(&out, ph);
		s->count++;
		prev = cur.e;
	}
	qe_buf_add(&out, text + prev, len - prev);
	free(c.v);
	if (out_len)
		*out_len = out.len;
	return qe_buf_detach(&out);
}

char *qe_redact(struct qe_redaction *s, const char *text, size_t len)
{
	return qe_redact_mem(s, text, len, NULL);
}

char *qe_redact_once(const struct qe_redactor *r, const char *text, size_t len)
{
	struct qe_redaction s;
	char *out;

	memset(&s, 0, sizeof(s));
	s.r = r;
	out = qe_redact_mem(&s, text, len, NULL);
	redaction_clear(&s);
	return out;
}

/* ---- JSON documents ---- */

static json_t *redacted_string(struct qe_redaction *s, const char *text, size_t len)
{
	size_t n;
	char *out = qe_redact_mem(s, text, len, &n);
	json_t *v = json_stringn(out, n);
	if (!v) {
		/* placeholders are ASCII, so this needs input that was not UTF-8 */
		char *clean = qe_utf8_sanitize(out, n);
		v = json_string(clean);
		free(clean);
	}
	free(out);
	return v ? v : json_string("");
}

static json_t *redact_value(struct qe_redaction *s, json_t *v)
{
	json_t *out, *item;
	const char *k;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return redacted_string(s, json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
		out = json_array();
		json_array_foreach(v, i, item)
		    json_array_append_new(out, redact_value(s, item));
		return out;
	case JSON_OBJECT:
		out = json_object();
		json_object_foreach(v, k, item)
		{
			char *rk = qe_redact(s, k, strlen(k));
			json_object_set_new(out, rk, redact_value(s, item));
			free(rk);
		}
		return out;
	default:
		return json_incref(v);
	}
}

char *qe_redact_json(const struct qe_redactor *r, const char *json)
{
	struct qe_redaction *s = qe_redaction_new(r);
	json_t *doc = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	char *out = NULL;
	if (doc) {
		json_t *clean = redact_value(s, doc);
		out = json_dumps(clean, JSON_COMPACT | JSON_ENCODE_ANY |
					    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
		json_decref(clean);
		json_decref(doc);
	}
	if (!out)
		out = qe_redact(s, json, strlen(json));
	qe_redaction_free(s);
	return out;
}
