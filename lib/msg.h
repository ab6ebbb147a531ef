/*
 * msg: the last error message and the warning handler.
 *
 * lib/ never prints and never exits: a failing function records a message
 * with qe_error() and returns -1 (or NULL).  cmd/ reads it back with
 * qe_last_error() and decides what to print and how to exit.  Warnings
 * (clamped values, skipped input) go to a handler the command installs;
 * without one they are dropped.  The last error is per thread; a message
 * longer than 1023 bytes is cut.
 */
#ifndef QE_MSG_H
#define QE_MSG_H

/* Record a message (git style: lowercase, no full stop); returns -1. */
int qe_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last recorded message; "" when none.  Borrowed. */
const char *qe_last_error(void);
void qe_clear_error(void);

/* A one-line warning; passed to the installed handler. */
void qe_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void qe_set_warning_handler(void (*fn)(const char *msg));

#endif
