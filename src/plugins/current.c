/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — current sources (evsnn/current.h): each source is a chain of
 * EVS_EV_PROTOCOL events at the times its current changes; at each, the
 * change (new value minus the source's last one) goes to every target
 * neuron through its type's inject hook (core/neuron_type.h), in the type's
 * units (dc_scale). Exact types get the exact times; clocked types get them
 * rounded up to their step grid. A noisy source keeps each neuron's last
 * value and random stream; the others one value for all their neurons. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/current.h"
#include "evsnn/rng.h"
#include "plugins/plugins.h"
#include "base/checks.h"

#define PI 3.14159265358979323846

/* One source. */
typedef struct source {
  uint32_t pop;
  uint32_t *id; /* [n] target neurons */
  size_t n;
  evs_current_spec spec; /* times, amplitudes: owned copies */
  double *times, *amps;
  uint32_t k; /* source number: its noise streams' purpose */
  /* the run's */
  uint64_t next;  /* index of the next change (step: into times; ac,
                     noisy: the k-th step after start) */
  double value;   /* A, the source's current now (not noisy) */
  double *nvalue; /* [n] A, noisy: each neuron's current now */
  evs_rng *rng;   /* [n] noisy: each neuron's stream */
  double scale;   /* internal units per A */
  double grid;    /* s, the population's step (clocked), or 0 */
} source;

typedef struct currents {
  source *s;
  uint32_t n, cap;
} currents;

static void source_free(source *s) {
  free(s->id);
  free(s->times);
  free(s->amps);
  free(s->nvalue);
  free(s->rng);
}

/* s->spec is valid for population pop of net; else an error. */
static int check_spec(const evs_net *net, const evs_pop *pop,
                      const evs_current_spec *c, evs_error *err) {
  const char *what = NULL, *key = NULL; /* the key at fault, when known */
  if (c->kind != EVS_CURRENT_STEP) {
    if (!(c->start >= 0) || !evs__value_ok(c->start))
      what = "start must be >= 0 and at most 1e15 s";
    else if (!(c->stop > c->start) ||
             (!evs__value_ok(c->stop) && c->stop != INFINITY))
      what = "stop must lie after start (or be infinite)";
  }
  switch (c->kind) {
  case EVS_CURRENT_DC:
    if (!evs__value_ok(c->amplitude))
      what = "amplitude must be finite (at most 1e15 A)";
    break;
  case EVS_CURRENT_STEP:
    if (!c->n_steps || !c->times || !c->amplitudes)
      what = "a step source needs times and amplitudes";
    for (size_t i = 0; !what && i < c->n_steps; i++) {
      if (!(c->times[i] >= 0) || !evs__value_ok(c->times[i]))
        what = "times must be finite and >= 0";
      else if (i && !(c->times[i] > c->times[i - 1]))
        what = "times must increase";
      else if (!evs__value_ok(c->amplitudes[i]))
        what = "amplitudes must be finite (at most 1e15 A)";
    }
    break;
  case EVS_CURRENT_AC:
    if (!evs__value_ok(c->amplitude) || !evs__value_ok(c->offset) ||
        !evs__value_ok(c->phase))
      what = "amplitude, offset and phase must be finite";
    else if (!(c->frequency >= 0) || !evs__value_ok(c->frequency))
      what = "frequency must be >= 0";
    else if (pop->type->kind == EVS_POP_EXACT)
      return evs_error_set(
          err, EVS_EINVAL, NULL, 0,
          "%s: type %s is exact and integrates piecewise-constant currents "
          "(dc, step, noisy) exactly, but not a sinusoid: an ac source "
          "needs a clocked type",
          pop->name, pop->type->name);
    break;
  case EVS_CURRENT_NOISY: {
    double r = c->dt / net->resolution;
    if (!evs__value_ok(c->mean) || !(c->stdev >= 0) || !evs__value_ok(c->stdev))
      what = "mean must be finite and stdev >= 0";
    else if (!(c->dt > 0) || !evs__value_ok(c->dt) ||
             fabs(r - nearbyint(r)) > 1e-9 * r || nearbyint(r) < 1) {
      what = "dt must be a whole number (>= 1) of the resolution";
      key = "dt";
    }
    break;
  }
  default: what = "unknown kind of current source";
  }
  if (what)
    return evs__error_key_set(err, EVS_EINVAL, key, "%s: current source: %s",
                              pop->name, what);
  return EVS_OK;
}

EVS_API int evs_net_add_current(evs_net *net, int pop_index,
                                const uint32_t *ids, size_t n,
                                const evs_current_spec *spec, evs_error *err) {
  if (pop_index < 0 || (uint32_t)pop_index >= net->npop)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "no population with index %d", pop_index);
  evs_pop *pop = net->pop[pop_index];
  if (net->run || net->ran)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: current sources are added before the run",
                         pop->name);
  if (!pop->type->inject)
    return evs__error_key_set(err, EVS_EINVAL, "post",
                              "%s: type %s takes no injected current",
                              pop->name, pop->type->name);
  int rc = check_spec(net, pop, spec, err);
  if (rc) return rc;
  if (!ids) n = pop->size;
  for (size_t i = 0; ids && i < n; i++)
    if (ids[i] >= pop->size)
      return evs__error_key_set(err, EVS_EINVAL, "neurons",
                                "%s: neuron %u does not exist (size %u)",
                                pop->name, ids[i], pop->size);
  evs_plugin *pl = evs__net_find_plugin(net, &evs__current_plugin);
  if (!pl->state) pl->state = calloc(1, sizeof(currents));
  currents *cs = pl->state;
  if (!cs) goto nomem;
  if (cs->n == cs->cap) {
    uint32_t cap = cs->cap ? 2 * cs->cap : 4;
    source *ns = realloc(cs->s, cap * sizeof *ns);
    if (!ns) goto nomem;
    cs->s = ns;
    cs->cap = cap;
  }
  source s = {.pop = (uint32_t)pop_index, .n = n, .spec = *spec, .k = cs->n};
  s.id = malloc((n ? n : 1) * sizeof *s.id);
  if (!s.id) goto nomem;
  for (size_t i = 0; i < n; i++) s.id[i] = ids ? ids[i] : (uint32_t)i;
  if (spec->kind == EVS_CURRENT_STEP) {
    s.times = malloc(spec->n_steps * sizeof *s.times);
    s.amps = malloc(spec->n_steps * sizeof *s.amps);
    if (!s.times || !s.amps) {
      source_free(&s);
      goto nomem;
    }
    memcpy(s.times, spec->times, spec->n_steps * sizeof *s.times);
    memcpy(s.amps, spec->amplitudes, spec->n_steps * sizeof *s.amps);
    s.spec.times = s.times;
    s.spec.amplitudes = s.amps;
  }
  cs->s[cs->n++] = s;
  return (int)s.k;
nomem:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
}

EVS_API int evs_net_current_value(const evs_net *net, int src, size_t i,
                                  double *amps) {
  evs_plugin *pl = evs__net_find_plugin(net, &evs__current_plugin);
  const currents *cs = pl ? pl->state : NULL;
  if (!net->run || !cs || src < 0 || (uint32_t)src >= cs->n ||
      i >= cs->s[src].n)
    return EVS_EINVAL;
  const source *s = &cs->s[src];
  *amps = s->spec.kind == EVS_CURRENT_NOISY ? s->nvalue[i] : s->value;
  return EVS_OK;
}

/* The time of change number i of s (INFINITY: none), before rounding. */
static double change_time(const source *s, uint64_t i) {
  const evs_current_spec *c = &s->spec;
  switch (c->kind) {
  case EVS_CURRENT_DC: return i == 0 ? c->start : i == 1 ? c->stop : INFINITY;
  case EVS_CURRENT_STEP: return i < c->n_steps ? c->times[i] : INFINITY;
  case EVS_CURRENT_AC: /* every step from start; stop ends it */
  case EVS_CURRENT_NOISY: {
    /* start + i step while before stop (i = 0 is: start < stop), then
     * stop itself once (the current ends), then none */
    double step = c->kind == EVS_CURRENT_AC ? s->grid : c->dt;
    double t = c->start + (double)i * step;
    if (t < c->stop) return t;
    return c->start + (double)(i - 1) * step < c->stop ? c->stop : INFINITY;
  }
  }
  return INFINITY;
}

/* t rounded up to s's step grid (clocked types): the tick at or after t. */
static double on_grid(const source *s, double t) {
  if (!s->grid || !isfinite(t)) return t;
  double k = ceil(t / s->grid - 1e-9);
  return (k < 0 ? 0 : k) * s->grid;
}

/* Pushes s's next change (number s->next) unless there is none or it lies
 * at or after the run's end. */
static int push_next(evs_plugin *pl, evs_run *run, const source *s,
                     uint32_t index) {
  double t = on_grid(s, change_time(s, s->next));
  if (!(t < evs_run_end(run))) return EVS_OK;
  return evs_run_push(run, pl, t, EVS_EV_PROTOCOL, pl->net->pop[s->pop]->gid0,
                      index);
}

static int start(evs_plugin *pl, evs_run *run, evs_error *err) {
  currents *cs = pl->state;
  if (!cs) return EVS_OK;
  for (uint32_t i = 0; i < cs->n; i++) {
    source *s = &cs->s[i];
    evs_pop *pop = pl->net->pop[s->pop];
    s->scale = pop->type->dc_scale(pop, EVS_DIM_CURRENT);
    s->grid = pop->type->kind == EVS_POP_EXACT ? 0 : pop->tick;
    if (s->spec.kind == EVS_CURRENT_AC && !(s->grid > 0))
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "%s: an ac source needs a clocked population",
                           pop->name);
    s->next = 0;
    s->value = 0;
    if (s->spec.kind == EVS_CURRENT_NOISY) {
      free(s->nvalue);
      free(s->rng);
      s->nvalue = calloc(s->n ? s->n : 1, sizeof *s->nvalue);
      s->rng = malloc((s->n ? s->n : 1) * sizeof *s->rng);
      if (!s->nvalue || !s->rng)
        return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
      for (size_t j = 0; j < s->n; j++)
        evs_rng_init(&s->rng[j], pop->seed, pop->index, s->id[j],
                     EVS_RNG_CURRENT + 256u * s->k);
    }
    if (push_next(pl, run, s, i))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  return EVS_OK;
}

/* Injects current change d (internal units) at time t into neuron id of
 * pop: through the thread's slice that holds it in a threaded run, nothing
 * on a rank that does not hold it (every rank keeps every source's values
 * and streams alike; the plug-in's event runs alone at its key). */
static void inject(evs_run *run, evs_pop *pop, uint32_t id, double t,
                   double d) {
  evs_pop *slice = evs__run_neuron(run, pop, &id);
  if (slice) slice->type->inject(slice, id, t, d);
}

/* Change number s->next of source s, at ev->t. */
static int clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  currents *cs = pl->state;
  source *s = &cs->s[ev->arg];
  evs_pop *pop = pl->net->pop[s->pop];
  const evs_current_spec *c = &s->spec;
  double t = ev->t, raw = change_time(s, s->next);
  int on = raw < (c->kind == EVS_CURRENT_STEP ? INFINITY : c->stop);
  if (c->kind == EVS_CURRENT_NOISY) {
    for (size_t j = 0; j < s->n; j++) {
      double v = on ? c->mean + c->stdev * evs_rng_normal(&s->rng[j]) : 0;
      inject(run, pop, s->id[j], t, (v - s->nvalue[j]) * s->scale);
      s->nvalue[j] = v;
    }
  } else {
    double v = 0;
    if (c->kind == EVS_CURRENT_DC)
      v = on ? c->amplitude : 0;
    else if (c->kind == EVS_CURRENT_STEP)
      v = c->amplitudes[s->next];
    else if (on) /* ac: at the start of the step it drives */
      v = c->offset +
          c->amplitude * sin(2 * PI * c->frequency * (t - c->start) +
                             c->phase * (PI / 180));
    double d = (v - s->value) * s->scale;
    if (d != 0)
      for (size_t j = 0; j < s->n; j++) inject(run, pop, s->id[j], t, d);
    s->value = v;
  }
  s->next++;
  return push_next(pl, run, s, ev->arg);
}

/* Each source's next change and present value; a noisy source's values
 * and streams (loading allocates them as start does). */
static int checkpoint(evs_plugin *pl, evs_run *run, evs_ckpt *ck) {
  (void)run; /* a source's state is the same on any thread or rank */
  currents *cs = pl->state;
  if (!cs) return evs_ckpt_label(ck, "no current source");
  evs_ckpt_label(ck, "current sources");
  for (uint32_t i = 0; i < cs->n && !evs_ckpt_status(ck); i++) {
    source *s = &cs->s[i];
    if (evs_ckpt_loading(ck)) { /* what start derives */
      evs_pop *pop = pl->net->pop[s->pop];
      s->scale = pop->type->dc_scale(pop, EVS_DIM_CURRENT);
      s->grid = pop->type->kind == EVS_POP_EXACT ? 0 : pop->tick;
    }
    evs_ckpt_bytes(ck, &s->next, sizeof s->next);
    evs_ckpt_bytes(ck, &s->value, sizeof s->value);
    if (s->spec.kind != EVS_CURRENT_NOISY) continue;
    if (evs_ckpt_loading(ck)) {
      free(s->nvalue);
      free(s->rng);
      s->nvalue = calloc(s->n ? s->n : 1, sizeof *s->nvalue);
      s->rng = malloc((s->n ? s->n : 1) * sizeof *s->rng);
      if (!s->nvalue || !s->rng)
        return evs_ckpt_refuse(ck, "out of memory loading current sources");
    }
    evs_ckpt_fixed(ck, s->nvalue, s->n, sizeof *s->nvalue);
    evs_ckpt_fixed(ck, s->rng, s->n, sizeof *s->rng);
  }
  return evs_ckpt_status(ck);
}

static void destroy(evs_plugin *pl) {
  currents *cs = pl->state;
  if (!cs) return;
  for (uint32_t i = 0; i < cs->n; i++) source_free(&cs->s[i]);
  free(cs->s);
  free(cs);
}

const evs_plugin_type evs__current_plugin = {
    .name = "currents",
    .start = start,
    .clock = clock,
    .destroy = destroy,
    .checkpoint = checkpoint,
};
