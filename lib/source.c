/*
 * source: lines of one stream -> (decoding) -> events, with the stream's
 * saved position and idle deadline (see source.h).
 */
#include "source.h"

#include "ansi.h"
#include "assemble.h"
#include "config.h"
#include "decode.h"
#include "decode_xml.h"
#include "event.h"
#include "lines.h"
#include "rules.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/*
 * One assembler per stream of the source: a plain file has one; Docker
 * and CRI logs interleave stdout and stderr; syslog and the journal
 * interleave processes.  Bounded: past MAX_STREAMS the least recently
 * fed stream is flushed and its assembler reused.  The streams in use are
 * the first nr_streams: a plain file's line looks at one, not at sixteen.
 */
#define MAX_STREAMS 16

struct stream {
	struct qe_source *src;
	struct qe_assembler *as;
	uint32_t key;
	int used;
	int64_t open_time; /* the log's time of the open event's first line */
	const char *kind;  /* "stdout" / "stderr" / NULL */
	uint64_t last_fed; /* a counter, for reuse */
};

struct qe_source {
	struct qe_source_conf conf;
	struct qe_decoder *dec; /* NULL: lines go to the assembler as they are */
	struct stream streams[MAX_STREAMS];
	size_t nr_streams; /* streams[0 .. nr_streams) are used */
	uint64_t fed;
	uint64_t done_pos;     /* end of the last line fed */
	uint64_t last_line_ms; /* when the last line of an open event came */
	uint64_t now_ms;       /* of the line being fed */
	struct qe_k8s k8s;
	int has_k8s;
	int feeding_cut;  /* the line being decoded was cut by the splitter */
	int feeding_meta; /* the lines come from qe_source_feed_meta() (the journal) */
	/* the decoder's field names, its own copies: the configuration they
	 * came from is replaced by a reload while the source lives on */
	char *fields[6];
	uint64_t emitted_end; /* the furthest end_pos of an event handed on */
	uint64_t scan_stop;   /* where the last scan found a candidate line */
	/* the stream range [pj_from, pj_to) looked at for a record behind
	 * kubectl's time, and the first such line in it (pj_to: none), so
	 * that the rest of a block is not looked at again on every call */
	uint64_t pj_from, pj_to, pj_at;
};

static void emit(struct qe_source *s, struct qe_event *ev)
{
	if (ev->end_pos > s->emitted_end)
		s->emitted_end = ev->end_pos;
	s->conf.on_event(s, ev, s->conf.data);
}

static void on_assembled(struct qe_event *ev, void *data)
{
	struct stream *st = data;
	if (!ev->time_ms)
		ev->time_ms = st->open_time;
	if (!ev->stream)
		ev->stream = st->kind;
	emit(st->src, ev);
}

static struct stream *stream_for(struct qe_source *s, uint32_t key)
{
	struct stream *st, *pick = NULL;
	size_t i;
	for (i = 0; i < s->nr_streams; i++) {
		st = &s->streams[i];
		if (st->key == key)
			goto found;
		if (!pick || st->last_fed < pick->last_fed)
			pick = st;
	}
	/* a free slot, else the one fed least recently */
	if (s->nr_streams < MAX_STREAMS) {
		st = &s->streams[s->nr_streams++];
		st->as = qe_assembler_new(s->conf.rules, s->conf.max_lines,
					  s->conf.max_bytes, on_assembled, st);
	} else {
		st = pick;
		qe_assembler_flush(st->as); /* the stream fed least recently */
	}
	st->src = s;
	st->used = 1;
	st->key = key;
	st->open_time = 0;
	st->kind = NULL;
found:
	st->last_fed = ++s->fed;
	return st;
}

static void feed_stream(struct qe_source *s, uint32_t key, const char *kind,
			const char *line, size_t len, uint64_t start, uint64_t end,
			int cut, int64_t time_ms)
{
	struct stream *st = stream_for(s, key);
	uint64_t open;
	st->kind = kind;
	/* a journal entry is a record of its own: the next entry of a unit
	 * is not held as the rest of an event's message (a held line would
	 * wait for what decides, and journal lines carry no prefix) */
	qe_assembler_hold_messages(st->as, !s->feeding_meta);
	qe_assembler_feed_cut(st->as, line, len, start, end, cut);
	/* an event that starts with this line takes its time */
	if (qe_assembler_pending(st->as, &open) && open == start)
		st->open_time = time_ms > 0 ? time_ms : 0;
	s->last_line_ms = s->now_ms;
}

static void on_dline(const struct qe_dline *l, void *data)
{
	struct qe_source *s = data;
	feed_stream(s, l->meta.key, l->meta.stream, l->text, l->len, l->start_pos,
		    l->end_pos, (l->flags & QE_DLINE_CUT) || s->feeding_cut,
		    l->meta.time_ms);
}

static void on_record(const struct qe_record *r, void *data)
{
	struct qe_source *s = data;
	struct qe_event *ev = qe_decode_record_event(r, s->conf.rules, s->conf.max_lines,
						     s->conf.max_bytes);
	if (!ev) {
		/* no error by its fields; user rules may still match its text */
		if (s->conf.rules && r->parsed && r->text && *r->text)
			feed_stream(s, r->meta.key, r->meta.stream, r->text,
				    strlen(r->text), r->start_pos, r->end_pos, 0,
				    r->meta.time_ms);
		return;
	}
	if (r->meta.time_ms > 0)
		ev->time_ms = r->meta.time_ms;
	emit(s, ev);
}

void qe_source_conf_from_config(struct qe_source_conf *conf, const struct qe_config *cfg,
				struct qe_rules *rules)
{
	memset(conf, 0, sizeof(*conf));
	conf->rules = rules;
	conf->max_lines = cfg->event_max_lines > 0 ? (size_t)cfg->event_max_lines : 0;
	conf->max_bytes = cfg->event_max_bytes > 0 ? (size_t)cfg->event_max_bytes : 0;
	conf->max_line_bytes = cfg->max_line_bytes > 0 ? (size_t)cfg->max_line_bytes : 0;
	conf->idle_ms = cfg->idle_timeout_ms > 0 ? (uint64_t)cfg->idle_timeout_ms : 0;
	conf->cfg = cfg;
}

static void own_fields(struct qe_source *s, struct qe_decode_fields *f)
{
	const char **names[] = {&f->level, &f->message,	  &f->logger,
				&f->time,  &f->exception, &f->error_type};
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(names); i++)
		if (*names[i])
			*names[i] = s->fields[i] = qe_xstrdup(*names[i]);
}

struct qe_source *qe_source_new(const struct qe_source_conf *conf, uint64_t pos)
{
	struct qe_source *s = qe_xcalloc(1, sizeof(*s));
	s->conf = *conf;
	if (!s->conf.max_lines)
		s->conf.max_lines = 200;
	if (!s->conf.max_bytes)
		s->conf.max_bytes = 65536;
	s->done_pos = pos;
	if (s->conf.path)
		s->has_k8s = qe_k8s_from_path(s->conf.path, &s->k8s);
	if (s->conf.cfg && !(s->conf.flags & (QE_SOURCE_EACH_LINE | QE_SOURCE_RAW))) {
		struct qe_decode_opts o;
		struct qe_decode_cb cb = {on_dline, on_record};
		if (qe_decode_opts_for_source(&o, s->conf.cfg, s->conf.opts,
					      s->conf.path) < 0) {
			free(s);
			return NULL;
		}
		own_fields(s, &o.fields);
		/* an event's lines are shown and stored as the log wrote them;
		 * the assembler sees through timestamps itself */
		o.keep_prefix = 1;
		/* user rules may look for warnings: do not skip those records */
		if (s->conf.cfg->nr_rules)
			o.quick_below = 2; /* QE_SEV_WARNING */
		s->dec = qe_decoder_new(&o, &cb, s);
		if (!s->dec) {
			qe_source_free(s);
			return NULL;
		}
	}
	s->conf.opts = NULL; /* borrowed only until here */
	return s;
}

static void free_streams(struct qe_source *s)
{
	size_t i;
	for (i = 0; i < s->nr_streams; i++) {
		qe_assembler_free(s->streams[i].as);
		memset(&s->streams[i], 0, sizeof(s->streams[i]));
	}
	s->nr_streams = 0;
}

void qe_source_free(struct qe_source *s)
{
	size_t i;
	if (!s)
		return;
	qe_decoder_free(s->dec);
	free_streams(s);
	for (i = 0; i < QE_ARRAY_SIZE(s->fields); i++)
		free(s->fields[i]);
	free(s);
}

void qe_source_feed(struct qe_source *s, const char *line, size_t len, uint64_t start,
		    uint64_t end, unsigned flags, uint64_t now_ms)
{
	if (len && line[len - 1] == '\r')
		len--;
	if (s->conf.on_line)
		s->conf.on_line(s, line, len, start, end, s->conf.data);
	s->done_pos = end;
	s->now_ms = now_ms;
	if (s->conf.flags & QE_SOURCE_EACH_LINE) {
		/* one record per line, blank lines included, so output lines
		 * up with input */
		struct qe_event *ev = qe_event_new("line", "line");
		free(ev->message);
		ev->message = qe_xstrndup(line, len);
		qe_event_add_line(ev, line, len);
		ev->start_pos = start;
		ev->end_pos = end;
		ev->truncated = !!(flags & QE_LINE_CUT);
		emit(s, ev);
		return;
	}
	if (s->dec) {
		/* a cut line stays cut: the decoder sees its prefix */
		s->feeding_cut = !!(flags & QE_LINE_CUT);
		qe_decoder_feed(s->dec, line, len, start, end);
		s->feeding_cut = 0;
		return;
	}
	feed_stream(s, 0, NULL, line, len, start, end, !!(flags & QE_LINE_CUT), 0);
}

/* An entry the journal calls an error that no rule took: one event. */
static void level_event(struct qe_source *s, const char *text, size_t len,
			const struct qe_decode_meta *m, uint64_t start, uint64_t end,
			int cut)
{
	struct qe_event *ev;
	const char *p = text, *e = text + len, *nl;
	while (p < e && (*p == '\n' || *p == ' ' || *p == '\t'))
		p++;
	if (p == e)
		return; /* nothing to report */
	ev = qe_event_new("line", "priority");
	ev->severity = (enum qe_severity)m->level;
	nl = memchr(p, '\n', (size_t)(e - p));
	free(ev->message);
	ev->message = qe_xstrndup(p, nl ? (size_t)(nl - p) : (size_t)(e - p));
	while (p < e) {
		size_t n;
		nl = memchr(p, '\n', (size_t)(e - p));
		n = nl ? (size_t)(nl - p) : (size_t)(e - p);
		if (!ev->nr_lines && n > s->conf.max_bytes) {
			/* the first line is always kept, cut to the cap */
			qe_event_add_line(ev, p, s->conf.max_bytes);
			ev->truncated = 1;
			break;
		}
		if (ev->nr_lines >= s->conf.max_lines ||
		    ev->bytes + n > s->conf.max_bytes) {
			ev->truncated = 1;
			break;
		}
		qe_event_add_line(ev, p, n);
		p += n + 1;
	}
	ev->truncated |= cut;
	ev->start_pos = start;
	ev->end_pos = end;
	ev->time_ms = m->time_ms > 0 ? m->time_ms : 0;
	emit(s, ev);
}

void qe_source_feed_meta(struct qe_source *s, const char *text, size_t len,
			 const struct qe_decode_meta *m, uint64_t start, uint64_t end,
			 int cut, uint64_t now_ms)
{
	size_t i;
	int taken = 0;

	s->done_pos = end;
	s->now_ms = now_ms;
	s->emitted_end = 0;
	s->feeding_meta = 1;
	if (s->dec) {
		s->feeding_cut = cut;
		qe_decoder_feed_meta(s->dec, text, len, m, start, end);
		s->feeding_cut = 0;
	} else {
		size_t off = 0;
		while (off <= len) {
			const char *nl = memchr(text + off, '\n', len - off);
			size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
			feed_stream(s, m->key, NULL, text + off, n, start, end, cut,
				    m->time_ms);
			if (!nl)
				break;
			off += n + 1;
		}
	}
	s->feeding_meta = 0;
	if (m->level < QE_SEV_ERROR || !s->conf.rules)
		return;
	/* taken: an event holds its lines, or one that ended with them
	 * was handed on */
	for (i = 0; i < s->nr_streams; i++)
		if (s->streams[i].used && s->streams[i].key == m->key &&
		    !qe_assembler_idle(s->streams[i].as))
			taken = 1;
	if (!taken && s->emitted_end < end)
		level_event(s, text, len, m, start, end, cut);
}

static int quick_line(const char *line, size_t len, void *data)
{
	return qe_decoder_quick_line(data, line, len);
}

/* How much of [p, p + n) (whole lines from stream position pos) the
 * scan may look at: up to the first line with a JSON record behind
 * kubectl's time (see qe_source_skip()), else all. */
static size_t prefixed_limit(struct qe_source *s, const char *p, size_t n, uint64_t pos)
{
	uint64_t end = pos + n;
	size_t k = 0, h;

	if (pos >= s->pj_from && pos <= s->pj_at && s->pj_at <= s->pj_to) {
		if (s->pj_at < s->pj_to)
			return s->pj_at - pos < n ? (size_t)(s->pj_at - pos) : n;
		if (end <= s->pj_to)
			return n;
		k = (size_t)(s->pj_to - pos); /* a line start: a block's end */
	}
	h = k + qe_decoder_prefixed_first(s->dec, p + k, n - k);
	s->pj_from = pos;
	s->pj_to = end;
	s->pj_at = pos + h;
	return h;
}

/* The text of a line after kubectl's time, if any. */
static const char *body_of(const char *line, size_t len, size_t *n)
{
	int64_t t;
	size_t o = qe_decode_strip_time(line, len, &t);
	*n = len - o;
	return line + o;
}

/* A line that makes a java.util.logging XML record an error: the
 * decoder reads that record whole (lib/decode_xml). */
static int jul_error_line(const char *line, size_t len)
{
	size_t n = len;
	const char *b;
	/* most lines end otherwise: no time parsed for them */
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	if (!n || line[n - 1] != '>')
		return 0;
	b = body_of(line, len, &n);
	return qe_jul_error_line(b, n);
}

/* The start of the "<record>" line of the XML record that the line at k
 * (a line start) is in, else k.  The look-back goes over the lines such
 * a record has (ending with '>', or starting with '<' or a blank) and
 * ends at any other line or a "</record>"; at most QE_JUL_MAX_LINES. */
static size_t jul_record_start(const char *p, size_t k)
{
	size_t at = k, lines = QE_JUL_MAX_LINES;

	while (lines-- && at > 0) {
		const char *q = at >= 2 ? memrchr(p, '\n', at - 1) : NULL;
		size_t ls = q ? (size_t)(q + 1 - p) : 0, e = at - 1, n;
		const char *b;
		while (e > ls &&
		       (p[e - 1] == ' ' || p[e - 1] == '\t' || p[e - 1] == '\r'))
			e--;
		if (e > ls && p[e - 1] == '>') {
			b = body_of(p + ls, e - ls, &n);
			if (qe_jul_record_line(b, n))
				return ls;
			if (n >= 9 && !memcmp(b, "</record>", 9))
				return k;
		} else if (e == ls || (p[ls] != '<' && p[ls] != ' ')) {
			return k;
		}
		at = ls;
	}
	return k;
}

/* Whether a text line the scan stops at would change anything when fed:
 * it goes to the assembler of stream 0 as it is (the decoder of a text
 * file keeps the line as written; one with colour codes is judged by
 * what they hide, so it is fed). */
static int text_line(const char *line, size_t len, void *data)
{
	struct qe_source *s = data;
	size_t i;

	if (len && line[len - 1] == '\r')
		len--;
	/* a line that only the lines above it make an event's: those are
	 * not fed unless the scan stops here */
	if (qe_assembler_head_above(line, len))
		return 1;
	if (s->dec &&
	    (qe_decoder_format(s->dec) != QE_FMT_TEXT || qe_ansi_has(line, len) ||
	     qe_decoder_prefixed_line(s->dec, line, len) || jul_error_line(line, len)))
		return 1;
	for (i = 0; i < s->nr_streams; i++)
		if (s->streams[i].key == 0)
			return qe_assembler_takes(s->streams[i].as, line, len);
	return s->nr_streams < MAX_STREAMS
		   ? qe_assembler_takes(stream_for(s, 0)->as, line, len)
		   : 1;
}

/* Of the `lines` lines before offset k (a line start; p holds n bytes),
 * the start of the earliest that may head a trace, else k; the lines
 * that the line at k shows to be its event's first are among them. */
static size_t head_lines(const char *p, size_t n, size_t k, size_t lines)
{
	const char *le = memchr(p + k, '\n', n - k);
	size_t at = k, start = k;
	int above = qe_assembler_head_above(p + k, le ? (size_t)(le - (p + k)) : n - k);

	while (lines-- && at > 0) {
		const char *q = at >= 2 ? memrchr(p, '\n', at - 1) : NULL;
		size_t ls = q ? (size_t)(q + 1 - p) : 0;
		if (above > 0 || qe_assembler_head_start(p + ls, at - 1 - ls))
			start = ls;
		above--;
		at = ls;
	}
	return start;
}

size_t qe_source_skip(struct qe_source *s, const char *p, size_t n, uint64_t pos)
{
	size_t k, i;
	uint64_t held;
	struct qe_scan_json json, *jp = NULL;
	struct qe_scan_text text = {text_line, s};
	if (!s->conf.rules || s->conf.on_line ||
	    (s->conf.flags & (QE_SOURCE_NO_SKIP | QE_SOURCE_EACH_LINE)) ||
	    pos != s->done_pos)
		return 0;
	/* the lines before the candidate found last are being fed */
	if (pos < s->scan_stop)
		return 0;
	/* an open event takes the lines that follow, one by one (the most
	 * common answer while an event is read, so asked first) */
	for (i = 0; i < s->nr_streams; i++)
		if (s->streams[i].used && qe_assembler_wants_next(s->streams[i].as))
			return 0;
	/* plain text and JSON lines can be judged by their bytes; a wrapped
	 * line (syslog, Docker, CRI) only by what it unwraps to */
	if (s->dec) {
		enum qe_format f = qe_decoder_format(s->dec);
		/* a text file of JSON records behind kubectl's time is judged
		 * by the records, which the byte scan cannot read */
		if ((f != QE_FMT_TEXT && f != QE_FMT_JSON) ||
		    qe_decoder_pending(s->dec, &held) || qe_decoder_prefixed_json(s->dec))
			return 0;
		if (qe_decoder_json_lines(s->dec)) {
			json.level = s->fields[0];
			json.message = s->fields[1];
			json.exception = s->fields[4];
			json.quick = quick_line;
			json.data = s->dec;
			jp = &json;
		}
	}
	/* Until the decoder has read a record behind kubectl's time, such a
	 * record is no JSON line to the scan and may hold no trigger word
	 * ("level":50): the scan stops at the first one, whose reading
	 * turns the fast path off. */
	k = qe_rules_scan(s->conf.rules, p, s->dec ? prefixed_limit(s, p, n, pos) : n, jp,
			  &text);
	/* The lines just before a line the scan stops at are not passed
	 * over when they may head the trace it starts (java.util.logging's
	 * date line, Go's "runtime:" lines, a Node.js source location): the
	 * assembler recognises them only by what follows. */
	if (k < n) {
		size_t r;
		s->scan_stop = pos + k;
		r = s->dec ? jul_record_start(p, k) : k;
		k = head_lines(p, n, k, QE_SOURCE_HEAD_LINES);
		if (r < k)
			k = r;
	} else if (n) {
		/* The read may end inside the line that shows the last ones
		 * to head an event (Tcl's "    while executing" under its
		 * message): the last line, and the head lines before it, are
		 * fed. */
		const char *q = n >= 2 ? memrchr(p, '\n', n - 1) : NULL;
		size_t last = q ? (size_t)(q + 1 - p) : 0;
		k = head_lines(p, n, n, QE_SOURCE_HEAD_LINES);
		if (last < k)
			k = last;
	}
	s->done_pos = pos + k;
	return k;
}

void qe_source_flush(struct qe_source *s)
{
	size_t i;
	if (s->dec)
		qe_decoder_flush(s->dec);
	for (i = 0; i < s->nr_streams; i++)
		if (s->streams[i].used)
			qe_assembler_flush(s->streams[i].as);
}

void qe_source_reset(struct qe_source *s, uint64_t pos)
{
	qe_source_flush(s);
	s->done_pos = pos;
	s->scan_stop = 0;
	s->pj_from = s->pj_to = s->pj_at = 0;
}

void qe_source_set_rules(struct qe_source *s, struct qe_rules *rules)
{
	qe_source_flush(s);
	free_streams(s);
	s->conf.rules = rules;
}

int qe_source_pending(const struct qe_source *s, uint64_t *start)
{
	uint64_t oldest = UINT64_MAX, p;
	size_t i;
	int any = 0;
	if (s->dec && qe_decoder_pending(s->dec, &p)) {
		any = 1;
		oldest = p;
	}
	for (i = 0; i < s->nr_streams; i++)
		if (s->streams[i].used && qe_assembler_pending(s->streams[i].as, &p)) {
			any = 1;
			if (p < oldest)
				oldest = p;
		}
	if (any && start)
		*start = oldest;
	return any;
}

uint64_t qe_source_commit_pos(const struct qe_source *s)
{
	uint64_t start;
	if (qe_source_pending(s, &start) && start < s->done_pos)
		return start;
	return s->done_pos;
}

uint64_t qe_source_deadline(const struct qe_source *s)
{
	if (!s->conf.idle_ms || !qe_source_pending(s, NULL))
		return 0;
	return s->last_line_ms + s->conf.idle_ms;
}

int qe_source_check_idle(struct qe_source *s, uint64_t now_ms)
{
	uint64_t d = qe_source_deadline(s);
	if (!d || now_ms < d)
		return 0;
	qe_source_flush(s);
	return 1;
}

const char *qe_source_format(const struct qe_source *s)
{
	return s->dec ? qe_decoder_format_name(s->dec) : "text";
}

const struct qe_k8s *qe_source_k8s(const struct qe_source *s)
{
	return s->has_k8s ? &s->k8s : NULL;
}

static void on_read_line(const char *line, size_t len, uint64_t start, uint64_t end,
			 unsigned flags, void *data)
{
	qe_source_feed(data, line, len, start, end, flags, 0);
}

static size_t on_read_skip(const char *p, size_t n, uint64_t pos, void *data)
{
	return qe_source_skip(data, p, n, pos);
}

int qe_source_read_fd(struct qe_source *s, int fd, const char *name,
		      struct qe_source_counts *counts)
{
	struct qe_lines l;
	int rc;
	qe_lines_init(&l, s->conf.max_line_bytes, s->done_pos);
	rc = qe_lines_read_fd_skip(&l, fd, name, on_read_line, on_read_skip, s);
	if (counts) {
		counts->lines = l.lines;
		counts->bytes = l.bytes;
		counts->truncated_lines = l.truncated_lines;
	}
	qe_lines_release(&l);
	qe_source_flush(s);
	return rc;
}
