/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: writing evsnn's binary spike files (the layout is in
 * include/evsnn/spikes.h; spike_file.c also has the public reader). */
#ifndef EVSNN_SPIKE_FILE_H
#define EVSNN_SPIKE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "evsnn/plugin.h"

#define EVS_SPIKE_FILE_HEADER 352u /* bytes of the header */
#define EVS_SPIKE_FILE_RECORD 12u  /* bytes of a record */

/* Fills h with the header of a population named pop (truncated to 64
 * bytes) of size neurons in model model (truncated to 256 bytes), in this
 * machine's byte order. */
void evs__spike_file_header(unsigned char h[EVS_SPIKE_FILE_HEADER],
                            const char *model, const char *pop, uint32_t size);

/* Packs spikes spk[0..n) as records into out (n * EVS_SPIKE_FILE_RECORD
 * bytes), in this machine's byte order. */
void evs__spike_file_records(unsigned char *out, const evs_spike *spk,
                             size_t n);

#endif
