#!/usr/bin/env python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Benchmark B4 (doc/benchmarks.md): SuperSpike's wall time per trial, the
windowed gradient (doc/design-notes.md, "The SuperSpike gradient") against the
per-tick reference, on S1 (models/s1_single.ini) and S4 at the published size
(models/s4_picture.ini: 200 -> 256 -> 200, 1.89 s trials), error-broadcast
clock 0.1 ms.

Usage (from the source tree):

  python3 bench/run_b4.py --build BUILD_DIR [--repeats 3] [--s1-trials 200]
                          [--s4-trials 3] [--name NAME]

Each case runs the model for a few trials with `--set superspike.gradient=
windowed` and `=per_tick`, alternating (windowed, per_tick, windowed, ...) so
both see the same machine load; the time is the event loop's wall time from
run.log (`stat wall_run`), divided by the trials. Both methods give the same
weights to rounding (tests/check_superspike.c), so the learning curves must
agree: the script checks that the last trial's loss of the two agrees to
1e-6 relative (a learning run amplifies rounding only slowly over a few
trials). Writes bench/results/<date>-<name>.tsv (one row per run) and .md
(medians, ratio, command, machine load).
"""

import argparse
import datetime
import os
import shlex
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_bench import SRCDIR, log, loadavg, cpu_model, run_measured  # noqa: E402

CASES = [('S1', 's1_single.ini', 0.5), ('S4', 's4_picture.ini', 1.89)]
METHODS = ('windowed', 'per_tick')


def stat(run_log, key):
    with open(run_log) as f:
        for line in f:
            if line.startswith('stat %s ' % key):
                return float(line.split()[2])
    return None


def last_loss(folder):
    with open(os.path.join(folder, 'learning.tsv')) as f:
        rows = [line.split('\t') for line in f.read().splitlines()[1:]]
    return float(rows[-1][1]) if rows else None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--build', default='.', help='build folder holding evsnn')
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--s1-trials', type=int, default=200)
    ap.add_argument('--s4-trials', type=int, default=3)
    ap.add_argument('--name', default='b4')
    ap.add_argument('--workdir', default='/tmp/evsnn-b4')
    args = ap.parse_args(argv)
    evsnn = os.path.join(os.path.abspath(args.build), 'evsnn')
    models = os.path.join(SRCDIR, 'models')
    os.makedirs(args.workdir, exist_ok=True)
    rows = []
    for case, ini, trial in CASES:
        trials = args.s1_trials if case == 'S1' else args.s4_trials
        for rep in range(args.repeats):
            for method in METHODS:
                out = os.path.join(args.workdir, '%s-%s-%d' % (case, method, rep))
                cmd = [evsnn, 'run', os.path.join(models, ini), '-q', '-o', out,
                       '--set', 'simulation.duration=%.9gs' % (trials * trial),
                       '--set', 'superspike.burn_in=0s',
                       '--set', 'superspike.gradient=%s' % method]
                log('%s %s rep %d' % (case, method, rep))
                wall, rss, rc = run_measured(cmd, models, out + '.out')
                if rc != 0:
                    sys.exit('run failed: %s' % ' '.join(map(shlex.quote, cmd)))
                loop = stat(os.path.join(out, 'run.log'), 'wall_run')
                rows.append(dict(case=case, method=method, rep=rep,
                                 trials=trials, wall=wall, loop=loop,
                                 per_trial=loop / trials, rss_kb=rss,
                                 loss=last_loss(out)))
    date = datetime.date.today().isoformat()
    base = os.path.join(SRCDIR, 'bench', 'results', '%s-%s' % (date, args.name))
    cols = ['case', 'method', 'rep', 'trials', 'wall', 'loop', 'per_trial',
            'rss_kb', 'loss']
    with open(base + '.tsv', 'w') as f:
        f.write('\t'.join(cols) + '\n')
        for r in rows:
            f.write('\t'.join(str(r[c]) for c in cols) + '\n')
    lines = ['# B4: SuperSpike, windowed gradient vs per-tick reference', '',
             'Command: `python3 bench/run_b4.py %s`' % ' '.join(map(shlex.quote, argv)),
             '', 'Machine: %s; load average before/after: see below.' % cpu_model(),
             '', '| case | trials per run | windowed s/trial | per-tick s/trial '
             '| per-tick / windowed | last loss (windowed, per-tick) |',
             '|---|---|---|---|---|---|']
    ok = True
    for case, _, _ in CASES:
        med = {m: statistics.median(r['per_trial'] for r in rows
                                    if r['case'] == case and r['method'] == m)
               for m in METHODS}
        loss = {m: [r['loss'] for r in rows
                    if r['case'] == case and r['method'] == m][0]
                for m in METHODS}
        agree = abs(loss['windowed'] - loss['per_tick']) <= \
            1e-6 * abs(loss['per_tick'])
        ok = ok and agree
        trials = rows[[r['case'] for r in rows].index(case)]['trials']
        lines.append('| %s | %d | %.4g | %.4g | %.1fx | %.9g, %.9g%s |' % (
            case, trials, med['windowed'], med['per_tick'],
            med['per_tick'] / med['windowed'], loss['windowed'],
            loss['per_tick'], '' if agree else ' (DIFFER)'))
    lines += ['', 'Medians of %d runs each, alternating; time = the event '
              "loop's wall time (run.log `stat wall_run`) / trials; load "
              'average at the end: %s.' % (args.repeats, loadavg()), '']
    with open(base + '.md', 'w') as f:
        f.write('\n'.join(lines))
    print('\n'.join(lines))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
