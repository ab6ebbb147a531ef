/* Unit tests: templates learnt from the stream (learn.c), grouping rules
 * (grouping.c), fingerprint stages, and the templates table of the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "event.h"
#include "fingerprint.h"
#include "grouping.h"
#include "learn.h"
#include "store.h"
#include "util.h"

/* The fingerprint a line gets from g (NULL: mask alone), and its stage. */
static enum qe_fp_stage fp_of(struct qe_grouping *g, const char *line, char out[17])
{
	struct qe_event *ev = qe_event_new("line", "line");
	struct qe_fp_info info;
	enum qe_fp_stage st;

	free(ev->message);
	ev->message = qe_xstrdup(line);
	qe_event_add_line(ev, line, strlen(line));
	qe_fingerprint_with(ev, g, "app.log", &info);
	memcpy(out, ev->fingerprint, 17);
	st = info.stage;
	qe_fp_info_release(&info);
	qe_event_free(ev);
	return st;
}

static struct qe_grouping *grouping_from(const char *yaml)
{
	struct qe_config c;
	struct qe_grouping *g;

	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "test.yaml", yaml), 0);
	g = qe_grouping_new(&c);
	qe_config_release(&c);
	return g;
}

/* The tests of the mechanism ask for three words; the default is below. */
#define THREE "grouping:\n  learn: true\n  distinct_words: 3\n"

static void test_word_slot_becomes_variable(void **state)
{
	struct qe_grouping *g = grouping_from(THREE);
	char a[17], b[17], c[17], b2[17], mask_b[17], other[17];

	(void)state;
	assert_non_null(g);
	assert_int_equal(
	    fp_of(g, "Failed password for root from 10.0.0.1 port 22 ssh2", a),
	    QE_FP_STAGE_MASK);
	/* two words in a slot are two messages, so far */
	assert_int_equal(
	    fp_of(g, "Failed password for git from 10.0.0.2 port 23 ssh2", b),
	    QE_FP_STAGE_MASK);
	assert_string_not_equal(a, b);
	/* the same line again matches as before (and is remembered so) */
	assert_int_equal(
	    fp_of(g, "Failed password for git from 10.0.0.2 port 23 ssh2", b2),
	    QE_FP_STAGE_MASK);
	assert_string_equal(b, b2);
	/* the third makes it a variable; the first line's fingerprint is the
	 * group's, for good, also for the line remembered above */
	assert_int_equal(
	    fp_of(g, "Failed password for mysql from 10.0.0.3 port 24 ssh2", c),
	    QE_FP_STAGE_LEARNT);
	assert_string_equal(a, c);
	assert_int_equal(
	    fp_of(g, "Failed password for git from 10.0.0.9 port 29 ssh2", b2),
	    QE_FP_STAGE_LEARNT);
	assert_string_equal(a, b2);
	fp_of(NULL, "Failed password for git from 10.0.0.2 port 23 ssh2", mask_b);
	assert_string_not_equal(a, mask_b);
	/* another message is not swallowed */
	fp_of(g, "Accepted publickey for root from 10.0.0.1 port 22 ssh2", other);
	assert_string_not_equal(a, other);
	qe_grouping_free(g);
}

/* Two words that alternate in one slot, however often, stay two groups;
 * nor does a line one slot shorter join across a word. */
static void test_two_words_stay_apart(void **state)
{
	struct qe_grouping *g = grouping_from("grouping:\n  learn: true\n");
	char x[17], y[17], fp[17];
	int i;

	(void)state;
	fp_of(g, "cache entry 7 stored as bytes in memory", x);
	fp_of(g, "cache entry 8 stored as values in memory", y);
	assert_string_not_equal(x, y);
	for (i = 0; i < 20; i++) {
		char line[80];
		snprintf(line, sizeof(line), "cache entry %d stored as %s in memory",
			 10 + i, i % 2 ? "values" : "bytes");
		fp_of(g, line, fp);
		assert_string_equal(fp, i % 2 ? y : x);
	}
	fp_of(g, "slow start threshold not met after 12 maps", x);
	fp_of(g, "slow start threshold reached after maps", y);
	assert_string_not_equal(x, y);
	qe_grouping_free(g);
}

/* A value written in a varying number of tokens (a size restated or not,
 * a span as "<1 sec" or "02:19", a program with a tag) is one slot, so
 * the lines join one template; a protocol in capitals stays a word. */
static void test_values_of_varying_length(void **state)
{
	struct qe_grouping *g = grouping_from("grouping:\n  learn: true\n");
	char a[17], fp[17], h[17], s5[17];
	static const char *const closes[] = {
	    "[10.30 16:49:07] chrome.exe - a.example.org:443 close, 403 bytes sent, "
	    "426 bytes received, lifetime <1 sec",
	    "[10.30 16:49:08] chrome.exe - b.example.org:443 close, 1190 bytes (1.16 KB) "
	    "sent, 1671 bytes (1.63 KB) received, lifetime 00:02",
	    "[10.30 16:51:56] svchost.exe *64 - c.example.org:80 close, 303 bytes sent, "
	    "275 bytes received, lifetime 01:07:37",
	    "[07.26 13:30:39] chrome.exe *64 - www.example.com:80 close, 6719 bytes "
	    "(6.56 KB) sent, 644545 bytes (629 KB) received, lifetime 00:05"};
	size_t k;

	(void)state;
	fp_of(g, closes[0], a);
	for (k = 1; k < QE_ARRAY_SIZE(closes); k++) {
		fp_of(g, closes[k], fp);
		assert_string_equal(fp, a);
	}
	fp_of(g,
	      "[10.30 17:02:16] putty.exe - 10.0.0.8:22 open through proxy "
	      "socks.example.org:1080 HTTPS",
	      h);
	fp_of(g,
	      "[10.30 17:02:17] putty.exe - 10.0.0.9:22 open through proxy "
	      "socks.example.org:1080 SOCKS5",
	      s5);
	assert_string_not_equal(h, s5);
	assert_string_not_equal(h, a);
	qe_grouping_free(g);
}

/* A name at the start of the line (a program, a host) is a slot like
 * any other once three were seen with all else equal (two when they
 * are shaped like names); a short line says too little, and two first
 * words stay two messages. */
static void test_name_at_start(void **state)
{
	struct qe_grouping *g = grouping_from(THREE);
	char a[17], b[17], c[17], k1[17], k2[17], k3[17], ok[17], bad[17];

	(void)state;
	fp_of(g, "chrome - 10.0.0.1 open through proxy 10.0.0.9 HTTPS", a);
	fp_of(g, "dropbox - 10.0.0.2 open through proxy 10.0.0.9 HTTPS", b);
	assert_string_not_equal(a, b);
	assert_int_equal(
	    fp_of(g, "skype - 10.0.0.3 open through proxy 10.0.0.9 HTTPS", c),
	    QE_FP_STAGE_LEARNT);
	assert_string_equal(a, c);
	fp_of(g, "dropbox - 10.0.0.4 open through proxy 10.0.0.9 HTTPS", b);
	assert_string_equal(a, b);
	fp_of(g, "chrome.exe: update check failed on channel stable", a);
	assert_int_equal(fp_of(g, "skype.exe: update check failed on channel stable", c),
			 QE_FP_STAGE_LEARNT);
	assert_string_equal(a, c);
	fp_of(g, "tickTime set to 2000", k1);
	fp_of(g, "maxSessionTimeout set to 40", k2);
	fp_of(g, "minSessionTimeout set to 4", k3);
	assert_string_not_equal(k1, k2);
	assert_string_not_equal(k2, k3);
	fp_of(g, "Accepted password for root from 10.0.0.1 port 22 ssh2", ok);
	fp_of(g, "Failed password for root from 10.0.0.1 port 22 ssh2", bad);
	assert_string_not_equal(ok, bad);
	qe_grouping_free(g);
}

/* The siblings survive a save and a load, and a third word seen later
 * folds them: the one seen first keeps its id, the other is retired. */
static void test_siblings_through_export(void **state)
{
	struct qe_learn *a = qe_learn_new(0, 0, 0), *b = qe_learn_new(0, 0, 0);
	struct qe_learnt t;
	char id[17];

	(void)state;
	qe_learn_set_distinct(a, 3);
	qe_learn_set_distinct(b, 3);
	memset(&t, 0, sizeof(t));
	t.type = "";
	t.id = "1111111111111111";
	t.tmpl = "queue orders paused by operator";
	t.first_seen = 10;
	assert_int_equal(qe_learn_import(b, &t), 0);
	t.id = "2222222222222222";
	t.tmpl = "queue orders resumed by operator";
	t.first_seen = 11;
	assert_int_equal(qe_learn_import(b, &t), 0);
	qe_learn_match(b, "", "queue orders resumed by operator", "2222222222222222", 12,
		       id, NULL);
	assert_string_equal(id, "2222222222222222");
	qe_learn_match(b, "", "queue orders drained by operator", "3333333333333333", 13,
		       id, NULL);
	assert_string_equal(id, "1111111111111111");
	qe_learn_match(b, "", "queue orders resumed by operator", "2222222222222222", 14,
		       id, NULL);
	assert_string_equal(id, "1111111111111111");
	{
		struct qe_learn_stats st;
		qe_learn_stats(b, &st);
		assert_int_equal(st.templates, 1);
		assert_int_equal(st.merged, 1);
	}
	qe_learn_free(a);
	qe_learn_free(b);
}

static void test_deterministic(void **state)
{
	static const char *const lines[] = {
	    "job alpha finished in 12 ms",
	    "job beta finished in 13 ms",
	    "queue orders is full",
	    "queue billing is full",
	    "worker w1 lost connection to db1",
	    "worker w2 lost connection to db2",
	};
	struct qe_grouping *g1 = grouping_from("grouping:\n  learn: true\n");
	struct qe_grouping *g2 = grouping_from("grouping:\n  learn: true\n");
	size_t i;

	(void)state;
	for (i = 0; i < QE_ARRAY_SIZE(lines); i++) {
		char x[17], y[17];
		fp_of(g1, lines[i], x);
		fp_of(g2, lines[i], y);
		assert_string_equal(x, y);
	}
	qe_grouping_free(g1);
	qe_grouping_free(g2);
}

static void test_empty_slot(void **state)
{
	struct qe_learn *l = qe_learn_new(0, 0, 0);
	struct qe_buf t = QE_BUF_INIT;
	char id[17];

	(void)state;
	assert_int_equal(qe_learn_match(l, "", "connect from <IP> refused by policy rule",
					"1111111111111111", 1, id, NULL),
			 1);
	assert_string_equal(id, "1111111111111111");
	/* the same message with nothing in the address slot */
	assert_int_equal(qe_learn_match(l, "", "connect from refused by policy rule",
					"2222222222222222", 2, id, &t),
			 1);
	assert_string_equal(id, "1111111111111111");
	assert_string_equal(t.buf, "connect from <?> refused by policy rule");
	/* and with a host name or an address again */
	assert_int_equal(qe_learn_match(l, "", "connect from <IP> refused by policy rule",
					"1111111111111111", 3, id, NULL),
			 1);
	assert_string_equal(id, "1111111111111111");
	/* a different type is a different error */
	qe_learn_match(l, "IOError", "connect from <IP> refused by policy rule",
		       "3333333333333333", 4, id, NULL);
	assert_string_equal(id, "3333333333333333");
	qe_buf_release(&t);
	qe_learn_free(l);
}

/* The mask's output, matched: the id of the template it joins. */
static void joins(struct qe_learn *l, const char *masked, const char *id, long long now,
		  const char *want)
{
	char got[17];

	assert_int_equal(qe_learn_match(l, "", masked, id, now, got, NULL), 1);
	if (strcmp(got, want))
		fail_msg("'%s' joins %s, not %s", masked, got, want);
}

/* Values under other keys or between other words are other fields. */
static void test_values_under_other_words(void **state)
{
	struct qe_learn *l = qe_learn_new(0, 0, 0);

	(void)state;
	joins(l, "session opened for user <ID> by (uid=<NUM>)", "1111111111111111", 1,
	      "1111111111111111");
	joins(l, "session opened for user <ID> by LOGIN(uid=<NUM>)", "2222222222222222",
	      2, "2222222222222222");
	joins(l, "session opened for user <ID> by (uid=<ID>)", "3333333333333333", 3,
	      "1111111111111111");
	qe_learn_free(l);
}

/* A word meets a value in a slot only where it has the text around it. */
static void test_word_against_value(void **state)
{
	struct qe_learn *l = qe_learn_new(0, 0, 0);

	(void)state;
	joins(l, "PollersOpen(<NUM>) <NUM>", "1111111111111111", 1, "1111111111111111");
	joins(l, "onStepChanged <NUM>", "2222222222222222", 2, "2222222222222222");
	joins(l, "chdir(<PATH>) failed: No such file", "3333333333333333", 3,
	      "3333333333333333");
	joins(l, "chdir(pwd) failed: No such file", "4444444444444444", 4,
	      "3333333333333333");
	qe_learn_free(l);
}

/* A key without its value ("rhost=") says the value is absent. */
static void test_key_without_value(void **state)
{
	struct qe_learn *l = qe_learn_new(0, 0, 0);

	(void)state;
	joins(l, "auth failure; uid=<NUM> tty=ssh ruser= rhost=<IP>", "1111111111111111",
	      1, "1111111111111111");
	joins(l, "auth failure; uid=<NUM> tty=ssh ruser= rhost=", "2222222222222222", 2,
	      "2222222222222222");
	/* a value of another shape under the same key is the same slot */
	joins(l, "auth failure; uid=<NUM> tty=ssh ruser= rhost=<ID>", "3333333333333333",
	      3, "1111111111111111");
	qe_learn_free(l);
}

/* A mark printed where a program has no value ("****") is no value. */
static void test_mark_for_value(void **state)
{
	struct qe_learn *l = qe_learn_new(0, 0, 0);

	(void)state;
	joins(l, "Fan speeds ( <NUM> <NUM> **** <NUM> )", "1111111111111111", 1,
	      "1111111111111111");
	joins(l, "Fan speeds ( <NUM> <NUM> <NUM> <NUM> )", "2222222222222222", 2,
	      "2222222222222222");
	joins(l, "Fan speeds ( <NUM> <NUM> **** <NUM> )", "3333333333333333", 3,
	      "1111111111111111");
	joins(l, "Fan speeds ( <NUM> <HEX> <NUM> <NUM> )", "4444444444444444", 4,
	      "2222222222222222");
	qe_learn_free(l);
}

/* One slot: an address, a bare host name, nothing, a DNS name, an id. */
static void test_ip_host_nothing(void **state)
{
	static const char *const lines[] = {
	    "upstream 10.0.0.5 unreachable for pool main",
	    "upstream db-primary unreachable for pool main",
	    "upstream unreachable for pool main",
	    "upstream db.example.com unreachable for pool main",
	    "upstream node7 unreachable for pool main",
	};
	struct qe_grouping *g = grouping_from("grouping:\n  learn: true\n");
	char first[17], fp[17];
	size_t i;

	(void)state;
	fp_of(g, lines[0], first);
	for (i = 1; i < QE_ARRAY_SIZE(lines); i++) {
		fp_of(g, lines[i], fp);
		if (strcmp(fp, first))
			fail_msg("'%s' gets %s, not %s", lines[i], fp, first);
	}
	/* a message of the same length with other words stays apart (one
	 * word apart in six would join: that is how a word slot is learnt) */
	fp_of(g, "upstream 10.0.0.5 recovered from pool failure", fp);
	assert_string_not_equal(fp, first);
	qe_grouping_free(g);
}

static void test_caps_counted(void **state)
{
	struct qe_learn *l = qe_learn_new(16, 0, 0);
	struct qe_learn_stats st;
	char id[17], msg[64], fp[17];
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		/* 40 shapes: different first words */
		snprintf(msg, sizeof(msg), "w%c%c failed", 'a' + i % 26, 'a' + i / 26);
		snprintf(fp, sizeof(fp), "%016x", i);
		qe_learn_match(l, "", msg, fp, i, id, NULL);
		/* beyond the cap a message keeps its mask fingerprint */
		assert_string_equal(id, fp);
	}
	qe_learn_stats(l, &st);
	assert_int_equal(st.templates, 16);
	assert_int_equal(st.created, 16);
	assert_int_equal(st.dropped, 24);
	assert_true(st.bytes > 0);
	qe_learn_free(l);

	/* longer than QE_LEARN_MAX_TOKENS: not learnt, counted; empty: neither */
	l = qe_learn_new(0, 0, 0);
	{
		struct qe_buf b = QE_BUF_INIT;
		for (i = 0; i <= QE_LEARN_MAX_TOKENS; i++)
			qe_buf_addstr(&b, "word ");
		assert_int_equal(
		    qe_learn_match(l, "", b.buf, "00000000000000aa", 0, id, NULL), 0);
		assert_string_equal(id, "00000000000000aa");
		assert_int_equal(
		    qe_learn_match(l, "", "", "00000000000000bb", 0, id, NULL), 0);
		qe_buf_release(&b);
	}
	qe_learn_stats(l, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.templates, 0);
	qe_learn_free(l);
}

struct collect {
	struct qe_buf b;
	int retired;
};

static int collect(const struct qe_learnt *t, void *data)
{
	struct collect *c = data;
	if (t->retired) {
		c->retired++;
		qe_buf_addf(&c->b, "retired %s\n", t->id);
	} else {
		qe_buf_addf(&c->b, "%s|%s|%s|%lld\n", t->id, t->type, t->tmpl,
			    t->first_seen);
	}
	return 0;
}

static void test_export_import_merge(void **state)
{
	struct qe_learn *a = qe_learn_new(0, 0, 0), *b = qe_learn_new(0, 0, 0);
	struct collect c;
	struct qe_learnt t;
	char id[17];

	(void)state;
	qe_learn_set_distinct(a, 3);
	qe_learn_set_distinct(b, 3);
	memset(&c, 0, sizeof(c));
	qe_buf_init(&c.b);
	/* host a saw bob first (at time 10), host b saw carol first (at time 5) */
	qe_learn_match(a, "", "login failed for bob on console", "aaaaaaaaaaaaaaaa", 10,
		       id, NULL);
	qe_learn_match(b, "", "login failed for carol on console", "bbbbbbbbbbbbbbbb", 5,
		       id, NULL);
	qe_learn_export(b, 1, collect, &c);
	assert_string_equal(c.b.buf,
			    "bbbbbbbbbbbbbbbb||login failed for carol on console|5\n");
	/* a imports b's: one template, the earliest id wins, a's id is retired */
	memset(&t, 0, sizeof(t));
	t.id = "bbbbbbbbbbbbbbbb";
	t.type = "";
	t.tmpl = "login failed for carol on console";
	t.first_seen = 5;
	assert_int_equal(qe_learn_import(a, &t), 0);
	qe_learn_match(a, "", "login failed for dave on console", "dddddddddddddddd", 20,
		       id, NULL);
	assert_string_equal(id, "bbbbbbbbbbbbbbbb");
	qe_buf_reset(&c.b);
	qe_learn_export(a, 1, collect, &c);
	assert_string_equal(c.b.buf,
			    "bbbbbbbbbbbbbbbb||login failed for <*> on console|5\n"
			    "retired aaaaaaaaaaaaaaaa\n");
	qe_learn_clean(a);
	qe_buf_reset(&c.b);
	qe_learn_export(a, 1, collect, &c);
	assert_string_equal(c.b.buf, "");
	/* malformed records are refused */
	t.id = "nothex";
	assert_int_equal(qe_learn_import(a, &t), -1);
	qe_buf_release(&c.b);
	qe_learn_free(a);
	qe_learn_free(b);
}

struct count_rows {
	int n;
	char id[17];
};

static int count_row(const struct qe_template_row *t, void *data)
{
	struct count_rows *c = data;
	c->n++;
	snprintf(c->id, sizeof(c->id), "%s", t->id);
	return 0;
}

/* By default a slot needs five different words ("pool tank is now
 * online", "... offline", ... stay apart up to four); grouping.distinct_words
 * sets it. */
static void test_distinct_words_setting(void **state)
{
	static const char *const words[] = {"online", "offline", "degraded", "faulted",
					    "removed"};
	struct qe_grouping *g = grouping_from("grouping:\n  learn: true\n");
	char fp[5][17];
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		char line[96];
		snprintf(line, sizeof(line), "pool tank is now %s (state change)",
			 words[i]);
		fp_of(g, line, fp[i]);
	}
	for (i = 1; i < 4; i++)
		assert_string_not_equal(fp[0], fp[i]);
	assert_string_equal(fp[0], fp[4]); /* the fifth word makes it a variable */
	qe_grouping_free(g);

	g = grouping_from("grouping:\n  learn: true\n  distinct_words: 2\n");
	fp_of(g, "pool tank is now online (state change)", fp[0]);
	fp_of(g, "pool tank is now offline (state change)", fp[1]);
	assert_string_equal(fp[0], fp[1]);
	qe_grouping_free(g);
}

/* States in capitals or capitalised ("VM Started", "VM Paused", a quoted
 * "GET) are a closed set of constants: never a variable, whatever
 * distinct_words says. */
static void test_states_stay_apart(void **state)
{
	static const char *const vm[] = {"Started", "Stopped", "Paused", "Resumed"};
	static const char *const http[] = {"GET", "POST", "DELETE", "PUT"};
	struct qe_grouping *g =
	    grouping_from("grouping:\n  learn: true\n  distinct_words: 2\n");
	char fp[4][17], h[4][17];
	size_t i, j;

	(void)state;
	for (i = 0; i < 4; i++) {
		char line[128];
		snprintf(line, sizeof(line), "[instance: 7f3a] VM %s (Lifecycle Event)",
			 vm[i]);
		fp_of(g, line, fp[i]);
		snprintf(
		    line, sizeof(line),
		    "10.0.0.1 \"%s /v2/servers/detail HTTP/1.1\" status: 200 len: 1893",
		    http[i]);
		fp_of(g, line, h[i]);
	}
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++) {
			assert_string_not_equal(fp[i], fp[j]);
			assert_string_not_equal(h[i], h[j]);
		}
	qe_grouping_free(g);
}

/* A message of three or four tokens may differ in one word (the share of
 * equal positions cannot say more there); the evidence decides as in a
 * longer one: names at the second, other words at distinct_words. */
static void test_short_messages(void **state)
{
	static const char *const names[] = {"system.time.showampm", "system.charge.show",
					    "system.ownerinfo.show"};
	static const char *const words[] = {"alpha", "beta", "gamma"};
	struct qe_grouping *g = grouping_from(THREE);
	char fp[3][17], w[3][17];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		char line[64];
		snprintf(line, sizeof(line), "visible is %s", names[i]);
		fp_of(g, line, fp[i]);
		snprintf(line, sizeof(line), "removing stale %s", words[i]);
		fp_of(g, line, w[i]);
	}
	assert_string_equal(fp[0], fp[1]);
	assert_string_equal(fp[0], fp[2]);
	assert_string_not_equal(w[0], w[1]); /* two plain words: not yet */
	assert_string_equal(w[0], w[2]);     /* the third makes it a variable */
	/* two words of two differ in half: not one message */
	fp_of(g, "connection reset", w[0]);
	fp_of(g, "connection refused", w[1]);
	fp_of(g, "connection closed", w[2]);
	assert_string_not_equal(w[0], w[1]);
	assert_string_not_equal(w[0], w[2]);
	qe_grouping_free(g);
}

static void test_restart_through_store(void **state)
{
	char dir[] = "/tmp/qe-learn-XXXXXX", first[17], again[17], *cmd;
	struct qe_grouping *g;
	struct qe_store *s;
	const char *yaml = THREE;

	(void)state;
	assert_non_null(mkdtemp(dir));
	s = qe_store_open(dir, 0);
	assert_non_null(s);
	g = grouping_from(yaml);
	assert_int_equal(qe_grouping_load(g, s, NULL), 0);
	fp_of(g, "cron job backup-db failed with status 2", first);
	fp_of(g, "cron job rotate-logs failed with status 1", again);
	assert_string_not_equal(first, again); /* two names: no evidence yet */
	assert_int_equal(qe_grouping_save(g, s, NULL), 0);
	qe_grouping_free(g);
	qe_store_close(s);

	/* a new process: the third name folds the two the state kept, into
	 * the one seen first */
	s = qe_store_open(dir, 0);
	g = grouping_from(yaml);
	assert_int_equal(qe_grouping_load(g, s, NULL), 0);
	assert_int_equal(fp_of(g, "cron job sync-mail failed with status 3", again),
			 QE_FP_STAGE_LEARNT);
	assert_string_equal(first, again);

	/* another host saw the template earlier: its id wins, ours is retired
	 * and leaves the store */
	{
		struct qe_learnt t;
		struct count_rows c = {0, ""};
		memset(&t, 0, sizeof(t));
		t.id = "0000000000000001";
		t.type = "";
		t.tmpl = "cron job <*> failed with status <NUM>";
		t.first_seen = 1;
		assert_int_equal(qe_learn_import(qe_grouping_learner(g), &t), 0);
		assert_int_equal(qe_grouping_save(g, s, NULL), 0);
		assert_int_equal(qe_store_templates(s, count_row, &c), 0);
		assert_int_equal(c.n, 1);
		assert_string_equal(c.id, "0000000000000001");
		fp_of(g, "cron job fsck failed with status 4", again);
		assert_string_equal(again, "0000000000000001");
	}
	qe_grouping_free(g);
	qe_store_close(s);
	cmd = qe_xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void test_rules(void **state)
{
	struct qe_grouping *g = grouping_from("grouping:\n"
					      "  rules:\n"
					      "    - match:\n"
					      "        message: 'timed out'\n"
					      "      group: timeouts\n"
					      "    - match:\n"
					      "        message: 'quota exceeded'\n"
					      "      split_by: 'tenant=(\\w+)'\n"
					      "    - match:\n"
					      "        source: 'other\\.log$'\n"
					      "      group: never\n");
	char a[17], b[17], c[17], d[17], e[17];

	(void)state;
	assert_non_null(g);
	assert_int_equal(fp_of(g, "read from db timed out", a), QE_FP_STAGE_RULE);
	fp_of(g, "upstream call timed out after 3 retries", b);
	assert_string_equal(a, b);
	fp_of(g, "quota exceeded tenant=acme size=12", c);
	fp_of(g, "quota exceeded tenant=acme size=99", d);
	fp_of(g, "quota exceeded tenant=globex size=12", e);
	assert_string_equal(c, d);
	assert_string_not_equal(c, e);
	qe_grouping_free(g);
}

static void test_rule_errors(void **state)
{
	struct qe_config c;

	(void)state;
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "g.yaml",
					       "grouping:\n"
					       "  rules:\n"
					       "    - match:\n"
					       "        message: 'a(b'\n"
					       "      group: x\n"),
			 0);
	assert_null(qe_grouping_new(&c));
	/* the quote is at column 18; the error is at offset 3 of the pattern */
	assert_non_null(
	    strstr(qe_last_error(), "g.yaml:4:22: invalid 'message' pattern"));
	qe_config_release(&c);

	qe_config_init(&c);
	assert_int_equal(
	    qe_config_load_string(&c, "g.yaml", "grouping:\n  rules:\n    - group: x\n"),
	    -1);
	assert_non_null(
	    strstr(qe_last_error(), "g.yaml:3:7: grouping rule has no 'match'"));
	qe_config_release(&c);

	qe_config_init(&c);
	assert_int_equal(
	    qe_config_load_string(&c, "g.yaml",
				  "grouping:\n  rules:\n    - match: {type: x}\n"
				  "      gruop: y\n"),
	    -1);
	assert_non_null(strstr(qe_last_error(), "did you mean 'group'"));
	qe_config_release(&c);
}

static void test_traces_keep_frames(void **state)
{
	struct qe_grouping *g = grouping_from("grouping:\n  learn: true\n");
	struct qe_event *ev = qe_event_new("java", "java");
	struct qe_frame f = {(char *)"com.acme.Svc", (char *)"run", NULL, 12, 1};
	struct qe_fp_info info;
	char plain[17];

	(void)state;
	free(ev->message);
	ev->message = qe_xstrdup("boom for user alice");
	ev->type = qe_xstrdup("java.lang.IllegalStateException");
	qe_event_add_frame(ev, &f);
	qe_fingerprint(ev);
	memcpy(plain, ev->fingerprint, 17);
	qe_fingerprint_with(ev, g, NULL, &info);
	assert_int_equal(info.stage, QE_FP_STAGE_TRACE);
	assert_null(info.learnt);
	assert_string_equal(ev->fingerprint, plain);
	qe_fp_info_release(&info);
	qe_event_free(ev);
	qe_grouping_free(g);
}

static void test_quoted_shapes(void **state)
{
	static const char *const pairs[][2] = {
	    {"bad quantity \"abc\" in order", "bad quantity \"12 pcs\" in order"},
	    {"postcode \"1234\" rejected", "postcode \"SW1A 1AA\" rejected"},
	    {"пользователь «Иван» не найден", "пользователь «admin» не найден"},
	    {"no such user “bob”", "no such user “Mary Ann”"},
	    {"cannot load 'a.b'\nreason: user 'alice' locked",
	     "cannot load 'c.d'\nreason: user 'bob' locked"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < QE_ARRAY_SIZE(pairs); i++) {
		char a[17], b[17];
		fp_of(NULL, pairs[i][0], a);
		fp_of(NULL, pairs[i][1], b);
		assert_string_equal(a, b);
	}
}

/* One message through real producers with headers of different shapes
 * (tests/data/fingerprint/headers/make.sh): one fingerprint. */
static void test_header_shapes(void **state)
{
	static const char *const extra[] = {
	    "web-1  | 2026-01-01 10:00:01 ERROR payment gateway refused card for order "
	    "13",
	    "worker.7 2026-01-01 10:00:03 ERROR payment gateway refused card for order "
	    "16",
	    "Jan  1 10:00:02 host1 shop[123]: [ERROR] payment gateway refused card for "
	    "order 14",
	};
	FILE *f = fopen("tests/data/fingerprint/headers/headers.log", "r");
	char line[1024], first[17] = "", fp[17];
	size_t i, n = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		fp_of(NULL, line, fp);
		if (!n++)
			memcpy(first, fp, sizeof(fp));
		else if (strcmp(first, fp))
			fail_msg("'%s' gets %s, the first line %s", line, fp, first);
	}
	fclose(f);
	assert_true(n >= 9);
	for (i = 0; i < QE_ARRAY_SIZE(extra); i++) {
		fp_of(NULL, extra[i], fp);
		if (strcmp(first, fp))
			fail_msg("'%s' gets %s, not %s", extra[i], fp, first);
	}
}

/* Grouping accuracy on real dpkg output against dpkg's own fields. */
#define DPKG_MAX 1000

static double dpkg_accuracy(struct qe_grouping *g)
{
	static char fps[DPKG_MAX][17], ev[DPKG_MAX][64];
	FILE *f = fopen("tests/data/fingerprint/dpkg/dpkg.log", "r");
	char line[1024];
	size_t n = 0, i, j, good = 0;

	assert_non_null(f);
	while (n < DPKG_MAX && fgets(line, sizeof(line), f)) {
		char date[32], time[32], act[32], what[32];
		line[strcspn(line, "\n")] = '\0';
		fp_of(g, line, fps[n]);
		assert_int_equal(
		    sscanf(line, "%31s %31s %31s %31s", date, time, act, what), 4);
		if (!strcmp(act, "status") || !strcmp(act, "startup"))
			snprintf(ev[n], sizeof(ev[n]), "%s %s", act, what);
		else
			snprintf(ev[n], sizeof(ev[n]), "%s", act);
		n++;
	}
	fclose(f);
	assert_true(n == DPKG_MAX);
	for (i = 0; i < n; i++) {
		int ok = 1;
		for (j = 0; j < n && ok; j++)
			ok = !strcmp(fps[i], fps[j]) == !strcmp(ev[i], ev[j]);
		good += ok;
	}
	return (double)good / (double)n;
}

static void test_dpkg_log(void **state)
{
	struct qe_grouping *g = grouping_from("grouping:\n  learn: true\n");
	double learnt = dpkg_accuracy(g), mask = dpkg_accuracy(NULL);

	(void)state;
	if (learnt < 0.98 || mask > 0.5)
		fail_msg("dpkg.log: grouping accuracy %.4f learnt, %.4f mask alone",
			 learnt, mask);
	qe_grouping_free(g);
}

/* A small generator of messages, the same on every run. */
static uint64_t rnd_state;

static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

/* Words, values of the mask, learnt variables, states and marks, few of
 * each: messages of them meet templates they join, nearly join or tie. */
static const char *rnd_token(void)
{
	static const char *const tok[] = {
	    "open",    "close",	  "read",   "write", "file",	"socket",     "failed",
	    "user",    "alice",	  "bob",    "carol", "timeout", "error",      "in",
	    "<NUM>",   "<IP>",	  "<HEX>",  "<*>",   "<?>",	"port=<NUM>", "user=<ID>",
	    "<NUM>ms", "RUNNING", "FAILED", "--",    "id=",	"x<NUM>y",    "(<PATH>)",
	};
	return tok[rnd(QE_ARRAY_SIZE(tok))];
}

#define RND_MAX 70

/* A message: new, or one of the earlier ones with a token changed,
 * removed or added (the passes of find() for each length). */
static size_t rnd_message(const char *prev[][RND_MAX], const size_t *prev_n, size_t nprev,
			  size_t max_len, const char **out)
{
	size_t n, i, k;

	if (!nprev || rnd(4) == 0) {
		n = 1 + rnd((unsigned)max_len);
		for (i = 0; i < n; i++)
			out[i] = rnd_token();
		return n;
	}
	k = rnd((unsigned)nprev);
	n = prev_n[k];
	for (i = 0; i < n; i++)
		out[i] = prev[k][i];
	switch (rnd(5)) {
	case 0: /* the same */
		break;
	case 1: /* a token removed */
		if (n > 1) {
			k = rnd((unsigned)n);
			memmove(out + k, out + k + 1, (n - k - 1) * sizeof(*out));
			n--;
		}
		break;
	case 2: /* a token added */
		if (n < RND_MAX) {
			k = rnd((unsigned)n + 1);
			memmove(out + k + 1, out + k, (n - k) * sizeof(*out));
			out[k] = rnd_token();
			n++;
		}
		break;
	default: /* one or two tokens changed */
		out[rnd((unsigned)n)] = rnd_token();
		if (rnd(2))
			out[rnd((unsigned)n)] = rnd_token();
		break;
	}
	return n;
}

/* The index finds what looking at every template finds: two learners,
 * one of them with no index, take the same messages (and records to
 * import) and must give each the same template. */
static void index_as_scan(uint64_t seed, size_t max_templates, double sim,
			  unsigned distinct, size_t max_len, size_t count)
{
	static const char *prev[256][RND_MAX];
	static size_t prev_n[256];
	struct qe_learn *a = qe_learn_new(max_templates, 0, sim);
	struct qe_learn *b = qe_learn_new(max_templates, 0, sim);
	struct qe_buf ta = QE_BUF_INIT, tb = QE_BUF_INIT, msg = QE_BUF_INIT;
	struct qe_learn_stats sa, sb;
	size_t i, j, k, n, nprev = 0;

	rnd_state = seed;
	qe_learn_set_distinct(a, distinct);
	qe_learn_set_distinct(b, distinct);
	qe_learn_set_scan(b, 1);
	for (i = 0; i < count; i++) {
		const char *tok[RND_MAX];
		const char *type = rnd(8) ? "" : "IOError";
		char fp[17], ida[17], idb[17];
		int ra, rb;

		n = rnd_message(prev, prev_n, nprev, max_len, tok);
		qe_buf_reset(&msg);
		for (j = 0; j < n; j++)
			qe_buf_addf(&msg, "%s%s", j ? " " : "", tok[j]);
		snprintf(fp, sizeof(fp), "%016zx", i + 1);
		if (rnd(16) == 0) {
			/* a record, as from the state or a fleet */
			struct qe_learnt t;
			memset(&t, 0, sizeof(t));
			t.id = fp;
			t.type = type;
			t.tmpl = msg.buf;
			t.first_seen = (long long)rnd(1000);
			t.count = 1;
			ra = qe_learn_import(a, &t);
			rb = qe_learn_import(b, &t);
			assert_int_equal(ra, rb);
			continue;
		}
		qe_buf_reset(&ta);
		qe_buf_reset(&tb);
		ra = qe_learn_match(a, type, msg.buf, fp, (int64_t)i, ida, &ta);
		rb = qe_learn_match(b, type, msg.buf, fp, (int64_t)i, idb, &tb);
		if (ra != rb || strcmp(ida, idb) ||
		    strcmp(ta.buf ? ta.buf : "", tb.buf ? tb.buf : ""))
			fail_msg(
			    "seed %llu message %zu '%s': index %s '%s', scan %s '%s'",
			    (unsigned long long)seed, i, msg.buf, ida,
			    ta.buf ? ta.buf : "", idb, tb.buf ? tb.buf : "");
		/* kept to be varied later, in place of an earlier one when full */
		k = nprev < QE_ARRAY_SIZE(prev_n) ? nprev++ : rnd((unsigned)nprev);
		memcpy(prev[k], tok, n * sizeof(*tok));
		prev_n[k] = n;
	}
	qe_learn_stats(a, &sa);
	qe_learn_stats(b, &sb);
	assert_int_equal(sa.templates, sb.templates);
	assert_int_equal(sa.matched, sb.matched);
	assert_int_equal(sa.created, sb.created);
	assert_int_equal(sa.merged, sb.merged);
	assert_int_equal(sa.dropped, sb.dropped);
	qe_buf_release(&ta);
	qe_buf_release(&tb);
	qe_buf_release(&msg);
	qe_learn_free(a);
	qe_learn_free(b);
}

static void test_index_as_scan(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 6; seed++) {
		index_as_scan(seed, 0, 0, 5, 8, 4000);
		index_as_scan(seed * 77, 0, 0, 2, 12, 4000);
		index_as_scan(seed * 1001, 64, 0, 3, 6, 3000); /* at the cap */
		index_as_scan(seed * 31, 0, 0.5, 3, 10, 3000); /* fewer words alike */
		index_as_scan(seed * 97, 0, 1.0, 2, 8, 3000);  /* all alike */
	}
	/* up to the longest message learnt and past it */
	index_as_scan(7, 0, 0, 2, QE_LEARN_MAX_TOKENS + 2, 3000);
}

/* Messages of 63, 64 and 65 tokens, and templates of 63 and 64: the
 * lengths next to them are looked at only where they can be learnt. */
static void test_longest_messages(void **state)
{
	struct qe_learn *a = qe_learn_new(0, 0, 0), *b = qe_learn_new(0, 0, 0);
	struct qe_buf m = QE_BUF_INIT;
	char ida[17], idb[17], fp[17];
	size_t n, i, round;

	(void)state;
	qe_learn_set_scan(b, 1);
	for (round = 0; round < 3; round++)
		for (n = QE_LEARN_MAX_TOKENS - 2; n <= QE_LEARN_MAX_TOKENS + 1; n++) {
			int ra, rb;
			qe_buf_reset(&m);
			for (i = 0; i < n; i++)
				qe_buf_addf(&m, "%sw%zu", i ? " " : "",
					    i == 5 && round ? 1000 + round : i);
			if (round == 2)
				qe_buf_addstr(&m, " <NUM>");
			snprintf(fp, sizeof(fp), "%016zx", n * 10 + round);
			ra = qe_learn_match(a, "", m.buf, fp, (int64_t)(n * 10 + round),
					    ida, NULL);
			rb = qe_learn_match(b, "", m.buf, fp, (int64_t)(n * 10 + round),
					    idb, NULL);
			assert_int_equal(ra, rb);
			assert_string_equal(ida, idb);
			/* learnt up to QE_LEARN_MAX_TOKENS */
			assert_int_equal(ra, n + (round == 2) <= QE_LEARN_MAX_TOKENS);
		}
	qe_buf_release(&m);
	qe_learn_free(a);
	qe_learn_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_word_slot_becomes_variable),
	    cmocka_unit_test(test_two_words_stay_apart),
	    cmocka_unit_test(test_values_of_varying_length),
	    cmocka_unit_test(test_name_at_start),
	    cmocka_unit_test(test_siblings_through_export),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_empty_slot),
	    cmocka_unit_test(test_values_under_other_words),
	    cmocka_unit_test(test_word_against_value),
	    cmocka_unit_test(test_key_without_value),
	    cmocka_unit_test(test_mark_for_value),
	    cmocka_unit_test(test_ip_host_nothing),
	    cmocka_unit_test(test_caps_counted),
	    cmocka_unit_test(test_export_import_merge),
	    cmocka_unit_test(test_distinct_words_setting),
	    cmocka_unit_test(test_states_stay_apart),
	    cmocka_unit_test(test_short_messages),
	    cmocka_unit_test(test_restart_through_store),
	    cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_rule_errors),
	    cmocka_unit_test(test_traces_keep_frames),
	    cmocka_unit_test(test_quoted_shapes),
	    cmocka_unit_test(test_header_shapes),
	    cmocka_unit_test(test_dpkg_log),
	    cmocka_unit_test(test_index_as_scan),
	    cmocka_unit_test(test_longest_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
