/* fingerprint: see fingerprint.h */
#include "fingerprint.h"
#include "event.h"
#include "grouping.h"
#include "learn.h"
#include "mask.h"
#include "util.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Longest frame name kept after normalisation. */
#define NAME_MAX_LEN 512

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Drop what compilers and runtimes number or hash per build or per run:
 * Java "$$Lambda$12/0x..", "$$EnhancerBySpringCGLIB$$ab12" and "$1";
 * Rust "::h0123456789abcdef"; .NET "<Main>b__0_1" and "d__5"; Go
 * ".func1" and "+0x1d"; addresses; hex hash runs.  What remains is the
 * name a person wrote.  Every digit run goes: generated numbering is far
 * more common in frames than a meaningful digit that alone tells two
 * functions apart.
 */
static void normalise_name(const char *s, struct qe_buf *out)
{
	size_t n = strlen(s), i, start = out->len, k;
	const char *cut;

	if ((cut = strstr(s, "$$")) != NULL)
		n = (size_t)(cut - s);
	if ((cut = strstr(s, "/0x")) != NULL && (size_t)(cut - s) < n)
		n = (size_t)(cut - s);
	/* Rust legacy mangling hash. */
	if (n >= 19 && !memcmp(s + n - 19, "::h", 3)) {
		for (k = n - 16; k < n && is_hex((unsigned char)s[k]); k++)
			;
		if (k == n)
			n -= 19;
	}
	if (n > NAME_MAX_LEN)
		n = NAME_MAX_LEN;
	/* at most n bytes are kept: room for them once, then plain stores */
	qe_buf_grow(out, n);
	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if ((c == '0' || c == '+') && i + 1 < n &&
		    (s[i + 1] == 'x' || s[i + 1] == 'X' ||
		     (c == '+' && s[i + 1] == '0'))) {
			/* 0x1f, +0x1f: addresses and offsets */
			size_t j = i + 1;
			if (c == '+' && s[j] == '0')
				j++;
			if (j < n && (s[j] == 'x' || s[j] == 'X')) {
				j++;
				while (j < n && is_hex((unsigned char)s[j]))
					j++;
				i = j;
				continue;
			}
		}
		if (is_hex(c) && (i == 0 || !is_alnum((unsigned char)s[i - 1]))) {
			/* A hex run of 8 or more with a digit in it is a hash. */
			size_t j = i;
			int dig = 0;
			while (j < n && is_hex((unsigned char)s[j]))
				dig |= is_digit((unsigned char)s[j++]);
			if (dig && j - i >= 8 &&
			    (j == n || !is_alnum((unsigned char)s[j]))) {
				i = j;
				continue;
			}
		}
		if (is_digit(c)) {
			i++;
			continue;
		}
		if (c == ' ' || c == '\t') {
			i++;
			continue;
		}
		out->buf[out->len++] = (char)c;
		i++;
	}
	out->buf[out->len] = '\0';
	/* A trailing separator left by a removed suffix ("Foo$", "bar."). */
	while (out->len > start && strchr("$.:_-+/", out->buf[out->len - 1]))
		qe_buf_truncate(out, out->len - 1);
}

/*
 * A source path reduced to what is the same on every host: separators
 * unified, line/column and query dropped, everything up to the last
 * package directory (site-packages, node_modules, ...) removed, then the
 * last two components kept, so /home/<user>/, checkout directories and
 * interpreter versions do not matter.
 */
static void normalise_file(const char *file, struct qe_buf *out)
{
	static const char *const roots[] = {
	    "site-packages/", "dist-packages/", "node_modules/", "/gems/",
	    "/pkg/mod/",      "/vendor/",	"/src/"};
	/* the first NAME_MAX_LEN bytes, and one component of them, on the
	 * stack: a frame costs no allocation */
	char tmp[NAME_MAX_LEN + 1], comp[NAME_MAX_LEN + 1];
	const char *s, *p, *base;
	size_t n, k, slashes, len = 0;

	for (p = file; *p && len < NAME_MAX_LEN; p++)
		tmp[len++] = *p == '\\' ? '/' : *p;
	tmp[len] = '\0';
	s = tmp;
	if ((p = strstr(s, "://")) != NULL)
		s = p + 3;
	n = strcspn(s, "?#");
	/* file.js:12:5, file.py:12 */
	while (n > 0 && (is_digit((unsigned char)s[n - 1]) || s[n - 1] == ':')) {
		k = n;
		while (k > 0 && is_digit((unsigned char)s[k - 1]))
			k--;
		if (k == 0 || s[k - 1] != ':')
			break;
		n = k - 1;
	}
	for (k = 0; k < QE_ARRAY_SIZE(roots); k++) {
		const char *last = NULL, *q = s;
		while ((q = strstr(q, roots[k])) != NULL && q < s + n) {
			last = q;
			q++;
		}
		if (last && last + strlen(roots[k]) < s + n) {
			n -= (size_t)(last + strlen(roots[k]) - s);
			s = last + strlen(roots[k]);
		}
	}
	base = s + n;
	for (slashes = 0; base > s; base--)
		if (base[-1] == '/' && ++slashes == 2)
			break;
	{
		/* Components lose version suffixes ("foo@1.2.3") via the name rules. */
		const char *q = base, *end = s + n;
		while (q < end) {
			const char *e = memchr(q, '/', (size_t)(end - q));
			if (!e)
				e = end;
			len = (size_t)(e - q);
			if (len) {
				const char *at = memchr(q, '@', len);
				if (at)
					len = (size_t)(at - q);
				memcpy(comp, q, len);
				comp[len] = '\0';
				if (out->len && out->buf[out->len - 1] != '/')
					qe_buf_addch(out, '/');
				normalise_name(comp, out);
			}
			q = e + 1;
		}
	}
}

/* The frames a fingerprint uses: up to QE_FINGERPRINT_FRAMES in-app
 * frames, else the top frames.  Python prints the innermost frame last,
 * so there the last frames are taken. */
static size_t pick_frames(const struct qe_event *ev, size_t *idx)
{
	size_t i, nr = 0, nr_app = 0;
	int reverse = ev->kind && !strcmp(ev->kind, "python");

	for (i = 0; i < ev->nr_frames; i++)
		if (ev->frames[i].in_app)
			nr_app++;
	for (i = 0; i < ev->nr_frames && nr < QE_FINGERPRINT_FRAMES; i++) {
		size_t f = reverse ? ev->nr_frames - 1 - i : i;
		if (nr_app && !ev->frames[f].in_app)
			continue;
		idx[nr++] = f;
	}
	if (reverse) {
		/* Keep the trace's own order in what is hashed and shown. */
		for (i = 0; i < nr / 2; i++) {
			size_t t = idx[i];
			idx[i] = idx[nr - 1 - i];
			idx[nr - 1 - i] = t;
		}
	}
	return nr;
}

/*
 * The frames of one trace repeat with every event of its group: the last
 * names and paths normalised and their results are kept (direct-mapped,
 * the text compared in full, as for the hashes below), so a repeat costs
 * a hash and a compare rather than the rules above.  Longer texts are
 * normalised every time.  The process is single-threaded.
 */
#define NORM_SLOTS 512
#define NORM_MAX_TEXT 256

static struct norm_memo {
	char *text, *result;
	size_t len, result_len;
} norm_memo[2][NORM_SLOTS];

/* normalise_file (file) or normalise_name of s into the empty out. */
static void normalise_cached(int file, const char *s, struct qe_buf *out)
{
	size_t len = strlen(s);
	struct norm_memo *m;

	if (len > NORM_MAX_TEXT) {
		if (file)
			normalise_file(s, out);
		else
			normalise_name(s, out);
		return;
	}
	m = &norm_memo[file][qe_fnv1a(s, len) & (NORM_SLOTS - 1)];
	if (m->text && m->len == len && !memcmp(m->text, s, len)) {
		qe_buf_add(out, m->result, m->result_len);
		return;
	}
	if (file)
		normalise_file(s, out);
	else
		normalise_name(s, out);
	free(m->text);
	free(m->result);
	m->text = qe_xstrndup(s, len);
	m->len = len;
	m->result = qe_xstrndup(out->buf, out->len);
	m->result_len = out->len;
}

static void frame_parts(const struct qe_frame *f, struct qe_buf *where, struct qe_buf *fn)
{
	qe_buf_reset(where);
	qe_buf_reset(fn);
	if (f->module && *f->module)
		normalise_cached(0, f->module, where);
	else if (f->file && *f->file)
		normalise_cached(1, f->file, where);
	if (f->function && *f->function)
		normalise_cached(0, f->function, fn);
}

static int uses_frames(const struct qe_event *ev)
{
	return ev->type && *ev->type && ev->nr_frames > 0;
}

/* The message a message fingerprint masks: the parsed message, else the
 * first line. */
static void event_template(const struct qe_event *ev, struct qe_buf *out)
{
	const char *msg = ev->message && *ev->message ? ev->message : NULL;

	if (!msg && ev->nr_lines)
		msg = ev->lines[0];
	if (!msg)
		return;
	if (ev->type && *ev->type)
		qe_mask_append(msg, strlen(msg), out);
	else
		qe_mask_line(msg, strlen(msg), out);
}

char *qe_fingerprint_mask(const char *msg, size_t len)
{
	struct qe_buf out = QE_BUF_INIT;

	qe_mask_append(msg, len, &out);
	return qe_buf_detach(&out);
}

char *qe_fingerprint_mask_line(const char *line, size_t len)
{
	struct qe_buf out = QE_BUF_INIT;

	qe_mask_line(line, len, &out);
	return qe_buf_detach(&out);
}

/*
 * Events of one group hash the same text again and again: the last texts
 * hashed and their results are kept (direct-mapped by a cheap hash, the
 * text compared in full), so a repeat costs one pass over the text rather
 * than SHA-256.  The process is single-threaded.
 */
#define MEMO_SLOTS 1024
#define MEMO_MAX_TEXT 4096 /* longer texts are hashed every time */

static struct memo {
	char *text;
	size_t len;
	char hex[17];
} memo[MEMO_SLOTS];

static void hash_hex(const struct qe_buf *in, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	struct memo *m = NULL;
	size_t i;

	if (in->len <= MEMO_MAX_TEXT) {
		m = &memo[qe_fnv1a(in->buf, in->len) & (MEMO_SLOTS - 1)];
		if (m->text && m->len == in->len && !memcmp(m->text, in->buf, in->len)) {
			memcpy(out, m->hex, 17);
			return;
		}
	}
	qe_sha256(in->buf, in->len, md);
	for (i = 0; i < 8; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[16] = '\0';
	if (m) {
		free(m->text);
		m->text = qe_xmalloc(in->len ? in->len : 1);
		memcpy(m->text, in->buf, in->len);
		m->len = in->len;
		memcpy(m->hex, out, 17);
	}
}

/* The header every hashed text starts with, spelt at compile time (the
 * version is a plain integer literal): no printf per event. */
#define FP_STR2(x) #x
#define FP_STR(x) FP_STR2(x)
#define FP_HEADER "qerrors-fingerprint\n" FP_STR(QE_FINGERPRINT_VERSION) "\n"

/* s, then a newline. */
static void add_line(struct qe_buf *b, const char *s)
{
	qe_buf_addstr(b, s);
	qe_buf_addch(b, '\n');
}

/* What the fingerprint of ev hashes when no rule and no learner apply. */
static void basis(const struct qe_event *ev, const struct qe_buf *tmpl, struct qe_buf *in)
{
	struct qe_buf where = QE_BUF_INIT, fn = QE_BUF_INIT;
	size_t idx[QE_FINGERPRINT_FRAMES], nr, i;

	qe_buf_add(in, FP_HEADER, sizeof(FP_HEADER) - 1);
	if (uses_frames(ev)) {
		qe_buf_add(in, "trace\n", 6);
		add_line(in, ev->kind ? ev->kind : "");
		add_line(in, ev->type);
		nr = pick_frames(ev, idx);
		for (i = 0; i < nr; i++) {
			frame_parts(&ev->frames[idx[i]], &where, &fn);
			qe_buf_add(in, where.buf, where.len);
			qe_buf_addch(in, '\t');
			qe_buf_add(in, fn.buf, fn.len);
			qe_buf_addch(in, '\n');
		}
	} else {
		/* The kind is left out: one message found by two rules is one error. */
		qe_buf_add(in, "message\n", 8);
		add_line(in, ev->type ? ev->type : "");
		qe_buf_add(in, tmpl->buf, tmpl->len);
		qe_buf_addch(in, '\n');
	}
	qe_buf_release(&where);
	qe_buf_release(&fn);
}

void qe_fingerprint(struct qe_event *ev)
{
	qe_fingerprint_with(ev, NULL, NULL, NULL);
}

const char *qe_fp_stage_name(enum qe_fp_stage s)
{
	switch (s) {
	case QE_FP_STAGE_MASK:
		return "mask";
	case QE_FP_STAGE_LEARNT:
		return "learnt";
	case QE_FP_STAGE_TRACE:
		return "trace";
	case QE_FP_STAGE_RULE:
		return "rule";
	}
	return "mask";
}

void qe_fp_info_release(struct qe_fp_info *info)
{
	free(info->learnt);
	free(info->rule);
	free(info->group);
	free(info->split);
	memset(info, 0, sizeof(*info));
}

void qe_fingerprint_with(struct qe_event *ev, struct qe_grouping *g, const char *source,
			 struct qe_fp_info *info)
{
	struct qe_buf in = QE_BUF_INIT, tmpl = QE_BUF_INIT, learnt = QE_BUF_INIT;
	struct qe_fp_info local;
	struct qe_grouping_hit hit;
	struct qe_learn *l = qe_grouping_learner(g);
	char fp[17];

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	event_template(ev, &tmpl);
	basis(ev, &tmpl, &in);
	hash_hex(&in, fp);
	memcpy(info->mask_fp, fp, sizeof(fp));
	info->stage = uses_frames(ev) ? QE_FP_STAGE_TRACE : QE_FP_STAGE_MASK;
	if (!uses_frames(ev) && l) {
		char id[17];
		if (qe_learn_match(l, ev->type, tmpl.buf, fp, qe_wall_ms(), id,
				   &learnt)) {
			/* another line's id, or a template with a variable */
			if (strcmp(id, fp) || strstr(learnt.buf, QE_LEARN_VAR) ||
			    strstr(learnt.buf, "<?>"))
				info->stage = QE_FP_STAGE_LEARNT;
			memcpy(fp, id, sizeof(id));
			info->learnt = qe_xstrdup(learnt.buf);
		}
	}
	if (qe_grouping_rule_match(g, ev, source, &hit)) {
		qe_buf_reset(&in);
		qe_buf_add(&in, FP_HEADER "rule\n", sizeof(FP_HEADER "rule\n") - 1);
		qe_buf_addstr(&in, hit.group ? "group\n" : "of\n");
		add_line(&in, hit.group ? hit.group : fp);
		qe_buf_addstr(&in, "split\n");
		add_line(&in, hit.split);
		hash_hex(&in, fp);
		info->stage = QE_FP_STAGE_RULE;
		info->rule = hit.rule;
		info->group = hit.group ? qe_xstrdup(hit.group) : NULL;
		info->split = hit.split;
		hit.rule = hit.split = NULL;
		qe_grouping_hit_release(&hit);
	}
	memcpy(ev->fingerprint, fp, sizeof(fp));
	free(ev->template);
	ev->template = info->learnt && info->stage == QE_FP_STAGE_LEARNT
			   ? qe_xstrdup(info->learnt)
			   : qe_buf_detach(&tmpl);
	if (info == &local)
		qe_fp_info_release(&local);
	qe_buf_release(&in);
	qe_buf_release(&tmpl);
	qe_buf_release(&learnt);
}

/* A JSON string from bytes that may not be UTF-8. */
static json_t *jstr(const char *s)
{
	char *clean;
	json_t *j;

	if (!s)
		return json_null();
	clean = qe_utf8_sanitize(s, strlen(s));
	j = json_string(clean);
	free(clean);
	return j ? j : json_null();
}

void qe_fingerprint_explain(const struct qe_event *ev, struct qe_buf *out)
{
	json_t *obj = json_object(), *frames = json_array();
	struct qe_buf tmpl = QE_BUF_INIT, where = QE_BUF_INIT, fn = QE_BUF_INIT;
	size_t idx[QE_FINGERPRINT_FRAMES], nr, i;
	char *text;

	json_object_set_new(obj, "version", json_integer(QE_FINGERPRINT_VERSION));
	json_object_set_new(obj, "basis",
			    json_string(uses_frames(ev) ? "frames" : "message"));
	json_object_set_new(obj, "kind", jstr(ev->kind));
	json_object_set_new(obj, "type",
			    ev->type && *ev->type ? jstr(ev->type) : json_null());
	if (uses_frames(ev)) {
		nr = pick_frames(ev, idx);
		for (i = 0; i < nr; i++) {
			json_t *f = json_object();
			frame_parts(&ev->frames[idx[i]], &where, &fn);
			json_object_set_new(f, "module", jstr(where.buf));
			json_object_set_new(f, "function", jstr(fn.buf));
			json_object_set_new(f, "in_app",
					    json_boolean(ev->frames[idx[i]].in_app));
			json_array_append_new(frames, f);
		}
	}
	json_object_set_new(obj, "frames", frames);
	event_template(ev, &tmpl);
	json_object_set_new(obj, "template", jstr(tmpl.buf));
	text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		qe_buf_addstr(out, text);
	free(text);
	json_decref(obj);
	qe_buf_release(&tmpl);
	qe_buf_release(&where);
	qe_buf_release(&fn);
}

void qe_fingerprint_explain_with(const struct qe_event *ev, const struct qe_fp_info *info,
				 struct qe_buf *out)
{
	struct qe_buf base = QE_BUF_INIT;
	json_t *obj;
	char *text;

	qe_fingerprint_explain(ev, &base);
	obj = json_loads(base.buf, 0, NULL);
	qe_buf_release(&base);
	if (!obj)
		obj = json_object();
	json_object_set_new(obj, "stage", json_string(qe_fp_stage_name(info->stage)));
	json_object_set_new(obj, "mask_fingerprint", json_string(info->mask_fp));
	if (info->learnt)
		json_object_set_new(obj, "learnt_template", jstr(info->learnt));
	if (info->rule) {
		json_object_set_new(obj, "rule", jstr(info->rule));
		json_object_set_new(obj, "group",
				    info->group ? jstr(info->group) : json_null());
		json_object_set_new(obj, "split", jstr(info->split ? info->split : ""));
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		qe_buf_addstr(out, text);
	free(text);
	json_decref(obj);
}
