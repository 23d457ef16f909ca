/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — learning rules: their descriptors, names and parameter tables,
 * and how a program adds its own.
 *
 * A projection learns when a rule is set on it (evs_net_set_rule, or the
 * model file's `rule = NAME` in a [projection] section). Parameters flagged
 * EVS_PARAM_WEIGHT (neuron.h) have the dimension of the projection's
 * weights. The built-in rules and their exact update order are documented
 * in evsnn-model(5).
 *
 * A rule is a const descriptor (evs_rule_type) of a parameter table and
 * handlers; a projection that learns holds one instance (evs_rule, owned
 * by the net). When handlers run, and why this is exact: exact neurons find
 * their spikes lazily, but every event that touches neuron i first advances
 * i past its earlier spikes, so
 *  - on_post runs when the post neuron's spike is found, before any later
 *    input reaches that neuron: all presynaptic arrivals before the spike
 *    have been handled, none after;
 *  - on_pre runs for a delivery after the post type received it (the PSP
 *    uses the weight as it was) and after any post spike that delivery's
 *    advances found (their on_post ran first).
 * A learning projection has one delay for all its synapses (its arrival
 * times are the presynaptic spike times plus that delay) and the transposed
 * index of its synapses (evs_csr.post_ptr, post_pos, post_pre) for on_post.
 * A program adds a rule with evs_rule_register; see
 * doc/examples/custom_rule.c. */
#ifndef EVSNN_RULE_H
#define EVSNN_RULE_H

#include <stddef.h>
#include <stdint.h>
#include "csr.h"
#include "error.h"
#include "export.h"
#include "neuron.h"

/* A rule at work on one projection (owned by the net). */
typedef struct evs_rule evs_rule;
struct evs_ckpt; /* a checkpoint (checkpoint.h) */

/* A learning rule. Handlers are called by the scheduler, never concurrently;
 * each may be NULL where noted. Weights are in the post population's
 * internal unit (volts R*I for IF_curr_exp, siemens for IF_cond_exp), as
 * are the values of EVS_PARAM_WEIGHT parameters. */
typedef struct evs_rule_type {
  const char *name;            /* "stdp_pair": unique among rules */
  const evs_param_def *params; /* parameter table (static) */
  size_t n_params;
  /* Checks parameters, derives constants, allocates state (the
   * projection's synapses are built, with their transposed index). EVS_OK or
   * an error naming the projection. */
  int (*init)(evs_rule *pl, evs_error *err);
  /* Frees what init allocated (also after a failed init). May be NULL. */
  void (*destroy)(evs_rule *pl);
  /* Presynaptic neuron pre's spike reaches synapses [begin, end) of the CSR
   * at time t (s). */
  void (*on_pre)(evs_rule *pl, double t, uint32_t pre, uint64_t begin,
                 uint64_t end);
  /* Postsynaptic neuron post spiked at time t (s); its synapses are at CSR
   * positions csr->post_pos[csr->post_ptr[post] .. csr->post_ptr[post+1]). */
  void (*on_post)(evs_rule *pl, double t, uint32_t post);
  /* Rate rules only (NULL for spike rules, whose on_pre and on_post are then
   * non-NULL): a RateLinear post population calls it at every step t (dt =
   * its step, s) with the presynaptic rates x[0..pre size) and the rates
   * y[0..post size) it has just computed from x and the weights. */
  void (*on_rate)(evs_rule *pl, double t, double dt, const double *x,
                  const double *y);
  /* Optional (NULL: none): the rule's own clock, for slow processes such as
   * consolidation. Called at t = k * interval, k = 1, 2, ... (interval set
   * by init with evs_rule_set_clock; 0 disables it), after every event
   * before t and after every delivery and population step at t; an exact
   * post population has found its spikes before t, so the weights are
   * current. */
  void (*on_clock)(evs_rule *pl, double t);
  /* Optional (NULL: none): called after every periodic event of the post
   * population at its time t (each slice's in a threaded run, at the same
   * times in every slice): every spike of the post neurons before t has
   * reached on_post, and no later handler call has a time before t. A rule
   * that keeps lazily decayed traces moves their reference time here, so
   * that it moves at the same points of the event order however the
   * population is split. */
  void (*on_tick)(evs_rule *pl, double t);
  /* 1 when the rule may run on slices of its projection in a threaded run:
   * init makes a working instance for any part of the synapses (the
   * synapses onto a block of post neurons, local post indices in on_post,
   * presynaptic rows as in the whole projection), its state per synapse,
   * per presynaptic and per postsynaptic neuron of the part; its handlers
   * touch nothing else, give each synapse the same result whichever other
   * synapses the instance holds, and any shared reference time moves only
   * in on_tick; on_clock may run on each part. 0: the post population runs
   * whole on one thread (any rule is correct so). */
  int sliceable;
  /* 1 when one learner outside the rule (a plug-in: SuperSpike's) reads
   * and writes the state of every projection with this rule and of their
   * post populations at its own clock: on several ranks (mpirun) each such
   * post population runs whole on rank 0, where that learner runs and the
   * files are written (doc/scaling.md, "Ranks"). 0: the post population
   * goes to any rank. Such a rule is not sliceable. */
  int on_rank0;
  /* Optional: saves or loads (evsnn/checkpoint.h) what the rule changes
   * besides the weights (which the run saves): traces, running estimates,
   * optimiser state. A sliceable rule saves its per-neuron and per-synapse
   * state with evs_ckpt_neurons (postsynaptic), evs_ckpt_rows
   * (presynaptic) and evs_ckpt_synapses, so that a threaded run's parts
   * are saved as one instance (anything else must be the same in every
   * part). NULL: a projection with the rule refuses checkpoints. */
  int (*checkpoint)(evs_rule *pl, struct evs_ckpt *ck);
  /* Optional (NULL: none): the weights were written from outside the
   * handlers (evs_net_set_weights, evs_net_set_weight, a checkpoint's
   * load); called before the next handler call. A rule that keeps
   * something derived from the weights (stdp_triplet: their least value)
   * derives it anew. */
  void (*weights_set)(evs_rule *pl);
} evs_rule_type;

/* Adds type to the rules every net knows, from now on, under type->name.
 * type (and its parameter table) must outlive every net that uses it; it is
 * not copied. Not thread-safe: call before creating nets. Returns EVS_OK,
 * EVS_EEXIST when a rule of that name exists, EVS_EINVAL when the name is
 * empty or the handlers do not make a spike or rate rule, or EVS_ENOMEM.
 * O(rules). */
EVS_API int evs_rule_register(const evs_rule_type *type);

/* For handlers: the synapses of pl's projection (weights writable; the
 * transposed index built). Valid while the net lives. O(1). */
EVS_API evs_csr *evs_rule_synapses(evs_rule *pl);

/* For handlers: pl's parameter values [type->n_params] in internal units
 * (EVS_PARAM_WEIGHT values scaled like the weights), owned by the net. */
EVS_API const double *evs_rule_values(const evs_rule *pl);

/* For handlers: the rule's own state (NULL until set), owned by the rule
 * (its destroy frees it). */
EVS_API void *evs_rule_state(const evs_rule *pl);
EVS_API void evs_rule_set_state(evs_rule *pl, void *state);

/* For init: runs on_clock every interval seconds (> 0; 0 disables). */
EVS_API void evs_rule_set_clock(evs_rule *pl, double interval);

/* The name of pl's projection (for messages), owned by the net. */
EVS_API const char *evs_rule_projection(const evs_rule *pl);

/* Looks up a rule's parameter table. Returns EVS_OK and sets *defs and *n,
 * or EVS_ENOENT if no rule has that name. The table is static. */
EVS_API int evs_rule_params(const char *rule, const evs_param_def **defs,
                            size_t *n);

/* Names of all rules, NULL-terminated, static. */
EVS_API const char *const *evs_rule_names(void);

#endif
