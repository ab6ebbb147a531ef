/*
 * decode: per-format unwrapping of physical lines (see decode.h).
 *
 * The wrappers (Docker, CRI, syslog, ISO timestamps) are parsed by hand:
 * they are fixed shapes and sit on every line.  JSON bodies are parsed
 * with jansson, except that a line is first classified by a scan that
 * only looks for key names and a level value, so that the bulk of a JSON
 * log (info lines) costs one memchr-driven pass and no allocation.
 */
#include "decode.h"

#include "ansi.h"
#include "config.h"
#include "decode_xml.h"
#include "event.h"
#include "source.h"
#include "util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_MAX_LINE 65536
#define LEVEL_SEARCH_DEPTH 4

/* ---- names ---- */

static const char *const format_names[] = {
    "auto", "text", "json", "docker", "cri", "syslog", "journal",
};

const char *qe_format_name(enum qe_format f)
{
	if ((size_t)f >= QE_ARRAY_SIZE(format_names))
		return "?";
	return format_names[f];
}

int qe_format_parse(const char *s, enum qe_format *out)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(format_names); i++)
		if (!strcmp(s, format_names[i])) {
			*out = (enum qe_format)i;
			return 0;
		}
	return qe_error("unknown log format '%s' (auto, text, json, docker, cri, syslog, "
			"journal)",
			s);
}

int qe_decode_opts_from_config(struct qe_decode_opts *o, const struct qe_config *c,
			       const char *path)
{
	memset(o, 0, sizeof(*o));
	if (qe_format_parse(c->log_format ? c->log_format : "auto", &o->format) < 0)
		return -1;
	o->fields.level = c->json_level;
	o->fields.message = c->json_message;
	o->fields.logger = c->json_logger;
	o->fields.time = c->json_time;
	o->fields.exception = c->json_exception;
	o->fields.error_type = c->json_error_type;
	o->max_line_bytes = c->max_line_bytes > 0 ? (size_t)c->max_line_bytes : 0;
	o->path = path;
	return 0;
}

int qe_decode_opts_for_source(struct qe_decode_opts *o, const struct qe_config *c,
			      const struct qe_source_opts *so, const char *path)
{
	const char **dst[] = {&o->fields.level,	    &o->fields.message,
			      &o->fields.logger,    &o->fields.time,
			      &o->fields.exception, &o->fields.error_type};
	const char *src[QE_ARRAY_SIZE(dst)];
	size_t i;

	if (qe_decode_opts_from_config(o, c, path) < 0)
		return -1;
	if (!so)
		return 0;
	if (so->format && qe_format_parse(so->format, &o->format) < 0)
		return -1;
	src[0] = so->fields.level;
	src[1] = so->fields.message;
	src[2] = so->fields.logger;
	src[3] = so->fields.time;
	src[4] = so->fields.exception;
	src[5] = so->fields.error_type;
	for (i = 0; i < QE_ARRAY_SIZE(dst); i++)
		if (src[i])
			*dst[i] = src[i];
	return 0;
}

void qe_source_opts_from_config(struct qe_source_opts *o,
				const struct qe_config_source *cs)
{
	memset(o, 0, sizeof(*o));
	o->format = cs->format;
	o->exclude = cs->exclude;
	o->nr_exclude = cs->nr_exclude;
	o->fields.level = cs->json_level;
	o->fields.message = cs->json_message;
	o->fields.logger = cs->json_logger;
	o->fields.time = cs->json_time;
	o->fields.exception = cs->json_exception;
	o->fields.error_type = cs->json_error_type;
}

/* ---- Kubernetes file names ---- */

static void copy_field(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int is_hex_run(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

int qe_k8s_from_path(const char *path, struct qe_k8s *out)
{
	const char *p;

	memset(out, 0, sizeof(*out));
	if (!path)
		return 0;
	if ((p = strstr(path, "/containers/")) && !strchr(p + 12, '/')) {
		/* <pod>_<namespace>_<container>-<64 hex>.log */
		const char *base = p + 12, *u1, *u2, *dash, *dot;
		u1 = strchr(base, '_');
		u2 = u1 ? strchr(u1 + 1, '_') : NULL;
		dot = strstr(base, ".log");
		if (!u1 || !u2 || !dot || dot < u2)
			return 0;
		for (dash = dot; dash > u2 && *dash != '-'; dash--)
			;
		if (dash <= u2 + 1 || !is_hex_run(dash + 1, (size_t)(dot - dash - 1)))
			return 0;
		copy_field(out->pod, sizeof(out->pod), base, (size_t)(u1 - base));
		copy_field(out->namespace, sizeof(out->namespace), u1 + 1,
			   (size_t)(u2 - u1 - 1));
		copy_field(out->container, sizeof(out->container), u2 + 1,
			   (size_t)(dash - u2 - 1));
		return out->pod[0] && out->namespace[0] && out->container[0];
	}
	if ((p = strstr(path, "/pods/"))) {
		/* <ns>_<pod>_<uid>/<container>/<n>.log */
		const char *dir = p + 6, *s1 = strchr(dir, '/'), *s2, *u1, *u2;
		if (!s1)
			return 0;
		s2 = strchr(s1 + 1, '/');
		if (!s2 || strchr(s2 + 1, '/') || !strstr(s2, ".log"))
			return 0;
		u1 = memchr(dir, '_', (size_t)(s1 - dir));
		u2 = u1 ? memchr(u1 + 1, '_', (size_t)(s1 - u1 - 1)) : NULL;
		if (!u1 || !u2 || u1 == dir || u2 == u1 + 1 || s2 == s1 + 1)
			return 0;
		copy_field(out->namespace, sizeof(out->namespace), dir,
			   (size_t)(u1 - dir));
		copy_field(out->pod, sizeof(out->pod), u1 + 1, (size_t)(u2 - u1 - 1));
		copy_field(out->container, sizeof(out->container), s1 + 1,
			   (size_t)(s2 - s1 - 1));
		return 1;
	}
	return 0;
}

/* ---- time ---- */

static int digits(const char *s, size_t len, size_t at, size_t n, int *v)
{
	size_t i;
	int x = 0;
	if (at + n > len)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[at + i]))
			return 0;
		x = x * 10 + (s[at + i] - '0');
	}
	*v = x;
	return 1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): plain arithmetic, where timegm() costs a call per line. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* mktime() of local times, cached per hour: it reads the zone rules on
 * every call, and a log's lines share their hour. */
static int64_t local_hour_s(const struct tm *tm)
{
	static __thread int ck_y = -1, ck_mo, ck_d, ck_h;
	static __thread int64_t ck_s;
	struct tm t;
	time_t r;

	if (tm->tm_year == ck_y && tm->tm_mon == ck_mo && tm->tm_mday == ck_d &&
	    tm->tm_hour == ck_h)
		return ck_s;
	t = *tm;
	t.tm_min = t.tm_sec = 0;
	t.tm_isdst = -1;
	r = mktime(&t);
	if (r == (time_t)-1)
		return INT64_MIN;
	ck_y = tm->tm_year;
	ck_mo = tm->tm_mon;
	ck_d = tm->tm_mday;
	ck_h = tm->tm_hour;
	ck_s = (int64_t)r;
	return ck_s;
}

static int64_t tm_to_ms(struct tm *tm, int utc, long off_s, int ms)
{
	int64_t s;
	if (utc) {
		s = days_from_civil(tm->tm_year + 1900, (unsigned)tm->tm_mon + 1,
				    (unsigned)tm->tm_mday) *
			86400 +
		    tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
	} else {
		s = local_hour_s(tm);
		if (s == INT64_MIN)
			return -1;
		s += tm->tm_min * 60 + tm->tm_sec;
	}
	return (s - off_s) * 1000 + ms;
}

size_t qe_decode_parse_iso(const char *s, size_t len, int64_t *ms)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, frac = 0, fd = 0, utc = 0, oh, om;
	long off = 0;
	size_t i;

	/* '-' as ISO 8601 has it, or '/' as Go's log package writes dates */
	if (!digits(s, len, 0, 4, &y) || len < 19 || (s[4] != '-' && s[4] != '/') ||
	    !digits(s, len, 5, 2, &mo) || s[7] != s[4] || !digits(s, len, 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != ' ') || !digits(s, len, 11, 2, &h) ||
	    s[13] != ':' || !digits(s, len, 14, 2, &mi) || s[16] != ':' ||
	    !digits(s, len, 17, 2, &sec))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	i = 19;
	if (i < len && (s[i] == '.' || s[i] == ',')) {
		i++;
		while (i < len && isdigit((unsigned char)s[i])) {
			if (fd < 3)
				frac = frac * 10 + (s[i] - '0'), fd++;
			i++;
		}
		while (fd < 3)
			frac *= 10, fd++;
	}
	if (i < len && s[i] == 'Z') {
		utc = 1;
		i++;
	} else if (i + 2 < len && (s[i] == '+' || s[i] == '-') &&
		   digits(s, len, i + 1, 2, &oh)) {
		size_t j = i + 3;
		om = 0;
		if (j < len && s[j] == ':')
			j++;
		if (digits(s, len, j, 2, &om))
			j += 2;
		off = (oh * 3600L + om * 60L) * (s[i] == '-' ? -1 : 1);
		utc = 1;
		i = j;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = tm_to_ms(&tm, utc, off, frac);
	return i;
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "Mmm dd hh:mm:ss" (day space-padded): 15 bytes, year from now_ms. */
static size_t parse_bsd_time(const char *s, size_t len, int64_t now_ms, int64_t *ms)
{
	struct tm tm;
	int mo = -1, d, h, mi, sec, i;
	time_t now = (time_t)(now_ms / 1000);
	struct tm nowtm;
	int64_t t;

	if (len < 15 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':')
		return 0;
	for (i = 0; i < 12; i++)
		if (!memcmp(s, months[i], 3))
			mo = i;
	if (mo < 0)
		return 0;
	if (s[4] == ' ') {
		if (!digits(s, len, 5, 1, &d))
			return 0;
	} else if (!digits(s, len, 4, 2, &d)) {
		return 0;
	}
	if (!digits(s, len, 7, 2, &h) || !digits(s, len, 10, 2, &mi) ||
	    !digits(s, len, 13, 2, &sec))
		return 0;
	gmtime_r(&now, &nowtm);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = nowtm.tm_year;
	tm.tm_mon = mo;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = tm_to_ms(&tm, 0, 0, 0);
	/* No year in the header: a date more than two days ahead is last year's. */
	if (t > now_ms + 2 * 86400000LL) {
		tm.tm_year--;
		t = tm_to_ms(&tm, 0, 0, 0);
	}
	*ms = t;
	return 15;
}

/* ---- levels ---- */

static const struct {
	const char *name;
	int level;
} level_names[] = {
    {"trace", QE_SEV_DEBUG},	 {"debug", QE_SEV_DEBUG},
    {"verbose", QE_SEV_DEBUG},	 {"default", QE_SEV_INFO},
    {"info", QE_SEV_INFO},	 {"information", QE_SEV_INFO},
    {"notice", QE_SEV_INFO},	 {"warn", QE_SEV_WARNING},
    {"warning", QE_SEV_WARNING}, {"error", QE_SEV_ERROR},
    {"err", QE_SEV_ERROR},	 {"severe", QE_SEV_ERROR},
    {"crit", QE_SEV_CRITICAL},	 {"critical", QE_SEV_CRITICAL},
    {"alert", QE_SEV_CRITICAL},	 {"dpanic", QE_SEV_CRITICAL},
    {"fatal", QE_SEV_FATAL},	 {"panic", QE_SEV_FATAL},
    {"emerg", QE_SEV_FATAL},	 {"emergency", QE_SEV_FATAL},
};

int qe_decode_level_name(const char *s, size_t len)
{
	size_t i;
	char *end;
	double v;
	char num[32];

	if (!len)
		return -1;
	if (len <= 2 && isdigit((unsigned char)s[0]) &&
	    (len == 1 || isdigit((unsigned char)s[1]))) /* pino 50, syslog 3 */
		return qe_decode_level_number(
		    len == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0'));
	if (isdigit((unsigned char)s[0]) && len < sizeof(num)) {
		memcpy(num, s, len);
		num[len] = '\0';
		v = strtod(num, &end);
		return *end ? -1 : qe_decode_level_number(v);
	}
	/* the names are lower case: the first letter first, no call */
	for (i = 0; i < QE_ARRAY_SIZE(level_names); i++)
		if (((unsigned char)s[0] | 0x20) ==
			(unsigned char)level_names[i].name[0] &&
		    strlen(level_names[i].name) == len &&
		    !strncasecmp(s, level_names[i].name, len))
			return level_names[i].level;
	return -1;
}

int qe_decode_level_number(double v)
{
	static const int syslog_sev[8] = {QE_SEV_FATAL, QE_SEV_CRITICAL, QE_SEV_CRITICAL,
					  QE_SEV_ERROR, QE_SEV_WARNING,	 QE_SEV_INFO,
					  QE_SEV_INFO,	QE_SEV_DEBUG};
	int n;

	/* no level is that large: a time or a count (and no int either) */
	if (!(v >= 0 && v <= 1000))
		return -1;
	n = (int)v;
	if (v != (double)n)
		return -1;
	if (n <= 7) /* syslog / journal PRIORITY */
		return syslog_sev[n];
	/* Monolog (PHP): 100 debug, 200 info, 250 notice, 300 warning, 400
	 * error, 500 critical, 550 alert, 600 emergency */
	if (n >= 100 && n <= 600 && n % 50 == 0)
		return n < 200	 ? QE_SEV_DEBUG
		       : n < 300 ? QE_SEV_INFO
		       : n < 400 ? QE_SEV_WARNING
		       : n < 500 ? QE_SEV_ERROR
		       : n < 550 ? QE_SEV_CRITICAL
				 : QE_SEV_FATAL;
	/* pino, bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal */
	if (n < 10 || n > 100)
		return -1;
	if (n < 30)
		return QE_SEV_DEBUG;
	if (n < 40)
		return QE_SEV_INFO;
	if (n < 50)
		return QE_SEV_WARNING;
	if (n < 60)
		return QE_SEV_ERROR;
	return QE_SEV_FATAL;
}

size_t qe_decode_level_word(const char *s, size_t len, int *level)
{
	size_t i = 0, w, k;
	int br = 0, lv;

	if (i < len && s[i] == '[')
		br = 1, i++;
	for (w = i; w < len && isalpha((unsigned char)s[w]); w++)
		;
	if (w == i || w - i > 11)
		return 0;
	lv = qe_decode_level_name(s + i, w - i);
	if (lv < 0 || !strncasecmp(s + i, "default", w - i) ||
	    !strncasecmp(s + i, "panic", w - i)) /* "panic:" starts a Go panic */
		return 0;
	/* A lowercase or capitalised word counts only with a separator that
	 * marks it as a level ("error:", "[warn]"); an upper-case one alone. */
	k = w;
	if (br) {
		if (k >= len || s[k] != ']')
			return 0;
		k++;
	} else if (k < len && s[k] == ':') {
		k++;
	} else {
		size_t j;
		for (j = i; j < w; j++)
			if (islower((unsigned char)s[j]))
				return 0;
	}
	if (k < len && s[k] != ' ' && s[k] != '\t')
		return 0;
	while (k < len && (s[k] == ' ' || s[k] == '\t'))
		k++;
	*level = lv;
	return k;
}

size_t qe_decode_strip_time(const char *s, size_t len, int64_t *time_ms)
{
	size_t i = 0, n;
	int br = 0;

	if (len && s[0] == '[')
		br = 1, i = 1;
	n = qe_decode_parse_iso(s + i, len - i, time_ms);
	if (!n)
		return 0;
	i += n;
	if (br) {
		if (i >= len || s[i] != ']')
			return 0;
		i++;
	}
	if (i == len)
		return i;
	if (s[i] != ' ' && s[i] != '\t')
		return 0;
	return i + 1;
}

/* ---- the decoder ---- */

struct piece {
	struct qe_buf buf;
	int held;
	uint64_t start;
	int64_t time_ms;
	uint64_t end; /* end_pos of the last piece */
	size_t parts;
	int cut;
};

struct qe_decoder {
	struct qe_decode_opts o;
	struct qe_decode_cb cb;
	void *data;
	enum qe_format fmt; /* in use; QE_FMT_AUTO until decided */
	struct qe_k8s k8s;
	int is_k8s;
	struct qe_decode_stats st;
	struct piece part[2]; /* stdout, stderr */
	/* while a Docker or CRI line's JSON text is decoded: its metadata */
	const struct qe_decode_meta *wrap;
	struct qe_buf clean; /* a line without escapes */
	struct qe_buf host, app;
	/* record scratch */
	struct qe_buf r_msg, r_err, r_type, r_exc, r_text, r_lname, r_logger;
	struct qe_record_frame *r_frames; /* an exception's frames, in parts */
	size_t r_nr_frames, r_alloc_frames;
	/* the quick scan's key filter: first bytes and longest length of the
	 * level and exception key names (built-in and configured) */
	unsigned char key_first[256];
	size_t key_max;
	int quick_below;
	/* a record was read behind a prefix (see prefixed_json()) */
	int prefixed;
	/* java.util.logging's XML records (lib/decode_xml); while its lines
	 * are replayed, or a journal entry is fed, none is looked for */
	struct qe_jul *jul;
	int jul_off;
	int jul_held; /* qe_jul_pending(), as of the last line it was given */
};

static void key_filter_init(struct qe_decoder *d);
static void jul_record(const struct qe_record *r, size_t lines, void *data);
static void jul_replay(const struct qe_jul_line *l, void *data);

struct qe_decoder *qe_decoder_new(const struct qe_decode_opts *o,
				  const struct qe_decode_cb *cb, void *data)
{
	struct qe_decoder *d;

	if ((size_t)o->format >= QE_ARRAY_SIZE(format_names)) {
		qe_error("unknown log format %d", (int)o->format);
		return NULL;
	}
	if (!cb || !cb->line || !cb->record) {
		qe_error("decoder needs a line and a record callback");
		return NULL;
	}
	d = qe_xcalloc(1, sizeof(*d));
	d->o = *o;
	if (!d->o.max_line_bytes)
		d->o.max_line_bytes = DEFAULT_MAX_LINE;
	if (!d->o.now_ms)
		d->o.now_ms = qe_wall_ms();
	d->cb = *cb;
	d->data = data;
	d->fmt = o->format;
	d->is_k8s = qe_k8s_from_path(o->path, &d->k8s);
	key_filter_init(d);
	d->jul = qe_jul_new(d->o.max_line_bytes, jul_record, jul_replay, d);
	d->quick_below = o->quick_below ? o->quick_below : QE_SEV_ERROR;
	qe_buf_init(&d->part[0].buf);
	qe_buf_init(&d->part[1].buf);
	qe_buf_init(&d->clean);
	qe_buf_init(&d->host);
	qe_buf_init(&d->app);
	qe_buf_init(&d->r_msg);
	qe_buf_init(&d->r_err);
	qe_buf_init(&d->r_type);
	qe_buf_init(&d->r_exc);
	qe_buf_init(&d->r_text);
	qe_buf_init(&d->r_lname);
	qe_buf_init(&d->r_logger);
	return d;
}

void qe_decoder_free(struct qe_decoder *d)
{
	if (!d)
		return;
	qe_buf_release(&d->part[0].buf);
	qe_buf_release(&d->part[1].buf);
	qe_buf_release(&d->clean);
	qe_buf_release(&d->host);
	qe_buf_release(&d->app);
	qe_buf_release(&d->r_msg);
	qe_buf_release(&d->r_err);
	qe_buf_release(&d->r_type);
	qe_buf_release(&d->r_exc);
	qe_buf_release(&d->r_text);
	qe_buf_release(&d->r_lname);
	qe_buf_release(&d->r_logger);
	free(d->r_frames);
	qe_jul_free(d->jul);
	free(d);
}

enum qe_format qe_decoder_format(const struct qe_decoder *d)
{
	return d->fmt;
}

int qe_decoder_json_lines(const struct qe_decoder *d)
{
	return d->fmt == QE_FMT_JSON ||
	       (d->fmt == QE_FMT_TEXT && d->o.format == QE_FMT_AUTO);
}

int qe_decoder_prefixed_json(const struct qe_decoder *d)
{
	return d->prefixed;
}

/* 7 when "stdout " or "stderr " stands at i (a stream word before a
 * record), else 0. */
static size_t stream_word(const char *s, size_t len, size_t i)
{
	return len - i > 7 &&
		       (!memcmp(s + i, "stdout ", 7) || !memcmp(s + i, "stderr ", 7))
		   ? 7
		   : 0;
}

int qe_decoder_prefixed_line(const struct qe_decoder *d, const char *s, size_t len)
{
	int64_t t;
	size_t i, e = len;

	/* a record ends its line: most lines are told by their last byte */
	while (e && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	if (!e || s[e - 1] != '}' || d->o.format == QE_FMT_TEXT)
		return 0;
	if (!(i = qe_decode_strip_time(s, len, &t)))
		return 0;
	i += stream_word(s, len, i);
	return i < len && s[i] == '{';
}

size_t qe_decoder_prefixed_first(const struct qe_decoder *d, const char *p, size_t n)
{
	const char *end = p + n, *q = p, *e, *ls;

	if (d->o.format == QE_FMT_TEXT)
		return n;
	/* such a line ends with '}' and blanks: the few '}' are looked at */
	while ((q = memchr(q, '}', (size_t)(end - q)))) {
		for (e = q + 1; e < end && (*e == ' ' || *e == '\t' || *e == '\r'); e++)
			;
		if (e == end || *e == '\n') {
			ls = q > p ? memrchr(p, '\n', (size_t)(q - p)) : NULL;
			ls = ls ? ls + 1 : p;
			/* a time starts with a digit, or a bracket */
			if ((isdigit((unsigned char)*ls) || *ls == '[') &&
			    qe_decoder_prefixed_line(d, ls, (size_t)(q + 1 - ls)))
				return (size_t)(ls - p);
		}
		q = e < end ? e : end;
		if (q == end)
			break;
	}
	return n;
}

const char *qe_decoder_format_name(const struct qe_decoder *d)
{
	return qe_format_name(d->fmt);
}

const struct qe_decode_stats *qe_decoder_stats(const struct qe_decoder *d)
{
	return &d->st;
}

int qe_decoder_pending(const struct qe_decoder *d, uint64_t *start_pos)
{
	int any = 0, i;
	uint64_t m = 0;
	uint64_t j;
	for (i = 0; i < 2; i++)
		if (d->part[i].held && (!any || d->part[i].start < m)) {
			m = d->part[i].start;
			any = 1;
		}
	if (d->jul_held && qe_jul_pending(d->jul, &j) && (!any || j < m)) {
		m = j;
		any = 1;
	}
	if (any && start_pos)
		*start_pos = m;
	return any;
}

static void base_meta(const struct qe_decoder *d, struct qe_decode_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->time_ms = -1;
	m->level = -1;
	m->k8s = d->is_k8s ? &d->k8s : NULL;
}

/* ---- syslog headers ---- */

static uint32_t key_of(const char *a, const char *b, long pid)
{
	struct qe_buf k = QE_BUF_INIT;
	uint32_t h;
	qe_buf_addf(&k, "%s\x1f%s\x1f%ld", a ? a : "", b ? b : "", pid);
	h = (uint32_t)qe_fnv1a(k.buf, k.len);
	qe_buf_release(&k);
	return h ? h : 3; /* 0, 1, 2 are the file and its two streams */
}

/* "HOST TAG[PID]: " after the time; returns the offset of the message. */
static size_t parse_host_tag(struct qe_decoder *d, const char *s, size_t len, size_t i,
			     struct qe_decode_meta *m)
{
	size_t h0 = i, h1, t0, t1, u;
	long pid = 0;

	while (i < len && s[i] != ' ')
		i++;
	h1 = i;
	if (h1 == h0 || i >= len)
		return 0;
	/* "TIME ERROR Logger: text" is an application's own line, not a
	 * syslog host and tag: a level word is no host name. */
	if (qe_decode_level_name(s + h0, h1 - h0) >= 0 ||
	    (s[h0] == '[' && h1 - h0 > 2 &&
	     qe_decode_level_name(s + h0 + 1, h1 - h0 - 2) >= 0))
		return 0;
	for (t0 = h0; t0 < h1; t0++)
		if (!isalnum((unsigned char)s[t0]) && !strchr(".-_:", s[t0]))
			return 0;
	t0 = ++i;
	while (i < len && s[i] != '[' && s[i] != ':' && s[i] != ' ')
		i++;
	t1 = i;
	if (t1 == t0 || i >= len)
		return 0;
	/* a program name has a letter: "2026-12-01 10:00:00" after a
	 * collector's time is a date and a time, not HOST TAG: */
	for (u = t0; u < t1 && !isalpha((unsigned char)s[u]); u++)
		;
	if (u == t1)
		return 0;
	if (s[i] == '[') {
		i++;
		while (i < len && isdigit((unsigned char)s[i]) && pid < 100000000L)
			pid = pid * 10 + (s[i++] - '0');
		if (i >= len || s[i] != ']') /* also a "pid" of more than 9 digits */
			return 0;
		i++;
	}
	if (i >= len || s[i] != ':')
		return 0;
	i++;
	if (i < len && s[i] == ' ')
		i++;
	qe_buf_reset(&d->host);
	qe_buf_add(&d->host, s + h0, h1 - h0);
	qe_buf_reset(&d->app);
	qe_buf_add(&d->app, s + t0, t1 - t0);
	m->host = d->host.buf;
	m->app = d->app.buf;
	m->pid = pid;
	m->key = key_of(m->host, m->app, pid);
	return i;
}

static int pri_sev(int pri)
{
	return qe_decode_level_number((double)(pri & 7));
}

/* RFC 5424: "<PRI>1 TIME HOST APP PROCID MSGID SD MSG". */
static size_t parse_5424(struct qe_decoder *d, const char *s, size_t len,
			 struct qe_decode_meta *m)
{
	size_t i = 1, f[4][2], k;
	int pri = 0, n = 0;
	int64_t t = -1;

	while (i < len && isdigit((unsigned char)s[i]) && n < 3)
		pri = pri * 10 + (s[i++] - '0'), n++;
	if (!n || i + 2 >= len || s[i] != '>' || s[i + 1] != '1' || s[i + 2] != ' ')
		return 0;
	i += 3;
	if (s[i] == '-') {
		i++;
	} else {
		size_t u = qe_decode_parse_iso(s + i, len - i, &t);
		if (!u)
			return 0;
		i += u;
	}
	for (k = 0; k < 4; k++) { /* host, app, procid, msgid */
		if (i >= len || s[i] != ' ')
			return 0;
		f[k][0] = ++i;
		while (i < len && s[i] != ' ')
			i++;
		f[k][1] = i;
		if (f[k][1] == f[k][0])
			return 0;
	}
	if (i >= len || s[i] != ' ')
		return 0;
	i++;
	if (i < len && s[i] == '-') {
		i++;
	} else if (i < len && s[i] == '[') {
		while (i < len && s[i] == '[') { /* structured data */
			int q = 0;
			while (i < len && (q || s[i] != ']')) {
				if (q && s[i] == '\\' && i + 1 < len)
					i++; /* \" \\ \] inside a value */
				else if (s[i] == '"')
					q = !q;
				i++;
			}
			if (i >= len)
				return 0;
			i++;
		}
	} else {
		return 0;
	}
	if (i < len && s[i] == ' ')
		i++;
	if (len - i >= 3 && !memcmp(s + i, "\xef\xbb\xbf", 3))
		i += 3;
	qe_buf_reset(&d->host);
	if (!(f[0][1] - f[0][0] == 1 && s[f[0][0]] == '-'))
		qe_buf_add(&d->host, s + f[0][0], f[0][1] - f[0][0]);
	qe_buf_reset(&d->app);
	if (!(f[1][1] - f[1][0] == 1 && s[f[1][0]] == '-'))
		qe_buf_add(&d->app, s + f[1][0], f[1][1] - f[1][0]);
	m->host = d->host.len ? d->host.buf : NULL;
	m->app = d->app.len ? d->app.buf : NULL;
	m->pid = 0; /* PROCID is often a pid; any other token gives none */
	for (k = f[2][0]; k < f[2][1] && k - f[2][0] < 9 && isdigit((unsigned char)s[k]);
	     k++)
		m->pid = m->pid * 10 + (s[k] - '0');
	if (k != f[2][1])
		m->pid = 0;
	m->time_ms = t;
	m->level = pri_sev(pri);
	m->key = key_of(m->host, m->app, m->pid);
	return i;
}

/* Any syslog header at s; offset of the message, 0 when none. */
static size_t parse_syslog(struct qe_decoder *d, const char *s, size_t len,
			   struct qe_decode_meta *m)
{
	size_t i = 0, u, r;
	int pri = -1, n = 0;
	int64_t t;

	if (len && s[0] == '<') {
		if ((r = parse_5424(d, s, len, m)))
			return r;
		i = 1;
		pri = 0;
		while (i < len && isdigit((unsigned char)s[i]) && n < 3)
			pri = pri * 10 + (s[i++] - '0'), n++;
		if (!n || i >= len || s[i] != '>')
			return 0;
		i++;
	}
	if ((u = parse_bsd_time(s + i, len - i, d->o.now_ms, &t)) == 0 &&
	    (u = qe_decode_parse_iso(s + i, len - i, &t)) == 0)
		return 0;
	if (i + u >= len || s[i + u] != ' ')
		return 0;
	r = parse_host_tag(d, s, len, i + u + 1, m);
	if (!r)
		return 0;
	m->time_ms = t;
	if (pri >= 0)
		m->level = pri_sev(pri);
	return r;
}

/* ---- text lines ---- */

static int decode_json(struct qe_decoder *d, const char *s, size_t len, uint64_t start,
		       uint64_t end);

/* A JSON record inside a wrapping whose metadata m it takes. */
static int decode_wrapped(struct qe_decoder *d, const char *s, size_t len, uint64_t start,
			  uint64_t end, struct qe_decode_meta *m)
{
	int done;
	d->wrap = m;
	done = decode_json(d, s, len, start, end);
	d->wrap = NULL;
	return done;
}

/* A JSON logger's record behind a collector's prefix (kubectl's time, a
 * syslog header, "stdout"/"stderr"), at offset i of s where the prefix
 * ends: delivered as a record with the prefix's metadata (its time when
 * the record has none) when it is one.  Only an object right after the
 * prefix counts: text before it ("ERROR failed {...}") makes the line
 * text.  Out of line: most lines fail the caller's test on s[i]. */
static int __attribute__((noinline))
prefixed_json(struct qe_decoder *d, const char *s, size_t len, size_t i, uint64_t start,
	      uint64_t end, struct qe_decode_meta *m)
{
	struct qe_decode_meta wm = *m;
	int done;

	if (s[i] == 's') { /* a stream word before the object */
		if (!stream_word(s, len, i) || s[i + 7] != '{')
			return 0;
		wm.stream = s[i + 4] == 'o' ? "stdout" : "stderr";
		i += 7;
	}
	done = decode_wrapped(d, s + i, len - i, start, end, &wm);
	if (done)
		d->prefixed = 1;
	return done;
}

/* Deliver one text line: escapes removed, prefixes stripped unless kept.
 * m carries what the wrapping already said (stream, time, key). */
static void emit_text(struct qe_decoder *d, const char *s, size_t len, uint64_t start,
		      uint64_t end, unsigned flags, struct qe_decode_meta *m, int syslog,
		      int owned)
{
	struct qe_dline l;
	size_t off = 0, b;
	int lv = -1;
	int64_t t = -1;
	struct qe_decode_meta sm;
	/* what the caller said, for a line an XML record holds and gives up */
	int64_t given_time = m->time_ms;
	int given_level = m->level;
	uint32_t given_key = m->key;

	if (qe_ansi_has(s, len)) {
		qe_buf_reset(&d->clean);
		qe_buf_grow(&d->clean, len);
		d->clean.len = qe_ansi_strip(d->clean.buf, s, len);
		d->clean.buf[d->clean.len] = '\0';
		s = d->clean.buf;
		len = d->clean.len;
		d->st.ansi_lines++;
	} else if (!owned) {
		/* the caller's line need not be NUL-terminated */
		qe_buf_reset(&d->clean);
		qe_buf_add(&d->clean, s, len);
		s = d->clean.buf;
	}
	/* a syslog header is wrapping, never the application's text */
	if (syslog) {
		sm = *m;
		if ((off = parse_syslog(d, s, len, &sm)) != 0) {
			if (m->time_ms >= 0)
				sm.time_ms = m->time_ms;
			*m = sm;
		}
	}
	/* An application timestamp may follow the syslog header; the
	 * outermost time is kept.  It is read always, removed unless the
	 * caller keeps the lines as written. */
	{
		size_t o2 = qe_decode_strip_time(s + off, len - off, &t), j = off + o2;
		if (o2 && m->time_ms < 0)
			m->time_ms = t;
		if (j && j < len && (s[j] == '{' || s[j] == 's') && !d->wrap &&
		    d->o.format != QE_FMT_TEXT &&
		    prefixed_json(d, s, len, j, start, end, m))
			return;
		/* a java.util.logging XML record's line, or the first */
		if ((d->jul_held || (len - j >= 8 && s[j] == '<' && s[j + 1] == 'r' &&
				     qe_jul_record_line(s + j, len - j))) &&
		    !d->jul_off) {
			struct qe_jul_line jl = {s, len, start, end, flags, syslog, *m};
			int taken;
			jl.meta.time_ms = given_time;
			jl.meta.level = given_level;
			jl.meta.key = given_key;
			jl.meta.host = jl.meta.app = jl.meta.unit = jl.meta.logger = NULL;
			taken = qe_jul_feed(d->jul, s + j, len - j, &jl, m);
			d->jul_held = qe_jul_pending(d->jul, NULL);
			if (taken)
				return;
		}
		if (!d->o.keep_prefix)
			off += o2;
	}
	memset(&l, 0, sizeof(l));
	l.text = s + off;
	l.len = len - off;
	b = qe_decode_level_word(l.text, l.len, &lv);
	if (b) {
		l.body_off = b;
		if (m->level < 0)
			m->level = lv;
	}
	l.start_pos = start;
	l.end_pos = end;
	l.flags = flags;
	l.meta = *m;
	d->st.text_lines++;
	d->cb.line(&l, d->data);
}

/* A java.util.logging XML record, read. */
static void jul_record(const struct qe_record *r, size_t lines, void *data)
{
	struct qe_decoder *d = data;
	d->st.records++;
	d->st.joined += lines - 1; /* its other lines are merged into it */
	d->cb.record(r, d->data);
}

/* A line of an XML record given up: as the text line it is. */
static void jul_replay(const struct qe_jul_line *l, void *data)
{
	struct qe_decoder *d = data;
	struct qe_decode_meta m = l->meta;
	d->jul_off++;
	emit_text(d, l->text, l->len, l->start, l->end, l->flags, &m, l->syslog, 1);
	d->jul_off--;
}

/* ---- JSON ---- */

/* Key names the quick scan looks for (the last component of a path). */
static const char *const level_keys[] = {
    "level", "lvl",	  "severity",  "loglevel",   "log.level",
    "@l",    "levelname", "log_level", "level_name", "@level",
};
static const char *const exc_keys[] = {
    "stack", "stack_trace", "stacktrace", "exc_info", "exception",	   "exc_text",
    "@x",    "traceback",   "error",	  "err",      "error.stack_trace", "backtrace",
};

static const char *last_component(const char *path)
{
	const char *p = strrchr(path, '.');
	return p ? p + 1 : path;
}

static int key_in(const char *k, size_t n, const char *const *set, size_t nr,
		  const char *extra)
{
	size_t i;
	if (!n)
		return 0;
	/* the first byte rules out most names before strlen() */
	for (i = 0; i < nr; i++)
		if (set[i][0] == k[0] && strlen(set[i]) == n && !memcmp(k, set[i], n))
			return 1;
	if (extra) {
		const char *e = last_component(extra);
		if (strlen(e) == n && !memcmp(k, e, n))
			return 1;
	}
	return 0;
}

static void key_filter_add(struct qe_decoder *d, const char *k)
{
	size_t n = strlen(k);
	if (!n)
		return;
	d->key_first[(unsigned char)k[0]] = 1;
	if (n > d->key_max)
		d->key_max = n;
}

static void key_filter_init(struct qe_decoder *d)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(level_keys); i++)
		key_filter_add(d, level_keys[i]);
	for (i = 0; i < QE_ARRAY_SIZE(exc_keys); i++)
		key_filter_add(d, exc_keys[i]);
	if (d->o.fields.level)
		key_filter_add(d, last_component(d->o.fields.level));
	if (d->o.fields.exception)
		key_filter_add(d, last_component(d->o.fields.exception));
}

/* End of the JSON string whose opening quote is at s[i]; index of its
 * closing quote, or n. */
static size_t string_end(const char *s, size_t n, size_t i)
{
	for (;;) {
		const char *q = memchr(s + i + 1, '"', n - i - 1);
		size_t j, bs = 0;
		if (!q)
			return n;
		j = (size_t)(q - s);
		while (j - bs > i + 1 && s[j - bs - 1] == '\\')
			bs++;
		if (!(bs & 1))
			return j;
		i = j;
	}
}

struct quick {
	int level;
	int exc;
};

/* logr's funcr writes its JSON records with "logger" as the first key,
 * and "level" only on info records: their V-level (0, and up for more
 * verbose ones), no syslog severity.  Its error records have no level;
 * their "error" field says what they are (see emit_record()). */
static int logr_record(const char *s, size_t len)
{
	size_t w = 0;
	while (w < len && (s[w] == ' ' || s[w] == '\t'))
		w++;
	return len - w > 10 && !memcmp(s + w, "{\"logger\":", 10);
}

static int logr_level(double v)
{
	return v > 0 ? QE_SEV_DEBUG : QE_SEV_INFO;
}

/* Classify a JSON line without building it: the first level value and
 * whether a key that may hold an exception has a non-empty value. */
static void quick_scan(const struct qe_decoder *d, const char *s, size_t n,
		       struct quick *q)
{
	size_t i = 0, x;
	int depth = 0, level_depth = 1 << 30;

	q->level = -1;
	q->exc = 0;
	while (i < n) {
		const char *p = memchr(s + i, '"', n - i);
		size_t k0, k1, j;
		if (!p)
			return;
		/* Nesting from the bytes outside strings: a top-level level wins
		 * over one inside a nested object, whatever their order. */
		for (x = i; x < (size_t)(p - s); x++)
			if (s[x] == '{' || s[x] == '[')
				depth++;
			else if (s[x] == '}' || s[x] == ']')
				depth--;
		k0 = (size_t)(p - s) + 1;
		k1 = string_end(s, n, k0 - 1);
		if (k1 >= n)
			return;
		j = k1 + 1;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j >= n || s[j] != ':') {
			i = j; /* a string value */
			continue;
		}
		j++;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j >= n)
			return;
		/* Most keys start with none of the letters ours start with. */
		if (k1 - k0 > d->key_max || !d->key_first[(unsigned char)s[k0]]) {
			i = j;
			continue;
		}
		if (depth < level_depth &&
		    key_in(s + k0, k1 - k0, level_keys, QE_ARRAY_SIZE(level_keys),
			   d->o.fields.level)) {
			int lv;
			if (s[j] == '"') {
				size_t e = string_end(s, n, j);
				lv = qe_decode_level_name(s + j + 1, e - j - 1);
			} else {
				size_t e = j;
				while (e < n &&
				       (isdigit((unsigned char)s[e]) || s[e] == '.'))
					e++;
				lv = qe_decode_level_name(s + j, e - j);
				if (lv >= 0 && logr_record(s, n))
					lv = logr_level(s[j] != '0');
			}
			if (lv >= 0) {
				q->level = lv;
				level_depth = depth;
			}
		} else if (!q->exc &&
			   key_in(s + k0, k1 - k0, exc_keys, QE_ARRAY_SIZE(exc_keys),
				  d->o.fields.exception)) {
			if (!(s[j] == 'n' || s[j] == 'f' ||
			      (s[j] == '"' && j + 1 < n && s[j + 1] == '"')))
				q->exc = 1;
		}
		i = j;
	}
}

/* obj["a.b"] or obj["a"]["b"] (recursively, any split of the dots). */
static json_t *get_path(json_t *obj, const char *path)
{
	json_t *v;
	const char *dot;

	if (!json_is_object(obj))
		return NULL;
	if ((v = json_object_get(obj, path)))
		return v;
	for (dot = strchr(path, '.'); dot; dot = strchr(dot + 1, '.')) {
		char head[128];
		size_t hn = (size_t)(dot - path);
		if (hn >= sizeof(head))
			break;
		memcpy(head, path, hn);
		head[hn] = '\0';
		if ((v = json_object_get(obj, head)) && json_is_object(v) &&
		    (v = get_path(v, dot + 1)))
			return v;
	}
	return NULL;
}

static json_t *first_of(json_t *obj, const char *user, const char *const *names,
			size_t nr)
{
	json_t *v;
	size_t i;
	if (user && (v = get_path(obj, user)) && !json_is_null(v))
		return v;
	for (i = 0; i < nr; i++)
		if ((v = get_path(obj, names[i])) && !json_is_null(v))
			return v;
	return NULL;
}

static int level_of(json_t *v, struct qe_buf *name)
{
	qe_buf_reset(name);
	/* loguru's serialized record: "level": {"name": "ERROR", "no": 40} */
	if (json_is_object(v))
		v = json_object_get(v, "name");
	if (json_is_string(v)) {
		qe_buf_add(name, json_string_value(v), json_string_length(v));
		return qe_decode_level_name(json_string_value(v), json_string_length(v));
	}
	if (json_is_number(v)) {
		qe_buf_addf(name, "%g", json_number_value(v));
		return qe_decode_level_number(json_number_value(v));
	}
	return -1;
}

/* A level key anywhere in the record, breadth first within a depth cap. */
static int level_anywhere(json_t *obj, int depth, struct qe_buf *name)
{
	const char *k;
	json_t *v;
	int lv;

	json_object_foreach(obj, k, v)
	{
		if (key_in(k, strlen(k), level_keys, QE_ARRAY_SIZE(level_keys), NULL) &&
		    (lv = level_of(v, name)) >= 0)
			return lv;
	}
	if (depth >= LEVEL_SEARCH_DEPTH)
		return -1;
	json_object_foreach(obj, k, v)
	{
		if (json_is_object(v) && (lv = level_anywhere(v, depth + 1, name)) >= 0)
			return lv;
	}
	return -1;
}

/* Copy a string value into b with escapes removed; 1 when set. */
static int take_string(json_t *v, struct qe_buf *b)
{
	qe_buf_reset(b);
	if (!v || !json_is_string(v) || !json_string_length(v))
		return 0;
	qe_buf_add(b, json_string_value(v), json_string_length(v));
	if (qe_ansi_has(b->buf, b->len)) {
		b->len = qe_ansi_strip(b->buf, b->buf, b->len);
		b->buf[b->len] = '\0';
	}
	return 1;
}

/* An exception value: a string, an array of strings or frame objects. */
static int take_exception(json_t *v, struct qe_buf *b)
{
	size_t i;
	json_t *e;

	if (!v)
		return 0;
	if (json_is_string(v))
		return take_string(v, b);
	qe_buf_reset(b);
	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, i, e)
	{
		if (b->len)
			qe_buf_addch(b, '\n');
		if (json_is_string(e)) {
			qe_buf_add(b, json_string_value(e), json_string_length(e));
		} else {
			char *s = json_dumps(e, JSON_COMPACT);
			if (s)
				qe_buf_addstr(b, s);
			free(s);
		}
	}
	/* A trailing newline is no extra line. */
	while (b->len && b->buf[b->len - 1] == '\n')
		qe_buf_truncate(b, b->len - 1);
	if (qe_ansi_has(b->buf, b->len)) {
		b->len = qe_ansi_strip(b->buf, b->buf, b->len);
		b->buf[b->len] = '\0';
	}
	return b->len > 0;
}

static int64_t time_of(json_t *v)
{
	int64_t ms = -1;
	if (!v)
		return -1;
	if (json_is_string(v)) {
		if (!qe_decode_parse_iso(json_string_value(v), json_string_length(v),
					 &ms))
			return -1;
		return ms;
	}
	if (json_is_number(v)) {
		double x = json_number_value(v);
		if (x > 1e14) /* microseconds or nanoseconds: zerolog/zap options */
			while (x > 1e14)
				x /= 1000;
		else if (x < 1e11) /* seconds (zap "ts", zerolog unix time) */
			x *= 1000;
		return (int64_t)x;
	}
	if (json_is_object(v)) { /* GCP {"seconds":..,"nanos":..} */
		json_t *s = json_object_get(v, "seconds"),
		       *n = json_object_get(v, "nanos");
		if (json_is_integer(s))
			return (int64_t)json_integer_value(s) * 1000 +
			       (json_is_integer(n)
				    ? (int64_t)json_integer_value(n) / 1000000
				    : 0);
	}
	return -1;
}

static const char *const message_keys[] = {
    "msg",	   "message",	    "@m",  "event",	     "short_message",
    "textPayload", "error.message", "@mt", "record.message", "fields.message",
    "@message"};
static const char *const logger_keys[] = {"logger",	   "logger_name", "log.logger",
					  "SourceContext", "name",	  "@module"};
static const char *const time_keys[] = {"time", "timestamp", "@timestamp", "@t",
					"ts",	"t",	     "asctime"};
static const char *const exception_keys[] = {"err.stack",
					     "error.stack",
					     "stack",
					     "error.stack_trace",
					     "stack_trace",
					     "exc_info",
					     "exception",
					     "exc_text",
					     "@x",
					     "traceback",
					     "exception.stacktrace",
					     "stacktrace"};
static const char *const type_keys[] = {"err.type",   "error.type", "err.name",
					"error.kind", "error.name", "exception.type",
					"exc_type"};
static const char *const error_keys[] = {"error", "err", "err.message", "error.message",
					 "fields.error"};

/* ---- exceptions in parts (see struct qe_record) ---- */

static const char *const exc_obj_keys[] = {"exception", "exc_info", "error",
					   "err",	"thrown",   "exc"};
static const char *const exc_class_keys[] = {
    "class", "type", "name", "exc_type", "exception_class", "className"};
static const char *const exc_msg_keys[] = {"message", "msg", "exc_value", "value"};
static const char *const exc_frames_keys[] = {
    "trace",	   "frames",	 "backtrace",	       "stack",
    "stack_trace", "stacktrace", "extendedStackTrace", "traceback"};
/* at the top of a record, beside its own message */
static const char *const top_frames_keys[] = {"backtrace",  "stack",	 "stack_trace",
					      "stacktrace", "traceback", "frames"};
static const char *const top_class_keys[] = {
    "error",	"err",	       "exception",	  "exc",
    "exc_type", "error_class", "exception_class", "class"};
/* a frame object's parts */
static const char *const frame_file_keys[] = {"file", "filename", "fileName", "abs_path"};
static const char *const frame_line_keys[] = {"line", "lineno", "lineNumber"};
static const char *const frame_fn_keys[] = {"function",	    "method", "methodName",
					    "functionName", "name",   "func"};
static const char *const frame_mod_keys[] = {"class", "className", "module"};

/* A class's name as runtimes print it: one word of letters, digits and
 * the separators of Java, Ruby, PHP and .NET names, with a capital
 * ("SyncError", "java.io.IOException", "App\\Err"), so that an error
 * message ("EOF", "timeout") is no class. */
static int class_name(json_t *v)
{
	const char *s = json_string_value(v);
	size_t n, i;
	int upper = 0;

	if (!s || !(n = json_string_length(v)) || n > 200 ||
	    !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isupper(c))
			upper = 1;
		else if (!isalnum(c) && !strchr("_.:$\\`", c))
			return 0;
	}
	return upper;
}

/* The index of k in keys, nr when it is none of them. */
static size_t key_index(const char *k, const char *const *keys, size_t nr)
{
	size_t i;
	for (i = 0; i < nr; i++)
		if (keys[i][0] == k[0] && !strcmp(keys[i], k))
			return i;
	return nr;
}

/*
 * The members of an exception or frame object, found in one pass over
 * it (a look-up per name would cost more: the objects are small, the
 * names many).  Of several names for one part the earliest listed wins.
 */
enum { P_CLASS, P_MSG, P_FILE, P_LINE, P_FRAMES, P_FN, P_NR };

struct picks {
	json_t *v[P_NR];
	size_t at[P_NR];
};

static void picks_init(struct picks *p)
{
	size_t i;
	for (i = 0; i < P_NR; i++) {
		p->v[i] = NULL;
		p->at[i] = (size_t)-1;
	}
}

static int pick_string(json_t *v)
{
	return json_is_string(v) && json_string_length(v);
}

static int pick_line(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) > 0 &&
	       json_integer_value(v) < 100000000;
}

static int pick_frames(json_t *v)
{
	return json_is_array(v) || json_is_string(v);
}

static void pick(struct picks *p, int part, const char *k, json_t *v,
		 const char *const *keys, size_t nr, int (*ok)(json_t *))
{
	size_t i = key_index(k, keys, nr);
	if (i < nr && i < p->at[part] && ok(v)) {
		p->v[part] = v;
		p->at[part] = i;
	}
}

static const char *picked_string(const struct picks *p, int part)
{
	return p->v[part] ? json_string_value(p->v[part]) : NULL;
}

static long picked_line(const struct picks *p)
{
	return p->v[P_LINE] ? (long)json_integer_value(p->v[P_LINE]) : 0;
}

static struct qe_record_frame *frame_slot(struct qe_decoder *d)
{
	struct qe_record_frame *f;
	QE_ALLOC_GROW(d->r_frames, d->r_nr_frames + 1, d->r_alloc_frames);
	f = &d->r_frames[d->r_nr_frames++];
	memset(f, 0, sizeof(*f));
	return f;
}

static void frame_text(struct qe_decoder *d, const char *s, size_t n)
{
	struct qe_record_frame *f;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (!n)
		return;
	f = frame_slot(d);
	f->text = s;
	f->text_len = n;
}

/* Frames as written: an array of strings or objects, or one string of
 * lines.  The strings point into the record's tree. */
static void take_frames(struct qe_decoder *d, json_t *v)
{
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		const char *p = json_string_value(v), *end = p + json_string_length(v);
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			frame_text(d, p, n);
			p += n + (nl ? 1 : 0);
		}
		return;
	}
	json_array_foreach(v, i, e)
	{
		if (json_is_string(e)) {
			frame_text(d, json_string_value(e), json_string_length(e));
		} else if (json_is_object(e)) {
			struct qe_record_frame *f;
			struct picks p;
			const char *k;
			json_t *m;
			picks_init(&p);
			json_object_foreach(e, k, m)
			{
				pick(&p, P_FILE, k, m, frame_file_keys,
				     QE_ARRAY_SIZE(frame_file_keys), pick_string);
				pick(&p, P_FN, k, m, frame_fn_keys,
				     QE_ARRAY_SIZE(frame_fn_keys), pick_string);
				/* the class of a Java frame, the module of a Python one
				 */
				pick(&p, P_CLASS, k, m, frame_mod_keys,
				     QE_ARRAY_SIZE(frame_mod_keys), pick_string);
				pick(&p, P_LINE, k, m, frame_line_keys,
				     QE_ARRAY_SIZE(frame_line_keys), pick_line);
			}
			if (!p.v[P_FILE] && !p.v[P_FN])
				continue;
			f = frame_slot(d);
			f->file = picked_string(&p, P_FILE);
			f->function = picked_string(&p, P_FN);
			f->module = picked_string(&p, P_CLASS);
			f->line = picked_line(&p);
		}
	}
}

/* v as an exception object (or an array whose first element is one):
 * its class into r, its location and frames into d; 1 when it is one. */
static int exc_object(struct qe_decoder *d, json_t *v, struct qe_record *r)
{
	struct picks p;
	json_t *cls, *m;
	const char *file, *k;

	if (json_is_array(v))
		v = json_array_get(v, 0); /* structlog: the raised one, then its causes */
	if (!json_is_object(v))
		return 0;
	picks_init(&p);
	json_object_foreach(v, k, m)
	{
		pick(&p, P_CLASS, k, m, exc_class_keys, QE_ARRAY_SIZE(exc_class_keys),
		     class_name);
		pick(&p, P_MSG, k, m, exc_msg_keys, QE_ARRAY_SIZE(exc_msg_keys),
		     pick_string);
		pick(&p, P_FILE, k, m, frame_file_keys, QE_ARRAY_SIZE(frame_file_keys),
		     pick_string);
		pick(&p, P_LINE, k, m, frame_line_keys, QE_ARRAY_SIZE(frame_line_keys),
		     pick_line);
		pick(&p, P_FRAMES, k, m, exc_frames_keys, QE_ARRAY_SIZE(exc_frames_keys),
		     pick_frames);
	}
	if (!(cls = p.v[P_CLASS]))
		return 0;
	if (!r->error_type) { /* a configured or named type field wins */
		qe_buf_reset(&d->r_type);
		qe_buf_add(&d->r_type, json_string_value(cls), json_string_length(cls));
		r->error_type = d->r_type.buf;
	}
	r->exc_message = picked_string(&p, P_MSG);
	d->r_nr_frames = 0;
	/* where it was thrown, then the callers (PHP, Monolog) */
	if ((file = picked_string(&p, P_FILE))) {
		long line = picked_line(&p);
		if (line) {
			struct qe_record_frame *f = frame_slot(d);
			f->file = file;
			f->line = line;
		} else {
			frame_text(d, file, strlen(file));
		}
	}
	if (p.v[P_FRAMES])
		take_frames(d, p.v[P_FRAMES]);
	return 1;
}

static int has_frames_key(json_t *obj)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(exc_frames_keys); i++)
		if (pick_frames(json_object_get(obj, exc_frames_keys[i])))
			return 1;
	return 0;
}

static int exc_parts_in(struct qe_decoder *d, json_t *obj, struct qe_record *r)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(exc_obj_keys); i++)
		if (exc_object(d, json_object_get(obj, exc_obj_keys[i]), r))
			return 1;
	return 0;
}

/* The record's exception in parts, if it has one (see struct qe_record). */
static void exc_parts(struct qe_decoder *d, json_t *root, struct qe_record *r)
{
	const char *k;
	json_t *v;
	size_t i;

	d->r_nr_frames = 0;
	if ((d->o.fields.exception &&
	     exc_object(d, get_path(root, d->o.fields.exception), r)) ||
	    exc_parts_in(d, root, r))
		goto out;
	/* one object down: Monolog's context.exception */
	json_object_foreach(root, k, v)
	{
		if (json_is_object(v) && exc_parts_in(d, v, r))
			goto out;
	}
	/* the exception as the message: the logging gem's JSON layout writes
	 * {"message": {"class", "message", "backtrace"}} */
	v = json_object_get(root, "message");
	if (json_is_object(v) && has_frames_key(v) && exc_object(d, v, r))
		goto out;
	/* frames beside the record's message, a class named beside them */
	v = first_of(root, NULL, top_frames_keys, QE_ARRAY_SIZE(top_frames_keys));
	if (!v || !(json_is_array(v) || json_is_string(v)))
		return;
	if (!r->error_type)
		for (i = 0; i < QE_ARRAY_SIZE(top_class_keys) && !r->error_type; i++)
			if (class_name(json_object_get(root, top_class_keys[i])))
				r->error_type = json_string_value(
				    json_object_get(root, top_class_keys[i]));
	if (!r->error_type)
		return;
	take_frames(d, v);
out:
	r->frames = d->r_nr_frames ? d->r_frames : NULL;
	r->nr_frames = d->r_nr_frames;
}

/* Of a Docker or CRI line that holds JSON, the wrapping's stream, key
 * and time as the record's metadata (out of line: most records have no
 * wrapping). */
static void __attribute__((noinline))
wrap_meta(const struct qe_decoder *d, struct qe_decode_meta *m)
{
	*m = *d->wrap;
}

static void emit_record(struct qe_decoder *d, json_t *root, const char *s, size_t len,
			uint64_t start, uint64_t end)
{
	struct qe_record r;
	json_t *v;
	int64_t t;
	int have_msg, have_err, own_level;

	memset(&r, 0, sizeof(r));
	base_meta(d, &r.meta);
	if (d->wrap)
		wrap_meta(d, &r.meta);
	r.parsed = 1;
	r.raw = s;
	r.raw_len = len;
	r.start_pos = start;
	r.end_pos = end;

	qe_buf_reset(&d->r_lname);
	if ((v = first_of(root, d->o.fields.level, level_keys,
			  QE_ARRAY_SIZE(level_keys)))) {
		r.meta.level = level_of(v, &d->r_lname);
		if (json_is_number(v) && logr_record(s, len))
			r.meta.level = logr_level(json_number_value(v));
	}
	if (r.meta.level < 0)
		r.meta.level = level_anywhere(root, 0, &d->r_lname);
	/* the record's own, not its wrapping's (a syslog priority) */
	own_level = v || d->r_lname.len;
	if (r.meta.level < 0 && json_object_get(root, "@t") &&
	    (json_object_get(root, "@mt") || json_object_get(root, "@m"))) {
		r.meta.level = QE_SEV_INFO; /* Serilog compact omits @l for Information */
		own_level = 1;
	}
	r.level_name = d->r_lname.len ? d->r_lname.buf : NULL;

	have_msg = take_string(first_of(root, d->o.fields.message, message_keys,
					QE_ARRAY_SIZE(message_keys)),
			       &d->r_msg);
	r.message = have_msg ? d->r_msg.buf : NULL;

	if (take_string(first_of(root, d->o.fields.logger, logger_keys,
				 QE_ARRAY_SIZE(logger_keys)),
			&d->r_logger))
		r.meta.logger = d->r_logger.buf;
	t = time_of(
	    first_of(root, d->o.fields.time, time_keys, QE_ARRAY_SIZE(time_keys)));
	if (t >= 0 || !d->wrap)
		r.meta.time_ms = t;
	if (take_exception(first_of(root, d->o.fields.exception, exception_keys,
				    QE_ARRAY_SIZE(exception_keys)),
			   &d->r_exc))
		r.exception = d->r_exc.buf;
	/* "err"/"error" as a multi-line string is the exception itself. */
	if (!r.exception && (v = first_of(root, NULL, error_keys, 2)) &&
	    json_is_string(v) &&
	    memchr(json_string_value(v), '\n', json_string_length(v)) &&
	    take_exception(v, &d->r_exc))
		r.exception = d->r_exc.buf;
	/* loguru's serialize=True: {"text": the line as its format wrote it,
	 * traceback and all, "record": the parts, the exception's without
	 * its frames}.  The text is the trace. */
	if (!r.exception && json_is_object(json_object_get(root, "record")) &&
	    (v = json_object_get(root, "text")) && json_is_string(v) &&
	    memchr(json_string_value(v), '\n', json_string_length(v)) &&
	    take_exception(v, &d->r_exc))
		r.exception = d->r_exc.buf;
	/* A multi-line message with no exception field holds the trace itself
	 * (Google Cloud Error Reporting asks for the stack in "message"). */
	if (!r.exception && have_msg && memchr(d->r_msg.buf, '\n', d->r_msg.len)) {
		qe_buf_reset(&d->r_exc);
		qe_buf_add(&d->r_exc, d->r_msg.buf, d->r_msg.len);
		while (d->r_exc.len && d->r_exc.buf[d->r_exc.len - 1] == '\n')
			qe_buf_truncate(&d->r_exc, d->r_exc.len - 1);
		r.exception = d->r_exc.buf;
	}
	if (take_string(first_of(root, d->o.fields.error_type, type_keys,
				 QE_ARRAY_SIZE(type_keys)),
			&d->r_type))
		r.error_type = d->r_type.buf;
	exc_parts(d, root, &r);
	have_err = 0;
	{
		size_t i;
		for (i = 0; i < QE_ARRAY_SIZE(error_keys) && !have_err; i++)
			have_err = take_string(get_path(root, error_keys[i]), &d->r_err);
	}
	if (have_err && memchr(d->r_err.buf, '\n', d->r_err.len))
		have_err = 0; /* already the exception */
	/* A record that names no level of its own but carries an error is
	 * an error record: logr's (funcr) Error() and Kubernetes' JSON
	 * format write "error" / "err" and no level, their info records no
	 * error.  A wrapping's level (a journal's priority) is the
	 * collector's default, not the application's word. */
	if (!own_level &&
	    (have_err || (r.exception && first_of(root, NULL, error_keys, 2))) &&
	    r.meta.level < QE_SEV_ERROR)
		r.meta.level = QE_SEV_ERROR;
	r.error = have_err ? d->r_err.buf : NULL;

	/* The record as one line, as a text logger would have written it. */
	qe_buf_reset(&d->r_text);
	if (have_msg)
		qe_buf_add(&d->r_text, d->r_msg.buf, d->r_msg.len);
	if (have_err && !(have_msg && strstr(d->r_msg.buf, d->r_err.buf))) {
		if (d->r_text.len)
			qe_buf_addstr(&d->r_text, ": ");
		qe_buf_add(&d->r_text, d->r_err.buf, d->r_err.len);
	}
	if (!d->r_text.len && r.exception) {
		const char *nl = strchr(r.exception, '\n');
		qe_buf_add(&d->r_text, r.exception,
			   nl ? (size_t)(nl - r.exception) : strlen(r.exception));
	}
	if (!d->r_text.len)
		qe_buf_add(&d->r_text, s, len);
	/* One line: a multi-line message keeps its first line here. */
	{
		char *nl = memchr(d->r_text.buf, '\n', d->r_text.len);
		if (nl)
			qe_buf_truncate(&d->r_text, (size_t)(nl - d->r_text.buf));
	}
	r.text = d->r_text.buf;
	d->st.records++;
	d->cb.record(&r, d->data);
}

static size_t lead_ws(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

int qe_decoder_quick_line(const struct qe_decoder *d, const char *s, size_t len)
{
	struct quick q;
	size_t e = len, w = lead_ws(s, len);

	while (e && (s[e - 1] == ' ' || s[e - 1] == '\r' || s[e - 1] == '\t'))
		e--;
	if (w >= len || s[w] != '{' || !e || s[e - 1] != '}')
		return 0;
	quick_scan(d, s, len, &q);
	return q.level >= 0 && q.level < d->quick_below && !q.exc;
}

/* A line that starts with '{' (after blanks).  Returns 1 when delivered as
 * a record, 0 when it is no JSON object (the caller treats it as text). */
static int decode_json(struct qe_decoder *d, const char *s, size_t len, uint64_t start,
		       uint64_t end)
{
	struct quick q;
	json_t *root;
	json_error_t err;
	size_t e = len;

	while (e && (s[e - 1] == ' ' || s[e - 1] == '\r' || s[e - 1] == '\t'))
		e--;
	if (!e || s[e - 1] != '}')
		return 0;
	quick_scan(d, s, len, &q);
	if (q.level >= 0 && q.level < d->quick_below && !q.exc) {
		struct qe_record r;
		memset(&r, 0, sizeof(r));
		base_meta(d, &r.meta);
		if (d->wrap)
			wrap_meta(d, &r.meta);
		r.meta.level = q.level;
		r.raw = s;
		r.raw_len = len;
		r.start_pos = start;
		r.end_pos = end;
		r.text = "";
		d->st.records++;
		d->st.quick++;
		d->cb.record(&r, d->data);
		return 1;
	}
	root = json_loadb(s, len, JSON_ALLOW_NUL, &err);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		d->st.bad_json++;
		return 0;
	}
	emit_record(d, root, s, len, start, end);
	json_decref(root);
	return 1;
}

/* ---- Docker json-file and CRI: pieces joined per stream ---- */

/* A wrapped line that is a JSON object: '{' first, '}' last (blanks aside). */
static int wrapped_json(const char *s, size_t len)
{
	size_t w = lead_ws(s, len);
	while (len > w && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	return len > w + 1 && s[w] == '{' && s[len - 1] == '}';
}

static void piece_add(struct qe_decoder *d, struct piece *p, const char *s, size_t n,
		      uint64_t start, int64_t t)
{
	size_t room;
	if (!p->held) {
		qe_buf_reset(&p->buf);
		p->held = 1;
		p->start = start;
		p->time_ms = t;
		p->parts = 0;
		p->cut = 0;
	} else {
		d->st.joined++;
	}
	p->parts++;
	room = d->o.max_line_bytes > p->buf.len ? d->o.max_line_bytes - p->buf.len : 0;
	if (n > room) {
		if (!p->cut)
			d->st.cut_lines++;
		d->st.cut_bytes += n - room;
		p->cut = 1;
		n = room;
	}
	qe_buf_add(&p->buf, s, n);
}

static void piece_emit(struct qe_decoder *d, int stream, uint64_t end)
{
	struct piece *p = &d->part[stream];
	struct qe_decode_meta m;
	unsigned flags =
	    (p->cut ? QE_DLINE_CUT : 0) | (p->parts > 1 ? QE_DLINE_JOINED : 0);

	if (!p->held)
		return;
	base_meta(d, &m);
	m.stream = stream ? "stderr" : "stdout";
	m.key = (uint32_t)stream + 1;
	m.time_ms = p->time_ms;
	p->held = 0;
	/* A program that logs JSON lines to its stdout (pino, bunyan,
	 * zap): the wrapped line is a record like one in a JSON file. */
	if (!p->cut && wrapped_json(p->buf.buf, p->buf.len) &&
	    decode_wrapped(d, p->buf.buf, p->buf.len, p->start, end, &m))
		return;
	emit_text(d, p->buf.buf, p->buf.len, p->start, end, flags, &m, 0, 1);
}

void qe_decoder_flush(struct qe_decoder *d)
{
	int i;
	for (i = 0; i < 2; i++)
		if (d->part[i].held)
			piece_emit(d, i, d->part[i].end);
	qe_jul_flush(d->jul);
	d->jul_held = 0;
}

/* 1 when delivered. */
static int decode_docker(struct qe_decoder *d, const char *s, size_t len, uint64_t start,
			 uint64_t end, json_t **rootp)
{
	json_error_t err;
	json_t *root, *log, *stream, *tv;
	const char *text;
	size_t n;
	int st;
	int64_t t = -1;

	*rootp = NULL;
	root = json_loadb(s, len, JSON_ALLOW_NUL, &err);
	if (!root)
		return 0;
	log = json_object_get(root, "log");
	stream = json_object_get(root, "stream");
	if (!json_is_object(root) || !json_is_string(log)) {
		*rootp = root; /* JSON, not Docker: the caller may use it */
		return 0;
	}
	st = json_is_string(stream) && !strcmp(json_string_value(stream), "stderr");
	tv = json_object_get(root, "time");
	if (json_is_string(tv))
		qe_decode_parse_iso(json_string_value(tv), json_string_length(tv), &t);
	text = json_string_value(log);
	n = json_string_length(log);
	if (n && text[n - 1] == '\n') {
		n--;
		if (n && text[n - 1] == '\r')
			n--;
		piece_add(d, &d->part[st], text, n, start, t);
		piece_emit(d, st, end);
	} else {
		/* Docker splits a long line into 16 KiB records without '\n'. */
		piece_add(d, &d->part[st], text, n, start, t);
		d->part[st].end = end;
	}
	json_decref(root);
	return 1;
}

/* "TIME stdout|stderr P|F text"; 1 when delivered. */
static int decode_cri(struct qe_decoder *d, const char *s, size_t len, uint64_t start,
		      uint64_t end)
{
	int64_t t;
	size_t i = qe_decode_parse_iso(s, len, &t);
	int st, partial;

	if (!i || i + 8 > len || s[i] != ' ')
		return 0;
	i++;
	if (!memcmp(s + i, "stdout ", 7))
		st = 0;
	else if (!memcmp(s + i, "stderr ", 7))
		st = 1;
	else
		return 0;
	i += 7;
	if (i >= len || (s[i] != 'P' && s[i] != 'F'))
		return 0;
	partial = s[i] == 'P';
	i++;
	while (i < len && s[i] != ' ') /* future tags: "F:x" */
		i++;
	if (i < len)
		i++;
	piece_add(d, &d->part[st], s + i, len - i, start, t);
	if (partial)
		d->part[st].end = end;
	else
		piece_emit(d, st, end);
	return 1;
}

static int blank(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

static void decide(struct qe_decoder *d, const char *s, size_t len)
{
	size_t w = lead_ws(s, len);
	struct qe_decode_meta m;
	int64_t t;
	size_t i;

	if (w < len && s[w] == '{') {
		json_error_t err;
		json_t *root = json_loadb(s, len, JSON_ALLOW_NUL, &err);
		if (json_is_object(root)) {
			d->fmt = json_is_string(json_object_get(root, "log")) &&
					 json_object_get(root, "stream")
				     ? QE_FMT_DOCKER
				     : QE_FMT_JSON;
			json_decref(root);
			return;
		}
		json_decref(root);
	}
	if ((i = qe_decode_parse_iso(s, len, &t)) && i + 9 <= len &&
	    (!memcmp(s + i, " stdout ", 8) || !memcmp(s + i, " stderr ", 8)) &&
	    (s[i + 8] == 'P' || s[i + 8] == 'F')) {
		d->fmt = QE_FMT_CRI;
		return;
	}
	base_meta(d, &m);
	d->fmt = parse_syslog(d, s, len, &m) ? QE_FMT_SYSLOG : QE_FMT_TEXT;
}

void qe_decoder_feed(struct qe_decoder *d, const char *s, size_t len, uint64_t start,
		     uint64_t end)
{
	struct qe_decode_meta m;
	size_t w;
	json_t *root = NULL;

	d->st.lines++;
	if (d->fmt == QE_FMT_AUTO) {
		if (blank(s, len)) {
			base_meta(d, &m);
			emit_text(d, s, len, start, end, 0, &m, 0, 0);
			return;
		}
		decide(d, s, len);
	}
	w = lead_ws(s, len);
	base_meta(d, &m);
	switch (d->fmt) {
	case QE_FMT_JSON:
		if (w < len && s[w] == '{' && decode_json(d, s, len, start, end))
			return;
		if (!blank(s, len))
			d->st.mismatched++;
		emit_text(d, s, len, start, end, 0, &m, 1, 0);
		return;
	case QE_FMT_DOCKER:
		if (w < len && s[w] == '{' && decode_docker(d, s, len, start, end, &root))
			return;
		if (root) {
			json_decref(root);
			d->st.mismatched++;
			if (decode_json(d, s, len, start, end))
				return;
		} else if (!blank(s, len)) {
			d->st.mismatched++;
		}
		emit_text(d, s, len, start, end, 0, &m, 1, 0);
		return;
	case QE_FMT_CRI:
		if (decode_cri(d, s, len, start, end))
			return;
		if (!blank(s, len))
			d->st.mismatched++;
		emit_text(d, s, len, start, end, 0, &m, 1, 0);
		return;
	case QE_FMT_SYSLOG:
	case QE_FMT_TEXT:
	case QE_FMT_JOURNAL:
	case QE_FMT_AUTO:
		/* In a file chosen as text, a JSON object line is still a record
		 * (counted); with format: text as configured, it is text. */
		if (d->o.format == QE_FMT_AUTO && w < len && s[w] == '{' &&
		    decode_json(d, s, len, start, end)) {
			d->st.mismatched++;
			return;
		}
		if (d->fmt == QE_FMT_SYSLOG && !blank(s, len) &&
		    !parse_syslog(d, s, len, &m)) {
			d->st.mismatched++;
			base_meta(d, &m);
		}
		/* A file chosen as text is not read as syslog line by line: a
		 * message "called a:b" after the time is no host and tag, and
		 * would put that line into a stream of its own. */
		emit_text(d, s, len, start, end, 0, &m, d->fmt != QE_FMT_TEXT, 0);
		return;
	}
}

void qe_decoder_feed_meta(struct qe_decoder *d, const char *text, size_t len,
			  const struct qe_decode_meta *m, uint64_t start, uint64_t end)
{
	size_t i = 0;

	d->jul_off++; /* a journal entry is a record of its own */
	while (i <= len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		struct qe_decode_meta mm = *m;
		if (!mm.k8s && d->is_k8s)
			mm.k8s = &d->k8s;
		d->st.lines++;
		/* a service under systemd that logs JSON lines: each a record */
		if (n && text[i] == '{' && d->o.format != QE_FMT_TEXT &&
		    decode_wrapped(d, text + i, n, start, end, &mm)) {
			if (!nl)
				break;
			i += n + 1;
			continue;
		}
		emit_text(d, text + i, n, start, end, 0, &mm, 0, 0);
		if (!nl)
			break;
		i += n + 1;
	}
	d->jul_off--;
}
