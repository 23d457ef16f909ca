#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The SuperSpike feedback comparison over seeds (doc/superspike.md): runs
# MODEL with symmetric, random and uniform feedback for each seed and prints
# one row per run: feedback, seed, the mean accuracy and loss of the last N
# trials, and the loss of trial 1.
#
#   sh models/feedback_sweep.sh MODEL OUTDIR [SEEDS] [LAST] [--set K=V]...
#
# SEEDS defaults to "1 2 3", LAST (trials averaged at the end) to 100;
# further arguments go to every `evsnn run` (e.g. --set
# simulation.duration=189s for the shorter S4 sweep of doc/superspike.md).
# EVSNN names the program (default: evsnn on PATH). Runs one after another.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 MODEL OUTDIR [SEEDS] [LAST] [--set K=V]..." >&2; exit 2; }
model=$1; out=$2; shift 2
seeds="1 2 3"; last=100
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then seeds=$1; shift; fi
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then last=$1; shift; fi
evsnn=${EVSNN:-evsnn}
mkdir -p "$out"
{
printf 'feedback\tseed\taccuracy_last\tloss_last\tloss_first\n'
for seed in $seeds; do
  for fb in symmetric random uniform; do
    dir="$out/$fb-$seed"
    "$evsnn" run "$model" -q --seed "$seed" --set superspike.feedback=$fb \
      -o "$dir" "$@"
    awk -F '\t' -v fb=$fb -v seed=$seed -v last=$last '
      NR == 2 { first = $2 }
      NR > 1 { n++; acc[n] = $4; loss[n] = $2 }
      END {
        a = 0; l = 0; k = n < last ? n : last
        for (i = n - k + 1; i <= n; i++) { a += acc[i]; l += loss[i] }
        printf "%s\t%s\t%.3f\t%.4g\t%.4g\n", fb, seed, a / k, l / k, first
      }' "$dir/learning.tsv"
  done
done
} | tee "$out/sweep.tsv.part"
mv "$out/sweep.tsv.part" "$out/sweep.tsv"
