#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Every input kept in tests/fuzz/regress/HARNESS/ (one that a fuzzer found
# crashing, leaking or hanging a reader once) goes through its harness
# again, which must now take it: no sanitizer report, no broken contract,
# within the fuzzers' timeout. Skipped (77) when configure found no clang
# with libFuzzer (FUZZ_CC=no).
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): FUZZ_CC, FUZZDIR (the
# harnesses' build folder), FUZZ_REGRESS (the inputs' folder).
set -u

if [ "${FUZZ_CC:-no}" = no ]; then
  echo "SKIP: no clang with libFuzzer (configure FUZZ_CC=...)"
  exit 77
fi
fail=0
tried=0
for h in model ras edges pbm; do
  prog=$FUZZDIR/fuzz_$h
  if [ ! -x "$prog" ]; then
    echo "FAIL: $prog is not an executable"
    exit 99
  fi
  # the harness runs each file given once; a status of its own (a
  # sanitizer's, libFuzzer's 77 or 70) must not read as automake's skip
  for f in "$FUZZ_REGRESS/$h"/*; do
    [ -f "$f" ] || continue
    tried=$((tried + 1))
    if ! out=$("$prog" -timeout=10 -rss_limit_mb=2048 "$f" 2>&1); then
      printf 'FAIL: fuzz_%s %s\n' "$h" "$f"
      printf '%s\n' "$out" | tail -n 30 | sed 's/^/  | /'
      fail=1
    fi
  done
done
echo "$tried regression inputs tried"
if [ "$fail" -ne 0 ]; then exit 1; fi
exit 0
