/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — sparse synapses in compressed sparse rows (CSR) by presynaptic
 * neuron.
 *
 * Row i holds the synapses of presynaptic neuron i, sorted by (delay, target),
 * and split into delay groups so that one queue event serves a whole group.
 * Static memory: 4 bytes target + 4 bytes weight per synapse, plus O(rows +
 * groups); 4 bytes a synapse when every synapse has the same weight and the
 * weights are shared (evs_csr_share_weight, as NEST's static_synapse_hom_w);
 * 2 bytes less with 16-bit targets when there are at most 65,536 post
 * neurons (evs_csr_narrow; the targets are then in target16, not target).
 * The transposed index (post -> positions in the CSR arrays, and the
 * presynaptic neuron of each) is built on demand for postsynaptically triggered
 * updates and costs 8 more bytes per synapse (4 position + 4 presynaptic index)
 * plus O(post neurons): 16 bytes a plastic synapse. */
#ifndef EVSNN_CSR_H
#define EVSNN_CSR_H

#include <stddef.h>
#include <stdint.h>
#include "dist.h"
#include "error.h"
#include "export.h"

typedef enum evs_conn_kind {
  EVS_CONN_ALL_TO_ALL = 0,    /* every pair */
  EVS_CONN_ONE_TO_ONE,        /* i -> i, needs n_pre == n_post */
  EVS_CONN_FIXED_PROBABILITY, /* each pair independently with probability p,
                                 by geometric skipping: O(synapses) */
  EVS_CONN_FIXED_INDEGREE,    /* each post neuron gets n synapses from
                                 uniformly chosen pre neurons */
  EVS_CONN_FIXED_OUTDEGREE,   /* each pre neuron makes n synapses */
  EVS_CONN_FIXED_TOTAL,       /* n synapses, (pre, post) drawn uniformly */
  EVS_CONN_FILE               /* edge list: "pre post [weight [delay]]" per
                                 line, SI units, '#' comments */
} evs_conn_kind;

typedef struct evs_conn_spec {
  evs_conn_kind kind;
  double p;          /* FIXED_PROBABILITY */
  uint64_t n;        /* FIXED_INDEGREE / OUTDEGREE / TOTAL */
  int autapses;      /* allow i -> i when pre and post are one population */
  int multapses;     /* allow repeated pairs (INDEGREE/OUTDEGREE/TOTAL) */
  const char *path;  /* FILE */
  evs_dist weight;   /* weight distribution, SI (columns 3 of FILE override) */
  evs_dist delay;    /* delay distribution, s (column 4 of FILE overrides) */
  double delay_step; /* s: delays are rounded to the nearest multiple */
  uint64_t seed;     /* the run's seed */
  uint32_t stream;   /* this projection's number, keys its random streams */
  int same_population; /* pre and post are the same population */
} evs_conn_spec;

typedef struct evs_csr {
  uint32_t n_pre, n_post;
  uint64_t nnz;        /* synapses */
  uint64_t *row_ptr;   /* [n_pre+1]: row i is [row_ptr[i], row_ptr[i+1]) */
  uint32_t *target;    /* [nnz] post index; NULL when target16 holds them */
  float *weight;       /* [nnz] weight, SI; NULL when shared */
  float weight_shared; /* the weight of every synapse when weight is NULL */
  double delay_step;   /* s, unit of delays below */
  /* Delay groups. If grp_ptr is NULL every synapse has delay
   * const_delay * delay_step and each nonempty row is one group. Otherwise
   * row i has groups grp_ptr[i] .. grp_ptr[i+1]-1; group g has delay
   * grp_delay[g] * delay_step and ends (exclusive) grp_end[g] synapses
   * after the row's start (absolute position: evs_csr_group_end); it
   * starts where the previous group of the row ends, the first at
   * row_ptr[i]. 8 bytes a group; a row of more than 2^32 - 1 synapses has
   * one delay. */
  uint32_t const_delay;          /* delay in steps when grp_ptr is NULL */
  uint64_t *grp_ptr;             /* [n_pre+1] or NULL */
  uint32_t *grp_delay;           /* [groups] delay in steps */
  uint32_t *grp_end;             /* [groups] end, from the row's start */
  uint32_t min_delay, max_delay; /* over all synapses, in steps (0 if nnz 0) */
  /* Transposed index, NULL until evs_csr_build_transpose(). The synapses onto
   * post neuron j are at CSR positions post_pos[post_ptr[j] .. post_ptr[j+1]),
   * in increasing position order; post_pre[k] is the presynaptic neuron (the
   * row) of position post_pos[k], so postsynaptic handlers need no search
   * over row_ptr. */
  uint64_t *post_ptr; /* [n_post+1] */
  uint32_t *post_pos; /* [nnz] CSR positions (nnz < 2^32 required) */
  uint32_t *post_pre; /* [nnz] presynaptic neuron of post_pos[k] */
  /* Narrow targets (evs_csr_narrow): the post indices in 16 bits when
   * n_post <= EVS_CSR_NARROW_MAX; then target is NULL. Exactly one of
   * target and target16 is non-NULL. Read either through
   * evs_csr_target(). */
  uint16_t *target16; /* [nnz] post index, or NULL */
} evs_csr;

/* The most post neurons a CSR with 16-bit targets may have. */
#define EVS_CSR_NARROW_MAX 65536u

/* Builds the synapses of one projection. Random choices use the streams
 * (spec->seed, spec->stream, <target or source>, EVS_RNG_CONNECT / _WEIGHT /
 * _DELAY), so the result does not depend on anything but the spec. Errors
 * (bad p, n too large without multapses, unreadable or malformed edge file
 * with "path:line: ..." messages, index out of range, negative delay, a row
 * of more than 2^32 - 1 synapses with several delays, ...)
 * return EVS_EINVAL/EVS_EIO/EVS_ENOMEM with a message in err; *out is then
 * NULL. The caller owns *out (evs_csr_free).
 *
 * Streams are keyed by target neuron j, so that building the synapses onto
 * any subset of the targets gives exactly the whole build's synapses onto
 * them (doc/scaling.md, "Wiring and ranks"): the sources of j are drawn
 * from j's CONNECT stream (fixed probability by geometric skipping over the
 * sources), then their weights and delays, in the same order, from j's
 * WEIGHT and DELAY streams. FIXED_TOTAL first splits n over the targets in
 * target order (multinomial with multapses, multivariate hypergeometric
 * without) from the stream (seed, stream, 0, EVS_RNG_COUNT). FIXED_OUTDEGREE
 * is keyed by source i instead (its targets, weights and delays from i's
 * streams). FILE lines that leave out a weight or delay get it from the
 * line's target's streams, in the order (source, line). Delays are
 * rounded to steps = lround(d / delay_step); 0 steps is allowed here (the
 * caller checks its minimum delay). With same_population and !autapses no
 * i -> i synapse is made (ONE_TO_ONE then makes none; a FILE line i i is an
 * error). FIXED_TOTAL without multapses draws a uniform set of distinct
 * pairs. Cost: O(synapses + rows + columns) (FIXED_TOTAL: plus O(sqrt(n
 * columns)) for the split); temporary memory about 4 bytes per synapse
 * beyond the result plus O(rows + columns + longest row). */
EVS_API int evs_csr_build(evs_csr **out, uint32_t n_pre, uint32_t n_post,
                          const evs_conn_spec *spec, evs_error *err);

/* Frees c and everything it holds; NULL is allowed. */
EVS_API void evs_csr_free(evs_csr *c);

/* Builds the transposed index: post_ptr, post_pos and post_pre (idempotent).
 * Returns EVS_OK, EVS_ENOMEM (nothing allocated then), EVS_ERANGE (more
 * than 2^32-1 synapses) or EVS_EINVAL (narrow targets, evs_csr_narrow).
 * O(nnz + n_pre + n_post) time; 8 bytes per synapse plus 8 per post
 * neuron, freed by evs_csr_free. */
EVS_API int evs_csr_build_transpose(evs_csr *c);

/* If every synapse has the same weight (bit for bit), frees the weight array
 * and keeps the one value in weight_shared; weight is NULL afterwards, so
 * only callers that never write weights may share them (a projection without
 * learning rule or short-term plasticity). Returns 1 if the weights are now
 * shared (also when they already were), 0 if they differ (nothing changes);
 * a projection without synapses is left alone and returns 0. O(nnz). */
EVS_API int evs_csr_share_weight(evs_csr *c);

/* Stores the targets in 16 bits (target16, target NULL) when n_post <=
 * EVS_CSR_NARROW_MAX and there is no transposed index (post_ptr NULL);
 * otherwise changes nothing. Returns 1 if the targets are narrow now (also
 * when they already were), 0 if not, EVS_ENOMEM (c unchanged). Saves 2
 * bytes a synapse. O(nnz); 2 bytes a synapse of temporary memory. Every
 * function of this header takes a narrow CSR but evs_csr_build_transpose,
 * which refuses it (EVS_EINVAL): a learning rule reads 32-bit targets. */
EVS_API int evs_csr_narrow(evs_csr *c);

/* The absolute end (exclusive) of delay group g of row i (grp_ptr non-NULL,
 * grp_ptr[i] <= g < grp_ptr[i+1]); the group begins at the end of g - 1,
 * or at row_ptr[i] for the row's first. */
static inline uint64_t evs_csr_group_end(const evs_csr *c, uint32_t i,
                                         uint64_t g) {
  return c->row_ptr[i] + c->grp_end[g];
}

/* The post index of synapse q (0 <= q < nnz), narrow or not. */
static inline uint32_t evs_csr_target(const evs_csr *c, uint64_t q) {
  return c->target16 ? c->target16[q] : c->target[q];
}

/* The weight of synapse q (0 <= q < nnz), shared or not. */
static inline float evs_csr_weight(const evs_csr *c, uint64_t q) {
  return c->weight ? c->weight[q] : c->weight_shared;
}

/* Gives synapse q (0 <= q < nnz, in the current CSR order) the delay
 * steps[q] (in delay_step units) and sorts every row again by (delay,
 * target), stably (synapses of equal delay and target keep their order), into
 * delay groups as evs_csr_build makes them: no groups when every synapse has
 * one delay. moved_to[q] (nnz entries, the caller's) receives the new
 * position of the synapse at q. The weights move with their synapses and the
 * transposed index, if built, is built again for the new positions;
 * min_delay and max_delay follow. Returns EVS_OK, or EVS_ENOMEM, or
 * EVS_ERANGE (a row of more than 2^32 - 1 synapses given several delays),
 * with c unchanged. O(nnz log(longest row) + n_pre + n_post); temporary memory
 * about 16 bytes a synapse of the longest row. */
EVS_API int evs_csr_set_delays(evs_csr *c, const uint32_t *steps,
                               uint64_t *moved_to);

/* Bytes of heap memory the structure uses, all arrays included. */
EVS_API size_t evs_csr_bytes(const evs_csr *c);

/* Number of synapses onto each post neuron, into deg[n_post]. O(nnz). */
EVS_API void evs_csr_indegrees(const evs_csr *c, uint32_t *deg);

#endif
