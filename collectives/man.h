/*
 * Manual pages in roff (man(7)), written from the same text and tables
 * that print --help, so that fabsim(1) and fabbench(1) cannot drift from
 * the programs: fabsim walks its option tables (sim/cli/opt.c), fabbench
 * turns its --help text (verbs/opts.c) into an option list. Both programs
 * link collectives/, the one base they share, hence this formatter here.
 */
#ifndef COLL_MAN_H
#define COLL_MAN_H

#include <stddef.h>
#include <stdio.h>

/* .TH line and NAME section: "NAME(SECTION)", with VERSION in the footer. */
void coll_man_head(FILE *out, const char *name, const char *version, const char *summary);
/* N bytes of S escaped for roff (backslash, '-', a leading '.' or '\''). */
void coll_man_put(FILE *out, const char *s, size_t n);
/* TEXT as preformatted lines (.nf), as --help shows it. */
void coll_man_pre(FILE *out, const char *text);
/*
 * A --help text: lines indented 2 to 4 columns that start with '-' become
 * tagged paragraphs (the option, then its description after a run of two
 * spaces), deeper-indented lines continue the description, a line ending
 * in ':' at column 0 becomes a subsection, any other line a paragraph.
 */
void coll_man_help(FILE *out, const char *text);

#endif
