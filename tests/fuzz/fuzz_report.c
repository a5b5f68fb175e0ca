/*
 * `fabsim report` over results folders (sim/report/report_load.c and what
 * the plot families and report_md.c do with what it read): summary.json and
 * largest/summary.json, flows.csv, links.csv, trace.csv, collective.csv
 * and prediction.csv, of one or two configurations, and fabbench's p2p
 * matrix (report --p2p FILE).
 *
 * The input is a bundle of files in the format `head` prints them:
 *
 *	==> summary.json <==
 *	{ ... }
 *	==> b/links.csv <==
 *	from,to,...
 *	==> --port <==
 *	leaf0:spine0
 *
 * A name goes to configuration folder a/ unless it starts with "b/";
 * "--port" passes its first line as `report --port`; "--p2p" is written to
 * p2p.csv beside the folders and passed as `report --p2p`. The harness writes
 * the folders and runs the real command, `fabsim report -o OUT DIR`.
 * gnuplot is not run: sim/report/gnuplot.c is compiled here with fork() and
 * waitpid() standing for a gnuplot that succeeds, so the scripts are
 * written in full without a process per plot.
 */
#define fork fuzz_fork
#define waitpid fuzz_waitpid
#include "sim/report/gnuplot.c"
#undef fork
#undef waitpid

#include <ftw.h>
#include "sim/cli/cmd.h"
#include "tests/fuzz/fuzz_util.h"

#define FUZZ_FAKE_PID 0x7fff0000

static const char *const fuzz_names[] = {
	"summary.json", "flows.csv", "links.csv", "trace.csv", "collective.csv",
	"prediction.csv", "largest/summary.json", "largest/flows.csv",
	"largest/links.csv", "largest/trace.csv",
};
#define FUZZ_NNAMES (sizeof(fuzz_names) / sizeof(fuzz_names[0]))

static char fuzz_root[4096], fuzz_out[4096], fuzz_p2p_path[4096 + 16];
static bool fuzz_p2p;		/* the bundle has a --p2p file */

pid_t fuzz_fork(void)
{
	return FUZZ_FAKE_PID;
}

pid_t fuzz_waitpid(pid_t pid, int *status, int options)
{
	*status = 0;	/* exited with status 0 */
	return pid;
}

static int fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(fuzz_root, sizeof(fuzz_root), "%s/results", fuzz_tmpdir());
	snprintf(fuzz_out, sizeof(fuzz_out), "%s/out", fuzz_tmpdir());
	snprintf(fuzz_p2p_path, sizeof(fuzz_p2p_path), "%s/p2p.csv", fuzz_tmpdir());
	return 0;
}

/*
 * "==> NAME <==": the index of NAME in fuzz_names (+ FUZZ_NNAMES for b/), 2 * FUZZ_NNAMES for --port,
 * FUZZ_P2P for --p2p
 */
#define FUZZ_P2P (2 * FUZZ_NNAMES + 1)
static int fuzz_marker(const char *line, size_t len)
{
	size_t n, off = 0, base = 0;

	if (len < 9 || memcmp(line, "==> ", 4) || memcmp(line + len - 4, " <==", 4))
		return -1;
	line += 4;
	n = len - 8;
	if (n == 6 && !memcmp(line, "--port", 6))
		return 2 * FUZZ_NNAMES;
	if (n == 5 && !memcmp(line, "--p2p", 5))
		return FUZZ_P2P;
	if (n > 2 && !memcmp(line, "b/", 2)) {
		off = 2;
		base = FUZZ_NNAMES;
	} else if (n > 2 && !memcmp(line, "a/", 2)) {
		off = 2;
	}
	for (size_t i = 0; i < FUZZ_NNAMES; i++)
		if (strlen(fuzz_names[i]) == n - off && !memcmp(line + off, fuzz_names[i], n - off))
			return (int)(base + i);
	return -1;
}

static void fuzz_put(int idx, const uint8_t *p, size_t n, char *port, size_t port_len)
{
	char dir[4096 + 16];

	if (idx < 0)
		return;
	if (idx == FUZZ_P2P) {
		fuzz_write(fuzz_tmpdir(), "p2p.csv", p, n);
		fuzz_p2p = true;
		return;
	}
	if (idx == 2 * FUZZ_NNAMES) {
		n = strnlen((const char *)p, n);
		n = n < port_len - 1 ? n : port_len - 1;
		memcpy(port, p, n);
		port[n] = 0;
		port[strcspn(port, "\n")] = 0;
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%c", fuzz_root, idx < (int)FUZZ_NNAMES ? 'a' : 'b');
	fuzz_write(dir, fuzz_names[idx % FUZZ_NNAMES], p, n);
}

/* Splits the bundle into the files it names; returns 0 if --port was given. */
static int fuzz_unpack(const uint8_t *data, size_t size, char *port, size_t port_len)
{
	const uint8_t *body = NULL, *p = data, *end = data + size;
	int idx = -1;

	port[0] = 0;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *next = nl ? nl + 1 : end;
		int m = fuzz_marker((const char *)p, (size_t)((nl ? nl : end) - p));

		if (m >= 0) {
			if (body)
				fuzz_put(idx, body, (size_t)(p - body), port, port_len);
			idx = m;
			body = next;
		}
		p = next;
	}
	if (body)
		fuzz_put(idx, body, (size_t)(end - body), port, port_len);
	return port[0] ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char port[256], sub[4096 + 16];
	char *argv[10];
	int argc = 0;

	/* new files every run: no stale plot from an earlier input, no rewrite */
	nftw(fuzz_root, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
	nftw(fuzz_out, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
	for (int i = 0; i < 4; i++) {
		snprintf(sub, sizeof(sub), "%s%s", fuzz_root,
			 (const char *const[]){ "", "/a", "/a/largest", "/b" }[i]);
		mkdir(sub, 0755);
	}
	snprintf(sub, sizeof(sub), "%s/b/largest", fuzz_root);
	mkdir(sub, 0755);
	argv[argc++] = "report";
	argv[argc++] = "-o";
	argv[argc++] = fuzz_out;
	fuzz_p2p = false;
	if (!fuzz_unpack(data, size, port, sizeof(port))) {
		argv[argc++] = "--port";
		argv[argc++] = port;
	}
	if (fuzz_p2p) {
		argv[argc++] = "--p2p";
		argv[argc++] = fuzz_p2p_path;
	}
	argv[argc++] = fuzz_root;
	argv[argc] = NULL;
	fuzz_quiet();
	sim_cmd_report(argc, argv);
	fuzz_loud();
	return 0;
}
