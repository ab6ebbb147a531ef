/*
 * For the unit tests: a whole file in memory, NUL-terminated; *len (when
 * not NULL) gets its size.  NULL when the file cannot be opened.
 */
#ifndef QE_TEST_SLURP_H
#define QE_TEST_SLURP_H

#include "buf.h"

#include <stdio.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct qe_buf b = QE_BUF_INIT;
	char chunk[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		qe_buf_add(&b, chunk, n);
	fclose(f);
	if (len)
		*len = b.len;
	return qe_buf_detach(&b);
}

#endif
