/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — EIF_cond_exp_isfa_ista: the adaptive exponential integrate-and-fire
 * neuron (AdEx; Brette & Gerstner 2005) with exponentially decaying
 * conductances, PyNN's standard cell (NEST's aeif_cond_exp), integrated on the
 * population's clock.
 *
 *   cm dv/dt = g_L (v_rest - v) + g_L delta_T exp((v - v_thresh) / delta_T)
 *              + g_e (e_rev_E - v) + g_i (e_rev_I - v) - w + i_offset + dc,
 *   tau_w dw/dt = a (v - v_rest) - w,                 g_L = cm / tau_m,
 *   dg_e/dt = -g_e / tau_syn_E,   dg_i/dt = -g_i / tau_syn_I;
 *   v >= v_spike: a spike, v = v_reset, w += b, v held at v_reset for
 *   tau_refrac (w keeps evolving, as in NEST).
 *
 * v_thresh is the exponential term's soft threshold V_T; v_spike the cut-off
 * at which a spike is detected (NEST's V_peak).
 *
 * One step from t0 = t - dt to t:
 *   1. (v, w) by the classical fourth-order Runge-Kutta method over the step,
 *      with g_e, g_i following their exact decay inside it (the stages see
 *      g exp(-s / tau_syn) at s = 0, dt/2, dt). The right-hand side evaluates
 *      every term at min(v, v_spike), as NEST does, so the exponential term is
 *      bounded by g_L delta_T exp((v_spike - v_thresh) / delta_T) and a stage
 *      that overshoots v_spike cannot overflow. A neuron refractory for the
 *      first r of the step keeps v = v_reset there while w relaxes exactly
 *      towards a (v_reset - v_rest); Runge-Kutta then covers the rest dt - r.
 *   2. g_e, g_i decay by exp(-dt / tau_syn) (precomputed), then inputs that
 *      arrived strictly inside the step are added (as cond.c).
 *   3. v >= v_spike: spike at t, v = v_reset, w += b, refractory until
 *      t + tau_refrac.
 * With the defaults at dt = 0.1 ms the stiffest rate, d(dv/dt)/dv at v_spike
 * ~ exp(5.2) / tau_m ~ 19 /ms, gives h lambda ~ 1.9, inside RK4's stability
 * interval (2.78); at coarser steps use a finer resolution.
 *
 * Input timing (deliver), the constant drive, weights (conductances) and DC
 * (currents) are those of the conductance types (cond.c, cond_math.h), whose
 * shared state this type extends with w.
 *
 * Every parameter may differ between neurons (the step reads each neuron's
 * own constants). Per-neuron values: neuron i draws from its stream
 * (seed, population, i, EVS_RNG_INIT), in this fixed order:
 * v_init, gsyn_exc_init, gsyn_inh_init, then the parameters in table order
 * from tau_w to b (tau_w, delta_T, tau_refrac, v_rest, v_reset, v_thresh,
 * v_spike, e_rev_E, e_rev_I, a, b), then cm, tau_m, tau_syn_E, tau_syn_I,
 * i_offset (so that the draws of the parameters that could differ first
 * are as they were). w starts at 0 (PyNN's default). Every parameter but the initial values
 * may change between the phases of a run (adex_change). */
#include <math.h>
#include <stdlib.h>

#include "neurons/adex.h"
#include "neurons/cond_math.h"
#include "core/net_impl.h"
#include "neurons/types.h"

/* Positions in the parameter table below (par[], dist[] use them). The
 * voltages, a, b and i_offset (v_rest .. i_offset) are contiguous: the shared
 * checks require them finite. */
enum {
  P_CM,
  P_TAU_M,
  P_TAU_SYN_E,
  P_TAU_SYN_I,
  P_TAU_W,
  P_DELTA_T,
  P_TAU_REFRAC,
  P_V_REST,
  P_V_RESET,
  P_V_THRESH,
  P_V_SPIKE,
  P_E_REV_E,
  P_E_REV_I,
  P_A,
  P_B,
  P_I_OFFSET,
  P_V_INIT,
  P_GSYN_EXC_INIT,
  P_GSYN_INH_INIT,
  P_N_PARAMS
};

/* PyNN 0.10's defaults (pyNN/standardmodels/cells.py), in SI. */
static const evs_param_def adex_params[P_N_PARAMS] = {
    {"cm", EVS_DIM_CAPACITANCE, 0.281e-9, EVS_PARAM_PER_NEURON,
     "membrane capacitance"},
    {"tau_m", EVS_DIM_TIME, 9.3667e-3, EVS_PARAM_PER_NEURON,
     "membrane time constant (leak conductance g_L = cm / tau_m)"},
    {"tau_syn_E", EVS_DIM_TIME, 5e-3, EVS_PARAM_PER_NEURON,
     "decay time constant of the excitatory conductance"},
    {"tau_syn_I", EVS_DIM_TIME, 5e-3, EVS_PARAM_PER_NEURON,
     "decay time constant of the inhibitory conductance"},
    {"tau_w", EVS_DIM_TIME, 144e-3, EVS_PARAM_PER_NEURON,
     "time constant of the adaptation current w"},
    {"delta_T", EVS_DIM_VOLTAGE, 2e-3, EVS_PARAM_PER_NEURON,
     "slope factor of the exponential term"},
    {"tau_refrac", EVS_DIM_TIME, 0.1e-3, EVS_PARAM_PER_NEURON,
     "refractory period (v held at v_reset)"},
    {"v_rest", EVS_DIM_VOLTAGE, -70.6e-3, EVS_PARAM_PER_NEURON,
     "leak reversal potential"},
    {"v_reset", EVS_DIM_VOLTAGE, -70.6e-3, EVS_PARAM_PER_NEURON,
     "reset potential"},
    {"v_thresh", EVS_DIM_VOLTAGE, -50.4e-3, EVS_PARAM_PER_NEURON,
     "spike initiation threshold V_T of the exponential term"},
    {"v_spike", EVS_DIM_VOLTAGE, -40e-3, EVS_PARAM_PER_NEURON,
     "spike detection cut-off: a spike when v reaches it"},
    {"e_rev_E", EVS_DIM_VOLTAGE, 0.0, EVS_PARAM_PER_NEURON,
     "excitatory reversal potential"},
    {"e_rev_I", EVS_DIM_VOLTAGE, -80e-3, EVS_PARAM_PER_NEURON,
     "inhibitory reversal potential"},
    {"a", EVS_DIM_CONDUCTANCE, 4e-9, EVS_PARAM_PER_NEURON,
     "subthreshold adaptation conductance"},
    {"b", EVS_DIM_CURRENT, 0.0805e-9, EVS_PARAM_PER_NEURON,
     "spike-triggered adaptation: w jumps by b at each spike"},
    {"i_offset", EVS_DIM_CURRENT, 0.0, EVS_PARAM_PER_NEURON,
     "constant injected current"},
    {"v_init", EVS_DIM_VOLTAGE, -70.6e-3, EVS_PARAM_PER_NEURON,
     "initial membrane potential"},
    {"gsyn_exc_init", EVS_DIM_CONDUCTANCE, 0.0, EVS_PARAM_PER_NEURON,
     "initial excitatory conductance"},
    {"gsyn_inh_init", EVS_DIM_CONDUCTANCE, 0.0, EVS_PARAM_PER_NEURON,
     "initial inhibitory conductance"},
};

static const int adex_positive[] = {P_CM,        P_TAU_M, P_TAU_SYN_E,
                                    P_TAU_SYN_I, P_TAU_W, P_DELTA_T};
static const int adex_nonneg[] = {P_TAU_REFRAC};

/* The shared layout's v_thresh is the detection threshold: v_spike. */
static const evs__cond_layout adex_layout = {
    .type = "EIF_cond_exp_isfa_ista",
    .params = adex_params,
    .positive = adex_positive,
    .n_positive = sizeof adex_positive / sizeof adex_positive[0],
    .nonneg = adex_nonneg,
    .n_nonneg = sizeof adex_nonneg / sizeof adex_nonneg[0],
    .cm = P_CM,
    .tau_m = P_TAU_M,
    .tau_syn_e = P_TAU_SYN_E,
    .tau_syn_i = P_TAU_SYN_I,
    .tau_refrac = P_TAU_REFRAC,
    .v_rest = P_V_REST,
    .v_reset = P_V_RESET,
    .v_thresh = P_V_SPIKE,
    .e_rev_e = P_E_REV_E,
    .e_rev_i = P_E_REV_I,
    .i_offset = P_I_OFFSET,
    .v_init = P_V_INIT,
    .gsyn_exc_init = P_GSYN_EXC_INIT,
    .gsyn_inh_init = P_GSYN_INH_INIT,
};

/* One neuron's parameters and their derived constants (every parameter may
 * differ between neurons). */
typedef struct adex_own {
  double v_t;          /* V, v_thresh (V_T) */
  double delta_t;      /* V, slope factor */
  double inv_delta_t;  /* 1/V */
  double a;            /* S, subthreshold adaptation */
  double b;            /* A, spike-triggered jump of w */
  double tau_w;        /* s */
  double dw;           /* exp(-dt / tau_w): w's relaxation over a held step */
  double g_l;          /* S, cm / tau_m */
  double inv_cm;       /* 1/F */
  double e_l;          /* V, v_rest */
  double e_e, e_i;     /* V, synaptic reversal potentials */
  double v_reset;      /* V */
  double v_spike;      /* V, the detection cut-off */
  double tau_refrac;   /* s */
  double tau_e, tau_i; /* s, tau_syn_E, tau_syn_I */
  double de, di;       /* exp(-dt / tau_syn): g's decay over a step */
  double de_h, di_h;   /* exp(-dt / (2 tau_syn)): g at the step's middle */
} adex_own;

typedef struct adex_state {
  evs__cond_base c; /* the conductance state (first: pop->state points to
                       it); its constants are the population's, the steps
                       use each neuron's (own) */
  double *w;        /* A, adaptation current at the state time, [c.cap] */
  adex_own *own;    /* each neuron's, [c.cap] */
} adex_state;

static void adex_destroy(evs_pop *pop) {
  adex_state *s = pop->state;
  if (!s) return;
  free(s->w);
  free(s->own);
  evs__cond_destroy(pop);
}

/* Neuron i's parameters (SI, x[P_CM .. P_I_OFFSET]) checked: the time
 * constants, cm and delta_T positive, tau_refrac >= 0, every one finite,
 * v_reset and v_thresh below v_spike. -1 when they are valid, else the
 * index of the first bad one, its complaint in *why. */
static int bad_own(const double *x, const char **why) {
  for (int k = P_CM; k <= P_I_OFFSET; k++)
    if (!isfinite(x[k])) return *why = "must be finite", k;
  static const int positive[] = {P_CM,        P_TAU_M, P_TAU_SYN_E,
                                 P_TAU_SYN_I, P_TAU_W, P_DELTA_T};
  for (size_t k = 0; k < sizeof positive / sizeof *positive; k++)
    if (!(x[positive[k]] > 0)) return *why = "must be positive", positive[k];
  if (!(x[P_TAU_REFRAC] >= 0)) return *why = "must be >= 0", P_TAU_REFRAC;
  if (!(x[P_V_RESET] < x[P_V_SPIKE]))
    return *why = "must be below v_spike", P_V_RESET;
  if (!(x[P_V_THRESH] < x[P_V_SPIKE]))
    return *why = "must be below v_spike", P_V_THRESH;
  return -1;
}

/* Neuron i's parameters into x[P_CM .. P_I_OFFSET] (evs__pop_value from
 * its stream (seed, population, i, EVS_RNG_INIT), after its initial
 * values, in the order tau_w .. b (table order), cm .. tau_syn_I,
 * i_offset). */
static void read_own(const evs_pop *pop, uint32_t i, double x[P_N_PARAMS]) {
  evs_rng r;
  evs_rng_init(&r, pop->seed, pop->index, pop->first + i, EVS_RNG_INIT);
  for (int k = P_V_INIT; k <= P_GSYN_INH_INIT; k++) /* drawn before */
    (void)evs__pop_value(pop, k, i, &r);
  for (int k = P_TAU_W; k <= P_B; k++) x[k] = evs__pop_value(pop, k, i, &r);
  for (int k = P_CM; k <= P_TAU_SYN_I; k++)
    x[k] = evs__pop_value(pop, k, i, &r);
  x[P_I_OFFSET] = evs__pop_value(pop, P_I_OFFSET, i, &r);
}

/* Neuron i's constant drive without dc: g_L v_rest + i_offset, of its
 * parameters x. */
static double own_drive(const double *x) {
  return x[P_CM] / x[P_TAU_M] * x[P_V_REST] + x[P_I_OFFSET];
}

/* Every neuron's parameters (read_own), checked (bad_own). EVS_OK or
 * EVS_EMODEL naming neuron and key. With s, their constants into s->own
 * as well (the step dt: s->c.dt). */
static int own_params(const evs_pop *pop, adex_state *s, evs_error *err) {
  for (uint32_t i = 0; i < pop->size; i++) {
    double x[P_N_PARAMS];
    read_own(pop, i, x);
    const char *why = NULL;
    int bad = bad_own(x, &why);
    if (bad >= 0) {
      evs_error_set(err, EVS_EMODEL, NULL, 0,
                    "population %s: neuron %u: %s %s (got %g)", pop->name,
                    (unsigned)(pop->first + i), adex_params[bad].name, why,
                    x[bad]);
      evs_error_key(err, adex_params[bad].name);
      return EVS_EMODEL;
    }
    if (!s) continue;
    const double dt = s->c.dt;
    adex_own *o = &s->own[i];
    o->v_t = x[P_V_THRESH];
    o->delta_t = x[P_DELTA_T];
    o->inv_delta_t = 1.0 / x[P_DELTA_T];
    o->a = x[P_A];
    o->b = x[P_B];
    o->tau_w = x[P_TAU_W];
    o->dw = exp(-dt / o->tau_w);
    o->g_l = x[P_CM] / x[P_TAU_M];
    o->inv_cm = 1.0 / x[P_CM];
    o->e_l = x[P_V_REST];
    o->e_e = x[P_E_REV_E];
    o->e_i = x[P_E_REV_I];
    o->v_reset = x[P_V_RESET];
    o->v_spike = x[P_V_SPIKE];
    o->tau_refrac = x[P_TAU_REFRAC];
    o->tau_e = x[P_TAU_SYN_E];
    o->tau_i = x[P_TAU_SYN_I];
    o->de = exp(-dt / o->tau_e);
    o->di = exp(-dt / o->tau_i);
    o->de_h = exp(-0.5 * dt / o->tau_e);
    o->di_h = exp(-0.5 * dt / o->tau_i);
  }
  return EVS_OK;
}

/* The checks of the population's values beyond the conductance base's,
 * made first, so that the base's "below v_thresh" (its v_thresh being
 * v_spike here) cannot be the one to fire: v_reset and v_thresh below
 * v_spike. EVS_OK or EVS_EMODEL at the key. */
static int adex_check(const evs_pop *pop, evs_error *err) {
  const double *p = pop->par;
  static const struct {
    int lo, hi;
  } order[] = {{P_V_RESET, P_V_SPIKE}, {P_V_THRESH, P_V_SPIKE}};
  for (size_t k = 0; k < 2; k++) {
    double lo = p[order[k].lo], hi = p[order[k].hi];
    if (isfinite(lo) && isfinite(hi) && !(lo < hi)) {
      const char *name = adex_params[order[k].lo].name;
      evs_error_set(err, EVS_EMODEL, NULL, 0,
                    "population %s: %s (%g mV) must be below v_spike "
                    "(%g mV)",
                    pop->name, name, lo * 1e3, hi * 1e3);
      evs_error_key(err, name);
      return EVS_EMODEL;
    }
  }
  return EVS_OK;
}

static int adex_init(evs_pop *pop, evs_error *err) {
  int rc = adex_check(pop, err);
  if (rc || (rc = evs__cond_init(pop, &adex_layout, sizeof(adex_state), err)))
    return rc;
  adex_state *s = pop->state;
  s->w = calloc(s->c.cap, sizeof(double)); /* w starts at 0 */
  s->own = calloc(s->c.cap, sizeof *s->own);
  if (!s->w || !s->own) return evs__cond_nomem(pop, err);
  if ((rc = own_params(pop, s, err))) return rc;
  for (uint32_t i = 0; i < pop->size; i++) { /* each neuron's drive */
    double x[P_N_PARAMS];
    read_own(pop, i, x);
    s->c.ib[i] = own_drive(x) + (pop->dc ? pop->dc[i] : 0.0); /* dc: A */
  }
  return EVS_OK;
}

/* Before a change after the build (core/neuron_type.h): the initial values
 * are refused, the rest checked as init checks them, each neuron's own
 * parameters too. */
static int adex_check_change(const evs_pop *next, int k, evs_error *err) {
  if (k >= P_V_INIT)
    return evs__bad_param(next, k,
                          "is a value at t = 0: it cannot change once the "
                          "net is built",
                          err);
  int rc = adex_check(next, err);
  if (rc || (rc = evs__cond_check(next, &adex_layout, err))) return rc;
  return own_params(next, NULL, err);
}

/* Parameter k changed (evs_neuron_type.change): from the state time (the
 * last tick) the steps take the constants derived anew, the population's
 * and each neuron's own; v, w and the conductances are kept, the drive
 * moves with g_L v_rest + i_offset (evs__cond_change); a refractory period
 * begun ends as it began; b acts at the spikes after the change. A value
 * set to itself changes nothing. */
static int adex_change(evs_pop *pop, const evs_pop *old, int k, double t) {
  (void)t;
  int each = evs__pop_varies(pop, k) || evs__pop_varies(old, k);
  if (!each && pop->par[k] == old->par[k]) return EVS_OK;
  adex_state *s = pop->state;
  for (uint32_t i = 0; i < pop->size; i++) {
    double x[P_N_PARAMS], y[P_N_PARAMS];
    read_own(pop, i, x);
    read_own(old, i, y);
    double d = own_drive(x) - own_drive(y);
    if (d != 0) s->c.ib[i] += d;
  }
  evs__cond_derive(pop->par, &adex_layout, s->c.dt, &s->c);
  (void)own_params(pop, s, NULL); /* checked by adex_check_change */
  return EVS_OK;
}

/* The right-hand side at (v, w) of a neuron with own parameters o, with
 * conductances ge, gi and constant drive ib = g_L v_rest + i_offset + dc:
 * dv/dt (V/s) into *fv, dw/dt (A/s) into *fw. Every term sees min(v,
 * v_spike) (bounded exponential). */
static inline void adex_rhs(const adex_own *o, double v, double w, double ge,
                            double gi, double ib, double *fv, double *fw) {
  double u = v < o->v_spike ? v : o->v_spike;
  double ex = o->g_l * o->delta_t * exp((u - o->v_t) * o->inv_delta_t);
  *fv = (ib - o->g_l * u + ex + ge * (o->e_e - u) + gi * (o->e_i - u) - w) *
        o->inv_cm;
  *fw = (o->a * (u - o->e_l) - w) / o->tau_w;
}

/* Classical RK4 for (v, w) of a neuron with own parameters o over h, the
 * conductances starting at ge, gi and multiplied by fe_h, fi_h at h/2 and
 * fe, fi at h. */
static void adex_rk4(const adex_own *o, double *v, double *w, double ge,
                     double gi, double ib, double h, double fe_h, double fi_h,
                     double fe, double fi) {
  double v0 = *v, w0 = *w, k1v, k1w, k2v, k2w, k3v, k3w, k4v, k4w;
  double gem = ge * fe_h, gim = gi * fi_h;
  adex_rhs(o, v0, w0, ge, gi, ib, &k1v, &k1w);
  adex_rhs(o, v0 + 0.5 * h * k1v, w0 + 0.5 * h * k1w, gem, gim, ib, &k2v, &k2w);
  adex_rhs(o, v0 + 0.5 * h * k2v, w0 + 0.5 * h * k2w, gem, gim, ib, &k3v, &k3w);
  adex_rhs(o, v0 + h * k3v, w0 + h * k3w, ge * fe, gi * fi, ib, &k4v, &k4w);
  *v = v0 + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v);
  *w = w0 + h / 6 * (k1w + 2 * k2w + 2 * k3w + k4w);
}

/* One step of the neurons lo .. lo + m from t - dt to t (the padding of the
 * block is never stepped: nothing reads it). */
static int adex_step_block(evs_pop *pop, double t, uint32_t lo, uint32_t m) {
  adex_state *s = pop->state;
  evs__cond_base *c = &s->c;
  const double dt = c->dt, t0 = t - dt;
  for (uint32_t i = lo; i < lo + m; i++) {
    const adex_own *o = &s->own[i];
    double ge = c->ge[i], gi = c->gi[i];
    double r = c->until[i] - t0; /* refractory part of the step */
    if (r <= c->eps) {           /* the common case: free all step */
      adex_rk4(o, &c->v[i], &s->w[i], ge, gi, c->ib[i], dt, o->de_h, o->di_h,
               o->de, o->di);
    } else {
      if (r > dt) r = dt;
      /* v held at v_reset: w relaxes exactly towards a (v_reset - v_rest) */
      double w_inf = o->a * (o->v_reset - o->e_l);
      double fw = r >= dt - c->eps ? o->dw : exp(-r / o->tau_w);
      s->w[i] = w_inf + (s->w[i] - w_inf) * fw;
      double h = dt - r;
      if (h > c->eps) {
        double ge1 = ge * exp(-r / o->tau_e), gi1 = gi * exp(-r / o->tau_i);
        adex_rk4(o, &c->v[i], &s->w[i], ge1, gi1, c->ib[i], h,
                 exp(-0.5 * h / o->tau_e), exp(-0.5 * h / o->tau_i),
                 exp(-h / o->tau_e), exp(-h / o->tau_i));
      }
    }
    ge *= o->de;
    gi *= o->di;
    if (c->pending) {
      ge += c->pe[i];
      gi += c->pi[i];
      c->pe[i] = c->pi[i] = 0;
    }
    c->ge[i] = ge;
    c->gi[i] = gi;
    if (c->v[i] >= o->v_spike) {
      int rc = evs__pop_emit(pop, t, i);
      if (rc) return rc;
      c->v[i] = o->v_reset;
      s->w[i] += o->b;
      c->until[i] = t + o->tau_refrac;
    }
  }
  return EVS_OK;
}

static int adex_tick(evs_pop *pop, double t) {
  return evs__cond_tick(pop, t, adex_step_block);
}

double evs__adex_w(const evs_pop *pop, uint32_t id) {
  const adex_state *s = pop->state;
  return s->w[id];
}

static const evs_recordable adex_recordables[] = {
    {"gsyn_exc", "S"}, {"gsyn_inh", "S"}, {"w", "A"}};

static double adex_state_of(evs_pop *pop, uint32_t id, double t, int var) {
  return var < 2 ? evs__cond_state(pop, id, t, var) : evs__adex_w(pop, id);
}

/* The base's state and the adaptation current. */
static int adex_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  adex_state *s = pop->state;
  evs__cond_checkpoint(pop, ck);
  return evs_ckpt_neurons(ck, s->w, pop->size, sizeof *s->w);
}

const evs_neuron_type evs__eif_cond_exp_isfa_ista = {
    .name = "EIF_cond_exp_isfa_ista",
    .kind = EVS_POP_CLOCKED,
    .params = adex_params,
    .n_params = P_N_PARAMS,
    .weight_scale = evs__cond_weight_scale,
    .init = adex_init,
    .destroy = adex_destroy,
    .deliver = evs__cond_deliver,
    .deliver16 = evs__cond_deliver16,
    .tick = adex_tick,
    .voltage = evs__cond_voltage,
    .dc_scale = evs__cond_dc_scale,
    .sliceable = 1,
    .inject = evs__cond_inject,
    .recordables = adex_recordables,
    .n_recordables = 3,
    .state = adex_state_of,
    .check_change = adex_check_change,
    .change = adex_change,
    .checkpoint = adex_checkpoint,
};
