/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the registry of learning rules, and statistics of weights. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/plastic.h"
#include "registry.h"

/* Rules added by evs_rule_register, in the order they came. */
static const evs_rule_type **added;
static size_t n_added, cap_added;

/* Every rule's name, NULL-terminated: rebuilt by evs_rule_names when a
 * rule was added since. */
static const char **rule_names;
static size_t n_names;

/* The built-in rules first (src/registry.def), then the added ones. */
const evs_rule_type *evs__rule_type_find(const char *name) {
  for (size_t i = 0; i < evs__registry_n_rules; i++)
    if (strcmp(evs__registry_rules[i]->name, name) == 0)
      return evs__registry_rules[i];
  for (size_t i = 0; i < n_added; i++)
    if (strcmp(added[i]->name, name) == 0) return added[i];
  return NULL;
}

EVS_API int evs_rule_register(const evs_rule_type *type) {
  if (!type || !type->name || !type->name[0] || !type->init ||
      (type->n_params && !type->params))
    return EVS_EINVAL;
  int spike = type->on_pre && type->on_post, rate = type->on_rate != NULL;
  if (spike == rate) return EVS_EINVAL; /* exactly one of the two kinds */
  if (evs__rule_type_find(type->name)) return EVS_EEXIST;
  if (n_added == cap_added) {
    size_t cap = cap_added ? 2 * cap_added : 8;
    const evs_rule_type **a = realloc(added, cap * sizeof *a);
    if (!a) return EVS_ENOMEM;
    added = a;
    cap_added = cap;
  }
  added[n_added++] = type;
  return EVS_OK;
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
  static const char *none[] = {NULL}; /* when out of memory */
  size_t nb = evs__registry_n_rules, n = nb + n_added;
  if (rule_names && n_names == n) return rule_names;
  const char **names = realloc(rule_names, (n + 1) * sizeof *names);
  if (!names) return rule_names ? rule_names : none;
  for (size_t i = 0; i < nb; i++) names[i] = evs__registry_rules[i]->name;
  for (size_t i = 0; i < n_added; i++) names[nb + i] = added[i]->name;
  names[n] = NULL;
  rule_names = names;
  n_names = n;
  return rule_names;
}

EVS_API evs_csr *evs_rule_synapses(evs_rule *pl) { return pl->proj->csr; }

EVS_API const double *evs_rule_values(const evs_rule *pl) { return pl->par; }

EVS_API void *evs_rule_state(const evs_rule *pl) { return pl->state; }

EVS_API void evs_rule_set_state(evs_rule *pl, void *state) {
  pl->state = state;
}

EVS_API void evs_rule_set_clock(evs_rule *pl, double interval) {
  pl->clock = interval > 0 ? interval : 0;
}

EVS_API const char *evs_rule_projection(const evs_rule *pl) {
  return pl->proj->name;
}

int evs__rule_fail(const evs_rule *pl, evs_error *err, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return evs_error_set(err, EVS_EINVAL, NULL, 0, "projection %s: rule %s: %s",
                       pl->proj->name, pl->type->name, msg);
}

int evs__rule_check_set(const evs_rule *pl, evs_error *err) {
  const evs_rule_type *ty = pl->type;
  for (size_t i = 0; i < ty->n_params; i++) {
    if (isnan(pl->par[i]))
      return evs__rule_fail(pl, err, "parameter %s is required",
                            ty->params[i].name);
    if (!isfinite(pl->par[i]))
      return evs__rule_fail(pl, err, "parameter %s must be finite",
                            ty->params[i].name);
  }
  return EVS_OK;
}

int evs__rule_need_transpose(const evs_rule *pl, evs_error *err) {
  evs_csr *c = pl->proj->csr;
  if (!c)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "projection %s: rule %s: synapses not built",
                         pl->proj->name, pl->type->name);
  int rc = c->post_ptr ? EVS_OK : evs_csr_build_transpose(c);
  if (rc)
    return evs_error_set(err, rc, NULL, 0,
                         "projection %s: rule %s: cannot build the transposed "
                         "index: %s",
                         pl->proj->name, pl->type->name, evs_strerror(rc));
  return EVS_OK;
}

/* The value of rule parameter name, or NAN when the rule has none. */
static double rule_param(const evs_rule *pl, const char *name) {
  for (size_t k = 0; k < pl->type->n_params; k++)
    if (strcmp(pl->type->params[k].name, name) == 0) return pl->par[k];
  return NAN;
}

void evs__weight_stats(const evs_proj *p, const evs_csr *m, double out[6]) {
  double lo = NAN, hi = NAN;
  if (p->rule) {
    lo = rule_param(p->rule, "w_min");
    hi = rule_param(p->rule, "w_max");
  }
  double sum = 0, sum2 = 0, wmin = INFINITY, wmax = -INFINITY;
  uint64_t at_lo = 0, at_hi = 0;
  for (uint64_t s = 0; s < m->nnz; s++) {
    double w = evs_csr_weight(m, s);
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
