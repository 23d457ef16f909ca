/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* bench/floor_bench — what one synaptic event costs at least on this machine,
 * on B1's wiring: N neurons, each pair connected with probability 80/N (a
 * row of ~80 random targets), spikes from presynaptic neurons drawn at
 * random. Two loops over the same rows and spikes:
 *
 *   floor   in[j] += w: one float per neuron, doc/benchmarks.md's "bare CSR
 *           delivery loop" (2 ns per synaptic event on this machine class);
 *   record  the per-synapse work of evsnn's exact neuron (src/neurons/lif.c,
 *           deliver): in a 64-byte record per neuron, the certificate test,
 *           two coefficient multiply-adds and the margin, targets prefetched
 *           24 synapses ahead — without certificates, visits, searches or
 *           the event queue, so no engine built on that record can deliver
 *           faster.
 *
 *   bench/floor_bench [--runs R] [--events E] [N ...]
 *
 * Defaults: R = 5, E = 30,000,000 synaptic events per run, N = 4000 16000
 * 64000. Prints, per N, the median ns per synaptic event of each loop. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "evsnn/rng.h"

#define MAX_RUNS 15
#define SYNAPSES_PER_ROW 80.0 /* B1: p = 80 / N */
#define PREFETCH_AHEAD 24     /* as src/neurons/lif.c */

/* As src/neurons/lif.c's lif_neuron: everything an input touches in one line.
 */
typedef struct record {
  double c[3], t_safe, margin, drive, pad[2];
} __attribute__((aligned(64))) record;

typedef struct wiring {
  uint32_t n;
  size_t *row;      /* [n + 1] */
  uint32_t *target; /* [row[n]] */
  uint32_t *spike;  /* [n_spikes] presynaptic neuron of each delivery */
  size_t n_spikes;
} wiring;

/* Rows of B1's wiring (geometric skipping, no self-connections) and
 * enough spikes of random neurons for about `events` synaptic events. */
static void wire(wiring *g, uint32_t n, size_t events) {
  double p = SYNAPSES_PER_ROW / n, lq = log1p(-p);
  size_t cap = (size_t)(1.2 * SYNAPSES_PER_ROW * n) + 1024;
  g->n = n;
  g->row = bench_xalloc((n + 1) * sizeof *g->row);
  g->target = bench_xalloc(cap * sizeof *g->target);
  evs_rng rng;
  evs_rng_init(&rng, 1, 0, 0, EVS_RNG_CONNECT);
  size_t k = 0;
  for (uint32_t i = 0; i < n; i++) {
    g->row[i] = k;
    for (double j = -1;;) {
      j += 1 + floor(log(evs_rng_uniform(&rng)) / lq);
      if (j >= n) break;
      if ((uint32_t)j == i) continue;
      if (k == cap) {
        fprintf(stderr, "floor_bench: row storage full\n");
        exit(2);
      }
      g->target[k++] = (uint32_t)j;
    }
  }
  g->row[n] = k;
  g->n_spikes = (size_t)(events / ((double)k / n)) + 1;
  g->spike = bench_xalloc(g->n_spikes * sizeof *g->spike);
  for (size_t s = 0; s < g->n_spikes; s++) g->spike[s] = evs_rng_below(&rng, n);
}

/* The floor loop; returns ns per synaptic event. */
static double run_floor(const wiring *g, float *in, size_t *events) {
  size_t count = 0;
  double t0 = bench_now();
  for (size_t s = 0; s < g->n_spikes; s++) {
    uint32_t i = g->spike[s];
    for (size_t q = g->row[i]; q < g->row[i + 1]; q++) in[g->target[q]] += 0.1f;
    count += g->row[i + 1] - g->row[i];
  }
  double t = bench_now() - t0;
  *events = count;
  return 1e9 * t / (double)count;
}

/* The record loop; returns ns per synaptic event and counts in *used_up the
 * inputs that would have needed a new certificate (kept so the work stays). */
static double run_record(const wiring *g, record *nr, size_t *used_up) {
  const double w = 1.62e-3, fr = 1.25, fm = 0.75, kmax = 0.25;
  size_t count = 0, out = 0;
  double t = 0.5, t0 = bench_now();
  for (size_t s = 0; s < g->n_spikes; s++) {
    uint32_t i = g->spike[s];
    const uint32_t *target = g->target + g->row[i];
    size_t n = g->row[i + 1] - g->row[i];
    for (size_t q = 0; q < n && q < PREFETCH_AHEAD; q++)
      __builtin_prefetch(&nr[target[q]], 1);
    for (size_t q = 0; q < n; q++) {
      if (q + PREFETCH_AHEAD < n)
        __builtin_prefetch(&nr[target[q + PREFETCH_AHEAD]], 1);
      record *r = &nr[target[q]];
      if (r->t_safe < t) r->t_safe = t; /* never: t_safe starts at +inf */
      r->c[1] += w * fr;
      r->c[0] -= w * fm;
      r->margin -= w * kmax;
      out += r->margin <= 0;
    }
    count += n;
  }
  double elapsed = bench_now() - t0;
  *used_up = out;
  return 1e9 * elapsed / (double)count;
}

static void usage(void) {
  fprintf(stderr, "usage: floor_bench [--runs R] [--events E] [N ...]\n");
  exit(2);
}

int main(int argc, char **argv) {
  int runs = 5;
  size_t events = 30000000;
  uint32_t sizes[16], n_sizes = 0;
  for (int a = 1; a < argc; a++) {
    if (!strcmp(argv[a], "--runs") && a + 1 < argc)
      runs = atoi(argv[++a]);
    else if (!strcmp(argv[a], "--events") && a + 1 < argc)
      events = strtoull(argv[++a], NULL, 10);
    else if (argv[a][0] != '-' && n_sizes < 16)
      sizes[n_sizes++] = (uint32_t)strtoul(argv[a], NULL, 10);
    else
      usage();
  }
  if (runs < 1 || runs > MAX_RUNS || events == 0) usage();
  if (!n_sizes) {
    sizes[0] = 4000, sizes[1] = 16000, sizes[2] = 64000;
    n_sizes = 3;
  }
  printf("N\tsynapses\tevents\tfloor_ns\trecord_ns\trecord/floor\n");
  for (uint32_t k = 0; k < n_sizes; k++) {
    uint32_t n = sizes[k];
    if (n < 2) usage();
    wiring g;
    wire(&g, n, events);
    float *in = bench_xalloc(n * sizeof *in);
    record *nr = bench_xalloc(n * sizeof *nr);
    for (uint32_t j = 0; j < n; j++) {
      nr[j].t_safe = INFINITY;
      nr[j].margin = 1e300;
    }
    double f[MAX_RUNS], r[MAX_RUNS];
    size_t count = 0, used_up = 0;
    for (int i = 0; i < runs; i++) { /* alternating, as the harness does */
      f[i] = run_floor(&g, in, &count);
      r[i] = run_record(&g, nr, &used_up);
    }
    double fm = bench_median(f, runs), rm = bench_median(r, runs);
    double sum = 0;
    for (uint32_t j = 0; j < n; j++) sum += in[j] + nr[j].c[0];
    printf("%u\t%zu\t%zu\t%.2f\t%.2f\t%.1f\n", n, g.row[n], count, fm, rm,
           rm / fm);
    fprintf(stderr, "N = %u: checksum %g, %zu used up\n", n, sum, used_up);
    free(in);
    free(nr);
    free(g.row);
    free(g.target);
    free(g.spike);
  }
  return 0;
}
