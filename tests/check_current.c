/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: current sources ([input] dc with a window, step, ac, noisy;
 * evsnn/current.h) and the recording of state variables besides v
 * (record = ..., evs_net_record), each against a closed form:
 *  - a step current on one IF_curr_exp neuron: v(t) piecewise exponential
 *    and the first spike at t2 + tau ln((v_inf - v(t2)) / (v_inf -
 *    v_thresh)), then one every tau_refrac + tau ln((v_inf - v_reset) /
 *    (v_inf - v_thresh)); its neighbour without the source stays at rest;
 *  - a dc window [start, stop) on IF_curr_exp: the charge, then the decay;
 *  - a step on IF_cond_exp (clocked) at a time off the grid acts from the
 *    next step on: v of the exact solution with the change there;
 *  - an ac source on IF_cond_exp: v of the sinusoid sampled at every step
 *    start and held (the documented semantics), integrated exactly;
 *    refused on IF_curr_exp;
 *  - a noisy current on 2,000 passive IF_curr_exp neurons: the mean and
 *    variance of v across neurons at dt boundaries against the stationary
 *    AR(1) values v_rest + R mean and (R stdev)^2 (1 - a) / (1 + a),
 *    a = exp(-dt / tau_m), within 4 standard errors;
 *  - recording: one input spike's i_syn_exc / i_syn_inh (IF_curr_exp) and
 *    gsyn_exc / gsyn_inh (IF_cond_exp) in the probe files are w exp(-(t -
 *    t_arrival) / tau_syn); unknown variables are refused. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/net_impl.h"
#include "evsnn/evsnn.h"

/* ---- helpers ------------------------------------------------------------- */

/* The spikes of population 0, collected by a plug-in. */
typedef struct catcher {
  double t[256];
  size_t n;
} catcher;

static int c_start(evs_plugin *pl, evs_run *run, evs_error *err) {
  (void)err;
  return evs_run_listen(run, pl, 0);
}

static int c_spikes(evs_plugin *pl, evs_run *run, uint32_t pop,
                    const evs_spike *spk, size_t n) {
  (void)run;
  (void)pop;
  catcher *c = evs_plugin_state(pl);
  for (size_t i = 0; i < n; i++)
    if (spk[i].id == 0 && c->n < 256) c->t[c->n++] = spk[i].t;
  return EVS_OK;
}

static void c_destroy(evs_plugin *pl) { (void)pl; }

static const evs_plugin_type catcher_type = {.name = "catcher",
                                             .start = c_start,
                                             .spikes = c_spikes,
                                             .destroy = c_destroy};

static evs_model *load(const char *text) {
  evs_model *m = NULL;
  evs_error err;
  int rc = evs_model_load_string(text, "current", NULL, &m, &err);
  ck_assert_msg(rc == EVS_OK, "%s", err.msg);
  return m;
}

/* Starts m's run without output. */
static void start(evs_model *m) {
  evs_error err;
  evs_run_opts o = m->run;
  o.outdir = NULL;
  ck_assert_msg(evs_net_start(m->net, &o, &err) == EVS_OK, "%s", err.msg);
}

/* v of neuron id of population 0 at t, after running every event before t. */
static double v_at(evs_model *m, uint32_t id, double t) {
  evs_error err;
  ck_assert_msg(evs_net_run_until(m->net, t, &err) == EVS_OK, "%s", err.msg);
  evs_pop *pop = m->net->pop[0];
  return pop->type->voltage(pop, id, t);
}

static void finish(evs_model *m) {
  evs_error err;
  ck_assert_msg(evs_net_finish(m->net, &err) == EVS_OK, "%s", err.msg);
  evs_model_free(m);
}

/* ---- IF_curr_exp: a step current ---------------------------------------- */

#define TAU 20e-3
#define R_M 20e6 /* tau_m / cm = 20 ms / 1 nF */
#define V_REST -65e-3
#define V_TH -50e-3
#define T_REF 2e-3

static const char lif_model[] =
    "[simulation]\nduration = 200 ms\nresolution = 0.1 ms\n"
    "[population N]\ntype = IF_curr_exp\nsize = 2\ncm = 1 nF\ntau_m = 20 ms\n"
    "v_rest = -65 mV\nv_reset = -65 mV\nv_thresh = -50 mV\n"
    "tau_refrac = 2 ms\nv_init = -65 mV\n";

START_TEST(test_step_lif) {
  char text[1024];
  snprintf(text, sizeof text,
           "%s[input s]\ntype = step\npost = N\n"
           "neurons = 0\ntimes = 10 ms, 60 ms\namplitudes = 0.5 nA, 1 nA\n",
           lif_model);
  evs_model *m = load(text);
  catcher *c = calloc(1, sizeof *c);
  evs_error err;
  ck_assert_int_eq(evs_net_add_plugin(m->net, &catcher_type, c, &err), EVS_OK);
  start(m);
  const double t1 = 10e-3, t2 = 60e-3, i1 = 0.5e-9, i2 = 1e-9;
  double vinf1 = V_REST + R_M * i1, vinf2 = V_REST + R_M * i2;
  double v2 = vinf1 + (V_REST - vinf1) * exp(-(t2 - t1) / TAU);
  double ts = t2 + TAU * log((vinf2 - v2) / (vinf2 - V_TH));
  double period = T_REF + TAU * log((vinf2 - V_REST) / (vinf2 - V_TH));
  const double at[] = {5e-3,  10e-3, 30e-3,     59.9e-3,    60e-3,
                       70e-3, 75e-3, ts + 1e-3, ts + 10e-3, ts + period + 5e-3};
  for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
    double t = at[i], want;
    if (t <= t1)
      want = V_REST;
    else if (t <= t2)
      want = vinf1 + (V_REST - vinf1) * exp(-(t - t1) / TAU);
    else if (t < ts)
      want = vinf2 + (v2 - vinf2) * exp(-(t - t2) / TAU);
    else {
      double since = fmod(t - ts, period); /* after the last spike */
      want = since < T_REF
                 ? V_REST
                 : vinf2 + (V_REST - vinf2) * exp(-(since - T_REF) / TAU);
    }
    double v = v_at(m, 0, t);
    REQUIRE_MSG(fabs(v - want) < 1e-12, "v(%g ms) = %.15g, closed form %.15g",
                t * 1e3, v, want);
    REQUIRE_MSG(v_at(m, 1, t) == V_REST,
                "the neuron without the source "
                "left rest at %g ms",
                t * 1e3);
  }
  finish(m); /* the run ends at the last phase's end: the last sample */
  double end = at[sizeof at / sizeof at[0] - 1];
  /* every spike before it at ts + k period */
  size_t want_n = (size_t)floor((end - ts) / period) + 1;
  REQ_UINT(c->n, ==, want_n);
  for (size_t k = 0; k < c->n; k++)
    REQUIRE_MSG(fabs(c->t[k] - (ts + (double)k * period)) < 1e-11,
                "spike %zu at %.15g s, closed form %.15g s", k, c->t[k],
                ts + (double)k * period);
  free(c);
}
END_TEST

START_TEST(test_dc_window_lif) {
  char text[1024];
  snprintf(text, sizeof text,
           "%s[input d]\ntype = dc\npost = N\n"
           "neurons = 1\namplitude = 0.5 nA\nstart = 20 ms\nstop = 50 ms\n",
           lif_model);
  evs_model *m = load(text);
  start(m);
  double vinf = V_REST + R_M * 0.5e-9;
  double v50 = vinf + (V_REST - vinf) * exp(-30e-3 / TAU);
  const double at[] = {10e-3, 20e-3, 35e-3, 50e-3, 51e-3, 80e-3, 150e-3};
  for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
    double t = at[i], want = V_REST;
    if (t > 20e-3 && t <= 50e-3)
      want = vinf + (V_REST - vinf) * exp(-(t - 20e-3) / TAU);
    else if (t > 50e-3)
      want = V_REST + (v50 - V_REST) * exp(-(t - 50e-3) / TAU);
    double v = v_at(m, 1, t);
    REQUIRE_MSG(fabs(v - want) < 1e-12, "v(%g ms) = %.15g, closed form %.15g",
                t * 1e3, v, want);
    REQUIRE(v_at(m, 0, t) == V_REST);
  }
  finish(m);
}
END_TEST

START_TEST(test_current_value) {
  /* evs_net_current_value: the step source's value between its changes,
   * only during a run and for a source and neuron that exist */
  char text[1024];
  snprintf(text, sizeof text,
           "%s[input s]\ntype = step\npost = N\n"
           "neurons = 0\ntimes = 10 ms, 60 ms\namplitudes = 0.5 nA, 1 nA\n",
           lif_model);
  evs_model *m = load(text);
  double a = -1;
  REQ_INT(evs_net_current_value(m->net, 0, 0, &a), ==, EVS_EINVAL);
  start(m);
  const double at[] = {5e-3, 30e-3, 59.9e-3, 70e-3},
               want[] = {0, 0.5e-9, 0.5e-9, 1e-9};
  for (size_t i = 0; i < 4; i++) {
    (void)v_at(m, 0, at[i]); /* runs every event before at[i] */
    REQ_INT(evs_net_current_value(m->net, 0, 0, &a), ==, EVS_OK);
    REQUIRE_MSG(a == want[i], "%g A at %g ms, not %g", a, at[i] * 1e3, want[i]);
  }
  REQ_INT(evs_net_current_value(m->net, 1, 0, &a), ==, EVS_EINVAL);
  REQ_INT(evs_net_current_value(m->net, 0, 1, &a), ==, EVS_EINVAL);
  finish(m);
}
END_TEST

/* ---- IF_cond_exp: a step off the grid, an ac source -----------------------
 */

static const char cond_model[] =
    "[simulation]\nduration = 200 ms\nresolution = 0.1 ms\n"
    "[population N]\ntype = IF_cond_exp\nsize = 1\ncm = 1 nF\ntau_m = 20 ms\n"
    "v_rest = -65 mV\nv_reset = -65 mV\nv_thresh = -40 mV\n"
    "v_init = -65 mV\n";

START_TEST(test_step_cond_grid) {
  char text[1024];
  snprintf(text, sizeof text,
           "%s[input s]\ntype = step\npost = N\n"
           "times = 10.05 ms\namplitudes = 0.5 nA\n",
           cond_model);
  evs_model *m = load(text);
  start(m);
  /* acts from the tick at 10.1 ms: the step 10.0 -> 10.1 ms is at rest */
  double vinf = V_REST + R_M * 0.5e-9, t0 = 10.1e-3;
  const double at[] = {10.1e-3, 10.2e-3, 11e-3, 30e-3, 100e-3};
  for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
    double t = at[i];
    double want = vinf + (V_REST - vinf) * exp(-(t - t0) / TAU);
    double v = v_at(m, 0, t + 1e-6); /* after the tick at t */
    REQUIRE_MSG(fabs(v - want) < 1e-11, "v(%g ms) = %.15g, closed form %.15g",
                t * 1e3, v, want);
  }
  finish(m);
}
END_TEST

START_TEST(test_ac_cond) {
  char text[1024];
  snprintf(text, sizeof text,
           "%s[input a]\ntype = ac\npost = N\n"
           "amplitude = 0.3 nA\noffset = 0.1 nA\nfrequency = 40 Hz\n"
           "phase = 30\nstart = 5 ms\nstop = 120 ms\n",
           cond_model);
  evs_model *m = load(text);
  start(m);
  /* the reference: the sinusoid at each step's start, held, exactly */
  const double h = 1e-4, d = exp(-h / TAU);
  double v = V_REST;
  const double at[] = {4e-3, 20e-3, 50e-3, 119.9e-3, 121e-3, 180e-3};
  size_t next = 0;
  for (int k = 0; k < 2000 && next < sizeof at / sizeof at[0]; k++) {
    double tk = k * h, i = 0;
    if (tk >= 5e-3 - 1e-12 && tk < 120e-3 - 1e-12)
      i = 0.1e-9 + 0.3e-9 * sin(2 * 3.14159265358979323846 * 40 * (tk - 5e-3) +
                                30 * 3.14159265358979323846 / 180);
    double vinf = V_REST + R_M * i;
    v = vinf + (v - vinf) * d;
    if (fabs((k + 1) * h - at[next]) < 1e-12) {
      double got = v_at(m, 0, at[next] + 1e-6);
      REQUIRE_MSG(fabs(got - v) < 1e-11, "v(%g ms) = %.15g, reference %.15g",
                  at[next] * 1e3, got, v);
      next++;
    }
  }
  REQ_UINT(next, ==, sizeof at / sizeof at[0]);
  finish(m);

  /* refused on an exact type, at the type key */
  evs_error err;
  snprintf(text, sizeof text,
           "%s[input a]\ntype = ac\npost = N\n"
           "amplitude = 0.3 nA\nfrequency = 40 Hz\n",
           lif_model);
  m = NULL;
  ck_assert_int_ne(evs_model_load_string(text, "ac", NULL, &m, &err), EVS_OK);
  ck_assert_msg(strstr(err.msg, "an ac input needs a clocked type"), "%s",
                err.msg);
  ck_assert_ptr_null(m);
}
END_TEST

/* ---- IF_curr_exp: a noisy current -----------------------------------------
 */

START_TEST(test_noisy_lif) {
  static const char text[] =
      "[simulation]\nduration = 600 ms\nresolution = 0.1 ms\nseed = 7\n"
      "[population N]\ntype = IF_curr_exp\nsize = 2000\ncm = 1 nF\n"
      "tau_m = 10 ms\nv_rest = -65 mV\nv_thresh = 1 V\nv_init = -65 mV\n"
      "[input noise]\ntype = noisy\npost = N\nmean = 0.5 nA\nstdev = 1 nA\n"
      "dt = 1 ms\n";
  evs_model *m = load(text);
  start(m);
  const double r = 10e6, a = exp(-1e-3 / 10e-3);
  double mean_th = -65e-3 + r * 0.5e-9;
  double var_th = r * r * 1e-18 * (1 - a) / (1 + a);
  double sum = 0, sum2 = 0;
  size_t n = 0;
  for (int k = 1; k <= 5; k++) { /* 10 tau apart: independent */
    double t = k * 100e-3;
    for (uint32_t j = 0; j < 2000; j++) {
      double v = v_at(m, j, t);
      sum += v;
      sum2 += v * v;
      n++;
    }
  }
  finish(m);
  double mean = sum / n, var = (sum2 - n * mean * mean) / (n - 1);
  double se_mean = sqrt(var_th / n), se_var = var_th * sqrt(2.0 / (n - 1));
  REQUIRE_MSG(fabs(mean - mean_th) < 4 * se_mean,
              "mean v %.6g mV, theory %.6g mV (SE %.3g)", mean * 1e3,
              mean_th * 1e3, se_mean * 1e3);
  REQUIRE_MSG(fabs(var - var_th) < 4 * se_var,
              "var v %.6g mV^2, theory %.6g mV^2 (SE %.3g)", var * 1e6,
              var_th * 1e6, se_var * 1e6);
}
END_TEST

/* ---- recording synaptic currents and conductances ------------------------ */

/* Reads the value column col (1: the first neuron) of row time t of a probe
 * file; fails when absent. */
static double probe_value(const char *path, double t, int col) {
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  char line[512];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* header */
  while (fgets(line, sizeof line, f)) {
    char *p = line;
    double tt = strtod(p, &p);
    if (fabs(tt - t) > 1e-10) continue;
    double v = 0;
    for (int i = 0; i < col; i++) v = strtod(p, &p);
    fclose(f);
    return v;
  }
  fclose(f);
  ck_abort_msg("%s: no row at t = %g", path, t);
  return 0;
}

START_TEST(test_record_synaptic) {
  char ras[512], dir[512], text[2048], path[1024];
  /* one input spike at 10 ms, delay 1 ms: arrival at 11 ms */
  tu_write_tmp(ras, sizeof ras, "evs_current_in", "0.010 0\n");
  tu_mkdtemp(dir, sizeof dir, "evs_current_rec");
  snprintf(text, sizeof text,
           "[simulation]\nduration = 60 ms\nresolution = 0.1 ms\n"
           "[population S]\ntype = SpikeSourceArray\nsize = 1\nfile = %s\n"
           "[population C]\ntype = IF_curr_exp\nsize = 2\ntau_syn_E = 5 ms\n"
           "tau_syn_I = 10 ms\nv_thresh = 1 V\n"
           "record = v, i_syn_exc, i_syn_inh\nrecord_neurons = 0-1\n"
           "[population G]\ntype = IF_cond_exp\nsize = 1\ntau_syn_E = 5 ms\n"
           "tau_syn_I = 10 ms\nv_thresh = 1 V\n"
           "record = gsyn_exc, gsyn_inh\nrecord_neurons = 0\n"
           "[projection SC]\npre = S\npost = C\nconnect = all_to_all\n"
           "weight = 0.5 nA\ndelay = 1 ms\n"
           "[projection SCi]\npre = S\npost = C\nconnect = all_to_all\n"
           "receptor = inhibitory\nweight = -0.2 nA\ndelay = 1 ms\n"
           "[projection SG]\npre = S\npost = G\nconnect = all_to_all\n"
           "weight = 4 nS\ndelay = 1 ms\n"
           "[projection SGi]\npre = S\npost = G\nconnect = all_to_all\n"
           "receptor = inhibitory\nweight = 2 nS\ndelay = 1 ms\n",
           ras);
  evs_model *m = load(text);
  evs_error err;
  evs_run_opts o = m->run;
  o.outdir = dir;
  ck_assert_msg(evs_net_run(m->net, &o, &err) == EVS_OK, "%s", err.msg);
  evs_model_free(m);
  const double t_arr = 11e-3;
  /* weights are stored as floats in the type's internal unit: volts R I
   * for IF_curr_exp (R = 20 ms / 1 nF), siemens for IF_cond_exp */
  static const struct {
    const char *file;
    double w, tau, scale;
  } want[] = {{"i_syn_exc_C.tsv", 0.5e-9, 5e-3, 20e6},
              {"i_syn_inh_C.tsv", -0.2e-9, 10e-3, 20e6},
              {"gsyn_exc_G.tsv", 4e-9, 5e-3, 1},
              {"gsyn_inh_G.tsv", 2e-9, 10e-3, 1}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, want[i].file);
    double w = (double)(float)(want[i].w * want[i].scale) / want[i].scale;
    for (int ms = 0; ms < 60; ms += 3) {
      double t = ms * 1e-3, te = t;
      if (want[i].file[0] == 'g') {
        /* a clocked type gives its state at its last tick at or before t:
         * tick k is at k dt as the scheduler computes it (so 150 dt may
         * lie after 15 ms) */
        double k = nearbyint(t / 1e-4);
        if (k * 1e-4 > t) k -= 1;
        te = k * 1e-4;
      }
      double x = te < t_arr - 1e-9 ? 0 : w * exp(-(te - t_arr) / want[i].tau);
      double got = probe_value(path, t, 1);
      /* the file's %.9g: up to 5e-9 of the value */
      REQUIRE_MSG(fabs(got - x) <= 6e-9 * fabs(w),
                  "%s at %d ms: %.12g, closed form %.12g", want[i].file, ms,
                  got, x);
      if (want[i].file[0] == 'i') /* the second neuron gets the same */
        REQUIRE(probe_value(path, t, 2) == got);
    }
  }
  /* v is still there, and the header names the variable */
  snprintf(path, sizeof path, "%s/v_C.tsv", dir);
  REQUIRE(probe_value(path, 0, 1) == -65e-3);
  snprintf(path, sizeof path, "%s/gsyn_exc_G.tsv", dir);
  FILE *f = fopen(path, "r");
  char line[128];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  fclose(f);
  ck_assert_str_eq(line, "time\tgsyn_exc0\n");
  tu_rm_rf(dir);
  unlink(ras);
}
END_TEST

START_TEST(test_record_refused) {
  evs_model *m = NULL;
  evs_error err;
  char text[1024];
  snprintf(text, sizeof text, "%srecord = v, gsyn_exc\nrecord_neurons = 0\n",
           lif_model);
  ck_assert_int_ne(evs_model_load_string(text, "r", NULL, &m, &err), EVS_OK);
  ck_assert_msg(strstr(err.msg, "type IF_curr_exp cannot record 'gsyn_exc' "
                                "(it records v, i_syn_exc, i_syn_inh)"),
                "%s", err.msg);
  snprintf(text, sizeof text, "%srecord = i_syn_exc\n", lif_model);
  ck_assert_int_ne(evs_model_load_string(text, "r", NULL, &m, &err), EVS_OK);
  ck_assert_msg(strstr(err.msg, "record needs record_neurons"), "%s", err.msg);
  snprintf(text, sizeof text,
           "%srecord = v\nrecord_v = 0\n"
           "record_neurons = 1\n",
           lif_model);
  ck_assert_int_ne(evs_model_load_string(text, "r", NULL, &m, &err), EVS_OK);
  ck_assert_msg(strstr(err.msg, "record = v and record_v both"), "%s", err.msg);
  /* the public list: v first, then the type's own, with units */
  const char *unit = NULL;
  ck_assert_str_eq(evs_neuron_type_recordable("IF_cond_exp", 1, &unit),
                   "gsyn_exc");
  ck_assert_str_eq(unit, "S");
  ck_assert_str_eq(
      evs_neuron_type_recordable("EIF_cond_exp_isfa_ista", 3, &unit), "w");
  ck_assert_str_eq(unit, "A");
  ck_assert_ptr_null(evs_neuron_type_recordable("SpikeSourcePoisson", 0, NULL));
}
END_TEST

static Suite *current_suite(void) {
  Suite *s = suite_create("current");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_step_lif);
  tcase_add_test(tc, test_dc_window_lif);
  tcase_add_test(tc, test_current_value);
  tcase_add_test(tc, test_step_cond_grid);
  tcase_add_test(tc, test_ac_cond);
  tcase_add_test(tc, test_noisy_lif);
  tcase_add_test(tc, test_record_synaptic);
  tcase_add_test(tc, test_record_refused);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(current_suite()); }
