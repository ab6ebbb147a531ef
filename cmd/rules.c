/*
 * qerrors rules: list the effective rules, test them on a log (as
 * fail2ban-regex does: hits, time and samples per rule, and the lines
 * that look like errors but no rule caught), and check every rule's
 * samples.
 */
#include "qerrors.h"
#include "report.h"

#include "event.h"
#include "rules.h"
#include "source.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Pattern width in the text listing. */
#define PATTERN_SHOW 60
/* Sample events kept per rule, and bytes shown of each first line. */
#define SAMPLES_PER_RULE 3
#define SAMPLE_BYTES 200
/* Unmatched error-like lines listed (all are counted). */
#define UNMATCHED_SHOWN 20

static const char *const rules_usage[] = {
    "qerrors rules list [--json]",
    "qerrors rules test [--json] [FILE]",
    "qerrors rules check [--json]",
    NULL,
};

static const char *const subcommands[] = {"list", "test", "check"};

/* Display text: valid UTF-8, no control characters, at most max bytes. */
static char *shown(const char *s, size_t len, size_t max)
{
	char *t = qe_utf8_sanitize(s, len);
	size_t i;
	for (i = 0; t[i]; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			t[i] = ' ';
	if (i > max) {
		size_t cut = max;
		while (cut > 0 && ((unsigned char)t[cut] & 0xc0) == 0x80)
			cut--;
		memcpy(t + cut, "...", 4);
	}
	return t;
}

/* ---- list ---- */

static int rules_list(struct qe_rules *r, int json)
{
	size_t i, n = qe_rules_count(r);

	if (json) {
		json_t *o = json_object(), *arr = json_array();
		int rc;
		for (i = 0; i < n; i++) {
			struct qe_rule_info ri;
			qe_rules_info(r, i, &ri);
			json_array_append_new(
			    arr,
			    json_pack("{s:o, s:o, s:s, s:s, s:b, s:o, s:o, s:I}", "name",
				      qe_report_string(ri.name), "kind",
				      qe_report_string(ri.kind), "severity", ri.severity,
				      "source", ri.builtin ? "builtin" : "user",
				      "builtin", ri.builtin, "pattern",
				      qe_report_string(ri.pattern), "continuation",
				      ri.continuation ? qe_report_string(ri.continuation)
						      : json_null(),
				      "samples", (json_int_t)ri.nr_samples));
		}
		json_object_set_new(o, "rules", arr);
		rc = qe_report_print_json(o);
		json_decref(o);
		return rc < 0 ? QE_EXIT_FAILURE : QE_EXIT_OK;
	}
	printf("%-3s %-22s %-10s %-9s %-7s %7s  %s\n", "#", "NAME", "KIND", "SEVERITY",
	       "SOURCE", "SAMPLES", "PATTERN");
	for (i = 0; i < n; i++) {
		struct qe_rule_info ri;
		char *name, *pat;
		qe_rules_info(r, i, &ri);
		name = shown(ri.name, strlen(ri.name), 40);
		pat = shown(ri.pattern, strlen(ri.pattern), PATTERN_SHOW);
		printf("%-3zu %-22s %-10s %-9s %-7s %7zu  %s\n", i + 1, name, ri.kind,
		       ri.severity, ri.builtin ? "builtin" : "user", ri.nr_samples, pat);
		free(name);
		free(pat);
	}
	return QE_EXIT_OK;
}

/* ---- check ---- */

struct check {
	int json;
	size_t checked, failed;
	json_t *failures;
};

static void on_sample(const char *rule, const char *line, int expected, int ok,
		      void *data)
{
	struct check *c = data;
	char *l;
	c->checked++;
	if (ok)
		return;
	c->failed++;
	l = shown(line, strlen(line), 300);
	if (c->json)
		json_array_append_new(c->failures,
				      json_pack("{s:o, s:o, s:b, s:b}", "rule",
						qe_report_string(rule), "line",
						qe_report_string(l), "expected", expected,
						"got", !expected));
	else
		printf("FAIL rule '%s': expected %s, got %s: %s\n", rule,
		       expected ? "a match" : "no match",
		       expected ? "no match" : "a match", l);
	free(l);
}

static int rules_check(struct qe_rules *r, int json)
{
	struct check c;
	int rc = QE_EXIT_OK;

	memset(&c, 0, sizeof(c));
	c.json = json;
	if (json)
		c.failures = json_array();
	qe_rules_check_samples(r, on_sample, &c);
	if (json) {
		json_t *o =
		    json_pack("{s:I, s:I, s:o}", "checked", (json_int_t)c.checked,
			      "failed", (json_int_t)c.failed, "failures", c.failures);
		if (qe_report_print_json(o) < 0)
			rc = QE_EXIT_FAILURE;
		json_decref(o);
	} else {
		printf("%zu sample%s checked, %zu failed\n", c.checked,
		       c.checked == 1 ? "" : "s", c.failed);
	}
	if (rc == QE_EXIT_OK && c.failed)
		rc = QE_EXIT_FOUND;
	return rc;
}

/* ---- test ---- */

struct candidate {
	uint64_t pos;
	long long lineno;
	char *text;
};

struct rule_stat {
	size_t events;
	char *samples[SAMPLES_PER_RULE];
	size_t nr_samples;
};

struct kind_count {
	char *kind;
	size_t n;
};

struct test {
	struct qe_rules *rules;
	size_t nr_rules;
	struct rule_stat *stats;
	struct kind_count *kinds;
	size_t nr_kinds, alloc_kinds;
	size_t events;
	long long lines_read;
	/* error-like lines whose fate is not known yet, in input order */
	struct candidate *cands;
	size_t nr_cands, alloc_cands;
	/* error-like lines that ended up in no event */
	long long unmatched;
	struct candidate shown[UNMATCHED_SHOWN];
	size_t nr_shown;
};

/* Words that make a line look like an error or a warning. */
static const char *const error_words[] = {
    "error",   "fail",	    "exception", "fatal",  "panic", "denied",	"refused",
    "timeout", "timed out", "unable",	 "cannot", "warn",  "critical", "abort",
};

static int has_word(const char *line, size_t len, const char *w)
{
	size_t wl = strlen(w), i, j;
	if (len < wl)
		return 0;
	for (i = 0; i + wl <= len; i++) {
		for (j = 0; j < wl; j++)
			if ((line[i + j] | 0x20) != w[j] && line[i + j] != w[j])
				break;
		if (j == wl)
			return 1;
	}
	return 0;
}

static int looks_like_error(const char *line, size_t len)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(error_words); i++)
		if (has_word(line, len, error_words[i]))
			return 1;
	return 0;
}

static void drop_candidate(struct test *t, size_t i, int unmatched)
{
	struct candidate *c = &t->cands[i];
	if (unmatched) {
		t->unmatched++;
		if (t->nr_shown < UNMATCHED_SHOWN) {
			t->shown[t->nr_shown++] = *c;
			c->text = NULL;
		}
	}
	free(c->text);
	c->text = NULL;
}

/* Settle the candidates before `horizon`: a line that no event covers by
 * then never will be part of one. */
static void settle(struct test *t, uint64_t horizon)
{
	size_t i = 0, j;
	while (i < t->nr_cands && t->cands[i].pos < horizon)
		drop_candidate(t, i++, 1);
	if (!i)
		return;
	for (j = 0; i < t->nr_cands; i++, j++)
		t->cands[j] = t->cands[i];
	t->nr_cands = j;
}

static size_t rule_index(struct test *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->nr_rules; i++) {
		struct qe_rule_info ri;
		qe_rules_info(t->rules, i, &ri);
		if (!strcmp(ri.name, name))
			return i;
	}
	return (size_t)-1;
}

static void on_event(struct qe_source *src, struct qe_event *ev, void *data)
{
	struct test *t = data;
	size_t i, j, ri;

	t->events++;
	for (i = 0; i < t->nr_kinds; i++)
		if (!strcmp(t->kinds[i].kind, ev->kind))
			break;
	if (i == t->nr_kinds) {
		QE_ALLOC_GROW(t->kinds, t->nr_kinds + 1, t->alloc_kinds);
		t->kinds[i].kind = qe_xstrdup(ev->kind);
		t->kinds[i].n = 0;
		t->nr_kinds++;
	}
	t->kinds[i].n++;

	ri = ev->rule ? rule_index(t, ev->rule) : (size_t)-1;
	if (ri != (size_t)-1) {
		struct rule_stat *rs = &t->stats[ri];
		rs->events++;
		if (rs->nr_samples < SAMPLES_PER_RULE && ev->nr_lines)
			rs->samples[rs->nr_samples++] =
			    shown(ev->lines[0], strlen(ev->lines[0]), SAMPLE_BYTES);
	}

	/* Lines before the event that no event took are settled; lines
	 * inside it are its own. */
	settle(t, ev->start_pos);
	for (i = 0, j = 0; i < t->nr_cands; i++) {
		if (t->cands[i].pos < ev->end_pos) {
			drop_candidate(t, i, 0);
			continue;
		}
		t->cands[j++] = t->cands[i];
	}
	t->nr_cands = j;
	qe_event_free(ev);
}

/* Sees every line just before the source feeds it.  Whatever the last
 * line left settled (before the open event, or everything when none is
 * open) no event can take any more. */
static void on_line(struct qe_source *src, const char *line, size_t len, uint64_t start,
		    uint64_t end, void *data)
{
	struct test *t = data;
	uint64_t pending;

	settle(t, qe_source_pending(src, &pending) ? pending : start);
	t->lines_read++;
	if (looks_like_error(line, len)) {
		struct candidate *c;
		QE_ALLOC_GROW(t->cands, t->nr_cands + 1, t->alloc_cands);
		c = &t->cands[t->nr_cands++];
		c->pos = start;
		c->lineno = t->lines_read;
		c->text = shown(line, len, SAMPLE_BYTES);
	}
}

static void print_test_text(struct test *t, uint64_t elapsed_ms)
{
	size_t i, j;

	printf("lines read: %lld in %llu ms\n", t->lines_read,
	       (unsigned long long)elapsed_ms);
	printf("events: %zu", t->events);
	for (i = 0; i < t->nr_kinds; i++)
		printf("%s%s %zu", i ? ", " : " (", t->kinds[i].kind, t->kinds[i].n);
	printf("%s\n\n", t->nr_kinds ? ")" : "");
	printf("%-3s %-22s %8s %8s %10s\n", "#", "RULE", "HITS", "EVENTS", "TIME(ms)");
	for (i = 0; i < t->nr_rules; i++) {
		struct qe_rule_info ri;
		qe_rules_info(t->rules, i, &ri);
		printf("%-3zu %-22s %8llu %8zu %10.3f\n", i + 1, ri.name,
		       (unsigned long long)ri.hits, t->stats[i].events,
		       (double)ri.time_ns / 1e6);
	}
	for (i = 0; i < t->nr_rules; i++) {
		struct qe_rule_info ri;
		if (!t->stats[i].nr_samples)
			continue;
		qe_rules_info(t->rules, i, &ri);
		printf("\n%s: first lines of %s%zu event%s\n", ri.name,
		       t->stats[i].events > t->stats[i].nr_samples ? "the first " : "",
		       t->stats[i].nr_samples, t->stats[i].nr_samples == 1 ? "" : "s");
		for (j = 0; j < t->stats[i].nr_samples; j++)
			printf("    %s\n", t->stats[i].samples[j]);
	}
	printf("\nlines that look like errors or warnings but are in no event: %lld\n",
	       t->unmatched);
	for (i = 0; i < t->nr_shown; i++)
		printf("%6lld: %s\n", t->shown[i].lineno, t->shown[i].text);
	if (t->unmatched > (long long)t->nr_shown)
		printf("    ... and %lld more\n", t->unmatched - (long long)t->nr_shown);
}

static int print_test_json(struct test *t, uint64_t elapsed_ms)
{
	json_t *o = json_object(), *kinds = json_object(), *rules = json_array();
	json_t *lines = json_array();
	size_t i, j;
	int rc;

	json_object_set_new(o, "lines_read", json_integer(t->lines_read));
	json_object_set_new(o, "time_ms", json_integer((json_int_t)elapsed_ms));
	json_object_set_new(o, "events", json_integer((json_int_t)t->events));
	for (i = 0; i < t->nr_kinds; i++)
		json_object_set_new(kinds, t->kinds[i].kind,
				    json_integer((json_int_t)t->kinds[i].n));
	json_object_set_new(o, "events_by_kind", kinds);
	for (i = 0; i < t->nr_rules; i++) {
		struct qe_rule_info ri;
		json_t *samples = json_array();
		qe_rules_info(t->rules, i, &ri);
		for (j = 0; j < t->stats[i].nr_samples; j++)
			json_array_append_new(samples,
					      json_string(t->stats[i].samples[j]));
		json_array_append_new(
		    rules, json_pack("{s:o, s:s, s:I, s:I, s:I, s:o}", "name",
				     qe_report_string(ri.name), "source",
				     ri.builtin ? "builtin" : "user", "hits",
				     (json_int_t)ri.hits, "events",
				     (json_int_t)t->stats[i].events, "time_ns",
				     (json_int_t)ri.time_ns, "samples", samples));
	}
	json_object_set_new(o, "rules", rules);
	for (i = 0; i < t->nr_shown; i++)
		json_array_append_new(lines, json_pack("{s:I, s:s}", "line",
						       (json_int_t)t->shown[i].lineno,
						       "text", t->shown[i].text));
	json_object_set_new(
	    o, "unmatched",
	    json_pack("{s:I, s:o}", "count", (json_int_t)t->unmatched, "lines", lines));
	rc = qe_report_print_json(o);
	json_decref(o);
	return rc;
}

static int rules_test(struct qe_ctx *ctx, struct qe_rules *r, const char *path, int json)
{
	struct test t;
	struct qe_source_conf sc;
	struct qe_source *src = NULL;
	const char *name = "standard input";
	int fd = STDIN_FILENO, rc = QE_EXIT_OK;
	uint64_t t0;
	size_t i, j;

	memset(&t, 0, sizeof(t));
	if (path && strcmp(path, "-")) {
		name = path;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			qe_error_msg("cannot open '%s': %s", path, strerror(errno));
			return QE_EXIT_FAILURE;
		}
	}
	t.rules = r;
	t.nr_rules = qe_rules_count(r);
	t.stats = qe_xcalloc(t.nr_rules ? t.nr_rules : 1, sizeof(*t.stats));
	qe_source_conf_from_config(&sc, &ctx->cfg, r);
	sc.on_event = on_event;
	sc.on_line = on_line;
	sc.data = &t;
	sc.path = fd == STDIN_FILENO ? NULL : name;
	src = qe_source_new(&sc, 0);
	if (!src) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_USAGE;
		goto out;
	}
	t0 = qe_now_ms();
	rc = qe_source_read_fd(src, fd, name, NULL);
	settle(&t, UINT64_MAX);
	if (rc < 0) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	if (json) {
		if (print_test_json(&t, qe_now_ms() - t0) < 0)
			rc = QE_EXIT_FAILURE;
	} else {
		print_test_text(&t, qe_now_ms() - t0);
	}
out:
	qe_source_free(src);
	if (fd > STDIN_FILENO)
		close(fd);
	for (i = 0; i < t.nr_rules; i++)
		for (j = 0; j < t.stats[i].nr_samples; j++)
			free(t.stats[i].samples[j]);
	free(t.stats);
	for (i = 0; i < t.nr_kinds; i++)
		free(t.kinds[i].kind);
	free(t.kinds);
	/* the analyzer loses track of texts moved into t.shown by settle() */
	for (i = 0; i < t.nr_cands; i++)
		free(t.cands[i].text); /* NOLINT(clang-analyzer-unix.Malloc) */
	free(t.cands);
	for (i = 0; i < t.nr_shown; i++)
		free(t.shown[i].text);
	return rc;
}

int cmd_rules(int argc, char **argv, struct qe_ctx *ctx)
{
	int json = 0;
	const struct qe_option opts[] = {
	    QE_OPT_FLAG_(0, "json", &json, "print JSON"),
	    QE_OPT_END_,
	};
	struct qe_rules *r = NULL;
	const char *sub;
	char **args;
	int nargs, rc;

	nargs = qe_parse_options(argc, argv, opts, rules_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs == 0) {
		qe_error_msg("rules needs a subcommand: list, test or check");
		qe_usage(stderr, opts, rules_usage);
		return QE_EXIT_USAGE;
	}
	sub = args[0];
	if (strcmp(sub, "list") && strcmp(sub, "test") && strcmp(sub, "check")) {
		const char *best =
		    qe_did_you_mean(sub, subcommands, QE_ARRAY_SIZE(subcommands));
		qe_error_msg("'%s' is not a rules subcommand (list, test, check)", sub);
		if (best)
			fprintf(stderr, "qerrors: did you mean '%s'?\n", best);
		return QE_EXIT_USAGE;
	}
	if (nargs > (strcmp(sub, "test") ? 1 : 2)) {
		qe_error_msg("too many arguments for 'rules %s'", sub);
		qe_usage(stderr, opts, rules_usage);
		return QE_EXIT_USAGE;
	}
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	r = qe_rules_new(&ctx->cfg);
	if (!r) {
		qe_error_msg("%s", qe_last_error());
		return QE_EXIT_USAGE;
	}
	if (!strcmp(sub, "list"))
		rc = rules_list(r, json);
	else if (!strcmp(sub, "check"))
		rc = rules_check(r, json);
	else {
		qe_rules_set_timing(r, 1);
		rc = rules_test(ctx, r, nargs > 1 ? args[1] : NULL, json);
	}
	qe_rules_free(r);
	return rc;
}
