/*
 * The roff formatter behind fabsim(1) and fabbench(1) (collectives/man.h):
 * escaping, and a --help text turned into tagged paragraphs. Expected
 * roff is written out by hand from man(7): '-' is \-, a backslash \e, a
 * line starting with '.' or '\'' is protected by \&.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collectives/man.h"

/* what FN wrote, as a string the caller frees */
static char *capture_put(const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	assert_non_null(mem);
	coll_man_put(mem, s, strlen(s));
	fclose(mem);
	return text;
}

static char *capture_help(const char *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	assert_non_null(mem);
	coll_man_help(mem, s);
	fclose(mem);
	return text;
}

static void test_put_escapes(void **state)
{
	char *s;

	(void)state;
	s = capture_put("--topo a\\b");
	assert_string_equal(s, "\\-\\-topo a\\eb");
	free(s);
	/* a leading dot would be a request: \& before it, none inside */
	s = capture_put(".topo x.y");
	assert_string_equal(s, "\\&.topo x.y");
	free(s);
	s = capture_put("'quoted'");
	assert_string_equal(s, "\\&'quoted'");
	free(s);
}

static void test_help_items(void **state)
{
	char *s;

	(void)state;
	s = capture_help("usage: x\n"
			 "\n"
			 "options:\n"
			 "  -b, --minbytes SIZE      smallest size\n"
			 "                           (default 32M)\n"
			 "  --p2p\n"
			 "exit status: 0 ok\n");
	assert_string_equal(s, "usage: x\n"
			       ".PP\n"
			       ".SS \"options\"\n"
			       ".TP\n\\fB\\-b, \\-\\-minbytes SIZE\\fR\nsmallest size\n"
			       ".br\n(default 32M)\n"
			       ".TP\n\\fB\\-\\-p2p\\fR\n"
			       ".PP\nexit status: 0 ok\n");
	free(s);
}

/* indented prose that is not an option stays a paragraph, not an item */
static void test_help_prose(void **state)
{
	char *s;

	(void)state;
	s = capture_help("launch:\n  under mpirun the rank comes from MPI\n");
	assert_string_equal(s, ".SS \"launch\"\nunder mpirun the rank comes from MPI\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_escapes),
		cmocka_unit_test(test_help_items),
		cmocka_unit_test(test_help_prose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
