/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the raster recorder: <population>.ras, every spike of the
 * populations that record them (evs_net_record_spikes; by default every
 * population but spike sources and types that never spike). */
#include <stdlib.h>

#include "plugins/plugins.h"

enum { DEFAULT = 0, ON = 1, OFF = 2 };

typedef struct raster {
  uint8_t *want;  /* [n] DEFAULT, ON or OFF per population */
  uint32_t n;
  int *handle;    /* [npop] output file of a population, -1: none; the run's */
} raster;

static raster *get(evs_net *net) {
  evs_plugin *pl = evs__net_find_plugin(net, &evs__raster_plugin);
  if (!pl->state) pl->state = calloc(1, sizeof(raster));
  return pl->state;
}

EVS_API int evs_net_record_spikes(evs_net *net, int pop, int on) {
  if (pop < 0 || (uint32_t)pop >= net->npop) return EVS_EINVAL;
  if (net->run) return EVS_ESTATE;
  raster *s = get(net);
  if (!s || evs__plugin_slot((void **)&s->want, &s->n, (uint32_t)pop, 1))
    return EVS_ENOMEM;
  s->want[pop] = on ? ON : OFF;
  return EVS_OK;
}

/* 1 when pop's spikes go to its raster. */
static int recorded(const raster *s, const evs_pop *pop) {
  if (pop->type->silent) return 0;
  uint8_t w = s && pop->index < s->n ? s->want[pop->index] : DEFAULT;
  return w == DEFAULT ? pop->type->kind != EVS_POP_SOURCE : w == ON;
}

int evs__raster_recorded(const evs_net *net, uint32_t pop) {
  return recorded(evs__plugin_state(net, &evs__raster_plugin), net->pop[pop]);
}

static int start(evs_plugin *pl, evs_run *run, evs_error *err) {
  evs_output *o = evs__run_output(run);
  evs_net *net = pl->net;
  if (!o) return EVS_OK;
  raster *s = get(net);
  if (!s) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  free(s->handle);
  if (!(s->handle = malloc((net->npop + 1) * sizeof *s->handle)))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  for (uint32_t i = 0; i < net->npop; i++) {
    evs_pop *pop = net->pop[i];
    s->handle[i] = -1;
    if (!recorded(s, pop)) continue;
    s->handle[i] = evs__output_raster_open(o, pop->name, pop->size, err);
    if (s->handle[i] < 0) return s->handle[i];
    if (evs_run_listen(run, pl, i))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  return EVS_OK;
}

static int spikes(evs_plugin *pl, evs_run *run, uint32_t pop,
                  const evs_spike *spk, size_t n) {
  const raster *s = pl->state;
  evs__output_raster_write(evs__run_output(run), s->handle[pop], spk, n);
  return EVS_OK;
}

static void destroy(evs_plugin *pl) {
  raster *s = pl->state;
  if (!s) return;
  free(s->want);
  free(s->handle);
  free(s);
}

const evs_plugin_type evs__raster_plugin = {
    .name = "raster",
    .start = start,
    .spikes = spikes,
    .destroy = destroy,
};
