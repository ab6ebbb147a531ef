/*
 * Unit tests for lib/decode.c and lib/ansi.c, and the format corpus:
 * tests/data/formats/<name>.log, written by the real logging libraries
 * (scripts/capture-formats.sh), each with <name>.expected:
 *
 *     # format: <what auto must choose>
 *     <level> TAB <type or -> TAB <exception message, else log message>
 *     [TAB <the lines attached after the first, by their first word, or ->]
 *
 * one line per error event; other lines starting with '#' are notes.
 * Decoded text lines, their prefixes kept as tail keeps them, are
 * assembled per stream key with the real assembler; a JSON record of
 * level error or above is one event, its exception text assembled the
 * same way.  Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ansi.h"
#include "assemble.h"
#include "config.h"
#include "decode.h"
#include "event.h"
#include "fingerprint.h"
#include "rules.h"
#include "source.h"
#include "util.h"
#include "slurp.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FORMATS_DIR "tests/data/formats"
#define MAX_GOT 256

/* ---- what a decoder delivered ---- */

struct got_line {
	char *text;
	size_t body_off;
	uint64_t start, end;
	unsigned flags;
	int64_t time_ms;
	int level;
	char stream[8], host[64], app[64], logger[128], pod[256];
	long pid;
	uint32_t key;
};

struct got_rec {
	int parsed, level;
	char *message, *error, *type, *exception, *text, *logger;
	int64_t time_ms;
	uint64_t start, end;
	char stream[8], app[64];
	uint32_t key;
};

struct got {
	struct got_line l[MAX_GOT];
	size_t nl;
	struct got_rec r[MAX_GOT];
	size_t nr;
	/* order of delivery: 'l' or 'r' */
	char order[2 * MAX_GOT + 1];
};

static char *dup_or_null(const char *s)
{
	return s ? qe_xstrdup(s) : NULL;
}

static void on_line(const struct qe_dline *l, void *data)
{
	struct got *g = data;
	struct got_line *x;
	if (g->nl >= MAX_GOT)
		return;
	x = &g->l[g->nl++];
	memset(x, 0, sizeof(*x));
	assert_int_equal(l->text[l->len], '\0');
	x->text = qe_xstrndup(l->text, l->len);
	x->body_off = l->body_off;
	x->start = l->start_pos;
	x->end = l->end_pos;
	x->flags = l->flags;
	x->time_ms = l->meta.time_ms;
	x->level = l->meta.level;
	x->pid = l->meta.pid;
	x->key = l->meta.key;
	if (l->meta.stream)
		snprintf(x->stream, sizeof(x->stream), "%s", l->meta.stream);
	if (l->meta.host)
		snprintf(x->host, sizeof(x->host), "%s", l->meta.host);
	if (l->meta.app)
		snprintf(x->app, sizeof(x->app), "%s", l->meta.app);
	if (l->meta.k8s)
		snprintf(x->pod, sizeof(x->pod), "%s", l->meta.k8s->pod);
	g->order[strlen(g->order)] = 'l';
}

static void on_record(const struct qe_record *r, void *data)
{
	struct got *g = data;
	struct got_rec *x;
	if (g->nr >= MAX_GOT)
		return;
	x = &g->r[g->nr++];
	memset(x, 0, sizeof(*x));
	x->parsed = r->parsed;
	x->level = r->meta.level;
	x->message = dup_or_null(r->message);
	x->error = dup_or_null(r->error);
	x->type = dup_or_null(r->error_type);
	x->exception = dup_or_null(r->exception);
	x->text = dup_or_null(r->text);
	x->logger = dup_or_null(r->meta.logger);
	x->time_ms = r->meta.time_ms;
	x->start = r->start_pos;
	x->end = r->end_pos;
	x->key = r->meta.key;
	if (r->meta.stream)
		snprintf(x->stream, sizeof(x->stream), "%s", r->meta.stream);
	if (r->meta.app)
		snprintf(x->app, sizeof(x->app), "%s", r->meta.app);
	g->order[strlen(g->order)] = 'r';
}

static void got_release(struct got *g)
{
	size_t i;
	for (i = 0; i < g->nl; i++)
		free(g->l[i].text);
	for (i = 0; i < g->nr; i++) {
		free(g->r[i].message);
		free(g->r[i].error);
		free(g->r[i].type);
		free(g->r[i].exception);
		free(g->r[i].text);
		free(g->r[i].logger);
	}
	memset(g, 0, sizeof(*g));
}

static const struct qe_decode_cb cbs = {on_line, on_record};

static struct qe_decoder *dec(enum qe_format f, struct got *g)
{
	struct qe_decode_opts o;
	struct qe_decoder *d;
	memset(&o, 0, sizeof(o));
	o.format = f;
	o.now_ms = 1796119200000LL; /* 2026-12-01T10:00:00Z */
	memset(g, 0, sizeof(*g));
	d = qe_decoder_new(&o, &cbs, g);
	assert_non_null(d);
	return d;
}

/* Feed text line by line with file positions, then flush. */
static void feed_text(struct qe_decoder *d, const char *text)
{
	const char *p = text;
	uint64_t pos = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		uint64_t end = pos + len + (nl ? 1 : 0);
		qe_decoder_feed(d, p, len, pos, end);
		pos = end;
		p += len + (nl ? 1 : 0);
	}
	qe_decoder_flush(d);
}

/* ---- small functions ---- */

static void test_ansi(void **state)
{
	char out[128];
	size_t n;
	const char *in = "\x1b[31mERROR\x1b[39m (12): \x1b[36mboom\x1b[0m";
	n = qe_ansi_strip(out, in, strlen(in));
	out[n] = '\0';
	assert_string_equal(out, "ERROR (12): boom");
	/* OSC hyperlink, charset switch, a cut sequence at the end */
	in = "\x1b]8;;http://x\x07link\x1b]8;;\x1b\\ \x1b(Bok\x1b[1";
	n = qe_ansi_strip(out, in, strlen(in));
	out[n] = '\0';
	assert_string_equal(out, "link ok");
	assert_false(qe_ansi_has("plain", 5));
	/* in place */
	strcpy(out, "a\x1b[1;31mb\x1b[mc");
	n = qe_ansi_strip(out, out, strlen(out));
	out[n] = '\0';
	assert_string_equal(out, "abc");
}

static void test_iso_and_levels(void **state)
{
	int64_t ms;
	int lv = -1;
	assert_int_equal(qe_decode_parse_iso("2026-11-22T10:00:05.839123456Z x", 32, &ms),
			 30);
	assert_true(ms == 1795341605839LL);
	assert_int_equal(qe_decode_parse_iso("2026-11-22T12:00:05+02:00", 25, &ms), 25);
	assert_true(ms == 1795341605000LL);
	assert_int_equal(qe_decode_parse_iso("2026-13-22T12:00:05", 19, &ms), 0);
	assert_int_equal(qe_decode_parse_iso("2026/11/22 10:00:05.839 x", 25, &ms), 23);
	assert_true(ms == 1795341605839LL);
	assert_int_equal(qe_decode_parse_iso("2026/11-22 10:00:05", 19, &ms), 0);
	assert_int_equal(qe_decode_parse_iso("2026-11-22", 10, &ms), 0);

	assert_int_equal(qe_decode_level_name("50", 2), QE_SEV_ERROR);
	assert_int_equal(qe_decode_level_name("60", 2), QE_SEV_FATAL);
	assert_int_equal(qe_decode_level_name("30", 2), QE_SEV_INFO);
	assert_int_equal(qe_decode_level_name("3", 1), QE_SEV_ERROR); /* syslog err */
	assert_int_equal(qe_decode_level_name("Information", 11), QE_SEV_INFO);
	assert_int_equal(qe_decode_level_name("EMERGENCY", 9), QE_SEV_FATAL);
	assert_int_equal(qe_decode_level_name("DPANIC", 6), QE_SEV_CRITICAL);
	assert_int_equal(qe_decode_level_name("fine", 4), -1);
	assert_int_equal(qe_decode_level_name("wArNiNg", 7), QE_SEV_WARNING);
	assert_int_equal(qe_decode_level_name("Err", 3), QE_SEV_ERROR);
	assert_int_equal(qe_decode_level_name("%rror", 5), -1);
	/* Monolog's scale */
	assert_int_equal(qe_decode_level_name("400", 3), QE_SEV_ERROR);
	assert_int_equal(qe_decode_level_name("550", 3), QE_SEV_FATAL);
	assert_int_equal(qe_decode_level_name("100", 3), QE_SEV_DEBUG);
	assert_int_equal(qe_decode_level_name("250", 3), QE_SEV_INFO);
	assert_int_equal(qe_decode_level_number(8), -1);
	assert_int_equal(qe_decode_level_number(45.5), -1);
	assert_int_equal(qe_decode_level_number(3.79612e12), -1); /* a time */
	assert_int_equal(qe_decode_level_number(-1e300), -1);

	assert_int_equal(qe_decode_level_word("ERROR boom", 10, &lv), 6);
	assert_int_equal(lv, QE_SEV_ERROR);
	assert_int_equal(qe_decode_level_word("error: kex_exchange", 19, &lv), 7);
	assert_int_equal(qe_decode_level_word("[warn] x", 8, &lv), 7);
	assert_int_equal(lv, QE_SEV_WARNING);
	assert_int_equal(qe_decode_level_word("error happened", 14, &lv), 0);
	assert_int_equal(qe_decode_level_word("panic: runtime error", 20, &lv), 0);
	assert_int_equal(qe_decode_level_word("Errors: 3", 9, &lv), 0);

	assert_int_equal(
	    qe_decode_strip_time("2026-11-22 10:00:05.839 panic: x", 32, &ms), 24);
	assert_int_equal(qe_decode_strip_time("[2026-11-22 10:00:05,839] ERROR", 31, &ms),
			 26);
	assert_int_equal(qe_decode_strip_time("2026-11-22 10:00:05.839panic", 28, &ms),
			 0);
}

static void test_format_names(void **state)
{
	enum qe_format f;
	assert_int_equal(qe_format_parse("cri", &f), 0);
	assert_int_equal(f, QE_FMT_CRI);
	assert_string_equal(qe_format_name(QE_FMT_JOURNAL), "journal");
	assert_int_equal(qe_format_parse("logfmt", &f), -1);
	assert_non_null(strstr(qe_last_error(), "'logfmt'"));
}

static void test_k8s_paths(void **state)
{
	struct qe_k8s k;
	assert_true(qe_k8s_from_path(
	    "/var/log/containers/checkout-7d9f8b6c5-x2x4z_shop_checkout-api-"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log",
	    &k));
	assert_string_equal(k.pod, "checkout-7d9f8b6c5-x2x4z");
	assert_string_equal(k.namespace, "shop");
	assert_string_equal(k.container, "checkout-api");
	assert_true(
	    qe_k8s_from_path("/var/log/pods/shop_checkout-7d9f8b6c5-x2x4z_"
			     "9c1d2e3f-aaaa-bbbb-cccc-1234567890ab/checkout-api/0.log",
			     &k));
	assert_string_equal(k.pod, "checkout-7d9f8b6c5-x2x4z");
	assert_string_equal(k.namespace, "shop");
	assert_string_equal(k.container, "checkout-api");
	assert_true(qe_k8s_from_path("/var/log/pods/kube-system_coredns-5d78c9869d-abcde_"
				     "11111111-2222-3333-4444-555555555555/coredns/"
				     "3.log.20261122-100005.gz",
				     &k));
	assert_string_equal(k.container, "coredns");
	assert_false(qe_k8s_from_path("/var/log/app.log", &k));
	assert_string_equal(k.pod, "");
	assert_false(qe_k8s_from_path("/var/log/containers/nounderscore.log", &k));
	assert_false(qe_k8s_from_path(NULL, &k));

	{
		struct qe_decode_opts o;
		struct got g;
		struct qe_decoder *d;
		memset(&o, 0, sizeof(o));
		memset(&g, 0, sizeof(g));
		o.format = QE_FMT_CRI;
		o.path = "/var/log/containers/web-1_prod_app-"
			 "00000000000000000000000000000000000000000000000000000000000000f"
			 "f.log";
		d = qe_decoder_new(&o, &cbs, &g);
		feed_text(d, "2026-11-22T10:00:05.839Z stderr F boom\n");
		assert_int_equal(g.nl, 1);
		assert_string_equal(g.l[0].pod, "web-1");
		qe_decoder_free(d);
		got_release(&g);
	}
}

/* ---- CRI ---- */

static void test_cri_partials(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_CRI, &g);
	const char *a = "2026-11-22T10:00:05.839123456Z stdout P first half ";
	const char *b =
	    "2026-11-22T10:00:05.900000000Z stderr F Traceback (most recent call last):";
	const char *c = "2026-11-22T10:00:05.901000000Z stdout F second half";
	uint64_t pend;

	qe_decoder_feed(d, a, strlen(a), 0, 52);
	assert_int_equal(g.nl, 0);
	assert_true(qe_decoder_pending(d, &pend));
	assert_int_equal(pend, 0);
	qe_decoder_feed(d, b, strlen(b), 52, 130);
	assert_int_equal(g.nl, 1); /* other stream goes on */
	assert_string_equal(g.l[0].text, "Traceback (most recent call last):");
	assert_string_equal(g.l[0].stream, "stderr");
	assert_int_equal(g.l[0].key, 2);
	qe_decoder_feed(d, c, strlen(c), 130, 190);
	assert_false(qe_decoder_pending(d, NULL));
	assert_int_equal(g.nl, 2);
	assert_string_equal(g.l[1].text, "first half second half");
	assert_int_equal(g.l[1].start, 0);
	assert_int_equal(g.l[1].end, 190);
	assert_true(g.l[1].flags & QE_DLINE_JOINED);
	assert_int_equal(g.l[1].key, 1);
	assert_true(g.l[1].time_ms == 1795341605839LL); /* the first piece's time */
	assert_string_equal(qe_decoder_format_name(d), "cri");
	assert_int_equal(qe_decoder_stats(d)->joined, 1);

	/* an empty F line, a P never finished: flushed at the end */
	got_release(&g);
	qe_decoder_free(d);
	d = dec(QE_FMT_CRI, &g);
	feed_text(d,
		  "2026-11-22T10:00:05Z stdout F \n2026-11-22T10:00:06Z stdout P tail\n");
	assert_int_equal(g.nl, 2);
	assert_string_equal(g.l[0].text, "");
	assert_string_equal(g.l[1].text, "tail");
	qe_decoder_free(d);
	got_release(&g);
}

static void test_cri_cap(void **state)
{
	struct got g;
	struct qe_decode_opts o;
	struct qe_decoder *d;
	memset(&o, 0, sizeof(o));
	memset(&g, 0, sizeof(g));
	o.format = QE_FMT_CRI;
	o.max_line_bytes = 10;
	d = qe_decoder_new(&o, &cbs, &g);
	feed_text(d, "2026-11-22T10:00:05Z stdout P 0123456\n"
		     "2026-11-22T10:00:05Z stdout P 789abc\n"
		     "2026-11-22T10:00:05Z stdout F def\n");
	assert_int_equal(g.nl, 1);
	assert_string_equal(g.l[0].text, "0123456789");
	assert_true(g.l[0].flags & QE_DLINE_CUT);
	assert_int_equal(qe_decoder_stats(d)->cut_lines, 1);
	assert_int_equal(qe_decoder_stats(d)->cut_bytes, 6);
	qe_decoder_free(d);
	got_release(&g);
}

/* ---- Docker ---- */

static void test_docker(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_AUTO, &g);
	feed_text(d,
		  "{\"log\":\"part one "
		  "\",\"stream\":\"stdout\",\"time\":\"2026-11-22T10:00:05.1Z\"}\n"
		  "{\"log\":\"\\u001b[31mERROR\\u001b[0m in "
		  "stderr\\r\\n\",\"stream\":\"stderr\","
		  "\"time\":\"2026-11-22T10:00:05.2Z\"}\n"
		  "{\"log\":\"part "
		  "two\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-22T10:00:05.3Z\"}\n"
		  "plain line among docker records\n");
	assert_string_equal(qe_decoder_format_name(d), "docker");
	assert_int_equal(g.nl, 3);
	assert_string_equal(g.l[0].text, "ERROR in stderr");
	assert_int_equal(g.l[0].level, QE_SEV_ERROR);
	assert_string_equal(g.l[0].stream, "stderr");
	assert_string_equal(g.l[1].text, "part one part two");
	assert_int_equal(g.l[1].start, 0);
	assert_true(g.l[1].time_ms == 1795341605100LL);
	assert_string_equal(g.l[2].text, "plain line among docker records");
	assert_int_equal(qe_decoder_stats(d)->mismatched, 1);
	qe_decoder_free(d);
	got_release(&g);
}

/* A program that logs JSON to its stdout in a container: the log of a
 * json-file (or CRI) line is itself a record, read as in a JSON file. */
static void test_docker_json_inside(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_AUTO, &g);
	feed_text(d, "{\"log\":\"starting\\n\",\"stream\":\"stdout\",\"time\":"
		     "\"2026-11-22T10:00:05.1Z\"}\n"
		     "{\"log\":\"{\\\"level\\\":50,\\\"msg\\\":\\\"db down\\\"}\\n\","
		     "\"stream\":\"stdout\",\"time\":\"2026-11-22T10:00:05.2Z\"}\n"
		     "{\"log\":\"{\\\"level\\\":30,\\\"msg\\\":\\\"ok\\\"}\\n\","
		     "\"stream\":\"stdout\",\"time\":\"2026-11-22T10:00:05.3Z\"}\n"
		     "{\"log\":\"{not json}\\n\",\"stream\":\"stderr\",\"time\":"
		     "\"2026-11-22T10:00:05.4Z\"}\n");
	assert_string_equal(qe_decoder_format_name(d), "docker");
	assert_int_equal(g.nl, 2);
	assert_string_equal(g.l[0].text, "starting");
	assert_string_equal(g.l[1].text, "{not json}");
	assert_int_equal(g.nr, 2);
	assert_int_equal(g.r[0].parsed, 1);
	assert_int_equal(g.r[0].level, QE_SEV_ERROR);
	assert_string_equal(g.r[0].message, "db down");
	/* the record has no time of its own: the wrapping's */
	assert_true(g.r[0].time_ms == 1795341605200LL);
	assert_int_equal(g.r[1].parsed, 0); /* an info line: the quick path */
	assert_string_equal(g.order, "lrrl");
	qe_decoder_free(d);
	got_release(&g);

	/* CRI, the record in two partial lines */
	d = dec(QE_FMT_CRI, &g);
	feed_text(d, "2026-11-22T10:00:05.2Z stdout P {\"level\":\"error\",\"msg\"\n"
		     "2026-11-22T10:00:05.2Z stdout F :\"db down\"}\n");
	assert_int_equal(g.nl, 0);
	assert_int_equal(g.nr, 1);
	assert_string_equal(g.r[0].message, "db down");
	assert_true(g.r[0].time_ms == 1795341605200LL);
	qe_decoder_free(d);
	got_release(&g);
}

/* A JSON record behind a collector's prefix: kubectl's time, a syslog
 * header, a stream word; text before the object keeps the line text. */
static void test_prefixed_json(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_AUTO, &g);
	feed_text(
	    d, "2026-11-22T10:00:05.839123456Z {\"level\":\"error\",\"msg\":"
	       "\"db down\",\"error\":\"dial tcp: refused\"}\n"
	       "2026-11-22T10:00:06Z {\"level\":50,\"msg\":\"paid twice\","
	       "\"time\":\"2026-11-22T09:00:00Z\"}\n"
	       "2026-11-22T10:00:07Z {\"level\":\"info\",\"msg\":\"ok\"}\n"
	       "2026-11-22T10:00:08Z ERROR failed {\"id\": 3}\n"
	       "2026-11-22T10:00:09Z {\"id\": 3} was sent\n"
	       "2026-11-22T10:00:10Z stderr {\"severity\":\"ERROR\",\"message\":\"x\"}\n"
	       "2026-11-22T10:00:11Z {'a': 1}\n"
	       "2026-11-22T10:00:12Z started\n");
	assert_string_equal(qe_decoder_format_name(d), "text");
	assert_int_equal(qe_decoder_prefixed_json(d), 1);
	assert_string_equal(g.order, "rrrllrll");
	assert_int_equal(g.nr, 4);
	assert_int_equal(g.r[0].parsed, 1);
	assert_int_equal(g.r[0].level, QE_SEV_ERROR);
	assert_string_equal(g.r[0].message, "db down");
	assert_string_equal(g.r[0].text, "db down: dial tcp: refused");
	/* no time of its own: the prefix's */
	assert_true(g.r[0].time_ms == 1795341605839LL);
	assert_int_equal(g.r[0].start, 0);
	/* its own time wins */
	assert_int_equal(g.r[1].level, QE_SEV_ERROR);
	assert_true(g.r[1].time_ms == 1795338000000LL);
	assert_int_equal(g.r[2].parsed, 0); /* info: the quick path */
	assert_string_equal(g.r[3].message, "x");
	assert_string_equal(g.r[3].stream, "stderr");
	assert_string_equal(g.l[0].text, "ERROR failed {\"id\": 3}");
	assert_string_equal(g.l[1].text, "{\"id\": 3} was sent");
	assert_string_equal(g.l[2].text, "{'a': 1}");
	assert_int_equal(qe_decoder_stats(d)->bad_json, 1);
	assert_int_equal(
	    qe_decoder_prefixed_line(d, "2026-11-22T10:00:06Z {\"a\":1}", 28), 1);
	assert_int_equal(qe_decoder_prefixed_line(d, "2026-11-22T10:00:06Z a {}", 25), 0);
	assert_int_equal(qe_decoder_prefixed_line(d, "{\"a\":1}", 7), 0);
	qe_decoder_free(d);
	got_release(&g);

	/* syslog: the header's host and tag, the record's fields */
	d = dec(QE_FMT_AUTO, &g);
	feed_text(d,
		  "Nov 22 10:00:05 web1 app[123]: {\"level\":\"info\",\"msg\":\"up\"}\n"
		  "Nov 22 10:00:06 web1 app[123]: {\"@level\":\"error\",\"@message\":"
		  "\"gave up\",\"error\":\"seat 1x\"}\n"
		  "Nov 22 10:00:07 web1 app[123]: failed {\"id\": 3}\n");
	assert_string_equal(qe_decoder_format_name(d), "syslog");
	assert_string_equal(g.order, "rrl");
	assert_int_equal(g.r[1].level, QE_SEV_ERROR);
	assert_string_equal(g.r[1].text, "gave up: seat 1x");
	assert_string_equal(g.r[1].app, "app");
	assert_int_equal(g.r[1].key, g.l[0].key);
	assert_string_equal(g.l[0].text, "failed {\"id\": 3}");
	qe_decoder_free(d);
	got_release(&g);

	/* format text as configured: lines stay text */
	d = dec(QE_FMT_TEXT, &g);
	feed_text(d, "2026-11-22T10:00:06Z {\"level\":50,\"msg\":\"paid twice\"}\n");
	assert_string_equal(g.order, "l");
	assert_int_equal(qe_decoder_prefixed_line(d, "2026-11-22T10:00:06Z {}", 23), 0);
	qe_decoder_free(d);
	got_release(&g);
}

/* A journal message that is a JSON object is a record with the entry's
 * metadata. */
static void test_feed_meta_json(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_JOURNAL, &g);
	struct qe_decode_meta m;
	const char *msg = "{\"level\":\"error\",\"msg\":\"db down\"}";
	memset(&m, 0, sizeof(m));
	m.time_ms = 1795341605000LL;
	m.level = QE_SEV_INFO;
	m.app = "shop";
	m.key = 77;
	qe_decoder_feed_meta(d, msg, strlen(msg), &m, 10, 20);
	qe_decoder_feed_meta(d, "{not json", 9, &m, 20, 30);
	assert_string_equal(g.order, "rl");
	assert_int_equal(g.r[0].level, QE_SEV_ERROR);
	assert_string_equal(g.r[0].message, "db down");
	assert_string_equal(g.r[0].app, "shop");
	assert_int_equal(g.r[0].key, 77);
	assert_true(g.r[0].time_ms == 1795341605000LL);
	assert_int_equal(g.r[0].start, 10);
	assert_string_equal(g.l[0].text, "{not json");
	qe_decoder_free(d);
	got_release(&g);
}

/* ---- syslog ---- */

static void test_syslog(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_AUTO, &g);
	feed_text(
	    d,
	    "Nov 30 23:59:58 db1 postgres[811]: ERROR:  relation \"x\" does not exist\n"
	    "Dec  1 09:00:00 web1 sshd[42]: error: kex_exchange_identification: "
	    "Connection closed\n"
	    "Dec  1 09:00:01 web1 kernel: Out of memory: Killed process 9 (java)\n"
	    "<11>1 2026-12-01T09:00:02.5Z web1 app 77 ID47 [ex@1 a=\"]\\]\"] "
	    "\xef\xbb\xbf  File \"x.py\", line 1\n"
	    "<13>Dec  1 09:00:03 web1 cron[5]: done\n"
	    "no header here\n"
	    "2026-12-01T09:00:04.123456+00:00 web1 nginx[7]: upstream timed out\n"
	    "2026-12-01 09:00:05,001 ERROR billing.api: payment failed\n"
	    "Dec  1 09:00:06 [WARN] Main: not syslog either\n");
	assert_string_equal(qe_decoder_format_name(d), "syslog");
	assert_int_equal(g.nl, 9);
	assert_string_equal(g.l[0].text, "ERROR:  relation \"x\" does not exist");
	assert_string_equal(g.l[0].host, "db1");
	assert_string_equal(g.l[0].app, "postgres");
	assert_int_equal(g.l[0].pid, 811);
	assert_int_equal(g.l[0].level, QE_SEV_ERROR);
	/* no year: Nov 30 is last night, this year */
	assert_true(g.l[0].time_ms == 1796083198000LL);
	assert_string_equal(g.l[1].text,
			    "error: kex_exchange_identification: Connection closed");
	assert_int_equal(g.l[1].level, QE_SEV_ERROR);
	assert_string_equal(g.l[1].text + g.l[1].body_off,
			    "kex_exchange_identification: Connection closed");
	assert_string_equal(g.l[2].app, "kernel");
	assert_int_equal(g.l[2].pid, 0);
	assert_string_equal(g.l[3].text, "  File \"x.py\", line 1");
	assert_string_equal(g.l[3].app, "app");
	assert_int_equal(g.l[3].pid, 77);
	assert_int_equal(g.l[3].level, QE_SEV_ERROR); /* <11> = user.err */
	assert_true(g.l[3].time_ms == 1796115602500LL);
	assert_string_equal(g.l[4].text, "done");
	assert_int_equal(g.l[4].level, QE_SEV_INFO); /* <13> = user.notice */
	assert_true(g.l[0].key != g.l[1].key);
	assert_string_equal(g.l[5].text, "no header here");
	/* rsyslog's RFC 3339 file format */
	assert_string_equal(g.l[6].text, "upstream timed out");
	assert_string_equal(g.l[6].app, "nginx");
	assert_true(g.l[6].time_ms == 1796115604123LL);
	/* an application's "TIME LEVEL logger: text" keeps its level word */
	assert_string_equal(g.l[7].text, "ERROR billing.api: payment failed");
	assert_int_equal(g.l[7].level, QE_SEV_ERROR);
	assert_string_equal(g.l[8].text,
			    "Dec  1 09:00:06 [WARN] Main: not syslog either");
	assert_int_equal(qe_decoder_stats(d)->mismatched, 3);
	qe_decoder_free(d);
	got_release(&g);
}

/* A Go panic after a timestamp (kubectl logs --timestamps). */
static void test_text_prefixes(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_AUTO, &g);
	feed_text(
	    d, "2026-11-22T10:00:05.839123456Z panic: runtime error: index out of range\n"
	       "2026-11-22T10:00:05.839123456Z \n"
	       "2026-11-22T10:00:05.839123456Z goroutine 1 [running]:\n"
	       "2026-11-22T10:00:05.839123456Z \tmain.main()\n"
	       "\x1b[31m2026-11-22 10:00:06 ERROR\x1b[0m worker died\n");
	assert_string_equal(qe_decoder_format_name(d), "text");
	assert_int_equal(g.nl, 5);
	assert_string_equal(g.l[0].text, "panic: runtime error: index out of range");
	assert_int_equal(g.l[0].level, -1);
	assert_string_equal(g.l[1].text, "");
	assert_string_equal(g.l[3].text, "\tmain.main()");
	assert_true(g.l[3].time_ms == 1795341605839LL);
	assert_string_equal(g.l[4].text, "ERROR worker died");
	assert_int_equal(g.l[4].level, QE_SEV_ERROR);
	assert_int_equal(qe_decoder_stats(d)->ansi_lines, 1);
	qe_decoder_free(d);

	/* keep_prefix leaves lines as they are */
	{
		struct qe_decode_opts o;
		memset(&o, 0, sizeof(o));
		o.format = QE_FMT_TEXT;
		o.keep_prefix = 1;
		got_release(&g);
		d = qe_decoder_new(&o, &cbs, &g);
		feed_text(d, "2026-11-22T10:00:05Z panic: x\n");
		assert_string_equal(g.l[0].text, "2026-11-22T10:00:05Z panic: x");
		qe_decoder_free(d);
	}
	got_release(&g);
}

/* ---- JSON ---- */

static void test_json_mixed(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_AUTO, &g);
	feed_text(
	    d, "\n"
	       "{\"level\":30,\"msg\":\"ok\"}\n"
	       "plain text among JSON\n"
	       "{\"level\":50,\"msg\":\"broken\",\"nested\":{\"x\":[1,{\"y\":\"}\"}]}}\n"
	       "{not json at all}\n"
	       "{\"msg\":\"no level\"}\n");
	assert_string_equal(qe_decoder_format_name(d), "json");
	assert_string_equal(g.order, "lrlrlr");
	assert_int_equal(g.nr, 3);
	assert_int_equal(g.r[0].parsed, 0);
	assert_int_equal(g.r[0].level, QE_SEV_INFO);
	assert_int_equal(g.r[1].parsed, 1);
	assert_int_equal(g.r[1].level, QE_SEV_ERROR);
	assert_string_equal(g.r[1].message, "broken");
	assert_int_equal(g.r[2].level, -1);
	assert_string_equal(g.l[2].text, "{not json at all}");
	assert_int_equal(qe_decoder_stats(d)->mismatched, 2);
	assert_int_equal(qe_decoder_stats(d)->bad_json, 1);
	assert_int_equal(qe_decoder_stats(d)->quick, 1);
	qe_decoder_free(d);
	got_release(&g);

	/* a JSON line in a file decided as text is still a record, counted */
	d = dec(QE_FMT_AUTO, &g);
	feed_text(d, "starting\n{\"level\":\"error\",\"message\":\"x\"}\n");
	assert_string_equal(qe_decoder_format_name(d), "text");
	assert_string_equal(g.order, "lr");
	assert_int_equal(qe_decoder_stats(d)->mismatched, 1);
	qe_decoder_free(d);
	got_release(&g);

	/* ... but not when the format is text by configuration */
	d = dec(QE_FMT_TEXT, &g);
	feed_text(d, "{\"level\":\"error\",\"message\":\"x\"}\n");
	assert_string_equal(g.order, "l");
	qe_decoder_free(d);
	got_release(&g);
}

/* The shapes documented by Serilog (CLEF), Elastic ECS and Google Cloud
 * Logging, and a level deep inside a record. */
static void test_json_documented(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_JSON, &g);
	feed_text(
	    d, "{\"@t\":\"2026-11-22T10:00:05.8391234Z\",\"@mt\":\"Processed {@Position} "
	       "in {Elapsed:000} "
	       "ms.\",\"Position\":{\"Latitude\":25,\"Longitude\":134},\"Elapsed\":34}\n"
	       "{\"@t\":\"2026-11-22T10:00:06Z\",\"@mt\":\"Failed to charge "
	       "{OrderId}\",\"@m\":\"Failed "
	       "to charge "
	       "42\",\"@l\":\"Error\",\"@x\":\"System.InvalidOperationException: Card "
	       "declined\\n   at Shop.Pay.Charge(Int32 id) in /src/Pay.cs:line "
	       "12\",\"OrderId\":42,"
	       "\"SourceContext\":\"Shop.Pay\"}\n"
	       "{\"@timestamp\":\"2026-11-22T10:00:07.000Z\",\"log.level\":\"error\","
	       "\"message\":\"Request "
	       "failed\",\"ecs.version\":\"1.6.0\",\"log\":{\"logger\":\"app.http\"},"
	       "\"error\":{\"type\":"
	       "\"java.io.IOException\",\"message\":\"Broken "
	       "pipe\",\"stack_trace\":\"java.io."
	       "IOException: Broken pipe\\n\\tat app.Http.write(Http.java:10)\"}}\n"
	       "{\"severity\":\"ERROR\",\"message\":\"quota "
	       "exceeded\",\"timestamp\":{\"seconds\":"
	       "1795341608,\"nanos\":500000000},\"logging.googleapis.com/"
	       "sourceLocation\":{\"file\":"
	       "\"main.go\"}}\n"
	       "{\"ctx\":{\"req\":{\"id\":7},\"meta\":{\"severity\":\"critical\"}},"
	       "\"text\":\"deep\"}\n");
	assert_int_equal(g.nr, 5);
	assert_int_equal(g.r[0].level, QE_SEV_INFO); /* no @l: Information */
	assert_string_equal(g.r[0].message, "Processed {@Position} in {Elapsed:000} ms.");
	assert_int_equal(g.r[1].level, QE_SEV_ERROR);
	assert_string_equal(g.r[1].message, "Failed to charge 42");
	assert_string_equal(g.r[1].logger, "Shop.Pay");
	assert_non_null(strstr(g.r[1].exception, "InvalidOperationException"));
	assert_true(g.r[1].time_ms == 1795341606000LL);
	assert_int_equal(g.r[2].level, QE_SEV_ERROR);
	assert_string_equal(g.r[2].type, "java.io.IOException");
	assert_string_equal(g.r[2].logger, "app.http");
	assert_string_equal(g.r[2].text, "Request failed: Broken pipe");
	assert_non_null(strstr(g.r[2].exception, "\tat app.Http.write"));
	assert_int_equal(g.r[3].level, QE_SEV_ERROR);
	assert_true(g.r[3].time_ms == 1795341608500LL);
	assert_int_equal(g.r[4].level, QE_SEV_CRITICAL);
	qe_decoder_free(d);
	got_release(&g);
}

/* A nested "level" before the record's own does not hide an error. */
static void test_json_nested_level(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_JSON, &g);
	feed_text(
	    d, "{\"req\":{\"level\":\"info\",\"a\":[{\"x\":1}]},\"level\":\"error\","
	       "\"msg\":\"boom\"}\n"
	       "{\"req\":{\"level\":\"info\"},\"msg\":\"only nested\"}\n"
	       "{\"level\":\"info\",\"ctx\":{\"level\":\"fatal\"},\"msg\":\"fine\"}\n");
	assert_int_equal(g.nr, 3);
	assert_int_equal(g.r[0].parsed, 1);
	assert_int_equal(g.r[0].level, QE_SEV_ERROR);
	assert_int_equal(g.r[1].parsed, 0);
	assert_int_equal(g.r[1].level, QE_SEV_INFO);
	assert_int_equal(g.r[2].parsed, 0); /* the top-level info wins */
	qe_decoder_free(d);
	got_release(&g);
}

/* Warnings take the quick path unless asked for; -1 turns it off. */
static void test_json_quick_below(void **state)
{
	static const int below[] = {0, QE_SEV_WARNING, -1};
	static const int parsed_warn[] = {0, 1, 1}, parsed_info[] = {0, 0, 1};
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(below); i++) {
		struct got g;
		struct qe_decode_opts o;
		struct qe_decoder *d;
		memset(&o, 0, sizeof(o));
		memset(&g, 0, sizeof(g));
		o.format = QE_FMT_JSON;
		o.quick_below = below[i];
		d = qe_decoder_new(&o, &cbs, &g);
		feed_text(d, "{\"level\":\"warn\",\"msg\":\"slow\"}\n"
			     "{\"level\":\"info\",\"msg\":\"ok\"}\n"
			     "{\"level\":\"warn\",\"msg\":\"x\",\"stack\":\"E: y\"}\n");
		assert_int_equal(g.nr, 3);
		assert_int_equal(g.r[0].parsed, parsed_warn[i]);
		assert_int_equal(g.r[1].parsed, parsed_info[i]);
		assert_int_equal(g.r[2].parsed,
				 1); /* an exception field: always parsed */
		assert_int_equal(g.r[0].level, QE_SEV_WARNING);
		qe_decoder_free(d);
		got_release(&g);
	}
}

static void test_json_field_mapping(void **state)
{
	struct got g;
	struct qe_decode_opts o;
	struct qe_decoder *d;
	memset(&o, 0, sizeof(o));
	memset(&g, 0, sizeof(g));
	o.format = QE_FMT_JSON;
	o.fields.level = "sev";
	o.fields.message = "body.text";
	o.fields.exception = "fault.trace";
	o.fields.error_type = "fault.kind";
	o.fields.logger = "src";
	o.fields.time = "when";
	d = qe_decoder_new(&o, &cbs, &g);
	feed_text(
	    d,
	    "{\"sev\":\"info\",\"body\":{\"text\":\"fine\"}}\n"
	    "{\"sev\":\"info\",\"fault\":{\"trace\":\"X: y\\n  at z\"}}\n"
	    "{\"sev\":\"FATAL\",\"body\":{\"text\":\"down\"},\"src\":\"core\",\"when\":"
	    "1795341605,\"fault\":{\"kind\":\"Oops\"}}\n");
	assert_int_equal(g.nr, 3);
	assert_int_equal(g.r[0].parsed,
			 0); /* the mapped level is seen by the quick scan */
	assert_int_equal(g.r[1].parsed, 1); /* as is the mapped exception field */
	assert_string_equal(g.r[1].exception, "X: y\n  at z");
	assert_int_equal(g.r[2].level, QE_SEV_FATAL);
	assert_string_equal(g.r[2].message, "down");
	assert_string_equal(g.r[2].logger, "core");
	assert_string_equal(g.r[2].type, "Oops");
	assert_true(g.r[2].time_ms == 1795341605000LL);
	qe_decoder_free(d);
	got_release(&g);
}

static void test_from_config(void **state)
{
	struct qe_config c;
	struct qe_decode_opts o;
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "t.yaml",
					       "tail:\n  format: cri\n  json:\n"
					       "    exception: fault.trace\n"
					       "events:\n  max_line_bytes: 1000\n"),
			 0);
	assert_int_equal(qe_decode_opts_from_config(&o, &c, "/var/log/x.log"), 0);
	assert_int_equal(o.format, QE_FMT_CRI);
	assert_string_equal(o.fields.exception, "fault.trace");
	assert_null(o.fields.level);
	assert_int_equal(o.max_line_bytes, 1000);
	assert_string_equal(o.path, "/var/log/x.log");
	qe_config_release(&c);
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "t.yaml", "tail:\n  format: logfmt\n"),
			 -1);
	assert_non_null(strstr(qe_last_error(), "logfmt"));
	qe_config_release(&c);
}

/* A sources: entry's options go over tail.*: its format, and each field
 * name it sets; the others stay tail.json's. */
static void test_for_source(void **state)
{
	struct qe_config c;
	struct qe_decode_opts o;
	struct qe_source_opts so;
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "t.yaml",
					       "tail:\n  format: cri\n  json:\n"
					       "    exception: fault.trace\n"
					       "    level: sev\n"
					       "sources:\n"
					       "  - path: /a.log\n"
					       "    format: json\n"
					       "    json: {exception: err.stack}\n"
					       "  - /b.log\n"),
			 0);
	qe_source_opts_from_config(&so, &c.sources[0]);
	assert_int_equal(qe_decode_opts_for_source(&o, &c, &so, "/a.log"), 0);
	assert_int_equal(o.format, QE_FMT_JSON);
	assert_string_equal(o.fields.exception, "err.stack");
	assert_string_equal(o.fields.level, "sev");
	assert_null(o.fields.message);
	/* an entry that sets nothing reads as tail.* says */
	qe_source_opts_from_config(&so, &c.sources[1]);
	assert_int_equal(qe_decode_opts_for_source(&o, &c, &so, "/b.log"), 0);
	assert_int_equal(o.format, QE_FMT_CRI);
	assert_string_equal(o.fields.exception, "fault.trace");
	assert_int_equal(qe_decode_opts_for_source(&o, &c, NULL, "/c.log"), 0);
	assert_int_equal(o.format, QE_FMT_CRI);
	/* options from elsewhere than the file are checked too */
	so.format = "logfmt";
	assert_int_equal(qe_decode_opts_for_source(&o, &c, &so, "/b.log"), -1);
	assert_non_null(strstr(qe_last_error(), "'logfmt'"));
	qe_config_release(&c);
}

static void test_feed_meta(void **state)
{
	struct got g;
	struct qe_decode_meta m;
	struct qe_decoder *d = dec(QE_FMT_JOURNAL, &g);
	memset(&m, 0, sizeof(m));
	m.time_ms = 5;
	m.level = QE_SEV_ERROR;
	m.app = "api";
	m.pid = 9;
	m.key = 1234;
	qe_decoder_feed_meta(d, "Traceback (most recent call last):\n  File \"a.py\"", 48,
			     &m, 7, 8);
	assert_int_equal(g.nl, 2);
	assert_string_equal(g.l[1].text, "  File \"a.py\"");
	assert_string_equal(g.l[1].app, "api");
	assert_int_equal(g.l[1].key, 1234);
	assert_int_equal(g.l[1].start, 7);
	qe_decoder_free(d);
	got_release(&g);
}

/* ---- the corpus ---- */

#define MAX_KEYS 16
#define MAX_EV 64

/* What the lead's source stage does with decoded output: text lines to
 * one assembler per stream key; records of level error or above become
 * events, their exception text assembled like text. */
struct pipeline {
	struct qe_rules *rules;
	uint32_t keys[MAX_KEYS];
	struct qe_assembler *asm_[MAX_KEYS];
	size_t nkeys;
	struct qe_event *ev[MAX_EV];
	size_t nev;
};

static void pl_event(struct qe_event *ev, void *data)
{
	struct pipeline *p = data;
	if (p->nev < MAX_EV) {
		qe_fingerprint(ev);
		p->ev[p->nev++] = ev;
	} else {
		qe_event_free(ev);
	}
}

static struct qe_assembler *pl_asm(struct pipeline *p, uint32_t key)
{
	size_t i;
	for (i = 0; i < p->nkeys; i++)
		if (p->keys[i] == key)
			return p->asm_[i];
	assert_true(p->nkeys < MAX_KEYS);
	p->keys[p->nkeys] = key;
	p->asm_[p->nkeys] = qe_assembler_new(p->rules, 200, 65536, pl_event, p);
	return p->asm_[p->nkeys++];
}

static void pl_line(const struct qe_dline *l, void *data)
{
	struct pipeline *p = data;
	qe_assembler_feed(pl_asm(p, l->meta.key), l->text, l->len, l->start_pos,
			  l->end_pos);
}

static void pl_record(const struct qe_record *r, void *data)
{
	struct pipeline *p = data;
	struct qe_event *ev = qe_decode_record_event(r, p->rules, 200, 65536);
	if (ev)
		pl_event(ev, p);
}

static void pl_run(struct pipeline *p, struct qe_rules *rules, const char *name,
		   enum qe_format fmt, char *chosen, size_t chosen_len)
{
	char path[512];
	size_t len, i;
	char *data;
	struct qe_decode_opts o;
	struct qe_decode_cb cb = {pl_line, pl_record};
	struct qe_decoder *d;

	memset(p, 0, sizeof(*p));
	p->rules = rules;
	snprintf(path, sizeof(path), FORMATS_DIR "/%s", name);
	data = slurp(path, &len);
	assert_non_null(data);
	memset(&o, 0, sizeof(o));
	o.format = fmt;
	o.keep_prefix = 1; /* as the source stage does */
	d = qe_decoder_new(&o, &cb, p);
	assert_non_null(d);
	{
		const char *s = data;
		uint64_t pos = 0;
		while (pos < len) {
			const char *nl = memchr(s + pos, '\n', len - pos);
			size_t n = nl ? (size_t)(nl - (s + pos)) : len - pos;
			uint64_t end = pos + n + (nl ? 1 : 0);
			qe_decoder_feed(d, s + pos, n, pos, end);
			pos = end;
		}
	}
	qe_decoder_flush(d);
	for (i = 0; i < p->nkeys; i++)
		qe_assembler_flush(p->asm_[i]);
	if (chosen)
		snprintf(chosen, chosen_len, "%s", qe_decoder_format_name(d));
	qe_decoder_free(d);
	free(data);
}

static void pl_release(struct pipeline *p)
{
	size_t i;
	for (i = 0; i < p->nkeys; i++)
		qe_assembler_free(p->asm_[i]);
	for (i = 0; i < p->nev; i++)
		qe_event_free(p->ev[i]);
	p->nkeys = p->nev = 0;
}

/* Error events only: the assembler also reports warnings seen by rules. */
static size_t errors_of(struct pipeline *p, struct qe_event **out)
{
	size_t i, n = 0;
	for (i = 0; i < p->nev; i++)
		if (p->ev[i]->severity >= QE_SEV_ERROR)
			out[n++] = p->ev[i];
	return n;
}

static const char *const corpus[] = {
    "pino",
    "bunyan",
    "node-text",
    "python-json-logger",
    "structlog",
    "python-text",
    "logstash-logback",
    "logback-text",
    "zap",
    "zerolog",
    "syslog-rfc3164",
    "syslog-rfc5424",
    "docker",
    "cri",
    "serilog-clef",
    "ecs",
    "gcp",
    "python-basic",
    "logback-default",
    "zap-console",
    "postgresql",
    "structlog-console",
    "zap-prod-console",
};

/* The event's lines after the first, by their first word ("DETAIL
 * STATEMENT"), "-" for none, as the fourth column of .expected says. */
static void attached_words(const struct qe_event *ev, struct qe_buf *out)
{
	size_t i;
	qe_buf_reset(out);
	for (i = 1; i < ev->nr_lines; i++) {
		const char *l = ev->lines[i];
		size_t n = strcspn(l, ": \t");
		if (out->len)
			qe_buf_addch(out, ' ');
		qe_buf_add(out, l, n);
	}
	if (!out->len)
		qe_buf_addch(out, '-');
}

static void check_corpus_file(struct qe_rules *rules, const char *name)
{
	char path[512], want_fmt[32] = "", chosen[32];
	char *exp, *line, *save = NULL;
	struct pipeline p;
	struct qe_event *errs[MAX_EV];
	struct qe_buf words = QE_BUF_INIT;
	size_t n, i = 0;

	snprintf(path, sizeof(path), FORMATS_DIR "/%s.expected", name);
	exp = slurp(path, NULL);
	assert_non_null(exp);
	snprintf(path, sizeof(path), "%s.log", name);
	pl_run(&p, rules, path, QE_FMT_AUTO, chosen, sizeof(chosen));
	n = errors_of(&p, errs);
	for (line = strtok_r(exp, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *lvl = line, *type, *msg, *att;
		enum qe_severity sev;
		if (!strncmp(line, "# format: ", 10)) {
			snprintf(want_fmt, sizeof(want_fmt), "%s", line + 10);
			continue;
		}
		if (line[0] == '#')
			continue;
		type = strchr(lvl, '\t');
		assert_non_null(type);
		*type++ = '\0';
		msg = strchr(type, '\t');
		assert_non_null(msg);
		*msg++ = '\0';
		att = strchr(msg, '\t');
		if (att)
			*att++ = '\0';
		if (i >= n)
			fail_msg("%s: expected event %zu (%s %s) missing", name, i + 1,
				 type, msg);
		assert_int_equal(qe_severity_parse(lvl, &sev), 0);
		if (errs[i]->severity != sev)
			fail_msg("%s: event %zu: level %s, expected %s", name, i + 1,
				 qe_severity_name(errs[i]->severity), lvl);
		if (strcmp(errs[i]->type ? errs[i]->type : "-", type))
			fail_msg("%s: event %zu: type '%s', expected '%s'", name, i + 1,
				 errs[i]->type ? errs[i]->type : "-", type);
		/* A plain error line's message is the line less what the
		 * trace parser takes for its header; it must hold the text. */
		if (strcmp(type, "-") ? strcmp(errs[i]->message, msg)
				      : !strstr(errs[i]->message, msg))
			fail_msg(
			    "%s: event %zu (%s): message '%.200s', expected '%.200s'",
			    name, i + 1, errs[i]->kind, errs[i]->message, msg);
		attached_words(errs[i], &words);
		if (att && strcmp(words.buf, att))
			fail_msg("%s: event %zu: lines attached '%s', expected '%s'",
				 name, i + 1, words.buf, att);
		i++;
	}
	if (n != i)
		fail_msg("%s: %zu error events, expected %zu (extra: '%s')", name, n, i,
			 errs[i]->lines[0]);
	if (strcmp(chosen, want_fmt))
		fail_msg("%s: auto chose '%s', expected '%s'", name, chosen, want_fmt);
	pl_release(&p);
	qe_buf_release(&words);
	free(exp);
}

struct rules_fixture {
	struct qe_config cfg;
	struct qe_rules *rules;
};

static int rules_setup(void **state)
{
	struct rules_fixture *f = qe_xcalloc(1, sizeof(*f));
	qe_config_init(&f->cfg);
	f->rules = qe_rules_new(&f->cfg);
	assert_non_null(f->rules);
	*state = f;
	return 0;
}

static int rules_teardown(void **state)
{
	struct rules_fixture *f = *state;
	qe_rules_free(f->rules);
	qe_config_release(&f->cfg);
	free(f);
	return 0;
}

static void test_record_event(void **state)
{
	struct rules_fixture *f = *state;
	struct got g;
	struct qe_decoder *d;
	struct qe_record r;
	struct qe_event *ev;

	/* through the decoder: collect, then rebuild records from the copies */
	d = dec(QE_FMT_JSON, &g);
	feed_text(
	    d, "{\"level\":\"info\",\"msg\":\"ok\"}\n"
	       "{\"level\":\"warn\",\"msg\":\"retrying\",\"exc_info\":\"Traceback (most "
	       "recent call last):\\n  File \\\"/srv/a.py\\\", line 3, in f\\n    "
	       "g()\\nOSError: "
	       "reset\"}\n"
	       "{\"level\":\"error\",\"msg\":\"bad\",\"error\":\"EOF\",\"err\":{\"type\":"
	       "\"Io\"},"
	       "\"stacktrace\":\"main.main\\n\\t/src/main.go:9\"}\n"
	       "{\"level\":\"warn\",\"msg\":\"slow\"}\n");
	assert_int_equal(g.nr, 4);
	memset(&r, 0, sizeof(r));
	r.parsed = g.r[0].parsed;
	r.meta.level = g.r[0].level;
	assert_null(qe_decode_record_event(&r, f->rules, 0, 0)); /* quick info */

	r.parsed = 1;
	r.meta.level = g.r[1].level;
	r.exception = g.r[1].exception;
	r.text = g.r[1].text;
	r.start_pos = g.r[1].start;
	r.end_pos = g.r[1].end;
	ev = qe_decode_record_event(&r, f->rules, 0, 0);
	assert_non_null(ev); /* a warning with a trace is the trace */
	assert_string_equal(ev->kind, "python");
	assert_string_equal(ev->type, "OSError");
	assert_string_equal(ev->message, "reset");
	assert_int_equal(ev->nr_frames, 1);
	assert_int_equal(ev->start_pos, g.r[1].start);
	assert_int_equal(ev->end_pos, g.r[1].end);
	qe_event_free(ev);

	r.meta.level = g.r[2].level;
	r.exception = g.r[2].exception; /* zap's stack: no exception line */
	r.text = g.r[2].text;
	r.error_type = g.r[2].type;
	ev = qe_decode_record_event(&r, f->rules, 0, 0);
	assert_non_null(ev);
	assert_string_equal(ev->kind, "line");
	assert_string_equal(ev->message, "bad: EOF");
	assert_string_equal(ev->type, "Io");
	assert_int_equal(ev->severity, QE_SEV_ERROR);
	qe_event_free(ev);

	r.meta.level = g.r[3].level; /* a parsed warning without a trace */
	r.exception = NULL;
	r.error_type = NULL;
	r.text = "slow";
	assert_null(qe_decode_record_event(&r, f->rules, 0, 0));
	qe_decoder_free(d);
	got_release(&g);
}

static void test_corpus(void **state)
{
	struct rules_fixture *f = *state;
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(corpus); i++)
		check_corpus_file(f->rules, corpus[i]);
}

/* The same errors logged as JSON and as text give the same type,
 * message, frames and fingerprint.  A plain error line too, unless plain
 * is 0: "%(asctime)s %(levelname)s %(name)s %(message)s" (python-text)
 * puts nothing between the logger and the text, which cannot be told
 * from a message whose first word is a name. */
static void check_twin(struct qe_rules *rules, const char *json, const char *text,
		       int plain)
{
	struct pipeline a, b;
	struct qe_event *ea[MAX_EV], *eb[MAX_EV];
	size_t na, nb, i, k;
	char pa[256], pb[256];

	snprintf(pa, sizeof(pa), "%s.log", json);
	snprintf(pb, sizeof(pb), "%s.log", text);
	pl_run(&a, rules, pa, QE_FMT_AUTO, NULL, 0);
	pl_run(&b, rules, pb, QE_FMT_AUTO, NULL, 0);
	na = errors_of(&a, ea);
	nb = errors_of(&b, eb);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		if (!ea[i]->type && !plain)
			continue;
		if (!ea[i]->type != !eb[i]->type)
			fail_msg("%s/%s event %zu: type '%s' vs '%s'", json, text, i + 1,
				 ea[i]->type ? ea[i]->type : "-",
				 eb[i]->type ? eb[i]->type : "-");
		if ((ea[i]->type && strcmp(ea[i]->type, eb[i]->type)) ||
		    strcmp(ea[i]->message, eb[i]->message))
			fail_msg("%s/%s event %zu: '%s: %s' vs '%s: %s'", json, text,
				 i + 1, ea[i]->type ? ea[i]->type : "-", ea[i]->message,
				 eb[i]->type ? eb[i]->type : "-", eb[i]->message);
		assert_int_equal(ea[i]->nr_frames, eb[i]->nr_frames);
		for (k = 0; k < ea[i]->nr_frames; k++)
			assert_string_equal(
			    ea[i]->frames[k].function ? ea[i]->frames[k].function : "",
			    eb[i]->frames[k].function ? eb[i]->frames[k].function : "");
		if (strcmp(ea[i]->fingerprint, eb[i]->fingerprint))
			fail_msg("%s/%s event %zu (%s): fingerprint %s vs %s", json, text,
				 i + 1, ea[i]->message, ea[i]->fingerprint,
				 eb[i]->fingerprint);
	}
	pl_release(&a);
	pl_release(&b);
}

static void test_twins(void **state)
{
	struct rules_fixture *f = *state;
	check_twin(f->rules, "pino", "node-text", 1);
	/* pino-pretty's error object, stack and all, is the record's err */
	check_twin(f->rules, "pino", "ansi-pino-pretty", 1);
	check_twin(f->rules, "bunyan", "node-text", 1);
	check_twin(f->rules, "python-json-logger", "python-text", 0);
	check_twin(f->rules, "structlog", "python-text", 0);
	check_twin(f->rules, "python-json-logger", "python-basic", 1);
	check_twin(f->rules, "structlog", "python-basic", 1);
	check_twin(f->rules, "logstash-logback", "logback-text", 1);
	check_twin(f->rules, "logstash-logback", "logback-default", 1);
	check_twin(f->rules, "zap", "zap-console", 1);
	check_twin(f->rules, "zap", "zap-prod-console", 1);
	check_twin(f->rules, "structlog", "structlog-console", 1);
	check_twin(f->rules, "zerolog", "zap-console", 1);
	check_twin(f->rules, "syslog-rfc3164", "python-text", 1);
	check_twin(f->rules, "syslog-rfc5424", "python-text", 1);
	check_twin(f->rules, "docker", "cri", 1);
}

/* One text line through the assembler: its error event's message and
 * fingerprint. */
static struct qe_event *text_event(struct qe_rules *rules, const char *line)
{
	struct pipeline p;
	struct qe_assembler *a;
	struct qe_event *ev;
	memset(&p, 0, sizeof(p));
	p.rules = rules;
	a = qe_assembler_new(rules, 200, 65536, pl_event, &p);
	qe_assembler_feed(a, line, strlen(line), 0, strlen(line) + 1);
	qe_assembler_flush(a);
	qe_assembler_free(a);
	if (p.nev != 1)
		fail_msg("'%s': %zu events", line, p.nev);
	ev = p.ev[0];
	return ev;
}

/* Every line, fed as text, makes one event with message msg and the
 * fingerprint of want. */
static void assert_lines_like(struct qe_rules *rules, const char *const *lines, size_t n,
			      const char *msg, const struct qe_event *want)
{
	size_t i;
	for (i = 0; i < n; i++) {
		struct qe_event *ev = text_event(rules, lines[i]);
		if (strcmp(ev->message, msg) ||
		    strcmp(ev->fingerprint, want->fingerprint))
			fail_msg("'%s': message '%s', fingerprint %s, not %s", lines[i],
				 ev->message, ev->fingerprint, want->fingerprint);
		qe_event_free(ev);
	}
}

/* Layouts of the same record the corpus has no capture of, as their
 * libraries document them, against the JSON twin whose message field is
 * the text: the thread, logger and process id go, the text stays. */
static void test_line_layouts(void **state)
{
	struct rules_fixture *f = *state;
	static const char *const same[] = {
	    /* log4j2 PatternLayout "%d{HH:mm:ss.SSS} [%t] %-5level %logger{36} - %msg" */
	    "09:10:20.833 [main] ERROR com.example.orders.OrderService - payment "
	    "gateway timeout after 30000 ms",
	    /* logback 1.3 default: "%logger{36} -%kvp- %msg" */
	    "09:10:20.833 [main] ERROR c.e.orders.OrderService -- payment gateway "
	    "timeout after 30000 ms",
	    /* Spring Boot 2 and 3.2 */
	    "2026-12-01T09:10:20.833Z ERROR 4242 --- [           main] "
	    "c.e.orders.OrderService                  : payment gateway timeout "
	    "after 30000 ms",
	    "2026-12-01T09:10:20.833Z ERROR 4242 --- [orders] [           main] "
	    "c.e.orders.OrderService                  : payment gateway timeout "
	    "after 30000 ms",
	    /* pino-pretty, without and with a name */
	    "[09:10:09.456] ERROR (10270): payment gateway timeout after 30000 ms",
	    "[09:10:09.456] ERROR (orders/10270 on web-1): payment gateway timeout "
	    "after 30000 ms",
	    /* Python "%(asctime)s %(levelname)-8s %(name)s: %(message)s" */
	    "2026-12-01 11:42:53,135 ERROR    billing.worker: payment gateway "
	    "timeout after 30000 ms",
	    /* ZooKeeper's log4j layout */
	    "2015-07-29 19:04:12,394 - ERROR [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:"
	    "Leader@493] - payment gateway timeout after 30000 ms",
	};
	struct qe_record r;
	struct qe_event *json, *ev;

	memset(&r, 0, sizeof(r));
	r.parsed = 1;
	r.meta.level = QE_SEV_ERROR;
	r.text = "payment gateway timeout after 30000 ms";
	json = qe_decode_record_event(&r, f->rules, 200, 65536);
	assert_non_null(json);
	qe_fingerprint(json);
	assert_lines_like(f->rules, same, QE_ARRAY_SIZE(same), r.text, json);
	qe_event_free(json);

	/* no logger follows: what may be the text itself stays */
	ev = text_event(f->rules, "2026-12-01 10:00:00 ERROR [db] connection refused");
	assert_string_equal(ev->message, "[db] connection refused");
	qe_event_free(ev);
	ev = text_event(f->rules, "2026-12-01 10:00:00 ERROR connection: refused");
	assert_string_equal(ev->message, "connection: refused");
	qe_event_free(ev);
	ev = text_event(f->rules, "2026-12-01 10:00:00 ERROR timeout - retrying");
	assert_string_equal(ev->message, "timeout - retrying");
	qe_event_free(ev);
	ev = text_event(f->rules, "09:10:20.833 [main] ERROR OrderService - timeout");
	assert_string_equal(ev->message, "timeout");
	qe_event_free(ev);
	ev = text_event(f->rules, "2026-12-01 10:00:00 ERROR timeout talking to db");
	assert_string_equal(ev->message, "timeout talking to db");
	qe_event_free(ev);
	/* logrus' text formatter and its JSON formatter */
	{
		struct got g;
		struct qe_decoder *d = dec(QE_FMT_JSON, &g);
		feed_text(d,
			  "{\"error\":\"open /etc/app.yaml: no such file or "
			  "directory\",\"level\":\"error\",\"msg\":\"config \\\"main\\\" "
			  "unreadable\",\"time\":\"2026-12-01T09:10:20Z\"}\n");
		assert_int_equal(g.nr, 1);
		memset(&r, 0, sizeof(r));
		r.parsed = 1;
		r.meta.level = QE_SEV_ERROR;
		r.text = g.r[0].text;
		json = qe_decode_record_event(&r, f->rules, 200, 65536);
		assert_non_null(json);
		qe_fingerprint(json);
		ev = text_event(f->rules,
				"time=\"2026-12-01T09:10:20Z\" level=error "
				"msg=\"config \\\"main\\\" unreadable\" error=\"open "
				"/etc/app.yaml: no such file or directory\"");
		assert_string_equal(ev->message, json->message);
		assert_string_equal(ev->fingerprint, json->fingerprint);
		qe_event_free(ev);
		qe_event_free(json);
		qe_decoder_free(d);
		got_release(&g);
	}
	/* zap's console fields without an error: only the message */
	ev = text_event(f->rules, "2026-12-01T11:42:27.803Z\tERROR\tapp/main.go:23\tslow "
				  "query\t{\"ms\": 1200}");
	assert_string_equal(ev->message, "slow query");
	qe_event_free(ev);
}

/* A text log through the assembler: its one event, fingerprinted. */
static struct qe_event *text_trace(struct qe_rules *rules, const char *text)
{
	struct pipeline p;
	struct qe_assembler *a;
	const char *s = text;
	uint64_t pos = 0;

	memset(&p, 0, sizeof(p));
	p.rules = rules;
	a = qe_assembler_new(rules, 200, 65536, pl_event, &p);
	while (*s) {
		size_t n = strcspn(s, "\n");
		qe_assembler_feed(a, s, n, pos, pos + n + 1);
		pos += n + 1;
		s += n + (s[n] == '\n');
	}
	qe_assembler_flush(a);
	qe_assembler_free(a);
	if (p.nev != 1)
		fail_msg("'%.40s...': %zu events", text, p.nev);
	return p.ev[0];
}

/* One JSON line through the decoder: its event (NULL when none). */
static struct qe_event *json_event(struct qe_rules *rules, const char *line)
{
	struct pipeline p;
	struct qe_decode_opts o;
	struct qe_decode_cb cb = {pl_line, pl_record};
	struct qe_decoder *d;
	struct qe_event *ev;

	memset(&p, 0, sizeof(p));
	p.rules = rules;
	memset(&o, 0, sizeof(o));
	o.format = QE_FMT_JSON;
	d = qe_decoder_new(&o, &cb, &p);
	assert_non_null(d);
	qe_decoder_feed(d, line, strlen(line), 0, strlen(line) + 1);
	qe_decoder_flush(d);
	qe_decoder_free(d);
	assert_int_equal(p.nkeys, 0); /* a record, never a text line */
	assert_true(p.nev <= 1);
	ev = p.nev ? p.ev[0] : NULL;
	return ev;
}

/* tracing-subscriber's fmt layer, with and without a span, and its JSON
 * format: the spans and the target say where, the fields follow the
 * message; all give "message: error" and one fingerprint. */
static void test_tracing_fmt(void **state)
{
	struct rules_fixture *f = *state;
	static const char *const same[] = {
	    "2026-12-02T00:36:49.080503Z ERROR tracefail: quota not loaded "
	    "error=invalid digit found in string tenant=1x",
	    "2026-12-02T00:36:49.116490Z ERROR import{tenant=1x}: tracefail: quota not "
	    "loaded error=invalid digit found in string",
	    "2026-12-02T00:36:49.116490Z ERROR run:import{tenant=1x id=3}: "
	    "shop::quota: quota not loaded error=invalid digit found in string",
	    "2026-12-02T00:36:49.116490Z ERROR shop::quota: quota not loaded "
	    "tenant=7qz error=invalid digit found in string http.status=500",
	    /* a field written with Debug: quoted */
	    "2026-12-02T00:36:49.116490Z ERROR shop::quota: quota not loaded "
	    "error=\"invalid digit found in string\"",
	};
	struct qe_event *json = json_event(
	    f->rules, "{\"timestamp\":\"2026-12-02T00:36:49.148987Z\","
		      "\"level\":\"ERROR\",\"fields\":{\"message\":\"quota not "
		      "loaded\",\"error\":\"invalid digit found in string\","
		      "\"tenant\":\"1x\"},\"target\":\"tracefail\"}");
	struct qe_event *ev;

	assert_non_null(json);
	assert_string_equal(json->message,
			    "quota not loaded: invalid digit found in string");
	assert_lines_like(f->rules, same, QE_ARRAY_SIZE(same), json->message, json);
	qe_event_free(json);
	/* a word and a colon alone, no fields: not that layout */
	ev = text_event(f->rules, "2026-12-01 10:00:00 ERROR db: connection refused");
	assert_string_equal(ev->message, "db: connection refused");
	qe_event_free(ev);
	ev = text_event(f->rules, "2026-12-01 10:00:00 ERROR import: db: refused");
	assert_string_equal(ev->message, "import: db: refused");
	qe_event_free(ev);
}

/* The record's event is the text trace's: kind, type, frames, fingerprint. */
static void check_parts_twin(struct qe_rules *rules, const char *json, const char *text)
{
	struct qe_event *a = json_event(rules, json), *b = text_trace(rules, text);
	size_t k;

	if (!a)
		fail_msg("'%.60s...': no event", json);
	assert_string_equal(a->kind, b->kind);
	if (!a->type || strcmp(a->type, b->type))
		fail_msg("'%.60s...': type %s, not %s", json, a->type ? a->type : "-",
			 b->type);
	assert_string_equal(a->message, b->message);
	assert_int_equal(a->nr_frames, b->nr_frames);
	for (k = 0; k < a->nr_frames; k++) {
		assert_string_equal(a->frames[k].function ? a->frames[k].function : "",
				    b->frames[k].function ? b->frames[k].function : "");
		assert_string_equal(a->frames[k].module ? a->frames[k].module : "",
				    b->frames[k].module ? b->frames[k].module : "");
		assert_int_equal(a->frames[k].in_app, b->frames[k].in_app);
	}
	assert_string_equal(a->fingerprint, b->fingerprint);
	qe_event_free(a);
	qe_event_free(b);
}

/* Exceptions that JSON loggers write in parts (a class, a message, a
 * location, frames as strings or objects) are the traces the same
 * exceptions print as text. */

/* Ruby Logger with a JSON formatter: the class and the backtrace */
static void test_parts_ruby_logger(void **state)
{
	struct rules_fixture *f = *state;

	check_parts_twin(
	    f->rules,
	    "{\"time\":\"2026-12-01T21:24:14.478Z\",\"level\":\"ERROR\",\"progname\":"
	    "\"sync\",\"message\":\"sync of 1x failed\",\"error\":\"SyncError\","
	    "\"backtrace\":[\"app.rb:22:in `rescue in sync_row'\",\"app.rb:19:in "
	    "`sync_row'\",\"/usr/lib/ruby/3.1.0/set.rb:511:in `each'\",\"app.rb:58:in "
	    "`<main>'\"]}",
	    "app.rb:22:in `rescue in sync_row': sync of 1x failed (SyncError)\n"
	    "\tfrom app.rb:19:in `sync_row'\n"
	    "\tfrom /usr/lib/ruby/3.1.0/set.rb:511:in `each'\n"
	    "\tfrom app.rb:40:in `<main>'");
}

/* the logging gem's JSON layout: an exception logged as the message is
 * an object of its class, message and backtrace */
static void test_parts_logging_gem(void **state)
{
	struct rules_fixture *f = *state;

	check_parts_twin(
	    f->rules,
	    "{\"timestamp\":\"2026-12-02T00:36:50.493955Z\",\"level\":\"ERROR\","
	    "\"logger\":\"billing\",\"message\":{\"class\":\"ChargeError\","
	    "\"message\":\"card 1x declined (2 tries)\",\"backtrace\":[\"app.rb:10:in "
	    "`charge'\",\"app.rb:14:in `settle'\",\"app.rb:33:in `<main>'\"]}}",
	    "ERROR  billing : <ChargeError> card 1x declined (2 tries)\n"
	    "\tapp.rb:10:in `charge'\n"
	    "\tapp.rb:14:in `settle'\n"
	    "\tapp.rb:33:in `<main>'");
}

/* loguru's serialize=True: the formatted text, traceback and all, beside
 * the record's parts */
static void test_loguru_serialized(void **state)
{
	struct rules_fixture *f = *state;
	static const char text[] =
	    "2026-12-02 00:36:33.742 | ERROR    | __main__:<lambda>:68 - reservation of "
	    "1x failed\n"
	    "Traceback (most recent call last):\n"
	    "\n"
	    "  File \"/srv/app/jobs.py\", line 23, in handle\n"
	    "    reserve(sku)\n"
	    "\n"
	    "  File \"/srv/app/jobs.py\", line 18, in reserve\n"
	    "    raise StockError(\"cannot reserve 1x\")\n"
	    "\n"
	    "StockError: cannot reserve 1x";
	json_t *rec = json_pack(
	    "{s:s, s:{s:{s:s, s:s, s:b}, s:{s:s, s:i}, s:s}}", "text", text, "record",
	    "exception", "type", "StockError", "value", "cannot reserve 1x", "traceback",
	    1, "level", "name", "ERROR", "no", 40, "message", "reservation of 1x failed");
	char *line = json_dumps(rec, JSON_COMPACT);

	check_parts_twin(f->rules, line, text);
	free(line);
	json_decref(rec);
}

/* semantic_logger: an exception object whose stack is strings */
static void test_parts_semantic_logger(void **state)
{
	struct rules_fixture *f = *state;

	check_parts_twin(
	    f->rules,
	    "{\"level\":\"error\",\"message\":\"sync failed\",\"exception\":{\"name\":"
	    "\"Sync::RowError\",\"message\":\"row 7 unreadable\",\"stack_trace\":["
	    "\"app.rb:16:in `read_row'\",\"app.rb:40:in `<main>'\"]}}",
	    "app.rb:16:in `read_row': row 7 unreadable (Sync::RowError)\n"
	    "\tfrom app.rb:40:in `<main>'");
}

/* structlog's dict_tracebacks: the raised exception first, frames as
 * objects in Python's order */
static void test_parts_structlog(void **state)
{
	struct rules_fixture *f = *state;

	check_parts_twin(
	    f->rules,
	    "{\"event\":\"job failed\",\"level\":\"error\",\"exception\":[{\"exc_type\":"
	    "\"ValueError\",\"exc_value\":\"bad row 7\",\"syntax_error\":null,"
	    "\"is_cause\":false,\"frames\":[{\"filename\":\"/srv/app/jobs.py\","
	    "\"lineno\":12,\"name\":\"run\",\"line\":\"\",\"locals\":null},{"
	    "\"filename\":\"/usr/lib/python3.11/json/decoder.py\",\"lineno\":337,"
	    "\"name\":\"decode\"},{\"filename\":\"/srv/app/rows.py\",\"lineno\":3,"
	    "\"name\":\"parse\"}]}]}",
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/jobs.py\", line 12, in run\n"
	    "    parse(r)\n"
	    "  File \"/usr/lib/python3.11/json/decoder.py\", line 337, in decode\n"
	    "    obj, end = self.raw_decode(s, idx=_w(s, 0).end())\n"
	    "  File \"/srv/app/rows.py\", line 3, in parse\n"
	    "    raise ValueError(\"bad row 7\")\n"
	    "ValueError: bad row 7");
}

/* log4j2 JsonLayout: "thrown" with extendedStackTrace objects */
static void test_parts_log4j2(void **state)
{
	struct rules_fixture *f = *state;

	check_parts_twin(
	    f->rules,
	    "{\"instant\":{\"epochSecond\":1796119200,\"nanoOfSecond\":0},\"thread\":"
	    "\"main\",\"level\":\"ERROR\",\"loggerName\":\"com.example.App\","
	    "\"message\":\"order failed\",\"thrown\":{\"commonElementCount\":0,"
	    "\"localizedMessage\":\"no stock for 7\",\"message\":\"no stock for 7\","
	    "\"name\":\"com.example.StockException\",\"extendedStackTrace\":[{"
	    "\"class\":\"com.example.Stock\",\"method\":\"take\",\"file\":\"Stock.java\","
	    "\"line\":42,\"exact\":false,\"location\":\"classes/\",\"version\":\"?\"},{"
	    "\"class\":\"java.util.ArrayList\",\"method\":\"forEach\",\"file\":"
	    "\"ArrayList.java\",\"line\":1596},{\"class\":\"com.example.App\","
	    "\"method\":\"main\",\"file\":\"App.java\",\"line\":9}]}}",
	    "com.example.StockException: no stock for 7\n"
	    "\tat com.example.Stock.take(Stock.java:42)\n"
	    "\tat java.util.ArrayList.forEach(ArrayList.java:1596)\n"
	    "\tat com.example.App.main(App.java:9)");
}

/* frames as Node.js prints them, in an error object without a header */
static void test_parts_node_frames(void **state)
{
	struct rules_fixture *f = *state;

	check_parts_twin(f->rules,
			 "{\"level\":50,\"msg\":\"job failed\",\"err\":{\"type\":"
			 "\"TypeError\",\"message\":\"x.run is not a function\","
			 "\"frames\":[\"at runJob (/app/src/job.js:3:7)\",\"at "
			 "process.processTicksAndRejections (node:internal/process/"
			 "task_queues:95:5)\"]}}",
			 "TypeError: x.run is not a function\n"
			 "    at runJob (/app/src/job.js:3:7)\n"
			 "    at process.processTicksAndRejections "
			 "(node:internal/process/task_queues:95:5)");
}

/* Monolog's JsonFormatter: context.exception, its file and trace as
 * "file:line", the level a number */
static void test_parts_monolog(void **state)
{
	struct rules_fixture *f = *state;
	struct qe_event *ev = json_event(
	    f->rules,
	    "{\"message\":\"sku check failed for 1x\",\"context\":{\"exception\":{"
	    "\"class\":\"Shop\\\\LengthException\",\"message\":\"sku 1x too "
	    "short\",\"code\":0,\"file\":\"/srv/shop/src/Sku.php:39\",\"trace\":["
	    "\"/srv/shop/vendor/lib/Check.php:12\",\"/srv/shop/index.php:61\"]}},"
	    "\"level\":400,\"level_name\":\"ERROR\",\"channel\":\"shop\","
	    "\"datetime\":\"2026-12-01T18:46:25.250681+00:00\",\"extra\":{}}");
	assert_non_null(ev);
	assert_string_equal(ev->kind, "php");
	assert_string_equal(ev->type, "Shop\\LengthException");
	assert_string_equal(ev->message, "sku 1x too short");
	assert_int_equal(ev->severity, QE_SEV_ERROR);
	assert_int_equal(ev->nr_frames, 3);
	assert_string_equal(ev->frames[0].file, "/srv/shop/src/Sku.php");
	assert_int_equal(ev->frames[0].line, 39);
	assert_false(ev->frames[1].in_app); /* vendor/ */
	assert_int_equal(ev->frames[2].line, 61);
	assert_int_equal(ev->nr_lines, 4);
	assert_string_equal(ev->lines[0], "sku check failed for 1x");
	assert_string_equal(ev->lines[1], "\t/srv/shop/src/Sku.php:39");
	qe_event_free(ev);
}

/* A warning that carries its exception is the exception, as one with an
 * exception text is. */
static void test_parts_warning(void **state)
{
	struct rules_fixture *f = *state;
	struct qe_event *ev;

	ev =
	    json_event(f->rules, "{\"level\":\"warn\",\"message\":\"retrying\",\"error\":"
				 "\"Net::ReadTimeout\",\"backtrace\":[\"app.rb:3:in "
				 "`fetch'\"]}");
	assert_non_null(ev);
	assert_string_equal(ev->kind, "ruby");
	assert_string_equal(ev->type, "Net::ReadTimeout");
	assert_string_equal(ev->message, "retrying");
	qe_event_free(ev);
}

/* No class: an error message is none, a lower-case word neither. */
static void test_parts_not_a_class(void **state)
{
	struct rules_fixture *f = *state;
	struct qe_event *ev;

	ev = json_event(f->rules,
			"{\"level\":\"error\",\"msg\":\"request failed\","
			"\"error\":\"connection refused\",\"stack\":[\"app.rb:3:in "
			"`fetch'\"]}");
	assert_non_null(ev);
	assert_string_equal(ev->kind, "line");
	assert_null(ev->type);
	qe_event_free(ev);
	ev = json_event(f->rules,
			"{\"level\":\"error\",\"msg\":\"bad input\",\"error\":{\"type\":"
			"\"validation\",\"frames\":[{\"file\":\"a.py\",\"line\":3}]}}");
	assert_non_null(ev);
	assert_string_equal(ev->kind, "line"); /* error.type, as before; no trace */
	assert_int_equal(ev->nr_frames, 0);
	qe_event_free(ev);
	/* frames of no syntax known: the record stays one line, typed */
	ev =
	    json_event(f->rules, "{\"level\":\"error\",\"msg\":\"failed\",\"exception\":{"
				 "\"class\":\"BadThing\",\"trace\":[\"somewhere\"]}}");
	assert_non_null(ev);
	assert_string_equal(ev->kind, "line");
	assert_string_equal(ev->type, "BadThing");
	assert_int_equal(ev->nr_frames, 0);
	qe_event_free(ev);
	/* an info record without an exception is no event */
	assert_null(json_event(f->rules, "{\"level\":\"info\",\"msg\":\"synced\","
					 "\"error\":\"SyncError\"}"));
}

/* pino-pretty forced to colour and not: the same text once decoded. */
static void test_ansi_twin(void **state)
{
	char *col = slurp(FORMATS_DIR "/ansi-pino-pretty.log", NULL);
	char *plain = slurp(FORMATS_DIR "/ansi-pino-pretty.plain", NULL);
	struct got *a = qe_xcalloc(1, sizeof(*a)), *b = qe_xcalloc(1, sizeof(*b));
	struct qe_decoder *da, *db;
	size_t i;

	assert_non_null(col);
	assert_non_null(plain);
	assert_non_null(strchr(col, 0x1b));
	da = dec(QE_FMT_TEXT, a);
	db = dec(QE_FMT_TEXT, b);
	feed_text(da, col);
	feed_text(db, plain);
	assert_int_equal(a->nl, b->nl);
	assert_true(qe_decoder_stats(da)->ansi_lines > 0);
	for (i = 0; i < a->nl; i++)
		assert_string_equal(a->l[i].text, b->l[i].text);
	qe_decoder_free(da);
	qe_decoder_free(db);
	got_release(a);
	got_release(b);
	free(a);
	free(b);
	free(col);
	free(plain);
}

/* logr's funcr: info records carry their V-level as "level" (0, 1: no
 * syslog severity), error records no level but "error"; Kubernetes'
 * JSON format writes "err" and no level.  A record with a level of its
 * own keeps it; an empty or null error is none. */
static void test_json_error_without_level(void **state)
{
	struct got g;
	struct qe_decoder *d = dec(QE_FMT_JSON, &g);
	static const char *const quick[] = {
	    "{\"logger\":\"\",\"level\":0,\"msg\":\"vessel arriving\"}",
	    "{\"logger\":\"a/b\",\"level\":1,\"msg\":\"lookup\",\"tries\":2}",
	};
	size_t i;
	(void)state;
	feed_text(d, "{\"logger\":\"\",\"level\":0,\"msg\":\"vessel arriving\"}\n"
		     "{\"logger\":\"\",\"level\":1,\"msg\":\"lookup\"}\n"
		     "{\"logger\":\"\",\"msg\":\"docking failed\",\"error\":\"berth 1x: "
		     "invalid syntax\",\"vessel\":\"1x\"}\n"
		     "{\"ts\":1796119200.5,\"caller\":\"main.go:9\",\"msg\":\"sync "
		     "failed\",\"err\":\"timeout\"}\n"
		     "{\"msg\":\"fine\",\"error\":\"\"}\n"
		     "{\"msg\":\"fine\",\"error\":null}\n"
		     "{\"level\":\"info\",\"msg\":\"retried\",\"error\":\"timeout\"}\n"
		     "{\"level\":0,\"msg\":\"kernel panic\"}\n");
	assert_int_equal(g.nr, 8);
	assert_int_equal(g.r[0].level, QE_SEV_INFO);
	assert_int_equal(g.r[0].parsed, 0); /* the quick path */
	assert_int_equal(g.r[1].level, QE_SEV_DEBUG);
	assert_int_equal(g.r[2].level, QE_SEV_ERROR);
	assert_string_equal(g.r[2].text, "docking failed: berth 1x: invalid syntax");
	assert_int_equal(g.r[3].level, QE_SEV_ERROR);
	assert_string_equal(g.r[3].text, "sync failed: timeout");
	assert_int_equal(g.r[4].level, -1);
	assert_int_equal(g.r[5].level, -1);
	assert_int_equal(g.r[6].level, QE_SEV_INFO);
	assert_int_equal(g.r[7].level, QE_SEV_FATAL); /* syslog's 0 */
	for (i = 0; i < QE_ARRAY_SIZE(quick); i++)
		assert_true(qe_decoder_quick_line(d, quick[i], strlen(quick[i])));
	qe_decoder_free(d);
	got_release(&g);
}

/* java.util.logging's XMLFormatter through a text source: the head and
 * tail are text, each record one record from "<record>" to "</record>",
 * its throwable a Java trace that groups with the same one printed by
 * SimpleFormatter. */
static const char jul_doc[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
    "<!DOCTYPE log SYSTEM \"logger.dtd\">\n"
    "<log>\n"
    "<record>\n"
    "  <date>2026-12-01T10:00:00.5Z</date>\n"
    "  <millis>1796119200500</millis>\n"
    "  <nanos>0</nanos>\n"
    "  <sequence>0</sequence>\n"
    "  <logger>shop.orders</logger>\n"
    "  <level>INFO</level>\n"
    "  <class>Orders</class>\n"
    "  <method>main</method>\n"
    "  <thread>1</thread>\n"
    "  <message>order 7 accepted</message>\n"
    "</record>\n"
    "<record>\n"
    "  <date>2026-12-01T10:00:01Z</date>\n"
    "  <millis>1796119201000</millis>\n"
    "  <nanos>0</nanos>\n"
    "  <sequence>1</sequence>\n"
    "  <logger>shop.orders</logger>\n"
    "  <level>SEVERE</level>\n"
    "  <class>Orders</class>\n"
    "  <method>main</method>\n"
    "  <thread>1</thread>\n"
    "  <message>order 7 &amp; 8\n"
    "stopped</message>\n"
    "  <exception>\n"
    "    <message>Orders$StockException: no stock for &lt;7&gt;</message>\n"
    "    <frame>\n"
    "      <class>Orders</class>\n"
    "      <method>take</method>\n"
    "      <line>12</line>\n"
    "    </frame>\n"
    "    <frame>\n"
    "      <class>java.util.ArrayList</class>\n"
    "      <method>forEach</method>\n"
    "      <line>1596</line>\n"
    "    </frame>\n"
    "    <frame>\n"
    "      <class>Orders</class>\n"
    "      <method>main</method>\n"
    "      <line>30</line>\n"
    "    </frame>\n"
    "  </exception>\n"
    "</record>\n"
    "</log>\n";

static void test_jul_xml(void **state)
{
	struct rules_fixture *f = *state;
	struct pipeline p;
	struct qe_decode_opts o;
	struct qe_decode_cb cb = {pl_line, pl_record};
	struct qe_decoder *d;
	struct qe_event *text;
	struct got g;
	size_t i;

	d = dec(QE_FMT_AUTO, &g);
	feed_text(d, jul_doc);
	assert_string_equal(g.order, "lllrrl");
	assert_string_equal(g.l[2].text, "<log>");
	assert_string_equal(g.l[3].text, "</log>");
	assert_int_equal(g.r[0].level, QE_SEV_INFO);
	assert_string_equal(g.r[0].message, "order 7 accepted");
	assert_int_equal(g.r[1].level, QE_SEV_ERROR);
	assert_string_equal(g.r[1].message, "order 7 & 8\nstopped");
	assert_string_equal(g.r[1].type, "Orders$StockException");
	assert_string_equal(g.r[1].logger, "shop.orders");
	assert_string_equal(g.r[1].text,
			    "order 7 & 8: Orders$StockException: no stock for <7>");
	assert_true(g.r[1].time_ms == 1796119201000LL);
	assert_int_equal(g.r[1].start,
			 strstr(jul_doc, "<record>\n  <date>2026-12-01T10:00:01") -
			     jul_doc);
	assert_int_equal(g.r[1].end, strstr(jul_doc, "</log>") - jul_doc);
	qe_decoder_free(d);
	got_release(&g);

	/* the events: the SEVERE record's alone, a Java trace */
	memset(&p, 0, sizeof(p));
	p.rules = f->rules;
	memset(&o, 0, sizeof(o));
	d = qe_decoder_new(&o, &cb, &p);
	assert_non_null(d);
	feed_text(d, jul_doc);
	qe_decoder_free(d);
	for (i = 0; i < p.nkeys; i++) {
		qe_assembler_flush(p.asm_[i]);
		qe_assembler_free(p.asm_[i]);
	}
	assert_int_equal(p.nev, 1);
	assert_string_equal(p.ev[0]->kind, "java");
	assert_string_equal(p.ev[0]->type, "Orders$StockException");
	assert_string_equal(p.ev[0]->message, "no stock for <7>");
	assert_int_equal(p.ev[0]->nr_frames, 3);
	assert_false(p.ev[0]->frames[1].in_app);
	text = text_trace(
	    f->rules, "Dec 01, 2026 10:00:01 AM Orders main\n"
		      "SEVERE: order 7 stopped\n"
		      "Orders$StockException: no stock for <8>\n"
		      "\tat Orders.take(Orders.java:12)\n"
		      "\tat java.base/java.util.ArrayList.forEach(ArrayList.java:1596)\n"
		      "\tat Orders.main(Orders.java:30)\n");
	assert_string_equal(text->fingerprint, p.ev[0]->fingerprint);
	qe_event_free(text);
	qe_event_free(p.ev[0]);
}

/* Records given up: one still open at the flush, one cut short by the
 * next "<record>", one over the byte cap; their lines come out as the
 * text they are, in order, and a line of another stream is not the
 * record's.  Behind kubectl's time the record is read all the same. */
static void test_jul_xml_given_up(void **state)
{
	struct got g;
	struct qe_decoder *d;
	struct qe_decode_opts o;
	uint64_t start;
	(void)state;

	d = dec(QE_FMT_TEXT, &g);
	qe_decoder_feed(d, "<record>", 8, 0, 9);
	qe_decoder_feed(d, "  <level>SEVERE</level>", 23, 9, 33);
	assert_true(qe_decoder_pending(d, &start));
	assert_int_equal(start, 0);
	assert_int_equal(g.nl, 0);
	qe_decoder_flush(d);
	assert_false(qe_decoder_pending(d, NULL));
	assert_string_equal(g.order, "ll");
	assert_string_equal(g.l[1].text, "  <level>SEVERE</level>");
	assert_int_equal(g.l[1].start, 9);
	qe_decoder_free(d);
	got_release(&g);

	d = dec(QE_FMT_TEXT, &g);
	feed_text(d,
		  "<record>\n  <level>SEVERE</level>\n<record>\n  <level>INFO</level>\n"
		  "</record>\n");
	assert_string_equal(g.order, "llr");
	assert_int_equal(g.r[0].level, QE_SEV_INFO);
	assert_int_equal(g.r[0].start, 33);
	qe_decoder_free(d);
	got_release(&g);

	memset(&o, 0, sizeof(o));
	o.format = QE_FMT_TEXT;
	o.max_line_bytes = 40;
	memset(&g, 0, sizeof(g));
	d = qe_decoder_new(&o, &cbs, &g);
	assert_non_null(d);
	feed_text(d, "<record>\n  <level>SEVERE</level>\n  <message>x</message>\n"
		     "</record>\nafter\n");
	assert_string_equal(g.order, "lllll");
	assert_string_equal(g.l[2].text, "  <message>x</message>");
	qe_decoder_free(d);
	got_release(&g);

	d = dec(QE_FMT_AUTO, &g);
	feed_text(d, "2026-12-01T10:00:00Z starting\n"
		     "2026-12-01T10:00:01Z <record>\n"
		     "2026-12-01T10:00:01Z   <level>WARNING</level>\n"
		     "2026-12-01T10:00:01Z   <message>slow</message>\n"
		     "2026-12-01T10:00:01Z </record>\n");
	assert_string_equal(g.order, "lr");
	assert_int_equal(g.r[0].level, QE_SEV_WARNING);
	assert_string_equal(g.r[0].message, "slow");
	assert_true(g.r[0].time_ms == 1796119201000LL);
	qe_decoder_free(d);
	got_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ansi),
	    cmocka_unit_test(test_iso_and_levels),
	    cmocka_unit_test(test_format_names),
	    cmocka_unit_test(test_k8s_paths),
	    cmocka_unit_test(test_cri_partials),
	    cmocka_unit_test(test_cri_cap),
	    cmocka_unit_test(test_docker),
	    cmocka_unit_test(test_docker_json_inside),
	    cmocka_unit_test(test_syslog),
	    cmocka_unit_test(test_text_prefixes),
	    cmocka_unit_test(test_json_mixed),
	    cmocka_unit_test(test_json_documented),
	    cmocka_unit_test(test_json_nested_level),
	    cmocka_unit_test(test_json_quick_below),
	    cmocka_unit_test(test_json_field_mapping),
	    cmocka_unit_test(test_from_config),
	    cmocka_unit_test(test_for_source),
	    cmocka_unit_test(test_feed_meta),
	    cmocka_unit_test(test_prefixed_json),
	    cmocka_unit_test(test_feed_meta_json),
	    cmocka_unit_test_setup_teardown(test_record_event, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_corpus, rules_setup, rules_teardown),
	    cmocka_unit_test_setup_teardown(test_twins, rules_setup, rules_teardown),
	    cmocka_unit_test_setup_teardown(test_line_layouts, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_parts_ruby_logger, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_tracing_fmt, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_parts_logging_gem, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_loguru_serialized, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_parts_semantic_logger, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_parts_structlog, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_parts_log4j2, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_parts_node_frames, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_parts_monolog, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_parts_warning, rules_setup,
					    rules_teardown),
	    cmocka_unit_test_setup_teardown(test_parts_not_a_class, rules_setup,
					    rules_teardown),
	    cmocka_unit_test(test_ansi_twin),
	    cmocka_unit_test(test_json_error_without_level),
	    cmocka_unit_test_setup_teardown(test_jul_xml, rules_setup, rules_teardown),
	    cmocka_unit_test(test_jul_xml_given_up),
	};
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
