/*
 * fingerprint: a stable, versioned identity for "the same error".
 *
 * Deterministic: the same event gives the same fingerprint on every host
 * and every run, with no learned state.  Traces: exception type plus the
 * normalised frames (module/file + function; no line numbers, addresses
 * or generated suffixes; in-app frames preferred).  Messages: variable
 * parts masked to a template.  The version is part of the hashed input,
 * so a change to the algorithm changes every fingerprint on purpose.
 */
#ifndef QE_FINGERPRINT_H
#define QE_FINGERPRINT_H

#include <stddef.h>

struct qe_event;
struct qe_buf;

#define QE_FINGERPRINT_VERSION 1

/* Frames hashed per trace: the first in-app ones (innermost first). */
#define QE_FINGERPRINT_FRAMES 5

/* Fill ev->fingerprint (16 hex digits) and ev->template. */
void qe_fingerprint(struct qe_event *ev);

/* The template of a message: variable parts (numbers, hex, UUIDs, IPs,
 * e-mails, URLs' variable parts, quoted values, timestamps, ids) masked.
 * Caller frees. */
char *qe_fingerprint_mask(const char *msg, size_t len);

/* The template of one raw log line: its header (timestamp, level, pid,
 * thread, logger) removed, then masked.  Caller frees. */
char *qe_fingerprint_mask_line(const char *line, size_t len);

/* What went into the fingerprint, for `qerrors fingerprint`: fills a JSON
 * object text into out: {"version":..,"basis":"frames"|"message","kind":..,
 * "type":..,"frames":[{"module","function","in_app"}..],"template":..}. */
void qe_fingerprint_explain(const struct qe_event *ev, struct qe_buf *out);

#endif
