/*
 * agent_journal: journal sources -> lib/source, with cursors saved like
 * file offsets (see agent_journal.h).
 */
#include "agent_journal.h"

#include "config.h"
#include "decode.h"
#include "event.h"
#include "journal.h"
#include "loop.h"
#include "source.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Entries read per turn of the loop, so a busy journal does not keep
 * the loop (timers, the AI client) waiting. */
#define READ_BATCH 1024
/* Cursors kept for entries not yet committable: past this many the open
 * events close (early but whole) and the old cursors go. */
#define HELD_MAX 65536

/* An entry from the commit position on: its cursor, for the commit that
 * reaches it, and its source name, for the events it starts. */
struct held {
	char *cursor, *name;
	int64_t time_ms;
};

struct jsrc {
	struct qe_ajournal *owner;
	char *spec; /* canonical: the store's key */
	char *path; /* a directory or file; NULL = the system journal */
	char **units, **idents;
	struct qe_journal *j;
	struct qe_source *src;
	int fd, timer, failed;

	uint64_t seq; /* entries fed this run */
	/* entries first_seq .. first_seq + nr_held - 1, in held[head..] */
	struct held *held;
	size_t head, nr_held, alloc_held;
	uint64_t first_seq;

	char *start_cursor; /* where this run started ("" = the head) */
	long long start_entries;
	int64_t start_last;
	char *saved, *pending; /* cursor committed / written in this txn */

	long long entries, lines, bytes;
	struct jsrc *next;
};

struct qe_ajournal {
	struct qe_ajournal_conf c;
	struct jsrc *srcs, **tail;
	size_t nr;
};

int qe_ajournal_is_spec(const char *spec)
{
	return !strncmp(spec, "journal:", 8);
}

struct qe_ajournal *qe_ajournal_new(const struct qe_ajournal_conf *conf)
{
	struct qe_ajournal *j = qe_xcalloc(1, sizeof(*j));
	j->c = *conf;
	j->tail = &j->srcs;
	return j;
}

static void free_list(char **v)
{
	size_t i;
	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void held_release(struct held *h)
{
	free(h->cursor);
	free(h->name);
}

static void src_free(struct jsrc *s)
{
	size_t i;
	if (s->fd >= 0)
		qe_loop_fd_remove(s->owner->c.loop, s->fd);
	if (s->timer >= 0)
		qe_loop_timer_remove(s->owner->c.loop, s->timer);
	qe_source_free(s->src);
	qe_journal_free(s->j);
	for (i = 0; i < s->nr_held; i++)
		held_release(&s->held[s->head + i]);
	free(s->held);
	free(s->spec);
	free(s->path);
	free_list(s->units);
	free_list(s->idents);
	free(s->start_cursor);
	free(s->saved);
	free(s->pending);
	free(s);
}

void qe_ajournal_free(struct qe_ajournal *j)
{
	struct jsrc *s, *next;
	if (!j)
		return;
	for (s = j->srcs; s; s = next) {
		next = s->next;
		src_free(s);
	}
	free(j);
}

size_t qe_ajournal_count(const struct qe_ajournal *j)
{
	return j->nr;
}

static void notice(struct qe_ajournal *j, enum qe_agent_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notice(struct qe_ajournal *j, enum qe_agent_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	if (!j->c.on_notice)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	j->c.on_notice(level, buf, j->c.data);
}

/* ---- specs ---- */

/* A unit name as sd-journal stores it: "nginx" is nginx.service. */
static char *unit_name(const char *u, size_t n)
{
	return memchr(u, '.', n) ? qe_xstrndup(u, n)
				 : qe_xasprintf("%.*s.service", (int)n, u);
}

static char **list_push(char **v, size_t *n, char *s)
{
	v = qe_xrealloc(v, (*n + 2) * sizeof(*v));
	v[(*n)++] = s;
	v[*n] = NULL;
	return v;
}

/* "journal:..." into s (path, units, identifiers, canonical spec). */
static int parse_spec(struct jsrc *s, const char *spec, const struct qe_config *cfg)
{
	const char *rest = spec + 8, *p;
	struct qe_buf canon = QE_BUF_INIT;
	size_t n = 0, ni = 0, i;

	qe_buf_addstr(&canon, "journal:");
	if (rest[0] == '/' || rest[0] == '.') {
		char *abs = rest[0] == '/' ? qe_xstrdup(rest) : NULL;
		if (!abs) {
			char *cwd = getcwd(NULL, 0);
			const char *r = rest;
			while (r[0] == '.' && r[1] == '/')
				r += 2;
			abs = cwd ? qe_xasprintf("%s/%s", cwd, r) : qe_xstrdup(rest);
			free(cwd);
		}
		s->path = abs;
		qe_buf_addstr(&canon, abs);
	} else if (*rest) {
		for (p = rest;; p++) {
			if (*p && *p != ',')
				continue;
			if (p == rest || p[-1] == ',' || (*p == ',' && !p[1])) {
				qe_buf_release(&canon);
				return qe_error("journal source '%s': an empty unit name",
						spec);
			}
			if (memchr(rest, '/', (size_t)(p - rest)) ||
			    memchr(rest, ' ', (size_t)(p - rest))) {
				qe_buf_release(&canon);
				return qe_error(
				    "journal source '%s': '%.*s' is no unit name", spec,
				    (int)(p - rest), rest);
			}
			s->units =
			    list_push(s->units, &n, unit_name(rest, (size_t)(p - rest)));
			if (n > 1)
				qe_buf_addch(&canon, ',');
			qe_buf_addstr(&canon, s->units[n - 1]);
			if (!*p)
				break;
			rest = p + 1;
		}
	}
	if (!s->units && cfg) {
		/* no unit in the spec: the configured filters */
		for (i = 0; i < cfg->nr_journal_units; i++)
			s->units = list_push(s->units, &n,
					     unit_name(cfg->journal_units[i],
						       strlen(cfg->journal_units[i])));
		for (i = 0; i < cfg->nr_journal_identifiers; i++)
			s->idents = list_push(s->idents, &ni,
					      qe_xstrdup(cfg->journal_identifiers[i]));
	}
	s->spec = qe_buf_detach(&canon);
	return 0;
}

/* ---- reading ---- */

static struct held *held_at(struct jsrc *s, uint64_t seq)
{
	if (seq < s->first_seq || seq - s->first_seq >= s->nr_held)
		return NULL;
	return &s->held[s->head + (size_t)(seq - s->first_seq)];
}

/* Forget the cursors of entries before pos (the commit position): no
 * commit will need them, and no event starts there. */
static void held_trim(struct jsrc *s, uint64_t pos)
{
	while (s->nr_held && s->first_seq < pos) {
		held_release(&s->held[s->head]);
		s->head++;
		s->nr_held--;
		s->first_seq++;
	}
	if (!s->nr_held)
		s->head = 0;
	if (s->head > s->alloc_held / 2) {
		memmove(s->held, s->held + s->head, s->nr_held * sizeof(*s->held));
		s->head = 0;
	}
}

static void on_src_event(struct qe_source *src, struct qe_event *ev, void *data)
{
	struct jsrc *s = data;
	/* the entry that holds the event's first line */
	struct held *h = held_at(s, ev->start_pos + 1);
	s->owner->c.on_event(ev, h ? h->name : s->spec, s->owner->c.data);
}

static int on_entry(const struct qe_journal_entry *e, void *data)
{
	struct jsrc *s = data;
	struct qe_ajournal *j = s->owner;
	struct qe_decode_meta m;
	struct held *h;
	const char *p;

	if (s->nr_held >= HELD_MAX) {
		/* bounded: close the open events, early but whole */
		qe_source_flush(s->src);
		held_trim(s, qe_source_commit_pos(s->src));
	}
	if (!s->nr_held)
		s->first_seq = s->seq + 1;
	QE_ALLOC_GROW(s->held, s->head + s->nr_held + 1, s->alloc_held);
	h = &s->held[s->head + s->nr_held++];
	h->cursor = qe_xstrdup(e->cursor);
	h->name = e->unit	  ? qe_xasprintf("journal:%s", e->unit)
		  : e->identifier ? qe_xasprintf("journal:%s", e->identifier)
				  : qe_xstrdup(s->spec);
	h->time_ms = (int64_t)(e->realtime_us / 1000);
	s->seq++;
	s->entries++;
	s->bytes += (long long)e->message_len;
	s->lines++;
	for (p = e->message;
	     (p = memchr(p, '\n', e->message_len - (size_t)(p - e->message))); p++)
		s->lines++;
	qe_journal_meta(e, &m);
	qe_source_feed_meta(s->src, e->message, e->message_len, &m, s->seq - 1, s->seq,
			    e->cut, j->c.now_ms(j->c.data));
	return 0;
}

static void fail(struct jsrc *s)
{
	struct qe_ajournal *j = s->owner;
	s->failed = 1;
	notice(j, QE_AGENT_WARNING, "%s: %s", s->spec, qe_last_error());
	if (s->fd >= 0)
		qe_loop_fd_remove(j->c.loop, s->fd);
	s->fd = -1;
}

/* One batch; 1 when more may be waiting, 0 when at the end, -1. */
static int read_batch(struct jsrc *s, size_t max)
{
	struct qe_ajournal *j = s->owner;
	long n;
	if (s->failed)
		return 0;
	n = qe_journal_read(s->j, max, on_entry, s);
	if (n < 0) {
		fail(s);
		return -1;
	}
	if (n > 0) {
		j->c.on_moved(j->c.data);
		if (j->c.on_deadline && qe_source_deadline(s->src))
			j->c.on_deadline(qe_source_deadline(s->src), j->c.data);
	}
	return max && (size_t)n == max;
}

/* Follow: read what is there, then wait for the fd, or for the
 * journal's own timeout when the fd alone is not reliable. */
static void follow_read(struct jsrc *s)
{
	struct qe_ajournal *j = s->owner;
	long t;
	int r;
	if (s->failed)
		return;
	if (qe_journal_process(s->j) < 0) {
		fail(s);
		return;
	}
	r = read_batch(s, READ_BATCH);
	if (r < 0)
		return;
	if (r > 0) {
		qe_loop_timer_set(j->c.loop, s->timer, 0, 0); /* the rest, next turn */
		return;
	}
	t = qe_journal_timeout_ms(s->j);
	if (t >= 0)
		qe_loop_timer_set(j->c.loop, s->timer, t > 0 ? (uint64_t)t : 1, 0);
}

static void on_fd(struct qe_loop *loop, int fd, unsigned events, void *data)
{
	follow_read(data);
}

static void on_timer(struct qe_loop *loop, int id, void *data)
{
	follow_read(data);
}

/* ---- sources ---- */

static int open_journal(struct jsrc *s)
{
	struct qe_journal_opts o;
	const char *files[2] = {NULL, NULL};
	struct stat sb;
	memset(&o, 0, sizeof(o));
	if (s->path) {
		if (stat(s->path, &sb) < 0)
			return qe_error("journal source '%s': %s", s->spec,
					strerror(errno));
		if (S_ISREG(sb.st_mode)) {
			files[0] = s->path;
			o.files = files;
		} else {
			o.directory = s->path;
		}
	}
	o.units = (const char *const *)s->units;
	o.identifiers = (const char *const *)s->idents;
	s->j = qe_journal_open(&o);
	return s->j ? 0 : -1;
}

/* Where the source resumes: its saved cursor, else the tail (or the head
 * with from_beginning). */
static int seek_start(struct jsrc *s)
{
	struct qe_ajournal *j = s->owner;
	struct qe_jcursor row;
	int r = qe_store_jcursor_get(j->c.store, s->spec, &row);
	if (r < 0)
		return -1;
	if (r == 1) {
		int ok;
		s->start_entries = row.entries;
		s->start_last = row.last_entry;
		s->saved = qe_xstrdup(row.cursor);
		if (!*row.cursor) {
			ok = qe_journal_seek_head(s->j) == 0;
		} else {
			ok = qe_journal_seek_cursor(s->j, row.cursor) == 0;
			if (!ok)
				notice(j, QE_AGENT_WARNING, "%s: %s; reading from the %s",
				       s->spec, qe_last_error(),
				       j->c.from_beginning ? "start" : "end");
		}
		if (ok) {
			s->start_cursor = qe_xstrdup(row.cursor);
			qe_jcursor_release(&row);
			notice(j, QE_AGENT_VERBOSE, "reading '%s' from its saved cursor",
			       s->spec);
			return 0;
		}
		qe_jcursor_release(&row);
	}
	if (j->c.from_beginning) {
		if (qe_journal_seek_head(s->j) < 0)
			return -1;
		s->start_cursor = qe_xstrdup("");
	} else {
		if (qe_journal_seek_tail(s->j) < 0)
			return -1;
		s->start_cursor =
		    qe_xstrdup(qe_journal_cursor(s->j) ? qe_journal_cursor(s->j) : "");
	}
	notice(j, QE_AGENT_VERBOSE, "reading '%s' from its %s", s->spec,
	       j->c.from_beginning ? "start" : "end (new entries only)");
	return 0;
}

int qe_ajournal_add(struct qe_ajournal *j, const char *spec)
{
	struct jsrc *s = qe_xcalloc(1, sizeof(*s)), *o;
	struct qe_source_conf sc;

	s->owner = j;
	s->fd = s->timer = -1;
	if (!qe_journal_available()) {
		qe_error("journal source '%s': qerrors was built without libsystemd",
			 spec);
		goto fail;
	}
	if (parse_spec(s, spec, j->c.cfg) < 0)
		goto fail;
	for (o = j->srcs; o; o = o->next)
		if (!strcmp(o->spec, s->spec)) {
			src_free(s); /* named twice: read once */
			return 0;
		}
	if (open_journal(s) < 0 || seek_start(s) < 0)
		goto fail;
	if (!qe_journal_usage(s->j)) {
		/* not an error: files may come, and a directory may be new */
		if (s->path)
			notice(j, QE_AGENT_WARNING, "'%s': no journal file there yet",
			       s->spec);
		else
			notice(j, QE_AGENT_WARNING,
			       "'%s': no journal file found that this user may read "
			       "(the system journal needs root, or the systemd-journal "
			       "or adm group)",
			       s->spec);
	}
	qe_source_conf_from_config(&sc, j->c.cfg, j->c.rules);
	sc.on_event = on_src_event;
	sc.data = s;
	s->src = qe_source_new(&sc, 0);
	if (!s->src) {
		sc.flags |= QE_SOURCE_RAW;
		s->src = qe_source_new(&sc, 0);
	}
	*j->tail = s;
	j->tail = &s->next;
	j->nr++;
	return 0;
fail : {
	char *msg = qe_xstrdup(qe_last_error());
	src_free(s);
	qe_error("%s", msg);
	free(msg);
}
	return -1;
}

int qe_ajournal_start(struct qe_ajournal *j)
{
	struct jsrc *s;
	for (s = j->srcs; s; s = s->next) {
		s->fd = qe_journal_fd(s->j);
		if (s->fd < 0 ||
		    qe_loop_fd_add(j->c.loop, s->fd, QE_LOOP_READ, on_fd, s) < 0) {
			s->fd = -1;
			return qe_error("%s: %s", s->spec, qe_last_error());
		}
		/* armed "as soon as possible": what is there is read first */
		s->timer = qe_loop_timer_add(j->c.loop, 0, 0, on_timer, s);
		if (s->timer < 0)
			return -1;
	}
	if (j->srcs)
		j->c.on_moved(j->c.data); /* the starting cursors are saved soon */
	return 0;
}

int qe_ajournal_read_once(struct qe_ajournal *j)
{
	struct jsrc *s;
	int rc = 0, r;
	for (s = j->srcs; s; s = s->next) {
		while ((r = read_batch(s, READ_BATCH)) > 0)
			if (j->c.interrupted && j->c.interrupted(j->c.data))
				return rc;
		if (r < 0)
			rc = -1;
	}
	return rc;
}

void qe_ajournal_flush(struct qe_ajournal *j)
{
	struct jsrc *s;
	for (s = j ? j->srcs : NULL; s; s = s->next)
		qe_source_flush(s->src);
}

uint64_t qe_ajournal_check_idle(struct qe_ajournal *j, uint64_t now_ms)
{
	struct jsrc *s;
	uint64_t next = 0, d;
	for (s = j ? j->srcs : NULL; s; s = s->next) {
		qe_source_check_idle(s->src, now_ms);
		d = qe_source_deadline(s->src);
		if (d && (!next || d < next))
			next = d;
	}
	return next;
}

void qe_ajournal_set_rules(struct qe_ajournal *j, struct qe_rules *rules)
{
	struct jsrc *s;
	if (!j)
		return;
	j->c.rules = rules;
	for (s = j->srcs; s; s = s->next)
		qe_source_set_rules(s->src, rules);
}

int qe_ajournal_save(struct qe_ajournal *j, int64_t wall_ms)
{
	struct jsrc *s;
	int rc = 0;
	for (s = j ? j->srcs : NULL; s; s = s->next) {
		uint64_t pos = qe_source_commit_pos(s->src);
		struct held *h;
		struct qe_jcursor row;
		free(s->pending);
		s->pending = NULL;
		held_trim(s, pos);
		h = pos ? held_at(s, pos) : NULL;
		if (pos && !h)
			continue; /* cannot happen: kept from the commit position on */
		row.source = s->spec;
		row.cursor = h ? h->cursor : s->start_cursor;
		if (s->saved && !strcmp(s->saved, row.cursor))
			continue;
		row.entries = s->start_entries + (long long)pos;
		row.last_entry = h ? h->time_ms : s->start_last;
		row.updated = wall_ms;
		if (qe_store_jcursor_put(j->c.store, &row) < 0) {
			rc = -1;
			continue;
		}
		s->pending = qe_xstrdup(row.cursor);
	}
	return rc;
}

void qe_ajournal_committed(struct qe_ajournal *j)
{
	struct jsrc *s;
	for (s = j ? j->srcs : NULL; s; s = s->next)
		if (s->pending) {
			free(s->saved);
			s->saved = s->pending;
			s->pending = NULL;
		}
}

void qe_ajournal_get_counts(const struct qe_ajournal *j, struct qe_ajournal_counts *out)
{
	const struct jsrc *s;
	memset(out, 0, sizeof(*out));
	for (s = j ? j->srcs : NULL; s; s = s->next) {
		out->entries += s->entries;
		out->lines += s->lines;
		out->bytes += s->bytes;
		out->errors += s->failed;
	}
}
