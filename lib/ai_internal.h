/*
 * ai_internal: request building and answer checking for lib/ai.c.
 *
 * Kept apart from the transport so that both halves can be read (and
 * fuzzed) on their own.  Nothing here does I/O.
 *
 * Request: a system message (the task, the rule that everything between
 * the delimiters is untrusted data, the answer format, QE_PROMPT_VERSION)
 * and a user message holding the events as one JSON document between
 * QE_AI_DELIM_OPEN and QE_AI_DELIM_CLOSE.  Every piece of event text goes
 * through one redaction, is capped, and can never contain "<<<" or ">>>",
 * so log text cannot close the block early.
 *
 * Answer: every field is checked; advice is re-serialised by us, so what
 * reaches the caller is always the compact object
 * {summary, root_cause, fix, confidence, references}.
 */
#ifndef QE_AI_INTERNAL_H
#define QE_AI_INTERNAL_H

#include <stddef.h>

#include "ai.h"

struct qe_event;
struct qe_redactor;

#define QE_AI_DELIM_OPEN "<<<LOG"
#define QE_AI_DELIM_CLOSE "LOG>>>"

/* Caps on what one event contributes to a request. */
#define QE_AI_EVENT_MAX_LINES 60
#define QE_AI_EVENT_MAX_BYTES 8192 /* all its lines together */
#define QE_AI_MESSAGE_MAX 2048
#define QE_AI_TYPE_MAX 256
#define QE_AI_MAX_FRAMES 30
#define QE_AI_FRAME_FIELD_MAX 256

/* Caps on an answer. */
#define QE_AI_FIELD_MAX 4096 /* summary, root_cause, fix: longer is cut */
#define QE_AI_MAX_REFERENCES 8
#define QE_AI_REFERENCE_MAX 512
#define QE_AI_MAX_ITEMS 256 /* advice items looked at */

enum qe_ai_format {
	QE_AI_FMT_SCHEMA, /* response_format json_schema, strict */
	QE_AI_FMT_OBJECT, /* response_format json_object */
	QE_AI_FMT_TEXT,	  /* no response_format: the prompt asks for JSON */
};
const char *qe_ai_format_name(enum qe_ai_format f);	       /* "json_schema", ... */
int qe_ai_format_parse(const char *s, enum qe_ai_format *out); /* 0 / -1 */

/* Nonzero when s is a computed fingerprint (16 lowercase hex digits). */
int qe_ai_fingerprint_ok(const char *s);

/* The user message (redacted events between the delimiters); caller frees. */
char *qe_ai_prompt_user(const struct qe_redactor *r, struct qe_event *const *evs,
			size_t n);
/* The user message about events [from, from + n) of a message made by
 * qe_ai_prompt_user(), as if it had been made for those events alone
 * (their text is not redacted again).  NULL when `user` holds fewer
 * events.  Caller frees. */
char *qe_ai_prompt_user_part(const char *user, size_t from, size_t n);
/* The answer token limit for a request about n events: per_event * n,
 * at most cap (no cap when cap <= 0). */
long qe_ai_request_tokens(long per_event, long cap, size_t n);
/* The whole request body for the given format; caller frees. */
char *qe_ai_prompt_body(const char *model, long max_tokens, long temperature_milli,
			enum qe_ai_format fmt, const char *user);

/* A checked 2xx answer. */
struct qe_ai_answer {
	enum qe_ai_status
	    st;	     /* OK, INVALID, TRUNCATED or REFUSED: for the whole answer */
	char *error; /* why, when st != OK */
	long long tokens_prompt, tokens_completion; /* -1 when the answer did not say */
	size_t n;
	char **advice; /* [n]: compact JSON, or NULL when that event got none */
	char **why;    /* [n]: reason when advice[i] is NULL and st == OK */
};
/* ids[n] are the fingerprints asked about.  Never fails: the verdict is
 * in out->st and out->advice/why. */
void qe_ai_answer_parse(const char *body, size_t len, char *const *ids, size_t n,
			struct qe_ai_answer *out);
void qe_ai_answer_release(struct qe_ai_answer *a);

/* From an error body: error.message (or the body itself), made printable
 * on one line and cut to `max` bytes; caller frees.  *code_out and
 * *type_out (either may be NULL) get error.code and error.type when they
 * are strings, else NULL (caller frees). */
char *qe_ai_error_text(const char *body, size_t len, size_t max, char **code_out,
		       char **type_out);

/* Copy of s without control characters other than '\n' and '\t', without
 * C1 controls and bidirectional overrides, cut to at most `max` bytes on
 * a character boundary.  s must be valid UTF-8.  Caller frees. */
char *qe_ai_clean_text(const char *s, size_t len, size_t max);

#endif
