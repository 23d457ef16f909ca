/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The delay tests' building blocks (delays_util.c). */
#ifndef EVSNN_TESTS_DELAYS_UTIL_H
#define EVSNN_TESTS_DELAYS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "evsnn/evsnn.h"

#define RES 0.1e-3 /* s: the nets' resolution */

/* The spikes of one population, in the order the run told them. */
typedef struct collect {
  int pop;
  evs_spike *spk;
  size_t n, cap;
} collect;

/* Collects pop's spikes; the net owns the result (freed with it). */
collect *collect_pop(evs_net *net, int pop);

/* Sets parameter name of pop to the constant v (SI). */
void set_const(evs_net *net, int pop, const char *name, double v);

/* A population of n IF_curr_exp neurons that spike once, a fixed latency
 * after a strong input reaches them at rest. */
int fast_neurons(evs_net *net, const char *name, uint32_t n);

/* A SpikeSourceArray of n neurons playing the spikes t[k] of neurons
 * id[k] (written to a file under dir). */
int source(evs_net *net, const char *dir, const char *name, uint32_t n,
           const double *t, const unsigned *id, size_t k);

/* An excitatory projection pre -> post with spec, weights in volts. */
int connect(evs_net *net, const char *name, int pre, int post,
            const evs_conn_spec *spec);

/* evs_net_set_delays, which must succeed. */
void set_delays(evs_net *net, int proj, const double *d, size_t n);

/* evs_net_run_until, which must succeed. */
void run_until(evs_net *net, double t);

#endif
