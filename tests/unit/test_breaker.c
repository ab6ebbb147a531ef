/* Tests for lib/breaker.c: the state machine on an injected clock, its
 * stored record, and the one reader that `stats` and `doctor` use. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "breaker.h"
#include "store.h"
#include "util.h"

#define EP "http://127.0.0.1:9/v1"
#define T0 1700000000000LL /* any wall time: the clock is ours */

static int acquire(struct qe_breaker *b, int64_t now, int *probe)
{
	int p = -1, v = qe_breaker_acquire(b, now, &p);
	assert_true(p == 0 || p == 1);
	if (probe)
		*probe = p;
	return v;
}

static void test_opens_after_threshold(void **state)
{
	struct qe_breaker b;
	int probe, i;

	qe_breaker_init(&b, NULL, NULL, 3, 1000, 1, T0);
	assert_int_equal(qe_breaker_state(&b, T0), QE_BREAKER_CLOSED);
	for (i = 0; i < 2; i++) {
		assert_int_equal(acquire(&b, T0, &probe), QE_BREAKER_PASS);
		assert_int_equal(probe, 0);
		qe_breaker_failure(&b, probe, T0 + i);
	}
	assert_int_equal(qe_breaker_state(&b, T0 + 2), QE_BREAKER_CLOSED);
	/* a success in between starts the count again: failures are consecutive */
	qe_breaker_success(&b, 0, T0 + 2);
	assert_int_equal(b.failures, 0);
	for (i = 0; i < 3; i++)
		qe_breaker_failure(&b, 0, T0 + 10);
	assert_int_equal(qe_breaker_state(&b, T0 + 10), QE_BREAKER_OPEN);
	assert_int_equal(acquire(&b, T0 + 10, NULL), QE_BREAKER_DENY);
	assert_int_equal(qe_breaker_wait_ms(&b, T0 + 10), 1000);
	assert_int_equal(qe_breaker_wait_ms(&b, T0 + 510), 500);
	/* late verdicts of requests sent before it opened change nothing */
	qe_breaker_success(&b, 0, T0 + 20);
	qe_breaker_failure(&b, 0, T0 + 20);
	assert_int_equal(qe_breaker_state(&b, T0 + 20), QE_BREAKER_OPEN);
	assert_int_equal(qe_breaker_wait_ms(&b, T0 + 20), 990);
	qe_breaker_release(&b);
}

static void test_half_open_probe(void **state)
{
	struct qe_breaker b;
	int probe;

	qe_breaker_init(&b, NULL, NULL, 1, 1000, 2, T0);
	qe_breaker_failure(&b, 0, T0);
	assert_int_equal(qe_breaker_state(&b, T0 + 999), QE_BREAKER_OPEN);
	assert_int_equal(qe_breaker_state(&b, T0 + 1000), QE_BREAKER_HALF_OPEN);
	assert_int_equal(qe_breaker_wait_ms(&b, T0 + 1000), 0);

	/* one probe at a time */
	assert_int_equal(acquire(&b, T0 + 1000, &probe), QE_BREAKER_PASS);
	assert_int_equal(probe, 1);
	assert_int_equal(acquire(&b, T0 + 1001, NULL), QE_BREAKER_WAIT);
	/* a non-probe success proves nothing */
	qe_breaker_success(&b, 0, T0 + 1002);
	assert_int_equal(qe_breaker_state(&b, T0 + 1002), QE_BREAKER_HALF_OPEN);
	assert_int_equal(acquire(&b, T0 + 1002, NULL), QE_BREAKER_WAIT);
	/* first good probe: still half-open (close_after 2), next probe free */
	qe_breaker_success(&b, 1, T0 + 1003);
	assert_int_equal(qe_breaker_state(&b, T0 + 1003), QE_BREAKER_HALF_OPEN);
	assert_int_equal(acquire(&b, T0 + 1003, &probe), QE_BREAKER_PASS);
	assert_int_equal(probe, 1);
	qe_breaker_success(&b, 1, T0 + 1004);
	assert_int_equal(qe_breaker_state(&b, T0 + 1004), QE_BREAKER_CLOSED);
	assert_int_equal(acquire(&b, T0 + 1004, &probe), QE_BREAKER_PASS);
	assert_int_equal(probe, 0);

	/* a failed probe reopens at once, with a fresh open period */
	qe_breaker_failure(&b, 0, T0 + 2000);
	assert_int_equal(acquire(&b, T0 + 3000, &probe), QE_BREAKER_PASS);
	assert_int_equal(probe, 1);
	qe_breaker_failure(&b, 1, T0 + 3100);
	assert_int_equal(qe_breaker_state(&b, T0 + 3100), QE_BREAKER_OPEN);
	assert_int_equal(qe_breaker_wait_ms(&b, T0 + 3100), 1000);

	/* an abandoned probe frees the slot without a verdict */
	assert_int_equal(acquire(&b, T0 + 4100, &probe), QE_BREAKER_PASS);
	assert_int_equal(probe, 1);
	qe_breaker_abandon(&b, 1);
	assert_int_equal(qe_breaker_state(&b, T0 + 4101), QE_BREAKER_HALF_OPEN);
	assert_int_equal(acquire(&b, T0 + 4101, &probe), QE_BREAKER_PASS);
	assert_int_equal(probe, 1);
	qe_breaker_release(&b);
	qe_breaker_release(&b); /* safe twice */
}

static void test_trip_and_edges(void **state)
{
	struct qe_breaker b;
	int i;

	/* trip opens whatever the count */
	qe_breaker_init(&b, NULL, NULL, 100, 500, 1, T0);
	qe_breaker_trip(&b, T0);
	assert_int_equal(qe_breaker_state(&b, T0), QE_BREAKER_OPEN);
	qe_breaker_release(&b);

	/* threshold 0: never opens on failures */
	qe_breaker_init(&b, NULL, NULL, 0, 500, 1, T0);
	for (i = 0; i < 50; i++)
		qe_breaker_failure(&b, 0, T0);
	assert_int_equal(qe_breaker_state(&b, T0), QE_BREAKER_CLOSED);
	qe_breaker_release(&b);

	/* open_ms 0: half-open at once; close_after < 1 means 1 */
	qe_breaker_init(&b, NULL, NULL, 1, -5, 0, T0);
	qe_breaker_failure(&b, 0, T0);
	assert_int_equal(qe_breaker_state(&b, T0), QE_BREAKER_HALF_OPEN);
	qe_breaker_success(&b, 1, T0);
	assert_int_equal(qe_breaker_state(&b, T0), QE_BREAKER_CLOSED);
	qe_breaker_release(&b);

	assert_string_equal(qe_breaker_state_name(QE_BREAKER_HALF_OPEN), "half-open");
	assert_string_equal(qe_breaker_state_name((enum qe_breaker_state)42), "closed");
}

/* ---- the stored record ---- */

static char dir[64];

static int make_dir(void **state)
{
	strcpy(dir, "/tmp/qe-test-breaker-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct qe_store *open_store(const char *sub)
{
	char path[128];
	struct qe_store *s;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	s = qe_store_open(path, 0);
	assert_non_null(s);
	return s;
}

static void test_persisted(void **state)
{
	struct qe_store *s = open_store("p");
	struct qe_breaker b;
	struct qe_breaker_record rec;
	char *key, *val = NULL;

	/* no record yet */
	assert_int_equal(qe_breaker_read(s, EP, 1000, T0, &rec), 0);
	assert_int_equal(rec.state, QE_BREAKER_CLOSED);
	assert_int_equal(rec.failures, 0);

	qe_breaker_init(&b, s, EP, 2, 1000, 1, T0);
	qe_breaker_failure(&b, 0, T0);
	assert_int_equal(qe_breaker_read(s, EP, 1000, T0, &rec), 1);
	assert_int_equal(rec.state, QE_BREAKER_CLOSED);
	assert_int_equal(rec.failures, 1);
	qe_breaker_failure(&b, 0, T0 + 5);
	qe_breaker_release(&b);

	/* what another process sees: open, then half-open once open_ms passed */
	assert_int_equal(qe_breaker_read(s, EP, 1000, T0 + 205, &rec), 1);
	assert_int_equal(rec.state, QE_BREAKER_OPEN);
	assert_int_equal(rec.failures, 2);
	assert_true(rec.opened_at == T0 + 5);
	assert_true(rec.wait_ms == 800);
	assert_int_equal(qe_breaker_read(s, EP, 1000, T0 + 1005, &rec), 1);
	assert_int_equal(rec.state, QE_BREAKER_HALF_OPEN);
	assert_true(rec.wait_ms == 0);
	/* the key ignores trailing slashes, as the client does */
	assert_int_equal(qe_breaker_read(s, EP "//", 1000, T0 + 205, &rec), 1);
	assert_int_equal(rec.state, QE_BREAKER_OPEN);
	key = qe_breaker_key(EP "/");
	assert_string_equal(key, "ai.breaker:" EP);
	assert_int_equal(qe_store_kv_get(s, key, &val), 1);
	assert_non_null(strstr(val, "\"state\":\"open\""));
	free(val);

	/* the next process keeps honouring it */
	qe_breaker_init(&b, s, EP "/", 2, 1000, 1, T0 + 100);
	assert_int_equal(qe_breaker_state(&b, T0 + 100), QE_BREAKER_OPEN);
	assert_int_equal(qe_breaker_wait_ms(&b, T0 + 100), 905);
	qe_breaker_release(&b);

	/* a clock that went backwards does not keep it open for ever */
	qe_breaker_init(&b, s, EP, 2, 1000, 1, T0 - 100000);
	assert_int_equal(qe_breaker_wait_ms(&b, T0 - 100000), 1000);
	qe_breaker_release(&b);

	/* other endpoints are apart */
	assert_int_equal(qe_breaker_read(s, "http://other/v1", 1000, T0, &rec), 0);

	/* a damaged record: an error for readers, a closed breaker for the client */
	assert_int_equal(qe_store_kv_put(s, key, "{\"state\":\"sideways\"}"), 0);
	assert_int_equal(qe_breaker_read(s, EP, 1000, T0, &rec), -1);
	assert_non_null(strstr(qe_last_error(), "unreadable circuit breaker record"));
	assert_int_equal(rec.state, QE_BREAKER_CLOSED);
	assert_int_equal(qe_store_kv_put(s, key, "not json"), 0);
	assert_int_equal(qe_breaker_read(s, EP, 1000, T0, &rec), -1);
	qe_breaker_init(&b, s, EP, 2, 1000, 1, T0);
	assert_int_equal(qe_breaker_state(&b, T0), QE_BREAKER_CLOSED);
	assert_int_equal(b.failures, 0);
	qe_breaker_release(&b);
	/* fields of the wrong type are ignored, the state still counts */
	assert_int_equal(
	    qe_store_kv_put(s, key,
			    "{\"state\":\"open\",\"failures\":\"x\",\"opened_at\":7}"),
	    0);
	assert_int_equal(qe_breaker_read(s, EP, 1000, 500, &rec), 1);
	assert_int_equal(rec.state, QE_BREAKER_OPEN);
	assert_int_equal(rec.failures, 0);
	free(key);
	qe_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opens_after_threshold),
	    cmocka_unit_test(test_half_open_probe),
	    cmocka_unit_test(test_trip_and_edges),
	    cmocka_unit_test(test_persisted),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
