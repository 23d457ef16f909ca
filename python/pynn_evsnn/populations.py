# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Population, PopulationView and Assembly over evsnn populations.

A Population keeps its parameters as PyNN lazy arrays in evsnn's names and
SI units (the cell type's translations) and its initial values in PyNN
units, and the script's lines that created and set them, until the net is
made (simulator.State.realize): then it describes one evsnn population
(description.py: an evs_pop_desc; each parameter a number or distribution,
one value per neuron, or a spike file for a SpikeSourceArray). Spikes and
sampled variables reach it from the state's plug-in while the net runs."""

import re

import numpy as np
from pyNN import common
from pyNN.parameters import LazyArray, ParameterSpace, Sequence, simplify
from pyNN.random import RandomDistribution
from pyNN.standardmodels import StandardCellType

from . import simulator
from ._capi import check, ffi, lib, new_error, per_neuron_params
from .description import script_site
from .recording import Recorder
from .values import is_zero, si_text, to_dist


class Assembly(common.Assembly):
    _simulator = simulator

    @property
    def receptor_types(self):
        """The receptor types all its populations have, in the first one's
        order (PyNN's own gives a set's order, in which a projection's
        guess of its receptor type may take "inhibitory" for the first)."""
        first = self.populations[0].celltype.receptor_types
        return [r for r in first if all(r in p.celltype.receptor_types
                                        for p in self.populations[1:])]


class PopulationView(common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _covers_parent(self):
        return len(np.arange(self.parent.size)[self.mask]) == self.parent.size

    def _get_parameters(self, *names):
        """A ParameterSpace of the view's native parameters."""
        values = {}
        for name in names:
            value = self.parent._parameters[name]
            values[name] = simplify(value[self.mask]) \
                if not value.is_homogeneous else value
        return ParameterSpace(values, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        if self._covers_parent():
            self.parent._set_parameters(parameter_space)
            return
        # the view's neurons get their values in the parent's arrays
        # (parameters evsnn keeps one value of for a population are
        # refused when the net is made)
        if "spike_times" in parameter_space.keys():
            raise NotImplementedError(
                "pynn_evsnn: spike_times of part of a SpikeSourceArray")
        parameter_space.evaluate(simplify=False)
        values = {}
        for name, value in parameter_space.items():
            full = np.array(self.parent._parameters[name].evaluate(
                simplify=False), dtype=float).reshape(self.parent.size)
            full[np.arange(self.parent.size)[self.mask]] = value
            values[name] = full
        self.parent._set_parameters(ParameterSpace(
            values, shape=(self.parent.size,)))

    def _set_initial_value_array(self, variable, initial_values):
        if self._covers_parent():
            self.parent._set_initial_value_array(variable, initial_values)
            return
        # the view's neurons get their values in an array of the parent's
        # (whose other neurons keep theirs: a distribution is drawn here,
        # in Python, from its rng)
        root = self.parent
        if variable not in root.celltype.evs_initial:
            raise NotImplementedError(
                "pynn_evsnn: %s has no initial value of %s in evsnn"
                % (root.celltype.evs_type, variable))
        old = root._initial.get(
            variable, root.celltype.default_initial_values.get(variable, 0.0))
        full = np.array(LazyArray(old, shape=(root.size,)).evaluate(
            simplify=False), dtype=float).reshape(root.size)
        mine = LazyArray(initial_values, shape=(self.size,))
        full[np.arange(root.size)[self.mask]] = mine.evaluate(simplify=False)
        full = LazyArray(full, shape=(root.size,))
        root._set_initial_value_array(variable, full)
        root.initial_values[variable] = full

    @property
    def initial_values(self):
        """The view's part of its population's initial values (PyNN's
        initialize stores here what _set_initial_value_array took)."""
        return _ViewInitialValues(self)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class _ViewInitialValues(dict):
    """A view's initial values: its neurons' part of its population's
    (read); storing is a no-op, the population's arrays hold them."""

    def __init__(self, view):
        dict.__init__(self)
        self._view = view

    def __getitem__(self, variable):
        view = self._view
        root = view.grandparent
        full = LazyArray(root.initial_values[variable], shape=(root.size,))
        return LazyArray(np.asarray(full.evaluate(simplify=False)).reshape(
            root.size)[view.index_in_grandparent(np.arange(view.size))],
            shape=(view.size,))

    def __setitem__(self, variable, value):
        pass


def _uniform(value):
    """1 when a parameter's lazy array is one number for every neuron."""
    if isinstance(getattr(value, "base_value", None), RandomDistribution):
        return False
    v = np.asarray(value.evaluate(simplify=True), dtype=float)
    return v.size <= 1 or bool(np.all(v == v.flat[0]))


def evs_population_name(index, label):
    """An evsnn population name (1-63 of [A-Za-z0-9_], unique): p<index>
    and the label's letters."""
    tail = re.sub(r"[^A-Za-z0-9_]", "_", label or "")
    return ("p%d_%s" % (index, tail))[:63].rstrip("_")


class Population(common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self):
        state = simulator.state
        state.check_mutable("creating a population")
        if not isinstance(self.celltype, StandardCellType) or \
                not hasattr(self.celltype, "evs_type"):
            raise NotImplementedError(
                "pynn_evsnn: %s is not a pynn_evsnn cell type"
                % type(self.celltype).__name__)
        ids = np.arange(state.id_counter, state.id_counter + self.size)
        self.all_cells = np.array([simulator.ID(i) for i in ids],
                                  dtype=simulator.ID)
        self._mask_local = np.ones((self.size,), bool)
        for id in self.all_cells:
            id.parent = self
        state.id_counter += self.size
        ps = self.celltype.native_parameters
        ps.shape = (self.size,)
        self._parameters = dict(ps.items())
        self._initial = {}
        self._site = script_site()  # where the script made it
        self._sites = {}  # evsnn parameter -> where the script last set it
        self._index = len(state.populations)
        state.populations.append(self)
        self._spike_chunks = []
        self._rec_ids = {}        # variable -> neurons sampled (local ids)
        self._rec_interval_s = None
        self._rec_samples = {}    # variable -> rows of samples (SI)
        self._rec_next = 0
        self._rec_first = {}      # variable -> index of its first sample
        self._rec_pending = False  # a sample event is in the run's queue
        self._spike_from = {}     # local index -> ms its spikes count from

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _get_parameters(self, *names):
        return ParameterSpace({n: self._parameters[n] for n in names},
                              shape=(self.size,))

    def _set_parameters(self, parameter_space):
        if self._simulator.state.net is not None:
            self._change_parameters(parameter_space)
            return
        site = script_site()
        for name, value in parameter_space.items():
            self._parameters[name] = value
            self._sites[name] = site

    def _change_parameters(self, parameter_space):
        """set() once the net is built (between runs: a phase's change):
        each parameter changes on the net from the time the last run
        reached (evs_net_set_param, or evs_net_set_param_values when the
        neurons' values differ; a RandomDistribution is drawn here, in
        Python, from its rng); what the evsnn type cannot change raises
        EvsnnError with the library's reason, and changes nothing of that
        parameter (those before it in the call are changed)."""
        state = self._simulator.state
        parameter_space.shape = (self.size,)
        for name, value in parameter_space.items():
            what = "%s: %s" % (self._what(), name)
            if name == "spike_times":
                raise NotImplementedError(
                    "pynn_evsnn: %s after the network was built (a spike "
                    "file is read once)" % what)
            values = np.asarray(LazyArray(value, shape=(self.size,)).evaluate(
                simplify=False), dtype=float).reshape(self.size)
            err = new_error()
            if np.all(values == values[0]):
                dist = ffi.new("evs_dist *", {"kind": lib.EVS_DIST_CONST,
                                              "p": [float(values[0])]})
                rc = lib.evs_net_set_param(state.net, self._index,
                                           name.encode(), dist, err)
            else:
                rc = lib.evs_net_set_param_values(
                    state.net, self._index, name.encode(),
                    ffi.new("double[]", values.tolist()), self.size, err)
            check(rc, err, what)
            self._parameters[name] = LazyArray(
                values if np.any(values != values[0]) else float(values[0]),
                shape=(self.size,))

    def _set_initial_value_array(self, variable, initial_values):
        self._simulator.state.check_mutable("initialising state variables")
        if variable not in self.celltype.evs_initial:
            raise NotImplementedError(
                "pynn_evsnn: %s has no initial value of %s in evsnn"
                % (self.celltype.evs_type, variable))
        self._initial[variable] = initial_values
        target = self.celltype.evs_initial[variable]
        if target is not None:
            self._sites[target[0]] = script_site()

    # ---- the evsnn population -----------------------------------------------

    @property
    def evs_name(self):
        """The evsnn population's name."""
        return evs_population_name(self._index, self.label)

    def _what(self):
        """How messages name it: Population "label" (evsnn type)."""
        return 'Population "%s" (%s)' % (self.label or self.evs_name,
                                         self.celltype.evs_type)

    def _describe(self, desc):
        """Adds this population to desc (a description.Description) with
        its parameters and initial values, in evsnn's names and SI units;
        a parameter that differs between neurons (an array, or a
        distribution evaluated here from its rng when evsnn keeps the
        parameter per population) is given one value per neuron, drawn
        once: get() and a reset's new net see the same values."""
        ct = self.celltype
        what = self._what()
        e = desc.population(self, what, self._site, self.evs_name,
                            ct.evs_type, self.size)
        for pynn, t in ct.translations.items():
            e.key(t["translated_name"], pynn)
        for var, target in ct.evs_initial.items():
            if target is not None:
                e.key(target[0], "initial value of %s" % var)
        e.key("file", "spike_times")
        for name, site in self._sites.items():
            e.key(name, site=site)
        per_neuron = per_neuron_params(ct.evs_type)
        for pname, value in list(self._parameters.items()):
            if pname == "spike_times":
                desc.param(e, "file", path=self._write_spike_times(value,
                                                                   what))
                continue
            if not _uniform(value):
                values = np.asarray(value.evaluate(), dtype=float).reshape(
                    self.size)
                self._parameters[pname] = LazyArray(values,
                                                    shape=(self.size,))
                if pname in per_neuron:
                    desc.param(e, pname, values=values * 1.0)
                    continue
                why = " (its exact solution shares the decay factors " \
                    "between a population's neurons)" \
                    if getattr(ct, "evs_exact", False) else ""
                raise NotImplementedError(
                    "pynn_evsnn: %s: %s is one value for the whole "
                    "population in evsnn's %s%s: make one Population "
                    "per value (it takes per-neuron values of %s)"
                    % (what, pname, ct.evs_type, why,
                       ", ".join(sorted(per_neuron))))
            desc.param(e, pname, dist=to_dist(value, 1.0, "%s: %s"
                                              % (what, pname), (self.size,)))
        for var, value in self._initial.items():
            target = ct.evs_initial[var]
            if target is None:
                if not is_zero(value):
                    raise NotImplementedError(
                        "pynn_evsnn: %s: evsnn starts %s at 0 and takes no "
                        "other initial value" % (what, var))
                continue
            la = LazyArray(value, shape=(self.size,))
            if not isinstance(la.base_value, RandomDistribution) and \
                    not _uniform(la):
                desc.param(e, target[0], values=np.asarray(
                    la.evaluate(simplify=False), dtype=float).reshape(
                        self.size) * target[1])
                continue
            desc.param(e, target[0], dist=to_dist(
                value, target[1], "%s: initial %s" % (what, var),
                (self.size,)))

    def _use_rngs(self):
        """Hands the rngs of random parameters and initial values to the
        state, which takes the network's seed from them."""
        for name, value in list(self._parameters.items()) + \
                list(self._initial.items()):
            base = getattr(value, "base_value", None)
            if isinstance(base, RandomDistribution):
                self._simulator.state.use_rng(
                    base.rng, "%s: %s" % (self.label, name))

    def _write_spike_times(self, value, what):
        """Writes spike_times (ms; one Sequence, or one per neuron) as the
        SpikeSourceArray's spike file; returns its path."""
        v = value.evaluate(simplify=True)
        per = [v] * self.size if isinstance(v, Sequence) else list(v)
        rows = []
        for i, seq in enumerate(per):
            t = np.asarray(seq.value if isinstance(seq, Sequence) else seq,
                           dtype=float)
            if np.any(t < 0):
                raise ValueError("%s: negative spike time" % what)
            # ms as the model reader reads a quantity: 416 ms is 0.416 s
            rows.extend("%s %d\n" % (si_text(x, -3), i) for x in t)
        path = self._simulator.state.file_path("%s.ras" % self._index)
        with open(path, "w") as f:
            f.write("# spike_times of %s (s, id)\n" % what)
            f.writelines(rows)
        return path

    # ---- recording (the state's plug-in fills these) ------------------------

    def _records_spikes(self):
        return bool(self.recorder.recorded.get("spikes"))

    def _spikes(self):
        """All spikes kept so far: (local ids, times in ms)."""
        if not self._spike_chunks:
            return np.zeros(0, np.uint32), np.zeros(0)
        if len(self._spike_chunks) > 1:
            self._spike_chunks = [np.concatenate(self._spike_chunks)]
        s = self._spike_chunks[0]
        return s["id"], s["t"] * 1e3

    def _reset_recording(self):
        self._spike_chunks = []
        self._rec_samples = {}
        self._rec_next = 0
