/*
 * decode_record: a JSON record as an error event, its exception text read
 * by the same assembler and trace parsers as a text log, so that an error
 * logged as JSON and as text gets the same type, frames and fingerprint.
 */
#include "decode.h"

#include "assemble.h"
#include "buf.h"
#include "event.h"
#include "trace.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct first {
	struct qe_event *ev;
};

/* Keep the first event of the exception text; a later one (text after
 * the trace) is not this record's error. */
static void keep_first(struct qe_event *ev, void *data)
{
	struct first *f = data;
	if (!f->ev)
		f->ev = ev;
	else
		qe_event_free(ev);
}

static struct qe_event *trace_event(const char *exc, struct qe_rules *rules,
				    size_t max_lines, size_t max_bytes)
{
	struct first f = {NULL};
	struct qe_assembler *a =
	    qe_assembler_new(rules, max_lines, max_bytes, keep_first, &f);
	const char *p = exc;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		qe_assembler_feed(a, p, n, 0, 0);
		p += n + (nl ? 1 : 0);
	}
	qe_assembler_flush(a);
	qe_assembler_free(a);
	if (f.ev && !f.ev->type) { /* a stack with no exception line (zap) */
		qe_event_free(f.ev);
		f.ev = NULL;
	}
	return f.ev;
}

/* A frame object as one line of the event: "\tat Module.function (file:line)". */
static void frame_line(const struct qe_record_frame *f, struct qe_buf *b)
{
	qe_buf_reset(b);
	if (f->text) {
		const char *nl = memchr(f->text, '\n', f->text_len);
		qe_buf_addch(b, '\t');
		qe_buf_add(b, f->text, nl ? (size_t)(nl - f->text) : f->text_len);
		return;
	}
	qe_buf_addstr(b, "\tat ");
	if (f->module)
		qe_buf_addf(b, "%s.", f->module);
	qe_buf_addstr(b, f->function ? f->function : "?");
	if (f->file) {
		qe_buf_addf(b, " (%s", f->file);
		if (f->line)
			qe_buf_addf(b, ":%ld", f->line);
		qe_buf_addch(b, ')');
	}
}

/* The trace event of an exception given in parts, NULL when none of
 * its frames reads as one. */
static struct qe_event *parts_event(const struct qe_record *r, size_t max_lines)
{
	const char *kind = NULL, *msg;
	struct qe_event *ev;
	struct qe_buf b = QE_BUF_INIT;
	size_t i;

	if (!r->error_type || !r->nr_frames)
		return NULL;
	kind = r->kind;
	for (i = 0; i < r->nr_frames && !kind; i++) {
		const struct qe_record_frame *f = &r->frames[i];
		if (f->text)
			kind = qe_trace_frame_kind(f->text, f->text_len);
		else if (f->file)
			kind = qe_trace_file_kind(f->file, strlen(f->file));
	}
	ev = qe_event_new(kind ? kind : "line", "json");
	ev->type = qe_xstrdup(r->error_type);
	msg = r->exc_message ? r->exc_message : r->message ? r->message : r->text;
	free(ev->message);
	ev->message = qe_xstrndup(msg, strcspn(msg, "\n"));
	qe_event_add_line(ev, r->text, strlen(r->text));
	if (!max_lines)
		max_lines = 200;
	for (i = 0; i < r->nr_frames && ev->nr_lines < max_lines; i++) {
		const struct qe_record_frame *f = &r->frames[i];
		if (f->text ? !qe_trace_add_frame_text(ev, f->text, f->text_len)
			    : (qe_trace_add_frame_parts(ev, f->module, f->function,
							f->file, f->line),
			       0))
			continue;
		frame_line(f, &b);
		qe_event_add_line(ev, b.buf, b.len);
	}
	qe_buf_release(&b);
	if (!ev->nr_frames) {
		qe_event_free(ev);
		return NULL;
	}
	return ev;
}

struct qe_event *qe_decode_record_event(const struct qe_record *r, struct qe_rules *rules,
					size_t max_lines, size_t max_bytes)
{
	struct qe_event *ev = NULL;

	if (!r->parsed)
		return NULL;
	if (r->exception)
		ev = trace_event(r->exception, rules, max_lines, max_bytes);
	if (!ev)
		ev = parts_event(r, max_lines);
	if (!ev) {
		if (r->meta.level < QE_SEV_ERROR)
			return NULL;
		ev = qe_event_new("line", "json");
		free(ev->message);
		ev->message = qe_xstrdup(r->text);
		if (r->error_type)
			ev->type = qe_xstrdup(r->error_type);
		qe_event_add_line(ev, r->text, strlen(r->text));
	}
	if (r->meta.level >= QE_SEV_ERROR)
		ev->severity = (enum qe_severity)r->meta.level;
	ev->start_pos = r->start_pos;
	ev->end_pos = r->end_pos;
	return ev;
}
