/*
 * agent: the log-error agent as a library.
 *
 * An agent follows its sources (files, globs, standard input, journal:
 * sources through agent_journal.c), turns their lines into error events
 * through one lib/source per file or journal,
 * fingerprints them, records them in the state database together with
 * the file positions and counters they cover (one transaction per
 * commit), looks their advice up in the cache and queues the unknown
 * fingerprints for the AI service through the batcher.  Nothing on that
 * path waits for the network.  It reports through an output interface
 * (callbacks) and never prints.
 *
 * Positions: what a commit saves for a file is its source's commit
 * position (the end of the last line fed, or the start of the event
 * still open), so after a crash the open event is read again and no line
 * is lost.  Events reported after the last commit may be reported again
 * after `kill -9`; a graceful stop commits everything it reported.  A
 * journal source saves the cursor of the entry its commit position names,
 * in the same transaction.
 *
 * One event loop (lib/loop) runs it all: the follower's inotify or poll
 * timer, libcurl's sockets, timers for commits, idle events, batches,
 * the heartbeat and retention.  The caller may add its own (signals,
 * output timers) through qe_agent_loop().
 */
#ifndef QE_AGENT_H
#define QE_AGENT_H

#include "ai.h"

#include <stddef.h>
#include <stdint.h>

struct qe_batch_result;
struct qe_k8s;
struct qe_config;
struct qe_event;
struct qe_loop;
struct qe_agent;

/* What the agent knows of an event's advice when it reports the event. */
enum qe_agent_advice {
	QE_ADVICE_KNOWN,	   /* advice_json holds it */
	QE_ADVICE_PENDING,	   /* asked, or waiting in the queue: it follows */
	QE_ADVICE_NOT_CONFIGURED,  /* no AI service configured */
	QE_ADVICE_ELSEWHERE,	   /* another host of the fleet is asking */
	QE_ADVICE_FAILED,	   /* the last request failed; asked again later */
	QE_ADVICE_QUEUE_FULL,	   /* rejected; asked when the error is seen again */
	QE_ADVICE_KNOWN_NOT_SHOWN, /* known, but not attached (repeat of a group) */
};
/* "known", "pending", ... (static strings). */
const char *qe_agent_advice_name(enum qe_agent_advice a);

/* One event as the agent reports it.  Everything is borrowed for the
 * duration of the callback. */
struct qe_agent_event {
	const struct qe_event *ev; /* fingerprint computed */
	const char *source;	   /* the file's path, "-" for standard input */
	int is_new;		   /* the state had never seen this group */
	long long count;	   /* occurrences known, this one included */
	int64_t time_ms;	   /* the log's own time, else when it was read */
	const struct qe_k8s *k8s;  /* pod, namespace, container; NULL when not k8s */
	enum qe_agent_advice advice;
	const char *advice_json; /* with QE_ADVICE_KNOWN */
	const char *advice_note; /* why there is no advice, for people */
};

enum qe_agent_level {
	QE_AGENT_VERBOSE, /* for -v only */
	QE_AGENT_STATUS,  /* a state change worth a line (reload, recovery) */
	QE_AGENT_WARNING, /* something is wrong but the agent goes on */
	QE_AGENT_ERROR,	  /* the run will end with a failure status */
};

struct qe_agent_output {
	void (*event)(const struct qe_agent_event *e, void *data);
	/* an answer arrived (cached = from another host's earlier answer) */
	void (*advice)(const char *fp, const char *advice_json, int cached, void *data);
	void (*advice_error)(const struct qe_batch_result *r, void *data);
	void (*notice)(enum qe_agent_level level, const char *msg, void *data);
	void *data;
};

struct qe_agent_opts {
	int once;	      /* read every source to its end, wait for advice, stop */
	int from_beginning;   /* files without a saved position are read from 0 */
	const char *backend;  /* NULL = tail.follow */
	int advice_on_repeat; /* attach known advice to every event, not only the first */
	/* clocks, for tests; NULL = qe_now_ms / qe_wall_ms */
	uint64_t (*now_ms)(void);
	int64_t (*wall_ms)(void);
};

/* Why qe_agent_new() failed, for the caller's exit code. */
enum qe_agent_failure {
	QE_AGENT_FAIL_CONFIG = 1, /* the configuration cannot be used */
	QE_AGENT_FAIL_LOCKED,	  /* another agent runs on this state */
	QE_AGENT_FAIL_STATE,	  /* the state directory or database is unusable */
	QE_AGENT_FAIL_RUNTIME,	  /* anything else (event loop, inotify) */
};

/*
 * cfg is borrowed (it is replaced in place by qe_agent_reload); a NULL
 * state_dir is set to the default location.  NULL with qe_error() and *why set.
 */
struct qe_agent *qe_agent_new(struct qe_config *cfg, const struct qe_agent_opts *opts,
			      const struct qe_agent_output *out,
			      enum qe_agent_failure *why);
void qe_agent_free(struct qe_agent *a); /* NULL-safe; commits what it can */

/*
 * A path, a glob, "-" or a journal: source (see agent_journal.h);
 * relative paths are made absolute.  Before run.
 * Its files are read with o's format and JSON fields over the
 * configuration's tail.* ones, and o's exclusions leave some of its glob
 * matches out (besides tail.exclude).  o may be NULL (the tail.*
 * settings); it is copied.  -1 with qe_error() for a bad format.
 */
struct qe_source_opts;
int qe_agent_add_source(struct qe_agent *a, const char *spec,
			const struct qe_source_opts *o);
/* The same with o NULL. */
int qe_agent_add(struct qe_agent *a, const char *spec);
/* Every entry of the configuration's sources: list.  A reload then
 * refuses a configuration whose list differs (qe_agent_reload). */
int qe_agent_add_config_sources(struct qe_agent *a);

/*
 * Run until stopped (follow) or until every source is read (once); then
 * commit, wait up to the shutdown deadline for advice in flight, and
 * commit again.  0, or -1 with qe_error() when the sources could not be
 * started or read.
 */
int qe_agent_run(struct qe_agent *a);
/* Ask a running agent to stop at the next turn of its loop (signals). */
void qe_agent_stop(struct qe_agent *a);
int qe_agent_stopping(const struct qe_agent *a);
/* Swap in a new configuration (SIGHUP): on success the agent owns ncfg's
 * contents (*ncfg is emptied); on failure nothing changes, -1 with
 * qe_error().  An agent that follows the configured sources (see
 * qe_agent_add_config_sources) refuses a configuration whose sources:
 * list differs: its files keep their settings until a restart. */
int qe_agent_reload(struct qe_agent *a, struct qe_config *ncfg);

struct qe_loop *qe_agent_loop(struct qe_agent *a);

/* What the run did, for exit codes and SIGUSR1. */
struct qe_agent_report {
	unsigned long long lines, bytes, truncated_lines;
	long long events, dropped_events, cache_hits, queue_length, queue_rejects;
	struct qe_ai_stats ai;
	const char *breaker;	     /* "closed", "open", "half-open" */
	int quota_exhausted;	     /* the AI service said insufficient_quota */
	long long files_opened;	     /* files opened for reading */
	long long source_errors;     /* sources that could not be read */
	long long sources_unmatched; /* --once: missing files, globs matching nothing */
	int state_unsaved;	     /* the last commit failed (a full disk) */
};
void qe_agent_get_report(struct qe_agent *a, struct qe_agent_report *out);

/* Apply the retention policy now (also done hourly by a running agent).
 * 0, or -1 with qe_error(). */
int qe_agent_prune(struct qe_agent *a);

#endif
