/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the base the clocked conductance types share (cond_math.h:
 * IF_cond_exp in cond.c, IF_cond_exp_gsfa_grr in cond_sfa.c,
 * IF_cond_ampa_nmda in cond_nmda.c): the shared parameters' checks and
 * derived constants, the state's allocation and initial values, delivery,
 * the tick over blocks, current injection, recordables and checkpoint.
 * Each type steps its blocks itself. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neurons/cond_math.h"
#include "core/net_impl.h"
#include "neurons/types.h"

double evs__cond_weight_scale(const evs_pop *pop, evs_dim dim) {
  (void)pop;
  return dim == EVS_DIM_CONDUCTANCE ? 1.0 : 0.0;
}

/* A constant input is a current, kept in amperes in pop->dc. */
double evs__cond_dc_scale(const evs_pop *pop, evs_dim dim) {
  (void)pop;
  return dim == EVS_DIM_CURRENT ? 1.0 : 0.0;
}

void evs__cond_destroy(evs_pop *pop) {
  evs__cond_base *s = pop->state;
  if (!s) return;
  free(s->v);
  free(s->ge);
  free(s->gi);
  free(s->until);
  free(s->pe);
  free(s->pi);
  free(s->ib);
  free(s);
  pop->state = NULL;
}

int evs__cond_check(const evs_pop *pop, const evs__cond_layout *L,
                    evs_error *err) {
  const double *p = pop->par;
  /* each error names its parameter (evs_error.key): a model file reports
   * it at that key's line */
  for (size_t k = 0; k < L->n_positive; k++) {
    double x = p[L->positive[k]];
    if (!(x > 0) || !isfinite(x)) {
      evs_error_set(err, EVS_EMODEL, NULL, 0,
                    "population %s: %s must be positive and finite (got %g)",
                    pop->name, L->params[L->positive[k]].name, x);
      evs_error_key(err, L->params[L->positive[k]].name);
      return EVS_EMODEL;
    }
  }
  for (size_t k = 0; k < L->n_nonneg; k++) {
    double x = p[L->nonneg[k]];
    if (!(x >= 0) || !isfinite(x)) {
      evs_error_set(err, EVS_EMODEL, NULL, 0,
                    "population %s: %s must be >= 0 and finite (got %g)",
                    pop->name, L->params[L->nonneg[k]].name, x);
      evs_error_key(err, L->params[L->nonneg[k]].name);
      return EVS_EMODEL;
    }
  }
  for (int k = L->v_rest; k <= L->i_offset; k++)
    if (!isfinite(p[k])) {
      evs_error_set(err, EVS_EMODEL, NULL, 0,
                    "population %s: %s must be "
                    "finite",
                    pop->name, L->params[k].name);
      evs_error_key(err, L->params[k].name);
      return EVS_EMODEL;
    }
  if (!(p[L->v_reset] < p[L->v_thresh])) {
    evs_error_set(err, EVS_EMODEL, NULL, 0,
                  "population %s: v_reset (%g mV) must be below v_thresh "
                  "(%g mV)",
                  pop->name, p[L->v_reset] * 1e3, p[L->v_thresh] * 1e3);
    evs_error_key(err, "v_reset");
    return EVS_EMODEL;
  }
  if (!(pop->tick > 0) || !isfinite(pop->tick))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "population %s: %s needs a clock step > 0 "
                         "(got %g s)",
                         pop->name, L->type, pop->tick);
  return EVS_OK;
}

int evs__cond_check_change(const evs_pop *next, int k,
                           const evs__cond_layout *L, evs_error *err) {
  if (k == L->v_init || k == L->gsyn_exc_init || k == L->gsyn_inh_init)
    return evs__bad_param(next, k,
                          "is a value at t = 0: it cannot change once the "
                          "net is built",
                          err);
  return evs__cond_check(next, L, err);
}

void evs__cond_change(evs_pop *pop, const evs_pop *old,
                      const evs__cond_layout *L) {
  evs__cond_base *s = pop->state;
  const double *p = pop->par, *q = old->par;
  double d = (p[L->cm] / p[L->tau_m] * p[L->v_rest] + p[L->i_offset]) -
             (q[L->cm] / q[L->tau_m] * q[L->v_rest] + q[L->i_offset]);
  for (uint32_t i = 0; i < pop->size; i++) s->ib[i] += d;
  evs__cond_derive(p, L, s->dt, s);
  for (uint32_t i = pop->size; i < s->cap; i++) /* padding: rests */
    s->ib[i] = s->g_l * p[L->v_rest];
}

int evs__cond_nomem(const evs_pop *pop, evs_error *err) {
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "population %s: out of memory for %u neurons", pop->name,
                       (unsigned)pop->size);
}

void evs__cond_derive(const double *p, const evs__cond_layout *L, double dt,
                      evs__cond_base *s) {
  s->g_l = p[L->cm] / p[L->tau_m];
  s->inv_cm = 1.0 / p[L->cm];
  s->e_e = p[L->e_rev_e];
  s->e_i = p[L->e_rev_i];
  s->v_reset = p[L->v_reset];
  s->v_thresh = p[L->v_thresh];
  s->tau_refrac = p[L->tau_refrac];
  s->dt = dt;
  s->de = exp(-s->dt / p[L->tau_syn_e]);
  s->di = exp(-s->dt / p[L->tau_syn_i]);
  s->eps = 1e-6 * s->dt;
  double xm = COND_XMAX;
  memcpy(&s->xmax_bits, &xm, sizeof xm);
}

int evs__cond_init(evs_pop *pop, const evs__cond_layout *L, size_t state_size,
                   evs_error *err) {
  int rc = evs__cond_check(pop, L, err);
  if (rc) return rc;
  const double *p = pop->par;
  uint32_t n = pop->size;
  /* padded to whole blocks; the padding neurons never spike (IF_cond_exp
   * steps only those in the chunks of the real ones) */
  size_t cap = ((size_t)n + COND_BLOCK - 1) / COND_BLOCK * COND_BLOCK;
  if (cap == 0) cap = COND_BLOCK;
  evs__cond_base *s = calloc(1, state_size);
  if (!s) return evs__cond_nomem(pop, err);
  pop->state = s;
  s->cap = (uint32_t)cap;
  s->v = calloc(cap, sizeof(double));
  s->ge = calloc(cap, sizeof(double));
  s->gi = calloc(cap, sizeof(double));
  s->until = calloc(cap, sizeof(double));
  s->pe = calloc(cap, sizeof(double));
  s->pi = calloc(cap, sizeof(double));
  s->ib = calloc(cap, sizeof(double));
  if (!s->v || !s->ge || !s->gi || !s->until || !s->pe || !s->pi || !s->ib)
    return evs__cond_nomem(pop, err);

  evs__cond_derive(p, L, pop->tick, s);
  s->t_now = 0.0;

  double base = s->g_l * p[L->v_rest] + p[L->i_offset];
  for (uint32_t i = 0; i < n; i++) {
    evs_rng r;
    evs_rng_init(&r, pop->seed, pop->index, pop->first + i, EVS_RNG_INIT);
    s->v[i] = evs__pop_value(pop, L->v_init, i, &r);
    s->ge[i] = evs__pop_value(pop, L->gsyn_exc_init, i, &r);
    s->gi[i] = evs__pop_value(pop, L->gsyn_inh_init, i, &r);
    s->until[i] = COND_NEVER;
    s->ib[i] = base + (pop->dc ? pop->dc[i] : 0.0); /* dc: A */
    if (!isfinite(s->v[i]) || !isfinite(s->ge[i]) || !isfinite(s->gi[i]))
      return evs_error_set(err, EVS_EMODEL, NULL, 0,
                           "population %s: neuron %u drew a non-finite "
                           "initial value",
                           pop->name, (unsigned)(pop->first + i));
  }
  for (size_t i = n; i < cap; i++) {
    s->v[i] = p[L->v_rest];
    s->until[i] = COND_NEVER;
    s->ib[i] = s->g_l * p[L->v_rest];
  }
  return EVS_OK;
}

/* evs__cond_deliver and evs__cond_deliver16: targets 16-bit if narrow. */
static inline __attribute__((always_inline)) void
deliver_w(evs_pop *pop, double t, int receptor, const void *target, int narrow,
          const float *weight, float shared, size_t n) {
  evs__cond_base *s = pop->state;
  double *g;
  if (t <= s->t_now + s->eps) {
    g = receptor == EVS_RECEPTOR_INH ? s->gi : s->ge;
  } else {
    g = receptor == EVS_RECEPTOR_INH ? s->pi : s->pe;
    s->pending = 1;
  }
  evs__add_inputs(g, target, narrow, weight, shared, n);
}

void evs__cond_deliver(evs_pop *pop, double t, int receptor,
                       const uint32_t *target, const float *weight,
                       float shared, size_t n) {
  deliver_w(pop, t, receptor, target, 0, weight, shared, n);
}

void evs__cond_deliver16(evs_pop *pop, double t, int receptor,
                         const uint16_t *target, const float *weight,
                         float shared, size_t n) {
  deliver_w(pop, t, receptor, target, 1, weight, shared, n);
}

int evs__cond_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  evs__cond_base *s = pop->state;
  double *arr[] = {s->v, s->ge, s->gi, s->until, s->pe, s->pi, s->ib};
  for (size_t k = 0; k < sizeof arr / sizeof *arr; k++)
    evs_ckpt_neurons(ck, arr[k], pop->size, sizeof(double));
  evs_ckpt_bytes(ck, &s->t_now, sizeof s->t_now);
  evs_ckpt_any(ck, &s->pending);
  return evs_ckpt_status(ck);
}

int evs__cond_tick(evs_pop *pop, double t, evs__cond_step_fn step) {
  evs__cond_base *s = pop->state;
  for (uint32_t lo = 0; lo < pop->size; lo += COND_BLOCK) {
    uint32_t m = pop->size - lo < COND_BLOCK ? pop->size - lo : COND_BLOCK;
    int rc = step(pop, t, lo, m);
    if (rc) return rc;
  }
  s->pending = 0;
  s->t_now = t;
  return EVS_OK;
}

void evs__cond_inject(evs_pop *pop, uint32_t id, double t, double delta) {
  (void)t;
  evs__cond_base *s = pop->state;
  s->ib[id] += delta;
}

const evs_recordable evs__cond_recordables[2] = {{"gsyn_exc", "S"},
                                                 {"gsyn_inh", "S"}};

double evs__cond_state(evs_pop *pop, uint32_t id, double t, int var) {
  (void)t;
  const evs__cond_base *s = pop->state;
  return var == 0 ? s->ge[id] : s->gi[id];
}

double evs__cond_voltage(evs_pop *pop, uint32_t id, double t) {
  (void)t;
  const evs__cond_base *s = pop->state;
  return s->v[id];
}
