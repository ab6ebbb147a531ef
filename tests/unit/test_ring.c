/* Unit tests for the event ring: order, bounds by count and bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "event.h"
#include "ring.h"
#include "util.h"

static struct qe_event *mk(int i)
{
	struct qe_event *ev = qe_event_new("java", "java");
	free(ev->message);
	ev->message = qe_xasprintf("message %d", i);
	ev->type = qe_xstrdup("java.lang.X");
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%016x", i);
	qe_event_add_line(ev, "a line that is not copied", 25);
	return ev;
}

static void test_fifo_and_copy(void **state)
{
	struct qe_ring *r = qe_ring_new(10, 1 << 20);
	struct qe_ring_entry e;
	int i;
	(void)state;
	for (i = 0; i < 5; i++) {
		struct qe_event *ev = mk(i);
		assert_int_equal(
		    qe_ring_push(r, ev, NULL, i == 0 ? qe_xstrdup("sample") : NULL, i),
		    0);
		qe_event_free(ev); /* the ring holds its own copy */
	}
	assert_int_equal(qe_ring_count(r), 5);
	for (i = 0; i < 5; i++) {
		char want[32];
		assert_true(qe_ring_pop(r, &e));
		snprintf(want, sizeof(want), "message %d", i);
		assert_string_equal(e.ev->message, want);
		assert_string_equal(e.ev->type, "java.lang.X");
		assert_int_equal(e.ev->nr_lines, 0);
		assert_int_equal(e.time_ms, i);
		if (i == 0)
			assert_string_equal(e.sample, "sample");
		else
			assert_null(e.sample);
		qe_ring_entry_release(&e);
	}
	assert_false(qe_ring_pop(r, &e));
	assert_int_equal(qe_ring_bytes(r), 0);
	qe_ring_free(r);
}

static void test_bound_by_count(void **state)
{
	struct qe_ring *r = qe_ring_new(4, 1 << 20);
	struct qe_ring_entry e;
	size_t dropped = 0;
	int i;
	(void)state;
	for (i = 0; i < 10; i++) {
		struct qe_event *ev = mk(i);
		dropped += qe_ring_push(r, ev, NULL, NULL, i);
		qe_event_free(ev);
		if (i == 2)
			assert_true(qe_ring_high(r));
	}
	assert_int_equal(dropped, 6);
	assert_int_equal(qe_ring_dropped(r), 6);
	assert_int_equal(qe_ring_count(r), 4);
	assert_true(qe_ring_pop(r, &e));
	assert_string_equal(e.ev->message, "message 6"); /* the oldest went first */
	qe_ring_entry_release(&e);
	qe_ring_free(r);
}

static void test_bound_by_bytes(void **state)
{
	struct qe_ring *r = qe_ring_new(1000, 4096);
	int i;
	(void)state;
	for (i = 0; i < 200; i++) {
		struct qe_event *ev = mk(i);
		qe_ring_push(r, ev, NULL,
			     qe_xstrdup("0123456789012345678901234567890123456789"), i);
		qe_event_free(ev);
		assert_true(qe_ring_bytes(r) <= 4096);
	}
	assert_true(qe_ring_count(r) < 200);
	assert_true(qe_ring_dropped(r) > 0);
	qe_ring_free(r); /* frees what is still held */
}

static void test_fold_repeats(void **state)
{
	struct qe_ring *r = qe_ring_new(100, 1 << 20);
	struct qe_ring_entry e;
	int i;
	(void)state;
	for (i = 0; i < 10; i++) {
		struct qe_event *a = mk(1), *b = mk(2);
		/* first sight of each carries a sample; repeats do not */
		qe_ring_push(r, a, NULL, i == 0 ? qe_xstrdup("sample a") : NULL,
			     1000 + i);
		qe_ring_push(r, b, NULL, NULL, 1000 + i);
		qe_event_free(a);
		qe_event_free(b);
	}
	/* an occurrence in the next hour bucket is an entry of its own */
	{
		struct qe_event *a = mk(1);
		qe_ring_push(r, a, NULL, NULL, 3600000 + 5);
		qe_event_free(a);
	}
	assert_int_equal(qe_ring_count(r), 3);
	assert_true(qe_ring_pop(r, &e));
	assert_string_equal(e.ev->message, "message 1");
	assert_int_equal(e.count, 10);
	assert_int_equal(e.first_ms, 1000);
	assert_int_equal(e.time_ms, 1009);
	assert_string_equal(e.sample, "sample a");
	qe_ring_entry_release(&e);
	assert_true(qe_ring_pop(r, &e));
	assert_int_equal(e.count, 10);
	qe_ring_entry_release(&e);
	assert_true(qe_ring_pop(r, &e));
	assert_int_equal(e.count, 1);
	assert_int_equal(e.time_ms, 3600005);
	qe_ring_entry_release(&e);
	/* after the ring emptied (a commit), a repeat starts a new entry */
	{
		struct qe_event *a = mk(1);
		qe_ring_push(r, a, NULL, NULL, 3600006);
		qe_event_free(a);
	}
	assert_true(qe_ring_pop(r, &e));
	assert_int_equal(e.count, 1);
	qe_ring_entry_release(&e);
	qe_ring_free(r);
}

/* Occurrences that alternate between two hour buckets (lines with the
 * log's own time and lines without, stamped with the wall clock) fold
 * into one entry per bucket, not one per switch. */
static void test_fold_alternating_hours(void **state)
{
	struct qe_ring *r = qe_ring_new(100, 1 << 20);
	struct qe_ring_entry e;
	int i;
	(void)state;
	for (i = 0; i < 10; i++) {
		struct qe_event *a = mk(1);
		qe_ring_push(r, a, "/var/log/app.log", NULL,
			     i % 2 ? 3 * 3600000 + i : 1000 + i);
		qe_event_free(a);
	}
	assert_int_equal(qe_ring_count(r), 2);
	assert_true(qe_ring_pop(r, &e));
	assert_int_equal(e.count, 5);
	assert_int_equal(e.first_ms, 1000);
	assert_int_equal(e.time_ms, 1008);
	qe_ring_entry_release(&e);
	assert_true(qe_ring_pop(r, &e));
	assert_int_equal(e.count, 5);
	assert_int_equal(e.first_ms, 3 * 3600000 + 1);
	assert_int_equal(e.time_ms, 3 * 3600000 + 9);
	qe_ring_entry_release(&e);
	assert_int_equal(qe_ring_count(r), 0);
	qe_ring_free(r);
}

static void test_dropped_counts_occurrences(void **state)
{
	struct qe_ring *r = qe_ring_new(2, 1 << 20);
	int i;
	(void)state;
	for (i = 0; i < 5; i++) {
		struct qe_event *a = mk(7);
		qe_ring_push(r, a, NULL, NULL, i);
		qe_event_free(a);
	}
	for (i = 8; i < 10; i++) {
		struct qe_event *b = mk(i);
		qe_ring_push(r, b, NULL, NULL, i);
		qe_event_free(b);
	}
	/* the folded entry of 5 occurrences went to make room */
	assert_int_equal(qe_ring_dropped(r), 5);
	qe_ring_free(r);
}

static void test_peek_keeps_entries(void **state)
{
	struct qe_ring *r = qe_ring_new(10, 1 << 20);
	const struct qe_ring_entry *p;
	struct qe_ring_entry e;
	struct qe_event *ev;
	int i;
	(void)state;
	assert_null(qe_ring_peek(r, 0));
	for (i = 0; i < 3; i++) {
		ev = mk(i);
		qe_ring_push(r, ev, NULL, NULL, i);
		qe_event_free(ev);
	}
	for (i = 0; i < 3; i++) {
		char want[32];
		p = qe_ring_peek(r, (size_t)i);
		assert_non_null(p);
		snprintf(want, sizeof(want), "message %d", i);
		assert_string_equal(p->ev->message, want);
	}
	assert_null(qe_ring_peek(r, 3));
	assert_int_equal(qe_ring_count(r), 3);
	/* a repeat still folds into an entry that was only looked at */
	ev = mk(1);
	assert_int_equal(qe_ring_push(r, ev, NULL, NULL, 5), 0);
	qe_event_free(ev);
	assert_int_equal(qe_ring_peek(r, 1)->count, 2);
	assert_true(qe_ring_pop(r, &e));
	assert_string_equal(e.ev->message, "message 0");
	qe_ring_entry_release(&e);
	assert_string_equal(qe_ring_peek(r, 0)->ev->message, "message 1");
	qe_ring_free(r);
}

/* One error from two pods: each source keeps an entry of its own, so
 * the store can count it per pod, and repeats fold per source. */
static void test_fold_per_source(void **state)
{
	struct qe_ring *r = qe_ring_new(100, 1 << 20);
	struct qe_ring_entry e;
	const char *pa = "/var/log/containers/a_ns_app-01.log",
		   *pb = "/var/log/containers/b_ns_app-02.log";
	int i;
	(void)state;
	for (i = 0; i < 6; i++) {
		struct qe_event *ev = mk(1);
		qe_ring_push(r, ev, i % 2 ? pb : pa, NULL, 1000 + i);
		qe_event_free(ev);
	}
	assert_int_equal(qe_ring_count(r), 2);
	assert_true(qe_ring_pop(r, &e));
	assert_string_equal(e.source, pa);
	assert_int_equal(e.count, 3);
	assert_int_equal(e.time_ms, 1004);
	qe_ring_entry_release(&e);
	assert_true(qe_ring_pop(r, &e));
	assert_string_equal(e.source, pb);
	assert_int_equal(e.count, 3);
	assert_int_equal(e.first_ms, 1001);
	qe_ring_entry_release(&e);
	qe_ring_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fifo_and_copy),
	    cmocka_unit_test(test_peek_keeps_entries),
	    cmocka_unit_test(test_bound_by_count),
	    cmocka_unit_test(test_bound_by_bytes),
	    cmocka_unit_test(test_fold_repeats),
	    cmocka_unit_test(test_fold_per_source),
	    cmocka_unit_test(test_fold_alternating_hours),
	    cmocka_unit_test(test_dropped_counts_occurrences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
