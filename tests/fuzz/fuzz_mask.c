/*
 * Message templates: qe_fingerprint_mask() and qe_fingerprint_mask_line()
 * on arbitrary bytes (NULs, invalid UTF-8, lines of any length).
 */
#include "fuzz.h"

#include "fingerprint.h"
#include "mask.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The template is trimmed, has no control bytes and no double space. */
static void check_template(const char *t)
{
	size_t n = strlen(t), i;

	FUZZ_ASSERT(n == 0 || (t[0] != ' ' && t[n - 1] != ' '));
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT((unsigned char)t[i] >= 0x20);
		FUZZ_ASSERT(!(t[i] == ' ' && t[i + 1] == ' '));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *a, *b, *c;
	size_t h;

	a = qe_fingerprint_mask(s, size);
	b = qe_fingerprint_mask_line(s, size);
	check_template(a);
	check_template(b);
	/* Deterministic: the same input gives the same template. */
	c = qe_fingerprint_mask(s, size);
	FUZZ_ASSERT(!strcmp(a, c));
	h = qe_mask_header_len(s, size);
	FUZZ_ASSERT(h <= size);
	free(a);
	free(b);
	free(c);
	return 0;
}
