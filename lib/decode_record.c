/*
 * decode_record: a JSON record as an error event, its exception text read
 * by the same assembler and trace parsers as a text log, so that an error
 * logged as JSON and as text gets the same type, frames and fingerprint.
 */
#include "decode.h"

#include "assemble.h"
#include "event.h"
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

struct qe_event *qe_decode_record_event(const struct qe_record *r, struct qe_rules *rules,
					size_t max_lines, size_t max_bytes)
{
	struct qe_event *ev = NULL;

	if (!r->parsed)
		return NULL;
	if (r->exception)
		ev = trace_event(r->exception, rules, max_lines, max_bytes);
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
