/* buf: see buf.h */
#include "buf.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char qe_buf_empty[1];

void qe_buf_init(struct qe_buf *b)
{
	b->buf = qe_buf_empty;
	b->len = 0;
	b->alloc = 0;
}

void qe_buf_release(struct qe_buf *b)
{
	if (b->alloc)
		free(b->buf);
	qe_buf_init(b);
}

void qe_buf_reset(struct qe_buf *b)
{
	qe_buf_truncate(b, 0);
}

void qe_buf_grow(struct qe_buf *b, size_t extra)
{
	size_t need;
	if (extra > SIZE_MAX - 1 - b->len)
		qe_oom(SIZE_MAX); /* would wrap around: never a short buffer */
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return;
	if (!b->alloc)
		b->buf = NULL;
	b->alloc = b->alloc ? b->alloc * 2 : 64;
	if (b->alloc < need)
		b->alloc = need;
	b->buf = qe_xrealloc(b->buf, b->alloc);
	if (b->len == 0)
		b->buf[0] = '\0';
}

void qe_buf_add(struct qe_buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	/* room for len bytes and the NUL: no need to call grow (len < alloc
	 * when alloc > 0, so the difference does not wrap) */
	if (b->alloc - b->len <= len)
		qe_buf_grow(b, len);
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void qe_buf_addstr(struct qe_buf *b, const char *s)
{
	qe_buf_add(b, s, strlen(s));
}

void qe_buf_addch(struct qe_buf *b, int c)
{
	if (b->alloc - b->len <= 1)
		qe_buf_grow(b, 1);
	b->buf[b->len++] = (char)c;
	b->buf[b->len] = '\0';
}

void qe_buf_vaddf(struct qe_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	qe_buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->len) {
		qe_buf_grow(b, (size_t)n);
		n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void qe_buf_addf(struct qe_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	qe_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void qe_buf_truncate(struct qe_buf *b, size_t len)
{
	if (len > b->len)
		return;
	b->len = len;
	if (b->alloc)
		b->buf[len] = '\0';
}

char *qe_buf_detach(struct qe_buf *b)
{
	char *r = b->alloc ? b->buf : qe_xstrdup("");
	qe_buf_init(b);
	return r;
}
