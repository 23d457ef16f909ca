#!/usr/bin/python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""B2 at equal accuracy: how exact are Brian2's forward Euler, Brian2's
exponential Euler and evsnn's IF_cond_exp on B2's 0.1 ms step?

One B2 neuron (C_m = 200 pF, g_L = 10 nS, E_L = -60 mV, E_e = 0 mV,
E_i = -80 mV, tau_e = 5 ms, tau_i = 10 ms, threshold -50 mV, reset -60 mV,
refractory 5 ms) is driven by frozen Poisson trains of NE excitatory (6 nS)
and NI inhibitory (67 nS) inputs, the input a B2 neuron gets from its 80
presynaptic neurons. Every engine sees the same input spike times (on the
0.1 ms grid), and every input acts from 0.1 ms after its spike on (evsnn:
delay 0.1 ms; Brian2 at 0.1 ms: zero delay, which acts from the next step;
the reference: its spike 1 us earlier with zero delay). Two tests:

  free:  threshold out of reach (v moves freely): RMS and maximum error of
         v on the 0.1 ms grid against the reference over the whole run;
  spike: B2's threshold and reset: output spike times against the
         reference's. A reference spike is matched by the nearest spike of
         the method within 1 ms; reported are the spike counts, the fraction
         of reference spikes matched and the mean and maximum |dt| of the
         matched ones.

The reference is Brian2's 'rk4' at dt = 1 us (its own error is far below
every 0.1 ms method's: 'exponential_euler' at 1 us differs from it by less
than 1e-4 mV, printed as a check). A spike's time is the end of the step in
which v crossed (evsnn's convention; Brian2 labels the step's start, so
dt is added to its times).

Every Brian2 configuration is a C++ standalone project in its own process
(mode "one"); evsnn runs `evsnn run` on a model file written here. Prints a
Markdown table; needs /usr/bin/python3 with brian2 and numpy.

  /usr/bin/python3 bench/b2_accuracy.py --evsnn BUILD/evsnn [--duration 10]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

DT = 1e-4            # B2's step, s
DT_REF = 1e-6        # the reference's step, s
PARAMS = dict(cm=200e-12, gl=10e-9, el=-60e-3, ee=0.0, ei=-80e-3,
              taue=5e-3, taui=10e-3, vt=-50e-3, vr=-60e-3, tref=5e-3,
              we=6e-9, wi=67e-9)


def inputs(seed, ne, ni, rate_e, rate_i, duration):
    """Frozen Poisson input on the 0.1 ms grid: (ids, steps) of the E sources
    0..ne-1 and the I sources ne..ne+ni-1, sorted by step."""
    rng = np.random.RandomState(seed)
    steps = int(round(duration / DT))
    ids, ks = [], []
    for src in range(ne + ni):
        rate = rate_e if src < ne else rate_i
        k = np.nonzero(rng.random_sample(steps) < rate * DT)[0]
        # no input in the last step: it could not act before the end
        k = k[k < steps - 1]
        ids.append(np.full(len(k), src))
        ks.append(k)
    ids = np.concatenate(ids)
    ks = np.concatenate(ks)
    order = np.lexsort((ids, ks))
    return ids[order], ks[order]


def run_brian2_one(method, dt, free, ne, ids, ks, duration, directory):
    """One Brian2 C++ standalone run (this process); returns (v on the
    0.1 ms grid in V, spike times in s as ends of steps)."""
    import brian2 as b2
    from brian2 import second, siemens, farad, volt
    b2.set_device('cpp_standalone', directory=directory)
    b2.prefs.codegen.cpp.extra_compile_args_gcc = ['-w', '-O2', '-std=c++11']
    b2.defaultclock.dt = dt * second
    p = PARAMS
    ns = dict(Cm=p['cm'] * farad, gl=p['gl'] * siemens, El=p['el'] * volt,
              Ee=p['ee'] * volt, Ei=p['ei'] * volt, taue=p['taue'] * second,
              taui=p['taui'] * second, Vr=p['vr'] * volt,
              Vt=(1.0 if free else p['vt']) * volt)
    eqs = '''
    dv/dt  = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v))/Cm : volt (unless refractory)
    dge/dt = -ge/taue : siemens
    dgi/dt = -gi/taui : siemens
    '''
    nrn = b2.NeuronGroup(1, eqs, threshold='v > Vt', reset='v = Vr',
                         refractory=p['tref'] * second, method=method,
                         namespace=ns)
    nrn.v = p['el'] * volt
    # an input of step k acts from (k + 1) * DT on: at the coarse step its
    # zero-delay effect starts with the next step; the reference gets it one
    # of its own steps before (k + 1) * DT
    t_in = (ks + 1) * DT - dt
    gen = b2.SpikeGeneratorGroup(int(ids.max()) + 1, ids, t_in * second)
    se = b2.Synapses(gen, nrn, on_pre='ge += %r*nS' % (p['we'] * 1e9))
    se.connect(condition='i < %d' % ne)
    si = b2.Synapses(gen, nrn, on_pre='gi += %r*nS' % (p['wi'] * 1e9))
    si.connect(condition='i >= %d' % ne)
    vmon = b2.StateMonitor(nrn, 'v', record=0, dt=DT * second)
    smon = b2.SpikeMonitor(nrn)
    b2.run(duration * second)
    return (np.asarray(vmon.v[0] / volt),
            np.asarray(smon.t / second) + dt)


def run_evsnn(evsnn, free, ne, ni, ids, ks, duration, workdir):
    """evsnn's IF_cond_exp on the same input; returns (v on the 0.1 ms grid
    in V, spike times in s)."""
    p = PARAMS
    # SpikeSourceArray ids are within a population: E sources 0..ne-1, the
    # I population's file holds ids - ne
    e_file = os.path.join(workdir, 'input_e.ras')
    i_file = os.path.join(workdir, 'input_i.ras')
    with open(e_file, 'w') as fe, open(i_file, 'w') as fi:
        for i, k in zip(ids, ks):
            if i < ne:
                fe.write('%.9f %d\n' % (k * DT, i))
            else:
                fi.write('%.9f %d\n' % (k * DT, i - ne))
    model = '''
[simulation]
duration = %(dur)r s
resolution = 0.1 ms

[population SE]
type = SpikeSourceArray
size = %(ne)d
file = %(efile)s

[population SI]
type = SpikeSourceArray
size = %(ni)d
file = %(ifile)s

[population N]
type = IF_cond_exp
size = 1
cm = %(cm)r pF
tau_m = %(taum)r ms
v_rest = %(el)r mV
v_thresh = %(vt)s
v_reset = %(vr)r mV
tau_refrac = %(tref)r ms
e_rev_E = %(ee)r mV
e_rev_I = %(ei)r mV
tau_syn_E = %(taue)r ms
tau_syn_I = %(taui)r ms
v_init = %(el)r mV
record_v = 0
record_interval = 0.1 ms

[projection E]
pre = SE
post = N
receptor = excitatory
connect = all_to_all
weight = %(we)r nS
delay = 0.1 ms

[projection I]
pre = SI
post = N
receptor = inhibitory
connect = all_to_all
weight = %(wi)r nS
delay = 0.1 ms
''' % dict(dur=duration, ne=ne, ni=ni, efile=e_file, ifile=i_file,
           vt='1000 mV' if free else '%r mV' % (p['vt'] * 1e3),
           cm=p['cm'] * 1e12, taum=p['cm'] / p['gl'] * 1e3,
           el=p['el'] * 1e3, vr=p['vr'] * 1e3, tref=p['tref'] * 1e3,
           ee=p['ee'] * 1e3, ei=p['ei'] * 1e3, taue=p['taue'] * 1e3,
           taui=p['taui'] * 1e3, we=p['we'] * 1e9, wi=p['wi'] * 1e9)
    ini = os.path.join(workdir, 'b2_neuron.ini')
    with open(ini, 'w') as f:
        f.write(model)
    out = os.path.join(workdir, 'evsnn-%s' % ('free' if free else 'spike'))
    subprocess.run([evsnn, 'run', ini, '-o', out], check=True,
                   stdout=subprocess.DEVNULL)
    v = np.loadtxt(os.path.join(out, 'v_N.tsv'), skiprows=1)
    ras = np.loadtxt(os.path.join(out, 'N.ras'), comments='#', ndmin=2)
    spikes = ras[:, 0] if ras.size else np.zeros(0)
    return v[:, 1], spikes


def compare_v(v, ref):
    n = min(len(v), len(ref))
    d = (v[:n] - ref[:n]) * 1e3
    return dict(v_rms_mV=float(np.sqrt(np.mean(d * d))),
                v_max_mV=float(np.max(np.abs(d))))


def compare_spikes(s, ref):
    out = dict(spikes=len(s), ref_spikes=len(ref))
    if len(ref) == 0 or len(s) == 0:
        out.update(matched=0.0, dt_mean_ms=None, dt_max_ms=None)
        return out
    j = np.clip(np.searchsorted(s, ref), 1, len(s) - 1)
    near = np.where(np.abs(s[j - 1] - ref) <= np.abs(s[j] - ref),
                    s[j - 1], s[j])
    d = np.abs(near - ref)
    m = d <= 1e-3
    out.update(matched=float(np.mean(m)),
               dt_mean_ms=float(np.mean(d[m]) * 1e3) if m.any() else None,
               dt_max_ms=float(np.max(d[m]) * 1e3) if m.any() else None)
    return out


def one(a):
    """Mode "one": a single Brian2 configuration, result as JSON on stdout."""
    data = np.load(a.input)
    v, s = run_brian2_one(a.method, a.dt, a.free, int(data['ne']),
                          data['ids'], data['ks'], float(data['duration']),
                          a.dir)
    np.savez(a.output, v=v, s=s)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('mode', nargs='?', default='all', choices=['all', 'one'])
    ap.add_argument('--evsnn', help='the evsnn program (default: ./evsnn)',
                    default='./evsnn')
    ap.add_argument('--duration', type=float, default=10.0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--ne', type=int, default=64,
                    help='excitatory inputs (B2: 0.8 x 80)')
    ap.add_argument('--ni', type=int, default=16,
                    help='inhibitory inputs (B2: 0.2 x 80)')
    ap.add_argument('--rate-e', type=float, default=20.0,
                    help='rate of each excitatory input, Hz')
    ap.add_argument('--rate-i', type=float, default=20.0,
                    help='rate of each inhibitory input, Hz')
    ap.add_argument('--workdir', default=None)
    # mode "one"
    ap.add_argument('--method')
    ap.add_argument('--dt', type=float)
    ap.add_argument('--free', action='store_true')
    ap.add_argument('--input')
    ap.add_argument('--output')
    ap.add_argument('--dir')
    a = ap.parse_args(argv)
    if a.mode == 'one':
        return one(a)
    work = os.path.abspath(a.workdir or tempfile.mkdtemp(prefix='b2acc-'))
    os.makedirs(work, exist_ok=True)
    ids, ks = inputs(a.seed, a.ne, a.ni, a.rate_e, a.rate_i, a.duration)
    inp = os.path.join(work, 'input.npz')
    np.savez(inp, ids=ids, ks=ks, ne=a.ne, duration=a.duration)
    configs = [('reference rk4, 1 us', 'rk4', DT_REF),
               ('check: exponential_euler, 1 us', 'exponential_euler', DT_REF),
               ('Brian2 euler, 0.1 ms', 'euler', DT),
               ('Brian2 exponential_euler, 0.1 ms', 'exponential_euler', DT)]
    results = {}
    for free in (True, False):
        test = 'free' if free else 'spike'
        for label, method, dt in configs:
            tag = '%s-%s-%g' % (test, method, dt)
            outp = os.path.join(work, tag + '.npz')
            cmd = [sys.executable, os.path.abspath(__file__), 'one',
                   '--method', method, '--dt', repr(dt), '--input', inp,
                   '--output', outp, '--dir', os.path.join(work, tag)]
            if free:
                cmd.append('--free')
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            d = np.load(outp)
            results[(test, label)] = (d['v'], d['s'])
        results[(test, 'evsnn IF_cond_exp, 0.1 ms')] = run_evsnn(
            a.evsnn, free, a.ne, a.ni, ids, ks, a.duration, work)
    labels = [c[0] for c in configs[1:]] + ['evsnn IF_cond_exp, 0.1 ms']
    print('Input: %d E inputs at %g Hz (6 nS), %d I inputs at %g Hz (67 nS), '
          'seed %d, %g s; reference: Brian2 rk4 at dt = 1 us.\n' % (
              a.ne, a.rate_e, a.ni, a.rate_i, a.seed, a.duration))
    print('| method | free v: RMS error mV | free v: max error mV | spikes '
          '(reference) | reference spikes matched within 1 ms | mean / max '
          '\\|dt\\| of matched, ms |')
    print('| --- | ---: | ---: | ---: | ---: | --- |')
    table = []
    for lab in labels:
        cv = compare_v(results[('free', lab)][0],
                       results[('free', 'reference rk4, 1 us')][0])
        cs = compare_spikes(np.sort(results[('spike', lab)][1]),
                            np.sort(results[('spike',
                                             'reference rk4, 1 us')][1]))
        row = dict(method=lab, **cv, **cs)
        table.append(row)
        print('| %s | %.4g | %.4g | %d (%d) | %.1f %% | %s / %s |' % (
            lab, cv['v_rms_mV'], cv['v_max_mV'], cs['spikes'],
            cs['ref_spikes'], 100 * cs['matched'],
            '%.4f' % cs['dt_mean_ms'] if cs['dt_mean_ms'] is not None
            else '-', '%.4f' % cs['dt_max_ms'] if cs['dt_max_ms'] is not None
            else '-'))
    with open(os.path.join(work, 'b2_accuracy.json'), 'w') as f:
        json.dump(table, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
