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
NOCHECK_GOALS := deps run test bench soak soak-vm clean
UNIT_GOALS := unit $(OUT)/unit-tests
GOALS := $(or $(MAKECMDGOALS),all)
ifneq ($(filter-out $(NOCHECK_GOALS),$(GOALS)),)
NEEDS := build $(if $(filter $(UNIT_GOALS),$(GOALS)),unit)
MISSING := $(shell CC='$(CC)' CLANG='$(CLANG)' BPFTOOL='$(BPFTOOL)' \
	LLVM_STRIP='$(LLVM_STRIP)' PKG_CONFIG='$(PKG_CONFIG)' \
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
# CFLAGS and LDFLAGS are the user's (make CFLAGS=-O0 keeps the include
# paths); EXTRA_* add to them, as in bpftool and libbpf-tools.
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) -I$(OUT) -I. $(PC_CFLAGS) -MMD -MP \
	$(CFLAGS) $(EXTRA_CFLAGS)
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
APP_OBJS := $(patsubst %.c,$(OUT)/%.o,$(APP_SRCS)) $(OUT)/keymaps_data.o
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
	$(OUT)/core/explain $(OUT)/tui \
	$(OUT)/tests/unit

.DELETE_ON_ERROR:
.PHONY: all clean deps run test unit integration vm screenshots bench fuzz soak soak-vm

all: $(BIN)

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
		$(OUT)/explain-test $(OUT)/nftrace-test
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
	$(Q)rm -rf $(OUT) build build-san skbscope

include tests/fuzz/fuzz.mk

-include $(wildcard $(OUT)/*.d $(OUT)/app/*.d $(OUT)/core/*.d $(OUT)/core/lib/*.d \
	$(OUT)/core/trace/*.d $(OUT)/core/explain/*.d $(OUT)/tui/*.d \
	$(OUT)/tests/unit/*.d)

# The explain drivers, for tests/integration/explain.sh and explain_nft.sh:
# each makes up the drop event of a packet sent for real and explains it
# from the live kernel's state, so neither needs BPF.
$(OUT)/explain-test: tests/explain/explain_test.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(filter %.c %.o,$^) $(LDLIBS) -o $@

$(OUT)/nftrace-test: tests/explain/nftrace_test.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(filter %.c %.o,$^) $(LDLIBS) -o $@
