/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: the [superspike] section
 * (evsnn-model(5)) checked into its description (evs_superspike_desc: an
 * evs_superspike_spec and the output population's name), which
 * evs_model_build hands to evs_net_superspike. Its quantities are the
 * table `quantities`. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/superspike.h"
#include "model/model_check.h"

/* A key of [superspike] read as a quantity of one dimension into a spec
 * field; `positive` asks for > 0 (else any finite value). */
typedef struct quantity_key {
  const char *name;
  evs_dim dim;
  size_t offset; /* of the double in evs_superspike_spec */
  int positive;
} quantity_key;

#define Q(name, dim, positive)                                                 \
  { #name, dim, offsetof(evs_superspike_spec, name), positive }
static const quantity_key quantities[] = {
    Q(trial, EVS_DIM_TIME, 1),           Q(dt, EVS_DIM_TIME, 1),
    Q(update, EVS_DIM_TIME, 1),          Q(r0, EVS_DIM_VOLTAGE, 1),
    Q(r0_decay_time, EVS_DIM_TIME, 0),   Q(r0_decay, EVS_DIM_NONE, 1),
    Q(r0_decay_period, EVS_DIM_TIME, 0), Q(burn_in, EVS_DIM_TIME, 0),
    Q(tau_rms, EVS_DIM_TIME, 1),         Q(eps, EVS_DIM_NONE, 0),
    Q(tau_rise, EVS_DIM_TIME, 1),        Q(tau_decay, EVS_DIM_TIME, 1),
    Q(psp_rise, EVS_DIM_TIME, 1),        Q(psp_decay, EVS_DIM_TIME, 1),
    Q(u_floor, EVS_DIM_VOLTAGE, 0),      Q(rho, EVS_DIM_NONE, 0),
    Q(tau_z, EVS_DIM_TIME, 1),           Q(tolerance, EVS_DIM_TIME, 0),
    Q(target_period, EVS_DIM_TIME, 0),
};
#undef Q
#define N_QUANTITIES (sizeof quantities / sizeof quantities[0])

static const char *const feedback_names[] = {"symmetric", "random", "uniform"};

/* Keys other than the quantities. */
static const char *const other_keys[] = {
    "output",        "target",   "feedback", "surrogate_width",
    "record_trials", "gradient", "accuracy"};
#define N_OTHER (sizeof other_keys / sizeof other_keys[0])

static int known_key(const char *name) {
  for (size_t i = 0; i < N_QUANTITIES; i++)
    if (!strcmp(name, quantities[i].name)) return 1;
  for (size_t i = 0; i < N_OTHER; i++)
    if (!strcmp(name, other_keys[i])) return 1;
  return 0;
}

/* record_trials = N, N, ...: positive trial numbers. */
static int read_trials(evs__model_ctx *c, const evs__model_key *k,
                       uint64_t **out, size_t *n) {
  size_t cap = 1;
  for (const char *p = k->value; *p; p++) cap += *p == ',';
  uint64_t *t = malloc(cap * sizeof *t);
  char *copy = evs__model_strdup(k->value);
  int rc = EVS_OK;
  *n = 0;
  if (!t || !copy) {
    rc = evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
    goto done;
  }
  for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
       tok = strtok_r(NULL, ",", &save)) {
    if (evs__model_parse_u64(tok, &t[*n]) || t[*n] == 0) {
      rc = evs__model_key_fail(c, k,
                               "record_trials: expected trial numbers "
                               ">= 1 separated by commas, got '%s'",
                               tok);
      goto done;
    }
    (*n)++;
  }
done:
  free(copy);
  if (rc) {
    free(t);
    t = NULL;
  }
  *out = t;
  return rc;
}

int evs__model_superspike(evs__model_ctx *c, const evs__model_sec *s,
                          evs_superspike_desc *d) {
  evs_superspike_spec spec;
  evs_superspike_defaults(&spec);
  evs__model_key *k, *tmp;
  char *target = NULL;
  uint64_t *trials = NULL;
  int rc = evs__model_origin(c, s, &d->origin);
  if (rc) return rc;
  HASH_ITER(hh, s->keys, k, tmp)
  if (!known_key(k->name))
    return evs__model_key_fail(c, k, "unknown key '%s' in [superspike]",
                               k->name);
  for (size_t i = 0; i < N_QUANTITIES; i++) {
    const quantity_key *q = &quantities[i];
    if (!(k = evs__model_key_get(s, q->name))) continue;
    double *field = (double *)((char *)&spec + q->offset);
    if ((rc = evs__model_get_quantity(c, k, q->dim, field))) return rc;
    if (q->positive && !(*field > 0))
      return evs__model_key_fail(c, k, "%s must be > 0, got '%s'", q->name,
                                 k->value);
    if (field == &spec.dt && *field < EVS_SUPERSPIKE_DT_MIN)
      return evs__model_key_fail(c, k,
                                 "dt = %s: below the smallest step "
                                 "(1 µs)",
                                 k->value);
  }
  if ((k = evs__model_key_get(s, "surrogate_width"))) {
    double width;
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_VOLTAGE, &width)))
      return rc;
    if (!(width > 0))
      return evs__model_key_fail(c, k,
                                 "surrogate_width must be > 0, got "
                                 "'%s'",
                                 k->value);
    spec.beta = 1 / width;
  }
  if ((k = evs__model_key_get(s, "feedback"))) {
    size_t f = 0;
    while (f < 3 && strcmp(k->value, feedback_names[f])) f++;
    if (f == 3)
      return evs__model_key_fail(c, k,
                                 "feedback must be symmetric, random "
                                 "or uniform, got '%s'",
                                 k->value);
    spec.feedback = (evs_feedback)f;
  }
  if ((k = evs__model_key_get(s, "gradient"))) {
    if (strcmp(k->value, "windowed") && strcmp(k->value, "per_tick"))
      return evs__model_key_fail(c, k,
                                 "gradient must be windowed or "
                                 "per_tick, got '%s'",
                                 k->value);
    spec.per_tick = !strcmp(k->value, "per_tick");
  }
  if ((k = evs__model_key_get(s, "accuracy"))) {
    if (strcmp(k->value, "timing") && strcmp(k->value, "class"))
      return evs__model_key_fail(c, k,
                                 "accuracy must be timing or class, "
                                 "got '%s'",
                                 k->value);
    spec.class_accuracy = !strcmp(k->value, "class");
  }
  const evs__model_key *ko = evs__model_key_get(s, "output");
  if (!ko)
    return evs__model_sec_fail(c, s,
                               "missing required key 'output' in "
                               "[superspike]");
  const evs__model_sec *ps = evs__model_sec_find(c, EVS__MODEL_POP, ko->value);
  if (!ps)
    return evs__model_key_fail(c, ko, "undefined population '%s'", ko->value);
  const evs__model_key *kt = evs__model_key_get(s, "target");
  if (!kt)
    return evs__model_sec_fail(c, s,
                               "missing required key 'target' in "
                               "[superspike]");
  if ((rc = evs__model_get_path(c, kt, &target))) return rc;
  if ((k = evs__model_key_get(s, "record_trials")) &&
      (rc = read_trials(c, k, &trials, &spec.n_record_trials)))
    goto done;
  /* the description holds both until the load ends (each kept, or freed
   * when it cannot be) */
  int r1 = evs__model_keep(c, target), r2 = evs__model_keep(c, trials);
  if (r1 || r2) return EVS_ENOMEM;
  spec.record_trials = trials;
  spec.target = target;
  d->spec = spec;
  d->output = ko->value;
  return EVS_OK;
done:
  free(target);
  free(trials);
  return rc;
}
