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

/* The model asked when ai.model is not set: the one place it is named. */
#define QE_DEFAULT_MODEL "gpt-4o-mini"

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

/* A pattern of a grouping rule and where it was written. */
struct qe_grouping_pattern {
	char *regex; /* PCRE2; NULL = not given */
	int line, column;
};

/* A user grouping rule (grouping.rules: list in the file): every event that
 * matches all the patterns given goes into one named group, or is split by
 * what split_by captures. */
struct qe_grouping_rule_conf {
	struct qe_grouping_pattern type, message, frame, source;
	char *group; /* named group; NULL = keep the fingerprint */
	struct qe_grouping_pattern split_by; /* on the message; capture 1 or match */
	char *file;			     /* where it was defined, for messages */
	int line, column;
};

/*
 * One entry of the sources: list: what to follow and how to read it.
 * The settings left unset fall back to the tail.* ones.
 */
struct qe_config_source {
	char *path;	/* required: a file, a glob, "-", or another source spec */
	char *format;	/* NULL = tail.format */
	char **exclude; /* glob matches left out, besides tail.exclude */
	size_t nr_exclude;
	/* json: field names looked at before tail.json.*'s; NULL = those */
	char *json_level, *json_message, *json_logger, *json_time, *json_exception,
	    *json_error_type;
	int line, column; /* where the entry was written, for messages */
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
	char *ai_base_url; /* NULL = not configured; the default URL is used only with a
			      key */
	char *ai_model; /* default QE_DEFAULT_MODEL; read through qe_config_ai_model() */
	char *ai_api_key;   /* from the file or OPENAI_API_KEY / QERRORS_AI_API_KEY; never
			       print */
	long ai_max_tokens; /* 800: per event asked about */
	long ai_max_tokens_request; /* 4096: cap for one request */
	long ai_temperature_milli;  /* 0 */
	long connect_timeout_ms;    /* 5000 */
	long timeout_ms;	    /* 60000, QERRORS_TIMEOUT */
	long retry_attempts;	    /* 2 */
	long retry_base_ms;	    /* 100 */
	long retry_max_ms;	    /* 2000 */
	long retry_after_max_ms;    /* 120000: cap on a server's Retry-After */
	long concurrency;	    /* 5 */
	long queue_limit;	    /* 100 */
	long batch_size;	    /* 5 fingerprints per request */
	long batch_wait_ms;	    /* 200 */
	long metric_interval_ms;    /* 30000; 0 = off */
	char *response_format;	  /* "auto" (json_schema, then fallbacks), "json_schema",
				     "json_object", "text" */
	long breaker_threshold;	  /* 5 consecutive failures open the circuit */
	long breaker_open_ms;	  /* 60000 */
	long breaker_close_after; /* 3 successful probes close it */
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

	/* grouping: */
	int grouping_learn;		  /* 1: learn templates from the stream */
	long grouping_max_templates;	  /* 4096 */
	long grouping_max_template_bytes; /* 4 MiB */
	long grouping_similarity_milli;	  /* 800: share of equal tokens to join */
	long grouping_distinct_words;	  /* 5: words in a slot before a variable */
	struct qe_grouping_rule_conf *grouping_rules;
	size_t nr_grouping_rules;

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
	char *log_format; /* "auto", "text", "json", "docker", "cri", "syslog",
			     "journal" (see decode.h) */
	/* tail.json: field names (dotted paths) looked at before the built-in
	 * ones; NULL = built-ins only */
	char *json_level, *json_message, *json_logger, *json_time, *json_exception,
	    *json_error_type;
	/* tail.journal: filters of a journal source (either one matches) */
	char **journal_units;
	size_t nr_journal_units;
	char **journal_identifiers;
	size_t nr_journal_identifiers;
	/* sources: followed by tail when no FILE is given */
	struct qe_config_source *sources;
	size_t nr_sources;

	/* retention: (lib/retention.h); 0 turns a rule off */
	long retention_group_days;  /* 90: groups not seen for this long go */
	long retention_bucket_days; /* 35: hourly counts older than this go */
	long retention_offset_days; /* 30: positions of files not read for this long */
	long retention_max_groups;  /* 100000 */
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

/* 1 when the two sources: lists say the same (paths, formats, excludes and
 * fields, in order), so a reload can tell whether they changed. */
int qe_config_sources_equal(const struct qe_config *a, const struct qe_config *b);

/* Effective model: ai_model, or QE_DEFAULT_MODEL when unset or empty.
 * Borrowed. */
const char *qe_config_ai_model(const struct qe_config *c);

/*
 * A duration as people write it: one or more <number><unit>, units ms, s,
 * m, h, d, w ("500ms", "90s", "1h30m", "7d"), at most QE_DURATION_MAX_MS.
 * Returns 0 with the milliseconds in *ms; QE_DURATION_BARE when the text
 * is a bare number, with that number in *ms unconverted, so that the caller
 * decides whether a number without a unit means anything there; -1 when it
 * is not a duration.
 */
#define QE_DURATION_BARE 1
#define QE_DURATION_MAX_MS (100LL * 366 * 86400 * 1000)
int qe_parse_duration(const char *s, long long *ms);

/* Effective AI endpoint: ai_base_url, or the OpenAI default when a key is
 * set, or NULL when there is no AI service configured.  Borrowed. */
const char *qe_config_ai_endpoint(const struct qe_config *c);

#endif
