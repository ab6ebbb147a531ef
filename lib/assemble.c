/* assemble: see assemble.h */
#include "assemble.h"

#include "event.h"
#include "rules.h"
#include "trace.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_LINES 200
#define DEFAULT_MAX_BYTES 65536
/* Lines held back until the next line shows whether they belong to the
 * open event: blank lines inside a trace, or the extra lines of a
 * multi-line Java exception message before its first frame. */
#define PEND_MAX_LINES 24
#define PEND_MAX_BLANK 2
#define PEND_MAX_BYTES 8192
/* The writer tag of a prefixed head line kept to compare later lines. */
#define TAG_MAX 64
/* The longest line kept as the one before the next (a message line). */
#define LAST_MAX 4096
/* The most lines of one quoted command in a Tcl trace: Tcl cuts a
 * command it shows at 150 bytes. */
#define TCL_QUOTE_MAX 150

/* C_JOIN: the held lines belong to the event, the line at hand does not */
enum cont { C_NO, C_YES, C_PEND, C_JOIN };

/* How far a Node.js source-context prelude has got, while no event is
 * open: "/app/server.js:42", the source line, a caret line, a blank
 * line, then the error itself; or, for a thrown value that is no Error,
 * the value right under the carets (P_VALUE), then Node's "(Use `node
 * --trace-uncaught ...`" note.  P_OBJ: console.log's "text {" of an
 * object, its "  key: value," lines, until a key whose value is an error
 * with its stack. */
enum prelude {
	P_NONE,
	P_LOC,
	P_CODE,
	P_CARET,
	P_BLANK,
	P_HEAD,
	P_VALUE,
	P_OBJ,
	P_TRACE,
	P_RULER,   /* a sanitizer's rule of '=' above its report, gfortran's "At line" */
	P_GO_STACK /* Go's logger's line and a function name: pkg/errors' "%+v" */
};

enum state {
	S_NONE,
	S_JAVA_HEAD, /* exception line seen, no frame yet */
	S_JAVA_FRAMES,
	S_PY_FRAMES,   /* after "Traceback ...": frames until the exception line */
	S_PY_EXC,      /* after the exception line: only a chain marker continues */
	S_PY_CHAIN,    /* after a chain marker: the next traceback continues */
	S_PY_GROUP,    /* inside an exception group drawn with | and + */
	S_PY_CGITB,    /* cgitb's text report, until the original traceback */
	S_PY_DOCTEST,  /* doctest's report of a failed example, to its last line */
	S_PY_UNITTEST, /* unittest's report of errors and failures, to its verdict */
	S_RUST_MSG,    /* new-style header: the next line is the message */
	S_RUST_BODY,
	S_RUST_NOTE, /* the panic's closing note seen: no more of its lines */
	S_PHP_BODY,
	S_PHP_DONE,	    /* "thrown in" seen: the last line of a PHP trace */
	S_DOTNET_UNHANDLED, /* Mono's lone "Unhandled Exception:": the exception follows
			     */
	S_DOTNET_HEAD,	    /* exception line seen, no frame yet */
	S_DOTNET_FRAMES,
	S_RUBY_BODY,	/* "from" lines and causes */
	S_RUBY_BARE,	/* Logger#error(e): bare "file.rb:3:in `m'" lines */
	S_RUBY_RAKE,	/* "rake aborted!": the error, its backtrace, causes, tasks */
	S_GO_BARE,	/* zap's stack: "pkg.Func", "\t/file.go:3" pairs */
	S_LINE_PG,	/* after PostgreSQL's DETAIL/HINT/...: tab-indented lines go on */
	S_LINE_MONOLOG, /* Monolog's [stacktrace] block, until the '"}' that ends it */
	S_LINE_ASAN,	/* a sanitizer's report, until its "==PID==ABORTING" */
	S_LINE_UBSAN,	/* UBSan's "runtime error:" line: its frames go on */
	S_LINE_FORTRAN, /* gfortran's error: "Error termination. Backtrace:", frames */
	S_LINE_TCL,	/* Tcl's errorInfo: "    while executing", commands, places */
	S_LINE_SYMBOLS, /* glibc's backtrace_symbols() lines under an error line */
	/* Devel::StackTrace's "X called at F line N" lines */
	S_LINE_PERL_TRACE,
	S_LINE_GO_TEST,	 /* a Go test's "--- FAIL:" and its t.Error lines, to "FAIL" */
	S_LINE_TEST_RUN, /* a test runner's whole run (TAP, minitest), to its summary */
	S_LINE_DONE,	 /* nothing more belongs to the line */
	S_NODE_PRETTY,	 /* pino-pretty's indented error object, until its '}' */
	S_NODE_HEAD,	 /* "XError: msg" seen, no frame yet: a JVM's frame may follow */
};

struct qe_assembler {
	struct qe_rules *rules;
	size_t max_lines, max_bytes;
	qe_event_fn fn;
	void *data;

	struct qe_event *ev; /* the open event, or NULL */
	size_t rule;	     /* rule whose continuation governs ev */
	enum qe_rule_lang lang;
	enum state state;
	size_t pretty_indent; /* S_NODE_PRETTY: the indentation of its "err: {" */

	struct qe_buf pend; /* held-back lines, back to back */
	size_t pend_len[PEND_MAX_LINES];
	uint64_t pend_start[PEND_MAX_LINES], pend_end[PEND_MAX_LINES];
	uint64_t line_start; /* where the line being fed begins */
	size_t nr_pend, nr_pend_blank;
	unsigned pend_cut;		/* bit i: held line i was cut at the line cap */
	int cut;			/* the line being appended was cut */
	enum prelude prelude;		/* the held lines are a prelude, not a trace's */
	enum qe_rule_lang prelude_lang; /* P_HEAD: the kind of event it heads */
	int san_summary;		/* S_LINE_ASAN: its SUMMARY line seen */
	uint64_t prelude_start;

	/* The head line's writer prefix: later lines with the same tag are
	 * read without their prefix (syslog, CRI, `kubectl --timestamps`). */
	int strip;
	char tag[TAG_MAX];
	size_t tag_len;
	/* npmlog's "heading ERR! prefix " before each line of a message,
	 * after the tag: the same bytes on every line, read without them */
	char lead[TAG_MAX];
	size_t lead_len;
	/* Twisted's logger writes the lines of a message after its first
	 * with a tab before each: they are read without it */
	int tab_strip;
	unsigned
	    ruby_rescues; /* "rescue in", "ensure in" frames seen: causes may follow */
	int no_frame;	  /* Node.js, Ruby, Rust: no frame or note line yet */
	int hold_msg;	  /* held lines may be message lines: fed again if not */
	int no_hold;	  /* the line at hand is not to be held as one */
	int rust_join;	  /* main's panic held: is it the unwrap of this one's join? */

	/* Over the caps, the last lines are kept here (the type of many
	 * traces is at their end) and the middle is dropped. */
	char **tail;
	size_t tail_max, tail_first, nr_tail, tail_bytes, head_bytes;
	int in_tail;

	/* A start match found while deciding a continuation, reused so the
	 * line is not matched twice; next_off is how much of the line's
	 * prefix it was matched without, cur_off that of the line at hand. */
	int have_next;
	struct qe_rule_match next;
	size_t next_off, cur_off;

	/* The log prefix of the line at hand (or of its text after the
	 * shared prefix), parsed once for everyone who asks: line_prefix().
	 * pfx_known is 0 until a line is parsed; each line fed resets it. */
	int pfx_known;
	const char *pfx_line;
	size_t pfx_len;
	int pfx_have;
	struct qe_prefix pfx;

	/* The line at hand, matched whole against the start rules while
	 * deciding a continuation, started nothing: find_start() does not
	 * match it again, when no_start_known; no_start_pf says whether it
	 * got past the prefilter. */
	int no_start_known;
	const char *no_start_line;
	size_t no_start_len;
	int no_start_pf;

	/* qe_assembler_takes() is asking: rules are matched without
	 * counting a hit, since the line is matched again when fed. */
	int peek;
	/* The last line it found a start on, kept with the match, so that
	 * feeding it does not match it again: find_start() depends on the
	 * bytes of the line only.  probe_hits are the rules whose hits the
	 * matching would have counted. */
	int probe;
	struct qe_buf probe_line;
	struct qe_rule_match probe_m;
	size_t probe_off, probe_hits[2], probe_nr_hits;

	/* The last line fed while idle that started nothing: the line
	 * that only the lines under it make an event.  Go's standard
	 * logger's ("2006/01/02 15:04:05 text"): log.Panic writes its text
	 * so before it panics with the same (go_log_panic()), and
	 * pkg/errors' "%+v" puts the stack under it; Tcl's message above
	 * its "    while executing". */
	struct qe_buf last;
	uint64_t last_start, last_end;
	/* the kept line names an error whose stack the next line may begin:
	 * the catch-up scan does not pass over that line */
	int last_open;
	/* a blank line after it, up to gap_end: Devel::StackTrace puts one
	 * between the message and its "Trace begun at" */
	uint64_t last_gap_end;
	/* unittest's progress line ("..E.") just above the kept line, when
	 * that is the rule of '=' its report opens with */
	struct qe_buf prog;
	uint64_t prog_start;
	int tcl_quote; /* S_LINE_TCL: lines of a quoted command so far, 0 outside one */
	/* S_LINE_TEST_RUN: the run is one (1), a test in it failed (2);
	 * a run without a failure is no event */
	int test_run;
};

static void tail_reset(struct qe_assembler *a);

struct qe_assembler *qe_assembler_new(struct qe_rules *r, size_t max_lines,
				      size_t max_bytes, qe_event_fn fn, void *data)
{
	struct qe_assembler *a = qe_xcalloc(1, sizeof(*a));
	a->rules = r;
	a->max_lines = max_lines ? max_lines : DEFAULT_MAX_LINES;
	a->max_bytes = max_bytes ? max_bytes : DEFAULT_MAX_BYTES;
	/* a quarter of the line cap is kept from the end */
	a->tail_max = a->max_lines >= 4 ? a->max_lines / 4 : 0;
	if (a->tail_max)
		a->tail = qe_xcalloc(a->tail_max, sizeof(*a->tail));
	a->fn = fn;
	a->data = data;
	qe_buf_init(&a->pend);
	qe_buf_init(&a->probe_line);
	return a;
}

void qe_assembler_free(struct qe_assembler *a)
{
	if (!a)
		return;
	qe_event_free(a->ev);
	tail_reset(a);
	free(a->tail);
	qe_buf_release(&a->pend);
	qe_buf_release(&a->probe_line);
	qe_buf_release(&a->last);
	qe_buf_release(&a->prog);
	free(a);
}

int qe_assembler_pending(const struct qe_assembler *a, uint64_t *start_pos)
{
	if (!a->ev)
		return 0;
	if (start_pos)
		*start_pos = a->ev->start_pos;
	return 1;
}

int qe_assembler_idle(const struct qe_assembler *a)
{
	return !a->ev && !a->nr_pend && a->prelude == P_NONE;
}

int qe_assembler_wants_next(const struct qe_assembler *a)
{
	return !qe_assembler_idle(a) || a->last_open;
}

/* qe_trace_prefix() of the line at hand, remembered: the prelude test,
 * the start search and the tag of a new event all want it.  a may be
 * NULL (no memory then).  Only for the line being fed, whose bytes do
 * not change while it is: the memory is keyed by its address. */
static int line_prefix(struct qe_assembler *a, const char *line, size_t len,
		       struct qe_prefix *p)
{
	if (!a)
		return qe_trace_prefix(line, len, p);
	if (!a->pfx_known || line != a->pfx_line || len != a->pfx_len) {
		a->pfx_have = qe_trace_prefix(line, len, &a->pfx);
		a->pfx_known = 1;
		a->pfx_line = line;
		a->pfx_len = len;
	}
	*p = a->pfx;
	return a->pfx_have;
}

/* The length of s without the blanks and '\r' at its end. */
static size_t trim_end(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	return n;
}

static int is_blank(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Inline, so that the length of a literal p is a constant. */
static inline int has_prefix(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);
	return n >= l && !memcmp(s, p, l);
}

static void tail_reset(struct qe_assembler *a)
{
	size_t i;
	for (i = 0; i < a->nr_tail; i++)
		free(a->tail[(a->tail_first + i) % a->tail_max]);
	a->nr_tail = a->tail_first = a->tail_bytes = 0;
	a->in_tail = 0;
}

/* Keep a line in the tail ring, dropping the oldest ones (counted) while
 * the ring is over what the caps leave. */
static void tail_add(struct qe_assembler *a, const char *line, size_t len)
{
	struct qe_event *ev = a->ev;
	size_t room_lines = a->max_lines - ev->nr_lines;
	size_t room_bytes = a->max_bytes - a->head_bytes;

	if (room_lines > a->tail_max)
		room_lines = a->tail_max;
	if (!room_lines || len > room_bytes) {
		ev->truncated = 1;
		ev->dropped_lines++;
		return;
	}
	while (a->nr_tail &&
	       (a->nr_tail + 1 > room_lines || a->tail_bytes + len > room_bytes)) {
		char *old = a->tail[a->tail_first];
		a->tail_bytes -= strlen(old);
		free(old);
		a->tail_first = (a->tail_first + 1) % a->tail_max;
		a->nr_tail--;
		ev->truncated = 1;
		ev->dropped_lines++;
	}
	a->tail[(a->tail_first + a->nr_tail) % a->tail_max] = qe_xstrndup(line, len);
	a->nr_tail++;
	a->tail_bytes += len;
}

/* Move the tail ring to the end of the event. */
static void tail_flush(struct qe_assembler *a)
{
	size_t i;
	for (i = 0; i < a->nr_tail; i++) {
		char *l = a->tail[(a->tail_first + i) % a->tail_max];
		qe_event_add_line(a->ev, l, strlen(l));
		free(l);
	}
	a->nr_tail = a->tail_first = a->tail_bytes = 0;
	a->in_tail = 0;
}

/* Ractor#take raises Ractor::RemoteError with the ractor's own exception
 * as its cause, which Ruby prints after it. */
static int ruby_remote_error(const char *s, size_t n)
{
	n = trim_end(s, n);
	return n > 21 && s[n - 1] == ')' &&
	       !memcmp(s + n - 21, "(Ractor::RemoteError)", 21);
}

/* Add a line to the open event.  Past the caps (less a quarter kept for
 * the end) lines go to the tail ring; what falls out of it is counted. */
static void append(struct qe_assembler *a, const char *line, size_t len, uint64_t end_pos)
{
	struct qe_event *ev = a->ev;
	size_t head_lines = a->max_lines - a->tail_max;
	size_t head_bytes = a->max_bytes - a->max_bytes / 4;

	if (!a->tail_max) {
		/* caps too small to split: keep the head only */
		if (!ev->truncated && ev->nr_lines &&
		    (ev->nr_lines + 1 > a->max_lines || ev->bytes + len > a->max_bytes))
			ev->truncated = 1;
		if (ev->truncated)
			ev->dropped_lines++;
		else
			qe_event_add_line(ev, line,
					  len > a->max_bytes ? a->max_bytes : len);
		if (len > a->max_bytes && ev->nr_lines == 1)
			ev->truncated = 1;
		ev->end_pos = end_pos;
		return;
	}
	if (!a->in_tail && ev->nr_lines &&
	    (ev->nr_lines + 1 > head_lines || ev->bytes + len > head_bytes)) {
		a->in_tail = 1;
		a->head_bytes = ev->bytes;
	}
	if (a->in_tail) {
		tail_add(a, line, len);
	} else if (len > a->max_bytes) {
		/* only a first line can get here: keep its head */
		qe_event_add_line(ev, line, a->max_bytes);
		ev->truncated = 1;
		a->in_tail = 1;
		a->head_bytes = ev->bytes;
	} else {
		qe_event_add_line(ev, line, len);
		if (a->cut)
			ev->truncated = 1; /* the line was kept without its end */
	}
	ev->end_pos = end_pos;
	/* raised in a rescue or an ensure clause while another exception
	 * was on its way: that one is the cause, printed after */
	if (a->lang == QE_LANG_RUBY &&
	    (memmem(line, len, "`rescue in ", 11) ||
	     memmem(line, len, "'rescue in ", 11) ||
	     memmem(line, len, "`ensure in ", 11) ||
	     memmem(line, len, "'ensure in ", 11) || ruby_remote_error(line, len)))
		a->ruby_rescues++;
}

static void pend_reset(struct qe_assembler *a)
{
	qe_buf_reset(&a->pend);
	a->nr_pend = a->nr_pend_blank = 0;
	a->pend_cut = 0;
	a->prelude = P_NONE;
	a->hold_msg = 0;
}

static int pend_add(struct qe_assembler *a, const char *line, size_t len,
		    uint64_t end_pos, int blank)
{
	if (a->nr_pend == PEND_MAX_LINES || a->pend.len + len > PEND_MAX_BYTES)
		return -1;
	if (blank && a->nr_pend_blank == PEND_MAX_BLANK)
		return -1;
	qe_buf_add(&a->pend, line, len);
	a->pend_len[a->nr_pend] = len;
	a->pend_start[a->nr_pend] = a->line_start;
	a->pend_end[a->nr_pend] = end_pos;
	if (a->cut)
		a->pend_cut |= 1u << a->nr_pend;
	a->nr_pend++;
	a->nr_pend_blank += blank;
	return 0;
}

static void pend_flush(struct qe_assembler *a)
{
	size_t i, off = 0;
	int cut = a->cut;
	for (i = 0; i < a->nr_pend; i++) {
		a->cut = (a->pend_cut >> i) & 1;
		append(a, a->pend.buf + off, a->pend_len[i], a->pend_end[i]);
		off += a->pend_len[i];
	}
	a->cut = cut;
	pend_reset(a);
}

/* Blank lines held last are not the event's. */
static void pend_trim_blank(struct qe_assembler *a)
{
	size_t i, off = 0;
	for (i = 0; i + 1 < a->nr_pend; i++)
		off += a->pend_len[i];
	while (a->nr_pend && is_blank(a->pend.buf + off, a->pend_len[a->nr_pend - 1])) {
		a->nr_pend--;
		a->nr_pend_blank--;
		if (a->nr_pend)
			off -= a->pend_len[a->nr_pend - 1];
	}
}

static void close_event(struct qe_assembler *a)
{
	struct qe_event *ev = a->ev;

	pend_reset(a);
	if (!ev)
		return;
	tail_flush(a);
	a->ev = NULL;
	if (a->test_run == 1) {
		/* a test run that went well */
		a->test_run = 0;
		a->strip = a->tab_strip = 0;
		a->lead_len = 0;
		qe_event_free(ev);
		return;
	}
	a->test_run = 0;
	a->strip = a->tab_strip = 0;
	a->lead_len = 0;
	a->ruby_rescues = 0;
	qe_trace_parse(ev);
	/* A lone "SomeError: message" line without frames is a plain error
	 * line that happens to name a type, not a Node.js trace. */
	if (a->lang == QE_LANG_NODE && ev->nr_lines == 1 && !ev->truncated) {
		free(ev->kind);
		ev->kind = qe_xstrdup("line");
	}
	a->fn(ev, a->data);
}

void qe_assembler_hold_messages(struct qe_assembler *a, int on)
{
	a->no_hold = !on;
}

static void close_or_replay(struct qe_assembler *a);

void qe_assembler_flush(struct qe_assembler *a)
{
	/* lines fed again may open an event of their own, fewer each time */
	while (a->ev)
		close_or_replay(a);
	pend_reset(a);
}

/* "  + Exception Group Traceback (most recent call last):", the first
 * line of an exception group (Python 3.11+). */
static int py_group_header(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return has_prefix(s + i, n - i,
			  "+ Exception Group Traceback (most recent call last):");
}

/* A line drawn inside an exception group: indentation, then | or +. */
static int py_group_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	return i && i < n && (s[i] == '|' || s[i] == '+');
}

/* Set up the state for a trace language whose start line is `line`. */
static void enter(struct qe_assembler *a, enum qe_rule_lang lang, size_t rule,
		  const char *line, size_t len)
{
	a->lang = lang;
	a->rule = rule;
	a->no_frame =
	    lang == QE_LANG_NODE || lang == QE_LANG_RUBY || lang == QE_LANG_RUST;
	a->rust_join = 0;
	switch (lang) {
	case QE_LANG_JAVA:
		a->state = S_JAVA_HEAD;
		break;
	case QE_LANG_PYTHON:
		a->state = py_group_header(line, len) ? S_PY_GROUP : S_PY_FRAMES;
		break;
	case QE_LANG_PHP:
		a->state = S_PHP_BODY;
		break;
	case QE_LANG_RUST:
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
			len--;
		a->state = len && line[len - 1] == ':' ? S_RUST_MSG : S_RUST_BODY;
		break;
	case QE_LANG_DOTNET:
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
			len--;
		a->state = has_prefix(line, len, "Unhandled ") && line[len - 1] == ':'
			       ? S_DOTNET_UNHANDLED
			       : S_DOTNET_HEAD;
		break;
	case QE_LANG_RUBY:
		a->state = S_RUBY_BODY;
		break;
	case QE_LANG_NODE:
		a->state = S_NODE_HEAD;
		break;
	default:
		a->state = S_NONE;
		break;
	}
}

static int is_trace_lang(enum qe_rule_lang l)
{
	return l != QE_LANG_USER && l != QE_LANG_LINE;
}

/* Whether line is a Rust panic header of the thread, named with its id
 * ("thread 'main' (22768) panicked at"), whose header head is. */
static int rust_same_thread(const char *head, const char *line, size_t len)
{
	const char *p = has_prefix(line, len, "thread '")
			    ? memmem(line, len, " panicked at ", 13)
			    : NULL;
	size_t k = p ? (size_t)(p - line) : 0;

	return k > 12 && line[k - 1] == ')' && memmem(line, k, "' (", 3) &&
	       strlen(head) > k && !memcmp(head, line, k) &&
	       !memcmp(head + k, " panicked at ", 13);
}

/* Traces that may follow the error line announcing them.  Not a Rust
 * panic: the panic hook writes it on its own, apart from any logger, so
 * an error line just before it is the program's last log line, another
 * event. */
static int logged_trace_lang(enum qe_rule_lang l)
{
	return is_trace_lang(l) && l != QE_LANG_RUST;
}

/* A line written at a Go logger's panic level: logrus' "level=panic",
 * zap's console "\tpanic\t" / "\tPANIC\t" (and DPanic's).  Such a logger
 * writes its record and then panics with it (logrus with the entry, zap
 * with the message): the record is complete, and the panic after it is
 * an event of its own, not the trace the line announced. */
static int go_panic_level_line(const char *s)
{
	static const char *const marks[] = {"level=panic ", "\tpanic\t", "\tPANIC\t",
					    "\tdpanic\t", "\tDPANIC\t"};
	size_t k;
	for (k = 0; k < QE_ARRAY_SIZE(marks); k++)
		if (strstr(s, marks[k]))
			return 1;
	return 0;
}

/* A Python exception line: a (dotted) name, then ':' or the end. */
static int py_exception_line(const char *s, size_t n)
{
	size_t i = 0;
	if (!n || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
		    s[0] == '_'))
		return 0;
	while (i < n && (s[i] == '_' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
			 (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
		i++;
	return i == n || s[i] == ':' || s[i] == '\r';
}

/* "fatal: msg" or "error: msg" at the line's start, no prefix before. */
static int py_exit_line(const char *s, size_t n)
{
	return n > 7 && (has_prefix(s, n, "fatal: ") || has_prefix(s, n, "error: ")) &&
	       s[7] != ' ';
}

/* "multiprocessing.pool.RemoteTraceback: " (concurrent.futures has
 * "..._RemoteTraceback: "): the worker's traceback follows as a string
 * between lines of three quotes, then the chain to the parent's. */
/* gevent's hub after the traceback of a greenlet that died:
 * "[time ]<Greenlet at 0x...: f(x)> failed with NAME", NAME the class of
 * the exception line, the event's last. */
static int py_failed_with(const struct qe_event *ev, const char *s, size_t n)
{
	const char *exc = ev->lines[ev->nr_lines - 1], *m, *name;
	size_t k = 0, from;

	n = trim_end(s, n);
	m = n > 16 ? memmem(s, n, "> failed with ", 14) : NULL;
	if (!m)
		return 0;
	name = m + 14;
	while (exc[k] && exc[k] != ':' && exc[k] != ' ')
		k++;
	for (from = k; from && exc[from - 1] != '.'; from--)
		;
	return k > from && (size_t)(s + n - name) == k - from &&
	       !memcmp(name, exc + from, k - from);
}

static int py_remote_head(const char *s, size_t n)
{
	n = trim_end(s, n);
	return n >= 16 && !memcmp(s + n - 16, "RemoteTraceback:", 16);
}

static int py_triple_quote(const char *s, size_t n)
{
	n = trim_end(s, n);
	return n == 3 && !memcmp(s, "\"\"\"", 3);
}

/* rich's traceback box: the top edge, "╭── Traceback (most recent call
 * last) ──╮", and the lines in it and its bottom, "│ ... │", "╰──╯"
 * (RichHandler indents them all). */
#define BOX_TOP "\xe2\x95\xad"
#define BOX_SIDE "\xe2\x94\x82"
#define BOX_BOTTOM "\xe2\x95\xb0"
static int py_rich_top(const char *s, size_t n)
{
	static const char title[] = " Traceback (most recent call last) ";
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	return has_prefix(s + i, n - i, BOX_TOP) &&
	       memmem(s + i, n - i, title, sizeof(title) - 1) != NULL;
}

static int py_rich_inside(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	return has_prefix(s + i, n - i, BOX_SIDE) || has_prefix(s + i, n - i, BOX_BOTTOM);
}

/* What follows the interpreter's "Fatal Python error: ..." line (and
 * faulthandler's): "Python runtime state: ...", each thread's stack as
 * "Current thread 0x00007f... (most recent call first):" or "Thread
 * 0x... (most recent call first):" above its indented frames, then
 * "Extension modules: ...". */
static int py_fatal_line(const char *s, size_t n)
{
	static const char first[] = "(most recent call first):";
	size_t l = sizeof(first) - 1;

	n = trim_end(s, n);
	if (has_prefix(s, n, "Current thread 0x") || has_prefix(s, n, "Thread 0x"))
		return n > l && !memcmp(s + n - l, first, l);
	return has_prefix(s, n, "Python runtime state: ") ||
	       has_prefix(s, n, "Extension modules: ");
}

static int py_chain_marker(const char *s, size_t n)
{
	return has_prefix(s, n,
			  "During handling of the above exception, another exception "
			  "occurred:") ||
	       has_prefix(s, n,
			  "The above exception was the direct cause of the following "
			  "exception:");
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "Python 3.11.2: /usr/bin/python3": the second line of cgitb's text
 * report, under the exception's class. */
static int cgitb_version_line(const char *s, size_t n)
{
	size_t i = 7, dots = 0;

	if (n < 12 || !has_prefix(s, n, "Python ") || !is_digit(s[7]))
		return 0;
	while (i < n && (is_digit(s[i]) || s[i] == '.'))
		dots += s[i++] == '.';
	return dots == 2 && i + 2 < n && s[i] == ':' && s[i + 1] == ' ' &&
	       s[i + 2] == '/';
}

/* The length of a rule of c (the line c alone, repeated), or 0. */
static size_t rule_len(const char *s, size_t n, char c)
{
	size_t i;

	n = trim_end(s, n);
	for (i = 0; i < n; i++)
		if (s[i] != c)
			return 0;
	return n;
}

/* The rule of '=' the sanitizers print above a report: 65 of them. */
static int asan_ruler(const char *s, size_t n)
{
	return rule_len(s, n, '=') == 65;
}

/* The rule of '-' Python's socketserver draws above and below its report
 * of an exception a request handler raised (40 of them). */
static int dash_ruler(const char *s, size_t n)
{
	return rule_len(s, n, '-') >= 20;
}

/* "==1234==", which a sanitizer puts before its own lines: its length,
 * or 0. */
static size_t asan_pid_mark(const char *s, size_t n)
{
	size_t i = 2;

	if (n < 5 || s[0] != '=' || s[1] != '=')
		return 0;
	while (i < n && is_digit(s[i]))
		i++;
	return i > 2 && i + 1 < n && s[i] == '=' && s[i + 1] == '=' ? i + 2 : 0;
}

/* A report's first line: "==1234==ERROR: AddressSanitizer: ...". */
static int asan_report_head(const char *s, size_t n)
{
	size_t k = asan_pid_mark(s, n);

	return k && has_prefix(s + k, n - k, "ERROR: ") &&
	       memmem(s + k, n - k, "Sanitizer: ", 11) != NULL;
}

/* UBSan's report: "file.c:36:11: runtime error: ...". */
static int ubsan_report_head(const char *s, size_t n)
{
	const char *p = memmem(s, n, ": runtime error: ", 17);

	const char *w;

	if (!p || p == s || !is_digit(p[-1]))
		return 0;
	for (w = p; w > s && w[-1] != ' ';)
		w--;
	return memchr(w, ':', (size_t)(p - w)) != NULL;
}

/* gfortran's line above its runtime error: "At line 21 of file x.f90",
 * and for I/O " (unit = 5, file = 'stdin')" after it. */
static int fortran_at_line(const char *s, size_t n)
{
	size_t i = 8;

	if (!has_prefix(s, n, "At line ") || n < 18)
		return 0;
	while (i < n && is_digit(s[i]))
		i++;
	return i > 8 && has_prefix(s + i, n - i, " of file ") && i + 9 < n &&
	       s[i + 9] != ' ';
}

/* The rule under socketserver's report: the one its first line drew. */
static int closing_ruler(const struct qe_event *ev, const char *line, size_t len)
{
	const char *head = ev->lines[0];
	size_t hl = trim_end(head, strlen(head));

	len = trim_end(line, len);
	return hl == len && dash_ruler(head, hl) && !memcmp(head, line, len);
}

/* A line held above the report it rules off: a sanitizer's or
 * socketserver's rule, gfortran's "At line N of file F". */
static int ruler_line(const char *s, size_t n)
{
	if (!n)
		return 0;
	if (s[0] == '=')
		return asan_ruler(s, n);
	if (s[0] == '-')
		return dash_ruler(s, n);
	return fortran_at_line(s, n);
}

/* The lines gfortran writes after the error: "Error termination.
 * Backtrace:", "#3  0x557c156254b0 in slot", "\tat /app/x.f90:28". */
static int fortran_trace_line(const char *s, size_t n)
{
	return has_prefix(s, n, "Error termination.") ||
	       (n > 1 && s[0] == '#' && is_digit(s[1])) || has_prefix(s, n, "\tat ");
}

/* A frame of a sanitizer's stack: "    #3 0x7f5754e45249 in main ...". */
static int asan_frame(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	return i && i + 1 < n && s[i] == '#' && is_digit(s[i + 1]);
}

/* PostgreSQL's lines after an ERROR: "DETAIL:  ...", "STATEMENT:  ...". */
static int pg_continuation(const char *s, size_t n)
{
	static const char *const words[] = {
	    "DETAIL:  ", "HINT:  ",	"STATEMENT:  ",	    "CONTEXT:  ",
	    "QUERY:  ",	 "LOCATION:  ", "INTERNAL QUERY:  "};
	size_t k;
	if (!n || s[0] < 'C' || s[0] > 'S')
		return 0;
	for (k = 0; k < QE_ARRAY_SIZE(words); k++)
		if (has_prefix(s, n, words[k]))
			return 1;
	return 0;
}

/* "goroutine 1 [running]:", the head of a Go stack dump (debug.Stack). */
/* A line that ends with "panicked at src/main.rs:12:6:", as a panic
 * hook logs the panic's info: since Rust 1.73 the message is on the next
 * line. */
static int rust_panic_info_end(const char *s, size_t n)
{
	size_t i, digits;
	const char *p;
	n = trim_end(s, n);
	if (n < 20 || s[n - 1] != ':')
		return 0;
	i = n - 1;
	/* ":line:column" before the final colon */
	for (digits = 0; digits < 2; digits++) {
		size_t e = i;
		while (i && is_digit(s[i - 1]))
			i--;
		if (i == e || !i || s[i - 1] != ':')
			return 0;
		i--;
	}
	if (i < 3 || memcmp(s + i - 3, ".rs", 3))
		return 0;
	p = memmem(s, i, "panicked at ", 12);
	return p && !memchr(p + 12, ' ', (size_t)(s + i - (p + 12)));
}

static int go_goroutine_line(const char *s, size_t n)
{
	size_t i = 10;
	if (!has_prefix(s, n, "goroutine ") || i >= n || !is_digit(s[i]))
		return 0;
	while (i < n && is_digit(s[i]))
		i++;
	return i + 1 < n && s[i] == ' ' && s[i + 1] == '[';
}

/* A Go function as a stack names it, without its arguments (zap's
 * stacks): "main.main", "github.com/a/b.(*T).M.func1". */
static int go_func_name(const char *s, size_t n)
{
	size_t i, dots = 0;
	if (n < 3 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.')
			dots++;
		else if (!(c == '_' || c == '/' || c == '-' || c == '(' || c == ')' ||
			   c == '*' || c == '[' || c == ']' || c == '$' || is_digit(c) ||
			   (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return dots && s[n - 1] != '.';
}

/* "\t/src/app/main.go:62" (maybe " +0x1d" after it): where a Go frame's
 * function is (or "asm_amd64.s:1594", for one in assembly). */
static int go_location_line(const char *s, size_t n)
{
	const char *g;
	if (n < 7 || s[0] != '\t' || s[1] == ' ' || s[1] == '\t')
		return 0;
	g = memmem(s, n, ".go:", 4);
	if (g)
		return (size_t)(g - s) + 4 < n && is_digit(g[4]);
	/* runtime.goexit's, in the runtime's assembly: "asm_amd64.s:1594" */
	g = memmem(s, n, ".s:", 3);
	return g && (size_t)(g - s) + 3 < n && is_digit(g[3]);
}

/* Tcl's errorInfo under the message: "    while executing" (or
 * "while compiling"), each level then "    invoked from within". */
static int tcl_trace_head(const char *s, size_t n)
{
	size_t i = 0;

	n = trim_end(s, n);
	/* the last byte rules out most lines */
	if (n < 16 || s[n - 1] != 'g' || (s[0] != ' ' && s[0] != '\t'))
		return 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return n - i == 15 && (!memcmp(s + i, "while executing", 15) ||
			       !memcmp(s + i, "while compiling", 15));
}

/* A line of Tcl's errorInfo after its head: another level's head
 * ("    invoked from within"), or where the command was ("    (procedure
 * \"f\" line 3)", "    (file \"app.tcl\" line 25)"); a quoted command
 * is told by its quote. */
static int tcl_trace_line(const char *s, size_t n)
{
	n = trim_end(s, n);
	if (tcl_trace_head(s, n))
		return 1;
	if (n < 6 || memcmp(s, "    ", 4))
		return 0;
	return (n == 23 && !memcmp(s + 4, "invoked from within", 19)) ||
	       (s[4] == '(' && s[n - 1] == ')');
}

/* A frame as glibc's backtrace_symbols() and backtrace_symbols_fd() write
 * it: "./app(main+0x9d)[0x55658597c3d1]", "/lib/libc.so.6(+0x3c050)
 * [0x7f54cf019050]", the file without blanks. */
static int symbols_frame(const char *s, size_t n)
{
	size_t i = n, paren;

	while (i && (s[i - 1] == ' ' || s[i - 1] == '\r'))
		i--;
	if (i < 8 || s[i - 1] != ']')
		return 0;
	i--;
	while (i && (is_digit(s[i - 1]) || (s[i - 1] >= 'a' && s[i - 1] <= 'f')))
		i--;
	if (i < 4 || s[i - 1] != 'x' || s[i - 2] != '0' || s[i - 3] != '[')
		return 0;
	i -= 3;
	if (s[i - 1] == ' ')
		i--;
	if (!i || s[i - 1] != ')')
		return 0;
	paren = i - 1;
	while (paren && s[paren] != '(')
		paren--;
	return paren && s[paren] == '(' && !memchr(s, ' ', paren) &&
	       !memchr(s + paren, ' ', i - paren);
}

/* "main::f('x') called at app.pl line 28": a call of Devel::StackTrace's
 * as_string (Exception::Class's trace), flush left. */
static int perl_called_at(const char *s, size_t n)
{
	size_t i = n;

	while (i && (s[i - 1] == ' ' || s[i - 1] == '\r'))
		i--;
	n = i;
	while (i && is_digit(s[i - 1]))
		i--;
	return n > 20 && i < n && i > 16 && s[0] != ' ' && s[0] != '\t' &&
	       !memcmp(s + i - 6, " line ", 6) && memmem(s, i, " called at ", 11) != NULL;
}

/* "Trace begun at app.pl line 21": Devel::StackTrace's first line. */
static int perl_trace_begun(const char *s, size_t n)
{
	return n > 25 && has_prefix(s, n, "Trace begun at ");
}

/* "\tmain::settle('1x') called at app.pl line 48": a call of Carp's
 * confess (or cluck) under its message. */
static int perl_call_line(const char *s, size_t n)
{
	size_t i = n;

	if (n < 20 || s[0] != '\t' || s[1] == ' ' || s[1] == '\t')
		return 0;
	while (i && is_digit(s[i - 1]))
		i--;
	return i < n && i > 16 && !memcmp(s + i - 6, " line ", 6) &&
	       memmem(s, i, " called at ", 11) != NULL;
}

/* "\t...propagated at app.pl line 24.": die without arguments while $@
 * holds the error appends this to it, once for each such die. */
static int perl_propagated(const char *s, size_t n)
{
	size_t i = n;

	while (i && (s[i - 1] == ' ' || s[i - 1] == '\r'))
		i--;
	if (i && s[i - 1] == '.')
		i--;
	n = i;
	while (i && is_digit(s[i - 1]))
		i--;
	return n > 30 && i < n && has_prefix(s, n, "\t...propagated at ") &&
	       !memcmp(s + i - 6, " line ", 6);
}

/* "/app/x.rb:12:in `m'" (or 'm'), a backtrace line without "from". */
static int ruby_bare_frame(const char *s, size_t n)
{
	size_t i;
	/* it ends with the method's closing quote: no message after it */
	n = trim_end(s, n);
	/* Logger's are flush left, the logging gem's indented by a tab */
	while (n && (s[0] == '\t' || s[0] == ' ')) {
		s++;
		n--;
	}
	if (n < 8 || s[n - 1] != '\'')
		return 0;
	for (i = 0; i + 4 < n && s[i] != ' ' && s[i] != '\t'; i++) {
		if (s[i] == '.' && s[i + 1] == 'r' && s[i + 2] == 'b' &&
		    s[i + 3] == ':') {
			size_t k = i + 4;
			if (k >= n || !is_digit(s[k]))
				return 0;
			while (k < n && is_digit(s[k]))
				k++;
			return n > k + 6 &&
			       (has_prefix(s + k, n - k, ":in `") ||
				has_prefix(s + k, n - k, ":in '")) &&
			       !memchr(s + k + 5, '\'', n - k - 6);
		}
	}
	return 0;
}

/* A backtrace line as rake prints it, "file:N:in `meth'", of any file
 * (a ".rake" one, the Rakefile, a ".rb" one). */
static int rake_frame(const char *s, size_t n)
{
	const char *in;
	size_t k, d;

	n = trim_end(s, n);
	if (n < 10 || s[n - 1] != '\'' || !(in = memmem(s, n, ":in ", 4)))
		return 0;
	k = (size_t)(in - s);
	for (d = k; d && is_digit(s[d - 1]); d--)
		;
	return d < k && d > 1 && s[d - 1] == ':' && !memchr(s, ' ', d) && k + 6 < n &&
	       (s[k + 4] == '`' || s[k + 4] == '\'');
}

/* rake's report after "rake aborted!" and the error: the backtrace, a
 * blank line and "Caused by:" before each cause, its error and
 * backtrace; then "Tasks: TOP => ..." and, without --trace, the hint
 * to run with it, its last line. */
static enum cont rake_continues(struct qe_assembler *a, const char *line, size_t len,
				int blank)
{
	const char *last = a->ev->lines[a->ev->nr_lines - 1];

	if (has_prefix(last, strlen(last),
		       "(See full trace by running task with --trace)"))
		return C_NO;
	if (blank)
		return a->nr_pend_blank ? C_NO : C_PEND;
	if (rake_frame(line, len) || has_prefix(line, len, "Tasks: ") ||
	    has_prefix(line, len, "(See full trace by running task with --trace)") ||
	    (has_prefix(last, strlen(last), "Caused by:") && !a->nr_pend) ||
	    (len >= 10 && has_prefix(line, len, "Caused by:") &&
	     is_blank(line + 10, len - 10)))
		return C_YES;
	return C_NO;
}

/* "    at fn (/app/x.js:5:13)" or "    at /app/x.js:5:13": a Node.js
 * frame, which ends in line and column (a Java frame does not). */
static int node_frame_line(const char *s, size_t n)
{
	size_t i = 0, d;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (!i || !has_prefix(s + i, n - i, "at "))
		return 0;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '{'))
		n--;
	if (n && s[n - 1] == ')')
		n--;
	for (d = 0; d < 2; d++) {
		size_t e = n;
		while (n > i && is_digit(s[n - 1]))
			n--;
		if (n == e || n <= i || s[n - 1] != ':')
			return 0;
		n--;
	}
	return 1;
}

/* "   at Ns.Class.Method (System.String id) [0x0001e] in <mvid>:0" or
 * "   at Ns.Class.Method(String id) in /src/X.cs:line 5": a .NET frame,
 * with the space-separated parameter list or its " in " location, which
 * a Java frame ("\tat a.B.c(B.java:3)") never has. */
static int dotnet_frame_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	if (!i || !has_prefix(s + i, n - i, "at "))
		return 0;
	return memmem(s + i, n - i, ") [0x", 5) || memmem(s + i, n - i, ":line ", 6) ||
	       memmem(s + i, n - i, " (", 2);
}

/* "\tat Main.run(Main.java:12)": a frame of a JVM language, by where it
 * says the code is. */
static int jvm_frame_line(const char *s, size_t n)
{
	static const char *const where[] = {
	    ".java:",		".kt:",		  ".scala:", ".groovy:",
	    "(Unknown Source)", "(Native Method)"};
	size_t i = 0, k;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (!i || !has_prefix(s + i, n - i, "at ") || node_frame_line(s, n))
		return 0;
	for (k = 0; k < QE_ARRAY_SIZE(where); k++)
		if (memmem(s + i, n - i, where[k], strlen(where[k])))
			return 1;
	return 0;
}

/* "        ^" (or "^^^^"), under a source line. */
static int caret_line(const char *s, size_t n)
{
	size_t i = 0, carets = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (i < n && s[i] == '^')
		i++, carets++;
	return carets && is_blank(s + i, n - i);
}

/* The length of a name that starts with a capital and goes on with
 * letters, digits, '_' and the byte extra; 0 when s starts otherwise. */
static size_t capital_name(const char *s, size_t n, char extra)
{
	size_t i = 0;
	if (!n || s[0] < 'A' || s[0] > 'Z')
		return 0;
	while (i < n && (s[i] == '_' || s[i] == extra || is_digit(s[i]) ||
			 (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
		i++;
	return i;
}

/* The logging gem's "<Class> message": where " <Name>" or " <A::Name>"
 * followed by a space is in s (the offset of the '<'), or 0. */
static size_t ruby_class_mark(const char *s, size_t n)
{
	size_t i, k;
	for (i = 0; i + 3 < n; i++) {
		if (s[i] != ' ' || s[i + 1] != '<')
			continue;
		k = i + 2 + capital_name(s + i + 2, n - i - 2, ':');
		if (k > i + 2 && k + 1 < n && s[k] == '>' && s[k + 1] == ' ')
			return i + 1;
	}
	return 0;
}

/* "... RefundError (message):", as Rails logs a rescued exception before
 * its backtrace: a class name, then the message in parentheses. */
static int ruby_rescued(const char *s, size_t n)
{
	size_t i, k;
	if (n < 6 || s[n - 1] != ':' || s[n - 2] != ')')
		return 0;
	for (i = 0; i + 1 < n; i++) {
		if (s[i] != ' ' || s[i + 1] != '(')
			continue;
		for (k = i; k > 0 && s[k - 1] != ' ' && s[k - 1] != ']'; k--)
			;
		return k < i && capital_name(s + k, i - k, ':') == i - k;
	}
	return 0;
}

/* "LedgerException: msg": a .NET exception of no namespace, which no
 * rule takes on its own. */
static int dotnet_bare_exception(const char *s, size_t n)
{
	size_t i = capital_name(s, n, '`');
	return i > 9 && i < n && s[i] == ':' && !memcmp(s + i - 9, "Exception", 9);
}

/* What PCRE calls \s: the bytes of "^\s+" in a continuation pattern. */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/*
 * Two forms of a trace's next line that its built-in continuation takes
 * (rules_builtin.c), known without running the pattern on the many lines
 * that have them: "^\s+at \S" (Java and .NET frames) and "^\s+\S" (Go,
 * Node.js, Rust).  test_assemble checks them against the patterns.
 */
static int at_frame(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_space(s[i]))
		i++;
	return i && n - i > 3 && !memcmp(s + i, "at ", 3) && !is_space(s[i + 3]);
}

static int indented_text(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_space(s[i]))
		i++;
	return i && i < n;
}

/* A byte of the name of a Go frame's function: a word byte, or one of
 * $ . * / ( ) [ ] { } - */
static int go_name_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       c == '_' || c == '$' || c == '.' || c == '*' || c == '/' || c == '(' ||
	       c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '-';
}

/*
 * A third form, for Go: "pkg.(*T).M(0xc0001, {0x2, 0x3})", the function
 * line of a frame.  The Go rules' continuation takes it with a pattern
 * that backtracks over the arguments: name bytes, a '(', anything, a ')'
 * and spaces at the end.  Name bytes up to a '(', the last byte but
 * spaces a ')', and between them no byte that '.' may not take (a
 * newline in any convention): then the pattern matches.  Any other line
 * is left to it.
 */
/* Whether s[0, n) has a byte that ends a line in some convention:
 * '\n', '\v', '\f', '\r', NEL or NUL.  Eight bytes a test (a byte below
 * 0x0e or one of 0x85 is there), each byte only where one may be. */
static int has_line_end(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t k = 0;

	for (; k + 8 <= n; k += 8) {
		uint64_t x, nel;
		memcpy(&x, s + k, 8);
		nel = x ^ (ones * 0x85);
		if ((((x - ones * 0x0e) & ~x) | ((nel - ones) & ~nel)) & highs)
			break;
	}
	for (; k < n; k++) {
		unsigned char c = (unsigned char)s[k];
		if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x85 || !c)
			return 1;
	}
	return 0;
}

static int go_call_line(const char *s, size_t n)
{
	size_t i = 0, e = n;

	while (i < n && s[i] != '(' && go_name_byte(s[i]))
		i++;
	if (!i || i == n || s[i] != '(')
		return 0;
	while (e > i && is_space(s[e - 1]))
		e--;
	if (e < i + 2 || s[e - 1] != ')')
		return 0;
	return !has_line_end(s + i + 1, e - 1 - (i + 1));
}

/* Start match for a line seen while an event is open; cached for reuse. */
static int start_match(struct qe_assembler *a, const char *line, size_t len)
{
	a->have_next = qe_rules_match_start(a->rules, line, len, &a->next);
	a->next_off = a->cur_off;
	if (!a->have_next) {
		a->no_start_known = 1;
		a->no_start_line = line;
		a->no_start_len = len;
		a->no_start_pf = qe_rules_prefilter_passed(a->rules);
	}
	return a->have_next;
}

static inline int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t l = strlen(suffix);
	return n >= l && !memcmp(s + n - l, suffix, l);
}

/* Whether the text after a prefix may start a built-in trace, from its
 * first word: cheaper than trying every rule again on the many lines
 * that pass the prefilter and start nothing. */
static int trace_start_hint(const char *s, size_t n)
{
	static const struct {
		const char *w;
		size_t n;
	} words[] = {
#define W(s) {s, sizeof(s) - 1}
	    W("Exception"), W("Traceback"), W("panic:"),    W("fatal"),
	    W("thread '"),  W("PHP "),	    W("Fatal"),	    W("Parse"),
	    W("Catchable"), W("Unhandled"), W("Uncaught "), W("runtime: "),
#undef W
	};
	size_t i = 0, k, t;

	while (i < n && s[i] == ' ')
		i++;
	if (i < n && s[i] == '+')
		return 1; /* an exception group */
	/* signale's badge, after the scope the prefix took
	 * ("[shop] \u203a \u2716  error ...") */
	if (n - i >= 3 && !memcmp(s + i, "\xe2\x80\xba", 3))
		return 1;
	if (n - i >= 3 && !memcmp(s + i, "\xe2\x9c\x96", 3))
		return 1;
	/* the first byte rules out most words */
	for (k = 0; k < QE_ARRAY_SIZE(words); k++)
		if (i < n && s[i] == words[k].w[0] && n - i >= words[k].n &&
		    !memcmp(s + i, words[k].w, words[k].n))
			return 1;
	/* a Ruby location in the first word ("app.rb:3:in"), looked for
	 * on the way to its end: ".rb:" holds no blank */
	for (t = i; t < n && s[t] != ' ' && s[t] != '\t'; t++)
		if (s[t] == '.' && n - t >= 4 && !memcmp(s + t, ".rb:", 4))
			return 1;
	/* a .NET trace listener's "source Error: id : message" */
	if (t > i && t < n &&
	    (has_prefix(s + t, n - t, " Error: ") ||
	     has_prefix(s + t, n - t, " Critical: ")))
		return 1;
	if (t > i && s[t - 1] == ':')
		t--;
	/* (multiprocessing's and concurrent.futures' "...RemoteTraceback:",
	 * the worker's traceback under it) */
	return ends_with(s + i, t - i, "Exception") || ends_with(s + i, t - i, "Error") ||
	       ends_with(s + i, t - i, "Throwable") ||
	       ends_with(s + i, t - i, "RemoteTraceback");
}

/* The length of the date and time Go's standard logger puts before its
 * text ("2006/01/02 15:04:05", with LstdFlags; ".000000" after it with
 * Lmicroseconds) and the blank after them; 0 when s starts otherwise. */
static size_t go_log_stamp(const char *s, size_t n)
{
	size_t i = 19;
	if (n < 21 || !is_digit(s[0]) || s[4] != '/' || s[7] != '/' || s[10] != ' ' ||
	    s[13] != ':' || s[16] != ':' || !is_digit(s[3]) || !is_digit(s[9]) ||
	    !is_digit(s[18]))
		return 0;
	if (s[i] == '.')
		for (i++; i < n && is_digit(s[i]); i++)
			;
	return i < n && s[i] == ' ' ? i + 1 : 0;
}

/* log.Panic and its kin write the text, then panic with it: whether the
 * Go logger's line kept (the line just before) ends with the text of
 * "panic: text" (a file:line or a prefix may come between). */
static int go_log_panic(const struct qe_assembler *a, const char *line, size_t len,
			uint64_t start_pos)
{
	size_t k = a->last.len, t;
	if (!k || a->last_end != start_pos || len < 8 || memcmp(line, "panic: ", 7) ||
	    !go_log_stamp(a->last.buf, k))
		return 0;
	t = len - 7;
	while (t && (line[7 + t - 1] == ' ' || line[7 + t - 1] == '\r'))
		t--;
	return t && k > t && !memcmp(a->last.buf + k - t, line + 7, t) &&
	       a->last.buf[k - t - 1] == ' ';
}

static void start_event(struct qe_assembler *a, const struct qe_rule_match *m,
			const char *line, size_t len, size_t off, uint64_t start_pos,
			uint64_t end_pos);

/* The last byte of a line but blanks, or 0: the lines of the reports
 * below are told from most by it before their prefix is parsed. */
static char end_byte(const char *s, size_t n)
{
	n = trim_end(s, n);
	return n ? s[n - 1] : 0;
}

/* The text of a line after its log prefix, if it has one. */
static const char *after_prefix(const char *s, size_t *n)
{
	struct qe_prefix p;
	if (!qe_trace_prefix(s, *n, &p))
		return s;
	*n -= p.body;
	return s + p.body;
}

/* A match made for an event that no rule started, under the built-in
 * rule of language of (its name; the kind "line" for an error line). */
static int made_match(const struct qe_assembler *a, struct qe_rule_match *m,
		      enum qe_rule_lang of, enum qe_rule_lang lang)
{
	struct qe_rule_info info;

	if ((m->rule = qe_rules_lang_rule(a->rules, of)) == (size_t)-1)
		return 0;
	qe_rules_info(a->rules, m->rule, &info);
	m->name = info.name;
	m->kind = lang == QE_LANG_LINE ? "line" : info.kind;
	m->lang = lang;
	m->severity = QE_SEV_ERROR;
	m->type_len = m->msg_len = 0;
	return 1;
}

/* Start the event on the kept line, read after its prefix. */
static void start_on_last(struct qe_assembler *a, const struct qe_rule_match *m)
{
	struct qe_buf l = a->last;
	size_t n = l.len;
	const char *t = after_prefix(l.buf, &n);

	qe_buf_init(&a->last);
	start_event(a, m, l.buf, l.len, (size_t)(t - l.buf), a->last_start, a->last_end);
	qe_buf_release(&l);
}

/* unittest's rules around its report: 70 '=' above each error or
 * failure, 70 '-' under its title and above the summary (doctest's
 * rule is as wide, of '*'). */
static int unittest_rule_of(const char *s, size_t n, char c)
{
	if (end_byte(s, n) != c)
		return 0;
	s = after_prefix(s, &n);
	return rule_len(s, n, c) == 70;
}

static int unittest_ruler(const char *s, size_t n)
{
	return unittest_rule_of(s, n, '=');
}

/* The runner's progress: a letter a test ("..E.F", 's' skipped, 'x'
 * and 'u' for expected failures), or in verbose mode the last test's
 * "test_x (mod.Case.test_x) ... ERROR". */
static int unittest_progress(const char *s, size_t n)
{
	size_t i, bad = 0, k;
	char c = end_byte(s, n);
	if (!c || !strchr(".EFsxuRL", c))
		return 0;
	/* the run of progress letters at the end starts the line or
	 * follows the prefix's blank; the verbose form ends so */
	for (k = n; k && (s[k - 1] == ' ' || s[k - 1] == '\r'); k--)
		;
	if (!ends_with(s, k, " ... ERROR") && !ends_with(s, k, " ... FAIL")) {
		while (k && s[k - 1] && strchr(".EFsxu", s[k - 1]))
			k--;
		if (k && s[k - 1] != ' ')
			return 0;
	}
	s = after_prefix(s, &n);
	n = trim_end(s, n);
	if (!n)
		return 0;
	if (ends_with(s, n, " ... ERROR") || ends_with(s, n, " ... FAIL"))
		return 1;
	for (i = 0; i < n; i++)
		if (!strchr(".EFsxu", s[i]))
			return 0;
		else
			bad += s[i] == 'E' || s[i] == 'F';
	return bad > 0;
}

/* The title of one error or failure: "ERROR: test_x (mod.Case.test_x)". */
static int unittest_title(const char *s, size_t n)
{
	size_t k = has_prefix(s, n, "ERROR: ") ? 7 : has_prefix(s, n, "FAIL: ") ? 6 : 0;
	return k && k < n && s[k] != ' ' && memmem(s + k, n - k, " (", 2) &&
	       (s[n - 1] == ')' || s[n - 1] == '\r');
}

/* The report starts on the title under the rule kept before it (and the
 * progress line above that): a Python event, to the runner's verdict. */
static int unittest_event(struct qe_assembler *a, const char *line, size_t len,
			  uint64_t start_pos, uint64_t end_pos)
{
	struct qe_rule_match pm;
	const char *t;
	size_t tl = len;

	if (!a->last.len || a->last_end != start_pos ||
	    !unittest_ruler(a->last.buf, a->last.len))
		return 0;
	t = after_prefix(line, &tl);
	if (!unittest_title(t, tl) || !made_match(a, &pm, QE_LANG_PYTHON, QE_LANG_PYTHON))
		return 0;
	if (a->prog.len && a->prog_start < a->last_start) {
		/* the progress line first, then the rule */
		size_t pl = a->prog.len;
		const char *pt = after_prefix(a->prog.buf, &pl);
		start_event(a, &pm, a->prog.buf, a->prog.len, (size_t)(pt - a->prog.buf),
			    a->prog_start, a->last_start);
		pl = a->last.len;
		pt = after_prefix(a->last.buf, &pl);
		append(a, pt, pl, a->last_end);
		qe_buf_reset(&a->last);
	} else {
		start_on_last(a, &pm);
	}
	qe_buf_reset(&a->prog);
	append(a, t, tl, end_pos);
	a->state = S_PY_UNITTEST;
	return 1;
}

static int names_node_error(const char *s, size_t n);

/* A line that names an error ("XError: ", "XException: ") whose stack
 * the next lines may be, when no rule starts an event on it (a logger's
 * message with the error in it; Koa prints the error indented). */
static int opens_stack(const char *s, size_t n)
{
	const char *e = s + n, *q;

	/* (a line has few ':', and memmem() costs more to set up) */
	for (q = s; q + 1 < e && (q = memchr(q, ':', (size_t)(e - 1 - q))); q++)
		if (q[1] == ' ' && ((q - s >= 5 && !memcmp(q - 5, "Error", 5)) ||
				    (q - s >= 9 && !memcmp(q - 9, "Exception", 9))))
			return names_node_error(s, n);
	return 0;
}

/* Keep the line fed while idle that started nothing (a blank one is
 * forgotten; a long one too: a message line is short). */
static void last_keep(struct qe_assembler *a, const char *line, size_t len,
		      uint64_t start_pos, uint64_t end_pos)
{
	/* one blank line after it keeps it as the line above a gap */
	if (a->last.len && is_blank(line, len) && a->last_end == start_pos &&
	    !a->last_gap_end) {
		a->last_gap_end = end_pos;
		return;
	}
	a->last_gap_end = 0;
	qe_buf_reset(&a->prog);
	if (a->last.len && a->last_end == start_pos && unittest_ruler(line, len) &&
	    unittest_progress(a->last.buf, a->last.len)) {
		struct qe_buf t = a->prog;
		a->prog = a->last;
		a->last = t;
		a->prog_start = a->last_start;
	}
	qe_buf_reset(&a->last);
	if (len <= LAST_MAX && !is_blank(line, len)) {
		qe_buf_add(&a->last, line, len);
		a->last_start = start_pos;
		a->last_end = end_pos;
		a->last_open = opens_stack(line, len);
	}
}

/* A Go panic starts on the line: when the logger's line kept before it
 * is log.Panic's, that line is an error line of its own, reported
 * first. */
static void go_log_event(struct qe_assembler *a, const struct qe_rule_match *m,
			 const char *line, size_t len, uint64_t start_pos)
{
	struct qe_rule_match lm = *m;
	struct qe_buf l;

	if (!go_log_panic(a, line, len, start_pos))
		return;
	l = a->last;
	lm.lang = QE_LANG_LINE;
	lm.kind = "line";
	lm.severity = QE_SEV_ERROR;
	lm.type_len = lm.msg_len = 0;
	qe_buf_init(&a->last);
	start_event(a, &lm, l.buf, l.len, 0, a->last_start, a->last_end);
	close_event(a);
	qe_buf_release(&l);
}

static inline size_t strip_off(struct qe_assembler *a, const char *line, size_t len);

/* Tcl's trace starts on the line: the message above it, when it was the
 * line just before, is the event's first line. */
static void tcl_event(struct qe_assembler *a, const struct qe_rule_match *m,
		      const char *line, size_t len, size_t off, uint64_t start_pos,
		      uint64_t end_pos)
{
	struct qe_buf l = a->last;
	size_t so;

	if (!l.len || a->last_end != start_pos) {
		start_event(a, m, line, len, off, start_pos, end_pos);
	} else {
		qe_buf_init(&a->last);
		start_event(a, m, l.buf, l.len, 0, a->last_start, a->last_end);
		qe_buf_release(&l);
		so = strip_off(a, line, len);
		append(a, line + (so ? so : off), len - (so ? so : off), end_pos);
	}
	a->state = S_LINE_TCL;
	a->tcl_quote = 0;
}

/* rake's "rake aborted!" just before the error line: the start of a Ruby
 * event, the error under it. */
static int rake_event(struct qe_assembler *a, const struct qe_rule_match *m,
		      const char *line, size_t len, size_t off, uint64_t start_pos,
		      uint64_t end_pos)
{
	struct qe_buf l = a->last;
	struct qe_rule_match rm = *m;
	struct qe_rule_info info;
	size_t jr;

	if (a->last_end != start_pos || off || l.len < 13 ||
	    !has_prefix(l.buf, l.len, "rake aborted!") ||
	    !is_blank(l.buf + 13, l.len - 13) ||
	    (jr = qe_rules_lang_rule(a->rules, QE_LANG_RUBY)) == (size_t)-1)
		return 0;
	qe_rules_info(a->rules, jr, &info);
	rm.rule = jr;
	rm.lang = QE_LANG_RUBY;
	rm.name = info.name;
	rm.kind = info.kind;
	rm.type_len = rm.msg_len = 0;
	qe_buf_init(&a->last);
	start_event(a, &rm, l.buf, l.len, 0, a->last_start, a->last_end);
	qe_buf_release(&l);
	append(a, line, len, end_pos);
	a->state = S_RUBY_RAKE;
	return 1;
}

/* Devel::StackTrace's "Trace begun at F line N" starts on the line: the
 * message above it and the blank line between, when they were the lines
 * just before, are the event's first. */
static void perl_trace_event(struct qe_assembler *a, const struct qe_rule_match *m,
			     const char *line, size_t len, size_t off, uint64_t start_pos,
			     uint64_t end_pos)
{
	struct qe_buf l = a->last;
	size_t so;

	if (!l.len || !a->last_gap_end || a->last_gap_end != start_pos) {
		start_event(a, m, line, len, off, start_pos, end_pos);
	} else {
		qe_buf_init(&a->last);
		start_event(a, m, l.buf, l.len, 0, a->last_start, a->last_end);
		qe_buf_release(&l);
		append(a, "", 0, a->last_gap_end);
		so = strip_off(a, line, len);
		append(a, line + (so ? so : off), len - (so ? so : off), end_pos);
	}
	a->last_gap_end = 0;
	a->state = S_LINE_PERL_TRACE;
}

/* "    caused by: msg": a cause of the error on the line above, indented
 * (Rust's error chains as env_logger's and tracing's users print them). */
static int cause_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i >= 2 && n - i > 11 && (s[i] == 'c' || s[i] == 'C') &&
	       !memcmp(s + i + 1, "aused by: ", 10);
}

/* "prog: error: ...", argparse's line under its usage line, at a line
 * start: prog a word of at most 64 bytes. */
static int argparse_error_line(const char *s, size_t n)
{
	size_t w = 0;

	while (w < n && w < 64 &&
	       (is_digit(s[w]) || (s[w] >= 'a' && s[w] <= 'z') ||
		(s[w] >= 'A' && s[w] <= 'Z') || s[w] == '_' || s[w] == '-' ||
		s[w] == '.'))
		w++;
	return w && n > w + 9 && !memcmp(s + w, ": error: ", 9);
}

/* argparse's (and optparse's) exit on bad arguments: the usage line,
 * "usage: prog [-h] ...", then "prog: error: what was wrong", prog the
 * same word. */
static int argparse_event(struct qe_assembler *a, const char *line, size_t len,
			  uint64_t start_pos, uint64_t end_pos)
{
	struct qe_rule_match lm;
	const char *u, *t;
	size_t ul = a->last.len, tl = len, w;

	if (!ul || a->last_end != start_pos)
		return 0;
	/* (the usage line as the parser writes it, at a line start) */
	u = a->last.buf;
	if (ul < 8 || memcmp(u, "usage: ", 7))
		return 0;
	t = after_prefix(line, &tl);
	for (w = 7; w < ul && u[w] != ' '; w++)
		;
	w -= 7;
	if (!w || tl < w + 9 || memcmp(t, u + 7, w) || memcmp(t + w, ": error: ", 9) ||
	    !made_match(a, &lm, QE_LANG_PYTHON, QE_LANG_LINE))
		return 0;
	start_on_last(a, &lm);
	append(a, t, tl, end_pos);
	a->state = S_LINE_DONE;
	return 1;
}

/* A test runner's report of a whole run, from its first line: node:test's
 * and other TAP producers' "TAP version 13", minitest's "Run options:
 * --seed N".  Held to the run's summary (TAP's "# duration_ms", minitest's
 * "N runs, N assertions, ..."), reported when a test in it failed ("not
 * ok N", "  1) Error:", "  1) Failure:"). */
static int test_run_open(const char *s, size_t n)
{
	n = trim_end(s, n);
	return (n == 14 && !memcmp(s, "TAP version 13", 14)) ||
	       (n > 20 && has_prefix(s, n, "Run options: ") &&
		memmem(s, n, "--seed ", 7));
}

static enum cont test_run_line(struct qe_assembler *a, const char *line, size_t len)
{
	struct qe_prefix p;
	size_t i = 0;

	if (has_prefix(line, len, "# duration_ms ") ||
	    (len > 20 && is_digit(line[0]) && memmem(line, len, " runs, ", 7) &&
	     memmem(line, len, " errors, ", 9))) {
		a->state = S_LINE_DONE;
		return C_YES;
	}
	if (line_prefix(a, line, len, &p) || test_run_open(line, len))
		return C_NO;
	while (i < len && line[i] == ' ')
		i++;
	if (has_prefix(line + i, len - i, "not ok "))
		a->test_run = 2;
	if (i == 2 && i < len && is_digit(line[i])) {
		while (i < len && is_digit(line[i]))
			i++;
		if (has_prefix(line + i, len - i, ") Error:") ||
		    has_prefix(line + i, len - i, ") Failure:"))
			a->test_run = 2;
	}
	return C_YES;
}

/* The same told by the end of the line alone, before its prefix is
 * parsed: "TAP version 13", or "--seed N" last (minitest puts it there). */
static int test_run_end(const char *s, size_t n)
{
	n = trim_end(s, n);
	if (ends_with(s, n, "TAP version 13"))
		return 1;
	while (n && is_digit(s[n - 1]))
		n--;
	return ends_with(s, n, " --seed ");
}

static int test_run_event(struct qe_assembler *a, const char *line, size_t len,
			  uint64_t start_pos, uint64_t end_pos)
{
	struct qe_rule_match lm;
	const char *t;
	size_t tl = len;

	if (!test_run_end(line, len))
		return 0;
	t = after_prefix(line, &tl);
	if (!test_run_open(t, tl) || !made_match(a, &lm, QE_LANG_NODE, QE_LANG_LINE))
		return 0;
	lm.name = "test-run";
	qe_buf_reset(&a->last);
	start_event(a, &lm, line, len, (size_t)(t - line), start_pos, end_pos);
	a->state = S_LINE_TEST_RUN;
	a->test_run = 1;
	return 1;
}

/* A Go test binary's "--- FAIL: TestName (0.00s)" (go test -v's, and
 * the plain run's, for each failed test), after a log prefix if any. */
static int go_test_fail(const char *s, size_t n)
{
	if (end_byte(s, n) != ')')
		return 0;
	s = after_prefix(s, &n);
	n = trim_end(s, n);
	return n > 14 && has_prefix(s, n, "--- FAIL: ") && s[n - 1] == ')' &&
	       s[n - 2] == 's';
}

/* What t.Error and t.Log write under it: "    file.go:30: text" (the
 * message's further lines indented deeper). */
static int go_test_log(const char *s, size_t n)
{
	size_t i = 4, k;
	if (n < 12 || memcmp(s, "    ", 4) || s[4] == ' ')
		return 0;
	for (k = i; k < n && k < i + 128 && s[k] != ' ' && s[k] != ':'; k++)
		;
	if (k - i < 4 || k >= n || s[k] != ':' || memcmp(s + k - 3, ".go", 3))
		return 0;
	for (i = ++k; k < n && is_digit(s[k]); k++)
		;
	return k > i && k + 1 < n && s[k] == ':' && s[k + 1] == ' ';
}

/* The "--- FAIL:" line just before, kept, heads the event that starts on
 * the line: a panic in the test ("panic: msg [recovered]"), or with
 * lm NULL, the test's first t.Error line (an event of its own). */
static int go_test_event(struct qe_assembler *a, const struct qe_rule_match *m,
			 const char *line, size_t len, size_t off, uint64_t start_pos,
			 uint64_t end_pos)
{
	struct qe_rule_match gm;
	struct qe_prefix p;
	size_t so;

	if (!a->last.len || a->last_end != start_pos ||
	    !go_test_fail(a->last.buf, a->last.len))
		return 0;
	if (m) {
		if (m->lang != QE_LANG_GO ||
		    !has_prefix(line + off, len - off, "panic: "))
			return 0;
		gm = *m;
		gm.type_len = gm.msg_len = 0;
	} else {
		if (line_prefix(a, line, len, &p))
			off = p.body;
		if (!go_test_log(line + off, len - off) ||
		    !made_match(a, &gm, QE_LANG_GO, QE_LANG_LINE))
			return 0;
	}
	start_on_last(a, &gm);
	so = strip_off(a, line, len);
	append(a, line + (so ? so : off), len - (so ? so : off), end_pos);
	if (!m)
		a->state = S_LINE_GO_TEST;
	return 1;
}

/* Whether s names an error as Node.js prints one, "XError: " or
 * "XException: ", at its start or after a blank: a message that the
 * debug module (or another logger) wrote before the error's stack. */
static int names_node_error(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i + 7 < n; i++) {
		if ((i && s[i - 1] != ' ') || s[i] < 'A' || s[i] > 'Z')
			continue;
		k = i + capital_name(s + i, n - i, 0);
		if (k + 1 < n && s[k] == ':' && s[k + 1] == ' ' &&
		    (ends_with(s + i, k - i, "Error") ||
		     ends_with(s + i, k - i, "Exception")))
			return 1;
	}
	return 0;
}

/* A Node.js frame under the kept line just before, which names an error:
 * that line (the message a logger wrote with the error in it, its stack
 * after it) is an error line, which the frames make a trace. */
static int node_frames_event(struct qe_assembler *a, const char *line, size_t len,
			     uint64_t start_pos, uint64_t end_pos)
{
	struct qe_rule_match lm;
	const char *t;
	size_t tl = a->last.len;

	if (!tl || a->last_end != start_pos || len < 8 || line[0] != ' ' ||
	    !node_frame_line(line, len))
		return 0;
	t = after_prefix(a->last.buf, &tl);
	if (!names_node_error(t, tl) || !made_match(a, &lm, QE_LANG_NODE, QE_LANG_LINE))
		return 0;
	start_on_last(a, &lm);
	qe_assembler_feed(a, line, len, start_pos, end_pos);
	return 1;
}

/* doctest's report of a failed example: its rule of 70 '*', then
 * 'File "f.py", line 53, in name', "Failed example:", the example, and
 * "Exception raised:" with the traceback or "Expected:" and "Got:", each
 * under its label indented by four. */
static int doctest_ruler(const char *s, size_t n)
{
	return unittest_rule_of(s, n, '*');
}

static int doctest_line(const char *s, size_t n)
{
	static const char *const labels[] = {
	    "Failed example:",	"Exception raised:", "Expected:", "Got:",
	    "Expected nothing", "Got nothing"};
	size_t k;

	if (n > 4 && !memcmp(s, "    ", 4))
		return 1;
	for (k = 0; k < QE_ARRAY_SIZE(labels); k++)
		if (has_prefix(s, n, labels[k]))
			return 1;
	return 0;
}

static int doctest_event(struct qe_assembler *a, const char *line, size_t len,
			 uint64_t start_pos, uint64_t end_pos)
{
	struct qe_rule_match pm;
	struct qe_prefix p;
	size_t off = 0;

	if (!a->last.len || a->last_end != start_pos ||
	    !doctest_ruler(a->last.buf, a->last.len))
		return 0;
	if (line_prefix(a, line, len, &p))
		off = p.body;
	if (!has_prefix(line + off, len - off, "File \"") ||
	    !memmem(line + off, len - off, "\", line ", 8) ||
	    !made_match(a, &pm, QE_LANG_PYTHON, QE_LANG_PYTHON))
		return 0;
	start_on_last(a, &pm);
	append(a, line + off, len - off, end_pos);
	a->state = S_PY_DOCTEST;
	return 1;
}

/* A function name under Go's logger's line, the line just before: the
 * first frame of pkg/errors' "%+v", held with that line until its file
 * shows it is one. */
static int go_stack_hold(struct qe_assembler *a, const char *line, size_t len,
			 uint64_t start_pos, uint64_t end_pos)
{
	if (!a->last.len || a->last_end != start_pos || !go_func_name(line, len) ||
	    !go_log_stamp(a->last.buf, a->last.len))
		return 0;
	pend_reset(a);
	if (pend_add(a, a->last.buf, a->last.len, a->last_end, 0) < 0 ||
	    pend_add(a, line, len, end_pos, 0) < 0) {
		pend_reset(a);
		return 0;
	}
	a->pend_start[0] = a->last_start;
	a->prelude = P_GO_STACK;
	a->prelude_start = a->last_start;
	qe_buf_reset(&a->last);
	return 1;
}

/* glog's header, "E0101 " or "F0101 ", at the start of s: the form that
 * the glog rule looks for at a line start. */
static int line_start_form(const char *s, size_t n)
{
	return n > 6 && (s[0] == 'E' || s[0] == 'F') && (s[1] == '0' || s[1] == '1') &&
	       is_digit(s[2]) && is_digit(s[3]) && is_digit(s[4]) && s[5] == ' ';
}

/*
 * The start of an event on a line while none is open: the whole line
 * first; when that finds nothing, or only an error line, the text after
 * a log prefix may start a trace ("2026-11-22 10:00:05.839 panic: ...").
 * *off gets how much of the line was prefix.
 */
static int rules_start(struct qe_assembler *a, const char *line, size_t len,
		       struct qe_rule_match *m)
{
	if (!a->peek)
		return qe_rules_match_start(a->rules, line, len, m);
	if (!qe_rules_peek_start(a->rules, line, len, m))
		return 0;
	if (a->probe_nr_hits < QE_ARRAY_SIZE(a->probe_hits))
		a->probe_hits[a->probe_nr_hits++] = m->rule;
	return 1;
}

/*
 * npmlog writes each line of a message as "[heading ]ERR![ prefix] line"
 * (its display word for the error level): the length of that lead at the
 * start of s, with the blank after it, or 0.  The heading and the prefix
 * are one word each; the text after the lead is tried with and without
 * the prefix word by the caller (want: the lead ending before the
 * prefix word, 1, or after it, 2).
 */
static size_t npmlog_lead(const char *s, size_t n, int want)
{
	size_t i = 0, lim = n < TAG_MAX ? n : TAG_MAX;
	const char *b;

	if (lim < 6)
		return 0;
	if (memcmp(s, "ERR! ", 5)) {
		b = memchr(s, ' ', lim);
		i = b ? (size_t)(b - s) : lim;
		if (i + 6 > lim || memcmp(s + i, " ERR! ", 6))
			return 0;
		i++;
	}
	i += 5;
	if (want == 1)
		return i;
	b = memchr(s + i, ' ', lim - i);
	return b && (size_t)(b - s) + 1 < n ? (size_t)(b - s) + 1 : 0;
}

/* A trace after npmlog's lead (after the line's prefix, at base) */
static int npmlog_start(struct qe_assembler *a, const char *line, size_t len, size_t base,
			struct qe_rule_match *m, size_t *off)
{
	int want;
	size_t l;

	for (want = 1; want <= 2; want++) {
		l = npmlog_lead(line + base, len - base, want);
		if (!l)
			return 0;
		l += base;
		if (l < len && trace_start_hint(line + l, len - l) &&
		    rules_start(a, line + l, len - l, m) && is_trace_lang(m->lang)) {
			*off = l;
			return 1;
		}
	}
	return 0;
}

static int match_line(struct qe_assembler *a, const char *line, size_t len,
		      struct qe_rule_match *m, size_t *off)
{
	struct qe_prefix p;
	struct qe_rule_match m2;
	int have, passed;

	*off = 0;
	if (a->no_start_known && line == a->no_start_line && len == a->no_start_len) {
		have = 0;
		passed = a->no_start_pf;
	} else {
		have = rules_start(a, line, len, m);
		if (have && m->lang != QE_LANG_LINE)
			return 1;
		passed = qe_rules_prefilter_passed(a->rules);
	}
	if (!passed)
		return have;
	if (!line_prefix(a, line, len, &p))
		return npmlog_start(a, line, len, 0, &m2, off) ? (*m = m2, 1) : have;
	if (p.body && p.text == p.body && npmlog_start(a, line, len, p.body, &m2, off)) {
		*m = m2;
		return 1;
	}
	/* glog's "E0101 ..." behind a collector's timestamp (`kubectl logs
	 * --timestamps`, CRI, syslog): read as at a line start */
	if (p.body && p.text == p.body && line_start_form(line + p.body, len - p.body) &&
	    rules_start(a, line + p.body, len - p.body, &m2)) {
		*m = m2;
		*off = p.body;
		return 1;
	}
	/* Tcl's trace head behind a collector's prefix, its message above */
	if (p.body && p.text == p.body && p.body < len &&
	    tcl_trace_head(line + p.body, len - p.body) &&
	    rules_start(a, line + p.body, len - p.body, &m2)) {
		*m = m2;
		*off = p.body;
		return 1;
	}
	/* A runtime prints its report without a level; after an error
	 * level the report may follow the level word ("ERROR panic: ...").
	 * After INFO or WARN no trace starts: one match at most, and none
	 * on the many ordinary lines that mention an error. */
	if (p.text > p.body) {
		if (!p.error_level)
			return have;
		p.body = p.text;
	}
	if (p.body && p.body < len && trace_start_hint(line + p.body, len - p.body) &&
	    rules_start(a, line + p.body, len - p.body, &m2) && is_trace_lang(m2.lang)) {
		*m = m2;
		*off = p.body;
		return 1;
	}
	return have;
}

static int find_start(struct qe_assembler *a, const char *line, size_t len,
		      struct qe_rule_match *m, size_t *off)
{
	size_t i;
	int have;

	if (!a->peek && a->probe && len == a->probe_line.len &&
	    !memcmp(line, a->probe_line.buf, len)) {
		a->probe = 0;
		for (i = 0; i < a->probe_nr_hits; i++)
			qe_rules_count_hit(a->rules, a->probe_hits[i]);
		*m = a->probe_m;
		*off = a->probe_off;
		return 1;
	}
	a->probe_nr_hits = 0;
	have = match_line(a, line, len, m, off);
	if (a->peek && have) {
		a->probe = 1;
		qe_buf_reset(&a->probe_line);
		qe_buf_add(&a->probe_line, line, len);
		a->probe_m = *m;
		a->probe_off = *off;
	}
	return have;
}

/* pino-pretty writes a logged error as an indented object after the
 * line: "    err: {", its fields (the stack among them), "    }".
 * The indentation of the opening line, or 0 when it is not one. */
static size_t pretty_error_open(const char *line, size_t len)
{
	static const char *const keys[] = {"err: {", "error: {", "exception: {"};
	size_t i = 0, k;

	while (i < len && line[i] == ' ')
		i++;
	if (i < 2)
		return 0;
	while (len > i && (line[len - 1] == ' ' || line[len - 1] == '\r'))
		len--;
	for (k = 0; k < QE_ARRAY_SIZE(keys); k++)
		if (len - i == strlen(keys[k]) && !memcmp(line + i, keys[k], len - i))
			return i;
	return 0;
}

static int head_start_form(const char *line, size_t len);
static int announce_line(const char *s, size_t n);

/*
 * A line after the head of a trace whose frames have not begun: the
 * second line of a message over several (Node.js and Ruby print the
 * whole message before the frames, Rust before its note).  It is held;
 * the first frame makes it part of the event.  Not one that starts an
 * event, may head one, or carries a log prefix: that is the next record.
 */
static enum cont message_line(struct qe_assembler *a, const char *line, size_t len)
{
	struct qe_prefix p;
	if (a->no_hold || start_match(a, line, len) || head_start_form(line, len) ||
	    line_prefix(a, line, len, &p))
		return C_NO;
	a->hold_msg = 1;
	return C_PEND;
}

/* Whether the line is the end of the head line after a label and a
 * blank: the head's exception printed again on its own (Groovy's
 * "Caught: X: msg", then the trace of X). */
static int repeats_head(const struct qe_assembler *a, const char *line, size_t len)
{
	const char *head = a->ev->lines[0];
	size_t hl = strlen(head);
	return a->ev->nr_lines == 1 && len && hl > len + 1 && head[hl - len - 1] == ' ' &&
	       !memcmp(head + hl - len, line, len);
}

/*
 * After Python's exception line: the other lines of its message, which
 * Python prints after it.  Nothing after them says where they end but
 * the next record: they are held, and joined only when a line with a
 * log prefix follows (in a stream without prefixes the next line may be
 * the program's own output, and they are left out as before).
 */
static enum cont message_after(struct qe_assembler *a, const char *line, size_t len)
{
	struct qe_prefix p;
	const char *head = a->ev->lines[0];
	int held = a->nr_pend > a->nr_pend_blank;
	if (a->no_hold)
		return C_NO;
	if (line_prefix(a, line, len, &p))
		return held ? C_JOIN : C_NO;
	/* a trace a logged record announced: its stream has prefixes; but
	 * the one line held announces the trace that follows ("Error on
	 * request:"): it is fed again, to head that one */
	if (start_match(a, line, len) || head_start_form(line, len)) {
		if (!held ||
		    (a->nr_pend == 1 && announce_line(a->pend.buf, a->pend_len[0])))
			return C_NO;
		return qe_trace_prefix(head, strlen(head), &p) ? C_JOIN : C_NO;
	}
	a->hold_msg = 1;
	return C_PEND;
}

static int ruby_thread_head(const char *s, size_t n);
static int py_head_detail(const char *s, size_t n);

/* Whether the line (a log line, after its prefix) has asyncio's or
 * threading's announcement of a traceback in it (see py_head_line). */
static int py_head_within(const char *s, size_t n)
{
	static const char *const words[] = {
	    "exception was never retrieved", "Exception in callback ",
	    "Unhandled error in exception handler", "Exception in thread "};
	size_t k;

	for (k = 0; k < QE_ARRAY_SIZE(words); k++)
		if (memmem(s, n, words[k], strlen(words[k])))
			return 1;
	return 0;
}

static enum cont continues(struct qe_assembler *a, const char *line, size_t len)
{
	int blank = is_blank(line, len);
	size_t jr, indent;

	if (a->state == S_NODE_PRETTY) {
		size_t i = 0;
		while (i < len && line[i] == ' ')
			i++;
		if (i < a->pretty_indent || i == len)
			return C_NO;
		if (i == a->pretty_indent) {
			if (line[i] != '}')
				return C_NO;
			a->state = S_LINE_DONE;
		}
		return C_YES;
	}
	if (a->state == S_LINE_DONE)
		return C_NO; /* the event's last line was seen */
	if (a->state == S_PY_CGITB) {
		/* the report, whatever its lines, to the original traceback */
		if (has_prefix(line, len, "Traceback (most recent call last):"))
			a->state = S_PY_FRAMES;
		return blank ? C_PEND : C_YES;
	}
	if (a->state == S_PY_DOCTEST)
		return doctest_line(line, len) ? C_YES : C_NO;
	if (a->state == S_PY_UNITTEST) {
		/* anything but another record, to "FAILED (errors=1)" */
		struct qe_prefix p;
		if (has_prefix(line, len, "FAILED (")) {
			a->state = S_LINE_DONE;
			return C_YES;
		}
		if (!unittest_title(line, len) && line_prefix(a, line, len, &p))
			return C_NO;
		return C_YES;
	}
	/* cgitb's text report: the exception's class alone, then "Python
	 * 3.11.2: /usr/bin/python3" */
	if (a->ev->nr_lines == 1 && !a->nr_pend && cgitb_version_line(line, len) &&
	    (jr = qe_rules_lang_rule(a->rules, QE_LANG_PYTHON)) != (size_t)-1) {
		enter(a, QE_LANG_PYTHON, jr, line, len);
		a->state = S_PY_CGITB;
		goto merge;
	}
	switch (a->lang) {
	case QE_LANG_USER:
		return qe_rules_match_cont(a->rules, a->rule, line, len) ? C_YES : C_NO;
	case QE_LANG_LINE:
		switch (a->state) {
		case S_LINE_PG:
			/* CONTEXT goes on with tab-indented lines */
			if (len && line[0] == '\t')
				return C_YES;
			return pg_continuation(line, len) ? C_YES : C_NO;
		case S_LINE_ASAN: {
			/* everything to its end but another record; after the
			 * summary only the shadow map and the pid's lines */
			struct qe_prefix p;
			size_t k = asan_pid_mark(line, len);
			if (blank)
				return a->nr_pend_blank ? C_NO : C_PEND;
			if (k) {
				if (has_prefix(line + k, len - k, "ABORTING"))
					a->state = S_LINE_DONE;
				return C_YES;
			}
			if (line[0] == ' ' || line[0] == '\t' ||
			    has_prefix(line, len, "=>") ||
			    has_prefix(line, len, "Shadow "))
				return C_YES;
			if (a->san_summary || line_prefix(a, line, len, &p) ||
			    start_match(a, line, len))
				return C_NO;
			if (has_prefix(line, len, "SUMMARY: "))
				a->san_summary = 1;
			return C_YES;
		}
		case S_LINE_UBSAN:
			if (asan_frame(line, len))
				return C_YES;
			if (has_prefix(line, len,
				       "SUMMARY: UndefinedBehaviorSanitizer: ")) {
				a->state = S_LINE_DONE;
				return C_YES;
			}
			return C_NO;
		case S_LINE_FORTRAN:
			if (blank)
				return a->nr_pend_blank ? C_NO : C_PEND;
			return fortran_trace_line(line, len) ? C_YES : C_NO;
		case S_LINE_TCL: {
			/* a quoted command goes on to its closing quote */
			size_t n = len;
			while (n && (line[n - 1] == ' ' || line[n - 1] == '\r'))
				n--;
			if (a->tcl_quote) {
				if (a->tcl_quote++ > TCL_QUOTE_MAX)
					return C_NO;
				if (n && line[n - 1] == '"')
					a->tcl_quote = 0;
				return C_YES;
			}
			if (n && line[0] == '"') {
				if (n < 2 || line[n - 1] != '"')
					a->tcl_quote = 1;
				return C_YES;
			}
			return tcl_trace_line(line, len) ? C_YES : C_NO;
		}
		case S_LINE_SYMBOLS:
			return symbols_frame(line, len) ? C_YES : C_NO;
		case S_LINE_PERL_TRACE:
			return perl_called_at(line, len) ? C_YES : C_NO;
		case S_LINE_TEST_RUN:
			return test_run_line(a, line, len);
		case S_LINE_GO_TEST:
			/* more of its lines, then the binary's "FAIL" */
			if (len >= 4 && !memcmp(line, "FAIL", 4) &&
			    (len == 4 || line[4] == '\t' || line[4] == '\r')) {
				a->state = S_LINE_DONE;
				return C_YES;
			}
			return len > 4 && !memcmp(line, "    ", 4) ? C_YES : C_NO;
		case S_LINE_MONOLOG:
			if (blank)
				return C_PEND;
			if ((len > 1 && line[0] == '#' && is_digit(line[1])) ||
			    has_prefix(line, len, "[stacktrace]") ||
			    has_prefix(line, len, "[previous exception] "))
				return C_YES;
			if (has_prefix(line, len, "\"}")) {
				a->state = S_LINE_DONE;
				return C_YES;
			}
			return C_NO;
		default:
			break;
		}
		/* a sanitizer's report: its first line known, the rest by
		 * its state */
		if (a->ev->nr_lines <= 2 && !a->nr_pend && a->state == S_NONE) {
			/* (under the rule held before it) */
			const char *h = a->ev->lines[a->ev->nr_lines - 1], *q;
			size_t hl = strlen(h);
			/* (after a log prefix, if the stream has one) */
			q = memchr(h, '=', hl < 80 ? hl : 80);
			if (q && asan_report_head(q, hl - (size_t)(q - h))) {
				a->state = S_LINE_ASAN;
				a->san_summary = 0;
				return continues(a, line, len);
			}
			if (ubsan_report_head(h, hl)) {
				a->state = S_LINE_UBSAN;
				return continues(a, line, len);
			}
			/* gfortran's runtime error, or its ERROR STOP */
			if (h[0] == 'F' || h[0] == 'E'
				? has_prefix(h, hl, "Fortran runtime error: ") ||
				      has_prefix(h, hl, "ERROR STOP")
				: 0) {
				if (blank || fortran_trace_line(line, len)) {
					a->state = S_LINE_FORTRAN;
					return continues(a, line, len);
				}
			}
		}
		/* an error line, then Tcl's trace of it */
		if (a->ev->nr_lines == 1 && !a->nr_pend && a->state == S_NONE &&
		    tcl_trace_head(line, len)) {
			a->state = S_LINE_TCL;
			a->tcl_quote = 0;
			return C_YES;
		}
		if (blank)
			return a->nr_pend_blank ? C_NO : C_PEND;
		/* the error's causes, one to a line, indented under it: an
		 * error chain written out ("    caused by: invalid digit") */
		if (!a->nr_pend && cause_line(line, len) &&
		    (a->ev->nr_lines == 1 ||
		     cause_line(a->ev->lines[a->ev->nr_lines - 1],
				strlen(a->ev->lines[a->ev->nr_lines - 1]))))
			return C_YES;
		/* a crash handler's error line, then backtrace_symbols_fd() */
		if (a->ev->nr_lines == 1 && !a->nr_pend && symbols_frame(line, len)) {
			a->state = S_LINE_SYMBOLS;
			return C_YES;
		}
		if (pg_continuation(line, len)) {
			a->state = S_LINE_PG;
			return C_YES;
		}
		/* Monolog with stack traces: '{"exception":"[object] (...' and
		 * the trace on the lines after it */
		if ((has_prefix(line, len, "[stacktrace]") ||
		     has_prefix(line, len, "[previous exception] [object] (")) &&
		    strstr(a->ev->lines[0], "\"exception\":\"[object] (")) {
			jr = qe_rules_lang_rule(a->rules, QE_LANG_PHP);
			if (jr == (size_t)-1)
				return C_NO;
			a->state = S_LINE_MONOLOG;
			a->rule = jr;
			goto merge;
		}
		/* logging's record with stack_info: the stack where it was
		 * logged, under "Stack (most recent call last):" */
		if (a->ev->nr_lines == 1 && !a->nr_pend &&
		    has_prefix(line, len, "Stack (most recent call last):") &&
		    is_blank(line + 30, len - 30)) {
			jr = qe_rules_lang_rule(a->rules, QE_LANG_PYTHON);
			if (jr == (size_t)-1)
				return C_NO;
			enter(a, QE_LANG_PYTHON, jr, line, len);
			goto merge;
		}
		/* asyncio's announcement through a logger ("... ERROR asyncio:
		 * Task exception was never retrieved"), then the task it
		 * names and the traceback; the task's line is held until the
		 * traceback shows it is one */
		if (a->ev->nr_lines == 1 && !a->nr_pend && py_head_detail(line, len) &&
		    py_head_within(a->ev->lines[0], strlen(a->ev->lines[0]))) {
			a->hold_msg = 1;
			return C_PEND;
		}
		/* zap's log line, then the stack it took: functions without
		 * arguments, each then its file; the function line is held
		 * until its file shows it is one */
		if (a->ev->nr_lines == 1 && !a->nr_pend && go_func_name(line, len)) {
			a->hold_msg = 1;
			return C_PEND;
		}
		if (a->ev->nr_lines == 1 && a->nr_pend == 1 && a->hold_msg &&
		    go_location_line(line, len)) {
			jr = qe_rules_lang_rule(a->rules, QE_LANG_GO);
			if (jr == (size_t)-1)
				return C_NO;
			a->hold_msg = 0;
			enter(a, QE_LANG_GO, jr, line, len);
			a->state = S_GO_BARE;
			goto merge;
		}
		/* a panic hook's log line: "... panicked at src/main.rs:3:5:",
		 * then the panic's message */
		if (a->ev->nr_lines == 1 &&
		    rust_panic_info_end(a->ev->lines[0], strlen(a->ev->lines[0]))) {
			jr = qe_rules_lang_rule(a->rules, QE_LANG_RUST);
			if (jr == (size_t)-1)
				return C_NO;
			enter(a, QE_LANG_RUST, jr, line, len);
			a->state = S_RUST_BODY;
			goto merge;
		}
		/* Go's log line, then debug.Stack() */
		if (go_goroutine_line(line, len)) {
			jr = qe_rules_lang_rule(a->rules, QE_LANG_GO);
			if (jr == (size_t)-1)
				return C_NO;
			enter(a, QE_LANG_GO, jr, line, len);
			goto merge;
		}
		/* Ruby's Logger#error(exception): "msg (Class)", or the
		 * logging gem's "<Class> msg", then the backtrace without
		 * "from" */
		if (ruby_bare_frame(line, len)) {
			const char *h = a->ev->lines[0];
			size_t hl = strlen(h);
			while (hl && (h[hl - 1] == ' ' || h[hl - 1] == '\r'))
				hl--;
			jr = qe_rules_lang_rule(a->rules, QE_LANG_RUBY);
			if (hl &&
			    (h[hl - 1] == ')' || ruby_class_mark(h, hl) ||
			     ruby_rescued(h, hl)) &&
			    jr != (size_t)-1) {
				enter(a, QE_LANG_RUBY, jr, line, len);
				a->state = S_RUBY_BARE;
				goto merge;
			}
		}
		indent = pretty_error_open(line, len);
		jr = qe_rules_lang_rule(a->rules, QE_LANG_NODE);
		if (indent && jr != (size_t)-1) {
			enter(a, QE_LANG_NODE, jr, line, len);
			a->state = S_NODE_PRETTY;
			a->pretty_indent = indent;
			goto merge;
		}
		/* Carp's confess: the calls that led to the die, one a line */
		if (perl_call_line(line, len) || perl_propagated(line, len))
			return C_YES;
		if (line[0] == ' ' || line[0] == '\t') {
			/* "ERROR ... failed: Error: boom" then "    at f (/a.js:1:2)" */
			jr = qe_rules_lang_rule(a->rules, QE_LANG_NODE);
			if (jr != (size_t)-1 && node_frame_line(line, len)) {
				enter(a, QE_LANG_NODE, jr, line, len);
				goto merge;
			}
			/* "ERROR ... failed: X.YException: boom" then Mono's
			 * "  at X.Y.M (...) [0x0001e] in <mvid>:0" */
			jr = qe_rules_lang_rule(a->rules, QE_LANG_DOTNET);
			if (jr != (size_t)-1 && dotnet_frame_line(line, len) &&
			    qe_rules_match_cont(a->rules, jr, line, len)) {
				enter(a, QE_LANG_DOTNET, jr, line, len);
				a->state = S_DOTNET_FRAMES;
				goto merge;
			}
			/* "ERROR ... Failed: java.lang.X: boom" then "\tat ..." */
			jr = qe_rules_lang_rule(a->rules, QE_LANG_JAVA);
			if (jr != (size_t)-1 &&
			    qe_rules_match_cont(a->rules, jr, line, len)) {
				enter(a, QE_LANG_JAVA, jr, line, len);
				a->state = S_JAVA_FRAMES;
				goto merge;
			}
		}
		if (start_match(a, line, len) && logged_trace_lang(a->next.lang) &&
		    !(a->next.lang == QE_LANG_GO &&
		      go_panic_level_line(a->ev->lines[0]))) {
			a->have_next = 0;
			if (a->next.severity > (int)a->ev->severity)
				a->ev->severity = (enum qe_severity)a->next.severity;
			enter(a, a->next.lang, a->next.rule, line, len);
			jr = a->next.rule;
			goto merge;
		}
		return C_NO;
	case QE_LANG_JAVA:
		if (blank)
			return C_PEND;
		if (at_frame(line, len) ||
		    qe_rules_match_cont(a->rules, a->rule, line, len)) {
			a->state = S_JAVA_FRAMES;
			return C_YES;
		}
		if (a->state == S_JAVA_HEAD &&
		    (repeats_head(a, line, len) || !start_match(a, line, len)))
			return C_PEND;
		return C_NO;
	case QE_LANG_DOTNET:
		if (blank)
			return C_PEND;
		if (a->state == S_DOTNET_UNHANDLED) {
			/* Mono: "Unhandled Exception:", then the exception; a
			 * class of no namespace ("LedgerException: ...") is
			 * known here by its place alone */
			if ((start_match(a, line, len) &&
			     (a->next.lang == QE_LANG_DOTNET ||
			      a->next.lang == QE_LANG_NODE)) ||
			    dotnet_bare_exception(line, len)) {
				a->have_next = 0;
				a->state = S_DOTNET_HEAD;
				return C_YES;
			}
			return C_NO;
		}
		if (at_frame(line, len) ||
		    qe_rules_match_cont(a->rules, a->rule, line, len)) {
			/* Mono repeats the trace after "[ERROR] FATAL UNHANDLED
			 * EXCEPTION: ", message lines and all */
			a->state = line[0] == '[' ? S_DOTNET_HEAD : S_DOTNET_FRAMES;
			return C_YES;
		}
		/* a message over several lines, before the first frame */
		if (a->state == S_DOTNET_HEAD && !start_match(a, line, len))
			return C_PEND;
		return C_NO;
	case QE_LANG_PYTHON:
		if (blank)
			return C_PEND;
		switch (a->state) {
		case S_PY_FRAMES:
			if (line[0] == ' ' || line[0] == '\t')
				return C_YES;
			/* loguru marks the frame that caught the exception */
			if (has_prefix(line, len, "> File \""))
				return C_YES;
			/* Twisted's Failure: where the exception was caught */
			if (has_prefix(line, len, "--- <exception caught here> ---"))
				return C_YES;
			if (py_rich_inside(line, len))
				return C_YES;
			if (py_fatal_line(line, len) &&
			    has_prefix(a->ev->lines[0], strlen(a->ev->lines[0]),
				       "Fatal Python error: "))
				return C_YES;
			if (py_exception_line(line, len)) {
				a->state = S_PY_EXC;
				return C_YES;
			}
			/* a worker's traceback, quoted under its announcement */
			if (a->ev->nr_lines <= 2 &&
			    py_remote_head(a->ev->lines[0], strlen(a->ev->lines[0])) &&
			    (py_triple_quote(line, len) ||
			     has_prefix(line, len, "Traceback (most recent call last):")))
				return C_YES;
			return C_NO;
		case S_PY_EXC:
			if (py_chain_marker(line, len)) {
				a->state = S_PY_CHAIN;
				return C_YES;
			}
			/* another group's first line, not after a chain's
			 * marker: a failure of its own */
			if (py_group_header(line, len))
				return C_NO;
			/* exception groups draw their members with | and + */
			if (py_group_line(line, len))
				return C_YES;
			/* what a program that printed the traceback itself
			 * said as it exited (sys.exit("fatal: ...")): the
			 * report's last line */
			if (!a->nr_pend && (py_exit_line(line, len) ||
					    py_failed_with(a->ev, line, len) ||
					    closing_ruler(a->ev, line, len))) {
				a->state = S_LINE_DONE;
				return C_YES;
			}
			return message_after(a, line, len);
		case S_PY_GROUP:
			if (py_group_header(line, len))
				return C_NO;
			if (py_group_line(line, len))
				return C_YES;
			if (py_chain_marker(line, len)) {
				a->state = S_PY_CHAIN;
				return C_YES;
			}
			return C_NO;
		case S_PY_CHAIN:
			if (has_prefix(line, len, "Traceback (most recent call last):") ||
			    py_rich_top(line, len)) {
				a->state = S_PY_FRAMES;
				return C_YES;
			}
			if (py_group_header(line, len)) {
				a->state = S_PY_GROUP;
				return C_YES;
			}
			return C_NO;
		default:
			return C_NO;
		}
	case QE_LANG_RUBY:
		if (a->state == S_RUBY_BARE)
			return ruby_bare_frame(line, len) ? C_YES : C_NO;
		if (a->state == S_RUBY_RAKE)
			return rake_continues(a, line, len, blank);
		if (blank)
			return C_PEND;
		if (qe_rules_match_cont(a->rules, a->rule, line, len)) {
			a->no_frame = 0;
			return C_YES;
		}
		/* Ruby 3.1's error_highlight: a blank line, the source line,
		 * carets under the call */
		if (a->nr_pend_blank && a->nr_pend >= 2 && caret_line(line, len))
			return C_YES;
		if (a->nr_pend_blank && a->nr_pend == 1 &&
		    (line[0] == ' ' || line[0] == '\t'))
			return C_PEND;
		/* A cause, printed after the exception raised while handling it
		 * (its backtrace shows a "rescue in" frame for each). */
		if (a->ruby_rescues && start_match(a, line, len) &&
		    a->next.lang == QE_LANG_RUBY) {
			a->have_next = 0;
			a->ruby_rescues--;
			return C_YES;
		}
		/* join re-raises a dead thread's exception in the joining one:
		 * the report again, after the thread's own */
		if (a->ev->nr_lines > 1 &&
		    ruby_thread_head(a->ev->lines[0], strlen(a->ev->lines[0])) &&
		    strlen(a->ev->lines[1]) == len &&
		    !memcmp(a->ev->lines[1], line, len)) {
			a->have_next = 0;
			return C_YES;
		}
		return a->no_frame ? message_line(a, line, len) : C_NO;
	case QE_LANG_PHP:
		/* "Next OtherException: ..." chains go on until "thrown in" */
		if (a->state == S_PHP_DONE)
			return C_NO;
		if (blank)
			return C_PEND;
		/* Xdebug's report: the exception again, then its "Call
		 * Stack:" */
		if (repeats_head(a, line, len))
			return C_PEND;
		if (!qe_rules_match_cont(a->rules, a->rule, line, len))
			return C_NO;
		if (memmem(line, len, "thrown in ", 10))
			a->state = S_PHP_DONE;
		return C_YES;
	case QE_LANG_GO:
		/* Go goroutines that fail at once each write the header
		 * ("fatal error: concurrent map writes") before the dump */
		if (a->ev->nr_lines == 1 && strlen(a->ev->lines[0]) == len &&
		    !memcmp(a->ev->lines[0], line, len))
			return C_YES;
		if (a->state == S_GO_BARE) {
			if (go_func_name(line, len) ||
			    (!a->nr_pend && go_location_line(line, len)))
				return C_YES;
			/* pkg/errors' %+v of a wrapped error: the wrapper's
			 * message after the stack, then the wrapper's stack;
			 * held until a function shows it is one */
			if (!a->nr_pend && !blank && line[0] != '\t' &&
			    a->ev->lines[a->ev->nr_lines - 1][0] == '\t')
				return message_line(a, line, len);
			return C_NO;
		}
		if (blank)
			return C_PEND;
		if (indented_text(line, len) || go_call_line(line, len))
			return C_YES;
		return qe_rules_match_cont(a->rules, a->rule, line, len) ? C_YES : C_NO;
	case QE_LANG_RUST:
		if (a->rust_join) {
			/* main unwrapped the join of the thread that panicked,
			 * or the lock it poisoned: one failure; else the held
			 * header starts its own */
			a->rust_join = 0;
			if (memmem(line, len, "`Err` value: Any { .. }", 23) ||
			    memmem(line, len, "`Err` value: PoisonError { .. }", 31)) {
				a->state = S_RUST_BODY;
				return C_YES;
			}
			return C_NO;
		}
		if (a->state == S_RUST_MSG) {
			a->state = S_RUST_BODY;
			return C_YES;
		}
		/* the note ends the panic's report ("note: run with
		 * `RUST_BACKTRACE=1` ...", "note: Some details are omitted
		 * ..."): an indented line after it is another writer's */
		if (a->state == S_RUST_NOTE && (line[0] == ' ' || line[0] == '\t'))
			return C_NO;
		if (has_prefix(line, len, "note: "))
			a->state = S_RUST_NOTE;
		/* the same thread panics again while it unwinds (a destructor
		 * that panics): one failure, up to Rust's abort */
		if (rust_same_thread(a->ev->lines[0], line, len)) {
			enter(a, QE_LANG_RUST, a->rule, line, len);
			a->no_frame = 0;
			return C_YES;
		}
		if (!a->no_hold && has_prefix(line, len, "thread 'main' ") &&
		    memmem(line, len, " panicked at ", 13) &&
		    !has_prefix(a->ev->lines[0], strlen(a->ev->lines[0]),
				"thread 'main' ")) {
			a->rust_join = 1;
			a->hold_msg = 1;
			return C_PEND;
		}
		/* fall through */
	default:
		if (blank)
			return C_PEND;
		/* "Main$QuotaException: msg" is no Node.js error when a Java
		 * frame follows: a class of the default package */
		if (a->lang == QE_LANG_NODE && a->state == S_NODE_HEAD) {
			jr = qe_rules_lang_rule(a->rules, QE_LANG_JAVA);
			if (jr != (size_t)-1 && jvm_frame_line(line, len) &&
			    qe_rules_match_cont(a->rules, jr, line, len)) {
				enter(a, QE_LANG_JAVA, jr, line, len);
				a->state = S_JAVA_FRAMES;
				goto merge;
			}
			/* "Error: msg", a blank line, "Caused by:" and a numbered
			 * list: the error a Rust main returned, with its sources
			 * (anyhow's and eyre's report) */
			jr = qe_rules_lang_rule(a->rules, QE_LANG_RUST);
			if (jr != (size_t)-1 && a->ev->nr_lines == 1 &&
			    a->nr_pend_blank &&
			    has_prefix(a->ev->lines[0], strlen(a->ev->lines[0]),
				       "Error: ") &&
			    len >= 10 && has_prefix(line, len, "Caused by:") &&
			    is_blank(line + 10, len - 10)) {
				enter(a, QE_LANG_RUST, jr, line, len);
				goto merge;
			}
		}
		if (indented_text(line, len) ||
		    qe_rules_match_cont(a->rules, a->rule, line, len)) {
			/* an indented line among held message lines is one of
			 * them (assert's diff): the first frame decides */
			if (a->lang == QE_LANG_NODE && a->no_frame && a->nr_pend &&
			    (line[0] == ' ' || line[0] == '\t') &&
			    !node_frame_line(line, len))
				return C_PEND;
			if (a->state == S_NODE_HEAD)
				a->state = S_NONE;
			a->no_frame = 0;
			return C_YES;
		}
		return a->no_frame ? message_line(a, line, len) : C_NO;
	}

merge:
	/* The error line was the log line that announced this trace. */
	{
		struct qe_event *ev = a->ev;
		struct qe_rule_info info;
		qe_rules_info(a->rules, jr, &info);
		free(ev->kind);
		free(ev->rule);
		ev->kind = qe_xstrdup(info.kind);
		ev->rule = qe_xstrdup(info.name);
	}
	return C_YES;
}

/* Remember the head line's writer tag so that the event's later lines can
 * be read without the prefix they share with it. */
static void set_tag(struct qe_assembler *a, const char *line, size_t len)
{
	struct qe_prefix p;
	a->strip = 0;
	if (!line_prefix(a, line, len, &p) || !p.tag_off || p.body - p.tag_off > TAG_MAX)
		return;
	a->tag_len = p.body - p.tag_off;
	memcpy(a->tag, line + p.tag_off, a->tag_len);
	a->strip = 1;
}

/* Remember npmlog's lead on the head line, when the event starts after
 * one: the bytes between the line's tag (if any) and off. */
static void set_lead(struct qe_assembler *a, const char *line, size_t len, size_t off)
{
	struct qe_prefix p;
	size_t base = 0;

	a->lead_len = 0;
	if (off < 6)
		return;
	if (a->strip && line_prefix(a, line, len, &p))
		base = p.body;
	if (off <= base || off - base > TAG_MAX ||
	    (npmlog_lead(line + base, len - base, 1) != off - base &&
	     npmlog_lead(line + base, len - base, 2) != off - base))
		return;
	a->lead_len = off - base;
	memcpy(a->lead, line + base, a->lead_len);
}

/* How much of a line to skip as the prefix it shares with the head. */
static inline size_t strip_off(struct qe_assembler *a, const char *line, size_t len)
{
	struct qe_prefix p;
	if (!a->strip || !len || !line_prefix(a, line, len, &p) || !p.tag_off)
		return 0;
	/* a collector's time alone (`kubectl logs --timestamps`) before a
	 * line that the program wrote without the bracketed fields its
	 * head had ("[shop] "): the program's own continuation */
	if (p.body == p.tag_off && a->tag_len && a->tag[0] == '[')
		return p.body;
	if (p.body - p.tag_off != a->tag_len ||
	    memcmp(line + p.tag_off, a->tag, a->tag_len))
		return 0;
	return p.body;
}

/* line is the whole line; the event starts off bytes into it. */
static void start_event(struct qe_assembler *a, const struct qe_rule_match *m,
			const char *line, size_t len, size_t off, uint64_t start_pos,
			uint64_t end_pos)
{
	struct qe_event *ev = qe_event_new(m->kind, m->name);

	ev->severity = (enum qe_severity)m->severity;
	ev->start_pos = start_pos;
	a->ev = ev;
	a->in_tail = 0;
	a->ruby_rescues = 0;
	set_tag(a, line, len);
	set_lead(a, line, len, off);
	line += off;
	len -= off;
	if (a->prelude != P_NONE) {
		ev->start_pos = a->prelude_start;
		a->lang = m->lang;
		pend_flush(a);
	}
	a->lang = m->lang;
	append(a, line, len, end_pos);
	if (m->type_len)
		ev->type = qe_xstrndup(line + m->type_off, m->type_len);
	if (m->msg_len) {
		free(ev->message);
		ev->message = qe_xstrndup(line + m->msg_off, m->msg_len);
	}
	enter(a, m->lang, m->rule, line, len);
	/* A user rule without continuation is complete on its own line. */
	if (m->lang == QE_LANG_USER) {
		struct qe_rule_info info;
		qe_rules_info(a->rules, m->rule, &info);
		if (!info.continuation)
			close_event(a);
	}
}

/* "/app/server.js:42", "file:///app/x.mjs:3" or "node:internal/x:9":
 * where Node.js says an
 * uncaught error was thrown, above the source line.  Most lines fail on
 * the first or last byte. */
static int node_location_line(const char *s, size_t n)
{
	static const char *const ext[] = {".js", ".mjs", ".cjs", ".jsx",
					  ".ts", ".mts", ".cts", ".tsx"};
	size_t i, k;

	if (n && s[n - 1] == '\r')
		n--;
	/* (a path relative to the current directory too, "lib/x.js:1":
	 * vm's code given a file name) */
	if (n < 6 ||
	    (s[0] != '/' && s[0] != '<' && s[0] != '[' && s[0] != '.' &&
	     (s[0] < 'a' || s[0] > 'z')) ||
	    s[n - 1] < '0' || s[n - 1] > '9')
		return 0;
	/* code given as a string: node -e's "[eval]:1", a worker's
	 * "[worker eval]:3" */
	if (s[0] == '[') {
		if (!has_prefix(s, n, "[eval]:") && !has_prefix(s, n, "[worker eval]:"))
			return 0;
		i = n;
		while (i && is_digit(s[i - 1]))
			i--;
		return s[i - 1] == ':' && s[i - 2] == ']';
	}
	/* code without a file: JSON.parse's "<anonymous_script>:1", eval's
	 * "<anonymous>:3" */
	if (s[0] == '<') {
		if (!has_prefix(s, n, "<anonymous"))
			return 0;
		i = n;
		while (i && is_digit(s[i - 1]))
			i--;
		return i > 3 && s[i - 1] == ':' && s[i - 2] == '>' && !memchr(s, ' ', n);
	}
	/* Node's own code: "node:internal/process/promises:391" */
	if (s[0] == 'n' && has_prefix(s, n, "node:")) {
		if (memchr(s, ' ', n))
			return 0;
		i = n;
		while (i && is_digit(s[i - 1]))
			i--;
		return i > 5 && s[i - 1] == ':';
	}
	i = n;
	while (i && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	if (!i || s[i - 1] != ':' || memchr(s, ' ', i))
		return 0;
	i--;
	for (k = 0; k < QE_ARRAY_SIZE(ext); k++) {
		size_t l = strlen(ext[k]);
		if (i > l && !memcmp(s + i - l, ext[k], l))
			return 1;
	}
	return 0;
}

/* A relative location on a line of its own, which the first byte of
 * most lines does not let through to the prelude: node_location_line()'s
 * last byte and spaces rule out the rest. */
static int node_rel_location(const char *s, size_t n)
{
	return n > 5 && ((s[0] >= 'a' && s[0] <= 'z') || s[0] == '.') &&
	       is_digit(s[n - 1]) && node_location_line(s, n);
}

/* java.util.logging's first line: "Dec 01, 2026 9:05:36 AM shop.Orders run". */
static int jul_header(const char *s, size_t n)
{
	size_t i = 7;
	if (n < 24 || s[0] < 'A' || s[0] > 'Z' || s[3] != ' ' || !is_digit(s[4]) ||
	    !is_digit(s[5]) || s[6] != ',' || s[7] != ' ')
		return 0;
	for (i = 8; i < 12; i++)
		if (!is_digit(s[i]))
			return 0;
	if (s[12] != ' ' || !is_digit(s[13]))
		return 0;
	i = 13;
	while (i < n && (is_digit(s[i]) || s[i] == ':'))
		i++;
	return i + 4 < n &&
	       (has_prefix(s + i, n - i, " AM ") || has_prefix(s + i, n - i, " PM "));
}

/* Python's announcement of a traceback that follows: threading's
 * "Exception in thread worker-1:" (Java names the thread in quotes and
 * the exception on the same line), asyncio's "Task exception was never
 * retrieved" and its siblings, the unraisable hook's "Exception ignored
 * in: ...". */
static int py_head_line(const char *s, size_t n)
{
	static const char *const asyncio[] = {
	    "Task exception was never retrieved", "Future exception was never retrieved",
	    "Exception in callback ", "Unhandled error in exception handler"};
	size_t k;

	if (has_prefix(s, n, "Exception in thread ") && n > 21 && s[20] != '"' &&
	    s[n - 1] == ':')
		return 1;
	/* what raised in a finalizer or a callback nothing could raise to:
	 * "Exception ignored in: <function Conn.__del__ at 0x7f...>" */
	if (has_prefix(s, n, "Exception ignored in: "))
		return 1;
	/* socketserver's (and so http.server's) report of what a request
	 * handler raised: "... from ('127.0.0.1', 40772)" */
	if (has_prefix(s, n, "Exception occurred during processing of request from "))
		return 1;
	for (k = 0; k < QE_ARRAY_SIZE(asyncio); k++)
		if (has_prefix(s, n, asyncio[k]))
			return 1;
	return 0;
}

/* A line that announces the traceback under it, as logging.exception()
 * and the servers that call it write their message above it ("Error on
 * request:", "Exception on /redeem [GET]:"): not indented, ending in one
 * ':'.  Held until the next line shows whether a traceback follows. */
static int announce_line(const char *s, size_t n)
{
	n = trim_end(s, n);
	return n >= 6 && s[n - 1] == ':' && s[n - 2] != ':' && s[0] != ' ' &&
	       s[0] != '\t';
}

/* Ruby's report of a thread killed by an exception, above the exception:
 * "#<Thread:0x000... app.rb:4 run> terminated with exception
 * (report_on_exception is true):". */
static int ruby_thread_head(const char *s, size_t n)
{
	return has_prefix(s, n, "#<Thread:") &&
	       memmem(s, n, "> terminated with exception", 27);
}

/* What asyncio writes between its announcement and the traceback:
 * "future: <Task finished ...>", "handle: <Handle ...>". */
static int py_head_detail(const char *s, size_t n)
{
	return has_prefix(s, n, "future: <") || has_prefix(s, n, "handle: <") ||
	       has_prefix(s, n, "protocol: <") || has_prefix(s, n, "transport: <");
}

/* A line that heads a report whose first matching line comes after it:
 * Go's "runtime: goroutine stack exceeds ..." (and "runtime: sp=...")
 * before "fatal error: stack overflow", Rust's "thread 'main' has
 * overflowed its stack" before "fatal runtime error: stack overflow",
 * java.util.logging's date and source line before "SEVERE: ...", the
 * thread and task announcements of Python and Ruby before their traces. */
static int head_line(const char *s, size_t n, enum qe_rule_lang *lang)
{
	static const char overflow[] = "has overflowed its stack";
	size_t l = sizeof(overflow) - 1;

	n = trim_end(s, n);
	if (py_head_line(s, n)) {
		*lang = QE_LANG_PYTHON;
		return 1;
	}
	if (ruby_thread_head(s, n)) {
		*lang = QE_LANG_RUBY;
		return 1;
	}
	if (has_prefix(s, n, "runtime: ") && n > 9 && s[9] != ' ') {
		*lang = QE_LANG_GO;
		return 1;
	}
	if (has_prefix(s, n, "thread '") && n > l && !memcmp(s + n - l, overflow, l)) {
		*lang = QE_LANG_RUST;
		return 1;
	}
	if (jul_header(s, n)) {
		*lang = QE_LANG_LINE;
		return 1;
	}
	return 0;
}

/* A prelude's or head line's text: the line without a log prefix
 * (timestamp, level) it may carry; its length in *blen. */
static const char *prelude_body(struct qe_assembler *a, const char *line, size_t len,
				size_t *blen)
{
	struct qe_prefix p;

	if (len &&
	    (is_digit(line[0]) || line[0] == '[' || (line[0] >= 'A' && line[0] <= 'Z')) &&
	    line_prefix(a, line, len, &p) && p.body <= len) {
		*blen = len - p.body;
		return line + p.body;
	}
	*blen = len;
	return line;
}

/* Whether the line has "runtime: ", "thread '" or " AM "/" PM " in it
 * (memchr for the byte each one turns on). */
static int head_hint(const char *s, size_t n)
{
	const char *e = s + n, *q;

	for (q = s + 7; q < e - 1 && (q = memchr(q, ':', (size_t)(e - 1 - q))); q++)
		if (q[1] == ' ' && !memcmp(q - 7, "runtime", 7))
			return 1;
	for (q = s + 7; q < e && (q = memchr(q, '\'', (size_t)(e - q))); q++)
		if (!memcmp(q - 7, "thread ", 7))
			return 1;
	for (q = s + 2; q < e - 1 && (q = memchr(q, 'M', (size_t)(e - 1 - q))); q++)
		if (q[1] == ' ' && (q[-1] == 'A' || q[-1] == 'P') && q[-2] == ' ')
			return 1;
	return 0;
}

static int report_head(const char *line, size_t len)
{
	char c = end_byte(line, len);
	const char *s;
	size_t n = len;

	if (has_prefix(line, len, "usage: "))
		return 1;
	if (c == ')')
		return go_test_fail(line, len);
	if (c == '=' || c == '*')
		return unittest_rule_of(line, len, c);
	if (is_digit(c)) {
		if (!test_run_end(line, len))
			return 0;
		s = after_prefix(line, &n);
		return test_run_open(s, n);
	}
	return unittest_progress(line, len);
}

/* What qe_assembler_head_start() says, less the announcements, which
 * inside an event are part of its text ("Caused by:"). */
static int head_start_form(const char *line, size_t len)
{
	enum qe_rule_lang lang;
	const char *body;
	size_t blen;

	/* most lines have none of what the forms below need */
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
		len--;
	/* Go's logger, whose line may be log.Panic's before its panic */
	if (go_log_stamp(line, len))
		return 1;
	if (ruler_line(line, len))
		return 1;
	/* the same rule behind a collector's time (`kubectl logs --timestamps`) */
	if (len > 20 && (line[len - 1] == '=' || line[len - 1] == '-') &&
	    (is_digit(line[0]) || line[0] == '[')) {
		body = prelude_body(NULL, line, len, &blen);
		if (body != line && ruler_line(body, blen))
			return 1;
	}
	/* a test runner's lines above its report of a failure: go test's
	 * "--- FAIL:", unittest's progress line and rule, doctest's rule,
	 * TAP's and minitest's first line; argparse's usage line */
	if (report_head(line, len))
		return 1;
	if (len < 6 || !(is_digit(line[len - 1]) ? memchr(line, ':', len) != NULL
						 : head_hint(line, len)))
		return 0;
	body = prelude_body(NULL, line, len, &blen);
	return blen && (node_location_line(body, blen) || head_line(body, blen, &lang) ||
			(body != line && head_line(line, len, &lang)));
}

static int node_object_open(const char *s, size_t n);

int qe_assembler_head_start(const char *line, size_t len)
{
	return head_start_form(line, len) || announce_line(line, len) ||
	       node_object_open(line, len);
}

int qe_assembler_head_above(const char *line, size_t len)
{
	const char *body;
	size_t blen;

	/* argparse's "prog: error: ..." under its usage line */
	if (argparse_error_line(line, len))
		return 1;
	/* the last byte first: most lines end otherwise */
	if (len < 7 || (line[len - 1] != 'g' && !is_digit(line[len - 1]) &&
			line[len - 1] != ' ' && line[len - 1] != '\r'))
		return 0;
	if (line[0] == '\t' && go_location_line(line, len))
		return 2;
	/* Devel::StackTrace's: the message, a blank line, then it */
	if (line[0] == 'T' && perl_trace_begun(line, len))
		return 2;
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
		len--;
	if (len < 19 || line[len - 1] != 'g' ||
	    (memcmp(line + len - 9, "executing", 9) &&
	     memcmp(line + len - 9, "compiling", 9)))
		return 0;
	body = prelude_body(NULL, line, len, &blen);
	return blen && (body[0] == ' ' || body[0] == '\t') && tcl_trace_head(body, blen);
}

/* Bytes that can begin a prelude or a head line, or a prefix before one. */
static int prelude_byte(char c)
{
	return c == '/' || c == 'f' || c == 'n' || c == 'r' || c == 't' || c == '[' ||
	       c == '#' || c == '<' || c == '=' || c == '-' || (c >= 'A' && c <= 'Z') ||
	       is_digit(c);
}

/* Bytes that can begin a prelude or a head line after a log prefix:
 * not java.util.logging's month, which comes first on its line. */
static int prelude_body_byte(char c)
{
	return c == '/' || c == 'f' || c == 'n' || c == 'r' || c == 't' || c == '#' ||
	       c == '<' || c == 'E' || c == 'T' || c == 'F' || c == 'U';
}

/* A match of a trace language's built-in rule for a line no pattern
 * takes, known by its place after a prelude; 0 without the rule. */
static int lang_match(struct qe_assembler *a, enum qe_rule_lang lang,
		      struct qe_rule_match *m)
{
	struct qe_rule_info info;
	size_t jr = qe_rules_lang_rule(a->rules, lang);

	if (jr == (size_t)-1)
		return 0;
	qe_rules_info(a->rules, jr, &info);
	memset(m, 0, sizeof(*m));
	m->rule = jr;
	m->lang = lang;
	m->severity = QE_SEV_ERROR;
	m->name = info.name;
	m->kind = info.kind;
	return 1;
}

/* "UnhandledPromiseRejection: msg": a capitalised name, then ": ". */
static int node_named_error(const char *s, size_t n)
{
	size_t i = capital_name(s, n, '$');
	return i && i + 2 < n && s[i] == ':' && s[i + 1] == ' ';
}

/* "job failed {": console.log's text, then an object over several lines. */
static int node_object_open(const char *s, size_t n)
{
	while (n && s[n - 1] == '\r')
		n--;
	return n >= 3 && s[0] != ' ' && s[0] != '\t' && s[n - 1] == '{' &&
	       s[n - 2] == ' ';
}

/* "  err: TypeError: msg": a key of that object whose value is an error,
 * its stack on the lines after. */
static int node_object_error(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n && s[i] == ' ')
		i++;
	if (i < 2 || i == n)
		return 0;
	while (i < n && (s[i] == '_' || s[i] == '$' || is_digit(s[i]) ||
			 (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
		i++;
	if (i + 2 >= n || s[i] != ':' || s[i + 1] != ' ' || s[i + 2] < 'A' ||
	    s[i + 2] > 'Z')
		return 0;
	for (k = i += 2;
	     k < n && (s[k] == '_' || s[k] == '$' || is_digit(s[k]) ||
		       (s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z'));
	     k++)
		;
	return k - i >= 5 && !memcmp(s + k - 5, "Error", 5) && (k == n || s[k] == ':');
}

/*
 * Hold the lines of a Node.js prelude or of a report's head lines while
 * no event is open.  Returns 1 when the line was taken (held, or it
 * started the event the prelude belongs to), 0 when it is to be handled
 * as usual (the prelude, if any, is dropped; a start match found on the
 * way is left in a->next).
 */
/* console.trace()'s first line: "Trace: msg", or "Trace" alone. */
static int node_trace_head(const char *s, size_t n)
{
	while (n && s[n - 1] == '\r')
		n--;
	return has_prefix(s, n, "Trace") && (n == 5 || has_prefix(s + 5, n - 5, ": "));
}

/* The first line of a prelude of the given kind, held: 1, or 0 when it
 * cannot be (the line is then fed as any other). */
static int prelude_hold(struct qe_assembler *a, const char *s, size_t n,
			uint64_t start_pos, uint64_t end_pos, enum prelude kind)
{
	pend_reset(a);
	if (pend_add(a, s, n, end_pos, 0) < 0)
		return 0;
	a->prelude = kind;
	a->prelude_start = start_pos;
	return 1;
}

static int prelude_feed(struct qe_assembler *a, const char *line, size_t len,
			uint64_t start_pos, uint64_t end_pos)
{
	size_t blen;
	const char *body = prelude_body(a, line, len, &blen);
	enum qe_rule_lang lang;
	int blank;
	struct qe_rule_match tm;
	size_t toff;

	if (a->prelude == P_NONE && node_object_open(line, len)) {
		struct qe_rule_match m;
		size_t off;
		if (find_start(a, line, len, &m, &off)) {
			a->have_next = 1;
			a->next = m;
			a->next_off = off;
			return 0;
		}
		return prelude_hold(a, line, len, start_pos, end_pos, P_OBJ);
	}
	/* a sanitizer's rule, held until the report under it */
	if (a->prelude == P_NONE && ruler_line(body, blen))
		return prelude_hold(a, body, blen, start_pos, end_pos, P_RULER);
	/* what can begin a prelude: '/', "file:", "runtime: ", "thread '",
	 * java.util.logging's month (never after a prefix) */
	if (a->prelude == P_NONE &&
	    (!blen || (!prelude_body_byte(body[0]) && !node_rel_location(body, blen) &&
		       !(body == line && line[0] >= 'A' && line[0] <= 'Z') &&
		       !announce_line(body, blen))))
		return 0;
	/* console.trace(): "Trace: msg" (or "Trace"), then the stack; held
	 * until a frame shows it is one.  (A line held from P_NONE must be
	 * one qe_assembler_takes() takes too.) */
	if (a->prelude == P_NONE && node_trace_head(body, blen) &&
	    !find_start(a, line, len, &tm, &toff)) {
		return prelude_hold(a, body, blen, start_pos, end_pos, P_TRACE);
	}
	if (node_location_line(body, blen)) {
		/* a second source context under the first: an error thrown
		 * again where it was handed on (a worker's, re-thrown by the
		 * parent's event loop) */
		if (a->prelude == P_CARET) {
			if (pend_add(a, body, blen, end_pos, 0) < 0)
				return 0;
			a->prelude = P_LOC;
			return 1;
		}
		return prelude_hold(a, body, blen, start_pos, end_pos, P_LOC);
	}
	if (head_line(body, blen, &lang)) {
		/* Go writes several "runtime: " lines */
		if (a->prelude == P_HEAD && a->prelude_lang == lang &&
		    lang == QE_LANG_GO && pend_add(a, body, blen, end_pos, 0) == 0)
			return 1;
		/* socketserver's rule, then its announcement */
		if (a->prelude == P_RULER && a->pend.buf[0] == '-' &&
		    lang == QE_LANG_PYTHON && pend_add(a, body, blen, end_pos, 0) == 0) {
			a->prelude = P_HEAD;
			a->prelude_lang = lang;
			return 1;
		}
		a->prelude_lang = lang;
		return prelude_hold(a, body, blen, start_pos, end_pos, P_HEAD);
	}
	/* a message above the traceback it announces, not itself an event */
	if (a->prelude == P_NONE && announce_line(body, blen) &&
	    !find_start(a, line, len, &tm, &toff)) {
		a->prelude_lang = QE_LANG_PYTHON;
		return prelude_hold(a, body, blen, start_pos, end_pos, P_HEAD);
	}
	/* asyncio names the task or callback before the traceback */
	if (a->prelude == P_HEAD && a->prelude_lang == QE_LANG_PYTHON &&
	    py_head_detail(body, blen) && pend_add(a, body, blen, end_pos, 0) == 0)
		return 1;
	/* the lines of a prelude are held, and tested, without the prefix */
	blank = is_blank(body, blen);
	switch (a->prelude) {
	case P_NONE:
		return 0;
	case P_HEAD:
	case P_BLANK:
	case P_CARET: {
		struct qe_rule_match m;
		size_t off;
		if (a->prelude == P_CARET && blank) {
			if (pend_add(a, body, blen, end_pos, 1) < 0)
				break;
			a->prelude = P_BLANK;
			return 1;
		}
		/* an announcement, then a Ruby backtrace without "from": Rack's
		 * dump of what a request raised ("time - Class - message:") */
		if (a->prelude == P_HEAD && a->nr_pend == 1 &&
		    announce_line(a->pend.buf, a->pend_len[0]) &&
		    ruby_bare_frame(line, len) && lang_match(a, QE_LANG_RUBY, &m)) {
			start_event(a, &m, line, len, 0, start_pos, end_pos);
			a->state = S_RUBY_BARE;
			return 1;
		}
		/* java.util.logging below SEVERE: "WARNING: msg" is no error
		 * line, but the exception it logged may follow */
		if (a->prelude == P_HEAD && a->prelude_lang == QE_LANG_LINE &&
		    a->nr_pend == 1 &&
		    (has_prefix(body, blen, "WARNING: ") ||
		     has_prefix(body, blen, "INFO: ")) &&
		    pend_add(a, body, blen, end_pos, 0) == 0)
			return 1;
		if (blank)
			break;
		if (!find_start(a, line, len, &m, &off)) {
			/* throw 'text': the value itself under the carets */
			if (a->prelude == P_CARET &&
			    pend_add(a, body, blen, end_pos, 0) == 0) {
				a->prelude = P_VALUE;
				return 1;
			}
			/* an error whose name says no "Error" ("Unhandled
			 * PromiseRejection: ..."), where Node puts the error */
			if (a->prelude == P_BLANK && node_named_error(body, blen) &&
			    lang_match(a, QE_LANG_NODE, &m)) {
				start_event(a, &m, line, len, (size_t)(body - line),
					    start_pos, end_pos);
				return 1;
			}
			break;
		}
		/* after java.util.logging's lines, "Main$QuotaException: msg"
		 * (which the Node.js rule takes) is a Java exception of the
		 * default package: its frames make it one */
		if (a->prelude == P_HEAD
			? m.lang == a->prelude_lang ||
			      (a->prelude_lang == QE_LANG_LINE &&
			       (m.lang == QE_LANG_JAVA ||
				(m.lang == QE_LANG_NODE && a->nr_pend == 2)))
			: m.lang == QE_LANG_NODE) {
			start_event(a, &m, line, len, off, start_pos, end_pos);
			return 1;
		}
		a->have_next = 1;
		a->next = m;
		a->next_off = off;
		break;
	}
	case P_LOC: {
		struct qe_rule_match m;
		size_t off;
		if (blank)
			break;
		if (find_start(a, line, len, &m, &off)) {
			a->have_next = 1;
			a->next = m;
			a->next_off = off;
			break;
		}
		if (pend_add(a, body, blen, end_pos, 0) < 0)
			break;
		a->prelude = P_CODE;
		return 1;
	}
	case P_CODE:
		if (!caret_line(body, blen) || pend_add(a, body, blen, end_pos, 0) < 0)
			break;
		a->prelude = P_CARET;
		return 1;
	case P_OBJ: {
		struct qe_rule_match m;
		size_t off;
		if (blank || (line[0] != ' ' && line[0] != '\t'))
			break;
		if (find_start(a, line, len, &m, &off)) {
			a->have_next = 1;
			a->next = m;
			a->next_off = off;
			break;
		}
		if (node_object_error(line, len) && lang_match(a, QE_LANG_NODE, &m)) {
			start_event(a, &m, line, len, 0, start_pos, end_pos);
			return 1;
		}
		if (pend_add(a, line, len, end_pos, 0) < 0)
			break;
		return 1;
	}
	case P_RULER: {
		struct qe_rule_match m;
		size_t off;
		if (a->pend.buf[0] == '-')
			break; /* no announcement of a traceback under it */
		if (blank || !find_start(a, line, len, &m, &off))
			break;
		if (!off && blen &&
		    (a->pend.buf[0] == '='
			 ? body[0] == '=' && asan_report_head(body, blen)
			 : has_prefix(body, blen, "Fortran runtime error: "))) {
			start_event(a, &m, line, len, off, start_pos, end_pos);
			return 1;
		}
		a->have_next = 1;
		a->next = m;
		a->next_off = off;
		break;
	}
	case P_TRACE: {
		struct qe_rule_match m;
		if (!node_frame_line(line, len) || !lang_match(a, QE_LANG_NODE, &m))
			break;
		start_event(a, &m, line, len, 0, start_pos, end_pos);
		a->state = S_NONE;
		a->no_frame = 0;
		return 1;
	}
	case P_GO_STACK: {
		struct qe_rule_match m;
		if (!go_location_line(line, len) || !lang_match(a, QE_LANG_GO, &m))
			break;
		start_event(a, &m, line, len, 0, start_pos, end_pos);
		a->state = S_GO_BARE;
		return 1;
	}
	case P_VALUE: {
		struct qe_rule_match m;
		if (!has_prefix(body, blen, "(Use `node --trace-uncaught ") ||
		    !lang_match(a, QE_LANG_NODE, &m))
			break;
		start_event(a, &m, line, len, body - line, start_pos, end_pos);
		/* no frames follow, only the blank line and "Node.js v20" */
		a->state = S_NONE;
		a->no_frame = 0;
		return 1;
	}
	}
	pend_reset(a);
	return 0;
}

/*
 * Close the event.  Lines held as its message that turned out not to be
 * are fed again as lines of their own, as they would have been had they
 * not been held (one may head the next event).
 */
static void close_or_replay(struct qe_assembler *a)
{
	struct qe_buf held = QE_BUF_INIT;
	size_t lens[PEND_MAX_LINES], i, n = a->nr_pend, off = 0;
	uint64_t starts[PEND_MAX_LINES], ends[PEND_MAX_LINES], at = a->line_start;

	if (!a->ev || !a->hold_msg || !n) {
		close_event(a);
		return;
	}
	qe_buf_add(&held, a->pend.buf, a->pend.len);
	memcpy(lens, a->pend_len, n * sizeof(*lens));
	/* each line where it was: another stream's lines may lie between */
	memcpy(starts, a->pend_start, n * sizeof(*starts));
	memcpy(ends, a->pend_end, n * sizeof(*ends));
	close_event(a);
	for (i = 0; i < n; i++) {
		qe_assembler_feed(a, held.buf + off, lens[i], starts[i], ends[i]);
		off += lens[i];
	}
	a->line_start = at; /* the line at hand, if one is */
	qe_buf_release(&held);
	a->have_next = 0;
}

void qe_assembler_feed(struct qe_assembler *a, const char *line, size_t len,
		       uint64_t start_pos, uint64_t end_pos)
{
	struct qe_rule_match m;
	size_t off = 0;

	a->have_next = 0;
	a->pfx_known = a->no_start_known = 0;
	a->line_start = start_pos;
	a->last_open = 0;
	if (a->ev) {
		size_t so = strip_off(a, line, len);
		if (a->lead_len && len - so >= a->lead_len &&
		    !memcmp(line + so, a->lead, a->lead_len))
			so += a->lead_len;
		/* a Python traceback logged through Twisted's logger */
		if (!a->tab_strip && a->lang == QE_LANG_LINE && a->ev->nr_lines == 1 &&
		    len - so >= 35 && line[so] == '\t' &&
		    has_prefix(line + so + 1, len - so - 1,
			       "Traceback (most recent call last):"))
			a->tab_strip = 1;
		if (a->tab_strip && so < len && line[so] == '\t')
			so++;
		a->cur_off = so;
		switch (continues(a, line + so, len - so)) {
		case C_YES:
			pend_flush(a);
			append(a, line + so, len - so, end_pos);
			return;
		case C_PEND:
			if (pend_add(a, line + so, len - so, end_pos,
				     is_blank(line + so, len - so)) == 0)
				return;
			/* too much held back: the event is over */
			close_or_replay(a);
			if (is_blank(line + so, len - so))
				return;
			break;
		case C_JOIN:
			pend_trim_blank(a);
			pend_flush(a);
			close_event(a);
			break;
		case C_NO:
			if (a->hold_msg) {
				close_or_replay(a);
				/* the line is looked at again after them */
				qe_assembler_feed(a, line, len, start_pos, end_pos);
				return;
			}
			close_event(a);
			break;
		}
		/* an error line is matched whole, its prefix and all */
		if (a->have_next && a->next_off && !is_trace_lang(a->next.lang))
			a->have_next = 0;
	}
	a->cur_off = 0;
	/* the first byte rules out a prelude on most lines */
	if (!a->have_next &&
	    (a->prelude != P_NONE || (len && prelude_byte(line[0])) ||
	     node_rel_location(line, len) || (len > 2 && line[len - 1] == '{') ||
	     announce_line(line, len)) &&
	    prelude_feed(a, line, len, start_pos, end_pos))
		return;
	if (a->have_next) {
		m = a->next;
		off = a->next_off;
		a->have_next = 0;
	} else if (is_blank(line, len) || !find_start(a, line, len, &m, &off)) {
		if (go_stack_hold(a, line, len, start_pos, end_pos))
			return;
		if (a->last.len &&
		    go_test_event(a, NULL, line, len, 0, start_pos, end_pos))
			return;
		if (a->last.len && node_frames_event(a, line, len, start_pos, end_pos))
			return;
		if (a->last.len && doctest_event(a, line, len, start_pos, end_pos))
			return;
		if (a->last.len && unittest_event(a, line, len, start_pos, end_pos))
			return;
		if (a->last.len && argparse_event(a, line, len, start_pos, end_pos))
			return;
		if (test_run_event(a, line, len, start_pos, end_pos))
			return;
		last_keep(a, line, len, start_pos, end_pos);
		return;
	}
	if (m.lang == QE_LANG_LINE && tcl_trace_head(line + off, len - off)) {
		tcl_event(a, &m, line, len, off, start_pos, end_pos);
		qe_buf_reset(&a->last);
		return;
	}
	if (m.lang == QE_LANG_LINE && perl_trace_begun(line + off, len - off)) {
		perl_trace_event(a, &m, line, len, off, start_pos, end_pos);
		qe_buf_reset(&a->last);
		return;
	}
	if (a->last.len && rake_event(a, &m, line, len, off, start_pos, end_pos))
		return;
	if (a->last.len && unittest_event(a, line, len, start_pos, end_pos))
		return;
	if (a->last.len && go_test_event(a, &m, line, len, off, start_pos, end_pos))
		return;
	if (a->last.len) {
		if (m.lang == QE_LANG_GO && !off)
			go_log_event(a, &m, line, len, start_pos);
		qe_buf_reset(&a->last);
	}
	start_event(a, &m, line, len, off, start_pos, end_pos);
}

/*
 * What qe_assembler_feed() does with a line while the assembler is idle,
 * without doing it: a prelude or head line held (prelude_feed() from
 * P_NONE), or the start of an event (find_start()).  Keep the two in step:
 * tests/unit/test_assemble.c feeds the runtime corpora through both.
 */
int qe_assembler_takes(struct qe_assembler *a, const char *line, size_t len)
{
	struct qe_rule_match m;
	enum qe_rule_lang lang;
	const char *body;
	size_t off, blen;
	int take = 1;

	if (!qe_assembler_idle(a))
		return 1;
	a->pfx_known = a->no_start_known = 0;
	a->peek = 1;
	if ((len && prelude_byte(line[0])) || node_rel_location(line, len) ||
	    (len > 2 && line[len - 1] == '{')) {
		if (node_object_open(line, len))
			goto out;
		body = prelude_body(a, line, len, &blen);
		if (ruler_line(body, blen))
			goto out;
		if (blen &&
		    (prelude_body_byte(body[0]) || node_rel_location(body, blen) ||
		     (body == line && line[0] >= 'A' && line[0] <= 'Z')) &&
		    (node_trace_head(body, blen) || node_location_line(body, blen) ||
		     head_line(body, blen, &lang)))
			goto out;
	}
	blen = len;
	if (test_run_end(line, len) && (body = after_prefix(line, &blen)) &&
	    test_run_open(body, blen))
		goto out;
	take = !is_blank(line, len) && find_start(a, line, len, &m, &off);
	if (!take && len <= LAST_MAX && opens_stack(line, len))
		take = 1;
	if (!take && announce_line(line, len)) {
		body = prelude_body(a, line, len, &blen);
		take = announce_line(body, blen);
	}
out:
	a->peek = 0;
	a->pfx_known = a->no_start_known = 0;
	return take;
}

void qe_assembler_feed_cut(struct qe_assembler *a, const char *line, size_t len,
			   uint64_t start_pos, uint64_t end_pos, int cut)
{
	a->cut = cut != 0;
	qe_assembler_feed(a, line, len, start_pos, end_pos);
	a->cut = 0;
}
