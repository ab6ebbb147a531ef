/* Tests for lib/ai_probe.c: what a 404 means, and model lists.  No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ai.h"

static void free_ids(char **ids, long n)
{
	long i;
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* The error bodies servers really send for an unknown model. */
static void test_hint_model(void **state)
{
	char *fix = NULL;
	(void)state;
	/* OpenAI */
	assert_int_equal(
	    qe_ai_hint_404("https://api.openai.com/v1", "gpt-9", "model_not_found",
			   "The model `gpt-9` does not exist or you do not have "
			   "access to it.",
			   &fix),
	    QE_AI_HINT_MODEL);
	assert_non_null(strstr(fix, "model 'gpt-9'"));
	assert_non_null(strstr(fix, "set ai.model"));
	free(fix);
	/* Ollama: no code, the model named in the message */
	assert_int_equal(
	    qe_ai_hint_404("http://127.0.0.1:11434/v1", "llama3", NULL,
			   "model \"llama3\" not found, try pulling it first", NULL),
	    QE_AI_HINT_MODEL);
	/* the model wins over a base URL without /v1: it is what the server said */
	assert_int_equal(qe_ai_hint_404("http://127.0.0.1:8000", "x", NULL,
					"The model `x` does not exist.", NULL),
			 QE_AI_HINT_MODEL);
}

static void test_hint_path(void **state)
{
	char *fix = NULL;
	(void)state;
	/* Ollama without /v1 answers in plain text */
	assert_int_equal(qe_ai_hint_404("http://127.0.0.1:11434/", "llama3", NULL,
					"404 page not found", &fix),
			 QE_AI_HINT_PATH);
	assert_non_null(strstr(fix, "'http://127.0.0.1:11434/v1'"));
	assert_non_null(strstr(fix, "ai.base_url"));
	free(fix);
	/* a full chat URL is reduced to its base */
	assert_int_equal(
	    qe_ai_hint_404("http://h:1/chat/completions", "m", NULL, "Not Found", &fix),
	    QE_AI_HINT_PATH);
	assert_non_null(strstr(fix, "'http://h:1/v1'"));
	free(fix);
	/* a version segment anywhere in the path counts: Groq, OpenRouter,
	 * Gemini */
	assert_int_equal(qe_ai_hint_404("https://api.groq.com/openai/v1", "m", NULL,
					"Not Found", NULL),
			 QE_AI_HINT_URL);
	assert_int_equal(
	    qe_ai_hint_404("https://openrouter.ai/api/v1", "m", NULL, "Not Found", NULL),
	    QE_AI_HINT_URL);
	assert_int_equal(qe_ai_hint_404("https://generativelanguage.googleapis.com/"
					"v1beta/openai",
					"m", NULL, "Not Found", &fix),
			 QE_AI_HINT_URL);
	assert_non_null(strstr(fix, "v1beta/openai/chat/completions' does not exist"));
	free(fix);
	/* "v" followed by a letter is not a version */
	assert_int_equal(qe_ai_hint_404("http://h/vllm", "m", NULL, "", NULL),
			 QE_AI_HINT_PATH);
}

static void test_models_parse(void **state)
{
	static const char openai[] =
	    "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":"
	    "\"model\"},{\"id\":\"gpt-4o\"},{\"id\":\"gpt-4o\"},{\"nope\":1},"
	    "{\"id\":\"bad\\u001b[31mname\"}]}";
	static const char ollama[] = "{\"models\":[{\"name\":\"qwen2.5:7b\",\"model\":"
				     "\"qwen2.5:7b\"},{\"model\":\"llama3.2:latest\"}]}";
	char **ids;
	long n;
	(void)state;

	n = qe_ai_models_parse(openai, strlen(openai), &ids);
	assert_int_equal(n, 3); /* sorted, the duplicate and the id-less entry gone */
	assert_string_equal(ids[0], "bad[31mname"); /* no escape reaches a terminal */
	assert_string_equal(ids[1], "gpt-4o");
	assert_string_equal(ids[2], "gpt-4o-mini");
	free_ids(ids, n);

	n = qe_ai_models_parse(ollama, strlen(ollama), &ids);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], "llama3.2:latest");
	assert_string_equal(ids[1], "qwen2.5:7b");
	free_ids(ids, n);

	/* an id with nothing printable is no id */
	assert_int_equal(
	    qe_ai_models_parse("{\"models\":[{\"name\":\"\x7f\"}]}", 25, &ids), 0);
	free(ids);
	assert_int_equal(qe_ai_models_parse("{\"data\":[]}", 11, &ids), 0);
	free(ids);
	assert_int_equal(qe_ai_models_parse("404 page not found", 18, &ids), -1);
	assert_null(ids);
	assert_int_equal(qe_ai_models_parse("{\"data\":{}}", 11, &ids), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hint_model),
	    cmocka_unit_test(test_hint_path),
	    cmocka_unit_test(test_models_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
