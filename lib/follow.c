/* follow: see follow.h.  Sources, file identity, rotation logic, reading. */
#include "follow_backend.h"
#include "loop.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads per file per round: a huge backlog does not starve the others. */
#define READS_PER_ROUND 64
/* How far back from the end to look for a line start when starting at
 * the end of a file, so that a line being written is delivered whole. */
#define TAIL_BACKUP 65536

static void process(struct qe_follow *f);
static void drain_rotated(struct qe_follow *f, const char *path);

int qe_follow_backend_parse(const char *name, enum qe_follow_backend *out)
{
	if (!name || !strcmp(name, "auto"))
		*out = QE_FOLLOW_AUTO;
	else if (!strcmp(name, "inotify"))
		*out = QE_FOLLOW_INOTIFY;
	else if (!strcmp(name, "poll"))
		*out = QE_FOLLOW_POLL;
	else
		return qe_error("unknown follow backend '%s' (auto, inotify or poll)",
				name);
	return 0;
}

const char *qe_follow_event_name(enum qe_follow_event ev)
{
	switch (ev) {
	case QE_FOLLOW_OPENED:
		return "opened";
	case QE_FOLLOW_ROTATED:
		return "rotated";
	case QE_FOLLOW_TRUNCATED:
		return "truncated";
	case QE_FOLLOW_REMOVED:
		return "removed";
	case QE_FOLLOW_ERROR:
		return "error";
	case QE_FOLLOW_EOF:
		return "eof";
	case QE_FOLLOW_CLOSED:
		return "closed";
	case QE_FOLLOW_CAUGHT_UP:
		return "caught-up";
	}
	return "unknown";
}

void qe_follow_conf_init(struct qe_follow_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->backend = QE_FOLLOW_AUTO;
	conf->poll_interval_ms = 1000;
	conf->rotate_wait_ms = 5000;
	conf->read_buffer_bytes = 262144;
	conf->max_line_bytes = 65536;
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static int is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static void event(struct qe_follow *f, struct qe_follow_file *pub,
		  enum qe_follow_event ev, const char *msg)
{
	if (f->conf.on_event)
		f->conf.on_event(pub, ev, msg, f->conf.data);
}

static struct qe_follow_file *src_pub(struct qe_follow_src *s)
{
	return s->file ? &s->file->pub : &s->idle;
}

/*
 * Which backend serves what: the event backend (inotify) when it can, the
 * poll backend otherwise.  Called again for an item whose watch was lost
 * (its directory went away, a symlink now points elsewhere).
 */
static void watch_file(struct qe_follow *f, struct qe_follow_ffile *file)
{
	if (file->pub.is_stdin || !f->watching)
		return;
	f->poll_recount = 1;
	file->polled = !f->events || f->events->watch_file(f, file) < 0;
	if (file->polled)
		qe_follow_poll_ops.watch_file(f, file);
	if (file->polled && file->src)
		file->src->polled = 1;
}

/* A source's file is served as its path is: a polled path (a network
 * file system) has its files polled too, rotated ones included. */
static void serve_file(struct qe_follow *f, struct qe_follow_src *s,
		       struct qe_follow_ffile *file)
{
	if (!f->watching || file->pub.is_stdin)
		return;
	f->poll_recount = 1;
	if (s && s->polled)
		file->polled = 1;
	else
		watch_file(f, file);
}

static void unwatch_file(struct qe_follow *f, struct qe_follow_ffile *file)
{
	f->poll_recount = 1;
	if (f->events)
		f->events->unwatch_file(f, file);
	qe_follow_poll_ops.unwatch_file(f, file);
}

static void watch_src(struct qe_follow *f, struct qe_follow_src *s)
{
	if (s->kind == QE_SRC_STDIN || !f->watching)
		return;
	f->poll_recount = 1;
	s->polled = !f->events || f->events->watch_src(f, s) < 0;
	if (s->polled)
		qe_follow_poll_ops.watch_src(f, s);
	if (s->file)
		serve_file(f, s, s->file);
}

static void unwatch_src(struct qe_follow *f, struct qe_follow_src *s)
{
	f->poll_recount = 1;
	if (f->events)
		f->events->unwatch_src(f, s);
	qe_follow_poll_ops.unwatch_src(f, s);
}

static void watch_glob(struct qe_follow *f, struct qe_follow_glob *g)
{
	if (!f->watching)
		return;
	f->poll_recount = 1;
	g->polled = !f->events || f->events->watch_glob(f, g) < 0;
	if (g->polled)
		qe_follow_poll_ops.watch_glob(f, g);
}

static void unwatch_glob(struct qe_follow *f, struct qe_follow_glob *g)
{
	f->poll_recount = 1;
	if (f->events)
		f->events->unwatch_glob(f, g);
	qe_follow_poll_ops.unwatch_glob(f, g);
}

/* Report a problem with a source once, until it changes or goes away. */
static void src_error(struct qe_follow *f, struct qe_follow_src *s, const char *msg)
{
	/* Permission denied and the like end with a chmod, which only a
	 * directory watch that asks for attribute changes sees. */
	if (!s->attrib && f->events && f->watching && s->kind != QE_SRC_STDIN)
		f->events->watch_attrib(f, s);
	s->attrib = 1;
	if (s->err && !strcmp(s->err, msg))
		return;
	free(s->err);
	s->err = qe_xstrdup(msg);
	event(f, src_pub(s), QE_FOLLOW_ERROR, msg);
}

static void src_errorf(struct qe_follow *f, struct qe_follow_src *s, const char *what,
		       int err)
{
	char *msg = qe_xasprintf("%s '%s': %s", what, s->path, strerror(err));
	src_error(f, s, msg);
	free(msg);
}

/* The line callback needs the follower as well as the file. */
struct feed_ctx {
	struct qe_follow *f;
	struct qe_follow_ffile *file;
};

static void feed_cb(const char *line, size_t len, uint64_t start, uint64_t end,
		    unsigned flags, void *data)
{
	struct feed_ctx *ctx = data;
	ctx->f->conf.on_line(&ctx->file->pub, line, len, start, end, flags,
			     ctx->f->conf.data);
}

static size_t skip_cb(const char *p, size_t n, uint64_t pos, void *data)
{
	struct feed_ctx *ctx = data;
	return ctx->f->conf.skip(&ctx->file->pub, p, n, pos, ctx->f->conf.data);
}

/* Bytes of file (of this path) are delivered next: the old files before
 * it in the list (older rotations) have delivered all their writer
 * wrote before them. */
static void older_caught_up(struct qe_follow *f, const struct qe_follow_ffile *file)
{
	size_t i;

	for (i = 0; i < f->nr_rotated && f->rotated[i] != file; i++) {
		struct qe_follow_ffile *r = f->rotated[i];
		if (r && r->fed && !strcmp(r->path, file->path)) {
			r->fed = 0;
			event(f, &r->pub, QE_FOLLOW_CAUGHT_UP, NULL);
		}
	}
}

static void feed(struct qe_follow *f, struct qe_follow_ffile *file, const char *p,
		 size_t n)
{
	struct feed_ctx ctx = {f, file};
	int was_utf16 = file->lines.utf16;

	if (file->pub.rotated) {
		file->fed = 1;
		older_caught_up(f, file);
	} else if (f->nr_rotated) {
		/* The old files of this path come first: whatever the writer
		 * appended to them before these bytes (it may have done so
		 * while this file was being read, after the round looked at
		 * them), then up to what the caller still holds open. */
		char *buf = f->buf; /* holds p: read the old files elsewhere */
		if (!f->buf2)
			f->buf2 = qe_xmalloc_pages(f->conf.read_buffer_bytes);
		f->buf = f->buf2;
		drain_rotated(f, file->path);
		f->buf = buf;
		older_caught_up(f, file);
	}
	qe_lines_feed_skip(&file->lines, p, n, feed_cb, f->conf.skip ? skip_cb : NULL,
			   &ctx);
	if (!was_utf16 && qe_lines_check(&file->lines, file->pub.path) < 0) {
		char *msg =
		    qe_xstrdup(qe_last_error()); /* the callback may record others */
		event(f, &file->pub, QE_FOLLOW_ERROR, msg);
		free(msg);
	}
}

/*
 * Hash of the first head_len bytes, or, when `extend`, of up to
 * QE_FOLLOW_HEAD_MAX bytes.  *got receives the bytes hashed.
 */
static int read_head(int fd, unsigned char *head, size_t *got)
{
	ssize_t n;
	size_t have = 0;

	while (have < QE_FOLLOW_HEAD_MAX) {
		n = pread(fd, head + have, QE_FOLLOW_HEAD_MAX - have, (off_t)have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	*got = have;
	return 0;
}

/*
 * Check that the file still starts with the bytes its identity was taken
 * from, and extend the identity while it is shorter than the maximum.
 * Returns 0 when it does, 1 when the head changed (rewritten), -1 on error.
 */
static int head_check(struct qe_follow_ffile *file)
{
	unsigned char head[QE_FOLLOW_HEAD_MAX];
	size_t got;

	size_t had = (size_t)file->pub.head_len;

	if (read_head(file->pub.fd, head, &got) < 0)
		return -1;
	if (got < had)
		return 1;
	if (file->head_copy && file->head_copy_len == had &&
	    file->head_copy_hash == file->pub.head_hash) {
		if (memcmp(head, file->head_copy, had))
			return 1;
	} else if (qe_fnv1a(head, had) != file->pub.head_hash) {
		return 1;
	}
	if (got > had) {
		file->pub.head_len = got;
		file->pub.head_hash =
		    qe_fnv1a_more(file->pub.head_hash, head + had, got - had);
	}
	if (!file->head_copy)
		file->head_copy = qe_xmalloc(QE_FOLLOW_HEAD_MAX);
	memcpy(file->head_copy, head, got);
	file->head_copy_len = got;
	file->head_copy_hash = file->pub.head_hash;
	return 0;
}

static void head_init(struct qe_follow_ffile *file)
{
	unsigned char head[QE_FOLLOW_HEAD_MAX];
	size_t got = 0;

	if (read_head(file->pub.fd, head, &got) < 0)
		got = 0;
	file->pub.head_len = got;
	file->pub.head_hash = qe_fnv1a(head, got);
}

static struct qe_follow_ffile *file_new(struct qe_follow *f, struct qe_follow_src *s,
					int fd, const struct stat *st, uint64_t pos)
{
	struct qe_follow_ffile *file = qe_xcalloc(1, sizeof(*file));

	file->path = qe_xstrdup(s->path);
	file->pub.path = file->path;
	file->pub.fd = fd;
	if (fd >= 0 && s->kind != QE_SRC_STDIN)
		f->nr_open++;
	file->used = ++f->use_clock;
	file->pub.dev = (uint64_t)st->st_dev;
	file->pub.ino = (uint64_t)st->st_ino;
	file->pub.pos = pos;
	file->pub.size = (uint64_t)st->st_size;
	file->pub.is_stdin = s->kind == QE_SRC_STDIN;
	file->src = s;
	file->wd = -1;
	qe_lines_init(&file->lines, f->conf.max_line_bytes, pos);
	return file;
}

static void add_counters(struct qe_follow_counters *c, const struct qe_lines *l)
{
	c->lines += l->lines;
	c->bytes += l->bytes;
	c->truncated_lines += l->truncated_lines;
	c->skipped_bytes += l->skipped_bytes;
	c->nul_bytes += l->nul_bytes;
	c->utf16_bytes += l->utf16_bytes;
}

static void file_free(struct qe_follow *f, struct qe_follow_ffile *file)
{
	if (!file)
		return;
	/* The caller's per-file state (pub.user) goes with the file. */
	if (file->pub.user)
		event(f, &file->pub, QE_FOLLOW_CLOSED, NULL);
	unwatch_file(f, file);
	if (file->pub.fd >= 0) {
		if (file->pub.is_stdin && f->loop)
			qe_loop_fd_remove(f->loop, file->pub.fd);
		else
			f->nr_open--;
		close(file->pub.fd);
	}
	add_counters(&f->retired, &file->lines);
	qe_lines_release(&file->lines);
	free(file->path);
	free(file->head_copy);
	free(file);
}

/* Close the least recently read source file's descriptor.  Rotated files
 * are not parked: their path names another file, and they are let go of
 * soon anyway.  0, or -1 when nothing can be parked. */
static int park_one(struct qe_follow *f, const struct qe_follow_ffile *keep)
{
	struct qe_follow_ffile *lru = NULL;
	size_t i;

	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_ffile *o = f->srcs[i] ? f->srcs[i]->file : NULL;
		if (o && o != keep && o->pub.fd >= 0 && !o->pub.is_stdin &&
		    (!lru || o->used < lru->used))
			lru = o;
	}
	if (!lru)
		return -1;
	close(lru->pub.fd);
	lru->pub.fd = -1;
	lru->parked = 1;
	f->nr_open--;
	f->retired.parked++;
	return 0;
}

/* Room for one more descriptor within the budget. */
static int make_room(struct qe_follow *f, const struct qe_follow_ffile *keep)
{
	while (f->nr_open >= f->max_open)
		if (park_one(f, keep) < 0) {
			f->retired.open_deferred++;
			return -1;
		}
	return 0;
}

/*
 * O_NOATIME: a log read as it grows would otherwise have its access time
 * written back on most reads (relatime updates it whenever it is older
 * than the last change, which for a growing log is always).  Only the
 * file's owner (or CAP_FOWNER) may ask for that; anyone else opens the
 * file plainly.  O_NONBLOCK: opening a FIFO must not hang the agent.
 */
static int open_log(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOATIME);

	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	return fd;
}

static int open_counted(struct qe_follow *f, const char *path)
{
	int fd;

	if (make_room(f, NULL) < 0) {
		errno = EMFILE;
		return -1;
	}
	fd = open_log(path);
	while (fd < 0 && (errno == EMFILE || errno == ENFILE) && f->nr_open > 1 &&
	       park_one(f, NULL) == 0) {
		/* The rest of the process holds more than the reserve: the
		 * budget is what could be opened. */
		f->max_open = f->nr_open;
		fd = open_log(path);
	}
	return fd;
}

static char *find_moved(const char *path, uint64_t dev, uint64_t ino, uint64_t *size);

/* Reopen a parked file: at its path if it is still there, else where a
 * rotation put it.  0, or -1 when it cannot be reached now. */
static int unpark(struct qe_follow *f, struct qe_follow_ffile *file)
{
	struct stat st;
	int fd;

	if (make_room(f, file) < 0)
		return -1;
	fd = open_log(file->path);
	if (fd >= 0 && (fstat(fd, &st) < 0 || (uint64_t)st.st_dev != file->pub.dev ||
			(uint64_t)st.st_ino != file->pub.ino)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		uint64_t size;
		char *where = find_moved(file->path, file->pub.dev, file->pub.ino, &size);
		if (where) {
			fd = open_log(where);
			free(where);
			if (fd >= 0 &&
			    (fstat(fd, &st) < 0 || (uint64_t)st.st_dev != file->pub.dev ||
			     (uint64_t)st.st_ino != file->pub.ino)) {
				close(fd);
				fd = -1;
			}
		}
	}
	if (fd < 0)
		return -1;
	file->pub.fd = fd;
	file->parked = 0;
	f->nr_open++;
	if (file->wd < 0 && !file->polled)
		watch_file(f, file);
	return 0;
}

/* n bytes were read and delivered, ending at pub.pos: the last of them
 * are what a read after a write event compares. */
static void tail_note(struct qe_follow_ffile *file, const char *p, size_t n)
{
	size_t keep;

	if (n >= QE_FOLLOW_TAIL_CHECK) {
		memcpy(file->tail, p + n - QE_FOLLOW_TAIL_CHECK, QE_FOLLOW_TAIL_CHECK);
		file->tail_len = QE_FOLLOW_TAIL_CHECK;
		return;
	}
	keep = QE_FOLLOW_TAIL_CHECK - n;
	if (keep > file->tail_len)
		keep = file->tail_len;
	memmove(file->tail, file->tail + file->tail_len - keep, keep);
	memcpy(file->tail + keep, p, n);
	file->tail_len = keep + n;
}

static void reset_to_zero(struct qe_follow *f, struct qe_follow_ffile *file)
{
	f->retired.truncations++;
	event(f, &file->pub, QE_FOLLOW_TRUNCATED, NULL);
	qe_lines_reset(&file->lines, 0);
	file->pub.pos = 0;
	file->tail_len = 0;
	file->pub.head_len = 0;
	file->pub.head_hash = qe_fnv1a("", 0);
	head_check(file);
}

/*
 * Read a file from pos towards its end.  Returns 1 when data remains
 * (the per-round budget ran out), 0 at the end, -1 on a read error.
 */
static int read_file(struct qe_follow *f, struct qe_follow_ffile *file)
{
	int rounds = f->unbounded ? -1 : READS_PER_ROUND;
	size_t cap = f->conf.read_buffer_bytes;

	while (rounds--) {
		ssize_t n;
		if (f->conf.interrupted && f->conf.interrupted(f->conf.data))
			return 0;
		n = pread(file->pub.fd, f->buf, cap, (off_t)file->pub.pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		file->pub.pos += (uint64_t)n;
		if (file->pub.pos > file->pub.size)
			file->pub.size = file->pub.pos;
		feed(f, file, f->buf, (size_t)n);
		tail_note(file, f->buf, (size_t)n);
		/* Short: the end of the file as it is now; what is added
		 * later comes with its own event (or the next poll). */
		if ((size_t)n < cap)
			return 0;
	}
	return 1;
}

/*
 * Look at an open file again: detect truncation or rewrite, then read what
 * is new.  Returns 1 when more data remains to read.
 */
static int refresh(struct qe_follow *f, struct qe_follow_ffile *file)
{
	struct stat st;
	int r;

	if (file->pub.fd < 0) {
		if (!file->parked)
			return 0;
		/* Parked: reopened only when there is something new, or when
		 * it moved (rotated) and must be reached by identity. */
		if (stat(file->path, &st) == 0 && (uint64_t)st.st_dev == file->pub.dev &&
		    (uint64_t)st.st_ino == file->pub.ino &&
		    (uint64_t)st.st_size == file->seen_size &&
		    mtime_ns(&st) == file->seen_mtime_ns)
			return 0;
		if (unpark(f, file) < 0)
			return 0;
	}
	file->used = ++f->use_clock;
	if (fstat(file->pub.fd, &st) < 0)
		return 0;
	file->pub.size = (uint64_t)st.st_size;
	if ((uint64_t)st.st_size < file->pub.pos) {
		reset_to_zero(f, file);
	} else if ((uint64_t)st.st_size != file->seen_size ||
		   mtime_ns(&st) != file->seen_mtime_ns) {
		/* Truncated and regrown past our position between two
		 * checks: only the head tells. */
		if (head_check(file) == 1)
			reset_to_zero(f, file);
	} else if (file->pub.pos == (uint64_t)st.st_size) {
		return 0;
	}
	file->seen_size = (uint64_t)st.st_size;
	file->seen_mtime_ns = mtime_ns(&st);
	r = read_file(f, file);
	if (r < 0 && file->src)
		src_errorf(f, file->src, "cannot read", errno);
	return r > 0;
}

/*
 * inotify said only that the open file was written to.  One pread from
 * tail_len bytes before pos takes along the bytes read last, which must
 * be there as they were: then the file grew (a file truncated and
 * written past pos again has other bytes there) and what follows them is
 * read, without an fstat or a read of the head.  Fewer bytes (truncated)
 * or others (rewritten), or nothing to compare yet: refresh() looks at
 * size, time and head as for any other check.  While the head is shorter
 * than QE_FOLLOW_HEAD_MAX it grows with the bytes read here.  Returns 1
 * when more data remains to read.
 */
static int refresh_written(struct qe_follow *f, struct qe_follow_ffile *file)
{
	size_t k = file->tail_len, cap = f->conf.read_buffer_bytes, got;
	uint64_t pos = file->pub.pos, head = file->pub.head_len;
	int r;
	ssize_t n;

	if (file->pub.fd < 0 || !k || (k < QE_FOLLOW_TAIL_CHECK && k != pos) ||
	    (head < QE_FOLLOW_HEAD_MAX && (head > pos || head < pos - k)))
		return refresh(f, file);
	if (f->conf.interrupted && f->conf.interrupted(f->conf.data))
		return 0;
	file->used = ++f->use_clock;
	do
		n = pread(file->pub.fd, f->buf, cap, (off_t)(pos - k));
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)k || memcmp(f->buf, file->tail, k))
		return refresh(f, file);
	got = (size_t)n - k;
	if (!got)
		return 0; /* an event for bytes read already */
	if (head < QE_FOLLOW_HEAD_MAX) {
		/* the bytes from head_len on are in the buffer */
		uint64_t end =
		    pos + got < QE_FOLLOW_HEAD_MAX ? pos + got : QE_FOLLOW_HEAD_MAX;
		const char *from = f->buf + (head - (pos - k));
		file->pub.head_hash =
		    qe_fnv1a_more(file->pub.head_hash, from, (size_t)(end - head));
		file->pub.head_len = end;
	}
	/* not a size from fstat: the next refresh() checks the head */
	file->seen_size = UINT64_MAX;
	file->pub.pos = pos + got;
	if (file->pub.pos > file->pub.size)
		file->pub.size = file->pub.pos;
	feed(f, file, f->buf + k, got);
	tail_note(file, f->buf + k, got);
	if ((size_t)n < cap)
		return 0;
	r = read_file(f, file);
	if (r < 0 && file->src)
		src_errorf(f, file->src, "cannot read", errno);
	return r > 0;
}

static void rotated_add(struct qe_follow *f, struct qe_follow_ffile *file)
{
	file->src = NULL;
	file->pub.rotated = 1;
	file->deadline_ms = qe_now_ms() + (uint64_t)f->conf.rotate_wait_ms;
	QE_ALLOC_GROW(f->rotated, f->nr_rotated + 1, f->alloc_rotated);
	f->rotated[f->nr_rotated++] = file;
}

/* Read an old file to its end and keep it open for rotate_wait_ms, so that
 * a writer that has not reopened yet loses nothing. */
static void detach(struct qe_follow *f, struct qe_follow_src *s)
{
	struct qe_follow_ffile *file = s->file;

	s->file = NULL;
	file->src = NULL;
	file->pub.rotated = 1;
	if (f->conf.rotate_wait_ms <= 0 || file->pub.is_stdin) {
		file_free(f, file);
		return;
	}
	rotated_add(f, file);
}

/*
 * A glob match that is a symbolic link whose target is gone stays a
 * source: kubelet renames a container's log and creates a new one under
 * the target's name, and the link in /var/log/containers never changes.
 */
static int dangling_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* Phase 1: what happened to the file we have open at this path? */
static int check_open(struct qe_follow *f, struct qe_follow_src *s)
{
	struct qe_follow_ffile *file = s->file;
	struct stat st;

	if (stat(s->path, &st) < 0) {
		int err = errno;
		while (refresh(f, file))
			;
		if (err == ENOENT || err == ENOTDIR) {
			event(f, &file->pub, QE_FOLLOW_REMOVED, NULL);
			detach(f, s);
			/* REMOVED said it; do not report the missing path again. */
			free(s->err);
			s->err =
			    qe_xasprintf("cannot open '%s': %s", s->path, strerror(err));
			if (s->kind == QE_SRC_MATCH && !dangling_link(s->path))
				s->dead = f->reap = 1;
		} else {
			/* Cannot look at the path (e.g. a directory lost its x
			 * bit): keep reading what we have open. */
			src_errorf(f, s, "cannot stat", err);
		}
		return 0;
	}
	if ((uint64_t)st.st_dev == file->pub.dev && (uint64_t)st.st_ino == file->pub.ino)
		return refresh(f, file);
	/* The path names another file now: finish the old one first so that
	 * its lines come before the new file's. */
	while (refresh(f, file))
		;
	f->retired.rotations++;
	event(f, &file->pub, QE_FOLLOW_ROTATED, NULL);
	detach(f, s);
	return 0;
}

static struct qe_follow_ffile *find_open(struct qe_follow *f, uint64_t dev, uint64_t ino,
					 size_t *rotated_idx)
{
	size_t i;

	for (i = 0; i < f->nr_rotated; i++)
		if (f->rotated[i]->pub.dev == dev && f->rotated[i]->pub.ino == ino) {
			*rotated_idx = i;
			return f->rotated[i];
		}
	*rotated_idx = (size_t)-1;
	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_ffile *o = f->srcs[i]->file;
		if (o && !o->pub.is_stdin && o->pub.dev == dev && o->pub.ino == ino)
			return o;
	}
	return NULL;
}

/* Does the file still start with the bytes a saved position was taken
 * from, and does the position lie within it? */
static int saved_matches(int fd, uint64_t size, const struct qe_follow_saved *sv)
{
	unsigned char head[QE_FOLLOW_HEAD_MAX];
	size_t got = 0;

	return sv->offset <= size && sv->head_len <= QE_FOLLOW_HEAD_MAX &&
	       read_head(fd, head, &got) == 0 && got >= sv->head_len &&
	       qe_fnv1a(head, (size_t)sv->head_len) == sv->head_hash;
}

/* Where is the file (dev, ino) now?  Looked for in dir; a malloc'd path or
 * NULL. */
static char *find_in_dir(const char *dir, uint64_t dev, uint64_t ino, uint64_t *size)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *found = NULL;

	if (!d)
		return NULL;
	while (!found && (de = readdir(d))) {
		struct stat st;
		char *p;
		if ((uint64_t)de->d_ino != ino)
			continue;
		p = qe_xasprintf("%s/%s", dir, de->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino) {
			found = p;
			*size = (uint64_t)st.st_size;
		} else {
			free(p);
		}
	}
	closedir(d);
	return found;
}

/* A rotated file is looked for where rotation tools put it: beside the
 * path, and beside a symbolic link's target (kubelet). */
static char *find_moved(const char *path, uint64_t dev, uint64_t ino, uint64_t *size)
{
	char *copy = qe_xstrdup(path), *dir, *found;
	struct stat st;

	dir = dirname(copy);
	found = find_in_dir(dir, dev, ino, size);
	free(copy);
	if (!found && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);
		if (real) {
			found = find_in_dir(dirname(real), dev, ino, size);
			free(real);
		}
	}
	return found;
}

/*
 * At start, a position saved for another file under this path: that file
 * was rotated while we were not running (or before we saw it).  Find it,
 * and read what is left of it, as a rotated file of this path.
 */
static void recover_rotated(struct qe_follow *f, struct qe_follow_src *s,
			    const struct qe_follow_saved *sv)
{
	struct qe_follow_ffile *file;
	struct stat st;
	uint64_t size = 0;
	size_t ridx;
	char *where;
	int fd;

	if (find_open(f, sv->dev, sv->ino, &ridx))
		return;
	where = find_moved(s->path, sv->dev, sv->ino, &size);
	if (!where)
		return; /* gone (deleted, compressed): nothing left to read */
	/* Opened even when read to its end: the writer may not have
	 * reopened yet, as for a file rotated under us. */
	(void)size;
	fd = open_counted(f, where);
	free(where);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_dev != sv->dev ||
	    (uint64_t)st.st_ino != sv->ino) {
		close(fd);
		return;
	}
	/* Truncated or rewritten since the position was saved (a
	 * copytruncate just before a rotation and a kill -9): all of it is
	 * unread, as for a file truncated under us. */
	file = file_new(f, s, fd, &st,
			saved_matches(fd, (uint64_t)st.st_size, sv) ? sv->offset : 0);
	head_init(file);
	qe_lines_reset(&file->lines, file->pub.pos);
	rotated_add(f, file);
	event(f, &file->pub, QE_FOLLOW_OPENED, NULL);
	watch_file(f, file);
	/* All of it now, so that it comes before the new file's lines. */
	while (refresh(f, file))
		;
}

/*
 * Start position of a file: its saved position when it has one (a file
 * seen again, a restart); else, for a file present at start, the end
 * (tail -F), or 0 with from_beginning or when positions were saved for
 * this path (the file there is new to us); else 0 (a new file).
 */
static uint64_t start_pos(struct qe_follow *f, struct qe_follow_src *s,
			  struct qe_follow_ffile *file, int initial)
{
	struct qe_follow_saved saved[QE_FOLLOW_SAVED_MAX];
	uint64_t size = file ? file->pub.size : 0, pos;
	uint64_t dev = file ? file->pub.dev : 0, ino = file ? file->pub.ino : 0;
	int i, n = 0, path_rows = 0;
	int own = -1;

	if (f->conf.lookup) {
		memset(saved, 0, sizeof(saved));
		n = f->conf.lookup(s->path, dev, ino, saved, QE_FOLLOW_SAVED_MAX,
				   f->conf.data);
		if (n < 0) {
			qe_warning("cannot look up the saved position of '%s': %s",
				   s->path, qe_last_error());
			n = 0;
		}
		if (n > QE_FOLLOW_SAVED_MAX)
			n = QE_FOLLOW_SAVED_MAX;
	}
	for (i = 0; i < n; i++) {
		if (file && saved[i].dev == dev && saved[i].ino == ino) {
			if (own < 0 && saved_matches(file->pub.fd, size, &saved[i]))
				own = i;
			else
				path_rows++; /* a reused inode: a new file */
			continue;
		}
		path_rows++;
	}
	/* Rows come newest first; the writer left the older files first, so
	 * what is left of them is read first. */
	for (i = n - 1; initial && i >= 0; i--)
		if (!(file && saved[i].dev == dev && saved[i].ino == ino))
			recover_rotated(f, s, &saved[i]);
	if (!file)
		return 0;
	if (own >= 0)
		return saved[own].offset;
	if (!initial || path_rows || f->conf.from_beginning || size == 0)
		return 0;
	/* Like tail -F, start at the end; but at the start of the line being
	 * written, so that it is not delivered cut in two. */
	pos = size;
	{
		uint64_t from = size > TAIL_BACKUP ? size - TAIL_BACKUP : 0;
		size_t want = (size_t)(size - from);
		ssize_t got = pread(
		    file->pub.fd, f->buf,
		    want < f->conf.read_buffer_bytes ? want : f->conf.read_buffer_bytes,
		    (off_t)from);
		if (got > 0) {
			const char *nl = memrchr(f->buf, '\n', (size_t)got);
			if (nl)
				pos = from + (uint64_t)(nl - f->buf) + 1;
			else if (from == 0)
				pos = 0;
		}
	}
	return pos;
}

/* Before a new file at a path is read: what the writer still appended to
 * the old ones, so that one source's lines stay in order. */
static void drain_rotated(struct qe_follow *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->nr_rotated; i++)
		if (f->rotated[i] && !strcmp(f->rotated[i]->path, path))
			while (refresh(f, f->rotated[i]))
				;
}

/* The name of a compression format the file's name says, or NULL.  By
 * name too: a compressor creates its output empty and writes it in
 * parts, so the first bytes may not be there yet when it is seen. */
static const char *compressed_name(const char *path)
{
	static const char *const suffixes[][2] = {
	    {".gz", "gzip"}, {".bz2", "bzip2"}, {".xz", "xz"},	    {".zst", "zstd"},
	    {".lz4", "lz4"}, {".zip", "zip"},	{".Z", "compress"},
	};
	size_t len = strlen(path), i;

	for (i = 0; i < QE_ARRAY_SIZE(suffixes); i++) {
		size_t n = strlen(suffixes[i][0]);
		if (len > n && !strcmp(path + len - n, suffixes[i][0]))
			return suffixes[i][1];
	}
	return NULL;
}

/* The name of a compression format the file starts with, or NULL. */
static const char *compressed_format(int fd)
{
	static const struct {
		const char *name;
		const char *magic;
		size_t len;
	} formats[] = {
	    {"gzip", "\x1f\x8b", 2},
	    {"bzip2", "BZh", 3},
	    {"xz",
	     "\xfd"
	     "7zXZ\0",
	     6},
	    {"zstd", "\x28\xb5\x2f\xfd", 4},
	};
	unsigned char head[8];
	ssize_t n;
	size_t i;

	do
		n = pread(fd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	for (i = 0; n > 0 && i < QE_ARRAY_SIZE(formats); i++)
		if ((size_t)n >= formats[i].len &&
		    !memcmp(head, formats[i].magic, formats[i].len))
			return formats[i].name;
	return NULL;
}

int qe_follow_excluded(char *const *patterns, size_t n, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < n; i++) {
		const char *pat = patterns[i];
		if (!fnmatch(pat, strchr(pat, '/') ? path : base, 0))
			return 1;
	}
	return 0;
}

static int excluded(const struct qe_follow *f, const char *path)
{
	if (qe_follow_excluded(f->conf.exclude, f->conf.nr_exclude, path))
		return 1;
	return f->conf.accept && !f->conf.accept(path, f->conf.data);
}

/* Phase 2: open whatever is at the path now. */
static int try_open(struct qe_follow *f, struct qe_follow_src *s)
{
	struct qe_follow_ffile *file, *other;
	struct stat st;
	size_t ridx;
	int fd, initial;

	if (s->skipped)
		return 0;
	fd = open_counted(f, s->path);
	/* Whatever is opened at this path from now on was not there at
	 * start (or could not be read then): all of it is new. */
	initial = s->initial;
	s->initial = 0;
	if (fd < 0 && initial && errno == ENOENT) {
		/* Rotated away before we started, nothing new at the path
		 * yet: what was not read of the old file is read now. */
		start_pos(f, s, NULL, initial);
		errno = ENOENT;
	}
	if (fd < 0) {
		if (s->kind == QE_SRC_MATCH && errno == ENOENT) {
			if (!dangling_link(s->path))
				s->dead = f->reap = 1;
			return 0;
		}
		src_errorf(f, s, "cannot open", errno);
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		src_errorf(f, s, "cannot stat", errno);
		close(fd);
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		const char *format = compressed_name(s->path);
		if (!format)
			format = compressed_format(fd);
		if (format) {
			char *msg =
			    qe_xasprintf("skipping '%s': %s-compressed, not read as text",
					 s->path, format);
			src_error(f, s, msg);
			free(msg);
			close(fd);
			s->skipped = 1;
			f->retired.compressed++;
			return 0;
		}
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		char *msg =
		    qe_xasprintf(S_ISDIR(st.st_mode) ? "'%s' is a directory"
						     : "'%s' is not a regular file",
				 s->path);
		src_error(f, s, msg);
		free(msg);
		close(fd);
		if (s->kind == QE_SRC_MATCH)
			s->dead = f->reap = 1;
		return 0;
	}
	other = find_open(f, (uint64_t)st.st_dev, (uint64_t)st.st_ino, &ridx);
	if (other && ridx != (size_t)-1) {
		/* A rotated file that a glob (or the path) names again:
		 * continue where it was instead of reading it twice. */
		close(fd);
		memmove(f->rotated + ridx, f->rotated + ridx + 1,
			(f->nr_rotated - ridx - 1) * sizeof(*f->rotated));
		f->nr_rotated--;
		free(other->path);
		other->path = qe_xstrdup(s->path);
		other->pub.path = other->path;
		other->pub.rotated = 0;
		other->src = s;
		s->file = other;
		free(s->err);
		s->err = NULL;
		event(f, &other->pub, QE_FOLLOW_OPENED, NULL);
		serve_file(f, s, other);
		return refresh(f, other);
	}
	if (other) {
		close(fd);
		if (s->kind == QE_SRC_MATCH) {
			s->dead = f->reap = 1;
			return 0;
		}
		{
			char *msg = qe_xasprintf("'%s' is the same file as '%s'", s->path,
						 other->pub.path);
			src_error(f, s, msg);
			free(msg);
		}
		return 0;
	}
	file = file_new(f, s, fd, &st, 0);
	head_init(file);
	file->pub.pos = start_pos(f, s, file, initial);
	qe_lines_reset(&file->lines, file->pub.pos);
	drain_rotated(f, s->path);
	s->file = file;
	free(s->err);
	s->err = NULL;
	event(f, &file->pub, QE_FOLLOW_OPENED, NULL);
	serve_file(f, s, file);
	return refresh(f, file);
}

static struct qe_follow_src *src_new(struct qe_follow *f, const char *path,
				     enum qe_follow_src_kind kind)
{
	struct qe_follow_src *s = qe_xcalloc(1, sizeof(*s));

	s->owner = f;
	s->path = qe_xstrdup(path);
	s->kind = kind;
	s->idle.path = s->path;
	s->idle.fd = -1;
	s->idle.is_stdin = kind == QE_SRC_STDIN;
	s->dir_wd = -1;
	s->tdir_wd = -1;
	s->initial = !f->started || f->starting;
	s->recheck = f->rewatch = 1;
	QE_ALLOC_GROW(f->srcs, f->nr_srcs + 1, f->alloc_srcs);
	s->idx = f->nr_srcs;
	f->srcs[f->nr_srcs++] = s;
	qe_follow_mark(f, s);
	return s;
}

static void src_free(struct qe_follow *f, struct qe_follow_src *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; s->queued && i < f->nr_dirtyq; i++)
		if (f->dirtyq[i] == s) {
			f->dirtyq[i] = f->dirtyq[--f->nr_dirtyq];
			s->queued = 0;
		}
	file_free(f, s->file);
	s->file = NULL;
	unwatch_src(f, s);
	free(s->err);
	free(s->path);
	free(s);
}

static int have_path(struct qe_follow *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->nr_srcs; i++)
		if (!f->srcs[i]->dead && !strcmp(f->srcs[i]->path, path))
			return 1;
	return 0;
}

/* Phase 3: a glob's directory changed; pick up new matches. */
static void glob_eval(struct qe_follow *f, struct qe_follow_glob *g)
{
	glob_t gl;
	size_t i;

	memset(&gl, 0, sizeof(gl));
	if (glob(g->pattern, 0, NULL, &gl) != 0) {
		globfree(&gl);
		return;
	}
	for (i = 0; i < gl.gl_pathc; i++) {
		struct qe_follow_src *s;
		struct stat st;
		if (have_path(f, gl.gl_pathv[i]) || excluded(f, gl.gl_pathv[i]))
			continue;
		/* Directories and other non-files a pattern happens to match
		 * are not sources. */
		if (stat(gl.gl_pathv[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		s = src_new(f, gl.gl_pathv[i], QE_SRC_MATCH);
		watch_src(f, s);
		try_open(f, s);
	}
	globfree(&gl);
}

static void stdin_open(struct qe_follow *f, struct qe_follow_src *s)
{
	struct stat st;
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 3);

	if (fd < 0) {
		src_errorf(f, s, "cannot read", errno);
		s->eof = 1;
		return;
	}
	memset(&st, 0, sizeof(st));
	s->file = file_new(f, s, fd, &st, 0);
	s->file->pub.dev = s->file->pub.ino = 0;
	s->file->pub.size = 0;
	s->initial = 0;
	event(f, &s->file->pub, QE_FOLLOW_OPENED, NULL);
}

/*
 * Read stdin once.  One read() per readiness: stdin is shared with other
 * processes, so it is never switched to non-blocking mode.  Returns 1 when
 * data was read, 0 at the end, -1 on error (treated as the end).
 */
static int stdin_read(struct qe_follow *f, struct qe_follow_src *s)
{
	struct qe_follow_ffile *file = s->file;
	ssize_t n;

	if (!file || s->eof)
		return 0;
	do
		n = read(file->pub.fd, f->buf, f->conf.read_buffer_bytes);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		file->pub.pos += (uint64_t)n;
		file->pub.size = file->pub.pos;
		feed(f, file, f->buf, (size_t)n);
		return 1;
	}
	if (n < 0 && errno == EAGAIN)
		return 1;
	if (n < 0)
		src_errorf(f, s, "cannot read", errno);
	{
		struct feed_ctx ctx = {f, file};
		qe_lines_flush(&file->lines, feed_cb, &ctx);
	}
	s->eof = 1;
	if (f->loop && s->stdin_pollable)
		qe_loop_fd_remove(f->loop, file->pub.fd);
	event(f, &file->pub, QE_FOLLOW_EOF, NULL);
	return n < 0 ? -1 : 0;
}

static void on_stdin(struct qe_loop *loop, int fd, unsigned events, void *data)
{
	struct qe_follow_src *s = data;

	(void)loop;
	(void)fd;
	(void)events;
	stdin_read(s->owner, s);
}

static void kick(struct qe_follow *f)
{
	if (f->kick_timer >= 0)
		qe_loop_timer_set(f->loop, f->kick_timer, 0, 0);
}

static void on_kick(struct qe_loop *loop, int timer_id, void *data)
{
	(void)loop;
	(void)timer_id;
	process(data);
}

/* Raise the soft descriptor limit to the hard one; what files may hold. */
static size_t nofile_budget(void)
{
	struct rlimit rl;
	size_t soft, reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 64;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit up = rl;
		up.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
	}
	soft = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576
		   ? 1048576
		   : (size_t)rl.rlim_cur;
	reserve = 64 + soft / 8;
	if (reserve > soft / 2)
		reserve = soft / 2;
	return soft - reserve > 0 ? soft - reserve : 1;
}

struct qe_follow *qe_follow_new(const struct qe_follow_conf *conf, struct qe_loop *loop)
{
	struct qe_follow *f;

	if (!conf->on_line) {
		qe_error("a follower needs a line callback");
		return NULL;
	}
	f = qe_xcalloc(1, sizeof(*f));
	f->conf = *conf;
	if (f->conf.read_buffer_bytes < 4096)
		f->conf.read_buffer_bytes = 4096;
	if (f->conf.max_line_bytes == 0)
		f->conf.max_line_bytes = 65536;
	if (f->conf.poll_interval_ms <= 0)
		f->conf.poll_interval_ms = 1000;
	f->loop = loop;
	f->max_open = f->conf.max_open_files ? f->conf.max_open_files : nofile_budget();
	f->buf = qe_xmalloc_pages(f->conf.read_buffer_bytes);
	f->ino_fd = -1;
	f->ino_timer = -1;
	f->poll_timer = -1;
	f->kick_timer = -1;
	f->wait_timer = -1;
	return f;
}

void qe_follow_free(struct qe_follow *f)
{
	size_t i;

	if (!f)
		return;
	/* All watches go with the backend: none is removed one by one. */
	if (f->events)
		f->events->release(f);
	f->events = NULL;
	qe_follow_poll_ops.release(f);
	for (i = 0; i < f->nr_srcs; i++)
		src_free(f, f->srcs[i]);
	for (i = 0; i < f->nr_rotated; i++)
		file_free(f, f->rotated[i]);
	for (i = 0; i < f->nr_globs; i++) {
		unwatch_glob(f, f->globs[i]);
		free(f->globs[i]->pattern);
		free(f->globs[i]->dir);
		free(f->globs[i]);
	}
	if (f->loop && f->wait_timer >= 0)
		qe_loop_timer_remove(f->loop, f->wait_timer);
	if (f->loop && f->kick_timer >= 0)
		qe_loop_timer_remove(f->loop, f->kick_timer);
	free(f->srcs);
	free(f->dirtyq);
	free(f->workq);
	free(f->rotated);
	free(f->globs);
	free(f->buf);
	free(f->buf2);
	free(f);
}

int qe_follow_add(struct qe_follow *f, const char *spec)
{
	size_t i;

	if (!spec || !*spec)
		return qe_error("empty source name");
	if (!strcmp(spec, "-")) {
		for (i = 0; i < f->nr_srcs; i++)
			if (f->srcs[i]->kind == QE_SRC_STDIN)
				return qe_error("stdin ('-') given twice");
		src_new(f, "-", QE_SRC_STDIN);
		return 0;
	}
	if (is_glob(spec)) {
		struct qe_follow_glob *g = qe_xcalloc(1, sizeof(*g));
		const char *slash = strrchr(spec, '/');
		char *dir =
		    slash ? qe_xstrndup(spec, (size_t)(slash - spec)) : qe_xstrdup(".");
		if (!*dir) {
			free(dir);
			dir = qe_xstrdup("/");
		}
		g->pattern = qe_xstrdup(spec);
		if (is_glob(dir))
			free(dir);
		else
			g->dir = dir;
		g->dir_wd = -1;
		g->dirty = 1;
		QE_ALLOC_GROW(f->globs, f->nr_globs + 1, f->alloc_globs);
		f->globs[f->nr_globs++] = g;
		watch_glob(f, g);
		if (f->started)
			glob_eval(f, g);
		return 0;
	}
	if (have_path(f, spec))
		return 0;
	src_new(f, spec, QE_SRC_PATH);
	return 0;
}

/* Open every source (initial positions) without watching anything. */
static void open_all(struct qe_follow *f)
{
	size_t i;

	f->starting = 1;
	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (s->kind == QE_SRC_STDIN) {
			if (!s->file)
				stdin_open(f, s);
			continue;
		}
		watch_src(f, s);
	}
	for (i = 0; i < f->nr_globs; i++) {
		watch_glob(f, f->globs[i]);
		glob_eval(f, f->globs[i]);
		f->globs[i]->dirty = 0;
	}
	f->started = 1;
	f->starting = 0;
}

static void on_wait(struct qe_loop *loop, int timer_id, void *data)
{
	struct qe_follow *f = data;

	(void)loop;
	(void)timer_id;
	f->wait_at = 0; /* fired: disarmed */
	process(f);
}

int qe_follow_start(struct qe_follow *f)
{
	size_t i;

	if (!f->loop)
		return qe_error("cannot follow without an event loop");
	if (f->watching)
		return 0;
	if (f->conf.backend != QE_FOLLOW_POLL) {
		if (qe_follow_inotify_ops.init(f) == 0) {
			f->events = &qe_follow_inotify_ops;
		} else {
			if (f->conf.backend == QE_FOLLOW_INOTIFY)
				return -1;
			qe_warning("%s; polling every %ld ms", qe_last_error(),
				   f->conf.poll_interval_ms);
		}
	}
	if (qe_follow_poll_ops.init(f) < 0)
		return -1;
	f->kick_timer = qe_loop_timer_add(f->loop, 1, 0, on_kick, f);
	f->wait_timer = qe_loop_timer_add(f->loop, 1, 0, on_wait, f);
	if (f->kick_timer < 0 || f->wait_timer < 0)
		return -1;
	qe_loop_timer_stop(f->loop, f->kick_timer);
	qe_loop_timer_stop(f->loop, f->wait_timer);
	f->watching = 1;
	f->starting = 1;
	/* Sources opened by an earlier qe_follow_read_once() keep their
	 * positions; only their watches are added here. */
	for (i = 0; i < f->nr_srcs; i++)
		watch_src(f, f->srcs[i]);
	for (i = 0; i < f->nr_rotated; i++)
		watch_file(f, f->rotated[i]);
	f->starting = 0;
	open_all(f);
	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (s->kind != QE_SRC_STDIN || !s->file || s->eof || s->stdin_pollable)
			continue;
		if (qe_loop_fd_add(f->loop, s->file->pub.fd, QE_LOOP_READ, on_stdin, s) ==
		    0)
			s->stdin_pollable = 1;
		/* else a regular file or /dev/null: read in rounds by kicks */
	}
	process(f);
	return 0;
}

void qe_follow_changed(struct qe_follow *f, enum qe_follow_change why)
{
	size_t i;

	if (why == QE_FOLLOW_CHANGE_OVERFLOW) {
		/* Events were dropped: look at everything.  Positions are kept
		 * per file, so a rescan finds every byte that is new. */
		qe_follow_rescan(f);
		return;
	}
	/* Only writes to files: no watch to look at, no pass over sources. */
	if (why == QE_FOLLOW_CHANGE_EVENTS && !f->rewatch) {
		process(f);
		return;
	}
	f->rewatch = 0;
	/* every dirty source is on the queue */
	for (i = 0; i < f->nr_dirtyq; i++) {
		struct qe_follow_src *s = f->dirtyq[i];
		/* Polled in "auto" mode: try the event backend again (a
		 * directory that now exists).  Served by events: a watch
		 * may have been lost (directory gone, symlink retargeted),
		 * which comes with more than new bytes (recheck); a file
		 * that only grew leaves its watches as they are (no lstat
		 * of its path per write). */
		if (!s->dirty || s->kind == QE_SRC_STDIN || !f->events)
			continue;
		if (!s->polled ? s->recheck
			       : why == QE_FOLLOW_CHANGE_TICK &&
				     f->conf.backend == QE_FOLLOW_AUTO)
			watch_src(f, s);
	}
	for (i = 0; i < f->nr_globs; i++) {
		struct qe_follow_glob *g = f->globs[i];
		if (g->dirty && f->events &&
		    (!g->polled ||
		     (why == QE_FOLLOW_CHANGE_TICK && f->conf.backend == QE_FOLLOW_AUTO)))
			watch_glob(f, g);
	}
	process(f);
}

void qe_follow_rescan(struct qe_follow *f)
{
	size_t i;

	for (i = 0; i < f->nr_srcs; i++) {
		qe_follow_mark(f, f->srcs[i]);
		f->srcs[i]->recheck = 1;
	}
	for (i = 0; i < f->nr_globs; i++)
		f->globs[i]->dirty = 1;
	for (i = 0; i < f->nr_rotated; i++)
		f->rotated[i]->dirty = 1;
	process(f);
}

void qe_follow_mark(struct qe_follow *f, struct qe_follow_src *s)
{
	s->dirty = 1;
	if (s->queued)
		return;
	s->queued = 1;
	QE_ALLOC_GROW(f->dirtyq, f->nr_dirtyq + 1, f->alloc_dirtyq);
	f->dirtyq[f->nr_dirtyq++] = s;
}

static int by_idx(const void *a, const void *b)
{
	const struct qe_follow_src *x = *(struct qe_follow_src *const *)a;
	const struct qe_follow_src *y = *(struct qe_follow_src *const *)b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void reverse(struct qe_follow_src **q, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		struct qe_follow_src *s = q[i];
		q[i] = q[n - 1 - i];
		q[n - 1 - i] = s;
	}
}

/* The sources marked so far become this round's, in the order they were
 * added (as a pass over all of them would take them); what is marked
 * from here on waits for the next round. */
static void take_queue(struct qe_follow *f)
{
	struct qe_follow_src **q = f->dirtyq;
	size_t n = f->nr_dirtyq, alloc = f->alloc_dirtyq, i, down = 0, at = 0;

	f->dirtyq = f->workq;
	f->alloc_dirtyq = f->alloc_workq;
	f->nr_dirtyq = 0;
	f->workq = q;
	f->alloc_workq = alloc;
	f->nr_workq = n;
	for (i = 0; i < n; i++) {
		q[i]->queued = 0;
		if (i && q[i]->idx < q[i - 1]->idx)
			down++, at = i;
	}
	/* Marked in the order written, which is mostly the sources' order;
	 * writers that take the files in turn (as the benchmark's do) wrap
	 * around from the last to the first: one step down, and the rest
	 * is that order turned, put right by three reversals. */
	if (down == 1 && q[n - 1]->idx < q[0]->idx) {
		reverse(q, at);
		reverse(q + at, n - at);
		reverse(q, n);
	} else if (down) {
		qsort(q, n, sizeof(*q), by_idx);
	}
}

static void process(struct qe_follow *f)
{
	uint64_t now = qe_now_ms();
	size_t i, j;
	int more = 0, to_open = 0;

	if (f->processing)
		return;
	f->processing = 1;
	if (!f->started)
		open_all(f);
	take_queue(f);
	/* Rotated files first: whatever the writer still appended to an old
	 * file comes before the new file's lines.  Read until the wait is
	 * over; then a last read and close. */
	for (i = 0, j = 0; i < f->nr_rotated; i++) {
		struct qe_follow_ffile *file = f->rotated[i];
		if (file->dirty || now >= file->deadline_ms) {
			file->dirty = 0;
			if (refresh(f, file))
				file->dirty = 1, more = 1;
		}
		if (now >= file->deadline_ms && !file->dirty) {
			/* Out of the list first: freeing looks at the others. */
			f->rotated[i] = NULL;
			file_free(f, file);
			continue;
		}
		f->rotated[j++] = file;
	}
	f->nr_rotated = j;
	/* Phase 1 for every source before phase 2 for any: when files move
	 * along a chain (a -> a.1 -> a.2), each old file is detached before a
	 * new name for it is opened, so it is adopted, not read again. */
	for (i = 0; i < f->nr_workq; i++) {
		struct qe_follow_src *s = f->workq[i];
		if (!s->dirty || s->dead)
			continue;
		if (s->kind == QE_SRC_STDIN) {
			/* Not pollable (a regular file): one read per round. */
			s->dirty = 0;
			if (!s->stdin_pollable && !s->eof && stdin_read(f, s) > 0) {
				qe_follow_mark(f, s);
				more = 1;
			}
			continue;
		}
		if (s->file) {
			/* inotify said only that the open file grew: its path
			 * need not be looked at (one stat per write saved) */
			if (!s->recheck && f->events && !s->polled && !s->file->polled &&
			    s->file->wd >= 0 && s->file->pub.fd >= 0)
				more |= refresh_written(f, s->file);
			else
				more |= check_open(f, s);
		}
		s->recheck = 0;
		/* Phase 2 of a source that still has its file is only this,
		 * and nothing in phase 1 marks another source: done here, so
		 * a round of writes makes one pass over the sources. */
		if (s->file && !s->dead) {
			s->dirty = 0;
			/* the round's read budget ran out */
			if (s->file->pub.pos < s->file->pub.size &&
			    s->file->pub.fd >= 0) {
				qe_follow_mark(f, s);
				more = 1;
			}
		} else if (!s->dead) {
			to_open = 1;
		}
	}
	for (i = 0; to_open && i < f->nr_workq; i++) {
		struct qe_follow_src *s = f->workq[i];
		if (!s->dirty || s->dead || s->kind == QE_SRC_STDIN || s->file)
			continue;
		s->dirty = 0;
		more |= try_open(f, s);
	}
	for (i = 0; i < f->nr_globs; i++) {
		if (!f->globs[i]->dirty)
			continue;
		f->globs[i]->dirty = 0;
		glob_eval(f, f->globs[i]);
	}
	/* The sources that died this round go (none: no pass over them). */
	for (i = 0, j = 0; f->reap && i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (s->dead) {
			f->srcs[i] = NULL;
			src_free(f, s);
			continue;
		}
		if (s->dirty)
			more = 1;
		s->idx = j;
		f->srcs[j++] = s;
	}
	if (f->reap)
		f->nr_srcs = j;
	f->reap = 0;
	f->nr_workq = 0;
	/* marked during the round (new glob matches, a read budget that
	 * ran out): the next round is theirs */
	if (f->nr_dirtyq)
		more = 1;
	f->processing = 0;
	if (more)
		kick(f);
	if (f->watching) {
		uint64_t first = 0;
		/* A rotated file is let go of at its deadline, whether or not
		 * anything wakes us then. */
		for (i = 0; i < f->nr_rotated; i++)
			if (!first || f->rotated[i]->deadline_ms < first)
				first = f->rotated[i]->deadline_ms;
		/* armed again only for another deadline: not a system call
		 * per round */
		if (first && first != f->wait_at) {
			if (qe_loop_timer_set(f->loop, f->wait_timer,
					      first > now ? first - now : 1, 0) == 0)
				f->wait_at = first;
		} else if (!first && f->wait_at) {
			if (qe_loop_timer_stop(f->loop, f->wait_timer) == 0)
				f->wait_at = 0;
		}
		if (f->events)
			f->events->update(f);
		qe_follow_poll_ops.update(f);
	}
}

int qe_follow_read_once(struct qe_follow *f)
{
	size_t i;

	f->unbounded = 1;
	if (!f->started)
		open_all(f);
	for (i = 0; i < f->nr_srcs; i++) {
		qe_follow_mark(f, f->srcs[i]);
		f->srcs[i]->recheck = 1;
	}
	for (i = 0; i < f->nr_globs; i++)
		f->globs[i]->dirty = 1;
	for (i = 0; i < f->nr_rotated; i++)
		f->rotated[i]->dirty = 1;
	process(f);
	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (s->kind != QE_SRC_STDIN || s->stdin_pollable)
			continue;
		while (!(f->conf.interrupted && f->conf.interrupted(f->conf.data)) &&
		       stdin_read(f, s) > 0)
			;
	}
	f->unbounded = 0;
	/* A file's partial last line stays unread: the writer may still be
	 * writing it, and the next run reads it whole from the saved
	 * position.  Standard input has ended, so its last line is complete. */
	for (i = 0; i < f->nr_srcs; i++) {
		struct feed_ctx ctx = {f, f->srcs[i]->file};
		if (ctx.file && ctx.file->pub.is_stdin)
			qe_lines_flush(&ctx.file->lines, feed_cb, &ctx);
	}
	return 0;
}

void qe_follow_flush(struct qe_follow *f)
{
	size_t i;

	for (i = 0; i < f->nr_rotated; i++) {
		struct feed_ctx ctx = {f, f->rotated[i]};
		qe_lines_flush(&f->rotated[i]->lines, feed_cb, &ctx);
	}
	for (i = 0; i < f->nr_srcs; i++) {
		struct feed_ctx ctx = {f, f->srcs[i]->file};
		if (ctx.file)
			qe_lines_flush(&ctx.file->lines, feed_cb, &ctx);
	}
}

int qe_follow_done(const struct qe_follow *f)
{
	size_t i;

	if (!f->nr_srcs || f->nr_globs)
		return 0;
	for (i = 0; i < f->nr_srcs; i++)
		if (f->srcs[i]->kind != QE_SRC_STDIN || !f->srcs[i]->eof)
			return 0;
	return 1;
}

void qe_follow_get_counters(const struct qe_follow *f, struct qe_follow_counters *out)
{
	size_t i;

	*out = f->retired;
	out->max_open = f->max_open;
	for (i = 0; i < f->nr_srcs; i++)
		if (f->srcs[i]->file)
			add_counters(out, &f->srcs[i]->file->lines);
	for (i = 0; i < f->nr_rotated; i++)
		add_counters(out, &f->rotated[i]->lines);
}

void qe_follow_each(const struct qe_follow *f, qe_follow_each_fn fn, void *data)
{
	size_t i;

	for (i = 0; i < f->nr_srcs; i++)
		if (fn(src_pub(f->srcs[i]), data))
			return;
	for (i = 0; i < f->nr_rotated; i++)
		if (fn(&f->rotated[i]->pub, data))
			return;
}

const char *qe_follow_file_backend(const struct qe_follow *f,
				   const struct qe_follow_file *file)
{
	size_t i;

	if (file->is_stdin)
		return "stdin";
	if (!f->events)
		return qe_follow_poll_ops.name;
	for (i = 0; i < f->nr_srcs; i++)
		if (src_pub(f->srcs[i]) == file)
			return f->srcs[i]->polled ? qe_follow_poll_ops.name
						  : f->events->name;
	for (i = 0; i < f->nr_rotated; i++)
		if (&f->rotated[i]->pub == file)
			return f->rotated[i]->polled ? qe_follow_poll_ops.name
						     : f->events->name;
	return qe_follow_poll_ops.name;
}
