/*
 * The trace corpus: tests/data/traces/<lang>-<name>.log, each with a
 * sibling .expected file, one line per event:
 *
 *     start_line end_line kind type group [truncated]
 *
 * Lines are numbered from 1; type "-" means none; events with the same
 * group label must share a fingerprint, different labels must differ.
 * Run from the repository root.
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
#include "rules.h"
#include "util.h"
#include "slurp.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORPUS_DIR "tests/data/traces"
#define MAX_EVENTS 256

struct expect {
	long start, end;
	char kind[64], type[128], group[32];
	int truncated;
};

struct got {
	struct qe_event *ev[MAX_EVENTS];
	size_t n;
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
		char extra[32] = "";
		int k;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		k = sscanf(line, "%ld %ld %63s %127s %31s %31s", &out[n].start,
			   &out[n].end, out[n].kind, out[n].type, out[n].group, extra);
		if (k < 5)
			fail_msg("%s: bad line: %s", path, line);
		out[n].truncated = !strcmp(extra, "truncated");
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

static int check_file(const char *log, const struct qe_config *cfg,
		      struct qe_rules *rules)
{
	char expected_path[1024];
	struct expect exp[MAX_EVENTS];
	struct got got = {{0}, 0};
	struct qe_assembler *a;
	uint64_t *starts = NULL;
	size_t nr_starts = 0, alloc_starts = 0, nexp, len = 0, i, j, off = 0;
	char *text;
	int failures = 0;

	snprintf(expected_path, sizeof(expected_path), "%.*s.expected",
		 (int)(strlen(log) - 4), log);
	nexp = read_expected(expected_path, exp, MAX_EVENTS);
	text = slurp(log, &len);
	assert_non_null(text);

	a = qe_assembler_new(rules, (size_t)cfg->event_max_lines,
			     (size_t)cfg->event_max_bytes, collect, &got);
	while (off < len) {
		char *nl = memchr(text + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (text + off)) : len - off;
		size_t end = off + l + (nl ? 1 : 0);
		QE_ALLOC_GROW(starts, nr_starts + 1, alloc_starts);
		starts[nr_starts++] = off;
		qe_assembler_feed(a, text + off, l, off, end);
		off = end;
	}
	qe_assembler_flush(a);

	if (got.n != nexp) {
		fprintf(stderr, "%s: %zu events, expected %zu\n", log, got.n, nexp);
		failures++;
	}
	for (i = 0; i < got.n && i < nexp; i++) {
		struct qe_event *ev = got.ev[i];
		long s = line_of_start(starts, nr_starts, ev->start_pos);
		long e = line_of_end(starts, nr_starts, len, ev->end_pos);
		const char *type = ev->type ? ev->type : "-";
		if (s != exp[i].start || e != exp[i].end ||
		    strcmp(ev->kind, exp[i].kind) || strcmp(type, exp[i].type) ||
		    ev->truncated != exp[i].truncated) {
			fprintf(stderr,
				"%s: event %zu: got %ld %ld %s %s%s, expected %ld %ld %s "
				"%s%s\n",
				log, i + 1, s, e, ev->kind, type,
				ev->truncated ? " truncated" : "", exp[i].start,
				exp[i].end, exp[i].kind, exp[i].type,
				exp[i].truncated ? " truncated" : "");
			failures++;
		}
		qe_fingerprint(ev);
	}
	for (i = 0; i < got.n && i < nexp; i++)
		for (j = i + 1; j < got.n && j < nexp; j++) {
			int same_group = !strcmp(exp[i].group, exp[j].group);
			int same_fp =
			    !strcmp(got.ev[i]->fingerprint, got.ev[j]->fingerprint);
			if (same_group != same_fp) {
				fprintf(stderr,
					"%s: events %zu and %zu (groups %s, %s): "
					"fingerprints %s "
					"and %s should %s\n",
					log, i + 1, j + 1, exp[i].group, exp[j].group,
					got.ev[i]->fingerprint, got.ev[j]->fingerprint,
					same_group ? "be equal" : "differ");
				failures++;
			}
		}

	for (i = 0; i < got.n; i++)
		qe_event_free(got.ev[i]);
	qe_assembler_free(a);
	free(starts);
	free(text);
	return failures;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_corpus(void **state)
{
	struct qe_config cfg;
	struct qe_rules *rules;
	DIR *d = opendir(CORPUS_DIR);
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
			names[nr++] = qe_xasprintf("%s/%s", CORPUS_DIR, de->d_name);
		}
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), cmp_str);
	/* every language of the built-in pack is covered */
	assert_true(nr >= 9);

	qe_config_init(&cfg);
	rules = qe_rules_new(&cfg);
	assert_non_null(rules);
	for (i = 0; i < nr; i++) {
		failures += check_file(names[i], &cfg, rules);
		free(names[i]);
	}
	free(names);
	qe_rules_free(rules);
	qe_config_release(&cfg);
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
