// SPDX-License-Identifier: GPL-2.0
/* core/ksyms on a kallsyms fixture. */
#include <stdlib.h>
#include <unistd.h>
#include "core/ksyms.h"
#include "test.h"

TEST(ksyms_lookup_and_format)
{
	struct ksyms *ks;
	const char *mod = "x";
	__u64 off = 1;
	char buf[128];

	CHECK_INT(ksyms_load(test_fixture("kallsyms.txt"), &ks), 0);
	CHECK_INT(ksyms_count(ks), 14); /* data and bss symbols skipped */
	CHECK_STR(ksyms_lookup(ks, 0xffffffff81b00000ULL, &off, &mod),
		  "nf_hook_slow");
	CHECK_INT(off, 0);
	CHECK(mod == NULL);
	CHECK_STR(ksyms_lookup(ks, 0xffffffff81b00044ULL, &off, NULL),
		  "nf_hook_slow");
	CHECK_INT(off, 0x44);
	CHECK(ksyms_lookup(ks, 0xffffffff80000000ULL, &off, &mod) == NULL);
	CHECK_STR(ksyms_lookup(ks, 0xffffffffc0b004a8ULL, &off, &mod),
		  "nft_do_chain");
	CHECK_STR(mod, "nf_tables");
	ksyms_format(ks, 0xffffffffc0b004a8ULL, buf, sizeof(buf));
	CHECK_STR(buf, "nft_do_chain+0x4a8 [nf_tables]");
	ksyms_format(ks, 0xffffffff81c00010ULL, buf, sizeof(buf));
	CHECK_STR(buf, "__udp4_lib_rcv+0x10");
	ksyms_format(ks, 0x1000, buf, sizeof(buf));
	CHECK_STR(buf, "0x1000");
	/* past the last symbol: still the last one */
	CHECK_STR(ksyms_lookup(ks, 0xffffffffc0b02000ULL, &off, NULL),
		  "nft_register_chain");
	CHECK_INT(ksyms_addr(ks, "weak_helper"), 0xffffffff81c01000ULL);
	CHECK_INT(ksyms_addr(ks, "init_net"), 0);
	ksyms_free(ks);
}

TEST(ksyms_errors)
{
	char path[] = "/tmp/skbs-kallsyms-XXXXXX";
	const char *txt = "0000000000000000 T a\n0000000000000000 t b\n";
	struct ksyms *ks = NULL;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK_INT(write(fd, txt, strlen(txt)), (long long)strlen(txt));
	close(fd);
	CHECK_INT(ksyms_load(path, &ks), -EPERM);
	unlink(path);
	CHECK_INT(ksyms_load("/nonexistent/kallsyms", &ks), -ENOENT);
}
