# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets (tests/fuzz/README.md). Included by the top Makefile;
# everything here is built with clang under $(OUT)/fuzz, apart from the gcc
# objects, so `make fuzz` and `make` never share an object file.

FUZZ_OUT := $(OUT)/fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := filter keymap record record_write event cbpf
# The sanitizers are what turn a wrong read into a finding; UB must stop the
# run, not print and carry on.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 -std=gnu11 $(WARN) -I$(FUZZ_OUT) -I. $(PC_CFLAGS) \
	-MMD -MP $(FUZZ_SAN)

# Only the modules the targets reach, and the toolkit they are built on
# (core/lib): no skeleton, so no BPF build needed.
FUZZ_LIB_SRCS := $(wildcard core/lib/*.c) core/filter.c core/pcapexpr.c \
	core/cbpf.c core/event.c core/record_read.c core/record_write.c core/explain.c \
	core/replay.c core/hooks.c core/ksyms.c core/reasons.c \
	core/outfile.c core/textfile.c core/output_line.c core/output_json.c \
	core/headers.c core/lifetime.c core/retval.c core/skbexpr.c \
	core/nsnames.c tui/keymap.c
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_OUT)/%.o,$(FUZZ_LIB_SRCS)) \
	$(FUZZ_OUT)/keymaps_data.o
FUZZ_BINS := $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-build fuzz-seeds
# Keep the targets' own objects: make would delete them as intermediates.
.PRECIOUS: $(FUZZ_OUT)/tests/fuzz/%.o

FUZZ_DIRS := $(FUZZ_OUT)/core $(FUZZ_OUT)/core/lib $(FUZZ_OUT)/tui \
	$(FUZZ_OUT)/tests/fuzz

$(FUZZ_DIRS):
	$(Q)mkdir -p $@

$(FUZZ_OUT)/%.o: %.c | $(FUZZ_DIRS)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OUT)/keymaps_data.o: $(OUT)/keymaps_data.c | $(FUZZ_OUT)/core
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $^ $(PC_LIBS) -lz \
		-lpthread -o $@

# Writes the generated seeds (a recording, raw events) into the corpus;
# only needed when the formats change.
$(FUZZ_OUT)/gen_seeds: $(FUZZ_OUT)/tests/fuzz/gen_seeds.o $(FUZZ_LIB_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $^ $(PC_LIBS) \
		-lz -lpthread -o $@

fuzz-seeds: $(FUZZ_OUT)/gen_seeds
	$(Q)$(FUZZ_OUT)/gen_seeds tests/fuzz/corpus

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	$(Q)FUZZ_OUT=$(FUZZ_OUT) FUZZ_SECONDS=$(FUZZ_SECONDS) \
		tests/fuzz/run.sh $(FUZZ_TARGETS)

-include $(wildcard $(FUZZ_OUT)/core/*.d $(FUZZ_OUT)/core/lib/*.d \
	$(FUZZ_OUT)/tui/*.d \
	$(FUZZ_OUT)/tests/fuzz/*.d)
