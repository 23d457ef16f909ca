#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# End-to-end tests of the evsnn program on a small model written here:
# help/version, usage errors, check, run (file formats and their mutual
# consistency), model errors leave no output folder, --set and --seed
# change the result, plot (when gnuplot is installed).
# Environment: EVSNN (the program; it finds the plot scripts of its source
# tree by itself), MODELS (the models; raster.gp, run by hand here, is
# beside them in ../plots).
. "$(dirname "$0")/common.sh"
need_evsnn

m="$tmp/small.ini"
cat >"$m" <<'INI'
; 40 Poisson inputs at 20 Hz drive 10 LIF neurons for 0.5 s.
[simulation]
duration = 0.5 s
seed = 7
resolution = 0.1 ms

[population noise]
type = SpikeSourcePoisson
size = 40
rate = 20 Hz

[population E]
type = IF_curr_exp
size = 10
tau_m = 20 ms
v_rest = -65 mV
v_reset = -65 mV
v_thresh = -55 mV
tau_refrac = 2 ms
v_init = uniform(-65 mV, -55 mV)
record_v = 0-1

[projection drive]
pre = noise
post = E
connect = fixed_probability
p = 0.5
weight = 6 mV
delay = 1 ms
INI

# ---- help, version, usage --------------------------------------------------
expect_status 0 "--help" "$EVSNN" --help && {
  grep -q 'run' "$tmp/stdout" || say_fail "--help does not list the commands"; }
expect_status 0 "-h" "$EVSNN" -h
expect_status 0 "help run" "$EVSNN" help run && {
  grep -q -- '--seed' "$tmp/stdout" || say_fail "help run does not show --seed"; }
expect_status 0 "run --help" "$EVSNN" run --help
expect_status 0 "--version" "$EVSNN" --version && {
  grep -Eq '^evsnn [0-9]+\.[0-9]+\.[0-9]+' "$tmp/stdout" ||
    say_fail "--version prints '$(cat "$tmp/stdout")'"; }
expect_status 2 "no command" "$EVSNN"
expect_status 2 "unknown command" "$EVSNN" frobnicate
expect_status 2 "unknown option" "$EVSNN" run "$m" --bogus
expect_status 2 "-o without value" "$EVSNN" run "$m" -o
expect_status 2 "bad seed" "$EVSNN" run "$m" --seed x12
expect_status 2 "check without model" "$EVSNN" check
expect_status 2 "plot bad format" "$EVSNN" plot "$tmp" --format gif
[ -s "$tmp/stderr" ] || say_fail "a usage error prints nothing on stderr"

# a usage error shows the command's synopsis, not its whole help, and
# nothing on stdout
expect_status 2 "unknown option, short usage" "$EVSNN" run "$m" --bogus && {
  grep -q "^evsnn: unknown option '--bogus'$" "$tmp/stderr" ||
    say_fail "--bogus: stderr is '$(head -n 1 "$tmp/stderr")'"
  grep -q '^Usage: evsnn run ' "$tmp/stderr" ||
    say_fail "a usage error of run does not show run's synopsis"
  grep -q "Try 'evsnn run --help'" "$tmp/stderr" ||
    say_fail "a usage error does not point at 'evsnn run --help'"
  [ "$(wc -l <"$tmp/stderr")" -le 4 ] ||
    say_fail "a usage error prints $(wc -l <"$tmp/stderr") lines, not a short usage"
  [ -s "$tmp/stdout" ] && say_fail "a usage error prints on stdout"; }
expect_status 2 "no command, short usage" "$EVSNN" && {
  [ "$(wc -l <"$tmp/stderr")" -le 4 ] ||
    say_fail "evsnn without a command prints the whole help"; }

# did you mean: a mistyped command or long option; not for something far
expect_status 2 "mistyped command" "$EVSNN" rnu "$m" && {
  grep -q "did you mean 'run'?" "$tmp/stderr" ||
    say_fail "rnu: '$(head -n 1 "$tmp/stderr")', expected did you mean 'run'"; }
expect_status 2 "mistyped help command" "$EVSNN" help plto && {
  grep -q "did you mean 'plot'?" "$tmp/stderr" ||
    say_fail "help plto: '$(head -n 1 "$tmp/stderr")'"; }
expect_status 2 "far command" "$EVSNN" frobnicate && {
  grep -q "did you mean" "$tmp/stderr" &&
    say_fail "frobnicate: '$(head -n 1 "$tmp/stderr")' suggests something"; }
expect_status 2 "mistyped long option" "$EVSNN" run "$m" --sede 3 && {
  grep -q "did you mean '--seed'?" "$tmp/stderr" ||
    say_fail "--sede: '$(head -n 1 "$tmp/stderr")', expected did you mean '--seed'"; }
expect_status 2 "mistyped plot option" "$EVSNN" plot "$tmp" --fromat png && {
  grep -q "did you mean '--format'?" "$tmp/stderr" ||
    say_fail "--fromat: '$(head -n 1 "$tmp/stderr")'"; }
expect_status 2 "ambiguous option" "$EVSNN" run "$m" --se 3 && {
  grep -q "ambiguous (--seed, --set)" "$tmp/stderr" ||
    say_fail "--se: '$(head -n 1 "$tmp/stderr")'"; }
expect_status 2 "value for a flag" "$EVSNN" run "$m" --quiet=yes
expect_status 2 "picture unknown option" "$EVSNN" picture a.pbm b.ras --bni 3 &&
  { grep -q "did you mean '--bin'?" "$tmp/stderr" ||
    say_fail "picture --bni: '$(head -n 1 "$tmp/stderr")'"; }

# run --help lists every file a run can write
expect_status 0 "run --help files" "$EVSNN" run --help &&
  for f in run.log summary.tsv POP.ras v_POP.tsv PROJ.weights.tsv \
      PROJ.synapses.tsv 'PROJ_<T>ms.mtx' learning.tsv OUT_target.ras \
      'POP_trial<N>.ras' outputs.tsv loss_last accuracy_last; do
    grep -qF -- "$f" "$tmp/stdout" || say_fail "run --help does not list $f"
  done

# ---- check -------------------------------------------------------------------
expect_status 0 "check" "$EVSNN" check "$m" &&
  { grep -Eq "^$m: ok \(2 populations, [0-9]+ synapses\)$" "$tmp/stdout" ||
    say_fail "check prints '$(cat "$tmp/stdout")'"; }
sed 's/^tau_m = 20 ms/tau_m = 20 mV/' "$m" >"$tmp/bad.ini"
expect_status 1 "check bad model" "$EVSNN" check "$tmp/bad.ini" &&
  { grep -q "bad.ini:15: " "$tmp/stderr" ||
    say_fail "check error is '$(cat "$tmp/stderr")', expected bad.ini:15: ..."; }
[ -s "$tmp/stdout" ] && say_fail "check of a bad model prints on stdout"
expect_status 1 "check missing file" "$EVSNN" check "$tmp/nothere.ini"

# ---- a model error creates no output folder -----------------------------------
expect_status 1 "run bad model" "$EVSNN" run "$tmp/bad.ini" -o "$tmp/badout"
[ -e "$tmp/badout" ] && say_fail "a model error created $tmp/badout"
(cd "$tmp" && "$EVSNN" run bad.ini >/dev/null 2>&1)
[ -e "$tmp/out/bad" ] && say_fail "a model error created out/bad"

# ---- run ---------------------------------------------------------------------
o1="$tmp/run1"
expect_status 0 "run" "$EVSNN" run "$m" -o "$o1"
for f in E.ras v_E.tsv summary.tsv run.log; do
  [ -s "$o1/$f" ] || say_fail "run did not write $f"
done
ls "$o1" | grep -q '\.part$' && say_fail "run left .part files"
[ -e "$o1/noise.ras" ] && say_fail "sources are recorded by default"
grep -q "$o1" "$tmp/stdout" || say_fail "the summary does not name the output folder"

if [ -s "$o1/E.ras" ]; then
  # header: comment lines first, naming the population and the units
  awk 'BEGIN {h = 1} /^#/ {if (!h) bad = 1; next} {h = 0} END {exit bad}' \
    "$o1/E.ras" || say_fail "E.ras has comment lines after the spikes"
  grep -q '^# .*time \[s\] id' "$o1/E.ras" || say_fail "E.ras header lacks units"
  grep -q '^# .*E' "$o1/E.ras" || say_fail "E.ras header lacks the population"
  # spike lines: "time id" with 9 decimals, 0 <= time < 0.5, 0 <= id < 10,
  # sorted by time
  grep -v '^#' "$o1/E.ras" | awk '
    NF != 2 || $1 !~ /^[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]$/ || $2 !~ /^[0-9]+$/ {
      print "bad line " NR ": " $0; bad = 1; exit }
    $1 < 0 || $1 >= 0.5 || $2 >= 10 { print "out of range: " $0; bad = 1 }
    NR > 1 && $1 < last { print "not sorted at line " NR; bad = 1 }
    { last = $1 }
    END { exit bad }' || say_fail "E.ras spike lines are malformed"
  nspk=$(grep -vc '^#' "$o1/E.ras")
  [ "$nspk" -gt 0 ] || say_fail "E fired no spike (the model should drive it)"
  # summary.tsv: header, and E's spikes equal the raster's line count, and
  # its rate equals spikes / neurons / duration
  head -n 1 "$o1/summary.tsv" | grep -q "^population	neurons	spikes	rate_hz$" ||
    say_fail "summary.tsv header is '$(head -n 1 "$o1/summary.tsv")'"
  awk -F '\t' -v n="$nspk" '$1 == "E" { found = 1
      if ($2 != 10 || $3 != n) { print "E row: " $0 " (raster: " n ")"; exit 1 }
      r = n / 10 / 0.5; if ($4 - r > 1e-3 || r - $4 > 1e-3) { print "rate " $4 " != " r; exit 1 } }
    END { if (!found) exit 1 }' "$o1/summary.tsv" ||
    say_fail "summary.tsv disagrees with E.ras"
  # the printed summary agrees too
  grep -Eq "^ *E +IF_curr_exp +10 +$nspk " "$tmp/stdout" ||
    say_fail "printed summary lacks 'E IF_curr_exp 10 $nspk'"
fi
if [ -s "$o1/v_E.tsv" ]; then
  head -n 1 "$o1/v_E.tsv" | grep -q "^time	v0	v1$" ||
    say_fail "v_E.tsv header is '$(head -n 1 "$o1/v_E.tsv")'"
  # membrane potentials are volts between reset-ish and threshold
  awk -F '\t' 'NR > 1 && (NF != 3 || $2 < -0.08 || $2 > -0.05) {
      print "bad probe row " NR ": " $0; exit 1 }' "$o1/v_E.tsv" ||
    say_fail "v_E.tsv rows are malformed or not in volts"
fi
head -n 3 "$o1/run.log" | grep -q 'small' || say_fail "run.log does not name the model"
head -n 3 "$o1/run.log" | grep -q '7' || say_fail "run.log does not give the seed"
tail -n 1 "$o1/run.log" | grep -Eq '^completed at t = 0?\.5(0*)? s$' ||
  say_fail "run.log ends '$(tail -n 1 "$o1/run.log")'"

# getopt_long forms: -oDIR, --output=DIR, --out DIR (an abbreviation), options
# before the model, and "--" before a model whose name starts with '-'
for form in "-o$tmp/f1" "--output=$tmp/f2" "--out $tmp/f3"; do
  # shellcheck disable=SC2086
  expect_status 0 "run $form" "$EVSNN" run $form -q "$m" &&
    { cmp -s "$o1/E.ras" "$tmp/${form##*/}/E.ras" ||
      say_fail "run $form did not write the run's E.ras into ${form##*/}"; }
done
cp "$m" "$tmp/-dash.ini"
(cd "$tmp" && "$EVSNN" run -q -o dash -- -dash.ini) ||
  say_fail "run -- -dash.ini failed"
# the same spikes (the header names the model, -dash)
[ -s "$tmp/dash/E.ras" ] && [ "$(grep -v '^#' "$o1/E.ras")" = "$(grep -v '^#' "$tmp/dash/E.ras")" ] ||
  say_fail "run -- -dash.ini did not write the run's E.ras"
(cd "$tmp" && "$EVSNN" run -q -o dash2 -dash.ini >/dev/null 2>&1)
[ $? -eq 2 ] || say_fail "run -dash.ini without -- is not a usage error"

# the same run again gives the same spikes (and -q prints nothing)
expect_status 0 "run -q" "$EVSNN" run "$m" -o "$tmp/run1b" -q
[ -s "$tmp/stdout" ] && say_fail "run -q printed on stdout"
cmp -s "$o1/E.ras" "$tmp/run1b/E.ras" || say_fail "the same run gave different spikes"

# the default folder is out/<model name>, relative to the current folder
(cd "$tmp" && "$EVSNN" run small.ini -q) || say_fail "run without -o failed"
[ -s "$tmp/out/small/E.ras" ] || say_fail "run without -o did not write out/small/E.ras"

# ---- --seed and --set change the result ----------------------------------------
expect_status 0 "run --seed" "$EVSNN" run "$m" -o "$tmp/seed8" --seed 8 -q
cmp -s "$o1/E.ras" "$tmp/seed8/E.ras" && say_fail "--seed 8 gave the same spikes as seed 7"
head -n 3 "$tmp/seed8/run.log" | grep -q '8' || say_fail "run.log does not give --seed 8"
expect_status 0 "run --set" "$EVSNN" run "$m" -o "$tmp/set" -q \
  --set "population noise.rate=40 Hz"
if [ -s "$tmp/set/summary.tsv" ]; then
  a=$(awk -F '\t' '$1 == "E" {print $3}' "$o1/summary.tsv")
  b=$(awk -F '\t' '$1 == "E" {print $3}' "$tmp/set/summary.tsv")
  # twice the input rate must raise the output rate clearly (the counts are
  # tens to hundreds of spikes, so noise cannot explain a rise of 20 %)
  [ -n "$a" ] && [ -n "$b" ] && [ "$((b * 10))" -gt "$((a * 12))" ] ||
    say_fail "--set noise.rate=40 Hz: E spikes $a -> $b, expected a clear rise"
fi
expect_status 0 "run --set duration" "$EVSNN" run "$m" -o "$tmp/dur" -q \
  --set simulation.duration=0.25s
tail -n 1 "$tmp/dur/run.log" | grep -Eq '^completed at t = 0?\.25(0*)? s$' ||
  say_fail "--set simulation.duration=0.25s: run.log ends '$(tail -n 1 "$tmp/dur/run.log")'"
expect_status 0 "run --set record_v=none" "$EVSNN" run "$m" -o "$tmp/nov" -q \
  --set E.record_v=none
[ -e "$tmp/nov/v_E.tsv" ] && say_fail "record_v = none wrote v_E.tsv"
cmp -s "$tmp/nov/E.ras" "$o1/E.ras" ||
  say_fail "record_v = none changed the spikes"
expect_status 1 "run --set unknown key" "$EVSNN" run "$m" -o "$tmp/setbad" \
  --set E.no_such_key=1
[ -e "$tmp/setbad" ] && say_fail "a bad --set created the output folder"

# ---- a rate check stops the run: a result, exit status 0 ----------------------
# E cannot fire above 500 Hz (2 ms refractory): from 1.5 kHz the estimate
# falls below 1 kHz by tau ln 3 = 0.11 s at the latest, well before 0.5 s.
o2="$tmp/stopped"
expect_status 0 "run stopped by its rate check" "$EVSNN" run "$m" -o "$o2" \
  --set "E.rate_min=1 kHz" --set "E.rate_max=2 kHz"
stopline=$(tail -n 1 "$tmp/stdout")
echo "$stopline" | grep -Eq '^stopped at t = 0?\.[0-9]+ s: rate [0-9.e+-]+ Hz outside \[1000, 2000\]$' ||
  say_fail "stopped run prints '$stopline'"
grep -q "$o2" "$tmp/stdout" || say_fail "a stopped run prints no summary"
[ "$(tail -n 1 "$o2/run.log")" = "$stopline" ] ||
  say_fail "run.log ends '$(tail -n 1 "$o2/run.log")', printed '$stopline'"
grep -q 'population E' "$o2/run.log" || say_fail "run.log does not name E"
for f in E.ras v_E.tsv summary.tsv run.log; do
  [ -s "$o2/$f" ] || say_fail "stopped run did not write $f"
done
ls "$o2" | grep -q '\.part$' && say_fail "stopped run left .part files"
if [ -s "$o2/E.ras" ]; then
  tstop=$(echo "$stopline" | sed 's/^stopped at t = \([^ ]*\) s.*/\1/')
  nspk=$(grep -vc '^#' "$o2/E.ras")
  # spikes before the stop only; summary rate over the time run
  grep -v '^#' "$o2/E.ras" | awk -v t="$tstop" '$1 >= t { bad = 1 } END { exit bad }' ||
    say_fail "E.ras has spikes after the stop at $tstop s"
  awk -F '\t' -v n="$nspk" -v t="$tstop" '$1 == "E" { found = 1
      r = n / 10 / t; if ($3 != n || $4 - r > 1e-3 * r || r - $4 > 1e-3 * r) {
        print "E row: " $0 " (raster " n ", t " t ")"; exit 1 } }
    END { if (!found) exit 1 }' "$o2/summary.tsv" ||
    say_fail "summary.tsv of the stopped run disagrees with E.ras"
fi
expect_status 0 "stopped run -q" "$EVSNN" run "$m" -o "$tmp/stopped_q" -q \
  --set "E.rate_min=1 kHz" --set "E.rate_max=2 kHz"
[ "$(cat "$tmp/stdout")" = "$stopline" ] ||
  say_fail "run -q of a stopped run prints '$(cat "$tmp/stdout")'"

# ---- a SuperSpike run's summary.tsv carries its final loss and accuracy ----------
# S1 for 150 s: 300 trials, of which the last 100 are scored (as outputs.tsv);
# by then the output matches its targets in about a third of them
s1="$tmp/s1"
expect_status 0 "run SuperSpike" "$EVSNN" run "$MODELS/s1_single.ini" -o "$s1" -q \
  --set simulation.duration=150s
if [ -s "$s1/summary.tsv" ]; then
  head -n 1 "$s1/summary.tsv" |
    grep -q "^population	neurons	spikes	rate_hz	loss_last	accuracy_last$" ||
    say_fail "SuperSpike summary.tsv header is '$(head -n 1 "$s1/summary.tsv")'"
  # the output's row: the means of learning.tsv's trials 201-300; the input's
  # row has no loss; columns 1-4 as in any run
  awk -F '\t' 'NR > 1 && $1 > 200 { n++; l += $2; a += $4 } END { printf "%.9g %.6g\n", l / n, a / n }' \
    "$s1/learning.tsv" >"$tmp/s1_means"
  awk -F '\t' -v want="$(cat "$tmp/s1_means")" '
    $1 == "out" { split(want, w, " "); found = 1
      if (w[2] <= 0) { print "accuracy 0 in trials 201-300: the test needs a learning run"; exit 1 }
      if (NF != 6 || $2 != 1 || ($5 - w[1]) ^ 2 > (1e-6 * w[1]) ^ 2 || ($6 - w[2]) ^ 2 > 1e-10) {
        print "out row: " $0 " (learning.tsv: " want ")"; exit 1 } }
    $1 == "in" && ($5 != "nan" || $6 != "nan" || $2 != 100) { print "in row: " $0; exit 1 }
    END { if (!found) exit 1 }' "$s1/summary.tsv" ||
    say_fail "summary.tsv's loss_last/accuracy_last disagree with learning.tsv"
fi

# ---- plot ------------------------------------------------------------------------
if command -v gnuplot >/dev/null 2>&1; then
  expect_status 0 "plot" "$EVSNN" plot "$o1"
  for f in raster.png rates.png v_E.png; do
    if [ -s "$o1/$f" ]; then
      # PNG signature: \211 P N G
      [ "$(head -c 4 "$o1/$f" | od -An -c | tr -d ' ')" = '211PNG' ] ||
        say_fail "$f is not a PNG"
    else
      say_fail "plot did not write $f"
    fi
  done
  expect_status 0 "plot svg" "$EVSNN" plot "$o1" --format svg
  grep -q '<svg' "$o1/raster.svg" 2>/dev/null || say_fail "plot --format svg wrote no SVG"
  expect_status 1 "plot non-run folder" "$EVSNN" plot "$tmp/nothere"
  expect_status 2 "plot bad window" "$EVSNN" plot "$o1" --window 0.3-0.1
  expect_status 2 "plot bad neurons" "$EVSNN" plot "$o1" --neurons 5-x

  # png_size FILE: "WIDTH HEIGHT" from the PNG's IHDR chunk
  png_size() {
    od -An -tu1 -j16 -N8 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
  }
  # svg_text FILE: the text of the SVG's text elements, one per line
  svg_text() { sed -n 's/.*<text[^>]*>\([^<]*\)<.*/\1/p; s/.*<tspan[^>]*>\([^<]*\)<.*/\1/p' "$1"; }

  # the membrane traces of record_v (E's neurons 0 and 1): v_E.png, titled
  # with the model and the population
  [ "$(png_size "$o1/raster.png" 2>/dev/null)" = "1000 600" ] ||
    say_fail "raster.png is $(png_size "$o1/raster.png" 2>/dev/null), expected 1000 600"
  [ "$(png_size "$o1/v_E.png" 2>/dev/null)" = "1000 700" ] ||
    say_fail "plot did not draw v_E.png (1000 x 700): $(png_size "$o1/v_E.png" 2>/dev/null)"
  if [ -s "$o1/v_E.svg" ]; then
    svg_text "$o1/v_E.svg" | grep -q '^small: membrane potential of E (IF_curr_exp)$' ||
      say_fail "v_E.svg's title is not 'small: membrane potential of E (IF_curr_exp)'"
    # one panel per recorded neuron, potentials in mV
    [ "$(svg_text "$o1/v_E.svg" | grep -c '^neuron [01]$')" -eq 2 ] ||
      say_fail "v_E.svg does not have a panel for neurons 0 and 1"
    svg_text "$o1/v_E.svg" | grep -q '^v \[mV\]$' || say_fail "v_E.svg is not in mV"
  else
    say_fail "plot --format svg did not draw v_E.svg"
  fi

  # ten traces: the first eight drawn, named in the title
  expect_status 0 "run 10 traces" "$EVSNN" run "$m" -o "$tmp/v10" -q --set E.record_v=0-9
  expect_status 0 "plot 10 traces" "$EVSNN" plot "$tmp/v10" --format svg &&
    { svg_text "$tmp/v10/v_E.svg" | grep -q '^8 of 10 recorded neurons$' &&
      [ "$(svg_text "$tmp/v10/v_E.svg" | grep -c '^neuron [0-9]$')" -eq 8 ] ||
      say_fail "v_E.svg of 10 traces does not draw 8 named as '8 of 10 recorded neurons'"; }
  # a rate model's probes are rates, not potentials (run.log names the type)
  expect_status 0 "run rate model" "$EVSNN" run "$MODELS/p1_oja.ini" -o "$tmp/p1" -q \
    --set simulation.duration=2000s
  grep -q '^record_v X: RateGaussian$' "$tmp/p1/run.log" ||
    say_fail "run.log does not name X's type for its probes"
  expect_status 0 "plot rate model" "$EVSNN" plot "$tmp/p1" --format svg &&
    { svg_text "$tmp/p1/v_X.svg" | grep -q '^p1_oja: rates of X (RateGaussian)$' &&
      ! svg_text "$tmp/p1/v_X.svg" | grep -q 'mV' ||
      say_fail "v_X.svg of a rate population is not drawn as rates"; }

  # a raster of 500 neurons: by default a sample of 200, named in the title
  big="$tmp/big"
  expect_status 0 "run 500 neurons" "$EVSNN" run "$m" -o "$big" -q --set E.size=500
  expect_status 0 "plot 500 neurons" "$EVSNN" plot "$big" --format svg &&
    { svg_text "$big/raster.svg" | grep -q '^neurons 0-199 of 500 (E)$' ||
      say_fail "the sampled raster's title does not say 'neurons 0-199 of 500 (E)'"; }
  # --neurons and --window: the title names them and counts the spikes drawn
  expect_status 0 "plot --neurons --window" "$EVSNN" plot "$big" --format svg \
    --neurons 10-59 --window=100ms-300ms
  n=$(awk '!/^#/ && $2 >= 10 && $2 <= 59 && $1 >= 0.1 && $1 <= 0.3' "$big/E.ras" | wc -l)
  [ "$n" -gt 0 ] || say_fail "no spike of neurons 10-59 in 0.1-0.3 s to draw"
  svg_text "$big/raster.svg" >"$tmp/title"
  grep -q "^small: spike raster, $n spikes$" "$tmp/title" &&
    grep -q '^neurons 10-59 of 500 (E); 0.1-0.3 s of 0.5 s$' "$tmp/title" ||
    say_fail "raster title for --neurons 10-59 --window 100ms-300ms ($n spikes): $(head -n 2 "$tmp/title" | tr '\n' '|')"
  # at most maxpts spikes: the window ends at the maxpts-th
  gnuplot -e "dir='$big'; fmt='svg'; maxpts=50; out='$tmp/pts.svg'" \
    "$MODELS/../plots/raster.gp" 2>/dev/null
  t50=$(awk '!/^#/ && $2 < 200' "$big/E.ras" | sort -g | awk 'NR == 50 { printf "%.3g", $1 }')
  svg_text "$tmp/pts.svg" 2>/dev/null | grep -q "^neurons 0-199 of 500 (E); 0-$t50 s of 0.5 s$" ||
    say_fail "raster.gp maxpts=50 does not end the window at the 50th spike ($t50 s)"

  # a SuperSpike run: learning curves with the model, the loss's unit and
  # the burn-in (the first trials, r0 = 0: 20 s of 0.5 s trials)
  if [ -s "$s1/learning.tsv" ]; then
    expect_status 0 "plot SuperSpike" "$EVSNN" plot "$s1" --format svg
    svg_text "$s1/learning.svg" 2>/dev/null >"$tmp/title"
    grep -q '^s1_single: SuperSpike, 300 trials' "$tmp/title" ||
      say_fail "learning.svg's title does not name s1_single and its 300 trials"
    grep -qF 'van Rossum loss [1/s]' "$tmp/title" || say_fail "learning.svg: no loss unit"
    grep -q '^burn-in: trials 1-40$' "$tmp/title" || say_fail "learning.svg: burn-in not marked"
  fi
else
  echo "SKIP: gnuplot not installed, plot not tested"
fi

finish
