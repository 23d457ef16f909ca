# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — the cost model's cluster predictions (doc/cost-model.md): reads the
# table bench/cost_predict.py wrote and draws one PNG with three panels:
#   top     the microcircuit: seconds per simulated second against nodes of
#           128 cores, total and its parts;
#   middle  the multi-area model, the same, and the total with a two-tier
#           exchange (dashed);
#   bottom  memory per rank (one rank a node) of both models, as built now
#           (row pointers of every projection on every thread) and with
#           sparse rows; the dotted line is 256 GB, a node's memory.
#
#   gnuplot -e "data='bench/results/2026-12-07-cost-model.tsv'; out='doc/cost-model.png'" bench/cost_model.gp

if (!exists("data")) data = 'bench/results/2026-12-07-cost-model.tsv'
if (!exists("out")) out = 'doc/cost-model.png'

set terminal pngcairo size 800, 1000 font ',10'
set output out
set multiplot layout 3, 1 margins 0.11, 0.97, 0.06, 0.96 spacing 0, 0.08
set logscale xy 2
set format x '%g'
set xrange [1:1024]
set grid
set key noenhanced

panel(t) = t . ', 1 rank x 128 threads a node'
set key bottom left inside font ',8' 

set logscale y 10
set format y '10^{%L}'
set title panel('microcircuit (77,169 neurons, 0.30 G synapses)')
set ylabel 's per simulated s'
plot data index 0 using 2:3 with linespoints lw 2 pt 7 lc rgb '#000000' title 'total', \
     '' index 0 using 2:4 with lines lw 1.5 lc rgb '#1f77b4' title 'compute (split)', \
     '' index 0 using 2:5 with lines lw 1.5 lc rgb '#d62728' title 'every thread x every spike, merge', \
     '' index 0 using 2:6 with lines lw 1.5 lc rgb '#2ca02c' title 'windows: barrier, MPI, bytes', \
     '' index 0 using 2:7 with lines lw 1.5 lc rgb '#ff7f0e' title 'imbalance', \
     '' index 0 using 2:8 with linespoints lw 2 dt 2 pt 6 lc rgb '#000000' title 'total, spikes routed'

set title panel('multi-area model (4.13 M neurons, 24.2 G synapses, 5 Hz)')
set yrange [1e-3:*]
plot data index 1 using 2:3 with linespoints lw 2 pt 7 lc rgb '#000000' title 'total', \
     '' index 1 using 2:8 with linespoints lw 2 dt 2 pt 6 lc rgb '#000000' title 'total, spikes routed + two-tier exchange', \
     '' index 1 using 2:4 with lines lw 1.5 lc rgb '#1f77b4' title 'compute (split)', \
     '' index 1 using 2:5 with lines lw 1.5 lc rgb '#d62728' title 'every thread x every spike, merge', \
     '' index 1 using 2:6 with lines lw 1.5 lc rgb '#2ca02c' title 'windows: barrier, MPI, bytes', \
     '' index 1 using 2:7 with lines lw 1.5 lc rgb '#ff7f0e' title 'imbalance'

set yrange [*:*]
set title 'memory per rank (one rank a node)'
set key bottom left inside font ',8'
set ylabel 'GB'
set xlabel 'nodes of 128 cores'
plot data index 0 using 2:9 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'microcircuit, now', \
     '' index 0 using 2:10 with linespoints lw 2 dt 2 pt 6 lc rgb '#1f77b4' title 'microcircuit, sparse rows', \
     '' index 1 using 2:9 with linespoints lw 2 pt 7 lc rgb '#d62728' title 'multi-area, now', \
     '' index 1 using 2:10 with linespoints lw 2 dt 2 pt 6 lc rgb '#d62728' title 'multi-area, sparse rows', \
     256 with lines dt 3 lw 1.5 lc rgb '#555555' title 'a node: 256 GB'
unset multiplot
