/*
 * Shared bits of the libFuzzer targets in this directory: the entry points
 * libFuzzer calls, and a check that aborts (so the fuzzer reports it like
 * a crash) when an invariant of the code under test does not hold.
 */
#ifndef QE_FUZZ_H
#define QE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
				__LINE__, #cond);                                        \
			abort();                                                         \
		}                                                                        \
	} while (0)

#endif
