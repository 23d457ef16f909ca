/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the SONATA spike file writer (spikes.h5, through
 * libhdf5; built only when configure found HDF5: EVS_HAVE_HDF5).
 *
 * The file follows the SONATA spike report layout: root attributes magic
 * (uint32 0x0A7A) and version (uint32 [0, 1]); a group /spikes/<population>
 * per recorded population with the attribute sorting (an HDF5 enum of
 * int8: none 0, by_id 1, by_time 2; here by_time) and two datasets of one
 * row per spike, timestamps (float64, attribute units = "ms") and node_ids
 * (uint64, the population-local neuron index). The datasets are chunked and
 * extensible: spikes are buffered per population and appended a chunk at a
 * time, so memory stays bounded whatever the run's length. */
#ifndef EVSNN_SONATA_H
#define EVSNN_SONATA_H

#include <stddef.h>
#include <stdint.h>

#include "io/output.h"

typedef struct evs_sonata evs_sonata;

/* Creates spikes.h5 in the output o as an external output file
 * (evs__output_external_open: written as spikes.h5.part, renamed when the
 * output closes, deleted when it is discarded). The output owns the writer
 * from then on: its close flushes and frees it, so *w is valid only until
 * the output closes or is discarded. Returns EVS_OK or an error (EVS_EIO
 * naming the file, EVS_ENOMEM). */
int evs__sonata_open(evs_output *o, evs_sonata **w, evs_error *err);

/* Adds the group /spikes/<pop> for a population of size neurons. Returns
 * its index >= 0 for evs__sonata_write, or a negative status. */
int evs__sonata_add(evs_sonata *w, const char *pop, uint32_t size,
                    evs_error *err);

/* Appends spikes spk[0..n) (times in s, in time order across calls) to
 * population index's datasets. A write failure is kept and reported when
 * the output closes (EVS_EIO naming spikes.h5). */
void evs__sonata_write(evs_sonata *w, int index, const evs_spike *spk,
                       size_t n);

#endif
