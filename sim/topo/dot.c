/*
 * Graphviz export of a topology (`fabsim topo --dot`): hosts as ellipses,
 * one rank per tier, hosts at the bottom, every link labelled with its rate.
 */
#include <errno.h>

#include "sim/topo/topo.h"

static const struct sim_port *port_peer(const struct sim_topo *t, uint32_t i)
{
	return &t->ports[t->ports[i].peer];
}

/* Node ids as quoted DOT strings: explicit names may hold anything. */
static void dot_id(const struct sim_topo *t, uint32_t node, FILE *out)
{
	char name[80];
	const char *c;

	sim_topo_node_name(t, node, name, sizeof(name));
	fputc('"', out);
	for (c = name; *c; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', out);
		fputc(*c, out);
	}
	fputc('"', out);
}

static void dot_ranks(const struct sim_topo *t, FILE *out)
{
	uint32_t tier, n;

	for (tier = 0; tier <= t->ntiers; tier++) {
		fprintf(out, "\t{ rank=same;");
		for (n = 0; n < t->nnodes; n++) {
			if (t->nodes[n].tier != tier)
				continue;
			fputc(' ', out);
			dot_id(t, n, out);
			fputc(';', out);
		}
		fprintf(out, " }\n");
	}
}

int sim_topo_write_dot(const struct sim_topo *t, FILE *out)
{
	char rate[32];
	uint32_t i;

	fprintf(out, "graph \"");
	for (i = 0; t->name[i]; i++)
		fprintf(out, "%s%c", t->name[i] == '"' || t->name[i] == '\\' ? "\\" : "", t->name[i]);
	fprintf(out, "\" {\n\trankdir=BT;\n\tnode [shape=box];\n");
	for (i = 0; i < t->nhosts; i++) {
		fputc('\t', out);
		dot_id(t, i, out);
		fprintf(out, " [shape=ellipse];\n");
	}
	dot_ranks(t, out);
	for (i = 0; i < t->nports; i++) {
		if (i > t->ports[i].peer)
			continue;
		fputc('\t', out);
		dot_id(t, t->ports[i].node, out);
		fprintf(out, " -- ");
		dot_id(t, port_peer(t, i)->node, out);
		fprintf(out, " [label=\"%s\"];\n", sim_topo_fmt_rate(t->ports[i].rate_bps, rate, sizeof(rate)));
	}
	fprintf(out, "}\n");
	return ferror(out) ? -EIO : 0;
}
