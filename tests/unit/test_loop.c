#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

/* Run the loop until *flag reaches want or 5 s pass. */
static int run_until(struct qe_loop *loop, const int *flag, int want)
{
	uint64_t deadline = qe_now_ms() + 5000;
	while (*flag < want && qe_now_ms() < deadline)
		if (qe_loop_run_once(loop, 50) < 0)
			return -1;
	return *flag >= want ? 0 : -1;
}

static int fired_once, fired_periodic, periodic_id;

static void on_once(struct qe_loop *loop, int id, void *data)
{
	(void)loop;
	(void)id;
	(void)data;
	fired_once++;
}

static void on_periodic(struct qe_loop *loop, int id, void *data)
{
	(void)data;
	if (++fired_periodic == 3)
		qe_loop_timer_remove(loop, id);
}

static void test_timers(void **state)
{
	struct qe_loop *loop = qe_loop_new();
	uint64_t t0;
	int once;
	(void)state;
	assert_non_null(loop);
	fired_once = fired_periodic = 0;
	t0 = qe_now_ms();
	once = qe_loop_timer_add(loop, 30, 0, on_once, NULL);
	assert_true(once >= 0);
	periodic_id = qe_loop_timer_add(loop, 5, 5, on_periodic, NULL);
	assert_true(periodic_id >= 0);
	assert_int_equal(run_until(loop, &fired_once, 1), 0);
	assert_true(qe_now_ms() - t0 >= 29);
	assert_int_equal(run_until(loop, &fired_periodic, 3), 0);
	/* The periodic timer removed itself at 3; nothing fires any more. */
	assert_int_equal(qe_loop_run_once(loop, 40), 0);
	assert_int_equal(fired_periodic, 3);
	assert_int_equal(fired_once, 1);
	/* A fired one-shot timer can be re-armed, and disarmed. */
	assert_int_equal(qe_loop_timer_set(loop, once, 0, 0), 0);
	assert_int_equal(run_until(loop, &fired_once, 2), 0);
	assert_int_equal(qe_loop_timer_set(loop, once, 20, 0), 0);
	assert_int_equal(qe_loop_timer_stop(loop, once), 0);
	assert_int_equal(qe_loop_run_once(loop, 60), 0);
	assert_int_equal(fired_once, 2);
	assert_int_equal(qe_loop_timer_remove(loop, once), 0);
	assert_int_equal(qe_loop_timer_remove(loop, once), -1);
	qe_loop_free(loop);
}

static int got_sig[2], nr_sig;

static void on_signal(struct qe_loop *loop, int signo, void *data)
{
	(void)data;
	if (nr_sig < 2)
		got_sig[nr_sig] = signo;
	nr_sig++;
	if (signo == SIGTERM)
		qe_loop_stop(loop);
}

static void test_signals(void **state)
{
	struct qe_loop *loop = qe_loop_new();
	(void)state;
	assert_int_equal(qe_loop_signals(loop, on_signal, NULL), 0);
	assert_int_equal(qe_loop_signals(loop, on_signal, NULL), -1);
	/* Blocked: raise() leaves it pending for the signalfd. */
	raise(SIGUSR1);
	assert_int_equal(run_until(loop, &nr_sig, 1), 0);
	assert_int_equal(got_sig[0], SIGUSR1);
	raise(SIGTERM);
	/* qe_loop_run returns once the handler stops the loop. */
	assert_int_equal(qe_loop_run(loop), 0);
	assert_int_equal(got_sig[1], SIGTERM);
	assert_true(qe_loop_stopped(loop));
	qe_loop_free(loop);
}

struct pipes {
	int a[2], b[2];
	int calls_a, calls_b, writes;
	struct qe_loop *loop;
};

static void on_a(struct qe_loop *loop, int fd, unsigned events, void *data)
{
	struct pipes *p = data;
	char c;
	assert_true(events & QE_LOOP_READ);
	assert_int_equal(read(fd, &c, 1), 1);
	p->calls_a++;
	/* Removing another fd that is ready in the same round: it must not
	 * be called. */
	qe_loop_fd_remove(loop, p->b[0]);
}

static void on_b(struct qe_loop *loop, int fd, unsigned events, void *data)
{
	struct pipes *p = data;
	char c;
	(void)loop;
	(void)events;
	if (read(fd, &c, 1) == 1)
		p->calls_b++;
}

static void on_w(struct qe_loop *loop, int fd, unsigned events, void *data)
{
	struct pipes *p = data;
	assert_true(events & QE_LOOP_WRITE);
	p->writes++;
	qe_loop_fd_remove(loop, fd);
}

static void test_fds(void **state)
{
	struct pipes p;
	(void)state;
	memset(&p, 0, sizeof(p));
	p.loop = qe_loop_new();
	assert_int_equal(pipe2(p.a, O_CLOEXEC), 0);
	assert_int_equal(pipe2(p.b, O_CLOEXEC), 0);
	assert_int_equal(qe_loop_fd_add(p.loop, p.a[0], QE_LOOP_READ, on_a, &p), 0);
	assert_int_equal(qe_loop_fd_add(p.loop, p.a[0], QE_LOOP_READ, on_a, &p), -1);
	/* epoll does not order a round's events: b is handled before a
	 * removes it, or never, but not after. */
	assert_int_equal(qe_loop_fd_add(p.loop, p.b[0], QE_LOOP_READ, on_b, &p), 0);
	assert_int_equal(write(p.a[1], "x", 1), 1);
	assert_int_equal(write(p.b[1], "y", 1), 1);
	assert_int_equal(run_until(p.loop, &p.calls_a, 1), 0);
	/* b was either handled before a removed it, or never. */
	assert_true(p.calls_b <= 1);
	assert_int_equal(qe_loop_run_once(p.loop, 20), 0);
	/* modify: watch the write end for writability. */
	assert_int_equal(qe_loop_fd_add(p.loop, p.a[1], 0, on_w, &p), 0);
	assert_int_equal(qe_loop_run_once(p.loop, 20), 0);
	assert_int_equal(qe_loop_fd_modify(p.loop, p.a[1], QE_LOOP_WRITE), 0);
	assert_int_equal(run_until(p.loop, &p.writes, 1), 0);
	assert_int_equal(qe_loop_fd_modify(p.loop, p.a[1], QE_LOOP_WRITE), -1);
	assert_int_equal(qe_loop_fd_remove(p.loop, 12345), 0);
	qe_loop_free(p.loop);
	close(p.a[0]);
	close(p.a[1]);
	close(p.b[0]);
	close(p.b[1]);
}

static int oneshot_calls;

/* Reads nothing: the pipe stays readable. */
static void on_oneshot(struct qe_loop *loop, int fd, unsigned events, void *data)
{
	(void)loop;
	(void)fd;
	(void)data;
	assert_true(events & QE_LOOP_READ);
	oneshot_calls++;
}

/* A one-shot registration gets one callback, then none, readable as its
 * fd stays, until it is armed again. */
static void test_oneshot(void **state)
{
	struct qe_loop *loop = qe_loop_new();
	int fds[2];
	char c;
	(void)state;
	oneshot_calls = 0;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(qe_loop_fd_add(loop, fds[0], QE_LOOP_READ | QE_LOOP_ONESHOT,
					on_oneshot, NULL),
			 0);
	assert_int_equal(write(fds[1], "x", 1), 1);
	assert_int_equal(run_until(loop, &oneshot_calls, 1), 0);
	assert_int_equal(qe_loop_run_once(loop, 30), 0);
	assert_int_equal(write(fds[1], "y", 1), 1);
	assert_int_equal(qe_loop_run_once(loop, 30), 0);
	assert_int_equal(oneshot_calls, 1);
	/* armed again: still readable, so at once */
	assert_int_equal(qe_loop_fd_modify(loop, fds[0], QE_LOOP_READ | QE_LOOP_ONESHOT),
			 0);
	assert_int_equal(qe_loop_run_once(loop, 1000), 1);
	assert_int_equal(oneshot_calls, 2);
	assert_int_equal(qe_loop_run_once(loop, 30), 0);
	/* plain again: every round while readable */
	assert_int_equal(qe_loop_fd_modify(loop, fds[0], QE_LOOP_READ), 0);
	assert_int_equal(qe_loop_run_once(loop, 1000), 1);
	assert_int_equal(qe_loop_run_once(loop, 1000), 1);
	assert_int_equal(oneshot_calls, 4);
	assert_int_equal(read(fds[0], &c, 1), 1);
	qe_loop_fd_remove(loop, fds[0]);
	qe_loop_free(loop);
	close(fds[0]);
	close(fds[1]);
}

static void test_regular_file_refused(void **state)
{
	struct qe_loop *loop = qe_loop_new();
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(qe_loop_fd_add(loop, fd, QE_LOOP_READ, on_b, NULL), -1);
	assert_non_null(strstr(qe_last_error(), "does not support polling"));
	close(fd);
	qe_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timers),
	    cmocka_unit_test(test_signals),
	    cmocka_unit_test(test_fds),
	    cmocka_unit_test(test_oneshot),
	    cmocka_unit_test(test_regular_file_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
