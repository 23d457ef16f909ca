#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# P4 sweep (doc/p4.md): for each learning rate eta, bisect the critical
# homeostatic time constant tau_crit of models/p4_fast.ini (the two P4 models
# differ only in tau_hom) and show that tau_crit scales like 1/eta.
#
#   models/p4/sweep.sh [--evsnn PROG] [--out DIR] [--etas "0.625 1.25 2.5 5 10"]
#                      [--steps N] [--lo P] [--hi P] [--span S]
#
# Bisection runs in the product P = eta * tau_hom (s), the tau_hom the run
# stands for at eta = 1, geometrically between --lo (default 4 s, must stay
# in band) and --hi (default 64 s, must run away), --steps times (default 4:
# a final bracket of (hi/lo)^(1/2^steps) = 1.19). A run "runs away" when
# the rate checker stops it (run.log ends 'stopped at t = ...'); it is
# "stable" when it completes. Each run lasts S / eta seconds (--span S,
# default 200 s), the same stretch of learning for every eta; the bracket
# ends are checked too (a result at an end is flagged in the table).
# Writes DIR/runs.tsv (every run) and DIR/tau_crit.tsv (one row per eta:
# the bracket and its geometric mean); E spikes are not recorded.
# Runs under nice; one run at a time.
set -u
evsnn=evsnn
out=out/p4_sweep
etas="0.625 1.25 2.5 5 10"
steps=4
lo0=4
hi0=64
span=200
here=$(cd "$(dirname "$0")" && pwd)
model="$here/../p4_fast.ini"
while [ $# -gt 0 ]; do
  case $1 in
    --evsnn) evsnn=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --etas) etas=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --lo) lo0=$2; shift 2 ;;
    --hi) hi0=$2; shift 2 ;;
    --span) span=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    *) echo "usage: $0 [--evsnn PROG] [--out DIR] [--etas LIST] [--steps N] [--lo P] [--hi P] [--span S]" >&2
       exit 2 ;;
  esac
done
mkdir -p "$out/runs" || exit 1
runs="$out/runs.tsv"
printf 'eta\ttau_hom_s\tP_s\tduration_s\tresult\tt_end_s\twall_s\n' >"$runs"
printf 'eta\ttau_lo_s\ttau_hi_s\ttau_crit_s\teta_tau_crit_s\tnote\n' >"$out/tau_crit.tsv"

# run ETA P: one run; prints "stable" or "ranaway"; appends to runs.tsv
run() {
  tau=$(awk -v p="$2" -v e="$1" 'BEGIN { printf "%.6g", p / e }')
  dur=$(awk -v s="$span" -v e="$1" 'BEGIN { printf "%.6g", s / e }')
  dir="$out/runs/eta$1_tau$tau"
  t0=$(date +%s.%N)
  nice "$evsnn" run "$model" -o "$dir" --set "EE.eta=$1" \
    --set "EE.tau_hom=$tau s" --set "simulation.duration=$dur s" \
    --set "E.record_spikes=no" --set "EE.record_weights=$dur s" \
    >"$dir.out" 2>&1 || { echo "evsnn failed: see $dir.out" >&2; exit 1; }
  t1=$(date +%s.%N)
  last=$(tail -n 1 "$dir/run.log")
  tend=$(echo "$last" | awk '{ print $5 }')
  case $last in
    stopped*) res=ranaway ;;
    completed*) res=stable ;;
    *) echo "unexpected run.log end in $dir: $last" >&2; exit 1 ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%.1f\n' "$1" "$tau" "$2" "$dur" "$res" \
    "$tend" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" >>"$runs"
  echo "$res"
}

for eta in $etas; do
  lo=$lo0
  hi=$hi0
  note=
  r=$(run "$eta" "$lo") || exit 1
  [ "$r" = stable ] || note="lower end ran away; "
  r=$(run "$eta" "$hi") || exit 1
  [ "$r" = ranaway ] || note="${note}upper end stable; "
  i=0
  while [ "$i" -lt "$steps" ]; do
    mid=$(awk -v a="$lo" -v b="$hi" 'BEGIN { printf "%.6g", sqrt(a * b) }')
    r=$(run "$eta" "$mid") || exit 1
    if [ "$r" = stable ]; then lo=$mid; else hi=$mid; fi
    i=$((i + 1))
  done
  note=${note%; }
  note=${note:-ok}
  awk -v e="$eta" -v lo="$lo" -v hi="$hi" -v n="$note" 'BEGIN {
    c = sqrt(lo * hi)
    printf "%s\t%.6g\t%.6g\t%.6g\t%.6g\t%s\n", e, lo / e, hi / e, c / e, c, n }' \
    >>"$out/tau_crit.tsv"
  tail -n 1 "$out/tau_crit.tsv"
done
