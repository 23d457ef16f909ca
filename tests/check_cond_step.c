/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The bits of IF_cond_exp's vector step (cond.c, cond_step.h): every tick
 * of a population with one value per parameter gives, bit for bit, the
 * state and spikes of the step's scalar formula written out here from
 * cond.c's description with cond_math.h's scalar helpers (relu as
 * 0.5 (z + |z|), free_time, exp_neg_poly, libm's exp() outside [0, 0.5]).
 * The drive makes neurons fire every few milliseconds with a refractory
 * period that ends inside a step, inputs come at the state time and between
 * ticks (the pending path), some strong enough for the exp() path, and
 * some conductances start negative. Whatever width the processor runs
 * (AVX-512, AVX2 under valgrind, two lanes elsewhere) must agree. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/net_impl.h"
#include "neurons/cond_math.h"
#include "neurons/types.h"
#include "check_util.h"
#include "cond_test_util.h"

#define N 300 /* two blocks, the last chunk partly padding */

/* The scalar step of neuron i of s (a copy of the state before the tick)
 * to t, from t0 = t - dt, and its threshold test at t: 1 when it spikes. */
static int ref_step(evs__cond_base *s, uint32_t i, double t, int pending) {
  const double t0 = t - s->dt;
  double a = s->ge[i], b = s->gi[i];
  double x = free_time(s->until[i], t0, s->dt) * (s->g_l + a + b) * s->inv_cm;
  double ex = x >= 0 && x <= COND_XMAX ? exp_neg_poly(x) : exp(-x);
  double vinf = (s->ib[i] + a * s->e_e + b * s->e_i) / (s->g_l + a + b);
  s->v[i] = vinf + (s->v[i] - vinf) * ex;
  s->ge[i] = a * s->de;
  s->gi[i] = b * s->di;
  if (pending) {
    s->ge[i] += s->pe[i];
    s->gi[i] += s->pi[i];
    s->pe[i] = s->pi[i] = 0;
  }
  if (!(s->v[i] >= s->v_thresh)) return 0;
  s->v[i] = s->v_reset;
  s->until[i] = t + s->tau_refrac;
  return 1;
}

/* dst's arrays [N] from src's (the same shape). */
static void copy_state(evs__cond_base *dst, const evs__cond_base *src) {
  size_t bytes = N * sizeof(double);
  memcpy(dst->v, src->v, bytes);
  memcpy(dst->ge, src->ge, bytes);
  memcpy(dst->gi, src->gi, bytes);
  memcpy(dst->until, src->until, bytes);
  memcpy(dst->pe, src->pe, bytes);
  memcpy(dst->pi, src->pi, bytes);
  memcpy(dst->ib, src->ib, bytes);
}

/* 1 when arrays a and b of N doubles hold the same bits. */
static int same_bits(const double *a, const double *b) {
  return memcmp(a, b, N * sizeof *a) == 0;
}

START_TEST(test_step_bits) {
  const double dt = 1e-4;
  evs_pop *p = pop_new_of(&evs__if_cond_exp, N, dt, 7, 0);
  p->dist[evs__param_index(p->type, "v_init")] =
      (evs_dist){EVS_DIST_UNIFORM, {-65e-3, -50e-3, 0, 0}};
  p->dist[evs__param_index(p->type, "gsyn_exc_init")] =
      (evs_dist){EVS_DIST_NORMAL, {5e-9, 10e-9, 0, 0}}; /* some < 0 */
  pop_set(p, "cm", 0.5e-9);          /* a 3 uS input: x = 0.6, the exp() path */
  pop_set(p, "i_offset", 0.6e-9);    /* v_inf = -41 mV: fires every ~5 ms */
  pop_set(p, "tau_refrac", 0.25e-3); /* ends inside a step */
  pop_set(p, "tau_syn_I", 10e-3);
  pop_init(p);
  const evs__cond_base *s = p->state;
  double arr[7][N];
  evs__cond_base r = *s; /* the constants; the arrays are the copies */
  r.v = arr[0], r.ge = arr[1], r.gi = arr[2], r.until = arr[3];
  r.pe = arr[4], r.pi = arr[5], r.ib = arr[6];
  uint64_t lcg = 12345;
  size_t spikes = 0, refr_partial = 0, strong = 0, negative = 0;
  for (uint32_t i = 0; i < N; i++) negative += s->ge[i] < 0;
  for (long k = 1; k <= 400; k++) {
    const double t = k * dt, t0 = t - dt;
    for (int q = 0; q < 12; q++) { /* inputs for this step */
      uint32_t i;
      int inh, later;
      float w;
      nmda_random_input(&lcg, N, &i, &inh, &later, &w, &strong);
      p->type->deliver(p, later ? t0 + 0.5 * dt : s->t_now,
                       inh ? EVS_RECEPTOR_INH : EVS_RECEPTOR_EXC, &i, &w, 0, 1);
    }
    copy_state(&r, s);
    int pending = s->pending;
    for (uint32_t i = 0; i < N; i++)
      refr_partial += r.until[i] > t0 && r.until[i] < t0 + dt;
    p->nspk = 0;
    pop_tick(p, k);
    size_t j = 0;
    for (uint32_t i = 0; i < N; i++) {
      if (!ref_step(&r, i, t, pending)) continue;
      ck_assert_msg(j < p->nspk && p->spk[j].id == i,
                    "step %ld: neuron %u spikes in the reference", k, i);
      ck_assert(p->spk[j].t == t);
      j++;
    }
    ck_assert_uint_eq(j, p->nspk);
    spikes += j;
    ck_assert_msg(same_bits(r.v, s->v), "step %ld: v", k);
    ck_assert_msg(same_bits(r.ge, s->ge), "step %ld: g_e", k);
    ck_assert_msg(same_bits(r.gi, s->gi), "step %ld: g_i", k);
    ck_assert_msg(same_bits(r.until, s->until), "step %ld: until", k);
    ck_assert_msg(same_bits(r.pe, s->pe) && same_bits(r.pi, s->pi),
                  "step %ld: pending inputs", k);
  }
  /* the cases the test is for did occur */
  ck_assert_uint_gt(spikes, 600);
  ck_assert_uint_gt(refr_partial, 500);
  ck_assert_uint_gt(strong, 3);
  ck_assert_uint_gt(negative, 10);
  pop_free(p);
}
END_TEST

static Suite *cond_step_suite(void) {
  Suite *s = suite_create("cond_step");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_step_bits);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(cond_step_suite()); }
