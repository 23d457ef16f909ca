#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The long-run soak (issue 15, item 6; not in make check): a 1-hour
# simulated P4 fast run and a 2,000-trial S1 run, side by side, each
# watched for memory growth (the process's VmRSS sampled over time) and,
# with an evsnn built under AddressSanitizer and UndefinedBehaviorSanitizer
# (./configure --enable-sanitizers), for any sanitizer report (an invalid
# access, undefined behaviour, a leak at exit). Optionally, shorter runs of
# both under valgrind's memcheck.
#
#   bench/soak.sh [OUTDIR]     (default: soak-out)
#
# Environment: EVSNN (default ./evsnn; an installed binary, not libtool's
# wrapper script, so that its VmRSS is the program's), MODELS (default
# models), P4_SECONDS (simulated, default 3600), S1_TRIALS (default 2000,
# 0.5 s each), SAMPLE (seconds between RSS samples, default 10), WARMUP
# (the fraction of a run's samples before its memory must stay flat,
# default 0.25), GROWTH_KIB (the growth allowed after the warm-up, default
# 2048: below), MAX_WALL (seconds of wall time after which a run still
# going is sent SIGINT, which stops it cleanly with a checkpoint that
# 'evsnn resume' continues; default 0, no limit), P4_SET (more options for
# the P4 run; default '--set EE.eta=1 --set EE.tau_hom=2.5s': p4_fast.ini's
# network learning at the published rate, eta = 1, for the hour of the
# published protocol (Auryn's sim_background: 3,600 s at eta = 1), with the
# homeostasis of the eta = 10 setting that stayed in band longest, 0.25 s,
# scaled back by the same factor; p4_fast.ini itself learns 10 times faster,
# so an hour of it is 10 hours of the published learning, and it leaves its
# band within 20 minutes: doc/p4.md, "An hour"), P4_RESUME (a folder of an
# earlier P4 run stopped by MAX_WALL: 'evsnn resume' continues it from its
# checkpoint, watched the same way (as p4_resume), instead of a new P4 run),
# QUARANTINE_MB (ASan's quarantine of freed blocks, default 0: off.
# A quarantine grows the resident memory by the bytes freed until it is
# full, which a run that frees little a trial does not reach within its
# warm-up: S1 at 16 MiB grew 4.3 MiB over 2,000 trials, 0.3 MiB without.
# Off, ASan finds fewer uses after free; a run with a quarantine is the
# stronger check for them, its memory verdict then moot), VG_P4_SECONDS
# and VG_S1_TRIALS (memcheck runs, default 0: none). A count of 0 skips
# that run.
#
# Verdict per run: PASS when it ended with status 0 (or was stopped by
# MAX_WALL's SIGINT: status 130, said so), wrote no sanitizer report, and
# its resident memory grew by at most GROWTH_KIB from the end of the
# warm-up to its end. What may grow after the warm-up without a leak: the
# pages of the outputs' stdio buffers, touched as the files grow (1 MiB for
# a raster, the C library's 4 KiB to 256 KiB for the others), and the
# allocator's own (ASan's quarantine: QUARANTINE_MB); a leak of 1 KiB per simulated second or per trial exceeds
# 2 MiB over either run, and a leak of an unreachable block is reported by
# LeakSanitizer at exit whatever its size.
set -u
out=${1:-soak-out}
EVSNN=${EVSNN:-./evsnn}
MODELS=${MODELS:-models}
P4_SECONDS=${P4_SECONDS:-3600}
S1_TRIALS=${S1_TRIALS:-2000}
SAMPLE=${SAMPLE:-10}
WARMUP=${WARMUP:-0.25}
GROWTH_KIB=${GROWTH_KIB:-2048}
MAX_WALL=${MAX_WALL:-0}
P4_SET=${P4_SET---set EE.eta=1 --set EE.tau_hom=2.5s}
P4_RESUME=${P4_RESUME:-}
QUARANTINE_MB=${QUARANTINE_MB:-0}
VG_P4_SECONDS=${VG_P4_SECONDS:-0}
VG_S1_TRIALS=${VG_S1_TRIALS:-0}
mkdir -p "$out" || exit 1

sanitized=no
if ldd "$EVSNN" 2>/dev/null | grep -q 'libasan'; then sanitized=yes; fi

# watch NAME CMD...: runs CMD with its sanitizer reports going to
# $out/NAME.asan.PID / NAME.ubsan.PID, samples its VmRSS every $SAMPLE s
# into $out/NAME.rss.tsv (wall_s rss_kib), stops it with SIGINT after
# MAX_WALL s, and writes the verdict line to $out/NAME.verdict.
watch() {
  local name=$1
  shift
  local t0 pid rss rc stopped=0
  rm -f "$out/$name".asan.* "$out/$name".ubsan.*
  t0=$(date +%s)
  ASAN_OPTIONS="log_path=$out/$name.asan:exitcode=86:detect_leaks=1:quarantine_size_mb=$QUARANTINE_MB" \
    UBSAN_OPTIONS="log_path=$out/$name.ubsan:exitcode=87:halt_on_error=1:print_stacktrace=1" \
    "$@" >"$out/$name.stdout" 2>"$out/$name.stderr" &
  pid=$!
  printf 'wall_s\trss_kib\n' >"$out/$name.rss.tsv"
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
    [ -n "$rss" ] && printf '%s\t%s\n' $(($(date +%s) - t0)) "$rss" \
      >>"$out/$name.rss.tsv"
    if [ "$MAX_WALL" != 0 ] && [ "$stopped" = 0 ] &&
      [ $(($(date +%s) - t0)) -ge "$MAX_WALL" ]; then
      kill -INT "$pid" 2>/dev/null && stopped=1
    fi
    sleep "$SAMPLE"
  done
  wait "$pid"
  rc=$?
  local reports
  reports=$(ls "$out/$name".asan.* "$out/$name".ubsan.* 2>/dev/null | tr '\n' ' ')
  awk -F '\t' -v name="$name" -v rc="$rc" -v stopped="$stopped" \
    -v wall=$(($(date +%s) - t0)) -v warm="$WARMUP" -v limit="$GROWTH_KIB" \
    -v reports="$reports" -v sanitized="$sanitized" '
    NR > 1 { r[++n] = $2 }
    END {
      ok_rc = rc == 0 || (stopped && rc == 130)
      why = ok_rc ? "" : sprintf("status %d; ", rc)
      if (reports != "") why = why "sanitizer reports: " reports "; "
      if (n < 8) {
        printf "%s: FAIL: status %d, %d s wall, %d samples: too few to judge\n", name, rc, wall, n
        exit
      }
      w = int(n * warm) + 1; peak = 0
      for (i = 1; i <= n; i++) if (r[i] > peak) peak = r[i]
      g = r[n] - r[w]
      if (g > limit) why = why sprintf("grew %d KiB after the warm-up (limit %d); ", g, limit)
      printf "%s: %s: status %d%s, %d s wall, %d samples; RSS %d KiB at the warm-up'"'"'s end (sample %d), %d at 1/2, %d at 3/4, %d at the end (peak %d): growth %+d KiB (%+.2f %%) after the warm-up; sanitizers: %s, %s\n",
             name, why == "" ? "PASS" : "FAIL " why, rc,
             stopped ? " (stopped by MAX_WALL with SIGINT)" : "", wall, n,
             r[w], w, r[int(n / 2) + 1], r[int(3 * n / 4) + 1], r[n], peak,
             g, 100 * g / r[w], sanitized == "yes" ? "ASan+UBSan" : "none (plain build)",
             reports == "" ? "no report" : "REPORTS" }' \
    "$out/$name.rss.tsv" >"$out/$name.verdict"
}

# memcheck NAME CMD...: runs CMD under valgrind's memcheck; writes its
# error summary and leak lines to $out/NAME.verdict.
memcheck() {
  local name=$1
  shift
  valgrind --error-exitcode=86 --leak-check=full --show-leak-kinds=all \
    --log-file="$out/$name.valgrind" "$@" \
    >"$out/$name.stdout" 2>"$out/$name.stderr"
  local rc=$?
  printf '%s: %s: status %d; %s; %s\n' "$name" \
    "$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)" "$rc" \
    "$(grep -o 'ERROR SUMMARY: [0-9,]* errors' "$out/$name.valgrind" | head -n 1)" \
    "$(grep -E 'in use at exit|definitely lost' "$out/$name.valgrind" |
      sed 's/^==[0-9]*== *//' | tr '\n' ';')" >"$out/$name.verdict"
}

s1_seconds=$(awk -v n="$S1_TRIALS" 'BEGIN { print n * 0.5 }')
vg_s1_seconds=$(awk -v n="$VG_S1_TRIALS" 'BEGIN { print n * 0.5 }')
echo "# $(date -u '+%F %T') UTC, $(nproc) cores, load $(cut -d ' ' -f 1-3 /proc/loadavg); $EVSNN, sanitizers: $sanitized"
names=()
if [ -n "$P4_RESUME" ]; then
  # the run's own model, overrides and duration are in its checkpoint
  watch p4_resume "$EVSNN" resume "$P4_RESUME" -q &
  names+=(p4_resume)
elif [ "$P4_SECONDS" != 0 ]; then
  # shellcheck disable=SC2086
  watch p4 "$EVSNN" run "$MODELS/p4_fast.ini" -q -o "$out/p4" \
    --set "simulation.duration=${P4_SECONDS}s" $P4_SET &
  names+=(p4)
fi
if [ "$S1_TRIALS" != 0 ]; then
  watch s1 "$EVSNN" run "$MODELS/s1_single.ini" -q -o "$out/s1" \
    --set "simulation.duration=${s1_seconds}s" &
  names+=(s1)
fi
if [ "$VG_P4_SECONDS" != 0 ]; then
  memcheck p4_memcheck "$EVSNN" run "$MODELS/p4_fast.ini" -q \
    -o "$out/p4_memcheck" --set "simulation.duration=${VG_P4_SECONDS}s" &
  names+=(p4_memcheck)
fi
if [ "$VG_S1_TRIALS" != 0 ]; then
  memcheck s1_memcheck "$EVSNN" run "$MODELS/s1_single.ini" -q \
    -o "$out/s1_memcheck" --set "simulation.duration=${vg_s1_seconds}s" &
  names+=(s1_memcheck)
fi
wait
status=0
for name in "${names[@]}"; do
  cat "$out/$name.verdict" 2>/dev/null || echo "$name: FAIL: no verdict"
  grep -q '^[^:]*: PASS' "$out/$name.verdict" 2>/dev/null || status=1
  log="$out/$name/run.log"
  [ "$name" = p4_resume ] && log="$P4_RESUME/run.log"
  tail -n 1 "$log" 2>/dev/null | sed "s/^/  $name run.log: /"
done
echo "# $(date -u '+%F %T') UTC, load $(cut -d ' ' -f 1-3 /proc/loadavg)"
exit $status
