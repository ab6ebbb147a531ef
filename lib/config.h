/*
 * config: qerrors.yaml (libyaml) plus environment overrides.
 *
 * qe_config_init() fills built-in defaults (no allocation other than
 * defaults' strings); qe_config_load() finds and parses the file, then
 * applies environment variables, then clamps.  Every key of the file has
 * a field here and a line in qerrors.yaml.example.  Errors in the file are
 * reported as "FILE:LINE:COLUMN: what is wrong" through qe_error().
 *
 * Search order: explicit path (--config), $QERRORS_CONFIG,
 * $XDG_CONFIG_HOME/qerrors/qerrors.yaml (~/.config/...), /etc/qerrors/qerrors.yaml.
 * An explicit path that does not exist is an error; a missing default is not.
 */
#ifndef QE_CONFIG_H
#define QE_CONFIG_H

#include <stddef.h>

/* A user rule (rules: list in the file). */
struct qe_rule_sample {
	char *line;  /* a sample input line */
	int matches; /* expected: 1 = must start an event, 0 = must not */
};

struct qe_rule_conf {
	char *name;	    /* required, unique */
	char *pattern;	    /* required: PCRE2; a match starts an event */
	char *severity;	    /* "error" when absent */
	char *kind;	    /* event kind; defaults to the rule name */
	char *start;	    /* optional: multi-line start pattern (defaults to pattern) */
	char *continuation; /* optional: lines matching this continue the event */
	char **ignore;	    /* optional: lines matching any of these are not errors */
	size_t nr_ignore;
	struct qe_rule_sample *samples;
	size_t nr_samples;
	char *file; /* where it was defined, for messages */
	int line;
};

struct qe_price {
	char *model;
	double prompt_per_mtok;	    /* USD per 1M prompt tokens */
	double completion_per_mtok; /* USD per 1M completion tokens */
};

struct qe_config {
	char *path;	 /* the file that was loaded; NULL when none */
	char *state_dir; /* NULL = default location */

	/* ai: */
	char *ai_base_url;  /* NULL = not configured; the default URL is used only with a
			       key */
	char *ai_model;	    /* default "gpt-4o-mini" */
	char *ai_api_key;   /* from the file or OPENAI_API_KEY / QERRORS_AI_API_KEY; never
			       print */
	long ai_max_tokens; /* 800 */
	long ai_temperature_milli; /* 0 */
	long connect_timeout_ms;   /* 5000 */
	long timeout_ms;	   /* 60000, QERRORS_TIMEOUT */
	long retry_attempts;	   /* 2 */
	long retry_base_ms;	   /* 100 */
	long retry_max_ms;	   /* 2000 */
	long retry_after_max_ms;   /* 120000: cap on a server's Retry-After */
	long concurrency;	   /* 5 */
	long queue_limit;	   /* 100 */
	long batch_size;	   /* 5 fingerprints per request */
	long batch_wait_ms;	   /* 200 */
	long metric_interval_ms;   /* 30000; 0 = off */
	char *response_format;	   /* "auto" (json_schema, then fallbacks), "json_schema",
				      "json_object", "text" */
	long breaker_threshold;	   /* 5 consecutive failures open the circuit */
	long breaker_open_ms;	   /* 60000 */
	long breaker_close_after;  /* 3 successful probes close it */
	struct qe_price *prices;
	size_t nr_prices;

	/* cache: */
	long cache_limit;	       /* 1000 entries; 0 = caching off */
	long cache_ttl;		       /* 86400 s; 0 = no expiry */
	char *cache_backend;	       /* "sqlite" or "redis" */
	char *redis_url;	       /* redis://host:port/db */
	char *redis_prefix;	       /* "qerrors:" */
	long redis_daily_token_budget; /* 0 = unlimited */

	/* redact: */
	int redact_ips;		/* 1 */
	int redact_emails;	/* 1 */
	char **redact_patterns; /* extra PCRE2 patterns */
	size_t nr_redact_patterns;

	/* rules: */
	int builtin_rules; /* 1 */
	struct qe_rule_conf *rules;
	size_t nr_rules;
	char **ignore; /* global ignore patterns */
	size_t nr_ignore;
	long match_limit; /* PCRE2 match limit, 100000 */

	/* events / tail: */
	long max_line_bytes;	  /* 65536: longer lines are cut and counted */
	long event_max_lines;	  /* 200 */
	long event_max_bytes;	  /* 65536 */
	long idle_timeout_ms;	  /* 1000: an open multi-line event closes after this */
	long ring_events;	  /* 1000 recent events kept in memory */
	long ring_bytes;	  /* 4 MiB */
	long collapse_window_ms;  /* 10000: repeats within it print as a count */
	long shutdown_timeout_ms; /* 5000 */
	long commit_interval_ms;  /* 1000: database batch commit */
	char *follow_backend;	  /* "auto", "inotify", "poll" */
	long poll_interval_ms;	  /* 1000 */
	long read_buffer_bytes;	  /* 262144 */
	char **tail_exclude;	  /* glob matches to leave out (fnmatch patterns) */
	size_t nr_tail_exclude;
};

void qe_config_init(struct qe_config *c);
/* explicit_path may be NULL.  Returns 0, or -1 with qe_error() set. */
int qe_config_load(struct qe_config *c, const char *explicit_path);
/* Parse a YAML document from memory (tests); `name` is used in messages. */
int qe_config_load_string(struct qe_config *c, const char *name, const char *yaml);
/* Apply QERRORS_* environment variables and clamps (done by qe_config_load). */
void qe_config_apply_env(struct qe_config *c);
void qe_config_release(struct qe_config *c);

/*
 * The i-th key of the file as a dotted name ("ai.retry.attempts"), in file
 * order, sections excluded; NULL past the end.  For documentation checks,
 * completion and "did you mean".
 */
const char *qe_config_key_name(size_t i);

/* Effective AI endpoint: ai_base_url, or the OpenAI default when a key is
 * set, or NULL when there is no AI service configured.  Borrowed. */
const char *qe_config_ai_endpoint(const struct qe_config *c);

#endif
