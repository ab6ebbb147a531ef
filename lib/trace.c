/* trace: see trace.h */
#include "trace.h"

#include "event.h"
#include "util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A borrowed piece of a line. */
struct span {
	const char *s;
	size_t n;
};

static struct span sp(const char *s, size_t n)
{
	struct span v = {s, n};
	return v;
}

static struct span line_span(const struct qe_event *ev, size_t i)
{
	return sp(ev->lines[i], strlen(ev->lines[i]));
}

/* isspace() of the C locale, without a table look-up per byte: trim()
 * runs on every line of every trace. */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static struct span trim(struct span v)
{
	while (v.n && is_space(v.s[0]))
		v.s++, v.n--;
	while (v.n && is_space(v.s[v.n - 1]))
		v.n--;
	return v;
}

static int starts(struct span v, const char *p)
{
	size_t l = strlen(p);
	return v.n >= l && !memcmp(v.s, p, l);
}

static int ends(struct span v, const char *p)
{
	size_t l = strlen(p);
	return v.n >= l && !memcmp(v.s + v.n - l, p, l);
}

static struct span skip(struct span v, size_t k)
{
	if (k > v.n)
		k = v.n;
	return sp(v.s + k, v.n - k);
}

/* Offset of needle in v, or -1.  The needles are short words and the
 * spans a line or less: memchr for the first byte, a look at the last,
 * then memcmp, costs less than memmem's setup. */
static long find_n(struct span v, const char *needle, size_t l)
{
	size_t i = 0;
	const char *p;

	if (!l)
		return 0;
	if (l == 1) {
		p = v.n ? memchr(v.s, needle[0], v.n) : NULL;
		return p ? (long)(p - v.s) : -1;
	}
	while (l <= v.n - i && (p = memchr(v.s + i, needle[0], v.n - i - l + 1))) {
		if (p[l - 1] == needle[l - 1] && !memcmp(p + 1, needle + 1, l - 1))
			return (long)(p - v.s);
		i = (size_t)(p - v.s) + 1;
	}
	return -1;
}

/* The last needle in v, or -1: memrchr for its first byte, as find(). */
static long rfind_n(struct span v, const char *needle, size_t l)
{
	size_t e;
	const char *p;

	if (l > v.n)
		return -1;
	if (!l)
		return (long)v.n;
	for (e = v.n - l + 1; e && (p = memrchr(v.s, needle[0], e));
	     e = (size_t)(p - v.s))
		if (p[l - 1] == needle[l - 1] && !memcmp(p + 1, needle + 1, l - 1))
			return (long)(p - v.s);
	return -1;
}

/* find() and rfind() as most callers write them, with a literal: once
 * inlined, its length is a constant, not a strlen() per call. */
static inline long find(struct span v, const char *needle)
{
	return find_n(v, needle, strlen(needle));
}

static inline long rfind(struct span v, const char *needle)
{
	return rfind_n(v, needle, strlen(needle));
}

static long rfind_ch(struct span v, char c)
{
	const char *p = v.n ? memrchr(v.s, c, v.n) : NULL;
	return p ? (long)(p - v.s) : -1;
}

static int is_ident(int c)
{
	return isalnum(c) || c == '_' || c == '$';
}

static long parse_num(struct span v)
{
	long n = 0;
	size_t i;
	for (i = 0; i < v.n && isdigit((unsigned char)v.s[i]) && n < 100000000; i++)
		n = n * 10 + (v.s[i] - '0');
	return n;
}

static void set_type(struct qe_event *ev, struct span v)
{
	free(ev->type);
	ev->type = v.n ? qe_xstrndup(v.s, v.n) : NULL;
}

static void set_message(struct qe_event *ev, struct span v)
{
	v = trim(v);
	free(ev->message);
	ev->message = qe_xstrndup(v.s, v.n);
}

static char *dup_span(struct qe_event *ev, struct span v)
{
	return v.n ? qe_event_strndup(ev, v.s, v.n) : NULL;
}

/* The frame's strings are copied once, straight into the event's blocks
 * (what qe_event_add_frame() would copy again): no allocation of their
 * own. */
static void add_frame(struct qe_event *ev, struct span module, struct span function,
		      struct span file, long line, int in_app)
{
	struct qe_frame *f;

	QE_ALLOC_GROW(ev->frames, ev->nr_frames + 1, ev->alloc_frames);
	f = &ev->frames[ev->nr_frames++];
	f->module = dup_span(ev, module);
	f->function = dup_span(ev, function);
	f->file = dup_span(ev, file);
	f->line = line;
	f->in_app = in_app;
}

static int has_any_prefix(struct span v, const char *const *list, size_t n)
{
	size_t i;
	if (!v.n)
		return 0;
	/* the first byte rules out most words of the list */
	for (i = 0; i < n; i++)
		if (v.s[0] == list[i][0] && starts(v, list[i]))
			return 1;
	return 0;
}

static int contains_any(struct span v, const char *const *list, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (find(v, list[i]) >= 0)
			return 1;
	return 0;
}

/* Split "a.b.C.method" at its last '.' into module and function. */
static void split_last(struct span name, const char *sep, struct span *mod,
		       struct span *fn)
{
	long k = rfind(name, sep);
	if (k < 0) {
		*mod = sp(NULL, 0);
		*fn = name;
		return;
	}
	*mod = sp(name.s, (size_t)k);
	*fn = skip(name, (size_t)k + strlen(sep));
}

/* ---- Java, Kotlin, Scala ---------------------------------------------- */

static const char *const java_lib[] = {
    "java.",	   "javax.",   "jdk.",	 "sun.",     "com.sun.",
    "kotlin.",	   "kotlinx.", "scala.", "jakarta.", "org.springframework.",
    "org.apache.",
};

/* "[Exception in thread "x" ]a.b.CException[: message]"; with bare, also
 * a class of the default package ("Main$QuotaException: message"), as
 * the line just above a frame has it. */
static int java_header_at(struct span v, struct span *type, struct span *msg, int bare)
{
	size_t i = 0, dots = 0;
	int thread = bare, named = 0;

	v = trim(v);
	if (starts(v, "Exception in thread \"")) {
		long q = find(skip(v, 21), "\" ");
		if (q < 0)
			return 0;
		v = skip(v, 21 + (size_t)q + 2);
		thread = 1; /* the default package has no dots */
		named = 1;
	} else if ((starts(v, "Exception ") || starts(v, "Caught: ")) && v.n > 10) {
		/* jshell's report of what a snippet threw, a Groovy
		 * script's of what it did not catch */
		v = trim(skip(v, v.s[0] == 'E' ? 10 : 8));
		thread = bare = 1;
	}
	if (!v.n || !(islower((unsigned char)v.s[0]) || v.s[0] == '_' ||
		      (thread && isupper((unsigned char)v.s[0]))))
		return 0;
	while (i < v.n && (is_ident((unsigned char)v.s[i]) || v.s[i] == '.')) {
		dots += v.s[i] == '.';
		i++;
	}
	/* the thread's handler prints what toString() gives, which an
	 * exception may make its own: "LeaseConflict(lease=1x)" starts with
	 * its class's name, and says all as its message */
	if (named && i && i < v.n && v.s[i] != ':') {
		*type = sp(v.s, i);
		*msg = v;
		return 1;
	}
	if ((!dots && !thread) || (i < v.n && v.s[i] != ':'))
		return 0;
	if (bare && !dots && !ends(sp(v.s, i), "Exception") &&
	    !ends(sp(v.s, i), "Error") && !ends(sp(v.s, i), "Throwable"))
		return 0;
	*type = sp(v.s, i);
	*msg = i < v.n ? skip(v, i + 1) : sp(v.s + i, 0);
	return 1;
}

static int java_header(struct span v, struct span *type, struct span *msg)
{
	return java_header_at(v, type, msg, 0);
}

/* An exception named inside a log line: "... Failed: a.b.FooException: boom" */
static int java_embedded(struct span v, struct span *type, struct span *msg)
{
	static const char *const suffixes[] = {"Exception", "Error"};
	size_t k;

	for (k = 0; k < QE_ARRAY_SIZE(suffixes); k++) {
		struct span rest = v;
		long at;
		while ((at = find(rest, suffixes[k])) >= 0) {
			size_t end = (size_t)at + strlen(suffixes[k]);
			size_t b = (size_t)at;
			while (b > 0 && (is_ident((unsigned char)rest.s[b - 1]) ||
					 rest.s[b - 1] == '.'))
				b--;
			if ((end == rest.n || rest.s[end] == ':' || rest.s[end] == ' ') &&
			    (end == rest.n || !is_ident((unsigned char)rest.s[end])) &&
			    /* a package's class, or a nested class of the
			       default package ("Main$QuotaException") */
			    ((memchr(rest.s + b, '.', end - b) &&
			      islower((unsigned char)rest.s[b])) ||
			     (memchr(rest.s + b, '$', end - b) &&
			      isupper((unsigned char)rest.s[b])))) {
				*type = sp(rest.s + b, end - b);
				*msg = skip(rest, end < rest.n && rest.s[end] == ':'
						      ? end + 1
						      : end);
				return 1;
			}
			rest = skip(rest, end);
		}
	}
	return 0;
}

static int java_frame_line(struct span v)
{
	v = trim(v);
	return starts(v, "at ") && memchr(v.s, '(', v.n);
}

/* One frame, "a.b.C.method(C.java:12)" (what follows "at "); 0 when v
 * is none. */
static int java_frame(struct qe_event *ev, struct span v)
{
	struct span name, inner, mod, fn, file = {NULL, 0};
	long open = find(v, "("), close, colon, line = 0;

	if (open < 0)
		return 0;
	name = sp(v.s, (size_t)open);
	/* Java 9+ "java.base/java.lang.Thread.run": drop the module layer */
	if (rfind_ch(name, '/') >= 0)
		name = skip(name, (size_t)rfind_ch(name, '/') + 1);
	close = find(skip(v, (size_t)open), ")");
	inner =
	    close < 0 ? skip(v, (size_t)open + 1) : sp(v.s + open + 1, (size_t)close - 1);
	colon = rfind_ch(inner, ':');
	if (colon >= 0) {
		file = sp(inner.s, (size_t)colon);
		line = parse_num(skip(inner, (size_t)colon + 1));
	} else if (!starts(inner, "Unknown Source") && !starts(inner, "Native Method")) {
		file = inner;
	}
	split_last(name, ".", &mod, &fn);
	add_frame(ev, mod, fn, file, line,
		  !has_any_prefix(name, java_lib, QE_ARRAY_SIZE(java_lib)));
	return 1;
}

static void parse_java(struct qe_event *ev)
{
	size_t i, first_frame = ev->nr_lines, header = ev->nr_lines;
	struct span type = {NULL, 0}, msg = {NULL, 0};

	for (i = 0; i < ev->nr_lines; i++)
		if (java_frame_line(line_span(ev, i))) {
			first_frame = i;
			break;
		}
	for (i = first_frame; i-- > 0;)
		if (java_header_at(line_span(ev, i), &type, &msg, i + 1 == first_frame)) {
			header = i;
			break;
		}
	if (header == ev->nr_lines) {
		for (i = 0; i < ev->nr_lines && i < first_frame; i++)
			if (java_header(line_span(ev, i), &type, &msg) ||
			    java_embedded(line_span(ev, i), &type, &msg)) {
				header = i;
				break;
			}
	}
	/* Log4j's root cause first (%rEx): the exception thrown is the
	 * last "Wrapped by:", its frames after it */
	for (i = first_frame; i < ev->nr_lines; i++) {
		struct span v = trim(line_span(ev, i)), t, m;
		int framed;
		if (!starts(v, "Wrapped by: "))
			continue;
		/* a class of the default package ("Main$SlotException") is
		 * one when its frames follow */
		framed =
		    i + 1 < ev->nr_lines && starts(trim(line_span(ev, i + 1)), "at ");
		if (java_header_at(skip(v, 12), &t, &m, framed)) {
			header = i;
			type = t;
			msg = m;
		}
	}
	if (header < ev->nr_lines && header > first_frame)
		first_frame = header + 1;
	if (header < ev->nr_lines) {
		set_type(ev, type);
		set_message(ev, msg);
	} else {
		set_message(ev, line_span(ev, 0));
	}

	for (i = first_frame; i < ev->nr_lines; i++) {
		struct span v = trim(line_span(ev, i));
		if (starts(v, "Caused by:") || starts(v, "Suppressed:") ||
		    starts(v, "Wrapped by:"))
			break;
		if (starts(v, "at "))
			java_frame(ev, skip(v, 3));
	}
}

/* ---- Python ------------------------------------------------------------ */

static const char *const python_lib[] = {
    "/usr/lib/python", "/usr/local/lib/python", "site-packages/", "dist-packages/",
    "<frozen ",	       "/lib/python3.",		"/lib/python2.",
};

/* Whether a frame's file is the interpreter's or an installed package's.
 * Every word of python_lib has "python", "-packages/" or "<frozen " in
 * it: an application's path, which has none, is known by three looks. */
static int python_library(struct span file)
{
	if (find(file, "python") < 0 && find(file, "-packages/") < 0 &&
	    find(file, "<frozen ") < 0)
		return 0;
	return contains_any(file, python_lib, QE_ARRAY_SIZE(python_lib));
}

static int python_exception_line(struct span v, struct span *type, struct span *msg)
{
	size_t i = 0;
	if (!v.n || !(isalpha((unsigned char)v.s[0]) || v.s[0] == '_'))
		return 0;
	while (i < v.n &&
	       (isalnum((unsigned char)v.s[i]) || v.s[i] == '_' || v.s[i] == '.'))
		i++;
	if (i < v.n && v.s[i] != ':' && !isspace((unsigned char)v.s[i]))
		return 0;
	if (i < v.n && v.s[i] != ':' && trim(skip(v, i)).n)
		return 0;
	*type = sp(v.s, i);
	/* the main module's class as Python's traceback names it, without
	 * the module Twisted's Failure and others put first */
	if (i > 9 && starts(*type, "__main__."))
		*type = skip(*type, 9);
	*msg = i < v.n && v.s[i] == ':' ? skip(v, i + 1) : sp(v.s + i, 0);
	return 1;
}

/* Column of the '+' when v is the first line of an exception group,
 * "  + Exception Group Traceback (most recent call last):", else -1. */
static long python_group_header(struct span v)
{
	size_t i = 0;
	while (i < v.n && (v.s[i] == ' ' || v.s[i] == '\t'))
		i++;
	if (!starts(skip(v, i), "+ Exception Group Traceback (most recent call last):"))
		return -1;
	return (long)i;
}

/* One frame, 'File "app.py", line 3, in main'; 0 when v is none, or
 * is a SyntaxError's location in code compiled from a string
 * ("<string>", "<config-17>"): no frame, and its made-up name would
 * split one error by the name. */
static int python_frame(struct qe_event *ev, struct span v)
{
	struct span rest, file, fn = {NULL, 0};
	long q, at, in, line = 0;

	if (!starts(v, "File \""))
		return 0;
	rest = skip(v, 6);
	q = find(rest, "\"");
	if (q < 0)
		return 0;
	file = sp(rest.s, (size_t)q);
	rest = skip(rest, (size_t)q + 1);
	at = find(rest, "line ");
	if (at >= 0)
		line = parse_num(skip(rest, (size_t)at + 5));
	in = find(rest, ", in ");
	if (in >= 0)
		fn = trim(skip(rest, (size_t)in + 5));
	/* faulthandler's 'File "app.py", line 3 in main' */
	else if (at >= 0 && (in = find(skip(rest, (size_t)at + 5), " in ")) >= 0)
		fn = trim(skip(rest, (size_t)at + 5 + (size_t)in + 4));
	else if (file.n && file.s[0] == '<')
		return 0;
	add_frame(ev, sp(NULL, 0), fn, file, line, !python_library(file));
	return 1;
}

/* rich's traceback box (rich.traceback, RichHandler): a top edge that
 * names it, "╭─── Traceback (most recent call last) ───╮", each frame's
 * "│ /app/main.py:21 in book │" above its code, the bottom edge, then
 * the exception line; each line maybe indented. */
#define RICH_TOP "\xe2\x95\xad"
#define RICH_SIDE "\xe2\x94\x82"
#define RICH_BOTTOM "\xe2\x95\xb0"
static int rich_top(struct span v)
{
	/* the box's first byte, after any indentation (most lines fail on
	 * their first byte) */
	if (!v.n || (v.s[0] != ' ' && v.s[0] != RICH_TOP[0]))
		return 0;
	v = trim(v);
	return starts(v, RICH_TOP) && find(v, " Traceback (most recent call last) ") >= 0;
}

/* A frame's line in the box, "│ /app/main.py:21 in book   │"; code lines
 * ("│   21 │   settle(slot)  │", "│ ❱ 21 │ ...") start with no path. */
static void rich_frame(struct qe_event *ev, struct span v)
{
	struct span file, fn;
	long in;
	size_t c;

	v = trim(skip(v, sizeof(RICH_SIDE) - 1));
	if (v.n >= sizeof(RICH_SIDE) - 1 && !memcmp(v.s + v.n - (sizeof(RICH_SIDE) - 1),
						    RICH_SIDE, sizeof(RICH_SIDE) - 1))
		v = trim(sp(v.s, v.n - (sizeof(RICH_SIDE) - 1)));
	if (!v.n || isdigit((unsigned char)v.s[0]) || !((unsigned char)v.s[0] < 0x80))
		return;
	in = find(v, " in ");
	if (in <= 0)
		return;
	c = (size_t)in;
	while (c > 0 && isdigit((unsigned char)v.s[c - 1]))
		c--;
	if (c == (size_t)in || c < 2 || v.s[c - 1] != ':')
		return;
	file = sp(v.s, c - 1);
	fn = trim(skip(v, (size_t)in + 4));
	if (!fn.n || find(fn, " ") >= 0)
		return;
	add_frame(ev, sp(NULL, 0), fn, file, parse_num(skip(v, c)),
		  !python_library(file));
}

/* The last box of a rich traceback (the one raised), from line tb. */
static void parse_python_rich(struct qe_event *ev, size_t tb)
{
	size_t i;
	int in_box = 1;

	for (i = tb + 1; i < ev->nr_lines; i++) {
		struct span v = trim(line_span(ev, i)), type, msg;
		if (!v.n)
			continue;
		if (in_box) {
			if (starts(v, RICH_BOTTOM))
				in_box = 0;
			else if (starts(v, RICH_SIDE))
				rich_frame(ev, v);
			continue;
		}
		if (python_exception_line(v, &type, &msg)) {
			set_type(ev, type);
			set_message(ev, msg);
			return;
		}
	}
	set_message(ev, line_span(ev, ev->nr_lines - 1));
}

static void parse_python(struct qe_event *ev)
{
	size_t i, tb = ev->nr_lines, indent = 0;
	int have_exc = 0;
	long group = -1;

	for (i = ev->nr_lines; i-- > 0;)
		if (rich_top(line_span(ev, i))) {
			parse_python_rich(ev, i);
			return;
		}
	/* the interpreter's fatal error: no exception, a stack per thread,
	 * the failing one first */
	if (starts(line_span(ev, 0), "Fatal Python error: ")) {
		set_type(ev, sp("fatal", 5));
		set_message(ev, trim(skip(line_span(ev, 0), 20)));
		for (i = 1; i < ev->nr_lines; i++) {
			struct span raw = line_span(ev, i);
			if (ev->nr_frames && raw.n && raw.s[0] != ' ')
				break;
			python_frame(ev, trim(raw));
		}
		return;
	}

	/* the last traceback of a chain is the one that was raised */
	for (i = ev->nr_lines; i-- > 0;) {
		struct span v = line_span(ev, i);
		if (starts(v, "Traceback (most recent call last):")) {
			tb = i;
			break;
		}
		group = python_group_header(v);
		if (group >= 0) {
			tb = i;
			break;
		}
	}
	/* none at a line start: one indented with its lines, as doctest
	 * prints it under "Exception raised:" */
	for (i = ev->nr_lines; tb == ev->nr_lines && group < 0 && i-- > 0;) {
		struct span v = line_span(ev, i);
		size_t k = 0;
		while (k < v.n && k < 16 && v.s[k] == ' ')
			k++;
		if (k && starts(skip(v, k), "Traceback (most recent call last):")) {
			tb = i;
			indent = k;
		}
	}
	if (tb == ev->nr_lines) {
		set_message(ev, line_span(ev, 0));
		return;
	}
	for (i = tb + 1; i < ev->nr_lines; i++) {
		struct span raw = line_span(ev, i), v, type, msg;
		if (indent) {
			size_t k = 0;
			while (k < raw.n && k < indent && raw.s[k] == ' ')
				k++;
			if (k < indent)
				break; /* the traceback's block is over */
			raw = skip(raw, k);
		}
		if (group >= 0) {
			/* Only the group's own traceback, "  | ..." at the
			 * header's column; its members start at "  +-". */
			size_t g = (size_t)group;
			if (raw.n <= g || raw.s[g] == '+')
				break;
			if (raw.s[g] != '|')
				continue;
			raw = skip(raw, g + 1);
			if (starts(raw, " "))
				raw = skip(raw, 1);
		}
		/* loguru's mark of the frame that caught the exception */
		if (starts(raw, "> File \""))
			raw = skip(raw, 1);
		v = trim(raw);
		if (!v.n)
			continue;
		if (raw.s[0] != ' ' && raw.s[0] != '\t') {
			if (!have_exc && python_exception_line(v, &type, &msg)) {
				set_type(ev, type);
				set_message(ev, msg);
				have_exc = 1;
			}
			continue;
		}
		if (!have_exc)
			python_frame(ev, v);
	}
	if (!have_exc)
		set_message(ev, line_span(ev, ev->nr_lines - 1));
}

/* ---- Node.js ------------------------------------------------------------ */

static int node_header(struct span v, struct span *type, struct span *msg)
{
	size_t i = 0;
	if (starts(v, "Uncaught "))
		v = skip(v, 9);
	/* "[AggregateError: msg] {": an error printed without its stack */
	if (starts(v, "[") && (ends(v, "]") || ends(v, "] {"))) {
		v = skip(v, 1);
		v.n -= ends(v, "]") ? 1 : 3;
	}
	while (i < v.n && is_ident((unsigned char)v.s[i]))
		i++;
	if (!i || !(ends(sp(v.s, i), "Error") || ends(sp(v.s, i), "Exception")))
		return 0;
	*type = sp(v.s, i);
	if (i < v.n && v.s[i] == ' ' && i + 1 < v.n && v.s[i + 1] == '[') {
		long cl = find(skip(v, i), "]");
		if (cl < 0)
			return 0;
		i += (size_t)cl + 1;
	}
	if (i < v.n && v.s[i] != ':')
		return 0;
	*msg = i < v.n ? skip(v, i + 1) : sp(v.s + i, 0);
	return 1;
}

/* An error printed after a message on one line: console.error("request
 * failed:", err) gives "request failed: Error: boom". */
static int node_embedded(struct span v, struct span *type, struct span *msg)
{
	size_t i;
	for (i = 1; i < v.n; i++)
		if (v.s[i - 1] == ' ' && isupper((unsigned char)v.s[i]) &&
		    node_header(skip(v, i), type, msg) && msg->n && msg->s[0] == ' ')
			return 1;
	return 0;
}

static void node_location(struct span loc, struct span *file, long *line)
{
	long c2, c1;
	*line = 0;
	if (starts(loc, "file://"))
		loc = skip(loc, 7);
	*file = loc;
	c2 = rfind_ch(loc, ':');
	if (c2 < 0)
		return;
	c1 = rfind_ch(sp(loc.s, (size_t)c2), ':');
	if (c1 >= 0 && isdigit((unsigned char)loc.s[c1 + 1])) {
		*file = sp(loc.s, (size_t)c1);
		*line = parse_num(skip(loc, (size_t)c1 + 1));
	} else if (isdigit((unsigned char)loc.s[c2 + 1])) {
		*file = sp(loc.s, (size_t)c2);
		*line = parse_num(skip(loc, (size_t)c2 + 1));
	}
}

/*
 * "Error: LedgerError { id: \"1x\" }" alone is what a Rust main that
 * returns Err prints (the error's Debug form): its type is the struct's
 * name, and a string ("Error: \"no rate\"") has none.
 */
static void main_error_type(struct qe_event *ev, struct span type, struct span msg)
{
	size_t k = 0;

	msg = trim(msg);
	if (type.n != 5 || memcmp(type.s, "Error", 5) || !msg.n)
		return;
	if (msg.n >= 2 && msg.s[0] == '"' && msg.s[msg.n - 1] == '"') {
		set_type(ev, sp(NULL, 0));
		return;
	}
	if (msg.s[0] < 'A' || msg.s[0] > 'Z')
		return;
	while (k < msg.n && (isalnum((unsigned char)msg.s[k]) || msg.s[k] == '_'))
		k++;
	if (k < msg.n &&
	    ((msg.s[k] == ' ' && starts(skip(msg, k), " {") && ends(msg, "}")) ||
	     (msg.s[k] == '(' && ends(msg, ")"))))
		set_type(ev, sp(msg.s, k));
}

static int node_in_app(struct span file)
{
	return !(starts(file, "node:") || starts(file, "internal/") ||
		 find(file, "node_modules/") >= 0 || starts(file, "<anonymous>") ||
		 starts(file, "native"));
}

/* One frame, "fn (/app/a.js:3:7)" or "/app/a.js:3:7" (what follows
 * "at "). */
static void node_frame(struct qe_event *ev, struct span v)
{
	struct span fn = {NULL, 0}, loc, file;
	long line, open;

	if (starts(v, "async "))
		v = skip(v, 6);
	open = rfind(v, " (");
	if (open >= 0 && ends(v, ")")) {
		fn = sp(v.s, (size_t)open);
		loc = sp(v.s + open + 2, v.n - (size_t)open - 3);
	} else {
		loc = v;
	}
	node_location(loc, &file, &line);
	add_frame(ev, sp(NULL, 0), fn, file, line, node_in_app(file));
}

static void parse_node(struct qe_event *ev)
{
	size_t i, from = 0, header = ev->nr_lines;
	struct span type, msg;

	/* Skip a source-context prelude: location, source line, carets; the
	 * source line may look like anything. */
	if (ev->nr_lines > 3) {
		struct span caret = trim(line_span(ev, 2));
		size_t k = 0;
		while (k < caret.n && caret.s[k] == '^')
			k++;
		if (k && k == caret.n)
			from = 3;
	}
	for (i = from; i < ev->nr_lines; i++)
		if (node_header(trim(line_span(ev, i)), &type, &msg)) {
			header = i;
			break;
		}
	if (header == ev->nr_lines && node_embedded(line_span(ev, 0), &type, &msg))
		header = 0;
	/* console.log of an object: "  err: TypeError: msg" among its keys */
	for (i = 1;
	     header == ev->nr_lines && i < ev->nr_lines && starts(line_span(ev, i), "  ");
	     i++)
		if (node_embedded(line_span(ev, i), &type, &msg))
			header = i;
	/* under the prelude, the thrown error whatever its name says */
	for (i = from; from && header == ev->nr_lines && i < ev->nr_lines; i++) {
		struct span v = line_span(ev, i);
		long colon = find(v, ": ");
		size_t k = 0;
		if (!trim(v).n)
			continue;
		while (k < v.n && (is_ident((unsigned char)v.s[k]) || v.s[k] == '$'))
			k++;
		if (colon > 0 && (size_t)colon == k && isupper((unsigned char)v.s[0])) {
			type = sp(v.s, k);
			msg = skip(v, k + 1);
			header = i;
		}
		break;
	}
	/* console.trace(): "Trace: msg" above the stack, an object Node
	 * names Trace */
	if (header == ev->nr_lines && ev->nr_lines > 1 &&
	    (starts(line_span(ev, 0), "Trace: ") ||
	     (line_span(ev, 0).n == 5 && starts(line_span(ev, 0), "Trace"))) &&
	    starts(trim(line_span(ev, 1)), "at ")) {
		header = 0;
		type = sp(line_span(ev, 0).s, 5);
		msg = trim(skip(line_span(ev, 0), 6));
	}
	if (header == ev->nr_lines) {
		/* throw of a value that is no Error: the value, above
		 * "(Use `node --trace-uncaught ...`"; it has no type */
		for (i = from; i + 1 < ev->nr_lines; i++)
			if (starts(line_span(ev, i + 1),
				   "(Use `node --trace-uncaught ")) {
				set_message(ev, line_span(ev, i));
				return;
			}
		set_message(ev, line_span(ev, 0));
		return;
	}
	set_type(ev, type);
	set_message(ev, msg);
	if (ev->nr_lines == 1 && header == 0)
		main_error_type(ev, type, msg);
	for (i = header + 1; i < ev->nr_lines; i++) {
		struct span v = trim(line_span(ev, i));
		int last = 0;
		/* a "}" before the first frame is the message's own (assert's
		 * diff of two objects) */
		if (starts(v, "[cause]") || (starts(v, "}") && ev->nr_frames))
			break;
		if (!starts(v, "at "))
			continue;
		v = skip(v, 3);
		if (ends(v, " {")) {
			/* the error's own properties follow: its frames end here */
			v.n -= 2;
			last = 1;
		}
		node_frame(ev, v);
		if (last)
			break;
	}
}

/* ---- Go ----------------------------------------------------------------- */

static int go_stdlib(struct span module)
{
	long slash = find(module, "/");
	struct span first = slash < 0 ? module : sp(module.s, (size_t)slash);
	if (!module.n)
		return 1; /* builtins such as panic() */
	if (module.n == 4 && !memcmp(module.s, "main", 4))
		return 0;
	return !memchr(first.s, '.', first.n);
}

static int go_in_app(struct span module, struct span file)
{
	return !go_stdlib(module) && find(file, "/pkg/mod/") < 0 &&
	       !starts(file, "/usr/local/go/") && !starts(file, "/usr/lib/go");
}

/* The text of a line of Go's standard logger, after its date and time
 * ("2006/01/02 15:04:05", maybe ".000000"); the line trimmed when it has
 * none. */
static struct span go_log_text(struct span v)
{
	static const char form[] = "dddd/dd/dd dd:dd:dd";
	size_t i;

	for (i = 0; i < 19; i++)
		if (i >= v.n || (form[i] == 'd' ? !isdigit((unsigned char)v.s[i])
						: v.s[i] != form[i]))
			return trim(v);
	if (i < v.n && v.s[i] == '.')
		for (i++; i < v.n && isdigit((unsigned char)v.s[i]); i++)
			;
	return i < v.n && v.s[i] == ' ' ? trim(skip(v, i)) : trim(v);
}

/* Frames of the first goroutine of a Go stack dump, from line `from`. */
static void go_frames(struct qe_event *ev, size_t from)
{
	size_t i;
	int in_dump = 0, got_frames = 0, have_pending = 0;
	struct span pending_fn = {NULL, 0}, pending_mod = {NULL, 0};

	for (i = from; i < ev->nr_lines; i++) {
		struct span raw = line_span(ev, i), v = trim(raw);
		if (starts(raw, "goroutine ")) {
			if (got_frames)
				break;
			in_dump = 1;
			continue;
		}
		if (!in_dump)
			continue;
		if (!v.n) {
			if (got_frames)
				break;
			continue;
		}
		if (raw.s[0] == '\t' && have_pending) {
			/* "\t/path/file.go:12 +0x1d" */
			struct span loc = v, file;
			long sp_at = find(loc, " "), colon;
			long line = 0;
			if (sp_at >= 0)
				loc = sp(loc.s, (size_t)sp_at);
			colon = rfind_ch(loc, ':');
			file = colon >= 0 ? sp(loc.s, (size_t)colon) : loc;
			if (colon >= 0)
				line = parse_num(skip(loc, (size_t)colon + 1));
			add_frame(ev, pending_mod, pending_fn, file, line,
				  go_in_app(pending_mod, file));
			have_pending = 0;
			got_frames = 1;
			continue;
		}
		if (starts(raw, "created by ") || raw.s[0] == '\t' || raw.s[0] == ' ')
			continue;
		{
			long open = rfind_ch(v, '('), slash, dot;
			struct span name;
			if (open <= 0)
				continue;
			name = sp(v.s, (size_t)open);
			slash = rfind_ch(name, '/');
			dot = find(skip(name, slash < 0 ? 0 : (size_t)slash), ".");
			if (dot < 0) {
				pending_mod = sp(NULL, 0);
				pending_fn = name;
			} else {
				size_t cut =
				    (size_t)(slash < 0 ? 0 : slash) + (size_t)dot;
				pending_mod = sp(name.s, cut);
				pending_fn = skip(name, cut + 1);
			}
			have_pending = 1;
		}
	}
}

static void parse_line(struct qe_event *ev);
static int line_message(struct qe_event *ev, struct span v);

/* Panics of the Go runtime whose message lacks "runtime error: " (its
 * plainError values, and a failed type assertion's TypeAssertionError:
 * a runtime.Error all the same). */
static int go_plain_runtime_error(struct span msg)
{
	static const char *const plain[] = {
	    "assignment to entry in nil map", "close of nil channel",
	    "close of closed channel",	      "send on closed channel",
	    "makeslice: len out of range",    "makeslice: cap out of range",
	    "makechan: size out of range",    "growslice: cap out of range",
	};
	size_t k;
	if (starts(msg, "interface conversion: "))
		return 1;
	for (k = 0; k < QE_ARRAY_SIZE(plain); k++)
		if (msg.n == strlen(plain[k]) && starts(msg, plain[k]))
			return 1;
	return 0;
}

static void parse_go(struct qe_event *ev)
{
	size_t i, header = ev->nr_lines;
	struct span http_msg = {NULL, 0};
	int http_panic = 0;

	for (i = 0; i < ev->nr_lines; i++) {
		struct span v = line_span(ev, i);
		if (starts(v, "panic: ") || starts(v, "fatal error: ")) {
			header = i;
			break;
		}
	}
	if (header == ev->nr_lines) {
		/* "<log prefix> http: panic serving 10.0.0.1:5555: msg", a
		 * handler's panic that net/http recovered and logged */
		struct span v = {NULL, 0};
		long at = -1;
		for (i = 0; i < ev->nr_lines && at < 0; i++) {
			v = line_span(ev, i);
			at = find(v, "http: panic serving ");
		}
		if (at < 0) {
			/* a log line, then the stack dump of debug.Stack()
			 * or of pkg/errors' "%+v": the message is the log
			 * line's (without a level word, all of it), there
			 * is no type */
			parse_line(ev);
			if (!line_message(ev, line_span(ev, 0)))
				set_message(ev, go_log_text(line_span(ev, 0)));
			free(ev->type);
			ev->type = NULL;
			go_frames(ev, 1);
			return;
		}
		header = i - 1;
		v = skip(v, (size_t)at + 20);
		at = find(v, ": ");
		if (at >= 0)
			v = skip(v, (size_t)at + 2);
		http_panic = 1;
		http_msg = trim(v);
	}
	{
		struct span v = line_span(ev, header);
		int fatal = !http_panic && starts(v, "fatal error: ");
		struct span msg = http_panic ? http_msg : trim(skip(v, fatal ? 13 : 7));
		if (ends(msg, " [recovered]"))
			msg.n -= 12;
		set_message(ev, msg);
		if (fatal) {
			set_type(ev, sp("fatal", 5));
		} else if (msg.n > 2 && msg.s[0] == '(' && find(msg, ") ") > 1) {
			set_type(ev, sp(msg.s + 1, (size_t)find(msg, ") ") - 1));
		} else if (starts(msg, "runtime error: ") ||
			   go_plain_runtime_error(msg)) {
			set_type(ev, sp("runtime.Error", 13));
		} else {
			set_type(ev, sp("panic", 5));
		}
	}
	go_frames(ev, header + 1);
}

/* ---- Ruby --------------------------------------------------------------- */

static const char *const ruby_lib[] = {"/gems/", "/lib/ruby/", "/ruby/3.", "/ruby/2.",
				       "<internal:"};

/* "path.rb:12:in `meth'" / "... 'Klass#meth'"; returns the rest after it. */
static int ruby_location(struct span v, struct span *file, long *line, struct span *meth,
			 struct span *rest)
{
	long rb = find(v, ".rb:"), in, q, sp_at;
	if (rb < 0) {
		/* the interpreter's own code: "<internal:ractor>:694:in" */
		long gt = starts(v, "<internal:") ? find(v, ">:") : -1;
		if (gt < 0)
			return 0;
		*file = sp(v.s, (size_t)gt + 1);
		v = skip(v, (size_t)gt + 2);
	} else {
		/* not a label before it ("sync worker: app.rb:3:in ...") */
		sp_at = rfind_ch(sp(v.s, (size_t)rb), ' ');
		*file = sp(v.s + sp_at + 1, (size_t)(rb - sp_at) + 2);
		v = skip(v, (size_t)rb + 4);
	}
	*line = parse_num(v);
	in = find(v, ":in ");
	if (in < 0) {
		*meth = sp(NULL, 0);
		*rest = sp(v.s + v.n, 0);
		return 1;
	}
	v = skip(v, (size_t)in + 5);
	q = find(v, "'");
	if (q < 0)
		return 0;
	*meth = sp(v.s, (size_t)q);
	*rest = skip(v, (size_t)q + 1);
	return 1;
}

static int ruby_in_app(struct span file)
{
	return !contains_any(file, ruby_lib, QE_ARRAY_SIZE(ruby_lib));
}

static void ruby_frame(struct qe_event *ev, struct span file, long line, struct span meth)
{
	struct span mod = {NULL, 0}, fn = meth;
	long k = find(meth, "#");
	if (k < 0 && !starts(meth, "<") && !starts(meth, "block "))
		k = rfind_ch(meth, '.');
	if (k > 0) {
		mod = sp(meth.s, (size_t)k);
		fn = skip(meth, (size_t)k + 1);
	}
	add_frame(ev, mod, fn, file, line, ruby_in_app(file));
}

/* The logging gem's "<Class> message": the offset of the '<' of the
 * first "<Name> " or "<A::Name> " at the start of v or after a space,
 * or -1. */
static long ruby_class_mark(struct span v)
{
	size_t i, k;
	for (i = 0; i + 3 < v.n; i++) {
		if (v.s[i] != '<' || (i && v.s[i - 1] != ' ') ||
		    !isupper((unsigned char)v.s[i + 1]))
			continue;
		for (k = i + 1;
		     k < v.n && (is_ident((unsigned char)v.s[k]) || v.s[k] == ':'); k++)
			;
		if (k + 1 < v.n && v.s[k] == '>' && v.s[k + 1] == ' ')
			return (long)i;
	}
	return -1;
}

/* Rails' log line of a rescued exception, "Class (message):", after
 * ActiveSupport's tags ("[a] [b] "): *type gets the class, *m the
 * message; 0 when m is not one. */
static int ruby_rescued(struct span *m, struct span *type)
{
	struct span v = *m;
	size_t k;
	while (starts(v, "[")) {
		long cl = find(v.n > 80 ? sp(v.s, 80) : v, "] ");
		if (cl <= 0)
			return 0;
		v = skip(v, (size_t)cl + 2);
	}
	if (!v.n || !isupper((unsigned char)v.s[0]))
		return 0;
	for (k = 0; k < v.n && (is_ident((unsigned char)v.s[k]) || v.s[k] == ':'); k++)
		;
	if (k + 4 > v.n || v.s[k] != ' ' || v.s[k + 1] != '(' || !ends(v, "):"))
		return 0;
	*type = sp(v.s, k);
	*m = trim(sp(v.s + k + 2, v.n - k - 4));
	return 1;
}

/* Rack's dump of an exception a request raised (Sinatra's dump_errors):
 * "2026-12-01 10:00:00 +0000 - Class - message:", then the backtrace.
 * *type gets the class, *m the message; 0 when m is not one. */
static int rack_dumped(struct span *m, struct span *type)
{
	long d = find(*m, " - ");
	struct span v;
	size_t k;

	if (!ends(*m, ":"))
		return 0;
	if (starts(*m, "- ")) /* (its time read as the line's prefix) */
		v = skip(*m, 2);
	else if (d > 0 && isdigit((unsigned char)m->s[0]))
		v = skip(*m, (size_t)d + 3);
	else
		return 0;
	if (!v.n || !isupper((unsigned char)v.s[0]))
		return 0;
	for (k = 0; k < v.n && (is_ident((unsigned char)v.s[k]) || v.s[k] == ':'); k++)
		;
	if (k + 4 > v.n || memcmp(v.s + k, " - ", 3))
		return 0;
	*type = sp(v.s, k);
	*m = trim(sp(v.s + k + 3, v.n - k - 4));
	return 1;
}

static void parse_ruby(struct qe_event *ev)
{
	size_t i, header = ev->nr_lines;
	struct span file, meth, rest;
	long line;

	/* rake's report: "rake aborted!", then "Class: message" */
	if (ev->nr_lines > 1 && starts(line_span(ev, 0), "rake aborted!")) {
		struct span type, msg;
		if (node_header(trim(line_span(ev, 1)), &type, &msg)) {
			set_type(ev, type);
			set_message(ev, trim(msg));
		} else {
			set_message(ev, trim(line_span(ev, 1)));
		}
		return;
	}
	for (i = 0; i < ev->nr_lines; i++)
		if (ruby_location(trim(line_span(ev, i)), &file, &line, &meth, &rest) &&
		    starts(rest, ": ")) {
			header = i;
			break;
		}
	if (header == ev->nr_lines) {
		/* Logger#error(exception): "<log header> message (Class)", then
		 * the backtrace, one location per line */
		struct span m = trim(line_span(ev, 0));
		long open, mark;
		if (rack_dumped(&m, &rest)) {
			set_type(ev, rest);
			set_message(ev, m);
			goto frames;
		}
		if (ruby_rescued(&m, &rest)) {
			/* with no log header: ActiveSupport's logger */
			set_type(ev, rest);
			set_message(ev, m);
			goto frames;
		}
		parse_line(ev);
		m = sp(ev->message, strlen(ev->message));
		open = rfind(m, " (");
		mark = ruby_class_mark(m);
		if (ends(m, "):") && ruby_rescued(&m, &rest)) {
			/* Rails' "Class (message):", tags before it */
			set_type(ev, rest);
			memmove(ev->message, m.s, m.n);
			ev->message[m.n] = '\0';
		} else if (mark >= 0) {
			/* the logging gem's "<Class> message" */
			long close = find(skip(m, (size_t)mark), "> ");
			set_type(ev, sp(m.s + mark + 1, (size_t)close - 1));
			m = trim(skip(m, (size_t)(mark + close + 2)));
			memmove(ev->message, m.s, m.n);
			ev->message[m.n] = '\0';
		} else if (open >= 0 && ends(m, ")")) {
			set_type(ev, sp(m.s + open + 2, m.n - (size_t)open - 3));
			/* cut in place: m points into ev->message */
			ev->message[open] = '\0';
			m = trim(sp(ev->message, (size_t)open));
			memmove(ev->message, m.s, m.n);
			ev->message[m.n] = '\0';
		}
	frames:
		for (i = 1; i < ev->nr_lines; i++)
			if (ruby_location(trim(line_span(ev, i)), &file, &line, &meth,
					  &rest))
				ruby_frame(ev, file, line, meth);
		return;
	}
	{
		struct span m = trim(skip(rest, 2));
		long open = rfind(m, " (");
		if (open >= 0 && ends(m, ")")) {
			set_type(ev, sp(m.s + open + 2, m.n - (size_t)open - 3));
			set_message(ev, sp(m.s, (size_t)open));
		} else {
			set_message(ev, m);
		}
	}
	ruby_frame(ev, file, line, meth);
	for (i = header + 1; i < ev->nr_lines; i++) {
		struct span v = trim(line_span(ev, i));
		if (!starts(v, "from ")) {
			/* the cause's own report: its frames are not the raised
			 * exception's */
			if (ruby_location(v, &file, &line, &meth, &rest) &&
			    starts(rest, ": "))
				break;
			continue;
		}
		if (ruby_location(skip(v, 5), &file, &line, &meth, &rest))
			ruby_frame(ev, file, line, meth);
	}
}

/* ---- .NET --------------------------------------------------------------- */

static int dotnet_header(struct span v, struct span *type, struct span *msg)
{
	size_t i = 0, dots = 0;
	v = trim(v);
	if (starts(v, "Unhandled exception. ") || starts(v, "Unhandled Exception: "))
		v = skip(v, 21);
	if (!v.n || !isupper((unsigned char)v.s[0]))
		return 0;
	while (i < v.n &&
	       (is_ident((unsigned char)v.s[i]) || v.s[i] == '.' || v.s[i] == '`')) {
		dots += v.s[i] == '.';
		i++;
	}
	/* a class of no namespace only with its message */
	if ((!dots && (i == v.n || i <= 9)) || !ends(sp(v.s, i), "Exception") ||
	    (i < v.n && v.s[i] != ':'))
		return 0;
	*type = sp(v.s, i);
	*msg = i < v.n ? skip(v, i + 1) : sp(v.s + i, 0);
	return 1;
}

static int dotnet_in_app(struct span name)
{
	return !(starts(name, "System.") || starts(name, "Microsoft."));
}

/* One frame, "Ns.Class.Method(String id) in /src/A.cs:line 12" (what
 * follows "at "). */
static void dotnet_frame(struct qe_event *ev, struct span v)
{
	struct span name, mod, fn, file = {NULL, 0};
	long open = find(v, "("), in, ln, line = 0;

	/* Mono: "Ns.Class.Method (System.String id) [0x0000b] in <mvid>:0" */
	name = trim(open < 0 ? v : sp(v.s, (size_t)open));
	in = rfind(v, " in ");
	if (in >= 0) {
		struct span loc = skip(v, (size_t)in + 4);
		ln = rfind(loc, ":line ");
		if (ln >= 0) {
			file = sp(loc.s, (size_t)ln);
			line = parse_num(skip(loc, (size_t)ln + 6));
		} else {
			file = loc;
		}
	}
	split_last(name, ".", &mod, &fn);
	/* constructors: "Ns.Class..ctor" */
	if (mod.n && mod.s[mod.n - 1] == '.') {
		mod.n--;
		fn = sp(fn.s - 1, fn.n + 1);
	}
	add_frame(ev, mod, fn, file, line, dotnet_in_app(name));
}

static void parse_dotnet(struct qe_event *ev)
{
	size_t i, header = ev->nr_lines;
	struct span type, msg;
	int depth = 0;

	for (i = 0; i < ev->nr_lines; i++)
		if (dotnet_header(line_span(ev, i), &type, &msg)) {
			header = i;
			break;
		}
	if (header == ev->nr_lines) {
		/* a log line that ends with the exception:
		 * "2026-12-01 ERROR settle failed: Ns.XException: msg" */
		struct span v = line_span(ev, 0);
		long at = find(v, ": ");
		while (at >= 0 && !dotnet_header(skip(v, (size_t)at + 2), &type, &msg)) {
			long next = find(skip(v, (size_t)at + 2), ": ");
			at = next < 0 ? -1 : at + 2 + next;
		}
		if (at < 0) {
			set_message(ev, v);
			return;
		}
		header = 0;
	}
	set_type(ev, type);
	{
		long inner = find(msg, " ---> ");
		if (inner >= 0) {
			msg.n = (size_t)inner;
			depth = 1;
		}
	}
	set_message(ev, msg);
	for (i = header + 1; i < ev->nr_lines; i++) {
		struct span v = trim(line_span(ev, i));
		if (starts(v, "---> ")) {
			depth++;
			continue;
		}
		if (starts(v, "--- End of inner exception stack trace")) {
			if (depth)
				depth--;
			continue;
		}
		/* Mono prints the whole report twice */
		if (starts(v, "[ERROR] FATAL UNHANDLED EXCEPTION:"))
			break;
		if (!depth && starts(v, "at "))
			dotnet_frame(ev, skip(v, 3));
	}
}

/* ---- PHP ---------------------------------------------------------------- */

/* Drop a "[date] " log prefix and "PHP " from a line. */
static struct span php_strip(struct span v)
{
	if (starts(v, "[")) {
		long cl = find(v, "] ");
		if (cl > 0 && cl < 65)
			v = skip(v, (size_t)cl + 2);
	}
	if (starts(v, "PHP "))
		v = skip(v, 4);
	return v;
}

/* "Foo\\BarException: msg in /f.php:27", an exception as PHP prints it. */
static int php_exception(struct qe_event *ev, struct span t)
{
	size_t k = 0;
	while (k < t.n && (is_ident((unsigned char)t.s[k]) || t.s[k] == '\\'))
		k++;
	if (k && k + 1 < t.n && t.s[k] == ':') {
		struct span m = skip(t, k + 1);
		long in = rfind(m, " in /");
		if (in < 0)
			in = rfind(m, " in ");
		set_type(ev, sp(t.s, k));
		set_message(ev, in >= 0 ? sp(m.s, (size_t)in) : m);
		return 1;
	}
	return 0;
}

/* "unhandled Foo\\BarException: msg at f.php:27", as a
 * set_exception_handler() callback may print it: a word or two before
 * the class, the file after " at ". */
static int php_handler_exception(struct qe_event *ev, struct span t)
{
	size_t k = 0;
	int words = 0;
	long at;
	while (words < 3 && t.n && islower((unsigned char)t.s[0])) {
		long gap = find(t, " ");
		if (gap < 0)
			return 0;
		t = skip(t, (size_t)gap + 1);
		words++;
	}
	if (!words || !t.n || !isupper((unsigned char)t.s[0]))
		return 0;
	while (k < t.n && (is_ident((unsigned char)t.s[k]) || t.s[k] == '\\'))
		k++;
	if (k + 1 >= t.n || t.s[k] != ':')
		return 0;
	at = rfind(skip(t, k + 1), " at ");
	set_type(ev, sp(t.s, k));
	set_message(ev, at >= 0 ? sp(t.s + k + 1, (size_t)at) : skip(t, k + 1));
	return 1;
}

/* Monolog's normalised exception: '[object] (Foo(code: 3): msg at /f.php:19)'. */
static void monolog_exception_type(struct qe_event *ev, struct span v)
{
	long at = find(v, "\"exception\":\"[object] (");
	size_t k = 0;
	struct span t;
	if (at < 0)
		return;
	t = skip(v, (size_t)at + 23);
	while (k < t.n && (is_ident((unsigned char)t.s[k]) || t.s[k] == '\\'))
		k++;
	if (k && starts(skip(t, k), "(code: "))
		set_type(ev, sp(t.s, k));
}

static int monolog_exception(struct qe_event *ev, struct span v)
{
	long at = find(v, "[object] (");
	size_t k = 0;
	struct span t, m;
	long end;
	if (at < 0)
		return 0;
	t = skip(v, (size_t)at + 10);
	while (k < t.n && (is_ident((unsigned char)t.s[k]) || t.s[k] == '\\'))
		k++;
	if (!k || !starts(skip(t, k), "(code: "))
		return 0;
	set_type(ev, sp(t.s, k));
	m = skip(t, k);
	at = find(m, "): ");
	if (at >= 0) {
		m = skip(m, (size_t)at + 3);
		end = rfind(m, " at /");
		if (end >= 0)
			m.n = (size_t)end;
		set_message(ev, m);
	}
	return 1;
}

static int php_in_app(struct span file)
{
	return file.n && find(file, "/vendor/") < 0;
}

/* One frame, "#1 /app/a.php(51): Ns\\Klass->call()"; 0 when v is none
 * or names no frame ("#2 {main}"). */
static int php_frame(struct qe_event *ev, struct span v)
{
	struct span loc, call, file = {NULL, 0}, mod = {NULL, 0}, fn;
	long colon, open, line = 0, arrow, spc;

	if (!starts(v, "#") || (spc = find(v, " ")) < 0)
		return 0;
	v = skip(v, (size_t)spc + 1);
	if (starts(v, "{main}"))
		return 0;
	colon = find(v, ": ");
	if (colon < 0)
		return 0;
	loc = sp(v.s, (size_t)colon);
	call = skip(v, (size_t)colon + 2);
	open = rfind_ch(loc, '(');
	if (!starts(loc, "[internal") && open > 0) {
		file = sp(loc.s, (size_t)open);
		line = parse_num(skip(loc, (size_t)open + 1));
	}
	open = find(call, "(");
	if (open >= 0)
		call.n = (size_t)open;
	arrow = find(call, "->");
	if (arrow < 0)
		arrow = find(call, "::");
	if (arrow >= 0) {
		mod = sp(call.s, (size_t)arrow);
		fn = skip(call, (size_t)arrow + 2);
	} else {
		fn = call;
	}
	add_frame(ev, mod, fn, file, line, php_in_app(file));
	return 1;
}

static void parse_php(struct qe_event *ev)
{
	size_t i, header = ev->nr_lines, last_next = 0;
	struct span rest = {NULL, 0};
	int parse = 0;

	for (i = 0; i < ev->nr_lines; i++) {
		struct span v = line_span(ev, i);
		long e = find(v, "error:");
		if (e >= 0 &&
		    (find(v, "Fatal error:") >= 0 || find(v, "Parse error:") >= 0)) {
			header = i;
			parse = e >= 6 && !memcmp(v.s + e - 6, "Parse ", 6);
			rest = trim(skip(v, (size_t)e + 6));
			break;
		}
	}
	if (header == ev->nr_lines) {
		/* no "Fatal error:": Monolog, or an exception written with
		 * error_log((string) $e) */
		struct span first = trim(php_strip(line_span(ev, 0)));
		header = 0;
		if (!monolog_exception(ev, line_span(ev, 0)) &&
		    !php_exception(ev, first) && !php_handler_exception(ev, first))
			set_message(ev, line_span(ev, 0));
	} else if (starts(rest, "Uncaught exception '")) {
		/* PHP 5: Uncaught exception 'Foo' with message 'msg' in /f.php:3 */
		struct span t = skip(rest, 20);
		long q = find(t, "'"), wm;
		if (q > 0) {
			set_type(ev, sp(t.s, (size_t)q));
			t = skip(t, (size_t)q + 1);
			wm = find(t, "with message '");
			if (wm >= 0) {
				struct span m = skip(t, (size_t)wm + 14);
				long endq = rfind(m, "' in ");
				set_message(ev, endq >= 0 ? sp(m.s, (size_t)endq) : m);
			} else {
				set_message(ev, t);
			}
		} else {
			set_message(ev, rest);
		}
	} else if (starts(rest, "Uncaught ")) {
		if (!php_exception(ev, skip(rest, 9)))
			set_message(ev, skip(rest, 9));
	} else {
		/* PHP 7 throws a ParseError for what it reports so (an
		 * include's or an eval()'s code among them) */
		if (parse)
			set_type(ev, sp("ParseError", 10));
		set_message(ev, rest);
	}
	/* In a "Next" chain the last one is what went uncaught: its type,
	 * message and frames are the event's. */
	for (i = header + 1; i < ev->nr_lines; i++)
		if (starts(trim(php_strip(line_span(ev, i))), "Next "))
			last_next = i;
	if (last_next) {
		struct span v = trim(php_strip(line_span(ev, last_next)));
		free(ev->type);
		ev->type = NULL;
		php_exception(ev, skip(v, 5));
		header = last_next;
	}

	for (i = header + 1; i < ev->nr_lines; i++) {
		struct span v = trim(php_strip(line_span(ev, i)));
		if (starts(v, "Next ") ||
		    starts(line_span(ev, i), "[previous exception]"))
			break;
		php_frame(ev, v);
	}
}

/* ---- Rust --------------------------------------------------------------- */

static const char *const rust_lib[] = {
    "std::",  "core::", "alloc::", "<std::",  "<core::",  "<alloc::", "rust_begin_unwind",
    "__rust", "_start", "__libc_", "tokio::", "<tokio::",
};

/* fn: the whole path, "app::main" */
static int rust_in_app(struct span fn, struct span file)
{
	return !has_any_prefix(fn, rust_lib, QE_ARRAY_SIZE(rust_lib)) &&
	       find(file, "/rustc/") < 0 && find(file, "/.cargo/registry/") < 0 &&
	       !(fn.n == 4 && !memcmp(fn.s, "main", 4));
}

static void rust_flush(struct qe_event *ev, struct span fn, struct span file, long line)
{
	struct span mod, f;
	long h = rfind(fn, "::h");
	/* legacy-mangled names end in "::h" + 16 hex digits */
	if (h >= 0 && fn.n - (size_t)h == 19)
		fn.n = (size_t)h;
	split_last(fn, "::", &mod, &f);
	add_frame(ev, mod, f, file, line, rust_in_app(fn, file));
}

static void rust_loc(struct span loc, struct span *file, long *line)
{
	long c2 = rfind_ch(loc, ':'), c1;
	*file = loc;
	*line = 0;
	if (c2 < 0)
		return;
	c1 = rfind_ch(sp(loc.s, (size_t)c2), ':');
	if (c1 >= 0) {
		*file = sp(loc.s, (size_t)c1);
		*line = parse_num(skip(loc, (size_t)c1 + 1));
	} else {
		*file = sp(loc.s, (size_t)c2);
		*line = parse_num(skip(loc, (size_t)c2 + 1));
	}
}

static void parse_rust(struct qe_event *ev)
{
	size_t i, header = ev->nr_lines;
	struct span fn = {NULL, 0}, file = {NULL, 0};
	int in_bt = 0, have_fn = 0;
	long line = 0;

	for (i = 0; i < ev->nr_lines; i++)
		if (starts(line_span(ev, i), "thread '") &&
		    find(line_span(ev, i), " panicked at ") >= 0) {
			header = i;
			break;
		}
	if (header == ev->nr_lines && ev->nr_lines == 2 &&
	    find(line_span(ev, 0), "panicked at ") >= 0 &&
	    ends(trim(line_span(ev, 0)), ":")) {
		/* a panic hook's log line, "... panicked at src/main.rs:3:5:",
		 * and the message on the next */
		set_type(ev, sp("panic", 5));
		set_message(ev, trim(line_span(ev, 1)));
		return;
	}
	if (header == ev->nr_lines) {
		/* "thread 'main' has overflowed its stack" then "fatal runtime
		 * error: stack overflow, aborting": no frames, the message says
		 * it all */
		for (i = 0; i < ev->nr_lines; i++)
			if (starts(line_span(ev, i), "fatal runtime error: ")) {
				set_type(ev, sp("fatal", 5));
				set_message(ev, skip(line_span(ev, i), 21));
				return;
			}
		set_message(ev, line_span(ev, 0));
		return;
	}
	set_type(ev, sp("panic", 5));
	{
		/* "thread 'w' panicked at", since Rust 1.80 "thread 'w' (10801) panicked
		 * at" */
		struct span v = line_span(ev, header);
		struct span rest = trim(skip(v, (size_t)find(v, " panicked at ") + 13));
		if (starts(rest, "'")) {
			long q = rfind(rest, "', ");
			if (q > 0) {
				set_message(ev, sp(rest.s + 1, (size_t)q - 1));
			} else {
				set_message(ev, rest);
			}
		} else {
			set_message(ev, header + 1 < ev->nr_lines
					    ? line_span(ev, header + 1)
					    : sp("", 0));
		}
	}
	for (i = header + 1; i < ev->nr_lines; i++) {
		struct span v = trim(line_span(ev, i));
		if (starts(v, "stack backtrace:")) {
			in_bt = 1;
			continue;
		}
		if (!in_bt)
			continue;
		if (starts(v, "at ")) {
			rust_loc(skip(v, 3), &file, &line);
			continue;
		}
		if (v.n && isdigit((unsigned char)v.s[0]) && find(v, ": ") > 0) {
			if (have_fn)
				rust_flush(ev, fn, file, line);
			fn = skip(v, (size_t)find(v, ": ") + 2);
			/* "0x55d0c3a0 - name" in some backtraces */
			if (find(fn, " - ") >= 0)
				fn = skip(fn, (size_t)find(fn, " - ") + 3);
			file = sp(NULL, 0);
			line = 0;
			have_fn = 1;
			continue;
		}
		if (starts(v, "note:")) {
			if (have_fn)
				rust_flush(ev, fn, file, line);
			have_fn = 0;
			in_bt = 0;
		}
	}
	if (have_fn)
		rust_flush(ev, fn, file, line);
	/* Without a backtrace the panic's location (file:line) is all there
	 * is, and no frame is made of it: it would name the file only, so
	 * that every panic in one file would look alike; the message tells
	 * them apart instead. */
}

/* ---- single error lines ------------------------------------------------- */

static const char *const level_words[] = {
    "EMERGENCY", "CRITICAL", "SEVERE", "ERROR", "FATAL",
    "EMERG",	 "ALERT",    "PANIC",  "CRIT",	"ERR",
};

/* Whether c begins one of level_words: most bytes of a line do not, and
 * need no look at the words. */
static int level_initial(char c)
{
	return c == 'E' || c == 'C' || c == 'S' || c == 'F' || c == 'A' || c == 'P';
}

/* The quoted value after key in v, escapes kept; 0 when absent. */
static int quoted_value(struct span v, const char *key, struct span *out)
{
	long at = find(v, key);
	struct span val;
	size_t i;
	if (at < 0)
		return 0;
	val = skip(v, (size_t)at + strlen(key));
	for (i = 0; i < val.n && val.s[i] != '"'; i++)
		if (val.s[i] == '\\')
			i++;
	if (i > val.n)
		i = val.n;
	*out = sp(val.s, i);
	return 1;
}

/* A value as its logger meant it: \" and \\ undone. */
static void add_unescaped(struct qe_buf *b, struct span v)
{
	size_t i;
	for (i = 0; i < v.n; i++) {
		if (v.s[i] == '\\' && i + 1 < v.n &&
		    (v.s[i + 1] == '"' || v.s[i + 1] == '\\'))
			i++;
		qe_buf_addch(b, v.s[i]);
	}
}

/*
 * The msg/message field of a JSON or logfmt line read as text, with its
 * error field after it as "msg: error": the text a JSON record decoded
 * as such gets (logrus' text and JSON formatters, zerolog's console
 * writer off), so that the two give one fingerprint.
 */
static int structured_message(struct qe_event *ev, struct span v)
{
	static const char *const keys[] = {"\"msg\":\"", "\"message\":\"", " msg=\"",
					   " message=\""};
	static const char *const err_keys[] = {"\"error\":\"", "\"err\":\"",
					       " error=", " err="};
	struct qe_buf b = QE_BUF_INIT;
	struct span msg, err;
	size_t k, e0;

	/* each key says "msg" or "message": most lines have neither */
	if (find(v, "msg") < 0 && find(v, "message") < 0)
		return 0;
	for (k = 0; k < QE_ARRAY_SIZE(keys); k++)
		if (quoted_value(v, keys[k], &msg))
			break;
	if (k == QE_ARRAY_SIZE(keys) || !trim(msg).n)
		return 0;
	add_unescaped(&b, trim(msg));
	/* the same syntax as the message: JSON keys for JSON, logfmt's else;
	 * a logfmt value is quoted only when it has to be */
	for (e0 = k < 2 ? 0 : 2, k = e0; k < e0 + 2; k++) {
		long at = find(v, err_keys[k]);
		struct span rest;
		if (at < 0)
			continue;
		rest = skip(v, (size_t)at + strlen(err_keys[k]));
		if (e0) {
			if (starts(rest, "\""))
				quoted_value(rest, "\"", &err);
			else
				for (err = sp(rest.s, 0);
				     err.n < rest.n && rest.s[err.n] != ' ' &&
				     rest.s[err.n] != '\t';
				     err.n++)
					;
		} else {
			quoted_value(v, err_keys[k], &err);
		}
		if (trim(err).n) {
			qe_buf_addstr(&b, ": ");
			add_unescaped(&b, trim(err));
			break;
		}
	}
	free(ev->message);
	ev->message = qe_buf_detach(&b);
	return 1;
}

static int strpbrk_n(const char *s, size_t n, const char *set)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strchr(set, s[i]))
			return 1;
	return 0;
}

/* "Mar  4 18:00:06 host tag[pid]: " after a syslog priority. */
static struct span skip_syslog_header(struct span v)
{
	struct span rest;
	long colon;
	if (v.n < 16 || !isupper((unsigned char)v.s[0]) || v.s[3] != ' ' ||
	    v.s[6] != ' ' || v.s[9] != ':' || v.s[12] != ':' || v.s[15] != ' ')
		return v;
	rest = skip(v, 16);
	colon = find(rest, ": ");
	if (colon < 0 || colon > 128)
		return rest;
	return skip(rest, (size_t)colon + 2);
}

/* A logger's name: letters, digits and "._$/-", starting with a letter.
 * Its length, 0 when v does not start with one. */
static size_t logger_name(struct span v, int *dotted)
{
	size_t i;
	*dotted = 0;
	if (!v.n || !isalpha((unsigned char)v.s[0]))
		return 0;
	for (i = 0; i < v.n && i < 128; i++) {
		unsigned char c = (unsigned char)v.s[i];
		if (c == '.' || c == '$')
			*dotted = 1;
		else if (!is_ident(c) && c != '-' && c != '/')
			break;
	}
	return i < 128 ? i : 0;
}

/* What follows a logger's name before the text, as the common layouts
 * write it: " - " (log4j, logback), " -- " (logback 1.3 and later),
 * " : " after a dotted or padded name (Spring Boot), ": " after a dotted name
 * (Python's "%(name)s: %(message)s"), ":" glued to the name and the
 * level (Python's default "LEVEL:name:message").  The length of the
 * name and separator, 0 when v does not start with a logger. */
static size_t logger_prefix(struct span v, int glued)
{
	int dotted;
	size_t n = logger_name(v, &dotted), i = n;
	if (!n)
		return 0;
	if (glued)
		return i < v.n && v.s[i] == ':' && !memchr(v.s, '/', n) ? i + 1 : 0;
	if (dotted && i + 1 < v.n && v.s[i] == ':' && v.s[i + 1] == ' ')
		return i + 2;
	while (i < v.n && v.s[i] == ' ')
		i++;
	if (i == n)
		return 0;
	if (i + 1 < v.n && v.s[i] == ':' && v.s[i + 1] == ' ' && (dotted || i > n + 1))
		return i + 2;
	/* a lone lower-case word before " - " reads as the text ("timeout -
	 * retrying"); a class name (%logger{0}) is capitalised */
	if (!dotted && i == n + 1 && !isupper((unsigned char)v.s[0]))
		return 0;
	if (i + 1 < v.n && v.s[i] == '-' && v.s[i + 1] == ' ')
		return i + 2;
	if (i + 2 < v.n && v.s[i] == '-' && v.s[i + 1] == '-' && v.s[i + 2] == ' ')
		return i + 3;
	return 0;
}

/* zap's console encoder: "TIME\tLEVEL\tcaller\tmessage\t{fields}".  The
 * JSON encoder writes the same record with the caller and fields apart,
 * its text read as "message: error"; give the console line that text. */
static int zap_console(struct qe_event *ev, struct span msg)
{
	const char *tab = memchr(msg.s, '\t', msg.n);
	struct qe_buf b = QE_BUF_INIT;
	json_t *fields = NULL, *err;
	size_t k;
	long c;

	if (!tab)
		return 0;
	/* the caller, "app/main.go:21" */
	c = rfind(sp(msg.s, (size_t)(tab - msg.s)), ":");
	if (c <= 0 || tab - msg.s == c + 1 || memchr(msg.s, ' ', (size_t)(tab - msg.s)))
		return 0;
	for (k = (size_t)c + 1; msg.s + k < tab; k++)
		if (!isdigit((unsigned char)msg.s[k]))
			return 0;
	msg = skip(msg, (size_t)(tab - msg.s) + 1);
	tab = memchr(msg.s, '\t', msg.n);
	if (tab && tab + 1 < msg.s + msg.n && tab[1] == '{')
		fields = json_loadb(tab + 1, (size_t)(msg.s + msg.n - tab - 1), 0, NULL);
	if (tab)
		msg.n = (size_t)(tab - msg.s);
	qe_buf_add(&b, msg.s, trim(msg).n ? msg.n : 0);
	err = json_is_object(fields) ? json_object_get(fields, "error") : NULL;
	if (json_is_string(err)) {
		if (b.len)
			qe_buf_addstr(&b, ": ");
		qe_buf_addstr(&b, json_string_value(err));
	}
	json_decref(fields);
	if (!b.len) {
		qe_buf_release(&b);
		return 0;
	}
	free(ev->message);
	ev->message = qe_buf_detach(&b);
	return 1;
}

/*
 * Per-record fields the text layouts put between the level and the text,
 * which a JSON logger writes as fields of their own (pid, thread_name,
 * logger_name): a process id ("4242 --- " from Spring Boot, "(4242): "
 * and "(orders/4242 on web-1): " from pino-pretty), a thread in brackets
 * ("[main] ", "[           main] "), a logger before its separator
 * ("com.x.Foo - ", "c.e.Foo  : ", "billing.api: ").  They go, so that a
 * line and its JSON twin give the same message and fingerprint; the
 * frames of a trace say where an error comes from.  A bracket is kept
 * when no logger follows it and it holds no digit: "[db] refused" may be
 * the text itself.
 */
static struct span skip_log_fields(struct span msg, int glued)
{
	size_t d = 0, b, k;
	struct span at, rest;

	while (d < msg.n && isdigit((unsigned char)msg.s[d]))
		d++;
	if (d && starts(skip(msg, d), " --- "))
		msg = skip(msg, d + 5);
	if (starts(msg, "(")) {
		struct span w = msg.n > 80 ? sp(msg.s, 80) : msg;
		long cl = find(w, "): ");
		if (cl > 0 && strpbrk_n(msg.s, (size_t)cl, "0123456789"))
			return skip(msg, (size_t)cl + 3);
	}
	at = rest = msg;
	for (b = 0; b < 2 && starts(rest, "["); b++) {
		long cl = find(rest.n > 80 ? sp(rest.s, 80) : rest, "] ");
		if (cl <= 0)
			break;
		rest = skip(rest, (size_t)cl + 2);
		/* only a name that varies: "[main]" or "[db]" may say where */
		if (strpbrk_n(at.s, (size_t)(rest.s - at.s), "0123456789"))
			at = rest;
	}
	k = logger_prefix(rest, glued);
	if (k)
		return trim(skip(rest, k));
	k = logger_prefix(at, glued);
	if (k)
		return trim(skip(at, k));
	/* "[CommitProcessor:1:NIOServerCnxn@180] - text" (ZooKeeper) */
	if (at.s != msg.s && (starts(at, "- ") || starts(at, "-- ")))
		at = skip(at, at.s[1] == '-' ? 3 : 2);
	return trim(at);
}

/* The text after the level token of an error line; 0 when the line
 * shows no level (the message is then the whole line). */
/*
 * structlog's console renderer: "TIME [error    ] event   key=value ...":
 * the level padded inside its brackets, the event padded to a column,
 * then the record's other keys (its JSON renderer keeps them apart from
 * the event).  *msg gets the event alone.
 */
static int structlog_console(struct span v, struct span *msg)
{
	static const char *const levels[] = {"error", "critical", "exception", "fatal"};
	struct span lim = v.n > 80 ? sp(v.s, 80) : v, m;
	size_t k, i;

	for (k = 0; k < QE_ARRAY_SIZE(levels); k++) {
		size_t l = strlen(levels[k]);
		long at = find(lim, levels[k]);
		if (at < 1 || v.s[at - 1] != '[')
			continue;
		i = (size_t)at + l;
		if (i >= v.n || v.s[i] != ' ')
			continue; /* "[error]" has no padding: another layout */
		while (i < v.n && v.s[i] == ' ')
			i++;
		if (i + 1 >= v.n || v.s[i] != ']' || v.s[i + 1] != ' ')
			continue;
		m = trim(skip(v, i + 2));
		/* the keys start after a run of spaces, with "name=" */
		for (i = 0; i + 2 < m.n; i++) {
			size_t j = i;
			if (m.s[i] != ' ' || m.s[i + 1] != ' ')
				continue;
			while (j < m.n && m.s[j] == ' ')
				j++;
			while (j < m.n && (is_ident((unsigned char)m.s[j])))
				j++;
			if (j < m.n && m.s[j] == '=' && j > i + 2) {
				m.n = i;
				break;
			}
		}
		*msg = m;
		return 1;
	}
	return 0;
}

/* A name at the start of v: letters, digits and '_' (tracing's span
 * names, field names, the parts of a target).  Its length, 0 when none. */
static size_t rust_name(struct span v)
{
	size_t i = 0;
	if (!v.n || !(isalpha((unsigned char)v.s[0]) || v.s[0] == '_'))
		return 0;
	while (i < v.n && (isalnum((unsigned char)v.s[i]) || v.s[i] == '_'))
		i++;
	return i;
}

/* " name=" at v.s[i]: a field of tracing's after the message (names may
 * be dotted: "http.status=500").  The length of " name=", 0 when none. */
static size_t field_at(struct span v, size_t i)
{
	size_t k, j = i + 1;
	if (i >= v.n || v.s[i] != ' ')
		return 0;
	for (;;) {
		k = rust_name(skip(v, j));
		if (!k)
			return 0;
		j += k;
		if (j < v.n && v.s[j] == '.')
			j++;
		else
			break;
	}
	return j < v.n && v.s[j] == '=' ? j + 1 - i : 0;
}

/*
 * The text of tracing-subscriber's fmt layer after its level:
 * "span{k=v}:span2: target::path: message k=v error=...".  The spans
 * (where the event happened, with their fields) and the target go; the
 * event's own fields follow the message, each " name=value" (a value
 * may hold spaces: it runs to the next field).  As for its JSON format,
 * where the fields are apart (fields.message, fields.error), the message
 * is "message: error".  0 when msg does not read as that layout: it
 * needs a span with fields, a target with "::" or fields after the
 * message, so that "db: connection refused" stays as it is.
 */
static int tracing_fmt(struct qe_event *ev, struct span msg)
{
	struct span v = msg, text, err = {NULL, 0};
	size_t k, i, f;
	int spans = 0, braces = 0, path = 0, fields = 0;
	struct qe_buf b = QE_BUF_INIT;

	/* spans: "name{...}" or "name", joined by ':', then ": "; one of
	 * them with fields ("name: " alone is the target) */
	for (;;) {
		struct span w = v;
		if (!(k = rust_name(w)))
			break;
		w = skip(w, k);
		if (starts(w, "{")) {
			size_t depth = 0;
			for (i = 0; i < w.n; i++)
				if (w.s[i] == '{')
					depth++;
				else if (w.s[i] == '}' && !--depth)
					break;
			if (i >= w.n)
				break;
			w = skip(w, i + 1);
			braces = 1;
		}
		if (!starts(w, ":") || starts(w, "::"))
			break;
		w = skip(w, 1);
		if (starts(w, " ")) {
			if (braces) {
				v = skip(w, 1);
				spans = 1;
			}
			break;
		}
		v = w;
	}
	if (!spans)
		v = msg;
	/* the target: "name" or "a::b::c", then ": " */
	i = 0;
	for (;;) {
		if (!(k = rust_name(skip(v, i))))
			return 0;
		i += k;
		if (!starts(skip(v, i), "::"))
			break;
		i += 2;
		path = 1;
	}
	if (!starts(skip(v, i), ": "))
		return 0;
	v = skip(v, i + 2);
	/* the message, then the fields */
	for (i = 0; i < v.n && !field_at(v, i); i++)
		;
	text = sp(v.s, i);
	while (i < v.n && (f = field_at(v, i)) != 0) {
		size_t name = i + 1, e;
		fields = 1;
		for (e = i + f; e < v.n && !field_at(v, e); e++)
			;
		if (!err.s && ((f == 7 && !memcmp(v.s + name, "error", 5)) ||
			       (f == 5 && !memcmp(v.s + name, "err", 3))))
			err = sp(v.s + i + f, e - i - f);
		i = e;
	}
	if (!spans && !path && !fields)
		return 0;
	/* a value written with Debug ("?e") is quoted; the JSON one is not */
	err = trim(err);
	if (err.n >= 2 && err.s[0] == '"' && err.s[err.n - 1] == '"')
		err = sp(err.s + 1, err.n - 2);
	text = trim(text);
	qe_buf_add(&b, text.s, text.n);
	if (err.n) {
		if (b.len)
			qe_buf_addstr(&b, ": ");
		qe_buf_add(&b, err.s, err.n);
	}
	if (!b.len)
		qe_buf_add(&b, v.s, v.n);
	free(ev->message);
	ev->message = qe_buf_detach(&b);
	return 1;
}

/* The length of hclog's "key=" at the start of v, 0 when none. */
static size_t hclog_key(struct span v)
{
	size_t k = 0;
	while (k < v.n &&
	       (is_ident((unsigned char)v.s[k]) || v.s[k] == '.' || v.s[k] == '-'))
		k++;
	return k && k + 1 < v.n && v.s[k] == '=' && isalpha((unsigned char)v.s[0]) ? k + 1
										   : 0;
}

/* One "key=value" of hclog's text format at the start of v: its length,
 * 0 when none.  A value with blanks is quoted, its own quotes are not
 * escaped: it ends at a quote before the end or before a blank and the
 * next key. */
static size_t hclog_pair(struct span v, struct span *key, struct span *val)
{
	size_t k = hclog_key(v), e;
	if (!k--)
		return 0;
	*key = sp(v.s, k);
	if (v.s[k + 1] != '"') {
		for (e = k + 1; e < v.n && v.s[e] != ' '; e++)
			;
		*val = sp(v.s + k + 1, e - k - 1);
		return e;
	}
	for (e = k + 2; e < v.n; e++) {
		if (v.s[e] != '"')
			continue;
		if (e + 1 == v.n || (v.s[e + 1] == ' ' && hclog_key(skip(v, e + 2)))) {
			*val = sp(v.s + k + 2, e - k - 2);
			return e + 1;
		}
	}
	return 0;
}

/* Whether v is nothing but hclog pairs; *err gets the error's value. */
static int hclog_pairs(struct span v, struct span *err)
{
	struct span key, val;
	size_t n;
	err->s = NULL;
	err->n = 0;
	while ((n = hclog_pair(v, &key, &val))) {
		if ((key.n == 5 && !memcmp(key.s, "error", 5)) ||
		    (key.n == 3 && !memcmp(key.s, "err", 3)))
			if (!err->s)
				*err = val;
		v = skip(v, n);
		if (!v.n)
			return 1;
		if (v.s[0] != ' ')
			return 0;
		v = skip(v, 1);
	}
	return 0;
}

/*
 * hashicorp/go-hclog's text format after its "[ERROR] ": "caller: name:
 * message: key=value ...", the caller ("dir/main.go:55", IncludeLocation)
 * and the logger's name optional.  Its JSON format writes the message
 * alone (@message), beside @caller and @module, so the message here is
 * the message too, with the error's value after it as a JSON record's
 * ("message: error").  0 when msg shows neither a Go caller nor pairs.
 */
static int hclog_text(struct qe_event *ev, struct span msg)
{
	struct span m = msg, err = {NULL, 0};
	struct qe_buf b = QE_BUF_INIT;
	size_t w, i;
	int caller = 0, pairs = 0, tries;

	for (w = 0; w < m.n && m.s[w] != ' '; w++)
		;
	if (w > 5 && m.s[w - 1] == ':' && isdigit((unsigned char)m.s[w - 2])) {
		for (i = w - 2; i && isdigit((unsigned char)m.s[i - 1]); i--)
			;
		if (i >= 4 && !memcmp(m.s + i - 4, ".go:", 4)) {
			m = trim(skip(m, w));
			caller = 1;
		}
	}
	/* the pairs after a ": " and a key: a few tries, so that a long
	 * line costs a pass or two */
	for (i = 0, tries = 0; i + 2 < m.n && tries < 4; i++) {
		if (m.s[i] != ':' || m.s[i + 1] != ' ' || !hclog_key(skip(m, i + 2)))
			continue;
		tries++;
		if (hclog_pairs(skip(m, i + 2), &err)) {
			m.n = i;
			pairs = 1;
			break;
		}
	}
	if (!caller && !pairs)
		return 0;
	/* the name: one word before ": " */
	for (w = 0; w < m.n && (is_ident((unsigned char)m.s[w]) || strchr(".-/", m.s[w]));
	     w++)
		;
	if (w && w + 2 < m.n && m.s[w] == ':' && m.s[w + 1] == ' ')
		m = skip(m, w + 2);
	qe_buf_add(&b, m.s, m.n);
	if (err.s && !memmem(m.s, m.n, err.s, err.n)) {
		qe_buf_addstr(&b, ": ");
		qe_buf_add(&b, err.s, err.n);
	}
	free(ev->message);
	ev->message = qe_buf_detach(&b);
	return 1;
}

static int line_message(struct qe_event *ev, struct span v)
{
	struct span lim = v, msg = v;
	size_t i, k;
	int found = 0, glued = 0, tabbed = 0, bracketed = 0;

	if (lim.n > 200)
		lim.n = 200;
	if (structured_message(ev, v))
		return 1;
	if (v.n > 5 && (v.s[0] == 'E' || v.s[0] == 'F') &&
	    isdigit((unsigned char)v.s[1]) && find(lim, "] ") > 0) {
		msg = skip(v, (size_t)find(lim, "] ") + 2);
		found = 1;
	} else if (v.n > 2 && v.s[0] == '<' && isdigit((unsigned char)v.s[1]) &&
		   find(lim, ">") > 0) {
		msg = skip_syslog_header(skip(v, (size_t)find(lim, ">") + 1));
		found = 1;
	}
	for (i = 0; !found && i < lim.n; i++) {
		/* "channel.ERROR:" (Monolog) is a level after a dot */
		int dot = i && v.s[i - 1] == '.';
		if (!level_initial(v.s[i]) || (i && !dot &&
					       (is_ident((unsigned char)v.s[i - 1]) ||
						v.s[i - 1] == '/' || v.s[i - 1] == '-')))
			continue;
		for (k = 0; k < QE_ARRAY_SIZE(level_words); k++) {
			size_t l = strlen(level_words[k]);
			if (dot && !(i + l < v.n && v.s[i + l] == ':'))
				continue;
			if (i + l <= v.n && !memcmp(v.s + i, level_words[k], l) &&
			    (i + l == v.n ||
			     !(is_ident((unsigned char)v.s[i + l]) || v.s[i + l] == '.' ||
			       v.s[i + l] == '-' || v.s[i + l] == '/'))) {
				msg = skip(v, i + l);
				found = 1;
				glued = !dot && i + l + 1 < v.n && v.s[i + l] == ':' &&
					is_ident((unsigned char)v.s[i + l + 1]);
				tabbed = (!i || v.s[i - 1] == '\t') && i + l < v.n &&
					 v.s[i + l] == '\t';
				/* "[ERROR target] message" (env_logger): the
				 * bracket names where, the text follows it */
				if (i && v.s[i - 1] == '[') {
					struct span w = msg.n > 80 ? sp(msg.s, 80) : msg;
					long cl = find(w, "] ");
					bracketed = cl == 0;
					if (cl >= 0 && !memchr(w.s, '[', (size_t)cl))
						msg = skip(msg, (size_t)cl + 2);
				}
				break;
			}
		}
	}
	if (!found) {
		/* zap's production console: "<epoch>\terror\tcaller\tmsg\t{...}" */
		static const char *const tab_levels[] = {"\terror\t", "\tdpanic\t",
							 "\tpanic\t", "\tfatal\t"};
		for (k = 0; k < QE_ARRAY_SIZE(tab_levels) && !found; k++) {
			long at = find(lim, tab_levels[k]);
			if (at >= 0 && !memchr(v.s, '\t', (size_t)at)) {
				msg = skip(v, (size_t)at + strlen(tab_levels[k]) - 1);
				found = tabbed = 1;
			}
		}
	}
	if (!found && structlog_console(v, &msg))
		found = 1;
	if (!found) {
		static const char *const lower[] = {
		    "[error]", ":error]", "[crit]",	 "[alert]",
		    "[emerg]", "[fatal]", "level=error", "\"level\":\"error\""};
		for (k = 0; k < QE_ARRAY_SIZE(lower); k++) {
			long at = find(lim, lower[k]);
			if (at >= 0) {
				msg = skip(v, (size_t)at + strlen(lower[k]));
				found = 1;
				break;
			}
		}
	}
	/* after the level, or at the start when a decoder took the time and
	 * level away */
	if ((tabbed && zap_console(ev, skip(msg, 1))) || (!found && zap_console(ev, v)))
		return 1;
	while (msg.n && strchr(" \t:-]|>)\"", msg.s[0]))
		msg = skip(msg, 1);
	if (bracketed && hclog_text(ev, msg))
		return 1;
	if (found && !glued && tracing_fmt(ev, msg))
		return 1;
	if (found)
		msg = skip_log_fields(msg, glued);
	set_message(ev, msg.n ? msg : v);
	return found;
}

/* A sanitizer's frame: "    #1 0x556a8c4d44b3 in copy_qty /app/x.c:21", or
 * "in _start (/app/prog+0x21c0)" without a source. */
static int sanitizer_frame(struct qe_event *ev, struct span v)
{
	struct span fn, file = sp(NULL, 0);
	long at, line = 0, c;

	v = trim(v);
	if (!starts(v, "#") || (at = find(v, " in ")) < 0)
		return 0;
	v = skip(v, (size_t)at + 4);
	at = find(v, " ");
	fn = at < 0 ? v : sp(v.s, (size_t)at);
	if (at >= 0 && v.s[at + 1] != '(') {
		file = skip(v, (size_t)at + 1);
		/* "file.c:21" or "file.c:21:7" */
		if ((c = rfind_ch(file, ':')) > 0 &&
		    isdigit((unsigned char)file.s[c + 1])) {
			struct span head = sp(file.s, (size_t)c);
			long c2 = rfind_ch(head, ':');
			if (c2 > 0 && isdigit((unsigned char)head.s[c2 + 1])) {
				line = parse_num(skip(head, (size_t)c2 + 1));
				file.n = (size_t)c2;
			} else {
				line = parse_num(skip(file, (size_t)c + 1));
				file.n = (size_t)c;
			}
		}
	}
	add_frame(ev, sp(NULL, 0), fn, file, line,
		  file.n && !starts(file, "../") && find(file, "/libsanitizer/") < 0);
	return 1;
}

/* A sanitizer's report: "==PID==ERROR: AddressSanitizer: what ...",
 * or UBSan's "file.c:36:11: runtime error: what", then the stack where
 * it happened (the stacks of allocation and free after it are kept in
 * the lines, not as frames). */
static int parse_sanitizer(struct qe_event *ev)
{
	size_t i, h = ev->nr_lines;
	long at = -1;
	struct span v;

	for (i = 0; i < ev->nr_lines && i < 2 && h == ev->nr_lines; i++) {
		v = line_span(ev, i);
		if ((at = find(v, "==ERROR: ")) >= 0) {
			at += 9;
			h = i;
		} else if ((at = find(v, ": runtime error: ")) >= 0) {
			at += 2;
			h = i;
		}
	}
	if (h == ev->nr_lines)
		return 0;
	set_type(ev, sp("fatal", 5));
	set_message(ev, skip(line_span(ev, h), (size_t)at));
	for (i = h + 1; i < ev->nr_lines; i++) {
		v = trim(line_span(ev, i));
		if (!v.n && ev->nr_frames)
			break;
		if (!sanitizer_frame(ev, v) && ev->nr_frames)
			break;
	}
	return 1;
}

/* gfortran's "Fortran runtime error: what" (under "At line N of file F"),
 * its frames "#3  0x557c156254b0 in slot", each with "\tat /app/x.f90:28"
 * under it when the program has its debug information. */
static int parse_fortran(struct qe_event *ev)
{
	size_t i, h = ev->nr_lines;
	struct span v;

	for (i = 0; i < ev->nr_lines && i < 2 && h == ev->nr_lines; i++)
		if (starts(line_span(ev, i), "Fortran runtime error: "))
			h = i;
	if (h == ev->nr_lines)
		return 0;
	set_type(ev, sp("fatal", 5));
	set_message(ev, skip(line_span(ev, h), 23));
	for (i = h + 1; i < ev->nr_lines; i++) {
		v = line_span(ev, i);
		if (starts(v, "\tat ") && ev->nr_frames) {
			struct qe_frame *f = &ev->frames[ev->nr_frames - 1];
			struct span file = trim(skip(v, 4));
			long c = rfind_ch(file, ':');
			if (c > 0 && !f->file) {
				f->line = parse_num(skip(file, (size_t)c + 1));
				f->file = dup_span(ev, sp(file.s, (size_t)c));
				f->in_app = 1;
			}
		} else if (starts(v, "#") && sanitizer_frame(ev, v) &&
			   ev->frames[ev->nr_frames - 1].function &&
			   !strcmp(ev->frames[ev->nr_frames - 1].function, "???")) {
			ev->frames[ev->nr_frames - 1].in_app = 0;
		}
	}
	return 1;
}

/* An exception object Perl died with, as its class prints it:
 * "Ledger::Error: message at app.pl line 30." (a package name with
 * "::" in it, then ": "). */
static void perl_class(struct qe_event *ev, struct span v)
{
	size_t i = 0, parts = 0;

	while (i < v.n && isupper((unsigned char)v.s[i])) {
		while (i < v.n && is_ident((unsigned char)v.s[i]))
			i++;
		parts++;
		if (i + 2 < v.n && v.s[i] == ':' && v.s[i + 1] == ':')
			i += 2;
		else
			break;
	}
	if (parts > 1 && i + 1 < v.n && v.s[i] == ':' && v.s[i + 1] == ' ')
		set_type(ev, sp(v.s, i));
}

/* A test runner's run: what the first failed test raised.  TAP's
 * YAML block under "not ok" ("  name: 'VoucherError'", "  error: '...'"),
 * minitest's "  1) Error:", the test's name, "Class: message". */
static int parse_test_run(struct qe_event *ev)
{
	size_t i, j;
	int failed = 0, stack = 0;
	struct span file, meth, rest;
	long line;

	for (i = 1; i < ev->nr_lines; i++) {
		struct span v = trim(line_span(ev, i)), type, msg;
		if (!failed) {
			failed = starts(v, "not ok ") ? 1
				 : (find(v, ") Error:") > 0 || find(v, ") Failure:") > 0)
				     ? 2
				     : 0;
			if (failed == 1)
				set_message(ev, v);
			continue;
		}
		if (failed == 1) {
			if (starts(v, "not ok ") || starts(v, "..."))
				break;
			/* the stack, its frames without "at " */
			if (stack && find(line_span(ev, i), "    ") == 0) {
				node_frame(ev, v);
				continue;
			}
			stack = starts(v, "stack: ");
			if (starts(v, "name: ") || starts(v, "error: ")) {
				struct span val = trim(skip(v, v.s[0] == 'n' ? 6 : 7));
				if (val.n >= 2 && (val.s[0] == '\'' || val.s[0] == '"') &&
				    val.s[val.n - 1] == val.s[0])
					val = sp(val.s + 1, val.n - 2);
				if (v.s[0] == 'n')
					set_type(ev, val);
				else
					set_message(ev, val);
			}
			continue;
		}
		/* minitest: the test's "Class#test_x:", then the error */
		if (i + 1 < ev->nr_lines && ends(v, ":")) {
			v = trim(line_span(ev, i + 1));
			if (node_header(v, &type, &msg) ||
			    python_exception_line(v, &type, &msg)) {
				set_type(ev, type);
				set_message(ev, msg);
			} else {
				set_message(ev, v);
			}
			for (j = i + 2; j < ev->nr_lines; j++) {
				if (!ruby_location(trim(line_span(ev, j)), &file, &line,
						   &meth, &rest))
					break;
				ruby_frame(ev, file, line, meth);
			}
		}
		break;
	}
	return failed;
}

static void parse_line(struct qe_event *ev)
{
	if (ev->rule && !strcmp(ev->rule, "test-run") && parse_test_run(ev))
		return;
	if (ev->rule && !strcmp(ev->rule, "sanitizer") && parse_sanitizer(ev))
		return;
	if (ev->rule && !strcmp(ev->rule, "gfortran") && parse_fortran(ev))
		return;
	if (ev->rule && !strcmp(ev->rule, "perl-die"))
		perl_class(ev, line_span(ev, 0));
	/* Tcl's message is the line above its trace, level word or none */
	if (ev->rule && !strcmp(ev->rule, "tcl-error")) {
		if (!line_message(ev, line_span(ev, 0)))
			set_message(ev, trim(line_span(ev, 0)));
		return;
	}
	/* java.util.logging puts date and source on a line of their own,
	 * before "SEVERE: message" */
	if (!line_message(ev, line_span(ev, 0)) && ev->nr_lines > 1)
		line_message(ev, line_span(ev, 1));
	/* Monolog names the exception in its context */
	monolog_exception_type(ev, line_span(ev, 0));
	/* a crash handler's backtrace_symbols() under its line: a signal,
	 * nothing raised */
	if (!ev->type && ev->nr_lines > 1 && ends(trim(line_span(ev, 1)), "]") &&
	    (find(line_span(ev, 1), ")[0x") > 0 || find(line_span(ev, 1), ") [0x") > 0))
		set_type(ev, sp("fatal", 5));
	/* a JSON stack in a text line (winston's simple format):
	 * '... {"stack":"TypeError: boom\n    at f (/app/x.js:3:9)"}' */
	if (!ev->type) {
		struct span v = line_span(ev, 0), type, msg;
		long at = find(v, "\"stack\":\"");
		if (at >= 0) {
			long nl;
			v = skip(v, (size_t)at + 9);
			nl = find(v, "\\n");
			if (nl >= 0)
				v.n = (size_t)nl;
			if (node_header(v, &type, &msg))
				set_type(ev, type);
		}
	}
}

void qe_trace_parse(struct qe_event *ev)
{
	static const struct {
		const char *kind;
		void (*fn)(struct qe_event *);
	} parsers[] = {
	    {"java", parse_java}, {"python", parse_python}, {"node", parse_node},
	    {"go", parse_go},	  {"ruby", parse_ruby},	    {"dotnet", parse_dotnet},
	    {"php", parse_php},	  {"rust", parse_rust},	    {"line", parse_line},
	};
	size_t k;

	if (!ev->nr_lines)
		return;
	/* the first byte rules out most kinds before strcmp() */
	for (k = 0; k < QE_ARRAY_SIZE(parsers); k++)
		if (ev->kind[0] == parsers[k].kind[0] &&
		    !strcmp(ev->kind, parsers[k].kind))
			break;
	if (k == QE_ARRAY_SIZE(parsers)) {
		/* a user rule's kind: keep what its pattern captured */
		if (!*ev->message)
			set_message(ev, line_span(ev, 0));
		return;
	}
	/* parsing twice gives the same result (the strings of the frames
	 * parsed before stay in the event's blocks, unused) */
	ev->nr_frames = 0;
	free(ev->type);
	ev->type = NULL;
	parsers[k].fn(ev);
}

/* ---- frames one at a time (structured records) ------------------------- */

static const struct {
	const char *ext, *kind;
} file_kinds[] = {
    {".rb", "ruby"},   {".rake", "ruby"}, {".py", "python"},  {".php", "php"},
    {".java", "java"}, {".kt", "java"},	  {".scala", "java"}, {".groovy", "java"},
    {".js", "node"},   {".mjs", "node"},  {".cjs", "node"},   {".ts", "node"},
    {".mts", "node"},  {".cts", "node"},  {".jsx", "node"},   {".tsx", "node"},
    {".go", "go"},     {".cs", "dotnet"}, {".vb", "dotnet"},  {".fs", "dotnet"},
    {".rs", "rust"},
};

static int kind_is(const struct qe_event *ev, const char *kind)
{
	return ev->kind && !strcmp(ev->kind, kind);
}

/* The first non-blank line of s, trimmed. */
static struct span frame_line(const char *s, size_t n)
{
	struct span v = trim(sp(s, n));
	long nl = find(v, "\n");
	if (nl >= 0)
		v = trim(sp(v.s, (size_t)nl));
	return v;
}

/* The file of a bare location, "a.php:61", "a.js:3:7" or "a.php(61)",
 * and its line (0 when none). */
static struct span location_file(struct span v, long *line)
{
	long open, c;
	int k;

	*line = 0;
	v = trim(v);
	if (ends(v, ")") && (open = rfind_ch(v, '(')) > 0 &&
	    isdigit((unsigned char)v.s[open + 1])) {
		*line = parse_num(skip(v, (size_t)open + 1));
		return trim(sp(v.s, (size_t)open));
	}
	/* line, then column: the leftmost number is the line */
	for (k = 0; k < 2; k++) {
		size_t j;
		c = rfind_ch(v, ':');
		if (c <= 0 || (size_t)c + 1 >= v.n)
			break;
		for (j = (size_t)c + 1; j < v.n && isdigit((unsigned char)v.s[j]); j++)
			;
		if (j != v.n)
			break;
		*line = parse_num(skip(v, (size_t)c + 1));
		v = sp(v.s, (size_t)c);
	}
	return v;
}

const char *qe_trace_file_kind(const char *file, size_t n)
{
	long line, dot;
	struct span f = location_file(sp(file, n), &line), ext;
	size_t i;

	dot = rfind_ch(f, '.');
	if (dot < 0)
		return NULL;
	ext = skip(f, (size_t)dot);
	for (i = 0; i < QE_ARRAY_SIZE(file_kinds); i++)
		if (ext.n == strlen(file_kinds[i].ext) &&
		    !memcmp(ext.s, file_kinds[i].ext, ext.n))
			return file_kinds[i].kind;
	return NULL;
}

const char *qe_trace_frame_kind(const char *s, size_t n)
{
	struct span v = frame_line(s, n), file, meth, rest;
	const char *kind;
	long open, line;
	int at = 0;

	if (starts(v, "from "))
		v = trim(skip(v, 5));
	if (starts(v, "at ")) {
		v = trim(skip(v, 3));
		at = 1;
	}
	if (!v.n)
		return NULL;
	if (starts(v, "File \""))
		return "python";
	if (find(v, ".rb:") > 0 && find(v, ":in ") > 0 &&
	    ruby_location(v, &file, &line, &meth, &rest))
		return "ruby";
	if (v.s[0] == '#' && v.n > 1 && isdigit((unsigned char)v.s[1]))
		return "php";
	/* .NET with its pdb ("in /a.cs:line 3"), Mono ("[0x0001b] in <mvid>:0") */
	if (at && find(v, " in ") > 0 && (find(v, ":line ") > 0 || find(v, ") [0x") > 0))
		return "dotnet";
	open = rfind_ch(v, '(');
	if (open > 0 && ends(v, ")")) {
		struct span inner = sp(v.s + open + 1, v.n - (size_t)open - 2);
		if (starts(inner, "Unknown Source") || starts(inner, "Native Method"))
			return "java";
		if ((kind = qe_trace_file_kind(inner.s, inner.n)))
			return kind;
		/* "fn (node:internal/...:3:7)"; a Java frame always names its
		 * file or says why not, so parameters are .NET's */
		if (at)
			return v.s[open - 1] == ' ' ? "node" : "dotnet";
	}
	return qe_trace_file_kind(v.s, v.n);
}

static int frame_in_app(const struct qe_event *ev, struct span mod, struct span fn,
			struct span file)
{
	struct span name = mod.n ? mod : fn;
	if (kind_is(ev, "java"))
		return !has_any_prefix(name, java_lib, QE_ARRAY_SIZE(java_lib));
	if (kind_is(ev, "python"))
		return !python_library(file);
	if (kind_is(ev, "node"))
		return node_in_app(file);
	if (kind_is(ev, "go"))
		return go_in_app(mod, file);
	if (kind_is(ev, "ruby"))
		return ruby_in_app(file);
	if (kind_is(ev, "dotnet"))
		return dotnet_in_app(name) &&
		       !((name.n == 6 && starts(name, "System")) ||
			 (name.n == 9 && starts(name, "Microsoft")));
	if (kind_is(ev, "php"))
		return php_in_app(file);
	if (kind_is(ev, "rust"))
		return rust_in_app(name, file);
	return 1;
}

int qe_trace_add_frame_text(struct qe_event *ev, const char *s, size_t n)
{
	struct span v = frame_line(s, n), file, meth, rest, none = {NULL, 0};
	long line;

	if (!v.n)
		return 0;
	if (kind_is(ev, "ruby")) {
		if (starts(v, "from "))
			v = trim(skip(v, 5));
		if (ruby_location(v, &file, &line, &meth, &rest)) {
			ruby_frame(ev, file, line, meth);
			return 1;
		}
	} else if (kind_is(ev, "python")) {
		if (python_frame(ev, v))
			return 1;
	} else if (kind_is(ev, "php")) {
		if (php_frame(ev, v))
			return 1;
	} else if (kind_is(ev, "java") || kind_is(ev, "node") || kind_is(ev, "dotnet")) {
		/* "at " says it is a frame; without it, the syntax must */
		const char *k = qe_trace_frame_kind(v.s, v.n);
		int framed = starts(v, "at ") || (k && !strcmp(k, ev->kind));
		struct span w = starts(v, "at ") ? trim(skip(v, 3)) : v;
		if (kind_is(ev, "java") && java_frame(ev, w))
			return 1;
		if (kind_is(ev, "dotnet") && framed) {
			dotnet_frame(ev, w);
			return 1;
		}
		if (kind_is(ev, "node") && framed && w.n) {
			node_frame(ev, ends(w, " {") ? sp(w.s, w.n - 2) : w);
			return 1;
		}
	}
	file = location_file(v, &line);
	if (!line)
		return 0; /* not a location: a frame of a syntax not known here */
	add_frame(ev, none, none, file, line, frame_in_app(ev, none, none, file));
	return 1;
}

static struct span str_span(const char *s)
{
	return s ? trim(sp(s, strlen(s))) : sp(NULL, 0);
}

void qe_trace_add_frame_parts(struct qe_event *ev, const char *module,
			      const char *function, const char *file, long line)
{
	struct span mod = str_span(module), fn = str_span(function), f = str_span(file);

	if (kind_is(ev, "ruby") && !mod.n) {
		ruby_frame(ev, f, line, fn); /* "Klass#meth" */
		return;
	}
	if (!mod.n && fn.n && (kind_is(ev, "java") || kind_is(ev, "dotnet")))
		split_last(fn, ".", &mod, &fn);
	else if (!mod.n && fn.n && kind_is(ev, "rust"))
		split_last(fn, "::", &mod, &fn);
	add_frame(ev, mod, fn, f, line, frame_in_app(ev, mod, fn, f));
}

/* ---- log prefixes -------------------------------------------------------- */

static int is_digit_ch(char c)
{
	return c >= '0' && c <= '9';
}

/* isupper() as the C locale has it (qerrors sets no other), without the
 * table look-up: the prefix is parsed for every line an event may start
 * on. */
static int is_upper_ch(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int dig(const char *s, size_t n, size_t i, size_t k)
{
	size_t j;
	if (i + k > n)
		return 0;
	for (j = i; j < i + k; j++)
		if (!is_digit_ch(s[j]))
			return 0;
	return 1;
}

/* "hh:mm:ss" with optional ".frac" / ",frac" at s+i; returns the end or 0.
 * The hour may have one digit (java.util.logging writes "9:05:36"). */
static size_t clock_at(const char *s, size_t n, size_t i)
{
	size_t h = dig(s, n, i, 2) ? 2 : dig(s, n, i, 1) ? 1 : 0;
	if (!h || i + h + 6 > n || s[i + h] != ':' || !dig(s, n, i + h + 1, 2) ||
	    s[i + h + 3] != ':' || !dig(s, n, i + h + 4, 2))
		return 0;
	i += h + 6;
	if (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_digit_ch(s[i + 1])) {
		i++;
		while (i < n && is_digit_ch(s[i]))
			i++;
	}
	return i;
}

/* "Z", "+01:00", "-0500", " UTC", " CET" after a clock. */
static size_t zone_at(const char *s, size_t n, size_t i)
{
	size_t k;
	if (i < n && s[i] == 'Z')
		return i + 1;
	if (i < n && (s[i] == '+' || s[i] == '-') && dig(s, n, i + 1, 2)) {
		k = i + 3;
		if (k < n && s[k] == ':')
			k++;
		return dig(s, n, k, 2) ? k + 2 : k;
	}
	if (i < n && s[i] == ' ') {
		/* " UTC", " CEST": three letters, or four ending in T; not the
		 * levels " ERR" or " CRIT" */
		size_t l;
		for (k = i + 1; k < n && k < i + 6 && is_upper_ch(s[k]); k++)
			;
		l = k - i - 1;
		if ((k == n || s[k] == ' ') &&
		    ((l == 3 && memcmp(s + i + 1, "ERR", 3)) ||
		     (l == 4 && s[k - 1] == 'T' && memcmp(s + i + 1, "CRIT", 4))))
			return k;
	}
	return i;
}

static int month_at(const char *s, size_t n, size_t i)
{
	static const char *const months[] = {
	    ['A'] = "pr ug", ['D'] = "ec", ['F'] = "eb", ['J'] = "an un ul",
	    ['M'] = "ar ay", ['N'] = "ov", ['O'] = "ct", ['S'] = "ep",
	};
	const char *m;
	unsigned char c;
	if (i + 3 > n)
		return 0;
	c = (unsigned char)s[i];
	if (c >= QE_ARRAY_SIZE(months) || !(m = months[c]))
		return 0;
	for (; *m; m += m[2] ? 3 : 2)
		if (m[0] == s[i + 1] && m[1] == s[i + 2])
			return 1;
	return 0;
}

/* A timestamp at the start of s; its length, 0 when none.  *syslog is set
 * for the RFC 3164 form, which a host and tag follow. */
static size_t timestamp(const char *s, size_t n, int *syslog)
{
	size_t i;

	*syslog = 0;
	if (n < 8)
		return 0;
	if (s[0] == '[') {
		/* "[01-Dec-2026 09:06:19 UTC]", "[2026-12-01T09:06:09+00:00]" */
		size_t e, digits = 0, colons = 0;
		for (e = 1; e < n && e < 48 && s[e] != ']'; e++) {
			digits += is_digit_ch(s[e]);
			colons += s[e] == ':';
		}
		if (e < n && s[e] == ']' && digits >= 6 && colons >= 2)
			return e + 1;
		return 0;
	}
	if (dig(s, n, 0, 4) && n > 10 && (s[4] == '-' || s[4] == '/') &&
	    dig(s, n, 5, 2) && s[7] == s[4] && dig(s, n, 8, 2)) {
		/* "2026-12-01T10:00:00.123Z", "2026-12-01 10:00:00,123", "2026/12/01
		 * 10:00:00" */
		if (n > 11 && (s[10] == 'T' || s[10] == ' ') && (i = clock_at(s, n, 11)))
			return s[4] == '-' ? zone_at(s, n, i) : i;
		return 0;
	}
	if (is_upper_ch(s[0]) && month_at(s, n, 0) && s[3] == ' ') {
		/* "Dec  1 10:00:00" */
		i = 4;
		if (s[i] == ' ')
			i++;
		if (!dig(s, n, i, 1))
			return 0;
		while (i < n && is_digit_ch(s[i]))
			i++;
		if (i < n && s[i] == ' ' && (i = clock_at(s, n, i + 1))) {
			*syslog = 1;
			return i;
		}
		return 0;
	}
	/* a time of day alone: "09:05:36.809" (needs the fraction) */
	i = clock_at(s, n, 0);
	if (i > 8 && (s[8] == '.' || s[8] == ','))
		return i;
	return 0;
}

/* Level words by first letter, longest first, in upper and in lower
 * case, with their lengths: a look at a line costs compares, not a walk
 * over a list of words. */
struct level_word {
	const char *upper, *lower;
	size_t len;
};
#define LW(u, l)                                                                         \
	{                                                                                \
		u, l, sizeof(u) - 1                                                      \
	}
static const struct level_word prefix_levels[26][5] = {
    ['A' - 'A'] = {LW("ALERT", "alert")},
    ['C' - 'A'] = {LW("CRITICAL", "critical"), LW("CRIT", "crit")},
    ['D' - 'A'] = {LW("DEBUG", "debug")},
    ['E' - 'A'] = {LW("EMERGENCY", "emergency"), LW("EMERG", "emerg"),
		   LW("ERROR", "error"), LW("ERR", "err")},
    ['F' - 'A'] = {LW("FATAL", "fatal")},
    ['I' - 'A'] = {LW("INFO", "info")},
    ['N' - 'A'] = {LW("NOTICE", "notice")},
    ['P' - 'A'] = {LW("PANIC", "panic")},
    ['S' - 'A'] = {LW("SEVERE", "severe")},
    ['T' - 'A'] = {LW("TRACE", "trace")},
    ['W' - 'A'] = {LW("WARNING", "warning"), LW("WARN", "warn")},
};
#undef LW

/* A level word at s+i followed by ':' or a blank; its end, or 0.  Lower
 * case only in brackets ("[error]"): "panic: ..." or "error: ..." is
 * the text itself; a word in lower case is all lower case.  One table
 * look-up rules out most lines. */
static size_t level_at(const char *s, size_t n, size_t i)
{
	size_t open = i < n && s[i] == '[';
	const struct level_word *w;
	int lower;
	unsigned char c;

	if (i + open >= n)
		return 0;
	c = (unsigned char)s[i + open];
	lower = c >= 'a' && c <= 'z';
	if (lower && !open)
		return 0;
	if (lower)
		c = (unsigned char)(c - 'a' + 'A');
	if (c < 'A' || c > 'Z')
		return 0;
	for (w = prefix_levels[c - 'A']; w->len; w++) {
		size_t e = i + open + w->len;
		const char *word = lower ? w->lower : w->upper;
		/* the first byte is the table's; the second rules out most */
		if (e > n || s[i + open + 1] != word[1] ||
		    memcmp(s + i + open + 2, word + 2, w->len - 2))
			continue;
		if (open) {
			if (e >= n || s[e] != ']')
				continue;
			e++;
		} else if (e < n && s[e] == ':') {
			e++;
		}
		if (e == n || s[e] == ' ' || s[e] == '\t')
			return e;
	}
	return 0;
}

/* PostgreSQL's "ERROR:  ", "DETAIL:  ", "STATEMENT:  " at s+i. */
static int pg_word(const char *s, size_t n, size_t i)
{
	size_t k = i;
	while (k < n && k < i + 16 && is_upper_ch(s[k]))
		k++;
	return k > i && k + 2 < n && s[k] == ':' && s[k + 1] == ' ' && s[k + 2] == ' ';
}

int qe_trace_prefix(const char *s, size_t n, struct qe_prefix *p)
{
	int syslog;
	size_t i = timestamp(s, n, &syslog), k, b;

	p->tag_off = p->body = p->text = 0;
	p->error_level = 0;
	if (i) {
		if (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		else if (i < n)
			return 0; /* "2026-12-01T10:00:00Zfoo" is no prefix */
	} else if (!n || !is_upper_ch(s[0])) {
		/* without a timestamp only an upper-case level word counts */
		return 0;
	}
	p->tag_off = i;
	if (i) {
		/* "host tag[pid]: " after a syslog time; after an ISO one
		 * (rsyslog's high-precision format) only with the [pid] */
		size_t h = i, lim = n < i + 64 ? n : i + 64;
		while (h < lim && s[h] != ' ')
			h++;
		if (h < n && s[h] == ' ') {
			size_t t = h + 1;
			lim = n < h + 64 ? n : h + 64;
			while (t < lim && s[t] != ' ' && s[t] != ':')
				t++;
			if (t + 1 < n && s[t] == ':' && s[t + 1] == ' ' &&
			    (syslog ||
			     (s[t - 1] == ']' && t > h + 3 && is_digit_ch(s[t - 2]))))
				i = t + 2;
		}
	}
	/* CRI (/var/log/containers): "stderr F " after the time */
	if (!syslog && i + 9 <= n &&
	    (!memcmp(s + i, "stdout ", 7) || !memcmp(s + i, "stderr ", 7)) &&
	    (s[i + 7] == 'F' || s[i + 7] == 'P') && s[i + 8] == ' ')
		i += 9;
	/* up to two bracketed fields: "[1234] ", "[main] " */
	for (b = 0; b < 2 && i < n && s[i] == '[' && !level_at(s, n, i); b++) {
		for (k = i + 1; k < n && k < i + 34 && s[k] != ']' && s[k] != ' '; k++)
			;
		if (k >= n || s[k] != ']' || k + 1 >= n || s[k + 1] != ' ')
			break;
		i = k + 2;
	}
	/* PostgreSQL's "%q%u@%d " (Debian's log_line_prefix): "app@shop "
	 * before "ERROR:  ", and the same before "DETAIL:  " and "STATEMENT:  "
	 * so that those lines share the head line's tag */
	if (i && i < n && s[i] != '@' && s[i] != ' ') {
		/* the word up to a blank (at most 128 bytes) with one '@' */
		size_t lim = n < i + 128 ? n : i + 128, at = 0, ats = 0;
		/* one pass: the word is short ("WARN", "app@shop") */
		for (k = i; k < lim && s[k] != ' '; k++)
			if (s[k] == '@' && !ats++)
				at = k;
		if (ats == 1 && at + 1 < k && k < n && pg_word(s, n, k + 1))
			i = k + 1;
	}
	p->body = i;
	k = level_at(s, n, i);
	if (k) {
		/* not DEBUG, INFO, NOTICE, TRACE, WARN(ING) */
		char c = s[i] == '[' ? s[i + 1] : s[i];
		p->error_level = !strchr("DdIiNnTtWw", c);
		i = k;
		if (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
	}
	p->text = i;
	if (!p->body && !p->text)
		return 0;
	if (!p->tag_off && p->text == p->body) {
		/* no timestamp and no level: nothing was a prefix */
		p->tag_off = p->body = p->text = 0;
		p->error_level = 0;
		return 0;
	}
	return 1;
}
