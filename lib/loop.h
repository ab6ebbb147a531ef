/*
 * loop: the single-threaded event loop of `qerrors tail`.
 *
 * One epoll instance waits on everything the agent reacts to: the inotify
 * descriptor, a signalfd for SIGINT/SIGTERM/SIGHUP/SIGUSR1, one timerfd per
 * timer, and any other descriptor a module registers (stdin, libcurl's
 * sockets).  Nothing polls: when idle the process sleeps in epoll_wait().
 *
 * Invariants:
 * - At most one registration per fd.  Callbacks may add or remove any
 *   registration, including their own, while the loop dispatches: a
 *   registration removed during a dispatch round gets no further callback
 *   in that round (a generation number in the epoll data tells a stale
 *   event from one for a new registration that reused the fd number).
 * - Timers are identified by an int id (their timerfd) that stays valid
 *   until qe_loop_timer_remove(); a one-shot timer that has fired stays
 *   registered, disarmed, so it can be re-armed with qe_loop_timer_set().
 * - Signals handled by the loop are blocked with sigprocmask() by
 *   qe_loop_signals() and stay blocked after qe_loop_free(), so that a
 *   signal arriving during shutdown does not kill the process mid-write.
 */
#ifndef QE_LOOP_H
#define QE_LOOP_H

#include <stdint.h>

struct qe_loop;

#define QE_LOOP_READ 0x1
#define QE_LOOP_WRITE 0x2
#define QE_LOOP_ERROR 0x4 /* EPOLLERR or EPOLLHUP: the fd needs attention */
/* With READ or WRITE: after one callback the fd is paused, and nothing it
 * does wakes the loop, until qe_loop_fd_modify() arms it again.  (A
 * registration modified to 0 still wakes epoll_wait() on every change of
 * the fd, only to report nothing: the kernel keeps EPOLLERR and EPOLLHUP
 * in its mask, and inotify wakes its waiters with no event mask.) */
#define QE_LOOP_ONESHOT 0x8

typedef void (*qe_loop_fd_fn)(struct qe_loop *loop, int fd, unsigned events, void *data);
typedef void (*qe_loop_timer_fn)(struct qe_loop *loop, int timer_id, void *data);
typedef void (*qe_loop_signal_fn)(struct qe_loop *loop, int signo, void *data);

/* NULL with qe_error() set on failure. */
struct qe_loop *qe_loop_new(void);
void qe_loop_free(struct qe_loop *loop); /* NULL-safe; closes timers and signalfd */

/* Watch fd for QE_LOOP_READ and/or QE_LOOP_WRITE (0 = errors only).  The
 * loop does not own fd: remove it before closing it.  A regular file cannot
 * be watched (epoll refuses it); the error says so. */
int qe_loop_fd_add(struct qe_loop *loop, int fd, unsigned events, qe_loop_fd_fn fn,
		   void *data);
int qe_loop_fd_modify(struct qe_loop *loop, int fd, unsigned events);
int qe_loop_fd_remove(struct qe_loop *loop, int fd); /* 0 also when not registered */

/* A timer firing first after delay_ms, then every interval_ms (0 = once).
 * delay_ms 0 means "as soon as possible".  Returns the timer id, or -1. */
int qe_loop_timer_add(struct qe_loop *loop, uint64_t delay_ms, uint64_t interval_ms,
		      qe_loop_timer_fn fn, void *data);
/* Re-arm a timer (same meaning of delay_ms and interval_ms). */
int qe_loop_timer_set(struct qe_loop *loop, int timer_id, uint64_t delay_ms,
		      uint64_t interval_ms);
/* Disarm a timer without removing it. */
int qe_loop_timer_stop(struct qe_loop *loop, int timer_id);
int qe_loop_timer_remove(struct qe_loop *loop, int timer_id);

/* Block SIGINT, SIGTERM, SIGHUP and SIGUSR1 and deliver them to fn. */
int qe_loop_signals(struct qe_loop *loop, qe_loop_signal_fn fn, void *data);
/* 1 when this loop handles signals and SIGINT or SIGTERM is pending (not
 * yet delivered): for work that runs outside the loop for long, such as a
 * catch-up read, to stop early.  Nothing is consumed; the loop still
 * delivers the signal on its next turn. */
int qe_loop_stop_pending(const struct qe_loop *loop);

/* Wait up to timeout_ms (-1 = forever) and dispatch one round of events.
 * Returns the number of callbacks run, or -1. */
int qe_loop_run_once(struct qe_loop *loop, int timeout_ms);
/* Dispatch until qe_loop_stop(); 0, or -1 on an epoll failure. */
int qe_loop_run(struct qe_loop *loop);
void qe_loop_stop(struct qe_loop *loop);
int qe_loop_stopped(const struct qe_loop *loop);

#endif
