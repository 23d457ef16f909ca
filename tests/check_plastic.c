/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* End-to-end tests of learning rules through the scheduler and the public
 * API (evs_net_set_rule, evs_net_set_rule_param, evs_net_record_weights):
 * the order of events around a plastic synapse is exact, so weight changes
 * equal the closed forms of the rules (evsnn-model(5), "Learning rules").
 *
 * The set-up of every test: spike sources read from .ras files (times
 * written with %.17g), one IF_curr_exp neuron N made to spike at known
 * times by a strong static "teacher" projection TN (tau_m = 2 tau_syn_E: one
 * input w at t on a neuron at rest D below threshold crosses at
 * t + d + tau_m ln(1/x), x = (1 + sqrt(1 - 4D/w))/2, as in check_net.c), and
 * a plastic projection PN with weights so tiny (~1e-12 V) that their PSPs
 * move N's spikes by far less than the tolerances. Events are spaced so
 * that traces of earlier pairs have decayed below e^-25 of themselves.
 *
 * N has no outgoing synapses, so its window is 1 ms: a spike of N is found
 * at the end of its window unless an input to N arrives between the spike
 * and the window's end (then that delivery finds it). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/evsnn.h"
#include "check_util.h"

static char tmpdir[256];

/* N's parameters and the teacher */
#define TAU_M 0.02   /* s; tau_syn_E = TAU_M / 2 */
#define D_THR 0.01   /* V below threshold at rest */
#define W_T 0.05     /* V, the teacher's weight */
#define DELAY_T 1e-3 /* s, 10 steps of 0.1 ms */

/* Time from a teacher spike to N's spike it causes. */
static double teacher_lag(void) {
  double w = (float)W_T; /* weights are stored as float */
  double x = 0.5 * (1 + sqrt(1 - 4 * D_THR / w));
  return 10 * 1e-4 + TAU_M * log(1 / x);
}

/* The teacher spike time that makes N spike at t_post; *actual is the post
 * spike time the written value gives. */
static double teacher_for(double t_post, double *actual) {
  double t = t_post - teacher_lag();
  /* the file holds t to 17 digits: the value read back is t itself */
  *actual = t + teacher_lag();
  return t;
}

static void write_ras(const char *name, const double *t, const unsigned *id,
                      size_t n) {
  char path[400];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  for (size_t i = 0; i < n; i++) fprintf(f, "%.17g %u\n", t[i], id ? id[i] : 0);
  ck_assert_int_eq(fclose(f), 0);
}

static void setp(evs_net *net, int pop, const char *name, double v) {
  evs_dist d = evs_dist_const(v);
  evs_error err;
  ck_assert_msg(evs_net_set_param(net, pop, name, &d, &err) == EVS_OK, "%s",
                err.msg);
}

static void set_rule(evs_net *net, int proj, const char *name, double v) {
  evs_error err;
  ck_assert_msg(evs_net_set_rule_param(net, proj, name, v, &err) == EVS_OK,
                "%s: %s", name, err.msg);
}

/* A net of sources T (1 neuron, teacher.ras) and P (n_pre neurons,
 * plastic.ras), neuron N, static TN and plastic PN (all to all, weight w0 of
 * dimension wdim, delay d_p) with rule; *proj is PN's index. */
static evs_net *make_net(uint32_t n_pre, double w0, evs_dim wdim, double d_p,
                         const char *rule, int *proj) {
  evs_net *net;
  evs_error err;
  char path[400];
  ck_assert_int_eq(evs_net_new(&net, 1, 1e-4), EVS_OK);
  int t = evs_net_add_population(net, "T", "SpikeSourceArray", 1, &err);
  int p = evs_net_add_population(net, "P", "SpikeSourceArray", n_pre, &err);
  int n = evs_net_add_population(net, "N", "IF_curr_exp", 1, &err);
  ck_assert(t >= 0 && p >= 0 && n >= 0);
  snprintf(path, sizeof path, "%s/teacher.ras", tmpdir);
  ck_assert_int_eq(evs_net_set_path(net, t, "file", path, &err), EVS_OK);
  snprintf(path, sizeof path, "%s/plastic.ras", tmpdir);
  ck_assert_int_eq(evs_net_set_path(net, p, "file", path, &err), EVS_OK);
  setp(net, n, "tau_m", TAU_M);
  setp(net, n, "tau_syn_E", TAU_M / 2);
  setp(net, n, "v_rest", -0.06);
  setp(net, n, "v_init", -0.06);
  setp(net, n, "v_reset", -0.06);
  setp(net, n, "v_thresh", -0.06 + D_THR);
  setp(net, n, "tau_refrac", 0.002);
  evs_conn_spec c = {.kind = EVS_CONN_ALL_TO_ALL,
                     .weight = evs_dist_const(W_T),
                     .delay = evs_dist_const(DELAY_T)};
  ck_assert_int_ge(evs_net_connect(net, "TN", t, n, EVS_RECEPTOR_EXC, &c,
                                   EVS_DIM_VOLTAGE, &err),
                   0);
  c.weight = evs_dist_const(w0);
  c.delay = evs_dist_const(d_p);
  *proj = evs_net_connect(net, "PN", p, n, EVS_RECEPTOR_EXC, &c, wdim, &err);
  ck_assert_int_ge(*proj, 0);
  ck_assert_int_eq(evs_net_find_projection(net, "PN"), *proj);
  ck_assert_msg(evs_net_set_rule(net, *proj, rule, &err) == EVS_OK, "%s",
                err.msg);
  return net;
}

static void run(evs_net *net, double duration) {
  evs_error err;
  evs_run_opts o = {.duration = duration, .outdir = tmpdir};
  ck_assert_msg(evs_net_run(net, &o, &err) == EVS_OK, "%s", err.msg);
}

/* N's spike times from N.ras; returns their number. */
static size_t read_post(double *t, size_t cap) {
  char path[400];
  snprintf(path, sizeof path, "%s/N.ras", tmpdir);
  return tu_read_raster(path, t, NULL, cap);
}

/* N spiked exactly at expect[0..n) (the raster has 1 ns resolution). */
static void post_spikes_are(const double *expect, size_t n) {
  double t[16];
  ck_assert_uint_eq(read_post(t, 16), n);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(fabs(t[i] - expect[i]) < 1.5e-9,
                  "post spike %zu at %.9f, expected %.9f", i, t[i], expect[i]);
}

/* Reads PN.weights.tsv: checks its header, returns its rows [time, mean,
 * sd, min, max, at_min, at_max]. */
static size_t read_weights(double (*row)[7], size_t cap) {
  char path[400], line[512];
  snprintf(path, sizeof path, "%s/PN.weights.tsv", tmpdir);
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  ck_assert_str_eq(line, "time\tmean\tsd\tmin\tmax\tat_min\tat_max\n");
  size_t n = 0;
  while (fgets(line, sizeof line, f)) {
    ck_assert(n < cap);
    double *r = row[n];
    ck_assert_int_eq(sscanf(line, "%lf %lf %lf %lf %lf %lf %lf", &r[0], &r[1],
                            &r[2], &r[3], &r[4], &r[5], &r[6]),
                     7);
    n++;
  }
  fclose(f);
  return n;
}

/* |got - want| <= rel * scale, with a message. */
static void near(double got, double want, double rel, double scale,
                 const char *what) {
  ck_assert_msg(fabs(got - want) <= rel * scale, "%s: %.12g, expected %.12g",
                what, got, want);
}

/* ---- stdp_pair ----------------------------------------------------------- */

/* Four isolated pairs, 1 s apart, weights sampled between them:
 *  0: arrival 5.3 ms before the post spike (found at its window's end);
 *  1: arrival 0.4 ms before it, in the same window;
 *  2: arrival 0.5 ms after it, past the window's end that finds the spike;
 *  3: arrival 0.5 ms after it, in the same window: the plastic delivery
 *     itself finds the spike (on_post runs before on_pre).
 * Additive rule: +A_plus e^{-lag/tau_plus}, -A_minus e^{-lag/tau_minus};
 * pairs 2 and 3 must change the weight by the same amount. */
START_TEST(pair_both_orders) {
  tu_mkdtemp(tmpdir, sizeof tmpdir, "check_plastic");
  const double tau_p = 0.02, tau_m = 0.015, a_p = 1e-12, a_m = 1.3e-12;
  const double w0 = 2e-12, d_p = 23 * 1e-4;
  /* post spikes at chosen places of their 1 ms windows */
  const double want_post[4] = {0.5003, 1.5009, 2.5008, 3.5002};
  const double lag[4] = {-5.3e-3, -0.4e-3, 0.5e-3, 0.5e-3}; /* arr - post */
  double tt[4], tp[4], post[4], arr[4];
  for (int i = 0; i < 4; i++) {
    tt[i] = teacher_for(want_post[i], &post[i]);
    tp[i] = post[i] + lag[i] - d_p;
    arr[i] = tp[i] + d_p;
  }
  write_ras("teacher.ras", tt, NULL, 4);
  write_ras("plastic.ras", tp, NULL, 4);
  int proj;
  evs_net *net = make_net(1, w0, EVS_DIM_VOLTAGE, d_p, "stdp_pair", &proj);
  set_rule(net, proj, "tau_plus", tau_p);
  set_rule(net, proj, "tau_minus", tau_m);
  set_rule(net, proj, "A_plus", a_p);
  set_rule(net, proj, "A_minus", a_m);
  set_rule(net, proj, "w_min", -1e-3);
  set_rule(net, proj, "w_max", 1e-3);
  evs_error err;
  ck_assert_int_eq(evs_net_record_weights(net, proj, 1.0, &err), EVS_OK);
  run(net, 4.2);
  post_spikes_are(post, 4);
  double dw[4];
  for (int i = 0; i < 4; i++) {
    double d = arr[i] - post[i];
    dw[i] = d < 0 ? a_p * exp(d / tau_p) : -a_m * exp(-d / tau_m);
  }
  double row[8][7];
  ck_assert_uint_eq(read_weights(row, 8), 5); /* t = 0, 1, 2, 3, 4 s */
  double w = w0;
  /* float weights ~3e-12: rounding 2e-19 per update; %.9g in the table */
  near(row[0][1], w, 1e-8, w0, "row 0 mean");
  for (int i = 0; i < 4; i++) {
    near(row[i][0], i, 1e-9, 1, "row time");
    near(row[i + 1][1] - row[i][1], dw[i], 1e-6, a_p, "weight change");
    w += dw[i];
    near(row[i + 1][1], w, 1e-6, a_p, "weight");
    near(row[i + 1][2], 0, 0, 1, "sd of one synapse");
    near(row[i + 1][3], row[i + 1][1], 1e-8, a_p, "min");
    near(row[i + 1][4], row[i + 1][1], 1e-8, a_p, "max");
  }
  /* both ways of finding the post spike before the arrival give the same */
  near(row[3][1] - row[2][1], row[4][1] - row[3][1], 1e-6, a_m, "2 vs 3");
  /* the last row is the final weight (internal unit of voltage weights: V) */
  double wf = evs_net_projection_csr(net, proj)->weight[0];
  near(row[4][1], wf, 1e-8, fabs(wf), "last row vs final weight");
  near(wf, w, 1e-6, a_p, "final weight");
  evs_net_free(net);
  ck_assert_int_eq(tu_rm_rf(tmpdir), 0);
}
END_TEST

/* A weight row shows a post spike that the neuron has not been touched to
 * find yet: N has no outgoing synapses, so its 1 ms window would find the
 * spike at 0.5003 s only at 0.501 s; the row at 0.5005 s must already show
 * the potentiation, the row at 0.5 s must not. */
START_TEST(weight_rows_see_lazy_spikes) {
  tu_mkdtemp(tmpdir, sizeof tmpdir, "check_plastic");
  const double a_p = 1e-12, w0 = 2e-12, d_p = 1e-4, tau_p = 0.02;
  double post, tt = teacher_for(0.5003, &post), tp = post - 0.8e-3 - d_p;
  write_ras("teacher.ras", &tt, NULL, 1);
  write_ras("plastic.ras", &tp, NULL, 1);
  int proj;
  evs_net *net = make_net(1, w0, EVS_DIM_VOLTAGE, d_p, "stdp_pair", &proj);
  set_rule(net, proj, "A_plus", a_p);
  set_rule(net, proj, "A_minus", a_p);
  set_rule(net, proj, "w_max", 1e-3);
  evs_error err;
  ck_assert_int_eq(evs_net_record_weights(net, proj, 0.5e-3, &err), EVS_OK);
  double snap = 0.5005;
  ck_assert_int_eq(evs_net_record_matrix(net, proj, &snap, 1, &err), EVS_OK);
  run(net, 0.502);
  post_spikes_are(&post, 1);
  static double row[1100][7];
  ck_assert_uint_eq(read_weights(row, 1100), 1004); /* t = 0 .. 0.5015 s */
  near(row[1000][0], 0.5, 1e-9, 1, "row time");
  near(row[1000][1], w0, 1e-8, w0, "before the post spike");
  double dw = a_p * exp(-(post - (tp + d_p)) / tau_p);
  near(row[1001][1] - w0, dw, 1e-6, a_p,
       "potentiation in the first row after the post spike");
  /* the snapshot at the same time: header, size line, the one synapse */
  char path[400], line[256];
  snprintf(path, sizeof path, "%s/PN_500.5ms.mtx", tmpdir);
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  for (int i = 0; i < 3; i++)
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  ck_assert_str_eq(line, "1 1 1\n");
  unsigned r, c;
  double w;
  ck_assert_int_eq(fscanf(f, "%u %u %lf", &r, &c, &w), 3);
  fclose(f);
  ck_assert(r == 1 && c == 1);
  near(w - w0, dw, 1e-6, a_p, "snapshot after the post spike");
  evs_net_free(net);
  ck_assert_int_eq(tu_rm_rf(tmpdir), 0);
}
END_TEST

/* All-to-all pairing sums over spikes: two arrivals before one post spike
 * add two potentiations, two post spikes before one arrival two
 * depressions (each lag well inside the windows). */
START_TEST(pair_all_to_all_sums) {
  tu_mkdtemp(tmpdir, sizeof tmpdir, "check_plastic");
  const double tau = 0.02, a_p = 1e-12, a_m = 0.9e-12, w0 = 1e-12;
  const double d_p = 5 * 1e-4;
  double tt[3], post[3];
  /* post spikes far enough apart for N to be back at rest before each
   * teacher input (the closed form); a long tau_minus pairs them all with
   * the last arrival */
  tt[0] = teacher_for(0.2, &post[0]);
  tt[1] = teacher_for(1.0, &post[1]);
  tt[2] = teacher_for(1.6, &post[2]);
  double arr[3] = {post[0] - 7e-3, post[0] - 2.5e-3, post[2] + 0.1};
  double tp[3];
  for (int i = 0; i < 3; i++) tp[i] = arr[i] - d_p;
  write_ras("teacher.ras", tt, NULL, 3);
  write_ras("plastic.ras", tp, NULL, 3);
  int proj;
  evs_net *net = make_net(1, w0, EVS_DIM_VOLTAGE, d_p, "stdp_pair", &proj);
  const double tau_m = 0.5;
  set_rule(net, proj, "tau_plus", tau);
  set_rule(net, proj, "tau_minus", tau_m);
  set_rule(net, proj, "A_plus", a_p);
  set_rule(net, proj, "A_minus", a_m);
  set_rule(net, proj, "w_min", -1e-3);
  set_rule(net, proj, "w_max", 1e-3);
  run(net, 2.0);
  post_spikes_are(post, 3);
  /* arrival 0 and 1: the post trace is empty; post 0: x = sum of both;
   * posts 1 and 2: x decayed by e^-40 (negligible); arrival 2: y = sum of
   * the three post spikes (tau_minus = 0.5 s). */
  double dw =
      a_p * (exp(-(post[0] - arr[0]) / tau) + exp(-(post[0] - arr[1]) / tau));
  double y = 0;
  for (int i = 0; i < 3; i++) y += exp(-(arr[2] - post[i]) / tau_m);
  dw -= a_m * y;
  double wf = evs_net_projection_csr(net, proj)->weight[0];
  near(wf, w0 + dw, 1e-6, a_p, "final weight");
  evs_net_free(net);
  ck_assert_int_eq(tu_rm_rf(tmpdir), 0);
}
END_TEST

/* ---- stdp_triplet ---------------------------------------------------------
 */

/* One pre-post-post triplet, then a depressing arrival:
 *  arrival a1, post t1 = a1 + 10.3 ms: y2(t1-) = 0, so no change;
 *  post t2 = t1 + 0.6 s: +A3_plus x(t2) y2(t2-) = A3_plus
 *    e^{-(t2-a1)/tau_plus} e^{-(t2-t1)/tau_y} (y2 read before its own
 *    increment);
 *  arrival a2 = t2 + 0.15 s: -A2_minus y1(a2) = -A2_minus
 *    (e^{-(a2-t1)/tau_minus} + e^{-(a2-t2)/tau_minus}).
 * Rows every 0.1 s separate the three steps. */
START_TEST(triplet_pre_post_post) {
  tu_mkdtemp(tmpdir, sizeof tmpdir, "check_plastic");
  const double tau_p = 0.2, tau_m = 0.1, tau_y = 0.5;
  const double a3 = 1e-12, a2 = 0.7e-12, w0 = 3e-12, d_p = 17 * 1e-4;
  double tt[2], post[2];
  tt[0] = teacher_for(0.1104, &post[0]);
  tt[1] = teacher_for(0.7104, &post[1]);
  double a1 = post[0] - 10.3e-3, a_2 = post[1] + 0.15;
  double tp[2] = {a1 - d_p, a_2 - d_p};
  write_ras("teacher.ras", tt, NULL, 2);
  write_ras("plastic.ras", tp, NULL, 2);
  int proj;
  evs_net *net = make_net(1, w0, EVS_DIM_VOLTAGE, d_p, "stdp_triplet", &proj);
  set_rule(net, proj, "tau_plus", tau_p);
  set_rule(net, proj, "tau_minus", tau_m);
  set_rule(net, proj, "tau_y", tau_y);
  set_rule(net, proj, "A3_plus", a3);
  set_rule(net, proj, "A2_minus", a2);
  set_rule(net, proj, "w_min", -1e-3);
  set_rule(net, proj, "w_max", 1e-3);
  evs_error err;
  ck_assert_int_eq(evs_net_record_weights(net, proj, 0.1, &err), EVS_OK);
  run(net, 0.95);
  post_spikes_are(post, 2);
  double row[16][7];
  ck_assert_uint_eq(read_weights(row, 16), 10); /* t = 0, 0.1, ..., 0.9 */
  double ltp =
      a3 * exp(-(post[1] - a1) / tau_p) * exp(-(post[1] - post[0]) / tau_y);
  double ltd =
      a2 * (exp(-(a_2 - post[0]) / tau_m) + exp(-(a_2 - post[1]) / tau_m));
  for (int i = 0; i < 10; i++) {
    double t = i * 0.1, w = w0;
    near(row[i][0], t, 1e-9, 1, "row time");
    if (t > post[1]) w += ltp;
    if (t > a_2) w -= ltd;
    near(row[i][1], w, 1e-6, a3, "weight");
  }
  double wf = evs_net_projection_csr(net, proj)->weight[0];
  near(wf, w0 + ltp - ltd, 1e-6, a3, "final weight");
  near(row[9][1], wf, 1e-8, fabs(wf), "last row vs final weight");
  evs_net_free(net);
  ck_assert_int_eq(tu_rm_rf(tmpdir), 0);
}
END_TEST

/* ---- record_weights ---------------------------------------------------------
 */

/* Three synapses onto N: pre 0 arrives before N's spike (potentiated to
 * w_max), pre 1 after it (depressed to w_min), pre 2 never spikes. The
 * table's rows every 0.25 s give mean, sd, min, max and the fractions at
 * the bounds; weights of dimension current are written in amperes. */
START_TEST(record_weights_table) {
  tu_mkdtemp(tmpdir, sizeof tmpdir, "check_plastic");
  /* IF_curr_exp's defaults: cm = 1 nF, R = tau_m / cm = 20 MOhm; 1e-19 A
   * is 2e-12 V */
  const double w0 = 1e-19, w_max = 2e-19, d_p = 1e-3;
  double tt[1], post[1];
  tt[0] = teacher_for(0.4005, &post[0]);
  double tp[2] = {post[0] - 4e-3 - d_p, post[0] + 3e-3 - d_p};
  unsigned id[2] = {0, 1};
  write_ras("teacher.ras", tt, NULL, 1);
  write_ras("plastic.ras", tp, id, 2);
  int proj;
  evs_net *net = make_net(3, w0, EVS_DIM_CURRENT, d_p, "stdp_pair", &proj);
  /* amplitudes far beyond the range: one pairing reaches the bound */
  set_rule(net, proj, "A_plus", 1e-18);
  set_rule(net, proj, "A_minus", 1e-18);
  set_rule(net, proj, "w_max", w_max);
  evs_error err;
  ck_assert_int_eq(evs_net_record_weights(net, proj, 0.25, &err), EVS_OK);
  run(net, 1.0);
  post_spikes_are(post, 1);
  double row[8][7];
  ck_assert_uint_eq(read_weights(row, 8), 4); /* t = 0, 0.25, 0.5, 0.75 */
  for (int i = 0; i < 4; i++) near(row[i][0], 0.25 * i, 1e-9, 1, "time");
  /* before the pairs: all at w0, none at a bound (w_min = 0) */
  for (int i = 0; i < 2; i++) {
    near(row[i][1], w0, 1e-7, w0, "mean before");
    near(row[i][2], 0, 1e-6, w0, "sd before");
    near(row[i][3], w0, 1e-7, w0, "min before");
    near(row[i][4], w0, 1e-7, w0, "max before");
    near(row[i][5], 0, 0, 1, "at_min before");
    near(row[i][6], 0, 0, 1, "at_max before");
  }
  /* after: {w_max, 0, w0} */
  for (int i = 2; i < 4; i++) {
    near(row[i][1], (w_max + w0) / 3, 1e-7, w0, "mean after");
    double m = (w_max + w0) / 3;
    double sd = sqrt((pow(w_max - m, 2) + m * m + pow(w0 - m, 2)) / 3);
    near(row[i][2], sd, 1e-6, w0, "sd after");
    near(row[i][3], 0, 1e-7, w0, "min after");
    near(row[i][4], w_max, 1e-7, w0, "max after");
    near(row[i][5], 1.0 / 3, 1e-8, 1, "at_min after");
    near(row[i][6], 1.0 / 3, 1e-8, 1, "at_max after");
  }
  /* the internal unit is the post type's: the ratios agree */
  const evs_csr *c = evs_net_projection_csr(net, proj);
  ck_assert_uint_eq(c->nnz, 3);
  double w[3];
  for (uint32_t j = 0; j < 3; j++) {
    /* row j of the CSR is pre j (one synapse each) */
    w[j] = c->weight[c->row_ptr[j]];
  }
  ck_assert_msg(w[1] == 0, "pre 1 at w_min: %g", w[1]);
  near(w[0] / w[2], w_max / w0, 1e-6, 1, "w_max / w0 in internal units");
  evs_net_free(net);
  ck_assert_int_eq(tu_rm_rf(tmpdir), 0);
}
END_TEST

/* ---- the API's checks -------------------------------------------------------
 */

START_TEST(api_errors) {
  tu_mkdtemp(tmpdir, sizeof tmpdir, "check_plastic");
  double t0 = 0.5;
  write_ras("teacher.ras", &t0, NULL, 1);
  write_ras("plastic.ras", &t0, NULL, 1);
  int proj;
  evs_error err;
  evs_net *net = make_net(1, 1e-12, EVS_DIM_VOLTAGE, 1e-3, "stdp_pair", &proj);
  ck_assert_int_eq(evs_net_set_rule(net, proj, "hebb", &err), EVS_ENOENT);
  ck_assert_int_eq(evs_net_set_rule_param(net, proj, "A3_plus", 1, &err),
                   EVS_ENOENT);
  ck_assert_int_eq(evs_net_set_rule_param(net, proj, "A_plus", NAN, &err),
                   EVS_EINVAL);
  ck_assert_int_lt(evs_net_set_rule(net, 7, "stdp_pair", &err), 0);
  ck_assert_int_lt(evs_net_record_weights(net, proj, 0, &err), 0);
  ck_assert_int_eq(evs_net_find_projection(net, "XX"), EVS_ENOENT);
  /* A_minus and w_max are required: the build names the projection */
  set_rule(net, proj, "A_plus", 1e-13);
  ck_assert_int_ne(evs_net_build(net, &err), EVS_OK);
  ck_assert_ptr_nonnull(strstr(err.msg, "PN"));
  ck_assert_ptr_nonnull(strstr(err.msg, "A_minus"));
  evs_net_free(net);
  /* a rule's table: names and the weight flag */
  /* the registry: every rule evsnn-model(5) documents, each once, each
   * with its table */
  static const char *const documented[] = {
      "stdp_pair",    "stdp_triplet", "stdp_triplet_homeo",
      "orchestrated", "istdp_global", "rate_hebb",
      "rate_oja",     "rate_bcm",     "superspike"};
  const size_t n_doc = sizeof documented / sizeof documented[0];
  const char *const *names = evs_rule_names();
  const evs_param_def *defs;
  size_t n, count = 0;
  for (; names[count]; count++) {
    ck_assert_int_eq(evs_rule_params(names[count], &defs, &n), EVS_OK);
    for (size_t j = 0; j < count; j++) ck_assert_str_ne(names[j], names[count]);
  }
  ck_assert_uint_eq(count, n_doc);
  for (size_t d = 0; d < n_doc; d++) {
    size_t j = 0;
    while (j < count && strcmp(names[j], documented[d])) j++;
    ck_assert_msg(j < count, "rule %s is not registered", documented[d]);
  }
  ck_assert_int_eq(evs_rule_params("stdp_triplet", &defs, &n), EVS_OK);
  int weight_params = 0;
  for (size_t i = 0; i < n; i++)
    weight_params += (defs[i].flags & EVS_PARAM_WEIGHT) != 0;
  ck_assert_int_eq(weight_params, 4); /* A3_plus, A2_minus, w_min, w_max */
  ck_assert_int_eq(evs_rule_params("hebb", &defs, &n), EVS_ENOENT);
  ck_assert_int_eq(tu_rm_rf(tmpdir), 0);
}
END_TEST

static Suite *plastic_suite(void) {
  Suite *s = suite_create("plastic");
  TCase *tc = tcase_create("scheduler");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, pair_both_orders);
  tcase_add_test(tc, pair_all_to_all_sums);
  tcase_add_test(tc, triplet_pre_post_post);
  tcase_add_test(tc, record_weights_table);
  tcase_add_test(tc, weight_rows_see_lazy_spikes);
  tcase_add_test(tc, api_errors);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(plastic_suite()); }
