/*
 * config: qerrors.yaml through libyaml's document loader, then the
 * environment, then range checks.
 *
 * Every scalar key is described once in `specs` below: its dotted name,
 * its type, where it lives in struct qe_config, its default, its safe range
 * and its environment variable.  Defaults, parsing, clamping, the
 * environment and release all walk that one table, so a key cannot be
 * parsed but never freed, or documented with one default and set to
 * another.  Lists of structures (ai.prices, rules.custom) have their own
 * small parsers.
 *
 * The document loader resolves aliases to shared nodes without expanding
 * them, and the walk only ever follows the fixed shape of the schema, so a
 * hostile file costs at most linear time in its size, which is capped.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml.h>

#include "config.h"
#include "learn.h"
#include "util.h"

#define MAX_FILE_BYTES (1024 * 1024)
/* what qe_error() can hold, with room for the "more errors" line */
#define MAX_ERROR_TEXT 900
/* errors remembered for sorting; more are only counted */
#define MAX_ERRORS_KEPT 1000
/* Nesting deeper than this is refused before libyaml builds the document:
 * the schema needs 6 levels, and libyaml's scanner costs time quadratic in
 * the depth of flow collections ("[[[[..."). */
#define MAX_DEPTH 64
#define MAX_LIST_ITEMS 1000
#define MAX_RULES 1000
#define MAX_SAMPLES 1000
#define MAX_PRICE_PER_MTOK 100000.0
#define DEFAULT_ENDPOINT "https://api.openai.com/v1"
#define MIB (1024L * 1024L)
/* characters of API keys and bearer tokens, for hiding them in messages */
#define TOKEN_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."

enum spec_type {
	T_SECTION, /* a mapping of further keys */
	T_STRING,
	T_URL,	  /* string that must start with http:// or https:// */
	T_CHOICE, /* string from a fixed set */
	T_LONG,
	T_DURATION, /* "500ms", "30s", "5m", "24h", "7d", "2w"; stored in `unit_ms` */
	T_MILLI,    /* a decimal number stored in thousandths */
	T_BOOL,
	T_STRLIST,
	T_PRICES,
	T_RULES,
	T_GROUPING,
	T_SOURCES,
};

/* 0 is accepted as "off" even when it is below `min` */
#define F_ZERO_OFF 1u
/* the value is secret: never shown in any message */
#define F_SECRET 2u
/* T_DURATION: a bare number is taken in the key's own unit (the name ends
 * in _ms); without this flag a bare number other than 0 is ambiguous and
 * rejected */
#define F_BARE_OK 4u
/* T_STRLIST: each entry is a PCRE2 pattern */
#define F_REGEX 8u

struct spec {
	const char *name; /* dotted path in the file */
	enum spec_type type;
	size_t off;    /* offset of the field in struct qe_config */
	size_t nr_off; /* T_STRLIST: offset of the size_t count */
	long def, min, max;
	const char *sdef; /* string default */
	const char *const *choices;
	const char *env; /* overriding environment variable, if any */
	unsigned flags;
	long unit_ms; /* T_DURATION: the field holds multiples of this */
};

static const char *const backends[] = {"sqlite", "redis", NULL};
static const char *const follows[] = {"auto", "inotify", "poll", NULL};
static const char *const formats[] = {"auto", "json_schema", "json_object", "text", NULL};
static const char *const log_formats[] = {"auto", "text",   "json",    "docker",
					  "cri",  "syslog", "journal", NULL};
static const char *const severities[] = {"debug",    "info",  "warning", "error",
					 "critical", "fatal", NULL};

#define OFF(f) offsetof(struct qe_config, f)
#define SECTION(n)                                                                       \
	{                                                                                \
		.name = n, .type = T_SECTION                                             \
	}
#define STR(n, f, d, e)                                                                  \
	{                                                                                \
		.name = n, .type = T_STRING, .off = OFF(f), .sdef = d, .env = e          \
	}
#define NUM(n, f, d, lo, hi, e, fl)                                                      \
	{                                                                                \
		.name = n, .type = T_LONG, .off = OFF(f), .def = d, .min = lo,           \
		.max = hi, .env = e, .flags = fl                                         \
	}
/* a duration stored in milliseconds; a bare number means milliseconds */
#define MS(n, f, d, lo, hi, e, fl)                                                       \
	{                                                                                \
		.name = n, .type = T_DURATION, .off = OFF(f), .def = d, .min = lo,       \
		.max = hi, .env = e, .flags = (fl) | F_BARE_OK, .unit_ms = 1             \
	}
#define BOOL(n, f, d)                                                                    \
	{                                                                                \
		.name = n, .type = T_BOOL, .off = OFF(f), .def = d, .min = 0, .max = 1   \
	}
#define CHOICE(n, f, d, set, e)                                                          \
	{                                                                                \
		.name = n, .type = T_CHOICE, .off = OFF(f), .sdef = d, .choices = set,   \
		.env = e                                                                 \
	}
#define LIST(n, f, nr, fl)                                                               \
	{                                                                                \
		.name = n, .type = T_STRLIST, .off = OFF(f), .nr_off = OFF(nr),          \
		.flags = fl                                                              \
	}

static const struct spec specs[] = {
    STR("state_dir", state_dir, NULL, "QERRORS_STATE_DIR"),

    SECTION("ai"),
    {.name = "ai.base_url",
     .type = T_URL,
     .off = OFF(ai_base_url),
     .env = "QERRORS_AI_BASE_URL"},
    STR("ai.model", ai_model, QE_DEFAULT_MODEL, "QERRORS_AI_MODEL"),
    {.name = "ai.api_key", .type = T_STRING, .off = OFF(ai_api_key), .flags = F_SECRET},
    NUM("ai.max_tokens", ai_max_tokens, 800, 1, 100000, "QERRORS_MAX_TOKENS", 0),
    NUM("ai.max_tokens_request", ai_max_tokens_request, 4096, 1, 100000, NULL, 0),
    {.name = "ai.temperature",
     .type = T_MILLI,
     .off = OFF(ai_temperature_milli),
     .def = 0,
     .min = 0,
     .max = 2000},
    MS("ai.connect_timeout_ms", connect_timeout_ms, 5000, 1, 120000,
       "QERRORS_CONNECT_TIMEOUT", 0),
    MS("ai.timeout_ms", timeout_ms, 60000, 1, 600000, "QERRORS_TIMEOUT", 0),
    SECTION("ai.retry"),
    NUM("ai.retry.attempts", retry_attempts, 2, 0, 10, "QERRORS_RETRY_ATTEMPTS", 0),
    MS("ai.retry.base_ms", retry_base_ms, 100, 0, 60000, "QERRORS_RETRY_BASE_MS", 0),
    MS("ai.retry.max_ms", retry_max_ms, 2000, 0, 120000, "QERRORS_RETRY_MAX_MS", 0),
    MS("ai.retry.after_max_ms", retry_after_max_ms, 120000, 0, 3600000, NULL, 0),
    NUM("ai.concurrency", concurrency, 5, 1, 50, "QERRORS_CONCURRENCY", 0),
    NUM("ai.queue_limit", queue_limit, 100, 1, 100000, "QERRORS_QUEUE_LIMIT", 0),
    NUM("ai.batch_size", batch_size, 5, 1, 50, NULL, 0),
    MS("ai.batch_wait_ms", batch_wait_ms, 200, 0, 60000, NULL, 0),
    MS("ai.metric_interval_ms", metric_interval_ms, 30000, 1000, 86400000,
       "QERRORS_METRIC_INTERVAL_MS", F_ZERO_OFF),
    CHOICE("ai.response_format", response_format, "auto", formats, NULL),
    SECTION("ai.breaker"),
    NUM("ai.breaker.threshold", breaker_threshold, 5, 1, 1000, NULL, 0),
    MS("ai.breaker.open_ms", breaker_open_ms, 60000, 100, 86400000, NULL, 0),
    NUM("ai.breaker.close_after", breaker_close_after, 3, 1, 100, NULL, 0),
    {.name = "ai.prices", .type = T_PRICES},

    SECTION("cache"),
    NUM("cache.limit", cache_limit, 1000, 0, 1000000, "QERRORS_CACHE_LIMIT", 0),
    {.name = "cache.ttl",
     .type = T_DURATION,
     .off = OFF(cache_ttl),
     .def = 86400,
     .min = 0,
     .max = 315360000,
     .env = "QERRORS_CACHE_TTL",
     .unit_ms = 1000},
    CHOICE("cache.backend", cache_backend, "sqlite", backends, "QERRORS_CACHE_BACKEND"),
    SECTION("cache.redis"),
    STR("cache.redis.url", redis_url, "redis://127.0.0.1:6379/0", "QERRORS_REDIS_URL"),
    STR("cache.redis.prefix", redis_prefix, "qerrors:", NULL),
    NUM("cache.redis.daily_token_budget", redis_daily_token_budget, 0, 0, 1000000000000L,
	NULL, 0),

    SECTION("redact"),
    BOOL("redact.ips", redact_ips, 1),
    BOOL("redact.emails", redact_emails, 1),
    LIST("redact.patterns", redact_patterns, nr_redact_patterns, F_REGEX),

    SECTION("rules"),
    BOOL("rules.builtin", builtin_rules, 1),
    NUM("rules.match_limit", match_limit, 100000, 100, 10000000, NULL, 0),
    LIST("rules.ignore", ignore, nr_ignore, F_REGEX),
    {.name = "rules.custom", .type = T_RULES},

    SECTION("grouping"),
    BOOL("grouping.learn", grouping_learn, 1),
    NUM("grouping.max_templates", grouping_max_templates, 4096, 16, 1000000, NULL, 0),
    NUM("grouping.max_template_bytes", grouping_max_template_bytes, 4 * MIB, 65536,
	256 * MIB, NULL, 0),
    {.name = "grouping.similarity",
     .type = T_MILLI,
     .off = OFF(grouping_similarity_milli),
     .def = 800,
     .min = 100,
     .max = 1000},
    NUM("grouping.distinct_words", grouping_distinct_words, QE_LEARN_DISTINCT, 2,
	QE_LEARN_DISTINCT_MAX, NULL, 0),
    {.name = "grouping.rules", .type = T_GROUPING},

    SECTION("events"),
    NUM("events.max_line_bytes", max_line_bytes, 65536, 256, 16 * MIB, NULL, 0),
    NUM("events.max_lines", event_max_lines, 200, 1, 100000, NULL, 0),
    NUM("events.max_bytes", event_max_bytes, 65536, 256, 16 * MIB, NULL, 0),
    MS("events.idle_timeout_ms", idle_timeout_ms, 1000, 10, 600000, NULL, 0),
    NUM("events.ring_events", ring_events, 4000, 1, 1000000, NULL, 0),
    NUM("events.ring_bytes", ring_bytes, 4 * MIB, 4096, 256 * MIB, NULL, 0),
    MS("events.collapse_window_ms", collapse_window_ms, 10000, 0, 3600000, NULL, 0),

    SECTION("tail"),
    MS("tail.shutdown_timeout_ms", shutdown_timeout_ms, 5000, 0, 600000, NULL, 0),
    MS("tail.commit_interval_ms", commit_interval_ms, 1000, 10, 60000, NULL, 0),
    CHOICE("tail.follow", follow_backend, "auto", follows, NULL),
    MS("tail.poll_interval_ms", poll_interval_ms, 1000, 10, 3600000, NULL, 0),
    NUM("tail.read_buffer_bytes", read_buffer_bytes, 262144, 4096, 16 * MIB, NULL, 0),
    LIST("tail.exclude", tail_exclude, nr_tail_exclude, 0),
    CHOICE("tail.format", log_format, "auto", log_formats, NULL),
    SECTION("tail.json"),
    STR("tail.json.level", json_level, NULL, NULL),
    STR("tail.json.message", json_message, NULL, NULL),
    STR("tail.json.logger", json_logger, NULL, NULL),
    STR("tail.json.time", json_time, NULL, NULL),
    STR("tail.json.exception", json_exception, NULL, NULL),
    STR("tail.json.error_type", json_error_type, NULL, NULL),
    SECTION("tail.journal"),
    LIST("tail.journal.units", journal_units, nr_journal_units, 0),
    LIST("tail.journal.identifiers", journal_identifiers, nr_journal_identifiers, 0),

    {.name = "sources", .type = T_SOURCES},

    SECTION("retention"),
    NUM("retention.group_days", retention_group_days, 90, 0, 36500, NULL, 0),
    NUM("retention.bucket_days", retention_bucket_days, 35, 0, 36500, NULL, 0),
    NUM("retention.offset_days", retention_offset_days, 30, 0, 36500, NULL, 0),
    NUM("retention.max_groups", retention_max_groups, 100000, 0, 100000000, NULL, 0),
};

static const char *const price_keys[] = {"model", "prompt", "completion"};
static const char *const rule_keys[] = {"name",	 "pattern",	 "severity", "kind",
					"start", "continuation", "ignore",   "samples"};
static const char *const sample_keys[] = {"line", "match"};

/* Field access through the table. */
static char **str_field(struct qe_config *c, const struct spec *s)
{
	return (char **)(void *)((char *)c + s->off);
}

static long *long_field(struct qe_config *c, const struct spec *s)
{
	return (long *)(void *)((char *)c + s->off);
}

static int *int_field(struct qe_config *c, const struct spec *s)
{
	return (int *)(void *)((char *)c + s->off);
}

static char ***list_field(struct qe_config *c, const struct spec *s)
{
	return (char ***)(void *)((char *)c + s->off);
}

static size_t *count_field(struct qe_config *c, const struct spec *s)
{
	return (size_t *)(void *)((char *)c + s->nr_off);
}

static const struct spec *find_spec(const char *name)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(specs); i++)
		if (!strcmp(specs[i].name, name))
			return &specs[i];
	return NULL;
}

static void free_list(char ***list, size_t *nr)
{
	size_t i;
	for (i = 0; i < *nr; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
	*nr = 0;
}

static void free_prices(struct qe_config *c)
{
	size_t i;
	for (i = 0; i < c->nr_prices; i++)
		free(c->prices[i].model);
	free(c->prices);
	c->prices = NULL;
	c->nr_prices = 0;
}

static void free_rule(struct qe_rule_conf *r)
{
	size_t i;
	free(r->name);
	free(r->pattern);
	free(r->severity);
	free(r->kind);
	free(r->start);
	free(r->continuation);
	free_list(&r->ignore, &r->nr_ignore);
	for (i = 0; i < r->nr_samples; i++)
		free(r->samples[i].line);
	free(r->samples);
	free(r->file);
	memset(r, 0, sizeof(*r));
}

static void free_rules(struct qe_config *c)
{
	size_t i;
	for (i = 0; i < c->nr_rules; i++)
		free_rule(&c->rules[i]);
	free(c->rules);
	c->rules = NULL;
	c->nr_rules = 0;
}

/* Drop trailing slashes so that callers can append "/chat/completions". */
static void strip_slashes(char *url)
{
	size_t n;
	if (!url)
		return;
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/' &&
	       !(n >= 3 && url[n - 2] == '/' && url[n - 3] == ':'))
		url[--n] = '\0';
}

static int is_http_url(const char *s)
{
	return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

static int in_choices(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(v, *set))
			return 1;
	return 0;
}

static size_t nr_choices(const char *const *set)
{
	size_t n = 0;
	while (set[n])
		n++;
	return n;
}

int qe_parse_duration(const char *s, long long *ms)
{
	static const struct {
		const char *name;
		long long ms;
	} units[] = {
	    {"ms", 1},		{"s", 1000},	       {"m", 60 * 1000},
	    {"h", 3600 * 1000}, {"d", 86400 * 1000LL}, {"w", 7 * 86400 * 1000LL},
	};
	long long total = 0;
	int parts = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	while (*s) {
		long long v = 0, mult = 0;
		size_t i, len = 0;
		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (v > (QE_DURATION_MAX_MS - 9) / 10)
				return -1;
			v = v * 10 + (*s - '0');
		}
		while (s[len] >= 'a' && s[len] <= 'z')
			len++;
		if (!len) {
			/* a bare number: only as the whole text */
			if (parts || *s)
				return -1;
			*ms = v;
			return QE_DURATION_BARE;
		}
		for (i = 0; i < QE_ARRAY_SIZE(units); i++)
			if (strlen(units[i].name) == len &&
			    !strncmp(s, units[i].name, len))
				mult = units[i].ms;
		if (!mult || v > (QE_DURATION_MAX_MS - total) / mult)
			return -1;
		total += v * mult;
		s += len;
		parts++;
	}
	*ms = total;
	return 0;
}

void qe_config_init(struct qe_config *c)
{
	size_t i;
	memset(c, 0, sizeof(*c));
	for (i = 0; i < QE_ARRAY_SIZE(specs); i++) {
		const struct spec *s = &specs[i];
		switch (s->type) {
		case T_STRING:
		case T_URL:
		case T_CHOICE:
			*str_field(c, s) = s->sdef ? qe_xstrdup(s->sdef) : NULL;
			break;
		case T_LONG:
		case T_DURATION:
		case T_MILLI:
			*long_field(c, s) = s->def;
			break;
		case T_BOOL:
			*int_field(c, s) = (int)s->def;
			break;
		default:
			break;
		}
	}
}

static void free_grouping_rules(struct qe_config *c);
static void free_sources(struct qe_config *c);

void qe_config_release(struct qe_config *c)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(specs); i++) {
		const struct spec *s = &specs[i];
		switch (s->type) {
		case T_STRING:
		case T_URL:
		case T_CHOICE:
			free(*str_field(c, s));
			break;
		case T_STRLIST:
			free_list(list_field(c, s), count_field(c, s));
			break;
		default:
			break;
		}
	}
	free_prices(c);
	free_rules(c);
	free_grouping_rules(c);
	free_sources(c);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

const char *qe_config_key_name(size_t i)
{
	size_t k;
	for (k = 0; k < QE_ARRAY_SIZE(specs); k++) {
		if (specs[k].type == T_SECTION)
			continue;
		if (!i--)
			return specs[k].name;
	}
	return NULL;
}

const char *qe_config_ai_model(const struct qe_config *c)
{
	return c->ai_model && *c->ai_model ? c->ai_model : QE_DEFAULT_MODEL;
}

const char *qe_config_ai_endpoint(const struct qe_config *c)
{
	if (c->ai_base_url && *c->ai_base_url)
		return c->ai_base_url;
	if (c->ai_api_key && *c->ai_api_key)
		return DEFAULT_ENDPOINT;
	return NULL;
}

/*
 * Range checks shared by the file and the environment.  `subject` says
 * where the value came from ("FILE:L:C: 'ai.concurrency' 500" or
 * "QERRORS_CONCURRENCY=500"); `fallback` is the value otherwise in effect.
 */
static long check_range(const struct spec *s, const char *subject, long v, long fallback)
{
	if (v == 0 && (s->flags & F_ZERO_OFF))
		return 0;
	if (v < 0 && s->min >= 0) {
		qe_warning("%s must not be negative; using %ld", subject, fallback);
		return fallback;
	}
	if (v < s->min) {
		qe_warning("%s is below the minimum %ld; using %ld", subject, s->min,
			   s->min);
		return s->min;
	}
	if (v > s->max) {
		qe_warning("%s is above the limit %ld; using %ld", subject, s->max,
			   s->max);
		return s->max;
	}
	return v;
}

static char *show(const char *v);

/* The shortest exact spelling of a duration: "90s", "1d", "1500ms". */
static void duration_text(long long ms, char *out, size_t size)
{
	static const struct {
		const char *name;
		long long ms;
	} units[] = {{"w", 7 * 86400 * 1000LL},
		     {"d", 86400 * 1000LL},
		     {"h", 3600 * 1000},
		     {"m", 60 * 1000},
		     {"s", 1000}};
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(units); i++) {
		if (ms && ms % units[i].ms == 0) {
			snprintf(out, size, "%lld%s", ms / units[i].ms, units[i].name);
			return;
		}
	}
	snprintf(out, size, "%lldms", ms);
}

/*
 * A duration for key `s` from `text`, in the field's unit.  Returns 0 and
 * sets *out, or -1 with a message (without location) in `err`.
 */
static int duration_value(const struct spec *s, const char *text, long *out, char *err,
			  size_t errsize)
{
	long long ms;
	char a[32], b[32];
	int r = qe_parse_duration(text, &ms);
	if (r < 0) {
		char *shown = show(text);
		snprintf(err, errsize,
			 "must be a duration such as 500ms, 30s, 5m, 24h or 7d, not %s",
			 shown);
		free(shown);
		return -1;
	}
	if (r == QE_DURATION_BARE) {
		if (!(s->flags & F_BARE_OK) && ms != 0) {
			/* the key's name does not say the unit: make the file say it */
			duration_text(ms * s->unit_ms, a, sizeof(a));
			snprintf(b, sizeof(b), "%lld%s", ms,
				 s->unit_ms == 1000 ? "s" : "ms");
			if (strcmp(a, b))
				snprintf(err, errsize,
					 "%lld has no unit; write '%s' or '%s'", ms, b,
					 a);
			else
				snprintf(err, errsize, "%lld has no unit; write '%s'", ms,
					 b);
			return -1;
		}
		if (ms > QE_DURATION_MAX_MS / s->unit_ms) {
			snprintf(err, errsize, "%lld is too long a duration", ms);
			return -1;
		}
		ms *= s->unit_ms;
	}
	if (ms % s->unit_ms) {
		duration_text(s->unit_ms, b, sizeof(b));
		snprintf(err, errsize, "must be a whole number of %s",
			 s->unit_ms == 1000 ? "seconds" : b);
		return -1;
	}
	ms /= s->unit_ms;
	*out = ms > LONG_MAX ? LONG_MAX : (long)ms;
	return 0;
}

/* ---- the file ---- */

struct err_item {
	size_t line, col, seq;
	char *msg;
};

/*
 * The walk goes on after an error, so that one run reports every mistake
 * of a file; the messages collect in `errors` and the load fails at the
 * end.  A file that does not parse at all stops at its first syntax error.
 */
struct ctx {
	struct qe_config *c;
	const char *name;
	yaml_document_t *doc;
	int saw_api_key;
	struct err_item *errors; /* the first MAX_ERRORS_KEPT, in walk order */
	size_t nr_errors, alloc_errors;
	size_t nr_seen; /* all of them, kept or not */
};

static char *where(const struct ctx *x, const yaml_node_t *n)
{
	return qe_xasprintf("%s:%zu:%zu", x->name, n->start_mark.line + 1,
			    n->start_mark.column + 1);
}

/* Record one error at a position; the walk goes on.  Always -1. */
static int add_error(struct ctx *x, size_t line, size_t col, const char *msg)
{
	struct err_item *e;
	x->nr_seen++;
	if (x->nr_errors >= MAX_ERRORS_KEPT)
		return -1;
	QE_ALLOC_GROW(x->errors, x->nr_errors + 1, x->alloc_errors);
	e = &x->errors[x->nr_errors];
	e->line = line;
	e->col = col;
	e->seq = x->nr_errors++;
	e->msg = qe_xstrdup(msg);
	return -1;
}

__attribute__((format(printf, 3, 4))) static int
err_at(struct ctx *x, const yaml_node_t *n, const char *fmt, ...)
{
	struct qe_buf b = QE_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	qe_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	add_error(x, n->start_mark.line + 1, n->start_mark.column + 1, b.buf);
	qe_buf_release(&b);
	return -1;
}

/* After the walk: every error in one message, or 0. */
static int by_position(const void *a, const void *b)
{
	const struct err_item *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * After the walk: every error in one message, in file order, or 0.
 * qe_error() keeps about 1 KiB: whole lines as far as they fit, then a
 * count of the rest.
 */
static int report_errors(struct ctx *x)
{
	struct qe_buf b = QE_BUF_INIT;
	size_t i, shown = 0;
	if (!x->nr_seen)
		return 0;
	qsort(x->errors, x->nr_errors, sizeof(*x->errors), by_position);
	for (i = 0; i < x->nr_errors; i++) {
		const struct err_item *e = &x->errors[i];
		if (b.len + strlen(e->msg) + strlen(x->name) + 48 > MAX_ERROR_TEXT)
			break;
		qe_buf_addf(&b, "%s%s:%zu:%zu: %s", b.len ? "\n" : "", x->name, e->line,
			    e->col, e->msg);
		shown++;
	}
	if (shown < x->nr_seen)
		qe_buf_addf(&b, "\n%s: %zu more error%s not shown", x->name,
			    x->nr_seen - shown, x->nr_seen - shown == 1 ? "" : "s");
	qe_error("%s", b.buf);
	qe_buf_release(&b);
	return -1;
}

static void release_errors(struct ctx *x)
{
	size_t i;
	for (i = 0; i < x->nr_errors; i++)
		free(x->errors[i].msg);
	free(x->errors);
	x->errors = NULL;
	x->nr_errors = x->alloc_errors = 0;
}

__attribute__((format(printf, 3, 4))) static void
warn_at(const struct ctx *x, const yaml_node_t *n, const char *fmt, ...)
{
	struct qe_buf b = QE_BUF_INIT;
	va_list ap;
	char *w = where(x, n);
	qe_buf_addf(&b, "%s: ", w);
	va_start(ap, fmt);
	qe_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	qe_warning("%s", b.buf);
	qe_buf_release(&b);
	free(w);
}

/*
 * A value as it may appear in a message: short, one line, and hidden when
 * it looks like a credential, since a key pasted under the wrong name must
 * not end up in a terminal or a journal.
 */
static char *show(const char *v)
{
	struct qe_buf b = QE_BUF_INIT;
	size_t i, n = strlen(v);
	if (!strncmp(v, "sk-", 3) || (n >= 24 && strspn(v, TOKEN_CHARS) == n))
		return qe_xstrdup("(value hidden)");
	qe_buf_addch(&b, '\'');
	for (i = 0; i < n && i < 40; i++)
		qe_buf_addch(&b, (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i]);
	if (n > 40)
		qe_buf_addstr(&b, "...");
	qe_buf_addch(&b, '\'');
	return qe_buf_detach(&b);
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SCALAR_NODE:
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			return "a plain value";
		return "a quoted string";
	default:
		return "nothing";
	}
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int is_null(const yaml_node_t *n)
{
	const char *v;
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = scalar(n);
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static yaml_node_t *node(const struct ctx *x, int id)
{
	return yaml_document_get_node(x->doc, id);
}

/* 1 = a string was stored in *out, 0 = null (keep the current value), -1 = error */
static int get_string(struct ctx *x, const char *label, const yaml_node_t *v, char **out)
{
	if (is_null(v))
		return 0;
	if (v->type != YAML_SCALAR_NODE)
		return err_at(x, v, "'%s' must be a string, not %s", label, node_kind(v));
	if (strlen(scalar(v)) != v->data.scalar.length)
		return err_at(x, v, "'%s' contains a NUL byte", label);
	*out = qe_xstrdup(scalar(v));
	return 1;
}

static int get_long(struct ctx *x, const char *label, const yaml_node_t *v, long *out)
{
	char *shown;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SCALAR_NODE)
		return err_at(x, v, "'%s' must be an integer, not %s", label,
			      node_kind(v));
	if (v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return err_at(x, v, "'%s' must be an integer, not a quoted string",
			      label);
	if (!qe_parse_long(scalar(v), out))
		return 1;
	shown = show(scalar(v));
	err_at(x, v, "'%s' must be an integer, not %s", label, shown);
	free(shown);
	return -1;
}

static int get_double(struct ctx *x, const char *label, const yaml_node_t *v, double *out)
{
	char *end, *shown;
	double d;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SCALAR_NODE)
		return err_at(x, v, "'%s' must be a number, not %s", label, node_kind(v));
	if (v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return err_at(x, v, "'%s' must be a number, not a quoted string", label);
	errno = 0;
	d = strtod(scalar(v), &end);
	if (!errno && end != scalar(v) && !*end && isfinite(d)) {
		*out = d;
		return 1;
	}
	shown = show(scalar(v));
	err_at(x, v, "'%s' must be a number, not %s", label, shown);
	free(shown);
	return -1;
}

static int get_bool(struct ctx *x, const char *label, const yaml_node_t *v, int *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	char *shown;
	size_t i;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SCALAR_NODE)
		return err_at(x, v, "'%s' must be true or false, not %s", label,
			      node_kind(v));
	if (v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return err_at(x, v, "'%s' must be true or false, not a quoted string",
			      label);
	for (i = 0; i < QE_ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(scalar(v), yes[i])) {
			*out = 1;
			return 1;
		}
		if (!strcasecmp(scalar(v), no[i])) {
			*out = 0;
			return 1;
		}
	}
	shown = show(scalar(v));
	err_at(x, v, "'%s' must be true or false, not %s", label, shown);
	free(shown);
	return -1;
}

/* A list of strings replaces the current list; null keeps it. */
/*
 * A pattern must compile as the rules and the redactor compile user
 * patterns (UTF mode that tolerates invalid input), so that a mistake is
 * reported here with its place in the file rather than later without one.
 * The column points at the offending character when the scalar is written
 * on one line without escapes, else at the start of the value.
 */
static int check_regex(struct ctx *x, const char *subject, const yaml_node_t *v)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	pcre2_code *re;
	size_t line = v->start_mark.line + 1, col = v->start_mark.column + 1;
	size_t src_len = v->end_mark.index - v->start_mark.index;
	int err;
	char *text;

	re = pcre2_compile((PCRE2_SPTR)scalar(v), v->data.scalar.length,
			   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
	if (re) {
		pcre2_code_free(re);
		return 0;
	}
	pcre2_get_error_message(err, msg, sizeof(msg));
	if (v->start_mark.line == v->end_mark.line) {
		if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    src_len == v->data.scalar.length)
			col += off;
		else if ((v->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			  v->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) &&
			 src_len == v->data.scalar.length + 2)
			col += off + 1;
	}
	text =
	    qe_xasprintf("%s at offset %zu: %s", subject, (size_t)off, (const char *)msg);
	add_error(x, line, col, text);
	free(text);
	return -1;
}

/* A list of strings replaces the current list; null keeps it.  With
 * `regex`, each entry must be a valid pattern.  A bad entry is reported
 * and the walk goes on with the next one; the list is then not set. */
static int get_strlist(struct ctx *x, const char *label, const yaml_node_t *v,
		       char ***list, size_t *nr, int regex)
{
	yaml_node_item_t *it;
	char **items = NULL;
	size_t n = 0, alloc = 0, i;
	int ret = 1;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return err_at(x, v, "'%s' must be a list, not %s", label, node_kind(v));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(x, *it);
		char *s = NULL;
		if (n >= MAX_LIST_ITEMS) {
			ret = err_at(x, e, "'%s' has more than %d entries", label,
				     MAX_LIST_ITEMS);
			break;
		}
		if (is_null(e) || e->type != YAML_SCALAR_NODE) {
			ret = err_at(x, e, "'%s' entries must be strings, not %s", label,
				     is_null(e) ? "empty" : node_kind(e));
			continue;
		}
		if (get_string(x, label, e, &s) < 0) {
			ret = -1;
			continue;
		}
		if (regex) {
			char *subject = qe_xasprintf("'%s': invalid pattern", label);
			if (check_regex(x, subject, e) < 0)
				ret = -1;
			free(subject);
		}
		QE_ALLOC_GROW(items, n + 1, alloc);
		items[n++] = s;
	}
	if (ret > 0) {
		free_list(list, nr);
		*list = items;
		*nr = n;
		items = NULL;
		n = 0;
	}
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
	return ret;
}

static int unknown_key(struct ctx *x, const yaml_node_t *k, const char *section,
		       const char *const *cands, size_t nr)
{
	const char *guess = qe_did_you_mean(scalar(k), cands, nr);
	char *shown = show(scalar(k));
	struct qe_buf b = QE_BUF_INIT;
	qe_buf_addf(&b, "unknown key %s", shown);
	if (section && *section)
		qe_buf_addf(&b, " in '%s'", section);
	if (guess)
		qe_buf_addf(&b, "; did you mean '%s'?", guess);
	err_at(x, k, "%s", b.buf);
	qe_buf_release(&b);
	free(shown);
	return -1;
}

/*
 * Keys of a mapping must be scalars and must not repeat (YAML forbids
 * duplicates, and libyaml does not check).  Returns the key text or NULL.
 */
static const char *mapping_key(struct ctx *x, const yaml_node_t *map,
			       const yaml_node_pair_t *pair)
{
	const yaml_node_pair_t *p;
	yaml_node_t *k = node(x, pair->key);
	if (k->type != YAML_SCALAR_NODE) {
		err_at(x, k, "expected a key name, not %s", node_kind(k));
		return NULL;
	}
	for (p = map->data.mapping.pairs.start; p < pair; p++) {
		yaml_node_t *o = node(x, p->key);
		if (o->type == YAML_SCALAR_NODE && !strcmp(scalar(o), scalar(k))) {
			char *shown = show(scalar(k));
			err_at(x, k, "duplicate key %s (first at line %zu)", shown,
			       o->start_mark.line + 1);
			free(shown);
			return NULL;
		}
	}
	return scalar(k);
}

static int parse_prices(struct ctx *x, const yaml_node_t *v)
{
	struct qe_price *prices = NULL;
	size_t n = 0, alloc = 0, i;
	yaml_node_item_t *it;
	int ret = 1;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return err_at(x, v, "'ai.prices' must be a list, not %s", node_kind(v));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(x, *it);
		yaml_node_pair_t *pair;
		struct qe_price *pr;
		double d;
		int bad = 0;
		if (e->type != YAML_MAPPING_NODE) {
			ret = err_at(x, e, "'ai.prices' entries must be mappings, not %s",
				     node_kind(e));
			continue;
		}
		if (n >= MAX_LIST_ITEMS) {
			ret = err_at(x, e, "'ai.prices' has more than %d entries",
				     MAX_LIST_ITEMS);
			break;
		}
		QE_ALLOC_GROW(prices, n + 1, alloc);
		pr = &prices[n++];
		memset(pr, 0, sizeof(*pr));
		for (pair = e->data.mapping.pairs.start; pair < e->data.mapping.pairs.top;
		     pair++) {
			const char *key = mapping_key(x, e, pair);
			yaml_node_t *val = node(x, pair->value);
			double *dst;
			int r;
			char label[64];
			if (!key) {
				bad = 1;
				continue;
			}
			if (!strcmp(key, "model")) {
				char *m = NULL;
				if (get_string(x, "ai.prices.model", val, &m) < 0) {
					bad = 1;
					continue;
				}
				free(pr->model);
				pr->model = m;
				continue;
			}
			if (!strcmp(key, "prompt"))
				dst = &pr->prompt_per_mtok;
			else if (!strcmp(key, "completion"))
				dst = &pr->completion_per_mtok;
			else {
				unknown_key(x, node(x, pair->key), "ai.prices",
					    price_keys, QE_ARRAY_SIZE(price_keys));
				bad = 1;
				continue;
			}
			snprintf(label, sizeof(label), "ai.prices.%s", key);
			r = get_double(x, label, val, &d);
			if (r < 0)
				bad = 1;
			if (r <= 0)
				continue;
			if (d < 0) {
				warn_at(x, val, "'%s' must not be negative; using 0",
					label);
				d = 0;
			} else if (d > MAX_PRICE_PER_MTOK) {
				warn_at(x, val,
					"'%s' is above the limit %.0f; using %.0f", label,
					MAX_PRICE_PER_MTOK, MAX_PRICE_PER_MTOK);
				d = MAX_PRICE_PER_MTOK;
			}
			*dst = d;
		}
		if (bad) {
			ret = -1;
			continue;
		}
		if (!pr->model || !*pr->model) {
			ret = err_at(x, e, "'ai.prices' entry is missing 'model'");
			continue;
		}
		for (i = 0; i + 1 < n; i++) {
			if (prices[i].model && !strcmp(prices[i].model, pr->model)) {
				char *shown = show(pr->model);
				ret = err_at(x, e, "duplicate price for model %s", shown);
				free(shown);
				break;
			}
		}
	}
	if (ret > 0) {
		free_prices(x->c);
		x->c->prices = prices;
		x->c->nr_prices = n;
		prices = NULL;
		n = 0;
	}
	for (i = 0; i < n; i++)
		free(prices[i].model);
	free(prices);
	return ret;
}

static int parse_samples(struct ctx *x, struct qe_rule_conf *r, const yaml_node_t *v)
{
	size_t alloc = 0;
	yaml_node_item_t *it;
	int ret = 1;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return err_at(x, v, "'samples' of a rule must be a list, not %s",
			      node_kind(v));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(x, *it);
		yaml_node_pair_t *pair;
		struct qe_rule_sample *smp;
		if (e->type != YAML_MAPPING_NODE) {
			ret = err_at(x, e,
				     "a rule sample must be a mapping with 'line' and "
				     "'match', not %s",
				     node_kind(e));
			continue;
		}
		if (r->nr_samples >= MAX_SAMPLES)
			return err_at(x, e, "a rule has more than %d samples",
				      MAX_SAMPLES);
		QE_ALLOC_GROW(r->samples, r->nr_samples + 1, alloc);
		smp = &r->samples[r->nr_samples++];
		smp->line = NULL;
		smp->matches = 1;
		for (pair = e->data.mapping.pairs.start; pair < e->data.mapping.pairs.top;
		     pair++) {
			const char *key = mapping_key(x, e, pair);
			yaml_node_t *val = node(x, pair->value);
			if (!key) {
				ret = -1;
			} else if (!strcmp(key, "line")) {
				char *s = NULL;
				if (get_string(x, "samples.line", val, &s) < 0) {
					ret = -1;
					continue;
				}
				free(smp->line);
				smp->line = s;
			} else if (!strcmp(key, "match")) {
				if (get_bool(x, "samples.match", val, &smp->matches) < 0)
					ret = -1;
			} else {
				ret =
				    unknown_key(x, node(x, pair->key), "samples",
						sample_keys, QE_ARRAY_SIZE(sample_keys));
			}
		}
		if (!smp->line)
			ret = err_at(x, e, "a rule sample is missing 'line'");
	}
	return ret;
}

static int parse_rule(struct ctx *x, struct qe_rule_conf *r, const yaml_node_t *e)
{
	static const char *const re_keys[] = {"pattern", "start", "continuation"};
	const yaml_node_t *re_nodes[3] = {NULL, NULL, NULL};
	yaml_node_pair_t *pair;
	char *shown;
	int ret = 0;
	size_t i;
	for (pair = e->data.mapping.pairs.start; pair < e->data.mapping.pairs.top;
	     pair++) {
		const char *key = mapping_key(x, e, pair);
		yaml_node_t *val = node(x, pair->value);
		char **dst = NULL, *s = NULL;
		if (!key) {
			ret = -1;
			continue;
		}
		if (!strcmp(key, "name"))
			dst = &r->name;
		else if (!strcmp(key, "pattern"))
			dst = &r->pattern;
		else if (!strcmp(key, "severity"))
			dst = &r->severity;
		else if (!strcmp(key, "kind"))
			dst = &r->kind;
		else if (!strcmp(key, "start"))
			dst = &r->start;
		else if (!strcmp(key, "continuation"))
			dst = &r->continuation;
		else if (!strcmp(key, "ignore")) {
			if (get_strlist(x, "rules.custom.ignore", val, &r->ignore,
					&r->nr_ignore, 1) < 0)
				ret = -1;
			continue;
		} else if (!strcmp(key, "samples")) {
			if (parse_samples(x, r, val) < 0)
				ret = -1;
			continue;
		} else {
			ret = unknown_key(x, node(x, pair->key), "rules.custom",
					  rule_keys, QE_ARRAY_SIZE(rule_keys));
			continue;
		}
		if (get_string(x, key, val, &s) < 0) {
			ret = -1;
			continue;
		}
		if (!s)
			continue;
		if (dst == &r->severity && !in_choices(s, severities)) {
			const char *guess =
			    qe_did_you_mean(s, severities, nr_choices(severities));
			shown = show(s);
			free(s);
			ret = err_at(x, val,
				     "unknown severity %s%s%s%s; expected one of debug, "
				     "info, warning, error, critical, fatal",
				     shown, guess ? " (did you mean '" : "",
				     guess ? guess : "", guess ? "'?)" : "");
			free(shown);
			continue;
		}
		/* checked below, once the rule's name is known */
		if (dst == &r->pattern || dst == &r->start || dst == &r->continuation)
			re_nodes[dst == &r->pattern ? 0
				 : dst == &r->start ? 1
						    : 2] = *s ? val : NULL;
		free(*dst);
		*dst = s;
	}
	for (i = 0; i < QE_ARRAY_SIZE(re_nodes); i++) {
		char *subject;
		if (!re_nodes[i])
			continue;
		shown = r->name ? show(r->name) : qe_xstrdup("without a name");
		subject = qe_xasprintf("rule %s: invalid %s", shown, re_keys[i]);
		if (check_regex(x, subject, re_nodes[i]) < 0)
			ret = -1;
		free(subject);
		free(shown);
	}
	/* after a misspelt key, "missing" would only say it again */
	if (ret < 0)
		return -1;
	if (!r->name || !*r->name)
		return err_at(x, e, "rule is missing 'name'");
	shown = show(r->name);
	if (!r->pattern || !*r->pattern) {
		err_at(x, e, "rule %s is missing 'pattern'", shown);
		free(shown);
		return -1;
	}
	free(shown);
	if (!r->severity)
		r->severity = qe_xstrdup("error");
	if (!r->kind)
		r->kind = qe_xstrdup(r->name);
	return ret;
}

static int parse_rules(struct ctx *x, const yaml_node_t *v)
{
	struct qe_rule_conf *rules = NULL;
	size_t n = 0, alloc = 0, i;
	yaml_node_item_t *it;
	int ret = 1;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return err_at(x, v, "'rules.custom' must be a list, not %s",
			      node_kind(v));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(x, *it);
		struct qe_rule_conf *r;
		if (e->type != YAML_MAPPING_NODE) {
			ret = err_at(x, e,
				     "'rules.custom' entries must be mappings, not %s",
				     node_kind(e));
			continue;
		}
		if (n >= MAX_RULES) {
			ret = err_at(x, e, "'rules.custom' has more than %d rules",
				     MAX_RULES);
			break;
		}
		QE_ALLOC_GROW(rules, n + 1, alloc);
		r = &rules[n++];
		memset(r, 0, sizeof(*r));
		r->file = qe_xstrdup(x->name);
		r->line = (int)e->start_mark.line + 1;
		if (parse_rule(x, r, e) < 0) {
			ret = -1;
			if (!r->name)
				continue;
		}
		for (i = 0; i + 1 < n; i++) {
			if (rules[i].name && !strcmp(rules[i].name, r->name)) {
				char *shown = show(r->name);
				ret = err_at(x, e,
					     "duplicate rule name %s (first at line %d)",
					     shown, rules[i].line);
				free(shown);
				break;
			}
		}
	}
	if (ret > 0) {
		free_rules(x->c);
		x->c->rules = rules;
		x->c->nr_rules = n;
		rules = NULL;
		n = 0;
	}
	for (i = 0; i < n; i++)
		free_rule(&rules[i]);
	free(rules);
	return ret;
}

/* ---- grouping.rules ---- */

static const char *const grouping_keys[] = {"match", "group", "split_by"};
static const char *const grouping_match_keys[] = {"type", "message", "frame", "source"};

static void free_grouping_rules(struct qe_config *c)
{
	size_t i;
	for (i = 0; i < c->nr_grouping_rules; i++) {
		struct qe_grouping_rule_conf *g = &c->grouping_rules[i];
		free(g->type.regex);
		free(g->message.regex);
		free(g->frame.regex);
		free(g->source.regex);
		free(g->split_by.regex);
		free(g->group);
		free(g->file);
	}
	free(c->grouping_rules);
	c->grouping_rules = NULL;
	c->nr_grouping_rules = 0;
}

static int get_pattern(struct ctx *x, const char *key, const yaml_node_t *v,
		       struct qe_grouping_pattern *p)
{
	char *s = NULL;
	if (get_string(x, key, v, &s) < 0)
		return -1;
	if (!s || !*s) {
		free(s);
		return err_at(x, v, "'%s' must be a regular expression, not empty", key);
	}
	free(p->regex);
	p->regex = s;
	p->line = (int)v->start_mark.line + 1;
	/* a quoted pattern starts after its quote */
	p->column = (int)v->start_mark.column + 1 +
		    (v->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		     v->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	return 0;
}

static int parse_grouping_match(struct ctx *x, struct qe_grouping_rule_conf *g,
				const yaml_node_t *m)
{
	yaml_node_pair_t *pair;
	if (m->type != YAML_MAPPING_NODE)
		return err_at(x, m,
			      "'match' must be a mapping of type, message, frame, "
			      "source, not %s",
			      node_kind(m));
	for (pair = m->data.mapping.pairs.start; pair < m->data.mapping.pairs.top;
	     pair++) {
		const char *key = mapping_key(x, m, pair);
		yaml_node_t *val = node(x, pair->value);
		struct qe_grouping_pattern *p;
		if (!key)
			return -1;
		if (!strcmp(key, "type"))
			p = &g->type;
		else if (!strcmp(key, "message"))
			p = &g->message;
		else if (!strcmp(key, "frame"))
			p = &g->frame;
		else if (!strcmp(key, "source"))
			p = &g->source;
		else
			return unknown_key(x, node(x, pair->key), "grouping.rules.match",
					   grouping_match_keys,
					   QE_ARRAY_SIZE(grouping_match_keys));
		if (get_pattern(x, key, val, p) < 0)
			return -1;
	}
	return 0;
}

static int parse_grouping_rule(struct ctx *x, struct qe_grouping_rule_conf *g,
			       const yaml_node_t *e)
{
	yaml_node_pair_t *pair;
	for (pair = e->data.mapping.pairs.start; pair < e->data.mapping.pairs.top;
	     pair++) {
		const char *key = mapping_key(x, e, pair);
		yaml_node_t *val = node(x, pair->value);
		if (!key)
			return -1;
		if (!strcmp(key, "match")) {
			if (parse_grouping_match(x, g, val) < 0)
				return -1;
		} else if (!strcmp(key, "group")) {
			char *s = NULL;
			if (get_string(x, key, val, &s) < 0)
				return -1;
			if (!s || !*s) {
				free(s);
				return err_at(x, val, "'group' must name a group");
			}
			free(g->group);
			g->group = s;
		} else if (!strcmp(key, "split_by")) {
			if (get_pattern(x, key, val, &g->split_by) < 0)
				return -1;
		} else {
			return unknown_key(x, node(x, pair->key), "grouping.rules",
					   grouping_keys, QE_ARRAY_SIZE(grouping_keys));
		}
	}
	if (!g->type.regex && !g->message.regex && !g->frame.regex && !g->source.regex)
		return err_at(x, e, "grouping rule has no 'match' patterns");
	if (!g->group && !g->split_by.regex)
		return err_at(x, e, "grouping rule needs 'group' or 'split_by'");
	return 0;
}

static int parse_grouping_rules(struct ctx *x, const yaml_node_t *v)
{
	struct qe_grouping_rule_conf *rules = NULL;
	size_t n = 0, alloc = 0;
	yaml_node_item_t *it;
	struct qe_config old;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return err_at(x, v, "'grouping.rules' must be a list, not %s",
			      node_kind(v));
	memset(&old, 0, sizeof(old));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(x, *it);
		struct qe_grouping_rule_conf *g;
		if (e->type != YAML_MAPPING_NODE) {
			err_at(x, e, "'grouping.rules' entries must be mappings, not %s",
			       node_kind(e));
			goto fail;
		}
		if (n >= MAX_RULES) {
			err_at(x, e, "'grouping.rules' has more than %d rules",
			       MAX_RULES);
			goto fail;
		}
		QE_ALLOC_GROW(rules, n + 1, alloc);
		g = &rules[n++];
		memset(g, 0, sizeof(*g));
		g->file = qe_xstrdup(x->name);
		g->line = (int)e->start_mark.line + 1;
		g->column = (int)e->start_mark.column + 1;
		if (parse_grouping_rule(x, g, e) < 0)
			goto fail;
	}
	free_grouping_rules(x->c);
	x->c->grouping_rules = rules;
	x->c->nr_grouping_rules = n;
	return 1;
fail:
	old.grouping_rules = rules;
	old.nr_grouping_rules = n;
	free_grouping_rules(&old);
	return -1;
}

/* ---- sources ---- */

static const char *const source_keys[] = {"path", "format", "exclude", "json"};
static const char *const source_json_keys[] = {"level", "message",   "logger",
					       "time",	"exception", "error_type"};

static void free_source(struct qe_config_source *src)
{
	free(src->path);
	free(src->format);
	free_list(&src->exclude, &src->nr_exclude);
	free(src->json_level);
	free(src->json_message);
	free(src->json_logger);
	free(src->json_time);
	free(src->json_exception);
	free(src->json_error_type);
	memset(src, 0, sizeof(*src));
}

static void free_sources(struct qe_config *c)
{
	size_t i;
	for (i = 0; i < c->nr_sources; i++)
		free_source(&c->sources[i]);
	free(c->sources);
	c->sources = NULL;
	c->nr_sources = 0;
}

/* The field of a source's json: mapping named `key`, NULL when unknown. */
static char **source_json_field(struct qe_config_source *src, const char *key)
{
	char **fields[] = {&src->json_level, &src->json_message,   &src->json_logger,
			   &src->json_time,  &src->json_exception, &src->json_error_type};
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(source_json_keys); i++)
		if (!strcmp(key, source_json_keys[i]))
			return fields[i];
	return NULL;
}

/* A string that must not be empty; 1 when stored, 0 for null, -1. */
static int get_nonempty(struct ctx *x, const char *label, const yaml_node_t *v,
			char **dst)
{
	char *str = NULL;
	int r = get_string(x, label, v, &str);
	if (r <= 0 || !str)
		return r <= 0 ? r : 0;
	if (!*str) {
		free(str);
		return err_at(x, v, "'%s' must not be empty", label);
	}
	free(*dst);
	*dst = str;
	return 1;
}

static int parse_source_json(struct ctx *x, struct qe_config_source *src,
			     const yaml_node_t *v)
{
	yaml_node_pair_t *pair;
	int ret = 0;
	if (is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return err_at(x, v,
			      "'sources.json' must be a mapping of field names, not %s",
			      node_kind(v));
	for (pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top;
	     pair++) {
		const char *key = mapping_key(x, v, pair);
		char **dst, label[64];
		if (!key) {
			ret = -1;
			continue;
		}
		dst = source_json_field(src, key);
		if (!dst) {
			ret = unknown_key(x, node(x, pair->key), "sources.json",
					  source_json_keys,
					  QE_ARRAY_SIZE(source_json_keys));
			continue;
		}
		snprintf(label, sizeof(label), "sources.json.%s", key);
		if (get_nonempty(x, label, node(x, pair->value), dst) < 0)
			ret = -1;
	}
	return ret;
}

static int parse_source(struct ctx *x, struct qe_config_source *src, const yaml_node_t *e)
{
	yaml_node_pair_t *pair;
	int ret = 0;
	/* a bare string is a path read with the tail.* settings */
	if (e->type == YAML_SCALAR_NODE && !is_null(e))
		return get_nonempty(x, "sources.path", e, &src->path) < 0 ? -1 : 0;
	if (e->type != YAML_MAPPING_NODE)
		return err_at(x, e, "'sources' entries must be mappings or paths, not %s",
			      is_null(e) ? "empty" : node_kind(e));
	for (pair = e->data.mapping.pairs.start; pair < e->data.mapping.pairs.top;
	     pair++) {
		const char *key = mapping_key(x, e, pair);
		yaml_node_t *val = node(x, pair->value);
		int r = 0;
		if (!key)
			r = -1;
		else if (!strcmp(key, "path"))
			r = get_nonempty(x, "sources.path", val, &src->path);
		else if (!strcmp(key, "format")) {
			r = get_nonempty(x, "sources.format", val, &src->format);
			if (r > 0 && !in_choices(src->format, log_formats)) {
				const char *guess = qe_did_you_mean(
				    src->format, log_formats, nr_choices(log_formats));
				char *shown = show(src->format);
				r = err_at(
				    x, val,
				    "'sources.format' cannot be %s%s%s%s (auto, text, "
				    "json, docker, cri, syslog or journal)",
				    shown, guess ? "; did you mean '" : "",
				    guess ? guess : "", guess ? "'?" : "");
				free(shown);
			}
		} else if (!strcmp(key, "exclude"))
			r = get_strlist(x, "sources.exclude", val, &src->exclude,
					&src->nr_exclude, 0);
		else if (!strcmp(key, "json"))
			r = parse_source_json(x, src, val);
		else
			r = unknown_key(x, node(x, pair->key), "sources", source_keys,
					QE_ARRAY_SIZE(source_keys));
		if (r < 0)
			ret = -1;
	}
	/* after a misspelt key, "missing" would only say it again */
	if (ret == 0 && !src->path)
		ret = err_at(x, e, "source is missing 'path'");
	return ret;
}

static int parse_sources(struct ctx *x, const yaml_node_t *v)
{
	struct qe_config_source *srcs = NULL;
	size_t n = 0, alloc = 0, i;
	yaml_node_item_t *it;
	struct qe_config old;
	int ret = 1;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return err_at(x, v, "'sources' must be a list, not %s", node_kind(v));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(x, *it);
		struct qe_config_source *src;
		if (n >= MAX_LIST_ITEMS) {
			ret = err_at(x, e, "'sources' has more than %d entries",
				     MAX_LIST_ITEMS);
			break;
		}
		QE_ALLOC_GROW(srcs, n + 1, alloc);
		src = &srcs[n++];
		memset(src, 0, sizeof(*src));
		src->line = (int)e->start_mark.line + 1;
		src->column = (int)e->start_mark.column + 1;
		if (parse_source(x, src, e) < 0) {
			ret = -1;
			continue;
		}
		for (i = 0; i + 1 < n; i++) {
			if (srcs[i].path && !strcmp(srcs[i].path, src->path)) {
				char *shown = show(src->path);
				ret =
				    err_at(x, e, "duplicate source %s (first at line %d)",
					   shown, srcs[i].line);
				free(shown);
				break;
			}
		}
	}
	memset(&old, 0, sizeof(old));
	if (ret > 0) {
		free_sources(x->c);
		x->c->sources = srcs;
		x->c->nr_sources = n;
	} else {
		old.sources = srcs;
		old.nr_sources = n;
		free_sources(&old);
	}
	return ret;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int qe_config_sources_equal(const struct qe_config *a, const struct qe_config *b)
{
	size_t i, j;
	if (a->nr_sources != b->nr_sources)
		return 0;
	for (i = 0; i < a->nr_sources; i++) {
		const struct qe_config_source *x = &a->sources[i], *y = &b->sources[i];
		if (!same_str(x->path, y->path) || !same_str(x->format, y->format) ||
		    !same_str(x->json_level, y->json_level) ||
		    !same_str(x->json_message, y->json_message) ||
		    !same_str(x->json_logger, y->json_logger) ||
		    !same_str(x->json_time, y->json_time) ||
		    !same_str(x->json_exception, y->json_exception) ||
		    !same_str(x->json_error_type, y->json_error_type) ||
		    x->nr_exclude != y->nr_exclude)
			return 0;
		for (j = 0; j < x->nr_exclude; j++)
			if (strcmp(x->exclude[j], y->exclude[j]))
				return 0;
	}
	return 1;
}

static int walk_section(struct ctx *x, const yaml_node_t *map, const char *prefix);

static int set_value(struct ctx *x, const struct spec *s, const yaml_node_t *v)
{
	struct qe_config *c = x->c;
	char *str = NULL, *shown, *subject, *w;
	long l = 0;
	double d = 0;
	int r, b = 0;

	switch (s->type) {
	case T_SECTION:
		if (is_null(v))
			return 0;
		if (v->type != YAML_MAPPING_NODE)
			return err_at(x, v, "'%s' must be a mapping, not %s", s->name,
				      node_kind(v));
		return walk_section(x, v, s->name);
	case T_STRING:
	case T_URL:
	case T_CHOICE:
		r = get_string(x, s->name, v, &str);
		if (r <= 0 || !str)
			return r <= 0 ? r : 0;
		if (s->type == T_URL && !is_http_url(str)) {
			shown = show(str);
			free(str);
			err_at(x, v, "'%s' must start with http:// or https://, not %s",
			       s->name, shown);
			free(shown);
			return -1;
		}
		if (s->type == T_CHOICE && !in_choices(str, s->choices)) {
			const char *guess =
			    qe_did_you_mean(str, s->choices, nr_choices(s->choices));
			shown = show(str);
			free(str);
			err_at(x, v, "'%s' cannot be %s%s%s%s", s->name, shown,
			       guess ? "; did you mean '" : "", guess ? guess : "",
			       guess ? "'?" : "");
			free(shown);
			return -1;
		}
		if (s->type == T_URL)
			strip_slashes(str);
		if (!*str && s->sdef == NULL) {
			/* an empty string means "not set" for optional strings */
			free(str);
			str = NULL;
		} else if (!*str) {
			free(str);
			return err_at(x, v, "'%s' must not be empty", s->name);
		}
		free(*str_field(c, s));
		*str_field(c, s) = str;
		if (s->flags & F_SECRET && str)
			x->saw_api_key = 1;
		return 1;
	case T_LONG:
		r = get_long(x, s->name, v, &l);
		if (r <= 0)
			return r;
		w = where(x, v);
		subject = qe_xasprintf("%s: '%s' %ld", w, s->name, l);
		*long_field(c, s) = check_range(s, subject, l, *long_field(c, s));
		free(subject);
		free(w);
		return 1;
	case T_DURATION: {
		char msg[160];
		if (is_null(v))
			return 0;
		if (v->type != YAML_SCALAR_NODE)
			return err_at(x, v, "'%s' must be a duration such as 30s, not %s",
				      s->name, node_kind(v));
		if (duration_value(s, scalar(v), &l, msg, sizeof(msg)) < 0)
			return err_at(x, v, "'%s' %s", s->name, msg);
		w = where(x, v);
		subject = qe_xasprintf("%s: '%s' %s", w, s->name, scalar(v));
		*long_field(c, s) = check_range(s, subject, l, *long_field(c, s));
		free(subject);
		free(w);
		return 1;
	}
	case T_MILLI:
		r = get_double(x, s->name, v, &d);
		if (r <= 0)
			return r;
		if (d < 0) {
			warn_at(x, v, "'%s' must not be negative; using %g", s->name,
				*long_field(c, s) / 1000.0);
			return 1;
		}
		if (d * 1000.0 > (double)s->max) {
			warn_at(x, v, "'%s' is above the limit %g; using %g", s->name,
				s->max / 1000.0, s->max / 1000.0);
			d = s->max / 1000.0;
		}
		*long_field(c, s) = lround(d * 1000.0);
		return 1;
	case T_BOOL:
		r = get_bool(x, s->name, v, &b);
		if (r > 0)
			*int_field(c, s) = b;
		return r;
	case T_STRLIST:
		return get_strlist(x, s->name, v, list_field(c, s), count_field(c, s),
				   !!(s->flags & F_REGEX));
	case T_PRICES:
		return parse_prices(x, v);
	case T_RULES:
		return parse_rules(x, v);
	case T_GROUPING:
		return parse_grouping_rules(x, v);
	case T_SOURCES:
		return parse_sources(x, v);
	}
	return 0;
}

/* Children of `prefix` in the spec table, for "did you mean". */
static size_t section_keys(const char *prefix, const char **out, size_t max)
{
	size_t i, n = 0, plen = strlen(prefix);
	for (i = 0; i < QE_ARRAY_SIZE(specs) && n < max; i++) {
		const char *name = specs[i].name;
		if (plen) {
			if (strncmp(name, prefix, plen) || name[plen] != '.')
				continue;
			name += plen + 1;
		}
		if (strchr(name, '.'))
			continue;
		out[n++] = name;
	}
	return n;
}

static int walk_section(struct ctx *x, const yaml_node_t *map, const char *prefix)
{
	yaml_node_pair_t *pair;
	int ret = 0;
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top;
	     pair++) {
		const char *key = mapping_key(x, map, pair);
		const struct spec *s;
		char *full;
		if (!key) {
			ret = -1;
			continue;
		}
		full = *prefix ? qe_xasprintf("%s.%s", prefix, key) : qe_xstrdup(key);
		s = find_spec(full);
		free(full);
		if (!s) {
			const char *cands[QE_ARRAY_SIZE(specs)];
			size_t n = section_keys(prefix, cands, QE_ARRAY_SIZE(cands));
			ret = unknown_key(x, node(x, pair->key), prefix, cands, n);
			continue;
		}
		if (set_value(x, s, node(x, pair->value)) < 0)
			ret = -1;
	}
	return ret;
}

/* libyaml reader errors carry a byte offset only; find the line and column. */
static void offset_to_mark(const unsigned char *data, size_t len, size_t off,
			   size_t *line, size_t *col)
{
	size_t i;
	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int syntax_error(const char *name, const yaml_parser_t *p,
			const unsigned char *data, size_t len)
{
	size_t line, col;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	const char *hint = "";
	if (p->error == YAML_MEMORY_ERROR)
		return qe_error("%s: out of memory while parsing", name);
	if (p->error == YAML_READER_ERROR) {
		offset_to_mark(data, len, p->problem_offset, &line, &col);
		return qe_error("%s:%zu:%zu: %s", name, line, col, problem);
	}
	line = p->problem_mark.line + 1;
	col = p->problem_mark.column + 1;
	/* libyaml's words for a tab say nothing of tabs */
	if (p->problem_mark.index < len && data[p->problem_mark.index] == '\t')
		hint = "; YAML does not allow tabs for indentation: indent with spaces";
	if (p->context)
		return qe_error("%s:%zu:%zu: %s (%s at %zu:%zu)%s", name, line, col,
				problem, p->context, p->context_mark.line + 1,
				p->context_mark.column + 1, hint);
	return qe_error("%s:%zu:%zu: %s%s", name, line, col, problem, hint);
}

/*
 * Walk the events once, before the document is built, to refuse nesting
 * deeper than MAX_DEPTH.  libyaml's scanner keeps one entry per open flow
 * collection and looks at all of them for every token, so the time of
 * "a: [[[[..." grows with the square of the depth; stopping at a small
 * depth keeps a hostile file (or a SIGHUP reload of one) linear in its
 * size.  Syntax errors are left to the loader, which reports them.
 */
static int check_depth(const char *name, const unsigned char *data, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, ret = 0;

	if (!yaml_parser_initialize(&parser))
		return qe_error("%s: cannot initialise the YAML parser", name);
	yaml_parser_set_input_string(&parser, data, len);
	for (;;) {
		yaml_event_type_t type;
		if (!yaml_parser_parse(&parser, &ev))
			break;
		type = ev.type;
		if (type == YAML_SEQUENCE_START_EVENT ||
		    type == YAML_MAPPING_START_EVENT) {
			if (++depth > MAX_DEPTH) {
				ret =
				    qe_error("%s:%zu:%zu: nesting deeper than %d levels",
					     name, ev.start_mark.line + 1,
					     ev.start_mark.column + 1, MAX_DEPTH);
				yaml_event_delete(&ev);
				break;
			}
		} else if (type == YAML_SEQUENCE_END_EVENT ||
			   type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		yaml_event_delete(&ev);
		if (type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&parser);
	return ret;
}

static int parse_yaml(struct qe_config *c, const char *name, const unsigned char *data,
		      size_t len, int *saw_api_key)
{
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	int have_doc = 0, ret = -1;
	struct ctx x = {.c = c, .name = name, .doc = &doc};
	yaml_node_t *root, *next;

	if (check_depth(name, data, len) < 0)
		return -1;
	if (!yaml_parser_initialize(&parser))
		return qe_error("%s: cannot initialise the YAML parser", name);
	yaml_parser_set_input_string(&parser, data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		syntax_error(name, &parser, data, len);
		goto out;
	}
	have_doc = 1;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		ret = 0;
		goto out;
	}
	/* A second document would be silently ignored; say so instead. */
	if (!yaml_parser_load(&parser, &extra)) {
		syntax_error(name, &parser, data, len);
		goto out;
	}
	next = yaml_document_get_root_node(&extra);
	if (next) {
		qe_error("%s:%zu:%zu: only one YAML document is allowed", name,
			 next->start_mark.line + 1, next->start_mark.column + 1);
		yaml_document_delete(&extra);
		goto out;
	}
	yaml_document_delete(&extra);
	if (is_null(root)) {
		ret = 0;
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		err_at(&x, root, "the top level must be a mapping of keys, not %s",
		       node_kind(root));
		report_errors(&x);
		goto out;
	}
	walk_section(&x, root, "");
	ret = report_errors(&x);
	if (saw_api_key)
		*saw_api_key = x.saw_api_key;
out:
	release_errors(&x);
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return ret;
}

int qe_config_load_string(struct qe_config *c, const char *name, const char *yaml)
{
	return parse_yaml(c, name ? name : "<string>", (const unsigned char *)yaml,
			  strlen(yaml), NULL);
}

/* ---- the environment ---- */

static const char *getenv_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static void env_string(struct qe_config *c, const struct spec *s)
{
	const char *v = getenv_set(s->env);
	char **dst = str_field(c, s);
	if (!v)
		return;
	if (s->type == T_URL && !is_http_url(v)) {
		qe_warning("ignoring %s: it must start with http:// or https://", s->env);
		return;
	}
	if (s->type == T_CHOICE && !in_choices(v, s->choices)) {
		char *shown = show(v);
		qe_warning("ignoring %s=%s: not a known value", s->env, shown);
		free(shown);
		return;
	}
	free(*dst);
	*dst = qe_xstrdup(v);
	if (s->type == T_URL)
		strip_slashes(*dst);
}

static void env_long(struct qe_config *c, const struct spec *s)
{
	const char *v = getenv_set(s->env);
	long *dst = long_field(c, s), l;
	char *subject;
	if (!v)
		return;
	if (qe_parse_long(v, &l)) {
		char *shown = show(v);
		qe_warning("%s=%s is not a valid integer; using %ld", s->env, shown,
			   *dst);
		free(shown);
		return;
	}
	subject = qe_xasprintf("%s=%ld", s->env, l);
	*dst = check_range(s, subject, l, *dst);
	free(subject);
}

static void env_duration(struct qe_config *c, const struct spec *s)
{
	const char *v = getenv_set(s->env);
	long *dst = long_field(c, s), l;
	char msg[160], *subject;
	if (!v)
		return;
	if (duration_value(s, v, &l, msg, sizeof(msg)) < 0) {
		qe_warning("ignoring %s: it %s", s->env, msg);
		return;
	}
	subject = qe_xasprintf("%s=%s", s->env, v);
	*dst = check_range(s, subject, l, *dst);
	free(subject);
}

void qe_config_apply_env(struct qe_config *c)
{
	const char *key;
	size_t i;

	for (i = 0; i < QE_ARRAY_SIZE(specs); i++) {
		const struct spec *s = &specs[i];
		if (!s->env)
			continue;
		if (s->type == T_LONG)
			env_long(c, s);
		else if (s->type == T_DURATION)
			env_duration(c, s);
		else
			env_string(c, s);
	}
	/* QERRORS_AI_API_KEY is ours and wins over the generic OpenAI one. */
	key = getenv_set("QERRORS_AI_API_KEY");
	if (!key)
		key = getenv_set("OPENAI_API_KEY");
	if (key) {
		free(c->ai_api_key);
		c->ai_api_key = qe_xstrdup(key);
	}

	/*
	 * Values set by a command line after loading, or by a caller that
	 * filled the struct by hand, get the same limits as the file.
	 */
	for (i = 0; i < QE_ARRAY_SIZE(specs); i++) {
		const struct spec *s = &specs[i];
		long *v;
		if (s->type != T_LONG && s->type != T_MILLI && s->type != T_DURATION)
			continue;
		v = long_field(c, s);
		if ((*v == 0 && (s->flags & F_ZERO_OFF)) ||
		    (*v >= s->min && *v <= s->max))
			continue;
		qe_warning("'%s' %ld is out of range; using %ld", s->name, *v,
			   *v < s->min ? (*v < 0 ? s->def : s->min) : s->max);
		*v = *v < s->min ? (*v < 0 ? s->def : s->min) : s->max;
	}
	strip_slashes(c->ai_base_url);
}

/* ---- finding and reading the file ---- */

/*
 * Read a whole file into memory.  Returns 1 when read, 0 when it does not
 * exist and `missing_ok`, -1 on error.
 */
static int read_file(const char *path, int missing_ok, struct qe_buf *out,
		     struct stat *st)
{
	int fd, ret = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (missing_ok && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		/*
		 * A system file kept private because it holds a key must not
		 * stop other users from running qerrors with the defaults.
		 */
		if (missing_ok && errno == EACCES) {
			qe_warning("ignoring config file '%s': %s", path,
				   strerror(errno));
			return 0;
		}
		return qe_error("cannot open config file '%s': %s", path,
				strerror(errno));
	}
	if (fstat(fd, st) < 0) {
		qe_error("cannot stat config file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st->st_mode)) {
		qe_error("config file '%s' is not a regular file", path);
		goto out;
	}
	if (st->st_size > MAX_FILE_BYTES) {
		qe_error("config file '%s' is larger than %d bytes", path,
			 MAX_FILE_BYTES);
		goto out;
	}
	for (;;) {
		ssize_t n;
		if (out->len >= MAX_FILE_BYTES) {
			qe_error("config file '%s' is larger than %d bytes", path,
				 MAX_FILE_BYTES);
			goto out;
		}
		qe_buf_grow(out, 8192);
		n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			qe_error("cannot read config file '%s': %s", path,
				 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
	}
	ret = 1;
out:
	close(fd);
	return ret;
}

static char *default_user_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	/* the XDG spec says relative values are to be ignored */
	if (xdg && *xdg == '/')
		return qe_xasprintf("%s/qerrors/qerrors.yaml", xdg);
	if (home && *home)
		return qe_xasprintf("%s/.config/qerrors/qerrors.yaml", home);
	return NULL;
}

int qe_config_load(struct qe_config *c, const char *explicit_path)
{
	struct qe_buf data = QE_BUF_INIT;
	struct stat st;
	char *candidates[3] = {NULL, NULL, NULL};
	int explicit = 0, ret = -1, saw_key = 0, r = 0;
	size_t i;

	if (explicit_path) {
		candidates[0] = qe_xstrdup(explicit_path);
		explicit = 1;
	} else if (getenv_set("QERRORS_CONFIG")) {
		/* naming a file in the environment is as explicit as --config */
		candidates[0] = qe_xstrdup(getenv_set("QERRORS_CONFIG"));
		explicit = 1;
	} else {
		candidates[0] = default_user_path();
		candidates[1] = qe_xstrdup("/etc/qerrors/qerrors.yaml");
	}

	for (i = 0; i < QE_ARRAY_SIZE(candidates); i++) {
		if (!candidates[i])
			continue;
		qe_buf_reset(&data);
		r = read_file(candidates[i], !explicit, &data, &st);
		if (r < 0)
			goto out;
		if (r > 0)
			break;
	}
	if (r > 0) {
		if (parse_yaml(c, candidates[i], (const unsigned char *)data.buf,
			       data.len, &saw_key) < 0)
			goto out;
		free(c->path);
		c->path = qe_xstrdup(candidates[i]);
		if (saw_key && (st.st_mode & S_IROTH))
			qe_warning("'%s' holds an API key and is readable by every user; "
				   "run 'chmod 600 %s'",
				   c->path, c->path);
	}
	qe_config_apply_env(c);
	ret = 0;
out:
	for (i = 0; i < QE_ARRAY_SIZE(candidates); i++)
		free(candidates[i]);
	qe_buf_release(&data);
	return ret;
}
