# evsnn — spike raster of a run folder: every <population>.ras in `dir`,
# populations stacked from the bottom in file-name order, one colour each;
# time in s on x, neuron id (offset by the populations below) on y.
#
#   gnuplot -e "dir='out/demo'" plots/raster.gp        -> out/demo/raster.png
#   gnuplot -e "dir='out/demo'; fmt='svg'; tmax=0.5" plots/raster.gp
#
# Variables (all optional): dir (run folder, default '.'), fmt ('png' or
# 'svg'), out (output file, default dir/raster.fmt), tmax (s; default the
# run's duration from run.log, at most 2 s), tmin (s, default 0).
# Needs a POSIX shell with awk (the folder name must not contain "'").

if (!exists("dir")) dir = '.'
if (!exists("fmt")) fmt = 'png'
if (!exists("out")) out = dir . '/raster.' . fmt
if (!exists("tmin")) tmin = 0

qdir = "'" . dir . "'"
# the populations of summary.tsv that have a raster (not the trial and target
# rasters of a SuperSpike run)
pops = system('cd ' . qdir . ' 2>/dev/null && awk -F''\t'' ''NR > 1 {print $1}'' summary.tsv | while read p; do [ -f "$p.ras" ] && printf "%s " "$p"; done')
npop = words(pops)
if (npop == 0) print sprintf("raster.gp: no .ras files in %s", dir); exit status 1

T = system('awk ''/^(completed|stopped) at t = /{print $5}'' ' . qdir . '/run.log 2>/dev/null')
if (!exists("tmax")) tmax = (T eq "" || real(T) > 2) ? 2.0 : real(T)

# Sizes from each raster's header ("# size: N"); offsets stack populations.
array off[npop + 1]
off[1] = 0
do for [i = 1:npop] {
    s = system('awk ''/^# size: /{print $3; exit}'' ' . qdir . '/' . word(pops, i) . '.ras')
    off[i + 1] = off[i] + (s eq "" ? 0 : int(s))
}
total = off[npop + 1]

if (fmt eq 'svg') {
    set terminal svg size 1000,600 dynamic font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1000,600 font 'sans,11'
}
set output out

set title sprintf("spike raster: %s", dir) noenhanced
set xlabel 'time [s]'
set ylabel 'neuron (populations stacked)'
set xrange [tmin:tmax]
set yrange [-0.5:(total > 0 ? total - 0.5 : 1)]
unset key
set tics out nomirror
set border 3
if (npop > 1) {
    set ytics () noenhanced
    do for [i = 1:npop] {
        set ytics add (word(pops, i) (off[i] + off[i + 1] - 1) / 2.0)
        if (i > 1) { set arrow from graph 0, first off[i] - 0.5 to graph 1, first off[i] - 0.5 nohead lc rgb '#999999' dt 2 }
    }
} else {
    set ylabel sprintf("neuron id (%s)", word(pops, 1)) noenhanced
}
ps = total <= 200 ? 0.5 : (total <= 2000 ? 0.25 : 0.12)

plot for [i = 1:npop] dir . '/' . word(pops, i) . '.ras' \
    using (($1 >= tmin && $1 <= tmax) ? $1 : NaN):($2 + off[i]) \
    with points pt 7 ps ps lc i title word(pops, i)
