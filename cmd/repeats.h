/*
 * repeats: the fingerprints tail printed recently, so that repeats of one
 * error within the collapse window are counted rather than printed, and
 * advice that arrives later can be printed under its error's message.
 *
 * A FIFO in the order printed, indexed by a chained hash table: finding a
 * fingerprint is one lookup, whatever the number of distinct errors.  At
 * most `max` are remembered (memory stays bounded): past that the oldest
 * one's window ends early and its count is said then.
 */
#ifndef QE_REPEATS_H
#define QE_REPEATS_H

#include <stddef.h>
#include <stdint.h>

struct qe_repeats;

/* A window ended with `suppressed` repeats not printed (> 0). */
typedef void (*qe_repeats_fn)(const char *fp, unsigned long suppressed,
			      const char *source, void *data);

struct qe_repeats *qe_repeats_new(size_t max, qe_repeats_fn fn, void *data);
void qe_repeats_free(struct qe_repeats *r); /* NULL-safe; says nothing */

/* 1: fp was printed less than a window ago, so this one is counted;
 * 0: it was not (the caller prints it and calls qe_repeats_add). */
int qe_repeats_seen(struct qe_repeats *r, const char *fp);
/* Remember fp as printed at now_ms, with its source and message (copied). */
void qe_repeats_add(struct qe_repeats *r, const char *fp, const char *source,
		    const char *message, uint64_t now_ms);
/* The message fp was printed with, NULL when it is not remembered. */
const char *qe_repeats_message(struct qe_repeats *r, const char *fp);
/* End the windows older than window_ms (all: every one); returns in how
 * many ms the next one ends, 0 when none is left. */
uint64_t qe_repeats_expire(struct qe_repeats *r, uint64_t now_ms, uint64_t window_ms,
			   int all);

#endif
