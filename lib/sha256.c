/* sha256: see sha256.h */
#include "sha256.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHA_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* SHA-256 (FIPS 180-4), small and dependency-free. */
static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;
	int i;
	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[i * 4] << 24 | (uint32_t)p[i * 4 + 1] << 16 |
		       (uint32_t)p[i * 4 + 2] << 8 | p[i * 4 + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (i = 0; i < 64; i++) {
		uint32_t s1 = ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = hh + s1 + ch + sha_k[i] + w[i];
		uint32_t s0 = ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22);
		uint32_t mj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = s0 + mj;
		hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g,
	    h[7] += hh;
}

static void sha_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
	while (n--) {
		sha_block(h, p);
		p += 64;
	}
}

#ifdef SHA_X86
/*
 * The SHA extensions of x86 (Goldmont, Ice Lake, Zen and later) do two
 * rounds an instruction: about five times fewer cycles a block.  They
 * keep the state as two halves, A B E F and C D G H, highest lane first.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void
sha_blocks_x86(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i be = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0xB1);
	__m128i cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(h + 4)), 0x1B);
	__m128i abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xF0);
	while (n--) {
		__m128i abef0 = abef, cdgh0 = cdgh, m[4], x;
		int i;
		for (i = 0; i < 16; i++) {
			if (i < 4) {
				x = _mm_loadu_si128((const __m128i *)(p + 16 * i));
				m[i] = _mm_shuffle_epi8(x, be);
			} else {
				/* W[t-16] + s0(W[t-15]) + W[t-7], then s1 */
				x = _mm_sha256msg1_epu32(m[i & 3], m[(i + 1) & 3]);
				x = _mm_add_epi32(x, _mm_alignr_epi8(m[(i + 3) & 3],
								     m[(i + 2) & 3], 4));
				m[i & 3] = _mm_sha256msg2_epu32(x, m[(i + 3) & 3]);
			}
			x = _mm_add_epi32(
			    m[i & 3], _mm_loadu_si128((const __m128i *)(sha_k + 4 * i)));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, x);
			x = _mm_shuffle_epi32(x, 0x0E);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, x);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
		p += 64;
	}
	t = _mm_shuffle_epi32(abef, 0x1B);
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);
	_mm_storeu_si128((__m128i *)h, _mm_blend_epi16(t, cdgh, 0xF0));
	_mm_storeu_si128((__m128i *)(h + 4), _mm_alignr_epi8(cdgh, t, 8));
}

static int x86_has_sha(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b & bit_SHA) != 0;
}
#endif

typedef void blocks_fn(uint32_t h[8], const unsigned char *p, size_t n);
static blocks_fn *blocks = sha_blocks;
static int have_hw;

/* Before main(), so that no thread sees the choice being made. */
__attribute__((constructor)) static void sha_choose(void)
{
#ifdef SHA_X86
	have_hw = x86_has_sha();
	if (have_hw)
		blocks = sha_blocks_x86;
#endif
}

int qe_sha256_use_hw(int on)
{
	int was = blocks != sha_blocks;
#ifdef SHA_X86
	blocks = on && have_hw ? sha_blocks_x86 : sha_blocks;
#else
	(void)on;
#endif
	return was;
}

void qe_sha256(const void *data, size_t len, unsigned char out[32])
{
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const unsigned char *p = data;
	unsigned char tail[128];
	size_t full = len / 64 * 64, rest = len - full, tl;
	uint64_t bits = (uint64_t)len * 8;
	size_t i;
	if (full)
		blocks(h, p, full / 64);
	memset(tail, 0, sizeof(tail));
	if (rest)
		memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	tl = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
	blocks(h, tail, tl / 64);
	for (i = 0; i < 8; i++) {
		out[i * 4] = (unsigned char)(h[i] >> 24);
		out[i * 4 + 1] = (unsigned char)(h[i] >> 16);
		out[i * 4 + 2] = (unsigned char)(h[i] >> 8);
		out[i * 4 + 3] = (unsigned char)h[i];
	}
}
