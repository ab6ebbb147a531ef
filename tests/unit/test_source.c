/* Unit tests for lib/source.c: lines of one stream to events, with the
 * stream's commit position and idle deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "buf.h"
#include "event.h"
#include "rules.h"
#include "source.h"

struct seen {
	int n;
	char msg[8][256];
	size_t lines[8];
	uint64_t start[8], end[8];
};

static void on_event(struct qe_source *src, struct qe_event *ev, void *data)
{
	struct seen *s = data;
	(void)src;
	if (s->n < 8) {
		snprintf(s->msg[s->n], sizeof(s->msg[0]), "%s",
			 ev->nr_lines ? ev->lines[0] : "");
		s->lines[s->n] = ev->nr_lines;
		s->start[s->n] = ev->start_pos;
		s->end[s->n] = ev->end_pos;
	}
	s->n++;
	qe_event_free(ev);
}

static struct qe_rules *rules_default(struct qe_config *cfg)
{
	qe_config_init(cfg);
	return qe_rules_new(cfg);
}

static uint64_t pos;
static void feed(struct qe_source *s, const char *line, uint64_t now)
{
	size_t len = strlen(line);
	qe_source_feed(s, line, len, pos, pos + len + 1, 0, now);
	pos += len + 1;
}

static void test_commit_pos_stays_at_open_event(void **state)
{
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	struct qe_source_conf sc;
	struct seen seen;
	struct qe_source *s;
	uint64_t start;
	(void)state;
	memset(&seen, 0, sizeof(seen));
	qe_source_conf_from_config(&sc, &cfg, r);
	sc.on_event = on_event;
	sc.data = &seen;
	pos = 100;
	s = qe_source_new(&sc, pos);
	assert_int_equal(qe_source_commit_pos(s), 100);
	feed(s, "2026-11-22 10:00:00 INFO started", 1);
	assert_int_equal(qe_source_commit_pos(s), pos);
	feed(s, "Traceback (most recent call last):", 2);
	assert_true(qe_source_pending(s, &start));
	/* an open event is read again after a crash: the position stays
	 * at its first line */
	feed(s, "  File \"/app/x.py\", line 3, in <module>", 3);
	assert_int_equal(qe_source_commit_pos(s), start);
	feed(s, "ValueError: bad\r", 4);
	qe_source_flush(s);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.lines[0], 3);
	assert_int_equal(qe_source_commit_pos(s), pos);
	qe_source_free(s);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

static void test_idle_deadline(void **state)
{
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	struct qe_source_conf sc;
	struct seen seen;
	struct qe_source *s;
	(void)state;
	memset(&seen, 0, sizeof(seen));
	qe_source_conf_from_config(&sc, &cfg, r);
	sc.idle_ms = 500;
	sc.on_event = on_event;
	sc.data = &seen;
	pos = 0;
	s = qe_source_new(&sc, 0);
	assert_int_equal(qe_source_deadline(s), 0);
	feed(s, "2026-11-22 10:00:00 ERROR payment failed", 1000);
	assert_int_equal(qe_source_deadline(s), 1500);
	assert_int_equal(qe_source_check_idle(s, 1499), 0);
	assert_int_equal(seen.n, 0);
	assert_int_equal(qe_source_check_idle(s, 1500), 1);
	assert_int_equal(seen.n, 1);
	assert_int_equal(qe_source_deadline(s), 0);
	qe_source_free(s);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

static void test_cr_removed_and_each_line(void **state)
{
	struct qe_source_conf sc;
	struct seen seen;
	struct qe_source *s;
	(void)state;
	memset(&seen, 0, sizeof(seen));
	memset(&sc, 0, sizeof(sc));
	sc.flags = QE_SOURCE_EACH_LINE;
	sc.on_event = on_event;
	sc.data = &seen;
	pos = 0;
	s = qe_source_new(&sc, 0);
	feed(s, "one\r", 1);
	feed(s, "", 2);
	feed(s, "three", 3);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.msg[0], "one");
	assert_string_equal(seen.msg[1], "");
	assert_int_equal(seen.start[2], 6);
	assert_int_equal(seen.end[2], 12);
	qe_source_free(s);
}

static void test_read_fd_and_reset(void **state)
{
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	struct qe_source_conf sc;
	struct qe_source_counts counts;
	struct seen seen;
	struct qe_source *s;
	char path[] = "/tmp/qe-source-XXXXXX";
	int fd = mkstemp(path);
	const char text[] = "ok\n2026-11-22 10:00:00 ERROR one\nok\n2026-11-22 ERROR two";
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	lseek(fd, 0, SEEK_SET);
	memset(&seen, 0, sizeof(seen));
	qe_source_conf_from_config(&sc, &cfg, r);
	sc.on_event = on_event;
	sc.data = &seen;
	s = qe_source_new(&sc, 0);
	assert_int_equal(qe_source_read_fd(s, fd, path, &counts), 0);
	assert_int_equal(counts.lines, 4);
	assert_int_equal(seen.n, 2); /* the last line without newline too */
	qe_source_reset(s, 0);
	assert_int_equal(qe_source_commit_pos(s), 0);
	close(fd);
	unlink(path);
	qe_source_free(s);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* Every event as one line of text, to compare two runs. */
static void on_event_digest(struct qe_source *src, struct qe_event *ev, void *data)
{
	struct qe_buf *b = data;
	char head[128];
	size_t i;
	(void)src;
	snprintf(head, sizeof(head), "%llu-%llu %zu %d %d ",
		 (unsigned long long)ev->start_pos, (unsigned long long)ev->end_pos,
		 ev->nr_lines, ev->truncated, ev->severity);
	qe_buf_addstr(b, head);
	qe_buf_addstr(b, ev->kind ? ev->kind : "-");
	qe_buf_addstr(b, "|");
	qe_buf_addstr(b, ev->type ? ev->type : "-");
	qe_buf_addstr(b, "|");
	qe_buf_addstr(b, ev->message ? ev->message : "-");
	for (i = 0; i < ev->nr_lines; i++) {
		qe_buf_addstr(b, "|");
		qe_buf_addstr(b, ev->lines[i]);
	}
	qe_buf_addstr(b, "\n");
	qe_event_free(ev);
}

static void read_events(struct qe_rules *r, const char *path, unsigned flags,
			struct qe_buf *out, struct qe_source_counts *counts)
{
	struct qe_config cfg;
	struct qe_source_conf sc;
	struct qe_source *s;
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	qe_config_init(&cfg);
	qe_source_conf_from_config(&sc, &cfg, r);
	sc.on_event = on_event_digest;
	sc.data = out;
	sc.flags = flags;
	s = qe_source_new(&sc, 0);
	assert_int_equal(qe_source_read_fd(s, fileno(f), path, counts), 0);
	qe_source_free(s);
	qe_config_release(&cfg);
	fclose(f);
}

/* The fast path passes over lines that cannot start an event while none
 * is open: it must find exactly the events of feeding every line.  Each
 * corpus file is read as it is, then repeated past 256 KiB, so that the
 * large-block scan runs too, and every copy starts at another offset. */
static void test_skip_finds_the_same_events(void **state)
{
	static const char *const pats[] = {
	    "tests/data/traces/*.log", "tests/data/demo/*.log",
	    "tests/data/analyze/*.log", "tests/data/fingerprint/*.txt"};
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	size_t p, i, files = 0;
	char tmp[] = "/tmp/qe-skip-XXXXXX";
	int fd = mkstemp(tmp);
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (p = 0; p < sizeof(pats) / sizeof(pats[0]); p++) {
		glob_t g;
		if (glob(pats[p], 0, NULL, &g))
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			const char *path = g.gl_pathv[i];
			int big;
			for (big = 0; big < 2; big++) {
				struct qe_buf a = QE_BUF_INIT, b = QE_BUF_INIT,
					      text = QE_BUF_INIT;
				struct qe_source_counts ca, cb;
				FILE *in = fopen(path, "r"), *out;
				char chunk[4096];
				size_t n, copy = 0;
				assert_non_null(in);
				while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
					qe_buf_add(&text, chunk, n);
				fclose(in);
				out = fopen(tmp, "w");
				assert_non_null(out);
				do {
					/* a harmless line of a new length shifts the next
					 * copy */
					fprintf(out, "%.*s\n", (int)(copy % 7),
						"padding");
					fwrite(text.buf, 1, text.len, out);
					if (text.len && text.buf[text.len - 1] != '\n')
						fputc('\n', out);
					copy++;
				} while (big && text.len && copy * text.len < 300000);
				fclose(out);
				read_events(r, tmp, 0, &a, &ca);
				read_events(r, tmp, QE_SOURCE_NO_SKIP, &b, &cb);
				if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
					fail_msg(
					    "%s (%s): events differ with the fast path",
					    path, big ? "repeated" : "once");
				assert_int_equal(ca.lines, cb.lines);
				assert_int_equal(ca.bytes, cb.bytes);
				assert_int_equal(ca.truncated_lines, cb.truncated_lines);
				qe_buf_release(&a);
				qe_buf_release(&b);
				qe_buf_release(&text);
			}
			files++;
		}
		globfree(&g);
	}
	unlink(tmp);
	assert_true(files >= 10);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

static void test_scan_stops_at_the_first_candidate(void **state)
{
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	static const char quiet[] = "2026-12-01 INFO started\n"
				    "2026-12-01 DEBUG warming up cache\n";
	char buf[512];
	(void)state;
	assert_int_equal(qe_rules_scan(r, quiet, strlen(quiet)), strlen(quiet));
	snprintf(buf, sizeof(buf), "%s2026-12-01 WARN db failover: Error code 7\nok\n",
		 quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf)), strlen(quiet));
	/* line-start forms: syslog priority, glog, a Node.js prelude */
	snprintf(buf, sizeof(buf), "%s<3>boom\n", quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf)), strlen(quiet));
	snprintf(buf, sizeof(buf), "%sE0101 12:00:00 x.go:1] boom\n", quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf)), strlen(quiet));
	snprintf(buf, sizeof(buf), "%s/app/server.js:42\n", quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf)), strlen(quiet));
	assert_int_equal(qe_rules_scan(r, "x\n", 2), 2);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commit_pos_stays_at_open_event),
	    cmocka_unit_test(test_idle_deadline),
	    cmocka_unit_test(test_cr_removed_and_each_line),
	    cmocka_unit_test(test_read_fd_and_reset),
	    cmocka_unit_test(test_skip_finds_the_same_events),
	    cmocka_unit_test(test_scan_stops_at_the_first_candidate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
