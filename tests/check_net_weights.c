/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The per-synapse weights of the public API (evs_net_get_weights,
 * evs_net_set_weights: SI units, CSR order, states and errors) and a
 * plug-in's membrane-potential samples (evs_plugin_voltages) against the
 * closed-form relaxation of an IF_curr_exp neuron. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "evsnn/evsnn.h"
#include "check_util.h"

START_TEST(weights_round_trip_in_si_units) {
  evs_net *net;
  evs_error err = {0};
  ck_assert_int_eq(evs_net_new(&net, 5, 1e-4), EVS_OK);
  int src = evs_net_add_population(net, "S", "SpikeSourcePoisson", 3, &err);
  int post = evs_net_add_population(net, "N", "IF_curr_exp", 4, &err);
  evs_conn_spec all = {.kind = EVS_CONN_ALL_TO_ALL,
                       .weight = evs_dist_const(0.5e-9),
                       .delay = evs_dist_const(1e-3)};
  int p = evs_net_connect(net, "SN", src, post, EVS_RECEPTOR_EXC, &all,
                          EVS_DIM_CURRENT, &err);
  ck_assert_int_ge(p, 0);
  double w[12];
  ck_assert_int_eq(evs_net_get_weights(net, p, w, 12, &err), EVS_ESTATE);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_OK);
  ck_assert_int_eq(evs_net_get_weights(net, p, w, 11, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_get_weights(net, p + 1, w, 12, &err), EVS_EINVAL);
  /* given in A, stored in the neuron's internal unit, read back in A */
  ck_assert_int_eq(evs_net_get_weights(net, p, w, 12, &err), EVS_OK);
  for (int q = 0; q < 12; q++) ck_assert_double_eq_tol(w[q], 0.5e-9, 1e-15);
  double set[12];
  for (int q = 0; q < 12; q++) set[q] = (q - 6) * 0.1e-9;
  set[3] = NAN; /* refused, nothing changes */
  ck_assert_int_eq(evs_net_set_weights(net, p, set, 12, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_get_weights(net, p, w, 12, &err), EVS_OK);
  ck_assert_double_eq_tol(w[3], 0.5e-9, 1e-15);
  set[3] = 2e-9;
  ck_assert_int_eq(evs_net_set_weights(net, p, set, 12, &err), EVS_OK);
  ck_assert_int_eq(evs_net_get_weights(net, p, w, 12, &err), EVS_OK);
  for (int q = 0; q < 12; q++) /* floats: 24 bits */
    ck_assert_double_eq_tol(w[q], set[q], 1e-7 * fabs(set[q]) + 1e-18);
  /* the CSR holds them in order: row 0's synapses first */
  const evs_csr *m = evs_net_projection_csr(net, p);
  ck_assert_ptr_nonnull(m->weight);
  ck_assert_double_eq_tol(evs_csr_weight(m, 3) / evs_csr_weight(m, 11),
                          set[3] / set[11], 1e-6);
  evs_net_free(net);
}
END_TEST

START_TEST(edge_list_weights_scaled_like_the_spec) {
  /* An edge list's weights (SI, here amperes onto IF_curr_exp, whose
   * internal unit is volts R*I) are stored as the same weight given as
   * the spec's constant is: the file's column and the spec's value agree. */
  char path[300];
  tu_write_tmp(path, sizeof path, "edges", "0 0 3e-10 0.001\n1 0\n");
  evs_net *net;
  evs_error err = {0};
  ck_assert_int_eq(evs_net_new(&net, 5, 1e-4), EVS_OK);
  int src = evs_net_add_population(net, "S", "SpikeSourcePoisson", 2, &err);
  int post = evs_net_add_population(net, "N", "IF_curr_exp", 1, &err);
  evs_conn_spec file = {.kind = EVS_CONN_FILE,
                        .path = path,
                        .weight = evs_dist_const(3e-10),
                        .delay = evs_dist_const(1e-3)};
  evs_conn_spec all = {.kind = EVS_CONN_ALL_TO_ALL,
                       .weight = evs_dist_const(3e-10),
                       .delay = evs_dist_const(1e-3)};
  int pf = evs_net_connect(net, "F", src, post, EVS_RECEPTOR_EXC, &file,
                           EVS_DIM_CURRENT, &err);
  int pa = evs_net_connect(net, "A", src, post, EVS_RECEPTOR_EXC, &all,
                           EVS_DIM_CURRENT, &err);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_OK);
  const evs_csr *f = evs_net_projection_csr(net, pf);
  const evs_csr *a = evs_net_projection_csr(net, pa);
  ck_assert_int_eq(f->nnz, 2);
  for (uint64_t q = 0; q < 2; q++) /* the column, and the spec's value */
    ck_assert_float_eq(evs_csr_weight(f, q), evs_csr_weight(a, 0));
  double w[2];
  ck_assert_int_eq(evs_net_get_weights(net, pf, w, 2, &err), EVS_OK);
  ck_assert_double_eq_tol(w[0], 3e-10, 1e-16);
  evs_net_free(net);
  unlink(path);
}
END_TEST

/* A plug-in sampling neuron 0 of population 0 every 1 ms from t = 0. */
typedef struct sampler {
  double v[11], t[11];
  int n;
  int bad_source, bad_id; /* statuses of the refused calls */
} sampler;

static int sampler_start(evs_plugin *pl, evs_run *run, evs_error *err) {
  (void)err;
  return evs_run_push(run, pl, 0, EVS_EV_RECORD, 0, 0);
}

static int sampler_clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  sampler *s = evs_plugin_state(pl);
  uint32_t id = 0, far = 7;
  double v;
  int rc = evs_plugin_voltages(pl, 0, &id, 1, ev->t, &s->v[s->n]);
  if (rc) return rc;
  s->t[s->n++] = ev->t;
  s->bad_source = evs_plugin_voltages(pl, 1, &id, 1, ev->t, &v);
  s->bad_id = evs_plugin_voltages(pl, 0, &far, 1, ev->t, &v);
  return s->n < 11 ? evs_run_push(run, pl, s->n * 1e-3, EVS_EV_RECORD, 0, 0)
                   : EVS_OK;
}

static const evs_plugin_type sampler_type = {.name = "sampler",
                                             .start = sampler_start,
                                             .clock = sampler_clock,
                                             .destroy = NULL};

START_TEST(plugin_samples_relaxation_in_closed_form) {
  evs_net *net;
  evs_error err = {0};
  ck_assert_int_eq(evs_net_new(&net, 5, 1e-4), EVS_OK);
  int pop = evs_net_add_population(net, "N", "IF_curr_exp", 2, &err);
  ck_assert_int_eq(pop, 0);
  ck_assert_int_eq(
      evs_net_add_population(net, "S", "SpikeSourcePoisson", 1, &err), 1);
  evs_dist v0 = evs_dist_const(-0.070), rest = evs_dist_const(-0.065),
           tau = evs_dist_const(0.02);
  ck_assert_int_eq(evs_net_set_param(net, pop, "v_init", &v0, &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_param(net, pop, "v_rest", &rest, &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_param(net, pop, "tau_m", &tau, &err), EVS_OK);
  sampler s = {.n = 0};
  ck_assert_int_eq(evs_net_add_plugin(net, &sampler_type, &s, &err), EVS_OK);
  evs_run_opts opts = {.duration = 0.0105};
  ck_assert_int_eq(evs_net_run(net, &opts, &err), EVS_OK);
  ck_assert_int_eq(s.n, 11);
  for (int k = 0; k < 11; k++)
    ck_assert_double_eq_tol(s.v[k], -0.065 - 0.005 * exp(-s.t[k] / 0.02),
                            1e-12);
  ck_assert_int_eq(s.bad_source, EVS_EINVAL);
  ck_assert_int_eq(s.bad_id, EVS_EINVAL);
  evs_net_free(net);
}
END_TEST

static Suite *net_weights_suite(void) {
  Suite *s = suite_create("net_weights");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, weights_round_trip_in_si_units);
  tcase_add_test(tc, edge_list_weights_scaled_like_the_spec);
  tcase_add_test(tc, plugin_samples_relaxation_in_closed_form);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(net_weights_suite()); }
