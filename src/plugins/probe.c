/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the probe recorder: a variable of chosen neurons every sample
 * interval from t = 0 (evs_net_record): the membrane potential into
 * v_<population>.tsv, any other variable the neuron type lists
 * (evs_neuron_type.recordables: synaptic conductances and currents,
 * adaptation) into <variable>_<population>.tsv; and the membrane potential
 * or any of those variables for any plug-in's hook (evs_plugin_voltages,
 * evs_plugin_sample). Between the phases of a run a recording may start,
 * stop and start again (evs_net_record; its samples at the times of a
 * recording from 0). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugins.h"
#include "base/checks.h"
#include "core/run.h"
#include "io/output.h"

/* One recorded variable of one population. */
typedef struct probe {
  uint32_t pop; /* population index */
  int var;      /* -1: v; else an index into the type's recordables */
  uint32_t *id; /* [n] neurons recorded */
  size_t n;
  double interval;  /* s between samples */
  int handle;       /* output file of the run; -1: none yet */
  uint64_t samples; /* samples written in the run */
  int on;           /* 1: sampling (its events' chain is live) */
  uint32_t gen;     /* the live chain's generation (events of older ones,
                       stopped or restarted between phases, are dropped) */
} probe;

/* An event's argument: the probe's index and its chain's generation. */
#define PROBE_BITS 16
#define PROBE_ARG(i, gen) ((uint32_t)(i) | ((gen) << PROBE_BITS))

typedef struct probes {
  probe *p; /* in the order first recorded */
  uint32_t n, cap;
  double *v;   /* scratch: one row */
  size_t vcap; /* its length */
} probes;

/* The index of variable name of pop's type (-1: v) into *var, or an
 * error naming what the type records. */
static int find_var(const evs_pop *pop, const char *name, int *var,
                    evs_error *err) {
  const evs_neuron_type *t = pop->type;
  if (!strcmp(name, "v")) {
    *var = -1;
    return EVS_OK;
  }
  for (size_t i = 0; i < t->n_recordables; i++)
    if (!strcmp(name, t->recordables[i].name)) {
      *var = (int)i;
      return EVS_OK;
    }
  char known[256] = "v";
  for (size_t i = 0; i < t->n_recordables; i++)
    snprintf(known + strlen(known), sizeof known - strlen(known), ", %s",
             t->recordables[i].name);
  return evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: type %s cannot record '%s' (it records %s)",
                       pop->name, t->name, name, known);
}

/* Probe k's file, opened in the run's output (its first sample's row
 * follows the header), and the scratch row grown to its neurons. EVS_OK
 * or an error. */
static int open_probe(evs_plugin *pl, uint32_t k, evs_output *o,
                      evs_error *err) {
  probes *s = pl->state;
  probe *p = &s->p[k];
  const evs_pop *pop = pl->net->pop[p->pop];
  if (p->n > s->vcap) {
    double *v = realloc(s->v, p->n * sizeof *v);
    if (!v) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
    s->v = v;
    s->vcap = p->n;
  }
  const char *var = p->var < 0 ? "v" : pop->type->recordables[p->var].name;
  p->handle = evs__output_probe_open(o, var, pop->name, p->id, p->n, err);
  if (p->handle < 0) return p->handle;
  /* the model tells what v_<pop>.tsv holds (volts, or a rate model's
   * rates) to its readers: evsnn plot's voltage.gp; the unit of the
   * others */
  if (p->var < 0)
    evs__output_log(o, "record_v %s: %s", pop->name, pop->type->name);
  else
    evs__output_log(o, "record %s %s: %s", var, pop->name,
                    pop->type->recordables[p->var].unit);
  return EVS_OK;
}

/* Probe k samples from time t on: its file opened when it has none, its
 * first sample at the first multiple of its interval at or after t (the
 * times of a recording from 0), a new chain of events. EVS_OK or an
 * error. */
static int begin(evs_plugin *pl, uint32_t k, double t, evs_error *err) {
  probes *s = pl->state;
  probe *p = &s->p[k];
  evs_run *run = pl->net->run;
  evs_output *o = evs__run_output(run);
  p->gen = (p->gen + 1) & ((1u << PROBE_BITS) - 1);
  p->on = 0;
  if (!o || !p->n) return EVS_OK;
  int rc = p->handle < 0 ? open_probe(pl, k, o, err) : EVS_OK;
  if (rc) return rc;
  uint64_t first = (uint64_t)ceil(t / p->interval - 1e-9);
  if ((double)first * p->interval < t) first++;
  p->samples = first;
  p->on = 1;
  if (evs_run_push(run, pl, (double)first * p->interval, EVS_EV_RECORD,
                   pl->net->pop[p->pop]->gid0, PROBE_ARG(k, p->gen)))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  return EVS_OK;
}

/* evs_net_record between the phases of a run, of probe k (k = the count
 * of probes: a new one): stops it (n = 0) or restarts it from the phase's
 * end at its new interval (one with a file keeps its columns: the same
 * neurons); checkpoints are off from then on. EVS_OK with *done set, or
 * with *done 0 for a probe without a file (the caller sets its neurons,
 * then begins it), or an error, nothing changed. */
static int in_run(evs_plugin *pl, uint32_t k, const uint32_t *ids, size_t n,
                  double interval, int *done, evs_error *err) {
  probes *s = pl->state;
  probe *p = k < s->n ? &s->p[k] : NULL;
  evs_net *net = pl->net;
  if (p && p->handle >= 0 && n &&
      (n != p->n || memcmp(ids, p->id, n * sizeof *ids)))
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: its recording's file has its columns: during "
                         "a run it restarts with the same neurons",
                         net->pop[p->pop]->name);
  *done = 1;
  if (!n && (!p || !p->on)) return EVS_OK; /* nothing to stop */
  int rc = evs__run_settings_change(net->run, "recordings", err);
  if (rc) return rc;
  *done = p && p->handle >= 0;
  if (!*done) return EVS_OK;
  if (!n) {
    p->on = 0;
    p->gen = (p->gen + 1) & ((1u << PROBE_BITS) - 1);
    return EVS_OK;
  }
  p->interval = interval;
  return begin(pl, k, evs__run_time(net->run), err);
}

EVS_API int evs_net_record(evs_net *net, int pop_index, const char *var,
                           const uint32_t *ids, size_t n, double interval,
                           evs_error *err) {
  if (pop_index < 0 || (uint32_t)pop_index >= net->npop)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "no population with index %d", pop_index);
  evs_pop *pop = net->pop[pop_index];
  if (net->ran && !net->run)
    return evs_error_set(err, EVS_ESTATE, NULL, 0, "%s: the run has ended",
                         pop->name);
  if (!pop->type->voltage)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: a spike source has no membrane potential",
                         pop->name);
  int vi, rc = find_var(pop, var, &vi, err);
  if (rc) return rc;
  if (!(interval >= EVS__MIN_STEP) || !evs__value_ok(interval))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: the recording interval must be at least %g s "
                         "and finite, got %g s",
                         pop->name, EVS__MIN_STEP, interval);
  for (size_t i = 0; i < n; i++)
    if (ids[i] >= pop->size)
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "%s: neuron %u does not exist (size %u)", pop->name,
                           ids[i], pop->size);
  evs_plugin *pl = evs__net_find_plugin(net, &evs__probe_plugin);
  if (!pl->state) pl->state = calloc(1, sizeof(probes));
  probes *s = pl->state;
  if (!s) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  uint32_t k;
  for (k = 0; k < s->n; k++)
    if (s->p[k].pop == (uint32_t)pop_index && s->p[k].var == vi) break;
  if (net->run) {
    int done = 1, rc = in_run(pl, k, ids, n, interval, &done, err);
    if (rc != EVS_OK || done) return rc;
  }
  uint32_t *copy = malloc((n ? n : 1) * sizeof *copy);
  if (!copy) goto nomem;
  memcpy(copy, ids, n * sizeof *copy);
  if (k == s->n) {
    if (s->n == 1u << PROBE_BITS) {
      free(copy);
      return evs_error_set(err, EVS_EINVAL, NULL, 0, "%s: too many recordings",
                           pop->name);
    }
    if (s->n == s->cap) {
      uint32_t cap = s->cap ? 2 * s->cap : 4;
      probe *np = realloc(s->p, cap * sizeof *np);
      if (!np) goto nomem;
      s->p = np;
      s->cap = cap;
    }
    s->p[s->n++] = (probe){.pop = (uint32_t)pop_index, .var = vi, .handle = -1};
  }
  probe *p = &s->p[k];
  free(p->id);
  p->id = copy;
  p->n = n;
  p->interval = interval;
  return net->run ? begin(pl, k, evs__run_time(net->run), err) : EVS_OK;
nomem:
  free(copy);
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
}

EVS_API int evs_net_record_v(evs_net *net, int pop_index, const uint32_t *ids,
                             size_t n, double interval, evs_error *err) {
  return evs_net_record(net, pop_index, "v", ids, n, interval, err);
}

static int start(evs_plugin *pl, evs_run *run, evs_error *err) {
  probes *s = pl->state;
  evs_output *o = evs__run_output(run);
  if (!s || !o) return EVS_OK;
  for (uint32_t i = 0; i < s->n; i++) {
    probe *p = &s->p[i];
    p->handle = -1;
    p->on = 0;
    p->gen = 0;
    if (!p->n) continue;
    int rc = open_probe(pl, i, o, err);
    if (rc) return rc;
    p->samples = 0;
    p->on = 1;
    if (evs_run_push(run, pl, 0, EVS_EV_RECORD, pl->net->pop[p->pop]->gid0, i))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  return EVS_OK;
}

/* A sample of probe ev->arg. */
static int clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  probes *s = pl->state;
  probe *p = &s->p[ev->arg & ((1u << PROBE_BITS) - 1)];
  if (!p->on || ev->arg >> PROBE_BITS != p->gen)
    return EVS_OK; /* stopped or restarted between phases */
  evs_pop *pop = pl->net->pop[p->pop];
  /* on several ranks each samples the neurons it holds, then they share */
  for (size_t i = 0; i < p->n; i++) {
    uint32_t j = p->id[i];
    evs_pop *slice;
    if (!evs__run_holds(run, pop, j))
      s->v[i] = 0;
    else if (p->var < 0)
      s->v[i] = evs__run_voltage(run, pop, j, ev->t);
    else if ((slice = evs__run_neuron(run, pop, &j)))
      s->v[i] = slice->type->state(slice, j, ev->t, p->var);
  }
  evs_error err;
  int rc = evs__run_share(run, s->v, p->n, &err);
  if (rc) return rc;
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
  /* during a run through the run: a population split among threads keeps
   * its state in the threads' slices */
  for (size_t i = 0; i < n; i++)
    v[i] = net->run ? evs__run_voltage(net->run, pop, ids[i], t)
                    : pop->type->voltage(pop, ids[i], t);
  return EVS_OK;
}

EVS_API int evs_plugin_sample(const evs_plugin *pl, uint32_t pop_index,
                              const char *var, const uint32_t *ids, size_t n,
                              double t, double *out) {
  const evs_net *net = pl->net;
  if (pop_index >= net->npop || !var) return EVS_EINVAL;
  evs_pop *pop = net->pop[pop_index];
  if (!strcmp(var, "v"))
    return evs_plugin_voltages(pl, pop_index, ids, n, t, out);
  const evs_neuron_type *type = pop->type;
  size_t k = 0;
  while (k < type->n_recordables && strcmp(var, type->recordables[k].name)) k++;
  if (k == type->n_recordables || !type->state) return EVS_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (ids[i] >= pop->size) return EVS_EINVAL;
  for (size_t i = 0; i < n; i++) {
    uint32_t j = ids[i]; /* the neuron's slice on a threaded run */
    evs_pop *slice = net->run ? evs__run_neuron(net->run, pop, &j) : pop;
    out[i] = type->state(slice, j, t, (int)k);
  }
  return EVS_OK;
}

/* Each probe's file and samples so far; loading allocates the scratch row
 * as start does. */
static int checkpoint(evs_plugin *pl, evs_run *run, evs_ckpt *ck) {
  probes *s = pl->state;
  if (!s || !evs__run_output(run)) return evs_ckpt_status(ck);
  size_t max = 1;
  for (uint32_t i = 0; i < s->n; i++) {
    probe *p = &s->p[i];
    if (p->n > max) max = p->n;
    if (!p->n) continue;
    evs_ckpt_bytes(ck, &p->handle, sizeof p->handle);
    evs_ckpt_bytes(ck, &p->samples, sizeof p->samples);
    if (evs_ckpt_loading(ck)) { /* a run with checkpoints changed none */
      p->on = 1;
      p->gen = 0;
    }
  }
  if (evs_ckpt_loading(ck) && !evs_ckpt_status(ck)) {
    free(s->v);
    if (!(s->v = malloc(max * sizeof *s->v)))
      return evs_ckpt_refuse(ck, "out of memory loading the probes");
    s->vcap = max;
  }
  return evs_ckpt_status(ck);
}

static void destroy(evs_plugin *pl) {
  probes *s = pl->state;
  if (!s) return;
  for (uint32_t i = 0; i < s->n; i++) free(s->p[i].id);
  free(s->p);
  free(s->v);
  free(s);
}

const evs_plugin_type evs__probe_plugin = {
    .name = "probes",
    .start = start,
    .clock = clock,
    .destroy = destroy,
    .checkpoint = checkpoint,
};
