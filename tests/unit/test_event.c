/* Tests for lib/event.c: an event made after others were freed starts
 * as a new one, whatever the freed ones held. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

/* An event with everything set, and more lines and frames than an
 * event kept for reuse keeps arrays for. */
static struct qe_event *full_event(size_t nr_lines)
{
	struct qe_event *ev = qe_event_new("java", "java-exception");
	char mod[] = "com.example.Svc", fn[] = "run", file[] = "Svc.java";
	struct qe_frame f = {mod, fn, file, 42, 1};
	char line[2048];
	size_t i;

	for (i = 0; i < nr_lines; i++) {
		/* some lines longer than a block, which get one of their own */
		size_t n = (size_t)snprintf(line, sizeof(line),
					    "\tat com.example.Svc.run(%zu)", i);
		if (i % 7 == 3) {
			memset(line + n, 'x', 1500);
			n += 1500;
		}
		qe_event_add_line(ev, line, n);
		qe_event_add_frame(ev, &f);
	}
	free(ev->type);
	ev->type = strdup("java.lang.IllegalStateException");
	free(ev->message);
	ev->message = strdup("boom");
	ev->template = strdup("boom <NUM>");
	strcpy(ev->fingerprint, "0123456789abcdef");
	ev->severity = QE_SEV_FATAL;
	ev->truncated = 1;
	ev->dropped_lines = 3;
	ev->start_pos = 10;
	ev->end_pos = 20;
	ev->time_ms = 1234;
	ev->stream = "stderr";
	return ev;
}

static void check_new(const struct qe_event *ev, const char *kind, const char *rule)
{
	assert_string_equal(ev->kind, kind);
	assert_string_equal(ev->rule, rule);
	assert_null(ev->type);
	assert_string_equal(ev->message, "");
	assert_int_equal(ev->severity, QE_SEV_ERROR);
	assert_int_equal(ev->nr_lines, 0);
	assert_int_equal(ev->bytes, 0);
	assert_int_equal(ev->truncated, 0);
	assert_int_equal(ev->dropped_lines, 0);
	assert_int_equal(ev->nr_frames, 0);
	assert_int_equal(ev->start_pos, 0);
	assert_int_equal(ev->end_pos, 0);
	assert_int_equal(ev->time_ms, 0);
	assert_null(ev->stream);
	assert_string_equal(ev->fingerprint, "");
	assert_null(ev->template);
}

static void test_new_after_free(void **state)
{
	struct qe_event *ev[6], *again[6];
	size_t i, j;

	(void)state;
	for (i = 0; i < 6; i++)
		ev[i] = full_event(i % 2 ? 100 : 5);
	for (i = 0; i < 6; i++)
		qe_event_free(ev[i]);
	for (i = 0; i < 6; i++) {
		again[i] = qe_event_new(NULL, NULL);
		check_new(again[i], "line", "line");
	}
	/* and they hold what is added to them, each its own */
	for (i = 0; i < 6; i++) {
		char line[32];
		for (j = 0; j < 70; j++) {
			size_t n = (size_t)snprintf(line, sizeof(line), "%zu/%zu", i, j);
			qe_event_add_line(again[i], line, n);
		}
	}
	for (i = 0; i < 6; i++) {
		char want[32];
		assert_int_equal(again[i]->nr_lines, 70);
		for (j = 0; j < 70; j++) {
			snprintf(want, sizeof(want), "%zu/%zu", i, j);
			assert_string_equal(again[i]->lines[j], want);
		}
		qe_event_free(again[i]);
	}
}

static void test_dup(void **state)
{
	struct qe_event *ev = full_event(9), *d;
	size_t i;

	(void)state;
	d = qe_event_dup(ev);
	qe_event_free(ev);
	ev = qe_event_new("go", NULL);
	check_new(ev, "go", "go");
	assert_int_equal(d->nr_lines, 9);
	assert_int_equal(d->nr_frames, 9);
	for (i = 0; i < 9; i++) {
		assert_non_null(strstr(d->lines[i], "com.example.Svc.run("));
		assert_string_equal(d->frames[i].function, "run");
	}
	assert_string_equal(d->type, "java.lang.IllegalStateException");
	qe_event_free(ev);
	qe_event_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_after_free),
	    cmocka_unit_test(test_dup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
