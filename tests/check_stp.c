/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of Tsodyks–Markram short-term plasticity (src/synapses/stp.c), one of
 * the mechanisms of doc/validation.md P5 (the others are tested in
 * tests/check_orchestrated.c).
 *
 * The STP state is driven directly through evs__stp_spike on hand-made
 * synapses; expected values come from closed forms written here from the
 * model's definition, or from a per-step reference whose u and x relax by
 * exact per-step factors. An end-to-end run checks the scheduler's hook: STP
 * scaling the delivered weights. NEAR and one_to_one are in p5_test_util.h. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/csr.h"
#include "evsnn/net.h"
#include "p5_test_util.h"
#include "rules/plastic.h"
#include "rule_test_util.h"
#include "synapses/stp.h"

/* ---- short-term plasticity --------------------------------------------------
 */

/* Synapses n_pre -> n_post connected as kind, weight 1, one delay (1 ms). */
static evs_csr *const_csr(evs_conn_kind kind, uint32_t n_pre, uint32_t n_post) {
  evs_conn_spec s;
  memset(&s, 0, sizeof s);
  s.kind = kind;
  s.weight = evs_dist_const(1);
  s.delay = evs_dist_const(1e-3);
  s.delay_step = 1e-4;
  evs_csr *m = NULL;
  evs_error err;
  REQ_INT(evs_csr_build(&m, n_pre, n_post, &s, &err), ==, EVS_OK);
  return m;
}

/* A one-row projection of n synapses (one delay). */
static evs_csr *row_csr(uint32_t n) {
  return const_csr(EVS_CONN_ALL_TO_ALL, 1, n);
}

/* Regular train at interval h: the first PSC amplitudes written out from the
 * model (u, x just before each spike), then the steady state
 *   u_inf = U / (1 - (1 - U) e^{-h/tau_f}),
 *   x_inf = (1 - e^{-h/tau_d}) / (1 - (1 - u_inf) e^{-h/tau_d}). */
START_TEST(stp_regular_train) {
  const double U = 0.2, td = 0.2, tf = 0.6;
  const double hs[] = {0.01, 0.05, 0.2};
  evs_csr *m = row_csr(3);
  for (size_t ih = 0; ih < 3; ih++) {
    double h = hs[ih], ed = exp(-h / td), ef = exp(-h / tf);
    evs_stp *s;
    evs_error err;
    REQ_INT(evs__stp_new(&s, m, "p", U, td, tf, &err), ==, EVS_OK);
    REQ_UINT(s->max_group, ==, 3);
    double r1 = evs__stp_spike(s, 0, 0.5);
    double r2 = evs__stp_spike(s, 0, 0.5 + h);
    double r3 = evs__stp_spike(s, 0, 0.5 + 2 * h);
    /* spike 1: u = U, x = 1. After: u = 2U - U^2, x = 1 - U. */
    NEAR(r1, U, 1e-15);
    double u2 = U + (U + U * (1 - U) - U) * ef; /* U + U(1-U) e_f */
    double x2 = 1 - U * ed;
    NEAR(r2, u2 * x2, 1e-14);
    double u3 = U + U * (1 - U) * ef + U * (1 - U) * (1 - U) * ef * ef;
    double x3 = 1 + ((x2 - u2 * x2) - 1) * ed;
    NEAR(r3, u3 * x3, 1e-14);
    double r = 0;
    for (int n = 3; n < 400; n++) r = evs__stp_spike(s, 0, 0.5 + n * h);
    double uinf = U / (1 - (1 - U) * ef);
    double xinf = (1 - ed) / (1 - (1 - uinf) * ed);
    NEAR(r, uinf * xinf, 1e-12);
    /* depression dominates at 100 Hz, facilitation at 5 Hz for these values */
    if (h == 0.01) ck_assert(r < 0.5 * U);
    if (h == 0.2) ck_assert(r2 > r1);
    evs__stp_free(s);
  }
  evs_csr_free(m);
}
END_TEST

/* tau_f = 0: u = U at every spike, so x_inf = (1 - e_d)/(1 - (1 - U) e_d). */
START_TEST(stp_no_facilitation) {
  const double U = 0.5, td = 0.1, h = 0.02, ed = exp(-h / td);
  evs_csr *m = row_csr(1);
  evs_stp *s;
  evs_error err;
  REQ_INT(evs__stp_new(&s, m, "p", U, td, 0, &err), ==, EVS_OK);
  double r1 = evs__stp_spike(s, 0, 0), r2 = evs__stp_spike(s, 0, h), r = 0;
  NEAR(r1, U, 1e-15);
  NEAR(r2, U * (1 - U * ed), 1e-15);
  for (int n = 2; n < 300; n++) r = evs__stp_spike(s, 0, n * h);
  NEAR(r, U * (1 - ed) / (1 - (1 - U) * ed), 1e-12);
  evs__stp_free(s);
  /* parameter checks */
  REQ_INT(evs__stp_new(&s, m, "p", 0, td, 0, &err), ==, EVS_EINVAL);
  REQ_INT(evs__stp_new(&s, m, "p", 1.5, td, 0, &err), ==, EVS_EINVAL);
  REQ_INT(evs__stp_new(&s, m, "p", 0.5, 0, 0, &err), ==, EVS_EINVAL);
  REQ_INT(evs__stp_new(&s, m, "p", 0.5, 0.1, -1, &err), ==, EVS_EINVAL);
  ck_assert(strstr(err.msg, "stp_tau_f") != NULL);
  evs_csr_free(m);
}
END_TEST

/* Lazy closed-form update vs a per-step reference (u, x relaxed by exact
 * per-step factors every 1 us, jumps at spikes) on random trains of several
 * independent groups. */
START_TEST(stp_lazy_vs_steps) {
  const double U = 0.3, td = 0.15, tf = 0.6, dt = 1e-6, dur = 2.0;
  const uint32_t n = 4;
  evs_csr *m = const_csr(EVS_CONN_ONE_TO_ONE, n, n);
  evs_error err;
  evs_stp *s;
  REQ_INT(evs__stp_new(&s, m, "p", U, td, tf, &err), ==, EVS_OK);
  int64_t steps = (int64_t)(dur / dt);
  /* next spike step of each group: Poisson 30 Hz on the grid */
  int64_t next[4];
  double u[4], x[4];
  xs_state = 77;
  for (uint32_t k = 0; k < n; k++) {
    next[k] = llround(-log(uniform01()) / 30 / dt) + 1;
    u[k] = U;
    x[k] = 1;
  }
  const double fd = exp(-dt / td), ff = exp(-dt / tf);
  int spikes = 0;
  double maxerr = 0;
  for (int64_t st = 1; st < steps; st++) {
    for (uint32_t k = 0; k < n; k++) {
      u[k] = U + (u[k] - U) * ff;
      x[k] = 1 + (x[k] - 1) * fd;
      if (st != next[k]) continue;
      double want = u[k] * x[k];
      x[k] -= u[k] * x[k];
      u[k] += U * (1 - u[k]);
      double got = evs__stp_spike(s, evs__stp_group(m, k, 0), st * dt);
      maxerr = fmax(maxerr, fabs(got - want));
      spikes++;
      next[k] = st + 1 + llround(-log(uniform01()) / 30 / dt);
    }
  }
  ck_assert_int_gt(spikes, 150);
  ck_assert_msg(maxerr < 1e-9, "max error %g", maxerr);
  evs__stp_free(s);
  evs_csr_free(m);
}
END_TEST

/* End to end through the scheduler: a SpikeSourceArray drives one
 * IF_curr_exp neuron that never fires (tau_m = 1000 s, tau_syn_E = 0.1 ms:
 * every PSC adds w u x tau_syn_E / cm to v). With and without STP on the same
 * static projection, the rise of v over the run is proportional to the sum
 * of the delivered factors: sum_n r_n against N. */
static double run_lif(const char *ras, int with_stp, double U, double td,
                      double tf) {
  evs_net *net;
  evs_error err;
  evs_error_clear(&err);
  REQ_INT(evs_net_new(&net, 1, 1e-4), ==, EVS_OK);
  int a = evs_net_add_population(net, "in", "SpikeSourceArray", 1, &err);
  REQUIRE(a >= 0);
  REQ_INT(evs_net_set_path(net, a, "file", ras, &err), ==, EVS_OK);
  int b = evs_net_add_population(net, "out", "IF_curr_exp", 1, &err);
  REQUIRE(b >= 0);
  evs_dist v;
  v = evs_dist_const(1000);
  REQ_INT(evs_net_set_param(net, b, "tau_m", &v, &err), ==, EVS_OK);
  v = evs_dist_const(1e-4);
  REQ_INT(evs_net_set_param(net, b, "tau_syn_E", &v, &err), ==, EVS_OK);
  v = evs_dist_const(10);
  REQ_INT(evs_net_set_param(net, b, "v_thresh", &v, &err), ==, EVS_OK);
  evs_conn_spec sp = one_to_one(1e-9);
  int p = evs_net_connect(net, "in_out", a, b, EVS_RECEPTOR_EXC, &sp,
                          EVS_DIM_CURRENT, &err);
  REQUIRE_MSG(p >= 0, "connect: %s", err.msg);
  if (with_stp) REQ_INT(evs_net_set_stp(net, p, U, td, tf, &err), ==, EVS_OK);
  evs_run_opts o = {.duration = 1.0};
  int rc = evs_net_run(net, &o, &err);
  REQUIRE_MSG(rc == EVS_OK, "run: %s", err.msg);
  evs_pop *out = net->pop[b];
  double vend = out->type->voltage(out, 0, 1.0) - (-65e-3);
  evs_net_free(net);
  return vend;
}

START_TEST(stp_end_to_end) {
  const double U = 0.2, td = 0.2, tf = 0.6, h = 0.025;
  const int N = 30;
  char text[2048] = "", path[512];
  for (int n = 0; n < N; n++)
    snprintf(text + strlen(text), sizeof text - strlen(text), "%.4f 0\n",
             0.1 + n * h);
  tu_write_tmp(path, sizeof path, "p5stp", text);
  double v0 = run_lif(path, 0, U, td, tf), v1 = run_lif(path, 1, U, td, tf);
  /* the delivered factors, from the model's recurrence */
  double u = U, x = 1, sum = 0;
  for (int n = 0; n < N; n++) {
    if (n) {
      u = U + (u - U) * exp(-h / tf);
      x = 1 + (x - 1) * exp(-h / td);
    }
    sum += u * x;
    x -= u * x;
    u += U * (1 - u);
  }
  ck_assert(v0 > 1e-3);
  NEAR(v1 / v0, sum / N, 1e-4 * sum / N);
  /* bad keys are refused by the API */
  evs_net *net;
  evs_error err;
  REQ_INT(evs_net_new(&net, 1, 1e-4), ==, EVS_OK);
  int a = evs_net_add_population(net, "in", "SpikeSourceArray", 1, &err);
  int b = evs_net_add_population(net, "out", "IF_curr_exp", 1, &err);
  evs_conn_spec sp = one_to_one(1e-9);
  int p = evs_net_connect(net, "c", a, b, EVS_RECEPTOR_EXC, &sp,
                          EVS_DIM_CURRENT, &err);
  REQ_INT(evs_net_set_stp(net, p, 0.2, -1, 0, &err), ==, EVS_EINVAL);
  evs_net_free(net);
  remove(path);
}
END_TEST

static Suite *stp_suite(void) {
  Suite *s = suite_create("stp");
  TCase *tc = tcase_create("stp");
  tcase_add_test(tc, stp_regular_train);
  tcase_add_test(tc, stp_no_facilitation);
  tcase_add_test(tc, stp_lazy_vs_steps);
  tcase_add_test(tc, stp_end_to_end);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(stp_suite()); }
