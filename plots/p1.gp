# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — P1 figure (doc/p1_p2.md): Oja's rule against plain Hebb.
#   (a) input samples x and the weight vector's path in the (w1, w2) plane,
#       with the unit circle and the principal eigenvector e1 of C;
#   (b) Oja: |w| and |cos(w, e1)| against the number of samples;
#   (c) plain Hebb: ln |w| against samples, and the slope eta lambda1 that
#       <dw/dt> = eta C w predicts.
#
#   evsnn run models/p1_oja.ini -o out/p1_oja
#   evsnn run models/p1_hebb.ini -o out/p1_hebb
#   gnuplot -e "oja='out/p1_oja'; hebb='out/p1_hebb'; outdir='doc'" plots/p1.gp
#
# Variables: oja, hebb (run folders, default 'p1_oja', 'p1_hebb'), outdir
# (default '.'), fmt ('png' or 'svg').
if (!exists("oja")) oja = 'p1_oja'
if (!exists("hebb")) hebb = 'p1_hebb'
if (!exists("outdir")) outdir = '.'
if (!exists("fmt")) fmt = 'png'

if (fmt eq 'svg') {
    set terminal svg size 1200,420 dynamic font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1200,420 font 'sans,11'
}
set output outdir . '/p1.' . fmt
set datafile separator tab
set datafile columnheaders
set tics out nomirror
set border 3
set grid lc rgb '#dddddd'

e1x = 0.9238795325; e1y = 0.3826834324   # C = [[3,1],[1,1]]
eta = 1e-3; lambda1 = 2 + sqrt(2)
nrm(a, b) = sqrt(a*a + b*b)

set multiplot layout 1,3
# (a)
set title '(a) inputs and Oja weight path'
set size ratio -1
set xlabel 'x_1, w_1'
set ylabel 'x_2, w_2'
set xrange [-5:5]
set yrange [-4:4]
set key top left samplen 2 spacing 0.9
set parametric
set trange [0:2*pi]
plot oja.'/v_X.tsv' using 2:3 with dots lc rgb '#aaaaaa' title 'x samples', \
     cos(t), sin(t) with lines lc rgb '#888888' dt 2 title '|w| = 1', \
     oja.'/XY.synapses.tsv' using 2:3 with linespoints pt 7 ps 0.3 lc rgb '#1f77b4' title 'w (Oja)', \
     -3.5*e1x + t/(2*pi)*7*e1x, -3.5*e1y + t/(2*pi)*7*e1y with lines lc rgb '#d62728' title 'e_1'
unset parametric
set size noratio
# (b)
set title '(b) Oja: |w| and |cos(w, e_1)|'
set xlabel 'samples'
set ylabel ''
set logscale x
set xrange [10:200000]
set yrange [0:1.1]
set key bottom right
plot oja.'/XY.synapses.tsv' using 1:(nrm($2, $3)) with lines lw 2 lc rgb '#1f77b4' title '|w|', \
     '' using 1:(abs($2*e1x + $3*e1y)/nrm($2, $3)) with lines lw 2 lc rgb '#d62728' title '|cos(w, e_1)|'
# (c)
set title '(c) plain Hebb: |w| grows without bound'
unset logscale x
set xrange [*:*]
set ylabel 'ln |w|'
set yrange [*:*]
set key top left
stats hebb.'/XY.synapses.tsv' using 1:(log(nrm($2, $3))) nooutput
plot hebb.'/XY.synapses.tsv' using 1:(log(nrm($2, $3))) with lines lw 2 lc rgb '#2ca02c' title sprintf('ln |w| (Hebb), fitted slope %.3g', STATS_slope), \
     STATS_mean_y + eta*lambda1*(x - STATS_mean_x) with lines dt 2 lc rgb 'black' title sprintf('slope η λ_1 = %.3g', eta*lambda1)
unset multiplot
