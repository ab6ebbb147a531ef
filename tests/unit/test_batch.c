/* Unit tests for lib/batch.c: batching, concurrency, settling the queue,
 * the budget and the results, with the request sender injected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "batch.h"
#include "cache.h"
#include "config.h"
#include "event.h"
#include "loop.h"
#include "queue.h"

static uint64_t clock_ms = 1000;
static uint64_t fake_now(void)
{
	return clock_ms;
}

/* Requests "in flight": the events' fingerprints and their callback. */
struct request {
	char fps[8][17];
	size_t n;
	qe_ai_done_fn fn;
	void *data;
};
static struct request reqs[16];
static size_t nr_reqs, open_reqs;
static int fail_submit;

static int fake_submit(struct qe_ai *ai, struct qe_event *const *evs, size_t n,
		       qe_ai_done_fn fn, void *data)
{
	struct request *r = &reqs[nr_reqs];
	size_t i;
	(void)ai;
	if (fail_submit)
		return -1;
	assert_true(nr_reqs < 16 && n <= 8);
	for (i = 0; i < n; i++)
		snprintf(r->fps[i], sizeof(r->fps[i]), "%s", evs[i]->fingerprint);
	r->n = n;
	r->fn = fn;
	r->data = data;
	nr_reqs++;
	open_reqs++;
	return 0;
}

static size_t fake_in_flight(const struct qe_ai *ai)
{
	(void)ai;
	return open_reqs;
}

static void answer(size_t i, enum qe_ai_status st)
{
	size_t k;
	open_reqs--;
	for (k = 0; k < reqs[i].n; k++)
		reqs[i].fn(reqs[i].fps[k], st,
			   st == QE_AI_OK
			       ? "{\"summary\":\"s\",\"root_cause\":\"r\",\"fix\":"
				 "\"f\",\"confidence\":1,\"references\":[]}"
			       : NULL,
			   st == QE_AI_OK ? NULL : "it broke", k ? 0 : 100, k ? 0 : 50,
			   reqs[i].data);
}

struct results {
	int ok, failed;
	long long tokens;
};

static void on_result(const struct qe_batch_result *r, void *data)
{
	struct results *res = data;
	if (r->advice_json)
		res->ok++;
	else
		res->failed++;
	res->tokens += r->tokens_prompt + r->tokens_completion;
}

static struct qe_event *event(int i)
{
	struct qe_event *ev = qe_event_new("line", "line");
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%016x", i);
	return ev;
}

static void test_batches_and_concurrency(void **state)
{
	struct qe_config cfg;
	struct qe_loop *loop = qe_loop_new();
	struct qe_queue *q = qe_queue_new(100);
	struct qe_cache *cache;
	struct qe_ai *ai;
	struct qe_batch_conf bc;
	struct qe_batch *b;
	struct results res = {0, 0, 0};
	char *json = NULL;
	int i;
	(void)state;
	nr_reqs = open_reqs = 0;
	qe_config_init(&cfg);
	ai = qe_ai_new(&cfg, NULL);
	cache = qe_cache_new(&cfg, NULL, "m", NULL);
	qe_batch_conf_from_config(&bc, &cfg);
	bc.batch_size = 3;
	bc.concurrency = 2;
	bc.wait_ms = 200;
	bc.on_result = on_result;
	bc.data = &res;
	bc.submit = fake_submit;
	bc.in_flight = fake_in_flight;
	bc.now_ms = fake_now;
	b = qe_batch_new(&bc, ai, q, cache, loop);
	assert_non_null(b);
	for (i = 0; i < 8; i++)
		assert_int_equal(qe_queue_push(q, event(i), clock_ms), QE_PUSH_QUEUED);
	qe_batch_kick(b, 0);
	/* two full batches of three; the third waits for a free slot */
	assert_int_equal(nr_reqs, 2);
	assert_int_equal(reqs[0].n, 3);
	assert_int_equal(qe_queue_queued(q), 2);
	answer(0, QE_AI_OK);
	qe_batch_kick(b, 0);
	/* two left: a partial batch waits for wait_ms */
	assert_int_equal(nr_reqs, 2);
	clock_ms += 200;
	qe_batch_kick(b, 0);
	assert_int_equal(nr_reqs, 3);
	assert_int_equal(reqs[2].n, 2);
	answer(1, QE_AI_UNAVAILABLE);
	answer(2, QE_AI_OK);
	assert_int_equal(res.ok, 5);
	assert_int_equal(res.failed, 3);
	assert_int_equal(res.tokens, 450); /* a failed request cost tokens too */
	/* answers are in the cache, the queue settled */
	assert_int_equal(qe_cache_lookup(cache, "0000000000000000", 0, &json),
			 QE_CACHE_MEMO);
	free(json);
	assert_int_equal(qe_queue_state(q, "0000000000000000"), QE_FP_CACHED);
	assert_int_equal(qe_queue_state(q, "0000000000000003"), QE_FP_FAILED);
	assert_int_equal(qe_queue_retry_due(q, "0000000000000003", clock_ms), 0);
	assert_int_equal(qe_queue_retry_due(q, "0000000000000003", clock_ms + 60000), 1);
	assert_int_equal(qe_batch_pending(b), 0);
	qe_batch_free(b);
	qe_cache_free(cache);
	qe_ai_free(ai);
	qe_queue_free(q);
	qe_loop_free(loop);
	qe_config_release(&cfg);
}

static void test_submit_failure_settles(void **state)
{
	struct qe_config cfg;
	struct qe_loop *loop = qe_loop_new();
	struct qe_queue *q = qe_queue_new(10);
	struct qe_cache *cache;
	struct qe_ai *ai;
	struct qe_batch_conf bc;
	struct qe_batch *b;
	struct results res = {0, 0, 0};
	(void)state;
	nr_reqs = open_reqs = 0;
	fail_submit = 1;
	qe_config_init(&cfg);
	ai = qe_ai_new(&cfg, NULL);
	cache = qe_cache_new(&cfg, NULL, "m", NULL);
	qe_batch_conf_from_config(&bc, &cfg);
	bc.on_result = on_result;
	bc.data = &res;
	bc.submit = fake_submit;
	bc.in_flight = fake_in_flight;
	bc.now_ms = fake_now;
	b = qe_batch_new(&bc, ai, q, cache, loop);
	qe_queue_push(q, event(1), clock_ms);
	qe_batch_kick(b, 1);
	assert_int_equal(res.failed, 1);
	assert_int_equal(qe_queue_length(q), 0);
	assert_int_equal(qe_queue_state(q, "0000000000000001"), QE_FP_FAILED);
	fail_submit = 0;
	qe_batch_free(b);
	qe_cache_free(cache);
	qe_ai_free(ai);
	qe_queue_free(q);
	qe_loop_free(loop);
	qe_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_batches_and_concurrency),
	    cmocka_unit_test(test_submit_failure_settles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
