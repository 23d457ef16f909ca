/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the rate populations (src/neurons/rate.c) and rate rules
 * (src/rules/rate_rules.c). Nets are built through the public API; steps are
 * taken by calling the types' tick handlers in creation order (as the scheduler
 * does at equal times), so every step's inputs are known exactly. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/evsnn.h"
#include "plugins/plugins.h"
#include "neurons/rate.h"

/* ---- helpers ------------------------------------------------------------- */

static evs_net *new_net(double res) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 7, res), EVS_OK);
  return net;
}

static int add_pop(evs_net *net, const char *name, const char *type,
                   uint32_t n) {
  evs_error err;
  int p = evs_net_add_population(net, name, type, n, &err);
  ck_assert_msg(p >= 0, "%s", err.msg);
  return p;
}

static void set(evs_net *net, int pop, const char *name, evs_dist d) {
  evs_error err;
  ck_assert_msg(evs_net_set_param(net, pop, name, &d, &err) == EVS_OK, "%s",
                err.msg);
}

static evs_dist uniform(double lo, double hi) {
  evs_dist d = {EVS_DIST_UNIFORM, {lo, hi, 0, 0}};
  return d;
}

/* Connects pre -> post all-to-all (or with probability p < 1) through
 * receptor with dimensionless weights w. */
static int connect(evs_net *net, const char *name, int pre, int post,
                   evs_receptor rec, double p, evs_dist w) {
  evs_conn_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.kind = p < 1 ? EVS_CONN_FIXED_PROBABILITY : EVS_CONN_ALL_TO_ALL;
  spec.p = p;
  spec.weight = w;
  spec.delay = evs_dist_const(1e-3);
  evs_error err;
  int k = evs_net_connect(net, name, pre, post, rec, &spec, EVS_DIM_NONE, &err);
  ck_assert_msg(k >= 0, "%s", err.msg);
  return k;
}

static void build(evs_net *net) {
  evs_error err;
  ck_assert_msg(evs_net_build(net, &err) == EVS_OK, "%s", err.msg);
}

/* One step of every population at time t, in creation order. */
static void step(evs_net *net, double t) {
  for (uint32_t i = 0; i < net->npop; i++)
    ck_assert_int_eq(net->pop[i]->type->tick(net->pop[i], t), EVS_OK);
}

static double *rates(evs_net *net, int pop) {
  return (double *)evs__rate_values(net->pop[pop]);
}

/* ---- RateLinear ---------------------------------------------------------- */

/* y = W1 x1 - W2 x2 against a dense sum over the CSR's (pre, post, weight)
 * triples, after several steps of a correlated Gaussian and a constant
 * input; also y before the first step. */
START_TEST(test_linear_sum) {
  evs_net *net = new_net(1e-3);
  int a = add_pop(net, "A", "RateGaussian", 5);
  set(net, a, "corr", evs_dist_const(0.3));
  set(net, a, "sd", uniform(0.5, 2));
  int b = add_pop(net, "B", "RateConstant", 3);
  set(net, b, "amplitude", uniform(-1, 1));
  int y = add_pop(net, "Y", "RateLinear", 4);
  int p1 = connect(net, "AY", a, y, EVS_RECEPTOR_EXC, 0.6, uniform(-1, 1));
  int p2 = connect(net, "BY", b, y, EVS_RECEPTOR_INH, 1, uniform(0, 2));
  build(net);
  const evs_csr *m1 = evs_net_projection_csr(net, p1);
  const evs_csr *m2 = evs_net_projection_csr(net, p2);
  ck_assert(m1->nnz > 0 && m1->nnz < 20);
  ck_assert_uint_eq(m2->nnz, 12);
  for (int k = 0; k <= 5; k++) {
    if (k > 0) step(net, k * 1e-3);
    double want[4] = {0, 0, 0, 0};
    const double *xa = rates(net, a), *xb = rates(net, b), *yy = rates(net, y);
    for (uint32_t j = 0; j < 5; j++)
      for (uint64_t q = m1->row_ptr[j]; q < m1->row_ptr[j + 1]; q++)
        want[evs_csr_target(m1, q)] += m1->weight[q] * xa[j];
    for (uint32_t j = 0; j < 3; j++)
      for (uint64_t q = m2->row_ptr[j]; q < m2->row_ptr[j + 1]; q++)
        want[evs_csr_target(m2, q)] -= m2->weight[q] * xb[j];
    for (int i = 0; i < 4; i++) {
      ck_assert_msg(fabs(yy[i] - want[i]) <= 1e-12 * (1 + fabs(want[i])),
                    "step %d, y%d = %.17g, direct sum %.17g", k, i, yy[i],
                    want[i]);
      /* probes read the rate */
      ck_assert(net->pop[y]->type->voltage(net->pop[y], (uint32_t)i, 0) ==
                yy[i]);
    }
    if (k > 0) ck_assert(xa[0] != 0); /* A has drawn samples */
  }
  /* rate populations step on their own dt */
  ck_assert(net->pop[y]->tick == 1e-3);
  evs_net_free(net);
}
END_TEST

START_TEST(test_dt_param) {
  evs_net *net = new_net(1e-4);
  int x = add_pop(net, "X", "RateConstant", 1);
  int y = add_pop(net, "Y", "RateLinear", 1);
  set(net, y, "dt", evs_dist_const(0.25));
  connect(net, "XY", x, y, EVS_RECEPTOR_EXC, 1, evs_dist_const(1));
  build(net);
  ck_assert(net->pop[x]->tick == 1e-4); /* dt = 0: the resolution */
  ck_assert(net->pop[y]->tick == 0.25);
  ck_assert_int_eq(evs__raster_recorded(net, (uint32_t)y), 0);
  evs_net_free(net);
}
END_TEST

/* ---- rules: one step against the formula --------------------------------- */

enum { HEBB, OJA, BCM };

/* A net X (2 rate neurons, x set by hand) -> Y (3 RateLinear neurons),
 * all-to-all, learning with rule; one step at t = dt; every weight against
 * its formula, computed here from x, y and the weights before the step. */
static void one_step(int which) {
  static const char *const names[] = {"rate_hebb", "rate_oja", "rate_bcm"};
  const double dt = 0.01, eta = 0.7, kappa = 1.7, tau = 0.3, theta0 = 0.4;
  evs_net *net = new_net(dt);
  evs_error err;
  int x = add_pop(net, "X", "RateConstant", 2);
  int y = add_pop(net, "Y", "RateLinear", 3);
  int p = connect(net, "XY", x, y, EVS_RECEPTOR_EXC, 1, uniform(-1.5, 1.5));
  ck_assert_int_eq(evs_net_set_rule(net, p, names[which], &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, p, "eta", eta, &err), EVS_OK);
  if (which == BCM) {
    ck_assert_int_eq(evs_net_set_rule_param(net, p, "kappa", kappa, &err), 0);
    ck_assert_int_eq(evs_net_set_rule_param(net, p, "tau_theta", tau, &err), 0);
    ck_assert_int_eq(evs_net_set_rule_param(net, p, "theta_init", theta0, &err),
                     0);
  }
  build(net);
  double *xs = rates(net, x);
  xs[0] = 0.8;
  xs[1] = -1.9;
  evs_csr *m = (evs_csr *)evs_net_projection_csr(net, p);
  ck_assert_uint_eq(m->nnz, 6);
  double w[2][3], yv[3] = {0, 0, 0};
  for (uint32_t j = 0; j < 2; j++)
    for (uint64_t q = m->row_ptr[j]; q < m->row_ptr[j + 1]; q++) {
      w[j][evs_csr_target(m, q)] = m->weight[q];
      yv[evs_csr_target(m, q)] += m->weight[q] * xs[j];
    }
  step(net, dt);
  double total = 0; /* sum of |dw|: the step must change the weights */
  for (int i = 0; i < 3; i++) ck_assert(fabs(rates(net, y)[i] - yv[i]) < 1e-12);
  for (uint32_t j = 0; j < 2; j++)
    for (uint64_t q = m->row_ptr[j]; q < m->row_ptr[j + 1]; q++) {
      uint32_t i = evs_csr_target(m, q);
      double dw;
      if (which == HEBB)
        dw = eta * dt * xs[j] * yv[i];
      else if (which == OJA)
        dw = eta * dt * (xs[j] * yv[i] - w[j][i] * yv[i] * yv[i]);
      else
        dw = eta * dt * xs[j] * yv[i] * (yv[i] - theta0);
      double want = w[j][i] + dw;
      /* the weight is stored as a float: half an ulp of it, plus double
       * rounding of y */
      ck_assert_msg(fabs(m->weight[q] - want) <= 6e-8 * fabs(want) + 1e-15,
                    "%s: w%u_%u = %.9g, want %.9g (dw %.3g)", names[which], j,
                    i, m->weight[q], want, dw);
      total += fabs(dw);
    }
  ck_assert_msg(total > 1e-3, "%s: sum |dw| = %g", names[which], total);
  if (which == BCM) {
    const double *th = evs__rule_bcm_theta(net->proj[p]->rule);
    ck_assert_ptr_nonnull(th);
    for (int i = 0; i < 3; i++) {
      double want = theta0 + dt / tau * (-theta0 + yv[i] * yv[i] / kappa);
      ck_assert_msg(fabs(th[i] - want) < 1e-14, "theta%d = %.17g, want %.17g",
                    i, th[i], want);
    }
  }
  evs_net_free(net);
}

START_TEST(test_rule_hebb) { one_step(HEBB); }
END_TEST
START_TEST(test_rule_oja) { one_step(OJA); }
END_TEST
START_TEST(test_rule_bcm) { one_step(BCM); }
END_TEST

/* Weight bounds clip. */
START_TEST(test_rule_bounds) {
  evs_net *net = new_net(1);
  evs_error err;
  int x = add_pop(net, "X", "RateConstant", 1);
  set(net, x, "amplitude", evs_dist_const(3));
  int y = add_pop(net, "Y", "RateLinear", 1);
  int p = connect(net, "XY", x, y, EVS_RECEPTOR_EXC, 1, evs_dist_const(0.5));
  ck_assert_int_eq(evs_net_set_rule(net, p, "rate_hebb", &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, p, "eta", 1, &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, p, "w_max", 2, &err), EVS_OK);
  build(net);
  step(net, 1); /* dw = 1 * 3 * 1.5 = 4.5: clipped to 2 */
  ck_assert(evs_net_projection_csr(net, p)->weight[0] == 2.0f);
  evs_net_free(net);
}
END_TEST

/* ---- RateGaussian -------------------------------------------------------- */

/* Draws n samples of pop (size d) and checks the sample mean and covariance
 * against mean mu and covariance c. Each estimate is within 5 standard
 * errors: the mean's se is sqrt(C_ii / n), the covariance's sqrt((C_ii C_jj
 * + C_ij^2) / n) (Gaussian fourth moments); each check fails by chance with
 * probability < 6e-7. */
static void check_moments(evs_net *net, int pop, uint32_t d, const double *mu,
                          const double *c, int n) {
  double s1[8] = {0}, s2[8][8] = {{0}};
  ck_assert(d <= 8);
  for (int k = 1; k <= n; k++) {
    ck_assert_int_eq(net->pop[pop]->type->tick(net->pop[pop], k), EVS_OK);
    const double *x = rates(net, pop);
    for (uint32_t i = 0; i < d; i++) {
      s1[i] += x[i];
      for (uint32_t j = 0; j < d; j++)
        s2[i][j] += (x[i] - mu[i]) * (x[j] - mu[j]);
    }
  }
  for (uint32_t i = 0; i < d; i++) {
    double m = s1[i] / n, se = sqrt(c[i * d + i] / n);
    ck_assert_msg(fabs(m - mu[i]) < 5 * se, "mean %u = %g, want %g +- %g", i, m,
                  mu[i], 5 * se);
    for (uint32_t j = 0; j < d; j++) {
      double v = s2[i][j] / n, cij = c[i * d + j];
      double sev = sqrt((c[i * d + i] * c[j * d + j] + cij * cij) / n);
      ck_assert_msg(fabs(v - cij) < 5 * sev, "cov %u %u = %g, want %g +- %g", i,
                    j, v, cij, 5 * sev);
    }
  }
}

START_TEST(test_gaussian_file) {
  char path[512];
  tu_write_tmp(path, sizeof path, "rate_cov",
               "# P1's covariance\n3 1\n1, 1 # comma and comment\n");
  evs_net *net = new_net(1);
  evs_error err;
  int g = add_pop(net, "G", "RateGaussian", 2);
  set(net, g, "mean", evs_dist_const(0.5));
  ck_assert_int_eq(evs_net_set_path(net, g, "covariance", path, &err), EVS_OK);
  build(net);
  unlink(path);
  static const double mu[2] = {0.5, 0.5}, c[4] = {3, 1, 1, 1};
  ck_assert(rates(net, g)[0] == 0.5); /* the mean before the first step */
  check_moments(net, g, 2, mu, c, 200000);
  evs_net_free(net);
}
END_TEST

static void check_corr(double corr) {
  evs_net *net = new_net(1);
  int g = add_pop(net, "G", "RateGaussian", 4);
  set(net, g, "sd", evs_dist_const(2));
  set(net, g, "corr", evs_dist_const(corr));
  build(net);
  double mu[4] = {0, 0, 0, 0}, c[16];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) c[i * 4 + j] = 4 * (i == j ? 1 : corr);
  check_moments(net, g, 4, mu, c, 100000);
  evs_net_free(net);
}

START_TEST(test_gaussian_corr) {
  check_corr(0.6);   /* shared factor */
  check_corr(-0.25); /* Cholesky of C (>= -1/3 for 4 neurons) */
  check_corr(0);
}
END_TEST

/* Same seed, same samples; another seed, others. */
START_TEST(test_gaussian_reproducible) {
  double first[2][3];
  for (int run = 0; run < 2; run++) {
    evs_net *net = new_net(1);
    int g = add_pop(net, "G", "RateGaussian", 3);
    set(net, g, "corr", evs_dist_const(0.2));
    build(net);
    for (int k = 1; k <= 10; k++) step(net, k);
    memcpy(first[run], rates(net, g), sizeof first[run]);
    evs_net_free(net);
  }
  ck_assert(memcmp(first[0], first[1], sizeof first[0]) == 0);
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 8, 1), EVS_OK);
  int g = add_pop(net, "G", "RateGaussian", 3);
  set(net, g, "corr", evs_dist_const(0.2));
  build(net);
  for (int k = 1; k <= 10; k++) step(net, k);
  ck_assert(rates(net, g)[0] != first[0][0]);
  evs_net_free(net);
}
END_TEST

/* Values set per neuron (evs_net_set_param_values) are the neurons':
 * RateConstant's amplitudes are its rates; RateGaussian's means and sds
 * (sd 0 for neuron 0: its rate stays its mean; for the others r - mean
 * scales with sd, as one stream's normals drawn with sd 1 show). */
START_TEST(test_values_per_neuron) {
  const double amp[3] = {0.5, -2, 7}, mean[3] = {1, 2, 3}, sd[3] = {0, 1, 3};
  evs_net *nets[2];
  double r[2][3];
  for (int k = 0; k < 2; k++) {
    evs_net *net = nets[k] = new_net(1);
    int c = add_pop(net, "C", "RateConstant", 3);
    int g = add_pop(net, "G", "RateGaussian", 3);
    evs_error err;
    ck_assert_int_eq(
        evs_net_set_param_values(net, c, "amplitude", amp, 3, &err), EVS_OK);
    ck_assert_int_eq(evs_net_set_param_values(net, g, "mean", mean, 3, &err),
                     EVS_OK);
    if (k == 0)
      ck_assert_int_eq(evs_net_set_param_values(net, g, "sd", sd, 3, &err),
                       EVS_OK);
    else
      set(net, g, "sd", evs_dist_const(1));
    build(net);
    for (int i = 0; i < 3; i++) ck_assert(rates(net, c)[i] == amp[i]);
    for (int i = 0; i < 3; i++) ck_assert(rates(net, g)[i] == mean[i]);
    step(net, 1);
    memcpy(r[k], rates(net, g), sizeof r[k]);
  }
  ck_assert(r[0][0] == mean[0]);
  for (int i = 1; i < 3; i++)
    ck_assert_msg(fabs((r[0][i] - mean[i]) - sd[i] * (r[1][i] - mean[i])) <
                      1e-12,
                  "neuron %d: r %g, mean %g, sd %g; with sd 1: %g", i, r[0][i],
                  mean[i], sd[i], r[1][i]);
  evs_net_free(nets[0]);
  evs_net_free(nets[1]);
}
END_TEST

START_TEST(test_cholesky) {
  static const double c[9] = {4, 2, -2, 2, 10, 1, -2, 1, 6};
  double l[9], back[9];
  ck_assert_int_eq(evs__rate_cholesky(c, l, 3), 0);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      back[i * 3 + j] = 0;
      for (int k = 0; k < 3; k++)
        back[i * 3 + j] += l[i * 3 + k] * l[j * 3 + k];
      if (j > i) ck_assert(l[i * 3 + j] == 0);
      ck_assert(fabs(back[i * 3 + j] - c[i * 3 + j]) < 1e-12);
    }
  static const double semi[4] = {1, 1, 1, 1}, bad[4] = {1, 2, 2, 1};
  ck_assert_int_eq(evs__rate_cholesky(semi, l, 2), 0);
  ck_assert(l[3] == 0);
  ck_assert_int_eq(evs__rate_cholesky(bad, l, 2), -1);
}
END_TEST

/* ---- BCM stability ------------------------------------------------------- */

/* One input x = 2, kappa = 5, eta = 0.1/s: tau_crit = 1/(eta x^2 kappa) =
 * 0.5 s; dt = 5 ms. Linearising the Euler-stepped (y, theta) about y = theta
 * = kappa (a = eta x^2 kappa): J = [[a, -a], [2/tau, -1/tau]], and the
 * step's eigenvalues 1 + dt lambda lie inside the unit circle (complex
 * pair: |1 + dt lambda|^2 = 1 + dt (tr J + dt det J)) iff
 * a - 1/tau + dt a / tau < 0, i.e. tau < tau_crit - dt = 0.495 s.
 * Runs ratio tau_crit for periods of tau_crit from y = (1 + pert) kappa;
 * returns the largest |y/kappa - 1| over the first and the last tenth. */
static void bcm_run(double ratio, double pert, int periods, double *first,
                    double *last) {
  const double x = 2, kappa = 5, eta = 0.1, dt = 5e-3, tc = 0.5;
  evs_net *net = new_net(dt);
  evs_error err;
  int xp = add_pop(net, "X", "RateConstant", 1);
  set(net, xp, "amplitude", evs_dist_const(x));
  int y = add_pop(net, "Y", "RateLinear", 1);
  int p = connect(net, "XY", xp, y, EVS_RECEPTOR_EXC, 1,
                  evs_dist_const((1 + pert) * kappa / x));
  ck_assert_int_eq(evs_net_set_rule(net, p, "rate_bcm", &err), EVS_OK);
  static const char *const names[] = {"eta",       "kappa", "theta_init",
                                      "tau_theta", "w_min", "w_max"};
  const double values[] = {eta, kappa, kappa, ratio * tc, 0, 10 * kappa / x};
  for (int i = 0; i < 6; i++)
    ck_assert_int_eq(evs_net_set_rule_param(net, p, names[i], values[i], &err),
                     EVS_OK);
  build(net);
  long n = lround(periods * tc / dt);
  *first = *last = 0;
  for (long k = 1; k <= n; k++) {
    step(net, k * dt);
    double d = fabs(rates(net, y)[0] / kappa - 1);
    if (k <= n / 10 && d > *first) *first = d;
    if (k > n - n / 10 && d > *last) *last = d;
  }
  evs_net_free(net);
}

START_TEST(test_bcm_stability) {
  double first, last;
  /* well inside and outside: converges to kappa / leaves it by > 50 % */
  bcm_run(0.5, 0.1, 50, &first, &last);
  ck_assert_msg(last < 1e-3, "tau_theta = 0.5 tau_crit: |y/kappa - 1| = %g",
                last);
  bcm_run(2, 0.1, 50, &first, &last);
  ck_assert_msg(first > 0.5 || last > 0.5,
                "tau_theta = 2 tau_crit: |y/kappa - 1| = %g, %g", first, last);
  /* 2 % either side of the Euler system's tau_crit - dt = 0.99 tau_crit: the
   * envelope decays / grows (rate ~ +-0.01 / tau_crit: a factor ~e^4 over
   * 400 tau_crit) */
  bcm_run(0.99 * 0.98, 0.01, 400, &first, &last);
  ck_assert_msg(last < first / 2, "0.98 (tau_crit - dt): envelope %g -> %g",
                first, last);
  bcm_run(0.99 * 1.02, 0.01, 400, &first, &last);
  ck_assert_msg(last > 2 * first, "1.02 (tau_crit - dt): envelope %g -> %g",
                first, last);
}
END_TEST

/* ---- refusals ------------------------------------------------------------ */

static void expect_build_error(evs_net *net, const char *text) {
  evs_error err;
  ck_assert_int_ne(evs_net_build(net, &err), EVS_OK);
  ck_assert_msg(strstr(err.msg, text), "message '%s' lacks '%s'", err.msg,
                text);
  evs_net_free(net);
}

START_TEST(test_refusals) {
  evs_error err;
  evs_conn_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.kind = EVS_CONN_ALL_TO_ALL;
  spec.weight = evs_dist_const(1);
  spec.delay = evs_dist_const(1e-3);
  /* a spiking population cannot feed a RateLinear */
  evs_net *net = new_net(1e-3);
  int l = add_pop(net, "L", "IF_curr_exp", 2);
  int y = add_pop(net, "Y", "RateLinear", 1);
  ck_assert_int_ge(evs_net_connect(net, "LY", l, y, EVS_RECEPTOR_EXC, &spec,
                                   EVS_DIM_NONE, &err),
                   0);
  expect_build_error(net, "rate populations only");
  /* a rate population cannot feed a spiking one; dimensionless weights need
   * a rate post */
  net = new_net(1e-3);
  int x = add_pop(net, "X", "RateConstant", 1);
  l = add_pop(net, "L", "IF_curr_exp", 2);
  ck_assert_int_lt(evs_net_connect(net, "XL", x, l, EVS_RECEPTOR_EXC, &spec,
                                   EVS_DIM_NONE, &err),
                   0);
  ck_assert_msg(strstr(err.msg, "needs a unit"), "%s", err.msg);
  spec.weight = evs_dist_const(1e-3);
  ck_assert_int_ge(evs_net_connect(net, "XL2", x, l, EVS_RECEPTOR_EXC, &spec,
                                   EVS_DIM_VOLTAGE, &err),
                   0);
  expect_build_error(net, "can only project to a RateLinear");
  /* a rate rule on a spiking projection, a spike rule on a rate one */
  spec.weight = evs_dist_const(1e-3);
  net = new_net(1e-3);
  l = add_pop(net, "L", "IF_curr_exp", 2);
  int k = evs_net_connect(net, "LL", l, l, EVS_RECEPTOR_EXC, &spec,
                          EVS_DIM_VOLTAGE, &err);
  ck_assert_int_eq(evs_net_set_rule(net, k, "rate_oja", &err), EVS_OK);
  expect_build_error(net, "a rate rule needs a rate population");
  spec.weight = evs_dist_const(1);
  net = new_net(1e-3);
  x = add_pop(net, "X", "RateConstant", 1);
  y = add_pop(net, "Y", "RateLinear", 1);
  k = evs_net_connect(net, "XY", x, y, EVS_RECEPTOR_EXC, &spec, EVS_DIM_NONE,
                      &err);
  ck_assert_int_eq(evs_net_set_rule(net, k, "stdp_pair", &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "w_max", 1, &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "A_plus", 0.01, &err), 0);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "A_minus", 0.01, &err), 0);
  expect_build_error(net, "spike-timing rule");
  /* bad covariance, bad corr, bcm without a positive kappa */
  char path[512];
  tu_write_tmp(path, sizeof path, "rate_cov", "1 2\n2 1\n");
  net = new_net(1);
  int g = add_pop(net, "G", "RateGaussian", 2);
  ck_assert_int_eq(evs_net_set_path(net, g, "covariance", path, &err), EVS_OK);
  expect_build_error(net, "not positive semidefinite");
  unlink(path);
  /* a device is refused (it never ends: /dev/zero read for ever) */
  net = new_net(1);
  g = add_pop(net, "G", "RateGaussian", 2);
  ck_assert_int_eq(evs_net_set_path(net, g, "covariance", "/dev/zero", &err),
                   EVS_OK);
  expect_build_error(net, "not a regular file");
  /* a line of any length: 300 numbers of 20 characters on one line (6000
   * characters, more than a 4096-byte line buffer holds) give I_300, and
   * the build succeeds */
  {
    size_t m = 300, len = m * m * 22 + 1, at = 0;
    char *text = malloc(len);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < m; i++) {
      for (size_t j = 0; j < m; j++)
        at += (size_t)snprintf(text + at, len - at, "%.17f%s",
                               i == j ? 1.0 : 0.0, j + 1 < m ? " " : "\n");
    }
    tu_write_tmp(path, sizeof path, "rate_cov_long", text);
    free(text);
    net = new_net(1);
    g = add_pop(net, "G", "RateGaussian", (uint32_t)m);
    ck_assert_int_eq(evs_net_set_path(net, g, "covariance", path, &err),
                     EVS_OK);
    ck_assert_msg(evs_net_build(net, &err) == EVS_OK, "%s", err.msg);
    evs_net_free(net);
    unlink(path);
  }
  net = new_net(1);
  g = add_pop(net, "G", "RateGaussian", 3);
  set(net, g, "corr", evs_dist_const(-0.6));
  expect_build_error(net, "corr must be in [-0.5, 1]");
  net = new_net(1);
  x = add_pop(net, "X", "RateConstant", 1);
  y = add_pop(net, "Y", "RateLinear", 1);
  k = evs_net_connect(net, "XY", x, y, EVS_RECEPTOR_EXC, &spec, EVS_DIM_NONE,
                      &err);
  ck_assert_int_eq(evs_net_set_rule(net, k, "rate_bcm", &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "kappa", 0, &err), EVS_OK);
  expect_build_error(net, "kappa must be > 0");
  /* record_synapses is for small projections */
  net = new_net(1);
  x = add_pop(net, "X", "RateConstant", 40);
  y = add_pop(net, "Y", "RateLinear", 30);
  k = evs_net_connect(net, "XY", x, y, EVS_RECEPTOR_EXC, &spec, EVS_DIM_NONE,
                      &err);
  ck_assert_int_eq(evs_net_record_synapses(net, k, 1, &err), EVS_OK);
  expect_build_error(net, "at most 1024 synapses");
}
END_TEST

/* record_synapses through a run: one row per interval, every weight. */
START_TEST(test_record_synapses) {
  char dir[512], file[600];
  tu_mkdtemp(dir, sizeof dir, "rate_rec");
  evs_net *net = new_net(1);
  evs_error err;
  int x = add_pop(net, "X", "RateConstant", 2);
  set(net, x, "amplitude", evs_dist_const(1));
  int y = add_pop(net, "Y", "RateLinear", 1);
  int k = connect(net, "XY", x, y, EVS_RECEPTOR_EXC, 1, evs_dist_const(0.5));
  ck_assert_int_eq(evs_net_set_rule(net, k, "rate_hebb", &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "eta", 0.1, &err), EVS_OK);
  ck_assert_int_eq(evs_net_record_synapses(net, k, 2, &err), EVS_OK);
  evs_run_opts o = {.duration = 5.5, .outdir = dir};
  ck_assert_msg(evs_net_run(net, &o, &err) == EVS_OK, "%s", err.msg);
  evs_net_free(net);
  snprintf(file, sizeof file, "%s/XY.synapses.tsv", dir);
  FILE *f = fopen(file, "r");
  ck_assert_ptr_nonnull(f);
  char line[256];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  ck_assert_str_eq(line, "time\tw0_0\tw1_0\n");
  /* x = (1, 1), y = w0 + w1 = 2 w: w <- w (1 + 0.2) per step; rows at
   * t = 0, 2, 4 see 0, 2, 4 steps (a row at a step's time follows it) */
  for (int r = 0; r < 3; r++) {
    double t, w0, w1;
    ck_assert_int_eq(fscanf(f, "%lf %lf %lf", &t, &w0, &w1), 3);
    double want = 0.5 * pow(1.2, 2 * r);
    ck_assert(t == 2 * r);
    ck_assert_msg(fabs(w0 - want) < 1e-6 && fabs(w1 - want) < 1e-6,
                  "t = %g: %g %g, want %g", t, w0, w1, want);
  }
  double t;
  ck_assert_int_eq(fscanf(f, "%lf", &t), EOF);
  fclose(f);
  ck_assert_int_eq(tu_rm_rf(dir), 0);
}
END_TEST

static Suite *rate_suite(void) {
  Suite *s = suite_create("rate");
  TCase *tc = tcase_create("rate");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_linear_sum);
  tcase_add_test(tc, test_dt_param);
  tcase_add_test(tc, test_rule_hebb);
  tcase_add_test(tc, test_rule_oja);
  tcase_add_test(tc, test_rule_bcm);
  tcase_add_test(tc, test_rule_bounds);
  tcase_add_test(tc, test_gaussian_file);
  tcase_add_test(tc, test_gaussian_corr);
  tcase_add_test(tc, test_gaussian_reproducible);
  tcase_add_test(tc, test_values_per_neuron);
  tcase_add_test(tc, test_cholesky);
  tcase_add_test(tc, test_bcm_stability);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_record_synapses);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(rate_suite()); }
