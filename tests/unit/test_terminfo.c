// SPDX-License-Identifier: GPL-2.0
/* tui/terminfo.c: the compiled-in entries, and where curses would find an
 * entry ($TERMINFO, $TERMINFO_DIRS, both directory layouts). Writing the
 * fallback needs a box without terminfo: tests/vm/static.sh boots one. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/unit/test.h"
#include "tui/terminfo.h"

static const char *const wanted[] = {
	"xterm",         "xterm-256color", "screen", "screen-256color", "tmux",
	"tmux-256color", "linux",          "vt100",  "vt220",
};

TEST(terminfo_embedded_entries)
{
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		const struct terminfo_entry *e = terminfo_embedded;

		while (e->name && strcmp(e->name, wanted[i]))
			e++;
		CHECK(e->name);
		/* tic's magic: 0432 (16-bit numbers) or 01036 (32-bit). */
		CHECK(e->len > 100);
		CHECK((e->data[0] == 0x1a && e->data[1] == 0x01) ||
		      (e->data[0] == 0x1e && e->data[1] == 0x02));
	}
}

static void put(const char *path)
{
	FILE *f = fopen(path, "w");

	CHECK(f);
	fputs("x", f);
	fclose(f);
}

TEST(terminfo_present_where_curses_looks)
{
	char dir[] = "/tmp/skbscope-ti-test.XXXXXX", p[256];
	char tdir[256];

	CHECK(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/q", dir);
	CHECK(!mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/q/qfake-term", dir);
	put(p);
	snprintf(p, sizeof(p), "%s/71", dir); /* 'q' in hex */
	CHECK(!mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/71/qhex-term", dir);
	put(p);

	unsetenv("TERMINFO_DIRS");
	setenv("TERMINFO", dir, 1);
	CHECK_INT(terminfo_present("qfake-term"), 1);
	CHECK_INT(terminfo_present("qhex-term"), 1);
	CHECK_INT(terminfo_present("qmissing-term"), 0);
	CHECK_INT(terminfo_present(""), 0);
	CHECK_INT(terminfo_present("../q/qfake-term"), 0);
	unsetenv("TERMINFO");
	CHECK_INT(terminfo_present("qfake-term"), 0);
	setenv("TERMINFO_DIRS", "/nonexistent:", 1);
	CHECK_INT(terminfo_present("qfake-term"), 0);
	snprintf(p, sizeof(p), "/nonexistent:%s", dir);
	setenv("TERMINFO_DIRS", p, 1);
	CHECK_INT(terminfo_present("qfake-term"), 1);
	unsetenv("TERMINFO_DIRS");

	/* Nothing to do for a terminal curses finds, or one not embedded. */
	setenv("TERMINFO", dir, 1);
	setenv("TERM", "qfake-term", 1);
	CHECK_INT(terminfo_fallback(tdir, sizeof(tdir)), 0);
	CHECK(!tdir[0]);
	setenv("TERM", "qmissing-term", 1);
	CHECK_INT(terminfo_fallback(tdir, sizeof(tdir)), 0);
	CHECK(!tdir[0]);
	terminfo_release(tdir);
	CHECK(!strcmp(getenv("TERMINFO"), dir));
	unsetenv("TERMINFO");

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	CHECK(!system(p));
}
