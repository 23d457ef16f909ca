/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the probe recorder: v_<population>.tsv, the membrane potential
 * of chosen neurons every sample interval from t = 0 (evs_net_record_v),
 * and the same samples for any plug-in's hook (evs_plugin_voltages). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugins.h"

/* The probes of one population. */
typedef struct probe {
  uint32_t *id;     /* [n] neurons recorded; NULL: none */
  size_t n;
  double interval;  /* s between samples */
  int handle;       /* output file of the run */
  uint64_t samples; /* samples written in the run */
} probe;

typedef struct probes {
  probe *pop;       /* [npop] by population index */
  uint32_t npop;
  double *v;        /* scratch: one row */
} probes;

EVS_API int evs_net_record_v(evs_net *net, int pop_index, const uint32_t *ids,
                             size_t n, double interval, evs_error *err) {
  if (pop_index < 0 || (uint32_t)pop_index >= net->npop)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "no population with index %d", pop_index);
  evs_pop *pop = net->pop[pop_index];
  if (net->run)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: recordings cannot change during a run",
                         pop->name);
  if (!pop->type->voltage)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: a spike source has no membrane potential",
                         pop->name);
  if (!(interval >= EVS__MIN_STEP) || !evs__value_ok(interval))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: the recording interval must be at least %g s "
                         "and finite, got %g s", pop->name, EVS__MIN_STEP,
                         interval);
  for (size_t i = 0; i < n; i++)
    if (ids[i] >= pop->size)
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "%s: neuron %u does not exist (size %u)", pop->name,
                           ids[i], pop->size);
  evs_plugin *pl = evs__net_find_plugin(net, &evs__probe_plugin);
  if (!pl->state) pl->state = calloc(1, sizeof(probes));
  probes *s = pl->state;
  uint32_t *copy = malloc((n ? n : 1) * sizeof *copy);
  if (!s || !copy ||
      evs__plugin_slot((void **)&s->pop, &s->npop, (uint32_t)pop_index,
                       sizeof *s->pop)) {
    free(copy);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  memcpy(copy, ids, n * sizeof *copy);
  probe *p = &s->pop[pop_index];
  free(p->id);
  p->id = copy;
  p->n = n;
  p->interval = interval;
  return EVS_OK;
}

static int start(evs_plugin *pl, evs_run *run, evs_error *err) {
  probes *s = pl->state;
  evs_output *o = evs__run_output(run);
  if (!s || !o) return EVS_OK;
  size_t max = 1;
  for (uint32_t i = 0; i < s->npop; i++)
    if (s->pop[i].n > max) max = s->pop[i].n;
  free(s->v);
  if (!(s->v = malloc(max * sizeof *s->v)))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  for (uint32_t i = 0; i < s->npop; i++) {
    probe *p = &s->pop[i];
    if (!p->n) continue;
    const evs_pop *pop = pl->net->pop[i];
    p->handle = evs__output_probe_open(o, pop->name, p->id, p->n, err);
    if (p->handle < 0) return p->handle;
    /* the model tells what v_<pop>.tsv holds (volts, or a rate model's
     * rates) to its readers: evsnn plot's voltage.gp */
    evs__output_log(o, "record_v %s: %s", pop->name, pop->type->name);
    p->samples = 0;
    if (evs_run_push(run, pl, 0, EVS_EV_RECORD, pop->gid0, i))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  return EVS_OK;
}

/* A sample of population ev->arg's probes. */
static int clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  probes *s = pl->state;
  probe *p = &s->pop[ev->arg];
  evs_pop *pop = pl->net->pop[ev->arg];
  for (size_t i = 0; i < p->n; i++)
    s->v[i] = evs__run_voltage(run, pop, p->id[i], ev->t);
  evs__output_probe_row(evs__run_output(run), p->handle, ev->t, s->v, p->n);
  uint64_t k = ++p->samples;
  return evs_run_push(run, pl, (double)k * p->interval, EVS_EV_RECORD,
                       pop->gid0, ev->arg);
}

EVS_API int evs_plugin_voltages(const evs_plugin *pl, uint32_t pop_index,
                                const uint32_t *ids, size_t n, double t,
                                double *v) {
  const evs_net *net = pl->net;
  if (pop_index >= net->npop || !net->pop[pop_index]->type->voltage)
    return EVS_EINVAL;
  evs_pop *pop = net->pop[pop_index];
  for (size_t i = 0; i < n; i++)
    if (ids[i] >= pop->size) return EVS_EINVAL;
  for (size_t i = 0; i < n; i++) v[i] = pop->type->voltage(pop, ids[i], t);
  return EVS_OK;
}

static void destroy(evs_plugin *pl) {
  probes *s = pl->state;
  if (!s) return;
  for (uint32_t i = 0; i < s->npop; i++) free(s->pop[i].id);
  free(s->pop);
  free(s->v);
  free(s);
}

const evs_plugin_type evs__probe_plugin = {
    .name = "probes",
    .start = start,
    .clock = clock,
    .destroy = destroy,
};
