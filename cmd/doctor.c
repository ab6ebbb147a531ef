/*
 * qerrors doctor: is this installation ready?  Each check says ok, warn
 * or fail, and a failure says what to do.  The AI checks send one
 * GET {base}/models and one small advice request about a made-up error,
 * both through lib/ai; nothing is written to the state database.  The API key is never
 * printed: every message is scrubbed of it before output.
 */
#include "qerrors.h"
#include "report.h"

#include "ai.h"
#include "breaker.h"
#include "fleet.h"
#include "event.h"
#include "fingerprint.h"
#include "rules.h"
#include "statedir.h"
#include "store.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Total time allowed for GET /models. */
#define MODELS_TIMEOUT_MS 10000
/* The advice round trip gives up after this. */
#define ADVICE_TIMEOUT_MS 60000
/* Below this many inotify watches, large trees of logs run out. */
#define MIN_WATCHES 8192
/* Bound on the /proc scan that counts inotify use. */
#define PROC_FD_SCAN_MAX 200000

enum status { ST_OK, ST_WARN, ST_FAIL };
static const char *const status_names[] = {"ok", "warn", "fail"};

struct check {
	const char *name;
	enum status status;
	char *message;
	char *fix; /* what to do; NULL when nothing */
};

struct doctor {
	struct qe_ctx *ctx;
	struct check *checks;
	size_t nr, alloc;
	const char *key; /* borrowed; scrubbed from every message */
};

static const char *const doctor_usage[] = {
    "qerrors doctor [--json]",
    NULL,
};

/* Replace every occurrence of the key by "***". */
static char *scrub(const char *key, char *s)
{
	struct qe_buf b = QE_BUF_INIT;
	const char *p = s, *hit;
	size_t kl;

	if (!s || !key || !*key)
		return s;
	kl = strlen(key);
	while ((hit = strstr(p, key))) {
		qe_buf_add(&b, p, (size_t)(hit - p));
		qe_buf_addstr(&b, "***");
		p = hit + kl;
	}
	qe_buf_addstr(&b, p);
	free(s);
	return qe_buf_detach(&b);
}

static void add(struct doctor *d, const char *name, enum status st, char *message,
		char *fix)
{
	struct check *c;
	QE_ALLOC_GROW(d->checks, d->nr + 1, d->alloc);
	c = &d->checks[d->nr++];
	c->name = name;
	c->status = st;
	c->message = scrub(d->key, message);
	c->fix = scrub(d->key, fix);
}

/* ---- configuration and rules ---- */

static void check_config(struct doctor *d, int loaded)
{
	struct qe_ctx *ctx = d->ctx;
	struct qe_rules *r;
	size_t i, n, user = 0, failed;

	if (!loaded)
		return;
	if (ctx->cfg.path)
		add(d, "config", ST_OK, qe_xasprintf("%s", ctx->cfg.path), NULL);
	else
		add(d, "config", ST_OK, qe_xstrdup("none: built-in defaults"), NULL);

	r = qe_rules_new(&ctx->cfg);
	if (!r) {
		add(d, "rules", ST_FAIL, qe_xstrdup(qe_last_error()),
		    qe_xstrdup(
			"fix the rule in rules.custom; 'qerrors rules check' shows "
			"the rule set"));
		return;
	}
	n = qe_rules_count(r);
	for (i = 0; i < n; i++) {
		struct qe_rule_info ri;
		qe_rules_info(r, i, &ri);
		user += !ri.builtin;
	}
	failed = qe_rules_check_samples(r, NULL, NULL);
	if (failed)
		add(d, "rules", ST_WARN,
		    qe_xasprintf("%zu rules (%zu user); %zu sample%s fail", n, user,
				 failed, failed == 1 ? "" : "s"),
		    qe_xstrdup("run 'qerrors rules check' to see which"));
	else
		add(d, "rules", ST_OK,
		    qe_xasprintf("%zu rules (%zu built-in, %zu user), all samples pass",
				 n, n - user, user),
		    NULL);
	qe_rules_free(r);
}

/* ---- state directory ---- */

/* The nearest existing ancestor of path (for "can it be created?"). */
static char *existing_parent(const char *path)
{
	char *p = qe_xstrdup(path), *slash;
	struct stat st;
	while ((slash = strrchr(p, '/'))) {
		if (slash == p) {
			p[1] = '\0';
			break;
		}
		*slash = '\0';
		if (stat(p, &st) == 0)
			break;
	}
	return p;
}

static void check_file_mode(struct doctor *d, const char *path, int *bad)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return;
	if (!S_ISREG(st.st_mode)) {
		add(d, "state", ST_FAIL, qe_xasprintf("'%s' is not a regular file", path),
		    qe_xasprintf("move it away; qerrors creates a new database"));
		*bad = 1;
		return;
	}
	if (access(path, R_OK | W_OK) < 0) {
		add(d, "state", ST_FAIL,
		    qe_xasprintf("'%s' is not writable by this user: %s", path,
				 strerror(errno)),
		    qe_xasprintf("run qerrors as the owner of '%s', or 'chown' it",
				 path));
		*bad = 1;
	} else if (st.st_mode & 077) {
		add(d, "state", ST_WARN,
		    qe_xasprintf("'%s' is readable by other users (mode %04o)", path,
				 (unsigned)(st.st_mode & 07777)),
		    qe_xasprintf("chmod 600 '%s'", path));
		*bad = 1;
	}
}

static struct qe_store *check_state(struct doctor *d)
{
	struct qe_ctx *ctx = d->ctx;
	const char *dir = qe_ctx_state_dir(ctx);
	char *def = NULL, *db = NULL, *side = NULL;
	struct qe_store *s = NULL;
	struct stat st;
	int bad = 0;

	if (!dir) {
		def = qe_statedir_default();
		if (!def) {
			add(d, "state", ST_FAIL, qe_xstrdup(qe_last_error()),
			    qe_xstrdup("set QERRORS_STATE_DIR or use --state-dir"));
			return NULL;
		}
		dir = def;
	}
	if (stat(dir, &st) < 0) {
		char *parent = existing_parent(dir);
		if (errno == ENOENT && access(parent, W_OK | X_OK) == 0)
			add(d, "state", ST_OK,
			    qe_xasprintf(
				"'%s' does not exist yet; the first run creates it "
				"(mode 0700)",
				dir),
			    NULL);
		else
			add(d, "state", ST_FAIL,
			    qe_xasprintf(
				"state directory '%s' cannot be created: '%s' is not "
				"writable",
				dir, parent),
			    qe_xstrdup(
				"set QERRORS_STATE_DIR or --state-dir to a directory "
				"this user owns"));
		free(parent);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		add(d, "state", ST_FAIL, qe_xasprintf("'%s' is not a directory", dir),
		    qe_xstrdup("set QERRORS_STATE_DIR or --state-dir to a directory"));
		goto out;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		add(d, "state", ST_FAIL,
		    qe_xasprintf("state directory '%s' is not writable: %s", dir,
				 strerror(errno)),
		    qe_xasprintf("run qerrors as the owner of '%s', or 'chown' it", dir));
		bad = 1;
	} else if (st.st_mode & 077) {
		add(d, "state", ST_WARN,
		    qe_xasprintf(
			"state directory '%s' is accessible by other users (mode %04o)",
			dir, (unsigned)(st.st_mode & 07777)),
		    qe_xasprintf("chmod 700 '%s'", dir));
		bad = 1;
	}
	db = qe_xasprintf("%s/qerrors.db", dir);
	check_file_mode(d, db, &bad);
	side = qe_xasprintf("%s-wal", db);
	check_file_mode(d, side, &bad);
	free(side);
	side = qe_xasprintf("%s-shm", db);
	check_file_mode(d, side, &bad);
	if (stat(db, &st) < 0) {
		if (!bad)
			add(d, "state", ST_OK,
			    qe_xasprintf("'%s' (mode 0700); no database yet", dir), NULL);
		goto out;
	}
	s = qe_store_open(dir, QE_STORE_READONLY);
	if (!s) {
		add(d, "state", ST_FAIL, qe_xstrdup(qe_last_error()),
		    qe_xasprintf("move '%s' away; qerrors creates a new one", db));
		goto out;
	}
	if (!bad) {
		long long cached = qe_store_cache_count(s);
		add(d, "state", ST_OK,
		    qe_xasprintf("'%s' (0700, database 0600, %lld cached answer%s)", db,
				 cached < 0 ? 0 : cached, cached == 1 ? "" : "s"),
		    NULL);
	}
out:
	free(def);
	free(db);
	free(side);
	return s;
}

/* ---- AI service ---- */

/* "a, b, c" for at most `max` names, then "and N more". */
static char *name_list(char *const *names, long n, long max)
{
	struct qe_buf b = QE_BUF_INIT;
	long i;
	for (i = 0; i < n && i < max; i++)
		qe_buf_addf(&b, "%s%s", i ? ", " : "", names[i]);
	if (n > max)
		qe_buf_addf(&b, " and %ld more", n - max);
	return qe_buf_detach(&b);
}

/* Ollama lists "llama3.2:latest" and answers to "llama3.2" too. */
static int offers(const struct qe_ai_probe *p, const char *model)
{
	size_t len = strlen(model);
	long i;
	for (i = 0; i < p->nr_models; i++)
		if (!strcmp(p->models[i], model) ||
		    (!strchr(model, ':') && !strncmp(p->models[i], model, len) &&
		     !strcmp(p->models[i] + len, ":latest")))
			return 1;
	return 0;
}

/* GET {base}/models: is the service there, and which models it offers.
 * Returns 1 when the service answered at all. */
static int check_models(struct doctor *d, struct qe_ai_probe *p)
{
	const char *model = qe_config_ai_model(&d->ctx->cfg);
	char *list;

	if (qe_ai_probe_models(&d->ctx->cfg, MODELS_TIMEOUT_MS, p) < 0) {
		add(d, "ai_reachable", ST_FAIL, qe_xstrdup(p->error),
		    qe_xstrdup("check that the service is running and that ai.base_url "
			       "(QERRORS_AI_BASE_URL) is right; proxies come from "
			       "https_proxy/no_proxy"));
		return 0;
	}
	if (p->http_code == 200)
		add(d, "ai_reachable", ST_OK,
		    qe_xasprintf("GET %s: HTTP 200 in %llu ms", p->url,
				 (unsigned long long)p->ms),
		    NULL);
	else if (p->v1_url)
		add(d, "ai_reachable", ST_FAIL,
		    qe_xasprintf("GET %s: %s, but %s answers", p->url, p->error,
				 p->v1_url),
		    qe_xstrdup(p->fix));
	else if (p->st == QE_AI_AUTH)
		add(d, "ai_reachable", ST_FAIL,
		    qe_xasprintf("GET %s: %s", p->url, p->error),
		    qe_xstrdup(
			"check OPENAI_API_KEY (or QERRORS_AI_API_KEY, ai.api_key)"));
	else if (p->http_code == 404 || p->http_code == 405)
		add(d, "ai_reachable", ST_WARN,
		    qe_xasprintf("GET %s: HTTP %ld: the service has no model list",
				 p->url, p->http_code),
		    qe_xstrdup(
			"some servers do not offer /models; the advice check below "
			"tells whether chat completions work"));
	else
		add(d, "ai_reachable", ST_FAIL,
		    qe_xasprintf("GET %s: %s", p->url, p->error),
		    qe_xstrdup("the service answers but fails; check its logs or status "
			       "page, and ai.base_url"));

	if (!p->models)
		return 1;
	if (!p->nr_models) {
		add(d, "ai_models", ST_WARN, qe_xstrdup("the service offers no models"),
		    qe_xasprintf("load or pull one (Ollama: 'ollama pull %s'), or set "
				 "ai.model to one it has",
				 model));
		return 1;
	}
	list = name_list(p->models, p->nr_models, 10);
	if (offers(p, model))
		add(d, "ai_models", ST_OK,
		    qe_xasprintf("%ld offered, '%s' among them: %s", p->nr_models, model,
				 list),
		    NULL);
	else
		add(d, "ai_models", ST_WARN,
		    qe_xasprintf("model '%s' is not among the %ld the service offers: %s",
				 model, p->nr_models, list),
		    qe_xasprintf(
			"set ai.model (QERRORS_AI_MODEL) to one of them, or make "
			"the server offer it (Ollama: 'ollama pull %s')",
			model));
	free(list);
	return 1;
}

/* One advice request about a made-up error, through the client tail
 * uses: it shows which response format the service accepts and how long
 * a round trip takes.  No store: the breaker and format memory stay
 * untouched. */
static void check_advice(struct doctor *d, const struct qe_ai_probe *models)
{
	struct qe_config *c = &d->ctx->cfg;
	const char *model = qe_config_ai_model(c);
	struct qe_ai_probe p;
	const char *fix;

	if (qe_ai_probe_chat(c, ADVICE_TIMEOUT_MS, &p) == 0) {
		if (!strcmp(p.format, "json_schema"))
			add(d, "ai_advice", ST_OK,
			    qe_xasprintf(
				"valid advice in %llu ms with json_schema answers "
				"(model %s)",
				(unsigned long long)p.ms, model),
			    NULL);
		else
			add(d, "ai_advice", ST_WARN,
			    qe_xasprintf(
				"valid advice in %llu ms, but the service does not "
				"take json_schema answers; qerrors uses %s",
				(unsigned long long)p.ms, p.format),
			    qe_xstrdup("works as is; a model or server with structured "
				       "outputs gives more reliable advice"));
		goto out;
	}
	if (p.hint == QE_AI_HINT_MODEL && models->models && models->nr_models) {
		char *list = name_list(models->models, models->nr_models, 10);
		add(d, "ai_advice", ST_FAIL,
		    qe_xasprintf("no advice: model '%s' not found (HTTP 404 from %s)",
				 model, p.url),
		    qe_xasprintf("set ai.model (QERRORS_AI_MODEL) to a model the service "
				 "offers: %s",
				 list));
		free(list);
		goto out;
	}
	if (p.hint == QE_AI_HINT_MODEL)
		add(d, "ai_advice", ST_FAIL,
		    qe_xasprintf("no advice: model '%s' not found (HTTP 404 from %s)",
				 model, p.url),
		    qe_xstrdup(p.fix));
	else if (p.hint != QE_AI_HINT_NONE)
		add(d, "ai_advice", ST_FAIL,
		    qe_xasprintf("no advice: %s is not there (HTTP 404)", p.url),
		    qe_xstrdup(p.fix));
	if (p.hint != QE_AI_HINT_NONE)
		goto out;
	switch (p.st) {
	case QE_AI_AUTH:
		fix = "the key was rejected: check OPENAI_API_KEY (or "
		      "QERRORS_AI_API_KEY)";
		break;
	case QE_AI_QUOTA:
		fix = "the account is out of quota: check the plan and billing";
		break;
	case QE_AI_RATE_LIMITED:
		fix = "rate limited: lower ai.concurrency or try again later";
		break;
	case QE_AI_REJECTED:
		fix = "check ai.model and ai.response_format";
		break;
	case QE_AI_TRUNCATED:
		fix = "raise ai.max_tokens";
		break;
	default:
		fix = "check that the service runs and ai.base_url is right";
		break;
	}
	add(d, "ai_advice", ST_FAIL,
	    qe_xasprintf("no advice (%s): %s", qe_ai_status_name(p.st), p.error),
	    qe_xstrdup(fix));
out:
	qe_ai_probe_release(&p);
}

static void check_breaker(struct doctor *d, struct qe_store *s, const char *endpoint)
{
	struct qe_config *c = &d->ctx->cfg;
	struct qe_breaker_record rec;
	int rc;

	rc = s ? qe_breaker_read(s, endpoint, c->breaker_open_ms, qe_wall_ms(), &rec) : 0;
	if (rc < 0) {
		add(d, "ai_breaker", ST_WARN, qe_xstrdup(qe_last_error()),
		    qe_xstrdup("the next request resets it"));
	} else if (rc == 0) {
		add(d, "ai_breaker", ST_OK, qe_xstrdup("closed (no failures recorded)"),
		    NULL);
	} else if (rec.state == QE_BREAKER_OPEN) {
		add(d, "ai_breaker", ST_WARN,
		    qe_xasprintf("open after %ld failures: no requests for %lld more s",
				 rec.failures, (long long)(rec.wait_ms + 999) / 1000),
		    qe_xstrdup(
			"it retries on its own; fix what the checks above report"));
	} else if (rec.state == QE_BREAKER_HALF_OPEN) {
		add(d, "ai_breaker", ST_WARN,
		    qe_xstrdup(
			"half-open: the next request is a probe after earlier failures"),
		    qe_xstrdup("it closes after successful probes"));
	} else {
		add(d, "ai_breaker", ST_OK,
		    rec.failures
			? qe_xasprintf("closed (%ld recent failure%s)", rec.failures,
				       rec.failures == 1 ? "" : "s")
			: qe_xstrdup("closed"),
		    NULL);
	}
}

static void check_ai(struct doctor *d, struct qe_store *s)
{
	struct qe_config *c = &d->ctx->cfg;
	const char *endpoint = qe_config_ai_endpoint(c);
	struct qe_ai_probe models;
	const char *src;

	if (!endpoint) {
		add(d, "ai_endpoint", ST_WARN,
		    qe_xstrdup("no AI service configured: qerrors works without advice"),
		    qe_xstrdup("set OPENAI_API_KEY or QERRORS_AI_BASE_URL"));
		return;
	}
	add(d, "ai_endpoint", ST_OK,
	    qe_xasprintf("%s (model %s)", endpoint, qe_config_ai_model(c)), NULL);
	if (d->key) {
		const char *qk = getenv("QERRORS_AI_API_KEY"),
			   *ok = getenv("OPENAI_API_KEY");
		if (qk && *qk)
			src = "QERRORS_AI_API_KEY";
		else if (ok && *ok)
			src = "OPENAI_API_KEY";
		else
			src = "ai.api_key in the configuration";
		add(d, "ai_key", ST_OK,
		    qe_xasprintf("set (from %s, %zu characters)", src, strlen(d->key)),
		    NULL);
	} else {
		add(d, "ai_key", ST_OK,
		    qe_xstrdup("not set: fine for local servers such as Ollama"), NULL);
	}
	if (check_models(d, &models))
		check_advice(d, &models);
	qe_ai_probe_release(&models);
	check_breaker(d, s, endpoint);
}

/* ---- inotify ---- */

/* ---- fleet cache ---- */

static void check_fleet(struct doctor *d)
{
	struct qe_fleet *f;
	if (!qe_fleet_wanted(&d->ctx->cfg)) {
		add(d, "fleet", ST_OK,
		    qe_xstrdup("local cache only (cache.backend: sqlite)"), NULL);
		return;
	}
	f = qe_fleet_new(&d->ctx->cfg);
	if (!f) {
		add(d, "fleet", ST_FAIL, qe_xstrdup(qe_last_error()),
		    qe_xstrdup("fix cache.redis.url in the configuration"));
		return;
	}
	if (!strcmp(qe_fleet_state(f), "connected"))
		add(d, "fleet", ST_OK,
		    qe_xasprintf("Redis at %s reachable", qe_fleet_address(f)), NULL);
	else
		add(d, "fleet", ST_WARN,
		    qe_xasprintf("Redis at %s unavailable: %s", qe_fleet_address(f),
				 qe_fleet_last_error(f)),
		    qe_xstrdup(
			"start the Redis server or fix cache.redis.url; until then each "
			"host uses its local cache and catches up later"));
	qe_fleet_free(f);
}

static long read_long_file(const char *path)
{
	char buf[64];
	ssize_t n;
	long v;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return qe_parse_long(buf, &v) < 0 ? -1 : v;
}

/* Watches in one inotify fd: one "inotify wd:" line each in fdinfo. */
static long count_watches(const char *fdinfo)
{
	char buf[8192];
	long n = 0;
	FILE *f = fopen(fdinfo, "re");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "inotify wd:", 11))
			n++;
	fclose(f);
	return n;
}

/* Inotify instances and watches of this user's processes (the limits
 * are per user).  Processes we cannot read are skipped. */
static void inotify_usage(long *instances, long *watches)
{
	DIR *proc = opendir("/proc"), *fds;
	struct dirent *p, *f;
	long scanned = 0;

	*instances = *watches = 0;
	if (!proc)
		return;
	while ((p = readdir(proc)) && scanned < PROC_FD_SCAN_MAX) {
		char path[600], link[64];
		struct stat st;
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s", p->d_name);
		if (stat(path, &st) < 0 || st.st_uid != geteuid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds)) && scanned < PROC_FD_SCAN_MAX) {
			ssize_t n;
			if (f->d_name[0] == '.')
				continue;
			scanned++;
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name,
				 f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, "anon_inode:inotify"))
				continue;
			(*instances)++;
			snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", p->d_name,
				 f->d_name);
			*watches += count_watches(path);
		}
		closedir(fds);
	}
	closedir(proc);
}

static void check_inotify(struct doctor *d)
{
	long max_watches = read_long_file("/proc/sys/fs/inotify/max_user_watches");
	long max_inst = read_long_file("/proc/sys/fs/inotify/max_user_instances");
	long inst, watches;

	if (max_watches < 0 || max_inst < 0) {
		add(d, "inotify", ST_WARN,
		    qe_xstrdup("cannot read /proc/sys/fs/inotify limits"),
		    qe_xstrdup("tail falls back to polling (follow.backend: poll) where "
			       "inotify is missing"));
		return;
	}
	inotify_usage(&inst, &watches);
	if (max_watches < MIN_WATCHES)
		add(d, "inotify", ST_WARN,
		    qe_xasprintf(
			"max_user_watches is %ld (below %d); this user has %ld in use",
			max_watches, MIN_WATCHES, watches),
		    qe_xstrdup(
			"sysctl -w fs.inotify.max_user_watches=524288, and set it in "
			"/etc/sysctl.d/ to keep it"));
	else if (watches * 10 >= max_watches * 9 || inst * 10 >= max_inst * 9)
		add(d, "inotify", ST_WARN,
		    qe_xasprintf(
			"nearly used up: %ld of %ld watches, %ld of %ld instances",
			watches, max_watches, inst, max_inst),
		    qe_xstrdup(
			"raise fs.inotify.max_user_watches / max_user_instances with "
			"sysctl -w, and in /etc/sysctl.d/"));
	else
		add(d, "inotify", ST_OK,
		    qe_xasprintf(
			"%ld of %ld watches, %ld of %ld instances in use by this user",
			watches, max_watches, inst, max_inst),
		    NULL);
}

/* ---- output ---- */

static int print_json(struct doctor *d, size_t warns, size_t fails)
{
	json_t *o = json_object(), *arr = json_array();
	size_t i;
	int rc;
	for (i = 0; i < d->nr; i++) {
		struct check *c = &d->checks[i];
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:o, s:o}", "name", c->name, "status",
				   status_names[c->status], "message",
				   qe_report_string(c->message), "fix",
				   c->fix ? qe_report_string(c->fix) : json_null()));
	}
	json_object_set_new(o, "checks", arr);
	json_object_set_new(o, "warnings", json_integer((json_int_t)warns));
	json_object_set_new(o, "failures", json_integer((json_int_t)fails));
	json_object_set_new(o, "ok", json_boolean(!fails));
	rc = qe_report_print_json(o);
	json_decref(o);
	return rc;
}

static void print_text(struct doctor *d, size_t warns, size_t fails)
{
	struct qe_ctx *ctx = d->ctx;
	const char *colors[] = {qe_color_code(ctx, "\033[32m"),
				qe_color_code(ctx, "\033[33m"),
				qe_color_code(ctx, "\033[31m")};
	const char *reset = qe_color_code(ctx, "\033[0m");
	size_t i;
	for (i = 0; i < d->nr; i++) {
		struct check *c = &d->checks[i];
		char *msg = qe_utf8_sanitize(c->message, strlen(c->message));
		const char *line = msg, *nl = strchr(line, '\n');
		/* a message of several lines (every error of a config file) */
		printf("%s%-4s%s  %-13s %.*s\n", colors[c->status],
		       status_names[c->status], reset, c->name,
		       nl ? (int)(nl - line) : (int)strlen(line), line);
		while (nl) {
			line = nl + 1;
			nl = strchr(line, '\n');
			printf("      %-13s %.*s\n", "",
			       nl ? (int)(nl - line) : (int)strlen(line), line);
		}
		if (c->fix)
			printf("      %-13s -> %s\n", "", c->fix);
		free(msg);
	}
	printf("\n%zu check%s: %zu warning%s, %zu failure%s\n", d->nr,
	       d->nr == 1 ? "" : "s", warns, warns == 1 ? "" : "s", fails,
	       fails == 1 ? "" : "s");
}

int cmd_doctor(int argc, char **argv, struct qe_ctx *ctx)
{
	int json = 0, loaded;
	const struct qe_option opts[] = {
	    QE_OPT_FLAG_(0, "json", &json, "print one JSON object"),
	    QE_OPT_END_,
	};
	struct doctor d;
	struct qe_store *s;
	char **args;
	size_t i, warns = 0, fails = 0;
	int nargs;

	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	nargs = qe_parse_options(argc, argv, opts, doctor_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs > 0) {
		qe_error_msg("doctor takes no arguments");
		qe_usage(stderr, opts, doctor_usage);
		return QE_EXIT_USAGE;
	}
	/* A broken configuration is a finding, not the end: the other
	 * checks run on the defaults and the environment. */
	loaded = qe_config_load(&ctx->cfg, ctx->config_path) == 0;
	if (!loaded) {
		const char *path =
		    ctx->config_path ? ctx->config_path : getenv("QERRORS_CONFIG");
		add(&d, "config", ST_FAIL, qe_xstrdup(qe_last_error()),
		    path ? qe_xasprintf("fix '%s' (see qerrors.yaml(5))", path)
			 : qe_xstrdup("fix the file named above (see qerrors.yaml(5))"));
		qe_config_release(&ctx->cfg);
		qe_config_init(&ctx->cfg);
		qe_config_apply_env(&ctx->cfg);
	}
	d.key = ctx->cfg.ai_api_key && *ctx->cfg.ai_api_key ? ctx->cfg.ai_api_key : NULL;
	/* the failure message above was recorded before the key was known */
	if (!loaded)
		d.checks[0].message = scrub(d.key, d.checks[0].message);

	check_config(&d, loaded);
	s = check_state(&d);
	check_ai(&d, s);
	check_fleet(&d);
	check_inotify(&d);
	qe_store_close(s);

	for (i = 0; i < d.nr; i++) {
		warns += d.checks[i].status == ST_WARN;
		fails += d.checks[i].status == ST_FAIL;
	}
	if (json)
		print_json(&d, warns, fails);
	else
		print_text(&d, warns, fails);
	for (i = 0; i < d.nr; i++) {
		free(d.checks[i].message);
		free(d.checks[i].fix);
	}
	free(d.checks);
	return fails ? QE_EXIT_FAILURE : QE_EXIT_OK;
}
