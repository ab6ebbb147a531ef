/*
 * follow: read log files through every kind of rotation, line by line,
 * without losing or repeating a line.
 *
 * A follower holds a set of sources: paths, glob patterns and "-" (stdin).
 * It delivers complete lines (through lib/lines) with their byte positions
 * and tells the caller about source events (opened, rotated, truncated,
 * removed, error).  The caller owns committing positions: it stores the
 * end_pos of the last line it has processed under the file's identity,
 * for every file it was told about (rotated ones too), and gives them back
 * through the lookup callback.
 *
 * File identity is st_dev + st_ino + a 64-bit FNV-1a hash of the first
 * head_len (<= 1024) bytes, so that a reused inode number is not taken for
 * the old file.  A saved position is used only when the identity matches
 * and the position is within the file.  Positions are looked up by
 * identity whenever a file is opened, so a file seen again under another
 * name (a glob over rotated names) continues where it was.  At start, the
 * files last followed under a path that now names another file (rotated
 * while we were not running) are looked for by identity in the path's
 * directory (and its symlink target's): their unread rest is read first,
 * as rotated files, then the new file from 0.
 *
 * Rotation kinds handled:
 * - rename + create: the old file is read to its end, QE_FOLLOW_ROTATED is
 *   reported, then the new file at the path is read from 0.  The old file
 *   stays open (marked `rotated`) for rotate_wait_ms so that lines the
 *   writer still appends to it before reopening are delivered too.
 * - copytruncate: size < position, or the head hash changed (truncated and
 *   regrown past the old size between two checks): restart at 0.  A file
 *   that inotify says was only written to is read on without a look at
 *   its size or head while the bytes just before its position are still
 *   those read there (QE_FOLLOW_TAIL_CHECK of them, read along with the
 *   new ones); others, fewer (truncated) or none known yet: the checks
 *   above.
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
 * - A compressed file (gzip, bzip2, xz, zstd, by its first bytes; or
 *   by its name: .gz .bz2 .xz .zst .lz4 .zip .Z) is never read as text: it is reported
 * with QE_FOLLOW_ERROR once and counted.
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
	QE_FOLLOW_CAUGHT_UP, /* a rotated file's lines so far are all delivered and the
			      * new file at its path is about to deliver more: close
			      * what is held open for the old one (an event), so that
			      * one source's events stay in order */
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
	int rotated; /* old file kept open after rotation (or found again at
		      * start): `path` is where it was followed, which names
		      * another file by now; save it as rotated */
	void *user;
};

#define QE_FOLLOW_HEAD_MAX 1024

/* inotify: how long the first event of a burst waits for the others,
 * so that one round reads every file written to meanwhile (the bound
 * on what it adds to the time from a write to its line). */
#define QE_FOLLOW_SETTLE_MS 5

/* A position saved by an earlier run, for one file identity. */
struct qe_follow_saved {
	uint64_t dev, ino;
	uint64_t head_hash, head_len;
	uint64_t offset;
};

#define QE_FOLLOW_SAVED_MAX 16

/* line points into a buffer valid only during the call; flags QE_LINE_*. */
typedef void (*qe_follow_line_fn)(struct qe_follow_file *file, const char *line,
				  size_t len, uint64_t start_pos, uint64_t end_pos,
				  unsigned flags, void *data);
/* msg is NULL except for QE_FOLLOW_ERROR. */
typedef void (*qe_follow_event_fn)(struct qe_follow_file *file, enum qe_follow_event ev,
				   const char *msg, void *data);
/*
 * Positions saved by an earlier run: the one of the file (dev, ino) if
 * any, first, then those saved for files last followed under path (the
 * file there then, rotated files), newest first.  Fills at most max
 * entries and returns how many; -1 on error (treated as none, after a
 * warning).
 */
typedef int (*qe_follow_lookup_fn)(const char *path, uint64_t dev, uint64_t ino,
				   struct qe_follow_saved *out, size_t max, void *data);

struct qe_follow_conf {
	enum qe_follow_backend backend; /* QE_FOLLOW_AUTO */
	long poll_interval_ms;		/* 1000 */
	long rotate_wait_ms;		/* 5000: how long a rotated file is still read */
	size_t read_buffer_bytes;	/* 262144 */
	size_t max_line_bytes;		/* 65536 */
	size_t max_open_files; /* 0: a budget below RLIMIT_NOFILE (see qe_follow_new) */
	/* glob matches not read: fnmatch patterns against the name, or the
	 * whole path when the pattern has a '/'; borrowed, must outlive f */
	char *const *exclude;
	size_t nr_exclude;
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
	/* may be NULL: asked about each new glob match that `exclude` lets
	 * through; 0 leaves it out (per-source exclusions, which may change
	 * while the follower runs) */
	int (*accept)(const char *path, void *data);
	void *data; /* passed to the callbacks */
};

/* 1 when path is left out by one of the patterns: fnmatch against the
 * file's name, or against the whole path when the pattern has a '/'. */
int qe_follow_excluded(char *const *patterns, size_t n, const char *path);

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
	uint64_t parked;	/* descriptors closed to stay within the budget */
	uint64_t open_deferred; /* opens put off: the budget was full of rotated files */
	uint64_t max_open;	/* the budget itself */
	uint64_t compressed;	/* compressed files skipped, never read as text */
};

/*
 * The loop must outlive the follower.  NULL with qe_error() set.
 *
 * Descriptor budget: the soft RLIMIT_NOFILE is raised to the hard one,
 * and files hold at most max_open_files descriptors (default: the limit
 * less a reserve for the store, the network and the event loop: at
 * most half, 64 + an eighth).  Past it, the least recently read
 * file's descriptor is closed ("parked"): its position, partial line and
 * watch are kept, and it is reopened (identity checked) when it has
 * something new, so every file is read in turn.
 */
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

#endif
