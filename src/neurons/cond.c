/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — IF_cond_exp: the conductance-based LIF with exponentially decaying
 * conductances (PyNN's model), integrated on the population's clock.
 *
 *   cm dv/dt = g_L (v_rest - v) + g_e (e_rev_E - v) + g_i (e_rev_I - v)
 *              + i_offset + dc,                       g_L = cm / tau_m
 *   dg_e/dt = -g_e / tau_syn_E,   dg_i/dt = -g_i / tau_syn_I
 *
 * One step from t - dt to t, in Brian2's order:
 *   1. v by exponential Euler with g_e, g_i of the step start held constant
 *      (exact for constant conductances):
 *        g_tot = g_L + g_e + g_i,  v_inf = (g_L v_rest + g_e e_rev_E
 *        + g_i e_rev_I + i_offset + dc) / g_tot,
 *        v <- v_inf + (v - v_inf) exp(-h g_tot / cm);
 *      h = dt, except that a refractory neuron integrates only the part of
 *      the step after its refractory period ends (h = 0 while it lasts, so v
 *      stays at v_reset);
 *   2. g_e, g_i decay by exp(-dt / tau_syn) (precomputed), then inputs that
 *      arrived strictly inside the step are added;
 *   3. v >= v_thresh: spike at t, v = v_reset, refractory until t + tau_refrac.
 *
 * Inputs delivered at the state time (the last tick, or 0) enter g at once;
 * inputs delivered later act from the next tick on (they wait in a pending
 * buffer that step 2 empties). So the result does not depend on whether the
 * scheduler runs a delivery before or after a tick of the same time.
 *
 * exp(-x) is evaluated by a degree-8 polynomial for 0 <= x <= 0.5 (relative
 * error < 6e-14; x = dt g_tot / cm is ~0.005-0.3 for the usual parameters)
 * and by libm's exp() otherwise. The whole step loop then vectorises; with
 * libm's exp() it does not, and a step of COBA (N = 4000) costs ~2x more.
 * A population with one value per parameter steps in one sweep (cond_step.h:
 * steps 1 and 2, and a bit for each neuron that may have spiked) over the
 * chunks of 32 neurons that hold real neurons; the threshold test then
 * reads only the flagged neurons. Per-neuron parameters take two passes a
 * block of 256.
 *
 * Per-neuron values (evs__pop_value: set per neuron, else drawn by neuron i
 * from its stream (seed, population, i, EVS_RNG_INIT)), in this fixed
 * order: v_init, gsyn_exc_init, gsyn_inh_init (every conductance type);
 * then, for IF_cond_exp, whose every parameter may differ between neurons,
 * its parameters in table order, cm to i_offset. A population whose
 * parameters are one value each steps with those values as constants; one
 * with per-neuron values steps with arrays of them (cond_pn). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "base/vec_io.h"
#include "neurons/cond_math.h"
#include "core/net_impl.h"
#include "neurons/types.h"

/* Positions in the parameter table below (par[], dist[] use them). */
enum {
  P_CM,
  P_TAU_M,
  P_TAU_SYN_E,
  P_TAU_SYN_I,
  P_TAU_REFRAC,
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

static const evs_param_def cond_params[P_N_PARAMS] = {
    {"cm", EVS_DIM_CAPACITANCE, 1e-9, EVS_PARAM_PER_NEURON,
     "membrane capacitance"},
    {"tau_m", EVS_DIM_TIME, 20e-3, EVS_PARAM_PER_NEURON,
     "membrane time constant (leak conductance g_L = cm / tau_m)"},
    {"tau_syn_E", EVS_DIM_TIME, 5e-3, EVS_PARAM_PER_NEURON,
     "decay time constant of the excitatory conductance"},
    {"tau_syn_I", EVS_DIM_TIME, 5e-3, EVS_PARAM_PER_NEURON,
     "decay time constant of the inhibitory conductance"},
    {"tau_refrac", EVS_DIM_TIME, 0.1e-3, EVS_PARAM_PER_NEURON,
     "refractory period (v held at v_reset)"},
    {"v_rest", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_PER_NEURON,
     "leak reversal potential"},
    {"v_reset", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_PER_NEURON,
     "reset potential"},
    {"v_thresh", EVS_DIM_VOLTAGE, -50e-3, EVS_PARAM_PER_NEURON,
     "spike threshold"},
    {"e_rev_E", EVS_DIM_VOLTAGE, 0.0, EVS_PARAM_PER_NEURON,
     "excitatory reversal potential"},
    {"e_rev_I", EVS_DIM_VOLTAGE, -70e-3, EVS_PARAM_PER_NEURON,
     "inhibitory reversal potential"},
    {"i_offset", EVS_DIM_CURRENT, 0.0, EVS_PARAM_PER_NEURON,
     "constant injected current"},
    {"v_init", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_PER_NEURON,
     "initial membrane potential"},
    {"gsyn_exc_init", EVS_DIM_CONDUCTANCE, 0.0, EVS_PARAM_PER_NEURON,
     "initial excitatory conductance"},
    {"gsyn_inh_init", EVS_DIM_CONDUCTANCE, 0.0, EVS_PARAM_PER_NEURON,
     "initial inhibitory conductance"},
};

static const int cond_positive[] = {P_CM, P_TAU_M, P_TAU_SYN_E, P_TAU_SYN_I};
static const int cond_nonneg[] = {P_TAU_REFRAC};

static const evs__cond_layout cond_layout = {
    .type = "IF_cond_exp",
    .params = cond_params,
    .positive = cond_positive,
    .n_positive = sizeof cond_positive / sizeof cond_positive[0],
    .nonneg = cond_nonneg,
    .n_nonneg = sizeof cond_nonneg / sizeof cond_nonneg[0],
    .cm = P_CM,
    .tau_m = P_TAU_M,
    .tau_syn_e = P_TAU_SYN_E,
    .tau_syn_i = P_TAU_SYN_I,
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

/* IF_cond_exp's parameters for each neuron, derived as the base's
 * constants are, [cap] each (padding neurons: the population's). */
typedef struct cond_pn {
  double *g_l, *inv_cm, *e_e, *e_i, *de, *di, *v_thresh, *v_reset, *tau_refrac;
} cond_pn;

/* The vector step (cond_step.h) of the lanes chosen at init. */
typedef void (*cond_step_fn)(evs__cond_base *restrict s, uint32_t lo,
                             uint32_t n, double t0, int pending,
                             uint64_t *thr);

/* IF_cond_exp's state: the shared base, and pn when some parameter differs
 * between neurons (NULL: the base's constants hold for all). */
typedef struct cond_state {
  evs__cond_base c;
  cond_pn *pn;
  cond_step_fn step; /* the widest cond_step.h the processor runs */
  uint64_t *thr;     /* [c.cap / 64] the step's threshold bits */
} cond_state;

/* The step of neurons [i0, i0 + n) in scalars, as cond_step.h's lanes
 * compute it, but with libm's exp() where the argument lies outside the
 * polynomial's range (exp_neg_exact): the rare vectors with such a lane. */
static __attribute__((noinline, cold)) void
cond_step_scalar(evs__cond_base *s, uint32_t i0, uint32_t n, double t0) {
  for (uint32_t i = i0; i < i0 + n; i++) {
    double a = s->ge[i], b = s->gi[i];
    double x =
        free_time(s->until[i], t0, s->dt) * (s->g_l + a + b) * s->inv_cm;
    double ex = exp_neg_poly(x);
    exp_neg_exact(&ex, x);
    double vinf = (s->ib[i] + a * s->e_e + b * s->e_i) / (s->g_l + a + b);
    s->v[i] = vinf + (s->v[i] - vinf) * ex;
    s->ge[i] = a * s->de;
    s->gi[i] = b * s->di;
    if (s->pending) {
      s->ge[i] += s->pe[i];
      s->gi[i] += s->pi[i];
      s->pe[i] = s->pi[i] = 0;
    }
  }
}

/* The step's widths (cond_step.h): two lanes on any target (GCC and Clang
 * lower them to whatever it has); on x86-64 four with AVX2 and eight with
 * AVX-512, chosen at init, whose sign-bit tests are one instruction. GCC
 * does not schedule instructions before register allocation on x86 by
 * default, and its expansion puts each of the two Horner chains of
 * cond_step.h in one piece again: the first scheduling pass (with register
 * pressure in mind) interleaves them. (B2 at 4,000, 10 s, medians of 7
 * alternating runs on the loaded machine: 1.00 s without, 0.97 s with;
 * callgrind, AVX2: 1,129.9 M against 1,123.5 M instructions for 1 s; see
 * bench/results/2026-12-07-b2speed.md.) AVX-512's 32 registers hold four
 * vectors' chains, a whole chunk an iteration; AVX2 and two lanes keep two,
 * as four spill their 16 (AVX2: +46 % instructions). The relu of free_time
 * is one max instruction where the target has one, and AVX-512 tests the
 * exp() range with unsigned compares into a mask
 * (bench/results/2026-12-07-s18-b2.md). */
#if defined(__GNUC__) && !defined(__clang__)
#define COND_SCHED optimize("schedule-insns", "sched-pressure")
#else
#define COND_SCHED
#endif
#define STEP_NAME cond_step2
#define STEP_LANES 2
#define STEP_WAYS 2
#define STEP_TARGET __attribute__((COND_SCHED))
#define STEP_ANY_TOP(w) ((int)(((w)[0] | (w)[1]) >> 63))
#define STEP_TOP_BITS(w) (((w)[0] >> 63) | ((w)[1] >> 63) << 1)
#if defined(__x86_64__) && defined(__GNUC__)
#define STEP_MAX0(z) ((vd)_mm_max_pd((__m128d)(z), _mm_setzero_pd()))
#else
#define STEP_MAX0(z) ((vd)((vl)(z) & (vl)((z) > 0)))
#endif
#define STEP_OUT_OF_RANGE(x) COND_VEC_OUT_OF_RANGE(x)
#include "neurons/cond_step.h"
#if defined(__x86_64__) && defined(__GNUC__)
#define COND_WIDE 1
#define STEP_NAME cond_step4
#define STEP_LANES 4
#define STEP_WAYS 2
#define STEP_TARGET __attribute__((target("avx2"), COND_SCHED))
#define STEP_ANY_TOP(w) (_mm256_movemask_pd((__m256d)(w)) != 0)
#define STEP_TOP_BITS(w) ((uint64_t)_mm256_movemask_pd((__m256d)(w)))
#define STEP_MAX0(z) ((vd)_mm256_max_pd((__m256d)(z), _mm256_setzero_pd()))
#define STEP_OUT_OF_RANGE(x) COND_VEC_OUT_OF_RANGE(x)
#include "neurons/cond_step.h"
#define STEP_NAME cond_step8
#define STEP_LANES 8
#define STEP_WAYS 4
#define STEP_TARGET __attribute__((target("avx512f"), COND_SCHED))
#define STEP_MAX0(z) ((vd)_mm512_max_pd((__m512d)(z), _mm512_setzero_pd()))
#define STEP_OUT_OF_RANGE(x)                                                   \
  __extension__({                                                              \
    __mmask8 m_ = 0;                                                           \
    COND_VEC_EACH(m_ |=                                                        \
                  _mm512_cmpgt_epu64_mask((__m512i)(x)[q], (__m512i)lim));     \
    m_ != 0;                                                                   \
  })
#define STEP_ANY_TOP(w)                                                        \
  (_mm512_test_epi64_mask((__m512i)(w), _mm512_set1_epi64(INT64_MIN)) != 0)
#define STEP_TOP_BITS(w)                                                       \
  ((uint64_t)_mm512_test_epi64_mask((__m512i)(w), _mm512_set1_epi64(INT64_MIN)))
#include "neurons/cond_step.h"
#endif

/* The widest step the processor runs. */
static cond_step_fn cond_choose_step(void) {
#ifdef COND_WIDE
  if (__builtin_cpu_supports("avx512f")) return cond_step8;
  if (__builtin_cpu_supports("avx2")) return cond_step4;
#endif
  return cond_step2;
}

/* ---- IF_cond_exp's own step --------------------------------------------- */

static void cond_destroy(evs_pop *pop) {
  cond_state *s = pop->state;
  if (s && s->pn) {
    free(s->pn->g_l); /* one block holds every array */
    free(s->pn);
  }
  if (s) free(s->thr);
  evs__cond_destroy(pop);
}

/* "population P: neuron I: NAME WHAT (got X)" at key NAME; EVS_EMODEL. */
static int cond_bad_value(const evs_pop *pop, uint32_t i, int k,
                          const char *what, double x, evs_error *err) {
  evs_error_set(err, EVS_EMODEL, NULL, 0,
                "population %s: neuron %u: %s %s (got %g)", pop->name,
                (unsigned)(pop->first + i), cond_params[k].name, what, x);
  evs_error_key(err, cond_params[k].name);
  return EVS_EMODEL;
}

/* Neuron i's parameters cm .. i_offset into x[] (evs__pop_value, after the
 * initial values in the neuron's stream; a padding neuron, i >= size, the
 * population's), checked as the base's check (evs__cond_check) checks the
 * population's. EVS_OK or EVS_EMODEL. */
static int cond_neuron(const evs_pop *pop, uint32_t i, double x[P_N_PARAMS],
                       evs_error *err) {
  if (i >= pop->size) { /* padding: the population's values */
    for (int k = P_CM; k <= P_I_OFFSET; k++) x[k] = pop->par[k];
    return EVS_OK;
  }
  evs_rng r;
  evs_rng_init(&r, pop->seed, pop->index, pop->first + i, EVS_RNG_INIT);
  for (int k = P_V_INIT; k <= P_GSYN_INH_INIT; k++) /* drawn before */
    (void)evs__pop_value(pop, k, i, &r);
  for (int k = P_CM; k <= P_I_OFFSET; k++) x[k] = evs__pop_value(pop, k, i, &r);
  for (int k = P_CM; k <= P_TAU_SYN_I; k++)
    if (!(x[k] > 0) || !isfinite(x[k]))
      return cond_bad_value(pop, i, k, "must be positive and finite", x[k],
                            err);
  if (!(x[P_TAU_REFRAC] >= 0) || !isfinite(x[P_TAU_REFRAC]))
    return cond_bad_value(pop, i, P_TAU_REFRAC, "must be >= 0 and finite",
                          x[P_TAU_REFRAC], err);
  if (!(x[P_V_RESET] < x[P_V_THRESH]))
    return cond_bad_value(pop, i, P_V_RESET, "must be below v_thresh",
                          x[P_V_RESET], err);
  return EVS_OK;
}

/* Fills s->pn with every neuron's parameters (cond_neuron), derived as
 * the base's constants are. EVS_OK, EVS_EMODEL or EVS_ENOMEM. */
static int cond_fill_pn(evs_pop *pop, cond_state *s, evs_error *err) {
  uint32_t cap = s->c.cap;
  cond_pn *pn = calloc(1, sizeof *pn);
  double *block = pn ? malloc(9 * (size_t)cap * sizeof *block) : NULL;
  if (!block) {
    free(pn);
    return evs__cond_nomem(pop, err);
  }
  s->pn = pn;
  double **arr[] = {&pn->g_l,      &pn->inv_cm,  &pn->e_e,
                    &pn->e_i,      &pn->de,      &pn->di,
                    &pn->v_thresh, &pn->v_reset, &pn->tau_refrac};
  for (size_t k = 0; k < 9; k++) *arr[k] = block + k * cap;
  for (uint32_t i = 0; i < cap; i++) {
    double x[P_N_PARAMS];
    int rc = cond_neuron(pop, i, x, err);
    if (rc) return rc;
    pn->g_l[i] = x[P_CM] / x[P_TAU_M];
    pn->inv_cm[i] = 1.0 / x[P_CM];
    pn->e_e[i] = x[P_E_REV_E];
    pn->e_i[i] = x[P_E_REV_I];
    pn->de[i] = exp(-s->c.dt / x[P_TAU_SYN_E]);
    pn->di[i] = exp(-s->c.dt / x[P_TAU_SYN_I]);
    pn->v_thresh[i] = x[P_V_THRESH];
    pn->v_reset[i] = x[P_V_RESET];
    pn->tau_refrac[i] = x[P_TAU_REFRAC];
  }
  return EVS_OK;
}

/* Fills s->pn (cond_fill_pn) and the drive ib with each neuron's g_L
 * v_rest + i_offset (and its dc); a padding neuron rests at v_rest. EVS_OK,
 * EVS_EMODEL or EVS_ENOMEM. */
static int cond_init_pn(evs_pop *pop, cond_state *s, evs_error *err) {
  int rc = cond_fill_pn(pop, s, err);
  if (rc) return rc;
  for (uint32_t i = 0; i < s->c.cap; i++) {
    double x[P_N_PARAMS];
    (void)cond_neuron(pop, i, x, err); /* checked by cond_fill_pn */
    double g_l = x[P_CM] / x[P_TAU_M];
    s->c.ib[i] = g_l * x[P_V_REST] + (i < pop->size ? x[P_I_OFFSET] : 0) +
                 (pop->dc && i < pop->size ? pop->dc[i] : 0.0);
    if (i >= pop->size) s->c.v[i] = x[P_V_REST];
  }
  return EVS_OK;
}

/* 1 when some parameter cm .. i_offset of pop differs between neurons. */
static int cond_varies(const evs_pop *pop) {
  for (int k = P_CM; k <= P_I_OFFSET; k++)
    if (evs__pop_varies(pop, k)) return 1;
  return 0;
}

static int cond_init(evs_pop *pop, evs_error *err) {
  int rc = evs__cond_init(pop, &cond_layout, sizeof(cond_state), err);
  if (rc) return rc;
  cond_state *s = pop->state;
  s->step = cond_choose_step();
  if (!(s->thr = calloc(s->c.cap / 64 + 1, sizeof *s->thr)))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                         "population %s: out of memory", pop->name);
  if (cond_varies(pop)) return cond_init_pn(pop, s, err);
  return EVS_OK;
}

/* Before a change after the build: the initial values are refused; the
 * rest checked as init checks them, each neuron's too. */
static int cond_check_change(const evs_pop *next, int k, evs_error *err) {
  if (k >= P_V_INIT)
    return evs__bad_param(next, k,
                          "is a value at t = 0: it cannot change once the "
                          "net is built",
                          err);
  int rc = evs__cond_check(next, &cond_layout, err);
  uint32_t n = rc == EVS_OK && cond_varies(next) ? next->size : 0;
  for (uint32_t i = 0; rc == EVS_OK && i < n; i++) {
    double x[P_N_PARAMS];
    rc = cond_neuron(next, i, x, err);
  }
  return rc;
}

/* Parameter k changed at t (evs_neuron_type.change): from the state time
 * (the last tick before t) the steps take the new constants, derived
 * anew (per neuron when they differ); each neuron's drive ib moves by the
 * change of its g_L v_rest + i_offset (what dc and current sources add
 * stays); v and the conductances are kept. A value set to itself changes
 * nothing. */
static int cond_change(evs_pop *pop, const evs_pop *old, int k, double t) {
  (void)t;
  cond_state *cs = pop->state;
  evs__cond_base *s = &cs->c;
  int each = evs__pop_varies(pop, k) || evs__pop_varies(old, k);
  if (!each && pop->par[k] == old->par[k]) return EVS_OK;
  for (uint32_t i = 0; i < s->cap; i++) {
    double x[P_N_PARAMS], y[P_N_PARAMS];
    (void)cond_neuron(pop, i, x, NULL); /* checked by cond_check_change */
    (void)cond_neuron(old, i, y, NULL);
    double base = x[P_CM] / x[P_TAU_M] * x[P_V_REST] + x[P_I_OFFSET];
    double base0 = y[P_CM] / y[P_TAU_M] * y[P_V_REST] + y[P_I_OFFSET];
    if (i < pop->size)
      s->ib[i] += base - base0;
    else /* padding: rests */
      s->ib[i] = x[P_CM] / x[P_TAU_M] * x[P_V_REST];
  }
  evs__cond_derive(pop->par, &cond_layout, s->dt, s);
  if (cs->pn) {
    free(cs->pn->g_l);
    free(cs->pn);
    cs->pn = NULL;
  }
  if (cond_varies(pop) && cond_fill_pn(pop, cs, NULL)) return EVS_ENOMEM;
  return EVS_OK;
}

/* Pass 1 over one block of a population with per-neuron parameters:
 * ex[i] = exp(-h g_tot / cm), h the part of the step (t0, t0 + dt] in which
 * neuron i is not refractory. Returns nonzero when some argument fell
 * outside [0, COND_XMAX] (or was NaN): then the caller recomputes those
 * with exp() (cond_math.h's exp_neg_checked and exp_neg_exact). */
COND_CLONES
static int cond_pass_exp_pn(double *restrict ex, const double *restrict until,
                            const double *restrict ge,
                            const double *restrict gi, double t0, double dt,
                            const double *restrict g_l,
                            const double *restrict inv_cm, uint64_t lim) {
  uint64_t acc = 0;
  for (uint32_t i = 0; i < COND_BLOCK; i++) {
    double x =
        free_time(until[i], t0, dt) * (g_l[i] + ge[i] + gi[i]) * inv_cm[i];
    ex[i] = exp_neg_checked(x, lim, &acc);
  }
  return (int)(acc >> 63);
}

/* Pass 2 over block lo of a population with per-neuron parameters: v by
 * exponential Euler, then the conductances decay and take the pending
 * inputs (pe, pi NULL: none). Returns nonzero when some v may have reached
 * v_thresh (threshold_bit). */
COND_CLONES
static int cond_pass_v_pn(double *restrict v, double *restrict ge,
                          double *restrict gi, double *restrict pe,
                          double *restrict pi, const double *restrict ib,
                          const double *restrict ex, const cond_pn *pn,
                          uint32_t lo) {
  const double *restrict g_l = pn->g_l + lo, *restrict e_e = pn->e_e + lo,
                         *restrict e_i = pn->e_i + lo,
                         *restrict de = pn->de + lo, *restrict di = pn->di + lo,
                         *restrict vth = pn->v_thresh + lo;
  uint64_t acc = 0;
  for (uint32_t i = 0; i < COND_BLOCK; i++) {
    double a = ge[i], b = gi[i];
    double vinf = (ib[i] + a * e_e[i] + b * e_i[i]) / (g_l[i] + a + b);
    v[i] = vinf + (v[i] - vinf) * ex[i];
    acc |= threshold_bit(v[i], vth[i]);
    ge[i] = a * de[i] + (pe ? pe[i] : 0);
    gi[i] = b * di[i] + (pi ? pi[i] : 0);
  }
  if (pe)
    for (uint32_t i = 0; i < COND_BLOCK; i++) pe[i] = pi[i] = 0;
  return (int)(acc >> 63);
}

/* One step of block lo of a population with per-neuron parameters, from
 * t - dt to t: the two passes over the whole (padded) block, a constant
 * trip count, so GCC vectorises them even at -O2; only the m real neurons
 * can spike. */
static int cond_step_block_pn(evs_pop *pop, double t, uint32_t lo,
                              uint32_t m) {
  cond_state *cs = pop->state;
  evs__cond_base *s = &cs->c;
  const cond_pn *pn = cs->pn;
  double ex[COND_BLOCK];
  double *v = s->v + lo, *ge = s->ge + lo, *gi = s->gi + lo;
  double *until = s->until + lo;
  const double t0 = t - s->dt;

  if (cond_pass_exp_pn(ex, until, ge, gi, t0, s->dt, pn->g_l + lo,
                       pn->inv_cm + lo, s->xmax_bits)) { /* rare: very strong
                                                            or negative g_tot */
    for (uint32_t i = 0; i < COND_BLOCK; i++) {
      double x = free_time(until[i], t0, s->dt) *
                 (pn->g_l[lo + i] + ge[i] + gi[i]) * pn->inv_cm[lo + i];
      exp_neg_exact(&ex[i], x);
    }
  }
  double *pe = s->pending ? s->pe + lo : NULL;
  double *pi = s->pending ? s->pi + lo : NULL;
  if (!cond_pass_v_pn(v, ge, gi, pe, pi, s->ib + lo, ex, pn, lo))
    return EVS_OK; /* no v reached threshold */
  /* pass 3: threshold (spikes are rare: a predictable branch) */
  for (uint32_t i = 0; i < m; i++) {
    if (v[i] >= pn->v_thresh[lo + i]) {
      int rc = evs__pop_emit(pop, t, lo + i);
      if (rc) return rc;
      v[i] = pn->v_reset[lo + i];
      until[i] = t + pn->tau_refrac[lo + i];
    }
  }
  return EVS_OK;
}

/* One step of a population with one value per parameter, from t - dt to
 * t: one sweep (cond_step.h) over all the chunks that hold its neurons,
 * then the exact threshold test of the neurons whose bit it set, in
 * increasing order (the spikes' order, as block by block: the sweep reads
 * nothing a spike changes, which is the neuron's own v and refractory end
 * and the rules' state). One call a step instead of one a block of 256
 * (the vector constants set up once), and a bit a neuron instead of one a
 * chunk of 32 (the test read the chunk's every neuron for each spike):
 * B3 2 s callgrind (AVX2), the step without the spikes' handlers: 1,614 M
 * -> 1,553 M instructions (bench/results/2026-12-07-b3.md). */
static int cond_step_all(evs_pop *pop, double t) {
  cond_state *cs = pop->state;
  evs__cond_base *s = &cs->c;
  const uint32_t m = pop->size;
  const uint32_t n = (m + COND_CHUNK - 1) / COND_CHUNK * COND_CHUNK;
  cs->step(s, 0, n, t - s->dt, s->pending, cs->thr);
  for (uint32_t w = 0; w < (n + 63) / 64; w++) {
    for (uint64_t bits = cs->thr[w]; bits; bits &= bits - 1) {
      uint32_t i = 64 * w + (uint32_t)__builtin_ctzll(bits);
      if (i >= m) break; /* padding */
      if (s->v[i] >= s->v_thresh) { /* most set bits are spikes */
        int rc = evs__pop_emit(pop, t, i);
        if (rc) return rc;
        s->v[i] = s->v_reset;
        s->until[i] = t + s->tau_refrac;
      }
    }
  }
  s->pending = 0;
  s->t_now = t;
  return EVS_OK;
}

static int cond_tick(evs_pop *pop, double t) {
  cond_state *cs = pop->state;
  if (cs->pn) return evs__cond_tick(pop, t, cond_step_block_pn);
  return cond_step_all(pop, t);
}

const evs_neuron_type evs__if_cond_exp = {
    .name = "IF_cond_exp",
    .kind = EVS_POP_CLOCKED,
    .params = cond_params,
    .n_params = P_N_PARAMS,
    .weight_scale = evs__cond_weight_scale,
    .init = cond_init,
    .destroy = cond_destroy,
    .deliver = evs__cond_deliver,
    .deliver16 = evs__cond_deliver16,
    .tick = cond_tick,
    .voltage = evs__cond_voltage,
    .dc_scale = evs__cond_dc_scale,
    .sliceable = 1,
    .inject = evs__cond_inject,
    .recordables = evs__cond_recordables,
    .n_recordables = 2,
    .state = evs__cond_state,
    .checkpoint = evs__cond_checkpoint,
    .check_change = cond_check_change,
    .change = cond_change,
};
