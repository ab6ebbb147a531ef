/*
 * The AI service's answer: qe_ai_answer_parse() and qe_ai_error_text().
 *
 * The first byte chooses how the rest is used: bit 0 clear, as the whole
 * HTTP body; bit 0 set, as the model's message content inside a
 * well-formed chat completion, so that the inner JSON (prose, fences,
 * advice items) is reached without the fuzzer first having to learn the
 * outer envelope.  Bits 1-2 give how many fingerprints were asked about.
 */
#include "fuzz.h"

#include "ai_internal.h"
#include "util.h"

#include <jansson.h>
#include <string.h>

static char *const ids[] = {"0123456789abcdef", "fedcba9876543210", "00000000000000aa"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	qe_set_warning_handler(NULL);
	return 0;
}

static void check_answer(const struct qe_ai_answer *a, size_t n)
{
	size_t i;
	json_t *j;

	FUZZ_ASSERT(a->n == n);
	if (a->st != QE_AI_OK) {
		FUZZ_ASSERT(a->error && *a->error);
		return;
	}
	for (i = 0; i < n; i++) {
		/* Exactly one of advice and reason. */
		FUZZ_ASSERT(!a->advice[i] != !a->why[i]);
		if (!a->advice[i])
			continue;
		/* Advice is always our own compact, valid object. */
		j = json_loads(a->advice[i], 0, NULL);
		FUZZ_ASSERT(json_is_object(j));
		FUZZ_ASSERT(json_is_string(json_object_get(j, "summary")));
		FUZZ_ASSERT(json_is_array(json_object_get(j, "references")));
		json_decref(j);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qe_ai_answer ans;
	const char *body;
	char *wrapped = NULL, *text, *code = NULL, *type = NULL, *clean;
	size_t len, n;
	unsigned mode;

	if (size < 1)
		return 0;
	mode = data[0];
	body = (const char *)data + 1;
	len = size - 1;
	n = (mode >> 1) & 3;
	if (n > QE_ARRAY_SIZE(ids))
		n = QE_ARRAY_SIZE(ids);
	if (mode & 1) {
		char *utf8 = qe_utf8_sanitize(body, len);
		json_t *root = json_pack(
		    "{s:[{s:{s:s, s:s}, s:s}], s:{s:i, s:i}}", "choices", "message",
		    "role", "assistant", "content", utf8, "finish_reason", "stop",
		    "usage", "prompt_tokens", 10, "completion_tokens", 20);
		FUZZ_ASSERT(root);
		wrapped = json_dumps(root, JSON_COMPACT);
		json_decref(root);
		free(utf8);
		body = wrapped;
		len = strlen(wrapped);
	}
	qe_ai_answer_parse(body, len, ids, n, &ans);
	check_answer(&ans, n);
	qe_ai_answer_release(&ans);

	text = qe_ai_error_text(body, len, 200, &code, &type);
	FUZZ_ASSERT(text && strlen(text) <= 200 && !strchr(text, '\n'));
	free(text);
	free(code);
	free(type);

	clean = qe_utf8_sanitize(body, len);
	text = qe_ai_clean_text(clean, strlen(clean), 100);
	FUZZ_ASSERT(text && strlen(text) <= 100);
	free(text);
	free(clean);
	free(wrapped);
	return 0;
}
