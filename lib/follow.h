/*
 * follow: read log files through every kind of rotation, line by line,
 * without losing or repeating a line.
 *
 * A follower holds a set of sources: paths, glob patterns and "-" (stdin).
 * It delivers complete lines (through lib/lines) with their byte positions
 * and tells the caller about source events (opened, rotated, truncated,
 * removed, error).  The caller owns committing positions: it stores the
 * end_pos of the last line it has processed together with the file's
 * identity, and gives it back through the lookup callback on the next run.
 *
 * File identity is st_dev + st_ino + a 64-bit FNV-1a hash of the first
 * head_len (<= 1024) bytes, so that a reused inode number is not taken for
 * the old file.  A saved position is used only when the identity matches
 * and the position is within the file.
 *
 * Rotation kinds handled:
 * - rename + create: the old file is read to its end, QE_FOLLOW_ROTATED is
 *   reported, then the new file at the path is read from 0.  The old file
 *   stays open (marked `rotated`) for rotate_wait_ms so that lines the
 *   writer still appends to it before reopening are delivered too.
 * - copytruncate: size < position, or the head hash changed (truncated and
 *   regrown past the old size between two checks): restart at 0.
 * - delete + recreate, symlink retargeted: the path names another file;
 *   handled as rename + create (stat() follows the link).
 * - delete without recreate: the rest is read, QE_FOLLOW_REMOVED is
 *   reported and the path is watched until it reappears (read from 0).
 *
 * Backends: inotify (watches on each file and its directory; idle costs
 * nothing) and poll (stat every poll_interval_ms).  "auto" uses inotify and
 * polls only the paths inotify cannot serve: network file systems, a full
 * watch table (ENOSPC), directories that do not exist yet, globs with
 * wildcards in the directory part.  Both backends only decide *when* a
 * source is checked; what a check does is the same code.
 *
 * Invariants:
 * - For every file, lines are delivered in file order, each once; end_pos
 *   of one line is start_pos of the next unless bytes were skipped (a cut
 *   line) or the file was truncated (QE_FOLLOW_TRUNCATED comes first).
 * - A file (dev+ino) is read by at most one source at a time; a glob match
 *   of a rotated file that is still open continues where it was.
 * - Nothing prints.  A source that cannot be read (missing, permission
 *   denied, a directory) is reported with QE_FOLLOW_ERROR once per distinct
 *   problem and retried; it never stops the other sources.
 */
#ifndef QE_FOLLOW_H
#define QE_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "lines.h"

struct qe_loop;
struct qe_follow;

enum qe_follow_backend {
	QE_FOLLOW_AUTO,
	QE_FOLLOW_INOTIFY,
	QE_FOLLOW_POLL,
};

/* "auto", "inotify", "poll"; -1 with qe_error() for anything else. */
int qe_follow_backend_parse(const char *name, enum qe_follow_backend *out);

enum qe_follow_event {
	QE_FOLLOW_OPENED,  /* a file is now read at the path (pos says where) */
	QE_FOLLOW_ROTATED, /* the path names a new file; this old one was read to its end
			    */
	QE_FOLLOW_TRUNCATED, /* the file was truncated or rewritten; reading restarts at 0
			      */
	QE_FOLLOW_REMOVED,   /* the path is gone; what remained was read */
	QE_FOLLOW_ERROR,     /* the path cannot be read; msg says why; retried */
	QE_FOLLOW_EOF,	     /* stdin ended (a partial last line was flushed) */
	QE_FOLLOW_CLOSED, /* the file is let go of (user may be freed); no more lines */
};

const char *qe_follow_event_name(enum qe_follow_event ev);

/*
 * What the caller sees of one followed file.  Read-only for the caller
 * except `user`, which it may set (e.g. to its per-file assembler).  Valid
 * until the QE_FOLLOW_ROTATED/REMOVED event for it has returned, or for a
 * rotated file until rotate_wait_ms later (no event).
 */
struct qe_follow_file {
	const char *path;   /* as given, as matched by a glob, or "-" */
	uint64_t dev, ino;  /* 0 for stdin */
	uint64_t head_hash; /* qe_fnv1a of the first head_len bytes */
	uint64_t head_len;  /* <= QE_FOLLOW_HEAD_MAX */
	uint64_t pos;	    /* offset of the next byte to read */
	uint64_t size;	    /* size at the last check (stdin: bytes read) */
	int fd;		    /* -1 when no file is open at the path */
	int is_stdin;
	int rotated; /* old file kept open after rotation: do not commit
		      * its positions under `path`, which names a new file */
	void *user;
};

#define QE_FOLLOW_HEAD_MAX 1024

/* A position saved by an earlier run. */
struct qe_follow_saved {
	uint64_t dev, ino;
	uint64_t head_hash, head_len;
	uint64_t offset;
};

/* line points into a buffer valid only during the call; flags QE_LINE_*. */
typedef void (*qe_follow_line_fn)(struct qe_follow_file *file, const char *line,
				  size_t len, uint64_t start_pos, uint64_t end_pos,
				  unsigned flags, void *data);
/* msg is NULL except for QE_FOLLOW_ERROR. */
typedef void (*qe_follow_event_fn)(struct qe_follow_file *file, enum qe_follow_event ev,
				   const char *msg, void *data);
/* 1 and *out filled when a position was saved for path, 0 when none,
 * -1 on error (treated as none, after a warning). */
typedef int (*qe_follow_lookup_fn)(const char *path, struct qe_follow_saved *out,
				   void *data);

struct qe_follow_conf {
	enum qe_follow_backend backend; /* QE_FOLLOW_AUTO */
	long poll_interval_ms;		/* 1000 */
	long rotate_wait_ms;		/* 5000: how long a rotated file is still read */
	size_t read_buffer_bytes;	/* 262144 */
	size_t max_line_bytes;		/* 65536 */
	int from_beginning; /* files present at start without a saved position: 0, not end
			     */
	qe_follow_line_fn on_line;   /* required */
	qe_follow_event_fn on_event; /* may be NULL */
	qe_follow_lookup_fn lookup;  /* may be NULL */
	/* may be NULL: offered runs of whole lines of a file before they are
	 * delivered, returns how many bytes to pass over (lines.h's
	 * qe_line_skip_fn) */
	size_t (*skip)(struct qe_follow_file *file, const char *p, size_t n, uint64_t pos,
		       void *data);
	/* may be NULL: polled between reads; non-zero stops reading (the
	 * rest is read by the next call, or the next run) */
	int (*interrupted)(void *data);
	void *data; /* passed to the callbacks */
};

/* Defaults above; callbacks NULL. */
void qe_follow_conf_init(struct qe_follow_conf *conf);

struct qe_follow_counters {
	uint64_t lines;		  /* lines delivered */
	uint64_t bytes;		  /* bytes read */
	uint64_t truncated_lines; /* lines cut at max_line_bytes */
	uint64_t skipped_bytes;	  /* bytes of cut lines not delivered */
	uint64_t nul_bytes;	  /* NUL bytes dropped or replaced in lines */
	uint64_t utf16_bytes;	  /* bytes of UTF-16 text, not read as lines */
	uint64_t rotations;
	uint64_t truncations;
};

/* The loop must outlive the follower.  NULL with qe_error() set. */
struct qe_follow *qe_follow_new(const struct qe_follow_conf *conf, struct qe_loop *loop);
void qe_follow_free(struct qe_follow *f); /* NULL-safe; closes files, removes watches */

/* Add a path, a glob pattern (has * ? or [) or "-".  Before qe_follow_start()
 * these are the initial sources.  -1 for an empty spec or a second "-";
 * a path that does not exist is not an error (it is waited for). */
int qe_follow_add(struct qe_follow *f, const char *spec);

/* Open every source at its start position and begin watching. */
int qe_follow_start(struct qe_follow *f);

/* Check every source and glob now, as after an inotify queue overflow: no
 * line is lost, the check finds what changed.  Called by the inotify
 * backend on IN_Q_OVERFLOW. */
void qe_follow_rescan(struct qe_follow *f);

/* --once: check and read every file to its current end, read stdin to its
 * end (blocking), then deliver stdin's partial last line (a file's partial
 * last line is left for the next run, which reads it whole).  Usable without
 * qe_follow_start() (it starts the sources itself, without watching). */
int qe_follow_read_once(struct qe_follow *f);

/* Deliver every carried partial line (flagged QE_LINE_PARTIAL). */
void qe_follow_flush(struct qe_follow *f);

/* 1 when only stdin is followed and it has ended (nothing left to do). */
int qe_follow_done(const struct qe_follow *f);

void qe_follow_get_counters(const struct qe_follow *f, struct qe_follow_counters *out);

/* Every source (and every rotated file still open), for `stats`.  Stops
 * early when fn returns non-zero. */
typedef int (*qe_follow_each_fn)(const struct qe_follow_file *file, void *data);
void qe_follow_each(const struct qe_follow *f, qe_follow_each_fn fn, void *data);

/* Which backend a source uses right now: "inotify", "poll" or "stdin". */
const char *qe_follow_file_backend(const struct qe_follow *f,
				   const struct qe_follow_file *file);

/*
 * Backend interface, shared by follow.c, follow_inotify.c and follow_poll.c
 * only (they define QE_FOLLOW_INTERNAL).  Not for callers.
 */
#ifdef QE_FOLLOW_INTERNAL

enum qe_follow_src_kind {
	QE_SRC_PATH,  /* given by the caller: waited for when missing */
	QE_SRC_MATCH, /* matched by a glob: dropped when it disappears */
	QE_SRC_STDIN,
};

/* One open file (inode). */
struct qe_follow_ffile {
	struct qe_follow_file pub;
	char *path; /* pub.path points here */
	struct qe_lines lines;
	struct qe_follow_src *src; /* NULL once rotated */
	int wd;			   /* inotify watch on the inode, -1 when none */
	int dirty;
	uint64_t deadline_ms; /* rotated: when to stop reading it */
	uint64_t seen_size;   /* at the last check: skip work when unchanged */
	int64_t seen_mtime_ns;
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
	int polled; /* inotify cannot serve this path: stat it every interval */
	int dirty;
	int dead; /* to be freed at the end of this round */
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

struct qe_follow {
	struct qe_follow_conf conf;
	struct qe_loop *loop;
	char *buf; /* one read buffer for all sources */
	struct qe_follow_src **srcs;
	size_t nr_srcs, alloc_srcs;
	struct qe_follow_ffile **rotated;
	size_t nr_rotated, alloc_rotated;
	struct qe_follow_glob **globs;
	size_t nr_globs, alloc_globs;
	int started, watching, starting, processing, unbounded;
	int ino_fd;
	int poll_timer, poll_armed;
	int kick_timer;
	int enospc_warned;
	struct qe_follow_counters retired; /* counters of files already closed */
};

void qe_follow_process(struct qe_follow *f);

int qe_follow_inotify_init(struct qe_follow *f);
void qe_follow_inotify_release(struct qe_follow *f);
/* Watch what a source needs; sets s->polled when inotify cannot serve it. */
void qe_follow_inotify_watch_src(struct qe_follow *f, struct qe_follow_src *s);
void qe_follow_inotify_unwatch_src(struct qe_follow *f, struct qe_follow_src *s);
void qe_follow_inotify_watch_file(struct qe_follow *f, struct qe_follow_ffile *file);
void qe_follow_inotify_unwatch_file(struct qe_follow *f, struct qe_follow_ffile *file);
void qe_follow_inotify_watch_glob(struct qe_follow *f, struct qe_follow_glob *g);
void qe_follow_inotify_unwatch_glob(struct qe_follow *f, struct qe_follow_glob *g);

int qe_follow_poll_init(struct qe_follow *f);
/* Arm the poll timer when something needs it, disarm it otherwise. */
void qe_follow_poll_update(struct qe_follow *f);

#endif /* QE_FOLLOW_INTERNAL */

#endif
