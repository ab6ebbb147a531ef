/*
 * decode_xml: java.util.logging's XMLFormatter records, held line by
 * line and read as one record (see decode_xml.h).
 */
#include "decode_xml.h"

#include "buf.h"
#include "event.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct held {
	size_t off, len; /* in raw */
	uint64_t start, end;
	unsigned flags;
	int syslog;
	int64_t time_ms;
	int level;
	const char *stream;
	uint32_t key;
	const struct qe_k8s *k8s;
};

/* a frame's parts as offsets into strs, until strs stops growing */
struct frame_at {
	size_t cls, method; /* (size_t)-1: none */
	long line;
};

struct qe_jul {
	size_t max_bytes;
	qe_jul_record_fn record;
	qe_jul_replay_fn replay;
	void *data;
	int open;
	struct qe_decode_meta meta; /* of the record: its first line's */
	struct qe_buf raw;	    /* the lines as fed, one after another */
	struct qe_buf body;	    /* their text after the prefix, '\n' after each */
	struct held *lines;
	size_t nr, alloc;
	/* reading */
	struct qe_buf strs, msg, type, exc, text, logger, level;
	struct frame_at *at;
	size_t nr_at, alloc_at;
	struct qe_record_frame *frames;
	size_t alloc_frames;
};

struct qe_jul *qe_jul_new(size_t max_bytes, qe_jul_record_fn record,
			  qe_jul_replay_fn replay, void *data)
{
	struct qe_jul *x = qe_xcalloc(1, sizeof(*x));
	x->max_bytes = max_bytes ? max_bytes : 65536;
	x->record = record;
	x->replay = replay;
	x->data = data;
	qe_buf_init(&x->raw);
	qe_buf_init(&x->body);
	qe_buf_init(&x->strs);
	qe_buf_init(&x->msg);
	qe_buf_init(&x->type);
	qe_buf_init(&x->exc);
	qe_buf_init(&x->text);
	qe_buf_init(&x->logger);
	qe_buf_init(&x->level);
	return x;
}

void qe_jul_free(struct qe_jul *x)
{
	if (!x)
		return;
	qe_buf_release(&x->raw);
	qe_buf_release(&x->body);
	qe_buf_release(&x->strs);
	qe_buf_release(&x->msg);
	qe_buf_release(&x->type);
	qe_buf_release(&x->exc);
	qe_buf_release(&x->text);
	qe_buf_release(&x->logger);
	qe_buf_release(&x->level);
	free(x->lines);
	free(x->at);
	free(x->frames);
	free(x);
}

/* body without the blanks around it */
static const char *trim(const char *s, size_t n, size_t *out)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	*out = n;
	return s;
}

static int is(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);
	s = trim(s, n, &n);
	return n == w && !memcmp(s, word, w);
}

int qe_jul_record_line(const char *body, size_t n)
{
	size_t i = 0;
	while (i < n && (body[i] == ' ' || body[i] == '\t'))
		i++;
	if (n - i < 8 || memcmp(body + i, "<record>", 8))
		return 0;
	for (i += 8; i < n; i++)
		if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r')
			return 0;
	return 1;
}

int qe_jul_error_line(const char *body, size_t n)
{
	return is(body, n, "<exception>") || is(body, n, "<level>SEVERE</level>");
}

int qe_jul_pending(const struct qe_jul *x, uint64_t *start)
{
	if (x->open && start)
		*start = x->lines[0].start;
	return x->open;
}

/* Replay the held lines as text and close the record. */
static void give_up(struct qe_jul *x)
{
	size_t i;
	if (!x->open)
		return;
	x->open = 0; /* the replayed lines are no record's */
	for (i = 0; i < x->nr; i++) {
		const struct held *h = &x->lines[i];
		struct qe_jul_line l;
		memset(&l, 0, sizeof(l));
		l.text = x->raw.buf + h->off;
		l.len = h->len;
		l.start = h->start;
		l.end = h->end;
		l.flags = h->flags;
		l.syslog = h->syslog;
		l.meta.time_ms = h->time_ms;
		l.meta.level = h->level;
		l.meta.stream = h->stream;
		l.meta.key = h->key;
		l.meta.k8s = h->k8s;
		x->replay(&l, x->data);
	}
	x->nr = 0;
}

void qe_jul_flush(struct qe_jul *x)
{
	give_up(x);
}

/* ---- reading a record ---- */

/* s[0, n) with XML's character references replaced, into b. */
static void unescape(struct qe_buf *b, const char *s, size_t n)
{
	size_t i = 0;
	static const struct {
		const char *name;
		char c;
	} ent[] = {
	    {"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};

	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t k, j;
		if (!amp) {
			qe_buf_add(b, s + i, n - i);
			return;
		}
		k = (size_t)(amp - s);
		qe_buf_add(b, s + i, k - i);
		i = k + 1;
		for (j = 0; j < QE_ARRAY_SIZE(ent); j++) {
			size_t l = strlen(ent[j].name);
			if (n - i >= l && !memcmp(s + i, ent[j].name, l)) {
				qe_buf_addch(b, ent[j].c);
				i += l;
				break;
			}
		}
		if (j < QE_ARRAY_SIZE(ent))
			continue;
		if (i < n && s[i] == '#') {
			/* &#N; or &#xH;: the characters XMLFormatter escapes are
			 * ASCII; others are kept as written */
			char *end;
			unsigned long v;
			char num[16];
			size_t m = 0;
			while (i + 1 + m < n && m < sizeof(num) - 1 &&
			       s[i + 1 + m] != ';')
				num[m] = s[i + 1 + m], m++;
			num[m] = '\0';
			v = num[0] == 'x' ? strtoul(num + 1, &end, 16)
					  : strtoul(num, &end, 10);
			if (m && *end == '\0' && i + 1 + m < n && v > 0 && v < 0x80) {
				qe_buf_addch(b, (char)v);
				i += m + 2;
				continue;
			}
		}
		qe_buf_addch(b, '&');
	}
}

/* The value of "<name>value</name>" when the text at s is that element
 * on one line: 1, *v and *vn set. */
static int element(const char *s, size_t n, const char *name, const char **v, size_t *vn)
{
	size_t w = strlen(name);
	s = trim(s, n, &n);
	if (n < 2 * w + 5 || s[0] != '<' || memcmp(s + 1, name, w) || s[w + 1] != '>')
		return 0;
	if (memcmp(s + n - w - 3, "</", 2) || memcmp(s + n - w - 1, name, w) ||
	    s[n - 1] != '>')
		return 0;
	*v = s + w + 2;
	*vn = n - 2 * w - 5;
	return 1;
}

/* A <message> element from the line at *p on, over as many lines as it
 * takes (a message may hold newlines), into b; *p moves past it.  0 when
 * the line is no <message>. */
static int message(const char **p, const char *end, struct qe_buf *b)
{
	const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s)), *close;
	size_t n;
	while (s < nl && (*s == ' ' || *s == '\t'))
		s++;
	n = (size_t)(nl - s);
	if (n < 9 || memcmp(s, "<message>", 9))
		return 0;
	s += 9;
	close = NULL;
	{
		const char *q = s;
		while ((q = memchr(q, '<', (size_t)(end - q)))) {
			if ((size_t)(end - q) >= 10 && !memcmp(q, "</message>", 10)) {
				close = q;
				break;
			}
			q++;
		}
	}
	if (!close)
		return 0;
	qe_buf_reset(b);
	unescape(b, s, (size_t)(close - s));
	nl = memchr(close, '\n', (size_t)(end - close));
	*p = nl ? nl + 1 : end;
	return 1;
}

static int jul_level(const char *s, size_t n)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {{"SEVERE", QE_SEV_ERROR}, {"WARNING", QE_SEV_WARNING},
		     {"INFO", QE_SEV_INFO},    {"CONFIG", QE_SEV_INFO},
		     {"FINE", QE_SEV_DEBUG},   {"FINER", QE_SEV_DEBUG},
		     {"FINEST", QE_SEV_DEBUG}};
	size_t i;
	char num[16], *end;
	long v;

	for (i = 0; i < QE_ARRAY_SIZE(names); i++)
		if (strlen(names[i].name) == n && !memcmp(s, names[i].name, n))
			return names[i].level;
	/* a custom Level is written as its value when it has no name
	 * known to the formatter: SEVERE is 1000, WARNING 900, INFO 800 */
	if (n && n < sizeof(num)) {
		memcpy(num, s, n);
		num[n] = '\0';
		v = strtol(num, &end, 10);
		if (!*end)
			return v >= 1000  ? QE_SEV_ERROR
			       : v >= 900 ? QE_SEV_WARNING
			       : v >= 700 ? QE_SEV_INFO
					  : QE_SEV_DEBUG;
	}
	return qe_decode_level_name(s, n);
}

static size_t keep(struct qe_jul *x, const char *s, size_t n)
{
	size_t at = x->strs.len;
	unescape(&x->strs, s, n);
	qe_buf_addch(&x->strs, '\0');
	return at;
}

/* Read the held record and deliver it; 0 when it is none (no level). */
static int deliver(struct qe_jul *x, uint64_t end_pos)
{
	const char *p = x->body.buf, *end = x->body.buf + x->body.len, *v;
	struct qe_record r;
	int in_exc = 0, in_frame = 0, have_msg = 0, have_exc = 0;
	size_t vn, i;
	struct frame_at *f = NULL;
	long millis = -1;

	qe_buf_reset(&x->strs);
	qe_buf_reset(&x->logger);
	qe_buf_reset(&x->level);
	qe_buf_reset(&x->exc);
	x->nr_at = 0;
	memset(&r, 0, sizeof(r));
	r.meta = x->meta;
	r.meta.level = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);
		if (message(&p, end, in_exc ? &x->exc : &x->msg)) {
			if (in_exc)
				have_exc = 1;
			else
				have_msg = 1;
			continue;
		}
		if (is(p, n, "<exception>")) {
			in_exc = 1;
		} else if (is(p, n, "</exception>")) {
			in_exc = 0;
		} else if (in_exc && is(p, n, "<frame>")) {
			QE_ALLOC_GROW(x->at, x->nr_at + 1, x->alloc_at);
			f = &x->at[x->nr_at++];
			f->cls = f->method = (size_t)-1;
			f->line = 0;
			in_frame = 1;
		} else if (is(p, n, "</frame>")) {
			in_frame = 0;
		} else if (in_frame && element(p, n, "class", &v, &vn)) {
			f->cls = keep(x, v, vn);
		} else if (in_frame && element(p, n, "method", &v, &vn)) {
			f->method = keep(x, v, vn);
		} else if (in_frame && element(p, n, "line", &v, &vn)) {
			f->line = strtol(v, NULL, 10);
		} else if (!in_exc && element(p, n, "level", &v, &vn)) {
			qe_buf_reset(&x->level);
			qe_buf_add(&x->level, v, vn);
			r.meta.level = jul_level(v, vn);
		} else if (!in_exc && element(p, n, "logger", &v, &vn)) {
			qe_buf_reset(&x->logger);
			unescape(&x->logger, v, vn);
		} else if (!in_exc && element(p, n, "millis", &v, &vn)) {
			millis = strtol(v, NULL, 10);
		}
		p = nl + 1;
	}
	if (!x->level.len)
		return 0;
	r.parsed = 1;
	r.level_name = x->level.buf;
	r.message = have_msg ? x->msg.buf : NULL;
	r.meta.logger = x->logger.len ? x->logger.buf : NULL;
	if (r.meta.time_ms < 0 && millis >= 0)
		r.meta.time_ms = millis;
	r.kind = "java";
	if (have_exc) {
		/* Throwable.toString(): "class: message", or the class alone */
		const char *colon = strstr(x->exc.buf, ": ");
		qe_buf_reset(&x->type);
		qe_buf_add(&x->type, x->exc.buf,
			   colon ? (size_t)(colon - x->exc.buf) : x->exc.len);
		r.error_type = x->type.buf;
		r.exc_message = colon ? colon + 2 : NULL;
		QE_ALLOC_GROW(x->frames, x->nr_at, x->alloc_frames);
		for (i = 0; i < x->nr_at; i++) {
			struct qe_record_frame *rf = &x->frames[i];
			memset(rf, 0, sizeof(*rf));
			rf->module = x->at[i].cls != (size_t)-1
					 ? x->strs.buf + x->at[i].cls
					 : NULL;
			rf->function = x->at[i].method != (size_t)-1
					   ? x->strs.buf + x->at[i].method
					   : NULL;
			rf->line = x->at[i].line;
		}
		r.frames = x->nr_at ? x->frames : NULL;
		r.nr_frames = x->nr_at;
	}
	/* the record as one line: the message, then the throwable */
	qe_buf_reset(&x->text);
	if (have_msg)
		qe_buf_add(&x->text, x->msg.buf, strcspn(x->msg.buf, "\n"));
	if (have_exc) {
		if (x->text.len)
			qe_buf_addstr(&x->text, ": ");
		qe_buf_add(&x->text, x->exc.buf, strcspn(x->exc.buf, "\n"));
	}
	r.text = x->text.buf ? x->text.buf : "";
	r.raw = x->body.buf;
	r.raw_len = x->body.len - 1; /* without the last '\n' */
	r.start_pos = x->lines[0].start;
	r.end_pos = end_pos;
	x->record(&r, x->nr, x->data);
	return 1;
}

static void hold(struct qe_jul *x, const char *body, size_t blen,
		 const struct qe_jul_line *l)
{
	struct held *h;
	QE_ALLOC_GROW(x->lines, x->nr + 1, x->alloc);
	h = &x->lines[x->nr++];
	h->off = x->raw.len;
	h->len = l->len;
	h->start = l->start;
	h->end = l->end;
	h->flags = l->flags;
	h->syslog = l->syslog;
	h->time_ms = l->meta.time_ms;
	h->level = l->meta.level;
	h->stream = l->meta.stream;
	h->key = l->meta.key;
	h->k8s = l->meta.k8s;
	/* NUL after each: replayed in place (the decoder's own line buffer
	 * may hold the line being fed) */
	qe_buf_add(&x->raw, l->text, l->len);
	qe_buf_addch(&x->raw, '\0');
	qe_buf_add(&x->body, body, blen);
	qe_buf_addch(&x->body, '\n');
}

int qe_jul_feed(struct qe_jul *x, const char *body, size_t blen,
		const struct qe_jul_line *l, const struct qe_decode_meta *meta)
{
	if (x->open && meta->key != x->meta.key)
		return 0; /* another stream's line: not the record's */
	if (qe_jul_record_line(body, blen)) {
		give_up(x); /* a record never closed */
		x->open = 1;
		x->nr = 0;
		qe_buf_reset(&x->raw);
		qe_buf_reset(&x->body);
		x->meta = *meta;
		/* borrowed strings the next lines overwrite */
		x->meta.host = x->meta.app = x->meta.unit = x->meta.logger = NULL;
		hold(x, body, blen, l);
		return 1;
	}
	if (!x->open)
		return 0;
	if (x->nr >= QE_JUL_MAX_LINES || x->raw.len + l->len > x->max_bytes + x->nr) {
		give_up(x);
		return 0;
	}
	hold(x, body, blen, l);
	if (!is(body, blen, "</record>"))
		return 1;
	x->open = 0;
	if (!deliver(x, l->end)) {
		x->open = 1;
		give_up(x);
	}
	x->nr = 0;
	return 1;
}
