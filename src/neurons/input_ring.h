/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the ring buffers of a clocked type's inputs delivered
 * ahead (core/neuron_type.h's reserve_ahead and deliver_ahead; NEST's
 * design, doc/design-notes.md "Ring buffers"); IF_curr_exp_grid's (the
 * conductance types tried it and lost: see the design notes).
 *
 * One ring per receptor; slot k of a ring holds the inputs arriving in
 * ((k - 1) h, k h] as a list of (target, weight) in the order they were
 * handed over; the type's tick of step k takes the slot: the list is
 * added, in its order, into a sum array over the neurons (all +0 before:
 * the step clears it as it reads it), so each neuron's sum is the same
 * double, bit for bit, as a dense slot of doubles added to in hand-over
 * order. (Dense slots, an array over the neurons per step, made every
 * input a write to a random neuron of ~60 arrays: 5.8 MB at the
 * microcircuit's 10 %, beyond the second-level cache, and the deliveries
 * were a quarter of the run's time; a list is written in order and is
 * ~1,000 inputs a step there.) */
#ifndef EVSNN_NEURONS_INPUT_RING_H
#define EVSNN_NEURONS_INPUT_RING_H

#include <stddef.h>
#include <stdint.h>

#include "core/neuron_type.h"
#include "evsnn/checkpoint.h"

/* One input: a synapse's weight (the type's unit, as the projection holds
 * it) and its target. */
typedef struct evs__input {
  float weight;
  uint32_t target;
} evs__input;

/* The inputs of one step through one receptor, in hand-over order: a list
 * while they are few, a dense array of their sums over the neurons once
 * the list would outgrow two of them (twice the neurons). */
typedef struct evs__input_list {
  evs__input *in; /* [cap] */
  size_t len, cap;
  size_t room;   /* inputs it takes before it grows or goes dense:
                    min(cap, the ring's dense_at) - len, 0 when dense */
  double *dense; /* [stride] the step's sums when is_dense (zero when
                    not): kept for the step's next turn; NULL: none yet */
  int is_dense;  /* 1: the inputs went to dense (in is empty) */
} evs__input_list;

typedef struct evs__input_ring {
  evs__input_list *slot[2]; /* [mask[r] + 1] per receptor; NULL: none */
  uint32_t n[2];            /* the steps after the state time a ring holds
                               (0: none reserved) */
  uint64_t mask[2];         /* step k's list is slot[r][k & mask[r]] */
  double *sum[2];           /* [stride] the step taken, per receptor */
  size_t stride;            /* neurons (the type's length) */
  size_t dense_at;          /* a list this long goes dense */
  double h;                 /* s, the step */
  double inv_h;             /* 1 / h */
  int64_t k_now;            /* the step that ends at the state time */
} evs__input_ring;

/* Reserves ring r for inputs up to span[r] seconds past the state time
 * (at least one step: both rings exist) of stride neurons (the type's
 * length; the sums, zeroed, are padded to 64 bytes), steps of h: at least
 * span / h + 2 steps, the pending lists moved into a larger ring. EVS_OK
 * or EVS_ENOMEM (the ring unchanged, or larger with its lists in place). */
int evs__input_ring_reserve(evs__input_ring *g, const double span[2],
                            size_t stride, double h);

/* Frees the rings (g may be reserved again). */
void evs__input_ring_free(evs__input_ring *g);

/* Appends a spike's row (core/neuron_type.h's evs_ahead_row: 16-bit
 * targets if narrow, else 32-bit) through receptor r, group by group, each
 * group's inputs to the list of the step of its arrival time, in the
 * row's order. Returns 0, or for the first group that fails -1 (its time
 * lies at or before the state time or beyond the reserved span) or -2
 * (out of memory); the groups before it are added, it and those after it
 * not. A list grows by doubling: after the first steps the run allocates
 * nothing. Cost: a few tens of instructions a group with inputs, a load
 * and a compare an empty one, one store of 8 bytes an input. */
int evs__input_ring_add_row(evs__input_ring *g, int r, const evs_ahead_row *a,
                            int narrow);

/* Takes step k of receptor r: its list added in order into the receptor's
 * sum array, or its dense array, which the caller reads and clears back to
 * +0; the step is a list again, empty. Returns the array. */
double *evs__input_ring_take(evs__input_ring *g, int r, int64_t k);

/* Saves or loads the rings of neurons [0, size) at state step k_now (set
 * into g): each receptor's step count n (a checkpoint with another is
 * refused, naming pop_name) and the sums of its steps after k_now, in step
 * order, each an evs_ckpt_neurons array of doubles (a loaded sum v, a sum
 * of floats, becomes up to three float inputs f1 = (float)v, f2 =
 * (float)(v - f1), f3 = v - f1 - f2, which add up from +0 to v exactly: v's
 * bits lie at or above 2^-149, and each float takes its top 24 of at most
 * 53; one that does not is refused). EVS_OK, EVS_ENOMEM or the
 * checkpoint's error. */
int evs__input_ring_checkpoint(evs__input_ring *g, int64_t k_now, size_t size,
                               const char *pop_name, evs_ckpt *ck);

#endif
