# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — P4 figures (doc/p4.md): homeostatic triplet STDP in a recurrent
# network. Reads two run folders (models/p4_fast.ini, models/p4_slow.ini) and
# the folder of models/p4/sweep.sh, writes two PNGs:
#   p4_rates.png     E population rate over time, fast vs slow tau_hom
#                    (left: the first seconds, 50 ms bins; right: the whole
#                    fast run, 1 s bins, with the mean E->E weight)
#   p4_tau_crit.png  tau_crit against eta (log-log) with every sweep run
#                    (stable / ran away), the line C/eta through the point
#                    of the smallest eta, and a least-squares fit c/eta + t0
#
#   gnuplot -e "fast='out/p4_fast'; slow='out/p4_slow'; sweep='out/p4_sweep'; outdir='doc'" plots/p4.gp
#
# Variables: fast, slow, sweep (folders; default out/p4_fast, out/p4_slow,
# out/p4_sweep), outdir (default '.'), t0 (s, length of the left panel,
# default 10). Needs awk; folder names must not contain "'".

if (!exists("fast")) fast = 'out/p4_fast'
if (!exists("slow")) slow = 'out/p4_slow'
if (!exists("sweep")) sweep = 'out/p4_sweep'
if (!exists("outdir")) outdir = '.'
if (!exists("t0")) t0 = 10

q(d) = "'" . d . "'"
# duration of a run: the time on run.log's last line
T(d) = real(system('awk ''/^(completed|stopped) at t = /{print $5}'' ' . q(d) . '/run.log'))
N(d) = int(system(sprintf('awk -F''\t'' ''$1 == "E" {print $2}'' %s/summary.tsv', q(d))))
# "centre rate_hz" per bin of width bw over [0, min(T, tmax))
bins(d, bw, tmax) = sprintf('< awk -v bw=%.9g -v n=%d -v T=%.9g ''!/^#/ {c[int($1 / bw)]++} END {nb = int(T / bw + 0.999999); for (i = 0; i < nb; i++) printf "%%.9g %%.9g\n", (i + 0.5) * bw, c[i] / (n * bw)}'' %s/E.ras', bw, N(d), (T(d) < tmax ? T(d) : tmax), q(d))

Tf = T(fast)
Ts = T(slow)
stop_line = system('tail -n 1 ' . q(slow) . '/run.log')

set terminal pngcairo size 1200,450 font ',10'
set output outdir . '/p4_rates.png'
set multiplot layout 1,2 title sprintf("P4: E rate, homeostatic triplet STDP (slow run: %s)", stop_line)

set logscale y
set yrange [0.05:200]
set xlabel 'time (s)'
set ylabel 'E rate (Hz)'
set key top left
set xrange [0:t0]
set arrow 1 from 0,0.1 to t0,0.1 nohead dt 2 lc rgb 'gray40'
set arrow 2 from 0,60 to t0,60 nohead dt 2 lc rgb 'gray40'
plot bins(fast, 0.05, t0) u 1:($2 > 0 ? $2 : 0.05) w steps lw 1.5 lc rgb '#1f77b4' t 'fast {/Symbol t}_{hom}', \
     bins(slow, 0.05, t0) u 1:($2 > 0 ? $2 : 0.05) w steps lw 1.5 lc rgb '#d62728' t 'slow {/Symbol t}_{hom} (stopped)'

unset arrow 1
unset arrow 2
set xrange [0:Tf]
set arrow 1 from 0,0.1 to Tf,0.1 nohead dt 2 lc rgb 'gray40'
set arrow 2 from 0,60 to Tf,60 nohead dt 2 lc rgb 'gray40'
set y2tics
set y2label 'mean E->E weight (nS)'
set y2range [0:*]
set ytics nomirror
plot bins(fast, 1.0, Tf) u 1:2 w steps lw 1.5 lc rgb '#1f77b4' t 'fast: E rate (1 s bins)', \
     fast . '/EE.weights.tsv' u 1:($2 * 1e9) axes x1y2 w l lw 1.5 lc rgb 'black' t 'fast: mean weight'
unset multiplot
unset arrow 1
unset arrow 2
unset y2tics
unset y2label

# ---- tau_crit against eta ----
set terminal pngcairo size 640,480 font ',10'
set output outdir . '/p4_tau_crit.png'
crit = sweep . '/tau_crit.tsv'
runs = sweep . '/runs.tsv'
# C: eta tau_crit at the smallest eta (where learning is slowest)
C = real(system('awk -F''\t'' ''NR > 1 && (m == "" || $1 + 0 < m) {m = $1 + 0; c = $5} END {printf "%.6g", c}'' ' . q(crit)))
set title sprintf("P4: critical {/Symbol t}_{hom} against {/Symbol h} (line: %.3g s / {/Symbol h})", C)
set logscale xy
unset yrange
unset xrange
set xrange [0.4:15]
set yrange [0.1:50]
set xlabel 'learning rate multiplier {/Symbol h}'
set ylabel '{/Symbol t}_{hom} (s)'
set key top right
f(x) = C / x
# least squares (in log tau) through the tau_crit points of a 1/eta law
# with an eta-independent offset: tau = c / eta + t0
c = C; t0 = 0.1
set fit quiet logfile '/dev/null'
fit log(c / x + t0) crit u 1:(log($4)) every ::1 via c, t0
g(x) = c / x + t0
plot runs u (strcol(5) eq 'stable' ? $1 : NaN):2 every ::1 w p pt 6 ps 1.2 lc rgb '#1f77b4' t 'run stayed in band', \
     runs u (strcol(5) eq 'ranaway' ? $1 : NaN):2 every ::1 w p pt 2 ps 1.2 lc rgb '#d62728' t 'run ran away', \
     crit u 1:4:2:3 every ::1 w yerrorbars pt 7 ps 1.3 lc rgb 'black' t '{/Symbol t}_{crit} (bisection bracket)', \
     f(x) w l dt 2 lc rgb 'black' t 'C / {/Symbol h} (through the smallest {/Symbol h})', \
     g(x) w l lc rgb '#2ca02c' t sprintf('fit: %.3g s / {/Symbol h} + %.2f s', c, t0)
