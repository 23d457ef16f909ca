/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the parameters of a net's populations through the
 * public API (evs_net_set_param, evs_net_set_param_values, evs_net_set_path),
 * before the build or, through the type's change hook, between the phases
 * of its run, and what the types read of them (evs__pop_value,
 * evs__pop_varies). Building the net (and its rules' parameters) is
 * net.c's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/checks.h"
#include "core/net_impl.h"
#include "core/plugin.h"
#include "core/run.h"

/* The prologue of the parameter setters: the population must exist and
 * its type must have a parameter called name. Sets *pop and *k (the
 * parameter's index) and returns EVS_OK, or returns the error: EVS_EINVAL,
 * EVS_ENOENT. */
static int find_param(evs_net *net, int pop_index, const char *name,
                      evs_pop **pop, int *k, evs_error *err) {
  *pop = evs__net_pop(net, pop_index, err);
  if (!*pop) return EVS_EINVAL;
  *k = evs__param_index((*pop)->type, name);
  if (*k < 0)
    return evs_error_set(err, EVS_ENOENT, NULL, 0, "%s has no parameter '%s'",
                         (*pop)->type->name, name);
  return EVS_OK;
}

/* The parameter arrays of a population (par, dist, values) copied, for
 * the population as it was or as it would be. */
typedef struct param_copy {
  double *par;
  evs_dist *dist;
  double **values; /* the pointers only: the arrays stay pop's */
} param_copy;

static void param_copy_free(param_copy *c) {
  free(c->par);
  free(c->dist);
  free(c->values);
}

static int param_copy_make(const evs_pop *pop, param_copy *c) {
  size_t n = pop->type->n_params ? pop->type->n_params : 1;
  c->par = malloc(n * sizeof *c->par);
  c->dist = malloc(n * sizeof *c->dist);
  c->values = malloc(n * sizeof *c->values);
  if (!c->par || !c->dist || !c->values) {
    param_copy_free(c);
    return EVS_ENOMEM;
  }
  memcpy(c->par, pop->par, pop->type->n_params * sizeof *c->par);
  memcpy(c->dist, pop->dist, pop->type->n_params * sizeof *c->dist);
  memcpy(c->values, pop->values, pop->type->n_params * sizeof *c->values);
  return EVS_OK;
}

/* s (a population or a thread's slice) with the parameter arrays of c. */
static evs_pop with_params(const evs_pop *s, const param_copy *c) {
  evs_pop x = *s;
  x.par = c->par;
  x.dist = c->dist;
  x.values = c->values;
  return x;
}

/* Tells every part of pop this process holds (the population, or the
 * threads' slices of it) that parameter k changed at the time the run has
 * reached, old holding the parameters before. EVS_OK or EVS_ENOMEM (the
 * population then fails the run at its next event). */
static int tell_parts(evs_net *net, evs_pop *pop, int k, const param_copy *old,
                      evs_error *err) {
  double t = evs__run_time(net->run);
  for (uint32_t id = pop->rank_lo; id < pop->rank_hi;) {
    uint32_t j = id;
    evs_pop *s = evs__run_neuron(net->run, pop, &j);
    if (!s) break; /* another rank's (not in [rank_lo, rank_hi)) */
    evs_pop before = with_params(s, old);
    if (pop->type->change(s, &before, k, t)) {
      s->failed = EVS_ENOMEM;
      return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                           "population %s: out of memory changing '%s'",
                           pop->name, pop->type->params[k].name);
    }
    id = s->first + s->size;
  }
  return EVS_OK;
}

/* 1 when parameter k of pop already is value (values NULL) or values[0..
 * size) for every neuron: setting it changes nothing. */
static int same_value(const evs_pop *pop, int k, double value,
                      const double *values) {
  if (!pop->values[k] && pop->dist[k].kind != EVS_DIST_CONST) return 0;
  if (!values) return !pop->values[k] && pop->par[k] == value;
  for (uint32_t i = 0; i < pop->size; i++)
    if (values[i] != (pop->values[k] ? pop->values[k][i] : pop->par[k]))
      return 0;
  return 1;
}

/* Parameter k of the built population pop becomes value, or values[0..size)
 * (value their mean; owned: freed or kept). During a run (between its
 * phases) the type's change hook brings the neurons to the phase's end and
 * takes the new value from there; before the run, the population's state
 * is drawn again as if the value had been set before the build. EVS_OK, or
 * an error with nothing changed: EVS_ESTATE (a type whose parameters are
 * fixed, a run that has ended), the type's refusal (check_change), or
 * EVS_ENOMEM. */
static int change_param(evs_net *net, evs_pop *pop, int k, double value,
                        double *values, evs_error *err) {
  const evs_neuron_type *type = pop->type;
  const char *name = type->params[k].name;
  param_copy old = {0}, next = {0};
  int rc;
  if (net->ran && !net->run) {
    rc = evs_error_set(err, EVS_ESTATE, NULL, 0,
                       "population %s: '%s': the run has ended", pop->name,
                       name);
    goto out;
  }
  if (!type->change) {
    rc = evs_error_set(err, EVS_ESTATE, NULL, 0,
                       "population %s: the parameters of %s cannot change "
                       "once the net is built",
                       pop->name, type->name);
    goto out;
  }
  /* A distribution drawn at the build keeps its draws in every neuron's
   * stream (evs__pop_value discards them), so that a type reading its
   * neurons' values again reads those after it in its order where the
   * build drew them; the new value, one for all, is then one per neuron. */
  int drawn = pop->dist[k].kind != EVS_DIST_CONST;
  if (drawn && !values &&
      (values = malloc((pop->size ? pop->size : 1) * sizeof *values)))
    for (uint32_t i = 0; i < pop->size; i++) values[i] = value;
  if ((drawn && !values) || param_copy_make(pop, &old) ||
      param_copy_make(pop, &next)) {
    rc = evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
    goto out;
  }
  next.par[k] = value;
  next.dist[k] = drawn ? pop->dist[k] : evs_dist_const(value);
  next.values[k] = values;
  evs_pop whole = with_params(pop, &next);
  if (type->check_change && (rc = type->check_change(&whole, k, err))) {
    evs_error_about(err, EVS_ABOUT_POPULATION, (int)pop->index);
    goto out;
  }
  if (net->run && !same_value(pop, k, value, values) &&
      (rc = evs__run_params_change(net->run, err)))
    goto out;
  pop->par[k] = value;
  pop->dist[k] = next.dist[k];
  pop->values[k] = values; /* the old array stays in old.values[k] */
  values = NULL;
  if (net->run) {
    rc = tell_parts(net, pop, k, &old, err);
  } else if (pop->state) { /* built, not started: drawn again */
    type->destroy(pop);
    rc = type->init(pop, err);
  } else {
    rc = EVS_OK; /* another rank's, or the threads' slices will draw it */
  }
  free(old.values[k]);
out:
  free(values);
  param_copy_free(&old);
  param_copy_free(&next);
  return rc;
}

EVS_API int evs_net_set_param(evs_net *net, int pop_index, const char *name,
                              const evs_dist *value, evs_error *err) {
  evs_pop *pop;
  int k;
  int rc = find_param(net, pop_index, name, &pop, &k, err);
  if (rc) return rc;
  const evs_param_def *d = &pop->type->params[k];
  if (d->flags & EVS_PARAM_PATH)
    return evs_error_set(err, EVS_EINVAL, NULL, 0, "%s: '%s' is a file path",
                         pop->name, name);
  if (value->kind != EVS_DIST_CONST && !(d->flags & EVS_PARAM_PER_NEURON))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: '%s' must be a constant, not a distribution",
                         pop->name, name);
  if (value->kind == EVS_DIST_CONST && isnan(value->p[0]))
    return evs_error_set(err, EVS_EINVAL, NULL, 0, "%s: '%s' is not a number",
                         pop->name, name);
  /* as in a model file: finite, within 1e15 (or the default, e.g. a
   * source's stop = inf) */
  if (!evs__dist_ok(value) &&
      !(value->kind == EVS_DIST_CONST && value->p[0] == d->def))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: '%s' must be finite and at most %g in "
                         "magnitude (SI units)",
                         pop->name, name, EVS__MAX_MAGNITUDE);
  if (net->built) {
    if (value->kind != EVS_DIST_CONST)
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "%s: '%s': a distribution is drawn when the net is "
                           "built; after that give one value, or one per "
                           "neuron (evs_net_set_param_values)",
                           pop->name, name);
    return change_param(net, pop, k, value->p[0], NULL, err);
  }
  pop->dist[k] = *value;
  pop->par[k] = evs_dist_mean(value);
  free(pop->values[k]); /* the last call sets the parameter */
  pop->values[k] = NULL;
  return EVS_OK;
}

EVS_API int evs_net_set_param_values(evs_net *net, int pop_index,
                                     const char *name, const double *values,
                                     size_t n, evs_error *err) {
  evs_pop *pop;
  int k;
  int rc = find_param(net, pop_index, name, &pop, &k, err);
  if (rc) return rc;
  if (!(pop->type->params[k].flags & EVS_PARAM_PER_NEURON))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: '%s' of %s is one value for the population, "
                         "not one per neuron",
                         pop->name, name, pop->type->name);
  if (n != pop->size)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: %zu values of '%s' for %u neurons", pop->name, n,
                         name, (unsigned)pop->size);
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    if (!evs__value_ok(values[i]))
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "%s: '%s' of neuron %zu must be finite and at most "
                           "%g in magnitude (SI units)",
                           pop->name, name, i, EVS__MAX_MAGNITUDE);
    sum += values[i];
  }
  double *copy = malloc(n * sizeof *copy);
  if (!copy) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  memcpy(copy, values, n * sizeof *copy);
  if (net->built) return change_param(net, pop, k, sum / (double)n, copy, err);
  free(pop->values[k]);
  pop->values[k] = copy;
  pop->par[k] = sum / (double)n; /* the mean, as for a distribution */
  pop->dist[k] = evs_dist_const(pop->par[k]);
  return EVS_OK;
}

double evs__pop_value(const evs_pop *pop, int k, uint32_t i, evs_rng *r) {
  if (pop->values && pop->values[k]) {
    /* given values after the build drew it: its draws stay in the stream */
    if (pop->dist && pop->dist[k].kind != EVS_DIST_CONST)
      (void)evs_dist_draw(&pop->dist[k], r);
    return pop->values[k][pop->first + i];
  }
  if (!pop->dist) return pop->par[k];
  return evs_dist_draw(&pop->dist[k], r);
}

int evs__pop_varies(const evs_pop *pop, int k) {
  return (pop->values && pop->values[k]) ||
         (pop->dist && pop->dist[k].kind != EVS_DIST_CONST);
}

EVS_API int evs_net_set_path(evs_net *net, int pop_index, const char *name,
                             const char *path, evs_error *err) {
  evs_pop *pop;
  int k;
  int rc = evs__net_mutable(net, err);
  if (rc || (rc = find_param(net, pop_index, name, &pop, &k, err))) return rc;
  if (!(pop->type->params[k].flags & EVS_PARAM_PATH))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: '%s' is not a file path", pop->name, name);
  char *copy = strdup(path);
  if (!copy) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  free(pop->path[k]);
  pop->path[k] = copy;
  return EVS_OK;
}
