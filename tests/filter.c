/*
 * `make check T=PATTERN` for the cmocka suites: the test link rules wrap
 * cmocka's group runner (-Wl,--wrap=_cmocka_run_group_tests) so that every
 * test binary honours FAB_TEST_FILTER, a cmocka pattern (* and ?) on the
 * test case names, without each main() having to read it. cmocka 1.1.5
 * has the filter call but no environment variable for it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

int __real__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown);
int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown);

int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown)
{
	const char *pattern = getenv("FAB_TEST_FILTER");

	if (pattern && *pattern)
		cmocka_set_test_filter(pattern);
	return __real__cmocka_run_group_tests(group_name, tests, num_tests, group_setup,
					      group_teardown);
}
