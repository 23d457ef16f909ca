# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — spike raster of a run folder: every <population>.ras in `dir`,
# populations stacked from the bottom in file-name order, one colour each;
# time in s on x, neuron id (offset by the populations below) on y.
#
#   gnuplot -e "dir='out/demo'" plots/raster.gp        -> out/demo/raster.png
#   gnuplot -e "dir='out/demo'; fmt='svg'; tmax=0.5" plots/raster.gp
#   gnuplot -e "dir='out/demo'; nmin=0; nmax=49; tmin=0.2; tmax=0.3" plots/raster.gp
#
# A large raster is drawn as a readable sample, named in the title: without
# nmin/nmax, at most `maxn` neurons (default 200), the first ones of each
# population in proportion to its size; without tmax, at most the first 2 s
# and at most `maxpts` spikes (default 200000; the window ends where the
# sample reaches them). Marker sizes follow the neurons and spikes drawn.
#
# Variables (all optional): dir (run folder, default '.'), rasdir (the
# folder of the .ras files, default dir: evsnn plot converts a run's .spk
# files or spikes.h5 into one), fmt ('png' or
# 'svg'), out (output file, default dir/raster.fmt), tmin, tmax (s), nmin,
# nmax (neuron ids drawn in every population, inclusive), maxn, maxpts.
# Needs a POSIX shell with awk (the folder name must not contain "'").

if (!exists("dir")) dir = '.'
if (!exists("fmt")) fmt = 'png'
if (!exists("out")) out = dir . '/raster.' . fmt
if (!exists("maxn")) maxn = 200
if (!exists("maxpts")) maxpts = 200000

qdir = "'" . dir . "'"
if (!exists("rasdir")) rasdir = dir
qras = "'" . rasdir . "'"
# the populations of summary.tsv that have a raster (not the trial and target
# rasters of a SuperSpike run)
pops = system('awk -F''\t'' ''NR > 1 {print $1}'' ' . qdir . '/summary.tsv 2>/dev/null | while read p; do [ -f ' . qras . '/"$p.ras" ] && printf "%s " "$p"; done')
npop = words(pops)
if (npop == 0) print sprintf("raster.gp: no .ras files in %s", dir); exit status 1

model = system('awk ''/^model: /{print $2; exit}'' ' . qdir . '/run.log 2>/dev/null')
T = system('awk ''/^(completed|stopped) at t = /{print $5}'' ' . qdir . '/run.log 2>/dev/null')
Tr = (T eq "") ? 0 : real(T)
user_window = exists("tmax")
if (!exists("tmin")) tmin = 0
if (!exists("tmax")) tmax = (T eq "" || Tr > 2) ? 2.0 : Tr

# Sizes from each raster's header ("# size: N"); the ids drawn [lo, hi] of
# each population; offsets stack the drawn ids.
array size[npop]
array lo[npop]
array hi[npop]
array off[npop + 1]
total = 0
do for [i = 1:npop] {
    s = system('awk ''/^# size: /{print $3; exit}'' ' . qras . '/' . word(pops, i) . '.ras')
    size[i] = (s eq "") ? 0 : int(s)
    total = total + size[i]
}
sampled = 0
do for [i = 1:npop] {
    if (exists("nmin") || exists("nmax")) {
        lo[i] = exists("nmin") ? int(nmin) : 0
        hi[i] = exists("nmax") ? int(nmax) : size[i] - 1
        if (hi[i] > size[i] - 1) { hi[i] = size[i] - 1 }
    } else {
        if (total > maxn) {
            k = int(maxn * size[i] / total + 0.5)
            if (k < 1) { k = 1 }
            lo[i] = 0
            hi[i] = (k < size[i] ? k : size[i]) - 1
            sampled = 1
        } else {
            lo[i] = 0
            hi[i] = size[i] - 1
        }
    }
}
off[1] = 0
do for [i = 1:npop] { off[i + 1] = off[i] + (hi[i] >= lo[i] ? hi[i] - lo[i] + 1 : 0) }
drawn = off[npop + 1]

# the times of the spikes drawn (of every population) in [tmin, tmax]
sel(i, t0, t1) = sprintf('awk -v lo=%d -v hi=%d -v t0=%.17g -v t1=%.17g ''!/^#/ && $2 >= lo && $2 <= hi && $1 >= t0 && $1 <= t1 {print $1}'' %s/%s.ras', lo[i], hi[i], t0, t1, qras, word(pops, i))
all = ''
do for [i = 1:npop] { all = all . sel(i, tmin, tmax) . '; ' }
npts = int(system('{ ' . all . '} | wc -l'))
if (npts > maxpts && !user_window) {
    # end the window at the maxpts-th spike drawn
    tmax = real(system('{ ' . all . '} | sort -g | awk -v m=' . maxpts . ' ''NR == m {print}'''))
    npts = int(system('{ ' . all . '} | awk -v t1=' . sprintf('%.17g', tmax) . ' ''$1 <= t1'' | wc -l'))
}

# the subset, named in the title
subset = ''
if (sampled || exists("nmin") || exists("nmax")) {
    do for [i = 1:npop] {
        subset = subset . (i > 1 ? ', ' : 'neurons ') . sprintf('%d-%d of %d (%s)', lo[i], hi[i], size[i], word(pops, i))
    }
}
if (tmin > 0 || (Tr > 0 && tmax < Tr)) {
    subset = subset . (subset eq '' ? '' : '; ') . sprintf('%.3g-%.3g s of %g s', tmin, tmax, Tr)
}
head = sprintf('%s: spike raster, %d spikes', (model eq '' ? dir : model), npts)
ttl = subset eq '' ? head : head . "\n" . subset

if (fmt eq 'svg') {
    set terminal svg size 1000,600 dynamic font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1000,600 font 'sans,11'
}
set output out

set title ttl noenhanced
set xlabel 'time [s]'
set ylabel 'neuron (populations stacked)'
set xrange [tmin:tmax]
# one population keeps its ids on y; several are stacked
if (npop > 1) { set yrange [-0.5:(drawn > 0 ? drawn - 0.5 : 1)] } else { set yrange [lo[1] - 0.5:(hi[1] >= lo[1] ? hi[1] + 0.5 : lo[1] + 1)] }
ybase(i) = npop > 1 ? off[i] - lo[i] : 0
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
# Marker size: a dot about 1.6 neuron rows across (about 480 px for the
# plot), at most 0.8 (pt 7 at ps 1 is about 8 px across); smaller still
# when the spikes crowd (more than 20,000).
ps = 1.6 * 480.0 / (drawn > 0 ? drawn : 1) / 8
if (ps > 0.8) { ps = 0.8 }
if (npts > 20000) { ps = ps * sqrt(20000.0 / npts) }
if (ps < 0.08) { ps = 0.08 }

plot for [i = 1:npop] rasdir . '/' . word(pops, i) . '.ras' \
    using (($1 >= tmin && $1 <= tmax && $2 >= lo[i] && $2 <= hi[i]) ? $1 : NaN):($2 + ybase(i)) \
    with points pt 7 ps ps lc i title word(pops, i)
