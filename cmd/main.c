/*
 * qerrors: the command table and global options.
 *
 *   qerrors [global options] <command> [options] [args]
 *
 * Global options come before the command.  Each command is a function in
 * cmd/<name>.c; this file only dispatches, loads the configuration on
 * demand, and makes sure what was written to stdout really got there.
 */
#include "qerrors.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct qe_ctx *ctx);
	const char *help;
};

static const struct command commands[] = {
    {"tail", cmd_tail, "follow log files and report errors with fix advice"},
    {"analyze", cmd_analyze,
     "explain errors and stack traces from a file or standard input"},
    {"stats", cmd_stats,
     "show counters, agent state, cost and how far behind each source is"},
    {"advice", cmd_advice, "list error groups with their fix advice, or show one group"},
    {"cache", cmd_cache, "list, show, clear and prune cached advice"},
    {"summary", cmd_summary, "summarise recent error groups, for cron and tickets"},
    {"rules", cmd_rules, "list, test and check the rules that recognise errors"},
    {"fingerprint", cmd_fingerprint, "show how lines and events are grouped"},
    {"doctor", cmd_doctor, "check the configuration, state and AI service"},
};

static const char *const global_usage[] = {
    "qerrors [-c FILE] [--state-dir DIR] [-v|-q] [--color=WHEN] <command> [<args>]",
    NULL,
};

/* A message of several lines (every error of a config file) gets the
 * prefix on each line, so that each reads on its own. */
void qe_die_msg(const char *fmt, ...)
{
	char buf[2048];
	const char *p, *nl;
	va_list ap;
	fflush(stdout);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (p = buf;; p = nl + 1) {
		nl = strchr(p, '\n');
		fprintf(stderr, "qerrors: %.*s\n", nl ? (int)(nl - p) : (int)strlen(p),
			p);
		if (!nl)
			break;
	}
}

void qe_warn_msg(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("qerrors: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static struct qe_ctx *global_ctx;

void qe_info_msg(struct qe_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	if (!ctx->verbose)
		return;
	fputs("qerrors: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void warning_handler(const char *msg)
{
	if (global_ctx && global_ctx->quiet)
		return;
	qe_warn_msg("%s", msg);
}

int qe_ctx_load_config(struct qe_ctx *ctx)
{
	static int loaded;
	if (loaded)
		return 0;
	if (qe_config_load(&ctx->cfg, ctx->config_path) < 0) {
		qe_die_msg("%s", qe_last_error());
		return -1;
	}
	loaded = 1;
	return 0;
}

const char *qe_ctx_state_dir(struct qe_ctx *ctx)
{
	if (ctx->state_dir)
		return ctx->state_dir;
	return ctx->cfg.state_dir;
}

int qe_finish_stdout(void)
{
	/* git's run_builtin(): a full disk or a closed pipe must not pass silently */
	if (fflush(stdout) || ferror(stdout)) {
		if (errno == EPIPE)
			return 0;
		qe_die_msg("cannot write to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

const char *qe_color_code(struct qe_ctx *ctx, const char *code)
{
	return ctx->use_color ? code : "";
}

static void list_commands(FILE *out)
{
	size_t i;
	fprintf(out, "\ncommands:\n");
	for (i = 0; i < QE_ARRAY_SIZE(commands); i++)
		fprintf(out, "    %-13s%s\n", commands[i].name, commands[i].help);
	fprintf(out, "    %-13s%s\n", "help", "show help for a command");
}

static void global_help(FILE *out)
{
	fprintf(out, "usage: %s\n\n", global_usage[0]);
	fprintf(out,
		"global options:\n"
		"    -c, --config=FILE         configuration file (default: "
		"$QERRORS_CONFIG,\n"
		"                              ~/.config/qerrors/qerrors.yaml, "
		"/etc/qerrors/qerrors.yaml)\n"
		"    --state-dir=DIR           state directory (default: "
		"~/.local/state/qerrors)\n"
		"    -v, --verbose             say more on standard error\n"
		"    -q, --quiet               say only errors on standard error\n"
		"    --color=auto|always|never colour output (NO_COLOR is honoured)\n"
		"    -h, --help                show this help\n"
		"    -V, --version             show the version\n");
	list_commands(out);
	fprintf(out, "\nSee 'qerrors help <command>' or 'man qerrors' for more.\n");
}

static const struct command *find_command(const char *name)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *names[QE_ARRAY_SIZE(commands) + 1];
	const char *best;
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(commands); i++)
		names[i] = commands[i].name;
	names[i] = "help";
	qe_die_msg("'%s' is not a qerrors command; see 'qerrors --help'", name);
	best = qe_did_you_mean(name, names, QE_ARRAY_SIZE(names));
	if (best)
		fprintf(stderr, "qerrors: did you mean '%s'?\n", best);
	return QE_EXIT_USAGE;
}

static int run_command(const struct command *c, int argc, char **argv, struct qe_ctx *ctx)
{
	int rc = c->fn(argc, argv, ctx);
	if (qe_finish_stdout() < 0 && rc == QE_EXIT_OK)
		rc = QE_EXIT_FAILURE;
	return rc;
}

static const char *const global_long[] = {"config", "state-dir", "verbose", "quiet",
					  "color",  "help",	 "version"};

int main(int argc, char **argv)
{
	static struct qe_ctx ctx;
	const char *color = NULL, *nc;
	const struct command *c;
	int i, rc;

	/* In a pipeline a closed reader ends us quietly; writes report EPIPE
	 * and commands stop on it. */
	signal(SIGPIPE, SIG_IGN);
	global_ctx = &ctx;
	qe_set_warning_handler(warning_handler);
	qe_config_init(&ctx.cfg);

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			global_help(stdout);
			return qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK;
		}
		if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("qerrors %s\n", QE_VERSION);
			return qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK;
		}
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			ctx.verbose++;
			continue;
		}
		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			ctx.quiet = 1;
			continue;
		}
		if (!strcmp(a, "-c") || !strcmp(a, "--config") ||
		    !strcmp(a, "--state-dir") || !strcmp(a, "--color")) {
			if (i + 1 >= argc) {
				qe_die_msg("option '%s' requires a value", a);
				return QE_EXIT_USAGE;
			}
			val = argv[++i];
		} else if (!strncmp(a, "--config=", 9) ||
			   !strncmp(a, "--state-dir=", 12) ||
			   !strncmp(a, "--color=", 8)) {
			val = strchr(a, '=') + 1;
		} else if (!strncmp(a, "-c", 2)) {
			val = a + 2;
			a = "-c";
		} else if (!strcmp(a, "--completion-helper")) {
			size_t k;
			for (k = 0; k < QE_ARRAY_SIZE(commands); k++)
				printf("%s\n", commands[k].name);
			printf("help\n");
			for (k = 0; k < QE_ARRAY_SIZE(global_long); k++)
				printf("--%s\n", global_long[k]);
			return qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK;
		} else {
			const char *name = a[1] == '-' ? a + 2 : a + 1;
			const char *best = qe_did_you_mean(name, global_long,
							   QE_ARRAY_SIZE(global_long));
			qe_die_msg("unknown option '%s'", a);
			if (best)
				fprintf(stderr, "qerrors: did you mean '--%s'?\n", best);
			return QE_EXIT_USAGE;
		}
		if (!strncmp(a, "--config", 8) || !strcmp(a, "-c"))
			ctx.config_path = val;
		else if (!strncmp(a, "--state-dir", 11))
			ctx.state_dir = val;
		else
			color = val;
	}

	ctx.color = QE_COLOR_AUTO;
	if (color) {
		if (!strcmp(color, "always"))
			ctx.color = QE_COLOR_ALWAYS;
		else if (!strcmp(color, "never"))
			ctx.color = QE_COLOR_NEVER;
		else if (strcmp(color, "auto")) {
			qe_die_msg(
			    "option '--color' expects auto, always or never, not '%s'",
			    color);
			return QE_EXIT_USAGE;
		}
	}
	nc = getenv("NO_COLOR");
	if (ctx.color == QE_COLOR_ALWAYS)
		ctx.use_color = 1;
	else if (ctx.color == QE_COLOR_AUTO)
		ctx.use_color = isatty(STDOUT_FILENO) && !(nc && *nc) &&
				!(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));

	if (i >= argc) {
		global_help(stderr);
		return QE_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		char *hargv[3];
		if (i + 1 >= argc) {
			global_help(stdout);
			return qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK;
		}
		c = find_command(argv[i + 1]);
		if (!c)
			return unknown_command(argv[i + 1]);
		hargv[0] = argv[i + 1];
		hargv[1] = (char *)"--help";
		hargv[2] = NULL;
		return run_command(c, 2, hargv, &ctx);
	}
	c = find_command(argv[i]);
	if (!c)
		return unknown_command(argv[i]);
	rc = run_command(c, argc - i, argv + i, &ctx);
	qe_config_release(&ctx.cfg);
	return rc;
}
