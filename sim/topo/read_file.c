/*
 * Reading a whole text file for the parsers of fabsim (.topo, map and
 * fabbench files), refusing what no parser should be handed: a directory,
 * a file larger than the caller's limit, an empty file, binary data. A
 * FIFO without a writer reads as empty instead of blocking.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/topo/topo.h"

static int read_fail(const char *path, const char *why, const char *what, int ret, char *err,
		     size_t errlen)
{
	if (errlen)
		snprintf(err, errlen, "%s: %s (expected %s)", path, why, what);
	return ret;
}

/* Reads FD to the end, or to MAX_BYTES + 1 bytes. */
static int read_all(int fd, size_t max_bytes, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1), *nbuf;
	ssize_t got;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > max_bytes)
				break;
			cap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			got = -errno;
			free(buf);
			return (int)got;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	buf[n] = 0;
	*text = buf;
	*len = n;
	return 0;
}

/* -EFBIG past MAX_BYTES, -ENODATA empty, -EILSEQ with a NUL byte, else 0. */
static int check_text(const char *text, size_t len, size_t max_bytes)
{
	if (len > max_bytes)
		return -EFBIG;
	if (!len)
		return -ENODATA;
	return memchr(text, 0, len) ? -EILSEQ : 0;
}

int sim_read_file(const char *path, size_t max_bytes, const char *what, char **text,
		  size_t *len, char *err, size_t errlen)
{
	char why[128];
	struct stat st;
	int fd, ret;

	*text = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO without a writer must not hang the open */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, sizeof(why), "cannot open: %s", strerror(-ret));
		return read_fail(path, why, what, ret, err, errlen);
	}
	if (fstat(fd, &st) || fcntl(fd, F_SETFL, 0)) {
		ret = -errno;
		snprintf(why, sizeof(why), "cannot read: %s", strerror(-ret));
		close(fd);
		return read_fail(path, why, what, ret, err, errlen);
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return read_fail(path, "is a directory", what, -EISDIR, err, errlen);
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_bytes)
		ret = -EFBIG;
	else
		ret = read_all(fd, max_bytes, text, len);
	close(fd);
	if (ret && ret != -EFBIG) {
		snprintf(why, sizeof(why), "cannot read: %s", strerror(-ret));
		return read_fail(path, why, what, ret, err, errlen);
	}
	if (!ret)
		ret = check_text(*text, *len, max_bytes);
	if (!ret)
		return 0;
	if (ret == -EFBIG)
		snprintf(why, sizeof(why), "larger than %zu bytes", max_bytes);
	else if (ret == -ENODATA)
		snprintf(why, sizeof(why), "empty file");
	else
		snprintf(why, sizeof(why), "binary data (a NUL byte at offset %zu)",
			 (size_t)((const char *)memchr(*text, 0, *len) - *text));
	free(*text);
	*text = NULL;
	*len = 0;
	return read_fail(path, why, what, ret, err, errlen);
}
