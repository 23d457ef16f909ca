/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the ring buffers of a clocked type's inputs delivered
 * ahead (core/neuron_type.h's reserve_ahead and deliver_ahead; NEST's
 * design, doc/design-notes.md "Ring buffers"); IF_curr_exp_grid's (the
 * conductance types tried it and lost: see the design notes).
 *
 * One ring per receptor; slot k mod n of a ring holds, for every neuron,
 * the sum of the inputs arriving in ((k - 1) h, k h], added in the order
 * they were handed over; the type's tick of step k takes the slot and
 * clears it. A slot is an array of doubles over the neurons, stride apart
 * (the type's padded length), so a tick reads it as its other arrays. */
#ifndef EVSNN_NEURONS_INPUT_RING_H
#define EVSNN_NEURONS_INPUT_RING_H

#include <stddef.h>
#include <stdint.h>

#include "evsnn/checkpoint.h"

typedef struct evs__input_ring {
  double *slot[2]; /* [n[r] * stride] per receptor; NULL: none reserved */
  uint32_t n[2];   /* slots (0: none) */
  size_t stride;   /* doubles from one slot to the next */
  double h;        /* s, the step */
  double inv_h;    /* 1 / h */
  int64_t k_now;   /* the step that ends at the state time */
} evs__input_ring;

/* Reserves ring r for inputs up to span[r] seconds past the state time
 * (at least one step: both rings exist) of neurons [0, size), stride
 * doubles a slot (>= size, the type's padding), steps of h: at least
 * span / h + 2 slots, the pending slots moved into a larger ring. EVS_OK
 * or EVS_ENOMEM (the ring unchanged). */
int evs__input_ring_reserve(evs__input_ring *g, const double span[2],
                            size_t size, size_t stride, double h);

/* Frees the rings (g zeroed but for nothing: it may be reserved again). */
void evs__input_ring_free(evs__input_ring *g);

/* Adds weight[q] (or shared, when weight is NULL) of the inputs arriving
 * at t through receptor r to target[q]'s slot. Returns 0, or -1 when t
 * lies at or before the state time or beyond the reserved span (nothing
 * added). */
static inline int evs__input_ring_add(evs__input_ring *g, double t, int r,
                                      const uint32_t *target,
                                      const float *weight, float shared,
                                      size_t count) {
  /* the step k with t in ((k - 1) h, k h], the tolerance of "at the state
   * time" 1e-6 h (ceil() and llround() were library calls: 15 of 135 M
   * instructions of the deliveries, microcircuit at 2 % for 0.2 s) */
  double x = t * g->inv_h - 1e-6;
  int64_t k = (int64_t)x;
  k += k < x;
  if (k <= g->k_now || k - g->k_now > (int64_t)g->n[r]) return -1;
  double *in = g->slot[r] + (size_t)(k % g->n[r]) * g->stride;
  if (weight)
    for (size_t q = 0; q < count; q++) in[target[q]] += weight[q];
  else
    for (size_t q = 0; q < count; q++) in[target[q]] += shared;
  return 0;
}

/* The slot of step k of receptor r (g reserved). */
static inline double *evs__input_ring_slot(const evs__input_ring *g, int r,
                                           int64_t k) {
  return g->slot[r] + (size_t)(k % g->n[r]) * g->stride;
}

/* Saves or loads the rings of neurons [0, size) at state step k_now (set
 * into g): each receptor's slot count (a checkpoint with another is
 * refused, naming pop_name) and its slots of the steps after k_now, in
 * step order, each an evs_ckpt_neurons array. EVS_OK or the checkpoint's
 * error. */
int evs__input_ring_checkpoint(evs__input_ring *g, int64_t k_now, size_t size,
                               const char *pop_name, evs_ckpt *ck);

#endif
