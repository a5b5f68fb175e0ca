/*
 * Memory guard: a run, a schedule or a file whose state an input sizes is
 * refused with a message before it is allocated, instead of swapping the
 * machine to a halt or being killed by the OOM killer half way.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "collectives/arith.h"

uint64_t coll_mem_available_bytes(void)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");
	long pages, page_bytes;

	if (f) {
		unsigned long long kib;

		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
				fclose(f);
				return kib > UINT64_MAX / 1024 ? UINT64_MAX : (uint64_t)kib * 1024;
			}
		}
		fclose(f);
	}
	pages = sysconf(_SC_AVPHYS_PAGES);
	page_bytes = sysconf(_SC_PAGESIZE);
	if (pages <= 0 || page_bytes <= 0)
		return 0;
	return (uint64_t)pages * (uint64_t)page_bytes;
}

int coll_mem_guard(uint64_t need_bytes, const char *what, char *err, size_t errlen)
{
	uint64_t avail = coll_mem_available_bytes();

	if (errlen)
		err[0] = 0;
	/* unknown: let the allocation itself decide */
	if (!avail || need_bytes <= avail)
		return 0;
	snprintf(err, errlen, "%s needs %.1f GiB, more than the %.1f GiB available",
		 what, need_bytes / 1073741824.0, avail / 1073741824.0);
	return -ENOMEM;
}
