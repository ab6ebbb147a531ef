#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "statedir.h"
#include "util.h"

static char *base;

static int setup(void **state)
{
	char tmpl[] = "/tmp/qe-statedir-XXXXXX";
	(void)state;
	assert_non_null(mkdtemp(tmpl));
	base = qe_xstrdup(tmpl);
	qe_clear_error();
	return 0;
}

static int teardown(void **state)
{
	char *cmd = qe_xasprintf("rm -rf '%s'", base);
	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(base);
	return 0;
}

/* Root gets /var/lib/qerrors; anyone else the XDG place, then HOME. */
static void test_default(void **state)
{
	char *d;
	(void)state;
	setenv("XDG_STATE_HOME", "/x/state", 1);
	d = qe_statedir_default();
	if (geteuid() == 0)
		assert_string_equal(d, "/var/lib/qerrors");
	else
		assert_string_equal(d, "/x/state/qerrors");
	free(d);
	unsetenv("XDG_STATE_HOME");
}

static void test_prepare(void **state)
{
	char *dir = qe_xasprintf("%s/a/b/state", base);
	char *file = qe_xasprintf("%s/plain", base);
	char *under = qe_xasprintf("%s/plain/state", base);
	struct stat st;
	FILE *f;
	(void)state;

	assert_int_equal(qe_statedir_prepare(dir, 1, 1), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* without create, a missing directory is an error, not made */
	free(dir);
	dir = qe_xasprintf("%s/missing", base);
	assert_int_equal(qe_statedir_prepare(dir, 0, 0), -1);
	assert_non_null(strstr(qe_last_error(), "cannot access state directory"));
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(qe_statedir_prepare(file, 1, 0), -1);
	assert_non_null(strstr(qe_last_error(), "is not a directory"));
	assert_int_equal(qe_statedir_prepare(under, 1, 0), -1);
	free(dir);
	free(file);
	free(under);
}

/* "Locked" only when another holder has it; a directory that cannot be
 * made is an error of its own, so that the command can say which. */
static void test_lock(void **state)
{
	char *dir = qe_xasprintf("%s/state", base);
	char *file = qe_xasprintf("%s/plain", base);
	char *under = qe_xasprintf("%s/plain/state", base);
	char *want;
	int fd, fd2, status;
	pid_t pid;
	FILE *f;
	(void)state;

	fd = qe_statedir_lock(dir);
	assert_true(fd >= 0);
	assert_int_equal(qe_statedir_lock_pid(dir), (long)getpid());
	want = qe_xasprintf("state directory '%s' is in use by process %ld", dir,
			    (long)getpid());
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r = qe_statedir_lock(dir);
		_exit(r == QE_STATEDIR_BUSY && !strcmp(qe_last_error(), want) ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(qe_statedir_lock(dir), QE_STATEDIR_BUSY);
	close(fd);
	fd2 = qe_statedir_lock(dir);
	assert_true(fd2 >= 0);
	close(fd2);

	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(qe_statedir_lock(under), QE_STATEDIR_ERROR);
	assert_non_null(strstr(qe_last_error(), "cannot create state directory"));
	assert_int_equal(qe_statedir_lock_pid(under), 0);

	/* a directory we may not write (as root only a read-only mount stops
	 * us, so this part needs an ordinary user) */
	if (geteuid() != 0) {
		char *ro = qe_xasprintf("%s/ro", base);
		assert_int_equal(mkdir(ro, 0500), 0);
		assert_int_equal(qe_statedir_lock(ro), QE_STATEDIR_ERROR);
		assert_non_null(strstr(qe_last_error(), "--state-dir"));
		chmod(ro, 0700);
		free(ro);
	}
	free(want);
	free(dir);
	free(file);
	free(under);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_default, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prepare, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
