/* Unit tests for lib/fleet.c against a real redis-server on 127.0.0.1 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fleet.h"
#include "util.h"

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = value ? qe_xstrdup(value) : NULL;
}

static void test_not_wanted(void **state)
{
	struct qe_config c;
	struct qe_fleet_stats st;
	qe_config_init(&c);
	assert_int_equal(qe_fleet_wanted(&c), 0);
	assert_int_equal(qe_fleet_wanted(NULL), 0);
	qe_clear_error();
	assert_null(qe_fleet_new(&c));
	assert_string_equal(qe_last_error(), "");
	assert_string_equal(qe_fleet_state(NULL), "disabled");
	qe_fleet_stats(NULL, &st);
	assert_string_equal(st.state, "disabled");
	assert_int_equal(qe_fleet_count_add(NULL, "ab", 1), -1);
	qe_fleet_free(NULL);
	qe_config_release(&c);
}

#if defined(QE_HAVE_HIREDIS) && QE_HAVE_HIREDIS

#include <hiredis/hiredis.h>

static const char *redis_bin;
static char tmpdir[256];
static char sock_path[300];
static int port;
static pid_t server_pid = -1;
static int prefix_seq;

static const char *find_redis_server(void)
{
	static const char *const candidates[] = {"/usr/bin/redis-server",
						 "/usr/local/bin/redis-server",
						 "/usr/sbin/redis-server"};
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(candidates); i++)
		if (!access(candidates[i], X_OK))
			return candidates[i];
	return NULL;
}

static int free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static redisContext *raw_connect(void)
{
	struct timeval tv = {1, 0};
	redisContext *rc = redisConnectWithTimeout("127.0.0.1", port, tv);
	if (rc && rc->err) {
		redisFree(rc);
		return NULL;
	}
	return rc;
}

/* Start redis-server and wait (bounded) until it answers PING. */
static void server_start(void)
{
	char portbuf[16];
	int i;
	snprintf(portbuf, sizeof(portbuf), "%d", port);
	server_pid = fork();
	assert_true(server_pid >= 0);
	if (server_pid == 0) {
		int null = open("/dev/null", O_RDWR);
		/* never outlive a test that crashed */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(redis_bin, redis_bin, "--port", portbuf, "--bind", "127.0.0.1",
		      "--save", "", "--appendonly", "no", "--dir", tmpdir, "--unixsocket",
		      sock_path, "--unixsocketperm", "700", "--daemonize", "no",
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		redisContext *rc = raw_connect();
		if (rc) {
			redisReply *r = redisCommand(rc, "PING");
			int ok = r && r->type == REDIS_REPLY_STATUS;
			if (r)
				freeReplyObject(r);
			redisFree(rc);
			if (ok)
				return;
		}
		usleep(10000);
	}
	fail_msg("redis-server did not answer on port %d", port);
}

static void server_stop(int sig)
{
	if (server_pid <= 0)
		return;
	kill(server_pid, sig);
	while (waitpid(server_pid, NULL, 0) < 0 && errno == EINTR)
		;
	server_pid = -1;
}

static int group_setup(void **state)
{
	redis_bin = find_redis_server();
	if (!redis_bin)
		return 0;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/qe-fleet-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/redis.sock", tmpdir);
	port = free_port();
	server_start();
	return 0;
}

static int group_teardown(void **state)
{
	char path[400];
	server_stop(SIGTERM);
	if (tmpdir[0]) {
		snprintf(path, sizeof(path), "%s/dump.rdb", tmpdir);
		unlink(path);
		unlink(sock_path);
		rmdir(tmpdir);
	}
	return 0;
}

#define NEED_SERVER()                                                                    \
	do {                                                                             \
		if (!redis_bin)                                                          \
			skip();                                                          \
	} while (0)

/* A configuration for this server with a prefix no other test uses. */
static void fleet_config(struct qe_config *c, char prefix[32])
{
	char url[64];
	qe_config_init(c);
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", port);
	snprintf(prefix, 32, "t%d:", ++prefix_seq);
	set_str(&c->cache_backend, "redis");
	set_str(&c->redis_url, url);
	set_str(&c->redis_prefix, prefix);
}

static struct qe_fleet *new_fleet(struct qe_config *c)
{
	struct qe_fleet *f = qe_fleet_new(c);
	if (!f)
		fail_msg("qe_fleet_new: %s", qe_last_error());
	return f;
}

static redisReply *raw(redisContext *rc, const char *fmt, ...)
{
	va_list ap;
	redisReply *r;
	va_start(ap, fmt);
	r = redisvCommand(rc, fmt, ap);
	va_end(ap);
	assert_non_null(r);
	return r;
}

static long long raw_int(redisContext *rc, const char *fmt, ...)
{
	va_list ap;
	redisReply *r;
	long long v;
	va_start(ap, fmt);
	r = redisvCommand(rc, fmt, ap);
	va_end(ap);
	assert_non_null(r);
	if (r->type == REDIS_REPLY_STRING)
		v = strtoll(r->str, NULL, 10);
	else if (r->type == REDIS_REPLY_NIL)
		v = -12345;
	else
		v = r->integer;
	freeReplyObject(r);
	return v;
}

static const char advice1[] = "{\"summary\":\"null pointer\",\"fix\":[\"check x\"]}";

static void test_roundtrip_ttl(void **state)
{
	struct qe_config c;
	char prefix[32], key[160];
	struct qe_fleet *a, *b;
	struct qe_fleet_stats st;
	redisContext *rc;
	char *json = NULL;
	long long ttl;
	NEED_SERVER();
	fleet_config(&c, prefix);
	c.cache_ttl = 3600;
	a = new_fleet(&c);
	b = new_fleet(&c);
	assert_string_equal(qe_fleet_state(a), "connected");
	assert_int_equal(qe_fleet_advice_get(b, "ab12", "gpt", 1, &json), 0);
	assert_null(json);
	assert_int_equal(qe_fleet_advice_put(a, "ab12", "gpt", 1, advice1), 1);
	/* another host sees it */
	assert_int_equal(qe_fleet_advice_get(b, "ab12", "gpt", 1, &json), 1);
	assert_string_equal(json, "{\"summary\":\"null pointer\",\"fix\":[\"check x\"]}");
	free(json);
	qe_fleet_stats(b, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.errors, 0);

	rc = raw_connect();
	assert_non_null(rc);
	snprintf(key, sizeof(key), "%sadvice:gpt:1:ab12", prefix);
	ttl = raw_int(rc, "TTL %s", key);
	assert_true(ttl > 3500 && ttl <= 3600);
	qe_fleet_free(a);
	qe_fleet_free(b);

	/* cache.ttl 0: no expiry */
	c.cache_ttl = 0;
	a = new_fleet(&c);
	assert_int_equal(qe_fleet_advice_put(a, "cd34", "gpt", 1, advice1), 1);
	snprintf(key, sizeof(key), "%sadvice:gpt:1:cd34", prefix);
	assert_int_equal(raw_int(rc, "TTL %s", key), -1);
	qe_fleet_free(a);
	redisFree(rc);
	qe_config_release(&c);
}

static void test_separation(void **state)
{
	struct qe_config c1, c2;
	char p1[32], p2[32];
	struct qe_fleet *a, *b;
	char *json = NULL;
	NEED_SERVER();
	fleet_config(&c1, p1);
	fleet_config(&c2, p2);
	a = new_fleet(&c1);
	b = new_fleet(&c2);
	assert_int_equal(qe_fleet_advice_put(a, "ff00", "m1", 1, "{\"s\":\"one\"}"), 1);
	assert_int_equal(qe_fleet_advice_put(a, "ff00", "m1", 2, "{\"s\":\"two\"}"), 1);
	assert_int_equal(qe_fleet_advice_put(a, "ff00", "m2:7b", 1, "{\"s\":\"three\"}"),
			 1);
	assert_int_equal(qe_fleet_advice_put(a, "ff00", NULL, 1, "{\"s\":\"four\"}"), 1);
	/* another prefix is another fleet */
	assert_int_equal(qe_fleet_advice_get(b, "ff00", "m1", 1, &json), 0);
	assert_int_equal(qe_fleet_advice_get(a, "ff00", "m1", 1, &json), 1);
	assert_string_equal(json, "{\"s\":\"one\"}");
	free(json);
	assert_int_equal(qe_fleet_advice_get(a, "ff00", "m1", 2, &json), 1);
	assert_string_equal(json, "{\"s\":\"two\"}");
	free(json);
	assert_int_equal(qe_fleet_advice_get(a, "ff00", "m2:7b", 1, &json), 1);
	assert_string_equal(json, "{\"s\":\"three\"}");
	free(json);
	assert_int_equal(qe_fleet_advice_get(a, "ff00", "", 1, &json), 1);
	assert_string_equal(json, "{\"s\":\"four\"}");
	free(json);
	assert_int_equal(qe_fleet_advice_get(a, "ff00", "m2", 1, &json), 0);
	assert_int_equal(qe_fleet_advice_get(a, "ff01", "m1", 1, &json), 0);
	assert_int_equal(qe_fleet_advice_get(a, "ff00", "m1", 3, &json), 0);
	qe_fleet_free(a);
	qe_fleet_free(b);
	qe_config_release(&c1);
	qe_config_release(&c2);
}

static void test_redaction(void **state)
{
	static const char secret_json[] =
	    "{\"summary\":\"mail bob.smith@example.com failed\","
	    "\"steps\":[\"run with token=Zx81kQ3pL0aa9Tr7Wm2 again\",3,true,null],"
	    "\"nested\":{\"who\":\"bob.smith@example.com\"}}";
	struct qe_config c;
	char prefix[32], key[160];
	struct qe_fleet *a;
	redisContext *rc;
	redisReply *r;
	char *json = NULL;
	NEED_SERVER();
	fleet_config(&c, prefix);
	a = new_fleet(&c);
	assert_int_equal(qe_fleet_advice_put(a, "beef", "gpt", 1, secret_json), 1);

	rc = raw_connect();
	assert_non_null(rc);
	snprintf(key, sizeof(key), "%sadvice:gpt:1:beef", prefix);
	r = raw(rc, "GET %s", key);
	assert_int_equal(r->type, REDIS_REPLY_STRING);
	assert_null(strstr(r->str, "bob.smith"));
	assert_null(strstr(r->str, "example.com"));
	assert_null(strstr(r->str, "Zx81kQ3pL0aa9Tr7Wm2"));
	assert_non_null(strstr(r->str, "<EMAIL_1>"));
	/* one placeholder map per document: the same address, the same mask */
	assert_non_null(strstr(r->str, "\"who\":\"<EMAIL_1>\""));
	assert_non_null(strstr(r->str, "token="));
	assert_non_null(strstr(r->str, ",3,true,null]"));
	freeReplyObject(r);

	/* what is read back is the masked text, and still JSON */
	assert_int_equal(qe_fleet_advice_get(a, "beef", "gpt", 1, &json), 1);
	assert_non_null(strstr(json, "\"summary\":\"mail <EMAIL_1> failed\""));
	free(json);

	/* not JSON: the whole text is masked */
	assert_int_equal(
	    qe_fleet_advice_put(a, "bee0", "gpt", 1, "ask bob.smith@example.com"), 1);
	snprintf(key, sizeof(key), "%sadvice:gpt:1:bee0", prefix);
	r = raw(rc, "GET %s", key);
	assert_int_equal(r->type, REDIS_REPLY_STRING);
	assert_string_equal(r->str, "ask <EMAIL_1>");
	freeReplyObject(r);

	redisFree(rc);
	qe_fleet_free(a);
	qe_config_release(&c);
}

static void test_lock(void **state)
{
	struct qe_config c;
	char prefix[32], key[160];
	struct qe_fleet *a, *b;
	struct qe_fleet_stats st;
	redisContext *rc;
	int i, got = 0;
	NEED_SERVER();
	fleet_config(&c, prefix);
	a = new_fleet(&c);
	b = new_fleet(&c);
	rc = raw_connect();
	assert_non_null(rc);
	snprintf(key, sizeof(key), "%slock:f1", prefix);

	assert_int_equal(qe_fleet_lock(a, "f1", 10000), 1);
	assert_int_equal(qe_fleet_lock(b, "f1", 10000), 0);
	assert_int_equal(qe_fleet_lock(a, "f1", 10000), 1); /* already ours */
	assert_int_equal(qe_fleet_lock(b, "f2", 10000), 1); /* another fingerprint */
	/* only the owner releases */
	assert_int_equal(qe_fleet_unlock(b, "f1"), 0);
	assert_int_equal(raw_int(rc, "EXISTS %s", key), 1);
	assert_int_equal(qe_fleet_lock(b, "f1", 10000), 0);
	assert_int_equal(qe_fleet_unlock(a, "f1"), 1);
	assert_int_equal(raw_int(rc, "EXISTS %s", key), 0);
	assert_int_equal(qe_fleet_unlock(a, "f1"), 0);
	assert_int_equal(qe_fleet_lock(b, "f1", 10000), 1);
	assert_int_equal(qe_fleet_lock(a, "f1", 10000), 0);
	qe_fleet_stats(a, &st);
	assert_int_equal(st.locks_acquired, 2);
	assert_int_equal(st.locks_busy, 1);
	assert_int_equal(qe_fleet_unlock(b, "f1"), 1);
	assert_int_equal(qe_fleet_unlock(b, "f2"), 1);

	/* expiry: a holder that died does not block the fleet for long */
	assert_int_equal(qe_fleet_lock(a, "f3", 100), 1);
	snprintf(key, sizeof(key), "%slock:f3", prefix);
	assert_true(raw_int(rc, "PTTL %s", key) <= 100);
	assert_int_equal(qe_fleet_lock(b, "f3", 5000), 0);
	for (i = 0; i < 300 && !got; i++) {
		usleep(10000);
		got = qe_fleet_lock(b, "f3", 5000) == 1;
	}
	assert_true(got);
	assert_int_equal(qe_fleet_unlock(a, "f3"), 0); /* expired, now b's */
	assert_int_equal(raw_int(rc, "EXISTS %s", key), 1);

	/* ttl <= 0: the default lifetime */
	assert_int_equal(qe_fleet_lock(a, "f4", 0), 1);
	snprintf(key, sizeof(key), "%slock:f4", prefix);
	assert_true(raw_int(rc, "PTTL %s", key) > QE_FLEET_LOCK_TTL_MS - 5000);

	redisFree(rc);
	qe_fleet_free(a);
	qe_fleet_free(b);
	qe_config_release(&c);
}

static void test_counts(void **state)
{
	struct qe_config c;
	char prefix[32], key[160];
	struct qe_fleet *a, *b;
	struct qe_fleet_stats st;
	redisContext *rc;
	NEED_SERVER();
	fleet_config(&c, prefix);
	a = new_fleet(&c);
	b = new_fleet(&c);
	rc = raw_connect();
	assert_non_null(rc);
	snprintf(key, sizeof(key), "%scounts", prefix);

	assert_int_equal(qe_fleet_count_add(a, "c1", 1), 1);
	assert_int_equal(qe_fleet_count_add(a, "c1", 2), 3);
	assert_int_equal(qe_fleet_count_add(b, "c1", 4), 4);
	assert_int_equal(qe_fleet_count_add(b, "c2", 5), 5);
	qe_fleet_stats(b, &st);
	assert_int_equal(st.pending_counts, 2);
	/* batched: nothing on the server before a flush */
	assert_int_equal(raw_int(rc, "HGET %s c1", key), -12345);
	assert_int_equal(qe_fleet_flush(a), 0);
	assert_int_equal(raw_int(rc, "HGET %s c1", key), 3);
	assert_int_equal(qe_fleet_flush(b), 0);
	assert_int_equal(raw_int(rc, "HGET %s c1", key), 7);
	assert_int_equal(raw_int(rc, "HGET %s c2", key), 5);
	qe_fleet_stats(b, &st);
	assert_int_equal(st.pending_counts, 0);
	assert_int_equal(qe_fleet_flush(b), 0); /* nothing left to send */
	assert_int_equal(raw_int(rc, "HGET %s c1", key), 7);

	/* b learnt the total from its flush; a asks */
	assert_int_equal(qe_fleet_count_add(b, "c1", 1), 8);
	assert_int_equal(qe_fleet_count_get(a, "c1"), 7);
	assert_int_equal(qe_fleet_count_get(b, "c1"), 8); /* with its unsent one */
	assert_int_equal(qe_fleet_count_get(a, "nope"), 0);
	/* freeing sends what is left */
	qe_fleet_free(b);
	assert_int_equal(raw_int(rc, "HGET %s c1", key), 8);

	redisFree(rc);
	qe_fleet_free(a);
	qe_config_release(&c);
}

static void test_budget(void **state)
{
	const int64_t day1 = 1700000000; /* 2023-11-14 UTC */
	struct qe_config c;
	char prefix[32], key[160];
	struct qe_fleet *a, *b;
	struct qe_fleet_stats st;
	redisContext *rc;
	long long ttl;
	NEED_SERVER();
	fleet_config(&c, prefix);
	c.redis_daily_token_budget = 1000;
	a = new_fleet(&c);
	b = new_fleet(&c);
	qe_fleet_set_time(a, day1);
	qe_fleet_set_time(b, day1 + 3600);
	rc = raw_connect();
	assert_non_null(rc);

	assert_int_equal(qe_fleet_budget_take(a, 600), 1);
	qe_fleet_budget_add(a, 600);
	assert_int_equal(qe_fleet_budget_used(b), 600);
	assert_int_equal(qe_fleet_budget_take(b, 500), 0); /* fleet-wide */
	assert_int_equal(qe_fleet_budget_take(b, 400), 1);
	qe_fleet_budget_add(b, 400);
	assert_int_equal(qe_fleet_budget_take(a, 1), 0);
	assert_int_equal(qe_fleet_budget_take(a, 0), 0);
	qe_fleet_stats(a, &st);
	assert_int_equal(st.budget_refused, 2);

	snprintf(key, sizeof(key), "%sbudget:2023-11-14", prefix);
	assert_int_equal(raw_int(rc, "GET %s", key), 1000);
	ttl = raw_int(rc, "TTL %s", key);
	assert_true(ttl > 0 && ttl <= QE_FLEET_BUDGET_KEY_TTL);

	/* the next UTC day has its own key */
	qe_fleet_set_time(a, day1 + 86400);
	assert_int_equal(qe_fleet_budget_used(a), 0);
	assert_int_equal(qe_fleet_budget_take(a, 500), 1);
	qe_fleet_budget_add(a, 10);
	snprintf(key, sizeof(key), "%sbudget:2023-11-15", prefix);
	assert_int_equal(raw_int(rc, "GET %s", key), 10);
	qe_fleet_free(a);
	qe_fleet_free(b);

	/* budget 0: unlimited, nothing written */
	c.redis_daily_token_budget = 0;
	a = new_fleet(&c);
	qe_fleet_set_time(a, day1 + 2 * 86400);
	assert_int_equal(qe_fleet_budget_take(a, 1000000000), 1);
	qe_fleet_budget_add(a, 50);
	snprintf(key, sizeof(key), "%sbudget:2023-11-16", prefix);
	assert_int_equal(raw_int(rc, "EXISTS %s", key), 0);
	qe_fleet_free(a);

	redisFree(rc);
	qe_config_release(&c);
}

static void test_db_and_unix_socket(void **state)
{
	struct qe_config c;
	char prefix[32], key[160], url[400];
	struct qe_fleet *a;
	redisContext *rc;
	char *json = NULL;
	NEED_SERVER();
	fleet_config(&c, prefix);
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/3", port);
	set_str(&c.redis_url, url);
	a = new_fleet(&c);
	assert_int_equal(qe_fleet_advice_put(a, "d3", "m", 1, "{}"), 1);
	qe_fleet_free(a);
	rc = raw_connect();
	assert_non_null(rc);
	snprintf(key, sizeof(key), "%sadvice:m:1:d3", prefix);
	assert_int_equal(raw_int(rc, "EXISTS %s", key), 0);
	freeReplyObject(raw(rc, "SELECT 3"));
	assert_int_equal(raw_int(rc, "EXISTS %s", key), 1);

	snprintf(url, sizeof(url), "unix://%s?db=3", sock_path);
	set_str(&c.redis_url, url);
	a = new_fleet(&c);
	assert_string_equal(qe_fleet_state(a), "connected");
	assert_int_equal(qe_fleet_advice_get(a, "d3", "m", 1, &json), 1);
	assert_string_equal(json, "{}");
	free(json);
	qe_fleet_free(a);

	/* a password */
	freeReplyObject(raw(rc, "CONFIG SET requirepass s3cret-pw"));
	snprintf(url, sizeof(url), "redis://:s3cret-pw@127.0.0.1:%d/3", port);
	set_str(&c.redis_url, url);
	a = new_fleet(&c);
	assert_string_equal(qe_fleet_state(a), "connected");
	assert_int_equal(qe_fleet_advice_get(a, "d3", "m", 1, &json), 1);
	free(json);
	qe_fleet_free(a);
	snprintf(url, sizeof(url), "redis://default:wrong@127.0.0.1:%d/3", port);
	set_str(&c.redis_url, url);
	a = new_fleet(&c); /* a wrong password is not fatal: the agent goes on */
	assert_non_null(a);
	assert_string_equal(qe_fleet_state(a), "unavailable");
	assert_non_null(strstr(qe_fleet_last_error(a), "auth"));
	assert_null(strstr(qe_fleet_last_error(a), "wrong"));
	assert_int_equal(qe_fleet_advice_get(a, "d3", "m", 1, &json), -1);
	qe_fleet_free(a);
	freeReplyObject(raw(rc, "AUTH s3cret-pw"));
	freeReplyObject(raw(rc, "CONFIG SET requirepass %s", ""));
	redisFree(rc);
	rc = raw_connect();
	assert_int_equal(raw_int(rc, "EXISTS %s", key), 0); /* db 0, no AUTH needed */

	redisFree(rc);
	qe_config_release(&c);
}

static void test_bad_url(void **state)
{
	static const char *const bad[] = {
	    "",
	    "http://127.0.0.1:6379",
	    "redis://",
	    "redis://host:0",
	    "redis://host:65536",
	    "redis://host:12ab",
	    "redis://host:6379/x",
	    "redis://host:6379/0?timeout=3",
	    "redis://[::1:6379",
	    "redis://secretonly@host",
	    "redis://:%zz@host",
	    "rediss://host:6380",
	    "unix://relative.sock",
	};
	struct qe_config c;
	size_t i;
	qe_config_init(&c);
	set_str(&c.cache_backend, "redis");
	assert_int_equal(qe_fleet_wanted(&c), 1);
	for (i = 0; i < QE_ARRAY_SIZE(bad); i++) {
		qe_clear_error();
		set_str(&c.redis_url, bad[i]);
		if (qe_fleet_new(&c))
			fail_msg("accepted '%s'", bad[i]);
		if (!strstr(qe_last_error(), "invalid cache.redis.url"))
			fail_msg("'%s': %s", bad[i], qe_last_error());
	}
	/* the message never shows the password */
	set_str(&c.redis_url, "redis://user:hunter2@host:99999/0");
	assert_null(qe_fleet_new(&c));
	assert_non_null(strstr(qe_last_error(), "bad port"));
	assert_non_null(strstr(qe_last_error(), "redis://***@host:99999/0"));
	assert_null(strstr(qe_last_error(), "hunter2"));
	qe_config_release(&c);
}

static void test_good_urls_unreachable(void **state)
{
	static const struct {
		const char *url, *address;
	} good[] = {
	    {"redis://127.0.0.1:1", "127.0.0.1:1/0"},
	    {"redis://127.0.0.1:1/", "127.0.0.1:1/0"},
	    {"redis://u:p%40ss@127.0.0.1:1/4", "127.0.0.1:1/4"},
	    {"redis://[::1]:1/2", "[::1]:1/2"},
	    {"redis://127.0.0.1:1?db=5", "127.0.0.1:1/5"},
	    {"unix:///nonexistent/redis.sock", "unix:/nonexistent/redis.sock?db=0"},
	    {"unix://:pw@/nonexistent/redis.sock?db=2",
	     "unix:/nonexistent/redis.sock?db=2"},
	};
	struct qe_config c;
	size_t i;
	qe_config_init(&c);
	set_str(&c.cache_backend, "redis");
	for (i = 0; i < QE_ARRAY_SIZE(good); i++) {
		struct qe_fleet *f;
		char *json = (char *)"x";
		uint64_t t0;
		set_str(&c.redis_url, good[i].url);
		f = qe_fleet_new(&c);
		if (!f)
			fail_msg("'%s': %s", good[i].url, qe_last_error());
		assert_string_equal(qe_fleet_address(f), good[i].address);
		/* nobody listens: not an error, just unavailable, and cheap */
		assert_string_equal(qe_fleet_state(f), "unavailable");
		assert_true(qe_fleet_last_error(f)[0] != '\0');
		t0 = qe_now_ms();
		assert_int_equal(qe_fleet_advice_get(f, "aa", "m", 1, &json), -1);
		assert_null(json);
		assert_int_equal(qe_fleet_lock(f, "aa", 1000), -1);
		assert_int_equal(qe_fleet_unlock(f, "aa"), -1);
		assert_int_equal(qe_fleet_count_get(f, "aa"), -1);
		assert_int_equal(qe_fleet_budget_take(f, 10), 1); /* budget 0 */
		assert_true(qe_now_ms() - t0 < 1000);
		qe_fleet_free(f);
	}
	qe_config_release(&c);
}

static void test_unavailable_catch_up(void **state)
{
	const struct qe_fleet_tuning tune = {0, 0, 50, 200, 3};
	const int64_t day = 1700000000;
	struct qe_config c;
	char prefix[32], key[160];
	struct qe_fleet *a;
	struct qe_fleet_stats st;
	redisContext *rc;
	char *json = NULL;
	uint64_t t0, took;
	int i, ok = 0;
	NEED_SERVER();
	fleet_config(&c, prefix);
	c.redis_daily_token_budget = 1000;
	a = new_fleet(&c);
	qe_fleet_tune(a, &tune);
	qe_fleet_set_time(a, day);
	assert_int_equal(qe_fleet_advice_put(a, "u0", "m", 1, "{\"s\":\"before\"}"), 1);

	server_stop(SIGKILL);
	t0 = qe_now_ms();
	assert_int_equal(qe_fleet_advice_get(a, "u0", "m", 1, &json), -1);
	took = qe_now_ms() - t0;
	print_message("first call after the server died: %llu ms\n",
		      (unsigned long long)took);
	assert_true(took < 2000);
	assert_null(json);
	assert_string_equal(qe_fleet_state(a), "unavailable");
	assert_int_equal(qe_fleet_lock(a, "u1", 1000), -1);
	assert_int_equal(qe_fleet_budget_take(a, 10), -1);

	/* writes are kept for later */
	assert_int_equal(qe_fleet_advice_put(a, "u1", "m", 1, "{\"s\":\"one\"}"), 0);
	assert_int_equal(qe_fleet_advice_put(a, "u2", "m", 1, "{\"s\":\"two\"}"), 0);
	assert_int_equal(qe_fleet_advice_put(a, "u2", "m", 1, "{\"s\":\"two b\"}"), 0);
	assert_int_equal(qe_fleet_advice_put(a, "u3", "m", 1, "{\"s\":\"three\"}"), 0);
	qe_clear_error();
	assert_int_equal(qe_fleet_advice_put(a, "u4", "m", 1, "{\"s\":\"four\"}"), -1);
	assert_non_null(strstr(qe_last_error(), "queue is full"));
	assert_int_equal(qe_fleet_count_add(a, "u1", 5), 5);
	assert_int_equal(qe_fleet_flush(a), -1);
	qe_fleet_budget_add(a, 70);
	qe_fleet_stats(a, &st);
	assert_int_equal(st.pending_writes, 3);
	assert_int_equal(st.dropped_writes, 1);
	assert_int_equal(st.pending_counts, 1);
	assert_true(st.errors >= 1);

	/* the server comes back (empty: no persistence) */
	server_start();
	for (i = 0; i < 500 && !ok; i++) {
		ok = qe_fleet_flush(a) == 0;
		if (!ok)
			usleep(10000);
	}
	assert_true(ok);
	assert_string_equal(qe_fleet_state(a), "connected");
	qe_fleet_stats(a, &st);
	assert_int_equal(st.pending_writes, 0);
	assert_int_equal(st.flushed_writes, 3);
	assert_int_equal(st.pending_counts, 0);

	rc = raw_connect();
	assert_non_null(rc);
	snprintf(key, sizeof(key), "%sadvice:m:1:u2", prefix);
	{
		redisReply *r = raw(rc, "GET %s", key);
		assert_int_equal(r->type, REDIS_REPLY_STRING);
		assert_string_equal(r->str, "{\"s\":\"two b\"}");
		freeReplyObject(r);
	}
	assert_true(raw_int(rc, "TTL %s", key) > 0);
	snprintf(key, sizeof(key), "%sadvice:m:1:u4", prefix);
	assert_int_equal(raw_int(rc, "EXISTS %s", key), 0);
	snprintf(key, sizeof(key), "%scounts", prefix);
	assert_int_equal(raw_int(rc, "HGET %s u1", key), 5);
	snprintf(key, sizeof(key), "%sbudget:2023-11-14", prefix);
	assert_int_equal(raw_int(rc, "GET %s", key), 70);
	assert_true(raw_int(rc, "TTL %s", key) > 0);
	assert_int_equal(qe_fleet_advice_get(a, "u1", "m", 1, &json), 1);
	assert_string_equal(json, "{\"s\":\"one\"}");
	free(json);

	/* a connection the server closed while idle is replaced without a fuss */
	freeReplyObject(raw(rc, "CLIENT KILL TYPE normal SKIPME yes"));
	assert_int_equal(qe_fleet_advice_get(a, "u1", "m", 1, &json), 1);
	free(json);
	assert_string_equal(qe_fleet_state(a), "connected");

	redisFree(rc);
	qe_fleet_free(a);
	qe_config_release(&c);
}

/* A server that accepts but never answers costs one command timeout, then
 * nothing until the back-off ends. */
static void test_hung_server(void **state)
{
	const struct qe_fleet_tuning tune = {100, 100, 60000, 60000, 0};
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct qe_config c;
	char url[64];
	struct qe_fleet *a;
	char *json = NULL;
	uint64_t t0, took;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);

	qe_config_init(&c);
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", ntohs(sa.sin_port));
	set_str(&c.cache_backend, "redis");
	set_str(&c.redis_url, url);
	a = qe_fleet_new(&c); /* the TCP connect succeeds: nothing asked yet */
	assert_non_null(a);
	qe_fleet_tune(a, &tune);
	assert_string_equal(qe_fleet_state(a), "connected");
	t0 = qe_now_ms();
	assert_int_equal(qe_fleet_advice_get(a, "h1", "m", 1, &json), -1);
	took = qe_now_ms() - t0;
	print_message("hung server: %llu ms\n", (unsigned long long)took);
	assert_true(took < 2000);
	assert_string_equal(qe_fleet_state(a), "unavailable");
	t0 = qe_now_ms();
	assert_int_equal(qe_fleet_advice_get(a, "h1", "m", 1, &json), -1);
	assert_int_equal(qe_fleet_lock(a, "h1", 1000), -1);
	assert_int_equal(qe_fleet_advice_put(a, "h1", "m", 1, "{}"), 0);
	assert_true(qe_now_ms() - t0 < 50); /* backing off: no network at all */
	qe_fleet_free(a);
	qe_config_release(&c);
	close(fd);
}

/* SIGPIPE from a write to a dead connection must not end the process. */
static void test_sigpipe(void **state)
{
	struct qe_config c;
	char prefix[32];
	struct qe_fleet *a;
	struct sigaction old, dfl;
	struct qe_fleet_stats st;
	int i;
	NEED_SERVER();
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, &old);
	fleet_config(&c, prefix);
	a = new_fleet(&c);
	assert_int_equal(qe_fleet_advice_put(a, "p0", "m", 1, "{}"), 1);
	server_stop(SIGKILL);
	/* a write larger than the socket buffer meets the reset: EPIPE */
	for (i = 0; i < 3; i++) {
		const size_t n = 16 << 20;
		char *big = qe_xmalloc(n + 1);
		memset(big, 'a', n);
		big[0] = big[n - 1] = '"';
		big[n] = '\0';
		qe_fleet_advice_put(a, "p1", "m", 1, big);
		free(big);
	}
	/* still here: the write failed quietly and the advice waits */
	assert_string_equal(qe_fleet_state(a), "unavailable");
	qe_fleet_stats(a, &st);
	assert_int_equal(st.pending_writes, 1);
	server_start();
	sigaction(SIGPIPE, &old, NULL);
	qe_fleet_free(a);
	qe_config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_wanted),
	    cmocka_unit_test(test_bad_url),
	    cmocka_unit_test(test_good_urls_unreachable),
	    cmocka_unit_test(test_hung_server),
	    cmocka_unit_test(test_roundtrip_ttl),
	    cmocka_unit_test(test_separation),
	    cmocka_unit_test(test_redaction),
	    cmocka_unit_test(test_lock),
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_budget),
	    cmocka_unit_test(test_db_and_unix_socket),
	    cmocka_unit_test(test_unavailable_catch_up),
	    cmocka_unit_test(test_sigpipe),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

#else /* !QE_HAVE_HIREDIS */

static void test_built_without_hiredis(void **state)
{
	struct qe_config c;
	qe_config_init(&c);
	set_str(&c.cache_backend, "redis");
	qe_clear_error();
	assert_null(qe_fleet_new(&c));
	assert_string_equal(qe_last_error(),
			    "this qerrors was built without Redis support (hiredis)");
	qe_config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_wanted),
	    cmocka_unit_test(test_built_without_hiredis),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
