/*
 * source: one input stream on its way to error events.
 *
 * A source takes the lines of one stream (a followed file, standard
 * input, a file read once), removes a trailing CR, hands them to the
 * assembler and tracks what a saved position must be: the end of the last
 * line fed, or the start of the event still open, so that after a crash
 * the open event is read again whole and no line is lost.  It also keeps
 * the source's own idle deadline: an open multi-line event closes when no
 * line has come for idle_ms, whatever other sources do.
 *
 * Between the lines and the assembler sits the decoding stage
 * (lib/decode): JSON lines, Docker and CRI wrapping, syslog headers,
 * timestamps and ANSI colour are handled per source, each stream of a
 * source (stdout/stderr, a process) has its own assembler, and an
 * event's time is the log's own where its lines carry one.
 *
 * Every command that reads logs (tail through lib/agent, analyze,
 * fingerprint, rules test) reads through a source, so they agree on what
 * an event is.  With QE_SOURCE_EACH_LINE every line is its own event (no
 * rules, no assembler): how grouping is measured on labelled logs.
 *
 * Invariants: commit_pos() <= the end of the last line fed; it never
 * points into the middle of a line.  A source is single-threaded; the
 * event callback owns the event it gets.
 */
#ifndef QE_SOURCE_H
#define QE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

struct qe_event;
struct qe_rules;
struct qe_source;

/* The callback owns ev and frees it with qe_event_free(). */
typedef void (*qe_source_event_fn)(struct qe_source *src, struct qe_event *ev,
				   void *data);

#define QE_SOURCE_EACH_LINE 0x1 /* every line is an event of kind "line" */
#define QE_SOURCE_NO_SKIP 0x2	/* feed every line (qe_source_skip() says 0) */
#define QE_SOURCE_RAW 0x4	/* no decoding: lines go to the rules as read */

/*
 * How one source (a spec given to the agent, and every file it opens) is
 * read, over the configuration's tail.* settings: one entry of the
 * sources: list (qe_source_opts_from_config() in lib/decode.c).  Strings
 * are borrowed.
 */
struct qe_source_opts {
	const char *format;		/* NULL = tail.format */
	char *const *exclude;		/* glob matches left out, besides tail.exclude */
	size_t nr_exclude;		/* (fnmatch patterns, as tail.exclude's) */
	struct qe_decode_fields fields; /* NULL members = tail.json.*'s */
};

struct qe_source_conf {
	struct qe_rules *rules; /* borrowed; required unless EACH_LINE */
	size_t max_lines;	/* per event; 0 = 200 */
	size_t max_bytes;	/* per event; 0 = 65536 */
	size_t max_line_bytes;	/* for qe_source_read_fd(); 0 = the lines default */
	uint64_t idle_ms;	/* 0 = events close only on the next start or a flush */
	unsigned flags;
	/* decoding (tail.format, tail.json.*) from this configuration, for
	 * the file at path (Kubernetes names); cfg NULL = plain text */
	const struct qe_config *cfg;
	const char *path;
	/* this source's own format and fields over cfg's; NULL = cfg's.
	 * Copied by qe_source_new(). */
	const struct qe_source_opts *opts;
	qe_source_event_fn on_event; /* required */
	/* optional: sees each line (CR removed) just before it is fed */
	void (*on_line)(struct qe_source *src, const char *line, size_t len,
			uint64_t start, uint64_t end, void *data);
	void *data;
};

struct qe_config;
/* Fill conf from the configuration's event limits and idle timeout; the
 * callbacks and flags are left zero. */
void qe_source_conf_from_config(struct qe_source_conf *conf, const struct qe_config *cfg,
				struct qe_rules *rules);

/* pos: the stream position the first line fed will start at.  NULL with
 * qe_error() when the decoding options are bad (an unknown tail.format). */
struct qe_source *qe_source_new(const struct qe_source_conf *conf, uint64_t pos);
void qe_source_free(
    struct qe_source *s); /* NULL-safe; drops an open event: flush first */

/* One line without its newline; a trailing '\r' is removed here.
 * start/end are stream positions (end after the newline); flags are the
 * line splitter's (QE_LINE_CUT marks the event truncated); now_ms is the
 * monotonic time the line arrived, for the idle deadline. */
void qe_source_feed(struct qe_source *s, const char *line, size_t len, uint64_t start,
		    uint64_t end, unsigned flags, uint64_t now_ms);
/*
 * Text that arrives with its metadata (a journal entry; see decode.h's
 * qe_decoder_feed_meta): its lines go to the assembler of m->key, every
 * one with the stream positions [start, end) given.  An entry of level
 * error or worse (m->level, from the journal's PRIORITY) that starts no
 * event and joins none is reported as a one-line event of that level
 * (kind "line", rule "priority"): the journal says it is an error even
 * when its text does not.  cut: the text was cut at its size cap.
 */
struct qe_decode_meta;
void qe_source_feed_meta(struct qe_source *s, const char *text, size_t len,
			 const struct qe_decode_meta *m, uint64_t start, uint64_t end,
			 int cut, uint64_t now_ms);
/*
 * The fast path of a catch-up scan: [p, p + n) are whole lines starting
 * at stream position pos, the next ones to be fed.  While no event is
 * open, the lines before the first one that could start an event
 * (qe_rules_scan()) change nothing but the position: they are passed
 * over and the position moves past them, except those of the last
 * QE_SOURCE_HEAD_LINES before that line from the first that may head the
 * trace it starts (qe_assembler_head_start(): a date line, "runtime:"
 * lines, a source location), which are fed as usual, and, when that line
 * is inside a java.util.logging XML record, the lines from its
 * "<record>" on (lib/decode_xml).  Until the decoder has read a JSON
 * record behind kubectl's time, the scan goes no further than the first
 * line that may be one (qe_decoder_prefixed_first()): its level need
 * hold no word the scan knows.  Returns how many bytes were
 * passed over (0 while an event is open, with an on_line callback, user
 * rules or QE_SOURCE_EACH_LINE / _NO_SKIP, and for formats other than
 * text and JSON, whose lines are judged by what they unwrap to).  Fits
 * lines.h's qe_line_skip_fn.
 */
#define QE_SOURCE_HEAD_LINES 4
size_t qe_source_skip(struct qe_source *s, const char *p, size_t n, uint64_t pos);
/* Close the open event, if any (end of input, rotation, shutdown). */
void qe_source_flush(struct qe_source *s);
/* The stream restarts at pos (a truncated file): the open event is
 * closed first. */
void qe_source_reset(struct qe_source *s, uint64_t pos);
/* Replace the rule set (a reload): the open event closes with the old one. */
void qe_source_set_rules(struct qe_source *s, struct qe_rules *rules);

/* What a saved position must be now (see above). */
uint64_t qe_source_commit_pos(const struct qe_source *s);
/* 1 while an event is open; *start gets its first line's position. */
int qe_source_pending(const struct qe_source *s, uint64_t *start);
/* When the open event must close (monotonic ms), 0 when none is open or
 * there is no idle timeout. */
uint64_t qe_source_deadline(const struct qe_source *s);
/* Close the open event if its deadline has passed; 1 if it did. */
int qe_source_check_idle(struct qe_source *s, uint64_t now_ms);

/* The log format in use ("text", "json", ...; "auto" until decided). */
const char *qe_source_format(const struct qe_source *s);
/* Pod, namespace and container when the path is a Kubernetes log, else
 * NULL.  Borrowed. */
struct qe_k8s;
const struct qe_k8s *qe_source_k8s(const struct qe_source *s);

/* Lines and cut lines counted by qe_source_read_fd(). */
struct qe_source_counts {
	uint64_t lines, bytes, truncated_lines;
};
/* Read fd to its end, feed every line (the last one too, without a
 * newline) and flush.  `name` is for messages.  0, or -1 with qe_error(). */
int qe_source_read_fd(struct qe_source *s, int fd, const char *name,
		      struct qe_source_counts *counts);

#endif
