/* repeats: see repeats.h */
#include "repeats.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 16384

struct shown {
	char fp[17];
	uint64_t at_ms;
	unsigned long suppressed;
	char *source, *message;
	struct shown *next;	 /* FIFO: printed later */
	struct shown *next_hash; /* same bucket */
};

struct qe_repeats {
	struct shown *head, *tail;
	struct shown **buckets; /* BUCKETS, allocated on first use */
	size_t nr, max;
	qe_repeats_fn fn;
	void *data;
};

struct qe_repeats *qe_repeats_new(size_t max, qe_repeats_fn fn, void *data)
{
	struct qe_repeats *r = qe_xcalloc(1, sizeof(*r));
	r->max = max ? max : 1;
	r->fn = fn;
	r->data = data;
	return r;
}

static struct shown **bucket(struct qe_repeats *r, const char *fp)
{
	if (!r->buckets)
		r->buckets = qe_xcalloc(BUCKETS, sizeof(*r->buckets));
	return &r->buckets[qe_fnv1a(fp, strlen(fp)) % BUCKETS];
}

static struct shown *find(struct qe_repeats *r, const char *fp)
{
	struct shown *s;
	for (s = *bucket(r, fp); s; s = s->next_hash)
		if (!strcmp(s->fp, fp))
			return s;
	return NULL;
}

/* The oldest window ends: say its repeats, forget it. */
static void retire_oldest(struct qe_repeats *r, int say)
{
	struct shown *s = r->head, **pp;
	if (!s)
		return;
	if (say && s->suppressed && r->fn)
		r->fn(s->fp, s->suppressed, s->source, r->data);
	for (pp = bucket(r, s->fp); *pp != s; pp = &(*pp)->next_hash)
		;
	*pp = s->next_hash;
	r->head = s->next;
	if (!r->head)
		r->tail = NULL;
	r->nr--;
	free(s->source);
	free(s->message);
	free(s);
}

void qe_repeats_free(struct qe_repeats *r)
{
	if (!r)
		return;
	while (r->head)
		retire_oldest(r, 0);
	free(r->buckets);
	free(r);
}

int qe_repeats_seen(struct qe_repeats *r, const char *fp)
{
	struct shown *s = find(r, fp);
	if (!s)
		return 0;
	s->suppressed++;
	return 1;
}

void qe_repeats_add(struct qe_repeats *r, const char *fp, const char *source,
		    const char *message, uint64_t now_ms)
{
	struct shown *s, **b;
	while (r->nr >= r->max)
		retire_oldest(r, 1);
	s = qe_xcalloc(1, sizeof(*s));
	b = bucket(r, fp);
	r->nr++;
	snprintf(s->fp, sizeof(s->fp), "%s", fp);
	s->at_ms = now_ms;
	s->source = qe_xstrdup(source);
	s->message = qe_xstrdup(message ? message : "");
	s->next_hash = *b;
	*b = s;
	if (r->tail)
		r->tail->next = s;
	else
		r->head = s;
	r->tail = s;
}

const char *qe_repeats_message(struct qe_repeats *r, const char *fp)
{
	struct shown *s = find(r, fp);
	return s ? s->message : NULL;
}

uint64_t qe_repeats_expire(struct qe_repeats *r, uint64_t now_ms, uint64_t window_ms,
			   int all)
{
	while (r->head && (all || now_ms - r->head->at_ms >= window_ms))
		retire_oldest(r, 1);
	return r->head ? window_ms - (now_ms - r->head->at_ms) + 1 : 0;
}
