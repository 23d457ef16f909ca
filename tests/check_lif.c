/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the exact IF_curr_exp population (lif.c), driven directly through
 * its type table as the scheduler would drive it, against closed forms and a
 * brute-force fine-step RK4 integration. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/net_impl.h"
#include "neurons/lif_impl.h"
#include "neurons/types.h"
#include "lif_reference.h"
#include "check_util.h"

static const evs_neuron_type *T = &evs__if_curr_exp;

/* A population of n neurons with default parameters, then name=value
 * overrides (SI), terminated by NULL. */
static evs_pop *make_pop(uint32_t n, double window, ...) {
  evs_pop *pop = calloc(1, sizeof *pop);
  pop->type = T;
  pop->size = n;
  pop->tick = window;
  pop->resolution = 1e-4;
  pop->seed = 7;
  pop->par = calloc(T->n_params, sizeof *pop->par);
  pop->dist = calloc(T->n_params, sizeof *pop->dist);
  for (size_t k = 0; k < T->n_params; k++) pop->par[k] = T->params[k].def;
  va_list ap;
  va_start(ap, window);
  const char *name;
  while ((name = va_arg(ap, const char *))) {
    int k = evs__param_index(T, name);
    ck_assert_msg(k >= 0, "no parameter %s", name);
    pop->par[k] = va_arg(ap, double);
  }
  va_end(ap);
  for (size_t k = 0; k < T->n_params; k++)
    pop->dist[k] = evs_dist_const(pop->par[k]);
  return pop;
}

static void start(evs_pop *pop) {
  evs_error err;
  ck_assert_msg(T->init(pop, &err) == EVS_OK, "%s", err.msg);
}

static void drop(evs_pop *pop) {
  T->destroy(pop);
  free(pop->par);
  free(pop->dist);
  free(pop->dc);
  free(pop->spk);
  free(pop);
}

typedef struct input {
  double t;
  uint32_t j;
  int rec;
  double w;
} input;

static int by_t(const void *a, const void *b) {
  const input *x = a, *y = b;
  return (x->t > y->t) - (x->t < y->t);
}

static int spike_order(const void *a, const void *b) {
  const evs_spike *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

/* Plays sorted inputs into pop as the scheduler does: a window closes at every
 * multiple of the tick before deliveries at the same time; the last window
 * closes at t_end. Each input is one delivery, its weight given as a
 * one-element array or (shared) as the delivery's shared weight. Spikes
 * accumulate in pop->spk, sorted at the end. */
static uint64_t window_k;
static void play_as(evs_pop *pop, const input *in, size_t n, double t_end,
                    int shared) {
  window_k = 1;
  for (size_t i = 0; i <= n; i++) {
    double t = i < n ? in[i].t : t_end;
    while ((double)window_k * pop->tick <= t &&
           (double)window_k * pop->tick < t_end) {
      ck_assert_int_eq(T->tick(pop, (double)window_k * pop->tick), EVS_OK);
      window_k++;
    }
    if (i < n) {
      float w = (float)in[i].w;
      T->deliver(pop, in[i].t, in[i].rec, &in[i].j, shared ? NULL : &w,
                 shared ? w : 0, 1);
    }
  }
  ck_assert_int_eq(T->tick(pop, t_end), EVS_OK);
  qsort(pop->spk, pop->nspk, sizeof *pop->spk, spike_order);
}

static void play(evs_pop *pop, const input *in, size_t n, double t_end) {
  play_as(pop, in, n, t_end, 0);
}

START_TEST(single_psp_closed_form) {
  /* One input on a neuron far below threshold: v - v_rest is the closed-form
   * PSP  w tau_s/(tau_m - tau_s) (e^{-s/tau_m} - e^{-s/tau_s}). */
  double tau_m = 0.01, tau_e = 0.005, tau_i = 0.003;
  evs_pop *pop = make_pop(2, 1e-4, "tau_m", tau_m, "tau_syn_E", tau_e,
                          "tau_syn_I", tau_i, "v_rest", -0.07, "v_init", -0.07,
                          "v_thresh", -0.05, "v_reset", -0.07, NULL);
  start(pop);
  double t1 = 0.0013, w = 0.004;
  uint32_t j0 = 0, j1 = 1;
  float fw = (float)w, fwi = -(float)w;
  T->deliver(pop, t1, EVS_RECEPTOR_EXC, &j0, NULL, fw, 1); /* shared */
  T->deliver(pop, t1, EVS_RECEPTOR_INH, &j1, NULL, fwi, 1);
  w = fw;
  for (double t = t1; t < 0.2; t += 0.37e-3) {
    double s = t - t1;
    double pe =
        w * tau_e / (tau_m - tau_e) * (exp(-s / tau_m) - exp(-s / tau_e));
    double pi =
        -w * tau_i / (tau_m - tau_i) * (exp(-s / tau_m) - exp(-s / tau_i));
    ck_assert_double_eq_tol(T->voltage(pop, 0, t), -0.07 + pe, 1e-14);
    ck_assert_double_eq_tol(T->voltage(pop, 1, t), -0.07 + pi, 1e-14);
  }
  /* the peak of the excitatory PSP for tau_m = 2 tau_s is w/4 */
  double tpk = t1 + tau_m * log(2);
  ck_assert_double_eq_tol(T->voltage(pop, 0, tpk) + 0.07, w / 4, 1e-14);
  ck_assert_uint_eq(pop->nspk, 0);
  drop(pop);
}
END_TEST

START_TEST(crossing_time_closed_form) {
  /* tau_m = 2 tau_s: after one input w at t1 the potential is
   * v_rest + w (x - x^2), x = e^{-(t-t1)/tau_m}, crossing where
   * x^2 - x + D/w = 0 (D = v_thresh - v_rest), at the larger root. */
  double tau_m = 0.02, D = 0.01;
  for (int i = 0; i < 50; i++) {
    double w = 4 * D * (1.0001 + 0.1 * i);
    evs_pop *pop = make_pop(1, 1e-4, "tau_m", tau_m, "tau_syn_E", tau_m / 2,
                            "v_rest", -0.06, "v_init", -0.06, "v_thresh", -0.05,
                            "v_reset", -0.06, "tau_refrac", 0.5, NULL);
    start(pop);
    float fw = (float)w;
    w = fw;
    double t1 = 0.00123 + 1e-5 * i;
    input in = {t1, 0, EVS_RECEPTOR_EXC, w};
    play(pop, &in, 1, 0.3);
    double x = 0.5 * (1 + sqrt(1 - 4 * D / w));
    double expect = t1 + tau_m * log(1 / x);
    ck_assert_uint_eq(pop->nspk, 1);
    ck_assert_msg(fabs(pop->spk[0].t - expect) < 1e-12,
                  "spike %.17g expected %.17g", pop->spk[0].t, expect);
    drop(pop);
  }
}
END_TEST

START_TEST(dc_driven_interspike_interval) {
  /* Constant drive to v_inf above threshold: first spike at
   * tau_m ln((v_inf - v0)/(v_inf - v_thresh)), then every
   * tau_refrac + tau_m ln((v_inf - v_reset)/(v_inf - v_thresh)). */
  double tau_m = 0.02, cm = 2e-10, i_off = 2e-10, ref = 0.002;
  evs_pop *pop = make_pop(3, 2e-4, "tau_m", tau_m, "cm", cm, "i_offset", i_off,
                          "v_rest", -0.065, "v_reset", -0.07, "v_thresh", -0.05,
                          "tau_refrac", ref, "v_init", -0.06, NULL);
  pop->dc = calloc(3, sizeof *pop->dc);
  pop->dc[1] = 0.002; /* volts of R*I on neuron 1 */
  start(pop);
  play(pop, NULL, 0, 2.0);
  for (uint32_t j = 0; j < 3; j++) {
    double v_inf = -0.065 + tau_m / cm * i_off + (j == 1 ? 0.002 : 0);
    double first = tau_m * log((v_inf + 0.06) / (v_inf + 0.05));
    double isi = ref + tau_m * log((v_inf + 0.07) / (v_inf + 0.05));
    int k = 0;
    for (size_t q = 0; q < pop->nspk; q++) {
      if (pop->spk[q].id != j) continue;
      double expect = first + k * isi;
      ck_assert_msg(fabs(pop->spk[q].t - expect) < 1e-11,
                    "neuron %u spike %d at %.15g, expected %.15g", j, k,
                    pop->spk[q].t, expect);
      k++;
    }
    ck_assert_int_eq(k, (int)floor((2.0 - first) / isi) + 1);
  }
  drop(pop);
}
END_TEST

/* A started population of n neurons with the parameters of p, all starting
 * at v_init, windows of 0.1 ms. */
static evs_pop *make_ref_pop(const ref_par *p, uint32_t n, double v_init) {
  evs_pop *pop =
      make_pop(n, 1e-4, "tau_m", p->tau_m, "tau_syn_E", p->tau_e, "tau_syn_I",
               p->tau_i, "v_rest", p->v_rest, "v_reset", p->v_reset, "v_thresh",
               p->v_thresh, "tau_refrac", p->tau_ref, "v_init", v_init, NULL);
  start(pop);
  return pop;
}

/* Asserts that neuron j's spikes in pop->spk (sorted) are the ns reference
 * spike times, each within 1e-9 s; returns ns. */
static int expect_spikes(const evs_pop *pop, uint32_t j, const double *spikes,
                         int ns) {
  int k = 0;
  for (size_t q = 0; q < pop->nspk; q++) {
    if (pop->spk[q].id != j) continue;
    ck_assert_msg(k < ns, "neuron %u: extra spike at %.12g", j, pop->spk[q].t);
    ck_assert_msg(fabs(pop->spk[q].t - spikes[k]) < 1e-9,
                  "neuron %u spike %d: %.15g vs reference %.15g", j, k,
                  pop->spk[q].t, spikes[k]);
    k++;
  }
  ck_assert_msg(k == ns, "neuron %u: %d spikes, reference %d", j, k, ns);
  return ns;
}

START_TEST(random_inputs_against_rk4) {
  /* Poisson excitation and inhibition onto 4 neurons for 1 s (several
   * rebases of the reference time), compared spike by spike; the weights
   * come per synapse (_i = 0) or as the delivery's shared weight (_i = 1). */
  const uint32_t N = 4;
  const double t_end = 1.0;
  ref_par p = {0.02, 0.005, 0.01, -0.049, -0.06, -0.05, 0.005, 0};
  evs_pop *pop = make_ref_pop(&p, N, -0.058);
  evs_rng r;
  evs_rng_init(&r, 11, 0, 0, EVS_RNG_TEST);
  size_t n = 0, cap = 4000;
  input *in = malloc(cap * sizeof *in);
  for (double t = 0; n < cap;) {
    t += evs_rng_exponential(&r) / 3000.0;
    if (t >= t_end) break;
    int exc = evs_rng_uniform(&r) < 0.8;
    double w =
        exc ? 0.0016 * 2 * evs_rng_uniform(&r) : -0.009 * evs_rng_uniform(&r);
    in[n++] = (input){t, evs_rng_below(&r, N), exc ? 0 : 1, (float)w};
  }
  qsort(in, n, sizeof *in, by_t);
  play_as(pop, in, n, t_end, _i);

  int total = 0;
  for (uint32_t j = 0; j < N; j++) {
    ref_neuron rn = {-0.058, 0, 0, -1};
    double spikes[2000];
    int ns = 0;
    double t = 0;
    for (size_t i = 0; i < n; i++) {
      if (in[i].j != j) continue;
      ref_advance(&p, &rn, t, in[i].t, 2e-6, spikes, &ns);
      t = in[i].t;
      if (in[i].rec == 0)
        rn.xe += in[i].w;
      else
        rn.xi += in[i].w;
    }
    ref_advance(&p, &rn, t, t_end, 2e-6, spikes, &ns);
    total += expect_spikes(pop, j, spikes, ns);
  }
  ck_assert_int_gt(total, 20);
  free(in);
  drop(pop);
}
END_TEST

START_TEST(wide_deliveries_against_rk4) {
  /* Deliveries wider than the 256 synapses lif.c certifies at a time, with
   * multapses inside one chunk and across chunks, onto neurons that spike
   * (rest above threshold) and so also receive input while refractory;
   * per-synapse weights of both signs (_i = 0) or one shared weight per
   * delivery (_i = 1). Every neuron's spikes against RK4. */
  enum { N = 270, EXTRA = 50, COUNT = N + EXTRA, MAX_D = 200 };
  const double t_end = 0.25;
  ref_par p = {0.02, 0.005, 0.01, -0.049, -0.06, -0.05, 0.005, 0};
  evs_pop *pop = make_ref_pop(&p, N, -0.052);
  evs_rng r;
  evs_rng_init(&r, 13, 0, 0, EVS_RNG_TEST);
  static uint32_t target[MAX_D][COUNT];
  static float weight[MAX_D][COUNT];
  double when[MAX_D], shared[MAX_D];
  int rec[MAX_D];
  size_t nd = 0;
  for (double t = 0; nd < MAX_D;) {
    t += evs_rng_exponential(&r) / 400.0;
    if (t >= t_end) break;
    when[nd] = t;
    rec[nd] = evs_rng_uniform(&r) < 0.8 ? 0 : 1;
    for (uint32_t q = 0; q < N; q++) target[nd][q] = q;
    for (uint32_t q = N - 1; q > 0; q--) { /* shuffled, then duplicates */
      uint32_t k = evs_rng_below(&r, q + 1), x = target[nd][q];
      target[nd][q] = target[nd][k];
      target[nd][k] = x;
    }
    for (uint32_t q = N; q < COUNT; q++) target[nd][q] = evs_rng_below(&r, N);
    for (uint32_t q = 0; q < COUNT; q++)
      weight[nd][q] = (float)(rec[nd] == 0 ? 1.5e-3 * evs_rng_uniform(&r) - 3e-4
                                           : -3e-3 * evs_rng_uniform(&r));
    shared[nd] = rec[nd] == 0 ? 2e-4 + 8e-4 * evs_rng_uniform(&r)
                              : -5e-4 - 2.5e-3 * evs_rng_uniform(&r);
    nd++;
  }
  ck_assert_uint_lt(nd, MAX_D);
  uint64_t k = 1;
  for (size_t d = 0; d <= nd; d++) {
    double t = d < nd ? when[d] : t_end;
    for (; (double)k * pop->tick <= t && (double)k * pop->tick < t_end; k++)
      ck_assert_int_eq(T->tick(pop, (double)k * pop->tick), EVS_OK);
    if (d < nd)
      T->deliver(pop, when[d], rec[d], target[d], _i ? NULL : weight[d],
                 _i ? (float)shared[d] : 0, COUNT);
  }
  ck_assert_int_eq(T->tick(pop, t_end), EVS_OK);
  qsort(pop->spk, pop->nspk, sizeof *pop->spk, spike_order);

  int total = 0, multapse_spikes = 0;
  for (uint32_t j = 0; j < N; j++) {
    ref_neuron rn = {-0.052, 0, 0, -1};
    double spikes[200];
    int ns = 0, copies_max = 0;
    double t = 0;
    for (size_t d = 0; d < nd; d++) {
      ref_advance(&p, &rn, t, when[d], 2e-6, spikes, &ns);
      t = when[d];
      int copies = 0;
      for (uint32_t q = 0; q < COUNT; q++) {
        if (target[d][q] != j) continue;
        double w = _i ? (double)(float)shared[d] : (double)weight[d][q];
        if (rec[d] == 0)
          rn.xe += w;
        else
          rn.xi += w;
        copies++;
      }
      if (copies > copies_max) copies_max = copies;
    }
    ref_advance(&p, &rn, t, t_end, 2e-6, spikes, &ns);
    int m = expect_spikes(pop, j, spikes, ns);
    total += m;
    if (copies_max > 1) multapse_spikes += m;
  }
  ck_assert_int_gt(total, 2 * N); /* every neuron spikes, most of them often */
  ck_assert_int_gt(multapse_spikes, 50);
  drop(pop);
}
END_TEST

START_TEST(voltage_against_rk4) {
  /* Sampled membrane potential between random inputs, no spikes. */
  ref_par p = {0.01, 0.002, 0.004, -0.07, -0.07, 0.0, 0.001, 0};
  evs_pop *pop = make_ref_pop(&p, 1, -0.065);
  evs_rng r;
  evs_rng_init(&r, 12, 0, 0, EVS_RNG_TEST);
  ref_neuron rn = {-0.065, 0, 0, -1};
  double t = 0, spikes[4];
  int ns = 0;
  uint32_t j = 0;
  for (int i = 0; i < 300; i++) {
    double tn = t + evs_rng_exponential(&r) * 1e-3;
    ref_advance(&p, &rn, t, tn, 1e-6, spikes, &ns);
    ck_assert_double_eq_tol(T->voltage(pop, 0, tn), rn.v, 1e-12);
    float w = (float)(0.01 * (evs_rng_uniform(&r) - 0.4));
    int rec = evs_rng_uniform(&r) < 0.5;
    T->deliver(pop, tn, rec, &j, &w, 0, 1);
    if (rec == 0)
      rn.xe += w;
    else
      rn.xi += w;
    t = tn;
  }
  ck_assert_int_eq(ns, 0);
  drop(pop);
}
END_TEST

/* The next random input after time t: an exponential interval (20,000
 * inputs a second), a neuron of n, excitatory (receptor 0) with
 * probability 0.8, a weight up to 3 mV, down to -6 mV if inhibitory. */
static input next_input(evs_rng *r, double t, uint32_t n) {
  input in = {.t = t + evs_rng_exponential(r) / 20000.0};
  in.j = evs_rng_below(r, n);
  in.rec = evs_rng_uniform(r) < 0.8 ? 0 : 1;
  in.w = in.rec ? -0.006 * evs_rng_uniform(r) : 0.003 * evs_rng_uniform(r);
  return in;
}

START_TEST(voltages_equal_voltage) {
  /* Two copies of one population under the same random inputs, sampled at
   * every input's time before it arrives: the batch voltages() on one,
   * voltage() neuron by neuron on the other. Same potentials bit for bit,
   * same spikes. */
  const uint32_t N = 16;
  evs_pop *pop[2];
  for (int c = 0; c < 2; c++) {
    pop[c] = make_pop(N, 1e-4, "tau_m", 0.02, "tau_syn_E", 0.005, "tau_syn_I",
                      0.01, "v_rest", -0.049, "v_reset", -0.06, "v_thresh",
                      -0.05, "tau_refrac", 0.002, "v_init", -0.055, NULL);
    start(pop[c]);
  }
  evs_rng r;
  evs_rng_init(&r, 13, 0, 0, EVS_RNG_TEST);
  double v[16];
  uint64_t k = 1;
  for (double t = 0; t < 0.3;) {
    input in = next_input(&r, t, N);
    float w = (float)in.w;
    t = in.t;
    for (; (double)k * 1e-4 <= t; k++)
      for (int c = 0; c < 2; c++)
        ck_assert_int_eq(T->tick(pop[c], (double)k * 1e-4), EVS_OK);
    /* between window ends, where certificates may have ended */
    T->voltages(pop[0], t, v);
    for (uint32_t i = 0; i < N; i++) {
      double u = T->voltage(pop[1], i, t);
      ck_assert_msg(u == v[i], "t %g neuron %u: %.17g vs %.17g", t, i, v[i], u);
    }
    for (int c = 0; c < 2; c++)
      T->deliver(pop[c], t, in.rec, &in.j, &w, 0, 1);
  }
  ck_assert_uint_gt(pop[0]->nspk, 10);
  ck_assert_uint_eq(pop[0]->nspk, pop[1]->nspk);
  qsort(pop[0]->spk, pop[0]->nspk, sizeof *pop[0]->spk, spike_order);
  qsort(pop[1]->spk, pop[1]->nspk, sizeof *pop[1]->spk, spike_order);
  for (size_t q = 0; q < pop[0]->nspk; q++) {
    ck_assert(pop[0]->spk[q].t == pop[1]->spk[q].t);
    ck_assert_uint_eq(pop[0]->spk[q].id, pop[1]->spk[q].id);
  }
  drop(pop[0]);
  drop(pop[1]);
}
END_TEST

START_TEST(shared_memo_same_values) {
  /* Three populations sharing one memo of decay factors (evs_pop.memo, as
   * a thread's do), each input delivered to all three at its time: 0 and
   * 2 of equal rates (the memo's powers shared) until 2 is rebased midway
   * (its reference time differs: the key's h), 1 of other rates (the key's
   * base rate). Each against a copy without a memo under the same inputs:
   * the same potentials bit for bit and the same spikes. */
  const uint32_t N = 16;
  evs_pop *pop[3], *ref[3];
  evs_decay_memo memo = {.h = NAN};
  for (int c = 0; c < 6; c++) {
    double f = c % 3 == 1 ? 0.5 : 1; /* every time constant halved */
    evs_pop *p = make_pop(N, 1e-4, "tau_m", 0.02 * f, "tau_syn_E", 0.005 * f,
                          "tau_syn_I", 0.01 * f, "v_rest", -0.049, "v_reset",
                          -0.06, "v_thresh", -0.05, "tau_refrac", 0.002,
                          "v_init", -0.055, NULL);
    start(p);
    ck_assert(((lif_state *)p->state)->rates.pow2); /* the memo's case */
    if (c < 3) {
      p->memo = &memo;
      pop[c] = p;
    } else {
      ref[c - 3] = p;
    }
  }
  evs_rng r;
  evs_rng_init(&r, 17, 0, 0, EVS_RNG_TEST);
  uint64_t k = 1;
  int rebased = 0;
  for (double t = 0; t < 0.3;) {
    input in = next_input(&r, t, N);
    float w = (float)in.w;
    t = in.t;
    for (; (double)k * 1e-4 <= t; k++)
      for (int c = 0; c < 3; c++) {
        ck_assert_int_eq(T->tick(pop[c], (double)k * 1e-4), EVS_OK);
        ck_assert_int_eq(T->tick(ref[c], (double)k * 1e-4), EVS_OK);
      }
    if (!rebased && t > 0.15) {
      evs__lif_rebase(pop[2], t);
      evs__lif_rebase(ref[2], t);
      rebased = 1;
    }
    for (int c = 0; c < 3; c++) {
      T->deliver(pop[c], t, in.rec, &in.j, &w, 0, 1);
      T->deliver(ref[c], t, in.rec, &in.j, &w, 0, 1);
    }
  }
  for (int c = 0; c < 3; c++) {
    for (uint32_t i = 0; i < N; i++) {
      double u = T->voltage(pop[c], i, 0.3), v = T->voltage(ref[c], i, 0.3);
      ck_assert_msg(u == v, "population %d neuron %u: %.17g vs %.17g", c, i,
                    u, v);
    }
    ck_assert_uint_gt(pop[c]->nspk, 10);
    ck_assert_uint_eq(pop[c]->nspk, ref[c]->nspk);
    qsort(pop[c]->spk, pop[c]->nspk, sizeof *pop[c]->spk, spike_order);
    qsort(ref[c]->spk, ref[c]->nspk, sizeof *ref[c]->spk, spike_order);
    for (size_t q = 0; q < pop[c]->nspk; q++) {
      ck_assert(pop[c]->spk[q].t == ref[c]->spk[q].t);
      ck_assert_uint_eq(pop[c]->spk[q].id, ref[c]->spk[q].id);
    }
    drop(pop[c]);
    drop(ref[c]);
  }
}
END_TEST

START_TEST(refuses_equal_time_constants) {
  evs_pop *pop = make_pop(1, 1e-4, "tau_m", 0.01, "tau_syn_E", 0.01, NULL);
  evs_error err;
  ck_assert_int_eq(T->init(pop, &err), EVS_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "tau_syn_E"));
  drop(pop);
}
END_TEST

START_TEST(start_just_below_threshold) {
  /* Rest above threshold (D = v_rest - v_thresh > 0), start delta below it,
   * no input: u(t) = D - (D + delta) e^{-t/tau_m} crosses 0 at
   * tau_m ln(1 + delta/D). The leak-bound certificate at t = 0 is then a
   * logarithm of a number within 1e-6 of 1; it must not fall before t = 0. */
  double tau_m = 0.02, D = 1e-3;
  for (int i = 0; i < 6; i++) {
    double delta = 1e-12 * pow(10, i);
    evs_pop *pop = make_pop(1, 1e-4, "tau_m", tau_m, "v_rest", -0.05 + D,
                            "v_thresh", -0.05, "v_reset", -0.06, "tau_refrac",
                            0.5, "v_init", -0.05 - delta, NULL);
    start(pop);
    play(pop, NULL, 0, 0.01);
    ck_assert_uint_eq(pop->nspk, 1);
    double expect = tau_m * log1p(delta / D);
    ck_assert_msg(fabs(pop->spk[0].t - expect) < 1e-12,
                  "spike %.17g expected %.17g", pop->spk[0].t, expect);
    drop(pop);
  }
}
END_TEST

static Suite *lif_suite(void) {
  Suite *s = suite_create("lif");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, single_psp_closed_form);
  tcase_add_test(tc, crossing_time_closed_form);
  tcase_add_test(tc, dc_driven_interspike_interval);
  tcase_add_loop_test(tc, random_inputs_against_rk4, 0, 2);
  tcase_add_loop_test(tc, wide_deliveries_against_rk4, 0, 2);
  tcase_add_test(tc, voltage_against_rk4);
  tcase_add_test(tc, voltages_equal_voltage);
  tcase_add_test(tc, shared_memo_same_values);
  tcase_add_test(tc, refuses_equal_time_constants);
  tcase_add_test(tc, start_just_below_threshold);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(lif_suite()); }
