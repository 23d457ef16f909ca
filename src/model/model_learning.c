/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: a projection's plasticity keys (the
 * learning rule and its parameters, record_weights, record_synapses,
 * record_matrix, short-term plasticity) checked into its description
 * (evs_proj_desc) for model_projection.c. The format is documented in
 * doc/model-format.md. */
#include "model/model_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/neuron.h"
#include "evsnn/rule.h"

int evs__model_get_rule(evs__model_ctx *c, const evs__model_sec *s,
                        const char **rule, const evs_param_def **defs,
                        size_t *nd) {
  const evs__model_key *k = evs__model_key_get(s, "rule");
  *rule = NULL;
  *defs = NULL;
  *nd = 0;
  if (!k) return EVS_OK;
  if (evs_rule_params(k->value, defs, nd) != EVS_OK) {
    char known[512] = "";
    const char *const *r = evs_rule_names();
    for (size_t i = 0; r && r[i]; i++)
      snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
               i ? ", " : "", r[i]);
    return evs__model_key_fail(c, k, "unknown learning rule '%s' (known: %s)",
                               k->value, known);
  }
  *rule = k->value;
  return EVS_OK;
}

long evs__model_rule_param_index(const evs_param_def *defs, size_t nd,
                                 const char *name) {
  for (size_t i = 0; i < nd; i++)
    if (!strcmp(defs[i].name, name)) return (long)i;
  return -1;
}

const char *evs__model_rule_with_param(const char *name) {
  const char *const *r = evs_rule_names();
  for (size_t i = 0; r && r[i]; i++) {
    const evs_param_def *defs;
    size_t nd;
    if (evs_rule_params(r[i], &defs, &nd) == EVS_OK &&
        evs__model_rule_param_index(defs, nd, name) >= 0)
      return r[i];
  }
  return NULL;
}

/* record_matrix = TIME, TIME, ...: Matrix Market snapshots of the
 * projection's weights, into d. */
static int do_snapshots(evs__model_ctx *c, const evs__model_key *k,
                        evs_proj_desc *d) {
  double t[64], *times;
  size_t n = 0;
  const char *p = k->value;
  for (;;) {
    char why[160];
    const char *end;
    if (n == sizeof t / sizeof t[0])
      return evs__model_key_fail(c, k, "record_matrix: at most %zu times",
                                 sizeof t / sizeof t[0]);
    if (evs_unit_parse_prefix(p, EVS_DIM_TIME, &t[n], &end, why, sizeof why))
      return evs__model_key_fail(c, k, "record_matrix: %s", why);
    if (!(t[n] >= 0) || !isfinite(t[n]))
      return evs__model_key_fail(c, k, "record_matrix: times must be >= 0");
    n++;
    while (*end == ' ' || *end == '\t') end++;
    if (*end == '\0') break;
    if (*end != ',')
      return evs__model_key_fail(c, k,
                                 "record_matrix: expected a list of "
                                 "times such as '0 s, 10 s', got '%s'",
                                 k->value);
    p = end + 1;
  }
  int rc;
  if ((rc = evs__model_alloc(c, n * sizeof *times, &times))) return rc;
  memcpy(times, t, n * sizeof *times);
  d->matrix_times = times;
  d->n_matrix_times = n;
  return EVS_OK;
}

/* An interval key (record_weights, record_synapses): a time > 0 into *out,
 * or 0 when s has no key name. */
static int interval(evs__model_ctx *c, const evs__model_sec *s,
                    const char *name, double *out) {
  const evs__model_key *k = evs__model_key_get(s, name);
  int rc;
  *out = 0;
  if (!k) return EVS_OK;
  if ((rc = evs__model_get_quantity(c, k, EVS_DIM_TIME, out))) return rc;
  if (!(*out > 0) || !isfinite(*out))
    return evs__model_key_fail(c, k, "%s must be > 0, got '%s'", name,
                               k->value);
  return EVS_OK;
}

int evs__model_learning(evs__model_ctx *c, const evs__model_sec *s,
                        const evs_param_def *defs, size_t nd,
                        evs_proj_desc *d) {
  const char *rule = d->rule;
  evs__model_key *k, *tmp;
  evs_rule_param_desc *par = NULL;
  int rc;
  if (rule &&
      (rc = evs__model_alloc(c, (HASH_COUNT(s->keys) + 1) * sizeof *par, &par)))
    return rc;
  d->rule_params = par;
  HASH_ITER(hh, s->keys, k, tmp) {
    long i = rule ? evs__model_rule_param_index(defs, nd, k->name) : -1;
    if (i < 0) continue;
    evs_dim dim =
        (defs[i].flags & EVS_PARAM_WEIGHT) ? d->weight_dim : defs[i].dim;
    double v;
    if ((rc = evs__model_get_quantity(c, k, dim, &v))) return rc;
    if (!isfinite(v))
      return evs__model_key_fail(c, k, "%s = %s: not a finite number", k->name,
                                 k->value);
    par[d->n_rule_params++] = (evs_rule_param_desc){k->name, v};
  }
  for (size_t i = 0; rule && i < nd; i++)
    if ((defs[i].flags & EVS_PARAM_REQUIRED) &&
        !evs__model_key_get(s, defs[i].name))
      return evs__model_sec_fail(c, s,
                                 "missing required key '%s' in [%s] (rule %s)",
                                 defs[i].name, s->id, rule);
  if ((rc = interval(c, s, "record_weights", &d->record_weights)) ||
      (rc = interval(c, s, "record_synapses", &d->record_synapses)))
    return rc;
  if ((k = evs__model_key_get(s, "record_matrix")))
    return do_snapshots(c, k, d);
  return EVS_OK;
}

int evs__model_stp(evs__model_ctx *c, const evs__model_sec *s,
                   evs_proj_desc *d) {
  const evs__model_key *ku = evs__model_key_get(s, "stp_U");
  const evs__model_key *kd = evs__model_key_get(s, "stp_tau_d");
  const evs__model_key *kf = evs__model_key_get(s, "stp_tau_f");
  double U, tau_d, tau_f = 0;
  int rc;
  if (!ku && !kd) {
    if (kf)
      return evs__model_key_fail(c, kf,
                                 "stp_tau_f without stp_U and "
                                 "stp_tau_d");
    return EVS_OK;
  }
  if (!ku || !kd)
    return evs__model_key_fail(c, ku ? ku : kd, "%s needs %s as well",
                               ku ? "stp_U" : "stp_tau_d",
                               ku ? "stp_tau_d" : "stp_U");
  if ((rc = evs__model_get_quantity(c, ku, EVS_DIM_NONE, &U))) return rc;
  if (!(U > 0 && U <= 1))
    return evs__model_key_fail(c, ku, "stp_U must lie in (0, 1], got '%s'",
                               ku->value);
  if ((rc = evs__model_get_quantity(c, kd, EVS_DIM_TIME, &tau_d))) return rc;
  if (!(tau_d > 0) || !isfinite(tau_d))
    return evs__model_key_fail(c, kd, "stp_tau_d must be > 0, got '%s'",
                               kd->value);
  if (kf) {
    if ((rc = evs__model_get_quantity(c, kf, EVS_DIM_TIME, &tau_f))) return rc;
    if (!(tau_f >= 0) || !isfinite(tau_f))
      return evs__model_key_fail(c, kf, "stp_tau_f must be >= 0, got '%s'",
                                 kf->value);
  }
  d->has_stp = 1;
  d->stp_U = U;
  d->stp_tau_d = tau_d;
  d->stp_tau_f = tau_f;
  return EVS_OK;
}
