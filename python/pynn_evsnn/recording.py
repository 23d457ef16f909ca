# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""The recorder of a population (pyNN.recording.Recorder): spikes and
sampled variables as the state's plug-in collected them during the run,
handed to PyNN, which makes the Neo blocks (get_data, write_data).

Spikes are kept for a population while it records any spikes and filtered
by neuron when read. The other variables (the cell's `evs_record`: v, and
isyn_exc/isyn_inh, gsyn_exc/gsyn_inh, w or u as the cell has them) are
sampled every sampling interval (evs_plugin_sample, evsnn's SI values given
in PyNN's units) at the multiples of the interval from t = 0, one sample
event for all of a population's variables (simulator.State._on_clock).

What record() asks for before the first run is recorded from t = 0
(simulator.State._on_start). Asked for between runs, it is recorded from
the current time on, as PyNN's backends do: a neuron's spikes from then
(every spike before it reached the plug-in at the last run's end), a
variable from its first sample at or after then, at the times a recording
from t = 0 samples at, its Neo signal starting there (t_start)."""

import numpy as np
import quantities as pq
from pyNN import recording

from . import simulator


class Recorder(recording.Recorder):
    _simulator = simulator

    def _record(self, variable, new_ids, sampling_interval=None):
        pop = self.population
        state = self._simulator.state
        if variable == "spikes":
            if state.started:  # counted from now on
                for i in new_ids:
                    pop._spike_from[pop.id_to_index(i)] = state.t
            return
        interval = sampling_interval or self.sampling_interval
        ids = np.array([pop.id_to_index(i)
                        for i in sorted(self.recorded[variable])],
                       dtype=np.uint32)
        if not state.started:
            self.sampling_interval = interval
            pop._rec_ids[variable] = ids
            pop._rec_interval_s = interval * 1e-3
            return
        self._record_late(variable, ids, interval)

    def _record_late(self, variable, ids, interval):
        """record(variable) of neurons ids (local) between runs."""
        pop = self.population
        if pop._rec_samples.get(variable):  # sampled already
            if not np.array_equal(ids, pop._rec_ids[variable]):
                raise NotImplementedError(
                    "pynn_evsnn: %s of more neurons of %s after its "
                    "recording started: a Neo signal holds the same times "
                    "for all its neurons; record them all from the start, "
                    "or call record(None) first" % (variable, pop.label))
            return
        if pop._rec_pending and interval * 1e-3 != pop._rec_interval_s:
            raise NotImplementedError(
                "pynn_evsnn: %s of %s sampled every %g ms while its other "
                "variables are every %g ms: one interval per population"
                % (variable, pop.label, interval, pop._rec_interval_s * 1e3))
        self.sampling_interval = interval
        pop._rec_ids[variable] = ids
        if pop._rec_pending:  # the next sample takes it too
            pop._rec_first[variable] = pop._rec_next
            return
        pop._rec_interval_s = interval * 1e-3
        pop._rec_first[variable] = self._simulator.state.sample_from(pop)

    def _get_current_segment(self, filter_ids=None, variables='all',
                             clear=False):
        """PyNN's segment, with each signal starting at its first sample
        and each spike train where its neuron's recording started."""
        seg = super()._get_current_segment(filter_ids, variables, clear)
        pop = self.population
        for sig in seg.analogsignals:
            if sig.name in pop._rec_first:
                sig.t_start = (pop._rec_first[sig.name] *
                               self.sampling_interval * pq.ms)
        for st in seg.spiketrains:
            start = pop._spike_from.get(st.annotations.get("source_index"))
            if start and start * pq.ms > st.t_start:
                st.t_start = start * pq.ms
        return seg

    def _get_spiketimes(self, ids, clear=False):
        """{id: spike times (ms)} of the neurons ids, each from the time
        its recording started."""
        pop = self.population
        local, times = pop._spikes()
        order = np.argsort(local, kind="stable")
        local, times = local[order], times[order]
        bounds = np.searchsorted(local, np.arange(pop.size + 1))
        out = {}
        for i in ids:
            k = pop.id_to_index(i)
            t = times[bounds[k]:bounds[k + 1]]
            start = pop._spike_from.get(k)
            out[int(i)] = t[t >= start] if start else t
        return out

    def _get_all_signals(self, variable, ids, clear=False):
        pop = self.population
        rows = pop._rec_samples.get(variable)
        if not ids or variable not in pop._rec_ids or not rows:
            return np.zeros((0, len(ids))), None
        factor = pop.celltype.evs_record[variable][1]
        samples = np.vstack(rows) * factor
        column = {int(i): c for c, i in enumerate(pop._rec_ids[variable])}
        cols = [column[pop.id_to_index(i)] for i in ids]
        return samples[:, cols], None

    def _local_count(self, variable, filter_ids=None):
        ids = sorted(self.filter_recorded(variable, filter_ids))
        times = self._get_spiketimes(ids)
        return {int(i): len(times[int(i)]) for i in ids}

    def _clear_simulator(self):
        pop = self.population
        pop._spike_chunks = []
        pop._rec_samples = {}
        # the signals go on from the next sample
        pop._rec_first = {var: pop._rec_next for var in pop._rec_first}

    def _reset(self):
        pop = self.population
        pop._rec_ids = {}
        pop._rec_samples = {}
