/*
 * qerrors cache: look at and tidy the advice cache.
 *
 *   list | show FP | clear [FP] | prune | stats
 *
 * list, show and stats open the database read-only (a running agent is
 * never blocked).  clear and prune write: they wait at most the store's
 * busy timeout for the agent's current transaction, and never take the
 * agent lock, so they work while `qerrors tail` runs.
 */
#include "qerrors.h"
#include "report.h"

#include "ai.h"
#include "store.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define SUMMARY_WIDTH 50 /* characters of the summary in `list` */

static const char *const cache_usage[] = {
    "qerrors cache [list] [--json]",
    "qerrors cache show [--json] FINGERPRINT",
    "qerrors cache clear [--json] [FINGERPRINT]",
    "qerrors cache prune [--json]",
    "qerrors cache stats [--json]",
    NULL,
};

static const char *const subcommands[] = {"list", "show", "clear", "prune", "stats"};

struct cache_run {
	struct qe_ctx *ctx;
	struct qe_store *store;
	int json;
	int64_t now;
	json_t *entries; /* list */
	size_t nr;
	/* stats */
	long long expired, hits, tokens_prompt, tokens_completion, bytes;
};

/* "45s", "12m", "5h", "3d" */
static void human_age(int64_t ms, char *buf, size_t n)
{
	long long s = ms > 0 ? ms / 1000 : 0;
	if (s < 60)
		snprintf(buf, n, "%llds", s);
	else if (s < 3600)
		snprintf(buf, n, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(buf, n, "%lldh", s / 3600);
	else
		snprintf(buf, n, "%lldd", s / 86400);
}

static int expired(int64_t expires, int64_t now)
{
	return expires != 0 && expires <= now;
}

/* The summary of an entry's advice, or NULL.  Caller frees. */
static char *summary_of(const char *json)
{
	json_t *a = qe_report_parse_advice(json);
	json_t *s = json_object_get(a, "summary");
	char *out = json_is_string(s) ? qe_utf8_sanitize(json_string_value(s),
							 strlen(json_string_value(s)))
				      : NULL;
	json_decref(a);
	return out;
}

/* Shown on one line of a table: no control characters, at most `width`
 * characters (UTF-8 aware). */
static void clip(char *s, size_t width)
{
	size_t chars = 0;
	char *p;
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			*p = ' ';
		if ((c & 0xc0) != 0x80 && ++chars > width) {
			*p = '\0';
			if (p - s >= 3)
				memcpy(p - 3, "...", 4);
			return;
		}
	}
}

static json_t *entry_json(const struct qe_cache_entry *e, int64_t now, int with_advice)
{
	json_t *o = json_object();
	char *summary = summary_of(e->json);
	json_object_set_new(o, "fingerprint", qe_report_string(e->fingerprint));
	json_object_set_new(o, "model", qe_report_string(e->model));
	json_object_set_new(o, "prompt_version", json_integer(e->prompt_version));
	json_object_set_new(o, "age_s", json_integer((now - e->created) / 1000));
	json_object_set_new(o, "created", qe_report_time_json(e->created));
	json_object_set_new(o, "expires", qe_report_time_json(e->expires));
	json_object_set_new(o, "expired", json_boolean(expired(e->expires, now)));
	json_object_set_new(o, "last_used", qe_report_time_json(e->last_used));
	json_object_set_new(o, "hits", json_integer(e->hits));
	json_object_set_new(o, "tokens_prompt", json_integer(e->tokens_prompt));
	json_object_set_new(o, "tokens_completion", json_integer(e->tokens_completion));
	json_object_set_new(o, "summary", summary ? json_string(summary) : json_null());
	if (with_advice) {
		json_t *a = qe_report_parse_advice(e->json);
		json_object_set_new(o, "advice", a ? a : json_null());
	}
	free(summary);
	return o;
}

static void expires_text(const struct qe_cache_entry *e, int64_t now, char *buf, size_t n)
{
	char age[32];
	if (!e->expires) {
		snprintf(buf, n, "never");
	} else if (expired(e->expires, now)) {
		snprintf(buf, n, "expired");
	} else {
		human_age(e->expires - now, age, sizeof(age));
		snprintf(buf, n, "in %s", age);
	}
}

static int on_list(const struct qe_cache_entry *e, void *data)
{
	struct cache_run *r = data;
	char age[32], exp[48], model[24];
	char *summary;

	r->nr++;
	if (r->json) {
		json_array_append_new(r->entries, entry_json(e, r->now, 0));
		return 0;
	}
	if (r->nr == 1)
		printf("%s%-16s  %-20s  %5s  %-9s  %6s  %8s  %s%s\n",
		       qe_color_code(r->ctx, "\033[1m"), "FINGERPRINT", "MODEL", "AGE",
		       "EXPIRES", "HITS", "TOKENS", "SUMMARY",
		       qe_color_code(r->ctx, "\033[0m"));
	human_age(r->now - e->created, age, sizeof(age));
	expires_text(e, r->now, exp, sizeof(exp));
	snprintf(model, sizeof(model), "%s", e->model);
	clip(model, 20);
	summary = summary_of(e->json);
	if (summary)
		clip(summary, SUMMARY_WIDTH);
	printf("%-16s  %-20s  %5s  %-9s  %6lld  %8lld  %s\n", e->fingerprint, model, age,
	       exp, e->hits, e->tokens_prompt + e->tokens_completion,
	       summary ? summary : "-");
	free(summary);
	return ferror(stdout) != 0;
}

static int do_list(struct cache_run *r)
{
	int rc = QE_EXIT_OK;
	if (r->json)
		r->entries = json_array();
	if (qe_store_cache_list(r->store, on_list, r) < 0) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
	} else if (r->json) {
		json_t *out = json_pack("{s:O}", "entries", r->entries);
		if (qe_report_print_json(out) < 0)
			rc = QE_EXIT_FAILURE;
		json_decref(out);
	} else if (!r->nr) {
		printf("the advice cache is empty\n");
	}
	json_decref(r->entries);
	return rc;
}

/* show: the entry for the configured model and prompt version when there
 * is one, else the newest entry of the fingerprint. */
struct pick {
	const char *fp, *model;
	struct qe_cache_entry e;
	int found;
};

static int on_pick(const struct qe_cache_entry *e, void *data)
{
	struct pick *p = data;
	if (strcmp(e->fingerprint, p->fp) || strcmp(e->model, p->model) ||
	    e->prompt_version != QE_PROMPT_VERSION)
		return 0;
	p->e = *e;
	p->e.fingerprint = qe_xstrdup(e->fingerprint);
	p->e.model = qe_xstrdup(e->model);
	p->e.json = qe_xstrdup(e->json);
	p->found = 1;
	return 1;
}

static int do_show(struct cache_run *r, const char *arg)
{
	struct pick p;
	char *fp;
	int rc;

	memset(&p, 0, sizeof(p));
	fp = qe_report_resolve_fp(r->store, arg, QE_STORE_FP_ADVICE, "no cache entry for",
				  &rc);
	if (!fp)
		return rc;
	p.fp = fp;
	p.model = qe_config_ai_model(&r->ctx->cfg);
	if (qe_store_cache_list(r->store, on_pick, &p) < 0 ||
	    (!p.found && (p.found = qe_store_cache_get_any(r->store, fp, &p.e)) < 0)) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	if (!p.found) { /* removed since the lookup */
		qe_error_msg("no cache entry for '%s'", arg);
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	if (r->json) {
		json_t *o = entry_json(&p.e, r->now, 1);
		if (qe_report_print_json(o) < 0)
			rc = QE_EXIT_FAILURE;
		json_decref(o);
	} else {
		const char *bold = qe_color_code(r->ctx, "\033[1m");
		const char *reset = qe_color_code(r->ctx, "\033[0m");
		json_t *a = qe_report_parse_advice(p.e.json);
		char created[64], used[64], exp[64];
		qe_report_time_local(p.e.created, created, sizeof(created));
		qe_report_time_local(p.e.last_used, used, sizeof(used));
		if (p.e.expires)
			qe_report_time_local(p.e.expires, exp, sizeof(exp));
		else
			snprintf(exp, sizeof(exp), "never");
		printf("%s%-16s%s%s\n", bold, "fingerprint", reset, p.e.fingerprint);
		printf("%-16s%s\n", "model", p.e.model);
		printf("%-16s%d\n", "prompt version", p.e.prompt_version);
		printf("%-16s%s\n", "created", created);
		printf("%-16s%s%s\n", "expires", exp,
		       expired(p.e.expires, r->now) ? " (expired)" : "");
		printf("%-16s%s\n", "last used", used);
		printf("%-16s%lld\n", "hits", p.e.hits);
		printf("%-16s%lld prompt, %lld completion\n", "tokens", p.e.tokens_prompt,
		       p.e.tokens_completion);
		printf("\n%sadvice%s\n", bold, reset);
		if (a)
			qe_report_advice_text(r->ctx, stdout, a, "    ");
		else
			printf("    (not valid JSON)\n");
		json_decref(a);
	}
out:
	qe_cache_entry_release(&p.e);
	free(fp);
	return rc;
}

static int print_removed(struct cache_run *r, long long n)
{
	if (r->json) {
		json_t *o = json_pack("{s:I}", "removed", (json_int_t)n);
		int rc = qe_report_print_json(o);
		json_decref(o);
		return rc < 0 ? QE_EXIT_FAILURE : QE_EXIT_OK;
	}
	printf("removed %lld cache entr%s\n", n, n == 1 ? "y" : "ies");
	return QE_EXIT_OK;
}

/* clear and prune write; reopen read-write (the read-only open has shown
 * that the database exists, so this does not create one). */
static int reopen_rw(struct cache_run *r)
{
	char *dir = qe_xstrdup(qe_store_dir(r->store));
	qe_store_rollback(r->store);
	qe_store_close(r->store);
	r->store = qe_store_open(dir, 0);
	free(dir);
	if (!r->store) {
		qe_error_msg("%s", qe_last_error());
		return -1;
	}
	return 0;
}

static int do_clear(struct cache_run *r, const char *arg)
{
	char *fp = NULL;
	long long n;
	int rc = QE_EXIT_OK;

	if (arg && !(fp = qe_report_resolve_fp(r->store, arg, QE_STORE_FP_ADVICE,
					       "no cache entry for", &rc)))
		return rc;
	if (reopen_rw(r) < 0) {
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	n = qe_store_cache_clear(r->store, fp);
	if (n < 0) {
		qe_error_msg("%s", qe_last_error());
		rc = QE_EXIT_FAILURE;
		goto out;
	}
	rc = print_removed(r, n);
out:
	free(fp);
	return rc;
}

static int do_prune(struct cache_run *r)
{
	long long n;
	if (reopen_rw(r) < 0)
		return QE_EXIT_FAILURE;
	n = qe_store_cache_prune(r->store, r->now);
	if (n < 0) {
		qe_error_msg("%s", qe_last_error());
		return QE_EXIT_FAILURE;
	}
	return print_removed(r, n);
}

static int on_stat(const struct qe_cache_entry *e, void *data)
{
	struct cache_run *r = data;
	r->nr++;
	r->expired += expired(e->expires, r->now);
	r->hits += e->hits;
	r->tokens_prompt += e->tokens_prompt;
	r->tokens_completion += e->tokens_completion;
	r->bytes += (long long)strlen(e->json);
	return 0;
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static int do_stats(struct cache_run *r)
{
	const struct qe_config *cfg = &r->ctx->cfg;
	char *wal = qe_xasprintf("%s-wal", qe_store_path(r->store));
	long long db = file_size(qe_store_path(r->store)) + file_size(wal);
	long long hits_all = qe_store_counter_get(r->store, "cache_hits");
	long long misses = qe_store_counter_get(r->store, "cache_misses");
	int rc = QE_EXIT_OK;
	json_t *o;

	free(wal);
	if (qe_store_cache_list(r->store, on_stat, r) < 0) {
		qe_error_msg("%s", qe_last_error());
		return QE_EXIT_FAILURE;
	}
	o = json_object();
	json_object_set_new(o, "entries", json_integer((json_int_t)r->nr));
	json_object_set_new(o, "expired", json_integer(r->expired));
	json_object_set_new(o, "hits", json_integer(r->hits));
	json_object_set_new(o, "tokens_prompt", json_integer(r->tokens_prompt));
	json_object_set_new(o, "tokens_completion", json_integer(r->tokens_completion));
	json_object_set_new(o, "size_bytes", json_integer(r->bytes));
	json_object_set_new(o, "database_bytes", json_integer(db));
	json_object_set_new(o, "limit", json_integer(cfg->cache_limit));
	json_object_set_new(o, "ttl_s", json_integer(cfg->cache_ttl));
	json_object_set_new(o, "lookups_hit", json_integer(hits_all));
	json_object_set_new(o, "lookups_missed", json_integer(misses));
	if (r->json) {
		if (qe_report_print_json(o) < 0)
			rc = QE_EXIT_FAILURE;
	} else {
		char a[32], b[32];
		qe_report_size(r->bytes, a, sizeof(a));
		qe_report_size(db, b, sizeof(b));
		printf("%-16s%zu (%lld expired), limit %ld\n", "entries", r->nr,
		       r->expired, cfg->cache_limit);
		if (cfg->cache_ttl)
			printf("%-16s%lds\n", "ttl", cfg->cache_ttl);
		else
			printf("%-16snone\n", "ttl");
		printf("%-16s%lld on the entries kept\n", "hits", r->hits);
		printf("%-16s%lld hits, %lld misses\n", "lookups", hits_all, misses);
		printf("%-16s%lld prompt, %lld completion\n", "tokens", r->tokens_prompt,
		       r->tokens_completion);
		printf("%-16s%s of advice, %s database\n", "size", a, b);
	}
	json_decref(o);
	return rc;
}

int cmd_cache(int argc, char **argv, struct qe_ctx *ctx)
{
	int json = 0, nargs, rc = QE_EXIT_FAILURE;
	const struct qe_option opts[] = {
	    QE_OPT_FLAG_(0, "json", &json, "JSON output (every subcommand)"),
	    QE_OPT_END_,
	};
	struct cache_run r;
	const char *sub = "list";
	char **args;
	int max_args;

	memset(&r, 0, sizeof(r));
	nargs = qe_parse_options(argc, argv, opts, cache_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs > 0)
		sub = args[0];
	if (!strcmp(sub, "show"))
		max_args = 2;
	else if (!strcmp(sub, "clear"))
		max_args = 2;
	else if (!strcmp(sub, "list") || !strcmp(sub, "prune") || !strcmp(sub, "stats"))
		max_args = 1;
	else {
		const char *best =
		    qe_did_you_mean(sub, subcommands, QE_ARRAY_SIZE(subcommands));
		qe_error_msg(
		    "'%s' is not a cache subcommand (list, show, clear, prune, stats)",
		    sub);
		if (best)
			fprintf(stderr, "qerrors: did you mean '%s'?\n", best);
		return QE_EXIT_USAGE;
	}
	if (nargs > max_args || (!strcmp(sub, "show") && nargs < 2)) {
		qe_error_msg(!strcmp(sub, "show") && nargs < 2
				 ? "cache show needs a FINGERPRINT"
				 : "too many arguments for 'cache %s'",
			     sub);
		qe_usage(stderr, opts, cache_usage);
		return QE_EXIT_USAGE;
	}
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	r.ctx = ctx;
	r.json = json;
	r.now = qe_wall_ms();
	r.store = qe_store_open(qe_ctx_state_dir(ctx), QE_STORE_READONLY);
	if (!r.store) {
		qe_error_msg("%s", qe_last_error());
		return QE_EXIT_FAILURE;
	}
	if (qe_store_begin(r.store) < 0) {
		qe_error_msg("%s", qe_last_error());
		goto out;
	}
	if (!strcmp(sub, "list"))
		rc = do_list(&r);
	else if (!strcmp(sub, "show"))
		rc = do_show(&r, args[1]);
	else if (!strcmp(sub, "clear"))
		rc = do_clear(&r, nargs > 1 ? args[1] : NULL);
	else if (!strcmp(sub, "prune"))
		rc = do_prune(&r);
	else
		rc = do_stats(&r);
out:
	if (r.store)
		qe_store_rollback(r.store);
	qe_store_close(r.store);
	return rc;
}
