/*
 * ai_probe: what went wrong with the AI service, in words a user can act
 * on, and the probes `doctor` runs.  See ai.h.
 *
 * A 404 from {base}/chat/completions has two usual causes: the service
 * does not know the model (OpenAI's error.code "model_not_found",
 * Ollama's 'model "x" not found', vLLM's 'The model `x` does not
 * exist'), or the base URL lacks the version path that every
 * OpenAI-compatible server mounts its API under (Ollama and llama.cpp
 * answer "404 page not found" for http://host:port/chat/completions).
 * The probes use the same configuration as the client: key, timeouts,
 * http/https only.
 */
#include "ai.h"
#include "ai_internal.h"
#include "config.h"
#include "curl_dl.h"
#include "event.h"
#include "fingerprint.h"
#include "msg.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#ifndef QE_VERSION
#define QE_VERSION "0.0.0"
#endif

#define PROBE_BODY_MAX (1024 * 1024) /* of a /models answer; the rest is dropped */
#define PROBE_MODELS_MAX 10000	     /* ids kept from one list */
#define PROBE_QUOTE_MAX 200	     /* bytes of a server's error repeated */

/* ---- 404s ---- */

/* base: the endpoint without trailing slashes or /chat/completions. */
static char *base_of(const char *endpoint)
{
	char *b = qe_xstrdup(endpoint ? endpoint : "");
	size_t len = strlen(b);
	while (len > 0 && b[len - 1] == '/')
		b[--len] = '\0';
	if (len >= 17 && !strcmp(b + len - 17, "/chat/completions"))
		b[len -= 17] = '\0';
	while (len > 0 && b[len - 1] == '/')
		b[--len] = '\0';
	return b;
}

/* Does the URL's path hold a version segment ("/v1", "/v1beta", "/v4")? */
static int has_version_path(const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	while (p && *p) {
		p++; /* past '/' */
		if (p[0] == 'v' && p[1] >= '0' && p[1] <= '9')
			return 1;
		p = strchr(p, '/');
	}
	return 0;
}

static int says_model_missing(const char *code, const char *msg)
{
	static const char *const missing[] = {"not found", "does not exist",
					      "not exist", "no such",
					      "unknown",   "not available"};
	size_t i;
	if (code &&
	    (!strcmp(code, "model_not_found") || !strcmp(code, "model_not_available")))
		return 1;
	if (!msg || !strcasestr(msg, "model"))
		return 0;
	for (i = 0; i < QE_ARRAY_SIZE(missing); i++)
		if (strcasestr(msg, missing[i]))
			return 1;
	return 0;
}

static char *hint_fix(enum qe_ai_hint h, const char *endpoint, const char *model)
{
	char *base = base_of(endpoint), *fix = NULL;
	switch (h) {
	case QE_AI_HINT_MODEL:
		fix = qe_xasprintf("the service does not offer model '%s': set ai.model "
				   "(QERRORS_AI_MODEL) to a model it offers ('qerrors "
				   "doctor' lists them)",
				   model ? model : "");
		break;
	case QE_AI_HINT_PATH:
		fix = qe_xasprintf(
		    "ai.base_url '%s' has no /v1; OpenAI-compatible servers "
		    "answer under /v1: set ai.base_url (QERRORS_AI_BASE_URL) "
		    "to '%s/v1'",
		    base, base);
		break;
	case QE_AI_HINT_URL:
		fix = qe_xasprintf(
		    "'%s/chat/completions' does not exist: check ai.base_url "
		    "(QERRORS_AI_BASE_URL)",
		    base);
		break;
	case QE_AI_HINT_NONE:
		break;
	}
	free(base);
	return fix;
}

enum qe_ai_hint qe_ai_hint_404(const char *endpoint, const char *model,
			       const char *err_code, const char *err_msg, char **fix_out)
{
	enum qe_ai_hint h;
	if (says_model_missing(err_code, err_msg))
		h = QE_AI_HINT_MODEL;
	else if (endpoint && !has_version_path(endpoint))
		h = QE_AI_HINT_PATH;
	else
		h = QE_AI_HINT_URL;
	if (fix_out)
		*fix_out = hint_fix(h, endpoint, model);
	return h;
}

/* ---- model lists ---- */

/* A server's text, safe to print on one line. */
static char *clean_line(const char *s, size_t max)
{
	char *u = qe_utf8_sanitize(s, strlen(s)), *c, *p;
	c = qe_ai_clean_text(u, strlen(u), max);
	free(u);
	for (p = c; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return c;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

long qe_ai_models_parse(const char *body, size_t len, char ***ids_out)
{
	json_t *root = json_loadb(body, len, 0, NULL), *list, *m;
	const char *field = "id";
	char **ids = NULL;
	size_t i, n = 0, alloc = 0, k;

	*ids_out = NULL;
	list = json_object_get(root, "data");
	if (!json_is_array(list)) {
		list = json_object_get(root, "models"); /* Ollama's /api/tags */
		field = "name";
	}
	if (!json_is_array(list)) {
		json_decref(root);
		return -1;
	}
	json_array_foreach(list, i, m)
	{
		const char *id = json_string_value(json_object_get(m, field));
		char *clean;
		if (!id && !strcmp(field, "name"))
			id = json_string_value(json_object_get(m, "model"));
		if (!id || n >= PROBE_MODELS_MAX)
			continue;
		clean = clean_line(id, 256);
		if (!*clean) { /* nothing printable left */
			free(clean);
			continue;
		}
		QE_ALLOC_GROW(ids, n + 1, alloc);
		ids[n++] = clean;
	}
	json_decref(root);
	if (n > 1)
		qsort(ids, n, sizeof(*ids), cmp_str);
	/* drop duplicates */
	for (i = k = 0; i < n; i++) {
		if (k && !strcmp(ids[k - 1], ids[i])) {
			free(ids[i]);
			continue;
		}
		ids[k++] = ids[i];
	}
	*ids_out = ids;
	return (long)k;
}

/* ---- probes ---- */

void qe_ai_probe_release(struct qe_ai_probe *p)
{
	long i;
	if (!p)
		return;
	free(p->url);
	free(p->error);
	free(p->fix);
	for (i = 0; i < p->nr_models; i++)
		free(p->models[i]);
	free(p->models);
	free(p->v1_url);
	free(p->format);
	memset(p, 0, sizeof(*p));
}

/* Every copy of the key in s replaced: the key never reaches a message. */
static char *scrub_key(const char *key, char *s)
{
	struct qe_buf b = QE_BUF_INIT;
	const char *p, *hit;
	size_t kl;
	if (!s || !key || !*key || !strstr(s, key))
		return s;
	kl = strlen(key);
	for (p = s; (hit = strstr(p, key)); p = hit + kl) {
		qe_buf_add(&b, p, (size_t)(hit - p));
		qe_buf_addstr(&b, "[api key]");
	}
	qe_buf_addstr(&b, p);
	free(s);
	return qe_buf_detach(&b);
}

static size_t on_body(char *ptr, size_t size, size_t n, void *data)
{
	struct qe_buf *b = data;
	size_t len = size * n;
	if (b->len + len <= PROBE_BODY_MAX)
		qe_buf_add(b, ptr, len);
	return len; /* past the cap: read on, keep nothing */
}

struct get_result {
	long code;
	struct qe_buf body;
	char *error; /* when there was no HTTP answer */
};

/* One GET with the client's settings; 0 answered, -1 not (g->error). */
static int http_get(const struct qe_config *c, const char *url, long timeout_ms,
		    struct get_result *g)
{
	CURL *e;
	struct curl_slist *hdr = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode res;
	int ret = -1;

	memset(g, 0, sizeof(*g));
	qe_buf_init(&g->body);
	if (qe_curl_load() < 0) {
		g->error = qe_xstrdup(qe_last_error());
		return -1;
	}
	if (!(e = curl_easy_init())) {
		g->error = qe_xstrdup("cannot create a libcurl handle");
		return -1;
	}
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (c->ai_api_key && *c->ai_api_key) {
		char *auth = qe_xasprintf("Authorization: Bearer %s", c->ai_api_key);
		hdr = curl_slist_append(hdr, auth);
		free(auth);
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "qerrors/" QE_VERSION);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 c->connect_timeout_ms > 0 ? c->connect_timeout_ms : 5000L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 10000L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &g->body);
	res = curl_easy_perform(e);
	if (res != CURLE_OK) {
		g->error = qe_xasprintf("cannot reach '%s': %s", url,
					*errbuf ? errbuf : curl_easy_strerror(res));
		g->error = scrub_key(c->ai_api_key, g->error);
	} else {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &g->code);
		ret = 0;
	}
	curl_easy_cleanup(e);
	curl_slist_free_all(hdr);
	return ret;
}

static void get_release(struct get_result *g)
{
	qe_buf_release(&g->body);
	free(g->error);
}

static char *server_text(const struct qe_config *c, const struct get_result *g)
{
	char *m = qe_ai_error_text(g->body.buf ? g->body.buf : "", g->body.len,
				   PROBE_QUOTE_MAX, NULL, NULL);
	if (!*m) {
		free(m);
		m = qe_xstrdup("no details given");
	}
	return scrub_key(c->ai_api_key, m);
}

static void take_models(struct qe_ai_probe *out, const struct get_result *g)
{
	long n =
	    qe_ai_models_parse(g->body.buf ? g->body.buf : "", g->body.len, &out->models);
	out->nr_models = n < 0 ? 0 : n;
	if (n == 0 && !out->models) /* a list, but empty: not the same as none */
		out->models = qe_xcalloc(1, sizeof(*out->models));
}

int qe_ai_probe_models(const struct qe_config *c, long timeout_ms,
		       struct qe_ai_probe *out)
{
	const char *ep = qe_config_ai_endpoint(c);
	struct get_result g;
	char *base;
	uint64_t t0 = qe_now_ms();
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!ep) {
		out->st = QE_AI_NOT_CONFIGURED;
		out->error = qe_xstrdup("no AI service configured");
		return -1;
	}
	base = base_of(ep);
	out->url = qe_xasprintf("%s/models", base);
	if (http_get(c, out->url, timeout_ms, &g) < 0) {
		out->st = QE_AI_UNAVAILABLE;
		out->error = g.error;
		g.error = NULL;
		ret = -1;
		goto out;
	}
	out->http_code = g.code;
	if (g.code == 200) {
		out->st = QE_AI_OK;
		take_models(out, &g);
	} else if (g.code == 401 || g.code == 403) {
		char *m = server_text(c, &g);
		out->st = QE_AI_AUTH;
		out->error =
		    qe_xasprintf("HTTP %ld: the key was rejected: %s", g.code, m);
		free(m);
	} else {
		char *m = server_text(c, &g);
		out->st = QE_AI_REJECTED;
		out->error = qe_xasprintf("HTTP %ld: %s", g.code, m);
		free(m);
		if (g.code == 404 && !has_version_path(base)) {
			/* Is the API there, one level down? */
			struct get_result v;
			char *v1 = qe_xasprintf("%s/v1/models", base);
			if (http_get(c, v1, timeout_ms, &v) == 0 && v.code == 200) {
				out->v1_url = v1;
				v1 = NULL;
				take_models(out, &v);
				out->hint = QE_AI_HINT_PATH;
				out->fix = hint_fix(QE_AI_HINT_PATH, base, NULL);
			}
			free(v1);
			get_release(&v);
		}
	}
out:
	out->ms = qe_now_ms() - t0;
	get_release(&g);
	free(base);
	return ret;
}

struct chat_wait {
	int done;
	enum qe_ai_status st;
	char *error;
};

static void on_chat(const char *fp, enum qe_ai_status st, const char *advice_json,
		    const char *error, long long tokens_prompt,
		    long long tokens_completion, void *data)
{
	struct chat_wait *w = data;
	w->done = 1;
	w->st = st;
	free(w->error);
	w->error = error ? qe_xstrdup(error) : NULL;
}

int qe_ai_probe_chat(const struct qe_config *c, long timeout_ms, struct qe_ai_probe *out)
{
	static const char message[] =
	    "connection to database 'orders' refused (qerrors doctor test)";
	struct qe_config once = *c; /* shallow: only read by qe_ai_new */
	struct chat_wait w = {0, QE_AI_CANCELLED, NULL};
	struct qe_event *ev = qe_event_new("line", "doctor");
	struct qe_ai *ai;
	char *line, *base;
	uint64_t t0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	base = base_of(qe_config_ai_endpoint(c));
	out->url = qe_xasprintf("%s/chat/completions", base);
	line = qe_xasprintf("2026-01-01 00:00:00 ERROR %s", message);
	qe_event_add_line(ev, line, strlen(line));
	free(ev->message);
	ev->message = qe_xstrdup(message);
	ev->severity = QE_SEV_ERROR;
	qe_fingerprint(ev);

	/* A probe reports what happens now; retries would only hide it. */
	once.retry_attempts = 0;
	ai = qe_ai_new(&once, NULL);
	if (!ai) {
		out->st = QE_AI_REJECTED;
		out->error = qe_xstrdup(qe_last_error());
		goto out;
	}
	t0 = qe_now_ms();
	if (qe_ai_submit(ai, &ev, 1, on_chat, &w) < 0) {
		out->st = QE_AI_REJECTED;
		out->error = qe_xstrdup(qe_last_error());
		goto out;
	}
	qe_ai_run(ai, qe_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 60000));
	if (!w.done)
		qe_ai_cancel_all(ai);
	out->ms = qe_now_ms() - t0;
	out->st = w.st;
	out->http_code = qe_ai_last_http(ai, &out->hint);
	if (w.st == QE_AI_OK) {
		out->format = qe_xstrdup(qe_ai_response_format(ai));
		ret = 0;
	} else {
		out->error = qe_xstrdup(w.error ? w.error : qe_ai_status_name(w.st));
		out->fix = hint_fix(out->hint, base, qe_ai_model(ai));
	}
out:
	qe_ai_free(ai);
	qe_event_free(ev);
	free(w.error);
	free(line);
	free(base);
	return ret;
}
