/*
 * Event assembly and fingerprinting: the input is split into lines and
 * fed to an assembler with the built-in rules and caps of the default
 * configuration, then flushed; every event is fingerprinted, explained
 * (the parts shown by `qerrors fingerprint --json`) and turned into the
 * redacted user message of an AI request.
 */
#include "fuzz.h"

#include "ai_internal.h"
#include "assemble.h"
#include "config.h"
#include "event.h"
#include "fingerprint.h"
#include "redact.h"
#include "rules.h"
#include "util.h"

#include <jansson.h>
#include <string.h>

static struct qe_config cfg;
static struct qe_rules *rules;
static struct qe_redactor *redactor;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	qe_set_warning_handler(NULL);
	qe_config_init(&cfg);
	rules = qe_rules_new(&cfg);
	redactor = qe_redactor_new(&cfg);
	if (!rules || !redactor) {
		fprintf(stderr, "fuzz_assemble: %s\n", qe_last_error());
		abort();
	}
	return 0;
}

static void on_event(struct qe_event *ev, void *data)
{
	struct qe_buf parts = QE_BUF_INIT;
	json_t *j;
	char *user;
	size_t i, *count = data;

	(*count)++;
	FUZZ_ASSERT(ev->nr_lines >= 1);
	FUZZ_ASSERT(ev->nr_lines <= (size_t)cfg.event_max_lines);
	qe_fingerprint(ev);
	FUZZ_ASSERT(strlen(ev->fingerprint) == 16);
	for (i = 0; i < 16; i++)
		FUZZ_ASSERT(strchr("0123456789abcdef", ev->fingerprint[i]));
	FUZZ_ASSERT(ev->template);
	qe_fingerprint_explain(ev, &parts);
	j = json_loads(parts.buf, 0, NULL);
	FUZZ_ASSERT(json_is_object(j));
	json_decref(j);
	qe_buf_release(&parts);
	user = qe_ai_prompt_user(redactor, &ev, 1);
	FUZZ_ASSERT(user);
	free(user);
	qe_event_free(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *p = s;
	struct qe_assembler *a;
	size_t events = 0;

	a = qe_assembler_new(rules, (size_t)cfg.event_max_lines,
			     (size_t)cfg.event_max_bytes, on_event, &events);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		qe_assembler_feed(a, p, (size_t)(e - p), (uint64_t)(p - s),
				  (uint64_t)(e - s) + (nl ? 1 : 0));
		p = nl ? nl + 1 : end;
	}
	qe_assembler_flush(a);
	FUZZ_ASSERT(!qe_assembler_pending(a, NULL));
	qe_assembler_free(a);
	return 0;
}
