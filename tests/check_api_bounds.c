/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The public setters take values in the domain a model file allows
 * (issue 15, item 3): every value finite and at most 1e15 in magnitude (SI
 * units; model_value.c's bound), time steps and recording intervals of at
 * least 1e-6 s (model_build.c's bound on the resolution). Each setter is
 * given infinity, NaN, 1e300 and, where it applies, a tiny step, and must
 * refuse them with EVS_EINVAL and a message; the largest value allowed
 * (1e15, or 1e-6 s for a step) must be taken, so that the bound is the
 * model file's and no tighter. */
#include <check.h>
#include <math.h>
#include <stdint.h>

#include "evsnn/evsnn.h"

static const double bad[] = {INFINITY, -INFINITY, NAN, 1e300, -1e300, 1.1e15};
enum { N_BAD = sizeof bad / sizeof bad[0] };

/* A net with a source X, a neuron population N and a projection XN with a
 * learning rule; *pop, *proj their indices. */
static evs_net *small_net(int *src, int *pop, int *proj) {
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  *src = evs_net_add_population(net, "X", "SpikeSourcePoisson", 4, &err);
  *pop = evs_net_add_population(net, "N", "IF_curr_exp", 4, &err);
  ck_assert_int_ge(*src, 0);
  ck_assert_int_ge(*pop, 0);
  evs_conn_spec spec = {.kind = EVS_CONN_ALL_TO_ALL,
                        .weight = evs_dist_const(1e-3),
                        .delay = evs_dist_const(1e-3)};
  *proj = evs_net_connect(net, "XN", *src, *pop, EVS_RECEPTOR_EXC, &spec,
                          EVS_DIM_VOLTAGE, &err);
  ck_assert_msg(*proj >= 0, "%s", err.msg);
  ck_assert_int_eq(evs_net_set_rule(net, *proj, "stdp_pair", &err), EVS_OK);
  const char *rule_par[] = {"w_max", "A_plus", "A_minus"};
  const double rule_val[] = {2e-3, 1e-5, 1e-5};
  for (int k = 0; k < 3; k++)
    ck_assert_int_eq(
        evs_net_set_rule_param(net, *proj, rule_par[k], rule_val[k], &err),
        EVS_OK);
  return net;
}

/* rc must be EVS_EINVAL with a message (what: the call, v: the value). */
static void refused(int rc, const evs_error *err, const char *what, double v) {
  ck_assert_msg(rc == EVS_EINVAL, "%s(%g): status %d, expected EVS_EINVAL",
                what, v, rc);
  ck_assert_msg(err == NULL || err->msg[0], "%s(%g): no message", what, v);
}

START_TEST(resolution_bounded) {
  evs_net *net = NULL;
  for (int i = 0; i < N_BAD; i++)
    refused(evs_net_new(&net, 1, bad[i]), NULL, "evs_net_new", bad[i]);
  refused(evs_net_new(&net, 1, 1e-9), NULL, "evs_net_new", 1e-9);
  refused(evs_net_new(&net, 1, 1e-300), NULL, "evs_net_new", 1e-300);
  ck_assert_ptr_null(net);
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-6), EVS_OK);
  evs_net_free(net);
}
END_TEST

START_TEST(parameters_bounded) {
  int src, pop, proj;
  evs_net *net = small_net(&src, &pop, &proj);
  evs_error err;
  const char *names[] = {"tau_m", "v_thresh", "v_rest", "i_offset", "v_init"};
  for (size_t k = 0; k < sizeof names / sizeof *names; k++)
    for (int i = 0; i < N_BAD; i++) {
      evs_dist d = evs_dist_const(bad[i]);
      refused(evs_net_set_param(net, pop, names[k], &d, &err), &err, names[k],
              bad[i]);
    }
  /* a distribution's parameters too */
  evs_dist d;
  ck_assert_int_eq(
      evs_dist_parse("normal(-60 mV, 1 mV)", EVS_DIM_VOLTAGE, &d, NULL, 0),
      EVS_OK);
  d.p[1] = 1e300;
  refused(evs_net_set_param(net, pop, "v_init", &d, &err), &err,
          "v_init normal sd", d.p[1]);
  /* 1e15 is a model file's largest value: taken */
  d = evs_dist_const(1e15);
  ck_assert_int_eq(evs_net_set_param(net, pop, "tau_m", &d, &err), EVS_OK);
  /* a source's stop = inf is its default ("never"): taken */
  d = evs_dist_const(INFINITY);
  ck_assert_msg(evs_net_set_param(net, src, "stop", &d, &err) == EVS_OK, "%s",
                err.msg);
  for (int i = 0; i < N_BAD; i++) {
    refused(evs_net_set_rule_param(net, proj, "A_plus", bad[i], &err), &err,
            "evs_net_set_rule_param", bad[i]);
    refused(evs_net_add_dc(net, pop, bad[i], EVS_DIM_CURRENT, &err), &err,
            "evs_net_add_dc", bad[i]);
    refused(evs_net_check_rate(net, pop, 0, bad[i], 0.1, &err), &err,
            "evs_net_check_rate max", bad[i]);
    refused(evs_net_check_rate(net, pop, 0, 10, bad[i], &err), &err,
            "evs_net_check_rate tau", bad[i]);
  }
  evs_net_free(net);
}
END_TEST

START_TEST(connections_bounded) {
  int src, pop, proj;
  evs_net *net = small_net(&src, &pop, &proj);
  evs_error err;
  for (int i = 0; i < N_BAD; i++) {
    evs_conn_spec spec = {.kind = EVS_CONN_ALL_TO_ALL,
                          .weight = evs_dist_const(bad[i]),
                          .delay = evs_dist_const(1e-3)};
    refused(evs_net_connect(net, "W", src, pop, EVS_RECEPTOR_EXC, &spec,
                            EVS_DIM_VOLTAGE, &err),
            &err, "evs_net_connect weight", bad[i]);
    spec.weight = evs_dist_const(1e-3);
    spec.delay = evs_dist_const(fabs(bad[i]));
    refused(evs_net_connect(net, "D", src, pop, EVS_RECEPTOR_EXC, &spec,
                            EVS_DIM_VOLTAGE, &err),
            &err, "evs_net_connect delay", bad[i]);
  }
  ck_assert_msg(evs_net_build(net, &err) == EVS_OK, "%s", err.msg);
  for (int i = 0; i < N_BAD; i++)
    refused(evs_net_set_weight(net, proj, bad[i], &err), &err,
            "evs_net_set_weight", bad[i]);
  evs_net_free(net);
}
END_TEST

START_TEST(recordings_and_duration_bounded) {
  int src, pop, proj;
  evs_net *net = small_net(&src, &pop, &proj);
  evs_error err;
  uint32_t id = 0;
  const double tiny[] = {1e-300, 1e-9, 0.9e-6};
  for (int i = 0; i < N_BAD + 3; i++) {
    double v = i < N_BAD ? fabs(bad[i]) : tiny[i - N_BAD];
    refused(evs_net_record_v(net, pop, &id, 1, v, &err), &err,
            "evs_net_record_v interval", v);
    refused(evs_net_record_weights(net, proj, v, &err), &err,
            "evs_net_record_weights", v);
    refused(evs_net_record_synapses(net, proj, v, &err), &err,
            "evs_net_record_synapses", v);
    if (i < N_BAD)
      refused(evs_net_record_matrix(net, proj, &v, 1, &err), &err,
              "evs_net_record_matrix", v);
  }
  ck_assert_int_eq(evs_net_record_v(net, pop, &id, 1, 1e-6, &err), EVS_OK);
  for (int i = 0; i < N_BAD; i++) {
    evs_run_opts o = {.duration = fabs(bad[i])};
    refused(evs_net_run(net, &o, &err), &err, "evs_net_run duration",
            o.duration);
  }
  evs_net_free(net);
}
END_TEST

START_TEST(superspike_bounded) {
  int src, pop, proj;
  evs_net *net = small_net(&src, &pop, &proj);
  evs_error err;
  evs_superspike_spec d;
  evs_superspike_defaults(&d);
  d.output = pop;
  d.target = "never-read.ras"; /* the numbers are checked first */
  double *field[] = {&d.target_period,
                     &d.trial,
                     &d.update,
                     &d.r0,
                     &d.r0_decay_time,
                     &d.r0_decay,
                     &d.r0_decay_period,
                     &d.burn_in,
                     &d.tau_rms,
                     &d.eps,
                     &d.tau_rise,
                     &d.tau_decay,
                     &d.psp_rise,
                     &d.psp_decay,
                     &d.beta,
                     &d.u_floor,
                     &d.rho,
                     &d.tau_z,
                     &d.tolerance};
  for (size_t k = 0; k < sizeof field / sizeof *field; k++) {
    evs_superspike_spec s = d;
    double *f = (double *)((char *)&s + ((char *)field[k] - (char *)&d));
    *f = 1e300;
    refused(evs_net_superspike(net, &s, &err), &err, "evs_net_superspike", *f);
  }
  evs_net_free(net);
}
END_TEST

int main(void) {
  Suite *s = suite_create("api_bounds");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, resolution_bounded);
  tcase_add_test(tc, parameters_bounded);
  tcase_add_test(tc, connections_bounded);
  tcase_add_test(tc, recordings_and_duration_bounded);
  tcase_add_test(tc, superspike_bounded);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int nf = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nf == 0 ? 0 : 1;
}
