/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: rates changed between the phases of a run
 * (evs_net_set_param, evs_net_set_param_values after evs_net_run_until):
 * IF_curr_exp_grid's Poisson background and the rate populations, against
 * closed forms.
 *
 * - IF_curr_exp_grid under a background of rate r and weight w (no
 *   threshold in reach) has, in the steady state of its grid steps,
 *   E[x] = r h w R / (1 - P11) and E[v] = v_rest + P21 E[x] / (1 - P22)
 *   (the step's equations, taken in expectation; R = tau_m / cm). The mean
 *   of v over 1000 neurons and the samples of each phase (rate raised, then
 *   weight lowered) is that within five standard errors; the 2-thread run
 *   has the same bytes; the values set to themselves give the bytes of the
 *   run in one go.
 * - RateConstant's rates are its amplitudes, before and after a change (one
 *   value, then one per neuron).
 * - RateGaussian's samples have each phase's mean and sd (within five
 *   standard errors), and, with corr set, the across-neuron mean varies
 *   from sample to sample as sd^2 (corr + (1 - corr) / N) says. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/evsnn.h"

static void setp(evs_net *net, int pop, const char *name, double v) {
  evs_dist d = evs_dist_const(v);
  evs_error err;
  ck_assert_msg(evs_net_set_param(net, pop, name, &d, &err) == EVS_OK, "%s",
                err.msg);
}

/* The rows of <dir>/v_<pop>.tsv: times into t[], the n columns of each into
 * v[row * n ..] (cap rows). Returns the number of rows. */
static size_t read_probe(const char *dir, const char *pop, size_t n, double *t,
                         double *v, size_t cap) {
  char path[700];
  snprintf(path, sizeof path, "%s/v_%s.tsv", dir, pop);
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  size_t rows = 0, len = 0;
  char *line = NULL;
  while (getline(&line, &len, f) > 0) {
    char *p = line, *end;
    double x = strtod(p, &end);
    if (end == p) continue; /* the header */
    ck_assert_uint_lt(rows, cap);
    t[rows] = x;
    for (size_t i = 0; i < n; i++) {
      p = end;
      v[rows * n + i] = strtod(p, &end);
      ck_assert_msg(end != p, "%s: row %zu has too few columns", path, rows);
    }
    rows++;
  }
  free(line);
  fclose(f);
  return rows;
}

/* The whole of file path (malloc'd; its length in *len). */
static char *slurp(const char *dir, const char *name, size_t *len) {
  char path[700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
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

/* ---- IF_curr_exp_grid's background ------------------------------------- */

#define NB 1000  /* neurons */
#define H 1e-4   /* s: the step */
#define T_BG 0.9 /* s: three phases of 0.3 s */
#define REC_BG 5e-3
#define ROWS_BG 200

/* Runs NB grid neurons (tau_m 20 ms, cm 1 nF, tau_syn_E 5 ms, v_rest -65
 * mV, threshold out of reach) under a background of 1 kHz x 0.1 nA; at 0.3
 * s the rate becomes 3 kHz, at 0.6 s the weight 0.05 nA (phased 2), or both
 * are set to their values there (phased 1), or none (phased 0). v of
 * every neuron every REC_BG. The folder into dir. */
static void run_background(int threads, int phased, char *dir, size_t cap) {
  tu_mkdtemp(dir, cap, "evsnn-bg");
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 9, H), EVS_OK);
  int p = evs_net_add_population(net, "G", "IF_curr_exp_grid", NB, &err);
  ck_assert_int_ge(p, 0);
  setp(net, p, "cm", 1e-9);
  setp(net, p, "tau_m", 20e-3);
  setp(net, p, "tau_syn_E", 5e-3);
  setp(net, p, "v_rest", -65e-3);
  setp(net, p, "v_init", -65e-3);
  setp(net, p, "v_thresh", 1.0);
  setp(net, p, "background_rate", 1000);
  setp(net, p, "background_weight", 0.1e-9);
  static uint32_t ids[NB];
  for (uint32_t i = 0; i < NB; i++) ids[i] = i;
  ck_assert_int_eq(evs_net_record_v(net, p, ids, NB, REC_BG, &err), EVS_OK);
  evs_run_opts opts = {.duration = T_BG, .outdir = dir, .threads = threads};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  if (phased) {
    ck_assert_int_eq(evs_net_run_until(net, 0.3, &err), EVS_OK);
    setp(net, p, "background_rate", phased == 2 ? 3000 : 1000);
    ck_assert_int_eq(evs_net_run_until(net, 0.6, &err), EVS_OK);
    setp(net, p, "background_weight", phased == 2 ? 0.05e-9 : 0.1e-9);
  }
  ck_assert_int_eq(evs_net_run_until(net, T_BG, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
}

/* The steady-state mean of v of the grid neuron above under rate r and
 * weight w (A). */
static double grid_mean_v(double r, double w) {
  const double tm = 20e-3, ts = 5e-3, rm = 20e-3 / 1e-9;
  double p22 = exp(-H / tm), p11 = exp(-H / ts);
  double p21 = ts / (ts - tm) * (p11 - p22);
  double ex = r * H * w * rm / (1 - p11);
  return -65e-3 + p21 * ex / (1 - p22);
}

START_TEST(test_grid_background_change) {
  char dir[512], two[512], once[512], same[512];
  run_background(1, 2, dir, sizeof dir);
  static double t[ROWS_BG], v[ROWS_BG * NB];
  size_t rows = read_probe(dir, "G", NB, t, v, ROWS_BG);
  ck_assert_uint_ge(rows, 170);
  const double want[3] = {grid_mean_v(1000, 0.1e-9), grid_mean_v(3000, 0.1e-9),
                          grid_mean_v(3000, 0.05e-9)};
  for (int ph = 0; ph < 3; ph++) {
    /* samples 0.1 s after the phase's start (5 tau_m) to its end */
    double sum = 0, se2 = 0;
    int m = 0;
    for (size_t k = 0; k < rows; k++) {
      if (t[k] < 0.3 * ph + 0.1 || t[k] >= 0.3 * (ph + 1) - 1e-9) continue;
      double s1 = 0, s2 = 0;
      for (int i = 0; i < NB; i++) s1 += v[k * NB + i];
      s1 /= NB;
      for (int i = 0; i < NB; i++)
        s2 += (v[k * NB + i] - s1) * (v[k * NB + i] - s1);
      sum += s1;
      se2 += s2 / (NB - 1) / NB; /* the sample mean's variance */
      m++;
    }
    ck_assert_int_ge(m, 30);
    double mean = sum / m, se = sqrt(se2 / m); /* at most one sample's */
    ck_assert_msg(fabs(mean - want[ph]) < 5 * se,
                  "phase %d: mean v %.6g V, closed form %.6g V (se %.2g V)", ph,
                  mean, want[ph], se);
  }
  /* the phases differ by many standard errors: the test can fail */
  ck_assert(want[1] - want[0] > 5e-3 && want[1] - want[2] > 5e-3);
  run_background(2, 2, two, sizeof two);
  run_background(1, 0, once, sizeof once);
  run_background(1, 1, same, sizeof same);
  size_t n1, n2, n3, n4;
  char *a = slurp(dir, "v_G.tsv", &n1), *b = slurp(two, "v_G.tsv", &n2);
  char *c = slurp(once, "v_G.tsv", &n3), *d = slurp(same, "v_G.tsv", &n4);
  ck_assert_msg(n1 == n2 && !memcmp(a, b, n1), "2 threads: other bytes");
  ck_assert_msg(n3 == n4 && !memcmp(c, d, n3), "same values: other bytes");
  free(a);
  free(b);
  free(c);
  free(d);
  tu_rm_rf(dir);
  tu_rm_rf(two);
  tu_rm_rf(once);
  tu_rm_rf(same);
}
END_TEST

/* ---- rate populations ---------------------------------------------------- */

#define NR 400     /* RateGaussian's neurons */
#define DT_R 10e-3 /* s: its step */
#define ROWS_R 200

/* RateConstant (3 neurons, amplitude 1) and RateGaussian (NR neurons, mean
 * 1, sd 0.5, dt 10 ms) recorded every 10 ms for 1.5 s; at 0.5 s the
 * amplitudes become 2, 3, 4 and the Gaussian's mean -2 and sd 2; at 1 s
 * corr becomes 0.81. */
START_TEST(test_rate_changes) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "evsnn-rates");
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 4, 1e-3), EVS_OK);
  int c = evs_net_add_population(net, "C", "RateConstant", 3, &err);
  int g = evs_net_add_population(net, "R", "RateGaussian", NR, &err);
  ck_assert(c >= 0 && g >= 0);
  setp(net, c, "amplitude", 1);
  setp(net, g, "mean", 1);
  setp(net, g, "sd", 0.5);
  setp(net, g, "dt", DT_R);
  static uint32_t ids[NR];
  for (uint32_t i = 0; i < NR; i++) ids[i] = i;
  ck_assert_int_eq(evs_net_record_v(net, c, ids, 3, DT_R, &err), EVS_OK);
  ck_assert_int_eq(evs_net_record_v(net, g, ids, NR, DT_R, &err), EVS_OK);
  evs_run_opts opts = {.duration = 1.5, .outdir = dir};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  ck_assert_int_eq(evs_net_run_until(net, 0.5, &err), EVS_OK);
  const double amp[3] = {2, 3, 4};
  ck_assert_int_eq(evs_net_set_param_values(net, c, "amplitude", amp, 3, &err),
                   EVS_OK);
  setp(net, g, "mean", -2);
  setp(net, g, "sd", 2);
  ck_assert_int_eq(evs_net_run_until(net, 1.0, &err), EVS_OK);
  setp(net, g, "corr", 0.81);
  ck_assert_int_eq(evs_net_run_until(net, 1.5, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);

  static double t[ROWS_R], v[ROWS_R * NR];
  size_t rows = read_probe(dir, "C", 3, t, v, ROWS_R);
  ck_assert_uint_ge(rows, 140);
  for (size_t k = 0; k < rows; k++)
    for (int i = 0; i < 3; i++) {
      if (fabs(t[k] - 0.5) < 1e-9) continue; /* at the change: either */
      double want = t[k] < 0.5 ? 1 : amp[i];
      ck_assert_msg(v[k * 3 + i] == want, "C %d at %g s: %g, amplitude %g", i,
                    t[k], v[k * 3 + i], want);
    }
  rows = read_probe(dir, "R", NR, t, v, ROWS_R);
  const double mean[3] = {1, -2, -2}, sd[3] = {0.5, 2, 2},
               corr[3] = {0, 0, 0.81};
  for (int ph = 0; ph < 3; ph++) {
    /* the samples of the steps inside the phase (not those at the changes:
     * they may show the step before or after) */
    double s1 = 0, s2 = 0, m1 = 0, m2 = 0;
    long n = 0, m = 0;
    for (size_t k = 0; k < rows; k++) {
      if (t[k] < 0.5 * ph + 2 * DT_R - 1e-9 || t[k] > 0.5 * (ph + 1) - 1e-9)
        continue;
      double avg = 0;
      for (int i = 0; i < NR; i++) {
        double x = v[k * NR + i];
        s1 += x;
        s2 += x * x;
        avg += x / NR;
        n++;
      }
      m1 += avg;
      m2 += avg * avg;
      m++;
    }
    ck_assert_int_ge(m, 40);
    double mu = s1 / n, var = s2 / n - mu * mu;
    /* the across-neuron mean's variance from sample to sample */
    double va = m2 / m - (m1 / m) * (m1 / m);
    double va_want = sd[ph] * sd[ph] * (corr[ph] + (1 - corr[ph]) / NR);
    if (corr[ph] == 0) {
      ck_assert_msg(fabs(mu - mean[ph]) < 5 * sd[ph] / sqrt((double)n),
                    "phase %d: mean %g, want %g", ph, mu, mean[ph]);
      ck_assert_msg(fabs(sqrt(var) - sd[ph]) < 5 * sd[ph] / sqrt(2.0 * n),
                    "phase %d: sd %g, want %g", ph, sqrt(var), sd[ph]);
    }
    /* m samples of a normal: va / va_want ~ chi2(m - 1) / m, sd ~ sqrt(2/m) */
    ck_assert_msg(fabs(va / va_want - 1) < 5 * sqrt(2.0 / m),
                  "phase %d: the mean's variance %g, want %g", ph, va, va_want);
  }
  tu_rm_rf(dir);
}
END_TEST

/* What a rate population cannot change is refused with the key. */
START_TEST(test_rate_refusals) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "evsnn-ratesref");
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 4, 1e-3), EVS_OK);
  int c = evs_net_add_population(net, "C", "RateConstant", 3, &err);
  int g = evs_net_add_population(net, "R", "RateGaussian", 3, &err);
  int l = evs_net_add_population(net, "L", "RateLinear", 3, &err);
  ck_assert(c >= 0 && g >= 0 && l >= 0);
  evs_run_opts opts = {.duration = 0.2, .outdir = dir};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  ck_assert_int_eq(evs_net_run_until(net, 0.1, &err), EVS_OK);
  evs_dist d = evs_dist_const(5e-3);
  ck_assert_int_eq(evs_net_set_param(net, c, "dt", &d, &err), EVS_EINVAL);
  ck_assert_str_eq(err.key, "dt");
  ck_assert_int_eq(evs_net_set_param(net, g, "dt", &d, &err), EVS_EINVAL);
  ck_assert_str_eq(err.key, "dt");
  ck_assert_int_eq(evs_net_set_param(net, l, "dt", &d, &err), EVS_ESTATE);
  d = evs_dist_const(-1);
  ck_assert_int_eq(evs_net_set_param(net, g, "sd", &d, &err), EVS_EINVAL);
  ck_assert_str_eq(err.key, "sd");
  d = evs_dist_const(-0.9); /* below -1 / (3 - 1) */
  ck_assert_int_eq(evs_net_set_param(net, g, "corr", &d, &err), EVS_EINVAL);
  ck_assert_str_eq(err.key, "corr");
  ck_assert_int_eq(evs_net_run_until(net, 0.2, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
  tu_rm_rf(dir);
}
END_TEST

static Suite *phase_rates_suite(void) {
  Suite *s = suite_create("phase_rates");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_grid_background_change);
  tcase_add_test(tc, test_rate_changes);
  tcase_add_test(tc, test_rate_refusals);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(phase_rates_suite()); }
