/* xalloc: see xalloc.h */
#include "xalloc.h"
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void qe_oom(size_t n)
{
	fprintf(stderr, "qerrors: out of memory allocating %zu bytes\n", n);
	abort();
}

void *qe_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		qe_oom(n);
	return p;
}

void *qe_xmalloc_pages(size_t n)
{
	void *p;
	if (posix_memalign(&p, QE_XALLOC_ALIGN, n ? n : 1))
		qe_oom(n);
	return p;
}

void *qe_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		qe_oom(nmemb * size);
	return p;
}

void *qe_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		qe_oom(n);
	return q;
}

char *qe_xstrdup(const char *s)
{
	return qe_xstrndup(s, strlen(s));
}

char *qe_xstrndup(const char *s, size_t n)
{
	char *p = qe_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *qe_xasprintf(const char *fmt, ...)
{
	struct qe_buf b = QE_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	qe_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return qe_buf_detach(&b);
}
