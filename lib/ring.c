/* ring: see ring.h */
#include "ring.h"

#include "event.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct fold_slot {
	char fp[17];
	uint64_t src; /* hash of the entry's source: repeats fold per source */
	int64_t hour; /* and per hour bucket */
	uint64_t seq; /* sequence number of the entry; stale when < head_seq */
};

struct qe_ring {
	struct qe_ring_entry *e;
	size_t cap, head, count;
	size_t bytes, max_events, max_bytes;
	uint64_t dropped;
	uint64_t head_seq; /* sequence number of e[head] */
	/* fingerprint, source and hour -> waiting entry, for folding repeats;
	 * cleared when the ring empties or fills up with stale slots */
	struct fold_slot *fold;
	size_t fold_size, fold_used;
};

#define HOUR_MS 3600000

static uint64_t source_hash(const char *source)
{
	return source ? qe_fnv1a(source, strlen(source)) | 1 : 0;
}

/* The slot of (fp, src, hour), or the empty slot where it goes.  The
 * hour is part of the key so that an error whose occurrences alternate
 * between two buckets (lines with the log's time and lines without,
 * which get the wall clock) still folds into one entry per bucket. */
static size_t fold_find(struct qe_ring *r, const char *fp, uint64_t src, int64_t hour)
{
	size_t mask = r->fold_size - 1;
	size_t i = (size_t)(qe_fnv1a(fp, 16) ^ src ^ (uint64_t)hour) & mask;
	while (r->fold[i].fp[0] && (memcmp(r->fold[i].fp, fp, 16) ||
				    r->fold[i].src != src || r->fold[i].hour != hour))
		i = (i + 1) & mask;
	return i;
}

static int same_source(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void fold_clear(struct qe_ring *r)
{
	memset(r->fold, 0, r->fold_size * sizeof(*r->fold));
	r->fold_used = 0;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

struct qe_ring *qe_ring_new(size_t max_events, size_t max_bytes)
{
	struct qe_ring *r = qe_xcalloc(1, sizeof(*r));
	qe_ring_set_limits(r, max_events, max_bytes);
	return r;
}

void qe_ring_set_limits(struct qe_ring *r, size_t max_events, size_t max_bytes)
{
	size_t want = 64;
	r->max_events = max_events ? max_events : 1;
	r->max_bytes = max_bytes ? max_bytes : 4096;
	while (want < r->max_events * 2 && want < (1u << 20))
		want *= 2;
	if (want != r->fold_size) {
		free(r->fold);
		r->fold = qe_xcalloc(want, sizeof(*r->fold));
		r->fold_size = want;
		r->fold_used = 0;
	}
}

void qe_ring_entry_release(struct qe_ring_entry *e)
{
	qe_event_free(e->ev);
	free(e->sample);
	free(e->source);
	memset(e, 0, sizeof(*e));
}

void qe_ring_free(struct qe_ring *r)
{
	struct qe_ring_entry e;
	if (!r)
		return;
	while (qe_ring_pop(r, &e))
		qe_ring_entry_release(&e);
	free(r->e);
	free(r->fold);
	free(r);
}

int qe_ring_pop(struct qe_ring *r, struct qe_ring_entry *out)
{
	if (!r->count)
		return 0;
	*out = r->e[r->head];
	r->head = (r->head + 1) % r->cap;
	r->count--;
	r->head_seq++;
	r->bytes -= out->bytes;
	if (!r->count)
		fold_clear(r);
	return 1;
}

const struct qe_ring_entry *qe_ring_peek(const struct qe_ring *r, size_t i)
{
	if (i >= r->count)
		return NULL;
	return &r->e[(r->head + i) % r->cap];
}

static void grow(struct qe_ring *r)
{
	size_t ncap = r->cap ? r->cap * 2 : 64, i;
	struct qe_ring_entry *n = qe_xcalloc(ncap, sizeof(*n));
	for (i = 0; i < r->count; i++)
		n[i] = r->e[(r->head + i) % r->cap];
	free(r->e);
	r->e = n;
	r->cap = ncap;
	r->head = 0;
}

size_t qe_ring_push(struct qe_ring *r, const struct qe_event *ev, const char *source,
		    char *sample, int64_t time_ms)
{
	struct qe_ring_entry e;
	size_t dropped = 0, slot;
	struct qe_event *c;
	uint64_t src = source_hash(source);
	int64_t hour = time_ms / HOUR_MS;

	if (ev->fingerprint[0]) {
		slot = fold_find(r, ev->fingerprint, src, hour);
		if (r->fold[slot].fp[0] && r->fold[slot].seq >= r->head_seq) {
			struct qe_ring_entry *w =
			    &r->e[(r->head + (r->fold[slot].seq - r->head_seq)) % r->cap];
			if (w->time_ms / HOUR_MS == hour &&
			    same_source(w->source, source)) {
				w->count++;
				if (time_ms > w->time_ms)
					w->time_ms = time_ms;
				free(sample); /* the waiting entry has the group's sample
					       */
				return 0;
			}
		}
	}
	c = qe_event_new(ev->kind, ev->rule);
	free(c->message);
	c->message = qe_xstrdup(ev->message);
	c->type = ev->type ? qe_xstrdup(ev->type) : NULL;
	c->template = ev->template ? qe_xstrdup(ev->template) : NULL;
	c->severity = ev->severity;
	c->truncated = ev->truncated;
	memcpy(c->fingerprint, ev->fingerprint, sizeof(c->fingerprint));
	e.ev = c;
	e.sample = sample;
	e.source = source ? qe_xstrdup(source) : NULL;
	e.time_ms = time_ms;
	e.first_ms = time_ms;
	e.count = 1;
	e.bytes = sizeof(*c) + slen(c->kind) + slen(c->rule) + slen(c->message) +
		  slen(c->type) + slen(c->template) + slen(sample) + slen(e.source);

	while (r->count &&
	       (r->count + 1 > r->max_events || r->bytes + e.bytes > r->max_bytes)) {
		struct qe_ring_entry old;
		qe_ring_pop(r, &old);
		r->dropped += (uint64_t)old.count;
		dropped += (size_t)old.count;
		qe_ring_entry_release(&old);
	}
	if (r->count == r->cap)
		grow(r);
	r->e[(r->head + r->count) % r->cap] = e;
	r->count++;
	r->bytes += e.bytes;
	if (c->fingerprint[0]) {
		if ((r->fold_used + 1) * 4 > r->fold_size * 3)
			fold_clear(
			    r); /* mostly stale: start over, folding is an optimisation */
		slot = fold_find(r, c->fingerprint, src, hour);
		if (!r->fold[slot].fp[0])
			r->fold_used++;
		memcpy(r->fold[slot].fp, c->fingerprint, sizeof(r->fold[slot].fp));
		r->fold[slot].src = src;
		r->fold[slot].hour = hour;
		r->fold[slot].seq = r->head_seq + r->count - 1;
	}
	return dropped;
}

size_t qe_ring_count(const struct qe_ring *r)
{
	return r->count;
}

size_t qe_ring_bytes(const struct qe_ring *r)
{
	return r->bytes;
}

uint64_t qe_ring_dropped(const struct qe_ring *r)
{
	return r->dropped;
}

int qe_ring_high(const struct qe_ring *r)
{
	return r->count * 4 >= r->max_events * 3 || r->bytes * 4 >= r->max_bytes * 3;
}
