/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* End-to-end tests of the run-time rate checker (evs_net_check_rate): a
 * run inside its band never stops, a run that leaves it stops where the
 * raster says, silence against the closed form of the filtered rate, a
 * runaway LIF network, and the argument checks. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/evsnn.h"
#include "net_test_util.h"

/* ---- the rate checker (evs_net_check_rate) ---------------------------- */

/* The last line of run.log in dir (without its newline), and whether an
 * earlier line contains needle. */
static void log_tail(const char *dir, char *last, size_t cap,
                     const char *needle, int *found) {
  char path[400], line[512];
  snprintf(path, sizeof path, "%s/run.log", dir);
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "no %s", path);
  last[0] = '\0';
  *found = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    if (last[0] && strstr(last, needle)) *found = 1;
    snprintf(last, cap, "%s", line);
  }
  fclose(f);
}

/* Spike count of population name in summary.tsv of dir. */
static unsigned long long summary_spikes(const char *dir, const char *name,
                                         double *rate) {
  char path[400], line[512], pop[128];
  snprintf(path, sizeof path, "%s/summary.tsv", dir);
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "no %s", path);
  unsigned long long spikes = ~0ULL;
  unsigned n;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "%127s %u %llu %lf", pop, &n, &spikes, rate) == 4 &&
        !strcmp(pop, name))
      break;
  fclose(f);
  return spikes;
}

/* A net of n Poisson sources at rate Hz (raster recorded), checked with
 * [lo, hi] and tau; runs for duration into tmpdir. */
static int run_checked_poisson(double rate, uint32_t n, double lo, double hi,
                               double tau, double duration, evs_net **out,
                               evs_error *err) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 11, 1e-4), EVS_OK);
  int p = evs_net_add_population(net, "P", "SpikeSourcePoisson", n, err);
  ck_assert_int_ge(p, 0);
  setp(net, p, "rate", rate);
  ck_assert_int_eq(evs_net_record_spikes(net, p, 1), EVS_OK);
  ck_assert_int_eq(evs_net_check_rate(net, p, lo, hi, tau, err), EVS_OK);
  evs_run_opts o = {.duration = duration, .outdir = tmpdir};
  *out = net;
  return evs_net_run(net, &o, err);
}

START_TEST(rate_check_inside_band_never_stops) {
  /* 400 sources at 20 Hz, tau 100 ms: the filtered rate has variance
   * nu / (2 N tau) = 0.25 Hz^2 (sd 0.5 Hz), so the band [12, 28] Hz is 16 sd
   * away on each side: a stop would mean a wrong estimate. */
  make_tmpdir();
  evs_net *net;
  evs_error err;
  int rc = run_checked_poisson(20, 400, 12, 28, 0.1, 3.0, &net, &err);
  ck_assert_msg(rc == EVS_OK, "%s", err.msg);
  evs_run_stats st;
  evs_net_stats(net, &st);
  ck_assert_double_eq(st.t_end, 3.0);
  char last[512];
  int found;
  log_tail(tmpdir, last, sizeof last, "P", &found);
  ck_assert_str_eq(last, "completed at t = 3 s");
  evs_net_free(net);
  remove_tmpdir();
}
END_TEST

START_TEST(rate_check_stops_where_the_raster_says) {
  /* 50 sources at 20 Hz in the band [21, 60] Hz: the estimate starts at
   * 40.5 Hz and decays towards 20 Hz (mean 20 + 20.5 e^(-t/tau), crossing
   * 21 Hz near tau ln 20.5 = 0.3 s). The stop time and rate must be those of
   * the same filter applied to the recorded raster by direct summation:
   * checks every 10 ms (tau/10, 10 source ticks of 1 ms). */
  make_tmpdir();
  const double lo = 21, hi = 60, tau = 0.1;
  const uint32_t n = 50;
  evs_net *net;
  evs_error err;
  int rc = run_checked_poisson(20, n, lo, hi, tau, 2.0, &net, &err);
  ck_assert_msg(rc == EVS_ESTOPPED, "rc %d: %s", rc, err.msg);
  char path[400];
  snprintf(path, sizeof path, "%s/P.ras", tmpdir);
  static double t[200000];
  static unsigned id[200000];
  size_t ns = tu_read_raster(path, t, id, 200000);
  /* direct summation: r(T_k) = r0 e^(-T_k/tau) + sum over spikes s < T_k of
   * e^(-(T_k - T_j(s))/tau) / (N tau), T_j(s) the first check after s */
  double r = 0, tk = 0;
  int k;
  for (k = 1; k <= 200; k++) {
    tk = (double)(10 * k) * 1e-3;
    double sum = 0.5 * (lo + hi) * exp(-tk / tau);
    for (size_t i = 0; i < ns && t[i] < tk; i++) {
      int j = (int)floor(t[i] / 0.01 + 1e-12) + 1; /* its check */
      sum += exp(-(tk - (double)(10 * j) * 1e-3) / tau) / (n * tau);
    }
    r = sum;
    if (r < lo || r > hi) break;
  }
  ck_assert_int_le(k, 200);
  ck_assert(tk > 0.1 && tk < 1.0); /* near the expected 0.3 s */
  evs_run_stats st;
  evs_net_stats(net, &st);
  ck_assert_msg(fabs(st.t_end - tk) < 1e-12, "t_end %.9g, expected %.9g",
                st.t_end, tk);
  char last[512];
  int found;
  log_tail(tmpdir, last, sizeof last, "population P", &found);
  ck_assert_msg(found, "run.log does not name the population");
  ck_assert_str_eq(last, err.msg);
  double ts, rr, a, b;
  ck_assert_int_eq(sscanf(last,
                          "stopped at t = %lf s: rate %lf Hz outside "
                          "[%lf, %lf]",
                          &ts, &rr, &a, &b),
                   4);
  ck_assert(fabs(ts - tk) < 1e-9);
  ck_assert_msg(fabs(rr - r) < 1e-6 * r, "rate %.9g, expected %.9g", rr, r);
  ck_assert(a == lo && b == hi);
  /* summary: the spikes before the stop, rate over the time run */
  size_t before = 0;
  while (before < ns && t[before] < tk) before++;
  double rate;
  ck_assert_uint_eq(summary_spikes(tmpdir, "P", &rate), before);
  ck_assert(fabs(rate - before / (double)n / tk) < 1e-5 * rate); /* %.6g */
  ck_assert_uint_eq(st.spikes, before);
  evs_net_free(net);
  remove_tmpdir();
}
END_TEST

START_TEST(rate_check_silence_closed_form) {
  /* An exact population with no input never spikes: the estimate is
   * 50.5 e^(-T/tau) Hz at the checks T = k 10 ms (1 ms windows), first
   * below 1 Hz at k = ceil(10 ln 50.5) = 40: T = 0.4 s, r = 50.5 e^-4. */
  make_tmpdir();
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 5, 1e-4), EVS_OK);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", 20, &err);
  ck_assert_int_ge(e, 0);
  ck_assert_int_eq(evs_net_check_rate(net, e, 1, 100, 0.1, &err), EVS_OK);
  evs_run_opts o = {.duration = 5.0, .outdir = tmpdir};
  ck_assert_int_eq(evs_net_run(net, &o, &err), EVS_ESTOPPED);
  evs_run_stats st;
  evs_net_stats(net, &st);
  ck_assert(fabs(st.t_end - 0.4) < 1e-12);
  double ts, rr, a, b;
  ck_assert_int_eq(sscanf(err.msg,
                          "stopped at t = %lf s: rate %lf Hz outside "
                          "[%lf, %lf]",
                          &ts, &rr, &a, &b),
                   4);
  ck_assert(fabs(rr - 50.5 * exp(-4.0)) < 1e-7);
  ck_assert(a == 1 && b == 100);
  evs_net_free(net);
  remove_tmpdir();
}
END_TEST

START_TEST(rate_check_runaway_lif) {
  /* 100 IF_curr_exp neurons with recurrent excitation and a constant drive
   * of 20 mV above rest (threshold 10 mV above): alone each fires every
   * 2 ms + 20 ms ln 2 (63 Hz), faster with the recurrence, so the band
   * [0.1, 40] Hz is left; the run stops with every output written. */
  make_tmpdir();
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 9, 1e-4), EVS_OK);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", 100, &err);
  ck_assert_int_ge(e, 0);
  setp(net, e, "tau_m", 0.02);
  setp(net, e, "v_rest", -0.065);
  setp(net, e, "v_reset", -0.065);
  setp(net, e, "v_thresh", -0.055);
  setp(net, e, "tau_refrac", 0.002);
  setp(net, e, "v_init", -0.065);
  ck_assert_int_eq(evs_net_add_dc(net, e, 0.02, EVS_DIM_VOLTAGE, &err), EVS_OK);
  evs_conn_spec c = conn(EVS_CONN_FIXED_PROBABILITY, 0.1, 0.002, 1e-3);
  int ee = evs_net_connect(net, "EE", e, e, EVS_RECEPTOR_EXC, &c,
                           EVS_DIM_VOLTAGE, &err);
  ck_assert_int_ge(ee, 0);
  uint32_t ids[2] = {0, 1};
  ck_assert_int_eq(evs_net_record_v(net, e, ids, 2, 1e-3, &err), EVS_OK);
  ck_assert_int_eq(evs_net_record_weights(net, ee, 0.05, &err), EVS_OK);
  ck_assert_int_eq(evs_net_check_rate(net, e, 0.1, 40, 0.1, &err), EVS_OK);
  evs_run_opts o = {.duration = 10.0, .outdir = tmpdir};
  ck_assert_int_eq(evs_net_run(net, &o, &err), EVS_ESTOPPED);
  evs_run_stats st;
  evs_net_stats(net, &st);
  ck_assert(st.t_end > 0 && st.t_end < 1.0);
  double ts, rr, a, b;
  ck_assert_int_eq(sscanf(err.msg,
                          "stopped at t = %lf s: rate %lf Hz outside "
                          "[%lf, %lf]",
                          &ts, &rr, &a, &b),
                   4);
  ck_assert(rr > 40 && fabs(ts - st.t_end) < 1e-9);
  const char *files[] = {"E.ras", "v_E.tsv", "EE.weights.tsv", "summary.tsv",
                         "run.log"};
  for (size_t i = 0; i < 5; i++) {
    char path[400];
    snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
    ck_assert_msg(access(path, F_OK) == 0, "missing %s", files[i]);
    snprintf(path, sizeof path, "%s/%s.part", tmpdir, files[i]);
    ck_assert_msg(access(path, F_OK) != 0, "left %s.part", files[i]);
  }
  char last[512];
  int found;
  log_tail(tmpdir, last, sizeof last, "population E", &found);
  ck_assert(found);
  ck_assert_str_eq(last, err.msg);
  /* the raster ends before the stop and agrees with the summary */
  char path[400];
  snprintf(path, sizeof path, "%s/E.ras", tmpdir);
  static double t[400000];
  static unsigned id[400000];
  size_t ns = tu_read_raster(path, t, id, 400000);
  ck_assert(ns > 0 && t[ns - 1] < st.t_end);
  double rate;
  ck_assert_uint_eq(summary_spikes(tmpdir, "E", &rate), ns);
  ck_assert(fabs(rate - ns / 100.0 / st.t_end) < 1e-5 * rate); /* %.6g */
  /* the mean rate over the run lies between 40 Hz and a spike every
   * refractory period (the estimate started at 20 Hz and rose above 40) */
  ck_assert(rate < 500);
  evs_net_free(net);
  remove_tmpdir();
}
END_TEST

START_TEST(rate_check_arguments) {
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  int p = evs_net_add_population(net, "P", "SpikeSourcePoisson", 1, &err);
  ck_assert_int_eq(evs_net_check_rate(net, p, 5, 5, 0.1, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_check_rate(net, p, -1, 5, 0.1, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_check_rate(net, p, 1, INFINITY, 0.1, &err),
                   EVS_EINVAL);
  ck_assert_int_eq(evs_net_check_rate(net, p, 1, 5, 0, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_check_rate(net, p, 1, 5, NAN, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_check_rate(net, 7, 1, 5, 0.1, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_check_rate(net, p, 0, 5, 0.1, &err), EVS_OK);
  evs_run_opts o = {.duration = 0.01};
  ck_assert_int_eq(evs_net_run(net, &o, &err), EVS_OK);
  ck_assert_int_eq(evs_net_check_rate(net, p, 0, 5, 0.1, &err), EVS_ESTATE);
  evs_net_free(net);
}
END_TEST

static Suite *rate_checker_suite(void) {
  Suite *s = suite_create("rate_checker");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, rate_check_inside_band_never_stops);
  tcase_add_test(tc, rate_check_stops_where_the_raster_says);
  tcase_add_test(tc, rate_check_silence_closed_form);
  tcase_add_test(tc, rate_check_runaway_lif);
  tcase_add_test(tc, rate_check_arguments);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(rate_checker_suite()); }
