/*
 * qerrors tail: the agent.  Follows files through rotation, assembles
 * error events, fingerprints them, records them with the file positions
 * they cover in one transaction, and asks the AI service about each new
 * fingerprint once, without ever waiting on it.
 *
 * Everything runs in one event loop (lib/loop.h): inotify or polling for
 * the files, a signalfd, timers (commit, idle events, batching, metrics,
 * collapse), and libcurl's sockets for the AI client.
 *
 * Positions: for each file the committed position is the end of the last
 * line fed to the assembler, or the start of the event still open, so
 * after a crash the open event is read again and no line is lost.  Events
 * printed after the last commit may be printed again after `kill -9`; a
 * graceful stop commits everything it printed.
 */
#include "qerrors.h"
#include "report.h"

#include "ai.h"
#include "assemble.h"
#include "event.h"
#include "fingerprint.h"
#include "fleet.h"
#include "follow.h"
#include "loop.h"
#include "queue.h"
#include "redact.h"
#include "ring.h"
#include "rules.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct tail;

/* Cumulative counts of this run, as written to the store's counters. */
struct totals {
	long long lines, bytes, truncated, events, dropped, cache_hits, rejects;
	long long parked, deferred, compressed;
};

static const struct {
	const char *name;
	size_t off;
} counter_names[] = {
    {"lines_read", offsetof(struct totals, lines)},
    {"bytes_read", offsetof(struct totals, bytes)},
    {"truncated_lines", offsetof(struct totals, truncated)},
    {"events", offsetof(struct totals, events)},
    {"dropped_events", offsetof(struct totals, dropped)},
    {"cache_hits_tail", offsetof(struct totals, cache_hits)},
    {"queue_rejects", offsetof(struct totals, rejects)},
    {"files_parked", offsetof(struct totals, parked)},
    {"file_opens_deferred", offsetof(struct totals, deferred)},
    {"files_skipped_compressed", offsetof(struct totals, compressed)},
};

/* Per followed file (qe_follow_file.user). */
struct src {
	struct tail *t;
	struct qe_follow_file *file;
	struct qe_assembler *as;
	uint64_t done_pos;     /* end of the last line fed */
	uint64_t last_line_ms; /* for the idle timeout of an open event */
	int closed;	       /* the follower let go of the file */
	struct src *next;
};

/* Fingerprints printed recently, for collapsing repeats. */
struct shown {
	char fp[17];
	uint64_t at_ms;
	unsigned long suppressed;
	char *source;
	struct shown *next;
};

#define ADVICE_MEMO_SLOTS 256

struct advice_memo {
	char fp[17];
	char *json; /* NULL when the slot is empty */
};

struct tail {
	struct qe_ctx *ctx;
	struct qe_config *cfg;
	struct qe_loop *loop;
	struct qe_follow *follow;
	struct qe_rules *rules;
	struct qe_redactor *redactor;
	struct qe_store *store;
	struct qe_ai *ai;
	struct qe_queue *queue;
	struct qe_ring *ring;	/* events waiting for the next commit */
	struct qe_fleet *fleet; /* shared cache (cache.backend: redis) or NULL */
	struct src *srcs;
	struct shown *shown;
	const char *model;
	int json, once, from_beginning;
	int lock_fd;

	int in_txn;
	uint64_t commit_retry_ms; /* after a failed commit, not before this */
	int commit_failing;	  /* commits fail (a full disk): said once */
	int commit_timer, idle_timer, batch_timer, ai_timer, metric_timer, collapse_timer;
	int stopping;
	int exit_code;
	int output_closed;

	/* this run's own counts; the follower and the queue count the rest */
	long long events_total, dropped_total, cache_hits_total;
	struct totals committed; /* what the store's counters already hold */
	struct advice_memo memo[ADVICE_MEMO_SLOTS];
};

static const char *const tail_usage[] = {
    "qerrors tail [--json] [--once] [--from-beginning] [--backend=auto|inotify|poll] "
    "FILE|GLOB|-...",
    NULL,
};

static void ai_timer_update(struct tail *t);
static void submit_batches(struct tail *t, int force);

static int output_ok(struct tail *t)
{
	if (t->output_closed)
		return 0;
	/* Followers flush per record so a pipe sees each event at once; a
	 * catch-up run (--once) lets stdio batch the writes. */
	if ((!t->once && fflush(stdout) == EOF) || ferror(stdout)) {
		t->output_closed = 1;
		if (errno != EPIPE) {
			qe_die_msg("cannot write to standard output: %s",
				   strerror(errno));
			t->exit_code = QE_EXIT_FAILURE;
		}
		/* a closed pipe ends the agent cleanly */
		qe_loop_stop(t->loop);
		return 0;
	}
	return 1;
}

static void ensure_txn(struct tail *t)
{
	if (t->in_txn || !t->store)
		return;
	if (qe_store_begin(t->store) < 0) {
		qe_warn_msg("%s", qe_last_error());
		return;
	}
	t->in_txn = 1;
	if (!t->once)
		qe_loop_timer_set(t->loop, t->commit_timer,
				  (uint64_t)t->cfg->commit_interval_ms, 0);
}

static int save_offset(struct tail *t, struct src *s)
{
	struct qe_follow_file *f = s->file;
	struct qe_offset o;
	uint64_t pos = s->done_pos, pstart;
	/* every file by its identity, rotated ones too */
	if (!f || f->is_stdin || s->closed || (!f->dev && !f->ino))
		return 0;
	if (s->as && qe_assembler_pending(s->as, &pstart) && pstart < pos)
		pos = pstart;
	memset(&o, 0, sizeof(o));
	o.path = (char *)f->path;
	o.dev = f->dev;
	o.ino = f->ino;
	o.head_hash = f->head_hash;
	o.head_len = f->head_len;
	o.offset = pos;
	o.size = f->size;
	o.updated = qe_wall_ms();
	o.rotated = f->rotated;
	return qe_store_offset_put(t->store, &o);
}

static void totals_now(const struct tail *t, struct totals *out)
{
	struct qe_follow_counters fc;
	qe_follow_get_counters(t->follow, &fc);
	out->lines = (long long)fc.lines;
	out->bytes = (long long)fc.bytes;
	out->truncated = (long long)fc.truncated_lines;
	out->events = t->events_total;
	out->dropped = t->dropped_total;
	out->cache_hits = t->cache_hits_total;
	out->rejects = (long long)qe_queue_rejects(t->queue);
	out->parked = (long long)fc.parked;
	out->deferred = (long long)fc.open_deferred;
	out->compressed = (long long)fc.compressed;
}

/* Add what was counted since the last commit to the store's counters. */
static void add_counters(struct tail *t, const struct totals *now)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(counter_names); i++) {
		long long v =
		    *(const long long *)((const char *)now + counter_names[i].off);
		long long c = *(const long long *)((const char *)&t->committed +
						   counter_names[i].off);
		if (v != c)
			qe_store_counter_add(t->store, counter_names[i].name, v - c);
	}
}

/*
 * Commit events, positions and counters together.  Events leave the ring
 * only once their transaction is committed: after a failure (a full disk)
 * they wait there for the next attempt, bounded by the ring's limits, and
 * the positions stay where they were, so nothing is lost even if the
 * agent stops before the disk recovers.
 */
static void commit(struct tail *t)
{
	struct src *s;
	struct totals now;
	const struct qe_ring_entry *e;
	long long not_recorded = 0; /* counted as dropped once the commit holds */
	size_t n = 0;
	char buf[64];
	if (!t->store)
		return;
	ensure_txn(t);
	if (!t->in_txn)
		return;
	qe_fleet_flush(t->fleet); /* fleet counts and catch-up writes; cheap when down */
	/* Events first, then the positions that cover them, in one transaction. */
	for (; (e = qe_ring_peek(t->ring, n)); n++) {
		int is_new;
		if (qe_store_record_events(t->store, e->ev, e->sample ? e->sample : "",
					   e->first_ms, e->time_ms, e->count,
					   &is_new) < 0) {
			if (!qe_store_in_transaction(t->store))
				goto failed;
			not_recorded += e->count;
			qe_warn_msg("event not recorded: %s", qe_last_error());
		}
	}
	for (s = t->srcs; s; s = s->next)
		if (save_offset(t, s) < 0)
			qe_warn_msg("%s", qe_last_error());
	totals_now(t, &now);
	now.dropped += not_recorded;
	add_counters(t, &now);
	snprintf(buf, sizeof(buf), "%zu", qe_queue_length(t->queue));
	qe_store_kv_put(t->store, "agent.queue_length", buf);
	snprintf(buf, sizeof(buf), "%ld", (long)getpid());
	qe_store_kv_put(t->store, "agent.pid", buf);
	snprintf(buf, sizeof(buf), "%lld", (long long)qe_wall_ms());
	qe_store_kv_put(t->store, "agent.heartbeat", buf);
	/* SQLite may have ended the transaction after an error: what was
	 * written since went out on its own, so do not count on it */
	if (!qe_store_in_transaction(t->store))
		goto failed;
	if (qe_store_commit(t->store) < 0)
		goto failed;
	while (n--) {
		struct qe_ring_entry done;
		if (qe_ring_pop(t->ring, &done))
			qe_ring_entry_release(&done);
	}
	t->dropped_total += not_recorded;
	t->committed = now;
	if (t->commit_failing && !t->ctx->quiet)
		fprintf(stderr, "qerrors: state database '%s' is writable again\n",
			qe_store_path(t->store));
	t->commit_failing = 0;
	t->commit_retry_ms = 0;
	t->in_txn = 0;
	qe_loop_timer_stop(t->loop, t->commit_timer);
	return;
failed:
	/* once per outage, not once per retry */
	if (!t->commit_failing)
		qe_die_msg("%s", qe_last_error());
	t->commit_failing = 1;
	qe_store_rollback(
	    t->store); /* t->committed stays: the counts are added next time */
	t->in_txn = 0;
	/* The events stay in the ring: try again after a commit interval,
	 * even if nothing new arrives, rather than on every event while the
	 * ring is high. */
	t->commit_retry_ms = qe_now_ms() + (uint64_t)t->cfg->commit_interval_ms;
	qe_loop_timer_set(t->loop, t->commit_timer, (uint64_t)t->cfg->commit_interval_ms,
			  0);
}

static void on_commit_timer(struct qe_loop *loop, int id, void *data)
{
	commit(data);
}

static char *event_text(const struct qe_event *ev)
{
	struct qe_buf b = QE_BUF_INIT;
	size_t i;
	for (i = 0; i < ev->nr_lines; i++) {
		qe_buf_add(&b, ev->lines[i], strlen(ev->lines[i]));
		qe_buf_addch(&b, '\n');
	}
	return qe_buf_detach(&b);
}

static void format_time(char *buf, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static struct shown *find_shown(struct tail *t, const char *fp)
{
	struct shown *s;
	for (s = t->shown; s; s = s->next)
		if (!strcmp(s->fp, fp))
			return s;
	return NULL;
}

static void flush_collapsed(struct tail *t, int all)
{
	struct shown **pp = &t->shown, *s;
	uint64_t now = qe_now_ms();
	while ((s = *pp)) {
		if (all || now - s->at_ms >= (uint64_t)t->cfg->collapse_window_ms) {
			if (s->suppressed && !t->json && output_ok(t)) {
				printf("%s  ... repeated %lu more time%s in %s\n", s->fp,
				       s->suppressed, s->suppressed == 1 ? "" : "s",
				       s->source);
				output_ok(t);
			}
			*pp = s->next;
			free(s->source);
			free(s);
			continue;
		}
		pp = &s->next;
	}
	if (t->shown && !all)
		qe_loop_timer_set(t->loop, t->collapse_timer,
				  (uint64_t)t->cfg->collapse_window_ms, 0);
}

static void on_collapse_timer(struct qe_loop *loop, int id, void *data)
{
	flush_collapsed(data, 0);
}

static void print_advice(struct tail *t, const char *fp, const char *advice_json,
			 int cached)
{
	json_t *adv = qe_report_parse_advice(advice_json);
	if (!adv)
		return;
	if (t->json) {
		json_t *o = json_object();
		json_object_set_new(o, "type", json_string("advice"));
		json_object_set_new(o, "fingerprint", json_string(fp));
		json_object_set_new(o, "cached", json_boolean(cached));
		json_object_set_new(o, "advice", json_incref(adv));
		qe_report_print_json(o);
		json_decref(o);
	} else {
		printf("%s  advice%s:\n", fp, cached ? " (cached)" : "");
		qe_report_advice_text(t->ctx, stdout, adv, "    ");
	}
	json_decref(adv);
	output_ok(t);
}

static void print_event(struct tail *t, struct src *s, struct qe_event *ev, int is_new,
			const char *advice_json, const char *advice_error)
{
	if (t->json) {
		json_t *o = qe_report_event_json(ev);
		json_t *adv = qe_report_parse_advice(advice_json);
		json_object_set_new(o, "type", json_string("event"));
		/* "type" is the record type in tail's stream; the error type moves */
		json_object_set_new(o, "error_type", qe_report_string(ev->type));
		json_object_set_new(o, "source", qe_report_string(s->file->path));
		json_object_set_new(o, "new", json_boolean(is_new));
		json_object_set_new(o, "cached", json_boolean(adv != NULL));
		json_object_set_new(o, "advice", adv ? adv : json_null());
		json_object_set_new(o, "advice_error",
				    adv || !advice_error ? json_null()
							 : json_string(advice_error));
		qe_report_print_json(o);
		json_decref(o);
	} else {
		struct shown *sh = find_shown(t, ev->fingerprint);
		char when[32];
		char *first;
		const char *red = qe_color_code(t->ctx, "\033[31m");
		const char *dim = qe_color_code(t->ctx, "\033[2m");
		const char *reset = qe_color_code(t->ctx, "\033[0m");
		struct qe_group g;
		long long count = 0;
		if (sh) {
			sh->suppressed++;
			return;
		}
		sh = qe_xcalloc(1, sizeof(*sh));
		snprintf(sh->fp, sizeof(sh->fp), "%s", ev->fingerprint);
		sh->at_ms = qe_now_ms();
		sh->source = qe_xstrdup(s->file->path);
		sh->next = t->shown;
		t->shown = sh;
		qe_loop_timer_set(t->loop, t->collapse_timer,
				  (uint64_t)t->cfg->collapse_window_ms, 0);
		if (t->store && qe_store_group_get(t->store, ev->fingerprint, &g) == 1) {
			count = g.count;
			qe_group_release(&g);
		}
		format_time(when, sizeof(when));
		first =
		    qe_utf8_sanitize(ev->nr_lines ? ev->lines[0] : ev->message,
				     strlen(ev->nr_lines ? ev->lines[0] : ev->message));
		printf("%s %s%-8s%s %s%s%s %s: %s%s", when, red,
		       qe_severity_name(ev->severity), reset, dim, ev->fingerprint, reset,
		       s->file->path, first, ev->truncated ? " (truncated)" : "");
		if (is_new)
			printf("  [new]");
		else if (count > 1)
			printf("  [seen %lld times]", count);
		printf("\n");
		/* a trace's first line is often the logger's; say what was thrown */
		if (ev->type && !strstr(first, ev->type)) {
			char *type = qe_utf8_sanitize(ev->type, strlen(ev->type));
			char *msg = qe_utf8_sanitize(ev->message, strlen(ev->message));
			printf("    %s%s%s\n", type, *msg ? ": " : "", msg);
			free(type);
			free(msg);
		}
		free(first);
		if (advice_json)
			print_advice(t, ev->fingerprint, advice_json, 1);
	}
	output_ok(t);
}

/*
 * Advice of recent fingerprints, so that NDJSON events of a known group
 * carry it without a database round trip per event.  Direct-mapped and
 * bounded: a fingerprint pushed out is looked up in the store again.
 */
static struct advice_memo *memo_slot(struct tail *t, const char *fp)
{
	return &t->memo[qe_fnv1a(fp, strlen(fp)) % ADVICE_MEMO_SLOTS];
}

static void memo_put(struct tail *t, const char *fp, const char *json)
{
	struct advice_memo *m = memo_slot(t, fp);
	free(m->json);
	snprintf(m->fp, sizeof(m->fp), "%s", fp);
	m->json = qe_xstrdup(json);
}

/* The advice for fp (caller frees), from the memo or else the store. */
static char *memo_get(struct tail *t, const char *fp)
{
	struct advice_memo *m = memo_slot(t, fp);
	char *json = NULL;
	if (m->json && !strcmp(m->fp, fp))
		return qe_xstrdup(m->json);
	if (t->store && qe_store_advice_get(t->store, fp, t->model, QE_PROMPT_VERSION,
					    qe_wall_ms(), &json) == 1)
		memo_put(t, fp, json);
	return json;
}

/* How often a fingerprint another host is asking about is looked up again. */
#define FLEET_RECHECK_MS 5000
/* A rough upper bound of one event's tokens, for the fleet's daily budget. */
#define TOKENS_PER_EVENT_ESTIMATE 1500

static long fleet_lock_ttl(struct tail *t)
{
	/* long enough for the request with its retries, then it lapses */
	return t->cfg->timeout_ms * (t->cfg->retry_attempts + 1) + 10000;
}

static void memo_clear(struct tail *t)
{
	size_t i;
	for (i = 0; i < ADVICE_MEMO_SLOTS; i++) {
		free(t->memo[i].json);
		t->memo[i].json = NULL;
	}
}

static void on_event(struct qe_event *ev, void *data)
{
	struct src *s = data;
	struct tail *t = s->t;
	char *advice = NULL, *sample = NULL;
	int is_new = 0, due;
	enum qe_fp_state st;
	const char *advice_error = NULL;
	uint64_t now = qe_now_ms();
	int64_t wall = qe_wall_ms();

	qe_fingerprint(ev);
	t->events_total++;
	st = qe_queue_state(t->queue, ev->fingerprint);
	due = st == QE_FP_FAILED && qe_queue_retry_due(t->queue, ev->fingerprint, now);

	if (t->store && st == QE_FP_UNKNOWN) {
		/* First sight this run: is the group new, and its redacted
		 * sample (stored only for a new group).  Hot fingerprints skip
		 * both. */
		struct qe_group g;
		char *text = event_text(ev);
		int r = qe_store_group_get(t->store, ev->fingerprint, &g);
		if (r == 1)
			qe_group_release(&g);
		is_new = r == 0;
		sample = qe_redact_once(t->redactor, text, strlen(text));
		free(text);
	}
	if (t->store) {
		struct qe_event stored = *ev;
		if (sample) {
			/* A group keeps the message and template it was first
			 * seen with: store those redacted too, not just the
			 * sample.  The ring copies only the fields it needs. */
			stored.message =
			    qe_redact_once(t->redactor, ev->message, strlen(ev->message));
			stored.template = ev->template
					      ? qe_redact_once(t->redactor, ev->template,
							       strlen(ev->template))
					      : NULL;
		}
		t->dropped_total +=
		    (long long)qe_ring_push(t->ring, &stored, sample, wall);
		if (sample) {
			free(stored.message);
			free(stored.template);
		}
		if (qe_ring_high(t->ring) && now >= t->commit_retry_ms)
			commit(t);
		else
			ensure_txn(t);
	} else {
		free(sample);
	}

	if (t->fleet)
		qe_fleet_count_add(t->fleet, ev->fingerprint, 1);
	/* Cache lookup, once per fingerprint per run (again when a deferred
	 * fingerprint is due): the local cache, then the fleet's. */
	if ((st == QE_FP_UNKNOWN || due) && t->store && t->cfg->cache_limit > 0) {
		if (qe_store_advice_get(t->store, ev->fingerprint, t->model,
					QE_PROMPT_VERSION, wall, &advice) != 1 &&
		    t->fleet &&
		    qe_fleet_advice_get(t->fleet, ev->fingerprint, t->model,
					QE_PROMPT_VERSION, &advice) == 1) {
			/* another host asked already: keep a local copy */
			ensure_txn(t);
			if (qe_store_advice_put(t->store, ev->fingerprint, t->model,
						QE_PROMPT_VERSION, advice, 0, 0,
						t->cfg->cache_ttl, t->cfg->cache_limit,
						wall) < 0)
				qe_warn_msg("%s", qe_last_error());
		}
		if (advice) {
			qe_queue_set_cached(t->queue, ev->fingerprint);
			memo_put(t, ev->fingerprint, advice);
			t->cache_hits_total++;
			st = QE_FP_CACHED;
		}
	} else if (st == QE_FP_CACHED && t->json) {
		/* NDJSON readers get the advice on every event of a known group */
		advice = memo_get(t, ev->fingerprint);
	}
	qe_queue_set_seen(t->queue, ev->fingerprint);
	if (!qe_ai_configured(t->ai)) {
		advice_error = "no AI service configured";
	} else if (t->fleet && (st == QE_FP_UNKNOWN || st == QE_FP_SEEN || due) &&
		   qe_fleet_lock(t->fleet, ev->fingerprint, fleet_lock_ttl(t)) == 0) {
		/* another host is asking: look for its answer in a while */
		qe_queue_defer(t->queue, ev->fingerprint, now + FLEET_RECHECK_MS);
		advice_error = "another host is asking the AI service";
	} else if (st != QE_FP_CACHED) {
		struct qe_event *copy = ev;
		switch (qe_queue_push(t->queue, copy, now)) {
		case QE_PUSH_QUEUED:
			advice_error = "pending";
			ev = NULL; /* the queue owns it now */
			break;
		case QE_PUSH_PRESENT:
			advice_error =
			    qe_queue_state(t->queue, copy->fingerprint) == QE_FP_FAILED
				? "the AI service failed; retried later"
				: "pending";
			break;
		case QE_PUSH_FULL:
			advice_error = "queue full; retried when the error is seen again";
			break;
		}
		if (!ev) {
			/* print from the queued copy; it stays valid until taken */
			print_event(t, s, copy, is_new, NULL, advice_error);
			submit_batches(t, 0);
			free(advice);
			return;
		}
	}
	print_event(t, s, ev, is_new, advice, advice_error);
	free(advice);
	qe_event_free(ev);
}

/* ---- AI requests ---- */

static void on_advice(const char *fp, enum qe_ai_status st, const char *advice_json,
		      const char *error, long long tokens_prompt,
		      long long tokens_completion, void *data)
{
	struct tail *t = data;
	uint64_t retry_at = qe_now_ms() + 60000;
	if (t->fleet) {
		if (st == QE_AI_OK && advice_json) {
			if (qe_fleet_advice_put(t->fleet, fp, t->model, QE_PROMPT_VERSION,
						advice_json) < 0)
				qe_info_msg(t->ctx, "%s", qe_last_error());
			qe_fleet_budget_add(t->fleet, tokens_prompt + tokens_completion);
		}
		qe_fleet_unlock(t->fleet, fp);
	}
	if (st == QE_AI_OK && advice_json) {
		qe_queue_done(t->queue, fp, 1, 0);
		memo_put(t, fp, advice_json);
		if (t->store && t->cfg->cache_limit > 0) {
			ensure_txn(t);
			if (qe_store_advice_put(t->store, fp, t->model, QE_PROMPT_VERSION,
						advice_json, tokens_prompt,
						tokens_completion, t->cfg->cache_ttl,
						t->cfg->cache_limit, qe_wall_ms()) < 0)
				qe_warn_msg("%s", qe_last_error());
		}
		print_advice(t, fp, advice_json, 0);
		return;
	}
	if (st == QE_AI_CIRCUIT_OPEN)
		retry_at = qe_now_ms() + (uint64_t)t->cfg->breaker_open_ms;
	qe_queue_done(t->queue, fp, 0, retry_at);
	if (st == QE_AI_QUOTA)
		t->exit_code = QE_EXIT_AI_QUOTA;
	if (st != QE_AI_CANCELLED)
		qe_info_msg(t->ctx, "no advice for %s: %s", fp,
			    error ? error : qe_ai_status_name(st));
	if (t->json && st != QE_AI_CANCELLED) {
		json_t *o = json_object();
		json_object_set_new(o, "type", json_string("advice_error"));
		json_object_set_new(o, "fingerprint", json_string(fp));
		json_object_set_new(o, "status", json_string(qe_ai_status_name(st)));
		json_object_set_new(
		    o, "error", qe_report_string(error ? error : qe_ai_status_name(st)));
		qe_report_print_json(o);
		json_decref(o);
		output_ok(t);
	}
}

static void on_budget_spent(struct tail *t, const char *fp)
{
	static const char why[] = "the fleet's daily token budget is spent";
	qe_info_msg(t->ctx, "no advice for %s: %s", fp, why);
	if (t->json) {
		json_t *o = json_object();
		json_object_set_new(o, "type", json_string("advice_error"));
		json_object_set_new(o, "fingerprint", json_string(fp));
		json_object_set_new(o, "status", json_string("budget"));
		json_object_set_new(o, "error", json_string(why));
		qe_report_print_json(o);
		json_decref(o);
		output_ok(t);
	}
}

/* Send full batches now; a partial batch waits up to batch_wait_ms. */
static void submit_batches(struct tail *t, int force)
{
	size_t bs = t->cfg->batch_size > 0 ? (size_t)t->cfg->batch_size : 1;
	struct qe_event *batch[64];
	if (bs > QE_ARRAY_SIZE(batch))
		bs = QE_ARRAY_SIZE(batch);
	while (qe_queue_queued(t->queue) &&
	       (force || qe_queue_queued(t->queue) >= bs ||
		qe_now_ms() - qe_queue_oldest_ms(t->queue) >=
		    (uint64_t)t->cfg->batch_wait_ms) &&
	       qe_ai_in_flight(t->ai) < (size_t)t->cfg->concurrency) {
		size_t n = qe_queue_take(t->queue, batch, bs), i;
		if (t->fleet &&
		    qe_fleet_budget_take(t->fleet,
					 (long long)n * TOKENS_PER_EVENT_ESTIMATE) == 0) {
			/* the fleet's daily token budget is spent: try again later */
			for (i = 0; i < n; i++) {
				qe_fleet_unlock(t->fleet, batch[i]->fingerprint);
				qe_queue_done(t->queue, batch[i]->fingerprint, 0,
					      qe_now_ms() + 3600 * 1000);
				on_budget_spent(t, batch[i]->fingerprint);
				qe_event_free(batch[i]);
			}
			continue;
		}
		if (qe_ai_submit(t->ai, batch, n, on_advice, t) < 0) {
			for (i = 0; i < n; i++)
				qe_queue_done(t->queue, batch[i]->fingerprint, 0,
					      qe_now_ms() + 60000);
			qe_warn_msg("%s", qe_last_error());
		}
		for (i = 0; i < n; i++)
			qe_event_free(batch[i]);
	}
	if (qe_queue_queued(t->queue) &&
	    qe_ai_in_flight(t->ai) < (size_t)t->cfg->concurrency) {
		uint64_t age = qe_now_ms() - qe_queue_oldest_ms(t->queue);
		uint64_t wait = age >= (uint64_t)t->cfg->batch_wait_ms
				    ? 1
				    : (uint64_t)t->cfg->batch_wait_ms - age;
		qe_loop_timer_set(t->loop, t->batch_timer, wait, 0);
	}
	ai_timer_update(t);
}

static void on_batch_timer(struct qe_loop *loop, int id, void *data)
{
	submit_batches(data, 0);
}

static void on_ai_fd(struct qe_loop *loop, int fd, unsigned events, void *data)
{
	struct tail *t = data;
	int ev = 0;
	if (events & (QE_LOOP_READ | QE_LOOP_ERROR))
		ev |= QE_AI_WATCH_IN;
	if (events & QE_LOOP_WRITE)
		ev |= QE_AI_WATCH_OUT;
	qe_ai_on_socket(t->ai, fd, ev);
	submit_batches(t, 0);
}

static void ai_watch(int fd, int events, void *data)
{
	struct tail *t = data;
	unsigned le = 0;
	if (events & QE_AI_WATCH_IN)
		le |= QE_LOOP_READ;
	if (events & QE_AI_WATCH_OUT)
		le |= QE_LOOP_WRITE;
	if (!events) {
		qe_loop_fd_remove(t->loop, fd);
		return;
	}
	if (qe_loop_fd_modify(t->loop, fd, le) < 0)
		qe_loop_fd_add(t->loop, fd, le, on_ai_fd, t);
}

static void ai_timer_update(struct tail *t)
{
	long ms = qe_ai_timeout_ms(t->ai);
	if (ms < 0)
		qe_loop_timer_stop(t->loop, t->ai_timer);
	else
		qe_loop_timer_set(t->loop, t->ai_timer, ms ? (uint64_t)ms : 1, 0);
}

static void on_ai_timer(struct qe_loop *loop, int id, void *data)
{
	struct tail *t = data;
	qe_ai_on_timeout(t->ai);
	submit_batches(t, 0);
}

/* An idle agent still says it is alive, for `stats`: a write every 30 s. */
static void on_heartbeat_timer(struct qe_loop *loop, int id, void *data)
{
	commit(data);
}

static void on_metric_timer(struct qe_loop *loop, int id, void *data)
{
	struct tail *t = data;
	/* only while the queue is busy: an idle agent stays quiet */
	if (qe_queue_length(t->queue) || qe_queue_rejects(t->queue))
		fprintf(stderr, "qerrors: metrics queueLength=%zu queueRejects=%llu\n",
			qe_queue_length(t->queue),
			(unsigned long long)qe_queue_rejects(t->queue));
}

/* ---- files ---- */

static struct src *src_for(struct tail *t, struct qe_follow_file *f)
{
	struct src *s = f->user;
	if (s)
		return s;
	s = qe_xcalloc(1, sizeof(*s));
	s->t = t;
	s->file = f;
	s->done_pos = f->pos;
	s->as = qe_assembler_new(t->rules, (size_t)t->cfg->event_max_lines,
				 (size_t)t->cfg->event_max_bytes, on_event, s);
	s->next = t->srcs;
	t->srcs = s;
	f->user = s;
	return s;
}

static void src_flush(struct src *s)
{
	if (s->as)
		qe_assembler_flush(s->as);
}

static void on_line(struct qe_follow_file *f, const char *line, size_t len,
		    uint64_t start_pos, uint64_t end_pos, unsigned flags, void *data)
{
	struct tail *t = data;
	struct src *s = src_for(t, f);
	uint64_t pending;
	if (len && line[len - 1] == '\r')
		len--;
	qe_assembler_feed(s->as, line, len, start_pos, end_pos);
	s->done_pos = end_pos;
	if (qe_assembler_pending(s->as, &pending)) {
		s->last_line_ms = qe_now_ms();
		if (!t->once)
			qe_loop_timer_set(t->loop, t->idle_timer,
					  (uint64_t)t->cfg->idle_timeout_ms, 0);
	}
	if (!t->in_txn && t->store && !f->is_stdin)
		ensure_txn(t); /* positions move: commit them soon */
}

static void on_idle_timer(struct qe_loop *loop, int id, void *data)
{
	struct tail *t = data;
	struct src *s;
	uint64_t now = qe_now_ms(), pending, next = 0;
	for (s = t->srcs; s; s = s->next) {
		if (!s->as || !qe_assembler_pending(s->as, &pending))
			continue;
		if (now - s->last_line_ms >= (uint64_t)t->cfg->idle_timeout_ms) {
			src_flush(s);
		} else {
			uint64_t left =
			    (uint64_t)t->cfg->idle_timeout_ms - (now - s->last_line_ms);
			if (!next || left < next)
				next = left;
		}
	}
	if (next)
		qe_loop_timer_set(loop, t->idle_timer, next, 0);
}

static void src_free(struct src *s)
{
	qe_assembler_free(s->as);
	free(s);
}

static void on_follow_event(struct qe_follow_file *f, enum qe_follow_event ev,
			    const char *msg, void *data)
{
	struct tail *t = data;
	struct src *s = f->user;
	switch (ev) {
	case QE_FOLLOW_OPENED:
		qe_info_msg(t->ctx, "reading '%s' from byte %llu", f->path,
			    (unsigned long long)f->pos);
		/* state from the start, so the position is saved even before
		 * the first complete line */
		s = src_for(t, f);
		s->done_pos = f->pos;
		ensure_txn(t);
		break;
	case QE_FOLLOW_TRUNCATED:
		qe_info_msg(t->ctx, "'%s' was truncated; reading from the start",
			    f->path);
		if (s) {
			src_flush(s);
			s->done_pos = 0;
		}
		break;
	case QE_FOLLOW_ROTATED:
		qe_info_msg(t->ctx, "'%s' was rotated", f->path);
		if (s)
			src_flush(s);
		break;
	case QE_FOLLOW_REMOVED:
		qe_info_msg(t->ctx, "'%s' was removed", f->path);
		if (s)
			src_flush(s);
		break;
	case QE_FOLLOW_EOF:
	case QE_FOLLOW_CAUGHT_UP:
		if (s)
			src_flush(s);
		break;
	case QE_FOLLOW_CLOSED:
		/* the follower lets go of this file: forget our state for it */
		if (s) {
			struct src **pp;
			src_flush(s);
			/* its last position, for when it is seen again */
			ensure_txn(t);
			if (t->in_txn && save_offset(t, s) < 0)
				qe_warn_msg("%s", qe_last_error());
			for (pp = &t->srcs; *pp; pp = &(*pp)->next)
				if (*pp == s) {
					*pp = s->next;
					break;
				}
			src_free(s);
			f->user = NULL;
		}
		break;
	case QE_FOLLOW_ERROR:
		if (!t->ctx->quiet)
			qe_warn_msg("%s", msg ? msg : f->path);
		break;
	}
}

struct lookup_ctx {
	struct qe_follow_saved *out;
	size_t n, max;
};

static int lookup_row(const struct qe_offset *o, void *data)
{
	struct lookup_ctx *c = data;
	struct qe_follow_saved *sv = &c->out[c->n++];
	sv->dev = o->dev;
	sv->ino = o->ino;
	sv->head_hash = o->head_hash;
	sv->head_len = o->head_len;
	sv->offset = o->offset;
	return c->n >= c->max;
}

static int lookup_offset(const char *path, uint64_t dev, uint64_t ino,
			 struct qe_follow_saved *out, size_t max, void *data)
{
	struct tail *t = data;
	struct lookup_ctx c = {out, 0, max};
	if (!t->store || !max)
		return 0;
	if (qe_store_offset_find(t->store, path, dev, ino, lookup_row, &c) < 0)
		return -1;
	return (int)c.n;
}

/* ---- signals and lifecycle ---- */

static void print_counters(struct tail *t)
{
	struct qe_follow_counters fc;
	struct qe_ai_stats as;
	qe_follow_get_counters(t->follow, &fc);
	qe_ai_get_stats(t->ai, &as);
	fprintf(stderr,
		"qerrors: lines=%llu bytes=%llu truncated_lines=%llu events=%lld "
		"queue_length=%zu queue_rejects=%llu ai_requests=%lld ai_failures=%lld "
		"tokens_prompt=%lld tokens_completion=%lld breaker=%s\n",
		(unsigned long long)fc.lines, (unsigned long long)fc.bytes,
		(unsigned long long)fc.truncated_lines, t->events_total,
		qe_queue_length(t->queue), (unsigned long long)qe_queue_rejects(t->queue),
		as.requests, as.failures, as.tokens_prompt, as.tokens_completion,
		qe_ai_breaker_state(t->ai));
}

static int build_pipeline(struct tail *t, struct qe_config *cfg, struct qe_rules **rules,
			  struct qe_redactor **red, struct qe_ai **ai)
{
	*rules = qe_rules_new(cfg);
	if (!*rules)
		return -1;
	*red = qe_redactor_new(cfg);
	if (!*red) {
		qe_rules_free(*rules);
		return -1;
	}
	*ai = qe_ai_new(cfg, t->store);
	if (!*ai) {
		qe_redactor_free(*red);
		qe_rules_free(*rules);
		return -1;
	}
	return 0;
}

static void reload(struct tail *t)
{
	struct qe_config ncfg;
	struct qe_rules *rules;
	struct qe_redactor *red;
	struct qe_ai *ai;
	struct src *s;
	qe_config_init(&ncfg);
	if (qe_config_load(&ncfg, t->ctx->config_path) < 0 ||
	    build_pipeline(t, &ncfg, &rules, &red, &ai) < 0) {
		qe_warn_msg("configuration not reloaded: %s", qe_last_error());
		qe_config_release(&ncfg);
		return;
	}
	/* Close open events with the old rules, then swap.  Requests in
	 * flight are cancelled; their fingerprints are asked again when next
	 * seen.  Positions are untouched. */
	for (s = t->srcs; s; s = s->next) {
		src_flush(s);
		qe_assembler_free(s->as);
		s->as = NULL;
	}
	qe_ai_cancel_all(t->ai);
	commit(t);
	qe_ai_free(t->ai);
	qe_rules_free(t->rules);
	qe_redactor_free(t->redactor);
	if (ncfg.state_dir == NULL && t->cfg->state_dir)
		ncfg.state_dir = qe_xstrdup(t->cfg->state_dir);
	qe_config_release(t->cfg);
	*t->cfg = ncfg;
	t->rules = rules;
	t->redactor = red;
	t->ai = ai;
	t->model = qe_ai_model(ai);
	memo_clear(t); /* advice is per model */
	qe_ai_set_watch(t->ai, ai_watch, t);
	qe_queue_set_limit(t->queue, (size_t)t->cfg->queue_limit);
	qe_ring_set_limits(t->ring, (size_t)t->cfg->ring_events,
			   (size_t)t->cfg->ring_bytes);
	for (s = t->srcs; s; s = s->next)
		s->as = qe_assembler_new(t->rules, (size_t)t->cfg->event_max_lines,
					 (size_t)t->cfg->event_max_bytes, on_event, s);
	if (!t->ctx->quiet)
		fprintf(stderr, "qerrors: configuration reloaded\n");
}

static void on_signal(struct qe_loop *loop, int signo, void *data)
{
	struct tail *t = data;
	switch (signo) {
	case SIGINT:
	case SIGTERM:
		t->stopping = 1;
		qe_loop_stop(loop);
		break;
	case SIGHUP:
		reload(t);
		break;
	case SIGUSR1:
		print_counters(t);
		break;
	}
}

/* Wait for requests in flight, up to the shutdown deadline; the event
 * loop keeps running so answers are processed as they come. */
static void drain_ai(struct tail *t, uint64_t deadline)
{
	submit_batches(t, 1);
	while ((qe_ai_in_flight(t->ai) || qe_queue_queued(t->queue)) &&
	       qe_now_ms() < deadline && !t->output_closed) {
		long ms = qe_ai_timeout_ms(t->ai);
		uint64_t left = deadline - qe_now_ms();
		if (ms < 0 || (uint64_t)ms > left)
			ms = (long)left;
		qe_loop_run_once(t->loop, (int)(ms > 100 ? 100 : ms));
		qe_ai_on_timeout(t->ai);
		submit_batches(t, 1);
	}
	if (qe_ai_in_flight(t->ai))
		qe_ai_cancel_all(t->ai);
}

static char *absolute_path(const char *path)
{
	char *cwd;
	char *abs;
	if (!strcmp(path, "-") || path[0] == '/')
		return qe_xstrdup(path);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return qe_xstrdup(path);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	abs = qe_xasprintf("%s/%s", cwd, path);
	free(cwd);
	return abs;
}

int cmd_tail(int argc, char **argv, struct qe_ctx *ctx)
{
	int json = 0, once = 0, from_beginning = 0;
	const char *backend = NULL;
	const struct qe_option opts[] = {
	    QE_OPT_FLAG_('j', "json", &json, "NDJSON output: event and advice records"),
	    QE_OPT_FLAG_(0, "once", &once,
			 "read every source to its end, wait for advice, and exit"),
	    QE_OPT_FLAG_(0, "from-beginning", &from_beginning,
			 "read files without a saved position from the start"),
	    QE_OPT_CHOICE_(0, "backend", &backend, "auto|inotify|poll",
			   "how files are watched (default: tail.follow)"),
	    QE_OPT_END_,
	};
	struct tail t;
	struct qe_follow_conf fconf;
	char **args;
	int nargs, i, rc = QE_EXIT_OK;
	struct src *s;

	memset(&t, 0, sizeof(t));
	t.lock_fd = -1;
	nargs = qe_parse_options(argc, argv, opts, tail_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs == 0) {
		qe_die_msg("tail needs at least one FILE, GLOB or '-'");
		qe_usage(stderr, opts, tail_usage);
		return QE_EXIT_USAGE;
	}
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	t.ctx = ctx;
	t.cfg = &ctx->cfg;
	t.json = json;
	t.once = once;
	t.from_beginning = from_beginning;
	if (ctx->state_dir) {
		free(t.cfg->state_dir);
		t.cfg->state_dir = qe_xstrdup(ctx->state_dir);
	}
	if (!t.cfg->state_dir)
		t.cfg->state_dir = qe_store_default_dir();

	t.lock_fd = qe_store_lock(t.cfg->state_dir);
	if (t.lock_fd < 0) {
		qe_die_msg("%s", qe_last_error());
		return QE_EXIT_LOCKED;
	}
	t.store = qe_store_open(t.cfg->state_dir, 0);
	if (!t.store) {
		qe_die_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	if (build_pipeline(&t, t.cfg, &t.rules, &t.redactor, &t.ai) < 0) {
		qe_die_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}
	t.model = qe_ai_model(t.ai);
	if (qe_fleet_wanted(t.cfg)) {
		t.fleet = qe_fleet_new(t.cfg);
		if (!t.fleet) {
			qe_die_msg("%s", qe_last_error());
			rc = QE_EXIT_USAGE;
			goto out;
		}
		if (strcmp(qe_fleet_state(t.fleet), "connected"))
			qe_warn_msg(
			    "fleet cache at %s unavailable (%s); using the local cache "
			    "and catching up later",
			    qe_fleet_address(t.fleet), qe_fleet_last_error(t.fleet));
	}
	t.queue = qe_queue_new((size_t)t.cfg->queue_limit);
	t.ring = qe_ring_new((size_t)t.cfg->ring_events, (size_t)t.cfg->ring_bytes);
	t.loop = qe_loop_new();
	if (!t.loop) {
		qe_die_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	qe_ai_set_watch(t.ai, ai_watch, &t);
	t.commit_timer = qe_loop_timer_add(t.loop, 0, 0, on_commit_timer, &t);
	t.idle_timer = qe_loop_timer_add(t.loop, 0, 0, on_idle_timer, &t);
	t.batch_timer = qe_loop_timer_add(t.loop, 0, 0, on_batch_timer, &t);
	t.ai_timer = qe_loop_timer_add(t.loop, 0, 0, on_ai_timer, &t);
	t.collapse_timer = qe_loop_timer_add(t.loop, 0, 0, on_collapse_timer, &t);
	t.metric_timer = -1;
	if (t.commit_timer < 0 || t.idle_timer < 0 || t.batch_timer < 0 ||
	    t.ai_timer < 0 || t.collapse_timer < 0 ||
	    qe_loop_signals(t.loop, on_signal, &t) < 0) {
		qe_die_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	/* timers were created armed "as soon as possible": disarm */
	qe_loop_timer_stop(t.loop, t.commit_timer);
	qe_loop_timer_stop(t.loop, t.idle_timer);
	qe_loop_timer_stop(t.loop, t.batch_timer);
	qe_loop_timer_stop(t.loop, t.ai_timer);
	qe_loop_timer_stop(t.loop, t.collapse_timer);
	if (!once &&
	    qe_loop_timer_add(t.loop, 30000, 30000, on_heartbeat_timer, &t) < 0) {
		qe_die_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	if (t.cfg->metric_interval_ms > 0)
		t.metric_timer = qe_loop_timer_add(
		    t.loop, (uint64_t)t.cfg->metric_interval_ms,
		    (uint64_t)t.cfg->metric_interval_ms, on_metric_timer, &t);

	qe_follow_conf_init(&fconf);
	if (qe_follow_backend_parse(backend ? backend : t.cfg->follow_backend,
				    &fconf.backend) < 0) {
		qe_die_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}
	fconf.poll_interval_ms = t.cfg->poll_interval_ms;
	fconf.read_buffer_bytes = (size_t)t.cfg->read_buffer_bytes;
	fconf.max_line_bytes = (size_t)t.cfg->max_line_bytes;
	fconf.from_beginning = from_beginning;
	fconf.exclude = t.cfg->tail_exclude;
	fconf.nr_exclude = t.cfg->nr_tail_exclude;
	fconf.on_line = on_line;
	fconf.on_event = on_follow_event;
	fconf.lookup = lookup_offset;
	fconf.data = &t;
	t.follow = qe_follow_new(&fconf, t.loop);
	if (!t.follow) {
		qe_die_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	for (i = 0; i < nargs; i++) {
		/* Positions are saved by path: make it absolute (symbolic links
		 * kept as given), so a run from another directory finds them. */
		char *abs = absolute_path(args[i]);
		int r = qe_follow_add(t.follow, abs);
		free(abs);
		if (r < 0) {
			qe_die_msg("%s", qe_last_error());
			rc = QE_EXIT_USAGE;
			goto out;
		}
	}

	if (once) {
		if (qe_follow_read_once(t.follow) < 0) {
			qe_die_msg("%s", qe_last_error());
			rc = QE_EXIT_FAILURE;
		}
		for (s = t.srcs; s; s = s->next)
			src_flush(s);
	} else {
		if (qe_follow_start(t.follow) < 0) {
			qe_die_msg("%s", qe_last_error());
			rc = QE_EXIT_FAILURE;
			goto out;
		}
		while (!qe_loop_stopped(t.loop) && !t.output_closed) {
			qe_loop_run_once(t.loop, -1);
			if (qe_follow_done(t.follow))
				break;
		}
		/* A partial last line of a file is not delivered: its position
		 * is not committed, so the next run reads it whole. */
		for (s = t.srcs; s; s = s->next)
			src_flush(s);
	}
	commit(&t);
	drain_ai(&t, qe_now_ms() + (uint64_t)(once ? t.cfg->timeout_ms + 1000
						   : t.cfg->shutdown_timeout_ms));
	flush_collapsed(&t, 1);
	commit(&t);
	/* a clean exit: no agent runs on this state any more */
	qe_store_kv_put(t.store, "agent.pid", NULL);
	qe_store_kv_put(t.store, "agent.queue_length", NULL);
	if (rc == QE_EXIT_OK && t.exit_code)
		rc = t.exit_code;
	/* state not saved (a full disk): the next run reads those lines
	 * again, but cron must hear that this one did not finish its job */
	if (rc == QE_EXIT_OK && t.commit_failing)
		rc = QE_EXIT_FAILURE;

out:
	if (t.in_txn)
		commit(&t);
	qe_follow_free(t.follow);
	for (s = t.srcs; s;) {
		struct src *next = s->next;
		src_free(s);
		s = next;
	}
	while (t.shown) {
		struct shown *n = t.shown->next;
		free(t.shown->source);
		free(t.shown);
		t.shown = n;
	}
	qe_ai_free(t.ai);
	qe_fleet_free(t.fleet);
	qe_queue_free(t.queue);
	qe_ring_free(t.ring);
	memo_clear(&t);
	qe_loop_free(t.loop);
	qe_redactor_free(t.redactor);
	qe_rules_free(t.rules);
	qe_store_close(t.store);
	if (t.lock_fd >= 0)
		close(t.lock_fd);
	return rc;
}
