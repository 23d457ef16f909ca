/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the additive weight walks of pair STDP (stdp.c), in
 * vectors where the processor has gathers.
 *
 * One walk adds to each weight w of a list of synapses a * c d, where c is
 * the coefficient of the synapse's other neuron in a trace (C[index]) and
 * d the trace's decay factor, and clips the sum to [w_min, w_max]:
 *   w = (float)clip((double)w + a * (C[index] * d), w_min, w_max)
 * in double, in this order (clip as stdp_impl.h's). The depression of a pre
 * arrival is the row walk with a = -A_minus (w - A y and w + (-A) y are
 * the same IEEE operation), the potentiation of a post spike the column
 * walk with a = A_plus. Each lane does the scalar formula's operations in
 * its order (ISO C: no fused multiply-add), so every width gives the same
 * bytes; the synapses of one walk are distinct, so their order does not
 * matter either.
 *
 * Widths: scalar on any target; 4 lanes with AVX2 (gathers, a column's
 * lanes stored one by one); 8 with AVX-512 for rows (columns: AVX2's, see
 * stdp_walk.c). Indices and
 * positions must fit in 31 bits for the vector widths (the gathers' indices
 * are signed): evs__stdp_walk_pick falls back to scalar otherwise. */
#ifndef EVSNN_RULES_STDP_WALK_H
#define EVSNN_RULES_STDP_WALK_H

#include <stdint.h>

/* The trace and constants of one walk. */
typedef struct evs__stdp_add {
  const double *coef;  /* [neurons] the trace's coefficients C */
  double decay;        /* the trace's factor d at the walk's time */
  double a;            /* weight units: signed amplitude */
  double w_min, w_max; /* weight units: the bounds */
} evs__stdp_add;

/* The row walk: synapses k in [begin, end) of a CSR, coef[target[k]],
 * weight[k]. */
typedef void (*evs__stdp_row_fn)(float *weight, const uint32_t *target,
                                 uint64_t begin, uint64_t end,
                                 const evs__stdp_add *p);

/* The column walk: entries q in [qb, qe) of the transposed index,
 * coef[pre[q]], weight[pos[q]]. */
typedef void (*evs__stdp_col_fn)(float *weight, const uint32_t *pos,
                                 const uint32_t *pre, uint64_t qb, uint64_t qe,
                                 const evs__stdp_add *p);

typedef struct evs__stdp_walk {
  int lanes; /* 1, 4 or 8 (the row walk's) */
  evs__stdp_row_fn row;
  evs__stdp_col_fn col;
} evs__stdp_walk;

/* The walks of width lanes (1, 4 or 8), or NULL when the processor lacks
 * the instructions (or the build the width). For tests; rules use
 * evs__stdp_walk_pick. */
const evs__stdp_walk *evs__stdp_walk_get(int lanes);

/* The widest walks the processor runs for a projection with n_pre and
 * n_post neurons and nnz synapses (scalar when some index or position
 * would not fit in 31 bits). Never NULL. */
const evs__stdp_walk *evs__stdp_walk_pick(uint32_t n_pre, uint32_t n_post,
                                          uint64_t nnz);

#endif
