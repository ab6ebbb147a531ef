/*
 * cache: memo -> SQLite -> Redis, one policy (see cache.h).
 */
#include "cache.h"

#include "ai.h"
#include "config.h"
#include "fleet.h"
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct memo_slot {
	char fp[17];
	char *json; /* NULL when the slot is empty */
};

struct qe_cache {
	const struct qe_config *cfg;
	struct qe_store *store;
	struct qe_fleet *fleet;
	char *model;
	struct memo_slot memo[QE_CACHE_MEMO_SLOTS];
	struct qe_cache_stats stats;
};

struct qe_cache *qe_cache_new(const struct qe_config *cfg, struct qe_store *store,
			      const char *model, struct qe_redactor *red)
{
	struct qe_cache *c = qe_xcalloc(1, sizeof(*c));
	c->cfg = cfg;
	c->store = store;
	c->model = qe_xstrdup(model ? model : "");
	if (qe_fleet_wanted(cfg)) {
		c->fleet = qe_fleet_new_shared(cfg, red);
		if (!c->fleet) {
			qe_cache_free(c);
			return NULL;
		}
	}
	return c;
}

static void memo_clear(struct qe_cache *c)
{
	size_t i;
	for (i = 0; i < QE_CACHE_MEMO_SLOTS; i++) {
		free(c->memo[i].json);
		c->memo[i].json = NULL;
	}
}

void qe_cache_free(struct qe_cache *c)
{
	if (!c)
		return;
	memo_clear(c);
	qe_fleet_free(c->fleet);
	free(c->model);
	free(c);
}

void qe_cache_set_model(struct qe_cache *c, const char *model)
{
	free(c->model);
	c->model = qe_xstrdup(model ? model : "");
	memo_clear(c); /* advice is per model */
}

const char *qe_cache_model(const struct qe_cache *c)
{
	return c->model;
}

static struct memo_slot *memo_slot(struct qe_cache *c, const char *fp)
{
	return &c->memo[qe_fnv1a(fp, strlen(fp)) % QE_CACHE_MEMO_SLOTS];
}

static void memo_put(struct qe_cache *c, const char *fp, const char *json)
{
	struct memo_slot *m = memo_slot(c, fp);
	free(m->json);
	snprintf(m->fp, sizeof(m->fp), "%s", fp);
	m->json = qe_xstrdup(json);
}

static char *memo_get(struct qe_cache *c, const char *fp)
{
	struct memo_slot *m = memo_slot(c, fp);
	return m->json && !strcmp(m->fp, fp) ? qe_xstrdup(m->json) : NULL;
}

static int local_on(const struct qe_cache *c)
{
	return c->store && c->cfg->cache_limit != 0;
}

static char *local_get(struct qe_cache *c, const char *fp, int64_t now_ms)
{
	char *json = NULL;
	if (local_on(c) && qe_store_advice_get(c->store, fp, c->model, QE_PROMPT_VERSION,
					       now_ms, &json) == 1) {
		memo_put(c, fp, json);
		return json;
	}
	return NULL;
}

static int local_put(struct qe_cache *c, const char *fp, const char *json, long long tp,
		     long long tc, int64_t now_ms)
{
	if (!local_on(c))
		return 0;
	return qe_store_advice_put(c->store, fp, c->model, QE_PROMPT_VERSION, json, tp,
				   tc, c->cfg->cache_ttl, c->cfg->cache_limit, now_ms);
}

enum qe_cache_hit qe_cache_lookup(struct qe_cache *c, const char *fp, int64_t now_ms,
				  char **json)
{
	*json = memo_get(c, fp);
	if (*json) {
		c->stats.hits_memo++;
		return QE_CACHE_MEMO;
	}
	*json = local_get(c, fp, now_ms);
	if (*json) {
		c->stats.hits_local++;
		return QE_CACHE_LOCAL;
	}
	if (c->fleet &&
	    qe_fleet_advice_get(c->fleet, fp, c->model, QE_PROMPT_VERSION, json) == 1) {
		/* another host asked already: keep a local copy, so reports
		 * and the next run find it without the fleet */
		memo_put(c, fp, *json);
		local_put(c, fp, *json, 0, 0,
			  now_ms); /* a failure only costs a re-read */
		c->stats.hits_fleet++;
		return QE_CACHE_FLEET;
	}
	c->stats.misses++;
	return QE_CACHE_MISS;
}

char *qe_cache_recent(struct qe_cache *c, const char *fp, int64_t now_ms)
{
	char *json = memo_get(c, fp);
	return json ? json : local_get(c, fp, now_ms);
}

int qe_cache_store(struct qe_cache *c, const char *fp, const char *json,
		   long long tokens_prompt, long long tokens_completion, int64_t now_ms)
{
	memo_put(c, fp, json);
	c->stats.stored++;
	if (c->fleet) {
		/* a full write queue is counted by the fleet; the local copy
		 * still answers */
		qe_fleet_advice_put(c->fleet, fp, c->model, QE_PROMPT_VERSION, json);
		qe_fleet_budget_add(c->fleet, tokens_prompt + tokens_completion);
	}
	return local_put(c, fp, json, tokens_prompt, tokens_completion, now_ms);
}

static long claim_ttl_ms(const struct qe_cache *c)
{
	/* long enough for the request with its retries, then it lapses */
	return c->cfg->timeout_ms * (c->cfg->retry_attempts + 1) + 10000;
}

int qe_cache_claim(struct qe_cache *c, const char *fp)
{
	if (!c->fleet)
		return 1;
	return qe_fleet_lock(c->fleet, fp, claim_ttl_ms(c)) != 0;
}

void qe_cache_release(struct qe_cache *c, const char *fp)
{
	if (c->fleet)
		qe_fleet_unlock(c->fleet, fp);
}

int qe_cache_budget_take(struct qe_cache *c, size_t n_events)
{
	if (!c->fleet)
		return 1;
	return qe_fleet_budget_take(c->fleet,
				    (long long)n_events * QE_CACHE_TOKENS_PER_EVENT) != 0;
}

void qe_cache_count(struct qe_cache *c, const char *fp, long long n)
{
	if (c->fleet)
		qe_fleet_count_add(c->fleet, fp, n);
}

void qe_cache_flush(struct qe_cache *c)
{
	if (c->fleet)
		qe_fleet_flush(c->fleet);
}

struct qe_fleet *qe_cache_fleet(struct qe_cache *c)
{
	return c->fleet;
}

void qe_cache_get_stats(const struct qe_cache *c, struct qe_cache_stats *out)
{
	*out = c->stats;
}
