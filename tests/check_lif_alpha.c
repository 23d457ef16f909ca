/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the exact IF_curr_alpha population (lif_alpha.c), driven through
 * its type table as the scheduler would drive it, and of its crossing search
 * (polyexp.c): against the alpha current's definition, the DC-driven
 * interspike interval in closed form, a brute-force fine-step RK4
 * integration of (v, x_E, y_E, x_I, y_I) with inputs, and a dense scan for
 * first roots. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/net_impl.h"
#include "neurons/types.h"
#include "neurons/polyexp.h"
#include "check_util.h"

#define EULER_E 2.71828182845904523536

static const evs_neuron_type *T = &evs__if_curr_alpha;

/* A population of n neurons with default parameters, then name=value
 * overrides (SI), terminated by NULL; windows of 0.1 ms. */
static evs_pop *make_pop(uint32_t n, ...) {
  evs_pop *pop = calloc(1, sizeof *pop);
  pop->type = T;
  pop->size = n;
  pop->tick = 1e-4;
  pop->resolution = 1e-4;
  pop->seed = 7;
  pop->par = calloc(T->n_params, sizeof *pop->par);
  pop->dist = calloc(T->n_params, sizeof *pop->dist);
  for (size_t k = 0; k < T->n_params; k++) pop->par[k] = T->params[k].def;
  va_list ap;
  va_start(ap, n);
  const char *name;
  while ((name = va_arg(ap, const char *))) {
    int k = evs__param_index(T, name);
    ck_assert_msg(k >= 0, "no parameter %s", name);
    pop->par[k] = va_arg(ap, double);
  }
  va_end(ap);
  for (size_t k = 0; k < T->n_params; k++)
    pop->dist[k] = evs_dist_const(pop->par[k]);
  evs_error err;
  ck_assert_msg(T->init(pop, &err) == EVS_OK, "%s", err.msg);
  return pop;
}

static void drop(evs_pop *pop) {
  T->destroy(pop);
  free(pop->par);
  free(pop->dist);
  free(pop->spk);
  free(pop);
}

static int spike_order(const void *a, const void *b) {
  const evs_spike *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

typedef struct input {
  double t;
  uint32_t j;
  int rec;
  float w;
} input;

/* Plays sorted inputs as the scheduler does: every window that closes at or
 * before an input's time closes first; the last one at t_end. */
static void play(evs_pop *pop, const input *in, size_t n, double t_end) {
  uint64_t k = 1;
  for (size_t i = 0; i <= n; i++) {
    double t = i < n ? in[i].t : t_end;
    while ((double)k * pop->tick <= t && (double)k * pop->tick < t_end) {
      ck_assert_int_eq(T->tick(pop, (double)k * pop->tick), EVS_OK);
      k++;
    }
    if (i < n) T->deliver(pop, in[i].t, in[i].rec, &in[i].j, &in[i].w, 0, 1);
  }
  ck_assert_int_eq(T->tick(pop, t_end), EVS_OK);
  qsort(pop->spk, pop->nspk, sizeof *pop->spk, spike_order);
}

/* ---- the reference: RK4 on v and each receptor's (x, y) pair,
 * dx/dt = -x/tau + y, dy/dt = -y/tau, an input w adding w e/tau to y (so
 * x = w (e/tau) s e^{-s/tau}); x in volts (R I) as inputs are given. */
typedef struct ref_par {
  double tau_m, tau[2], v_rest, v_reset, v_thresh, tau_ref, drive;
} ref_par;

typedef struct ref_neuron {
  double y[5]; /* v, x_E, y_E, x_I, y_I */
  double ref_until;
} ref_neuron;

static void deriv(const ref_par *p, const double *y, int refr, double *dy) {
  dy[0] = refr ? 0 : (-(y[0] - p->v_rest) + y[1] + y[3] + p->drive) / p->tau_m;
  for (int r = 0; r < 2; r++) {
    dy[1 + 2 * r] = -y[1 + 2 * r] / p->tau[r] + y[2 + 2 * r];
    dy[2 + 2 * r] = -y[2 + 2 * r] / p->tau[r];
  }
}

static void rk4(const ref_par *p, double *y, double h, int refr) {
  double k1[5], k2[5], k3[5], k4[5], t[5];
  deriv(p, y, refr, k1);
  for (int i = 0; i < 5; i++) t[i] = y[i] + 0.5 * h * k1[i];
  deriv(p, t, refr, k2);
  for (int i = 0; i < 5; i++) t[i] = y[i] + 0.5 * h * k2[i];
  deriv(p, t, refr, k3);
  for (int i = 0; i < 5; i++) t[i] = y[i] + h * k3[i];
  deriv(p, t, refr, k4);
  for (int i = 0; i < 5; i++)
    y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

/* Integrates from t to t_next in steps of at most dt (no input between),
 * appending spikes, located by bisection on the step. */
static void ref_advance(const ref_par *p, ref_neuron *n, double t,
                        double t_next, double dt, double *spikes, int *ns) {
  while (t < t_next) {
    int refr = t < n->ref_until;
    double h = fmin(dt, t_next - t);
    if (refr) h = fmin(h, n->ref_until - t);
    double y[5];
    memcpy(y, n->y, sizeof y);
    rk4(p, y, h, refr);
    if (!refr && y[0] >= p->v_thresh) {
      double lo = 0, hi = h, z[5];
      for (int it = 0; it < 80; it++) {
        double mid = 0.5 * (lo + hi);
        memcpy(z, n->y, sizeof z);
        rk4(p, z, mid, 0);
        if (z[0] >= p->v_thresh)
          hi = mid;
        else
          lo = mid;
      }
      memcpy(z, n->y, sizeof z);
      rk4(p, z, hi, 0);
      spikes[(*ns)++] = t + hi;
      memcpy(n->y, z, sizeof z);
      n->y[0] = p->v_reset;
      n->ref_until = t + hi + p->tau_ref;
      t += hi;
      continue;
    }
    if (refr) y[0] = p->v_reset;
    memcpy(n->y, y, sizeof y);
    t += h;
  }
}

static void ref_input(const ref_par *p, ref_neuron *n, int rec, double w) {
  n->y[2 + 2 * rec] += w * EULER_E / p->tau[rec];
}

START_TEST(alpha_current_definition) {
  /* The recorded synaptic current of one input of weight w (A) at t1 is
   * w (e/tau) s e^{-s/tau}: w itself at the peak s = tau; two inputs add. */
  double tau_e = 2e-3, tau_i = 5e-3;
  evs_pop *pop = make_pop(1, "tau_syn_E", tau_e, "tau_syn_I", tau_i, NULL);
  double r_m = pop->par[1] / pop->par[0];
  double w = 0.5e-9, t1 = 0.0123, t2 = 0.0171;
  uint32_t j = 0;
  float fe = (float)(w * r_m), fi = (float)(-2 * w * r_m);
  T->deliver(pop, t1, EVS_RECEPTOR_EXC, &j, &fe, 0, 1);
  T->deliver(pop, t2, EVS_RECEPTOR_INH, &j, &fi, 0, 1);
  double we = fe / r_m, wi = fi / r_m;
  for (double t = t2; t < 0.3; t += 0.77e-3) {
    double se = t - t1, si = t - t2;
    double ie = we * EULER_E / tau_e * se * exp(-se / tau_e);
    double ii = wi * EULER_E / tau_i * si * exp(-si / tau_i);
    ck_assert_double_eq_tol(T->state(pop, 0, t, 0), ie, 1e-12 * w);
    ck_assert_double_eq_tol(T->state(pop, 0, t, 1), ii, 1e-12 * w);
    if (fmod(t, 0.01) < 1e-3) T->tick(pop, t); /* rebases on the way */
  }
  ck_assert_double_eq_tol(T->state(pop, 0, t1 + tau_e, 0), we, 1e-12 * w);
  drop(pop);
}
END_TEST

START_TEST(dc_interspike_interval) {
  /* i_offset alone: v relaxes to v_inf = v_rest + R i_offset, so the
   * spikes come at tau_m ln((v_inf - v0)/(v_inf - v_thresh)) and then every
   * tau_ref + tau_m ln((v_inf - v_reset)/(v_inf - v_thresh)). */
  double tau_m = 0.02, cm = 0.25e-9, i_off = 1.0e-9, tau_ref = 2e-3;
  double v_rest = -0.065, v_reset = -0.07, v_thresh = -0.05, v0 = -0.06;
  evs_pop *pop = make_pop(1, "tau_m", tau_m, "cm", cm, "i_offset", i_off,
                          "tau_refrac", tau_ref, "v_rest", v_rest, "v_reset",
                          v_reset, "v_thresh", v_thresh, "v_init", v0, NULL);
  play(pop, NULL, 0, 0.5);
  double v_inf = v_rest + tau_m / cm * i_off;
  double first = tau_m * log((v_inf - v0) / (v_inf - v_thresh));
  double isi = tau_ref + tau_m * log((v_inf - v_reset) / (v_inf - v_thresh));
  int n = (int)floor((0.5 - first) / isi) + 1;
  ck_assert_uint_eq(pop->nspk, (size_t)n);
  for (int k = 0; k < n; k++)
    ck_assert_double_eq_tol(pop->spk[k].t, first + k * isi, 1e-12);
  drop(pop);
}
END_TEST

START_TEST(psp_against_rk4) {
  /* Below threshold, v after an excitatory and an inhibitory input follows
   * the RK4 reference to 1e-12 V at every sample. */
  ref_par p = {0.01, {0.5e-3, 3e-3}, -0.07, -0.07, -0.05, 1e-3, 0};
  evs_pop *pop =
      make_pop(1, "tau_m", p.tau_m, "tau_syn_E", p.tau[0], "tau_syn_I",
               p.tau[1], "v_rest", p.v_rest, "v_reset", p.v_reset, "v_thresh",
               p.v_thresh, "v_init", -0.068, NULL);
  ref_neuron rn = {{-0.068, 0, 0, 0, 0}, -1};
  double spikes[4];
  int ns = 0;
  uint32_t j = 0;
  float we = 0.012f, wi = -0.004f;
  double t = 0, t_e = 0.0021, t_i = 0.0047;
  ref_advance(&p, &rn, t, t_e, 1e-7, spikes, &ns);
  T->deliver(pop, t_e, 0, &j, &we, 0, 1);
  ref_input(&p, &rn, 0, we);
  ref_advance(&p, &rn, t_e, t_i, 1e-7, spikes, &ns);
  T->deliver(pop, t_i, 1, &j, &wi, 0, 1);
  ref_input(&p, &rn, 1, wi);
  t = t_i;
  for (int k = 1; k <= 60; k++) {
    double tn = t_i + k * 0.37e-3;
    ref_advance(&p, &rn, t, tn, 1e-7, spikes, &ns);
    t = tn;
    ck_assert_double_eq_tol(T->voltage(pop, 0, t), rn.y[0], 1e-12);
  }
  ck_assert_int_eq(ns, 0);
  ck_assert_uint_eq(pop->nspk, 0);
  drop(pop);
}
END_TEST

START_TEST(random_inputs_against_rk4) {
  /* Poisson excitation and inhibition onto 4 neurons for 1 s (many rebases
   * of the reference time), spikes compared one by one within 1e-9 s. */
  const uint32_t N = 4;
  const double t_end = 1.0;
  ref_par p = {0.02, {2e-3, 5e-3}, -0.049, -0.06, -0.05, 5e-3, 0};
  evs_pop *pop =
      make_pop(N, "tau_m", p.tau_m, "tau_syn_E", p.tau[0], "tau_syn_I",
               p.tau[1], "v_rest", p.v_rest, "v_reset", p.v_reset, "v_thresh",
               p.v_thresh, "tau_refrac", p.tau_ref, "v_init", -0.058, NULL);
  evs_rng r;
  evs_rng_init(&r, 11, 0, 0, EVS_RNG_TEST);
  size_t n = 0, cap = 3000;
  input *in = malloc(cap * sizeof *in);
  for (double t = 0; n < cap;) {
    t += evs_rng_exponential(&r) / 2000.0;
    if (t >= t_end) break;
    int exc = evs_rng_uniform(&r) < 0.8;
    double w =
        exc ? 0.004 * 2 * evs_rng_uniform(&r) : -0.01 * evs_rng_uniform(&r);
    in[n++] = (input){t, evs_rng_below(&r, N), exc ? 0 : 1, (float)w};
  }
  play(pop, in, n, t_end);
  int total = 0;
  for (uint32_t j = 0; j < N; j++) {
    ref_neuron rn = {{-0.058, 0, 0, 0, 0}, -1};
    double spikes[2000];
    int ns = 0;
    double t = 0;
    for (size_t i = 0; i < n; i++) {
      if (in[i].j != j) continue;
      ref_advance(&p, &rn, t, in[i].t, 2e-6, spikes, &ns);
      t = in[i].t;
      ref_input(&p, &rn, in[i].rec, in[i].w);
    }
    ref_advance(&p, &rn, t, t_end, 2e-6, spikes, &ns);
    int k = 0;
    for (size_t q = 0; q < pop->nspk; q++) {
      if (pop->spk[q].id != j) continue;
      ck_assert_msg(k < ns, "neuron %u: extra spike at %.12g", j,
                    pop->spk[q].t);
      ck_assert_msg(fabs(pop->spk[q].t - spikes[k]) < 1e-9,
                    "neuron %u spike %d: %.15g vs reference %.15g", j, k,
                    pop->spk[q].t, spikes[k]);
      k++;
    }
    ck_assert_msg(k == ns, "neuron %u: %d spikes, reference %d", j, k, ns);
    total += ns;
  }
  ck_assert_int_gt(total, 20);
  free(in);
  drop(pop);
}
END_TEST

START_TEST(inject_step_against_closed_form) {
  /* A step of current at t1 onto a neuron at rest: v - v_rest =
   * R di (1 - e^{-(t - t1)/tau_m}), continuous at t1. */
  evs_pop *pop = make_pop(1, "v_init", -0.065, NULL);
  double r_m = pop->par[1] / pop->par[0], di = 0.2e-9, t1 = 0.004;
  ck_assert_int_eq(T->tick(pop, 1e-4), EVS_OK);
  T->inject(pop, 0, t1, r_m * di);
  for (double t = t1; t < 0.1; t += 1.3e-3)
    ck_assert_double_eq_tol(T->voltage(pop, 0, t),
                            -0.065 + r_m * di * (1 - exp(-(t - t1) / 0.02)),
                            1e-14);
  drop(pop);
}
END_TEST

/* The first root of g in [0, horizon) by a dense scan and bisection
 * (assumes no two roots closer than the scan step). */
static double scan_first_root(const evs_polyexp *g, double horizon) {
  double step = 1e-6, prev = evs__polyexp_eval(g, 0);
  if (prev >= 0) return 0;
  for (double h = step; h < horizon; h += step) {
    double v = evs__polyexp_eval(g, h);
    if (v >= 0) {
      double lo = h - step, hi = h;
      for (int it = 0; it < 60; it++) {
        double mid = 0.5 * (lo + hi);
        if (evs__polyexp_eval(g, mid) >= 0)
          hi = mid;
        else
          lo = mid;
      }
      return hi;
    }
  }
  return INFINITY;
}

START_TEST(polyexp_first_root_against_scan) {
  /* Random sums of a leak and two alpha terms: the search finds the scan's
   * first root (within 1e-10 s) or proves none before the horizon. */
  evs_rng r;
  evs_rng_init(&r, 5, 0, 0, EVS_RNG_TEST);
  int found = 0, none = 0;
  for (int it = 0; it < 300; it++) {
    evs_polyexp g = {.n = 3, .d = -0.01 + 0.012 * evs_rng_uniform(&r)};
    g.r[0] = 50, g.r[1] = 500, g.r[2] = 200;
    g.a[0] = -0.01 * evs_rng_uniform(&r);
    g.b[0] = 0;
    for (int k = 1; k < 3; k++) {
      g.a[k] = 0.02 * (evs_rng_uniform(&r) - 0.5);
      g.b[k] = 40 * (evs_rng_uniform(&r) - 0.3);
    }
    if (evs__polyexp_eval(&g, 0) >= 0) continue;
    double ref = scan_first_root(&g, 0.1), h;
    int got = evs__polyexp_first_root(&g, 0.1, 1e-13, &h);
    if (isinf(ref)) {
      ck_assert_msg(!got, "case %d: root %.15g, scan none", it, h);
      ck_assert(h >= 0.1);
      none++;
    } else {
      ck_assert_msg(got, "case %d: none, scan %.15g", it, ref);
      ck_assert_msg(fabs(h - ref) < 1e-10, "case %d: %.15g vs scan %.15g", it,
                    h, ref);
      found++;
    }
  }
  ck_assert_int_gt(found, 30);
  ck_assert_int_gt(none, 30);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("lif_alpha");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, alpha_current_definition);
  tcase_add_test(tc, dc_interspike_interval);
  tcase_add_test(tc, psp_against_rk4);
  tcase_add_test(tc, random_inputs_against_rk4);
  tcase_add_test(tc, inject_step_against_closed_form);
  tcase_add_test(tc, polyexp_first_root_against_scan);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(suite()); }
