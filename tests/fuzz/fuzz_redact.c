/*
 * Redaction with the built-in redactor of the default configuration
 * (e-mails and IPs on): qe_redact_once() on arbitrary bytes, and one
 * redaction fed the same text twice, which must give the same output
 * both times (a value keeps its placeholder within a redaction).
 */
#include "fuzz.h"

#include "config.h"
#include "redact.h"
#include "util.h"

#include <string.h>

static struct qe_redactor *redactor;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct qe_config cfg;

	(void)argc;
	(void)argv;
	qe_set_warning_handler(NULL);
	qe_config_init(&cfg);
	redactor = qe_redactor_new(&cfg);
	qe_config_release(&cfg);
	if (!redactor) {
		fprintf(stderr, "fuzz_redact: %s\n", qe_last_error());
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct qe_redaction *r;
	char *once, *first, *second;
	size_t len1, len2;

	once = qe_redact_once(redactor, s, size);
	FUZZ_ASSERT(once);
	r = qe_redaction_new(redactor);
	first = qe_redact_mem(r, s, size, &len1);
	second = qe_redact_mem(r, s, size, &len2);
	FUZZ_ASSERT(len1 == len2 && !memcmp(first, second, len1));
	/* A fresh redaction numbers placeholders as the one-shot did. */
	FUZZ_ASSERT(strlen(once) <= len1 && !memcmp(once, first, strlen(once)));
	qe_redaction_free(r);
	free(once);
	free(first);
	free(second);
	return 0;
}
