/*
 * Unit tests for lib/journal.c against real journal files: entries are
 * written in the journal export format and turned into .journal files by
 * systemd-journal-remote, then read back through sd-journal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "assemble.h"
#include "config.h"
#include "decode.h"
#include "event.h"
#include "journal.h"
#include "rules.h"
#include "source.h"
#include "util.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ENT 64

static const char *remote_bin(void)
{
	static const char *const paths[] = {"/lib/systemd/systemd-journal-remote",
					    "/usr/lib/systemd/systemd-journal-remote"};
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(paths); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

struct ent {
	const char *unit, *ident, *msg;
	int prio;
	long pid;
};

/* Entries 0..n-1 of set, realtime 1795341605000000 + 1000 * (base + i). */
static void write_export(const char *path, const struct ent *e, size_t n, int base)
{
	FILE *f = fopen(path, "wb");
	size_t i;
	assert_non_null(f);
	for (i = 0; i < n; i++) {
		uint64_t len = strlen(e[i].msg);
		unsigned char le[8];
		int k;
		fprintf(f, "__REALTIME_TIMESTAMP=%llu\n",
			(unsigned long long)(1795341605000000ULL + 1000ULL * (base + i)));
		fprintf(f, "__MONOTONIC_TIMESTAMP=%llu\n",
			(unsigned long long)(1000 + base + i));
		fprintf(f, "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=web1\n");
		/* MESSAGE in the binary form, so it may hold newlines */
		for (k = 0; k < 8; k++)
			le[k] = (unsigned char)(len >> (8 * k));
		fputs("MESSAGE\n", f);
		fwrite(le, 1, 8, f);
		fwrite(e[i].msg, 1, len, f);
		fputc('\n', f);
		if (e[i].prio >= 0)
			fprintf(f, "PRIORITY=%d\n", e[i].prio);
		if (e[i].ident)
			fprintf(f, "SYSLOG_IDENTIFIER=%s\n", e[i].ident);
		if (e[i].unit)
			fprintf(f, "_SYSTEMD_UNIT=%s\n", e[i].unit);
		if (e[i].pid)
			fprintf(f, "_PID=%ld\n", e[i].pid);
		fputc('\n', f);
	}
	fclose(f);
}

/* Export text -> out.journal with systemd-journal-remote. */
static void make_journal(const char *export_path, const char *journal_path)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s --split-mode=none -o '%s' '%s' 2>/dev/null",
		 remote_bin(), journal_path, export_path);
	assert_int_equal(system(cmd), 0);
}

static const struct ent set1[] = {
    {"api.service", "api", "Traceback (most recent call last):", 3, 77},
    {"worker.service", "worker", "job 12 done", 6, 88},
    {"api.service", "api", "  File \"/srv/api/app.py\", line 9, in handle", 3, 77},
    {"api.service", "api", "    return int(v)", 3, 77},
    {NULL, "sshd", "error: kex_exchange_identification: Connection closed", 3, 99},
    {"api.service", "api", "ValueError: invalid literal for int() with base 10: 'x'", 3,
     77},
    {"worker.service", "worker", "line one\nline two", 4, 88},
};
static const struct ent set2[] = {
    {"api.service", "api", "request 1 ok", 6, 77},
    {"api.service", "api", "request 2 ok", 6, 77},
    {NULL, NULL, "no identifier at all", -1, 0},
};

struct fixture {
	char dir[64];
	char jdir[96];
	char j1[128];
};

static int setup(void **state)
{
	struct fixture *f;
	char exp[160];
	if (!qe_journal_available() || !remote_bin()) {
		*state = NULL;
		return 0;
	}
	f = qe_xcalloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/qe-journal-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->jdir, sizeof(f->jdir), "%s/j", f->dir);
	assert_int_equal(mkdir(f->jdir, 0700), 0);
	snprintf(exp, sizeof(exp), "%s/one.export", f->dir);
	snprintf(f->j1, sizeof(f->j1), "%s/one.journal", f->jdir);
	write_export(exp, set1, QE_ARRAY_SIZE(set1), 0);
	make_journal(exp, f->j1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	if (!f)
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Without libsystemd or the converter there is nothing real to test:
 * the build then refuses journal sources, which is checked instead. */
#define NEED(f)                                                                          \
	do {                                                                             \
		if (!(f)) {                                                              \
			struct qe_journal_opts o_;                                       \
			memset(&o_, 0, sizeof(o_));                                      \
			if (!qe_journal_available()) {                                   \
				assert_null(qe_journal_open(&o_));                       \
				assert_non_null(strstr(qe_last_error(), "libsystemd"));  \
			}                                                                \
			skip();                                                          \
		}                                                                        \
	} while (0)

struct rec {
	char *msg[MAX_ENT], *cursor[MAX_ENT], *unit[MAX_ENT], *ident[MAX_ENT];
	int prio[MAX_ENT];
	long pid[MAX_ENT];
	uint64_t rt[MAX_ENT];
	uint32_t key[MAX_ENT];
	size_t n;
	size_t stop_at; /* stop after this many; 0 = never */
};

static int rec_fn(const struct qe_journal_entry *e, void *data)
{
	struct rec *r = data;
	assert_true(r->n < MAX_ENT);
	assert_int_equal(e->message[e->message_len], '\0');
	r->msg[r->n] = qe_xstrndup(e->message, e->message_len);
	r->cursor[r->n] = qe_xstrdup(e->cursor);
	r->unit[r->n] = e->unit ? qe_xstrdup(e->unit) : NULL;
	r->ident[r->n] = e->identifier ? qe_xstrdup(e->identifier) : NULL;
	r->prio[r->n] = e->priority;
	r->pid[r->n] = e->pid;
	r->rt[r->n] = e->realtime_us;
	r->key[r->n] = e->key;
	r->n++;
	return r->stop_at && r->n >= r->stop_at;
}

static void rec_release(struct rec *r)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		free(r->msg[i]);
		free(r->cursor[i]);
		free(r->unit[i]);
		free(r->ident[i]);
	}
	memset(r, 0, sizeof(*r));
}

static struct qe_journal *open_dir(const struct fixture *f, const char *const *units,
				   const char *const *idents)
{
	struct qe_journal_opts o;
	struct qe_journal *j;
	memset(&o, 0, sizeof(o));
	o.directory = f->jdir;
	o.units = units;
	o.identifiers = idents;
	j = qe_journal_open(&o);
	if (!j)
		fail_msg("%s", qe_last_error());
	return j;
}

static void test_read_all(void **state)
{
	struct fixture *f = *state;
	struct qe_journal *j;
	struct rec r;
	size_t i;

	NEED(f);
	memset(&r, 0, sizeof(r));
	j = open_dir(f, NULL, NULL);
	assert_int_equal(qe_journal_seek_head(j), 0);
	assert_int_equal(qe_journal_read(j, 0, rec_fn, &r), QE_ARRAY_SIZE(set1));
	for (i = 0; i < QE_ARRAY_SIZE(set1); i++) {
		assert_string_equal(r.msg[i], set1[i].msg);
		assert_int_equal(r.prio[i], set1[i].prio);
		assert_int_equal(r.pid[i], set1[i].pid);
		assert_true(r.rt[i] == 1795341605000000ULL + 1000ULL * i);
		if (set1[i].unit)
			assert_string_equal(r.unit[i], set1[i].unit);
		else
			assert_null(r.unit[i]);
		assert_string_equal(r.ident[i], set1[i].ident);
	}
	assert_int_equal(r.key[0], r.key[2]);
	assert_true(r.key[0] != r.key[1]);
	assert_string_equal(qe_journal_cursor(j), r.cursor[r.n - 1]);
	/* at the end: nothing more */
	assert_int_equal(qe_journal_read(j, 0, rec_fn, &r), 0);
	qe_journal_free(j);
	rec_release(&r);

	/* a bad directory and a bad cursor say what */
	{
		struct qe_journal_opts o;
		memset(&o, 0, sizeof(o));
		o.directory = "/nonexistent/journal";
		j = qe_journal_open(&o);
		if (j) { /* sd-journal may open an empty directory set lazily */
			memset(&r, 0, sizeof(r));
			assert_true(qe_journal_read(j, 0, rec_fn, &r) <= 0);
			qe_journal_free(j);
		}
		j = open_dir(f, NULL, NULL);
		assert_int_equal(qe_journal_seek_cursor(j, "not-a-cursor"), -1);
		assert_non_null(strstr(qe_last_error(), "'not-a-cursor'"));
		qe_journal_free(j);
	}
}

static void test_filters(void **state)
{
	struct fixture *f = *state;
	const char *const units[] = {"api.service", NULL};
	const char *const idents[] = {"sshd", NULL};
	struct qe_journal *j;
	struct rec r;
	size_t i;

	NEED(f);
	memset(&r, 0, sizeof(r));
	j = open_dir(f, units, NULL);
	qe_journal_seek_head(j);
	assert_int_equal(qe_journal_read(j, 0, rec_fn, &r), 4);
	for (i = 0; i < r.n; i++)
		assert_string_equal(r.unit[i], "api.service");
	qe_journal_free(j);
	rec_release(&r);

	j = open_dir(f, units, idents); /* either one */
	qe_journal_seek_head(j);
	assert_int_equal(qe_journal_read(j, 0, rec_fn, &r), 5);
	assert_string_equal(r.ident[3], "sshd");
	qe_journal_free(j);
	rec_release(&r);

	j = open_dir(f, NULL, idents);
	qe_journal_seek_head(j);
	assert_int_equal(qe_journal_read(j, 0, rec_fn, &r), 1);
	qe_journal_free(j);
	rec_release(&r);
}

/* Read some, keep the cursor, "restart", resume: every entry exactly once,
 * also across a journal file added while the agent was down. */
static void test_cursor_resume(void **state)
{
	struct fixture *f = *state;
	struct qe_journal *j;
	struct rec a, b;
	char *cursor, exp[160], j2[160];
	size_t i;

	NEED(f);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	j = open_dir(f, NULL, NULL);
	qe_journal_seek_head(j);
	a.stop_at = 3;
	assert_int_equal(qe_journal_read(j, 0, rec_fn, &a), 3);
	cursor = qe_xstrdup(qe_journal_cursor(j));
	assert_string_equal(cursor, a.cursor[2]);
	qe_journal_free(j);

	snprintf(exp, sizeof(exp), "%s/two.export", f->dir);
	snprintf(j2, sizeof(j2), "%s/two.journal", f->jdir);
	write_export(exp, set2, QE_ARRAY_SIZE(set2), 100);
	make_journal(exp, j2);

	j = open_dir(f, NULL, NULL);
	assert_int_equal(qe_journal_seek_cursor(j, cursor), 0);
	assert_int_equal(qe_journal_read(j, 2, rec_fn, &b), 2); /* max honoured */
	assert_int_equal(qe_journal_read(j, 0, rec_fn, &b),
			 QE_ARRAY_SIZE(set1) + QE_ARRAY_SIZE(set2) - 3 - 2);
	qe_journal_free(j);
	for (i = 0; i < b.n; i++) {
		const char *want = 3 + i < QE_ARRAY_SIZE(set1)
				       ? set1[3 + i].msg
				       : set2[3 + i - QE_ARRAY_SIZE(set1)].msg;
		assert_string_equal(b.msg[i], want);
	}
	assert_int_equal(b.prio[b.n - 1], -1);
	assert_null(b.ident[b.n - 1]);
	free(cursor);
	rec_release(&a);
	rec_release(&b);
	assert_int_equal(unlink(j2), 0);
}

/* seek_tail reads only what is added later, noticed through the fd. */
static void test_follow_fd(void **state)
{
	struct fixture *f = *state;
	struct qe_journal *j;
	struct rec r;
	char exp[160], j3[160];
	struct pollfd p;
	int fd, i, got = 0;

	NEED(f);
	memset(&r, 0, sizeof(r));
	j = open_dir(f, NULL, NULL);
	assert_int_equal(qe_journal_seek_tail(j), 0);
	/* the tail's cursor: a reader resuming there reads nothing old */
	assert_non_null(qe_journal_cursor(j));
	{
		struct qe_journal *j2 = open_dir(f, NULL, NULL);
		struct rec r2;
		memset(&r2, 0, sizeof(r2));
		assert_int_equal(qe_journal_seek_cursor(j2, qe_journal_cursor(j)), 0);
		assert_int_equal(qe_journal_read(j2, 0, rec_fn, &r2), 0);
		qe_journal_free(j2);
	}
	fd = qe_journal_fd(j);
	assert_true(fd >= 0);
	qe_journal_process(j);
	assert_int_equal(qe_journal_read(j, 0, rec_fn, &r), 0);

	snprintf(exp, sizeof(exp), "%s/three.export", f->dir);
	snprintf(j3, sizeof(j3), "%s/three.journal", f->jdir);
	write_export(exp, set2, 2, 200);
	make_journal(exp, j3);
	/* bounded wait: the fd becomes readable when the file appears */
	for (i = 0; i < 50 && r.n < 2; i++) {
		long t = qe_journal_timeout_ms(j);
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, t >= 0 && t < 100 ? (int)t : 100) < 0)
			break;
		if (qe_journal_process(j) > 0)
			got = 1;
		qe_journal_read(j, 0, rec_fn, &r);
	}
	assert_true(got);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.msg[0], "request 1 ok");
	qe_journal_free(j);
	rec_release(&r);
	assert_int_equal(unlink(j3), 0);
}

/* Lines of one unit and pid assemble into one trace even when another
 * unit writes in between. */
struct asm_ctx {
	struct qe_rules *rules;
	struct qe_decoder *d;
	uint32_t keys[8];
	struct qe_assembler *a[8];
	size_t nk;
	struct qe_event *ev[16];
	size_t nev;
	uint64_t seq;
};

static void ev_fn(struct qe_event *ev, void *data)
{
	struct asm_ctx *c = data;
	if (c->nev < 16)
		c->ev[c->nev++] = ev;
	else
		qe_event_free(ev);
}

static void line_fn(const struct qe_dline *l, void *data)
{
	struct asm_ctx *c = data;
	size_t i;
	for (i = 0; i < c->nk; i++)
		if (c->keys[i] == l->meta.key)
			break;
	if (i == c->nk) {
		assert_true(c->nk < 8);
		c->keys[i] = l->meta.key;
		c->a[i] = qe_assembler_new(c->rules, 200, 65536, ev_fn, c);
		c->nk++;
	}
	qe_assembler_feed(c->a[i], l->text, l->len, l->start_pos, l->end_pos);
}

static void rec_unused(const struct qe_record *r, void *data)
{
	fail_msg("journal lines are text");
}

static int feed_fn(const struct qe_journal_entry *e, void *data)
{
	struct asm_ctx *c = data;
	struct qe_decode_meta m;
	qe_journal_meta(e, &m);
	c->seq++;
	qe_decoder_feed_meta(c->d, e->message, e->message_len, &m, c->seq, c->seq);
	return 0;
}

static void test_assemble_by_unit(void **state)
{
	struct fixture *f = *state;
	struct qe_config cfg;
	struct asm_ctx c;
	struct qe_journal *j;
	struct qe_decode_opts o;
	struct qe_decode_cb cb = {line_fn, rec_unused};
	size_t i, python = 0;

	NEED(f);
	memset(&c, 0, sizeof(c));
	qe_config_init(&cfg);
	c.rules = qe_rules_new(&cfg);
	memset(&o, 0, sizeof(o));
	o.format = QE_FMT_JOURNAL;
	c.d = qe_decoder_new(&o, &cb, &c);
	j = open_dir(f, NULL, NULL);
	qe_journal_seek_head(j);
	assert_true(qe_journal_read(j, 0, feed_fn, &c) > 0);
	for (i = 0; i < c.nk; i++)
		qe_assembler_flush(c.a[i]);
	for (i = 0; i < c.nev; i++)
		if (!strcmp(c.ev[i]->kind, "python")) {
			python++;
			assert_string_equal(c.ev[i]->type, "ValueError");
			assert_int_equal(c.ev[i]->nr_lines, 4);
		}
	assert_int_equal(python, 1);
	for (i = 0; i < c.nev; i++)
		qe_event_free(c.ev[i]);
	for (i = 0; i < c.nk; i++)
		qe_assembler_free(c.a[i]);
	qe_journal_free(j);
	qe_decoder_free(c.d);
	qe_rules_free(c.rules);
	qe_config_release(&cfg);
}

/* Through the source stage (qe_source_feed_meta), as the agent reads:
 * entries of one unit and pid make one trace, PRIORITY gives a level to
 * an entry no rule knows, and the commit position never passes an open
 * event's first entry. */
static const struct ent set3[] = {
    {"db.service", "db", "disk /srv is full", 2, 55},
    {"db.service", "db", "checkpoint complete", 6, 55},
};

struct src_ctx {
	struct qe_source *src;
	uint64_t seq;
	struct qe_event *ev[16];
	size_t nev;
};

static void src_ev(struct qe_source *src, struct qe_event *ev, void *data)
{
	struct src_ctx *c = data;
	assert_true(c->nev < 16);
	c->ev[c->nev++] = ev;
}

static int src_feed(const struct qe_journal_entry *e, void *data)
{
	struct src_ctx *c = data;
	struct qe_decode_meta m;
	qe_journal_meta(e, &m);
	c->seq++;
	qe_source_feed_meta(c->src, e->message, e->message_len, &m, c->seq - 1, c->seq,
			    e->cut, 0);
	/* an open event holds the position at its first entry (entry 1) */
	if (qe_source_pending(c->src, NULL))
		assert_true(qe_source_commit_pos(c->src) < c->seq);
	return 0;
}

static void test_source_stage(void **state)
{
	struct fixture *f = *state;
	struct qe_config cfg;
	struct qe_source_conf sc;
	struct qe_rules *rules;
	struct src_ctx c;
	struct qe_journal *j;
	char exp[160], j4[160];
	size_t i, python = 0, prio = 0;

	NEED(f);
	snprintf(exp, sizeof(exp), "%s/four.export", f->dir);
	snprintf(j4, sizeof(j4), "%s/four.journal", f->jdir);
	write_export(exp, set3, QE_ARRAY_SIZE(set3), 300);
	make_journal(exp, j4);
	memset(&c, 0, sizeof(c));
	qe_config_init(&cfg);
	rules = qe_rules_new(&cfg);
	qe_source_conf_from_config(&sc, &cfg, rules);
	sc.on_event = src_ev;
	sc.data = &c;
	c.src = qe_source_new(&sc, 0);
	assert_non_null(c.src);
	j = open_dir(f, NULL, NULL);
	qe_journal_seek_head(j);
	assert_int_equal(qe_journal_read(j, 0, src_feed, &c), 9);
	qe_source_flush(c.src);
	assert_true(qe_source_commit_pos(c.src) == 9);
	for (i = 0; i < c.nev; i++) {
		if (!strcmp(c.ev[i]->kind, "python")) {
			python++;
			assert_int_equal(c.ev[i]->nr_lines, 4);
			assert_true(c.ev[i]->start_pos == 0); /* entry 1 */
			assert_true(c.ev[i]->time_ms == 1795341605000LL);
		}
		if (!strcmp(c.ev[i]->rule, "priority") ||
		    !strcmp(c.ev[i]->rule, "level-colon")) {
			/* sshd's "error: ..." (3), known by its text, and the
			 * disk (2): no rule knows it, PRIORITY does */
			const int sshd = !strncmp(c.ev[i]->message, "error: kex", 10);
			assert_string_equal(c.ev[i]->rule,
					    sshd ? "level-colon" : "priority");
			prio++;
			if (!sshd)
				assert_string_equal(c.ev[i]->message,
						    "disk /srv is full");
			assert_int_equal(c.ev[i]->severity,
					 sshd ? QE_SEV_ERROR : QE_SEV_CRITICAL);
			assert_true(c.ev[i]->start_pos == (sshd ? 4 : 7));
		}
	}
	/* the traceback's lines (PRIORITY 3 each) are not events of their own */
	assert_int_equal(python, 1);
	assert_int_equal(prio, 2);
	assert_int_equal(c.nev, 3);
	for (i = 0; i < c.nev; i++)
		qe_event_free(c.ev[i]);
	qe_source_free(c.src);
	qe_journal_free(j);
	qe_rules_free(rules);
	qe_config_release(&cfg);
	assert_int_equal(unlink(j4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_all),	     cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_cursor_resume),    cmocka_unit_test(test_follow_fd),
	    cmocka_unit_test(test_assemble_by_unit), cmocka_unit_test(test_source_stage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
