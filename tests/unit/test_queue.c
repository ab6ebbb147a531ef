/* Unit tests for the AI work queue: dedupe, bounds, retry timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "event.h"
#include "queue.h"
#include "util.h"

static struct qe_event *ev_fp(const char *fp)
{
	struct qe_event *ev = qe_event_new("line", NULL);
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%s", fp);
	return ev;
}

static void test_dedupe(void **state)
{
	struct qe_queue *q = qe_queue_new(10);
	struct qe_event *a = ev_fp("aaaaaaaaaaaaaaaa"), *a2 = ev_fp("aaaaaaaaaaaaaaaa");
	struct qe_event *out[4];
	(void)state;
	assert_int_equal(qe_queue_push(q, a, 0), QE_PUSH_QUEUED);
	assert_int_equal(qe_queue_push(q, a2, 0), QE_PUSH_PRESENT);
	assert_int_equal(qe_queue_length(q), 1);
	assert_int_equal(qe_queue_take(q, out, 4), 1);
	assert_ptr_equal(out[0], a);
	assert_int_equal(qe_queue_state(q, a->fingerprint), QE_FP_INFLIGHT);
	/* in flight: still not queued again */
	assert_int_equal(qe_queue_push(q, a2, 0), QE_PUSH_PRESENT);
	assert_int_equal(qe_queue_length(q), 1);
	qe_queue_done(q, a->fingerprint, 1, 0);
	assert_int_equal(qe_queue_state(q, a->fingerprint), QE_FP_CACHED);
	assert_int_equal(qe_queue_push(q, a2, 0), QE_PUSH_PRESENT);
	assert_int_equal(qe_queue_length(q), 0);
	qe_event_free(a);
	qe_event_free(a2);
	qe_queue_free(q);
}

static void test_bound_counts_inflight(void **state)
{
	struct qe_queue *q = qe_queue_new(2);
	struct qe_event *out[4];
	struct qe_event *a = ev_fp("0000000000000001"), *b = ev_fp("0000000000000002");
	struct qe_event *c = ev_fp("0000000000000003");
	(void)state;
	assert_int_equal(qe_queue_push(q, a, 0), QE_PUSH_QUEUED);
	assert_int_equal(qe_queue_take(q, out, 4), 1);
	assert_int_equal(qe_queue_push(q, b, 0), QE_PUSH_QUEUED);
	assert_int_equal(qe_queue_push(q, c, 0), QE_PUSH_FULL);
	assert_int_equal(qe_queue_rejects(q), 1);
	qe_queue_done(q, a->fingerprint, 1, 0);
	assert_int_equal(qe_queue_push(q, c, 0), QE_PUSH_QUEUED);
	qe_event_free(a);
	qe_queue_free(q); /* frees b and c */
}

static void test_failed_retry_after(void **state)
{
	struct qe_queue *q = qe_queue_new(5);
	struct qe_event *out[1];
	struct qe_event *a = ev_fp("00000000000000aa"), *a2 = ev_fp("00000000000000aa");
	(void)state;
	assert_int_equal(qe_queue_push(q, a, 100), QE_PUSH_QUEUED);
	assert_int_equal(qe_queue_oldest_ms(q), 100);
	assert_int_equal(qe_queue_take(q, out, 1), 1);
	qe_queue_done(q, a->fingerprint, 0, 5000);
	assert_int_equal(qe_queue_push(q, a2, 4999), QE_PUSH_PRESENT);
	assert_int_equal(qe_queue_push(q, a2, 5000), QE_PUSH_QUEUED);
	qe_event_free(a);
	qe_queue_free(q);
}

static void test_seen_then_queued(void **state)
{
	struct qe_queue *q = qe_queue_new(5);
	struct qe_event *a = ev_fp("00000000000000bb");
	(void)state;
	qe_queue_set_seen(q, a->fingerprint);
	assert_int_equal(qe_queue_state(q, a->fingerprint), QE_FP_SEEN);
	assert_int_equal(qe_queue_push(q, a, 0), QE_PUSH_QUEUED);
	qe_queue_set_seen(q, a->fingerprint); /* does not downgrade */
	assert_int_equal(qe_queue_state(q, a->fingerprint), QE_FP_QUEUED);
	qe_queue_free(q);
}

static void test_defer(void **state)
{
	struct qe_queue *q = qe_queue_new(5);
	struct qe_event *a = ev_fp("00000000000000cc");
	(void)state;
	qe_queue_defer(q, a->fingerprint, 1000);
	assert_int_equal(qe_queue_state(q, a->fingerprint), QE_FP_FAILED);
	assert_false(qe_queue_retry_due(q, a->fingerprint, 999));
	assert_int_equal(qe_queue_push(q, a, 999), QE_PUSH_PRESENT);
	assert_true(qe_queue_retry_due(q, a->fingerprint, 1000));
	assert_int_equal(qe_queue_inflight(q), 0); /* deferring is not a request */
	assert_int_equal(qe_queue_push(q, a, 1000), QE_PUSH_QUEUED);
	qe_queue_free(q);
}

static void test_many_fingerprints_bounded(void **state)
{
	struct qe_queue *q = qe_queue_new(1);
	char fp[17];
	size_t i;
	(void)state;
	for (i = 0; i < QE_QUEUE_MAX_KNOWN * 2 + 10; i++) {
		snprintf(fp, sizeof(fp), "%016zx", i);
		qe_queue_set_cached(q, fp);
		assert_int_equal(qe_queue_state(q, fp), QE_FP_CACHED);
	}
	/* old settled entries were forgotten, recent ones are known */
	assert_int_equal(qe_queue_state(q, "0000000000000000"), QE_FP_UNKNOWN);
	assert_true(qe_queue_table_bytes(q) <= 16 * 2 * (size_t)QE_QUEUE_MAX_KNOWN * 2);
	qe_queue_free(q);
}

/* Forgetting the settled entries gives their memory back, and keeps
 * those still waiting for advice. */
static void test_forget_shrinks(void **state)
{
	struct qe_queue *q = qe_queue_new(4);
	struct qe_event *w = ev_fp("ffffffffffffffff");
	char fp[17];
	size_t i, full;
	(void)state;
	assert_int_equal(qe_queue_push(q, w, 0), QE_PUSH_QUEUED);
	for (i = 0; i < QE_QUEUE_MAX_KNOWN - 1; i++) {
		snprintf(fp, sizeof(fp), "%016zx", i);
		qe_queue_set_seen(q, fp);
	}
	full = qe_queue_table_bytes(q);
	assert_true(full >= 16 * (size_t)QE_QUEUE_MAX_KNOWN);
	qe_queue_set_seen(q, "abcdefabcdefabcd"); /* one more: the seen ones go */
	assert_true(qe_queue_table_bytes(q) < full / 16);
	assert_int_equal(qe_queue_state(q, "ffffffffffffffff"), QE_FP_QUEUED);
	assert_int_equal(qe_queue_state(q, "abcdefabcdefabcd"), QE_FP_SEEN);
	assert_int_equal(qe_queue_state(q, "0000000000000001"), QE_FP_UNKNOWN);
	qe_queue_free(q);
}

/* Keys are the fingerprints' bits: ones that differ in one digit, at
 * either end, are different entries. */
static void test_keys_exact(void **state)
{
	struct qe_queue *q = qe_queue_new(1);
	char fp[17];
	int d, v;
	(void)state;
	for (d = 0; d < 16; d++)
		for (v = 1; v < 16; v++) {
			memset(fp, '0', 16);
			fp[16] = 0;
			fp[d] = "0123456789abcdef"[v];
			assert_int_equal(qe_queue_state(q, fp), QE_FP_UNKNOWN);
			qe_queue_set_cached(q, fp);
		}
	assert_int_equal(qe_queue_state(q, "0000000000000000"), QE_FP_UNKNOWN);
	for (d = 0; d < 16; d++)
		for (v = 1; v < 16; v++) {
			memset(fp, '0', 16);
			fp[d] = "0123456789abcdef"[v];
			assert_int_equal(qe_queue_state(q, fp), QE_FP_CACHED);
		}
	/* a string of another shape is a key of its own too */
	qe_queue_defer(q, "not-a-fingerprint", 50);
	assert_int_equal(qe_queue_state(q, "not-a-fingerprint"), QE_FP_FAILED);
	assert_false(qe_queue_retry_due(q, "not-a-fingerprint", 49));
	assert_true(qe_queue_retry_due(q, "not-a-fingerprint", 50));
	qe_queue_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dedupe),
	    cmocka_unit_test(test_bound_counts_inflight),
	    cmocka_unit_test(test_failed_retry_after),
	    cmocka_unit_test(test_seen_then_queued),
	    cmocka_unit_test(test_defer),
	    cmocka_unit_test(test_many_fingerprints_bounded),
	    cmocka_unit_test(test_forget_shrinks),
	    cmocka_unit_test(test_keys_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
