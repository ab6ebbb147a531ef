/* Unit tests for lib/cache.c: memo, SQLite and the policy around them
 * (the fleet tier is driven against a real Redis in tests/e2e/fleet.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
#include "store.h"
#include "util.h"

#define NOW 1704105000000LL
static char tmp[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/qe-cache-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static const char ADVICE[] = "{\"summary\":\"s\",\"root_cause\":\"r\",\"fix\":\"f\","
			     "\"confidence\":0.5,\"references\":[]}";

static void test_tiers(void **state)
{
	struct qe_config cfg;
	struct qe_store *st;
	struct qe_cache *c;
	struct qe_cache_stats cs;
	char *json = NULL;
	(void)state;
	qe_config_init(&cfg);
	st = qe_store_open(tmp, 0);
	assert_non_null(st);
	c = qe_cache_new(&cfg, st, "m1", NULL);
	assert_non_null(c);
	assert_int_equal(qe_cache_lookup(c, "00000000000000aa", NOW, &json),
			 QE_CACHE_MISS);
	assert_null(json);
	assert_int_equal(qe_cache_store(c, "00000000000000aa", ADVICE, 10, 20, NOW), 0);
	assert_int_equal(qe_cache_lookup(c, "00000000000000aa", NOW, &json),
			 QE_CACHE_MEMO);
	assert_string_equal(json, ADVICE);
	free(json);
	qe_cache_free(c);

	/* a new process: the memo is empty, SQLite answers */
	c = qe_cache_new(&cfg, st, "m1", NULL);
	assert_int_equal(qe_cache_lookup(c, "00000000000000aa", NOW, &json),
			 QE_CACHE_LOCAL);
	free(json);
	json = qe_cache_recent(c, "00000000000000aa", NOW);
	assert_non_null(json);
	free(json);
	/* advice is per model */
	qe_cache_set_model(c, "m2");
	assert_int_equal(qe_cache_lookup(c, "00000000000000aa", NOW, &json),
			 QE_CACHE_MISS);
	assert_null(qe_cache_recent(c, "00000000000000aa", NOW));
	qe_cache_get_stats(c, &cs);
	assert_int_equal(cs.hits_local, 1);
	assert_int_equal(cs.misses, 1);
	/* no fleet: this host always asks, and there is no budget */
	assert_int_equal(qe_cache_claim(c, "00000000000000aa"), 1);
	assert_int_equal(qe_cache_budget_take(c, 100), 1);
	assert_null(qe_cache_fleet(c));
	qe_cache_free(c);
	qe_store_close(st);
	qe_config_release(&cfg);
}

static void test_caching_off(void **state)
{
	struct qe_config cfg;
	struct qe_store *st;
	struct qe_cache *c;
	char *json = NULL;
	(void)state;
	qe_config_init(&cfg);
	cfg.cache_limit = 0;
	st = qe_store_open(tmp, 0);
	c = qe_cache_new(&cfg, st, "m1", NULL);
	assert_int_equal(qe_cache_store(c, "00000000000000bb", ADVICE, 1, 1, NOW), 0);
	qe_cache_free(c);
	assert_int_equal(qe_store_cache_count(st), 0);
	c = qe_cache_new(&cfg, st, "m1", NULL);
	assert_int_equal(qe_cache_lookup(c, "00000000000000bb", NOW, &json),
			 QE_CACHE_MISS);
	qe_cache_free(c);
	qe_store_close(st);
	qe_config_release(&cfg);
}

static void test_no_store(void **state)
{
	struct qe_config cfg;
	struct qe_cache *c;
	char *json = NULL;
	(void)state;
	qe_config_init(&cfg);
	c = qe_cache_new(&cfg, NULL, NULL, NULL);
	assert_string_equal(qe_cache_model(c), "");
	assert_int_equal(qe_cache_store(c, "00000000000000cc", ADVICE, 1, 1, NOW), 0);
	assert_int_equal(qe_cache_lookup(c, "00000000000000cc", NOW, &json),
			 QE_CACHE_MEMO);
	free(json);
	qe_cache_free(c);
	qe_cache_free(NULL);
	qe_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tiers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_caching_off, setup, teardown),
	    cmocka_unit_test(test_no_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
