/*
 * qerrors.yaml parsing on arbitrary bytes: qe_config_load_string(), and
 * on success what a loaded configuration is used for first, compiling
 * the rule set and the redactor (user PCRE2 patterns included), in the
 * order the agent builds its pipeline.  The seeds reach the nesting cap
 * (deep flow and block collections) and invalid patterns in every
 * pattern key, the input that once made the agent free its rules twice.
 */
#include "fuzz.h"

#include "config.h"
#include "redact.h"
#include "rules.h"
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
	struct qe_config cfg;
	char *yaml = qe_xmalloc(size + 1);

	memcpy(yaml, data, size);
	yaml[size] = '\0';
	qe_config_init(&cfg);
	if (qe_config_load_string(&cfg, "fuzz.yaml", yaml) == 0) {
		/* The loader checks every pattern as these compile them: a
		 * configuration that loads must build. */
		struct qe_rules *r = qe_rules_new(&cfg);
		struct qe_redactor *red = r ? qe_redactor_new(&cfg) : NULL;
		FUZZ_ASSERT(r != NULL);
		FUZZ_ASSERT(red != NULL);
		qe_redactor_free(red);
		qe_rules_free(r);
	} else {
		/* A failure always says why, and where. */
		FUZZ_ASSERT(qe_last_error() && *qe_last_error());
		FUZZ_ASSERT(!strncmp(qe_last_error(), "fuzz.yaml:", 10));
	}
	qe_clear_error();
	qe_config_release(&cfg);
	free(yaml);
	return 0;
}
