/*
 * buf: a growable byte buffer (git's strbuf).
 *
 * Invariants: buf is never NULL and is always NUL-terminated at buf[len];
 * len < alloc whenever alloc > 0.  An initialised, empty buffer points at
 * the shared qe_buf_empty and owns no memory.  Memory is owned by the
 * buffer until qe_buf_detach().  The buffer itself has no cap: every
 * caller bounds what it adds (curl's DYNBUF rule), and a size that would
 * overflow size_t aborts as an allocation failure.
 */
#ifndef QE_BUF_H
#define QE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct qe_buf {
	char *buf;
	size_t len;
	size_t alloc;
};

extern char qe_buf_empty[];
#define QE_BUF_INIT                                                                      \
	{                                                                                \
		qe_buf_empty, 0, 0                                                       \
	}

void qe_buf_init(struct qe_buf *b);
void qe_buf_release(struct qe_buf *b); /* frees; safe twice */
void qe_buf_reset(struct qe_buf *b);   /* len = 0, keeps memory */
void qe_buf_grow(struct qe_buf *b, size_t extra);
void qe_buf_add(struct qe_buf *b, const void *data, size_t len);
void qe_buf_addstr(struct qe_buf *b, const char *s);
void qe_buf_addch(struct qe_buf *b, int c);
void qe_buf_addf(struct qe_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void qe_buf_vaddf(struct qe_buf *b, const char *fmt, va_list ap);
void qe_buf_truncate(struct qe_buf *b, size_t len); /* no-op when len > b->len */
char *qe_buf_detach(struct qe_buf *b);		    /* caller owns the result */

#endif
