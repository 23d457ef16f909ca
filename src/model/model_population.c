/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: a [population NAME] section checked into
 * its description (evs_pop_desc, include/evsnn/model_desc.h): its type,
 * size and parameters here, its recordings and rate check in
 * model_record.c. */
#include "model/model_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/neuron.h"

double evs__model_pop_value(evs__model_ctx *c, const evs__model_sec *s,
                            const evs_param_def *defs, size_t nd,
                            const char *name) {
  const evs__model_key *k = evs__model_key_get(s, name);
  for (size_t i = 0; i < nd; i++) {
    if (strcmp(defs[i].name, name)) continue;
    if (!k) return defs[i].def;
    evs_dist d;
    evs_error *keep = c->err, quiet;
    c->err = &quiet; /* errors are the key's own check's to report */
    int rc = evs__model_get_dist(c, k, defs[i].dim, &d);
    c->err = keep;
    return rc == EVS_OK && d.kind == EVS_DIST_CONST ? d.p[0] : NAN;
  }
  return NAN;
}

/* A population's type as the check needs it: its parameter table. */
typedef struct type_info {
  const evs_param_def *defs;
  size_t nd;
  evs_pop_kind kind;
} type_info;

/* The population's background under [network] into d: its rate times
 * k_scale and weight / sqrt(k_scale) when it stays Poisson (in d->params),
 * plus the constant current that keeps its mean input (1 - sqrt(k_scale))
 * rate w tau_syn_E (the reference implementation's compensation); or, with
 * background = dc, no rate and its whole mean rate w tau_syn_E as a
 * constant current. */
static void background(evs__model_ctx *c, const evs__model_sec *s,
                       const type_info *t, evs_pop_desc *d) {
  const evs__model_key *kr = evs__model_key_get(s, "background_rate");
  const evs__model_key *kw = evs__model_key_get(s, "background_weight");
  if (!kr || !kw || (!c->background_dc && c->k_scale == 1)) return;
  double rate = evs__model_pop_value(c, s, t->defs, t->nd, "background_rate");
  double w = evs__model_pop_value(c, s, t->defs, t->nd, "background_weight");
  double tau = evs__model_pop_value(c, s, t->defs, t->nd, "tau_syn_E");
  double mean = rate * w * tau;
  d->has_dc = 1;
  d->dc = c->background_dc ? mean : (1 - sqrt(c->k_scale)) * mean;
}

/* The key name of s, if given, takes the value plain or other, and only
 * for the type base: other makes d's type variant. EVS_OK, or the key's
 * error. */
static int type_variant(evs__model_ctx *c, const evs__model_sec *s,
                        evs_pop_desc *d, const char *name, const char *plain,
                        const char *other, const char *base,
                        const char *variant) {
  const evs__model_key *k = evs__model_key_get(s, name);
  if (!k) return EVS_OK;
  int alt = !strcmp(k->value, other);
  if (!alt && strcmp(k->value, plain))
    return evs__model_key_fail(c, k, "%s must be %s or %s, got '%s'", name,
                               plain, other, k->value);
  if (strcmp(d->type, base))
    return evs__model_key_fail(c, k, "%s applies to %s only (%s: %s)", name,
                               base, other, variant);
  if (alt) d->type = variant;
  return EVS_OK;
}

/* The type (integration = grid: IF_curr_exp_grid; precision = single:
 * IF_cond_ampa_nmda_single), its parameter table
 * (into *t), reference_rate and size of s into d. */
static int check_type(evs__model_ctx *c, const evs__model_sec *s,
                      evs_pop_desc *d, type_info *t) {
  const evs__model_key *kt, *ks, *k;
  uint64_t size;
  int rc = EVS_OK;
  if (!(kt = evs__model_need(c, s, "type", &rc))) return rc;
  d->type = kt->value;
  if ((rc = type_variant(c, s, d, "integration", "exact", "grid",
                         "IF_curr_exp", "IF_curr_exp_grid")) ||
      (rc = type_variant(c, s, d, "precision", "double", "single",
                         "IF_cond_ampa_nmda", "IF_cond_ampa_nmda_single")))
    return rc;
  if ((k = evs__model_key_get(s, "reference_rate"))) {
    double r;
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_RATE, &r))) return rc;
    if (!(r >= 0))
      return evs__model_key_fail(c, k,
                                 "reference_rate must be >= 0, got "
                                 "'%s'",
                                 k->value);
  }
  if (evs_neuron_type_params(d->type, &t->defs, &t->nd, &t->kind) != EVS_OK) {
    char known[512] = "";
    const char *const *names = evs_neuron_type_names();
    for (size_t i = 0; names && names[i]; i++)
      snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
               i ? ", " : "", names[i]);
    return evs__model_key_fail(c, kt, "unknown neuron type '%s' (known: %s)",
                               kt->value, known);
  }
  if (!(ks = evs__model_need(c, s, "size", &rc))) return rc;
  if (evs__model_parse_u64(ks->value, &size) || size == 0 || size > UINT32_MAX)
    return evs__model_key_fail(c, ks,
                               "size must be a positive integer (at most %u), "
                               "got '%s'",
                               UINT32_MAX, ks->value);
  size = evs__model_scaled_size(c, size);
  if (size > UINT32_MAX)
    return evs__model_key_fail(c, ks,
                               "size %s times [network] scale %g "
                               "exceeds %u",
                               ks->value, c->scale, UINT32_MAX);
  d->size = (uint32_t)size;
  return EVS_OK;
}

/* The keys of [population] besides the type's parameters. */
static const char *const pop_keys[] = {"type",
                                       "size",
                                       "record_spikes",
                                       "record_v",
                                       "record_interval",
                                       "record",
                                       "record_neurons",
                                       "rate_min",
                                       "rate_max",
                                       "rate_tau",
                                       "integration",
                                       "precision",
                                       "reference_rate",
                                       NULL};

/* The type's parameters of s, in file order, into d->params; every
 * required one given. */
static int check_params(evs__model_ctx *c, const evs__model_sec *s,
                        const type_info *t, evs_pop_desc *d) {
  evs__model_key *k, *tmp;
  evs_param_desc *par;
  char *path;
  int rc;
  if ((rc = evs__model_alloc(c, (HASH_COUNT(s->keys) + 1) * sizeof *par, &par)))
    return rc;
  d->params = par;
  HASH_ITER(hh, s->keys, k, tmp) {
    size_t i;
    for (i = 0; pop_keys[i]; i++)
      if (!strcmp(k->name, pop_keys[i])) break;
    if (pop_keys[i]) continue;
    for (i = 0; i < t->nd; i++)
      if (!strcmp(k->name, t->defs[i].name)) break;
    if (i == t->nd)
      return evs__model_key_fail(c, k,
                                 "unknown key '%s' in [%s] (type %s "
                                 "has no such parameter)",
                                 k->name, s->id, d->type);
    evs_param_desc *p = &par[d->n_params];
    p->name = k->name;
    if (t->defs[i].flags & EVS_PARAM_PATH) {
      if ((rc = evs__model_get_path(c, k, &path)) ||
          (rc = evs__model_keep(c, path)))
        return rc;
      p->path = path;
      d->n_params++;
      continue;
    }
    if ((rc = evs__model_get_dist(c, k, t->defs[i].dim, &p->value))) return rc;
    if (p->value.kind != EVS_DIST_CONST &&
        !(t->defs[i].flags & EVS_PARAM_PER_NEURON))
      return evs__model_key_fail(c, k,
                                 "%s must be a constant (only per-neuron "
                                 "parameters take distributions)",
                                 k->name);
    /* the background under [network] (see background()) */
    if (!strcmp(k->name, "background_rate")) {
      if (c->background_dc) continue;
      p->value = evs_dist_scale(p->value, c->k_scale);
    } else if (!strcmp(k->name, "background_weight")) {
      p->value = evs_dist_scale(p->value, 1 / sqrt(c->k_scale));
    }
    d->n_params++;
  }
  background(c, s, t, d);
  for (size_t i = 0; i < t->nd; i++)
    if ((t->defs[i].flags & EVS_PARAM_REQUIRED) &&
        !evs__model_key_get(s, t->defs[i].name))
      return evs__model_sec_fail(c, s,
                                 "missing required key '%s' in [%s] (type %s)",
                                 t->defs[i].name, s->id, d->type);
  return EVS_OK;
}

int evs__model_population_check(evs__model_ctx *c, const evs__model_sec *s,
                                evs_pop_desc *d) {
  type_info t;
  int rc;
  d->name = s->name;
  if ((rc = evs__model_origin(c, s, &d->origin)) ||
      (rc = check_type(c, s, d, &t)) || (rc = check_params(c, s, &t, d)))
    return rc;
  return evs__model_recordings(c, s, t.kind, d);
}
