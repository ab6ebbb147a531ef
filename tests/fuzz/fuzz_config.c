/*
 * qerrors.yaml parsing on arbitrary bytes: qe_config_load_string(), and
 * on success what a loaded configuration is used for first, compiling
 * the rule set and the redactor (user PCRE2 patterns included).
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
		struct qe_rules *r = qe_rules_new(&cfg);
		struct qe_redactor *red = qe_redactor_new(&cfg);
		qe_redactor_free(red);
		qe_rules_free(r);
	} else {
		/* A failure always says why. */
		FUZZ_ASSERT(qe_last_error() && *qe_last_error());
	}
	qe_clear_error();
	qe_config_release(&cfg);
	free(yaml);
	return 0;
}
