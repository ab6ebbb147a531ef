/* queue: see queue.h */
#include "queue.h"

#include "event.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	char fp[17];
	unsigned char state; /* enum qe_fp_state; QE_FP_UNKNOWN = empty */
	unsigned char tomb;  /* deleted, keeps probe chains intact */
	uint64_t retry_at;
};

struct qe_queue {
	size_t limit;
	/* FIFO of queued events (ring) */
	struct qe_event **items;
	uint64_t *pushed_at;
	size_t head, count, cap;
	size_t inflight;
	uint64_t rejects;
	/* open-addressing state table, power-of-two size */
	struct slot *slots;
	size_t nslots, used; /* used counts live + tombstones */
	size_t live;
};

static uint64_t hash_fp(const char *fp)
{
	return qe_fnv1a(fp, strlen(fp));
}

static struct slot *find_slot(const struct qe_queue *q, const char *fp, int for_insert)
{
	size_t mask = q->nslots - 1, i = (size_t)hash_fp(fp) & mask;
	struct slot *tomb = NULL;
	for (;;) {
		struct slot *s = &q->slots[i];
		if (s->state == QE_FP_UNKNOWN && !s->tomb)
			return for_insert ? (tomb ? tomb : s) : NULL;
		if (s->tomb) {
			if (!tomb)
				tomb = s;
		} else if (!strcmp(s->fp, fp)) {
			return s;
		}
		i = (i + 1) & mask;
	}
}

static void rehash(struct qe_queue *q, size_t nslots, int drop_settled)
{
	struct slot *old = q->slots;
	size_t n = q->nslots, i;
	q->slots = qe_xcalloc(nslots, sizeof(*q->slots));
	q->nslots = nslots;
	q->used = q->live = 0;
	for (i = 0; i < n; i++) {
		struct slot *s;
		if (old[i].state == QE_FP_UNKNOWN || old[i].tomb)
			continue;
		if (drop_settled &&
		    (old[i].state == QE_FP_CACHED || old[i].state == QE_FP_FAILED ||
		     old[i].state == QE_FP_SEEN))
			continue;
		s = find_slot(q, old[i].fp, 1);
		*s = old[i];
		q->used++;
		q->live++;
	}
	free(old);
}

static struct slot *get_or_add(struct qe_queue *q, const char *fp)
{
	struct slot *s = find_slot(q, fp, 0);
	if (s)
		return s;
	if (q->live >= QE_QUEUE_MAX_KNOWN)
		rehash(q, q->nslots, 1);
	if ((q->used + 1) * 4 > q->nslots * 3)
		rehash(q, q->live * 2 + 1 > q->nslots / 2 ? q->nslots * 2 : q->nslots, 0);
	s = find_slot(q, fp, 1);
	if (!s->tomb)
		q->used++;
	memset(s, 0, sizeof(*s));
	snprintf(s->fp, sizeof(s->fp), "%s", fp);
	q->live++;
	return s;
}

struct qe_queue *qe_queue_new(size_t limit)
{
	struct qe_queue *q = qe_xcalloc(1, sizeof(*q));
	q->limit = limit ? limit : 1;
	q->nslots = 1024;
	q->slots = qe_xcalloc(q->nslots, sizeof(*q->slots));
	return q;
}

void qe_queue_free(struct qe_queue *q)
{
	size_t i;
	if (!q)
		return;
	for (i = 0; i < q->count; i++)
		qe_event_free(q->items[(q->head + i) % q->cap]);
	free(q->items);
	free(q->pushed_at);
	free(q->slots);
	free(q);
}

void qe_queue_set_limit(struct qe_queue *q, size_t limit)
{
	q->limit = limit ? limit : 1;
}

enum qe_fp_state qe_queue_state(const struct qe_queue *q, const char *fp)
{
	const struct slot *s = find_slot(q, fp, 0);
	return s ? (enum qe_fp_state)s->state : QE_FP_UNKNOWN;
}

void qe_queue_set_seen(struct qe_queue *q, const char *fp)
{
	struct slot *s = find_slot(q, fp, 0);
	if (!s)
		get_or_add(q, fp)->state = QE_FP_SEEN;
}

void qe_queue_set_cached(struct qe_queue *q, const char *fp)
{
	struct slot *s = get_or_add(q, fp);
	if (s->state != QE_FP_QUEUED && s->state != QE_FP_INFLIGHT)
		s->state = QE_FP_CACHED;
}

void qe_queue_defer(struct qe_queue *q, const char *fp, uint64_t retry_at_ms)
{
	struct slot *s = get_or_add(q, fp);
	if (s->state == QE_FP_QUEUED || s->state == QE_FP_INFLIGHT)
		return;
	s->state = QE_FP_FAILED;
	s->retry_at = retry_at_ms;
}

int qe_queue_retry_due(const struct qe_queue *q, const char *fp, uint64_t now_ms)
{
	const struct slot *s = find_slot(q, fp, 0);
	return s && s->state == QE_FP_FAILED && now_ms >= s->retry_at;
}

enum qe_push_result qe_queue_push(struct qe_queue *q, struct qe_event *ev,
				  uint64_t now_ms)
{
	struct slot *s = find_slot(q, ev->fingerprint, 0);
	if (s && (s->state == QE_FP_CACHED || s->state == QE_FP_QUEUED ||
		  s->state == QE_FP_INFLIGHT ||
		  (s->state == QE_FP_FAILED && now_ms < s->retry_at)))
		return QE_PUSH_PRESENT;
	if (q->count + q->inflight >= q->limit) {
		q->rejects++;
		return QE_PUSH_FULL;
	}
	if (q->count == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 16, i;
		struct qe_event **items = qe_xcalloc(ncap, sizeof(*items));
		uint64_t *at = qe_xcalloc(ncap, sizeof(*at));
		for (i = 0; i < q->count; i++) {
			items[i] = q->items[(q->head + i) % q->cap];
			at[i] = q->pushed_at[(q->head + i) % q->cap];
		}
		free(q->items);
		free(q->pushed_at);
		q->items = items;
		q->pushed_at = at;
		q->cap = ncap;
		q->head = 0;
	}
	q->items[(q->head + q->count) % q->cap] = ev;
	q->pushed_at[(q->head + q->count) % q->cap] = now_ms;
	q->count++;
	s = get_or_add(q, ev->fingerprint);
	s->state = QE_FP_QUEUED;
	return QE_PUSH_QUEUED;
}

size_t qe_queue_take(struct qe_queue *q, struct qe_event **out, size_t max)
{
	size_t n = 0;
	while (n < max && q->count) {
		struct qe_event *ev = q->items[q->head];
		struct slot *s = find_slot(q, ev->fingerprint, 0);
		q->head = (q->head + 1) % q->cap;
		q->count--;
		if (s)
			s->state = QE_FP_INFLIGHT;
		q->inflight++;
		out[n++] = ev;
	}
	return n;
}

void qe_queue_done(struct qe_queue *q, const char *fp, int ok, uint64_t retry_at_ms)
{
	struct slot *s = find_slot(q, fp, 0);
	if (q->inflight)
		q->inflight--;
	if (!s)
		return;
	s->state = ok ? QE_FP_CACHED : QE_FP_FAILED;
	s->retry_at = retry_at_ms;
}

size_t qe_queue_queued(const struct qe_queue *q)
{
	return q->count;
}

size_t qe_queue_inflight(const struct qe_queue *q)
{
	return q->inflight;
}

size_t qe_queue_length(const struct qe_queue *q)
{
	return q->count + q->inflight;
}

uint64_t qe_queue_rejects(const struct qe_queue *q)
{
	return q->rejects;
}

uint64_t qe_queue_oldest_ms(const struct qe_queue *q)
{
	return q->count ? q->pushed_at[q->head] : 0;
}
