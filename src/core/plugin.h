/* evsnn — private: plug-ins and delivery filters, the scheduler's only
 * extension points (DESIGN.md, "The run loop and its plug-ins").
 *
 * The scheduler (src/core/run.c) knows populations, projections, their
 * neuron types and rules through their descriptor tables, and everything
 * else (recorders, monitors, learners with a network-wide clock) as
 * plug-ins: a const descriptor of hooks (evs_plugin_type) and an instance
 * (evs_plugin) held by the net. It calls the hooks by index and never knows
 * what a plug-in does:
 *
 *   build   once, at the end of evs_net_build (every population initialised,
 *           every projection built);
 *   start   at the run's start: opens output files, subscribes to spikes
 *           (evs__run_listen), pushes its first clock events (evs__run_push);
 *   clock   an event it pushed pops (kinds EVS_EV_RECORD or EVS_EV_PROTOCOL;
 *           its arg is the plug-in's own);
 *   spikes  a population it listens to flushed spikes (sorted by time, then
 *           id; all before the run's end);
 *   finish  after the run's last event, before exact populations close their
 *           last (partial) window;
 *   destroy when the net is freed.
 * Every hook is optional (NULL). Hooks of different plug-ins run in the
 * order the plug-ins were added to the net; events pop in the queue's total
 * order (time, kind, source, push order), so a plug-in chooses its events'
 * rank by kind and source exactly as the scheduler's own events do.
 *
 * A delivery filter (evs_filter_type) changes the weights one delivery hands
 * to the post type (short-term plasticity): one indirect call per delivery
 * event, none per synapse. */
#ifndef EVSNN_CORE_PLUGIN_H
#define EVSNN_CORE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "evsnn/queue.h"

typedef struct evs_run evs_run; /* one run of the scheduler (run.c) */
typedef struct evs_plugin evs_plugin;
typedef struct evs_filter evs_filter;

/* A plug-in: its name and hooks. Hooks return EVS_OK or a negative status
 * that ends the run (start and build also fill err). */
typedef struct evs_plugin_type {
  const char *name; /* "raster", for messages */
  int (*build)(evs_plugin *pl, evs_net *net, evs_error *err);
  int (*start)(evs_plugin *pl, evs_run *run, evs_error *err);
  int (*clock)(evs_plugin *pl, evs_run *run, const evs_event *ev);
  int (*spikes)(evs_plugin *pl, evs_run *run, const evs_pop *pop,
                const evs_spike *spk, size_t n);
  int (*finish)(evs_plugin *pl, evs_run *run, double t_end);
  void (*destroy)(evs_plugin *pl);
} evs_plugin_type;

/* A plug-in at work on one net. */
struct evs_plugin {
  const evs_plugin_type *type;
  evs_net *net;   /* the owning net */
  void *state;    /* owned by the plug-in (freed by its destroy) */
  uint32_t index; /* position in net->plugin: the owner of its events */
};

/* Adds a plug-in of type with state (owned by the net from now on: freed by
 * type->destroy with the net, also when this call fails) to net; *out (may
 * be NULL) receives it. Returns EVS_OK or EVS_ENOMEM. O(plug-ins). */
int evs__net_add_plugin(evs_net *net, const evs_plugin_type *type,
                        void *state, evs_plugin **out);

/* The first plug-in of type in net, or NULL. O(plug-ins). */
evs_plugin *evs__net_find_plugin(const evs_net *net,
                                 const evs_plugin_type *type);

/* Adds, at evs_net_new, the plug-ins every net has (the recorders whose
 * settings the public API changes, the rules' clocks), in the order their
 * hooks run. Defined by the registry (src/registry.c). EVS_OK or
 * EVS_ENOMEM. */
int evs__net_add_default_plugins(evs_net *net);

/* ---- what a plug-in may ask of the run ---------------------------------- */

/* Pushes an event of plug-in pl at time t (s) with kind EVS_EV_RECORD or
 * EVS_EV_PROTOCOL, tie-break source and the plug-in's own arg; its clock
 * hook receives it. EVS_OK or EVS_ENOMEM. O(log events). */
int evs__run_push(evs_run *run, const evs_plugin *pl, double t, uint32_t kind,
                  uint32_t source, uint32_t arg);

/* Subscribes pl's spikes hook to population pop (index) for this run.
 * Call from start. EVS_OK or EVS_ENOMEM. */
int evs__run_listen(evs_run *run, const evs_plugin *pl, uint32_t pop);

/* The run's output folder, or NULL when the run writes nothing. */
evs_output *evs__run_output(const evs_run *run);

/* The end of the run, s (earlier after evs__run_stop). */
double evs__run_end(const evs_run *run);

/* Ends the run at time t (s; the current event's time): no later event
 * pops, outputs are written as for a completed run, run.log gets the line
 * log after the summary and ends with "stopped at t = T s: <reason>", and
 * evs_net_run returns EVS_ESTOPPED. Both strings are copied (truncated to
 * 159 characters). */
void evs__run_stop(evs_run *run, double t, const char *reason,
                   const char *log);

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
} evs_filter_type;

/* A filter at work on one projection (proj->filter, owned by it). */
struct evs_filter {
  const evs_filter_type *type;
  void *state; /* owned by the filter (freed by its destroy) */
};

#endif
