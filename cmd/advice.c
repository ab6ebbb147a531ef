/*
 * qerrors advice: the error groups the agent has recorded, most frequent
 * first, each with its cached fix advice or the reason there is none; or
 * one group in full, found by its fingerprint or a unique prefix of it.
 *
 * Read-only: the database is opened with QE_STORE_READONLY in one read
 * snapshot, so a running agent is never blocked, and looking at advice
 * does not count as a cache hit.
 */
#include "qerrors.h"
#include "report.h"

#include "ai.h"
#include "redact.h"
#include "store.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const advice_usage[] = {
    "qerrors advice [--json] [FINGERPRINT]",
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
	return 0;
}

static void found_release(struct found *f)
{
	json_decref(f->advice);
	qe_cache_entry_release(&f->entry);
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
			  int detail, int64_t now)
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
	json_object_set(o, "advice", f->advice ? f->advice : json_null());
	json_object_set_new(o, "advice_error",
			    f->error ? json_string(f->error) : json_null());
	json_object_set_new(o, "advice_model",
			    f->advice && f->have_entry ? qe_report_string(f->entry.model)
						       : json_null());
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

static void print_group_line(struct advice_run *r, const struct qe_group *g,
			     struct found *f)
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
	if (g->type && *g->type && strcmp(g->type, g->template)) {
		char *t = qe_xasprintf("%s: %s", g->type, g->template);
		print_untrusted(t, "    ");
		free(t);
	} else {
		print_untrusted(g->template, "    ");
	}
	if (json_is_string(summary))
		print_untrusted(json_string_value(summary), "    advice: ");
	else
		printf("    advice: none (%s)\n", f->error ? f->error : "no summary");
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
	if (find_advice(r, graw->fingerprint, &f) < 0) {
		r->failed = 1;
		return 1;
	}
	shown_init(r, graw, g);
	if (r->json)
		json_array_append_new(r->groups,
				      group_json(g, g->fingerprint, &f, 0, r->now));
	else
		print_group_line(r, g, &f);
	shown_release(g);
	found_release(&f);
	return ferror(stdout) != 0;
}

static int list_groups(struct advice_run *r)
{
	json_t *out = NULL;
	int rc = QE_EXIT_OK;
	if (r->json)
		r->groups = json_array();
	if (qe_store_groups(r->store, 0, 0, on_group, r) < 0 || r->failed) {
		qe_die_msg("%s", qe_last_error());
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
	char *fp;
	int have_group = 0, rc = QE_EXIT_FAILURE;

	memset(&g, 0, sizeof(g));
	memset(&f, 0, sizeof(f));
	fp = qe_report_resolve_fp(r->store, arg, QE_STORE_FP_GROUPS | QE_STORE_FP_ADVICE,
				  "no error group", &rc);
	if (!fp)
		return rc;
	rc = QE_EXIT_FAILURE;
	have_group = qe_store_group_get(r->store, fp, &g);
	if (have_group < 0 || find_advice(r, fp, &f) < 0) {
		qe_die_msg("%s", qe_last_error());
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
		json_t *o = group_json(have_group ? &g : NULL, fp, &f, 1, r->now);
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
		if (f.advice)
			qe_report_advice_text(ctx, stdout, f.advice, "    ");
		else
			printf("    none (%s)\n", f.error);
	}
out:
	free(fp);
	qe_group_release(&g);
	found_release(&f);
	return rc;
}

int cmd_advice(int argc, char **argv, struct qe_ctx *ctx)
{
	int json = 0, nargs, rc = QE_EXIT_FAILURE;
	const struct qe_option opts[] = {
	    QE_OPT_FLAG_(0, "json", &json, "JSON: {\"groups\": [...]}, or one group"),
	    QE_OPT_END_,
	};
	struct advice_run r;
	char **args;

	memset(&r, 0, sizeof(r));
	nargs = qe_parse_options(argc, argv, opts, advice_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs > 1) {
		qe_die_msg("advice takes at most one FINGERPRINT");
		qe_usage(stderr, opts, advice_usage);
		return QE_EXIT_USAGE;
	}
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	r.ctx = ctx;
	r.json = json;
	r.now = qe_wall_ms();
	r.model = qe_config_ai_model(&ctx->cfg);
	r.redactor = qe_redactor_new(&ctx->cfg);
	if (!r.redactor) {
		qe_die_msg("%s", qe_last_error());
		return QE_EXIT_USAGE;
	}
	r.store = qe_store_open(qe_ctx_state_dir(ctx), QE_STORE_READONLY);
	if (!r.store) {
		qe_die_msg("%s", qe_last_error());
		qe_redactor_free(r.redactor);
		return QE_EXIT_FAILURE;
	}
	/* One snapshot for the whole listing, without blocking the agent. */
	if (qe_store_begin(r.store) < 0) {
		qe_die_msg("%s", qe_last_error());
		goto out;
	}
	rc = nargs ? show_group(&r, args[0]) : list_groups(&r);
out:
	qe_store_rollback(r.store);
	qe_store_close(r.store);
	qe_redactor_free(r.redactor);
	return rc;
}
