/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the built-in plug-ins every net has (src/registry.def), in the
 * order their hooks run (the order the scheduler pushed their events in
 * before they were plug-ins; events of one time, kind and source pop in
 * push order), and helpers they share. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/run.h"
#include "rules/plastic.h"
#include "plugins/plugins.h"
#include "registry.h"

int evs__net_add_default_plugins(evs_net *net) {
  for (size_t i = 0; i < evs__registry_n_plugins; i++) {
    const evs_plugin_type *type = evs__registry_plugins[i];
    evs_plugin *pl;
    int rc = evs__net_add_plugin(net, type, NULL, &pl);
    if (rc) return rc;
    /* their spikes hooks count, or write ras or bin files (the default;
     * raster.c withdraws this for spikes.h5, written by HDF5) */
    pl->spikes_any_thread =
        type == &evs__rate_check_plugin || type == &evs__raster_plugin;
  }
  return EVS_OK;
}

int evs__plugin_slot(void **arr, uint32_t *n, uint32_t i, size_t sz) {
  if (i < *n) return EVS_OK;
  char *p = realloc(*arr, ((size_t)i + 1) * sz);
  if (!p) return EVS_ENOMEM;
  memset(p + (size_t)*n * sz, 0, ((size_t)i + 1 - *n) * sz);
  *arr = p;
  *n = i + 1;
  return EVS_OK;
}

void *evs__plugin_state(const evs_net *net, const evs_plugin_type *type) {
  evs_plugin *pl = evs__net_find_plugin(net, type);
  assert(pl);
  return pl->state;
}

int evs__proj_weights_at(evs_proj *p, double t, int gather) {
  evs_pop *post = p->post;
  evs_run *run = post->net->run;
  if (p->rule && post->type->kind == EVS_POP_EXACT)
    for (uint32_t j = 0; j < post->size; j++) evs__run_voltage(run, post, j, t);
  if (gather) evs__run_gather(run, p);
  return post->failed;
}
