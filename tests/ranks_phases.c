/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* A network whose static weights are read and set between two phases, on
 * any number of threads and ranks (tests/ranks_phases.sh compares the
 * rasters): Poisson sources onto exact neurons (fixed probability, delays
 * 0.5-3 ms) and their recurrent synapses. After the build each process
 * notes the synapses it holds (evs_net_projection_csr: on several ranks
 * its own targets') and gives E->E the delay 2 ms (evs_net_set_delays
 * before the run); at 50 ms it reads their weights (evs_net_get_weights:
 * they must be the built ones, in the same order), sets each to a value of
 * its (pre, post) pair alone (evs_net_set_weights), reads them back (as
 * set, to float precision); then sets every synapse's delay from its
 * pair too (evs_net_set_delays, collective on ranks: the rows are sorted
 * again) and reads them back (the same values, rounded to the resolution,
 * as a multiset). Then the run ends at 0.1 s.
 *
 *   ranks_phases OUTDIR THREADS: prints "ranks_phases: rank R of K: ok"
 *   or an error, exits 0 or 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/evsnn.h"

static int fail(int rank, const char *what, const evs_error *err) {
  fprintf(stderr, "ranks_phases: rank %d: %s: %s\n", rank, what,
          err ? err->msg : "");
  return 1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int param(evs_net *net, int pop, const char *name, double v,
                 evs_error *err) {
  evs_dist d = evs_dist_const(v);
  return evs_net_set_param(net, pop, name, &d, err);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: ranks_phases OUTDIR THREADS\n");
    return 2;
  }
  evs_net *net;
  evs_error err = {0};
  if (evs_net_new(&net, 11, 0.1e-3)) return fail(0, "new", NULL);
  int src = evs_net_add_population(net, "src", "SpikeSourcePoisson", 50, &err);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", 80, &err);
  if (src < 0 || e < 0 || param(net, src, "rate", 30, &err) ||
      evs_net_add_dc(net, e, 10e-3, EVS_DIM_VOLTAGE, &err))
    return fail(0, "populations", &err);
  evs_conn_spec in = {.kind = EVS_CONN_FIXED_PROBABILITY,
                      .p = 0.3,
                      .weight = evs_dist_const(2e-3),
                      .delay = {EVS_DIST_UNIFORM, {0.5e-3, 3e-3}}};
  evs_conn_spec rec = {.kind = EVS_CONN_FIXED_PROBABILITY,
                       .p = 0.1,
                       .weight = evs_dist_const(0.5e-3),
                       .delay = evs_dist_const(1.5e-3)};
  int k[2] = {evs_net_connect(net, "src_E", src, e, EVS_RECEPTOR_EXC, &in,
                              EVS_DIM_VOLTAGE, &err),
              evs_net_connect(net, "E_E", e, e, EVS_RECEPTOR_EXC, &rec,
                              EVS_DIM_VOLTAGE, &err)};
  if (k[0] < 0 || k[1] < 0 || evs_net_build(net, &err))
    return fail(0, "build", &err);
  int size, rank = evs_net_rank(net, &size);
  /* the synapses this process holds: (pre, post) in CSR order */
  size_t n[2];
  uint32_t *pre[2], *post[2];
  double *w[2], *got[2];
  for (int j = 0; j < 2; j++) {
    const evs_csr *m = evs_net_projection_csr(net, k[j]);
    n[j] = m->nnz;
    pre[j] = malloc((n[j] + 1) * sizeof **pre);
    post[j] = malloc((n[j] + 1) * sizeof **post);
    w[j] = malloc((n[j] + 1) * sizeof **w);
    got[j] = malloc((n[j] + 1) * sizeof **got);
    for (uint32_t i = 0; i < m->n_pre; i++)
      for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++) {
        pre[j][q] = i;
        post[j][q] = evs_csr_target(m, q);
      }
  }
  /* before the run: E->E's delays 2 ms (collective on ranks) */
  for (size_t q = 0; q < n[1]; q++) w[1][q] = 2e-3;
  if (evs_net_set_delays(net, k[1], w[1], n[1], &err))
    return fail(rank, "set_delays before the run", &err);
  evs_run_opts o = {.duration = 0.1,
                    .outdir = argv[1],
                    .threads = atoi(argv[2]),
                    .model_name = "ranks_phases"};
  if (evs_net_start(net, &o, &err) || evs_net_run_until(net, 0.05, &err))
    return fail(rank, "first phase", &err);
  for (int j = 0; j < 2; j++) {
    const double built = j ? 0.5e-3 : 2e-3;
    if (evs_net_get_weights(net, k[j], got[j], n[j], &err))
      return fail(rank, "get_weights", &err);
    for (size_t q = 0; q < n[j]; q++)
      if (fabs(got[j][q] - built) > 1e-9) return fail(rank, "as built", NULL);
    for (size_t q = 0; q < n[j]; q++)
      w[j][q] = (1 + (pre[j][q] + 2 * post[j][q]) % 4) * 0.8e-3;
    if (evs_net_set_weights(net, k[j], w[j], n[j], &err) ||
        evs_net_get_weights(net, k[j], got[j], n[j], &err))
      return fail(rank, "set_weights", &err);
    for (size_t q = 0; q < n[j]; q++)
      if (fabs(got[j][q] - w[j][q]) > 1e-7 * w[j][q])
        return fail(rank, "as set", NULL);
  }
  /* delays from each synapse's (pre, post) pair: src->E reordered, E->E
   * raised (at least E's window, its 1.5 ms); a collective call on ranks */
  for (int j = 0; j < 2; j++) {
    for (size_t q = 0; q < n[j]; q++)
      w[j][q] = j ? (1.5 + (3 * pre[j][q] + post[j][q]) % 5 * 0.5) * 1e-3
                  : (0.5 + (pre[j][q] + 3 * post[j][q]) % 6 * 0.5) * 1e-3;
    if (evs_net_set_delays(net, k[j], w[j], n[j], &err) ||
        evs_net_get_delays(net, k[j], got[j], n[j], &err))
      return fail(rank, "set_delays", &err);
    /* the rows sorted again: the same delays, in another order */
    for (size_t q = 0; q < n[j]; q++)
      w[j][q] = lround(w[j][q] / 0.1e-3) * 0.1e-3;
    qsort(w[j], n[j], sizeof *w[j], cmp_double);
    qsort(got[j], n[j], sizeof *got[j], cmp_double);
    if (memcmp(w[j], got[j], n[j] * sizeof *w[j]))
      return fail(rank, "delays as set", NULL);
  }
  if (evs_net_run_until(net, 0.1, &err) || evs_net_finish(net, &err))
    return fail(rank, "second phase", &err);
  printf("ranks_phases: rank %d of %d: ok\n", rank, size);
  for (int j = 0; j < 2; j++) {
    free(pre[j]);
    free(post[j]);
    free(w[j]);
    free(got[j]);
  }
  evs_net_free(net);
  return 0;
}
