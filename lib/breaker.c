/* breaker: see breaker.h */
#include "breaker.h"
#include "store.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {"closed", "open", "half-open"};

const char *qe_breaker_state_name(enum qe_breaker_state s)
{
	if ((size_t)s >= QE_ARRAY_SIZE(state_names))
		return "closed";
	return state_names[s];
}

int qe_breaker_state_parse(const char *s, enum qe_breaker_state *out)
{
	size_t i;
	for (i = 0; s && i < QE_ARRAY_SIZE(state_names); i++)
		if (!strcmp(s, state_names[i])) {
			*out = (enum qe_breaker_state)i;
			return 0;
		}
	return -1;
}

char *qe_breaker_key(const char *endpoint)
{
	size_t len = strlen(endpoint);
	while (len > 0 && endpoint[len - 1] == '/')
		len--;
	return qe_xasprintf("ai.breaker:%.*s", (int)len, endpoint);
}

/* The one decoder of the stored record.  Fields that are missing or out
 * of range keep what `rec` held; a record that is not a JSON object with
 * a known state is an error. */
static int decode(const char *key, const char *val, struct qe_breaker_record *rec)
{
	json_t *root = json_loads(val, 0, NULL), *v;
	int rc = 0;

	if (!json_is_object(root) ||
	    qe_breaker_state_parse(json_string_value(json_object_get(root, "state")),
				   &rec->state) < 0) {
		rc = qe_error("unreadable circuit breaker record '%s' in the state", key);
		goto out;
	}
	v = json_object_get(root, "failures");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		rec->failures = (long)json_integer_value(v);
	v = json_object_get(root, "successes");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		rec->successes = (long)json_integer_value(v);
	v = json_object_get(root, "opened_at");
	if (json_is_integer(v))
		rec->opened_at = (int64_t)json_integer_value(v);
out:
	json_decref(root);
	return rc;
}

/* Read and decode: 1 found, 0 none, -1 unreadable. */
static int load_record(struct qe_store *store, const char *key,
		       struct qe_breaker_record *rec)
{
	char *val = NULL;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rec->state = QE_BREAKER_CLOSED;
	rc = qe_store_kv_get(store, key, &val);
	if (rc < 0)
		return -1;
	if (rc != 1 || !val) {
		free(val);
		return 0;
	}
	rc = decode(key, val, rec) < 0 ? -1 : 1;
	free(val);
	if (rc < 0) {
		memset(rec, 0, sizeof(*rec));
		rec->state = QE_BREAKER_CLOSED;
	}
	return rc;
}

int qe_breaker_read(struct qe_store *store, const char *endpoint, long open_ms,
		    int64_t now, struct qe_breaker_record *out)
{
	char *key = qe_breaker_key(endpoint);
	int rc = load_record(store, key, out);

	free(key);
	if (rc == 1 && out->state == QE_BREAKER_OPEN) {
		if (now - out->opened_at >= open_ms)
			out->state = QE_BREAKER_HALF_OPEN;
		else
			out->wait_ms = out->opened_at + open_ms - now;
	}
	return rc;
}

static void load(struct qe_breaker *b)
{
	struct qe_breaker_record rec;

	if (!b->store || !b->key)
		return;
	/* An unreadable record starts a closed breaker: the next verdict
	 * overwrites it. */
	if (load_record(b->store, b->key, &rec) != 1)
		return;
	b->state = rec.state;
	b->failures = rec.failures;
	b->successes = rec.successes;
	b->opened_at = rec.opened_at;
}

/* Persisting is best effort: a store error must not stop the client. */
static void save(struct qe_breaker *b)
{
	json_t *root;
	char *text;

	if (!b->store || !b->key)
		return;
	root = json_pack("{s:s, s:I, s:I, s:I}", "state", qe_breaker_state_name(b->state),
			 "failures", (json_int_t)b->failures, "successes",
			 (json_int_t)b->successes, "opened_at", (json_int_t)b->opened_at);
	if (!root)
		return;
	text = json_dumps(root, JSON_COMPACT);
	if (text && qe_store_kv_put(b->store, b->key, text) < 0)
		qe_warning("cannot save the AI circuit breaker state");
	free(text);
	json_decref(root);
}

void qe_breaker_init(struct qe_breaker *b, struct qe_store *store, const char *endpoint,
		     long threshold, long open_ms, long close_after, int64_t now)
{
	memset(b, 0, sizeof(*b));
	b->store = store;
	b->threshold = threshold;
	b->open_ms = open_ms < 0 ? 0 : open_ms;
	b->close_after = close_after < 1 ? 1 : close_after;
	if (store && endpoint)
		b->key = qe_breaker_key(endpoint);
	load(b);
	/* A clock that went backwards must not keep the circuit open for ever. */
	if (b->state == QE_BREAKER_OPEN && b->opened_at > now)
		b->opened_at = now;
}

void qe_breaker_release(struct qe_breaker *b)
{
	free(b->key);
	b->key = NULL;
}

enum qe_breaker_state qe_breaker_state(struct qe_breaker *b, int64_t now)
{
	if (b->state == QE_BREAKER_OPEN && now - b->opened_at >= b->open_ms) {
		b->state = QE_BREAKER_HALF_OPEN;
		b->successes = 0;
		b->probe_busy = 0;
	}
	return b->state;
}

int64_t qe_breaker_wait_ms(struct qe_breaker *b, int64_t now)
{
	if (qe_breaker_state(b, now) != QE_BREAKER_OPEN)
		return 0;
	return b->opened_at + b->open_ms - now;
}

int qe_breaker_acquire(struct qe_breaker *b, int64_t now, int *probe)
{
	*probe = 0;
	switch (qe_breaker_state(b, now)) {
	case QE_BREAKER_CLOSED:
		return QE_BREAKER_PASS;
	case QE_BREAKER_OPEN:
		return QE_BREAKER_DENY;
	case QE_BREAKER_HALF_OPEN:
		break;
	}
	if (b->probe_busy)
		return QE_BREAKER_WAIT;
	b->probe_busy = 1;
	*probe = 1;
	return QE_BREAKER_PASS;
}

static void open_now(struct qe_breaker *b, int64_t now)
{
	b->state = QE_BREAKER_OPEN;
	b->opened_at = now;
	b->successes = 0;
	b->probe_busy = 0;
	save(b);
}

void qe_breaker_trip(struct qe_breaker *b, int64_t now)
{
	open_now(b, now);
}

void qe_breaker_abandon(struct qe_breaker *b, int probe)
{
	if (probe)
		b->probe_busy = 0;
}

void qe_breaker_success(struct qe_breaker *b, int probe, int64_t now)
{
	switch (qe_breaker_state(b, now)) {
	case QE_BREAKER_CLOSED:
		if (b->failures) {
			b->failures = 0;
			save(b);
		}
		break;
	case QE_BREAKER_OPEN:
		/* A request sent before the circuit opened proves little. */
		break;
	case QE_BREAKER_HALF_OPEN:
		if (!probe)
			break;
		b->probe_busy = 0;
		if (++b->successes >= b->close_after) {
			b->state = QE_BREAKER_CLOSED;
			b->failures = 0;
			b->successes = 0;
		}
		save(b);
		break;
	}
}

void qe_breaker_failure(struct qe_breaker *b, int probe, int64_t now)
{
	switch (qe_breaker_state(b, now)) {
	case QE_BREAKER_CLOSED:
		b->failures++;
		if (b->threshold > 0 && b->failures >= b->threshold)
			open_now(b, now);
		else
			save(b);
		break;
	case QE_BREAKER_OPEN:
		break;
	case QE_BREAKER_HALF_OPEN:
		if (probe)
			open_now(b, now);
		break;
	}
}
