/*
 * redact: mask secrets and personal data before any byte leaves the host.
 *
 * A redactor holds the compiled built-in and custom patterns and is
 * immutable, so one redactor may serve several threads.  A redaction is
 * one request's worth of work: the same secret value gets the same
 * placeholder (e.g. <EMAIL_1>, <AWS_KEY_2>) everywhere inside it, so the
 * AI service still sees which values repeat.  Placeholders are numbered
 * per class in order of appearance and never contain any of the original
 * value.  A redaction is not thread-safe.
 *
 * Classes: PRIVATE_KEY, AWS_KEY, GITHUB_TOKEN, GITLAB_TOKEN, SLACK_TOKEN,
 * SLACK_WEBHOOK, STRIPE_KEY, API_KEY, GOOGLE_API_KEY, JWT, TOKEN,
 * BASIC_AUTH, PASSWORD, SECRET, CARD, EMAIL (redact_emails), IP
 * (redact_ips) and CUSTOM (redact_patterns: the whole match, or group 1
 * when the pattern has a capture group).
 *
 * When two findings overlap, their union is masked: over-redaction is
 * preferred to a partial leak.  Input is bytes: invalid UTF-8 and NUL
 * bytes are fine, and the work is linear in the input for the built-ins.
 */
#ifndef QE_REDACT_H
#define QE_REDACT_H

#include <stddef.h>

struct qe_config;
struct qe_redactor;
struct qe_redaction;

/* c may be NULL for the defaults (IPs and e-mails on, no custom patterns).
 * NULL + qe_error("redact pattern N: ...") on a bad pattern (N from 1). */
struct qe_redactor *qe_redactor_new(const struct qe_config *c);
void qe_redactor_free(struct qe_redactor *r);

/* The redactor is borrowed and must outlive the redaction. */
struct qe_redaction *qe_redaction_new(const struct qe_redactor *r);
void qe_redaction_free(struct qe_redaction *s);
/* Redacted copy of text; caller frees. */
char *qe_redact(struct qe_redaction *s, const char *text, size_t len);
/* The same, also giving the length of the result (text may hold NULs). */
char *qe_redact_mem(struct qe_redaction *s, const char *text, size_t len,
		    size_t *out_len);
/* How many values were masked so far, in total (each occurrence counts). */
size_t qe_redaction_count(const struct qe_redaction *s);

/* Convenience: one-shot redaction with its own placeholder map. */
char *qe_redact_once(const struct qe_redactor *r, const char *text, size_t len);

#endif
