/*
 * Line splitting: qe_lines_feed() with random chunking and line caps,
 * checked against the invariants of lines.h and against the same input
 * fed in one piece.
 *
 * Input: byte 0 picks the line cap (small caps reach the cut-line paths),
 * then the data is fed in chunks whose sizes come from a simple generator
 * seeded by bytes 1-2, so the chunking varies without eating the data.
 */
#include "fuzz.h"

#include "lines.h"
#include "util.h"

#include <string.h>

struct rec {
	const char *input; /* the stream, for checking what lines point at */
	size_t input_len;
	size_t max_line;
	struct qe_buf out; /* every line as "start end flags len bytes" */
	uint64_t delivered;
	uint64_t last_end;
};

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

	FUZZ_ASSERT(len <= r->max_line);
	FUZZ_ASSERT(start >= r->last_end && start <= end && end <= r->input_len);
	FUZZ_ASSERT(!memchr(line, '\n', len));
	/* The line is the stream's bytes at its position. */
	FUZZ_ASSERT(start + len <= r->input_len && !memcmp(line, r->input + start, len));
	if (flags & QE_LINE_CUT) {
		FUZZ_ASSERT(len == r->max_line && end == start + len);
	} else if (flags & QE_LINE_PARTIAL) {
		FUZZ_ASSERT(end == start + len && end == r->input_len);
	} else {
		FUZZ_ASSERT(end == start + len + 1 && r->input[start + len] == '\n');
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
	FUZZ_ASSERT(whole.lines == chunked.lines &&
		    whole.truncated_lines == chunked.truncated_lines &&
		    whole.skipped_bytes == chunked.skipped_bytes);
	qe_lines_release(&whole);
	qe_lines_release(&chunked);
	qe_buf_release(&a.out);
	qe_buf_release(&b.out);
	return 0;
}
