/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the descriptor of a neuron or source type, as the
 * scheduler calls it (the types are in src/neurons/). Not installed. */
#ifndef EVSNN_CORE_NEURON_TYPE_H
#define EVSNN_CORE_NEURON_TYPE_H

#include <stddef.h>
#include <stdint.h>

#include "evsnn/checkpoint.h"
#include "evsnn/csr.h"
#include "evsnn/error.h"
#include "evsnn/neuron.h"
#include "evsnn/units.h"

typedef struct evs_pop evs_pop;

/* One spike's synapses of one row of a projection, as deliver_ahead takes
 * them: the inputs weight[x] (shared for all when weight is NULL) onto
 * target x (32-bit targets for deliver_ahead, 16-bit for deliver_ahead16:
 * evs__target), x in [0, end[n - 1]) counted from the row's start, in n
 * delay groups; group i holds the x in [end[i - 1] (0 for i = 0), end[i])
 * (none when that is empty: a thread's split may hold none of a group) and
 * arrives at t + delay[i] * res, computed so, in double. The delays
 * increase with i. */
typedef struct evs_ahead_row {
  double t;              /* s, the spike */
  double res;            /* s, a delay step */
  const void *target;    /* [end[n - 1]] uint32_t or uint16_t */
  const float *weight;   /* [end[n - 1]], or NULL */
  float shared;          /* the type's unit: every weight when weight is NULL */
  uint32_t n;            /* groups, >= 1 */
  const uint32_t *end;   /* [n] */
  const uint32_t *delay; /* [n] steps of res */
} evs_ahead_row;

/* A neuron or source type: a const descriptor table (see neuron.h). */
typedef struct evs_neuron_type {
  const char *name;            /* "IF_curr_exp" */
  evs_pop_kind kind;           /* exact, clocked or source */
  const evs_param_def *params; /* parameter table */
  size_t n_params;
  /* Factor that converts a weight of dimension dim into the type's internal
   * synaptic unit, given the population's parameters; 0 when the type does
   * not accept weights of that dimension (sources accept none). */
  double (*weight_scale)(const evs_pop *pop, evs_dim dim);
  /* Checks parameters, derives constants, allocates state and draws the
   * initial state (streams (seed, pop->index, neuron, EVS_RNG_INIT)).
   * pop->tick is set by the scheduler before the call. EVS_OK or an error. */
  int (*init)(evs_pop *pop, evs_error *err);
  /* Frees what init allocated (also after a failed init). */
  void (*destroy)(evs_pop *pop);
  /* Inputs arriving at time t through receptor (evs_receptor) on targets
   * target[0..n) with weights weight[0..n) in internal units, or, when weight
   * is NULL, the weight shared for every synapse. Not called for sources.
   * Hot path: no allocation, no exp() per synapse. */
  void (*deliver)(evs_pop *pop, double t, int receptor, const uint32_t *target,
                  const float *weight, float shared, size_t n);
  /* Optional: starts fetching the records deliver() reads first for the
   * targets target[0..n) of a delivery to come; changes nothing. A thread
   * calls it for its next delivery while it runs the current one
   * (core/threads_events.c), so that the next one does not begin by
   * waiting for memory. Hot path: a few prefetch instructions. */
  void (*prefetch)(const evs_pop *pop, const uint32_t *target, size_t n);
  /* Optional, with deliver_ahead (a clocked type's ring buffer, NEST's
   * design): makes room for inputs up to span[r] seconds after any time
   * the state may have (its last tick) through receptor r (0: none through
   * r), or keeps the room it has when that is enough. Called by the
   * scheduler before a run starts (core/run_ahead.c) on the population and
   * on each thread's slice. EVS_OK or EVS_ENOMEM. */
  int (*reserve_ahead)(evs_pop *pop, const double span[2]);
  /* Optional, with reserve_ahead: a spike's row of one projection (row,
   * below) through receptor, its inputs as deliver() takes them, group by
   * group, each group's arriving at its time, handed over as soon as the
   * spike is known, which may be any time after the state time and no
   * more than the reserved span before an arrival. The type keeps them
   * apart from deliver()'s and adds them at the tick that ends at or after
   * their time (t in (T - tick, T] goes into the step that ends at T), in
   * the order they were handed over (group by group, each in its order).
   * Hot path, one call a spike and projection; a time the reserved span
   * does not reach sets pop->failed. */
  void (*deliver_ahead)(evs_pop *pop, int receptor, const evs_ahead_row *row);
  /* The population's periodic event at time t, every pop->tick seconds from
   * pop->tick on (and once at the run's end with t = duration for exact
   * types, whose last window may be partial):
   *   exact:   find every spike before t (the window [t - tick, t) closes);
   *   clocked: advance the state from t - tick to t, spikes at t;
   *   source:  emit the spikes of [t, t + tick) (first call at t = 0), so
   *            that deliveries with any delay >= 0 lie in the future.
   * Spikes go through evs__pop_emit. Returns EVS_OK or an error. */
  int (*tick)(evs_pop *pop, double t);
  /* Optional, for exact types: appends to *spk (*n of *cap,
   * evs__spike_append) the spikes with ids pop->first + neuron that the
   * neurons would find before t (>= every input delivered so far) with no
   * further input, beyond those found already (pop->spk): exactly the
   * times the next search before any later time finds, as a search to a
   * later time walks as one to t does up to t. Leaves everything as it was
   * (the state, random streams, calendar, counters: nothing emitted), so a
   * run goes on as without the call. The scheduler hands them to the
   * plug-ins at a phase's end (evs__run_tell_found). EVS_OK or EVS_ENOMEM.
   * NULL: the type's spikes before a phase's end are all flushed by then. */
  int (*peek)(evs_pop *pop, double t, struct evs_spike **spk, size_t *n,
              size_t *cap);
  /* Membrane potential of neuron id at time t (>= every input delivered so
   * far); exact types may advance lazily and emit spikes found before t.
   * NULL for sources. */
  double (*voltage)(evs_pop *pop, uint32_t id, double t);
  /* Optional: the membrane potential of every neuron at time t into
   * v[0..size), exactly as voltage() would give them one after another
   * (neuron 0 first), but sharing what neurons share (decay factors). NULL:
   * callers use voltage(). */
  void (*voltages)(evs_pop *pop, double t, double *v);
  /* Factor that converts a constant input (DC) of dimension dim into the
   * internal units of pop->dc; 0 when not accepted. NULL for sources. */
  double (*dc_scale)(const evs_pop *pop, evs_dim dim);
  /* 1 when the type never spikes (rate populations): nothing records its
   * spikes. */
  int silent;
  /* 1 when a population of the type may be split into slices that run on
   * different threads (core/threads.c): init, tick, deliver and voltage
   * touch only the slice's neurons, key every per-neuron stream and value
   * by pop->first + local index, and share nothing between neurons but
   * quantities that depend on time alone. 0: the population runs whole on
   * one thread. */
  int sliceable;
  /* Synapses deliver() takes at a time when that matters for the result
   * (IF_curr_exp certifies the targets of each batch), 0 when it does not.
   * A threaded run splits every delivery among slices, which would batch a
   * row with a repeated target differently: a population receiving such a
   * row longer than this runs whole on one thread. */
  uint32_t deliver_batch;
  /* Optional: deliver, deliver_ahead and prefetch with 16-bit targets (a
   * narrow CSR's, evs_csr.target16), each given where the 32-bit one is
   * (the pairs are one width-generic function each: evs__target below). A
   * projection onto a type without them keeps 32-bit targets
   * (evs__proj_narrow). */
  void (*deliver16)(evs_pop *pop, double t, int receptor,
                    const uint16_t *target, const float *weight, float shared,
                    size_t n);
  void (*deliver_ahead16)(evs_pop *pop, int receptor, const evs_ahead_row *row);
  void (*prefetch16)(const evs_pop *pop, const uint16_t *target, size_t n);
  /* Optional: adds delta, in the internal units of pop->dc (dc_scale of
   * EVS_DIM_CURRENT), to neuron id's injected current from time t on; t is
   * not before any input delivered so far or any earlier change (the
   * current sources, plugins/current.c). Exact types find the spikes before
   * t with the old current, keep v continuous and certify anew, so a step
   * change is exact; for clocked types t is a tick time (the caller rounds
   * up to one) and the new current drives the steps after t. NULL: the type
   * takes no current (sources, rate types). */
  void (*inject)(evs_pop *pop, uint32_t id, double t, double delta);
  /* The variables besides v that probes can record (evs_net_record), and
   * their value: var indexes recordables[0..n_recordables); the value is in
   * SI units of recordables[var].unit, of neuron id at time t (>= every input
   * delivered so far): exact types evaluate it at t in closed form (and may
   * advance lazily, as voltage), clocked types give it at the state time
   * (the last tick). NULL / 0: only v. */
  const struct evs_recordable *recordables;
  size_t n_recordables;
  double (*state)(evs_pop *pop, uint32_t id, double t, int var);
  /* Optional, with change: the checks init makes of the parameters, made of
   * next, the population as it would be with parameter k set anew (its
   * par, dist and values; every neuron of the population), before k
   * changes after the build (evs_net_set_param, evs_net_set_param_values).
   * Refuses a parameter that cannot change once the net is built (one that
   * sets a size, a clock, a file or the weights' scale; an initial value).
   * EVS_OK, or an error with a message in err naming the key (nothing has
   * changed). NULL: every change is accepted. */
  int (*check_change)(const evs_pop *next, int k, evs_error *err);
  /* Optional: parameter k of pop (the population, or a thread's slice of
   * it) changed at time t, between the phases of a run (check_change
   * accepted it): pop->par, dist and values hold the new value, old is pop
   * as it was (its par, dist and values: what evs__pop_value gave before),
   * every input before t has been delivered. The type brings the neurons
   * up to t with the old constants (an exact type finds their spikes
   * before t), derives the new ones and takes them for what follows, v
   * continuous, its next spikes predicted anew; a clocked type takes them
   * from its state time on (its last tick before t). A value set to itself
   * changes nothing at all. EVS_OK or EVS_ENOMEM. NULL: the type's
   * parameters cannot change once the net is built. */
  int (*change)(evs_pop *pop, const evs_pop *old, int k, double t);
  /* Saves or loads (evsnn/checkpoint.h) what the population's run changes:
   * per-neuron state, random streams' positions, pending work; not what
   * init derives from the parameters. Loading fills the state of a
   * population that init built from the same model. Reads nothing lazily
   * (a save must not change the run). EVS_OK or the checkpoint's error.
   * NULL: populations of the type refuse checkpoints. */
  int (*checkpoint)(evs_pop *pop, struct evs_ckpt *ck);
} evs_neuron_type;

/* A variable a type can record: its name in record = ... and its SI unit
 * (the column header of <var>_<pop>.tsv says neither; doc/model-format.md
 * lists them). */
typedef struct evs_recordable {
  const char *name; /* "gsyn_exc" */
  const char *unit; /* "S" */
} evs_recordable;

/* Target q of the targets at target, 16-bit if narrow, else 32-bit: the
 * one read of a width-generic delivery, inlined with narrow a constant
 * into a 32-bit and a 16-bit instance (deliver and deliver16). */
static inline __attribute__((always_inline)) uint32_t
evs__target(const void *target, int narrow, size_t q) {
  return narrow ? ((const uint16_t *)target)[q] : ((const uint32_t *)target)[q];
}

/* Adds weight[q] (shared for every q when weight is NULL) to in[j], j =
 * evs__target(target, narrow, q), for q = 0 .. count - 1 in that order:
 * how a clocked type, or a ring's dense step, takes a delivery's inputs
 * (narrow a constant where it is inlined). */
static inline __attribute__((always_inline)) void
evs__add_inputs(double *in, const void *target, int narrow, const float *weight,
                float shared, size_t count) {
  if (weight)
    for (size_t q = 0; q < count; q++)
      in[evs__target(target, narrow, q)] += weight[q];
  else
    for (size_t q = 0; q < count; q++)
      in[evs__target(target, narrow, q)] += shared;
}

/* Index of parameter name in type's table, or -1. */
int evs__param_index(const evs_neuron_type *type, const char *name);
/* The registry of types. */
const evs_neuron_type *evs__neuron_type_find(const char *name);
/* Sets err to "population P: NAME WHAT" about parameter k of pop's type,
 * with evs_error.key = NAME (a model file reports it at that key's line);
 * returns EVS_EINVAL. */
int evs__bad_param(const evs_pop *pop, int k, const char *what, evs_error *err);

#endif
