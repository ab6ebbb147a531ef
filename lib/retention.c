/*
 * retention: the pruning policy of the state database (retention.h).
 */
#include "retention.h"

#include "config.h"
#include "store.h"
#include "util.h"

#include <sqlite3.h>
#include <string.h>

#define DAY_MS (86400LL * 1000)

/* Run one statement with up to one integer parameter; rows changed. */
static long long run(sqlite3 *db, const char *sql, int64_t arg, int has_arg, int *err)
{
	sqlite3_stmt *st = NULL;
	long long n = 0;
	if (*err)
		return 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		*err = qe_error("cannot prune the state: %s", sqlite3_errmsg(db));
		return 0;
	}
	if (has_arg)
		sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) != SQLITE_DONE)
		*err = qe_error("cannot prune the state: %s", sqlite3_errmsg(db));
	else
		n = sqlite3_changes(db);
	sqlite3_finalize(st);
	return n;
}

int qe_retention_prune(struct qe_store *s, const struct qe_config *cfg, int64_t now_ms,
		       struct qe_retention_counts *out)
{
	sqlite3 *db = qe_store_sqlite(s);
	int err = 0;
	long long pruned_advice;
	memset(out, 0, sizeof(*out));
	if (qe_store_begin(s) < 0)
		return -1;
	if (cfg->retention_group_days > 0) {
		int64_t before = now_ms - cfg->retention_group_days * DAY_MS;
		/* occurrences go with their group (ON DELETE CASCADE), counted
		 * as buckets first */
		out->buckets += run(db,
				    "DELETE FROM occurrences WHERE group_id IN "
				    "(SELECT id FROM groups WHERE last_seen < ?1)",
				    before, 1, &err);
		out->groups +=
		    run(db, "DELETE FROM groups WHERE last_seen < ?1", before, 1, &err);
	}
	if (cfg->retention_max_groups > 0) {
		out->buckets += run(db,
				    "DELETE FROM occurrences WHERE group_id IN "
				    "(SELECT id FROM groups ORDER BY last_seen DESC "
				    "LIMIT -1 OFFSET ?1)",
				    cfg->retention_max_groups, 1, &err);
		out->groups += run(db,
				   "DELETE FROM groups WHERE id IN "
				   "(SELECT id FROM groups ORDER BY last_seen DESC "
				   "LIMIT -1 OFFSET ?1)",
				   cfg->retention_max_groups, 1, &err);
	}
	if (cfg->retention_bucket_days > 0)
		/* an hour is stored as the wall-clock ms it starts at */
		out->buckets +=
		    run(db, "DELETE FROM occurrences WHERE hour < ?1",
			now_ms - cfg->retention_bucket_days * DAY_MS, 1, &err);
	if (cfg->retention_offset_days > 0)
		out->offsets +=
		    run(db, "DELETE FROM offsets WHERE updated < ?1",
			now_ms - cfg->retention_offset_days * DAY_MS, 1, &err);
	if (err) {
		qe_store_rollback(s);
		return -1;
	}
	if (qe_store_commit(s) < 0)
		return -1;
	pruned_advice = qe_store_cache_prune(s, now_ms);
	out->advice = pruned_advice > 0 ? pruned_advice : 0;
	return 0;
}
