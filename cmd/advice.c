/*
 * qerrors advice: the error groups the agent has recorded, most frequent
 * first, each with its cached fix advice or the reason there is none; or
 * one group in full, found by its fingerprint or a unique prefix of it.
 *
 * Read-only: the database is opened with QE_STORE_READONLY in one read
 * snapshot, so a running agent is never blocked, and looking at advice
 * does not count as a cache hit.  A group without advice shows the last
 * failed attempt to get it, when one is stored.  A group read from
 * Kubernetes container logs shows its pod, namespace and container (of
 * the most recent log) and how many pods it was seen in.
 *
 * --ask asks the AI service again for groups without advice (all, or the
 * given ones), through the same client, cache and breaker as tail, in
 * batches of ai.batch_size; it writes answers and failures to the store.
 */
#include "qerrors.h"
#include "pods.h"
#include "report.h"

#include "ai.h"
#include "batch.h"
#include "cache.h"
#include "event.h"
#include "loop.h"
#include "queue.h"
#include "redact.h"
#include "store.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const advice_usage[] = {
    "qerrors advice [--json] [FINGERPRINT]",
    "qerrors advice --ask [--json] [FINGERPRINT...]",
    NULL,
};

struct advice_run {
	struct qe_ctx *ctx;
	struct qe_store *store;
	struct qe_redactor *redactor;
	const char *model;
	int64_t now;
	int json;
	json_t *groups; /* list: the JSON array being built */
	int failed;
};

/* What the cache holds for one fingerprint. */
struct found {
	json_t *advice;		     /* parsed advice or NULL */
	const char *error;	     /* why there is none, or NULL */
	struct qe_cache_entry entry; /* the entry the answer comes from */
	int have_entry;
	struct qe_advice_failure fail; /* the last failed attempt, when no advice */
	int have_fail;
};

static int expired(int64_t expires, int64_t now)
{
	return expires != 0 && expires <= now;
}

/* Log text is untrusted: show it without terminal control sequences. */
static void print_untrusted(const char *text, const char *indent)
{
	char *clean, *p;
	int bol = 1;
	if (!text)
		return;
	clean = qe_utf8_sanitize(text, strlen(text));
	for (p = clean; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (bol)
			fputs(indent, stdout);
		bol = c == '\n';
		if (c < 0x20 && c != '\n' && c != '\t')
			c = '?';
		else if (c == 0x7f)
			c = '?';
		putchar(c);
	}
	if (!bol)
		putchar('\n');
	free(clean);
}

/*
 * The advice for the configured model and prompt version, else the newest
 * entry of any model; an expired entry gives no advice, only the reason.
 */
static int find_advice(struct advice_run *r, const char *fp, struct found *f)
{
	char *json = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	rc =
	    qe_store_advice_get(r->store, fp, r->model, QE_PROMPT_VERSION, r->now, &json);
	if (rc < 0)
		return -1;
	rc = qe_store_cache_get_any(r->store, fp, &f->entry);
	if (rc < 0) {
		free(json);
		return -1;
	}
	f->have_entry = rc == 1;
	if (json) {
		/* the exact entry answered: report its metadata, not another's */
		if (!f->have_entry || strcmp(f->entry.model, r->model ? r->model : "") ||
		    f->entry.prompt_version != QE_PROMPT_VERSION) {
			qe_cache_entry_release(&f->entry);
			f->have_entry = 0;
		}
		f->advice = qe_report_parse_advice(json);
		free(json);
	} else if (f->have_entry) {
		if (expired(f->entry.expires, r->now))
			f->error = "expired";
		else
			f->advice = qe_report_parse_advice(f->entry.json);
	} else {
		f->error = qe_config_ai_endpoint(&r->ctx->cfg)
			       ? "not asked yet"
			       : "no AI service configured";
	}
	if (!f->advice && !f->error)
		f->error = "cached advice is not valid JSON";
	if (!f->advice) {
		rc = qe_store_advice_failure_get(r->store, fp, &f->fail);
		if (rc < 0)
			return -1;
		f->have_fail = rc == 1;
		if (f->have_fail && !strcmp(f->error, "not asked yet"))
			f->error = "the last attempt failed";
	}
	return 0;
}

static void found_release(struct found *f)
{
	json_decref(f->advice);
	qe_cache_entry_release(&f->entry);
	qe_advice_failure_release(&f->fail);
}

static json_t *failure_json(const struct qe_advice_failure *fl)
{
	return json_pack(
	    "{s:o, s:o, s:o, s:o, s:I}", "time", qe_report_time_json(fl->when), "status",
	    qe_report_string(fl->status), "message", qe_report_string(fl->message),
	    "model", qe_report_string(fl->model), "attempts", (json_int_t)fl->attempts);
}

static json_t *cache_json(const struct qe_cache_entry *e, int64_t now)
{
	json_t *o = json_object();
	json_object_set_new(o, "model", qe_report_string(e->model));
	json_object_set_new(o, "prompt_version", json_integer(e->prompt_version));
	json_object_set_new(o, "created", qe_report_time_json(e->created));
	json_object_set_new(o, "expires", qe_report_time_json(e->expires));
	json_object_set_new(o, "expired", json_boolean(expired(e->expires, now)));
	json_object_set_new(o, "last_used", qe_report_time_json(e->last_used));
	json_object_set_new(o, "hits", json_integer(e->hits));
	json_object_set_new(o, "tokens_prompt", json_integer(e->tokens_prompt));
	json_object_set_new(o, "tokens_completion", json_integer(e->tokens_completion));
	return o;
}

/* The group's JSON; g may be NULL for advice without a recorded group
 * (from `qerrors analyze`). */
static json_t *group_json(const struct qe_group *g, const char *fp, struct found *f,
			  const struct qe_pods *pods, int detail, int64_t now)
{
	json_t *o = json_object();
	json_object_set_new(o, "fingerprint", json_string(fp));
	json_object_set_new(o, "kind", qe_report_string(g ? g->kind : NULL));
	json_object_set_new(o, "type", qe_report_string(g ? g->type : NULL));
	json_object_set_new(o, "severity", qe_report_string(g ? g->severity : NULL));
	json_object_set_new(o, "count", json_integer(g ? g->count : 0));
	json_object_set_new(o, "first_seen", qe_report_time_json(g ? g->first_seen : 0));
	json_object_set_new(o, "last_seen", qe_report_time_json(g ? g->last_seen : 0));
	json_object_set_new(o, "template", qe_report_string(g ? g->template : NULL));
	json_object_set_new(o, "message", qe_report_string(g ? g->message : NULL));
	if (detail)
		json_object_set_new(o, "sample", qe_report_string(g ? g->sample : NULL));
	qe_pods_json(o, pods);
	json_object_set(o, "advice", f->advice ? f->advice : json_null());
	json_object_set_new(o, "advice_error",
			    f->error ? json_string(f->error) : json_null());
	json_object_set_new(o, "advice_model",
			    f->advice && f->have_entry ? qe_report_string(f->entry.model)
						       : json_null());
	json_object_set_new(o, "last_failure",
			    f->have_fail ? failure_json(&f->fail) : json_null());
	if (detail)
		json_object_set_new(
		    o, "cache", f->have_entry ? cache_json(&f->entry, now) : json_null());
	return o;
}

static const char *severity_color(struct qe_ctx *ctx, const char *sev)
{
	if (sev &&
	    (!strcmp(sev, "error") || !strcmp(sev, "critical") || !strcmp(sev, "fatal")))
		return qe_color_code(ctx, "\033[31m");
	return qe_color_code(ctx, "\033[33m");
}

/* "web-1 (namespace shop, container app)", and the other pods. */
static void print_pods(const struct qe_pods *p, const char *pod_label,
		       const char *pods_label)
{
	char n[32], *t;
	if (!p->n)
		return;
	t = qe_xasprintf("%s (namespace %s, container %s)", p->v[0].pod,
			 p->v[0].namespace, p->v[0].container);
	print_untrusted(t, pod_label);
	free(t);
	if (p->n < 2)
		return;
	qe_pods_count(p, n, sizeof(n));
	t = qe_pods_list(p);
	{
		char *line = qe_xasprintf("%s: %s", n, t);
		print_untrusted(line, pods_label);
		free(line);
	}
	free(t);
}

static void print_group_line(struct advice_run *r, const struct qe_group *g,
			     struct found *f, const struct qe_pods *pods)
{
	struct qe_ctx *ctx = r->ctx;
	const char *reset = qe_color_code(ctx, "\033[0m");
	char last[64];
	json_t *summary = f->advice ? json_object_get(f->advice, "summary") : NULL;
	qe_report_time_local(g->last_seen, last, sizeof(last));
	printf("%s%s%s  %s%s%s  %s  %lld time%s, last %s\n",
	       qe_color_code(ctx, "\033[33m"), g->fingerprint, reset,
	       severity_color(ctx, g->severity), g->severity, reset, g->kind, g->count,
	       g->count == 1 ? "" : "s", last);
	if (g->type && *g->type && g->template && strcmp(g->type, g->template)) {
		char *t = qe_xasprintf("%s: %s", g->type, g->template);
		print_untrusted(t, "    ");
		free(t);
	} else {
		print_untrusted(g->template, "    ");
	}
	print_pods(pods, "    pod: ", "    pods: ");
	if (json_is_string(summary)) {
		print_untrusted(json_string_value(summary), "    advice: ");
	} else if (f->have_fail) {
		char when[64], *t;
		qe_report_time_local(f->fail.when, when, sizeof(when));
		t = qe_xasprintf("none (failed %s, %s)", when, f->fail.status);
		print_untrusted(t, "    advice: ");
		free(t);
	} else {
		printf("    advice: none (%s)\n", f->error ? f->error : "no summary");
	}
}

/*
 * The group as shown: message and template pass through the redactor
 * again, because only the sample is redacted when a group is recorded.
 * Free with shown_release().
 */
static void shown_init(struct advice_run *r, const struct qe_group *g,
		       struct qe_group *out)
{
	*out = *g;
	out->message = g->message
			   ? qe_redact_once(r->redactor, g->message, strlen(g->message))
			   : NULL;
	out->template =
	    g->template ? qe_redact_once(r->redactor, g->template, strlen(g->template))
			: NULL;
}

static void shown_release(struct qe_group *g)
{
	free(g->message);
	free(g->template);
}

static int on_group(const struct qe_group *graw, long long window, void *data)
{
	struct advice_run *r = data;
	struct qe_group shown, *g = &shown;
	struct found f;
	struct qe_pods pods;
	if (find_advice(r, graw->fingerprint, &f) < 0) {
		r->failed = 1;
		return 1;
	}
	if (qe_pods_load(r->store, graw->fingerprint, &pods) < 0) {
		found_release(&f);
		r->failed = 1;
		return 1;
	}
	shown_init(r, graw, g);
	if (r->json)
		json_array_append_new(
		    r->groups, group_json(g, g->fingerprint, &f, &pods, 0, r->now));
	else
		print_group_line(r, g, &f, &pods);
	shown_release(g);
	found_release(&f);
	qe_pods_release(&pods);
	return ferror(stdout) != 0;
}

static int list_groups(struct advice_run *r)
{
	json_t *out = NULL;
	int rc = QE_EXIT_OK;
	if (r->json)
		r->groups = json_array();
	if (qe_store_groups(r->store, 0, 0, on_group, r) < 0 || r->failed) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	if (r->json) {
		out = json_pack("{s:O}", "groups", r->groups);
		if (qe_report_print_json(out) < 0)
			rc = QE_EXIT_FAILURE;
	} else if (!qe_store_group_total(r->store)) {
		printf("no error groups recorded yet\n");
	}
out:
	json_decref(out);
	json_decref(r->groups);
	return rc;
}

/* Normalise a fingerprint argument; 0, or -1 after a usage message. */
static int show_group(struct advice_run *r, const char *arg)
{
	struct qe_group g;
	struct found f;
	struct qe_pods pods;
	char *fp;
	int have_group = 0, rc = QE_EXIT_FAILURE;

	memset(&g, 0, sizeof(g));
	memset(&f, 0, sizeof(f));
	memset(&pods, 0, sizeof(pods));
	fp = qe_report_resolve_fp(r->store, arg, QE_STORE_FP_GROUPS | QE_STORE_FP_ADVICE,
				  "no error group", &rc);
	if (!fp)
		return rc;
	rc = QE_EXIT_FAILURE;
	have_group = qe_store_group_get(r->store, fp, &g);
	if (have_group < 0 || find_advice(r, fp, &f) < 0 ||
	    qe_pods_load(r->store, fp, &pods) < 0) {
		qe_error_msg("%s", qe_last_error());
		goto out;
	}
	if (have_group) {
		struct qe_group shown;
		shown_init(r, &g, &shown);
		free(g.message);
		free(g.template);
		g.message = shown.message;
		g.template = shown.template;
	}
	if (r->json) {
		json_t *o = group_json(have_group ? &g : NULL, fp, &f, &pods, 1, r->now);
		rc = qe_report_print_json(o) < 0 ? QE_EXIT_FAILURE : QE_EXIT_OK;
		json_decref(o);
		goto out;
	}
	rc = QE_EXIT_OK;
	{
		struct qe_ctx *ctx = r->ctx;
		const char *bold = qe_color_code(ctx, "\033[1m");
		const char *reset = qe_color_code(ctx, "\033[0m");
		char a[64], b[64];
		printf("%s%-12s%s%s\n", bold, "fingerprint", reset, fp);
		if (have_group) {
			qe_report_time_local(g.first_seen, a, sizeof(a));
			qe_report_time_local(g.last_seen, b, sizeof(b));
			printf("%-12s%s\n", "kind", g.kind);
			if (g.type && *g.type)
				print_untrusted(g.type, "type        ");
			printf("%-12s%s%s%s\n", "severity",
			       severity_color(ctx, g.severity), g.severity, reset);
			printf("%-12s%lld\n", "count", g.count);
			printf("%-12s%s\n", "first seen", a);
			printf("%-12s%s\n", "last seen", b);
			print_pods(&pods, "pod         ", "pods        ");
			print_untrusted(g.message, "message     ");
			print_untrusted(g.template, "template    ");
			printf("\n%ssample%s (redacted):\n", bold, reset);
			print_untrusted(g.sample && *g.sample ? g.sample : "(none)",
					"    ");
		} else {
			printf(
			    "no error group recorded (advice from 'qerrors analyze')\n");
		}
		if (f.have_entry) {
			qe_report_time_local(f.entry.created, a, sizeof(a));
			if (f.entry.expires)
				qe_report_time_local(f.entry.expires, b, sizeof(b));
			else
				snprintf(b, sizeof(b), "never");
			printf("\n%sadvice%s (model %s, prompt version %d, created %s, "
			       "expires %s, %lld hit%s)\n",
			       bold, reset, f.entry.model, f.entry.prompt_version, a, b,
			       f.entry.hits, f.entry.hits == 1 ? "" : "s");
		} else {
			printf("\n%sadvice%s\n", bold, reset);
		}
		if (f.advice) {
			qe_report_advice_text(ctx, stdout, f.advice, "    ");
		} else if (f.have_fail) {
			char *t;
			qe_report_time_local(f.fail.when, a, sizeof(a));
			printf("    none: the last attempt failed, %s (%s, model %s, "
			       "%lld attempt%s)\n",
			       a, f.fail.status, f.fail.model, f.fail.attempts,
			       f.fail.attempts == 1 ? "" : "s");
			print_untrusted(f.fail.message, "    ");
			t = qe_xasprintf("ask again: qerrors advice --ask %s", fp);
			print_untrusted(t, "    ");
			free(t);
		} else {
			printf("    none (%s)\n", f.error);
		}
	}
out:
	free(fp);
	qe_group_release(&g);
	found_release(&f);
	qe_pods_release(&pods);
	return rc;
}

/* ---- asking again ---- */

struct ask_item {
	char *fp;
	struct qe_event *ev; /* NULL when nothing is to be asked */
	enum qe_ai_status st;
	char *advice; /* compact JSON when answered or cached */
	char *error;
	const char *from; /* "cache", "fleet" or NULL (asked) */
	int done;
	int asked; /* handed to the batcher */
};

struct ask_run {
	struct qe_ctx *ctx;
	struct qe_store *store;
	struct qe_cache *cache; /* memo, SQLite and the fleet, as tail uses them */
	const char *model;
	struct ask_item *items;
	size_t nr, alloc;
	size_t to_ask, answered, failed;
	int json;
};

static struct ask_item *ask_find(struct ask_run *a, const char *fp)
{
	size_t i;
	for (i = 0; i < a->nr; i++)
		if (!strcmp(a->items[i].fp, fp))
			return &a->items[i];
	return NULL;
}

static void ask_add(struct ask_run *a, const char *fp)
{
	struct ask_item *it;
	if (ask_find(a, fp))
		return;
	QE_ALLOC_GROW(a->items, a->nr + 1, a->alloc);
	it = &a->items[a->nr++];
	memset(it, 0, sizeof(*it));
	it->fp = qe_xstrdup(fp);
}

static int on_ask_group(const struct qe_group *g, long long window, void *data)
{
	ask_add(data, g->fingerprint);
	return 0;
}

/* The stored group as an event to ask about: its redacted sample is the
 * text, and it keeps the group's fingerprint, so the answer lands on it. */
static struct qe_event *group_event(const struct qe_group *g)
{
	struct qe_event *ev = qe_event_new(g->kind ? g->kind : "line", "stored");
	const char *p = g->sample && *g->sample ? g->sample : g->message, *nl;
	enum qe_severity sev;

	free(ev->message);
	ev->message = qe_xstrdup(g->message ? g->message : "");
	ev->type = g->type && *g->type ? qe_xstrdup(g->type) : NULL;
	ev->template = g->template ? qe_xstrdup(g->template) : NULL;
	ev->severity =
	    g->severity && !qe_severity_parse(g->severity, &sev) ? sev : QE_SEV_ERROR;
	while (p && *p) {
		nl = strchr(p, '\n');
		qe_event_add_line(ev, p, nl ? (size_t)(nl - p) : strlen(p));
		p = nl ? nl + 1 : NULL;
	}
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%s", g->fingerprint);
	return ev;
}

static void print_ask_result(struct ask_run *a, const struct ask_item *it)
{
	json_t *adv, *sum;
	char *t;
	if (a->json)
		return;
	if (!it->advice) {
		t = qe_xasprintf("%s  failed (%s): %s", it->fp, qe_ai_status_name(it->st),
				 it->error ? it->error : "no answer");
		print_untrusted(t, "");
		free(t);
		return;
	}
	adv = qe_report_parse_advice(it->advice);
	sum = json_object_get(adv, "summary");
	t = qe_xasprintf(
	    "%s  %s: %s", it->fp,
	    it->from ? (!strcmp(it->from, "fleet") ? "from the fleet cache" : "cached")
		     : "advice",
	    json_is_string(sum) ? json_string_value(sum) : "(no summary)");
	print_untrusted(t, "");
	free(t);
	json_decref(adv);
	fflush(stdout);
}

/* The batcher has stored an answer in the cache (and the fleet) already;
 * this records the outcome for `advice FP` and says it. */
static void on_ask_result(const struct qe_batch_result *r, void *data)
{
	struct ask_run *a = data;
	struct ask_item *it = ask_find(a, r->fingerprint);
	const char *error = r->error;
	enum qe_ai_status st = r->status;
	int64_t now = qe_wall_ms();

	if (!it || it->done)
		return;
	it->done = 1;
	it->st = st;
	if (r->advice_json) {
		it->advice = qe_xstrdup(r->advice_json);
		a->answered++;
		if (r->error) /* the local cache refused it */
			qe_warn_msg("%s", r->error);
		if (qe_store_advice_failure_clear(a->store, r->fingerprint) < 0)
			qe_warn_msg("%s", qe_last_error());
	} else {
		it->error = qe_xstrdup(error ? error : qe_ai_status_name(st));
		a->failed++;
		if (st != QE_AI_CANCELLED &&
		    qe_store_advice_failure_put(a->store, r->fingerprint, a->model,
						r->budget_spent ? "budget"
								: qe_ai_status_name(st),
						it->error, now) < 0)
			qe_warn_msg("%s", qe_last_error());
	}
	if (!a->json && !a->ctx->quiet)
		fprintf(stderr, "qerrors: %zu of %zu done\n", a->answered + a->failed,
			a->to_ask);
	print_ask_result(a, it);
}

static int ask_print_json(struct ask_run *a, size_t cached)
{
	json_t *o = json_object(), *arr = json_array();
	size_t i;
	int rc;
	for (i = 0; i < a->nr; i++) {
		struct ask_item *it = &a->items[i];
		json_t *adv = it->advice ? qe_report_parse_advice(it->advice) : NULL;
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:o, s:o, s:o}", "fingerprint", it->fp,
			      "status", qe_ai_status_name(it->st), "from",
			      it->from ? json_string(it->from) : json_null(), "advice",
			      adv ? adv : json_null(), "error",
			      it->error ? qe_report_string(it->error) : json_null()));
	}
	json_object_set_new(o, "asked", json_integer((json_int_t)a->to_ask));
	json_object_set_new(o, "answered", json_integer((json_int_t)a->answered));
	json_object_set_new(o, "failed", json_integer((json_int_t)a->failed));
	json_object_set_new(o, "cached", json_integer((json_int_t)cached));
	json_object_set_new(o, "results", arr);
	rc = qe_report_print_json(o);
	json_decref(o);
	return rc;
}

static int ask_groups(struct qe_ctx *ctx, int nargs, char **args, int json)
{
	struct qe_config *c = &ctx->cfg;
	struct ask_run a;
	struct qe_store *ro;
	struct qe_ai *ai = NULL;
	struct qe_redactor *red = NULL;
	struct qe_loop *loop = NULL;
	struct qe_queue *queue = NULL;
	struct qe_batch *batch = NULL;
	struct qe_batch_conf bc;
	size_t i, cached = 0, requests;
	int64_t now = qe_wall_ms();
	int rc = QE_EXIT_FAILURE, r;

	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.json = json;
	a.model = qe_config_ai_model(c);
	/* A report never creates the state: see that it exists first. */
	ro = qe_store_open(qe_ctx_state_dir(ctx), QE_STORE_READONLY);
	if (!ro) {
		qe_error_msg("%s", qe_last_error());
		return QE_EXIT_FAILURE;
	}
	qe_store_close(ro);
	a.store = qe_store_open(qe_ctx_state_dir(ctx), 0);
	if (!a.store) {
		qe_error_msg("%s", qe_last_error());
		return QE_EXIT_FAILURE;
	}
	for (i = 0; i < (size_t)nargs; i++) {
		char *fp = qe_report_resolve_fp(a.store, args[i], QE_STORE_FP_GROUPS,
						"no error group", &rc);
		if (!fp)
			goto out;
		ask_add(&a, fp);
		free(fp);
	}
	rc = QE_EXIT_FAILURE;
	if (!nargs && qe_store_groups(a.store, 0, 0, on_ask_group, &a) < 0) {
		qe_error_msg("%s", qe_last_error());
		goto out;
	}
	if (!a.nr) {
		if (json)
			ask_print_json(&a, 0);
		else
			printf("no error groups recorded yet\n");
		rc = QE_EXIT_OK;
		goto out;
	}
	red = qe_redactor_new(c);
	a.cache = red ? qe_cache_new(c, a.store, a.model, red) : NULL;
	if (!a.cache) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}

	/* What the caches hold is not asked again (a fleet hit is copied
	 * into SQLite, as for tail and analyze). */
	for (i = 0; i < a.nr; i++) {
		struct ask_item *it = &a.items[i];
		struct qe_group g;
		enum qe_cache_hit hit =
		    qe_cache_lookup(a.cache, it->fp, now, &it->advice);
		if (hit != QE_CACHE_MISS) {
			it->from = hit == QE_CACHE_FLEET ? "fleet" : "cache";
			it->done = 1;
			cached++;
			print_ask_result(&a, it);
			continue;
		}
		r = qe_store_group_get(a.store, it->fp, &g);
		if (r < 0) {
			qe_error_msg("%s", qe_last_error());
			goto out;
		}
		if (r == 1) {
			it->ev = group_event(&g);
			a.to_ask++;
		}
		qe_group_release(&g);
	}
	rc = QE_EXIT_OK;
	if (!a.to_ask)
		goto print;

	ai = qe_ai_new_shared(c, a.store, red);
	if (!ai) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}
	if (!qe_ai_configured(ai)) {
		qe_error_msg("no AI service configured: set OPENAI_API_KEY or "
			     "QERRORS_AI_BASE_URL (see 'qerrors doctor')");
		rc = QE_EXIT_USAGE;
		goto out;
	}
	/* the same queue, batcher and budget as tail: batch_size fingerprints
	 * a request, `concurrency` at a time */
	qe_batch_conf_from_config(&bc, c);
	bc.on_result = on_ask_result;
	bc.data = &a;
	loop = qe_loop_new();
	queue = qe_queue_new(a.to_ask);
	batch = loop ? qe_batch_new(&bc, ai, queue, a.cache, loop) : NULL;
	if (!batch) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	requests = (a.to_ask + bc.batch_size - 1) / bc.batch_size;
	if (!json && !ctx->quiet)
		fprintf(
		    stderr,
		    "qerrors: asking %s about %zu group%s in %zu request%s (model %s)\n",
		    qe_config_ai_endpoint(c), a.to_ask, a.to_ask == 1 ? "" : "s",
		    requests, requests == 1 ? "" : "s", a.model);
	for (i = 0; i < a.nr; i++) {
		struct ask_item *it = &a.items[i];
		if (!it->ev)
			continue;
		it->asked = 1;
		if (!qe_cache_claim(a.cache, it->fp)) {
			/* another host of the fleet asks: its answer will be shared */
			it->done = 1;
			it->st = QE_AI_CANCELLED;
			it->error = qe_xstrdup("another host is asking the AI service");
			print_ask_result(&a, it);
			continue;
		}
		if (qe_queue_push(queue, it->ev, qe_now_ms()) == QE_PUSH_QUEUED)
			it->ev = NULL; /* the queue owns it now */
	}
	qe_batch_drain(batch, qe_now_ms() + 24 * 3600 * 1000ULL, NULL, NULL);
	for (i = 0; i < a.nr; i++) {
		struct ask_item *it = &a.items[i];
		if (!it->asked)
			continue;
		if (!it->done) {
			struct qe_batch_result br;
			memset(&br, 0, sizeof(br));
			br.fingerprint = it->fp;
			br.status = QE_AI_UNAVAILABLE;
			br.error = "no answer from the AI service";
			on_ask_result(&br, &a);
		}
		rc = qe_exit_worse(rc, qe_exit_for_ai(it->st));
	}
print:
	if (json) {
		if (ask_print_json(&a, cached) < 0)
			rc = QE_EXIT_FAILURE;
	} else if (!ctx->quiet) {
		fprintf(stderr,
			"qerrors: %zu answered, %zu failed, %zu had advice already\n",
			a.answered, a.failed, cached);
	}
out:
	qe_batch_free(batch);
	qe_queue_free(queue);
	qe_loop_free(loop);
	qe_ai_free(ai);
	qe_cache_free(a.cache);
	qe_redactor_free(red);
	qe_store_close(a.store);
	for (i = 0; i < a.nr; i++) {
		free(a.items[i].fp);
		qe_event_free(a.items[i].ev);
		free(a.items[i].advice);
		free(a.items[i].error);
	}
	free(a.items);
	return rc;
}

int cmd_advice(int argc, char **argv, struct qe_ctx *ctx)
{
	int json = 0, ask = 0, nargs, rc = QE_EXIT_FAILURE;
	const struct qe_option opts[] = {
	    QE_OPT_FLAG_(0, "json", &json, "JSON: {\"groups\": [...]}, or one group"),
	    QE_OPT_FLAG_(0, "ask", &ask,
			 "ask the AI service again for the groups (all, or the "
			 "FINGERPRINTs) that have no advice"),
	    QE_OPT_END_,
	};
	struct advice_run r;
	char **args;

	memset(&r, 0, sizeof(r));
	nargs = qe_parse_options(argc, argv, opts, advice_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs > 1 && !ask) {
		qe_error_msg("advice takes at most one FINGERPRINT (several with --ask)");
		qe_usage(stderr, opts, advice_usage);
		return QE_EXIT_USAGE;
	}
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	if (ask)
		return ask_groups(ctx, nargs, args, json);
	r.ctx = ctx;
	r.json = json;
	r.now = qe_wall_ms();
	r.model = qe_config_ai_model(&ctx->cfg);
	r.redactor = qe_redactor_new(&ctx->cfg);
	if (!r.redactor) {
		qe_error_msg("%s", qe_last_error());
		return QE_EXIT_USAGE;
	}
	r.store = qe_store_open(qe_ctx_state_dir(ctx), QE_STORE_READONLY);
	if (!r.store) {
		qe_error_msg("%s", qe_last_error());
		qe_redactor_free(r.redactor);
		return QE_EXIT_FAILURE;
	}
	/* One snapshot for the whole listing, without blocking the agent. */
	if (qe_store_begin(r.store) < 0) {
		qe_error_msg("%s", qe_last_error());
		goto out;
	}
	rc = nargs ? show_group(&r, args[0]) : list_groups(&r);
out:
	qe_store_rollback(r.store);
	qe_store_close(r.store);
	qe_redactor_free(r.redactor);
	return rc;
}
