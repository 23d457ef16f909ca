/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the lazily decayed trace bank (trace_bank.h) against the closed
 * form of a sum of decaying exponentials, x(t) = sum over spikes s <= t of
 * e^{-(t - s)/tau}, across many rebases. */
#include <check.h>
#include <math.h>

#include "rules/trace_bank.h"
#include "check_util.h"

/* The value of coefficient X of trace k at t. */
static double value(evs_trace_bank *b, unsigned k, double X, double t) {
  return X * evs__trace_decay(b, k, t);
}

START_TEST(values_match_closed_form_across_rebases) {
  evs_trace_bank b = {0};
  const double tau_fast = 0.02, tau_slow = 0.1;
  double *fast = evs__trace_bank_add(&b, 3, tau_fast);
  double *slow = evs__trace_bank_add(&b, 2, tau_slow);
  ck_assert_ptr_nonnull(fast);
  ck_assert_ptr_nonnull(slow);
  /* neuron 1 of the fast trace and neuron 0 of the slow one spike every
   * 7 ms for 10 s: ~12 rebases (span 40 * 20 ms) */
  double last_t0 = b.t0;
  int rebases = 0;
  for (int s = 0; s < 1430; s++) {
    double t = 0.007 * s;
    evs__trace_bank_tick(&b, t);
    if (b.t0 != last_t0) rebases++, last_t0 = b.t0;
    evs__trace_spike(&fast[1], evs__trace_growth(&b, 0, t), 0);
    evs__trace_spike(&slow[0], evs__trace_growth(&b, 1, t), 0);
  }
  ck_assert_int_ge(rebases, 10);
  const double t = 10.0123;
  evs__trace_bank_tick(&b, t);
  double want_fast = 0, want_slow = 0;
  for (int s = 0; s < 1430; s++) {
    want_fast += exp(-(t - 0.007 * s) / tau_fast);
    want_slow += exp(-(t - 0.007 * s) / tau_slow);
  }
  ck_assert_double_eq_tol(value(&b, 0, fast[1], t), want_fast,
                          1e-12 * want_fast);
  ck_assert_double_eq_tol(value(&b, 1, slow[0], t), want_slow,
                          1e-12 * want_slow);
  ck_assert_double_eq(fast[0], 0);
  ck_assert_double_eq(fast[2], 0);
  ck_assert_double_eq(slow[1], 0);
  evs__trace_bank_free(&b);
  ck_assert_uint_eq(b.n_traces, 0);
}
END_TEST

START_TEST(span_follows_the_smallest_tau) {
  evs_trace_bank b = {0};
  ck_assert_ptr_nonnull(evs__trace_bank_add(&b, 1, 0.05));
  ck_assert_ptr_nonnull(evs__trace_bank_add(&b, 1, 0.01));
  ck_assert_ptr_nonnull(evs__trace_bank_add(&b, 1, 0.03));
  ck_assert_double_eq(b.span, EVS_TRACE_SPAN * 0.01);
  evs__trace_bank_tick(&b, 0.39);
  ck_assert_double_eq(b.t0, 0);
  evs__trace_bank_tick(&b, 0.41);
  ck_assert_double_eq(b.t0, 0.41);
  /* handlers rebase only past EVS_TRACE_SAFETY spans (6.4 s) */
  evs__trace_bank_advance(&b, 0.41 + 6.39);
  ck_assert_double_eq(b.t0, 0.41);
  evs__trace_bank_advance(&b, 0.41 + 6.41);
  ck_assert_double_eq(b.t0, 0.41 + 6.41);
  evs__trace_bank_free(&b);
}
END_TEST

START_TEST(nearest_spike_resets) {
  evs_trace_bank b = {0};
  double *x = evs__trace_bank_add(&b, 1, 0.02);
  ck_assert_ptr_nonnull(x);
  for (double t = 0; t < 0.05; t += 0.004)
    evs__trace_spike(x, evs__trace_growth(&b, 0, t), 1);
  /* the last spike, at 0.048 s, alone: x = 1 there */
  ck_assert_double_eq_tol(value(&b, 0, *x, 0.048), 1, 1e-12);
  evs__trace_bank_free(&b);
}
END_TEST

START_TEST(full_bank_refuses) {
  evs_trace_bank b = {0};
  for (int k = 0; k < EVS_TRACE_BANK_MAX; k++)
    ck_assert_ptr_nonnull(evs__trace_bank_add(&b, 4, 0.02));
  ck_assert_ptr_null(evs__trace_bank_add(&b, 4, 0.02));
  ck_assert_uint_eq(b.n_traces, EVS_TRACE_BANK_MAX);
  evs__trace_bank_free(&b);
}
END_TEST

/* The memoised factors are exp() of t - t0 for the bank's t0 of the call:
 * equal t after a rebase gives the new t0's factor, and a repeated call
 * the same bits as a direct exp(). */
START_TEST(factors_follow_t0) {
  evs_trace_bank b = {0};
  const double tau = 0.02, t = 0.013;
  ck_assert_ptr_nonnull(evs__trace_bank_add(&b, 2, tau));
  for (int rep = 0; rep < 2; rep++) {
    REQUIRE(evs__trace_decay(&b, 0, t) == exp(-t * (1 / tau)));
    REQUIRE(evs__trace_growth(&b, 0, t) == exp(t * (1 / tau)));
  }
  evs__trace_bank_rebase(&b, 0.005);
  const double u = t - 0.005;
  REQUIRE(evs__trace_decay(&b, 0, t) == exp(-u * (1 / tau)));
  REQUIRE(evs__trace_growth(&b, 0, t) == exp(u * (1 / tau)));
  /* another t with the same t - t0 after a second rebase: the same bits */
  evs__trace_bank_rebase(&b, 0.010);
  REQUIRE(evs__trace_decay(&b, 0, 0.010 + u) ==
          exp(-((0.010 + u) - 0.010) * (1 / tau)));
  evs__trace_bank_free(&b);
}
END_TEST

static Suite *trace_bank_suite(void) {
  Suite *s = suite_create("trace_bank");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, values_match_closed_form_across_rebases);
  tcase_add_test(tc, span_follows_the_smallest_tau);
  tcase_add_test(tc, nearest_spike_resets);
  tcase_add_test(tc, full_bank_refuses);
  tcase_add_test(tc, factors_follow_t0);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(trace_bank_suite()); }
