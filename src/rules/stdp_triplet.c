/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — triplet STDP and homeostatic triplet STDP, on stdp.c's scheme
 * (shared-factor traces, weights changed with the traces as they are at t,
 * then the spike let into its own trace; stdp_impl.h):
 *
 * stdp_triplet (Pfister & Gerstner 2006, minimal all-to-all model):
 *   pre arrival at t:  w -= A2_minus y1_i(t);  clip;  x_j += 1
 *   post spike at t:   w += A3_plus x_j(t) y2_i(t-);  clip;  y1_i, y2_i += 1
 * with x (tau_plus), y1 (tau_minus), y2 (tau_y); y2 is read before its own
 * increment.
 *
 * stdp_triplet_homeo (Zenke, Hennequin & Gerstner 2013): stdp_triplet with
 * both amplitudes scaled by eta and a sliding LTD amplitude per post neuron,
 *   A2_minus_i(t) = eta A3_plus tau_plus tau_y nu_i(t)^2 / (tau_minus kappa),
 * nu_i = z_i / tau_hom, z_i a fourth trace (tau_hom, +1 per post spike of i,
 * counted after the LTP like y1 and y2) that starts at kappa tau_hom, so
 * nu_i(0) = kappa. It reuses stdp_triplet's checks, state, rebase and post
 * handler; its pre handler reads z_i with y1_i (two multiplies more per
 * synapse, no exp()). */
#include <math.h>
#include <stdlib.h>

#include "rules/stdp_impl.h"

/* ---- stdp_triplet ---------------------------------------------------------
 */

enum {
  PT_TAU_PLUS,
  PT_TAU_MINUS,
  PT_TAU_Y,
  PT_A3_PLUS,
  PT_A2_MINUS,
  PT_W_MIN,
  PT_W_MAX,
  PT_LEARN_FROM,
  PT_N_PARAMS
};

static const evs_param_def triplet_params[PT_N_PARAMS] = {
    TRIPLET_TAU_PARAMS(PT),
    [PT_A3_PLUS] = {"A3_plus", EVS_DIM_NONE, 0,
                    EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED,
                    "triplet LTP amplitude (visual cortex fit: 6.5e-3 for "
                    "weights of order 1)"},
    [PT_A2_MINUS] = {"A2_minus", EVS_DIM_NONE, 0,
                     EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED,
                     "pair LTD amplitude (visual cortex fit: 7.1e-3 for "
                     "weights of order 1)"},
    BOUND_PARAMS(PT),
    LEARN_FROM_PARAM(PT),
};

typedef struct triplet_state {
  double tau_plus, tau_minus, tau_y; /* s */
  double a3_plus, a2_minus;          /* internal weight units */
  double w_min, w_max;               /* internal weight units */
  double learn_from;                 /* s: no weight change before */
  evs_trace_bank bank;               /* traces TRIP_X, TRIP_Y1, TRIP_Y2 (and
                                        stdp_triplet_homeo's TRIP_Z) */
  double *x;                         /* [n_pre] presynaptic coefficients X */
  double *y1, *y2;                   /* [n_post] postsynaptic coefficients */
  /* Potentiations that change no weight, skipped (triplet_post): */
  float w_low;     /* internal weight units: a lower bound of every weight
                      (-inf: some weight lies outside [w_min, w_max]) */
  double no_op;    /* weight units: an increment below it changes no weight
                      (a quarter of the float spacing above w_low; 0: none) */
  uint32_t *moved; /* [longest column] the column walk's list */
} triplet_state;

enum { TRIP_X, TRIP_Y1, TRIP_Y2, TRIP_Z }; /* the bank's traces, as added */

static void triplet_destroy(evs_rule *pl) {
  triplet_state *s = pl->state;
  if (!s) return;
  evs__trace_bank_free(&s->bank);
  free(s->moved);
  free(s);
  pl->state = NULL;
}

/* Checks the triplet parameters v[PT_N_PARAMS] (indexed like triplet_params)
 * and builds the transposed index. Shared with stdp_triplet_homeo, which passes
 * its own values in this layout. */
static int triplet_check(const evs_rule *pl, evs_error *err, const double *v) {
  int rc = check_tau(pl, err, "tau_plus", v[PT_TAU_PLUS]);
  if (!rc) rc = check_tau(pl, err, "tau_minus", v[PT_TAU_MINUS]);
  if (!rc) rc = check_tau(pl, err, "tau_y", v[PT_TAU_Y]);
  if (!rc) rc = check_amp(pl, err, "A3_plus", v[PT_A3_PLUS]);
  if (!rc) rc = check_amp(pl, err, "A2_minus", v[PT_A2_MINUS]);
  if (!rc) rc = check_bounds(pl, err, v[PT_W_MIN], v[PT_W_MAX]);
  if (!rc) rc = check_learn_from(pl, err, v[PT_LEARN_FROM]);
  if (!rc) rc = evs__rule_need_transpose(pl, err);
  return rc;
}

/* The skip of potentiations that change no weight (triplet_post). A weight
 * w in [w_min, w_max] (a float) gets (float)clip((double)w + d) with an
 * increment d >= 0. When d < u/4, u the float spacing above w, the double
 * sum lies below w + u/2 (its own rounding is ~2^-29 u) and rounds back to
 * w; a clip to w_max (> w + d > w) gives w too, w_max then lying within
 * u/4 of w, w its nearest float; none to w_min (w + d >= w >= w_min). The
 * spacing grows with |w|, so for every weight at or above w_low > 0 the
 * bound no_op = spacing(w_low)/4 holds. In B7 (weights ~1.6 nS, A3+ y2
 * ~0.03 nS) an increment lies below it when the presynaptic neuron has
 * been silent for ~14 tau_plus (235 ms) or more, about half of them at
 * 3 Hz: the column walk reads only the weights that may move, which
 * halves its random cache lines (bench/results/2026-12-07-s18-b7def.md).
 * w_low follows the depression (triplet_lowered) and is derived anew when
 * the weights are set from outside (weights_set). */

/* Sets w_low to lo and no_op from it (0 unless lo > 0). */
static void triplet_set_low(triplet_state *s, float lo) {
  s->w_low = lo;
  float u = nextafterf(lo, INFINITY) - lo; /* exact: a power of 2 */
  s->no_op = lo > 0 && isfinite(u) ? (double)u / 4 : 0;
}

/* w_low and no_op from c's weights, as they are: the least weight, or
 * none when some weight lies outside [w_min, w_max] (or is NaN). O(nnz). */
static void triplet_bound(triplet_state *s, const evs_csr *c) {
  float lo = INFINITY;
  for (uint64_t k = 0; c->weight && k < c->nnz; k++) {
    const float w = c->weight[k];
    if (!(w >= s->w_min && w <= s->w_max)) {
      triplet_set_low(s, -INFINITY);
      return;
    }
    lo = w < lo ? w : lo;
  }
  triplet_set_low(s, c->weight ? lo : -INFINITY);
}

/* Depression lowered some weights to lo at the least: w_low follows. */
static inline void triplet_lowered(triplet_state *s, float lo) {
  if (lo < s->w_low) triplet_set_low(s, lo);
}

/* Fills s (zeroed by the caller) from checked values v[PT_N_PARAMS] and
 * allocates its traces for csr c: EVS_OK or EVS_ENOMEM (the caller frees s). */
static int triplet_fill(triplet_state *s, const double *v, const evs_csr *c) {
  s->tau_plus = v[PT_TAU_PLUS];
  s->tau_minus = v[PT_TAU_MINUS];
  s->tau_y = v[PT_TAU_Y];
  s->a3_plus = v[PT_A3_PLUS];
  s->a2_minus = v[PT_A2_MINUS];
  s->w_min = v[PT_W_MIN];
  s->w_max = v[PT_W_MAX];
  s->learn_from = v[PT_LEARN_FROM];
  evs_trace_bank *b = &s->bank;
  s->x = evs__trace_bank_add(b, c->n_pre, s->tau_plus);
  s->y1 = s->x ? evs__trace_bank_add_post(b, c->n_post, s->tau_minus) : NULL;
  s->y2 = s->y1 ? evs__trace_bank_add_post(b, c->n_post, s->tau_y) : NULL;
  uint64_t longest = 0;
  for (uint32_t i = 0; i < c->n_post; i++)
    if (c->post_ptr[i + 1] - c->post_ptr[i] > longest)
      longest = c->post_ptr[i + 1] - c->post_ptr[i];
  s->moved = malloc((longest + 1) * sizeof *s->moved);
  triplet_bound(s, c);
  return s->y2 && s->moved ? EVS_OK : EVS_ENOMEM;
}

static int triplet_init(evs_rule *pl, evs_error *err) {
  int rc = evs__rule_check_set(pl, err);
  if (!rc) rc = triplet_check(pl, err, pl->par);
  if (rc) return rc;
  triplet_state *s = calloc(1, sizeof *s);
  if (!s) return no_memory(pl, err);
  pl->state = s;
  if (triplet_fill(s, pl->par, pl->proj->csr)) {
    triplet_destroy(pl);
    return no_memory(pl, err);
  }
  return EVS_OK;
}

static void triplet_on_pre(evs_rule *pl, double t, uint32_t pre, uint64_t begin,
                           uint64_t end) {
  triplet_state *s = pl->state;
  evs_csr *c = pl->proj->csr;
  evs__trace_bank_advance(&s->bank, t);
  const double dy1 = evs__trace_decay(&s->bank, TRIP_Y1, t); /* y1 = Y1 dy1 */
  const uint32_t *target = c->target;
  const double *Y1 = s->y1;
  float *weight = c->weight;
  float lo = INFINITY;
  for (uint64_t k = t < s->learn_from ? end : begin; k < end; k++) {
    double y1 = Y1[target[k]] * dy1;
    float w = (float)clip(weight[k] - s->a2_minus * y1, s->w_min, s->w_max);
    weight[k] = w;
    lo = w < lo ? w : lo;
  }
  triplet_lowered(s, lo);
  evs__trace_spike(&s->x[pre], evs__trace_growth(&s->bank, TRIP_X, t), 0);
}

/* The column walk below prefetches the weight LTP_AHEAD entries ahead
 * (of those that may move): each weight of a column lies in a row of its
 * own, so each is a cache miss, and the prefetches let ~LTP_AHEAD of them
 * overlap (B7, 6 s runs: the process's CPU -13 %; 16, 32 and 64 ahead
 * alike within the noise: bench/results/2026-12-07-b7fast.md). */
#define LTP_AHEAD 32

/* The post spike's potentiation and its y1, y2 increments (the caller has
 * advanced the bank to t). */
static void triplet_post(triplet_state *s, evs_csr *c, double t,
                         uint32_t post) {
  evs_trace_bank *b = &s->bank;
  const double dx = evs__trace_decay(b, TRIP_X, t); /* x_j(t) = X_j dx */
  /* y2 before this spike's own increment: one factor for all synapses */
  double g = s->a3_plus * (s->y2[post] * evs__trace_decay(b, TRIP_Y2, t));
  const uint32_t *pos = c->post_pos, *pre = c->post_pre;
  const double *X = s->x, u = s->no_op;
  float *weight = c->weight;
  const uint64_t qb = c->post_ptr[post];
  const uint64_t qe = t < s->learn_from ? qb : c->post_ptr[post + 1];
  /* the entries whose increment may move their weight (all when u = 0),
   * without branches: about half of them in B7 */
  uint32_t *moved = s->moved, n = 0;
  for (uint64_t q = qb; q < qe; q++) {
    moved[n] = (uint32_t)(q - qb);
    n += !(g * (X[pre[q]] * dx) < u);
  }
  for (uint32_t m = 0; m < n; m++) {
    if (m + LTP_AHEAD < n)
      __builtin_prefetch(&weight[pos[qb + moved[m + LTP_AHEAD]]], 1);
    const uint64_t q = qb + moved[m];
    double x = X[pre[q]] * dx;
    uint32_t k = pos[q];
    weight[k] = (float)clip((double)weight[k] + g * x, s->w_min, s->w_max);
  }
  evs__trace_spike(&s->y1[post], evs__trace_growth(b, TRIP_Y1, t), 0);
  evs__trace_spike(&s->y2[post], evs__trace_growth(b, TRIP_Y2, t), 0);
}

static void triplet_on_post(evs_rule *pl, double t, uint32_t post) {
  triplet_state *s = pl->state;
  evs_csr *c = pl->proj->csr;
  evs__trace_bank_advance(&s->bank, t);
  triplet_post(s, c, t, post);
}

/* The post population's periodic event at t: the bank's rebase point (also
 * stdp_triplet_homeo's, whose state starts with a triplet_state). */
static void triplet_on_tick(evs_rule *pl, double t) {
  triplet_state *s = pl->state;
  evs__trace_bank_tick(&s->bank, t);
}

static int triplet_checkpoint(evs_rule *pl, evs_ckpt *ck) {
  return evs__trace_bank_checkpoint(&((triplet_state *)pl->state)->bank, ck);
}

/* The weights were set from outside: their bound anew (also
 * stdp_triplet_homeo's). */
static void triplet_weights_set(evs_rule *pl) {
  triplet_bound(pl->state, pl->proj->csr);
}

const evs_rule_type evs__rule_stdp_triplet = {
    .name = "stdp_triplet",
    .params = triplet_params,
    .n_params = PT_N_PARAMS,
    .init = triplet_init,
    .destroy = triplet_destroy,
    .on_pre = triplet_on_pre,
    .on_post = triplet_on_post,
    .on_tick = triplet_on_tick,
    .sliceable = 1,
    .checkpoint = triplet_checkpoint,
    .weights_set = triplet_weights_set,
};

/* ---- stdp_triplet_homeo ---------------------------------------------------
 */

enum {
  PH_TAU_PLUS,
  PH_TAU_MINUS,
  PH_TAU_Y,
  PH_A3_PLUS,
  PH_W_MIN,
  PH_W_MAX,
  PH_TAU_HOM,
  PH_KAPPA,
  PH_ETA,
  PH_LEARN_FROM,
  PH_N_PARAMS
};

static const evs_param_def homeo_params[PH_N_PARAMS] = {
    TRIPLET_TAU_PARAMS(PH),
    [PH_A3_PLUS] = {"A3_plus", EVS_DIM_NONE, 0,
                    EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED,
                    "triplet LTP amplitude before eta (6.5e-3 for weights of "
                    "order 1)"},
    BOUND_PARAMS(PH),
    [PH_TAU_HOM] = {"tau_hom", EVS_DIM_TIME, 0, EVS_PARAM_REQUIRED,
                    "time constant of the postsynaptic rate estimate nu"},
    [PH_KAPPA] = {"kappa", EVS_DIM_RATE, 3, 0,
                  "target rate: fixed point of the rule and nu at t = 0"},
    [PH_ETA] = {"eta", EVS_DIM_NONE, 1, 0,
                "learning-rate multiplier of both amplitudes"},
    LEARN_FROM_PARAM(PH),
};

/* The triplet rule's state first, so that triplet_* work on &base and the
 * state pointer is also the base's. */
typedef struct homeo_state {
  triplet_state base; /* a3_plus holds eta A3_plus; a2_minus is unused (0);
                         its bank holds z as TRIP_Z */
  double c_hom;       /* weight s^2: eta A3+ tau+ tau_y / (tau- kappa
                         tau_hom^2), so A2-(t) = c_hom Z^2 e^{-2(t-t0)/tau_hom} */
  double *z;          /* [n_post] coefficients of the spike trace z (tau_hom,
                         +1 per post spike); nu = z / tau_hom (in the bank) */
} homeo_state;

static void homeo_destroy(evs_rule *pl) {
  homeo_state *s = pl->state;
  if (!s) return;
  triplet_destroy(pl); /* frees the bank (z too) and s itself */
}

static int homeo_init(evs_rule *pl, evs_error *err) {
  const double *p = pl->par;
  double v[PT_N_PARAMS] = {[PT_TAU_PLUS] = p[PH_TAU_PLUS],
                           [PT_TAU_MINUS] = p[PH_TAU_MINUS],
                           [PT_TAU_Y] = p[PH_TAU_Y],
                           [PT_A3_PLUS] = p[PH_ETA] * p[PH_A3_PLUS],
                           [PT_A2_MINUS] = 0,
                           [PT_W_MIN] = p[PH_W_MIN],
                           [PT_W_MAX] = p[PH_W_MAX],
                           [PT_LEARN_FROM] = p[PH_LEARN_FROM]};
  int rc = evs__rule_check_set(pl, err);
  if (!rc) rc = check_tau(pl, err, "tau_hom", p[PH_TAU_HOM]);
  if (!rc && !(p[PH_KAPPA] > 0))
    rc = evs__rule_fail(pl, err, "kappa must be positive (got %g Hz)",
                        p[PH_KAPPA]);
  if (!rc) rc = check_amp(pl, err, "eta", p[PH_ETA]);
  if (!rc) rc = triplet_check(pl, err, v);
  if (rc) return rc;

  homeo_state *s = calloc(1, sizeof *s);
  if (!s) return no_memory(pl, err);
  pl->state = s;
  const evs_csr *c = pl->proj->csr;
  if (triplet_fill(&s->base, v, c)) goto nomem;
  const double tau_hom = p[PH_TAU_HOM], kappa = p[PH_KAPPA];
  s->c_hom = v[PT_A3_PLUS] * p[PH_TAU_PLUS] * p[PH_TAU_Y] /
             (p[PH_TAU_MINUS] * kappa * tau_hom * tau_hom);
  if (!(s->z = evs__trace_bank_add_post(&s->base.bank, c->n_post, tau_hom)))
    goto nomem;
  for (uint32_t i = 0; i < c->n_post; i++)
    s->z[i] = kappa * tau_hom; /* t0 = 0 */
  return EVS_OK;
nomem:
  homeo_destroy(pl);
  return no_memory(pl, err);
}

static void homeo_on_pre(evs_rule *pl, double t, uint32_t pre, uint64_t begin,
                         uint64_t end) {
  homeo_state *s = pl->state;
  triplet_state *b = &s->base;
  evs_csr *c = pl->proj->csr;
  evs__trace_bank_advance(&b->bank, t);
  const double dz = evs__trace_decay(&b->bank, TRIP_Z, t);
  /* A2-_i(t) y1_i(t) = f Z_i^2 Y1_i: one factor for all synapses */
  const double f = s->c_hom * dz * dz * evs__trace_decay(&b->bank, TRIP_Y1, t);
  const uint32_t *target = c->target;
  const double *Y1 = b->y1, *Z = s->z;
  float *weight = c->weight;
  float lo = INFINITY;
  for (uint64_t k = t < b->learn_from ? end : begin; k < end; k++) {
    uint32_t i = target[k];
    double ltd = f * (Z[i] * Z[i]) * Y1[i];
    float w = (float)clip(weight[k] - ltd, b->w_min, b->w_max);
    weight[k] = w;
    lo = w < lo ? w : lo;
  }
  triplet_lowered(b, lo);
  evs__trace_spike(&b->x[pre], evs__trace_growth(&b->bank, TRIP_X, t), 0);
}

static void homeo_on_post(evs_rule *pl, double t, uint32_t post) {
  homeo_state *s = pl->state;
  triplet_state *b = &s->base;
  evs_csr *c = pl->proj->csr;
  evs__trace_bank_advance(&b->bank, t);
  triplet_post(b, c, t, post);
  evs__trace_spike(&s->z[post], evs__trace_growth(&b->bank, TRIP_Z, t), 0);
}

const evs_rule_type evs__rule_stdp_triplet_homeo = {
    .name = "stdp_triplet_homeo",
    .params = homeo_params,
    .n_params = PH_N_PARAMS,
    .init = homeo_init,
    .destroy = homeo_destroy,
    .on_pre = homeo_on_pre,
    .on_post = homeo_on_post,
    .on_tick = triplet_on_tick,
    .sliceable = 1,
    .checkpoint = triplet_checkpoint, /* z is in the bank too */
    .weights_set = triplet_weights_set,
};
