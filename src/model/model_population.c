/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: a [population NAME] section checked (net
 * NULL) and added to the net: its type, size, parameters, recordings and
 * rate check (model_impl.h). */
#include "model/model_desc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/neuron.h"

/* A range of neuron ids, both ends included. */
typedef struct id_range {
  uint32_t a, b;
} id_range;

static int range_cmp(const void *x, const void *y) {
  const id_range *p = x, *q = y;
  return (p->a > q->a) - (p->a < q->a);
}

/* Parses "0-4, 10" into a sorted list of distinct ids < size: the m ranges
 * are sorted and merged (O(m log m)), then listed (O(ids)), so repeated or
 * overlapping ranges cost nothing more. */
int evs__model_get_ids(evs__model_ctx *c, const evs__model_key *k,
                       uint32_t size, uint32_t **ids, size_t *n) {
  const char *p = k->value;
  size_t cap = 0, m = 0, total = 0;
  id_range *r = NULL;
  uint32_t *v = NULL;
  while (*p) {
    char *end;
    unsigned long long a, b;
    while (isspace((unsigned char)*p)) p++;
    if (!isdigit((unsigned char)*p)) goto bad;
    a = b = strtoull(p, &end, 10);
    p = end;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '-') {
      p++;
      while (isspace((unsigned char)*p)) p++;
      if (!isdigit((unsigned char)*p)) goto bad;
      b = strtoull(p, &end, 10);
      p = end;
      while (isspace((unsigned char)*p)) p++;
    }
    if (*p == ',')
      p++;
    else if (*p)
      goto bad;
    if (b < a) {
      free(r);
      return evs__model_key_fail(c, k, "%s: empty range %llu-%llu", k->name, a,
                                 b);
    }
    if (b >= size) {
      free(r);
      return evs__model_key_fail(c, k,
                                 "%s: neuron %llu out of range (the "
                                 "population has %u neurons: 0-%u)",
                                 k->name, b, size, size - 1);
    }
    if (m == cap) {
      size_t nc = cap ? 2 * cap : 16;
      id_range *nr = realloc(r, nc * sizeof *nr);
      if (!nr) goto nomem;
      r = nr;
      cap = nc;
    }
    r[m++] = (id_range){(uint32_t)a, (uint32_t)b};
  }
  if (m == 0) goto bad;
  qsort(r, m, sizeof *r, range_cmp);
  size_t w = 0; /* merged ranges: disjoint and not adjacent */
  for (size_t i = 0; i < m; i++) {
    if (w > 0 && r[i].a <= (uint64_t)r[w - 1].b + 1) {
      if (r[i].b > r[w - 1].b) r[w - 1].b = r[i].b;
    } else {
      r[w++] = r[i];
    }
  }
  for (size_t i = 0; i < w; i++) total += (size_t)(r[i].b - r[i].a) + 1;
  if (!(v = malloc(total * sizeof *v))) goto nomem;
  total = 0;
  for (size_t i = 0; i < w; i++)
    for (uint64_t id = r[i].a; id <= r[i].b; id++) v[total++] = (uint32_t)id;
  free(r);
  *ids = v;
  *n = total;
  return EVS_OK;
nomem:
  free(r);
  return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
bad:
  free(r);
  return evs__model_key_fail(c, k,
                             "%s = %s: expected neuron ids and "
                             "ranges like '0-4, 10'",
                             k->name, k->value);
}

/* The rate checker of population s: rate_min and rate_max (both or
 * neither), rate_tau (default 100 ms). */
static int rate_check(evs__model_ctx *c, const evs__model_sec *s, evs_net *net,
                      int pop) {
  const evs__model_key *klo = evs__model_key_get(s, "rate_min");
  const evs__model_key *khi = evs__model_key_get(s, "rate_max");
  const evs__model_key *kt = evs__model_key_get(s, "rate_tau");
  double lo, hi, tau = 0.1;
  int rc;
  if (!klo && !khi) {
    if (kt)
      return evs__model_key_fail(c, kt,
                                 "rate_tau without rate_min and "
                                 "rate_max");
    return EVS_OK;
  }
  if (!klo || !khi)
    return evs__model_key_fail(
        c, klo ? klo : khi, "%s without %s: a rate check needs both",
        klo ? "rate_min" : "rate_max", klo ? "rate_max" : "rate_min");
  if ((rc = evs__model_get_quantity(c, klo, EVS_DIM_RATE, &lo))) return rc;
  if ((rc = evs__model_get_quantity(c, khi, EVS_DIM_RATE, &hi))) return rc;
  if (!(lo >= 0) || !isfinite(lo))
    return evs__model_key_fail(c, klo, "rate_min must be >= 0, got '%s'",
                               klo->value);
  if (!(hi > lo) || !isfinite(hi))
    return evs__model_key_fail(c, khi,
                               "rate_max must be above rate_min "
                               "(%g Hz), got '%s'",
                               lo, khi->value);
  if (kt) {
    if ((rc = evs__model_get_quantity(c, kt, EVS_DIM_TIME, &tau))) return rc;
    if (!(tau > 0) || !isfinite(tau))
      return evs__model_key_fail(c, kt, "rate_tau must be > 0, got '%s'",
                                 kt->value);
  }
  evs_error ne;
  if (net && (rc = evs_net_check_rate(net, pop, lo, hi, tau, &ne)))
    return evs__model_net_fail(c, rc, s, khi, &ne);
  return EVS_OK;
}

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

/* The population's background under [network] into d: its rate times
 * k_scale and weight / sqrt(k_scale) when it stays Poisson (in d->par),
 * plus the constant current that keeps its mean input (1 - sqrt(k_scale))
 * rate w tau_syn_E (the reference implementation's compensation); or, with
 * background = dc, no rate and its whole mean rate w tau_syn_E as a
 * constant current. */
static void background(evs__model_ctx *c, const evs__model_sec *s,
                       evs__model_pop_desc *d) {
  const evs__model_key *kr = evs__model_key_get(s, "background_rate");
  const evs__model_key *kw = evs__model_key_get(s, "background_weight");
  if (!kr || !kw || (!c->background_dc && c->k_scale == 1)) return;
  double rate = evs__model_pop_value(c, s, d->defs, d->nd, "background_rate");
  double w = evs__model_pop_value(c, s, d->defs, d->nd, "background_weight");
  double tau = evs__model_pop_value(c, s, d->defs, d->nd, "tau_syn_E");
  double mean = rate * w * tau;
  d->has_dc = 1;
  d->dc = c->background_dc ? mean : (1 - sqrt(c->k_scale)) * mean;
  d->dc_key = kr;
}

/* record = v, gsyn_exc, ... of the neurons record_neurons (kr: the record
 * key, or NULL; kv: record_v, or NULL): each variable checked against what
 * type records, v not twice. */
static int record_vars(evs__model_ctx *c, const evs__model_sec *s,
                       const evs__model_key *kr, const evs__model_key *kv,
                       const char *type, uint32_t size, double interval,
                       evs_net *net, int pop) {
  const evs__model_key *kn = evs__model_key_get(s, "record_neurons");
  if (!kr) {
    if (kn) return evs__model_key_fail(c, kn, "record_neurons without record");
    return EVS_OK;
  }
  if (!evs_neuron_type_recordable(type, 0, NULL))
    return evs__model_key_fail(c, kr,
                               "record: %s is a spike source and has "
                               "no state to record",
                               type);
  if (!kn)
    return evs__model_sec_fail(c, s,
                               "record needs record_neurons (the "
                               "neuron ids, e.g. '0-4, 10') in [%s]",
                               s->id);
  uint32_t *ids = NULL;
  size_t n = 0;
  int rc = evs__model_get_ids(c, kn, size, &ids, &n);
  if (rc) return rc;
  const char *p = kr->value;
  while (*p && rc == EVS_OK) {
    char name[64];
    size_t len = strcspn(p, ",");
    const char *a = p, *b = p + len;
    while (a < b && isspace((unsigned char)*a)) a++;
    while (b > a && isspace((unsigned char)b[-1])) b--;
    p += len + (p[len] == ',');
    if (b == a || (size_t)(b - a) >= sizeof name) {
      rc = evs__model_key_fail(c, kr,
                               "record = %s: expected variable names "
                               "like 'v, gsyn_exc'",
                               kr->value);
      break;
    }
    memcpy(name, a, (size_t)(b - a));
    name[b - a] = '\0';
    const char *r;
    size_t i;
    for (i = 0; (r = evs_neuron_type_recordable(type, i, NULL)); i++)
      if (!strcmp(r, name)) break;
    if (!r) {
      char known[256] = "";
      for (i = 0; (r = evs_neuron_type_recordable(type, i, NULL)); i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                 i ? ", " : "", r);
      rc = evs__model_key_fail(c, kr,
                               "record: type %s cannot record '%s' "
                               "(it records %s)",
                               type, name, known);
      break;
    }
    if (!strcmp(name, "v") && kv && strcmp(kv->value, "none") != 0) {
      rc = evs__model_key_fail(c, kr,
                               "record = v and record_v both: give "
                               "the neurons of v once");
      break;
    }
    evs_error ne;
    if (net && (rc = evs_net_record(net, pop, name, ids, n, interval, &ne)))
      rc = evs__model_net_fail(c, rc, s, kr, &ne);
  }
  free(ids);
  return rc;
}

/* The type (integration = grid: IF_curr_exp_grid), its parameter table,
 * reference_rate and size of s into d. */
static int check_type(evs__model_ctx *c, const evs__model_sec *s,
                      evs__model_pop_desc *d) {
  const evs__model_key *kt, *ks, *k;
  uint64_t size;
  int rc = EVS_OK;
  if (!(kt = evs__model_need(c, s, "type", &rc))) return rc;
  d->type = kt->value;
  if ((k = evs__model_key_get(s, "integration"))) {
    int grid = !strcmp(k->value, "grid");
    if (!grid && strcmp(k->value, "exact"))
      return evs__model_key_fail(c, k,
                                 "integration must be exact or grid, "
                                 "got '%s'",
                                 k->value);
    if (strcmp(d->type, "IF_curr_exp"))
      return evs__model_key_fail(c, k,
                                 "integration applies to IF_curr_exp "
                                 "only (grid: IF_curr_exp_grid)");
    if (grid) d->type = "IF_curr_exp_grid";
  }
  if ((k = evs__model_key_get(s, "reference_rate"))) {
    double r;
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_RATE, &r))) return rc;
    if (!(r >= 0))
      return evs__model_key_fail(c, k,
                                 "reference_rate must be >= 0, got "
                                 "'%s'",
                                 k->value);
  }
  if (evs_neuron_type_params(d->type, &d->defs, &d->nd, &d->kind) != EVS_OK) {
    char known[512] = "";
    const char *const *t = evs_neuron_type_names();
    for (size_t i = 0; t && t[i]; i++)
      snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
               i ? ", " : "", t[i]);
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
                                       "reference_rate",
                                       NULL};

/* The type's parameters of s, in file order, into d->par; every required
 * one given. */
static int check_params(evs__model_ctx *c, const evs__model_sec *s,
                        evs__model_pop_desc *d) {
  evs__model_key *k, *tmp;
  int rc;
  d->par = calloc(HASH_COUNT(s->keys) + 1, sizeof *d->par);
  if (!d->par)
    return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  HASH_ITER(hh, s->keys, k, tmp) {
    size_t i;
    for (i = 0; pop_keys[i]; i++)
      if (!strcmp(k->name, pop_keys[i])) break;
    if (pop_keys[i]) continue;
    for (i = 0; i < d->nd; i++)
      if (!strcmp(k->name, d->defs[i].name)) break;
    if (i == d->nd)
      return evs__model_key_fail(c, k,
                                 "unknown key '%s' in [%s] (type %s "
                                 "has no such parameter)",
                                 k->name, s->id, d->type);
    evs__model_param_desc *p = &d->par[d->npar];
    p->key = k;
    if (d->defs[i].flags & EVS_PARAM_PATH) {
      if ((rc = evs__model_get_path(c, k, &p->path))) return rc;
      d->npar++;
      continue;
    }
    if ((rc = evs__model_get_dist(c, k, d->defs[i].dim, &p->value))) return rc;
    if (p->value.kind != EVS_DIST_CONST &&
        !(d->defs[i].flags & EVS_PARAM_PER_NEURON))
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
    d->npar++;
  }
  background(c, s, d);
  for (size_t i = 0; i < d->nd; i++)
    if ((d->defs[i].flags & EVS_PARAM_REQUIRED) &&
        !evs__model_key_get(s, d->defs[i].name))
      return evs__model_sec_fail(c, s,
                                 "missing required key '%s' in [%s] (type %s)",
                                 d->defs[i].name, s->id, d->type);
  return EVS_OK;
}

/* The recordings and rate check of s (population d): checked, and set on
 * population pop of net when net is not NULL. */
static int recordings(evs__model_ctx *c, const evs__model_sec *s,
                      const evs__model_pop_desc *d, evs_net *net, int pop) {
  const evs__model_key *k;
  evs_error ne;
  int rc = EVS_OK;
  if ((k = evs__model_key_get(s, "record_spikes"))) {
    int on;
    if (evs__model_parse_bool(k->value, &on))
      return evs__model_key_fail(
          c, k, "record_spikes must be yes or no, got '%s'", k->value);
    if (net && (rc = evs_net_record_spikes(net, pop, on))) {
      evs_error_set(&ne, rc, NULL, 0, "record_spikes: %s", evs_strerror(rc));
      return evs__model_net_fail(c, rc, s, k, &ne);
    }
  }
  double interval = 1e-3;
  const evs__model_key *ki = evs__model_key_get(s, "record_interval");
  if (ki) {
    if ((rc = evs__model_get_quantity(c, ki, EVS_DIM_TIME, &interval)))
      return rc;
    if (!(interval >= EVS__MODEL_MIN_STEP))
      return evs__model_key_fail(c, ki,
                                 "record_interval must be at least %g s, got "
                                 "'%s'",
                                 EVS__MODEL_MIN_STEP, ki->value);
  }
  k = evs__model_key_get(s, "record_v");
  if (k && strcmp(k->value, "none") == 0) {
    /* no probes; record_interval may stay (so --set can switch them off) */
  } else if (k) {
    uint32_t *ids = NULL;
    size_t n = 0;
    if (d->kind == EVS_POP_SOURCE)
      return evs__model_key_fail(c, k,
                                 "record_v: %s is a spike source and has no "
                                 "membrane potential",
                                 d->type);
    if ((rc = evs__model_get_ids(c, k, d->size, &ids, &n))) return rc;
    if (net) rc = evs_net_record_v(net, pop, ids, n, interval, &ne);
    free(ids);
    if (rc) return evs__model_net_fail(c, rc, s, k, &ne);
  }
  /* record = none, like record_v = none, keeps record_interval legal */
  const evs__model_key *kr = evs__model_key_get(s, "record");
  if (ki && !kr && !k)
    return evs__model_key_fail(c, ki,
                               "record_interval without record_v or "
                               "record");
  if (kr && strcmp(kr->value, "none") == 0) kr = NULL;
  if ((rc = record_vars(c, s, kr, k, d->type, d->size, interval, net, pop)))
    return rc;
  return rate_check(c, s, net, pop);
}

int evs__model_population_check(evs__model_ctx *c, evs__model_sec *s) {
  evs__model_desc_free(s);
  evs__model_pop_desc *d = calloc(1, sizeof *d);
  if (!d) return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  s->pop = d;
  int rc = check_type(c, s, d);
  if (rc || (rc = check_params(c, s, d))) return rc;
  return recordings(c, s, d, NULL, -1);
}

int evs__model_population_build(evs__model_ctx *c, evs__model_sec *s,
                                evs_net *net) {
  const evs__model_pop_desc *d = s->pop;
  evs_error ne;
  int rc, pop = evs_net_add_population(net, s->name, d->type, d->size, &ne);
  if (pop < 0) return evs__model_net_fail(c, pop, s, NULL, &ne);
  s->pop_index = pop;
  for (size_t i = 0; i < d->npar; i++) {
    const evs__model_param_desc *p = &d->par[i];
    rc = p->path ? evs_net_set_path(net, pop, p->key->name, p->path, &ne)
                 : evs_net_set_param(net, pop, p->key->name, &p->value, &ne);
    if (rc) return evs__model_net_fail(c, rc, s, p->key, &ne);
  }
  if (d->has_dc && (rc = evs_net_add_dc(net, pop, d->dc, EVS_DIM_CURRENT, &ne)))
    return evs__model_net_fail(c, rc, s, d->dc_key, &ne);
  return recordings(c, s, d, net, pop);
}
