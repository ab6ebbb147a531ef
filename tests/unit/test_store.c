/* Unit tests for lib/store.c: the SQLite state database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "event.h"
#include "statedir.h"
#include "store.h"
#include "util.h"

#define HOUR 3600000LL
/* A fixed "now": 2024-01-01 10:30:00 UTC, in the middle of an hour. */
#define T0 1704105000000LL

static char tmp[64];
static char last_warning[1024];
static int nr_warnings;

static void on_warning(const char *msg)
{
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
	nr_warnings++;
}

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
	snprintf(tmp, sizeof(tmp), "/tmp/qe-store-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	last_warning[0] = '\0';
	nr_warnings = 0;
	qe_set_warning_handler(on_warning);
	qe_clear_error();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	qe_set_warning_handler(NULL);
	return nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *sub(const char *rel)
{
	return qe_xasprintf("%s/%s", tmp, rel);
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static struct qe_store *open_ok(const char *dir, int flags)
{
	struct qe_store *s = qe_store_open(dir, flags);
	if (!s)
		fail_msg("open '%s': %s", dir, qe_last_error());
	return s;
}

static struct qe_event *mkevent(const char *fp, const char *type, const char *msg,
				const char *tmpl)
{
	struct qe_event *ev = qe_event_new("java", "java-exception");
	free(ev->message);
	ev->message = qe_xstrdup(msg);
	ev->type = type ? qe_xstrdup(type) : NULL;
	ev->template = tmpl ? qe_xstrdup(tmpl) : NULL;
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%s", fp);
	return ev;
}

static void record(struct qe_store *s, const char *fp, int64_t now, int n)
{
	struct qe_event *ev = mkevent(fp, "E", "msg", NULL);
	int i, is_new;
	for (i = 0; i < n; i++)
		assert_int_equal(qe_store_record_event(s, ev, "sample", now, &is_new), 0);
	qe_event_free(ev);
}

static const char *pragma_text(struct qe_store *s, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(qe_store_sqlite(s), sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

/* The schema of version 6 as its release made it, keyed by fingerprint:
 * databases of older releases are made from it for the upgrade tests. */
static const char v6_schema[] =
    "CREATE TABLE groups (fingerprint TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL,"
    " type TEXT, template TEXT NOT NULL, message TEXT NOT NULL, severity TEXT NOT"
    " NULL, sample TEXT, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " count INTEGER NOT NULL DEFAULT 0, source TEXT);"
    "CREATE INDEX groups_last_seen ON groups(last_seen);"
    "CREATE TABLE occurrences (fingerprint TEXT NOT NULL REFERENCES"
    " groups(fingerprint) ON DELETE CASCADE, hour INTEGER NOT NULL, count INTEGER"
    " NOT NULL, PRIMARY KEY (fingerprint, hour)) WITHOUT ROWID;"
    "CREATE INDEX occurrences_hour ON occurrences(hour);"
    "CREATE TABLE advice (fingerprint TEXT NOT NULL, model TEXT NOT NULL,"
    " prompt_version INTEGER NOT NULL, json TEXT NOT NULL, created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL DEFAULT 0, last_used INTEGER NOT NULL, hits INTEGER"
    " NOT NULL DEFAULT 0, tokens_prompt INTEGER NOT NULL DEFAULT 0,"
    " tokens_completion INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (fingerprint, model, prompt_version));"
    "CREATE INDEX advice_last_used ON advice(last_used);"
    "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);"
    "CREATE TABLE kv (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
    "CREATE TABLE advice_failures (fingerprint TEXT PRIMARY KEY NOT NULL, model TEXT"
    " NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL, at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE offsets (dev INTEGER NOT NULL, ino INTEGER NOT NULL, head_hash"
    " INTEGER NOT NULL, head_len INTEGER NOT NULL, path TEXT NOT NULL, offset INTEGER"
    " NOT NULL, size INTEGER NOT NULL, rotated INTEGER NOT NULL DEFAULT 0, updated"
    " INTEGER NOT NULL, format TEXT, PRIMARY KEY (dev, ino));"
    "CREATE INDEX offsets_path ON offsets(path, updated);"
    "CREATE TABLE group_sources (fingerprint TEXT NOT NULL REFERENCES"
    " groups(fingerprint) ON DELETE CASCADE, source TEXT NOT NULL, first_seen INTEGER"
    " NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL,"
    " PRIMARY KEY (fingerprint, source)) WITHOUT ROWID;"
    "CREATE TABLE journal_cursors (source TEXT PRIMARY KEY NOT NULL, cursor TEXT NOT"
    " NULL, entries INTEGER NOT NULL DEFAULT 0, last_entry INTEGER NOT NULL DEFAULT"
    " 0, updated INTEGER NOT NULL);"
    "PRAGMA application_id = 1902473842;"
    "PRAGMA user_version = 6;";

/* A version 6 database in dir with the rows of sql, then the statements
 * of older (run with foreign keys on, as the store does). */
static void make_v6(const char *dir, const char *sql, const char *older)
{
	char *db = qe_xasprintf("%s/qerrors.db", dir);
	sqlite3 *h;
	int fd;

	assert_int_equal(mkdir(dir, 0700), 0);
	fd = open(db, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA foreign_keys = ON", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, v6_schema, NULL, NULL, NULL), SQLITE_OK);
	if (sql)
		assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	if (older)
		assert_int_equal(sqlite3_exec(h, older, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	free(db);
}

/* Run fn in a child process as an unprivileged user when we are root
 * (permissions do not apply to root); returns the child's exit status. */
static int run_as_user(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(99);
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int child_default_dir(void)
{
	char *d;
	int bad = 0;

	setenv("XDG_STATE_HOME", "/x/state", 1);
	d = qe_statedir_default();
	bad |= !d || strcmp(d, "/x/state/qerrors");
	free(d);
	/* A relative XDG_STATE_HOME is ignored, as the spec says. */
	setenv("XDG_STATE_HOME", "rel", 1);
	setenv("HOME", "/h", 1);
	d = qe_statedir_default();
	bad |= !d || strcmp(d, "/h/.local/state/qerrors");
	free(d);
	unsetenv("XDG_STATE_HOME");
	d = qe_statedir_default();
	bad |= !d || strcmp(d, "/h/.local/state/qerrors");
	free(d);
	return bad;
}

static void test_default_dir(void **state)
{
	(void)state;
	if (geteuid() == 0) {
		char *d = qe_statedir_default();
		assert_string_equal(d, "/var/lib/qerrors");
		free(d);
	}
	assert_int_equal(run_as_user(child_default_dir), 0);
}

static void test_create_permissions(void **state)
{
	char *dir = sub("a/b/state"), *db, *wal, *shm;
	mode_t old = umask(022);
	struct qe_store *s = open_ok(dir, 0);

	umask(old);
	db = qe_xasprintf("%s/qerrors.db", dir);
	wal = qe_xasprintf("%s-wal", db);
	shm = qe_xasprintf("%s-shm", db);
	assert_string_equal(qe_store_dir(s), dir);
	assert_string_equal(qe_store_path(s), db);
	assert_int_equal(mode_of(dir), 0700);
	assert_int_equal(mode_of(db), 0600);
	record(s, "f1", T0, 1);
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(shm), 0600);
	/* A new directory is not worth a warning. */
	assert_int_equal(nr_warnings, 0);
	qe_store_close(s);
	free(dir);
	free(db);
	free(wal);
	free(shm);
}

static void test_loose_permissions(void **state)
{
	char *dir = sub("loose"), *db = sub("loose/qerrors.db");
	struct qe_store *s;
	int fd;

	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	fd = open(db, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(db, 0644), 0);

	s = open_ok(dir, 0);
	assert_int_equal(mode_of(db), 0600);
	/* The user's directory is left alone, with a warning. */
	assert_int_equal(mode_of(dir), 0755);
	assert_true(nr_warnings >= 1);
	qe_store_close(s);

	nr_warnings = 0;
	last_warning[0] = '\0';
	s = open_ok(dir, 0);
	assert_int_equal(nr_warnings, 1);
	assert_non_null(strstr(last_warning, "accessible by other users"));
	assert_non_null(strstr(last_warning, dir));
	qe_store_close(s);
	free(dir);
	free(db);
}

static void test_pragmas(void **state)
{
	char *dir = sub("st"), buf[64];
	struct qe_store *s = open_ok(dir, 0);

	assert_string_equal(pragma_text(s, "PRAGMA journal_mode", buf, sizeof(buf)),
			    "wal");
	assert_string_equal(pragma_text(s, "PRAGMA synchronous", buf, sizeof(buf)), "1");
	assert_string_equal(pragma_text(s, "PRAGMA foreign_keys", buf, sizeof(buf)), "1");
	assert_string_equal(pragma_text(s, "PRAGMA user_version", buf, sizeof(buf)), "7");
	assert_string_equal(pragma_text(s, "PRAGMA wal_autocheckpoint", buf, sizeof(buf)),
			    "4000");
	assert_string_equal(pragma_text(s, "PRAGMA journal_size_limit", buf, sizeof(buf)),
			    "4194304");
	assert_string_equal(pragma_text(s, "PRAGMA cache_size", buf, sizeof(buf)),
			    "-4096");
	qe_store_close(s);

	/* Reopening an up-to-date database changes nothing. */
	s = open_ok(dir, 0);
	assert_string_equal(pragma_text(s, "PRAGMA user_version", buf, sizeof(buf)), "7");
	assert_string_equal(pragma_text(s, "PRAGMA journal_mode", buf, sizeof(buf)),
			    "wal");
	qe_store_close(s);
	free(dir);
}

static void test_reopen(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_group g;

	record(s, "f1", T0, 3);
	assert_int_equal(qe_store_counter_add(s, "lines_read", 42), 0);
	qe_store_close(s);

	s = open_ok(dir, 0);
	assert_int_equal(qe_store_group_get(s, "f1", &g), 1);
	assert_int_equal(g.count, 3);
	qe_group_release(&g);
	assert_int_equal(qe_store_counter_get(s, "lines_read"), 42);
	qe_store_close(s);

	s = open_ok(dir, QE_STORE_READONLY);
	assert_int_equal(qe_store_group_get(s, "f1", &g), 1);
	assert_int_equal(g.count, 3);
	qe_group_release(&g);
	qe_store_close(s);
	free(dir);
}

static void test_record_event(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_event *ev =
	    mkevent("00000000000000aa", "java.io.IOException", "read failed for id 42",
		    "read failed for id <num>");
	struct qe_event *ev2 = mkevent("00000000000000bb", NULL, "disk is gone", NULL);
	struct qe_group g;
	int is_new = -1;

	ev->severity = QE_SEV_CRITICAL;
	assert_int_equal(qe_store_record_event(s, ev, "first sample", T0, &is_new), 0);
	assert_int_equal(is_new, 1);
	assert_int_equal(
	    qe_store_record_event(s, ev, "second sample", T0 + 1000, &is_new), 0);
	assert_int_equal(is_new, 0);
	/* Events may arrive out of order (several files). */
	assert_int_equal(qe_store_record_event(s, ev, "third", T0 - 2 * HOUR, &is_new),
			 0);
	assert_int_equal(is_new, 0);

	assert_int_equal(qe_store_group_get(s, "00000000000000aa", &g), 1);
	assert_string_equal(g.fingerprint, "00000000000000aa");
	assert_string_equal(g.kind, "java");
	assert_string_equal(g.type, "java.io.IOException");
	assert_string_equal(g.template, "read failed for id <num>");
	assert_string_equal(g.message, "read failed for id 42");
	assert_string_equal(g.severity, "critical");
	assert_string_equal(g.sample, "first sample");
	assert_int_equal(g.first_seen, T0 - 2 * HOUR);
	assert_int_equal(g.last_seen, T0 + 1000);
	assert_int_equal(g.count, 3);
	qe_group_release(&g);

	/* No template: the message stands in; no type stays NULL. */
	assert_int_equal(qe_store_record_event(s, ev2, NULL, T0, &is_new), 0);
	assert_int_equal(is_new, 1);
	assert_int_equal(qe_store_group_get(s, "00000000000000bb", &g), 1);
	assert_null(g.type);
	assert_null(g.sample);
	assert_string_equal(g.template, "disk is gone");
	assert_string_equal(g.severity, "error");
	qe_group_release(&g);

	assert_int_equal(qe_store_group_get(s, "nope", &g), 0);
	assert_null(g.fingerprint);

	/* Hour buckets: T0 holds 2, T0 - 2h holds 1. */
	assert_int_equal(qe_store_group_count_between(s, "00000000000000aa", 0, 0), 3);
	assert_int_equal(qe_store_group_count_between(s, "00000000000000aa", T0, T0 + 1),
			 2);
	assert_int_equal(
	    qe_store_group_count_between(s, "00000000000000aa", T0 - 3 * HOUR, T0 - HOUR),
	    1);
	assert_int_equal(
	    qe_store_group_count_between(s, "00000000000000aa", T0 - HOUR, T0 - HOUR / 2),
	    0);
	/* The bucket of T0 starts at 10:00, so a window ending there excludes it. */
	assert_int_equal(qe_store_group_count_between(s, "00000000000000aa",
						      T0 - 2 * HOUR, T0 - HOUR / 2),
			 1);
	assert_int_equal(qe_store_group_count_between(s, "nope", 0, 0), 0);

	/* An event without a fingerprint is refused. */
	ev2->fingerprint[0] = '\0';
	assert_int_equal(qe_store_record_event(s, ev2, NULL, T0, &is_new), -1);
	assert_non_null(strstr(qe_last_error(), "fingerprint"));

	qe_event_free(ev);
	qe_event_free(ev2);
	qe_store_close(s);
	free(dir);
}

static void test_record_events_count(void **state)
{
	char *dir = sub("stn");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_event *ev = mkevent("00000000000000cc", "E", "folded", NULL);
	struct qe_group g;
	int is_new = -1;

	/* 7 occurrences folded into one write, then 3 more */
	assert_int_equal(
	    qe_store_record_events(s, ev, "sample", T0 - 500, T0, 7, &is_new), 0);
	assert_int_equal(is_new, 1);
	assert_int_equal(
	    qe_store_record_events(s, ev, NULL, T0 + 10, T0 + 20, 3, &is_new), 0);
	assert_int_equal(is_new, 0);
	assert_int_equal(qe_store_group_get(s, "00000000000000cc", &g), 1);
	assert_int_equal(g.count, 10);
	assert_int_equal(g.first_seen, T0 - 500);
	assert_int_equal(g.last_seen, T0 + 20);
	assert_string_equal(g.sample, "sample");
	qe_group_release(&g);
	assert_int_equal(qe_store_group_count_between(s, "00000000000000cc", 0, 0), 10);
	qe_event_free(ev);
	qe_store_close(s);
	free(dir);
}

static void test_record_speed(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_event *ev = mkevent("x", "E", "m", NULL);
	struct timespec a, b;
	double secs;
	int i, is_new;

	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(qe_store_begin(s), 0);
	for (i = 0; i < 20000; i++) {
		snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%016x", i % 500);
		assert_int_equal(
		    qe_store_record_event(s, ev, "s", T0 + i * 1000LL, &is_new), 0);
	}
	assert_int_equal(qe_store_commit(s), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	/* Thousands per second, with room for sanitizers and slow machines. */
	assert_true(secs < 10.0);
	assert_int_equal(qe_store_group_count_between(s, "0000000000000000", 0, 0), 40);
	qe_event_free(ev);
	qe_store_close(s);
	free(dir);
}

struct seen {
	char fp[8][32];
	long long window[8], count[8];
	int n, stop_after;
};

static int collect(const struct qe_group *g, long long window, void *data)
{
	struct seen *seen = data;
	if (seen->n < 8) {
		snprintf(seen->fp[seen->n], sizeof(seen->fp[0]), "%s", g->fingerprint);
		seen->window[seen->n] = window;
		seen->count[seen->n] = g->count;
	}
	seen->n++;
	return seen->stop_after && seen->n >= seen->stop_after;
}

static void test_groups(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct seen seen;

	/* a: many long ago, one recently; b: three recently; c: only old. */
	record(s, "a", T0 - 48 * HOUR, 10);
	record(s, "a", T0, 1);
	record(s, "b", T0 - 10, 3);
	record(s, "c", T0 - 30 * HOUR, 2);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(qe_store_groups(s, T0 - HOUR, T0 + HOUR, collect, &seen), 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.fp[0], "b");
	assert_int_equal(seen.window[0], 3);
	assert_string_equal(seen.fp[1], "a");
	assert_int_equal(seen.window[1], 1);
	assert_int_equal(seen.count[1], 11);

	/* Everything: total counts decide. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(qe_store_groups(s, 0, 0, collect, &seen), 0);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.fp[0], "a");
	assert_int_equal(seen.window[0], 11);
	assert_string_equal(seen.fp[1], "b");
	assert_string_equal(seen.fp[2], "c");

	/* Last day: c's occurrences are outside; a has one. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(qe_store_groups(s, T0 - 24 * HOUR, 0, collect, &seen), 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.fp[0], "b");
	assert_string_equal(seen.fp[1], "a");

	/* A window in the past: last_seen >= since but the window ends
	 * before the recent occurrences. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(
	    qe_store_groups(s, T0 - 50 * HOUR, T0 - 40 * HOUR, collect, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.fp[0], "a");
	assert_int_equal(seen.window[0], 10);

	/* Equal window counts: the larger total comes first. */
	record(s, "c", T0, 3);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(qe_store_groups(s, T0 - HOUR, 0, collect, &seen), 0);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.fp[0], "c");
	assert_string_equal(seen.fp[1], "b");

	/* The callback stops the iteration. */
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 1;
	assert_int_equal(qe_store_groups(s, 0, 0, collect, &seen), 0);
	assert_int_equal(seen.n, 1);

	qe_store_close(s);
	free(dir);
}

/* A callback that calls back into the store while the outer query runs. */
static int nested(const struct qe_group *g, long long window, void *data)
{
	struct qe_store *s = data;
	struct seen inner;
	memset(&inner, 0, sizeof(inner));
	(void)window;
	if (qe_store_groups(s, 0, 0, collect, &inner) < 0 || inner.n != 2)
		return -1;
	return qe_store_counter_add(s, g->fingerprint, 1) < 0;
}

static void test_nested_iteration(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);

	record(s, "a", T0, 2);
	record(s, "b", T0, 1);
	assert_int_equal(qe_store_groups(s, 0, 0, nested, s), 0);
	assert_int_equal(qe_store_counter_get(s, "a"), 1);
	assert_int_equal(qe_store_counter_get(s, "b"), 1);
	qe_store_close(s);
	free(dir);
}

static void test_advice(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_cache_entry e;
	char *json = NULL;

	assert_int_equal(qe_store_advice_get(s, "f1", "m", 1, T0, &json), 0);
	assert_null(json);
	assert_int_equal(qe_store_counter_get(s, "cache_misses"), 1);

	assert_int_equal(
	    qe_store_advice_put(s, "f1", "m", 1, "{\"a\":1}", 100, 20, 60, 10, T0), 0);
	assert_int_equal(qe_store_advice_get(s, "f1", "m", 1, T0 + 1000, &json), 1);
	assert_string_equal(json, "{\"a\":1}");
	free(json);
	assert_int_equal(qe_store_advice_get(s, "f1", "m", 1, T0 + 2000, &json), 1);
	free(json);
	assert_int_equal(qe_store_counter_get(s, "cache_hits"), 2);

	assert_int_equal(qe_store_cache_get_any(s, "f1", &e), 1);
	assert_string_equal(e.model, "m");
	assert_int_equal(e.prompt_version, 1);
	assert_int_equal(e.hits, 2);
	assert_int_equal(e.last_used, T0 + 2000);
	assert_int_equal(e.created, T0);
	assert_int_equal(e.expires, T0 + 60000);
	assert_int_equal(e.tokens_prompt, 100);
	assert_int_equal(e.tokens_completion, 20);
	qe_cache_entry_release(&e);

	/* Another model or prompt version is a different entry. */
	assert_int_equal(qe_store_advice_get(s, "f1", "other", 1, T0, &json), 0);
	assert_int_equal(qe_store_advice_get(s, "f1", "m", 2, T0, &json), 0);

	/* Expired: a miss, although the entry is still there. */
	assert_int_equal(qe_store_advice_get(s, "f1", "m", 1, T0 + 60000, &json), 0);
	assert_null(json);
	assert_int_equal(qe_store_counter_get(s, "cache_misses"), 4);
	assert_int_equal(qe_store_cache_count(s), 1);

	/* ttl 0: never expires. */
	assert_int_equal(qe_store_advice_put(s, "f2", "m", 1, "{}", 1, 1, 0, 10, T0 + 5),
			 0);
	assert_int_equal(qe_store_advice_get(s, "f2", "m", 1, INT64_MAX / 2, &json), 1);
	free(json);
	assert_int_equal(qe_store_cache_prune(s, T0 + 60000), 1);
	assert_int_equal(qe_store_cache_count(s), 1);
	assert_int_equal(qe_store_cache_get_any(s, "f1", &e), 0);

	/* Replacing an entry keeps one row and resets its hits. */
	assert_int_equal(
	    qe_store_advice_put(s, "f2", "m", 1, "{\"v\":2}", 5, 6, 0, 10, T0 + 9), 0);
	assert_int_equal(qe_store_cache_count(s), 1);
	assert_int_equal(qe_store_cache_get_any(s, "f2", &e), 1);
	assert_string_equal(e.json, "{\"v\":2}");
	assert_int_equal(e.hits, 0);
	assert_int_equal(e.expires, 0);
	qe_cache_entry_release(&e);

	/* get_any returns the newest across models. */
	assert_int_equal(
	    qe_store_advice_put(s, "f2", "m2", 1, "{\"v\":3}", 0, 0, 0, 10, T0 + 99), 0);
	assert_int_equal(qe_store_cache_get_any(s, "f2", &e), 1);
	assert_string_equal(e.model, "m2");
	qe_cache_entry_release(&e);

	assert_int_equal(qe_store_cache_clear(s, "f2"), 2);
	assert_int_equal(qe_store_cache_count(s), 0);
	qe_store_close(s);
	free(dir);
}

static int count_entries(const struct qe_cache_entry *e, void *data)
{
	char *names = data;
	strcat(names, e->fingerprint);
	return 0;
}

static void test_advice_lru(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	char names[64] = "";
	char *json;

	assert_int_equal(qe_store_advice_put(s, "a", "m", 1, "{}", 0, 0, 0, 3, T0 + 1),
			 0);
	assert_int_equal(qe_store_advice_put(s, "b", "m", 1, "{}", 0, 0, 0, 3, T0 + 2),
			 0);
	assert_int_equal(qe_store_advice_put(s, "c", "m", 1, "{}", 0, 0, 0, 3, T0 + 3),
			 0);
	/* Using a makes b the least recently used. */
	assert_int_equal(qe_store_advice_get(s, "a", "m", 1, T0 + 4, &json), 1);
	free(json);
	assert_int_equal(qe_store_advice_put(s, "d", "m", 1, "{}", 0, 0, 0, 3, T0 + 5),
			 0);
	assert_int_equal(qe_store_cache_count(s), 3);
	assert_int_equal(qe_store_cache_list(s, count_entries, names), 0);
	assert_string_equal(names, "dac");

	/* An expired entry goes before a live one, however recent. */
	assert_int_equal(qe_store_advice_put(s, "e", "m", 1, "{}", 0, 0, 1, 3, T0 + 6),
			 0);
	assert_int_equal(
	    qe_store_advice_put(s, "f", "m", 1, "{}", 0, 0, 0, 3, T0 + 10000), 0);
	names[0] = '\0';
	assert_int_equal(qe_store_cache_list(s, count_entries, names), 0);
	assert_string_equal(names, "fda");

	/* limit 0: caching off, nothing stored. */
	assert_int_equal(
	    qe_store_advice_put(s, "g", "m", 1, "{}", 0, 0, 0, 0, T0 + 20000), 0);
	assert_int_equal(qe_store_cache_count(s), 3);
	assert_int_equal(qe_store_advice_get(s, "g", "m", 1, T0 + 20000, &json), 0);

	/* limit < 0: unlimited. */
	assert_int_equal(
	    qe_store_advice_put(s, "h", "m", 1, "{}", 0, 0, 0, -1, T0 + 20000), 0);
	assert_int_equal(qe_store_cache_count(s), 4);
	/* The new entry survives eviction even with a skewed clock. */
	assert_int_equal(qe_store_advice_put(s, "i", "m", 1, "{}", 0, 0, 0, 1, T0), 0);
	assert_int_equal(qe_store_cache_count(s), 1);
	assert_int_equal(qe_store_advice_get(s, "i", "m", 1, T0, &json), 1);
	free(json);

	assert_int_equal(qe_store_cache_clear(s, NULL), 1);
	assert_int_equal(qe_store_cache_count(s), 0);
	qe_store_close(s);
	free(dir);
}

struct ctr {
	char names[128];
	long long sum;
};

static int each_counter(const char *name, long long value, void *data)
{
	struct ctr *c = data;
	strcat(c->names, name);
	strcat(c->names, ",");
	c->sum += value;
	return 0;
}

static void test_counters(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct ctr c;

	assert_int_equal(qe_store_counter_get(s, "lines_read"), 0);
	assert_int_equal(qe_store_counter_add(s, "lines_read", 5), 0);
	assert_int_equal(qe_store_counter_add(s, "lines_read", 7), 0);
	assert_int_equal(qe_store_counter_add(s, "ai_requests", 1), 0);
	assert_int_equal(qe_store_counter_add(s, "ai_requests", -1), 0);
	assert_int_equal(qe_store_counter_add(s, "big", 5000000000LL), 0);
	assert_int_equal(qe_store_counter_get(s, "lines_read"), 12);
	assert_int_equal(qe_store_counter_get(s, "ai_requests"), 0);
	assert_int_equal(qe_store_counter_get(s, "big"), 5000000000LL);
	memset(&c, 0, sizeof(c));
	assert_int_equal(qe_store_counters(s, each_counter, &c), 0);
	assert_string_equal(c.names, "ai_requests,big,lines_read,");
	assert_int_equal(c.sum, 5000000012LL);
	qe_store_close(s);
	free(dir);
}

/* In a transaction the counters are written at the commit: a reader sees
 * them then, the writer at once; a rollback takes them back; more names
 * than are held, or a long one, are written on the spot. */
static void test_counters_in_transaction(void **state)
{
	char *dir = sub("st"), name[64];
	struct qe_store *s = open_ok(dir, 0), *ro;
	struct ctr c;
	int i;

	ro = open_ok(dir, QE_STORE_READONLY);
	assert_int_equal(qe_store_counter_add(s, "a", 1), 0); /* no transaction */
	assert_int_equal(qe_store_counter_get(ro, "a"), 1);

	assert_int_equal(qe_store_begin(s), 0);
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "n%02d", i);
		assert_int_equal(qe_store_counter_add(s, name, i), 0);
		assert_int_equal(qe_store_counter_add(s, name, 100), 0);
	}
	assert_int_equal(qe_store_counter_add(s, "a", 2), 0);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(qe_store_counter_add(s, name, 7), 0);
	assert_int_equal(qe_store_counter_get(ro, "a"), 1);
	assert_int_equal(qe_store_counter_get(s, "a"), 3);
	assert_int_equal(qe_store_counter_get(s, "n11"), 111);
	memset(&c, 0, sizeof(c));
	assert_int_equal(qe_store_counters(s, each_counter, &c), 0);
	assert_int_equal(c.sum, 3 + 12 * 100 + 66 + 7);
	assert_int_equal(qe_store_counter_add(s, "a", 4), 0);
	assert_int_equal(qe_store_commit(s), 0);
	assert_int_equal(qe_store_counter_get(ro, "a"), 7);
	assert_int_equal(qe_store_counter_get(ro, "n00"), 100);
	assert_int_equal(qe_store_counter_get(ro, name), 7);

	assert_int_equal(qe_store_begin(s), 0);
	assert_int_equal(qe_store_counter_add(s, "a", 10), 0);
	assert_int_equal(qe_store_counter_add(s, "z", 10), 0);
	assert_int_equal(qe_store_rollback(s), 0);
	assert_int_equal(qe_store_counter_get(s, "a"), 7);
	assert_int_equal(qe_store_counter_get(s, "z"), 0);
	assert_int_equal(qe_store_begin(s), 0);
	assert_int_equal(qe_store_commit(s), 0);
	assert_int_equal(qe_store_counter_get(ro, "a"), 7);
	assert_int_equal(qe_store_counter_get(ro, "z"), 0);
	qe_store_close(ro);
	qe_store_close(s);
	free(dir);
}

static int each_offset(const struct qe_offset *o, void *data)
{
	int *n = data;
	(*n)++;
	return strcmp(o->path, "/var/log/a.log") != 0 &&
	       strcmp(o->path, "/var/log/b.log") != 0;
}

struct found {
	int n;
	uint64_t ino[8];
	int rotated[8];
};

static int each_find(const struct qe_offset *o, void *data)
{
	struct found *f = data;
	if (f->n < 8) {
		f->ino[f->n] = o->ino;
		f->rotated[f->n] = o->rotated;
	}
	f->n++;
	return 0;
}

static void test_offsets(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_offset o = {0}, got;
	char path_a[] = "/var/log/a.log", path_b[] = "/var/log/b.log";
	struct found find = {0};
	int n = 0;

	o.path = path_a;
	o.dev = UINT64_MAX;
	o.ino = (uint64_t)INT64_MAX + 1;
	o.head_hash = 0xfedcba9876543210ULL;
	o.head_len = 4096;
	o.offset = 123456789012ULL;
	o.size = 123456789999ULL;
	o.updated = T0;
	assert_int_equal(qe_store_offset_put(s, &o), 0);
	qe_store_close(s);

	s = open_ok(dir, 0);
	assert_int_equal(qe_store_offset_get(s, "/var/log/a.log", &got), 1);
	assert_string_equal(got.path, "/var/log/a.log");
	assert_true(got.dev == UINT64_MAX);
	assert_true(got.ino == (uint64_t)INT64_MAX + 1);
	assert_true(got.head_hash == 0xfedcba9876543210ULL);
	assert_true(got.head_len == 4096);
	assert_true(got.offset == 123456789012ULL);
	assert_true(got.size == 123456789999ULL);
	assert_int_equal(got.updated, T0);
	qe_offset_release(&got);

	o.offset = 5;
	assert_int_equal(qe_store_offset_put(s, &o), 0);
	assert_int_equal(qe_store_offset_get(s, "/var/log/a.log", &got), 1);
	assert_true(got.offset == 5);
	assert_int_equal(got.rotated, 0);
	qe_offset_release(&got);

	/* Rotated: the old file keeps its row under the path it was
	 * followed as; the new file at that path gets a row of its own. */
	o.rotated = 1;
	o.updated = T0 + 1;
	assert_int_equal(qe_store_offset_put(s, &o), 0);
	o.rotated = 0;
	o.ino = 7;
	o.offset = 9;
	o.updated = T0 + 2;
	assert_int_equal(qe_store_offset_put(s, &o), 0);
	o.path = path_b;
	o.ino = 8;
	assert_int_equal(qe_store_offset_put(s, &o), 0);
	assert_int_equal(qe_store_offset_get(s, "/var/log/a.log", &got), 1);
	assert_true(got.ino == 7 && got.offset == 9);
	qe_offset_release(&got);
	/* By identity first, then the rows of the path. */
	assert_int_equal(
	    qe_store_offset_find(s, "/var/log/a.log", UINT64_MAX, 8, each_find, &find),
	    0);
	assert_int_equal(find.n, 3);
	assert_true(find.ino[0] == 8 && find.ino[1] == 7 &&
		    find.ino[2] == (uint64_t)INT64_MAX + 1);
	assert_int_equal(find.rotated[2], 1);
	assert_int_equal(qe_store_offsets(s, each_offset, &n), 0);
	assert_int_equal(n, 2); /* the current row of each path */

	assert_int_equal(qe_store_offset_delete(s, "/var/log/a.log"), 0);
	assert_int_equal(qe_store_offset_get(s, "/var/log/a.log", &got), 0);
	assert_null(got.path);
	assert_int_equal(qe_store_offset_delete(s, "/var/log/none"), 0);
	qe_store_close(s);
	free(dir);
}

static void test_kv(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	char *v = NULL;

	assert_int_equal(qe_store_kv_get(s, "breaker", &v), 0);
	assert_null(v);
	assert_int_equal(qe_store_kv_put(s, "breaker", "{\"state\":\"open\"}"), 0);
	assert_int_equal(qe_store_kv_put(s, "breaker", "{\"state\":\"closed\"}"), 0);
	assert_int_equal(qe_store_kv_get(s, "breaker", &v), 1);
	assert_string_equal(v, "{\"state\":\"closed\"}");
	free(v);
	assert_int_equal(qe_store_kv_put(s, "breaker", NULL), 0);
	assert_int_equal(qe_store_kv_get(s, "breaker", &v), 0);
	qe_store_close(s);
	free(dir);
}

static void test_transactions(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_group g;

	assert_int_equal(qe_store_in_transaction(s), 0);
	assert_int_equal(qe_store_begin(s), 0);
	assert_int_equal(qe_store_in_transaction(s), 1);
	assert_int_equal(qe_store_begin(s), -1);
	assert_non_null(strstr(qe_last_error(), "already open"));
	record(s, "a", T0, 1);
	assert_int_equal(qe_store_rollback(s), 0);
	assert_int_equal(qe_store_in_transaction(s), 0);
	assert_int_equal(qe_store_group_get(s, "a", &g), 0);
	assert_int_equal(qe_store_rollback(s), 0);
	assert_int_equal(qe_store_commit(s), -1);

	assert_int_equal(qe_store_begin(s), 0);
	record(s, "a", T0, 1);
	assert_int_equal(qe_store_commit(s), 0);
	assert_int_equal(qe_store_group_get(s, "a", &g), 1);
	qe_group_release(&g);
	qe_store_close(s);
	free(dir);
}

static void test_lock(void **state)
{
	char *dir = sub("locked");
	char *want;
	int fd, fd2, status;
	pid_t pid;

	fd = qe_statedir_lock(dir);
	assert_true(fd >= 0);
	assert_int_equal(mode_of(dir), 0700);
	want = qe_xasprintf("state directory '%s' is in use by process %ld", dir,
			    (long)getpid());

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r = qe_statedir_lock(dir);
		int ok = r == QE_STATEDIR_BUSY && !strcmp(qe_last_error(), want);
		free(want);
		free(dir);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* The lock is per open file: a second open in this process fails too. */
	assert_int_equal(qe_statedir_lock(dir), QE_STATEDIR_BUSY);
	assert_string_equal(qe_last_error(), want);

	close(fd);
	fd2 = qe_statedir_lock(dir);
	assert_true(fd2 >= 0);
	close(fd2);
	free(want);
	free(dir);
}

static void test_readonly_while_writing(void **state)
{
	char *dir = sub("st");
	struct qe_store *w = open_ok(dir, 0), *r;
	struct qe_group g;
	struct seen seen;
	struct timespec a, b;
	char *json;

	record(w, "committed", T0, 2);
	assert_int_equal(
	    qe_store_advice_put(w, "committed", "m", 1, "{}", 0, 0, 0, 10, T0), 0);
	assert_int_equal(qe_store_begin(w), 0);
	record(w, "pending", T0, 1);
	record(w, "committed", T0, 1);

	clock_gettime(CLOCK_MONOTONIC, &a);
	r = open_ok(dir, QE_STORE_READONLY);
	assert_int_equal(qe_store_group_get(r, "committed", &g), 1);
	assert_int_equal(g.count, 2);
	qe_group_release(&g);
	assert_int_equal(qe_store_group_get(r, "pending", &g), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(qe_store_groups(r, 0, 0, collect, &seen), 0);
	assert_int_equal(seen.n, 1);
	/* A reader's cache lookup leaves no trace. */
	assert_int_equal(qe_store_advice_get(r, "committed", "m", 1, T0, &json), 1);
	free(json);
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* Nothing waited for the writer's lock (busy timeout is 5 s). */
	assert_true(b.tv_sec - a.tv_sec < 3);

	/* Writes through a read-only store fail clearly. */
	assert_int_equal(qe_store_counter_add(r, "x", 1), -1);
	assert_non_null(strstr(qe_last_error(), "read-only"));
	assert_non_null(strstr(qe_last_error(), qe_store_path(r)));

	assert_int_equal(qe_store_commit(w), 0);
	assert_int_equal(qe_store_group_get(r, "pending", &g), 1);
	qe_group_release(&g);
	assert_int_equal(qe_store_counter_get(r, "cache_hits"), 0);
	qe_store_close(r);
	qe_store_close(w);

	/* With the writer gone (WAL checkpointed and removed), readers still open. */
	r = open_ok(dir, QE_STORE_READONLY);
	assert_int_equal(qe_store_group_get(r, "pending", &g), 1);
	qe_group_release(&g);
	qe_store_close(r);
	free(dir);
}

static void test_readonly_missing(void **state)
{
	char *dir = sub("nothing"), *want;

	want = qe_xasprintf("no state database at '%s/qerrors.db' (run 'qerrors tail' or "
			    "'qerrors analyze' first)",
			    dir);
	assert_null(qe_store_open(dir, QE_STORE_READONLY));
	assert_string_equal(qe_last_error(), want);
	/* A reader creates nothing. */
	assert_int_equal(access(dir, F_OK), -1);

	assert_int_equal(mkdir(dir, 0700), 0);
	qe_clear_error();
	assert_null(qe_store_open(dir, QE_STORE_READONLY));
	assert_string_equal(qe_last_error(), want);
	free(want);
	free(dir);
}

static void test_corrupt(void **state)
{
	char *dir = sub("st"), *db = sub("st/qerrors.db");
	char junk[8192];
	int fd;

	memset(junk, 'x', sizeof(junk));
	assert_int_equal(mkdir(dir, 0700), 0);
	fd = open(db, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);

	assert_null(qe_store_open(dir, 0));
	assert_non_null(strstr(qe_last_error(), "corrupt"));
	assert_non_null(strstr(qe_last_error(), db));
	assert_null(qe_store_open(dir, QE_STORE_READONLY));
	assert_non_null(strstr(qe_last_error(), "corrupt"));
	free(dir);
	free(db);
}

/* A state written before positions were keyed by identity: its rows are
 * kept, one per file. */
static void test_offsets_upgrade(void **state)
{
	char *dir = sub("st");
	struct qe_store *s;
	struct qe_offset got;
	const char *v1 =
	    "DROP TABLE group_sources;"
	    "ALTER TABLE groups DROP COLUMN source;"
	    "DROP TABLE advice_failures;"
	    "DROP TABLE journal_cursors;"
	    "DROP TABLE offsets;"
	    "CREATE TABLE offsets (path TEXT PRIMARY KEY NOT NULL, dev INTEGER NOT NULL,"
	    " ino INTEGER NOT NULL, head_hash INTEGER NOT NULL, head_len INTEGER NOT "
	    "NULL,"
	    " offset INTEGER NOT NULL, size INTEGER NOT NULL, updated INTEGER NOT NULL);"
	    "INSERT INTO offsets VALUES ('/l/a.log', 1, 2, 3, 4, 50, 60, 70);"
	    "INSERT INTO offsets VALUES ('/l/b.log', 1, 9, 3, 4, 5, 6, 7);"
	    "PRAGMA user_version = 1;";

	make_v6(dir, NULL, v1);
	s = open_ok(dir, 0);
	assert_int_equal(qe_store_offset_get(s, "/l/a.log", &got), 1);
	assert_true(got.dev == 1 && got.ino == 2 && got.offset == 50 && got.size == 60);
	assert_int_equal(got.rotated, 0);
	qe_offset_release(&got);
	assert_int_equal(qe_store_offset_get(s, "/l/b.log", &got), 1);
	assert_true(got.ino == 9 && got.offset == 5);
	qe_offset_release(&got);
	qe_store_close(s);
	free(dir);
}

static void test_foreign_and_newer(void **state)
{
	char *dir = sub("st"), *db = sub("st/qerrors.db");
	struct qe_store *s;
	sqlite3 *h;

	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE t(x)", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);
	assert_null(qe_store_open(dir, 0));
	assert_non_null(strstr(qe_last_error(), "not a qerrors state database"));
	assert_int_equal(unlink(db), 0);

	s = open_ok(dir, 0);
	assert_int_equal(sqlite3_exec(qe_store_sqlite(s), "PRAGMA user_version = 99",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	qe_store_close(s);
	assert_null(qe_store_open(dir, 0));
	assert_non_null(strstr(qe_last_error(), "newer"));
	assert_null(qe_store_open(dir, QE_STORE_READONLY));
	assert_non_null(strstr(qe_last_error(), "newer"));
	free(dir);
	free(db);
}

static void test_disk_full(void **state)
{
	char *dir = sub("st"), *want, big[2000];
	struct qe_store *s = open_ok(dir, 0);
	struct qe_event *ev = mkevent("x", "E", "m", NULL);
	char buf[32];
	int i, is_new, r = 0;

	/* Cap the file at its current size: the next growth is SQLITE_FULL. */
	pragma_text(s, "PRAGMA page_count", buf, sizeof(buf));
	{
		char *sql = qe_xasprintf("PRAGMA max_page_count = %s", buf);
		pragma_text(s, sql, buf, sizeof(buf));
		free(sql);
	}
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 1000 && r == 0; i++) {
		snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%016x", i);
		r = qe_store_record_event(s, ev, big, T0, &is_new);
	}
	assert_int_equal(r, -1);
	want =
	    qe_xasprintf("cannot write state database '%s': disk full", qe_store_path(s));
	assert_string_equal(qe_last_error(), want);
	/* The store is still usable for reads afterwards. */
	assert_true(qe_store_cache_count(s) == 0);
	free(want);
	qe_event_free(ev);
	qe_store_close(s);
	free(dir);
}

static char ro_dir[128];

static int child_readonly_dir(void)
{
	struct qe_store *s = qe_store_open(ro_dir, 0);
	if (s)
		return 1;
	if (!strstr(qe_last_error(), "cannot write state database") ||
	    !strstr(qe_last_error(), ro_dir) || !strstr(qe_last_error(), "not writable"))
		return 2;
	return 0;
}

static int child_unwritable_parent(void)
{
	char *d = qe_xasprintf("%s/sub", ro_dir);
	struct qe_store *s = qe_store_open(d, 0);
	int ret = 0;
	if (s)
		ret = 1;
	else if (!strstr(qe_last_error(), "cannot create state directory") ||
		 !strstr(qe_last_error(), d))
		ret = 2;
	free(d);
	return ret;
}

static void test_readonly_dir(void **state)
{
	snprintf(ro_dir, sizeof(ro_dir), "%s/ro", tmp);
	assert_int_equal(mkdir(ro_dir, 0555), 0);
	assert_int_equal(chmod(ro_dir, 0555), 0);
	/* Let the unprivileged child reach the directory. */
	assert_int_equal(chmod(tmp, 0755), 0);
	assert_int_equal(run_as_user(child_readonly_dir), 0);
	assert_int_equal(run_as_user(child_unwritable_parent), 0);
	assert_int_equal(chmod(ro_dir, 0700), 0);
}

/* Report queries: totals by severity and kind, fingerprint prefixes. */
struct totals {
	int n;
	char name[4][16];
	long long groups[4], events[4];
};

static int collect_total(const char *name, long long groups, long long events, void *data)
{
	struct totals *t = data;
	if (t->n >= 4)
		return 1;
	snprintf(t->name[t->n], sizeof(t->name[0]), "%s", name);
	t->groups[t->n] = groups;
	t->events[t->n] = events;
	t->n++;
	return 0;
}

struct fps {
	int n, stop_after;
	char fp[8][17];
};

static int collect_fp(const char *fp, void *data)
{
	struct fps *f = data;
	if (f->n < 8)
		snprintf(f->fp[f->n], sizeof(f->fp[0]), "%s", fp);
	f->n++;
	return f->stop_after && f->n >= f->stop_after;
}

static void record_kind(struct qe_store *s, const char *fp, const char *kind,
			enum qe_severity sev, int n)
{
	struct qe_event *ev = qe_event_new(kind, "r");
	int i, is_new;
	ev->severity = sev;
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%s", fp);
	for (i = 0; i < n; i++)
		assert_int_equal(qe_store_record_event(s, ev, "sample", T0, &is_new), 0);
	qe_event_free(ev);
}

static void test_report_queries(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct totals t;
	struct fps f;

	assert_int_equal(qe_store_group_total(s), 0);
	memset(&t, 0, sizeof(t));
	assert_int_equal(qe_store_group_totals(s, QE_STORE_BY_KIND, collect_total, &t),
			 0);
	assert_int_equal(t.n, 0);

	record_kind(s, "abcd0001", "java", QE_SEV_ERROR, 3);
	record_kind(s, "abcd0002", "java", QE_SEV_FATAL, 2);
	record_kind(s, "abce0003", "python", QE_SEV_ERROR, 5);
	assert_int_equal(qe_store_group_total(s), 3);

	memset(&t, 0, sizeof(t));
	assert_int_equal(qe_store_group_totals(s, QE_STORE_BY_KIND, collect_total, &t),
			 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.name[0], "java");
	assert_int_equal(t.groups[0], 2);
	assert_int_equal(t.events[0], 5);
	assert_string_equal(t.name[1], "python");
	assert_int_equal(t.events[1], 5);

	memset(&t, 0, sizeof(t));
	assert_int_equal(
	    qe_store_group_totals(s, QE_STORE_BY_SEVERITY, collect_total, &t), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.name[0], "error");
	assert_int_equal(t.groups[0], 2);
	assert_int_equal(t.events[0], 8);
	assert_string_equal(t.name[1], "fatal");
	assert_int_equal(t.events[1], 2);

	/* A cache-only fingerprint (analyze) and one in both places. */
	assert_int_equal(
	    qe_store_advice_put(s, "abcd0009", "m", 1, "{}", 0, 0, 0, -1, T0), 0);
	assert_int_equal(
	    qe_store_advice_put(s, "abcd0001", "m", 1, "{}", 0, 0, 0, -1, T0), 0);
	assert_int_equal(
	    qe_store_advice_put(s, "abcd0001", "m2", 1, "{}", 0, 0, 0, -1, T0), 0);

	memset(&f, 0, sizeof(f));
	assert_int_equal(
	    qe_store_fingerprints(s, "abcd", QE_STORE_FP_GROUPS, collect_fp, &f), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.fp[0], "abcd0001");
	assert_string_equal(f.fp[1], "abcd0002");

	memset(&f, 0, sizeof(f));
	assert_int_equal(
	    qe_store_fingerprints(s, "abcd", QE_STORE_FP_ADVICE, collect_fp, &f), 0);
	assert_int_equal(f.n, 2); /* distinct, though two models */
	assert_string_equal(f.fp[0], "abcd0001");
	assert_string_equal(f.fp[1], "abcd0009");

	memset(&f, 0, sizeof(f));
	assert_int_equal(qe_store_fingerprints(s, "abcd",
					       QE_STORE_FP_GROUPS | QE_STORE_FP_ADVICE,
					       collect_fp, &f),
			 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.fp[2], "abcd0009");

	/* "" matches everything; wildcards are not special; stop works. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(qe_store_fingerprints(s, "", QE_STORE_FP_GROUPS, collect_fp, &f),
			 0);
	assert_int_equal(f.n, 3);
	memset(&f, 0, sizeof(f));
	assert_int_equal(
	    qe_store_fingerprints(s, "abc%", QE_STORE_FP_GROUPS, collect_fp, &f), 0);
	assert_int_equal(f.n, 0);
	memset(&f, 0, sizeof(f));
	assert_int_equal(
	    qe_store_fingerprints(s, "abc_", QE_STORE_FP_GROUPS, collect_fp, &f), 0);
	assert_int_equal(f.n, 0);
	memset(&f, 0, sizeof(f));
	f.stop_after = 1;
	assert_int_equal(
	    qe_store_fingerprints(s, "ab", QE_STORE_FP_GROUPS, collect_fp, &f), 0);
	assert_int_equal(f.n, 1);
	memset(&f, 0, sizeof(f));
	assert_int_equal(
	    qe_store_fingerprints(s, "zz", QE_STORE_FP_GROUPS, collect_fp, &f), 0);
	assert_int_equal(f.n, 0);
	qe_store_close(s);

	/* The same answers from a read-only connection. */
	s = open_ok(dir, QE_STORE_READONLY);
	assert_int_equal(qe_store_group_total(s), 3);
	memset(&f, 0, sizeof(f));
	assert_int_equal(
	    qe_store_fingerprints(s, "abce", QE_STORE_FP_GROUPS, collect_fp, &f), 0);
	assert_int_equal(f.n, 1);
	qe_store_close(s);
	free(dir);
}

static void test_lock_pid(void **state)
{
	char *dir = sub("lockpid");
	int fd;

	assert_int_equal(qe_statedir_lock_pid(dir), 0); /* no directory yet */
	fd = qe_statedir_lock(dir);
	assert_true(fd >= 0);
	/* Read without taking the lock: the holder keeps it. */
	assert_int_equal(qe_statedir_lock_pid(dir), (long)getpid());
	assert_int_equal(qe_statedir_lock(dir), QE_STATEDIR_BUSY);
	close(fd);
	free(dir);
}

/* The source is kept with the sample: the first one wins, and a group
 * recorded without one gets the next one given. */
static void test_group_source(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_event *ev = mkevent("00000000000000aa", "E", "m", NULL);
	struct qe_event *old = mkevent("00000000000000bb", "E", "m", NULL);
	struct qe_group g;
	int is_new;

	assert_int_equal(qe_store_record_events_from(s, ev, "/var/log/a.log", "sample",
						     1000, 1000, 1, &is_new),
			 0);
	assert_int_equal(is_new, 1);
	assert_int_equal(qe_store_record_events_from(s, ev, "/var/log/b.log", "x", 2000,
						     2000, 2, &is_new),
			 0);
	assert_int_equal(is_new, 0);
	assert_int_equal(qe_store_group_get(s, ev->fingerprint, &g), 1);
	assert_string_equal(g.source, "/var/log/a.log");
	assert_string_equal(g.sample, "sample");
	assert_int_equal(g.count, 3);
	qe_group_release(&g);

	assert_int_equal(qe_store_record_event(s, old, "s", 1000, &is_new), 0);
	assert_int_equal(qe_store_group_get(s, old->fingerprint, &g), 1);
	assert_null(g.source);
	qe_group_release(&g);
	assert_int_equal(
	    qe_store_record_events_from(s, old, "stdin", NULL, 3000, 3000, 1, &is_new),
	    0);
	assert_int_equal(qe_store_group_get(s, old->fingerprint, &g), 1);
	assert_string_equal(g.source, "stdin");
	qe_group_release(&g);
	qe_event_free(ev);
	qe_event_free(old);
	qe_store_close(s);
	free(dir);
}

struct src_list {
	char source[8][64];
	int64_t first[8], last[8];
	long long count[8];
	int n;
};

static int on_source(const struct qe_group_source *src, void *data)
{
	struct src_list *w = data;
	if (w->n < 8) {
		snprintf(w->source[w->n], sizeof(w->source[0]), "%s", src->source);
		w->first[w->n] = src->first_seen;
		w->last[w->n] = src->last_seen;
		w->count[w->n] = src->count;
	}
	w->n++;
	return 0;
}

/* Every source of a group is counted on its own, most recent first; the
 * least recently seen go past QE_STORE_GROUP_SOURCES_MAX, and all go
 * with their group. */
static void test_group_sources(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_event *ev = mkevent("00000000000000a1", "E", "m", NULL);
	struct qe_event *other = mkevent("00000000000000a2", "E", "m", NULL);
	const char *pa = "/var/log/containers/web-1_shop_app-0a.log",
		   *pb = "/var/log/containers/web-2_shop_app-0b.log";
	struct src_list w;
	int i, is_new;

	assert_int_equal(
	    qe_store_record_events_from(s, ev, pa, "sample", 1000, 1500, 2, &is_new), 0);
	assert_int_equal(
	    qe_store_record_events_from(s, ev, pb, "", 2000, 2000, 1, &is_new), 0);
	assert_int_equal(
	    qe_store_record_events_from(s, ev, pa, "", 900, 3000, 4, &is_new), 0);
	/* no source: counted in the group, not as a source */
	assert_int_equal(qe_store_record_events(s, ev, "", 3500, 3500, 1, &is_new), 0);
	assert_int_equal(qe_store_record_events_from(s, other, "/var/log/x.log", "s", 10,
						     10, 1, &is_new),
			 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(qe_store_group_sources(s, ev->fingerprint, on_source, &w), 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.source[0], pa);
	assert_int_equal(w.count[0], 6);
	assert_int_equal(w.first[0], 900);
	assert_int_equal(w.last[0], 3000);
	assert_string_equal(w.source[1], pb);
	assert_int_equal(w.count[1], 1);

	/* a group seen in more places than are kept keeps the most recent */
	for (i = 0; i < QE_STORE_GROUP_SOURCES_MAX + 3; i++) {
		char *p = qe_xasprintf("/var/log/containers/p-%d_ns_c-0%d.log", i, i);
		assert_int_equal(qe_store_record_events_from(s, ev, p, "", 10000 + i,
							     10000 + i, 1, &is_new),
				 0);
		free(p);
	}
	memset(&w, 0, sizeof(w));
	assert_int_equal(qe_store_group_sources(s, ev->fingerprint, on_source, &w), 0);
	assert_int_equal(w.n, QE_STORE_GROUP_SOURCES_MAX);
	assert_string_equal(w.source[0], "/var/log/containers/p-34_ns_c-034.log");
	assert_int_equal(w.last[0], 10034);

	/* the sources go with their group */
	assert_int_equal(
	    sqlite3_exec(qe_store_sqlite(s),
			 "DELETE FROM groups WHERE fingerprint = '00000000000000a1'",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	memset(&w, 0, sizeof(w));
	assert_int_equal(qe_store_group_sources(s, ev->fingerprint, on_source, &w), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(qe_store_group_sources(s, other->fingerprint, on_source, &w), 0);
	assert_int_equal(w.n, 1);
	qe_event_free(ev);
	qe_event_free(other);
	qe_store_close(s);
	free(dir);
}

/* A dump of what recording wrote: groups, hour buckets and sources. */
static char *dump_counts(struct qe_store *s)
{
	static const char *const sql =
	    "SELECT fingerprint || ' ' || kind || ' ' || coalesce(sample, '-') || ' ' ||"
	    " coalesce(source, '-') || ' ' || first_seen || ' ' || last_seen || ' ' ||"
	    " count FROM groups"
	    " UNION ALL SELECT g.fingerprint || ' h' || o.hour || ' ' || o.count"
	    " FROM occurrences o JOIN groups g ON g.id = o.group_id"
	    " UNION ALL SELECT g.fingerprint || ' s' || o.source || ' ' || o.first_seen"
	    " || ' ' || o.last_seen || ' ' || o.count"
	    " FROM group_sources o JOIN groups g ON g.id = o.group_id ORDER BY 1";
	struct qe_buf b = QE_BUF_INIT;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(qe_store_sqlite(s), sql, -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		qe_buf_addstr(&b, (const char *)sqlite3_column_text(st, 0));
		qe_buf_addch(&b, '\n');
	}
	sqlite3_finalize(st);
	return qe_buf_detach(&b);
}

/* A batch writes what the same entries recorded one by one would, with
 * one write per fingerprint to groups, per fingerprint and hour to
 * occurrences and per fingerprint and source to group_sources. */
static void test_record_batch(void **state)
{
	char *dir1 = sub("st1"), *dir2 = sub("st2"), *one, *all;
	struct qe_store *s1 = open_ok(dir1, 0), *s2 = open_ok(dir2, 0);
	struct qe_event *a = mkevent("00000000000000d1", "E", "a", NULL);
	struct qe_event *b = mkevent("00000000000000d2", "F", "b", NULL);
	struct qe_store_rec recs[12];
	const char *pa = "/var/log/a.log", *pb = "/var/log/b.log";
	int before, i, is_new;

	memset(recs, 0, sizeof(recs));
	for (i = 0; i < 12; i++) {
		recs[i].ev = i % 3 == 2 ? b : a;
		recs[i].source = i % 4 == 3 ? pb : i == 5 ? NULL : pa;
		recs[i].sample = i < 3 ? "first" : "";
		recs[i].first_ms = T0 + (i % 2) * HOUR - 10 * i;
		recs[i].now_ms = T0 + (i % 2) * HOUR + i;
		recs[i].count = i + 1;
	}
	for (i = 0; i < 12; i++)
		assert_int_equal(
		    qe_store_record_events_from(s1, recs[i].ev, recs[i].source,
						recs[i].sample, recs[i].first_ms,
						recs[i].now_ms, recs[i].count, &is_new),
		    0);
	assert_int_equal(qe_store_begin(s2), 0);
	assert_int_equal(qe_store_record_batch(s2, recs, 12), 0);
	assert_int_equal(qe_store_commit(s2), 0);
	for (i = 0; i < 12; i++) {
		assert_int_equal(recs[i].is_new, 1);
		assert_int_equal(recs[i].failed, 0);
	}
	one = dump_counts(s1);
	all = dump_counts(s2);
	assert_string_equal(all, one);
	assert_non_null(strstr(all, "00000000000000d1 java first /var/log/a.log"));
	free(one);
	free(all);

	/* known groups: one update per fingerprint, hour bucket and source */
	before = sqlite3_total_changes(qe_store_sqlite(s2));
	assert_int_equal(qe_store_record_batch(s2, recs, 12), 0);
	for (i = 0; i < 12; i++)
		assert_int_equal(recs[i].is_new, 0);
	/* groups 2, hours 2 + 2, sources: a from pa and pb, b from pa and pb */
	assert_int_equal(sqlite3_total_changes(qe_store_sqlite(s2)) - before, 2 + 4 + 4);
	for (i = 0; i < 12; i++)
		assert_int_equal(
		    qe_store_record_events_from(s1, recs[i].ev, recs[i].source,
						recs[i].sample, recs[i].first_ms,
						recs[i].now_ms, recs[i].count, &is_new),
		    0);
	one = dump_counts(s1);
	all = dump_counts(s2);
	assert_string_equal(all, one);
	free(one);
	free(all);

	/* a new group seen in more places than are kept keeps the most
	 * recent */
	{
		struct qe_event *c = mkevent("00000000000000d3", "E", "c", NULL);
		struct qe_store_rec many[QE_STORE_GROUP_SOURCES_MAX + 3];
		char paths[QE_STORE_GROUP_SOURCES_MAX + 3][32];
		struct src_list w;
		memset(many, 0, sizeof(many));
		for (i = 0; i < (int)QE_ARRAY_SIZE(many); i++) {
			snprintf(paths[i], sizeof(paths[i]), "/l/%02d.log", i);
			many[i].ev = c;
			many[i].source = paths[i];
			many[i].first_ms = many[i].now_ms = T0 + i;
			many[i].count = 1;
		}
		assert_int_equal(qe_store_record_batch(s2, many, QE_ARRAY_SIZE(many)), 0);
		memset(&w, 0, sizeof(w));
		assert_int_equal(
		    qe_store_group_sources(s2, c->fingerprint, on_source, &w), 0);
		assert_int_equal(w.n, QE_STORE_GROUP_SOURCES_MAX);
		assert_string_equal(w.source[0], paths[QE_ARRAY_SIZE(many) - 1]);
		qe_event_free(c);
	}

	/* an entry without a fingerprint fails alone */
	b->fingerprint[0] = '\0';
	assert_int_equal(qe_store_begin(s2), 0);
	assert_int_equal(qe_store_record_batch(s2, recs, 3), -1);
	assert_int_equal(qe_store_commit(s2), 0);
	assert_int_equal(recs[0].failed, 0);
	assert_int_equal(recs[1].failed, 0);
	assert_int_equal(recs[2].failed, 1);
	assert_int_equal(qe_store_record_batch(s2, recs, 0), 0);

	qe_event_free(a);
	qe_event_free(b);
	qe_store_close(s1);
	qe_store_close(s2);
	free(dir1);
	free(dir2);
}

/* A version 3 database: the source each group has becomes its first
 * counted source. */
static void test_upgrade_sources_from_3(void **state)
{
	char *dir = sub("st"), buf[64];
	struct qe_store *s;
	struct qe_event *ev = mkevent("00000000000000c3", "E", "m", NULL);
	struct src_list w;

	make_v6(
	    dir,
	    "INSERT INTO groups VALUES ('00000000000000c3', 'java', 'E', 'm', 'm',"
	    " 'error', 'x', 100, 200, 3, '/l/a.log');"
	    "INSERT INTO groups VALUES ('00000000000000c4', 'java', 'E', 'msg', 'msg',"
	    " 'error', 'sample', 300, 300, 1, NULL);"
	    "INSERT INTO occurrences VALUES ('00000000000000c3', 0, 3);"
	    "INSERT INTO occurrences VALUES ('00000000000000c4', 0, 1);",
	    "DROP TABLE group_sources; DROP TABLE journal_cursors;"
	    " ALTER TABLE offsets DROP COLUMN format;"
	    " PRAGMA user_version = 3");
	s = open_ok(dir, 0);
	assert_string_equal(pragma_text(s, "PRAGMA user_version", buf, sizeof(buf)), "7");
	memset(&w, 0, sizeof(w));
	assert_int_equal(qe_store_group_sources(s, ev->fingerprint, on_source, &w), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.source[0], "/l/a.log");
	assert_int_equal(w.count[0], 3);
	assert_int_equal(w.first[0], 100);
	assert_int_equal(w.last[0], 200);
	memset(&w, 0, sizeof(w));
	assert_int_equal(qe_store_group_sources(s, "00000000000000c4", on_source, &w), 0);
	assert_int_equal(w.n, 0);
	qe_event_free(ev);
	qe_store_close(s);
	free(dir);
}

struct hours {
	int64_t hour[8];
	long long count[8];
	int n;
};

static int on_hour(int64_t hour_ms, long long count, void *data)
{
	struct hours *h = data;
	if (h->n < 8) {
		h->hour[h->n] = hour_ms;
		h->count[h->n] = count;
		h->n++;
	}
	return 0;
}

static void test_group_hours(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	const int64_t h = 3600000, t0 = 1000 * h;
	struct hours got;

	record(s, "00000000000000cc", t0 + 10, 2);
	record(s, "00000000000000cc", t0 + 2 * h + 5, 3);
	record(s, "00000000000000cc", t0 + 5 * h, 1);
	record(s, "00000000000000dd", t0 + 2 * h, 7); /* another group */
	memset(&got, 0, sizeof(got));
	/* a bucket that overlaps the window counts whole */
	assert_int_equal(qe_store_group_hours(s, "00000000000000cc", t0 + h / 2,
					      t0 + 3 * h, on_hour, &got),
			 0);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.hour[0], t0);
	assert_int_equal(got.count[0], 2);
	assert_int_equal(got.hour[1], t0 + 2 * h);
	assert_int_equal(got.count[1], 3);
	qe_store_close(s);
	free(dir);
}

static void test_advice_failure(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0), *ro;
	struct qe_advice_failure f;
	const char *fp = "00000000000000ee";

	assert_int_equal(qe_store_advice_failure_get(s, fp, &f), 0);
	assert_null(f.message);
	assert_int_equal(qe_store_advice_failure_put(s, fp, "m1", "auth",
						     "the AI service refused", 5000),
			 0);
	assert_int_equal(qe_store_advice_failure_put(s, fp, "m2", "rejected",
						     "HTTP 404: add /v1", 9000),
			 0);
	/* the last failure is kept, with how many there were */
	assert_int_equal(qe_store_advice_failure_get(s, fp, &f), 1);
	assert_string_equal(f.fingerprint, fp);
	assert_string_equal(f.model, "m2");
	assert_string_equal(f.status, "rejected");
	assert_string_equal(f.message, "HTTP 404: add /v1");
	assert_int_equal(f.when, 9000);
	assert_int_equal(f.attempts, 2);
	qe_advice_failure_release(&f);
	qe_advice_failure_release(&f); /* safe twice */

	/* readers see it; they cannot write it */
	ro = open_ok(dir, QE_STORE_READONLY);
	assert_int_equal(qe_store_advice_failure_get(ro, fp, &f), 1);
	qe_advice_failure_release(&f);
	assert_int_equal(qe_store_advice_failure_put(ro, fp, "m", "auth", "x", 1), -1);
	qe_store_close(ro);

	assert_int_equal(qe_store_advice_failure_clear(s, fp), 0);
	assert_int_equal(qe_store_advice_failure_get(s, fp, &f), 0);
	qe_store_close(s);
	free(dir);
}

/* A database written before sources and failures were stored upgrades in
 * place and keeps its groups. */
static void test_upgrade_from_1(void **state)
{
	char *dir = sub("st"), buf[64];
	struct qe_store *s;
	struct qe_group g;

	make_v6(
	    dir,
	    "INSERT INTO groups VALUES ('00000000000000ff', 'java', 'E', 'msg', 'msg',"
	    " 'error', 'sample', 1000, 1000, 2, NULL);"
	    "INSERT INTO occurrences VALUES ('00000000000000ff', 0, 2);",
	    "DROP TABLE group_sources;"
	    "DROP TABLE advice_failures;"
	    "DROP TABLE journal_cursors;"
	    "ALTER TABLE groups DROP COLUMN source;"
	    "PRAGMA user_version = 1");
	/* a reader refuses the old schema and says what to do */
	assert_null(qe_store_open(dir, QE_STORE_READONLY));
	assert_non_null(strstr(qe_last_error(), "old schema (version 1)"));
	s = open_ok(dir, 0);
	assert_string_equal(pragma_text(s, "PRAGMA user_version", buf, sizeof(buf)), "7");
	assert_int_equal(qe_store_group_get(s, "00000000000000ff", &g), 1);
	assert_int_equal(g.count, 2);
	assert_null(g.source);
	qe_group_release(&g);
	assert_int_equal(
	    qe_store_advice_failure_put(s, "00000000000000ff", "m", "auth", "refused", 1),
	    0);
	qe_store_close(s);
	free(dir);
}

/* A single-integer query on the store's connection. */
static long long query_ll(struct qe_store *s, const char *sql)
{
	sqlite3_stmt *st;
	long long n;
	assert_int_equal(sqlite3_prepare_v2(qe_store_sqlite(s), sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* A version 6 database (keyed by fingerprint) takes integer group ids and
 * keeps every group, hour bucket and source, in the groups' old order;
 * rows of no group are left out; a new id is past every one in use. */
/* Every table, column, index and key of the database in dir, as text. */
static char *schema_of(const char *dir)
{
	static const char *const q[] = {
	    "SELECT 'table', name, type, ncol, wr, strict FROM pragma_table_list"
	    " WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name",
	    "SELECT 'column', t.name, c.cid, c.name, c.type, c.\"notnull\","
	    " c.dflt_value, c.pk, c.hidden FROM sqlite_master t,"
	    " pragma_table_xinfo(t.name) c WHERE t.type = 'table' ORDER BY 2, 3",
	    "SELECT 'index', t.name, i.name, i.\"unique\", i.origin, i.partial"
	    " FROM sqlite_master t, pragma_index_list(t.name) i"
	    " WHERE t.type = 'table' ORDER BY 2, 3",
	    "SELECT 'key', i.name, k.seqno, k.cid, k.name, k.\"desc\", k.coll, k.key"
	    " FROM sqlite_master i, pragma_index_xinfo(i.name) k"
	    " WHERE i.type = 'index' ORDER BY 2, 3",
	    "SELECT 'fk', t.name, f.id, f.seq, f.\"table\", f.\"from\", f.\"to\","
	    " f.on_update, f.on_delete FROM sqlite_master t,"
	    " pragma_foreign_key_list(t.name) f WHERE t.type = 'table' ORDER BY 2, 3, 4",
	    "PRAGMA user_version",
	    "PRAGMA application_id",
	};
	char *db = qe_xasprintf("%s/qerrors.db", dir);
	struct qe_buf b = QE_BUF_INIT;
	sqlite3 *h;
	size_t i;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	for (i = 0; i < QE_ARRAY_SIZE(q); i++) {
		sqlite3_stmt *st;
		int c;
		assert_int_equal(sqlite3_prepare_v2(h, q[i], -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *v = sqlite3_column_text(st, c);
				qe_buf_addf(&b, "%s|", v ? (const char *)v : "NULL");
			}
			qe_buf_addch(&b, '\n');
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	free(db);
	return qe_buf_detach(&b);
}

/* A new database is made from the schema of the last step at once: it
 * must be what the steps make of an old one. */
static void test_fresh_schema(void **state)
{
	char *old = sub("old"), *fresh = sub("fresh"), *a, *b;

	make_v6(old, NULL, NULL);
	qe_store_close(open_ok(old, 0));
	qe_store_close(open_ok(fresh, 0));
	a = schema_of(old);
	b = schema_of(fresh);
	assert_non_null(strstr(b, "column|groups|0|id|INTEGER|"));
	assert_non_null(strstr(b, "fk|occurrences|0|0|groups|group_id|id|"));
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(old);
	free(fresh);
}

static void test_upgrade_from_6(void **state)
{
	char *dir = sub("st"), buf[64];
	struct qe_store *s;
	struct qe_group g;
	struct hours h;
	struct src_list w;
	struct seen seen;
	struct qe_event *ev;
	char *json = NULL;
	int is_new;

	/* made in the order c9, a9, b9: not the order of their fingerprints */
	make_v6(
	    dir,
	    "INSERT INTO groups VALUES ('00000000000000c9', 'trace', 'IOError',"
	    " 'read <PATH>', 'read /x', 'fatal', 'line 1\nline 2', 10, 7300000, 9,"
	    " '/l/c.log');"
	    "INSERT INTO groups VALUES ('00000000000000a9', 'java', 'E', 'a <NUM>',"
	    " 'a 1', 'error', 'sample a', 20, 3700000, 5, '/l/a.log');"
	    "INSERT INTO groups VALUES ('00000000000000b9', 'line', NULL, 'b', 'b',"
	    " 'warning', NULL, 30, 40, 1, NULL);"
	    "INSERT INTO occurrences VALUES ('00000000000000a9', 0, 2);"
	    "INSERT INTO occurrences VALUES ('00000000000000a9', 3600000, 3);"
	    "INSERT INTO occurrences VALUES ('00000000000000b9', 0, 1);"
	    "INSERT INTO occurrences VALUES ('00000000000000c9', 0, 4);"
	    "INSERT INTO occurrences VALUES ('00000000000000c9', 3600000, 1);"
	    "INSERT INTO occurrences VALUES ('00000000000000c9', 7200000, 4);"
	    "INSERT INTO group_sources VALUES ('00000000000000a9', '/l/a.log', 20, 3000,"
	    " 2);"
	    "INSERT INTO group_sources VALUES ('00000000000000a9', '/l/b.log', 25,"
	    " 3700000, 3);"
	    "INSERT INTO group_sources VALUES ('00000000000000c9', '/l/c.log', 10,"
	    " 7300000, 9);"
	    "INSERT INTO advice VALUES ('00000000000000a9', 'm', 1, "
	    "'{\"summary\":\"s\"}',"
	    " 50, 0, 60, 2, 7, 8);"
	    /* left behind by a group deleted with foreign keys off */
	    "PRAGMA foreign_keys = OFF;"
	    "INSERT INTO occurrences VALUES ('00000000000000d9', 0, 6);"
	    "INSERT INTO group_sources VALUES ('00000000000000d9', '/l/d.log', 1, 2, 6);",
	    NULL);
	/* a reader asks for the upgrade */
	assert_null(qe_store_open(dir, QE_STORE_READONLY));
	assert_non_null(strstr(qe_last_error(), "old schema (version 6)"));
	s = open_ok(dir, 0);
	assert_string_equal(pragma_text(s, "PRAGMA user_version", buf, sizeof(buf)), "7");
	assert_string_equal(pragma_text(s, "PRAGMA integrity_check", buf, sizeof(buf)),
			    "ok");
	assert_int_equal(query_ll(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	assert_int_equal(query_ll(s, "SELECT count(*) FROM sqlite_master WHERE name LIKE "
				     "'%_v6'"),
			 0);
	assert_int_equal(query_ll(s, "SELECT count(*) FROM groups"), 3);
	assert_int_equal(query_ll(s, "SELECT count(*) FROM occurrences"), 6);
	assert_int_equal(query_ll(s, "SELECT count(*) FROM group_sources"), 3);
	assert_int_equal(query_ll(s,
				  "SELECT group_concat(fingerprint, ' ') = "
				  "'00000000000000c9 00000000000000a9 00000000000000b9'"
				  " FROM (SELECT fingerprint FROM groups ORDER BY id)"),
			 1);

	/* every column of every group */
	assert_int_equal(qe_store_group_get(s, "00000000000000c9", &g), 1);
	assert_string_equal(g.kind, "trace");
	assert_string_equal(g.type, "IOError");
	assert_string_equal(g.template, "read <PATH>");
	assert_string_equal(g.message, "read /x");
	assert_string_equal(g.severity, "fatal");
	assert_string_equal(g.sample, "line 1\nline 2");
	assert_string_equal(g.source, "/l/c.log");
	assert_true(g.first_seen == 10 && g.last_seen == 7300000 && g.count == 9);
	qe_group_release(&g);
	assert_int_equal(qe_store_group_get(s, "00000000000000a9", &g), 1);
	assert_string_equal(g.kind, "java");
	assert_string_equal(g.type, "E");
	assert_string_equal(g.template, "a <NUM>");
	assert_string_equal(g.message, "a 1");
	assert_string_equal(g.severity, "error");
	assert_string_equal(g.sample, "sample a");
	assert_string_equal(g.source, "/l/a.log");
	assert_true(g.first_seen == 20 && g.last_seen == 3700000 && g.count == 5);
	qe_group_release(&g);
	assert_int_equal(qe_store_group_get(s, "00000000000000b9", &g), 1);
	assert_string_equal(g.kind, "line");
	assert_null(g.type);
	assert_null(g.sample);
	assert_null(g.source);
	assert_true(g.first_seen == 30 && g.last_seen == 40 && g.count == 1);
	qe_group_release(&g);
	assert_int_equal(qe_store_group_get(s, "00000000000000d9", &g), 0);

	/* every hour bucket */
	memset(&h, 0, sizeof(h));
	assert_int_equal(qe_store_group_hours(s, "00000000000000c9", 0, 0, on_hour, &h),
			 0);
	assert_int_equal(h.n, 3);
	assert_true(h.hour[0] == 0 && h.count[0] == 4);
	assert_true(h.hour[1] == HOUR && h.count[1] == 1);
	assert_true(h.hour[2] == 2 * HOUR && h.count[2] == 4);
	memset(&h, 0, sizeof(h));
	assert_int_equal(qe_store_group_hours(s, "00000000000000a9", 0, 0, on_hour, &h),
			 0);
	assert_int_equal(h.n, 2);
	assert_true(h.hour[0] == 0 && h.count[0] == 2);
	assert_true(h.hour[1] == HOUR && h.count[1] == 3);
	memset(&h, 0, sizeof(h));
	assert_int_equal(qe_store_group_hours(s, "00000000000000b9", 0, 0, on_hour, &h),
			 0);
	assert_int_equal(h.n, 1);
	assert_true(h.hour[0] == 0 && h.count[0] == 1);
	assert_int_equal(qe_store_group_count_between(s, "00000000000000c9", HOUR, 0), 5);
	assert_int_equal(qe_store_group_count_between(s, "00000000000000d9", 0, 0), 0);

	/* every source */
	memset(&w, 0, sizeof(w));
	assert_int_equal(qe_store_group_sources(s, "00000000000000a9", on_source, &w), 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.source[0], "/l/b.log");
	assert_true(w.first[0] == 25 && w.last[0] == 3700000 && w.count[0] == 3);
	assert_string_equal(w.source[1], "/l/a.log");
	assert_true(w.first[1] == 20 && w.last[1] == 3000 && w.count[1] == 2);
	memset(&w, 0, sizeof(w));
	assert_int_equal(qe_store_group_sources(s, "00000000000000c9", on_source, &w), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.source[0], "/l/c.log");
	assert_true(w.first[0] == 10 && w.last[0] == 7300000 && w.count[0] == 9);
	memset(&w, 0, sizeof(w));
	assert_int_equal(qe_store_group_sources(s, "00000000000000b9", on_source, &w), 0);
	assert_int_equal(w.n, 0);

	/* the listing with a window: hours from the second on */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(qe_store_groups(s, HOUR, 0, collect, &seen), 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.fp[0], "00000000000000c9");
	assert_int_equal(seen.window[0], 5);
	assert_string_equal(seen.fp[1], "00000000000000a9");
	assert_int_equal(seen.window[1], 3);

	/* the advice is untouched */
	assert_int_equal(qe_store_advice_get(s, "00000000000000a9", "m", 1, 100, &json),
			 1);
	assert_string_equal(json, "{\"summary\":\"s\"}");
	free(json);

	/* recording goes on where the old rows left off */
	ev = mkevent("00000000000000a9", "E", "a 1", NULL);
	assert_int_equal(qe_store_record_events_from(s, ev, "/l/a.log", "x", HOUR + 5,
						     HOUR + 9, 2, &is_new),
			 0);
	assert_int_equal(is_new, 0);
	assert_int_equal(qe_store_group_count_between(s, "00000000000000a9", HOUR, 0), 5);
	memset(&w, 0, sizeof(w));
	assert_int_equal(qe_store_group_sources(s, "00000000000000a9", on_source, &w), 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.source[1], "/l/a.log");
	assert_true(w.last[1] == HOUR + 9 && w.count[1] == 4);
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%s", "00000000000000e9");
	assert_int_equal(
	    qe_store_record_events_from(s, ev, "/l/e.log", "e", 50, 60, 1, &is_new), 0);
	assert_int_equal(is_new, 1);
	assert_int_equal(
	    query_ll(s, "SELECT id FROM groups WHERE fingerprint = '00000000000000e9'"),
	    4);

	/* a group's hours and sources go with it */
	assert_int_equal(sqlite3_exec(qe_store_sqlite(s),
				      "DELETE FROM groups WHERE fingerprint IN"
				      " ('00000000000000a9', '00000000000000e9')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(query_ll(s, "SELECT count(*) FROM occurrences"), 4);
	assert_int_equal(query_ll(s, "SELECT count(*) FROM group_sources"), 1);
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%s", "00000000000000f9");
	assert_int_equal(
	    qe_store_record_events_from(s, ev, "/l/f.log", "f", 70, 80, 1, &is_new), 0);
	assert_int_equal(
	    query_ll(s, "SELECT id FROM groups WHERE fingerprint = '00000000000000f9'"),
	    4);
	/* rows left behind by a group deleted with foreign keys off (as the
	 * sqlite3 shell does) do not join the next group */
	assert_int_equal(
	    sqlite3_exec(qe_store_sqlite(s),
			 "PRAGMA foreign_keys = OFF;"
			 " DELETE FROM groups WHERE fingerprint = '00000000000000f9';"
			 " PRAGMA foreign_keys = ON",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%s", "00000000000000fa");
	assert_int_equal(
	    qe_store_record_events_from(s, ev, "/l/f.log", "f", 90, 95, 1, &is_new), 0);
	assert_int_equal(
	    query_ll(s, "SELECT id FROM groups WHERE fingerprint = '00000000000000fa'"),
	    5);
	assert_int_equal(qe_store_group_count_between(s, "00000000000000fa", 0, 0), 1);
	memset(&w, 0, sizeof(w));
	assert_int_equal(qe_store_group_sources(s, "00000000000000fa", on_source, &w), 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.count[0], 1);
	/* and in one transaction, one id after the other */
	assert_int_equal(qe_store_begin(s), 0);
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%s", "00000000000000fb");
	assert_int_equal(
	    qe_store_record_events_from(s, ev, NULL, "f", 90, 95, 1, &is_new), 0);
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%s", "00000000000000fc");
	assert_int_equal(
	    qe_store_record_events_from(s, ev, NULL, "f", 90, 95, 1, &is_new), 0);
	assert_int_equal(qe_store_commit(s), 0);
	assert_int_equal(
	    query_ll(s, "SELECT id FROM groups WHERE fingerprint = '00000000000000fc'"),
	    7);
	qe_event_free(ev);
	qe_store_close(s);

	/* and a reader opens it */
	s = open_ok(dir, QE_STORE_READONLY);
	assert_int_equal(qe_store_group_count_between(s, "00000000000000c9", 0, 0), 9);
	qe_store_close(s);
	free(dir);
}

struct tmpl_list {
	char id[4][32], tmpl[4][32];
	long long count[4];
	int n;
};

static int on_template(const struct qe_template_row *t, void *data)
{
	struct tmpl_list *l = data;
	if (l->n < 4) {
		snprintf(l->id[l->n], sizeof(l->id[0]), "%s", t->id);
		snprintf(l->tmpl[l->n], sizeof(l->tmpl[0]), "%s", t->tmpl);
		l->count[l->n] = t->count;
	}
	l->n++;
	return 0;
}

/* Learnt templates: put replaces the row of an id, delete removes it;
 * the table is made by the first put, again if the transaction that
 * made it was rolled back. */
static void test_templates(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_template_row t = {"00000000000000t1", "E", "a <*> b", 3, 100};
	struct tmpl_list l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(qe_store_templates(s, on_template, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(qe_store_begin(s), 0);
	assert_int_equal(qe_store_template_put(s, &t), 0);
	assert_int_equal(qe_store_rollback(s), 0);
	assert_int_equal(qe_store_templates(s, on_template, &l), 0);
	assert_int_equal(l.n, 0);

	assert_int_equal(qe_store_template_put(s, &t), 0);
	t.count = 5;
	assert_int_equal(qe_store_template_put(s, &t), 0);
	t.id = "00000000000000t2";
	t.tmpl = "c <*>";
	t.first_seen = 200;
	assert_int_equal(qe_store_template_put(s, &t), 0);
	assert_int_equal(qe_store_templates(s, on_template, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.id[0], "00000000000000t1");
	assert_string_equal(l.tmpl[0], "a <*> b");
	assert_int_equal(l.count[0], 5);
	assert_string_equal(l.id[1], "00000000000000t2");
	assert_int_equal(qe_store_template_delete(s, "00000000000000t1"), 0);
	assert_int_equal(qe_store_template_delete(s, "00000000000000t9"), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(qe_store_templates(s, on_template, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.id[0], "00000000000000t2");
	qe_store_close(s);
	free(dir);
}

struct jc_list {
	char src[4][64];
	size_t n;
};

static int jc_row(const struct qe_jcursor *c, void *data)
{
	struct jc_list *l = data;
	snprintf(l->src[l->n++], sizeof(l->src[0]), "%s", c->source);
	return 0;
}

/* Journal cursors: one row per source, replaced, listed by source. */
static void test_jcursors(void **state)
{
	char *dir = sub("st");
	struct qe_store *s = open_ok(dir, 0);
	struct qe_jcursor c = {0}, got;
	struct jc_list l;
	char src_a[] = "journal:nginx.service", src_b[] = "journal:/var/log/journal";
	char cur1[] = "s=1;i=2;b=3;m=4;t=5;x=6", cur2[] = "s=1;i=9;b=3;m=a;t=b;x=c",
	     empty[] = "";

	assert_int_equal(qe_store_jcursor_get(s, src_a, &got), 0);
	c.source = src_a;
	c.cursor = cur1;
	c.entries = 12;
	c.last_entry = T0 - 5;
	c.updated = T0;
	assert_int_equal(qe_store_jcursor_put(s, &c), 0);
	c.cursor = cur2;
	c.entries = 40;
	assert_int_equal(qe_store_jcursor_put(s, &c), 0);
	c.source = src_b;
	c.cursor = empty;
	c.entries = 0;
	assert_int_equal(qe_store_jcursor_put(s, &c), 0);
	c.cursor = NULL;
	assert_int_equal(qe_store_jcursor_put(s, &c), -1);
	qe_store_close(s);

	s = open_ok(dir, 0);
	assert_int_equal(qe_store_jcursor_get(s, src_a, &got), 1);
	assert_string_equal(got.cursor, cur2);
	assert_int_equal(got.entries, 40);
	assert_true(got.last_entry == T0 - 5 && got.updated == T0);
	qe_jcursor_release(&got);
	assert_int_equal(qe_store_jcursor_get(s, src_b, &got), 1);
	assert_string_equal(got.cursor, "");
	qe_jcursor_release(&got);
	memset(&l, 0, sizeof(l));
	assert_int_equal(qe_store_jcursors(s, jc_row, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.src[0], src_b);
	assert_string_equal(l.src[1], src_a);
	qe_store_close(s);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_default_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_permissions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loose_permissions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_event, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_events_count, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_speed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_groups, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nested_iteration, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_advice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_advice_lru, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_counters_in_transaction, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_offsets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_offsets_upgrade, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kv, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_while_writing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_and_newer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report_queries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lock_pid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_source, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_sources, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade_sources_from_3, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_hours, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_advice_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade_from_1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade_from_6, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fresh_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_templates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_jcursors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
