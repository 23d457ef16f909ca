#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Golden results (tests/golden/README.md): six standard runs whose
# deterministic output files must match, byte for byte, the SHA-256 sums
# stored in tests/golden/RUN.sha256. Every file a run writes is compared
# except run.log (wall-clock times): a file that differs, is missing or is
# new fails the test, which then prints the run's command to reproduce it.
#
#   tests/golden.sh                 check (make check)
#   tests/golden.sh --update DIR    rerun and rewrite DIR/RUN.sha256
#                                   (make golden; its commit says why)
#   tests/golden.sh --list [DIR]    print the commands that write each
#                                   run into DIR/RUN (default out/golden)
#
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): EVSNN, MODELS, TESTDATA;
# GOLDEN (the folder of the sums, default: tests/golden beside this script).
# About 4 s of CPU time (-O3).
. "$(dirname "$0")/common.sh"

GOLDEN=${GOLDEN:-$(dirname "$0")/golden}
RUNS="cuba coba coba_stdp p4_fast s1 s4_reduced"

# q WORD: WORD quoted for sh (single quotes), so a printed command can be
# pasted into a shell whatever the paths hold.
q() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# commands RUN DIR: prints, one command a line, the commands that write
# RUN's output files into DIR (made absolute: a relative superspike.target
# would be read from the model's folder). These lines are the definition
# of the standard runs; README.md repeats them.
commands() {
  case $2 in
  /*) abs=$2 ;;
  *) abs=$(pwd)/$2 ;;
  esac
  e=$(q "$EVSNN")
  m=$(q "$MODELS")
  d=$(q "$abs")
  case $1 in
  cuba)  # B1, CUBA 4,000 neurons, 1 s: rasters and 5 membrane traces
    echo "$e run $m/cuba.ini -q -o $d --set simulation.duration=1s" ;;
  coba)  # B2, COBA 4,000 neurons, 1 s: rasters and 5 membrane traces
    echo "$e run $m/coba.ini -q -o $d --set simulation.duration=1s" ;;
  # coba_stdp and p4_fast also record 5 membrane traces (as cuba.ini and
  # coba.ini do): their spikes lie on the 0.1 ms grid and their weights are
  # floats, so a change of 1e-12 in IF_cond_exp shows only in v (measured;
  # recording v changes no other file).
  coba_stdp)
    # B3, COBA + pair STDP on E->E: every weight at t = 1 s (EE_1000ms.mtx).
    # A snapshot is taken only before the end of the run, so the run lasts
    # one resolution step (0.1 ms) more; the snapshot shows the weights
    # after every spike before 1 s.
    echo "$e run $m/coba_stdp.ini -q -o $d --set simulation.duration=1.0001s" \
      "--set EE.record_matrix=1s --set E.record_v=0-4" \
      "--set E.record_interval=1ms" ;;
  p4_fast)  # P4, homeostatic triplet STDP, fast tau_hom, 6 s (tests/p4.sh)
    echo "$e run $m/p4_fast.ini -q -o $d --set simulation.duration=6s" \
      "--set E.record_v=0-4 --set E.record_interval=1ms" ;;
  s1)  # S1 as shipped: 1,000 SuperSpike trials (burn-in, learning, r0 decay)
    echo "$e run $m/s1_single.ini -q -o $d" ;;
  s4_reduced)
    # S4 reduced as in tests/superspike.sh: a 10 x 50 X (tests/data/
    # s4_x.pbm), S1's 100 inputs, 32 hidden, 200 trials of 0.5 s. The
    # converted picture goes beside the run folder (its header names the
    # PBM's path); the run's out_target.ras carries it into the sums.
    t=$(q "$abs.target.ras")
    echo "$e picture $(q "$TESTDATA")/s4_x.pbm $t"
    echo "$e run $m/s4_picture.ini -q -o $d --set superspike.target=$t" \
      "--set out.size=10 --set hidden.size=32 --set in.size=100" \
      "--set in.file=$m/s1_input.ras --set in.period=0.5s" \
      "--set superspike.trial=0.5s --set simulation.duration=100s" \
      "--set superspike.burn_in=4s --set superspike.r0_decay_time=70s" \
      "--set superspike.record_trials=200" ;;
  *) return 1 ;;
  esac
}

# sums DIR: the sha256sum lines of DIR's files but run.log, sorted by name.
sums() {
  (cd "$1" && find . -type f ! -name run.log | sed 's|^\./||' | LC_ALL=C sort |
    while IFS= read -r f; do sha256sum "$f"; done)
}

# run RUN DIR: runs RUN into DIR; on failure prints why and returns 1.
run() {
  commands "$1" "$2" >"$tmp/$1.cmd"
  if ! (set -e; . "$tmp/$1.cmd") >"$tmp/$1.out" 2>&1; then
    say_fail "golden $1: the run failed"
    sed 's/^/  | /' "$tmp/$1.out" | tail -n 5
    return 1
  fi
}

# compare RUN DIR: DIR's sums against $GOLDEN/RUN.sha256, file by file.
compare() {
  want="$GOLDEN/$1.sha256"
  sums "$2" >"$tmp/$1.got"
  bad=0
  while read -r sum file; do
    got=$(awk -v f="$file" '$2 == f { print $1 }' "$tmp/$1.got")
    if [ -z "$got" ]; then
      say_fail "golden $1: $file was not written"
      bad=1
    elif [ "$got" != "$sum" ]; then
      say_fail "golden $1: $file differs (sha256 $got, golden $sum)"
      bad=1
    fi
  done <"$want"
  while read -r sum file; do
    awk -v f="$file" '$2 == f { found = 1 } END { exit !found }' "$want" || {
      say_fail "golden $1: $file is new (not in $want)"
      bad=1
    }
  done <"$tmp/$1.got"
  if [ "$bad" -ne 0 ]; then
    echo "  reproduce, then compare:"
    commands "$1" "out/golden_$1" | sed 's/^/    /'
    echo "    (cd out/golden_$1 && sha256sum -c $(q "$(cd "$GOLDEN" && pwd)/$1.sha256"))"
    echo "  if the change is intended: make golden, and say why in its commit"
    return 1
  fi
  echo "golden $1: $(wc -l <"$want") files match"
}

need_evsnn
case ${1:-} in
--list)
  for r in $RUNS; do
    echo "# $r"
    commands "$r" "${2:-out/golden}/$r"
  done
  ;;
--update)
  dest=${2:?usage: golden.sh --update DIR}
  for r in $RUNS; do
    run "$r" "$tmp/$r" || continue
    sums "$tmp/$r" >"$dest/$r.sha256"
    echo "golden $r: wrote $dest/$r.sha256 ($(wc -l <"$dest/$r.sha256") files)"
  done
  echo "golden: review the change (git diff); its commit must say why results changed"
  ;;
'')
  for r in $RUNS; do
    if [ ! -r "$GOLDEN/$r.sha256" ]; then
      say_fail "golden $r: no $GOLDEN/$r.sha256"
      continue
    fi
    run "$r" "$tmp/$r" && compare "$r" "$tmp/$r"
  done
  ;;
*)
  echo "usage: golden.sh [--list [DIR] | --update DIR]" >&2
  exit 99
  ;;
esac
finish
