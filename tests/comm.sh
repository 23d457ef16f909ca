#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The rank communicator (src/comm.c, tests/comm_test.c): on one rank without
# MPI; built with --with-mpi (MPIRUN set by make check), under mpirun on 1,
# 2 and 4 ranks, oversubscribed (more ranks than cores) and allowed as root
# (CI runs as root). Every rank must report ok.
set -u
COMM_TEST=${COMM_TEST:-tests/comm_test}
if [ -z "${MPIRUN:-}" ] || [ "$MPIRUN" = no ]; then
  out=$("$COMM_TEST") || { echo "$out"; echo "FAIL: comm_test on one rank"; exit 1; }
  echo "$out"
  [ "$out" = "comm_test: rank 0 of 1: ok" ] || { echo "FAIL: unexpected output"; exit 1; }
  exit 0
fi
status=0
for np in 1 2 4; do
  out=$("$MPIRUN" --oversubscribe --allow-run-as-root -np "$np" "$COMM_TEST" 2>&1)
  rc=$?
  echo "$out"
  ok=$(printf '%s\n' "$out" | grep -c "of $np: ok$")
  if [ "$rc" -ne 0 ] || [ "$ok" -ne "$np" ]; then
    echo "FAIL: $np ranks (exit $rc, $ok of $np ranks ok)"
    status=1
  fi
done
exit $status
