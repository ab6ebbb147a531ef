/*
 * journal: sd-journal reading, filters, cursors and the change fd.
 */
#include "journal.h"

#include "decode.h"
#include "event.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_MESSAGE 65536

void qe_journal_meta(const struct qe_journal_entry *e, struct qe_decode_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->time_ms = e->realtime_us ? (int64_t)(e->realtime_us / 1000) : -1;
	m->level = e->priority >= 0 ? qe_decode_level_number(e->priority) : -1;
	m->app = e->identifier;
	m->unit = e->unit;
	m->pid = e->pid;
	m->key = e->key;
}

#ifdef QE_HAVE_SYSTEMD

#include <systemd/sd-journal.h>

struct qe_journal {
	sd_journal *j;
	size_t max_message;
	/* the cursor of a seek_cursor(): its own entry is skipped once */
	char *resume;
	char *last_cursor;
	struct qe_buf msg, ident, unit;
};

int qe_journal_available(void)
{
	return 1;
}

static int add_matches(sd_journal *j, const char *field, const char *const *values)
{
	size_t i;
	int r;
	for (i = 0; values && values[i]; i++) {
		char *m = qe_xasprintf("%s=%s", field, values[i]);
		r = sd_journal_add_match(j, m, 0);
		free(m);
		if (r < 0)
			return qe_error("bad journal filter %s='%s': %s", field,
					values[i], strerror(-r));
	}
	return 0;
}

struct qe_journal *qe_journal_open(const struct qe_journal_opts *o)
{
	struct qe_journal *jr;
	sd_journal *j = NULL;
	int r;
	const char *what;

	if (o->files && o->files[0]) {
		what = o->files[0];
		r = sd_journal_open_files(&j, (const char **)o->files, 0);
	} else if (o->directory) {
		what = o->directory;
		r = sd_journal_open_directory(&j, o->directory, 0);
	} else {
		what = "the system journal";
		r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	}
	if (r < 0) {
		qe_error("cannot open journal '%s': %s", what, strerror(-r));
		return NULL;
	}
	if (add_matches(j, "_SYSTEMD_UNIT", o->units) < 0)
		goto fail;
	if (o->units && o->units[0] && o->identifiers && o->identifiers[0] &&
	    (r = sd_journal_add_disjunction(j)) < 0) {
		qe_error("cannot combine journal filters: %s", strerror(-r));
		goto fail;
	}
	if (add_matches(j, "SYSLOG_IDENTIFIER", o->identifiers) < 0)
		goto fail;
	jr = qe_xcalloc(1, sizeof(*jr));
	jr->j = j;
	jr->max_message =
	    o->max_message_bytes ? o->max_message_bytes : DEFAULT_MAX_MESSAGE;
	/* Fields past the threshold come back cut by sd-journal itself; ask
	 * for one byte more than the cap to tell a cut message. */
	sd_journal_set_data_threshold(j, jr->max_message + 16 + 1);
	qe_buf_init(&jr->msg);
	qe_buf_init(&jr->ident);
	qe_buf_init(&jr->unit);
	return jr;
fail:
	sd_journal_close(j);
	return NULL;
}

void qe_journal_free(struct qe_journal *j)
{
	if (!j)
		return;
	sd_journal_close(j->j);
	free(j->resume);
	free(j->last_cursor);
	qe_buf_release(&j->msg);
	qe_buf_release(&j->ident);
	qe_buf_release(&j->unit);
	free(j);
}

int qe_journal_seek_head(struct qe_journal *j)
{
	int r = sd_journal_seek_head(j->j);
	free(j->resume);
	j->resume = NULL;
	return r < 0 ? qe_error("cannot seek the journal: %s", strerror(-r)) : 0;
}

int qe_journal_seek_tail(struct qe_journal *j)
{
	int r = sd_journal_seek_tail(j->j);
	free(j->resume);
	j->resume = NULL;
	if (r < 0)
		return qe_error("cannot seek the journal: %s", strerror(-r));
	/* After seek_tail, next() would return the last entry again: step
	 * onto it so that only entries added later are read. */
	r = sd_journal_previous(j->j);
	if (r < 0)
		return qe_error("cannot seek the journal: %s", strerror(-r));
	/* its cursor is where a reader that stops now resumes */
	free(j->last_cursor);
	j->last_cursor = NULL;
	if (r > 0 && (r = sd_journal_get_cursor(j->j, &j->last_cursor)) < 0) {
		j->last_cursor = NULL;
		return qe_error("cannot read a journal cursor: %s", strerror(-r));
	}
	return 0;
}

int qe_journal_seek_cursor(struct qe_journal *j, const char *cursor)
{
	int r = sd_journal_seek_cursor(j->j, cursor);
	if (r < 0)
		return qe_error("bad journal cursor '%s': %s", cursor, strerror(-r));
	free(j->resume);
	j->resume = qe_xstrdup(cursor);
	return 0;
}

/* A field's value into b (NUL-terminated); 0 when absent. */
static int field(sd_journal *j, const char *name, struct qe_buf *b, size_t cap, int *cut)
{
	const void *data;
	size_t len, nl = strlen(name) + 1;

	qe_buf_reset(b);
	if (sd_journal_get_data(j, name, &data, &len) < 0 || len < nl)
		return 0;
	len -= nl;
	if (cut)
		*cut = len > cap;
	if (len > cap)
		len = cap;
	qe_buf_add(b, (const char *)data + nl, len);
	return 1;
}

static uint32_t key_of(const char *unit, const char *ident, long pid)
{
	struct qe_buf k = QE_BUF_INIT;
	uint32_t h;
	qe_buf_addf(&k, "journal\x1f%s\x1f%s\x1f%ld", unit ? unit : "",
		    ident ? ident : "", pid);
	h = (uint32_t)qe_fnv1a(k.buf, k.len);
	qe_buf_release(&k);
	return h < 3 ? h + 3 : h; /* 0..2 are a file's own keys */
}

long qe_journal_read(struct qe_journal *j, size_t max, qe_journal_fn fn, void *data)
{
	long n = 0;
	struct qe_buf pidb = QE_BUF_INIT, prio = QE_BUF_INIT;

	while (!max || (size_t)n < max) {
		struct qe_journal_entry e;
		char *cursor = NULL;
		int r = sd_journal_next(j->j), stop;

		if (r < 0) {
			qe_error("cannot read the journal: %s", strerror(-r));
			n = -1;
			break;
		}
		if (r == 0)
			break;
		if (j->resume) {
			/* The entry the cursor names was handed on before. */
			int same = sd_journal_test_cursor(j->j, j->resume) > 0;
			free(j->resume);
			j->resume = NULL;
			if (same)
				continue;
		}
		memset(&e, 0, sizeof(e));
		e.priority = -1;
		field(j->j, "MESSAGE", &j->msg, j->max_message, &e.cut);
		e.message = j->msg.buf;
		e.message_len = j->msg.len;
		if (field(j->j, "SYSLOG_IDENTIFIER", &j->ident, 256, NULL))
			e.identifier = j->ident.buf;
		if (field(j->j, "_SYSTEMD_UNIT", &j->unit, 256, NULL))
			e.unit = j->unit.buf;
		if (field(j->j, "_PID", &pidb, 32, NULL))
			e.pid = strtol(pidb.buf, NULL, 10);
		if (field(j->j, "PRIORITY", &prio, 8, NULL) && prio.len == 1 &&
		    prio.buf[0] >= '0' && prio.buf[0] <= '7')
			e.priority = prio.buf[0] - '0';
		if (sd_journal_get_realtime_usec(j->j, &e.realtime_us) < 0)
			e.realtime_us = 0;
		if ((r = sd_journal_get_cursor(j->j, &cursor)) < 0) {
			qe_error("cannot read a journal cursor: %s", strerror(-r));
			n = -1;
			break;
		}
		free(j->last_cursor);
		j->last_cursor = cursor;
		e.cursor = cursor;
		e.key = key_of(e.unit, e.identifier, e.pid);
		n++;
		stop = fn(&e, data);
		if (stop)
			break;
	}
	qe_buf_release(&pidb);
	qe_buf_release(&prio);
	return n;
}

const char *qe_journal_cursor(const struct qe_journal *j)
{
	return j->last_cursor;
}

uint64_t qe_journal_usage(struct qe_journal *j)
{
	uint64_t bytes = 0;
	return sd_journal_get_usage(j->j, &bytes) < 0 ? 0 : bytes;
}

int qe_journal_fd(struct qe_journal *j)
{
	int fd = sd_journal_get_fd(j->j);
	if (fd < 0)
		return qe_error("cannot watch the journal: %s", strerror(-fd));
	return fd;
}

int qe_journal_process(struct qe_journal *j)
{
	int r = sd_journal_process(j->j);
	if (r < 0)
		return qe_error("cannot follow the journal: %s", strerror(-r));
	return r != SD_JOURNAL_NOP;
}

long qe_journal_timeout_ms(struct qe_journal *j)
{
	uint64_t t;
	if (sd_journal_reliable_fd(j->j) > 0)
		return -1;
	if (sd_journal_get_timeout(j->j, &t) < 0 || t == (uint64_t)-1)
		return 1000;
	/* t is CLOCK_MONOTONIC microseconds, absolute */
	{
		uint64_t now = qe_now_ms() * 1000;
		return t > now ? (long)((t - now + 999) / 1000) : 0;
	}
}

#else /* no libsystemd */

struct qe_journal {
	int unused;
};

int qe_journal_available(void)
{
	return 0;
}

struct qe_journal *qe_journal_open(const struct qe_journal_opts *o)
{
	(void)o;
	qe_error(
	    "journal sources are not available: qerrors was built without libsystemd");
	return NULL;
}

void qe_journal_free(struct qe_journal *j)
{
	free(j);
}

int qe_journal_seek_head(struct qe_journal *j)
{
	return qe_error("journal sources are not available");
}

int qe_journal_seek_tail(struct qe_journal *j)
{
	return qe_error("journal sources are not available");
}

int qe_journal_seek_cursor(struct qe_journal *j, const char *cursor)
{
	return qe_error("journal sources are not available");
}

long qe_journal_read(struct qe_journal *j, size_t max, qe_journal_fn fn, void *data)
{
	return qe_error("journal sources are not available");
}

const char *qe_journal_cursor(const struct qe_journal *j)
{
	return NULL;
}

uint64_t qe_journal_usage(struct qe_journal *j)
{
	return 0;
}

int qe_journal_fd(struct qe_journal *j)
{
	return qe_error("journal sources are not available");
}

int qe_journal_process(struct qe_journal *j)
{
	return qe_error("journal sources are not available");
}

long qe_journal_timeout_ms(struct qe_journal *j)
{
	return -1;
}

#endif
