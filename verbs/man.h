/*
 * fabbench(1): the manual page in roff, made from the --help text
 * (vb_opts_usage) so the two cannot drift. `fabbench --man` prints it;
 * the Makefile builds man/fabbench.1 with it.
 */
#ifndef VB_MAN_H
#define VB_MAN_H

/* fabbench(1) on stdout; PROG is the name --help shows. The exit status: 0, or 1 without memory. */
int vb_man_page(const char *prog);

#endif
