/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — IF_curr_exp_grid: the IF_curr_exp neuron of lif.c integrated
 * exactly on the resolution grid (NEST's iaf_psc_exp), with an optional
 * Poisson background drawn per neuron and step.
 *
 *   tau_m dv/dt = -(v - v_inf) + x_E + x_I,   v_inf = v_rest + R (i_offset +
 * dc) tau_syn_k dx_k/dt = -x_k,                  an input of weight w adds w to
 * x_k
 *
 * with x in volts (R I, R = tau_m / cm), as in lif.c. One step of length h
 * from t - h to t, in NEST's order (iaf_psc_exp::update):
 *   1. not refractory: v <- v_inf + (v - v_inf) P22 + P21_E x_E + P21_I x_I,
 *      refractory: one refractory step less (v stays at v_reset);
 *   2. x_k <- x_k P11_k + (inputs that arrived in (t - h, t]); the excitatory
 *      term also takes n w_bg, n the step's Poisson count of background inputs;
 *   3. v >= v_thresh: a spike at t, v = v_reset, refractory for
 *      round(tau_refrac / h) steps.
 * with P22 = exp(-h/tau_m), P11_k = exp(-h/tau_syn_k) and
 * P21_k = tau_syn_k / (tau_syn_k - tau_m) (P11_k - P22), the exact
 * propagators of the linear system: between the steps' input times the
 * solution is exact, so an input arriving at a grid time is integrated
 * exactly; only the threshold is looked at on the grid.
 *
 * Inputs cost one add each: an input delivered at the state time (the last
 * tick) enters x at once; one delivered later waits in the neuron's pending
 * sum until step 2 of the tick that ends at its time (the scheduler delivers
 * such inputs at their arrival time, so a pending sum per receptor is all
 * they need). The result does not depend on whether a delivery runs
 * before or after the tick of the same time.
 *
 * Inputs delivered ahead (deliver_ahead: the projections that the scheduler
 * hands a spike's synapses when the spike is flushed, core/run_ahead.c)
 * go into a ring buffer per receptor (neurons/input_ring.h): step 2 of the
 * tick that ends at k h adds slot k to the pending sum (x <- x P11 +
 * (pending + slot)) and clears it, in the step's vector loop.
 *
 * Background (background_rate r, background_weight w_bg): the superposition
 * of independent Poisson sources onto each neuron, never synapses or events.
 * The count of step k (the step ending at k h) has mean r h and is drawn by
 * inversion from the k-th 32-bit word of the neuron's stream (seed,
 * population, neuron, EVS_RNG_BACKGROUND): word k mod 4 of its Philox block
 * k / 4, so a neuron's counts depend on nothing but its key (any thread or
 * rank slicing gives the same). Counts of four steps are drawn together and
 * kept as four bytes; r h is at most BG_MEAN_MAX. The inversion compares the
 * word with the Poisson distribution function times 2^32, so a count's
 * probability is exact to within 2^-32.
 *
 * Between the phases of a run every parameter may change but cm, tau_m (R
 * scales the weights) and v_init (change): the steps after the state time
 * take the new constants, v and x continuous. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/philox_lanes.h"
#include "base/vec_io.h"
#include "core/net_impl.h"
#include "neurons/types.h"
#include "neurons/lif_membrane.h"
#include "neurons/lif_params.h"
#include "neurons/input_ring.h"

/* V: synaptic terms below this are set to 0 (see tick). */
#define X_TINY 1e-30

/* The largest mean count per step: four counts fit in four bytes (P(count
 * > 255) < 1e-30 at this mean). */
#define BG_MEAN_MAX 150.0

/* Thresholds of the Poisson table a count's vector comparison looks at
 * (bg_pack8): counts below bg_base + BG_VEC are found by comparisons
 * alone (all but ~1e-6 of them at the microcircuit's means, at most 2.3),
 * the rest by bg_count. */
#define BG_VEC 12

/* The neurons, one array per quantity: a tick runs through them in loops
 * the compiler vectorises, an input touches one double. (One 64-byte record
 * per neuron, as lif.c keeps, made every step a scalar loop of ~75
 * instructions a neuron; an input touches one quantity here, not all.) */
typedef struct grid_state {
  double *v;     /* [size] V, membrane potential */
  double *x[2];  /* [size] V, synaptic terms (R I): excitatory, inhibitory */
  double *p[2];  /* [size] V, inputs waiting for the end of the step */
  int pending;   /* 0: every p is +0 (no input waited since the last tick) */
  double *v_inf; /* [size] V, v_rest + R (i_offset + dc) */
  double *ref;   /* [size] refractory steps left (whole numbers, as doubles
                    for the step's masks) */
  uint32_t *bg;  /* [size] background counts of the four steps of a block, a
                    byte each (step k: byte k mod 4) */
  void *arrays;  /* the one allocation holding the arrays above */
  double p22, p11[2], p21[2];
  double v_reset, v_thresh;
  double ref_steps; /* round(tau_refrac / h) */
  double h;         /* s, the step (pop->tick) */
  double t_now;     /* s, time of the state (last tick) */
  double eps;       /* s, tolerance for "delivered at the state time" */
  double w_bg;      /* V, background weight (R w) */
  uint64_t *bg_thr; /* [bg_len] Poisson distribution function times 2^32,
                       the last entry 2^32; NULL: no background */
  uint32_t bg_len;
  uint16_t bg_guide[256];    /* the smallest k with thr[k] > i 2^24: where the
                               search for a word whose top byte is i starts */
  uint32_t bg_base;          /* the smallest k with thr[k] > 0 */
  uint32_t bg_above[BG_VEC]; /* thr[bg_base + i] - 1 (2^32 - 1 past the
                                table's end): u >= thr[bg_base + i] iff u >
                                bg_above[i] */
  int64_t bg_block;          /* block whose counts the neurons hold; -1: none */
  evs__input_ring ahead;     /* V: the inputs delivered ahead; its k_now the
                                step that ends at t_now */
  /* steps 1 and 2 in the widest vectors the processor has, and their lanes
   * (lif_grid_step.h) */
  int (*step)(struct grid_state *restrict s, size_t j0, size_t j1, int with_bg,
              int shift, int pending, double *restrict re, double *restrict ri);
  size_t lanes;
} grid_state;

/* Neurons a tick updates before it looks for spikes among them (their
 * arrays stay in the first-level cache in between); a multiple of the
 * widest step's lanes (8) and of EVS_PHILOX_RUN_LANES. */
#define CHUNK 256

/* The step's widths (lif_grid_step.h): two lanes on any target (GCC and
 * Clang lower them to whatever it has, down to scalars); on x86-64 four
 * with AVX2 and eight with AVX-512, chosen when the population is made.
 * Callgrind of the run, microcircuit at 10 % for 0.2 s: see
 * bench/results/2026-12-07-mcspeed-profile.md. */
#define STEP_NAME step2
#define STEP_LANES 2
#define STEP_TARGET
#include "neurons/lif_grid_step.h"
#if defined(__x86_64__) && defined(__GNUC__)
#define GRID_WIDE 1
#define STEP_NAME step4
#define STEP_LANES 4
#define STEP_TARGET __attribute__((target("avx2")))
#include "neurons/lif_grid_step.h"
#define STEP_NAME step8
#define STEP_LANES 8
#define STEP_TARGET __attribute__((target("avx512f")))
#include "neurons/lif_grid_step.h"
#endif

/* The widest step the processor runs. */
static void choose_step(grid_state *s) {
  s->step = step2;
  s->lanes = 2;
#ifdef GRID_WIDE
  if (__builtin_cpu_supports("avx512f")) {
    s->step = step8;
    s->lanes = 8;
  } else if (__builtin_cpu_supports("avx2")) {
    s->step = step4;
    s->lanes = 4;
  }
#endif
}

static void destroy(evs_pop *pop) {
  grid_state *s = pop->state;
  if (!s) return;
  free(s->arrays);
  free(s->bg_thr);
  evs__input_ring_free(&s->ahead);
  free(s);
  pop->state = NULL;
}

static int check_params(const evs_pop *pop, evs_error *err) {
  const double *p = pop->par;
  int rc = evs__lif_check_membrane(pop,
                                   "must differ from tau_m (the exact "
                                   "propagators need distinct time constants)",
                                   err);
  if (rc) return rc;
  for (int i = P_BG_RATE; i <= P_BG_WEIGHT; i++)
    if (!isfinite(p[i])) return evs__bad_param(pop, i, "must be finite", err);
  if (!(p[P_BG_RATE] >= 0))
    return evs__bad_param(pop, P_BG_RATE, "must not be negative", err);
  if (p[P_BG_RATE] * pop->tick > BG_MEAN_MAX)
    return evs__bad_param(pop, P_BG_RATE,
                          "times the resolution must be at most "
                          "150 inputs a step",
                          err);
  return EVS_OK;
}

/* The inversion table of the Poisson distribution of mean m (0 < m <=
 * BG_MEAN_MAX): thr[k] = P(count <= k) 2^32, up to where the rest is below
 * 2^-40, the last entry 2^32. Returns EVS_OK or EVS_ENOMEM. */
static int bg_table(grid_state *s, double m) {
  uint32_t len = (uint32_t)(m + 12 * sqrt(m) + 30);
  s->bg_thr = malloc(len * sizeof *s->bg_thr);
  if (!s->bg_thr) return EVS_ENOMEM;
  double cdf = 0, lm = log(m);
  uint32_t k;
  for (k = 0; k + 1 < len; k++) {
    cdf += exp(-m + k * lm - lgamma(k + 1.0));
    s->bg_thr[k] = (uint64_t)llround(fmin(cdf, 1.0) * 0x1p32);
    if (k > m && 1 - cdf < 0x1p-40) break;
  }
  if (k + 1 >= len) k = len - 2;
  s->bg_thr[k + 1] = (uint64_t)1 << 32;
  s->bg_len = k + 2;
  for (uint32_t i = 0, g = 0; i < 256; i++) {
    while (s->bg_thr[g] <= (uint64_t)i << 24) g++;
    s->bg_guide[i] = (uint16_t)g;
  }
  s->bg_base = s->bg_guide[0];
  for (uint32_t i = 0; i < BG_VEC; i++) {
    uint32_t k = s->bg_base + i;
    s->bg_above[i] = k < s->bg_len ? (uint32_t)(s->bg_thr[k] - 1) : UINT32_MAX;
  }
  return EVS_OK;
}

/* The Poisson count of the 32-bit word u: the smallest k with u < thr[k],
 * searched from the guide entry of u's top byte (every k below it has
 * thr[k] <= that byte's first word <= u), so the search rarely takes a
 * step and its branch is predictable; the linear search from 0 took one
 * unpredictable exit per count (counts of mean 1.68 in the microcircuit). */
static inline uint32_t bg_count(const grid_state *s, uint32_t u) {
  uint32_t k = s->bg_guide[u >> 24];
  while (u >= s->bg_thr[k]) k++;
  return k < 255 ? k : 255; /* a byte (P(k > 255) < 1e-30 at BG_MEAN_MAX) */
}

/* Packs the counts of the words w[i CHUNK + l] (step i of the block,
 * neuron l < n) into out[l], a byte per step. */
static void bg_pack(const grid_state *s, const uint32_t *w, size_t n,
                    uint32_t *out) {
  for (size_t l = 0; l < n; l++) {
    uint32_t packed = 0;
    for (int i = 0; i < 4; i++)
      packed |= bg_count(s, w[i * CHUNK + l]) << (8 * i);
    out[l] = packed;
  }
}

#ifdef GRID_WIDE
/* bg_pack in vectors of 8 words with AVX2: count = bg_base + the number of
 * i < BG_VEC with w > bg_above[i] (the thresholds at or below w: signed
 * compares of the words and thresholds with their top bits flipped); a
 * lane where all BG_VEC compared is counted again by bg_count. The same
 * counts as bg_pack. (Vectors of 16 words, or unsigned compares, GCC
 * lowered to scalar code on AVX2: 245 instructions a neuron and block.) */
__attribute__((target("avx2"))) static void
bg_pack8(const grid_state *s, const uint32_t *w, size_t n, uint32_t *out) {
  typedef int32_t vs __attribute__((vector_size(8 * sizeof(int32_t))));
  const int32_t base = (int32_t)s->bg_base, top = base + BG_VEC;
  vs above[BG_VEC];
  for (int k = 0; k < BG_VEC; k++)
    above[k] = (vs){0} + (int32_t)(s->bg_above[k] ^ 0x80000000u);
  for (size_t l = 0; l < n; l += 8) {
    vs packed = {0}, over = {0};
    for (int i = 0; i < 4; i++) {
      vs u, c = (vs){0} + base;
      VEC_LOAD(u, w + i * CHUNK + l);
      u ^= INT32_MIN;
      for (int k = 0; k < BG_VEC; k++) c -= u > above[k];
      over |= c == top;
      packed |= c << (8 * i);
    }
    size_t m = n - l < 8 ? n - l : 8;
    memcpy(out + l, &packed, m * sizeof *out);
    int any = 0;
    for (int q = 0; q < 8; q++) any |= over[q];
    if (any) bg_pack(s, w + l, m, out + l);
  }
}
#endif

/* bg[j] for j in [j0, j1) (j1 - j0 <= CHUNK): the counts of the four steps
 * of block b of each neuron (population index pop->first + j: a slice's
 * neurons draw what they would unsliced), packed a byte each. */
static void bg_blocks(const evs_pop *pop, grid_state *s, size_t j0, size_t j1,
                      uint64_t b) {
  _Alignas(64) uint32_t w[4][CHUNK];
  evs__philox4x32_run(pop->index, pop->first + (uint32_t)j0, EVS_RNG_BACKGROUND,
                      (uint32_t)b, (uint32_t)pop->seed,
                      (uint32_t)(pop->seed >> 32), j1 - j0, &w[0][0], CHUNK);
#ifdef GRID_WIDE
  if (s->lanes >= 4) {
    bg_pack8(s, &w[0][0], j1 - j0, s->bg + j0);
    return;
  }
#endif
  bg_pack(s, &w[0][0], j1 - j0, s->bg + j0);
}

/* The constants from the parameters p and the step h (s): the exact
 * propagators over a step, reset, threshold, the refractory period in
 * steps, the background input's weight. */
static void derive(const double *p, double h, grid_state *s) {
  double tm = p[P_TAU_M];
  s->h = h;
  s->eps = 1e-6 * h;
  s->p22 = exp(-h / tm);
  for (int r = 0; r < 2; r++) {
    double ts = p[P_TAU_E + r];
    s->p11[r] = exp(-h / ts);
    /* P21 = ts/(ts - tm) (e^{-h/ts} - e^{-h/tm}), written with expm1 so it
     * keeps its digits when the two exponentials are close */
    s->p21[r] = ts / (ts - tm) * s->p22 * expm1(h / tm - h / ts);
  }
  s->v_reset = p[P_V_RESET];
  s->v_thresh = p[P_V_THRESH];
  s->ref_steps = (double)llround(p[P_TAU_REF] / h);
  s->w_bg = p[P_BG_WEIGHT] * (tm / p[P_CM]);
}

/* Allocates s's per-neuron arrays for n neurons, zeroed, each on its own
 * cache lines and padded to a multiple of 64 bytes (of the widest step's
 * lanes); the padding's v is -inf, so that its lanes never reach threshold
 * (at 0 they did at every step, and the tick looked for spikes through the
 * last chunk of every slice not a multiple of the lanes: 13.8 of 260 M
 * instructions of a thread's ticks, microcircuit at 10 %, 2 threads). The
 * step keeps -inf there exactly (no NaN: x and v_inf are 0). EVS_OK or
 * EVS_ENOMEM. */
static int alloc_arrays(grid_state *s, size_t n) {
  size_t d = ((n ? n : 1) * sizeof(double) + 63) / 64 * 64;
  size_t w = ((n ? n : 1) * sizeof(uint32_t) + 63) / 64 * 64;
  char *a = s->arrays = aligned_alloc(64, 7 * d + w);
  if (!a) return EVS_ENOMEM;
  memset(a, 0, 7 * d + w);
  s->v = (double *)a;
  s->x[0] = (double *)(a + d);
  s->x[1] = (double *)(a + 2 * d);
  s->p[0] = (double *)(a + 3 * d);
  s->p[1] = (double *)(a + 4 * d);
  s->v_inf = (double *)(a + 5 * d);
  s->ref = (double *)(a + 6 * d);
  s->bg = (uint32_t *)(a + 7 * d);
  for (size_t j = n; j < d / sizeof(double); j++) s->v[j] = -INFINITY;
  return EVS_OK;
}

static int init(evs_pop *pop, evs_error *err) {
  int rc = check_params(pop, err);
  if (rc) return rc;
  if (!(pop->tick > 0) || !isfinite(pop->tick))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "population %s: IF_curr_exp_grid needs a clock step "
                         "> 0 (got %g s)",
                         pop->name, pop->tick);
  const double *p = pop->par;
  grid_state *s = calloc(1, sizeof *s);
  if (!s) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  pop->state = s;
  choose_step(s);
  if (alloc_arrays(s, pop->size)) goto nomem;
  derive(p, pop->tick, s);
  double r_m = p[P_TAU_M] / p[P_CM];
  s->bg_block = -1;
  double mean = p[P_BG_RATE] * pop->tick;
  if (mean > 0 && bg_table(s, mean)) goto nomem;
  evs_rng rng;
  for (uint32_t j = 0; j < pop->size; j++) {
    evs_rng_init(&rng, pop->seed, pop->index, pop->first + j, EVS_RNG_INIT);
    /* per-neuron values in this order (evs__pop_value) */
    s->v[j] = evs__pop_value(pop, P_V_INIT, j, &rng);
    double v_rest = evs__pop_value(pop, P_V_REST, j, &rng);
    double i_offset = evs__pop_value(pop, P_I_OFFSET, j, &rng);
    s->v_inf[j] = v_rest + r_m * i_offset + (pop->dc ? pop->dc[j] : 0);
    if (!isfinite(s->v[j]))
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "population %s: neuron %u drew a non-finite "
                           "v_init",
                           pop->name, (unsigned)(pop->first + j));
  }
  return EVS_OK;
nomem:
  destroy(pop);
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
}

/* Before a change after the build (core/neuron_type.h): cm and tau_m
 * (R = tau_m / cm scales the weights the synapses hold) and v_init are
 * refused with their key, the rest checked as init checks them. */
static int check_change(const evs_pop *next, int k, evs_error *err) {
  int rc = evs__lif_check_fixed(next, k, err);
  return rc ? rc : check_params(next, err);
}

/* Parameter k changed (evs_neuron_type.change) on this slice: from the
 * state time (the last tick) the steps take the propagators, reset,
 * threshold, refractory steps and background derived anew; v and the
 * synaptic terms x (the currents) are kept, and each neuron's v_inf moves
 * by the change of its v_rest + R i_offset (what dc added stays). A
 * refractory period begun counts down its old steps. A new background
 * rate draws the counts of the steps after the change from its table (the
 * same words of the neurons' streams). A value set to itself changes
 * nothing. EVS_OK or EVS_ENOMEM. */
static int change(evs_pop *pop, const evs_pop *old, int k, double t) {
  (void)t;
  grid_state *s = pop->state;
  const double *p = pop->par;
  if (k == P_V_REST || k == P_I_OFFSET) {
    double r_m = p[P_TAU_M] / p[P_CM];
    for (uint32_t j = 0; j < pop->size; j++) {
      double d =
          evs__lif_equilibrium(pop, j, r_m) - evs__lif_equilibrium(old, j, r_m);
      if (d != 0) s->v_inf[j] += d;
    }
    return EVS_OK;
  }
  if (p[k] == old->par[k]) return EVS_OK;
  derive(p, pop->tick, s);
  if (k != P_BG_RATE) return EVS_OK;
  free(s->bg_thr);
  s->bg_thr = NULL;
  s->bg_block = -1; /* the next tick draws its block's counts anew */
  double mean = p[P_BG_RATE] * pop->tick;
  return mean > 0 ? bg_table(s, mean) : EVS_OK;
}

/* deliver and deliver16: targets 16-bit if narrow. */
static inline __attribute__((always_inline)) void
deliver_w(evs_pop *pop, double t, int receptor, const void *target, int narrow,
          const float *weight, float shared, size_t count) {
  grid_state *s = pop->state;
  int r = receptor == EVS_RECEPTOR_INH;
  /* after the tick of its time: at once, else at the end of the step */
  double *in = s->x[r];
  if (t > s->t_now + s->eps) {
    in = s->p[r];
    s->pending = 1;
  }
  evs__add_inputs(in, target, narrow, weight, shared, count);
}

static void deliver(evs_pop *pop, double t, int receptor,
                    const uint32_t *target, const float *weight, float shared,
                    size_t count) {
  deliver_w(pop, t, receptor, target, 0, weight, shared, count);
}

static void deliver16(evs_pop *pop, double t, int receptor,
                      const uint16_t *target, const float *weight, float shared,
                      size_t count) {
  deliver_w(pop, t, receptor, target, 1, weight, shared, count);
}

static int reserve_ahead(evs_pop *pop, const double span[2]) {
  grid_state *s = pop->state;
  return evs__input_ring_reserve(&s->ahead, span, pop->size, s->h);
}

/* deliver_ahead and deliver_ahead16: targets 16-bit if narrow. */
static inline __attribute__((always_inline)) void
ahead_w(evs_pop *pop, int receptor, const evs_ahead_row *a, int narrow) {
  grid_state *s = pop->state;
  int rc = evs__input_ring_add_row(&s->ahead, receptor == EVS_RECEPTOR_INH, a,
                                   narrow);
  if (rc) /* beyond the reserved span (a bug), or out of memory */
    pop->failed = rc == -1 ? EVS_EINVAL : EVS_ENOMEM;
}

static void deliver_ahead(evs_pop *pop, int receptor, const evs_ahead_row *a) {
  ahead_w(pop, receptor, a, 0);
}

static void deliver_ahead16(evs_pop *pop, int receptor,
                            const evs_ahead_row *a) {
  ahead_w(pop, receptor, a, 1);
}

static int tick(evs_pop *pop, double t) {
  grid_state *s = pop->state;
  uint64_t k = (uint64_t)llround(t / s->h); /* this step ends at k h */
  int new_block = s->bg_thr && (int64_t)(k >> 2) != s->bg_block;
  if (new_block) s->bg_block = (int64_t)(k >> 2);
  double *re = NULL, *ri = NULL; /* the inputs of step k delivered ahead */
  if (s->ahead.slot[0]) {
    re = evs__input_ring_take(&s->ahead, 0, (int64_t)k);
    ri = evs__input_ring_take(&s->ahead, 1, (int64_t)k);
  }
  for (size_t j0 = 0; j0 < pop->size; j0 += CHUNK) {
    size_t j1 = j0 + CHUNK < pop->size ? j0 + CHUNK : pop->size;
    if (new_block) bg_blocks(pop, s, j0, j1, k >> 2);
    size_t jv = (j1 + s->lanes - 1) / s->lanes * s->lanes; /* padding */
    int reached = s->step(s, j0, jv, s->bg_thr != NULL, 8 * (int)(k & 3),
                          s->pending, re, ri);
    /* 3. threshold, in id order, where step saw one */
    for (size_t j = j0; reached && j < j1; j++)
      if (s->v[j] >= s->v_thresh) {
        int rc = evs__pop_emit(pop, t, (uint32_t)j);
        if (rc) return rc;
        s->ref[j] = s->ref_steps;
        s->v[j] = s->v_reset;
      }
  }
  s->t_now = t;
  s->pending = 0;
  s->ahead.k_now = (int64_t)k;
  return EVS_OK;
}

static double voltage(evs_pop *pop, uint32_t id, double t) {
  (void)t;
  const grid_state *s = pop->state;
  return s->v[id];
}

/* The neurons (v, synaptic terms, pending inputs, drive, refractory
 * steps, background counts), the state time, the counts' block and the
 * inputs delivered ahead. */
static int grid_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  grid_state *s = pop->state;
  s->pending = 1; /* p as loaded (the next step reads it) */
  evs_ckpt_neurons(ck, s->v, pop->size, sizeof *s->v);
  for (int r = 0; r < 2; r++) {
    evs_ckpt_neurons(ck, s->x[r], pop->size, sizeof *s->x[r]);
    evs_ckpt_neurons(ck, s->p[r], pop->size, sizeof *s->p[r]);
  }
  evs_ckpt_neurons(ck, s->v_inf, pop->size, sizeof *s->v_inf);
  evs_ckpt_neurons(ck, s->ref, pop->size, sizeof *s->ref);
  evs_ckpt_neurons(ck, s->bg, pop->size, sizeof *s->bg);
  evs_ckpt_bytes(ck, &s->t_now, sizeof s->t_now);
  evs_ckpt_bytes(ck, &s->bg_block, sizeof s->bg_block);
  return evs__input_ring_checkpoint(&s->ahead, llround(s->t_now / s->h),
                                    pop->size, pop->name, ck);
}

const evs_neuron_type evs__if_curr_exp_grid = {
    .name = "IF_curr_exp_grid",
    .kind = EVS_POP_CLOCKED,
    .params = evs__lif_grid_params,
    .n_params = P_N_PARAMS,
    .weight_scale = evs__lif_weight_scale,
    .init = init,
    .destroy = destroy,
    .deliver = deliver,
    .reserve_ahead = reserve_ahead,
    .deliver_ahead = deliver_ahead,
    .deliver16 = deliver16,
    .deliver_ahead16 = deliver_ahead16,
    .tick = tick,
    .voltage = voltage,
    .dc_scale = evs__lif_weight_scale,
    .checkpoint = grid_checkpoint,
    .sliceable = 1,
    .check_change = check_change,
    .change = change,
};
