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

/* The keys and format a run reads with (NULL: the defaults). */
struct read_conf {
	const char *format, *level, *message, *exception;
};

static void read_events(struct qe_rules *r, const char *path, unsigned flags,
			const struct read_conf *rc, struct qe_buf *out,
			struct qe_source_counts *counts)
{
	struct qe_config cfg;
	struct qe_source_conf sc;
	struct qe_source *s;
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	qe_config_init(&cfg);
	if (rc) {
		/* the defaults are the configuration's own copies */
		if (rc->format) {
			free(cfg.log_format);
			cfg.log_format = strdup(rc->format);
		}
		free(cfg.json_level);
		cfg.json_level = rc->level ? strdup(rc->level) : NULL;
		free(cfg.json_message);
		cfg.json_message = rc->message ? strdup(rc->message) : NULL;
		free(cfg.json_exception);
		cfg.json_exception = rc->exception ? strdup(rc->exception) : NULL;
	}
	qe_source_conf_from_config(&sc, &cfg, r);
	sc.on_event = on_event_digest;
	sc.data = out;
	sc.flags = flags;
	s = qe_source_new(&sc, 0);
	assert_non_null(s);
	assert_int_equal(qe_source_read_fd(s, fileno(f), path, counts), 0);
	qe_source_free(s);
	qe_config_release(&cfg);
	fclose(f);
}

/* The fast path passes over lines that cannot start an event while none
 * is open: it must find exactly the events of feeding every line.  The
 * file is read as it is, then repeated past 256 KiB, so that the
 * large-block scan runs too, and every copy starts at another offset.
 * Returns the number of events of the file read once. */
static size_t same_events(struct qe_rules *r, const char *path,
			  const struct read_conf *rc)
{
	char tmp[] = "/tmp/qe-skip-XXXXXX";
	int fd = mkstemp(tmp), big;
	size_t events = 0;
	assert_true(fd >= 0);
	close(fd);
	for (big = 0; big < 2; big++) {
		struct qe_buf a = QE_BUF_INIT, b = QE_BUF_INIT, text = QE_BUF_INIT;
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
			/* a harmless line of a new length shifts the next copy */
			fprintf(out, "%.*s\n", (int)(copy % 7), "padding");
			fwrite(text.buf, 1, text.len, out);
			if (text.len && text.buf[text.len - 1] != '\n')
				fputc('\n', out);
			copy++;
		} while (big && text.len && copy * text.len < 300000);
		fclose(out);
		read_events(r, tmp, 0, rc, &a, &ca);
		read_events(r, tmp, QE_SOURCE_NO_SKIP, rc, &b, &cb);
		if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
			fail_msg("%s (%s, format %s): events differ with the fast path",
				 path, big ? "repeated" : "once",
				 rc && rc->format ? rc->format : "auto");
		assert_int_equal(ca.lines, cb.lines);
		assert_int_equal(ca.bytes, cb.bytes);
		assert_int_equal(ca.truncated_lines, cb.truncated_lines);
		if (!big)
			for (n = 0; n < b.len; n++)
				events += b.buf[n] == '\n';
		qe_buf_release(&a);
		qe_buf_release(&b);
		qe_buf_release(&text);
	}
	unlink(tmp);
	return events;
}

static void test_skip_finds_the_same_events(void **state)
{
	static const char *const pats[] = {
	    "tests/data/traces/*.log",	 "tests/data/demo/*.log",
	    "tests/data/analyze/*.log",	 "tests/data/fingerprint/*.txt",
	    "tests/data/formats/*.log",	 "tests/data/jsonscan/*.log",
	    "tests/data/runtimes/*.log",
	};
	static const struct read_conf renamed = {NULL, "sev", "text", "failure.stack"},
				      as_text = {"text", NULL, NULL, NULL},
				      as_json = {"json", NULL, NULL, NULL};
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	size_t p, i, files = 0;
	(void)state;
	for (p = 0; p < sizeof(pats) / sizeof(pats[0]); p++) {
		glob_t g;
		if (glob(pats[p], 0, NULL, &g))
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			same_events(r, g.gl_pathv[i], NULL);
			files++;
		}
		globfree(&g);
	}
	assert_true(files >= 40);
	/* configured keys, and JSON lines read as text or as JSON */
	same_events(r, "tests/data/formats/pino-renamed.log", &renamed);
	same_events(r, "tests/data/jsonscan/records.log", &renamed);
	same_events(r, "tests/data/jsonscan/mixed.log", &as_text);
	same_events(r, "tests/data/jsonscan/mixed.log", &as_json);
	same_events(r, "tests/data/jsonscan/records.log", &as_json);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* A per-line time prefix (kubectl --timestamps) before an application's
 * own "date time LEVEL" is no syslog header, and a message "called
 * `Result::unwrap()` on..." after the time is no host and tag: every line
 * of the panic stays in its event. */
static void test_text_lines_are_not_syslog(void **state)
{
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	struct qe_buf out = QE_BUF_INIT;
	struct qe_source_counts c;
	(void)state;
	read_events(r, "tests/data/runtimes/rust-k8s.log", 0, NULL, &out, &c);
	assert_non_null(strstr(out.buf,
			       " 3 0 5 rust|panic|called `Result::unwrap()` on an `Err` "
			       "value: ParseIntError { kind: InvalidDigit }|"));
	qe_buf_release(&out);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* A JSON record after a plain first line is read as a record: an error by
 * its level alone is found with the fast path too. */
static void test_skip_json_line_in_text_file(void **state)
{
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	(void)state;
	/* level 50, "3", severity 2; a multi-line message with no exception
	 * line and an info record with a stack are none */
	assert_int_equal(same_events(r, "tests/data/jsonscan/mixed.log", NULL), 3);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* JSON records behind kubectl's time in a file read as text: the byte
 * scan cannot read a record's level ("level":50 has no word of an
 * error), so once the decoder has read one the fast path feeds every
 * line, and until then it stops at the first such record to let the
 * decoder see it.  Both start plain and start with a record; the third
 * has, before any other record, an error whose only sign is its level. */
static void test_skip_prefixed_json(void **state)
{
	static const char *const heads[] = {
	    "2026-11-22T10:00:00Z starting\n",
	    "2026-11-22T10:00:00Z {\"level\":30,\"msg\":\"starting\"}\n",
	    "2026-11-22T10:00:00Z starting\n"
	    "2026-11-22T10:00:00Z {\"level\":50,\"msg\":\"card declined\"}\n",
	};
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	size_t h, i;
	(void)state;
	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
		char tmp[] = "/tmp/qe-prefixed-XXXXXX";
		int fd = mkstemp(tmp);
		FILE *f;
		assert_true(fd >= 0);
		f = fdopen(fd, "w");
		assert_non_null(f);
		fputs(heads[h], f);
		for (i = 0; i < 40; i++)
			fprintf(f,
				"2026-11-22T10:00:%02zuZ {\"level\":30,\"msg\":\"job "
				"%zu\"}\n",
				i % 60, i);
		fputs("2026-11-22T10:01:00Z {\"level\":\"error\",\"msg\":\"db down\"}\n",
		      f);
		fputs("2026-11-22T10:01:01Z {\"level\":50,\"msg\":\"paid twice\"}\n", f);
		fputs("2026-11-22T10:01:02Z {\"level\":30,\"msg\":\"done\"}\n", f);
		fclose(f);
		assert_int_equal(same_events(r, tmp, NULL), h == 2 ? 3 : 2);
		unlink(tmp);
	}
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* Every spelling of a level the decoder reads, on every level key, in a
 * JSON file: the fast path finds the same events. */
static void test_skip_json_levels(void **state)
{
	static const char *const keys[] = {"level",	"lvl",	      "severity",
					   "loglevel",	"@l",	      "levelname",
					   "log_level", "level_name", "sev"};
	/* N the number in decimal, H in hex */
	static const char *const forms[] = {
	    "N",       "\"N\"", "N.0",	   "\"N.0\"",	    "N.5", "\"0N\"", "Ne0",
	    "\"Ne0\"", "-N",	"\"0xH\"", "{\"level\":N}", " N ", "\"N \""};
	static const struct read_conf sev = {"json", "sev", NULL, NULL};
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	char tmp[] = "/tmp/qe-levels-XXXXXX";
	int fd = mkstemp(tmp), v;
	size_t k, f, events;
	FILE *out;
	(void)state;
	assert_true(fd >= 0);
	out = fdopen(fd, "w");
	assert_non_null(out);
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++)
			for (v = 0; v <= 110; v++) {
				const char *c;
				fprintf(out, "{\"%s\":", keys[k]);
				for (c = forms[f]; *c; c++)
					if (*c == 'N')
						fprintf(out, "%d", v);
					else if (*c == 'H')
						fprintf(out, "%x", v);
					else
						fputc(*c, out);
				fprintf(out, ",\"msg\":\"request handled\"}\n");
			}
	fclose(out);
	events = same_events(r, tmp, NULL);
	/* 0-3 and 50-100 are errors */
	assert_true(events > 100);
	assert_true(same_events(r, tmp, &sev) > events);
	unlink(tmp);
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
	assert_int_equal(qe_rules_scan(r, quiet, strlen(quiet), NULL, NULL),
			 strlen(quiet));
	snprintf(buf, sizeof(buf), "%s2026-12-01 WARN db failover: Error code 7\nok\n",
		 quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf), NULL, NULL), strlen(quiet));
	/* line-start forms: syslog priority, glog, a Node.js prelude */
	snprintf(buf, sizeof(buf), "%s<3>boom\n", quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf), NULL, NULL), strlen(quiet));
	snprintf(buf, sizeof(buf), "%sE0101 12:00:00 x.go:1] boom\n", quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf), NULL, NULL), strlen(quiet));
	snprintf(buf, sizeof(buf), "%s/app/server.js:42\n", quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf), NULL, NULL), strlen(quiet));
	/* glog's header behind a collector's time, at an even and an odd
	 * offset, with no trigger word */
	snprintf(buf, sizeof(buf),
		 "%s2026-12-01T10:00:00Z E1202 10:00:00.1 1 x.go:1] gave up\n", quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf), NULL, NULL), strlen(quiet));
	snprintf(buf, sizeof(buf),
		 "%s2026-12-01T10:00:00.1Z F0102 10:00:00.1 1 x.go:1] gave up\n", quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf), NULL, NULL), strlen(quiet));
	snprintf(buf, sizeof(buf),
		 "%s2026-12-01T10:00:00Z I1202 10:00:00.1 1 x.go:1] E1202\n", quiet);
	assert_int_equal(qe_rules_scan(r, buf, strlen(buf), NULL, NULL), strlen(buf));
	assert_int_equal(qe_rules_scan(r, "x\n", 2, NULL, NULL), 2);
	/* a trigger that ends its line, before a line-start form: the hint
	 * "RR\n" is looked at for its own line first */
	assert_int_equal(qe_rules_scan(r, "ab ERR\n<3>x\n", 12, NULL, NULL), 0);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* A stand-in for the decoder: a record at level 30 is quick. */
static int quick_info(const char *line, size_t len, void *data)
{
	(void)data;
	return len > 11 && !memcmp(line, "{\"level\":30,", 11);
}

/* JSON records that cannot be events are passed over in a large block
 * (Vectorscan); without it every JSON line is a candidate.  A record
 * that is an error by its level alone stops the scan, and read as text
 * it does not. */
static void test_scan_json_records(void **state)
{
	static const char info[] = "{\"level\":30,\"time\":1700000000000,\"pid\":1,"
				   "\"msg\":\"request handled\",\"v\":0}\n";
	static const char *const errors[] = {
	    "{\"level\":50,\"msg\":\"boom happened here\"}\n",
	    "{\"severity\":\"3\",\"msg\":\"boom\"}\n",
	    "{\"lvl\":2.0,\"msg\":\"boom\"}\n",
	    "{\"sev\":60,\"msg\":\"boom\"}\n",
	    "{\"level\":30,\"msg\":\"boom\",\"stack\":\"x\"}\n",
	    "{\"level\":30,\"msg\":\"fetch failed: ECONNRESET\"}\n",
	    "{\"level\":30,\"msg\":\"a hidden \\u0065rror\"}\n",
	    "  {\"msg\":\"/app/server.js:42\"}\n",
	};
	struct qe_scan_json keys = {"sev", NULL, NULL, NULL, NULL},
			    none = {NULL, NULL, NULL, NULL, NULL},
			    quick = {NULL, NULL, NULL, quick_info, NULL};
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	struct qe_buf b = QE_BUF_INIT;
	size_t i, quiet;
	(void)state;
	while (b.len < 70000)
		qe_buf_addstr(&b, info);
	quiet = b.len;
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		size_t want = quiet;
		qe_buf_truncate(&b, quiet);
		qe_buf_addstr(&b, errors[i]);
		qe_buf_addstr(&b, info);
#ifndef QE_HAVE_HS
		want = 0;
#endif
		if (qe_rules_scan(r, b.buf, b.len, &keys, NULL) != want)
			fail_msg("%zu: %zu, not %zu", i,
				 qe_rules_scan(r, b.buf, b.len, &keys, NULL), want);
		if (i == 3) /* "sev" is no built-in level key */
			assert_int_equal(qe_rules_scan(r, b.buf, b.len, &none, NULL),
					 want ? b.len : 0);
	}
	/* a word on a quick record counts for nothing, on another record
	 * it does; and so without Vectorscan */
	qe_buf_truncate(&b, quiet);
	qe_buf_addstr(&b, "{\"level\":30,\"msg\":\"retry after error\"}\n");
	qe_buf_addstr(&b, "{\"level\":40,\"msg\":\"retry after error\"}\n");
	assert_int_equal(qe_rules_scan(r, b.buf, b.len, &quick, NULL),
			 b.len -
			     strlen("{\"level\":40,\"msg\":\"retry after error\"}\n"));
	assert_int_equal(qe_rules_scan(r, b.buf + quiet, b.len - quiet, &quick, NULL),
			 b.len - quiet -
			     strlen("{\"level\":40,\"msg\":\"retry after error\"}\n"));
	/* as text the level means nothing */
	qe_buf_truncate(&b, quiet);
	qe_buf_addstr(&b, errors[0]);
	assert_int_equal(qe_rules_scan(r, b.buf, b.len, NULL, NULL), b.len);
	qe_buf_release(&b);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* Where a JSON record's line starts decides whether its keys count: at
 * the start of a block, after blanks or a tab, with a short configured
 * key; a '{' inside a text line opens no record. */
static void test_scan_json_line_starts(void **state)
{
	static const char info[] = "{\"level\":30,\"msg\":\"request handled\"}\n";
	static const struct {
		const char *line;
		const char *level_key; /* configured */
		int counts;
	} cases[] = {
	    {"{\"level\":50,\"msg\":\"x\"}\n", NULL, 1},
	    {"  {\"level\":50,\"msg\":\"x\"}\n", NULL, 1},
	    {"\t{\"level\":50,\"msg\":\"x\"}\n", NULL, 1},
	    {" \t {\"msg\":\"two\\nlines\"}\n", NULL, 1},
	    {"2026-12-01 INFO payload {\"level\":50,\"msg\":\"x\"}\n", NULL, 0},
	    {"2026-12-01 INFO payload {\"msg\":\"a \\u0065\"}\n", NULL, 0},
	    {"x {\"level\":50} {\"stack\":\"y\"}\n", NULL, 0},
	    {"{\"log\":{\"lv\":50},\"msg\":\"x\"}\n", "log.lv", 1},
	    {"{\"log\":{\"lv\":50},\"msg\":\"x\"}\n", NULL, 0},
	    {"{\"log.lv\":50,\"msg\":\"x\"}\n", "log.lv", 1},
	    {"{\"xlv\":50,\"msg\":\"x\"}\n", "log.lv", 0},
	    {"{\"loglevel\" \t:\"0x32\"}\n", NULL, 1},
	};
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	struct qe_buf b = QE_BUF_INIT;
	size_t i, quiet;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct qe_scan_json keys = {cases[i].level_key, NULL, NULL, NULL, NULL};
		size_t want;
		/* in the middle of a large block */
		qe_buf_reset(&b);
		while (b.len < 70000)
			qe_buf_addstr(&b, info);
		quiet = b.len;
		qe_buf_addstr(&b, cases[i].line);
		qe_buf_addstr(&b, info);
		want = cases[i].counts ? quiet : b.len;
#ifndef QE_HAVE_HS
		want = 0; /* the first JSON line is a candidate */
#endif
		if (qe_rules_scan(r, b.buf, b.len, &keys, NULL) != want)
			fail_msg("%zu: %zu, not %zu", i,
				 qe_rules_scan(r, b.buf, b.len, &keys, NULL), want);
		/* as the block's first line */
		qe_buf_reset(&b);
		qe_buf_addstr(&b, cases[i].line);
		while (b.len < 70000)
			qe_buf_addstr(&b, info);
		want = cases[i].counts ? 0 : b.len;
#ifndef QE_HAVE_HS
		want = cases[i].line[0] == '2' || cases[i].line[0] == 'x'
			   ? strlen(cases[i].line)
			   : 0;
#endif
		if (qe_rules_scan(r, b.buf, b.len, &keys, NULL) != want)
			fail_msg("%zu first: %zu, not %zu", i,
				 qe_rules_scan(r, b.buf, b.len, &keys, NULL), want);
	}
	qe_buf_release(&b);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* A candidate line is found wherever it falls in a large block: the
 * vector scan looks at 16 to 64 bytes at a time, and a match that
 * straddles two of them must not be lost. */
static void test_scan_every_offset(void **state)
{
	static const char *const text[] = {
	    "E0101 12:00:00.000 1 x.go:1] boom",
	    "F0101 12:00:00.000 1 x.go:1] boom",
	    "<3>boom",
	    "/app/server.js:42",
	    "f()",
	    "a ReferenceError here",
	    "x.rb:12:in `y'",
	    "PANIC now",
	    "caught exception",
	    /* glog behind kubectl's, CRI's and a syslog daemon's prefix */
	    "2026-12-01T10:00:00.123456Z E1202 10:00:00.123456 1 x.go:1] gave up",
	    "2026-12-01T10:00:00.1Z stderr F F0102 10:00:00.123456 1 x.go:1] gave up",
	    "Dec  1 10:00:00 web1 app[42]: E1202 10:00:00.123456 1 x.go:1] gave up",
	    /* words at the end of their line: Perl's, a Go frame's file;
	     * Tcl's trace head, assert()'s line */
	    "no such account 42 at app.pl line 12.",
	    "\t/app/main.go:17",
	    "    while executing",
	    "app: q.c:8: f: Assertion `x' failed.",
	};
	static const char *const json[] = {
	    "{\"msg\":\"a \\u0065rror\"}",
	    "{\"msg\":\"two\\nlines\"}",
	    "{\"level\":50,\"msg\":\"x\"}",
	    "{\"lvl\":\"3\",\"msg\":\"x\"}",
	    "{\"level\":3.0,\"msg\":\"x\"}",
	    "{\"severity\":99}",
	    "{\"level\":400,\"level_name\":\"ERROR\"}",
	    "{\"stack\":\"x\"}",
	    "{\"msg\":\"/app/server.js:42\"}",
	    "{\"msg\":\"E0101 x\"}",
	    "{\"log.level\":60}",
	    "{\"x\":1,\"level\" : \"0x32\"}",
	    "{\"exc_info\":\"x\"}",
	};
	struct qe_scan_json keys = {NULL, NULL, NULL, NULL, NULL};
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	struct qe_buf b = QE_BUF_INIT;
	size_t i, pad, want;
	(void)state;
	for (i = 0; i < sizeof(text) / sizeof(text[0]) + sizeof(json) / sizeof(json[0]);
	     i++) {
		int is_json = i >= sizeof(text) / sizeof(text[0]);
		const char *line =
		    is_json ? json[i - sizeof(text) / sizeof(text[0])] : text[i];
		for (pad = 0; pad < 130; pad++) {
			qe_buf_reset(&b);
			while (b.len < 66000)
				qe_buf_addstr(&b, is_json
						      ? "{\"level\":30,\"msg\":\"ok\"}\n"
						      : "2026-12-01 INFO ok\n");
			/* a last quiet line of pad bytes shifts the candidate */
			qe_buf_addf(
			    &b, "%s%.*s\n", is_json ? "{\"msg\":\"" : "", (int)pad,
			    "...................................................."
			    "...................................................."
			    "...................................................");
			if (is_json)
				qe_buf_truncate(&b, b.len - 1),
				    qe_buf_addstr(&b, "\"}\n");
			want = b.len;
			qe_buf_addstr(&b, line);
			qe_buf_addstr(&b, "\n2026-12-01 INFO ok\n");
#ifndef QE_HAVE_HS
			if (is_json)
				want = 0;
#endif
			if (qe_rules_scan(r, b.buf, b.len, &keys, NULL) != want)
				fail_msg("'%s' after %zu bytes: found at %zu", line, want,
					 qe_rules_scan(r, b.buf, b.len, &keys, NULL));
		}
	}
	/* a Go frame's file as a large block's first line, which no
	 * newline comes before */
	qe_buf_reset(&b);
	qe_buf_addstr(&b, "\t/app/main.go:17\n");
	while (b.len < 66000)
		qe_buf_addstr(&b, "2026-12-01 INFO ok\n");
	assert_int_equal(qe_rules_scan(r, b.buf, b.len, NULL, NULL), 0);
	qe_buf_release(&b);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* The lines the text callback says change nothing are passed, in the
 * vector scan (blocks past 64 KiB) and in the trigram scan, a line-start
 * form or a trigger word alike, at the start of the block or after. */
static int no_decoy(const char *line, size_t len, void *data)
{
	(void)data;
	return !memmem(line, len, "decoy", 5);
}

static void scan_past_decoys(struct qe_rules *r, size_t size)
{
	static const char *const decoys[] = {
	    "2026-12-01 INFO checks errors=0 decoy",
	    "E0101 12:00:00.000 1 x.go:1] decoy",
	    "<3>decoy",
	    "/decoy/server.js:42",
	    "fatal decoy",
	    "2026-12-01 INFO:app.error:decoy",
	};
	static const char *const text[] = {
	    "E0101 12:00:00.000 1 x.go:1] boom", "<3>boom",   "/app/server.js:42", "f()",
	    "2026-12-01 INFO:app.error:boom",	 "PANIC now",
	};
	struct qe_scan_text take = {no_decoy, NULL};
	struct qe_buf b = QE_BUF_INIT;
	size_t i, d, pad, want;

	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		for (pad = 0; pad < 40; pad++) {
			qe_buf_reset(&b);
			/* decoys first, then quiet lines, then more decoys */
			for (d = 0; d < sizeof(decoys) / sizeof(decoys[0]); d++)
				qe_buf_addf(&b, "%s\n", decoys[d]);
			while (b.len < size)
				qe_buf_addstr(&b, "2026-12-01 INFO ok\n");
			for (d = 0; d < sizeof(decoys) / sizeof(decoys[0]); d++)
				qe_buf_addf(&b, "%.*s%s\n", (int)(d ? 0 : pad),
					    "........................................",
					    decoys[d]);
			want = b.len;
			qe_buf_addf(&b, "%s\n2026-12-01 INFO ok\n", text[i]);
			if (qe_rules_scan(r, b.buf, b.len, NULL, &take) != want)
				fail_msg("'%s' in %zu bytes after %zu: found at %zu",
					 text[i], size, want,
					 qe_rules_scan(r, b.buf, b.len, NULL, &take));
			/* without the callback the first decoy is the line found */
			assert_int_equal(qe_rules_scan(r, b.buf, b.len, NULL, NULL), 0);
			/* nothing but decoys: the whole block is passed */
			qe_buf_truncate(&b, want);
			assert_int_equal(qe_rules_scan(r, b.buf, b.len, NULL, &take),
					 b.len);
		}
	qe_buf_release(&b);
}

static void test_scan_passes_what_changes_nothing(void **state)
{
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	(void)state;
	/* small blocks first: the trigram scan, until a large block has
	 * been scanned with Vectorscan */
	scan_past_decoys(r, 2000);
	scan_past_decoys(r, 70000);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* A source passes the lines that mention an error and start nothing
 * ("errors=0", a logger named "gunicorn.error", "after error: timeout"):
 * the scan stops at the first line that starts an event. */
static void test_skip_passes_mentions(void **state)
{
	static const char head[] = "2026-12-01 10:00:00,000 INFO starting\n";
	static const char mentions[] =
	    "2026-12-01 10:00:00,001 INFO:gunicorn.error:processed batch 1 of 9\n"
	    "2026-12-01 10:00:00,002 INFO:app.health:checks ok=3 errors=0\n"
	    "2026-12-01 10:00:00,003 WARN  [main] c.e.Pay - retrying after error: "
	    "timeout\n"
	    "2026-12-01 10:00:00,004 INFO panic button tested, fatal=0 critical=0\n";
	static const char error[] = "2026-12-01 10:00:00,005 ERROR payment failed\n";
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	struct qe_source_conf conf;
	struct qe_source *s;
	struct seen seen = {0};
	struct qe_buf b = QE_BUF_INIT;
	size_t k;
	(void)state;
	qe_source_conf_from_config(&conf, &cfg, r);
	conf.on_event = on_event;
	conf.data = &seen;
	s = qe_source_new(&conf, 0);
	assert_non_null(s);
	qe_source_feed(s, head, strlen(head) - 1, 0, strlen(head), 0, 0);
	qe_buf_addstr(&b, mentions);
	qe_buf_addstr(&b, error);
	qe_buf_addstr(&b, "2026-12-01 10:00:00,006 INFO ok\n");
	k = qe_source_skip(s, b.buf, b.len, strlen(head));
	assert_int_equal(k, strlen(mentions));
	assert_int_equal(seen.n, 0);
	qe_source_free(s);
	qe_buf_release(&b);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* Reports whose first lines carry no trigger word, which only a line
 * under them shows to be an event's (Tcl's message, Go's logger's line
 * above pkg/errors' stack), and Perl's and assert()'s lines: the scan
 * finds what feeding every line does, in a small read and a large one,
 * also when their lines are the only ones. */
static void test_skip_finds_heads_above(void **state)
{
	static const char text[] =
	    "2026-12-01 10:00:00 INFO start\n"
	    "no such account 42\n"
	    "    while executing\n"
	    "\"find 42\"\n"
	    "    (file \"app.tcl\" line 9)\n"
	    "2026-12-01 10:00:00 INFO next\n"
	    "2026/12/01 10:00:01 cannot post: bad quantity \"1x\"\n"
	    "main.parseQty\n"
	    "\t/app/main.go:17\n"
	    "main.main\n"
	    "\t/app/main.go:38\n"
	    "2026-12-01 10:00:00 INFO more\n"
	    "no such account 42 at app.pl line 12.\n"
	    "app: queue.c:88: push: Assertion `q->len < q->cap' failed.\n"
	    "2026-12-01 10:00:00 INFO later\n"
	    "usage: sync [-h] --since SINCE\n"
	    "sync: error: argument --since: invalid int value: 'x'\n"
	    "2026-12-01 10:00:00 INFO again\n"
	    "Error on request:\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app.py\", line 3, in run\n"
	    "    go()\n"
	    "KeyError: 'a'\n"
	    "2026-12-01 10:00:00 INFO once more\n"
	    "  RangeError: offset out of bounds\n"
	    "      at read (/srv/a.js:3:9)\n"
	    "      at main (/srv/a.js:9:1)\n"
	    "2026-12-01 10:00:00 INFO and again\n"
	    "job failed {\n"
	    "  job: 'x',\n"
	    "  err: TypeError: Cannot read properties of undefined (reading 'n')\n"
	    "      at run (/srv/b.js:4:2)\n"
	    "}\n"
	    "2026-12-01 10:00:00 INFO done\n";
	static const char k8s[] =
	    "2026-12-01T10:01:00.0Z 2026-12-01 10:00:00 INFO start\n"
	    "2026-12-01T10:01:01.0Z "
	    "=================================================================\n"
	    "2026-12-01T10:01:01.1Z ==41==ERROR: AddressSanitizer: heap-buffer-overflow "
	    "on address 0x602000000012 at pc 0x7fe163648061 bp 0x7ffd60eb3560 sp "
	    "0x7ffd60eb2d10\n"
	    "2026-12-01T10:01:01.2Z WRITE of size 3 at 0x602000000012 thread T0\n"
	    "2026-12-01T10:01:01.3Z     #0 0x56492ce3e4b3 in copy_qty /app/a.c:21\n"
	    "2026-12-01T10:01:02.0Z 2026-12-01 10:00:00 INFO done\n";
	char tmp[] = "/tmp/qe-heads-XXXXXX", tmp2[] = "/tmp/qe-heads-XXXXXX";
	int fd = mkstemp(tmp);
	struct qe_config cfg;
	struct qe_rules *r = rules_default(&cfg);
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(same_events(r, tmp, NULL), 8);
	unlink(tmp);
	/* a sanitizer's rule behind kubectl's time */
	fd = mkstemp(tmp2);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, k8s, strlen(k8s)), (ssize_t)strlen(k8s));
	close(fd);
	assert_int_equal(same_events(r, tmp2, NULL), 1);
	unlink(tmp2);
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
	    cmocka_unit_test(test_text_lines_are_not_syslog),
	    cmocka_unit_test(test_skip_json_line_in_text_file),
	    cmocka_unit_test(test_skip_prefixed_json),
	    cmocka_unit_test(test_skip_json_levels),
	    cmocka_unit_test(test_scan_stops_at_the_first_candidate),
	    cmocka_unit_test(test_scan_json_records),
	    cmocka_unit_test(test_scan_json_line_starts),
	    cmocka_unit_test(test_scan_every_offset),
	    cmocka_unit_test(test_scan_passes_what_changes_nothing),
	    cmocka_unit_test(test_skip_passes_mentions),
	    cmocka_unit_test(test_skip_finds_heads_above),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
