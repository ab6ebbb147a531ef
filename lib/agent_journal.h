/*
 * agent_journal: the journal sources of an agent (lib/agent), behind
 * callbacks.
 *
 * Specs: "journal:" is the local system journal; "journal:UNIT[,UNIT...]"
 * reads only those units (_SYSTEMD_UNIT; a name without a dot means
 * NAME.service, as systemctl reads it); "journal:PATH", PATH starting
 * with '/' or '.', is a journal directory or a journal file.  Sources
 * whose spec names no unit take the filters tail.journal.units and
 * tail.journal.identifiers (an entry matching either one is read).
 *
 * Each source feeds its entries into one lib/source, whose decoding
 * stage gives every unit and pid its own assembler, so the lines of one
 * process logged as several entries assemble into one trace.  An entry's
 * time is __REALTIME_TIMESTAMP; PRIORITY gives its level.
 *
 * Positions, with the guarantees of file offsets: entry k of a run
 * (k = 1, 2, ...) is fed as the stream range [k - 1, k), so the source's
 * commit position P says that entries 1..P are done (none of them is in
 * an open event), and what a commit saves is the cursor of entry P (the
 * run's starting cursor when P = 0).  The cursors of entries from P on
 * are kept for that, bounded: past HELD_MAX of them the source's open
 * events are closed early.  A source with no saved cursor starts at the
 * journal's tail (its last entry's cursor is saved at once, so that a
 * later run misses nothing), or at its head with from_beginning.
 */
#ifndef QE_AGENT_JOURNAL_H
#define QE_AGENT_JOURNAL_H

#include "agent.h"

#include <stdint.h>

struct qe_config;
struct qe_event;
struct qe_loop;
struct qe_rules;
struct qe_store;
struct qe_ajournal;

struct qe_ajournal_conf {
	const struct qe_config *cfg; /* borrowed; read when a source is added */
	struct qe_rules *rules;	     /* borrowed; see qe_ajournal_set_rules() */
	struct qe_store *store;
	struct qe_loop *loop;
	int once, from_beginning;
	uint64_t (*now_ms)(void *data); /* monotonic */
	/* An event read from the source named name ("journal:nginx.service",
	 * "journal:sshd": the entry's unit, else its identifier); the
	 * callback owns ev. */
	void (*on_event)(struct qe_event *ev, const char *name, void *data);
	void (*on_moved)(void *data); /* positions moved: commit soon */
	void (*on_deadline)(uint64_t at_ms, void *data); /* an open event closes then */
	void (*on_notice)(enum qe_agent_level level, const char *msg, void *data);
	int (*interrupted)(void *data); /* a --once read should stop */
	void *data;
};

/* 1 when spec names a journal source ("journal:..."). */
int qe_ajournal_is_spec(const char *spec);

struct qe_ajournal *qe_ajournal_new(const struct qe_ajournal_conf *conf);
void qe_ajournal_free(struct qe_ajournal *j); /* NULL-safe */

/* Open a source and seek to where it resumes.  -1 with qe_error() for a
 * bad spec, a journal that cannot be opened, or a build without
 * libsystemd. */
int qe_ajournal_add(struct qe_ajournal *j, const char *spec);
/* Number of sources added. */
size_t qe_ajournal_count(const struct qe_ajournal *j);

/* Follow: watch every source's fd (and its timeout) in the loop, and
 * read what is there on the loop's first turn.  0 / -1. */
int qe_ajournal_start(struct qe_ajournal *j);
/* --once: read every source to its end (stops early when interrupted).
 * 0, or -1 when a source could not be read (the others are read). */
int qe_ajournal_read_once(struct qe_ajournal *j);

void qe_ajournal_flush(struct qe_ajournal *j); /* close open events */
/* Close open events whose idle deadline has passed; the next deadline,
 * 0 when none. */
uint64_t qe_ajournal_check_idle(struct qe_ajournal *j, uint64_t now_ms);
/* New rules (a reload): open events close with the old ones. */
void qe_ajournal_set_rules(struct qe_ajournal *j, struct qe_rules *rules);

/* In the agent's commit transaction: write each source's cursor (only
 * when it moved).  Then, once the transaction is committed,
 * qe_ajournal_committed().  0, or -1 with qe_error(). */
int qe_ajournal_save(struct qe_ajournal *j, int64_t wall_ms);
void qe_ajournal_committed(struct qe_ajournal *j);

struct qe_ajournal_counts {
	long long entries, lines, bytes, errors;
};
void qe_ajournal_get_counts(const struct qe_ajournal *j, struct qe_ajournal_counts *out);

#endif
