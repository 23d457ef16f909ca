/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — spike-timing-dependent plasticity: pair STDP here, triplet STDP
 * and homeostatic triplet STDP in stdp_triplet.c (the helpers they share:
 * stdp_impl.h).
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
 * Arithmetic is in double; the result is stored as the CSR's float. Weights
 * outside [w_min, w_max] at the start are clipped at their first update.
 * on_pre assumes one call per presynaptic spike (a plastic projection has one
 * delay group per row). on_post takes each synapse's presynaptic neuron from
 * the transposed index (csr->post_pre). Cost per handler call: two or three
 * exp() (the factors of its time constants; none when the last call had
 * the same time: trace_bank.h's memo), then per synapse touched one trace
 * multiply and the weight update (stdp_pair's additive walks in vectors:
 * stdp_walk.h; the column walk waits on one cache line a synapse, the
 * weights being stored by row); every EVS_TRACE_SPAN tau_min of
 * simulated time one rebase, O(neurons), at a periodic event of the post
 * population (on_tick). Each rule runs on slices of its projection in a
 * threaded run (evs_rule_type.sliceable): its state is per synapse and per
 * neuron, and its reference time moves only in on_tick. */
#include <math.h>
#include <stdlib.h>

#include "rules/stdp_impl.h"
#include "rules/stdp_walk.h"

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
  const evs__stdp_walk *walk; /* the additive walks (mu = 0), widest */
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
  s->walk = evs__stdp_walk_pick(c->n_pre, c->n_post, c->nnz);
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
  } else if (s->mu_minus == 0) { /* w - A_minus y = w + (-A_minus) y */
    const evs__stdp_add add = {Y, dy, -a_minus, w_min, w_max};
    s->walk->row(weight, target, begin, end, &add);
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
    const evs__stdp_add add = {X, dx, a_plus, w_min, w_max};
    s->walk->col(weight, pos, pre, qb, qe, &add);
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
