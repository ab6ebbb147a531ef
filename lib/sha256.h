/*
 * sha256: SHA-256 (FIPS 180-4), small and dependency-free.
 *
 * Used for fingerprints and file head hashes, so its output is a stored
 * format: it must never change.  One call hashes one buffer; there is no
 * streaming interface because nothing hashes more than one buffer.
 */
#ifndef QE_SHA256_H
#define QE_SHA256_H

#include <stddef.h>

/* SHA-256 of data; out receives 32 bytes. */
void qe_sha256(const void *data, size_t len, unsigned char out[32]);

/*
 * Where the CPU has SHA instructions (x86-64 with the SHA extensions)
 * they are used; the portable code gives the same digests.  Tests call
 * this to run both: on = 0 picks the portable code, on = 1 the
 * instructions when the CPU has them.  Returns whether they were in use.
 */
int qe_sha256_use_hw(int on);

#endif
