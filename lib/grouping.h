/*
 * grouping: what decides an event's group beyond its fingerprint's own
 * stages: user grouping rules (grouping.rules, as Sentry's fingerprint
 * rules) and the templates learnt from the stream (learn.h), with their
 * loading from and saving to the state database and a fleet.
 *
 * Rules are tried in file order and the first whose patterns all match
 * decides.  A rule with `group` puts the event into the group of that
 * name (its fingerprint is derived from the name alone, plus the value
 * split_by captured); a rule with only `split_by` keeps the fingerprint
 * the event would have had and adds the captured value to it.  Patterns
 * are PCRE2 with the rule set's match limit; `frame` matches any frame's
 * module, function or file; `source` matches the name of the source the
 * event came from (a path, "standard input", a journal name).
 */
#ifndef QE_GROUPING_H
#define QE_GROUPING_H

#include <stddef.h>

struct qe_config;
struct qe_event;
struct qe_fleet;
struct qe_learn;
struct qe_store;
struct qe_grouping;

/* Compile the rules of c and create the learner (grouping.learn).  NULL
 * with qe_error() "FILE:LINE:COLUMN: ..." for a pattern that does not
 * compile. */
struct qe_grouping *qe_grouping_new(const struct qe_config *c);
void qe_grouping_free(struct qe_grouping *g); /* NULL-safe */

/* The learner, or NULL when learning is off.  Borrowed. */
struct qe_learn *qe_grouping_learner(struct qe_grouping *g);

struct qe_grouping_hit {
	const char *group; /* borrowed; NULL for a split_by-only rule */
	char *split;	   /* the value split_by captured ("" when none); owned */
	char *rule;	   /* "FILE:LINE" of the rule; owned */
};
void qe_grouping_hit_release(struct qe_grouping_hit *h);

/* The first rule that matches ev (from `source`, may be NULL): 1 and hit
 * filled, else 0. */
int qe_grouping_rule_match(struct qe_grouping *g, const struct qe_event *ev,
			   const char *source, struct qe_grouping_hit *hit);

/*
 * Learnt templates in the state and the fleet.  load: the state's, then
 * the fleet's (either may be NULL), so a restart and every host of a
 * fleet group alike.  save: what changed since the last save, into the
 * store (the caller's transaction, if one is open) and the fleet; and,
 * every QE_GROUPING_PULL_MS, what the other hosts of the fleet learnt
 * meanwhile.  Both
 * return 0, or -1 with qe_error() set; a fleet that is down is not an
 * error (it catches up on a later save).  save also adds to the store's
 * counters templates_created, templates_dropped (messages not learnt:
 * caps reached or too long) and templates_merged, which `stats --json`
 * shows.  Templates saved count as saved even if the caller's
 * transaction then fails; they stay learnt in memory.
 */
#define QE_GROUPING_PULL_MS 60000
int qe_grouping_load(struct qe_grouping *g, struct qe_store *s, struct qe_fleet *f);
int qe_grouping_save(struct qe_grouping *g, struct qe_store *s, struct qe_fleet *f);

#endif
