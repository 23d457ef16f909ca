/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — plug-ins: code that watches or steers a run without the scheduler
 * knowing what it does (recorders, monitors, learners with a network-wide
 * clock; the built-in recorders and the rate checker are plug-ins too).
 *
 * A plug-in is a const descriptor of hooks (evs_plugin_type) and an
 * instance added to a net (evs_net_add_plugin). The scheduler calls its
 * hooks, each optional (NULL):
 *
 *   build   once, at the end of evs_net_build (every population initialised,
 *           every projection's synapses built), or, for a plug-in added
 *           after the build, by evs_net_add_plugin;
 *   start   at the run's start: subscribe to spikes (evs_run_listen), push
 *           the first events of its own clock (evs_run_push);
 *   clock   an event it pushed pops;
 *   spikes  a population it listens to flushed spikes: sorted by (time,
 *           local id), all before the run's end, each population's in time
 *           order across calls; at the end of a phase at t
 *           (evs_net_run_until) also the spikes before t that an exact
 *           population found in its window still open at t (its flush
 *           then hands the rest alone), so that every spike before t has
 *           been handed over when the phase returns;
 *   finish  after the run's last event (t_end: the run's end), before exact
 *           populations close their last, partial window;
 *   summary its cells of summary.tsv's extra columns, per population;
 *   destroy when the net is freed: frees the state.
 * Hooks of different plug-ins run in the order the plug-ins were added
 * (the built-in ones first). A hook returns EVS_OK or a negative status that
 * ends the run with an error. Events pop in the total order (time, kind,
 * source, push order) of evsnn/event.h; a plug-in's events have kind
 * EVS_EV_RECORD (a sample: after the deliveries of its time) or
 * EVS_EV_PROTOCOL (after the samples), and a source that orders them among
 * events of the same time and kind. Hooks are called from the thread that
 * runs the net, never concurrently. */
#ifndef EVSNN_PLUGIN_H
#define EVSNN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "export.h"
#include "net.h"
#include "event.h"

/* A spike: time and population-local neuron index. */
typedef struct evs_spike {
  double t;    /* s */
  uint32_t id; /* local index */
} evs_spike;

typedef struct evs_run evs_run;       /* one run of a net (opaque) */
struct evs_ckpt;                      /* a checkpoint (checkpoint.h) */
typedef struct evs_plugin evs_plugin; /* a plug-in on a net (owned by it) */

typedef struct evs_plugin_type {
  const char *name; /* for messages */
  int (*build)(evs_plugin *pl, evs_net *net, evs_error *err);
  int (*start)(evs_plugin *pl, evs_run *run, evs_error *err);
  int (*clock)(evs_plugin *pl, evs_run *run, const evs_event *ev);
  int (*spikes)(evs_plugin *pl, evs_run *run, uint32_t pop,
                const evs_spike *spk, size_t n);
  int (*finish)(evs_plugin *pl, evs_run *run, double t_end);
  void (*destroy)(evs_plugin *pl);
  /* Optional: columns the plug-in adds to summary.tsv, named by
   * summary_columns (tab-separated), after every column of the plug-ins
   * added before it. summary writes population pop's cells, as many and
   * tab-separated, into cells (size bytes, NUL-terminated), once after
   * finish. Both set, or neither. */
  const char *summary_columns;
  void (*summary)(evs_plugin *pl, evs_run *run, uint32_t pop, char *cells,
                  size_t size);
  /* Optional: saves or loads (evsnn/checkpoint.h) the plug-in's state in
   * the run: counters, its output files' handles, its random streams. A
   * resumed run calls it instead of start (its events and subscriptions
   * are restored by the run). NULL: a plug-in with a start, clock, spikes
   * or finish hook refuses checkpoints. */
  int (*checkpoint)(evs_plugin *pl, evs_run *run, struct evs_ckpt *ck);
} evs_plugin_type;

/* Adds a plug-in of type (static: not copied) with state to net, before
 * the net runs; on a net already built its build hook runs now (with
 * several ranks, every rank adds it). The net owns state from now on:
 * type->destroy frees it with the net, also when this call fails. Returns
 * EVS_OK, EVS_ESTATE after the run started, EVS_ENOMEM, or the build
 * hook's error (the plug-in is then not added), with a message in err.
 * O(plug-ins). */
EVS_API int evs_net_add_plugin(evs_net *net, const evs_plugin_type *type,
                               void *state, evs_error *err);

/* The state given to evs_net_add_plugin, and the net of pl. */
EVS_API void *evs_plugin_state(const evs_plugin *pl);
EVS_API evs_net *evs_plugin_net(const evs_plugin *pl);

/* Pushes an event of pl at time t (s, not before the current event; between
 * the phases of its run, not before the last phase's end, with the run its
 * start hook received) of kind
 * EVS_EV_RECORD or EVS_EV_PROTOCOL with tie-break source and pl's own arg;
 * pl's clock hook gets it. Returns EVS_OK, EVS_EINVAL for another kind, or
 * EVS_ENOMEM. O(log events). */
EVS_API int evs_run_push(evs_run *run, const evs_plugin *pl, double t,
                         uint32_t kind, uint32_t source, uint32_t arg);

/* Subscribes pl's spikes hook to population pop (an index) for this run;
 * call from start. EVS_OK, EVS_EINVAL (no such population) or EVS_ENOMEM. */
EVS_API int evs_run_listen(evs_run *run, const evs_plugin *pl, uint32_t pop);

/* For a hook of pl (its clock, at the event's time t, s): the membrane
 * potential (V; a rate population's rate) of neurons ids[0..n) of
 * population pop at time t into v[0..n), as the v_<pop>.tsv probes sample
 * it; an exact population may find spikes before t on the way (they reach
 * the listeners after the hook). The same values on any number of threads
 * (evs_run_opts threads). Returns EVS_OK, or EVS_EINVAL for a bad
 * population, a spike source or an id out of range (v unchanged).
 * O(n). */
EVS_API int evs_plugin_voltages(const evs_plugin *pl, uint32_t pop,
                                const uint32_t *ids, size_t n, double t,
                                double *v);

/* For a hook of pl (its clock, at the event's time t, s): variable var
 * ("v" or one of the type's recordables, evs_neuron_type_recordable: e.g.
 * "gsyn_exc", "i_syn_exc"; SI units) of neurons ids[0..n) of population
 * pop at time t into out[0..n), as the <var>_<pop>.tsv probes sample it
 * (exact types in closed form at t, clocked types at their last step; an
 * exact population may find spikes before t on the way), the same on any
 * number of threads. Returns EVS_OK,
 * or EVS_EINVAL for a bad population, a variable the type does not have
 * or an id out of range (out unchanged). O(n). */
EVS_API int evs_plugin_sample(const evs_plugin *pl, uint32_t pop,
                              const char *var, const uint32_t *ids, size_t n,
                              double t, double *out);

/* The end of the run, s (the stop time after evs_run_stop). */
EVS_API double evs_run_end(const evs_run *run);

/* Ends the run at time t (s: the current event's time): no later event
 * pops, outputs are written as for a completed run, run.log gets the line
 * log after the summary and ends with "stopped at t = T s: <reason>", and
 * evs_net_run returns EVS_ESTOPPED. Both strings are copied (up to 159
 * characters). */
EVS_API void evs_run_stop(evs_run *run, double t, const char *reason,
                          const char *log);

#endif
