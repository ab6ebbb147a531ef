/* event: see event.h */
#include "event.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Lines and frame strings are copied into blocks of BLOCK_BYTES (a
 * longer line gets one of its own), so a trace of ten lines and frames
 * costs two or three allocations instead of forty.  The size is one that
 * malloc recycles fastest (its per-thread cache takes chunks up to about
 * 1 KiB). */
#define BLOCK_BYTES 1024

struct qe_event_block {
	struct qe_event_block *prev;
	size_t used, size;
	char data[];
};

static const char *const sev_names[] = {"debug", "info",     "warning",
					"error", "critical", "fatal"};

const char *qe_severity_name(enum qe_severity s)
{
	if ((size_t)s >= QE_ARRAY_SIZE(sev_names))
		return "error";
	return sev_names[s];
}

int qe_severity_parse(const char *s, enum qe_severity *out)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(sev_names); i++)
		if (!strcasecmp(s, sev_names[i])) {
			*out = (enum qe_severity)i;
			return 0;
		}
	if (!strcasecmp(s, "warn"))
		return *out = QE_SEV_WARNING, 0;
	if (!strcasecmp(s, "err"))
		return *out = QE_SEV_ERROR, 0;
	if (!strcasecmp(s, "crit"))
		return *out = QE_SEV_CRITICAL, 0;
	return -1;
}

/*
 * Events freed lately, kept with their first block and their arrays for
 * qe_event_new() to use again: the assembler makes one per event, and
 * most are freed before the next begins (one thread makes and frees
 * them).  Not under AddressSanitizer, which is to see a freed event
 * used.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SPARE_EVENTS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPARE_EVENTS 0
#endif
#endif
#ifndef SPARE_EVENTS
#define SPARE_EVENTS 4
#endif
/* arrays longer than this are not kept */
#define SPARE_MAX_ITEMS 64

#if SPARE_EVENTS
static struct qe_event *spare[SPARE_EVENTS];
static size_t nr_spare;
#endif

static struct qe_event *event_alloc(void)
{
#if SPARE_EVENTS
	if (nr_spare)
		return spare[--nr_spare];
#endif
	return qe_xcalloc(1, sizeof(struct qe_event));
}

/* Keep ev for event_alloc(), cleared: 1, or 0 when there is no room. */
static int event_keep(struct qe_event *ev)
{
#if SPARE_EVENTS
	struct qe_event_block *b = ev->blocks, *keep = NULL;
	struct qe_event kept;

	if (nr_spare == SPARE_EVENTS)
		return 0;
	while (b) {
		struct qe_event_block *prev = b->prev;
		if (!keep && b->size == BLOCK_BYTES - sizeof(*b)) {
			keep = b;
		} else {
			free(b);
		}
		b = prev;
	}
	if (keep) {
		keep->prev = NULL;
		keep->used = 0;
	}
	memset(&kept, 0, sizeof(kept));
	kept.blocks = keep;
	if (ev->alloc_lines <= SPARE_MAX_ITEMS) {
		kept.lines = ev->lines;
		kept.alloc_lines = ev->alloc_lines;
	} else {
		free(ev->lines);
	}
	if (ev->alloc_frames <= SPARE_MAX_ITEMS) {
		kept.frames = ev->frames;
		kept.alloc_frames = ev->alloc_frames;
	} else {
		free(ev->frames);
	}
	*ev = kept;
	spare[nr_spare++] = ev;
	return 1;
#else
	(void)ev;
	return 0;
#endif
}

struct qe_event *qe_event_new(const char *kind, const char *rule)
{
	struct qe_event *ev = event_alloc();
	ev->kind = qe_xstrdup(kind ? kind : "line");
	ev->rule = qe_xstrdup(rule ? rule : ev->kind);
	ev->message = qe_xstrdup("");
	ev->severity = QE_SEV_ERROR;
	return ev;
}

void qe_event_free(struct qe_event *ev)
{
	if (!ev)
		return;
	free(ev->kind);
	free(ev->rule);
	free(ev->type);
	free(ev->message);
	free(ev->template);
	if (event_keep(ev))
		return;
	while (ev->blocks) {
		struct qe_event_block *b = ev->blocks;
		ev->blocks = b->prev;
		free(b);
	}
	free(ev->lines);
	free(ev->frames);
	free(ev);
}

/* Room for n bytes in the newest block, or in a new one. */
static char *block_space(struct qe_event *ev, size_t n)
{
	struct qe_event_block *b = ev->blocks;
	char *p;
	if (!b || b->size - b->used < n) {
		size_t size = BLOCK_BYTES - sizeof(*b);
		if (size < n)
			size = n;
		b = qe_xmalloc(sizeof(*b) + size);
		b->prev = ev->blocks;
		b->used = 0;
		b->size = size;
		ev->blocks = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

void qe_event_add_line(struct qe_event *ev, const char *line, size_t len)
{
	char *p = qe_event_strndup(ev, line, len);
	QE_ALLOC_GROW(ev->lines, ev->nr_lines + 1, ev->alloc_lines);
	ev->lines[ev->nr_lines++] = p;
	ev->bytes += len;
}

char *qe_event_strndup(struct qe_event *ev, const char *s, size_t n)
{
	char *p = block_space(ev, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *dup_or_null(const char *s)
{
	return s ? qe_xstrdup(s) : NULL;
}

static char *block_dup(struct qe_event *ev, const char *s)
{
	return s ? qe_event_strndup(ev, s, strlen(s)) : NULL;
}

void qe_event_add_frame(struct qe_event *ev, const struct qe_frame *f)
{
	struct qe_frame *d;
	QE_ALLOC_GROW(ev->frames, ev->nr_frames + 1, ev->alloc_frames);
	d = &ev->frames[ev->nr_frames++];
	d->module = block_dup(ev, f->module);
	d->function = block_dup(ev, f->function);
	d->file = block_dup(ev, f->file);
	d->line = f->line;
	d->in_app = f->in_app;
}

struct qe_event *qe_event_dup(const struct qe_event *ev)
{
	struct qe_event *d = qe_xcalloc(1, sizeof(*d));
	size_t i;
	*d = *ev;
	d->kind = dup_or_null(ev->kind);
	d->rule = dup_or_null(ev->rule);
	d->type = dup_or_null(ev->type);
	d->message = dup_or_null(ev->message);
	d->template = dup_or_null(ev->template);
	d->lines = NULL;
	d->blocks = NULL;
	d->nr_lines = d->alloc_lines = 0;
	d->bytes = 0;
	for (i = 0; i < ev->nr_lines; i++)
		qe_event_add_line(d, ev->lines[i], strlen(ev->lines[i]));
	d->frames = NULL;
	d->nr_frames = d->alloc_frames = 0;
	for (i = 0; i < ev->nr_frames; i++)
		qe_event_add_frame(d, &ev->frames[i]);
	return d;
}
