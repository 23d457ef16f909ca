# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — the rule comparison figure (doc/compare.md): reads the folder that
# models/compare/run.py wrote (compare.tsv, loss.tsv) and draws one PNG with
# three panels, one colour per model:
#   top     output population rate (1 s bins; the dashed lines: the rate
#           checker's band and the targets' 8 Hz);
#   middle  mean weight ± sd (mV; band) over time;
#   bottom  the van Rossum loss to the targets per 500 ms trial (log scale).
# A run the rate checker stopped ends where it stopped.
#
#   gnuplot -e "dir='out/compare'; out='doc/compare.png'" plots/compare.gp
#
# Variables: dir (default out/compare), out (default DIR/compare.png),
# models (space-separated, default all four).

if (!exists("dir")) dir = 'out/compare'
if (!exists("out")) out = dir . '/compare.png'
if (!exists("models")) models = 'stdp_slow stdp_fast orchestrated superspike'
label(m) = m eq 'stdp_slow' ? 'triplet STDP, slow homeostasis (tau_{hom} 100 s)' : \
           m eq 'stdp_fast' ? 'triplet STDP, fast homeostasis (tau_{hom} 1 s)' : \
           m eq 'orchestrated' ? 'triplet STDP + rapid compensatory (orchestrated)' : \
           m eq 'superspike' ? 'SuperSpike' : m
colour(i) = word('#d62728 #ff7f0e #2ca02c #1f77b4 #9467bd', i)

set terminal pngcairo size 900, 1000 font ',10'
set output out
set datafile separator "\t"
set datafile missing "NA"
set multiplot layout 3, 1 margins 0.09, 0.97, 0.06, 0.96 spacing 0, 0.09
set key top right font ',9' noenhanced
set grid

f = dir . '/compare.tsv'
set title 'output rate (1 s bins)'
set ylabel 'rate (Hz)'
set xlabel 'time (s)'
set yrange [0:*]
plot for [i = 1:words(models)] f using (strcol(1) eq word(models, i) ? $2 + 0.5 : NaN):3 \
       with lines lw 2 lc rgb colour(i) title label(word(models, i)) enhanced, \
     50 with lines dt 2 lc rgb 'grey40' title 'rate checker max (50 Hz)', \
     8 with lines dt 3 lc rgb 'black' title 'targets (8 Hz)'

set title 'weights: mean ± sd (in\_out, 10,000 synapses)'
set ylabel 'w (mV)'
set yrange [*:*]
plot for [i = 1:words(models)] f using (strcol(1) eq word(models, i) ? $2 : NaN):($4 - $5):($4 + $5) \
       with filledcurves fs transparent solid 0.15 noborder lc rgb colour(i) notitle, \
     for [i = 1:words(models)] f using (strcol(1) eq word(models, i) ? $2 : NaN):4 \
       with lines lw 2 lc rgb colour(i) title word(models, i) noenhanced

g = dir . '/loss.tsv'
set title 'task loss: van Rossum distance to the target raster per trial'
set ylabel 'loss (1/s)'
set xlabel 'trial (500 ms)'
set logscale y
set format y '10^{%L}'
plot for [i = 1:words(models)] g using (strcol(1) eq word(models, i) ? $2 : NaN):4 \
       with lines lw 1.5 lc rgb colour(i) title word(models, i) noenhanced
unset multiplot
