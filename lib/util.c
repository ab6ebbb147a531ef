/* util: see util.h */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t qe_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t qe_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int qe_parse_long(const char *s, long *out)
{
	char *end;
	long v;
	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	*out = v;
	return 0;
}

int qe_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[101];
	if (la > 100 || lb > 100)
		return 100;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		int prev = row[0], cur;
		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			cur = row[j];
			row[j] = prev + cost;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
		}
	}
	return row[lb];
}

const char *qe_did_you_mean(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	int best_d = 100;
	size_t i;
	for (i = 0; i < n; i++) {
		int d = candidates[i] ? qe_edit_distance(word, candidates[i]) : 100;
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	/* close enough: a few edits, and less than half the word */
	if (best && best_d <= 3 && (size_t)best_d * 2 <= strlen(word) + 1)
		return best;
	/* a unique prefix is also a good guess */
	for (i = 0; i < n && strlen(word) >= 3; i++)
		if (candidates[i] && !strncmp(candidates[i], word, strlen(word)))
			return candidates[i];
	return NULL;
}

uint64_t qe_fnv1a_more(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;
	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

uint64_t qe_fnv1a(const void *data, size_t len)
{
	return qe_fnv1a_more(1469598103934665603ULL, data, len);
}
