/*
 * rules: the compiled rule set (PCRE2, JIT, match limits).
 *
 * Built-in pack (Java/Kotlin/Scala, Python, Node.js, Go, Ruby, .NET, PHP,
 * Rust, the sanitizers, gfortran, Perl's die, Tcl's trace, glibc's
 * assert(), and single-line errors by level) plus user rules from the config.
 * Its rules do not change once built and it may be shared by the
 * assemblers of one thread.  A bad user pattern fails qe_rules_new() with a message
 * naming the rule and the offset in the pattern.
 *
 * Order of evaluation: user rules first (every line), then the built-in
 * pack, which only runs on lines that pass a cheap byte prefilter for its
 * trigger words, so ordinary lines cost one scan.  A rule set holds one
 * reusable match buffer and counts hits, so it is used from one thread.
 * Match errors (cfg->match_limit reached, also used as the depth limit)
 * count as "no match".  User rules: `start` (when set) replaces `pattern`
 * as the start pattern; (?<type>...) and (?<message>...) groups fill the
 * event's type and message; user patterns are compiled in UTF mode that
 * tolerates invalid UTF-8, built-in ones match bytes.
 */
#ifndef QE_RULES_H
#define QE_RULES_H

#include <stddef.h>
#include <stdint.h>

struct qe_config;
struct qe_rules;

struct qe_rules *qe_rules_new(const struct qe_config *c);
void qe_rules_free(struct qe_rules *r); /* NULL-safe */

/* Description of rule i, in evaluation order, for `rules list`. */
struct qe_rule_info {
	const char *name;
	const char *kind;
	const char *severity;
	const char *pattern;
	const char *continuation; /* NULL when none */
	int builtin;
	size_t nr_samples;
	uint64_t hits;	  /* lines this rule started an event on */
	uint64_t time_ns; /* time spent matching this rule */
};
size_t qe_rules_count(const struct qe_rules *r);
/* Measure time spent per rule (time_ns); off by default, since reading
 * the clock twice per rule tried costs more than most matches. */
void qe_rules_set_timing(struct qe_rules *r, int on);
void qe_rules_info(const struct qe_rules *r, size_t i, struct qe_rule_info *out);

/* Verify every rule's samples; returns the number of failures and calls
 * fn for each sample checked (ok = 1 pass, 0 fail). */
typedef void (*qe_sample_fn)(const char *rule, const char *line, int expected, int ok,
			     void *data);
size_t qe_rules_check_samples(struct qe_rules *r, qe_sample_fn fn, void *data);

/*
 * For the assembler.  Each rule belongs to a trace language, which says
 * how the lines after its start line are recognised.
 */
enum qe_rule_lang {
	QE_LANG_USER,
	QE_LANG_LINE,
	QE_LANG_JAVA,
	QE_LANG_PYTHON,
	QE_LANG_NODE,
	QE_LANG_GO,
	QE_LANG_RUBY,
	QE_LANG_DOTNET,
	QE_LANG_PHP,
	QE_LANG_RUST,
};

/* A start match.  Strings are borrowed from the rule set; type/message
 * are offsets into the matched line of a user rule's (?<type>...) and
 * (?<message>...) groups, length 0 when absent. */
struct qe_rule_match {
	size_t rule;
	enum qe_rule_lang lang;
	int severity; /* enum qe_severity */
	const char *name;
	const char *kind;
	size_t type_off, type_len;
	size_t msg_off, msg_len;
};

/* 1 when line starts an event (first matching rule, ignores applied),
 * 0 otherwise.  Counts a hit for the rule. */
int qe_rules_match_start(struct qe_rules *r, const char *line, size_t len,
			 struct qe_rule_match *m);
/* The same without counting a hit: asking ahead whether a line would
 * start an event, before it is fed (the time is counted). */
int qe_rules_peek_start(struct qe_rules *r, const char *line, size_t len,
			struct qe_rule_match *m);
/* Count the hit a peeked match did not count, when it is used. */
void qe_rules_count_hit(struct qe_rules *r, size_t i);
/* 1 when the last qe_rules_match_start() call got past the prefilter,
 * so that a part of that line is worth matching again (the prefilter
 * fails on every part of a line it fails on). */
int qe_rules_prefilter_passed(const struct qe_rules *r);
/* 1 when line matches the continuation pattern of rule i. */
int qe_rules_match_cont(struct qe_rules *r, size_t i, const char *line, size_t len);
/* The index of the built-in rule for a trace language, or (size_t)-1. */
size_t qe_rules_lang_rule(const struct qe_rules *r, enum qe_rule_lang lang);
/* 1 when any byte sequence that a built-in rule could start on is in line
 * (the prefilter; exposed for tests). */
int qe_rules_prefilter(const char *line, size_t len);
/*
 * The same over a block of whole lines (buf ends with '\n'): the offset
 * of the first line that qe_rules_match_start() could match (glog's
 * header behind a collector's time among them), or that starts with '/'
 * or 'f' (a Node.js source-context prelude the assembler holds), or n
 * when there is none.  One pass: Vectorscan's literal
 * matcher when qerrors is built with it (QE_HAVE_HS), else the trigram
 * scan; line boundaries are looked for only around a hit.  0 whenever
 * user rules exist, since they run on every line.  Uses the rule set's
 * scratch space, so one thread at a time.
 *
 * json NULL: every line is text.  Otherwise a line whose first byte after
 * blanks is '{' is also judged as the decoder reads a JSON record
 * (decode.c): it is a candidate when, besides the trigger words, it has
 * an escape other than \" and \\ (\u can hide a word, \n makes the
 * message a trace), a key that may hold an exception, a level key whose
 * value may be a number at error or above (0-3 syslog, 50-99 pino and
 * bunyan, 400-600 Monolog, in any spelling strtod() reads), or a message key whose value
 * starts with a line-start form; and not when json->quick says the
 * decoder reads it on its quick path (a level below error, no exception
 * key: no event, nothing for the rules).  json names the keys the
 * decoder was configured to read besides its own (tail.json.*; each may
 * be NULL).  Without Vectorscan, and for the small reads of a live tail
 * before a large one, every JSON line but the quick ones is a candidate.
 */
struct qe_scan_json {
	const char *level;
	const char *message;
	const char *exception;
	/* line without its '\n'; NULL: no line is quick */
	int (*quick)(const char *line, size_t len, void *data);
	void *data;
};
/*
 * text NULL: a text line with a trigger word or a line-start form is the
 * line found.  Otherwise such a line is passed, and the scan goes on,
 * when text->take says the line changes nothing where it goes (it asks
 * the assembler: qe_assembler_takes()); a trigger word is far more
 * common than an event ("errors=0", a logger named "app.error").
 */
struct qe_scan_text {
	/* line without its '\n'; 1: it is the line found */
	int (*take)(const char *line, size_t len, void *data);
	void *data;
};
size_t qe_rules_scan(struct qe_rules *r, const char *buf, size_t n,
		     const struct qe_scan_json *json, const struct qe_scan_text *text);

/* The built-in pack as data (rules_builtin.c), in evaluation order. */
struct qe_builtin_sample {
	const char *line;
	int matches;
};
struct qe_builtin_rule {
	const char *name;
	const char *kind;
	const char *severity; /* default severity */
	enum qe_rule_lang lang;
	const char *pattern;	  /* start; group "lvl" (if any) picks severity */
	const char *continuation; /* NULL for single-line rules */
	const struct qe_builtin_sample *samples;
	size_t nr_samples;
};
extern const struct qe_builtin_rule qe_builtin_rules[];
extern const size_t qe_nr_builtin_rules;

#endif
