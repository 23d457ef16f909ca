/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: parameters changed between the phases of a run
 * (evs_net_set_param, evs_net_set_param_values after evs_net_run_until),
 * against closed forms.
 *
 * - A lone neuron without inputs relaxes to v_inf = v_rest + R i_offset
 *   with time constant tau_m, so it crosses threshold th at
 *   t + tau ln((v_inf - v) / (v_inf - th)) from the state (t, v), and
 *   restarts from v_reset a refractory period after each spike. With
 *   i_offset, v_rest, v_thresh (or, for IF_cond_exp, tau_m) changed at t1
 *   the spikes are those of the old constants before t1, then those of the
 *   new ones from the state at t1: exactly for the exact types (IF_curr_exp,
 *   IF_curr_alpha); on the clock's ticks for IF_cond_exp (exponential Euler
 *   is exact without conductances), whose change acts from its last tick
 *   before t1.
 * - A neuron at rest whose tau_syn_E (tau_syn_I) changes between two inputs
 *   follows the closed form of its PSPs piece by piece (sampled v, 1 nV).
 * - A change before the run starts is one made before the build.
 * - Poisson sources whose rate changes between phases fire rate x time in
 *   each phase, within five standard deviations (sqrt of the count), none
 *   at a rate of 0; the spikes before a change are those of the run
 *   without it; one thread or two, the same spikes.
 * - What cannot change once built is refused, and nothing changes; once a
 *   parameter changed the run takes no checkpoint (it would not hold it). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "evsnn/evsnn.h"

#define T_END 0.3  /* s: the lone neurons' runs */
#define T1 0.12345 /* s: the change */
#define DT 1e-4    /* s: the resolution (IF_cond_exp's step) */
#define MAX_SPIKES 1000

/* One phase's constants of a lone neuron: its equilibrium, threshold and
 * membrane time constant. */
typedef struct phase_c {
  double vinf, thr, tau;
} phase_c;

/* The spikes in [0, T_END) of a lone neuron starting at v0, reset to vr
 * for tr after each spike, with the constants ph[0] before t1 and ph[1]
 * from t1 on. dt > 0: a clocked neuron, whose spikes fall on the first
 * tick at or after the crossing and whose ticks up to t1 (its last before
 * the change) take the old constants. */
static size_t reference(double v0, double vr, double tr, const phase_c ph[2],
                        double t1, double dt, double *out) {
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
      tc = t + p->tau * log((p->vinf - v) / (p->vinf - p->thr));
    if (dt > 0 && isfinite(tc)) tc = ceil(tc / dt) * dt;
    if (k == 0 && dt > 0 ? tc <= end : tc < end) {
      ck_assert_uint_lt(n, MAX_SPIKES);
      out[n++] = tc;
      t = tc + tr;
      v = vr;
      if (k == 0 && t >= t1) k = 1;
      continue;
    }
    if (k == 1) return n;
    v = p->vinf + (v - p->vinf) * exp(-(t1 - t) / p->tau);
    t = t1;
    k = 1;
  }
}

static void setp(evs_net *net, int pop, const char *name, double v) {
  evs_dist d = evs_dist_const(v);
  evs_error err;
  ck_assert_msg(evs_net_set_param(net, pop, name, &d, &err) == EVS_OK, "%s",
                err.msg);
}

/* A change of a lone neuron: the type, the parameter and its two values,
 * and the constants of the two phases they give. */
typedef struct lone_case {
  const char *type, *param;
  double before, after;
  phase_c ph[2];
} lone_case;

/* cm 1 nF, tau_m 20 ms (R = 20 MOhm, g_L = 50 nS), v_rest = v_reset =
 * v_init = -65 mV, threshold -50 mV, refractory 2 ms, i_offset 1 nA:
 * v_inf = -45 mV. */
static const lone_case lone_cases[] = {
    {"IF_curr_exp",
     "i_offset",
     1e-9,
     1.6e-9,
     {{-45e-3, -50e-3, 20e-3}, {-33e-3, -50e-3, 20e-3}}},
    {"IF_curr_exp",
     "v_rest",
     -65e-3,
     -60e-3,
     {{-45e-3, -50e-3, 20e-3}, {-40e-3, -50e-3, 20e-3}}},
    {"IF_curr_exp",
     "v_thresh",
     -50e-3,
     -47e-3,
     {{-45e-3, -50e-3, 20e-3}, {-45e-3, -47e-3, 20e-3}}},
    {"IF_curr_alpha",
     "i_offset",
     1e-9,
     1.6e-9,
     {{-45e-3, -50e-3, 20e-3}, {-33e-3, -50e-3, 20e-3}}},
    {"IF_curr_alpha",
     "v_thresh",
     -50e-3,
     -47e-3,
     {{-45e-3, -50e-3, 20e-3}, {-45e-3, -47e-3, 20e-3}}},
    {"IF_cond_exp",
     "i_offset",
     1e-9,
     1.6e-9,
     {{-45e-3, -50e-3, 20e-3}, {-33e-3, -50e-3, 20e-3}}},
    {"IF_cond_exp",
     "tau_m",
     20e-3,
     30e-3, /* g_L 33.3 nS: -35 mV */
     {{-45e-3, -50e-3, 20e-3}, {-35e-3, -50e-3, 30e-3}}},
};

/* Runs case c's lone neuron with the change at T1 on threads threads;
 * its spikes into t[] (returns their number). */
static size_t run_lone(const lone_case *c, int threads, double *t) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "evsnn-lone");
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 7, DT), EVS_OK);
  int p = evs_net_add_population(net, "N", c->type, 1, &err);
  ck_assert_int_ge(p, 0);
  setp(net, p, "cm", 1e-9);
  setp(net, p, "tau_m", 20e-3);
  setp(net, p, "v_rest", -65e-3);
  setp(net, p, "v_reset", -65e-3);
  setp(net, p, "v_init", -65e-3);
  setp(net, p, "v_thresh", -50e-3);
  setp(net, p, "tau_refrac", 2e-3);
  setp(net, p, "i_offset", 1e-9);
  setp(net, p, c->param, c->before);
  evs_run_opts opts = {.duration = T_END, .outdir = dir, .threads = threads};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  ck_assert_int_eq(evs_net_run_until(net, T1, &err), EVS_OK);
  setp(net, p, c->param, c->after);
  ck_assert_int_eq(evs_net_run_until(net, T_END, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
  char path[600];
  snprintf(path, sizeof path, "%s/N.ras", dir);
  size_t n = tu_read_raster(path, t, NULL, MAX_SPIKES);
  tu_rm_rf(dir);
  return n;
}

/* Each case's spikes at the closed form's times (to the raster's 1 ns),
 * some in each phase; the same on two threads. */
START_TEST(test_lone_neuron_changes) {
  const lone_case *c = &lone_cases[_i];
  int clocked = strcmp(c->type, "IF_cond_exp") == 0;
  double want[MAX_SPIKES], got[MAX_SPIKES], two[MAX_SPIKES];
  /* a clocked type changes from its last tick before T1 */
  double t1 = clocked ? floor(T1 / DT) * DT : T1;
  size_t n = reference(-65e-3, -65e-3, 2e-3, c->ph, t1, clocked ? DT : 0, want);
  size_t m = run_lone(c, 1, got);
  size_t before = 0;
  while (before < n && want[before] < T1) before++;
  ck_assert_msg(before >= 3 && n - before >= 3, "%s %s: %zu + %zu spikes",
                c->type, c->param, before, n - before);
  ck_assert_msg(m == n, "%s %s: %zu spikes, closed form %zu", c->type, c->param,
                m, n);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(fabs(got[i] - want[i]) < 1.5e-9,
                  "%s %s: spike %zu at %.9f s, closed form %.9f s", c->type,
                  c->param, i, got[i], want[i]);
  ck_assert_uint_eq(run_lone(c, 2, two), m);
  for (size_t i = 0; i < m; i++) ck_assert(two[i] == got[i]);
}
END_TEST

/* ---- a synaptic time constant -------------------------------------------- */

/* A neuron at rest (v_rest -65 mV, tau_m 20 ms, threshold out of reach)
 * takes an input of weight w (V) through receptor r at 6 ms and another at
 * 20 ms; tau_syn of the receptor goes from 5 ms to 2 ms at T_SYN. With
 * x the synaptic term (x' = -x / tau_s, an input adds w) and
 * tau_m v' = v_rest - v + x, from a state (v1, x1) at t1:
 *   v(t1 + s) = v_rest + (v1 - v_rest - k x1) e^{-s/tau_m} + k x1 e^{-s/tau_s},
 *   k = tau_s / (tau_s - tau_m),
 * piece by piece: before T_SYN with the old tau_s, after it with the new
 * one, the second input adding w to x. The trace sampled every 0.5 ms
 * follows it to 1 nV. */
#define T_SYN 0.0123

/* v at t of the neuron above (receptor's tau_s 5 ms, then 2 ms). */
static double tau_syn_v(double t, double w) {
  const double tm = 20e-3, vr = -65e-3, ts[2] = {5e-3, 2e-3};
  const double in[2] = {6e-3, 20e-3}, cut[3] = {6e-3, T_SYN, 20e-3};
  if (t <= in[0]) return vr;
  double t1 = in[0], v1 = vr, x1 = w;
  for (int p = 0; p < 3; p++) { /* pieces after 6 ms, T_SYN, 20 ms */
    double tau = ts[p > 0], k = tau / (tau - tm);
    double end = p < 2 ? cut[p + 1] : INFINITY;
    double s = (t < end ? t : end) - t1;
    double v = vr + (v1 - vr - k * x1) * exp(-s / tm) + k * x1 * exp(-s / tau);
    if (t <= end) return v;
    x1 *= exp(-s / tau);
    v1 = v;
    t1 = end;
    if (p == 1) x1 += w; /* the input at 20 ms */
  }
  return NAN;
}

START_TEST(test_tau_syn_change) {
  const char *tau = _i ? "tau_syn_I" : "tau_syn_E";
  const double w = _i ? -2e-3 : 2e-3;
  char dir[512], ras[512];
  tu_mkdtemp(dir, sizeof dir, "evsnn-tausyn");
  tu_write_tmp(ras, sizeof ras, "evsnn-tausyn", "0.005 0\n0.019 0\n");
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 5, DT), EVS_OK);
  int n = evs_net_add_population(net, "N", "IF_curr_exp", 1, &err);
  int a = evs_net_add_population(net, "A", "SpikeSourceArray", 1, &err);
  ck_assert(n >= 0 && a >= 0);
  ck_assert_int_eq(evs_net_set_path(net, a, "file", ras, &err), EVS_OK);
  setp(net, n, "v_rest", -65e-3);
  setp(net, n, "v_init", -65e-3);
  setp(net, n, tau, 5e-3);
  evs_conn_spec one = {.kind = EVS_CONN_ONE_TO_ONE,
                       .weight = evs_dist_const(w),
                       .delay = evs_dist_const(1e-3)};
  ck_assert_int_ge(evs_net_connect(net, "AN", a, n,
                                   _i ? EVS_RECEPTOR_INH : EVS_RECEPTOR_EXC,
                                   &one, EVS_DIM_VOLTAGE, &err),
                   0);
  uint32_t id = 0;
  ck_assert_int_eq(evs_net_record_v(net, n, &id, 1, 0.5e-3, &err), EVS_OK);
  evs_run_opts opts = {.duration = 0.05, .outdir = dir};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  ck_assert_int_eq(evs_net_run_until(net, T_SYN, &err), EVS_OK);
  setp(net, n, tau, 2e-3);
  ck_assert_int_eq(evs_net_run_until(net, 0.05, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
  char path[600], line[256];
  snprintf(path, sizeof path, "%s/v_N.tsv", dir);
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  int rows = 0;
  while (fgets(line, sizeof line, f)) {
    double t, v;
    if (sscanf(line, "%lf\t%lf", &t, &v) != 2) continue; /* the header */
    double want = tau_syn_v(t, w);
    ck_assert_msg(fabs(v - want) < 1e-9,
                  "%s: v(%.4f s) = %.9g V, closed form %.9g V", tau, t, v,
                  want);
    rows++;
  }
  fclose(f);
  ck_assert_int_eq(rows, 100);
  unlink(ras);
  tu_rm_rf(dir);
}
END_TEST

/* Before the run starts a change acts as if made before the build: the
 * lone IF_curr_exp neuron with i_offset set after evs_net_build fires as
 * the one built with it. */
START_TEST(test_change_before_start) {
  double t[2][MAX_SPIKES];
  size_t n[2];
  for (int k = 0; k < 2; k++) {
    char dir[512];
    tu_mkdtemp(dir, sizeof dir, "evsnn-before");
    evs_net *net;
    evs_error err;
    ck_assert_int_eq(evs_net_new(&net, 7, DT), EVS_OK);
    int p = evs_net_add_population(net, "N", "IF_curr_exp", 1, &err);
    ck_assert_int_ge(p, 0);
    setp(net, p, "i_offset", k ? 1e-9 : 1.6e-9);
    ck_assert_int_eq(evs_net_build(net, &err), EVS_OK);
    if (k) setp(net, p, "i_offset", 1.6e-9);
    evs_run_opts opts = {.duration = T_END, .outdir = dir};
    ck_assert_int_eq(evs_net_run(net, &opts, &err), EVS_OK);
    evs_net_free(net);
    char path[600];
    snprintf(path, sizeof path, "%s/N.ras", dir);
    n[k] = tu_read_raster(path, t[k], NULL, MAX_SPIKES);
    tu_rm_rf(dir);
  }
  ck_assert_uint_gt(n[0], 5);
  ck_assert_uint_eq(n[0], n[1]);
  for (size_t i = 0; i < n[0]; i++) ck_assert(t[0][i] == t[1][i]);
}
END_TEST

/* ---- Poisson sources ----------------------------------------------------- */

#define N_SRC 2000

/* Counts of the sources' spikes in [0, 1), [1, 2), [2, 2.5), [2.5, 3) s
 * when the rate is 5 Hz, then 20 Hz from 1 s, 0 from 2 s and 4 + 4 (i mod
 * 3) Hz per neuron from 2.5 s (change = 0: 5 Hz throughout); the spikes'
 * times into t[] (cap entries; their number in *n). */
static void run_sources(int change, int threads, long count[4], double *t,
                        size_t cap, size_t *n) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "evsnn-sources");
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 11, DT), EVS_OK);
  int p = evs_net_add_population(net, "S", "SpikeSourcePoisson", N_SRC, &err);
  ck_assert_int_ge(p, 0);
  setp(net, p, "rate", 5);
  ck_assert_int_eq(evs_net_record_spikes(net, p, 1), EVS_OK);
  evs_run_opts opts = {.duration = 3, .outdir = dir, .threads = threads};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  const double end[4] = {1, 2, 2.5, 3};
  double *each = malloc(N_SRC * sizeof *each);
  ck_assert_ptr_nonnull(each);
  for (int i = 0; i < N_SRC; i++) each[i] = 4 + 4 * (i % 3);
  for (int k = 0; k < 4; k++) {
    ck_assert_int_eq(evs_net_run_until(net, end[k], &err), EVS_OK);
    if (!change || k == 3) continue;
    if (k < 2) {
      setp(net, p, "rate", k == 0 ? 20 : 0);
    } else {
      ck_assert_msg(
          evs_net_set_param_values(net, p, "rate", each, N_SRC, &err) == EVS_OK,
          "%s", err.msg);
    }
  }
  free(each);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
  char path[600];
  snprintf(path, sizeof path, "%s/S.ras", dir);
  *n = tu_read_raster(path, t, NULL, cap);
  tu_rm_rf(dir);
  memset(count, 0, 4 * sizeof *count);
  for (size_t i = 0; i < *n; i++)
    count[t[i] < 1 ? 0 : t[i] < 2 ? 1 : t[i] < 2.5 ? 2 : 3]++;
}

START_TEST(test_poisson_rate_changes) {
  size_t cap = 80000, n, n0, n2;
  double *t = malloc(cap * sizeof *t), *t0 = malloc(cap * sizeof *t0),
         *t2 = malloc(cap * sizeof *t2);
  ck_assert(t && t0 && t2);
  long c[4], c0[4], c2[4];
  run_sources(1, 1, c, t, cap, &n);
  const double expect[4] = {N_SRC * 5.0, N_SRC * 20.0, 0, N_SRC * 8.0 * 0.5};
  for (int k = 0; k < 4; k++)
    ck_assert_msg(fabs(c[k] - expect[k]) <= 5 * sqrt(expect[k]),
                  "phase %d: %ld spikes, expected %.0f", k, c[k], expect[k]);
  /* before the first change: the run without changes, spike for spike */
  run_sources(0, 1, c0, t0, cap, &n0);
  ck_assert_int_eq(c0[0], c[0]);
  for (long i = 0; i < c[0]; i++) ck_assert(t0[i] == t[i]);
  /* two threads: the same spikes */
  run_sources(1, 2, c2, t2, cap, &n2);
  ck_assert_uint_eq(n2, n);
  for (size_t i = 0; i < n; i++) ck_assert(t2[i] == t[i]);
  free(t);
  free(t0);
  free(t2);
}
END_TEST

/* ---- what cannot change -------------------------------------------------- */

START_TEST(test_refused_changes) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "evsnn-refused");
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 3, DT), EVS_OK);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", 10, &err);
  int f =
      evs_net_add_population(net, "F", "SpikeSourceFrozenPoisson", 10, &err);
  ck_assert(e >= 0 && f >= 0);
  setp(net, f, "period", 0.1);
  char ckpt[600];
  snprintf(ckpt, sizeof ckpt, "%s/run.ckpt", dir);
  ck_assert_int_eq(evs_net_set_checkpoint(net, ckpt, 0, NULL, 0, &err), EVS_OK);
  evs_run_opts opts = {.duration = 0.2, .outdir = dir};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  ck_assert_int_eq(evs_net_run_until(net, 0.1, &err), EVS_OK);
  ck_assert_int_eq(evs_net_checkpoint(net, &err), EVS_OK);
  evs_dist d = evs_dist_const(30e-3);
  /* R = tau_m / cm scales the weights: fixed */
  ck_assert_int_eq(evs_net_set_param(net, e, "tau_m", &d, &err), EVS_EINVAL);
  ck_assert_str_eq(err.key, "tau_m");
  d = evs_dist_const(-40e-3); /* v_reset above v_thresh */
  ck_assert_int_eq(evs_net_set_param(net, e, "v_reset", &d, &err), EVS_EINVAL);
  ck_assert_str_eq(err.key, "v_reset");
  d = (evs_dist){.kind = EVS_DIST_UNIFORM, .p = {-70e-3, -60e-3}};
  ck_assert_int_eq(evs_net_set_param(net, e, "v_rest", &d, &err), EVS_EINVAL);
  d = evs_dist_const(50);
  ck_assert_int_eq(evs_net_set_param(net, f, "rate", &d, &err), EVS_ESTATE);
  ck_assert_int_eq(evs_net_set_path(net, e, "v_rest", "x", &err), EVS_ESTATE);
  /* the refusals changed nothing: checkpoints are still on; a change turns
   * them off (a checkpoint does not hold parameters) */
  ck_assert_int_eq(evs_net_checkpoint(net, &err), EVS_OK);
  d = evs_dist_const(-55e-3);
  ck_assert_int_eq(evs_net_set_param(net, e, "v_rest", &d, &err), EVS_OK);
  ck_assert_int_eq(evs_net_checkpoint(net, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_run_until(net, 0.2, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  d = evs_dist_const(-55e-3);
  ck_assert_int_eq(evs_net_set_param(net, e, "v_rest", &d, &err), EVS_ESTATE);
  evs_net_free(net);
  tu_rm_rf(dir);
}
END_TEST

static Suite *phase_params_suite(void) {
  Suite *s = suite_create("phase_params");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_loop_test(tc, test_lone_neuron_changes, 0,
                      sizeof lone_cases / sizeof *lone_cases);
  tcase_add_loop_test(tc, test_tau_syn_change, 0, 2);
  tcase_add_test(tc, test_change_before_start);
  tcase_add_test(tc, test_poisson_rate_changes);
  tcase_add_test(tc, test_refused_changes);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(phase_params_suite()); }
