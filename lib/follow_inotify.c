/*
 * follow_inotify: the inotify backend of follow.  Events only mark sources
 * dirty; follow.c decides what changed.  A watch on each file's inode
 * (modify, attrib, move/delete self) and on each directory holding a
 * followed path or a glob (create, move, delete) covers every rotation
 * kind.  For a path inotify cannot serve (a network file system, a full
 * watch table) watch_* return -1 and follow.c polls it.
 *
 * What a burst of writes to many files costs: the first event pauses the
 * one-shot descriptor for QE_FOLLOW_SETTLE_MS, then one read takes all
 * that queued meanwhile; an event on a file's own watch is a lookup in a
 * table by watch descriptor, and only directories' events go through a
 * pass over the sources.
 */
#include "follow_backend.h"
#include "loop.h"
#include "util.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define FILE_MASK (IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)
/*
 * Directories: IN_ATTRIB only for a source that had an error (src->attrib).
 * On a directory it also asks for its files' attribute changes, and the
 * kernel then sends every read and write of every file in it (ours and
 * the writers') through the slow path of fsnotify, to look at the
 * directory's watch.  IN_MASK_ADD: sources and globs share a directory's
 * watch, and one asking for less must not take from another's mask.
 */
#define DIR_MASK                                                                         \
	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MOVE_SELF |            \
	 IN_DELETE_SELF | IN_ONLYDIR | IN_MASK_ADD)

/*
 * File systems where inotify does not see writes made by other hosts (or
 * by the FUSE daemon's own backend): those paths are polled.
 */
static int is_remote_fs(const char *dir)
{
	static const long magic[] = {
	    0x6969,	      /* NFS */
	    0x517b,	      /* SMB */
	    (long)0xff534d42, /* CIFS */
	    (long)0xfe534d42, /* SMB2 */
	    0x65735546,	      /* FUSE */
	    0x73757245,	      /* CODA */
	    0x5346414f,	      /* AFS */
	    0x01021997,	      /* 9P / v9fs */
	    0x00c36400,	      /* CEPH */
	    0x01161970,	      /* GFS2 */
	    0x7461636f,	      /* OCFS2 */
	    0x0bd00bd0,	      /* LUSTRE */
	    0x47504653,	      /* GPFS */
	};
	struct statfs sf;
	size_t i;

	if (statfs(dir, &sf) < 0)
		return 0;
	for (i = 0; i < QE_ARRAY_SIZE(magic); i++)
		if ((long)(unsigned int)sf.f_type == (long)(unsigned int)magic[i])
			return 1;
	return 0;
}

static char *dir_of(const char *path)
{
	char *copy = qe_xstrdup(path);
	char *d = qe_xstrdup(dirname(copy));
	free(copy);
	return d;
}

/* Add a watch; -1 when this path must be polled instead. */
static int add_watch(struct qe_follow *f, const char *path, uint32_t mask)
{
	int wd;

	if (f->ino_fd < 0)
		return -1;
	wd = inotify_add_watch(f->ino_fd, path, mask);
	if (wd >= 0)
		return wd;
	if (errno == ENOSPC && !f->enospc_warned) {
		f->enospc_warned = 1;
		qe_warning(
		    "inotify watch limit reached (raise sysctl "
		    "fs.inotify.max_user_watches); polling '%s' and any further paths",
		    path);
	}
	return -1;
}

static int wd_used(struct qe_follow *f, int wd)
{
	size_t i;

	/* NULL slots: entries being freed while a list is compacted. */
	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (!s)
			continue;
		if (s->dir_wd == wd || s->tdir_wd == wd || (s->file && s->file->wd == wd))
			return 1;
	}
	for (i = 0; i < f->nr_rotated; i++)
		if (f->rotated[i] && f->rotated[i]->wd == wd)
			return 1;
	for (i = 0; i < f->nr_globs; i++)
		if (f->globs[i]->dir_wd == wd)
			return 1;
	return 0;
}

/* inotify returns the same wd for the same inode, so a watch shared by
 * several sources is removed only by its last user. */
static void drop_watch(struct qe_follow *f, int *wdp)
{
	int wd = *wdp;

	*wdp = -1;
	if (wd < 0 || f->ino_fd < 0 || wd_used(f, wd))
		return;
	inotify_rm_watch(f->ino_fd, wd);
}

static int ino_watch_src(struct qe_follow *f, struct qe_follow_src *s)
{
	uint32_t mask = DIR_MASK | (s->attrib ? IN_ATTRIB : 0);
	struct stat st;
	char *dir;
	int ok = 1;

	if (f->ino_fd < 0)
		return -1;
	dir = dir_of(s->path);
	if (s->dir_wd < 0 && !is_remote_fs(dir))
		s->dir_wd = add_watch(f, dir, mask);
	if (s->dir_wd < 0)
		ok = 0;
	free(dir);
	/* A symlink: its target may be rotated in another directory. */
	if (ok && s->tdir_wd < 0 && lstat(s->path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(s->path, NULL);
		if (real) {
			char *tdir = dir_of(real);
			if (!is_remote_fs(tdir))
				s->tdir_wd = add_watch(f, tdir, mask);
			if (s->tdir_wd < 0)
				ok = 0;
			free(tdir);
			free(real);
		}
	}
	return ok ? 0 : -1;
}

static void ino_unwatch_src(struct qe_follow *f, struct qe_follow_src *s)
{
	drop_watch(f, &s->dir_wd);
	drop_watch(f, &s->tdir_wd);
}

/* Add IN_ATTRIB to the source's directory watches: the same watches
 * (inotify gives the same descriptor for the same directory), asked
 * again with the larger mask. */
static void ino_watch_attrib(struct qe_follow *f, struct qe_follow_src *s)
{
	int dir = s->dir_wd, tdir = s->tdir_wd;

	s->attrib = 1;
	if (dir < 0 && tdir < 0)
		return; /* asked for when the watches are made */
	s->dir_wd = s->tdir_wd = -1;
	ino_watch_src(f, s);
	/* one that cannot be asked again (gone meanwhile) stays as it was,
	 * for the events that say what happened; one that names another
	 * directory by now goes */
	if (s->dir_wd < 0)
		s->dir_wd = dir;
	else if (dir >= 0 && dir != s->dir_wd && dir != s->tdir_wd)
		drop_watch(f, &dir);
	if (s->tdir_wd < 0)
		s->tdir_wd = tdir;
	else if (tdir >= 0 && tdir != s->dir_wd && tdir != s->tdir_wd)
		drop_watch(f, &tdir);
}

static size_t wd_slot(const struct qe_follow *f, int wd)
{
	return ((size_t)(unsigned)wd * 2654435761u) & (f->ino_cap - 1);
}

/* The file watched by wd, or NULL (a directory's watch, or none). */
static struct qe_follow_ffile *wd_file(const struct qe_follow *f, int wd)
{
	size_t i;

	if (!f->ino_cap || wd < 0)
		return NULL;
	for (i = wd_slot(f, wd); f->ino_keys[i] >= 0; i = (i + 1) & (f->ino_cap - 1))
		if (f->ino_keys[i] == wd)
			return f->ino_files[i];
	return NULL;
}

static void wd_put(struct qe_follow *f, int wd, struct qe_follow_ffile *file)
{
	size_t i;

	if ((f->ino_n + 1) * 2 > f->ino_cap) {
		int *keys = f->ino_keys;
		struct qe_follow_ffile **files = f->ino_files;
		size_t old = f->ino_cap, j;
		f->ino_cap = old ? old * 2 : 64;
		f->ino_keys = qe_xmalloc(f->ino_cap * sizeof(*f->ino_keys));
		f->ino_files = qe_xcalloc(f->ino_cap, sizeof(*f->ino_files));
		memset(f->ino_keys, 0xff, f->ino_cap * sizeof(*f->ino_keys));
		f->ino_n = 0;
		for (j = 0; j < old; j++)
			if (keys[j] >= 0)
				wd_put(f, keys[j], files[j]);
		free(keys);
		free(files);
	}
	for (i = wd_slot(f, wd); f->ino_keys[i] >= 0; i = (i + 1) & (f->ino_cap - 1))
		if (f->ino_keys[i] == wd) {
			f->ino_files[i] = file;
			return;
		}
	f->ino_keys[i] = wd;
	f->ino_files[i] = file;
	f->ino_n++;
}

static void wd_del(struct qe_follow *f, int wd)
{
	size_t i, j, mask = f->ino_cap - 1;

	if (!f->ino_cap || wd < 0)
		return;
	for (i = wd_slot(f, wd); f->ino_keys[i] != wd; i = (i + 1) & mask)
		if (f->ino_keys[i] < 0)
			return;
	/* Backward shift: the entries after it that probed past i move up. */
	for (j = (i + 1) & mask; f->ino_keys[j] >= 0; j = (j + 1) & mask) {
		size_t home = wd_slot(f, f->ino_keys[j]);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			f->ino_keys[i] = f->ino_keys[j];
			f->ino_files[i] = f->ino_files[j];
			i = j;
		}
	}
	f->ino_keys[i] = -1;
	f->ino_files[i] = NULL;
	f->ino_n--;
}

static int ino_watch_file(struct qe_follow *f, struct qe_follow_ffile *file)
{
	char proc[64];

	if (f->ino_fd < 0 || file->pub.fd < 0)
		return -1;
	if (file->wd >= 0)
		return 0;
	/* Watch the inode we have open, not whatever the path names by now:
	 * /proc/self/fd/N resolves to the open file even after a rename. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", file->pub.fd);
	file->wd = inotify_add_watch(f->ino_fd, proc, FILE_MASK);
	if (file->wd < 0 && errno != ENOSPC)
		file->wd = add_watch(f, file->path, FILE_MASK);
	if (file->wd < 0 && errno == ENOSPC)
		add_watch(f, file->path, FILE_MASK); /* for the warning */
	if (file->wd < 0)
		return -1;
	wd_put(f, file->wd, file);
	return 0;
}

static void ino_unwatch_file(struct qe_follow *f, struct qe_follow_ffile *file)
{
	if (wd_file(f, file->wd) == file)
		wd_del(f, file->wd);
	drop_watch(f, &file->wd);
}

static int ino_watch_glob(struct qe_follow *f, struct qe_follow_glob *g)
{
	if (!g->dir || f->ino_fd < 0)
		return -1;
	if (g->dir_wd >= 0)
		return 0;
	if (is_remote_fs(g->dir))
		return -1;
	g->dir_wd = add_watch(f, g->dir, DIR_MASK);
	return g->dir_wd < 0 ? -1 : 0;
}

static void ino_unwatch_glob(struct qe_follow *f, struct qe_follow_glob *g)
{
	drop_watch(f, &g->dir_wd);
}

/* The watch descriptors of one read of events, as bits: seen, and gone
 * (IN_IGNORED, the last event of a watch).  Sources are then looked at
 * once per read, not once per event: with many files followed, a burst
 * of writes costs one pass over the sources. */
struct wd_set {
	uint64_t *seen, *gone, *meta; /* meta: more than new bytes (a move, a delete) */
	size_t words;
};

static int wd_in(const uint64_t *bits, size_t words, int wd)
{
	return wd >= 0 && (size_t)wd / 64 < words && ((bits[wd / 64] >> (wd % 64)) & 1);
}

static void mark_set(struct qe_follow *f, const struct wd_set *w)
{
	size_t i, n = w->words;

	f->rewatch = 1;
	/* NULL slots: entries being freed while a list is compacted. */
	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (!s)
			continue;
		if (wd_in(w->seen, n, s->dir_wd) || wd_in(w->seen, n, s->tdir_wd)) {
			qe_follow_mark(f, s);
			s->recheck = 1;
			/* The directory went away: follow.c polls the source
			 * until it is back. */
			if (wd_in(w->gone, n, s->dir_wd))
				s->dir_wd = -1;
			if (wd_in(w->gone, n, s->tdir_wd))
				s->tdir_wd = -1;
		}
		if (s->file && wd_in(w->seen, n, s->file->wd)) {
			qe_follow_mark(f, s);
			if (wd_in(w->meta, n, s->file->wd))
				s->recheck = 1;
			if (wd_in(w->gone, n, s->file->wd)) {
				if (wd_file(f, s->file->wd) == s->file)
					wd_del(f, s->file->wd);
				s->file->wd = -1;
			}
		}
	}
	for (i = 0; i < f->nr_rotated; i++)
		if (wd_in(w->seen, n, f->rotated[i]->wd)) {
			f->rotated[i]->dirty = 1;
			if (wd_in(w->gone, n, f->rotated[i]->wd)) {
				if (wd_file(f, f->rotated[i]->wd) == f->rotated[i])
					wd_del(f, f->rotated[i]->wd);
				f->rotated[i]->wd = -1;
			}
		}
	for (i = 0; i < f->nr_globs; i++)
		if (wd_in(w->seen, n, f->globs[i]->dir_wd)) {
			f->globs[i]->dirty = 1;
			if (wd_in(w->gone, n, f->globs[i]->dir_wd))
				f->globs[i]->dir_wd = -1;
		}
}

/* An event on a file's own watch: marked here, with no pass over the
 * sources.  0 when wd is not a file's (a directory's, or gone). */
static int mark_file(struct qe_follow *f, const struct inotify_event *ev)
{
	struct qe_follow_ffile *file = wd_file(f, ev->wd);
	int meta = (ev->mask & ~(uint32_t)(IN_MODIFY | IN_CLOSE_WRITE)) != 0;

	if (!file || file->wd != ev->wd)
		return 0;
	if (file->src && file->src->file == file) {
		qe_follow_mark(f, file->src);
		if (meta)
			file->src->recheck = f->rewatch = 1;
	} else {
		file->dirty = 1; /* rotated */
	}
	if (ev->mask & IN_IGNORED) {
		wd_del(f, ev->wd);
		file->wd = -1;
	}
	return 1;
}

/* The largest event a read returns: a name of NAME_MAX bytes, its NUL
 * and padding. */
#define INO_EVENT_MAX (sizeof(struct inotify_event) + NAME_MAX + 1)

/* Everything queued: mark what it names, then one round for all of it. */
static void ino_read(struct qe_follow *f, int fd)
{
	char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
	int overflow = 0, drained;

	for (drained = 0; !drained;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		struct wd_set w = {NULL, NULL, NULL, 0};
		struct inotify_event *ev;
		int max_wd = -1;
		char *p;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* A read takes every queued event that fits: room left for the
		 * largest one means the queue was empty, and what comes later
		 * wakes the loop (the descriptor was armed again before this
		 * read).  No second read to be told EAGAIN. */
		drained = (size_t)n <= sizeof(buf) - INO_EVENT_MAX;
		/* Files' own events first; what is left (directories) goes
		 * through the sets. */
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (struct inotify_event *)(void *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				overflow = 1;
			else if (mark_file(f, ev))
				ev->wd = -1;
			else if (ev->wd > max_wd)
				max_wd = ev->wd;
		}
		if (max_wd < 0)
			continue;
		w.words = (size_t)max_wd / 64 + 1;
		w.seen = qe_xcalloc(3 * w.words, sizeof(*w.seen));
		w.gone = w.seen + w.words;
		w.meta = w.gone + w.words;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (struct inotify_event *)(void *)p;
			if ((ev->mask & IN_Q_OVERFLOW) || ev->wd < 0)
				continue;
			w.seen[ev->wd / 64] |= (uint64_t)1 << (ev->wd % 64);
			if (ev->mask & IN_IGNORED)
				w.gone[ev->wd / 64] |= (uint64_t)1 << (ev->wd % 64);
			if (ev->mask & ~(uint32_t)(IN_MODIFY | IN_CLOSE_WRITE))
				w.meta[ev->wd / 64] |= (uint64_t)1 << (ev->wd % 64);
		}
		mark_set(f, &w);
		free(w.seen);
	}
	/* Events were dropped: look at everything.  Positions are kept per
	 * file, so a rescan finds every byte that is new. */
	qe_follow_changed(f,
			  overflow ? QE_FOLLOW_CHANGE_OVERFLOW : QE_FOLLOW_CHANGE_EVENTS);
}

/*
 * The first event of a burst is not read at once: the descriptor is
 * registered one-shot, so the loop leaves it alone after that event, and
 * for QE_FOLLOW_SETTLE_MS the kernel queues what else is written; one
 * round then reads every file written to in the meantime.  With many
 * files written to, a round per write was a pass over all of them per
 * write.  (Paused one-shot, the writes in between do not wake the loop
 * either; a registration modified to no events did, once per write.)  A
 * queue that overflows in the meantime is a rescan (no line is lost).
 */
#define INO_EVENTS (QE_LOOP_READ | QE_LOOP_ONESHOT)

static void on_inotify(struct qe_loop *loop, int fd, unsigned events, void *data)
{
	struct qe_follow *f = data;

	(void)events;
	if (f->ino_timer >= 0 &&
	    qe_loop_timer_set(loop, f->ino_timer, QE_FOLLOW_SETTLE_MS, 0) == 0)
		return;
	if (qe_loop_fd_modify(loop, fd, INO_EVENTS) < 0)
		qe_warning("%s", qe_last_error());
	ino_read(f, fd);
}

static void on_settle(struct qe_loop *loop, int timer_id, void *data)
{
	struct qe_follow *f = data;

	(void)timer_id;
	/* armed again first: what comes while this round reads wakes the
	 * next one */
	if (qe_loop_fd_modify(loop, f->ino_fd, INO_EVENTS) < 0)
		qe_warning("%s", qe_last_error());
	ino_read(f, f->ino_fd);
}

static int ino_init(struct qe_follow *f)
{
	if (f->ino_fd >= 0)
		return 0;
	f->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (f->ino_fd < 0)
		return qe_error("cannot use inotify: %s", strerror(errno));
	if (qe_loop_fd_add(f->loop, f->ino_fd, INO_EVENTS, on_inotify, f) < 0) {
		close(f->ino_fd);
		f->ino_fd = -1;
		return -1;
	}
	/* Without the timer every event is read at once. */
	f->ino_timer = qe_loop_timer_add(f->loop, 1, 0, on_settle, f);
	if (f->ino_timer >= 0)
		qe_loop_timer_stop(f->loop, f->ino_timer);
	return 0;
}

static void ino_release(struct qe_follow *f)
{
	if (f->ino_fd < 0)
		return;
	if (f->loop)
		qe_loop_fd_remove(f->loop, f->ino_fd);
	if (f->loop && f->ino_timer >= 0)
		qe_loop_timer_remove(f->loop, f->ino_timer);
	f->ino_timer = -1;
	free(f->ino_keys);
	free(f->ino_files);
	f->ino_keys = NULL;
	f->ino_files = NULL;
	f->ino_cap = f->ino_n = 0;
	close(f->ino_fd);
	f->ino_fd = -1;
}

static void ino_update(struct qe_follow *f)
{
	(void)f; /* events come by themselves */
}

const struct qe_follow_backend_ops qe_follow_inotify_ops = {
    .name = "inotify",
    .init = ino_init,
    .release = ino_release,
    .watch_src = ino_watch_src,
    .unwatch_src = ino_unwatch_src,
    .watch_file = ino_watch_file,
    .unwatch_file = ino_unwatch_file,
    .watch_glob = ino_watch_glob,
    .unwatch_glob = ino_unwatch_glob,
    .watch_attrib = ino_watch_attrib,
    .update = ino_update,
};
