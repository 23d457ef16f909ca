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
# the rasters, default 1), picture (1: neuron 0 at the top, as the first
# pixel row of an S4 picture; default 0), title (default "SuperSpike: DIR").
# Needs a POSIX shell with awk (the folder name must not contain "'").

if (!exists("dir")) dir = '.'
if (!exists("fmt")) fmt = 'png'
if (!exists("out")) out = dir . '/learning.' . fmt
if (!exists("ms")) ms = 1
if (!exists("picture")) picture = 0
if (!exists("title")) title = sprintf("SuperSpike: %s", dir)

qdir = "'" . dir . "'"
tgt = system('cd ' . qdir . ' && for f in *_target.ras; do [ -f "$f" ] && printf "%s" "$f"; break; done')
if (tgt eq "") print sprintf("learning.gp: no *_target.ras in %s", dir); exit status 1
outpop = tgt[1:strlen(tgt) - 11]
trials = system('cd ' . qdir . ' && ls ' . outpop . '_trial*.ras 2>/dev/null | sed ''s/.*_trial\([0-9]*\)\.ras/\1/'' | sort -n | tr ''\n'' '' ''')
first = words(trials) > 0 ? word(trials, 1) : ""
last = words(trials) > 1 ? word(trials, words(trials)) : ""
N = system('awk ''/^# size: /{print $3; exit}'' ' . qdir . '/' . tgt)
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
set ylabel 'van Rossum loss'
set logscale y
set grid
unset key
plot dir . '/learning.tsv' using 1:($2 > 0 ? $2 : 1e-30) skip 1 with lines lc rgb '#1f77b4' title 'loss'
unset logscale y

set ylabel 'accuracy, moving average over 20 trials'
set yrange [-0.05:1.05]
plot '< awk ''NR > 1 {a[NR % 20] = $4; s = 0; c = 0; for (k in a) {s += a[k]; c++} print $1, s / c}'' ' . qdir . '/learning.tsv' using 1:2 with lines lc rgb '#2ca02c'
set yrange [*:*]
unset grid

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
