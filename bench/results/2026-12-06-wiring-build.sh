#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# B1 at N = 64,000 (p = 80/N = 0.00125): build time (stat wall_build in run.log)
# of up to three builds, alternated in one run, PAIRS rounds:
#   MAIN  wiring by source row (main before the wiring branch)
#   HEAD  wiring keyed by target, sources drawn twice (count, place)
#   NEW   wiring keyed by target, sources kept from the counting pass
# Each variable names a folder with bin/evsnn and lib/ (an install prefix, or a
# build tree's .libs for both); unset ones are skipped. MODELS: models/.
set -e
MODELS=${MODELS:-models}
OUT=${OUT:-/tmp/wiring-bench}
PAIRS=${PAIRS:-9}
ARGS="$MODELS/cuba.ini --set E.size=51200 --set I.size=12800 --set EE.p=0.00125 --set EI.p=0.00125 --set IE.p=0.00125 --set II.p=0.00125 --set simulation.duration=1ms -q"
mkdir -p "$OUT"
k=1
while [ $k -le "$PAIRS" ]; do
  for w in MAIN HEAD NEW; do
    eval P=\${$w:-}
    [ -n "$P" ] || continue
    rm -rf "$OUT/b1_$w"
    LD_LIBRARY_PATH=$P/lib $P/bin/evsnn run $ARGS -o "$OUT/b1_$w"
    echo "$w $k $(awk '$2=="wall_build"{print $3}' "$OUT/b1_$w/run.log")"
  done
  k=$((k + 1))
done
