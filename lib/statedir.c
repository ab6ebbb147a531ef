/*
 * statedir: the state directory's default, its creation and the agent
 * lock (see statedir.h).
 */
#include "statedir.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define LOCK_NAME "qerrors.lock"
/* Longest state directory accepted; leaves room for the file names. */
#define DIR_MAX (PATH_MAX - 32)

char *qe_statedir_default(void)
{
	const char *xdg, *home;

	if (geteuid() == 0)
		return qe_xstrdup("/var/lib/qerrors");
	/* The XDG spec says relative paths are invalid and to be ignored. */
	xdg = getenv("XDG_STATE_HOME");
	if (xdg && xdg[0] == '/')
		return qe_xasprintf("%s/qerrors", xdg);
	home = getenv("HOME");
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
	}
	if (!home) {
		qe_error("cannot find a home directory for the state database "
			 "(set QERRORS_STATE_DIR or use --state-dir)");
		return NULL;
	}
	return qe_xasprintf("%s/.local/state/qerrors", home);
}

/* mkdir -p: missing parents get the usual 0777 & ~umask, the state
 * directory itself 0700.  *created says whether the last one was made. */
static int make_dir(const char *dir, int *created)
{
	char *p = qe_xstrdup(dir);
	char *q;
	struct stat st;
	int ret = -1;

	*created = 0;
	for (q = p + 1; *q; q++) {
		if (*q != '/' || q[-1] == '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST &&
		    (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))) {
			qe_error("cannot create directory '%s': %s", p, strerror(errno));
			goto out;
		}
		*q = '/';
	}
	if (mkdir(dir, 0700) == 0) {
		*created = 1;
		/* The umask may have taken bits away; make it exactly 0700. */
		if (chmod(dir, 0700) < 0) {
			qe_error("cannot set permissions of '%s': %s", dir,
				 strerror(errno));
			goto out;
		}
	} else if (errno != EEXIST) {
		qe_error(
		    "cannot create state directory '%s': %s%s", dir, strerror(errno),
		    errno == EACCES || errno == EROFS
			? " (choose a writable one with --state-dir or QERRORS_STATE_DIR)"
			: "");
		goto out;
	}
	ret = 0;
out:
	free(p);
	return ret;
}

/* Make sure the state directory exists and is a directory.  An existing
 * directory is not changed behind the user's back: a loose mode only
 * gets a warning. */
int qe_statedir_prepare(const char *dir, int create, int warn)
{
	struct stat st;
	int created = 0;

	if (!*dir)
		return qe_error("state directory is empty");
	if (strlen(dir) > DIR_MAX)
		return qe_error("state directory '%.64s...' is too long", dir);
	if (create && make_dir(dir, &created) < 0)
		return -1;
	if (stat(dir, &st) < 0)
		return qe_error("cannot access state directory '%s': %s", dir,
				strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return qe_error("state directory '%s' is not a directory", dir);
	if (warn && !created && (st.st_mode & 077))
		qe_warning(
		    "state directory '%s' is accessible by other users (mode %04o); "
		    "run 'chmod 700 %s'",
		    dir, (unsigned)(st.st_mode & 07777), dir);
	return 0;
}

/* The holder's pid from the lock file, or 0 when it cannot be read
 * (the holder may be between truncating and writing it). */
static long read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end;
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno || end == buf || pid <= 0)
		return 0;
	return pid;
}

int qe_statedir_lock(const char *state_dir)
{
	char *dir = state_dir ? qe_xstrdup(state_dir) : qe_statedir_default();
	char *path = NULL;
	char buf[32];
	int fd = -1, ret = QE_STATEDIR_ERROR, len;
	long pid;

	if (!dir)
		return QE_STATEDIR_ERROR;
	if (qe_statedir_prepare(dir, 1, 0) < 0)
		goto out;
	path = qe_xasprintf("%s/%s", dir, LOCK_NAME);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		qe_error(
		    "cannot open lock file '%s': %s%s", path, strerror(errno),
		    errno == EACCES || errno == EROFS
			? " (choose a writable one with --state-dir or QERRORS_STATE_DIR)"
			: "");
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			qe_error("cannot lock '%s': %s", path, strerror(errno));
			goto out;
		}
		pid = read_pid(fd);
		if (pid)
			qe_error("state directory '%s' is in use by process %ld", dir,
				 pid);
		else
			qe_error("state directory '%s' is in use by another process",
				 dir);
		ret = QE_STATEDIR_BUSY;
		goto out;
	}
	/* The pid is only for the message above; the lock works without it. */
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len)
		qe_warning("cannot write pid to lock file '%s': %s", path,
			   strerror(errno));
	ret = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(dir);
	return ret;
}

long qe_statedir_lock_pid(const char *state_dir)
{
	char *dir = state_dir ? qe_xstrdup(state_dir) : qe_statedir_default();
	char *path;
	long pid = 0;
	int fd;

	if (!dir)
		return 0;
	path = qe_xasprintf("%s/%s", dir, LOCK_NAME);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		pid = read_pid(fd);
		close(fd);
	}
	free(path);
	free(dir);
	return pid;
}
