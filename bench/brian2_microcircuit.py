#!/usr/bin/python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""B5, the Potjans & Diesmann (2014) microcircuit, in Brian2 C++ standalone.

The model of doc/benchmarks.md (B5), as NEST's reference implementation
(microcircuit-PD14-model) builds it, with a scale S applied to the neuron
numbers and the in-degrees alike:

- 8 populations L23E L23I L4E L4I L5E L5I L6E L6I of round(S N_full)
  current-based LIF neurons (tau_m = 10 ms, C_m = 250 pF, E_L = -65 mV,
  threshold -50 mV, reset -65 mV, refractory 2 ms, exponential currents
  with tau_syn = 0.5 ms), initial V ~ N(-58 mV, 10 mV), integrated by
  Brian2's 'exact' method (the equations are linear) on dt = 0.1 ms;
- between populations, K_full = round(log(1 - p) / log(1 - 1/(N_pre N_post)))
  synapses of the full model, of which round(S^2 K_full) are drawn (N and
  the in-degree both scale by S), pre and post uniformly with replacement
  (fixed total number, multapses and autapses allowed);
- weights normal(w, 0.1 |w|) per synapse with w = 87.81 pA (a 0.15 mV PSP),
  -4 w from inhibitory populations, 2 w for L4E -> L23E; delays
  normal(1.5, 0.75) ms (excitatory) and normal(0.75, 0.375) ms (inhibitory)
  clipped below at dt and, as Brian2 does, rounded to the step;
- background: K_ext = round(S K_ext_full) Poisson inputs per neuron at 8 Hz
  of weight w, as one PoissonInput per population (Brian2 draws the
  number of input spikes of each neuron and step from the binomial
  distribution: no synapses, no spike queue; the fastest honest form);
- when S < 1 the in-degrees shrink, so, as in the reference
  (adjust_weights_and_input_to_synapse_scaling), every weight is divided by
  sqrt(S) and each population gets a DC current
  0.001 tau_syn (1 - sqrt(S)) (sum_pre w_full K_full_in r_ref + w K_ext 8 Hz)
  (pA, with tau_syn in ms and the reference rates r_ref of doc/microcircuit.md)
  that restores the mean input of the full model.

The connections, weights and delays are drawn by numpy (seed --seed) when
the project is generated and stored in it, so every execution of the binary
simulates the same network with new initial potentials and background.

The run has a transient (--transient, default 0.1 s) and then the measured
part (--duration): the spike counts (a SpikeMonitor with record=False,
active after the transient only) give the per-population rates over the
measured part; loop_s is the wall time of both runs (steady_clock around
each), the same clock and span as evsnn's wall_run (Brian2's own
Network::_last_run_time is CPU time, see brian2_models.py).

  /usr/bin/python3 bench/brian2_microcircuit.py --scale 0.1 --duration 1
  /usr/bin/python3 bench/brian2_microcircuit.py prepare --scale 0.1 --dir D
  python3 bench/brian2_microcircuit.py run --dir D     # standard library only

Each run prints one JSON line: {"model": "microcircuit", "scale", "n",
"duration_s", "transient_s", "loop_s", "build_s", "spikes", "rate_hz",
"pop_rates_hz", "pop_sizes", "synapses", "peak_rss_kb", "binary_wall_s",
"threads", "compile_s"}, then a table of the rates against the reference.
"""

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_bench import run_measured  # noqa: E402

POPS = ['L23E', 'L23I', 'L4E', 'L4I', 'L5E', 'L5I', 'L6E', 'L6I']
N_FULL = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
# connection probabilities, rows: target, columns: source
P_CONN = [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0., 0.0076, 0.],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0., 0.0042, 0.],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0., 0.1057, 0.],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443]]
K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
BG_RATE = 8.0                       # Hz
# the reference rates at full scale (Hz; doc/microcircuit.md, doc/benchmarks.md
# B5); also the full-model
# rates in the DC compensation of scaled in-degrees
REF_RATES = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829]
TAU_M, C_M, E_L, V_TH, V_RESET, T_REF, TAU_SYN = (
    10e-3, 250e-12, -65e-3, -50e-3, -65e-3, 2e-3, 0.5e-3)
PSP = 0.15e-3                       # V, mean excitatory PSP
G = -4.0
DT = 1e-4

META = 'bench_meta.json'
INFO = os.path.join('results', 'bench_info.txt')


def psc_of_psp(psp):
    """The PSC amplitude (A) whose PSP peaks at psp (V) for these neurons
    (the reference's postsyn_potential_to_current, in SI units)."""
    tm, ts, cm = TAU_M, TAU_SYN, C_M
    sub = 1.0 / (ts - tm)
    pre = tm * ts / cm * sub
    frac = (tm / ts) ** sub
    return psp / (pre * (frac ** tm - frac ** ts))


def plan(scale):
    """Sizes, synapse counts, weights and DC currents at a scale: a dict."""
    w = psc_of_psp(PSP)
    w_full = [[w * (G if src % 2 else 1.0) * (2.0 if (tgt, src) == (0, 2)
                                              else 1.0)
               for src in range(8)] for tgt in range(8)]
    k_full = [[int(round(math.log(1.0 - P_CONN[t][s])
                         / math.log(1.0 - 1.0 / (N_FULL[s] * N_FULL[t]))))
               if P_CONN[t][s] > 0 else 0
               for s in range(8)] for t in range(8)]
    sizes = [int(round(scale * n)) for n in N_FULL]
    nsyn = [[int(round(k_full[t][s] * scale * scale)) for s in range(8)]
            for t in range(8)]
    k_ext = [int(round(scale * k)) for k in K_EXT]
    root = math.sqrt(scale)
    dc = []
    for t in range(8):
        rec = sum(w_full[t][s] * k_full[t][s] / N_FULL[t] * REF_RATES[s]
                  for s in range(8))
        ext = w * K_EXT[t] * BG_RATE
        dc.append(TAU_SYN * (1.0 - root) * (rec + ext))
    return dict(sizes=sizes, nsyn=nsyn, k_ext=k_ext, dc=dc,
                w=[[x / root for x in row] for row in w_full],
                w_ext=w / root, w_psc=w)


def build_project(scale, duration, transient, directory, threads=1,
                  seed=1, cflags=None):
    """Generates and compiles the standalone project; returns the meta dict."""
    t0 = time.perf_counter()
    import numpy as np
    import brian2 as b2
    from brian2 import mV, pF, second, Hz
    from brian2_models import CFLAGS

    pl = plan(scale)
    b2.set_device('cpp_standalone', directory=directory, build_on_run=False)
    b2.prefs.codegen.cpp.extra_compile_args_gcc = list(cflags or CFLAGS)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0 if threads <= 1 else threads
    b2.prefs.codegen.cpp.headers += ['<chrono>', '<fstream>']
    b2.defaultclock.dt = DT * second
    b2.device.insert_code('main', 'auto _bench_t0 = std::chrono::steady_clock'
                          '::now(); double _bench_loop = 0;')
    n = sum(pl['sizes'])
    start = np.concatenate([[0], np.cumsum(pl['sizes'])])
    eqs = '''
    dv/dt = -(v - El)/taum + (I + Idc)/Cm : volt (unless refractory)
    dI/dt = -I/tau_syn : amp
    Idc : amp (constant)
    '''
    ns = dict(El=E_L * 1e3 * mV, taum=TAU_M * second, Cm=C_M * 1e12 * pF,
              tau_syn=TAU_SYN * second, Vt=V_TH * 1e3 * mV,
              Vr=V_RESET * 1e3 * mV)
    P = b2.NeuronGroup(n, eqs, threshold='v > Vt', reset='v = Vr',
                       refractory=T_REF * second, method='exact',
                       namespace=ns, name='P')
    P.v = '(-58 + 10 * randn()) * mV'
    P.Idc = np.repeat(pl['dc'], pl['sizes']) * b2.amp
    # all recurrent synapses in one object: one spike queue
    rng = np.random.RandomState(seed)
    pre, post, weight, delay = [], [], [], []
    for t in range(8):
        for s in range(8):
            k = pl['nsyn'][t][s]
            if k == 0:
                continue
            pre.append(start[s] + rng.randint(0, pl['sizes'][s], k))
            post.append(start[t] + rng.randint(0, pl['sizes'][t], k))
            # weights normal(w, 0.1 |w|); delays normal, clipped below at dt
            wm = pl['w'][t][s]
            weight.append(wm + 0.1 * abs(wm) * rng.standard_normal(k))
            dm = 0.75e-3 if s % 2 else 1.5e-3
            delay.append(np.maximum(dm + 0.5 * dm * rng.standard_normal(k),
                                    DT))
    pre = np.concatenate(pre)
    post = np.concatenate(post)
    S = b2.Synapses(P, P, model='w : amp (constant)', on_pre='I_post += w',
                    name='S')
    S.connect(i=pre, j=post)
    S.w = np.concatenate(weight) * b2.amp
    S.delay = np.concatenate(delay) * second
    background = []
    for p in range(8):
        grp = P[int(start[p]):int(start[p + 1])]
        background.append(b2.PoissonInput(
            grp, 'I', N=pl['k_ext'][p], rate=BG_RATE * Hz,
            weight='%r * amp' % pl['w_ext']))
    mon = b2.SpikeMonitor(P, record=False, name='spikemon')
    net = b2.Network(P, S, mon, *background, name='network')
    b2.device.insert_code('main', 'double _bench_build = std::chrono::'
                          'duration<double>(std::chrono::steady_clock::now()'
                          ' - _bench_t0).count();')
    # the loops' wall time (steady_clock; Network::_last_run_time is
    # std::clock(), CPU time: see brian2_models.py)
    start_clock = 'auto _bench_r%d = std::chrono::steady_clock::now();'
    stop_clock = ('_bench_loop += std::chrono::duration<double>(std::chrono'
                  '::steady_clock::now() - _bench_r%d).count();')
    if transient > 0:
        mon.active = False
        b2.device.insert_code('main', start_clock % 0)
        net.run(transient * second, report=None)
        b2.device.insert_code('main', stop_clock % 0)
        mon.active = True
    b2.device.insert_code('main', start_clock % 1)
    net.run(duration * second, report=None)
    b2.device.insert_code('main', stop_clock % 1)
    count = b2.device.get_array_name(mon.variables['count'])
    syn_n = b2.device.get_array_name(S.variables['N'])
    b2.device.insert_code('main', '''
    {
        std::ofstream _bench_out("results/bench_info.txt");
        _bench_out.precision(17);
        _bench_out << _bench_build << " " << _bench_loop << " "
                   << (long long)brian::%(syn)s[0];
        const int _start[9] = {%(start)s};
        for (int _p = 0; _p < 8; _p++) {
            long long _c = 0;
            for (int _k = _start[_p]; _k < _start[_p + 1]; _k++)
                _c += brian::%(count)s[_k];
            _bench_out << " " << _c;
        }
        _bench_out << std::endl;
    }
    ''' % dict(syn=syn_n, count=count,
               start=', '.join(str(int(x)) for x in start)))
    b2.device.build(directory=directory, compile=True, run=False,
                    with_output=False)
    import hashlib
    with open(os.path.abspath(__file__), 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    # model, n, duration_s, method, threads and script: what run_bench.py
    # checks before it reuses a project
    meta = dict(model='microcircuit', scale=scale, n=n, duration_s=duration,
                method='exact', script=digest,
                transient_s=transient, threads=max(1, threads), seed=seed,
                pop_sizes=pl['sizes'], synapses_planned=int(len(pre)),
                k_ext=pl['k_ext'], dc_pA=[x * 1e12 for x in pl['dc']],
                w_pA=pl['w_psc'] * 1e12,
                compile_s=time.perf_counter() - t0, brian2=b2.__version__,
                cflags=' '.join(b2.prefs['codegen.cpp.extra_compile_args_gcc']))
    with open(os.path.join(directory, META), 'w') as f:
        json.dump(meta, f)
    return meta


def run_project(directory):
    """Runs the compiled binary once; returns the result dict."""
    with open(os.path.join(directory, META)) as f:
        meta = json.load(f)
    info = os.path.join(directory, INFO)
    if os.path.exists(info):
        os.remove(info)
    os.makedirs(os.path.join(directory, 'results'), exist_ok=True)
    usage = {}
    wall, rss_kb, rc = run_measured(['./main'], directory,
                                    os.path.join(directory, 'results',
                                                 'stdout.txt'), None, usage)
    if rc != 0:
        raise RuntimeError('%s/main failed with status %d' % (directory, rc))
    with open(info) as f:
        fields = f.read().split()
    build_s, loop_s, synapses = float(fields[0]), float(fields[1]), int(fields[2])
    counts = [int(x) for x in fields[3:11]]
    sizes = meta['pop_sizes']
    dur = meta['duration_s']
    total = meta['duration_s'] + meta['transient_s']
    return dict(model='microcircuit', scale=meta['scale'], n=meta['n'],
                method=meta['method'],
                duration_s=dur, transient_s=meta['transient_s'],
                loop_s=loop_s, loop_per_sim_s=loop_s / total,
                build_s=build_s, spikes=sum(counts),
                rate_hz=sum(counts) / meta['n'] / dur,
                pop_rates_hz=[c / s / dur for c, s in zip(counts, sizes)],
                pop_sizes=sizes, synapses=synapses, peak_rss_kb=rss_kb,
                binary_wall_s=wall, binary_cpu_s=usage['cpu_s'],
                threads=meta['threads'], compile_s=0.0,
                brian2=meta.get('brian2'), cflags=meta.get('cflags'))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('mode', nargs='?', default='oneshot',
                    choices=['prepare', 'run', 'oneshot'])
    ap.add_argument('--scale', type=float, default=0.1,
                    help='scale of neurons and in-degrees (default 0.1)')
    ap.add_argument('--duration', type=float, default=1.0,
                    help='measured simulated seconds after the transient '
                    '(default 1)')
    ap.add_argument('--transient', type=float, default=0.1,
                    help='simulated seconds before the measurement (0.1)')
    ap.add_argument('--threads', type=int, default=1,
                    help='OpenMP threads (default 1: compiled without OpenMP)')
    ap.add_argument('--seed', type=int, default=1,
                    help='numpy seed of the connections (default 1)')
    ap.add_argument('--dir', default=None,
                    help='project folder (default: a new temporary one)')
    a = ap.parse_args(argv)
    if a.dir is None:
        if a.mode == 'run':
            ap.error('run needs --dir')
        import tempfile
        a.dir = tempfile.mkdtemp(prefix='brian2-micro-%g-' % a.scale)
    a.dir = os.path.abspath(a.dir)
    if a.mode in ('prepare', 'oneshot'):
        meta = build_project(a.scale, a.duration, a.transient, a.dir,
                             a.threads, a.seed)
        if a.mode == 'prepare':
            print(json.dumps(dict(meta, dir=a.dir)))
            return 0
    res = run_project(a.dir)
    if a.mode == 'oneshot':
        res['compile_s'] = meta['compile_s']
    res['dir'] = a.dir
    print(json.dumps(res))
    print('| population | neurons | rate Hz | reference Hz | deviation |')
    print('| --- | ---: | ---: | ---: | ---: |')
    for p, (size, r, ref) in enumerate(zip(res['pop_sizes'],
                                           res['pop_rates_hz'], REF_RATES)):
        print('| %s | %d | %.3f | %.3f | %+.1f %% |' % (
            POPS[p], size, r, ref, 100 * (r / ref - 1)))
    sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
