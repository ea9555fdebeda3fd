# SPDX-License-Identifier: GPL-2.0
# One non-recursive Makefile. Objects go under build/ (git-ignored); V=1
# shows the commands. `make run` and `make test` first install any missing
# Debian packages (scripts/deps.sh).

# SANITIZE=1 builds everything under AddressSanitizer and UBSan into its
# own tree (build-san/, binary build-san/skbscope), so that the normal
# build is never relinked behind your back; `make SANITIZE=1 test` runs
# every suite against it and fails on any sanitizer report.
ifeq ($(SANITIZE),1)
OUT ?= build-san
BIN := $(OUT)/skbscope
else
OUT ?= build
BIN := skbscope
endif
CC ?= gcc
CLANG ?= clang
SCDOC ?= scdoc
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip
PKG_CONFIG ?= pkg-config
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Before anything is built, one check that the tools and libraries are
# there (scripts/deps.sh --check, which holds the tool -> Debian package
# table): a missing one stops make with the packages to install, rather
# than "bpftool: not found" halfway through. Goals that install the
# packages first (then build in a sub-make, which checks) or build
# nothing are exempt; the unit tests also need cmocka.
NOCHECK_GOALS := deps run test bench soak soak-vm clean uninstall dist
UNIT_GOALS := unit $(OUT)/unit-tests
GOALS := $(or $(MAKECMDGOALS),all)
ifneq ($(filter-out $(NOCHECK_GOALS),$(GOALS)),)
NEEDS := build $(if $(filter $(UNIT_GOALS),$(GOALS)),unit) \
	$(if $(filter static skbscope-static,$(GOALS)),static)
MISSING := $(shell CC='$(CC)' CLANG='$(CLANG)' BPFTOOL='$(BPFTOOL)' \
	LLVM_STRIP='$(LLVM_STRIP)' PKG_CONFIG='$(PKG_CONFIG)' SCDOC='$(SCDOC)' \
	scripts/deps.sh --check $(NEEDS))
ifneq ($(MISSING),)
$(error missing Debian packages:$(MISSING) ('make deps' installs them))
endif

# pkg-config's errors are shown, not hidden, and a failure stops make.
pc = $(shell $(PKG_CONFIG) $(1) || echo PC-FAILED)
LIBS_PC := libbpf libelf ncursesw libbsd-overlay libpcap libmnl libnftnl \
	libnftables
PC_CFLAGS := $(call pc,--cflags $(LIBS_PC))
PC_LIBS := $(call pc,--libs $(LIBS_PC))
ifneq ($(filter unit,$(NEEDS)),)
UNIT_CFLAGS := $(call pc,--cflags cmocka)
UNIT_LIBS := $(call pc,--libs cmocka)
endif
ifneq ($(filter PC-FAILED,$(PC_CFLAGS) $(PC_LIBS) $(UNIT_CFLAGS) $(UNIT_LIBS)),)
$(error $(PKG_CONFIG) failed (see above); 'make deps' installs the libraries)
endif
endif

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wundef \
	-Wno-missing-field-initializers
# CPPFLAGS, CFLAGS and LDFLAGS are the user's (make CFLAGS=-O0 keeps the
# include paths; dpkg-buildflags sets all three for the Debian package);
# EXTRA_* add to them, as in bpftool and libbpf-tools.
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) -I$(OUT) -I. $(PC_CFLAGS) -MMD -MP \
	$(CPPFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(EXTRA_LDFLAGS)
LDLIBS += $(PC_LIBS) -lz -lpthread

ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=address,undefined
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(OUT) -I. -Ibpf \
	-Wall -Wno-unused-function -MMD -MP

# The folders follow the build (docs/ARCHITECTURE.md):
#   core/        pure C: filters, store, outputs, record/replay. No libbpf,
#                no skeleton, no curses; unit-tested and fuzzed as is.
#   core/lib/    the toolkit every folder uses: array growth, u64 hash
#                map, parallel-for, clock.
#   core/trace/  what talks to the kernel: libbpf, BTF, the skeleton.
#   core/explain/ why a drop happened, from the kernel's own state over
#                netlink (libmnl, libnftnl, libnftables); no BPF.
#   tui/         the explorer (the only curses user is tui/blit.c).
#   app/         the program: flags, main, outputs, the live source.
CORE_SRCS := $(wildcard core/*.c core/lib/*.c)
TRACE_SRCS := $(wildcard core/trace/*.c)
EXPLAIN_SRCS := $(wildcard core/explain/*.c)
# The trace files that include the generated skeleton: only these wait for
# the BPF build, and the unit tests link none of them.
TRACE_SKEL_SRCS := $(shell grep -l '^\#include "core/trace/skel.h"' \
	$(TRACE_SRCS) /dev/null) core/trace/skel.c
TUI_SRCS := $(wildcard tui/*.c)
MAIN_SRCS := $(wildcard app/*.c)
APP_SRCS := $(CORE_SRCS) $(TRACE_SRCS) $(EXPLAIN_SRCS) $(TUI_SRCS) $(MAIN_SRCS)
APP_OBJS := $(patsubst %.c,$(OUT)/%.o,$(APP_SRCS)) $(OUT)/keymaps_data.o \
	$(OUT)/terminfo_data.o
SKEL_OBJS := $(patsubst %.c,$(OUT)/%.o,$(sort $(TRACE_SKEL_SRCS)))
# The library without the program (app/) and without the skeleton, for
# the unit tests and benchmarks; they also test the flag parser.
LIB_OBJS := $(filter-out $(patsubst %.c,$(OUT)/%.o,$(MAIN_SRCS)) \
	$(SKEL_OBJS),$(APP_OBJS)) $(OUT)/app/cli.o

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst %.c,$(OUT)/%.o,$(UNIT_SRCS))
# The unit tests run on cmocka (tests/unit/test.h).
$(UNIT_OBJS): ALL_CFLAGS += $(UNIT_CFLAGS)

BPF_OBJ := $(OUT)/skbscope.bpf.o
BPF_LOOP_OBJ := $(OUT)/skbscope-loop.bpf.o
SKEL := $(OUT)/skbscope.skel.h
LOOP_SKEL := $(OUT)/skbscope-loop.skel.h
# VMLINUX_BTF names the kernel BTF to generate vmlinux.h from; VMLINUX_H
# names a ready vmlinux.h instead (a build machine without BTF).
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VMLINUX := $(OUT)/vmlinux.h
OBJDIRS := $(OUT) $(OUT)/app $(OUT)/core $(OUT)/core/lib $(OUT)/core/trace \
	$(OUT)/core/explain $(OUT)/tui $(OUT)/static \
	$(OUT)/tests/unit

.DELETE_ON_ERROR:
.PHONY: all clean deps run test unit integration vm screenshots bench fuzz soak soak-vm \
	static install uninstall dist FORCE

all: $(BIN) skbscope.8

$(OBJDIRS):
	$(Q)mkdir -p $@

# CO-RE: the header is generated from the build machine's kernel BTF; the
# relocations let the one binary run on 5.10 .. 6.18.
ifdef VMLINUX_H
$(VMLINUX): $(VMLINUX_H) | $(OUT)
	$(call msg,CP,$@)
	$(Q)cp $< $@
else
$(VMLINUX): | $(OUT)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@
endif

# As in libbpf-tools, the objects lose their DWARF before they are
# embedded in the skeleton: libbpf reads only BTF and BTF.ext (line info
# included), which llvm-strip -g keeps, and the binary is then a few MB
# smaller.
$(BPF_OBJ): bpf/skbscope.bpf.c $(VMLINUX) | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $(OUT)/skbscope.bpf.d -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

# The same programs with the pcap interpreter driven by bpf_loop, for
# kernels that have it (5.17+); core/skel.c picks one at run time.
$(BPF_LOOP_OBJ): bpf/skbscope.bpf.c $(VMLINUX) | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DSKBS_BPF_LOOP -MF $(OUT)/skbscope-loop.bpf.d \
		-c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name skbscope_bpf > $@

$(LOOP_SKEL): $(BPF_LOOP_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name skbscope_loop_bpf > $@

# Objects that include the skeletons must wait for them.
$(SKEL_OBJS): | $(SKEL) $(LOOP_SKEL)

$(OUT)/%.o: %.c | $(OBJDIRS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The shipped keymaps, compiled in: the built-in bindings are the text of
# keymaps/default.keys, read by the same parser as user files.
KEYMAPS := $(wildcard keymaps/*.keys)
$(OUT)/keymaps_data.c: $(KEYMAPS) | $(OUT)
	$(call msg,GEN,$@)
	$(Q)for f in $(KEYMAPS); do \
		n=$$(basename $$f .keys); \
		printf 'const char keymap_text_%s[] =\n' "$$n"; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; \
		printf '"";\n'; \
	done > $@

$(OUT)/keymaps_data.o: $(OUT)/keymaps_data.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-variable-declarations -c $< -o $@

$(BIN): $(APP_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

# The version --version prints: `git describe` in a clone of the project,
# the VERSION file in a tarball (make dist writes it), "unknown" otherwise.
# version.h is rewritten only when the text changes, so an unchanged tree
# relinks nothing.
SKBSCOPE_VERSION ?= $(shell \
	if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
		git describe --tags --always --dirty; \
	elif [ -f VERSION ]; then cat VERSION; else echo $(VERSION_FALLBACK); fi)
VERSION_FALLBACK ?= unknown
$(OUT)/version.h: FORCE | $(OUT)
	$(Q)printf '#define SKBSCOPE_VERSION "%s"\n' '$(SKBSCOPE_VERSION)' >$@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:
$(OUT)/app/main.o: $(OUT)/version.h

# Terminal descriptions compiled in (tui/terminfo.c): written out only on
# a box where curses would not find $$TERM's entry, so the static binary
# still draws in a rescue shell or an initramfs. Taken from the build
# machine's terminfo (Debian: ncurses-base).
TERMINFO_NAMES := xterm xterm-256color screen screen-256color tmux \
	tmux-256color linux vt100 vt220
TERMINFO_SRC_DIRS := /etc/terminfo /lib/terminfo /usr/share/terminfo
$(OUT)/terminfo_data.c: Makefile | $(OUT)
	$(call msg,GEN,$@)
	$(Q){ echo '#include "tui/terminfo.h"'; i=0; \
	for n in $(TERMINFO_NAMES); do \
		c=$$(printf %.1s "$$n"); f=""; \
		for d in $(TERMINFO_SRC_DIRS); do \
			[ -f "$$d/$$c/$$n" ] && { f=$$d/$$c/$$n; break; }; \
		done; \
		if [ -z "$$f" ]; then \
			echo "terminfo entry $$n not found in $(TERMINFO_SRC_DIRS) (Debian: ncurses-base)" >&2; \
			exit 1; \
		fi; \
		echo "static const unsigned char ti_$$i[] = {"; \
		od -An -v -tx1 "$$f" | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
		echo "};"; i=$$((i + 1)); \
	done; \
	echo 'const struct terminfo_entry terminfo_embedded[] = {'; i=0; \
	for n in $(TERMINFO_NAMES); do \
		echo "	{ \"$$n\", ti_$$i, sizeof(ti_$$i) },"; i=$$((i + 1)); \
	done; \
	echo '	{ 0 },'; echo '};'; } >$@

$(OUT)/terminfo_data.o: $(OUT)/terminfo_data.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# make static: skbscope-static, one file with no shared library at all
# (libbpf, libelf, zlib, ncursesw and tinfo, libpcap, libbsd and libmd,
# glibc, the BPF objects and the terminfo entries above), from the same
# objects as ./skbscope. Debian 12 ships no static libmnl or libnftables,
# so core/explain/'s netlink files (those that call libmnl, libnftnl or
# libnftables) are left out and static/explain_off.c stands in: drops get
# their reason's sentence, as with --no-explain. static/pcap_nocapture.c
# keeps libpcap's D-Bus capture module (and libdbus, which would need a
# libsystemd.a) out. glibc warns that getaddrinfo and getprotobyname need
# its NSS modules at run time: they serve only host and protocol *names*
# in a pcap-filter expression, which then fail on a box without them;
# numbers work everywhere.
STATIC_BIN := skbscope-static
STATIC_NETLINK_SRCS := $(shell grep -lE '\b(mnl|nftnl)_[a-z]|nft_ctx' \
	$(EXPLAIN_SRCS) /dev/null)
STATIC_OBJS := $(filter-out $(patsubst %.c,$(OUT)/%.o,$(STATIC_NETLINK_SRCS)), \
	$(APP_OBJS)) $(OUT)/static/explain_off.o $(OUT)/static/pcap_nocapture.o
STATIC_LIBS = $(call pc,--static --libs libbpf libelf ncursesw \
	libbsd-overlay) -lpcap -lz -lpthread

static: $(STATIC_BIN)

$(STATIC_BIN): $(STATIC_OBJS)
	$(call msg,LINK,$@)
	$(Q)rm -f $@; $(CC) -static $(ALL_LDFLAGS) -Wl,--strip-debug $^ $(STATIC_LIBS) \
		-o $@ 2>&1 | { grep -v 'statically linked applications requires at runtime\|in function .pcap_nameto' >&2 || :; }; \
		test -x $@

# The man page, skbscope(8), from docs/skbscope.8.scd (scdoc): the one
# source that --help and the README's flag table are checked against
# (tests/docs.sh).
skbscope.8: docs/skbscope.8.scd
	$(call msg,SCDOC,$@)
	$(Q)$(SCDOC) <$< >$@

# make install / make uninstall, with PREFIX (default /usr/local) and
# DESTDIR: the binary, the keymaps (compiled in as well; a starting point
# for your own), the man page and the bash and zsh completions.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
INSTALL ?= install
INSTALLED := $(BINDIR)/skbscope $(MANDIR)/man8/skbscope.8 \
	$(BASHCOMPDIR)/skbscope $(ZSHCOMPDIR)/_skbscope \
	$(patsubst keymaps/%,$(DATADIR)/skbscope/keymaps/%,$(KEYMAPS))

install: $(BIN) skbscope.8
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(DATADIR)/skbscope/keymaps
	$(Q)$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/skbscope
	$(Q)$(INSTALL) -m 0644 skbscope.8 $(DESTDIR)$(MANDIR)/man8/skbscope.8
	$(Q)$(INSTALL) -m 0644 completions/skbscope.bash \
		$(DESTDIR)$(BASHCOMPDIR)/skbscope
	$(Q)$(INSTALL) -m 0644 completions/_skbscope $(DESTDIR)$(ZSHCOMPDIR)/_skbscope
	$(Q)$(INSTALL) -m 0644 $(KEYMAPS) $(DESTDIR)$(DATADIR)/skbscope/keymaps/

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)rmdir $(DESTDIR)$(DATADIR)/skbscope/keymaps \
		$(DESTDIR)$(DATADIR)/skbscope 2>/dev/null || :

# A tarball of HEAD with its version in VERSION (for builds without git).
dist:
	$(Q)v=$(SKBSCOPE_VERSION); t=$$(mktemp -d); \
	git archive --prefix=skbscope-$$v/ -o $$t/a.tar HEAD && \
	mkdir -p $$t/skbscope-$$v && echo "$$v" >$$t/skbscope-$$v/VERSION && \
	tar -C $$t -rf $$t/a.tar skbscope-$$v/VERSION && \
	gzip -n <$$t/a.tar >skbscope-$$v.tar.gz; rc=$$?; rm -rf $$t; \
	[ $$rc = 0 ] && echo "skbscope-$$v.tar.gz"

$(OUT)/unit-tests: $(UNIT_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(UNIT_LIBS) $(LDLIBS) -o $@

deps:
	$(Q)scripts/deps.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)if [ "$$(id -u)" -ne 0 ]; then exec sudo ./skbscope $(ARGS); \
	else exec ./skbscope $(ARGS); fi

unit: $(OUT)/unit-tests
	$(Q)$(OUT)/unit-tests

integration: $(BIN)
	$(Q)for t in tests/integration/*.sh; do SKBSCOPE=$(abspath $(BIN)) $$t || exit 1; done

# The call tree comes from the explorer in the 6.12 guest (qemu, and the
# test's tools), taken while tests/vm/tui.sh checks that screen.
screenshots: skbscope
	$(Q)SKBSCOPE_DEPS=screenshots scripts/deps.sh
	$(Q)scripts/screenshots.sh screenshots
	$(Q)scripts/deps.sh
	$(Q)SKBSCOPE=$(abspath skbscope) TUI_SHOTS=screenshots tests/vm/tui.sh trixie

vm: $(BIN)
	$(Q)tests/vm/matrix.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all $(OUT)/unit-tests \
		$(OUT)/explain-test $(OUT)/nftrace-test \
		$(if $(filter 1,$(SANITIZE)),,$(STATIC_BIN))
	$(Q)SKBSCOPE=$(abspath $(BIN)) OUT=$(OUT) SANITIZE=$(SANITIZE) \
		tests/run-all.sh

# The benchmarks' traffic generator and measurements, which both link.
BENCH_SRCS := tests/bench/gen.c tests/bench/measure.c

# The explorer's frame cost, against the same objects as the unit tests
# (tests/bench/render.sh runs it).
$(OUT)/bench-render: tests/bench/render.c $(BENCH_SRCS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(filter %.c %.o,$^) $(LDLIBS) -o $@

# Replay ingest: record, decode and store (tests/bench/ingest.sh runs it).
$(OUT)/bench-ingest: tests/bench/ingest.c $(BENCH_SRCS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(filter %.c %.o,$^) $(LDLIBS) -o $@

# The UDP flood and counter for tests/bench/traffic.sh; a standalone
# program, nothing of skbscope in it.
$(OUT)/bench-udpflood: tests/bench/udpflood.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< -o $@

# Figures, not pass/fail: each benchmark prints a table and BENCH lines.
bench: deps
	$(Q)$(MAKE) --no-print-directory all $(OUT)/bench-render \
		$(OUT)/bench-ingest $(OUT)/bench-udpflood
	$(Q)for b in tests/bench/*.sh; do echo "=== $$b"; $$b || exit 1; done

# The explorer under a UDP flood for SOAK_SECONDS (default 600): memory
# and descriptors stay bounded, keys still answered. Not part of `test`.
soak: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/soak.sh

# The explorer in the 6.12 guest (qemu) with every skb function attached,
# under a UDP flood over lo for SOAK_VM_SECONDS (default 120): memory
# bounded, the kernel's log clean, q still answered, nothing left
# attached. Takes several minutes under TCG; not part of `test`.
soak-vm: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)SKBSCOPE=$(abspath skbscope) tests/vm/soak.sh

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(OUT) build build-san skbscope $(STATIC_BIN) skbscope.8

include tests/fuzz/fuzz.mk

-include $(wildcard $(OUT)/*.d $(OUT)/app/*.d $(OUT)/core/*.d $(OUT)/core/lib/*.d \
	$(OUT)/core/trace/*.d $(OUT)/core/explain/*.d $(OUT)/tui/*.d \
	$(OUT)/static/*.d $(OUT)/tests/unit/*.d)

# The explain drivers, for tests/integration/explain.sh and explain_nft.sh:
# each makes up the drop event of a packet sent for real and explains it
# from the live kernel's state, so neither needs BPF.
$(OUT)/explain-test: tests/explain/explain_test.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(filter %.c %.o,$^) $(LDLIBS) -o $@

$(OUT)/nftrace-test: tests/explain/nftrace_test.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(filter %.c %.o,$^) $(LDLIBS) -o $@
