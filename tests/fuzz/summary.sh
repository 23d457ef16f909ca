#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — summary.sh HARNESS STATUS DIR: the .trs record of one fuzz run
# (tests/fuzz/fuzz.mk) from its log DIR/fuzz_HARNESS.log and libFuzzer's
# exit STATUS: ":test-result: PASS" (no finding) or FAIL, and a
# ":summary:" line with executions, speed, corpus and findings.
h=$1
rc=$2
d=$3
log=$d/fuzz_$h.log
stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
runs=$(stat number_of_executed_units)
speed=$(stat average_exec_per_sec)
rss=$(stat peak_rss_mb)
corpus=$(find "$d/corpus/$h" -type f | wc -l)
found=$(find "$d/artifacts/$h" -type f | wc -l)
cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then res=PASS; else res=FAIL; fi
echo ":test-result: $res"
echo ":summary: fuzz_$h: $res: ${runs:-0} inputs (${speed:-0}/s), corpus $corpus, coverage ${cov:-?} edges, peak RSS ${rss:-?} MB, findings $found$(
  [ "$found" -gt 0 ] && printf ' (%s)' "$(ls "$d/artifacts/$h" | tr '\n' ' ')")"
