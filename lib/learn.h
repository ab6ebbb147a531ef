/*
 * learn: templates learnt from the stream of masked messages, so that a
 * word in a slot (a program, user or host name) becomes a variable once
 * lines of one shape show that it varies.
 *
 * The method is Drain's (He et al., ICWS 2017) on the output of the mask:
 * messages are tokenised on spaces; a message is compared with the
 * templates of the same type and the same number of tokens (and the same
 * first token, unless it is a placeholder, or unless all else agrees in
 * a message of four tokens or more with three equal words besides: a
 * program or host name at the start); the most similar template
 * with at least QE_LEARN_SIMILARITY of its positions equal (all but one,
 * when that is less, in a message of three or four tokens) takes the
 * message, and the positions where they differ become "<*>".  A message
 * one variable shorter than a template (a slot that holds nothing) joins
 * it the same way, as does a message one token longer than a template
 * that can take it there.
 *
 * A slot where the template and the message hold two different words
 * (neither a value of the mask) becomes a variable only when
 * QE_LEARN_DISTINCT (or qe_learn_set_distinct()) different words were seen
 * in it; until then each word has a template of its own, and on the last
 * they are folded into the one seen first (the others' ids retired, as on import).  Lines
 * that differ in one word are often different messages ("stored as bytes", "stored as
 * values"); a slot of names holds many.  Two names (a digit, or a '.' or
 * '/' inside: system.charge.show, com.apple.backup.daily) are enough; two
 * states (in capitals, or capitalised past the first word: GET and POST,
 * "VM Started" and "VM Paused") never are.
 *
 * Identity is stable: a template is created with the fingerprint the
 * mask gave its first message, and keeps it while it learns, so a group
 * never changes fingerprint (and never asks the AI again) because more
 * lines were seen.  The same messages in the same order give the same
 * fingerprints.  When two templates turn out to be one (on import from
 * the state or a fleet) the one first seen earliest keeps its id; the
 * other is retired and exported as such, so stores and fleets converge.
 *
 * Cost: templates are indexed by length, position and word (and, for
 * each length and position, those holding a variable or a value there).
 * A template that can take a message holds, at every word of the
 * message but as many as the similarity lets differ (at every word
 * for one a token longer or shorter or one differing in the first word
 * only), the same word, a variable or a value; so it is in one of the
 * lists of any of those words plus one, and the message is compared
 * only with the templates of the shortest such lists, each comparison
 * ending as soon as too many words differ.  The template chosen is the
 * one a comparison with every template would choose.  The siblings that
 * are the evidence for a word slot (above) are found the same way,
 * through the lists of one of the words they share.  Microseconds per
 * message when templates have words of their own; when all share the
 * message's words, or it has only values, as many comparisons as
 * templates of its length: about 0.1 ms when 4096 share a length and a
 * first word.
 *
 * Bounded: at most max_templates templates of at most QE_LEARN_MAX_TOKENS
 * tokens, max_bytes bytes in all, the index included: 4 bytes a token,
 * 8 a template, and a table of 12 bytes an entry (one for each length,
 * position and word held), at most three quarters full.  That is about
 * half as much again as the templates alone (4096 templates of 7 tokens,
 * 3 words of their own each: 0.54 MB beside 0.95 MB).  A message that
 * would need a new template beyond the caps is not learnt (it keeps its
 * mask fingerprint) and counted in `dropped`.  A match that changes a
 * template is not refused: the template may take a few bytes more (a
 * longer variable, a slot that holds nothing), and the table may double
 * for one that gains a token.
 */
#ifndef QE_LEARN_H
#define QE_LEARN_H

#include <stddef.h>
#include <stdint.h>

struct qe_buf;
struct qe_learn;

#define QE_LEARN_VAR "<*>"
/* Share of equal positions needed to join a template, by default. */
#define QE_LEARN_SIMILARITY 0.8
/* Different words seen in one slot before it is a variable, by default
 * (see learn.c, evidence()), and the most that may be asked. */
#define QE_LEARN_DISTINCT 5
#define QE_LEARN_DISTINCT_MAX 9
/* Longest template learnt, in tokens; longer messages keep their mask. */
#define QE_LEARN_MAX_TOKENS 64
#define QE_LEARN_DEFAULT_TEMPLATES 4096
#define QE_LEARN_DEFAULT_BYTES (4L * 1024 * 1024)

struct qe_learn_stats {
	size_t templates; /* live templates */
	size_t bytes;	  /* their memory, as counted against max_bytes */
	uint64_t matched; /* messages that joined a template */
	uint64_t created; /* templates created */
	uint64_t dropped; /* messages not learnt: caps reached or too long */
	uint64_t merged;  /* templates retired into another on import */
};

/* One learnt template, as exported and imported.  Strings are borrowed. */
struct qe_learnt {
	const char *id;	      /* 16 hex digits: the fingerprint it gives */
	const char *type;     /* exception type, "" for none */
	const char *tmpl;     /* tokens joined by single spaces; "<*>" = variable */
	long long count;      /* messages it took (informative) */
	long long first_seen; /* wall-clock ms; the earliest wins a merge */
	int retired;	      /* export only: this id was merged away */
};

/* max_templates / max_bytes / similarity 0 = the defaults. */
struct qe_learn *qe_learn_new(size_t max_templates, size_t max_bytes, double similarity);
/* Different words one slot must have held before it is a variable
 * (2..QE_LEARN_DISTINCT_MAX; other values keep the default). */
void qe_learn_set_distinct(struct qe_learn *l, unsigned n);
void qe_learn_free(struct qe_learn *l); /* NULL-safe */
/* on: compare each message with every template of the lengths it may
 * join, not only with those the index finds (the same result, slower:
 * for tests of the index). */
void qe_learn_set_scan(struct qe_learn *l, int on);

/*
 * Learn from one masked message and say which template it belongs to.
 * mask_fp: the fingerprint the mask alone gives it, adopted as the id of a
 * new template.  now_ms: wall-clock time (first_seen of a new template).
 * On return id_out holds the id (16 hex digits + NUL) and tmpl_out, when
 * not NULL, gets the template's current text.  Returns 1 when a template
 * decided (existing or new), 0 when the message was not learnt (id_out is
 * then mask_fp).
 */
int qe_learn_match(struct qe_learn *l, const char *type, const char *masked,
		   const char *mask_fp, int64_t now_ms, char id_out[17],
		   struct qe_buf *tmpl_out);

/* Import one template (from the state or a fleet): merged with the same id
 * or with a template it matches, else added.  0, or -1 with qe_error() for
 * a malformed record (the learner is unchanged). */
int qe_learn_import(struct qe_learn *l, const struct qe_learnt *t);

/* Call fn for every template (dirty_only: those changed since the last
 * qe_learn_clean(), and ids retired since then); fn returns non-zero to
 * stop, which is returned. */
typedef int (*qe_learn_fn)(const struct qe_learnt *t, void *data);
int qe_learn_export(struct qe_learn *l, int dirty_only, qe_learn_fn fn, void *data);
/* Mark everything saved: the next dirty export starts from here. */
void qe_learn_clean(struct qe_learn *l);
/* Mark the template of id changed (a place it is saved to lacks it). */
void qe_learn_touch(struct qe_learn *l, const char *id);

void qe_learn_stats(const struct qe_learn *l, struct qe_learn_stats *out);

#endif
