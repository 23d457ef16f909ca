#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The rank exchange's traffic as doc/cost-model.md predicts it: a raster of
# N = 100 neurons (made here) replayed by bench/comm_bench window by window
# (0.1 ms) on 1 rank, and, built with --with-mpi (MPIRUN set by make
# check), on 1, 2 and 4 ranks under mpirun. Every rank must report, for W
# windows, S spikes in all and S_r of its block of neurons (counted here
# with awk): 2 W collectives, 8 W + 16 S_r bytes sent and 8 R W + 16 S
# bytes received (evs__comm_stats).
set -u
COMM_BENCH=${COMM_BENCH:-bench/comm_bench}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/evsnn-traffic.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=100
window=0.0001
# 1,500 spikes over 0.3 s, ids scattered, some windows empty, some with
# several spikes
awk 'BEGIN { for (i = 0; i < 1500; i++) {
  t = 0.0002 * i + (i % 7) * 0.00001; if (i % 5 == 0) t += 0.00004
  printf "%.9f %d\n", t, (i * 37 + int(i / 11)) % 100 } }' |
  sort -g >"$tmp/spikes.ras"
windows=$(awk -v w="$window" '{ if ($1 > m) m = $1 } END {
  printf "%d\n", int(m / w) + 1 }' "$tmp/spikes.ras")
total=$(wc -l <"$tmp/spikes.ras")

check() { # RANKS OUTPUT
  np=$1
  out=$2
  status=0
  r=0
  while [ "$r" -lt "$np" ]; do
    lo=$((n * r / np))
    hi=$((n * (r + 1) / np))
    mine=$(awk -v lo="$lo" -v hi="$hi" '$2 >= lo && $2 < hi { k++ }
      END { print k + 0 }' "$tmp/spikes.ras")
    want="rank $r spikes $mine collectives $((2 * windows)) bytes_sent $((8 * windows + 16 * mine)) bytes_received $((8 * np * windows + 16 * total))"
    got=$(printf '%s\n' "$out" | grep "^rank $r ")
    if [ "$got" != "$want" ]; then
      echo "FAIL: $np ranks: got '$got', predicted '$want'"
      status=1
    fi
    r=$((r + 1))
  done
  printf '%s\n' "$out" | grep -q "^ranks $np windows $windows spikes $total " || {
    echo "FAIL: $np ranks: summary line, predicted $windows windows and $total spikes"
    status=1
  }
  return $status
}

status=0
if [ -z "${MPIRUN:-}" ] || [ "$MPIRUN" = no ]; then
  out=$("$COMM_BENCH" replay "$tmp/spikes.ras" $n $window) || {
    echo "$out"
    echo "FAIL: comm_bench replay on one rank"
    exit 1
  }
  echo "$out"
  check 1 "$out" || status=1
  exit $status
fi
for np in 1 2 4; do
  out=$("$MPIRUN" --oversubscribe --allow-run-as-root -np "$np" \
    "$COMM_BENCH" replay "$tmp/spikes.ras" $n $window 2>&1)
  rc=$?
  echo "$out"
  if [ "$rc" -ne 0 ]; then
    echo "FAIL: $np ranks: exit $rc"
    status=1
    continue
  fi
  check "$np" "$out" || status=1
done
exit $status
