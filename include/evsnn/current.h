/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — current sources: currents injected into chosen neurons that
 * change during a run, with the semantics of PyNN's DCSource,
 * StepCurrentSource, ACSource and NoisyCurrentSource (times in s, currents
 * in A here; PyNN's ms and nA in the model files' units). Several sources
 * on one neuron add up, and add to its i_offset and [input] dc.
 *
 * Exact types (IF_curr_exp) take every change at its time exactly, so a
 * dc, step or noisy source is exact there; they cannot integrate a
 * sinusoid, and an ac source on them is refused. Clocked types take a
 * change from the first step that starts at or after it (its time rounded
 * up to the step grid), and an ac source is sampled at the start of every
 * step and held for the step. */
#ifndef EVSNN_CURRENT_H
#define EVSNN_CURRENT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "export.h"
#include "net.h"

typedef enum evs_current_kind {
  EVS_CURRENT_DC = 0,   /* amplitude in [start, stop) */
  EVS_CURRENT_STEP = 1, /* amplitudes[i] from times[i] on (0 before) */
  EVS_CURRENT_AC = 2,   /* offset + amplitude sin(2 pi frequency (t -
                           start) + phase) in [start, stop) */
  EVS_CURRENT_NOISY = 3 /* in [start, stop), a new value mean + stdev N(0,1)
                           at start + k dt for each neuron, held for dt */
} evs_current_kind;

typedef struct evs_current_spec {
  evs_current_kind kind;
  double start, stop;       /* s, 0 <= start < stop (stop may be INFINITY):
                               dc, ac, noisy; ignored by step */
  double amplitude;         /* A: dc's current, ac's sine amplitude */
  double offset;            /* A: ac */
  double frequency;         /* Hz, >= 0: ac */
  double phase;             /* degrees: ac */
  double mean, stdev;       /* A, stdev >= 0: noisy */
  double dt;                /* s, > 0, a whole number of the net's
                               resolution: noisy's interval between draws */
  const double *times;      /* s, step: n_steps increasing times >= 0 */
  const double *amplitudes; /* A, step: the current from times[i] on */
  size_t n_steps;
} evs_current_spec;

/* Adds a current source to neurons ids[0..n) of population pop (ids NULL:
 * every neuron), before the run; spec's arrays are copied. The noisy
 * source number k (counting every source added to net, from 0) draws neuron
 * i's values from the random stream (seed, pop, i, EVS_RNG_CURRENT + 256 k),
 * in order: the same seed gives the same currents whatever else the net
 * holds or how it is split into threads. Returns the source's index k >= 0,
 * or EVS_EINVAL (a spike source or rate population, an id out of range, bad
 * times or values, ac on an exact type, a noisy dt that is not a multiple
 * of the resolution), EVS_ESTATE (during a run) or EVS_ENOMEM, with a
 * message in err. */
EVS_API int evs_net_add_current(evs_net *net, int pop, const uint32_t *ids,
                                size_t n, const evs_current_spec *spec,
                                evs_error *err);

/* During a run (from a plug-in's hook at time t): the current (A) source
 * src (the index evs_net_add_current returned) injects into its i-th
 * neuron (ids[i] as given) in the instant before t, into *amps: a change
 * at t itself shows at later times (current changes come after the
 * samples of a time, as after probes'; a clocked type's step ending at t
 * ran with this value). Returns EVS_OK, or EVS_EINVAL (no run, no such
 * source or neuron). O(1). */
EVS_API int evs_net_current_value(const evs_net *net, int src, size_t i,
                                  double *amps);

#endif
