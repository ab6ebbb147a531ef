/*
 * decode: one source's physical lines turned into what the rules and the
 * assembler read, per log format.
 *
 * A decoder is fed one physical line at a time (without its '\n', with its
 * byte positions in the source) and hands out, through callbacks, either
 *   - text lines (text, Docker json-file, CRI, syslog, journal): the text
 *     the assembler should see, with ANSI escapes and any per-line prefix
 *     (syslog header, ISO timestamp, CRI or Docker wrapping) removed, and
 *     the metadata the prefix carried; or
 *   - structured records (JSON lines, Docker or CRI lines whose text is
 *     a JSON object, with the wrapping's stream, key and time; a JSON
 *     object right after a text or syslog line's prefix (kubectl's
 *     RFC 3339 time, a syslog header, optionally "stdout "/"stderr "),
 *     with the prefix's metadata, its time when the record has none;
 *     and journal messages that are JSON objects): level,
 *     message, logger, time and the exception text from whatever field
 *     holds it; and java.util.logging's XML records among text lines,
 *     "<record>" to "</record>" held and read as one (lib/decode_xml).
 *
 * Invariants:
 * - Every fed line is delivered exactly once, as a text line, as part of
 *   a joined text line (Docker records without a trailing newline, CRI
 *   "P" partials: held until the record that ends the line), or as a
 *   record.  A joined line has the start_pos of its first piece and the
 *   end_pos of its last, so committing end_pos never splits a line.
 * - While pieces are held, qe_decoder_pending() says so and gives the
 *   start_pos of the oldest; a caller committing positions must not go
 *   past it.  qe_decoder_flush() delivers held pieces (end of input, idle).
 * - A joined line is capped at max_line_bytes; the rest is dropped and
 *   counted (stats.cut_lines, stats.cut_bytes), the line flagged CUT.
 * - Pointers handed to callbacks are valid only during the call.
 * - JSON lines whose level is known and below opts.quick_below (ERROR by
 *   default: the built-in rules report no warnings) and that carry no
 *   exception field are classified by a scan that builds no tree; they are
 *   delivered as records with parsed = 0 (level, raw line and positions
 *   only).  Everything else is parsed with jansson.
 * - In format auto the format is decided on the first non-blank line and
 *   named by qe_decoder_format_name().  A later line that does not fit the
 *   chosen format is still decoded for what it is (a JSON line in a text
 *   file as a record, a plain line in a JSON file as text) and counted in
 *   stats.mismatched, so a mixed file is never misread silently.
 *
 * Use, in the source stage: one decoder per source, its options from
 * qe_decode_opts_from_config(); every line the splitter delivers goes to
 * qe_decoder_feed(); the line callback feeds text/len to the assembler of
 * meta.key (one per key, created on first use); the record callback calls
 * qe_decode_record_event() and passes a non-NULL event on like an
 * assembled one.  At end of input or on the idle timeout, call
 * qe_decoder_flush() first, then flush the assemblers.  A committed
 * position goes no further than the oldest of qe_decoder_pending() and
 * the assemblers' pending starts.
 *
 * Not thread-safe; one decoder per source.
 */
#ifndef QE_DECODE_H
#define QE_DECODE_H

#include <stddef.h>
#include <stdint.h>

enum qe_format {
	QE_FMT_AUTO,
	QE_FMT_TEXT,
	QE_FMT_JSON,
	QE_FMT_DOCKER,
	QE_FMT_CRI,
	QE_FMT_SYSLOG,
	QE_FMT_JOURNAL,
};

/* "auto", "text", ... */
const char *qe_format_name(enum qe_format f);
/* 0, or -1 with qe_error() naming the bad value. */
int qe_format_parse(const char *s, enum qe_format *out);

/* Kubernetes names from a log file's path; strings are NUL-terminated,
 * empty when unknown. */
struct qe_k8s {
	char pod[254];
	char namespace[64];
	char container[64];
};
/* 1 when path is /var/log/containers/<pod>_<ns>_<container>-<id>.log or
 * /var/log/pods/<ns>_<pod>_<uid>/<container>/<n>.log (any directory
 * prefix, rotated suffixes allowed), 0 otherwise (out cleared). */
int qe_k8s_from_path(const char *path, struct qe_k8s *out);

/* What a line's wrapping said about it.  Strings are borrowed, valid
 * during the callback; NULL when unknown. */
struct qe_decode_meta {
	int64_t time_ms;    /* the log's own time (ms since the epoch), -1 when none */
	int level;	    /* enum qe_severity, -1 when the line names none */
	const char *stream; /* "stdout" / "stderr" (Docker, CRI) */
	const char *host;   /* syslog */
	const char *app;    /* syslog tag, journal SYSLOG_IDENTIFIER */
	long pid;	    /* syslog [pid], journal _PID; 0 when none */
	const char *unit;   /* journal _SYSTEMD_UNIT */
	const char *logger; /* JSON logger name */
	const struct qe_k8s *k8s; /* from the source path; NULL when not k8s */
	/* Lines with the same key belong to one stream and go to one
	 * assembler: 0 for a plain file, 1 stdout / 2 stderr for Docker and
	 * CRI, a hash of unit and pid for the journal. */
	uint32_t key;
};

#define QE_DLINE_CUT 0x1    /* joined line longer than max_line_bytes: a prefix */
#define QE_DLINE_JOINED 0x2 /* made of several physical lines (P/F, Docker 16K) */

struct qe_dline {
	const char *text; /* NUL-terminated at text[len] */
	size_t len;
	/* text + body_off skips a leading level word ("ERROR ", "[warn] ",
	 * "E1122 ..." is not one): the message as the prefix-free log has it.
	 * meta.level says which level the word named. */
	size_t body_off;
	uint64_t start_pos, end_pos;
	unsigned flags;
	struct qe_decode_meta meta;
};

/* One frame of an exception given in parts: as the record wrote it
 * (text, not NUL-terminated: a line of a string or an array's string),
 * or an object's parts (text NULL; any part may be NULL, line 0). */
struct qe_record_frame {
	const char *text;
	size_t text_len;
	const char *module, *function, *file;
	long line;
};

struct qe_record {
	/* 0: the quick path: only meta.level, raw, positions set; text "" */
	int parsed;
	/* msg, message, event, @m, else the @mt template, loguru's
	 * record.message, tracing's fields.message; NULL when none */
	const char *message;
	const char *error;	/* an error string field (zap, zerolog "error") */
	const char *error_type; /* err.type, error.type, err.name, ... */
	/* multi-line exception text ('\n' between lines); loguru's
	 * serialized "text" beside its "record" */
	const char *exception;
	/* An exception in parts: an object with a class (class, type, name,
	 * exc_type), a message, a location (file, line) and frames (trace,
	 * frames, backtrace, stack, stack_trace, extendedStackTrace) under
	 * exception, exc_info, error, err, thrown or exc, at the top or one
	 * object down (Monolog's context.exception), the first of an array
	 * of them (structlog); or a frames array (backtrace, stack, ...) at
	 * the top beside a class name (error_type, or error, exception,
	 * exc_type, class holding one), or the message itself as such an
	 * object with frames (the logging gem's JSON layout).  error_type is
	 * then set to the class,
	 * exc_message to the exception's own message (may be NULL), frames
	 * to the location and then the frames, as written. */
	const char *exc_message;
	const struct qe_record_frame *frames;
	size_t nr_frames;
	const char *level_name; /* the level as written ("50", "Error"); NULL */
	/* the kind of the frames when the record's format says it
	 * (java.util.logging's XML records: "java"); NULL: from the frames */
	const char *kind;
	const char *text; /* the record as one log line: "message: error" */
	const char *raw;  /* the physical line as fed (not NUL-terminated) */
	size_t raw_len;
	uint64_t start_pos, end_pos;
	struct qe_decode_meta meta;
};

struct qe_decode_cb {
	void (*line)(const struct qe_dline *l, void *data);
	void (*record)(const struct qe_record *r, void *data);
};

/* Field names from the config (dotted paths reach into nested objects:
 * "err.stack" is {"err":{"stack":...}} or the key "err.stack").  Each one,
 * when set, is looked at before the built-in names.  Borrowed: must
 * outlive the decoder. */
struct qe_decode_fields {
	const char *level;
	const char *message;
	const char *logger;
	const char *time;
	const char *exception;
	const char *error_type;
};

struct qe_decode_opts {
	enum qe_format format;
	struct qe_decode_fields fields;
	size_t max_line_bytes; /* cap on a joined line; 0 = 65536 */
	const char *path;      /* source path for Kubernetes names; may be NULL */
	int keep_prefix; /* 1: text lines keep their ISO timestamp (its time is still
			    read); syslog headers are removed either way */
	int64_t now_ms;	 /* reference time for year-less syslog dates; 0 = clock */
	/* JSON lines of a known level below this one, without an exception
	 * field, take the quick path (see above).  0 = QE_SEV_ERROR; set
	 * QE_SEV_WARNING when user rules look for warnings; -1 = never. */
	int quick_below;
};

struct qe_decode_stats {
	uint64_t lines;	     /* physical lines fed */
	uint64_t text_lines; /* text lines delivered (joined ones once) */
	uint64_t records;    /* JSON records delivered */
	uint64_t quick;	     /* of which on the quick path */
	uint64_t joined;     /* physical lines merged into a previous piece, or
				into an XML record (lib/decode_xml) after its first */
	uint64_t mismatched; /* lines not of the chosen format, decoded per line */
	uint64_t bad_json;   /* lines starting with '{' (after any prefix) that are no
				JSON object */
	uint64_t ansi_lines; /* lines that had escape sequences removed */
	uint64_t cut_lines, cut_bytes; /* joined lines over the cap */
};

struct qe_decoder;
struct qe_config;

/* Options from the configuration (tail.format, tail.json.*, events.max_line_bytes)
 * for the source at path (may be NULL).  Strings are borrowed from c.
 * 0, or -1 with qe_error() set when tail.format is not a known format. */
int qe_decode_opts_from_config(struct qe_decode_opts *o, const struct qe_config *c,
			       const char *path);

/* The same, then a source's own format and fields (any that are set) over
 * those; so may be NULL.  -1 with qe_error() for an unknown format. */
struct qe_source_opts;
int qe_decode_opts_for_source(struct qe_decode_opts *o, const struct qe_config *c,
			      const struct qe_source_opts *so, const char *path);

/* A sources: entry of the configuration as source options.  Strings are
 * borrowed from cs. */
struct qe_config_source;
void qe_source_opts_from_config(struct qe_source_opts *o,
				const struct qe_config_source *cs);

/* NULL with qe_error() set on a bad option.  cb is copied. */
struct qe_decoder *qe_decoder_new(const struct qe_decode_opts *o,
				  const struct qe_decode_cb *cb, void *data);
void qe_decoder_free(struct qe_decoder *d); /* NULL-safe; drops held pieces */

void qe_decoder_feed(struct qe_decoder *d, const char *line, size_t len,
		     uint64_t start_pos, uint64_t end_pos);
/* Deliver held partial lines (end of input, idle timeout). */
void qe_decoder_flush(struct qe_decoder *d);
/* 1 while pieces are held; *start_pos gets the oldest one's position. */
int qe_decoder_pending(const struct qe_decoder *d, uint64_t *start_pos);

/* The format in use: the configured one, or in auto what was chosen
 * ("auto" until the first non-blank line). */
enum qe_format qe_decoder_format(const struct qe_decoder *d);
const char *qe_decoder_format_name(const struct qe_decoder *d);
/* 1 when a text or JSON line that starts with '{' (after blanks) is read
 * as a JSON record: format json, or text as chosen by auto. */
int qe_decoder_json_lines(const struct qe_decoder *d);
/* 1 once a JSON record was read behind a prefix (a timestamp, a syslog
 * header, a stream word) in a text, syslog or journal line. */
int qe_decoder_prefixed_json(const struct qe_decoder *d);
/* 1 when the line (without its '\n') has a JSON object right after an
 * ISO timestamp (and a stream word), which the decoder tries to read as
 * a record (not with format text as configured). */
int qe_decoder_prefixed_line(const struct qe_decoder *d, const char *s, size_t len);
/* Of the whole lines [p, p + n), the offset of the first one that
 * qe_decoder_prefixed_line() says 1 of, n when none. */
size_t qe_decoder_prefixed_first(const struct qe_decoder *d, const char *p, size_t n);
/* 1 when the line (without its '\n') is a JSON object line that the
 * decoder reads on its quick path: a known level below opts.quick_below,
 * no exception field; such a record is no event and feeds no rule. */
int qe_decoder_quick_line(const struct qe_decoder *d, const char *s, size_t len);
const struct qe_decode_stats *qe_decoder_stats(const struct qe_decoder *d);

/*
 * The error event a JSON record stands for, or NULL when it is none: a
 * record whose exception text assembles into a trace gives that trace's
 * event (kind, type, message and frames exactly as the same trace in a
 * text log, lines = the exception's lines); otherwise a record of level
 * error or above gives a one-line event (kind "line", rule "json",
 * message = r->text, type = r->error_type).  Between the two, a record
 * with an exception in parts (r->frames; any level, as an exception
 * text; below opts.quick_below only when a key of the quick scan's,
 * such as exception, error, err, stack or backtrace, is there: a log4j2
 * warning with only "thrown" takes the quick path) gives a trace event
 * of rule "json": the kind whose frame syntax
 * (or file extension) its frames have ("line" when none), type
 * r->error_type, message r->exc_message (else r->message), frames read
 * as lib/trace reads that kind's (so that it groups with the same
 * error printed as text), lines r->text and then one per frame.  Severity is the record's
 * level when it is error or above.  Positions are the record's.  The
 * fingerprint is not computed.  The caller owns the event (see event.h).
 * Records for which this returns NULL carry no error by their fields;
 * a caller with user rules may still match r->text (r->raw when
 * !r->parsed).  max_lines/max_bytes: the assembler's caps (0 = its
 * defaults).
 */
struct qe_rules;
struct qe_event *qe_decode_record_event(const struct qe_record *r, struct qe_rules *rules,
					size_t max_lines, size_t max_bytes);

/*
 * Text that arrives with its metadata already known (a journal entry):
 * split at '\n' and delivered as text lines carrying a copy of m (k8s
 * filled in from the decoder's path when m has none), with escapes
 * removed and level words found; no prefix stripping.  Every line gets
 * start_pos/end_pos as given.
 */
void qe_decoder_feed_meta(struct qe_decoder *d, const char *text, size_t len,
			  const struct qe_decode_meta *m, uint64_t start_pos,
			  uint64_t end_pos);

/* An ISO 8601 timestamp at the start of line (optionally in [brackets])
 * and the one blank after it: returns the offset of the text after it, 0
 * when there is none; *time_ms set.  Exactly one blank is removed, so the
 * indentation of trace lines survives.  (Syslog headers are stripped by
 * the decoder itself, which keeps copies of host and tag.) */
size_t qe_decode_strip_time(const char *line, size_t len, int64_t *time_ms);

/* Offset past a leading level word ("ERROR", "[error]", "WARN:", "E "
 * is not one) and its separator, 0 when none; *level set when found. */
size_t qe_decode_level_word(const char *line, size_t len, int *level);

/* Parse an ISO 8601 / RFC 3339 timestamp at s (also with '/' between the
 * date's parts, as Go's log package writes it): returns the bytes used,
 * 0 when there is none; *ms gets the time (no zone: local time). */
size_t qe_decode_parse_iso(const char *s, size_t len, int64_t *ms);

/* A level from a JSON value as written: a name (any case: trace, debug,
 * info, information, notice, warn, warning, error, err, crit, critical,
 * alert, emerg, emergency, fatal, panic, dpanic, verbose, default) or a
 * number (pino/bunyan 10..60, syslog 0..7).  -1 when unknown. */
int qe_decode_level_name(const char *s, size_t len);
int qe_decode_level_number(double v);

#endif
