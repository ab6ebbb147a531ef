/*
 * breaker: the AI client's circuit breaker (driven by lib/ai.c only).
 *
 * closed: requests flow; `threshold` consecutive failed requests open it.
 * open: nothing is sent for `open_ms`; then it turns half-open.
 * half-open: exactly one probe request at a time; `close_after`
 * consecutive successful probes close it, one failure reopens it.
 *
 * Times are wall-clock milliseconds so that the state, persisted as JSON
 * in the store's kv table under "ai.breaker:<endpoint>" (the endpoint
 * without trailing slashes), means the same thing to the next process (a
 * cron run honours what the last one learnt).  This file is the only one
 * that reads or writes that record: `stats` and `doctor` go through
 * qe_breaker_read().  The store may be NULL: the state then lives in
 * memory only.  Every function takes the time as an argument, so the
 * state machine can be driven by any clock.
 */
#ifndef QE_BREAKER_H
#define QE_BREAKER_H

#include <stdint.h>

struct qe_store;

enum qe_breaker_state {
	QE_BREAKER_CLOSED,
	QE_BREAKER_OPEN,
	QE_BREAKER_HALF_OPEN,
};

struct qe_breaker {
	struct qe_store *store; /* borrowed; may be NULL */
	char *key;		/* kv key; NULL when nothing is persisted */
	enum qe_breaker_state state;
	long failures;	   /* consecutive failed requests */
	long successes;	   /* consecutive successful probes (half-open) */
	int64_t opened_at; /* wall ms when it last opened */
	long threshold, open_ms, close_after;
	int probe_busy; /* half-open: the one probe is in flight */
};

/* Loads the persisted state, if any.  endpoint may be NULL. */
void qe_breaker_init(struct qe_breaker *b, struct qe_store *store, const char *endpoint,
		     long threshold, long open_ms, long close_after, int64_t now);
void qe_breaker_release(struct qe_breaker *b);

#define QE_BREAKER_DENY -1 /* open: fail the request now */
#define QE_BREAKER_WAIT 0  /* half-open and the probe is busy: keep it queued */
#define QE_BREAKER_PASS 1  /* send it */
/* May a new request be sent?  *probe is set to 1 when the request is the
 * half-open probe (its outcome decides the state). */
int qe_breaker_acquire(struct qe_breaker *b, int64_t now, int *probe);

/* Outcome of a request that acquire() let through. */
void qe_breaker_success(struct qe_breaker *b, int probe, int64_t now);
void qe_breaker_failure(struct qe_breaker *b, int probe, int64_t now);
/* Open at once, whatever the count (a billing stop). */
void qe_breaker_trip(struct qe_breaker *b, int64_t now);
/* The request ended without a verdict (cancelled). */
void qe_breaker_abandon(struct qe_breaker *b, int probe);

enum qe_breaker_state qe_breaker_state(struct qe_breaker *b, int64_t now);
int qe_breaker_state_parse(const char *s, enum qe_breaker_state *out); /* 0 / -1 */
const char *qe_breaker_state_name(enum qe_breaker_state s);
/* Milliseconds until an open breaker turns half-open; 0 when not open. */
int64_t qe_breaker_wait_ms(struct qe_breaker *b, int64_t now);

/* The stored record of an endpoint's breaker, as another process sees it. */
struct qe_breaker_record {
	enum qe_breaker_state state; /* as of `now`: open turns half-open after open_ms */
	long failures;		     /* consecutive failed requests */
	long successes;		     /* consecutive good probes */
	int64_t opened_at;	     /* wall ms; 0 when it never opened */
	int64_t wait_ms;	     /* open: ms until it turns half-open; else 0 */
};
/* The kv key of an endpoint's record; caller frees. */
char *qe_breaker_key(const char *endpoint);
/* Read the record of `endpoint` from the store, judged with open_ms at
 * `now`.  1 when there is a record, 0 when there is none (out is then a
 * closed breaker without failures), -1 when it cannot be read or decoded
 * (qe_error says why; out is a closed breaker). */
int qe_breaker_read(struct qe_store *store, const char *endpoint, long open_ms,
		    int64_t now, struct qe_breaker_record *out);

#endif
