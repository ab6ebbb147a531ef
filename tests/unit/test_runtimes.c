/*
 * The runtime corpus: tests/data/runtimes/<name>.log is what real
 * runtimes and logging libraries printed (scripts/capture-runtimes.sh
 * regenerates it), <name>.expected says, one line per event,
 *
 *     start_line end_line type group
 *
 * derived from what the programs did (one error per run).  Lines are
 * numbered from 1; type "-" means none.  Every event must come out with
 * exactly these boundaries and this type, events of one group must share
 * a fingerprint and events of different groups must not, and nothing
 * else may be reported.  The figures are printed so that a change shows
 * what it gained or lost.  Run from the repository root.
 *
 * The file goes through a source (lib/source: the decoding stage, then
 * the assembler) as `qerrors tail` reads it: in reads of
 * tail.read_buffer_bytes, split into lines, with the catch-up scan
 * passing over the lines that cannot start an event, so that JSON
 * records, Docker's or CRI's wrapping and what the scan passes over are
 * scored as a user sees them.  QE_RUNTIMES_EACH_LINE=1 feeds every line
 * to the source instead (what following a file that grows a line at a
 * time does); QE_RUNTIMES_RAW=1 feeds them to the assembler alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "assemble.h"
#include "config.h"
#include "event.h"
#include "fingerprint.h"
#include "lines.h"
#include "rules.h"
#include "util.h"
#include "slurp.h"
#include "source.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORPUS_DIR "tests/data/runtimes"
/* QE_RUNTIMES_DIR names another directory of the same kind to score
 * (tests/data/runtimes-unseen: output no rule was tuned to). */
#define MAX_EVENTS 512

struct expect {
	long start, end;
	char type[128], group[64];
};

struct got {
	struct qe_event *ev[MAX_EVENTS];
	size_t n;
};

struct figures {
	size_t events, exact, typed, types_right;
	size_t pairs, pairs_shared, apart, apart_split;
	size_t extra;
};

static void collect(struct qe_event *ev, void *data)
{
	struct got *g = data;
	if (g->n < MAX_EVENTS)
		g->ev[g->n++] = ev;
	else
		qe_event_free(ev);
}

static size_t read_expected(const char *path, struct expect *out, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t n = 0;

	if (!f)
		fail_msg("cannot open '%s'", path);
	while (fgets(line, sizeof(line), f) && n < max) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%ld %ld %127s %63s", &out[n].start, &out[n].end,
			   out[n].type, out[n].group) != 4)
			fail_msg("%s: bad line: %s", path, line);
		n++;
	}
	fclose(f);
	return n;
}

/* Line number (from 1) of the line starting at pos / ending at pos. */
static long line_of_start(const uint64_t *starts, size_t nr, uint64_t pos)
{
	size_t i;
	for (i = 0; i < nr; i++)
		if (starts[i] == pos)
			return (long)i + 1;
	return -1;
}

static long line_of_end(const uint64_t *starts, size_t nr, uint64_t total, uint64_t pos)
{
	size_t i;
	for (i = 0; i < nr; i++) {
		uint64_t end = i + 1 < nr ? starts[i + 1] : total;
		if (end == pos)
			return (long)i + 1;
	}
	return -1;
}

static void explain(const struct qe_event *ev)
{
	struct qe_buf b = QE_BUF_INIT;
	if (!ev)
		return;
	qe_fingerprint_explain(ev, &b);
	fprintf(stderr, "    %s\n", b.buf ? b.buf : "");
	qe_buf_release(&b);
}

static void collect_src(struct qe_source *src, struct qe_event *ev, void *data)
{
	(void)src;
	collect(ev, data);
}

static void source_line(const char *line, size_t len, uint64_t start_pos,
			uint64_t end_pos, unsigned flags, void *data)
{
	qe_source_feed(data, line, len, start_pos, end_pos, flags, 0);
}

static size_t source_skip(const char *p, size_t n, uint64_t pos, void *data)
{
	return qe_source_skip(data, p, n, pos);
}

static int env_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0");
}

static int check_file(const char *log, const struct qe_config *cfg,
		      struct qe_rules *rules, struct figures *fig)
{
	char expected_path[1024];
	struct expect exp[MAX_EVENTS];
	struct qe_event *match[MAX_EVENTS];
	struct got got = {{0}, 0};
	struct qe_assembler *a = NULL;
	struct qe_source *src = NULL;
	struct qe_source_conf sc;
	int raw = env_set("QE_RUNTIMES_RAW"), each = env_set("QE_RUNTIMES_EACH_LINE");
	uint64_t *starts = NULL;
	size_t nr_starts = 0, alloc_starts = 0, nexp, len = 0, i, j, off = 0;
	char *text;
	int failures = 0;

	snprintf(expected_path, sizeof(expected_path), "%.*s.expected",
		 (int)(strlen(log) - 4), log);
	nexp = read_expected(expected_path, exp, MAX_EVENTS);
	text = slurp(log, &len);
	assert_non_null(text);

	if (raw) {
		a = qe_assembler_new(rules, (size_t)cfg->event_max_lines,
				     (size_t)cfg->event_max_bytes, collect, &got);
	} else {
		qe_source_conf_from_config(&sc, cfg, rules);
		sc.idle_ms = 0; /* the file is read at once: no line waits */
		sc.on_event = collect_src;
		sc.data = &got;
		sc.path = log;
		src = qe_source_new(&sc, 0);
		assert_non_null(src);
	}
	while (off < len) {
		char *nl = memchr(text + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (text + off)) : len - off;
		size_t end = off + l + (nl ? 1 : 0);
		QE_ALLOC_GROW(starts, nr_starts + 1, alloc_starts);
		starts[nr_starts++] = off;
		if (raw)
			qe_assembler_feed(a, text + off, l, off, end);
		else if (each)
			qe_source_feed(src, text + off, l, off, end, 0, 0);
		off = end;
	}
	if (!raw && !each) {
		struct qe_lines lines;
		size_t block = (size_t)cfg->read_buffer_bytes;
		qe_lines_init(&lines, (size_t)cfg->max_line_bytes, 0);
		for (off = 0; off < len; off += block)
			qe_lines_feed_skip(&lines, text + off,
					   len - off < block ? len - off : block,
					   source_line, source_skip, src);
		qe_lines_flush(&lines, source_line, src);
		qe_lines_release(&lines);
	}
	if (raw)
		qe_assembler_flush(a);
	else
		qe_source_flush(src);
	for (i = 0; i < got.n; i++)
		qe_fingerprint(got.ev[i]);

	/* An expected event is matched by the reported event that covers
	 * its first line. */
	for (i = 0; i < nexp; i++) {
		struct qe_event *m = NULL;
		long s = 0, e = 0;
		const char *type;
		for (j = 0; j < got.n && !m; j++) {
			s = line_of_start(starts, nr_starts, got.ev[j]->start_pos);
			e = line_of_end(starts, nr_starts, len, got.ev[j]->end_pos);
			if (s <= exp[i].start && e >= exp[i].start)
				m = got.ev[j];
		}
		match[i] = m;
		fig->events++;
		if (strcmp(exp[i].type, "-"))
			fig->typed++;
		if (!m) {
			fprintf(stderr, "%s: lines %ld-%ld (%s): not reported\n", log,
				exp[i].start, exp[i].end, exp[i].group);
			failures++;
			continue;
		}
		type = m->type ? m->type : "-";
		if (s == exp[i].start && e == exp[i].end) {
			fig->exact++;
		} else {
			fprintf(stderr, "%s: lines %ld-%ld (%s): reported as %ld-%ld\n",
				log, exp[i].start, exp[i].end, exp[i].group, s, e);
			failures++;
		}
		if (!strcmp(type, exp[i].type)) {
			if (strcmp(exp[i].type, "-"))
				fig->types_right++;
		} else {
			fprintf(stderr, "%s: lines %ld-%ld (%s): type %s, expected %s\n",
				log, exp[i].start, exp[i].end, exp[i].group, type,
				exp[i].type);
			failures++;
		}
	}
	/* reported events that match no expected one */
	for (j = 0; j < got.n; j++) {
		int hit = 0;
		for (i = 0; i < nexp; i++)
			hit |= match[i] == got.ev[j];
		if (!hit) {
			fprintf(stderr, "%s: extra event at lines %ld-%ld: %s\n", log,
				line_of_start(starts, nr_starts, got.ev[j]->start_pos),
				line_of_end(starts, nr_starts, len, got.ev[j]->end_pos),
				got.ev[j]->lines[0]);
			fig->extra++;
			failures++;
		}
	}
	for (i = 0; i < nexp; i++)
		for (j = i + 1; j < nexp; j++) {
			int same_group = !strcmp(exp[i].group, exp[j].group);
			int same_fp =
			    match[i] && match[j] && match[i] != match[j] &&
			    !strcmp(match[i]->fingerprint, match[j]->fingerprint);
			if (same_group) {
				fig->pairs++;
				fig->pairs_shared += same_fp;
			} else {
				fig->apart++;
				fig->apart_split += !same_fp;
			}
			if (same_group != same_fp) {
				fprintf(stderr,
					"%s: lines %ld and %ld (groups %s, %s): "
					"fingerprints should %s\n",
					log, exp[i].start, exp[j].start, exp[i].group,
					exp[j].group, same_group ? "be equal" : "differ");
				explain(match[i]);
				explain(match[j]);
				failures++;
			}
		}

	for (i = 0; i < got.n; i++)
		qe_event_free(got.ev[i]);
	qe_assembler_free(a);
	qe_source_free(src);
	free(starts);
	free(text);
	return failures;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_runtimes(void **state)
{
	struct qe_config cfg;
	struct qe_rules *rules;
	struct figures fig = {0};
	const char *dir = getenv("QE_RUNTIMES_DIR") && *getenv("QE_RUNTIMES_DIR")
			      ? getenv("QE_RUNTIMES_DIR")
			      : CORPUS_DIR;
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, alloc = 0, i;
	int failures = 0;
	(void)state;

	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && !strcmp(de->d_name + l - 4, ".log")) {
			QE_ALLOC_GROW(names, nr + 1, alloc);
			names[nr++] = qe_xasprintf("%s/%s", dir, de->d_name);
		}
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), cmp_str);
	assert_true(nr >= (strcmp(dir, CORPUS_DIR) ? 1u : 10u));

	qe_config_init(&cfg);
	rules = qe_rules_new(&cfg);
	assert_non_null(rules);
	for (i = 0; i < nr; i++) {
		failures += check_file(names[i], &cfg, rules, &fig);
		free(names[i]);
	}
	free(names);
	fprintf(stderr,
		"runtimes: %zu files; boundaries exact %zu/%zu; types right %zu/%zu; "
		"same-error pairs sharing a fingerprint %zu/%zu; different errors kept "
		"apart %zu/%zu; extra events %zu\n",
		nr, fig.exact, fig.events, fig.types_right, fig.typed, fig.pairs_shared,
		fig.pairs, fig.apart_split, fig.apart, fig.extra);
	qe_rules_free(rules);
	qe_config_release(&cfg);
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_runtimes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
