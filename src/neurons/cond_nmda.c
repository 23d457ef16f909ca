/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — IF_cond_ampa_nmda: the conductance-based LIF of Zenke, Hennequin
 * & Gerstner 2013 (Auryn's IFGroup, the neuron of its sim_background
 * example): AMPA and NMDA excitatory conductances (NMDA a low-pass of AMPA,
 * no magnesium block, same reversal), a GABA conductance, and a threshold
 * that jumps at each spike and decays back. Integrated on the population's
 * clock. doc/zenke2013.md has the equations with their sources.
 *
 *   cm dv/dt = g_L (v_rest - v) + (a_A g_A + a_N g_N) (e_rev_E - v)
 *              + g_G (e_rev_I - v) + i_offset + dc,       g_L = cm / tau_m
 *   dg_A/dt = -g_A / tau_ampa,  dg_N/dt = (g_A - g_N) / tau_nmda,
 *   dg_G/dt = -g_G / tau_gaba,  dth/dt = -th / tau_thr,
 *   a_A = r / (1 + r), a_N = 1 / (1 + r),  r = ampa_nmda_ratio;
 *   an excitatory weight w adds w to g_A, an inhibitory one to g_G;
 *   spike when v > v_thresh + th: v = v_reset, th = thr_jump (set, not
 *   added), v held at v_reset for tau_refrac (Auryn: 0).
 *
 * One step from t - dt to t (cond.c's order, which is also Auryn's):
 *   1. v by exponential Euler with the conductances of the step start held
 *      constant (exact for constant conductances; Auryn uses forward
 *      Euler), only over the part of the step after a refractory period;
 *   2. the conductances and th by their exact propagators: g_N <- d_N g_N +
 *      c_AN g_A, g_A <- d_A g_A, g_G <- d_G g_G, th <- d_th th (the linear
 *      system is solved in closed form, d_X = exp(-dt / tau_X), c_AN =
 *      tau_ampa (d_N - d_A) / (tau_nmda - tau_ampa), or (dt / tau) d when
 *      the two are equal); then inputs that arrived strictly inside the
 *      step are added to g_A and g_G;
 *   3. v is clipped to [e_rev_I, e_rev_E] (Auryn's clip; with exponential
 *      Euler it only acts on initial values or strong injected currents);
 *   4. v > v_thresh + th: spike at t, v = v_reset, th = thr_jump,
 *      refractory until t + tau_refrac.
 * Steps 1 and 2 run in one vector sweep over each block (cond_nmda_step.h),
 * which flags the chunks where steps 3 and 4 may act. Input timing, the
 * polynomial exp(-x), blocks and padding are the conductance base's
 * (cond_math.h, cond_base.c), and so are the shared state and hooks
 * (deliver, inject, voltage). Every parameter but the
 * initial values may change between the phases of a run (nmda_change).
 * Per-neuron initial values:
 * neuron i draws from its stream (seed, population, i, EVS_RNG_INIT), in this
 * order: v_init, gsyn_exc_init (into g_A), gsyn_inh_init (into g_G); g_N and th
 * start at 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "base/vec_io.h"
#include "neurons/cond_math.h"
#include "neurons/cond_nmda.h"
#include "core/net_impl.h"
#include "neurons/types.h"

/* Positions in the parameter table below (par[], dist[] use them). The
 * range P_V_REST .. P_I_OFFSET is checked finite by cond.c. */
enum {
  P_CM,
  P_TAU_M,
  P_TAU_AMPA,
  P_TAU_GABA,
  P_TAU_NMDA,
  P_TAU_THR,
  P_TAU_REFRAC,
  P_AMPA_NMDA_RATIO,
  P_THR_JUMP,
  P_V_REST,
  P_V_RESET,
  P_V_THRESH,
  P_E_REV_E,
  P_E_REV_I,
  P_I_OFFSET,
  P_V_INIT,
  P_GSYN_EXC_INIT,
  P_GSYN_INH_INIT,
  P_N_PARAMS
};

/* Defaults: Auryn's IFGroup::init (tau_mem 20 ms, tau_ampa 5 ms, tau_gaba
 * 10 ms, tau_nmda 100 ms, u_rest = u_reset = -70 mV, thr_rest -50 mV,
 * dthr 100 mV, tau_thr 5 ms, u_inh_rev -80 mV, excitatory reversal 0 mV,
 * AMPA/NMDA ratio 1); cm = 200 pF makes g_L = 10 nS, so that Auryn's
 * dimensionless weights (in units of g_L) become w x 10 nS. */
const evs_param_def evs__nmda_params[EVS__NMDA_N_PARAMS] = {
    {"cm", EVS_DIM_CAPACITANCE, 200e-12, EVS_PARAM_CONST,
     "membrane capacitance"},
    {"tau_m", EVS_DIM_TIME, 20e-3, EVS_PARAM_CONST,
     "membrane time constant (leak conductance g_L = cm / tau_m)"},
    {"tau_ampa", EVS_DIM_TIME, 5e-3, EVS_PARAM_CONST,
     "decay time constant of the AMPA conductance g_A"},
    {"tau_gaba", EVS_DIM_TIME, 10e-3, EVS_PARAM_CONST,
     "decay time constant of the GABA (inhibitory) conductance"},
    {"tau_nmda", EVS_DIM_TIME, 100e-3, EVS_PARAM_CONST,
     "time constant of the NMDA conductance, a low-pass of g_A"},
    {"tau_thr", EVS_DIM_TIME, 5e-3, EVS_PARAM_CONST,
     "decay time constant of the threshold jump"},
    {"tau_refrac", EVS_DIM_TIME, 0.0, EVS_PARAM_CONST,
     "refractory period (v held at v_reset; Auryn: none)"},
    {"ampa_nmda_ratio", EVS_DIM_NONE, 1.0, EVS_PARAM_CONST,
     "r: the membrane sees r/(1+r) g_A + 1/(1+r) g_NMDA"},
    {"thr_jump", EVS_DIM_VOLTAGE, 100e-3, EVS_PARAM_CONST,
     "threshold offset set at each spike"},
    {"v_rest", EVS_DIM_VOLTAGE, -70e-3, EVS_PARAM_CONST,
     "leak reversal potential"},
    {"v_reset", EVS_DIM_VOLTAGE, -70e-3, EVS_PARAM_CONST, "reset potential"},
    {"v_thresh", EVS_DIM_VOLTAGE, -50e-3, EVS_PARAM_CONST,
     "resting spike threshold"},
    {"e_rev_E", EVS_DIM_VOLTAGE, 0.0, EVS_PARAM_CONST,
     "excitatory (AMPA and NMDA) reversal potential"},
    {"e_rev_I", EVS_DIM_VOLTAGE, -80e-3, EVS_PARAM_CONST,
     "inhibitory reversal potential"},
    {"i_offset", EVS_DIM_CURRENT, 0.0, EVS_PARAM_CONST,
     "constant injected current"},
    {"v_init", EVS_DIM_VOLTAGE, -70e-3, EVS_PARAM_PER_NEURON,
     "initial membrane potential"},
    {"gsyn_exc_init", EVS_DIM_CONDUCTANCE, 0.0, EVS_PARAM_PER_NEURON,
     "initial AMPA conductance"},
    {"gsyn_inh_init", EVS_DIM_CONDUCTANCE, 0.0, EVS_PARAM_PER_NEURON,
     "initial GABA conductance"},
};

_Static_assert(P_N_PARAMS == EVS__NMDA_N_PARAMS, "cond_nmda.h's count");

static const int nmda_positive[] = {P_CM,       P_TAU_M,    P_TAU_AMPA,
                                    P_TAU_GABA, P_TAU_NMDA, P_TAU_THR};
static const int nmda_nonneg[] = {P_TAU_REFRAC, P_AMPA_NMDA_RATIO, P_THR_JUMP};

static const evs__cond_layout nmda_layout = {
    .type = "IF_cond_ampa_nmda",
    .params = evs__nmda_params,
    .positive = nmda_positive,
    .n_positive = sizeof nmda_positive / sizeof nmda_positive[0],
    .nonneg = nmda_nonneg,
    .n_nonneg = sizeof nmda_nonneg / sizeof nmda_nonneg[0],
    .cm = P_CM,
    .tau_m = P_TAU_M,
    .tau_syn_e = P_TAU_AMPA,
    .tau_syn_i = P_TAU_GABA,
    .tau_refrac = P_TAU_REFRAC,
    .v_rest = P_V_REST,
    .v_reset = P_V_RESET,
    .v_thresh = P_V_THRESH,
    .e_rev_e = P_E_REV_E,
    .e_rev_i = P_E_REV_I,
    .i_offset = P_I_OFFSET,
    .v_init = P_V_INIT,
    .gsyn_exc_init = P_GSYN_EXC_INIT,
    .gsyn_inh_init = P_GSYN_INH_INIT,
};

static nmda_step_fn nmda_choose_step(void);

void evs__nmda_destroy(evs_pop *pop) {
  nmda_state *s = pop->state;
  if (!s) return;
  free(s->gn);
  free(s->th);
  evs__cond_destroy(pop);
}

/* The coefficient of g_A(t0) in g_N(t0 + dt) for dg_N/dt = (g_A - g_N) /
 * tau_n, dg_A/dt = -g_A / tau_a: tau_a (e^{-dt/tau_n} - e^{-dt/tau_a}) /
 * (tau_n - tau_a), written with expm1 so that nearly equal time constants
 * lose no digits; (dt / tau) e^{-dt/tau} when they are equal. */
static double nmda_coupling(double dt, double tau_a, double tau_n) {
  if (tau_a == tau_n) return dt / tau_n * exp(-dt / tau_n);
  double k = (tau_n - tau_a) / (tau_a * tau_n); /* 1/tau_a - 1/tau_n */
  return tau_a / (tau_n - tau_a) * exp(-dt / tau_a) * expm1(dt * k);
}

/* The constants beyond the conductance base's (evs__cond_init derives
 * those) that follow from the parameters p and the base's step: the
 * AMPA/NMDA split, the NMDA conductance's propagator, the threshold's
 * decay and jump, the clip of v. */
void evs__nmda_derive(const double *p, nmda_state *s) {
  const double r = p[P_AMPA_NMDA_RATIO], dt = s->c.dt;
  s->a_ampa = r / (r + 1);
  s->a_nmda = 1 / (r + 1);
  s->dn = exp(-dt / p[P_TAU_NMDA]);
  s->can = nmda_coupling(dt, p[P_TAU_AMPA], p[P_TAU_NMDA]);
  s->dth = exp(-dt / p[P_TAU_THR]);
  s->thr_jump = p[P_THR_JUMP];
  s->v_lo = p[P_E_REV_I];
  s->v_hi = p[P_E_REV_E];
}

/* The type's own check beyond the base's: the clip range [e_rev_I,
 * e_rev_E] must not be empty. EVS_OK or EVS_EMODEL at key e_rev_I. */
static int nmda_check(const evs_pop *pop, evs_error *err) {
  const double *p = pop->par;
  if (!(p[P_E_REV_I] < p[P_E_REV_E])) {
    evs_error_set(err, EVS_EMODEL, NULL, 0,
                  "population %s: e_rev_I (%g mV) must be below e_rev_E "
                  "(%g mV): v is clipped to [e_rev_I, e_rev_E]",
                  pop->name, p[P_E_REV_I] * 1e3, p[P_E_REV_E] * 1e3);
    evs_error_key(err, "e_rev_I");
    return EVS_EMODEL;
  }
  return EVS_OK;
}

int evs__nmda_init(evs_pop *pop, evs_error *err) {
  int rc = evs__cond_init(pop, &nmda_layout, sizeof(nmda_state), err);
  if (rc || (rc = nmda_check(pop, err))) return rc;
  const double *p = pop->par;
  nmda_state *s = pop->state;
  /* calloc: g_N and th start at 0 */
  s->gn = calloc(s->c.cap, sizeof(double));
  s->th = calloc(s->c.cap, sizeof(double));
  if (!s->gn || !s->th) return evs__cond_nomem(pop, err);
  evs__nmda_derive(p, s);
  s->until_max = COND_NEVER;
  s->step = nmda_choose_step();
  return EVS_OK;
}

/* Before a change after the build (core/neuron_type.h): the initial
 * values are refused, the rest checked as init checks them. */
int evs__nmda_check_change(const evs_pop *next, int k, evs_error *err) {
  int rc = evs__cond_check_change(next, k, &nmda_layout, err);
  return rc ? rc : nmda_check(next, err);
}

/* Parameter k changed (evs_neuron_type.change): from the state time (the
 * last tick) the steps take the constants derived anew (the propagators,
 * the AMPA/NMDA split, the clip); v, g_A, g_N, g_G and the threshold offset
 * are kept, the drive moves with g_L v_rest + i_offset (evs__cond_change);
 * a refractory period begun ends as it began; thr_jump acts at the spikes
 * after the change. A value set to itself changes nothing. */
int evs__nmda_change(evs_pop *pop, const evs_pop *old, int k, double t) {
  (void)t;
  if (pop->par[k] == old->par[k]) return EVS_OK;
  evs__cond_change(pop, old, &nmda_layout);
  evs__nmda_derive(pop->par, pop->state);
  return EVS_OK;
}

/* The step of neurons [i0, i0 + n) in scalars, as cond_nmda_step.h's
 * lanes compute it, but with libm's exp() where the argument lies outside
 * the polynomial's range (exp_neg_exact): the rare vectors with such a
 * lane. h is free_time's, which is dt to the bit when no refractory period
 * runs after t0. */
static __attribute__((noinline, cold)) void
nmda_step_scalar(nmda_state *s, uint32_t i0, uint32_t n, double t0) {
  evs__cond_base *c = &s->c;
  for (uint32_t i = i0; i < i0 + n; i++) {
    double a = c->ge[i], g = s->gn[i], b = c->gi[i];
    double ge = s->a_ampa * a + s->a_nmda * g;
    double x = free_time(c->until[i], t0, c->dt) * (c->g_l + ge + b) *
               c->inv_cm;
    double ex = exp_neg_poly(x);
    exp_neg_exact(&ex, x);
    double vinf = (c->ib[i] + ge * c->e_e + b * c->e_i) / (c->g_l + ge + b);
    c->v[i] = vinf + (c->v[i] - vinf) * ex;
    s->gn[i] = s->dn * g + s->can * a;
    c->ge[i] = a * c->de + (c->pending ? c->pe[i] : 0.0);
    c->gi[i] = b * c->di + (c->pending ? c->pi[i] : 0.0);
    if (c->pending) c->pe[i] = c->pi[i] = 0;
    s->th[i] = s->th[i] * s->dth;
  }
}

/* The step's widths (cond_nmda_step.h), as cond.c's: two lanes on any
 * target; on x86-64 four with AVX2 and eight with AVX-512, chosen at init
 * (nmda_choose_step). */
#if defined(__GNUC__) && !defined(__clang__)
#define NMDA_SCHED optimize("schedule-insns", "sched-pressure")
#else
#define NMDA_SCHED
#endif
#define STEP_NAME nmda_step2
#define STEP_LANES 2
#define STEP_TARGET __attribute__((NMDA_SCHED))
#define STEP_ANY_TOP(w) ((int)(((w)[0] | (w)[1]) >> 63))
#include "neurons/cond_nmda_step.h"
#if defined(__x86_64__) && defined(__GNUC__)
#define NMDA_WIDE 1
#define STEP_NAME nmda_step4
#define STEP_LANES 4
#define STEP_TARGET __attribute__((target("avx2"), NMDA_SCHED))
#define STEP_ANY_TOP(w) (_mm256_movemask_pd((__m256d)(w)) != 0)
#include "neurons/cond_nmda_step.h"
#define STEP_NAME nmda_step8
#define STEP_LANES 8
#define STEP_TARGET __attribute__((target("avx512f"), NMDA_SCHED))
#define STEP_ANY_TOP(w)                                                        \
  (_mm512_test_epi64_mask((__m512i)(w), _mm512_set1_epi64(INT64_MIN)) != 0)
#include "neurons/cond_nmda_step.h"
#endif

/* The widest step the processor runs. */
static nmda_step_fn nmda_choose_step(void) {
#ifdef NMDA_WIDE
  if (__builtin_cpu_supports("avx512f")) return nmda_step8;
  if (__builtin_cpu_supports("avx2")) return nmda_step4;
#endif
  return nmda_step2;
}

/* One step of the block of COND_BLOCK neurons starting at lo, from t - dt to
 * t, m of them real: one sweep (cond_nmda_step.h) over the chunks that hold
 * them, then the clip and the threshold test in the chunks where some v
 * may have reached threshold or left the clip range. */
static int nmda_step_block(evs_pop *pop, double t, uint32_t lo, uint32_t m) {
  nmda_state *s = pop->state;
  evs__cond_base *c = &s->c;
  const double t0 = t - c->dt;
  uint32_t n = (m + COND_CHUNK - 1) / COND_CHUNK * COND_CHUNK, thr;
  s->step(s, lo, n, t0, c->pending, s->until_max > t0, &thr);
  for (uint32_t k = 0; thr && k < m; k += COND_CHUNK, thr >>= 1) {
    if (!(thr & 1)) continue;
    uint32_t end = k + COND_CHUNK < m ? k + COND_CHUNK : m;
    for (uint32_t i = lo + k; i < lo + end; i++) { /* rare: predictable */
      double *v = c->v;
      if (v[i] < s->v_lo) v[i] = s->v_lo;
      if (v[i] > s->v_hi) v[i] = s->v_hi;
      if (v[i] > c->v_thresh + s->th[i]) {
        int rc = evs__pop_emit(pop, t, i);
        if (rc) return rc;
        v[i] = c->v_reset;
        s->th[i] = s->thr_jump;
        c->until[i] = t + c->tau_refrac;
        if (c->until[i] > s->until_max) s->until_max = c->until[i];
      }
    }
  }
  return EVS_OK;
}

static int nmda_tick(evs_pop *pop, double t) {
  return evs__cond_tick(pop, t, nmda_step_block);
}

const evs_recordable evs__nmda_recordables[5] = {{"gsyn_exc", "S"},
                                                  {"gsyn_inh", "S"},
                                                  {"g_ampa", "S"},
                                                  {"g_nmda", "S"},
                                                  {"theta", "V"}};

/* gsyn_exc is the excitatory conductance the membrane sees, a_A g_A +
 * a_N g_N; g_ampa and g_nmda are the two raw conductances (an input adds
 * its weight to g_ampa); theta is the threshold offset th. All at the
 * state time. */
static double nmda_state_of(evs_pop *pop, uint32_t id, double t, int var) {
  (void)t;
  const nmda_state *s = pop->state;
  switch (var) {
  case 0: return s->a_ampa * s->c.ge[id] + s->a_nmda * s->gn[id];
  case 1: return s->c.gi[id];
  case 2: return s->c.ge[id];
  case 3: return s->gn[id];
  default: return s->th[id];
  }
}

/* The base's state (v, g_A, g_G, refractory ends, pending inputs, bias,
 * the state time), g_NMDA and the threshold offsets; until_max follows
 * from the refractory ends (after a load: those loaded). */
static int nmda_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  nmda_state *s = pop->state;
  evs__cond_checkpoint(pop, ck);
  evs_ckpt_neurons(ck, s->gn, pop->size, sizeof *s->gn);
  int rc = evs_ckpt_neurons(ck, s->th, pop->size, sizeof *s->th);
  s->until_max = COND_NEVER;
  for (uint32_t i = 0; i < pop->size; i++)
    if (s->c.until[i] > s->until_max) s->until_max = s->c.until[i];
  return rc;
}

const evs_neuron_type evs__if_cond_ampa_nmda = {
    .name = "IF_cond_ampa_nmda",
    .kind = EVS_POP_CLOCKED,
    .params = evs__nmda_params,
    .n_params = EVS__NMDA_N_PARAMS,
    .weight_scale = evs__cond_weight_scale,
    .init = evs__nmda_init,
    .destroy = evs__nmda_destroy,
    .deliver = evs__cond_deliver,
    .deliver16 = evs__cond_deliver16,
    .tick = nmda_tick,
    .voltage = evs__cond_voltage,
    .dc_scale = evs__cond_dc_scale,
    .sliceable = 1,
    .inject = evs__cond_inject,
    .recordables = evs__nmda_recordables,
    .n_recordables = 5,
    .state = nmda_state_of,
    .check_change = evs__nmda_check_change,
    .change = evs__nmda_change,
    .checkpoint = nmda_checkpoint,
};
