/*
 * mask: turn one log message into a template by replacing its variable
 * parts (numbers, ids, addresses, times, quoted values, paths) with
 * placeholders, so that repeats of one message differ only in nothing.
 *
 * The scanner is a single left-to-right pass over the input with no
 * regular expressions and no allocation other than growing the output
 * buffer; it runs on every error line a tailing agent sees.  Input beyond
 * QE_MASK_MAX_INPUT bytes is ignored, so the output is bounded too.
 *
 * Rules are general (shapes of values), never words of a particular
 * application.  The output is part of the fingerprint: any change to what
 * these functions produce must bump QE_FINGERPRINT_VERSION.
 *
 * Placeholders: <NUM> <HEX> <ID> <UUID> <IP> <HOST> <EMAIL> <URL> <PATH>
 * <TS> <STR>.
 */
#ifndef QE_MASK_H
#define QE_MASK_H

#include <stddef.h>

struct qe_buf;

#define QE_MASK_MAX_INPUT 4096

/*
 * Length of the log-line header at the start of `line`: timestamps,
 * level, pid, bracketed thread/pid blocks, syslog host and program, and
 * a logger name ending in ':' that follows them.  0 when there is none.
 */
size_t qe_mask_header_len(const char *line, size_t len);

/* Append the template of msg (header not removed) to out; whitespace
 * runs become one space and the ends are trimmed. */
void qe_mask_append(const char *msg, size_t len, struct qe_buf *out);

/* Remove the header, then mask: what a single log line groups by. */
void qe_mask_line(const char *line, size_t len, struct qe_buf *out);

#endif
