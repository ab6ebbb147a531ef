/* queue: see queue.h */
#include "queue.h"

#include "event.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A slot of the state table is 16 bytes: the fingerprint's 64 bits (its
 * 16 hex digits read as a number, so two fingerprints share a key only
 * if they are equal), and in one word the retry time in milliseconds
 * (56 bits, two million years), the state and the tombstone mark.
 */
struct slot {
	uint64_t key;
	uint64_t meta;
};

#define META_TIME ((1ULL << 56) - 1)
#define META_STATE_SHIFT 56
#define META_TOMB (1ULL << 63)

static enum qe_fp_state slot_state(const struct slot *s)
{
	return (enum qe_fp_state)((s->meta >> META_STATE_SHIFT) & 0x7f);
}

static int slot_tomb(const struct slot *s)
{
	return (s->meta & META_TOMB) != 0;
}

static uint64_t slot_retry(const struct slot *s)
{
	return s->meta & META_TIME;
}

static void slot_set_state(struct slot *s, enum qe_fp_state st)
{
	s->meta = (s->meta & ~(0x7fULL << META_STATE_SHIFT)) |
		  ((uint64_t)st << META_STATE_SHIFT);
}

static void slot_set_retry(struct slot *s, uint64_t at_ms)
{
	s->meta = (s->meta & ~META_TIME) | (at_ms > META_TIME ? META_TIME : at_ms);
}

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

#define MIN_SLOTS 1024

/* The 64 bits of a fingerprint of 16 lowercase hex digits; any other
 * string (none comes from an event) by its hash. */
static uint64_t fp_key(const char *fp)
{
	uint64_t k = 0;
	int i;
	for (i = 0; i < 16; i++) {
		unsigned c = (unsigned char)fp[i];
		if (c >= '0' && c <= '9')
			k = k << 4 | (c - '0');
		else if (c >= 'a' && c <= 'f')
			k = k << 4 | (c - 'a' + 10);
		else
			return qe_fnv1a(fp, strlen(fp));
	}
	return fp[16] ? qe_fnv1a(fp, strlen(fp)) : k;
}

/* Fingerprints are hashes already; the multiply spreads keys that differ
 * only in their high digits (as hand-made ones do) over the table. */
static size_t key_home(uint64_t key, size_t mask)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
}

static struct slot *find_key(const struct qe_queue *q, uint64_t key, int for_insert)
{
	size_t mask = q->nslots - 1, i = key_home(key, mask);
	struct slot *tomb = NULL;
	for (;;) {
		struct slot *s = &q->slots[i];
		if (slot_state(s) == QE_FP_UNKNOWN && !slot_tomb(s))
			return for_insert ? (tomb ? tomb : s) : NULL;
		if (slot_tomb(s)) {
			if (!tomb)
				tomb = s;
		} else if (s->key == key) {
			return s;
		}
		i = (i + 1) & mask;
	}
}

static struct slot *find_slot(const struct qe_queue *q, const char *fp, int for_insert)
{
	return find_key(q, fp_key(fp), for_insert);
}

static int settled(const struct slot *s)
{
	enum qe_fp_state st = slot_state(s);
	return st == QE_FP_CACHED || st == QE_FP_FAILED || st == QE_FP_SEEN;
}

/* Into a table of nslots, or, when settled entries are dropped, one
 * sized for what is left: forgetting gives the memory back. */
static void rehash(struct qe_queue *q, size_t nslots, int drop_settled)
{
	struct slot *old = q->slots;
	size_t n = q->nslots, i, keep = 0;
	if (drop_settled) {
		for (i = 0; i < n; i++)
			if (slot_state(&old[i]) != QE_FP_UNKNOWN && !slot_tomb(&old[i]) &&
			    !settled(&old[i]))
				keep++;
		nslots = MIN_SLOTS;
		while (nslots < keep * 2)
			nslots *= 2;
	}
	q->slots = qe_xcalloc(nslots, sizeof(*q->slots));
	q->nslots = nslots;
	q->used = q->live = 0;
	for (i = 0; i < n; i++) {
		struct slot *s;
		if (slot_state(&old[i]) == QE_FP_UNKNOWN || slot_tomb(&old[i]))
			continue;
		if (drop_settled && settled(&old[i]))
			continue;
		s = find_key(q, old[i].key, 1);
		*s = old[i];
		q->used++;
		q->live++;
	}
	free(old);
}

static struct slot *get_or_add(struct qe_queue *q, const char *fp)
{
	uint64_t key = fp_key(fp);
	struct slot *s = find_key(q, key, 0);
	if (s)
		return s;
	if (q->live >= QE_QUEUE_MAX_KNOWN)
		rehash(q, q->nslots, 1);
	if ((q->used + 1) * 4 > q->nslots * 3)
		rehash(q, q->live * 2 + 1 > q->nslots / 2 ? q->nslots * 2 : q->nslots, 0);
	s = find_key(q, key, 1);
	if (!slot_tomb(s))
		q->used++;
	s->key = key;
	s->meta = 0;
	q->live++;
	return s;
}

size_t qe_queue_table_bytes(const struct qe_queue *q)
{
	return q->nslots * sizeof(*q->slots);
}

struct qe_queue *qe_queue_new(size_t limit)
{
	struct qe_queue *q = qe_xcalloc(1, sizeof(*q));
	q->limit = limit ? limit : 1;
	q->nslots = MIN_SLOTS;
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
	return s ? slot_state(s) : QE_FP_UNKNOWN;
}

void qe_queue_set_seen(struct qe_queue *q, const char *fp)
{
	struct slot *s = find_slot(q, fp, 0);
	if (!s)
		slot_set_state(get_or_add(q, fp), QE_FP_SEEN);
}

void qe_queue_set_cached(struct qe_queue *q, const char *fp)
{
	struct slot *s = get_or_add(q, fp);
	if (slot_state(s) != QE_FP_QUEUED && slot_state(s) != QE_FP_INFLIGHT)
		slot_set_state(s, QE_FP_CACHED);
}

void qe_queue_defer(struct qe_queue *q, const char *fp, uint64_t retry_at_ms)
{
	struct slot *s = get_or_add(q, fp);
	if (slot_state(s) == QE_FP_QUEUED || slot_state(s) == QE_FP_INFLIGHT)
		return;
	slot_set_state(s, QE_FP_FAILED);
	slot_set_retry(s, retry_at_ms);
}

int qe_queue_retry_due(const struct qe_queue *q, const char *fp, uint64_t now_ms)
{
	const struct slot *s = find_slot(q, fp, 0);
	return s && slot_state(s) == QE_FP_FAILED && now_ms >= slot_retry(s);
}

enum qe_push_result qe_queue_push(struct qe_queue *q, struct qe_event *ev,
				  uint64_t now_ms)
{
	struct slot *s = find_slot(q, ev->fingerprint, 0);
	enum qe_fp_state st = s ? slot_state(s) : QE_FP_UNKNOWN;
	if (st == QE_FP_CACHED || st == QE_FP_QUEUED || st == QE_FP_INFLIGHT ||
	    (st == QE_FP_FAILED && now_ms < slot_retry(s)))
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
	slot_set_state(get_or_add(q, ev->fingerprint), QE_FP_QUEUED);
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
			slot_set_state(s, QE_FP_INFLIGHT);
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
	slot_set_state(s, ok ? QE_FP_CACHED : QE_FP_FAILED);
	slot_set_retry(s, retry_at_ms);
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
