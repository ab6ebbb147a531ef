/*
 * retention: keep the state database bounded on an agent that runs for
 * years.
 *
 * The policy (config keys retention.*, days):
 * - an error group not seen for group_days is removed, with its hourly
 *   counts (its advice stays until the cache's own TTL and size limit
 *   remove it);
 * - hourly counts older than bucket_days are removed: `summary` windows
 *   reach back at most that far;
 * - the saved position of a file not read for offset_days is removed
 *   (the file is gone or no longer followed);
 * - at most max_groups groups are kept: beyond it the least recently
 *   seen go first.
 * Expired advice is pruned too.  0 for any of them turns that rule off.
 */
#ifndef QE_RETENTION_H
#define QE_RETENTION_H

#include <stdint.h>

struct qe_config;
struct qe_store;

struct qe_retention_counts {
	long long groups, buckets, offsets, advice;
};

/* One transaction.  0, or -1 with qe_error() (nothing removed). */
int qe_retention_prune(struct qe_store *s, const struct qe_config *cfg, int64_t now_ms,
		       struct qe_retention_counts *out);

#endif
