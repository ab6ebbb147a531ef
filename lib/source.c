/*
 * source: lines of one stream -> events, with the stream's saved
 * position and idle deadline (see source.h).
 */
#include "source.h"

#include "assemble.h"
#include "config.h"
#include "event.h"
#include "lines.h"
#include "rules.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct qe_source {
	struct qe_source_conf conf;
	struct qe_assembler *as; /* NULL with QE_SOURCE_EACH_LINE */
	uint64_t done_pos;	 /* end of the last line fed */
	uint64_t last_line_ms;	 /* when the last line of the open event came */
};

static void on_assembled(struct qe_event *ev, void *data)
{
	struct qe_source *s = data;
	s->conf.on_event(s, ev, s->conf.data);
}

static void build_assembler(struct qe_source *s)
{
	if (s->conf.flags & QE_SOURCE_EACH_LINE)
		return;
	s->as = qe_assembler_new(s->conf.rules, s->conf.max_lines, s->conf.max_bytes,
				 on_assembled, s);
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
	build_assembler(s);
	return s;
}

void qe_source_free(struct qe_source *s)
{
	if (!s)
		return;
	qe_assembler_free(s->as);
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
	if (!s->as) {
		/* one record per line, blank lines included, so output lines
		 * up with input */
		struct qe_event *ev = qe_event_new("line", "line");
		free(ev->message);
		ev->message = qe_xstrndup(line, len);
		qe_event_add_line(ev, line, len);
		ev->start_pos = start;
		ev->end_pos = end;
		ev->truncated = !!(flags & QE_LINE_CUT);
		s->conf.on_event(s, ev, s->conf.data);
		return;
	}
	qe_assembler_feed_cut(s->as, line, len, start, end, flags & QE_LINE_CUT);
	s->last_line_ms = now_ms;
}

size_t qe_source_skip(struct qe_source *s, const char *p, size_t n, uint64_t pos)
{
	size_t k;
	if (!s->as || s->conf.on_line || (s->conf.flags & QE_SOURCE_NO_SKIP) ||
	    pos != s->done_pos || !qe_assembler_idle(s->as))
		return 0;
	k = qe_rules_scan(s->conf.rules, p, n);
	s->done_pos = pos + k;
	return k;
}

void qe_source_flush(struct qe_source *s)
{
	if (s->as)
		qe_assembler_flush(s->as);
}

void qe_source_reset(struct qe_source *s, uint64_t pos)
{
	qe_source_flush(s);
	s->done_pos = pos;
}

void qe_source_set_rules(struct qe_source *s, struct qe_rules *rules)
{
	qe_source_flush(s);
	qe_assembler_free(s->as);
	s->as = NULL;
	s->conf.rules = rules;
	build_assembler(s);
}

int qe_source_pending(const struct qe_source *s, uint64_t *start)
{
	uint64_t dummy;
	return s->as && qe_assembler_pending(s->as, start ? start : &dummy);
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
