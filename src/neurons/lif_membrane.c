/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — what the current-based LIF types share about their membrane
 * (lif_membrane.h): its parameters' checks, the scale of weights, a
 * neuron's equilibrium. */
#include <math.h>
#include <stdlib.h>

#include "neurons/lif_membrane.h"
#include "neurons/lif_params.h"

int evs__lif_check_membrane(const evs_pop *pop, const char *distinct,
                            evs_error *err) {
  const double *p = pop->par;
  /* an infinite potential or current turns every potential into NaN */
  for (int i = P_CM; i < P_V_INIT; i++)
    if (!isfinite(p[i])) return evs__bad_param(pop, i, "must be finite", err);
  for (int i = P_CM; i <= P_TAU_I; i++)
    if (!(p[i] > 0)) return evs__bad_param(pop, i, "must be positive", err);
  if (!(p[P_TAU_REF] >= 0))
    return evs__bad_param(pop, P_TAU_REF, "must not be negative", err);
  if (!(p[P_V_RESET] < p[P_V_THRESH]))
    return evs__bad_param(pop, P_V_RESET, "must lie below v_thresh", err);
  for (int i = P_TAU_E; i <= P_TAU_I; i++)
    if (fabs(p[i] - p[P_TAU_M]) < 1e-6 * p[P_TAU_M])
      return evs__bad_param(pop, i, distinct, err);
  return EVS_OK;
}

int evs__lif_check_fixed(const evs_pop *next, int k, evs_error *err) {
  if (k == P_CM || k == P_TAU_M)
    return evs__bad_param(next, k,
                          "cannot change once the net is built (R = tau_m / "
                          "cm scales the weights and currents it holds)",
                          err);
  if (k == P_V_INIT)
    return evs__bad_param(next, k,
                          "is the value at t = 0: it cannot change once the "
                          "net is built",
                          err);
  return EVS_OK;
}

double evs__lif_equilibrium(const evs_pop *p, uint32_t j, double r_m) {
  lif_values v;
  evs__lif_values(p, j, 0, &v);
  return v.v_rest + r_m * v.i_offset;
}

void evs__lif_values(const evs_pop *p, uint32_t j, int own, lif_values *v) {
  evs_rng rng;
  evs_rng_init(&rng, p->seed, p->index, p->first + j, EVS_RNG_INIT);
  v->v_init = evs__pop_value(p, P_V_INIT, j, &rng);
  if (own) {
    v->cm = evs__pop_value(p, P_CM, j, &rng);
    v->tau_ref = evs__pop_value(p, P_TAU_REF, j, &rng);
  } else {
    v->cm = p->par[P_CM];
    v->tau_ref = p->par[P_TAU_REF];
  }
  v->v_rest = evs__pop_value(p, P_V_REST, j, &rng);
  if (own) {
    v->v_reset = evs__pop_value(p, P_V_RESET, j, &rng);
    v->v_thresh = evs__pop_value(p, P_V_THRESH, j, &rng);
  } else {
    v->v_reset = p->par[P_V_RESET];
    v->v_thresh = p->par[P_V_THRESH];
  }
  v->i_offset = evs__pop_value(p, P_I_OFFSET, j, &rng);
}

int evs__lif_own_varies(const evs_pop *p) {
  return evs__pop_varies(p, P_V_THRESH) || evs__pop_varies(p, P_V_RESET) ||
         evs__pop_varies(p, P_TAU_REF) || evs__pop_varies(p, P_CM);
}

lif_own evs__lif_own_of(const evs_pop *p, const lif_values *v) {
  return (lif_own){.v_thresh = v->v_thresh,
                   .v_reset = v->v_reset,
                   .tau_ref = v->tau_ref,
                   .scale = v->cm / p->par[P_CM]};
}

/* "population P: NAME of neuron J WHAT" about parameter k; EVS_EINVAL. */
static int bad_neuron(const evs_pop *p, int k, uint32_t j, const char *what,
                      evs_error *err) {
  const char *name = p->type->params[k].name;
  evs_error_set(err, EVS_EINVAL, NULL, 0, "population %s: %s of neuron %lu %s",
                p->name, name, (unsigned long)p->first + j, what);
  evs_error_key(err, name);
  return EVS_EINVAL;
}

int evs__lif_check_neuron(const evs_pop *p, uint32_t j, const lif_values *v,
                          evs_error *err) {
  if (!(v->cm > 0) || !isfinite(v->cm))
    return bad_neuron(p, P_CM, j, "must be positive and finite", err);
  if (!(v->tau_ref >= 0) || !isfinite(v->tau_ref))
    return bad_neuron(p, P_TAU_REF, j, "must be finite and not negative", err);
  if (!isfinite(v->v_thresh))
    return bad_neuron(p, P_V_THRESH, j, "must be finite", err);
  if (!(v->v_reset < v->v_thresh))
    return bad_neuron(p, P_V_RESET, j, "must lie below its v_thresh", err);
  return EVS_OK;
}

int evs__lif_check_own_change(const evs_pop *next, int k, evs_error *err) {
  if (k != P_V_THRESH && k != P_V_RESET && k != P_TAU_REF) return EVS_OK;
  if (!evs__lif_own_varies(next)) return EVS_OK;
  for (uint32_t j = 0; j < next->size; j++) {
    lif_values v;
    evs__lif_values(next, j, 1, &v);
    int rc = evs__lif_check_neuron(next, j, &v, err);
    if (rc) return rc;
  }
  return EVS_OK;
}

lif_own *evs__lif_own_uniform(const evs_pop *p, uint32_t n) {
  lif_own *own = malloc((n ? n : 1) * sizeof *own);
  if (!own) return NULL;
  for (uint32_t j = 0; j < n; j++)
    own[j] = (lif_own){.v_thresh = p->par[P_V_THRESH],
                       .v_reset = p->par[P_V_RESET],
                       .tau_ref = p->par[P_TAU_REF],
                       .scale = 1};
  return own;
}

double *evs__lif_own_param(lif_own *o, int k) {
  return k == P_V_THRESH  ? &o->v_thresh
         : k == P_V_RESET ? &o->v_reset
                          : &o->tau_ref;
}

double evs__lif_changed_value(const evs_pop *next, int k, uint32_t j) {
  return next->values && next->values[k] ? next->values[k][next->first + j]
                                         : next->par[k];
}

double evs__lif_weight_scale(const evs_pop *pop, evs_dim dim) {
  if (dim == EVS_DIM_VOLTAGE) return evs__pop_varies(pop, P_CM) ? 0 : 1.0;
  if (dim == EVS_DIM_CURRENT) return pop->par[P_TAU_M] / pop->par[P_CM];
  return 0;
}
