/* grouping: see grouping.h */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "grouping.h"
#include "config.h"
#include "event.h"
#include "fleet.h"
#include "learn.h"
#include "store.h"
#include "util.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest value split_by keeps: a group per distinct value, not per line. */
#define SPLIT_MAX 256

struct grule {
	pcre2_code *type, *message, *frame, *source, *split_by;
	const char *group; /* into cfg, which outlives us: copied */
	char *group_copy;
	char *where; /* FILE:LINE */
};

struct qe_grouping {
	struct grule *rules;
	size_t nr;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	struct qe_learn *learn;
	struct qe_learn_stats saved; /* what the store's counters already hold */
	int64_t pulled_ms;	     /* last read of the fleet's templates */
	int fleet_behind;	     /* saves missed the fleet: send it everything */
};

static pcre2_code *compile(const struct qe_grouping_rule_conf *r,
			   const struct qe_grouping_pattern *p, const char *what,
			   int *failed)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *re;

	if (!p->regex || *failed)
		return NULL;
	re = pcre2_compile((PCRE2_SPTR)p->regex, PCRE2_ZERO_TERMINATED,
			   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		qe_error("%s:%d:%zu: invalid '%s' pattern of grouping rule: %s",
			 r->file ? r->file : "config", p->line,
			 (size_t)p->column + (size_t)off, what, (const char *)msg);
		*failed = 1;
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

static void rule_release(struct grule *g)
{
	pcre2_code_free(g->type);
	pcre2_code_free(g->message);
	pcre2_code_free(g->frame);
	pcre2_code_free(g->source);
	pcre2_code_free(g->split_by);
	free(g->group_copy);
	free(g->where);
}

struct qe_grouping *qe_grouping_new(const struct qe_config *c)
{
	struct qe_grouping *g = qe_xcalloc(1, sizeof(*g));
	size_t i;
	int failed = 0;

	g->md = pcre2_match_data_create(16, NULL);
	g->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(g->mctx,
			      (uint32_t)(c->match_limit > 0 ? c->match_limit : 100000));
	g->rules = qe_xcalloc(c->nr_grouping_rules ? c->nr_grouping_rules : 1,
			      sizeof(*g->rules));
	for (i = 0; i < c->nr_grouping_rules && !failed; i++) {
		const struct qe_grouping_rule_conf *r = &c->grouping_rules[i];
		struct grule *x = &g->rules[g->nr++];
		x->type = compile(r, &r->type, "type", &failed);
		x->message = compile(r, &r->message, "message", &failed);
		x->frame = compile(r, &r->frame, "frame", &failed);
		x->source = compile(r, &r->source, "source", &failed);
		x->split_by = compile(r, &r->split_by, "split_by", &failed);
		x->group_copy = r->group ? qe_xstrdup(r->group) : NULL;
		x->group = x->group_copy;
		x->where = qe_xasprintf("%s:%d", r->file ? r->file : "config", r->line);
	}
	if (failed || !g->md || !g->mctx) {
		if (!failed)
			qe_error("out of memory for grouping rules");
		qe_grouping_free(g);
		return NULL;
	}
	if (c->grouping_learn) {
		g->learn = qe_learn_new((size_t)c->grouping_max_templates,
					(size_t)c->grouping_max_template_bytes,
					c->grouping_similarity_milli / 1000.0);
		qe_learn_set_distinct(g->learn, (unsigned)c->grouping_distinct_words);
	}
	return g;
}

void qe_grouping_free(struct qe_grouping *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->nr; i++)
		rule_release(&g->rules[i]);
	free(g->rules);
	pcre2_match_data_free(g->md);
	pcre2_match_context_free(g->mctx);
	qe_learn_free(g->learn);
	free(g);
}

struct qe_learn *qe_grouping_learner(struct qe_grouping *g)
{
	return g ? g->learn : NULL;
}

void qe_grouping_hit_release(struct qe_grouping_hit *h)
{
	free(h->split);
	free(h->rule);
	memset(h, 0, sizeof(*h));
}

/* 1 match, 0 no match (a match limit hit counts as no match). */
static int matches(struct qe_grouping *g, const pcre2_code *re, const char *s)
{
	if (!s)
		return 0;
	return pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, g->md, g->mctx) >= 0;
}

static int frame_matches(struct qe_grouping *g, const pcre2_code *re,
			 const struct qe_event *ev)
{
	size_t i;

	for (i = 0; i < ev->nr_frames; i++) {
		const struct qe_frame *f = &ev->frames[i];
		if (matches(g, re, f->function) || matches(g, re, f->module) ||
		    matches(g, re, f->file))
			return 1;
	}
	return 0;
}

static const char *event_message(const struct qe_event *ev)
{
	if (ev->message && *ev->message)
		return ev->message;
	return ev->nr_lines ? ev->lines[0] : "";
}

/* What split_by captures in the message: group 1 when it has one. */
static char *split_value(struct qe_grouping *g, const pcre2_code *re, const char *msg)
{
	int rc = pcre2_match(re, (PCRE2_SPTR)msg, strlen(msg), 0, 0, g->md, g->mctx);
	PCRE2_SIZE *ov;
	size_t b, e;

	if (rc < 0)
		return qe_xstrdup("");
	ov = pcre2_get_ovector_pointer(g->md);
	if (rc >= 2 && ov[2] != PCRE2_UNSET) {
		b = ov[2];
		e = ov[3];
	} else {
		b = ov[0];
		e = ov[1];
	}
	if (e - b > SPLIT_MAX)
		e = b + SPLIT_MAX;
	return qe_xstrndup(msg + b, e - b);
}

int qe_grouping_rule_match(struct qe_grouping *g, const struct qe_event *ev,
			   const char *source, struct qe_grouping_hit *hit)
{
	const char *msg = event_message(ev);
	size_t i;

	memset(hit, 0, sizeof(*hit));
	if (!g)
		return 0;
	for (i = 0; i < g->nr; i++) {
		struct grule *r = &g->rules[i];
		if (r->type && !matches(g, r->type, ev->type))
			continue;
		if (r->message && !matches(g, r->message, msg))
			continue;
		if (r->frame && !frame_matches(g, r->frame, ev))
			continue;
		if (r->source && !matches(g, r->source, source))
			continue;
		hit->group = r->group;
		hit->split =
		    r->split_by ? split_value(g, r->split_by, msg) : qe_xstrdup("");
		hit->rule = qe_xstrdup(r->where);
		return 1;
	}
	return 0;
}

/* ---- the state and the fleet ---- */

/* A fleet record: "first_seen<TAB>count<TAB>type<TAB>template". */
static char *record_of(const struct qe_learnt *t)
{
	struct qe_buf b = QE_BUF_INIT;
	const char *p;

	qe_buf_addf(&b, "%lld\t%lld\t", t->first_seen, t->count);
	for (p = t->type; *p; p++)
		qe_buf_addch(&b, *p == '\t' || *p == '\n' ? ' ' : *p);
	qe_buf_addch(&b, '\t');
	qe_buf_addstr(&b, t->tmpl);
	return qe_buf_detach(&b);
}

static int parse_record(const char *id, const char *rec, struct qe_learnt *t,
			char **type_out)
{
	char *end;
	const char *p = rec, *tab;

	memset(t, 0, sizeof(*t));
	t->id = id;
	t->first_seen = strtoll(p, &end, 10);
	if (end == p || *end != '\t')
		return -1;
	p = end + 1;
	t->count = strtoll(p, &end, 10);
	if (end == p || *end != '\t')
		return -1;
	p = end + 1;
	tab = strchr(p, '\t');
	if (!tab)
		return -1;
	*type_out = qe_xstrndup(p, (size_t)(tab - p));
	t->type = *type_out;
	t->tmpl = tab + 1;
	return 0;
}

struct load {
	struct qe_learn *l;
	long bad;
	int collect; /* gather the fleet's ids into ids */
	char (*ids)[17];
	size_t nr_ids, alloc_ids;
};

static int load_row(const struct qe_template_row *r, void *data)
{
	struct load *x = data;
	struct qe_learnt t;

	memset(&t, 0, sizeof(t));
	t.id = r->id;
	t.type = r->type ? r->type : "";
	t.tmpl = r->tmpl;
	t.count = r->count;
	t.first_seen = r->first_seen;
	if (qe_learn_import(x->l, &t) < 0)
		x->bad++;
	return 0;
}

static int load_fleet(const char *id, const char *rec, void *data)
{
	struct load *x = data;
	struct qe_learnt t;
	char *type = NULL;

	if (parse_record(id, rec, &t, &type) < 0 || qe_learn_import(x->l, &t) < 0)
		x->bad++;
	free(type);
	if (x->collect && x->nr_ids < QE_FLEET_TEMPLATES_MAX) {
		QE_ALLOC_GROW(x->ids, x->nr_ids + 1, x->alloc_ids);
		snprintf(x->ids[x->nr_ids++], 17, "%.16s", id);
	}
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A template the fleet lacks (learnt while it was down) is sent again. */
static int touch_missing(const struct qe_learnt *t, void *data)
{
	struct load *x = data;

	if (!t->retired &&
	    (!x->nr_ids || !bsearch(t->id, x->ids, x->nr_ids, sizeof(*x->ids), cmp_id)))
		qe_learn_touch(x->l, t->id);
	return 0;
}

int qe_grouping_load(struct qe_grouping *g, struct qe_store *s, struct qe_fleet *f)
{
	struct load x;

	if (!g || !g->learn)
		return 0;
	memset(&x, 0, sizeof(x));
	x.l = g->learn;
	x.collect = 1;
	if (s && qe_store_templates(s, load_row, &x) < 0)
		return -1;
	/* What was in the state is saved; what the fleet adds is saved by
	 * the next save. */
	qe_learn_clean(g->learn);
	if (f) {
		if (qe_fleet_templates(f, load_fleet, &x) == 0) {
			g->pulled_ms = qe_wall_ms();
			if (x.nr_ids)
				qsort(x.ids, x.nr_ids, sizeof(*x.ids), cmp_id);
			qe_learn_export(g->learn, 0, touch_missing, &x);
		} else {
			/* unreachable: everything goes when it answers */
			g->fleet_behind = 1;
		}
	}
	free(x.ids);
	if (x.bad)
		qe_warning("%ld learnt template%s ignored: malformed", x.bad,
			   x.bad == 1 ? "" : "s");
	return 0;
}

/* Fleet writes per save: a burst of new templates costs one round trip
 * each, so the rest waits for the next save rather than holding up the
 * caller. */
#define FLEET_PUTS_PER_SAVE 256

struct save {
	struct qe_store *s;
	struct qe_fleet *f;
	int store_failed, fleet_failed;
	int fleet_puts, capped, nocap;
};

static int save_one(const struct qe_learnt *t, void *data)
{
	struct save *x = data;
	struct qe_template_row r;

	if (x->s && !x->store_failed) {
		if (t->retired) {
			if (qe_store_template_delete(x->s, t->id) < 0)
				x->store_failed = 1;
		} else {
			r.id = t->id;
			r.type = t->type;
			r.tmpl = t->tmpl;
			r.count = t->count;
			r.first_seen = t->first_seen;
			if (qe_store_template_put(x->s, &r) < 0)
				x->store_failed = 1;
		}
	}
	if (x->f && !x->fleet_failed && !x->nocap &&
	    ++x->fleet_puts > FLEET_PUTS_PER_SAVE) {
		/* the rest next time: nothing is marked saved */
		x->fleet_failed = 1;
		x->capped = 1;
	}
	if (x->f && !x->fleet_failed) {
		if (t->retired) {
			if (qe_fleet_template_delete(x->f, t->id) < 0)
				x->fleet_failed = 1;
		} else {
			char *rec = record_of(t);
			if (qe_fleet_template_put(x->f, t->id, rec) < 0)
				x->fleet_failed = 1;
			free(rec);
		}
	}
	/* stop when nothing is left to write to */
	return (!x->s || x->store_failed) && (!x->f || x->fleet_failed);
}

int qe_grouping_save(struct qe_grouping *g, struct qe_store *s, struct qe_fleet *f)
{
	struct save x;

	if (!g || !g->learn)
		return 0;
	memset(&x, 0, sizeof(x));
	x.s = s;
	/* while the fleet is behind, changes go to the store only; the fleet
	 * gets everything at once when it answers again */
	x.f = g->fleet_behind ? NULL : f;
	if (f && qe_wall_ms() - g->pulled_ms >= QE_GROUPING_PULL_MS) {
		/* what the other hosts learnt meanwhile; merged templates keep
		 * the id seen first, which the fleet's advice is stored under */
		struct load y;
		memset(&y, 0, sizeof(y));
		y.l = g->learn;
		if (qe_fleet_templates(f, load_fleet, &y) == 0)
			g->pulled_ms = qe_wall_ms();
	}
	qe_learn_export(g->learn, 1, save_one, &x);
	if (x.store_failed)
		return -1;
	if (s) {
		/* for `stats`: templates made, messages not learnt, merges */
		struct qe_learn_stats now;
		qe_learn_stats(g->learn, &now);
		if ((now.created != g->saved.created &&
		     qe_store_counter_add(s, "templates_created",
					  (long long)(now.created - g->saved.created)) <
			 0) ||
		    (now.dropped != g->saved.dropped &&
		     qe_store_counter_add(s, "templates_dropped",
					  (long long)(now.dropped - g->saved.dropped)) <
			 0) ||
		    (now.merged != g->saved.merged &&
		     qe_store_counter_add(s, "templates_merged",
					  (long long)(now.merged - g->saved.merged)) < 0))
			return -1;
		g->saved = now;
	}
	if (x.fleet_failed && !x.capped)
		g->fleet_behind = 1;
	/* a burst beyond the cap stays dirty for the next save */
	if (!x.capped)
		qe_learn_clean(g->learn);
	if (g->fleet_behind && f) {
		struct save y;
		memset(&y, 0, sizeof(y));
		y.f = f;
		y.nocap = 1; /* once, after an outage */
		qe_learn_export(g->learn, 0, save_one, &y);
		if (!y.fleet_failed)
			g->fleet_behind = 0;
	}
	return 0;
}
