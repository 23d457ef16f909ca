#!/usr/bin/python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Brian2 reference runs of benchmarks B1 (CUBA), B2 (COBA) and B3 (COBA + STDP) for bench/run_bench.py.

Brian2 (Debian python3-brian) runs in C++ standalone mode (one thread, or
--threads T OpenMP threads), with the g++ flags of CFLAGS below, dt = 0.1 ms,
networks exactly as in doc/benchmarks.md, built as Brian2's own CUBA/COBA
examples build them (one NeuronGroup; Synapses from the whole group with a
condition on i, not from subgroups):

  N neurons (0.8 N excitatory, 0.2 N inhibitory), every pair connected with
  probability p = 80/N, threshold -50 mV, reset -60 mV, refractory 5 ms,
  initial v uniform in [-60, -50] mV, no self-connections, no delay (an
  effect is seen at the next 0.1 ms step).
  B1 CUBA (method 'exact'):
           dv/dt = (ge + gi - (v - El))/taum, taum = 20 ms, El = -49 mV,
           ge/gi decay with 5 ms / 10 ms, an E spike adds 1.62 mV to ge,
           an I spike adds -9 mV to gi; ge = gi = 0 at t = 0.
  B2 COBA (method 'euler', or --method exponential_euler):
           Cm dv/dt = gL (EL - v) + ge (Ee - v) + gi (Ei - v), Cm = 200 pF,
           gL = 10 nS, EL = -60 mV, Ee = 0 mV, Ei = -80 mV, ge/gi decay with
           5 ms / 10 ms, an E spike adds 6 nS, an I spike adds 67 nS;
           ge ~ N(40, 15^2) nS, gi ~ N(200, 120^2) nS at t = 0.
  B3 COBA + STDP (model "coba_stdp"): B2 with additive all-to-all pair STDP
           on every E->E synapse (Brian2's standard STDP synapse),
           tau+ = tau- = 20 ms, w0 = 6 nS, A+ = 0.01 w0, A- = 1.05 A+,
           w in [0, 2 w0], in evsnn's order (rule stdp_pair,
           doc/model-format.md "Learning rules"):
             on_pre:  ge_post += w (the old weight);
                      w = clip(w - A- apost, 0, wmax); apre += 1
             on_post: w = clip(w + A+ apre, 0, wmax); apost += 1
           apre/apost decay with tau+/tau- (event-driven). They are
           per-synapse variables in Brian2 but, as every synapse exists from
           t = 0 and all traces add 1 per spike, each equals evsnn's
           per-neuron trace. One difference: evsnn's arrival is the spike time
           + its minimum delay (0.1 ms), Brian2's pre pathway runs in the
           spike's own step, so pairing lags differ by 0.1 ms.
           E->E and E->I are then two Synapses objects (Cee plastic, Cei
           static) instead of one Ce.

The compiled project is reused: "prepare" generates and compiles it once per
(model, N, duration) into a project folder, "run" executes its binary (no
Brian2 import, so a repeat costs the simulation only), and the default
"oneshot" does both. Each run prints one JSON line:

  {"model", "n", "duration_s", "loop_s", "loop_cpu_s", "build_s",
   "compile_s", "spikes", "rate_hz", "synapses", "peak_rss_kb",
   "binary_wall_s", "method", "threads"}

plus, for coba_stdp, "ee_synapses", "ee_w_mean_S" and "ee_w_sd_S": the E->E
synapse count and the mean and (population) sd of w at the end, in siemens.

loop_s is the wall time of the simulation loop (std::chrono::steady_clock
around the run, by code inserted into main.cpp), the clock of evsnn's
wall_run. loop_cpu_s is Brian2's own figure (Network::_last_run_time, in
results/last_run_info.txt, what device._last_run_time reports), which is
std::clock(): the CPU time of the whole process. The two agree for one
thread on an idle machine; on a loaded machine the CPU time leaves out the
time the process waited for a core (evsnn's wall time does not), and with T
OpenMP threads it adds up all threads' CPU time (spinning included). So
loop_s, not loop_cpu_s, is compared with evsnn. build_s is the binary's
network construction (start of main to the start of the run: array init,
synapse creation, initial values), timed by code inserted into main.cpp; compile_s is code generation
plus g++ (prepare only; 0 in "run"); peak_rss_kb is the maximum resident set
of the simulation binary itself (GNU time -f %M, see run_measured); spikes is
the total over all neurons (a SpikeMonitor with record=False, which only
counts). The binary seeds its random streams afresh on every execution
(Brian2's default), so each repeat simulates a new random network.

Must run with an interpreter that can import brian2 (/usr/bin/python3 on
Debian); "run" needs only the standard library.
"""

import argparse
import json
import os
import sys
import time

# One measured-run helper for both scripts (same folder, standard library).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_bench import run_measured  # noqa: E402

META = 'bench_meta.json'
INFO = os.path.join('results', 'bench_info.txt')
LAST_RUN = os.path.join('results', 'last_run_info.txt')
# Each model's default integration method: CUBA is linear, so Brian2's
# 'exact' (its default choice too); COBA's products g*(E - v) rule 'exact'
# out and Brian2 chooses forward 'euler' when none is given, the cheapest;
# 'exponential_euler' is the alternative at evsnn's accuracy
# (bench/README.md, "B2 at equal accuracy").
METHODS = dict(cuba='exact', coba='euler', coba_stdp='euler')
# g++ flags: Brian2's defaults (-w -O3 -ffast-math -fno-finite-math-only
# -march=native -std=c++11) with -funroll-loops and -fno-trapping-math added
# and -fno-finite-math-only dropped (no infinity or NaN occurs in these
# models: lastspike starts at -1e4 s). Measured 12-17 % faster on B1 at
# N = 4,000 with the same spike trains for a fixed seed (bench/README.md,
# "Brian2's configuration"); -O2 was slower, -flto gained nothing.
CFLAGS = ['-w', '-O3', '-ffast-math', '-march=native', '-funroll-loops',
          '-fno-trapping-math', '-std=c++11']




def script_digest():
    """SHA-256 of this file: a compiled project is reused only by the
    script version that generated it."""
    import hashlib
    with open(os.path.abspath(__file__), 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def build_project(model, n, duration, directory, method=None, threads=1,
                  cflags=None, seed=None):
    """Generates and compiles the standalone project; returns the meta dict.
    method: the integration method of the neurons (None: METHODS[model]);
    threads: OpenMP threads (1: no OpenMP, as Brian2's default); cflags: the
    g++ flags (None: CFLAGS); seed: None draws new random numbers at every
    execution of the binary, an integer fixes them (the same network and
    spikes at every execution)."""
    t0 = time.perf_counter()
    import brian2 as b2
    from brian2 import ms, mV, nS, pF, second

    method = method or METHODS[model]
    b2.set_device('cpp_standalone', directory=directory, build_on_run=False)
    b2.prefs.codegen.cpp.extra_compile_args_gcc = list(cflags or CFLAGS)
    if seed is not None:
        b2.seed(seed)
    # openmp_threads = 0 compiles without OpenMP (Brian2's default, one
    # thread); T > 1 makes Brian2 parallelise its loops over T threads.
    b2.prefs.devices.cpp_standalone.openmp_threads = 0 if threads <= 1 else threads
    b2.prefs.codegen.cpp.headers += ['<chrono>', '<fstream>', '<cmath>']
    b2.defaultclock.dt = 0.1 * ms
    b2.device.insert_code(
        'main',
        'auto _bench_t0 = std::chrono::steady_clock::now();')

    n_e = int(round(0.8 * n))
    p = 80.0 / n
    taue = 5 * ms
    taui = 10 * ms
    vt = -50 * mV
    vr = -60 * mV
    if model == 'cuba':
        taum = 20 * ms
        el = -49 * mV
        eqs = '''
        dv/dt  = (ge + gi - (v - El))/taum : volt (unless refractory)
        dge/dt = -ge/taue : volt
        dgi/dt = -gi/taui : volt
        '''
        ns = dict(taum=taum, El=el, taue=taue, taui=taui)
        we = 1.62 * mV
        wi = -9 * mV
    elif model in ('coba', 'coba_stdp'):
        cm = 200 * pF
        gl = 10 * nS
        el = -60 * mV
        ee = 0 * mV
        ei = -80 * mV
        eqs = '''
        dv/dt  = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v))/Cm : volt (unless refractory)
        dge/dt = -ge/taue : siemens
        dgi/dt = -gi/taui : siemens
        '''
        ns = dict(Cm=cm, gl=gl, El=el, Ee=ee, Ei=ei, taue=taue, taui=taui)
        we = 6 * nS
        wi = 67 * nS
    else:
        raise ValueError('unknown model %r' % model)
    ns.update(Vt=vt, Vr=vr)

    P = b2.NeuronGroup(n, eqs, threshold='v > Vt', reset='v = Vr',
                       refractory=5 * ms, method=method, namespace=ns,
                       name='P')
    # Sources are the whole group with a condition on i, as in Brian2's own
    # CUBA/COBA examples and a plain script, not subgroups P[:n_e] and
    # P[n_e:] (a pathway from a subgroup searches every step's spikes for
    # its range; on B1 at N = 4,000 the two measured within the noise of
    # each other, bench/README.md, "Brian2's configuration").
    # No self-connections (models/*.ini and Brian2's reference use
    # 'i != j').
    Ci = b2.Synapses(P, P, on_pre='gi += wi',
                     namespace=dict(wi=wi, n_exc=n_e), name='Ci')
    Ci.connect(condition='i >= n_exc and i != j', p=p)
    if model == 'coba_stdp':
        # B3: plastic E->E (evsnn's stdp_pair order, see the docstring),
        # static E->I.
        taup = 20 * ms
        taum_stdp = 20 * ms
        ap = 0.01 * we
        am = 1.05 * ap
        wmax = 2 * we
        Cee = b2.Synapses(
            P, P,
            model='''w : siemens
            dapre/dt = -apre/taup : 1 (event-driven)
            dapost/dt = -apost/taum_stdp : 1 (event-driven)''',
            on_pre='''ge_post += w
            w = clip(w - Am * apost, wmin, wmax)
            apre += 1''',
            on_post='''w = clip(w + Ap * apre, wmin, wmax)
            apost += 1''',
            namespace=dict(taup=taup, taum_stdp=taum_stdp, Ap=ap, Am=am,
                           wmin=0 * nS, wmax=wmax, n_exc=n_e),
            name='Cee')
        Cei = b2.Synapses(P, P, on_pre='ge += we',
                          namespace=dict(we=we, n_exc=n_e), name='Cei')
        Cee.connect(condition='i < n_exc and j < n_exc and i != j', p=p)
        Cei.connect(condition='i < n_exc and j >= n_exc', p=p)
        Cee.w = we
        exc = [Cee, Cei]
    else:
        Ce = b2.Synapses(P, P, on_pre='ge += we',
                         namespace=dict(we=we, n_exc=n_e), name='Ce')
        Ce.connect(condition='i < n_exc and i != j', p=p)
        exc = [Ce]
    P.v = 'Vr + rand() * (Vt - Vr)'
    if model == 'cuba':
        P.ge = 0 * mV
        P.gi = 0 * mV
    else:
        P.ge = '(randn() * 15 + 40) * nS'
        P.gi = '(randn() * 120 + 200) * nS'
    mon = b2.SpikeMonitor(P, record=False, name='spikemon')
    net = b2.Network(P, Ci, mon, *exc)

    count = b2.device.get_array_name(mon.variables['count'])
    syn_n = ' + '.join('(long long)brian::%s[0]'
                       % b2.device.get_array_name(c.variables['N'])
                       for c in exc + [Ci])
    if model == 'coba_stdp':
        # mean and sd of the E->E weights at the end (siemens)
        w_arr = b2.device.get_array_name(Cee.variables['w'],
                                         access_data=False)
        w_stats = '''
        {
            double _s = 0, _s2 = 0;
            const size_t _m = brian::%(w)s.size();
            for (size_t _k = 0; _k < _m; _k++) _s += brian::%(w)s[_k];
            const double _mean = _m ? _s / _m : 0;
            for (size_t _k = 0; _k < _m; _k++) {
                const double _d = brian::%(w)s[_k] - _mean;
                _s2 += _d * _d;
            }
            _bench_out << " " << (long long)_m << " " << _mean << " "
                       << (_m ? std::sqrt(_s2 / _m) : 0.0);
        }
        ''' % dict(w=w_arr)
    else:
        w_stats = ''
    b2.device.insert_code(
        'main',
        'double _bench_build = std::chrono::duration<double>('
        'std::chrono::steady_clock::now() - _bench_t0).count();'
        'auto _bench_r0 = std::chrono::steady_clock::now();')
    net.run(duration * second, report=None)
    # the loop's wall time (Brian2's own _last_run_time is std::clock(),
    # the process's CPU time: see the docstring)
    b2.device.insert_code(
        'main',
        'double _bench_loop = std::chrono::duration<double>('
        'std::chrono::steady_clock::now() - _bench_r0).count();')
    b2.device.insert_code('main', '''
    {
        long long _bench_spikes = 0;
        for (int _k = 0; _k < %(n)d; _k++) _bench_spikes += brian::%(count)s[_k];
        std::ofstream _bench_out("results/bench_info.txt");
        _bench_out.precision(17);
        _bench_out << _bench_build << " " << _bench_loop << " "
                   << _bench_spikes << " "
                   << (%(syn_n)s);
        %(w_stats)s
        _bench_out << std::endl;
    }
    ''' % dict(n=n, count=count, syn_n=syn_n, w_stats=w_stats))
    b2.device.build(directory=directory, compile=True, run=False,
                    with_output=False)
    meta = dict(model=model, n=n, duration_s=duration, method=method,
                threads=max(1, threads), compile_s=time.perf_counter() - t0, brian2=b2.__version__,
                script=script_digest(),
                cflags=' '.join(
                    b2.prefs['codegen.cpp.extra_compile_args_gcc']))
    with open(os.path.join(directory, META), 'w') as f:
        json.dump(meta, f)
    return meta


def run_project(directory):
    """Runs the compiled binary once; returns the result dict."""
    with open(os.path.join(directory, META)) as f:
        meta = json.load(f)
    for name in (INFO, LAST_RUN):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            os.remove(path)
    os.makedirs(os.path.join(directory, 'results'), exist_ok=True)
    usage = {}
    wall, rss_kb, rc = run_measured(['./main'], directory,
                                    os.path.join(directory, 'results',
                                                 'stdout.txt'), None, usage)
    if rc != 0:
        raise RuntimeError('%s/main failed with status %d' % (directory, rc))
    with open(os.path.join(directory, LAST_RUN)) as f:
        loop_cpu_s, fraction = (float(x) for x in f.read().split())
    with open(os.path.join(directory, INFO)) as f:
        fields = f.read().split()
    build_s, loop_s, spikes, synapses = fields[:4]
    loop_s = float(loop_s)
    n = meta['n']
    dur = meta['duration_s']
    res = dict(model=meta['model'], n=n, duration_s=dur, loop_s=loop_s,
               loop_cpu_s=loop_cpu_s,
               method=meta.get('method'), threads=meta.get('threads', 1),
               completed_fraction=fraction, build_s=float(build_s),
               compile_s=0.0, spikes=int(spikes),
               rate_hz=int(spikes) / n / dur, synapses=int(synapses),
               peak_rss_kb=rss_kb, binary_wall_s=wall,
               binary_cpu_s=usage['cpu_s'],
               brian2=meta.get('brian2'), cflags=meta.get('cflags'))
    if len(fields) >= 7:
        res.update(ee_synapses=int(fields[4]), ee_w_mean_S=float(fields[5]),
                   ee_w_sd_S=float(fields[6]))
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('mode', nargs='?', default='oneshot',
                    choices=['prepare', 'run', 'oneshot'])
    ap.add_argument('--model', choices=['cuba', 'coba', 'coba_stdp'],
                    default='cuba')
    ap.add_argument('-n', '--n', type=int, default=4000, help='neurons')
    ap.add_argument('--method', default=None,
                    help='integration method of the neurons (default: exact '
                    'for cuba, euler for coba and coba_stdp)')
    ap.add_argument('--threads', type=int, default=1,
                    help='OpenMP threads (default 1: compiled without OpenMP)')
    ap.add_argument('--cflags', default=None,
                    help='g++ flags, space-separated (default: %s)'
                    % ' '.join(CFLAGS))
    ap.add_argument('--seed', type=int, default=None,
                    help='fix the random numbers (default: new ones at every '
                    'execution)')
    ap.add_argument('--duration', type=float, default=10.0,
                    help='simulated seconds (default 10)')
    ap.add_argument('--dir', default=None,
                    help='project folder (default: a new temporary one)')
    a = ap.parse_args(argv)
    if a.dir is None:
        if a.mode == 'run':
            ap.error('run needs --dir')
        import tempfile
        a.dir = tempfile.mkdtemp(prefix='brian2-%s-%d-' % (a.model, a.n))
    a.dir = os.path.abspath(a.dir)
    if a.mode in ('prepare', 'oneshot'):
        meta = build_project(a.model, a.n, a.duration, a.dir, a.method,
                             a.threads,
                             a.cflags.split() if a.cflags else None, a.seed)
        if a.mode == 'prepare':
            print(json.dumps(dict(meta, dir=a.dir)))
            return 0
    res = run_project(a.dir)
    if a.mode == 'oneshot':
        res['compile_s'] = meta['compile_s']
    res['dir'] = a.dir
    print(json.dumps(res))
    sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
