/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* End-to-end tests of the scheduler through the public API: exact delays and
 * crossings, a recurrent network against a brute-force reference, counting,
 * determinism, and the delay rule for exact populations. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evsnn/evsnn.h"
#include "lif_refnet.h"
#include "net_test_util.h"

START_TEST(delay_and_crossing_exact) {
  /* Input spikes from a file reach a neuron with tau_m = 2 tau_syn after the
   * delay; each crosses threshold at the closed-form time. */
  make_tmpdir();
  char ras[300];
  snprintf(ras, sizeof ras, "%s/in.ras", tmpdir);
  /* 1 s apart: the tail of one response is e^-50 of itself at the next */
  double tin[3] = {0.0101234567, 1.0203, 2.0517};
  FILE *f = fopen(ras, "w");
  for (int i = 0; i < 3; i++) fprintf(f, "%.17g 0\n", tin[i]);
  fclose(f);
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 3, 1e-4), EVS_OK);
  int src = evs_net_add_population(net, "X", "SpikeSourceArray", 1, &err);
  int pop = evs_net_add_population(net, "N", "IF_curr_exp", 1, &err);
  ck_assert_int_ge(src, 0);
  ck_assert_int_ge(pop, 0);
  ck_assert_int_eq(evs_net_set_path(net, src, "file", ras, &err), EVS_OK);
  double tau_m = 0.02, D = 0.01, w = 0.05, delay = 1.3e-3;
  setp(net, pop, "tau_m", tau_m);
  setp(net, pop, "tau_syn_E", tau_m / 2);
  setp(net, pop, "v_rest", -0.06);
  setp(net, pop, "v_init", -0.06);
  setp(net, pop, "v_reset", -0.06);
  setp(net, pop, "v_thresh", -0.06 + D);
  setp(net, pop, "tau_refrac", 0.002);
  evs_conn_spec c = conn(EVS_CONN_ALL_TO_ALL, 0, w, delay);
  ck_assert_int_ge(evs_net_connect(net, "XN", src, pop, EVS_RECEPTOR_EXC, &c,
                                   EVS_DIM_VOLTAGE, &err),
                   0);
  evs_run_opts o = {.duration = 3.0, .outdir = tmpdir};
  ck_assert_msg(evs_net_run(net, &o, &err) == EVS_OK, "%s", err.msg);
  char out[300];
  snprintf(out, sizeof out, "%s/N.ras", tmpdir);
  double t[8];
  unsigned id[8];
  ck_assert_uint_eq(tu_read_raster(out, t, id, 8), 3);
  float wf = (float)w;
  double x = 0.5 * (1 + sqrt(1 - 4 * D / wf));
  for (int i = 0; i < 3; i++) {
    /* the delay is rounded to the 0.1 ms grid: 1.3 ms stays 1.3 ms */
    double expect = tin[i] + 13 * 1e-4 + tau_m * log(1 / x);
    ck_assert_msg(fabs(t[i] - expect) < 1e-9,
                  "spike %d at %.12f, expected %.12f", i, t[i], expect);
  }
  evs_net_free(net);
  remove_tmpdir();
}
END_TEST

/* ---- a small recurrent network against the lockstep RK4 reference ---- */

START_TEST(recurrent_network_against_reference) {
  const double t_end = 0.5, delay = 1e-3;
  ref_par p = {0.02, 0.005, 0.01, -0.065, -0.065, -0.05, 0.002, 0};
  static refnet r;
  make_tmpdir();
  refnet_new(&r, t_end, &p);
  refnet_connect(&r, (const double[3]){0.008, 0.002, -0.006}, EVS_DIM_VOLTAGE,
                 delay);
  evs_run_opts o = {.duration = t_end, .outdir = tmpdir};
  evs_error err;
  ck_assert_msg(evs_net_run(r.net, &o, &err) == EVS_OK, "%s", err.msg);

  ref_par ps[REFNET_N];
  double scale[REFNET_N];
  for (int i = 0; i < REFNET_N; i++) {
    ps[i] = p;
    scale[i] = 1;
  }
  refnet_reference(&r, ps, scale, delay, t_end);
  int total_e, total;
  refnet_compare(&r, &total_e, &total);
  ck_assert_int_gt(total, 50); /* the network is active */
  evs_net_free(r.net);
  remove_tmpdir();
}
END_TEST

/* A Poisson-driven recurrent network: small, active, randomly wired. */
static evs_net *poisson_net(uint64_t seed) {
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, seed, 1e-4), EVS_OK);
  int x = evs_net_add_population(net, "X", "SpikeSourcePoisson", 100, &err);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", 200, &err);
  setp(net, x, "rate", 20);
  setp(net, e, "tau_refrac", 0.002);
  evs_dist v0 = {EVS_DIST_UNIFORM, {-0.065, -0.055}};
  ck_assert_int_eq(evs_net_set_param(net, e, "v_init", &v0, &err), EVS_OK);
  evs_conn_spec c = conn(EVS_CONN_FIXED_PROBABILITY, 0.2, 0.008, 5e-4);
  c.delay = (evs_dist){EVS_DIST_UNIFORM, {2e-4, 3e-3}};
  ck_assert_int_ge(evs_net_connect(net, "XE", x, e, EVS_RECEPTOR_EXC, &c,
                                   EVS_DIM_VOLTAGE, &err),
                   0);
  evs_conn_spec r = conn(EVS_CONN_FIXED_INDEGREE, 0, -0.002, 1e-3);
  r.n = 10;
  r.delay = (evs_dist){EVS_DIST_UNIFORM, {2e-4, 3e-3}};
  ck_assert_int_ge(evs_net_connect(net, "EE", e, e, EVS_RECEPTOR_INH, &r,
                                   EVS_DIM_VOLTAGE, &err),
                   0);
  return net;
}

static char *slurp(const char *dir, const char *name) {
  char path[700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *s = calloc((size_t)n + 1, 1);
  ck_assert_int_eq(fread(s, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  return s;
}

static char *run_to(uint64_t seed, const char *sub) {
  char dir[400];
  snprintf(dir, sizeof dir, "%s/%s", tmpdir, sub);
  evs_net *net = poisson_net(seed);
  evs_error err;
  evs_run_opts o = {.duration = 1.0, .outdir = dir};
  ck_assert_msg(evs_net_run(net, &o, &err) == EVS_OK, "%s", err.msg);
  evs_net_free(net);
  return slurp(dir, "E.ras");
}

START_TEST(same_seed_same_bytes) {
  make_tmpdir();
  char *a = run_to(5, "a"), *b = run_to(5, "b"), *c = run_to(6, "c");
  ck_assert(strlen(a) > 1000);
  ck_assert_str_eq(a, b);
  ck_assert_str_ne(a, c);
  free(a);
  free(b);
  free(c);
  remove_tmpdir();
}
END_TEST

START_TEST(synaptic_events_counted) {
  /* Every spike before the end reaches every synapse of its rows: the
   * counter equals the sum of out-degrees over recorded spikes. */
  make_tmpdir();
  evs_net *net = poisson_net(8);
  evs_error err;
  ck_assert_int_eq(evs_net_record_spikes(net, 0, 1), EVS_OK);
  evs_run_opts o = {.duration = 0.7, .outdir = tmpdir};
  ck_assert_msg(evs_net_run(net, &o, &err) == EVS_OK, "%s", err.msg);
  static double t[100000];
  static unsigned id[100000];
  uint64_t expect = 0;
  const char *names[2] = {"X.ras", "E.ras"};
  for (int k = 0; k < 2; k++) {
    char path[400];
    snprintf(path, sizeof path, "%s/%s", tmpdir, names[k]);
    size_t n = tu_read_raster(path, t, id, 100000);
    const evs_csr *m = evs_net_projection_csr(net, k);
    for (size_t s = 0; s < n; s++)
      /* deliveries after the end are not made; the largest delay is 3 ms */
      if (t[s] + 3e-3 < 0.7 - 1e-9 || t[s] + 2e-4 >= 0.7) {
        if (t[s] + 2e-4 < 0.7)
          expect += m->row_ptr[id[s] + 1] - m->row_ptr[id[s]];
      } else {
        for (uint64_t e = m->grp_ptr ? m->grp_ptr[id[s]] : 0;
             m->grp_ptr && e < m->grp_ptr[id[s] + 1]; e++) {
          uint64_t begin = e == m->grp_ptr[id[s]]
                               ? m->row_ptr[id[s]]
                               : evs_csr_group_end(m, id[s], e - 1);
          if (t[s] + m->grp_delay[e] * 1e-4 < 0.7)
            expect += evs_csr_group_end(m, id[s], e) - begin;
        }
      }
  }
  evs_run_stats st;
  evs_net_stats(net, &st);
  ck_assert_uint_eq(st.syn_events, expect);
  ck_assert_uint_gt(st.syn_events, 10000);
  evs_net_free(net);
  remove_tmpdir();
}
END_TEST

/* Matrix Market snapshots list every synapse of the CSR, in order, with
 * weights in SI units (voltage weights: volts); a time at or after the end
 * writes nothing. */
START_TEST(matrix_snapshots) {
  tu_mkdtemp(tmpdir, sizeof tmpdir, "check_net");
  evs_net *net = poisson_net(3);
  evs_error err;
  double times[3] = {0.25, 0.0, 2.0};
  ck_assert_int_eq(evs_net_record_matrix(net, 1, times, 3, &err), EVS_OK);
  evs_run_opts o = {.duration = 0.5, .outdir = tmpdir};
  ck_assert_msg(evs_net_run(net, &o, &err) == EVS_OK, "%s", err.msg);
  const evs_csr *m = evs_net_projection_csr(net, 1);
  const char *names[2] = {"EE_0ms.mtx", "EE_250ms.mtx"};
  for (int f = 0; f < 2; f++) {
    char path[400], line[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, names[f]);
    FILE *in = fopen(path, "r");
    ck_assert_msg(in != NULL, "cannot open %s", path);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
    ck_assert_str_eq(line, "%%MatrixMarket matrix coordinate real general\n");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
    ck_assert(line[0] == '%');
    unsigned rows, cols;
    unsigned long long nnz;
    ck_assert_int_eq(fscanf(in, "%u %u %llu", &rows, &cols, &nnz), 3);
    ck_assert_uint_eq(rows, m->n_pre);
    ck_assert_uint_eq(cols, m->n_post);
    ck_assert_uint_eq(nnz, m->nnz);
    for (uint32_t i = 0; i < m->n_pre; i++)
      for (uint64_t e = m->row_ptr[i]; e < m->row_ptr[i + 1]; e++) {
        unsigned r, c;
        double w;
        ck_assert_int_eq(fscanf(in, "%u %u %lf", &r, &c, &w), 3);
        ck_assert_uint_eq(r, i + 1);
        ck_assert_uint_eq(c, evs_csr_target(m, e) + 1);
        ck_assert(fabs(w - evs_csr_weight(m, e)) <=
                  1e-8 * fabs(evs_csr_weight(m, e)));
      }
    double extra;
    ck_assert_int_eq(fscanf(in, "%lf", &extra), EOF);
    fclose(in);
  }
  char path[400];
  snprintf(path, sizeof path, "%s/EE_2000ms.mtx", tmpdir);
  ck_assert_int_ne(access(path, F_OK), 0);
  double bad = -1;
  ck_assert_int_eq(evs_net_record_matrix(net, 1, &bad, 1, &err), EVS_EINVAL);
  evs_net_free(net);
  ck_assert_int_eq(tu_rm_rf(tmpdir), 0);
}
END_TEST

START_TEST(exact_population_needs_delay) {
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", 10, &err);
  evs_conn_spec c = conn(EVS_CONN_ALL_TO_ALL, 0, 0.001, 0);
  ck_assert_int_ge(evs_net_connect(net, "EE", e, e, EVS_RECEPTOR_EXC, &c,
                                   EVS_DIM_VOLTAGE, &err),
                   0);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "at least the resolution"));
  evs_net_free(net);
}
END_TEST

/* A build error says which object and key it is about (evs_error.about,
 * .index, .key), so that a model file can point at the key's line without
 * reading the message (issue 15). */
START_TEST(build_errors_name_their_key) {
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", 10, &err);
  int i = evs_net_add_population(net, "I", "IF_curr_exp", 5, &err);
  evs_conn_spec ok = conn(EVS_CONN_ALL_TO_ALL, 0, 0.001, 0.001);
  evs_conn_spec big = conn(EVS_CONN_FIXED_INDEGREE, 0, 0.001, 0.001);
  big.n = (uint64_t)1 << 40;
  ck_assert_int_eq(evs_net_connect(net, "EE", e, e, EVS_RECEPTOR_EXC, &ok,
                                   EVS_DIM_VOLTAGE, &err),
                   0);
  ck_assert_int_eq(evs_net_connect(net, "EI", e, i, EVS_RECEPTOR_EXC, &big,
                                   EVS_DIM_VOLTAGE, &err),
                   1);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_EINVAL);
  ck_assert_int_eq(err.about, EVS_ABOUT_PROJECTION);
  ck_assert_int_eq(err.index, 1);
  ck_assert_str_eq(err.key, "n");
  evs_net_free(net);
  /* a weight the post type cannot take is the weight's error */
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  e = evs_net_add_population(net, "E", "IF_curr_exp", 10, &err);
  ck_assert_int_lt(evs_net_connect(net, "EE", e, e, EVS_RECEPTOR_EXC, &ok,
                                   EVS_DIM_CONDUCTANCE, &err),
                   0);
  ck_assert_str_eq(err.key, "weight");
  /* a parameter out of its domain names the parameter and the population */
  evs_dist d = evs_dist_const(-0.02);
  ck_assert_int_eq(evs_net_set_param(net, e, "tau_m", &d, &err), EVS_OK);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_EINVAL);
  ck_assert_int_eq(err.about, EVS_ABOUT_POPULATION);
  ck_assert_int_eq(err.index, e);
  ck_assert_str_eq(err.key, "tau_m");
  /* and a new error record is about nothing */
  evs_error_set(&err, EVS_EIO, NULL, 0, "x");
  ck_assert_int_eq(err.about, EVS_ABOUT_NONE);
  ck_assert_str_eq(err.key, "");
  evs_net_free(net);
}
END_TEST

/* evs_net_set_param_values: one value per neuron of a per-neuron
 * parameter, refused for a population-wide one, for a wrong count or a bad
 * value; a type's check of each neuron's values names the neuron and the
 * key. */
START_TEST(param_values_per_neuron) {
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", 4, &err);
  int c = evs_net_add_population(net, "C", "IF_cond_exp", 3, &err);
  double four[4] = {0, 1e-10, 2e-10, -1e-10};
  ck_assert_int_eq(evs_net_set_param_values(net, e, "i_offset", four, 4, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_param_values(net, e, "tau_m", four, 4, &err),
                   EVS_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "one value for the population"));
  ck_assert_int_eq(evs_net_set_param_values(net, e, "i_offset", four, 3, &err),
                   EVS_EINVAL);
  four[2] = NAN;
  ck_assert_int_eq(evs_net_set_param_values(net, e, "v_rest", four, 4, &err),
                   EVS_EINVAL);
  ck_assert_int_eq(evs_net_set_param_values(net, e, "no_such", four, 4, &err),
                   EVS_ENOENT);
  /* a later constant replaces the values (and frees them) */
  evs_dist d = evs_dist_const(0);
  ck_assert_int_eq(evs_net_set_param(net, e, "i_offset", &d, &err), EVS_OK);
  double vreset[3] = {-70e-3, -45e-3, -70e-3}; /* v_thresh is -50 mV */
  ck_assert_int_eq(evs_net_set_param_values(net, c, "v_reset", vreset, 3, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_EMODEL);
  ck_assert_ptr_nonnull(strstr(err.msg, "neuron 1: v_reset"));
  ck_assert_int_eq(err.about, EVS_ABOUT_POPULATION);
  ck_assert_int_eq(err.index, c);
  ck_assert_str_eq(err.key, "v_reset");
  evs_net_free(net);
}
END_TEST

static Suite *net_suite(void) {
  Suite *s = suite_create("net");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, delay_and_crossing_exact);
  tcase_add_test(tc, recurrent_network_against_reference);
  tcase_add_test(tc, same_seed_same_bytes);
  tcase_add_test(tc, synaptic_events_counted);
  tcase_add_test(tc, matrix_snapshots);
  tcase_add_test(tc, exact_population_needs_delay);
  tcase_add_test(tc, build_errors_name_their_key);
  tcase_add_test(tc, param_values_per_neuron);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(net_suite()); }
