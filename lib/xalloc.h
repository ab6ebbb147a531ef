/*
 * xalloc: allocation that never returns NULL.
 *
 * Allocation failure aborts with a message on stderr: there is no
 * sensible recovery from it in a log agent, and checking every small
 * allocation hides real errors.  Zero-byte requests allocate one byte, so
 * the result is always a pointer the caller may free.  Every returned
 * pointer belongs to the caller.
 */
#ifndef QE_XALLOC_H
#define QE_XALLOC_H

#include <stddef.h>

/*
 * qe_xmalloc_pages() starts a block on a QE_XALLOC_ALIGN boundary, for the
 * long-lived read buffers the kernel copies page-cache pages into.  glibc
 * hands out a large block 16 bytes past a page boundary, and a destination
 * 8 or 16 bytes past one made that copy four times slower than one on it
 * (AMD EPYC, 256 KiB preads of a cached file).  Not for blocks made and
 * freed per event: aligned blocks fragment glibc's heap (tail --once
 * grew to 300 MiB when every large block was aligned).  Freed with free();
 * qe_xrealloc() keeps no alignment.
 */
#define QE_XALLOC_ALIGN 4096

/* Report an allocation of n bytes that failed, and abort. */
void qe_oom(size_t n) __attribute__((noreturn));

void *qe_xmalloc(size_t n);
void *qe_xmalloc_pages(size_t n);
void *qe_xcalloc(size_t nmemb, size_t size);
void *qe_xrealloc(void *p, size_t n);
char *qe_xstrdup(const char *s);
char *qe_xstrndup(const char *s, size_t n);
char *qe_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow an array so that it can hold `nr` elements (git's ALLOC_GROW). */
#define QE_ALLOC_GROW(x, nr, alloc)                                                      \
	do {                                                                             \
		if ((nr) > (alloc)) {                                                    \
			(alloc) = (alloc) < 8 ? 8 : (alloc)*2;                           \
			if ((alloc) < (nr))                                              \
				(alloc) = (nr);                                          \
			(x) = qe_xrealloc((x), (alloc) * sizeof(*(x)));                  \
		}                                                                        \
	} while (0)

#endif
