/*
 * cache: the advice cache, one policy for every command.
 *
 * A lookup asks, in order, a small in-memory memo (recent fingerprints),
 * the local SQLite cache, and with cache.backend: redis the fleet's
 * Redis; a fleet hit is copied into SQLite and the memo, so the next
 * lookup and the reports (`advice`, `cache`, `summary`) see it locally.
 * An answer is stored in all of them.  With a fleet the cache also owns
 * the "who asks" claim (one host per fingerprint asks the AI service),
 * the daily token budget and the fleet-wide counts.
 *
 * Invariants:
 * - Caching off (cache.max_entries: 0) means nothing is read or written
 *   locally; the fleet is still asked and told.
 * - Every string stored is as given: answers are redacted by lib/ai
 *   before they reach the cache, and the fleet redacts what it writes.
 * - A Redis outage is never an error here: the local cache answers and
 *   the fleet catches up later (lib/fleet).
 * - The memo is direct-mapped and bounded (QE_CACHE_MEMO_SLOTS); a
 *   fingerprint pushed out is read from SQLite again.
 */
#ifndef QE_CACHE_H
#define QE_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct qe_config;
struct qe_fleet;
struct qe_redactor;
struct qe_store;
struct qe_cache;

#define QE_CACHE_MEMO_SLOTS 256
/* How long to wait before looking again for the answer of a fingerprint
 * another host is asking about. */
#define QE_CACHE_CLAIM_RECHECK_MS 5000
/* A rough upper bound of one event's tokens, for the fleet's daily budget. */
#define QE_CACHE_TOKENS_PER_EVENT 1500

/* Where a lookup found its answer. */
enum qe_cache_hit {
	QE_CACHE_MISS = 0,
	QE_CACHE_MEMO,
	QE_CACHE_LOCAL,
	QE_CACHE_FLEET,
};

/*
 * store may be NULL (no local cache: analyze without a state directory).
 * red is the redactor the fleet writes with (shared; NULL = its own).
 * With cache.backend: redis the fleet connection is made here; NULL with
 * qe_error() on a bad Redis URL or a build without hiredis.  cfg and
 * store are borrowed and must outlive the cache.
 */
struct qe_cache *qe_cache_new(const struct qe_config *cfg, struct qe_store *store,
			      const char *model, struct qe_redactor *red);
void qe_cache_free(struct qe_cache *c); /* NULL-safe */
/* The model (and so the advice) changed: forget the memo.  model is copied. */
void qe_cache_set_model(struct qe_cache *c, const char *model);
const char *qe_cache_model(const struct qe_cache *c);

/* Look fp up everywhere (see above).  *json is the caller's on a hit. */
enum qe_cache_hit qe_cache_lookup(struct qe_cache *c, const char *fp, int64_t now_ms,
				  char **json);
/* The memo, then SQLite; never the network.  For a group whose advice is
 * known, on every event.  Caller frees; NULL when none. */
char *qe_cache_recent(struct qe_cache *c, const char *fp, int64_t now_ms);
/* Store a validated answer: memo, SQLite, fleet (with the tokens it cost,
 * for the budget).  0, or -1 with qe_error() when SQLite refused it (the
 * memo and the fleet have it all the same). */
int qe_cache_store(struct qe_cache *c, const char *fp, const char *json,
		   long long tokens_prompt, long long tokens_completion, int64_t now_ms);

/* Who asks: 1 this host should ask (no fleet, the claim is ours, or
 * Redis is unreachable), 0 another host is asking (look again after
 * QE_CACHE_CLAIM_RECHECK_MS). */
int qe_cache_claim(struct qe_cache *c, const char *fp);
void qe_cache_release(struct qe_cache *c, const char *fp);
/* The fleet's daily token budget for n more events: 1 go on, 0 spent. */
int qe_cache_budget_take(struct qe_cache *c, size_t n_events);

/* Fleet-wide occurrence counts (in memory until the next flush). */
void qe_cache_count(struct qe_cache *c, const char *fp, long long n);
/* Send what the fleet is owed (counts, queued writes); cheap when down. */
void qe_cache_flush(struct qe_cache *c);

/* The fleet connection, NULL without one: for messages and `doctor`. */
struct qe_fleet *qe_cache_fleet(struct qe_cache *c);

struct qe_cache_stats {
	long long hits_memo, hits_local, hits_fleet, misses, stored;
};
void qe_cache_get_stats(const struct qe_cache *c, struct qe_cache_stats *out);

#endif
