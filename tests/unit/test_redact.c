/* Unit tests for lib/redact.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "redact.h"
#include "util.h"

static char data_dir[4096];

/* ---- shared test code ---- */

static struct qe_redactor *new_default(void)
{
	struct qe_config c;
	struct qe_redactor *r;
	qe_config_init(&c);
	r = qe_redactor_new(&c);
	qe_config_release(&c);
	assert_non_null(r);
	return r;
}

static char *once(const char *in)
{
	struct qe_redactor *r = new_default();
	char *out = qe_redact_once(r, in, strlen(in));
	qe_redactor_free(r);
	return out;
}

static void expect(const char *in, const char *want)
{
	char *out = once(in);
	if (strcmp(out, want))
		print_error("input:    %s\nexpected: %s\ngot:      %s\n", in, want, out);
	assert_string_equal(out, want);
	free(out);
}

/* The output no longer holds `secret`, anywhere. */
static void assert_gone(const char *out, size_t len, const char *secret)
{
	if (memmem(out, len, secret, strlen(secret)))
		print_error("leaked '%s' in:\n%.*s\n", secret,
			    (int)(len > 2000 ? 2000 : len), out);
	assert_null(memmem(out, len, secret, strlen(secret)));
}

static char *read_file(const char *path, size_t *len)
{
	struct qe_buf b = QE_BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		qe_buf_add(&b, chunk, (size_t)n);
	assert_true(n == 0);
	close(fd);
	*len = b.len;
	return qe_buf_detach(&b);
}

/* ---- one positive and one negative case per class ---- */

struct pair {
	const char *in, *want;
};

static void run_pairs(const struct pair *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		expect(p[i].in, p[i].want);
}

static void test_aws(void **state)
{
	static const struct pair p[] = {
	    {"key AKIAIOSFODNN7EXAMPLE here", "key <AWS_KEY_1> here"},
	    {"sts ASIAY34FZKBOKMUTVV7A", "sts <AWS_KEY_1>"},
	    {"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	     "aws_secret_access_key = <SECRET_1>"},
	    {"\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"",
	     "\"SecretAccessKey\": \"<SECRET_1>\""},
	    /* negatives: too short, too long, lower case */
	    {"AKIA1234 AKIAIOSFODNN7EXAMPLEXX akiaiosfodnn7example",
	     "AKIA1234 AKIAIOSFODNN7EXAMPLEXX akiaiosfodnn7example"},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

static void test_vendor_tokens(void **state)
{
	static const struct pair p[] = {
	    {"ghp_0123456789abcdefghijABCDEFGHIJklmnopqr", "<GITHUB_TOKEN_1>"},
	    {"t=gho_16C7e42F292c6912E7710c838347Ae178B4a;", "t=<GITHUB_TOKEN_1>;"},
	    {"ghs_abcdefghijklmnopqrstuvwxyz0123456789 ghr_abcdefghijklmnopqrstuvwxyz01",
	     "<GITHUB_TOKEN_1> <GITHUB_TOKEN_2>"},
	    {"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
	     "<GITHUB_TOKEN_1>"},
	    {"glpat-xxxxxxxxxxxxxxxxxxxx1 ok", "<GITLAB_TOKEN_1> ok"},
	    {"xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy", "<SLACK_TOKEN_1>"},
	    {"xoxp-1234567890-abcdef xoxa-2-abcdefghijk xoxs-0123456789ab",
	     "<SLACK_TOKEN_1> <SLACK_TOKEN_2> <SLACK_TOKEN_3>"},
	    {"post https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX failed",
	     "post https://hooks.slack.com/services/<SLACK_WEBHOOK_1> failed"},
	    {"sk_live_4eC39HqLyjWDarjtT1zdp7dc rk_live_abcdefghij12 pk_live_0123456789ab",
	     "<STRIPE_KEY_1> <STRIPE_KEY_2> <STRIPE_KEY_3>"},
	    {"sk_test_4eC39HqLyjWDarjtT1zdp7dc whsec_abcdefghijklmnopqrstuvwx",
	     "<STRIPE_KEY_1> <STRIPE_KEY_2>"},
	    {"key sk-abcdefghijklmnopqrstuvwxyz0123456789ABCD", "key <API_KEY_1>"},
	    {"key sk-proj-Ab3dEfGhIjKlMnOpQrStUvWxYz_0123-456789", "key <API_KEY_1>"},
	    {"AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI", "<GOOGLE_API_KEY_1>"},
	    /* negatives: prefixes inside words, too short, no digits */
	    {"the task-abcdefghijklmnopqrstuvwxyz0123 and ghp_short and xoxb-1 done",
	     "the task-abcdefghijklmnopqrstuvwxyz0123 and ghp_short and xoxb-1 done"},
	    {"sk-learn-compatible-estimator-wrapper and mysk_live_abcdefghijkl",
	     "sk-learn-compatible-estimator-wrapper and mysk_live_abcdefghijkl"},
	    {"https://hooks.example.com/services/T0000",
	     "https://hooks.example.com/services/T0000"},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

static void test_jwt(void **state)
{
	static const struct pair p[] = {
	    {"jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcDEF_ghi-123 next",
	     "jwt=<JWT_1> next"},
	    {"unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. end", "unsigned <JWT_1> end"},
	    {"eyJ alone, eyJhbGci.short and myeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.x",
	     "eyJ alone, eyJhbGci.short and "
	     "myeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.x"},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

static void test_private_key(void **state)
{
	static const char in[] =
	    "before\n"
	    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
	    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
	    "QyNTUxOQAAACBq3t5bz8P8o4RjYtRv2L3n0YtTzFh2m7Vn3k4R1bI9yQAAAJgAAAAA\n"
	    "-----END OPENSSH PRIVATE KEY-----\n"
	    "after\n"
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkq\n"
	    "-----END ENCRYPTED PRIVATE KEY-----\n"
	    "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0AAAAB\n"
	    "-----END PGP PRIVATE KEY BLOCK-----\n"
	    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END "
	    "CERTIFICATE-----\n";
	static const char want[] = "before\n<PRIVATE_KEY_1>\nafter\n<PRIVATE_KEY_2>\n"
				   "<PRIVATE_KEY_3>\n"
				   "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n"
				   "-----END CERTIFICATE-----\n";
	expect(in, want);
	/* cut off before its END: masked to the end rather than leaked */
	expect("key: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtL\n",
	       "key: <PRIVATE_KEY_1>");
	/* a public key is not a secret */
	expect("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqh\n-----END PUBLIC KEY-----",
	       "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqh\n-----END PUBLIC KEY-----");
}

static void test_authorization(void **state)
{
	static const struct pair p[] = {
	    {"Authorization: Bearer abc.def-123", "Authorization: Bearer <TOKEN_1>"},
	    {"authorization: basic dXNlcjpwYXNz", "authorization: basic <BASIC_AUTH_1>"},
	    {"{\"Authorization\": \"Bearer mF_9.B5f-4.1JqM\"}",
	     "{\"Authorization\": \"Bearer <TOKEN_1>\"}"},
	    {"{\"Authorization\":\"Basic YWxhZGRpbjpvcGVuc2VzYW1l\"}",
	     "{\"Authorization\":\"Basic <BASIC_AUTH_1>\"}"},
	    {"Authorization: rawtokenvalue", "Authorization: <TOKEN_1>"},
	    {"sent Bearer 9f8e7d6c5b4a3210 upstream", "sent Bearer <TOKEN_1> upstream"},
	    /* negatives: the words, not a credential */
	    {"uses Bearer authentication", "uses Bearer authentication"},
	    {"authorization failed for user bob", "authorization failed for user bob"},
	    {"WWW-Authenticate: Bearer realm=\"api\"",
	     "WWW-Authenticate: Bearer realm=\"api\""},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

static void test_keyvalue(void **state)
{
	static const struct pair p[] = {
	    {"password=hunter2", "password=<PASSWORD_1>"},
	    {"login failed: user=bob password=hunter2 ip=::1",
	     "login failed: user=bob password=<PASSWORD_1> ip=::1"},
	    {"passwd: 'x y' pwd=abc", "passwd: '<PASSWORD_1>' pwd=<PASSWORD_2>"},
	    {"DB_PASSWORD=\"a b c\"", "DB_PASSWORD=\"<PASSWORD_1>\""},
	    {"secret: s3cr3t", "secret: <SECRET_1>"},
	    {"token=abc&x=1", "token=<TOKEN_1>&x=1"},
	    {"api_key=k1 apikey=k2 X-Api-Key: k3", "api_key=<SECRET_1> apikey=<SECRET_2> "
						   "X-Api-Key: <SECRET_3>"},
	    {"access_token=a refresh_token=b client_secret=c private_key=d",
	     "access_token=<TOKEN_1> refresh_token=<TOKEN_2> client_secret=<SECRET_1> "
	     "private_key=<SECRET_2>"},
	    {"auth=abc credential: xyz credentials => 'q'",
	     "auth=<SECRET_1> credential: <SECRET_2> credentials => '<SECRET_3>'"},
	    {"{:password=>\"pw\", :password_confirmation=>\"pw\"}",
	     "{:password=>\"<PASSWORD_1>\", :password_confirmation=>\"<PASSWORD_1>\"}"},
	    {"dbPassword: x1", "dbPassword: <PASSWORD_1>"},
	    {"<Password>topsecret</Password>", "<Password><PASSWORD_1></Password>"},
	    {"mysql --password hunter3 -u root", "mysql --password <PASSWORD_1> -u root"},
	    {"token: Bearer abcdef", "token: <TOKEN_1>"},
	    {"password: \"unterminated value", "password: \"<PASSWORD_1>"},
	    /* negatives: prose, other keys, empty and already-masked values */
	    {"password incorrect for user bob", "password incorrect for user bob"},
	    {"Enter password:", "Enter password:"},
	    {"password: \nnext", "password: \nnext"},
	    {"max_tokens=800 token_count: 3 passwords=2 bypass=1 author: Jane",
	     "max_tokens=800 token_count: 3 passwords=2 bypass=1 author: Jane"},
	    {"password=****** token=null secret: [REDACTED] auth: true",
	     "password=****** token=null secret: [REDACTED] auth: true"},
	    {"password=<PASSWORD_3>", "password=<PASSWORD_3>"},
	    {"PWD=/home/bob OLDPWD=/tmp", "PWD=/home/bob OLDPWD=/tmp"},
	    {"\"auth\": {\"type\": \"oauth\"}", "\"auth\": {\"type\": \"oauth\"}"},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

static void test_json(void **state)
{
	static const struct pair p[] = {
	    {"{\"password\":\"a\\\"b\",\"n\":1}",
	     "{\"password\":\"<PASSWORD_1>\",\"n\":1}"},
	    {"{\"token\": 12345, \"user\": \"bob\"}",
	     "{\"token\": <TOKEN_1>, \"user\": \"bob\"}"},
	    {"\"msg\": \"{\\\"password\\\":\\\"inner\\\"}\"",
	     "\"msg\": \"{\\\"password\\\":\\\"<PASSWORD_1>\\\"}\""},
	    {"{'password': 'hunter2', 'user': 'bob'}",
	     "{'password': '<PASSWORD_1>', 'user': 'bob'}"},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

static void test_url_password(void **state)
{
	static const struct pair p[] = {
	    {"postgres://admin:Pa55w0rd@db.internal:5432/app",
	     "postgres://admin:<PASSWORD_1>@db.internal:5432/app"},
	    {"redis://:r3d1s@cache:6379/0", "redis://:<PASSWORD_1>@cache:6379/0"},
	    {"https://u:p%40ss@host/x", "https://u:<PASSWORD_1>@host/x"},
	    {"mongodb+srv://app:two@words@cluster0.example.net/db",
	     "mongodb+srv://app:<PASSWORD_1>@cluster0.example.net/db"},
	    {"GET /cb?code=1&access_token=AbCd123&x=y",
	     "GET /cb?code=1&access_token=<TOKEN_1>&x=y"},
	    /* negatives: a port is not a password, a user alone stays */
	    {"http://host:8080/path ftp://anonymous@ftp.example.net/pub",
	     "http://host:8080/path ftp://anonymous@ftp.example.net/pub"},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

static void test_email(void **state)
{
	static const struct pair p[] = {
	    {"from bob.smith+x@example.co.uk:", "from <EMAIL_1>:"},
	    {"<alice@corp.example.com>", "<<EMAIL_1>>"},
	    {"mailto:support@example.com", "mailto:<EMAIL_1>"},
	    {"https://example.com/u/alice@example.com",
	     "https://example.com/u/<EMAIL_1>"},
	    /* negatives: Java identity hashes, decorators, hosts without a TLD */
	    {"com.example.Widget@6d06d69c @Override user@localhost a@b.c x@10.0.0",
	     "com.example.Widget@6d06d69c @Override user@localhost a@b.c x@10.0.0"},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

static void test_card(void **state)
{
	static const struct pair p[] = {
	    {"card 4111 1111 1111 1111 exp", "card <CARD_1> exp"},
	    {"4111-1111-1111-1111", "<CARD_1>"},
	    {"amex 378282246310005 mc 5555555555554444 jcb 3530111333300000",
	     "amex <CARD_1> mc <CARD_2> jcb <CARD_3>"},
	    {"mc2 2223003122003222 diners 30569309025904 visa13 4222222222222",
	     "mc2 <CARD_1> diners <CARD_2> visa13 <CARD_3>"},
	    {"4111 1111 1111 1111 2024", "<CARD_1> 2024"},
	    /* negatives: Luhn fails, no plausible issuer, too long, timestamps */
	    {"4111 1111 1111 1112", "4111 1111 1111 1112"},
	    {"1234567890123452 9999999999999995 1714567890123",
	     "1234567890123452 9999999999999995 1714567890123"},
	    {"41111111111111110000000 order 12345678901234567890",
	     "41111111111111110000000 order 12345678901234567890"},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

/* The patterns that have no word to look for first are gated by a shape
 * their matches contain (redact.c, gate_scan()): the shortest match of
 * each, alone and at either end of a text, is still found. */
static void test_gates_keep_every_match(void **state)
{
	static const char *const shapes[] = {
	    "4222222222222",
	    "4111 1111 1111 1111",
	    "4111-1111-1111-1111",
	    "+14155552671",
	    "+1 415 555 2671",
	    "(415) 555-2671",
	    "415-555-2671",
	    "415.555.2671",
	    "203.0.113.7",
	    "2001:db8::8a2e:370:7334",
	    "fe80::1ff:fe23:4567:890a",
	    "aws wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	};
	size_t i, k;
	(void)state;
	for (i = 0; i < QE_ARRAY_SIZE(shapes); i++)
		for (k = 0; k < 3; k++) {
			char in[256];
			char *out;
			snprintf(in, sizeof(in), "%s%s%s", k == 1 ? "seen " : "",
				 shapes[i], k == 2 ? " seen" : "");
			out = once(in);
			if (!strcmp(out, in))
				print_error("not redacted: '%s'\n", in);
			assert_string_not_equal(out, in);
			free(out);
		}
}

static void test_ip(void **state)
{
	static const struct pair p[] = {
	    {"from 203.0.113.7:51515", "from <IP_1>:51515"},
	    {"10.0.0.1,10.0.0.2,10.0.0.1", "<IP_1>,<IP_2>,<IP_1>"},
	    {"net 192.168.0.0/16", "net <IP_1>/16"},
	    {"v6 2001:db8:85a3::8a2e:370:7334 [fe80::1]:443", "v6 <IP_1> [<IP_2>]:443"},
	    {"mapped ::ffff:192.0.2.128 end", "mapped <IP_1> end"},
	    /* negatives: versions, times, MACs, names, loopback */
	    {"1.2.3 v1.2.3.4 1.2.3.4.5 999.1.1.1 12:30:45 2024-05-01T12:30:45Z",
	     "1.2.3 v1.2.3.4 1.2.3.4.5 999.1.1.1 12:30:45 2024-05-01T12:30:45Z"},
	    {"00:1a:2b:3c:4d:5e std::vector Foo::Bar a::b dead::beef",
	     "00:1a:2b:3c:4d:5e std::vector Foo::Bar a::b dead::beef"},
	    {"127.0.0.1:8080 0.0.0.0 [::1]:443 [::]:80",
	     "127.0.0.1:8080 0.0.0.0 [::1]:443 [::]:80"},
	    {"go1.21.5 libssl.so.3 python3.11", "go1.21.5 libssl.so.3 python3.11"},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

/* ---- placeholders ---- */

static void test_stability(void **state)
{
	struct qe_redactor *r = new_default();
	struct qe_redaction *s = qe_redaction_new(r);
	const char *a = "mail a@example.com then b@example.com";
	const char *b = "again b@example.com and a@example.com, c@example.com, 10.1.1.1";
	char *o1 = qe_redact(s, a, strlen(a));
	char *o2 = qe_redact(s, b, strlen(b));
	char *o3;
	assert_string_equal(o1, "mail <EMAIL_1> then <EMAIL_2>");
	assert_string_equal(o2, "again <EMAIL_2> and <EMAIL_1>, <EMAIL_3>, <IP_1>");
	assert_int_equal(qe_redaction_count(s), 6);
	/* a new redaction starts its own numbering */
	o3 = qe_redact_once(r, b, strlen(b));
	assert_string_equal(o3, "again <EMAIL_1> and <EMAIL_2>, <EMAIL_3>, <IP_1>");
	/* the output of a redaction has nothing left to mask */
	free(o1);
	o1 = qe_redact(s, o2, strlen(o2));
	assert_string_equal(o1, o2);
	assert_int_equal(qe_redaction_count(s), 6);
	free(o1);
	free(o2);
	free(o3);
	qe_redaction_free(s);
	qe_redactor_free(r);
	assert_int_equal(qe_redaction_count(NULL), 0);
}

static void test_placeholder_has_no_value(void **state)
{
	/* secrets that look like placeholder text must not show through */
	const char *in = "password=PASSWORD_1 token=TOKEN api_key=<>";
	char *out = once(in);
	assert_string_equal(out,
			    "password=<PASSWORD_1> token=<TOKEN_1> api_key=<SECRET_1>");
	free(out);
}

static void test_overlap_union(void **state)
{
	/* a token inside a longer password: the whole value goes */
	expect("password=xx-ghp_0123456789abcdefghijABCDEFGHIJklmnopqr",
	       "password=<PASSWORD_1>");
	/* the same span found twice keeps the specific class */
	expect("token=ghp_0123456789abcdefghijABCDEFGHIJklmnopqr",
	       "token=<GITHUB_TOKEN_1>");
	expect("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
	       "Authorization: Bearer <JWT_1>");
}

/* ---- the trace the redactor exists for ---- */

static void test_java_trace(void **state)
{
	static const char in[] =
	    "2024-05-01 12:00:01 ERROR c.e.Billing - charge failed for "
	    "jane.doe@example.com\n"
	    "com.stripe.exception.AuthenticationException: Invalid API Key provided: "
	    "sk_live_51Hx9mQ2eZvKYlo2C8fakeFAKEfake0000\n"
	    "\tat com.stripe.net.LiveStripeResponseGetter.handleApiError("
	    "LiveStripeResponseGetter.java:201)\n"
	    "\tat com.example.billing.ChargeService.charge(ChargeService.java:88)\n"
	    "Caused by: java.sql.SQLException: cannot connect to "
	    "jdbc:postgresql://billing:Tr0ub4dor&3@db.internal:5432/billing\n"
	    "\tat org.postgresql.Driver.connect(Driver.java:285)\n"
	    "Caused by: com.amazonaws.AmazonServiceException: invalid key "
	    "AKIAIOSFODNN7EXAMPLE (Service: AmazonS3; Status Code: 403)\n"
	    "\tat java.base/java.lang.Thread.run(Thread.java:833)\n"
	    "\t... 12 more\n";
	static const char want[] =
	    "2024-05-01 12:00:01 ERROR c.e.Billing - charge failed for <EMAIL_1>\n"
	    "com.stripe.exception.AuthenticationException: Invalid API Key provided: "
	    "<STRIPE_KEY_1>\n"
	    "\tat com.stripe.net.LiveStripeResponseGetter.handleApiError("
	    "LiveStripeResponseGetter.java:201)\n"
	    "\tat com.example.billing.ChargeService.charge(ChargeService.java:88)\n"
	    "Caused by: java.sql.SQLException: cannot connect to "
	    "jdbc:postgresql://billing:<PASSWORD_1>@db.internal:5432/billing\n"
	    "\tat org.postgresql.Driver.connect(Driver.java:285)\n"
	    "Caused by: com.amazonaws.AmazonServiceException: invalid key "
	    "<AWS_KEY_1> (Service: AmazonS3; Status Code: 403)\n"
	    "\tat java.base/java.lang.Thread.run(Thread.java:833)\n"
	    "\t... 12 more\n";
	char *out = once(in);
	assert_gone(out, strlen(out), "jane.doe@example.com");
	assert_gone(out, strlen(out), "Tr0ub4dor");
	assert_gone(out, strlen(out), "AKIAIOSFODNN7EXAMPLE");
	assert_gone(out, strlen(out), "sk_live_");
	assert_string_equal(out, want);
	free(out);
}

/* ---- custom patterns ---- */

static char **strlist(int n, ...)
{
	char **v = qe_xcalloc((size_t)n + 1, sizeof(*v));
	va_list ap;
	int i;
	va_start(ap, n);
	for (i = 0; i < n; i++)
		v[i] = qe_xstrdup(va_arg(ap, const char *));
	va_end(ap);
	return v;
}

static void test_custom(void **state)
{
	struct qe_config c;
	struct qe_redactor *r;
	const char *in = "ticket TCK-123456 for customer id=cust_98765 Jürgen-Ω7";
	char *out;
	qe_config_init(&c);
	c.redact_patterns = strlist(3, "TCK-\\d+", "id=(cust_\\w+)", "Jürgen-\\p{L}\\d");
	c.nr_redact_patterns = 3;
	r = qe_redactor_new(&c);
	assert_non_null(r);
	out = qe_redact_once(r, in, strlen(in));
	assert_string_equal(out,
			    "ticket <CUSTOM_1> for customer id=<CUSTOM_2> <CUSTOM_3>");
	free(out);
	/* UTF-8 patterns still run over invalid UTF-8 */
	out = qe_redact_once(r, "\xff\xfeTCK-1\xc3 id=cust_x\x80", 20);
	assert_memory_equal(out, "\xff\xfe<CUSTOM_1>\xc3 id=<CUSTOM_2>\x80", 28);
	free(out);
	qe_redactor_free(r);
	qe_config_release(&c);
}

static void test_custom_bad(void **state)
{
	struct qe_config c;
	qe_config_init(&c);
	c.redact_patterns = strlist(2, "ok-\\d+", "bad(unclosed");
	c.nr_redact_patterns = 2;
	qe_clear_error();
	assert_null(qe_redactor_new(&c));
	assert_true(!strncmp(qe_last_error(), "redact pattern 2: invalid at offset 12: ",
			     strlen("redact pattern 2: invalid at offset 12: ")));
	assert_non_null(strstr(qe_last_error(), "missing closing parenthesis"));
	qe_config_release(&c);
}

static int warnings;
static void count_warning(const char *msg)
{
	warnings++;
}

static void test_custom_runaway(void **state)
{
	/* catastrophic backtracking stops at the match limit, with a warning,
	 * and the built-ins still run */
	struct qe_config c;
	struct qe_redactor *r;
	struct qe_buf in = QE_BUF_INIT;
	char *out;
	int i;
	qe_config_init(&c);
	c.redact_patterns = strlist(1, "(a+)+b");
	c.nr_redact_patterns = 1;
	c.match_limit = 10000;
	r = qe_redactor_new(&c);
	assert_non_null(r);
	for (i = 0; i < 40; i++)
		qe_buf_addch(&in, 'a');
	qe_buf_addstr(&in, "\npassword=hunter2 ab\n");
	warnings = 0;
	qe_set_warning_handler(count_warning);
	out = qe_redact_once(r, in.buf, in.len);
	qe_set_warning_handler(NULL);
	assert_int_equal(warnings, 1);
	assert_gone(out, strlen(out), "hunter2");
	assert_non_null(strstr(out, "<CUSTOM_1>"));
	free(out);
	qe_buf_release(&in);
	qe_redactor_free(r);
	qe_config_release(&c);
}

/* ---- switches ---- */

static void test_toggles(void **state)
{
	struct qe_config c;
	struct qe_redactor *r;
	const char *in = "bob@example.com from 203.0.113.7 and 2001:db8::7 password=x";
	char *out;
	qe_config_init(&c);
	assert_int_equal(c.redact_ips, 1);
	assert_int_equal(c.redact_emails, 1);
	c.redact_ips = 0;
	r = qe_redactor_new(&c);
	out = qe_redact_once(r, in, strlen(in));
	assert_string_equal(
	    out, "<EMAIL_1> from 203.0.113.7 and 2001:db8::7 password=<PASSWORD_1>");
	free(out);
	qe_redactor_free(r);
	c.redact_ips = 1;
	c.redact_emails = 0;
	r = qe_redactor_new(&c);
	out = qe_redact_once(r, in, strlen(in));
	assert_string_equal(
	    out, "bob@example.com from <IP_1> and <IP_2> password=<PASSWORD_1>");
	free(out);
	qe_redactor_free(r);
	qe_config_release(&c);

	/* NULL config: the defaults */
	r = qe_redactor_new(NULL);
	assert_non_null(r);
	out = qe_redact_once(r, in, strlen(in));
	assert_string_equal(out,
			    "<EMAIL_1> from <IP_1> and <IP_2> password=<PASSWORD_1>");
	free(out);
	qe_redactor_free(r);
}

/* ---- size and hostile input ---- */

static void test_large_input(void **state)
{
	struct qe_redactor *r = new_default();
	struct qe_buf in = QE_BUF_INIT;
	static const char line[] =
	    "2024-05-01 12:00:00 INFO worker-7 processed batch 1234 in 12.5 ms ok\n";
	char *out;
	size_t olen;
	clock_t t0;
	qe_buf_addstr(&in, "head password=first-secret\n");
	while (in.len < 5 * 1024 * 1024)
		qe_buf_addstr(&in, line);
	qe_buf_addstr(&in, "middle AKIAIOSFODNN7EXAMPLE 198.51.100.1\n");
	while (in.len < 10 * 1024 * 1024)
		qe_buf_addstr(&in, line);
	/* one 1 MB line without a newline, then a secret at the very end */
	for (olen = 0; olen < 1024 * 1024; olen++)
		qe_buf_addch(&in, "ab1.:@-_="[olen % 9]);
	qe_buf_addstr(&in, " tail bob@example.com");
	t0 = clock();
	{
		struct qe_redaction *s = qe_redaction_new(r);
		out = qe_redact_mem(s, in.buf, in.len, &olen);
		assert_int_equal(qe_redaction_count(s), 4);
		qe_redaction_free(s);
	}
	/* generous: well under a second in a plain build */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 30.0);
	assert_gone(out, olen, "first-secret");
	assert_gone(out, olen, "AKIAIOSFODNN7EXAMPLE");
	assert_gone(out, olen, "198.51.100.1");
	assert_gone(out, olen, "bob@example.com");
	assert_non_null(memmem(out, olen, "<EMAIL_1>", 9));
	assert_int_equal(olen, in.len - strlen("first-secret") + strlen("<PASSWORD_1>") -
				   strlen("AKIAIOSFODNN7EXAMPLE") +
				   strlen("<AWS_KEY_1>") - strlen("198.51.100.1") +
				   strlen("<IP_1>") - strlen("bob@example.com") +
				   strlen("<EMAIL_1>"));
	free(out);
	qe_buf_release(&in);
	qe_redactor_free(r);
}

static void test_garbage(void **state)
{
	struct qe_redactor *r = new_default();
	struct qe_buf in = QE_BUF_INIT;
	static const char *const secrets[] = {
	    "password=gArb4ge",
	    "AKIAIOSFODNN7EXAMPLE",
	    "eve@example.org",
	    "203.0.113.99",
	    "ghp_0123456789abcdefghijABCDEFGHIJklmnopqr",
	};
	static const char stress[] = "eyJ1:a@-----BEGIN \xc3\x28"
				     "4111 ";
	uint64_t x = 88172645463325252ULL;
	char *out;
	size_t olen, i;
	for (i = 0; i < 2 * 1024 * 1024; i++) {
		/* xorshift: reproducible bytes of every value, NUL included */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		qe_buf_addch(&in, (int)(x & 0xff));
		if (i % 500000 == 0) {
			qe_buf_addch(&in, ' ');
			qe_buf_addstr(&in,
				      secrets[(i / 500000) % QE_ARRAY_SIZE(secrets)]);
			qe_buf_addch(&in, ' ');
		}
	}
	/* byte patterns that stress the scanners */
	for (i = 0; i < 100000; i++)
		qe_buf_add(&in, stress, sizeof(stress) - 1);
	{
		struct qe_redaction *s = qe_redaction_new(r);
		out = qe_redact_mem(s, in.buf, in.len, &olen);
		qe_redaction_free(s);
	}
	assert_true(olen > 0);
	assert_gone(out, olen, "gArb4ge");
	assert_gone(out, olen, "AKIAIOSFODNN7EXAMPLE");
	assert_gone(out, olen, "eve@example.org");
	assert_gone(out, olen, "203.0.113.99");
	free(out);
	qe_buf_release(&in);
	qe_redactor_free(r);
}

static void test_nul_bytes(void **state)
{
	struct qe_redactor *r = new_default();
	struct qe_redaction *s = qe_redaction_new(r);
	static const char in[] = "a\0password=x\0b";
	size_t olen;
	char *out = qe_redact_mem(s, in, sizeof(in) - 1, &olen);
	assert_int_equal(olen, 25);
	assert_memory_equal(out, "a\0password=<PASSWORD_1>\0b", 25);
	free(out);
	out = qe_redact(s, "", 0);
	assert_string_equal(out, "");
	free(out);
	qe_redaction_free(s);
	qe_redactor_free(r);
	qe_redactor_free(NULL);
	qe_redaction_free(NULL);
}

/* ---- the secret corpus: tests/data/redact/secrets.tsv ---- */

/* Undo the escapes of gen-secrets.py in place: \\ \n \t. */
static void unescape(char *s)
{
	char *w = s;
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*w++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static void test_secret_corpus(void **state)
{
	struct qe_redactor *r = new_default();
	char path[8192], *text, *line, *save = NULL;
	size_t len;
	int kinds = 0, leaked = 0;
	snprintf(path, sizeof(path), "%s/secrets.tsv", data_dir);
	text = read_file(path, &len);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *p = line, *out;
		int i;
		for (i = 0; i < 4; i++) {
			f[i] = p;
			p = i < 3 ? strchr(p, '\t') : NULL;
			if (i < 3) {
				assert_non_null(p);
				*p++ = '\0';
			}
		}
		unescape(f[2]);
		unescape(f[3]);
		assert_non_null(strstr(f[3], f[2]));
		out = qe_redact_once(r, f[3], strlen(f[3]));
		if (strstr(out, f[2])) {
			print_error("kind %s (%s) leaks: %s\n", f[0], f[1], out);
			leaked++;
		} else if (!strchr(out, '<')) {
			print_error("kind %s: no placeholder in %s\n", f[0], out);
			leaked++;
		}
		/* the [kind] tag and the words around the secret stay */
		assert_non_null(strstr(out, f[0]));
		free(out);
		kinds++;
	}
	free(text);
	qe_redactor_free(r);
	print_message("secret corpus: %d kinds, %d leaked\n", kinds, leaked);
	assert_true(kinds >= 60);
	assert_int_equal(leaked, 0);
}

static void test_new_kinds(void **state)
{
	static const struct pair p[] = {
	    {"DefaultEndpointsProtocol=https;AccountName=a;AccountKey="
	     "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=;"
	     "EndpointSuffix=core.windows.net",
	     "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=<AZURE_KEY_1>;"
	     "EndpointSuffix=core.windows.net"},
	    {"GET /c/b?sv=2022-11-02&sp=r&sig=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4%3D&x=1",
	     "GET /c/b?sv=2022-11-02&sp=r&sig=<AZURE_KEY_1>&x=1"},
	    {"\"private_key_id\": \"0123456789abcdef0123456789abcdef01234567\"",
	     "\"private_key_id\": \"<SECRET_1>\""},
	    {"mysql -u root -pS3cr3tPw db", "mysql -u root -p<PASSWORD_1> db"},
	    {"mysqldump -h db -p'a b' x", "mysqldump -h db -p'<PASSWORD_1>' x"},
	    {"Set-Cookie: sid=abc123def456; Path=/; HttpOnly",
	     "Set-Cookie: sid=<COOKIE_1>; Path=/; HttpOnly"},
	    {"Cookie: theme=dark; csrftoken=q1w2e3r4t5y6u7i8",
	     "Cookie: theme=dark; csrftoken=<COOKIE_1>"},
	    {"call +1 415 555 2671 or (415) 555-2671", "call <PHONE_1> or <PHONE_2>"},
	    {"phone_number=555 0100 123", "phone_number=<PHONE_1>"},
	    {"card 4111.1111.1111.1111 ok", "card <CARD_1> ok"},
	    {"header \"Basic Ym9iOmh1bnRlcjQ=\" and Basic dXNlcjpwYXNz.",
	     "header \"Basic <BASIC_AUTH_1>\" and Basic <BASIC_AUTH_2>."},
	    {"uses Basic authentication; Basic QUJDREVGR0g= is no pair",
	     "uses Basic authentication; Basic QUJDREVGR0g= is no pair"},
	    {"sig=9 phone: none mobile=true microphone=default4711",
	     "sig=9 phone: none mobile=true microphone=default4711"},
	    {"v 3.14159265358979 and 1.2.3.4.5.6.7.8.9.0.1.2.3",
	     "v 3.14159265358979 and 1.2.3.4.5.6.7.8.9.0.1.2.3"},
	};
	run_pairs(p, QE_ARRAY_SIZE(p));
}

/* The prefilter skips a pattern only when none of its words occur: words
 * of case-insensitive patterns in any case, and the Discord bot token,
 * which has no fixed word, by its shape. */
static void test_prefilter_words(void **state)
{
	static const struct {
		const char *text, *secret;
	} cases[] = {
	    {"PaSsWoRd=hunter2hunter2", "hunter2hunter2"},
	    {"AUTHORIZATION: Bearer abcdefgh12345678", "abcdefgh12345678"},
	    {"conn AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;",
	     "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"},
	    {"run --PASSWORD s3cr3t-value now", "s3cr3t-value"},
	    {"bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjK1.abcdefghijklmnopqrstuvwxyz0123 up",
	     "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjK1"},
	    {"mail to someone@example.org failed", "someone@example.org"},
	};
	struct qe_redactor *r = new_default();
	size_t i;

	for (i = 0; i < QE_ARRAY_SIZE(cases); i++) {
		char *out = qe_redact_once(r, cases[i].text, strlen(cases[i].text));
		assert_gone(out, strlen(out), cases[i].secret);
		free(out);
	}
	qe_redactor_free(r);
}

static void test_redact_json(void **state)
{
	struct qe_redactor *r = new_default();
	char *out = qe_redact_json(
	    r, "{\"summary\":\"bad key npm_0123456789abcdefghijABCDEFGHIJ012345\","
	       "\"refs\":[\"mailto:bob@example.com\"],\"confidence\":0.75,"
	       "\"bob@example.com\":1}");
	assert_string_equal(
	    out, "{\"summary\":\"bad key <NPM_TOKEN_1>\",\"refs\":[\"mailto:<EMAIL_1>\"],"
		 "\"confidence\":0.75,\"<EMAIL_1>\":1}");
	free(out);
	/* not JSON: redacted as text */
	out = qe_redact_json(r, "oops password=x");
	assert_string_equal(out, "oops password=<PASSWORD_1>");
	free(out);
	qe_redactor_free(r);
}

/* ---- data-driven: tests/data/redact/NAME.in -> NAME.out ---- */

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void test_data_cases(void **state)
{
	struct qe_redactor *r = new_default();
	struct dirent **ents;
	int n, i, cases = 0, failed = 0;
	n = scandir(data_dir, &ents, NULL, by_name);
	if (n < 0)
		print_error("cannot read '%s'\n", data_dir);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		char path[8192];
		char *in, *want, *got;
		size_t inl, wantl, gotl;
		if (ends_with(ents[i]->d_name, ".in")) {
			snprintf(path, sizeof(path), "%s/%s", data_dir, ents[i]->d_name);
			in = read_file(path, &inl);
			strcpy(path + strlen(path) - 3, ".out");
			want = read_file(path, &wantl);
			{
				struct qe_redaction *s = qe_redaction_new(r);
				got = qe_redact_mem(s, in, inl, &gotl);
				qe_redaction_free(s);
			}
			if (gotl != wantl || memcmp(got, want, gotl)) {
				print_error("case %s differs; got:\n%s\n",
					    ents[i]->d_name, got);
				failed++;
			}
			cases++;
			free(in);
			free(want);
			free(got);
		}
		free(ents[i]);
	}
	free(ents);
	qe_redactor_free(r);
	assert_true(cases >= 10);
	assert_int_equal(failed, 0);
}

static void find_data_dir(const char *argv0)
{
	const char *env = getenv("QE_TEST_DATA");
	struct stat st;
	char *slash;
	if (env) {
		snprintf(data_dir, sizeof(data_dir), "%s/redact", env);
		return;
	}
	snprintf(data_dir, sizeof(data_dir), "tests/data/redact");
	if (!stat(data_dir, &st))
		return;
	/* build/<kind>/tests/test_redact -> ../../../tests/data/redact */
	snprintf(data_dir, sizeof(data_dir), "%s", argv0);
	slash = strrchr(data_dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(data_dir, sizeof(data_dir), ".");
	strncat(data_dir, "/../../../tests/data/redact",
		sizeof(data_dir) - strlen(data_dir) - 1);
}

/* A shared rule set lives until its last owner frees it. */
static void test_shared_redactor(void **state)
{
	struct qe_config c;
	struct qe_redactor *r;
	char *out;
	(void)state;
	qe_config_init(&c);
	r = qe_redactor_new(&c);
	assert_ptr_equal(qe_redactor_ref(r), r);
	qe_redactor_free(r); /* one owner gone: still usable */
	out = qe_redact_once(r, "password=hunter2secret", 22);
	assert_null(strstr(out, "hunter2secret"));
	free(out);
	qe_redactor_free(r);
	assert_null(qe_redactor_ref(NULL));
	qe_config_release(&c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_aws),
	    cmocka_unit_test(test_gates_keep_every_match),
	    cmocka_unit_test(test_shared_redactor),
	    cmocka_unit_test(test_vendor_tokens),
	    cmocka_unit_test(test_jwt),
	    cmocka_unit_test(test_private_key),
	    cmocka_unit_test(test_authorization),
	    cmocka_unit_test(test_keyvalue),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_url_password),
	    cmocka_unit_test(test_email),
	    cmocka_unit_test(test_card),
	    cmocka_unit_test(test_ip),
	    cmocka_unit_test(test_stability),
	    cmocka_unit_test(test_placeholder_has_no_value),
	    cmocka_unit_test(test_overlap_union),
	    cmocka_unit_test(test_java_trace),
	    cmocka_unit_test(test_custom),
	    cmocka_unit_test(test_custom_bad),
	    cmocka_unit_test(test_custom_runaway),
	    cmocka_unit_test(test_toggles),
	    cmocka_unit_test(test_large_input),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_data_cases),
	    cmocka_unit_test(test_secret_corpus),
	    cmocka_unit_test(test_new_kinds),
	    cmocka_unit_test(test_redact_json),
	    cmocka_unit_test(test_prefilter_words),
	};
	find_data_dir(argc > 0 ? argv[0] : "");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
