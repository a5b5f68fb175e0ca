/*
 * Helpers of the fuzz harnesses; see fuzz_util.h. The parsers print their
 * errors with fprintf(stderr, ...): swapping the stdio streams (not file
 * descriptors 1 and 2) silences them while sanitizer reports, written to
 * descriptor 2, still show.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collectives/arith.h"
#include "tests/fuzz/fuzz_util.h"

/*
 * The memory a harness may use for what an input sizes, below libFuzzer's
 * -rss_limit_mb=2048 with room for the fuzzer's own state.
 */
#define FUZZ_MEM_BYTES (1ULL << 30)

static char fuzz_dir[4096];
static FILE *fuzz_null, *fuzz_out, *fuzz_err;

static int fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void fuzz_cleanup(void)
{
	if (fuzz_dir[0])
		nftw(fuzz_dir, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (fuzz_dir[0])
		return fuzz_dir;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/fabfuzz.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(fuzz_dir)) {
		perror(fuzz_dir);
		abort();
	}
	atexit(fuzz_cleanup);
	return fuzz_dir;
}

const char *fuzz_write(const char *dir, const char *name, const void *data, size_t n)
{
	static char path[8192];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : fuzz_tmpdir(), name);
	/*
	 * A new file, not the old one truncated: ext4 flushes a truncated and
	 * rewritten file to disk on close, and the harness would wait on I/O.
	 */
	remove(path);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	bad = n && fwrite(data, 1, n, f) != n;
	if (fclose(f) || bad)
		return NULL;
	return path;
}

const char *fuzz_file(const uint8_t *data, size_t size, const char *name)
{
	static char path[64];
	static int fd = -2;
	size_t done = 0;

	if (fd == -2) {
		fd = memfd_create("fuzz-input", 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		/* without /proc (a bare chroot) the path would not open: use a file */
		if (fd >= 0 && access(path, R_OK)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		return fuzz_write(NULL, name, data, size);
	if (ftruncate(fd, 0))
		return NULL;
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);

		if (n <= 0)
			return NULL;
		done += (size_t)n;
	}
	return path;
}

char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

void fuzz_quiet(void)
{
	const char *v = getenv("FUZZ_VERBOSE");

	if (v && *v && strcmp(v, "0"))
		return;
	if (!fuzz_null)
		fuzz_null = fopen("/dev/null", "w");
	if (!fuzz_null)
		return;
	fflush(NULL);
	fuzz_out = stdout;
	fuzz_err = stderr;
	stdout = fuzz_null;
	stderr = fuzz_null;
}

void fuzz_loud(void)
{
	if (!fuzz_out)
		return;
	fflush(fuzz_null);
	stdout = fuzz_out;
	stderr = fuzz_err;
	fuzz_out = fuzz_err = NULL;
}

/*
 * Linked with -Wl,--wrap=coll_mem_guard: the library's memory guard sees
 * FUZZ_MEM_BYTES as the memory available, whatever the machine has, so a
 * state the guard would refuse on a small machine is refused here too and
 * every out-of-memory the fuzzer reports is an allocation no guard
 * covers. Replays give the same result on every machine.
 */
int __real_coll_mem_guard(uint64_t need_bytes, const char *what, char *err, size_t errlen);
int __wrap_coll_mem_guard(uint64_t need_bytes, const char *what, char *err, size_t errlen);

int __wrap_coll_mem_guard(uint64_t need_bytes, const char *what, char *err, size_t errlen)
{
	if (need_bytes <= FUZZ_MEM_BYTES)
		return __real_coll_mem_guard(need_bytes, what, err, errlen);
	snprintf(err, errlen, "%s needs %.1f GiB, more than the %.1f GiB available (fuzzing)",
		 what, need_bytes / 1073741824.0, FUZZ_MEM_BYTES / 1073741824.0);
	return -ENOMEM;
}
