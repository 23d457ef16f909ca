# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — P2 figure (doc/p1_p2.md): BCM with a sliding threshold, the rate
# y / kappa against t / tau_crit for tau_theta / tau_crit = 0.1 ... 10 (the
# sweep of models/p2/sweep.sh, which writes y_<ratio>.tsv).
#
#   models/p2/sweep.sh out/p2
#   gnuplot -e "dir='out/p2'; outdir='doc'" plots/p2.gp
#
# Variables: dir (sweep folder, default 'p2_out'), outdir (default dir),
# fmt ('png' or 'svg').
if (!exists("dir")) dir = 'p2_out'
if (!exists("outdir")) outdir = dir
if (!exists("fmt")) fmt = 'png'

if (fmt eq 'svg') {
    set terminal svg size 1100,620 dynamic font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1100,620 font 'sans,11'
}
set output outdir . '/p2.' . fmt
set datafile separator tab
set datafile columnheaders
set tics out nomirror
set border 3
set grid lc rgb '#dddddd'
set xrange [0:100]
set yrange [0:2.5]
set key off
set xlabel 't / τ_{crit}'
set ylabel 'y / κ'
set multiplot layout 2,3 title 'BCM: y = w x, τ_{crit} = 1/(η x^2 κ); the fixed point y = θ = κ is stable iff τ_θ < τ_{crit}'
do for [r in "0.1 0.5 0.9 1.1 2 10"] {
    set title sprintf('τ_θ = %s τ_{crit}', r)
    set arrow 1 from 50, graph 0 to 50, graph 1 nohead dt 3 lc rgb '#888888'
    plot dir.'/y_'.r.'.tsv' using 1:2 with lines lw 1.5 lc rgb (r + 0 < 1 ? '#1f77b4' : '#d62728'), \
         1 with lines dt 2 lc rgb 'black'
}
unset multiplot
