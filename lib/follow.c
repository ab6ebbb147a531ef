/* follow: see follow.h.  Sources, file identity, rotation logic, reading. */
#define QE_FOLLOW_INTERNAL
#include "follow.h"
#include "loop.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads per file per round: a huge backlog does not starve the others. */
#define READS_PER_ROUND 64
/* How far back from the end to look for a line start when starting at
 * the end of a file, so that a line being written is delivered whole. */
#define TAIL_BACKUP 65536

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

/* Report a problem with a source once, until it changes or goes away. */
static void src_error(struct qe_follow *f, struct qe_follow_src *s, const char *msg)
{
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

static void feed(struct qe_follow *f, struct qe_follow_ffile *file, const char *p,
		 size_t n)
{
	struct feed_ctx ctx = {f, file};
	int was_utf16 = file->lines.utf16;
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

	if (read_head(file->pub.fd, head, &got) < 0)
		return -1;
	if (got < file->pub.head_len ||
	    qe_fnv1a(head, (size_t)file->pub.head_len) != file->pub.head_hash)
		return 1;
	if (got > file->pub.head_len) {
		file->pub.head_len = got;
		file->pub.head_hash = qe_fnv1a(head, got);
	}
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
	qe_follow_inotify_unwatch_file(f, file);
	if (file->pub.fd >= 0) {
		if (file->pub.is_stdin && f->loop)
			qe_loop_fd_remove(f->loop, file->pub.fd);
		close(file->pub.fd);
	}
	add_counters(&f->retired, &file->lines);
	qe_lines_release(&file->lines);
	free(file->path);
	free(file);
}

static void reset_to_zero(struct qe_follow *f, struct qe_follow_ffile *file)
{
	f->retired.truncations++;
	event(f, &file->pub, QE_FOLLOW_TRUNCATED, NULL);
	qe_lines_reset(&file->lines, 0);
	file->pub.pos = 0;
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
	file->deadline_ms = qe_now_ms() + (uint64_t)f->conf.rotate_wait_ms;
	QE_ALLOC_GROW(f->rotated, f->nr_rotated + 1, f->alloc_rotated);
	f->rotated[f->nr_rotated++] = file;
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
			if (s->kind == QE_SRC_MATCH)
				s->dead = 1;
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

/* Start position of a file present at start: saved, end, or 0. */
static uint64_t initial_pos(struct qe_follow *f, struct qe_follow_src *s,
			    struct qe_follow_ffile *file)
{
	struct qe_follow_saved saved;
	uint64_t size = file->pub.size, pos;
	int r = 0;

	if (f->conf.lookup) {
		memset(&saved, 0, sizeof(saved));
		r = f->conf.lookup(s->path, &saved, f->conf.data);
		if (r < 0) {
			qe_warning("cannot look up the saved position of '%s': %s",
				   s->path, qe_last_error());
			r = 0;
		}
	}
	if (r > 0) {
		unsigned char head[QE_FOLLOW_HEAD_MAX];
		size_t got = 0;
		if (saved.dev == file->pub.dev && saved.ino == file->pub.ino &&
		    saved.offset <= size && saved.head_len <= QE_FOLLOW_HEAD_MAX &&
		    read_head(file->pub.fd, head, &got) == 0 && got >= saved.head_len &&
		    qe_fnv1a(head, (size_t)saved.head_len) == saved.head_hash)
			return saved.offset;
		/* A position was saved for this path but the file there is
		 * another one (rotated while we were not running, or a reused
		 * inode): all of it is new to us. */
		return 0;
	}
	if (f->conf.from_beginning || size == 0)
		return 0;
	/* Like tail -F, start at the end; but at the start of the line being
	 * written, so that it is not delivered cut in two. */
	pos = size;
	{
		uint64_t from = size > TAIL_BACKUP ? size - TAIL_BACKUP : 0;
		size_t want = (size_t)(size - from);
		ssize_t n = pread(
		    file->pub.fd, f->buf,
		    want < f->conf.read_buffer_bytes ? want : f->conf.read_buffer_bytes,
		    (off_t)from);
		if (n > 0) {
			const char *nl = memrchr(f->buf, '\n', (size_t)n);
			if (nl)
				pos = from + (uint64_t)(nl - f->buf) + 1;
			else if (from == 0)
				pos = 0;
		}
	}
	return pos;
}

/* Phase 2: open whatever is at the path now. */
static int try_open(struct qe_follow *f, struct qe_follow_src *s)
{
	struct qe_follow_ffile *file, *other;
	struct stat st;
	size_t ridx;
	int fd, initial;

	/* O_NONBLOCK: opening a FIFO must not hang the agent. */
	fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	/* Whatever is opened at this path from now on was not there at
	 * start (or could not be read then): all of it is new. */
	initial = s->initial;
	s->initial = 0;
	if (fd < 0) {
		if (s->kind == QE_SRC_MATCH && errno == ENOENT) {
			s->dead = 1;
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
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		char *msg =
		    qe_xasprintf(S_ISDIR(st.st_mode) ? "'%s' is a directory"
						     : "'%s' is not a regular file",
				 s->path);
		src_error(f, s, msg);
		free(msg);
		close(fd);
		if (s->kind == QE_SRC_MATCH)
			s->dead = 1;
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
		if (other->wd < 0 && !s->polled)
			qe_follow_inotify_watch_file(f, other);
		return refresh(f, other);
	}
	if (other) {
		close(fd);
		if (s->kind == QE_SRC_MATCH) {
			s->dead = 1;
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
	if (initial)
		file->pub.pos = initial_pos(f, s, file);
	qe_lines_reset(&file->lines, file->pub.pos);
	s->file = file;
	free(s->err);
	s->err = NULL;
	event(f, &file->pub, QE_FOLLOW_OPENED, NULL);
	if (f->watching && !s->polled)
		qe_follow_inotify_watch_file(f, file);
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
	s->dirty = 1;
	QE_ALLOC_GROW(f->srcs, f->nr_srcs + 1, f->alloc_srcs);
	f->srcs[f->nr_srcs++] = s;
	return s;
}

static void src_free(struct qe_follow *f, struct qe_follow_src *s)
{
	if (!s)
		return;
	file_free(f, s->file);
	s->file = NULL;
	qe_follow_inotify_unwatch_src(f, s);
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
		if (have_path(f, gl.gl_pathv[i]))
			continue;
		/* Directories and other non-files a pattern happens to match
		 * are not sources. */
		if (stat(gl.gl_pathv[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		s = src_new(f, gl.gl_pathv[i], QE_SRC_MATCH);
		if (f->watching)
			qe_follow_inotify_watch_src(f, s);
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
	qe_follow_process(data);
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
	f->buf = qe_xmalloc(f->conf.read_buffer_bytes);
	f->ino_fd = -1;
	f->poll_timer = -1;
	f->kick_timer = -1;
	return f;
}

void qe_follow_free(struct qe_follow *f)
{
	size_t i;

	if (!f)
		return;
	/* All watches go with the inotify fd: none is removed one by one. */
	qe_follow_inotify_release(f);
	for (i = 0; i < f->nr_srcs; i++)
		src_free(f, f->srcs[i]);
	for (i = 0; i < f->nr_rotated; i++)
		file_free(f, f->rotated[i]);
	for (i = 0; i < f->nr_globs; i++) {
		qe_follow_inotify_unwatch_glob(f, f->globs[i]);
		free(f->globs[i]->pattern);
		free(f->globs[i]->dir);
		free(f->globs[i]);
	}
	if (f->loop && f->poll_timer >= 0)
		qe_loop_timer_remove(f->loop, f->poll_timer);
	if (f->loop && f->kick_timer >= 0)
		qe_loop_timer_remove(f->loop, f->kick_timer);
	free(f->srcs);
	free(f->rotated);
	free(f->globs);
	free(f->buf);
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
		g->polled = !g->dir;
		g->dirty = 1;
		QE_ALLOC_GROW(f->globs, f->nr_globs + 1, f->alloc_globs);
		f->globs[f->nr_globs++] = g;
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
		if (f->watching)
			qe_follow_inotify_watch_src(f, s);
	}
	for (i = 0; i < f->nr_globs; i++) {
		if (f->watching)
			qe_follow_inotify_watch_glob(f, f->globs[i]);
		glob_eval(f, f->globs[i]);
		f->globs[i]->dirty = 0;
	}
	f->started = 1;
	f->starting = 0;
}

int qe_follow_start(struct qe_follow *f)
{
	size_t i;

	if (!f->loop)
		return qe_error("cannot follow without an event loop");
	if (f->watching)
		return 0;
	if (f->conf.backend != QE_FOLLOW_POLL && qe_follow_inotify_init(f) < 0) {
		if (f->conf.backend == QE_FOLLOW_INOTIFY)
			return -1;
		qe_warning("%s; polling every %ld ms", qe_last_error(),
			   f->conf.poll_interval_ms);
	}
	if (qe_follow_poll_init(f) < 0)
		return -1;
	f->kick_timer = qe_loop_timer_add(f->loop, 1, 0, on_kick, f);
	if (f->kick_timer < 0)
		return -1;
	qe_loop_timer_stop(f->loop, f->kick_timer);
	f->watching = 1;
	f->starting = 1;
	/* Sources opened by an earlier qe_follow_read_once() keep their
	 * positions; only their watches are added here. */
	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (s->kind == QE_SRC_STDIN)
			continue;
		qe_follow_inotify_watch_src(f, s);
		if (s->file && !s->polled)
			qe_follow_inotify_watch_file(f, s->file);
	}
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
	qe_follow_process(f);
	return 0;
}

void qe_follow_rescan(struct qe_follow *f)
{
	size_t i;

	for (i = 0; i < f->nr_srcs; i++)
		f->srcs[i]->dirty = 1;
	for (i = 0; i < f->nr_globs; i++)
		f->globs[i]->dirty = 1;
	for (i = 0; i < f->nr_rotated; i++)
		f->rotated[i]->dirty = 1;
	qe_follow_process(f);
}

void qe_follow_process(struct qe_follow *f)
{
	uint64_t now = qe_now_ms();
	size_t i, j;
	int more = 0;

	if (f->processing)
		return;
	f->processing = 1;
	if (!f->started)
		open_all(f);
	/* Phase 1 for every source before phase 2 for any: when files move
	 * along a chain (a -> a.1 -> a.2), each old file is detached before a
	 * new name for it is opened, so it is adopted, not read again. */
	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (!s->dirty || s->dead)
			continue;
		if (s->kind == QE_SRC_STDIN) {
			/* Not pollable (a regular file): one read per round. */
			s->dirty = 0;
			if (!s->stdin_pollable && !s->eof && stdin_read(f, s) > 0)
				s->dirty = 1;
			continue;
		}
		if (s->file)
			more |= check_open(f, s);
	}
	for (i = 0; i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (!s->dirty || s->dead || s->kind == QE_SRC_STDIN)
			continue;
		s->dirty = 0;
		if (!s->file)
			more |= try_open(f, s);
		else if (s->file->pub.pos < s->file->pub.size)
			s->dirty = 1; /* budget ran out in phase 1 */
	}
	for (i = 0; i < f->nr_globs; i++) {
		if (!f->globs[i]->dirty)
			continue;
		f->globs[i]->dirty = 0;
		glob_eval(f, f->globs[i]);
	}
	/* Rotated files: whatever the writer still appends, until the wait
	 * is over; then a last read and close. */
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
	for (i = 0, j = 0; i < f->nr_srcs; i++) {
		struct qe_follow_src *s = f->srcs[i];
		if (s->dead) {
			f->srcs[i] = NULL;
			src_free(f, s);
			continue;
		}
		if (s->dirty)
			more = 1;
		f->srcs[j++] = s;
	}
	f->nr_srcs = j;
	f->processing = 0;
	if (more)
		kick(f);
	qe_follow_poll_update(f);
}

int qe_follow_read_once(struct qe_follow *f)
{
	size_t i;

	f->unbounded = 1;
	if (!f->started)
		open_all(f);
	for (i = 0; i < f->nr_srcs; i++)
		f->srcs[i]->dirty = 1;
	for (i = 0; i < f->nr_globs; i++)
		f->globs[i]->dirty = 1;
	for (i = 0; i < f->nr_rotated; i++)
		f->rotated[i]->dirty = 1;
	qe_follow_process(f);
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
	if (f->ino_fd < 0)
		return "poll";
	for (i = 0; i < f->nr_srcs; i++)
		if (src_pub(f->srcs[i]) == file)
			return f->srcs[i]->polled ? "poll" : "inotify";
	for (i = 0; i < f->nr_rotated; i++)
		if (&f->rotated[i]->pub == file)
			return f->rotated[i]->wd >= 0 ? "inotify" : "poll";
	return "poll";
}
