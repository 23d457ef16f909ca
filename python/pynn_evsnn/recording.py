# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""The recorder of a population (pyNN.recording.Recorder): spikes and
sampled variables as the state's plug-in collected them during the run,
handed to PyNN, which makes the Neo blocks (get_data, write_data).

Spikes are kept for a population while it records any spikes and filtered
by neuron when read. The other variables (the cell's `evs_record`: v, and
isyn_exc/isyn_inh, gsyn_exc/gsyn_inh, w or u as the cell has them) are
sampled every sampling interval from t = 0 (evs_plugin_sample, evsnn's SI
values given in PyNN's units) for the neurons recording them when the run
started (simulator.State._on_start)."""

import numpy as np
from pyNN import recording

from . import simulator


class Recorder(recording.Recorder):
    _simulator = simulator

    def _record(self, variable, new_ids, sampling_interval=None):
        pop = self.population
        if variable == "spikes":
            return
        state = self._simulator.state
        if state.started:
            raise NotImplementedError(
                "pynn_evsnn: record(%r) after the run started: evsnn samples "
                "variables chosen before the first run" % variable)
        interval = sampling_interval or self.sampling_interval
        self.sampling_interval = interval
        ids = sorted(self.recorded[variable])
        pop._rec_ids[variable] = np.array([pop.id_to_index(i) for i in ids],
                                          dtype=np.uint32)
        pop._rec_interval_s = interval * 1e-3

    def _get_spiketimes(self, ids, clear=False):
        """{id: spike times (ms)} of the neurons ids."""
        pop = self.population
        local, times = pop._spikes()
        order = np.argsort(local, kind="stable")
        local, times = local[order], times[order]
        bounds = np.searchsorted(local, np.arange(pop.size + 1))
        out = {}
        for i in ids:
            k = pop.id_to_index(i)
            out[int(i)] = times[bounds[k]:bounds[k + 1]]
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
        pop = self.population
        ids = sorted(self.filter_recorded(variable, filter_ids))
        local, _ = pop._spikes()
        counts = np.bincount(local.astype(np.int64), minlength=pop.size)
        return {int(i): int(counts[pop.id_to_index(i)]) for i in ids}

    def _clear_simulator(self):
        self.population._spike_chunks = []
        self.population._rec_samples = {}

    def _reset(self):
        pop = self.population
        pop._rec_ids = {}
        pop._rec_samples = {}
