/*
 * lines: split a byte stream into lines without per-line allocation.
 *
 * The caller reads large blocks (follow reads read_buffer_bytes at a time)
 * and feeds them in order; complete lines are handed to a callback that
 * points either into the fed block or, for a line that spanned two blocks,
 * into the splitter's carry buffer.  The pointer is valid only during the
 * call.  The line excludes its '\n'; any '\r', NUL byte or invalid UTF-8
 * is passed through unchanged.
 *
 * Invariants:
 * - `pos` is the stream offset of the next byte to be fed; a line's
 *   start_pos/end_pos are stream offsets, end_pos just after its '\n', so
 *   committing end_pos never splits or repeats a line.
 * - The carry buffer holds at most max_line_bytes bytes and is allocated
 *   once, on first need.
 * - A line longer than max_line_bytes is cut: its first max_line_bytes
 *   bytes are delivered once, flagged QE_LINE_CUT, with end_pos at the cut;
 *   the rest up to and including the '\n' is skipped and counted in
 *   skipped_bytes, and truncated_lines counts the line once.
 * - Every fed byte is accounted for:
 *     bytes == sum(end_pos - start_pos) + skipped_bytes + carried
 *   where carried is the partial last line waiting for its '\n'.
 * - A partial last line is delivered only by qe_lines_flush() (end of
 *   input), flagged QE_LINE_PARTIAL.
 */
#ifndef QE_LINES_H
#define QE_LINES_H

#include <stddef.h>
#include <stdint.h>

#define QE_LINE_CUT 0x1	    /* longer than max_line_bytes: this is the prefix */
#define QE_LINE_PARTIAL 0x2 /* delivered by a flush, without a '\n' */

#define QE_LINES_DEFAULT_MAX 65536

typedef void (*qe_line_fn)(const char *line, size_t len, uint64_t start_pos,
			   uint64_t end_pos, unsigned flags, void *data);

struct qe_lines {
	char *carry; /* partial line; NULL until first needed */
	size_t carry_len;
	size_t max_line; /* cap on a delivered line, >= 1 */
	uint64_t pos;	 /* stream offset of the next byte fed */
	int skipping;	 /* inside the rest of a cut line */
	uint64_t lines;	 /* lines delivered (cut and partial included) */
	uint64_t bytes;	 /* bytes fed */
	uint64_t truncated_lines;
	uint64_t skipped_bytes;
};

/* No allocation; max_line_bytes 0 means QE_LINES_DEFAULT_MAX. */
void qe_lines_init(struct qe_lines *l, size_t max_line_bytes, uint64_t pos);
void qe_lines_release(struct qe_lines *l); /* safe twice */
/* Forget any carried or skipped bytes and restart at `pos` (truncation,
 * seek).  The dropped carry is not counted as lost: it was never fed as a
 * line and the caller re-reads from `pos`.  Counters are kept. */
void qe_lines_reset(struct qe_lines *l, uint64_t pos);
void qe_lines_feed(struct qe_lines *l, const char *data, size_t len, qe_line_fn fn,
		   void *fn_data);
/* End of input: deliver a carried partial line, if any; 1 if one was. */
int qe_lines_flush(struct qe_lines *l, qe_line_fn fn, void *fn_data);
/* Bytes carried in a partial line (not yet delivered). */
size_t qe_lines_pending(const struct qe_lines *l);

/* Read fd to its end in large blocks, deliver every line (the last one
 * too, flagged QE_LINE_PARTIAL when it has no newline).  `name` is for
 * the message.  l must be initialised; its counters say what was read
 * and cut.  0, or -1 with qe_error() set on a read error. */
int qe_lines_read_fd(struct qe_lines *l, int fd, const char *name, qe_line_fn fn,
		     void *fn_data);

#endif
