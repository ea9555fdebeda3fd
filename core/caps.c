// SPDX-License-Identifier: GPL-2.0
/* Reads CapEff rather than calling capget(), so tests can use fixtures. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "core/caps.h"

#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38
#define CAP_BPF_BIT 39

int caps_check(const char *status_path, char *missing, size_t len)
{
	FILE *f = fopen(status_path ? status_path : "/proc/self/status", "r");
	char line[256];
	uint64_t eff = 0;
	int found = 0;

	if (missing && len)
		missing[0] = '\0';
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %" SCNx64, &eff) == 1) {
			found = 1;
			break;
		}
	}
	fclose(f);
	if (!found)
		return -ENOENT;
	if (eff & (1ULL << CAP_SYS_ADMIN_BIT))
		return 0;
	if ((eff & (1ULL << CAP_BPF_BIT)) && (eff & (1ULL << CAP_PERFMON_BIT)))
		return 0;
	snprintf(missing, len, "%s%s%s",
		 eff & (1ULL << CAP_BPF_BIT) ? "" : "CAP_BPF",
		 !(eff & (1ULL << CAP_BPF_BIT)) &&
				 !(eff & (1ULL << CAP_PERFMON_BIT)) ? ", " : "",
		 eff & (1ULL << CAP_PERFMON_BIT) ? "" : "CAP_PERFMON");
	return -EPERM;
}
