/*
 * fingerprint: a stable, versioned identity for "the same error".
 *
 * Stages, first that applies decides:
 *   rule    a user grouping rule (grouping.h) names the group or splits it;
 *   trace   exception type plus the normalised frames (module/file +
 *           function; no line numbers, addresses or generated suffixes;
 *           in-app frames preferred);
 *   learnt  a message joined a template learnt from the stream (learn.h)
 *           whose id is another message's mask fingerprint;
 *   mask    the message with its variable parts masked.
 * qe_fingerprint() alone uses no learnt state: the same event gives the
 * same fingerprint on every host and every run.  With a learner, the
 * fingerprint of a message is its template's id, which is the mask
 * fingerprint of the template's first message and never changes.  The
 * version is part of the hashed input, so a change to the algorithm
 * changes every fingerprint on purpose.
 */
#ifndef QE_FINGERPRINT_H
#define QE_FINGERPRINT_H

#include <stddef.h>

struct qe_event;
struct qe_buf;
struct qe_grouping;

#define QE_FINGERPRINT_VERSION 12

/* Frames hashed per trace: the first in-app ones (innermost first). */
#define QE_FINGERPRINT_FRAMES 5

/* Fill ev->fingerprint (16 hex digits) and ev->template. */
void qe_fingerprint(struct qe_event *ev);

enum qe_fp_stage {
	QE_FP_STAGE_MASK,
	QE_FP_STAGE_LEARNT,
	QE_FP_STAGE_TRACE,
	QE_FP_STAGE_RULE,
};
const char *qe_fp_stage_name(enum qe_fp_stage s); /* "mask", "learnt", ... */

/* How a fingerprint was decided. */
struct qe_fp_info {
	enum qe_fp_stage stage;
	char mask_fp[17]; /* what the mask or the trace alone gave */
	char *learnt;	  /* the learnt template, when a learner took part */
	char *rule;	  /* "FILE:LINE" of the grouping rule applied */
	char *group;	  /* its group name */
	char *split;	  /* what its split_by captured */
};
void qe_fp_info_release(struct qe_fp_info *info); /* safe twice */

/*
 * qe_fingerprint() with the user grouping rules and the learner of g (NULL:
 * neither), for an event read from `source` (may be NULL).  Learning
 * applies to message events only; traces keep type + frames.  info may
 * be NULL; else the caller releases it.
 */
void qe_fingerprint_with(struct qe_event *ev, struct qe_grouping *g, const char *source,
			 struct qe_fp_info *info);

/* The template of a message: variable parts (numbers, hex, UUIDs, IPs,
 * e-mails, URLs' variable parts, quoted values, timestamps, ids) masked.
 * Caller frees. */
char *qe_fingerprint_mask(const char *msg, size_t len);

/* The template of one raw log line: its header (timestamp, level, pid,
 * thread, logger) removed, then masked.  Caller frees. */
char *qe_fingerprint_mask_line(const char *line, size_t len);

/* What went into the fingerprint, for `qerrors fingerprint`: fills a JSON
 * object text into out: {"version":..,"basis":"frames"|"message","kind":..,
 * "type":..,"frames":[{"module","function","in_app"}..],"template":..}. */
void qe_fingerprint_explain(const struct qe_event *ev, struct qe_buf *out);
/* The same with "stage", "mask_fingerprint" and, when they apply,
 * "learnt_template", "rule", "group", "split". */
void qe_fingerprint_explain_with(const struct qe_event *ev, const struct qe_fp_info *info,
				 struct qe_buf *out);

#endif
