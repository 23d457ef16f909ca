#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# B1 at N = 64,000 (p = 80/N = 0.00125): build time (stat wall_build in run.log),
# before (main at 79e78d6) and after (wiring keyed by target) alternated, 9 pairs.
# OLD and NEW: install prefixes (make install DESTDIR=...); MODELS: models/.
set -e
OLD=${OLD:-/tmp/wiring_base/usr/local}
NEW=${NEW:-/tmp/wiring/newinst/usr/local}
MODELS=${MODELS:-models}
OUT=${OUT:-/tmp/wiring}
ARGS="$MODELS/cuba.ini --set E.size=51200 --set I.size=12800 --set EE.p=0.00125 --set EI.p=0.00125 --set IE.p=0.00125 --set II.p=0.00125 --set simulation.duration=1ms -q"
for k in 1 2 3 4 5 6 7 8 9; do
  for w in old new; do
    if [ $w = old ]; then P=$OLD; else P=$NEW; fi
    rm -rf "$OUT/b1_$w"
    LD_LIBRARY_PATH=$P/lib $P/bin/evsnn run $ARGS -o "$OUT/b1_$w"
    echo "$w $k $(awk '$2=="wall_build"{print $3}' "$OUT/b1_$w/run.log")"
  done
done
