/*
 * follow_backend: what follow.c shares with its two watch backends,
 * follow_inotify.c and follow_poll.c.  Not for callers of follow.h.
 *
 * A backend decides only *when* something is looked at: it marks sources,
 * globs and files dirty and calls qe_follow_changed(); what a check does
 * (stat, identity, rotation, reading) is follow.c's alone.  follow.c picks
 * the backend and falls back to polling for whatever the event backend
 * cannot serve (watch_* returning -1); the backends never call each other.
 *
 * Each field of the structures below is owned by one side: `dirty` is set
 * by backends (through qe_follow_mark()) and cleared by follow.c; `polled` is follow.c's
 * record of which backend serves an item; the watch descriptors (`wd`, `dir_wd`,
 * `tdir_wd`) belong to the inotify backend.
 */
#ifndef QE_FOLLOW_BACKEND_H
#define QE_FOLLOW_BACKEND_H

#include "follow.h"

enum qe_follow_src_kind {
	QE_SRC_PATH,  /* given by the caller: waited for when missing */
	QE_SRC_MATCH, /* matched by a glob: dropped when it disappears */
	QE_SRC_STDIN,
};

/* Bytes before the position that a read after a write event checks. */
#define QE_FOLLOW_TAIL_CHECK 64

/* One file (inode) being read.  Its descriptor may be closed to keep
 * within the descriptor budget (`parked`, pub.fd < 0): it is reopened by
 * path, identity checked, when there is something new to read. */
struct qe_follow_ffile {
	struct qe_follow_file pub;
	char *path; /* pub.path points here */
	struct qe_lines lines;
	struct qe_follow_src *src; /* NULL once rotated */
	int wd;			   /* inotify watch on the inode, -1 when none */
	int polled;		   /* no event watch: the poll backend marks it */
	int dirty;
	int parked;    /* descriptor closed for the budget */
	int fed;       /* rotated: lines delivered since the last CAUGHT_UP */
	uint64_t used; /* f->use_clock at the last read: least recent parked first */
	uint64_t deadline_ms; /* rotated: when to stop reading it */
	uint64_t seen_size;   /* at the last check: skip work when unchanged */
	int64_t seen_mtime_ns;
	/* The head bytes pub.head_hash was last computed from (compared
	 * instead of hashed again): valid when head_copy_len and
	 * head_copy_hash equal pub.head_len and pub.head_hash. */
	unsigned char *head_copy;
	uint64_t head_copy_len, head_copy_hash;
	/* The last tail_len bytes read, those just before pub.pos (0 when
	 * pos moved otherwise): a read after an inotify write event starts
	 * that much early and compares them, instead of an fstat and a
	 * read of the head (follow.c's refresh_written()). */
	unsigned char tail[QE_FOLLOW_TAIL_CHECK];
	size_t tail_len;
};

/* A path being followed. */
struct qe_follow_src {
	struct qe_follow *owner;
	char *path;
	enum qe_follow_src_kind kind;
	struct qe_follow_ffile *file; /* NULL when nothing is open at the path */
	struct qe_follow_file idle;   /* what the caller sees while file is NULL */
	int initial;		      /* present at start: saved position or end, not 0 */
	int dir_wd;		      /* inotify watch on the directory, -1 when none */
	int tdir_wd;		      /* on a symlink target's directory, -1 when none */
	int polled;  /* the event backend cannot serve this path: polled */
	int attrib;  /* had an error: its directories report attribute changes */
	int dirty;   /* set with qe_follow_mark() only */
	int queued;  /* on f->dirtyq */
	size_t idx;  /* in f->srcs */
	int recheck; /* with dirty: the path may name another file now (not only
		      * new bytes in the one open): look at it again */
	int dead;    /* to be freed at the end of this round */
	int skipped; /* compressed: never read */
	int stdin_pollable;
	int eof;
	char *err; /* last error reported, to report each problem once */
};

struct qe_follow_glob {
	char *pattern;
	char *dir; /* NULL when the directory part has wildcards: polled */
	int dir_wd;
	int polled;
	int dirty;
};

/*
 * A watch backend.  watch_* return 0 when the backend now serves the item
 * (or already did), -1 when it cannot (follow.c then polls it); unwatch_*
 * are safe on items never watched.  update() runs after every round.
 */
struct qe_follow_backend_ops {
	const char *name;
	int (*init)(struct qe_follow *f); /* -1 with qe_error(): unusable */
	void (*release)(struct qe_follow *f);
	int (*watch_src)(struct qe_follow *f, struct qe_follow_src *s);
	void (*unwatch_src)(struct qe_follow *f, struct qe_follow_src *s);
	int (*watch_file)(struct qe_follow *f, struct qe_follow_ffile *file);
	void (*unwatch_file)(struct qe_follow *f, struct qe_follow_ffile *file);
	int (*watch_glob)(struct qe_follow *f, struct qe_follow_glob *g);
	void (*unwatch_glob)(struct qe_follow *f, struct qe_follow_glob *g);
	/* s could not be opened or looked at: a change of permissions (of
	 * the file or of its directory) must wake it from now on */
	void (*watch_attrib)(struct qe_follow *f, struct qe_follow_src *s);
	void (*update)(struct qe_follow *f);
};

extern const struct qe_follow_backend_ops qe_follow_inotify_ops;
extern const struct qe_follow_backend_ops qe_follow_poll_ops;

struct qe_follow {
	struct qe_follow_conf conf;
	struct qe_loop *loop;
	const struct qe_follow_backend_ops *events; /* inotify, or NULL: poll only */
	char *buf;				    /* one read buffer for all sources */
	char *buf2; /* for old files read while buf holds a new file's bytes */
	struct qe_follow_src **srcs;
	size_t nr_srcs, alloc_srcs;
	/* The sources marked dirty, each once: a round takes these (into
	 * workq) instead of a pass over every source, so that a write to one
	 * file of thousands costs the same as to one file of one. */
	struct qe_follow_src **dirtyq, **workq;
	size_t nr_dirtyq, alloc_dirtyq, nr_workq, alloc_workq;
	struct qe_follow_ffile **rotated;
	size_t nr_rotated, alloc_rotated;
	struct qe_follow_glob **globs;
	size_t nr_globs, alloc_globs;
	int started, watching, starting, processing, unbounded;
	int rewatch; /* a source may need its watches again (set with recheck by
		      * the backends and src_new): qe_follow_changed() looks */
	int reap;    /* a source is dead: the round frees it */
	int kick_timer, wait_timer;
	uint64_t wait_at; /* the deadline wait_timer is armed for, 0 = none */
	size_t nr_open;	  /* descriptors held for files (stdin not counted) */
	size_t max_open;  /* the budget: never more than this */
	uint64_t use_clock;
	struct qe_follow_counters retired; /* counters of files already closed */

	/* inotify backend */
	int ino_fd;
	int ino_timer; /* the settle window (QE_FOLLOW_SETTLE_MS) */
	/* file watch descriptor -> its file (open addressing, -1 = free):
	 * one inode has one file, so a write event is a lookup */
	int *ino_keys;
	struct qe_follow_ffile **ino_files;
	size_t ino_cap, ino_n;
	int enospc_warned;
	/* poll backend */
	int poll_timer, poll_armed;
	int poll_recount; /* a polled flag may have changed: is the timer needed? */
};

enum qe_follow_change {
	QE_FOLLOW_CHANGE_EVENTS,   /* something was marked dirty */
	QE_FOLLOW_CHANGE_OVERFLOW, /* events were lost: check everything */
	QE_FOLLOW_CHANGE_TICK,	   /* the poll interval passed */
};

/* Mark a source dirty (and queue it for the next round): the only way a
 * source becomes dirty. */
void qe_follow_mark(struct qe_follow *f, struct qe_follow_src *s);

/* A backend reports here, after marking what changed dirty. */
void qe_follow_changed(struct qe_follow *f, enum qe_follow_change why);

#endif
