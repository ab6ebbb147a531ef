/*
 * fleet: the shared cache backend (cache.backend: redis).
 *
 * Several hosts' agents talk to one Redis server so that a whole fleet
 * asks the AI service once per fingerprint.  The server holds:
 *
 *   <prefix>advice:<model>:<pv>:<fp>   advice JSON (string, EXPIRE = cache.ttl)
 *   <prefix>lock:<fp>                  who is asking about fp (SET NX PX, owner token)
 *   <prefix>counts                     hash fp -> fleet-wide occurrence count
 *   <prefix>budget:<YYYY-MM-DD>        tokens used on that UTC day (expires after 2 days)
 *
 * The fingerprint is the last part of an advice key and is hex, so model
 * names with ':' in them cannot make two keys collide.
 *
 * Invariants:
 * - Nothing this module writes to the server holds an unredacted string:
 *   advice JSON has every string (keys and values) run through the
 *   redactor built from the same configuration before it is queued.
 * - Redis is an accelerator, never a dependency.  Every call is bounded
 *   by a short connect and command timeout (200 ms by default); after a
 *   failure no connection is tried again until a back-off period ends
 *   (1 s, doubling up to 30 s), so a dead server costs a clock read per
 *   call.  Calls made while unavailable return -1 ("ask yourself / use
 *   the local SQLite cache"), and writes are kept in bounded queues that
 *   are sent on the next successful contact.
 * - A fleet object is single-threaded and owns one connection.  Each
 *   object has its own random owner token, so two objects (two hosts)
 *   never release each other's locks.
 * - SIGPIPE raised by a write to a closed connection is swallowed, not
 *   delivered: a Redis restart never ends the agent.
 *
 * lib/ rules apply: no printing; qe_error() only where documented.
 */
#ifndef QE_FLEET_H
#define QE_FLEET_H

#include <stddef.h>
#include <stdint.h>

struct qe_config;
struct qe_fleet;

/* Limits and timings; qe_fleet_new() uses the defaults below. */
#define QE_FLEET_CONNECT_TIMEOUT_MS 200
#define QE_FLEET_COMMAND_TIMEOUT_MS 200
#define QE_FLEET_BACKOFF_MIN_MS 1000
#define QE_FLEET_BACKOFF_MAX_MS 30000
#define QE_FLEET_PENDING_MAX 1000      /* advice writes kept while unreachable */
#define QE_FLEET_COUNTS_MAX 10000      /* fingerprints with counts kept in memory */
#define QE_FLEET_LOCK_TTL_MS 60000     /* lock lifetime when the caller gives <= 0 */
#define QE_FLEET_BUDGET_KEY_TTL 172800 /* seconds a day's budget key lives */

struct qe_fleet_tuning {
	long connect_timeout_ms;
	long command_timeout_ms;
	long backoff_min_ms;
	long backoff_max_ms;
	size_t pending_max;
};

struct qe_fleet_stats {
	const char *state;	  /* as qe_fleet_state() */
	long long hits;		  /* advice found on the server */
	long long misses;	  /* advice not on the server */
	long long errors;	  /* failed connections and commands */
	long long pending_writes; /* advice writes waiting for the server now */
	long long dropped_writes; /* advice writes lost because the queue was full */
	long long flushed_writes; /* queued writes sent later */
	long long locks_acquired; /* qe_fleet_lock() returned 1 */
	long long locks_busy;	  /* qe_fleet_lock() returned 0 */
	long long pending_counts; /* fingerprints with unsent count increments */
	long long dropped_counts; /* increments lost because the table was full */
	long long budget_refused; /* qe_fleet_budget_take() returned 0 */
};

/* 1 when the configuration asks for the Redis backend. */
int qe_fleet_wanted(const struct qe_config *c);

/*
 * NULL without an error when the backend is not redis (check
 * qe_fleet_wanted() first).  NULL with qe_error() on a bad
 * cache.redis.url, a bad redact pattern, or a build without hiredis.
 * The first connection is tried here; an unreachable server is not an
 * error (the object starts "unavailable" and retries after the back-off).
 */
struct qe_fleet *qe_fleet_new(const struct qe_config *c);
/* The same, redacting with red (shared) rather than compiling the rules
 * again; red NULL = as qe_fleet_new. */
struct qe_redactor;
struct qe_fleet *qe_fleet_new_shared(const struct qe_config *c, struct qe_redactor *red);
void qe_fleet_free(struct qe_fleet *f); /* NULL-safe; tries one last flush */

/*
 * cache.redis.url taken apart, as qe_fleet_new() does (tests, fuzzing):
 * redis://[user:password@]host[:port][/db][?db=N], [v6] hosts, or
 * unix://[[user]:password@]/path[?db=N].  0, or -1 with qe_error()
 * saying why, the URL shown with its credentials replaced by "***".
 * Strings belong to out (NULL when absent); qe_fleet_url_release()
 * frees them, also after a failure.
 */
struct qe_fleet_url {
	char *host; /* TCP, or NULL with socket_path */
	char *socket_path;
	int port;
	long db;
	char *user, *password; /* %-decoded */
	char *address;	       /* for messages: host:port/db, no credentials */
};
int qe_fleet_url_parse(const char *url, struct qe_fleet_url *out);
void qe_fleet_url_release(struct qe_fleet_url *u);

/* Replace timeouts and caps (tests, doctor); fields <= 0 keep their value. */
void qe_fleet_tune(struct qe_fleet *f, const struct qe_fleet_tuning *t);
/* Use this Unix time for budget day keys; 0 = the real clock (tests). */
void qe_fleet_set_time(struct qe_fleet *f, int64_t unix_seconds);

/* "connected", "unavailable" or "disabled" (f NULL).  Static string. */
const char *qe_fleet_state(const struct qe_fleet *f);
/* f NULL gives zeros and "disabled". */
void qe_fleet_stats(const struct qe_fleet *f, struct qe_fleet_stats *out);
/* The server address without credentials, for messages.  Borrowed. */
const char *qe_fleet_address(const struct qe_fleet *f);
/* Why the last connection or command failed ("" when none), e.g. for
 * `doctor`.  Never holds the password.  Borrowed. */
const char *qe_fleet_last_error(const struct qe_fleet *f);

/*
 * Advice.  model NULL = "".  get: 1 hit (*json is the caller's), 0 miss,
 * -1 unavailable.  put: 1 stored on the server, 0 queued until the server
 * is back (or replaced a queued write for the same key), -1 dropped
 * because the queue is full (qe_error() set).  TTL is cache.ttl (0 = no
 * expiry).
 */
int qe_fleet_advice_get(struct qe_fleet *f, const char *fp, const char *model,
			int prompt_version, char **json);
int qe_fleet_advice_put(struct qe_fleet *f, const char *fp, const char *model,
			int prompt_version, const char *json);

/*
 * The "who asks" lock.  1: this agent holds it (or already held it) and
 * should ask the AI service; 0: another agent holds it, poll
 * qe_fleet_advice_get() later; -1: unavailable, ask yourself.  ttl_ms <= 0
 * means QE_FLEET_LOCK_TTL_MS.  unlock deletes the lock only if this object
 * owns it: 1 released, 0 not ours or gone, -1 unavailable.
 */
int qe_fleet_lock(struct qe_fleet *f, const char *fp, long ttl_ms);
int qe_fleet_unlock(struct qe_fleet *f, const char *fp);

/*
 * Fleet-wide counts.  count_add only adds in memory and returns the best
 * known fleet total (last value seen from the server plus what is not
 * sent yet), or -1 when f is NULL or QE_FLEET_COUNTS_MAX fingerprints all
 * have unsent increments (this one is dropped and counted); qe_fleet_flush() sends all
 * pending increments (and queued advice and budget writes) in one pipeline: 0 sent or
 * nothing to send, -1 unavailable (everything stays queued).  count_get asks the server:
 * the fleet total plus this object's unsent increments, or -1.
 */
long long qe_fleet_count_add(struct qe_fleet *f, const char *fp, long long n);
int qe_fleet_flush(struct qe_fleet *f);
long long qe_fleet_count_get(struct qe_fleet *f, const char *fp);

/*
 * Daily token budget (cache.redis.daily_token_budget, per UTC day, shared
 * by the fleet).  take: 1 allowed (used + estimate <= budget), 0 today's
 * budget is spent, -1 unavailable (treat as allowed).  With a budget of 0
 * take always returns 1 and add does nothing.  add records tokens really
 * used; while unavailable it is queued like the other writes.
 */
int qe_fleet_budget_take(struct qe_fleet *f, long long tokens_estimate);
void qe_fleet_budget_add(struct qe_fleet *f, long long tokens_used);
/* Tokens used today as the server knows it, or -1 when unavailable. */
long long qe_fleet_budget_used(struct qe_fleet *f);

/*
 * Learnt templates shared by the fleet, so that every host groups alike:
 * the hash <prefix>templates maps a template id (16 hex digits) to its
 * record (the caller's text, redacted here like advice).  put and
 * delete: 0, or -1 unavailable (the caller saves again later).  each:
 * calls fn(id, record) for every entry (at most QE_FLEET_TEMPLATES_MAX;
 * fn returns non-zero to stop); 0, or -1 unavailable.
 */
#define QE_FLEET_TEMPLATES_MAX 100000
int qe_fleet_template_put(struct qe_fleet *f, const char *id, const char *record);
int qe_fleet_template_delete(struct qe_fleet *f, const char *id);
typedef int (*qe_fleet_template_fn)(const char *id, const char *record, void *data);
int qe_fleet_templates(struct qe_fleet *f, qe_fleet_template_fn fn, void *data);

#endif
