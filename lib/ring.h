/*
 * ring: the circular buffer of recent events between the assembler and
 * the state database.
 *
 * Events are recorded in SQLite in batched transactions, together with
 * the file positions they cover; until the next commit they wait here.
 * The ring is bounded by a number of events and by bytes.  The owner
 * drains it when it is three quarters full, so nothing is dropped while
 * the database keeps up; when it does not (a full disk, a locked file)
 * the oldest events are dropped and counted, and tailing goes on.
 *
 * Entries are light copies (no lines): kind, rule, type, message,
 * template, severity, fingerprint, plus the redacted sample and the time.
 * Repeats of a fingerprint from one source within one hour bucket while
 * its entry waits are folded into it (count, first and last time), so a
 * hot error costs one database update per commit and source instead of
 * one per occurrence.
 */
#ifndef QE_RING_H
#define QE_RING_H

#include <stddef.h>
#include <stdint.h>

struct qe_event;
struct qe_ring;

struct qe_ring_entry {
	struct qe_event *ev; /* owned: a copy without lines */
	char *sample;	     /* owned; NULL when the group is known */
	char *source;	     /* owned; where it was read, NULL when not known */
	int64_t time_ms;     /* wall clock of the last occurrence */
	int64_t first_ms;    /* of the first occurrence folded in */
	long long count;     /* occurrences folded into this entry, >= 1 */
	size_t bytes;
};

struct qe_ring *qe_ring_new(size_t max_events, size_t max_bytes);
void qe_ring_free(struct qe_ring *r); /* NULL-safe; frees what is held */
void qe_ring_set_limits(struct qe_ring *r, size_t max_events, size_t max_bytes);

/* Copy what the store needs from ev (and source, copied), or fold it into the waiting
 * entry of the same fingerprint, source and hour; sample is taken over (may be NULL).
 * Returns how many old entries were dropped to make room. */
size_t qe_ring_push(struct qe_ring *r, const struct qe_event *ev, const char *source,
		    char *sample, int64_t time_ms);
/* Oldest first; 0 when empty.  The caller owns out's contents and frees
 * them with qe_ring_entry_release(). */
int qe_ring_pop(struct qe_ring *r, struct qe_ring_entry *out);
void qe_ring_entry_release(struct qe_ring_entry *e);
/* The i-th oldest entry, NULL past the end; it stays in the ring and the
 * pointer is valid until the next push or pop.  Lets the owner pop only
 * what a commit actually stored. */
const struct qe_ring_entry *qe_ring_peek(const struct qe_ring *r, size_t i);

size_t qe_ring_count(const struct qe_ring *r);
size_t qe_ring_bytes(const struct qe_ring *r);
uint64_t qe_ring_dropped(const struct qe_ring *r);
/* 1 when the owner should drain now (three quarters of either bound). */
int qe_ring_high(const struct qe_ring *r);

#endif
