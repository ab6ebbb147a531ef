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
	l->max_line = max_line_bytes ? max_line_bytes : QE_LINES_DEFAULT_MAX;
	l->pos = pos;
}

void qe_lines_release(struct qe_lines *l)
{
	free(l->carry);
	l->carry = NULL;
	l->carry_len = 0;
}

void qe_lines_reset(struct qe_lines *l, uint64_t pos)
{
	l->carry_len = 0;
	l->skipping = 0;
	l->pos = pos;
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

static void emit(struct qe_lines *l, const char *p, size_t len, uint64_t start,
		 uint64_t end, unsigned flags, qe_line_fn fn, void *fn_data)
{
	l->lines++;
	fn(p, len, start, end, flags, fn_data);
}

void qe_lines_feed(struct qe_lines *l, const char *data, size_t len, qe_line_fn fn,
		   void *fn_data)
{
	const char *p = data, *end = data + len;

	l->bytes += len;
	while (p < end) {
		const char *nl;
		size_t seg;
		uint64_t start;

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
			     QE_LINE_CUT, fn, fn_data);
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
			emit(l, l->carry, n, start, l->pos, 0, fn, fn_data);
		} else {
			emit(l, p, seg, start, l->pos, 0, fn, fn_data);
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
	emit(l, l->carry, n, l->pos - n, l->pos, QE_LINE_PARTIAL, fn, fn_data);
	return 1;
}

int qe_lines_read_fd(struct qe_lines *l, int fd, const char *name, qe_line_fn fn,
		     void *fn_data)
{
	char *buf = qe_xmalloc(1 << 18);
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
		qe_lines_feed(l, buf, (size_t)n, fn, fn_data);
	}
	if (!rc)
		qe_lines_flush(l, fn, fn_data);
	free(buf);
	return rc;
}
