/*
 * follow_poll: the polling backend of follow.  Every poll_interval_ms it
 * marks the polled sources, polled globs and rotated files dirty and lets
 * follow.c check them (a stat and an fstat each; nothing is read unless
 * size or mtime changed).  The timer runs only while something needs it,
 * so a fully inotify-served follower sleeps.  In "auto" mode it also
 * retries inotify for paths that fell back (a directory that now exists).
 */
#define QE_FOLLOW_INTERNAL
#include "follow.h"
#include "loop.h"
#include "util.h"

static int needs_poll(struct qe_follow *f)
{
	size_t i;

	if (f->nr_rotated)
		return 1; /* their rotate_wait runs out on this clock */
	for (i = 0; i < f->nr_srcs; i++)
		if (f->srcs[i]->polled)
			return 1;
	for (i = 0; i < f->nr_globs; i++)
		if (f->globs[i]->polled)
			return 1;
	return 0;
}

static void on_poll(struct qe_loop *loop, int timer_id, void *data)
{
	struct qe_follow *f = data;
	size_t i;

	(void)loop;
	(void)timer_id;
	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (!s->polled)
			continue;
		s->dirty = 1;
		if (f->conf.backend != QE_FOLLOW_POLL)
			qe_follow_inotify_watch_src(f, s);
	}
	for (i = 0; i < f->nr_globs; i++) {
		struct qe_follow_glob *g = f->globs[i];
		if (!g->polled)
			continue;
		g->dirty = 1;
		if (f->conf.backend != QE_FOLLOW_POLL)
			qe_follow_inotify_watch_glob(f, g);
	}
	for (i = 0; i < f->nr_rotated; i++)
		if (f->rotated[i]->wd < 0)
			f->rotated[i]->dirty = 1;
	qe_follow_process(f);
}

int qe_follow_poll_init(struct qe_follow *f)
{
	size_t i;

	if (f->poll_timer >= 0)
		return 0;
	f->poll_timer = qe_loop_timer_add(f->loop, 1, 0, on_poll, f);
	if (f->poll_timer < 0)
		return -1;
	qe_loop_timer_stop(f->loop, f->poll_timer);
	f->poll_armed = 0;
	if (f->conf.backend == QE_FOLLOW_POLL || f->ino_fd < 0) {
		for (i = 0; i < f->nr_srcs; i++)
			if (f->srcs[i]->kind != QE_SRC_STDIN)
				f->srcs[i]->polled = 1;
		for (i = 0; i < f->nr_globs; i++)
			f->globs[i]->polled = 1;
	}
	return 0;
}

void qe_follow_poll_update(struct qe_follow *f)
{
	uint64_t ms = (uint64_t)f->conf.poll_interval_ms;
	int need;

	if (f->poll_timer < 0)
		return;
	need = needs_poll(f);
	if (need && !f->poll_armed) {
		if (qe_loop_timer_set(f->loop, f->poll_timer, ms, ms) == 0)
			f->poll_armed = 1;
	} else if (!need && f->poll_armed) {
		if (qe_loop_timer_stop(f->loop, f->poll_timer) == 0)
			f->poll_armed = 0;
	}
}
