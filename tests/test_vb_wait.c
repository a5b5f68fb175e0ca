/*
 * vb_wait_fd, the one deadline-bounded wait of fabbench's bootstrap, TCP
 * transport and rdma_cm set-up: ready at once, a timeout that is the
 * deadline (not less, not much more), and signals that do not cut the wait
 * short or stretch it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "verbs/exec.h"

static int fds[2];

static int setup(void **state)
{
	(void)state;
	return pipe(fds);
}

static int teardown(void **state)
{
	(void)state;
	close(fds[0]);
	close(fds[1]);
	return 0;
}

static void test_ready(void **state)
{
	double t0 = vb_now();

	(void)state;
	/* an empty pipe is writable, not readable */
	assert_int_equal(vb_wait_fd(fds[1], POLLOUT, t0 + 5), 0);
	assert_int_equal(write(fds[1], "x", 1), 1);
	assert_int_equal(vb_wait_fd(fds[0], POLLIN, t0 + 5), 0);
	assert_true(vb_now() - t0 < 1);
}

static void test_timeout(void **state)
{
	double t0 = vb_now(), dt;

	(void)state;
	assert_int_equal(vb_wait_fd(fds[0], POLLIN, t0 + 0.05), -ETIMEDOUT);
	dt = vb_now() - t0;
	assert_true(dt >= 0.05 && dt < 1);
	/* a deadline already past: no wait at all */
	assert_int_equal(vb_wait_fd(fds[1], POLLOUT, t0 - 1), -ETIMEDOUT);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* SIGALRM every 10 ms while waiting 200 ms: EINTR is retried until the deadline. */
static void test_signals(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval tick = { { 0, 10000 }, { 0, 10000 } }, off = { { 0, 0 }, { 0, 0 } };
	double t0, dt;
	int ret;

	(void)state;
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &tick, NULL), 0);
	t0 = vb_now();
	ret = vb_wait_fd(fds[0], POLLIN, t0 + 0.2);
	dt = vb_now() - t0;
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	assert_int_equal(ret, -ETIMEDOUT);
	assert_true(dt >= 0.2 && dt < 1.5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
