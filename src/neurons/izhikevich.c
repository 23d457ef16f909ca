/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — Izhikevich: the simple model of Izhikevich (2003), PyNN's standard
 * cell (NEST's izhikevich), integrated on the population's clock.
 *
 *   dv/dt = 0.04 v^2 + 5 v + 140 - u + I,     du/dt = a (b v - u),
 *   v >= 30 mV: a spike, v = c, u += d;
 * v in mV, t in ms, u and I in mV/ms. The drive is I = (i_offset + dc) / 1 pF:
 * PyNN's convention (pyNN.brian2 divides the current by 1 pF; pyNN.nest maps
 * i_offset in nA to NEST's I_e in pA, which NEST adds as mV/ms), so
 * i_offset = 10 pA is Izhikevich's I = 10.
 *
 * Synapses are PyNN's for this cell: Dirac deltas that move v by the weight,
 * a voltage (PyNN: mV; excitatory weights positive, inhibitory ones negative,
 * the sign kept here whatever the receptor). An input delivered at the state
 * time moves v at once; one delivered inside a step moves v at the step's
 * end, before the threshold test (so it can make the neuron spike at that
 * tick). No refractory period (as PyNN).
 *
 * One step from t - dt to t: (v, u) by the classical fourth-order
 * Runge-Kutta method with the right-hand side evaluated at min(v, 30 mV) (v
 * diverges in finite time above threshold; bounding it keeps an overshooting
 * stage finite, and changes nothing below threshold), then the pending
 * inputs, then the threshold test v >= 30 mV. NEST and pyNN.brian2 use
 * forward Euler at the resolution; Izhikevich's own code two 0.5 ms Euler
 * steps for v and one 1 ms step for u. RK4 at 0.1 ms puts every spike of a
 * regular-spiking cell on the step of a reference at dt/100 (check_izh.c).
 *
 * Internally v is in mV, u in mV/ms (the SI value of u, V/s, is the same
 * number) and time in ms.
 *
 * Per-neuron values (evs__pop_value: set per neuron, else drawn by neuron
 * i from its stream (seed, population, i, EVS_RNG_INIT)), in this fixed
 * order: v_init, u_init (PyNN's defaults -70 mV, -14 mV/ms), i_offset, a,
 * b, c, d. Every parameter may differ between neurons: the step reads each
 * neuron's own a, b, c, d. Every parameter but the initial values may change
 * between the phases of a run (izh_change). */
#include <math.h>
#include <stdlib.h>

#include "core/net_impl.h"
#include "neurons/types.h"
#include "neurons/izhikevich.h"

/* Positions in the parameter table below. */
enum { P_A, P_B, P_C, P_D, P_I_OFFSET, P_V_INIT, P_U_INIT, P_N_PARAMS };

/* PyNN 0.10's defaults (pyNN/standardmodels/cells.py), in SI. */
static const evs_param_def izh_params[P_N_PARAMS] = {
    {"a", EVS_DIM_RATE, 20.0, EVS_PARAM_PER_NEURON,
     "time scale of the recovery variable u (0.02 /ms)"},
    {"b", EVS_DIM_RATE, 200.0, EVS_PARAM_PER_NEURON,
     "sensitivity of u to v (0.2 /ms)"},
    {"c", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_PER_NEURON, "reset value of v"},
    {"d", EVS_DIM_VOLTAGE_RATE, 2.0, EVS_PARAM_PER_NEURON,
     "jump of u at each spike (2 mV/ms)"},
    {"i_offset", EVS_DIM_CURRENT, 0.0, EVS_PARAM_PER_NEURON,
     "constant injected current (divided by 1 pF)"},
    {"v_init", EVS_DIM_VOLTAGE, -70e-3, EVS_PARAM_PER_NEURON,
     "initial membrane potential"},
    {"u_init", EVS_DIM_VOLTAGE_RATE, -14.0, EVS_PARAM_PER_NEURON,
     "initial recovery variable"},
};

#define IZH_PEAK 30.0 /* mV: the spike cut-off */

typedef struct izh_state {
  /* state, struct of arrays, [size] each */
  double *v;     /* mV */
  double *u;     /* mV/ms */
  double *pv;    /* mV, inputs waiting for the end of the step */
  double *drive; /* mV/ms, (i_offset + dc) / 1 pF */
  /* each neuron's parameters in the model's units, [size] each */
  double *a, *b; /* 1/ms */
  double *c;     /* mV */
  double *d;     /* mV/ms */
  /* derived constants */
  double h;     /* ms, the step (pop->tick) */
  double t_now; /* s, time of the state (last tick) */
  double eps;   /* s, tolerance for "delivered at the state time" */
  int pending;  /* 1: pv holds something */
} izh_state;

static void izh_destroy(evs_pop *pop) {
  izh_state *s = pop->state;
  if (!s) return;
  free(s->v);
  free(s->u);
  free(s->pv);
  free(s->drive);
  free(s->a);
  free(s->b);
  free(s->c);
  free(s->d);
  free(s);
  pop->state = NULL;
}

static int izh_bad(const evs_pop *pop, int k, const char *what,
                   evs_error *err) {
  evs_error_set(err, EVS_EMODEL, NULL, 0, "population %s: %s %s (got %g)",
                pop->name, izh_params[k].name, what, pop->par[k]);
  evs_error_key(err, izh_params[k].name);
  return EVS_EMODEL;
}

/* Neuron i's parameters a, b, c, d (SI, in p[P_A..P_D]): -1 when they are
 * valid (a > 0, c below the cut-off, all finite), else the index of the
 * first bad one, its complaint in *why. */
static int bad_neuron(const double *p, const char **why) {
  for (int k = P_A; k <= P_D; k++)
    if (!isfinite(p[k])) return *why = "must be finite", k;
  if (!(p[P_A] > 0)) return *why = "must be positive", P_A;
  if (!(p[P_C] < IZH_PEAK * 1e-3))
    return *why = "must be below the 30 mV spike cut-off", P_C;
  return -1;
}

/* Neuron i's values in its stream's order (evs__pop_value from (seed,
 * population, i, EVS_RNG_INIT)): v_init, u_init, i_offset, a, b, c, d,
 * into x[] at their positions (SI). */
static void read_neuron(const evs_pop *pop, uint32_t i, double x[P_N_PARAMS]) {
  evs_rng r;
  evs_rng_init(&r, pop->seed, pop->index, pop->first + i, EVS_RNG_INIT);
  x[P_V_INIT] = evs__pop_value(pop, P_V_INIT, i, &r);
  x[P_U_INIT] = evs__pop_value(pop, P_U_INIT, i, &r);
  x[P_I_OFFSET] = evs__pop_value(pop, P_I_OFFSET, i, &r);
  for (int k = P_A; k <= P_D; k++) x[k] = evs__pop_value(pop, k, i, &r);
}

/* Every neuron's values (read_neuron), checked (bad_neuron). EVS_OK or
 * EVS_EMODEL naming neuron and key. With s, the parameters a, b, c, d in
 * the model's units (ms, mV) into its arrays as well. */
static int izh_neurons(const evs_pop *pop, izh_state *s, evs_error *err) {
  for (uint32_t i = 0; i < pop->size; i++) {
    double x[P_N_PARAMS];
    read_neuron(pop, i, x);
    const char *why = NULL;
    int bad = bad_neuron(x, &why);
    if (bad >= 0) {
      evs_error_set(err, EVS_EMODEL, NULL, 0,
                    "population %s: neuron %u: %s %s (got %g)", pop->name,
                    (unsigned)(pop->first + i), izh_params[bad].name, why,
                    x[bad]);
      evs_error_key(err, izh_params[bad].name);
      return EVS_EMODEL;
    }
    if (!s) continue;
    s->a[i] = x[P_A] * 1e-3;
    s->b[i] = x[P_B] * 1e-3;
    s->c[i] = x[P_C] * 1e3;
    s->d[i] = x[P_D];
  }
  return EVS_OK;
}

/* The population's values checked as init checks them. EVS_OK or
 * EVS_EMODEL at the key. */
static int izh_check(const evs_pop *pop, evs_error *err) {
  const double *p = pop->par;
  for (int k = P_A; k <= P_I_OFFSET; k++)
    if (!isfinite(p[k])) return izh_bad(pop, k, "must be finite", err);
  if (!(p[P_A] > 0)) return izh_bad(pop, P_A, "must be positive", err);
  if (!(p[P_C] < IZH_PEAK * 1e-3))
    return izh_bad(pop, P_C, "must be below the 30 mV spike cut-off", err);
  return EVS_OK;
}

/* The constants of the step tick (s), in the model's units (ms): the step
 * h, the tolerance of "at the state time". */
static void derive(double tick, izh_state *s) {
  s->h = tick * 1e3;
  s->eps = 1e-6 * tick;
}

static int izh_init(evs_pop *pop, evs_error *err) {
  int rc = izh_check(pop, err);
  if (rc) return rc;
  if (!(pop->tick > 0) || !isfinite(pop->tick))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "population %s: Izhikevich needs a clock step > 0 "
                         "(got %g s)",
                         pop->name, pop->tick);
  izh_state *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  pop->state = s;
  size_t n = pop->size ? pop->size : 1;
  s->v = calloc(n, sizeof(double));
  s->u = calloc(n, sizeof(double));
  s->pv = calloc(n, sizeof(double));
  s->drive = calloc(n, sizeof(double));
  s->a = calloc(n, sizeof(double));
  s->b = calloc(n, sizeof(double));
  s->c = calloc(n, sizeof(double));
  s->d = calloc(n, sizeof(double));
  if (!s->v || !s->u || !s->pv || !s->drive || !s->a || !s->b || !s->c || !s->d)
    goto nomem;
  derive(pop->tick, s);
  if ((rc = izh_neurons(pop, s, err))) return rc;
  for (uint32_t i = 0; i < pop->size; i++) {
    double x[P_N_PARAMS];
    read_neuron(pop, i, x);
    s->v[i] = x[P_V_INIT] * 1e3;
    s->u[i] = x[P_U_INIT];
    /* pop->dc is in this type's internal unit already (dc_scale) */
    s->drive[i] = x[P_I_OFFSET] * 1e12 + (pop->dc ? pop->dc[i] : 0.0);
    if (!isfinite(s->v[i]) || !isfinite(s->u[i]))
      return evs_error_set(err, EVS_EMODEL, NULL, 0,
                           "population %s: neuron %u drew a non-finite "
                           "initial value",
                           pop->name, (unsigned)i);
  }
  return EVS_OK;
nomem:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "population %s: out of memory for %u neurons", pop->name,
                       (unsigned)pop->size);
}

/* Before a change after the build (core/neuron_type.h): the initial values
 * are refused, the rest checked as init checks them, each neuron's too. */
static int izh_check_change(const evs_pop *next, int k, evs_error *err) {
  if (k == P_V_INIT || k == P_U_INIT)
    return evs__bad_param(next, k,
                          "is a value at t = 0: it cannot change once the "
                          "net is built",
                          err);
  int rc = izh_check(next, err);
  return rc ? rc : izh_neurons(next, NULL, err);
}

/* Parameter k changed (evs_neuron_type.change): from the state time (the
 * last tick) the steps take each neuron's a, b, c, d read anew, and its
 * drive moves by the change of its i_offset (what dc and current sources
 * added stays); v and u are kept. A value set to itself changes nothing. */
static int izh_change(evs_pop *pop, const evs_pop *old, int k, double t) {
  (void)t;
  izh_state *s = pop->state;
  if (k != P_I_OFFSET) {
    (void)izh_neurons(pop, s, NULL); /* checked by izh_check_change */
    return EVS_OK;
  }
  for (uint32_t i = 0; i < pop->size; i++) {
    double x[P_N_PARAMS], y[P_N_PARAMS];
    read_neuron(pop, i, x);
    read_neuron(old, i, y);
    if (x[P_I_OFFSET] != y[P_I_OFFSET])
      s->drive[i] += (x[P_I_OFFSET] - y[P_I_OFFSET]) * 1e12;
  }
  return EVS_OK;
}

/* Weights are voltages, kept in mV; constant inputs currents, in mV/ms
 * through 1 pF. */
static double izh_weight_scale(const evs_pop *pop, evs_dim dim) {
  (void)pop;
  return dim == EVS_DIM_VOLTAGE ? 1e3 : 0.0;
}

static double izh_dc_scale(const evs_pop *pop, evs_dim dim) {
  (void)pop;
  return dim == EVS_DIM_CURRENT ? 1e12 : 0.0;
}

static void izh_deliver(evs_pop *pop, double t, int receptor,
                        const uint32_t *target, const float *weight,
                        float shared, size_t n) {
  (void)receptor; /* both move v by the signed weight */
  izh_state *s = pop->state;
  double *x = s->v;
  if (t > s->t_now + s->eps) {
    x = s->pv;
    s->pending = 1;
  }
  evs__add_inputs(x, target, 0, weight, shared, n);
}

/* dv/dt and du/dt at (v, u) with drive I and parameters a, b, v bounded by
 * the cut-off. */
static inline void izh_rhs(double a, double b, double v, double u, double I,
                           double *fv, double *fu) {
  double x = v < IZH_PEAK ? v : IZH_PEAK;
  *fv = (0.04 * x + 5.0) * x + 140.0 - u + I;
  *fu = a * (b * x - u);
}

static int izh_tick(evs_pop *pop, double t) {
  izh_state *s = pop->state;
  const double h = s->h;
  for (uint32_t i = 0; i < pop->size; i++) {
    double v = s->v[i], u = s->u[i], I = s->drive[i];
    const double a = s->a[i], b = s->b[i];
    double k1v, k1u, k2v, k2u, k3v, k3u, k4v, k4u;
    izh_rhs(a, b, v, u, I, &k1v, &k1u);
    izh_rhs(a, b, v + 0.5 * h * k1v, u + 0.5 * h * k1u, I, &k2v, &k2u);
    izh_rhs(a, b, v + 0.5 * h * k2v, u + 0.5 * h * k2u, I, &k3v, &k3u);
    izh_rhs(a, b, v + h * k3v, u + h * k3u, I, &k4v, &k4u);
    v += h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v);
    u += h / 6 * (k1u + 2 * k2u + 2 * k3u + k4u);
    if (s->pending) {
      v += s->pv[i];
      s->pv[i] = 0;
    }
    if (v >= IZH_PEAK) {
      int rc = evs__pop_emit(pop, t, i);
      if (rc) return rc;
      v = s->c[i];
      u += s->d[i];
    }
    s->v[i] = v;
    s->u[i] = u;
  }
  s->pending = 0;
  s->t_now = t;
  return EVS_OK;
}

static double izh_voltage(evs_pop *pop, uint32_t id, double t) {
  (void)t;
  const izh_state *s = pop->state;
  return s->v[id] * 1e-3;
}

double evs__izh_u(const evs_pop *pop, uint32_t id) {
  const izh_state *s = pop->state;
  return s->u[id];
}

/* Adds delta (mV/ms, the drive's unit: izh_dc_scale) at a tick time t. */
static void izh_inject(evs_pop *pop, uint32_t id, double t, double delta) {
  (void)t;
  izh_state *s = pop->state;
  s->drive[id] += delta;
}

/* u in mV/ms, which is V/s */
static const evs_recordable izh_recordables[] = {{"u", "V/s"}};

static double izh_state_of(evs_pop *pop, uint32_t id, double t, int var) {
  (void)t;
  (void)var;
  return evs__izh_u(pop, id);
}

/* v, u, pending inputs, the drive (current sources change it), the state
 * time. */
static int izh_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  izh_state *s = pop->state;
  evs_ckpt_neurons(ck, s->v, pop->size, sizeof *s->v);
  evs_ckpt_neurons(ck, s->u, pop->size, sizeof *s->u);
  evs_ckpt_neurons(ck, s->pv, pop->size, sizeof *s->pv);
  evs_ckpt_neurons(ck, s->drive, pop->size, sizeof *s->drive);
  evs_ckpt_bytes(ck, &s->t_now, sizeof s->t_now);
  return evs_ckpt_any(ck, &s->pending);
}

const evs_neuron_type evs__izhikevich = {
    .name = "Izhikevich",
    .kind = EVS_POP_CLOCKED,
    .params = izh_params,
    .n_params = P_N_PARAMS,
    .weight_scale = izh_weight_scale,
    .init = izh_init,
    .destroy = izh_destroy,
    .deliver = izh_deliver,
    .tick = izh_tick,
    .voltage = izh_voltage,
    .dc_scale = izh_dc_scale,
    .sliceable = 1,
    .inject = izh_inject,
    .recordables = izh_recordables,
    .n_recordables = 1,
    .state = izh_state_of,
    .check_change = izh_check_change,
    .change = izh_change,
    .checkpoint = izh_checkpoint,
};
