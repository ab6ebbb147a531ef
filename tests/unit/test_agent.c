/* Unit tests for lib/agent.c: a real agent on temporary files and a
 * temporary state database, without an AI service; the wall clock is
 * injected where the test simulates time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "config.h"
#include "event.h"
#include "loop.h"
#include "source.h"
#include "store.h"
#include "util.h"

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
	snprintf(tmp, sizeof(tmp), "/tmp/qe-agent-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

struct seen {
	int events, news, not_configured;
	long long last_count;
	char sources[4][256];
	int per_source[4];
	int nr_sources;
	int errors;
	int b_lines_when_a;   /* lines written to b when a's event came */
	char message[3][256]; /* the last event's of a.log, b.log, c.log.1 */
};
static struct seen seen;
static const char *const message_of[3] = {"/a.log", "/b.log", "/c.log.1"};
static int b_lines;

static void on_event(const struct qe_agent_event *e, void *data)
{
	int i;
	(void)data;
	seen.events++;
	seen.news += e->is_new;
	seen.last_count = e->count;
	seen.not_configured += e->advice == QE_ADVICE_NOT_CONFIGURED;
	for (i = 0; i < seen.nr_sources; i++)
		if (!strcmp(seen.sources[i], e->source))
			break;
	if (i == seen.nr_sources && i < 4)
		snprintf(seen.sources[seen.nr_sources++], 256, "%s", e->source);
	if (i < 4)
		seen.per_source[i]++;
	for (i = 0; i < 3; i++)
		if (strstr(e->source, message_of[i]))
			snprintf(seen.message[i], 256, "%s", e->ev->message);
	if (strstr(e->source, "/a.log") && !seen.b_lines_when_a)
		seen.b_lines_when_a = b_lines ? b_lines : -1;
}

static void on_notice(enum qe_agent_level level, const char *msg, void *data)
{
	(void)data;
	if (level >= QE_AGENT_WARNING) {
		fprintf(stderr, "notice: %s\n", msg);
		seen.errors++;
	}
}

static int64_t fake_wall;
static int64_t wall_now(void)
{
	return fake_wall;
}

static struct qe_agent *agent(struct qe_config *cfg, int once, int from_beginning)
{
	struct qe_agent_opts o;
	struct qe_agent_output out = {on_event, NULL, NULL, on_notice, NULL};
	enum qe_agent_failure why;
	struct qe_agent *a;
	memset(&o, 0, sizeof(o));
	o.once = once;
	o.from_beginning = from_beginning;
	if (fake_wall)
		o.wall_ms = wall_now;
	a = qe_agent_new(cfg, &o, &out, &why);
	if (!a)
		fprintf(stderr, "agent: %s\n", qe_last_error());
	return a;
}

static void config(struct qe_config *cfg)
{
	qe_config_init(cfg);
	cfg->state_dir = qe_xasprintf("%s/state", tmp);
	free(cfg->ai_base_url);
	cfg->ai_base_url = NULL;
	free(cfg->ai_api_key);
	cfg->ai_api_key = NULL;
}

static void test_once_records_and_resumes(void **state)
{
	struct qe_config cfg;
	struct qe_agent *a;
	struct qe_agent_report r;
	struct qe_store *st;
	struct qe_group g;
	char *log = qe_xasprintf("%s/app.log", tmp);
	(void)state;
	memset(&seen, 0, sizeof(seen));
	fake_wall = 0;
	config(&cfg);
	append(log, "2026-11-22 10:00:00 INFO up\n"
		    "2026-11-22 10:00:01 ERROR disk quota exceeded on volume 7\n"
		    "2026-11-22 10:00:02 ERROR disk quota exceeded on volume 9\n"
		    "2026-11-22 10:00:03 ERROR connection refused by db-1\n");
	a = agent(&cfg, 1, 1);
	assert_non_null(a);
	assert_int_equal(qe_agent_add(a, log), 0);
	assert_int_equal(qe_agent_run(a), 0);
	qe_agent_get_report(a, &r);
	assert_int_equal(r.lines, 4);
	assert_int_equal(r.events, 3);
	qe_agent_free(a);
	assert_int_equal(seen.events, 3);
	assert_int_equal(seen.news, 2);
	assert_int_equal(seen.not_configured, 3);
	assert_int_equal(seen.errors, 0);

	/* the next run reads only what is new, and knows the groups */
	memset(&seen, 0, sizeof(seen));
	append(log, "2026-11-22 10:00:04 ERROR disk quota exceeded on volume 3\n");
	a = agent(&cfg, 1, 1);
	assert_int_equal(qe_agent_add(a, log), 0);
	assert_int_equal(qe_agent_run(a), 0);
	qe_agent_free(a);
	assert_int_equal(seen.events, 1);
	assert_int_equal(seen.news, 0);
	assert_int_equal(seen.last_count, 3);

	st = qe_store_open(cfg.state_dir, QE_STORE_READONLY);
	assert_non_null(st);
	assert_int_equal(qe_store_group_total(st), 2);
	assert_int_equal(qe_store_counter_get(st, "events"), 4);
	assert_int_equal(qe_store_counter_get(st, "lines_read"), 5);
	{
		struct qe_store_agent_status as;
		qe_store_agent_status_get(st, &as);
		assert_int_equal(as.pid, 0); /* a clean exit clears it */
	}
	(void)g;
	qe_store_close(st);
	free(log);
	qe_config_release(&cfg);
}

/* Files a and b: a ends on an error and goes quiet; b keeps writing
 * errors.  a's event must close on its own idle deadline, not wait for
 * b to go quiet. */
struct busy {
	struct qe_agent *a;
	char *b;
};

static void on_busy_timer(struct qe_loop *loop, int id, void *data)
{
	struct busy *bz = data;
	char line[128];
	(void)loop;
	(void)id;
	if (b_lines >= 60) {
		qe_agent_stop(bz->a);
		return;
	}
	snprintf(line, sizeof(line), "2026-11-22 10:00:00 ERROR worker %d stalled\n",
		 b_lines);
	append(bz->b, line);
	b_lines++;
}

static void test_idle_deadline_per_source(void **state)
{
	struct qe_config cfg;
	struct busy bz;
	char *alog = qe_xasprintf("%s/a.log", tmp);
	(void)state;
	memset(&seen, 0, sizeof(seen));
	fake_wall = 0;
	b_lines = 0;
	config(&cfg);
	cfg.idle_timeout_ms = 200;
	bz.b = qe_xasprintf("%s/b.log", tmp);
	append(alog, "");
	append(bz.b, "");
	bz.a = agent(&cfg, 0, 1);
	assert_non_null(bz.a);
	assert_int_equal(qe_agent_add(bz.a, alog), 0);
	assert_int_equal(qe_agent_add(bz.a, bz.b), 0);
	append(alog, "2026-11-22 10:00:00 ERROR payment gateway timed out\n");
	assert_true(qe_loop_timer_add(qe_agent_loop(bz.a), 50, 50, on_busy_timer, &bz) >=
		    0);
	assert_int_equal(qe_agent_run(bz.a), 0);
	qe_agent_free(bz.a);
	/* b wrote for 3 s (60 lines, one per 50 ms); a's error came after
	 * about 200 ms of quiet, long before b stopped */
	assert_true(seen.b_lines_when_a != 0);
	assert_true(seen.b_lines_when_a < 40);
	free(bz.b);
	free(alog);
	qe_config_release(&cfg);
}

#define DAY_MS (86400LL * 1000)

/* A year of activity, one agent run a day: 100 errors of their own and a
 * few that recur every day.  With the default policy the database stays
 * bounded, and what summary and advice read still works. */
static void test_year_of_retention(void **state)
{
	struct qe_config cfg;
	struct qe_store *st;
	struct stat sb;
	char *log = qe_xasprintf("%s/app.log", tmp),
	     *once = qe_xasprintf("%s/once.log", tmp);
	char *db;
	int day, i;
	long long groups, total = 0;
	char *json = NULL;
	(void)state;
	config(&cfg);
	append(once, "2026-01-01 ERROR written once, then never again\n");
	for (day = 0; day < 365; day++) {
		struct qe_agent *a;
		char line[160];
		fake_wall = 1767225600000LL + day * DAY_MS; /* 2026-01-01 */
		for (i = 0; i < 100; i++) {
			/* a trace groups by its type: one type per error */
			int n = day * 100 + i;
			snprintf(line, sizeof(line),
				 "Traceback (most recent call last):\n"
				 "  File \"/app/job.py\", line 7, in run\n"
				 "Quota%c%c%c%cError: over the limit\n",
				 'A' + n % 26, 'a' + n / 26 % 26, 'a' + n / 676 % 26,
				 'a' + n / 17576 % 26);
			append(log, line);
		}
		append(log, "ERROR connection refused by the database\n");
		memset(&seen, 0, sizeof(seen));
		a = agent(&cfg, 1, 1);
		assert_non_null(a);
		assert_int_equal(qe_agent_add(a, log), 0);
		if (day == 0)
			assert_int_equal(qe_agent_add(a, once), 0);
		assert_int_equal(qe_agent_run(a), 0);
		qe_agent_free(a);
		total += seen.events;
	}
	assert_true(total >= 365 * 100);
	db = qe_xasprintf("%s/qerrors.db", cfg.state_dir);
	st = qe_store_open(cfg.state_dir, 0);
	assert_non_null(st);
	/* bounded: the last 90 days' groups (plus the recurring one) */
	groups = qe_store_group_total(st);
	assert_true(groups <= 91 * 100 + 1);
	assert_true(groups >= 89 * 100);
	{
		/* the file read only on the first day has no position left */
		struct qe_offset o;
		assert_int_equal(qe_store_offset_get(st, once, &o), 0);
	}
	/* summary's query: the last week */
	{
		long long n = qe_store_group_count_between(
		    st, "0000000000000000", fake_wall - 7 * DAY_MS, fake_wall);
		assert_int_equal(n, 0);
	}
	/* advice put and get after pruning */
	assert_int_equal(qe_store_advice_put(st, "00000000000000ab", "m", 1, "{}", 1, 1,
					     0, -1, fake_wall),
			 0);
	assert_int_equal(
	    qe_store_advice_get(st, "00000000000000ab", "m", 1, fake_wall, &json), 1);
	free(json);
	qe_store_close(st);
	assert_int_equal(stat(db, &sb), 0);
	/* the stated bound: 8 MiB for ~9,000 groups and 35 days of counts */
	assert_true(sb.st_size < 8 * 1024 * 1024);
	fprintf(stderr, "year: %lld events, %lld groups kept, database %lld bytes\n",
		total, groups, (long long)sb.st_size);
	free(db);
	free(log);
	free(once);
	fake_wall = 0;
	qe_config_release(&cfg);
}

/* Each file gets the options of the first source that takes it: a glob
 * whose exclude leaves a file out hands it to the next one that matches. */
static void test_source_options(void **state)
{
	static const char line[] = "{\"level\":\"error\",\"text\":\"payment failed\"}\n";
	static char b_name[] = "b.log";
	char *const exclude[] = {b_name};
	struct qe_source_opts mapped;
	struct qe_config cfg;
	struct qe_agent *a;
	char *a_log = qe_xasprintf("%s/a.log", tmp),
	     *b_log = qe_xasprintf("%s/b.log", tmp);
	char *c_log = qe_xasprintf("%s/c.log.1", tmp);
	char *logs = qe_xasprintf("%s/*.log", tmp), *all = qe_xasprintf("%s/*", tmp);
	(void)state;
	memset(&seen, 0, sizeof(seen));
	fake_wall = 0;
	config(&cfg);
	cfg.tail_exclude = qe_xcalloc(1, sizeof(char *));
	cfg.tail_exclude[0] = qe_xstrdup("*.1");
	cfg.nr_tail_exclude = 1;
	append(a_log, line);
	append(b_log, line);
	append(c_log, line);
	memset(&mapped, 0, sizeof(mapped));
	mapped.format = "json";
	mapped.fields.message = "text";
	mapped.exclude = exclude;
	mapped.nr_exclude = 1;
	a = agent(&cfg, 1, 1);
	assert_non_null(a);
	mapped.format = "xml";
	assert_int_equal(qe_agent_add_source(a, logs, &mapped), -1);
	assert_non_null(strstr(qe_last_error(), "'xml'"));
	mapped.format = "json";
	assert_int_equal(qe_agent_add_source(a, logs, &mapped), 0);
	mapped.format = NULL; /* copied: what the caller does after does not count */
	mapped.fields.message = NULL;
	assert_int_equal(qe_agent_add(a, all), 0);
	assert_int_equal(qe_agent_run(a), 0);
	qe_agent_free(a);
	assert_int_equal(seen.errors, 0);
	/* a.log: the first glob's field name */
	assert_string_equal(seen.message[0], "payment failed");
	/* b.log: left out by it, read by the second with the built-in names */
	assert_non_null(strstr(seen.message[1], "\"text\""));
	/* c.log.1: tail.exclude applies to every source */
	assert_string_equal(seen.message[2], "");
	assert_int_equal(seen.events, 2);
	free(a_log);
	free(b_log);
	free(c_log);
	free(logs);
	free(all);
	qe_config_release(&cfg);
}

/* The saved position of path (-1 when none) and the file's size. */
static long long saved_pos(const char *state_dir, const char *path, long long *size)
{
	struct qe_store *st = qe_store_open(state_dir, QE_STORE_READONLY);
	struct qe_offset o;
	struct stat sb;
	long long pos = -1;
	assert_non_null(st);
	memset(&o, 0, sizeof(o));
	if (qe_store_offset_get(st, path, &o) == 1)
		pos = (long long)o.offset;
	qe_offset_release(&o);
	qe_store_close(st);
	*size = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
	return pos;
}

/* quiet.log gets ordinary lines only, busy.log errors: the periodic
 * commits save busy's position with its events, and leave quiet's for
 * later, until POSITION_DEFER_MS (10 s of the wall clock) has passed;
 * a stop saves both. */
struct defer {
	struct qe_agent *a;
	const char *state, *quiet, *busy;
	int step;
	long long busy_pos, busy_size, quiet_pos, quiet_size, quiet_later,
	    quiet_later_size;
};

static void on_defer_timer(struct qe_loop *loop, int id, void *data)
{
	struct defer *d = data;
	char line[128];
	(void)loop;
	(void)id;
	d->step++;
	fake_wall += 40;
	if (d->step <= 10) {
		snprintf(line, sizeof(line),
			 "2026-11-22 10:00:00 INFO request %d served\n", d->step);
		append(d->quiet, line);
		snprintf(line, sizeof(line),
			 "2026-11-22 10:00:00 ERROR worker %d stalled\n", d->step);
		append(d->busy, line);
	} else if (d->step == 16) {
		d->busy_pos = saved_pos(d->state, d->busy, &d->busy_size);
		d->quiet_pos = saved_pos(d->state, d->quiet, &d->quiet_size);
		fake_wall += 10000;
		append(d->quiet, "2026-11-22 10:00:00 INFO one more\n");
	} else if (d->step == 22) {
		d->quiet_later = saved_pos(d->state, d->quiet, &d->quiet_later_size);
		append(d->quiet, "2026-11-22 10:00:00 INFO the last\n");
	} else if (d->step == 23) {
		qe_agent_stop(d->a);
	}
}

static void test_quiet_positions_wait(void **state)
{
	struct qe_config cfg;
	struct defer d;
	char *quiet = qe_xasprintf("%s/quiet.log", tmp),
	     *busy = qe_xasprintf("%s/busy.log", tmp);
	long long pos, size;
	(void)state;
	memset(&seen, 0, sizeof(seen));
	memset(&d, 0, sizeof(d));
	fake_wall = 1764000000000LL;
	config(&cfg);
	cfg.idle_timeout_ms = 20;
	cfg.commit_interval_ms = 20;
	append(quiet, "");
	append(busy, "");
	d.a = agent(&cfg, 0, 1);
	assert_non_null(d.a);
	d.state = cfg.state_dir;
	d.quiet = quiet;
	d.busy = busy;
	assert_int_equal(qe_agent_add(d.a, quiet), 0);
	assert_int_equal(qe_agent_add(d.a, busy), 0);
	assert_true(qe_loop_timer_add(qe_agent_loop(d.a), 40, 40, on_defer_timer, &d) >=
		    0);
	assert_int_equal(qe_agent_run(d.a), 0);
	qe_agent_free(d.a);
	assert_int_equal(seen.errors, 0);
	assert_int_equal(seen.events, 10);
	/* the events' file: saved to its end with them */
	assert_true(d.busy_size > 0);
	assert_int_equal(d.busy_pos, d.busy_size);
	/* the quiet file: saved when opened, then left for later */
	assert_int_equal(d.quiet_pos, 0);
	assert_true(d.quiet_size > 0);
	/* 10 s on: saved at the next commit */
	assert_true(d.quiet_later > d.quiet_size);
	assert_int_equal(d.quiet_later, d.quiet_later_size);
	/* a stop saves every position */
	pos = saved_pos(cfg.state_dir, quiet, &size);
	assert_true(size > d.quiet_later_size);
	assert_int_equal(pos, size);
	free(quiet);
	free(busy);
	qe_config_release(&cfg);
}

/* A --once scan arms no idle timer, so the time a line came is never
 * used: the monotonic clock is not read once a line. */
static int clock_reads;
static uint64_t counting_now(void)
{
	clock_reads++;
	return 1000;
}

static void test_once_no_clock_per_line(void **state)
{
	struct qe_config cfg;
	struct qe_agent_opts o;
	struct qe_agent_output out = {on_event, NULL, NULL, on_notice, NULL};
	enum qe_agent_failure why;
	struct qe_agent *a;
	struct qe_agent_report r;
	char *log = qe_xasprintf("%s/many.log", tmp);
	FILE *f = fopen(log, "w");
	int i;
	(void)state;
	assert_non_null(f);
	/* lines the assembler sees (others are skipped unread): a trace
	 * of many frames, then ordinary lines */
	fputs("Traceback (most recent call last):\n", f);
	for (i = 0; i < 1000; i++)
		fprintf(f, "  File \"/app/m%d.py\", line %d, in f%d\n    g()\n", i, i, i);
	fputs("ValueError: bad value\n", f);
	fclose(f);
	memset(&seen, 0, sizeof(seen));
	config(&cfg);
	memset(&o, 0, sizeof(o));
	o.once = 1;
	o.from_beginning = 1;
	o.now_ms = counting_now;
	clock_reads = 0;
	a = qe_agent_new(&cfg, &o, &out, &why);
	assert_non_null(a);
	assert_int_equal(qe_agent_add(a, log), 0);
	assert_int_equal(qe_agent_run(a), 0);
	qe_agent_get_report(a, &r);
	qe_agent_free(a);
	assert_int_equal(r.lines, 2002);
	assert_int_equal(seen.events, 1);
	if (clock_reads >= 100)
		fail_msg("%d clock reads for 2002 lines", clock_reads);
	free(log);
	qe_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_once_records_and_resumes, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_idle_deadline_per_source, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_year_of_retention, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_source_options, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quiet_positions_wait, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_once_no_clock_per_line, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
