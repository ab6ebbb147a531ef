/*
 * store: the SQLite state database (WAL).
 *
 * Default location: $QERRORS_STATE_DIR or --state-dir, else
 * $XDG_STATE_HOME/qerrors (~/.local/state/qerrors), or /var/lib/qerrors
 * for root.  Directory 0700, file 0600.  Readers (stats, advice, ...)
 * open read-only and never block the agent; every connection has a busy
 * timeout.  Times are wall-clock milliseconds since the epoch.
 *
 * Tables: groups (one per fingerprint, with an integer id given in the
 * order groups are made), occurrences (hourly counts per group id),
 * advice (fingerprint + model + prompt version), offsets (per source
 * path), counters (name -> integer), kv (breaker state, endpoint
 * capabilities), advice_failures (the last failed attempt per
 * fingerprint), group_sources (counts per group id and source),
 * journal_cursors (per journal source).  The functions take and give
 * fingerprints; the ids stay inside.  Functions return 0 on success, -1
 * with qe_error() set; lookups return 1 found, 0 not found, -1 error.
 *
 * Text is stored exactly as given (callers redact first).  uint64 values
 * are stored as the int64 with the same bits.  Statements are prepared
 * once per connection; a write that needs several statements runs in its
 * own transaction unless the caller has one open.  Iteration callbacks
 * may call other store functions.
 */
#ifndef QE_STORE_H
#define QE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct qe_event;
struct qe_store;
struct sqlite3;

#define QE_STORE_READONLY 1

/* Create the directory (0700) if needed and open/create qerrors.db (0600).
 * state_dir NULL = default.  READONLY opens an existing database only. */
struct qe_store *qe_store_open(const char *state_dir, int flags);
void qe_store_close(struct qe_store *s); /* NULL-safe */
const char *qe_store_path(const struct qe_store *s);
const char *qe_store_dir(const struct qe_store *s);
/* The connection itself, for `doctor` checks and tests.  Borrowed. */
struct sqlite3 *qe_store_sqlite(struct qe_store *s);

/* Batch transactions (nesting is not supported).  A writer's begin takes
 * the write lock at once (BEGIN IMMEDIATE); a failed commit is rolled
 * back; rollback with no open transaction is a no-op. */
int qe_store_begin(struct qe_store *s);
int qe_store_commit(struct qe_store *s);
int qe_store_rollback(struct qe_store *s);
/* 1 while a transaction is open.  SQLite may end one by itself after an
 * error such as a full disk; later writes would then commit on their own. */
int qe_store_in_transaction(struct qe_store *s);

/* Error groups.  `sample` is the redacted text of the event (stored only
 * when the group is new).  *is_new set to 1 when the fingerprint was new. */
int qe_store_record_event(struct qe_store *s, const struct qe_event *ev,
			  const char *sample, int64_t now_ms, int *is_new);
/* count occurrences of one event at once, seen from first_ms to now_ms
 * (all in now_ms's hour bucket). */
int qe_store_record_events(struct qe_store *s, const struct qe_event *ev,
			   const char *sample, int64_t first_ms, int64_t now_ms,
			   long long count, int *is_new);

/* As qe_store_record_events, and `source` (a path, "journal:UNIT" or
 * "stdin"; NULL = unknown) is kept with the sample: set when the group is
 * new, or when it has none yet.  The occurrences are also counted per
 * source (qe_store_group_sources). */
int qe_store_record_events_from(struct qe_store *s, const struct qe_event *ev,
				const char *source, const char *sample, int64_t first_ms,
				int64_t now_ms, long long count, int *is_new);

/*
 * Many waiting entries at once (a commit of the ring): recorded as
 * qe_store_record_events_from() on each in turn would, but with one
 * write per fingerprint to groups, one per fingerprint and hour bucket to
 * occurrences and one per fingerprint and source to group_sources, so
 * the cost follows the distinct errors, not the entries.  The group of a
 * new fingerprint takes its kind, type, message, template, severity and
 * sample from its first entry (a first entry with a sample is taken to
 * be of a new group and tried as one: right, it saves a lookup; wrong,
 * it costs one); a group past QE_STORE_GROUP_SOURCES_MAX
 * sources is trimmed once, after all of them are counted.  Within the
 * caller's transaction or one of its own.  The rec fields marked out are
 * set: is_new when the group was new, failed when the writes of its
 * fingerprint failed (every entry of that fingerprint).  0 when every
 * entry was recorded; -1 (qe_error set, the last failure) otherwise: if
 * the transaction is still open the entries not marked failed are in it.
 */
struct qe_store_rec {
	const struct qe_event *ev;
	const char *source; /* NULL = unknown */
	const char *sample; /* kept when the group is new */
	int64_t first_ms, now_ms;
	long long count;
	int is_new, failed; /* out */
};
int qe_store_record_batch(struct qe_store *s, struct qe_store_rec *recs, size_t n);

struct qe_group {
	char *fingerprint, *kind, *type, *template, *message, *severity, *sample;
	char *source; /* where the sample was read; NULL when not known */
	int64_t first_seen, last_seen;
	long long count;
};
void qe_group_release(struct qe_group *g);
int qe_store_group_get(struct qe_store *s, const char *fingerprint, struct qe_group *out);
/* Groups with last_seen >= since_ms, most frequent first; fn returns
 * non-zero to stop.  window_count is the count within [since_ms, until_ms):
 * hour buckets that overlap the window count whole.  since_ms > 0 skips
 * groups with no occurrence in the window; since_ms <= 0 lists every group;
 * until_ms <= 0 = no upper bound.  Order: window count, then total count. */
typedef int (*qe_group_fn)(const struct qe_group *g, long long window_count, void *data);
int qe_store_groups(struct qe_store *s, int64_t since_ms, int64_t until_ms,
		    qe_group_fn fn, void *data);
/* Occurrences of one fingerprint within [since_ms, until_ms) (hour buckets). */
long long qe_store_group_count_between(struct qe_store *s, const char *fingerprint,
				       int64_t since_ms, int64_t until_ms);

/* The hour buckets of one fingerprint within [since_ms, until_ms) (as
 * qe_store_group_count_between), oldest first; hour_ms is the start of
 * the hour.  fn returns non-zero to stop. */
typedef int (*qe_hour_fn)(int64_t hour_ms, long long count, void *data);
int qe_store_group_hours(struct qe_store *s, const char *fingerprint, int64_t since_ms,
			 int64_t until_ms, qe_hour_fn fn, void *data);

/* Where a group was seen: each source given to
 * qe_store_record_events_from with its own count and times.  The
 * QE_STORE_GROUP_SOURCES_MAX most recently seen are kept per group (a
 * new one pushes the least recent out).  Most recent first; fn returns
 * non-zero to stop; src->source is valid during the call. */
#define QE_STORE_GROUP_SOURCES_MAX 32
struct qe_group_source {
	const char *source;
	int64_t first_seen, last_seen;
	long long count;
};
typedef int (*qe_group_source_fn)(const struct qe_group_source *src, void *data);
int qe_store_group_sources(struct qe_store *s, const char *fingerprint,
			   qe_group_source_fn fn, void *data);

/* Advice cache.  get: 1 hit (json_out is the caller's), 0 miss or expired.
 * A hit counts towards the entry's hits and refreshes its LRU time; hits
 * and misses also add to the counters "cache_hits" / "cache_misses".  A
 * read-only store looks without updating anything.  model NULL = "". */
int qe_store_advice_get(struct qe_store *s, const char *fingerprint, const char *model,
			int prompt_version, int64_t now_ms, char **json_out);
/* put: ttl_s 0 = no expiry; limit = max entries (expired entries go
 * first, then least recently used; the new entry always stays); limit 0 =
 * caching off, nothing is stored; limit < 0 = no limit.  Replacing an
 * entry resets its hits. */
int qe_store_advice_put(struct qe_store *s, const char *fingerprint, const char *model,
			int prompt_version, const char *json, long long tokens_prompt,
			long long tokens_completion, long ttl_s, long limit,
			int64_t now_ms);

struct qe_cache_entry {
	char *fingerprint, *model, *json;
	int prompt_version;
	int64_t created, expires, last_used; /* expires 0 = never */
	long long hits, tokens_prompt, tokens_completion;
};
void qe_cache_entry_release(struct qe_cache_entry *e);
typedef int (*qe_cache_fn)(const struct qe_cache_entry *e, void *data);
int qe_store_cache_list(struct qe_store *s, qe_cache_fn fn, void *data);
/* The newest entry for a fingerprint (any model, expired or not: check
 * `expires`); 1 found, 0 not.  list: most recently used first. */
int qe_store_cache_get_any(struct qe_store *s, const char *fingerprint,
			   struct qe_cache_entry *out);
/* fingerprint NULL = all; returns entries removed, or -1. */
long long qe_store_cache_clear(struct qe_store *s, const char *fingerprint);
long long qe_store_cache_prune(struct qe_store *s, int64_t now_ms);
long long qe_store_cache_count(struct qe_store *s);

/* The last failed attempt to get advice for a fingerprint: one row per
 * fingerprint, replaced by each failure (attempts counts them).  status
 * is the AI client's status name ("auth", "rejected", ...), message what
 * it said (without the key).  Clear it when advice arrives. */
struct qe_advice_failure {
	char *fingerprint, *model, *status, *message;
	int64_t when; /* wall-clock ms of the last failure */
	long long attempts;
};
void qe_advice_failure_release(struct qe_advice_failure *f);
int qe_store_advice_failure_put(struct qe_store *s, const char *fingerprint,
				const char *model, const char *status,
				const char *message, int64_t when_ms);
/* 1 found, 0 none, -1 error. */
int qe_store_advice_failure_get(struct qe_store *s, const char *fingerprint,
				struct qe_advice_failure *out);
int qe_store_advice_failure_clear(struct qe_store *s, const char *fingerprint);

/* Counters, e.g. "lines_read", "ai_requests". */
int qe_store_counter_add(struct qe_store *s, const char *name, long long delta);
long long qe_store_counter_get(struct qe_store *s, const char *name); /* 0 when absent */
typedef int (*qe_counter_fn)(const char *name, long long value, void *data);
int qe_store_counters(struct qe_store *s, qe_counter_fn fn, void *data);

/*
 * File positions, committed with the events they cover.  A row belongs to
 * a file identity (dev, ino; the head hash tells a reused inode from the
 * old file), not to a path: after a rotation the old file keeps its row
 * (rotated = 1, path as it was followed) and the new file at the path gets
 * its own.  So a restart finds the unread rest of a rotated file, and a
 * glob that also matches rotated names does not read one twice.
 */
struct qe_offset {
	char *path; /* the path it was followed under */
	uint64_t dev, ino;
	uint64_t head_hash; /* hash of the first head_len bytes */
	uint64_t head_len;
	uint64_t offset;
	uint64_t size; /* size when last read, for `stats` lag */
	int64_t updated;
	int rotated;  /* the path named another file by then */
	char *format; /* how it was decoded ("text", "json", ...); NULL = unknown */
};
void qe_offset_release(struct qe_offset *o);
/* The current (not rotated, most recently updated) row for path: 1, 0
 * when none, -1 on error. */
int qe_store_offset_get(struct qe_store *s, const char *path, struct qe_offset *out);
/* Insert or update the row of o's identity (dev, ino). */
int qe_store_offset_put(struct qe_store *s, const struct qe_offset *o);
/* Every row of path (the current file and rotated ones). */
int qe_store_offset_delete(struct qe_store *s, const char *path);
/* The row of identity (dev, ino): a file that was deleted. */
int qe_store_offset_forget(struct qe_store *s, uint64_t dev, uint64_t ino);
typedef int (*qe_offset_fn)(const struct qe_offset *o, void *data);
/* The row of identity (dev, ino) first, if any, then the rows of files
 * followed under path, the most recently first seen first; at most 16.  fn returns
 * non-zero to stop. */
int qe_store_offset_find(struct qe_store *s, const char *path, uint64_t dev, uint64_t ino,
			 qe_offset_fn fn, void *data);
/* The current row of each path, by path (what `stats` shows as sources). */
int qe_store_offsets(struct qe_store *s, qe_offset_fn fn, void *data);

/*
 * Journal positions, committed with the events they cover, one row per
 * journal source (its spec: "journal:", "journal:nginx.service",
 * "journal:/var/log/journal/ID").  cursor is the sd-journal cursor of the
 * last entry whose events are all committed; "" means the journal had no
 * entry yet, so the next run reads from its head.
 */
struct qe_jcursor {
	char *source;
	char *cursor;
	long long entries;  /* entries read up to the cursor, over every run */
	int64_t last_entry; /* the journal's time of the entry at the cursor; 0 none */
	int64_t updated;
};
void qe_jcursor_release(struct qe_jcursor *c);
/* 1 found, 0 none, -1 error. */
int qe_store_jcursor_get(struct qe_store *s, const char *source, struct qe_jcursor *out);
/* Insert or replace the row of c->source. */
int qe_store_jcursor_put(struct qe_store *s, const struct qe_jcursor *c);
typedef int (*qe_jcursor_fn)(const struct qe_jcursor *c, void *data);
/* Every row, by source. */
int qe_store_jcursors(struct qe_store *s, qe_jcursor_fn fn, void *data);

/* Small key/value state: breaker, endpoint capabilities.  put NULL deletes. */
int qe_store_kv_get(struct qe_store *s, const char *key, char **val_out);
int qe_store_kv_put(struct qe_store *s, const char *key, const char *val);

/* Reports (stats, advice, cache).  These run rarely, so their statements
 * are prepared per call. */

/* Number of error groups; -1 on error. */
long long qe_store_group_total(struct qe_store *s);

/* Error groups and events (the sum of group counts) per severity or per
 * kind, by name. */
#define QE_STORE_BY_SEVERITY 0
#define QE_STORE_BY_KIND 1
typedef int (*qe_total_fn)(const char *name, long long groups, long long events,
			   void *data);
int qe_store_group_totals(struct qe_store *s, int by, qe_total_fn fn, void *data);

/* Distinct fingerprints starting with `prefix` (compared byte for byte; ""
 * matches all), in order, from the error groups and/or the advice cache. */
#define QE_STORE_FP_GROUPS 1
#define QE_STORE_FP_ADVICE 2
typedef int (*qe_fingerprint_fn)(const char *fingerprint, void *data);
int qe_store_fingerprints(struct qe_store *s, const char *prefix, int from,
			  qe_fingerprint_fn fn, void *data);

/* The running agent's status, as `stats` reads it: its pid, the last
 * heartbeat (wall ms) and its AI queue length.  put with pid 0 clears it
 * (a clean exit).  get: 1 found, 0 none. */
struct qe_store_agent_status {
	long pid;
	int64_t heartbeat_ms;
	long long queue_length;
};
int qe_store_agent_status_put(struct qe_store *s, const struct qe_store_agent_status *st);
int qe_store_agent_status_get(struct qe_store *s, struct qe_store_agent_status *out);

/*
 * Learnt templates (learn.h), one row per template id, so that a restart
 * groups the way the last run did.  The table is created by the first
 * put; a database without it has no templates.  put replaces the row of
 * the id; delete removes it (no row is not an error).  templates: every
 * row, oldest first; fn returns non-zero to stop.
 */
struct qe_template_row {
	const char *id, *type, *tmpl; /* borrowed */
	long long count;
	int64_t first_seen;
};
int qe_store_template_put(struct qe_store *s, const struct qe_template_row *t);
int qe_store_template_delete(struct qe_store *s, const char *id);
typedef int (*qe_template_fn)(const struct qe_template_row *t, void *data);
int qe_store_templates(struct qe_store *s, qe_template_fn fn, void *data);

#endif
