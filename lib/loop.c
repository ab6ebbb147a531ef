/* loop: see loop.h */
#include "loop.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

enum kind { K_NONE, K_FD, K_TIMER, K_SIGNAL };

struct entry {
	enum kind kind;
	unsigned events;
	uint32_t gen; /* bumped on every registration of this fd */
	union {
		qe_loop_fd_fn fd;
		qe_loop_timer_fn timer;
		qe_loop_signal_fn signal;
	} fn;
	void *data;
};

struct qe_loop {
	int epfd;
	int sigfd;
	int stop;
	struct entry *entries; /* indexed by fd */
	size_t nr_entries;
};

#define MAX_EVENTS 64

struct qe_loop *qe_loop_new(void)
{
	struct qe_loop *loop;
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (epfd < 0) {
		qe_error("cannot create epoll instance: %s", strerror(errno));
		return NULL;
	}
	loop = qe_xcalloc(1, sizeof(*loop));
	loop->epfd = epfd;
	loop->sigfd = -1;
	return loop;
}

void qe_loop_free(struct qe_loop *loop)
{
	size_t i;

	if (!loop)
		return;
	/* Timers and the signalfd belong to the loop; plain fds do not. */
	for (i = 0; i < loop->nr_entries; i++)
		if (loop->entries[i].kind == K_TIMER || loop->entries[i].kind == K_SIGNAL)
			close((int)i);
	close(loop->epfd);
	free(loop->entries);
	free(loop);
}

static struct entry *entry_get(struct qe_loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nr_entries)
		return NULL;
	return loop->entries[fd].kind == K_NONE ? NULL : &loop->entries[fd];
}

static uint32_t to_epoll(unsigned events)
{
	return (events & QE_LOOP_READ ? EPOLLIN : 0) |
	       (events & QE_LOOP_WRITE ? EPOLLOUT : 0) |
	       (events & QE_LOOP_ONESHOT ? EPOLLONESHOT : 0);
}

static int reg(struct qe_loop *loop, int fd, enum kind kind, unsigned events, void *data)
{
	struct epoll_event ev;
	struct entry *e;

	if (fd < 0)
		return qe_error("cannot watch invalid fd %d", fd);
	if (entry_get(loop, fd))
		return qe_error("fd %d is already watched", fd);
	if ((size_t)fd >= loop->nr_entries) {
		size_t n = loop->nr_entries ? loop->nr_entries : 16;
		while (n <= (size_t)fd)
			n *= 2;
		loop->entries = qe_xrealloc(loop->entries, n * sizeof(*loop->entries));
		memset(loop->entries + loop->nr_entries, 0,
		       (n - loop->nr_entries) * sizeof(*loop->entries));
		loop->nr_entries = n;
	}
	e = &loop->entries[fd];
	memset(&ev, 0, sizeof(ev));
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)(unsigned)fd | ((uint64_t)(e->gen + 1) << 32);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		if (errno == EPERM)
			return qe_error("cannot watch fd %d: it does not support polling "
					"(a regular file?)",
					fd);
		return qe_error("cannot watch fd %d: %s", fd, strerror(errno));
	}
	e->gen++;
	e->kind = kind;
	e->events = events;
	e->data = data;
	return 0;
}

int qe_loop_fd_add(struct qe_loop *loop, int fd, unsigned events, qe_loop_fd_fn fn,
		   void *data)
{
	if (reg(loop, fd, K_FD, events, data) < 0)
		return -1;
	loop->entries[fd].fn.fd = fn;
	return 0;
}

int qe_loop_fd_modify(struct qe_loop *loop, int fd, unsigned events)
{
	struct entry *e = entry_get(loop, fd);
	struct epoll_event ev;

	if (!e || e->kind != K_FD)
		return qe_error("fd %d is not watched", fd);
	memset(&ev, 0, sizeof(ev));
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)(unsigned)fd | ((uint64_t)e->gen << 32);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return qe_error("cannot modify watch on fd %d: %s", fd, strerror(errno));
	e->events = events;
	return 0;
}

static void unreg(struct qe_loop *loop, int fd)
{
	/* The fd may already be closed by its owner (libcurl does that);
	 * epoll then dropped it itself, so an error here is not one. */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->entries[fd].kind = K_NONE;
	loop->entries[fd].data = NULL;
}

int qe_loop_fd_remove(struct qe_loop *loop, int fd)
{
	struct entry *e = entry_get(loop, fd);

	if (e && e->kind == K_FD)
		unreg(loop, fd);
	return 0;
}

static int timer_arm(int tfd, uint64_t delay_ms, uint64_t interval_ms)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	/* An all-zero it_value disarms a timerfd; "now" is one nanosecond. */
	if (delay_ms) {
		its.it_value.tv_sec = (time_t)(delay_ms / 1000);
		its.it_value.tv_nsec = (long)(delay_ms % 1000) * 1000000L;
	} else {
		its.it_value.tv_nsec = 1;
	}
	its.it_interval.tv_sec = (time_t)(interval_ms / 1000);
	its.it_interval.tv_nsec = (long)(interval_ms % 1000) * 1000000L;
	if (timerfd_settime(tfd, 0, &its, NULL) < 0)
		return qe_error("cannot arm timer: %s", strerror(errno));
	return 0;
}

int qe_loop_timer_add(struct qe_loop *loop, uint64_t delay_ms, uint64_t interval_ms,
		      qe_loop_timer_fn fn, void *data)
{
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	if (tfd < 0)
		return qe_error("cannot create timer: %s", strerror(errno));
	if (timer_arm(tfd, delay_ms, interval_ms) < 0 ||
	    reg(loop, tfd, K_TIMER, QE_LOOP_READ, data) < 0) {
		close(tfd);
		return -1;
	}
	loop->entries[tfd].fn.timer = fn;
	return tfd;
}

int qe_loop_timer_set(struct qe_loop *loop, int timer_id, uint64_t delay_ms,
		      uint64_t interval_ms)
{
	struct entry *e = entry_get(loop, timer_id);

	if (!e || e->kind != K_TIMER)
		return qe_error("no timer %d", timer_id);
	return timer_arm(timer_id, delay_ms, interval_ms);
}

int qe_loop_timer_stop(struct qe_loop *loop, int timer_id)
{
	struct entry *e = entry_get(loop, timer_id);
	struct itimerspec its;

	if (!e || e->kind != K_TIMER)
		return qe_error("no timer %d", timer_id);
	memset(&its, 0, sizeof(its));
	if (timerfd_settime(timer_id, 0, &its, NULL) < 0)
		return qe_error("cannot disarm timer: %s", strerror(errno));
	return 0;
}

int qe_loop_timer_remove(struct qe_loop *loop, int timer_id)
{
	struct entry *e = entry_get(loop, timer_id);

	if (!e || e->kind != K_TIMER)
		return qe_error("no timer %d", timer_id);
	unreg(loop, timer_id);
	close(timer_id);
	return 0;
}

int qe_loop_stop_pending(const struct qe_loop *loop)
{
	sigset_t set;
	if (loop->sigfd < 0 || sigpending(&set) < 0)
		return 0;
	return sigismember(&set, SIGINT) == 1 || sigismember(&set, SIGTERM) == 1;
}

int qe_loop_signals(struct qe_loop *loop, qe_loop_signal_fn fn, void *data)
{
	sigset_t set;
	int fd;

	if (loop->sigfd >= 0)
		return qe_error("signals are already handled by this loop");
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	/* Blocked signals stay pending for the signalfd instead of running
	 * a handler at an arbitrary point of the program. */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return qe_error("cannot block signals: %s", strerror(errno));
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return qe_error("cannot create signalfd: %s", strerror(errno));
	if (reg(loop, fd, K_SIGNAL, QE_LOOP_READ, data) < 0) {
		close(fd);
		return -1;
	}
	loop->entries[fd].fn.signal = fn;
	loop->sigfd = fd;
	return 0;
}

static int dispatch(struct qe_loop *loop, int fd, uint32_t gen, uint32_t revents)
{
	struct entry *e = entry_get(loop, fd);
	unsigned ev = 0;

	/* Removed, or removed and re-added, earlier in this round. */
	if (!e || e->gen != gen)
		return 0;
	switch (e->kind) {
	case K_FD:
		if (revents & EPOLLIN)
			ev |= QE_LOOP_READ;
		if (revents & EPOLLOUT)
			ev |= QE_LOOP_WRITE;
		if (revents & (EPOLLERR | EPOLLHUP))
			ev |= QE_LOOP_ERROR;
		e->fn.fd(loop, fd, ev, e->data);
		return 1;
	case K_TIMER: {
		uint64_t expirations;
		/* Reading resets the level; EAGAIN means it was re-armed
		 * after it fired, so this expiry is stale. */
		if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations))
			return 0;
		e->fn.timer(loop, fd, e->data);
		return 1;
	}
	case K_SIGNAL: {
		struct signalfd_siginfo si;
		int n = 0;
		while (read(fd, &si, sizeof(si)) == sizeof(si)) {
			e = entry_get(loop, fd);
			if (!e || e->kind != K_SIGNAL)
				break;
			e->fn.signal(loop, (int)si.ssi_signo, e->data);
			n++;
		}
		return n;
	}
	case K_NONE:
		break;
	}
	return 0;
}

int qe_loop_run_once(struct qe_loop *loop, int timeout_ms)
{
	struct epoll_event events[MAX_EVENTS];
	int i, n, ran = 0;

	n = epoll_wait(loop->epfd, events, MAX_EVENTS, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return qe_error("epoll_wait failed: %s", strerror(errno));
	}
	for (i = 0; i < n; i++) {
		int fd = (int)(events[i].data.u64 & 0xffffffffu);
		uint32_t gen = (uint32_t)(events[i].data.u64 >> 32);
		ran += dispatch(loop, fd, gen, events[i].events);
	}
	return ran;
}

int qe_loop_run(struct qe_loop *loop)
{
	loop->stop = 0;
	while (!loop->stop)
		if (qe_loop_run_once(loop, -1) < 0)
			return -1;
	return 0;
}

void qe_loop_stop(struct qe_loop *loop)
{
	loop->stop = 1;
}

int qe_loop_stopped(const struct qe_loop *loop)
{
	return loop->stop;
}
