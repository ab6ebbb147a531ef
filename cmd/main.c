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
#include "statedir.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * `args` says what a command's positional arguments are, for completion:
 * "files" (paths), "groups" (fingerprints of error groups), "commands",
 * or "sub=" and the subcommands, each with ":" and what its own argument
 * is ("sub=list,show:advice" - fingerprints in the advice cache).
 */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct qe_ctx *ctx);
	const char *help;
	const char *args;
};

static const struct command commands[] = {
    {"tail", cmd_tail, "follow log files and report errors with fix advice", "files"},
    {"analyze", cmd_analyze,
     "explain errors and stack traces from a file or standard input", "files"},
    {"stats", cmd_stats,
     "show counters, agent state, cost and how far behind each source is", NULL},
    {"advice", cmd_advice, "list error groups with their fix advice, or show one group",
     "groups"},
    {"cache", cmd_cache, "list, show, clear and prune cached advice",
     "sub=list,show:advice,clear:advice,prune,stats"},
    {"summary", cmd_summary, "summarise recent error groups, for cron and tickets", NULL},
    {"rules", cmd_rules, "list, test and check the rules that recognise errors",
     "sub=list,test:files,check"},
    {"fingerprint", cmd_fingerprint, "show how lines and events are grouped", "files"},
    {"doctor", cmd_doctor, "check the configuration, state and AI service", NULL},
};

static const char *const global_usage[] = {
    "qerrors [-c FILE] [--state-dir DIR] [-v|-q] [--color=WHEN] <command> [<args>]",
    NULL,
};

/*
 * The context every command gets.  Global options write into it straight
 * from their table, before the command and after it alike.
 */
static struct qe_ctx the_ctx;
static const char *color_arg;
static int want_version;
static char state_dir_help[512] = "state directory";
static char config_help[512] = "configuration file (see qerrors.yaml(5))";

static struct qe_option global_options[] = {
    QE_OPT_STRING_('c', "config", &the_ctx.config_path, "FILE", config_help),
    QE_OPT_DIR_(0, "state-dir", &the_ctx.state_dir, "DIR", state_dir_help),
    QE_OPT_COUNT_('v', "verbose", &the_ctx.verbose, "say more on standard error"),
    QE_OPT_FLAG_('q', "quiet", &the_ctx.quiet, "say only errors on standard error"),
    QE_OPT_CHOICE_(0, "color", &color_arg, "auto|always|never",
		   "colour output (NO_COLOR is honoured)"),
    QE_OPT_FLAG_('V', "version", &want_version, "show the version"),
    QE_OPT_END_,
};

const struct qe_option *qe_global_options(void)
{
	return global_options;
}

/* A message of several lines (every error of a config file) gets the
 * prefix on each line, so that each reads on its own. */
void qe_error_msg(const char *fmt, ...)
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
	if (the_ctx.quiet)
		return;
	qe_warn_msg("%s", msg);
}

static int config_loaded;

int qe_ctx_load_config(struct qe_ctx *ctx)
{
	if (config_loaded)
		return 0;
	if (qe_config_load(&ctx->cfg, ctx->config_path) < 0) {
		qe_error_msg("%s", qe_last_error());
		return -1;
	}
	config_loaded = 1;
	return 0;
}

/* The same without a word on stderr, for --help and completion; a file
 * that does not load leaves the defaults and the environment. */
static int load_config_quiet(struct qe_ctx *ctx)
{
	int r = 0;
	qe_set_warning_handler(NULL);
	if (!config_loaded) {
		if (qe_config_load(&ctx->cfg, ctx->config_path) < 0) {
			qe_config_release(&ctx->cfg);
			qe_config_init(&ctx->cfg);
			qe_config_apply_env(&ctx->cfg);
			qe_clear_error();
			r = -1;
		} else {
			config_loaded = 1;
		}
	}
	qe_set_warning_handler(warning_handler);
	return r;
}

const char *qe_ctx_state_dir(struct qe_ctx *ctx)
{
	if (ctx->state_dir)
		return ctx->state_dir;
	return ctx->cfg.state_dir;
}

int qe_stdout_error(void)
{
	static int failed;
	struct pollfd p = {STDOUT_FILENO, POLLOUT, 0};

	if (failed)
		return failed;
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	/* stdio may have dropped what it could not write: then errno no
	 * longer tells why, but a pipe whose reader left still says so */
	failed = errno;
	if (!failed)
		failed = poll(&p, 1, 0) == 1 && (p.revents & POLLERR) ? EPIPE : EIO;
	/* git's run_builtin(): a full disk must not pass silently; a reader
	 * that went away (`| head`) is no error */
	if (failed != EPIPE)
		qe_error_msg("cannot write to standard output: %s", strerror(failed));
	return failed;
}

int qe_finish_stdout(void)
{
	int err = qe_stdout_error();
	return err && err != EPIPE ? -1 : 0;
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

/*
 * The state directory this run would use, as --help shows it: the
 * option, else the configuration (which holds QERRORS_STATE_DIR), else
 * the default for this user.  Owned by the caller; NULL when unknown.
 */
static char *state_dir_in_use(const char **why)
{
	char *dir;
	if (the_ctx.state_dir) {
		*why = "--state-dir";
		return qe_xstrdup(the_ctx.state_dir);
	}
	/* a broken file is reported by the command, not by --help */
	if (load_config_quiet(&the_ctx) == 0 && the_ctx.cfg.state_dir) {
		const char *env = getenv("QERRORS_STATE_DIR");
		*why =
		    env && *env ? "QERRORS_STATE_DIR" : "state_dir in the configuration";
		return qe_xstrdup(the_ctx.cfg.state_dir);
	}
	*why = geteuid() == 0 ? "default for root" : "default";
	dir = qe_statedir_default();
	if (!dir)
		qe_clear_error();
	return dir;
}

static void global_help(FILE *out)
{
	const char *why = NULL;
	char *dir = state_dir_in_use(&why);
	if (dir)
		snprintf(state_dir_help, sizeof(state_dir_help),
			 "state directory (now: %s, the %s)", dir, why);
	else
		snprintf(state_dir_help, sizeof(state_dir_help),
			 "state directory (no default: no home directory)");
	free(dir);
	if (the_ctx.cfg.path)
		snprintf(config_help, sizeof(config_help), "configuration file (now: %s)",
			 the_ctx.cfg.path);
	else
		snprintf(config_help, sizeof(config_help),
			 "configuration file (now: none; see qerrors.yaml(5))");
	qe_usage(out, global_options, global_usage);
	list_commands(out);
	fprintf(out, "\nGlobal options may also follow the command.\n"
		     "See 'qerrors help <command>' or 'man qerrors' for more.\n");
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
	qe_error_msg("'%s' is not a qerrors command; see 'qerrors --help'", name);
	best = qe_did_you_mean(name, names, QE_ARRAY_SIZE(names));
	if (best)
		fprintf(stderr, "qerrors: did you mean '%s'?\n", best);
	return QE_EXIT_USAGE;
}

/* Colour and the version, after global options were parsed (again). */
int qe_global_options_done(void)
{
	const char *nc;
	if (want_version) {
		printf("qerrors %s\n", QE_VERSION);
		exit(qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK);
	}
	the_ctx.color = QE_COLOR_AUTO;
	if (color_arg && !strcmp(color_arg, "always"))
		the_ctx.color = QE_COLOR_ALWAYS;
	else if (color_arg && !strcmp(color_arg, "never"))
		the_ctx.color = QE_COLOR_NEVER;
	nc = getenv("NO_COLOR");
	if (the_ctx.color == QE_COLOR_ALWAYS)
		the_ctx.use_color = 1;
	else if (the_ctx.color == QE_COLOR_NEVER)
		the_ctx.use_color = 0;
	else {
		const char *term = getenv("TERM");
		the_ctx.use_color = isatty(STDOUT_FILENO) && !(nc && *nc) &&
				    !(term && !strcmp(term, "dumb"));
	}
	return 0;
}

/* ---- completion: the shells ask, the tables answer ---- */

static void put_word(const char *w, const char *cur)
{
	if (!strncmp(w, cur, strlen(cur)))
		printf("%s\n", w);
}

static void put_options(const struct qe_option *opts, const char *cur)
{
	char buf[128];
	for (; opts->type != QE_OPT_END; opts++) {
		if (!opts->long_name)
			continue;
		snprintf(buf, sizeof(buf), "--%s%s", opts->long_name,
			 opts->type == QE_OPT_FLAG || opts->type == QE_OPT_COUNT ? ""
										 : "=");
		put_word(buf, cur);
	}
}

static void put_choices(const char *choices, const char *cur)
{
	char buf[128];
	const char *p = choices;
	while (*p) {
		size_t l = strcspn(p, "|");
		snprintf(buf, sizeof(buf), "%.*s", (int)l, p);
		put_word(buf, cur);
		p += l;
		if (*p)
			p++;
	}
}

/* What an option's value is: its choices, a directory, a file, or free text. */
static void complete_value(const struct qe_option *o, const char *cur)
{
	if (o->type == QE_OPT_CHOICE) {
		printf("words\n");
		put_choices(o->choices, cur);
	} else if (o->type == QE_OPT_DIR) {
		printf("dirs\n");
	} else if (o->argh && !strcmp(o->argh, "FILE")) {
		printf("files\n");
	} else {
		printf("none\n");
	}
}

static int put_fingerprint(const char *fp, void *data)
{
	put_word(fp, data);
	return 0;
}

/* Fingerprints from the state, read-only; nothing when there is none. */
static void complete_fingerprints(int from, const char *cur)
{
	struct qe_store *st;
	const char *dir;
	printf("words\n");
	qe_set_warning_handler(NULL);
	if (load_config_quiet(&the_ctx) < 0)
		return;
	dir = qe_ctx_state_dir(&the_ctx);
	st = qe_store_open(dir, QE_STORE_READONLY);
	if (!st)
		return;
	qe_store_fingerprints(st, cur, from, put_fingerprint, (void *)cur);
	qe_store_close(st);
}

static const struct qe_option *option_named(const struct qe_option *opts,
					    const char *word)
{
	size_t len = strcspn(word, "=");
	for (; opts->type != QE_OPT_END; opts++) {
		if (word[0] == '-' && word[1] == '-' && opts->long_name &&
		    strlen(opts->long_name) == len - 2 &&
		    !strncmp(word + 2, opts->long_name, len - 2))
			return opts;
		if (word[0] == '-' && word[1] && !word[2] && opts->short_name == word[1])
			return opts;
	}
	return NULL;
}

static int takes_value(const struct qe_option *o)
{
	return o && o->type != QE_OPT_FLAG && o->type != QE_OPT_COUNT;
}

/* A positional argument of kind `kind` (see struct command), the n-th. */
static void complete_positional(const char *kind, char **pos, int n, const char *cur)
{
	size_t i;
	if (!kind) {
		printf("none\n");
	} else if (!strcmp(kind, "files")) {
		printf("files\n");
	} else if (!strcmp(kind, "groups")) {
		if (n == 0)
			complete_fingerprints(QE_STORE_FP_GROUPS, cur);
		else
			printf("none\n");
	} else if (!strcmp(kind, "advice")) {
		if (n == 0)
			complete_fingerprints(QE_STORE_FP_ADVICE, cur);
		else
			printf("none\n");
	} else if (!strcmp(kind, "commands")) {
		printf("words\n");
		if (n == 0) {
			for (i = 0; i < QE_ARRAY_SIZE(commands); i++)
				put_word(commands[i].name, cur);
		}
	} else if (!strncmp(kind, "sub=", 4)) {
		const char *p = kind + 4;
		char name[64];
		if (n == 0)
			printf("words\n");
		while (*p) {
			size_t l = strcspn(p, ",");
			size_t nl = strcspn(p, ",:");
			snprintf(name, sizeof(name), "%.*s", (int)nl, p);
			if (n == 0) {
				put_word(name, cur);
			} else if (!strcmp(name, pos[0])) {
				if (nl < l) {
					char sub[64];
					snprintf(sub, sizeof(sub), "%.*s",
						 (int)(l - nl - 1), p + nl + 1);
					complete_positional(sub, pos + 1, n - 1, cur);
				} else {
					printf("none\n");
				}
				return;
			}
			p += l;
			if (*p)
				p++;
		}
		if (n > 0)
			printf("none\n");
	} else {
		printf("none\n");
	}
}

/*
 * The words of the command line after the command (or after "qerrors"
 * when `c` is NULL), the last being the one under the cursor.  An option
 * value is passed as its own word: the shells split "--color=al" into
 * "--color" "al".  Prints what to offer: a first line "words", "files",
 * "dirs" or "none", then for "words" the candidates that start with the
 * word under the cursor; a candidate ending in '=' takes a value.
 */
static void complete_words(const struct command *c, const struct qe_option *opts,
			   char **words, int nwords)
{
	const char *cur = nwords > 0 ? words[nwords - 1] : "";
	char *pos[16];
	int i, npos = 0, only_args = 0, global;

	for (i = 0; i < nwords - 1; i++) {
		const struct qe_option *o;
		const char *w = words[i];
		if (only_args || w[0] != '-' || !w[1]) {
			if (npos < (int)QE_ARRAY_SIZE(pos))
				pos[npos++] = words[i];
			continue;
		}
		if (!strcmp(w, "--")) {
			only_args = 1;
			continue;
		}
		o = opts ? option_named(opts, w) : NULL;
		global = !o;
		if (!o)
			o = option_named(global_options, w);
		if (takes_value(o) && !strchr(w, '=')) {
			if (i + 1 == nwords - 1) {
				complete_value(o, cur);
				return;
			}
			i++;
			/* -c and --state-dir matter for the fingerprints */
			if (global)
				*(const char **)o->value = words[i];
		} else if (takes_value(o) && global) {
			*(const char **)o->value = strchr(w, '=') + 1;
		}
	}
	if (!only_args && cur[0] == '-') {
		printf("words\n");
		if (opts) {
			put_options(opts, cur);
			put_word("--help", cur);
		} else {
			put_options(global_options, cur);
			put_word("--help", cur);
		}
		return;
	}
	if (!c) {
		printf("words\n");
		for (i = 0; i < (int)QE_ARRAY_SIZE(commands); i++)
			put_word(commands[i].name, cur);
		put_word("help", cur);
		return;
	}
	complete_positional(c->args, pos, npos, cur);
}

/* Set by main for `qerrors --completion-helper=complete -- WORDS...`. */
static const struct command *complete_cmd;
static char **complete_argv;
static int complete_argc;

int qe_completion_pending(const struct qe_option *opts)
{
	if (!complete_cmd)
		return 0;
	complete_words(complete_cmd, opts, complete_argv, complete_argc);
	return 1;
}

static int run_completion(int argc, char **argv)
{
	int i = 0;
	/* the words after "qerrors": global options, then maybe a command */
	while (i < argc - 1) {
		const struct qe_option *o;
		const char *w = argv[i];
		if (w[0] != '-' || !w[1])
			break;
		if (!strcmp(w, "--")) {
			i++;
			break;
		}
		o = option_named(global_options, w);
		if (takes_value(o) && strchr(w, '=')) {
			*(const char **)o->value = strchr(w, '=') + 1;
			i++;
			continue;
		}
		if (takes_value(o) && i + 1 < argc - 1) {
			/* -c and --state-dir matter for the fingerprints */
			*(const char **)o->value = argv[i + 1];
			i += 2;
			continue;
		}
		if (takes_value(o) && !strchr(w, '=') && i + 1 == argc - 1)
			break;
		i++;
	}
	if (i >= argc - 1 || argv[i][0] == '-') {
		complete_words(NULL, NULL, argv, argc);
		return qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK;
	}
	if (!strcmp(argv[i], "help")) {
		static const struct command help = {"help", NULL, NULL, "commands"};
		complete_words(&help, global_options, argv + i + 1, argc - i - 1);
		return qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK;
	}
	complete_cmd = find_command(argv[i]);
	if (!complete_cmd) {
		printf("none\n");
		return qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK;
	}
	complete_argv = argv + i + 1;
	complete_argc = argc - i - 1;
	{
		/* the command's own table answers, through qe_parse_options() */
		char *cargv[3];
		cargv[0] = (char *)complete_cmd->name;
		cargv[1] = (char *)"--completion-helper";
		cargv[2] = NULL;
		return complete_cmd->fn(2, cargv, &the_ctx);
	}
}

static int run_command(const struct command *c, int argc, char **argv, struct qe_ctx *ctx)
{
	int rc = c->fn(argc, argv, ctx);
	if (qe_finish_stdout() < 0 && rc == QE_EXIT_OK)
		rc = QE_EXIT_FAILURE;
	return rc;
}

int main(int argc, char **argv)
{
	struct qe_ctx *ctx = &the_ctx;
	const struct command *c;
	int i, rc;

	/* In a pipeline a closed reader ends us quietly; writes report EPIPE
	 * and commands stop on it. */
	signal(SIGPIPE, SIG_IGN);
	qe_set_warning_handler(warning_handler);
	qe_config_init(&ctx->cfg);

	if (argc > 1 && !strcmp(argv[1], "--completion-helper")) {
		size_t k;
		for (k = 0; k < QE_ARRAY_SIZE(commands); k++)
			printf("%s\n", commands[k].name);
		printf("help\n");
		put_options(global_options, "");
		return qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK;
	}
	if (argc > 2 && !strcmp(argv[1], "--completion-helper=complete") &&
	    !strcmp(argv[2], "--"))
		return run_completion(argc - 3, argv + 3);

	i = qe_parse_global_options(argc, argv, global_options, global_usage);
	if (i < 0)
		return QE_EXIT_USAGE;
	if (i == 0) { /* -h */
		global_help(stdout);
		return qe_finish_stdout() ? QE_EXIT_FAILURE : QE_EXIT_OK;
	}
	qe_global_options_done();

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
		return run_command(c, 2, hargv, ctx);
	}
	c = find_command(argv[i]);
	if (!c)
		return unknown_command(argv[i]);
	rc = run_command(c, argc - i, argv + i, ctx);
	qe_config_release(&ctx->cfg);
	return rc;
}
