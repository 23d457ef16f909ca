#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Static weights and delays read and set between phases on threads and
# ranks (tests/ranks_phases.c): each process reads the weights of the
# synapses it holds in the net's order, sets each weight and delay from its
# (pre, post) pair and reads them back. The raster of E
# must be the one-process, one-thread run's on 2 and 3 threads, and, built
# with MPI (MPIRUN set by make check), on 1 and 2 ranks of 1 and 2 threads
# (oversubscribed, allowed as root as CI runs). Every process must report
# ok.
set -u
RANKS_PHASES=${RANKS_PHASES:-tests/ranks_phases}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ranks_phases.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0

# check NAME RANKS COMMAND...: runs COMMAND into $tmp/NAME, expects RANKS
# processes to report ok and E.ras to be the reference's.
check() {
  name=$1 np=$2
  shift 2
  out=$("$@" "$tmp/$name" 2>&1)
  rc=$?
  ok=$(printf '%s\n' "$out" | grep -c "of $np: ok$")
  if [ "$rc" -ne 0 ] || [ "$ok" -ne "$np" ]; then
    printf '%s\n' "$out"
    echo "FAIL: $name (exit $rc, $ok of $np processes ok)"
    status=1
    return
  fi
  [ "$name" = ref ] && return
  if ! cmp -s "$tmp/ref/E.ras" "$tmp/$name/E.ras"; then
    echo "FAIL: $name: E.ras differs from one process on one thread"
    status=1
  else
    echo "ok: $name: E.ras as one process on one thread"
  fi
}

# ranks NP THREADS OUTDIR
ranks() {
  "$MPIRUN" --oversubscribe --allow-run-as-root -np "$1" "$RANKS_PHASES" \
    "$3" "$2"
}
run1() { "$RANKS_PHASES" "$1" 1; }
run2() { "$RANKS_PHASES" "$1" 2; }
run3() { "$RANKS_PHASES" "$1" 3; }

check ref 1 run1
[ -s "$tmp/ref/E.ras" ] || { echo "FAIL: no spikes of E"; exit 1; }
check t2 1 run2
check t3 1 run3
if [ -n "${MPIRUN:-}" ] && [ "$MPIRUN" != no ]; then
  for rt in 1x1 2x1 2x2; do
    r=${rt%x*} t=${rt#*x}
    eval "mpi_$r$t() { ranks $r $t \"\$1\"; }"
    check "mpi$rt" "$r" "mpi_$r$t"
  done
fi
exit $status
