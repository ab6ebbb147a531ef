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
 * Classes: PRIVATE_KEY, AWS_KEY, AWS_SECRET, AZURE_KEY, GCP_KEY,
 * GOOGLE_API_KEY, DIGITALOCEAN_TOKEN, CLOUD_KEY, GITHUB_TOKEN,
 * GITLAB_TOKEN, NPM_TOKEN, PYPI_TOKEN, REGISTRY_TOKEN, CI_TOKEN,
 * VAULT_TOKEN, DATABASE_TOKEN, SLACK_TOKEN, SLACK_WEBHOOK, WEBHOOK,
 * CHAT_TOKEN, TWILIO_KEY, SENDGRID_KEY, MAIL_KEY, SAAS_TOKEN, AI_KEY,
 * STRIPE_KEY, PAYMENT_KEY, API_KEY, JWT, TOKEN, BASIC_AUTH, PASSWORD
 * (also the password options of database and other clients: mysql
 * -pX, redis-cli -a X, curl -u user:X, ...), SECRET, COOKIE (cookie
 * values that authenticate or look random), CARD (Luhn-checked, with
 * spaces, dashes or dots), PHONE, EMAIL (redact_emails), IP (redact_ips)
 * and CUSTOM (redact_patterns: the whole match, or group 1 when the
 * pattern has a capture group).
 *
 * Bare values without a prefix of their own (an AWS secret access key,
 * a Twilio auth token) are masked only with their context in sight: an
 * access key id or "aws" near it, an account SID before it.  Plain
 * hexadecimal ids (git commits, hashes, trace ids) and UUIDs are not
 * secrets and stay.
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
/* One more owner of r (the agent shares one compiled rule set with the AI
 * client and the fleet): each owner calls qe_redactor_free() once, the
 * last one frees it.  Returns r. */
struct qe_redactor *qe_redactor_ref(struct qe_redactor *r);

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

/*
 * A JSON document with every string, object keys included, redacted, as
 * compact JSON in the same key order (numbers keep 4 significant digits,
 * as advice is written); text that is not JSON is redacted as text.
 * One redaction for the whole document.  Never NULL; caller frees.
 */
char *qe_redact_json(const struct qe_redactor *r, const char *json);

#endif
