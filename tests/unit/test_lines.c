#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "lines.h"
#include "util.h"

struct got_line {
	char *text;
	size_t len;
	uint64_t start, end;
	unsigned flags;
};

struct rec {
	struct got_line *v;
	size_t nr, alloc;
	uint64_t delivered_span; /* sum of end - start */
};

static void rec_cb(const char *line, size_t len, uint64_t start, uint64_t end,
		   unsigned flags, void *data)
{
	struct rec *r = data;
	QE_ALLOC_GROW(r->v, r->nr + 1, r->alloc);
	r->v[r->nr].text = qe_xmalloc(len + 1);
	memcpy(r->v[r->nr].text, line, len);
	r->v[r->nr].text[len] = '\0';
	r->v[r->nr].len = len;
	r->v[r->nr].start = start;
	r->v[r->nr].end = end;
	r->v[r->nr].flags = flags;
	r->delivered_span += end - start;
	r->nr++;
}

static void rec_free(struct rec *r)
{
	size_t i;
	for (i = 0; i < r->nr; i++)
		free(r->v[i].text);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* The accounting invariant of lines.h. */
static void check_accounting(const struct qe_lines *l, const struct rec *r)
{
	assert_int_equal(l->bytes, r->delivered_span + l->skipped_bytes + l->carry_len);
	assert_int_equal(l->lines, r->nr);
}

static void feed_in_chunks(struct qe_lines *l, const char *data, size_t len, size_t chunk,
			   struct rec *r)
{
	size_t off;
	for (off = 0; off < len; off += chunk)
		qe_lines_feed(l, data + off, len - off < chunk ? len - off : chunk,
			      rec_cb, r);
}

static void test_split_across_boundaries(void **state)
{
	static const char text[] =
	    "first\nsecond line\n\nfourth\nfifth is longer than the "
	    "others\nsix\n";
	size_t chunk;
	(void)state;
	/* Every chunk size gives the same lines at the same positions. */
	for (chunk = 1; chunk <= sizeof(text); chunk++) {
		struct qe_lines l;
		struct rec r = {0};
		qe_lines_init(&l, 1024, 0);
		feed_in_chunks(&l, text, sizeof(text) - 1, chunk, &r);
		assert_int_equal(r.nr, 6);
		assert_string_equal(r.v[0].text, "first");
		assert_int_equal(r.v[0].start, 0);
		assert_int_equal(r.v[0].end, 6);
		assert_string_equal(r.v[1].text, "second line");
		assert_int_equal(r.v[1].start, 6);
		assert_int_equal(r.v[1].end, 18);
		assert_string_equal(r.v[2].text, "");
		assert_int_equal(r.v[2].start, 18);
		assert_int_equal(r.v[2].end, 19);
		assert_string_equal(r.v[4].text, "fifth is longer than the others");
		assert_string_equal(r.v[5].text, "six");
		assert_int_equal(r.v[5].end, sizeof(text) - 1);
		assert_int_equal(l.pos, sizeof(text) - 1);
		check_accounting(&l, &r);
		qe_lines_release(&l);
		rec_free(&r);
	}
}

static void test_partial_carry(void **state)
{
	struct qe_lines l;
	struct rec r = {0};
	(void)state;
	qe_lines_init(&l, 0, 100); /* positions start where the caller says */
	qe_lines_feed(&l, "abc", 3, rec_cb, &r);
	assert_int_equal(r.nr, 0);
	assert_int_equal(qe_lines_pending(&l), 3);
	check_accounting(&l, &r);
	qe_lines_feed(&l, "def", 3, rec_cb, &r);
	assert_int_equal(r.nr, 0);
	qe_lines_feed(&l, "\ng", 2, rec_cb, &r);
	assert_int_equal(r.nr, 1);
	assert_string_equal(r.v[0].text, "abcdef");
	assert_int_equal(r.v[0].start, 100);
	assert_int_equal(r.v[0].end, 107);
	assert_int_equal(r.v[0].flags, 0);
	check_accounting(&l, &r);
	/* Not delivered until a flush (end of input). */
	assert_int_equal(qe_lines_flush(&l, rec_cb, &r), 1);
	assert_int_equal(r.nr, 2);
	assert_string_equal(r.v[1].text, "g");
	assert_int_equal(r.v[1].flags, QE_LINE_PARTIAL);
	assert_int_equal(r.v[1].start, 107);
	assert_int_equal(r.v[1].end, 108);
	assert_int_equal(qe_lines_flush(&l, rec_cb, &r), 0);
	check_accounting(&l, &r);
	qe_lines_release(&l);
	qe_lines_release(&l); /* safe twice */
	rec_free(&r);
}

static void test_long_line_cut(void **state)
{
	const size_t big = 10 * 1024 * 1024, cap = 65536;
	char *data = qe_xmalloc(big + 64);
	struct qe_lines l;
	struct rec r = {0};
	size_t len;
	(void)state;
	memcpy(data, "before\n", 7);
	memset(data + 7, 'x', big);
	len = 7 + big;
	memcpy(data + len, "\nafter\n", 7);
	len += 7;
	qe_lines_init(&l, cap, 0);
	feed_in_chunks(&l, data, len, 262144, &r);
	assert_int_equal(r.nr, 3);
	assert_string_equal(r.v[0].text, "before");
	assert_int_equal(r.v[1].len, cap);
	assert_int_equal(r.v[1].flags, QE_LINE_CUT);
	assert_int_equal(r.v[1].start, 7);
	assert_int_equal(r.v[1].end, 7 + cap);
	assert_int_equal(r.v[1].text[0], 'x');
	assert_int_equal(r.v[1].text[cap - 1], 'x');
	assert_string_equal(r.v[2].text, "after");
	assert_int_equal(r.v[2].start, 7 + big + 1);
	assert_int_equal(r.v[2].end, len);
	assert_int_equal(l.truncated_lines, 1);
	assert_int_equal(l.skipped_bytes, big - cap + 1);
	check_accounting(&l, &r);
	qe_lines_release(&l);
	rec_free(&r);

	/* A carried prefix that then overflows: cut from the carry buffer. */
	qe_lines_init(&l, 8, 0);
	qe_lines_feed(&l, "abcde", 5, rec_cb, &r);
	qe_lines_feed(&l, "fghijk", 6, rec_cb, &r);
	assert_int_equal(r.nr, 1);
	assert_string_equal(r.v[0].text, "abcdefgh");
	assert_int_equal(r.v[0].end, 8);
	qe_lines_feed(&l, "lm\nok\n", 6, rec_cb, &r);
	assert_int_equal(r.nr, 2);
	assert_string_equal(r.v[1].text, "ok");
	assert_int_equal(r.v[1].start, 14);
	assert_int_equal(l.skipped_bytes, 6);
	check_accounting(&l, &r);
	/* Exactly the cap is not cut. */
	qe_lines_feed(&l, "12345678", 8, rec_cb, &r);
	qe_lines_feed(&l, "\n", 1, rec_cb, &r);
	assert_int_equal(r.nr, 3);
	assert_string_equal(r.v[2].text, "12345678");
	assert_int_equal(r.v[2].flags, 0);
	assert_int_equal(l.truncated_lines, 1);
	check_accounting(&l, &r);
	qe_lines_release(&l);
	rec_free(&r);
	free(data);
}

static void test_binary_pass_through(void **state)
{
	static const char text[] = "a\0b\xff\xfe\xc3\x28z\r\nnext\n";
	struct qe_lines l;
	struct rec r = {0};
	(void)state;
	qe_lines_init(&l, 0, 0);
	qe_lines_feed(&l, text, sizeof(text) - 1, rec_cb, &r);
	assert_int_equal(r.nr, 2);
	/* invalid UTF-8 and '\r' pass; the NUL is made visible */
	assert_int_equal(r.v[0].len, 11);
	assert_memory_equal(r.v[0].text,
			    "a\xef\xbf\xbd"
			    "b\xff\xfe\xc3\x28z\r",
			    11);
	assert_string_equal(r.v[1].text, "next");
	assert_int_equal(l.nul_bytes, 1);
	check_accounting(&l, &r);
	qe_lines_release(&l);
	rec_free(&r);
}

struct collect {
	struct qe_buf out;
	unsigned last_flags;
	int n;
};

static void collect_cb(const char *line, size_t len, uint64_t start_pos, uint64_t end_pos,
		       unsigned flags, void *data)
{
	struct collect *c = data;
	qe_buf_add(&c->out, line, len);
	qe_buf_addch(&c->out, '|');
	c->last_flags = flags;
	c->n++;
}

static void test_read_fd(void **state)
{
	int fds[2];
	struct qe_lines l;
	struct collect c = {QE_BUF_INIT, 0, 0};
	static const char text[] = "one\ntwo\nlast without newline";
	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], text, sizeof(text) - 1),
			 (ssize_t)(sizeof(text) - 1));
	close(fds[1]);
	qe_lines_init(&l, 8, 0);
	assert_int_equal(qe_lines_read_fd(&l, fds[0], "pipe", collect_cb, &c), 0);
	close(fds[0]);
	/* the last line is delivered at end of input; lines cut at 8 bytes */
	assert_string_equal(c.out.buf, "one|two|last wit|");
	assert_int_equal(c.n, 3);
	assert_int_equal(l.truncated_lines, 1);
	qe_lines_release(&l);
	qe_buf_release(&c.out);
	/* a read error says what could not be read */
	qe_lines_init(&l, 8, 0);
	assert_int_equal(qe_lines_read_fd(&l, -1, "missing.log", collect_cb, &c), -1);
	assert_non_null(strstr(qe_last_error(), "cannot read 'missing.log'"));
	qe_lines_release(&l);
	qe_buf_release(&c.out);
}

static void test_reset(void **state)
{
	struct qe_lines l;
	struct rec r = {0};
	(void)state;
	qe_lines_init(&l, 4, 0);
	qe_lines_feed(&l, "abcdefg", 7, rec_cb, &r); /* cut, now skipping */
	qe_lines_reset(&l, 0);
	qe_lines_feed(&l, "xy\n", 3, rec_cb, &r);
	assert_int_equal(r.nr, 2);
	assert_string_equal(r.v[1].text, "xy");
	assert_int_equal(r.v[1].start, 0);
	assert_int_equal(r.v[1].end, 3);
	qe_lines_release(&l);
	rec_free(&r);
}

#define FFFD "\xef\xbf\xbd"

/* A NUL never cuts a line or reaches the callback: runs at the ends are
 * dropped, inner runs become one U+FFFD.  The same in every chunking. */
static void test_nul_bytes(void **state)
{
	static const char text[] = "ERROR connection\0 refused\n"
				   "\0\0ERROR boom at start\n"
				   "ERROR end\0\0\0\n"
				   "\0\0\0\n"
				   "a\0\0\0b\0c\n"
				   "plain\n";
	static const char *const want[] = {"ERROR connection" FFFD " refused",
					   "ERROR boom at start",
					   "ERROR end",
					   "",
					   "a" FFFD "b" FFFD "c",
					   "plain"};
	size_t chunk, i;

	for (chunk = 1; chunk <= sizeof(text); chunk++) {
		struct qe_lines l;
		struct rec r = {0};
		qe_lines_init(&l, 0, 0);
		feed_in_chunks(&l, text, sizeof(text) - 1, chunk, &r);
		assert_int_equal(r.nr, QE_ARRAY_SIZE(want));
		for (i = 0; i < r.nr; i++) {
			assert_int_equal(r.v[i].len, strlen(want[i]));
			assert_string_equal(r.v[i].text, want[i]);
			assert_int_equal(r.v[i].flags, 0);
		}
		/* positions are those of the raw bytes */
		assert_int_equal(r.v[1].start, 26);
		assert_int_equal(r.v[1].end, 26 + 22);
		assert_int_equal(l.nul_bytes, 1 + 2 + 3 + 3 + 4);
		assert_int_equal(l.utf16, 0);
		check_accounting(&l, &r);
		qe_lines_release(&l);
		rec_free(&r);
	}
}

/* A NUL inside a line cut at the cap: the prefix is cleaned too. */
static void test_nul_cut(void **state)
{
	struct qe_lines l;
	struct rec r = {0};
	qe_lines_init(&l, 6, 0);
	qe_lines_feed(&l, "ab\0cdefgh\nok\n", 13, rec_cb, &r);
	assert_int_equal(r.nr, 2);
	assert_string_equal(r.v[0].text, "ab" FFFD "cde");
	assert_int_equal(r.v[0].flags, QE_LINE_CUT);
	assert_int_equal(r.v[0].end, 6);
	assert_string_equal(r.v[1].text, "ok");
	check_accounting(&l, &r);
	qe_lines_release(&l);
	rec_free(&r);
}

static int open_data(const char *name)
{
	char path[256];
	int fd;
	snprintf(path, sizeof(path), "tests/data/lines/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("cannot open %s (run from the source tree)", path);
	return fd;
}

/* A copytruncate rotation of a log written without O_APPEND (see
 * tests/data/lines/README): 170 NUL bytes, then the ERROR line. */
static void test_nul_hole_real(void **state)
{
	struct qe_lines l;
	struct rec r = {0};
	int fd = open_data("copytruncate-nul.log");

	qe_lines_init(&l, 0, 0);
	assert_int_equal(qe_lines_read_fd(&l, fd, "copytruncate-nul.log", rec_cb, &r), 0);
	close(fd);
	assert_int_equal(r.nr, 4);
	assert_int_equal(r.v[0].start, 0);
	assert_non_null(
	    strstr(r.v[0].text, " ERROR orders: payment for order 1002 declined"));
	assert_int_equal(r.v[0].text[0], '2'); /* the timestamp starts the line */
	assert_int_equal(l.nul_bytes, 170);
	assert_non_null(strstr(r.v[3].text, "order 1005"));
	check_accounting(&l, &r);
	qe_lines_release(&l);
	rec_free(&r);
}

static void check_utf16(const char *name, int kind)
{
	struct qe_lines l;
	struct rec r = {0};
	int fd = open_data(name);
	size_t i;

	qe_lines_init(&l, 0, 0);
	assert_int_equal(qe_lines_read_fd(&l, fd, name, rec_cb, &r), -1);
	assert_non_null(strstr(qe_last_error(), name));
	assert_non_null(strstr(qe_last_error(), "UTF-16"));
	assert_int_equal(l.utf16, kind);
	/* every line: delivered empty, flagged, positions moving on; six
	 * lines of text, and in LE the newline's high byte after the last */
	assert_int_equal(r.nr, kind == QE_LINES_UTF16LE ? 7 : 6);
	for (i = 0; i < r.nr; i++) {
		assert_int_equal(r.v[i].len, 0);
		assert_true(r.v[i].flags & QE_LINE_UTF16);
		assert_int_equal(r.v[i].start, i ? r.v[i - 1].end : 0);
	}
	assert_int_equal(l.utf16_bytes, l.bytes);
	check_accounting(&l, &r);
	/* rewritten from the start: maybe UTF-8 now */
	qe_lines_reset(&l, 0);
	assert_int_equal(l.utf16, 0);
	qe_lines_release(&l);
	rec_free(&r);
}

static void test_utf16(void **state)
{
	struct qe_lines l;
	struct rec r = {0};

	check_utf16("utf16le-bom.log", QE_LINES_UTF16LE);
	check_utf16("utf16be.log", QE_LINES_UTF16BE);

	/* Followed from the middle (no byte order mark in sight): a line of
	 * UTF-16LE text still starts the UTF-16 mode. */
	qe_lines_init(&l, 0, 5000);
	{
		static const char mid[] = "\0E\0R\0R\0O\0R\0 \0x\0\n";
		qe_lines_feed(&l, mid, sizeof(mid) - 1, rec_cb, &r);
	}
	assert_int_equal(l.utf16, QE_LINES_UTF16LE);
	assert_int_equal(r.v[0].len, 0);
	qe_lines_release(&l);
	rec_free(&r);

	/* Bytes FF FE starting a later line are not a byte order mark, and a
	 * few NULs are not UTF-16. */
	qe_lines_init(&l, 0, 0);
	{
		static const char later[] = "x\n\xff\xfe"
					    "ERROR a\nERROR b\0\0c\n";
		qe_lines_feed(&l, later, sizeof(later) - 1, rec_cb, &r);
	}
	assert_int_equal(l.utf16, 0);
	assert_int_equal(r.nr, 3);
	assert_string_equal(r.v[1].text, "\xff\xfe"
					 "ERROR a");
	assert_string_equal(r.v[2].text, "ERROR b" FFFD "c");
	qe_lines_release(&l);
	rec_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_across_boundaries),
	    cmocka_unit_test(test_partial_carry),
	    cmocka_unit_test(test_long_line_cut),
	    cmocka_unit_test(test_binary_pass_through),
	    cmocka_unit_test(test_reset),
	    cmocka_unit_test(test_read_fd),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_nul_cut),
	    cmocka_unit_test(test_nul_hole_real),
	    cmocka_unit_test(test_utf16),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
