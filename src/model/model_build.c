/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: the symbol tables read by model_read.c
 * (model_impl.h) -> a validated net.
 *
 * Every section is checked in file order without a net (so the first error
 * reported is the first in the file), then the net is built through the
 * public API: populations, projections, inputs, evs_net_build. Values are
 * read and errors reported by model_value.c.
 * The format is documented in doc/model-format.md and evsnn-model(5). */
#include "model/model_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/net_impl.h"
#include "core/run.h"
#include "evsnn/neuron.h"
#include "evsnn/rule.h"
#include "evsnn/spikes.h"

/* ---- stage 3: checking and building ------------------------------------ */

/* Settings of [simulation]. */
typedef struct sim_opts {
  double duration, resolution; /* s */
  uint64_t seed;
  int threads;                       /* threads of the run (1: one) */
  const evs__model_key *threads_key; /* where they were asked for, or NULL */
  evs_spike_format spike_format;     /* spike_format (default ras) */
} sim_opts;

static int check_keys(evs__model_ctx *c, const evs__model_sec *s,
                      const char *const *allowed, const char *what) {
  evs__model_key *k, *tmp;
  HASH_ITER(hh, s->keys, k, tmp) {
    size_t i;
    for (i = 0; allowed[i]; i++)
      if (!strcmp(k->name, allowed[i])) break;
    if (!allowed[i])
      return evs__model_key_fail(c, k, "unknown key '%s' in [%s]%s", k->name,
                                 s->id, what ? what : "");
  }
  return EVS_OK;
}

static const evs__model_key *need(evs__model_ctx *c, const evs__model_sec *s,
                                  const char *key, int *rc) {
  const evs__model_key *k = evs__model_key_get(s, key);
  if (!k)
    *rc = evs__model_sec_fail(c, s, "missing required key '%s' in [%s]", key,
                              s->id);
  return k;
}

static int do_simulation(evs__model_ctx *c, const evs__model_sec *s,
                         sim_opts *so) {
  static const char *const keys[] = {"duration", "seed",         "resolution",
                                     "threads",  "spike_format", NULL};
  const evs__model_key *k;
  int rc = check_keys(c, s, keys, NULL);
  if (rc) return rc;
  if (!(k = need(c, s, "duration", &rc))) return rc;
  if ((rc = evs__model_get_quantity(c, k, EVS_DIM_TIME, &so->duration)))
    return rc;
  if (!(so->duration > 0))
    return evs__model_key_fail(c, k, "duration must be > 0, got '%s'",
                               k->value);
  so->resolution = 1e-4;
  if ((k = evs__model_key_get(s, "resolution"))) {
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_TIME, &so->resolution)))
      return rc;
    if (!(so->resolution > 0) || so->resolution > 1e300)
      return evs__model_key_fail(c, k, "resolution must be > 0, got '%s'",
                                 k->value);
    if (so->resolution < EVS__MODEL_MIN_STEP)
      return evs__model_key_fail(c, k,
                                 "resolution = %s: below the smallest "
                                 "step (1 µs)",
                                 k->value);
  }
  so->seed = 1;
  if ((k = evs__model_key_get(s, "seed")) &&
      evs__model_parse_u64(k->value, &so->seed))
    return evs__model_key_fail(
        c, k, "seed must be a non-negative integer, got '%s'", k->value);
  so->threads = 1;
  if ((k = evs__model_key_get(s, "threads"))) {
    uint64_t n = 0;
    so->threads_key = k;
    if (!strcmp(k->value, "auto")) {
      long cores = sysconf(_SC_NPROCESSORS_ONLN);
      so->threads = cores > 1 ? (int)(cores < EVS__MODEL_MAX_THREADS
                                          ? cores
                                          : EVS__MODEL_MAX_THREADS)
                              : 1;
    } else if (evs__model_parse_u64(k->value, &n) || n < 1 ||
               n > EVS__MODEL_MAX_THREADS) {
      return evs__model_key_fail(c, k,
                                 "threads must be 'auto' or an integer "
                                 "from 1 to %d, got '%s'",
                                 EVS__MODEL_MAX_THREADS, k->value);
    } else {
      so->threads = (int)n;
    }
  }
  so->spike_format = EVS_SPIKES_RAS;
  if ((k = evs__model_key_get(s, "spike_format"))) {
    evs_error ne;
    if (evs_spike_format_parse(k->value, &so->spike_format, &ne))
      return evs__model_key_fail(c, k, "spike_format: %s", ne.msg);
  }
  return EVS_OK;
}

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

/* ---- [network]: scale and background ---------------------------------- */

uint64_t evs__model_scaled_size(const evs__model_ctx *c, uint64_t n) {
  if (c->scale == 1) return n;
  double v = nearbyint((double)n * c->scale);
  return v < 1 ? 1 : v > 1e18 ? (uint64_t)1e18 : (uint64_t)v;
}

/* Reads [network] (s may be NULL: the defaults) into c: scale (population
 * sizes and synapse numbers, in-degrees kept), k_scale (in-degrees, with
 * weights / sqrt(k_scale) and the mean input kept by a DC) and background
 * (poisson or dc). */
static int do_network(evs__model_ctx *c, const evs__model_sec *s) {
  static const char *const keys[] = {"scale", "k_scale", "background", NULL};
  const evs__model_key *k;
  int rc;
  c->scale = c->k_scale = 1;
  c->background_dc = 0;
  if (!s) return EVS_OK;
  if ((rc = check_keys(c, s, keys, NULL))) return rc;
  if ((k = evs__model_key_get(s, "scale"))) {
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_NONE, &c->scale)))
      return rc;
    if (!(c->scale > 0 && c->scale <= 1000))
      return evs__model_key_fail(c, k, "scale must be in (0, 1000], got '%s'",
                                 k->value);
  }
  if ((k = evs__model_key_get(s, "k_scale"))) {
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_NONE, &c->k_scale)))
      return rc;
    if (!(c->k_scale > 0 && c->k_scale <= 1))
      return evs__model_key_fail(c, k, "k_scale must be in (0, 1], got '%s'",
                                 k->value);
  }
  if ((k = evs__model_key_get(s, "background"))) {
    if (!strcmp(k->value, "dc"))
      c->background_dc = 1;
    else if (strcmp(k->value, "poisson"))
      return evs__model_key_fail(c, k,
                                 "background must be poisson or dc, "
                                 "got '%s'",
                                 k->value);
  }
  return EVS_OK;
}

/* The constant value of parameter name of population section s: its key's,
 * else the type's default (defs[0..nd)); NaN when it has neither or the
 * key is not a constant (its own check reports that). */
static double pop_value(evs__model_ctx *c, const evs__model_sec *s,
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

/* The population's background under [network]: its rate times k_scale and
 * weight / sqrt(k_scale) when it stays Poisson, plus the constant current
 * that keeps its mean input (1 - sqrt(k_scale)) rate w tau_syn_E (the
 * reference implementation's compensation); or, with background = dc, no
 * rate and its whole mean rate w tau_syn_E as a constant current. */
static int background(evs__model_ctx *c, const evs__model_sec *s, evs_net *net,
                      int pop, const evs_param_def *defs, size_t nd) {
  const evs__model_key *kr = evs__model_key_get(s, "background_rate");
  const evs__model_key *kw = evs__model_key_get(s, "background_weight");
  if (!kr || !kw || !net || (!c->background_dc && c->k_scale == 1))
    return EVS_OK;
  double rate = pop_value(c, s, defs, nd, "background_rate");
  double w = pop_value(c, s, defs, nd, "background_weight");
  double tau = pop_value(c, s, defs, nd, "tau_syn_E");
  double mean = rate * w * tau;
  double amp = c->background_dc ? mean : (1 - sqrt(c->k_scale)) * mean;
  evs_error ne;
  int rc = evs_net_add_dc(net, pop, amp, EVS_DIM_CURRENT, &ne);
  return rc ? evs__model_net_fail(c, rc, s, kr, &ne) : EVS_OK;
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

static int do_population(evs__model_ctx *c, evs__model_sec *s, evs_net *net) {
  static const char *const fixed[] = {"type",
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
  const evs_param_def *defs;
  size_t nd;
  evs_pop_kind kind;
  const evs__model_key *kt, *ks;
  evs__model_key *k, *tmp;
  uint64_t size;
  evs_error ne;
  int rc = EVS_OK, pop = -1;

  if (!(kt = need(c, s, "type", &rc))) return rc;
  const char *type = kt->value;
  if ((k = evs__model_key_get(s, "integration"))) {
    int grid = !strcmp(k->value, "grid");
    if (!grid && strcmp(k->value, "exact"))
      return evs__model_key_fail(c, k,
                                 "integration must be exact or grid, "
                                 "got '%s'",
                                 k->value);
    if (strcmp(type, "IF_curr_exp"))
      return evs__model_key_fail(c, k,
                                 "integration applies to IF_curr_exp "
                                 "only (grid: IF_curr_exp_grid)");
    if (grid) type = "IF_curr_exp_grid";
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
  if (evs_neuron_type_params(type, &defs, &nd, &kind) != EVS_OK) {
    char known[512] = "";
    const char *const *t = evs_neuron_type_names();
    for (size_t i = 0; t && t[i]; i++)
      snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
               i ? ", " : "", t[i]);
    return evs__model_key_fail(c, kt, "unknown neuron type '%s' (known: %s)",
                               kt->value, known);
  }
  if (!(ks = need(c, s, "size", &rc))) return rc;
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
  if (net) {
    pop = evs_net_add_population(net, s->name, type, (uint32_t)size, &ne);
    if (pop < 0) return evs__model_net_fail(c, pop, s, NULL, &ne);
    s->pop_index = pop;
  }
  /* parameters and recording keys, in file order */
  HASH_ITER(hh, s->keys, k, tmp) {
    size_t i;
    for (i = 0; fixed[i]; i++)
      if (!strcmp(k->name, fixed[i])) break;
    if (fixed[i]) continue;
    for (i = 0; i < nd; i++)
      if (!strcmp(k->name, defs[i].name)) break;
    if (i == nd)
      return evs__model_key_fail(c, k,
                                 "unknown key '%s' in [%s] (type %s "
                                 "has no such parameter)",
                                 k->name, s->id, type);
    if (defs[i].flags & EVS_PARAM_PATH) {
      char *path;
      if ((rc = evs__model_get_path(c, k, &path))) return rc;
      if (net && (rc = evs_net_set_path(net, pop, k->name, path, &ne))) {
        free(path);
        return evs__model_net_fail(c, rc, s, k, &ne);
      }
      free(path);
      continue;
    }
    evs_dist d;
    if ((rc = evs__model_get_dist(c, k, defs[i].dim, &d))) return rc;
    if (d.kind != EVS_DIST_CONST && !(defs[i].flags & EVS_PARAM_PER_NEURON))
      return evs__model_key_fail(c, k,
                                 "%s must be a constant (only per-neuron "
                                 "parameters take distributions)",
                                 k->name);
    /* the background under [network] (see background()) */
    if (!strcmp(k->name, "background_rate")) {
      if (c->background_dc) continue;
      d = evs_dist_scale(d, c->k_scale);
    } else if (!strcmp(k->name, "background_weight")) {
      d = evs_dist_scale(d, 1 / sqrt(c->k_scale));
    }
    if (net && (rc = evs_net_set_param(net, pop, k->name, &d, &ne)))
      return evs__model_net_fail(c, rc, s, k, &ne);
  }
  if ((rc = background(c, s, net, pop, defs, nd))) return rc;
  for (size_t i = 0; i < nd; i++)
    if ((defs[i].flags & EVS_PARAM_REQUIRED) &&
        !evs__model_key_get(s, defs[i].name))
      return evs__model_sec_fail(c, s,
                                 "missing required key '%s' in [%s] (type %s)",
                                 defs[i].name, s->id, type);
  /* recording */
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
    if (kind == EVS_POP_SOURCE)
      return evs__model_key_fail(c, k,
                                 "record_v: %s is a spike source and has no "
                                 "membrane potential",
                                 type);
    if ((rc = evs__model_get_ids(c, k, (uint32_t)size, &ids, &n))) return rc;
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
  if ((rc = record_vars(c, s, kr, k, type, (uint32_t)size, interval, net, pop)))
    return rc;
  return rate_check(c, s, net, pop);
}

/* The population named by key k of section s. */
static int find_pop(evs__model_ctx *c, const evs__model_key *k, evs_net *net,
                    int *pop) {
  const evs__model_sec *p = evs__model_sec_find(c, EVS__MODEL_POP, k->value);
  if (!p)
    return evs__model_key_fail(c, k, "undefined population '%s'", k->value);
  *pop = net ? p->pop_index : 0;
  return EVS_OK;
}

static const struct conn_rule {
  const char *name;
  evs_conn_kind kind;
  const char *const keys[4]; /* the keys that apply besides the common ones */
} conn_rules[] = {
    {"all_to_all", EVS_CONN_ALL_TO_ALL, {"autapses"}},
    {"one_to_one", EVS_CONN_ONE_TO_ONE, {0}},
    {"fixed_probability", EVS_CONN_FIXED_PROBABILITY, {"p", "autapses"}},
    {"fixed_indegree", EVS_CONN_FIXED_INDEGREE, {"n", "autapses", "multapses"}},
    {"fixed_outdegree",
     EVS_CONN_FIXED_OUTDEGREE,
     {"n", "autapses", "multapses"}},
    {"fixed_total", EVS_CONN_FIXED_TOTAL, {"n", "autapses", "multapses"}},
    {"file", EVS_CONN_FILE, {"file"}},
};

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

/* Projection s under [network] scale and k_scale: the number of synapses
 * (spec->n or spec->p, from key kn) such that every in-degree is the file's
 * times k_scale, weights divided by sqrt(k_scale), and, when k_scale < 1,
 * the constant current (1 - sqrt(k_scale)) tau_syn w K r added to post that
 * keeps its mean input (the reference implementation's compensation: w the
 * mean weight, K the file's in-degree, r the reference_rate of pre, tau_syn
 * that of the receptor). */
static int scale_projection(evs__model_ctx *c, const evs__model_sec *s,
                            evs_net *net, evs_conn_spec *spec,
                            const evs__model_key *kn, const char *pre,
                            const char *post, int post_index, int rec,
                            evs_dim wdim) {
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
  if (!net || !qs) return EVS_OK;
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
  double tau = pop_value(c, qs, defs, nd,
                         rec == EVS_RECEPTOR_INH ? "tau_syn_I" : "tau_syn_E");
  double amp = (1 - sqrt(k)) * tau * evs_dist_mean(&w) * indegree * rate;
  evs_error ne;
  evs_error_set(&ne, EVS_EINVAL, NULL, 0, "the compensating DC is not finite");
  if (!isfinite(amp) || (rc = evs_net_add_dc(net, post_index, amp, wdim, &ne)))
    return evs__model_net_fail(c, rc ? rc : EVS_EINVAL, s, kn, &ne);
  return EVS_OK;
}

static int do_projection(evs__model_ctx *c, evs__model_sec *s, evs_net *net,
                         const sim_opts *so) {
  static const char *const common[] = {"pre",           "post",
                                       "receptor",      "connect",
                                       "weight",        "delay",
                                       "rule",          "record_weights",
                                       "record_matrix", "record_synapses",
                                       "stp_U",         "stp_tau_d",
                                       "stp_tau_f",     NULL};
  static const char *const all[] = {"p",         "n",    "autapses",
                                    "multapses", "file", NULL};
  static const evs_dim wdims[] = {EVS_DIM_CURRENT, EVS_DIM_VOLTAGE,
                                  EVS_DIM_CONDUCTANCE};
  const struct conn_rule *cr = NULL;
  const evs__model_key *k;
  evs__model_key *ki, *tmp;
  evs_conn_spec spec;
  evs_receptor rec = EVS_RECEPTOR_EXC;
  evs_dim wdim = EVS_DIM_NONE;
  evs_error ne;
  const evs_param_def *rdefs;
  const char *rule;
  size_t nrd;
  char *path = NULL;
  int rc = EVS_OK, pre = -1, post = -1, idx = -1;

  memset(&spec, 0, sizeof spec);
  if (!(k = need(c, s, "connect", &rc))) return rc;
  for (size_t i = 0; i < sizeof conn_rules / sizeof *conn_rules; i++)
    if (!strcmp(k->value, conn_rules[i].name)) cr = &conn_rules[i];
  if (!cr)
    return evs__model_key_fail(c, k,
                               "unknown connect rule '%s' (all_to_all, "
                               "one_to_one, fixed_probability, fixed_indegree, "
                               "fixed_outdegree, fixed_total, file)",
                               k->value);
  spec.kind = cr->kind;
  if ((rc = evs__model_get_rule(c, s, &rule, &rdefs, &nrd))) return rc;
  /* every key must be common, belong to this connect rule or be a
   * parameter of the learning rule */
  HASH_ITER(hh, s->keys, ki, tmp) {
    size_t i;
    int known = 0;
    for (i = 0; common[i]; i++)
      if (!strcmp(ki->name, common[i])) known = 1;
    for (i = 0; i < 4 && cr->keys[i]; i++)
      if (!strcmp(ki->name, cr->keys[i])) known = 1;
    if (rule && evs__model_rule_param_index(rdefs, nrd, ki->name) >= 0)
      known = 1;
    if (known) continue;
    for (i = 0; all[i]; i++)
      if (!strcmp(ki->name, all[i]))
        return evs__model_key_fail(c, ki,
                                   "key '%s' does not apply to connect = %s",
                                   ki->name, cr->name);
    const char *owner = evs__model_rule_with_param(ki->name);
    if (owner && !rule)
      return evs__model_key_fail(c, ki,
                                 "key '%s' is a parameter of learning rule %s: "
                                 "it needs 'rule = %s' in [%s]",
                                 ki->name, owner, owner, s->id);
    if (rule)
      return evs__model_key_fail(c, ki,
                                 "unknown key '%s' in [%s] (learning "
                                 "rule %s has no such parameter)",
                                 ki->name, s->id, rule);
    return evs__model_key_fail(c, ki, "unknown key '%s' in [%s]", ki->name,
                               s->id);
  }
  if (!(k = need(c, s, "pre", &rc)) || (rc = find_pop(c, k, net, &pre)))
    return rc;
  const evs__model_key *kpre = k;
  if (!(k = need(c, s, "post", &rc)) || (rc = find_pop(c, k, net, &post)))
    return rc;
  const evs__model_key *kpost = k;
  spec.same_population = !strcmp(kpre->value, k->value);
  if ((k = evs__model_key_get(s, "receptor"))) {
    if (!strcmp(k->value, "excitatory"))
      rec = EVS_RECEPTOR_EXC;
    else if (!strcmp(k->value, "inhibitory"))
      rec = EVS_RECEPTOR_INH;
    else
      return evs__model_key_fail(c, k,
                                 "receptor must be excitatory or "
                                 "inhibitory, got '%s'",
                                 k->value);
  }
  spec.autapses = cr->kind == EVS_CONN_ONE_TO_ONE; /* i -> i is the rule */
  spec.multapses =
      cr->kind == EVS_CONN_FIXED_TOTAL || cr->kind == EVS_CONN_FILE;
  if ((k = evs__model_key_get(s, "autapses")) &&
      evs__model_parse_bool(k->value, &spec.autapses))
    return evs__model_key_fail(c, k, "autapses must be yes or no, got '%s'",
                               k->value);
  if ((k = evs__model_key_get(s, "multapses")) &&
      evs__model_parse_bool(k->value, &spec.multapses))
    return evs__model_key_fail(c, k, "multapses must be yes or no, got '%s'",
                               k->value);
  if (cr->kind == EVS_CONN_FIXED_PROBABILITY) {
    if (!(k = need(c, s, "p", &rc))) return rc;
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_NONE, &spec.p))) return rc;
    if (!(spec.p >= 0 && spec.p <= 1))
      return evs__model_key_fail(c, k, "p must be in [0, 1], got '%s'",
                                 k->value);
  } else if (cr->keys[0] && !strcmp(cr->keys[0], "n")) {
    if (!(k = need(c, s, "n", &rc))) return rc;
    if (evs__model_parse_u64(k->value, &spec.n))
      return evs__model_key_fail(
          c, k, "n must be a non-negative integer, got '%s'", k->value);
  }
  if (!(k = need(c, s, "weight", &rc))) return rc;
  /* a number without a unit is a dimensionless weight (rate populations,
   * rate.c); the net refuses it for spiking types ("needs a unit") */
  if (weight_dimensionless(k->value, &spec.weight)) {
    if ((rc = evs__model_check_dist(c, k, &spec.weight))) return rc;
  } else if ((rc = evs__model_get_dist_any(c, k, wdims, 3, &spec.weight,
                                           &wdim))) {
    return rc;
  }
  spec.delay = evs_dist_const(so->resolution);
  if ((k = evs__model_key_get(s, "delay"))) {
    if ((rc = evs__model_get_dist(c, k, EVS_DIM_TIME, &spec.delay))) return rc;
    if (evs_dist_min(&spec.delay) < 0)
      return spec.delay.kind == EVS_DIST_CONST
                 ? evs__model_key_fail(c, k, "delay must be >= 0, got '%s'",
                                       k->value)
                 : evs__model_key_fail(c, k,
                                       "delay = %s can be negative "
                                       "(clip it: normal_clipped(MEAN, SD, "
                                       "0 ms, inf))",
                                       k->value);
  }
  spec.delay_step = so->resolution;
  if ((rc = scale_projection(
           c, s, net, &spec,
           evs__model_key_get(s, cr->kind == EVS_CONN_FIXED_PROBABILITY ? "p"
                                 : cr->keys[0] && !strcmp(cr->keys[0], "n")
                                     ? "n"
                                     : "connect"),
           kpre->value, kpost->value, post, rec, wdim)))
    return rc;
  if (!net) evs__model_estimate(c, s, &spec, kpre->value, kpost->value, rule);
  if (cr->kind == EVS_CONN_FILE) {
    if (!(k = need(c, s, "file", &rc))) return rc;
    if ((rc = evs__model_get_path(c, k, &path))) return rc;
    spec.path = path;
  }
  rc = EVS_OK;
  if (net) {
    idx = evs_net_connect(net, s->name, pre, post, rec, &spec, wdim, &ne);
    /* a weight the post type cannot take is the weight's error (ne.key) */
    if (idx < 0) rc = evs__model_net_fail(c, idx, s, NULL, &ne);
    s->proj_index = idx;
  }
  free(path);
  if (rc) return rc;
  if ((rc = evs__model_stp(c, s, net, idx))) return rc;
  return evs__model_learning(c, s, net, idx, rule, rdefs, nrd, wdim);
}

/* [input NAME]: a constant dc on a whole population (evs_net_add_dc, in
 * the type's internal units from build on), or a current source
 * (model_current.c). */
static int do_input(evs__model_ctx *c, const evs__model_sec *s, evs_net *net) {
  static const char *const keys[] = {"type", "post", "amplitude", NULL};
  static const evs_dim adims[] = {EVS_DIM_CURRENT, EVS_DIM_VOLTAGE};
  const evs__model_key *k, *kp;
  evs_dist a;
  evs_dim dim = EVS_DIM_NONE;
  evs_error ne;
  int rc = EVS_OK, pop = -1;
  if ((k = evs__model_key_get(s, "type")) &&
      (strcmp(k->value, "dc") || evs__model_key_get(s, "start") ||
       evs__model_key_get(s, "stop") || evs__model_key_get(s, "neurons"))) {
    if (!(kp = need(c, s, "post", &rc)) || (rc = find_pop(c, kp, net, &pop)))
      return rc;
    const evs__model_sec *ps =
        evs__model_sec_find(c, EVS__MODEL_POP, kp->value);
    const evs__model_key *ktype = evs__model_key_get(ps, "type");
    const evs__model_key *ksize = evs__model_key_get(ps, "size");
    uint64_t size;
    /* a population without a valid type or size is its own error */
    if (!ktype || !ksize || evs__model_parse_u64(ksize->value, &size) ||
        size == 0 || size > UINT32_MAX)
      return EVS_OK;
    return evs__model_current(c, s, net, pop, ktype->value, (uint32_t)size);
  }
  if ((rc = check_keys(c, s, keys, NULL))) return rc;
  if (!(k = need(c, s, "type", &rc))) return rc;
  if (!(kp = need(c, s, "post", &rc)) || (rc = find_pop(c, kp, net, &pop)))
    return rc;
  if (!(k = need(c, s, "amplitude", &rc))) return rc;
  if ((rc = evs__model_get_dist_any(c, k, adims, 2, &a, &dim))) return rc;
  if (a.kind != EVS_DIST_CONST)
    return evs__model_key_fail(c, k, "amplitude must be a constant");
  if (net && (rc = evs_net_add_dc(net, pop, a.p[0], dim, &ne)))
    return evs__model_net_fail(c, rc, s, k, &ne);
  return EVS_OK;
}

/* The section that described object (about, index) of the net (an
 * evs_error's evs_about), or NULL. */
static const evs__model_sec *sec_of(const evs__model_ctx *c, int about,
                                    int index) {
  const evs__model_sec *s, *tmp;
  HASH_ITER(hh, c->secs, s, tmp) {
    if (about == EVS_ABOUT_POPULATION && s->kind == EVS__MODEL_POP &&
        s->pop_index == index)
      return s;
    if (about == EVS_ABOUT_PROJECTION && s->kind == EVS__MODEL_PROJ &&
        s->proj_index == index)
      return s;
    if (about == EVS_ABOUT_SUPERSPIKE && s->kind == EVS__MODEL_SUPERSPIKE)
      return s;
  }
  return NULL;
}

int evs__model_build(evs__model_ctx *c, const evs_model_opts *mo,
                     evs_model *m) {
  sim_opts so = {0, 1e-4, 1, 1, NULL, EVS_SPIKES_RAS};
  evs__model_sec *s, *tmp, *sim = evs__model_sec_find(c, EVS__MODEL_SIM, "");
  evs_error ne;
  int rc;
  if (!sim)
    return evs_error_set(c->err, EVS_EMODEL, c->file, 1,
                         "missing section [simulation] (it needs at least "
                         "'duration')");
  /* check everything, building nothing: [simulation] first (projections
   * need its resolution), then the rest in file order */
  if ((rc = do_simulation(c, sim, &so))) return rc;
  if ((rc = do_network(c, evs__model_sec_find(c, EVS__MODEL_NETWORK, ""))))
    return rc;
  HASH_ITER(hh, c->secs, s, tmp) {
    switch (s->kind) {
    case EVS__MODEL_SIM: rc = EVS_OK; break;
    case EVS__MODEL_NETWORK: rc = EVS_OK; break;
    case EVS__MODEL_POP: rc = do_population(c, s, NULL); break;
    case EVS__MODEL_PROJ: rc = do_projection(c, s, NULL, &so); break;
    case EVS__MODEL_SUPERSPIKE: rc = evs__model_superspike(c, s, NULL); break;
    default: rc = do_input(c, s, NULL); break;
    }
    if (rc) return rc;
  }
  if ((rc = evs__model_check_memory(c, mo))) return rc;
  if (mo && mo->seed_set) so.seed = mo->seed;
  m->seed = so.seed;
  m->run.duration = so.duration;
  m->run.threads = so.threads;
  m->run.model_name = m->name;
  if ((rc = evs_net_new(&m->net, so.seed, so.resolution)) != EVS_OK)
    return evs_error_set(c->err, rc == EVS_ENOMEM ? rc : EVS_EMODEL, c->file,
                         sim->line, "cannot create the net: %s",
                         evs_strerror(rc));
  if ((rc = evs_net_set_spike_format(m->net, so.spike_format, &ne)))
    return evs_error_set(c->err, rc, c->file, sim->line, "%s", ne.msg);
  for (evs__model_sec_kind k = EVS__MODEL_POP; k <= EVS__MODEL_INPUT; k++)
    HASH_ITER(hh, c->secs, s, tmp) {
      if (s->kind != k) continue;
      if (k == EVS__MODEL_POP)
        rc = do_population(c, s, m->net);
      else if (k == EVS__MODEL_PROJ)
        rc = do_projection(c, s, m->net, &so);
      else
        rc = do_input(c, s, m->net);
      if (rc) return rc;
    }
  if ((s = evs__model_sec_find(c, EVS__MODEL_SUPERSPIKE, "")) &&
      (rc = evs__model_superspike(c, s, m->net)))
    return rc;
  evs_error_clear(&ne);
  if (so.threads > 1 &&
      evs__threads_check(m->net, (uint32_t)so.threads, &ne) != EVS_OK)
    return evs__model_key_fail(c, so.threads_key, "%s", ne.msg);
  if ((rc = evs_net_build(m->net, &ne)) != EVS_OK) {
    const evs__model_sec *at = sec_of(c, ne.about, ne.index);
    if (at) return evs__model_net_fail(c, rc, at, NULL, &ne);
    int code = (rc == EVS_ENOMEM || rc == EVS_EIO) ? rc : EVS_EMODEL;
    return evs_error_set(c->err, code, c->file, 0, "%s",
                         ne.msg[0] ? ne.msg : evs_strerror(rc));
  }
  return EVS_OK;
}
