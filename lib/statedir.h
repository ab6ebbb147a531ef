/*
 * statedir: where the state lives, and the lock that keeps one agent per
 * state directory.
 *
 * The directory is the caller's choice (--state-dir, QERRORS_STATE_DIR,
 * state_dir in the configuration), else qe_statedir_default().  It is
 * created 0700 with its missing parents; an existing one is never changed,
 * only warned about when others may read it.  The agent lock is an flock
 * on "qerrors.lock" inside it, holding the pid of the last holder for
 * messages; it is released when the process ends, however it ends.
 */
#ifndef QE_STATEDIR_H
#define QE_STATEDIR_H

/* /var/lib/qerrors for root, else $XDG_STATE_HOME/qerrors (absolute
 * only) or $HOME/.local/state/qerrors (the passwd entry when HOME is
 * unset).  Caller frees; NULL with qe_error() set when no home is known. */
char *qe_statedir_default(void);

/* Make sure `dir` exists (creating it when `create`) and is a directory;
 * with `warn`, say when its mode lets others in.  0, or -1 with qe_error(). */
int qe_statedir_prepare(const char *dir, int create, int warn);

/* What qe_statedir_lock() failed on. */
enum qe_statedir_fail {
	QE_STATEDIR_ERROR = -1, /* cannot create, open or write: a runtime failure */
	QE_STATEDIR_BUSY = -2,	/* another process holds the lock */
};

/* Take the agent lock of `dir` (NULL = default), creating the directory.
 * Returns an fd >= 0 to keep open, or QE_STATEDIR_ERROR / QE_STATEDIR_BUSY
 * with a message; the busy one names the holder's pid when known. */
int qe_statedir_lock(const char *dir);

/* The pid in the lock file of `dir` (NULL = default), without taking the
 * lock; 0 when there is none.  The file keeps the pid of the last holder,
 * so callers check that the process is alive. */
long qe_statedir_lock_pid(const char *dir);

#endif
