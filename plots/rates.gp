# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — population firing rates over time of a run folder: spikes of each
# <population>.ras in `dir` counted in bins of `bin` s (default 10 ms),
# divided by the population's size (from summary.tsv) and the bin width.
# One line per population; the legend gives the mean rate of the run.
#
#   gnuplot -e "dir='out/demo'" plots/rates.gp          -> out/demo/rates.png
#   gnuplot -e "dir='out/demo'; fmt='svg'; bin=0.005" plots/rates.gp
#
# Variables (all optional): dir (run folder, default '.'), rasdir (the
# folder of the .ras files, default dir), fmt ('png' or
# 'svg'), out (output file, default dir/rates.fmt), bin (s, default 0.01),
# tmin, tmax (s, default 0 and the run's duration from run.log).
# Needs a POSIX shell with awk (the folder name must not contain "'").

if (!exists("dir")) dir = '.'
if (!exists("fmt")) fmt = 'png'
if (!exists("out")) out = dir . '/rates.' . fmt
if (!exists("bin")) bin = 0.01
if (!exists("tmin")) tmin = 0

qdir = "'" . dir . "'"
if (!exists("rasdir")) rasdir = dir
qras = "'" . rasdir . "'"
# the populations of summary.tsv that have a raster (not the trial and target
# rasters of a SuperSpike run)
pops = system('awk -F''\t'' ''NR > 1 {print $1}'' ' . qdir . '/summary.tsv 2>/dev/null | while read p; do [ -f ' . qras . '/"$p.ras" ] && printf "%s " "$p"; done')
npop = words(pops)
if (npop == 0) print sprintf("rates.gp: no .ras files in %s", dir); exit status 1

T = system('awk ''/^(completed|stopped) at t = /{print $5}'' ' . qdir . '/run.log 2>/dev/null')
if (T eq "") T = system('cat ' . qras . '/*.ras | awk ''!/^#/ && $1 > m {m = $1} END {print m + 0}''')
if (!exists("tmax")) tmax = real(T)

# Column 2 (neurons) and 4 (rate_hz) of the population's summary.tsv row.
field(p, c) = system(sprintf('awk -F''\t'' -v p=%s ''NR > 1 && $1 == p {print $%d}'' %s/summary.tsv', p, c, qdir))

# Every bin of [0, T), empty ones included: "centre rate_hz" per line.
bins(p) = sprintf('< awk -v bw=%.17g -v n=%s -v T=%.17g ''!/^#/ {c[int($1 / bw)]++} END {nb = int(T / bw + 0.999999); for (i = 0; i < nb; i++) printf "%%.9g %%.9g\n", (i + 0.5) * bw, c[i] / (n * bw)}'' %s/%s.ras', bin, field(p, 2), real(T), qras, p)

array size[npop]
array mean[npop]
do for [i = 1:npop] {
    s = field(word(pops, i), 2)
    size[i] = (s eq "") ? 0 : int(s)
    m = field(word(pops, i), 4)
    mean[i] = (m eq "") ? NaN : real(m)
}

if (fmt eq 'svg') {
    set terminal svg size 1000,500 dynamic font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1000,500 font 'sans,11'
}
set output out

model = system('awk ''/^model: /{print $2; exit}'' ' . qdir . '/run.log 2>/dev/null')
set title sprintf("%s: population rates (%g ms bins)", (model eq '' ? dir : model), bin * 1000) noenhanced
set xlabel 'time [s]'
set ylabel 'rate [Hz]'
set xrange [tmin:tmax]
set yrange [0:*]
set key outside right top noenhanced
set tics out nomirror
set border 3
set grid ytics lc rgb '#dddddd'

plot for [i = 1:npop] (size[i] > 0 ? bins(word(pops, i)) : NaN) \
    using 1:2 with histeps lw 1.5 lc i \
    title sprintf("%s (%.2f Hz)", word(pops, i), mean[i])
