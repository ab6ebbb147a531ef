/*
 * assemble: turn a stream of lines into error events.
 *
 * One assembler per input stream (a file, standard input).  Lines go in
 * one at a time; an event is handed to the callback when it closes: on
 * the next start line, on qe_assembler_flush() (end of input or idle
 * timeout, the caller decides).  Past the line/byte caps an event keeps
 * its head and its last lines (a quarter of max_lines, of max_bytes what
 * the head left), is marked truncated and counts the middle lines it
 * dropped.  An ERROR-level log line directly followed by an exception is
 * one event (not a Rust panic, which its hook prints on its own).
 * Events arrive with kind, rule, type, message, severity, lines and
 * frames filled in; the fingerprint is not computed here.
 *
 * Prefixes (qe_trace_prefix()): a trace may start after a timestamp,
 * syslog header, pid or level prefix; the event then keeps its lines
 * without the prefix.  While an event is open, a line whose prefix has
 * the same writer tag as its first line's (host, tag, pid; timestamps
 * may differ) is read without it, so a trace whose every line carries
 * the prefix (syslog, CRI, `kubectl logs --timestamps`) assembles as if
 * it had none, and lines of another writer (another pid) end the event.
 * glog's "E0101 ..." header after such a prefix (no level word in it)
 * starts an event as it does at a line start.
 *
 * Feeding does not allocate per line unless the line belongs to an event.
 *
 * Details: blank lines (at most 2 in a row) and, before a Java trace's
 * first frame, up to 8 extra message lines are held back until the next
 * line shows whether the trace goes on; they are dropped otherwise.  An
 * error line stays open for one more line to see whether a trace follows
 * it.  A user rule without a continuation pattern closes its event at
 * once.  A bare "SomeError: message" line with nothing after it is
 * reported with kind "line" (its type kept).  While no event is open, a
 * Node.js source-context prelude ("/app/x.js:42", the source line, a
 * caret line, a blank line) is held the same way and becomes the head of
 * the Node.js error that directly follows it; it is dropped otherwise.
 * Head lines held the same way: Go's "runtime: ..." lines before
 * "fatal error: stack overflow", Rust's "thread 'x' has overflowed its
 * stack", java.util.logging's date/source line before "SEVERE: ...".
 * A line of Go's standard logger just before "panic: <its text>" (what
 * log.Panic and its kin write) is an error line of its own, reported
 * before the panic.
 * Tcl's trace ("    while executing" and the levels under it) starts on
 * the line under its message, which is then put first: the last line fed
 * while idle is kept for it.  pkg/errors' stack ("%+v") under a line of
 * Go's logger without a level word makes that line an event, held with
 * the first function name until its file follows.  Carp's confess lines
 * ("\tmain::f() called at x.pl line 3") go on a Perl die line, and a
 * "fatal: " or "error: " line right after a Python traceback's exception
 * line (sys.exit() after print_exc()) ends that traceback.
 * A PHP trace ends at its "thrown in" line, after any "Next" chain.
 * Python exception groups ("  + Exception Group Traceback") run while
 * their lines are drawn with | and +.  Error lines take what follows
 * them: PostgreSQL's DETAIL/HINT/STATEMENT/CONTEXT lines, Monolog's
 * [stacktrace] block, Go's debug.Stack() dump, the backtrace lines of
 * Ruby's Logger#error(exception), Node.js frames and property block of
 * console.error(msg, err).  A Ruby report runs on through error_highlight
 * snippets and through causes (one per "rescue in" frame); a .NET one
 * through message lines before its first frame and Mono's second
 * "[ERROR] FATAL UNHANDLED EXCEPTION:" copy.  The first line of an event
 * is always kept, cut to max_bytes if longer.  Not thread-safe; one
 * rule set may serve several assemblers of one thread.
 */
#ifndef QE_ASSEMBLE_H
#define QE_ASSEMBLE_H

#include <stddef.h>
#include <stdint.h>

struct qe_event;
struct qe_rules;
struct qe_assembler;

/* The callback owns ev and must qe_event_free() it. */
typedef void (*qe_event_fn)(struct qe_event *ev, void *data);

struct qe_assembler *qe_assembler_new(struct qe_rules *r, size_t max_lines,
				      size_t max_bytes, qe_event_fn fn, void *data);
void qe_assembler_free(struct qe_assembler *a); /* drops an open event; flush first */

/* One line without its newline.  start_pos/end_pos are the caller's
 * positions of the line in its source (end_pos after the newline). */
void qe_assembler_feed(struct qe_assembler *a, const char *line, size_t len,
		       uint64_t start_pos, uint64_t end_pos);
/* The same for a line that was cut at the line-length cap (lines.h's
 * QE_LINE_CUT) when `cut`: the event that takes the line is marked
 * truncated. */
void qe_assembler_feed_cut(struct qe_assembler *a, const char *line, size_t len,
			   uint64_t start_pos, uint64_t end_pos, int cut);
/* Whether a line may be held as the next line of the open event's
 * message (on by default): off for a line its source already calls an
 * error (a journal entry's PRIORITY), which is an event of its own. */
void qe_assembler_hold_messages(struct qe_assembler *a, int on);
/* Close an open event, if any; lines held as its message that were not
 * are fed again first. */
void qe_assembler_flush(struct qe_assembler *a);
/* 1 while an event is open; *start_pos gets its first line's position. */
int qe_assembler_pending(const struct qe_assembler *a, uint64_t *start_pos);
/* 1 when no event is open and no line is held (a prelude): a line that
 * cannot start an event (qe_rules_scan()) changes nothing then. */
int qe_assembler_idle(const struct qe_assembler *a);
/* 1 when the next line must be fed, not passed over by the catch-up
 * scan: an event or its head lines are open, or the line kept last names
 * an error whose stack may follow (a logger's message with the error in
 * it, Koa's indented report). */
int qe_assembler_wants_next(const struct qe_assembler *a);
/* 1 when the line may begin the lines that head a trace below it (a
 * Node.js source location, Go's "runtime:", java.util.logging's date
 * line, Rust's stack overflow), which the assembler holds until what
 * follows says, or be an event that only the trace below it makes one
 * (log.Panic's line of Go's logger). */
int qe_assembler_head_start(const char *line, size_t len);
/* How many lines above the line may be the first lines of the event that
 * only the line shows them to be: Tcl's message above its "    while
 * executing" (1), Go's logger's line and a function name above the first
 * file of pkg/errors' stack (2); 0 for most lines. */
int qe_assembler_head_above(const char *line, size_t len);
/* Whether feeding the line would change the assembler: 1 unless it is
 * idle and the line neither starts an event nor is held as the head of
 * one.  Nothing changes (no hit is counted for a rule). */
int qe_assembler_takes(struct qe_assembler *a, const char *line, size_t len);

#endif
