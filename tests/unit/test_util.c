/* Tests for lib/sha256.c, lib/utf8.c, lib/buf.c, lib/msg.c, lib/util.c and
 * lib/xalloc.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "xalloc.h"

static void hex(const unsigned char d[32], char out[65])
{
	size_t i;
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void check_sha(const void *data, size_t len, const char *want)
{
	unsigned char d[32];
	char h[65];
	qe_sha256(data, len, d);
	hex(d, h);
	assert_string_equal(h, want);
}

/* The examples of FIPS 180-2 appendix B and the NIST example values. */
static void test_sha256_vectors(void **state)
{
	char *million;
	check_sha("abc", 3,
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_sha("", 0,
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_sha(
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklm"
	    "nopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	    112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	million = qe_xmalloc(1000000);
	memset(million, 'a', 1000000);
	check_sha(million, 1000000,
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* Padding edges: 55 bytes fit one block with the length, 56..63 need two,
 * 64 is a full block.  Reference values from sha256sum. */
static void test_sha256_padding(void **state)
{
	char a[65];
	memset(a, 'a', sizeof(a));
	check_sha(a, 55,
		  "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	check_sha(a, 56,
		  "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	check_sha(a, 63,
		  "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
	check_sha(a, 64,
		  "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
	check_sha(a, 65,
		  "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
}

/* The CPU's SHA instructions, where there are any, and the portable code
 * give the same digests for every length around the block edges and of
 * several blocks, from every alignment of the input. */
static void test_sha256_hw_same(void **state)
{
	unsigned char buf[1100], a[32], b[32];
	size_t len, off;
	int was = qe_sha256_use_hw(1);
	print_message("SHA instructions: %s\n",
		      qe_sha256_use_hw(1) ? "used" : "not on this CPU");
	for (len = 0; len < sizeof(buf); len++)
		buf[len] = (unsigned char)(len * 131 + (len >> 3) * 7);
	for (off = 0; off < 4; off++)
		for (len = 0; len + off <= 1024 + 3; len += len < 200 ? 1 : 61) {
			qe_sha256_use_hw(0);
			qe_sha256(buf + off, len, a);
			qe_sha256_use_hw(1);
			qe_sha256(buf + off, len, b);
			assert_memory_equal(a, b, 32);
		}
	qe_sha256_use_hw(was);
}

/* The vectors above with the portable code, whatever the CPU has. */
static void test_sha256_portable(void **state)
{
	int was = qe_sha256_use_hw(0);
	test_sha256_vectors(state);
	test_sha256_padding(state);
	qe_sha256_use_hw(was);
}

static void check_clean(const char *in, size_t len, const char *want)
{
	char *s = qe_utf8_sanitize(in, len);
	assert_string_equal(s, want);
	free(s);
}

#define R "\xef\xbf\xbd" /* U+FFFD */

static void test_utf8_sanitize(void **state)
{
	check_clean("", 0, "");
	check_clean("plain ascii", 11, "plain ascii");
	/* valid: 2, 3 and 4 byte forms, the largest scalar value */
	check_clean("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", 19,
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
	/* NUL inside the text is made visible, not a cut */
	check_clean("a\0b", 3, "a" R "b");
	/* stray continuation byte, bytes never used in UTF-8 */
	check_clean("\x80x\xfe\xff", 4, R "x" R R);
	/* overlong forms: "/" as 2 and 3 bytes, U+07FF as 3 bytes */
	check_clean("\xc0\xaf", 2, R R);
	check_clean("\xe0\x80\xaf", 3, R R R);
	check_clean("\xe0\x9f\xbf", 3, R R R);
	check_clean("\xf0\x8f\xbf\xbf", 4, R R R R);
	/* surrogates and values above U+10FFFF */
	check_clean("\xed\xa0\x80", 3, R R R);
	check_clean("\xed\x9f\xbf", 3, "\xed\x9f\xbf"); /* U+D7FF is fine */
	check_clean("\xf4\x90\x80\x80", 4, R R R R);
	/* a sequence cut by the end of the input, or by another character */
	check_clean("ab\xe2\x82", 4, "ab" R R);
	check_clean("\xe2x\x82", 3, R "x" R);
	/* the length is what counts, not a NUL terminator */
	check_clean("abc", 2, "ab");
}

static void test_buf(void **state)
{
	struct qe_buf b = QE_BUF_INIT;
	char *s;
	size_t i;

	/* empty: never NULL, always terminated, owns nothing */
	assert_non_null(b.buf);
	assert_string_equal(b.buf, "");
	assert_int_equal(b.alloc, 0);
	qe_buf_truncate(&b, 0);
	qe_buf_reset(&b);
	assert_int_equal(b.alloc, 0);
	s = qe_buf_detach(&b);
	assert_string_equal(s, "");
	free(s);

	qe_buf_addstr(&b, "abc");
	qe_buf_addch(&b, '-');
	qe_buf_add(&b, "x\0y", 3); /* binary-safe */
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.buf, "abc-x\0y", 8);
	assert_true(b.len < b.alloc);
	qe_buf_truncate(&b, 100); /* longer than len: nothing */
	assert_int_equal(b.len, 7);
	qe_buf_truncate(&b, 2);
	assert_string_equal(b.buf, "ab");

	/* formatted output larger than the first guess */
	qe_buf_reset(&b);
	qe_buf_addf(&b, "%0300d|%s", 7, "end");
	assert_int_equal(b.len, 304);
	assert_string_equal(b.buf + 300, "|end");
	assert_int_equal(b.buf[b.len], '\0');

	/* many small appends keep the invariants */
	qe_buf_reset(&b);
	for (i = 0; i < 10000; i++) {
		qe_buf_addch(&b, 'a' + (int)(i % 26));
		assert_true(b.len < b.alloc);
		assert_int_equal(b.buf[b.len], '\0');
	}
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.buf[9999], 'a' + 9999 % 26);
	s = qe_buf_detach(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.buf, qe_buf_empty);
	assert_int_equal(strlen(s), 10000);
	free(s);

	qe_buf_release(&b);
	qe_buf_release(&b); /* safe twice */
	assert_string_equal(b.buf, "");
}

static void test_buf_overflow_aborts(void **state)
{
	/* A size that would wrap around size_t is an allocation failure,
	 * never a short buffer. */
	int status = 0;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct qe_buf b = QE_BUF_INIT;
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 2); /* the out-of-memory message */
		qe_buf_addstr(&b, "x");
		qe_buf_grow(&b, SIZE_MAX);
		_exit(0); /* reached only if the size wrapped */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static int last_warning;
static void on_warning(const char *msg)
{
	last_warning = !strcmp(msg, "value 7 clamped");
}

static void test_msg(void **state)
{
	char big[3000];
	qe_clear_error();
	assert_string_equal(qe_last_error(), "");
	assert_int_equal(qe_error("cannot open '%s'", "x.log"), -1);
	assert_string_equal(qe_last_error(), "cannot open 'x.log'");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	qe_error("%s", big); /* cut, never overrun */
	assert_int_equal(strlen(qe_last_error()), 1023);
	qe_clear_error();
	assert_string_equal(qe_last_error(), "");

	qe_warning("dropped"); /* no handler: dropped */
	qe_set_warning_handler(on_warning);
	qe_warning("value %d clamped", 7);
	assert_true(last_warning);
	qe_set_warning_handler(NULL);
}

static void test_misc(void **state)
{
	static const char *const words[] = {"threshold", "open_ms", "close_after"};
	long v = 0;

	assert_int_equal(qe_parse_long("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(qe_parse_long("-7", &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(qe_parse_long("", &v), -1);
	assert_int_equal(qe_parse_long("4x", &v), -1);
	assert_int_equal(qe_parse_long("99999999999999999999999", &v), -1);
	assert_int_equal(qe_parse_long(NULL, &v), -1);

	assert_int_equal(qe_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(qe_edit_distance("", "abc"), 3);
	assert_int_equal(qe_edit_distance("same", "same"), 0);
	assert_string_equal(qe_did_you_mean("treshold", words, 3), "threshold");
	assert_string_equal(qe_did_you_mean("close", words, 3), "close_after");
	assert_null(qe_did_you_mean("colour", words, 3));

	/* FNV-1a with the offset basis util.h states (stored head hashes
	 * depend on it, so it must not change) */
	assert_true(qe_fnv1a("", 0) == 0x14650fb0739d0383ULL);
	assert_true(qe_fnv1a("a", 1) == 0x44bd8ad473cd9906ULL);
	assert_true(qe_fnv1a("foobar", 6) == 0x88fad7c0a8ff07f2ULL);
}

/* Read buffers start on a page boundary, whatever their size; they are
 * written whole, grown, and freed with free. */
static void test_xmalloc_align(void **state)
{
	static const size_t sizes[] = {24, 65536, 1 << 18, 1 << 20,
				       16 * 1024 * 1024 + 17};
	size_t i;
	char *small = qe_xmalloc_pages(0);
	free(small);
	for (i = 0; i < QE_ARRAY_SIZE(sizes); i++) {
		/* one small block first, so that a heap block is not on a
		 * boundary by chance */
		char *pad = qe_xmalloc(24);
		char *p = qe_xmalloc_pages(sizes[i]);
		assert_int_equal((uintptr_t)p % QE_XALLOC_ALIGN, 0);
		memset(p, 'x', sizes[i]);
		assert_int_equal(p[sizes[i] - 1], 'x');
		p = qe_xrealloc(p, sizes[i] * 2);
		assert_int_equal(p[sizes[i] - 1], 'x');
		free(p);
		free(pad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256_vectors),
	    cmocka_unit_test(test_sha256_padding),
	    cmocka_unit_test(test_sha256_hw_same),
	    cmocka_unit_test(test_sha256_portable),
	    cmocka_unit_test(test_utf8_sanitize),
	    cmocka_unit_test(test_buf),
	    cmocka_unit_test(test_buf_overflow_aborts),
	    cmocka_unit_test(test_msg),
	    cmocka_unit_test(test_misc),
	    cmocka_unit_test(test_xmalloc_align),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
