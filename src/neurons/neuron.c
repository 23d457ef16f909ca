/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the registry of neuron and source types, and parameter look-up. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/net_impl.h"
#include "registry.h"

/* The names of the types (src/registry.def), NULL-terminated, made on
 * first use. */
static const char **type_names;

const evs_neuron_type *evs__neuron_type_find(const char *name) {
  for (size_t i = 0; i < evs__registry_n_neurons; i++)
    if (strcmp(evs__registry_neurons[i]->name, name) == 0)
      return evs__registry_neurons[i];
  return NULL;
}

int evs__param_index(const evs_neuron_type *type, const char *name) {
  for (size_t i = 0; i < type->n_params; i++)
    if (strcmp(type->params[i].name, name) == 0) return (int)i;
  return -1;
}

int evs__bad_param(const evs_pop *pop, int k, const char *what,
                   evs_error *err) {
  const char *name = pop->type->params[k].name;
  evs_error_set(err, EVS_EINVAL, NULL, 0, "population %s: %s %s", pop->name,
                name, what);
  evs_error_key(err, name);
  return EVS_EINVAL;
}

double evs__pop_param(const evs_pop *pop, const char *name) {
  int i = evs__param_index(pop->type, name);
  assert(i >= 0);
  return pop->par[i];
}

EVS_API int evs_neuron_type_params(const char *type, const evs_param_def **defs,
                                   size_t *n, evs_pop_kind *kind) {
  const evs_neuron_type *t = evs__neuron_type_find(type);
  if (!t) return EVS_ENOENT;
  if (defs) *defs = t->params;
  if (n) *n = t->n_params;
  if (kind) *kind = t->kind;
  return EVS_OK;
}

EVS_API const char *evs_neuron_type_recordable(const char *type, size_t i,
                                               const char **unit) {
  const evs_neuron_type *t = evs__neuron_type_find(type);
  if (!t || !t->voltage) return NULL;
  if (i == 0) {
    if (unit) *unit = t->silent ? "Hz" : "V";
    return "v";
  }
  if (i - 1 >= t->n_recordables) return NULL;
  if (unit) *unit = t->recordables[i - 1].unit;
  return t->recordables[i - 1].name;
}

EVS_API const char *const *evs_neuron_type_names(void) {
  static const char *none[] = {NULL}; /* when out of memory */
  if (type_names) return type_names;
  size_t n = evs__registry_n_neurons;
  const char **names = malloc((n + 1) * sizeof *names);
  if (!names) return none;
  for (size_t i = 0; i < n; i++) names[i] = evs__registry_neurons[i]->name;
  names[n] = NULL;
  return type_names = names;
}
