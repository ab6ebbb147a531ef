/* The eighth batch's C program, built with AddressSanitizer and
 * UndefinedBehaviorSanitizer: their reports, and assert().
 * "batch8 SCENARIO VALUE" */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_qty(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	assert(*end == '\0');
	return (int)n;
}

static void copy_qty(const char *s)
{
	char *buf = malloc(2);
	memcpy(buf, s, strlen(s) + 1);
	printf("%s\n", buf);
	free(buf);
}

static int freed_qty(const char *s)
{
	int *q = malloc(sizeof(*q) * 4);
	q[0] = (int)strlen(s);
	free(q);
	return q[0];
}

static int grow(int n)
{
	return n + INT_MAX;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (!strcmp(argv[1], "assert"))
		return parse_qty(argv[2]);
	if (!strcmp(argv[1], "overflow"))
		copy_qty(argv[2]);
	if (!strcmp(argv[1], "use-after-free"))
		return freed_qty(argv[2]);
	if (!strcmp(argv[1], "ubsan"))
		return grow((int)strlen(argv[2]));
	return 0;
}
