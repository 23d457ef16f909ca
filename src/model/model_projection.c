/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: a [projection NAME] section checked into
 * its description (evs_proj_desc, include/evsnn/model_desc.h); its
 * plasticity keys in model_learning.c. Which keys a projection takes, and
 * for which connect rules, is the table proj_keys; the connect rules are
 * the table conn_rules. */
#include "model/model_check.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/net.h"

/* The mask of connect rule kind in proj_keys. */
#define RULE(kind) (1u << (kind))
#define EVERY_RULE (~0u)
#define RANDOM_COUNT                                                           \
  (RULE(EVS_CONN_FIXED_INDEGREE) | RULE(EVS_CONN_FIXED_OUTDEGREE) |            \
   RULE(EVS_CONN_FIXED_TOTAL))

/* The keys of [projection] besides the learning rule's parameters, and the
 * connect rules each applies to. */
static const struct proj_key {
  const char *name;
  unsigned rules; /* mask of RULE(evs_conn_kind) */
} proj_keys[] = {
    {"pre", EVERY_RULE},
    {"post", EVERY_RULE},
    {"receptor", EVERY_RULE},
    {"connect", EVERY_RULE},
    {"weight", EVERY_RULE},
    {"delay", EVERY_RULE},
    {"rule", EVERY_RULE},
    {"record_weights", EVERY_RULE},
    {"record_matrix", EVERY_RULE},
    {"record_synapses", EVERY_RULE},
    {"stp_U", EVERY_RULE},
    {"stp_tau_d", EVERY_RULE},
    {"stp_tau_f", EVERY_RULE},
    {"p", RULE(EVS_CONN_FIXED_PROBABILITY)},
    {"n", RANDOM_COUNT},
    {"autapses", RULE(EVS_CONN_ALL_TO_ALL) | RULE(EVS_CONN_FIXED_PROBABILITY) |
                     RANDOM_COUNT},
    {"multapses", RANDOM_COUNT},
    {"file", RULE(EVS_CONN_FILE)},
};

/* The connect rules: name, kind, the key that sets their number of
 * synapses (NULL: connect itself) and their defaults. */
static const struct conn_rule {
  const char *name;
  evs_conn_kind kind;
  const char *count; /* "p", "n" or NULL */
  int autapses, multapses;
} conn_rules[] = {
    {"all_to_all", EVS_CONN_ALL_TO_ALL, NULL, 0, 0},
    {"one_to_one", EVS_CONN_ONE_TO_ONE, NULL, 1, 0}, /* i -> i is the rule */
    {"fixed_probability", EVS_CONN_FIXED_PROBABILITY, "p", 0, 0},
    {"fixed_indegree", EVS_CONN_FIXED_INDEGREE, "n", 0, 0},
    {"fixed_outdegree", EVS_CONN_FIXED_OUTDEGREE, "n", 0, 0},
    {"fixed_total", EVS_CONN_FIXED_TOTAL, "n", 0, 1},
    {"file", EVS_CONN_FILE, NULL, 0, 1},
};

/* The yes/no keys and the field of the spec each sets. */
static const struct bool_key {
  const char *name;
  size_t field; /* offsetof(evs_conn_spec, ...), an int */
} bool_keys[] = {
    {"autapses", offsetof(evs_conn_spec, autapses)},
    {"multapses", offsetof(evs_conn_spec, multapses)},
};

static const struct receptor_name {
  const char *name;
  evs_receptor receptor;
} receptors[] = {
    {"excitatory", EVS_RECEPTOR_EXC},
    {"inhibitory", EVS_RECEPTOR_INH},
};

/* Every key of s is in proj_keys for connect rule cr, or a parameter of the
 * learning rule (rdefs[0..nrd), when rule is not NULL); else an error at
 * the first key that is not, saying why. */
static int check_proj_keys(evs__model_ctx *c, const evs__model_sec *s,
                           const struct conn_rule *cr, const char *rule,
                           const evs_param_def *rdefs, size_t nrd) {
  evs__model_key *k, *tmp;
  HASH_ITER(hh, s->keys, k, tmp) {
    const struct proj_key *pk = NULL;
    for (size_t i = 0; i < sizeof proj_keys / sizeof *proj_keys; i++)
      if (!strcmp(k->name, proj_keys[i].name)) pk = &proj_keys[i];
    if (pk && (pk->rules & RULE(cr->kind))) continue;
    if (rule && evs__model_rule_param_index(rdefs, nrd, k->name) >= 0) continue;
    if (pk)
      return evs__model_key_fail(
          c, k, "key '%s' does not apply to connect = %s", k->name, cr->name);
    const char *owner = evs__model_rule_with_param(k->name);
    if (owner && !rule)
      return evs__model_key_fail(c, k,
                                 "key '%s' is a parameter of learning rule %s: "
                                 "it needs 'rule = %s' in [%s]",
                                 k->name, owner, owner, s->id);
    if (rule)
      return evs__model_key_fail(c, k,
                                 "unknown key '%s' in [%s] (learning "
                                 "rule %s has no such parameter)",
                                 k->name, s->id, rule);
    return evs__model_key_fail(c, k, "unknown key '%s' in [%s]", k->name,
                               s->id);
  }
  return EVS_OK;
}

/* The population named by key k: an error at k when there is none. */
static int need_pop(evs__model_ctx *c, const evs__model_key *k) {
  if (!evs__model_sec_find(c, EVS__MODEL_POP, k->value))
    return evs__model_key_fail(c, k, "undefined population '%s'", k->value);
  return EVS_OK;
}

/* 1 and *out set if text is a dimensionless number or distribution (a
 * weight of rate populations), else 0. */
static int weight_dimensionless(const char *text, evs_dist *out) {
  double v;
  if (strchr(text, '('))
    return evs_dist_parse(text, EVS_DIM_NONE, out, NULL, 0) == EVS_OK;
  if (evs_unit_parse(text, EVS_DIM_NONE, &v, NULL, 0) != EVS_OK) return 0;
  *out = evs_dist_const(v);
  return 1;
}

/* The size of population name as its section gives it, before [network]
 * scale; 0 when it does not say. */
static double file_size(const evs__model_ctx *c, const char *name) {
  const evs__model_sec *p = evs__model_sec_find(c, EVS__MODEL_POP, name);
  const evs__model_key *k = p ? evs__model_key_get(p, "size") : NULL;
  uint64_t n;
  return k && !evs__model_parse_u64(k->value, &n) ? (double)n : 0;
}

/* Projection s (description d) under [network] scale and k_scale: the
 * number of synapses (spec.n or spec.p, from key kn) such that every
 * in-degree is the file's times k_scale, weights divided by sqrt(k_scale),
 * and, when k_scale < 1, the constant current (1 - sqrt(k_scale)) tau_syn
 * w K r to add to post that keeps its mean input (the reference
 * implementation's compensation: w the mean weight, K the file's
 * in-degree, r the reference_rate of pre, tau_syn that of the receptor). */
static int scale_projection(evs__model_ctx *c, const evs__model_sec *s,
                            const evs__model_key *kn, evs_proj_desc *d) {
  evs_conn_spec *spec = &d->spec;
  const char *pre = d->pre, *post = d->post;
  double sc = c->scale, k = c->k_scale;
  if (sc == 1 && k == 1) return EVS_OK;
  double n_pre = file_size(c, pre), n_post = file_size(c, post), indegree = 0;
  switch (spec->kind) {
  case EVS_CONN_FIXED_TOTAL:
    indegree = spec->n / n_post;
    spec->n = (uint64_t)nearbyint((double)spec->n * sc * k);
    break;
  case EVS_CONN_FIXED_INDEGREE:
    indegree = spec->n;
    spec->n = (uint64_t)nearbyint((double)spec->n * k);
    break;
  case EVS_CONN_FIXED_OUTDEGREE:
    indegree = spec->n * n_pre / n_post;
    spec->n = (uint64_t)nearbyint((double)spec->n * k);
    break;
  case EVS_CONN_FIXED_PROBABILITY:
    indegree = spec->p * n_pre;
    spec->p *= k / sc;
    if (spec->p > 1)
      return evs__model_key_fail(c, kn,
                                 "p = %s times k_scale / scale (%g) "
                                 "exceeds 1",
                                 kn->value, k / sc);
    break;
  case EVS_CONN_ONE_TO_ONE:
  case EVS_CONN_ALL_TO_ALL:
    if (k == 1) return EVS_OK;
    /* fall through */
  case EVS_CONN_FILE:
    return evs__model_key_fail(c, kn,
                               "connect = %s cannot be scaled by "
                               "[network] %s",
                               kn->value, k != 1 ? "k_scale" : "scale");
  }
  if (k == 1) return EVS_OK;
  evs_dist w = spec->weight;
  spec->weight = evs_dist_scale(w, 1 / sqrt(k));
  const evs__model_sec *ps = evs__model_sec_find(c, EVS__MODEL_POP, pre);
  const evs__model_sec *qs = evs__model_sec_find(c, EVS__MODEL_POP, post);
  const evs__model_key *kr =
      ps ? evs__model_key_get(ps, "reference_rate") : NULL;
  if (!kr)
    return evs__model_sec_fail(c, s,
                               "[network] k_scale needs the "
                               "reference_rate of population %s (the DC that "
                               "keeps the mean input)",
                               pre);
  if (!qs) return EVS_OK;
  double rate = 0;
  int rc = evs__model_get_quantity(c, kr, EVS_DIM_RATE, &rate);
  if (rc) return rc;
  const evs_param_def *defs;
  size_t nd;
  evs_pop_kind kind;
  const evs__model_key *kt = evs__model_key_get(qs, "type");
  const evs__model_key *ki = evs__model_key_get(qs, "integration");
  const char *type =
      ki && !strcmp(ki->value, "grid") ? "IF_curr_exp_grid" : kt->value;
  if (evs_neuron_type_params(type, &defs, &nd, &kind)) return EVS_OK;
  double tau = evs__model_pop_value(
      c, qs, defs, nd,
      d->receptor == EVS_RECEPTOR_INH ? "tau_syn_I" : "tau_syn_E");
  d->has_dc = 1;
  d->dc = (1 - sqrt(k)) * tau * evs_dist_mean(&w) * indegree * rate;
  return EVS_OK;
}

/* The connect rule, receptor, yes/no keys, number (p or n), weight and
 * delay of s into d. */
static int check_synapses(evs__model_ctx *c, const evs__model_sec *s,
                          const struct conn_rule *cr, const evs_sim_desc *sim,
                          evs_proj_desc *d) {
  static const evs_dim wdims[] = {EVS_DIM_CURRENT, EVS_DIM_VOLTAGE,
                                  EVS_DIM_CONDUCTANCE};
  evs_conn_spec *spec = &d->spec;
  const evs__model_key *k;
  int rc = EVS_OK;
  d->receptor = EVS_RECEPTOR_EXC;
  if ((k = evs__model_key_get(s, "receptor"))) {
    size_t i, n = sizeof receptors / sizeof *receptors;
    for (i = 0; i < n && strcmp(k->value, receptors[i].name); i++)
      ;
    if (i == n)
      return evs__model_key_fail(c, k,
                                 "receptor must be excitatory or "
                                 "inhibitory, got '%s'",
                                 k->value);
    d->receptor = receptors[i].receptor;
  }
  spec->autapses = cr->autapses;
  spec->multapses = cr->multapses;
  for (size_t i = 0; i < sizeof bool_keys / sizeof *bool_keys; i++)
    if ((k = evs__model_key_get(s, bool_keys[i].name)) &&
        evs__model_parse_bool(k->value,
                              (int *)((char *)spec + bool_keys[i].field)))
      return evs__model_key_fail(c, k, "%s must be yes or no, got '%s'",
                                 k->name, k->value);
  if (cr->kind == EVS_CONN_FIXED_PROBABILITY) {
    if (!(k = evs__model_need(c, s, "p", &rc))) return rc;
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_NONE, &spec->p))) return rc;
    if (!(spec->p >= 0 && spec->p <= 1))
      return evs__model_key_fail(c, k, "p must be in [0, 1], got '%s'",
                                 k->value);
  } else if (cr->count) {
    if (!(k = evs__model_need(c, s, "n", &rc))) return rc;
    if (evs__model_parse_u64(k->value, &spec->n))
      return evs__model_key_fail(
          c, k, "n must be a non-negative integer, got '%s'", k->value);
  }
  if (!(k = evs__model_need(c, s, "weight", &rc))) return rc;
  /* a number without a unit is a dimensionless weight (rate populations,
   * rate.c); the net refuses it for spiking types ("needs a unit") */
  d->weight_dim = EVS_DIM_NONE;
  if (weight_dimensionless(k->value, &spec->weight)) {
    if ((rc = evs__model_check_dist(c, k, &spec->weight))) return rc;
  } else if ((rc = evs__model_get_dist_any(c, k, wdims, 3, &spec->weight,
                                           &d->weight_dim))) {
    return rc;
  }
  spec->delay = evs_dist_const(sim->resolution);
  if ((k = evs__model_key_get(s, "delay"))) {
    if ((rc = evs__model_get_dist(c, k, EVS_DIM_TIME, &spec->delay))) return rc;
    if (evs_dist_min(&spec->delay) < 0)
      return spec->delay.kind == EVS_DIST_CONST
                 ? evs__model_key_fail(c, k, "delay must be >= 0, got '%s'",
                                       k->value)
                 : evs__model_key_fail(c, k,
                                       "delay = %s can be negative "
                                       "(clip it: normal_clipped(MEAN, SD, "
                                       "0 ms, inf))",
                                       k->value);
  }
  spec->delay_step = sim->resolution;
  return EVS_OK;
}

int evs__model_projection_check(evs__model_ctx *c, const evs__model_sec *s,
                                const evs_sim_desc *sim, evs_proj_desc *d) {
  const struct conn_rule *cr = NULL;
  const evs__model_key *k, *kpre, *kpost;
  const evs_param_def *rdefs;
  size_t nrd;
  int rc = EVS_OK;

  d->name = s->name;
  if ((rc = evs__model_origin(c, s, &d->origin))) return rc;
  if (!(k = evs__model_need(c, s, "connect", &rc))) return rc;
  for (size_t i = 0; i < sizeof conn_rules / sizeof *conn_rules; i++)
    if (!strcmp(k->value, conn_rules[i].name)) cr = &conn_rules[i];
  if (!cr)
    return evs__model_key_fail(c, k,
                               "unknown connect rule '%s' (all_to_all, "
                               "one_to_one, fixed_probability, fixed_indegree, "
                               "fixed_outdegree, fixed_total, file)",
                               k->value);
  d->spec.kind = cr->kind;
  if ((rc = evs__model_get_rule(c, s, &d->rule, &rdefs, &nrd))) return rc;
  if ((rc = check_proj_keys(c, s, cr, d->rule, rdefs, nrd))) return rc;
  if (!(kpre = evs__model_need(c, s, "pre", &rc)) || (rc = need_pop(c, kpre)))
    return rc;
  if (!(kpost = evs__model_need(c, s, "post", &rc)) ||
      (rc = need_pop(c, kpost)))
    return rc;
  d->pre = kpre->value;
  d->post = kpost->value;
  d->spec.same_population = !strcmp(d->pre, d->post);
  if ((rc = check_synapses(c, s, cr, sim, d))) return rc;
  k = evs__model_key_get(s, cr->count ? cr->count : "connect");
  if ((rc = scale_projection(c, s, k, d))) return rc;
  if (cr->kind == EVS_CONN_FILE) {
    char *path;
    if (!(k = evs__model_need(c, s, "file", &rc))) return rc;
    if ((rc = evs__model_get_path(c, k, &path)) ||
        (rc = evs__model_keep(c, path)))
      return rc;
    d->spec.path = path;
  }
  if ((rc = evs__model_stp(c, s, d))) return rc;
  return evs__model_learning(c, s, rdefs, nrd, d);
}
