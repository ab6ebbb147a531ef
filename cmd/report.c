/* Shared event output: see report.h */
#include "report.h"

#include "event.h"
#include "store.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

json_t *qe_report_string(const char *s)
{
	char *clean;
	json_t *j;
	size_t len, i;
	if (!s)
		return json_null();
	/* Most log text is ASCII without control bytes: that is valid UTF-8
	 * already, and checking it again would cost more than the copy. */
	len = strlen(s);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			break;
	if (i == len)
		return json_stringn_nocheck(s, len);
	clean = qe_utf8_sanitize(s, len);
	j = json_string(clean);
	free(clean);
	return j ? j : json_string("");
}

json_t *qe_report_event_json(const struct qe_event *ev)
{
	json_t *o = json_object(), *lines = json_array();
	size_t i;
	for (i = 0; i < ev->nr_lines; i++)
		json_array_append_new(lines, qe_report_string(ev->lines[i]));
	json_object_set_new(o, "fingerprint", json_string(ev->fingerprint));
	json_object_set_new(o, "kind", qe_report_string(ev->kind));
	json_object_set_new(o, "type", qe_report_string(ev->type));
	json_object_set_new(o, "message", qe_report_string(ev->message));
	json_object_set_new(o, "severity", json_string(qe_severity_name(ev->severity)));
	json_object_set_new(o, "rule", qe_report_string(ev->rule));
	json_object_set_new(o, "template", qe_report_string(ev->template));
	json_object_set_new(o, "truncated", json_boolean(ev->truncated));
	json_object_set_new(o, "lines", lines);
	return o;
}

/* Serialised into one reused buffer and written with one call: jansson's
 * own stream writer calls fwrite() per token. */
static struct qe_buf json_out = QE_BUF_INIT;

int qe_report_print_json(json_t *obj)
{
	size_t need;
	const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
	qe_buf_reset(&json_out);
	if (!json_out.alloc)
		qe_buf_grow(&json_out, 4096);
	need = json_dumpb(obj, json_out.buf, json_out.alloc - 1, flags);
	if (!need)
		return -1;
	if (need > json_out.alloc - 1) {
		qe_buf_grow(&json_out, need + 1);
		need = json_dumpb(obj, json_out.buf, json_out.alloc - 1, flags);
	}
	json_out.buf[need] = '\n';
	if (fwrite(json_out.buf, 1, need + 1, stdout) != need + 1)
		return -1;
	/* give back the memory of an unusually large record */
	if (json_out.alloc > (1u << 20))
		qe_buf_release(&json_out);
	return 0;
}

/*
 * The writers below store straight into the buffer: room() makes space
 * for the most a piece can take, done() sets the length (and the NUL the
 * buffer keeps) where the piece ended.  One check per piece, not one per
 * byte.
 */
static char *room(struct qe_ndjson *j, size_t n)
{
	if (j->b.alloc - j->b.len <= n)
		qe_buf_grow(&j->b, n);
	return j->b.buf + j->b.len;
}

static void done(struct qe_ndjson *j, char *end)
{
	j->b.len = (size_t)(end - j->b.buf);
	*end = '\0';
}

static void add_bytes(struct qe_ndjson *j, const char *s, size_t len)
{
	char *p = room(j, len);
	memcpy(p, s, len);
	done(j, p + len);
}

void qe_ndjson_begin(struct qe_ndjson *j)
{
	if (!j->b.alloc)
		qe_buf_grow(&j->b, 4096);
	j->b.buf[0] = '{';
	done(j, j->b.buf + 1);
	j->first = 1;
}

/* A bit in each byte of x that needs a look: a control byte, '"', '\\'
 * or a byte >= 0x80 (a false hit only above a true one, which is fine:
 * the bytes are then looked at one by one from the first hit). */
static uint64_t special8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
	return (((q - ones) & ~q) | ((bs - ones) & ~bs) | ((x - ones * 0x20) & ~x) | x) &
	       highs;
}

/*
 * What each byte becomes inside a JSON string, as jansson writes it: 0
 * the byte itself, 'u' \u00XX, 'h' a byte of a UTF-8 sequence (copied),
 * else a backslash and this letter.  '/' and 0x7f stay as they are.
 */
#define H8 'h', 'h', 'h', 'h', 'h', 'h', 'h', 'h'
static const unsigned char json_escape[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f',  'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',  'u', 'u', 'u',
    0,	 0,   '"', 0,	0,   0,	  0,   0,   0,	 0,   0,   0,	0,    0,   0,	0,
    0,	 0,   0,   0,	0,   0,	  0,   0,   0,	 0,   0,   0,	0,    0,   0,	0,
    0,	 0,   0,   0,	0,   0,	  0,   0,   0,	 0,   0,   0,	0,    0,   0,	0,
    0,	 0,   0,   0,	0,   0,	  0,   0,   0,	 0,   0,   0,	'\\', 0,   0,	0,
    0,	 0,   0,   0,	0,   0,	  0,   0,   0,	 0,   0,   0,	0,    0,   0,	0,
    0,	 0,   0,   0,	0,   0,	  0,   0,   0,	 0,   0,   0,	0,    0,   0,	0,
    H8,	 H8,  H8,  H8,	H8,  H8,  H8,  H8,  H8,	 H8,  H8,  H8,	H8,   H8,  H8,	H8,
};
#undef H8

/* The longest a byte becomes (\u00XX), and how much of a long string is
 * escaped per room() call, so that the room asked for stays small. */
#define ESCAPE_MAX 6
#define ESCAPE_CHUNK 4096

#ifdef __SSE2__
/* s[0..16) copied to p; a bit for each of them that needs a look.  As
 * signed bytes, a control byte and a byte >= 0x80 are both below ' '. */
static unsigned special16(char *p, const char *s)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i hit = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(' ')),
				   _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
						_mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
	_mm_storeu_si128((__m128i *)(void *)p, x);
	return (unsigned)_mm_movemask_epi8(hit);
}
#endif

/*
 * How many bytes from s need no escape, at most len; they are copied to
 * p, which has room for len bytes, as they are looked at (the copy is
 * made before the test).  With SSE2 the count is exact for 16 bytes or
 * more; otherwise a multiple of 8, the rest for the caller to look at.
 */
static size_t copy_plain(char *p, const char *s, size_t len)
{
	size_t i = 0;
#ifdef __SSE2__
	if (len >= 16) {
		unsigned hit;
		for (; i + 16 <= len; i += 16)
			if ((hit = special16(p + i, s + i)))
				return i + (size_t)__builtin_ctz(hit);
		if (i == len)
			return len;
		/* the last bytes in a block that ends with them, whose first
		 * bytes were looked at (and copied) already */
		hit = special16(p + len - 16, s + len - 16) >> (i + 16 - len);
		return hit ? i + (size_t)__builtin_ctz(hit) : len;
	}
#endif
	for (; i + 8 <= len; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		memcpy(p + i, &x, 8);
		if (special8(x))
			break;
	}
	return i;
}

/*
 * s[0..len) escaped at p, which has room for ESCAPE_MAX * len bytes;
 * returns where it ended, or NULL at a byte >= 0x80 when stop_high is set.
 */
static char *escape(char *p, const char *s, size_t len, int stop_high)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *end = s + len;
	while (s < end) {
		size_t plain = copy_plain(p, s, (size_t)(end - s));
		unsigned char c;
		s += plain;
		p += plain;
		while (s < end && !json_escape[(unsigned char)*s])
			*p++ = *s++;
		if (s == end)
			break;
		c = (unsigned char)*s++;
		switch (json_escape[c]) {
		case 'h':
			if (stop_high)
				return NULL;
			*p++ = (char)c;
			break;
		case 'u':
			p[0] = '\\';
			p[1] = 'u'; /* \u00XX */
			p[2] = '0';
			p[3] = '0';
			p[4] = hex[c >> 4];
			p[5] = hex[c & 15];
			p += 6;
			break;
		default:
			p[0] = '\\';
			p[1] = (char)json_escape[c];
			p += 2;
		}
	}
	return p;
}

/* '"', s escaped, '"'; 0, having added part of it, at a byte >= 0x80
 * when stop_high is set. */
static int add_string(struct qe_ndjson *j, const char *s, size_t len, int stop_high)
{
	size_t n = len < ESCAPE_CHUNK ? len : ESCAPE_CHUNK;
	char *p = room(j, 2 + ESCAPE_MAX * n);
	*p++ = '"';
	for (;;) {
		p = escape(p, s, n, stop_high);
		if (!p)
			return 0;
		s += n;
		len -= n;
		if (!len)
			break;
		done(j, p);
		n = len < ESCAPE_CHUNK ? len : ESCAPE_CHUNK;
		p = room(j, 1 + ESCAPE_MAX * n);
	}
	*p++ = '"';
	done(j, p);
	return 1;
}

void qe_ndjson_str(struct qe_ndjson *j, const char *s)
{
	size_t len, start;
	char *clean;
	if (!s) {
		add_bytes(j, "null", 4);
		return;
	}
	len = strlen(s);
	/* most log text is ASCII: valid UTF-8 already, no copy needed; at
	 * the first byte that is not, start again from a sanitised copy */
	start = j->b.len;
	if (add_string(j, s, len, 1))
		return;
	qe_buf_truncate(&j->b, start);
	clean = qe_utf8_sanitize(s, len);
	add_string(j, clean, strlen(clean), 0);
	free(clean);
}

void qe_ndjson_word(struct qe_ndjson *j, const char *s)
{
	add_bytes(j, "\"", 1);
	add_bytes(j, s, strlen(s));
	add_bytes(j, "\"", 1);
}

void qe_ndjson_raw(struct qe_ndjson *j, const char *literal)
{
	add_bytes(j, literal, strlen(literal));
}

void qe_ndjson_bool(struct qe_ndjson *j, int v)
{
	if (v)
		add_bytes(j, "true", 4);
	else
		add_bytes(j, "false", 5);
}

void qe_ndjson_int(struct qe_ndjson *j, long long v)
{
	char num[24], *d = num + sizeof(num);
	/* the magnitude in unsigned arithmetic: -LLONG_MIN does not fit */
	unsigned long long u =
	    v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--d = '-';
	add_bytes(j, d, (size_t)(num + sizeof(num) - d));
}

void qe_ndjson_json(struct qe_ndjson *j, json_t *v)
{
	char *text;
	if (!v) {
		qe_buf_add(&j->b, "null", 4);
		return;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	qe_buf_addstr(&j->b, text ? text : "null");
	free(text);
}

void qe_ndjson_event(struct qe_ndjson *j, const struct qe_event *ev,
		     const char *record_type)
{
	size_t i;
	qe_ndjson_key(j, "fingerprint");
	qe_ndjson_word(j, ev->fingerprint);
	qe_ndjson_key(j, "kind");
	qe_ndjson_str(j, ev->kind);
	qe_ndjson_key(j, "type");
	qe_ndjson_word(j, record_type);
	qe_ndjson_key(j, "message");
	qe_ndjson_str(j, ev->message);
	qe_ndjson_key(j, "severity");
	qe_ndjson_word(j, qe_severity_name(ev->severity));
	qe_ndjson_key(j, "rule");
	qe_ndjson_str(j, ev->rule);
	qe_ndjson_key(j, "template");
	qe_ndjson_str(j, ev->template);
	qe_ndjson_key(j, "truncated");
	qe_ndjson_bool(j, ev->truncated);
	qe_ndjson_key(j, "lines");
	add_bytes(j, "[", 1);
	for (i = 0; i < ev->nr_lines; i++) {
		if (i)
			add_bytes(j, ",", 1);
		qe_ndjson_str(j, ev->lines[i]);
	}
	add_bytes(j, "]", 1);
}

int qe_ndjson_end(struct qe_ndjson *j)
{
	int rc = 0;
	add_bytes(j, "}\n", 2);
	if (fwrite(j->b.buf, 1, j->b.len, stdout) != j->b.len)
		rc = -1;
	if (j->b.alloc > (1u << 20))
		qe_buf_release(&j->b); /* an unusually large record */
	return rc;
}

json_t *qe_report_parse_advice(const char *text)
{
	json_error_t err;
	json_t *j;
	if (!text)
		return NULL;
	j = json_loads(text, 0, &err);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static void print_field(FILE *out, const char *indent, const char *label,
			const char *bold, const char *reset, const char *text)
{
	const char *p = text, *nl;
	char *clean;
	if (!text || !*text)
		return;
	clean = qe_utf8_sanitize(text, strlen(text));
	p = clean;
	fprintf(out, "%s%s%s:%s ", indent, bold, label, reset);
	while ((nl = strchr(p, '\n'))) {
		fprintf(out, "%.*s\n%s  ", (int)(nl - p), p, indent);
		p = nl + 1;
	}
	fprintf(out, "%s\n", p);
	free(clean);
}

void qe_report_advice_text(struct qe_ctx *ctx, FILE *out, json_t *advice,
			   const char *indent)
{
	const char *bold = qe_color_code(ctx, "\033[1m");
	const char *reset = qe_color_code(ctx, "\033[0m");
	json_t *conf = json_object_get(advice, "confidence");
	json_t *refs = json_object_get(advice, "references");
	print_field(out, indent, "summary", bold, reset,
		    json_string_value(json_object_get(advice, "summary")));
	print_field(out, indent, "root cause", bold, reset,
		    json_string_value(json_object_get(advice, "root_cause")));
	print_field(out, indent, "fix", bold, reset,
		    json_string_value(json_object_get(advice, "fix")));
	if (json_is_number(conf))
		fprintf(out, "%s%sconfidence:%s %.2f\n", indent, bold, reset,
			json_number_value(conf));
	if (json_is_array(refs) && json_array_size(refs)) {
		size_t i;
		json_t *r;
		fprintf(out, "%s%sreferences:%s\n", indent, bold, reset);
		json_array_foreach(refs, i, r)
		{
			if (json_is_string(r)) {
				char *c = qe_utf8_sanitize(json_string_value(r),
							   strlen(json_string_value(r)));
				fprintf(out, "%s  - %s\n", indent, c);
				free(c);
			}
		}
	}
}

void qe_report_time_local(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char off[8];
	size_t l;
	localtime_r(&t, &tm);
	l = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	/* ISO 8601 extended form wants +hh:mm; strftime gives +hhmm */
	if (strftime(off, sizeof(off), "%z", &tm) == 5)
		snprintf(buf + l, n - l, "%.3s:%s", off, off + 3);
}

/* How many dates qe_report_time_utc() keeps made: a scan's events carry
 * the log's own time or the time they were read, a few days at most. */
#define DATES 8

void qe_report_time_utc(int64_t ms, char *buf, size_t n)
{
	/* A scan stamps thousands of records a day: the date is made by
	 * gmtime_r() and strftime() once for each day, the time of day by
	 * division.  The dates are looked for from the last one used and
	 * replaced in turn. */
	static struct {
		time_t day_start;
		char text[48]; /* "YYYY-MM-DDT" */
		size_t len;    /* 0: not made yet */
	} dates[DATES];
	static size_t last, next;
	time_t t = (time_t)(ms / 1000), secs = t % 86400;
	char out[64];
	size_t len, i;
	if (secs < 0)
		secs += 86400;
	for (i = 0; i < DATES; i++) {
		size_t k = (last + i) % DATES;
		if (dates[k].len && dates[k].day_start == t - secs)
			break;
	}
	if (i < DATES) {
		last = (last + i) % DATES;
	} else {
		struct tm tm;
		last = next;
		next = (next + 1) % DATES;
		dates[last].day_start = t - secs;
		gmtime_r(&dates[last].day_start, &tm);
		dates[last].len = strftime(dates[last].text, sizeof(dates[last].text),
					   "%Y-%m-%dT", &tm);
	}
	memcpy(out, dates[last].text, dates[last].len);
	len = dates[last].len;
	out[len++] = (char)('0' + secs / 36000);
	out[len++] = (char)('0' + secs / 3600 % 10);
	out[len++] = ':';
	out[len++] = (char)('0' + secs / 600 % 6);
	out[len++] = (char)('0' + secs / 60 % 10);
	out[len++] = ':';
	out[len++] = (char)('0' + secs % 60 / 10);
	out[len++] = (char)('0' + secs % 10);
	out[len++] = 'Z';
	if (!n)
		return;
	if (len >= n)
		len = n - 1;
	memcpy(buf, out, len);
	buf[len] = '\0';
}

json_t *qe_report_time_json(int64_t ms)
{
	char buf[64];
	if (ms <= 0)
		return json_null();
	qe_report_time_utc(ms, buf, sizeof(buf));
	return json_string(buf);
}

void qe_report_size(long long bytes, char *buf, size_t n)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	size_t u = 0;
	if (bytes < 1024) {
		snprintf(buf, n, "%lld B", bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < QE_ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, "%.1f %s", v, units[u]);
}

#define FP_MIN 4
#define FP_LEN 16
#define MAX_CANDIDATES 10

struct candidates {
	char *fp[MAX_CANDIDATES];
	size_t n, total;
};

static int on_candidate(const char *fp, void *data)
{
	struct candidates *c = data;
	if (c->n < MAX_CANDIDATES)
		c->fp[c->n++] = qe_xstrdup(fp);
	c->total++;
	return 0;
}

char *qe_report_resolve_fp(struct qe_store *s, const char *arg, int which,
			   const char *missing, int *rc)
{
	struct candidates c;
	char prefix[FP_LEN + 1], *fp = NULL;
	size_t i, len = strlen(arg);

	memset(&c, 0, sizeof(c));
	*rc = QE_EXIT_USAGE;
	if (len < FP_MIN || len > FP_LEN)
		goto bad;
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)arg[i]))
			goto bad;
		prefix[i] = (char)tolower((unsigned char)arg[i]);
	}
	prefix[len] = '\0';
	*rc = QE_EXIT_FAILURE;
	if (qe_store_fingerprints(s, prefix, which, on_candidate, &c) < 0) {
		qe_error_msg("%s", qe_last_error());
		goto out;
	}
	if (!c.total) {
		qe_error_msg("%s '%s'", missing, arg);
		goto out;
	}
	if (c.total > 1) {
		qe_error_msg("fingerprint prefix '%s' is ambiguous; candidates:", arg);
		for (i = 0; i < c.n; i++)
			fprintf(stderr, "  %s\n", c.fp[i]);
		if (c.total > c.n)
			fprintf(stderr, "  ... and %zu more\n", c.total - c.n);
		*rc = QE_EXIT_USAGE;
		goto out;
	}
	fp = c.fp[0];
	c.fp[0] = NULL;
	*rc = QE_EXIT_OK;
	goto out;
bad:
	qe_error_msg("'%s' is not a fingerprint (%d to %d hexadecimal digits)", arg,
		     FP_MIN, FP_LEN);
out:
	for (i = 0; i < c.n; i++)
		free(c.fp[i]);
	return fp;
}

char *qe_report_sparkline(const long long *v, size_t n, int utf8)
{
	static const char *const blocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
					     "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = ":-=+*#%";
	struct qe_buf b = QE_BUF_INIT;
	long long max = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (i = 0; i < n; i++) {
		size_t levels = utf8 ? QE_ARRAY_SIZE(blocks) : sizeof(ascii) - 1, k;
		if (v[i] <= 0) {
			qe_buf_addstr(&b, utf8 ? "\u00b7" : ".");
			continue;
		}
		/* 1..max onto the levels, the largest always the top one */
		k = (size_t)((v[i] * (long long)levels + max - 1) / max - 1);
		if (k >= levels)
			k = levels - 1;
		if (utf8)
			qe_buf_addstr(&b, blocks[k]);
		else
			qe_buf_addch(&b, ascii[k]);
	}
	if (!b.buf)
		qe_buf_addstr(&b, "");
	return qe_buf_detach(&b);
}

int qe_report_utf8_locale(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return 0;
}

void qe_report_wrap(FILE *out, const char *text, const char *first, const char *indent,
		    size_t width)
{
	char *clean = qe_utf8_sanitize(text ? text : "", text ? strlen(text) : 0), *p;
	const char *lead = first;
	size_t col, ilen = strlen(indent);
	int bol = 1;

	for (p = clean; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
			*p = ' ';
	p = clean;
	col = 0;
	while (*p) {
		size_t wlen;
		if (*p == '\n') {
			fputc('\n', out);
			bol = 1;
			p++;
			continue;
		}
		if (*p == ' ') {
			p++;
			continue;
		}
		wlen = strcspn(p, " \n");
		if (bol) {
			fputs(lead, out);
			col = strlen(lead);
			lead = indent;
			bol = 0;
		} else if (col + 1 + wlen > width && col > ilen) {
			fprintf(out, "\n%s", indent);
			col = ilen;
		} else {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, wlen, out);
		col += wlen;
		p += wlen;
	}
	if (!bol)
		fputc('\n', out);
	free(clean);
}

int qe_exit_for_ai(enum qe_ai_status st)
{
	switch (st) {
	case QE_AI_OK:
	case QE_AI_NOT_CONFIGURED:
	case QE_AI_CANCELLED:
		return QE_EXIT_OK;
	case QE_AI_QUOTA:
		return QE_EXIT_AI_QUOTA;
	case QE_AI_AUTH:
		return QE_EXIT_AI_AUTH;
	default:
		return QE_EXIT_AI_UNAVAILABLE;
	}
}

int qe_exit_worse(int a, int b)
{
	static const int order[] = {QE_EXIT_OK, QE_EXIT_AI_UNAVAILABLE, QE_EXIT_AI_AUTH,
				    QE_EXIT_AI_QUOTA, QE_EXIT_FAILURE};
	size_t i, ia = 0, ib = 0;
	for (i = 0; i < QE_ARRAY_SIZE(order); i++) {
		if (order[i] == a)
			ia = i;
		if (order[i] == b)
			ib = i;
	}
	return ia >= ib ? a : b;
}

/* At most `room` display columns of s (UTF-8 sanitized), with "..." when
 * cut.  Caller frees. */
char *qe_report_fit(const char *s, size_t room)
{
	char *clean = qe_utf8_sanitize(s, strlen(s));
	size_t cols = 0, i = 0, last = 0;
	for (i = 0; clean[i]; i++) {
		if (((unsigned char)clean[i] & 0xc0) == 0x80)
			continue; /* continuation byte: same column */
		if (cols == room - 3)
			last = i;
		cols++;
		if (cols > room) {
			memcpy(clean + last, "...", 4);
			break;
		}
	}
	return clean;
}

/* What to do about an AI failure, for the one notice per kind. */
const char *qe_report_ai_fix(enum qe_ai_status st)
{
	switch (st) {
	case QE_AI_AUTH:
		return "check the key: OPENAI_API_KEY, QERRORS_AI_API_KEY or ai.api_key";
	case QE_AI_QUOTA:
		return "the account has no quota left; advice resumes once it has";
	case QE_AI_REJECTED:
		return "check ai.base_url and ai.model ('qerrors doctor' tests both)";
	case QE_AI_INVALID:
	case QE_AI_TRUNCATED:
	case QE_AI_REFUSED:
		return "the model's answers cannot be used; try another ai.model";
	case QE_AI_CIRCUIT_OPEN:
		return "asking is paused after repeated failures and resumes by itself";
	default:
		return "errors are still recorded; 'qerrors advice --ask' asks again";
	}
}
