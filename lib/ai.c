/* ai: the chat-completions client; see ai.h */
#include "ai.h"
#include "ai_internal.h"
#include "breaker.h"
#include "config.h"
#include "curl_dl.h"
#include "event.h"
#include "redact.h"
#include "store.h"
#include "util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef QE_VERSION
#define QE_VERSION "0.0.0"
#endif

#define RESPONSE_MAX (1024 * 1024) /* a larger answer is refused as invalid */
#define SERVER_QUOTE_MAX 200	   /* bytes of a server's error message we repeat */
#define BATCH_MAX 64		   /* events per request */

enum req_state {
	REQ_QUEUED,  /* not sent yet (or a format fallback waiting to be resent) */
	REQ_ACTIVE,  /* a transfer is in the multi handle */
	REQ_BACKOFF, /* waiting until wake_ms before the next attempt */
	REQ_DONE,    /* result known; callbacks not run yet */
};

struct ai_req {
	struct qe_ai *ai;
	struct ai_req *next;
	enum req_state state;
	int admitted; /* the breaker let it through (retries need no new admission) */
	int probe;    /* it is the half-open probe */

	char **ids;
	size_t n;
	char *user; /* redacted user message; the body is rebuilt per format */
	enum qe_ai_format format;

	long retries;
	uint64_t wake_ms;
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	struct qe_buf resp;
	int too_big;
	double retry_after_ms; /* from the last answer's headers; < 0 = none */
	char errbuf[CURL_ERROR_SIZE];

	enum qe_ai_status st;
	char *error;
	struct qe_ai_answer answer; /* when st == OK */
	long long tokens_prompt, tokens_completion;
	/* Paid for by a batch this one was split from: reported with the
	 * first event, so the callbacks still sum to the true total. */
	long long carried_prompt, carried_completion;
	int split; /* answered `length` and asked again in halves: no callbacks */

	qe_ai_done_fn fn;
	void *data;
};

struct qe_ai {
	struct qe_store *store;
	struct qe_redactor *redactor;
	CURLM *multi;

	char *endpoint; /* NULL = not configured */
	char *url;
	char *model;
	char *key;			     /* NULL or non-empty */
	long max_tokens, max_tokens_request; /* per event; cap for one request */
	long temperature_milli;
	long connect_timeout_ms, timeout_ms;
	long retry_attempts, retry_base_ms, retry_max_ms, retry_after_max_ms;
	long concurrency;

	enum qe_ai_format format; /* the one to try first */
	int format_auto;	  /* fall back on 400 and remember */
	char *format_key;	  /* kv key, NULL without store */

	struct qe_breaker breaker;

	struct ai_req *head, *tail;
	size_t pending; /* requests not yet delivered */
	size_t active;	/* transfers in the multi handle */
	int kick;	/* something changed: the next timeout is 0 */
	int in_pump;

	int64_t curl_deadline; /* qe_now_ms() based; -1 = none */
	qe_ai_watch_fn watch;
	void *watch_data;

	struct qe_ai_stats stats;
	uint64_t rng;

	long last_http; /* status of the last answer, for `doctor` */
	enum qe_ai_hint last_hint;
};

static const char *const status_names[] = {
    "ok",	 "not-configured", "unavailable",  "rate-limited",
    "quota",	 "auth",	   "rejected",	   "invalid",
    "truncated", "refused",	   "circuit-open", "cancelled",
};

const char *qe_ai_status_name(enum qe_ai_status st)
{
	if ((size_t)st >= QE_ARRAY_SIZE(status_names))
		return "unknown";
	return status_names[st];
}

/* ---- helpers ---- */

static uint64_t next_random(struct qe_ai *ai)
{
	/* xorshift64*: enough for jitter, no global state. */
	uint64_t x = ai->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	ai->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void counter_add(struct qe_ai *ai, const char *name, long long delta)
{
	if (ai->store && delta && qe_store_counter_add(ai->store, name, delta) < 0)
		qe_warning("cannot update counter '%s'", name);
}

/* Tokens per model too ("tokens_prompt:<model>"), so that `stats` can
 * price each model the state has used. */
static void counter_add_model(struct qe_ai *ai, const char *name, long long delta)
{
	char *key;
	if (!ai->store || !delta)
		return;
	key = qe_xasprintf("%s:%s", name, ai->model);
	counter_add(ai, key, delta);
	free(key);
}

/* Replace every copy of the key in s; the key must never reach a message. */
static char *scrub(const struct qe_ai *ai, char *s)
{
	struct qe_buf b = QE_BUF_INIT;
	size_t klen;
	const char *p, *hit;

	if (!s || !ai->key)
		return s;
	klen = strlen(ai->key);
	if (!strstr(s, ai->key))
		return s;
	for (p = s; (hit = strstr(p, ai->key)); p = hit + klen) {
		qe_buf_add(&b, p, (size_t)(hit - p));
		qe_buf_addstr(&b, "[api key]");
	}
	qe_buf_addstr(&b, p);
	free(s);
	return qe_buf_detach(&b);
}

static void req_fail(struct ai_req *r, enum qe_ai_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void req_fail(struct ai_req *r, enum qe_ai_status st, const char *fmt, ...)
{
	struct qe_buf b = QE_BUF_INIT;
	char *clean;
	va_list ap;

	va_start(ap, fmt);
	qe_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	clean = qe_utf8_sanitize(b.buf, b.len);
	qe_buf_release(&b);
	free(r->error);
	r->error = scrub(r->ai, clean);
	r->st = st;
	r->state = REQ_DONE;
	r->ai->kick = 1;
}

static void store_format(struct qe_ai *ai, enum qe_ai_format f)
{
	if (ai->format == f)
		return;
	ai->format = f;
	if (ai->store && ai->format_key &&
	    qe_store_kv_put(ai->store, ai->format_key, qe_ai_format_name(f)) < 0)
		qe_warning("cannot remember the AI endpoint's response format");
}

/* ---- curl callbacks ---- */

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct ai_req *r = data;
	size_t n = size * nmemb;
	if (r->resp.len + n > RESPONSE_MAX) {
		r->too_big = 1;
		return 0; /* aborts the transfer */
	}
	qe_buf_add(&r->resp, ptr, n);
	return n;
}

static int header_is(const char *line, size_t len, const char *name, const char **val)
{
	size_t nlen = strlen(name);
	if (len <= nlen || strncasecmp(line, name, nlen) || line[nlen] != ':')
		return 0;
	*val = line + nlen + 1;
	return 1;
}

static double parse_retry_after(const char *v)
{
	char *end;
	double secs;
	time_t when;

	while (*v == ' ' || *v == '\t')
		v++;
	secs = strtod(v, &end);
	if (end != v && (*end == '\0' || *end == ' ')) {
		if (secs >= 0 && secs < 1e9)
			return secs * 1000.0;
		return -1;
	}
	/* An HTTP date. */
	when = curl_getdate(v, NULL);
	if (when == (time_t)-1)
		return -1;
	secs = difftime(when, time(NULL));
	return secs > 0 ? secs * 1000.0 : 0;
}

static size_t on_header(char *buffer, size_t size, size_t nitems, void *data)
{
	struct ai_req *r = data;
	size_t total = size * nitems, n = total;
	char line[256];
	const char *val;
	double ms;

	if (n >= sizeof(line))
		return total;
	memcpy(line, buffer, n);
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	line[n] = '\0';
	if (!strncmp(line, "HTTP/", 5)) {
		r->retry_after_ms = -1; /* a new response (after 100 Continue, say) */
	} else if (header_is(line, n, "retry-after-ms", &val)) {
		char *end;
		while (*val == ' ')
			val++;
		ms = strtod(val, &end);
		if (end != val && ms >= 0 && ms < 1e12)
			r->retry_after_ms = ms; /* more precise: wins over Retry-After */
	} else if (header_is(line, n, "retry-after", &val)) {
		ms = parse_retry_after(val);
		if (ms >= 0 && r->retry_after_ms < 0)
			r->retry_after_ms = ms;
	}
	return total;
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct qe_ai *ai = userp;
	int ev = 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= QE_AI_WATCH_IN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= QE_AI_WATCH_OUT;
	if (ai->watch)
		ai->watch((int)s, ev, ai->watch_data);
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct qe_ai *ai = userp;
	ai->curl_deadline =
	    timeout_ms < 0 ? -1 : (int64_t)(qe_now_ms() + (uint64_t)timeout_ms);
	return 0;
}

/* ---- lifecycle ---- */

static long clamp(long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

struct qe_ai *qe_ai_new(const struct qe_config *c, struct qe_store *store)
{
	return qe_ai_new_shared(c, store, NULL);
}

struct qe_ai *qe_ai_new_shared(const struct qe_config *c, struct qe_store *store,
			       struct qe_redactor *red)
{
	struct qe_ai *ai;
	const char *ep = qe_config_ai_endpoint(c);
	const char *fmt = c->response_format ? c->response_format : "auto";
	size_t len;

	ai = qe_xcalloc(1, sizeof(*ai));
	ai->store = store;
	ai->model = qe_xstrdup(qe_config_ai_model(c));
	if (c->ai_api_key && *c->ai_api_key) {
		const char *k;
		for (k = c->ai_api_key; *k; k++)
			if ((unsigned char)*k < 0x20 || *k == 0x7f) {
				qe_error("the AI API key contains control characters");
				goto fail;
			}
		ai->key = qe_xstrdup(c->ai_api_key);
	}
	if (ep && *ep) {
		ai->endpoint = qe_xstrdup(ep);
		len = strlen(ai->endpoint);
		while (len > 0 && ai->endpoint[len - 1] == '/')
			ai->endpoint[--len] = '\0';
		if (len >= 17 && !strcmp(ai->endpoint + len - 17, "/chat/completions"))
			ai->url = qe_xstrdup(ai->endpoint);
		else
			ai->url = qe_xasprintf("%s/chat/completions", ai->endpoint);
	}
	ai->max_tokens = c->ai_max_tokens;
	ai->max_tokens_request = c->ai_max_tokens_request;
	ai->temperature_milli = clamp(c->ai_temperature_milli, 0, 2000);
	ai->connect_timeout_ms = clamp(c->connect_timeout_ms, 1, 3600000);
	ai->timeout_ms = clamp(c->timeout_ms, 1, 3600000);
	ai->retry_attempts = clamp(c->retry_attempts, 0, 100);
	ai->retry_base_ms = clamp(c->retry_base_ms, 0, 3600000);
	ai->retry_max_ms = clamp(c->retry_max_ms, 0, 3600000);
	ai->retry_after_max_ms =
	    c->retry_after_max_ms > 0 ? c->retry_after_max_ms : 120000;
	ai->concurrency = clamp(c->concurrency, 1, 64);
	ai->curl_deadline = -1;
	ai->rng = (qe_now_ms() << 16) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)ai;
	if (!ai->rng)
		ai->rng = 0x9e3779b97f4a7c15ULL;

	if (!strcmp(fmt, "auto")) {
		ai->format_auto = 1;
		ai->format = QE_AI_FMT_SCHEMA;
	} else if (qe_ai_format_parse(fmt, &ai->format) < 0) {
		qe_error("unknown AI response format '%s'", fmt);
		goto fail;
	}
	if (store && ai->endpoint) {
		char *val = NULL;
		enum qe_ai_format f;
		ai->format_key = qe_xasprintf("ai.format:%s", ai->endpoint);
		if (ai->format_auto &&
		    qe_store_kv_get(store, ai->format_key, &val) == 1 && val &&
		    !qe_ai_format_parse(val, &f))
			ai->format = f;
		free(val);
	}
	qe_breaker_init(&ai->breaker, store, ai->endpoint, c->breaker_threshold,
			c->breaker_open_ms, c->breaker_close_after, qe_wall_ms());

	ai->redactor = red ? qe_redactor_ref(red) : qe_redactor_new(c);
	if (!ai->redactor)
		goto fail;
	/* Without a service no request is made: libcurl is not even loaded
	 * (ai->multi stays NULL, and nothing below calls into it). */
	if (!ai->endpoint)
		return ai;
	if (qe_curl_load() < 0)
		goto fail;
	ai->multi = curl_multi_init();
	if (!ai->multi) {
		qe_error("cannot create a libcurl multi handle");
		goto fail;
	}
	curl_multi_setopt(ai->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(ai->multi, CURLMOPT_SOCKETDATA, ai);
	curl_multi_setopt(ai->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(ai->multi, CURLMOPT_TIMERDATA, ai);
	curl_multi_setopt(ai->multi, CURLMOPT_MAXCONNECTS, ai->concurrency);
	return ai;
fail:
	qe_ai_free(ai);
	return NULL;
}

static void req_free(struct ai_req *r)
{
	size_t i;
	if (!r)
		return;
	if (r->easy) {
		curl_multi_remove_handle(r->ai->multi, r->easy);
		curl_easy_cleanup(r->easy);
	}
	if (r->headers)
		curl_slist_free_all(r->headers);
	for (i = 0; i < r->n; i++)
		free(r->ids[i]);
	free(r->ids);
	free(r->user);
	free(r->body);
	qe_buf_release(&r->resp);
	free(r->error);
	qe_ai_answer_release(&r->answer);
	free(r);
}

static void deliver(struct qe_ai *ai);

void qe_ai_cancel_all(struct qe_ai *ai)
{
	struct ai_req *r;
	if (!ai)
		return;
	for (r = ai->head; r; r = r->next) {
		if (r->state == REQ_DONE)
			continue;
		if (r->easy) {
			curl_multi_remove_handle(ai->multi, r->easy);
			curl_easy_cleanup(r->easy);
			r->easy = NULL;
			ai->active--;
		}
		if (r->admitted)
			qe_breaker_abandon(&ai->breaker, r->probe);
		r->admitted = 0;
		req_fail(r, QE_AI_CANCELLED, "cancelled before the AI service answered");
	}
	deliver(ai);
}

void qe_ai_free(struct qe_ai *ai)
{
	struct ai_req *r, *next;
	if (!ai)
		return;
	if (ai->multi)
		qe_ai_cancel_all(ai);
	for (r = ai->head; r; r = next) {
		next = r->next;
		req_free(r);
	}
	if (ai->multi)
		curl_multi_cleanup(ai->multi);
	qe_redactor_free(ai->redactor);
	qe_breaker_release(&ai->breaker);
	free(ai->endpoint);
	free(ai->url);
	free(ai->model);
	free(ai->key);
	free(ai->format_key);
	free(ai);
}

int qe_ai_configured(const struct qe_ai *ai)
{
	return ai && ai->endpoint != NULL;
}

const char *qe_ai_model(const struct qe_ai *ai)
{
	return ai->model;
}

const char *qe_ai_response_format(const struct qe_ai *ai)
{
	return qe_ai_format_name(ai->format);
}

void qe_ai_get_stats(const struct qe_ai *ai, struct qe_ai_stats *out)
{
	*out = ai->stats;
}

const char *qe_ai_breaker_state(struct qe_ai *ai)
{
	return qe_breaker_state_name(qe_breaker_state(&ai->breaker, qe_wall_ms()));
}

size_t qe_ai_in_flight(const struct qe_ai *ai)
{
	return ai->pending;
}

long qe_ai_last_http(const struct qe_ai *ai, enum qe_ai_hint *hint)
{
	if (hint)
		*hint = ai->last_hint;
	return ai->last_http;
}

/* ---- requests ---- */

long qe_ai_request_tokens(long per_event, long cap, size_t n)
{
	long want;
	if (per_event <= 0)
		return per_event;
	want = n > (size_t)(LONG_MAX / per_event) ? LONG_MAX : per_event * (long)n;
	return cap > 0 && want > cap ? cap : want;
}

static int check_events(struct qe_event *const *evs, size_t n)
{
	size_t i, j;
	if (!n)
		return qe_error("no events to ask about");
	if (n > BATCH_MAX)
		return qe_error("too many events in one AI request (%zu, at most %d)", n,
				BATCH_MAX);
	for (i = 0; i < n; i++) {
		if (!qe_ai_fingerprint_ok(evs[i]->fingerprint))
			return qe_error("event has no fingerprint");
		for (j = 0; j < i; j++)
			if (!strcmp(evs[i]->fingerprint, evs[j]->fingerprint))
				return qe_error(
				    "fingerprint '%s' appears twice in one request",
				    evs[i]->fingerprint);
	}
	return 0;
}

char *qe_ai_request_body(struct qe_ai *ai, struct qe_event *const *evs, size_t n)
{
	char *user, *body;
	if (check_events(evs, n) < 0)
		return NULL;
	user = qe_ai_prompt_user(ai->redactor, evs, n);
	body = qe_ai_prompt_body(
	    ai->model, qe_ai_request_tokens(ai->max_tokens, ai->max_tokens_request, n),
	    ai->temperature_milli, ai->format, user);
	free(user);
	if (!body)
		qe_error("cannot encode the AI request");
	return body;
}

int qe_ai_submit(struct qe_ai *ai, struct qe_event *const *evs, size_t n,
		 qe_ai_done_fn fn, void *data)
{
	struct ai_req *r;
	size_t i;

	if (check_events(evs, n) < 0)
		return -1;
	r = qe_xcalloc(1, sizeof(*r));
	r->ai = ai;
	r->fn = fn;
	r->data = data;
	r->n = n;
	r->ids = qe_xcalloc(n, sizeof(*r->ids));
	for (i = 0; i < n; i++)
		r->ids[i] = qe_xstrdup(evs[i]->fingerprint);
	r->format = ai->format;
	r->retry_after_ms = -1;
	qe_buf_init(&r->resp);
	if (!ai->endpoint) {
		req_fail(r, QE_AI_NOT_CONFIGURED,
			 "no AI service configured (set ai.api_key or ai.base_url)");
	} else {
		/* Redact now: the caller may free the events once we return. */
		r->user = qe_ai_prompt_user(ai->redactor, evs, n);
		r->state = REQ_QUEUED;
	}
	if (ai->tail)
		ai->tail->next = r;
	else
		ai->head = r;
	ai->tail = r;
	ai->pending++;
	ai->kick = 1;
	return 0;
}

static int start_attempt(struct qe_ai *ai, struct ai_req *r)
{
	CURL *e;
	char *auth;

	free(r->body);
	r->body = qe_ai_prompt_body(
	    ai->model, qe_ai_request_tokens(ai->max_tokens, ai->max_tokens_request, r->n),
	    ai->temperature_milli, r->format, r->user);
	if (!r->body) {
		req_fail(r, QE_AI_REJECTED, "cannot encode the AI request");
		return -1;
	}
	qe_buf_reset(&r->resp);
	r->too_big = 0;
	r->retry_after_ms = -1;
	r->errbuf[0] = '\0';
	if (!r->headers) {
		r->headers = curl_slist_append(NULL, "Content-Type: application/json");
		r->headers = curl_slist_append(r->headers, "Accept: application/json");
		r->headers = curl_slist_append(r->headers, "Expect:");
		if (ai->key) {
			auth = qe_xasprintf("Authorization: Bearer %s", ai->key);
			r->headers = curl_slist_append(r->headers, auth);
			free(auth);
		}
	}
	e = curl_easy_init();
	if (!e || !r->headers) {
		if (e)
			curl_easy_cleanup(e);
		req_fail(r, QE_AI_UNAVAILABLE, "cannot create a libcurl handle");
		return -1;
	}
	curl_easy_setopt(e, CURLOPT_URL, ai->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(r->body));
	curl_easy_setopt(e, CURLOPT_USERAGENT, "qerrors/" QE_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ai->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ai->timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	if (curl_multi_add_handle(ai->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		req_fail(r, QE_AI_UNAVAILABLE, "cannot start the AI request");
		return -1;
	}
	r->easy = e;
	r->state = REQ_ACTIVE;
	ai->active++;
	ai->stats.requests++;
	counter_add(ai, "ai_requests", 1);
	return 0;
}

/* The wait before retry number r->retries (1-based). */
static uint64_t backoff_ms(struct qe_ai *ai, struct ai_req *r)
{
	uint64_t cap, shift;
	if (r->retry_after_ms >= 0) {
		double ms = r->retry_after_ms;
		if (ms > (double)ai->retry_after_max_ms)
			ms = (double)ai->retry_after_max_ms;
		return (uint64_t)ms;
	}
	/* Full jitter: uniform in [0, min(max, base * 2^n)]. */
	shift = (uint64_t)(r->retries - 1);
	if (shift > 30)
		shift = 30;
	cap = (uint64_t)ai->retry_base_ms << shift;
	if (cap > (uint64_t)ai->retry_max_ms)
		cap = (uint64_t)ai->retry_max_ms;
	return next_random(ai) % (cap + 1);
}

/* A failure that another attempt might cure. */
static void retry_or_fail(struct qe_ai *ai, struct ai_req *r, enum qe_ai_status st,
			  const char *msg)
{
	if (r->retries < ai->retry_attempts) {
		r->retries++;
		ai->stats.retries++;
		counter_add(ai, "ai_retries", 1);
		r->wake_ms = qe_now_ms() + backoff_ms(ai, r);
		r->state = REQ_BACKOFF;
		ai->kick = 1;
		return;
	}
	if (r->retries)
		req_fail(r, st, "%s (after %ld %s)", msg, r->retries,
			 r->retries == 1 ? "retry" : "retries");
	else
		req_fail(r, st, "%s", msg);
}

static int mentions_format(const char *body)
{
	return strstr(body, "response_format") || strstr(body, "json_schema") ||
	       strstr(body, "json_object");
}

/* A model may repeat a secret it was never sent (or guess one): what it
 * wrote is stored, cached and printed, so it is masked like log text. */
static void redact_answer(struct qe_ai *ai, struct qe_ai_answer *a)
{
	size_t i;
	char *m;
	for (i = 0; i < a->n; i++) {
		if (!a->advice[i])
			continue;
		m = qe_redact_json(ai->redactor, a->advice[i]);
		free(a->advice[i]);
		a->advice[i] = m;
	}
	if (a->error) {
		m = qe_redact_once(ai->redactor, a->error, strlen(a->error));
		free(a->error);
		a->error = m;
	}
}

/* A copy of events [from, from + n) of r, queued to be sent on its own. */
static struct ai_req *req_part(struct qe_ai *ai, struct ai_req *r, size_t from, size_t n)
{
	struct ai_req *c = qe_xcalloc(1, sizeof(*c));
	size_t i;

	c->ai = ai;
	c->fn = r->fn;
	c->data = r->data;
	c->n = n;
	c->ids = qe_xcalloc(n, sizeof(*c->ids));
	for (i = 0; i < n; i++)
		c->ids[i] = qe_xstrdup(r->ids[from + i]);
	c->format = r->format;
	c->retry_after_ms = -1;
	qe_buf_init(&c->resp);
	c->user = qe_ai_prompt_user_part(r->user, from, n);
	if (c->user)
		c->state = REQ_QUEUED;
	else /* cannot happen with a message we made; never send a wrong one */
		req_fail(c, QE_AI_TRUNCATED, "%s", r->answer.error);
	return c;
}

/* The answer about a batch ran out of tokens: ask about each half on its
 * own, right after r in the queue, rather than failing every event.  The
 * halves go through the breaker like any new request; r itself ends
 * without callbacks. */
static void split_request(struct qe_ai *ai, struct ai_req *r)
{
	size_t half = r->n / 2;
	struct ai_req *a = req_part(ai, r, 0, half),
		      *b = req_part(ai, r, half, r->n - half);

	a->carried_prompt = r->carried_prompt + r->tokens_prompt;
	a->carried_completion = r->carried_completion + r->tokens_completion;
	b->next = r->next;
	a->next = b;
	r->next = a;
	if (ai->tail == r)
		ai->tail = b;
	ai->pending += 2;
	counter_add(ai, "ai_batch_splits", 1);
	r->split = 1;
	r->st = QE_AI_TRUNCATED;
	r->state = REQ_DONE;
	ai->kick = 1;
}

static void finish_http(struct qe_ai *ai, struct ai_req *r, long code)
{
	char *msg, *ecode = NULL, *etype = NULL;

	ai->last_http = code;
	ai->last_hint = QE_AI_HINT_NONE;
	if (code >= 200 && code < 300) {
		qe_ai_answer_parse(r->resp.buf, r->resp.len, r->ids, r->n, &r->answer);
		redact_answer(ai, &r->answer);
		r->tokens_prompt =
		    r->answer.tokens_prompt > 0 ? r->answer.tokens_prompt : 0;
		r->tokens_completion =
		    r->answer.tokens_completion > 0 ? r->answer.tokens_completion : 0;
		if (ai->format_auto && r->format != ai->format && r->format > ai->format)
			store_format(ai,
				     r->format); /* the fallback worked: start there */
		if (r->answer.st == QE_AI_TRUNCATED && r->n > 1)
			split_request(ai, r);
		else if (r->answer.st != QE_AI_OK)
			req_fail(r, r->answer.st, "%s", r->answer.error);
		else {
			r->st = QE_AI_OK;
			r->state = REQ_DONE;
			ai->kick = 1;
		}
		return;
	}
	msg =
	    qe_ai_error_text(r->resp.buf, r->resp.len, SERVER_QUOTE_MAX, &ecode, &etype);
	msg = scrub(ai, msg);
	if (!*msg) {
		free(msg);
		msg = qe_xstrdup("no details given");
	}
	if ((code == 400 || (code == 422 && mentions_format(r->resp.buf))) &&
	    ai->format_auto && r->format != QE_AI_FMT_TEXT) {
		/* The endpoint may not know this response_format: try the next one. */
		r->format =
		    r->format == QE_AI_FMT_SCHEMA ? QE_AI_FMT_OBJECT : QE_AI_FMT_TEXT;
		r->state = REQ_QUEUED;
		ai->kick = 1;
		goto out;
	}
	if (code == 429 && ((ecode && !strcmp(ecode, "insufficient_quota")) ||
			    (etype && !strcmp(etype, "insufficient_quota")))) {
		req_fail(r, QE_AI_QUOTA, "the AI account is out of quota (HTTP 429): %s",
			 msg);
		goto out;
	}
	if (code == 401 || code == 403) {
		req_fail(r, QE_AI_AUTH,
			 "the AI service refused the credentials (HTTP %ld): %s", code,
			 msg);
	} else if (code == 429) {
		char *m =
		    qe_xasprintf("the AI service is rate limiting (HTTP 429): %s", msg);
		retry_or_fail(ai, r, QE_AI_RATE_LIMITED, m);
		free(m);
	} else if (code == 408 || code == 409 || (code >= 500 && code < 600)) {
		char *m = qe_xasprintf("the AI service failed (HTTP %ld): %s", code, msg);
		retry_or_fail(ai, r, QE_AI_UNAVAILABLE, m);
		free(m);
	} else if (code == 404) {
		/* Users of every OpenAI-compatible client meet this one: say
		 * whether it is the model or the path, and what to change. */
		char *fix = NULL;
		ai->last_hint = qe_ai_hint_404(ai->endpoint, ai->model, ecode, msg, &fix);
		req_fail(r, QE_AI_REJECTED,
			 "the AI service rejected the request (HTTP 404): %s%s%s", msg,
			 fix ? "; " : "", fix ? fix : "");
		free(fix);
	} else if (code >= 400 && code < 500) {
		req_fail(r, QE_AI_REJECTED,
			 "the AI service rejected the request (HTTP %ld): %s", code, msg);
	} else {
		req_fail(r, QE_AI_UNAVAILABLE,
			 "unexpected answer from the AI service (HTTP %ld)", code);
	}
out:
	free(msg);
	free(ecode);
	free(etype);
}

static void finish_transfer(struct qe_ai *ai, struct ai_req *r, CURLcode rc)
{
	long code = 0;
	char *m;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(ai->multi, r->easy);
	curl_easy_cleanup(r->easy);
	r->easy = NULL;
	ai->active--;

	if (rc == CURLE_OK) {
		finish_http(ai, r, code);
		return;
	}
	if (r->too_big) {
		req_fail(r, QE_AI_INVALID,
			 "the AI service's answer is larger than %d bytes", RESPONSE_MAX);
		return;
	}
	m = qe_xasprintf("cannot reach the AI service at '%s': %s", ai->endpoint,
			 r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
	m = scrub(ai, m);
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CONNECT_ERROR:
		/* Another attempt would meet the same certificate or URL. */
		req_fail(r, QE_AI_UNAVAILABLE, "%s", m);
		break;
	default:
		retry_or_fail(ai, r, QE_AI_UNAVAILABLE, m);
		break;
	}
	free(m);
}

static void read_messages(struct qe_ai *ai)
{
	CURLMsg *msg;
	int left;
	if (!ai->multi)
		return;
	while ((msg = curl_multi_info_read(ai->multi, &left))) {
		void *r = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &r);
		if (r)
			finish_transfer(ai, r, msg->data.result);
	}
}

/* An answer that parsed but holds no usable advice for any event. */
static int no_advice(const struct ai_req *r)
{
	size_t i;
	for (i = 0; i < r->answer.n; i++)
		if (r->answer.advice[i])
			return 0;
	return 1;
}

static void breaker_verdict(struct qe_ai *ai, struct ai_req *r)
{
	int64_t now = qe_wall_ms();
	enum qe_ai_status st = r->st;
	if (!r->admitted)
		return;
	r->admitted = 0;
	if (st == QE_AI_OK && no_advice(r))
		st = QE_AI_INVALID;
	switch (st) {
	case QE_AI_UNAVAILABLE:
	case QE_AI_RATE_LIMITED:
	case QE_AI_AUTH:
	case QE_AI_REJECTED:
	case QE_AI_INVALID:   /* malformed, schema-invalid or oversized answer */
	case QE_AI_TRUNCATED: /* finish_reason length: tokens paid, no advice */
		/* Each of these costs a request (and often its tokens) and the
		 * next request would most likely meet the same fate. */
		qe_breaker_failure(&ai->breaker, r->probe, now);
		break;
	case QE_AI_QUOTA:
		qe_breaker_trip(&ai->breaker, now);
		break;
	case QE_AI_CANCELLED:
		qe_breaker_abandon(&ai->breaker, r->probe);
		break;
	default:
		/* Advice, or a refusal about this one event: the service works. */
		qe_breaker_success(&ai->breaker, r->probe, now);
		break;
	}
}

/* Start what may start, in submission order. */
static void start_ready(struct qe_ai *ai)
{
	struct ai_req *r;
	uint64_t now = qe_now_ms();

	for (r = ai->head; r; r = r->next) {
		if (r->state == REQ_BACKOFF && r->wake_ms <= now)
			r->state = REQ_QUEUED;
		if (r->state != REQ_QUEUED)
			continue;
		if (!r->admitted &&
		    qe_breaker_state(&ai->breaker, qe_wall_ms()) == QE_BREAKER_OPEN) {
			/* Fail it now rather than when a slot frees up. */
			req_fail(
			    r, QE_AI_CIRCUIT_OPEN,
			    "the AI circuit is open after repeated failures; next "
			    "attempt "
			    "in %lld s",
			    (long long)(qe_breaker_wait_ms(&ai->breaker, qe_wall_ms()) +
					999) /
				1000);
			continue;
		}
		if (ai->active >= (size_t)ai->concurrency)
			break;
		if (!r->admitted) {
			int probe,
			    v = qe_breaker_acquire(&ai->breaker, qe_wall_ms(), &probe);
			if (v != QE_BREAKER_PASS)
				break; /* half-open: keep the order, wait for the probe */
			r->admitted = 1;
			r->probe = probe;
		}
		start_attempt(ai, r);
	}
}

static void call_back(struct qe_ai *ai, struct ai_req *r)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		long long tp = i == 0 ? r->tokens_prompt + r->carried_prompt : 0;
		long long tc = i == 0 ? r->tokens_completion + r->carried_completion : 0;
		if (!r->fn)
			continue;
		if (r->st == QE_AI_OK && r->answer.advice[i])
			r->fn(r->ids[i], QE_AI_OK, r->answer.advice[i], NULL, tp, tc,
			      r->data);
		else if (r->st == QE_AI_OK)
			r->fn(r->ids[i], QE_AI_INVALID, NULL, r->answer.why[i], tp, tc,
			      r->data);
		else
			r->fn(r->ids[i], r->st, NULL, r->error, tp, tc, r->data);
	}
}

/* Unlink finished requests first, then call back: a callback may submit. */
static void deliver(struct qe_ai *ai)
{
	struct ai_req *r, **pp = &ai->head, *done = NULL, **dtail = &done;

	ai->tail = NULL;
	while ((r = *pp)) {
		if (r->state == REQ_DONE) {
			*pp = r->next;
			r->next = NULL;
			*dtail = r;
			dtail = &r->next;
			continue;
		}
		ai->tail = r;
		pp = &r->next;
	}
	while ((r = done)) {
		done = r->next;
		breaker_verdict(ai, r);
		if (r->user) { /* it was meant to be sent */
			ai->stats.tokens_prompt += r->tokens_prompt;
			ai->stats.tokens_completion += r->tokens_completion;
			counter_add(ai, "tokens_prompt", r->tokens_prompt);
			counter_add(ai, "tokens_completion", r->tokens_completion);
			counter_add_model(ai, "tokens_prompt", r->tokens_prompt);
			counter_add_model(ai, "tokens_completion", r->tokens_completion);
			if (r->st != QE_AI_OK && r->st != QE_AI_CIRCUIT_OPEN &&
			    r->st != QE_AI_CANCELLED && !r->split) {
				ai->stats.failures++;
				counter_add(ai, "ai_failures", 1);
			}
		}
		ai->pending--;
		if (!r->split)
			call_back(ai, r);
		req_free(r);
	}
}

static void pump(struct qe_ai *ai)
{
	int rounds;
	if (ai->in_pump)
		return;
	ai->in_pump = 1;
	for (rounds = 0; rounds < 8; rounds++) {
		ai->kick = 0;
		read_messages(ai);
		start_ready(ai);
		deliver(ai);
		if (!ai->kick)
			break;
	}
	ai->in_pump = 0;
}

/* ---- driving ---- */

/* Milliseconds until something is due; -1 = nothing.  curl's own timer is
 * left out when qe_ai_run() polls: curl_multi_poll() honours it itself. */
static long next_wake(struct qe_ai *ai, int with_curl)
{
	struct ai_req *r;
	uint64_t now = qe_now_ms();
	int64_t best = -1;

	if (ai->kick)
		return 0;
	if (with_curl && ai->curl_deadline >= 0)
		best = ai->curl_deadline > (int64_t)now ? ai->curl_deadline - (int64_t)now
							: 0;
	for (r = ai->head; r; r = r->next) {
		int64_t d;
		if (r->state == REQ_BACKOFF)
			d = r->wake_ms > now ? (int64_t)(r->wake_ms - now) : 0;
		else if (r->state == REQ_QUEUED && ai->active < (size_t)ai->concurrency &&
			 qe_breaker_state(&ai->breaker, qe_wall_ms()) !=
			     QE_BREAKER_HALF_OPEN)
			d = 0; /* the breaker turned half-open or closed since: start it
				*/
		else
			continue;
		if (best < 0 || d < best)
			best = d;
	}
	if (best > 0x7fffffff)
		best = 0x7fffffff;
	return (long)best;
}

long qe_ai_timeout_ms(struct qe_ai *ai)
{
	return next_wake(ai, 1);
}

void qe_ai_set_watch(struct qe_ai *ai, qe_ai_watch_fn fn, void *data)
{
	ai->watch = fn;
	ai->watch_data = data;
}

void qe_ai_on_socket(struct qe_ai *ai, int fd, int events)
{
	int running, mask = 0;
	if (events & QE_AI_WATCH_IN)
		mask |= CURL_CSELECT_IN;
	if (events & QE_AI_WATCH_OUT)
		mask |= CURL_CSELECT_OUT;
	curl_multi_socket_action(ai->multi, fd, mask, &running);
	pump(ai);
}

void qe_ai_on_timeout(struct qe_ai *ai)
{
	int running;
	if (ai->multi && ai->curl_deadline >= 0 &&
	    (uint64_t)ai->curl_deadline <= qe_now_ms()) {
		ai->curl_deadline = -1;
		curl_multi_socket_action(ai->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	pump(ai);
}

size_t qe_ai_run(struct qe_ai *ai, uint64_t deadline_ms)
{
	int running;

	for (;;) {
		long wait;
		uint64_t now;

		pump(ai);
		if (ai->multi)
			curl_multi_perform(ai->multi, &running);
		pump(ai);
		if (!ai->pending || !ai->multi)
			break;
		now = qe_now_ms();
		if (deadline_ms && now >= deadline_ms)
			break;
		wait = next_wake(ai, 0);
		if (wait < 0 || wait > 1000)
			wait = 1000;
		if (deadline_ms && (uint64_t)wait > deadline_ms - now)
			wait = (long)(deadline_ms - now);
		if (wait > 0)
			curl_multi_poll(ai->multi, NULL, 0, (int)wait, NULL);
	}
	return ai->pending;
}
