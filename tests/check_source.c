/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of source.c: Poisson statistics (counts, Fano factor, exponential
 * intervals by Kolmogorov-Smirnov, independence), start/stop, seeds, tick
 * boundaries; frozen patterns; spike files and their error messages.
 * Tolerances are 5 standard errors unless stated. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/net_impl.h"
#include "neurons/types.h"
#include "check_util.h"

/* ---- a population built by hand ------------------------------------------ */

static evs_pop *pop_new(const evs_neuron_type *T, uint32_t n, double tick,
                        uint64_t seed, uint32_t index) {
  evs_pop *p = calloc(1, sizeof *p);
  ck_assert_ptr_nonnull(p);
  snprintf(p->name, sizeof p->name, "inputs");
  p->type = T;
  p->size = n;
  p->index = index;
  p->seed = seed;
  p->tick = tick;
  p->resolution = 1e-4;
  p->par = malloc(T->n_params * sizeof *p->par);
  p->dist = malloc(T->n_params * sizeof *p->dist);
  p->path = calloc(T->n_params, sizeof *p->path);
  for (size_t k = 0; k < T->n_params; k++) {
    p->par[k] =
        (T->params[k].flags & EVS_PARAM_REQUIRED) ? NAN : T->params[k].def;
    p->dist[k] = evs_dist_const(p->par[k]);
  }
  return p;
}

static void pop_set(evs_pop *p, const char *name, double v) {
  int k = evs__param_index(p->type, name);
  ck_assert_msg(k >= 0, "no parameter %s", name);
  p->par[k] = v;
  p->dist[k] = evs_dist_const(v);
}

static void pop_path(evs_pop *p, const char *path) {
  int k = evs__param_index(p->type, "file");
  ck_assert_int_ge(k, 0);
  free(p->path[k]);
  p->path[k] = strdup(path);
}

static int pop_try_init(evs_pop *p, evs_error *err) {
  evs_error_clear(err);
  return p->type->init(p, err);
}

static void pop_init(evs_pop *p) {
  evs_error err;
  int rc = pop_try_init(p, &err);
  ck_assert_msg(rc == EVS_OK, "init: %s", err.msg);
}

static void pop_free(evs_pop *p) {
  p->type->destroy(p);
  ck_assert_ptr_null(p->state);
  for (size_t k = 0; k < p->type->n_params; k++) free(p->path[k]);
  free(p->par);
  free(p->dist);
  free(p->path);
  free(p->spk);
  free(p);
}

typedef struct train {
  evs_spike *s;
  size_t n, cap;
} train;

/* Runs ticks at 0, tick, 2 tick, ... while < T; checks that every spike of
 * the tick at t lies in [t, t + tick); returns all spikes in emission order. */
static train run(evs_pop *p, double T) {
  train tr = {0};
  for (long k = 0; k * p->tick < T; k++) {
    double t = k * p->tick;
    p->nspk = 0;
    ck_assert_int_eq(p->type->tick(p, t), EVS_OK);
    for (size_t j = 0; j < p->nspk; j++) {
      ck_assert_msg(p->spk[j].t >= t && p->spk[j].t < t + p->tick,
                    "spike at %.17g emitted by the tick at %.17g", p->spk[j].t,
                    t);
      ck_assert_uint_lt(p->spk[j].id, p->size);
      if (tr.n == tr.cap) {
        tr.cap = tr.cap ? 2 * tr.cap : 1024;
        tr.s = realloc(tr.s, tr.cap * sizeof *tr.s);
      }
      tr.s[tr.n++] = p->spk[j];
    }
  }
  return tr;
}

static int spike_cmp(const void *a, const void *b) {
  const evs_spike *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static int same_trains(train a, train b) {
  if (a.n != b.n) return 0;
  for (size_t i = 0; i < a.n; i++)
    if (a.s[i].t != b.s[i].t || a.s[i].id != b.s[i].id) return 0;
  return 1;
}

static int dbl_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* ---- descriptors -----------------------------------------------------------
 */

START_TEST(test_descriptors) {
  const evs_neuron_type *T[3] = {&evs__source_poisson, &evs__source_frozen,
                                 &evs__source_array};
  const char *names[3] = {"SpikeSourcePoisson", "SpikeSourceFrozenPoisson",
                          "SpikeSourceArray"};
  for (int i = 0; i < 3; i++) {
    ck_assert_str_eq(T[i]->name, names[i]);
    ck_assert_int_eq(T[i]->kind, EVS_POP_SOURCE);
    ck_assert_ptr_null(T[i]->deliver);
    ck_assert_ptr_null(T[i]->voltage);
    evs_pop *p = pop_new(T[i], 1, 1e-3, 1, 0);
    for (int d = 0; d < EVS_DIM_COUNT_; d++)
      ck_assert(T[i]->weight_scale(p, (evs_dim)d) == 0);
    pop_free(p);
  }
  int k = evs__param_index(&evs__source_array, "file");
  ck_assert(evs__source_array.params[k].flags & EVS_PARAM_PATH);
  k = evs__param_index(&evs__source_frozen, "period");
  ck_assert(evs__source_frozen.params[k].flags & EVS_PARAM_REQUIRED);
  ck_assert(
      evs__source_poisson.params[evs__param_index(&evs__source_poisson, "rate")]
          .def == 1.0);
}
END_TEST

/* ---- Poisson ----------------------------------------------------------------
 */

START_TEST(test_poisson_statistics) {
  const uint32_t N = 200;
  const double rate = 20, T = 50, tick = 1e-3;
  evs_pop *p = pop_new(&evs__source_poisson, N, tick, 11, 2);
  pop_set(p, "rate", rate);
  pop_init(p);
  train tr = run(p, T);
  double *count = calloc(N, sizeof *count), *last = malloc(N * sizeof *last);
  double *isi = malloc(tr.n * sizeof *isi);
  const int nbin = 500; /* 100 ms bins for correlations */
  int *bins = calloc((size_t)N * nbin, sizeof *bins);
  size_t nisi = 0;
  for (uint32_t i = 0; i < N; i++) last[i] = -1;
  for (size_t j = 0; j < tr.n; j++) {
    uint32_t i = tr.s[j].id;
    double t = tr.s[j].t;
    ck_assert(t >= 0 && t < T);
    count[i]++;
    if (last[i] >= 0) {
      ck_assert(t > last[i]); /* in time order per neuron: no duplicate */
      isi[nisi++] = (t - last[i]) * rate;
    }
    last[i] = t;
    bins[(size_t)i * nbin + (int)(t / 0.1)]++;
  }
  /* counts: mean over neurons, SE sqrt(rate T / N) */
  double m = 0, v = 0;
  for (uint32_t i = 0; i < N; i++) m += count[i] / N;
  for (uint32_t i = 0; i < N; i++)
    v += (count[i] - m) * (count[i] - m) / (N - 1);
  ck_assert_msg(fabs(m - rate * T) < 5 * sqrt(rate * T / N), "mean %g", m);
  /* Fano factor: sd of a sample variance ratio ~ sqrt(2 / (N - 1)) */
  double fano = v / m;
  ck_assert_msg(fabs(fano - 1) < 5 * sqrt(2.0 / (N - 1)), "Fano %g", fano);
  /* intervals: KS against Exp(1); 0.1% critical value 1.949 / sqrt(n) */
  qsort(isi, nisi, sizeof *isi, dbl_cmp);
  double D = 0;
  for (size_t j = 0; j < nisi; j++) {
    double F = 1 - exp(-isi[j]);
    D = fmax(
        D, fmax(fabs(F - (double)j / nisi), fabs((double)(j + 1) / nisi - F)));
  }
  ck_assert_msg(D < 1.949 / sqrt((double)nisi), "KS D = %g (n = %zu)", D, nisi);
  /* independence: correlation of binned counts of neighbours; each r has
   * sd 1/sqrt(nbin), their mean 1/sqrt(nbin (N-1)) */
  double rsum = 0;
  for (uint32_t i = 0; i + 1 < N; i++) {
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    const int *a = bins + (size_t)i * nbin, *b = a + nbin;
    for (int k = 0; k < nbin; k++) ma += a[k], mb += b[k];
    ma /= nbin;
    mb /= nbin;
    for (int k = 0; k < nbin; k++) {
      sab += (a[k] - ma) * (b[k] - mb);
      saa += (a[k] - ma) * (a[k] - ma);
      sbb += (b[k] - mb) * (b[k] - mb);
    }
    double r = sab / sqrt(saa * sbb);
    ck_assert_msg(fabs(r) < 5 / sqrt((double)nbin), "r(%u, %u) = %g", i, i + 1,
                  r);
    rsum += r;
  }
  ck_assert_msg(fabs(rsum / (N - 1)) < 5 / sqrt((double)nbin * (N - 1)),
                "mean r %g", rsum / (N - 1));
  free(count);
  free(last);
  free(isi);
  free(bins);
  free(tr.s);
  pop_free(p);
}
END_TEST

START_TEST(test_poisson_start_stop) {
  const uint32_t N = 100;
  const double rate = 100, start = 0.2, stop = 0.7;
  evs_pop *p = pop_new(&evs__source_poisson, N, 1e-3, 5, 0);
  pop_set(p, "rate", rate);
  pop_set(p, "start", start);
  pop_set(p, "stop", stop);
  pop_init(p);
  train tr = run(p, 1.0);
  for (size_t j = 0; j < tr.n; j++)
    ck_assert(tr.s[j].t >= start && tr.s[j].t < stop);
  double expect = N * rate * (stop - start);
  ck_assert_msg(fabs(tr.n - expect) < 5 * sqrt(expect), "%zu spikes", tr.n);
  free(tr.s);
  pop_free(p);
  /* rate 0 and stop == start: silent */
  p = pop_new(&evs__source_poisson, N, 1e-3, 5, 0);
  pop_set(p, "rate", 0);
  pop_init(p);
  tr = run(p, 0.5);
  ck_assert_uint_eq(tr.n, 0);
  free(tr.s);
  pop_free(p);
  /* invalid values */
  evs_error err;
  p = pop_new(&evs__source_poisson, N, 1e-3, 5, 0);
  pop_set(p, "stop", 0.1);
  pop_set(p, "start", 0.2);
  ck_assert_int_lt(pop_try_init(p, &err), 0);
  ck_assert(strstr(err.msg, "inputs") && strstr(err.msg, "stop"));
  pop_free(p);
  p = pop_new(&evs__source_poisson, N, 1e-3, 5, 0);
  pop_set(p, "rate", -1);
  ck_assert_int_lt(pop_try_init(p, &err), 0);
  ck_assert(strstr(err.msg, "rate"));
  pop_free(p);
}
END_TEST

static train poisson_train(uint64_t seed, uint32_t index, double tick) {
  evs_pop *p = pop_new(&evs__source_poisson, 50, tick, seed, index);
  pop_set(p, "rate", 40);
  pop_init(p);
  train tr = run(p, 2.0);
  pop_free(p);
  qsort(tr.s, tr.n, sizeof *tr.s, spike_cmp);
  while (tr.n > 0 && tr.s[tr.n - 1].t >= 2.0) tr.n--; /* the last tick's */
  return tr;
}

START_TEST(test_poisson_seeds_and_ticks) {
  train a = poisson_train(1, 0, 1e-3);
  train b = poisson_train(1, 0, 1e-3);
  train c = poisson_train(2, 0, 1e-3);
  train d = poisson_train(1, 1, 1e-3);
  /* one huge tick, and an odd tick that does not divide the run */
  train e = poisson_train(1, 0, 4.0);
  train f = poisson_train(1, 0, 0.7e-3);
  ck_assert(a.n > 0);
  ck_assert(same_trains(a, b));
  ck_assert(!same_trains(a, c));
  ck_assert(!same_trains(a, d));
  ck_assert(same_trains(a, e)); /* no spike lost or doubled at tick edges */
  ck_assert(same_trains(a, f));
  /* the documented streams: neuron i's spikes are the partial sums of
   * exponential intervals from (seed, population, i, EVS_RNG_INPUT) */
  for (uint32_t i = 0; i < 50; i++) {
    evs_rng r;
    evs_rng_init(&r, 1, 0, i, EVS_RNG_INPUT);
    double t = evs_rng_exponential(&r) / 40;
    for (size_t j = 0; j < a.n; j++) {
      if (a.s[j].id != i) continue;
      ck_assert(fabs(a.s[j].t - t) < 1e-12);
      t += evs_rng_exponential(&r) / 40;
    }
    ck_assert(t >= 2.0);
  }
  free(a.s);
  free(b.s);
  free(c.s);
  free(d.s);
  free(e.s);
  free(f.s);
}
END_TEST

/* ---- frozen Poisson
 * ------------------------------------------------------------ */

/* Runs p (6 Poisson sources, seed 5, index 2) for 2 s: each neuron's spikes
 * are the replay of its intervals (seed, population, i, EVS_RNG_INPUT)
 * times 1 / rate[i], and none follows in the run. */
static void expect_replay(evs_pop *p, const double rate[6]) {
  pop_init(p);
  train tr = run(p, 2.0);
  for (uint32_t i = 0; i < 6; i++) {
    evs_rng r;
    evs_rng_init(&r, 5, 2, i, EVS_RNG_INPUT);
    double t = 0;
    size_t seen = 0;
    for (size_t q = 0; q < tr.n; q++) {
      if (tr.s[q].id != i) continue;
      t += evs_rng_exponential(&r) * (1.0 / rate[i]);
      ck_assert_msg(tr.s[q].t == t, "neuron %u spike %zu at %.17g, not %.17g",
                    i, seen, tr.s[q].t, t);
      seen++;
    }
    if (rate[i] > 0) {
      ck_assert_uint_gt(seen, 3);
      ck_assert(t + evs_rng_exponential(&r) * (1.0 / rate[i]) >= 2.0);
    } else {
      ck_assert_uint_eq(seen, 0);
    }
  }
  free(tr.s);
}

START_TEST(test_poisson_rates_per_neuron) {
  /* rates drawn per neuron (uniform 5-50 Hz) from the neuron's stream
   * (seed, population, i, EVS_RNG_INIT); then set per neuron, neuron 3's
   * 0 */
  evs_pop *p = pop_new(&evs__source_poisson, 6, 1e-3, 5, 2);
  int k = evs__param_index(p->type, "rate");
  ck_assert(p->type->params[k].flags & EVS_PARAM_PER_NEURON);
  p->dist[k] = (evs_dist){EVS_DIST_UNIFORM, {5, 50, 0, 0}};
  p->par[k] = 27.5;
  double rate[6];
  for (uint32_t i = 0; i < 6; i++) {
    evs_rng r;
    evs_rng_init(&r, 5, 2, i, EVS_RNG_INIT);
    rate[i] = evs_dist_draw(&p->dist[k], &r);
  }
  expect_replay(p, rate);
  p->type->destroy(p);
  rate[3] = 0;
  double *values[3] = {rate, NULL, NULL};
  p->values = values;
  expect_replay(p, rate);
  p->values = NULL;
  pop_free(p);
}
END_TEST

START_TEST(test_frozen) {
  const uint32_t N = 400;
  const double rate = 10, period = 0.5;
  const int cycles = 8;
  evs_pop *p = pop_new(&evs__source_frozen, N, 1e-3, 9, 1);
  pop_set(p, "rate", rate);
  pop_set(p, "period", period);
  pop_init(p);
  train tr = run(p, cycles * period);
  qsort(tr.s, tr.n, sizeof *tr.s, spike_cmp);
  ck_assert_uint_eq(tr.n % cycles, 0);
  size_t per = tr.n / cycles;
  double expect = N * rate * period;
  ck_assert_msg(fabs(per - expect) < 5 * sqrt(expect), "%zu per cycle", per);
  for (size_t j = 0; j < per; j++) {
    ck_assert(tr.s[j].t >= 0 && tr.s[j].t < period);
    for (int k = 1; k < cycles; k++) {
      const evs_spike *s = &tr.s[k * per + j];
      ck_assert_uint_eq(s->id, tr.s[j].id);
      ck_assert_msg(fabs(s->t - k * period - tr.s[j].t) < 1e-14,
                    "cycle %d: %.17g vs %.17g", k, s->t, tr.s[j].t);
    }
  }
  free(tr.s);
  pop_free(p);
  /* the period is required and must be > 0 */
  evs_error err;
  p = pop_new(&evs__source_frozen, N, 1e-3, 9, 1);
  ck_assert_int_lt(pop_try_init(p, &err), 0);
  ck_assert(strstr(err.msg, "period") && strstr(err.msg, "inputs"));
  pop_free(p);
  p = pop_new(&evs__source_frozen, N, 1e-3, 9, 1);
  pop_set(p, "period", 0);
  ck_assert_int_lt(pop_try_init(p, &err), 0);
  pop_free(p);
}
END_TEST

/* ---- spike arrays
 * ------------------------------------------------------------ */

static char datafile[4096];

static const char *input_ras(void) {
  const char *dir = getenv("TESTDATA");
  snprintf(datafile, sizeof datafile, "%s/input.ras", dir ? dir : "tests/data");
  return datafile;
}

/* tests/data/input.ras, sorted by (time, id) */
static const evs_spike input_sorted[] = {
    {0.000, 0}, {0.0125, 0}, {0.0125, 1}, {0.020, 3},
    {0.031, 1}, {0.0505, 2}, {0.075, 3},  {0.099, 0},
};
#define N_INPUT (sizeof input_sorted / sizeof input_sorted[0])

START_TEST(test_array_once) {
  evs_pop *p = pop_new(&evs__source_array, 4, 1e-3, 1, 0);
  pop_path(p, input_ras());
  pop_init(p);
  train tr = run(p, 0.3);
  qsort(tr.s, tr.n, sizeof *tr.s, spike_cmp);
  ck_assert_uint_eq(tr.n, N_INPUT);
  for (size_t j = 0; j < N_INPUT; j++) {
    ck_assert(tr.s[j].t == input_sorted[j].t);
    ck_assert_uint_eq(tr.s[j].id, input_sorted[j].id);
  }
  free(tr.s);
  pop_free(p);
}
END_TEST

START_TEST(test_array_period) {
  const double period = 0.1;
  evs_pop *p = pop_new(&evs__source_array, 4, 1e-3, 1, 0);
  pop_path(p, input_ras());
  pop_set(p, "period", period);
  pop_init(p);
  train tr = run(p, 0.35);
  qsort(tr.s, tr.n, sizeof *tr.s, spike_cmp);
  size_t j = 0;
  for (int k = 0; k < 4; k++)
    for (size_t i = 0; i < N_INPUT; i++) {
      double t = k * period + input_sorted[i].t;
      if (t >= 0.35) continue;
      ck_assert_uint_lt(j, tr.n);
      ck_assert_msg(fabs(tr.s[j].t - t) < 1e-15, "%g vs %g", tr.s[j].t, t);
      ck_assert_uint_eq(tr.s[j].id, input_sorted[i].id);
      j++;
    }
  ck_assert_uint_eq(j, tr.n);
  ck_assert_uint_eq(tr.n, 3 * N_INPUT + 5); /* + those before 0.05 s */
  free(tr.s);
  pop_free(p);
}
END_TEST

/* init on a file with text must fail with "path:line: " and word. */
static void expect_file_error(const char *text, double period, int line,
                              const char *word) {
  char path[256], prefix[300];
  tu_write_tmp(path, sizeof path, "check_source", text);
  evs_pop *p = pop_new(&evs__source_array, 4, 1e-3, 1, 0);
  pop_path(p, path);
  pop_set(p, "period", period);
  evs_error err;
  int rc = pop_try_init(p, &err);
  ck_assert_int_eq(rc, EVS_EMODEL);
  snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
  ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0,
                "message '%s', expected prefix '%s'", err.msg, prefix);
  ck_assert_msg(strstr(err.msg, word) != NULL, "message '%s'", err.msg);
  ck_assert_int_eq(err.line, line);
  pop_free(p);
  unlink(path);
}

START_TEST(test_array_errors) {
  expect_file_error("0.1 0\n# c\n-0.5 1\n", 0, 3, "negative");
  expect_file_error("0.1 0\n0.2 x\n", 0, 2, "id");
  expect_file_error("0.1\n", 0, 1, "time id");
  expect_file_error("abc 1\n", 0, 1, "time");
  expect_file_error("0.1 1 7\n", 0, 1, "after");
  expect_file_error("0.1 -1\n", 0, 1, "id");
  expect_file_error("\n0.1 4\n", 0, 2, "out of range");
  expect_file_error("0.1 1\n0.2 2\n", 0.15, 2, "period");
  expect_file_error("nan 1\n", 0, 1, "time");
  /* a file that does not exist names itself */
  evs_pop *p = pop_new(&evs__source_array, 4, 1e-3, 1, 0);
  pop_path(p, "/nonexistent/dir/x.ras");
  evs_error err;
  ck_assert_int_eq(pop_try_init(p, &err), EVS_EIO);
  ck_assert(strncmp(err.msg, "/nonexistent/dir/x.ras: ", 24) == 0);
  pop_free(p);
  /* no file at all */
  p = pop_new(&evs__source_array, 4, 1e-3, 1, 0);
  ck_assert_int_lt(pop_try_init(p, &err), 0);
  ck_assert(strstr(err.msg, "inputs") && strstr(err.msg, "file"));
  pop_free(p);
  /* unsorted lines, comments and blank lines are fine */
  char path[256];
  tu_write_tmp(path, sizeof path, "check_source",
               "# x\n\n0.3 1\n0.1 2 # late\n0.1 0\n");
  p = pop_new(&evs__source_array, 4, 1e-3, 1, 0);
  pop_path(p, path);
  pop_init(p);
  train tr = run(p, 1.0);
  ck_assert_uint_eq(tr.n, 3);
  qsort(tr.s, tr.n, sizeof *tr.s, spike_cmp);
  ck_assert(tr.s[0].t == 0.1 && tr.s[0].id == 0);
  ck_assert(tr.s[1].t == 0.1 && tr.s[1].id == 2);
  ck_assert(tr.s[2].t == 0.3 && tr.s[2].id == 1);
  free(tr.s);
  pop_free(p);
  unlink(path);
}
END_TEST

static Suite *source_suite(void) {
  Suite *s = suite_create("source");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_descriptors);
  tcase_add_test(tc, test_poisson_statistics);
  tcase_add_test(tc, test_poisson_start_stop);
  tcase_add_test(tc, test_poisson_seeds_and_ticks);
  tcase_add_test(tc, test_poisson_rates_per_neuron);
  tcase_add_test(tc, test_frozen);
  tcase_add_test(tc, test_array_once);
  tcase_add_test(tc, test_array_period);
  tcase_add_test(tc, test_array_errors);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(source_suite()); }
