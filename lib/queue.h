/*
 * queue: the bounded, de-duplicating work queue in front of the AI client.
 *
 * Every fingerprint the agent has seen this run has a state: its advice
 * is known (cached), it waits in the queue, it is in flight, or asking
 * failed and may be retried after a moment.  A fingerprint that is
 * cached, queued or in flight is never queued again, which is what makes
 * one error seen a million times cost one request.
 *
 * Invariants:
 * - length() = queued + in flight <= limit; a push beyond it is rejected
 *   and counted, and the caller goes on (tailing never waits on the AI).
 * - The queue owns the events it holds (one per fingerprint) until
 *   qe_queue_take() hands them to the caller.
 * - The state table is bounded: when it holds more than QE_QUEUE_MAX_KNOWN
 *   fingerprints, the ones with settled state (seen, cached, failed) are
 *   forgotten; they are looked up in the cache again when next seen.
 *   A fingerprint takes 16 bytes of a table at most three quarters full
 *   (at most 2 MiB at the bound), and forgetting shrinks the table.
 */
#ifndef QE_QUEUE_H
#define QE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct qe_event;
struct qe_queue;

#define QE_QUEUE_MAX_KNOWN 65536

enum qe_fp_state {
	QE_FP_UNKNOWN,	/* not seen this run (or forgotten) */
	QE_FP_CACHED,	/* advice known */
	QE_FP_QUEUED,	/* waiting for a batch */
	QE_FP_INFLIGHT, /* part of a request */
	QE_FP_FAILED,	/* asking failed; may be queued again after retry_at */
	QE_FP_SEEN,	/* seen this run, advice not known and not asked for */
};

enum qe_push_result {
	QE_PUSH_QUEUED,	 /* queued; the queue now owns ev */
	QE_PUSH_PRESENT, /* already cached, queued, in flight or waiting to retry; ev not
			    taken */
	QE_PUSH_FULL,	 /* rejected and counted; ev not taken */
};

struct qe_queue *qe_queue_new(size_t limit);
void qe_queue_free(struct qe_queue *q); /* frees queued events */
void qe_queue_set_limit(struct qe_queue *q, size_t limit);

enum qe_fp_state qe_queue_state(const struct qe_queue *q, const char *fp);
/* Remember that a fingerprint was seen (no change when it has a state). */
void qe_queue_set_seen(struct qe_queue *q, const char *fp);
/* Mark a fingerprint's advice as known (e.g. found in the cache). */
void qe_queue_set_cached(struct qe_queue *q, const char *fp);

/* Put off asking about fp until retry_at_ms (another host asks, the
 * budget is spent); it is then queued again when seen. */
void qe_queue_defer(struct qe_queue *q, const char *fp, uint64_t retry_at_ms);
/* 1 when fp failed or was deferred and may be tried again now. */
int qe_queue_retry_due(const struct qe_queue *q, const char *fp, uint64_t now_ms);

/* Queue ev (fingerprint computed) unless present; now_ms for retry timing. */
enum qe_push_result qe_queue_push(struct qe_queue *q, struct qe_event *ev,
				  uint64_t now_ms);

/* Take up to max queued events, oldest first, into out; they become in
 * flight and the caller owns them.  Returns how many. */
size_t qe_queue_take(struct qe_queue *q, struct qe_event **out, size_t max);
/* A request finished for fp: ok = advice known; otherwise it may be
 * queued again from retry_at_ms on. */
void qe_queue_done(struct qe_queue *q, const char *fp, int ok, uint64_t retry_at_ms);

size_t qe_queue_queued(const struct qe_queue *q);   /* waiting */
size_t qe_queue_inflight(const struct qe_queue *q); /* taken, not done */
size_t qe_queue_length(const struct qe_queue *q);   /* both */
uint64_t qe_queue_rejects(const struct qe_queue *q);
/* When the oldest queued event was pushed (0 when none). */
uint64_t qe_queue_oldest_ms(const struct qe_queue *q);
/* Bytes of the state table, for tests of its bound. */
size_t qe_queue_table_bytes(const struct qe_queue *q);

#endif
