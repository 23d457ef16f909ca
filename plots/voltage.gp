# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — membrane potential traces of a run folder: the columns of
# v_<pop>.tsv (record_v: "time v<id> v<id>...", time in s, potentials in V),
# one panel per neuron, in mV; a rate model's probes (its type, named in
# run.log's "record_v POP: TYPE" line, starts with "Rate") are drawn as
# rates. The spikes of the drawn neurons (from <pop>.ras, when recorded)
# are marked as ticks on top of their panel.
#
#   gnuplot -e "dir='out/coba'; pop='E'" plots/voltage.gp -> out/coba/v_E.png
#   gnuplot -e "dir='out/coba'; pop='E'; tmin=0.2; tmax=0.4" plots/voltage.gp
#
# Variables: pop (the population, required), dir (run folder, default '.'),
# fmt ('png' or 'svg'), out (output file, default dir/v_<pop>.fmt), tmin,
# tmax (s; default the run's duration from run.log, at most its first 2 s),
# maxtraces (panels at most, default 8: the first columns).
# Needs a POSIX shell with awk (the folder name must not contain "'").

if (!exists("dir")) dir = '.'
if (!exists("pop")) print "voltage.gp: set pop to a population"; exit status 1
if (!exists("fmt")) fmt = 'png'
if (!exists("out")) out = dir . '/v_' . pop . '.' . fmt
if (!exists("maxtraces")) maxtraces = 8

qdir = "'" . dir . "'"
file = dir . '/v_' . pop . '.tsv'
cols = system('head -n 1 ' . qdir . '/v_' . pop . '.tsv 2>/dev/null')
ntr = words(cols) - 1
if (ntr < 1) print sprintf("voltage.gp: no traces in %s", file); exit status 1
shown = ntr < maxtraces ? ntr : maxtraces

model = system('awk ''/^model: /{print $2; exit}'' ' . qdir . '/run.log 2>/dev/null')
type = system(sprintf('awk ''$1 == "record_v" && $2 == "%s:" {print $3; exit}'' %s/run.log 2>/dev/null', pop, qdir))
is_rate = type[1:4] eq 'Rate'
T = system('awk ''/^(completed|stopped) at t = /{print $5}'' ' . qdir . '/run.log 2>/dev/null')
if (T eq "") T = system('awk ''NR > 1 {t = $1} END {print t + 0}'' ' . qdir . '/v_' . pop . '.tsv')
if (!exists("tmin")) tmin = 0
if (!exists("tmax")) tmax = real(T) > 2 ? 2.0 : real(T)

# the subset drawn, named in the title
sub = ''
if (shown < ntr) sub = sprintf('%d of %d recorded neurons', shown, ntr)
if (tmin > 0 || tmax < real(T)) sub = sub . (sub eq '' ? '' : ', ') . sprintf('%g-%g s of %g s', tmin, tmax, real(T))
head = sprintf('%s: %s of %s%s', (model eq '' ? dir : model), (is_rate ? 'rates' : 'membrane potential'), pop, (type eq '' ? '' : ' (' . type . ')'))
ttl = sub eq '' ? head : head . "\n" . sub

scale = is_rate ? 1 : 1000
unit = is_rate ? 'rate' : 'v [mV]'
ras = dir . '/' . pop . '.ras'
have_ras = system('[ -f ' . qdir . '/' . pop . '.ras ] && echo 1 || echo 0') eq '1'

if (fmt eq 'svg') {
    set terminal svg size 1000,700 dynamic font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1000,700 font 'sans,11'
}
set output out
set termoption noenhanced
set multiplot layout shown,1 title ttl margins 0.1,0.97,0.08,(sub eq '' ? 0.93 : 0.89) spacing 0,0.015
set xrange [tmin:tmax]
set tics out nomirror
set border 3
set grid ytics lc rgb '#e5e5e5'
unset key
set format x ''
if (!is_rate) set ytics 10
do for [k = 1:shown] {
    id = int(word(cols, k + 1)[2:])
    if (k == shown) { set format x '%g'; set xlabel 'time [s]' }
    set ylabel sprintf('neuron %d', id)
    set label 1 sprintf('%s', (k == 1 ? unit : '')) at graph -0.07, graph 1.12 left
    if (have_ras && !is_rate) {
        # spikes: ticks above the trace, at the top of the panel
        set y2range [0:1]
        plot file using 1:(column(k + 1) * scale) skip 1 with lines lw 1 lc rgb '#1f4e9c', \
             ras using (($2 == id && $1 >= tmin && $1 <= tmax) ? $1 : NaN):(0.93):(0):(0.07) axes x1y2 with vectors nohead lw 1.5 lc rgb '#d62728'
    } else {
        plot file using 1:(column(k + 1) * scale) skip 1 with lines lw 1 lc rgb '#1f4e9c'
    }
}
unset multiplot
