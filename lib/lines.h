/*
 * lines: split a byte stream into lines without per-line allocation.
 *
 * The caller reads large blocks (follow reads read_buffer_bytes at a time)
 * and feeds them in order; complete lines are handed to a callback that
 * points either into the fed block or, for a line that spanned two blocks,
 * into the splitter's carry buffer.  The pointer is valid only during the
 * call.  The line excludes its '\n'; any '\r' or invalid UTF-8 is passed
 * through unchanged.
 *
 * Hostile bytes:
 * - NUL: a C string would end at it, so a NUL never reaches the callback.
 *   Runs of NUL at the start or end of a line are dropped (zero-filled
 *   blocks left by a crash, a string terminator written by mistake); a run
 *   inside the line becomes one U+FFFD, so the text stays visible.  Every
 *   NUL is counted in nul_bytes.  Such a line is delivered from a scratch
 *   buffer of at most 2 * max_line_bytes.
 * - UTF-16: a stream whose first line starts with a UTF-16 byte order
 *   mark, or a line whose bytes alternate between text and NUL, makes the
 *   stream UTF-16 (utf16 is set, until a reset to position 0).  Its lines
 *   are not text to us: from then on each is delivered empty, flagged
 *   QE_LINE_UTF16, with its true positions (so that positions move on),
 *   and its bytes are counted in utf16_bytes.  The caller names the file.
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

#include "buf.h"

#define QE_LINE_CUT 0x1	    /* longer than max_line_bytes: this is the prefix */
#define QE_LINE_PARTIAL 0x2 /* delivered by a flush, without a '\n' */
#define QE_LINE_UTF16 0x4   /* a line of a UTF-16 stream: delivered empty */

#define QE_LINES_UTF16LE 1
#define QE_LINES_UTF16BE 2

#define QE_LINES_DEFAULT_MAX 65536

typedef void (*qe_line_fn)(const char *line, size_t len, uint64_t start_pos,
			   uint64_t end_pos, unsigned flags, void *data);

/*
 * A fast path for long runs of lines nobody needs to see (a catch-up scan
 * of a log with few errors).  Called at a line start with nothing
 * carried, with [p, p + n) ending just after a '\n' (whole lines) and pos
 * the stream offset of p; returns how many of those bytes, ending at a
 * line boundary (0 <= k <= n), are passed over without being delivered.
 * They are counted (lines, bytes) as if delivered, so counters and
 * positions do not change meaning.  Lines holding a NUL byte, and the
 * first line of a stream (which may carry a byte order mark), are never
 * offered; nor is anything once the stream is UTF-16.
 */
typedef size_t (*qe_line_skip_fn)(const char *p, size_t n, uint64_t pos, void *data);

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
	uint64_t nul_bytes;   /* NUL bytes dropped or replaced */
	uint64_t utf16_bytes; /* bytes of UTF-16 lines, delivered empty */
	int utf16; /* 0, QE_LINES_UTF16LE or _BE (LE when the order is unknown) */
	struct qe_buf clean; /* scratch for a line that held NUL bytes */
};

/* No allocation; max_line_bytes 0 means QE_LINES_DEFAULT_MAX. */
void qe_lines_init(struct qe_lines *l, size_t max_line_bytes, uint64_t pos);
void qe_lines_release(struct qe_lines *l); /* safe twice */
/* Forget any carried or skipped bytes and restart at `pos` (truncation,
 * seek).  The dropped carry is not counted as lost: it was never fed as a
 * line and the caller re-reads from `pos`.  Counters are kept; a restart
 * at 0 forgets that the stream was UTF-16 (the file was rewritten). */
void qe_lines_reset(struct qe_lines *l, uint64_t pos);
void qe_lines_feed(struct qe_lines *l, const char *data, size_t len, qe_line_fn fn,
		   void *fn_data);
/* The same, offering runs of whole lines to skip (NULL: none) first;
 * both callbacks get fn_data. */
void qe_lines_feed_skip(struct qe_lines *l, const char *data, size_t len, qe_line_fn fn,
			qe_line_skip_fn skip, void *fn_data);
/* Newlines in [p, p + n), at memchr speed. */
size_t qe_lines_count(const char *p, size_t n);
/* End of input: deliver a carried partial line, if any; 1 if one was. */
int qe_lines_flush(struct qe_lines *l, qe_line_fn fn, void *fn_data);
/* Bytes carried in a partial line (not yet delivered). */
size_t qe_lines_pending(const struct qe_lines *l);

/* -1 with qe_error() naming `name` when the stream turned out to be
 * UTF-16, else 0.  Every command that reads logs says it the same way. */
int qe_lines_check(const struct qe_lines *l, const char *name);

/* Read fd to its end in large blocks, deliver every line (the last one
 * too, flagged QE_LINE_PARTIAL when it has no newline).  `name` is for
 * the message.  l must be initialised; its counters say what was read
 * and cut.  0, or -1 with qe_error() set on a read error or when the
 * text is UTF-16 (the lines read up to then were delivered). */
int qe_lines_read_fd(struct qe_lines *l, int fd, const char *name, qe_line_fn fn,
		     void *fn_data);
/* The same with a skip callback (see qe_line_skip_fn; NULL: none). */
int qe_lines_read_fd_skip(struct qe_lines *l, int fd, const char *name, qe_line_fn fn,
			  qe_line_skip_fn skip, void *fn_data);

#endif
