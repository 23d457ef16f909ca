/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of lif_grid.c (IF_curr_exp_grid, NEST's iaf_psc_exp): the response
 * to one input against the closed form of the PSP, DC against the closed
 * form of the charging curve with spikes on the first grid point at or
 * after the threshold crossing and refractoriness of round(tau_refrac / h)
 * steps, inputs delivered before and after the tick of their time giving
 * the same state, inputs delivered ahead (the ring buffer) against the
 * closed form and the arrival-time path, the ring's bounds, and the Poisson
 * background: its mean drive against the stationary mean of the step recurrence
 * (Campbell), its counts' mean and variance, and a neuron's background not
 * depending on the population's size (partition independence). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/net_impl.h"
#include "neurons/types.h"
#include "check_util.h"
#include "cond_test_util.h"

#define T_GRID (&evs__if_curr_exp_grid)
#define H 1e-4

/* A population of n grid neurons with the microcircuit's parameters
 * (tau_m 10 ms, cm 250 pF, tau_syn 0.5 ms, E_L = v_reset = -65 mV,
 * threshold -50 mV, 2 ms refractory), v_init = E_L. */
static evs_pop *pd_pop(uint32_t n, uint32_t index) {
  evs_pop *p = pop_new_of(T_GRID, n, H, 7, index);
  pop_set(p, "tau_m", 10e-3);
  pop_set(p, "cm", 250e-12);
  pop_set(p, "tau_syn_E", 0.5e-3);
  pop_set(p, "tau_syn_I", 0.5e-3);
  pop_set(p, "tau_refrac", 2e-3);
  pop_set(p, "v_rest", -65e-3);
  pop_set(p, "v_reset", -65e-3);
  pop_set(p, "v_thresh", -50e-3);
  pop_set(p, "v_init", -65e-3);
  return p;
}

START_TEST(test_descriptor) {
  ck_assert_ptr_eq(evs__neuron_type_find("IF_curr_exp_grid"), T_GRID);
  ck_assert_int_eq(T_GRID->kind, EVS_POP_CLOCKED);
  /* R = tau_m / cm: 87.8 pA is 3.512 mV of R I */
  evs_pop *p = pd_pop(1, 0);
  ck_assert_double_eq_tol(T_GRID->weight_scale(p, EVS_DIM_CURRENT) * 87.8e-12,
                          3.512e-3, 1e-15);
  ck_assert_double_eq(T_GRID->weight_scale(p, EVS_DIM_VOLTAGE), 1.0);
  ck_assert_double_eq(T_GRID->weight_scale(p, EVS_DIM_CONDUCTANCE), 0.0);
  pop_init(p);
  pop_free(p);
}
END_TEST

/* The PSP of an input of R I = w (V) at time 0 through a synapse of time
 * constant ts, tau_m = tm: w ts / (ts - tm) (e^{-t/ts} - e^{-t/tm}). */
static double psp(double w, double ts, double tm, double t) {
  return w * ts / (ts - tm) * (exp(-t / ts) - exp(-t / tm));
}

START_TEST(test_single_input) {
  const double w = (float)2e-3, tm = 10e-3; /* weights travel as floats */
  for (int rec = 0; rec < 2; rec++) {
    const double ts = rec ? 2e-3 : 0.5e-3;
    evs_pop *p = pd_pop(2, 0);
    pop_set(p, rec ? "tau_syn_I" : "tau_syn_E", ts);
    pop_init(p);
    uint32_t j = 1;
    /* at the state time (0): enters at once */
    p->type->deliver(p, 0, rec ? EVS_RECEPTOR_INH : EVS_RECEPTOR_EXC, &j, NULL,
                     (float)w, 1);
    for (long k = 1; k <= 400; k++) {
      pop_tick(p, k);
      double want = -65e-3 + psp(w, ts, tm, k * H);
      ck_assert_msg(fabs(V(p, 1) - want) < 1e-15,
                    "rec %d step %ld: %.17g want %.17g", rec, k, V(p, 1), want);
      ck_assert_double_eq(V(p, 0), -65e-3);
    }
    pop_free(p);
  }
}
END_TEST

/* An input arriving at 3 h acts from 3 h on, whether the scheduler delivers
 * it before the tick of 3 h (it waits) or after (it enters at once). */
START_TEST(test_delivery_order) {
  evs_pop *a = pd_pop(1, 0), *b = pd_pop(1, 0);
  pop_init(a);
  pop_init(b);
  uint32_t j = 0;
  float w = (float)1.5e-3;
  for (long k = 1; k <= 200; k++) {
    if (k == 3) a->type->deliver(a, 3 * H, EVS_RECEPTOR_EXC, &j, &w, 0, 1);
    pop_tick(a, k);
    pop_tick(b, k);
    if (k == 3) b->type->deliver(b, 3 * H, EVS_RECEPTOR_EXC, &j, &w, 0, 1);
    ck_assert_double_eq(V(a, 0), V(b, 0));
    double want = -65e-3 + (k > 3 ? psp(w, 0.5e-3, 10e-3, (k - 3) * H) : 0);
    ck_assert_msg(fabs(V(a, 0) - want) < 1e-15, "step %ld", k);
  }
  pop_free(a);
  pop_free(b);
}
END_TEST

/* DC of 400 pA (R I = 16 mV): v = E + R I (1 - e^{-t/tm}) on the grid; the
 * first spike on the first grid point at or after the crossing time
 * -tm ln(1 - 15/16), then v held at v_reset for 20 steps (2 ms), after which
 * v charges again from the reset: every ISI is 20 steps plus the first grid
 * point at or after the same crossing time. */
START_TEST(test_dc_refractory) {
  evs_pop *p = pd_pop(1, 0);
  pop_set(p, "i_offset", 400e-12);
  const double tm = 10e-3, ri = 16e-3;
  double tc = -tm * log(1 - 15e-3 / ri);
  long kc = (long)ceil(tc / H - 1e-9);
  pop_init(p);
  long last = 0;
  int spikes = 0;
  long since = 0;
  for (long k = 1; k <= 3000; k++) {
    p->nspk = 0;
    pop_tick(p, k);
    since++;
    if (p->nspk) {
      long want = spikes == 0 ? kc : last + 20 + kc;
      REQ_INT(k, ==, want);
      ck_assert_double_eq(V(p, 0), -65e-3);
      last = k;
      spikes++;
      since = 0;
    } else if (spikes && since <= 20) {
      ck_assert_double_eq(V(p, 0), -65e-3); /* refractory */
    } else {
      long m = spikes ? since - 20 : k; /* steps charging */
      double want = -65e-3 + ri * (1 - exp(-m * H / tm));
      ck_assert_msg(fabs(V(p, 0) - want) < 1e-14, "step %ld: %.17g want %.17g",
                    k, V(p, 0), want);
    }
  }
  ck_assert_int_ge(spikes, 3000 / (20 + kc) - 1);
  pop_free(p);
}
END_TEST

/* The background of 2,000 free neurons (threshold out of reach): by the
 * recurrence x' = x P11 + n w, v' = E + (v - E) P22 + P21 x, a count n of
 * mean m gives the stationary means x = m w / (1 - P11) and
 * v - E = P21 x / (1 - P22), with P11, P22, P21 computed here; the
 * population mean over 2,000 neurons and 400 steps must lie within 5
 * standard errors (estimated from the samples' spread, inflated for their
 * correlation in time by the number of steps in a correlation time). */
START_TEST(test_background_mean) {
  const uint32_t n = 2000;
  const double rate = 2100 * 8.0, wI = 87.8e-12, R = 10e-3 / 250e-12;
  evs_pop *p = pd_pop(n, 2);
  pop_set(p, "v_thresh", 1.0);
  pop_set(p, "background_rate", rate);
  pop_set(p, "background_weight", wI);
  pop_init(p);
  const double ts = 0.5e-3, tm = 10e-3, w = wI * R, m = rate * H;
  double p11 = exp(-H / ts), p22 = exp(-H / tm);
  double p21 = ts / (ts - tm) * (p11 - p22);
  double want = -65e-3 + p21 * (m * w / (1 - p11)) / (1 - p22);
  for (long k = 1; k <= 1000; k++) pop_tick(p, k); /* 10 tau_m to settle */
  double sum = 0, sum2 = 0;
  long cnt = 0;
  for (long k = 1001; k <= 1400; k++) {
    pop_tick(p, k);
    for (uint32_t j = 0; j < n; j++) {
      double v = V(p, j);
      sum += v;
      sum2 += v * v;
      cnt++;
    }
  }
  double mean = sum / cnt, var = sum2 / cnt - mean * mean;
  /* samples 1 step apart are correlated over ~tau_m = 100 steps: 400 steps
   * hold ~4 independent samples per neuron */
  double se = sqrt(var / (n * 4.0));
  ck_assert_msg(fabs(mean - want) < 5 * se, "mean %.6g mV want %.6g mV (se %g)",
                mean * 1e3, want * 1e3, se * 1e3);
  /* Campbell's continuous-time mean, rate w ts, differs from the grid's by
   * O(h / tau_syn): within 10 % here */
  ck_assert_msg(fabs((mean + 65e-3) / (rate * w * ts) - 1) < 0.1,
                "mean %.6g mV, Campbell %.6g mV", (mean + 65e-3) * 1e3,
                rate * w * ts * 1e3);
  pop_free(p);
}
END_TEST

/* The counts themselves, read off a neuron without leak (tau_m = 10^6 s)
 * whose synaptic term forgets each step (tau_syn_E = 1 us, P11 = e^-100):
 * v's increment over a step is P21 w n, n the previous step's count, so
 * every increment must be an integer multiple of P21 w, and the counts'
 * mean and variance must both be m within 5 standard errors (Poisson). */
START_TEST(test_background_counts) {
  const uint32_t n = 500;
  const double m = 1.68, rate = m / H, R = 1e6 / 1e-9;
  evs_pop *p = pop_new_of(T_GRID, n, H, 11, 0);
  pop_set(p, "tau_m", 1e6);
  pop_set(p, "cm", 1e-9);
  pop_set(p, "tau_syn_E", 1e-6); /* P11 = e^-100: x holds one step's count */
  pop_set(p, "v_rest", 0);
  pop_set(p, "v_reset", -1);
  pop_set(p, "v_thresh", 1e9);
  pop_set(p, "v_init", 0);
  pop_set(p, "background_rate", rate);
  pop_set(p, "background_weight", 1e-3 / R); /* 1 mV of R I per input */
  pop_init(p);
  /* P21 = ts/(ts - tm) (P11 - P22) ~ ts / tm: one input moves v by
   * 1 mV * 1e-6 / 1e6 = 1e-15 V; measure counts as increments / that */
  const double ts = 1e-6, tm = 1e6;
  double p21 = ts / (ts - tm) * (exp(-H / ts) - exp(-H / tm));
  double unit = 1e-3 * p21;
  double *prev = calloc(n, sizeof *prev);
  ck_assert_ptr_nonnull(prev);
  pop_tick(p, 1);
  for (uint32_t j = 0; j < n; j++) prev[j] = V(p, j);
  double s1 = 0, s2 = 0;
  long cnt = 0;
  for (long k = 2; k <= 401; k++) {
    pop_tick(p, k);
    for (uint32_t j = 0; j < n; j++) {
      double c = (V(p, j) - prev[j] * exp(-H / tm)) / unit;
      double r = nearbyint(c);
      ck_assert_msg(fabs(c - r) < 1e-3, "count %g not an integer", c);
      s1 += r;
      s2 += r * r;
      cnt++;
      prev[j] = V(p, j);
    }
  }
  free(prev);
  double mean = s1 / cnt, var = s2 / cnt - mean * mean;
  /* Poisson: sd of the mean sqrt(m / cnt); of the variance ~
   * sqrt((m + 2 m^2) / cnt) (fourth central moment m + 3 m^2) */
  ck_assert_msg(fabs(mean - m) < 5 * sqrt(m / cnt), "mean count %g", mean);
  ck_assert_msg(fabs(var - m) < 5 * sqrt((m + 2 * m * m) / cnt),
                "count variance %g", var);
  pop_free(p);
}
END_TEST

/* Neuron j's background depends on (seed, population, j) only: the first
 * 10 neurons of a population of 10 and of one of 1,000 follow the same
 * trajectories, bit for bit, and another population index changes them. */
START_TEST(test_background_per_neuron) {
  evs_pop *a = pd_pop(10, 3), *b = pd_pop(1000, 3), *c = pd_pop(10, 4);
  evs_pop *all[3] = {a, b, c};
  for (int i = 0; i < 3; i++) {
    pop_set(all[i], "background_rate", 16000);
    pop_set(all[i], "background_weight", 87.8e-12);
    pop_init(all[i]);
  }
  int differ = 0;
  for (long k = 1; k <= 500; k++) {
    for (int i = 0; i < 3; i++) {
      all[i]->nspk = 0;
      pop_tick(all[i], k);
    }
    for (uint32_t j = 0; j < 10; j++) {
      ck_assert_double_eq(V(a, j), V(b, j));
      differ += V(a, j) != V(c, j);
    }
  }
  ck_assert_int_gt(differ, 4000);
  for (int i = 0; i < 3; i++) pop_free(all[i]);
}
END_TEST

/* One input of weight w onto neuron j through receptor rec arriving at t,
 * handed to p's deliver_ahead as a row of one group (delay 0), or to its
 * deliver_ahead16 with a 16-bit target if narrow. */
static void ahead(evs_pop *p, double t, int rec, uint32_t j, float w,
                  int narrow) {
  const uint32_t end = 1, delay = 0;
  const uint16_t j16 = (uint16_t)j;
  evs_ahead_row a = {.t = t,
                     .res = H,
                     .target = narrow ? (const void *)&j16 : (const void *)&j,
                     .weight = &w,
                     .n = 1,
                     .end = &end,
                     .delay = &delay};
  if (narrow)
    p->type->deliver_ahead16(p, rec, &a);
  else
    p->type->deliver_ahead(p, rec, &a);
}

/* Inputs delivered ahead (the ring buffer): random inputs through both
 * receptors, at times on and between grid points over 400 steps (the ring
 * of a 3 ms span, 32 slots, turns over twelve times), each handed over at a
 * random time up to the span before its arrival. Neuron 0 sums them into
 * v as the closed form says: an input arriving in ((k - 1) h, k h] acts
 * from k h, its PSP as test_single_input's (to 1e-15 V: rounding); and as
 * the same inputs delivered at their arrival times (deliver(), the queue's
 * path, which test_delivery_order checks) to within rounding. */
#define AHEAD_N 300
START_TEST(test_ahead) {
  const double span = 3e-3, tm = 10e-3, ts[2] = {0.5e-3, 2e-3};
  evs_pop *a = pd_pop(1, 0), *b = pd_pop(1, 0);
  pop_set(a, "tau_syn_I", ts[1]);
  pop_set(b, "tau_syn_I", ts[1]);
  pop_set(a, "v_thresh", 1.0); /* no spikes: the PSPs add up */
  pop_set(b, "v_thresh", 1.0);
  pop_init(a);
  pop_init(b);
  ck_assert_ptr_nonnull(a->type->reserve_ahead);
  const double spans[2] = {span, span};
  REQ_INT(a->type->reserve_ahead(a, spans), ==, EVS_OK);
  struct in {
    double t, known; /* arrival, hand-over */
    int rec;
    float w;
  } in[AHEAD_N];
  evs_rng rng;
  evs_rng_init(&rng, 11, 0, 0, 0);
  for (int i = 0; i < AHEAD_N; i++) {
    long k = 2 + (long)(evs_rng_uniform(&rng) * 380);
    double t = evs_rng_uniform(&rng) < 0.5
                   ? k * H
                   : (k - 1 + 0.05 + 0.9 * evs_rng_uniform(&rng)) * H;
    double lead = (0.5 + evs_rng_uniform(&rng) * (span / H - 1.5)) * H;
    in[i] = (struct in){t, fmax(t - lead, 0), evs_rng_uniform(&rng) < 0.5,
                        (float)((evs_rng_uniform(&rng) - 0.3) * 1e-3)};
  }
  uint32_t j = 0;
  for (long k = 1; k <= 400; k++) {
    /* ahead: what becomes known in [(k - 1) h, k h), at the state time */
    for (int i = 0; i < AHEAD_N; i++)
      if (in[i].known >= (k - 1) * H && in[i].known < k * H)
        ahead(a, in[i].t, in[i].rec, j, in[i].w, i % 2);
    /* the queue's path: what arrives in ((k - 1) h, k h) before the tick */
    for (int i = 0; i < AHEAD_N; i++)
      if (in[i].t < k * H - 1e-10 && in[i].t > (k - 1) * H + 1e-10)
        b->type->deliver(b, in[i].t, in[i].rec, &j, &in[i].w, 0, 1);
    pop_tick(a, k);
    pop_tick(b, k);
    for (int i = 0; i < AHEAD_N; i++) /* on the grid: after the tick */
      if (fabs(in[i].t - k * H) <= 1e-10)
        b->type->deliver(b, in[i].t, in[i].rec, &j, &in[i].w, 0, 1);
    REQ_INT(a->failed, ==, 0);
    double want = -65e-3;
    for (int i = 0; i < AHEAD_N; i++) {
      long ka = (long)ceil(in[i].t / H - 1e-6); /* its step */
      if (ka < k) want += psp(in[i].w, ts[in[i].rec], tm, (k - ka) * H);
    }
    ck_assert_msg(fabs(V(a, 0) - want) < 1e-15, "step %ld: %.17g want %.17g", k,
                  V(a, 0), want);
    ck_assert_msg(fabs(V(a, 0) - V(b, 0)) < 1e-15,
                  "step %ld: %.17g queue %.17g", k, V(a, 0), V(b, 0));
  }
  pop_free(a);
  pop_free(b);
}
END_TEST

/* The ring's bounds: an input beyond the reserved span, or at the state
 * time (its step ran), fails the population; a larger reservation keeps
 * the inputs handed over before it at their steps. */
START_TEST(test_ahead_span) {
  const double spans[2] = {5 * H, 5 * H};
  uint32_t j = 0;
  float w = (float)1.5e-3;
  for (int c = 0; c < 3; c++) {
    evs_pop *p = pd_pop(1, 0);
    pop_init(p);
    REQ_INT(p->type->reserve_ahead(p, spans), ==, EVS_OK);
    pop_tick(p, 1);
    if (c == 0) /* 5 steps reserved, 2 slots of slack: step 9 is beyond */
      ahead(p, 9 * H, EVS_RECEPTOR_EXC, j, w, 0);
    if (c == 1) ahead(p, 1 * H, EVS_RECEPTOR_EXC, j, w, 1);
    ck_assert_int_eq(p->failed, c < 2 ? EVS_EINVAL : 0);
    if (c == 2) {
      ahead(p, 6 * H, EVS_RECEPTOR_EXC, j, w, 0);
      const double more[2] = {50 * H, 50 * H};
      REQ_INT(p->type->reserve_ahead(p, more), ==, EVS_OK);
      ahead(p, 40 * H, EVS_RECEPTOR_EXC, j, w, 1);
      for (long k = 2; k <= 60; k++) {
        pop_tick(p, k);
        double want = -65e-3 +
                      (k > 6 ? psp(w, 0.5e-3, 10e-3, (k - 6) * H) : 0) +
                      (k > 40 ? psp(w, 0.5e-3, 10e-3, (k - 40) * H) : 0);
        ck_assert_msg(fabs(V(p, 0) - want) < 1e-15, "step %ld", k);
      }
      ck_assert_int_eq(p->failed, 0);
    }
    pop_free(p);
  }
}
END_TEST

/* The arrays' padding (5 neurons: v padded to 8 doubles, the widest
 * step's lanes) holds v = -inf through steps that spike, take inputs
 * ahead and draw the background, so that its lanes never look like a
 * neuron at threshold (at v = 0 they did at every step, and the tick
 * scanned its last chunk for spikes each time). Read through voltage(),
 * which does not check the id. */
START_TEST(test_padding) {
  evs_pop *p = pd_pop(5, 0);
  pop_set(p, "i_offset", 1e-9); /* a spike every ~6.7 ms */
  pop_set(p, "background_rate", 1000.0);
  pop_set(p, "background_weight", 10e-12);
  pop_init(p);
  const double spans[2] = {3e-3, 3e-3};
  REQ_INT(p->type->reserve_ahead(p, spans), ==, EVS_OK);
  size_t spikes = 0;
  for (long k = 1; k <= 400; k++) {
    ahead(p, (k + 5) * H, (int)(k % 2), (uint32_t)(k % 5), 2e-3f, 0);
    p->nspk = 0;
    pop_tick(p, k);
    spikes += p->nspk;
    for (uint32_t j = 5; j < 8; j++)
      ck_assert_msg(isinf(V(p, j)) && V(p, j) < 0, "step %ld lane %u: %g", k, j,
                    V(p, j));
  }
  REQ_INT(p->failed, ==, 0);
  ck_assert_uint_ge(spikes, 5 * 5);
  pop_free(p);
}
END_TEST

START_TEST(test_invalid) {
  expect_invalid_of(T_GRID, "tau_m", 0, "tau_m");
  expect_invalid_of(T_GRID, "tau_syn_E", 20e-3, "differ");
  expect_invalid_of(T_GRID, "v_reset", -40e-3, "below v_thresh");
  expect_invalid_of(T_GRID, "background_rate", -1, "negative");
  expect_invalid_of(T_GRID, "background_rate", 2e6, "150");
  expect_invalid_of(T_GRID, "background_weight", INFINITY, "finite");
}
END_TEST

static Suite *grid_suite(void) {
  Suite *s = suite_create("lif_grid");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_descriptor);
  tcase_add_test(tc, test_single_input);
  tcase_add_test(tc, test_delivery_order);
  tcase_add_test(tc, test_ahead);
  tcase_add_test(tc, test_ahead_span);
  tcase_add_test(tc, test_padding);
  tcase_add_test(tc, test_dc_refractory);
  tcase_add_test(tc, test_background_mean);
  tcase_add_test(tc, test_background_counts);
  tcase_add_test(tc, test_background_per_neuron);
  tcase_add_test(tc, test_invalid);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(grid_suite()); }
