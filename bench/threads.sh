#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Threads: wall time of the event loop (run.log's stat wall_run) of B1 (CUBA)
# at N = 64,000 and N = 4,000 on 1 and 2 threads, runs alternating
# (1, 2, 1, 2, ...) so that both see the same machine; prints every run and
# the medians and their ratio (doc/scaling.md), with the load average,
# since a shared machine distorts wall times. The outputs of the 1- and
# 2-thread runs are compared byte for byte on the way.
#
#   bench/threads.sh [EVSNN [REPEATS [DURATION]]]
#
# EVSNN: the evsnn program (default ./evsnn), REPEATS per thread count
# (default 5), DURATION simulated (default 2s).
set -eu
evsnn=${1:-./evsnn}
reps=${2:-5}
dur=${3:-2s}
models=$(dirname "$0")/../models
tmp=$(mktemp -d "${TMPDIR:-/tmp}/evsnn-threads.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# median: of the numbers on standard input
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench() { # NAME N
  name=$1
  n=$2
  ne=$((n * 4 / 5))
  ni=$((n - ne))
  p=$(awk -v n="$n" 'BEGIN { printf "%.10g", 80 / n }')
  : >"$tmp/$name.1"
  : >"$tmp/$name.2"
  r=1
  while [ "$r" -le "$reps" ]; do
    for th in 1 2; do
      "$evsnn" run "$models/cuba.ini" -q -o "$tmp/out$th" --threads "$th" \
        --set simulation.duration="$dur" --set E.size="$ne" \
        --set I.size="$ni" --set EE.p="$p" --set EI.p="$p" \
        --set IE.p="$p" --set II.p="$p"
      w=$(sed -n 's/^stat wall_run //p' "$tmp/out$th/run.log")
      echo "$w" >>"$tmp/$name.$th"
      printf '%s N=%s threads=%s repeat=%s wall_run=%s s load=%s\n' \
        "$name" "$n" "$th" "$r" "$w" "$(cut -d' ' -f1 /proc/loadavg)"
    done
    for f in E.ras I.ras summary.tsv v_E.tsv; do
      cmp -s "$tmp/out1/$f" "$tmp/out2/$f" || { echo "$f differs"; exit 1; }
    done
    r=$((r + 1))
  done
  m1=$(median <"$tmp/$name.1")
  m2=$(median <"$tmp/$name.2")
  awk -v a="$m1" -v b="$m2" -v name="$name" -v n="$n" 'BEGIN {
    printf "%s N=%s median wall_run: 1 thread %.3f s, 2 threads %.3f s, speed-up %.2f\n",
      name, n, a, b, a / b }'
  grep '^thread ' "$tmp/out2/run.log"
}

bench B1_64k 64000
bench CUBA_4k 4000
