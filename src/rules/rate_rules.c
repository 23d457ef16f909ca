/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — rate-based learning rules: rate_hebb, rate_oja, rate_bcm (rate.h).
 *
 * They run on projections between rate populations into a RateLinear, which
 * calls on_rate at every step t_k with its step dt, the presynaptic rates x
 * and the postsynaptic rates y = W x of that step (computed with the weights
 * before the step's change). Explicit Euler, all terms from the state at the
 * step's start:
 *   rate_hebb:  w_ij += eta dt x_j y_i
 *   rate_oja:   w_ij += eta dt (x_j y_i - w_ij y_i^2)          (Oja 1982)
 *   rate_bcm:   w_ij += eta dt x_j y_i (y_i - theta_i),
 *               theta_i += (dt / tau_theta) (-theta_i + y_i^2 / kappa)
 *               (Bienenstock, Cooper & Munro 1982, with the sliding threshold
 *               of doc/validation.md P2; theta_i starts at theta_init)
 * then w is clipped to [w_min, w_max] (no bound by default). Arithmetic is in
 * double; the result is stored as the CSR's float. Cost per step: O(synapses)
 * (rows whose x_j is 0 are skipped by rate_hebb and rate_bcm). */
#include <math.h>
#include <stdlib.h>

#include "neurons/rate.h"

/* Parameter positions shared by the three tables. */
enum {
  R_ETA,
  R_W_MIN,
  R_W_MAX,
  R_KAPPA,
  R_TAU_THETA,
  R_THETA_INIT,
  R_N_PARAMS
};

#define COMMON_PARAMS                                                          \
  [R_ETA] = {"eta", EVS_DIM_RATE, 1e-3, 0,                                     \
             "learning rate (1/s, written in Hz): dw = eta dt (...)"},         \
  [R_W_MIN] = {"w_min", EVS_DIM_NONE, -INFINITY, EVS_PARAM_WEIGHT,             \
               "lower bound of the weights (default: none)"},                  \
  [R_W_MAX] = {"w_max", EVS_DIM_NONE, INFINITY, EVS_PARAM_WEIGHT,              \
               "upper bound of the weights (default: none)"}

static const evs_param_def hebb_params[] = {COMMON_PARAMS};
static const evs_param_def bcm_params[R_N_PARAMS] = {
    COMMON_PARAMS,
    [R_KAPPA] = {"kappa", EVS_DIM_NONE, 1.0, 0,
                 "target rate: theta relaxes to y^2 / kappa, fixed point "
                 "y = theta = kappa"},
    [R_TAU_THETA] = {"tau_theta", EVS_DIM_TIME, 1.0, 0,
                     "time constant of the sliding threshold"},
    [R_THETA_INIT] = {"theta_init", EVS_DIM_NONE, 1.0, 0,
                      "initial threshold of every postsynaptic neuron"},
};

/* The rule's parameters are sane, and it sits between rate populations. */
static int check(evs_rule *pl, evs_error *err) {
  const evs_proj *p = pl->proj;
  if (p->post->type != &evs__rate_linear ||
      !evs__rate_is_rate_type(p->pre->type))
    return evs__rule_fail(pl, err,
                          "a rate rule needs a rate population as "
                          "pre and a RateLinear population as post (%s is "
                          "%s, %s is %s)",
                          p->pre->name, p->pre->type->name, p->post->name,
                          p->post->type->name);
  if (!(pl->par[R_ETA] >= 0) || !isfinite(pl->par[R_ETA]))
    return evs__rule_fail(pl, err, "eta must be finite and >= 0, got %g",
                          pl->par[R_ETA]);
  if (!(pl->par[R_W_MIN] < pl->par[R_W_MAX]))
    return evs__rule_fail(pl, err, "w_min (%g) must be below w_max (%g)",
                          pl->par[R_W_MIN], pl->par[R_W_MAX]);
  return EVS_OK;
}

static int plain_init(evs_rule *pl, evs_error *err) { return check(pl, err); }

static void plain_destroy(evs_rule *pl) { (void)pl; }

static inline float clip(double w, double lo, double hi) {
  return (float)(w < lo ? lo : (w > hi ? hi : w));
}

/* ---- hebb ---------------------------------------------------------------- */

static void hebb_on_rate(evs_rule *pl, double t, double dt, const double *x,
                         const double *y) {
  (void)t;
  evs_csr *m = pl->proj->csr;
  double k = pl->par[R_ETA] * dt, lo = pl->par[R_W_MIN], hi = pl->par[R_W_MAX];
  for (uint32_t j = 0; j < m->n_pre; j++) {
    double kx = k * x[j];
    if (kx == 0) continue;
    for (uint64_t q = m->row_ptr[j]; q < m->row_ptr[j + 1]; q++)
      m->weight[q] = clip(m->weight[q] + kx * y[m->target[q]], lo, hi);
  }
}

/* Hebb's and Oja's rules change the weights alone. */
static int plain_checkpoint(evs_rule *pl, evs_ckpt *ck) {
  (void)pl;
  return evs_ckpt_status(ck);
}

const evs_rule_type evs__rule_hebb = {
    .name = "rate_hebb",
    .params = hebb_params,
    .n_params = sizeof hebb_params / sizeof hebb_params[0],
    .init = plain_init,
    .destroy = plain_destroy,
    .on_rate = hebb_on_rate,
    .checkpoint = plain_checkpoint,
};

/* ---- oja ----------------------------------------------------------------- */

static void oja_on_rate(evs_rule *pl, double t, double dt, const double *x,
                        const double *y) {
  (void)t;
  evs_csr *m = pl->proj->csr;
  double k = pl->par[R_ETA] * dt, lo = pl->par[R_W_MIN], hi = pl->par[R_W_MAX];
  for (uint32_t j = 0; j < m->n_pre; j++)
    for (uint64_t q = m->row_ptr[j]; q < m->row_ptr[j + 1]; q++) {
      double yi = y[m->target[q]], w = m->weight[q];
      m->weight[q] = clip(w + k * yi * (x[j] - w * yi), lo, hi);
    }
}

const evs_rule_type evs__rule_oja = {
    .name = "rate_oja",
    .params = hebb_params,
    .n_params = sizeof hebb_params / sizeof hebb_params[0],
    .init = plain_init,
    .destroy = plain_destroy,
    .on_rate = oja_on_rate,
    .checkpoint = plain_checkpoint,
};

/* ---- bcm ----------------------------------------------------------------- */

typedef struct bcm_state {
  double *theta; /* [post size] sliding thresholds */
  double *g;     /* [post size] scratch: eta dt y_i (y_i - theta_i) */
} bcm_state;

static void bcm_destroy(evs_rule *pl) {
  bcm_state *s = pl->state;
  if (!s) return;
  free(s->theta);
  free(s->g);
  free(s);
  pl->state = NULL;
}

static int bcm_init(evs_rule *pl, evs_error *err) {
  int rc = check(pl, err);
  if (rc) return rc;
  if (!(pl->par[R_KAPPA] > 0))
    return evs__rule_fail(pl, err, "kappa must be > 0, got %g",
                          pl->par[R_KAPPA]);
  if (!(pl->par[R_TAU_THETA] > 0))
    return evs__rule_fail(pl, err, "tau_theta must be > 0, got %g s",
                          pl->par[R_TAU_THETA]);
  uint32_t n = pl->proj->post->size;
  bcm_state *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  pl->state = s;
  if (!(s->theta = malloc(n * sizeof *s->theta)) ||
      !(s->g = malloc(n * sizeof *s->g)))
    goto nomem;
  for (uint32_t i = 0; i < n; i++) s->theta[i] = pl->par[R_THETA_INIT];
  return EVS_OK;
nomem:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
}

static void bcm_on_rate(evs_rule *pl, double t, double dt, const double *x,
                        const double *y) {
  (void)t;
  bcm_state *s = pl->state;
  evs_csr *m = pl->proj->csr;
  uint32_t n = pl->proj->post->size;
  double k = pl->par[R_ETA] * dt, lo = pl->par[R_W_MIN], hi = pl->par[R_W_MAX];
  double inv_kappa = 1 / pl->par[R_KAPPA], f = dt / pl->par[R_TAU_THETA];
  for (uint32_t i = 0; i < n; i++) s->g[i] = k * y[i] * (y[i] - s->theta[i]);
  for (uint32_t j = 0; j < m->n_pre; j++) {
    double xj = x[j];
    if (xj == 0) continue;
    for (uint64_t q = m->row_ptr[j]; q < m->row_ptr[j + 1]; q++)
      m->weight[q] = clip(m->weight[q] + xj * s->g[m->target[q]], lo, hi);
  }
  for (uint32_t i = 0; i < n; i++)
    s->theta[i] += f * (y[i] * y[i] * inv_kappa - s->theta[i]);
}

/* The sliding thresholds. */
static int bcm_checkpoint(evs_rule *pl, evs_ckpt *ck) {
  bcm_state *s = pl->state;
  return evs_ckpt_fixed(ck, s->theta, pl->proj->post->size, sizeof *s->theta);
}

const evs_rule_type evs__rule_bcm = {
    .name = "rate_bcm",
    .params = bcm_params,
    .n_params = R_N_PARAMS,
    .init = bcm_init,
    .destroy = bcm_destroy,
    .on_rate = bcm_on_rate,
    .checkpoint = bcm_checkpoint,
};

/* The thresholds of a bcm rule instance (post size values), for tests and
 * probes; NULL for other rules. */
const double *evs__rule_bcm_theta(const evs_rule *pl) {
  if (pl->type != &evs__rule_bcm || !pl->state) return NULL;
  return ((const bcm_state *)pl->state)->theta;
}
