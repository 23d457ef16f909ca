/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: v_thresh, v_reset, tau_refrac and cm per neuron in the
 * exact current-based types (IF_curr_exp, IF_curr_alpha), through the
 * public API, against closed forms and the RK4 reference.
 *
 * - Lone neurons driven by i_offset (no synapses) relax to
 *   v_inf = v_rest + (tau_m / cm_j) i_offset with time constant tau_m, so
 *   each crosses its own threshold th_j from (t, v) at
 *   t + tau_m ln((v_inf - v) / (v_inf - th_j)), restarts from its own
 *   v_reset_j after its own tau_refrac_j: every spike at the closed form's
 *   time, each neuron with its own values (set per neuron with
 *   evs_net_set_param_values), one thread or two (the same spikes).
 * - The same values changed between phases (all neurons alike before, or
 *   already different): before the change the old values, from it on the
 *   new ones; a refractory period begun before the change keeps its
 *   length, the reset at its end takes the new v_reset.
 * - Values drawn from distributions: each neuron's spikes are those of one
 *   threshold and one refractory period inside the distribution's range,
 *   the thresholds differ, and two threads give the same spikes.
 * - A parameter drawn at the build and given values between phases keeps
 *   its draws: v_rest (after tau_refrac in the order) changed later moves
 *   each neuron from its drawn value (the intervals after it in closed
 *   form).
 * - A recurrent network whose excitatory neurons have their own v_thresh,
 *   v_reset, tau_refrac and cm against the lockstep RK4 reference
 *   (lif_refnet.h, lif_reference.h), a current weight w giving each
 *   neuron the jump (tau_m / cm_j) w in its synaptic variable (w as the
 *   projection stores it: a float of R w, R = tau_m / cm of the
 *   population's mean cm, so
 *   the jump is that float times cm / cm_j).
 * - Refused: weights or a constant input given as voltages onto a
 *   population whose cm differs between neurons (at the connection or at
 *   the build), a neuron's
 *   v_reset at or above its own v_thresh (named), per-neuron values of
 *   IF_curr_exp_grid's v_thresh, an inconsistent change between phases. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/evsnn.h"
#include "lif_refnet.h"
#include "net_test_util.h"

#define N_LONE 6
#define T_END 0.3  /* s: the lone neurons' runs */
#define T1 0.12345 /* s: the change between phases */
#define MAX_SPIKES 400
#define TAU_M 20e-3 /* s */
#define I_OFF 1e-9  /* A */
#define V_REST -65e-3

static const char *const types[2] = {"IF_curr_exp", "IF_curr_alpha"};

/* The lone neurons' own values (cm, v_thresh, v_reset, tau_refrac), and
 * the values a change between phases gives them. */
static const double cm[N_LONE] = {1e-9, 0.8e-9, 1.25e-9, 0.9e-9, 1.1e-9, 1e-9};
static const double thr[N_LONE] = {-50e-3, -48e-3,   -52e-3,
                                   -51e-3, -49.5e-3, -47e-3};
static const double vr[N_LONE] = {-65e-3, -60e-3, -70e-3,
                                  -55e-3, -62e-3, -66e-3};
static const double tr[N_LONE] = {2e-3, 1e-3, 3e-3, 0.5e-3, 2.5e-3, 0};
static const double thr2[N_LONE] = {-49e-3,   -50e-3, -51e-3,
                                    -49.5e-3, -48e-3, -50e-3};
static const double vr2[N_LONE] = {-60e-3, -66e-3, -58e-3,
                                   -70e-3, -55e-3, -61e-3};
static const double tr2[N_LONE] = {0.7e-3, 4e-3, 1.5e-3, 2e-3, 0, 3e-3};

/* One phase's constants of a lone neuron. */
typedef struct phase_c {
  double vinf, thr, vr, tr;
} phase_c;

/* The spikes in [0, T_END) of a lone neuron starting at v0 with the
 * constants ph[0] before t1 and ph[1] from t1 on: a period begun before t1
 * lasts ph[0].tr, and the reset that ends it takes the v_reset of the
 * phase it ends in. */
static size_t reference(double v0, const phase_c ph[2], double t1,
                        double *out) {
  double t = 0, v = v0;
  int k = 0;
  size_t n = 0;
  for (;;) {
    const phase_c *p = &ph[k];
    double end = k == 0 ? t1 : T_END;
    double tc = INFINITY;
    if (v >= p->thr)
      tc = t;
    else if (p->vinf > p->thr)
      tc = t + TAU_M * log((p->vinf - v) / (p->vinf - p->thr));
    if (tc < end) {
      ck_assert_uint_lt(n, MAX_SPIKES);
      out[n++] = tc;
      t = tc + p->tr;
      if (k == 0 && t >= t1) k = 1;
      v = ph[k].vr;
      continue;
    }
    if (k == 1) return n;
    v = p->vinf + (v - p->vinf) * exp(-(t1 - t) / TAU_M);
    t = t1;
    k = 1;
  }
}

static void set_values(evs_net *net, int pop, const char *name, const double *v,
                       size_t n) {
  evs_error err;
  ck_assert_msg(evs_net_set_param_values(net, pop, name, v, n, &err) == EVS_OK,
                "%s", err.msg);
}

/* A net of N_LONE lone neurons of type type (i_offset 1 nA, v_rest and
 * v_init -65 mV, tau_m 20 ms); own: with their own cm, v_thresh, v_reset
 * and tau_refrac, else the population's 1 nF, -50 mV, -65 mV, 2 ms. */
static evs_net *lone_net(const char *type, int own, int *pop) {
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 7, 1e-4), EVS_OK);
  *pop = evs_net_add_population(net, "N", type, N_LONE, &err);
  ck_assert_int_ge(*pop, 0);
  setp(net, *pop, "tau_m", TAU_M);
  setp(net, *pop, "v_rest", V_REST);
  setp(net, *pop, "v_init", V_REST);
  setp(net, *pop, "i_offset", I_OFF);
  setp(net, *pop, "cm", 1e-9);
  setp(net, *pop, "v_thresh", -50e-3);
  setp(net, *pop, "v_reset", -65e-3);
  setp(net, *pop, "tau_refrac", 2e-3);
  if (own) {
    set_values(net, *pop, "cm", cm, N_LONE);
    set_values(net, *pop, "v_thresh", thr, N_LONE);
    set_values(net, *pop, "v_reset", vr, N_LONE);
    set_values(net, *pop, "tau_refrac", tr, N_LONE);
  }
  return net;
}

/* Runs net to T_END on threads threads, param (unless NULL) set per neuron
 * to values at T1; each neuron's spikes into t[j], their counts into n[j]. */
static void run_lone(evs_net *net, int pop, int threads, const char *param,
                     const double *values, double t[N_LONE][MAX_SPIKES],
                     size_t n[N_LONE]) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "evsnn-own");
  evs_error err;
  evs_run_opts opts = {.duration = T_END, .outdir = dir, .threads = threads};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  ck_assert_int_eq(evs_net_run_until(net, T1, &err), EVS_OK);
  if (param) set_values(net, pop, param, values, N_LONE);
  ck_assert_msg(evs_net_run_until(net, T_END, &err) == EVS_OK, "%s", err.msg);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
  char path[600];
  snprintf(path, sizeof path, "%s/N.ras", dir);
  static double all[N_LONE * MAX_SPIKES];
  static unsigned id[N_LONE * MAX_SPIKES];
  size_t m = tu_read_raster(path, all, id, N_LONE * MAX_SPIKES);
  tu_rm_rf(dir);
  memset(n, 0, N_LONE * sizeof *n);
  for (size_t q = 0; q < m; q++) {
    ck_assert_uint_lt(id[q], N_LONE);
    ck_assert_uint_lt(n[id[q]], MAX_SPIKES);
    t[id[q]][n[id[q]]++] = all[q];
  }
}

/* Asserts neuron j's spikes got[0..m) are want[0..n), to the raster's
 * 1 ns. */
static void expect(const char *what, uint32_t j, const double *got, size_t m,
                   const double *want, size_t n) {
  ck_assert_msg(m == n, "%s: neuron %u: %zu spikes, closed form %zu", what, j,
                m, n);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(fabs(got[i] - want[i]) < 1.5e-9,
                  "%s: neuron %u spike %zu at %.9f s, closed form %.9f s", what,
                  j, i, got[i], want[i]);
}

/* Each neuron's own constants (own: the tables above, else the
 * population's) as one phase's. */
static phase_c own_phase(int own, uint32_t j) {
  double c = own ? cm[j] : 1e-9;
  return (phase_c){V_REST + TAU_M / c * I_OFF, own ? thr[j] : -50e-3,
                   own ? vr[j] : -65e-3, own ? tr[j] : 2e-3};
}

/* Each lone neuron with its own values: the closed form's spikes; the
 * same on two threads. */
START_TEST(test_own_closed_form) {
  const char *type = types[_i];
  static double got[N_LONE][MAX_SPIKES], two[N_LONE][MAX_SPIKES],
      want[MAX_SPIKES];
  size_t n[N_LONE], n2[N_LONE];
  int pop;
  for (int threads = 1; threads <= 2; threads++) {
    evs_net *net = lone_net(type, 1, &pop);
    run_lone(net, pop, threads, NULL, NULL, threads == 1 ? got : two,
             threads == 1 ? n : n2);
  }
  for (uint32_t j = 0; j < N_LONE; j++) {
    phase_c ph[2] = {own_phase(1, j), own_phase(1, j)};
    size_t m = reference(V_REST, ph, T1, want);
    ck_assert_uint_ge(m, 5);
    expect(type, j, got[j], n[j], want, m);
    ck_assert_uint_eq(n2[j], n[j]);
    for (size_t i = 0; i < n[j]; i++) ck_assert(two[j][i] == got[j][i]);
  }
}
END_TEST

/* A change between phases: the type, the parameter, whether the neurons
 * had their own values before, the new values. */
typedef struct change_case {
  int type; /* index into types */
  const char *param;
  int own;
  const double *after;
} change_case;

static const change_case changes[] = {
    {0, "v_thresh", 0, thr2},  {0, "v_thresh", 1, thr2},
    {0, "v_reset", 0, vr2},    {0, "v_reset", 1, vr2},
    {0, "tau_refrac", 0, tr2}, {0, "tau_refrac", 1, tr2},
    {1, "v_thresh", 0, thr2},  {1, "v_thresh", 1, thr2},
    {1, "v_reset", 1, vr2},    {1, "tau_refrac", 1, tr2},
};

/* The spikes of each case: the old constants before T1, the new ones from
 * it; the same on two threads. */
START_TEST(test_own_change_between_phases) {
  const change_case *c = &changes[_i];
  const char *type = types[c->type];
  static double got[N_LONE][MAX_SPIKES], two[N_LONE][MAX_SPIKES],
      want[MAX_SPIKES];
  size_t n[N_LONE], n2[N_LONE];
  int pop;
  for (int threads = 1; threads <= 2; threads++) {
    evs_net *net = lone_net(type, c->own, &pop);
    run_lone(net, pop, threads, c->param, c->after, threads == 1 ? got : two,
             threads == 1 ? n : n2);
  }
  for (uint32_t j = 0; j < N_LONE; j++) {
    phase_c ph[2] = {own_phase(c->own, j), own_phase(c->own, j)};
    if (!strcmp(c->param, "v_thresh")) ph[1].thr = c->after[j];
    if (!strcmp(c->param, "v_reset")) ph[1].vr = c->after[j];
    if (!strcmp(c->param, "tau_refrac")) ph[1].tr = c->after[j];
    size_t m = reference(V_REST, ph, T1, want);
    size_t before = 0;
    while (before < m && want[before] < T1) before++;
    ck_assert_msg(before >= 2 && m - before >= 2, "neuron %u: %zu + %zu", j,
                  before, m - before);
    char what[100];
    snprintf(what, sizeof what, "%s %s (own before: %d)", type, c->param,
             c->own);
    expect(what, j, got[j], n[j], want, m);
    ck_assert_uint_eq(n2[j], n[j]);
    for (size_t i = 0; i < n[j]; i++) ck_assert(two[j][i] == got[j][i]);
  }
}
END_TEST

/* Thresholds uniform in [-52, -48] mV and refractory periods uniform in
 * [1, 3] ms, drawn per neuron: from each neuron's first spike its
 * threshold, from its second its period, both in range; every later spike
 * where they put it; not all thresholds equal; two threads alike. */
START_TEST(test_own_distributions) {
  const char *type = types[_i];
  static double got[N_LONE][MAX_SPIKES], two[N_LONE][MAX_SPIKES];
  size_t n[N_LONE], n2[N_LONE];
  for (int threads = 1; threads <= 2; threads++) {
    int pop;
    evs_net *net = lone_net(type, 0, &pop);
    evs_error err;
    evs_dist u = {.kind = EVS_DIST_UNIFORM, .p = {-52e-3, -48e-3}};
    ck_assert_int_eq(evs_net_set_param(net, pop, "v_thresh", &u, &err), EVS_OK);
    u = (evs_dist){.kind = EVS_DIST_UNIFORM, .p = {1e-3, 3e-3}};
    ck_assert_int_eq(evs_net_set_param(net, pop, "tau_refrac", &u, &err),
                     EVS_OK);
    run_lone(net, pop, threads, NULL, NULL, threads == 1 ? got : two,
             threads == 1 ? n : n2);
  }
  double vinf = V_REST + TAU_M / 1e-9 * I_OFF, th_min = 0, th_max = -1;
  for (uint32_t j = 0; j < N_LONE; j++) {
    ck_assert_uint_ge(n[j], 4);
    double th = vinf - (vinf - V_REST) * exp(-got[j][0] / TAU_M);
    double climb = TAU_M * log((vinf + 65e-3) / (vinf - th));
    double ref = got[j][1] - got[j][0] - climb;
    ck_assert_msg(th >= -52e-3 - 1e-9 && th <= -48e-3 + 1e-9,
                  "neuron %u: threshold %g", j, th);
    ck_assert_msg(ref >= 1e-3 - 1e-8 && ref <= 3e-3 + 1e-8,
                  "neuron %u: refractory period %g", j, ref);
    for (size_t i = 2; i < n[j]; i++)
      ck_assert_msg(fabs(got[j][i] - got[j][0] - (double)i * (ref + climb)) <
                        1e-8,
                    "neuron %u spike %zu at %.9f", j, i, got[j][i]);
    th_min = j ? fmin(th_min, th) : th;
    th_max = j ? fmax(th_max, th) : th;
    ck_assert_uint_eq(n2[j], n[j]);
    for (size_t i = 0; i < n[j]; i++) ck_assert(two[j][i] == got[j][i]);
  }
  ck_assert_msg(th_max - th_min > 0.5e-3, "thresholds alike: %g .. %g", th_min,
                th_max);
}
END_TEST

/* tau_refrac and v_rest drawn at the build (uniform in [1, 3] ms and
 * [-66, -64] mV), then tau_refrac given values at 0.1 s and v_rest at
 * 0.2 s: each neuron's v_rest moves from its drawn value to the new one
 * (a neuron reads its values again in its order, tau_refrac before v_rest:
 * the build's draw of v_rest must stay where it was), so from its second
 * spike after 0.2 s on every interval is tau_refrac_j + tau_m ln((v_inf -
 * v_reset) / (v_inf - v_thresh)), v_inf = v_rest_j + R i_offset with the
 * new values. */
START_TEST(test_own_draws_kept_after_changes) {
  const char *type = types[_i];
  const double t_end = 0.45;
  int pop;
  evs_net *net = lone_net(type, 0, &pop);
  evs_error err;
  evs_dist u = {.kind = EVS_DIST_UNIFORM, .p = {1e-3, 3e-3}};
  ck_assert_int_eq(evs_net_set_param(net, pop, "tau_refrac", &u, &err), EVS_OK);
  u = (evs_dist){.kind = EVS_DIST_UNIFORM, .p = {-66e-3, -64e-3}};
  ck_assert_int_eq(evs_net_set_param(net, pop, "v_rest", &u, &err), EVS_OK);
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "evsnn-own");
  evs_run_opts opts = {.duration = t_end, .outdir = dir};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  ck_assert_int_eq(evs_net_run_until(net, 0.1, &err), EVS_OK);
  set_values(net, pop, "tau_refrac", tr2, N_LONE);
  ck_assert_int_eq(evs_net_run_until(net, 0.2, &err), EVS_OK);
  double rest[N_LONE];
  for (int j = 0; j < N_LONE; j++) rest[j] = -67e-3 + 1e-3 * j;
  set_values(net, pop, "v_rest", rest, N_LONE);
  ck_assert_int_eq(evs_net_run_until(net, t_end, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
  char path[600];
  snprintf(path, sizeof path, "%s/N.ras", dir);
  static double t[N_LONE * MAX_SPIKES];
  static unsigned id[N_LONE * MAX_SPIKES];
  size_t m = tu_read_raster(path, t, id, N_LONE * MAX_SPIKES);
  tu_rm_rf(dir);
  for (uint32_t j = 0; j < N_LONE; j++) {
    double vinf = rest[j] + TAU_M / 1e-9 * I_OFF;
    double isi = tr2[j] + TAU_M * log((vinf + 65e-3) / (vinf + 50e-3));
    double prev = -1;
    int n = 0;
    for (size_t q = 0; q < m; q++) {
      if (id[q] != j || t[q] < 0.2) continue;
      if (n++ >= 1)
        ck_assert_msg(fabs(t[q] - prev - isi) < 2e-9,
                      "%s neuron %u: interval %.9f s after %.9f s, closed "
                      "form %.9f s",
                      type, j, t[q] - prev, prev, isi);
      prev = t[q];
    }
    ck_assert_msg(n >= 4, "%s neuron %u: %d spikes after 0.2 s", type, j, n);
  }
}
END_TEST

/* ---- a recurrent network against the RK4 reference ----------------------- */

START_TEST(test_own_recurrent_against_rk4) {
  enum { NE = REFNET_NE, N = REFNET_N };
  const double t_end = 0.4, delay = 1e-3;
  ref_par base = {0.02, 0.005, 0.01, -0.065, -0.065, -0.05, 0.002, 0};
  ref_par p[N];
  double cm_e[NE], thr_e[NE], vr_e[NE], tr_e[NE], scale[N], cm_mean = 0;
  for (int i = 0; i < N; i++) {
    p[i] = base;
    scale[i] = 1;
  }
  for (int i = 0; i < NE; i++) {
    cm_e[i] = (0.7 + 0.04 * i) * 1e-9;
    thr_e[i] = -0.052 + 0.0003 * i;
    vr_e[i] = -0.068 + 0.0009 * i;
    tr_e[i] = 0.5e-3 + 0.2e-3 * (i % 7);
    p[i].v_thresh = thr_e[i];
    p[i].v_reset = vr_e[i];
    p[i].tau_ref = tr_e[i];
    cm_mean += cm_e[i];
  }
  cm_mean /= NE;
  for (int i = 0; i < NE; i++) scale[i] = cm_mean / cm_e[i];
  static refnet r;
  make_tmpdir();
  refnet_new(&r, t_end, &base);
  set_values(r.net, r.pe, "cm", cm_e, NE);
  set_values(r.net, r.pe, "v_thresh", thr_e, NE);
  set_values(r.net, r.pe, "v_reset", vr_e, NE);
  set_values(r.net, r.pe, "tau_refrac", tr_e, NE);
  /* weights as currents (A): R w is 8, 2 and -6 mV at 1 nF */
  refnet_connect(&r, (const double[3]){0.4e-9, 0.1e-9, -0.3e-9},
                 EVS_DIM_CURRENT, delay);
  evs_run_opts o = {.duration = t_end, .outdir = tmpdir};
  evs_error err;
  ck_assert_msg(evs_net_run(r.net, &o, &err) == EVS_OK, "%s", err.msg);

  /* the reference: each input adds R_j w to its target's variable, R_j w =
   * (R w) cm / cm_j with R w as the projection stores it (a float) */
  refnet_reference(&r, p, scale, delay, t_end);
  int total_e, total;
  refnet_compare(&r, &total_e, &total);
  ck_assert_int_gt(total_e, 50); /* the heterogeneous neurons are active */
  ck_assert_int_gt(total, 60);
  evs_net_free(r.net);
  remove_tmpdir();
}
END_TEST

/* ---- refusals --------------------------------------------------------------
 */

START_TEST(test_own_refusals) {
  const char *type = types[_i];
  evs_error err;
  double cm2[2] = {1e-9, 2e-9};
  /* voltages onto a population with cm per neuron: at the connection */
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  int a = evs_net_add_population(net, "A", type, 2, &err);
  set_values(net, a, "cm", cm2, 2);
  evs_conn_spec c = conn(EVS_CONN_ALL_TO_ALL, 0, 1e-3, 1e-3);
  ck_assert_int_eq(evs_net_connect(net, "AA", a, a, EVS_RECEPTOR_EXC, &c,
                                   EVS_DIM_VOLTAGE, &err),
                   EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "dimension voltage"), "%s", err.msg);
  evs_net_free(net);
  /* ... and at the build when cm was set after the connection */
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  a = evs_net_add_population(net, "A", type, 2, &err);
  ck_assert_int_eq(evs_net_connect(net, "AA", a, a, EVS_RECEPTOR_EXC, &c,
                                   EVS_DIM_VOLTAGE, &err),
                   0);
  set_values(net, a, "cm", cm2, 2);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "dimension voltage"), "%s", err.msg);
  evs_net_free(net);
  /* ... as is a constant input given as a voltage before cm */
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  a = evs_net_add_population(net, "A", type, 2, &err);
  ck_assert_int_eq(evs_net_add_dc(net, a, 5e-3, EVS_DIM_VOLTAGE, &err), EVS_OK);
  set_values(net, a, "cm", cm2, 2);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "constant input of dimension voltage"), "%s",
                err.msg);
  evs_net_free(net);
  /* a neuron's v_reset at its own threshold, named */
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  a = evs_net_add_population(net, "A", type, 3, &err);
  double th[3] = {-50e-3, -55e-3, -50e-3}, re[3] = {-60e-3, -55e-3, -60e-3};
  set_values(net, a, "v_thresh", th, 3);
  set_values(net, a, "v_reset", re, 3);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "v_reset of neuron 1"), "%s", err.msg);
  evs_net_free(net);
  /* between phases: a v_reset above a neuron's threshold, nothing changed */
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  a = evs_net_add_population(net, "A", type, 3, &err);
  th[1] = -52e-3;
  set_values(net, a, "v_thresh", th, 3);
  evs_run_opts o = {.duration = 0.01};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  ck_assert_int_eq(evs_net_run_until(net, 0.005, &err), EVS_OK);
  re[1] = -51e-3;
  ck_assert_int_eq(evs_net_set_param_values(net, a, "v_reset", re, 3, &err),
                   EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "v_reset of neuron 1"), "%s", err.msg);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
  /* the grid mode keeps one threshold */
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  a = evs_net_add_population(net, "A", "IF_curr_exp_grid", 3, &err);
  ck_assert_int_eq(evs_net_set_param_values(net, a, "v_thresh", th, 3, &err),
                   EVS_EINVAL);
  evs_net_free(net);
}
END_TEST

static Suite *lif_own_suite(void) {
  Suite *s = suite_create("lif_own");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_own_closed_form, 0, 2);
  tcase_add_loop_test(tc, test_own_change_between_phases, 0,
                      (int)(sizeof changes / sizeof *changes));
  tcase_add_loop_test(tc, test_own_distributions, 0, 2);
  tcase_add_loop_test(tc, test_own_draws_kept_after_changes, 0, 2);
  tcase_add_test(tc, test_own_recurrent_against_rk4);
  tcase_add_loop_test(tc, test_own_refusals, 0, 2);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(lif_own_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
