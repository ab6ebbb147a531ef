/* fleet: advice, locks, counts and a token budget shared through Redis. */
#include "fleet.h"

#include <string.h>

#include "config.h"
#include "util.h"

int qe_fleet_wanted(const struct qe_config *c)
{
	return c && c->cache_backend && !strcmp(c->cache_backend, "redis");
}

#if defined(QE_HAVE_HIREDIS) && QE_HAVE_HIREDIS

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "redact.h"

#define COUNT_BUCKETS 1024
#define NR_BUDGET_DAYS 2

struct pending_put {
	char *key;
	char *val;
	size_t len;
	long ttl;
};

struct count_ent {
	struct count_ent *next;
	long long pending; /* not sent yet */
	long long known;   /* fleet total last seen from the server */
	char fp[];
};

struct budget_pend {
	char day[16]; /* YYYY-MM-DD; "" = slot free */
	long long tokens;
};

struct qe_fleet {
	char *host; /* TCP, or NULL with socket_path */
	char *socket_path;
	int port;
	long db;
	char *user, *password;
	char *address; /* for messages: no credentials */
	char *prefix;
	long ttl;
	long long budget;
	struct qe_redactor *redactor;
	char token[33]; /* lock owner token of this object */

	redisContext *rc;
	uint64_t retry_at; /* no connection attempt before this (monotonic ms) */
	long backoff_ms;   /* 0 after a success */
	char last_error[256];
	struct qe_fleet_tuning tune;
	int64_t fixed_time;

	struct pending_put *pending;
	size_t nr_pending, alloc_pending;
	struct count_ent *counts[COUNT_BUCKETS];
	size_t nr_counts;
	struct budget_pend bpend[NR_BUDGET_DAYS];

	long long hits, misses, errors, dropped, flushed, locks_acquired, locks_busy,
	    dropped_counts, budget_refused;
};

/* ---- URL ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..len); NULL when an escape is malformed. */
static char *pct_decode(const char *s, size_t len)
{
	char *out = qe_xmalloc(len + 1);
	size_t i, n = 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi, lo;
			if (i + 2 >= len) {
				free(out);
				return NULL;
			}
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0) {
				free(out);
				return NULL;
			}
			out[n++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	return out;
}

/* The URL as it may be shown: credentials replaced by "***". */
static char *url_for_display(const char *url)
{
	const char *scheme_end = strstr(url, "://");
	const char *auth, *end, *at = NULL, *p;
	if (!scheme_end)
		return qe_xstrdup(url);
	auth = scheme_end + 3;
	end = auth + strcspn(auth, "/?");
	/* unix://:pw@/path: the user part ends before the path's first '/' */
	for (p = auth; *p && (p < end || !at); p++) {
		if (*p == '@')
			at = p;
		if (*p == '/' && p >= end)
			break;
	}
	if (!at)
		return qe_xstrdup(url);
	return qe_xasprintf("%.*s***%s", (int)(auth - url), url, at);
}

static int parse_db(const char *s, size_t len, long *db)
{
	char buf[16];
	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (qe_parse_long(buf, db) < 0 || *db < 0 || *db > 1000000)
		return -1;
	return 0;
}

/* "user:password" (either may be empty). */
static const char *parse_userinfo(struct qe_fleet *f, const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	if (!colon)
		return "expected ':password@' or 'user:password@' before the host";
	if (colon > s) {
		f->user = pct_decode(s, (size_t)(colon - s));
		if (!f->user)
			return "bad %-escape in the user name";
	}
	f->password = pct_decode(colon + 1, len - (size_t)(colon + 1 - s));
	if (!f->password)
		return "bad %-escape in the password";
	if (!*f->password)
		return "empty password";
	return NULL;
}

/* The query part: only db=N is known. */
static const char *parse_query(struct qe_fleet *f, const char *q)
{
	if (!*q)
		return NULL;
	if (strncmp(q, "db=", 3) || strchr(q, '&'))
		return "the only query parameter understood is 'db=N'";
	if (parse_db(q + 3, strlen(q + 3), &f->db) < 0)
		return "db must be a number";
	return NULL;
}

static const char *parse_tcp(struct qe_fleet *f, const char *rest)
{
	const char *auth_end = rest + strcspn(rest, "/?");
	const char *at = NULL, *p, *host, *host_end, *port = NULL;
	const char *why;
	for (p = rest; p < auth_end; p++)
		if (*p == '@')
			at = p;
	host = rest;
	if (at) {
		why = parse_userinfo(f, rest, (size_t)(at - rest));
		if (why)
			return why;
		host = at + 1;
	}
	if (*host == '[') {
		host_end = memchr(host, ']', (size_t)(auth_end - host));
		if (!host_end)
			return "unterminated '[' in the host";
		f->host = qe_xstrndup(host + 1, (size_t)(host_end - host - 1));
		host_end++;
		if (host_end < auth_end) {
			if (*host_end != ':')
				return "expected ':port' after ']'";
			port = host_end + 1;
		}
	} else {
		host_end = memchr(host, ':', (size_t)(auth_end - host));
		if (host_end)
			port = host_end + 1;
		else
			host_end = auth_end;
		f->host = qe_xstrndup(host, (size_t)(host_end - host));
	}
	if (!*f->host)
		return "no host";
	f->port = 6379;
	if (port) {
		long v;
		char buf[8];
		size_t n = (size_t)(auth_end - port);
		if (!n || n >= sizeof(buf))
			return "bad port";
		memcpy(buf, port, n);
		buf[n] = '\0';
		if (qe_parse_long(buf, &v) < 0 || v < 1 || v > 65535)
			return "bad port";
		f->port = (int)v;
	}
	p = auth_end;
	if (*p == '/') {
		size_t n = strcspn(p + 1, "?");
		if (n && parse_db(p + 1, n, &f->db) < 0)
			return "the path must be a database number ('/0')";
		p += 1 + n;
	}
	if (*p == '?')
		return parse_query(f, p + 1);
	return NULL;
}

static const char *parse_unix(struct qe_fleet *f, const char *rest)
{
	const char *path = rest, *q;
	const char *why;
	if (*rest != '/') {
		const char *at = strstr(rest, "@/");
		if (!at)
			return "expected an absolute socket path "
			       "(unix:///path/to/redis.sock)";
		why = parse_userinfo(f, rest, (size_t)(at - rest));
		if (why)
			return why;
		path = at + 1;
	}
	q = strchr(path, '?');
	f->socket_path = q ? qe_xstrndup(path, (size_t)(q - path)) : qe_xstrdup(path);
	if (strlen(f->socket_path) < 2)
		return "no socket path";
	return q ? parse_query(f, q + 1) : NULL;
}

static int parse_url(struct qe_fleet *f, const char *url)
{
	const char *why;
	char *shown;
	if (!url || !*url) {
		why = "empty";
	} else if (!strncmp(url, "redis://", 8)) {
		why = parse_tcp(f, url + 8);
	} else if (!strncmp(url, "unix://", 7)) {
		why = parse_unix(f, url + 7);
	} else if (!strncmp(url, "rediss://", 9)) {
		why = "TLS (rediss://) is not supported; use a local TLS tunnel";
	} else {
		why = "expected redis://[user:password@]host[:port][/db] or "
		      "unix:///path/to/redis.sock[?db=N]";
	}
	if (!why) {
		if (f->socket_path)
			f->address =
			    qe_xasprintf("unix:%s?db=%ld", f->socket_path, f->db);
		else if (strchr(f->host, ':'))
			f->address = qe_xasprintf("[%s]:%d/%ld", f->host, f->port, f->db);
		else
			f->address = qe_xasprintf("%s:%d/%ld", f->host, f->port, f->db);
		return 0;
	}
	shown = url_for_display(url ? url : "");
	qe_error("invalid cache.redis.url '%s': %s", shown, why);
	free(shown);
	return -1;
}

/* ---- connection ---- */

/*
 * hiredis writes with write(2): a write to a connection the server has
 * closed raises SIGPIPE, which would end the agent.  Block it around each
 * exchange and consume one raised meanwhile, leaving any SIGPIPE that was
 * already pending for its owner.
 */
struct sigpipe_guard {
	sigset_t old;
	int was_pending;
};

static void sigpipe_block(struct sigpipe_guard *g)
{
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &g->old);
	g->was_pending = !sigpending(&pend) && sigismember(&pend, SIGPIPE) == 1;
}

static void sigpipe_restore(struct sigpipe_guard *g)
{
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if (!g->was_pending && !sigpending(&pend) && sigismember(&pend, SIGPIPE) == 1) {
		struct timespec zero = {0, 0};
		while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

static struct timeval ms_tv(long ms)
{
	struct timeval tv;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

static void set_last_error(struct qe_fleet *f, const char *what, const char *detail)
{
	snprintf(f->last_error, sizeof(f->last_error), "redis %s: %s: %s", f->address,
		 what, detail && *detail ? detail : "unknown error");
}

/* Drop the connection and wait the back-off period before the next try. */
static void fleet_fail(struct qe_fleet *f, const char *what)
{
	if (f->rc) {
		set_last_error(f, what, f->rc->err ? f->rc->errstr : NULL);
		redisFree(f->rc);
		f->rc = NULL;
	}
	f->errors++;
	if (!f->backoff_ms)
		f->backoff_ms = f->tune.backoff_min_ms;
	else if (f->backoff_ms < f->tune.backoff_max_ms / 2)
		f->backoff_ms *= 2;
	else
		f->backoff_ms = f->tune.backoff_max_ms;
	f->retry_at = qe_now_ms() + (uint64_t)f->backoff_ms;
}

/* A command on a fresh connection (AUTH, SELECT): 0, or -1 after fleet_fail(). */
static int setup_cmd(struct qe_fleet *f, const char *what, int argc, const char **argv)
{
	redisReply *r = redisCommandArgv(f->rc, argc, argv, NULL);
	if (!r) {
		fleet_fail(f, what);
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		set_last_error(f, what, r->str);
		freeReplyObject(r);
		redisFree(f->rc);
		f->rc = NULL;
		fleet_fail(f, what);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

static void send_queued(struct qe_fleet *f);

/* 0 with f->rc usable, -1 unavailable (during a back-off or after a failure). */
static int fleet_connect(struct qe_fleet *f)
{
	struct sigpipe_guard g;
	struct timeval ctv;
	int fdflags, ret = -1;
	if (f->rc)
		return 0;
	if (qe_now_ms() < f->retry_at)
		return -1;
	ctv = ms_tv(f->tune.connect_timeout_ms);
	if (f->socket_path)
		f->rc = redisConnectUnixWithTimeout(f->socket_path, ctv);
	else
		f->rc = redisConnectWithTimeout(f->host, f->port, ctv);
	if (!f->rc) {
		set_last_error(f, "connect", "out of memory");
		fleet_fail(f, "connect");
		return -1;
	}
	if (f->rc->err) {
		fleet_fail(f, "connect");
		return -1;
	}
	fdflags = fcntl(f->rc->fd, F_GETFD);
	if (fdflags >= 0)
		fcntl(f->rc->fd, F_SETFD, fdflags | FD_CLOEXEC);
	if (redisSetTimeout(f->rc, ms_tv(f->tune.command_timeout_ms)) != REDIS_OK) {
		fleet_fail(f, "connect");
		return -1;
	}
	sigpipe_block(&g);
	if (f->password) {
		const char *argv[3] = {"AUTH", f->user ? f->user : f->password,
				       f->password};
		if (setup_cmd(f, "auth", f->user ? 3 : 2, argv) < 0)
			goto out;
	}
	if (f->db) {
		char db[24];
		const char *argv[2] = {"SELECT", db};
		snprintf(db, sizeof(db), "%ld", f->db);
		if (setup_cmd(f, "select", 2, argv) < 0)
			goto out;
	}
	f->backoff_ms = 0;
	f->last_error[0] = '\0';
	ret = 0;
out:
	sigpipe_restore(&g);
	if (!ret)
		send_queued(f); /* catch up on what was written while away */
	return f->rc ? 0 : -1;
}

/* Was the error one of a connection the server (or a proxy) closed while idle? */
static int closed_while_idle(const redisContext *rc)
{
	if (rc->err == REDIS_ERR_EOF)
		return 1;
	return rc->err == REDIS_ERR_IO && (!strcmp(rc->errstr, strerror(ECONNRESET)) ||
					   !strcmp(rc->errstr, strerror(EPIPE)));
}

/*
 * One command; the reply (possibly REDIS_REPLY_ERROR) is the caller's, or
 * NULL when unavailable.  A connection found closed is replaced once at
 * once: servers and proxies close idle connections, which is no reason
 * for a back-off.
 */
static redisReply *fleet_cmd(struct qe_fleet *f, const char *what, int argc,
			     const char **argv, const size_t *lens)
{
	int attempt;
	for (attempt = 0; attempt < 2; attempt++) {
		struct sigpipe_guard g;
		redisReply *r;
		int reused = f->rc != NULL;
		if (fleet_connect(f) < 0)
			return NULL;
		sigpipe_block(&g);
		r = redisCommandArgv(f->rc, argc, argv, lens);
		sigpipe_restore(&g);
		if (r)
			return r;
		if (!reused || attempt || !closed_while_idle(f->rc)) {
			fleet_fail(f, what);
			return NULL;
		}
		set_last_error(f, what, f->rc->errstr);
		redisFree(f->rc);
		f->rc = NULL;
	}
	return NULL;
}

/* An error reply from a reachable server (wrong type, out of memory, ...). */
static void reply_error(struct qe_fleet *f, const char *what, const redisReply *r)
{
	set_last_error(f, what, r->str);
	f->errors++;
}

/* ---- queued writes ---- */

static void pending_remove_first(struct qe_fleet *f, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		free(f->pending[i].key);
		free(f->pending[i].val);
	}
	if (n && n < f->nr_pending)
		memmove(f->pending, f->pending + n,
			(f->nr_pending - n) * sizeof(*f->pending));
	f->nr_pending -= n;
}

static void append_set(struct qe_fleet *f, const char *key, const char *val, size_t len,
		       long ttl)
{
	char ttlbuf[24];
	const char *argv[5] = {"SET", key, val, "EX", ttlbuf};
	size_t lens[5] = {3, strlen(key), len, 2, 0};
	snprintf(ttlbuf, sizeof(ttlbuf), "%ld", ttl);
	lens[4] = strlen(ttlbuf);
	redisAppendCommandArgv(f->rc, ttl > 0 ? 5 : 3, argv, lens);
}

static void append_incrby(struct qe_fleet *f, const char *cmd, const char *key,
			  const char *field, long long n)
{
	char num[24];
	const char *argv[4];
	int argc = 0;
	snprintf(num, sizeof(num), "%lld", n);
	argv[argc++] = cmd;
	argv[argc++] = key;
	if (field)
		argv[argc++] = field;
	argv[argc++] = num;
	redisAppendCommandArgv(f->rc, argc, argv, NULL);
}

static char *budget_key(const struct qe_fleet *f, const char *day)
{
	return qe_xasprintf("%sbudget:%s", f->prefix, day);
}

/*
 * Send queued advice writes, count increments and budget usage in one
 * pipeline.  What the server confirmed leaves the queues; the rest stays
 * for the next contact.
 */
static void send_queued(struct qe_fleet *f)
{
	struct count_ent **sent = NULL;
	long long *amounts = NULL;
	char *bkeys[NR_BUDGET_DAYS] = {NULL};
	size_t nr_sent = 0, alloc_sent = 0, i, nput = f->nr_pending, done = 0;
	struct sigpipe_guard g;
	char *counts_key;
	int failed = 0;

	if (!f->rc)
		return;
	for (i = 0; i < COUNT_BUCKETS; i++) {
		struct count_ent *e;
		for (e = f->counts[i]; e; e = e->next) {
			if (!e->pending)
				continue;
			QE_ALLOC_GROW(sent, nr_sent + 1, alloc_sent);
			sent[nr_sent++] = e;
		}
	}
	if (!nput && !nr_sent && !f->bpend[0].day[0] && !f->bpend[1].day[0])
		return;

	counts_key = qe_xasprintf("%scounts", f->prefix);
	amounts = qe_xcalloc(nr_sent ? nr_sent : 1, sizeof(*amounts));
	for (i = 0; i < nput; i++)
		append_set(f, f->pending[i].key, f->pending[i].val, f->pending[i].len,
			   f->pending[i].ttl);
	for (i = 0; i < nr_sent; i++) {
		amounts[i] = sent[i]->pending;
		append_incrby(f, "HINCRBY", counts_key, sent[i]->fp, amounts[i]);
	}
	for (i = 0; i < NR_BUDGET_DAYS; i++) {
		char ttl[24];
		const char *argv[3] = {"EXPIRE", NULL, ttl};
		if (!f->bpend[i].day[0])
			continue;
		bkeys[i] = budget_key(f, f->bpend[i].day);
		append_incrby(f, "INCRBY", bkeys[i], NULL, f->bpend[i].tokens);
		snprintf(ttl, sizeof(ttl), "%d", QE_FLEET_BUDGET_KEY_TTL);
		argv[1] = bkeys[i];
		redisAppendCommandArgv(f->rc, 3, argv, NULL);
	}

	sigpipe_block(&g);
	/* advice writes */
	for (i = 0; i < nput; i++) {
		redisReply *r;
		if (redisGetReply(f->rc, (void **)&r) != REDIS_OK) {
			failed = 1;
			break;
		}
		if (r->type == REDIS_REPLY_ERROR)
			reply_error(f, "set", r);
		else
			f->flushed++;
		freeReplyObject(r);
		done++;
	}
	/* counts: an unread reply keeps its increment pending */
	for (i = 0; !failed && i < nr_sent; i++) {
		redisReply *r;
		if (redisGetReply(f->rc, (void **)&r) != REDIS_OK) {
			failed = 1;
			break;
		}
		if (r->type == REDIS_REPLY_INTEGER) {
			sent[i]->known = r->integer;
			sent[i]->pending -= amounts[i];
		} else if (r->type == REDIS_REPLY_ERROR) {
			reply_error(f, "hincrby", r);
			sent[i]->pending -= amounts[i];
		}
		freeReplyObject(r);
	}
	for (i = 0; !failed && i < NR_BUDGET_DAYS; i++) {
		int k;
		if (!bkeys[i])
			continue;
		for (k = 0; k < 2; k++) {
			redisReply *r;
			if (redisGetReply(f->rc, (void **)&r) != REDIS_OK) {
				failed = 1;
				break;
			}
			if (r->type == REDIS_REPLY_ERROR)
				reply_error(f, "incrby", r);
			freeReplyObject(r);
		}
		if (!failed)
			f->bpend[i].day[0] = '\0';
	}
	sigpipe_restore(&g);
	pending_remove_first(f, done);
	if (failed)
		fleet_fail(f, "flush");
	for (i = 0; i < NR_BUDGET_DAYS; i++)
		free(bkeys[i]);
	free(counts_key);
	free(amounts);
	free(sent);
}

/* ---- public ---- */

static void random_token(char out[33])
{
	unsigned char raw[16];
	size_t i;
	ssize_t n = getrandom(raw, sizeof(raw), GRND_NONBLOCK);
	if (n != (ssize_t)sizeof(raw)) {
		/* No entropy yet (early boot): distinct enough per process and time. */
		uint64_t a = qe_now_ms() ^ ((uint64_t)getpid() << 32);
		uint64_t b = (uint64_t)qe_wall_ms() ^ (uint64_t)(uintptr_t)out;
		memcpy(raw, &a, 8);
		memcpy(raw + 8, &b, 8);
	}
	for (i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

struct qe_fleet *qe_fleet_new(const struct qe_config *c)
{
	return qe_fleet_new_shared(c, NULL);
}

struct qe_fleet *qe_fleet_new_shared(const struct qe_config *c, struct qe_redactor *red)
{
	struct qe_fleet *f;
	if (!qe_fleet_wanted(c))
		return NULL;
	f = qe_xcalloc(1, sizeof(*f));
	f->tune.connect_timeout_ms = QE_FLEET_CONNECT_TIMEOUT_MS;
	f->tune.command_timeout_ms = QE_FLEET_COMMAND_TIMEOUT_MS;
	f->tune.backoff_min_ms = QE_FLEET_BACKOFF_MIN_MS;
	f->tune.backoff_max_ms = QE_FLEET_BACKOFF_MAX_MS;
	f->tune.pending_max = QE_FLEET_PENDING_MAX;
	if (parse_url(f, c->redis_url) < 0)
		goto fail;
	f->prefix = qe_xstrdup(c->redis_prefix ? c->redis_prefix : "qerrors:");
	f->ttl = c->cache_ttl > 0 ? c->cache_ttl : 0;
	f->budget = c->redis_daily_token_budget > 0 ? c->redis_daily_token_budget : 0;
	f->redactor = red ? qe_redactor_ref(red) : qe_redactor_new(c);
	if (!f->redactor)
		goto fail;
	random_token(f->token);
	fleet_connect(f);
	return f;
fail:
	qe_fleet_free(f);
	return NULL;
}

void qe_fleet_free(struct qe_fleet *f)
{
	size_t i;
	if (!f)
		return;
	if (f->rc)
		send_queued(f);
	if (f->rc)
		redisFree(f->rc);
	pending_remove_first(f, f->nr_pending);
	free(f->pending);
	for (i = 0; i < COUNT_BUCKETS; i++) {
		struct count_ent *e = f->counts[i];
		while (e) {
			struct count_ent *next = e->next;
			free(e);
			e = next;
		}
	}
	qe_redactor_free(f->redactor);
	free(f->host);
	free(f->socket_path);
	free(f->user);
	free(f->password);
	free(f->address);
	free(f->prefix);
	free(f);
}

void qe_fleet_tune(struct qe_fleet *f, const struct qe_fleet_tuning *t)
{
	if (!f || !t)
		return;
	if (t->connect_timeout_ms > 0)
		f->tune.connect_timeout_ms = t->connect_timeout_ms;
	if (t->command_timeout_ms > 0) {
		f->tune.command_timeout_ms = t->command_timeout_ms;
		if (f->rc)
			redisSetTimeout(f->rc, ms_tv(t->command_timeout_ms));
	}
	if (t->backoff_min_ms > 0)
		f->tune.backoff_min_ms = t->backoff_min_ms;
	if (t->backoff_max_ms > 0)
		f->tune.backoff_max_ms = t->backoff_max_ms;
	if (f->tune.backoff_max_ms < f->tune.backoff_min_ms)
		f->tune.backoff_max_ms = f->tune.backoff_min_ms;
	if (t->pending_max > 0)
		f->tune.pending_max = t->pending_max;
}

void qe_fleet_set_time(struct qe_fleet *f, int64_t unix_seconds)
{
	if (f)
		f->fixed_time = unix_seconds;
}

const char *qe_fleet_state(const struct qe_fleet *f)
{
	if (!f)
		return "disabled";
	return f->rc ? "connected" : "unavailable";
}

const char *qe_fleet_address(const struct qe_fleet *f)
{
	return f ? f->address : "";
}

const char *qe_fleet_last_error(const struct qe_fleet *f)
{
	return f ? f->last_error : "";
}

void qe_fleet_stats(const struct qe_fleet *f, struct qe_fleet_stats *out)
{
	size_t i;
	memset(out, 0, sizeof(*out));
	out->state = qe_fleet_state(f);
	if (!f)
		return;
	out->hits = f->hits;
	out->misses = f->misses;
	out->errors = f->errors;
	out->pending_writes = (long long)f->nr_pending;
	out->dropped_writes = f->dropped;
	out->flushed_writes = f->flushed;
	out->locks_acquired = f->locks_acquired;
	out->locks_busy = f->locks_busy;
	out->dropped_counts = f->dropped_counts;
	out->budget_refused = f->budget_refused;
	for (i = 0; i < COUNT_BUCKETS; i++) {
		const struct count_ent *e;
		for (e = f->counts[i]; e; e = e->next)
			out->pending_counts += e->pending != 0;
	}
}

static char *advice_key(const struct qe_fleet *f, const char *fp, const char *model,
			int pv)
{
	return qe_xasprintf("%sadvice:%s:%d:%s", f->prefix, model ? model : "", pv, fp);
}

int qe_fleet_advice_get(struct qe_fleet *f, const char *fp, const char *model,
			int prompt_version, char **json)
{
	const char *argv[2] = {"GET", NULL};
	redisReply *r;
	char *key;
	int ret = -1;
	*json = NULL;
	if (!f || !fp)
		return -1;
	key = advice_key(f, fp, model, prompt_version);
	argv[1] = key;
	r = fleet_cmd(f, "get", 2, argv, NULL);
	if (!r)
		goto out;
	if (r->type == REDIS_REPLY_STRING) {
		*json = qe_xstrndup(r->str, r->len);
		f->hits++;
		ret = 1;
	} else {
		if (r->type == REDIS_REPLY_ERROR)
			reply_error(f, "get", r);
		f->misses++;
		ret = 0;
	}
	freeReplyObject(r);
out:
	free(key);
	return ret;
}

int qe_fleet_url_parse(const char *url, struct qe_fleet_url *out)
{
	struct qe_fleet f;
	int ret;
	memset(&f, 0, sizeof(f));
	memset(out, 0, sizeof(*out));
	ret = parse_url(&f, url);
	out->host = f.host;
	out->socket_path = f.socket_path;
	out->port = f.port;
	out->db = f.db;
	out->user = f.user;
	out->password = f.password;
	out->address = f.address;
	if (ret < 0)
		qe_fleet_url_release(out);
	return ret;
}

void qe_fleet_url_release(struct qe_fleet_url *u)
{
	free(u->host);
	free(u->socket_path);
	free(u->user);
	free(u->password);
	free(u->address);
	memset(u, 0, sizeof(*u));
}

/* ---- redaction of advice JSON ---- */

/* The text to store: the JSON with every string redacted (the text
 * redacted when it is not JSON).  *len receives the length. */
static char *redact_advice(const struct qe_fleet *f, const char *json, size_t *len)
{
	char *out = qe_redact_json(f->redactor, json);
	*len = strlen(out);
	return out;
}

int qe_fleet_advice_put(struct qe_fleet *f, const char *fp, const char *model,
			int prompt_version, const char *json)
{
	struct pending_put *p = NULL;
	size_t len, i;
	char *key, *val;
	int ret = -1;
	if (!f || !fp || !json)
		return -1;
	key = advice_key(f, fp, model, prompt_version);
	val = redact_advice(f, json, &len);
	{
		char ttl[24];
		const char *argv[5] = {"SET", key, val, "EX", ttl};
		size_t lens[5] = {3, strlen(key), len, 2, 0};
		redisReply *r;
		snprintf(ttl, sizeof(ttl), "%ld", f->ttl);
		lens[4] = strlen(ttl);
		r = fleet_cmd(f, "set", f->ttl > 0 ? 5 : 3, argv, lens);
		if (r) {
			if (r->type == REDIS_REPLY_ERROR)
				reply_error(f, "set", r);
			else
				ret = 1;
			freeReplyObject(r);
			if (ret == 1)
				goto out;
		}
	}
	/* Unavailable (or refused): keep it for the next contact. */
	for (i = 0; i < f->nr_pending; i++)
		if (!strcmp(f->pending[i].key, key))
			p = &f->pending[i];
	if (p) {
		free(p->val);
		free(key);
	} else if (f->nr_pending >= f->tune.pending_max) {
		f->dropped++;
		ret =
		    qe_error("fleet cache write queue is full (%zu entries): advice for "
			     "'%s' not shared",
			     f->tune.pending_max, fp);
		goto out;
	} else {
		QE_ALLOC_GROW(f->pending, f->nr_pending + 1, f->alloc_pending);
		p = &f->pending[f->nr_pending++];
		p->key = key;
	}
	p->val = val;
	p->len = len;
	p->ttl = f->ttl;
	return 0;
out:
	free(key);
	free(val);
	return ret;
}

/* ---- locks ---- */

static char *lock_key(const struct qe_fleet *f, const char *fp)
{
	return qe_xasprintf("%slock:%s", f->prefix, fp);
}

int qe_fleet_lock(struct qe_fleet *f, const char *fp, long ttl_ms)
{
	char ttl[24];
	const char *argv[6] = {"SET", NULL, NULL, "NX", "PX", ttl};
	redisReply *r;
	char *key;
	int ret = -1;
	if (!f || !fp)
		return -1;
	key = lock_key(f, fp);
	argv[1] = key;
	argv[2] = f->token;
	snprintf(ttl, sizeof(ttl), "%ld",
		 ttl_ms > 0 ? ttl_ms : (long)QE_FLEET_LOCK_TTL_MS);
	r = fleet_cmd(f, "lock", 6, argv, NULL);
	if (!r)
		goto out;
	if (r->type == REDIS_REPLY_STATUS) {
		ret = 1;
	} else if (r->type == REDIS_REPLY_NIL) {
		/* Held: by us already (asking twice is fine) or by another agent. */
		const char *get[2] = {"GET", key};
		redisReply *o = fleet_cmd(f, "lock", 2, get, NULL);
		if (o) {
			ret = o->type == REDIS_REPLY_STRING &&
			      o->len == strlen(f->token) &&
			      !memcmp(o->str, f->token, o->len);
			freeReplyObject(o);
		}
	} else if (r->type == REDIS_REPLY_ERROR) {
		reply_error(f, "lock", r);
	}
	freeReplyObject(r);
	if (ret == 1)
		f->locks_acquired++;
	else if (ret == 0)
		f->locks_busy++;
out:
	free(key);
	return ret;
}

/* Delete only when the owner token matches, atomically on the server. */
static const char unlock_script[] = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
				    "return redis.call('DEL', KEYS[1]) else return 0 end";

int qe_fleet_unlock(struct qe_fleet *f, const char *fp)
{
	const char *argv[5] = {"EVAL", unlock_script, "1", NULL, NULL};
	redisReply *r;
	char *key;
	int ret = -1;
	if (!f || !fp)
		return -1;
	key = lock_key(f, fp);
	argv[3] = key;
	argv[4] = f->token;
	r = fleet_cmd(f, "unlock", 5, argv, NULL);
	if (!r)
		goto out;
	if (r->type == REDIS_REPLY_INTEGER)
		ret = r->integer > 0;
	else if (r->type == REDIS_REPLY_ERROR)
		reply_error(f, "unlock", r);
	freeReplyObject(r);
out:
	free(key);
	return ret;
}

/* ---- counts ---- */

static struct count_ent *count_find(struct qe_fleet *f, const char *fp, int create)
{
	size_t b = qe_fnv1a(fp, strlen(fp)) % COUNT_BUCKETS;
	struct count_ent *e;
	size_t n;
	for (e = f->counts[b]; e; e = e->next)
		if (!strcmp(e->fp, fp))
			return e;
	if (!create)
		return NULL;
	if (f->nr_counts >= QE_FLEET_COUNTS_MAX) {
		/* Forget totals that have nothing pending; they are on the server. */
		size_t i;
		for (i = 0; i < COUNT_BUCKETS; i++) {
			struct count_ent **pp = &f->counts[i];
			while (*pp) {
				if (!(*pp)->pending) {
					struct count_ent *dead = *pp;
					*pp = dead->next;
					free(dead);
					f->nr_counts--;
				} else {
					pp = &(*pp)->next;
				}
			}
		}
		if (f->nr_counts >= QE_FLEET_COUNTS_MAX)
			return NULL;
	}
	n = strlen(fp);
	e = qe_xcalloc(1, sizeof(*e) + n + 1);
	memcpy(e->fp, fp, n + 1);
	e->next = f->counts[b];
	f->counts[b] = e;
	f->nr_counts++;
	return e;
}

long long qe_fleet_count_add(struct qe_fleet *f, const char *fp, long long n)
{
	struct count_ent *e;
	if (!f || !fp)
		return -1;
	e = count_find(f, fp, 1);
	if (!e) {
		f->dropped_counts++;
		return -1;
	}
	e->pending += n;
	return e->known + e->pending;
}

int qe_fleet_flush(struct qe_fleet *f)
{
	if (!f)
		return -1;
	if (fleet_connect(f) < 0)
		return -1;
	send_queued(f); /* fleet_connect() may have sent them already */
	return f->rc ? 0 : -1;
}

long long qe_fleet_count_get(struct qe_fleet *f, const char *fp)
{
	const char *argv[3] = {"HGET", NULL, fp};
	struct count_ent *e;
	long long total = -1;
	redisReply *r;
	char *key;
	if (!f || !fp)
		return -1;
	key = qe_xasprintf("%scounts", f->prefix);
	argv[1] = key;
	r = fleet_cmd(f, "count", 3, argv, NULL);
	if (!r)
		goto out;
	if (r->type == REDIS_REPLY_STRING) {
		char *end;
		total = strtoll(r->str, &end, 10);
		if (*end || total < 0)
			total = 0;
	} else if (r->type == REDIS_REPLY_NIL) {
		total = 0;
	} else if (r->type == REDIS_REPLY_ERROR) {
		reply_error(f, "count", r);
	}
	freeReplyObject(r);
	if (total < 0)
		goto out;
	e = count_find(f, fp, 0);
	if (e) {
		e->known = total;
		total += e->pending;
	}
out:
	free(key);
	return total;
}

/* ---- budget ---- */

static void utc_day(const struct qe_fleet *f, char out[16])
{
	time_t t = f->fixed_time ? (time_t)f->fixed_time : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

static long long budget_get(struct qe_fleet *f, const char *day)
{
	char *key = budget_key(f, day);
	const char *argv[2] = {"GET", key};
	redisReply *r = fleet_cmd(f, "budget", 2, argv, NULL);
	long long used = -1;
	if (r) {
		if (r->type == REDIS_REPLY_STRING)
			used = strtoll(r->str, NULL, 10);
		else if (r->type == REDIS_REPLY_NIL)
			used = 0;
		else if (r->type == REDIS_REPLY_ERROR)
			reply_error(f, "budget", r);
		freeReplyObject(r);
	}
	free(key);
	return used;
}

int qe_fleet_budget_take(struct qe_fleet *f, long long tokens_estimate)
{
	char day[16];
	long long used;
	if (!f)
		return -1;
	if (!f->budget)
		return 1;
	utc_day(f, day);
	used = budget_get(f, day);
	if (used < 0)
		return -1;
	if (tokens_estimate < 0)
		tokens_estimate = 0;
	if (used < f->budget && tokens_estimate <= f->budget - used)
		return 1;
	f->budget_refused++;
	return 0;
}

long long qe_fleet_budget_used(struct qe_fleet *f)
{
	char day[16];
	if (!f)
		return -1;
	utc_day(f, day);
	return budget_get(f, day);
}

void qe_fleet_budget_add(struct qe_fleet *f, long long tokens_used)
{
	char day[16];
	size_t i, slot = NR_BUDGET_DAYS;
	if (!f || !f->budget || tokens_used <= 0)
		return;
	utc_day(f, day);
	for (i = 0; i < NR_BUDGET_DAYS; i++)
		if (!strcmp(f->bpend[i].day, day))
			slot = i;
	if (slot == NR_BUDGET_DAYS) {
		for (i = 0; i < NR_BUDGET_DAYS && slot == NR_BUDGET_DAYS; i++)
			if (!f->bpend[i].day[0])
				slot = i;
		if (slot == NR_BUDGET_DAYS) {
			/* Two older days unsent: the oldest no longer matters. */
			slot = strcmp(f->bpend[0].day, f->bpend[1].day) < 0 ? 0 : 1;
		}
		memcpy(f->bpend[slot].day, day, sizeof(day));
		f->bpend[slot].tokens = 0;
	}
	f->bpend[slot].tokens += tokens_used;
	/* Sent now when the server is there, else on the next contact. */
	if (!fleet_connect(f))
		send_queued(f);
}

/* ---- learnt templates ---- */

static char *templates_key(const struct qe_fleet *f)
{
	return qe_xasprintf("%stemplates", f->prefix);
}

int qe_fleet_template_put(struct qe_fleet *f, const char *id, const char *record)
{
	struct qe_redaction *rs;
	const char *argv[4] = {"HSET", NULL, id, NULL};
	size_t lens[4], len;
	redisReply *r;
	char *key, *clean;
	int ret = -1;
	if (!f || !id || !record)
		return -1;
	key = templates_key(f);
	rs = qe_redaction_new(f->redactor);
	clean = qe_redact_mem(rs, record, strlen(record), &len);
	qe_redaction_free(rs);
	argv[1] = key;
	argv[3] = clean;
	lens[0] = 4;
	lens[1] = strlen(key);
	lens[2] = strlen(id);
	lens[3] = len;
	r = fleet_cmd(f, "hset", 4, argv, lens);
	if (r) {
		if (r->type == REDIS_REPLY_ERROR)
			reply_error(f, "hset", r);
		else
			ret = 0;
		freeReplyObject(r);
	}
	free(clean);
	free(key);
	return ret;
}

int qe_fleet_template_delete(struct qe_fleet *f, const char *id)
{
	const char *argv[3] = {"HDEL", NULL, id};
	redisReply *r;
	char *key;
	int ret = -1;
	if (!f || !id)
		return -1;
	key = templates_key(f);
	argv[1] = key;
	r = fleet_cmd(f, "hdel", 3, argv, NULL);
	if (r) {
		if (r->type == REDIS_REPLY_ERROR)
			reply_error(f, "hdel", r);
		else
			ret = 0;
		freeReplyObject(r);
	}
	free(key);
	return ret;
}

int qe_fleet_templates(struct qe_fleet *f, qe_fleet_template_fn fn, void *data)
{
	const char *argv[2] = {"HGETALL", NULL};
	redisReply *r;
	char *key;
	size_t i;
	int ret = -1;
	if (!f)
		return -1;
	key = templates_key(f);
	argv[1] = key;
	r = fleet_cmd(f, "hgetall", 2, argv, NULL);
	if (!r)
		goto out;
	if (r->type == REDIS_REPLY_ARRAY) {
		ret = 0;
		for (i = 0; i + 1 < r->elements && i / 2 < QE_FLEET_TEMPLATES_MAX;
		     i += 2) {
			char *id, *rec;
			const redisReply *k = r->element[i], *v = r->element[i + 1];
			if (k->type != REDIS_REPLY_STRING ||
			    v->type != REDIS_REPLY_STRING)
				continue;
			id = qe_xstrndup(k->str, k->len);
			rec = qe_xstrndup(v->str, v->len);
			ret = fn(id, rec, data);
			free(id);
			free(rec);
			if (ret)
				break;
		}
	} else if (r->type == REDIS_REPLY_ERROR) {
		reply_error(f, "hgetall", r);
	}
	freeReplyObject(r);
out:
	free(key);
	return ret;
}

#else /* !QE_HAVE_HIREDIS */

struct qe_fleet {
	int unused;
};

struct qe_fleet *qe_fleet_new(const struct qe_config *c)
{
	if (qe_fleet_wanted(c))
		qe_error("this qerrors was built without Redis support (hiredis)");
	return NULL;
}

struct qe_fleet *qe_fleet_new_shared(const struct qe_config *c, struct qe_redactor *red)
{
	return qe_fleet_new(c);
}

void qe_fleet_free(struct qe_fleet *f)
{
}

int qe_fleet_url_parse(const char *url, struct qe_fleet_url *out)
{
	memset(out, 0, sizeof(*out));
	return qe_error("this qerrors was built without Redis support (hiredis)");
}

void qe_fleet_url_release(struct qe_fleet_url *u)
{
}

void qe_fleet_tune(struct qe_fleet *f, const struct qe_fleet_tuning *t)
{
}

void qe_fleet_set_time(struct qe_fleet *f, int64_t unix_seconds)
{
}

const char *qe_fleet_state(const struct qe_fleet *f)
{
	return "disabled";
}

const char *qe_fleet_address(const struct qe_fleet *f)
{
	return "";
}

const char *qe_fleet_last_error(const struct qe_fleet *f)
{
	return "";
}

void qe_fleet_stats(const struct qe_fleet *f, struct qe_fleet_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->state = "disabled";
}

int qe_fleet_advice_get(struct qe_fleet *f, const char *fp, const char *model,
			int prompt_version, char **json)
{
	*json = NULL;
	return -1;
}

int qe_fleet_advice_put(struct qe_fleet *f, const char *fp, const char *model,
			int prompt_version, const char *json)
{
	return -1;
}

int qe_fleet_lock(struct qe_fleet *f, const char *fp, long ttl_ms)
{
	return -1;
}

int qe_fleet_unlock(struct qe_fleet *f, const char *fp)
{
	return -1;
}

long long qe_fleet_count_add(struct qe_fleet *f, const char *fp, long long n)
{
	return -1;
}

int qe_fleet_flush(struct qe_fleet *f)
{
	return -1;
}

long long qe_fleet_count_get(struct qe_fleet *f, const char *fp)
{
	return -1;
}

int qe_fleet_budget_take(struct qe_fleet *f, long long tokens_estimate)
{
	return -1;
}

void qe_fleet_budget_add(struct qe_fleet *f, long long tokens_used)
{
}

long long qe_fleet_budget_used(struct qe_fleet *f)
{
	return -1;
}

int qe_fleet_template_put(struct qe_fleet *f, const char *id, const char *record)
{
	return -1;
}

int qe_fleet_template_delete(struct qe_fleet *f, const char *id)
{
	return -1;
}

int qe_fleet_templates(struct qe_fleet *f, qe_fleet_template_fn fn, void *data)
{
	return -1;
}

#endif
