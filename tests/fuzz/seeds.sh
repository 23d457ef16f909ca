#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — seeds.sh HARNESS SRCDIR OUT: writes the seed inputs of a fuzz
# harness into the folder OUT, made at each run from the source tree's
# models and test data (tests/fuzz/fuzz.mk); the inputs kept in
# tests/fuzz/regress/HARNESS/ are seeds as well. A harness may get a
# dictionary too, OUT.dict.
set -eu
h=$1
src=$2
out=$3
n=0
# seed FILE...: copies files into OUT under numbered names.
seed() {
  for f in "$@"; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$out/seed$n"
  done
}
case $h in
model)
  # Every model, populations above the harness's size cap (1000) shrunk to
  # it so the seed loads; the files with errors of tests/data/bad; some
  # with --set overrides after a NUL byte.
  for f in "$src"/models/*.ini "$src"/tests/data/bad/*.ini; do
    n=$((n + 1))
    sed -E 's/^([[:space:]]*size[[:space:]]*=[[:space:]]*)[0-9]{4,}/\11000/' \
      "$f" >"$out/seed$n"
  done
  for m in cuba p3_stdp s1_single p1_oja; do
    n=$((n + 1))
    sed -E 's/^([[:space:]]*size[[:space:]]*=[[:space:]]*)[0-9]{4,}/\1100/' \
      "$src/models/$m.ini" >"$out/seed$n"
    printf '\000simulation.duration=10 ms\000simulation.seed=7' >>"$out/seed$n"
  done
  n=$((n + 1))
  sed -E 's/^([[:space:]]*size[[:space:]]*=[[:space:]]*)[0-9]{4,}/\1100/' \
    "$src/models/cuba.ini" >"$out/seed$n"
  printf '\000E.tau_m=10 ms\000population I.size=50\000EE.p=0.1' \
    >>"$out/seed$n"
  # A dictionary (OUT.dict, libFuzzer's -dict): the names the format
  # documents (`names` of doc/model-format.md: keys, types, rules, connect
  # rules, units), the keys the models use, and hostile values.
  {
    sed -n 's/`\([A-Za-z_][A-Za-z0-9_]*\)`/\n\1\n/gp' \
      "$src/doc/model-format.md" | grep -E '^[A-Za-z_][A-Za-z0-9_]*$'
    sed -n -E 's/^[[:space:]]*([a-z_0-9]+)[[:space:]]*=.*/\1/p' \
      "$src"/models/*.ini
    printf '%s\n' population projection input simulation superspike \
      ms s mV nA pA uS nS Hz 0 -1 1e-12 1e300 inf nan 4294967296 \
      100000000 4000000000 1000000000000 18446744073709551616 /dev/zero
  } | sort -u | sed 's/.*/"&"/' >"$out.dict"
  ;;
ras)
  seed "$src"/models/*.ras "$src"/tests/data/input.ras
  n=$((n + 1))
  { printf '# 4 0.05\n'; cat "$src/tests/data/input.ras"; } >"$out/seed$n"
  ;;
edges)
  seed "$src/tests/data/edges.txt"
  for flags in 0 1 3; do
    n=$((n + 1))
    { printf '# 4 4 %s\n' "$flags"; cat "$src/tests/data/edges.txt"; } \
      >"$out/seed$n"
  done
  ;;
pbm)
  seed "$src"/models/*.pbm
  n=$((n + 1))
  printf 'P1\n# a comment\n5 3\n0 1 0 1 1\n1 0 0 0 1\n11111\n' >"$out/seed$n"
  n=$((n + 1))
  printf 'P4\n10 2\n\252\300\125\100' >"$out/seed$n"
  ;;
*)
  echo "seeds.sh: unknown harness '$h'" >&2
  exit 2
  ;;
esac
if [ -d "$src/tests/fuzz/regress/$h" ]; then
  seed "$src/tests/fuzz/regress/$h"/*
fi
