/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: plug-ins and delivery filters, the scheduler's only
 * extension points (doc/design-notes.md, "Plug-ins").
 *
 * The scheduler (src/core/run.c) knows populations, projections, their
 * neuron types and rules through their descriptor tables, and everything
 * else (recorders, monitors, learners with a network-wide clock) as
 * plug-ins: a const descriptor of hooks (evs_plugin_type, public in
 * include/evsnn/plugin.h with the hooks' contract) and an instance
 * (evs_plugin, defined here) held by the net. It calls the hooks by index
 * and never knows what a plug-in does. A plug-in chooses its events' rank
 * by kind and source exactly as the scheduler's own events do.
 *
 * A delivery filter (evs_filter_type) changes the weights one delivery hands
 * to the post type (short-term plasticity): one indirect call per delivery
 * event, none per synapse. */
#ifndef EVSNN_CORE_PLUGIN_H
#define EVSNN_CORE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/net_impl.h"
#include "io/output.h"
#include "evsnn/plugin.h"

typedef struct evs_filter evs_filter;

/* A plug-in at work on one net (evsnn/plugin.h). */
struct evs_plugin {
  const evs_plugin_type *type;
  evs_net *net;   /* the owning net */
  void *state;    /* owned by the plug-in (freed by its destroy) */
  uint32_t index; /* its slot in the current run: the owner of its events */
  int spikes_any_thread; /* 1: its spikes hook may be called from any thread
                            of a run, one call at a time and in order (set
                            by the built-in plug-ins whose hooks allow it;
                            any other's runs on the thread that runs the
                            net, as evsnn/plugin.h promises): the threaded
                            scheduler then hands the spikes over on the
                            thread that ends its step first (threads.c) */
};

/* Adds a plug-in of type with state (owned by the net from now on: freed by
 * type->destroy with the net, also when this call fails) to net; *out (may
 * be NULL) receives it. Returns EVS_OK or EVS_ENOMEM. O(plug-ins). */
int evs__net_add_plugin(evs_net *net, const evs_plugin_type *type, void *state,
                        evs_plugin **out);

/* The first plug-in of type in net, or NULL. O(plug-ins). */
evs_plugin *evs__net_find_plugin(const evs_net *net,
                                 const evs_plugin_type *type);

/* Adds, at evs_net_new, the plug-ins every net has (the recorders whose
 * settings the public API changes, the rules' clocks), in the order their
 * hooks run (src/registry.def; plugins/plugins.c). EVS_OK or
 * EVS_ENOMEM. */
int evs__net_add_default_plugins(evs_net *net);

/* ---- what a plug-in may ask of the run ---------------------------------- */

/* The run's output folder, or NULL when the run writes nothing. */
evs_output *evs__run_output(const evs_run *run);

/* The membrane potential of neuron id of population pop at time t (the
 * type's voltage(), through the thread's slice that holds the neuron in a
 * threaded run). Call only from a plug-in's hooks. */
double evs__run_voltage(evs_run *run, evs_pop *pop, uint32_t id, double t);

/* The population object that holds neuron *id of pop in this run: the
 * thread's slice in a threaded run (*id becomes its index there), else pop
 * (*id unchanged); NULL when another rank holds it (evs__run_holds). Call
 * only from a plug-in's hooks. */
evs_pop *evs__run_neuron(evs_run *run, evs_pop *pop, uint32_t *id);

/* The number of ranks the run is on (1: one process). */
int evs__run_ranks(const evs_run *run);

/* 1 if this process holds neuron id of pop (always in one process). */
int evs__run_holds(const evs_run *run, const evs_pop *pop, uint32_t id);

/* Makes v[0..n), each value set by the one rank that holds it and 0 on
 * the others, the same on every rank, bit for bit (collective on several
 * ranks: a sum of the values' bits; nothing in one process). EVS_OK or
 * the communicator's error (err). */
int evs__run_share(evs_run *run, double *v, size_t n, evs_error *err);

/* ---- delivery filters ---------------------------------------------------- */

/* A filter on a projection's deliveries. */
typedef struct evs_filter_type {
  const char *name; /* for messages */
  /* Readies the filter for the built projection p (its CSR is built): sizes
   * its state and scratch. EVS_OK or an error naming p. */
  int (*build)(evs_filter *f, const evs_proj *p, evs_error *err);
  /* One presynaptic spike of row row reaches delivery group g (0 when the
   * projection has one delay) of n synapses with stored weights w[0..n) at
   * time t (not before the group's previous arrival). Returns the weights
   * the post type receives (the filter's scratch, or w); w itself is never
   * written. Cost: O(n), no exp() per synapse. */
  const float *(*apply)(evs_filter *f, double t, uint32_t row, uint32_t g,
                        const float *w, size_t n);
  /* Frees the filter f itself and its state. */
  void (*destroy)(evs_filter *f);
  /* Optional, for a threaded run (core/threads.c): a built filter of its
   * own into *out for part, a copy of f's projection whose CSR holds the
   * synapses onto one slice of the post population (rows and delay groups
   * as the whole projection's), in the state f had after its build; its
   * apply gives each synapse what f's would, as long as it sees every
   * arrival of each group it holds synapses of. EVS_OK or an error naming
   * the projection. NULL: the post population runs whole on one thread. */
  int (*part)(const evs_filter *f, const evs_proj *part, evs_filter **out,
              evs_error *err);
  /* Saves or loads (evsnn/checkpoint.h) the filter's state. NULL: the
   * projection refuses checkpoints. */
  int (*checkpoint)(evs_filter *f, struct evs_ckpt *ck);
  /* The delays of f's projection p changed (evs_net_set_delays) and its
   * CSR holds the new delay groups: new group k (numbered as the state is,
   * evs__stp_group) takes the state of the old group from[k]. EVS_OK or
   * EVS_ENOMEM (f unchanged) with a message naming p. NULL: the
   * projection's delays cannot change once built. */
  int (*regroup)(evs_filter *f, const evs_proj *p, const uint64_t *from,
                 evs_error *err);
} evs_filter_type;

/* A filter at work on one projection (proj->filter, owned by it). */
struct evs_filter {
  const evs_filter_type *type;
  void *state; /* owned by the filter (freed by its destroy) */
};

#endif
