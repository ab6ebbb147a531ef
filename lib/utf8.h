/*
 * utf8: make untrusted bytes valid UTF-8.
 *
 * Log text may hold anything; display and JSON need valid UTF-8.  A
 * sequence is valid when it is the shortest encoding of a scalar value
 * (no overlong forms, no surrogates, nothing above U+10FFFF).
 */
#ifndef QE_UTF8_H
#define QE_UTF8_H

#include <stddef.h>

/* Make `s` valid UTF-8 for display/JSON: each invalid byte and each NUL
 * becomes U+FFFD.  Caller frees. */
char *qe_utf8_sanitize(const char *s, size_t len);

#endif
