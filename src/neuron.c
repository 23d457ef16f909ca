/* evsnn — the registry of neuron and source types, and parameter look-up. */
#include <assert.h>
#include <string.h>

#include "engine.h"
#include "rate.h"

/* Adding a type: define its descriptor in its own module and list it here. */
static const evs_neuron_type *const registry[] = {
    &evs__if_curr_exp,    &evs__if_cond_exp,  &evs__source_poisson,
    &evs__source_frozen,  &evs__source_array,  &evs__if_cond_exp_gsfa_grr,
    &evs__rate_gaussian,  &evs__rate_constant, &evs__rate_linear,
};
#define N_TYPES (sizeof registry / sizeof registry[0])

static const char *type_names[N_TYPES + 1];

const evs_neuron_type *evs__neuron_type_find(const char *name) {
  for (size_t i = 0; i < N_TYPES; i++)
    if (strcmp(registry[i]->name, name) == 0) return registry[i];
  return NULL;
}

int evs__param_index(const evs_neuron_type *type, const char *name) {
  for (size_t i = 0; i < type->n_params; i++)
    if (strcmp(type->params[i].name, name) == 0) return (int)i;
  return -1;
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

EVS_API const char *const *evs_neuron_type_names(void) {
  if (!type_names[0])
    for (size_t i = 0; i < N_TYPES; i++) type_names[i] = registry[i]->name;
  return type_names;
}
