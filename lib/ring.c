/* ring: see ring.h */
#include "ring.h"

#include "event.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct qe_ring {
	struct qe_ring_entry *e;
	size_t cap, head, count;
	size_t bytes, max_events, max_bytes;
	uint64_t dropped;
};

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
	r->max_events = max_events ? max_events : 1;
	r->max_bytes = max_bytes ? max_bytes : 4096;
}

void qe_ring_entry_release(struct qe_ring_entry *e)
{
	qe_event_free(e->ev);
	free(e->sample);
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
	free(r);
}

int qe_ring_pop(struct qe_ring *r, struct qe_ring_entry *out)
{
	if (!r->count)
		return 0;
	*out = r->e[r->head];
	r->head = (r->head + 1) % r->cap;
	r->count--;
	r->bytes -= out->bytes;
	return 1;
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

size_t qe_ring_push(struct qe_ring *r, const struct qe_event *ev, char *sample,
		    int64_t time_ms)
{
	struct qe_ring_entry e;
	size_t dropped = 0;
	struct qe_event *c = qe_event_new(ev->kind, ev->rule);
	free(c->message);
	c->message = qe_xstrdup(ev->message);
	c->type = ev->type ? qe_xstrdup(ev->type) : NULL;
	c->template = ev->template ? qe_xstrdup(ev->template) : NULL;
	c->severity = ev->severity;
	c->truncated = ev->truncated;
	memcpy(c->fingerprint, ev->fingerprint, sizeof(c->fingerprint));
	e.ev = c;
	e.sample = sample;
	e.time_ms = time_ms;
	e.bytes = sizeof(*c) + slen(c->kind) + slen(c->rule) + slen(c->message) +
		  slen(c->type) + slen(c->template) + slen(sample);

	while (r->count && (r->count + 1 > r->max_events || r->bytes + e.bytes > r->max_bytes)) {
		struct qe_ring_entry old;
		qe_ring_pop(r, &old);
		qe_ring_entry_release(&old);
		r->dropped++;
		dropped++;
	}
	if (r->count == r->cap)
		grow(r);
	r->e[(r->head + r->count) % r->cap] = e;
	r->count++;
	r->bytes += e.bytes;
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
