#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# B7's plastic phase (doc/benchmarks.md, doc/zenke2013.md): the cost of a
# simulated second of models/zenke2013.ini at its published size with the
# triplet rule learning, for two builds A and B, runs alternating (A, B, A,
# B, ...) so that both see the same machine.
#
#   bench/b7.sh EVSNN_A EVSNN_B [REPEATS [THREADS [FROM [TO]]]]
#
# REPEATS (default 3) pairs of runs per build on THREADS threads (default
# 1). Each pair is a run to FROM (default 5 s) and a run to TO (default
# 10 s), both with learn_from = FROM: the plastic phase [FROM, TO) costs the
# difference of their event loops (run.log's stat wall_run; the build and
# the primed part cancel) over TO - FROM, in wall seconds per simulated
# second; the difference of the processes' CPU times (user + system, from
# /usr/bin/time) likewise. Prints every pair with the load average (a
# shared machine distorts wall times), the medians and B over A, and
# checks on the way that both builds write the same E.ras and
# EE.weights.tsv in the run to TO (exits 1 when they differ).
#
# B7_SET_A, B7_SET_B (environment, default empty): more options for the
# runs of A, of B, e.g. B7_SET_B="--set E.precision=single --set
# I.precision=single" (doc/zenke2013.md); when they differ the outputs are
# not compared.
set -eu
a=$1
b=$2
reps=${3:-3}
th=${4:-1}
from=${5:-5}
to=${6:-10}
model=$(dirname "$0")/../models/zenke2013.ini
tmp=$(mktemp -d "${TMPDIR:-/tmp}/evsnn-b7.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/median.sh"

# run EVSNN DIR DURATION SET: one run with the options SET; prints
# "wall_run cpu" (s)
run() {
  rm -rf "$2"
  # shellcheck disable=SC2086 # SET is a list of options
  /usr/bin/time -f '%U %S' -o "$2.time" "$1" run "$model" -q -o "$2" \
    --threads "$th" --set simulation.duration="$3s" \
    --set EE.learn_from="${from}s" $4
  w=$(sed -n 's/^stat wall_run //p' "$2/run.log")
  c=$(awk '{ print $1 + $2 }' "$2.time")
  echo "$w $c"
}

r=1
while [ "$r" -le "$reps" ]; do
  for x in A B; do
    if [ "$x" = A ]; then e=$a o=${B7_SET_A:-}; else e=$b o=${B7_SET_B:-}; fi
    s1=$(run "$e" "$tmp/$x.short" "$from" "$o")
    s2=$(run "$e" "$tmp/$x.long" "$to" "$o")
    set -- $s1 $s2
    echo "$1 $2 $3 $4" | awk -v span="$((to - from))" '{
      printf "%.4f %.4f\n", ($3 - $1) / span, ($4 - $2) / span }' \
      >>"$tmp/$x.per"
    printf '%s threads=%s repeat=%s wall_run %s -> %s s, cpu %s -> %s s:' \
      "$x" "$th" "$r" "$1" "$3" "$2" "$4"
    printf ' plastic wall/cpu %s s per s, load %s\n' \
      "$(tail -n 1 "$tmp/$x.per")" "$(cut -d' ' -f1 /proc/loadavg)"
  done
  for f in E.ras EE.weights.tsv; do
    [ "${B7_SET_A:-}" = "${B7_SET_B:-}" ] || break
    if ! cmp -s "$tmp/A.long/$f" "$tmp/B.long/$f"; then
      echo "b7.sh: $f differs between A and B" >&2
      exit 1
    fi
  done
  r=$((r + 1))
done
for x in A B; do
  w=$(cut -d' ' -f1 "$tmp/$x.per" | median)
  c=$(cut -d' ' -f2 "$tmp/$x.per" | median)
  echo "$w $c" >"$tmp/$x.med"
  printf '%s median over %s: plastic %s wall s, %s cpu s per simulated s\n' \
    "$x" "$reps" "$w" "$c"
done
paste "$tmp/A.med" "$tmp/B.med" | awk '{
  printf "B / A: wall %.3f, cpu %.3f\n", $3 / $1, $4 / $2 }'
if [ "${B7_SET_A:-}" = "${B7_SET_B:-}" ]; then
  echo "E.ras and EE.weights.tsv identical for A and B in every run"
else
  echo "A with '${B7_SET_A:-}', B with '${B7_SET_B:-}': outputs not compared"
fi
