/*
 * agent: sources -> events -> state, cache and AI queue (see agent.h).
 */
#include "agent.h"

#include "agent_journal.h"
#include "batch.h"
#include "cache.h"
#include "config.h"
#include "decode.h"
#include "event.h"
#include "fingerprint.h"
#include "fleet.h"
#include "grouping.h"
#include "follow.h"
#include "loop.h"
#include "queue.h"
#include "redact.h"
#include "retention.h"
#include "ring.h"
#include "rules.h"
#include "source.h"
#include "statedir.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Cumulative counts of this run, as written to the store's counters. */
struct totals {
	long long lines, bytes, truncated, events, dropped, cache_hits, rejects;
	long long nul_bytes, utf16_bytes;
	long long parked, deferred, compressed;
	long long journal_entries;
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
    {"nul_bytes", offsetof(struct totals, nul_bytes)},
    {"utf16_bytes", offsetof(struct totals, utf16_bytes)},
    {"files_parked", offsetof(struct totals, parked)},
    {"file_opens_deferred", offsetof(struct totals, deferred)},
    {"files_skipped_compressed", offsetof(struct totals, compressed)},
    {"journal_entries", offsetof(struct totals, journal_entries)},
};

/* What a commit saved for a file, so an unchanged position is not
 * written again (with 1,000 quiet files that was 1,000 statements per
 * commit). */
struct saved_pos {
	uint64_t dev, ino, head_hash, head_len, offset, size;
	int64_t at; /* wall ms; 0 = never */
};

/* A source as added: its spec (absolute) and how its files are read,
 * with copies of the caller's strings. */
struct aspec {
	char *spec;
	int glob;
	struct qe_source_opts opts;
	char *format, **exclude, *fields[6];
};

/* One followed file (qe_follow_file.user). */
struct asrc {
	struct qe_agent *a;
	struct qe_follow_file *file;
	struct qe_source *src;
	int said_format;		 /* -v names the format once it is known */
	struct saved_pos saved, pending; /* committed; written in this txn */
	/* an event of this file is in the ring, or the follower said it
	 * moved on (opened, truncated, rotated): the next commit saves the
	 * position, whatever POSITION_DEFER_MS says */
	int save_due;
	struct asrc *next;
	struct asrc *idle_next; /* on a->idle_srcs: had a deadline when last seen */
	int idle_listed;
};

/* An unchanged position is still written this often, so that retention
 * (by the time a position was last written) never sees a followed file
 * as gone. */
#define OFFSET_REFRESH_MS (3600 * 1000)

/*
 * The position of a file none of whose lines made an event since it was
 * last saved waits up to this long, commits in between leave it out: with
 * 1,000 busy files that was 1,000 row updates a second.  Nothing is lost
 * by it: after a crash such a file is read again from its older position,
 * and those lines make no event (an event's file has its position saved
 * in the event's own commit).  Every commit but the periodic ones (a
 * stop, a reload) saves every position.
 */
#define POSITION_DEFER_MS 10000

/*
 * Groups seen this run: fingerprint -> occurrences known, so a repeat
 * costs one hash lookup and no database read.  Open addressing; when
 * three quarters full it is emptied and refilled from the store as
 * fingerprints come back (the bound on memory).
 */
#define KNOWN_SLOTS 65536
struct known {
	char fp[17]; /* "" = empty */
	long long count;
};

/* How often a running agent applies the retention policy. */
#define PRUNE_INTERVAL_MS (3600 * 1000)
/* An idle agent still says it is alive, for `stats`. */
#define HEARTBEAT_MS 30000

struct qe_agent {
	struct qe_config *cfg;
	struct qe_agent_opts opts;
	struct qe_agent_output out;

	struct qe_loop *loop;
	struct qe_follow *follow;
	struct qe_rules *rules;
	struct qe_redactor *redactor;
	struct qe_store *store;
	struct qe_ai *ai;
	struct qe_queue *queue;
	struct qe_ring *ring; /* events waiting for the next commit */
	struct qe_cache *cache;
	struct qe_batch *batch;
	struct qe_grouping *grouping; /* user grouping rules, learnt templates */
	struct asrc *srcs;
	/* the sources that may hold an open event, so that the idle timer
	 * looks at these and not at every file followed */
	struct asrc *idle_srcs;
	struct qe_ajournal *journal; /* journal: sources (agent_journal.c) */
	int lock_fd;

	int in_txn;
	uint64_t commit_retry_ms; /* after a failed commit, not before this */
	int commit_failing;	  /* commits fail (a full disk): said once */
	int commit_timer, idle_timer, metric_timer;
	uint64_t idle_at; /* when the idle timer fires; 0 = disarmed */
	int stopping;
	int interrupted; /* a --once read stopped early (SIGINT/SIGTERM) */
	int quota;
	long long files_opened, source_errors;
	size_t unmatched; /* specs with no file open after a --once read */
	/* as added: how their files are read, and for "waiting for" and
	 * "matched nothing" */
	struct aspec **specs;
	size_t nr_specs, alloc_specs;
	int config_sources; /* the specs are the configuration's sources: list */

	/* this run's own counts; the follower and the queue count the rest */
	long long events_total, dropped_total, cache_hits_total;
	struct totals committed; /* what the store's counters already hold */

	struct known *known;
	size_t nr_known;
};

const char *qe_agent_advice_name(enum qe_agent_advice adv)
{
	switch (adv) {
	case QE_ADVICE_KNOWN:
		return "known";
	case QE_ADVICE_PENDING:
		return "pending";
	case QE_ADVICE_NOT_CONFIGURED:
		return "not_configured";
	case QE_ADVICE_ELSEWHERE:
		return "asked_elsewhere";
	case QE_ADVICE_FAILED:
		return "failed";
	case QE_ADVICE_QUEUE_FULL:
		return "queue_full";
	case QE_ADVICE_KNOWN_NOT_SHOWN:
		return "known";
	}
	return "unknown";
}

static uint64_t now(const struct qe_agent *a)
{
	return a->opts.now_ms ? a->opts.now_ms() : qe_now_ms();
}

static int64_t wall(const struct qe_agent *a)
{
	return a->opts.wall_ms ? a->opts.wall_ms() : qe_wall_ms();
}

static void notice(struct qe_agent *a, enum qe_agent_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notice(struct qe_agent *a, enum qe_agent_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	if (!a->out.notice)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	a->out.notice(level, buf, a->out.data);
}

/* ---- groups seen this run ---- */

static struct known *known_find(struct qe_agent *a, const char *fp, int *fresh)
{
	size_t i = (size_t)qe_fnv1a(fp, strlen(fp)) & (KNOWN_SLOTS - 1);
	*fresh = 0;
	for (;; i = (i + 1) & (KNOWN_SLOTS - 1)) {
		struct known *k = &a->known[i];
		if (!k->fp[0]) {
			if (a->nr_known >= KNOWN_SLOTS / 4 * 3) {
				/* full: start over, the store has the counts */
				memset(a->known, 0, KNOWN_SLOTS * sizeof(*a->known));
				a->nr_known = 0;
				return known_find(a, fp, fresh);
			}
			snprintf(k->fp, sizeof(k->fp), "%s", fp);
			k->count = 0;
			a->nr_known++;
			*fresh = 1;
			return k;
		}
		if (!strcmp(k->fp, fp))
			return k;
	}
}

/* ---- commits ---- */

static void ensure_txn(struct qe_agent *a)
{
	if (a->in_txn)
		return;
	if (qe_store_begin(a->store) < 0) {
		notice(a, QE_AGENT_WARNING, "%s", qe_last_error());
		return;
	}
	a->in_txn = 1;
	if (!a->opts.once)
		qe_loop_timer_set(a->loop, a->commit_timer,
				  (uint64_t)a->cfg->commit_interval_ms, 0);
}

/* Saved for every file by its identity, rotated ones too (and files
 * whose descriptor is parked under the descriptor budget).  Unless `all`,
 * a position may wait (POSITION_DEFER_MS). */
static int save_offset(struct qe_agent *a, struct asrc *s, int all)
{
	struct qe_follow_file *f = s->file;
	struct qe_offset o;
	if (!f || f->is_stdin || (!f->dev && !f->ino))
		return 0;
	memset(&o, 0, sizeof(o));
	o.path = (char *)f->path;
	o.dev = f->dev;
	o.ino = f->ino;
	o.head_hash = f->head_hash;
	o.head_len = f->head_len;
	o.offset = qe_source_commit_pos(s->src);
	o.size = f->size;
	o.updated = wall(a);
	/* a clock set back counts as due */
	if (!all && !s->save_due && s->saved.at && s->saved.dev == o.dev &&
	    s->saved.ino == o.ino &&
	    (uint64_t)(o.updated - s->saved.at) < POSITION_DEFER_MS) {
		s->pending = s->saved;
		return 0;
	}
	if (s->saved.at && s->saved.dev == o.dev && s->saved.ino == o.ino &&
	    s->saved.head_hash == o.head_hash && s->saved.head_len == o.head_len &&
	    s->saved.offset == o.offset && s->saved.size == o.size &&
	    o.updated - s->saved.at < OFFSET_REFRESH_MS) {
		s->pending = s->saved;
		return 0;
	}
	s->pending.dev = o.dev;
	s->pending.ino = o.ino;
	s->pending.head_hash = o.head_hash;
	s->pending.head_len = o.head_len;
	s->pending.offset = o.offset;
	s->pending.size = o.size;
	s->pending.at = 0; /* until the commit holds */
	o.rotated = f->rotated;
	/* what auto chose, for stats ("auto" until the first lines decide) */
	if (strcmp(qe_source_format(s->src), "auto"))
		o.format = (char *)qe_source_format(s->src);
	if (qe_store_offset_put(a->store, &o) < 0)
		return -1;
	s->pending.at = o.updated;
	return 0;
}

static void totals_now(const struct qe_agent *a, struct totals *t)
{
	struct qe_follow_counters fc;
	memset(&fc, 0, sizeof(fc));
	if (a->follow)
		qe_follow_get_counters(a->follow, &fc);
	t->lines = (long long)fc.lines;
	t->bytes = (long long)fc.bytes;
	t->truncated = (long long)fc.truncated_lines;
	t->nul_bytes = (long long)fc.nul_bytes;
	t->utf16_bytes = (long long)fc.utf16_bytes;
	t->parked = (long long)fc.parked;
	t->deferred = (long long)fc.open_deferred;
	t->compressed = (long long)fc.compressed;
	if (a->journal) {
		struct qe_ajournal_counts jc;
		qe_ajournal_get_counts(a->journal, &jc);
		t->lines += jc.lines;
		t->bytes += jc.bytes;
		t->journal_entries = jc.entries;
	}
	t->events = a->events_total;
	t->dropped = a->dropped_total;
	t->cache_hits = a->cache_hits_total;
	t->rejects = (long long)qe_queue_rejects(a->queue);
}

/* Add what was counted since the last commit to the store's counters. */
static void add_counters(struct qe_agent *a, const struct totals *t)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(counter_names); i++) {
		long long v =
		    *(const long long *)((const char *)t + counter_names[i].off);
		long long c = *(const long long *)((const char *)&a->committed +
						   counter_names[i].off);
		if (v != c)
			qe_store_counter_add(a->store, counter_names[i].name, v - c);
	}
}

/*
 * Commit events, positions and counters together.  Events leave the ring
 * only once their transaction is committed: after a failure (a full disk)
 * they wait there for the next attempt, bounded by the ring's limits, and
 * the positions stay where they were, so nothing is lost even if the
 * agent stops before the disk recovers.  `all`: every position, none
 * left for later (see POSITION_DEFER_MS).
 */
static void commit_txn(struct qe_agent *a, int all)
{
	struct asrc *s;
	struct totals t;
	struct qe_store_agent_status as;
	long long not_recorded = 0; /* counted as dropped once the commit holds */
	size_t n = qe_ring_count(a->ring), i;
	struct qe_store_rec *recs;
	int rec_ret;
	ensure_txn(a);
	if (!a->in_txn)
		return;
	qe_cache_flush(a->cache); /* fleet counts and catch-up writes; cheap when down */
	/* every waiting entry in one batch: one write per fingerprint, not
	 * per entry */
	recs = qe_xcalloc(n ? n : 1, sizeof(*recs));
	for (i = 0; i < n; i++) {
		const struct qe_ring_entry *e = qe_ring_peek(a->ring, i);
		recs[i].ev = e->ev;
		recs[i].source = e->source;
		recs[i].sample = e->sample ? e->sample : "";
		recs[i].first_ms = e->first_ms;
		recs[i].now_ms = e->time_ms;
		recs[i].count = e->count;
	}
	rec_ret = qe_store_record_batch(a->store, recs, n);
	for (i = 0; i < n; i++)
		if (recs[i].failed)
			not_recorded += recs[i].count;
	free(recs);
	if (rec_ret < 0) {
		if (!qe_store_in_transaction(a->store))
			goto failed;
		notice(a, QE_AGENT_WARNING, "%lld event%s not recorded: %s", not_recorded,
		       not_recorded == 1 ? "" : "s", qe_last_error());
	}
	for (s = a->srcs; s; s = s->next)
		if (save_offset(a, s, all) < 0)
			notice(a, QE_AGENT_WARNING, "%s", qe_last_error());
	if (qe_ajournal_save(a->journal, wall(a)) < 0)
		notice(a, QE_AGENT_WARNING, "%s", qe_last_error());
	totals_now(a, &t);
	t.dropped += not_recorded;
	add_counters(a, &t);
	as.pid = (long)getpid();
	as.heartbeat_ms = wall(a);
	as.queue_length = (long long)qe_queue_length(a->queue);
	qe_store_agent_status_put(a->store, &as);
	/* templates learnt since the last commit, for a restart and the fleet */
	if (qe_grouping_save(a->grouping, a->store, qe_cache_fleet(a->cache)) < 0)
		notice(a, QE_AGENT_WARNING, "%s", qe_last_error());
	/* SQLite may have ended the transaction after an error: what was
	 * written since went out on its own, so do not count on it */
	if (!qe_store_in_transaction(a->store) || qe_store_commit(a->store) < 0)
		goto failed;
	while (n--) {
		struct qe_ring_entry done;
		if (qe_ring_pop(a->ring, &done))
			qe_ring_entry_release(&done);
	}
	for (s = a->srcs; s; s = s->next) {
		s->saved = s->pending;
		s->save_due = 0;
	}
	qe_ajournal_committed(a->journal);
	a->dropped_total += not_recorded;
	a->committed = t;
	if (a->commit_failing)
		notice(a, QE_AGENT_STATUS, "state database '%s' is writable again",
		       qe_store_path(a->store));
	a->commit_failing = 0;
	a->commit_retry_ms = 0;
	a->in_txn = 0;
	qe_loop_timer_stop(a->loop, a->commit_timer);
	return;
failed:
	/* once per outage, not once per retry */
	if (!a->commit_failing)
		notice(a, QE_AGENT_ERROR, "%s", qe_last_error());
	a->commit_failing = 1;
	qe_store_rollback(
	    a->store); /* a->committed stays: the counts are added next time */
	a->in_txn = 0;
	/* The events stay in the ring: try again after a commit interval,
	 * even if nothing new arrives, rather than on every event while the
	 * ring is high. */
	a->commit_retry_ms = now(a) + (uint64_t)a->cfg->commit_interval_ms;
	qe_loop_timer_set(a->loop, a->commit_timer, (uint64_t)a->cfg->commit_interval_ms,
			  0);
}

/* Everything: for a stop, a reload, retention. */
static void commit(struct qe_agent *a)
{
	commit_txn(a, 1);
}

/* The periodic commits: quiet files' positions may wait. */
static void on_commit_timer(struct qe_loop *loop, int id, void *data)
{
	commit_txn(data, 0);
}

/* ---- events ---- */

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

static char *redact(const struct qe_agent *a, const char *s)
{
	return s ? qe_redact_once(a->redactor, s, strlen(s)) : NULL;
}

/* Into the ring, for the next commit.  A new group's message, template
 * and sample are stored redacted (they are what reports show); the
 * template is made again from the redacted message, so nothing the
 * redactor removes survives in it. */
static void record(struct qe_agent *a, struct qe_event *ev, const char *source,
		   int is_new, int64_t wnow)
{
	struct qe_event stored = *ev;
	char *sample = NULL;
	if (is_new) {
		char *text = event_text(ev);
		sample = qe_redact_once(a->redactor, text, strlen(text));
		free(text);
		stored.message = redact(a, ev->message);
		stored.template = redact(a, ev->template);
	}
	a->dropped_total +=
	    (long long)qe_ring_push(a->ring, &stored, source, sample, wnow);
	if (is_new) {
		free(stored.message);
		free(stored.template);
	}
	if (qe_ring_high(a->ring) && now(a) >= a->commit_retry_ms)
		commit_txn(a, 0);
	else
		ensure_txn(a);
}

/* Look the advice up (once per fingerprint per run, again when a
 * deferred one is due), and queue what is not known. */
static void advise(struct qe_agent *a, struct qe_event **evp, struct qe_agent_event *rep,
		   char **advice, int64_t wnow)
{
	struct qe_event *ev = *evp;
	enum qe_fp_state st = qe_queue_state(a->queue, ev->fingerprint);
	int due =
	    st == QE_FP_FAILED && qe_queue_retry_due(a->queue, ev->fingerprint, now(a));

	if (st == QE_FP_UNKNOWN || due) {
		if (qe_cache_lookup(a->cache, ev->fingerprint, wnow, advice) !=
		    QE_CACHE_MISS) {
			qe_queue_set_cached(a->queue, ev->fingerprint);
			a->cache_hits_total++;
			rep->advice = QE_ADVICE_KNOWN;
			return;
		}
	} else if (st == QE_FP_CACHED) {
		rep->advice = QE_ADVICE_KNOWN_NOT_SHOWN;
		if (a->opts.advice_on_repeat) {
			*advice = qe_cache_recent(a->cache, ev->fingerprint, wnow);
			if (*advice)
				rep->advice = QE_ADVICE_KNOWN;
		}
		return;
	}
	qe_queue_set_seen(a->queue, ev->fingerprint);
	if (!qe_ai_configured(a->ai)) {
		rep->advice = QE_ADVICE_NOT_CONFIGURED;
		rep->advice_note = "no AI service configured";
		return;
	}
	if ((st == QE_FP_UNKNOWN || st == QE_FP_SEEN || due) &&
	    !qe_cache_claim(a->cache, ev->fingerprint)) {
		/* another host is asking: look for its answer in a while */
		qe_queue_defer(a->queue, ev->fingerprint,
			       now(a) + QE_CACHE_CLAIM_RECHECK_MS);
		rep->advice = QE_ADVICE_ELSEWHERE;
		rep->advice_note = "another host is asking the AI service";
		return;
	}
	switch (qe_queue_push(a->queue, ev, now(a))) {
	case QE_PUSH_QUEUED:
		rep->advice = QE_ADVICE_PENDING;
		rep->advice_note = "asked; the advice follows";
		*evp = NULL; /* the queue owns it now; valid until taken */
		break;
	case QE_PUSH_PRESENT:
		if (qe_queue_state(a->queue, ev->fingerprint) == QE_FP_FAILED) {
			rep->advice = QE_ADVICE_FAILED;
			rep->advice_note = "the AI service failed; asked again later";
		} else {
			rep->advice = QE_ADVICE_PENDING;
			rep->advice_note = "asked; the advice follows";
		}
		break;
	case QE_PUSH_FULL:
		rep->advice = QE_ADVICE_QUEUE_FULL;
		rep->advice_note = "queue full; asked when the error is seen again";
		qe_cache_release(a->cache, ev->fingerprint);
		break;
	}
}

/* An event of any source: fingerprint, record, advice, report.  source
 * is the name reported; fp_source what grouping rules see (NULL: none). */
static void handle_event(struct qe_agent *a, struct qe_event *ev, const char *source,
			 const char *fp_source, const struct qe_k8s *k8s)
{
	struct qe_agent_event rep;
	struct qe_event *own = ev;
	struct known *k;
	char *advice = NULL;
	int fresh;
	int64_t wnow = wall(a);

	qe_fingerprint_with(ev, a->grouping, fp_source, NULL);
	a->events_total++;
	memset(&rep, 0, sizeof(rep));
	rep.ev = ev;
	rep.source = source;
	rep.k8s = k8s;
	/* the log's own time where it has one, so last year's errors read
	 * with --from-beginning are not new today; a time in the future
	 * (a wrong clock, a misread date) is not believed */
	rep.time_ms =
	    ev->time_ms > 0 && ev->time_ms <= wnow + 86400000 ? ev->time_ms : wnow;

	k = known_find(a, ev->fingerprint, &fresh);
	if (fresh) {
		/* first sight this run: is the group new, and how often was
		 * it seen before?  Hot fingerprints skip this. */
		struct qe_group g;
		int r = qe_store_group_get(a->store, ev->fingerprint, &g);
		if (r == 1) {
			k->count = g.count;
			qe_group_release(&g);
		}
		rep.is_new = r == 0;
	}
	k->count++;
	rep.count = k->count;
	record(a, ev, rep.source, rep.is_new, rep.time_ms);
	qe_cache_count(a->cache, ev->fingerprint, 1);
	advise(a, &own, &rep, &advice, wnow);
	rep.advice_json = advice;
	if (a->out.event)
		a->out.event(&rep, a->out.data);
	free(advice);
	if (own)
		qe_event_free(own);
	else
		qe_batch_kick(a->batch, 0);
}

static void on_event(struct qe_source *src, struct qe_event *ev, void *data)
{
	struct asrc *s = data;
	s->save_due = 1; /* its position goes into the event's commit */
	handle_event(s->a, ev, s->file->path, s->file->is_stdin ? NULL : s->file->path,
		     qe_source_k8s(s->src));
}

/* ---- journal sources (agent_journal.c) ---- */

static void on_journal_event(struct qe_event *ev, const char *name, void *data)
{
	handle_event(data, ev, name, name, NULL);
}

static void on_journal_moved(void *data)
{
	ensure_txn(data); /* cursors move: commit them soon */
}

static void idle_arm(struct qe_agent *a, uint64_t deadline);

static void on_journal_deadline(uint64_t at_ms, void *data)
{
	struct qe_agent *a = data;
	if (!a->opts.once)
		idle_arm(a, at_ms);
}

static void on_journal_notice(enum qe_agent_level level, const char *msg, void *data)
{
	notice(data, level, "%s", msg);
}

static uint64_t journal_now(void *data)
{
	return now(data);
}

static int on_interrupted(void *data);

static struct qe_ajournal *journal_new(struct qe_agent *a)
{
	struct qe_ajournal_conf jc;
	memset(&jc, 0, sizeof(jc));
	jc.cfg = a->cfg;
	jc.rules = a->rules;
	jc.store = a->store;
	jc.loop = a->loop;
	jc.once = a->opts.once;
	jc.from_beginning = a->opts.from_beginning;
	jc.now_ms = journal_now;
	jc.on_event = on_journal_event;
	jc.on_moved = on_journal_moved;
	jc.on_deadline = on_journal_deadline;
	jc.on_notice = on_journal_notice;
	jc.interrupted = on_interrupted;
	jc.data = a;
	return qe_ajournal_new(&jc);
}

/* ---- answers ---- */

static void on_result(const struct qe_batch_result *r, void *data)
{
	struct qe_agent *a = data;
	/* `advice FP` says what the last attempt met, until one succeeds */
	ensure_txn(a);
	if (r->advice_json)
		qe_store_advice_failure_clear(a->store, r->fingerprint);
	else if (r->status != QE_AI_CANCELLED &&
		 qe_store_advice_failure_put(
		     a->store, r->fingerprint, qe_ai_model(a->ai),
		     r->budget_spent ? "budget" : qe_ai_status_name(r->status), r->error,
		     wall(a)) < 0)
		notice(a, QE_AGENT_WARNING, "%s", qe_last_error());
	if (r->advice_json) {
		if (r->error)
			notice(a, QE_AGENT_WARNING, "%s", r->error);
		if (a->out.advice)
			a->out.advice(r->fingerprint, r->advice_json, 0, a->out.data);
		return;
	}
	if (r->status == QE_AI_QUOTA && !r->budget_spent)
		a->quota = 1;
	if (r->status == QE_AI_CANCELLED)
		return;
	notice(a, QE_AGENT_VERBOSE, "no advice for %s: %s", r->fingerprint,
	       r->error ? r->error : qe_ai_status_name(r->status));
	if (a->out.advice_error)
		a->out.advice_error(r, a->out.data);
}

/* ---- files ---- */

/*
 * The source a file belongs to: the first spec that names it, or whose
 * glob matches it without its own exclusions leaving it out; NULL when
 * none does.  With `excluded`, *excluded says whether a glob matching it
 * left it out.
 */
static const struct aspec *spec_for(const struct qe_agent *a, const char *path,
				    int is_stdin, int *excluded)
{
	size_t i;
	if (excluded)
		*excluded = 0;
	for (i = 0; i < a->nr_specs; i++) {
		const struct aspec *sp = a->specs[i];
		if (is_stdin || !strcmp(sp->spec, "-")) {
			if (is_stdin && !strcmp(sp->spec, "-"))
				return sp;
			continue;
		}
		if (!sp->glob) {
			if (!strcmp(sp->spec, path))
				return sp;
			continue;
		}
		if (fnmatch(sp->spec, path, FNM_PATHNAME))
			continue;
		if (!qe_follow_excluded(sp->opts.exclude, sp->opts.nr_exclude, path))
			return sp;
		if (excluded)
			*excluded = 1;
	}
	return NULL;
}

/* The follower asks before reading a new glob match: tail.exclude as the
 * configuration says now (a reload may change it), then the exclusions
 * of the sources whose globs match it. */
static int accept_path(const char *path, void *data)
{
	struct qe_agent *a = data;
	int excluded;
	if (qe_follow_excluded(a->cfg->tail_exclude, a->cfg->nr_tail_exclude, path))
		return 0;
	return spec_for(a, path, 0, &excluded) || !excluded;
}

static struct asrc *src_for(struct qe_agent *a, struct qe_follow_file *f)
{
	struct asrc *s = f->user;
	struct qe_source_conf sc;
	const struct aspec *sp;
	if (s)
		return s;
	s = qe_xcalloc(1, sizeof(*s));
	s->a = a;
	s->file = f;
	qe_source_conf_from_config(&sc, a->cfg, a->rules);
	sc.path = f->is_stdin ? NULL : f->path;
	sp = spec_for(a, f->path, f->is_stdin, NULL);
	sc.opts = sp ? &sp->opts : NULL;
	sc.on_event = on_event;
	sc.data = s;
	s->src = qe_source_new(&sc, f->pos);
	if (!s->src) {
		/* cannot happen with a loaded configuration; read it as text */
		notice(a, QE_AGENT_WARNING, "%s", qe_last_error());
		sc.flags |= QE_SOURCE_RAW;
		s->src = qe_source_new(&sc, f->pos);
	}
	s->next = a->srcs;
	a->srcs = s;
	f->user = s;
	return s;
}

static void src_free(struct asrc *s)
{
	qe_source_free(s->src);
	free(s);
}

/* Arm the idle timer for the earliest deadline of any source, so a quiet
 * file's open event closes on time whatever the other files do. */
static void idle_arm(struct qe_agent *a, uint64_t deadline)
{
	uint64_t t = now(a);
	if (!deadline || (a->idle_at && a->idle_at <= deadline))
		return;
	a->idle_at = deadline;
	qe_loop_timer_set(a->loop, a->idle_timer, deadline > t ? deadline - t : 1, 0);
}

static void on_idle_timer(struct qe_loop *loop, int id, void *data)
{
	struct qe_agent *a = data;
	struct asrc *s, **pp;
	uint64_t t = now(a), next = 0, d;
	a->idle_at = 0;
	for (pp = &a->idle_srcs; (s = *pp);) {
		qe_source_check_idle(s->src, t);
		d = qe_source_deadline(s->src);
		if (!d) {
			*pp = s->idle_next;
			s->idle_listed = 0;
			continue;
		}
		if (!next || d < next)
			next = d;
		pp = &s->idle_next;
	}
	d = qe_ajournal_check_idle(a->journal, t);
	if (d && (!next || d < next))
		next = d;
	idle_arm(a, next);
}

static void on_line(struct qe_follow_file *f, const char *line, size_t len,
		    uint64_t start, uint64_t end, unsigned flags, void *data)
{
	struct qe_agent *a = data;
	struct asrc *s = src_for(a, f);
	/* The time of a line only sets the idle deadline of the event it
	 * leaves open, and a --once run arms no idle timer (what is open
	 * at the end is flushed): no clock read for each of its lines. */
	qe_source_feed(s->src, line, len, start, end, flags, a->opts.once ? 0 : now(a));
	if (!s->said_format && strcmp(qe_source_format(s->src), "auto")) {
		s->said_format = 1;
		notice(a, QE_AGENT_VERBOSE, "'%s': format %s", f->path,
		       qe_source_format(s->src));
	}
	if (!a->opts.once) {
		uint64_t d = qe_source_deadline(s->src);
		if (d && !s->idle_listed) {
			s->idle_listed = 1;
			s->idle_next = a->idle_srcs;
			a->idle_srcs = s;
		}
		idle_arm(a, d);
	}
	if (!a->in_txn && !f->is_stdin)
		ensure_txn(a); /* positions move: commit them soon */
}

/* Lines that cannot start an event, while none is open, are passed
 * over whole (a catch-up scan costs what reading costs). */
static size_t on_skip(struct qe_follow_file *f, const char *p, size_t n, uint64_t pos,
		      void *data)
{
	struct qe_agent *a = data;
	struct asrc *s = src_for(a, f);
	size_t k = qe_source_skip(s->src, p, n, pos);
	if (k && !a->in_txn && !f->is_stdin)
		ensure_txn(a); /* positions move: commit them soon */
	return k;
}

/* A long catch-up read (--once) stops at SIGINT/SIGTERM, between two
 * reads: what was read is committed, the rest is read by the next run. */
static int on_interrupted(void *data)
{
	struct qe_agent *a = data;
	/* Following, reads are bounded per round and the loop sees signals
	 * between rounds; only a catch-up run asks the kernel (a system
	 * call per read). */
	if (a->stopping || (a->opts.once && qe_loop_stop_pending(a->loop)))
		a->interrupted = 1;
	return a->interrupted;
}

/* A rotated file we still hold open that no name leads to any more. */
static int deleted_file(const struct qe_follow_file *f)
{
	struct stat st;
	return f->rotated && !f->is_stdin && f->fd >= 0 && fstat(f->fd, &st) == 0 &&
	       st.st_nlink == 0;
}

static void forget_src(struct qe_agent *a, struct asrc *s)
{
	struct asrc **pp;
	/* after an interrupted --once the open event is left for the next
	 * run, which reads it whole from the saved position */
	if (!a->interrupted)
		qe_source_flush(s->src);
	/* its last position, for when it is seen again (under a new name);
	 * an old file that was deleted is never seen again: its row goes */
	ensure_txn(a);
	if (a->in_txn &&
	    (deleted_file(s->file)
		 ? qe_store_offset_forget(a->store, s->file->dev, s->file->ino)
		 : save_offset(a, s, 1)) < 0)
		notice(a, QE_AGENT_WARNING, "%s", qe_last_error());
	for (pp = &a->srcs; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	for (pp = &a->idle_srcs; s->idle_listed && *pp; pp = &(*pp)->idle_next)
		if (*pp == s) {
			*pp = s->idle_next;
			break;
		}
	s->file->user = NULL;
	src_free(s);
}

static void on_follow_event(struct qe_follow_file *f, enum qe_follow_event ev,
			    const char *msg, void *data)
{
	struct qe_agent *a = data;
	struct asrc *s = f->user;
	if (s && ev != QE_FOLLOW_ERROR)
		s->save_due = 1; /* where it stands now matters at a restart */
	switch (ev) {
	case QE_FOLLOW_OPENED:
		a->files_opened++;
		notice(a, QE_AGENT_VERBOSE, "reading '%s' from byte %llu", f->path,
		       (unsigned long long)f->pos);
		/* state from the start, so the position is saved even before
		 * the first complete line */
		s = src_for(a, f);
		qe_source_reset(s->src, f->pos);
		ensure_txn(a);
		break;
	case QE_FOLLOW_TRUNCATED:
		notice(a, QE_AGENT_VERBOSE, "'%s' was truncated; reading from the start",
		       f->path);
		if (s)
			qe_source_reset(s->src, 0);
		break;
	case QE_FOLLOW_ROTATED:
		notice(a, QE_AGENT_VERBOSE, "'%s' was rotated", f->path);
		if (s)
			qe_source_flush(s->src);
		break;
	case QE_FOLLOW_REMOVED:
		notice(a, QE_AGENT_VERBOSE, "'%s' was removed", f->path);
		if (s)
			qe_source_flush(s->src);
		break;
	case QE_FOLLOW_EOF:
	case QE_FOLLOW_CAUGHT_UP:
		/* the end, or an old file read up before its new one goes on */
		if (s)
			qe_source_flush(s->src);
		break;
	case QE_FOLLOW_CLOSED:
		/* the follower lets go of this file: forget our state for it */
		if (s)
			forget_src(a, s);
		break;
	case QE_FOLLOW_ERROR:
		a->source_errors++;
		notice(a, QE_AGENT_WARNING, "%s", msg ? msg : f->path);
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

/* Saved positions for a file: its own identity's first, then those
 * last read under its path.  How many were filled, or -1. */
static int lookup_offset(const char *path, uint64_t dev, uint64_t ino,
			 struct qe_follow_saved *out, size_t max, void *data)
{
	struct qe_agent *a = data;
	struct lookup_ctx c = {out, 0, max};
	if (!max)
		return 0;
	if (qe_store_offset_find(a->store, path, dev, ino, lookup_row, &c) < 0)
		return -1;
	return (int)c.n;
}

/* ---- timers ---- */

static void on_heartbeat_timer(struct qe_loop *loop, int id, void *data)
{
	commit_txn(data, 0);
}

static void on_metric_timer(struct qe_loop *loop, int id, void *data)
{
	struct qe_agent *a = data;
	/* only while the queue is busy: an idle agent stays quiet */
	if (qe_queue_length(a->queue) || qe_queue_rejects(a->queue))
		notice(a, QE_AGENT_STATUS, "metrics queueLength=%zu queueRejects=%llu",
		       qe_queue_length(a->queue),
		       (unsigned long long)qe_queue_rejects(a->queue));
}

static void on_prune_timer(struct qe_loop *loop, int id, void *data)
{
	struct qe_agent *a = data;
	if (qe_agent_prune(a) < 0)
		notice(a, QE_AGENT_WARNING, "%s", qe_last_error());
}

/* ---- lifecycle ---- */

struct pipeline {
	struct qe_rules *rules;
	struct qe_redactor *redactor;
	struct qe_ai *ai;
};

static int pipeline_build(struct qe_agent *a, struct qe_config *cfg, struct pipeline *p)
{
	memset(p, 0, sizeof(*p));
	p->rules = qe_rules_new(cfg);
	if (!p->rules)
		goto fail;
	p->redactor = qe_redactor_new(cfg);
	if (!p->redactor)
		goto fail;
	p->ai = qe_ai_new_shared(cfg, a->store, p->redactor); /* one compiled rule set */
	if (!p->ai)
		goto fail;
	return 0;
fail:
	qe_redactor_free(p->redactor);
	qe_rules_free(p->rules);
	memset(p, 0, sizeof(*p));
	return -1;
}

static void batch_conf(struct qe_agent *a, struct qe_batch_conf *bc)
{
	qe_batch_conf_from_config(bc, a->cfg);
	bc->on_result = on_result;
	bc->data = a;
	bc->now_ms = a->opts.now_ms;
}

struct qe_agent *qe_agent_new(struct qe_config *cfg, const struct qe_agent_opts *opts,
			      const struct qe_agent_output *out,
			      enum qe_agent_failure *why)
{
	struct qe_agent *a = qe_xcalloc(1, sizeof(*a));
	struct qe_follow_conf fconf;
	struct qe_batch_conf bc;
	struct pipeline p;
	*why = QE_AGENT_FAIL_RUNTIME;
	a->cfg = cfg;
	a->opts = *opts;
	if (out)
		a->out = *out;
	a->lock_fd = -1;
	a->commit_timer = a->idle_timer = a->metric_timer = -1;
	a->known = qe_xcalloc(KNOWN_SLOTS, sizeof(*a->known));

	if (!cfg->state_dir && !(cfg->state_dir = qe_statedir_default())) {
		*why = QE_AGENT_FAIL_STATE;
		goto fail;
	}
	a->lock_fd = qe_statedir_lock(cfg->state_dir);
	if (a->lock_fd < 0) {
		/* locked by another agent, or a directory that cannot be used */
		*why = a->lock_fd == QE_STATEDIR_BUSY ? QE_AGENT_FAIL_LOCKED
						      : QE_AGENT_FAIL_STATE;
		a->lock_fd = -1;
		goto fail;
	}
	a->store = qe_store_open(cfg->state_dir, 0);
	if (!a->store) {
		*why = QE_AGENT_FAIL_STATE;
		goto fail;
	}
	if (pipeline_build(a, cfg, &p) < 0) {
		*why = QE_AGENT_FAIL_CONFIG;
		goto fail;
	}
	a->rules = p.rules;
	a->redactor = p.redactor;
	a->ai = p.ai;
	a->cache = qe_cache_new(cfg, a->store, qe_ai_model(a->ai), a->redactor);
	if (!a->cache) {
		*why = QE_AGENT_FAIL_CONFIG;
		goto fail;
	}
	if (qe_cache_fleet(a->cache) &&
	    strcmp(qe_fleet_state(qe_cache_fleet(a->cache)), "connected"))
		notice(a, QE_AGENT_WARNING,
		       "fleet cache at %s unavailable (%s); using the local cache and "
		       "catching up later",
		       qe_fleet_address(qe_cache_fleet(a->cache)),
		       qe_fleet_last_error(qe_cache_fleet(a->cache)));
	/* group the way the last run (and the fleet) did */
	a->grouping = qe_grouping_new(cfg);
	if (!a->grouping ||
	    qe_grouping_load(a->grouping, a->store, qe_cache_fleet(a->cache)) < 0) {
		*why = QE_AGENT_FAIL_CONFIG;
		goto fail;
	}
	a->queue = qe_queue_new((size_t)cfg->queue_limit);
	a->ring = qe_ring_new((size_t)cfg->ring_events, (size_t)cfg->ring_bytes);
	a->loop = qe_loop_new();
	if (!a->loop)
		goto fail;
	batch_conf(a, &bc);
	a->batch = qe_batch_new(&bc, a->ai, a->queue, a->cache, a->loop);
	a->commit_timer = qe_loop_timer_add(a->loop, 0, 0, on_commit_timer, a);
	a->idle_timer = qe_loop_timer_add(a->loop, 0, 0, on_idle_timer, a);
	if (!a->batch || a->commit_timer < 0 || a->idle_timer < 0)
		goto fail;
	/* timers are created armed "as soon as possible": disarm */
	qe_loop_timer_stop(a->loop, a->commit_timer);
	qe_loop_timer_stop(a->loop, a->idle_timer);
	if (!opts->once) {
		if (qe_loop_timer_add(a->loop, HEARTBEAT_MS, HEARTBEAT_MS,
				      on_heartbeat_timer, a) < 0 ||
		    qe_loop_timer_add(a->loop, PRUNE_INTERVAL_MS, PRUNE_INTERVAL_MS,
				      on_prune_timer, a) < 0)
			goto fail;
		if (cfg->metric_interval_ms > 0 &&
		    (a->metric_timer = qe_loop_timer_add(
			 a->loop, (uint64_t)cfg->metric_interval_ms,
			 (uint64_t)cfg->metric_interval_ms, on_metric_timer, a)) < 0)
			goto fail;
	}

	qe_follow_conf_init(&fconf);
	if (qe_follow_backend_parse(opts->backend ? opts->backend : cfg->follow_backend,
				    &fconf.backend) < 0) {
		*why = QE_AGENT_FAIL_CONFIG;
		goto fail;
	}
	fconf.poll_interval_ms = cfg->poll_interval_ms;
	fconf.read_buffer_bytes = (size_t)cfg->read_buffer_bytes;
	fconf.max_line_bytes = (size_t)cfg->max_line_bytes;
	fconf.from_beginning = opts->from_beginning;
	fconf.on_line = on_line;
	fconf.on_event = on_follow_event;
	fconf.lookup = lookup_offset;
	/* tail.exclude is applied by accept_path(), from the configuration
	 * in effect (a reload replaces the lists) */
	fconf.accept = accept_path;
	fconf.skip = on_skip;
	fconf.interrupted = on_interrupted;
	fconf.data = a;
	a->follow = qe_follow_new(&fconf, a->loop);
	if (!a->follow)
		goto fail;
	a->journal = journal_new(a);
	/* a long-running agent prunes hourly; a cron run once at its start */
	if (qe_agent_prune(a) < 0)
		notice(a, QE_AGENT_WARNING, "%s", qe_last_error());
	return a;
fail : {
	/* keep the message across the cleanup */
	char *msg = qe_xstrdup(qe_last_error());
	qe_agent_free(a);
	qe_error("%s", msg);
	free(msg);
}
	return NULL;
}

static char *absolute_path(const char *path)
{
	char *cwd, *abs;
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

static char *dup_or_null(const char *s)
{
	return s ? qe_xstrdup(s) : NULL;
}

static struct aspec *aspec_new(char *abs, const struct qe_source_opts *o)
{
	struct aspec *sp = qe_xcalloc(1, sizeof(*sp));
	size_t i;
	sp->spec = abs;
	sp->glob = strpbrk(abs, "*?[") != NULL;
	if (!o)
		return sp;
	sp->opts.format = sp->format = dup_or_null(o->format);
	if (o->nr_exclude) {
		sp->exclude = qe_xcalloc(o->nr_exclude, sizeof(*sp->exclude));
		for (i = 0; i < o->nr_exclude; i++)
			sp->exclude[i] = qe_xstrdup(o->exclude[i]);
		sp->opts.exclude = sp->exclude;
		sp->opts.nr_exclude = o->nr_exclude;
	}
	sp->opts.fields.level = sp->fields[0] = dup_or_null(o->fields.level);
	sp->opts.fields.message = sp->fields[1] = dup_or_null(o->fields.message);
	sp->opts.fields.logger = sp->fields[2] = dup_or_null(o->fields.logger);
	sp->opts.fields.time = sp->fields[3] = dup_or_null(o->fields.time);
	sp->opts.fields.exception = sp->fields[4] = dup_or_null(o->fields.exception);
	sp->opts.fields.error_type = sp->fields[5] = dup_or_null(o->fields.error_type);
	return sp;
}

static void aspec_free(struct aspec *sp)
{
	size_t i;
	if (!sp)
		return;
	free(sp->spec);
	free(sp->format);
	for (i = 0; i < sp->opts.nr_exclude; i++)
		free(sp->exclude[i]);
	free(sp->exclude);
	for (i = 0; i < QE_ARRAY_SIZE(sp->fields); i++)
		free(sp->fields[i]);
	free(sp);
}

int qe_agent_add_source(struct qe_agent *a, const char *spec,
			const struct qe_source_opts *o)
{
	enum qe_format fmt;
	char *abs;
	/* a bad format is the caller's mistake: say so now, not per file */
	if (o && o->format && qe_format_parse(o->format, &fmt) < 0)
		return -1;
	if (qe_ajournal_is_spec(spec))
		return qe_ajournal_add(a->journal, spec);
	/* Positions are saved by path: make it absolute (symbolic links kept
	 * as given), so a run from another directory finds them. */
	abs = absolute_path(spec);
	if (qe_follow_add(a->follow, abs) < 0) {
		free(abs);
		return -1;
	}
	QE_ALLOC_GROW(a->specs, a->nr_specs + 1, a->alloc_specs);
	a->specs[a->nr_specs++] = aspec_new(abs, o);
	return 0;
}

int qe_agent_add(struct qe_agent *a, const char *spec)
{
	return qe_agent_add_source(a, spec, NULL);
}

int qe_agent_add_config_sources(struct qe_agent *a)
{
	size_t i;
	for (i = 0; i < a->cfg->nr_sources; i++) {
		const struct qe_config_source *cs = &a->cfg->sources[i];
		struct qe_source_opts o;
		qe_source_opts_from_config(&o, cs);
		if (qe_agent_add_source(a, cs->path, &o) < 0) {
			char *why = qe_xstrdup(qe_last_error());
			qe_error("%s:%d:%d: source '%s': %s",
				 a->cfg->path ? a->cfg->path : "configuration", cs->line,
				 cs->column, cs->path, why);
			free(why);
			return -1;
		}
	}
	a->config_sources = 1;
	return 0;
}

struct spec_match {
	const char *spec;
	int glob, open;
};

static int match_file(const struct qe_follow_file *f, void *data)
{
	struct spec_match *m = data;
	if (f->fd < 0 || f->is_stdin)
		return 0;
	if (m->glob ? fnmatch(m->spec, f->path, FNM_PATHNAME) == 0
		    : !strcmp(m->spec, f->path))
		m->open = 1;
	return m->open;
}

/* Sources that have nothing open: a missing file, or a glob that matches
 * no file (yet).  In follow mode the agent waits for them and says so; a
 * catch-up run (--once) counts them as nothing to read. */
static size_t unmatched_specs(struct qe_agent *a, int say)
{
	size_t i, n = 0;
	for (i = 0; i < a->nr_specs; i++) {
		struct spec_match m = {a->specs[i]->spec, a->specs[i]->glob, 0};
		if (!strcmp(m.spec, "-"))
			continue;
		qe_follow_each(a->follow, match_file, &m);
		if (m.open)
			continue;
		n++;
		if (!say)
			continue;
		if (m.glob)
			notice(a, QE_AGENT_STATUS,
			       "no file matches '%s' yet; waiting for one", m.spec);
		else
			notice(a, QE_AGENT_STATUS, "waiting for '%s' to appear", m.spec);
	}
	return n;
}

static void flush_sources(struct qe_agent *a)
{
	struct asrc *s;
	for (s = a->srcs; s; s = s->next)
		qe_source_flush(s->src);
	qe_ajournal_flush(a->journal);
}

static int stop_draining(void *data)
{
	return ((struct qe_agent *)data)->stopping > 1;
}

int qe_agent_run(struct qe_agent *a)
{
	int rc = 0;
	if (a->opts.once) {
		if (qe_follow_read_once(a->follow) < 0)
			rc = -1;
		if (!a->interrupted && qe_ajournal_read_once(a->journal) < 0)
			rc = -1;
		a->unmatched = unmatched_specs(a, 0);
		/* Stopped in the middle: an open event is not reported, its
		 * start is the position saved, and the next run reads it
		 * whole, so two runs report what one would. */
		if (!a->interrupted)
			flush_sources(a);
	} else {
		if (qe_follow_start(a->follow) < 0 || qe_ajournal_start(a->journal) < 0)
			return -1;
		unmatched_specs(a, 1);
		while (!qe_loop_stopped(a->loop) && !a->stopping) {
			qe_loop_run_once(a->loop, -1);
			if (qe_follow_done(a->follow))
				break;
		}
		/* A partial last line of a file is not delivered: its position
		 * is not committed, so the next run reads it whole. */
		flush_sources(a);
	}
	{
		char *msg = rc < 0 ? qe_xstrdup(qe_last_error()) : NULL;
		commit(a);
		if (a->stopping < 2)
			qe_batch_drain(a->batch,
				       qe_now_ms() +
					   (uint64_t)(a->opts.once
							  ? a->cfg->timeout_ms + 1000
							  : a->cfg->shutdown_timeout_ms),
				       stop_draining, a);
		commit(a);
		if (msg) {
			qe_error("%s", msg);
			free(msg);
		}
	}
	return rc;
}

void qe_agent_stop(struct qe_agent *a)
{
	/* a second request while draining gives up waiting for advice */
	a->stopping++;
	qe_loop_stop(a->loop);
}

int qe_agent_stopping(const struct qe_agent *a)
{
	return a->stopping;
}

int qe_agent_reload(struct qe_agent *a, struct qe_config *ncfg)
{
	struct pipeline p;
	struct qe_batch_conf bc;
	struct qe_grouping *g;
	struct asrc *s;
	/* Files open under the old list would keep its settings, and its
	 * globs would stay watched: refuse rather than half apply it. */
	if (a->config_sources && !qe_config_sources_equal(a->cfg, ncfg))
		return qe_error("the 'sources' list changed; restart the agent to "
				"follow the new one (nothing was reloaded)");
	if (!ncfg->state_dir && a->cfg->state_dir)
		ncfg->state_dir = qe_xstrdup(a->cfg->state_dir);
	g = qe_grouping_new(ncfg);
	if (!g)
		return -1;
	if (pipeline_build(a, ncfg, &p) < 0) {
		qe_grouping_free(g);
		return -1;
	}
	/* Close open events with the old rules, then swap.  Requests in
	 * flight are cancelled; their fingerprints are asked again when next
	 * seen.  Positions are untouched. */
	flush_sources(a);
	qe_batch_cancel(a->batch);
	commit(a); /* saves the templates learnt so far */
	/* the new rules, with what was learnt read back */
	if (qe_grouping_load(g, a->store, qe_cache_fleet(a->cache)) < 0)
		notice(a, QE_AGENT_WARNING, "%s", qe_last_error());
	qe_grouping_free(a->grouping);
	a->grouping = g;
	qe_batch_set_ai(a->batch, NULL);
	qe_ai_free(a->ai);
	qe_rules_free(a->rules);
	qe_redactor_free(a->redactor);
	qe_config_release(a->cfg);
	*a->cfg = *ncfg;
	qe_config_init(ncfg);
	a->rules = p.rules;
	a->redactor = p.redactor;
	a->ai = p.ai;
	qe_cache_set_model(a->cache, qe_ai_model(a->ai));
	qe_batch_set_ai(a->batch, a->ai);
	batch_conf(a, &bc);
	qe_batch_set_conf(a->batch, &bc);
	qe_queue_set_limit(a->queue, (size_t)a->cfg->queue_limit);
	qe_ring_set_limits(a->ring, (size_t)a->cfg->ring_events,
			   (size_t)a->cfg->ring_bytes);
	for (s = a->srcs; s; s = s->next)
		qe_source_set_rules(s->src, a->rules);
	qe_ajournal_set_rules(a->journal, a->rules);
	return 0;
}

struct qe_loop *qe_agent_loop(struct qe_agent *a)
{
	return a->loop;
}

void qe_agent_get_report(struct qe_agent *a, struct qe_agent_report *out)
{
	struct qe_follow_counters fc;
	memset(out, 0, sizeof(*out));
	memset(&fc, 0, sizeof(fc));
	if (a->follow)
		qe_follow_get_counters(a->follow, &fc);
	out->lines = fc.lines;
	out->bytes = fc.bytes;
	if (a->journal) {
		struct qe_ajournal_counts jc;
		qe_ajournal_get_counts(a->journal, &jc);
		out->lines += (unsigned long long)jc.lines;
		out->bytes += (unsigned long long)jc.bytes;
		out->source_errors += jc.errors;
	}
	out->truncated_lines = fc.truncated_lines;
	out->events = a->events_total;
	out->dropped_events = a->dropped_total;
	out->cache_hits = a->cache_hits_total;
	if (a->queue) {
		out->queue_length = (long long)qe_queue_length(a->queue);
		out->queue_rejects = (long long)qe_queue_rejects(a->queue);
	}
	if (a->ai) {
		qe_ai_get_stats(a->ai, &out->ai);
		out->breaker = qe_ai_breaker_state(a->ai);
	} else {
		out->breaker = "closed";
	}
	out->quota_exhausted = a->quota;
	out->files_opened = a->files_opened;
	out->source_errors += a->source_errors;
	out->sources_unmatched = (long long)a->unmatched;
	out->state_unsaved = a->commit_failing;
}

int qe_agent_prune(struct qe_agent *a)
{
	struct qe_retention_counts rc;
	int r;
	if (a->in_txn)
		commit(a);
	r = qe_retention_prune(a->store, a->cfg, wall(a), &rc);
	if (r == 0 && (rc.groups || rc.buckets || rc.offsets))
		notice(a, QE_AGENT_VERBOSE,
		       "retention: removed %lld groups, %lld hourly counts, %lld file "
		       "positions",
		       rc.groups, rc.buckets, rc.offsets);
	return r;
}

void qe_agent_free(struct qe_agent *a)
{
	struct asrc *s;
	if (!a)
		return;
	if (a->in_txn)
		commit(a);
	if (a->store && a->lock_fd >= 0) {
		/* a clean exit: no agent runs on this state any more */
		struct qe_store_agent_status none = {0, 0, 0};
		qe_store_agent_status_put(a->store, &none);
	}
	qe_follow_free(a->follow);
	qe_ajournal_free(a->journal);
	for (s = a->srcs; s;) {
		struct asrc *next = s->next;
		src_free(s);
		s = next;
	}
	qe_batch_free(a->batch);
	qe_ai_free(a->ai);
	qe_grouping_free(a->grouping);
	qe_cache_free(a->cache);
	qe_queue_free(a->queue);
	qe_ring_free(a->ring);
	qe_loop_free(a->loop);
	qe_redactor_free(a->redactor);
	qe_rules_free(a->rules);
	qe_store_close(a->store);
	if (a->lock_fd >= 0)
		close(a->lock_fd);
	free(a->known);
	while (a->nr_specs)
		aspec_free(a->specs[--a->nr_specs]);
	free(a->specs);
	free(a);
}
