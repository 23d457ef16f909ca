/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — sparse synapses, private: what csr.c, the random builders in
 * csr_random.c and the edge-list file builder in csr_file.c share. Not
 * installed. */
#ifndef EVSNN_CSR_IMPL_H
#define EVSNN_CSR_IMPL_H

#include <stdint.h>

#include "evsnn/csr.h"

#define EVS__CSR_NO_DELAY UINT32_MAX /* file builder: delay still to be drawn  \
                                      */

/* A projection under construction. */
typedef struct evs__csr_builder {
  evs_csr *c;
  uint32_t *dl; /* [cap] delay in steps, freed at the end */
  uint64_t cap; /* allocated synapses in target/weight/dl */
  const evs_conn_spec *spec;
  evs_error *err;
} evs__csr_builder;

/* Sets err to "out of memory building synapses"; returns EVS_ENOMEM. */
int evs__csr_fail_nomem(evs_error *err);

/* Resizes the synapse arrays to cap entries (cap >= nnz). EVS_OK or
 * EVS_ENOMEM (message in b->err). */
int evs__csr_resize(evs__csr_builder *b, uint64_t cap);

/* Converts a delay d (s) to steps of spec->delay_step into *steps; EVS_OK,
 * or EVS_EINVAL for negative, NaN and huge delays (message in b->err). */
int evs__csr_delay_steps(evs__csr_builder *b, double d, uint32_t *steps);

/* Makes room for extra more synapses, growing by half at least. */
int evs__csr_reserve(evs__csr_builder *b, uint64_t extra);

/* The random builders (csr_random.c): they fill b's rows in generation
 * order and draw weights and delays; EVS_OK or an error in b->err.
 * build_rows: all-to-all, one-to-one, fixed probability, fixed out-degree;
 * build_indegree: fixed in-degree; build_total: fixed total number. */
int evs__csr_build_rows(evs__csr_builder *b);
int evs__csr_build_indegree(evs__csr_builder *b);
int evs__csr_build_total(evs__csr_builder *b);

/* Turns per-row counts in row_ptr[1..n_pre] into offsets, sets nnz to 0 and
 * allocates the synapse arrays for row_ptr[n_pre] synapses. Returns EVS_OK
 * or EVS_ENOMEM (message in b->err). */
int evs__csr_counts_to_rows(evs__csr_builder *b);

/* Draws weights and delays for positions [from, to) from the streams of
 * index k; the file builder keeps the values already given (a NaN weight
 * or an EVS__CSR_NO_DELAY delay is drawn). Returns EVS_OK or EVS_EINVAL for
 * a negative or too large delay (message in b->err). */
int evs__csr_draw_values(evs__csr_builder *b, uint32_t k, uint64_t from,
                         uint64_t to);

/* EVS_CONN_FILE: reads b->spec->path ("pre post [weight [delay]]" a line,
 * '#' comments) twice, counting then placing, into b's rows in file order;
 * missing weights and delays are drawn with evs__csr_draw_values. Returns
 * EVS_OK, EVS_EINVAL (no path, malformed line, index out of range,
 * forbidden autapse, bad delay: "path:line" messages in b->err), EVS_EIO
 * (cannot open, read error, file changed between the passes) or
 * EVS_ENOMEM. (csr_file.c) */
int evs__csr_build_file(evs__csr_builder *b);

#endif
