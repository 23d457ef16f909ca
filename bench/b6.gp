# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# B6's curve (bench/b6.py writes dat): index 0 is B1 (CUBA), index 1 B5
# (the microcircuit), against the number of neurons.
#   gnuplot -e "dat='X-b6.dat'; out='doc/b6.png'" bench/b6.gp
set terminal pngcairo size 1200,800 font ",10"
set output out
set multiplot layout 2,2 title "B6: evsnn scaling (medians; bench/b6.py)"
set logscale x
set xlabel "neurons"
set key top left
set grid
set logscale y
set title "event loop per simulated second"
set ylabel "s"
plot dat index 0 using 1:2 with linespoints pt 7 title "B1 CUBA", \
     dat index 1 using 1:2 with linespoints pt 5 title "B5 microcircuit"
set title "cost per synaptic event"
set ylabel "ns"
plot dat index 0 using 1:3 with linespoints pt 7 title "B1 CUBA", \
     dat index 1 using 1:3 with linespoints pt 5 title "B5 microcircuit"
set title "cost per spike"
set ylabel "µs"
plot dat index 0 using 1:4 with linespoints pt 7 title "B1 CUBA", \
     dat index 1 using 1:4 with linespoints pt 5 title "B5 microcircuit"
unset logscale y
set title "memory per synapse and construction"
set ylabel "bytes per synapse"
set y2label "construction, s"
set y2tics
set logscale y2
plot dat index 0 using 1:5 with linespoints pt 7 title "B1 bytes/synapse", \
     dat index 1 using 1:5 with linespoints pt 5 title "B5 bytes/synapse", \
     dat index 0 using 1:6 axes x1y2 with linespoints pt 6 dt 2 title "B1 construction", \
     dat index 1 using 1:6 axes x1y2 with linespoints pt 4 dt 2 title "B5 construction"
unset multiplot
