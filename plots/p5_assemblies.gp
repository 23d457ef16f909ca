# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — P5 figure from the tables of models/p5/make_inputs.py run:
#   p5_assemblies.png: top, the rate of each assembly A0..A3, of the other E
#   neurons, and of the uncued halves of A0 and A1, per 1 s (full model);
#   middle, the mean E->E weight within and between assemblies at each
#   snapshot; bottom,
#   the mean E->E weight of the control (beta = delta = 0) until the rate
#   checker stopped it.
#
#   gnuplot -e "dir='out/p5'" plots/p5_assemblies.gp  -> out/p5/p5_assemblies.png
#
# Variables (optional): dir (folder with full/ and control/, default '.'),
# outdir (where the figure goes, default dir).
if (!exists("dir")) dir = '.'
if (!exists("outdir")) outdir = dir
set terminal pngcairo size 900,900 font ",10"
set output outdir.'/p5_assemblies.png'
set multiplot layout 3,1
set key outside right
set xlabel 'time (s)'
set ylabel 'rate (Hz)'
set title 'orchestrated plasticity: assembly rates (training 20-100 s, partial cues at 120 and 125 s)'
plot for [c=2:6] dir.'/full/p5_rates.tsv' u 1:c w steps t columnhead(c), \
     dir.'/full/p5_rates.tsv' u 1:8 w steps dt 2 t 'A0 uncued half', \
     dir.'/full/p5_rates.tsv' u 1:10 w steps dt 3 t 'A1 uncued half'
set ylabel 'mean weight (nS)'
set title 'E->E weights (full model)'
plot dir.'/full/p5_blocks.tsv' u 1:2 w lp t 'within assemblies', \
     '' u 1:3 w lp t 'between assemblies', '' u 1:4 w lp t 'other'
set title 'control (beta = delta = 0): mean E->E weight until the run stopped'
plot dir.'/control/EE.weights.tsv' u 1:($2*1e9) w lp t 'mean', \
     '' u 1:($5*1e9) w l t 'max'
unset multiplot
