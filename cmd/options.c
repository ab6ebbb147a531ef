/*
 * Option parsing from one table per command: the same table produces
 * `-h` and the hidden --completion-helper, so help, completion and
 * parsing cannot drift apart.
 */
#include "qerrors.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct qe_option *find_long_in(const struct qe_option *opts,
					    const char *name, size_t len)
{
	for (; opts->type != QE_OPT_END; opts++)
		if (opts->long_name && strlen(opts->long_name) == len &&
		    !strncmp(opts->long_name, name, len))
			return opts;
	return NULL;
}

static const struct qe_option *find_short_in(const struct qe_option *opts, int c)
{
	for (; opts->type != QE_OPT_END; opts++)
		if (opts->short_name == c)
			return opts;
	return NULL;
}

/* A command's own option wins over a global one of the same name. */
static const struct qe_option *find_long(const struct qe_option *opts, const char *name,
					 size_t len, int *global)
{
	const struct qe_option *o = find_long_in(opts, name, len);
	*global = 0;
	if (!o && opts != qe_global_options()) {
		o = find_long_in(qe_global_options(), name, len);
		*global = !!o;
	}
	return o;
}

static const struct qe_option *find_short(const struct qe_option *opts, int c,
					  int *global)
{
	const struct qe_option *o = find_short_in(opts, c);
	*global = 0;
	if (!o && opts != qe_global_options()) {
		o = find_short_in(qe_global_options(), c);
		*global = !!o;
	}
	return o;
}

static void suggest_long(const struct qe_option *opts, const char *name, size_t len)
{
	const char *cands[64];
	size_t n = 0;
	char *word = qe_xstrndup(name, len);
	const char *best;
	const struct qe_option *g = qe_global_options();
	for (; opts->type != QE_OPT_END && n < QE_ARRAY_SIZE(cands); opts++)
		if (opts->long_name)
			cands[n++] = opts->long_name;
	for (; g->type != QE_OPT_END && n < QE_ARRAY_SIZE(cands); g++)
		if (g->long_name)
			cands[n++] = g->long_name;
	if (n < QE_ARRAY_SIZE(cands))
		cands[n++] = "help";
	best = qe_did_you_mean(word, cands, n);
	if (best)
		fprintf(stderr, "qerrors: did you mean '--%s'?\n", best);
	free(word);
}

static int choice_ok(const char *choices, const char *v)
{
	size_t vl = strlen(v);
	const char *p = choices;
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == vl && !strncmp(p, v, l))
			return 1;
		if (!bar)
			break;
		p = bar + 1;
	}
	return 0;
}

static int set_value(const struct qe_option *o, const char *arg, const char *shown)
{
	long n;
	switch (o->type) {
	case QE_OPT_FLAG:
		*(int *)o->value = 1;
		return 0;
	case QE_OPT_COUNT:
		(*(int *)o->value)++;
		return 0;
	case QE_OPT_STRING:
	case QE_OPT_DIR:
		*(const char **)o->value = arg;
		return 0;
	case QE_OPT_INT:
		if (qe_parse_long(arg, &n) < 0) {
			fprintf(stderr,
				"qerrors: option '%s' expects a number, not '%s'\n",
				shown, arg);
			return -1;
		}
		*(long *)o->value = n;
		return 0;
	case QE_OPT_CHOICE:
		if (!choice_ok(o->choices, arg)) {
			fprintf(stderr,
				"qerrors: option '%s' expects one of %s, not '%s'\n",
				shown, o->choices, arg);
			return -1;
		}
		*(const char **)o->value = arg;
		return 0;
	case QE_OPT_END:
		break;
	}
	return -1;
}

static int is_flag(const struct qe_option *o)
{
	return o->type == QE_OPT_FLAG || o->type == QE_OPT_COUNT;
}

/* The command's own options, one a line, "=" after those with a value;
 * or, for the shell completion, the full answer (cmd/main.c). */
static void completion_helper(const struct qe_option *opts)
{
	if (qe_completion_pending(opts))
		return;
	for (; opts->type != QE_OPT_END; opts++) {
		if (!opts->long_name)
			continue;
		printf("--%s%s\n", opts->long_name, is_flag(opts) ? "" : "=");
	}
	printf("--help\n");
}

void qe_usage(FILE *out, const struct qe_option *opts, const char *const *usage)
{
	const struct qe_option *o;
	int i;
	for (i = 0; usage[i]; i++)
		fprintf(out, "%s%s\n", i ? "   or: " : "usage: ", usage[i]);
	fprintf(out, "\n");
	for (o = opts; o->type != QE_OPT_END; o++) {
		char left[128];
		const char *argname = o->argh ? o->argh : "VALUE";
		if (o->type == QE_OPT_CHOICE)
			argname = o->choices;
		if (o->short_name && o->long_name)
			snprintf(left, sizeof(left), "-%c, --%s", o->short_name,
				 o->long_name);
		else if (o->long_name)
			snprintf(left, sizeof(left), "    --%s", o->long_name);
		else
			snprintf(left, sizeof(left), "-%c", o->short_name);
		if (!is_flag(o)) {
			size_t l = strlen(left);
			snprintf(left + l, sizeof(left) - l, "%s%s",
				 o->long_name ? "=" : " ", argname);
		}
		if (strlen(left) > 26)
			fprintf(out, "    %s\n%30s%s\n", left, "", o->help);
		else
			fprintf(out, "    %-26s%s\n", left, o->help);
	}
	fprintf(out, "    %-26s%s\n", "-h, --help", "show this help");
	if (opts != qe_global_options()) {
		const struct qe_option *g;
		fprintf(out,
			"\nglobal options, taken here too (see 'qerrors --help'):\n   ");
		for (g = qe_global_options(); g->type != QE_OPT_END; g++)
			fprintf(out, " --%s", g->long_name);
		fprintf(out, "\n");
	}
}

/*
 * The one parser.  With `stop`, parsing ends at the first argument that
 * is not an option (the command, for the global options) and its index
 * is returned; -h then returns 0 instead of printing.  Otherwise the
 * arguments are gathered into *rest and their count returned.
 */
static int parse(int argc, char **argv, const struct qe_option *opts,
		 const char *const *usage, char ***rest, int stop)
{
	int i, out = 0, global, saw_global = 0;
	int only_args = 0;
	char **args = argv + 1;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct qe_option *o;
		if (only_args || a[0] != '-' || !a[1]) {
			if (stop)
				break;
			args[out++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			if (stop) {
				i++;
				break;
			}
			only_args = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			if (len == 4 && !strncmp(name, "help", 4)) {
				if (stop)
					return 0;
				qe_usage(stdout, opts, usage);
				exit(qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK);
			}
			if (!stop && len == 17 &&
			    !strncmp(name, "completion-helper", 17)) {
				completion_helper(opts);
				exit(qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK);
			}
			o = find_long(opts, name, len, &global);
			if (!o) {
				fprintf(stderr, "qerrors: unknown option '--%.*s'\n",
					(int)len, name);
				suggest_long(opts, name, len);
				return -1;
			}
			saw_global |= global;
			if (is_flag(o)) {
				if (eq) {
					fprintf(stderr,
						"qerrors: option '--%s' takes no value\n",
						o->long_name);
					return -1;
				}
				set_value(o, NULL, a);
				continue;
			}
			if (!eq) {
				if (i + 1 >= argc) {
					fprintf(
					    stderr,
					    "qerrors: option '--%s' requires a value\n",
					    o->long_name);
					return -1;
				}
				eq = argv[++i] - 1;
			}
			if (set_value(o, eq + 1, a) < 0)
				return -1;
			continue;
		}
		/* a cluster of short options: -vq, -fFILE, -f FILE */
		for (a = a + 1; *a; a++) {
			char shown[3] = {'-', *a, 0};
			if (*a == 'h') {
				if (stop)
					return 0;
				qe_usage(stdout, opts, usage);
				exit(qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK);
			}
			o = find_short(opts, *a, &global);
			if (!o) {
				fprintf(stderr, "qerrors: unknown option '-%c'\n", *a);
				return -1;
			}
			saw_global |= global;
			if (is_flag(o)) {
				set_value(o, NULL, shown);
				continue;
			}
			if (a[1]) {
				if (set_value(o, a + 1, shown) < 0)
					return -1;
			} else if (i + 1 < argc) {
				if (set_value(o, argv[++i], shown) < 0)
					return -1;
			} else {
				fprintf(stderr,
					"qerrors: option '-%c' requires a value\n", *a);
				return -1;
			}
			break;
		}
	}
	if (saw_global)
		qe_global_options_done();
	if (stop)
		return i;
	args[out] = NULL;
	*rest = args;
	return out;
}

int qe_parse_options(int argc, char **argv, const struct qe_option *opts,
		     const char *const *usage, char ***rest)
{
	return parse(argc, argv, opts, usage, rest, 0);
}

int qe_parse_global_options(int argc, char **argv, const struct qe_option *opts,
			    const char *const *usage)
{
	return parse(argc, argv, opts, usage, NULL, 1);
}
