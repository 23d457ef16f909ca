# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — learning curves and before/after rasters of a SuperSpike run
# folder: loss (log scale) and accuracy per trial from learning.tsv; the
# output's spikes in the first and the last recorded trial
# (<output>_trial<N>.ras) over that trial's targets (<output>_target.ras,
# grey; a target file longer than a trial holds several trials' targets).
#
#   gnuplot -e "dir='out/s1_single'" plots/learning.gp  -> dir/learning.png
#
# Variables (all optional): dir (run folder, default '.'), fmt ('png' or
# 'svg'), out (output file, default dir/learning.fmt), ms (marker size of
# the rasters, default 1, smaller for more than 10 output neurons), picture (1: neuron 0 at the top, as the first
# pixel row of an S4 picture; default 0), title (default: the model's name
# from run.log, the trials, and the means of the last 100 trials' loss and
# accuracy). The burn-in (the first trials, whose r0 is 0) is shaded.
# Needs a POSIX shell with awk (the folder name must not contain "'").

if (!exists("dir")) dir = '.'
if (!exists("fmt")) fmt = 'png'
if (!exists("out")) out = dir . '/learning.' . fmt
if (!exists("picture")) picture = 0
qdir = "'" . dir . "'"
model = system('awk ''/^model: /{print $2; exit}'' ' . qdir . '/run.log 2>/dev/null')
ntrials = int(system('awk ''NR > 1 {n++} END {print n + 0}'' ' . qdir . '/learning.tsv'))
# the last trial of the burn-in (0: none), from the r0 column
burn = int(system('awk ''NR > 1 && $6 == 0 && !done {b = $1} NR > 1 && $6 != 0 {done = 1} END {print b + 0}'' ' . qdir . '/learning.tsv'))
last = system('awk ''NR > 1 {l[NR] = $2; a[NR] = $4; n = NR} END {k = n - 99 < 2 ? 2 : n - 99; for (i = k; i <= n; i++) {sl += l[i]; sa += a[i]; c++} if (c) printf "loss %.3g /s, accuracy %.2f", sl / c, sa / c}'' ' . qdir . '/learning.tsv')
if (!exists("title")) title = sprintf("%s: SuperSpike, %d trials (last 100: %s)", (model eq '' ? dir : model), ntrials, last)
tgt = system('cd ' . qdir . ' && for f in *_target.ras; do [ -f "$f" ] && printf "%s" "$f"; break; done')
if (tgt eq "") print sprintf("learning.gp: no *_target.ras in %s", dir); exit status 1
outpop = tgt[1:strlen(tgt) - 11]
trials = system('cd ' . qdir . ' && ls ' . outpop . '_trial*.ras 2>/dev/null | sed ''s/.*_trial\([0-9]*\)\.ras/\1/'' | sort -n | tr ''\n'' '' ''')
first = words(trials) > 0 ? word(trials, 1) : ""
last = words(trials) > 1 ? word(trials, words(trials)) : ""
N = system('awk ''/^# size: /{print $3; exit}'' ' . qdir . '/' . tgt)
# markers: rows of about 500 / N px for N output neurons
if (!exists("ms")) ms = int(N) <= 10 ? 1 : (int(N) <= 100 ? 0.6 : 0.35)
T = system('awk ''NR == 2 {print $5; exit}'' ' . qdir . '/learning.tsv')
# trials may differ (target_period, S3): the target file spans `per` trials
Tmax = system('awk ''!/^#/ && $1 > m {m = $1} END {print m + 0}'' ' . qdir . '/' . tgt)
per = ceil((real(Tmax) + 1e-9) / real(T))
off(tr) = ((int(tr) - 1) % per) * real(T)

if (fmt eq 'svg') {
    set terminal svg size 1100,800 dynamic font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1100,800 font 'sans,11'
}
set termoption noenhanced
set output out
set multiplot layout 2,2 title title

set xlabel 'trial'
set ylabel 'van Rossum loss [1/s]'
set logscale y
set grid
unset key
if (burn > 0) {
    set object 1 rect from first 0.5, graph 0 to first burn + 0.5, graph 1 fc rgb '#eeeeee' fs solid noborder behind
    set label 1 sprintf('burn-in: trials 1-%d', burn) at first burn + 0.5, graph 0.95 left offset 0.5, 0 tc rgb '#777777'
}
plot dir . '/learning.tsv' using 1:($2 > 0 ? $2 : 1e-30) skip 1 with lines lc rgb '#1f77b4' title 'loss'
unset logscale y

set ylabel 'accuracy, moving average over 20 trials'
set yrange [-0.05:1.05]
plot '< awk ''NR > 1 {a[NR % 20] = $4; s = 0; c = 0; for (k in a) {s += a[k]; c++} print $1, s / c}'' ' . qdir . '/learning.tsv' using 1:2 with lines lc rgb '#2ca02c'
set yrange [*:*]
unset grid
unset object 1
unset label 1

set xlabel 'time in trial [s]'
set ylabel 'output neuron'
set xrange [0:real(T)]
if (picture) { set yrange [int(N) - 0.5:-0.5] } else { set yrange [-0.5:int(N) - 0.5] }
set key top right opaque
do for [tr in first . ' ' . last] {
    if (tr ne "") {
        set title sprintf('trial %s', tr)
        o = off(tr)
        plot dir . '/' . tgt using ($1 >= o && $1 < o + real(T) ? $1 - o : NaN):2 with points pt 5 ps ms lc rgb '#bbbbbb' title 'target', \
             dir . '/' . outpop . '_trial' . tr . '.ras' using 1:2 with points pt 7 ps ms * 0.6 lc rgb '#d62728' title 'output'
    }
}
unset multiplot
