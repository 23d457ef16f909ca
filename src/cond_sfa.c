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
 * Per-neuron initial values: neuron i draws from its stream
 * (seed, population, i, EVS_RNG_INIT), in this fixed order:
 * v_init, gsyn_exc_init, gsyn_inh_init. g_sfa and g_rr start at 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cond_math.h"
#include "engine.h"

/* Positions in the parameter table below (par[], dist[] use them). */
enum {
  P_CM, P_TAU_M, P_TAU_SYN_E, P_TAU_SYN_I, P_TAU_REFRAC, P_TAU_SFA, P_TAU_RR,
  P_V_REST, P_V_RESET, P_V_THRESH, P_E_REV_E, P_E_REV_I, P_E_REV_SFA,
  P_E_REV_RR, P_Q_SFA, P_Q_RR, P_I_OFFSET, P_V_INIT, P_GSYN_EXC_INIT,
  P_GSYN_INH_INIT, P_COUNT_
};

static const evs_param_def sfa_params[P_COUNT_] = {
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
    {"v_rest", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_CONST, "leak reversal potential"},
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

/* Neurons per block of the step loop (as cond.c). */
#define SFA_BLOCK 256
/* "Never refractory": finite, so that until - t0 stays finite. */
#define SFA_NEVER (-1e30)

typedef struct sfa_state {
  /* state, struct of arrays, [cap] each */
  double *v;        /* V, membrane potential */
  double *ge, *gi;  /* S, synaptic conductances at the state time */
  double *gs, *gr;  /* S, g_sfa and g_rr at the state time */
  double *until;    /* s, end of the refractory period (SFA_NEVER: none) */
  double *pe, *pi;  /* S, inputs waiting for the next tick */
  double *ib;       /* A, g_L v_rest + i_offset + dc: the constant drive */
  /* parameters and derived constants */
  double g_l;       /* S, cm / tau_m */
  double inv_cm;    /* 1/F */
  double e_e, e_i, e_s, e_r; /* V, reversal potentials */
  double q_s, q_r;  /* S, spike-triggered increments */
  double v_reset, v_thresh; /* V */
  double tau_refrac; /* s */
  double de, di, ds, dr; /* exp(-dt / tau) of g_e, g_i, g_sfa, g_rr */
  double dt;        /* s, the step (pop->tick) */
  double t_now;     /* s, time of the state (last tick) */
  double eps;       /* s, tolerance for "delivered at the state time" */
  uint64_t xmax_bits; /* bit pattern of COND_XMAX */
  uint32_t cap;     /* allocated neurons: size rounded up to SFA_BLOCK */
  int pending;      /* 1: pe/pi hold something */
} sfa_state;

static double sfa_weight_scale(const evs_pop *pop, evs_dim dim) {
  (void)pop;
  return dim == EVS_DIM_CONDUCTANCE ? 1.0 : 0.0;
}

static void sfa_destroy(evs_pop *pop) {
  sfa_state *s = pop->state;
  if (!s) return;
  free(s->v);
  free(s->ge);
  free(s->gi);
  free(s->gs);
  free(s->gr);
  free(s->until);
  free(s->pe);
  free(s->pi);
  free(s->ib);
  free(s);
  pop->state = NULL;
}

static evs_dist sfa_dist(const evs_pop *pop, int k) {
  return pop->dist ? pop->dist[k] : evs_dist_const(pop->par[k]);
}

static int sfa_check(const evs_pop *pop, evs_error *err) {
  const double *p = pop->par;
  static const int positive[] = {P_CM, P_TAU_M, P_TAU_SYN_E, P_TAU_SYN_I,
                                 P_TAU_SFA, P_TAU_RR};
  for (size_t k = 0; k < sizeof positive / sizeof positive[0]; k++) {
    double x = p[positive[k]];
    if (!(x > 0) || !isfinite(x))
      return evs_error_set(err, EVS_EMODEL, NULL, 0,
                           "population %s: %s must be positive and finite "
                           "(got %g)", pop->name, sfa_params[positive[k]].name, x);
  }
  static const int nonneg[] = {P_TAU_REFRAC, P_Q_SFA, P_Q_RR};
  for (size_t k = 0; k < sizeof nonneg / sizeof nonneg[0]; k++) {
    double x = p[nonneg[k]];
    if (!(x >= 0) || !isfinite(x))
      return evs_error_set(err, EVS_EMODEL, NULL, 0,
                           "population %s: %s must be >= 0 and finite "
                           "(got %g)", pop->name, sfa_params[nonneg[k]].name, x);
  }
  for (int k = P_V_REST; k <= P_I_OFFSET; k++)
    if (!isfinite(p[k]))
      return evs_error_set(err, EVS_EMODEL, NULL, 0,
                           "population %s: %s must be finite", pop->name,
                           sfa_params[k].name);
  if (!(p[P_V_RESET] < p[P_V_THRESH]))
    return evs_error_set(err, EVS_EMODEL, NULL, 0,
                         "population %s: v_reset (%g mV) must be below "
                         "v_thresh (%g mV)", pop->name, p[P_V_RESET] * 1e3,
                         p[P_V_THRESH] * 1e3);
  if (!(pop->tick > 0) || !isfinite(pop->tick))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "population %s: IF_cond_exp_gsfa_grr needs a clock "
                         "step > 0 (got %g s)", pop->name, pop->tick);
  return EVS_OK;
}

static int sfa_init(evs_pop *pop, evs_error *err) {
  int rc = sfa_check(pop, err);
  if (rc) return rc;
  const double *p = pop->par;
  uint32_t n = pop->size;
  /* padded to whole blocks; the padding neurons evolve but never spike */
  size_t cap = ((size_t)n + SFA_BLOCK - 1) / SFA_BLOCK * SFA_BLOCK;
  if (cap == 0) cap = SFA_BLOCK;
  sfa_state *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  pop->state = s;
  s->cap = (uint32_t)cap;
  s->v = calloc(cap, sizeof(double));
  s->ge = calloc(cap, sizeof(double));
  s->gi = calloc(cap, sizeof(double));
  s->gs = calloc(cap, sizeof(double));
  s->gr = calloc(cap, sizeof(double));
  s->until = calloc(cap, sizeof(double));
  s->pe = calloc(cap, sizeof(double));
  s->pi = calloc(cap, sizeof(double));
  s->ib = calloc(cap, sizeof(double));
  if (!s->v || !s->ge || !s->gi || !s->gs || !s->gr || !s->until || !s->pe ||
      !s->pi || !s->ib)
    goto nomem;

  s->g_l = p[P_CM] / p[P_TAU_M];
  s->inv_cm = 1.0 / p[P_CM];
  s->e_e = p[P_E_REV_E];
  s->e_i = p[P_E_REV_I];
  s->e_s = p[P_E_REV_SFA];
  s->e_r = p[P_E_REV_RR];
  s->q_s = p[P_Q_SFA];
  s->q_r = p[P_Q_RR];
  s->v_reset = p[P_V_RESET];
  s->v_thresh = p[P_V_THRESH];
  s->tau_refrac = p[P_TAU_REFRAC];
  s->dt = pop->tick;
  s->de = exp(-s->dt / p[P_TAU_SYN_E]);
  s->di = exp(-s->dt / p[P_TAU_SYN_I]);
  s->ds = exp(-s->dt / p[P_TAU_SFA]);
  s->dr = exp(-s->dt / p[P_TAU_RR]);
  s->t_now = 0.0;
  s->eps = 1e-6 * s->dt;
  {
    double xm = COND_XMAX;
    memcpy(&s->xmax_bits, &xm, sizeof xm);
  }

  evs_dist dv = sfa_dist(pop, P_V_INIT);
  evs_dist dge = sfa_dist(pop, P_GSYN_EXC_INIT);
  evs_dist dgi = sfa_dist(pop, P_GSYN_INH_INIT);
  double base = s->g_l * p[P_V_REST] + p[P_I_OFFSET];
  for (uint32_t i = 0; i < n; i++) {
    evs_rng r;
    evs_rng_init(&r, pop->seed, pop->index, i, EVS_RNG_INIT);
    s->v[i] = evs_dist_draw(&dv, &r);
    s->ge[i] = evs_dist_draw(&dge, &r);
    s->gi[i] = evs_dist_draw(&dgi, &r);
    s->until[i] = SFA_NEVER;
    s->ib[i] = base + (pop->dc ? pop->dc[i] : 0.0); /* dc: A */
    if (!isfinite(s->v[i]) || !isfinite(s->ge[i]) || !isfinite(s->gi[i]))
      return evs_error_set(err, EVS_EMODEL, NULL, 0,
                           "population %s: neuron %u drew a non-finite "
                           "initial value", pop->name, (unsigned)i);
  }
  for (size_t i = n; i < cap; i++) {
    s->v[i] = p[P_V_REST];
    s->until[i] = SFA_NEVER;
    s->ib[i] = s->g_l * p[P_V_REST];
  }
  return EVS_OK;
nomem:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "population %s: out of memory for %u neurons",
                       pop->name, (unsigned)n);
}

static void sfa_deliver(evs_pop *pop, double t, int receptor,
                        const uint32_t *target, const float *weight,
                        size_t n) {
  sfa_state *s = pop->state;
  double *g;
  if (t <= s->t_now + s->eps) {
    g = receptor == EVS_RECEPTOR_INH ? s->gi : s->ge;
  } else {
    g = receptor == EVS_RECEPTOR_INH ? s->pi : s->pe;
    s->pending = 1;
  }
  for (size_t k = 0; k < n; k++) g[target[k]] += weight[k];
}

/* Pass 1 over one block: ex[i] = exp(-h g_tot / cm), h the part of the step
 * (t0, t0 + dt] in which neuron i is not refractory; nonzero when some
 * argument fell outside [0, COND_XMAX] or was NaN (see cond.c's pass 1).
 * g_tot sums in cond.c's order, then g_sfa, g_rr. */
COND_CLONES
static int sfa_pass_exp(double *restrict ex, const double *restrict until,
                        const double *restrict ge, const double *restrict gi,
                        const double *restrict gs, const double *restrict gr,
                        double t0, double dt, double g_l, double inv_cm,
                        uint64_t lim) {
  uint64_t acc = 0;
  for (uint32_t i = 0; i < SFA_BLOCK; i++) {
    double h = relu(dt - relu(until[i] - t0));
    double x = h * (g_l + ge[i] + gi[i] + gs[i] + gr[i]) * inv_cm;
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    acc |= (lim - b) | b;
    ex[i] = exp_neg_poly(x);
  }
  return (int)(acc >> 63);
}

/* Pass 2 over one block: v by exponential Euler, then the conductances decay
 * and g_e, g_i take the pending inputs (pe, pi NULL: none). */
COND_CLONES
static void sfa_pass_v(double *restrict v, double *restrict ge,
                       double *restrict gi, double *restrict gs,
                       double *restrict gr, double *restrict pe,
                       double *restrict pi, const double *restrict ib,
                       const double *restrict ex, const sfa_state *c) {
  const double g_l = c->g_l, e_e = c->e_e, e_i = c->e_i, e_s = c->e_s,
               e_r = c->e_r, de = c->de, di = c->di, ds = c->ds, dr = c->dr;
  if (pe) {
    for (uint32_t i = 0; i < SFA_BLOCK; i++) {
      double a = ge[i], b = gi[i], cs = gs[i], cr = gr[i];
      double vinf = (ib[i] + a * e_e + b * e_i + cs * e_s + cr * e_r) /
                    (g_l + a + b + cs + cr);
      v[i] = vinf + (v[i] - vinf) * ex[i];
      ge[i] = a * de + pe[i];
      gi[i] = b * di + pi[i];
      gs[i] = cs * ds;
      gr[i] = cr * dr;
      pe[i] = 0;
      pi[i] = 0;
    }
  } else {
    for (uint32_t i = 0; i < SFA_BLOCK; i++) {
      double a = ge[i], b = gi[i], cs = gs[i], cr = gr[i];
      double vinf = (ib[i] + a * e_e + b * e_i + cs * e_s + cr * e_r) /
                    (g_l + a + b + cs + cr);
      v[i] = vinf + (v[i] - vinf) * ex[i];
      ge[i] = a * de;
      gi[i] = b * di;
      gs[i] = cs * ds;
      gr[i] = cr * dr;
    }
  }
}

/* One step of the block of SFA_BLOCK neurons starting at lo, from t - dt to
 * t; only the m real neurons can spike. */
static int sfa_step_block(evs_pop *pop, sfa_state *s, double t, uint32_t lo,
                          uint32_t m) {
  double ex[SFA_BLOCK];
  double *v = s->v + lo, *ge = s->ge + lo, *gi = s->gi + lo;
  double *gs = s->gs + lo, *gr = s->gr + lo, *until = s->until + lo;
  const double t0 = t - s->dt;

  if (sfa_pass_exp(ex, until, ge, gi, gs, gr, t0, s->dt, s->g_l, s->inv_cm,
                   s->xmax_bits)) { /* rare: very strong or negative g_tot */
    for (uint32_t i = 0; i < SFA_BLOCK; i++) {
      double h = relu(s->dt - relu(until[i] - t0));
      double x = h * (s->g_l + ge[i] + gi[i] + gs[i] + gr[i]) * s->inv_cm;
      if (!(x >= 0 && x <= COND_XMAX)) ex[i] = exp(-x);
    }
  }
  sfa_pass_v(v, ge, gi, gs, gr, s->pending ? s->pe + lo : NULL,
             s->pending ? s->pi + lo : NULL, s->ib + lo, ex, s);
  /* pass 3: threshold (spikes are rare: a predictable branch) */
  const double vth = s->v_thresh;
  for (uint32_t i = 0; i < m; i++) {
    if (v[i] >= vth) {
      int rc = evs__pop_emit(pop, t, lo + i);
      if (rc) return rc;
      v[i] = s->v_reset;
      until[i] = t + s->tau_refrac;
      gs[i] += s->q_s;
      gr[i] += s->q_r;
    }
  }
  return EVS_OK;
}

static int sfa_tick(evs_pop *pop, double t) {
  sfa_state *s = pop->state;
  for (uint32_t lo = 0; lo < pop->size; lo += SFA_BLOCK) {
    uint32_t m = pop->size - lo < SFA_BLOCK ? pop->size - lo : SFA_BLOCK;
    int rc = sfa_step_block(pop, s, t, lo, m);
    if (rc) return rc;
  }
  s->pending = 0;
  s->t_now = t;
  return EVS_OK;
}

static double sfa_voltage(evs_pop *pop, uint32_t id, double t) {
  (void)t;
  const sfa_state *s = pop->state;
  return s->v[id];
}

/* A constant input is a current, kept in amperes in pop->dc. */
static double sfa_dc_scale(const evs_pop *pop, evs_dim dim) {
  (void)pop;
  return dim == EVS_DIM_CURRENT ? 1.0 : 0.0;
}

void evs__cond_sfa_probe(const evs_pop *pop, uint32_t id, double *g_sfa,
                         double *g_rr) {
  const sfa_state *s = pop->state;
  if (g_sfa) *g_sfa = s->gs[id];
  if (g_rr) *g_rr = s->gr[id];
}

const evs_neuron_type evs__if_cond_exp_gsfa_grr = {
    .name = "IF_cond_exp_gsfa_grr",
    .kind = EVS_POP_CLOCKED,
    .params = sfa_params,
    .n_params = P_COUNT_,
    .weight_scale = sfa_weight_scale,
    .init = sfa_init,
    .destroy = sfa_destroy,
    .deliver = sfa_deliver,
    .tick = sfa_tick,
    .voltage = sfa_voltage,
    .dc_scale = sfa_dc_scale,
};
