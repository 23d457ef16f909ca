/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* bench/comm_bench — the cost of a window's exchange between ranks
 * (doc/cost-model.md): evs__comm_allgatherv (src/core/comm.c) timed on
 * this machine, run under mpirun on 1, 2, 4 ranks of a --with-mpi build (or
 * alone on one rank without MPI).
 *
 *   comm_bench sizes [REPEATS]
 *     every rank hands B bytes to one allgatherv, for B = 0, 16, 64, ...,
 *     1 MiB; prints per B the median over 5 blocks of REPEATS calls (the
 *     slowest rank's time a call) and the bytes received a call;
 *   comm_bench replay RAS N WINDOW [RECORD]
 *     replays a run's spikes window by window: the spikes of the raster RAS
 *     (a population of N neurons, `time id` lines) are cut into windows of
 *     WINDOW seconds; neurons are dealt to the ranks in blocks, and each
 *     window every rank hands its neurons' spikes (RECORD bytes each,
 *     default 16: time and global id) to one allgatherv; prints the windows,
 *     the spikes, the wall time a window and every rank's traffic
 *     (evs__comm_stats: collectives, bytes sent and received), which
 *     doc/cost-model.md predicts from the spike counts alone.
 *
 * Prints on rank 0 only; exits 0, or 1 on a failed call, 2 on bad use. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "core/comm.h"
#include "evsnn/error.h"

static evs_comm *comm;
static evs_error err;

/* The slowest rank's value of x (nanoseconds), on every rank. */
static uint64_t slowest(uint64_t x) {
  if (evs__comm_allreduce_u64(comm, &x, 1, EVS_COMM_MAX, &err) != EVS_OK) {
    fprintf(stderr, "comm_bench: %s\n", err.msg);
    exit(1);
  }
  return x;
}

static void gather(const void *buf, size_t bytes) {
  const void *recv;
  const uint64_t *off;
  if (evs__comm_allgatherv(comm, buf, bytes, &recv, &off, &err) != EVS_OK) {
    fprintf(stderr, "comm_bench: %s\n", err.msg);
    exit(1);
  }
}

static int sizes(int reps) {
  const int rank = evs__comm_rank(comm), size = evs__comm_size(comm);
  unsigned char *buf = bench_xalloc(1 << 20);
  if (rank == 0) printf("ranks\tbytes_per_rank\tbytes_received\tus_per_call\n");
  for (size_t b = 0; b <= (1u << 20); b = b ? b * 4 : 16) {
    int n = b >= (1u << 16) ? reps / 20 + 1 : reps;
    for (int i = 0; i < 10; i++) gather(buf, b); /* warm up */
    double t[5];
    for (int k = 0; k < 5; k++) {
      if (evs__comm_barrier(comm, &err) != EVS_OK) return 1;
      double t0 = bench_now();
      for (int i = 0; i < n; i++) gather(buf, b);
      t[k] = (double)slowest((uint64_t)((bench_now() - t0) * 1e9)) / n;
    }
    if (rank == 0)
      printf("%d\t%zu\t%zu\t%.3f\n", size, b, b * (size_t)size,
             bench_median(t, 5) / 1e3);
  }
  free(buf);
  return 0;
}

typedef struct rec {
  double t;
  uint32_t id, pad;
} rec;

static int replay(const char *path, long n, double window, size_t record) {
  const int rank = evs__comm_rank(comm), size = evs__comm_size(comm);
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    return 2;
  }
  /* this rank's neurons: [lo, hi) */
  long lo = n * rank / size, hi = n * (rank + 1) / size;
  size_t cap = 1024, k = 0;
  rec *mine = malloc(cap * sizeof *mine);
  char line[256];
  double t_last = 0;
  if (!mine) {
    fprintf(stderr, "comm_bench: out of memory\n");
    exit(1);
  }
  while (fgets(line, sizeof line, f)) {
    double t;
    long id;
    if (line[0] == '#' || sscanf(line, "%lf %ld", &t, &id) != 2) continue;
    if (t > t_last) t_last = t;
    if (id < lo || id >= hi) continue;
    if (k == cap) {
      rec *p = realloc(mine, 2 * cap * sizeof *mine);
      if (!p) {
        fprintf(stderr, "comm_bench: out of memory\n");
        exit(1);
      }
      mine = p;
      cap *= 2;
    }
    mine[k++] = (rec){t, (uint32_t)id, 0};
  }
  fclose(f);
  /* the same number of windows on every rank: the latest spike anywhere */
  uint64_t last_ns = slowest((uint64_t)(t_last * 1e9));
  uint64_t windows = (uint64_t)((double)last_ns * 1e-9 / window) + 1;
  unsigned char *buf = bench_xalloc(k * record + 1);
  if (evs__comm_barrier(comm, &err) != EVS_OK) return 1;
  evs_comm_stats before = evs__comm_stats(comm);
  double t0 = bench_now();
  size_t at = 0;
  for (uint64_t w = 0; w < windows; w++) {
    double end = (double)(w + 1) * window;
    size_t from = at;
    while (at < k && mine[at].t < end) {
      memcpy(buf + (at - from) * record, &mine[at],
             record < sizeof *mine ? record : sizeof *mine);
      at++;
    }
    gather(buf, (at - from) * record);
  }
  double t1 = bench_now();
  evs_comm_stats s = evs__comm_stats(comm); /* the windows' traffic only */
  uint64_t ns = slowest((uint64_t)((t1 - t0) * 1e9));
  uint64_t all = k;
  evs__comm_allreduce_u64(comm, &all, 1, EVS_COMM_SUM, &err);
  if (rank == 0)
    printf("ranks %d windows %llu spikes %llu us_per_window %.3f\n", size,
           (unsigned long long)windows, (unsigned long long)all,
           (double)ns / 1e3 / (double)windows);
  /* every rank's traffic, in rank order */
  for (int r = 0; r < size; r++) {
    if (r == rank)
      printf("rank %d spikes %zu collectives %llu bytes_sent %llu "
             "bytes_received %llu\n",
             rank, k, (unsigned long long)(s.collectives - before.collectives),
             (unsigned long long)(s.bytes_sent - before.bytes_sent),
             (unsigned long long)(s.bytes_received - before.bytes_received));
    fflush(stdout);
    if (evs__comm_barrier(comm, &err) != EVS_OK) return 1;
  }
  free(buf);
  free(mine);
  return 0;
}

int main(int argc, char **argv) {
  evs_error_clear(&err);
  if (argc < 2 || (strcmp(argv[1], "sizes") && strcmp(argv[1], "replay")) ||
      (!strcmp(argv[1], "replay") && argc < 5)) {
    fprintf(stderr, "usage: comm_bench sizes [REPEATS] | "
                    "comm_bench replay RAS N WINDOW [RECORD]\n");
    return 2;
  }
  if (evs__comm_new(&comm, &err) != EVS_OK) {
    fprintf(stderr, "comm_bench: %s\n", err.msg);
    return 1;
  }
  int rc;
  if (!strcmp(argv[1], "sizes"))
    rc = sizes(argc > 2 ? atoi(argv[2]) : 2000);
  else
    rc = replay(argv[2], atol(argv[3]), atof(argv[4]),
                argc > 5 ? (size_t)atol(argv[5]) : 16);
  evs__comm_free(comm);
  return rc;
}
