/*
 * follow_poll: the polling backend of follow.  Every poll_interval_ms it
 * marks the polled sources, polled globs and polled files dirty and
 * reports a tick; follow.c checks them (a stat and an fstat each; nothing
 * is read unless size or mtime changed).  The timer runs only while
 * something is polled, so a follower fully served by inotify sleeps.
 *
 * It serves anything: its watch_* functions accept every item, since
 * polling is what follow.c marks an item for (`polled`).
 */
#include "follow_backend.h"
#include "loop.h"
#include "util.h"

static int needs_poll(struct qe_follow *f)
{
	size_t i;

	for (i = 0; i < f->nr_srcs; i++)
		if (f->srcs[i]->polled || (f->srcs[i]->file && f->srcs[i]->file->polled))
			return 1;
	for (i = 0; i < f->nr_globs; i++)
		if (f->globs[i]->polled)
			return 1;
	for (i = 0; i < f->nr_rotated; i++)
		if (f->rotated[i]->polled)
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
		if (s->polled || (s->file && s->file->polled)) {
			qe_follow_mark(f, s);
			s->recheck = 1;
		}
	}
	for (i = 0; i < f->nr_globs; i++)
		if (f->globs[i]->polled)
			f->globs[i]->dirty = 1;
	for (i = 0; i < f->nr_rotated; i++)
		if (f->rotated[i]->polled)
			f->rotated[i]->dirty = 1;
	qe_follow_changed(f, QE_FOLLOW_CHANGE_TICK);
}

static int poll_init(struct qe_follow *f)
{
	if (f->poll_timer >= 0)
		return 0;
	f->poll_timer = qe_loop_timer_add(f->loop, 1, 0, on_poll, f);
	if (f->poll_timer < 0)
		return -1;
	qe_loop_timer_stop(f->loop, f->poll_timer);
	f->poll_armed = 0;
	f->poll_recount = 1;
	return 0;
}

static void poll_release(struct qe_follow *f)
{
	if (f->loop && f->poll_timer >= 0)
		qe_loop_timer_remove(f->loop, f->poll_timer);
	f->poll_timer = -1;
	f->poll_armed = 0;
}

static int poll_watch_src(struct qe_follow *f, struct qe_follow_src *s)
{
	(void)f;
	(void)s;
	return 0;
}

static void poll_unwatch_src(struct qe_follow *f, struct qe_follow_src *s)
{
	(void)f;
	(void)s;
}

static int poll_watch_file(struct qe_follow *f, struct qe_follow_ffile *file)
{
	(void)f;
	(void)file;
	return 0;
}

static void poll_unwatch_file(struct qe_follow *f, struct qe_follow_ffile *file)
{
	(void)f;
	(void)file;
}

static int poll_watch_glob(struct qe_follow *f, struct qe_follow_glob *g)
{
	(void)f;
	(void)g;
	return 0;
}

static void poll_unwatch_glob(struct qe_follow *f, struct qe_follow_glob *g)
{
	(void)f;
	(void)g;
}

static void poll_watch_attrib(struct qe_follow *f, struct qe_follow_src *s)
{
	(void)f;
	(void)s; /* every poll looks at the path anyway */
}

/* Arm the timer when something is polled, disarm it otherwise.  The
 * items are counted again only after follow.c said where one is served
 * (poll_recount), not after every round. */
static void poll_update(struct qe_follow *f)
{
	uint64_t ms = (uint64_t)f->conf.poll_interval_ms;
	int need;

	if (f->poll_timer < 0 || !f->poll_recount)
		return;
	f->poll_recount = 0;
	need = needs_poll(f);
	if (need && !f->poll_armed) {
		if (qe_loop_timer_set(f->loop, f->poll_timer, ms, ms) == 0)
			f->poll_armed = 1;
		else
			f->poll_recount = 1;
	} else if (!need && f->poll_armed) {
		if (qe_loop_timer_stop(f->loop, f->poll_timer) == 0)
			f->poll_armed = 0;
		else
			f->poll_recount = 1;
	}
}

const struct qe_follow_backend_ops qe_follow_poll_ops = {
    .name = "poll",
    .init = poll_init,
    .release = poll_release,
    .watch_src = poll_watch_src,
    .unwatch_src = poll_unwatch_src,
    .watch_file = poll_watch_file,
    .unwatch_file = poll_unwatch_file,
    .watch_glob = poll_watch_glob,
    .unwatch_glob = poll_unwatch_glob,
    .watch_attrib = poll_watch_attrib,
    .update = poll_update,
};
