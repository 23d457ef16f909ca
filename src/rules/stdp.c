/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — spike-timing-dependent plasticity: pair STDP, triplet STDP and
 * homeostatic triplet STDP.
 *
 * The rules keep one trace per presynaptic neuron and one or two per
 * postsynaptic neuron, not per synapse, as shared-factor coefficients
 * (plastic.h: each trace is X = x(t) e^{(t - t0)/tau} against one reference
 * time t0 per rule instance). Times are the handlers' t: for the presynaptic
 * trace the synapse's arrival time (one delay per plastic projection), for
 * the postsynaptic ones the spike time. Each handler first changes the
 * weights with the traces as they are at t (not counting the spike being
 * handled), clips to [w_min, w_max], and only then lets the handled spike into
 * its own trace(s). So a pre arrival and a post spike at the same time pair
 * once, in the order the handlers run.
 *
 * stdp_pair (Guetig et al. 2003 family, additive to multiplicative):
 *   pre arrival at t:  w -= A_minus f_-(w) y_i(t);  clip;  x_j gets the spike
 *   post spike at t:   w += A_plus  f_+(w) x_j(t);  clip;  y_i gets the spike
 *   f_+(w) = ((w_max - w)/(w_max - w_min))^mu_plus,
 *   f_-(w) = ((w - w_min)/(w_max - w_min))^mu_minus,
 * with x (tau_plus) and y (tau_minus) adding 1 per spike (all-to-all) or set
 * to 1 (nearest = 1: only the latest spike of each side counts).
 *
 * stdp_triplet (Pfister & Gerstner 2006, minimal all-to-all model):
 *   pre arrival at t:  w -= A2_minus y1_i(t);  clip;  x_j += 1
 *   post spike at t:   w += A3_plus x_j(t) y2_i(t-);  clip;  y1_i += 1, y2_i +=
 * 1 with x (tau_plus), y1 (tau_minus), y2 (tau_y); y2 is read before its own
 * increment.
 *
 * stdp_triplet_homeo (Zenke, Hennequin & Gerstner 2013): stdp_triplet with
 * both amplitudes scaled by eta and a sliding LTD amplitude per post neuron,
 *   A2_minus_i(t) = eta A3_plus tau_plus tau_y nu_i(t)^2 / (tau_minus kappa),
 * nu_i = z_i / tau_hom, z_i a fourth trace (tau_hom, +1 per post spike of i,
 * counted after the LTP like y1 and y2) that starts at kappa tau_hom, so
 * nu_i(0) = kappa. It reuses stdp_triplet's checks, state, rebase and post
 * handler; its pre handler reads z_i with y1_i (two multiplies more per
 * synapse, no exp()).
 *
 * Arithmetic is in double; the result is stored as the CSR's float. Weights
 * outside [w_min, w_max] at the start are clipped at their first update.
 * on_pre assumes one call per presynaptic spike (a plastic projection has one
 * delay group per row). on_post takes each synapse's presynaptic neuron from
 * the transposed index (csr->post_pre). Cost per handler call: two or three
 * exp() (the factors of its time constants), then per synapse touched one
 * trace multiply and the weight update; every EVS_TRACE_SPAN tau_min of
 * simulated time one rebase, O(neurons), at a periodic event of the post
 * population (on_tick). Each rule runs on slices of its projection in a
 * threaded run (evs_rule_type.sliceable): its state is per synapse and per
 * neuron, and its reference time moves only in on_tick. */
#include <math.h>
#include <stdlib.h>

#include "rules/plastic.h"

/* ---- shared helpers ------------------------------------------------------ */

/* Checks on top of plastic.c's evs__rule_fail, evs__rule_check_set and
 * evs__rule_need_transpose, which the rules here use as they are. */

static int check_tau(const evs_rule *pl, evs_error *err, const char *name,
                     double tau) {
  if (!(tau > 0))
    return evs__rule_fail(pl, err, "%s must be positive (got %g s)", name, tau);
  return EVS_OK;
}

static int check_amp(const evs_rule *pl, evs_error *err, const char *name,
                     double a) {
  if (!(a >= 0))
    return evs__rule_fail(pl, err, "%s must not be negative", name);
  return EVS_OK;
}

static int check_bounds(const evs_rule *pl, evs_error *err, double w_min,
                        double w_max) {
  if (!(w_min < w_max))
    return evs__rule_fail(pl, err, "w_min must lie below w_max");
  return EVS_OK;
}

/* Fails with EVS_ENOMEM and "projection P: rule R: out of memory". */
static int no_memory(const evs_rule *pl, evs_error *err) {
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "projection %s: rule %s: out of memory", pl->proj->name,
                       pl->type->name);
}

/* n zeroed trace coefficients; NULL when out of memory. */
static inline double clip(double w, double lo, double hi) {
  return w < lo ? lo : (w > hi ? hi : w);
}

/* Parameter table entries the rules share, for enums whose names start with
 * P (as rate_rules.c's COMMON_PARAMS): the weight bounds, and the triplet
 * rules' trace time constants (Pfister & Gerstner 2006, visual cortex). */
#define BOUND_PARAMS(P)                                                        \
  [P##_W_MIN] = {"w_min", EVS_DIM_NONE, 0, EVS_PARAM_WEIGHT,                   \
                 "lower weight bound"},                                        \
  [P##_W_MAX] = {"w_max", EVS_DIM_NONE, 0,                                     \
                 EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED, "upper weight bound"}
#define TRIPLET_TAU_PARAMS(P)                                                  \
  [P##_TAU_PLUS] = {"tau_plus", EVS_DIM_TIME, 16.8e-3, 0,                      \
                    "decay time of the presynaptic trace x"},                  \
  [P##_TAU_MINUS] = {"tau_minus", EVS_DIM_TIME, 33.7e-3, 0,                    \
                     "decay time of the fast postsynaptic trace y1"},          \
  [P##_TAU_Y] = {"tau_y", EVS_DIM_TIME, 114e-3, 0,                             \
                 "decay time of the slow postsynaptic trace y2"}

#define LEARN_FROM_PARAM(P)                                                    \
  [P##_LEARN_FROM] = {"learn_from", EVS_DIM_TIME, 0, 0,                        \
                      "weights change from this time on; the traces count "    \
                      "every spike from t = 0"}

static int check_learn_from(const evs_rule *pl, evs_error *err, double t) {
  if (!(t >= 0))
    return evs__rule_fail(pl, err, "learn_from must not be negative (got %g s)",
                          t);
  return EVS_OK;
}

/* ---- stdp_pair ------------------------------------------------------------
 */

enum {
  PP_TAU_PLUS,
  PP_TAU_MINUS,
  PP_A_PLUS,
  PP_A_MINUS,
  PP_W_MIN,
  PP_W_MAX,
  PP_MU_PLUS,
  PP_MU_MINUS,
  PP_NEAREST,
  PP_LEARN_FROM,
  PP_N_PARAMS
};

static const evs_param_def pair_params[PP_N_PARAMS] = {
    [PP_TAU_PLUS] = {"tau_plus", EVS_DIM_TIME, 20e-3, 0,
                     "decay time of the presynaptic trace x (LTP window)"},
    [PP_TAU_MINUS] = {"tau_minus", EVS_DIM_TIME, 20e-3, 0,
                      "decay time of the postsynaptic trace y (LTD window)"},
    [PP_A_PLUS] = {"A_plus", EVS_DIM_NONE, 0,
                   EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED,
                   "potentiation per pre-before-post pair at zero lag"},
    [PP_A_MINUS] = {"A_minus", EVS_DIM_NONE, 0,
                    EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED,
                    "depression per post-before-pre pair at zero lag"},
    BOUND_PARAMS(PP),
    [PP_MU_PLUS] = {"mu_plus", EVS_DIM_NONE, 0, 0,
                    "weight dependence of LTP, 0 additive .. 1 multiplicative"},
    [PP_MU_MINUS] = {"mu_minus", EVS_DIM_NONE, 0, 0,
                     "weight dependence of LTD, 0 additive .. 1 "
                     "multiplicative"},
    [PP_NEAREST] = {"nearest", EVS_DIM_NONE, 0, 0,
                    "1: traces reset to 1 per spike (nearest spike), 0: add "
                    "1 (all-to-all)"},
    LEARN_FROM_PARAM(PP),
};

typedef struct pair_state {
  double tau_plus, tau_minus; /* s */
  double a_plus, a_minus;     /* internal weight units */
  double w_min, w_max;        /* internal weight units */
  double inv_range;           /* 1 / (w_max - w_min) */
  double mu_plus, mu_minus;   /* exponents of the weight dependence */
  int nearest;                /* traces reset instead of adding */
  double learn_from;          /* s: no weight change before */
  evs_trace_bank bank;        /* traces PAIR_X, PAIR_Y */
  double *x;                  /* [n_pre] presynaptic coefficients X */
  double *y;                  /* [n_post] postsynaptic coefficients Y */
} pair_state;

enum { PAIR_X, PAIR_Y }; /* pair_state's traces, in the order added */

static void pair_destroy(evs_rule *pl) {
  pair_state *s = pl->state;
  if (!s) return;
  evs__trace_bank_free(&s->bank);
  free(s);
  pl->state = NULL;
}

static int pair_init(evs_rule *pl, evs_error *err) {
  const double *p = pl->par;
  int rc = evs__rule_check_set(pl, err);
  if (!rc) rc = check_tau(pl, err, "tau_plus", p[PP_TAU_PLUS]);
  if (!rc) rc = check_tau(pl, err, "tau_minus", p[PP_TAU_MINUS]);
  if (!rc) rc = check_amp(pl, err, "A_plus", p[PP_A_PLUS]);
  if (!rc) rc = check_amp(pl, err, "A_minus", p[PP_A_MINUS]);
  if (!rc) rc = check_bounds(pl, err, p[PP_W_MIN], p[PP_W_MAX]);
  if (!rc) rc = check_learn_from(pl, err, p[PP_LEARN_FROM]);
  if (rc) return rc;
  if (!(p[PP_MU_PLUS] >= 0 && p[PP_MU_PLUS] <= 1))
    return evs__rule_fail(pl, err, "mu_plus must lie in [0, 1] (got %g)",
                          p[PP_MU_PLUS]);
  if (!(p[PP_MU_MINUS] >= 0 && p[PP_MU_MINUS] <= 1))
    return evs__rule_fail(pl, err, "mu_minus must lie in [0, 1] (got %g)",
                          p[PP_MU_MINUS]);
  if (p[PP_NEAREST] != 0 && p[PP_NEAREST] != 1)
    return evs__rule_fail(pl, err, "nearest must be 0 or 1 (got %g)",
                          p[PP_NEAREST]);
  if ((rc = evs__rule_need_transpose(pl, err))) return rc;

  pair_state *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  pl->state = s;
  s->tau_plus = p[PP_TAU_PLUS];
  s->tau_minus = p[PP_TAU_MINUS];
  s->a_plus = p[PP_A_PLUS];
  s->a_minus = p[PP_A_MINUS];
  s->w_min = p[PP_W_MIN];
  s->w_max = p[PP_W_MAX];
  s->inv_range = 1 / (s->w_max - s->w_min);
  s->mu_plus = p[PP_MU_PLUS];
  s->mu_minus = p[PP_MU_MINUS];
  s->nearest = p[PP_NEAREST] != 0;
  s->learn_from = p[PP_LEARN_FROM];
  const evs_csr *c = pl->proj->csr;
  if (!(s->x = evs__trace_bank_add(&s->bank, c->n_pre, s->tau_plus)) ||
      !(s->y = evs__trace_bank_add_post(&s->bank, c->n_post, s->tau_minus)))
    goto nomem;
  return EVS_OK;
nomem:
  pair_destroy(pl);
  return no_memory(pl, err);
}

/* b^mu for b = distance to a bound / range, clamped to [0, 1] (a float
 * weight may sit a rounding step outside the double bounds). */
static inline double weight_factor(double b, double mu) {
  if (mu == 0) return 1;
  b = clip(b, 0, 1);
  return mu == 1 ? b : pow(b, mu);
}

static void pair_on_pre(evs_rule *pl, double t, uint32_t pre, uint64_t begin,
                        uint64_t end) {
  pair_state *s = pl->state;
  evs_csr *c = pl->proj->csr;
  evs__trace_bank_advance(&s->bank, t);
  const double dy = evs__trace_decay(&s->bank, PAIR_Y, t); /* y_i(t) = Y_i dy */
  const uint32_t *target = c->target;
  const double *Y = s->y;
  float *weight = c->weight;
  const double w_min = s->w_min, w_max = s->w_max, a_minus = s->a_minus;
  if (t < s->learn_from) {
    /* weights fixed; the trace counts the arrival below */
  } else if (s->mu_minus == 0) {
    for (uint64_t k = begin; k < end; k++) {
      double y = Y[target[k]] * dy;
      weight[k] = (float)clip(weight[k] - a_minus * y, w_min, w_max);
    }
  } else {
    for (uint64_t k = begin; k < end; k++) {
      double y = Y[target[k]] * dy;
      double w = weight[k];
      double f = weight_factor((w - w_min) * s->inv_range, s->mu_minus);
      weight[k] = (float)clip(w - a_minus * f * y, w_min, w_max);
    }
  }
  evs__trace_spike(&s->x[pre], evs__trace_growth(&s->bank, PAIR_X, t),
                   s->nearest);
}

static void pair_on_post(evs_rule *pl, double t, uint32_t post) {
  pair_state *s = pl->state;
  evs_csr *c = pl->proj->csr;
  evs__trace_bank_advance(&s->bank, t);
  const double dx = evs__trace_decay(&s->bank, PAIR_X, t); /* x_j(t) = X_j dx */
  const uint32_t *pos = c->post_pos, *pre = c->post_pre;
  const double *X = s->x;
  float *weight = c->weight;
  const double w_min = s->w_min, w_max = s->w_max, a_plus = s->a_plus;
  const uint64_t qb = c->post_ptr[post], qe = c->post_ptr[post + 1];
  if (t < s->learn_from) {
    /* weights fixed; the trace counts the spike below */
  } else if (s->mu_plus == 0) {
    for (uint64_t q = qb; q < qe; q++) {
      double x = X[pre[q]] * dx;
      uint32_t k = pos[q];
      weight[k] = (float)clip(weight[k] + a_plus * x, w_min, w_max);
    }
  } else {
    for (uint64_t q = qb; q < qe; q++) {
      double x = X[pre[q]] * dx;
      uint32_t k = pos[q];
      double w = weight[k];
      double f = weight_factor((w_max - w) * s->inv_range, s->mu_plus);
      weight[k] = (float)clip(w + a_plus * f * x, w_min, w_max);
    }
  }
  evs__trace_spike(&s->y[post], evs__trace_growth(&s->bank, PAIR_Y, t),
                   s->nearest);
}

/* The post population's periodic event at t: the bank's rebase point. */
static void pair_on_tick(evs_rule *pl, double t) {
  pair_state *s = pl->state;
  evs__trace_bank_tick(&s->bank, t);
}

/* The rules' whole state is their traces (the weights are the run's). */
static int pair_checkpoint(evs_rule *pl, evs_ckpt *ck) {
  return evs__trace_bank_checkpoint(&((pair_state *)pl->state)->bank, ck);
}

const evs_rule_type evs__rule_stdp_pair = {
    .name = "stdp_pair",
    .params = pair_params,
    .n_params = PP_N_PARAMS,
    .init = pair_init,
    .destroy = pair_destroy,
    .on_pre = pair_on_pre,
    .on_post = pair_on_post,
    .on_tick = pair_on_tick,
    .sliceable = 1,
    .checkpoint = pair_checkpoint,
};

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
} triplet_state;

enum { TRIP_X, TRIP_Y1, TRIP_Y2, TRIP_Z }; /* the bank's traces, as added */

static void triplet_destroy(evs_rule *pl) {
  triplet_state *s = pl->state;
  if (!s) return;
  evs__trace_bank_free(&s->bank);
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
  return s->y2 ? EVS_OK : EVS_ENOMEM;
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
  for (uint64_t k = t < s->learn_from ? end : begin; k < end; k++) {
    double y1 = Y1[target[k]] * dy1;
    weight[k] = (float)clip(weight[k] - s->a2_minus * y1, s->w_min, s->w_max);
  }
  evs__trace_spike(&s->x[pre], evs__trace_growth(&s->bank, TRIP_X, t), 0);
}

/* The post spike's potentiation and its y1, y2 increments (the caller has
 * advanced the bank to t). */
static void triplet_post(triplet_state *s, evs_csr *c, double t,
                         uint32_t post) {
  const evs_trace_bank *b = &s->bank;
  const double dx = evs__trace_decay(b, TRIP_X, t); /* x_j(t) = X_j dx */
  /* y2 before this spike's own increment: one factor for all synapses */
  double g = s->a3_plus * (s->y2[post] * evs__trace_decay(b, TRIP_Y2, t));
  const uint32_t *pos = c->post_pos, *pre = c->post_pre;
  const double *X = s->x;
  float *weight = c->weight;
  const uint64_t qe = c->post_ptr[post + 1];
  for (uint64_t q = t < s->learn_from ? qe : c->post_ptr[post]; q < qe; q++) {
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
  for (uint64_t k = t < b->learn_from ? end : begin; k < end; k++) {
    uint32_t i = target[k];
    double ltd = f * (Z[i] * Z[i]) * Y1[i];
    weight[k] = (float)clip(weight[k] - ltd, b->w_min, b->w_max);
  }
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
};
