#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Threads: wall time of the event loop (run.log's stat wall_run) on 1 and
# 2 threads, runs alternating (1, 2, 1, 2, ...) so that both see the same
# machine; prints every run with the load average (a shared machine
# distorts wall times), the medians and their ratio (doc/scaling.md). The
# outputs of the 1- and 2-thread runs are compared byte for byte on the way.
#
#   bench/threads.sh [EVSNN [REPEATS [DURATION [CASES]]]]
#
# EVSNN: the evsnn program (default ./evsnn), REPEATS per thread count
# (default 5), DURATION simulated (default 2s), CASES a space-separated
# list of (default "B1_64k CUBA_4k"):
#   B1_4k B1_64k B1_256k  B1 (models/cuba.ini) at N = 4,000 / 64,000 / 256,000
#   CUBA_4k               the same as B1_4k (the name of earlier results)
#   B2_64k                B2 (models/coba.ini) at N = 64,000
#   B3_64k                B3 (models/coba_stdp.ini) at N = 64,000
#   MC_10                 the microcircuit (models/microcircuit.ini) at 10 %
#                         of its neurons and in-degrees
set -eu
evsnn=${1:-./evsnn}
reps=${2:-5}
dur=${3:-2s}
cases=${4:-B1_64k CUBA_4k}
models=$(dirname "$0")/../models
tmp=$(mktemp -d "${TMPDIR:-/tmp}/evsnn-threads.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/median.sh"

# sizes N: the --set arguments of a Brette et al. network of N neurons
# (80 % excitatory, p = 80 / N)
sizes() {
  ne=$(($1 * 4 / 5))
  p=$(awk -v n="$1" 'BEGIN { printf "%.10g", 80 / n }')
  echo "--set E.size=$ne --set I.size=$(($1 - ne)) --set EE.p=$p" \
    "--set EI.p=$p --set IE.p=$p --set II.p=$p"
}

bench() { # NAME MODEL ARGS...
  name=$1
  model=$2
  shift 2
  : >"$tmp/$name.1"
  : >"$tmp/$name.2"
  r=1
  while [ "$r" -le "$reps" ]; do
    for th in 1 2; do
      rm -rf "$tmp/out$th"
      "$evsnn" run "$models/$model" -q -o "$tmp/out$th" --threads "$th" \
        --set simulation.duration="$dur" "$@"
      w=$(sed -n 's/^stat wall_run //p' "$tmp/out$th/run.log")
      echo "$w" >>"$tmp/$name.$th"
      printf '%s threads=%s repeat=%s wall_run=%s s load=%s\n' \
        "$name" "$th" "$r" "$w" "$(cut -d' ' -f1 /proc/loadavg)"
    done
    for f in $(cd "$tmp/out1" && ls); do
      [ "$f" = run.log ] && continue
      cmp -s "$tmp/out1/$f" "$tmp/out2/$f" || {
        echo "$name: $f differs"
        exit 1
      }
    done
    r=$((r + 1))
  done
  m1=$(median <"$tmp/$name.1")
  m2=$(median <"$tmp/$name.2")
  awk -v a="$m1" -v b="$m2" -v name="$name" 'BEGIN {
    printf "%s median wall_run: 1 thread %.3f s, 2 threads %.3f s, speed-up %.2f\n",
      name, a, b, a / b }'
  grep '^thread ' "$tmp/out2/run.log"
}

for c in $cases; do
  case $c in
  B1_4k | CUBA_4k) bench "$c" cuba.ini ;;
  B1_64k) bench "$c" cuba.ini $(sizes 64000) ;;
  B1_256k) bench "$c" cuba.ini $(sizes 256000) ;;
  B2_64k) bench "$c" coba.ini $(sizes 64000) ;;
  B3_64k) bench "$c" coba_stdp.ini $(sizes 64000) ;;
  MC_10) bench "$c" microcircuit.ini --set network.scale=0.1 \
    --set network.k_scale=0.1 ;;
  *)
    echo "bench/threads.sh: no case $c" >&2
    exit 2
    ;;
  esac
done
