/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* bench/bench_util.h — helpers shared by the benchmark programs of bench/
 * (header only): a monotonic clock, zeroed cache-line-aligned allocation
 * that ends the program when memory runs out, and the median of a sample. */
#ifndef EVSNN_BENCH_UTIL_H
#define EVSNN_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* n zeroed bytes (at least one) aligned to 64 bytes; prints a message and
 * exits with status 2 if there is not enough memory. */
static inline void *bench_xalloc(size_t n) {
  size_t bytes = n ? (n + 63) / 64 * 64 : 64;
  void *p = aligned_alloc(64, bytes);
  if (!p) {
    fprintf(stderr, "out of memory (%zu bytes)\n", n);
    exit(2);
  }
  memset(p, 0, bytes);
  return p;
}

/* qsort's comparison of two doubles, ascending. */
static inline int bench_by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of x[0 .. n-1], n >= 1; sorts x. */
static inline double bench_median(double *x, int n) {
  qsort(x, (size_t)n, sizeof *x, bench_by_value);
  return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

#endif
