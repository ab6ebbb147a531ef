/* The tenth batch's C program: GLib's g_error and g_assert_cmpint, and
 * glibc's fortified strcpy finding its buffer too small. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_code(const char *code)
{
	char *end;
	long n = strtol(code, &end, 10);
	if (*end != '\0')
		g_error("cannot redeem voucher '%s': not a number", code);
	return (int) n;
}

static void check_length(const char *code)
{
	g_assert_cmpint(strlen(code), >, 4);
}

static void copy_code(char *dst, const char *code)
{
	strcpy(dst, code);
}

static void store(const char *code)
{
	char buf[4];
	char longer[64];
	snprintf(longer, sizeof longer, "voucher-%s", code);
	copy_code(buf, longer);
	printf("%s\n", buf);
}

int main(int argc, char **argv)
{
	(void) argc;
	g_set_prgname("vouchers");
	if (strcmp(argv[1], "g-error") == 0)
		check_code(argv[2]);
	else if (strcmp(argv[1], "g-assert") == 0)
		check_length(argv[2]);
	else if (strcmp(argv[1], "fortify") == 0)
		store(argv[2]);
	return 0;
}
