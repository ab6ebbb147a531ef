/*
 * ai: client for an OpenAI-compatible chat-completions endpoint.
 *
 * One request asks about one or more error events (a batch).  The client
 * redacts every event before building the request, so no caller can send
 * raw log text by mistake.  It asks for a strict json_schema answer and
 * falls back to json_object, then to a plain prompt when the endpoint
 * rejects the format with 400; what the endpoint supports is remembered
 * in the store.  Every answer is validated locally; only valid advice is
 * reported as QE_AI_OK.
 *
 * The answer's token limit is ai.max_tokens per event, at most
 * ai.max_tokens_request; a batch whose answer stops at the limit
 * (finish_reason length) is asked again in two halves, down to single
 * events, so one long answer does not cost the whole batch its advice.
 *
 * Retries (connection errors, timeouts, 408, 409, 429, 5xx) use
 * exponential backoff with full jitter and honour retry-after-ms and
 * Retry-After.  A circuit breaker (kept in the store) stops requests
 * after repeated failures.  All I/O goes through a libcurl multi handle:
 * qe_ai_run() drives it standalone; an event loop drives it with the
 * watch/socket/timeout calls.  The API key never appears in any message.
 */
#ifndef QE_AI_H
#define QE_AI_H

#include <stddef.h>
#include <stdint.h>

struct qe_config;
struct qe_event;
struct qe_store;
struct qe_ai;

#define QE_PROMPT_VERSION 1

enum qe_ai_status {
	QE_AI_OK,
	QE_AI_NOT_CONFIGURED, /* no key and no base URL */
	QE_AI_UNAVAILABLE,    /* connection errors, timeouts, 5xx after retries */
	QE_AI_RATE_LIMITED,   /* 429 after retries */
	QE_AI_QUOTA,	      /* 429 insufficient_quota: billing stop, circuit opened */
	QE_AI_AUTH,	      /* 401 / 403 */
	QE_AI_REJECTED,	      /* other 4xx (400, 404, 422) */
	QE_AI_INVALID,	      /* malformed or schema-invalid answer */
	QE_AI_TRUNCATED,      /* finish_reason: length */
	QE_AI_REFUSED,	      /* the model refused */
	QE_AI_CIRCUIT_OPEN,   /* not sent: breaker open */
	QE_AI_CANCELLED,      /* shut down before an answer */
};
const char *qe_ai_status_name(enum qe_ai_status st); /* "unavailable", ... */

/*
 * Called once per event of a submitted batch.  advice_json is the
 * validated advice object (compact JSON text; borrowed) or NULL; error
 * is a human-readable reason (borrowed) or NULL when st == QE_AI_OK.
 *
 * advice_json is always {"summary", "root_cause", "fix", "confidence",
 * "references"} (strings, a number in [0,1], an array of strings).  The
 * tokens of a request are reported once: the first callback of the batch
 * gets the request's full usage, the others get 0, so summing over the
 * callbacks gives the true total.  A callback may call qe_ai_submit(),
 * but must not call qe_ai_free().
 */
typedef void (*qe_ai_done_fn)(const char *fingerprint, enum qe_ai_status st,
			      const char *advice_json, const char *error,
			      long long tokens_prompt, long long tokens_completion,
			      void *data);

/* store may be NULL (no breaker/capability persistence, no counters). */
struct qe_ai *qe_ai_new(const struct qe_config *c, struct qe_store *store);
/* The same, redacting with red (shared, see qe_redactor_ref) rather than
 * compiling the rules again; red NULL = as qe_ai_new. */
struct qe_redactor;
struct qe_ai *qe_ai_new_shared(const struct qe_config *c, struct qe_store *store,
			       struct qe_redactor *red);
void qe_ai_free(struct qe_ai *ai); /* cancels what is in flight (callbacks run) */

int qe_ai_configured(const struct qe_ai *ai);
const char *qe_ai_model(const struct qe_ai *ai);
/* The response format the next request starts with: "json_schema",
 * "json_object" or "text" (after fallbacks learnt from the endpoint). */
const char *qe_ai_response_format(const struct qe_ai *ai);

/* The exact JSON body that would be sent for these events (redacted),
 * in the response format the client would try first.  Caller frees. */
char *qe_ai_request_body(struct qe_ai *ai, struct qe_event *const *evs, size_t n);

/* Queue one request for n events (fingerprints must be computed).
 * Callbacks run from qe_ai_run()/qe_ai_on_* only, never from here.
 * Returns 0, or -1 when it cannot be queued (qe_error says why). */
int qe_ai_submit(struct qe_ai *ai, struct qe_event *const *evs, size_t n,
		 qe_ai_done_fn fn, void *data);
size_t qe_ai_in_flight(const struct qe_ai *ai); /* requests not yet finished */

/* Drive the requests until none is in flight or deadline (qe_now_ms()
 * based; 0 = no deadline) passes.  Returns the number still in flight.
 * Works whether or not a watch function is set. */
size_t qe_ai_run(struct qe_ai *ai, uint64_t deadline_ms);
/* Cancel everything in flight: callbacks get QE_AI_CANCELLED. */
void qe_ai_cancel_all(struct qe_ai *ai);

/* Event-loop integration (curl multi_socket). events: bit 1 = read,
 * bit 2 = write; 0 = stop watching fd.  Set the watch before the first
 * submit.  After qe_ai_submit() qe_ai_timeout_ms() is 0: the loop calls
 * qe_ai_on_timeout(), which starts the request.  Backoff waits and the
 * breaker's half-open time are folded into qe_ai_timeout_ms(). */
#define QE_AI_WATCH_IN 1
#define QE_AI_WATCH_OUT 2
typedef void (*qe_ai_watch_fn)(int fd, int events, void *data);
void qe_ai_set_watch(struct qe_ai *ai, qe_ai_watch_fn fn, void *data);
long qe_ai_timeout_ms(struct qe_ai *ai); /* when to call on_timeout; -1 = not needed */
void qe_ai_on_socket(struct qe_ai *ai, int fd, int events);
void qe_ai_on_timeout(struct qe_ai *ai);

/* Counters of this process (the store's counters hold the totals):
 * requests = HTTP requests sent (retries and format fallbacks included),
 * failures = submitted requests that ended without advice (circuit-open
 * and cancelled ones excluded), retries = backoff retries. */
struct qe_ai_stats {
	long long requests, failures, retries, tokens_prompt, tokens_completion;
};
void qe_ai_get_stats(const struct qe_ai *ai, struct qe_ai_stats *out);
/* "closed", "open" or "half-open". */
const char *qe_ai_breaker_state(struct qe_ai *ai);

/* ---- what went wrong, and probes for `doctor` (lib/ai_probe.c) ---- */

/* What a 404 from {base}/chat/completions most likely means. */
enum qe_ai_hint {
	QE_AI_HINT_NONE,
	QE_AI_HINT_MODEL, /* the service does not know the model */
	QE_AI_HINT_PATH,  /* the base URL lacks its version path (/v1) */
	QE_AI_HINT_URL,	  /* some other wrong path under the base URL */
};
/*
 * Classify a 404 answer to a chat request: err_code is the body's
 * error.code (may be NULL), err_msg its message.  *fix_out (may be NULL)
 * gets the likely fix for people, naming the config key to change;
 * caller frees.  endpoint is ai.base_url as configured.
 */
enum qe_ai_hint qe_ai_hint_404(const char *endpoint, const char *model,
			       const char *err_code, const char *err_msg, char **fix_out);
/* The HTTP status of the client's last answer (0 = none yet) and, for a
 * 404, what it most likely meant. */
long qe_ai_last_http(const struct qe_ai *ai, enum qe_ai_hint *hint);

/* The model ids a GET /models answer lists: OpenAI's {"data": [{"id"}]}
 * and Ollama's {"models": [{"name"}]}, sorted, without duplicates.
 * Returns the number (caller frees ids[] and ids), or -1 when the body is
 * not such a list. */
long qe_ai_models_parse(const char *body, size_t len, char ***ids_out);

/* One probe of the AI service, for `doctor`.  Strings are the caller's
 * (release with qe_ai_probe_release); no message holds the API key. */
struct qe_ai_probe {
	char *url;	      /* what was asked */
	long http_code;	      /* 0 = no HTTP answer */
	uint64_t ms;	      /* round trip */
	enum qe_ai_status st; /* OK, or why not */
	char *error;	      /* NULL when st == OK */
	enum qe_ai_hint hint; /* for a 404 */
	char *fix;	      /* the likely fix, or NULL */
	/* models probe */
	char **models; /* ids offered; NULL when the service gave no list */
	long nr_models;
	char *v1_url; /* {base}/models failed but {base}/v1/models answered */
	/* chat probe */
	char *format; /* response format of the answer that worked */
};
void qe_ai_probe_release(struct qe_ai_probe *p);
/* GET {base}/models with the key, within the connect timeout and
 * timeout_ms (total).  When it answers 404 and the base URL has no
 * version path, {base}/v1/models is tried too (v1_url).  Returns 0 when
 * the service answered (any status: see http_code), -1 when it cannot
 * be reached or is not configured (st, error). */
int qe_ai_probe_models(const struct qe_config *c, long timeout_ms,
		       struct qe_ai_probe *out);
/* One advice request about a made-up error through the client tail uses,
 * without retries and without a store (nothing remembered).  Returns 0
 * for valid advice, -1 otherwise (st, error, http_code, hint, fix). */
int qe_ai_probe_chat(const struct qe_config *c, long timeout_ms, struct qe_ai_probe *out);

#endif
