/* evsnn — the registry of learning rules, and statistics of weights. */
#include <math.h>
#include <string.h>

#include "plastic.h"

/* Adding a rule: define its table in its own module and list it here. */
static const evs_rule_type *const registry[] = {
    &evs__rule_stdp_pair,
    &evs__rule_stdp_triplet,
};
#define N_RULES (sizeof registry / sizeof registry[0])

static const char *rule_names[N_RULES + 1];

const evs_rule_type *evs__rule_type_find(const char *name) {
  for (size_t i = 0; i < N_RULES; i++)
    if (strcmp(registry[i]->name, name) == 0) return registry[i];
  return NULL;
}

EVS_API int evs_rule_params(const char *rule, const evs_param_def **defs,
                            size_t *n) {
  const evs_rule_type *t = evs__rule_type_find(rule);
  if (!t) return EVS_ENOENT;
  if (defs) *defs = t->params;
  if (n) *n = t->n_params;
  return EVS_OK;
}

EVS_API const char *const *evs_rule_names(void) {
  if (!rule_names[0])
    for (size_t i = 0; i < N_RULES; i++) rule_names[i] = registry[i]->name;
  return rule_names;
}

/* The value of rule parameter name, or NAN when the rule has none. */
static double rule_param(const evs_plastic *pl, const char *name) {
  for (size_t k = 0; k < pl->type->n_params; k++)
    if (strcmp(pl->type->params[k].name, name) == 0) return pl->par[k];
  return NAN;
}

void evs__weight_stats(const evs_proj *p, double out[6]) {
  const evs_csr *m = p->csr;
  double lo = NAN, hi = NAN;
  if (p->rule) {
    lo = rule_param(p->rule, "w_min");
    hi = rule_param(p->rule, "w_max");
  }
  double sum = 0, sum2 = 0, wmin = INFINITY, wmax = -INFINITY;
  uint64_t at_lo = 0, at_hi = 0;
  for (uint64_t s = 0; s < m->nnz; s++) {
    double w = m->weight[s];
    sum += w;
    sum2 += w * w;
    if (w < wmin) wmin = w;
    if (w > wmax) wmax = w;
    at_lo += w <= (float)lo;
    at_hi += w >= (float)hi;
  }
  double n = m->nnz ? (double)m->nnz : 1, mean = sum / n;
  double var = sum2 / n - mean * mean;
  double scale = p->weight_scale;
  out[0] = mean / scale;
  out[1] = sqrt(var > 0 ? var : 0) / scale;
  out[2] = m->nnz ? wmin / scale : 0;
  out[3] = m->nnz ? wmax / scale : 0;
  out[4] = at_lo / n;
  out[5] = at_hi / n;
}
