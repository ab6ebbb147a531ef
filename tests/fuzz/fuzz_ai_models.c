/*
 * What a server says when something is wrong: qe_ai_models_parse() on a
 * GET /models body, and qe_ai_hint_404() on a 404's error text against
 * the configured base URL.
 *
 * The input is split at the first NUL: before it, the base URL; after
 * it, the body (parsed as a model list, and given to the hint as the
 * error message and code).
 */
#include "fuzz.h"

#include "ai.h"
#include "util.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	qe_set_warning_handler(NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nul = memchr(p, '\0', size);
	char *endpoint, *body, *fix = NULL, **ids = NULL;
	size_t elen = nul ? (size_t)(nul - p) : 0, blen = size - (nul ? elen + 1 : 0);
	enum qe_ai_hint h;
	long i, n;

	endpoint = qe_xstrndup(p, elen);
	body = qe_xstrndup(nul ? nul + 1 : p, blen);

	n = qe_ai_models_parse(body, blen, &ids);
	FUZZ_ASSERT(n >= -1);
	FUZZ_ASSERT((n < 0) == (ids == NULL) || n == 0);
	for (i = 0; i < n; i++) {
		size_t k;
		FUZZ_ASSERT(ids[i] && *ids[i]);
		/* printable on one line, sorted without duplicates */
		for (k = 0; ids[i][k]; k++)
			FUZZ_ASSERT((unsigned char)ids[i][k] >= 0x20 &&
				    ids[i][k] != 0x7f);
		if (i)
			FUZZ_ASSERT(strcmp(ids[i - 1], ids[i]) < 0);
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);

	h = qe_ai_hint_404(elen ? endpoint : NULL, "model", body, body, &fix);
	FUZZ_ASSERT(h == QE_AI_HINT_MODEL || h == QE_AI_HINT_PATH || h == QE_AI_HINT_URL);
	FUZZ_ASSERT(fix && *fix);
	free(fix);
	free(endpoint);
	free(body);
	return 0;
}
