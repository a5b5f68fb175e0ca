/*
 * fabbench(1) (man.h): a NAME, the --help text's head as the synopsis and
 * description, and its option lines as tagged paragraphs, through the
 * formatter fabsim(1) uses too (collectives/man.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectives/man.h"
#include "verbs/man.h"
#include "verbs/opts.h"

int vb_man_page(const char *prog)
{
	char *text = NULL, *body;
	size_t len = 0;
	FILE *mem;

	mem = open_memstream(&text, &len);
	if (!mem)
		return 1;
	vb_opts_usage(mem, prog);
	if (fclose(mem) || !text)
		return 1;
	coll_man_head(stdout, prog, FAB_VERSION,
		      "collective and point-to-point benchmark over RDMA verbs or TCP, nccl-tests style");
	/* the usage line, then the description up to the first blank line */
	body = strchr(text, '\n');
	body = body ? body + 1 : text + len;
	fputs(".SH SYNOPSIS\n", stdout);
	fputs(".nf\n", stdout);
	coll_man_put(stdout, text, (size_t)(body - text) - (body > text));
	fputs("\n.fi\n.SH DESCRIPTION\n", stdout);
	coll_man_help(stdout, body);
	free(text);
	return 0;
}
