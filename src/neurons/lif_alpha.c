/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — IF_curr_alpha: the exact, event-driven current-based LIF neuron
 * with alpha-shaped synaptic currents (PyNN's IF_curr_alpha, NEST's
 * iaf_psc_alpha).
 *
 *   tau_m dv/dt = -(v - v_rest) + x_E + x_I + R (i_offset + dc)
 *   x_k(s) = w (e/tau_k) s exp(-s/tau_k)   after an input of weight w
 *
 * with x in volts (R I, R = tau_m / cm): an input of weight w gives a
 * current that peaks at w, tau_k after the input. Between inputs
 *
 *   v(t) - v_thresh = D + c_m E_m(t) + sum_k (c_k + d_k (t - t0)) E_k(t),
 *   E_k(t) = exp(-(t - t0)/tau_k),
 *
 * against one population-wide reference time t0, D = v_rest + R (i_offset
 * + dc) - v_thresh. With beta = 1/tau_m, alpha_k = 1/tau_k, gamma_k =
 * alpha_k - beta, an input of weight w at t (tau0 = t - t0) answers, s
 * later, with  K w (e^{-beta s} - e^{-alpha_k s} (1 + gamma_k s)),
 * K = beta e alpha_k / gamma_k^2, so it adds
 *   K w / E_m(t)  to c_m,   -K w (1 - gamma_k tau0) / E_k(t)  to c_k,
 *   -K w gamma_k / E_k(t)  to d_k:
 * three multiply-adds per synapse with factors shared by the delivery, no
 * exp() per synapse. t0 moves forward (rebase) before the factors grow
 * large.
 *
 * Crossings are found, never sampled: each neuron holds t_safe, a time
 * before which it cannot reach threshold unless excited again. An
 * inhibitory input only lowers v at every later time and leaves t_safe; an
 * excitatory one brings it back to the input's time. Every periodic event
 * (the window [t - tick, t) closes) walks the neurons whose t_safe lies in
 * the window and searches their first crossing from t_safe (polyexp.h),
 * which also gives the next t_safe. A spike found in a window is delivered
 * at least one window later, so the result is exact and causal. While
 * refractory (v held at v_reset, the currents running on), t_safe holds the
 * end of the period, where the reset is applied lazily. Unlike IF_curr_exp
 * (lif.c) there is no crossing calendar: every window looks at every
 * neuron's t_safe, which is cheap beside the searches for populations of
 * thousands.
 *
 * v_thresh, v_reset, tau_refrac and cm may differ between neurons as in
 * IF_curr_exp (lif.c, "Per-neuron parameters"): neuron j's state is kept
 * in units of g_j = cm_j / cm, so a delivery adds the weights unchanged,
 * and its own constants (s->own) enter at the reset, the end of a
 * refractory period, the readout and D. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/net_impl.h"
#include "neurons/types.h"
#include "neurons/lif_membrane.h"
#include "neurons/polyexp.h"

/* Rebase t0 before exp((t - t0)/tau) exceeds exp(REBASE_SPAN). */
#define REBASE_SPAN 30.0
/* Crossing times are solved to this accuracy (s). */
#define CROSSING_TOL 1e-13
/* e, the alpha function's peak factor (M_E is not in C11). */
#define EULER_E 2.71828182845904523536

/* The parameters, the first nine in lif_params.h's order (the checks of
 * evs__lif_check_membrane rely on it). */
enum {
  P_CM,
  P_TAU_M,
  P_TAU_E,
  P_TAU_I,
  P_TAU_REF,
  P_V_REST,
  P_V_RESET,
  P_V_THRESH,
  P_I_OFFSET,
  P_V_INIT,
  P_N_PARAMS
};

static const evs_param_def params[P_N_PARAMS] = {
    [P_CM] = {"cm", EVS_DIM_CAPACITANCE, 1e-9, EVS_PARAM_PER_NEURON,
              "membrane capacitance"},
    [P_TAU_M] = {"tau_m", EVS_DIM_TIME, 20e-3, 0, "membrane time constant"},
    [P_TAU_E] = {"tau_syn_E", EVS_DIM_TIME, 0.5e-3, 0,
                 "rise time of the excitatory alpha current (its peak)"},
    [P_TAU_I] = {"tau_syn_I", EVS_DIM_TIME, 0.5e-3, 0,
                 "rise time of the inhibitory alpha current (its peak)"},
    [P_TAU_REF] = {"tau_refrac", EVS_DIM_TIME, 0.1e-3, EVS_PARAM_PER_NEURON,
                   "refractory period (v held at v_reset)"},
    [P_V_REST] = {"v_rest", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_PER_NEURON,
                  "resting potential"},
    [P_V_RESET] = {"v_reset", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_PER_NEURON,
                   "potential after a spike"},
    [P_V_THRESH] = {"v_thresh", EVS_DIM_VOLTAGE, -50e-3, EVS_PARAM_PER_NEURON,
                    "spike threshold"},
    [P_I_OFFSET] = {"i_offset", EVS_DIM_CURRENT, 0, EVS_PARAM_PER_NEURON,
                    "constant input current"},
    [P_V_INIT] = {"v_init", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_PER_NEURON,
                  "membrane potential at t = 0"},
};

/* One neuron's state. */
typedef struct alpha_neuron {
  double cm;     /* V: coefficient of E_m */
  double c[2];   /* V: coefficients of E_E, E_I */
  double d[2];   /* V/s: coefficients of (t - t0) E_E, (t - t0) E_I */
  double drive;  /* V: D, the constant term */
  double t_safe; /* s: no crossing before this time unless excited again;
                    while refractory: the end of the refractory period */
  int refractory;
} alpha_neuron;

typedef struct alpha_state {
  alpha_neuron *nr;   /* [size] */
  double t0;          /* s: reference time of the coefficients */
  double rate[3];     /* 1/s: 1/tau_m, 1/tau_syn_E, 1/tau_syn_I */
  double gamma[2];    /* 1/s: 1/tau_syn - 1/tau_m per receptor */
  double kw[2];       /* V per unit weight: K above */
  double rebase_span; /* s: rebase when t - t0 exceeds it */
  double v_reset, v_thresh, tau_ref;
  lif_own *own; /* [size] each neuron's v_thresh, v_reset, tau_refrac and
                   scale when they differ between neurons, else NULL: the
                   three above and scale 1 */
  int status;   /* first failure of a handler that cannot return it */
} alpha_state;

/* The decay factors E_m(t), E_E(t), E_I(t). */
static void decay_factors(const alpha_state *s, double t, double e[3]) {
  for (int k = 0; k < 3; k++) e[k] = exp(-(t - s->t0) * s->rate[k]);
}

/* u = v - v_thresh of neuron n at t, given the decay factors e at t,
 * without the reset of a refractory period that has ended. */
static double distance(const alpha_state *s, const alpha_neuron *n, double t,
                       const double e[3]) {
  double h = t - s->t0;
  return n->drive + n->cm * e[0] + (n->c[0] + n->d[0] * h) * e[1] +
         (n->c[1] + n->d[1] * h) * e[2];
}

/* Applies the reset that ends neuron n's refractory period at n->t_safe:
 * v = v_reset there, the currents unchanged. */
static void end_refractory(alpha_state *s, alpha_neuron *n) {
  double e[3];
  decay_factors(s, n->t_safe, e);
  n->cm = 0;
  double u = distance(s, n, n->t_safe, e);
  const lif_own *o = s->own ? &s->own[n - s->nr] : NULL;
  double u_reset =
      o ? o->scale * (o->v_reset - o->v_thresh) : s->v_reset - s->v_thresh;
  n->cm = (u_reset - u) / e[0];
  n->refractory = 0;
}

/* Keeps the first failure rc of a handler that returns nothing; the run
 * fails at the next tick. */
static void keep_status(alpha_state *s, int rc) {
  if (rc != EVS_OK && s->status == EVS_OK) s->status = rc;
}

/* Finds every spike of neuron j before time t; afterwards t_safe >= t.
 * Each is emitted (evs__pop_emit), or with peek appended to its list and
 * nothing else told. Returns EVS_OK or EVS_ENOMEM. */
static inline __attribute__((always_inline)) int
find_spikes(evs_pop *pop, alpha_state *s, uint32_t j, double t,
            const evs__peek_list *peek) {
  alpha_neuron *n = &s->nr[j];
  while (n->t_safe < t) {
    if (n->refractory) {
      end_refractory(s, n); /* and search from its end */
      continue;
    }
    double a = n->t_safe, e[3], h = a - s->t0;
    decay_factors(s, a, e);
    evs_polyexp g = {.n = 3,
                     .d = n->drive,
                     .a = {n->cm * e[0], (n->c[0] + n->d[0] * h) * e[1],
                           (n->c[1] + n->d[1] * h) * e[2]},
                     .b = {0, n->d[0] * e[1], n->d[1] * e[2]},
                     .r = {s->rate[0], s->rate[1], s->rate[2]}};
    double x;
    pop->crossings++;
    if (!evs__polyexp_first_root(&g, t - a, CROSSING_TOL, &x)) {
      n->t_safe = a + x;
      break;
    }
    double tc = a + x;
    if (peek && !(tc < t)) break; /* a + h rounded up to t */
    int rc = evs__pop_found(pop, peek, tc, j);
    if (rc) return rc;
    n->refractory = 1;
    n->t_safe = tc + (s->own ? s->own[j].tau_ref : s->tau_ref);
  }
  return EVS_OK;
}

/* Finds every spike of neuron j before time t; afterwards t_safe >= t.
 * Returns EVS_OK or the error of evs__pop_emit. */
static int advance(evs_pop *pop, alpha_state *s, uint32_t j, double t) {
  return find_spikes(pop, s, j, t, NULL);
}

/* The spikes before t that advance() would find (evs_neuron_type.peek):
 * each neuron that could cross before t searched as advance() searches,
 * then its record and the crossing count put back. */
static int peek_spikes(evs_pop *pop, double t, evs_spike **spk, size_t *n,
                       size_t *cap) {
  alpha_state *s = pop->state;
  const evs__peek_list out = {spk, n, cap};
  uint64_t crossings = pop->crossings;
  int rc = s->status;
  for (uint32_t j = 0; j < pop->size && rc == EVS_OK; j++) {
    if (!(s->nr[j].t_safe < t)) continue;
    alpha_neuron kept = s->nr[j];
    rc = find_spikes(pop, s, j, t, &out);
    s->nr[j] = kept;
  }
  pop->crossings = crossings;
  return rc;
}

static void deliver(evs_pop *pop, double t, int receptor,
                    const uint32_t *target, const float *weight, float shared,
                    size_t count) {
  alpha_state *s = pop->state;
  double e[3];
  decay_factors(s, t, e);
  int r = receptor; /* 0: excitatory, 1: inhibitory */
  double k = s->kw[r], g = s->gamma[r], h = t - s->t0;
  double fm = k / e[0], fc = -k * (1 - g * h) / e[1 + r],
         fd = -k * g / e[1 + r];
  for (size_t q = 0; q < count; q++) {
    uint32_t j = target[q];
    alpha_neuron *n = &s->nr[j];
    if (n->t_safe < t) keep_status(s, advance(pop, s, j, t));
    double w = weight ? weight[q] : shared;
    n->cm += w * fm;
    n->c[r] += w * fc;
    n->d[r] += w * fd;
    /* excitation can bring the crossing before t_safe (a refractory
     * neuron's t_safe is the end of its period and stays) */
    if (w > 0 && !n->refractory) n->t_safe = t;
  }
}

/* Moves the reference time to t, rescaling every coefficient:
 * (c + d (t' - t0)) E_old(t') = (c + d (t - t0) + d (t' - t)) E_old(t)
 * E_new(t'). */
static void rebase(evs_pop *pop, alpha_state *s, double t) {
  double e[3], h = t - s->t0;
  decay_factors(s, t, e);
  for (uint32_t j = 0; j < pop->size; j++) {
    alpha_neuron *n = &s->nr[j];
    n->cm *= e[0];
    for (int r = 0; r < 2; r++) {
      n->c[r] = (n->c[r] + n->d[r] * h) * e[1 + r];
      n->d[r] *= e[1 + r];
    }
  }
  s->t0 = t;
}

static int tick(evs_pop *pop, double t) {
  alpha_state *s = pop->state;
  if (s->status) return s->status;
  for (uint32_t j = 0; j < pop->size; j++) {
    if (s->nr[j].t_safe < t) {
      int rc = advance(pop, s, j, t);
      if (rc) return rc;
    }
  }
  if (t - s->t0 > s->rebase_span) rebase(pop, s, t);
  return EVS_OK;
}

static double voltage(evs_pop *pop, uint32_t id, double t) {
  alpha_state *s = pop->state;
  alpha_neuron *n = &s->nr[id];
  keep_status(s, advance(pop, s, id, t));
  const lif_own *o = s->own ? &s->own[id] : NULL;
  if (n->refractory && t < n->t_safe) return o ? o->v_reset : s->v_reset;
  if (n->refractory) end_refractory(s, n);
  double e[3];
  decay_factors(s, t, e);
  if (!o) return s->v_thresh + distance(s, n, t, e);
  return o->v_thresh + distance(s, n, t, e) / o->scale;
}

/* A change of the injected current by delta (V, as R I) at t: the spikes
 * before t are found with the old drive, v stays continuous (the leak term
 * takes -delta back at t); a refractory neuron's reset starts from the new
 * drive. The crossing is searched anew from t. */
static void inject(evs_pop *pop, uint32_t id, double t, double delta) {
  alpha_state *s = pop->state;
  alpha_neuron *n = &s->nr[id];
  keep_status(s, advance(pop, s, id, t));
  n->drive += delta;
  if (n->refractory) return;
  n->cm -= delta / exp(-(t - s->t0) * s->rate[0]);
  n->t_safe = t;
}

static const evs_recordable recordables[] = {
    {"i_syn_exc", "A"}, /* x_E / R */
    {"i_syn_inh", "A"}, /* x_I / R (negative: inhibitory weights are) */
};

/* The synaptic current of receptor var at t. The synaptic part of the
 * voltage obeys u' = -beta u + beta x, so a term (c + d T) E(t) of receptor
 * var (T = t - t0) carries the current x = u + u'/beta =
 * (d - gamma (c + d T)) E(t) / beta. */
static double state(evs_pop *pop, uint32_t id, double t, int var) {
  alpha_state *s = pop->state;
  const alpha_neuron *n = &s->nr[id];
  double h = t - s->t0, e = exp(-h * s->rate[1 + var]);
  double x = (n->d[var] - s->gamma[var] * (n->c[var] + n->d[var] * h)) * e /
             s->rate[0];
  return x / (pop->par[P_TAU_M] / pop->par[P_CM]);
}

static void destroy(evs_pop *pop) {
  alpha_state *s = pop->state;
  if (!s) return;
  free(s->nr);
  free(s->own);
  free(s);
  pop->state = NULL;
}

static int check_params(const evs_pop *pop, evs_error *err) {
  return evs__lif_check_membrane(pop,
                                 "must differ from tau_m (the exact solution "
                                 "needs distinct time constants)",
                                 err);
}

/* The constants that follow from the parameters p: the decay rates, each
 * receptor's gamma and K (the alpha kernel's response), the rebase span,
 * the reset, threshold and refractory period. */
static void derive(const double *p, alpha_state *s) {
  s->rate[0] = 1 / p[P_TAU_M];
  s->rate[1] = 1 / p[P_TAU_E];
  s->rate[2] = 1 / p[P_TAU_I];
  for (int r = 0; r < 2; r++) {
    s->gamma[r] = s->rate[1 + r] - s->rate[0];
    s->kw[r] =
        s->rate[0] * EULER_E * s->rate[1 + r] / (s->gamma[r] * s->gamma[r]);
  }
  double tau_min = fmin(p[P_TAU_M], fmin(p[P_TAU_E], p[P_TAU_I]));
  s->rebase_span = REBASE_SPAN * tau_min;
  s->v_reset = p[P_V_RESET];
  s->v_thresh = p[P_V_THRESH];
  s->tau_ref = p[P_TAU_REF];
}

static int init(evs_pop *pop, evs_error *err) {
  int rc = check_params(pop, err);
  if (rc) return rc;
  const double *p = pop->par;
  alpha_state *s = calloc(1, sizeof *s);
  if (!s) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  pop->state = s;
  s->nr = calloc(pop->size ? pop->size : 1, sizeof *s->nr);
  if (!s->nr ||
      (evs__lif_own_varies(pop) &&
       !(s->own = malloc((pop->size ? pop->size : 1) * sizeof *s->own)))) {
    destroy(pop);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  derive(p, s);
  double r_m = p[P_TAU_M] / p[P_CM];
  for (uint32_t j = 0; j < pop->size; j++) {
    alpha_neuron *n = &s->nr[j];
    /* per-neuron values in their order (evs__lif_values) */
    lif_values v;
    evs__lif_values(pop, j, s->own != NULL, &v);
    double dc = pop->dc ? pop->dc[j] : 0;
    if (!s->own) {
      n->drive = v.v_rest + r_m * v.i_offset + dc - p[P_V_THRESH];
      n->cm = v.v_init - p[P_V_THRESH] - n->drive;
    } else {
      if ((rc = evs__lif_check_neuron(pop, j, &v, err))) {
        destroy(pop);
        return rc;
      }
      lif_own *o = &s->own[j];
      *o = evs__lif_own_of(pop, &v);
      /* as the homogeneous path computes them when scale is 1 */
      n->drive =
          o->scale * v.v_rest + r_m * v.i_offset + dc - o->scale * o->v_thresh;
      n->cm = o->scale * v.v_init - o->scale * o->v_thresh - n->drive;
    }
    n->t_safe = 0; /* searched at the first window */
  }
  return EVS_OK;
}

/* Before a change after the build: what the three current-based types
 * keep (evs__lif_check_fixed) and the synaptic time constants (the alpha
 * currents' coefficients are kept in terms of them) are refused; the rest
 * checked as init checks them, each neuron's own values too. */
static int check_change(const evs_pop *next, int k, evs_error *err) {
  if (k == P_TAU_E || k == P_TAU_I)
    return evs__bad_param(next, k,
                          "cannot change once the net is built (the alpha "
                          "currents are kept in terms of it)",
                          err);
  int rc = evs__lif_check_fixed(next, k, err);
  if (!rc) rc = check_params(next, err);
  return rc ? rc : evs__lif_check_own_change(next, k, err);
}

/* Neuron j's equilibrium v_rest + R i_offset as the parameters of p give
 * it, in the unit of its state (g v_rest + R i_offset with own constants). */
static double equilibrium(const alpha_state *s, const evs_pop *p, uint32_t j,
                          double r_m) {
  if (!s->own) return evs__lif_equilibrium(p, j, r_m);
  lif_values v;
  evs__lif_values(p, j, 1, &v);
  return s->own[j].scale * v.v_rest + r_m * v.i_offset;
}

/* v_thresh, v_reset or tau_refrac (k) of neurons with their own constants
 * (made from the population's values first if they had none): each neuron
 * whose value moves is brought up to t with its old constants and takes
 * the new one; a threshold's move d leaves its drive as g d and its
 * crossing is searched anew from t. EVS_OK, or an error of advance. */
static int change_own(evs_pop *pop, const evs_pop *old, int k, double t) {
  alpha_state *s = pop->state;
  if (!s->own && !(s->own = evs__lif_own_uniform(old, pop->size)))
    return EVS_ENOMEM;
  for (uint32_t j = 0; j < pop->size; j++) {
    lif_own *o = &s->own[j];
    double *own = evs__lif_own_param(o, k);
    double x = evs__lif_changed_value(pop, k, j);
    if (x == *own) continue;
    int rc = advance(pop, s, j, t);
    if (rc) return rc;
    double d = x - *own;
    *own = x;
    if (k != P_V_THRESH) continue; /* the resets and periods after t */
    alpha_neuron *n = &s->nr[j];
    n->drive -= o->scale * d;
    if (!n->refractory) n->t_safe = t;
  }
  derive(pop->par, s);
  return s->status;
}

/* Parameter k changed at t (evs_neuron_type.change), as in IF_curr_exp
 * (lif_change.c): the neurons concerned are brought up to t with the old
 * constants, then the equilibrium's move d enters the drive and leaves
 * the leak term (v continuous), a threshold's move d leaves the drive, and
 * the crossing is searched anew from t; v_reset and tau_refrac act on the
 * resets and periods after t. With own constants the moves are
 * in the neuron's unit (g d). A value set to itself changes nothing. */
static int change(evs_pop *pop, const evs_pop *old, int k, double t) {
  alpha_state *s = pop->state;
  int own = k == P_V_THRESH || k == P_V_RESET || k == P_TAU_REF;
  if (own && (s->own || evs__lif_own_varies(pop)))
    return change_own(pop, old, k, t);
  int each = k == P_V_REST || k == P_I_OFFSET;
  if (!each && pop->par[k] == old->par[k]) return EVS_OK;
  double r_m = pop->par[P_TAU_M] / pop->par[P_CM];
  double d_thresh = pop->par[P_V_THRESH] - old->par[P_V_THRESH];
  if (!each) {
    for (uint32_t j = 0; j < pop->size; j++) {
      int rc = advance(pop, s, j, t);
      if (rc) return rc;
    }
    derive(pop->par, s);
    if (k != P_V_THRESH) return EVS_OK; /* v_reset, tau_refrac */
  }
  double em = exp(-(t - s->t0) * s->rate[0]);
  for (uint32_t j = 0; j < pop->size; j++) {
    alpha_neuron *n = &s->nr[j];
    double d =
        each ? equilibrium(s, pop, j, r_m) - equilibrium(s, old, j, r_m) : 0;
    if (each) {
      if (d == 0) continue;
      int rc = advance(pop, s, j, t);
      if (rc) return rc;
    }
    n->drive += d - d_thresh;
    if (n->refractory) continue; /* the reset at t_safe starts from it */
    n->cm -= d / em;
    n->t_safe = t;
  }
  return s->status;
}

/* The neurons (coefficients, drive, certificates, refractory flags), the
 * reference time and the first failure: the rest init derives from the
 * parameters. */
static int checkpoint(evs_pop *pop, evs_ckpt *ck) {
  alpha_state *s = pop->state;
  evs_ckpt_neurons(ck, s->nr, pop->size, sizeof *s->nr);
  evs_ckpt_bytes(ck, &s->t0, sizeof s->t0);
  return evs_ckpt_bytes(ck, &s->status, sizeof s->status);
}

const evs_neuron_type evs__if_curr_alpha = {
    .name = "IF_curr_alpha",
    .kind = EVS_POP_EXACT,
    .params = params,
    .n_params = P_N_PARAMS,
    .weight_scale = evs__lif_weight_scale,
    .init = init,
    .destroy = destroy,
    .deliver = deliver,
    .tick = tick,
    .peek = peek_spikes,
    .voltage = voltage,
    .dc_scale = evs__lif_weight_scale,
    .sliceable = 1,
    .inject = inject,
    .recordables = recordables,
    .n_recordables = 2,
    .state = state,
    .checkpoint = checkpoint,
    .check_change = check_change,
    .change = change,
};
