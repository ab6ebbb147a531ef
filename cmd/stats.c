/*
 * qerrors stats: what the state database has counted since it was
 * created, and what the running agent is doing: lines and events read,
 * error groups, queue, AI requests, tokens and their cost, cache, circuit
 * breaker, and how far behind each source is.
 *
 * The database is opened read-only and read in one snapshot (WAL), so a
 * running agent is never blocked and the numbers agree with each other.
 */
#include "qerrors.h"
#include "report.h"

#include "breaker.h"
#include "statedir.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* An agent commits at least this often while it works; an older
 * heartbeat from a live pid may be a pid reused by another process. */
#define HEARTBEAT_MAX_AGE_MS 60000
/* Models priced separately; more are priced as the configured one. */
#define MAX_MODELS 64

static const char *const stats_usage[] = {
    "qerrors stats [--json]",
    NULL,
};

/* Counters shown under their own JSON key, in this order. */
static const char *const counter_keys[] = {
    "lines_read",
    "bytes_read",
    "events",
    "truncated_lines",
    "dropped_events",
    "queue_rejects",
    "ai_requests",
    "ai_failures",
    "ai_retries",
    "tokens_prompt",
    "tokens_completion",
    "cache_hits",
    "cache_misses",
    "cache_hits_tail",
    "analyze_runs",
    "analyze_events",
    "files_parked",
    "file_opens_deferred",
    "files_skipped_compressed",
    "nul_bytes",
    "utf16_bytes",
    "journal_entries",
};

struct model_tokens {
	char *model;
	long long prompt, completion;
};

struct stats {
	struct qe_ctx *ctx;
	struct qe_store *store;
	json_t *counters; /* every counter, by name */
	struct model_tokens models[MAX_MODELS];
	size_t nr_models;
	int64_t now;
	long long agent_queue_length;
};

/* A UTC time from the JSON shown as local time, as the text form wants;
 * "-" when there is none. */
static void show_time(json_t *v, char *buf, size_t n)
{
	struct tm tm;
	snprintf(buf, n, "-");
	if (!json_is_string(v))
		return;
	memset(&tm, 0, sizeof(tm));
	if (strptime(json_string_value(v), "%Y-%m-%dT%H:%M:%SZ", &tm))
		qe_report_time_local((int64_t)timegm(&tm) * 1000, buf, n);
}

static long long counter(struct stats *st, const char *name)
{
	return (long long)json_integer_value(json_object_get(st->counters, name));
}

static struct model_tokens *model_slot(struct stats *st, const char *model)
{
	size_t i;
	for (i = 0; i < st->nr_models; i++)
		if (!strcmp(st->models[i].model, model))
			return &st->models[i];
	if (st->nr_models >= MAX_MODELS)
		return NULL;
	st->models[st->nr_models].model = qe_xstrdup(model);
	return &st->models[st->nr_models++];
}

static int on_counter(const char *name, long long value, void *data)
{
	struct stats *st = data;
	struct model_tokens *m;
	json_object_set_new(st->counters, name, json_integer(value));
	if (!strncmp(name, "tokens_prompt:", 14) && (m = model_slot(st, name + 14)))
		m->prompt += value;
	else if (!strncmp(name, "tokens_completion:", 18) &&
		 (m = model_slot(st, name + 18)))
		m->completion += value;
	return 0;
}

static int pid_alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Is an agent running on this state?  The lock file names the current
 * holder; the kv pid with a fresh heartbeat covers an agent whose lock
 * file could not be read. */
static json_t *agent_json(struct stats *st, int *running)
{
	long lock_pid = qe_statedir_lock_pid(qe_store_dir(st->store));
	struct qe_store_agent_status as;
	long kv_pid;
	int64_t hb;
	long pid = 0;
	json_t *o;

	qe_store_agent_status_get(st->store, &as);
	kv_pid = as.pid;
	hb = as.heartbeat_ms;
	st->agent_queue_length = as.queue_length;
	o = json_object();
	if (pid_alive(lock_pid))
		pid = lock_pid;
	else if (pid_alive(kv_pid) && hb > 0 && st->now - hb <= HEARTBEAT_MAX_AGE_MS)
		pid = kv_pid;
	*running = pid != 0;
	json_object_set_new(o, "running", json_boolean(*running));
	json_object_set_new(o, "pid", pid ? json_integer(pid) : json_null());
	json_object_set_new(o, "heartbeat", qe_report_time_json(hb));
	json_object_set_new(o, "heartbeat_age_s",
			    hb > 0 ? json_integer((st->now - hb) / 1000) : json_null());
	return o;
}

/* The circuit breaker of the configured endpoint, as another process
 * left it; an unreadable record shows as closed, as the client reads it. */
static const char *breaker_state(struct stats *st)
{
	const char *endpoint = qe_config_ai_endpoint(&st->ctx->cfg);
	struct qe_breaker_record rec;

	if (!endpoint)
		return "closed";
	qe_breaker_read(st->store, endpoint, st->ctx->cfg.breaker_open_ms, st->now, &rec);
	return qe_breaker_state_name(rec.state);
}

static const struct qe_price *find_price(const struct qe_config *c, const char *model)
{
	size_t i;
	for (i = 0; i < c->nr_prices; i++)
		if (c->prices[i].model && !strcmp(c->prices[i].model, model))
			return &c->prices[i];
	return NULL;
}

/* Cost per model from the per-model token counters; tokens counted
 * before those existed are priced as the configured model. */
static void add_cost(struct stats *st, json_t *out)
{
	const struct qe_config *cfg = &st->ctx->cfg;
	const char *configured = qe_config_ai_model(cfg);
	long long rest_p = counter(st, "tokens_prompt"),
		  rest_c = counter(st, "tokens_completion");
	json_t *by_model = json_array();
	struct qe_buf note = QE_BUF_INIT;
	double total = 0;
	size_t i;

	for (i = 0; i < st->nr_models; i++) {
		rest_p -= st->models[i].prompt;
		rest_c -= st->models[i].completion;
	}
	if (rest_p > 0 || rest_c > 0) {
		struct model_tokens *m = model_slot(st, configured);
		if (m) {
			m->prompt += rest_p > 0 ? rest_p : 0;
			m->completion += rest_c > 0 ? rest_c : 0;
		}
	}
	for (i = 0; i < st->nr_models; i++) {
		struct model_tokens *m = &st->models[i];
		const struct qe_price *p = find_price(cfg, m->model);
		json_t *o;
		double cost = 0;
		if (!m->prompt && !m->completion)
			continue;
		o = json_object();
		json_object_set_new(o, "model", qe_report_string(m->model));
		json_object_set_new(o, "tokens_prompt", json_integer(m->prompt));
		json_object_set_new(o, "tokens_completion", json_integer(m->completion));
		if (p) {
			cost = (double)m->prompt / 1e6 * p->prompt_per_mtok +
			       (double)m->completion / 1e6 * p->completion_per_mtok;
			total += cost;
			json_object_set_new(o, "cost", json_real(cost));
		} else {
			json_object_set_new(o, "cost", json_null());
			qe_buf_addf(&note, "%sno price for model '%s' in ai.prices",
				    note.len ? "; " : "", m->model);
		}
		json_array_append_new(by_model, o);
	}
	json_object_set_new(out, "cost_estimate", json_real(total));
	json_object_set_new(out, "cost_note",
			    note.len ? qe_report_string(note.buf) : json_null());
	json_object_set_new(out, "cost_by_model", by_model);
	qe_buf_release(&note);
}

static int on_total(const char *name, long long groups, long long events, void *data)
{
	json_object_set_new(data, name, json_integer(events));
	return 0;
}

static int on_offset(const struct qe_offset *o, void *data)
{
	json_t *list = data, *e = json_object();
	struct stat sb;
	long long pos = (long long)o->offset, size = (long long)o->size, lag;
	int exists = stat(o->path, &sb) == 0 && S_ISREG(sb.st_mode);
	int same =
	    exists && (uint64_t)sb.st_dev == o->dev && (uint64_t)sb.st_ino == o->ino;

	if (same || (exists && o->path[0] == '/'))
		size = (long long)sb.st_size;
	/* A relative path is the agent's, seen from our directory: only a
	 * file with the recorded identity is the same file. */
	exists = exists && (same || o->path[0] == '/');
	if (exists && !same)
		lag = size; /* replaced since: the whole new file is unread */
	else if (size < pos)
		lag = size; /* truncated: read again from the start */
	else
		lag = size - pos;
	json_object_set_new(e, "path", qe_report_string(o->path));
	json_object_set_new(e, "position", json_integer(pos));
	json_object_set_new(e, "size", json_integer(size));
	json_object_set_new(e, "lag", json_integer(lag));
	json_object_set_new(e, "exists", json_boolean(exists));
	json_object_set_new(e, "updated", qe_report_time_json(o->updated));
	json_object_set_new(e, "format",
			    o->format ? json_string(o->format) : json_null());
	json_array_append_new(list, e);
	return 0;
}

static int on_jcursor(const struct qe_jcursor *c, void *data)
{
	json_t *e = json_object();
	json_object_set_new(e, "source", qe_report_string(c->source));
	json_object_set_new(e, "entries", json_integer(c->entries));
	/* "" is saved for a journal that had no entry: read from its head */
	json_object_set_new(e, "cursor",
			    *c->cursor ? qe_report_string(c->cursor) : json_null());
	json_object_set_new(e, "last_entry",
			    c->last_entry ? qe_report_time_json(c->last_entry)
					  : json_null());
	json_object_set_new(e, "updated", qe_report_time_json(c->updated));
	json_array_append_new(data, e);
	return 0;
}

static int collect(struct stats *st, json_t *out)
{
	json_t *sev = json_object(), *kind = json_object(), *sources = json_array();
	json_t *journals = json_array();
	long long groups, entries;
	int running, ret = -1;
	size_t i;

	json_object_set_new(out, "state", qe_report_string(qe_store_path(st->store)));
	json_object_set_new(out, "agent", agent_json(st, &running));
	if (qe_store_counters(st->store, on_counter, st) < 0)
		goto out;
	groups = qe_store_group_total(st->store);
	entries = qe_store_cache_count(st->store);
	if (groups < 0 || entries < 0)
		goto out;
	for (i = 0; i < QE_ARRAY_SIZE(counter_keys); i++) {
		json_object_set_new(out, counter_keys[i],
				    json_integer(counter(st, counter_keys[i])));
		if (!strcmp(counter_keys[i], "events"))
			json_object_set_new(out, "fingerprints", json_integer(groups));
		if (!strcmp(counter_keys[i], "dropped_events"))
			/* a queue belongs to a live agent */
			json_object_set_new(
			    out, "queue_length",
			    json_integer(running ? st->agent_queue_length : 0));
	}
	add_cost(st, out);
	json_object_set_new(out, "cache_entries", json_integer(entries));
	json_object_set_new(out, "breaker_state", json_string(breaker_state(st)));
	if (qe_store_group_totals(st->store, QE_STORE_BY_SEVERITY, on_total, sev) < 0 ||
	    qe_store_group_totals(st->store, QE_STORE_BY_KIND, on_total, kind) < 0 ||
	    qe_store_offsets(st->store, on_offset, sources) < 0 ||
	    qe_store_jcursors(st->store, on_jcursor, journals) < 0)
		goto out;
	ret = 0;
out:
	json_object_set_new(out, "events_by_severity", sev);
	json_object_set_new(out, "events_by_kind", kind);
	json_object_set_new(out, "sources", sources);
	json_object_set_new(out, "journal_sources", journals);
	json_object_set(out, "counters", st->counters);
	return ret;
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void line(struct qe_ctx *ctx, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void line(struct qe_ctx *ctx, const char *label, const char *fmt, ...)
{
	va_list ap;
	printf("%-19s ", label); /* a longer label still gets its space */
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void section(struct qe_ctx *ctx, const char *title)
{
	printf("\n%s%s%s\n", qe_color_code(ctx, "\033[1m"), title,
	       qe_color_code(ctx, "\033[0m"));
}

static void print_totals(struct qe_ctx *ctx, const char *title, json_t *obj)
{
	const char *k;
	json_t *v;
	section(ctx, title);
	if (!json_object_size(obj))
		printf("  (none)\n");
	json_object_foreach(obj, k, v)
	{
		char *c = qe_utf8_sanitize(k, strlen(k));
		printf("  %-18s%lld\n", c, (long long)json_integer_value(v));
		free(c);
	}
}

static void print_text(struct qe_ctx *ctx, json_t *o)
{
	const char *bold = qe_color_code(ctx, "\033[1m"),
		   *reset = qe_color_code(ctx, "\033[0m");
	const char *green = qe_color_code(ctx, "\033[32m"),
		   *red = qe_color_code(ctx, "\033[31m");
	const char *yellow = qe_color_code(ctx, "\033[33m");
	json_t *agent = json_object_get(o, "agent"), *v, *src;
	const char *breaker = json_string_value(json_object_get(o, "breaker_state"));
	const char *note = json_string_value(json_object_get(o, "cost_note"));
	char a[64], b[64], c[64];
	size_t i;

	line(ctx, "state", "%s", json_string_value(json_object_get(o, "state")));
	show_time(json_object_get(agent, "heartbeat"), a, sizeof(a));
	if (json_is_true(json_object_get(agent, "running")))
		line(ctx, "agent", "%srunning%s (pid %lld, last commit %s)", green, reset,
		     num(agent, "pid"), a);
	else
		line(ctx, "agent", "%snot running%s (last commit %s)", yellow, reset, a);

	section(ctx, "input");
	line(ctx, "  lines read", "%lld", num(o, "lines_read"));
	qe_report_size(num(o, "bytes_read"), a, sizeof(a));
	line(ctx, "  bytes read", "%s", a);
	line(ctx, "  truncated lines", "%lld", num(o, "truncated_lines"));
	line(ctx, "  NUL bytes removed", "%lld", num(o, "nul_bytes"));
	line(ctx, "  UTF-16 bytes skipped", "%lld", num(o, "utf16_bytes"));
	line(ctx, "  events", "%lld", num(o, "events"));
	line(ctx, "  fingerprints", "%lld", num(o, "fingerprints"));
	line(ctx, "  dropped events", "%lld", num(o, "dropped_events"));

	section(ctx, "AI service");
	line(ctx, "  queue", "%lld waiting, %lld rejected", num(o, "queue_length"),
	     num(o, "queue_rejects"));
	line(ctx, "  requests", "%lld (%lld failed, %lld retries)", num(o, "ai_requests"),
	     num(o, "ai_failures"), num(o, "ai_retries"));
	line(ctx, "  tokens", "%lld prompt, %lld completion", num(o, "tokens_prompt"),
	     num(o, "tokens_completion"));
	line(ctx, "  cost estimate", "$%.4f%s%s%s",
	     json_real_value(json_object_get(o, "cost_estimate")), note ? " (" : "",
	     note ? note : "", note ? ")" : "");
	line(ctx, "  circuit breaker", "%s%s%s", strcmp(breaker, "closed") ? red : "",
	     breaker, strcmp(breaker, "closed") ? reset : "");

	section(ctx, "advice cache");
	line(ctx, "  entries", "%lld", num(o, "cache_entries"));
	line(ctx, "  hits", "%lld", num(o, "cache_hits"));
	line(ctx, "  misses", "%lld", num(o, "cache_misses"));

	print_totals(ctx, "events by severity", json_object_get(o, "events_by_severity"));
	print_totals(ctx, "events by kind", json_object_get(o, "events_by_kind"));

	section(ctx, "sources");
	v = json_object_get(o, "sources");
	if (!json_array_size(v))
		printf("  (none)\n");
	else
		printf("  %s%-11s %-11s %-11s %-25s %-7s %s%s\n", bold, "POSITION",
		       "SIZE", "LAG", "UPDATED", "FORMAT", "PATH", reset);
	json_array_foreach(v, i, src)
	{
		char upd[64];
		const char *path = json_string_value(json_object_get(src, "path"));
		const char *fmt = json_string_value(json_object_get(src, "format"));
		long long lag = num(src, "lag");
		qe_report_size(num(src, "position"), a, sizeof(a));
		qe_report_size(num(src, "size"), b, sizeof(b));
		qe_report_size(lag, c, sizeof(c));
		show_time(json_object_get(src, "updated"), upd, sizeof(upd));
		printf("  %-11s %-11s %s%-11s%s %-25s %-7s %s%s\n", a, b,
		       lag ? yellow : "", c, lag ? reset : "", upd, fmt ? fmt : "-",
		       path ? path : "",
		       json_is_true(json_object_get(src, "exists")) ? "" : " (gone)");
	}
	v = json_object_get(o, "journal_sources");
	if (!json_array_size(v))
		return;
	section(ctx, "journal sources");
	printf("  %s%-11s %-25s %-25s %-6s %s%s\n", bold, "ENTRIES", "LAST ENTRY",
	       "UPDATED", "CURSOR", "SOURCE", reset);
	json_array_foreach(v, i, src)
	{
		char last[64], upd[64];
		show_time(json_object_get(src, "last_entry"), last, sizeof(last));
		show_time(json_object_get(src, "updated"), upd, sizeof(upd));
		printf("  %-11lld %-25s %-25s %-6s %s\n", num(src, "entries"), last, upd,
		       json_is_string(json_object_get(src, "cursor")) ? "saved" : "head",
		       json_string_value(json_object_get(src, "source")));
	}
}

int cmd_stats(int argc, char **argv, struct qe_ctx *ctx)
{
	int json = 0, nargs, rc = QE_EXIT_FAILURE;
	const struct qe_option opts[] = {
	    QE_OPT_FLAG_(0, "json", &json, "one JSON object with every counter"),
	    QE_OPT_END_,
	};
	struct stats st;
	json_t *out = NULL;
	char **args;
	size_t i;

	memset(&st, 0, sizeof(st));
	nargs = qe_parse_options(argc, argv, opts, stats_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs > 0) {
		qe_error_msg("stats takes no arguments");
		qe_usage(stderr, opts, stats_usage);
		return QE_EXIT_USAGE;
	}
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	st.ctx = ctx;
	st.now = qe_wall_ms();
	st.store = qe_store_open(qe_ctx_state_dir(ctx), QE_STORE_READONLY);
	if (!st.store) {
		qe_error_msg("%s", qe_last_error());
		return QE_EXIT_FAILURE;
	}
	/* One read transaction: a consistent snapshot, never a writer's lock. */
	if (qe_store_begin(st.store) < 0) {
		qe_error_msg("%s", qe_last_error());
		goto out;
	}
	st.counters = json_object();
	out = json_object();
	if (collect(&st, out) < 0) {
		qe_error_msg("%s", qe_last_error());
		goto out;
	}
	if (json) {
		if (qe_report_print_json(out) < 0)
			goto out;
	} else {
		print_text(ctx, out);
	}
	rc = QE_EXIT_OK;
out:
	qe_store_rollback(st.store);
	qe_store_close(st.store);
	json_decref(out);
	json_decref(st.counters);
	for (i = 0; i < st.nr_models; i++)
		free(st.models[i].model);
	return rc;
}
