/*
 * decode_xml: java.util.logging's XMLFormatter records inside a text log.
 *
 * XMLFormatter (FileHandler's default formatter) writes each record as
 * lines of their own, "<record>" to "</record>", one element a line:
 * date, millis, nanos, sequence, logger, level, class, method, thread,
 * message (which may span lines), then for a record with a throwable
 * "<exception>" with its toString() as <message> and one <frame> (class,
 * method, line) per stack element.  No rule could see a record whole:
 * its level comes six lines after its start, its type and frames later.
 * So the decoder hands the lines of a text source (after their prefix:
 * kubectl's time, a syslog header, Docker's or CRI's wrapping) here; from
 * a "<record>" line on, the lines of that stream are held until
 * "</record>", then read as one structured record (struct qe_record:
 * level, message, logger, time, the exception's class, message and
 * frames, kind "java"), which qe_decode_record_event() makes an event of
 * (at any level with a throwable, else at SEVERE) covering every line of
 * the record.
 *
 * Bounded: a record of more than QE_JUL_MAX_LINES lines or max_bytes
 * bytes, a second "<record>" before "</record>", and a record still open
 * at a flush (end of input, idle timeout) are given up: their lines are
 * replayed, in order, as the text lines they are.  The document's head
 * ("<?xml ...>", "<!DOCTYPE log ...>", "<log>") and tail ("</log>") are
 * text.
 */
#ifndef QE_DECODE_XML_H
#define QE_DECODE_XML_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

#define QE_JUL_MAX_LINES 4096

/* A line as the decoder was to deliver it, to be replayed when the
 * record it began is given up.  meta as it came with the line (before
 * its prefix was read); strings in it other than stream are not kept. */
struct qe_jul_line {
	const char *text; /* NUL-terminated when replayed */
	size_t len;
	uint64_t start, end;
	unsigned flags;
	int syslog; /* its prefix is read as a syslog header */
	struct qe_decode_meta meta;
};

/* lines: how many physical lines the record was */
typedef void (*qe_jul_record_fn)(const struct qe_record *r, size_t lines, void *data);
typedef void (*qe_jul_replay_fn)(const struct qe_jul_line *l, void *data);

struct qe_jul;
struct qe_jul *qe_jul_new(size_t max_bytes, qe_jul_record_fn record,
			  qe_jul_replay_fn replay, void *data);
void qe_jul_free(struct qe_jul *x); /* NULL-safe; drops an open record */

/*
 * body: the line's text after its prefix; l: the line to replay; meta:
 * what its prefix said (time, stream, key: a line of another key is not
 * the open record's), the record's when the line opens it.  Returns 1 when the line was
 * taken (held, or it ended the record), 0 when the caller delivers it as usual (it may
 * first have replayed an open record's lines).
 */
int qe_jul_feed(struct qe_jul *x, const char *body, size_t blen,
		const struct qe_jul_line *l, const struct qe_decode_meta *meta);
/* Give up an open record: its lines are replayed. */
void qe_jul_flush(struct qe_jul *x);
/* 1 while a record is open; *start gets its first line's position. */
int qe_jul_pending(const struct qe_jul *x, uint64_t *start);

/* 1 when body (a line after its prefix) is a record's line that makes
 * it an error: "<level>SEVERE</level>" or "<exception>". */
int qe_jul_error_line(const char *body, size_t n);
/* 1 when body is a "<record>" line. */
int qe_jul_record_line(const char *body, size_t n);

#endif
