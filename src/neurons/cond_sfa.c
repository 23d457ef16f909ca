/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — IF_cond_exp_gsfa_grr: IF_cond_exp (cond.c) plus two
 * spike-triggered conductances, spike-frequency adaptation g_sfa and relative
 * refractoriness g_rr (PyNN's model; NEST's iaf_cond_exp_sfa_rr; Muller et
 * al. 2007), integrated on the population's clock.
 *
 *   cm dv/dt = g_L (v_rest - v) + g_e (e_rev_E - v) + g_i (e_rev_I - v)
 *              + g_sfa (e_rev_sfa - v) + g_rr (e_rev_rr - v)
 *              + i_offset + dc,                       g_L = cm / tau_m
 *   dg_e/dt = -g_e / tau_syn_E,   dg_i/dt = -g_i / tau_syn_I,
 *   dg_sfa/dt = -g_sfa / tau_sfa, dg_rr/dt = -g_rr / tau_rr;
 *   at a spike: g_sfa += q_sfa, g_rr += q_rr.
 *
 * One step from t - dt to t, in Brian2's order (as cond.c):
 *   1. v by exponential Euler with the four conductances of the step start
 *      held constant; a refractory neuron integrates only the part of the
 *      step after its refractory period (v stays at v_reset until then);
 *   2. the conductances decay by their precomputed exp(-dt / tau), then
 *      synaptic inputs that arrived strictly inside the step are added;
 *   3. v >= v_thresh: spike at t, v = v_reset, refractory until
 *      t + tau_refrac, g_sfa += q_sfa, g_rr += q_rr.
 * Input timing, the polynomial exp(-x) (cond_math.h), blocks, padding and
 * the AVX2 clones are those of cond.c. With q_sfa = q_rr = 0 the two extra
 * conductances stay exactly 0 and every operation reduces to cond.c's (adding
 * +-0 is exact), so the type then matches IF_cond_exp bit for bit.
 *
 * Every parameter but the initial values may change between the phases of
 * a run (sfa_change). Per-neuron initial values: neuron i draws from its stream
 * (seed, population, i, EVS_RNG_INIT), in this fixed order:
 * v_init, gsyn_exc_init, gsyn_inh_init. g_sfa and g_rr start at 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
  P_TAU_SFA,
  P_TAU_RR,
  P_V_REST,
  P_V_RESET,
  P_V_THRESH,
  P_E_REV_E,
  P_E_REV_I,
  P_E_REV_SFA,
  P_E_REV_RR,
  P_Q_SFA,
  P_Q_RR,
  P_I_OFFSET,
  P_V_INIT,
  P_GSYN_EXC_INIT,
  P_GSYN_INH_INIT,
  P_N_PARAMS
};

static const evs_param_def sfa_params[P_N_PARAMS] = {
    {"cm", EVS_DIM_CAPACITANCE, 1e-9, EVS_PARAM_CONST, "membrane capacitance"},
    {"tau_m", EVS_DIM_TIME, 20e-3, EVS_PARAM_CONST,
     "membrane time constant (leak conductance g_L = cm / tau_m)"},
    {"tau_syn_E", EVS_DIM_TIME, 5e-3, EVS_PARAM_CONST,
     "decay time constant of the excitatory conductance"},
    {"tau_syn_I", EVS_DIM_TIME, 5e-3, EVS_PARAM_CONST,
     "decay time constant of the inhibitory conductance"},
    {"tau_refrac", EVS_DIM_TIME, 0.1e-3, EVS_PARAM_CONST,
     "refractory period (v held at v_reset)"},
    {"tau_sfa", EVS_DIM_TIME, 100e-3, EVS_PARAM_CONST,
     "decay time constant of the adaptation conductance g_sfa"},
    {"tau_rr", EVS_DIM_TIME, 2e-3, EVS_PARAM_CONST,
     "decay time constant of the relative-refractory conductance g_rr"},
    {"v_rest", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_CONST,
     "leak reversal potential"},
    {"v_reset", EVS_DIM_VOLTAGE, -70e-3, EVS_PARAM_CONST, "reset potential"},
    {"v_thresh", EVS_DIM_VOLTAGE, -57e-3, EVS_PARAM_CONST, "spike threshold"},
    {"e_rev_E", EVS_DIM_VOLTAGE, 0.0, EVS_PARAM_CONST,
     "excitatory reversal potential"},
    {"e_rev_I", EVS_DIM_VOLTAGE, -75e-3, EVS_PARAM_CONST,
     "inhibitory reversal potential"},
    {"e_rev_sfa", EVS_DIM_VOLTAGE, -75e-3, EVS_PARAM_CONST,
     "reversal potential of the adaptation conductance"},
    {"e_rev_rr", EVS_DIM_VOLTAGE, -75e-3, EVS_PARAM_CONST,
     "reversal potential of the relative-refractory conductance"},
    {"q_sfa", EVS_DIM_CONDUCTANCE, 15e-9, EVS_PARAM_CONST,
     "increment of g_sfa at each spike"},
    {"q_rr", EVS_DIM_CONDUCTANCE, 3000e-9, EVS_PARAM_CONST,
     "increment of g_rr at each spike"},
    {"i_offset", EVS_DIM_CURRENT, 0.0, EVS_PARAM_CONST,
     "constant injected current"},
    {"v_init", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_PER_NEURON,
     "initial membrane potential"},
    {"gsyn_exc_init", EVS_DIM_CONDUCTANCE, 0.0, EVS_PARAM_PER_NEURON,
     "initial excitatory conductance"},
    {"gsyn_inh_init", EVS_DIM_CONDUCTANCE, 0.0, EVS_PARAM_PER_NEURON,
     "initial inhibitory conductance"},
};

static const int sfa_positive[] = {P_CM,        P_TAU_M,   P_TAU_SYN_E,
                                   P_TAU_SYN_I, P_TAU_SFA, P_TAU_RR};
static const int sfa_nonneg[] = {P_TAU_REFRAC, P_Q_SFA, P_Q_RR};

static const evs__cond_layout sfa_layout = {
    .type = "IF_cond_exp_gsfa_grr",
    .params = sfa_params,
    .positive = sfa_positive,
    .n_positive = sizeof sfa_positive / sizeof sfa_positive[0],
    .nonneg = sfa_nonneg,
    .n_nonneg = sizeof sfa_nonneg / sizeof sfa_nonneg[0],
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

typedef struct sfa_state {
  evs__cond_base c; /* IF_cond_exp's state (first: pop->state points to it) */
  double *gs, *gr;  /* S, g_sfa and g_rr at the state time, [c.cap] each */
  double e_s, e_r;  /* V, reversal potentials of g_sfa, g_rr */
  double q_s, q_r;  /* S, spike-triggered increments */
  double ds, dr;    /* exp(-dt / tau_sfa), exp(-dt / tau_rr) */
} sfa_state;

static void sfa_destroy(evs_pop *pop) {
  sfa_state *s = pop->state;
  if (!s) return;
  free(s->gs);
  free(s->gr);
  evs__cond_destroy(pop);
}

/* The constants beyond the conductance base's (evs__cond_init derives
 * those, the step s->c.dt among them) from the parameters p. */
static void derive(const double *p, sfa_state *s) {
  s->e_s = p[P_E_REV_SFA];
  s->e_r = p[P_E_REV_RR];
  s->q_s = p[P_Q_SFA];
  s->q_r = p[P_Q_RR];
  s->ds = exp(-s->c.dt / p[P_TAU_SFA]);
  s->dr = exp(-s->c.dt / p[P_TAU_RR]);
}

static int sfa_init(evs_pop *pop, evs_error *err) {
  int rc = evs__cond_init(pop, &sfa_layout, sizeof(sfa_state), err);
  if (rc) return rc;
  const double *p = pop->par;
  sfa_state *s = pop->state;
  /* calloc: g_sfa and g_rr start at 0 */
  s->gs = calloc(s->c.cap, sizeof(double));
  s->gr = calloc(s->c.cap, sizeof(double));
  if (!s->gs || !s->gr) return evs__cond_nomem(pop, err);
  derive(p, s);
  return EVS_OK;
}

/* Before a change after the build (core/neuron_type.h): the initial
 * values are refused, the rest checked as init checks them. */
static int sfa_check_change(const evs_pop *next, int k, evs_error *err) {
  return evs__cond_check_change(next, k, &sfa_layout, err);
}

/* Parameter k changed (evs_neuron_type.change): from the state time (the
 * last tick) the steps take the constants derived anew; v and the four
 * conductances are kept, the drive moves with g_L v_rest + i_offset
 * (evs__cond_change); a refractory period begun ends as it began; q_sfa and
 * q_rr act at the spikes after the change. A value set to itself changes
 * nothing. */
static int sfa_change(evs_pop *pop, const evs_pop *old, int k, double t) {
  (void)t;
  if (pop->par[k] == old->par[k]) return EVS_OK;
  evs__cond_change(pop, old, &sfa_layout);
  derive(pop->par, pop->state);
  return EVS_OK;
}

/* Pass 1 over one block: ex[i] = exp(-h g_tot / cm), h the part of the step
 * (t0, t0 + dt] in which neuron i is not refractory; nonzero when some
 * argument fell outside [0, COND_XMAX] or was NaN (exp_neg_checked).
 * g_tot sums in cond.c's order, then g_sfa, g_rr. */
COND_CLONES
static int sfa_pass_exp(double *restrict ex, const double *restrict until,
                        const double *restrict ge, const double *restrict gi,
                        const double *restrict gs, const double *restrict gr,
                        double t0, double dt, double g_l, double inv_cm,
                        uint64_t lim) {
  uint64_t acc = 0;
  for (uint32_t i = 0; i < COND_BLOCK; i++) {
    double x = free_time(until[i], t0, dt) *
               (g_l + ge[i] + gi[i] + gs[i] + gr[i]) * inv_cm;
    ex[i] = exp_neg_checked(x, lim, &acc);
  }
  return (int)(acc >> 63);
}

/* Pass 2 over one block: v by exponential Euler, then the conductances decay
 * and g_e, g_i take the pending inputs (pe, pi NULL: none). Returns nonzero
 * when some v may have reached v_thresh (threshold_bit). */
COND_CLONES
static int sfa_pass_v(double *restrict v, double *restrict ge,
                      double *restrict gi, double *restrict gs,
                      double *restrict gr, double *restrict pe,
                      double *restrict pi, const double *restrict ib,
                      const double *restrict ex, const sfa_state *c) {
  const double g_l = c->c.g_l, e_e = c->c.e_e, e_i = c->c.e_i, e_s = c->e_s,
               e_r = c->e_r, de = c->c.de, di = c->c.di, ds = c->ds, dr = c->dr,
               vth = c->c.v_thresh;
  uint64_t acc = 0;
  if (pe) {
    for (uint32_t i = 0; i < COND_BLOCK; i++) {
      double a = ge[i], b = gi[i], cs = gs[i], cr = gr[i];
      double vinf = (ib[i] + a * e_e + b * e_i + cs * e_s + cr * e_r) /
                    (g_l + a + b + cs + cr);
      v[i] = vinf + (v[i] - vinf) * ex[i];
      acc |= threshold_bit(v[i], vth);
      ge[i] = a * de + pe[i];
      gi[i] = b * di + pi[i];
      gs[i] = cs * ds;
      gr[i] = cr * dr;
      pe[i] = 0;
      pi[i] = 0;
    }
  } else {
    for (uint32_t i = 0; i < COND_BLOCK; i++) {
      double a = ge[i], b = gi[i], cs = gs[i], cr = gr[i];
      double vinf = (ib[i] + a * e_e + b * e_i + cs * e_s + cr * e_r) /
                    (g_l + a + b + cs + cr);
      v[i] = vinf + (v[i] - vinf) * ex[i];
      acc |= threshold_bit(v[i], vth);
      ge[i] = a * de;
      gi[i] = b * di;
      gs[i] = cs * ds;
      gr[i] = cr * dr;
    }
  }
  return (int)(acc >> 63);
}

/* One step of the block of COND_BLOCK neurons starting at lo, from t - dt to
 * t; only the m real neurons can spike. */
static int sfa_step_block(evs_pop *pop, double t, uint32_t lo, uint32_t m) {
  sfa_state *s = pop->state;
  const evs__cond_base *c = &s->c;
  double ex[COND_BLOCK];
  double *v = c->v + lo, *ge = c->ge + lo, *gi = c->gi + lo;
  double *gs = s->gs + lo, *gr = s->gr + lo, *until = c->until + lo;
  const double t0 = t - c->dt;

  if (sfa_pass_exp(ex, until, ge, gi, gs, gr, t0, c->dt, c->g_l, c->inv_cm,
                   c->xmax_bits)) { /* rare: very strong or negative g_tot */
    for (uint32_t i = 0; i < COND_BLOCK; i++) {
      double x = free_time(until[i], t0, c->dt) *
                 (c->g_l + ge[i] + gi[i] + gs[i] + gr[i]) * c->inv_cm;
      exp_neg_exact(&ex[i], x);
    }
  }
  if (!sfa_pass_v(v, ge, gi, gs, gr, c->pending ? c->pe + lo : NULL,
                  c->pending ? c->pi + lo : NULL, c->ib + lo, ex, s))
    return EVS_OK; /* no v reached threshold */
  /* pass 3: threshold (spikes are rare: a predictable branch) */
  const double vth = c->v_thresh;
  for (uint32_t i = 0; i < m; i++) {
    if (v[i] >= vth) {
      int rc = evs__pop_emit(pop, t, lo + i);
      if (rc) return rc;
      v[i] = c->v_reset;
      until[i] = t + c->tau_refrac;
      gs[i] += s->q_s;
      gr[i] += s->q_r;
    }
  }
  return EVS_OK;
}

static int sfa_tick(evs_pop *pop, double t) {
  return evs__cond_tick(pop, t, sfa_step_block);
}

void evs__cond_sfa_probe(const evs_pop *pop, uint32_t id, double *g_sfa,
                         double *g_rr) {
  const sfa_state *s = pop->state;
  if (g_sfa) *g_sfa = s->gs[id];
  if (g_rr) *g_rr = s->gr[id];
}

static const evs_recordable sfa_recordables[] = {
    {"gsyn_exc", "S"}, {"gsyn_inh", "S"}, {"g_sfa", "S"}, {"g_rr", "S"}};

static double sfa_state_of(evs_pop *pop, uint32_t id, double t, int var) {
  if (var < 2) return evs__cond_state(pop, id, t, var);
  const sfa_state *s = pop->state;
  return var == 2 ? s->gs[id] : s->gr[id];
}

/* The base's state and the adaptation conductances. */
static int sfa_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  sfa_state *s = pop->state;
  evs__cond_checkpoint(pop, ck);
  evs_ckpt_neurons(ck, s->gs, pop->size, sizeof *s->gs);
  return evs_ckpt_neurons(ck, s->gr, pop->size, sizeof *s->gr);
}

const evs_neuron_type evs__if_cond_exp_gsfa_grr = {
    .name = "IF_cond_exp_gsfa_grr",
    .kind = EVS_POP_CLOCKED,
    .params = sfa_params,
    .n_params = P_N_PARAMS,
    .weight_scale = evs__cond_weight_scale,
    .init = sfa_init,
    .destroy = sfa_destroy,
    .deliver = evs__cond_deliver,
    .deliver16 = evs__cond_deliver16,
    .tick = sfa_tick,
    .voltage = evs__cond_voltage,
    .dc_scale = evs__cond_dc_scale,
    .sliceable = 1,
    .inject = evs__cond_inject,
    .recordables = sfa_recordables,
    .n_recordables = 4,
    .state = sfa_state_of,
    .check_change = sfa_check_change,
    .change = sfa_change,
    .checkpoint = sfa_checkpoint,
};
