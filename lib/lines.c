/* lines: see lines.h */
#include "lines.h"

#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void qe_lines_init(struct qe_lines *l, size_t max_line_bytes, uint64_t pos)
{
	memset(l, 0, sizeof(*l));
	qe_buf_init(&l->clean);
	l->max_line = max_line_bytes ? max_line_bytes : QE_LINES_DEFAULT_MAX;
	l->pos = pos;
}

void qe_lines_release(struct qe_lines *l)
{
	free(l->carry);
	l->carry = NULL;
	l->carry_len = 0;
	qe_buf_release(&l->clean);
}

void qe_lines_reset(struct qe_lines *l, uint64_t pos)
{
	l->carry_len = 0;
	l->skipping = 0;
	l->pos = pos;
	if (!pos)
		l->utf16 = 0;
}

size_t qe_lines_pending(const struct qe_lines *l)
{
	return l->carry_len;
}

static void carry_add(struct qe_lines *l, const char *p, size_t n)
{
	if (!n)
		return;
	if (!l->carry)
		l->carry = qe_xmalloc(l->max_line);
	memcpy(l->carry + l->carry_len, p, n);
	l->carry_len += n;
}

/* Text in UTF-16 split at its '\n' bytes: LE lines after the first start
 * with the NUL that ended the last newline, BE lines end with the NUL
 * that starts their own.  Past the first line the two look the same
 * (shifted by one byte); we do not decode, so LE is said then.  Most code
 * units of log text are ASCII, so one byte of each pair is 0 and the
 * other is not; three quarters of at least 4 pairs must be. */
static int utf16_line(const unsigned char *p, size_t len, uint64_t start)
{
	size_t i, pairs, le = 0, be = 0;

	if ((len & 1) && !p[len - 1] && (start == 0 || p[0]))
		len--; /* BE: the high byte of this line's newline */
	else if ((len & 1) && !p[0])
		p++, len--; /* LE: the high byte of the last newline */
	pairs = len / 2;
	if (pairs < 4)
		return 0;
	for (i = 0; i + 1 < len; i += 2) {
		le += p[i] && !p[i + 1];
		be += !p[i] && p[i + 1];
	}
	if (le * 4 >= pairs * 3)
		return QE_LINES_UTF16LE;
	if (be * 4 >= pairs * 3)
		return QE_LINES_UTF16BE;
	return 0;
}

/* Drop NUL runs at both ends, make every inner run one U+FFFD. */
static const char *clean_nul(struct qe_lines *l, const char *p, size_t *lenp)
{
	size_t len = *lenp, i = 0, n;

	while (len && !p[len - 1])
		len--;
	while (i < len && !p[i])
		i++;
	l->nul_bytes += *lenp - len + i;
	qe_buf_reset(&l->clean);
	while (i < len) {
		const char *z = memchr(p + i, '\0', len - i);
		n = z ? (size_t)(z - (p + i)) : len - i;
		qe_buf_add(&l->clean, p + i, n);
		i += n;
		if (i < len) {
			for (n = 0; !p[i]; i++)
				n++;
			l->nul_bytes += n;
			qe_buf_add(&l->clean, "\xef\xbf\xbd", 3);
		}
	}
	*lenp = l->clean.len;
	return l->clean.buf;
}

/* no_nul: the caller knows the line holds no NUL byte */
static void emit(struct qe_lines *l, const char *p, size_t len, uint64_t start,
		 uint64_t end, unsigned flags, int no_nul, qe_line_fn fn, void *fn_data)
{
	const unsigned char *u = (const unsigned char *)p;

	l->lines++;
	if (!l->utf16 && start == 0 && len >= 2 &&
	    ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
		l->utf16 = u[0] == 0xff ? QE_LINES_UTF16LE : QE_LINES_UTF16BE;
	if (!l->utf16 && !no_nul && len && memchr(p, '\0', len)) {
		l->utf16 = utf16_line(u, len, start);
		if (!l->utf16)
			p = clean_nul(l, p, &len);
	}
	if (l->utf16) {
		l->utf16_bytes += end - start;
		fn(p, 0, start, end, flags | QE_LINE_UTF16, fn_data);
		return;
	}
	fn(p, len, start, end, flags, fn_data);
}

size_t qe_lines_count(const char *p, size_t n)
{
	const char *end = p + n;
	size_t c = 0;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		c++;
		p++;
	}
	return c;
}

/*
 * How much of [p, lim) the skip callback passes over, lim after a '\n'.
 * Its lines are counted here as emit() would count them; a line longer
 * than the cap ends the run, so that it is cut and counted as usual.
 */
static size_t offer_skip(struct qe_lines *l, const char *p, const char *lim,
			 qe_line_skip_fn skip, void *fn_data)
{
	size_t k = skip(p, (size_t)(lim - p), l->pos, fn_data), n = 0;
	const char *q = p, *end = p + k, *nl;

	while (q < end && (nl = memchr(q, '\n', (size_t)(end - q)))) {
		if ((size_t)(nl - q) > l->max_line)
			break;
		n++;
		q = nl + 1;
	}
	l->lines += n;
	l->pos += (uint64_t)(q - p);
	return (size_t)(q - p);
}

void qe_lines_feed(struct qe_lines *l, const char *data, size_t len, qe_line_fn fn,
		   void *fn_data)
{
	qe_lines_feed_skip(l, data, len, fn, NULL, fn_data);
}

/* The buffer's first NUL at or after p (NULL: none up to end), given
 * the one found before (nul, when *known): looked for once, and again
 * only after p has passed it. */
static const char *nul_from(const char *p, const char *end, const char *nul, int *known)
{
	if (!*known || (nul && nul < p)) {
		nul = memchr(p, '\0', (size_t)(end - p));
		*known = 1;
	}
	return nul;
}

void qe_lines_feed_skip(struct qe_lines *l, const char *data, size_t len, qe_line_fn fn,
			qe_line_skip_fn skip, void *fn_data)
{
	const char *p = data, *end = data + len;
	const char *nul = NULL; /* the first NUL at or after p, once looked for */
	int nul_known = 0;
	/* the end of the last whole line, the same for every p before it */
	const char *last = skip ? memrchr(data, '\n', len) : NULL;

	l->bytes += len;
	while (p < end) {
		const char *nl;
		size_t seg;
		uint64_t start;

		if (skip && !l->skipping && !l->carry_len && !l->utf16 && l->pos) {
			const char *lim = last && last >= p ? last : NULL;
			if (lim) {
				lim++;
				nul = nul_from(p, end, nul, &nul_known);
				if (nul && nul < lim) {
					const char *b =
					    nul > p ? memrchr(p, '\n', (size_t)(nul - p))
						    : NULL;
					lim = b ? b + 1 : p;
				}
				if (lim > p) {
					p += offer_skip(l, p, lim, skip, fn_data);
					if (p >= end)
						break;
				}
			}
		}
		if (l->skipping) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				l->skipped_bytes += (uint64_t)(end - p);
				l->pos += (uint64_t)(end - p);
				return;
			}
			l->skipped_bytes += (uint64_t)(nl + 1 - p);
			l->pos += (uint64_t)(nl + 1 - p);
			l->skipping = 0;
			p = nl + 1;
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		seg = (size_t)((nl ? nl : end) - p);
		start = l->pos - l->carry_len;
		if (l->carry_len + seg > l->max_line) {
			/* Too long: deliver the capped prefix now so that an error
			 * on a huge line is still seen, then skip to the '\n'. */
			size_t take = l->max_line - l->carry_len;
			const char *line = p;
			if (l->carry_len) {
				carry_add(l, p, take);
				line = l->carry;
			}
			l->pos += take;
			l->carry_len = 0;
			l->truncated_lines++;
			l->skipping = 1;
			p += take;
			emit(l, line, l->max_line, start, start + l->max_line,
			     QE_LINE_CUT, 0, fn, fn_data);
			continue;
		}
		if (!nl) {
			carry_add(l, p, seg);
			l->pos += seg;
			return;
		}
		l->pos += seg + 1;
		if (l->carry_len) {
			size_t n;
			carry_add(l, p, seg);
			n = l->carry_len;
			l->carry_len = 0;
			emit(l, l->carry, n, start, l->pos, 0, 0, fn, fn_data);
		} else {
			nul = nul_from(p, end, nul, &nul_known);
			emit(l, p, seg, start, l->pos, 0, !nul || nul >= nl, fn, fn_data);
		}
		p = nl + 1;
	}
}

int qe_lines_flush(struct qe_lines *l, qe_line_fn fn, void *fn_data)
{
	size_t n = l->carry_len;

	l->skipping = 0;
	if (!n)
		return 0;
	l->carry_len = 0;
	emit(l, l->carry, n, l->pos - n, l->pos, QE_LINE_PARTIAL, 0, fn, fn_data);
	return 1;
}

int qe_lines_check(const struct qe_lines *l, const char *name)
{
	if (!l->utf16)
		return 0;
	return qe_error("'%s' is UTF-16 text, which qerrors does not read; its lines are "
			"skipped (convert it to UTF-8: iconv -f UTF-16 -t UTF-8)",
			name);
}

int qe_lines_read_fd(struct qe_lines *l, int fd, const char *name, qe_line_fn fn,
		     void *fn_data)
{
	return qe_lines_read_fd_skip(l, fd, name, fn, NULL, fn_data);
}

int qe_lines_read_fd_skip(struct qe_lines *l, int fd, const char *name, qe_line_fn fn,
			  qe_line_skip_fn skip, void *fn_data)
{
	char *buf = qe_xmalloc_pages(1 << 18);
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 18);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = qe_error("cannot read '%s': %s", name, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		qe_lines_feed_skip(l, buf, (size_t)n, fn, skip, fn_data);
	}
	if (!rc)
		qe_lines_flush(l, fn, fn_data);
	if (!rc)
		rc = qe_lines_check(l, name);
	free(buf);
	return rc;
}
