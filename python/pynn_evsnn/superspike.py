# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""SuperSpike (Zenke & Ganguli 2018; evsnn/superspike.h) in PyNN terms: a
synapse type, SuperSpikeSynapse, on every projection that learns, and one
learner per network, SuperSpikeLearner, that names the output population,
its target spike trains and how learning proceeds, as the C API has it
(the rule "superspike" on the projections, evs_net_superspike once).

SuperSpike learns PSP amplitudes: a SuperSpikeSynapse's weights, w_min
and w_max are in mV whatever the post cell (a weight w gives the PSP
w (e^(-t/tau_m) - e^(-t/tau_syn)) on an IF_curr_exp), and its post
population must be an exact cell (IF_curr_exp, IF_curr_alpha).

The learner's values are in PyNN's units (times ms, r0, surrogate_width
and u_floor mV) and become SI as the model-file reader reads the same
numbers (values.si): a script and a model file with the same numbers give
the same run, learning.tsv byte for byte. The learner writes its files
(learning.tsv, outputs.tsv, <output>_target.ras, the rasters of
record_trials; evsnn/superspike.h) into its folder as the run ends
(end(), or reset(): a reset ends the run of the segment before the net is
made anew); learning_curve() reads learning.tsv, or between runs the
learner's rows so far (evs_net_superspike_trials)."""

import os

import numpy as np
from pyNN.parameters import Sequence

from . import simulator
from ._capi import check, ffi, lib
from .description import script_site
from .rules import evsnn_synapse_type
from .values import si, si_text

MV = 1e-3

SuperSpikeSynapse = evsnn_synapse_type("superspike", "SuperSpikeSynapse")
SuperSpikeSynapse.__doc__ = (
    "A projection that learns with SuperSpike (evsnn's rule superspike; the "
    "network's SuperSpikeLearner drives it). Parameters: weight, w_min, "
    "w_max in mV (PSP amplitudes, whatever the post cell: an exact cell "
    "such as IF_curr_exp), delay in ms.")
# the projection's weight unit and evsnn dimension (Projection reads it
# before the post cell's): SuperSpike learns PSP amplitudes, in volts
SuperSpikeSynapse.evs_weight = (MV, "EVS_DIM_VOLTAGE")
# evsnn's defaults of w_min and w_max are volts: mV here
SuperSpikeSynapse.default_parameters = dict(
    SuperSpikeSynapse.default_parameters,
    **{name: si(default, 3) for name, factor, default in
       SuperSpikeSynapse.evs_params if factor is None})

# the learner's numbers: name -> the power of ten from PyNN's unit to SI
_TIMES = ("trial", "target_period", "dt", "update", "r0_decay_time",
          "r0_decay_period", "burn_in", "tau_rms", "tau_rise", "tau_decay",
          "psp_rise", "psp_decay", "tau_z", "tolerance")
_EXP10 = dict({n: -3 for n in _TIMES}, r0=-3, u_floor=-3, r0_decay=0,
              eps=0, rho=0)
_CHOICES = {"feedback": ("symmetric", "random", "uniform"),
            "accuracy": ("timing", "class"),
            "gradient": ("windowed", "per_tick")}
_COLUMNS = ("trial", "loss", "spikes", "accuracy", "t_end", "r0")


def _defaults():
    """evsnn's defaults (evs_superspike_defaults) in PyNN's units."""
    spec = ffi.new("evs_superspike_spec *")
    lib.evs_superspike_defaults(spec)
    out = {n: si(getattr(spec, n), -e) for n, e in _EXP10.items()}
    out["surrogate_width"] = si(1.0 / spec.beta, 3)
    out.update(feedback="symmetric", accuracy="timing", gradient="windowed")
    return out


class SuperSpikeLearner(object):
    """The network's SuperSpike learner: output (a Population of exact
    cells, post of a SuperSpikeSynapse projection) learns to fire
    target_spike_times (ms; one Sequence or array for every output neuron,
    or one per neuron), which lie in [0, target_period) and repeat every
    target_period (0, the default: every trial). Its other parameters, in
    PyNN units, and evsnn's defaults: default_parameters (doc/pynn.md);
    record_trials: trials (1-based) whose rasters are written; folder: where
    its files go (None: a temporary folder, removed by end())."""

    default_parameters = _defaults()

    def __init__(self, output, target_spike_times, record_trials=(),
                 folder=None, **parameters):
        state = simulator.state
        state.check_mutable("creating a SuperSpikeLearner")
        if getattr(state, "learner", None) is not None:
            raise NotImplementedError(
                "pynn_evsnn: one SuperSpikeLearner per network (evsnn's "
                "SuperSpike learns all the network's SuperSpikeSynapse "
                "projections at once)")
        if not any(p is output for p in state.populations):
            raise NotImplementedError(
                "pynn_evsnn: SuperSpikeLearner: output must be a Population "
                "(not a view or an assembly)")
        unknown = set(parameters) - set(self.default_parameters)
        if unknown:
            raise TypeError("SuperSpikeLearner: unknown parameters %s"
                            % ", ".join(sorted(unknown)))
        values = dict(self.default_parameters, **parameters)
        for name, allowed in _CHOICES.items():
            if values[name] not in allowed:
                raise ValueError("SuperSpikeLearner: %s must be %s, not %r"
                                 % (name, " or ".join(allowed),
                                    values[name]))
        self.output = output
        self.parameters = values
        self.record_trials = [int(n) for n in record_trials]
        if any(n < 1 for n in self.record_trials):
            raise ValueError("SuperSpikeLearner: record_trials are trial "
                             "numbers, from 1")
        self._targets = self._target_rows(target_spike_times)
        self._folder = folder
        self._curve = None
        self._site = script_site()
        state.learner = self

    def _target_rows(self, times):
        """[(time text in s, neuron)] of the target spike trains."""
        n = self.output.size
        items = [times] if isinstance(times, Sequence) else list(times)
        if isinstance(times, Sequence) or all(np.isscalar(t) for t in items):
            per = [times] * n
        else:
            per = items
            if len(per) != n:
                raise ValueError(
                    "SuperSpikeLearner: %d target spike trains for %d output "
                    "neurons" % (len(per), n))
        rows = []
        for i, seq in enumerate(per):
            t = np.asarray(seq.value if isinstance(seq, Sequence) else seq,
                           dtype=float).reshape(-1)
            if np.any(t < 0) or not np.all(np.isfinite(t)):
                raise ValueError("SuperSpikeLearner: target spike times must "
                                 "be finite and >= 0 (neuron %d)" % i)
            rows.extend((si_text(x, -3), i) for x in t)
        return rows

    def folder(self):
        """The folder the learner's files go to (made when needed)."""
        if self._folder is None:
            path = simulator.state.file_path("superspike")
        else:
            path = os.path.abspath(self._folder)
        os.makedirs(path, exist_ok=True)
        return path

    def _describe(self, desc):
        """Describes the learner into desc (description.py: the
        evs_superspike_desc): the targets as a spike file, the values in
        SI."""
        path = simulator.state.file_path("superspike_target.ras")
        with open(path, "w") as f:
            f.write("# SuperSpikeLearner targets (s, id)\n")
            f.writelines("%s %d\n" % row for row in self._targets)
        v = self.parameters
        spec = ffi.new("evs_superspike_spec *")
        lib.evs_superspike_defaults(spec)
        for name, e in _EXP10.items():
            setattr(spec, name, si(v[name], e))
        spec.beta = 1.0 / si(v["surrogate_width"], -3)
        spec.feedback = _CHOICES["feedback"].index(v["feedback"])
        spec.class_accuracy = v["accuracy"] == "class"
        spec.per_tick = v["gradient"] == "per_tick"
        target = ffi.new("char[]", path.encode())
        spec.target = target
        trials = ffi.new("uint64_t[]", self.record_trials or [0])
        spec.record_trials = trials
        spec.n_record_trials = len(self.record_trials)
        desc.keep(spec, target, trials)
        e = desc.learner(self, "SuperSpikeLearner", self._site, spec,
                         self.output.evs_name)
        for key, name in (("beta", "surrogate_width"),
                          ("target", "target_spike_times"),
                          ("class_accuracy", "accuracy"),
                          ("per_tick", "gradient")):
            e.key(key, name)

    def _collect(self):
        """Reads learning.tsv of the run that just ended."""
        path = os.path.join(self.folder(), "learning.tsv")
        rows = []
        if os.path.exists(path):
            with open(path) as f:
                rows = [line.split("\t") for line in f.read().splitlines()[1:]]
        cols = list(zip(*rows)) if rows else [()] * len(_COLUMNS)
        self._curve = {name: np.asarray(c, dtype=int if name in (
            "trial", "spikes") else float) for name, c in zip(_COLUMNS, cols)}
        self._curve["t_end"] = self._curve["t_end"] * 1e3   # s -> ms
        self._curve["r0"] = self._curve["r0"] * 1e3         # V -> mV

    def learning_curve(self):
        """learning.tsv as NumPy arrays by column: trial (from 1), loss
        (van Rossum distance of the trial, 1/s), spikes (output spikes in
        the trial), accuracy, t_end (ms) and r0 (the learning rate in
        force, mV; 0 in the burn-in). Between runs: the trials that ended
        before the current time (one ending at it comes with the next run
        or end()), the numbers the file will hold (evs_net_superspike_trials
        rounded as the file rounds them); after end() or reset(): the
        ended run's file."""
        state = simulator.state
        if state.started and state.learner is self:
            return self._running_curve()
        if self._curve is None:
            raise RuntimeError("pynn_evsnn: no learning curve before the "
                               "first run")
        return dict(self._curve)

    def _running_curve(self):
        """The rows so far of the run in progress, as _collect reads them
        from learning.tsv (its %.9g and %.6g)."""
        rows = ffi.new("const evs_superspike_trial **")
        n = ffi.new("size_t *")
        check(lib.evs_net_superspike_trials(simulator.state.net, rows, n))
        r = [rows[0][i] for i in range(n[0])]
        curve = {
            "trial": np.array([x.trial for x in r], dtype=int),
            "loss": np.array(["%.9g" % x.loss for x in r], dtype=float),
            "spikes": np.array([x.spikes for x in r], dtype=int),
            "accuracy": np.array(["%.6g" % x.accuracy for x in r],
                                 dtype=float),
            "t_end": np.array(["%.9g" % x.t_end for x in r], dtype=float),
            "r0": np.array(["%.9g" % x.r0 for x in r], dtype=float)}
        curve["t_end"] = curve["t_end"] * 1e3  # s -> ms
        curve["r0"] = curve["r0"] * 1e3        # V -> mV
        return curve
