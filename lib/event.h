/*
 * event: one recognised error, single-line or a multi-line trace.
 *
 * The assembler creates events and owns them until it hands one to its
 * callback; the callback then owns it and frees it with qe_event_free().
 * Strings are NUL-terminated copies; `lines` holds the event's lines as
 * read (without newline, after the line-length cap), text may contain
 * invalid UTF-8: sanitize before display or JSON.  The lines and the
 * frames' strings live in blocks the event owns (a few per event, not
 * one per line or string): add them with qe_event_add_line() and
 * qe_event_add_frame() (or copy a string there with qe_event_strndup()),
 * never free or replace one.
 */
#ifndef QE_EVENT_H
#define QE_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum qe_severity {
	QE_SEV_DEBUG,
	QE_SEV_INFO,
	QE_SEV_WARNING,
	QE_SEV_ERROR,
	QE_SEV_CRITICAL,
	QE_SEV_FATAL,
};

const char *qe_severity_name(enum qe_severity s);	     /* "error", ... */
int qe_severity_parse(const char *s, enum qe_severity *out); /* 0 / -1 */

/* One stack frame, as parsed from a trace line.  Any field may be NULL.
 * In an event the strings are in the event's blocks. */
struct qe_frame {
	char *module;	/* package / class / module / crate path */
	char *function; /* method or function name */
	char *file;	/* source file as written */
	long line;	/* 0 when unknown */
	int in_app;	/* 1 = application code, 0 = runtime/library frame */
};

struct qe_event {
	char *kind;    /* "java", "python", "node", "go", "ruby", "dotnet", "php",
			  "rust", "line", or a user rule name */
	char *rule;    /* name of the rule that started the event */
	char *type;    /* exception/panic type; NULL when none (plain error line) */
	char *message; /* the error message (first line's message part); never NULL */
	enum qe_severity severity;

	char **lines; /* the lines as read, without '\n'; in `blocks` */
	size_t nr_lines, alloc_lines;
	size_t bytes;  /* sum of line lengths */
	int truncated; /* closed by the line or byte cap; more lines were dropped */
	size_t dropped_lines;

	struct qe_frame *frames; /* outermost exception's frames, in order */
	size_t nr_frames, alloc_frames;

	/* Positions in the source: start of first line, end of last line
	 * (after its newline).  Set by whoever feeds the assembler. */
	uint64_t start_pos, end_pos;
	/* The log's own time of the first line (ms since the epoch), from
	 * its timestamp or wrapping; 0 when the line carries none.  Set by
	 * the source stage. */
	int64_t time_ms;
	/* "stdout" / "stderr" for Docker and CRI logs, else NULL (static). */
	const char *stream;

	struct qe_event_block *blocks; /* where the lines are kept (event.c) */

	/* Filled by qe_fingerprint(). */
	char fingerprint[17]; /* 16 lowercase hex digits + NUL; "" until computed */
	char *template;	      /* the masked message the fingerprint used */
};

struct qe_event *qe_event_new(const char *kind, const char *rule);
void qe_event_free(struct qe_event *ev); /* NULL-safe */
/* A deep copy (lines, frames, every string). */
struct qe_event *qe_event_dup(const struct qe_event *ev);
void qe_event_add_line(struct qe_event *ev, const char *line, size_t len);
void qe_event_add_frame(struct qe_event *ev, const struct qe_frame *f); /* copies */
/* s[0, n) and a NUL, copied into the event's blocks: freed with the
 * event, never on its own. */
char *qe_event_strndup(struct qe_event *ev, const char *s, size_t n);

#endif
