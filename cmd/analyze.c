/*
 * qerrors analyze: error events from a file or standard input, each with
 * its fingerprint and fix advice (from the cache, or asked once per
 * distinct fingerprint from the AI service).
 */
#include "qerrors.h"
#include "report.h"

#include "ai.h"
#include "batch.h"
#include "cache.h"
#include "event.h"
#include "fingerprint.h"
#include "grouping.h"
#include "loop.h"
#include "queue.h"
#include "redact.h"
#include "rules.h"
#include "source.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* More events than this in one input are counted, not kept: analyze is
 * for pasted traces and files, and memory must stay bounded. */
#define MAX_EVENTS 10000

struct result {
	char *fingerprint;
	char *advice; /* validated advice JSON or NULL */
	char *error;  /* why there is no advice */
	int cached;
	enum qe_ai_status status;
	int done;
	int queued;	     /* handed to the batcher */
	struct qe_event *ev; /* first event with this fingerprint */
};

struct analyze {
	struct qe_ctx *ctx;
	struct qe_event **evs;
	size_t nr_evs, alloc_evs;
	size_t dropped_events;
	struct result *res;
	size_t nr_res, alloc_res;
	long long lines_read, truncated_lines;
	struct qe_store *store;
	struct qe_cache *cache;
	struct qe_grouping *grouping;
	const char *source; /* the file read, NULL for standard input */
};

static const char *const analyze_usage[] = {
    "qerrors analyze [--format=text|json|markdown] [--no-cache] [--dry-run] [FILE]",
    NULL,
};

static struct result *find_result(struct analyze *a, const char *fp)
{
	size_t i;
	for (i = 0; i < a->nr_res; i++)
		if (!strcmp(a->res[i].fingerprint, fp))
			return &a->res[i];
	return NULL;
}

static void on_event(struct qe_source *src, struct qe_event *ev, void *data)
{
	struct analyze *a = data;
	struct result *r;
	/* group as tail does, from what it learnt (nothing is saved here) */
	qe_fingerprint_with(ev, a->grouping, a->source, NULL);
	if (a->nr_evs >= MAX_EVENTS) {
		a->dropped_events++;
		qe_event_free(ev);
		return;
	}
	QE_ALLOC_GROW(a->evs, a->nr_evs + 1, a->alloc_evs);
	a->evs[a->nr_evs++] = ev;
	if (find_result(a, ev->fingerprint))
		return;
	QE_ALLOC_GROW(a->res, a->nr_res + 1, a->alloc_res);
	r = &a->res[a->nr_res++];
	memset(r, 0, sizeof(*r));
	r->fingerprint = qe_xstrdup(ev->fingerprint);
	r->ev = ev;
}

static void on_result(const struct qe_batch_result *br, void *data)
{
	struct analyze *a = data;
	struct result *r = find_result(a, br->fingerprint);
	if (!r)
		return;
	r->done = 1;
	r->status = br->status;
	if (br->advice_json) {
		r->advice = qe_xstrdup(br->advice_json);
		if (br->error) /* the answer is good, the local cache refused it */
			qe_warn_msg("%s", br->error);
	} else {
		r->error =
		    qe_xstrdup(br->error ? br->error : qe_ai_status_name(br->status));
	}
}

/*
 * Ask about every fingerprint without an answer, through the same queue,
 * batcher and cache as tail: one request per batch_size fingerprints,
 * `concurrency` at a time.  A fingerprint another host of the fleet is
 * asking about is waited for (its answer lands in the cache), up to the
 * request timeout; then this host asks itself.
 */
static void ask(struct analyze *a, struct qe_ai *ai)
{
	const struct qe_config *cfg = &a->ctx->cfg;
	struct qe_loop *loop = qe_loop_new();
	struct qe_queue *queue = qe_queue_new(a->nr_res ? a->nr_res : 1);
	struct qe_batch_conf bc;
	struct qe_batch *batch = NULL;
	uint64_t wait_until = qe_now_ms() + (uint64_t)cfg->timeout_ms;
	size_t i, waiting = 0;

	if (!loop) {
		qe_error_msg("%s", qe_last_error());
		goto out;
	}
	qe_batch_conf_from_config(&bc, cfg);
	bc.on_result = on_result;
	bc.data = a;
	batch = qe_batch_new(&bc, ai, queue, a->cache, loop);
	if (!batch) {
		qe_error_msg("%s", qe_last_error());
		goto out;
	}
	for (;;) {
		waiting = 0;
		for (i = 0; i < a->nr_res; i++) {
			struct result *r = &a->res[i];
			if (r->done || r->queued)
				continue;
			if (qe_now_ms() < wait_until &&
			    !qe_cache_claim(a->cache, r->fingerprint)) {
				waiting++;
				continue;
			}
			{
				struct qe_event *copy = qe_event_dup(r->ev);
				if (qe_queue_push(queue, copy, qe_now_ms()) !=
				    QE_PUSH_QUEUED)
					qe_event_free(copy);
			}
			r->queued = 1;
		}
		qe_batch_drain(batch, qe_now_ms() + 24 * 3600 * 1000ULL, NULL, NULL);
		if (!waiting)
			break;
		/* another host asks: its answer arrives through the cache */
		qe_loop_run_once(loop, 250);
		for (i = 0; i < a->nr_res; i++) {
			struct result *r = &a->res[i];
			char *json = NULL;
			if (r->done || r->queued)
				continue;
			if (qe_cache_lookup(a->cache, r->fingerprint, qe_wall_ms(),
					    &json) != QE_CACHE_MISS) {
				r->advice = json;
				r->cached = 1;
				r->done = 1;
			}
		}
	}
out:
	qe_batch_free(batch);
	qe_queue_free(queue);
	qe_loop_free(loop);
}

static void print_text(struct analyze *a, struct qe_event *ev, struct result *r, int md)
{
	struct qe_ctx *ctx = a->ctx;
	const char *red = qe_color_code(ctx, "\033[31m"),
		   *dim = qe_color_code(ctx, "\033[2m");
	const char *reset = qe_color_code(ctx, "\033[0m");
	char *msg = qe_utf8_sanitize(ev->message, strlen(ev->message));
	char *type = ev->type ? qe_utf8_sanitize(ev->type, strlen(ev->type)) : NULL;
	json_t *adv = r ? qe_report_parse_advice(r->advice) : NULL;
	size_t i;

	if (md) {
		printf("## %s%s%s\n\n", type ? type : "Error", type && *msg ? ": " : "",
		       type ? msg : (*msg ? msg : ""));
		printf(
		    "- **Fingerprint:** `%s`\n- **Kind:** %s\n- **Severity:** %s%s\n\n",
		    ev->fingerprint, ev->kind, qe_severity_name(ev->severity),
		    ev->truncated ? "\n- **Truncated:** yes" : "");
		printf("```\n");
		for (i = 0; i < ev->nr_lines && i < 30; i++) {
			char *l = qe_utf8_sanitize(ev->lines[i], strlen(ev->lines[i]));
			printf("%s\n", l);
			free(l);
		}
		if (ev->nr_lines > 30)
			printf("... %zu more lines\n", ev->nr_lines - 30);
		printf("```\n\n");
		if (adv) {
			printf("### Advice%s\n\n", r->cached ? " (cached)" : "");
			printf("**Summary:** %s\n\n**Root cause:** %s\n\n**Fix:** %s\n\n"
			       "**Confidence:** %.2f\n\n",
			       json_string_value(json_object_get(adv, "summary")),
			       json_string_value(json_object_get(adv, "root_cause")),
			       json_string_value(json_object_get(adv, "fix")),
			       json_number_value(json_object_get(adv, "confidence")));
		} else {
			printf("_No advice: %s_\n\n",
			       r && r->error ? r->error : "not requested");
		}
	} else {
		printf("%s%s%s %s%s%s %s%s%s%s\n", red, qe_severity_name(ev->severity),
		       reset, dim, ev->fingerprint, reset, type ? type : ev->kind,
		       *msg ? ": " : "", msg, ev->truncated ? " (truncated)" : "");
		printf("  %skind %s, %zu line%s%s\n", dim, ev->kind, ev->nr_lines,
		       ev->nr_lines == 1 ? "" : "s", reset);
		if (adv) {
			printf("  advice%s:\n", r->cached ? " (cached)" : "");
			qe_report_advice_text(ctx, stdout, adv, "    ");
		} else {
			printf("  no advice: %s\n",
			       r && r->error ? r->error : "not requested");
		}
		printf("\n");
	}
	json_decref(adv);
	free(msg);
	free(type);
}

static int print_json(struct qe_event *ev, struct result *r)
{
	json_t *o = qe_report_event_json(ev);
	json_t *adv = r ? qe_report_parse_advice(r->advice) : NULL;
	int rc;
	json_object_set_new(o, "cached", json_boolean(r && r->cached));
	json_object_set_new(o, "advice", adv ? adv : json_null());
	json_object_set_new(o, "advice_error",
			    !adv && r && r->error ? qe_report_string(r->error)
						  : json_null());
	rc = qe_report_print_json(o);
	json_decref(o);
	return rc;
}

int cmd_analyze(int argc, char **argv, struct qe_ctx *ctx)
{
	const char *format = "text";
	int no_cache = 0, dry_run = 0;
	const struct qe_option opts[] = {
	    QE_OPT_CHOICE_('f', "format", &format, "text|json|markdown",
			   "output format (default: text)"),
	    QE_OPT_FLAG_(0, "no-cache", &no_cache,
			 "ask the AI service even when advice is cached"),
	    QE_OPT_FLAG_('n', "dry-run", &dry_run,
			 "print the exact request bodies and send nothing"),
	    QE_OPT_END_,
	};
	struct analyze a;
	struct qe_rules *rules = NULL;
	struct qe_source_conf sc;
	struct qe_source *src = NULL;
	struct qe_source_counts counts;
	struct qe_ai *ai = NULL;
	struct qe_redactor *red = NULL;
	char **args;
	const char *name = "standard input";
	int nargs, fd = STDIN_FILENO, rc = QE_EXIT_OK;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	nargs = qe_parse_options(argc, argv, opts, analyze_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs > 1) {
		qe_error_msg("analyze takes at most one FILE");
		qe_usage(stderr, opts, analyze_usage);
		return QE_EXIT_USAGE;
	}
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	if (nargs == 1 && strcmp(args[0], "-")) {
		name = args[0];
		fd = open(name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			qe_error_msg("cannot open '%s': %s", name, strerror(errno));
			return QE_EXIT_FAILURE;
		}
	}

	a.source = fd == STDIN_FILENO ? NULL : name;
	a.grouping = qe_grouping_new(&ctx->cfg);
	if (!a.grouping) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}
	{
		/* the templates tail learnt, read only: a state without them
		 * (or none at all) groups by the mask alone */
		struct qe_store *st =
		    qe_store_open(qe_ctx_state_dir(ctx), QE_STORE_READONLY);
		if (st && qe_grouping_load(a.grouping, st, NULL) < 0)
			qe_warn_msg("%s", qe_last_error());
		qe_store_close(st);
		qe_clear_error();
	}
	rules = qe_rules_new(&ctx->cfg);
	if (!rules) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}
	qe_source_conf_from_config(&sc, &ctx->cfg, rules);
	sc.on_event = on_event;
	sc.data = &a;
	sc.path = fd == STDIN_FILENO ? NULL : name;
	src = qe_source_new(&sc, 0);
	if (!src) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}
	if (qe_source_read_fd(src, fd, name, &counts) < 0) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	a.lines_read = (long long)counts.lines;
	a.truncated_lines = (long long)counts.truncated_lines;
	if (a.truncated_lines)
		qe_warn_msg("%lld line%s longer than %ld bytes cut", a.truncated_lines,
			    a.truncated_lines == 1 ? "" : "s", ctx->cfg.max_line_bytes);
	if (a.dropped_events)
		qe_warn_msg("%zu events beyond the first %d not reported",
			    a.dropped_events, MAX_EVENTS);

	/* The cache is an optimisation: without a usable state directory
	 * analyze still answers, it just cannot remember.  A dry run only
	 * reads it, so the body shows the answer format the endpoint is
	 * known to accept. */
	a.store = qe_store_open(qe_ctx_state_dir(ctx), dry_run ? QE_STORE_READONLY : 0);
	if (!a.store && !dry_run)
		qe_warn_msg("advice cache disabled: %s", qe_last_error());
	red = qe_redactor_new(&ctx->cfg);
	ai = red ? qe_ai_new_shared(&ctx->cfg, a.store, red) : NULL;
	if (!ai) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}

	if (dry_run) {
		/* Exactly what would go out, batch by batch; nothing is sent
		 * and nothing is written. */
		struct qe_event **batch =
		    qe_xcalloc(a.nr_res ? a.nr_res : 1, sizeof(*batch));
		size_t bs = ctx->cfg.batch_size > 0 ? (size_t)ctx->cfg.batch_size : 1;
		for (i = 0; i < a.nr_res; i++)
			batch[i] = a.res[i].ev;
		if (!qe_config_ai_endpoint(&ctx->cfg))
			qe_warn_msg(
			    "no AI service configured: set QERRORS_AI_BASE_URL or "
			    "OPENAI_API_KEY; this is what would be sent");
		else
			printf("# POST %s/chat/completions\n",
			       qe_config_ai_endpoint(&ctx->cfg));
		for (i = 0; i < a.nr_res; i += bs) {
			size_t n = a.nr_res - i < bs ? a.nr_res - i : bs;
			char *body = qe_ai_request_body(ai, batch + i, n);
			printf("%s\n", body);
			free(body);
		}
		free(batch);
		goto out;
	}

	a.cache = qe_cache_new(&ctx->cfg, a.store, qe_ai_model(ai), red);
	if (!a.cache) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}
	if (a.store) {
		qe_store_counter_add(a.store, "analyze_runs", 1);
		qe_store_counter_add(a.store, "analyze_events", (long long)a.nr_evs);
	}

	for (i = 0; i < a.nr_res && !no_cache; i++) {
		struct result *r = &a.res[i];
		char *json = NULL;
		if (qe_cache_lookup(a.cache, r->fingerprint, qe_wall_ms(), &json) !=
		    QE_CACHE_MISS) {
			r->advice = json;
			r->cached = 1;
			r->done = 1;
		}
	}

	if (!qe_ai_configured(ai)) {
		for (i = 0; i < a.nr_res; i++)
			if (!a.res[i].done) {
				a.res[i].error =
				    qe_xstrdup("no AI service configured (set "
					       "OPENAI_API_KEY or QERRORS_AI_BASE_URL)");
				a.res[i].status = QE_AI_NOT_CONFIGURED;
			}
	} else {
		ask(&a, ai);
		for (i = 0; i < a.nr_res; i++) {
			struct result *r = &a.res[i];
			if (r->cached)
				continue;
			if (!r->done && !r->error) {
				r->error = qe_xstrdup("no answer from the AI service");
				r->status = QE_AI_UNAVAILABLE;
			}
			rc = qe_exit_worse(rc, qe_exit_for_ai(r->status));
		}
	}

	for (i = 0; i < a.nr_evs; i++) {
		struct qe_event *ev = a.evs[i];
		struct result *r = find_result(&a, ev->fingerprint);
		if (!strcmp(format, "json")) {
			if (print_json(ev, r) < 0)
				break;
		} else {
			print_text(&a, ev, r, !strcmp(format, "markdown"));
		}
	}
	if (!a.nr_evs && strcmp(format, "json") && !ctx->quiet)
		fprintf(stderr, "qerrors: no errors found in %s (%lld lines)\n", name,
			a.lines_read);
	if (rc != QE_EXIT_OK) {
		for (i = 0; i < a.nr_res; i++)
			if (a.res[i].error && a.res[i].status != QE_AI_NOT_CONFIGURED) {
				qe_error_msg("no advice for %s: %s", a.res[i].fingerprint,
					     a.res[i].error);
				break;
			}
	}

out:
	if (fd > STDIN_FILENO)
		close(fd);
	qe_cache_free(a.cache);
	qe_ai_free(ai);
	qe_redactor_free(red);
	qe_source_free(src);
	qe_rules_free(rules);
	qe_grouping_free(a.grouping);
	qe_store_close(a.store);
	for (i = 0; i < a.nr_evs; i++)
		qe_event_free(a.evs[i]);
	free(a.evs);
	for (i = 0; i < a.nr_res; i++) {
		free(a.res[i].fingerprint);
		free(a.res[i].advice);
		free(a.res[i].error);
	}
	free(a.res);
	return rc;
}
