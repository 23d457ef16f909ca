#!/usr/bin/env python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Benchmark harness: evsnn against Brian2 C++ standalone on B1 (CUBA), B2 (COBA)
and B3 (COBA with pair STDP on E->E).

Usage (from the source tree):

  python3 bench/run_bench.py --build BUILD_DIR [--bench B1,B2,B3] [--repeats 5]
                             [--duration SECONDS] [--b1-sizes 4000,16000,64000]
                             [--b2-sizes 4000] [--b3-sizes 4000] [--name NAME]

For each case (benchmark, N) it alternates evsnn and Brian2 runs in one
invocation (evsnn, brian2, evsnn, brian2, ...) so both see the same machine
load, writes one TSV row per run to bench/results/<date>-<name>.tsv and a
Markdown summary (medians, the Brian2/evsnn ratio of the medians, the command
line and machine facts) to bench/results/<date>-<name>.md. See bench/README.md
for the meaning of each column.

evsnn's side needs only the Python 3 standard library. Brian2 runs through
bench/brian2_models.py in a separate interpreter that can import brian2
(Debian's /usr/bin/python3 with python3-brian); without one the Brian2 rows
are skipped and the summary says so.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.dirname(HERE)
GNU_TIME = '/usr/bin/time'

# B5 (the Potjans-Diesmann microcircuit): populations, full sizes and the
# reference rates (Hz) of doc/benchmarks.md, as in brian2_microcircuit.py
# (not imported here: that module needs numpy).
MC_POPS = ('L23E', 'L23I', 'L4E', 'L4I', 'L5E', 'L5I', 'L6E', 'L6I')
MC_N_FULL = (20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948)
MC_REF_RATES = (0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829)


def mc_neurons(scale):
    """Neurons of the microcircuit at a scale (each population rounded)."""
    return sum(int(round(scale * n)) for n in MC_N_FULL)


# Benchmark definitions: model file, Brian2 model, reference rate (Hz) of
# doc/benchmarks.md, projections whose connection probability is set to 80/N.
# B3 has no reference rate of its own: it is B2 with weights that stay near
# w0, so B2's 20 Hz is the check. 'plastic' names the learning projection
# whose weights are compared at the end (evsnn: last row of NAME.weights.tsv;
# Brian2: mean of w at the end).
# speedup: doc/benchmarks.md's target for the Brian2/evsnn ratio (at the sizes
# in speedup_sizes, all sizes if absent); static_bytes: its target for the
# bytes of a static synapse (B3 mixes plastic and static synapses).
BENCHES = {
    'B1': dict(model='cuba', ini='cuba.ini', ref_rate=5.6,
               sizes=[4000, 16000, 64000], speedup=5.0,
               speedup_sizes=(4000, 64000), static_bytes=8.0),
    'B2': dict(model='coba', ini='coba.ini', ref_rate=20.0, sizes=[4000],
               speedup=2.0, static_bytes=8.0),
    'B3': dict(model='coba_stdp', ini='coba_stdp.ini', ref_rate=20.0,
               sizes=[4000], plastic='EE', w0_nS=6.0, speedup=2.0),
    # B5: sizes are scales of neurons and in-degrees (--b5-scales); its case
    # N is the number of neurons at that scale; ref_rate is the reference
    # rates' mean over the neurons of the full model.
    'B5': dict(model='microcircuit', ini='microcircuit.ini', sizes=[0.1],
               speedup=5.0,
               ref_rate=sum(r * n for r, n in zip(MC_REF_RATES, MC_N_FULL))
               / sum(MC_N_FULL)),
}
PROJECTIONS = ('EE', 'EI', 'IE', 'II')
# Brian2's integration method per model when none is asked for (the same
# table as brian2_models.py's METHODS, which this script does not import so
# that it runs without brian2).
BRIAN2_METHODS = dict(cuba='exact', coba='euler', coba_stdp='euler',
                      microcircuit='exact')
# The Brian2 script of each model (default brian2_models.py).
BRIAN2_SCRIPTS = dict(microcircuit='brian2_microcircuit.py')

COLUMNS = [
    ('timestamp', 'UTC time the run started'),
    ('bench', 'B1 (CUBA), B2 (COBA) or B3 (COBA + E->E STDP)'),
    ('n', 'neurons'),
    ('engine', 'evsnn, or brian2[-METHOD][-Tt] (a Brian2 configuration)'),
    ('method', 'Brian2 integration method'),
    ('threads', 'threads (Brian2: OpenMP threads)'),
    ('repeat', 'repeat index, 1-based'),
    ('seed', 'evsnn --seed (brian2: random, drawn by the binary)'),
    ('duration_s', 'simulated seconds'),
    ('status', 'ok, or fail:<reason>'),
    ('wall_per_sim_s', 'loop wall seconds per simulated second'),
    ('loop_s', 'wall seconds of the simulation loop'),
    ('loop_cpu_s', 'brian2: its own Network::_last_run_time (std::clock(): '
     'CPU seconds of the process during the loop, all threads)'),
    ('build_s', 'wall seconds of network construction'),
    ('process_s', 'wall seconds of the whole child process'),
    ('process_cpu_s', 'CPU seconds (user + system) of that process'),
    ('spikes', 'spikes of all neurons'),
    ('rate_hz', 'mean rate: spikes / n / duration'),
    ('syn_events', 'synaptic events (brian2: expected, spikes*synapses/n)'),
    ('ns_per_syn_event', 'loop_s * 1e9 / syn_events'),
    ('queue_ops_per_syn_event', '(queue_pushes + queue_pops) / syn_events'),
    ('queue_pushes', 'event-queue pushes'),
    ('queue_pops', 'event-queue pops'),
    ('synapses', 'synapses in all projections'),
    ('synapse_bytes', 'heap bytes of synapse storage'),
    ('bytes_per_synapse', 'synapse_bytes / synapses'),
    ('peak_rss_kb', 'peak resident set of the simulating process, KiB'),
    ('load1', '1-minute load average just before the run'),
    ('w_mean_nS', 'B3: mean E->E weight at the end, nS'),
    ('w_sd_nS', 'B3: sd of the E->E weights at the end, nS'),
    ('w_time_s', 'B3: time of that weight sample, s'),
    ('pop_rates_hz', 'B5: rates of L23E,L23I,L4E,L4I,L5E,L5I,L6E,L6I, Hz'),
]


# --------------------------------------------------------------------------
# helpers


def log(msg):
    print('[bench %s] %s' % (time.strftime('%H:%M:%S'), msg), file=sys.stderr,
          flush=True)


def run_measured(cmd, cwd, out_path, timeout=None, usage=None):
    """Runs cmd in cwd, stdout+stderr to out_path; returns (wall s, peak RSS
    KiB, exit code); a dict usage, when given, gets cpu_s: the user + system
    CPU seconds of the child and of the descendants it waited for. Peak RSS
    from GNU time -f %M when /usr/bin/time exists (a forked child inherits
    this Python's RSS high-water mark until exec, which inflates os.wait4's
    ru_maxrss for small programs); otherwise from os.wait4 of the child (an
    upper bound). A timeout kills the child."""
    use_time = os.access(GNU_TIME, os.X_OK)
    rss_file = out_path + '.rss'
    full = ([GNU_TIME, '-f', '%M', '-o', rss_file] + cmd) if use_time else cmd
    t0 = time.perf_counter()
    with open(out_path, 'w') as out:
        proc = subprocess.Popen(full, cwd=cwd, stdout=out,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        timer = None
        if timeout:
            def kill():
                try:
                    os.killpg(proc.pid, 9)
                except OSError:
                    pass
            timer = threading.Timer(timeout, kill)
            timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            if timer:
                timer.cancel()
    wall = time.perf_counter() - t0
    if usage is not None:
        usage['cpu_s'] = ru.ru_utime + ru.ru_stime
    rc = os.waitstatus_to_exitcode(status)
    proc.returncode = rc
    rss_kb = ru.ru_maxrss
    if use_time:
        try:
            with open(rss_file) as f:
                rss_kb = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
    return wall, rss_kb, rc


def tail(path, lines=5):
    try:
        with open(path, errors='replace') as f:
            return ' | '.join(f.read().strip().splitlines()[-lines:])
    except OSError:
        return ''


def loadavg():
    try:
        with open('/proc/loadavg') as f:
            return f.read().split()[:3]
    except OSError:
        return ['?', '?', '?']


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.lower().startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or '?'


def nproc():
    try:
        out = subprocess.run(['nproc'], capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.strip()
    except OSError:
        pass
    return str(len(os.sched_getaffinity(0)))


def mem_total():
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemTotal'):
                    return '%.1f GiB' % (int(line.split()[1]) / 2 ** 20)
    except OSError:
        pass
    return '?'


def parse_seconds(text):
    """'10 s', '500 ms', '1e-3 s', '10' -> seconds, or None."""
    m = re.match(r'^\s*([-+0-9.eE]+)\s*(s|ms|us)?\s*$', text)
    if not m:
        return None
    scale = {'s': 1.0, 'ms': 1e-3, 'us': 1e-6, None: 1.0}[m.group(2)]
    try:
        return float(m.group(1)) * scale
    except ValueError:
        return None


def model_duration(path):
    """The duration of [simulation] in a model file, or None."""
    try:
        with open(path) as f:
            section = None
            for line in f:
                line = line.split('#', 1)[0].split(';', 1)[0].strip()
                if line.startswith('['):
                    section = line.strip('[]').strip()
                elif section == 'simulation' and '=' in line:
                    key, value = (x.strip() for x in line.split('=', 1))
                    if key == 'duration':
                        return parse_seconds(value)
    except OSError:
        pass
    return None


def fmt(x, digits=4):
    if x is None or x == '':
        return ''
    if isinstance(x, float):
        if x != x:
            return ''
        return '%.*g' % (digits, x)
    return str(x)


def median(values):
    vals = [v for v in values if isinstance(v, (int, float)) and v == v]
    return statistics.median(vals) if vals else None


def build_cflags(build):
    """CFLAGS of the evsnn build folder's Makefile, or ''."""
    try:
        with open(os.path.join(build, 'Makefile')) as f:
            for line in f:
                if line.startswith('CFLAGS ='):
                    return '`%s`' % line.split('=', 1)[1].strip()
    except OSError:
        pass
    return ''


def find_brian2_python(explicit):
    """An interpreter that can import brian2, or None."""
    candidates = [explicit] if explicit else ['python3', '/usr/bin/python3']
    for py in candidates:
        if not py or not shutil.which(py):
            continue
        try:
            r = subprocess.run([py, '-c', 'import brian2; print(brian2.__version__)'],
                               capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if r.returncode == 0:
            return shutil.which(py), r.stdout.strip().splitlines()[-1]
    return None


# --------------------------------------------------------------------------
# engines


def evsnn_run(args, bench, n, rep, duration, workdir):
    """One evsnn run; returns a row dict."""
    spec = BENCHES[bench]
    outdir = os.path.join(workdir, 'evsnn-%s-%d-r%d' % (bench, n, rep))
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    seed = args.seed0 + rep
    cmd = [args.evsnn, 'run', os.path.join(args.models, spec['ini']),
           '-o', outdir, '--seed', str(seed)]
    if bench == 'B5':
        pops = MC_POPS
        for key in args.b5_scale_key.split(','):
            cmd += ['--set', '%s=%g' % (key.strip(), args.b5_scale_of[n])]
    else:
        pops = ('E', 'I')
        n_e = int(round(0.8 * n))
        n_i = n - n_e
        p = 80.0 / n
        cmd += ['--set', 'E.size=%d' % n_e, '--set', 'I.size=%d' % n_i]
        for proj in PROJECTIONS:
            cmd += ['--set', '%s.p=%r' % (proj, p)]
        # Brian2's side records no membrane potentials either.
        cmd += ['--set', 'E.record_v=none']
    if args.duration is not None or bench == 'B5':
        cmd += ['--set', '%s=%r s' % (args.duration_key, duration)]
    if not args.record_spikes:
        # Brian2's side only counts spikes (SpikeMonitor, record=False); the
        # per-population spike counts of summary.tsv do not need rasters.
        for pop in pops:
            cmd += ['--set', '%s.record_spikes=no' % pop]
    row = dict(engine='evsnn', seed=seed, duration_s=duration,
               cmd=' '.join(shlex.quote(x) for x in cmd))
    os.makedirs(workdir, exist_ok=True)
    console = os.path.join(workdir, 'evsnn-%s-%d-r%d.out' % (bench, n, rep))
    usage = {}
    wall, rss, rc = run_measured(cmd, workdir, console, args.timeout, usage)
    row.update(process_s=wall, peak_rss_kb=rss, process_cpu_s=usage['cpu_s'])
    if rc != 0:
        row['status'] = 'fail:exit %d: %s' % (rc, tail(console, 3))
        return row
    stats = {}
    try:
        with open(os.path.join(outdir, 'run.log'), errors='replace') as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[0] == 'stat':
                    try:
                        stats[parts[1]] = float(parts[2])
                    except ValueError:
                        pass
    except OSError as e:
        row['status'] = 'fail:no run.log (%s)' % e
        return row
    spikes_pop = 0
    neurons_pop = 0
    pop_counts = {}
    try:
        with open(os.path.join(outdir, 'summary.tsv')) as f:
            header = f.readline().split()
            ix = {k: i for i, k in enumerate(header)}
            for line in f:
                parts = line.split('\t')
                if len(parts) < len(header):
                    continue
                spikes_pop += int(float(parts[ix['spikes']]))
                neurons_pop += int(float(parts[ix['neurons']]))
                if 'population' in ix:
                    pop_counts[parts[ix['population']].strip()] = (
                        int(float(parts[ix['spikes']])),
                        int(float(parts[ix['neurons']])))
    except (OSError, KeyError, ValueError) as e:
        row['status'] = 'fail:bad summary.tsv (%s)' % e
        return row
    missing = [k for k in ('wall_build', 'wall_run', 'syn_events')
               if k not in stats]
    if missing:
        row['status'] = 'fail:run.log lacks stat %s' % ','.join(missing)
        return row
    dur = stats.get('t_end') or duration
    row['duration_s'] = dur
    if bench == 'B5':
        rates = [pop_counts[p][0] / pop_counts[p][1] / dur
                 if p in pop_counts and pop_counts[p][1] else float('nan')
                 for p in MC_POPS]
        row['pop_rates_hz'] = ','.join('%.4g' % r for r in rates)
    if neurons_pop and neurons_pop != n and bench != 'B5':
        row['status'] = 'fail:summary has %d neurons, expected %d' % (
            neurons_pop, n)
        return row
    spikes = int(stats.get('spikes', spikes_pop))
    loop = stats['wall_run']
    syn = stats['syn_events']
    pushes = stats.get('queue_pushes')
    pops = stats.get('queue_pops')
    synapses = stats.get('synapses')
    sbytes = stats.get('synapse_bytes')
    row.update(
        status='ok', wall_per_sim_s=loop / dur, loop_s=loop,
        build_s=stats['wall_build'], spikes=spikes,
        rate_hz=((spikes_pop / neurons_pop) if neurons_pop
                 else spikes / n) / dur,
        syn_events=int(syn),
        ns_per_syn_event=loop * 1e9 / syn if syn else None,
        queue_ops_per_syn_event=((pushes + pops) / syn
                                 if syn and pushes is not None
                                 and pops is not None else None),
        queue_pushes=int(pushes) if pushes is not None else None,
        queue_pops=int(pops) if pops is not None else None,
        synapses=int(synapses) if synapses is not None else None,
        synapse_bytes=int(sbytes) if sbytes is not None else None,
        bytes_per_synapse=(sbytes / synapses if synapses and sbytes
                           is not None else None))
    plastic = spec.get('plastic')
    if plastic:
        # the last row of NAME.weights.tsv (record_weights in the model
        # file): time, mean, sd, ... in SI units (S)
        wpath = os.path.join(outdir, '%s.weights.tsv' % plastic)
        try:
            with open(wpath) as f:
                header = f.readline().split()
                last = None
                for line in f:
                    if line.strip():
                        last = line.split()
            ix = {k: i for i, k in enumerate(header)}
            row.update(w_time_s=float(last[ix['time']]),
                       w_mean_nS=float(last[ix['mean']]) * 1e9,
                       w_sd_nS=float(last[ix['sd']]) * 1e9)
        except (OSError, KeyError, ValueError, TypeError, IndexError) as e:
            row['status'] = 'fail:no weights in %s (%s)' % (wpath, e)
    if not args.keep_output:
        shutil.rmtree(outdir, ignore_errors=True)
    return row


def brian2_variants(args, bench):
    """The Brian2 configurations run for a benchmark: one per (integration
    method, OpenMP threads), each a dict(label, method, threads). The label
    is the engine column: 'brian2' for one thread and the model's default
    method, '-2t' for two threads, '-<method>' for another method."""
    methods = [None]
    if bench in ('B2', 'B3') and args.cond_methods:
        methods = args.cond_methods
    out = []
    for m in methods:
        for t in args.brian2_threads:
            label = 'brian2'
            if m and m != BRIAN2_METHODS[BENCHES[bench]['model']]:
                label += '-' + m.replace('exponential_euler', 'expeuler')
            if t > 1:
                label += '-%dt' % t
            out.append(dict(label=label, method=m, threads=t))
    return out


def brian2_prepare(args, bench, n, duration, workdir, variant=None):
    """Compiles (or reuses) the Brian2 project of a variant (brian2_variants;
    None: one thread, default method); returns (dir, compile s) or raises
    RuntimeError."""
    variant = variant or dict(label='brian2', method=None, threads=1)
    model = BENCHES[bench]['model']
    method = variant['method'] or BRIAN2_METHODS[model]
    threads = variant['threads']
    script = BRIAN2_SCRIPTS.get(model, 'brian2_models.py')
    pdir = os.path.join(workdir, 'brian2-%s-%d-%gs-%s-%dt' % (
        model, n, duration, method, threads))
    meta_path = os.path.join(pdir, 'bench_meta.json')
    if os.path.exists(meta_path) and os.path.exists(os.path.join(pdir, 'main')):
        with open(meta_path) as f:
            meta = json.load(f)
        import hashlib
        with open(os.path.join(HERE, script), 'rb') as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if (meta.get('model') == model and meta.get('n') == n
                and meta.get('duration_s') == duration
                and meta.get('method') == method
                and meta.get('threads') == threads
                and meta.get('script') == digest):
            log('brian2 %s N=%d: reusing compiled project %s' % (model, n, pdir))
            return pdir, None
    os.makedirs(workdir, exist_ok=True)
    log('brian2 %s N=%d: generating and compiling (once)' % (model, n))
    out = os.path.join(workdir, 'brian2-%s-%d-%s-%dt-prepare.out' % (
        model, n, method, threads))
    if model == 'microcircuit':
        # the same span as evsnn's run: no transient of its own
        cmd = [args.brian2_python, os.path.join(HERE, script), 'prepare',
               '--scale', repr(args.b5_scale_of[n]), '--duration',
               repr(duration), '--transient', '0', '--threads', str(threads),
               '--dir', pdir]
    else:
        cmd = [args.brian2_python, os.path.join(HERE, script),
               'prepare', '--model', model, '-n', str(n), '--duration',
               repr(duration), '--method', method, '--threads', str(threads),
               '--dir', pdir]
    wall, _, rc = run_measured(cmd, workdir, out, None)
    if rc != 0:
        raise RuntimeError('brian2 prepare failed: %s' % tail(out, 3))
    return pdir, wall


def brian2_run(args, bench, n, rep, duration, pdir, workdir, label='brian2'):
    """One execution of a compiled Brian2 project; returns a row dict with
    engine = label."""
    row = dict(engine=label, seed='random', duration_s=duration)
    out = os.path.join(workdir, '%s-%s-%d-r%d.out' % (label, bench, n, rep))
    script = BRIAN2_SCRIPTS.get(BENCHES[bench]['model'], 'brian2_models.py')
    cmd = [args.brian2_python, os.path.join(HERE, script),
           'run', '--dir', pdir]
    wall, _, rc = run_measured(cmd, workdir, out, args.timeout)
    row['process_s'] = wall
    if rc != 0:
        row['status'] = 'fail:exit %d: %s' % (rc, tail(out, 3))
        return row
    res = None
    with open(out, errors='replace') as f:
        for line in f:
            line = line.strip()
            if line.startswith('{'):
                try:
                    res = json.loads(line)
                except ValueError:
                    pass
    if res is None:
        row['status'] = 'fail:no JSON from brian2_models.py'
        return row
    loop = res['loop_s']
    dur = res['duration_s']
    syn = res['spikes'] * res['synapses'] / res['n']
    row.update(status='ok', duration_s=dur, wall_per_sim_s=loop / dur,
               loop_s=loop, loop_cpu_s=res.get('loop_cpu_s'),
               build_s=res['build_s'],
               process_s=res['binary_wall_s'],
               process_cpu_s=res.get('binary_cpu_s'), spikes=res['spikes'],
               rate_hz=res['rate_hz'], syn_events=int(round(syn)),
               ns_per_syn_event=loop * 1e9 / syn if syn else None,
               synapses=res['synapses'], peak_rss_kb=res['peak_rss_kb'],
               brian2_cflags=res.get('cflags'), method=res.get('method'),
               threads=res.get('threads'))
    if 'pop_rates_hz' in res:
        row['pop_rates_hz'] = ','.join('%.4g' % r for r in res['pop_rates_hz'])
    if BENCHES[bench].get('plastic'):
        if 'ee_w_mean_S' in res:
            row.update(w_time_s=dur, w_mean_nS=res['ee_w_mean_S'] * 1e9,
                       w_sd_nS=res['ee_w_sd_S'] * 1e9)
        else:
            row['status'] = 'fail:brian2_models.py reported no weights'
    if res.get('completed_fraction', 1.0) < 1.0:
        row['status'] = 'fail:completed fraction %g' % res['completed_fraction']
    return row


# --------------------------------------------------------------------------
# reports


def write_tsv(path, rows):
    with open(path, 'w') as f:
        f.write('\t'.join(c for c, _ in COLUMNS) + '\n')
        for r in rows:
            f.write('\t'.join(fmt(r.get(c), 6) for c, _ in COLUMNS) + '\n')


def case_engines(rows, bench, n):
    """The engines of a case in the order they first ran: evsnn first, then
    each Brian2 configuration."""
    seen = []
    for r in rows:
        if r['bench'] == bench and r['n'] == n and r['engine'] not in seen:
            seen.append(r['engine'])
    return sorted(seen, key=lambda e: e != 'evsnn')


def summarize(rows, cases):
    """Per (bench, n): medians of each engine over its ok runs, and for each
    Brian2 configuration its ratio to evsnn ('ratios'; 'ratio' is that of
    'brian2', one thread and the default method)."""
    out = []
    for bench, n in cases:
        engines = case_engines(rows, bench, n)
        entry = dict(bench=bench, n=n, engines=engines, ratios={})
        for eng in set(engines) | {'evsnn', 'brian2'}:
            ok = [r for r in rows if r['bench'] == bench and r['n'] == n
                  and r['engine'] == eng and r.get('status') == 'ok']
            runs = [r for r in rows if r['bench'] == bench and r['n'] == n
                    and r['engine'] == eng]
            med = {k: median([r.get(k) for r in ok]) for k, _ in COLUMNS
                   if k not in ('timestamp', 'bench', 'n', 'engine', 'repeat',
                                'seed', 'status', 'method')}
            if len(ok) >= 2:
                w = [r['wall_per_sim_s'] for r in ok]
                med['spread'] = (max(w) - min(w)) / statistics.median(w)
            med['method'] = ok[0].get('method') if ok else None
            med['ok'] = len(ok)
            med['runs'] = len(runs)
            entry[eng] = med
        e = entry['evsnn'].get('wall_per_sim_s')
        for eng in engines:
            b = entry[eng].get('wall_per_sim_s')
            if eng != 'evsnn' and e and b:
                entry['ratios'][eng] = b / e
        entry['ratio'] = entry['ratios'].get('brian2')
        eb = entry['evsnn'].get('build_s')
        bb = entry['brian2'].get('build_s')
        entry['build_ratio'] = bb / eb if eb and bb else None
        out.append(entry)
    return out


def target_lines(summary):
    """One line per target of doc/benchmarks.md that this run measured: met, or
    missed and by what factor. A speed target is shown against every
    one-thread Brian2 configuration of the case (B2, B3: both methods)."""
    out = []
    for s in summary:
        b = BENCHES[s['bench']]
        sizes = b.get('speedup_sizes')
        if b.get('speedup') and (not sizes or s['n'] in sizes):
            for eng, got in s['ratios'].items():
                if (s[eng].get('threads') or 1) > 1:
                    continue
                goal = b['speedup']
                out.append('- %s N=%d: %.3g× Brian2 C++ standalone (%s, '
                           'method %s), target ≥ %g×: %s'
                           % (s['bench'], s['n'], got, eng,
                              s[eng].get('method') or '?', goal,
                              'met' if got >= goal else
                              '**missed by %.2f×**' % (goal / got)))
        bps = s['evsnn'].get('bytes_per_synapse')
        if b.get('static_bytes') and bps:
            out.append('- %s N=%d: %.3g bytes a static synapse, target ≤ %g: %s'
                       % (s['bench'], s['n'], bps, b['static_bytes'],
                          'met' if bps <= b['static_bytes'] else
                          '**missed by %.2f×**' % (bps / b['static_bytes'])))
    return out


def write_md(path, args, rows, summary, facts, notes):
    L = []
    L.append('# evsnn benchmark: %s' % facts['title'])
    L.append('')
    L.append('Command (run from `%s`):' % facts['cwd'])
    L.append('')
    L.append('```')
    L.append(facts['command'])
    L.append('```')
    L.append('')
    L.append('| machine fact | value |')
    L.append('| --- | --- |')
    for k in ('started', 'finished', 'nproc', 'cpu', 'memory', 'kernel',
              'load_start', 'load_end', 'evsnn', 'evsnn cflags', 'brian2', 'repeats',
              'duration', 'per-run rows'):
        L.append('| %s | %s |' % (k, facts.get(k, '')))
    L.append('')
    L.append('Runs alternate evsnn and each Brian2 configuration (evsnn, '
             'brian2, brian2-2t, ..., evsnn, brian2, ...) within each case, '
             'so all engines see the same machine load. Engines: `brian2` is '
             'one thread with the model\'s default method (B1 exact, B2/B3 '
             'euler), `-2t` two OpenMP threads, `-expeuler` exponential '
             'Euler. Neither engine records spike trains (evsnn '
             'record_spikes = no, Brian2 SpikeMonitor(record=False)); both '
             'count spikes. Values are medians over the successful repeats; '
             '**ratio = median Brian2 wall/sim-s ÷ median evsnn wall/sim-s** '
             '(> 1: evsnn faster). Only ratios from the same run are '
             'meaningful on these shared machines.')
    L.append('')
    L.append('| bench | N | engine | ok/runs | wall s per sim s | spread | '
             'build s | rate Hz (ref) | spikes | syn events | ns/syn event | '
             'queue ops/syn event | bytes/synapse | peak RSS MiB | '
             'ratio this Brian2 / evsnn |')
    L.append('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | '
             '---: | ---: | ---: | ---: | ---: | ---: |')
    for s in summary:
        ref = BENCHES[s['bench']]['ref_rate']
        for eng in s['engines']:
            m = s[eng]
            if m['runs'] == 0:
                continue
            rss = m.get('peak_rss_kb')
            L.append('| %s | %d | %s | %d/%d | %s | %s | %s | %s (%g) | %s | '
                     '%s | %s | %s | %s | %s | %s |' % (
                         s['bench'], s['n'], eng, m['ok'], m['runs'],
                         fmt(m.get('wall_per_sim_s')),
                         ('%.0f %%' % (100 * m['spread'])
                          if m.get('spread') is not None else ''),
                         fmt(m.get('build_s'), 3), fmt(m.get('rate_hz'), 4),
                         ref, fmt(m.get('spikes'), 6),
                         fmt(m.get('syn_events'), 4),
                         fmt(m.get('ns_per_syn_event'), 3),
                         fmt(m.get('queue_ops_per_syn_event'), 3),
                         fmt(m.get('bytes_per_synapse'), 3),
                         fmt(rss / 1024.0 if rss else None, 4),
                         (fmt(s['ratios'][eng], 3) + '×'
                          if eng in s['ratios'] else '')))
    L.append('')
    L.append('Brian2 syn events are expected counts (spikes × synapses / N), not '
             'counted; Brian2 build s is the binary\'s network construction (not '
             'code generation or g++). Spread = (max − min) / median of the wall '
             'times per simulated second. B3 has no reference rate of its own; '
             'B2\'s 20 Hz is shown.')
    L.append('')
    targets = target_lines(summary)
    if targets:
        L.append('## Targets (doc/benchmarks.md)')
        L.append('')
        L.extend(targets)
        L.append('')
    checks = []
    for s in summary:
        ref = BENCHES[s['bench']]['ref_rate']
        for eng in s['engines']:
            r = s[eng].get('rate_hz')
            if r:
                dev = (r - ref) / ref
                checks.append('- %s N=%d %s: mean rate %.3g Hz, %+.0f %% from '
                              'the reference %g Hz%s' % (
                                  s['bench'], s['n'], eng, r, 100 * dev, ref,
                                  '' if abs(dev) <= 0.15 else
                                  ' — **outside ±15 %**'))
        er = s['evsnn'].get('rate_hz')
        br = s['brian2'].get('rate_hz')
        if er and br:
            checks.append('- %s N=%d: evsnn/Brian2 rate ratio %.3f' % (
                s['bench'], s['n'], er / br))
    for s in summary:
        if s['bench'] != 'B5':
            continue
        for eng in s['engines']:
            ok = [r for r in rows if r['bench'] == 'B5' and r['n'] == s['n']
                  and r['engine'] == eng and r.get('status') == 'ok'
                  and r.get('pop_rates_hz')]
            if not ok:
                continue
            per = list(zip(*[[float(x) for x in r['pop_rates_hz'].split(',')]
                             for r in ok]))
            med = [statistics.median(v) for v in per]
            checks.append('- B5 N=%d %s, median rates (Hz) against the '
                          'full-scale reference: %s' % (
                              s['n'], eng, ', '.join(
                                  '%s %.3g (%+.0f %%)' % (
                                      p, m, 100 * (m / ref - 1))
                                  for p, m, ref in zip(MC_POPS, med,
                                                       MC_REF_RATES))))
    for s in summary:
        w0 = BENCHES[s['bench']].get('w0_nS')
        if not w0:
            continue
        for eng in ('evsnn', 'brian2'):
            m = s[eng]
            if m.get('w_mean_nS') is not None:
                checks.append(
                    '- %s N=%d %s: final mean E→E weight %.5g nS (sd %.3g nS, '
                    'at t = %g s), drift from w0 = %g nS: %+.3g nS' % (
                        s['bench'], s['n'], eng, m['w_mean_nS'],
                        m.get('w_sd_nS') or 0, m.get('w_time_s') or 0, w0,
                        m['w_mean_nS'] - w0))
        ew = s['evsnn'].get('w_mean_nS')
        bw = s['brian2'].get('w_mean_nS')
        if ew and bw:
            checks.append('- %s N=%d: evsnn/Brian2 final mean weight ratio '
                          '%.4f (%+.2f %%)%s' % (
                              s['bench'], s['n'], ew / bw,
                              100 * (ew / bw - 1),
                              '' if abs(ew / bw - 1) <= 0.03 else
                              ' — **more than 3 % apart**'))
        es = s['evsnn'].get('w_sd_nS')
        bs = s['brian2'].get('w_sd_nS')
        if es and bs:
            checks.append('- %s N=%d: evsnn/Brian2 final weight sd ratio '
                          '%.3f' % (s['bench'], s['n'], es / bs))
    if checks:
        L.append('## Rate and weight checks')
        L.append('')
        L.extend(checks)
        L.append('')
    if notes:
        L.append('## Notes')
        L.append('')
        L.extend('- ' + n for n in notes)
        L.append('')
    # A COBA network can fall silent from some initial states (then a run is
    # "ok" but simulates almost nothing and its short wall time pulls the
    # median down): list ok runs far below the reference rate.
    quiet = [r for r in rows if r.get('status') == 'ok'
             and isinstance(r.get('rate_hz'), (int, float))
             and r['rate_hz'] < 0.5 * BENCHES[r['bench']]['ref_rate']]
    if quiet:
        L.append('## Runs far below the reference rate')
        L.append('')
        L.append('These runs succeeded but their network fell (nearly) silent; '
                 'they are included in the medians above.')
        L.append('')
        for r in quiet:
            L.append('- %s N=%d %s repeat %d: %.3g Hz, wall/sim-s %s' % (
                r['bench'], r['n'], r['engine'], r['repeat'], r['rate_hz'],
                fmt(r.get('wall_per_sim_s'))))
        L.append('')
    failures = [r for r in rows if r.get('status') != 'ok']
    if failures:
        L.append('## Failed runs')
        L.append('')
        for r in failures:
            L.append('- %s N=%d %s repeat %d: %s' % (
                r['bench'], r['n'], r['engine'], r['repeat'],
                r.get('status', '?').replace('|', '/')))
        L.append('')
    with open(path, 'w') as f:
        f.write('\n'.join(L))


# --------------------------------------------------------------------------


def int_list(text):
    return [int(float(x)) for x in text.split(',') if x.strip()]


def float_list(text):
    return [float(x) for x in text.split(',') if x.strip()]


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description='Benchmark evsnn against Brian2 C++ standalone (B1 CUBA, '
        'B2 COBA, B3 COBA + STDP); see bench/README.md.')
    ap.add_argument('--build', default='.',
                    help='evsnn build folder (default: the current folder)')
    ap.add_argument('--evsnn', help='evsnn binary (default: BUILD/evsnn)')
    ap.add_argument('--models', default=os.path.join(SRCDIR, 'models'),
                    help='folder holding cuba.ini, coba.ini and coba_stdp.ini '
                    '(default: the source tree\'s models/)')
    ap.add_argument('--bench', default='B1,B2,B3',
                    help='comma-separated benchmarks (default B1,B2,B3)')
    ap.add_argument('--b1-sizes', type=int_list, default=BENCHES['B1']['sizes'],
                    help='B1 network sizes (default 4000,16000,64000)')
    ap.add_argument('--b2-sizes', type=int_list, default=BENCHES['B2']['sizes'],
                    help='B2 network sizes (default 4000)')
    ap.add_argument('--b3-sizes', type=int_list, default=BENCHES['B3']['sizes'],
                    help='B3 network sizes (default 4000)')
    ap.add_argument('--b5-scales', type=float_list, default=BENCHES['B5']['sizes'],
                    help='B5 scales of neurons and in-degrees (default 0.1)')
    ap.add_argument('--b5-scale-key', default='network.scale,network.k_scale',
                    help='--set keys of models/microcircuit.ini set to the '
                    'scale, comma-separated (default network.scale,'
                    'network.k_scale: neurons and in-degrees)')
    ap.add_argument('--b5-duration', type=float, default=1.0,
                    help='B5 simulated seconds when --duration is not given '
                    '(default 1)')
    ap.add_argument('--repeats', type=int, default=5,
                    help='runs per engine and case (default 5)')
    ap.add_argument('--duration', type=float, default=None,
                    help='simulated seconds (default: the model file\'s, 10 s)')
    ap.add_argument('--duration-key', default='simulation.duration',
                    help='--set key evsnn takes the duration from '
                    '(default simulation.duration)')
    ap.add_argument('--seed0', type=int, default=0,
                    help='evsnn repeat r (1-based) runs with --seed seed0+r')
    ap.add_argument('--brian2-python', default=None,
                    help='interpreter that imports brian2 (default: python3 '
                    'if it can, else /usr/bin/python3)')
    ap.add_argument('--brian2-threads', type=int_list, default=[1],
                    help='OpenMP thread counts, one Brian2 configuration each '
                    '(default 1, compiled without OpenMP; 1,2 adds a column '
                    'with two threads)')
    ap.add_argument('--cond-methods', '--b2-methods',
                    default='euler,exponential_euler',
                    type=lambda t: [x.strip() for x in t.split(',') if x.strip()],
                    help='Brian2 integration methods run for the '
                    'conductance-based B2 and B3 (default '
                    'euler,exponential_euler)')
    ap.add_argument('--no-brian2', action='store_true',
                    help='skip the Brian2 runs')
    ap.add_argument('--no-evsnn', action='store_true',
                    help='skip the evsnn runs (test the Brian2 side)')
    ap.add_argument('--name', default='bench',
                    help='results are named <date>-<name>.tsv/.md')
    ap.add_argument('--results', default=os.path.join(HERE, 'results'),
                    help='results folder (default bench/results)')
    ap.add_argument('--workdir', default=None,
                    help='scratch folder for run outputs and compiled Brian2 '
                    'projects (default BUILD/bench-work)')
    ap.add_argument('--timeout', type=float, default=3600,
                    help='seconds before a run is killed (default 3600)')
    ap.add_argument('--record-spikes', action='store_true',
                    help='let evsnn write its spike rasters (default: '
                    'record_spikes=no on E and I, as Brian2 only counts)')
    ap.add_argument('--keep-output', action='store_true',
                    help='keep evsnn\'s run folders')
    return ap.parse_args(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.build = os.path.abspath(args.build)
    args.evsnn = os.path.abspath(args.evsnn or os.path.join(args.build, 'evsnn'))
    args.models = os.path.abspath(args.models)
    workdir = os.path.abspath(args.workdir or os.path.join(args.build,
                                                           'bench-work'))
    benches = [b.strip().upper() for b in args.bench.split(',') if b.strip()]
    for b in benches:
        if b not in BENCHES:
            sys.exit('run_bench.py: unknown benchmark %r (known: %s)'
                     % (b, ', '.join(BENCHES)))
    cases = []
    args.b5_scale_of = {}
    for b in benches:
        if b == 'B5':
            for scale in args.b5_scales:
                n = mc_neurons(scale)
                args.b5_scale_of[n] = scale
                cases.append((b, n))
            continue
        for n in getattr(args, '%s_sizes' % b.lower()):
            cases.append((b, n))
    notes = []

    if not args.no_evsnn and not os.access(args.evsnn, os.X_OK):
        sys.exit('run_bench.py: no evsnn binary at %s (use --build DIR or '
                 '--evsnn PATH, or --no-evsnn)' % args.evsnn)
    evsnn_version = 'not run'
    if not args.no_evsnn:
        try:
            r = subprocess.run([args.evsnn, '--version'], capture_output=True,
                               text=True, timeout=30)
            evsnn_version = '%s (%s)' % (
                (r.stdout or r.stderr).strip().splitlines()[0]
                if (r.stdout or r.stderr).strip() else '?', args.evsnn)
        except (OSError, subprocess.TimeoutExpired, IndexError):
            evsnn_version = args.evsnn

    brian2_version = 'not run (--no-brian2)'
    if not args.no_brian2:
        found = find_brian2_python(args.brian2_python)
        if found is None:
            args.no_brian2 = True
            brian2_version = 'not available'
            notes.append('Brian2 could not be imported (tried %s): Brian2 rows '
                         'were skipped, no ratios.' % (
                             args.brian2_python or 'python3, /usr/bin/python3'))
            log('brian2 not importable: skipping Brian2 runs')
        else:
            args.brian2_python, ver = found
            brian2_version = ('Brian2 %s, C++ standalone, OpenMP threads %s '
                              '(1: compiled without OpenMP) (%s)' % (
                                  ver, ','.join(map(str, args.brian2_threads)),
                                  args.brian2_python))

    durations = {}
    b5_evsnn = True
    if 'B5' in benches and not os.path.exists(
            os.path.join(args.models, BENCHES['B5']['ini'])):
        b5_evsnn = False
        notes.append('B5: no %s in %s: evsnn was not run on B5.' % (
            BENCHES['B5']['ini'], args.models))
    for b in benches:
        ini = os.path.join(args.models, BENCHES[b]['ini'])
        if b == 'B5':
            durations[b] = (args.duration if args.duration is not None
                            else args.b5_duration)
            for n, scale in sorted(args.b5_scale_of.items()):
                notes.append('B5 N=%d is scale %g (neurons and in-degrees; '
                             'evsnn `--set %s=%g`).' % (
                                 n, scale, args.b5_scale_key, scale))
            continue
        d = args.duration if args.duration is not None else model_duration(ini)
        if d is None:
            d = 10.0
            notes.append('%s: no [simulation] duration readable in %s; assumed '
                         '10 s (evsnn uses its own value; the run.log stat '
                         't_end wins when present).' % (b, ini))
        durations[b] = d

    os.makedirs(args.results, exist_ok=True)
    today = datetime.date.today().isoformat()
    base = os.path.join(args.results, '%s-%s' % (today, args.name))
    k = 2
    while os.path.exists(base + '.tsv') or os.path.exists(base + '.md'):
        base = os.path.join(args.results, '%s-%s-%d' % (today, args.name, k))
        k += 1
    facts = dict(
        title=os.path.basename(base),
        cwd=os.getcwd(),
        command=' '.join(shlex.quote(x) for x in
                         [os.path.basename(sys.executable), sys.argv[0]] + argv),
        started=datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S UTC'),
        nproc=nproc(), cpu=cpu_model(), memory=mem_total(),
        kernel=platform.release(), load_start=' '.join(loadavg()),
        evsnn=evsnn_version, brian2=brian2_version,

        repeats=str(args.repeats),
        duration=', '.join('%s %g s' % (b, durations[b]) for b in benches))
    facts['evsnn cflags'] = build_cflags(args.build)
    facts['per-run rows'] = '`%s.tsv`' % os.path.basename(base)
    log('results -> %s.{tsv,md}' % base)

    rows = []
    for bench, n in cases:
        dur = durations[bench]
        projects = []   # (label, project folder) of each Brian2 variant
        for variant in ([] if args.no_brian2 else brian2_variants(args, bench)):
            label = variant['label']
            try:
                pdir, compile_s = brian2_prepare(args, bench, n, dur, workdir,
                                                 variant)
                projects.append((label, pdir))
                if compile_s is None:
                    notes.append('%s N=%d %s: Brian2 project reused from an '
                                 'earlier invocation (%s).' % (
                                     bench, n, label, pdir))
                else:
                    notes.append('%s N=%d %s: Brian2 project generated and '
                                 'compiled once in %s s, reused by every '
                                 'repeat.' % (bench, n, label,
                                              fmt(compile_s, 3)))
            except RuntimeError as e:
                notes.append('%s N=%d %s: %s' % (bench, n, label, e))
                log(str(e))
        for rep in range(1, args.repeats + 1):
            engines = []
            if not args.no_evsnn and (bench != 'B5' or b5_evsnn):
                engines.append(('evsnn', None))
            engines.extend(projects)
            for eng, pdir in engines:
                stamp = datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%S')
                load1 = loadavg()[0]
                if eng == 'evsnn':
                    row = evsnn_run(args, bench, n, rep, dur, workdir)
                else:
                    row = brian2_run(args, bench, n, rep, dur, pdir, workdir,
                                     eng)
                row.update(timestamp=stamp, bench=bench, n=n, repeat=rep,
                           load1=load1)
                rows.append(row)
                log('%s N=%d %-16s r%d: %s wall/sim-s %s rate %s Hz' % (
                    bench, n, eng, rep, row.get('status'),
                    fmt(row.get('wall_per_sim_s')), fmt(row.get('rate_hz'))))
                write_tsv(base + '.tsv', rows)

    for bench, n in cases:
        first = [r for r in rows if r['bench'] == bench and r['n'] == n
                 and r['engine'] == 'evsnn' and r.get('cmd')]
        if first:
            notes.append('%s N=%d: evsnn repeat 1 ran `%s` (in %s)' % (
                bench, n, first[0]['cmd'], workdir))
    facts['finished'] = datetime.datetime.utcnow().strftime(
        '%Y-%m-%d %H:%M:%S UTC')
    facts['load_end'] = ' '.join(loadavg())
    flags = [r['brian2_cflags'] for r in rows if r.get('brian2_cflags')]
    if flags:
        facts['brian2'] += ', g++ `%s`' % flags[0]
    summary = summarize(rows, cases)
    write_tsv(base + '.tsv', rows)
    write_md(base + '.md', args, rows, summary, facts, notes)
    with open(base + '.md') as f:
        print(f.read())
    return 0 if all(r.get('status') == 'ok' for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
