/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the orchestrated plasticity rule of Zenke, Agnes & Gerstner (2015),
 * "Diverse synaptic plasticity mechanisms orchestrated to form and retrieve
 * memories in spiking neural networks", as in the published code
 * (github.com/fzenke/pub2015orchestrated, src/P11Connection.cpp: dw_pre,
 * dw_post, evolve) for an E->E synapse j -> i:
 *
 *   pre arrival at t:  w += -A z-_i(t) + delta;                     clip
 *   post spike at t:   w += A z^slow_i(t-) z+_j(t)
 *                           - beta (w - w~) z-_i(t-)^3;             clip
 *   every cons_dt:     w~ += cons_dt / tau_cons * [ (w - w~)
 *                           + P (w_a - w~)(w_b - w~)(w_P - w~) ]
 *
 * with traces z+_j (tau_plus, presynaptic), z-_i (tau_minus) and z^slow_i
 * (tau_slow) adding 1 per spike; the post handler reads the post traces
 * before its own spike is added (Auryn evolves traces after propagating
 * spikes), the pre handler lets its spike into z+_j after the update, as in
 * stdp.c. Weights are clipped to [w_min, w_max].
 *
 * Consolidation (the reference weight w~ of the heterosynaptic term): w~
 * relaxes toward w with tau_cons inside a double well with stable points
 * w_a and w_P and unstable point w_b = (w_a + w_P)/2, by forward Euler steps
 * of cons_dt (the published code: every 1e-3 tau_cons, i.e. 1.2 s for 1200 s).
 * The well's strength P is normalised as in the published sim_rc_p11.cpp:
 * P = pot_strength / [(q - w_a)(q - w_b)(q - w_P)] with q = w_a + (w_P -
 * w_a)/4 (so the cubic's magnitude at q is pot_strength); here pot_strength =
 * cons_strength (w_P - w_a), cons_strength = 0.2 giving the published 0.1
 * for w_P - w_a = 0.5. w~ starts at w_a (the published set_all(weight_a)).
 *
 * Differences from the published code: its LTD term carries a factor
 * (nu_i / kappa)^2 of a slow (tau_hom = 3600 s) postsynaptic rate estimate;
 * here the LTD amplitude A_minus is a parameter of its own (default: A), a
 * fixed stand-in for that factor. Storage: traces per neuron (shared-factor
 * coefficients, plastic.h) and one float w~ per synapse. */
#include <math.h>
#include <stdlib.h>

#include "rules/plastic.h"

enum {
  OR_TAU_PLUS,
  OR_TAU_MINUS,
  OR_TAU_SLOW,
  OR_A,
  OR_A_MINUS,
  OR_DELTA,
  OR_BETA,
  OR_W_MIN,
  OR_W_MAX,
  OR_W_A,
  OR_W_P,
  OR_CONS_STRENGTH,
  OR_TAU_CONS,
  OR_CONS_DT,
  OR_CONSOLIDATE,
  OR_N_PARAMS
};

static const evs_param_def orch_params[OR_N_PARAMS] = {
    [OR_TAU_PLUS] = {"tau_plus", EVS_DIM_TIME, 20e-3, 0,
                     "decay time of the presynaptic trace z+"},
    [OR_TAU_MINUS] = {"tau_minus", EVS_DIM_TIME, 20e-3, 0,
                      "decay time of the postsynaptic trace z- (LTD, "
                      "heterosynaptic term)"},
    [OR_TAU_SLOW] = {"tau_slow", EVS_DIM_TIME, 100e-3, 0,
                     "decay time of the slow postsynaptic trace z^slow "
                     "(triplet LTP)"},
    [OR_A] = {"A", EVS_DIM_NONE, 0, EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED,
              "triplet LTP amplitude (published 1e-3 for w in [0, 5])"},
    [OR_A_MINUS] = {"A_minus", EVS_DIM_NONE, -1, EVS_PARAM_WEIGHT,
                    "pair LTD amplitude; negative: the same as A"},
    [OR_DELTA] = {"delta", EVS_DIM_NONE, 0, EVS_PARAM_WEIGHT,
                  "transmitter-induced potentiation per presynaptic spike "
                  "(published 2e-5)"},
    [OR_BETA] = {"beta", EVS_DIM_NONE, 0.05, 0,
                 "heterosynaptic depression rate toward w~ (per z-^3)"},
    [OR_W_MIN] = {"w_min", EVS_DIM_NONE, 0, EVS_PARAM_WEIGHT,
                  "lower weight bound"},
    [OR_W_MAX] = {"w_max", EVS_DIM_NONE, 0,
                  EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED,
                  "upper weight bound (published 5)"},
    [OR_W_A] = {"w_a", EVS_DIM_NONE, 0, EVS_PARAM_WEIGHT,
                "lower stable point of the consolidation well (w~ starts "
                "here)"},
    [OR_W_P] = {"w_P", EVS_DIM_NONE, 0, EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED,
                "upper stable point of the consolidation well (published "
                "0.5)"},
    [OR_CONS_STRENGTH] = {"cons_strength", EVS_DIM_NONE, 0.2, 0,
                          "depth of the well: the cubic's magnitude at "
                          "w_a + (w_P - w_a)/4, in units of w_P - w_a"},
    [OR_TAU_CONS] = {"tau_cons", EVS_DIM_TIME, 1200, 0,
                     "time constant of consolidation"},
    [OR_CONS_DT] = {"cons_dt", EVS_DIM_TIME, 1.2, 0,
                    "interval of the consolidation steps"},
    [OR_CONSOLIDATE] = {"consolidate", EVS_DIM_NONE, 1, 0,
                        "1: w~ evolves; 0: w~ stays at w_a"},
};

typedef struct orch_state {
  double a_plus, a_minus, delta, beta; /* internal weight units; beta: 1 */
  double w_min, w_max;                 /* internal weight units */
  double w_a, w_b, w_p;                /* the well's points, internal */
  double pot;                          /* P: 1 / internal weight^2 */
  double cons_k;                       /* cons_dt / tau_cons */
  evs_trace_bank bank;                 /* traces ORCH_ZP, ORCH_ZM, ORCH_ZS */
  double *zp;                          /* [n_pre] coefficients of z+ */
  double *zm, *zs;                     /* [n_post] coefficients of z-, z^slow */
  float *wt;                           /* [nnz] reference weights w~ */
} orch_state;

enum { ORCH_ZP, ORCH_ZM, ORCH_ZS }; /* the bank's traces, as added */

static void orch_destroy(evs_rule *pl) {
  orch_state *s = pl->state;
  if (!s) return;
  evs__trace_bank_free(&s->bank);
  free(s->wt);
  free(s);
  pl->state = NULL;
}

static int orch_init(evs_rule *pl, evs_error *err) {
  const double *p = pl->par;
  int rc = evs__rule_check_set(pl, err);
  if (rc) return rc;
  static const int taus[] = {OR_TAU_PLUS, OR_TAU_MINUS, OR_TAU_SLOW,
                             OR_TAU_CONS, OR_CONS_DT};
  for (size_t i = 0; i < sizeof taus / sizeof *taus; i++)
    if (!(p[taus[i]] > 0))
      return evs__rule_fail(pl, err, "%s must be positive (got %g s)",
                            orch_params[taus[i]].name, p[taus[i]]);
  if (!(p[OR_A] >= 0)) return evs__rule_fail(pl, err, "A must not be negative");
  if (!(p[OR_DELTA] >= 0))
    return evs__rule_fail(pl, err, "delta must not be negative");
  if (!(p[OR_BETA] >= 0))
    return evs__rule_fail(pl, err, "beta must not be negative");
  if (!(p[OR_CONS_STRENGTH] >= 0))
    return evs__rule_fail(pl, err, "cons_strength must not be negative");
  if (!(p[OR_W_MIN] < p[OR_W_MAX]))
    return evs__rule_fail(pl, err, "w_min must lie below w_max");
  if (!(p[OR_W_A] < p[OR_W_P]))
    return evs__rule_fail(pl, err, "w_a must lie below w_P");
  if (p[OR_CONSOLIDATE] != 0 && p[OR_CONSOLIDATE] != 1)
    return evs__rule_fail(pl, err, "consolidate must be 0 or 1 (got %g)",
                          p[OR_CONSOLIDATE]);
  if (p[OR_CONS_DT] > p[OR_TAU_CONS])
    return evs__rule_fail(pl, err,
                          "cons_dt must not exceed tau_cons (forward "
                          "Euler steps)");
  if ((rc = evs__rule_need_transpose(pl, err))) return rc;

  orch_state *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  pl->state = s;
  s->a_plus = p[OR_A];
  s->a_minus = p[OR_A_MINUS] < 0 ? p[OR_A] : p[OR_A_MINUS];
  s->delta = p[OR_DELTA];
  s->beta = p[OR_BETA];
  s->w_min = p[OR_W_MIN];
  s->w_max = p[OR_W_MAX];
  s->w_a = p[OR_W_A];
  s->w_p = p[OR_W_P];
  s->w_b = 0.5 * (s->w_a + s->w_p);
  double range = s->w_p - s->w_a, q = s->w_a + 0.25 * range;
  s->pot = p[OR_CONS_STRENGTH] * range /
           ((q - s->w_a) * (q - s->w_b) * (q - s->w_p));
  s->cons_k = p[OR_CONS_DT] / p[OR_TAU_CONS];
  const evs_csr *c = pl->proj->csr;
  evs_trace_bank *b = &s->bank;
  if (!(s->zp = evs__trace_bank_add(b, c->n_pre, p[OR_TAU_PLUS])) ||
      !(s->zm = evs__trace_bank_add_post(b, c->n_post, p[OR_TAU_MINUS])) ||
      !(s->zs = evs__trace_bank_add_post(b, c->n_post, p[OR_TAU_SLOW])))
    goto nomem;
  s->wt = malloc((c->nnz ? c->nnz : 1) * sizeof *s->wt);
  if (!s->wt) goto nomem;
  for (uint64_t k = 0; k < c->nnz; k++) s->wt[k] = (float)s->w_a;
  pl->clock = p[OR_CONSOLIDATE] != 0 ? p[OR_CONS_DT] : 0;
  return EVS_OK;
nomem:
  orch_destroy(pl);
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "projection %s: rule %s: out of memory", pl->proj->name,
                       pl->type->name);
}

static inline double clip(double w, double lo, double hi) {
  return w < lo ? lo : (w > hi ? hi : w);
}

static void orch_on_pre(evs_rule *pl, double t, uint32_t pre, uint64_t begin,
                        uint64_t end) {
  orch_state *s = pl->state;
  evs_csr *c = pl->proj->csr;
  evs__trace_bank_advance(&s->bank, t);
  const double dm = evs__trace_decay(&s->bank, ORCH_ZM, t); /* z- = Zm dm */
  const double am = s->a_minus * dm, delta = s->delta;
  const uint32_t *target = c->target;
  const double *Zm = s->zm;
  float *weight = c->weight;
  for (uint64_t k = begin; k < end; k++)
    weight[k] = (float)clip((double)weight[k] - am * Zm[target[k]] + delta,
                            s->w_min, s->w_max);
  evs__trace_spike(&s->zp[pre], evs__trace_growth(&s->bank, ORCH_ZP, t), 0);
}

static void orch_on_post(evs_rule *pl, double t, uint32_t post) {
  orch_state *s = pl->state;
  evs_csr *c = pl->proj->csr;
  evs_trace_bank *b = &s->bank;
  evs__trace_bank_advance(&s->bank, t);
  const double dp = evs__trace_decay(b, ORCH_ZP, t); /* z+_j = Zp_j dp */
  /* the post traces before this spike: one factor each for all synapses */
  const double zm = s->zm[post] * evs__trace_decay(b, ORCH_ZM, t);
  const double zs = s->zs[post] * evs__trace_decay(b, ORCH_ZS, t);
  const double g = s->a_plus * zs * dp, h = s->beta * zm * zm * zm;
  const uint32_t *pos = c->post_pos, *pre = c->post_pre;
  const double *Zp = s->zp;
  const float *wt = s->wt;
  float *weight = c->weight;
  for (uint64_t q = c->post_ptr[post]; q < c->post_ptr[post + 1]; q++) {
    uint32_t k = pos[q];
    double w = weight[k];
    w += g * Zp[pre[q]] - h * (w - (double)wt[k]);
    weight[k] = (float)clip(w, s->w_min, s->w_max);
  }
  evs__trace_spike(&s->zm[post], evs__trace_growth(b, ORCH_ZM, t), 0);
  evs__trace_spike(&s->zs[post], evs__trace_growth(b, ORCH_ZS, t), 0);
}

/* One forward Euler step of cons_dt of every reference weight. O(synapses). */
static void orch_on_clock(evs_rule *pl, double t) {
  (void)t;
  orch_state *s = pl->state;
  const evs_csr *c = pl->proj->csr;
  const float *weight = c->weight;
  float *wt = s->wt;
  const double a = s->w_a, b = s->w_b, p = s->w_p, pot = s->pot, k = s->cons_k;
  for (uint64_t i = 0; i < c->nnz; i++) {
    double v = wt[i];
    wt[i] = (float)(v + k * (((double)weight[i] - v) +
                             pot * (a - v) * (b - v) * (p - v)));
  }
}

/* The traces and the reference weights (consolidation moves them). */
static int orch_checkpoint(evs_rule *pl, evs_ckpt *ck) {
  orch_state *s = pl->state;
  evs__trace_bank_checkpoint(&s->bank, ck);
  return evs_ckpt_synapses(ck, s->wt, pl->proj->csr->nnz, sizeof *s->wt);
}

/* The post population's periodic event at t: the bank's rebase point. */
static void orch_on_tick(evs_rule *pl, double t) {
  orch_state *s = pl->state;
  evs__trace_bank_tick(&s->bank, t);
}

/* Sliceable: traces per neuron, w~ per synapse, consolidation per synapse. */
const evs_rule_type evs__rule_orchestrated = {
    .name = "orchestrated",
    .params = orch_params,
    .n_params = OR_N_PARAMS,
    .init = orch_init,
    .destroy = orch_destroy,
    .on_pre = orch_on_pre,
    .on_post = orch_on_post,
    .on_clock = orch_on_clock,
    .on_tick = orch_on_tick,
    .sliceable = 1,
    .checkpoint = orch_checkpoint,
};

double evs__orchestrated_wref(const evs_rule *pl, uint64_t k) {
  const orch_state *s = pl->state;
  return s->wt[k];
}
