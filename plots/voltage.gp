# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — recorded traces of a run folder: the columns of <var>_<pop>.tsv
# ("time <var><id> <var><id>...", time in s, SI values), one panel per
# neuron. var = 'v' (record_v, the default): membrane potentials in mV, or a
# rate model's rates (its type, named in run.log's "record_v POP: TYPE"
# line, starts with "Rate"). Any other variable (record = gsyn_exc, ...):
# its unit from run.log's "record VAR POP: UNIT" line, drawn in nS for S, pA
# for A, mV for V and mV/ms for V/s. The spikes of the drawn neurons (from
# <pop>.ras, when recorded) are marked as ticks on top of their panel.
#
#   gnuplot -e "dir='out/coba'; pop='E'" plots/voltage.gp -> out/coba/v_E.png
#   gnuplot -e "dir='out/coba'; pop='E'; var='gsyn_exc'" plots/voltage.gp
#                                               -> out/coba/gsyn_exc_E.png
#   gnuplot -e "dir='out/coba'; pop='E'; tmin=0.2; tmax=0.4" plots/voltage.gp
#
# Variables: pop (the population, required), var (default 'v'), dir (run
# folder, default '.'), rasdir (the folder of the .ras files, default dir),
# fmt ('png' or 'svg'), out (output file, default dir/<var>_<pop>.fmt), tmin,
# tmax (s; default the run's duration from run.log, at most its first 2 s),
# maxtraces (panels at most, default 8: the first columns).
# Needs a POSIX shell with awk (the folder name must not contain "'").

if (!exists("dir")) dir = '.'
if (!exists("pop")) print "voltage.gp: set pop to a population"; exit status 1
if (!exists("fmt")) fmt = 'png'
if (!exists("var")) var = 'v'
if (!exists("rasdir")) rasdir = dir
if (!exists("out")) out = dir . '/' . var . '_' . pop . '.' . fmt
if (!exists("maxtraces")) maxtraces = 8

qdir = "'" . dir . "'"
file = dir . '/' . var . '_' . pop . '.tsv'
cols = system('head -n 1 ' . qdir . '/' . var . '_' . pop . '.tsv 2>/dev/null')
ntr = words(cols) - 1
if (ntr < 1) print sprintf("voltage.gp: no traces in %s", file); exit status 1
shown = ntr < maxtraces ? ntr : maxtraces

model = system('awk ''/^model: /{print $2; exit}'' ' . qdir . '/run.log 2>/dev/null')
type = system(sprintf('awk ''$1 == "record_v" && $2 == "%s:" {print $3; exit}'' %s/run.log 2>/dev/null', pop, qdir))
is_rate = var eq 'v' && type[1:4] eq 'Rate'
# the unit of another variable (run.log), and the scale it is drawn in
vunit = var eq 'v' ? 'V' : system(sprintf('awk ''$1 == "record" && $2 == "%s" && $3 == "%s:" {print $4; exit}'' %s/run.log 2>/dev/null', var, pop, qdir))
T = system('awk ''/^(completed|stopped) at t = /{print $5}'' ' . qdir . '/run.log 2>/dev/null')
if (T eq "") T = system('awk ''NR > 1 {t = $1} END {print t + 0}'' ' . qdir . '/' . var . '_' . pop . '.tsv')
if (!exists("tmin")) tmin = 0
if (!exists("tmax")) tmax = real(T) > 2 ? 2.0 : real(T)

# the subset drawn, named in the title
sub = ''
if (shown < ntr) sub = sprintf('%d of %d recorded neurons', shown, ntr)
if (tmin > 0 || tmax < real(T)) sub = sub . (sub eq '' ? '' : ', ') . sprintf('%g-%g s of %g s', tmin, tmax, real(T))
what = var eq 'v' ? (is_rate ? 'rates' : 'membrane potential') : var
head = sprintf('%s: %s of %s%s', (model eq '' ? dir : model), what, pop, (type eq '' ? '' : ' (' . type . ')'))
ttl = sub eq '' ? head : head . "\n" . sub

scale = is_rate ? 1 : (vunit eq 'S' ? 1e9 : (vunit eq 'A' ? 1e12 : (vunit eq 'V' ? 1000 : 1)))
ushown = vunit eq 'S' ? 'nS' : (vunit eq 'A' ? 'pA' : (vunit eq 'V' ? 'mV' : (vunit eq 'V/s' ? 'mV/ms' : vunit)))
unit = is_rate ? 'rate' : sprintf('%s [%s]', var, ushown)
ras = rasdir . '/' . pop . '.ras'
qras = "'" . rasdir . "'"
have_ras = system('[ -f ' . qras . '/' . pop . '.ras ] && echo 1 || echo 0') eq '1'

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
if (var eq 'v' && !is_rate) set ytics 10
do for [k = 1:shown] {
    id = int(word(cols, k + 1)[strlen(var) + 1:])
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
