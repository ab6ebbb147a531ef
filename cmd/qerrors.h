/*
 * The command-line front end: command table, option tables, output.
 *
 * Each command lives in cmd/<name>.c and exports
 *   int cmd_<name>(int argc, char **argv, struct qe_ctx *ctx);
 * argv[0] is the command name.  A command parses its options with
 * qe_parse_options() from one table, which also produces `-h` and the
 * hidden --completion-helper.  Commands return an exit code (QE_EXIT_*).
 */
#ifndef QE_CMD_H
#define QE_CMD_H

#include <stdio.h>

#include "config.h"

/* Exit codes, documented in qerrors(1). */
enum {
	QE_EXIT_OK = 0,
	QE_EXIT_FOUND = 1,   /* summary --exit-code: new groups; rules check failures */
	QE_EXIT_USAGE = 2,   /* usage or configuration error */
	QE_EXIT_FAILURE = 3, /* runtime failure: state, I/O */
	QE_EXIT_AI_UNAVAILABLE = 4, /* AI service unreachable, failing, or circuit open */
	QE_EXIT_AI_QUOTA = 5,	    /* AI billing stop (insufficient_quota) */
	QE_EXIT_AI_AUTH = 6,	    /* AI key rejected */
	QE_EXIT_LOCKED = 7, /* state directory locked by another agent (only that) */
};

enum qe_color { QE_COLOR_AUTO, QE_COLOR_ALWAYS, QE_COLOR_NEVER };

struct qe_ctx {
	struct qe_config cfg;
	const char *config_path; /* --config */
	const char *state_dir;	 /* --state-dir (overrides config) */
	int verbose;
	int quiet;
	enum qe_color color;
	int use_color; /* resolved for stdout */
};

enum qe_opt_type {
	QE_OPT_END,
	QE_OPT_FLAG,   /* int, set to 1 */
	QE_OPT_STRING, /* const char * */
	QE_OPT_INT,    /* long */
	QE_OPT_CHOICE, /* const char *, must be one of choices ("a|b|c") */
	QE_OPT_COUNT,  /* int, incremented each time (-vv) */
	QE_OPT_DIR,    /* const char *, a directory (completion offers directories) */
};

struct qe_option {
	enum qe_opt_type type;
	int short_name;	       /* 0 when none */
	const char *long_name; /* without dashes */
	void *value;
	const char *argh; /* argument name for help, e.g. "FILE" */
	const char *help;
	const char *choices; /* QE_OPT_CHOICE: "text|json|markdown" */
};

#define QE_OPT_FLAG_(s, l, v, h)                                                         \
	{                                                                                \
		QE_OPT_FLAG, (s), (l), (v), NULL, (h), NULL                              \
	}
#define QE_OPT_STRING_(s, l, v, a, h)                                                    \
	{                                                                                \
		QE_OPT_STRING, (s), (l), (v), (a), (h), NULL                             \
	}
#define QE_OPT_INT_(s, l, v, a, h)                                                       \
	{                                                                                \
		QE_OPT_INT, (s), (l), (v), (a), (h), NULL                                \
	}
#define QE_OPT_CHOICE_(s, l, v, c, h)                                                    \
	{                                                                                \
		QE_OPT_CHOICE, (s), (l), (v), NULL, (h), (c)                             \
	}
#define QE_OPT_COUNT_(s, l, v, h)                                                        \
	{                                                                                \
		QE_OPT_COUNT, (s), (l), (v), NULL, (h), NULL                             \
	}
#define QE_OPT_DIR_(s, l, v, a, h)                                                       \
	{                                                                                \
		QE_OPT_DIR, (s), (l), (v), (a), (h), NULL                                \
	}
#define QE_OPT_END_                                                                      \
	{                                                                                \
		QE_OPT_END, 0, NULL, NULL, NULL, NULL, NULL                              \
	}

/*
 * Parse options in place; on return argv holds the positional arguments
 * (argv[0] excluded) and the count is returned.  -h/--help prints the
 * usage and exits 0; --completion-helper prints the option names and
 * exits 0; an unknown or malformed option prints an error with "did you
 * mean" and returns -1 (the caller exits QE_EXIT_USAGE).  "--" ends options.
 */
int qe_parse_options(int argc, char **argv, const struct qe_option *opts,
		     const char *const *usage, char ***rest);
/*
 * The global options (cmd/main.c): accepted before the command and, when
 * the command's table has no option of that name, after it too.
 * qe_parse_global_options() parses argv up to the command and returns its
 * index, 0 for -h/--help, or -1 after a message.
 * qe_global_options_done() applies them (colour, --version).
 */
const struct qe_option *qe_global_options(void);
int qe_parse_global_options(int argc, char **argv, const struct qe_option *opts,
			    const char *const *usage);
int qe_global_options_done(void);
/* When the shell completion asks (qerrors --completion-helper=complete),
 * answer from `opts` and return 1; else 0. */
int qe_completion_pending(const struct qe_option *opts);
void qe_usage(FILE *out, const struct qe_option *opts, const char *const *usage);

/* Messages: "qerrors: <msg>" on stderr. */
void qe_error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void qe_warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void qe_info_msg(struct qe_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Load the configuration into ctx->cfg (once); returns 0 or -1 after printing. */
int qe_ctx_load_config(struct qe_ctx *ctx);
/* The state directory to use: --state-dir, config, env, default. Borrowed or NULL. */
const char *qe_ctx_state_dir(struct qe_ctx *ctx);

/* Flush stdout and report a write error (full disk, closed pipe). */
/* 0 while standard output takes what is written, else the errno value of
 * its failure (said once on standard error, except EPIPE: a reader that
 * went away); flushes stdout. */
int qe_stdout_error(void);
int qe_finish_stdout(void);

/* ANSI colour helpers; return "" when colour is off. */
const char *qe_color_code(struct qe_ctx *ctx, const char *code);

int cmd_analyze(int argc, char **argv, struct qe_ctx *ctx);
int cmd_tail(int argc, char **argv, struct qe_ctx *ctx);
int cmd_stats(int argc, char **argv, struct qe_ctx *ctx);
int cmd_advice(int argc, char **argv, struct qe_ctx *ctx);
int cmd_cache(int argc, char **argv, struct qe_ctx *ctx);
int cmd_summary(int argc, char **argv, struct qe_ctx *ctx);
int cmd_rules(int argc, char **argv, struct qe_ctx *ctx);
int cmd_fingerprint(int argc, char **argv, struct qe_ctx *ctx);
int cmd_doctor(int argc, char **argv, struct qe_ctx *ctx);

#endif
