/* Unit tests for lib/source.c: lines of one stream to events, with the
 * stream's commit position and idle deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commit_pos_stays_at_open_event),
	    cmocka_unit_test(test_idle_deadline),
	    cmocka_unit_test(test_cr_removed_and_each_line),
	    cmocka_unit_test(test_read_fd_and_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
