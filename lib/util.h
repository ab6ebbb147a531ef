/*
 * util: error recording, allocation and a bounded growable buffer.
 *
 * lib/ never prints and never exits: a failing function records a message
 * with qe_error() and returns -1 (or NULL).  cmd/ reads it back with
 * qe_last_error() and decides what to print and how to exit.  Warnings
 * (clamped values, skipped input) go to a handler the command installs;
 * without one they are dropped.
 *
 * Allocation failure aborts: there is no sensible recovery from it in a
 * log agent, and checking every small allocation hides real errors.
 */
#ifndef QE_UTIL_H
#define QE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define QE_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Record a message (git style: lowercase, no full stop); returns -1. */
int qe_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last recorded message; "" when none.  Borrowed. */
const char *qe_last_error(void);
void qe_clear_error(void);

/* A one-line warning; passed to the installed handler. */
void qe_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void qe_set_warning_handler(void (*fn)(const char *msg));

void *qe_xmalloc(size_t n);
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

/*
 * A growable byte buffer.  Invariants: buf is never NULL and is always
 * NUL-terminated at buf[len]; len < alloc whenever alloc > 0.  Memory is
 * owned by the buffer until qe_buf_detach().
 */
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
void qe_buf_truncate(struct qe_buf *b, size_t len);
char *qe_buf_detach(struct qe_buf *b); /* caller owns the result */

/* Milliseconds from CLOCK_MONOTONIC / wall-clock seconds. */
uint64_t qe_now_ms(void);
int64_t qe_wall_ms(void);

/* Parse a whole decimal integer; 0 on success, -1 if not a number. */
int qe_parse_long(const char *s, long *out);

/* Levenshtein-style distance for "did you mean"; capped at 100. */
int qe_edit_distance(const char *a, const char *b);
/* The candidate closest to `word` if it is close enough, else NULL. */
const char *qe_did_you_mean(const char *word, const char *const *candidates, size_t n);

/* 64-bit FNV-1a, for cheap identity hashes (not for fingerprints). */
uint64_t qe_fnv1a(const void *data, size_t len);

/* SHA-256 of data; out receives 32 bytes.  Used for fingerprints. */
void qe_sha256(const void *data, size_t len, unsigned char out[32]);

/* Make `s` valid UTF-8 for display/JSON: invalid bytes and NUL become U+FFFD. */
char *qe_utf8_sanitize(const char *s, size_t len);

#endif
