/*
 * Shared output of error events for analyze, tail and fingerprint:
 * one JSON object per event (NDJSON), a text block for people, or
 * Markdown.  Text is sanitized to valid UTF-8 before it is shown.
 */
#ifndef QE_REPORT_H
#define QE_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "qerrors.h"

struct qe_event;

/* The event's common JSON fields: fingerprint, kind, type, message,
 * severity, template, truncated, lines.  New reference. */
json_t *qe_report_event_json(const struct qe_event *ev);
/* A JSON string from bytes that may be invalid UTF-8. */
json_t *qe_report_string(const char *s);
/* Print one compact JSON object and a newline; -1 on a write error. */
int qe_report_print_json(json_t *obj);
/*
 * NDJSON written straight into a buffer, for the records a scan writes
 * by the thousand (tail's events): building a jansson tree per record
 * cost more than finding the event.  The bytes are the ones
 * qe_report_print_json() writes for the same object (compact, keys in
 * order, strings sanitized to UTF-8, control bytes escaped as jansson
 * does).  Values that are JSON already (advice) go in through
 * qe_ndjson_json().
 */
struct qe_ndjson {
	struct qe_buf b;
	int first; /* no member written yet in the open object */
};
void qe_ndjson_begin(struct qe_ndjson *j); /* reset, "{" */
/* A member's name, a string literal (our own names: nothing to escape),
 * written as one prepared piece with its quotes and colon. */
#define qe_ndjson_key(j, key) qe_ndjson_member((j), "\"" key "\":", sizeof(key) + 2)
/* Inline, so that the copy of a literal of known length is a few moves:
 * a record has a name for every member. */
static inline void qe_ndjson_member(struct qe_ndjson *j, const char *quoted, size_t len)
{
	char *p;
	if (j->b.alloc - j->b.len <= len + 1)
		qe_buf_grow(&j->b, len + 1);
	p = j->b.buf + j->b.len;
	if (!j->first)
		*p++ = ',';
	j->first = 0;
	memcpy(p, quoted, len);
	p += len;
	*p = '\0';
	j->b.len = (size_t)(p - j->b.buf);
}
void qe_ndjson_str(struct qe_ndjson *j, const char *s); /* NULL: null */
/* A string of our own with nothing to escape (a name, hex digits, a
 * time we formatted), copied between its quotes as it is. */
void qe_ndjson_word(struct qe_ndjson *j, const char *s);
void qe_ndjson_raw(struct qe_ndjson *j, const char *literal); /* true, null, 12 */
void qe_ndjson_bool(struct qe_ndjson *j, int v);
void qe_ndjson_int(struct qe_ndjson *j, long long v);
void qe_ndjson_json(struct qe_ndjson *j, json_t *v); /* NULL: null */
/* The event's common fields, as qe_report_event_json() has them, with
 * "type" set to record_type and the error type left for the caller. */
void qe_ndjson_event(struct qe_ndjson *j, const struct qe_event *ev,
		     const char *record_type);
/* "}\n" and one write to stdout; -1 on a write error. */
int qe_ndjson_end(struct qe_ndjson *j);

/* Advice object text for people: summary, root cause, fix, confidence. */
void qe_report_advice_text(struct qe_ctx *ctx, FILE *out, json_t *advice,
			   const char *indent);
/* Parse advice JSON text; NULL when it does not parse. New reference. */
json_t *qe_report_parse_advice(const char *text);

/* Times: ISO 8601 local with +hh:mm offset (text), UTC with Z (JSON;
 * null for ms <= 0).  Sizes: "12 B", "3.4 KiB", "1.2 GiB". */
void qe_report_time_local(int64_t ms, char *buf, size_t n);
void qe_report_time_utc(int64_t ms, char *buf, size_t n);
json_t *qe_report_time_json(int64_t ms);
void qe_report_size(long long bytes, char *buf, size_t n);

/*
 * A sparkline of v[0..n): one character per value, scaled to the largest.
 * utf8: the eight block elements U+2581..U+2588 with U+00B7 for zero;
 * else ASCII, '.' for zero and ":-=+*#%" by height (safe in any mail).
 * Caller frees.
 */
char *qe_report_sparkline(const long long *v, size_t n, int utf8);
/* Nonzero when the user's locale (LC_ALL, LC_CTYPE, LANG) is UTF-8. */
int qe_report_utf8_locale(void);
/*
 * Text for plain-text reports and mail: words wrapped at `width` columns
 * (counting bytes; a longer word stays whole), the first line after
 * `first`, the others after `indent`; control characters become spaces
 * and line breaks in text are kept.
 */
void qe_report_wrap(FILE *out, const char *text, const char *first, const char *indent,
		    size_t width);

struct qe_store;
/*
 * A fingerprint from a full id or a unique prefix of at least 4 hex digits
 * (like git), among the store's groups and/or advice (QE_STORE_FP_*).
 * Returns the full fingerprint (caller frees), or NULL after printing why
 * with *rc set: QE_EXIT_USAGE for a malformed or ambiguous prefix (the
 * candidates are listed), QE_EXIT_FAILURE when none matches ("<missing>
 * '<arg>'") or the store fails.
 */
char *qe_report_resolve_fp(struct qe_store *s, const char *arg, int which,
			   const char *missing, int *rc);

/* The exit code for what asking the AI service ended in (0 for an
 * answer, no service configured, or a cancel). */
#include "ai.h"
int qe_exit_for_ai(enum qe_ai_status st);
/* Of two exit codes the worse: a source not read loses data, so it beats
 * any AI outcome; of those a billing stop beats a rejected key beats the
 * rest. */
int qe_exit_worse(int a, int b);

/* At most `room` display columns of s (UTF-8 sanitized), with "..." when
 * cut.  Caller frees. */
char *qe_report_fit(const char *s, size_t room);
/* What a user can do about an AI failure of this kind (static text). */
const char *qe_report_ai_fix(enum qe_ai_status st);

#endif
