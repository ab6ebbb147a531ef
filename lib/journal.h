/*
 * journal: a systemd journal as a log source, through sd-journal.
 *
 * Opens the local system journal, a directory of journal files, or given
 * files; optional filters keep only some units (_SYSTEMD_UNIT) and syslog
 * identifiers (SYSLOG_IDENTIFIER) -- an entry passes when it matches any
 * of them.  Entries are read in journal order and handed to a callback
 * with MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, _SYSTEMD_UNIT, _PID,
 * __REALTIME_TIMESTAMP and the entry's cursor.
 *
 * Positions: the cursor is the journal's equivalent of a file offset.
 * qe_journal_seek_cursor() resumes just after the entry a cursor names,
 * so committing the cursor of the last entry handed on (in the same
 * transaction as its events) gives no loss and no repeat across restarts.
 * If that entry is gone (vacuumed), reading resumes at the next one that
 * exists and nothing is skipped.
 *
 * The event loop waits on qe_journal_fd() (readable when the journal
 * changed) and then calls qe_journal_process() and qe_journal_read().
 * When qe_journal_timeout_ms() is not -1 the fd alone is not reliable
 * (e.g. files on a network mount) and the loop must also wake after it.
 *
 * Built without libsystemd (the build says so), qe_journal_available()
 * is 0 and qe_journal_open() fails with a message saying why.
 */
#ifndef QE_JOURNAL_H
#define QE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

struct qe_decode_meta;

struct qe_journal_opts {
	const char *directory;	  /* a journal directory; NULL = the system journal */
	const char *const *files; /* or these journal files (NULL-terminated) */
	const char *const *units; /* _SYSTEMD_UNIT= filters (NULL-terminated), or NULL */
	const char *const *identifiers; /* SYSLOG_IDENTIFIER= filters, or NULL */
	size_t max_message_bytes;	/* longer MESSAGEs are cut; 0 = 65536 */
};

/* One entry; strings are borrowed, valid during the callback, NULL when
 * the field is absent.  message is NUL-terminated at message[message_len]
 * and may hold several lines. */
struct qe_journal_entry {
	const char *message;
	size_t message_len;
	int cut;      /* MESSAGE was longer than max_message_bytes */
	int priority; /* 0..7, -1 when absent */
	const char *identifier;
	const char *unit;
	long pid; /* 0 when absent */
	uint64_t realtime_us;
	const char *cursor;
	uint32_t key; /* same unit and pid, same key: lines of one process */
};

/* Return 0 to go on, 1 to stop after this entry. */
typedef int (*qe_journal_fn)(const struct qe_journal_entry *e, void *data);

struct qe_journal;

int qe_journal_available(void);
/* NULL with qe_error() set. */
struct qe_journal *qe_journal_open(const struct qe_journal_opts *o);
void qe_journal_free(struct qe_journal *j); /* NULL-safe */

/* Where the next qe_journal_read() starts: the oldest entry, only entries
 * added from now on, or just after the entry named by cursor.  0 / -1. */
int qe_journal_seek_head(struct qe_journal *j);
int qe_journal_seek_tail(struct qe_journal *j);
int qe_journal_seek_cursor(struct qe_journal *j, const char *cursor);

/* Hand up to max entries (0 = no limit) to fn; returns how many were
 * handed on, or -1 with qe_error() set. */
long qe_journal_read(struct qe_journal *j, size_t max, qe_journal_fn fn, void *data);

/* The cursor of the last entry handed on; after qe_journal_seek_tail()
 * until the first read, that of the last entry already there (NULL when
 * the journal has none); NULL before any.  Borrowed, valid until the next
 * read or seek. */
const char *qe_journal_cursor(const struct qe_journal *j);

/* Bytes of the journal files open: 0 when there are none (yet), or none
 * that this user may read. */
uint64_t qe_journal_usage(struct qe_journal *j);

/* For the event loop: fd to wait on (-1 with qe_error() set), then
 * process: 1 when entries may have been added, 0 when not, -1 on error. */
int qe_journal_fd(struct qe_journal *j);
int qe_journal_process(struct qe_journal *j);
long qe_journal_timeout_ms(struct qe_journal *j);

/* Metadata for qe_decoder_feed_meta(): time, level from PRIORITY, app,
 * pid, unit, key.  Strings borrowed from e. */
void qe_journal_meta(const struct qe_journal_entry *e, struct qe_decode_meta *m);

#endif
