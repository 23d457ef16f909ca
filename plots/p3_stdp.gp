# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — P3 figures from the tables of models/p3/make_inputs.py run:
#   p3_window.png:    pair-STDP window dw(dt), evsnn (points) against the
#                     analytic A+ e^{-dt/tau+} / -A- e^{dt/tau-} (line), and
#                     below, the difference in units of its float-rounding
#                     tolerance;
#   p3_frequency.png: total dw of 60 triplet-STDP pairings at dt = +10 and
#                     -10 ms against the pairing frequency, evsnn (points)
#                     against the direct summation of the rule (lines), and
#                     the difference in units of its tolerance.
#
#   gnuplot -e "dir='out/p3'" plots/p3_stdp.gp   -> out/p3/p3_window.png, ...
#   gnuplot -e "dir='out/p3'; fmt='svg'" plots/p3_stdp.gp
#
# Variables (all optional): dir (folder with p3_window.tsv, p3_frequency.tsv
# and p3_frequency_curve.tsv, default '.'), fmt ('png' or 'svg'), outdir
# (where the figures go, default dir).

if (!exists("dir")) dir = '.'
if (!exists("fmt")) fmt = 'png'
if (!exists("outdir")) outdir = dir

win = dir . '/p3_window.tsv'
frq = dir . '/p3_frequency.tsv'
cur = dir . '/p3_frequency_curve.tsv'

if (fmt eq 'svg') {
    set terminal svg size 800,640 dynamic font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 800,640 font 'sans,11'
}
set datafile separator tab
set datafile commentschars "#"
set datafile columnheaders
set tics out nomirror
set border 3
set grid lc rgb '#dddddd'

# ---- (a) the pair-STDP window ------------------------------------------------
set output outdir . '/p3_window.' . fmt
set multiplot
set lmargin 12
set rmargin 3

set origin 0, 0.3
set size 1, 0.7
set title 'P3(a) pair STDP window (additive, {/Symbol t}_+ = {/Symbol t}_- = 20 ms): 102 synapses, one run'
set xlabel ''
set format x ''
set ylabel '{/Symbol D}w [{/Symbol m}V]'
set xrange [-52:52]
set yrange [*:*]
set xzeroaxis lc rgb '#999999'
set key top left box opaque
plot win using 1:($1 < 0 ? $3 * 1e6 : NaN) with lines lw 2 lc rgb '#4477aa' title 'analytic', \
     win using 1:($1 > 0 ? $3 * 1e6 : NaN) with lines lw 2 lc rgb '#4477aa' notitle, \
     win using 1:($2 * 1e6) with points pt 7 ps 0.6 lc rgb '#cc3311' title 'evsnn'

set origin 0, 0
set size 1, 0.32
set title ''
set format x '% g'
set xlabel '{/Symbol D}t = t_{post} - t_{pre arrival} [ms]'
set ylabel 'error / tolerance'
set yrange [-1.2:1.2]
set ytics (-1, 0, 1)
unset key
plot 1 with lines dt 2 lc rgb '#999999', -1 with lines dt 2 lc rgb '#999999', \
     win using 1:($4 / $5) with impulses lw 2 lc rgb '#cc3311'
unset multiplot
set ytics autofreq

# ---- (b) triplet STDP against the pairing frequency --------------------------
set output outdir . '/p3_frequency.' . fmt
set multiplot
set origin 0, 0.3
set size 1, 0.7
set title 'P3(b) minimal triplet STDP (visual cortex): 60 pairings at {/Symbol D}t = {/Symbol \261}10 ms'
set xlabel ''
set format x ''
set ylabel 'total {/Symbol D}w [mV = paper units]'
set xrange [0:51]
set yrange [*:*]
set key top left box opaque
plot cur using 1:($2 * 1e3) with lines lw 2 lc rgb '#228833' title 'analytic, {/Symbol D}t = +10 ms (pre-post)', \
     cur using 1:($3 * 1e3) with lines lw 2 lc rgb '#aa3377' title 'analytic, {/Symbol D}t = -10 ms (post-pre)', \
     frq using 1:($2 > 0 ? $3 * 1e3 : NaN) with points pt 7 ps 1.2 lc rgb '#228833' title 'evsnn, +10 ms', \
     frq using 1:($2 < 0 ? $3 * 1e3 : NaN) with points pt 5 ps 1.2 lc rgb '#aa3377' title 'evsnn, -10 ms'

set origin 0, 0
set size 1, 0.32
set title ''
set format x '% g'
set xlabel 'pairing frequency [Hz]'
set ylabel 'error / tolerance'
set yrange [-1.2:1.2]
set ytics (-1, 0, 1)
unset key
plot 1 with lines dt 2 lc rgb '#999999', -1 with lines dt 2 lc rgb '#999999', \
     frq using ($2 > 0 ? $1 - 0.3 : NaN):($5 / $6) with impulses lw 3 lc rgb '#228833', \
     frq using ($2 < 0 ? $1 + 0.3 : NaN):($5 / $6) with impulses lw 3 lc rgb '#aa3377'
unset multiplot
