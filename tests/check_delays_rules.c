/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: synaptic delays changed with learning rules and short-term
 * plasticity, and the changes refused (the rest: check_delays.c).
 *
 *  - STDP: a learning projection's weights keep their synapses across a
 *    change (get_weights before and after), and the weight it learns
 *    across a change is the pair rule's sum over the arrivals with the old
 *    and new delays;
 *  - refusals: a checkpoint after a change, a short-term plasticity group
 *    split during a run, a learning projection's non-uniform delays, a
 *    delay below the resolution or an exact population's window, a run that
 *    has ended (a run on threads takes the change: check_delays_threads.c). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "delays_util.h"
#include "evsnn/evsnn.h"

/* ---- STDP ---------------------------------------------------------------- */

#define A_PLUS 1e-4
#define A_MINUS 1.2e-4
#define TAU 20e-3

START_TEST(test_stdp_across_a_change) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "delays");
  /* pre spikes (one neuron); the post neuron is driven to spike by its
   * own source; the learning synapse's delay is 2 ms, then 6 ms from 40
   * ms: the pre spike at 39.5 ms is in flight at the change */
  const double pre_t[5] = {5e-3, 21e-3, 39.5e-3, 52e-3, 71e-3};
  const double drive_t[5] = {8e-3, 19e-3, 43e-3, 55e-3, 60e-3};
  const unsigned zero[5] = {0};
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 3, RES), EVS_OK);
  int pre = source(net, dir, "pre", 1, pre_t, zero, 5);
  int drive = source(net, dir, "drive", 1, drive_t, zero, 5);
  int post = fast_neurons(net, "post", 1);
  evs_conn_spec one = {.kind = EVS_CONN_ALL_TO_ALL,
                       .weight = evs_dist_const(0.2),
                       .delay = evs_dist_const(1e-3)};
  connect(net, "drive_post", drive, post, &one);
  evs_conn_spec learn = {.kind = EVS_CONN_ALL_TO_ALL,
                         .weight = evs_dist_const(1e-3),
                         .delay = evs_dist_const(2e-3)};
  int k = connect(net, "pre_post", pre, post, &learn);
  evs_error err;
  ck_assert_int_eq(evs_net_set_rule(net, k, "stdp_pair", &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "A_plus", A_PLUS, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "A_minus", A_MINUS, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "tau_plus", TAU, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "tau_minus", TAU, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "w_max", 1, &err), EVS_OK);
  collect *c = collect_pop(net, post);
  evs_run_opts o = {.duration = 0.09, .outdir = NULL};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, 40e-3);
  double w0, w1, d = 6e-3;
  ck_assert_int_eq(evs_net_get_weights(net, k, &w0, 1, &err), EVS_OK);
  set_delays(net, k, &d, 1);
  ck_assert_int_eq(evs_net_get_weights(net, k, &w1, 1, &err), EVS_OK);
  ck_assert(w0 == w1);
  run_until(net, 0.09);
  ck_assert_int_eq(evs_net_get_weights(net, k, &w1, 1, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  /* the pair rule over the arrivals (old delay for spikes scheduled before
   * 40 ms) and the post spikes the run found; no bound is reached */
  double arr[5], w = 1e-3;
  for (int i = 0; i < 5; i++) arr[i] = pre_t[i] + (pre_t[i] < 40e-3 ? 2e-3 : d);
  ck_assert_uint_eq(c->n, 5);
  for (int i = 0; i < 5; i++)
    for (size_t j = 0; j < c->n; j++) {
      double lag = c->spk[j].t - arr[i];
      w += lag > 0 ? A_PLUS * exp(-lag / TAU) : -A_MINUS * exp(lag / TAU);
    }
  ck_assert_msg(fabs(w1 - w) < 1e-9, "learned %.12g, pair rule %.12g", w1, w);
  evs_net_free(net);
  tu_rm_rf(dir);
}
END_TEST

/* A learning projection of many synapses: weights learned before the change
 * stay with their synapses. */
START_TEST(test_stdp_weights_keep_their_synapses) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 5, RES), EVS_OK);
  evs_error err;
  int in = evs_net_add_population(net, "in", "SpikeSourcePoisson", 50, &err);
  set_const(net, in, "rate", 40);
  int post = evs_net_add_population(net, "post", "IF_curr_exp", 20, &err);
  ck_assert_int_eq(evs_net_add_dc(net, post, 10e-3, EVS_DIM_VOLTAGE, &err),
                   EVS_OK);
  evs_conn_spec spec = {.kind = EVS_CONN_FIXED_PROBABILITY,
                        .p = 0.5,
                        .weight = {EVS_DIST_UNIFORM, {1e-3, 3e-3}},
                        .delay = evs_dist_const(1.5e-3)};
  int k = connect(net, "in_post", in, post, &spec);
  ck_assert_int_eq(evs_net_set_rule(net, k, "stdp_pair", &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "A_plus", 1e-4, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "A_minus", 1e-4, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "w_max", 5e-3, &err), EVS_OK);
  evs_run_opts o = {.duration = 0.4, .outdir = NULL};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, 0.2);
  size_t n = evs_net_projection_csr(net, k)->nnz;
  double *w0 = malloc(n * sizeof *w0), *w1 = malloc(n * sizeof *w1);
  double *d = malloc(n * sizeof *d);
  uint32_t *t0 = malloc(n * sizeof *t0);
  memcpy(t0, evs_net_projection_csr(net, k)->target, n * sizeof *t0);
  ck_assert_int_eq(evs_net_get_weights(net, k, w0, n, &err), EVS_OK);
  for (size_t q = 0; q < n; q++) d[q] = q % 2 ? 4e-3 : 5e-3;
  ck_assert_int_eq(evs_net_set_delays(net, k, d, n, &err), EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "one delay") != NULL, "%s", err.msg);
  for (size_t q = 0; q < n; q++) d[q] = 4e-3;
  set_delays(net, k, d, n);
  ck_assert_int_eq(evs_net_get_weights(net, k, w1, n, &err), EVS_OK);
  ck_assert(memcmp(w0, w1, n * sizeof *w0) == 0);
  ck_assert(
      memcmp(t0, evs_net_projection_csr(net, k)->target, n * sizeof *t0) == 0);
  run_until(net, 0.4);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  free(w0);
  free(w1);
  free(d);
  free(t0);
  evs_net_free(net);
}
END_TEST

/* ---- refusals ------------------------------------------------------------ */

START_TEST(test_refusals) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 5, RES), EVS_OK);
  evs_error err;
  int a = evs_net_add_population(net, "a", "IF_curr_exp", 10, &err);
  int b = evs_net_add_population(net, "b", "IF_curr_exp", 10, &err);
  evs_conn_spec spec = {.kind = EVS_CONN_ONE_TO_ONE,
                        .weight = evs_dist_const(1e-3),
                        .delay = evs_dist_const(2e-3)};
  int k = connect(net, "a_b", a, b, &spec);
  double d[10];
  for (int q = 0; q < 10; q++) d[q] = 3e-3;
  ck_assert_int_eq(evs_net_set_delays(net, k, d, 10, &err), EVS_ESTATE);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_delays(net, k, d, 9, &err), EVS_EINVAL);
  d[3] = 1e-3; /* below a's window: its shortest delay when built */
  ck_assert_int_eq(evs_net_set_delays(net, k, d, 10, &err), EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "window") != NULL, "%s", err.msg);
  d[3] = -1;
  ck_assert_int_eq(evs_net_set_delays(net, k, d, 10, &err), EVS_EINVAL);
  d[3] = 2.5e-3;
  set_delays(net, k, d, 10);
  evs_run_opts o = {.duration = 0.01, .outdir = NULL, .threads = 2};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, 0.005);
  int rc = evs_net_set_delays(net, k, d, 10, &err); /* threads: taken */
  ck_assert_msg(rc == EVS_OK, "threads: %d %s", rc, err.msg);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  rc = evs_net_set_delays(net, k, d, 10, &err);
  ck_assert_int_eq(rc, EVS_ESTATE);
  evs_net_free(net);
}
END_TEST

/* During a run, a Tsodyks-Markram projection's delay group may not split
 * (its state is per group); a change that keeps the groups whole is
 * taken, and the run then takes no checkpoint (it took one before). */
START_TEST(test_stp_groups_stay_whole) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 5, RES), EVS_OK);
  evs_error err;
  int in = evs_net_add_population(net, "in", "SpikeSourcePoisson", 4, &err);
  set_const(net, in, "rate", 50);
  int post = evs_net_add_population(net, "post", "IF_curr_exp", 3, &err);
  evs_conn_spec all = {.kind = EVS_CONN_ALL_TO_ALL,
                       .weight = evs_dist_const(1e-3),
                       .delay = evs_dist_const(2e-3)};
  int k = connect(net, "in_post", in, post, &all);
  ck_assert_int_eq(evs_net_set_stp(net, k, 0.3, 20e-3, 0, &err), EVS_OK);
  char dir[512], ckpt[1024];
  tu_mkdtemp(dir, sizeof dir, "delays");
  snprintf(ckpt, sizeof ckpt, "%s/run.ckpt", dir);
  ck_assert_int_eq(evs_net_set_checkpoint(net, ckpt, 0, NULL, 0, &err), EVS_OK);
  evs_run_opts o = {.duration = 0.05, .outdir = dir};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, 0.02);
  int rc = evs_net_checkpoint(net, &err); /* before any change: saved */
  ck_assert_msg(rc == EVS_OK, "%s", err.msg);
  double d[12];
  for (int q = 0; q < 12; q++) d[q] = q % 3 ? 2e-3 : 3e-3;
  ck_assert_int_eq(evs_net_set_delays(net, k, d, 12, &err), EVS_ESTATE);
  ck_assert_msg(strstr(err.msg, "whole") != NULL, "%s", err.msg);
  for (int q = 0; q < 12; q++) d[q] = (q / 3 + 1) * 1e-3;
  set_delays(net, k, d, 12);
  ck_assert_int_eq(evs_net_checkpoint(net, &err), EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "delays changed") != NULL, "%s", err.msg);
  run_until(net, 0.05);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
  tu_rm_rf(dir);
}
END_TEST

static Suite *delays_rules_suite(void) {
  Suite *s = suite_create("delays_rules");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_stdp_across_a_change);
  tcase_add_test(tc, test_stdp_weights_keep_their_synapses);
  tcase_add_test(tc, test_stp_groups_stay_whole);
  tcase_add_test(tc, test_refusals);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(delays_rules_suite()); }
