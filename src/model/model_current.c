/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: [input NAME] sections that are current
 * sources (evsnn/current.h): type = dc with start, stop or neurons, step,
 * ac, noisy, checked into their description (evs_input_desc, source 1). A
 * constant dc on a whole population stays model_check.c's. The keys are
 * in doc/model-format.md, "[input NAME]". */
#include "model/model_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/current.h"

/* The keys each type takes besides type, post and neurons. */
static const char *const dc_keys[] = {"amplitude", "start", "stop", NULL};
static const char *const step_keys[] = {"times", "amplitudes", NULL};
static const char *const ac_keys[] = {
    "amplitude", "offset", "frequency", "phase", "start", "stop", NULL};
static const char *const noisy_keys[] = {"mean",  "stdev", "dt",
                                         "start", "stop",  NULL};

/* A list of quantities of dimension dim ("10 ms, 60 ms") into *out
 * (malloc'd) and *n. */
static int get_list(evs__model_ctx *c, const evs__model_key *k, evs_dim dim,
                    double **out, size_t *n) {
  size_t cap = 8, m = 0;
  double *v = malloc(cap * sizeof *v);
  const char *p = k->value;
  if (!v) return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  for (;;) {
    char why[160];
    const char *end;
    if (m == cap) {
      double *nv = realloc(v, 2 * cap * sizeof *nv);
      if (!nv) {
        free(v);
        return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
      }
      v = nv;
      cap *= 2;
    }
    if (evs_unit_parse_prefix(p, dim, &v[m], &end, why, sizeof why)) {
      free(v);
      return evs__model_key_fail(c, k, "%s: %s", k->name, why);
    }
    if (!isfinite(v[m])) {
      free(v);
      return evs__model_key_fail(c, k, "%s: values must be finite", k->name);
    }
    m++;
    while (*end == ' ' || *end == '\t') end++;
    if (*end == '\0') break;
    if (*end != ',') {
      free(v);
      return evs__model_key_fail(
          c, k,
          "%s: expected a list such as '%s', "
          "got '%s'",
          k->name, dim == EVS_DIM_TIME ? "10 ms, 60 ms" : "0.5 nA, 1 nA",
          k->value);
    }
    p = end + 1;
  }
  *out = v;
  *n = m;
  return EVS_OK;
}

/* An optional quantity: *v keeps its default without key name. */
static int opt(evs__model_ctx *c, const evs__model_sec *s, const char *name,
               evs_dim dim, double *v) {
  const evs__model_key *k = evs__model_key_get(s, name);
  return k ? evs__model_get_quantity(c, k, dim, v) : EVS_OK;
}

int evs__model_current(evs__model_ctx *c, const evs__model_sec *s,
                       const char *post_type, uint32_t post_size,
                       evs_input_desc *d) {
  const evs__model_key *kt = evs__model_key_get(s, "type");
  const char *const *keys;
  evs_current_spec spec = {.start = 0, .stop = INFINITY};
  if (!strcmp(kt->value, "dc"))
    spec.kind = EVS_CURRENT_DC, keys = dc_keys;
  else if (!strcmp(kt->value, "step"))
    spec.kind = EVS_CURRENT_STEP, keys = step_keys;
  else if (!strcmp(kt->value, "ac"))
    spec.kind = EVS_CURRENT_AC, keys = ac_keys;
  else if (!strcmp(kt->value, "noisy"))
    spec.kind = EVS_CURRENT_NOISY, keys = noisy_keys;
  else
    return evs__model_key_fail(c, kt,
                               "unknown input type '%s' (known: dc, "
                               "step, ac, noisy)",
                               kt->value);
  evs__model_key *k, *tmp;
  HASH_ITER(hh, s->keys, k, tmp) {
    size_t i;
    if (!strcmp(k->name, "type") || !strcmp(k->name, "post") ||
        !strcmp(k->name, "neurons"))
      continue;
    for (i = 0; keys[i]; i++)
      if (!strcmp(k->name, keys[i])) break;
    if (!keys[i]) {
      char known[160] = "type, post, neurons";
      for (i = 0; keys[i]; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), ", %s",
                 keys[i]);
      return evs__model_key_fail(c, k,
                                 "unknown key '%s' in [%s] (type %s "
                                 "takes %s)",
                                 k->name, s->id, kt->value, known);
    }
  }
  int rc = EVS_OK;
  double *times = NULL, *amps = NULL;
  size_t nt = 0, na = 0;
  uint32_t *ids = NULL;
  size_t n = 0;
  const evs__model_key *kn = evs__model_key_get(s, "neurons");
  if (kn && (rc = evs__model_get_ids(c, kn, post_size, &ids, &n))) return rc;
  if ((rc = opt(c, s, "start", EVS_DIM_TIME, &spec.start)) ||
      (rc = opt(c, s, "stop", EVS_DIM_TIME, &spec.stop)) ||
      (rc = opt(c, s, "amplitude", EVS_DIM_CURRENT, &spec.amplitude)) ||
      (rc = opt(c, s, "offset", EVS_DIM_CURRENT, &spec.offset)) ||
      (rc = opt(c, s, "frequency", EVS_DIM_RATE, &spec.frequency)) ||
      (rc = opt(c, s, "phase", EVS_DIM_NONE, &spec.phase)) ||
      (rc = opt(c, s, "mean", EVS_DIM_CURRENT, &spec.mean)) ||
      (rc = opt(c, s, "stdev", EVS_DIM_CURRENT, &spec.stdev)))
    goto done;
  if (spec.kind == EVS_CURRENT_DC && !evs__model_key_get(s, "amplitude")) {
    rc = evs__model_sec_fail(c, s, "missing required key 'amplitude' in [%s]",
                             s->id);
    goto done;
  }
  if (spec.kind == EVS_CURRENT_NOISY) {
    const evs__model_key *kd = evs__model_key_get(s, "dt");
    if (!kd) {
      rc = evs__model_sec_fail(c, s,
                               "missing required key 'dt' in [%s] "
                               "(noisy: the interval between draws)",
                               s->id);
      goto done;
    }
    if ((rc = evs__model_get_quantity(c, kd, EVS_DIM_TIME, &spec.dt)))
      goto done;
  }
  if (spec.kind == EVS_CURRENT_STEP) {
    const evs__model_key *ktm = evs__model_key_get(s, "times");
    const evs__model_key *kam = evs__model_key_get(s, "amplitudes");
    if (!ktm || !kam) {
      rc = evs__model_sec_fail(c, s,
                               "a step input needs times and "
                               "amplitudes in [%s]",
                               s->id);
      goto done;
    }
    if ((rc = get_list(c, ktm, EVS_DIM_TIME, &times, &nt)) ||
        (rc = get_list(c, kam, EVS_DIM_CURRENT, &amps, &na)))
      goto done;
    if (nt != na) {
      rc = evs__model_key_fail(c, kam, "amplitudes: %zu values for %zu times",
                               na, nt);
      goto done;
    }
    for (size_t i = 0; i < nt; i++)
      if (!(times[i] >= 0) || (i && !(times[i] > times[i - 1]))) {
        rc = evs__model_key_fail(c, ktm, "times must be >= 0 and increase");
        goto done;
      }
    spec.times = times;
    spec.amplitudes = amps;
    spec.n_steps = nt;
  }
  /* the checks that need no net, at the right key */
  if (spec.kind != EVS_CURRENT_STEP) {
    const evs__model_key *ks = evs__model_key_get(s, "start");
    const evs__model_key *ke = evs__model_key_get(s, "stop");
    if (ks && !(spec.start >= 0)) {
      rc =
          evs__model_key_fail(c, ks, "start must be >= 0, got '%s'", ks->value);
      goto done;
    }
    if (ke && !(spec.stop > spec.start)) {
      rc = evs__model_key_fail(c, ke, "stop must lie after start, got '%s'",
                               ke->value);
      goto done;
    }
  }
  evs_pop_kind kind;
  if (spec.kind == EVS_CURRENT_AC &&
      evs_neuron_type_params(post_type, NULL, NULL, &kind) == EVS_OK &&
      kind == EVS_POP_EXACT) {
    rc = evs__model_key_fail(c, kt,
                             "type = ac: %s is exact and integrates "
                             "piecewise-constant currents (dc, step, noisy) "
                             "exactly, but not a sinusoid; an ac input needs "
                             "a clocked type",
                             post_type);
    goto done;
  }
  /* the description holds the arrays until the load ends (each kept, or
   * freed when it cannot be) */
  int r1 = evs__model_keep(c, times), r2 = evs__model_keep(c, amps);
  int r3 = evs__model_keep(c, ids);
  if (r1 || r2 || r3) return EVS_ENOMEM;
  d->source = 1;
  d->current = spec;
  d->ids = kn ? ids : NULL;
  d->n_ids = kn ? n : 0;
  return EVS_OK;
done:
  free(times);
  free(amps);
  free(ids);
  return rc;
}
