/* The eleventh batch's C: a buffer overrun that the stack protector
 * catches when the function returns, and a custom message before
 * abort(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_code(const char *v)
{
	char code[8];
	size_t n = strlen(v) * 6;
	memset(code, 'x', n);
	printf("%.2s\n", code);
}

static void check_code(const char *v)
{
	if (strspn(v, "0123456789") != strlen(v)) {
		fprintf(stderr, "vouchers: invariant broken: code '%s' is not numeric\n", v);
		abort();
	}
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (strcmp(argv[1], "stack-protector") == 0)
		copy_code(argv[2]);
	else if (strcmp(argv[1], "abort") == 0)
		check_code(argv[2]);
	return 0;
}
