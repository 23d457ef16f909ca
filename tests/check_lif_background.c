/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the Poisson background of the exact IF_curr_exp (lif.c): free
 * neurons' membrane potential against Campbell's theorem, its mean
 * r w tau_syn and its variance r \int PSP(t)^2 dt in closed form (the exact
 * neuron has no discretisation, so both hold to sampling error); a
 * neuron's background independent of the population's size; and, for
 * firing neurons, the exact and grid modes' rates under the same
 * background within their sampling error plus the grid's known lag. */
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

#define H 1e-4
#define TAU_M 10e-3
#define TAU_S 0.5e-3
#define CM 250e-12
#define R_M (TAU_M / CM)

/* n neurons of type T with the microcircuit's parameters, background rate r
 * and weight w (A), v_init = -65 mV. */
static evs_pop *bg_pop(const evs_neuron_type *T, uint32_t n, uint32_t index,
                       double r, double w) {
  evs_pop *p = pop_new_of(T, n, H, 5, index);
  pop_set(p, "tau_m", TAU_M);
  pop_set(p, "cm", CM);
  pop_set(p, "tau_syn_E", TAU_S);
  pop_set(p, "tau_syn_I", TAU_S);
  pop_set(p, "tau_refrac", 2e-3);
  pop_set(p, "v_rest", -65e-3);
  pop_set(p, "v_reset", -65e-3);
  pop_set(p, "v_thresh", -50e-3);
  pop_set(p, "v_init", -65e-3);
  pop_set(p, "background_rate", r);
  pop_set(p, "background_weight", w);
  return p;
}

/* Campbell: 1,000 free exact neurons under 16,800 inputs/s of 87.81 pA,
 * sampled every 5 ms from 50 ms to 250 ms. Mean: r w R tau_syn; variance:
 * r A^2 (ts/2 + tm/2 - 2 ts tm / (ts + tm)), A = w R ts / (ts - tm), the
 * integral of the squared PSP. Within 5 standard errors (samples 5 ms apart
 * counted as half independent; the variance's error from the fourth
 * moment of a near-normal variable, 2 sd^4). */
START_TEST(test_campbell) {
  const uint32_t n = 1000;
  const double r = 16800, w = 87.81e-12;
  evs_pop *p = bg_pop(&evs__if_curr_exp, n, 1, r, w);
  pop_set(p, "v_thresh", 1.0);
  pop_init(p);
  double s1 = 0, s2 = 0;
  long cnt = 0;
  size_t spikes = 0;
  for (long k = 1; k <= 2500; k++) {
    p->nspk = 0;
    pop_tick(p, k);
    spikes += p->nspk;
    if (k >= 500 && k % 50 == 0)
      for (uint32_t j = 0; j < n; j++) {
        double v = p->type->voltage(p, j, k * H) + 65e-3;
        s1 += v;
        s2 += v * v;
        cnt++;
      }
  }
  double mean = s1 / cnt, var = s2 / cnt - mean * mean;
  double wr = w * R_M, A = wr * TAU_S / (TAU_S - TAU_M);
  double want_mean = r * wr * TAU_S;
  double want_var =
      r * A * A * (TAU_S / 2 + TAU_M / 2 - 2 * TAU_S * TAU_M / (TAU_S + TAU_M));
  double eff = cnt / 2.0;
  ck_assert_msg(fabs(mean - want_mean) < 5 * sqrt(want_var / eff),
                "mean %.5f mV want %.5f mV", mean * 1e3, want_mean * 1e3);
  ck_assert_msg(fabs(var - want_var) < 5 * want_var * sqrt(2 / eff),
                "var %.5g want %.5g", var, want_var);
  ck_assert_uint_eq(spikes, 0);
  pop_free(p);
}
END_TEST

/* Neuron j's background depends on (seed, population, j) only. */
START_TEST(test_per_neuron) {
  evs_pop *a = bg_pop(&evs__if_curr_exp, 10, 3, 16000, 87.8e-12);
  evs_pop *b = bg_pop(&evs__if_curr_exp, 1000, 3, 16000, 87.8e-12);
  evs_pop *c = bg_pop(&evs__if_curr_exp, 10, 4, 16000, 87.8e-12);
  pop_init(a);
  pop_init(b);
  pop_init(c);
  int differ = 0;
  for (long k = 1; k <= 300; k++) {
    pop_tick(a, k);
    pop_tick(b, k);
    pop_tick(c, k);
    for (uint32_t j = 0; j < 10; j++) {
      double t = k * H;
      double va = a->type->voltage(a, j, t);
      ck_assert_double_eq(va, b->type->voltage(b, j, t));
      differ += va != c->type->voltage(c, j, t);
    }
  }
  ck_assert_int_gt(differ, 2500);
  pop_free(a);
  pop_free(b);
  pop_free(c);
}
END_TEST

/* The recorded synaptic current (state(), i_syn_exc) at any time t counts
 * every background input before t: it is the same whether v was read
 * first or not (voltage() advances the neuron), the same for a firing
 * neuron (refractory periods included) as for its never-firing twin with
 * the same background stream (the current does not depend on spikes), and
 * its mean over free neurons is Campbell's r w tau_syn within 5 standard
 * errors (variance r w^2 tau_syn / 2, samples 5 ms apart counted as
 * independent: 10 tau_syn). Samples fall inside windows, not at ticks. */
START_TEST(test_state_counts_background) {
  const uint32_t n = 200;
  const double r = 16800, w = 87.81e-12;
  evs_pop *f = bg_pop(&evs__if_curr_exp, n, 2, r, w); /* fires */
  evs_pop *q = bg_pop(&evs__if_curr_exp, n, 2, r, w); /* its quiet twin */
  pop_set(q, "v_thresh", 1.0);
  pop_init(f);
  pop_init(q);
  double s1 = 0;
  long cnt = 0;
  size_t spikes = 0;
  for (long k = 1; k <= 3000; k++) {
    f->nspk = 0;
    pop_tick(f, k);
    pop_tick(q, k);
    spikes += f->nspk;
    if (k % 10) continue;
    double t = (k + 0.37) * H;
    for (uint32_t j = 0; j < n; j++) {
      double i_f = f->type->state(f, j, t, 0);
      double i_q = q->type->state(q, j, t, 0);
      REQUIRE_MSG(fabs(i_f - i_q) <= 1e-9 * fabs(i_q),
                  "neuron %u at %g s: %g A firing, %g A quiet", j, t, i_f, i_q);
      (void)q->type->voltage(q, j, t);
      REQUIRE_MSG(q->type->state(q, j, t, 0) == i_q,
                  "neuron %u at %g s: i_syn_exc moved when v was read", j, t);
      if (k >= 500 && k % 50 == 0) {
        s1 += i_q;
        cnt++;
      }
    }
  }
  ck_assert_msg(spikes > 1000, "%zu spikes", spikes);
  double mean = s1 / cnt, want = r * w * TAU_S;
  double sd = sqrt(r * w * w * TAU_S / 2);
  ck_assert_msg(fabs(mean - want) < 5 * sd / sqrt((double)cnt),
                "mean %g pA, want %g pA", mean * 1e12, want * 1e12);
  pop_free(f);
  pop_free(q);
}
END_TEST

/* Firing neurons (mean drive 29.5 mV above rest, 14.5 mV above threshold:
 * tens of Hz, refractory periods with inputs during them): the exact and
 * grid rates of 2,000 neurons over 1 s agree within 5 standard errors of
 * the difference (each rate's error from its spike count) plus 5 % for the
 * grid's checking the threshold at the steps' ends only. */
START_TEST(test_exact_vs_grid) {
  const uint32_t n = 2000;
  evs_pop *e = bg_pop(&evs__if_curr_exp, n, 0, 16800, 87.81e-12);
  evs_pop *g = bg_pop(&evs__if_curr_exp_grid, n, 0, 16800, 87.81e-12);
  pop_init(e);
  pop_init(g);
  double ne = 0, ng = 0;
  for (long k = 1; k <= 10000; k++) {
    e->nspk = g->nspk = 0;
    pop_tick(e, k);
    pop_tick(g, k);
    ne += e->nspk;
    ng += g->nspk;
  }
  double re = ne / n, rg = ng / n;
  double se = sqrt((ne + ng) / n / n);
  ck_assert_msg(re > 20, "exact rate %g Hz", re);
  ck_assert_msg(fabs(re - rg) < 5 * se + 0.05 * re,
                "exact %g Hz, grid %g Hz (se %g)", re, rg, se);
  pop_free(e);
  pop_free(g);
}
END_TEST

static Suite *bg_suite(void) {
  Suite *s = suite_create("lif_background");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_campbell);
  tcase_add_test(tc, test_per_neuron);
  tcase_add_test(tc, test_exact_vs_grid);
  tcase_add_test(tc, test_state_counts_background);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(bg_suite()); }
