/* assemble: see assemble.h */
#include "assemble.h"

#include "event.h"
#include "rules.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_LINES 200
#define DEFAULT_MAX_BYTES 65536
/* Lines held back until the next line shows whether they belong to the
 * open event: blank lines inside a trace, or the extra lines of a
 * multi-line Java exception message before its first frame. */
#define PEND_MAX_LINES 8
#define PEND_MAX_BLANK 2
#define PEND_MAX_BYTES 8192

enum cont { C_NO, C_YES, C_PEND };

/* How far a Node.js source-context prelude has got, while no event is
 * open: "/app/server.js:42", the source line, a caret line, a blank
 * line, then the error itself. */
enum prelude { P_NONE, P_LOC, P_CODE, P_CARET, P_BLANK };

enum state {
	S_NONE,
	S_JAVA_HEAD, /* exception line seen, no frame yet */
	S_JAVA_FRAMES,
	S_PY_FRAMES, /* after "Traceback ...": frames until the exception line */
	S_PY_EXC,    /* after the exception line: only a chain marker continues */
	S_PY_CHAIN,  /* after a chain marker: the next traceback continues */
	S_PY_GROUP,  /* inside an exception group drawn with | and + */
	S_RUST_MSG,  /* new-style header: the next line is the message */
	S_RUST_BODY,
	S_PHP_BODY,
	S_PHP_DONE, /* "thrown in" seen: the last line of a PHP trace */
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

	struct qe_buf pend; /* held-back lines, back to back */
	size_t pend_len[PEND_MAX_LINES];
	uint64_t pend_end[PEND_MAX_LINES];
	size_t nr_pend, nr_pend_blank;
	unsigned pend_cut;    /* bit i: held line i was cut at the line cap */
	int cut;	      /* the line being appended was cut */
	enum prelude prelude; /* the held lines are a prelude, not a trace's */
	uint64_t prelude_start;

	/* A start match found while deciding a continuation, reused so the
	 * line is not matched twice. */
	int have_next;
	struct qe_rule_match next;
};

struct qe_assembler *qe_assembler_new(struct qe_rules *r, size_t max_lines,
				      size_t max_bytes, qe_event_fn fn, void *data)
{
	struct qe_assembler *a = qe_xcalloc(1, sizeof(*a));
	a->rules = r;
	a->max_lines = max_lines ? max_lines : DEFAULT_MAX_LINES;
	a->max_bytes = max_bytes ? max_bytes : DEFAULT_MAX_BYTES;
	a->fn = fn;
	a->data = data;
	qe_buf_init(&a->pend);
	return a;
}

void qe_assembler_free(struct qe_assembler *a)
{
	if (!a)
		return;
	qe_event_free(a->ev);
	qe_buf_release(&a->pend);
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

static int is_blank(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static int has_prefix(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);
	return n >= l && !memcmp(s, p, l);
}

/* Add a line to the open event, or count it once the caps are reached. */
static void append(struct qe_assembler *a, const char *line, size_t len, uint64_t end_pos)
{
	struct qe_event *ev = a->ev;

	if (!ev->truncated && ev->nr_lines &&
	    (ev->nr_lines + 1 > a->max_lines || ev->bytes + len > a->max_bytes))
		ev->truncated = 1;
	if (ev->truncated) {
		ev->dropped_lines++;
	} else if (len > a->max_bytes) {
		/* only a first line can get here: keep its head */
		qe_event_add_line(ev, line, a->max_bytes);
		ev->truncated = 1;
	} else {
		qe_event_add_line(ev, line, len);
		if (a->cut)
			ev->truncated = 1; /* the line was kept without its end */
	}
	ev->end_pos = end_pos;
}

static void pend_reset(struct qe_assembler *a)
{
	qe_buf_reset(&a->pend);
	a->nr_pend = a->nr_pend_blank = 0;
	a->pend_cut = 0;
	a->prelude = P_NONE;
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

static void close_event(struct qe_assembler *a)
{
	struct qe_event *ev = a->ev;

	a->ev = NULL;
	pend_reset(a);
	if (!ev)
		return;
	qe_trace_parse(ev);
	/* A lone "SomeError: message" line without frames is a plain error
	 * line that happens to name a type, not a Node.js trace. */
	if (a->lang == QE_LANG_NODE && ev->nr_lines == 1 && !ev->truncated) {
		free(ev->kind);
		ev->kind = qe_xstrdup("line");
	}
	a->fn(ev, a->data);
}

void qe_assembler_flush(struct qe_assembler *a)
{
	close_event(a);
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
	default:
		a->state = S_NONE;
		break;
	}
}

static int is_trace_lang(enum qe_rule_lang l)
{
	return l != QE_LANG_USER && l != QE_LANG_LINE;
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

static int py_chain_marker(const char *s, size_t n)
{
	return has_prefix(s, n,
			  "During handling of the above exception, another exception "
			  "occurred:") ||
	       has_prefix(s, n,
			  "The above exception was the direct cause of the following "
			  "exception:");
}

/* Start match for a line seen while an event is open; cached for reuse. */
static int start_match(struct qe_assembler *a, const char *line, size_t len)
{
	a->have_next = qe_rules_match_start(a->rules, line, len, &a->next);
	return a->have_next;
}

static enum cont continues(struct qe_assembler *a, const char *line, size_t len)
{
	int blank = is_blank(line, len);
	size_t jr;

	switch (a->lang) {
	case QE_LANG_USER:
		return qe_rules_match_cont(a->rules, a->rule, line, len) ? C_YES : C_NO;
	case QE_LANG_LINE:
		if (blank)
			return a->nr_pend_blank ? C_NO : C_PEND;
		/* "ERROR ... Failed: java.lang.X: boom" then "\tat ..." */
		jr = qe_rules_lang_rule(a->rules, QE_LANG_JAVA);
		if (jr != (size_t)-1 && (line[0] == ' ' || line[0] == '\t') &&
		    qe_rules_match_cont(a->rules, jr, line, len)) {
			enter(a, QE_LANG_JAVA, jr, line, len);
			a->state = S_JAVA_FRAMES;
			goto merge;
		}
		if (start_match(a, line, len) && is_trace_lang(a->next.lang)) {
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
		if (qe_rules_match_cont(a->rules, a->rule, line, len)) {
			a->state = S_JAVA_FRAMES;
			return C_YES;
		}
		if (a->state == S_JAVA_HEAD && !start_match(a, line, len))
			return C_PEND;
		return C_NO;
	case QE_LANG_PYTHON:
		if (blank)
			return C_PEND;
		switch (a->state) {
		case S_PY_FRAMES:
			if (line[0] == ' ' || line[0] == '\t')
				return C_YES;
			if (py_exception_line(line, len)) {
				a->state = S_PY_EXC;
				return C_YES;
			}
			return C_NO;
		case S_PY_EXC:
			if (py_chain_marker(line, len)) {
				a->state = S_PY_CHAIN;
				return C_YES;
			}
			/* exception groups draw their members with | and + */
			if (py_group_line(line, len))
				return C_YES;
			return C_NO;
		case S_PY_GROUP:
			if (py_group_line(line, len))
				return C_YES;
			if (py_chain_marker(line, len)) {
				a->state = S_PY_CHAIN;
				return C_YES;
			}
			return C_NO;
		case S_PY_CHAIN:
			if (has_prefix(line, len, "Traceback (most recent call last):")) {
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
	case QE_LANG_PHP:
		/* "Next OtherException: ..." chains go on until "thrown in" */
		if (a->state == S_PHP_DONE)
			return C_NO;
		if (blank)
			return C_PEND;
		if (!qe_rules_match_cont(a->rules, a->rule, line, len))
			return C_NO;
		if (memmem(line, len, "thrown in ", 10))
			a->state = S_PHP_DONE;
		return C_YES;
	case QE_LANG_RUST:
		if (a->state == S_RUST_MSG) {
			a->state = S_RUST_BODY;
			return C_YES;
		}
		/* fall through */
	default:
		if (blank)
			return C_PEND;
		return qe_rules_match_cont(a->rules, a->rule, line, len) ? C_YES : C_NO;
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

static void start_event(struct qe_assembler *a, const struct qe_rule_match *m,
			const char *line, size_t len, uint64_t start_pos,
			uint64_t end_pos)
{
	struct qe_event *ev = qe_event_new(m->kind, m->name);

	ev->severity = (enum qe_severity)m->severity;
	ev->start_pos = start_pos;
	a->ev = ev;
	if (a->prelude != P_NONE) {
		ev->start_pos = a->prelude_start;
		pend_flush(a);
	}
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

/* "/app/server.js:42" or "file:///app/x.mjs:3": where Node.js says an
 * uncaught error was thrown, above the source line.  Most lines fail on
 * the first or last byte. */
static int node_location_line(const char *s, size_t n)
{
	static const char *const ext[] = {".js", ".mjs", ".cjs", ".jsx",
					  ".ts", ".mts", ".cts", ".tsx"};
	size_t i, k;

	if (n && s[n - 1] == '\r')
		n--;
	if (n < 6 || (s[0] != '/' && s[0] != 'f') || s[n - 1] < '0' || s[n - 1] > '9')
		return 0;
	if (s[0] == 'f' && !has_prefix(s, n, "file:///"))
		return 0;
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

/* "        ^" (or "^^^^"), under the source line of a prelude. */
static int caret_line(const char *s, size_t n)
{
	size_t i = 0, carets = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (i < n && s[i] == '^')
		i++, carets++;
	return carets && is_blank(s + i, n - i);
}

/*
 * Hold the lines of a Node.js prelude while no event is open.  Returns 1
 * when the line was taken (held, or it started the event the prelude
 * belongs to), 0 when it is to be handled as usual (the prelude, if any,
 * is dropped; a start match found on the way is left in a->next).
 */
static int prelude_feed(struct qe_assembler *a, const char *line, size_t len,
			uint64_t start_pos, uint64_t end_pos)
{
	int blank;

	if (node_location_line(line, len)) {
		pend_reset(a);
		if (pend_add(a, line, len, end_pos, 0) < 0)
			return 0;
		a->prelude = P_LOC;
		a->prelude_start = start_pos;
		return 1;
	}
	blank = is_blank(line, len);
	switch (a->prelude) {
	case P_NONE:
		return 0;
	case P_LOC:
		if (blank || start_match(a, line, len))
			break;
		if (pend_add(a, line, len, end_pos, 0) < 0)
			break;
		a->prelude = P_CODE;
		return 1;
	case P_CODE:
		if (!caret_line(line, len) || pend_add(a, line, len, end_pos, 0) < 0)
			break;
		a->prelude = P_CARET;
		return 1;
	case P_CARET:
		if (blank) {
			if (pend_add(a, line, len, end_pos, 1) < 0)
				break;
			a->prelude = P_BLANK;
			return 1;
		}
		/* fall through */
	case P_BLANK:
		if (blank || !start_match(a, line, len) || a->next.lang != QE_LANG_NODE)
			break;
		{
			struct qe_rule_match m = a->next;
			a->have_next = 0;
			start_event(a, &m, line, len, start_pos, end_pos);
		}
		return 1;
	}
	pend_reset(a);
	return 0;
}

void qe_assembler_feed(struct qe_assembler *a, const char *line, size_t len,
		       uint64_t start_pos, uint64_t end_pos)
{
	struct qe_rule_match m;

	a->have_next = 0;
	if (a->ev) {
		switch (continues(a, line, len)) {
		case C_YES:
			pend_flush(a);
			append(a, line, len, end_pos);
			return;
		case C_PEND:
			if (pend_add(a, line, len, end_pos, is_blank(line, len)) == 0)
				return;
			/* too much held back: the event is over */
			close_event(a);
			if (is_blank(line, len))
				return;
			break;
		case C_NO:
			close_event(a);
			break;
		}
	}
	/* the first byte rules out a prelude on most lines */
	if (!a->have_next &&
	    (a->prelude != P_NONE || (len && (line[0] == '/' || line[0] == 'f'))) &&
	    prelude_feed(a, line, len, start_pos, end_pos))
		return;
	if (a->have_next) {
		m = a->next;
		a->have_next = 0;
	} else if (is_blank(line, len) ||
		   !qe_rules_match_start(a->rules, line, len, &m)) {
		return;
	}
	start_event(a, &m, line, len, start_pos, end_pos);
}

void qe_assembler_feed_cut(struct qe_assembler *a, const char *line, size_t len,
			   uint64_t start_pos, uint64_t end_pos, int cut)
{
	a->cut = cut != 0;
	qe_assembler_feed(a, line, len, start_pos, end_pos);
	a->cut = 0;
}
