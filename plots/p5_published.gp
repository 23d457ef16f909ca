# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — P5 at the published size (models/p5_published.ini), from the
# tables of models/p5/make_inputs.py (run / analyze / recall with
# --layout published):
#   p5_published.png: top, the rate of each assembly A0..A3 and of the
#   other E neurons per 1 s over the whole run; second, the mean E->E
#   weight within assemblies, between them and of the other synapses at
#   each snapshot; third, the rates around the cue of A0 (100 ms bins: the
#   cued half, the uncued half, the other assemblies, the rest; the cue
#   is on from 0 to 1 s); bottom, the uncued half of assembly recall_cue
#   (default A1) around its cue in recall runs on the trained weights
#   (recall_dirs, with their titles recall_titles), if given.
#
#   gnuplot -e "dir='out/p5/published'" plots/p5_published.gp
#   gnuplot -e "dir='out/p5/published'; recall_dirs='out/r0 out/r1';
#               recall_titles='NMDA AMPA-only'" plots/p5_published.gp
#
# Variables (optional): dir (the run's folder, default '.'), outdir (where
# the figure goes, default dir), recall_dirs and recall_titles (space-
# separated lists of recall output folders, each holding run/p5_cue.tsv,
# and their legend titles, one word each), recall_cue.
if (!exists("dir")) dir = '.'
if (!exists("outdir")) outdir = dir
if (!exists("recall_dirs")) recall_dirs = ''
if (!exists("recall_titles")) recall_titles = recall_dirs
if (!exists("recall_cue")) recall_cue = 'A1'
nrecall = words(recall_dirs)
set terminal pngcairo size 900,(nrecall > 0 ? 1200 : 900) font ",10"
set output outdir.'/p5_published.png'
set multiplot layout (nrecall > 0 ? 4 : 3),1
set key outside right
set xlabel 'time (s)'
set ylabel 'rate (Hz)'
set title 'published size: assembly rates (training 20-100 s, half-assembly cues at 120 and 130 s)'
plot for [c=2:6] dir.'/p5_rates.tsv' u 1:c w steps t columnhead(c)
set ylabel 'mean weight (nS)'
set title 'E->E weights'
plot dir.'/p5_blocks.tsv' u 1:2 w lp t 'within assemblies', \
     '' u 1:3 w lp t 'between assemblies', '' u 1:4 w lp t 'other'
set xlabel 'time from the cue onset (s)'
set ylabel 'rate (Hz)'
set title 'cue to half of A0 (on 0-1 s): 100 ms bins'
cue(a, c) = (strcol(1) eq a ? column(c) : NaN)
plot dir.'/p5_cue.tsv' u 3:(cue('A0', 4)) w steps t 'cued half', \
     '' u 3:(cue('A0', 5)) w steps t 'uncued half', \
     '' u 3:(cue('A0', 6)) w steps t 'other assemblies', \
     '' u 3:(cue('A0', 7)) w steps t 'rest'
if (nrecall > 0) {
  set title 'recall on the weights at 119 s (static): uncued half of '.recall_cue.' around its cue'
  plot for [k=1:nrecall] word(recall_dirs,k).'/run/p5_cue.tsv' \
       u 3:(cue(recall_cue, 5)) w steps t word(recall_titles,k) noenhanced
}
unset multiplot
