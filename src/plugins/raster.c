/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the raster recorder: every spike of the populations that record
 * them (evs_net_record_spikes; by default every population but spike
 * sources and types that never spike), in the net's spike format
 * (evs_net_set_spike_format): <population>.ras text, <population>.spk
 * binary (spike_file.c), or one SONATA file spikes.h5 (sonata.c, in builds
 * with HDF5). Between the phases of a run a population's recording may be
 * switched off and on (evs_net_record_spikes). */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/run.h"
#include "evsnn/spikes.h"
#include "plugins/plugins.h"
#ifdef EVS_HAVE_HDF5
#include "io/sonata.h"
#include "io/output.h"
#endif

enum { DEFAULT = 0, ON = 1, OFF = 2 };

typedef struct raster {
  uint8_t *want; /* [n] DEFAULT, ON or OFF per population */
  uint32_t n;
  evs_spike_format format;
  int *handle; /* [npop] the run's output file of a population (ras,
                  bin) or its group in spikes.h5 (sonata); -1: none */
#ifdef EVS_HAVE_HDF5
  evs_sonata *sonata; /* the run's spikes.h5, owned by the run's output */
#endif
} raster;

static raster *get(evs_net *net) {
  evs_plugin *pl = evs__net_find_plugin(net, &evs__raster_plugin);
  if (!pl->state) pl->state = calloc(1, sizeof(raster));
  return pl->state;
}

/* Forward: whether a population's spikes are recorded, where they go. */
static int recorded(const raster *s, const evs_pop *pop);
static int open_pop(raster *s, evs_output *o, const evs_pop *pop,
                    evs_error *err);

/* Between the phases of run: pop's spikes from the phase's end on are
 * recorded (on) or not. A population recorded for the first time gets its
 * file now (not in spike_format = sonata, whose groups are made at the
 * start: EVS_ESTATE); checkpoints are off from then on. EVS_OK or an
 * error, nothing changed. */
static int switch_in_run(evs_net *net, raster *s, uint32_t pop, int on) {
  evs_run *run = net->run;
  evs_output *o = evs__run_output(run);
  const evs_pop *p = net->pop[pop];
  if (!on == !recorded(s, p) || p->type->silent) return EVS_OK;
  if (on && o && s->handle[pop] < 0 && s->format == EVS_SPIKES_SONATA)
    return EVS_ESTATE;
  if (evs__run_settings_change(run, "recordings", NULL)) return EVS_ESTATE;
  if (on && o && s->handle[pop] < 0) {
    int h = open_pop(s, o, p, NULL);
    if (h < 0) return h;
    s->handle[pop] = h;
    if (evs_run_listen(run, evs__net_find_plugin(net, &evs__raster_plugin),
                       pop))
      return EVS_ENOMEM;
  }
  s->want[pop] = on ? ON : OFF;
  return EVS_OK;
}

EVS_API int evs_net_record_spikes(evs_net *net, int pop, int on) {
  if (pop < 0 || (uint32_t)pop >= net->npop) return EVS_EINVAL;
  raster *s = get(net);
  if (!s || evs__plugin_slot((void **)&s->want, &s->n, (uint32_t)pop, 1))
    return EVS_ENOMEM;
  if (net->run) return switch_in_run(net, s, (uint32_t)pop, on);
  s->want[pop] = on ? ON : OFF;
  return EVS_OK;
}

EVS_API int evs_spike_format_parse(const char *name, evs_spike_format *out,
                                   evs_error *err) {
  if (!strcmp(name, "ras"))
    *out = EVS_SPIKES_RAS;
  else if (!strcmp(name, "bin"))
    *out = EVS_SPIKES_BIN;
  else if (!strcmp(name, "sonata"))
    *out = EVS_SPIKES_SONATA;
  else
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "unknown spike format '%s' (known: ras, bin, "
                         "sonata)",
                         name);
#ifndef EVS_HAVE_HDF5
  if (*out == EVS_SPIKES_SONATA)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "spike format sonata needs HDF5, and this evsnn was "
                         "built without it (install libhdf5-dev and "
                         "reconfigure: ./configure --with-hdf5)");
#endif
  return EVS_OK;
}

EVS_API int evs_net_set_spike_format(evs_net *net, evs_spike_format format,
                                     evs_error *err) {
  static const char *const names[] = {"ras", "bin", "sonata"};
  evs_spike_format checked;
  if ((unsigned)format > EVS_SPIKES_SONATA)
    return evs_error_set(err, EVS_EINVAL, NULL, 0, "no spike format %d",
                         (int)format);
  int rc = evs_spike_format_parse(names[format], &checked, err);
  if (rc) return rc;
  if (net->run)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "the spike format cannot change during a run");
  raster *s = get(net);
  if (!s) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  s->format = format;
  /* HDF5 is called from the thread that runs the net only */
  evs__net_find_plugin(net, &evs__raster_plugin)->spikes_any_thread =
      format != EVS_SPIKES_SONATA;
  return EVS_OK;
}

/* 1 when pop's spikes are recorded. */
static int recorded(const raster *s, const evs_pop *pop) {
  if (pop->type->silent) return 0;
  uint8_t w = s && pop->index < s->n ? s->want[pop->index] : DEFAULT;
  return w == DEFAULT ? pop->type->kind != EVS_POP_SOURCE : w == ON;
}

int evs__raster_recorded(const evs_net *net, uint32_t pop) {
  return recorded(evs__plugin_state(net, &evs__raster_plugin), net->pop[pop]);
}

/* Opens where population pop's spikes go. Returns a handle >= 0 or a
 * negative status. */
static int open_pop(raster *s, evs_output *o, const evs_pop *pop,
                    evs_error *err) {
  switch (s->format) {
  case EVS_SPIKES_BIN:
    return evs__output_spike_file_open(o, pop->name, pop->size, err);
#ifdef EVS_HAVE_HDF5
  case EVS_SPIKES_SONATA: /* no writer on ranks other than 0: handle unused */
    return s->sonata ? evs__sonata_add(s->sonata, pop->name, pop->size, err)
                     : 0;
#endif
  default: return evs__output_raster_open(o, pop->name, pop->size, err);
  }
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
  int any = 0;
  for (uint32_t i = 0; i < net->npop; i++) {
    s->handle[i] = -1;
    any |= recorded(s, net->pop[i]);
  }
#ifdef EVS_HAVE_HDF5
  /* on several ranks rank 0 writes spikes.h5 from the merged spikes, as
   * one process does; the others, whose output writes nothing, none */
  s->sonata = NULL;
  if (any && s->format == EVS_SPIKES_SONATA && evs_net_rank(net, NULL) == 0) {
    int rc = evs__sonata_open(o, &s->sonata, err);
    if (rc) return rc;
  }
#endif
  for (uint32_t i = 0; i < net->npop && any; i++) {
    evs_pop *pop = net->pop[i];
    if (!recorded(s, pop)) continue;
    s->handle[i] = open_pop(s, o, pop, err);
    if (s->handle[i] < 0) return s->handle[i];
    if (evs_run_listen(run, pl, i))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  return EVS_OK;
}

static int spikes(evs_plugin *pl, evs_run *run, uint32_t pop,
                  const evs_spike *spk, size_t n) {
  const raster *s = pl->state;
  evs_output *o = evs__run_output(run);
  if (!recorded(s, pl->net->pop[pop])) return EVS_OK; /* off in a phase */
  switch (s->format) {
  case EVS_SPIKES_BIN:
    evs__output_spike_file_write(o, s->handle[pop], spk, n);
    break;
#ifdef EVS_HAVE_HDF5
  case EVS_SPIKES_SONATA:
    if (s->sonata) evs__sonata_write(s->sonata, s->handle[pop], spk, n);
    break;
#endif
  default: evs__output_raster_write(o, s->handle[pop], spk, n);
  }
  return EVS_OK;
}

/* The output file of each recorded population. */
static int checkpoint(evs_plugin *pl, evs_run *run, evs_ckpt *ck) {
  raster *s = pl->state;
  evs_net *net = pl->net;
  if (!evs__run_output(run)) return evs_ckpt_status(ck);
  if (!s && !(s = get(net)))
    return evs_ckpt_refuse(ck, "out of memory loading the rasters");
  if (s->format == EVS_SPIKES_SONATA)
    return evs_ckpt_refuse(ck, "spikes.h5 (spike_format = sonata) cannot be "
                               "saved in a checkpoint yet");
  if (evs_ckpt_loading(ck)) {
    free(s->handle);
    if (!(s->handle = malloc((net->npop + 1) * sizeof *s->handle)))
      return evs_ckpt_refuse(ck, "out of memory loading the rasters");
  }
  return evs_ckpt_fixed(ck, s->handle, net->npop, sizeof *s->handle);
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
    .checkpoint = checkpoint,
};
