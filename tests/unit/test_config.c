#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

static const char *const env_vars[] = {
    "QERRORS_CONFIG",	      "QERRORS_STATE_DIR",
    "QERRORS_AI_BASE_URL",    "QERRORS_AI_MODEL",
    "OPENAI_API_KEY",	      "QERRORS_AI_API_KEY",
    "QERRORS_TIMEOUT",	      "QERRORS_CONNECT_TIMEOUT",
    "QERRORS_RETRY_ATTEMPTS", "QERRORS_RETRY_BASE_MS",
    "QERRORS_RETRY_MAX_MS",   "QERRORS_CACHE_LIMIT",
    "QERRORS_CACHE_TTL",      "QERRORS_CONCURRENCY",
    "QERRORS_QUEUE_LIMIT",    "QERRORS_METRIC_INTERVAL_MS",
    "QERRORS_MAX_TOKENS",     "QERRORS_CACHE_BACKEND",
    "QERRORS_REDIS_URL",      "XDG_CONFIG_HOME",
};

static struct qe_buf warnings = QE_BUF_INIT;
static int nr_warnings;

static void capture(const char *msg)
{
	qe_buf_addstr(&warnings, msg);
	qe_buf_addch(&warnings, '\n');
	nr_warnings++;
}

static int setup(void **state)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(env_vars); i++)
		unsetenv(env_vars[i]);
	qe_buf_reset(&warnings);
	nr_warnings = 0;
	qe_set_warning_handler(capture);
	qe_clear_error();
	return 0;
}

static int teardown(void **state)
{
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(env_vars); i++)
		unsetenv(env_vars[i]);
	qe_set_warning_handler(NULL);
	qe_buf_release(&warnings);
	return 0;
}

/* Parse `yaml` into a fresh config and expect an error equal to `want`. */
static void expect_error(const char *yaml, const char *want)
{
	struct qe_config c;
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "t.yaml", yaml), -1);
	assert_string_equal(qe_last_error(), want);
	qe_config_release(&c);
}

static char *write_temp(const char *text, mode_t mode)
{
	char *path = qe_xstrdup("/tmp/qe-config-XXXXXX");
	int fd = mkstemp(path);
	size_t len = strlen(text);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void test_defaults(void **state)
{
	struct qe_config c;
	qe_config_init(&c);
	assert_null(c.path);
	assert_null(c.state_dir);
	assert_null(c.ai_base_url);
	assert_null(c.ai_api_key);
	assert_string_equal(c.ai_model, "gpt-4o-mini");
	assert_int_equal(c.ai_max_tokens, 800);
	assert_int_equal(c.ai_temperature_milli, 0);
	assert_int_equal(c.connect_timeout_ms, 5000);
	assert_int_equal(c.timeout_ms, 60000);
	assert_int_equal(c.retry_attempts, 2);
	assert_int_equal(c.retry_base_ms, 100);
	assert_int_equal(c.retry_max_ms, 2000);
	assert_int_equal(c.retry_after_max_ms, 120000);
	assert_int_equal(c.concurrency, 5);
	assert_int_equal(c.queue_limit, 100);
	assert_int_equal(c.batch_size, 5);
	assert_int_equal(c.batch_wait_ms, 200);
	assert_int_equal(c.metric_interval_ms, 30000);
	assert_string_equal(c.response_format, "auto");
	assert_int_equal(c.breaker_threshold, 5);
	assert_int_equal(c.breaker_open_ms, 60000);
	assert_int_equal(c.breaker_close_after, 3);
	assert_int_equal(c.nr_prices, 0);
	assert_int_equal(c.cache_limit, 1000);
	assert_int_equal(c.cache_ttl, 86400);
	assert_string_equal(c.cache_backend, "sqlite");
	assert_string_equal(c.redis_url, "redis://127.0.0.1:6379/0");
	assert_string_equal(c.redis_prefix, "qerrors:");
	assert_int_equal(c.redis_daily_token_budget, 0);
	assert_int_equal(c.redact_ips, 1);
	assert_int_equal(c.redact_emails, 1);
	assert_int_equal(c.nr_redact_patterns, 0);
	assert_int_equal(c.builtin_rules, 1);
	assert_int_equal(c.nr_rules, 0);
	assert_int_equal(c.nr_ignore, 0);
	assert_int_equal(c.match_limit, 100000);
	assert_int_equal(c.max_line_bytes, 65536);
	assert_int_equal(c.event_max_lines, 200);
	assert_int_equal(c.event_max_bytes, 65536);
	assert_int_equal(c.idle_timeout_ms, 1000);
	assert_int_equal(c.ring_events, 4000);
	assert_int_equal(c.ring_bytes, 4 * 1024 * 1024);
	assert_int_equal(c.collapse_window_ms, 10000);
	assert_int_equal(c.shutdown_timeout_ms, 5000);
	assert_int_equal(c.commit_interval_ms, 1000);
	assert_string_equal(c.follow_backend, "auto");
	assert_int_equal(c.poll_interval_ms, 1000);
	assert_int_equal(c.read_buffer_bytes, 262144);
	assert_null(qe_config_ai_endpoint(&c));

	/* defaults pass their own range checks without a word */
	qe_config_apply_env(&c);
	assert_int_equal(nr_warnings, 0);

	qe_config_release(&c);
	qe_config_release(&c);
	assert_null(c.ai_model);
}

static const char full_yaml[] = "state_dir: /var/tmp/qe\n"
				"ai:\n"
				"  base_url: http://127.0.0.1:8080/v1/\n"
				"  model: llama3\n"
				"  api_key: secret-123\n"
				"  max_tokens: 1234\n"
				"  temperature: 0.2\n"
				"  connect_timeout_ms: 1500\n"
				"  timeout_ms: 45000\n"
				"  retry:\n"
				"    attempts: 4\n"
				"    base_ms: 250\n"
				"    max_ms: 9000\n"
				"    after_max_ms: 30000\n"
				"  concurrency: 7\n"
				"  queue_limit: 500\n"
				"  batch_size: 3\n"
				"  batch_wait_ms: 50\n"
				"  metric_interval_ms: 0\n"
				"  response_format: json_object\n"
				"  breaker:\n"
				"    threshold: 9\n"
				"    open_ms: 15000\n"
				"    close_after: 2\n"
				"  prices:\n"
				"    - model: gpt-4o-mini\n"
				"      prompt: 0.15\n"
				"      completion: 0.6\n"
				"    - {model: llama3, prompt: 0, completion: 0}\n"
				"cache:\n"
				"  limit: 0\n"
				"  ttl: 1h\n"
				"  backend: redis\n"
				"  redis:\n"
				"    url: redis://cache.internal:6380/2\n"
				"    prefix: 'fleet:'\n"
				"    daily_token_budget: 2000000\n"
				"redact:\n"
				"  ips: false\n"
				"  emails: no\n"
				"  patterns:\n"
				"    - 'token=[A-Za-z0-9]+'\n"
				"    - \"session-[0-9a-f]{32}\"\n"
				"rules:\n"
				"  builtin: off\n"
				"  match_limit: 5000\n"
				"  ignore: [healthcheck, 'GET /ping']\n"
				"  custom:\n"
				"    - name: disk\n"
				"      pattern: 'No space left on device'\n"
				"events:\n"
				"  max_line_bytes: 1024\n"
				"  max_lines: 50\n"
				"  max_bytes: 8192\n"
				"  idle_timeout_ms: 300\n"
				"  ring_events: 64\n"
				"  ring_bytes: 65536\n"
				"  collapse_window_ms: 0\n"
				"tail:\n"
				"  shutdown_timeout_ms: 100\n"
				"  commit_interval_ms: 250\n"
				"  follow: poll\n"
				"  poll_interval_ms: 200\n"
				"  read_buffer_bytes: 8192\n";

static void test_full_file(void **state)
{
	struct qe_config c;
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "full.yaml", full_yaml), 0);
	assert_int_equal(nr_warnings, 0);
	assert_string_equal(c.state_dir, "/var/tmp/qe");
	assert_string_equal(c.ai_base_url, "http://127.0.0.1:8080/v1");
	assert_string_equal(qe_config_ai_endpoint(&c), "http://127.0.0.1:8080/v1");
	assert_string_equal(c.ai_model, "llama3");
	assert_string_equal(c.ai_api_key, "secret-123");
	assert_int_equal(c.ai_max_tokens, 1234);
	assert_int_equal(c.ai_temperature_milli, 200);
	assert_int_equal(c.connect_timeout_ms, 1500);
	assert_int_equal(c.timeout_ms, 45000);
	assert_int_equal(c.retry_attempts, 4);
	assert_int_equal(c.retry_base_ms, 250);
	assert_int_equal(c.retry_max_ms, 9000);
	assert_int_equal(c.retry_after_max_ms, 30000);
	assert_int_equal(c.concurrency, 7);
	assert_int_equal(c.queue_limit, 500);
	assert_int_equal(c.batch_size, 3);
	assert_int_equal(c.batch_wait_ms, 50);
	assert_int_equal(c.metric_interval_ms, 0);
	assert_string_equal(c.response_format, "json_object");
	assert_int_equal(c.breaker_threshold, 9);
	assert_int_equal(c.breaker_open_ms, 15000);
	assert_int_equal(c.breaker_close_after, 2);
	assert_int_equal(c.nr_prices, 2);
	assert_string_equal(c.prices[0].model, "gpt-4o-mini");
	assert_true(c.prices[0].prompt_per_mtok > 0.1499 &&
		    c.prices[0].prompt_per_mtok < 0.1501);
	assert_true(c.prices[0].completion_per_mtok > 0.599 &&
		    c.prices[0].completion_per_mtok < 0.601);
	assert_string_equal(c.prices[1].model, "llama3");
	assert_true(c.prices[1].prompt_per_mtok == 0.0);
	assert_int_equal(c.cache_limit, 0);
	assert_int_equal(c.cache_ttl, 3600);
	assert_string_equal(c.cache_backend, "redis");
	assert_string_equal(c.redis_url, "redis://cache.internal:6380/2");
	assert_string_equal(c.redis_prefix, "fleet:");
	assert_int_equal(c.redis_daily_token_budget, 2000000);
	assert_int_equal(c.redact_ips, 0);
	assert_int_equal(c.redact_emails, 0);
	assert_int_equal(c.nr_redact_patterns, 2);
	assert_string_equal(c.redact_patterns[0], "token=[A-Za-z0-9]+");
	assert_string_equal(c.redact_patterns[1], "session-[0-9a-f]{32}");
	assert_int_equal(c.builtin_rules, 0);
	assert_int_equal(c.match_limit, 5000);
	assert_int_equal(c.nr_ignore, 2);
	assert_string_equal(c.ignore[0], "healthcheck");
	assert_string_equal(c.ignore[1], "GET /ping");
	assert_int_equal(c.nr_rules, 1);
	assert_string_equal(c.rules[0].name, "disk");
	assert_string_equal(c.rules[0].pattern, "No space left on device");
	assert_string_equal(c.rules[0].severity, "error");
	assert_string_equal(c.rules[0].kind, "disk");
	assert_null(c.rules[0].start);
	assert_int_equal(c.max_line_bytes, 1024);
	assert_int_equal(c.event_max_lines, 50);
	assert_int_equal(c.event_max_bytes, 8192);
	assert_int_equal(c.idle_timeout_ms, 300);
	assert_int_equal(c.ring_events, 64);
	assert_int_equal(c.ring_bytes, 65536);
	assert_int_equal(c.collapse_window_ms, 0);
	assert_int_equal(c.shutdown_timeout_ms, 100);
	assert_int_equal(c.commit_interval_ms, 250);
	assert_string_equal(c.follow_backend, "poll");
	assert_int_equal(c.poll_interval_ms, 200);
	assert_int_equal(c.read_buffer_bytes, 8192);

	/* loading again replaces lists rather than appending to them */
	assert_int_equal(qe_config_load_string(&c, "full.yaml", full_yaml), 0);
	assert_int_equal(c.nr_prices, 2);
	assert_int_equal(c.nr_rules, 1);
	assert_int_equal(c.nr_ignore, 2);
	qe_config_release(&c);
	qe_config_release(&c);
}

static void test_empty_and_null(void **state)
{
	struct qe_config c;
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "e.yaml", ""), 0);
	assert_int_equal(qe_config_load_string(&c, "e.yaml", "# only a comment\n"), 0);
	assert_int_equal(qe_config_load_string(&c, "e.yaml", "---\n...\n"), 0);
	/* empty values keep the defaults */
	assert_int_equal(qe_config_load_string(&c, "e.yaml",
					       "state_dir:\nai:\n  model: ~\n  api_key:\n"
					       "cache:\nrules:\n  custom: []\n"),
			 0);
	assert_null(c.state_dir);
	assert_string_equal(c.ai_model, "gpt-4o-mini");
	assert_null(c.ai_api_key);
	assert_int_equal(c.nr_rules, 0);
	qe_config_release(&c);
}

/* One default model: the config table, the accessor and the client agree. */
static void test_default_model(void **state)
{
	struct qe_config c;
	(void)state;
	qe_config_init(&c);
	assert_string_equal(c.ai_model, QE_DEFAULT_MODEL);
	assert_string_equal(qe_config_ai_model(&c), QE_DEFAULT_MODEL);
	free(c.ai_model);
	c.ai_model = strdup("");
	assert_string_equal(qe_config_ai_model(&c), QE_DEFAULT_MODEL);
	free(c.ai_model);
	c.ai_model = strdup("llama3.2");
	assert_string_equal(qe_config_ai_model(&c), "llama3.2");
	qe_config_release(&c);
}

static void test_env_overrides(void **state)
{
	struct qe_config c;
	qe_config_init(&c);
	assert_int_equal(
	    qe_config_load_string(&c, "t.yaml",
				  "ai:\n  model: from-file\n  api_key: file-key\n"
				  "  timeout_ms: 1000\n"),
	    0);
	setenv("QERRORS_STATE_DIR", "/srv/state", 1);
	setenv("QERRORS_AI_BASE_URL", "https://llm.example.com/v1//", 1);
	setenv("QERRORS_AI_MODEL", "from-env", 1);
	setenv("OPENAI_API_KEY", "openai-key", 1);
	setenv("QERRORS_AI_API_KEY", "qerrors-key", 1);
	setenv("QERRORS_TIMEOUT", "30000", 1);
	setenv("QERRORS_CONNECT_TIMEOUT", "2500", 1);
	setenv("QERRORS_RETRY_ATTEMPTS", "0", 1);
	setenv("QERRORS_RETRY_BASE_MS", "10", 1);
	setenv("QERRORS_RETRY_MAX_MS", "500", 1);
	setenv("QERRORS_CACHE_LIMIT", "42", 1);
	setenv("QERRORS_CACHE_TTL", "1m", 1);
	setenv("QERRORS_CONCURRENCY", "2", 1);
	setenv("QERRORS_QUEUE_LIMIT", "7", 1);
	setenv("QERRORS_METRIC_INTERVAL_MS", "0", 1);
	setenv("QERRORS_MAX_TOKENS", "99", 1);
	setenv("QERRORS_CACHE_BACKEND", "redis", 1);
	setenv("QERRORS_REDIS_URL", "redis://10.0.0.1:6379/1", 1);
	qe_config_apply_env(&c);
	assert_int_equal(nr_warnings, 0);
	assert_string_equal(c.state_dir, "/srv/state");
	assert_string_equal(c.ai_base_url, "https://llm.example.com/v1");
	assert_string_equal(c.ai_model, "from-env");
	assert_string_equal(c.ai_api_key, "qerrors-key");
	assert_int_equal(c.timeout_ms, 30000);
	assert_int_equal(c.connect_timeout_ms, 2500);
	assert_int_equal(c.retry_attempts, 0);
	assert_int_equal(c.retry_base_ms, 10);
	assert_int_equal(c.retry_max_ms, 500);
	assert_int_equal(c.cache_limit, 42);
	assert_int_equal(c.cache_ttl, 60);
	assert_int_equal(c.concurrency, 2);
	assert_int_equal(c.queue_limit, 7);
	assert_int_equal(c.metric_interval_ms, 0);
	assert_int_equal(c.ai_max_tokens, 99);
	assert_string_equal(c.cache_backend, "redis");
	assert_string_equal(c.redis_url, "redis://10.0.0.1:6379/1");

	/* without ours, the OpenAI variable is used */
	unsetenv("QERRORS_AI_API_KEY");
	qe_config_apply_env(&c);
	assert_string_equal(c.ai_api_key, "openai-key");
	qe_config_release(&c);
}

static void test_endpoint(void **state)
{
	struct qe_config c;
	qe_config_init(&c);
	assert_null(qe_config_ai_endpoint(&c));
	setenv("OPENAI_API_KEY", "k", 1);
	qe_config_apply_env(&c);
	assert_string_equal(qe_config_ai_endpoint(&c), "https://api.openai.com/v1");
	assert_int_equal(
	    qe_config_load_string(&c, "t.yaml",
				  "ai:\n  base_url: http://localhost:11434/v1/\n"),
	    0);
	assert_string_equal(qe_config_ai_endpoint(&c), "http://localhost:11434/v1");
	qe_config_release(&c);

	/* a base URL alone is enough (a local server needs no key) */
	unsetenv("OPENAI_API_KEY");
	qe_config_init(&c);
	setenv("QERRORS_AI_BASE_URL", "http://127.0.0.1:9/", 1);
	qe_config_apply_env(&c);
	assert_string_equal(qe_config_ai_endpoint(&c), "http://127.0.0.1:9");
	qe_config_release(&c);
}

static void test_env_invalid_and_clamped(void **state)
{
	struct qe_config c;
	qe_config_init(&c);
	setenv("QERRORS_CONCURRENCY", "500", 1);
	setenv("QERRORS_TIMEOUT", "soon", 1);
	setenv("QERRORS_QUEUE_LIMIT", "-5", 1);
	setenv("QERRORS_RETRY_ATTEMPTS", "11", 1);
	setenv("QERRORS_RETRY_MAX_MS", "999999", 1);
	setenv("QERRORS_CACHE_TTL", "5000d", 1);
	setenv("QERRORS_CACHE_BACKEND", "memcached", 1);
	setenv("QERRORS_AI_BASE_URL", "ftp://example.com", 1);
	setenv("QERRORS_METRIC_INTERVAL_MS", "5", 1);
	qe_config_apply_env(&c);
	assert_int_equal(c.concurrency, 50);
	assert_int_equal(c.timeout_ms, 60000);
	assert_int_equal(c.queue_limit, 100);
	assert_int_equal(c.retry_attempts, 10);
	assert_int_equal(c.retry_max_ms, 120000);
	assert_int_equal(c.cache_ttl, 315360000);
	assert_string_equal(c.cache_backend, "sqlite");
	assert_null(c.ai_base_url);
	assert_int_equal(c.metric_interval_ms, 1000);
	assert_int_equal(nr_warnings, 9);
	assert_non_null(strstr(
	    warnings.buf, "QERRORS_CONCURRENCY=500 is above the limit 50; using 50\n"));
	assert_non_null(
	    strstr(warnings.buf,
		   "ignoring QERRORS_TIMEOUT: it must be a duration such as 500ms, 30s, "
		   "5m, 24h or 7d, not 'soon'\n"));
	assert_non_null(strstr(
	    warnings.buf, "QERRORS_QUEUE_LIMIT=-5 must not be negative; using 100\n"));
	assert_non_null(strstr(warnings.buf, "QERRORS_CACHE_BACKEND"));
	assert_non_null(strstr(warnings.buf, "QERRORS_AI_BASE_URL"));
	assert_non_null(strstr(warnings.buf, "QERRORS_METRIC_INTERVAL_MS=5 is below"));
	/* every warning is a single line */
	{
		int lines = 0;
		const char *p;
		for (p = warnings.buf; *p; p++)
			lines += *p == '\n';
		assert_int_equal(lines, nr_warnings);
	}
	qe_config_release(&c);
}

static void test_file_clamped(void **state)
{
	struct qe_config c;
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "t.yaml",
					       "ai:\n"
					       "  concurrency: 500\n"
					       "  temperature: 7.5\n"
					       "  max_tokens: -3\n"
					       "events:\n"
					       "  max_line_bytes: 10\n"
					       "  ring_bytes: 99999999999\n"),
			 0);
	assert_int_equal(c.concurrency, 50);
	assert_int_equal(c.ai_temperature_milli, 2000);
	assert_int_equal(c.ai_max_tokens, 800);
	assert_int_equal(c.max_line_bytes, 256);
	assert_int_equal(c.ring_bytes, 256L * 1024 * 1024);
	assert_int_equal(nr_warnings, 5);
	assert_non_null(strstr(
	    warnings.buf,
	    "t.yaml:2:16: 'ai.concurrency' 500 is above the limit 50; using 50\n"));
	assert_non_null(
	    strstr(warnings.buf, "t.yaml:3:16: 'ai.temperature' is above the limit 2"));
	assert_non_null(
	    strstr(warnings.buf,
		   "t.yaml:4:15: 'ai.max_tokens' -3 must not be negative; using 800\n"));
	assert_non_null(strstr(warnings.buf,
			       "t.yaml:6:19: 'events.max_line_bytes' 10 is below the "
			       "minimum 256; using 256\n"));
	qe_config_release(&c);
}

static void test_syntax_error(void **state)
{
	/* the tab cannot start a token: libyaml marks it at 3:1 */
	expect_error("ai:\n  model: x\n\tbad: 1\n",
		     "t.yaml:3:1: found a tab character that violates indentation (while "
		     "scanning a plain scalar at 2:10); YAML does not allow tabs for "
		     "indentation: indent with spaces");
	/* what libyaml says about a tab at the start of a key */
	expect_error("ai:\n\tmodel: x\n",
		     "t.yaml:2:1: found character that cannot start any token (while "
		     "scanning for the next token at 2:1); YAML does not allow tabs for "
		     "indentation: indent with spaces");
	expect_error("ai:\n  model: [a, b\n",
		     "t.yaml:3:1: did not find expected ',' or ']' (while parsing a flow "
		     "sequence at 2:10)");
	expect_error("ai:\n  model: x\n   concurrency: 5\n",
		     "t.yaml:3:15: mapping values are not allowed in this context");
	expect_error("a: 1\n---\nb: 2\n",
		     "t.yaml:3:1: only one YAML document is allowed");
	expect_error("ai: *nothing\n", "t.yaml:1:5: found undefined alias");
	expect_error("ai:\n  model: \"a\xff\"\n",
		     "t.yaml:2:12: invalid leading UTF-8 octet");
}

static void test_unknown_key(void **state)
{
	expect_error("ai:\n  modle: x\n",
		     "t.yaml:2:3: unknown key 'modle' in 'ai'; did you mean 'model'?");
	expect_error("stat_dir: /tmp\n",
		     "t.yaml:1:1: unknown key 'stat_dir'; did you mean "
		     "'state_dir'?");
	expect_error(
	    "ai:\n  retry:\n    atempts: 3\n",
	    "t.yaml:3:5: unknown key 'atempts' in 'ai.retry'; did you mean 'attempts'?");
	expect_error("tail:\n  folow: poll\n",
		     "t.yaml:2:3: unknown key 'folow' in 'tail'; did you mean 'follow'?");
	expect_error(
	    "cache:\n  redis:\n    ulr: redis://x\n",
	    "t.yaml:3:5: unknown key 'ulr' in 'cache.redis'; did you mean 'url'?");
	expect_error("zzzzzz: 1\n", "t.yaml:1:1: unknown key 'zzzzzz'");
	expect_error("rules:\n  custom:\n    - name: a\n      patern: x\n",
		     "t.yaml:4:7: unknown key 'patern' in 'rules.custom'; did you mean "
		     "'pattern'?");
	expect_error(
	    "ai:\n  prices:\n    - {model: m, promt: 1}\n",
	    "t.yaml:3:18: unknown key 'promt' in 'ai.prices'; did you mean 'prompt'?");
	expect_error("ai:\n  model: a\n  model: b\n",
		     "t.yaml:3:3: duplicate key 'model' (first at line 2)");
}

static void test_wrong_type(void **state)
{
	expect_error("ai:\n  max_tokens: lots\n",
		     "t.yaml:2:15: 'ai.max_tokens' must be an integer, not 'lots'");
	expect_error(
	    "ai:\n  max_tokens: \"800\"\n",
	    "t.yaml:2:15: 'ai.max_tokens' must be an integer, not a quoted string");
	expect_error("ai:\n  max_tokens: 1.5\n",
		     "t.yaml:2:15: 'ai.max_tokens' must be an integer, not '1.5'");
	expect_error("ai:\n  temperature: warm\n",
		     "t.yaml:2:16: 'ai.temperature' must be a number, not 'warm'");
	expect_error("redact:\n  ips: maybe\n",
		     "t.yaml:2:8: 'redact.ips' must be true or false, not 'maybe'");
	expect_error("redact:\n  patterns: abc\n",
		     "t.yaml:2:13: 'redact.patterns' must be a list, not a plain value");
	expect_error(
	    "redact:\n  patterns: [a, [b]]\n",
	    "t.yaml:2:17: 'redact.patterns' entries must be strings, not a list");
	expect_error("ai: gpt\n",
		     "t.yaml:1:5: 'ai' must be a mapping, not a plain value");
	expect_error("ai:\n  model: [a]\n",
		     "t.yaml:2:10: 'ai.model' must be a string, not a list");
	expect_error("- a\n- b\n",
		     "t.yaml:1:1: the top level must be a mapping of keys, not a list");
	expect_error(
	    "cache:\n  backend: sqlit\n",
	    "t.yaml:2:12: 'cache.backend' cannot be 'sqlit'; did you mean 'sqlite'?");
	expect_error(
	    "tail:\n  follow: fanotify\n",
	    "t.yaml:2:11: 'tail.follow' cannot be 'fanotify'; did you mean 'inotify'?");
	expect_error("tail:\n  follow: kqueue\n",
		     "t.yaml:2:11: 'tail.follow' cannot be 'kqueue'");
	expect_error(
	    "ai:\n  base_url: localhost:8080\n",
	    "t.yaml:2:13: 'ai.base_url' must start with http:// or https://, not "
	    "'localhost:8080'");
	expect_error("ai:\n  max_tokens: 99999999999999999999999\n",
		     "t.yaml:2:15: 'ai.max_tokens' must be an integer, not "
		     "'99999999999999999999999'");
	expect_error("{[a]: 1}\n", "t.yaml:1:2: expected a key name, not a list");
}

static void test_api_key_never_shown(void **state)
{
	static const char *const docs[] = {
	    "ai:\n  api_key: [sk-live-abcdefghijklmnop]\n",
	    "ai:\n  api_key: {sk-live-abcdefghijklmnop: 1}\n",
	    "ai:\n  sk-live-abcdefghijklmnop: 1\n",
	    "ai:\n  max_tokens: sk-live-abcdefghijklmnop\n",
	    "ai:\n  base_url: sk-live-abcdefghijklmnop\n",
	    "ai:\n  model: gpt\n  apikey: ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\n",
	    "ai:\n  temperature: ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\n",
	};
	size_t i;
	for (i = 0; i < QE_ARRAY_SIZE(docs); i++) {
		struct qe_config c;
		qe_config_init(&c);
		assert_int_equal(qe_config_load_string(&c, "t.yaml", docs[i]), -1);
		assert_null(strstr(qe_last_error(), "abcdefghijklmnop"));
		assert_null(strstr(qe_last_error(), "ABCDEFGHIJKLMNOP"));
		assert_non_null(strstr(qe_last_error(), "t.yaml:"));
		qe_config_release(&c);
	}
	/* an api_key that is a number is still a (strange) string, not shown anywhere */
	{
		struct qe_config c;
		qe_config_init(&c);
		assert_int_equal(
		    qe_config_load_string(&c, "t.yaml", "ai:\n  api_key: 12345\n"), 0);
		assert_string_equal(c.ai_api_key, "12345");
		assert_int_equal(nr_warnings, 0);
		qe_config_release(&c);
	}
}

static void test_files(void **state)
{
	struct qe_config c;
	char *path, *dir, *sub, *file;

	/* an explicit file that does not exist is an error */
	qe_config_init(&c);
	assert_int_equal(qe_config_load(&c, "/nonexistent/qerrors.yaml"), -1);
	assert_string_equal(qe_last_error(),
			    "cannot open config file '/nonexistent/qerrors.yaml': "
			    "No such file or directory");
	qe_config_release(&c);

	/* so is one named by QERRORS_CONFIG */
	qe_config_init(&c);
	setenv("QERRORS_CONFIG", "/nonexistent/env.yaml", 1);
	assert_int_equal(qe_config_load(&c, NULL), -1);
	assert_non_null(strstr(qe_last_error(), "'/nonexistent/env.yaml'"));
	unsetenv("QERRORS_CONFIG");
	qe_config_release(&c);

	/* a directory is not a config file */
	qe_config_init(&c);
	assert_int_equal(qe_config_load(&c, "/tmp"), -1);
	assert_string_equal(qe_last_error(), "config file '/tmp' is not a regular file");
	qe_config_release(&c);

	/* a private file with a key: loaded, environment on top, no warning */
	path = write_temp("ai:\n  api_key: file-secret-key\n  concurrency: 3\n", 0600);
	qe_config_init(&c);
	setenv("QERRORS_CONCURRENCY", "4", 1);
	assert_int_equal(qe_config_load(&c, path), 0);
	assert_string_equal(c.path, path);
	assert_string_equal(c.ai_api_key, "file-secret-key");
	assert_int_equal(c.concurrency, 4);
	assert_int_equal(nr_warnings, 0);
	unsetenv("QERRORS_CONCURRENCY");
	qe_config_release(&c);

	/* world-readable with a key: a warning that does not show the key */
	assert_int_equal(chmod(path, 0644), 0);
	qe_config_init(&c);
	assert_int_equal(qe_config_load(&c, path), 0);
	assert_int_equal(nr_warnings, 1);
	assert_non_null(strstr(warnings.buf, "chmod 600"));
	assert_non_null(strstr(warnings.buf, path));
	assert_null(strstr(warnings.buf, "file-secret-key"));
	qe_config_release(&c);
	unlink(path);
	free(path);

	/* errors in a file name the file */
	path = write_temp("ai:\n  concurency: 3\n", 0600);
	qe_config_init(&c);
	assert_int_equal(qe_config_load(&c, path), -1);
	{
		char *want =
		    qe_xasprintf("%s:2:3: unknown key 'concurency' in 'ai'; did you "
				 "mean 'concurrency'?",
				 path);
		assert_string_equal(qe_last_error(), want);
		free(want);
	}
	qe_config_release(&c);
	unlink(path);
	free(path);

	/* the search order finds $XDG_CONFIG_HOME/qerrors/qerrors.yaml */
	dir = qe_xstrdup("/tmp/qe-xdg-XXXXXX");
	assert_non_null(mkdtemp(dir));
	sub = qe_xasprintf("%s/qerrors", dir);
	file = qe_xasprintf("%s/qerrors.yaml", sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	{
		FILE *f = fopen(file, "w");
		assert_non_null(f);
		fputs("ai:\n  model: xdg-model\n", f);
		fclose(f);
	}
	setenv("XDG_CONFIG_HOME", dir, 1);
	qe_config_init(&c);
	assert_int_equal(qe_config_load(&c, NULL), 0);
	assert_string_equal(c.path, file);
	assert_string_equal(c.ai_model, "xdg-model");
	qe_config_release(&c);

	/* QERRORS_CONFIG comes before the XDG file */
	path = write_temp("ai:\n  model: env-file\n", 0600);
	setenv("QERRORS_CONFIG", path, 1);
	qe_config_init(&c);
	assert_int_equal(qe_config_load(&c, NULL), 0);
	assert_string_equal(c.ai_model, "env-file");
	qe_config_release(&c);
	unsetenv("QERRORS_CONFIG");
	unlink(path);
	free(path);

	/* a missing default file is fine */
	unlink(file);
	qe_config_init(&c);
	assert_int_equal(qe_config_load(&c, NULL), 0);
	assert_true(c.path == NULL || strcmp(c.path, file));
	qe_config_release(&c);
	rmdir(sub);
	rmdir(dir);
	free(file);
	free(sub);
	free(dir);
}

static const char rules_yaml[] =
    "rules:\n"
    "  custom:\n"
    "    - name: payment-failed\n"
    "      pattern: 'PAYMENT FAILED: (?<message>.*)'\n"
    "      severity: critical\n"
    "      kind: payments\n"
    "      start: '^\\d{4}-\\d\\d-\\d\\d .*PAYMENT'\n"
    "      continuation: '^\\s+'\n"
    "      ignore: [retrying]\n"
    "      samples:\n"
    "        - line: '2024-01-01 PAYMENT FAILED: card declined'\n"
    "          match: true\n"
    "        - line: 'PAYMENT FAILED: retrying'\n"
    "          match: false\n"
    "        - line: 'PAYMENT FAILED: x'\n"
    "    - name: oom\n"
    "      pattern: OutOfMemory\n";

static void test_rules(void **state)
{
	struct qe_config c;
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "r.yaml", rules_yaml), 0);
	assert_int_equal(c.nr_rules, 2);
	assert_string_equal(c.rules[0].name, "payment-failed");
	assert_string_equal(c.rules[0].pattern, "PAYMENT FAILED: (?<message>.*)");
	assert_string_equal(c.rules[0].severity, "critical");
	assert_string_equal(c.rules[0].kind, "payments");
	assert_string_equal(c.rules[0].start, "^\\d{4}-\\d\\d-\\d\\d .*PAYMENT");
	assert_string_equal(c.rules[0].continuation, "^\\s+");
	assert_int_equal(c.rules[0].nr_ignore, 1);
	assert_string_equal(c.rules[0].ignore[0], "retrying");
	assert_int_equal(c.rules[0].nr_samples, 3);
	assert_string_equal(c.rules[0].samples[0].line,
			    "2024-01-01 PAYMENT FAILED: card declined");
	assert_int_equal(c.rules[0].samples[0].matches, 1);
	assert_int_equal(c.rules[0].samples[1].matches, 0);
	assert_int_equal(c.rules[0].samples[2].matches, 1);
	assert_string_equal(c.rules[0].file, "r.yaml");
	assert_int_equal(c.rules[0].line, 3);
	assert_string_equal(c.rules[1].name, "oom");
	assert_string_equal(c.rules[1].severity, "error");
	assert_string_equal(c.rules[1].kind, "oom");
	assert_null(c.rules[1].continuation);
	assert_int_equal(c.rules[1].nr_samples, 0);
	assert_int_equal(c.rules[1].line, 16);
	qe_config_release(&c);

	expect_error("rules:\n  custom:\n    - pattern: x\n",
		     "t.yaml:3:7: rule is missing 'name'");
	expect_error("rules:\n  custom:\n    - name: a\n",
		     "t.yaml:3:7: rule 'a' is missing 'pattern'");
	expect_error("rules:\n  custom:\n    - {name: a, pattern: x}\n    - {name: a, "
		     "pattern: y}\n",
		     "t.yaml:4:7: duplicate rule name 'a' (first at line 3)");
	expect_error(
	    "rules:\n  custom:\n    - {name: a, pattern: x, severity: eror}\n",
	    "t.yaml:3:39: unknown severity 'eror' (did you mean 'error'?); expected one "
	    "of debug, info, warning, error, critical, fatal");
	expect_error(
	    "rules:\n  custom:\n    - just-a-string\n",
	    "t.yaml:3:7: 'rules.custom' entries must be mappings, not a plain value");
	expect_error(
	    "rules:\n  custom:\n    - name: a\n      pattern: x\n      samples:\n"
	    "        - line: y\n          match: sometimes\n",
	    "t.yaml:7:18: 'samples.match' must be true or false, not 'sometimes'");
	expect_error(
	    "rules:\n  custom:\n    - name: a\n      pattern: x\n      samples:\n"
	    "        - match: true\n",
	    "t.yaml:6:11: a rule sample is missing 'line'");
	expect_error(
	    "rules:\n  custom:\n    - name: a\n      pattern: x\n      samples: [y]\n",
	    "t.yaml:5:17: a rule sample must be a mapping with 'line' and 'match', not "
	    "a plain value");
}

/*
 * The shipped example sets every key to its default: loading it must give
 * exactly what qe_config_init() gives, so the two cannot drift apart.
 */
static void test_example_file(void **state)
{
	struct qe_config ex, def;
	qe_config_init(&def);
	qe_config_init(&ex);
	assert_int_equal(qe_config_load(&ex, "qerrors.yaml.example"), 0);
	assert_int_equal(nr_warnings, 0);
	assert_string_equal(ex.path, "qerrors.yaml.example");
	free(ex.path);
	ex.path = NULL;

#define SAME_STR(f)                                                                      \
	do {                                                                             \
		if (def.f)                                                               \
			assert_string_equal(ex.f, def.f);                                \
		else                                                                     \
			assert_null(ex.f);                                               \
	} while (0)
	SAME_STR(state_dir);
	SAME_STR(ai_base_url);
	SAME_STR(ai_model);
	SAME_STR(ai_api_key);
	SAME_STR(response_format);
	SAME_STR(cache_backend);
	SAME_STR(redis_url);
	SAME_STR(redis_prefix);
	SAME_STR(follow_backend);
#undef SAME_STR
	assert_int_equal(ex.nr_prices, 0);
	assert_int_equal(ex.nr_redact_patterns, 0);
	assert_int_equal(ex.nr_rules, 0);
	assert_int_equal(ex.nr_ignore, 0);
	assert_int_equal(ex.nr_sources, 0);
	/* every number and flag: compare the rest of the struct field by field */
#define SAME(f) assert_int_equal(ex.f, def.f)
	SAME(ai_max_tokens);
	SAME(ai_temperature_milli);
	SAME(connect_timeout_ms);
	SAME(timeout_ms);
	SAME(retry_attempts);
	SAME(retry_base_ms);
	SAME(retry_max_ms);
	SAME(retry_after_max_ms);
	SAME(concurrency);
	SAME(queue_limit);
	SAME(batch_size);
	SAME(batch_wait_ms);
	SAME(metric_interval_ms);
	SAME(breaker_threshold);
	SAME(breaker_open_ms);
	SAME(breaker_close_after);
	SAME(cache_limit);
	SAME(cache_ttl);
	SAME(redis_daily_token_budget);
	SAME(redact_ips);
	SAME(redact_emails);
	SAME(builtin_rules);
	SAME(match_limit);
	SAME(max_line_bytes);
	SAME(event_max_lines);
	SAME(event_max_bytes);
	SAME(idle_timeout_ms);
	SAME(ring_events);
	SAME(ring_bytes);
	SAME(collapse_window_ms);
	SAME(shutdown_timeout_ms);
	SAME(commit_interval_ms);
	SAME(poll_interval_ms);
	SAME(read_buffer_bytes);
#undef SAME
	qe_config_release(&ex);
	qe_config_release(&def);
}

/* The commented-out examples in the example file are valid when enabled. */
static void test_example_comments(void **state)
{
	FILE *f = fopen("qerrors.yaml.example", "r");
	struct qe_buf out = QE_BUF_INIT;
	char line[1024];
	struct qe_config c;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		/* "#>" marks an example line: drop the marker, keep the indentation */
		char *p = strstr(line, "#> ");
		if (p && strspn(line, " ") == (size_t)(p - line)) {
			memmove(p, p + 3, strlen(p + 3) + 1);
		}
		qe_buf_addstr(&out, line);
	}
	fclose(f);
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "example", out.buf), 0);
	assert_true(c.nr_rules >= 1);
	assert_true(c.nr_prices >= 1);
	assert_true(c.nr_redact_patterns >= 1);
	assert_true(c.nr_ignore >= 1);
	assert_true(c.rules[0].nr_samples >= 2);
	assert_true(c.nr_sources >= 2);
	assert_true(c.sources[0].nr_exclude >= 1);
	assert_non_null(c.sources[0].json_message);
	qe_config_release(&c);
	qe_buf_release(&out);
}

static char *slurp(const char *path)
{
	struct qe_buf b = QE_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		qe_buf_add(&b, chunk, n);
	fclose(f);
	return qe_buf_detach(&b);
}

/*
 * Every key appears, at its place, in the example (two spaces per level)
 * and, by its dotted name, in the manual page.  (An unknown key in the
 * example would already fail test_example_file.)
 */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Deep nesting is refused early: libyaml's scanner is quadratic in the
 * depth of flow collections, so 80,000 '[' once took seconds. */
static void test_nesting(void **state)
{
	struct qe_buf b = QE_BUF_INIT;
	struct qe_config c;
	double t0;
	int i;

	qe_buf_addstr(&b, "a: ");
	for (i = 0; i < 80000; i++)
		qe_buf_addch(&b, '[');
	qe_config_init(&c);
	t0 = now_s();
	assert_int_equal(qe_config_load_string(&c, "t.yaml", b.buf), -1);
	/* 80,000 levels parsed fully took 16 s; the cap makes it instant */
	assert_true(now_s() - t0 < 0.5);
	assert_string_equal(qe_last_error(),
			    "t.yaml:1:67: nesting deeper than 64 levels");
	qe_config_release(&c);

	/* deep mappings and block lists are refused the same way */
	qe_buf_reset(&b);
	qe_buf_addstr(&b, "ai:");
	for (i = 0; i < 100; i++)
		qe_buf_addstr(&b, " {a:");
	expect_error(b.buf, "t.yaml:1:257: nesting deeper than 64 levels");
	qe_buf_reset(&b);
	qe_buf_addstr(&b, "a:\n");
	for (i = 0; i < 70; i++)
		qe_buf_addf(&b, "%*s-\n", i * 2, "");
	expect_error(b.buf, "t.yaml:65:127: nesting deeper than 64 levels");

	/* 64 levels are still read (and here rejected only as a wrong type) */
	qe_buf_reset(&b);
	qe_buf_addstr(&b, "ai:\n  model: ");
	for (i = 0; i < 62; i++)
		qe_buf_addch(&b, '[');
	for (i = 0; i < 62; i++)
		qe_buf_addch(&b, ']');
	expect_error(b.buf, "t.yaml:2:10: 'ai.model' must be a string, not a list");
	qe_buf_release(&b);
}

/* Every pattern key is checked at load time, with its place in the file;
 * the column points into the pattern when it is written plainly. */
static void test_regex_errors(void **state)
{
	expect_error("redact:\n  patterns:\n    - 'ok'\n    - 'ab(('\n",
		     "t.yaml:4:12: 'redact.patterns': invalid pattern at offset 4: "
		     "missing closing parenthesis");
	expect_error("rules:\n  ignore: [x, '+y']\n",
		     "t.yaml:2:16: 'rules.ignore': invalid pattern at offset 0: "
		     "quantifier does not follow a repeatable item");
	expect_error("rules:\n  custom:\n    - pattern: foo[\n      name: a\n",
		     "t.yaml:3:20: rule 'a': invalid pattern at offset 4: missing "
		     "terminating ] for character class");
	expect_error("rules:\n  custom:\n    - name: a\n      pattern: x\n"
		     "      start: \"(?<\"\n",
		     "t.yaml:5:18: rule 'a': invalid start at offset 3: subpattern name "
		     "expected");
	expect_error("rules:\n  custom:\n    - name: a\n      pattern: x\n"
		     "      continuation: '*'\n",
		     "t.yaml:5:22: rule 'a': invalid continuation at offset 0: "
		     "quantifier does not follow a repeatable item");
	expect_error("rules:\n  custom:\n    - name: a\n      pattern: x\n"
		     "      ignore:\n        - '\\'\n",
		     "t.yaml:6:13: 'rules.custom.ignore': invalid pattern at offset 1: "
		     "\\ at end of pattern");
	/* with escapes the offset no longer maps to a column: the value's start */
	expect_error("redact:\n  patterns: [\"a\\tb(\"]\n",
		     "t.yaml:2:14: 'redact.patterns': invalid pattern at offset 4: "
		     "missing closing parenthesis");
}

/* One run reports every mistake in the file, sorted by place. */
static void test_all_errors(void **state)
{
	struct qe_buf b = QE_BUF_INIT;
	int i;
	expect_error(
	    "ai:\n  modle: x\n  timeout_ms: soon\ncache:\n  limit: lots\n"
	    "rules:\n  custom:\n    - name: a\n      pattern: x\n"
	    "    - name: a\n      pattern: y\n      severity: err\n",
	    "t.yaml:2:3: unknown key 'modle' in 'ai'; did you mean 'model'?\n"
	    "t.yaml:3:15: 'ai.timeout_ms' must be a duration such as 500ms, 30s, "
	    "5m, 24h or 7d, not 'soon'\n"
	    "t.yaml:5:10: 'cache.limit' must be an integer, not 'lots'\n"
	    "t.yaml:10:7: duplicate rule name 'a' (first at line 8)\n"
	    "t.yaml:12:17: unknown severity 'err' (did you mean 'error'?); "
	    "expected one of debug, info, warning, error, critical, fatal");
	/* a rule whose key is misspelt is not also said to miss it */
	expect_error("rules:\n  custom:\n    - name: a\n      patern: x\n",
		     "t.yaml:4:7: unknown key 'patern' in 'rules.custom'; did you mean "
		     "'pattern'?");
	/* many errors: whole lines as far as they fit, the rest counted */
	for (i = 0; i < 40; i++)
		qe_buf_addf(&b, "k%d: 1\n", i);
	{
		struct qe_config c;
		const char *e, *last;
		qe_config_init(&c);
		assert_int_equal(qe_config_load_string(&c, "t.yaml", b.buf), -1);
		e = qe_last_error();
		assert_true(!strncmp(e, "t.yaml:1:1: unknown key 'k0'\n", 29));
		last = strrchr(e, '\n') + 1;
		assert_non_null(strstr(last, "more errors not shown"));
		assert_true(!strncmp(last, "t.yaml: ", 8));
		qe_config_release(&c);
	}
	qe_buf_release(&b);
}

static void test_durations(void **state)
{
	struct qe_config c;
	long long ms;

	assert_int_equal(qe_parse_duration("500ms", &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(qe_parse_duration("30s", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(qe_parse_duration("5m", &ms), 0);
	assert_int_equal(ms, 300000);
	assert_int_equal(qe_parse_duration("24h", &ms), 0);
	assert_int_equal(ms, 86400000);
	assert_int_equal(qe_parse_duration("7d", &ms), 0);
	assert_int_equal(ms, 7 * 86400000LL);
	assert_int_equal(qe_parse_duration("2w", &ms), 0);
	assert_int_equal(ms, 14 * 86400000LL);
	assert_int_equal(qe_parse_duration("1h30m", &ms), 0);
	assert_int_equal(ms, 5400000);
	assert_int_equal(qe_parse_duration("24", &ms), QE_DURATION_BARE);
	assert_int_equal(ms, 24);
	assert_int_equal(qe_parse_duration("", &ms), -1);
	assert_int_equal(qe_parse_duration("h", &ms), -1);
	assert_int_equal(qe_parse_duration("-5s", &ms), -1);
	assert_int_equal(qe_parse_duration("5x", &ms), -1);
	assert_int_equal(qe_parse_duration("5 s", &ms), -1);
	assert_int_equal(qe_parse_duration("1h30", &ms), -1);
	assert_int_equal(qe_parse_duration("1.5h", &ms), -1);
	assert_int_equal(qe_parse_duration("99999999999999999999s", &ms), -1);
	assert_int_equal(qe_parse_duration("999999w", &ms), -1);

	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "t.yaml",
					       "cache:\n  ttl: 1d\n"
					       "ai:\n  timeout_ms: 30s\n"
					       "  connect_timeout_ms: 2500\n"
					       "  breaker:\n    open_ms: 5m\n"
					       "events:\n  idle_timeout_ms: 500ms\n"
					       "tail:\n  poll_interval_ms: '2s'\n"),
			 0);
	assert_int_equal(c.cache_ttl, 86400);
	assert_int_equal(c.timeout_ms, 30000);
	assert_int_equal(c.connect_timeout_ms, 2500);
	assert_int_equal(c.breaker_open_ms, 300000);
	assert_int_equal(c.idle_timeout_ms, 500);
	assert_int_equal(c.poll_interval_ms, 2000);
	qe_config_release(&c);

	/* 0 needs no unit; other bare numbers under cache.ttl are ambiguous */
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "t.yaml", "cache:\n  ttl: 0\n"), 0);
	assert_int_equal(c.cache_ttl, 0);
	qe_config_release(&c);
	expect_error("cache:\n  ttl: 86400\n",
		     "t.yaml:2:8: 'cache.ttl' 86400 has no unit; write '86400s' or '1d'");
	expect_error("cache:\n  ttl: 45\n",
		     "t.yaml:2:8: 'cache.ttl' 45 has no unit; write '45s'");
	expect_error("cache:\n  ttl: 1500ms\n",
		     "t.yaml:2:8: 'cache.ttl' must be a whole number of seconds");
	expect_error("ai:\n  timeout_ms: [1]\n",
		     "t.yaml:2:15: 'ai.timeout_ms' must be a duration such as 30s, not a "
		     "list");

	/* ranges still apply, in the key's unit */
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "t.yaml", "ai:\n  timeout_ms: 1h\n"),
			 0);
	assert_int_equal(c.timeout_ms, 600000);
	assert_non_null(strstr(warnings.buf, "'ai.timeout_ms' 1h is above the limit"));
	qe_config_release(&c);

	/* the environment takes the same spellings */
	qe_config_init(&c);
	setenv("QERRORS_CACHE_TTL", "2h", 1);
	setenv("QERRORS_TIMEOUT", "10s", 1);
	qe_config_apply_env(&c);
	assert_int_equal(c.cache_ttl, 7200);
	assert_int_equal(c.timeout_ms, 10000);
	setenv("QERRORS_CACHE_TTL", "3600", 1);
	qe_config_apply_env(&c);
	assert_int_equal(c.cache_ttl, 7200);
	assert_non_null(strstr(warnings.buf, "ignoring QERRORS_CACHE_TTL: it 3600 has no "
					     "unit; write '3600s' or '1h'"));
	qe_config_release(&c);
}

static void test_every_key_documented(void **state)
{
	char *example = slurp("qerrors.yaml.example");
	char *man = slurp("man/qerrors.yaml.5");
	char *path[8] = {NULL};
	struct qe_buf seen = QE_BUF_INIT;
	const char *name;
	char *line, *save = NULL;
	size_t i;

	/* rebuild the dotted name of every active (uncommented) key */
	for (line = strtok_r(example, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t indent = strspn(line, " "), depth = indent / 2, j;
		char *colon = strchr(line + indent, ':');
		if (line[indent] == '#' || !line[indent] || !colon)
			continue;
		assert_int_equal(indent % 2, 0);
		assert_true(depth < QE_ARRAY_SIZE(path));
		free(path[depth]);
		path[depth] = qe_xstrndup(line + indent, (size_t)(colon - line - indent));
		qe_buf_addch(&seen, '|');
		for (j = 0; j <= depth; j++)
			qe_buf_addf(&seen, "%s%s", j ? "." : "", path[j]);
		qe_buf_addch(&seen, '|');
	}
	for (i = 0; (name = qe_config_key_name(i)); i++) {
		char *want = qe_xasprintf("|%s|", name);
		char *tag = qe_xasprintf("\n.B %s\n", name);
		if (!strstr(seen.buf, want))
			fail_msg("key '%s' is missing from qerrors.yaml.example", name);
		if (!strstr(man, tag))
			fail_msg("key '%s' is missing from man/qerrors.yaml.5", name);
		free(want);
		free(tag);
	}
	assert_true(i > 40);
	for (i = 0; i < QE_ARRAY_SIZE(path); i++)
		free(path[i]);
	qe_buf_release(&seen);
	free(example);
	free(man);
}

/* sources: a list of paths or mappings, each checked where it is written. */
static void test_sources(void **state)
{
	struct qe_config c, d;
	const char *yaml = "sources:\n"
			   "  - path: /var/log/app/*.log*\n"
			   "    format: json\n"
			   "    exclude: ['*.1', '*.gz']\n"
			   "    json:\n"
			   "      message: text\n"
			   "      exception: err.stack\n"
			   "  - /var/log/syslog\n"
			   "  - {path: '-', format: text}\n"
			   "  - path: journal:nginx.service\n";
	qe_config_init(&c);
	assert_int_equal(qe_config_load_string(&c, "t.yaml", yaml), 0);
	assert_int_equal(c.nr_sources, 4);
	assert_string_equal(c.sources[0].path, "/var/log/app/*.log*");
	assert_string_equal(c.sources[0].format, "json");
	assert_int_equal(c.sources[0].nr_exclude, 2);
	assert_string_equal(c.sources[0].exclude[0], "*.1");
	assert_string_equal(c.sources[0].exclude[1], "*.gz");
	assert_string_equal(c.sources[0].json_message, "text");
	assert_string_equal(c.sources[0].json_exception, "err.stack");
	assert_null(c.sources[0].json_level);
	assert_int_equal(c.sources[0].line, 2);
	assert_int_equal(c.sources[0].column, 5);
	/* a bare path: every setting from tail.* */
	assert_string_equal(c.sources[1].path, "/var/log/syslog");
	assert_null(c.sources[1].format);
	assert_int_equal(c.sources[1].nr_exclude, 0);
	assert_int_equal(c.sources[1].line, 8);
	assert_string_equal(c.sources[2].path, "-");
	assert_string_equal(c.sources[2].format, "text");
	/* another kind of spec is kept as written */
	assert_string_equal(c.sources[3].path, "journal:nginx.service");

	/* equal to itself, and not after any change */
	qe_config_init(&d);
	assert_int_equal(qe_config_load_string(&d, "u.yaml", yaml), 0);
	assert_true(qe_config_sources_equal(&c, &d));
	qe_config_release(&d);
	qe_config_init(&d);
	assert_int_equal(qe_config_load_string(&d, "u.yaml",
					       "sources:\n"
					       "  - path: /var/log/app/*.log*\n"
					       "    format: json\n"
					       "    exclude: ['*.1']\n"),
			 0);
	assert_false(qe_config_sources_equal(&c, &d));
	qe_config_release(&d);
	qe_config_init(&d);
	assert_false(qe_config_sources_equal(&c, &d));
	assert_true(qe_config_sources_equal(&d, &d));
	qe_config_release(&d);

	/* null keeps the list; a later file's list replaces it */
	assert_int_equal(qe_config_load_string(&c, "t.yaml", "sources:\n"), 0);
	assert_int_equal(c.nr_sources, 4);
	assert_int_equal(qe_config_load_string(&c, "t.yaml", "sources: [/a.log]\n"), 0);
	assert_int_equal(c.nr_sources, 1);
	assert_string_equal(c.sources[0].path, "/a.log");
	qe_config_release(&c);
}

static void test_sources_errors(void **state)
{
	expect_error("sources:\n  - path: /a.log\n    format: jsn\n",
		     "t.yaml:3:13: 'sources.format' cannot be 'jsn'; did you mean "
		     "'json'? (auto, text, json, docker, cri, syslog or journal)");
	expect_error("sources:\n  - path: /a.log\n    format: xml\n",
		     "t.yaml:3:13: 'sources.format' cannot be 'xml' (auto, text, json, "
		     "docker, cri, syslog or journal)");
	expect_error("sources:\n  - path: /a.log\n    fromat: json\n",
		     "t.yaml:3:5: unknown key 'fromat' in 'sources'; did you mean "
		     "'format'?");
	expect_error("sources:\n  - path: /a.log\n    json:\n      mesage: m\n",
		     "t.yaml:4:7: unknown key 'mesage' in 'sources.json'; did you mean "
		     "'message'?");
	expect_error("sources:\n  - format: json\n",
		     "t.yaml:2:5: source is missing 'path'");
	expect_error("sources:\n  - path: ''\n",
		     "t.yaml:2:11: 'sources.path' must not be empty");
	expect_error("sources:\n  - path: [a]\n",
		     "t.yaml:2:11: 'sources.path' must be a string, not a list");
	expect_error("sources:\n  - /a.log\n  - path: /a.log\n",
		     "t.yaml:3:5: duplicate source '/a.log' (first at line 2)");
	expect_error("sources: /a.log\n",
		     "t.yaml:1:10: 'sources' must be a list, not a plain value");
	expect_error(
	    "sources:\n  - [a]\n",
	    "t.yaml:2:5: 'sources' entries must be mappings or paths, not a list");
	expect_error(
	    "sources:\n  - path: /a.log\n    exclude: '*.1'\n",
	    "t.yaml:3:14: 'sources.exclude' must be a list, not a quoted string");
	expect_error("sources:\n  - path: /a.log\n    json: text\n",
		     "t.yaml:3:11: 'sources.json' must be a mapping of field names, not "
		     "a plain value");
	expect_error("sources:\n  - path: /a.log\n    json:\n      level: ''\n",
		     "t.yaml:4:14: 'sources.json.level' must not be empty");
	/* every mistake of the list in one message, in file order */
	expect_error("sources:\n  - path: /a.log\n    format: bad\n  - fomat: x\n",
		     "t.yaml:3:13: 'sources.format' cannot be 'bad' (auto, text, json, "
		     "docker, cri, syslog or journal)\n"
		     "t.yaml:4:5: unknown key 'fomat' in 'sources'; did you mean "
		     "'format'?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_and_null, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_env_overrides, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_endpoint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_env_invalid_and_clamped, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_file_clamped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_type, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_api_key_never_shown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_example_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_example_comments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_key_documented, setup, teardown),
	    cmocka_unit_test(test_default_model),

	    cmocka_unit_test_setup_teardown(test_nesting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_regex_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_all_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_durations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sources_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
