# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""PyNN's current sources as evsnn current sources (evsnn/current.h).

A source keeps its parameters (evsnn's SI values) and the neurons it was
injected into (`source.inject_into(cells)`, `population.inject(source)`);
when the net is made, it describes one input for each population it
reaches (description.py: an evs_input_desc with the ids of its neurons). Several sources on one
neuron add up. Exact cells (IF_curr_exp, IF_curr_alpha) take every change
of a DC, step or noisy source at its exact time (a StepCurrentSource's
times are not rounded to the resolution); they cannot integrate a sinusoid,
so an ACSource injected into them is refused at once. Clocked cells take a
change from the first step that starts at or after it and sample an
ACSource at the start of every step. A NoisyCurrentSource draws from
evsnn's own random stream, keyed by the network's seed (its rng's seed,
when it has one, becomes that seed as for other rngs). `source.record()`
before the run samples, every time step, the current the source injects
into the first neuron it reaches (evs_net_current_value: the value in the
instant before each sample time, a change at that time showing from the
next sample); `source.get_data()` gives it as a Neo signal in nA. Its
parameters cannot change once the net exists."""

import numpy as np
from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import build_translations, electrodes

from . import simulator
from ._capi import ffi
from .description import script_site

MS, NA = 1e-3, 1e-9


class CurrentSource(object):
    """What the evsnn current sources share: parameters, targets, and the
    evs_current_spec they become (evs_kind: EVS_CURRENT_*)."""

    evs_kind = None

    def __init__(self, **parameters):
        state = simulator.state
        state.check_mutable("creating a current source")
        rng = parameters.pop("rng", None)
        if rng is not None:
            state.use_rng(rng, type(self).__name__)
        object.__setattr__(self, "_native", {})
        # (population, local ids, the script's line that injected)
        object.__setattr__(self, "_targets", [])
        object.__setattr__(self, "_evs", [])  # evsnn source per target
        object.__setattr__(self, "_recording", False)
        object.__setattr__(self, "_samples", [])  # A, every time step
        ps = ParameterSpace(self.default_parameters, self.get_schema(),
                            shape=(1,))
        ps.update(**parameters)
        self.set_native_parameters(self.translate(ps))
        state.current_sources.append(self)

    def set_native_parameters(self, parameters):
        simulator.state.check_mutable("changing a current source")
        parameters.evaluate(simplify=True)
        for name, value in parameters.items():
            if isinstance(value, Sequence):
                value = Sequence(np.asarray(value.value, dtype=float))
            elif isinstance(value, np.ndarray) and value.size == 1:
                value = float(value.flat[0])
            self._native[name] = value

    def get_native_parameters(self):
        return ParameterSpace(dict(self._native), shape=(1,))

    def get_parameters(self):
        """The parameters in PyNN's names and units, as values."""
        ps = self.reverse_translate(self.get_native_parameters())
        ps.evaluate(simplify=True)
        return dict(ps.items())

    def inject_into(self, cells):
        """Injects the current into cells: a Population, PopulationView,
        Assembly or a list of IDs."""
        simulator.state.check_mutable("injecting a current")
        by_pop = {}
        for cell in cells:
            pop = cell.parent
            if not pop.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
            self._check_cell(pop.celltype)
            by_pop.setdefault(pop, []).append(pop.id_to_index(cell))
        site = script_site()
        for pop, ids in by_pop.items():
            self._targets.append((pop, np.asarray(ids, dtype=np.uint32),
                                  site))

    def _check_cell(self, celltype):
        """Raises when the source cannot drive celltype."""

    def record(self):
        """Samples the injected current every time step from t = 0 (on the
        first neuron the source reaches): before the first run."""
        if simulator.state.started:
            raise NotImplementedError(
                "pynn_evsnn: recording a current source after the run "
                "started: evsnn samples what was chosen before the first run")
        object.__setattr__(self, "_recording", True)

    def _get_data(self):
        """The recorded current: times (ms) and values (nA)."""
        amps = np.asarray(self._samples, dtype=float) * 1e9
        return np.arange(len(amps)) * simulator.state.dt, amps

    def _spec(self):
        """The evs_current_spec and the arrays it points to (kept alive)."""
        p = self._native
        spec = ffi.new("evs_current_spec *")
        spec.kind = self.evs_kind
        keep = []
        for name in ("start", "stop", "amplitude", "offset", "frequency",
                     "phase", "mean", "stdev", "dt"):
            if name in p:
                setattr(spec, name, float(p[name]))
        if "times" in p:
            t = np.ascontiguousarray(p["times"].value, dtype=float)
            a = np.ascontiguousarray(p["amplitudes"].value, dtype=float)
            if t.shape != a.shape:
                raise ValueError("StepCurrentSource: times and amplitudes "
                                 "differ in length")
            keep += [t, a]
            spec.times = ffi.from_buffer("double[]", t)
            spec.amplitudes = ffi.from_buffer("double[]", a)
            spec.n_steps = len(t)
        return spec, keep

    def _describe(self, desc):
        """Describes the source into desc, once for each population it
        reaches (at the line that injected it), and keeps the evsnn
        current sources' indices."""
        self._evs.clear()
        for pop, ids, site in self._targets:
            spec, keep = self._spec()
            k, e = desc.current(self, "%s into %s" % (type(self).__name__,
                                                      pop.label),
                                site, pop.evs_name, spec, ids, keep)
            for pynn, t in self.translations.items():
                e.key(t["translated_name"], pynn)
            self._evs.append(k)


class DCSource(CurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__
    evs_kind = 0  # EVS_CURRENT_DC
    translations = build_translations(("amplitude", "amplitude", NA),
                                      ("start", "start", MS),
                                      ("stop", "stop", MS))


class StepCurrentSource(CurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__
    evs_kind = 1  # EVS_CURRENT_STEP
    translations = build_translations(("amplitudes", "amplitudes", NA),
                                      ("times", "times", MS))


class ACSource(CurrentSource, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__
    evs_kind = 2  # EVS_CURRENT_AC
    translations = build_translations(("amplitude", "amplitude", NA),
                                      ("start", "start", MS),
                                      ("stop", "stop", MS),
                                      ("frequency", "frequency"),
                                      ("offset", "offset", NA),
                                      ("phase", "phase"))

    def _check_cell(self, celltype):
        if getattr(celltype, "evs_exact", False):
            raise NotImplementedError(
                "pynn_evsnn: ACSource into %s: evsnn's exact, event-driven "
                "cells take currents that change in steps, not a sinusoid; "
                "use a clocked cell (IF_cond_exp, EIF_cond_exp_isfa_ista, "
                "Izhikevich) or a StepCurrentSource that samples the sine"
                % celltype.evs_type)


class NoisyCurrentSource(CurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__
    evs_kind = 3  # EVS_CURRENT_NOISY
    translations = build_translations(("mean", "mean", NA),
                                      ("stdev", "stdev", NA),
                                      ("start", "start", MS),
                                      ("stop", "stop", MS),
                                      ("dt", "dt", MS))
