#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# SuperSpike end to end (doc/validation.md Part 2, doc/superspike.md):
#  - S1 (models/s1_single.ini, 1,000 trials): in >= 90 % of the last 100
#    trials exactly 5 output spikes, each within +-2 ms of its target, and
#    the loss down >= 10x; checked from learning.tsv and, independently of
#    the learner's own scoring, from the raster of the last trial against
#    the target file;
#  - S2 (models/s2_hidden.ini, 4 hidden neurons, 3,000 trials) with
#    symmetric, random and uniform feedback: each reaches S1's accuracy
#    (>= 90 % of 100 consecutive trials exact, scored from the raster, the
#    loss down >= 10x there; reach() below);
#  - the picture converter: a tiny PBM, plain and raw, gives one spike per
#    black pixel, neuron = row, time inside the pixel's column bin; a
#    header that claims more pixels than the file holds is refused;
#  - S4 at a reduced size (models/s4_picture.ini with a 10 x 50 picture of
#    an X, S1's 100 inputs, 32 hidden, 200 trials): the loss of the last 20
#    trials <= 30 % of trial 1's, and the last trial draws the picture: at
#    least 75 % of the output spikes fall in black pixels (chance: 20 %)
#    and at least 75 % of the black pixels get a spike;
#  - the r0 schedule: learning.tsv's r0 column is 0 in the burn-in, then r0
#    divided by r0_decay at r0_decay_time and again every r0_decay_period;
#  - bad [superspike] values are errors at their line.
# About a minute.
. "$(dirname "$0")/common.sh"
need_evsnn

for m in s1_single s2_hidden s3_xor s4_picture s5_parallel; do
  expect_status 0 "check $m" "$EVSNN" check "$MODELS/$m.ini"
done

# accept NAME DIR TARGET: S1's acceptance on run folder DIR.
accept() {
  name=$1
  dir=$2
  head -n 1 "$dir/learning.tsv" | grep -q '^trial	loss	spikes	accuracy' ||
    say_fail "$name: learning.tsv header: $(head -n 1 "$dir/learning.tsv")"
  awk -v name="$name" '
    NR == 2 { first = $2 }
    NR > 1 { n++; acc[n] = $4; loss[n] = $2 }
    END {
      if (n < 100) { printf "FAIL: %s: only %d trials\n", name, n; exit 1 }
      a = 0; l = 0
      for (i = n - 99; i <= n; i++) { a += acc[i]; l += loss[i] }
      a /= 100; l /= 100
      printf "%s: %d trials, accuracy over the last 100 %.2f, loss %.4g -> %.4g\n", name, n, a, first, l
      if (a < 0.9) { printf "FAIL: %s: accuracy %.2f < 0.9\n", name, a; exit 1 }
      if (l > first / 10) { printf "FAIL: %s: loss down only %.3gx\n", name, first / l; exit 1 }
    }' "$dir/learning.tsv" || fail=1
  # the last recorded trial against the targets, spike by spike
  last=$(ls "$dir"/out_trial*.ras | sed 's/.*_trial\([0-9]*\)\.ras/\1/' | sort -n | tail -n 1)
  awk -v name="$name" -v tr="$last" '
    FNR == 1 { file++ }
    /^#/ { next }
    file == 1 { t[++nt] = $1 }
    file == 2 { s[++ns] = $1 }
    END {
      if (ns != nt) { printf "FAIL: %s: trial %s has %d spikes, %d targets\n", name, tr, ns, nt; exit 1 }
      for (i = 1; i <= nt; i++) {
        d = s[i] - t[i]; if (d < 0) d = -d
        if (d > 0.002) { printf "FAIL: %s: trial %s spike %d off by %.4f s\n", name, tr, i, d; exit 1 }
      }
    }' "$3" "$dir/out_trial$last.ras" || fail=1
}

if expect_status 0 "run s1" "$EVSNN" run "$MODELS/s1_single.ini" -o "$tmp/s1" -q; then
  accept S1 "$tmp/s1" "$MODELS/s1_target.ras"
  # outputs.tsv scores the output neuron over the same last 100 trials:
  # learning.tsv's mean accuracy over them (one output), the criterion met
  awk 'NR == FNR { if (FNR > 1) acc[++n] = $4; next }
    FNR == 2 {
      for (i = n - 99; i <= n; i++) a += acc[i]
      a /= 100; d = $3 - a
      bad = !(n >= 100 && $3 >= 0.9 && d < 1e-9 && d > -1e-9)
    }
    END { exit bad || FNR != 2 }' "$tmp/s1/learning.tsv" \
    "$tmp/s1/outputs.tsv" ||
    say_fail "S1: outputs.tsv: $(cat "$tmp/s1/outputs.tsv")"
  for f in out_trial1.ras out_trial1000.ras out_target.ras; do
    [ -s "$tmp/s1/$f" ] || say_fail "S1: no $f"
  done
fi

# r0 of the update closing trial k (at t_end): 0 while t_end <= 20 s, then
# 1 mV / 10^n, n = 0 up to 30 s, else ceil((t_end - 30 s) / 10 s).
if expect_status 0 "run r0 schedule" "$EVSNN" run "$MODELS/s1_single.ini" -q \
    --set simulation.duration=55s --set superspike.r0_decay_time=30s \
    --set superspike.r0_decay_period=10s -o "$tmp/r0"; then
  awk -F '\t' '
    NR > 1 {
      t = $5; want = 0
      if (t > 20.00001) {
        n = 0
        if (t > 30.00001) { n = int((t - 30 - 1e-9) / 10) + 1 }
        want = 1e-3 / 10 ^ n
      }
      if ($6 + 0 < want * (1 - 1e-9) || $6 + 0 > want * (1 + 1e-9)) {
        printf "FAIL: r0 schedule: trial %s (t %s s): r0 %s, want %g\n", $1, t, $6, want
        bad = 1
      }
      rows++
    }
    END { if (rows != 110) { printf "FAIL: r0 schedule: %d trials\n", rows; bad = 1 }
          exit bad }' "$tmp/r0/learning.tsv" || fail=1
fi

# reach NAME DIR TARGET: S2's acceptance (doc/superspike.md, "S2"): the
# network reaches S1's accuracy, i.e. some 100 consecutive trials in which
# >= 90 % of the trials have exactly as many output spikes as targets, each
# within +-2 ms of its target (scored here from the output's whole raster,
# DIR/out.ras, independently of the learner), with the mean loss of those
# trials (learning.tsv) >= 10x below trial 1's. Also prints the last 100
# trials' accuracy, which the acceptance (doc/validation.md) does not ask
# to hold (the hidden layer can fall into limit cycles after learning:
# doc/superspike.md).
reach() {
  awk -v name="$1" -v T=0.5 '
    FNR == 1 { file++ }
    /^#/ { next }
    file == 1 { tg[++nt] = $1; next }
    file == 2 {
      k = int($1 / T); c = ++n[k]
      d = c <= nt ? $1 - k * T - tg[c] : 1; if (d < 0) d = -d
      if (d > 0.002) bad[k] = 1
      next
    }
    file == 3 && $1 != "trial" { trials = $1; loss[$1 - 1] = $2; acc[$1 - 1] = $4 }
    END {
      if (trials < 100 || nt == 0) { printf "FAIL: %s: %d trials\n", name, trials; exit 1 }
      first = loss[0]; best = -1
      for (k = 0; k < trials; k++) {
        good[k] = n[k] == nt && !bad[k]
        g += good[k]; l += loss[k]
        if (k >= 100) { g -= good[k - 100]; l -= loss[k - 100] }
        if (k >= 99 && l / 100 <= first / 10 && g > best) { best = g; end = k + 1 }
      }
      for (k = trials - 100; k < trials; k++) last += acc[k]
      printf "%s: best 100 trials with the loss down >= 10x: %.2f (trials %d-%d); last 100: %.2f\n", name, best / 100, end - 99, end, last / 100
      if (best < 90) { printf "FAIL: %s: never >= 0.9 over 100 trials\n", name; exit 1 }
    }' "$3" "$2/out.ras" "$2/learning.tsv" || fail=1
}

for fb in symmetric random uniform; do
  if expect_status 0 "run s2 $fb" "$EVSNN" run "$MODELS/s2_hidden.ini" \
      --set superspike.feedback=$fb --set out.record_spikes=yes \
      -o "$tmp/s2_$fb" -q; then
    reach "S2 $fb" "$tmp/s2_$fb" "$MODELS/s1_target.ras"
  fi
done

# the picture converter: rows 0-2, columns 0-3; black pixels at
# (0,0) (0,3) (1,1) (2,2) (2,3)
printf 'P1\n# test\n4 3\n1 0 0 1\n0 1 0 0\n0 0 1 1\n' > "$tmp/p1.pbm"
printf 'P4\n4 3\n' > "$tmp/p4.pbm"
printf '\220\100\060' >> "$tmp/p4.pbm"  # 1001, 0100, 0011 (high bits first)
for p in p1 p4; do
  expect_status 0 "picture $p" "$EVSNN" picture "$tmp/$p.pbm" "$tmp/$p.ras" \
    --bin 20ms --seed 3 || continue
  awk -v p=$p '
    /^#/ { next }
    {
      n++; col = int($1 / 0.02); key = $2 "," col; seen[key]++
      if ($1 <= col * 0.02 || $1 >= (col + 1) * 0.02) bad = 1
    }
    END {
      split("0,0 0,3 1,1 2,2 2,3", want, " ")
      ok = n == 5 && !bad
      for (i in want) ok = ok && seen[want[i]] == 1
      if (!ok) { printf "FAIL: picture %s: wrong spikes\n", p; exit 1 }
    }' "$tmp/$p.ras" || fail=1
done
cmp -s "$tmp/p1.ras" "$tmp/p4.ras" 2>/dev/null ||
  [ "$(grep -v '^#' "$tmp/p1.ras")" = "$(grep -v '^#' "$tmp/p4.ras")" ] ||
  say_fail "picture: P1 and P4 of one picture differ"
# S4, reduced: an X of 10 rows x 50 columns of 10 ms (a 0.5 s trial, S1's
# input pattern)
awk 'BEGIN { print "P1"; print "50 10"
  for (r = 0; r < 10; r++) { s = ""
    for (c = 0; c < 50; c++) s = s (int(c / 5) == r || int(c / 5) == 9 - r ? "1 " : "0 ")
    print s } }' > "$tmp/x.pbm"
if expect_status 0 "picture x" "$EVSNN" picture "$tmp/x.pbm" "$tmp/x.ras" &&
   expect_status 0 "run s4 reduced" "$EVSNN" run "$MODELS/s4_picture.ini" \
     --set superspike.target="$tmp/x.ras" --set out.size=10 \
     --set hidden.size=32 --set in.size=100 \
     --set in.file="$MODELS/s1_input.ras" --set in.period=0.5s \
     --set superspike.trial=0.5s --set simulation.duration=100s \
     --set superspike.burn_in=4s --set superspike.r0_decay_time=70s \
     --set superspike.record_trials=200 -o "$tmp/s4" -q; then
  awk 'NR == 2 { l0 = $2 } NR > 1 && $1 > 180 { l += $2; n++ }
       END { printf "S4 reduced: loss %.4g -> %.4g\n", l0, l / n
             if (n != 20 || l / n > 0.3 * l0) { print "FAIL: S4 reduced: loss"; exit 1 } }' \
    "$tmp/s4/learning.tsv" || fail=1
  awk 'FNR == 1 { f++ } /^#/ { next }
       f == 1 { black[$2 "," int($1 / 0.01)] = 1; nb++ }
       f == 2 { n++; k = $2 "," int($1 / 0.01); if (k in black) { hit++; got[k] = 1 } }
       END { c = 0; for (k in got) c++
             printf "S4 reduced: %d spikes, %.2f in black pixels, %.2f of the black pixels drawn\n", n, hit / n, c / nb
             if (n == 0 || hit / n < 0.75 || c / nb < 0.75) { print "FAIL: S4 reduced: picture"; exit 1 } }' \
    "$tmp/x.ras" "$tmp/s4/out_trial200.ras" || fail=1
fi

printf 'P1\n4 3\n1 0 0\n' > "$tmp/short.pbm"
expect_status 1 "picture of a truncated file" "$EVSNN" picture \
  "$tmp/short.pbm" "$tmp/short.ras"
# a header claiming 10^12 pixels the file does not hold: refused for the
# missing pixels, not met by allocating what the header says first (found
# by tests/fuzz/fuzz_pbm)
printf 'P4\n1000000 1000000\n\377' > "$tmp/claim.pbm"
expect_status 1 "picture with a huge header" "$EVSNN" picture \
  "$tmp/claim.pbm" "$tmp/claim.ras"
grep -q "pixel data ends early" "$tmp/stderr" ||
  say_fail "picture with a huge header: $(cat "$tmp/stderr")"

# bad values are errors at their line
expect_status 1 "bad feedback" "$EVSNN" check "$MODELS/s1_single.ini" \
  --set superspike.feedback=sideways
grep -q "feedback must be symmetric, random or uniform" "$tmp/stderr" ||
  say_fail "bad feedback: $(cat "$tmp/stderr")"
expect_status 1 "trial not a multiple of dt" "$EVSNN" check \
  "$MODELS/s1_single.ini" --set superspike.trial=0.55ms
grep -q "whole number of dt" "$tmp/stderr" ||
  say_fail "trial: $(cat "$tmp/stderr")"

finish
