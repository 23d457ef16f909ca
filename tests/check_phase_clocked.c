/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: the parameters of the clocked neuron types changed between
 * the phases of a run (evs_net_set_param after evs_net_run_until), against
 * a reference written here.
 *
 * Four neurons of a type (v_init -65, -64, -63, -62 mV; i_offset drives
 * them to fire) take one conductance or current input at 80.15 ms (mid-step,
 * so the step it enters is not in doubt; 3.3 ms before the change); one
 * parameter changes at T1. The reference integrates each neuron with the step
 * of the type's documentation (written out again here from its equations, not
 * read from the library): IF_curr_exp_grid's exact propagators, the exponential
 * Euler step of the conductance types with their conductances' decays, AdEx's
 * and Izhikevich's fourth-order Runge-Kutta step; the ticks up to the last one
 * before T1 with the old value, the rest with the new one, the state
 * carried over. Every sampled v is the reference's to 1 nV and every spike
 * falls on the reference's tick, on one thread and on two (which hold
 * neuron 0 and neurons 1-3: a change made on one slice only shows). A value
 * set to itself between the phases gives the bytes of the run in one
 * go. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/evsnn.h"

#define DT 1e-4      /* s: the clock */
#define T_END 0.2    /* s */
#define T1 0.08345   /* s: the change (the last tick before it: 834) */
#define NT 2000      /* ticks in the run */
#define N 4          /* neurons */
#define REC 0.537e-3 /* s: v sampled every REC (mostly between ticks) */
/* s: the input's arrival (its spike at 79.15 ms, 1 ms delay) */
#define T_IN 80.15e-3
#define MAX_SPIKES 4000
#define MAX_PARAMS 24

/* A parameter's name and value (SI). */
typedef struct kv {
  const char *name;
  double value;
} kv;

/* A change: the type, every parameter the reference reads (set explicitly,
 * so the type's defaults play no part), the input's receptor (1 inhibitory)
 * and weight (0: no input) and dimension, the parameter changed and its new
 * value. */
typedef struct clocked_case {
  const char *type;
  kv par[MAX_PARAMS];
  int inh;
  double w;
  evs_dim wdim;
  const char *param;
  double after;
} clocked_case;

/* The value of name in the parameters p (or the change's new value when
 * late and name is the changed parameter); fails the test when absent. */
static double P(const clocked_case *c, const char *name, int late) {
  if (late && !strcmp(name, c->param)) return c->after;
  for (int k = 0; k < MAX_PARAMS && c->par[k].name; k++)
    if (!strcmp(c->par[k].name, name)) return c->par[k].value;
  ck_abort_msg("%s: no parameter %s in the case", c->type, name);
  return NAN;
}

/* ---- the reference steps --------------------------------------------------
 * Each advances one neuron's state y by one tick ending at k DT with the
 * parameters of the phase (late: after the change), the input x (its
 * weight, in the step it arrives) added where the type adds it; returns 1
 * on a spike (the reset done). y[0] is v in volts. */
typedef int (*ref_step_fn)(const clocked_case *c, int late, double *y, long k,
                           double in);

/* IF_curr_exp_grid: y = (v, x_E, x_I, refractory steps left). */
static int step_grid(const clocked_case *c, int late, double *y, long k,
                     double in) {
  (void)k;
  double tm = P(c, "tau_m", late), cm = P(c, "cm", late);
  double vinf = P(c, "v_rest", late) + tm / cm * P(c, "i_offset", late);
  double p22 = exp(-DT / tm),
         ts[2] = {P(c, "tau_syn_E", late), P(c, "tau_syn_I", late)};
  if (y[3] == 0) {
    double v = vinf + (y[0] - vinf) * p22;
    for (int r = 0; r < 2; r++)
      v += ts[r] / (ts[r] - tm) * (exp(-DT / ts[r]) - p22) * y[1 + r];
    y[0] = v;
  } else {
    y[3] -= 1;
  }
  for (int r = 0; r < 2; r++) y[1 + r] *= exp(-DT / ts[r]);
  y[1 + c->inh] += in * tm / cm; /* a current weight: x = R I */
  if (y[0] < P(c, "v_thresh", late)) return 0;
  y[0] = P(c, "v_reset", late);
  y[3] = round(P(c, "tau_refrac", late) / DT);
  return 1;
}

/* The part of the step (t0, t0 + DT] after a refractory period that ends
 * at until. */
static double free_part(double until, double t0) {
  double r = until - t0;
  return r <= 0 ? DT : r >= DT ? 0 : DT - r;
}

/* IF_cond_exp_gsfa_grr: y = (v, g_e, g_i, g_sfa, g_rr, refractory end). */
static int step_sfa(const clocked_case *c, int late, double *y, long k,
                    double in) {
#define Q(name) P(c, name, late)
  double t0 = (k - 1) * DT, gl = Q("cm") / Q("tau_m");
  double g = gl + y[1] + y[2] + y[3] + y[4];
  double vinf =
      (gl * Q("v_rest") + Q("i_offset") + y[1] * Q("e_rev_E") +
       y[2] * Q("e_rev_I") + y[3] * Q("e_rev_sfa") + y[4] * Q("e_rev_rr")) /
      g;
  y[0] = vinf + (y[0] - vinf) * exp(-free_part(y[5], t0) * g / Q("cm"));
  y[1] *= exp(-DT / Q("tau_syn_E"));
  y[2] *= exp(-DT / Q("tau_syn_I"));
  y[3] *= exp(-DT / Q("tau_sfa"));
  y[4] *= exp(-DT / Q("tau_rr"));
  y[1 + c->inh] += in;
  if (y[0] < Q("v_thresh")) return 0;
  y[0] = Q("v_reset");
  y[5] = k * DT + Q("tau_refrac");
  y[3] += Q("q_sfa");
  y[4] += Q("q_rr");
  return 1;
}

/* IF_cond_ampa_nmda: y = (v, g_A, g_G, g_N, threshold offset, refractory
 * end). */
static int step_nmda(const clocked_case *c, int late, double *y, long k,
                     double in) {
  double t0 = (k - 1) * DT, gl = Q("cm") / Q("tau_m");
  double r = Q("ampa_nmda_ratio"), ta = Q("tau_ampa"), tn = Q("tau_nmda");
  double ge = r / (1 + r) * y[1] + 1 / (1 + r) * y[3];
  double g = gl + ge + y[2];
  double vinf = (gl * Q("v_rest") + Q("i_offset") + ge * Q("e_rev_E") +
                 y[2] * Q("e_rev_I")) /
                g;
  y[0] = vinf + (y[0] - vinf) * exp(-free_part(y[5], t0) * g / Q("cm"));
  /* g_N' = (g_A - g_N) / tau_n with g_A = g_A(t0) e^{-s/tau_a}, solved */
  y[3] = y[3] * exp(-DT / tn) +
         y[1] * ta / (tn - ta) * (exp(-DT / tn) - exp(-DT / ta));
  y[1] *= exp(-DT / ta);
  y[2] *= exp(-DT / Q("tau_gaba"));
  y[4] *= exp(-DT / Q("tau_thr"));
  y[c->inh ? 2 : 1] += in;
  y[0] = fmin(fmax(y[0], Q("e_rev_I")), Q("e_rev_E"));
  if (!(y[0] > Q("v_thresh") + y[4])) return 0;
  y[0] = Q("v_reset");
  y[4] = Q("thr_jump");
  y[5] = k * DT + Q("tau_refrac");
  return 1;
}

/* AdEx's right-hand side at (v, w) with conductances ge, gi, every term at
 * min(v, v_spike): dv/dt, dw/dt into f. */
static void adex_f(const clocked_case *c, int late, double v, double w,
                   double ge, double gi, double f[2]) {
  double u = fmin(v, Q("v_spike")), gl = Q("cm") / Q("tau_m");
  double dT = Q("delta_T");
  f[0] =
      (gl * (Q("v_rest") - u) + gl * dT * exp((u - Q("v_thresh")) / dT) +
       ge * (Q("e_rev_E") - u) + gi * (Q("e_rev_I") - u) - w + Q("i_offset")) /
      Q("cm");
  f[1] = (Q("a") * (u - Q("v_rest")) - w) / Q("tau_w");
}

/* EIF_cond_exp_isfa_ista: y = (v, w, g_e, g_i, refractory end). RK4 over
 * the free part h of the step, the conductances at their exact values at
 * its stages; w relaxes exactly towards a (v_reset - v_rest) while v is
 * held. */
static int step_adex(const clocked_case *c, int late, double *y, long k,
                     double in) {
  double t0 = (k - 1) * DT, te = Q("tau_syn_E"), ti = Q("tau_syn_I");
  double h = free_part(y[4], t0), r = DT - h;
  if (r > 0) {
    double winf = Q("a") * (Q("v_reset") - Q("v_rest"));
    y[1] = winf + (y[1] - winf) * exp(-r / Q("tau_w"));
  }
  if (h > 0) {
    double ge = y[2] * exp(-r / te), gi = y[3] * exp(-r / ti);
    double s[3] = {0, h / 2, h}, k1[2], k2[2], k3[2], k4[2];
#define G(j) ge *exp(-s[j] / te), gi *exp(-s[j] / ti)
    adex_f(c, late, y[0], y[1], G(0), k1);
    adex_f(c, late, y[0] + h / 2 * k1[0], y[1] + h / 2 * k1[1], G(1), k2);
    adex_f(c, late, y[0] + h / 2 * k2[0], y[1] + h / 2 * k2[1], G(1), k3);
    adex_f(c, late, y[0] + h * k3[0], y[1] + h * k3[1], G(2), k4);
#undef G
    for (int j = 0; j < 2; j++)
      y[j] += h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
  }
  y[2] *= exp(-DT / te);
  y[3] *= exp(-DT / ti);
  y[2 + c->inh] += in;
  if (y[0] < Q("v_spike")) return 0;
  y[0] = Q("v_reset");
  y[1] += Q("b");
  y[4] = k * DT + Q("tau_refrac");
  return 1;
}

/* Izhikevich, in mV, ms and mV/ms: y = (v in V, u). v' = 0.04 v^2 + 5 v +
 * 140 - u + I, u' = a (b v - u), v at most 30 mV in the right-hand side;
 * an input (a voltage) moves v at the step's end; v >= 30 mV: v = c,
 * u += d. */
static int step_izh(const clocked_case *c, int late, double *y, long k,
                    double in) {
  (void)k;
  double a = Q("a") * 1e-3, b = Q("b") * 1e-3, I = Q("i_offset") * 1e12;
  double h = DT * 1e3, v = y[0] * 1e3, u = y[1], kv[4], ku[4];
  for (int j = 0; j < 4; j++) {
    double f = j == 0 ? 0 : j == 3 ? h : h / 2;
    double vj = v + (j ? f * kv[j - 1] : 0), uj = u + (j ? f * ku[j - 1] : 0);
    double x = fmin(vj, 30.0);
    kv[j] = 0.04 * x * x + 5 * x + 140 - uj + I;
    ku[j] = a * (b * x - uj);
  }
  v += h / 6 * (kv[0] + 2 * kv[1] + 2 * kv[2] + kv[3]);
  u += h / 6 * (ku[0] + 2 * ku[1] + 2 * ku[2] + ku[3]);
  v += in * 1e3;
  int spike = v >= 30.0;
  if (spike) {
    v = Q("c") * 1e3;
    u += Q("d");
  }
  y[0] = v * 1e-3;
  y[1] = u;
  return spike;
}
#undef Q

/* The reference's state at rest: v = v_init, the rest 0 (no refractory
 * period: its end far in the past). */
static void ref_init(const clocked_case *c, double v0, double *y) {
  memset(y, 0, 8 * sizeof *y);
  y[0] = v0;
  if (!strcmp(c->type, "IF_cond_exp_gsfa_grr") ||
      !strcmp(c->type, "IF_cond_ampa_nmda"))
    y[5] = -1e30;
  if (!strcmp(c->type, "EIF_cond_exp_isfa_ista")) y[4] = -1e30;
  if (!strcmp(c->type, "Izhikevich")) y[1] = P(c, "u_init", 0);
}

static ref_step_fn ref_step_of(const char *type) {
  if (!strcmp(type, "IF_curr_exp_grid")) return step_grid;
  if (!strcmp(type, "IF_cond_exp_gsfa_grr")) return step_sfa;
  if (!strcmp(type, "IF_cond_ampa_nmda")) return step_nmda;
  if (!strcmp(type, "EIF_cond_exp_isfa_ista")) return step_adex;
  return step_izh;
}

/* ---- the cases ------------------------------------------------------------
 */

#define GRID_PAR                                                               \
  {                                                                            \
    {"cm", 1e-9}, {"tau_m", 20e-3}, {"tau_syn_E", 5e-3}, {"tau_syn_I", 5e-3},  \
        {"tau_refrac", 2e-3}, {"v_rest", -65e-3}, {"v_reset", -65e-3},         \
        {"v_thresh", -50e-3}, {                                                \
      "i_offset", 1e-9                                                         \
    }                                                                          \
  }
#define SFA_PAR                                                                \
  {                                                                            \
    {"cm", 1e-9}, {"tau_m", 20e-3}, {"tau_syn_E", 5e-3}, {"tau_syn_I", 5e-3},  \
        {"tau_refrac", 2e-3}, {"tau_sfa", 100e-3}, {"tau_rr", 2e-3},           \
        {"v_rest", -65e-3}, {"v_reset", -65e-3}, {"v_thresh", -50e-3},         \
        {"e_rev_E", 0}, {"e_rev_I", -75e-3}, {"e_rev_sfa", -75e-3},            \
        {"e_rev_rr", -75e-3}, {"q_sfa", 5e-9}, {"q_rr", 100e-9}, {             \
      "i_offset", 1.5e-9                                                       \
    }                                                                          \
  }
#define NMDA_PAR                                                               \
  {                                                                            \
    {"cm", 200e-12}, {"tau_m", 20e-3}, {"tau_ampa", 5e-3},                     \
        {"tau_gaba", 10e-3}, {"tau_nmda", 100e-3}, {"tau_thr", 20e-3},         \
        {"tau_refrac", 1e-3}, {"ampa_nmda_ratio", 1}, {"thr_jump", 20e-3},     \
        {"v_rest", -70e-3}, {"v_reset", -70e-3}, {"v_thresh", -50e-3},         \
        {"e_rev_E", 0}, {"e_rev_I", -80e-3}, {                                 \
      "i_offset", 0.25e-9                                                      \
    }                                                                          \
  }
#define ADEX_PAR                                                               \
  {                                                                            \
    {"cm", 0.281e-9}, {"tau_m", 9.3667e-3}, {"tau_syn_E", 5e-3},               \
        {"tau_syn_I", 5e-3}, {"tau_w", 144e-3}, {"delta_T", 2e-3},             \
        {"tau_refrac", 0.15e-3}, {"v_rest", -70.6e-3}, {"v_reset", -60e-3},    \
        {"v_thresh", -50.4e-3}, {"v_spike", -40e-3}, {"e_rev_E", 0},           \
        {"e_rev_I", -80e-3}, {"a", 4e-9}, {"b", 0.0805e-9}, {                  \
      "i_offset", 0.8e-9                                                       \
    }                                                                          \
  }
#define IZH_PAR                                                                \
  {                                                                            \
    {"a", 20}, {"b", 200}, {"c", -65e-3}, {"d", 8}, {"i_offset", 10e-12}, {    \
      "u_init", -14                                                            \
    }                                                                          \
  }

static const clocked_case cases[] = {
    {"IF_curr_exp_grid", GRID_PAR, 0, 0, EVS_DIM_CURRENT, "i_offset", 1.6e-9},
    {"IF_curr_exp_grid", GRID_PAR, 0, 0, EVS_DIM_CURRENT, "v_thresh", -47e-3},
    {"IF_curr_exp_grid", GRID_PAR, 0, 0, EVS_DIM_CURRENT, "tau_refrac", 5e-3},
    {"IF_curr_exp_grid", GRID_PAR, 0, 2e-9, EVS_DIM_CURRENT, "tau_syn_E", 2e-3},
    {"IF_curr_exp_grid", GRID_PAR, 1, -2e-9, EVS_DIM_CURRENT, "tau_syn_I",
     9e-3},
    {"IF_cond_exp_gsfa_grr", SFA_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "tau_sfa",
     30e-3},
    {"IF_cond_exp_gsfa_grr", SFA_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "q_sfa",
     20e-9},
    {"IF_cond_exp_gsfa_grr", SFA_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "cm", 0.6e-9},
    {"IF_cond_exp_gsfa_grr", SFA_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "v_rest",
     -60e-3},
    {"IF_cond_exp_gsfa_grr", SFA_PAR, 0, 20e-9, EVS_DIM_CONDUCTANCE,
     "tau_syn_E", 2e-3},
    {"IF_cond_ampa_nmda", NMDA_PAR, 0, 20e-9, EVS_DIM_CONDUCTANCE, "tau_nmda",
     40e-3},
    {"IF_cond_ampa_nmda", NMDA_PAR, 0, 20e-9, EVS_DIM_CONDUCTANCE,
     "ampa_nmda_ratio", 3},
    {"IF_cond_ampa_nmda", NMDA_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "tau_thr", 5e-3},
    {"IF_cond_ampa_nmda", NMDA_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "thr_jump",
     40e-3},
    {"IF_cond_ampa_nmda", NMDA_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "tau_m", 30e-3},
    {"EIF_cond_exp_isfa_ista", ADEX_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "tau_w",
     50e-3},
    {"EIF_cond_exp_isfa_ista", ADEX_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "a", 1e-9},
    {"EIF_cond_exp_isfa_ista", ADEX_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "v_thresh",
     -52e-3},
    {"EIF_cond_exp_isfa_ista", ADEX_PAR, 0, 0, EVS_DIM_CONDUCTANCE, "tau_m",
     15e-3},
    {"EIF_cond_exp_isfa_ista", ADEX_PAR, 0, 0, EVS_DIM_CONDUCTANCE,
     "tau_refrac", 3e-3},
    {"EIF_cond_exp_isfa_ista", ADEX_PAR, 1, 10e-9, EVS_DIM_CONDUCTANCE,
     "tau_syn_I", 1e-3},
    {"Izhikevich", IZH_PAR, 0, 0, EVS_DIM_VOLTAGE, "a", 100},
    {"Izhikevich", IZH_PAR, 0, 0, EVS_DIM_VOLTAGE, "d", 2},
    {"Izhikevich", IZH_PAR, 0, 0, EVS_DIM_VOLTAGE, "i_offset", 5e-12},
    {"Izhikevich", IZH_PAR, 0, 0, EVS_DIM_VOLTAGE, "c", -50e-3},
};

/* ---- the runs -------------------------------------------------------------
 */

static void setp(evs_net *net, int pop, const char *name, double v) {
  evs_dist d = evs_dist_const(v);
  evs_error err;
  ck_assert_msg(evs_net_set_param(net, pop, name, &d, &err) == EVS_OK, "%s",
                err.msg);
}

/* What a run left: the folder with its files (removed by the caller). */
typedef struct run_out {
  char dir[512];
} run_out;

/* Runs case c on threads threads: in one go (phased 0), or stopped at T1
 * and the parameter set to its value (phased 1) or to the new one (phased
 * 2) before going on to T_END. */
static void run_case(const clocked_case *c, int threads, int phased,
                     run_out *out) {
  tu_mkdtemp(out->dir, sizeof out->dir, "evsnn-clocked");
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 5, DT), EVS_OK);
  int p = evs_net_add_population(net, "N", c->type, N, &err);
  ck_assert_msg(p >= 0, "%s", err.msg);
  for (int k = 0; k < MAX_PARAMS && c->par[k].name; k++)
    setp(net, p, c->par[k].name, c->par[k].value);
  double v0[N];
  for (int i = 0; i < N; i++) v0[i] = (-65 + i) * 1e-3;
  ck_assert_int_eq(evs_net_set_param_values(net, p, "v_init", v0, N, &err),
                   EVS_OK);
  char ras[512];
  ras[0] = 0;
  if (c->w != 0) {
    tu_write_tmp(ras, sizeof ras, "evsnn-clocked", "0.07915 0\n");
    int a = evs_net_add_population(net, "A", "SpikeSourceArray", 1, &err);
    ck_assert_int_ge(a, 0);
    ck_assert_int_eq(evs_net_set_path(net, a, "file", ras, &err), EVS_OK);
    evs_conn_spec all = {.kind = EVS_CONN_ALL_TO_ALL,
                         .weight = evs_dist_const(c->w),
                         .delay = evs_dist_const(1e-3)};
    ck_assert_msg(evs_net_connect(net, "AN", a, p,
                                  c->inh ? EVS_RECEPTOR_INH : EVS_RECEPTOR_EXC,
                                  &all, c->wdim, &err) >= 0,
                  "%s", err.msg);
  }
  uint32_t ids[N] = {0, 1, 2, 3};
  ck_assert_int_eq(evs_net_record_v(net, p, ids, N, REC, &err), EVS_OK);
  evs_run_opts opts = {
      .duration = T_END, .outdir = out->dir, .threads = threads};
  ck_assert_msg(evs_net_start(net, &opts, &err) == EVS_OK, "%s", err.msg);
  if (phased) {
    ck_assert_int_eq(evs_net_run_until(net, T1, &err), EVS_OK);
    setp(net, p, c->param, phased == 2 ? c->after : P(c, c->param, 0));
  }
  ck_assert_int_eq(evs_net_run_until(net, T_END, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
  if (ras[0]) unlink(ras);
}

/* The whole of file name in run r (malloc'd; its length in *len). */
static char *slurp(const run_out *r, const char *name, size_t *len) {
  char path[700];
  snprintf(path, sizeof path, "%s/%s", r->dir, name);
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *b = malloc((size_t)n + 1);
  ck_assert(b && fread(b, 1, (size_t)n, f) == (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

/* The reference of case c: each neuron's v after every tick into vref
 * (when not NULL), its spikes' ticks into spk[i][0..nspk[i]). */
static void reference(const clocked_case *c, double (*vref)[N],
                      long (*spk)[MAX_SPIKES], size_t nspk[N]) {
  ref_step_fn step = ref_step_of(c->type);
  const long k1 = (long)floor(T1 / DT); /* the last tick before the change */
  const long k_in = (long)ceil(T_IN / DT);
  for (int i = 0; i < N; i++) {
    double y[8];
    ref_init(c, (-65 + i) * 1e-3, y);
    nspk[i] = 0;
    if (vref) vref[0][i] = y[0];
    for (long k = 1; k <= NT; k++) {
      if (step(c, k > k1, y, k, k == k_in ? c->w : 0)) {
        ck_assert_uint_lt(nspk[i], MAX_SPIKES);
        spk[i][nspk[i]++] = k;
      }
      if (vref) vref[k][i] = y[0];
    }
  }
}

/* Run r against the reference of case c: every sample of v (the state of
 * the last tick before it) to 1 nV, every spike on its tick. The reference's
 * spikes before and after the change (summed over the neurons) into
 * count. */
static void check_against_reference(const clocked_case *c, const run_out *r,
                                    long count[2]) {
  static double vref[NT + 1][N];
  static long spk[N][MAX_SPIKES];
  size_t nspk[N];
  const long k1 = (long)floor(T1 / DT);
  reference(c, vref, spk, nspk);
  count[0] = count[1] = 0;
  for (int i = 0; i < N; i++)
    for (size_t j = 0; j < nspk[i]; j++) count[spk[i][j] > k1]++;
  /* the spikes, in time order then id order */
  char path[700];
  snprintf(path, sizeof path, "%s/N.ras", r->dir);
  static double t[N * MAX_SPIKES];
  static unsigned id[N * MAX_SPIKES];
  size_t n = tu_read_raster(path, t, id, N * MAX_SPIKES), seen[N] = {0};
  ck_assert_uint_eq(n, (size_t)(count[0] + count[1]));
  for (size_t q = 0; q < n; q++) {
    unsigned i = id[q];
    ck_assert_uint_lt(i, N);
    ck_assert_uint_lt(seen[i], nspk[i]);
    long want = spk[i][seen[i]++];
    ck_assert_msg(fabs(t[q] - want * DT) < 1e-9,
                  "%s %s: neuron %u spike at %.9f s, reference %.9f s", c->type,
                  c->param, i, t[q], want * DT);
  }
  /* the samples */
  snprintf(path, sizeof path, "%s/v_N.tsv", r->dir);
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  char line[512];
  int rows = 0;
  while (fgets(line, sizeof line, f)) {
    double ts, v[N];
    if (sscanf(line, "%lf %lf %lf %lf %lf", &ts, &v[0], &v[1], &v[2], &v[3]) !=
        5)
      continue; /* the header */
    /* a sample shows the state of the last tick before it; one taken at a
     * tick's time (to rounding) may come before or after that tick */
    double x = ts / DT;
    if (fabs(x - round(x)) < 1e-3) continue;
    long k = (long)floor(x);
    ck_assert(k >= 0 && k <= NT);
    for (int i = 0; i < N; i++)
      ck_assert_msg(fabs(v[i] - vref[k][i]) < 1e-9,
                    "%s %s: neuron %d v(%.4f s) = %.9g V, reference %.9g V",
                    c->type, c->param, i, ts, v[i], vref[k][i]);
    rows++;
  }
  fclose(f);
  ck_assert_int_ge(rows, (int)(T_END / REC) - 4);
}

/* Each case on one thread and two against the reference, with spikes in
 * both phases; the change makes a difference (the reference of the old
 * value throughout differs). */
START_TEST(test_clocked_change) {
  const clocked_case *c = &cases[_i];
  long count[2];
  for (int threads = 1; threads <= 2; threads++) {
    run_out r;
    run_case(c, threads, 2, &r);
    check_against_reference(c, &r, count);
    tu_rm_rf(r.dir);
  }
  ck_assert_msg(count[0] >= 3 && count[1] >= 3, "%s %s: %ld + %ld spikes",
                c->type, c->param, count[0], count[1]);
  /* the change makes a difference: the reference of the old value
   * throughout moves v by more than 0.1 mV somewhere */
  static double v[2][NT + 1][N];
  static long spk[N][MAX_SPIKES];
  size_t nspk[N];
  clocked_case unchanged = *c;
  unchanged.after = P(c, c->param, 0);
  reference(c, v[0], spk, nspk);
  reference(&unchanged, v[1], spk, nspk);
  double most = 0;
  for (long k = 0; k <= NT; k++)
    for (int i = 0; i < N; i++)
      most = fmax(most, fabs(v[0][k][i] - v[1][k][i]));
  ck_assert_msg(most > 1e-4, "%s %s: the change moves v by %g V only", c->type,
                c->param, most);
}
END_TEST

/* A value set to itself between the phases: the bytes of the run in one
 * go (spikes and samples), on one thread and on two. */
START_TEST(test_clocked_same_value) {
  const clocked_case *c = &cases[_i];
  for (int threads = 1; threads <= 2; threads++) {
    run_out one, two;
    run_case(c, threads, 0, &one);
    run_case(c, threads, 1, &two);
    const char *files[] = {"N.ras", "v_N.tsv"};
    for (int f = 0; f < 2; f++) {
      size_t n1, n2;
      char *a = slurp(&one, files[f], &n1), *b = slurp(&two, files[f], &n2);
      ck_assert_msg(n1 == n2 && memcmp(a, b, n1) == 0, "%s %s: %s differs",
                    c->type, c->param, files[f]);
      free(a);
      free(b);
    }
    tu_rm_rf(one.dir);
    tu_rm_rf(two.dir);
  }
}
END_TEST

/* What cannot change once built is refused with the key, and the run
 * goes on: an initial value of every type, the grid's cm and tau_m (R
 * scales the weights), and values the build would refuse. */
START_TEST(test_clocked_refusals) {
  static const struct {
    const char *type, *param;
    double value;
    int code;
  } no[] = {
      {"IF_curr_exp_grid", "cm", 2e-9, EVS_EINVAL},
      {"IF_curr_exp_grid", "tau_m", 10e-3, EVS_EINVAL},
      {"IF_curr_exp_grid", "v_init", -60e-3, EVS_EINVAL},
      {"IF_curr_exp_grid", "tau_syn_E", 20e-3, EVS_EINVAL}, /* = tau_m */
      {"IF_curr_exp_grid", "background_rate", -1, EVS_EINVAL},
      {"IF_cond_exp_gsfa_grr", "v_init", -60e-3, EVS_EINVAL},
      {"IF_cond_exp_gsfa_grr", "tau_sfa", 0, EVS_EMODEL},
      {"IF_cond_ampa_nmda", "gsyn_exc_init", 1e-9, EVS_EINVAL},
      {"IF_cond_ampa_nmda", "e_rev_I", 10e-3, EVS_EMODEL},
      {"EIF_cond_exp_isfa_ista", "v_init", -60e-3, EVS_EINVAL},
      {"EIF_cond_exp_isfa_ista", "v_thresh", -30e-3, EVS_EMODEL},
      {"EIF_cond_exp_isfa_ista", "tau_w", -1, EVS_EMODEL},
      {"Izhikevich", "u_init", 0, EVS_EINVAL},
      {"Izhikevich", "c", 40e-3, EVS_EMODEL},
  };
  for (size_t j = 0; j < sizeof no / sizeof *no; j++) {
    char dir[512];
    tu_mkdtemp(dir, sizeof dir, "evsnn-clockedno");
    evs_net *net;
    evs_error err;
    ck_assert_int_eq(evs_net_new(&net, 5, DT), EVS_OK);
    int p = evs_net_add_population(net, "N", no[j].type, 2, &err);
    ck_assert_int_ge(p, 0);
    evs_run_opts opts = {.duration = 0.02, .outdir = dir};
    ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
    ck_assert_int_eq(evs_net_run_until(net, 0.01, &err), EVS_OK);
    evs_dist d = evs_dist_const(no[j].value);
    ck_assert_msg(evs_net_set_param(net, p, no[j].param, &d, &err) ==
                      no[j].code,
                  "%s %s: accepted or another error (%s)", no[j].type,
                  no[j].param, err.msg);
    ck_assert_msg(!strcmp(err.key, no[j].param), "%s %s: key '%s' (%s)",
                  no[j].type, no[j].param, err.key, err.msg);
    /* the run goes on */
    ck_assert_int_eq(evs_net_run_until(net, 0.02, &err), EVS_OK);
    ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
    evs_net_free(net);
    tu_rm_rf(dir);
  }
}
END_TEST

static Suite *phase_clocked_suite(void) {
  Suite *s = suite_create("phase_clocked");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  int n = (int)(sizeof cases / sizeof *cases);
  tcase_add_loop_test(tc, test_clocked_change, 0, n);
  tcase_add_loop_test(tc, test_clocked_same_value, 0, n);
  tcase_add_test(tc, test_clocked_refusals);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(phase_clocked_suite()); }
