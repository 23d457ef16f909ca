/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the built-in plug-ins (core/plugin.h), one file each:
 * the recorders (raster.c, probe.c, weights.c), the rate checker
 * (rate_check.c), the rules' clocks (rule_clock.c) and the progress line
 * (progress.c). Every net gets one instance of each but the progress line
 * (evs__net_add_default_plugins, plugins.c); the public API's record and
 * check calls change their settings. */
#ifndef EVSNN_PLUGINS_H
#define EVSNN_PLUGINS_H

#include <stddef.h>
#include <stdint.h>

#include "core/plugin.h"

extern const evs_plugin_type evs__raster_plugin;       /* raster.c */
extern const evs_plugin_type evs__probe_plugin;        /* probe.c */
extern const evs_plugin_type evs__weights_plugin;      /* weights.c */
extern const evs_plugin_type evs__rule_clock_plugin;   /* rule_clock.c */
extern const evs_plugin_type evs__rate_check_plugin;   /* rate_check.c */
extern const evs_plugin_type evs__current_plugin;      /* current.c */
extern const evs_plugin_type evs__progress_plugin;     /* progress.c: added
                                                          per run by
                                                          evs_net_run */
extern const evs_plugin_type evs__progress_log_plugin; /* progress.c: the
                                                          same, into
                                                          run.log */

/* 1 when population pop's spikes go to <pop>.ras (raster.c). */
int evs__raster_recorded(const evs_net *net, uint32_t pop);

/* Brings p's weights up to time t (s): an exact post population may not
 * have found its spikes before t yet; advancing every neuron to t runs its
 * learning rules first; with gather, a threaded run's splits are gathered
 * into p->csr (without, the caller reads them in place:
 * evs__run_proj_parts). Returns the post population's failure status.
 * O(post neurons) when p learns onto an exact population, plus
 * O(synapses) for a split one gathered. */
int evs__proj_weights_at(evs_proj *p, double t, int gather);

/* Makes *arr, an array of *n elements of size sz, hold index i: grows it to
 * i + 1 elements, the new ones zeroed. Returns EVS_OK or EVS_ENOMEM (*arr
 * unchanged). */
int evs__plugin_slot(void **arr, uint32_t *n, uint32_t i, size_t sz);

/* The state of net's built-in plug-in of type (asserted to exist). */
void *evs__plugin_state(const evs_net *net, const evs_plugin_type *type);

#endif
