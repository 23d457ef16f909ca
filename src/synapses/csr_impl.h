/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — sparse synapses, private: what csr.c, the random builders in
 * csr_random.c and the edge-list file builder in csr_file.c share. Not
 * installed. */
#ifndef EVSNN_CSR_IMPL_H
#define EVSNN_CSR_IMPL_H

#include <stdint.h>

#include "evsnn/csr.h"

#define EVS__CSR_NO_DELAY                                                      \
  UINT32_MAX /* file builder: delay still to be drawn                          \
              */

/* A projection under construction. */
typedef struct evs__csr_builder {
  evs_csr *c;
  uint32_t *dl; /* [cap] delay in steps, freed at the end */
  uint64_t cap; /* allocated synapses in target/weight/dl */
  const evs_conn_spec *spec;
  evs_error *err;
  const uint32_t *own; /* [n_own] the targets built, increasing; NULL: all */
  uint32_t n_own;
} evs__csr_builder;

/* Builds the synapses of one projection onto the targets own[0..n_own)
 * only (strictly increasing post indices; own NULL: every target, as
 * evs_csr_build). The result is the whole build's CSR with the synapses
 * onto other targets left out: n_post, the post indices, and every kept
 * synapse's weight and delay are those of the whole build, so the parts of
 * any partition of the targets together hold exactly the whole build's
 * synapses (doc/scaling.md, "Wiring and ranks"). Errors as evs_csr_build,
 * and EVS_EINVAL when own is not increasing or names a target >= n_post. */
int evs__csr_build_part(evs_csr **out, uint32_t n_pre, uint32_t n_post,
                        const evs_conn_spec *spec, const uint32_t *own,
                        uint32_t n_own, evs_error *err);

/* The number of targets b builds. */
static inline uint32_t evs__csr_targets(const evs__csr_builder *b) {
  return b->own ? b->n_own : b->c->n_post;
}

/* The t-th target b builds (0 <= t < evs__csr_targets(b)). */
static inline uint32_t evs__csr_target(const evs__csr_builder *b, uint32_t t) {
  return b->own ? b->own[t] : t;
}

/* Whether b builds target j; if so *t is its rank among b's targets.
 * O(log targets). */
static inline int evs__csr_target_rank(const evs__csr_builder *b, uint32_t j,
                                       uint32_t *t) {
  if (!b->own) {
    *t = j;
    return 1;
  }
  uint32_t lo = 0, hi = b->n_own;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (b->own[mid] < j)
      lo = mid + 1;
    else
      hi = mid;
  }
  *t = lo;
  return lo < b->n_own && b->own[lo] == j;
}

/* Whether b builds target j. */
static inline int evs__csr_owns(const evs__csr_builder *b, uint32_t j) {
  uint32_t t;
  return evs__csr_target_rank(b, j, &t);
}

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

/* The random builders (csr_random.c): they fill b's rows with the synapses
 * onto b's targets and draw their weights and delays; EVS_OK or an error
 * in b->err. build_by_target: all-to-all, one-to-one, fixed probability,
 * fixed in-degree, fixed total number, every target from its own streams;
 * build_outdegree: fixed out-degree, every source from its own streams. */
int evs__csr_build_by_target(evs__csr_builder *b);
int evs__csr_build_outdegree(evs__csr_builder *b);

/* Turns per-row counts in row_ptr[1..n_pre] into offsets, sets nnz to 0 and
 * allocates the synapse arrays for row_ptr[n_pre] synapses. Returns EVS_OK
 * or EVS_ENOMEM (message in b->err). */
int evs__csr_counts_to_rows(evs__csr_builder *b);

/* EVS_CONN_FILE: reads b->spec->path ("pre post [weight [delay]]" a line,
 * '#' comments) twice, counting then placing the lines onto b's targets,
 * into b's rows in file order; missing weights and delays are drawn from
 * the streams of each line's target, in the order (source, line). Returns
 * EVS_OK, EVS_EINVAL (no path, malformed line, index out of range,
 * forbidden autapse, bad delay: "path:line" messages in b->err), EVS_EIO
 * (cannot open, read error, file changed between the passes) or
 * EVS_ENOMEM. (csr_file.c) */
int evs__csr_build_file(evs__csr_builder *b);

#endif
