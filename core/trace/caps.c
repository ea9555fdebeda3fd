// SPDX-License-Identifier: GPL-2.0
/* Reads CapEff rather than calling capget(), so tests can use fixtures. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "core/trace/caps.h"

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
				 !(eff & (1ULL << CAP_PERFMON_BIT)) ?
			 ", " :
			 "",
		 eff & (1ULL << CAP_PERFMON_BIT) ? "" : "CAP_PERFMON");
	return -EPERM;
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int n = -1;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	/* Kernels without the file predate every capability we name. */
	return n > 0 && n < 64 ? n : CAP_LAST_CAP;
}

int caps_drop(const int *keep, int nkeep)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };
	unsigned long long want = 0;
	int last = last_cap();

	for (int i = 0; i < nkeep; i++)
		if (keep[i] >= 0 && keep[i] <= last)
			want |= 1ULL << keep[i];
	/* The bounding set first: dropping from it needs CAP_SETPCAP,
	 * which goes with the rest just after. */
	for (int c = 0; c <= last; c++) {
		if (want & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			return -errno;
	}
	data[0].effective = data[0].permitted = (__u32)want;
	data[1].effective = data[1].permitted = (__u32)(want >> 32);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	/* Ambient capabilities would survive an exec: clear them too. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}

int caps_known(int cap)
{
	return cap >= 0 && cap <= last_cap();
}
