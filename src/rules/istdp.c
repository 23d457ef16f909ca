/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — istdp_global: inhibitory STDP (Vogels et al. 2011 type) gated by a
 * global factor, as the I->E rule of Zenke, Agnes & Gerstner (2015) in the
 * published code (github.com/fzenke/pub2015orchestrated,
 * src/GlobalPFConnection.cpp). For an I->E synapse j -> i:
 *
 *   pre arrival at t:  w += eta G(t) (z_post_i(t) + 1);   clip
 *   post spike at t:   w += eta G(t) z_pre_j(t);          clip
 *   G(t) = (nu(t) - kappa) / kappa,
 *
 * with traces z_pre, z_post (tau_stdp, +1 per spike) and nu the population
 * rate of the post (E) population: a trace with time constant tau_rate that
 * jumps by 1 / (N tau_rate) at every spike of any of its N neurons (so nu is
 * in Hz), starting at kappa. The published code's factor is
 * eta / (kappa N) (nu N - kappa N) = eta (nu - kappa) / kappa: G here, with
 * eta the same number. Both handlers read the traces and nu before the
 * handled spike is added (Auryn updates traces after propagating spikes).
 * Weights are clipped to [w_min, w_max].
 *
 * Every spike of the post population reaches this rule's on_post (the
 * scheduler tells every rule of a projection onto a population of each of
 * its spikes), so nu is kept here, as a third trace of the rule's bank
 * (IS_NU, one coefficient). Spikes are found lazily and may reach on_post
 * slightly out of time order across neurons: a spike adds its jump times
 * e^{(t - t0)/tau_rate} whatever the order (exact), and a read at t gives
 * every spike added so far decayed to t, so a spike at a later time that
 * was added already counts a little above its jump (an error of at most one
 * lookahead window's spikes, O(window / tau_rate)). */
#include <stdlib.h>

#include "rules/plastic.h"

enum {
  IS_TAU_STDP,
  IS_ETA,
  IS_KAPPA,
  IS_TAU_RATE,
  IS_W_MIN,
  IS_W_MAX,
  IS_N_PARAMS
};

static const evs_param_def is_params[IS_N_PARAMS] = {
    [IS_TAU_STDP] = {"tau_stdp", EVS_DIM_TIME, 20e-3, 0,
                     "decay time of the pre and post traces"},
    [IS_ETA] = {"eta", EVS_DIM_NONE, 0, EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED,
                "learning rate (published: 1e-3 / 50 for w in [0, 5])"},
    [IS_KAPPA] = {"kappa", EVS_DIM_RATE, 3, 0,
                  "target rate of the post population"},
    [IS_TAU_RATE] = {"tau_rate", EVS_DIM_TIME, 10, 0,
                     "time constant of the population rate estimate"},
    [IS_W_MIN] = {"w_min", EVS_DIM_NONE, 0, EVS_PARAM_WEIGHT,
                  "lower weight bound"},
    [IS_W_MAX] = {"w_max", EVS_DIM_NONE, 0,
                  EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED, "upper weight bound"},
};

typedef struct is_state {
  double eta;          /* internal weight units */
  double kappa;        /* Hz */
  double w_min, w_max; /* internal weight units */
  double jump;         /* Hz: 1 / (N tau_rate) */
  evs_trace_bank bank; /* traces IS_ZPRE, IS_ZPOST (tau_stdp), IS_NU */
  double *zpre;        /* [n_pre] coefficients */
  double *zpost;       /* [n_post] coefficients */
  double *nu;          /* [1] coefficient of the population rate (Hz) */
} is_state;

enum { IS_ZPRE, IS_ZPOST, IS_NU }; /* the bank's traces, as added */

static void is_destroy(evs_rule *pl) {
  is_state *s = pl->state;
  if (!s) return;
  evs__trace_bank_free(&s->bank);
  free(s);
  pl->state = NULL;
}

static int is_init(evs_rule *pl, evs_error *err) {
  const double *p = pl->par;
  int rc = evs__rule_check_set(pl, err);
  if (rc) return rc;
  if (!(p[IS_TAU_STDP] > 0))
    return evs__rule_fail(pl, err, "tau_stdp must be positive");
  if (!(p[IS_TAU_RATE] > 0))
    return evs__rule_fail(pl, err, "tau_rate must be positive");
  if (!(p[IS_KAPPA] > 0))
    return evs__rule_fail(pl, err, "kappa must be positive");
  if (!(p[IS_ETA] >= 0))
    return evs__rule_fail(pl, err, "eta must not be negative");
  if (!(p[IS_W_MIN] < p[IS_W_MAX]))
    return evs__rule_fail(pl, err, "w_min must lie below w_max");
  if ((rc = evs__rule_need_transpose(pl, err))) return rc;
  is_state *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  pl->state = s;
  const evs_csr *c = pl->proj->csr;
  s->eta = p[IS_ETA];
  s->kappa = p[IS_KAPPA];
  s->w_min = p[IS_W_MIN];
  s->w_max = p[IS_W_MAX];
  s->jump = 1 / ((c->n_post ? c->n_post : 1) * p[IS_TAU_RATE]);
  if (!(s->zpre = evs__trace_bank_add(&s->bank, c->n_pre, p[IS_TAU_STDP])) ||
      !(s->zpost =
            evs__trace_bank_add_post(&s->bank, c->n_post, p[IS_TAU_STDP])) ||
      !(s->nu = evs__trace_bank_add(&s->bank, 1, p[IS_TAU_RATE])))
    goto nomem;
  s->nu[0] = s->kappa; /* at t0 = 0 */
  return EVS_OK;
nomem:
  is_destroy(pl);
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "projection %s: rule %s: out of memory", pl->proj->name,
                       pl->type->name);
}

static inline double clip(double w, double lo, double hi) {
  return w < lo ? lo : (w > hi ? hi : w);
}

/* nu at t (see the top comment for spikes added out of order). */
static double rate_at(is_state *s, double t) {
  return s->nu[0] * evs__trace_decay(&s->bank, IS_NU, t);
}

double evs__istdp_rate(const evs_rule *pl, double t) {
  return rate_at(pl->state, t);
}

static void is_on_pre(evs_rule *pl, double t, uint32_t pre, uint64_t begin,
                      uint64_t end) {
  is_state *s = pl->state;
  evs_csr *c = pl->proj->csr;
  evs__trace_bank_advance(&s->bank, t);
  const double g = evs__trace_growth(&s->bank, IS_ZPRE, t); /* 1 / decay */
  const double eg = s->eta * (rate_at(s, t) - s->kappa) / s->kappa;
  const double d = eg / g; /* eta G per unit coefficient */
  const uint32_t *target = c->target;
  const double *Z = s->zpost;
  float *weight = c->weight;
  for (uint64_t k = begin; k < end; k++)
    weight[k] = (float)clip((double)weight[k] + d * Z[target[k]] + eg, s->w_min,
                            s->w_max);
  evs__trace_spike(&s->zpre[pre], g, 0);
}

static void is_on_post(evs_rule *pl, double t, uint32_t post) {
  is_state *s = pl->state;
  evs_csr *c = pl->proj->csr;
  evs__trace_bank_advance(&s->bank, t);
  const double g = evs__trace_growth(&s->bank, IS_ZPOST, t);
  const double d = s->eta * (rate_at(s, t) - s->kappa) / s->kappa / g;
  const uint32_t *pos = c->post_pos, *pre = c->post_pre;
  const double *Z = s->zpre;
  float *weight = c->weight;
  for (uint64_t q = c->post_ptr[post]; q < c->post_ptr[post + 1]; q++) {
    uint32_t k = pos[q];
    weight[k] =
        (float)clip((double)weight[k] + d * Z[pre[q]], s->w_min, s->w_max);
  }
  evs__trace_spike(&s->zpost[post], g, 0);
  /* the spike joins the population rate */
  s->nu[0] += s->jump * evs__trace_growth(&s->bank, IS_NU, t);
}

/* The post population's periodic event at t: the bank's rebase point. */
static void is_on_tick(evs_rule *pl, double t) {
  is_state *s = pl->state;
  evs__trace_bank_tick(&s->bank, t);
}

/* Not sliceable: nu hears every spike of the post population in the order
 * they are found, which depends on how the population is split. */
/* The traces, the population rate's estimate among them. */
static int is_checkpoint(evs_rule *pl, evs_ckpt *ck) {
  return evs__trace_bank_checkpoint(&((is_state *)pl->state)->bank, ck);
}

const evs_rule_type evs__rule_istdp_global = {
    .name = "istdp_global",
    .params = is_params,
    .n_params = IS_N_PARAMS,
    .init = is_init,
    .destroy = is_destroy,
    .on_pre = is_on_pre,
    .on_post = is_on_post,
    .on_tick = is_on_tick,
    .checkpoint = is_checkpoint,
};
