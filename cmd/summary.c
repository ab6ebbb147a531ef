/*
 * qerrors summary: the error groups of a recent window, for cron jobs,
 * tickets and e-mail.  Reads the state database read-only; counts come
 * from the hourly occurrence buckets, so a bucket that overlaps the
 * window counts whole.
 *
 * Each group is shown with its real message and one redacted example
 * (the sample stored with the group, redacted again with today's rules),
 * where it was read (and the Kubernetes pods, for container logs), an
 * errors-per-hour sparkline, and the advice's summary and fix.
 * --namespace keeps the groups seen in one namespace's pods; their
 * counts stay the group's own, from every source.  The text form is
 * plain: no Markdown, no colour when not on a terminal, lines of at most
 * WRAP columns, so it can be piped to mail(1).
 */
#include "qerrors.h"
#include "pods.h"
#include "report.h"

#include "redact.h"
#include "statedir.h"
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
/* Width of wrapped text (advice, fix) in the text form. */
#define WRAP 100
/* The example: at most this many lines of the sample, each cut. */
#define EXAMPLE_LINES 6
#define EXAMPLE_LINE_MAX 90
/* Longest advice summary or fix kept. */
#define ADVICE_MAX 600
/* Most columns of a sparkline: longer windows put several hours in one. */
#define SPARK_MAX 48
#define HOUR_MS 3600000LL

struct row {
	char *fingerprint, *kind, *type, *template;
	char *message; /* redacted; NULL when the group has none */
	char *sample;  /* the redacted example; NULL when none was stored */
	char *source;  /* where it was read; NULL when not known */
	int64_t first_seen, last_seen;
	long long count, previous;
	int is_new;
	char *advice;	  /* one-line summary or NULL */
	char *fix;	  /* the advice's fix or NULL */
	long long *hours; /* per sparkline column */
	struct qe_pods pods;
	int have_pods; /* pods loaded */
};

struct summary {
	struct qe_store *store;
	struct qe_redactor *redactor;
	int64_t since, until, window_ms;
	int64_t spark_start;		/* start of the first column's hour */
	size_t spark_cols, spark_hours; /* columns, hours per column */
	struct row *rows;
	size_t nr, alloc;
	long long total_events;
	size_t new_groups;
	const char *namespace; /* --namespace, or NULL */
};

static const char *const summary_usage[] = {
    "qerrors summary [--since=DURATION] [--format=text|json|markdown] [--top=N] "
    "[--namespace=NS] [--exit-code]",
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

/* The cached advice's summary (one line) and fix (line breaks kept). */
static void advice_text(struct qe_store *s, struct row *r)
{
	struct qe_cache_entry e;
	json_t *adv;
	const char *sum, *fix;

	memset(&e, 0, sizeof(e));
	if (qe_store_cache_get_any(s, r->fingerprint, &e) != 1)
		return;
	adv = qe_report_parse_advice(e.json);
	sum = adv ? json_string_value(json_object_get(adv, "summary")) : NULL;
	fix = adv ? json_string_value(json_object_get(adv, "fix")) : NULL;
	if (sum && *sum)
		r->advice = one_line(sum, ADVICE_MAX);
	if (fix && *fix) {
		char *t = qe_utf8_sanitize(fix, strlen(fix));
		size_t i;
		for (i = 0; t[i]; i++)
			if (((unsigned char)t[i] < 0x20 && t[i] != '\n') || t[i] == 0x7f)
				t[i] = ' ';
		if (i > ADVICE_MAX) {
			char *cut = one_line(t, ADVICE_MAX);
			free(t);
			t = cut;
		}
		r->fix = t;
	}
	json_decref(adv);
	qe_cache_entry_release(&e);
}

static char *redacted(struct summary *sm, const char *s)
{
	return s ? qe_redact_once(sm->redactor, s, strlen(s)) : NULL;
}

static int on_hour(int64_t hour_ms, long long count, void *data)
{
	struct row *r = ((void **)data)[0];
	struct summary *sm = ((void **)data)[1];
	int64_t col;
	if (hour_ms < sm->spark_start)
		return 0;
	col = (hour_ms - sm->spark_start) / (HOUR_MS * (int64_t)sm->spark_hours);
	if ((size_t)col < sm->spark_cols)
		r->hours[col] += count;
	return 0;
}

/* The hours the window touches, in at most SPARK_MAX columns. */
static void spark_layout(struct summary *sm)
{
	int64_t start = sm->since - ((sm->since % HOUR_MS) + HOUR_MS) % HOUR_MS;
	size_t hours = (size_t)((sm->until - start + HOUR_MS - 1) / HOUR_MS);
	if (!hours)
		hours = 1;
	sm->spark_start = start;
	sm->spark_hours = (hours + SPARK_MAX - 1) / SPARK_MAX;
	sm->spark_cols = (hours + sm->spark_hours - 1) / sm->spark_hours;
}

static int row_pods(struct summary *sm, struct row *r)
{
	if (r->have_pods)
		return 0;
	if (qe_pods_load(sm->store, r->fingerprint, &r->pods) < 0)
		return -1;
	r->have_pods = 1;
	return 0;
}

static void row_release(struct row *r)
{
	free(r->fingerprint);
	free(r->kind);
	free(r->type);
	free(r->template);
	free(r->advice);
	free(r->fix);
	free(r->message);
	free(r->sample);
	free(r->source);
	free(r->hours);
	qe_pods_release(&r->pods);
}

/* Keep the groups seen in namespace ns; the totals count those alone. */
static int keep_namespace(struct summary *sm, const char *ns)
{
	size_t i, kept = 0;
	sm->total_events = 0;
	sm->new_groups = 0;
	for (i = 0; i < sm->nr; i++) {
		struct row *r = &sm->rows[i];
		if (row_pods(sm, r) < 0)
			return -1;
		if (!qe_pods_in_namespace(&r->pods, ns)) {
			row_release(r);
			continue;
		}
		sm->total_events += r->count;
		if (r->is_new)
			sm->new_groups++;
		sm->rows[kept++] = *r;
	}
	sm->nr = kept;
	return 0;
}

/* A Kubernetes namespace name: a DNS label (RFC 1123). */
static int namespace_name(const char *s)
{
	size_t i, len = strlen(s);
	if (!len || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-'))
			return 0;
	return 1;
}

static int row_details(struct summary *sm, struct row *r)
{
	void *pair[2];
	struct qe_group g;
	int rc;

	if (row_pods(sm, r) < 0)
		return -1;
	advice_text(sm->store, r);
	r->hours = qe_xcalloc(sm->spark_cols, sizeof(*r->hours));
	pair[0] = r;
	pair[1] = sm;
	if (qe_store_group_hours(sm->store, r->fingerprint, sm->since, sm->until, on_hour,
				 pair) < 0)
		return -1;
	rc = qe_store_group_get(sm->store, r->fingerprint, &g);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		r->message = redacted(sm, g.message && *g.message ? g.message : NULL);
		r->sample = redacted(sm, g.sample && *g.sample ? g.sample : NULL);
		r->source = g.source && *g.source
				? qe_utf8_sanitize(g.source, strlen(g.source))
				: NULL;
		qe_group_release(&g);
	}
	return 0;
}

static const char *spark_unit(const struct summary *sm, char *buf, size_t n)
{
	if (sm->spark_hours == 1)
		snprintf(buf, n, "per hour");
	else
		snprintf(buf, n, "per %zu h", sm->spark_hours);
	return buf;
}

static long long max_of(const long long *v, size_t n)
{
	long long m = 0;
	size_t i;
	for (i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
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

/* The error as one line: "Type: message", or the message alone; the
 * template when the group has no message. */
static char *error_text(const struct row *r, size_t max)
{
	const char *m = r->message ? r->message : r->template;
	char *joined = r->type && *r->type
			   ? qe_xasprintf("%s%s%s", r->type, *m ? ": " : "", m)
			   : qe_xstrdup(*m ? m : "(no message)");
	char *out = one_line(joined, max);
	free(joined);
	return out;
}

/* Markdown prose (advice text): characters Markdown would act on are
 * escaped, since this text is meant to be rendered. */
static char *md_text(const char *s)
{
	struct qe_buf b = QE_BUF_INIT;
	for (; *s; s++) {
		if (*s == '|' || *s == '`' || *s == '*' || *s == '_' || *s == '<' ||
		    *s == '[' || *s == ']' || *s == '\\')
			qe_buf_addch(&b, '\\');
		qe_buf_addch(&b, *s == '\n' ? ' ' : *s);
	}
	if (!b.buf)
		qe_buf_addstr(&b, "");
	return qe_buf_detach(&b);
}

static size_t longest_backticks(const char *s)
{
	size_t best = 0, run = 0;
	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* Log text as a Markdown code span, so "<STR>" and "*" show as written
 * with no escapes; in a table cell '|' still needs one. */
static char *md_code(const char *s, int in_table)
{
	struct qe_buf b = QE_BUF_INIT;
	size_t i, fence = longest_backticks(s) + 1;
	int pad = *s == '`' || (*s && s[strlen(s) - 1] == '`');
	for (i = 0; i < fence; i++)
		qe_buf_addch(&b, '`');
	if (pad)
		qe_buf_addch(&b, ' ');
	for (; *s; s++) {
		if (in_table && *s == '|')
			qe_buf_addch(&b, '\\');
		qe_buf_addch(&b, *s);
	}
	if (pad)
		qe_buf_addch(&b, ' ');
	for (i = 0; i < fence; i++)
		qe_buf_addch(&b, '`');
	return qe_buf_detach(&b);
}

/* The example: the first lines of the sample, tabs as spaces, each cut. */
static void print_example(FILE *out, const char *sample, const char *indent)
{
	const char *p = sample, *nl;
	size_t n = 0, total = 0;
	for (; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		total++;
		if (n < EXAMPLE_LINES) {
			char *raw = qe_xstrndup(p, nl ? (size_t)(nl - p) : strlen(p)),
			     *line;
			size_t i;
			for (i = 0; raw[i]; i++)
				if (raw[i] == '\t')
					raw[i] = ' ';
			line = one_line(raw, EXAMPLE_LINE_MAX);
			fprintf(out, "%s%s\n", indent, line);
			free(line);
			free(raw);
			n++;
		}
	}
	if (total > n)
		fprintf(out, "%s(%zu more line%s)\n", indent, total - n,
			total - n == 1 ? "" : "s");
}

/* The pod of the most recent container log, and the others. */
static void print_pods_text(const struct qe_pods *p)
{
	char n[32], *list, *line, *cut;
	if (!p->n)
		return;
	line = qe_xasprintf("%s  namespace %s  container %s", p->v[0].pod,
			    p->v[0].namespace, p->v[0].container);
	cut = one_line(line, SHOW_MAX - 18);
	printf("          pod:      %s\n", cut);
	free(cut);
	free(line);
	if (p->n < 2)
		return;
	qe_pods_count(p, n, sizeof(n));
	list = qe_pods_list(p);
	line = qe_xasprintf("%s: %s", n, list);
	qe_report_wrap(stdout, line, "          pods:     ", "                    ",
		       WRAP);
	free(line);
	free(list);
}

static void print_text(struct qe_ctx *ctx, struct summary *sm, size_t shown,
		       const char *label, const char *host)
{
	const char *bold = qe_color_code(ctx, "\033[1m"),
		   *dim = qe_color_code(ctx, "\033[2m");
	const char *red = qe_color_code(ctx, "\033[31m");
	const char *reset = qe_color_code(ctx, "\033[0m");
	int utf8 = qe_report_utf8_locale();
	char unit[32];
	size_t i;

	spark_unit(sm, unit, sizeof(unit));
	printf("%s%zu error group%s in the last %s on %s%s: %lld event%s, %zu new\n",
	       bold, sm->nr, sm->nr == 1 ? "" : "s", label, host, reset, sm->total_events,
	       sm->total_events == 1 ? "" : "s", sm->new_groups);
	for (i = 0; i < shown; i++) {
		struct row *r = &sm->rows[i];
		char first[32], last[32], tr[32];
		char *err = error_text(r, SHOW_MAX - 16);
		char *spark = qe_report_sparkline(r->hours, sm->spark_cols, utf8);
		format_time(r->first_seen, 0, first, sizeof(first));
		format_time(r->last_seen, 0, last, sizeof(last));
		trend(r, tr, sizeof(tr));
		printf("\n%8lld  %s%-5s%s %s\n", r->count, r->is_new ? red : "", tr,
		       r->is_new ? reset : "", err);
		printf("          %s%s  %s  first %s  last %s  previous %s: %lld%s\n",
		       dim, r->fingerprint, r->kind, first, last, label, r->previous,
		       reset);
		if (r->source) {
			char *src = one_line(r->source, SHOW_MAX - 18);
			printf("          source:   %s\n", src);
			free(src);
		}
		print_pods_text(&r->pods);
		printf("          %-9s %s  max %lld\n", unit, spark,
		       max_of(r->hours, sm->spark_cols));
		if (r->sample) {
			printf("          example:\n");
			print_example(stdout, r->sample, "            ");
		}
		if (r->advice)
			qe_report_wrap(stdout, r->advice,
				       "          advice:   ", "                    ",
				       WRAP);
		else
			printf("          advice:   no advice yet\n");
		if (r->fix)
			qe_report_wrap(stdout, r->fix,
				       "          fix:      ", "                    ",
				       WRAP);
		free(spark);
		free(err);
	}
	if (shown < sm->nr)
		printf("\nand %zu more group%s\n", sm->nr - shown,
		       sm->nr - shown == 1 ? "" : "s");
}

/* A fenced block that no line of text can close early. */
static void print_md_block(const char *text)
{
	size_t fence = longest_backticks(text) + 1, i;
	if (fence < 3)
		fence = 3;
	for (i = 0; i < fence; i++)
		putchar('`');
	printf("text\n");
	print_example(stdout, text, "");
	for (i = 0; i < fence; i++)
		putchar('`');
	putchar('\n');
}

static void print_pods_md(const struct qe_pods *p)
{
	char *pod, *ns, *ctr;
	if (!p->n)
		return;
	pod = md_code(p->v[0].pod, 0);
	ns = md_code(p->v[0].namespace, 0);
	ctr = md_code(p->v[0].container, 0);
	printf("- **Pod:** %s, **namespace:** %s, **container:** %s\n", pod, ns, ctr);
	if (p->n > 1) {
		char n[32], *list = qe_pods_list(p), *code = md_code(list, 0);
		qe_pods_count(p, n, sizeof(n));
		printf("- **Pods:** %s: %s\n", n, code);
		free(code);
		free(list);
	}
	free(pod);
	free(ns);
	free(ctr);
}

static void print_markdown(struct summary *sm, size_t shown, const char *label,
			   const char *host)
{
	char since[32], until[32], unit[32];
	size_t i;

	spark_unit(sm, unit, sizeof(unit));
	format_time(sm->since, 1, since, sizeof(since));
	format_time(sm->until, 1, until, sizeof(until));
	printf("# qerrors summary: %zu error group%s in the last %s on %s\n\n", sm->nr,
	       sm->nr == 1 ? "" : "s", label, host);
	printf("%lld event%s from %s to %s; %zu new group%s. Counts are by hour, so "
	       "an hour that overlaps the window counts whole.\n\n",
	       sm->total_events, sm->total_events == 1 ? "" : "s", since, until,
	       sm->new_groups, sm->new_groups == 1 ? "" : "s");
	printf("| # | Count | Trend | Kind | Error | Errors %s | Last seen (UTC) |\n",
	       unit);
	printf("|--:|------:|:-----:|------|-------|---------|-----------------|\n");
	for (i = 0; i < shown; i++) {
		struct row *r = &sm->rows[i];
		char last[32], tr[32];
		char *err = error_text(r, SHOW_MAX), *cell = md_code(err, 1),
		     *kind = md_text(r->kind),
		     *spark = qe_report_sparkline(r->hours, sm->spark_cols, 1);
		format_time(r->last_seen, 1, last, sizeof(last));
		trend(r, tr, sizeof(tr));
		printf("| %zu | %lld | %s%s%s | %s | %s | %s | %s |\n", i + 1, r->count,
		       r->is_new ? "**" : "", tr, r->is_new ? "**" : "", kind, cell,
		       spark, last);
		free(err);
		free(cell);
		free(kind);
		free(spark);
	}
	if (shown < sm->nr)
		printf("\n_and %zu more group%s_\n", sm->nr - shown,
		       sm->nr - shown == 1 ? "" : "s");
	for (i = 0; i < shown; i++) {
		struct row *r = &sm->rows[i];
		char first[32], last[32], tr[32];
		char *err = error_text(r, SHOW_MAX), *head = md_code(err, 0);
		char *spark = qe_report_sparkline(r->hours, sm->spark_cols, 1);
		format_time(r->first_seen, 1, first, sizeof(first));
		format_time(r->last_seen, 1, last, sizeof(last));
		trend(r, tr, sizeof(tr));
		printf("\n## %zu. %s\n\n", i + 1, head);
		printf("- **Fingerprint:** `%s`\n", r->fingerprint);
		if (r->source) {
			char *src = md_code(r->source, 0);
			printf("- **Source:** %s\n", src);
			free(src);
		}
		print_pods_md(&r->pods);
		printf("- **Count:** %lld in the last %s (previous %s: %lld, trend %s)\n",
		       r->count, label, label, r->previous, r->is_new ? "**new**" : tr);
		printf("- **Errors %s:** `%s` (max %lld)\n", unit, spark,
		       max_of(r->hours, sm->spark_cols));
		printf("- **First seen:** %s, **last seen:** %s\n", first, last);
		if (r->advice) {
			char *adv = md_text(r->advice);
			printf("- **Advice:** %s\n", adv);
			free(adv);
		} else {
			printf("- **Advice:** _no advice yet_\n");
		}
		if (r->fix) {
			char *fix = md_text(r->fix);
			printf("- **Fix:** %s\n", fix);
			free(fix);
		}
		if (r->sample) {
			printf("\nExample (redacted):\n\n");
			print_md_block(r->sample);
		}
		free(err);
		free(head);
		free(spark);
	}
}

static int print_json(struct summary *sm, size_t shown, const char *host)
{
	json_t *o = json_object(), *groups = json_array();
	char t[32];
	size_t i, k;
	int rc;

	format_time(sm->since, 1, t, sizeof(t));
	json_object_set_new(o, "since", json_string(t));
	format_time(sm->until, 1, t, sizeof(t));
	json_object_set_new(o, "until", json_string(t));
	json_object_set_new(o, "window_s", json_integer(sm->window_ms / 1000));
	json_object_set_new(o, "host", qe_report_string(host));
	json_object_set_new(o, "namespace",
			    sm->namespace ? json_string(sm->namespace) : json_null());
	json_object_set_new(o, "hours_per_column",
			    json_integer((json_int_t)sm->spark_hours));
	format_time(sm->spark_start, 1, t, sizeof(t));
	json_object_set_new(o, "columns_start", json_string(t));
	for (i = 0; i < shown; i++) {
		struct row *r = &sm->rows[i];
		json_t *g = json_object(), *hours = json_array();
		char tr[32];
		trend(r, tr, sizeof(tr));
		for (k = 0; k < sm->spark_cols; k++)
			json_array_append_new(hours, json_integer(r->hours[k]));
		json_object_set_new(g, "fingerprint", json_string(r->fingerprint));
		json_object_set_new(g, "kind", qe_report_string(r->kind));
		json_object_set_new(g, "type",
				    r->type ? qe_report_string(r->type) : json_null());
		json_object_set_new(g, "template", qe_report_string(r->template));
		json_object_set_new(g, "message", qe_report_string(r->message));
		json_object_set_new(g, "sample", qe_report_string(r->sample));
		json_object_set_new(g, "source", qe_report_string(r->source));
		qe_pods_json(g, &r->pods);
		json_object_set_new(g, "count", json_integer(r->count));
		json_object_set_new(g, "previous_count", json_integer(r->previous));
		json_object_set_new(g, "trend", json_string(tr));
		json_object_set_new(g, "new", json_boolean(r->is_new));
		format_time(r->first_seen, 1, t, sizeof(t));
		json_object_set_new(g, "first_seen", json_string(t));
		format_time(r->last_seen, 1, t, sizeof(t));
		json_object_set_new(g, "last_seen", json_string(t));
		json_object_set_new(g, "hourly", hours);
		json_object_set_new(g, "advice_summary",
				    r->advice ? qe_report_string(r->advice)
					      : json_null());
		json_object_set_new(g, "advice_fix",
				    r->fix ? qe_report_string(r->fix) : json_null());
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
	char *def = dir ? NULL : qe_statedir_default();
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
	const char *since_arg = "24h", *format = "text", *namespace = NULL;
	long top = 10;
	int exit_code = 0;
	const struct qe_option opts[] = {
	    QE_OPT_STRING_(0, "since", &since_arg, "DURATION",
			   "window: 30m, 24h, 7d, 2w or seconds (default: 24h)"),
	    QE_OPT_CHOICE_('f', "format", &format, "text|json|markdown",
			   "output format (default: text)"),
	    QE_OPT_INT_(0, "top", &top, "N",
			"show the N most frequent groups (default: 10; 0 = all)"),
	    QE_OPT_STRING_(0, "namespace", &namespace, "NS",
			   "only groups seen in the pods of Kubernetes namespace NS"),
	    QE_OPT_FLAG_(0, "exit-code", &exit_code,
			 "exit 1 when a group was first seen in the window"),
	    QE_OPT_END_,
	};
	struct summary sm;
	char label[32], host[256], where[400];
	char **args;
	long long secs;
	size_t i, shown;
	int nargs, rc = QE_EXIT_OK;

	memset(&sm, 0, sizeof(sm));
	nargs = qe_parse_options(argc, argv, opts, summary_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs > 0) {
		qe_error_msg("summary takes no arguments");
		qe_usage(stderr, opts, summary_usage);
		return QE_EXIT_USAGE;
	}
	secs = parse_duration(since_arg);
	if (secs == -2) {
		qe_error_msg(
		    "option '--since' needs a unit: write '%sh' for hours, '%sd' "
		    "for days, '%sm' for minutes or '%ss' for seconds",
		    since_arg, since_arg, since_arg, since_arg);
		return QE_EXIT_USAGE;
	}
	if (secs < 0) {
		qe_error_msg(
		    "option '--since' expects a duration such as 30m, 24h, 7d, 2w or "
		    "1h30m, not '%s'",
		    since_arg);
		return QE_EXIT_USAGE;
	}
	if (top < 0) {
		qe_error_msg(
		    "option '--top' expects 0 (all) or a positive number, not %ld", top);
		return QE_EXIT_USAGE;
	}
	if (namespace && !namespace_name(namespace)) {
		qe_error_msg("option '--namespace' expects a Kubernetes namespace name "
			     "(lowercase letters, digits and '-', at most 63), not '%s'",
			     namespace);
		return QE_EXIT_USAGE;
	}
	sm.namespace = namespace;
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	window_label(since_arg, secs, label, sizeof(label));
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	if (namespace)
		snprintf(where, sizeof(where), "%s in namespace %s", host, namespace);
	else
		snprintf(where, sizeof(where), "%s", host);

	sm.until = qe_wall_ms();
	sm.window_ms = secs * 1000;
	sm.since = sm.until - sm.window_ms;
	spark_layout(&sm);
	sm.redactor = qe_redactor_new(&ctx->cfg);
	if (!sm.redactor) {
		qe_error_msg("%s", qe_last_error());
		return QE_EXIT_USAGE;
	}
	if (have_database(ctx)) {
		sm.store = qe_store_open(qe_ctx_state_dir(ctx), QE_STORE_READONLY);
		if (!sm.store) {
			qe_error_msg("%s", qe_last_error());
			return QE_EXIT_FAILURE;
		}
		if (qe_store_groups(sm.store, sm.since, sm.until, on_group, &sm) < 0 ||
		    (namespace && keep_namespace(&sm, namespace) < 0)) {
			qe_error_msg("%s", qe_last_error());
			rc = QE_EXIT_FAILURE;
			goto out;
		}
	} else if (exit_code) {
		/* cron asks "anything new?": a state nobody writes (the wrong
		 * directory, another user's agent) must not answer "no" */
		char *dir = qe_ctx_state_dir(ctx) ? qe_xstrdup(qe_ctx_state_dir(ctx))
						  : qe_statedir_default();
		qe_error_msg("no state database in '%s': is the agent running with this "
			     "state directory (--state-dir, QERRORS_STATE_DIR)?",
			     dir ? dir : "the default state directory");
		free(dir);
		rc = QE_EXIT_FAILURE;
		goto out;
	} else if (!ctx->quiet) {
		qe_info_msg(ctx, "no state database yet; 'qerrors tail' creates it");
	}

	shown = top == 0 || (size_t)top > sm.nr ? sm.nr : (size_t)top;
	for (i = 0; i < shown; i++) {
		struct row *r = &sm.rows[i];
		r->previous = qe_store_group_count_between(
		    sm.store, r->fingerprint, sm.since - sm.window_ms, sm.since);
		if (r->previous < 0) {
			qe_error_msg("%s", qe_last_error());
			rc = QE_EXIT_FAILURE;
			goto out;
		}
		if (row_details(&sm, r) < 0) {
			qe_error_msg("%s", qe_last_error());
			rc = QE_EXIT_FAILURE;
			goto out;
		}
	}

	if (!strcmp(format, "json")) {
		print_json(&sm, shown, host);
	} else if (!sm.nr) {
		if (!strcmp(format, "markdown"))
			printf("# qerrors summary: no errors in the last %s on %s\n",
			       label, where);
		else
			printf("no errors in the last %s on %s\n", label, where);
	} else if (!strcmp(format, "markdown")) {
		print_markdown(&sm, shown, label, where);
	} else {
		print_text(ctx, &sm, shown, label, where);
	}
	if (exit_code && sm.new_groups)
		rc = QE_EXIT_FOUND;

out:
	qe_store_close(sm.store);
	for (i = 0; i < sm.nr; i++)
		row_release(&sm.rows[i]);
	qe_redactor_free(sm.redactor);
	free(sm.rows);
	return rc;
}
