/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: a population's recordings (record_spikes,
 * record_v, record with record_neurons, record_interval) and its rate
 * check (rate_min, rate_max, rate_tau), checked into its description
 * (evs_pop_desc: spikes_set, records, check_rate). The keys are in
 * doc/model-format.md, "[population NAME]". */
#include "model/model_check.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/neuron.h"

/* The rate checker of population s: rate_min and rate_max (both or
 * neither), rate_tau (default 100 ms), into d. */
static int rate_check(evs__model_ctx *c, const evs__model_sec *s,
                      evs_pop_desc *d) {
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
  d->check_rate = 1;
  d->rate_min = lo;
  d->rate_max = hi;
  d->rate_tau = tau;
  return EVS_OK;
}

/* record = v, gsyn_exc, ... of the neurons record_neurons (kr: the record
 * key, or NULL; kv: record_v, or NULL): each variable checked against what
 * d's type records, v not twice; appended to recs[d->n_records..]. */
static int record_vars(evs__model_ctx *c, const evs__model_sec *s,
                       const evs__model_key *kr, const evs__model_key *kv,
                       double interval, evs_pop_desc *d,
                       evs_record_desc *recs) {
  const evs__model_key *kn = evs__model_key_get(s, "record_neurons");
  const char *type = d->type;
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
  int rc = evs__model_get_ids(c, kn, d->size, &ids, &n);
  if (rc || (rc = evs__model_keep(c, ids))) return rc;
  const char *p = kr->value;
  while (*p) {
    char name[64], *var;
    size_t len = strcspn(p, ",");
    const char *a = p, *b = p + len;
    while (a < b && isspace((unsigned char)*a)) a++;
    while (b > a && isspace((unsigned char)b[-1])) b--;
    p += len + (p[len] == ',');
    if (b == a || (size_t)(b - a) >= sizeof name)
      return evs__model_key_fail(c, kr,
                                 "record = %s: expected variable names "
                                 "like 'v, gsyn_exc'",
                                 kr->value);
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
      return evs__model_key_fail(c, kr,
                                 "record: type %s cannot record '%s' "
                                 "(it records %s)",
                                 type, name, known);
    }
    if (!strcmp(name, "v") && kv && strcmp(kv->value, "none") != 0)
      return evs__model_key_fail(c, kr,
                                 "record = v and record_v both: give "
                                 "the neurons of v once");
    if (!(var = evs__model_strdup(name)) || (rc = evs__model_keep(c, var)))
      return rc ? rc
                : evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
    recs[d->n_records++] = (evs_record_desc){var, ids, n, interval, kr->name};
  }
  return EVS_OK;
}

int evs__model_recordings(evs__model_ctx *c, const evs__model_sec *s,
                          evs_pop_kind kind, evs_pop_desc *d) {
  const evs__model_key *k, *kr = evs__model_key_get(s, "record");
  evs_record_desc *recs;
  size_t nrec = 2; /* record_v, and one more than record's commas */
  int rc = EVS_OK;
  for (const char *p = kr ? kr->value : ""; *p; p++) nrec += *p == ',';
  if ((rc = evs__model_alloc(c, nrec * sizeof *recs, &recs))) return rc;
  d->records = recs;
  if ((k = evs__model_key_get(s, "record_spikes"))) {
    if (evs__model_parse_bool(k->value, &d->record_spikes))
      return evs__model_key_fail(
          c, k, "record_spikes must be yes or no, got '%s'", k->value);
    d->spikes_set = 1;
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
                                 d->type);
    if ((rc = evs__model_get_ids(c, k, d->size, &ids, &n)) ||
        (rc = evs__model_keep(c, ids)))
      return rc;
    recs[d->n_records++] = (evs_record_desc){"v", ids, n, interval, k->name};
  }
  /* record = none, like record_v = none, keeps record_interval legal */
  if (ki && !kr && !k)
    return evs__model_key_fail(c, ki,
                               "record_interval without record_v or "
                               "record");
  if (kr && strcmp(kr->value, "none") == 0) kr = NULL;
  if ((rc = record_vars(c, s, kr, k, interval, d, recs))) return rc;
  return rate_check(c, s, d);
}
