/*
 * batch: queue -> batched requests, and libcurl's loop glue (batch.h).
 */
#include "batch.h"

#include "cache.h"
#include "config.h"
#include "event.h"
#include "loop.h"
#include "queue.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 64

struct qe_batch {
	struct qe_batch_conf conf;
	struct qe_ai *ai;
	struct qe_queue *queue;
	struct qe_cache *cache;
	struct qe_loop *loop;
	int batch_timer, ai_timer;
};

void qe_batch_conf_from_config(struct qe_batch_conf *bc, const struct qe_config *cfg)
{
	memset(bc, 0, sizeof(*bc));
	bc->batch_size = cfg->batch_size > 0 ? (size_t)cfg->batch_size : 1;
	bc->concurrency = cfg->concurrency > 0 ? (size_t)cfg->concurrency : 1;
	bc->wait_ms = cfg->batch_wait_ms > 0 ? (uint64_t)cfg->batch_wait_ms : 0;
	bc->retry_ms = 60000;
	bc->breaker_open_ms =
	    cfg->breaker_open_ms > 0 ? (uint64_t)cfg->breaker_open_ms : 0;
}

static uint64_t now(const struct qe_batch *b)
{
	return b->conf.now_ms ? b->conf.now_ms() : qe_now_ms();
}

static void normalise(struct qe_batch_conf *c)
{
	if (!c->batch_size)
		c->batch_size = 1;
	if (c->batch_size > MAX_BATCH)
		c->batch_size = MAX_BATCH;
	if (!c->concurrency)
		c->concurrency = 1;
	if (!c->submit)
		c->submit = qe_ai_submit;
	if (!c->in_flight)
		c->in_flight = qe_ai_in_flight;
}

static void ai_timer_update(struct qe_batch *b)
{
	long ms = qe_ai_timeout_ms(b->ai);
	if (ms < 0)
		qe_loop_timer_stop(b->loop, b->ai_timer);
	else
		qe_loop_timer_set(b->loop, b->ai_timer, ms ? (uint64_t)ms : 1, 0);
}

static void on_ai_fd(struct qe_loop *loop, int fd, unsigned events, void *data)
{
	struct qe_batch *b = data;
	int ev = 0;
	if (events & (QE_LOOP_READ | QE_LOOP_ERROR))
		ev |= QE_AI_WATCH_IN;
	if (events & QE_LOOP_WRITE)
		ev |= QE_AI_WATCH_OUT;
	qe_ai_on_socket(b->ai, fd, ev);
	qe_batch_kick(b, 0);
}

static void ai_watch(int fd, int events, void *data)
{
	struct qe_batch *b = data;
	unsigned le = 0;
	if (events & QE_AI_WATCH_IN)
		le |= QE_LOOP_READ;
	if (events & QE_AI_WATCH_OUT)
		le |= QE_LOOP_WRITE;
	if (!events) {
		qe_loop_fd_remove(b->loop, fd);
		return;
	}
	if (qe_loop_fd_modify(b->loop, fd, le) < 0)
		qe_loop_fd_add(b->loop, fd, le, on_ai_fd, b);
}

static void on_ai_timer(struct qe_loop *loop, int id, void *data)
{
	struct qe_batch *b = data;
	qe_ai_on_timeout(b->ai);
	qe_batch_kick(b, 0);
}

static void on_batch_timer(struct qe_loop *loop, int id, void *data)
{
	qe_batch_kick(data, 0);
}

struct qe_batch *qe_batch_new(const struct qe_batch_conf *conf, struct qe_ai *ai,
			      struct qe_queue *queue, struct qe_cache *cache,
			      struct qe_loop *loop)
{
	struct qe_batch *b = qe_xcalloc(1, sizeof(*b));
	b->conf = *conf;
	normalise(&b->conf);
	b->queue = queue;
	b->cache = cache;
	b->loop = loop;
	b->batch_timer = qe_loop_timer_add(loop, 0, 0, on_batch_timer, b);
	b->ai_timer = qe_loop_timer_add(loop, 0, 0, on_ai_timer, b);
	if (b->batch_timer < 0 || b->ai_timer < 0) {
		qe_batch_free(b);
		return NULL;
	}
	/* timers are created armed "as soon as possible": disarm */
	qe_loop_timer_stop(loop, b->batch_timer);
	qe_loop_timer_stop(loop, b->ai_timer);
	qe_batch_set_ai(b, ai);
	return b;
}

void qe_batch_free(struct qe_batch *b)
{
	if (!b)
		return;
	if (b->ai)
		qe_ai_set_watch(b->ai, NULL, NULL);
	if (b->batch_timer >= 0)
		qe_loop_timer_remove(b->loop, b->batch_timer);
	if (b->ai_timer >= 0)
		qe_loop_timer_remove(b->loop, b->ai_timer);
	free(b);
}

void qe_batch_set_ai(struct qe_batch *b, struct qe_ai *ai)
{
	b->ai = ai;
	if (ai)
		qe_ai_set_watch(ai, ai_watch, b);
}

void qe_batch_set_conf(struct qe_batch *b, const struct qe_batch_conf *conf)
{
	b->conf = *conf;
	normalise(&b->conf);
}

static void report(struct qe_batch *b, const struct qe_batch_result *r)
{
	if (b->conf.on_result)
		b->conf.on_result(r, b->conf.data);
}

static void on_advice(const char *fp, enum qe_ai_status st, const char *advice_json,
		      const char *error, long long tokens_prompt,
		      long long tokens_completion, void *data)
{
	struct qe_batch *b = data;
	struct qe_batch_result r;
	memset(&r, 0, sizeof(r));
	r.fingerprint = fp;
	r.status = st;
	r.advice_json = st == QE_AI_OK ? advice_json : NULL;
	r.error = error;
	r.tokens_prompt = tokens_prompt;
	r.tokens_completion = tokens_completion;
	if (r.advice_json) {
		/* stored before anyone hears of it, so a report run at once
		 * finds it */
		if (qe_cache_store(b->cache, fp, advice_json, tokens_prompt,
				   tokens_completion, qe_wall_ms()) < 0 &&
		    !r.error)
			r.error = qe_last_error();
		qe_queue_done(b->queue, fp, 1, 0);
	} else {
		uint64_t wait = st == QE_AI_CIRCUIT_OPEN && b->conf.breaker_open_ms
				    ? b->conf.breaker_open_ms
				    : b->conf.retry_ms;
		qe_queue_done(b->queue, fp, 0, now(b) + wait);
	}
	qe_cache_release(b->cache, fp);
	report(b, &r);
}

/* The fleet's budget for today is spent: settle the batch unsent. */
static void budget_spent(struct qe_batch *b, struct qe_event **batch, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		struct qe_batch_result r;
		memset(&r, 0, sizeof(r));
		r.fingerprint = batch[i]->fingerprint;
		r.status = QE_AI_QUOTA;
		r.budget_spent = 1;
		r.error = "the fleet's daily token budget is spent";
		qe_cache_release(b->cache, r.fingerprint);
		qe_queue_done(b->queue, r.fingerprint, 0, now(b) + 3600 * 1000);
		report(b, &r);
	}
}

void qe_batch_kick(struct qe_batch *b, int force)
{
	size_t bs = b->conf.batch_size;
	struct qe_event *batch[MAX_BATCH];
	while (qe_queue_queued(b->queue) &&
	       (force || qe_queue_queued(b->queue) >= bs ||
		now(b) - qe_queue_oldest_ms(b->queue) >= b->conf.wait_ms) &&
	       b->conf.in_flight(b->ai) < b->conf.concurrency) {
		size_t n = qe_queue_take(b->queue, batch, bs), i;
		if (!qe_cache_budget_take(b->cache, n)) {
			budget_spent(b, batch, n);
		} else if (b->conf.submit(b->ai, batch, n, on_advice, b) < 0) {
			const char *why = qe_last_error();
			for (i = 0; i < n; i++) {
				struct qe_batch_result r;
				memset(&r, 0, sizeof(r));
				r.fingerprint = batch[i]->fingerprint;
				r.status = QE_AI_UNAVAILABLE;
				r.error = why;
				qe_queue_done(b->queue, r.fingerprint, 0,
					      now(b) + b->conf.retry_ms);
				qe_cache_release(b->cache, r.fingerprint);
				report(b, &r);
			}
		}
		for (i = 0; i < n; i++)
			qe_event_free(batch[i]);
	}
	if (qe_queue_queued(b->queue) && b->conf.in_flight(b->ai) < b->conf.concurrency) {
		uint64_t age = now(b) - qe_queue_oldest_ms(b->queue);
		uint64_t wait = age >= b->conf.wait_ms ? 1 : b->conf.wait_ms - age;
		qe_loop_timer_set(b->loop, b->batch_timer, wait, 0);
	}
	ai_timer_update(b);
}

size_t qe_batch_pending(const struct qe_batch *b)
{
	return b->conf.in_flight(b->ai) + qe_queue_queued(b->queue);
}

size_t qe_batch_drain(struct qe_batch *b, uint64_t deadline_ms, int (*stop)(void *),
		      void *stop_data)
{
	size_t left;
	qe_batch_kick(b, 1);
	while (qe_batch_pending(b) && qe_now_ms() < deadline_ms &&
	       !(stop && stop(stop_data))) {
		long ms = qe_ai_timeout_ms(b->ai);
		uint64_t rest = deadline_ms - qe_now_ms();
		if (ms < 0 || (uint64_t)ms > rest)
			ms = (long)rest;
		qe_loop_run_once(b->loop, (int)(ms > 100 ? 100 : ms));
		qe_ai_on_timeout(b->ai);
		qe_batch_kick(b, 1);
	}
	left = qe_batch_pending(b);
	if (b->conf.in_flight(b->ai))
		qe_ai_cancel_all(b->ai);
	return left;
}

void qe_batch_cancel(struct qe_batch *b)
{
	if (b->ai && b->conf.in_flight(b->ai))
		qe_ai_cancel_all(b->ai);
}
