#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The explorer's cost (figure 5): time per frame into the cell buffer at
# 80x24 and 200x60 with 100,000 packets stored, the store's memory, and the
# bytes written to a pty at ~10k events/s. Figures only (no root needed);
# build/bench-render prints the table and the BENCH lines. Its options
# (-h) can be given here, e.g. "tests/bench/render.sh -t 0" skips the pty.
set -e
cd "$(dirname "$0")/../.."
OUT=${OUT:-build}
make -s --no-print-directory "$OUT/bench-render" >&2
exec "$OUT/bench-render" "$@"
