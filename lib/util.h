/*
 * util: the header every file includes.
 *
 * It brings the small modules nearly every file needs: msg.h (error
 * recording and warnings), xalloc.h (allocation that aborts on failure),
 * buf.h (the growable buffer), sha256.h and utf8.h; and declares what is
 * left over: clocks, number parsing, "did you mean" and a cheap hash.
 * Those modules include none of the others' headers but their own needs,
 * so there is no include cycle.
 */
#ifndef QE_UTIL_H
#define QE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "msg.h"
#include "sha256.h"
#include "utf8.h"
#include "xalloc.h"

#define QE_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Milliseconds from CLOCK_MONOTONIC / from the wall clock (Unix epoch). */
uint64_t qe_now_ms(void);
int64_t qe_wall_ms(void);

/* Parse a whole decimal integer; 0 on success, -1 if not a number. */
int qe_parse_long(const char *s, long *out);

/* Levenshtein-style distance for "did you mean"; capped at 100. */
int qe_edit_distance(const char *a, const char *b);
/* The candidate closest to `word` if it is close enough, else NULL. */
const char *qe_did_you_mean(const char *word, const char *const *candidates, size_t n);

/* 64-bit FNV-1a, for cheap identity hashes (not for fingerprints).  Its
 * offset basis is 1469598103934665603, not the published
 * 14695981039346656037: file head hashes saved in the state were made
 * with it, so it stays. */
uint64_t qe_fnv1a(const void *data, size_t len);
/* The hash of data followed by more, given h = the hash of data. */
uint64_t qe_fnv1a_more(uint64_t h, const void *more, size_t len);

#endif
