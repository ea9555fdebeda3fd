#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The folder rules of docs/ARCHITECTURE.md, checked on the includes: the
# pure part never reaches libbpf, the skeleton or curses, tui/ never reaches
# the tracer, and only tui/blit.c calls curses. A rule broken names the file
# and the include. Needs no root and no BPF toolchain.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

# rule NAME FILES... -- PATTERN: no FILE has an #include matching PATTERN.
rule() {
	local name=$1 bad
	shift
	local files=()
	while [ "$1" != "--" ]; do files+=("$1"); shift; done
	shift
	bad=$(grep -HnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($1)" \
		"${files[@]}" 2>/dev/null)
	if [ -z "$bad" ]; then
		ok "$name"
	else
		not_ok "$name:"
		echo "$bad" | sed 's/^/     /'
	fi
}

pure=(core/*.c core/*.h core/lib/*.c core/lib/*.h)
trace=(core/trace/*.c core/trace/*.h)
tui=(tui/*.c tui/*.h)
notblit=()
for f in "${tui[@]}"; do [ "$f" = tui/blit.c ] || notblit+=("$f"); done

rule "core/ includes no libbpf, skeleton or tracer header" "${pure[@]}" -- \
	'bpf/(libbpf|bpf|btf)\.h|[^"]*skel\.h|core/trace/'
rule "core/ includes nothing of tui/ or app/" "${pure[@]}" "${trace[@]}" -- \
	'tui/|app/'
rule "core/ never includes curses" "${pure[@]}" "${trace[@]}" -- \
	'(ncursesw/)?(n?curses|term)\.h'
rule "core/lib/ includes only itself" core/lib/*.c core/lib/*.h -- \
	'core/[a-z_]+\.h|core/trace/'
rule "tui/ includes nothing of the tracer or libbpf" "${tui[@]}" -- \
	'bpf/(libbpf|bpf|btf)\.h|[^"]*skel\.h|core/trace/|app/'
rule "only tui/blit.c includes curses" "${notblit[@]}" -- \
	'(ncursesw/)?(n?curses|term)\.h'
rule "bpf/ includes only bpf/ and the kernel's headers" bpf/*.c bpf/*.h -- \
	'core/|tui/|app/'
# Only files that use the skeleton include it, by the one line the
# Makefile looks for (TRACE_SKEL_SRCS).
bad=$(grep -lE 'skbscope(-loop)?\.skel\.h' "${trace[@]}" | grep -v '^core/trace/skel\.[ch]$')
if [ -z "$bad" ]; then
	ok "the generated skeletons are included only by core/trace/skel.[ch]"
else
	not_ok "the generated skeletons are included directly by: $bad"
fi
finish
