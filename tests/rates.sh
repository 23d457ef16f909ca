#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The benchmark models reach their published mean rates (doc/benchmarks.md):
# CUBA (B1) 5.6 Hz -> accepted 5.0-6.2 Hz; COBA (B2) ~20 Hz -> 15-25 Hz.
# The mean is over all neurons, computed from the rasters, not the summary.
. "$(dirname "$0")/common.sh"
need_evsnn

# mean_rate DIR DURATION: spikes of all .ras files / neurons in summary.tsv / T
mean_rate() {
  spikes=$(cat "$1"/*.ras | grep -vc '^#')
  neurons=$(awk -F'\t' 'NR > 1 { n += $2 } END { print n }' "$1/summary.tsv")
  awk -v s="$spikes" -v n="$neurons" -v t="$2" 'BEGIN { printf "%.3f", s / n / t }'
}

for spec in "cuba 5.0 6.2" "coba 15 25"; do
  set -- $spec
  expect_status 0 "run $1" "$EVSNN" run "$MODELS/$1.ini" -q -o "$tmp/$1" || continue
  rate=$(mean_rate "$tmp/$1" 10)
  echo "$1: mean rate $rate Hz (accepted $2-$3 Hz)"
  awk -v r="$rate" -v lo="$2" -v hi="$3" 'BEGIN { exit !(r >= lo && r <= hi) }' ||
    say_fail "$1: mean rate $rate Hz outside [$2, $3]"
done
finish
