/*
 * redact: mask secrets and personal data before any byte leaves the host.
 *
 * A redactor holds the compiled built-in and custom patterns and is
 * immutable.  A redaction is one request's worth of work: the same
 * secret value gets the same placeholder (e.g. <EMAIL_1>, <AWS_KEY_2>)
 * everywhere inside it, so the AI service still sees which values repeat.
 * Placeholders never contain any of the original value.
 */
#ifndef QE_REDACT_H
#define QE_REDACT_H

#include <stddef.h>

struct qe_config;
struct qe_redactor;
struct qe_redaction;

struct qe_redactor *qe_redactor_new(const struct qe_config *c); /* NULL + qe_error on bad pattern */
void qe_redactor_free(struct qe_redactor *r);

struct qe_redaction *qe_redaction_new(const struct qe_redactor *r);
void qe_redaction_free(struct qe_redaction *s);
/* Redacted copy of text; caller frees. */
char *qe_redact(struct qe_redaction *s, const char *text, size_t len);
/* How many values were masked so far, in total. */
size_t qe_redaction_count(const struct qe_redaction *s);

/* Convenience: one-shot redaction with its own placeholder map. */
char *qe_redact_once(const struct qe_redactor *r, const char *text, size_t len);

#endif
