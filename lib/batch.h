/*
 * batch: from the work queue to batched AI requests.
 *
 * The batcher takes queued events in batches of batch_size fingerprints,
 * or fewer once the oldest has waited wait_ms, keeps at most
 * `concurrency` requests in flight, checks the fleet's daily token
 * budget before each request, and when an answer comes stores it in the
 * cache, settles the fingerprint in the queue and releases its fleet
 * claim, then tells its owner.  It also carries the AI client's
 * event-loop glue: sockets and timers of libcurl's multi interface are
 * watched through the loop, so nothing waits on the network.
 *
 * Invariants:
 * - Every event taken from the queue is settled exactly once
 *   (qe_queue_done) and its claim released, whatever the outcome.
 * - The owner's callback runs from the loop (or from qe_batch_drain),
 *   never from qe_batch_kick's caller's stack frame for that batch.
 * - A failed fingerprint may be queued again from retry_ms later (the
 *   breaker's open time after "circuit open", an hour after the budget
 *   ran out).
 */
#ifndef QE_BATCH_H
#define QE_BATCH_H

#include "ai.h"

#include <stddef.h>
#include <stdint.h>

struct qe_cache;
struct qe_event;
struct qe_loop;
struct qe_queue;
struct qe_batch;

/* What became of one fingerprint of a request.  Strings are borrowed. */
struct qe_batch_result {
	const char *fingerprint;
	enum qe_ai_status status;
	int budget_spent;	 /* not sent: the fleet's daily budget is spent */
	const char *advice_json; /* validated advice, or NULL */
	const char *error;	 /* why there is none, or NULL */
	long long tokens_prompt, tokens_completion;
};
typedef void (*qe_batch_result_fn)(const struct qe_batch_result *r, void *data);

/* How a batch is sent; qe_ai_submit unless a test injects its own. */
typedef int (*qe_batch_submit_fn)(struct qe_ai *ai, struct qe_event *const *evs, size_t n,
				  qe_ai_done_fn fn, void *data);

struct qe_batch_conf {
	size_t batch_size;	  /* fingerprints per request, 1..64 */
	size_t concurrency;	  /* requests in flight at most, >= 1 */
	uint64_t wait_ms;	  /* a partial batch waits this long */
	uint64_t retry_ms;	  /* after a failure, ask again no sooner */
	uint64_t breaker_open_ms; /* after "circuit open" */
	qe_batch_result_fn on_result;
	void *data;
	qe_batch_submit_fn submit;		     /* NULL = qe_ai_submit */
	size_t (*in_flight)(const struct qe_ai *ai); /* NULL = qe_ai_in_flight */
	uint64_t (*now_ms)(void);		     /* NULL = qe_now_ms */
};
struct qe_config;
/* Sizes and times from the configuration; callbacks left NULL. */
void qe_batch_conf_from_config(struct qe_batch_conf *bc, const struct qe_config *cfg);

/* ai, queue, cache and loop are borrowed; ai may be replaced later. */
struct qe_batch *qe_batch_new(const struct qe_batch_conf *conf, struct qe_ai *ai,
			      struct qe_queue *queue, struct qe_cache *cache,
			      struct qe_loop *loop);
void qe_batch_free(struct qe_batch *b); /* NULL-safe; stops watching */
/* After a reload: requests in flight on the old client must be
 * cancelled (qe_batch_cancel) before it is freed. */
void qe_batch_set_ai(struct qe_batch *b, struct qe_ai *ai);
void qe_batch_set_conf(struct qe_batch *b, const struct qe_batch_conf *conf);

/* Send what is due: full batches now, a partial one once it waited
 * wait_ms (force: now).  Arms a timer for the rest. */
void qe_batch_kick(struct qe_batch *b, int force);
/* Requests in flight plus events queued. */
size_t qe_batch_pending(const struct qe_batch *b);
/* Run the loop until nothing is queued or in flight, the deadline
 * (qe_now_ms based) passes, or stop() says so; what is still in flight
 * then is cancelled.  Returns what was left unanswered. */
size_t qe_batch_drain(struct qe_batch *b, uint64_t deadline_ms, int (*stop)(void *),
		      void *stop_data);
/* Cancel every request in flight (their results say QE_AI_CANCELLED). */
void qe_batch_cancel(struct qe_batch *b);

#endif
