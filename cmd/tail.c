/*
 * qerrors tail: the agent's command.  lib/agent does the work (sources,
 * events, state, cache, AI queue); this file parses the options, prints
 * what the agent reports, for people or as NDJSON, handles signals and
 * turns what happened into an exit code.
 *
 * Text output folds repeats: a fingerprint printed less than
 * events.collapse_window_ms ago is counted, not printed, and the count is
 * said when the window ends.  Finding a fingerprint's entry is one hash
 * lookup, whatever the number of distinct errors.
 */
#include "qerrors.h"
#include "report.h"

#include "agent.h"
#include "repeats.h"
#include "batch.h"
#include "decode.h"
#include "event.h"
#include "loop.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct tail {
	struct qe_ctx *ctx;
	struct qe_agent *agent;
	int json, once;
	int exit_code;
	int ai_exit;	       /* the worst AI outcome, for --once */
	unsigned said_problem; /* AI statuses already explained, a bit each */
	int said_not_configured;
	int output_closed;
	int collapse_timer;
	struct qe_repeats *repeats; /* text: what was printed recently */
	struct qe_ndjson ndjson;    /* reused for every event record */
};

/* The stdio buffer of a catch-up run that does not write to a terminal:
 * 13 MB of NDJSON went out in 4 KiB writes (the file's block size), each
 * a system call; 64 KiB writes took a third of their kernel time. */
static _Alignas(4096) char once_out_buf[65536];

static const char *const tail_usage[] = {
    "qerrors tail [--json] [--once] [--from-beginning] [--backend=B] [--format=F]\n"
    "             [FILE|GLOB|-|journal:[UNIT[,UNIT...]|DIR]...]",
    NULL,
};

static int output_ok(struct tail *t)
{
	int err;
	if (t->output_closed)
		return 0;
	/* Followers flush per record so a pipe sees each event at once; a
	 * catch-up run (--once) lets stdio batch the writes. */
	if (t->once && !ferror(stdout))
		return 1;
	err = qe_stdout_error();
	if (!err)
		return 1;
	t->output_closed = 1;
	if (err != EPIPE)
		t->exit_code = QE_EXIT_FAILURE;
	/* a closed pipe ends the agent cleanly */
	qe_agent_stop(t->agent);
	return 0;
}

/* ---- collapsing repeats (text) ---- */

/* How many fingerprints' windows are remembered at once. */
#define REPEATS_MAX 16384

static void on_repeats(const char *fp, unsigned long n, const char *source, void *data)
{
	struct tail *t = data;
	if (!output_ok(t))
		return;
	printf("%s  ... repeated %lu more time%s in %s\n", fp, n, n == 1 ? "" : "s",
	       source);
	output_ok(t);
}

/* Say how often the fingerprints whose window ended were repeated. */
static void flush_collapsed(struct tail *t, int all)
{
	uint64_t next;
	if (!t->repeats)
		return;
	next = qe_repeats_expire(t->repeats, qe_now_ms(),
				 (uint64_t)t->ctx->cfg.collapse_window_ms, all);
	if (next && !all)
		qe_loop_timer_set(qe_agent_loop(t->agent), t->collapse_timer, next, 0);
}

static void on_collapse_timer(struct qe_loop *loop, int id, void *data)
{
	flush_collapsed(data, 0);
}

/* ---- printing ---- */

static void print_advice_text(struct tail *t, json_t *adv, int cached)
{
	printf("    %sadvice%s:\n", qe_color_code(t->ctx, "\033[1m"),
	       cached ? " (cached)" : "");
	qe_report_advice_text(t->ctx, stdout, adv, "      ");
	printf("%s", qe_color_code(t->ctx, "\033[0m"));
}

static void on_advice(const char *fp, const char *advice_json, int cached, void *data)
{
	struct tail *t = data;
	json_t *adv = qe_report_parse_advice(advice_json);
	if (!adv || t->output_closed)
		goto out;
	if (t->json) {
		json_t *o = json_object();
		json_object_set_new(o, "type", json_string("advice"));
		json_object_set_new(o, "fingerprint", json_string(fp));
		json_object_set_new(o, "cached", json_boolean(cached));
		json_object_set_new(o, "advice", json_incref(adv));
		qe_report_print_json(o);
		json_decref(o);
	} else {
		/* under the message the error was printed with, when it is
		 * still on screen; else under its fingerprint */
		const char *msg = qe_repeats_message(t->repeats, fp);
		printf("%s  %s\n", fp, msg ? msg : "(printed earlier)");
		print_advice_text(t, adv, cached);
	}
	output_ok(t);
out:
	json_decref(adv);
}

/* Written without a jansson tree: at thousands of events a second the
 * tree cost more than finding the event. */
static void print_event_json(struct tail *t, const struct qe_agent_event *e)
{
	const struct qe_event *ev = e->ev;
	json_t *adv = qe_report_parse_advice(e->advice_json);
	int failed = e->advice != QE_ADVICE_KNOWN && e->advice != QE_ADVICE_PENDING &&
		     e->advice != QE_ADVICE_KNOWN_NOT_SHOWN;
	char when[64];
	struct qe_ndjson *j = &t->ndjson;

	qe_ndjson_begin(j);
	/* "type" is the record type in tail's stream; the error type moves */
	qe_ndjson_event(j, ev, "event");
	qe_ndjson_key(j, "error_type");
	qe_ndjson_str(j, ev->type);
	qe_ndjson_key(j, "source");
	qe_ndjson_str(j, e->source);
	if (ev->stream) {
		qe_ndjson_key(j, "stream");
		qe_ndjson_str(j, ev->stream);
	}
	if (e->k8s) {
		qe_ndjson_key(j, "pod");
		qe_ndjson_str(j, e->k8s->pod);
		qe_ndjson_key(j, "namespace");
		qe_ndjson_str(j, e->k8s->namespace);
		qe_ndjson_key(j, "container");
		qe_ndjson_str(j, e->k8s->container);
	}
	qe_ndjson_key(j, "time");
	if (e->time_ms > 0) {
		qe_report_time_utc(e->time_ms, when, sizeof(when));
		qe_ndjson_word(j, when);
	} else {
		qe_ndjson_raw(j, "null");
	}
	qe_ndjson_key(j, "count");
	qe_ndjson_int(j, e->count);
	qe_ndjson_key(j, "new");
	qe_ndjson_bool(j, e->is_new);
	qe_ndjson_key(j, "cached");
	qe_ndjson_bool(j, adv != NULL);
	qe_ndjson_key(j, "advice");
	qe_ndjson_json(j, adv);
	qe_ndjson_key(j, "advice_state");
	qe_ndjson_word(j, qe_agent_advice_name(e->advice));
	qe_ndjson_key(j, "advice_error");
	qe_ndjson_str(j, failed && e->advice_note ? e->advice_note : NULL);
	qe_ndjson_end(j);
	json_decref(adv);
}

static void print_event_text(struct tail *t, const struct qe_agent_event *e)
{
	const struct qe_event *ev = e->ev;
	const char *red = qe_color_code(t->ctx, "\033[31m");
	const char *dim = qe_color_code(t->ctx, "\033[2m");
	const char *reset = qe_color_code(t->ctx, "\033[0m");
	const char *base = strrchr(e->source, '/');
	char when[16], tag[48] = "", *head, *text;
	struct tm tm;
	time_t secs = (time_t)(e->time_ms / 1000);
	size_t used;

	if (qe_repeats_seen(t->repeats, ev->fingerprint))
		return;
	base = base ? base + 1 : e->source;
	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (e->is_new)
		snprintf(tag, sizeof(tag), "  [new]");
	else if (e->count > 1)
		snprintf(tag, sizeof(tag), "  [seen %lld times]", e->count);
	/* the thrown type and message say more than a logger's first line */
	head = ev->type ? qe_xasprintf("%s%s%s", ev->type, *ev->message ? ": " : "",
				       ev->message)
			: qe_xstrdup(*ev->message ? ev->message
						  : (ev->nr_lines ? ev->lines[0] : ""));
	/* one line of at most 100 columns: time, severity, fingerprint,
	 * file name, then as much of the message as fits */
	used = strlen(when) + 1 + 8 + 1 + 16 + 1 + strlen(base) + 2 + strlen(tag) +
	       (ev->truncated ? 12 : 0);
	text = qe_report_fit(head, used + 20 < 100 ? 100 - used : 20);
	printf("%s %s%-8s%s %s%s%s %s: %s%s%s\n", when, red,
	       qe_severity_name(ev->severity), reset, dim, ev->fingerprint, reset, base,
	       text, ev->truncated ? " (truncated)" : "", tag);
	qe_repeats_add(t->repeats, ev->fingerprint, e->source, text, qe_now_ms());
	flush_collapsed(t, 0); /* arms the timer for the oldest window */
	free(text);
	free(head);
	if (e->advice == QE_ADVICE_KNOWN && e->advice_json) {
		json_t *adv = qe_report_parse_advice(e->advice_json);
		if (adv)
			print_advice_text(t, adv, 1);
		json_decref(adv);
	}
}

static void on_event(const struct qe_agent_event *e, void *data)
{
	struct tail *t = data;
	if (t->output_closed)
		return;
	if (e->advice == QE_ADVICE_NOT_CONFIGURED && !t->said_not_configured++ &&
	    !t->json && !t->ctx->quiet)
		fprintf(stderr,
			"qerrors: no AI service configured: errors are recorded and "
			"grouped without advice; set OPENAI_API_KEY, or "
			"QERRORS_AI_BASE_URL for a local model\n");
	if (t->json)
		print_event_json(t, e);
	else
		print_event_text(t, e);
	output_ok(t);
}

/* Say once per kind of failure why advice cannot be had, and the fix:
 * on stderr for people, as a "notice" record in NDJSON. */
static void say_ai_problem(struct tail *t, const struct qe_batch_result *r)
{
	const char *what = r->error ? r->error : qe_ai_status_name(r->status);
	unsigned bit = 1u << ((unsigned)r->status % 32);
	if (r->budget_spent || (t->said_problem & bit))
		return;
	t->said_problem |= bit;
	if (t->json) {
		json_t *o = json_object();
		json_object_set_new(o, "type", json_string("notice"));
		json_object_set_new(o, "status",
				    json_string(qe_ai_status_name(r->status)));
		json_object_set_new(o, "message", qe_report_string(what));
		json_object_set_new(o, "fix", json_string(qe_report_ai_fix(r->status)));
		qe_report_print_json(o);
		json_decref(o);
	} else if (!t->ctx->quiet) {
		qe_warn_msg("no advice from the AI service: %s; %s", what,
			    qe_report_ai_fix(r->status));
	}
}

static void on_advice_error(const struct qe_batch_result *r, void *data)
{
	struct tail *t = data;
	json_t *o;
	if (r->status == QE_AI_QUOTA && !r->budget_spent && !t->exit_code)
		t->exit_code = QE_EXIT_AI_QUOTA;
	if (!r->budget_spent && r->status != QE_AI_CANCELLED)
		t->ai_exit = qe_exit_worse(t->ai_exit, qe_exit_for_ai(r->status));
	if (t->output_closed)
		return;
	say_ai_problem(t, r);
	if (!t->json)
		return;
	o = json_object();
	json_object_set_new(o, "type", json_string("advice_error"));
	json_object_set_new(o, "fingerprint", json_string(r->fingerprint));
	json_object_set_new(
	    o, "status",
	    json_string(r->budget_spent ? "budget" : qe_ai_status_name(r->status)));
	json_object_set_new(
	    o, "error",
	    qe_report_string(r->error ? r->error : qe_ai_status_name(r->status)));
	qe_report_print_json(o);
	json_decref(o);
	output_ok(t);
}

static void on_notice(enum qe_agent_level level, const char *msg, void *data)
{
	struct tail *t = data;
	switch (level) {
	case QE_AGENT_VERBOSE:
		qe_info_msg(t->ctx, "%s", msg);
		break;
	case QE_AGENT_STATUS:
		if (!t->ctx->quiet)
			fprintf(stderr, "qerrors: %s\n", msg);
		break;
	case QE_AGENT_WARNING:
		if (!t->ctx->quiet)
			qe_warn_msg("%s", msg);
		break;
	case QE_AGENT_ERROR:
		qe_error_msg("%s", msg);
		break;
	}
}

/* ---- signals ---- */

static void print_counters(struct tail *t)
{
	struct qe_agent_report r;
	qe_agent_get_report(t->agent, &r);
	fprintf(stderr,
		"qerrors: lines=%llu bytes=%llu truncated_lines=%llu events=%lld "
		"queue_length=%lld queue_rejects=%lld ai_requests=%lld ai_failures=%lld "
		"tokens_prompt=%lld tokens_completion=%lld breaker=%s\n",
		r.lines, r.bytes, r.truncated_lines, r.events, r.queue_length,
		r.queue_rejects, r.ai.requests, r.ai.failures, r.ai.tokens_prompt,
		r.ai.tokens_completion, r.breaker);
}

static void reload(struct tail *t)
{
	struct qe_config ncfg;
	qe_config_init(&ncfg);
	if (qe_config_load(&ncfg, t->ctx->config_path) < 0 ||
	    qe_agent_reload(t->agent, &ncfg) < 0) {
		qe_warn_msg("configuration not reloaded: %s", qe_last_error());
		qe_config_release(&ncfg);
		return;
	}
	qe_config_release(&ncfg);
	if (!t->ctx->quiet)
		fprintf(stderr, "qerrors: configuration reloaded\n");
}

static void on_signal(struct qe_loop *loop, int signo, void *data)
{
	struct tail *t = data;
	switch (signo) {
	case SIGINT:
	case SIGTERM:
		qe_agent_stop(t->agent);
		break;
	case SIGHUP:
		reload(t);
		break;
	case SIGUSR1:
		print_counters(t);
		break;
	}
}

static int exit_for_failure(enum qe_agent_failure why)
{
	switch (why) {
	case QE_AGENT_FAIL_CONFIG:
		return QE_EXIT_USAGE;
	case QE_AGENT_FAIL_LOCKED:
		return QE_EXIT_LOCKED;
	case QE_AGENT_FAIL_STATE:
	case QE_AGENT_FAIL_RUNTIME:
		break;
	}
	return QE_EXIT_FAILURE;
}

int cmd_tail(int argc, char **argv, struct qe_ctx *ctx)
{
	int json = 0, once = 0, from_beginning = 0;
	const char *backend = NULL, *format = NULL;
	const struct qe_option opts[] = {
	    QE_OPT_FLAG_('j', "json", &json, "NDJSON output: event and advice records"),
	    QE_OPT_FLAG_(0, "once", &once,
			 "read every source to its end, wait for advice, and exit"),
	    QE_OPT_FLAG_(0, "from-beginning", &from_beginning,
			 "read sources without a saved position from the start"),
	    QE_OPT_CHOICE_(0, "backend", &backend, "auto|inotify|poll",
			   "how files are watched (default: tail.follow)"),
	    QE_OPT_CHOICE_(0, "format", &format,
			   "auto|text|json|docker|cri|syslog|journal",
			   "how log lines are decoded (default: tail.format)"),
	    QE_OPT_END_,
	};
	struct tail t;
	struct qe_agent_opts ao;
	struct qe_agent_output out = {on_event, on_advice, on_advice_error, on_notice,
				      NULL};
	struct qe_agent_report rep;
	enum qe_agent_failure why;
	char **args;
	int nargs, i, rc = QE_EXIT_OK;

	memset(&t, 0, sizeof(t));
	nargs = qe_parse_options(argc, argv, opts, tail_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	if (nargs == 0 && !ctx->cfg.nr_sources) {
		qe_error_msg("nothing to follow: give a FILE, GLOB, journal: or '-', or "
			     "a 'sources' list in %s",
			     ctx->cfg.path ? ctx->cfg.path : "the configuration file");
		qe_usage(stderr, opts, tail_usage);
		return QE_EXIT_USAGE;
	}
	if (format) {
		free(ctx->cfg.log_format);
		ctx->cfg.log_format = qe_xstrdup(format);
	}
	t.ctx = ctx;
	t.json = json;
	t.once = once;
	/* before anything is written to standard output */
	if (once && !isatty(STDOUT_FILENO))
		setvbuf(stdout, once_out_buf, _IOFBF, sizeof(once_out_buf));
	if (ctx->state_dir) {
		free(ctx->cfg.state_dir);
		ctx->cfg.state_dir = qe_xstrdup(ctx->state_dir);
	}

	memset(&ao, 0, sizeof(ao));
	ao.once = once;
	ao.from_beginning = from_beginning;
	ao.backend = backend;
	ao.advice_on_repeat = json; /* NDJSON readers get it on every event */
	out.data = &t;
	if (!json)
		t.repeats = qe_repeats_new(REPEATS_MAX, on_repeats, &t);
	t.agent = qe_agent_new(&ctx->cfg, &ao, &out, &why);
	if (!t.agent) {
		qe_error_msg("%s", qe_last_error());
		qe_repeats_free(t.repeats);
		return exit_for_failure(why);
	}
	t.collapse_timer =
	    qe_loop_timer_add(qe_agent_loop(t.agent), 0, 0, on_collapse_timer, &t);
	if (t.collapse_timer < 0 ||
	    qe_loop_signals(qe_agent_loop(t.agent), on_signal, &t) < 0) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	qe_loop_timer_stop(qe_agent_loop(t.agent), t.collapse_timer);
	for (i = 0; i < nargs && qe_agent_add(t.agent, args[i]) == 0; i++)
		;
	/* FILE arguments replace the configured sources */
	if (i < nargs || (!nargs && qe_agent_add_config_sources(t.agent) < 0)) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}
	if (qe_agent_run(t.agent) < 0) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
	}
	flush_collapsed(&t, 1);
	qe_agent_get_report(t.agent, &rep);
	if (rc == QE_EXIT_OK && t.exit_code)
		rc = t.exit_code;
	if (once) {
		/* cron must hear the worst thing that happened */
		if (rep.source_errors || rep.sources_unmatched) {
			if (!rep.source_errors)
				qe_error_msg(
				    "nothing to read: %lld source%s matched no file",
				    rep.sources_unmatched,
				    rep.sources_unmatched == 1 ? "" : "s");
			rc = qe_exit_worse(rc, QE_EXIT_FAILURE);
		}
		rc = qe_exit_worse(rc, t.ai_exit);
	}
	/* state not saved (a full disk): the next run reads those lines
	 * again, but cron must hear that this one did not finish its job */
	if (rc == QE_EXIT_OK && rep.state_unsaved)
		rc = QE_EXIT_FAILURE;
out:
	flush_collapsed(&t, 1);
	qe_agent_free(t.agent);
	qe_buf_release(&t.ndjson.b);
	qe_repeats_free(t.repeats);
	return rc;
}
