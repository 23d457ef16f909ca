/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: a projection's plasticity keys (the
 * learning rule and its parameters, record_weights, record_matrix,
 * short-term plasticity), checked and set for model_build.c's
 * do_projection. The format is documented in doc/model-format.md. */
#include "model/model_impl.h"

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

/* record_matrix = TIME, TIME, ...: Matrix Market snapshots of projection
 * proj's weights, set on net when it is not NULL. */
static int do_snapshots(evs__model_ctx *c, const evs__model_sec *s,
                        const evs__model_key *k, evs_net *net, int proj) {
  double t[64];
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
  evs_error ne;
  int rc;
  if (net && (rc = evs_net_record_matrix(net, proj, t, n, &ne)))
    return evs__model_net_fail(c, rc, s, k, &ne);
  return EVS_OK;
}

int evs__model_learning(evs__model_ctx *c, const evs__model_sec *s,
                        evs_net *net, int proj, const char *rule,
                        const evs_param_def *defs, size_t nd, evs_dim wdim) {
  const evs__model_key *kr = evs__model_key_get(s, "rule");
  evs__model_key *k, *tmp;
  evs_error ne;
  int rc;
  if (rule && net && (rc = evs_net_set_rule(net, proj, rule, &ne)))
    return evs__model_net_fail(c, rc, s, kr, &ne);
  HASH_ITER(hh, s->keys, k, tmp) {
    long i = rule ? evs__model_rule_param_index(defs, nd, k->name) : -1;
    if (i < 0) continue;
    evs_dim dim = (defs[i].flags & EVS_PARAM_WEIGHT) ? wdim : defs[i].dim;
    double v;
    if ((rc = evs__model_get_quantity(c, k, dim, &v))) return rc;
    if (!isfinite(v))
      return evs__model_key_fail(c, k, "%s = %s: not a finite number", k->name,
                                 k->value);
    if (net && (rc = evs_net_set_rule_param(net, proj, k->name, v, &ne)))
      return evs__model_net_fail(c, rc, s, k, &ne);
  }
  for (size_t i = 0; rule && i < nd; i++)
    if ((defs[i].flags & EVS_PARAM_REQUIRED) &&
        !evs__model_key_get(s, defs[i].name))
      return evs__model_sec_fail(c, s,
                                 "missing required key '%s' in [%s] (rule %s)",
                                 defs[i].name, s->id, rule);
  if ((k = evs__model_key_get(s, "record_weights"))) {
    double interval;
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_TIME, &interval)))
      return rc;
    if (!(interval > 0) || !isfinite(interval))
      return evs__model_key_fail(c, k, "record_weights must be > 0, got '%s'",
                                 k->value);
    if (net && (rc = evs_net_record_weights(net, proj, interval, &ne)))
      return evs__model_net_fail(c, rc, s, k, &ne);
  }
  if ((k = evs__model_key_get(s, "record_synapses"))) {
    double interval;
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_TIME, &interval)))
      return rc;
    if (!(interval > 0) || !isfinite(interval))
      return evs__model_key_fail(c, k, "record_synapses must be > 0, got '%s'",
                                 k->value);
    if (net && (rc = evs_net_record_synapses(net, proj, interval, &ne)))
      return evs__model_net_fail(c, rc, s, k, &ne);
  }
  if ((k = evs__model_key_get(s, "record_matrix")))
    return do_snapshots(c, s, k, net, proj);
  return EVS_OK;
}

int evs__model_stp(evs__model_ctx *c, const evs__model_sec *s, evs_net *net,
                   int proj) {
  const evs__model_key *ku = evs__model_key_get(s, "stp_U");
  const evs__model_key *kd = evs__model_key_get(s, "stp_tau_d");
  const evs__model_key *kf = evs__model_key_get(s, "stp_tau_f");
  double U, tau_d, tau_f = 0;
  evs_error ne;
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
  if (net && (rc = evs_net_set_stp(net, proj, U, tau_d, tau_f, &ne)))
    return evs__model_net_fail(c, rc, s, ku, &ne);
  return EVS_OK;
}
