/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the parameters of a net's populations through the
 * public API (evs_net_set_param, evs_net_set_param_values, evs_net_set_path),
 * and what the types read of them (evs__pop_value, evs__pop_varies).
 * Building the net (and its rules' parameters) is net.c's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/checks.h"
#include "core/net_impl.h"

/* The prologue of the parameter setters: the net must still be mutable, the
 * population must exist and its type must have a parameter called name.
 * Sets *pop and *k (the parameter's index) and returns EVS_OK, or returns
 * the error: EVS_ESTATE once built, EVS_EINVAL, EVS_ENOENT. */
static int find_param(evs_net *net, int pop_index, const char *name,
                      evs_pop **pop, int *k, evs_error *err) {
  int rc = evs__net_mutable(net, err);
  if (rc) return rc;
  *pop = evs__net_pop(net, pop_index, err);
  if (!*pop) return EVS_EINVAL;
  *k = evs__param_index((*pop)->type, name);
  if (*k < 0)
    return evs_error_set(err, EVS_ENOENT, NULL, 0, "%s has no parameter '%s'",
                         (*pop)->type->name, name);
  return EVS_OK;
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
  free(pop->values[k]);
  pop->values[k] = copy;
  pop->par[k] = sum / (double)n; /* the mean, as for a distribution */
  pop->dist[k] = evs_dist_const(pop->par[k]);
  return EVS_OK;
}

double evs__pop_value(const evs_pop *pop, int k, uint32_t i, evs_rng *r) {
  if (pop->values && pop->values[k]) return pop->values[k][pop->first + i];
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
  int rc = find_param(net, pop_index, name, &pop, &k, err);
  if (rc) return rc;
  if (!(pop->type->params[k].flags & EVS_PARAM_PATH))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: '%s' is not a file path", pop->name, name);
  char *copy = strdup(path);
  if (!copy) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  free(pop->path[k]);
  pop->path[k] = copy;
  return EVS_OK;
}
