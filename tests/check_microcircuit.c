/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of models/microcircuit.ini and the [network] keys at 2 % scale:
 * properties derived here from the published tables (doc/microcircuit.md),
 * never byte checksums of the wiring. Population sizes are round(N 0.02);
 * each projection holds round(K s) synapses with K = round(log(1 - p) /
 * log(1 - 1/(N_pre N_post))) from the full-scale sizes (s = scale times
 * k_scale); weights' means follow the PSP of 0.15 mV (the PSC is found
 * here by maximising the PSP numerically), g = -4 and the doubled
 * L4E->L23E; delays are at least one step; with k_scale the weights grow by
 * 1/sqrt(k_scale) and each population gets the DC that keeps its mean
 * input, computed here from the tables; background = dc gives the
 * background's mean current. And the background of an isolated grid
 * neuron: its mean membrane potential against Campbell's theorem. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/net_impl.h"
#include "evsnn/model.h"
#include "check_util.h"

static const char *const POPS[8] = {"L23E", "L23I", "L4E", "L4I",
                                    "L5E",  "L5I",  "L6E", "L6I"};
static const double N[8] = {20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948};
static const double P[8][8] =
    {/* target row, source column */
     {0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0., 0.0076, 0.},
     {0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0., 0.0042, 0.},
     {0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.},
     {0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0., 0.1057, 0.},
     {0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.},
     {0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.},
     {0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252},
     {0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443}};
static const double K_EXT[8] = {1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100};
static const double RATES[8] = {0.903, 2.965, 4.414, 5.876,
                                7.569, 8.633, 1.105, 7.829};
#define TAU_M 10e-3
#define TAU_S 0.5e-3
#define CM 250e-12
#define R_M (TAU_M / CM)

/* The PSC amplitude (A) whose PSP peaks at 0.15 mV: the PSP of a unit
 * current, R ts/(ts - tm) (e^{-t/ts} - e^{-t/tm}), maximised on a 1 ns
 * grid. */
static double psc_for_psp(void) {
  double best = 0;
  for (double t = 1e-9; t < 5e-3; t += 1e-9) {
    double v =
        R_M * TAU_S / (TAU_S - TAU_M) * (exp(-t / TAU_S) - exp(-t / TAU_M));
    if (v > best) best = v;
  }
  return 0.15e-3 / best;
}

/* Loads the microcircuit with the overrides (NULL-terminated). */
static evs_model *load(const char *const *set) {
  const char *dir = getenv("MODELS");
  char path[4096];
  snprintf(path, sizeof path, "%s/microcircuit.ini", dir ? dir : "models");
  size_t n = 0;
  while (set[n]) n++;
  evs_model_opts mo = {.overrides = set, .n_overrides = n};
  evs_model *m = NULL;
  evs_error err;
  int rc = evs_model_load_file(path, &mo, &m, &err);
  ck_assert_msg(rc == EVS_OK, "%s", err.msg);
  return m;
}

static double k_total(int t, int s) {
  return nearbyint(log(1 - P[t][s]) / log(1 - 1 / (N[s] * N[t])));
}

/* The mean weight (A) of projection s -> t in the file. */
static double w_mean(int t, int s, double w) {
  double f = s % 2 == 0 ? 1 : -4;
  if (s == 2 && t == 0) f = 2;
  return f * w;
}

/* Sizes, totals, weights and delays at scale sc, k_scale k. */
static void check_structure(double sc, double k) {
  char a[64], b[64];
  snprintf(a, sizeof a, "network.scale=%g", sc);
  snprintf(b, sizeof b, "network.k_scale=%g", k);
  const char *set[] = {a, b, "simulation.duration=10 ms", NULL};
  evs_model *m = load(set);
  const double w = psc_for_psp();
  ck_assert_double_eq_tol(w, 87.81e-12, 0.01e-12); /* doc/microcircuit.md: 87.81 pA */
  for (int i = 0; i < 8; i++) {
    int p = evs_net_find_population(m->net, POPS[i]);
    ck_assert_int_ge(p, 0);
    evs_pop_info info;
    ck_assert_int_eq(evs_net_population_info(m->net, p, &info), EVS_OK);
    REQ_UINT(info.size, ==, (uint32_t)nearbyint(N[i] * sc));
    ck_assert_str_eq(info.type, "IF_curr_exp_grid");
  }
  int nproj = 0;
  for (int t = 0; t < 8; t++)
    for (int s = 0; s < 8; s++) {
      char name[64];
      snprintf(name, sizeof name, "%s_%s", POPS[s], POPS[t]);
      int j = evs_net_find_projection(m->net, name);
      if (P[t][s] == 0) {
        ck_assert_int_lt(j, 0);
        continue;
      }
      ck_assert_msg(j >= 0, "no projection %s", name);
      nproj++;
      const evs_csr *c = evs_net_projection_csr(m->net, j);
      double want = nearbyint(k_total(t, s) * sc * k);
      ck_assert_msg((double)c->nnz == want, "%s: %llu synapses, want %.0f",
                    name, (unsigned long long)c->nnz, want);
      ck_assert_uint_ge(c->min_delay, 1);
      /* weights (internal units: R I) against the file's mean / sqrt(k);
       * sd 10 %: 5 standard errors of the mean */
      double sum = 0;
      for (uint64_t q = 0; q < c->nnz; q++) sum += c->weight[q];
      double mean = sum / c->nnz;
      double wm = w_mean(t, s, w) / sqrt(k) * R_M;
      ck_assert_msg(fabs(mean / wm - 1) < 5 * 0.1 / sqrt((double)c->nnz) + 2e-4,
                    "%s: mean weight %g V want %g V", name, mean, wm);
    }
  ck_assert_int_eq(nproj, 55);
  /* the constant inputs: (1 - sqrt(k)) tau_syn times the mean input of the
   * full-scale in-degrees and reference rates, background included */
  for (int t = 0; t < 8; t++) {
    double mean = K_EXT[t] * 8 * w;
    for (int s = 0; s < 8; s++)
      if (P[t][s] > 0)
        mean += w_mean(t, s, w) * k_total(t, s) / N[t] * RATES[s];
    double want = (1 - sqrt(k)) * TAU_S * mean * R_M;
    evs_pop *pop = m->net->pop[evs_net_find_population(m->net, POPS[t])];
    double got = pop->dc ? pop->dc[0] : 0;
    ck_assert_msg(fabs(got - want) < 1e-6 * fabs(want) + 1e-12,
                  "%s: DC %g V want %g V", POPS[t], got, want);
  }
  evs_model_free(m);
}

START_TEST(test_structure) { check_structure(0.02, 1); }
END_TEST

START_TEST(test_k_scale) { check_structure(0.02, 0.1); }
END_TEST

/* background = dc: no Poisson counts (background_rate 0), and the
 * background's mean current K_ext 8 Hz w tau_syn as DC. */
START_TEST(test_background_dc) {
  const char *set[] = {"network.scale=0.01", "network.background=dc",
                       "simulation.duration=10 ms", NULL};
  evs_model *m = load(set);
  const double w = psc_for_psp();
  for (int t = 0; t < 8; t++) {
    evs_pop *pop = m->net->pop[evs_net_find_population(m->net, POPS[t])];
    ck_assert_double_eq(evs__pop_param(pop, "background_rate"), 0);
    double want = K_EXT[t] * 8 * w * TAU_S * R_M;
    ck_assert_ptr_nonnull(pop->dc);
    ck_assert_msg(fabs(pop->dc[0] / want - 1) < 1e-6, "%s: DC %g want %g",
                  POPS[t], pop->dc[0], want);
  }
  evs_model_free(m);
}
END_TEST

/* 2,000 isolated grid neurons (no synapses, threshold out of reach) under
 * L4E's background, 16,800 inputs/s of 87.81 pA: by Campbell's theorem
 * the mean of v is v_rest + rate w R tau_syn (29.5 mV above rest; the grid's
 * stationary mean differs by 0.02 %); sampled at 20 times 5 ms apart after
 * 50 ms, within 5 standard errors. */
START_TEST(test_background_isolated) {
  const char *text =
      "[simulation]\nduration = 150 ms\nseed = 3\n"
      "[population X]\ntype = IF_curr_exp\nintegration = grid\nsize = 2000\n"
      "cm = 250 pF\ntau_m = 10 ms\ntau_syn_E = 0.5 ms\ntau_syn_I = 0.5 ms\n"
      "v_rest = -65 mV\nv_reset = -65 mV\nv_thresh = 1 V\nv_init = -65 mV\n"
      "background_rate = 16800 Hz\nbackground_weight = 87.81 pA\n";
  evs_model *m = NULL;
  evs_error err;
  ck_assert_msg(evs_model_load_string(text, "iso", NULL, &m, &err) == EVS_OK,
                "%s", err.msg);
  evs_run_opts ro = {.duration = 0.15};
  ck_assert_int_eq(evs_net_start(m->net, &ro, &err), EVS_OK);
  evs_pop *pop = m->net->pop[0];
  double s1 = 0, s2 = 0;
  long n = 0;
  for (int k = 0; k < 20; k++) {
    double t = 0.05 + 0.005 * k;
    int rc = evs_net_run_until(m->net, t, &err);
    ck_assert_msg(rc == EVS_OK, "t = %g: %s", t, err.msg);
    for (uint32_t j = 0; j < pop->size; j++) {
      double v = pop->type->voltage(pop, j, t);
      s1 += v;
      s2 += v * v;
      n++;
    }
  }
  ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_OK);
  double mean = s1 / n, sd = sqrt(s2 / n - mean * mean);
  double want = -65e-3 + 16800 * 87.81e-12 * R_M * TAU_S;
  /* samples 5 ms apart are nearly independent (tau_m = 10 ms): allow for
   * their correlation by counting half of them */
  double se = sd / sqrt(n / 2.0);
  ck_assert_msg(fabs(mean - want) < 5 * se + 1e-4 * fabs(want + 65e-3),
                "mean v %.5f mV, Campbell %.5f mV (se %.5f mV)", mean * 1e3,
                want * 1e3, se * 1e3);
  ck_assert_uint_eq(pop->nspikes, 0);
  evs_model_free(m);
}
END_TEST

/* The exact mode under the same background and recurrent input at 2 %
 * (full in-degrees) for 0.3 s: each background input is an exact event among
 * the deliveries (certificates end at the next input; a delivery never
 * files a neuron into the past: calendar.c asserts it), every population
 * fires, and the mean rates of the exact and grid runs agree within a
 * factor of 1.5 (same network and initial state; the finer statistics are
 * doc/microcircuit.md's). */
START_TEST(test_exact_mode) {
  double rate[2][8];
  for (int mode = 0; mode < 2; mode++) {
    const char *set[12] = {"network.scale=0.02", "network.k_scale=1",
                           "simulation.duration=0.3 s"};
    char buf[8][48];
    for (int i = 0; i < 8; i++) {
      snprintf(buf[i], sizeof buf[i], "%s.integration=%s", POPS[i],
               mode ? "exact" : "grid");
      set[3 + i] = buf[i];
    }
    set[11] = NULL;
    evs_model *m = load(set);
    evs_error err;
    evs_run_opts ro = {.duration = 0.3};
    ck_assert_msg(evs_net_run(m->net, &ro, &err) == EVS_OK, "%s", err.msg);
    for (int i = 0; i < 8; i++) {
      evs_pop_info info;
      evs_net_population_info(m->net, evs_net_find_population(m->net, POPS[i]),
                              &info);
      ck_assert_str_eq(info.type, mode ? "IF_curr_exp" : "IF_curr_exp_grid");
      rate[mode][i] = info.spikes / (info.size * 0.3);
      ck_assert_msg(info.spikes > 0 && rate[mode][i] < 100, "%s: %g Hz",
                    POPS[i], rate[mode][i]);
    }
    evs_model_free(m);
  }
  double g = 0, e = 0;
  for (int i = 0; i < 8; i++) {
    g += rate[0][i] * N[i];
    e += rate[1][i] * N[i];
  }
  ck_assert_msg(e / g > 1 / 1.5 && e / g < 1.5, "exact %g, grid %g", e, g);
}
END_TEST

/* The model text base + extra must be refused at line `line` with a
 * message containing word. */
static void expect_refused(const char *extra, int line, const char *word) {
  char text[2048];
  snprintf(text, sizeof text,
           "[simulation]\nduration = 10 ms\n"                /* 1-2 */
           "[population A]\ntype = IF_curr_exp\nsize = 10\n" /* 3-5 */
           "[population B]\ntype = IF_curr_exp\nsize = 10\n" /* 6-8 */
           "reference_rate = 2 Hz\n"                         /* 9 */
           "[projection AB]\npre = A\npost = B\n"            /* 10-12 */
           "connect = fixed_total\nn = 20\nweight = 50 pA\n" /* 13-15 */
           "%s",
           extra);
  evs_model *m = NULL;
  evs_error err;
  int rc = evs_model_load_string(text, "bad", NULL, &m, &err);
  ck_assert_msg(rc != EVS_OK, "accepted: %s", extra);
  ck_assert_msg(err.line == line, "line %d, want %d: %s", err.line, line,
                err.msg);
  ck_assert_msg(strstr(err.msg, word), "%s", err.msg);
}

/* [network] and the population keys are checked at their lines. */
START_TEST(test_errors) {
  expect_refused("[network]\nscale = 0\n", 17, "scale must be");
  expect_refused("[network]\nk_scale = 1.5\n", 17, "k_scale must be");
  expect_refused("[network]\nbackground = noise\n", 17, "poisson or dc");
  expect_refused("[network]\nk_scale = 0.5\n", 10,
                 "reference_rate of "
                 "population A");
  expect_refused("[population C]\ntype = IF_cond_exp\nsize = 3\n"
                 "integration = grid\n",
                 19, "IF_curr_exp only");
  expect_refused("[population C]\ntype = IF_curr_exp\nsize = 3\n"
                 "integration = clocked\n",
                 19, "exact or grid");
  expect_refused("[population C]\ntype = IF_curr_exp\nsize = 3\n"
                 "integration = grid\nbackground_rate = -1 Hz\n",
                 20, "background_rate");
  /* a scaled probability above 1 */
  expect_refused("[network]\nscale = 0.1\n[projection BA]\npre = B\n"
                 "post = A\nconnect = fixed_probability\np = 0.5\n"
                 "weight = 1 pA\n",
                 22, "exceeds 1");
}
END_TEST

static Suite *mc_suite(void) {
  Suite *s = suite_create("microcircuit");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_structure);
  tcase_add_test(tc, test_k_scale);
  tcase_add_test(tc, test_background_dc);
  tcase_add_test(tc, test_background_isolated);
  tcase_add_test(tc, test_exact_mode);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(mc_suite()); }
