#!/usr/bin/python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""B6 (doc/benchmarks.md): evsnn's scaling curve.

B1 (CUBA) from N = 4,000 to 256,000 neurons and B5 (the microcircuit) at
scales 0.1, 0.5 and 1: wall time per simulated second, cost per synaptic
event and per spike, bytes per synapse, construction time and peak memory,
as medians over repeats. The runs are run_bench.py's (evsnn alone, the same
command lines as the Brian2 comparison); this script only chooses the
cases, reduces the rows and writes

  bench/results/<date>-<name>.tsv, .md   (run_bench.py: every run)
  bench/results/<date>-<name>-b6.md      (the curve as a table)
  bench/results/<date>-<name>-b6.dat     (the same, for gnuplot)

and, with --figure PNG, draws the curve with bench/b6.gp.

  /usr/bin/python3 bench/b6.py --build . --repeats 3 --name b6 \
      --figure doc/b6.png
  /usr/bin/python3 bench/b6.py --tsv bench/results/2026-12-07-b6.tsv \
      --figure doc/b6.png              # redraw from recorded runs

Every other option goes to run_bench.py unchanged (--build, --repeats,
--b1-sizes, --b5-scales, --duration, --b5-duration, ...: see
run_bench.py --help); the defaults here are B1 at 4,000-256,000 and B5 at
0.1, 0.5, 1, one simulated second each, evsnn alone.
"""
import argparse
import csv
import datetime
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# (column, heading, unit, format) of the table, in order
COLUMNS = [
    ('wall_per_sim_s', 'loop wall per simulated s', 's', '%.4g'),
    ('ns_per_syn_event', 'per synaptic event', 'ns', '%.3g'),
    ('ns_per_spike', 'per spike', 'µs', '%.3g'),
    ('bytes_per_synapse', 'synapse memory', 'B/synapse', '%.3g'),
    ('build_s', 'construction', 's', '%.3g'),
    ('peak_rss_mib', 'peak RSS', 'MiB', '%.0f'),
    ('rate_hz', 'mean rate', 'Hz', '%.3g'),
    ('load1', 'load average', '', '%.2g'),
]


def rows_of(tsv):
    with open(tsv) as f:
        return [r for r in csv.DictReader(f, delimiter='\t')
                if r['engine'] == 'evsnn' and r['status'] == 'ok']


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def reduce_rows(rows):
    """Medians per (bench, n): a list of dicts in bench, n order."""
    cases = {}
    for r in rows:
        cases.setdefault((r['bench'], int(r['n'])), []).append(r)
    out = []
    for (bench, n), rs in sorted(cases.items()):
        case = dict(bench=bench, n=n, repeats=len(rs),
                    synapses=num(rs[0]['synapses']))
        values = {c[0]: [] for c in COLUMNS}
        for r in rs:
            loop, spikes = num(r['loop_s']), num(r['spikes'])
            rss = num(r['peak_rss_kb'])
            derived = dict(
                ns_per_spike=loop * 1e6 / spikes if loop and spikes else None,
                peak_rss_mib=rss / 1024 if rss else None)
            for key in values:
                v = derived[key] if key in derived else num(r.get(key))
                if v is not None:
                    values[key].append(v)
        for key, vs in values.items():
            case[key] = statistics.median(vs) if vs else None
        out.append(case)
    return out


def write_table(path, cases, tsv, command):
    with open(path, 'w') as f:
        f.write('# B6: evsnn scaling curve (%s)\n\n' % os.path.basename(tsv))
        f.write('Produced by `%s` (runs in `%s`). Medians over the repeats; '
                'wall times are the event loop (`stat wall_run`) and depend '
                'on the load average shown (2-core shared machine).\n\n'
                % (command, os.path.basename(tsv)))
        f.write('| bench | N | synapses | repeats | ' + ' | '.join(
            '%s (%s)' % (c[1], c[2]) if c[2] else c[1] for c in COLUMNS)
            + ' |\n')
        f.write('| --- | ---: | ---: | ---: |' + ' ---: |' * len(COLUMNS)
                + '\n')
        for c in cases:
            cells = [c['bench'], '%d' % c['n'],
                     '%.3g' % c['synapses'] if c['synapses'] else '',
                     '%d' % c['repeats']]
            cells += [(fmt % c[key]) if c[key] is not None else ''
                      for key, _, _, fmt in COLUMNS]
            f.write('| ' + ' | '.join(cells) + ' |\n')


def write_dat(path, cases):
    """One gnuplot block per benchmark (separated by two blank lines)."""
    with open(path, 'w') as f:
        f.write('# n ' + ' '.join(c[0] for c in COLUMNS) + '\n')
        last = None
        for c in cases:
            if last is not None and c['bench'] != last:
                f.write('\n\n')
            last = c['bench']
            f.write('%d %s\n' % (c['n'], ' '.join(
                '%.6g' % c[k] if c[k] is not None else 'NaN'
                for k, _, _, _ in COLUMNS)))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tsv', help='reduce these recorded runs, run nothing')
    ap.add_argument('--figure', help='draw the curve into this PNG')
    ap.add_argument('--name', default='b6')
    ap.add_argument('--results', default=os.path.join(HERE, 'results'))
    args, rest = ap.parse_known_args(argv)
    command = 'bench/b6.py ' + ' '.join(argv)
    tsv = args.tsv
    if not tsv:
        defaults = ['--bench', 'B1,B5', '--b1-sizes',
                    '4000,16000,64000,256000', '--b5-scales', '0.1,0.5,1',
                    '--duration', '1', '--no-brian2']
        before = set(os.listdir(args.results))
        cmd = [sys.executable, os.path.join(HERE, 'run_bench.py')] + \
            defaults + rest + ['--name', args.name,
                               '--results', args.results]
        rc = subprocess.call(cmd)
        new = sorted(f for f in set(os.listdir(args.results)) - before
                     if f.endswith('.tsv'))
        if rc != 0 or not new:
            sys.exit('b6: run_bench.py failed (status %d)' % rc)
        tsv = os.path.join(args.results, new[-1])
    cases = reduce_rows(rows_of(tsv))
    if not cases:
        sys.exit('b6: no successful evsnn run in %s' % tsv)
    stem = tsv[:-len('.tsv')] + '-b6'
    write_table(stem + '.md', cases, tsv, command)
    write_dat(stem + '.dat', cases)
    print('b6: %s.md, %s.dat' % (stem, stem))
    if args.figure:
        subprocess.check_call(['gnuplot', '-e', "dat='%s.dat'; out='%s'"
                               % (stem, args.figure),
                               os.path.join(HERE, 'b6.gp')])
        print('b6: %s' % args.figure)


if __name__ == '__main__':
    main(sys.argv[1:])
