/*
 * trace: what a finished event says (type, message, frames), parsed from
 * its lines by kind, and the log prefixes that writers put in front of
 * every line.  Plain C scanning, linear in the input: a huge line costs
 * one pass.  Nothing here allocates except qe_trace_parse() filling the
 * event.
 */
#ifndef QE_TRACE_H
#define QE_TRACE_H

#include <stddef.h>

struct qe_event;

/* Parse type, message and frames of a finished event from its lines
 * (used by the assembler; exposed for tests and `fingerprint`).  Parsing
 * twice gives the same result.  Events whose kind is not a built-in
 * trace language keep what their rule captured. */
void qe_trace_parse(struct qe_event *ev);

/*
 * Frames one at a time, as a structured log record lists them (a JSON
 * array of frame strings, or frame objects' parts) rather than inside a
 * trace's text.  They are read and judged (module, function, file,
 * in-app) exactly as qe_trace_parse() reads the same frame in a trace of
 * that kind, so that an error logged as JSON and as text groups alike.
 *
 * qe_trace_frame_kind: the kind whose frame syntax s has: "ruby" for
 *   "app.rb:3:in `f'", "python" for 'File "a.py", line 3, in f', "php"
 *   for "#0 /a.php(3): f()", "java" for "[at ]a.B.c(B.java:3)", "dotnet"
 *   for "at A.B.C() in /a.cs:line 3", "node" for "at f (/a.js:3:7)",
 *   else the kind of a bare location's file ("/a.php:61"); NULL when
 *   none.  A leading "at " or "from " and blanks are allowed; s may hold
 *   more lines, only the first is read.
 * qe_trace_file_kind: the kind a source file's extension names (".rb"
 *   ruby, ".py" python, ".php", ".java"/".kt"/".scala", ".js"/".ts", ".go",
 *   ".cs", ".rs"); a ":line" or "(line)" after the name is allowed.
 *   NULL when none.
 * qe_trace_add_frame_text: s as one frame of ev->kind's syntax, or a bare
 *   location ("file:line", "file(line)"); 1 when a frame was added.
 * qe_trace_add_frame_parts: a frame from its parts (any may be NULL),
 *   in-app as ev->kind judges library code; a module-less dotted function
 *   ("a.b.C.m") is split as that kind's traces split it.
 */
const char *qe_trace_frame_kind(const char *s, size_t n);
const char *qe_trace_file_kind(const char *file, size_t n);
int qe_trace_add_frame_text(struct qe_event *ev, const char *s, size_t n);
void qe_trace_add_frame_parts(struct qe_event *ev, const char *module,
			      const char *function, const char *file, long line);

/*
 * The prefix a log writer or collector puts before the text of a line:
 * a timestamp (ISO 8601 / RFC 3339 as `kubectl logs --timestamps` and
 * most loggers write it, Go's "2006/01/02 15:04:05", syslog's
 * "Mmm dd hh:mm:ss", a bracketed date, a time of day), then, for
 * syslog, host and "tag[pid]:", for CRI the stream and its P/F flag
 * ("stderr F"), then up to two bracketed fields
 * ("[1234]", "[main]") and a level word ("ERROR", "E,", "[error]").
 * Without a timestamp, a level word alone is a prefix.
 *
 *   tag_off..body: the part that is the same on every line one writer
 *                  prints (host, tag, pid), to tell its lines from other
 *                  writers'; the timestamp before it varies.
 *   body:          where the text starts when the level is kept (the
 *                  continuation lines of a trace carry no level, or the
 *                  same one).
 *   text:          where the text starts after the level too.
 *   error_level:   1 when that level is an error (ERROR, FATAL, ...).
 *
 * All are 0 when the line has no prefix.  Exactly one blank after each
 * part is consumed, so the indentation of a trace line survives.
 */
struct qe_prefix {
	size_t tag_off, body, text;
	int error_level; /* the level word says error or worse */
};
int qe_trace_prefix(const char *s, size_t n, struct qe_prefix *p);

#endif
