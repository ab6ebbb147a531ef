/* Unit tests for lib/rules.c and lib/rules_builtin.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "event.h"
#include "rules.h"
#include "util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void report_sample(const char *rule, const char *line, int expected, int ok,
			  void *data)
{
	size_t *checked = data;
	(*checked)++;
	if (!ok)
		fprintf(stderr, "rule '%s': sample %s: %s\n", rule,
			expected ? "should match" : "should not match", line);
}

static void test_builtin_samples(void **state)
{
	struct qe_config c;
	struct qe_rules *r;
	size_t checked = 0, i, total = 0;
	(void)state;

	qe_config_init(&c);
	r = qe_rules_new(&c);
	assert_non_null(r);
	assert_int_equal(qe_rules_count(r), qe_nr_builtin_rules);
	assert_int_equal(qe_rules_check_samples(r, report_sample, &checked), 0);
	for (i = 0; i < qe_nr_builtin_rules; i++) {
		/* every rule has both kinds of sample */
		size_t j, yes = 0, no = 0;
		for (j = 0; j < qe_builtin_rules[i].nr_samples; j++) {
			if (qe_builtin_rules[i].samples[j].matches)
				yes++;
			else
				no++;
		}
		assert_true(yes > 0);
		assert_true(no > 0);
		total += qe_builtin_rules[i].nr_samples;
	}
	assert_int_equal(checked, total);
	qe_rules_free(r);
	qe_config_release(&c);
}

static void test_bad_user_pattern(void **state)
{
	struct qe_config c;
	struct qe_rule_conf rc;
	(void)state;

	qe_config_init(&c);
	memset(&rc, 0, sizeof(rc));
	rc.name = (char *)"broken";
	rc.pattern = (char *)"abc(def";
	c.rules = &rc;
	c.nr_rules = 1;
	assert_null(qe_rules_new(&c));
	assert_string_equal(
	    qe_last_error(),
	    "rule 'broken': invalid pattern at offset 7: missing closing parenthesis");

	rc.pattern = (char *)"ok";
	rc.continuation = (char *)"[z-a]";
	assert_null(qe_rules_new(&c));
	assert_non_null(
	    strstr(qe_last_error(), "rule 'broken': invalid continuation pattern"));

	rc.continuation = NULL;
	rc.severity = (char *)"loud";
	assert_null(qe_rules_new(&c));
	assert_string_equal(qe_last_error(), "rule 'broken': unknown severity 'loud'");
	c.rules = NULL;
	c.nr_rules = 0;
	qe_config_release(&c);
}

static void test_bad_ignore(void **state)
{
	struct qe_config c;
	char *ign[] = {(char *)"(?<"};
	(void)state;

	qe_config_init(&c);
	c.ignore = ign;
	c.nr_ignore = 1;
	assert_null(qe_rules_new(&c));
	assert_non_null(
	    strstr(qe_last_error(), "ignore pattern '(?<': invalid pattern at offset"));
	c.ignore = NULL;
	c.nr_ignore = 0;
	qe_config_release(&c);
}

static int start(struct qe_rules *r, const char *line, struct qe_rule_match *m)
{
	return qe_rules_match_start(r, line, strlen(line), m);
}

static void test_user_rules_first_and_samples(void **state)
{
	struct qe_config c;
	struct qe_rule_conf rc;
	struct qe_rule_sample samples[] = {{(char *)"ERROR acme: disk", 1},
					   {(char *)"ERROR other", 1}};
	struct qe_rules *r;
	struct qe_rule_match m;
	struct qe_rule_info info;
	(void)state;

	qe_config_init(&c);
	memset(&rc, 0, sizeof(rc));
	rc.name = (char *)"acme";
	rc.pattern = (char *)"acme: ";
	rc.samples = samples;
	rc.nr_samples = 2;
	c.rules = &rc;
	c.nr_rules = 1;
	r = qe_rules_new(&c);
	assert_non_null(r);
	assert_int_equal(qe_rules_count(r), 1 + qe_nr_builtin_rules);

	assert_true(start(r, "2024 ERROR acme: disk full", &m));
	assert_string_equal(m.name, "acme");
	assert_string_equal(m.kind, "acme");
	assert_int_equal(m.lang, QE_LANG_USER);
	assert_true(start(r, "2024 ERROR other", &m));
	assert_string_equal(m.name, "level");

	qe_rules_info(r, 0, &info);
	assert_string_equal(info.name, "acme");
	assert_string_equal(info.severity, "error");
	assert_int_equal(info.builtin, 0);
	assert_int_equal(info.hits, 1);
	assert_null(info.continuation);
	qe_rules_info(r, 1, &info);
	assert_int_equal(info.builtin, 1);
	assert_string_equal(info.name, "java-exception");
	assert_non_null(info.continuation);

	/* the second user sample does not match its rule: one failure */
	assert_int_equal(qe_rules_check_samples(r, NULL, NULL), 1);
	qe_rules_free(r);

	/* builtin_rules: 0 leaves only the user's rules */
	c.builtin_rules = 0;
	r = qe_rules_new(&c);
	assert_non_null(r);
	assert_int_equal(qe_rules_count(r), 1);
	assert_false(start(r, "2024 ERROR other", &m));
	assert_true(start(r, "acme: x", &m));
	qe_rules_free(r);
	c.rules = NULL;
	c.nr_rules = 0;
	qe_config_release(&c);
}

/* A rule whose pattern is anchored is not run on a line whose first byte
 * no match can start with: the result must be what PCRE2 says, for every
 * first byte, for the start and the continuation pattern alike. */
static void test_first_byte_skip_is_exact(void **state)
{
	static const char *const pats[] = {
	    "^(?i)x+y",	      "^\\s*at ",   "^(?:foo|Bar|\\d+:)",
	    "^(?=[a-c])\\w+", "^\xc3\xa9+", "^(?:)",
	    "^\\b\\w",	      "^.?z",	    "^[^a-z]",
	    "^(?:a|)b",
	};
	static const char *const tails[] = {"",	  "y", "at x",	   "oo", "ar",
					    "1:", "z", "\xc3\xa9", "b",	 " x"};
	size_t p, t;
	unsigned b;
	(void)state;

	for (p = 0; p < QE_ARRAY_SIZE(pats); p++) {
		struct qe_config c;
		struct qe_rule_conf rc;
		struct qe_rules *r;
		int err;
		PCRE2_SIZE off;
		pcre2_code *re;
		pcre2_match_data *md;

		qe_config_init(&c);
		memset(&rc, 0, sizeof(rc));
		rc.name = (char *)"u";
		rc.pattern = (char *)pats[p];
		rc.continuation = (char *)pats[p];
		c.rules = &rc;
		c.nr_rules = 1;
		r = qe_rules_new(&c);
		assert_non_null(r);
		re = pcre2_compile((PCRE2_SPTR)pats[p], PCRE2_ZERO_TERMINATED,
				   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
		assert_non_null(re);
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* as the rules are */
		md = pcre2_match_data_create_from_pattern(re, NULL);
		for (b = 0; b < 256; b++) {
			for (t = 0; t < QE_ARRAY_SIZE(tails); t++) {
				char line[16];
				size_t len = strlen(tails[t]) + (b ? 1 : 0);
				struct qe_rule_match m;
				int want, got;
				line[0] = (char)b;
				memcpy(line + (b ? 1 : 0), tails[t],
				       strlen(tails[t]) + 1);
				want = pcre2_match(re, (PCRE2_SPTR)line, len, 0, 0, md,
						   NULL) >= 0;
				got = qe_rules_match_start(r, line, len, &m) &&
				      !strcmp(m.name, "u");
				if (got != want)
					fail_msg("pattern %s, byte %u, tail '%s': %d, "
						 "PCRE2 %d",
						 pats[p], b, tails[t], got, want);
				got = qe_rules_match_cont(r, 0, line, len);
				if (got != want)
					fail_msg(
					    "continuation %s, byte %u, tail '%s': %d, "
					    "PCRE2 %d",
					    pats[p], b, tails[t], got, want);
			}
		}
		pcre2_match_data_free(md);
		pcre2_code_free(re);
		qe_rules_free(r);
		c.rules = NULL;
		c.nr_rules = 0;
		qe_config_release(&c);
	}
}

static void test_severity_mapping(void **state)
{
	static const struct {
		const char *line;
		int match;
		int sev;
	} cases[] = {
	    {"2024 ERROR x", 1, QE_SEV_ERROR},
	    {"2024 [ERR] x", 1, QE_SEV_ERROR},
	    {"2024 FATAL x", 1, QE_SEV_FATAL},
	    {"2024 CRIT x", 1, QE_SEV_CRITICAL},
	    {"2024 CRITICAL x", 1, QE_SEV_CRITICAL},
	    {"SEVERE: x", 1, QE_SEV_ERROR},
	    {"2024 EMERG x", 1, QE_SEV_FATAL},
	    {"2024 ALERT x", 1, QE_SEV_FATAL},
	    {"LOG PANIC: x", 1, QE_SEV_FATAL},
	    {"E0101 12:00:00.000 1 a.go:1] x", 1, QE_SEV_ERROR},
	    {"F0101 12:00:00.000 1 a.go:1] x", 1, QE_SEV_FATAL},
	    {"<3>x", 1, QE_SEV_ERROR},
	    {"<10>x", 1, QE_SEV_CRITICAL},
	    {"<9>x", 1, QE_SEV_FATAL},
	    {"<13>x", 0, 0},
	    {"2024/01/01 [emerg] 1#1: x", 1, QE_SEV_FATAL},
	    {"2024/01/01 [alert] 1#1: x", 1, QE_SEV_FATAL},
	    {"level=crit msg=x", 1, QE_SEV_CRITICAL},
	    {"2024 WARN x error", 0, 0},
	    {"2024 WARNING ERROR x", 0, 0},
	    {"2024 INFO x", 0, 0},
	    {"W0101 12:00:00.000 1 a.go:1] x", 0, 0},
	    {"panic: x", 1, QE_SEV_FATAL},
	    {"PHP Fatal error:  Uncaught Exception: x in /a.php:1", 1, QE_SEV_FATAL},
	};
	struct qe_config c;
	struct qe_rules *r;
	size_t i;
	(void)state;

	qe_config_init(&c);
	r = qe_rules_new(&c);
	for (i = 0; i < QE_ARRAY_SIZE(cases); i++) {
		struct qe_rule_match m;
		int got = start(r, cases[i].line, &m);
		if (got != cases[i].match)
			fail_msg("'%s': match %d, expected %d", cases[i].line, got,
				 cases[i].match);
		if (got && m.severity != cases[i].sev)
			fail_msg("'%s': severity %d, expected %d", cases[i].line,
				 m.severity, cases[i].sev);
	}
	qe_rules_free(r);
	qe_config_release(&c);
}

static void test_prefilter(void **state)
{
	static const char *const quiet[] = {
	    "2024-01-01T12:00:00.123Z INFO [worker-3] com.shop.Service - processed "
	    "request "
	    "id=123 duration=45ms status=200",
	    "GET /index.html 200 1234 \"Mozilla/5.0\"",
	    "",
	    "2024-01-01 DEBUG cache hit key=user:42",
	    /* no glog header behind the time: a level before it, too short */
	    "2026-12-01T10:00:00Z I1202 10:00:00.1 1 x.go:1] E1202",
	    "2026-12-01 10:00:00 E1202 10:00:00.1 1 x.go:1] gave up",
	    "2026-12-01T10:00:00Z E12 gave up",
	};
	static const char *const loud[] = {
	    "x Error y",
	    "x error y",
	    "ERROR",
	    "java.io.IOException",
	    "FATAL",
	    "fatal",
	    "[crit]",
	    "SEVERE",
	    "EMERG",
	    "[alert]",
	    "panic:",
	    "PANIC",
	    "Traceback",
	    "java.lang.Throwable",
	    "a.rb:1:in",
	    "x at a.pl line 3.",
	    "a.c:1: f: Assertion `x' failed.",
	    "<3>x",
	    "E0101 x",
	    "2026-12-01T10:00:00Z E1202 10:00:00.1 1 x.go:1] gave up",
	    "2026-12-01T10:00:00Z stdout F F0102 10:00:00.1 1 x.go:1] gave up",
	    "Dec  1 10:00:00 web1 app[42]: E1202 10:00:00.1 1 x.go:1] gave up",
	};
	size_t i;
	(void)state;

	for (i = 0; i < QE_ARRAY_SIZE(quiet); i++)
		assert_false(qe_rules_prefilter(quiet[i], strlen(quiet[i])));
	for (i = 0; i < QE_ARRAY_SIZE(loud); i++)
		if (!qe_rules_prefilter(loud[i], strlen(loud[i])))
			fail_msg("prefilter misses '%s'", loud[i]);
}

/*
 * The words the gates and the prefilter look for are found in one pass
 * over a line (rules.c: scan_words): on every part of every built-in
 * sample, and on the parts in other cases, the prefilter's answer is that
 * of qe_rules_prefilter(), and a line that a built-in rule's pattern
 * matches and that gets past the prefilter starts an event (by that rule
 * or one before it: no gate drops it).
 */
static void check_gates_on(struct qe_rules *r, pcre2_code *const *re,
			   pcre2_match_data *md, const char *line, size_t len)
{
	struct qe_rule_match m;
	int got = qe_rules_match_start(r, line, len, &m);
	int pre = qe_rules_prefilter(line, len);
	size_t i;

	if (qe_rules_prefilter_passed(r) != pre)
		fail_msg("'%.*s': prefilter %d, match_start %d", (int)len, line, pre,
			 qe_rules_prefilter_passed(r));
	if (!pre)
		return;
	for (i = 0; i < qe_nr_builtin_rules; i++) {
		/* syslog's level may be below error: no event, and no gate */
		if (!strcmp(qe_builtin_rules[i].name, "syslog-priority"))
			continue;
		if (pcre2_match(re[i], (PCRE2_SPTR)line, len, 0, 0, md, NULL) < 0)
			continue;
		if (!got || m.rule > i)
			fail_msg("'%.*s': pattern of %s matches, no event from it",
				 (int)len, line, qe_builtin_rules[i].name);
		break;
	}
}

static void test_gates_are_exact(void **state)
{
	/* words that no sample has at a line's end or in these spellings */
	static const char *const more[] = {
	    "ts=1 lvl=error msg=x",
	    "LVL: FATAL",
	    "Severity=Crit",
	    "x [alert   ] y",
	    "{\"loglevel\":\"emerg\"}",
	    "1.5e+09\tpanic\tx",
	    "a.b.ThrowableX: y",
	    "x/y.php:12 Fatal error: z",
	    "EMERGENCY disk",
	    "Exception in thread \"t\" a.BError",
	    "alert: x",
	    "2026-12-02T00:36:25Z emerg: x",
	    "2026-12-02 00:36:25 [a] fatal: x",
	    "[t] a.ALERT: x",
	    "[t] a.CRITICAL: x",
	    "2026-12-01 09:06:09 a.EMERGENCY: x",
	    "Parse error: x",
	    "Catchable fatal error: x",
	    "x at a.pm LINE 3.",
	    "a.c:1: f: ASSERTION `x' failed.",
	};
	struct qe_config c;
	struct qe_rules *r;
	pcre2_code *re[64];
	pcre2_match_data *md = pcre2_match_data_create(32, NULL);
	size_t i, j, k, n;
	(void)state;

	qe_config_init(&c);
	r = qe_rules_new(&c);
	assert_non_null(r);
	assert_true(qe_nr_builtin_rules <= QE_ARRAY_SIZE(re));
	for (i = 0; i < qe_nr_builtin_rules; i++) {
		int err;
		PCRE2_SIZE off;
		re[i] = pcre2_compile((PCRE2_SPTR)qe_builtin_rules[i].pattern,
				      PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
		assert_non_null(re[i]);
	}
	for (i = 0; i < qe_nr_builtin_rules; i++) {
		for (j = 0; j < qe_builtin_rules[i].nr_samples; j++) {
			const char *s = qe_builtin_rules[i].samples[j].line;
			char buf[512];
			n = strlen(s);
			if (n >= sizeof(buf))
				continue;
			for (k = 0; k <= n; k++) {
				check_gates_on(r, re, md, s + k, n - k); /* tails */
				check_gates_on(r, re, md, s, k);	 /* heads */
			}
			/* the same in upper and in lower case */
			for (k = 0; k < n; k++)
				buf[k] = (char)toupper((unsigned char)s[k]);
			for (k = 0; k <= n; k++)
				check_gates_on(r, re, md, buf + k, n - k);
			for (k = 0; k < n; k++)
				buf[k] = (char)tolower((unsigned char)s[k]);
			for (k = 0; k <= n; k++)
				check_gates_on(r, re, md, buf + k, n - k);
		}
	}
	for (i = 0; i < QE_ARRAY_SIZE(more); i++) {
		n = strlen(more[i]);
		for (k = 0; k <= n; k++) {
			check_gates_on(r, re, md, more[i] + k, n - k);
			check_gates_on(r, re, md, more[i], k);
		}
	}
	for (i = 0; i < qe_nr_builtin_rules; i++)
		pcre2_code_free(re[i]);
	pcre2_match_data_free(md);
	qe_rules_free(r);
	qe_config_release(&c);
}

/* A built-in rule whose gate words a line lacks is not run on it: the
 * many lines that mention an error in passing ("after error: timeout", a
 * logger named "app.error") cost no pattern match of level-colon, monolog
 * or php-fatal. */
static void test_gates_keep_rules_from_running(void **state)
{
	static const char *const lines[] = {
	    "2026-12-01 10:00:00,003 WARN  [main] c.e.Pay - retrying after error: "
	    "timeout",
	    "2026-12-01 10:00:00,001 INFO:gunicorn.error:processed batch 1 of 9",
	    "2026-12-01 10:00:00,002 INFO:app.health:checks ok=3 errors=0",
	    "[2026-12-01 09:06:09] app.INFO: ERROR count is 0",
	};
	static const char *const gated[] = {"level-colon", "monolog", "php-fatal"};
	struct qe_config c;
	struct qe_rules *r;
	struct qe_rule_match m;
	struct qe_rule_info ri;
	size_t i, j;
	(void)state;
	qe_config_init(&c);
	r = qe_rules_new(&c);
	assert_non_null(r);
	qe_rules_set_timing(r, 1);
	for (i = 0; i < QE_ARRAY_SIZE(lines); i++)
		assert_false(qe_rules_match_start(r, lines[i], strlen(lines[i]), &m));
	for (i = 0; i < qe_rules_count(r); i++) {
		qe_rules_info(r, i, &ri);
		for (j = 0; j < QE_ARRAY_SIZE(gated); j++)
			if (!strcmp(ri.name, gated[j]) && ri.time_ns)
				fail_msg("%s was run", ri.name);
	}
	qe_rules_free(r);
	qe_config_release(&c);
}

static void test_ignore(void **state)
{
	struct qe_config c;
	struct qe_rules *r;
	struct qe_rule_match m;
	char *ign[] = {(char *)"healthz", (char *)"^\\S+ ERROR expected"};
	(void)state;

	qe_config_init(&c);
	c.ignore = ign;
	c.nr_ignore = 2;
	r = qe_rules_new(&c);
	assert_non_null(r);
	assert_false(start(r, "2024 ERROR GET /healthz failed", &m));
	assert_false(start(r, "2024 ERROR expected failure", &m));
	assert_true(start(r, "2024 ERROR unexpected failure", &m));
	qe_rules_free(r);
	c.ignore = NULL;
	c.nr_ignore = 0;
	qe_config_release(&c);
}

static void test_match_limit(void **state)
{
	struct qe_config c;
	struct qe_rule_conf rc;
	struct qe_rules *r;
	struct qe_rule_match m;
	char line[4096];
	clock_t t0;
	(void)state;

	qe_config_init(&c);
	memset(&rc, 0, sizeof(rc));
	rc.name = (char *)"runaway";
	rc.pattern = (char *)"^(a+)+$";
	c.rules = &rc;
	c.nr_rules = 1;
	c.match_limit = 10000;
	c.builtin_rules = 0;
	r = qe_rules_new(&c);
	assert_non_null(r);
	memset(line, 'a', sizeof(line) - 2);
	line[sizeof(line) - 2] = 'b';
	line[sizeof(line) - 1] = 0;
	t0 = clock();
	assert_false(start(r, line, &m));
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
	assert_true(start(r, "aaaa", &m));
	qe_rules_free(r);
	c.rules = NULL;
	c.nr_rules = 0;
	qe_config_release(&c);
}

static void test_trace_starts(void **state)
{
	static const struct {
		const char *line;
		const char *rule; /* NULL: no event starts */
	} cases[] = {
	    {"  + Exception Group Traceback (most recent call last):",
	     "python-traceback"},
	    {"+ Exception Group Traceback (most recent call last):", "python-traceback"},
	    {"    | Exception Group Traceback (most recent call last):", NULL},
	    {"  + Exception Group Traceback (most recent call last): extra", NULL},
	    {"2024/01/01 12:00:03 http: panic serving 10.0.0.1:51234: runtime error: "
	     "invalid memory address or nil pointer dereference",
	     "go-http-panic"},
	    {"http: panic serving 127.0.0.1:1: x", "go-http-panic"},
	    {"panic: boom", "go-panic"},
	    {"2024/01/01 12:00:03 http: panic serving", NULL},
	    {"Next RuntimeException: x in /a.php:3", NULL},
	    {"/app/server.js:42", NULL},
	    {"                          ^", NULL},
	};
	struct qe_config c;
	struct qe_rules *r;
	size_t i;
	(void)state;

	qe_config_init(&c);
	r = qe_rules_new(&c);
	for (i = 0; i < QE_ARRAY_SIZE(cases); i++) {
		struct qe_rule_match m;
		int got = start(r, cases[i].line, &m);
		if (got != (cases[i].rule != NULL))
			fail_msg("'%s': match %d", cases[i].line, got);
		if (got && strcmp(m.name, cases[i].rule))
			fail_msg("'%s': rule %s, expected %s", cases[i].line, m.name,
				 cases[i].rule);
		if (cases[i].rule)
			assert_true(
			    qe_rules_prefilter(cases[i].line, strlen(cases[i].line)));
	}
	/* the go-panic rule stays the one that governs Go traces */
	{
		struct qe_rule_info info;
		qe_rules_info(r, qe_rules_lang_rule(r, QE_LANG_GO), &info);
		assert_string_equal(info.name, "go-panic");
	}
	qe_rules_free(r);
	qe_config_release(&c);
}

static void test_lang_rule(void **state)
{
	struct qe_config c;
	struct qe_rules *r;
	struct qe_rule_info info;
	size_t i;
	(void)state;

	qe_config_init(&c);
	r = qe_rules_new(&c);
	for (i = QE_LANG_JAVA; i <= QE_LANG_RUST; i++) {
		size_t k = qe_rules_lang_rule(r, (enum qe_rule_lang)i);
		assert_true(k < qe_rules_count(r));
		qe_rules_info(r, k, &info);
		assert_non_null(info.continuation);
	}
	assert_int_equal(qe_rules_lang_rule(r, QE_LANG_LINE), (size_t)-1);
	qe_rules_free(r);
	qe_config_release(&c);
}

/*
 * The "level" rule takes the bytes before its level word by class where
 * no lower level word can start and no newline can be; the look-ahead
 * of its plain form runs on the others.  Both forms agree, match and
 * level, on lines built from the bytes and words either side of that
 * line: the excluded letters, newline bytes, lower and upper levels,
 * word joiners, past the 120 bytes of the look.
 */
static void test_level_rule_form(void **state)
{
	static const char plain[] =
	    "^(?:(?!\\b(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING)\\b).){0,120}?(?<![\\w./"
	    "-])"
	    "(?<lvl>ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|EMERG|EMERGENCY|ALERT|PANIC)"
	    "(?![\\w.-])(?!/(?![A-Z][\\w-]{0,40}\\]))";
	static const char *const pieces[] = {
	    "ERROR", "ERR",  "FATAL",	"CRIT",	 "PANIC", "EMERGENCY",
	    "INFO",  "WARN", "WARNING", "DEBUG", "TRACE", "NOTICE",
	    "T",     "D",    "I",	"N",	 "W",	  "E",
	    " ",     "x",    "_",	".",	 "/",	  "-",
	    ":",     "\r",   "\n",	"\v",	 "\f",	  "\x85",
	    "0",     "[",    "]",	"INFOX", "XWARN", "        " /* eight */,
	    "Main"};
	const char *pattern = NULL;
	pcre2_code *a, *b;
	pcre2_match_data *ma, *mb;
	int err;
	PCRE2_SIZE off;
	unsigned seed = 7;
	size_t i, k;
	(void)state;

	for (i = 0; i < qe_nr_builtin_rules; i++)
		if (!strcmp(qe_builtin_rules[i].name, "level"))
			pattern = qe_builtin_rules[i].pattern;
	assert_non_null(pattern);
	a = pcre2_compile((PCRE2_SPTR)plain, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
	b = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off,
			  NULL);
	assert_non_null(a);
	assert_non_null(b);
	ma = pcre2_match_data_create_from_pattern(a, NULL);
	mb = pcre2_match_data_create_from_pattern(b, NULL);
	for (i = 0; i < 20000; i++) {
		char line[400];
		size_t len = 0, n;
		int ra, rb;
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 40;
		for (k = 0; k < n; k++) {
			const char *p;
			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % QE_ARRAY_SIZE(pieces)];
			if (len + strlen(p) >= sizeof(line))
				break;
			memcpy(line + len, p, strlen(p));
			len += strlen(p);
		}
		ra = pcre2_match(a, (PCRE2_SPTR)line, len, 0, 0, ma, NULL);
		rb = pcre2_match(b, (PCRE2_SPTR)line, len, 0, 0, mb, NULL);
		assert_int_equal(ra > 0, rb > 0);
		if (ra > 0) {
			const PCRE2_SIZE *oa = pcre2_get_ovector_pointer(ma);
			const PCRE2_SIZE *ob = pcre2_get_ovector_pointer(mb);
			assert_int_equal(oa[1], ob[1]);
			assert_int_equal(oa[2], ob[2]);
			assert_int_equal(oa[3], ob[3]);
		}
	}
	pcre2_match_data_free(ma);
	pcre2_match_data_free(mb);
	pcre2_code_free(a);
	pcre2_code_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtin_samples),
	    cmocka_unit_test(test_bad_user_pattern),
	    cmocka_unit_test(test_bad_ignore),
	    cmocka_unit_test(test_user_rules_first_and_samples),
	    cmocka_unit_test(test_first_byte_skip_is_exact),
	    cmocka_unit_test(test_severity_mapping),
	    cmocka_unit_test(test_prefilter),
	    cmocka_unit_test(test_gates_are_exact),
	    cmocka_unit_test(test_gates_keep_rules_from_running),
	    cmocka_unit_test(test_ignore),
	    cmocka_unit_test(test_match_limit),
	    cmocka_unit_test(test_lang_rule),
	    cmocka_unit_test(test_trace_starts),
	    cmocka_unit_test(test_level_rule_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
