# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""The simulator's state for PyNN (`pyNN.common.control.BaseState`): the
populations, projections, current sources and learner declared so far,
and the evsnn net they turn into.

A PyNN script declares its network first; pynn_evsnn keeps the PyNN
objects and makes the net at the first call that needs it (`run`,
`run_until`, a projection's size, weights or delays): the objects describe
themselves, in creation order, into evsnn's description of a model
(description.py: an evs_model_desc with the network's one seed), which
evs_model_build turns into a built net in one call; then a plug-in that
hands spikes and sampled variables to the recorders is added to it. From
then on the net API does the rest: the first `run` starts the net's run
(evs_net_start); every `run` then runs one phase (evs_net_run_until), so
repeated runs continue the same network, and what changes between phases
(weights, parameters, rates, currents) goes to the built net
(evs_net_set_weights, ...); `end` finishes it (evs_net_finish); `reset`
frees it and makes it anew from the same description and seed (the same
wiring) at the next run."""

import shutil
import tempfile

import numpy as np
from pyNN import common

from ._capi import EV_RECORD, check, ffi, lib, new_error
from .description import Description

name = "evsnn"

# The longest a run may last, s: evs_net_start needs a bound, and `end` or
# `reset` finishes the run at the last phase's end.
RUN_BOUND = 1e6

SPIKE_DTYPE = np.dtype([("t", "<f8"), ("id", "<u4")], align=True)

# The plug-in's record events: a population's index, or this bit and a
# recorded current source's index in State.current_sources
SOURCE_EVENT = 1 << 31


class ID(int, common.IDMixin):
    """A neuron's global PyNN id."""

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    """The simulator: time (ms), the description, the net and its run."""

    def __init__(self):
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.dt = 0.1
        self.min_delay = 0.1
        self.max_delay = 10.0
        self.threads = 1          # setup(threads=...): evs_run_opts.threads
        self.force = False        # setup(force=...): evs_model_opts.force
        self.seed = None          # setup(rng_seed=...) or the rngs' seed
        self.seed_source = None   # what chose it, for messages
        self.model = None         # the built description (evs_model *)
        self.net = None           # its net
        self.started = False
        self.tmpdir = None
        self.populations = []
        self.projections = []
        self.segment_counter = -1
        self.clear()

    # ---- the description ---------------------------------------------------

    def clear(self):
        """Forgets the network (setup, end)."""
        self._free_net()
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        self.tmpdir = None
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.learner = None       # the SuperSpikeLearner, if any
        self.recorders = set()
        self.id_counter = 0
        self.seed = None
        self.seed_source = None
        self.segment_counter = -1
        self.reset()

    def file_path(self, name):
        """A path in this network's temporary folder (spike times, edge
        lists handed to evsnn), removed by end() and setup()."""
        if self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="pynn_evsnn-")
        return "%s/%s" % (self.tmpdir, name)

    def use_rng(self, rng, what):
        """Takes the seed of a PyNN rng given for `what`: evsnn keys every
        random stream (Philox) by one seed per network, so every seeded rng
        of a network must carry the same seed; an rng without a seed draws
        from that seed too."""
        seed = getattr(rng, "seed", None) if rng is not None else None
        if seed is None:
            return
        if self.seed is None:
            self.seed, self.seed_source = int(seed), what
        elif int(seed) != self.seed:
            raise NotImplementedError(
                "pynn_evsnn: %s has an rng with seed %d, but the network's "
                "random streams are keyed by seed %d (from %s): evsnn draws "
                "every random number of a network from one seed"
                % (what, seed, self.seed, self.seed_source))

    def check_mutable(self, what):
        """Raises when the net exists already: evsnn builds a network once."""
        if self.net is not None:
            raise NotImplementedError(
                "pynn_evsnn: %s after the network was built (by the first "
                "run or by reading a projection); evsnn builds a network "
                "once: describe everything first" % what)

    # ---- the net -------------------------------------------------------------

    def realize(self):
        """Describes the network and builds the net from the description
        (once): evs_model_build, then the recorders' plug-in."""
        if self.net is not None:
            return
        for pop in self.populations:  # their rngs' seeds key the net
            pop._use_rngs()
        desc = Description(seed=self.seed if self.seed is not None else 0,
                           resolution=self.dt * 1e-3, threads=self.threads,
                           duration=RUN_BOUND)
        for pop in self.populations:
            pop._describe(desc)
        for source in self.current_sources:
            source._describe(desc)
        for prj in self.projections:
            prj._describe(desc)
        if self.learner is not None:
            self.learner._describe(desc)
        self.model = desc.build(force=self.force)
        self.net = self.model.net
        try:
            self._add_plugin()
            for prj in self.projections:
                prj._after_build(self.net)
        except BaseException:
            self._free_net()
            raise

    def drop_net(self):
        """Forgets a net that has not run yet; the next run or read makes it
        anew from the description (a projection's delays set after the
        build)."""
        assert not self.started
        self._free_net()

    def _free_net(self):
        if getattr(self, "model", None) is not None:
            lib.evs_model_free(self.model)
        self.model = None
        self.net = None
        self.started = False
        self._plugin = None
        self._run = self._plugin_ptr = None

    def run(self, simtime):
        self.run_until(self.t + simtime)

    def run_until(self, tstop):
        self.realize()
        err = new_error()
        if not self.started:
            opts = ffi.new("evs_run_opts *", {"duration": RUN_BOUND,
                                              "threads": self.threads})
            if self.learner is not None:  # the learner's files go there
                self._outdir = ffi.new("char[]",
                                       self.learner.folder().encode())
                opts.outdir = self._outdir
            check(lib.evs_net_start(self.net, opts, err), err, "run")
            self.started = True
        self._callback_error = None
        rc = lib.evs_net_run_until(self.net, tstop * 1e-3, err)
        if self._callback_error is not None:
            raise self._callback_error
        check(rc, err, "run")
        self.t = tstop
        self.running = True

    def finish(self):
        """Ends the run of the net (end())."""
        if self.started:
            err = new_error()
            check(lib.evs_net_finish(self.net, err), err, "end")
            if self.learner is not None:
                self.learner._collect()
        self._free_net()

    def reset(self):
        """Time back to 0, a new segment; the net is made anew, from the
        same description and seed, at the next run: the same wiring, and
        the weights as built and as set() since (the projections replay
        their set() calls), not as learnt. A run with a SuperSpikeLearner
        is ended first (its files written: learning_curve())."""
        if self.started and getattr(self, "learner", None) is not None:
            self.finish()
        self._free_net()
        self.running = False
        self.t = 0.0
        self.t_start = 0.0
        self.segment_counter += 1
        for pop in self.populations:
            pop._reset_recording()
        for source in getattr(self, "current_sources", ()):
            source._samples.clear()

    # ---- the plug-in that feeds the recorders -------------------------------

    def _add_plugin(self):
        """Adds a plug-in (evsnn/plugin.h) whose hooks are Python callbacks:
        start subscribes to every population's spikes and pushes the first
        sample of each population with recorded variables; spikes
        keeps the spikes of populations recording them; clock samples the
        recorded variables (evs_plugin_sample)."""
        def on_error(exc_type, exc_value, tb):
            self._callback_error = exc_value
        t = ffi.new("evs_plugin_type *")
        self._plugin_name = ffi.new("char[]", b"pynn_evsnn")
        t.name = self._plugin_name
        start = ffi.callback("int(evs_plugin *, evs_run *, evs_error *)",
                             self._on_start, error=-2, onerror=on_error)
        spikes = ffi.callback("int(evs_plugin *, evs_run *, uint32_t, "
                              "const evs_spike *, size_t)", self._on_spikes,
                              error=-2, onerror=on_error)
        clock = ffi.callback("int(evs_plugin *, evs_run *, const evs_event *)",
                             self._on_clock, error=-2, onerror=on_error)
        t.start, t.spikes, t.clock = start, spikes, clock
        self._plugin = (t, start, spikes, clock)  # kept alive with the net
        err = new_error()
        check(lib.evs_net_add_plugin(self.net, t, ffi.NULL, err), err,
              "recording")

    def _on_start(self, pl, run, err):
        self._run, self._plugin_ptr = run, pl  # for samples asked for
        # between phases (sample_from)
        for k, pop in enumerate(self.populations):
            rc = lib.evs_run_listen(run, pl, k)
            if rc:
                return rc
            # what is recorded now is recorded from t = 0
            pop._spike_from = {}
            pop._rec_first = {var: 0 for var in pop._rec_ids}
            pop._rec_pending = bool(pop._rec_ids)
            if pop._rec_ids:
                pop._rec_next = 0
                rc = lib.evs_run_push(run, pl, 0.0, EV_RECORD, k, k)
                if rc:
                    return rc
        for q, source in enumerate(self.current_sources):
            if source._recording and source._evs:
                source._samples.clear()
                rc = lib.evs_run_push(run, pl, 0.0, EV_RECORD, 0,
                                      SOURCE_EVENT | q)
                if rc:
                    return rc
        return 0

    def _on_spikes(self, pl, run, k, spk, n):
        pop = self.populations[k]
        if pop._records_spikes():
            buf = ffi.buffer(spk, n * SPIKE_DTYPE.itemsize)
            pop._spike_chunks.append(np.frombuffer(buf, SPIKE_DTYPE).copy())
        return 0

    def _on_clock(self, pl, run, ev):
        if ev.arg & SOURCE_EVENT:
            return self._sample_source(pl, run, ev)
        k = ev.arg
        pop = self.populations[k]
        if not pop._rec_ids:  # record(None) stopped the recording
            pop._rec_pending = False
            return 0
        for var, ids in pop._rec_ids.items():
            out = np.empty(len(ids))
            rc = lib.evs_plugin_sample(
                pl, k, pop.celltype.evs_record[var][0].encode(),
                ffi.from_buffer("uint32_t[]", ids), len(ids), ev.t,
                ffi.from_buffer("double[]", out))
            if rc:
                return rc
            pop._rec_samples.setdefault(var, []).append(out)
        pop._rec_next += 1
        return lib.evs_run_push(run, pl, pop._rec_next * pop._rec_interval_s,
                                EV_RECORD, k, k)

    def sample_from(self, pop):
        """Between phases: starts sampling pop's recorded variables (no
        sample event pending) at the first multiple of its sampling
        interval at or after the current time, the times a recording from
        t = 0 samples at; returns that sample's index."""
        dt = pop._rec_interval_s
        now = self.t * 1e-3  # the last phase's end, as run_until gave it
        k = max(int(np.ceil(now / dt)) - 1, 0)
        while k * dt < now:
            k += 1
        err = new_error()
        rc = lib.evs_run_push(self._run, self._plugin_ptr, k * dt, EV_RECORD,
                              pop._index, pop._index)
        check(rc, err, "record")
        pop._rec_next = k
        pop._rec_pending = True
        return k

    def _sample_source(self, pl, run, ev):
        """A recorded current source's sample (its first neuron's current,
        A), then the next one a time step later."""
        q = ev.arg & ~SOURCE_EVENT
        source = self.current_sources[q]
        out = ffi.new("double *")
        rc = lib.evs_net_current_value(self.net, source._evs[0], 0, out)
        if rc:
            return rc
        source._samples.append(out[0])
        return lib.evs_run_push(run, pl, len(source._samples) * self.dt * 1e-3,
                                EV_RECORD, 0, ev.arg)


state = State()
