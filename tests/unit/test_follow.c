#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#define _XOPEN_SOURCE_EXTENDED 1
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "follow.h"
#include "loop.h"
#include "util.h"

static enum qe_follow_backend be_poll = QE_FOLLOW_POLL;
static enum qe_follow_backend be_inotify = QE_FOLLOW_INOTIFY;

struct seen {
	uint64_t dev, ino, end;
};

struct t {
	char dir[64];
	struct qe_loop *loop;
	struct qe_follow *f;
	struct qe_follow_conf conf;
	struct qe_buf out;	/* every delivered line + '\n' */
	struct qe_buf expected; /* what the test wrote and expects */
	struct qe_buf errors;
	int nr_lines;
	int events[QE_FOLLOW_CAUGHT_UP + 1];
	int pos_errors;
	unsigned last_flags;
	struct seen seen[1100];
	int nr_seen;
	int have_saved;
	struct qe_follow_saved saved;
	/* a store of positions, as the caller keeps them between runs */
	struct row {
		char path[256];
		struct qe_follow_saved sv;
	} rows[16];
	int nr_rows;
	int lines_before; /* delivered by followers already freed */
	int race_fd;	  /* >= 0: written to just before the next read */
	const char *race_text;
};

static struct seen *seen_for(struct t *t, const struct qe_follow_file *file, int create)
{
	int i;
	for (i = 0; i < t->nr_seen; i++)
		if (t->seen[i].dev == file->dev && t->seen[i].ino == file->ino)
			return &t->seen[i];
	if (!create || t->nr_seen == 1100)
		return NULL;
	t->seen[t->nr_seen].dev = file->dev;
	t->seen[t->nr_seen].ino = file->ino;
	t->seen[t->nr_seen].end = file->pos;
	return &t->seen[t->nr_seen++];
}

static void on_line(struct qe_follow_file *file, const char *line, size_t len,
		    uint64_t start, uint64_t end, unsigned flags, void *data)
{
	struct t *t = data;
	struct seen *s = seen_for(t, file, 0);

	/* Exact accounting: each line starts where the previous one of the
	 * same file ended, and spans its bytes (unless NUL bytes in it were
	 * replaced with U+FFFD, which changes its length). */
	if (!s || s->end != start ||
	    (end != start + len + !(flags & QE_LINE_PARTIAL) &&
	     !memmem(line, len, "\xef\xbf\xbd", 3)))
		t->pos_errors++;
	if (s)
		s->end = end;
	qe_buf_add(&t->out, line, len);
	qe_buf_addch(&t->out, '\n');
	t->nr_lines++;
	t->last_flags = flags;
}

static void on_event(struct qe_follow_file *file, enum qe_follow_event ev,
		     const char *msg, void *data)
{
	struct t *t = data;
	struct seen *s;

	t->events[ev]++;
	if (ev == QE_FOLLOW_OPENED)
		seen_for(t, file, 1);
	if (ev == QE_FOLLOW_TRUNCATED && (s = seen_for(t, file, 0)))
		s->end = 0;
	if (ev == QE_FOLLOW_ERROR) {
		qe_buf_addstr(&t->errors, msg);
		qe_buf_addch(&t->errors, '\n');
	}
}

static int lookup(const char *path, uint64_t dev, uint64_t ino,
		  struct qe_follow_saved *out, size_t max, void *data)
{
	struct t *t = data;
	size_t n = 0;
	int i;
	if (t->have_saved) {
		*out = t->saved;
		return 1;
	}
	for (i = 0; i < t->nr_rows && n < max; i++)
		if (t->rows[i].sv.dev == dev && t->rows[i].sv.ino == ino)
			out[n++] = t->rows[i].sv;
	for (i = 0; i < t->nr_rows && n < max; i++)
		if (!(t->rows[i].sv.dev == dev && t->rows[i].sv.ino == ino) &&
		    !strcmp(t->rows[i].path, path))
			out[n++] = t->rows[i].sv;
	return (int)n;
}

/* What a caller commits: the position after the last line delivered, for
 * every file the follower has, rotated ones too, by identity. */
static int save_cb(const struct qe_follow_file *file, void *data)
{
	struct t *t = data;
	struct seen *s = seen_for(t, file, 0);
	int i;
	if (file->is_stdin || !file->ino || !s)
		return 0;
	for (i = 0; i < t->nr_rows; i++)
		if (t->rows[i].sv.dev == file->dev && t->rows[i].sv.ino == file->ino)
			break;
	if (i == t->nr_rows) {
		assert_true(t->nr_rows < 16);
		t->nr_rows++;
	}
	snprintf(t->rows[i].path, sizeof(t->rows[i].path), "%s", file->path);
	t->rows[i].sv.dev = file->dev;
	t->rows[i].sv.ino = file->ino;
	t->rows[i].sv.head_hash = file->head_hash;
	t->rows[i].sv.head_len = file->head_len;
	t->rows[i].sv.offset = s->end;
	return 0;
}

/* Save every position and stop, as a graceful exit (or a kill -9 after
 * the last commit) would. */
static void stop_saving(struct t *t)
{
	qe_follow_each(t->f, save_cb, t);
	qe_follow_free(t->f);
	t->f = NULL;
	t->nr_seen = 0;
	t->lines_before = t->nr_lines;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct t *t = qe_xcalloc(1, sizeof(*t));
	enum qe_follow_backend *be = *state;

	strcpy(t->dir, "/tmp/qe-follow-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	t->loop = qe_loop_new();
	qe_buf_init(&t->out);
	qe_buf_init(&t->expected);
	qe_buf_init(&t->errors);
	qe_follow_conf_init(&t->conf);
	t->conf.backend = be ? *be : QE_FOLLOW_AUTO;
	t->conf.poll_interval_ms = 30;
	t->conf.rotate_wait_ms = 300;
	t->conf.on_line = on_line;
	t->conf.on_event = on_event;
	t->conf.lookup = lookup;
	t->conf.data = t;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	qe_follow_free(t->f);
	qe_loop_free(t->loop);
	nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	qe_buf_release(&t->out);
	qe_buf_release(&t->expected);
	qe_buf_release(&t->errors);
	free(t);
	return 0;
}

static char *path_in(struct t *t, const char *name)
{
	static char buf[4][256];
	static int n;
	char *p = buf[n++ % 4];
	snprintf(p, 256, "%s/%s", t->dir, name);
	return p;
}

static void write_fd(int fd, const char *s)
{
	size_t len = strlen(s);
	assert_int_equal(write(fd, s, len), (ssize_t)len);
}

static void append(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	write_fd(fd, s);
	close(fd);
}

/* Append prefix-from..prefix-to to fd (or path when fd < 0), expecting
 * them to be delivered. */
static void lines_to(struct t *t, int fd, const char *path, const char *prefix, int from,
		     int to)
{
	struct qe_buf b = QE_BUF_INIT;
	int i;
	for (i = from; i <= to; i++)
		qe_buf_addf(&b, "%s-%d\n", prefix, i);
	if (fd >= 0)
		write_fd(fd, b.buf);
	else
		append(path, b.buf);
	qe_buf_add(&t->expected, b.buf, b.len);
	qe_buf_release(&b);
}

/* Bounded wait: run the loop until a condition holds or 5 s pass. */
static int run_until_lines(struct t *t, int n)
{
	uint64_t deadline = qe_now_ms() + 5000;
	while (t->nr_lines < n && qe_now_ms() < deadline)
		assert_true(qe_loop_run_once(t->loop, 20) >= 0);
	return t->nr_lines;
}

static int count_cb(const struct qe_follow_file *file, void *data)
{
	(void)file;
	(*(int *)data)++;
	return 0;
}

static int nr_files(struct t *t)
{
	int n = 0;
	qe_follow_each(t->f, count_cb, &n);
	return n;
}

static void start(struct t *t, const char *spec)
{
	t->f = qe_follow_new(&t->conf, t->loop);
	assert_non_null(t->f);
	assert_int_equal(qe_follow_add(t->f, spec), 0);
	assert_int_equal(qe_follow_start(t->f), 0);
}

/* Everything expected, each once, in order, positions exact; a rescan of
 * every source finds nothing more. */
static void check_exact(struct t *t)
{
	struct qe_follow_counters c;
	int n = t->nr_lines;
	qe_follow_rescan(t->f);
	assert_int_equal(t->nr_lines, n);
	assert_string_equal(t->out.buf, t->expected.buf);
	assert_int_equal(t->pos_errors, 0);
	qe_follow_get_counters(t->f, &c);
	assert_int_equal(c.lines, (uint64_t)(t->nr_lines - t->lines_before));
}

/* Rotated while we were not running: the unread rest of the old file is
 * read first, then the new file from its start; each line once. */
static void test_restart_after_rotation(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log"), *p1 = path_in(t, "app.log.1");

	append(p, "");
	start(t, p);
	lines_to(t, -1, p, "a", 1, 10);
	assert_int_equal(run_until_lines(t, 10), 10);
	stop_saving(t);
	lines_to(t, -1, p, "b", 1, 5); /* unread when it is rotated */
	assert_int_equal(rename(p, p1), 0);
	lines_to(t, -1, p, "c", 1, 7);
	start(t, p);
	assert_int_equal(run_until_lines(t, 22), 22);
	lines_to(t, -1, p, "d", 1, 1);
	assert_int_equal(run_until_lines(t, 23), 23);
	check_exact(t);

	/* Stopped right after a late write to the rotated file: its own
	 * position was saved, so only that late line is new. */
	lines_to(t, -1, p1, "e", 1, 1);
	assert_int_equal(run_until_lines(t, 24), 24);
	stop_saving(t);
	lines_to(t, -1, p1, "f", 1, 2);
	start(t, p);
	assert_int_equal(run_until_lines(t, 26), 26);
	check_exact(t);

	/* Renamed while stopped, nothing new at the path yet. */
	stop_saving(t);
	lines_to(t, -1, p, "g", 1, 2);
	assert_int_equal(rename(p, path_in(t, "app.log.q")), 0);
	start(t, p);
	assert_int_equal(run_until_lines(t, 28), 28);
	lines_to(t, -1, p, "h", 1, 2);
	assert_int_equal(run_until_lines(t, 30), 30);
	check_exact(t);
}

/* A glob that also matches rotated names, restarted after a rotation:
 * the rotated file continues at its position, not from its start. */
static void test_glob_rotation_restart(void **state)
{
	struct t *t = *state;
	char pattern[256];
	const char *p = path_in(t, "app.log"), *p1 = path_in(t, "app.log.1");

	append(p, "");
	snprintf(pattern, sizeof(pattern), "%s/app.log*", t->dir);
	start(t, pattern);
	lines_to(t, -1, p, "a", 1, 10);
	assert_int_equal(run_until_lines(t, 10), 10);
	assert_int_equal(rename(p, p1), 0);
	lines_to(t, -1, p, "b", 1, 3);
	assert_int_equal(run_until_lines(t, 13), 13);
	stop_saving(t);
	lines_to(t, -1, p1, "c", 1, 2);
	start(t, pattern);
	assert_int_equal(run_until_lines(t, 15), 15);
	lines_to(t, -1, p, "d", 1, 1);
	assert_int_equal(run_until_lines(t, 16), 16);
	check_exact(t);

	/* Rotated again while stopped: app.log.1 -> app.log.2, app.log ->
	 * app.log.1; each continues where it was. */
	stop_saving(t);
	lines_to(t, -1, p, "e", 1, 2);
	assert_int_equal(rename(p1, path_in(t, "app.log.2")), 0);
	assert_int_equal(rename(p, p1), 0);
	lines_to(t, -1, p, "g", 1, 2);
	start(t, pattern);
	assert_int_equal(run_until_lines(t, 20), 20);
	check_exact(t);
}

/* The writer appends to the old file after we saw the rename, then opens
 * the new one: the late lines come before the new file's. */
static void test_late_write_order(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log"), *p1 = path_in(t, "app.log.1");
	uint64_t deadline;
	int old;

	append(p, "");
	start(t, p);
	lines_to(t, -1, p, "a", 1, 5);
	assert_int_equal(run_until_lines(t, 5), 5);
	old = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(old >= 0);
	assert_int_equal(rename(p, p1), 0);
	deadline = qe_now_ms() + 5000;
	while (!t->events[QE_FOLLOW_REMOVED] && !t->events[QE_FOLLOW_ROTATED] &&
	       qe_now_ms() < deadline)
		qe_loop_run_once(t->loop, 20);
	lines_to(t, old, NULL, "late", 1, 3);
	lines_to(t, -1, p, "new", 1, 3);
	assert_int_equal(run_until_lines(t, 11), 11);
	close(old);
	check_exact(t);
}

/* Lines written late to a rotated file are read as they come, not only
 * when its wait is over. */
static void test_late_write_prompt(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log"), *p1 = path_in(t, "app.log.1");
	uint64_t deadline;
	int old;

	t->conf.rotate_wait_ms = 4000;
	append(p, "");
	start(t, p);
	old = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(old >= 0);
	lines_to(t, old, NULL, "a", 1, 2);
	assert_int_equal(rename(p, p1), 0);
	lines_to(t, -1, p, "new", 1, 2);
	assert_int_equal(run_until_lines(t, 4), 4);
	lines_to(t, old, NULL, "late", 1, 2);
	deadline = qe_now_ms() + 1500;
	while (t->nr_lines < 6 && qe_now_ms() < deadline)
		qe_loop_run_once(t->loop, 20);
	assert_int_equal(t->nr_lines, 6);
	close(old);
	check_exact(t);
}

/* Called before every read: the writer's late line to the old file lands
 * after the round looked at the old file and before the new file is read. */
static int race_write(void *data)
{
	struct t *t = data;
	if (t->race_fd >= 0) {
		write_fd(t->race_fd, t->race_text);
		t->race_fd = -1;
	}
	return 0;
}

/* A late line written to the old file before a line of the new file is
 * delivered before it, even when it was written while the new file was
 * being read. */
static void test_late_write_race(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log"), *p1 = path_in(t, "app.log.1");
	int old;

	t->conf.rotate_wait_ms = 4000;
	t->conf.interrupted = race_write;
	t->race_fd = -1;
	append(p, "");
	start(t, p);
	old = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(old >= 0);
	lines_to(t, old, NULL, "a", 1, 2);
	assert_int_equal(run_until_lines(t, 2), 2);
	assert_int_equal(rename(p, p1), 0);
	lines_to(t, -1, p, "new", 1, 1);
	assert_int_equal(run_until_lines(t, 3), 3);
	t->race_text = "late-1\n";
	qe_buf_addstr(&t->expected, t->race_text);
	lines_to(t, -1, p, "new", 2, 2);
	t->race_fd = old;
	assert_int_equal(run_until_lines(t, 5), 5);
	close(old);
	check_exact(t);
}

static void test_rename_create(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log"), *p1 = path_in(t, "app.log.1");
	uint64_t deadline;
	int old;

	append(p, "present before start\n");
	start(t, p);
	lines_to(t, -1, p, "a", 1, 50);
	assert_int_equal(run_until_lines(t, 50), 50);
	/* The writer keeps its fd: lines go to the old file after the rename. */
	old = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(old >= 0);
	assert_int_equal(rename(p, p1), 0);
	lines_to(t, old, NULL, "b", 1, 20);
	lines_to(t, -1, p, "c", 1, 30);
	assert_int_equal(run_until_lines(t, 100), 100);
	assert_int_equal(t->events[QE_FOLLOW_ROTATED] + t->events[QE_FOLLOW_REMOVED], 1);
	/* Still within rotate_wait: late writes to the old file arrive. */
	lines_to(t, old, NULL, "d", 1, 5);
	assert_int_equal(run_until_lines(t, 105), 105);
	close(old);
	/* The rotated file is closed after rotate_wait. */
	deadline = qe_now_ms() + 5000;
	while (nr_files(t) > 1 && qe_now_ms() < deadline)
		qe_loop_run_once(t->loop, 20);
	assert_int_equal(nr_files(t), 1);
	lines_to(t, -1, p, "e", 1, 2);
	assert_int_equal(run_until_lines(t, 107), 107);
	check_exact(t);
}

static void test_copytruncate(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log");

	append(p, "");
	start(t, p);
	lines_to(t, -1, p, "a", 1, 20);
	assert_int_equal(run_until_lines(t, 20), 20);
	assert_int_equal(truncate(p, 0), 0);
	lines_to(t, -1, p, "b", 1, 3);
	assert_int_equal(run_until_lines(t, 23), 23);
	assert_true(t->events[QE_FOLLOW_TRUNCATED] >= 1);
	/* Truncated and regrown past the old size before anyone looked: the
	 * size alone cannot tell, the head hash does. */
	assert_int_equal(truncate(p, 0), 0);
	lines_to(t, -1, p, "c", 1, 100);
	assert_int_equal(run_until_lines(t, 123), 123);
	assert_true(t->events[QE_FOLLOW_TRUNCATED] >= 2);
	check_exact(t);
}

/* The same past the first KiB (the head hash complete): a file that was
 * only written to is read on without a look at its head, and a truncated
 * one, regrown past the position before the next look, is still told
 * by the bytes just before the position. */
static void test_copytruncate_long(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log");

	append(p, "");
	start(t, p);
	lines_to(t, -1, p, "a", 1, 200);
	assert_int_equal(run_until_lines(t, 200), 200);
	lines_to(t, -1, p, "a", 201, 210);
	assert_int_equal(run_until_lines(t, 210), 210);
	lines_to(t, -1, p, "a", 211, 212);
	assert_int_equal(run_until_lines(t, 212), 212);
	assert_int_equal(t->events[QE_FOLLOW_TRUNCATED], 0);
	assert_int_equal(truncate(p, 0), 0);
	lines_to(t, -1, p, "b", 1, 400);
	assert_int_equal(run_until_lines(t, 612), 612);
	assert_int_equal(t->events[QE_FOLLOW_TRUNCATED], 1);
	lines_to(t, -1, p, "b", 401, 402);
	assert_int_equal(run_until_lines(t, 614), 614);
	check_exact(t);
}

static void test_delete_recreate(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log");

	append(p, "x\n");
	start(t, p);
	lines_to(t, -1, p, "a", 1, 10);
	assert_int_equal(run_until_lines(t, 10), 10);
	lines_to(t, -1, p, "b", 1, 5); /* not yet read when deleted */
	assert_int_equal(unlink(p), 0);
	lines_to(t, -1, p, "c", 1, 7);
	assert_int_equal(run_until_lines(t, 22), 22);
	lines_to(t, -1, p, "d", 1, 1);
	assert_int_equal(run_until_lines(t, 23), 23);
	check_exact(t);
}

static void test_symlink_retarget(void **state)
{
	struct t *t = *state;
	const char *a = path_in(t, "a.log"), *b = path_in(t, "b.log");
	const char *link = path_in(t, "current.log"), *tmp = path_in(t, "tmp.link");

	append(a, "old\n");
	assert_int_equal(symlink(a, link), 0);
	start(t, link);
	lines_to(t, -1, a, "a", 1, 5);
	assert_int_equal(run_until_lines(t, 5), 5);
	lines_to(t, -1, b, "b", 1, 3);
	/* ln -sfn: a new link renamed over the old one. */
	assert_int_equal(symlink(b, tmp), 0);
	assert_int_equal(rename(tmp, link), 0);
	assert_int_equal(run_until_lines(t, 8), 8);
	assert_int_equal(t->events[QE_FOLLOW_ROTATED], 1);
	lines_to(t, -1, b, "b", 4, 4);
	assert_int_equal(run_until_lines(t, 9), 9);
	check_exact(t);
}

/* Kubernetes: a glob over symlinks; the target is renamed and a new one
 * created under its name, the link untouched. */
static void test_glob_symlink_target_rotation(void **state)
{
	struct t *t = *state;
	const char *links = path_in(t, "containers"), *pods = path_in(t, "pods");
	char target[256], link[256], rotated[256], pattern[256];
	int r;

	assert_int_equal(mkdir(links, 0755), 0);
	assert_int_equal(mkdir(pods, 0755), 0);
	snprintf(target, sizeof(target), "%s/0.log", pods);
	snprintf(link, sizeof(link), "%s/web_default_app-1.log", links);
	snprintf(pattern, sizeof(pattern), "%s/*.log", links);
	append(target, "");
	assert_int_equal(symlink(target, link), 0);
	start(t, pattern);
	lines_to(t, -1, target, "a", 1, 3);
	assert_int_equal(run_until_lines(t, 3), 3);
	for (r = 1; r <= 3; r++) {
		uint64_t deadline = qe_now_ms() + 5000;
		snprintf(rotated, sizeof(rotated), "%s/0.log.2026112210000%d", pods, r);
		lines_to(t, -1, target, "unread", r, r);
		assert_int_equal(rename(target, rotated), 0);
		/* the link dangles until the writer creates the new file */
		while (t->events[QE_FOLLOW_REMOVED] < r && qe_now_ms() < deadline)
			qe_loop_run_once(t->loop, 20);
		assert_int_equal(t->events[QE_FOLLOW_REMOVED], r);
		lines_to(t, -1, target, "new", r * 10, r * 10 + 1);
		assert_int_equal(run_until_lines(t, 3 + r * 3), 3 + r * 3);
	}
	check_exact(t);
}

static void test_deleted_then_back(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log");

	append(p, "");
	start(t, p);
	lines_to(t, -1, p, "a", 1, 5);
	assert_int_equal(unlink(p), 0);
	/* What remained in the deleted file is read. */
	assert_int_equal(run_until_lines(t, 5), 5);
	assert_int_equal(t->events[QE_FOLLOW_REMOVED], 1);
	assert_int_equal(t->events[QE_FOLLOW_ERROR], 0);
	qe_follow_rescan(t->f);
	assert_int_equal(t->events[QE_FOLLOW_ERROR], 0);
	/* The path is still watched: when it comes back it is read from 0. */
	lines_to(t, -1, p, "c", 1, 2);
	assert_int_equal(run_until_lines(t, 7), 7);
	assert_int_equal(t->events[QE_FOLLOW_OPENED], 2);
	check_exact(t);
}

static void test_glob_new_file(void **state)
{
	struct t *t = *state;
	char pattern[256];

	append(path_in(t, "a.log"), "before\n");
	snprintf(pattern, sizeof(pattern), "%s/*.log", t->dir);
	start(t, pattern);
	assert_int_equal(nr_files(t), 1);
	append(path_in(t, "ignored.txt"), "no\n");
	lines_to(t, -1, path_in(t, "b.log"), "b", 1, 3);
	assert_int_equal(run_until_lines(t, 3), 3);
	lines_to(t, -1, path_in(t, "a.log"), "a", 1, 1);
	assert_int_equal(run_until_lines(t, 4), 4);
	assert_int_equal(nr_files(t), 2);
	check_exact(t);
}

/* A glob that also matches rotated names: a renamed file is adopted, not
 * read a second time. */
static void test_glob_rotation(void **state)
{
	struct t *t = *state;
	char pattern[256];
	const char *p = path_in(t, "app.log"), *p1 = path_in(t, "app.log.1");

	append(p, "");
	snprintf(pattern, sizeof(pattern), "%s/app.log*", t->dir);
	start(t, pattern);
	lines_to(t, -1, p, "a", 1, 10);
	assert_int_equal(run_until_lines(t, 10), 10);
	assert_int_equal(rename(p, p1), 0);
	lines_to(t, -1, p1, "b", 1, 2);
	lines_to(t, -1, p, "c", 1, 3);
	assert_int_equal(run_until_lines(t, 15), 15);
	lines_to(t, -1, p1, "d", 1, 1);
	assert_int_equal(run_until_lines(t, 16), 16);
	check_exact(t);
	assert_int_equal(nr_files(t), 2);
}

static void test_resume(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log");
	struct stat st;

	append(p, "l1\nl2\nl3\n");
	assert_int_equal(stat(p, &st), 0);
	t->have_saved = 1;
	t->saved.dev = (uint64_t)st.st_dev;
	t->saved.ino = (uint64_t)st.st_ino;
	t->saved.head_len = 9;
	t->saved.head_hash = qe_fnv1a("l1\nl2\nl3\n", 9);
	t->saved.offset = 3;
	start(t, p);
	qe_buf_addstr(&t->expected, "l2\nl3\n");
	assert_int_equal(run_until_lines(t, 2), 2);
	check_exact(t);
	qe_follow_free(t->f);
	t->f = NULL;

	/* The same inode number with another head: a new file, read from 0. */
	qe_buf_reset(&t->out);
	qe_buf_reset(&t->expected);
	t->nr_lines = 0;
	t->nr_seen = 0;
	t->saved.head_hash = qe_fnv1a("other", 5);
	t->saved.head_len = 5;
	start(t, p);
	qe_buf_addstr(&t->expected, "l1\nl2\nl3\n");
	assert_int_equal(run_until_lines(t, 3), 3);
	check_exact(t);
	qe_follow_free(t->f);
	t->f = NULL;

	/* No saved position: the end, but at the start of the line being
	 * written so that it is delivered whole. */
	t->have_saved = 0;
	qe_buf_reset(&t->out);
	qe_buf_reset(&t->expected);
	t->nr_lines = 0;
	t->nr_seen = 0;
	append(p, "part");
	start(t, p);
	append(p, "ial\n");
	qe_buf_addstr(&t->expected, "partial\n");
	assert_int_equal(run_until_lines(t, 1), 1);
	check_exact(t);
}

static void test_stdin_pipe(void **state)
{
	struct t *t = *state;
	int p[2], saved = dup(0);
	uint64_t deadline = qe_now_ms() + 5000;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(dup2(p[0], 0), 0);
	close(p[0]);
	start(t, "-");
	assert_int_equal(qe_follow_add(t->f, "-"), -1);
	write_fd(p[1], "s1\ns2\n");
	assert_int_equal(run_until_lines(t, 2), 2);
	assert_int_equal(write(p[1], "s3\0x\npart", 9), 9);
	close(p[1]);
	while (!t->events[QE_FOLLOW_EOF] && qe_now_ms() < deadline)
		qe_loop_run_once(t->loop, 20);
	assert_int_equal(t->events[QE_FOLLOW_EOF], 1);
	assert_int_equal(t->nr_lines, 4);
	assert_int_equal(t->last_flags, QE_LINE_PARTIAL);
	/* a NUL inside a line reaches the caller as U+FFFD (lines.h) */
	assert_memory_equal(t->out.buf, "s1\ns2\ns3\xef\xbf\xbdx\npart\n", 18);
	assert_int_equal(t->pos_errors, 0);
	assert_true(qe_follow_done(t->f));
	dup2(saved, 0);
	close(saved);
}

/* stdin redirected from a regular file: epoll refuses it, so it is read
 * in rounds driven by a timer. */
static void test_stdin_file(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "input");
	int fd, saved = dup(0);
	uint64_t deadline = qe_now_ms() + 5000;

	lines_to(t, -1, p, "in", 1, 5000);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	t->conf.read_buffer_bytes = 4096; /* many rounds */
	start(t, "-");
	while (!t->events[QE_FOLLOW_EOF] && qe_now_ms() < deadline)
		qe_loop_run_once(t->loop, 20);
	assert_int_equal(t->events[QE_FOLLOW_EOF], 1);
	assert_int_equal(t->nr_lines, 5000);
	assert_string_equal(t->out.buf, t->expected.buf);
	assert_int_equal(t->pos_errors, 0);
	dup2(saved, 0);
	close(saved);
}

static void test_overflow_rescan(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log"), *p1 = path_in(t, "app.log.1");
	int i;

	append(p, "");
	start(t, p);
	lines_to(t, -1, p, "a", 1, 10);
	assert_int_equal(rename(p, p1), 0);
	lines_to(t, -1, p, "b", 1, 10);
	/* As after IN_Q_OVERFLOW: no event is used, the rescan finds all. */
	qe_follow_rescan(t->f);
	assert_int_equal(t->nr_lines, 20);
	/* The queued events arrive later and find nothing new. */
	for (i = 0; i < 3; i++)
		qe_loop_run_once(t->loop, 10);
	check_exact(t);
}

static void test_bad_sources(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "good.log"), *missing = path_in(t, "later.log");

	append(p, "");
	t->f = qe_follow_new(&t->conf, t->loop);
	assert_int_equal(qe_follow_add(t->f, t->dir), 0); /* a directory */
	assert_int_equal(qe_follow_add(t->f, missing), 0);
	assert_int_equal(qe_follow_add(t->f, p), 0);
	assert_int_equal(qe_follow_add(t->f, ""), -1);
	assert_int_equal(qe_follow_start(t->f), 0);
	assert_non_null(strstr(t->errors.buf, "is a directory"));
	assert_non_null(strstr(t->errors.buf, "later.log': No such file or directory"));
	assert_int_equal(t->events[QE_FOLLOW_ERROR], 2);
	if (geteuid() != 0) {
		const char *locked = path_in(t, "locked.log");
		append(locked, "secret\n");
		chmod(locked, 0);
		assert_int_equal(qe_follow_add(t->f, locked), 0);
		qe_follow_rescan(t->f);
		assert_non_null(strstr(t->errors.buf, "Permission denied"));
	}
	lines_to(t, -1, p, "g", 1, 3);
	assert_int_equal(run_until_lines(t, 3), 3);
	/* A missing path that appears later is new: read from 0. */
	lines_to(t, -1, missing, "m", 1, 2);
	assert_int_equal(run_until_lines(t, 5), 5);
	/* Errors are not repeated on every check. */
	qe_follow_rescan(t->f);
	assert_int_equal(t->events[QE_FOLLOW_ERROR], geteuid() != 0 ? 3 : 2);
	check_exact(t);
}

/* The inotify mask the kernel holds for the watch on ino (the inode of a
 * directory), from /proc/self/fdinfo of our inotify descriptors; 0 when
 * none watches it. */
static unsigned watch_mask(unsigned long ino)
{
	unsigned mask = 0;
	int fd;

	for (fd = 3; fd < 1024 && !mask; fd++) {
		char p[64], link[64], line[512];
		ssize_t n;
		FILE *fh;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (!strstr(link, "inotify"))
			continue;
		snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
		fh = fopen(p, "r");
		if (!fh)
			continue;
		while (fgets(line, sizeof(line), fh)) {
			unsigned wd, m;
			unsigned long i;
			if (sscanf(line, "inotify wd:%x ino:%lx sdev:%*x mask:%x", &wd,
				   &i, &m) == 3 &&
			    i == ino)
				mask = m;
		}
		fclose(fh);
	}
	return mask;
}

/* A directory watch asks for attribute changes only for a source that
 * could not be read (a chmod may end that): for the others it would send
 * every read and write of its files through fsnotify's slow path. */
static void test_dir_watch_attrib(void **state)
{
	struct t *t = *state;
	char *good = qe_xasprintf("%s/good", t->dir),
	     *bad = qe_xasprintf("%s/bad", t->dir);
	char *gp = qe_xasprintf("%s/app.log", good),
	     *bp = qe_xasprintf("%s/app.log", bad);
	struct stat gs, bs;

	assert_int_equal(mkdir(good, 0755), 0);
	assert_int_equal(mkdir(bad, 0755), 0);
	assert_int_equal(mkdir(bp, 0755), 0); /* a directory: cannot be read */
	append(gp, "");
	assert_int_equal(stat(good, &gs), 0);
	assert_int_equal(stat(bad, &bs), 0);
	t->f = qe_follow_new(&t->conf, t->loop);
	assert_int_equal(qe_follow_add(t->f, gp), 0);
	assert_int_equal(qe_follow_add(t->f, bp), 0);
	assert_int_equal(qe_follow_start(t->f), 0);
	assert_non_null(strstr(t->errors.buf, "is a directory"));
	assert_true(watch_mask((unsigned long)gs.st_ino) & IN_CREATE);
	assert_false(watch_mask((unsigned long)gs.st_ino) & IN_ATTRIB);
	assert_true(watch_mask((unsigned long)bs.st_ino) & IN_ATTRIB);
	/* and the good file is read as before */
	lines_to(t, -1, gp, "g", 1, 3);
	assert_int_equal(run_until_lines(t, 3), 3);
	/* the bad path becomes a file: read from 0 */
	assert_int_equal(rmdir(bp), 0);
	lines_to(t, -1, bp, "b", 1, 2);
	assert_int_equal(run_until_lines(t, 5), 5);
	check_exact(t);
	free(good);
	free(bad);
	free(gp);
	free(bp);
}

static struct qe_follow *idle_f;

static int backend_cb(const struct qe_follow_file *file, void *data)
{
	assert_string_equal(qe_follow_file_backend(idle_f, file), "inotify");
	(*(int *)data)++;
	return 0;
}

static void test_idle_many_files(void **state)
{
	struct t *t = *state;
	int i, n;

	t->f = qe_follow_new(&t->conf, t->loop);
	for (i = 0; i < 1000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%04d.log", i);
		append(path_in(t, name), "x\n");
		assert_int_equal(qe_follow_add(t->f, path_in(t, name)), 0);
	}
	assert_int_equal(qe_follow_start(t->f), 0);
	/* Drain what start-up queued, then nothing at all may wake us. */
	while (qe_loop_run_once(t->loop, 0) > 0)
		;
	n = qe_loop_run_once(t->loop, 300);
	assert_int_equal(n, 0);
	idle_f = t->f;
	qe_follow_each(t->f, backend_cb, &n);
	assert_int_equal(n, 1000);
	lines_to(t, -1, path_in(t, "f0500.log"), "z", 1, 1);
	assert_int_equal(run_until_lines(t, 1), 1);
	check_exact(t);
}

/* Files written to in another order than they were given are read in
 * the order given, in one round: from the middle round to the first
 * (as writers that take the files in turn do), and interleaved. */
static void test_round_order(void **state)
{
	static const int orders[][5] = {{3, 4, 5, 0, 1}, {4, 0, 5, 1, 3}};
	struct t *t = *state;
	size_t k;
	int i, n = 0;

	t->f = qe_follow_new(&t->conf, t->loop);
	for (i = 0; i < 6; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%d.log", i);
		append(path_in(t, name), "x\n");
		assert_int_equal(qe_follow_add(t->f, path_in(t, name)), 0);
	}
	assert_int_equal(qe_follow_start(t->f), 0);
	while (qe_loop_run_once(t->loop, 0) > 0)
		;
	for (k = 0; k < QE_ARRAY_SIZE(orders); k++) {
		int sorted[6] = {0};
		/* all written before the loop runs: one read of the events */
		for (i = 0; i < 5; i++) {
			char name[32], line[32];
			snprintf(name, sizeof(name), "f%d.log", orders[k][i]);
			snprintf(line, sizeof(line), "r%zu-f%d\n", k, orders[k][i]);
			append(path_in(t, name), line);
			sorted[orders[k][i]] = 1;
		}
		for (i = 0; i < 6; i++)
			if (sorted[i])
				qe_buf_addf(&t->expected, "r%zu-f%d\n", k, i);
		n += 5;
		assert_int_equal(run_until_lines(t, n), n);
	}
	check_exact(t);
}

static int open_fds(void)
{
	char p[64];
	int fd, n = 0;
	for (fd = 0; fd < 1024; fd++) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n += access(p, F_OK) == 0;
	}
	return n;
}

/* More files than descriptors allowed: all are read, in turn, and the
 * follower never holds more than its budget. */
static void test_descriptor_budget(void **state)
{
	struct t *t = *state;
	char pattern[256], name[32];
	struct qe_follow_counters c;
	int i, round, base;

	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "f%02d.log", i);
		append(path_in(t, name), "");
	}
	snprintf(pattern, sizeof(pattern), "%s/*.log", t->dir);
	t->conf.max_open_files = 4;
	base = open_fds();
	start(t, pattern);
	assert_true(open_fds() <= base + 4 + 5); /* files + inotify and timer fds */
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 20; i++) {
			char prefix[16];
			snprintf(name, sizeof(name), "f%02d.log", i);
			snprintf(prefix, sizeof(prefix), "r%d-%02d", round, i);
			lines_to(t, -1, path_in(t, name), prefix, 1, 2);
			assert_int_equal(run_until_lines(t, round * 40 + i * 2 + 2),
					 round * 40 + i * 2 + 2);
			assert_true(open_fds() <= base + 4 + 5);
		}
	}
	/* One parked file rotated while parked: its rest is still read. */
	append(path_in(t, "f00.log"), "rest\n");
	qe_buf_addstr(&t->expected, "rest\n");
	assert_int_equal(rename(path_in(t, "f00.log"), path_in(t, "f00.old")), 0);
	assert_int_equal(run_until_lines(t, 121), 121);
	check_exact(t);
	qe_follow_get_counters(t->f, &c);
	assert_true(c.parked > 0);
	assert_int_equal(c.max_open, 4);
}

/* Compressed files under a glob are skipped with a message (by their
 * bytes, or by their name while the compressor has written nothing yet),
 * never read as text; exclude patterns leave out what they name. */
static void test_glob_compressed_excluded(void **state)
{
	struct t *t = *state;
	char pattern[256], cmd[512];
	char ex1[] = "*.old", ex2[] = "*/skip/*";
	char *const exclude[] = {ex1, ex2};
	struct qe_follow_counters c;

	append(path_in(t, "app.log"), "");
	snprintf(cmd, sizeof(cmd), "printf 'ERROR one\\nERROR two\\n' | gzip -c > %s",
		 path_in(t, "app.log.1.gz"));
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "printf 'ERROR three\\n' | xz -c > %s",
		 path_in(t, "app.log.2"));
	assert_int_equal(system(cmd), 0);
	append(path_in(t, "app.log.old"), "old\n");
	snprintf(pattern, sizeof(pattern), "%s/app.log*", t->dir);
	t->conf.from_beginning = 1;
	t->conf.exclude = exclude;
	t->conf.nr_exclude = 2;
	start(t, pattern);
	append(path_in(t, "app.log.3.gz"), ""); /* being written by gzip */
	lines_to(t, -1, path_in(t, "app.log"), "a", 1, 2);
	assert_int_equal(run_until_lines(t, 2), 2);
	check_exact(t);
	assert_non_null(strstr(t->errors.buf, "app.log.1.gz': gzip-compressed"));
	assert_non_null(strstr(t->errors.buf, "app.log.2': xz-compressed"));
	assert_non_null(strstr(t->errors.buf, "app.log.3.gz': gzip-compressed"));
	assert_null(strstr(t->errors.buf, "app.log.old"));
	qe_follow_rescan(t->f);
	assert_int_equal(t->events[QE_FOLLOW_ERROR], 3); /* said once each */
	qe_follow_get_counters(t->f, &c);
	assert_int_equal(c.compressed, 3);
}

static struct qe_follow *fallback_f;

static int fallback_cb(const struct qe_follow_file *file, void *data)
{
	*(const char **)data = qe_follow_file_backend(fallback_f, file);
	return 1;
}

/* "auto": a path whose directory does not exist yet is polled; once the
 * directory is there, inotify serves it. */
static void test_auto_fallback(void **state)
{
	struct t *t = *state;
	const char *sub = path_in(t, "sub"), *p = path_in(t, "sub/app.log");
	const char *be = NULL;
	uint64_t deadline;

	start(t, p);
	fallback_f = t->f;
	qe_follow_each(t->f, fallback_cb, &be);
	assert_string_equal(be, "poll");
	assert_int_equal(mkdir(sub, 0755), 0);
	lines_to(t, -1, p, "a", 1, 3);
	assert_int_equal(run_until_lines(t, 3), 3);
	deadline = qe_now_ms() + 5000;
	do {
		qe_loop_run_once(t->loop, 20);
		qe_follow_each(t->f, fallback_cb, &be);
	} while (strcmp(be, "inotify") && qe_now_ms() < deadline);
	assert_string_equal(be, "inotify");
	lines_to(t, -1, p, "b", 1, 2);
	assert_int_equal(run_until_lines(t, 5), 5);
	check_exact(t);
}

static void test_read_once(void **state)
{
	struct t *t = *state;
	const char *p = path_in(t, "app.log");

	append(p, "a\nb\npartial");
	t->conf.from_beginning = 1;
	t->f = qe_follow_new(&t->conf, t->loop);
	assert_int_equal(qe_follow_add(t->f, p), 0);
	assert_int_equal(qe_follow_read_once(t->f), 0);
	/* the partial last line is left for the next run to read whole */
	assert_int_equal(t->nr_lines, 2);
	assert_string_equal(t->out.buf, "a\nb\n");
	assert_int_equal(t->last_flags, 0);
	assert_int_equal(t->pos_errors, 0);
}

#define BOTH(fn)                                                                         \
	cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &be_poll),         \
	    cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &be_inotify)
#define ONE(fn, be) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, be)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_rename_create),
	    BOTH(test_restart_after_rotation),
	    BOTH(test_glob_rotation_restart),
	    BOTH(test_late_write_order),
	    BOTH(test_late_write_prompt),
	    BOTH(test_late_write_race),
	    BOTH(test_copytruncate),
	    BOTH(test_copytruncate_long),
	    BOTH(test_delete_recreate),
	    BOTH(test_symlink_retarget),
	    BOTH(test_deleted_then_back),
	    BOTH(test_glob_symlink_target_rotation),
	    BOTH(test_glob_new_file),
	    BOTH(test_glob_rotation),
	    BOTH(test_resume),
	    BOTH(test_bad_sources),
	    ONE(test_dir_watch_attrib, &be_inotify),
	    ONE(test_stdin_pipe, &be_inotify),
	    ONE(test_stdin_file, &be_poll),
	    ONE(test_overflow_rescan, &be_inotify),
	    ONE(test_idle_many_files, &be_inotify),
	    ONE(test_round_order, &be_inotify),
	    ONE(test_read_once, &be_poll),
	    ONE(test_auto_fallback, NULL),
	    BOTH(test_descriptor_budget),
	    BOTH(test_glob_compressed_excluded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
