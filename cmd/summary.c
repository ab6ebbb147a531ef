/*
 * qerrors summary: the error groups of a recent window, for cron jobs,
 * tickets and e-mail.  Reads the state database read-only; counts come
 * from the hourly occurrence buckets, so a bucket that overlaps the
 * window counts whole.
 */
#include "qerrors.h"
#include "report.h"

#include "store.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Ten years: long enough for any report, far from int64 overflow. */
#define MAX_WINDOW_S (10LL * 366 * 86400)
/* Longest error text shown in a text line or a table cell. */
#define SHOW_MAX 100

struct row {
	char *fingerprint, *kind, *type, *template;
	int64_t first_seen, last_seen;
	long long count, previous;
	int is_new;
	char *advice; /* one-line summary or NULL */
};

struct summary {
	struct qe_store *store;
	int64_t since, until, window_ms;
	struct row *rows;
	size_t nr, alloc;
	long long total_events;
	size_t new_groups;
};

static const char *const summary_usage[] = {
    "qerrors summary [--since=DURATION] [--format=text|json|markdown] [--top=N] "
    "[--exit-code]",
    NULL,
};

/*
 * "30m", "24h", "7d", "2w", "90s" (qe_parse_duration).  Returns seconds;
 * -1 when the text is not a positive duration, -2 for a bare number,
 * which would be ambiguous (24 hours or 24 seconds?).
 */
static long long parse_duration(const char *s)
{
	long long ms;
	int r = qe_parse_duration(s, &ms);
	if (r == QE_DURATION_BARE)
		return -2;
	if (r < 0 || ms < 1000 || ms / 1000 > MAX_WINDOW_S)
		return -1;
	return ms / 1000;
}

/* The window as people say it: the user's own spelling when it has a
 * unit, else "24h", "7d", "90s". */
static void window_label(const char *arg, long long secs, char *out, size_t size)
{
	size_t len = strlen(arg);
	if (len && (arg[len - 1] < '0' || arg[len - 1] > '9'))
		snprintf(out, size, "%s", arg);
	else if (secs % (7 * 86400) == 0 && secs >= 2 * 7 * 86400)
		snprintf(out, size, "%lldw", secs / (7 * 86400));
	else if (secs % 86400 == 0 && secs >= 2 * 86400)
		snprintf(out, size, "%lldd", secs / 86400);
	else if (secs % 3600 == 0)
		snprintf(out, size, "%lldh", secs / 3600);
	else if (secs % 60 == 0)
		snprintf(out, size, "%lldm", secs / 60);
	else
		snprintf(out, size, "%llds", secs);
}

static void format_time(int64_t ms, int utc, char *out, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (utc ? !gmtime_r(&t, &tm) : !localtime_r(&t, &tm)) {
		snprintf(out, size, "?");
		return;
	}
	strftime(out, size, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M", &tm);
}

/* "+120%", "-30%", "=", "new" (first seen in the window) or "back"
 * (seen before, but not in the previous window). */
static void trend(const struct row *r, char *out, size_t size)
{
	long long pct, now = r->count, before = r->previous;
	if (r->is_new) {
		snprintf(out, size, "new");
		return;
	}
	if (now == before) {
		snprintf(out, size, "=");
		return;
	}
	if (before <= 0) {
		snprintf(out, size, "back");
		return;
	}
	pct = ((now - before) * 200 / before + (now >= before ? 1 : -1)) / 2;
	if (pct == 0)
		pct = now > before ? 1 : -1;
	snprintf(out, size, "%+lld%%", pct);
}

/* Text of one line: no control characters, valid UTF-8, at most max bytes
 * (cut at a character boundary, with "..."). */
static char *one_line(const char *s, size_t max)
{
	char *t = qe_utf8_sanitize(s ? s : "", s ? strlen(s) : 0);
	size_t i, len;
	for (i = 0; t[i]; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			t[i] = ' ';
	len = i;
	if (len > max) {
		i = max;
		while (i > 0 && ((unsigned char)t[i] & 0xc0) == 0x80)
			i--;
		memcpy(t + i, "...", 4);
	}
	return t;
}

static char *advice_line(struct qe_store *s, const char *fp)
{
	struct qe_cache_entry e;
	json_t *adv;
	const char *sum;
	char *out = NULL;

	memset(&e, 0, sizeof(e));
	if (qe_store_cache_get_any(s, fp, &e) != 1)
		return NULL;
	adv = qe_report_parse_advice(e.json);
	sum = adv ? json_string_value(json_object_get(adv, "summary")) : NULL;
	if (sum && *sum)
		out = one_line(sum, 300);
	json_decref(adv);
	qe_cache_entry_release(&e);
	return out;
}

static int on_group(const struct qe_group *g, long long window_count, void *data)
{
	struct summary *sm = data;
	struct row *r;

	QE_ALLOC_GROW(sm->rows, sm->nr + 1, sm->alloc);
	r = &sm->rows[sm->nr++];
	memset(r, 0, sizeof(*r));
	r->fingerprint = qe_xstrdup(g->fingerprint ? g->fingerprint : "");
	r->kind = qe_xstrdup(g->kind ? g->kind : "");
	r->type = g->type ? qe_xstrdup(g->type) : NULL;
	r->template = qe_xstrdup(g->template  ? g->template
				 : g->message ? g->message
					      : "");
	r->first_seen = g->first_seen;
	r->last_seen = g->last_seen;
	r->count = window_count;
	r->is_new = g->first_seen >= sm->since;
	sm->total_events += window_count;
	if (r->is_new)
		sm->new_groups++;
	return 0;
}

/* The error as one line: "Type: template", or the template alone. */
static char *error_text(const struct row *r, size_t max)
{
	char *joined =
	    r->type && *r->type
		? qe_xasprintf("%s%s%s", r->type, *r->template ? ": " : "", r->template)
		: qe_xstrdup(*r->template ? r->template : "(no message)");
	char *out = one_line(joined, max);
	free(joined);
	return out;
}

/* Markdown table cells: pipes and backticks would break the table. */
static char *md_cell(const char *s)
{
	struct qe_buf b = QE_BUF_INIT;
	for (; *s; s++) {
		if (*s == '|' || *s == '`' || *s == '*' || *s == '_' || *s == '<' ||
		    *s == '[' || *s == ']')
			qe_buf_addch(&b, '\\');
		qe_buf_addch(&b, *s);
	}
	return qe_buf_detach(&b);
}

static void print_text(struct qe_ctx *ctx, struct summary *sm, size_t shown,
		       const char *label, const char *host)
{
	const char *bold = qe_color_code(ctx, "\033[1m"),
		   *dim = qe_color_code(ctx, "\033[2m");
	const char *red = qe_color_code(ctx, "\033[31m");
	const char *reset = qe_color_code(ctx, "\033[0m");
	size_t i;

	printf("%s%zu error group%s in the last %s on %s%s: %lld event%s, %zu new\n",
	       bold, sm->nr, sm->nr == 1 ? "" : "s", label, host, reset, sm->total_events,
	       sm->total_events == 1 ? "" : "s", sm->new_groups);
	for (i = 0; i < shown; i++) {
		struct row *r = &sm->rows[i];
		char first[32], last[32], tr[32];
		char *err = error_text(r, SHOW_MAX);
		format_time(r->first_seen, 0, first, sizeof(first));
		format_time(r->last_seen, 0, last, sizeof(last));
		trend(r, tr, sizeof(tr));
		printf("\n%8lld  %s%-5s%s %s\n", r->count, r->is_new ? red : "", tr,
		       r->is_new ? reset : "", err);
		printf("          %s%s  %s  first %s  last %s  previous %s: %lld%s\n",
		       dim, r->fingerprint, r->kind, first, last, label, r->previous,
		       reset);
		printf("          advice: %s\n", r->advice ? r->advice : "no advice yet");
		free(err);
	}
	if (shown < sm->nr)
		printf("\nand %zu more group%s\n", sm->nr - shown,
		       sm->nr - shown == 1 ? "" : "s");
}

static void print_markdown(struct summary *sm, size_t shown, const char *label,
			   const char *host)
{
	char since[32], until[32];
	size_t i;

	format_time(sm->since, 1, since, sizeof(since));
	format_time(sm->until, 1, until, sizeof(until));
	printf("# qerrors summary: %zu error group%s in the last %s on %s\n\n", sm->nr,
	       sm->nr == 1 ? "" : "s", label, host);
	printf("%lld event%s from %s to %s; %zu new group%s. Counts are by hour, so "
	       "an hour that overlaps the window counts whole.\n\n",
	       sm->total_events, sm->total_events == 1 ? "" : "s", since, until,
	       sm->new_groups, sm->new_groups == 1 ? "" : "s");
	printf("| # | Count | Trend | Kind | Error | Last seen (UTC) |\n");
	printf("|--:|------:|:-----:|------|-------|-----------------|\n");
	for (i = 0; i < shown; i++) {
		struct row *r = &sm->rows[i];
		char last[32], tr[32];
		char *err = error_text(r, SHOW_MAX), *cell = md_cell(err),
		     *kind = md_cell(r->kind);
		format_time(r->last_seen, 1, last, sizeof(last));
		trend(r, tr, sizeof(tr));
		printf("| %zu | %lld | %s%s%s | %s | %s | %s |\n", i + 1, r->count,
		       r->is_new ? "**" : "", tr, r->is_new ? "**" : "", kind, cell,
		       last);
		free(err);
		free(cell);
		free(kind);
	}
	if (shown < sm->nr)
		printf("\n_and %zu more group%s_\n", sm->nr - shown,
		       sm->nr - shown == 1 ? "" : "s");
	for (i = 0; i < shown; i++) {
		struct row *r = &sm->rows[i];
		char first[32], last[32], tr[32];
		char *err = error_text(r, SHOW_MAX), *head = md_cell(err);
		format_time(r->first_seen, 1, first, sizeof(first));
		format_time(r->last_seen, 1, last, sizeof(last));
		trend(r, tr, sizeof(tr));
		printf("\n## %zu. %s\n\n", i + 1, head);
		printf("- **Fingerprint:** `%s`\n", r->fingerprint);
		printf("- **Count:** %lld in the last %s (previous %s: %lld, trend %s)\n",
		       r->count, label, label, r->previous, r->is_new ? "**new**" : tr);
		printf("- **First seen:** %s, **last seen:** %s\n", first, last);
		if (r->advice) {
			char *adv = md_cell(r->advice);
			printf("- **Advice:** %s\n", adv);
			free(adv);
		} else {
			printf("- **Advice:** _no advice yet_\n");
		}
		free(err);
		free(head);
	}
}

static int print_json(struct summary *sm, size_t shown, const char *host)
{
	json_t *o = json_object(), *groups = json_array();
	char t[32];
	size_t i;
	int rc;

	format_time(sm->since, 1, t, sizeof(t));
	json_object_set_new(o, "since", json_string(t));
	format_time(sm->until, 1, t, sizeof(t));
	json_object_set_new(o, "until", json_string(t));
	json_object_set_new(o, "window_s", json_integer(sm->window_ms / 1000));
	json_object_set_new(o, "host", qe_report_string(host));
	for (i = 0; i < shown; i++) {
		struct row *r = &sm->rows[i];
		json_t *g = json_object();
		char tr[32];
		trend(r, tr, sizeof(tr));
		json_object_set_new(g, "fingerprint", json_string(r->fingerprint));
		json_object_set_new(g, "kind", qe_report_string(r->kind));
		json_object_set_new(g, "type",
				    r->type ? qe_report_string(r->type) : json_null());
		json_object_set_new(g, "template", qe_report_string(r->template));
		json_object_set_new(g, "count", json_integer(r->count));
		json_object_set_new(g, "previous_count", json_integer(r->previous));
		json_object_set_new(g, "trend", json_string(tr));
		json_object_set_new(g, "new", json_boolean(r->is_new));
		format_time(r->first_seen, 1, t, sizeof(t));
		json_object_set_new(g, "first_seen", json_string(t));
		format_time(r->last_seen, 1, t, sizeof(t));
		json_object_set_new(g, "last_seen", json_string(t));
		json_object_set_new(g, "advice_summary",
				    r->advice ? qe_report_string(r->advice)
					      : json_null());
		json_array_append_new(groups, g);
	}
	json_object_set_new(o, "groups", groups);
	json_object_set_new(o, "more_groups", json_integer((json_int_t)(sm->nr - shown)));
	json_object_set_new(o, "total_events", json_integer(sm->total_events));
	json_object_set_new(o, "new_groups", json_integer((json_int_t)sm->new_groups));
	rc = qe_report_print_json(o);
	json_decref(o);
	return rc;
}

/* Is there a database to read?  A missing one is an empty window, not
 * an error: cron may run before the agent ever saw an error. */
static int have_database(struct qe_ctx *ctx)
{
	const char *dir = qe_ctx_state_dir(ctx);
	char *def = dir ? NULL : qe_store_default_dir();
	char *path;
	struct stat st;
	int ret;

	if (!dir && !def)
		return 1; /* let the store say what is wrong */
	path = qe_xasprintf("%s/qerrors.db", dir ? dir : def);
	ret = !(stat(path, &st) < 0 && errno == ENOENT);
	free(path);
	free(def);
	return ret;
}

int cmd_summary(int argc, char **argv, struct qe_ctx *ctx)
{
	const char *since_arg = "24h", *format = "text";
	long top = 10;
	int exit_code = 0;
	const struct qe_option opts[] = {
	    QE_OPT_STRING_(0, "since", &since_arg, "DURATION",
			   "window: 30m, 24h, 7d, 2w or seconds (default: 24h)"),
	    QE_OPT_CHOICE_('f', "format", &format, "text|json|markdown",
			   "output format (default: text)"),
	    QE_OPT_INT_(0, "top", &top, "N",
			"show the N most frequent groups (default: 10; 0 = all)"),
	    QE_OPT_FLAG_(0, "exit-code", &exit_code,
			 "exit 1 when a group was first seen in the window"),
	    QE_OPT_END_,
	};
	struct summary sm;
	char label[32], host[256];
	char **args;
	long long secs;
	size_t i, shown;
	int nargs, rc = QE_EXIT_OK;

	memset(&sm, 0, sizeof(sm));
	nargs = qe_parse_options(argc, argv, opts, summary_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs > 0) {
		qe_die_msg("summary takes no arguments");
		qe_usage(stderr, opts, summary_usage);
		return QE_EXIT_USAGE;
	}
	secs = parse_duration(since_arg);
	if (secs == -2) {
		qe_die_msg("option '--since' needs a unit: write '%sh' for hours, '%sd' "
			   "for days, '%sm' for minutes or '%ss' for seconds",
			   since_arg, since_arg, since_arg, since_arg);
		return QE_EXIT_USAGE;
	}
	if (secs < 0) {
		qe_die_msg(
		    "option '--since' expects a duration such as 30m, 24h, 7d, 2w or "
		    "1h30m, not '%s'",
		    since_arg);
		return QE_EXIT_USAGE;
	}
	if (top < 0) {
		qe_die_msg("option '--top' expects 0 (all) or a positive number, not %ld",
			   top);
		return QE_EXIT_USAGE;
	}
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	window_label(since_arg, secs, label, sizeof(label));
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';

	sm.until = qe_wall_ms();
	sm.window_ms = secs * 1000;
	sm.since = sm.until - sm.window_ms;
	if (have_database(ctx)) {
		sm.store = qe_store_open(qe_ctx_state_dir(ctx), QE_STORE_READONLY);
		if (!sm.store) {
			qe_die_msg("%s", qe_last_error());
			return QE_EXIT_FAILURE;
		}
		if (qe_store_groups(sm.store, sm.since, sm.until, on_group, &sm) < 0) {
			qe_die_msg("%s", qe_last_error());
			rc = QE_EXIT_FAILURE;
			goto out;
		}
	} else if (!ctx->quiet) {
		qe_info_msg(ctx, "no state database yet; 'qerrors tail' creates it");
	}

	shown = top == 0 || (size_t)top > sm.nr ? sm.nr : (size_t)top;
	for (i = 0; i < shown; i++) {
		struct row *r = &sm.rows[i];
		r->previous = qe_store_group_count_between(
		    sm.store, r->fingerprint, sm.since - sm.window_ms, sm.since);
		if (r->previous < 0) {
			qe_die_msg("%s", qe_last_error());
			rc = QE_EXIT_FAILURE;
			goto out;
		}
		r->advice = advice_line(sm.store, r->fingerprint);
	}

	if (!strcmp(format, "json")) {
		print_json(&sm, shown, host);
	} else if (!sm.nr) {
		if (!strcmp(format, "markdown"))
			printf("# qerrors summary: no errors in the last %s on %s\n",
			       label, host);
		else
			printf("no errors in the last %s on %s\n", label, host);
	} else if (!strcmp(format, "markdown")) {
		print_markdown(&sm, shown, label, host);
	} else {
		print_text(ctx, &sm, shown, label, host);
	}
	if (exit_code && sm.new_groups)
		rc = QE_EXIT_FOUND;

out:
	qe_store_close(sm.store);
	for (i = 0; i < sm.nr; i++) {
		free(sm.rows[i].fingerprint);
		free(sm.rows[i].kind);
		free(sm.rows[i].type);
		free(sm.rows[i].template);
		free(sm.rows[i].advice);
	}
	free(sm.rows);
	return rc;
}
