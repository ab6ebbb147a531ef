/*
 * Line splitting: qe_lines_feed() with random chunking and line caps,
 * checked against the invariants of lines.h and against the same input
 * fed in one piece.
 *
 * NUL bytes and UTF-16 text follow the rules of lines.h (a model of the
 * NUL rule is checked against every line).
 *
 * Input: byte 0 picks the line cap (small caps reach the cut-line paths),
 * then the data is fed in chunks whose sizes come from a simple generator
 * seeded by bytes 1-2, so the chunking varies without eating the data.
 */
#include "fuzz.h"

#include "lines.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct rec {
	const char *input; /* the stream, for checking what lines point at */
	size_t input_len;
	size_t max_line;
	struct qe_buf out; /* every line as "start end flags len bytes" */
	uint64_t delivered;
	uint64_t last_end;
};

/* A plain model of the NUL rule of lines.h. */
static char *clean(const char *p, size_t n)
{
	struct qe_buf b = QE_BUF_INIT;
	size_t i = 0;
	while (n && !p[n - 1])
		n--;
	while (i < n && !p[i])
		i++;
	for (; i < n; i++) {
		if (p[i])
			qe_buf_addch(&b, p[i]);
		else if (p[i - 1])
			qe_buf_addstr(&b, "\xef\xbf\xbd");
	}
	return qe_buf_detach(&b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void on_line(const char *line, size_t len, uint64_t start, uint64_t end,
		    unsigned flags, void *data)
{
	struct rec *r = data;

	size_t raw; /* the line's bytes in the stream, without its '\n' */

	FUZZ_ASSERT(start >= r->last_end && start <= end && end <= r->input_len);
	FUZZ_ASSERT(!memchr(line, '\n', len));
	FUZZ_ASSERT(!memchr(line, '\0', len)); /* never a NUL (lines.h) */
	if (flags & QE_LINE_CUT) {
		raw = r->max_line;
		FUZZ_ASSERT(end == start + raw);
	} else if (flags & QE_LINE_PARTIAL) {
		raw = end - start;
		FUZZ_ASSERT(end == r->input_len);
	} else {
		FUZZ_ASSERT(end > start && r->input[end - 1] == '\n');
		raw = end - start - 1;
	}
	FUZZ_ASSERT(raw <= r->max_line && start + raw <= r->input_len);
	if (flags & QE_LINE_UTF16) {
		FUZZ_ASSERT(len == 0);
	} else {
		/* The line is the stream's bytes at its position, NUL runs at
		 * the ends dropped and inner ones made one U+FFFD. */
		char *want = clean(r->input + start, raw);
		FUZZ_ASSERT(strlen(want) == len && !memcmp(line, want, len));
		FUZZ_ASSERT(len <= 2 * r->max_line);
		free(want);
	}
	r->delivered += end - start;
	r->last_end = end;
	qe_buf_addf(&r->out, "%llu %llu %u %zu ", (unsigned long long)start,
		    (unsigned long long)end, flags, len);
	qe_buf_add(&r->out, line, len);
	qe_buf_addch(&r->out, '\n');
}

static void check_accounting(const struct qe_lines *l, const struct rec *r)
{
	FUZZ_ASSERT(l->bytes == r->input_len);
	FUZZ_ASSERT(l->bytes == r->delivered + l->skipped_bytes + qe_lines_pending(l));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = {1, 2, 3, 7, 16, 64, 0};
	struct qe_lines whole, chunked;
	struct rec a, b;
	const char *s;
	size_t len, off, cap;
	uint32_t seed;

	if (size < 3)
		return 0;
	cap = caps[data[0] % QE_ARRAY_SIZE(caps)];
	seed = (uint32_t)data[1] << 8 | data[2] | 1;
	s = (const char *)data + 3;
	len = size - 3;

	memset(&a, 0, sizeof(a));
	a.input = s;
	a.input_len = len;
	qe_buf_init(&a.out);
	b = a;
	qe_lines_init(&whole, cap, 0);
	qe_lines_init(&chunked, cap, 0);
	a.max_line = b.max_line = whole.max_line;

	qe_lines_feed(&whole, s, len, on_line, &a);
	check_accounting(&whole, &a);
	for (off = 0; off < len;) {
		size_t n;
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		n = seed % 9; /* zero-length feeds are allowed too */
		if (n > len - off)
			n = len - off;
		qe_lines_feed(&chunked, s + off, n, on_line, &b);
		off += n;
		FUZZ_ASSERT(chunked.bytes == off);
	}
	check_accounting(&chunked, &b);
	qe_lines_flush(&whole, on_line, &a);
	qe_lines_flush(&chunked, on_line, &b);
	FUZZ_ASSERT(qe_lines_pending(&whole) == 0 && qe_lines_pending(&chunked) == 0);
	FUZZ_ASSERT(a.delivered + whole.skipped_bytes == len);
	/* Chunking changes nothing that is delivered. */
	FUZZ_ASSERT(a.out.len == b.out.len && !memcmp(a.out.buf, b.out.buf, a.out.len));
	FUZZ_ASSERT(whole.nul_bytes == chunked.nul_bytes &&
		    whole.utf16_bytes == chunked.utf16_bytes &&
		    whole.utf16 == chunked.utf16);
	FUZZ_ASSERT(whole.lines == chunked.lines &&
		    whole.truncated_lines == chunked.truncated_lines &&
		    whole.skipped_bytes == chunked.skipped_bytes);
	qe_lines_release(&whole);
	qe_lines_release(&chunked);
	qe_buf_release(&a.out);
	qe_buf_release(&b.out);
	return 0;
}
