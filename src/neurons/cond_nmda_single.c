/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — IF_cond_ampa_nmda_single: IF_cond_ampa_nmda (cond_nmda.c) with
 * its state and step in single precision, what a population of type
 * IF_cond_ampa_nmda with precision = single is (model_population.c;
 * Auryn's IFGroup integrates in float). The equations, parameters, order
 * of the step and the initial draws are the double type's; v, g_A, g_N,
 * g_G, th, the pending inputs and the drive are floats, and so are the
 * constants of the step (each rounded once from its double). The step is
 * cond_nmda_step.h with STEP_SINGLE: twice the lanes of the double one
 * (16 with AVX-512, 8 with AVX2, 4 otherwise), the same float operations
 * per neuron whatever the width (no fused multiply-add), exp(-x) by
 * exp_neg_poly_f (cond_nmda.h; relative error <= 2.25 u) or expf() outside
 * [0, COND_XMAX]. Refractory ends stay times in double (c.until): a step
 * takes until - t0 in double, rounded to float. Inputs add to floats in
 * delivery order; th below NMDA_TH_MIN becomes 0. What it changes against
 * double precision (doc/zenke2013.md): v rounds by up to 3.7e-9 V (half
 * of float's spacing 2^-27 V near 70 mV) instead of 7e-18 V each step;
 * the float state stays within the bounds tests/check_cond_nmda_single.c
 * derives of the double one until a spike tick differs, after which the
 * trajectories part as any perturbation makes them part in a chaotic
 * network. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "base/vec_io.h"
#include "core/net_impl.h"
#include "neurons/cond_nmda.h"
#include "neurons/types.h"

/* Frees s->f (no-op when NULL). */
static void single_free(nmda_state *s) {
  nmda_single *f = s->f;
  if (!f) return;
  free(f->v);
  free(f->ga);
  free(f->gn);
  free(f->gi);
  free(f->th);
  free(f->pe);
  free(f->pi);
  free(f->ib);
  free(f);
  s->f = NULL;
}

/* max(z, 0) and free_time (cond_math.h) in float: the remaining
 * refractory time until - t0 in double, rounded once. */
static inline float relu_f(float z) { return 0.5f * (z + fabsf(z)); }
static inline float free_time_f(double until, double t0, float dt) {
  return relu_f(dt - relu_f((float)(until - t0)));
}

/* The step of neurons [i0, i0 + n) in scalars, as the float lanes compute
 * it, but with expf() where the argument lies outside [0, COND_XMAX]: the
 * rare vector pairs with such a lane (nmda_step_scalar's twin). */
static __attribute__((noinline, cold)) void
nmda_single_scalar(nmda_state *s, uint32_t i0, uint32_t n, double t0) {
  const evs__cond_base *c = &s->c;
  nmda_single *f = s->f;
  const float dt = (float)c->dt, g_l = (float)c->g_l,
              inv_cm = (float)c->inv_cm, e_e = (float)c->e_e,
              e_i = (float)c->e_i, da = (float)c->de, dg = (float)c->di,
              dn = (float)s->dn, can = (float)s->can, dth = (float)s->dth,
              a_a = (float)s->a_ampa, a_n = (float)s->a_nmda;
  for (uint32_t i = i0; i < i0 + n; i++) {
    float a = f->ga[i], g = f->gn[i], b = f->gi[i];
    float ge = a_a * a + a_n * g;
    float g_tot = g_l + ge + b;
    float x = free_time_f(c->until[i], t0, dt) * g_tot * inv_cm;
    float ex = x >= 0 && x <= COND_XMAX ? exp_neg_poly_f(x) : expf(-x);
    float vinf = (f->ib[i] + ge * e_e + b * e_i) / g_tot;
    f->v[i] = vinf + (f->v[i] - vinf) * ex;
    f->gn[i] = dn * g + can * a;
    f->ga[i] = a * da + (c->pending ? f->pe[i] : 0.0f);
    f->gi[i] = b * dg + (c->pending ? f->pi[i] : 0.0f);
    if (c->pending) f->pe[i] = f->pi[i] = 0;
    f->th[i] = f->th[i] * dth;
    f->th[i] = f->th[i] >= NMDA_TH_MIN ? f->th[i] : 0.0f;
  }
}

/* The float step's widths, as the double one's (cond_nmda.c). */
#if defined(__GNUC__) && !defined(__clang__)
#define NMDA_SCHED optimize("schedule-insns", "sched-pressure")
#else
#define NMDA_SCHED
#endif
#define STEP_SINGLE 1
#define STEP_NAME nmda_single4
#define STEP_LANES 4
#define STEP_TARGET __attribute__((NMDA_SCHED))
#define STEP_ANY_TOP(w) ((int)(((w)[0] | (w)[1] | (w)[2] | (w)[3]) >> 31))
#include "neurons/cond_nmda_step.h"
#if defined(__x86_64__) && defined(__GNUC__)
#define NMDA_WIDE 1
#define STEP_SINGLE 1
#define STEP_NAME nmda_single8
#define STEP_LANES 8
#define STEP_TARGET __attribute__((target("avx2"), NMDA_SCHED))
#define STEP_ANY_TOP(w) (_mm256_movemask_ps((__m256)(w)) != 0)
#include "neurons/cond_nmda_step.h"
#define STEP_SINGLE 1
#define STEP_NAME nmda_single16
#define STEP_LANES 16
#define STEP_TARGET __attribute__((target("avx512f"), NMDA_SCHED))
#define STEP_ANY_TOP(w)                                                        \
  (_mm512_test_epi32_mask((__m512i)(w), _mm512_set1_epi32(INT32_MIN)) != 0)
#include "neurons/cond_nmda_step.h"
#endif

/* After the double type's init filled s (the base's arrays with the
 * initial draws): the float state from them, g_N and th 0, the double
 * arrays but c.until and c.ib freed, s->step the widest float step.
 * EVS_OK or EVS_ENOMEM (s->f then freed by the type's destroy). */
static int single_state_init(nmda_state *s) {
  const size_t cap = s->c.cap;
  nmda_single *f = calloc(1, sizeof *f);
  if (!f) return EVS_ENOMEM;
  s->f = f;
  float **arr[] = {&f->v,  &f->ga, &f->gn, &f->gi,
                   &f->th, &f->pe, &f->pi, &f->ib};
  for (size_t k = 0; k < sizeof arr / sizeof arr[0]; k++)
    if (!(*arr[k] = calloc(cap, sizeof(float)))) return EVS_ENOMEM;
  evs__cond_base *c = &s->c;
  for (size_t i = 0; i < cap; i++) {
    f->v[i] = (float)c->v[i];
    f->ga[i] = (float)c->ge[i];
    f->gi[i] = (float)c->gi[i];
    f->ib[i] = (float)c->ib[i];
  }
  /* the double state goes: a stray use would fault, not read stale values */
  double **dbl[] = {&c->v, &c->ge, &c->gi, &c->pe, &c->pi, &s->gn, &s->th};
  for (size_t k = 0; k < sizeof dbl / sizeof dbl[0]; k++) {
    free(*dbl[k]);
    *dbl[k] = NULL;
  }
#ifdef NMDA_WIDE
  if (__builtin_cpu_supports("avx512f"))
    s->step = nmda_single16;
  else if (__builtin_cpu_supports("avx2"))
    s->step = nmda_single8;
  else
#endif
    s->step = nmda_single4;
  return EVS_OK;
}

static int single_init(evs_pop *pop, evs_error *err) {
  int rc = evs__nmda_init(pop, err);
  if (rc == EVS_OK && single_state_init(pop->state))
    return evs__cond_nomem(pop, err);
  return rc;
}

static void single_destroy(evs_pop *pop) {
  if (pop->state) single_free(pop->state);
  evs__nmda_destroy(pop);
}

/* As the double type's nmda_step_block: the sweep, then the clip and the
 * threshold test in float in the chunks it flagged. */
static int single_step_block(evs_pop *pop, double t, uint32_t lo,
                             uint32_t m) {
  nmda_state *s = pop->state;
  evs__cond_base *c = &s->c;
  nmda_single *f = s->f;
  const double t0 = t - c->dt;
  const float v_lo = (float)s->v_lo, v_hi = (float)s->v_hi,
              vth = (float)c->v_thresh;
  uint32_t n = (m + COND_CHUNK - 1) / COND_CHUNK * COND_CHUNK, thr;
  s->step(s, lo, n, t0, c->pending, s->until_max > t0, &thr);
  for (uint32_t k = 0; thr && k < m; k += COND_CHUNK, thr >>= 1) {
    if (!(thr & 1)) continue;
    uint32_t end = k + COND_CHUNK < m ? k + COND_CHUNK : m;
    for (uint32_t i = lo + k; i < lo + end; i++) { /* rare: predictable */
      float *v = f->v;
      if (v[i] < v_lo) v[i] = v_lo;
      if (v[i] > v_hi) v[i] = v_hi;
      if (v[i] > vth + f->th[i]) {
        int rc = evs__pop_emit(pop, t, i);
        if (rc) return rc;
        v[i] = (float)c->v_reset;
        f->th[i] = (float)s->thr_jump;
        c->until[i] = t + c->tau_refrac;
        if (c->until[i] > s->until_max) s->until_max = c->until[i];
      }
    }
  }
  return EVS_OK;
}

static int single_tick(evs_pop *pop, double t) {
  return evs__cond_tick(pop, t, single_step_block);
}

/* evs__cond_deliver's twin on the float state: at the state time into
 * g_A / g_G at once, else into the inputs of the next tick. */
static inline __attribute__((always_inline)) void
single_deliver_w(evs_pop *pop, double t, int receptor, const void *target,
                 int narrow, const float *weight, float shared, size_t n) {
  nmda_state *s = pop->state;
  nmda_single *f = s->f;
  const int inh = receptor == EVS_RECEPTOR_INH;
  float *g;
  if (t <= s->c.t_now + s->c.eps) {
    g = inh ? f->gi : f->ga;
  } else {
    g = inh ? f->pi : f->pe;
    s->c.pending = 1;
  }
  if (weight)
    for (size_t q = 0; q < n; q++) g[evs__target(target, narrow, q)] += weight[q];
  else
    for (size_t q = 0; q < n; q++) g[evs__target(target, narrow, q)] += shared;
}

static void single_deliver(evs_pop *pop, double t, int receptor,
                           const uint32_t *target, const float *weight,
                           float shared, size_t n) {
  single_deliver_w(pop, t, receptor, target, 0, weight, shared, n);
}

static void single_deliver16(evs_pop *pop, double t, int receptor,
                             const uint16_t *target, const float *weight,
                             float shared, size_t n) {
  single_deliver_w(pop, t, receptor, target, 1, weight, shared, n);
}

/* The drive: c.ib keeps the sum in double (evs__cond_inject's), f->ib its
 * float. */
static void single_inject(evs_pop *pop, uint32_t id, double t, double delta) {
  nmda_state *s = pop->state;
  evs__cond_inject(pop, id, t, delta);
  s->f->ib[id] = (float)s->c.ib[id];
}

static int single_change(evs_pop *pop, const evs_pop *old, int k, double t) {
  nmda_state *s = pop->state;
  int rc = evs__nmda_change(pop, old, k, t);
  for (uint32_t i = 0; i < s->c.cap; i++) s->f->ib[i] = (float)s->c.ib[i];
  return rc;
}

static double single_voltage(evs_pop *pop, uint32_t id, double t) {
  (void)t;
  const nmda_state *s = pop->state;
  return s->f->v[id];
}

/* The double type's recordables (evs__nmda_recordables), from the floats;
 * gsyn_exc = a_A g_A + a_N g_N in double. */
static double single_state(evs_pop *pop, uint32_t id, double t, int var) {
  (void)t;
  const nmda_state *s = pop->state;
  const nmda_single *f = s->f;
  switch (var) {
  case 0: return s->a_ampa * f->ga[id] + s->a_nmda * f->gn[id];
  case 1: return f->gi[id];
  case 2: return f->ga[id];
  case 3: return f->gn[id];
  default: return f->th[id];
  }
}

/* The float state, the refractory ends, the drive (both), the state time
 * and the pending flag; until_max follows from the refractory ends. */
static int single_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  nmda_state *s = pop->state;
  nmda_single *f = s->f;
  float *arr[] = {f->v, f->ga, f->gn, f->gi, f->th, f->pe, f->pi, f->ib};
  for (size_t k = 0; k < sizeof arr / sizeof arr[0]; k++)
    evs_ckpt_neurons(ck, arr[k], pop->size, sizeof(float));
  evs_ckpt_neurons(ck, s->c.until, pop->size, sizeof(double));
  evs_ckpt_neurons(ck, s->c.ib, pop->size, sizeof(double));
  evs_ckpt_bytes(ck, &s->c.t_now, sizeof s->c.t_now);
  evs_ckpt_any(ck, &s->c.pending);
  s->until_max = COND_NEVER;
  for (uint32_t i = 0; i < pop->size; i++)
    if (s->c.until[i] > s->until_max) s->until_max = s->c.until[i];
  return evs_ckpt_status(ck);
}

const evs_neuron_type evs__if_cond_ampa_nmda_single = {
    .name = "IF_cond_ampa_nmda_single",
    .kind = EVS_POP_CLOCKED,
    .params = evs__nmda_params,
    .n_params = EVS__NMDA_N_PARAMS,
    .weight_scale = evs__cond_weight_scale,
    .init = single_init,
    .destroy = single_destroy,
    .deliver = single_deliver,
    .deliver16 = single_deliver16,
    .tick = single_tick,
    .voltage = single_voltage,
    .dc_scale = evs__cond_dc_scale,
    .sliceable = 1,
    .inject = single_inject,
    .recordables = evs__nmda_recordables,
    .n_recordables = 5,
    .state = single_state,
    .check_change = evs__nmda_check_change,
    .change = single_change,
    .checkpoint = single_checkpoint,
};
