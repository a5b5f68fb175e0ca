/*
 * Shared by the libFuzzer harnesses in tests/fuzz/: the fuzz input as a
 * file (most parsers take a path), a scratch folder removed at exit, and
 * the parsers' messages sent to /dev/null (FUZZ_VERBOSE=1 keeps them, to
 * see why a regression input is rejected).
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The scratch folder: $TMPDIR/fabfuzz.XXXXXX, made once, removed at exit. */
const char *fuzz_tmpdir(void);
/*
 * The input as a file the parser can open: a memfd named by its
 * /proc/self/fd path, rewritten on every call (the scratch folder's NAME
 * where memfd is missing). The path, or NULL.
 */
const char *fuzz_file(const uint8_t *data, size_t size, const char *name);
/* Writes N bytes to DIR/NAME (DIR NULL: the scratch folder); the path, or NULL. */
const char *fuzz_write(const char *dir, const char *name, const void *data, size_t n);
/* DATA as a NUL-terminated string (embedded NULs end it early); free() it. */
char *fuzz_str(const uint8_t *data, size_t size);
/* stdout and stderr to /dev/null until fuzz_loud(), unless FUZZ_VERBOSE is set. */
void fuzz_quiet(void);
void fuzz_loud(void);

#endif
