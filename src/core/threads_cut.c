/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — where the threaded scheduler cuts each split population into
 * the threads' slices (doc/scaling.md, "Ownership"): from the costs it
 * expects of them, since any cut gives the same bytes. */
#include <math.h>
#include <stdlib.h>

#include "core/threads_impl.h"

/* The share of the main thread. While the others run a step, it also
 * hands the last barrier's spikes to the plug-ins (run_step) and merges the
 * threads' flushes: with every population's spikes recorded (the default)
 * that takes it about as long a spike as TELL_SYN synaptic events take a
 * thread's step (the part of a step that a thread's share of the neurons
 * scales; a step also has a part every thread pays alike: the spikes'
 * listing and the per-delivery costs). Measured in wall time, not
 * instructions: every window timed on B1 at N = 64,000 with both cores to
 * the run (SCHED_FIFO; bench/results/2026-12-07-thrb1c.md), the tell took
 * 39-57 ns a spike and a step 13.7-16.1 ns a synaptic event, ~3 (in
 * instructions 412 against 83, ~5: the raster writer runs many more
 * instructions a cycle than the step, which waits for memory). With 5 the
 * main thread held 46.9 % of B1 and its step and tell still ended ~1.5 us
 * a window (5 %) before the other thread's; the recorded windows ran best
 * with 47.7-48.2 % (B1 64k), 49.8 % (B1 256k) and more than half (B3 64k).
 * So with K synapses a neuron the main thread holds s = TELL_SYN / K of a
 * share less (at most half a share): (1 - (n - 1) s) / n of every split
 * population (B1: 48.1 %). When the hand-over floats instead (every
 * spikes hook may run on any thread: evs_plugin.spikes_any_thread), the
 * thread that ends its step first makes it, which evens out a part of
 * the windows' imbalance, and every thread holds an equal share (B1 at
 * 64,000, nine alternating pairs: 4.4 % less wall time on two threads than
 * with 48.1 % and the main thread telling). */
#define TELL_SYN 3.0

static double main_share(const struct evs_par *par) {
  const evs_net *net = par->net;
  double neurons = 0, synapses = 0;
  if (par->n == 1) return 1;
  if (par->tell_floats) return 1.0 / par->n; /* any thread tells */
  for (uint32_t p = 0; p < net->npop; p++)
    neurons += net->pop[p]->rank_hi - net->pop[p]->rank_lo;
  for (uint32_t k = 0; k < net->nproj; k++) synapses += net->proj[k]->csr->nnz;
  double s = 0.5 / (par->n - 1);
  if (neurons > 0 && synapses > 0 && TELL_SYN * neurons / synapses < s)
    s = TELL_SYN * neurons / synapses;
  return (1 - (par->n - 1) * s) / par->n;
}

/* The main thread's tell in the packed line's units (instructions a
 * simulated second): callgrind on B1 at N = 64,000, 0.3 s (111,063
 * spikes), two threads: beyond its step the main thread ran 45.8 M
 * instructions (the tell 34.7 M, the merge 4.8 M, the windows' loop 6.3
 * M), 412 a spike. The packed line's constants below were fitted with it. */
#define TELL_COST 412.0

/* Where thread t's part begins (0 < t < n) in a line of the given total:
 * thread 0 holds the first share a0, the others equal parts of the rest. */
static double part_start(double total, double a0, uint32_t t, uint32_t n) {
  return total * (a0 + (1 - a0) * (t - 1) / (double)(n - 1));
}

/* 1 if split population p is packed: its type takes its inputs in ring
 * buffers (deliver_ahead: IF_curr_exp_grid). Its slices would each repeat
 * a part of its work: the hand-over walks every delay group of a slice's
 * split of each row (the microcircuit at 10 %: ~3.6 synapses a group, so
 * most groups have synapses on both of two slices, and a group costs ~50
 * instructions besides its synapses), and every slice pays a tick's fixed
 * part, its periodic event, its flush and a call per spike and
 * projection. */
static int packed(const struct evs_par *par, uint32_t p) {
  return par->split[p] && par->net->pop[p]->type->deliver_ahead;
}

/* The expected cost of a packed population, instructions a simulated
 * second: its neurons' step, STEP_COST a neuron and step (the vector step,
 * the background's counts, the ring's take; callgrind, the microcircuit at
 * 10 %); and for every spike that reaches it, in each projection, ROW_COST
 * (the hand-over's call, its prefetches, its listing), GROUP_COST a delay
 * group and INPUT_COST a synapse (its append and its take), at an assumed
 * RATE of every presynaptic neuron: the rates are not known before the
 * run (the microcircuit's populations fire at 1.4-8.8 Hz, 3.7 Hz on
 * average at 10 %). A row and a group cost more than their instructions
 * (~180 and ~50 at 10 %): each group appends to another step's list, a
 * line of its own, which at full in-degrees is seldom in a cache.
 * ROW_COST and GROUP_COST were fitted on two threads so that the threads
 * balance at full in-degrees, at a quarter of the microcircuit's neurons
 * (cpu-clock samples of each thread: 1-7 % apart with these; 9-13 % with
 * 600 and 220, 12-13 % with 400 and 150, 11-23 % with 180 and 50; the
 * full scale, 0.3 s, with 180 and 50: 1,572 against 1,363 ms), at the
 * cost of the microcircuit at 10 %, where the main thread now does 8 %
 * more (callgrind: 300.2 M instructions of its step and 5.7 M of its
 * merge and tell, 283.4 M of thread 1's step; balanced at 400 and 150,
 * 297.4 against 292.4 M; bench/results/2026-12-07-thrmc3.md). */
#define STEP_COST 32.0
#define ROW_COST 800.0
#define GROUP_COST 300.0
#define INPUT_COST 15.0
#define RATE 4.0

static double pack_cost(const evs_net *net, const evs_pop *pop) {
  double c = (pop->rank_hi - pop->rank_lo) * STEP_COST / pop->tick;
  for (uint32_t k = 0; k < net->nproj; k++) {
    const evs_csr *m = net->proj[k]->csr;
    if (net->proj[k]->post != pop || !m) continue;
    double rows = 0;
    for (uint32_t i = 0; i < m->n_pre; i++)
      rows += m->row_ptr[i + 1] > m->row_ptr[i];
    double groups = m->grp_ptr ? (double)m->grp_ptr[m->n_pre] : rows;
    c += RATE * (ROW_COST * rows + GROUP_COST * groups + INPUT_COST * m->nnz);
  }
  return c;
}

/* The other split populations (not packed) are laid end to end too, in
 * index order, and cut where the threads' expected costs are equal: a
 * population is then split only where a thread's part of the line ends
 * inside it, so that fewer are split. Every thread holding a part of a
 * population pays, for each spike that reaches it, a delivery's setup
 * (IF_curr_exp: its decay factors, the call, the listing of the spike's
 * row: CALL_COST) in every projection onto it; every neuron costs its
 * synaptic events (SYN_COST each, at K inputs a neuron) and NEURON_COST of
 * its own (so that a population without inputs is still shared). Both at
 * the assumed RATE of every presynaptic neuron, which cancels. Callgrind on
 * B1 at N = 64,000, 0.3 s: 109 instructions a synaptic event all in on one
 * thread; cut as one line by neurons (E's first 32,000 neurons on one
 * thread, the rest of E and all of I on the other), the thread holding
 * parts of both populations ran 34.4 M instructions more (471.3 against
 * 436.9 M), ~325 for each of its 107,500 extra deliveries. */
#define SYN_COST 109.0
#define CALL_COST 325.0
#define NEURON_COST 100.0

/* 1 if split population p is on the plain line: not packed, and no
 * learning projection onto it (a rule's work per synaptic event is not in
 * the line's costs: such a population is cut into equal blocks, every
 * thread's share of its learning). O(projections). */
static int lined(const struct evs_par *par, uint32_t p) {
  const evs_net *net = par->net;
  if (!par->split[p] || packed(par, p)) return 0;
  for (uint32_t k = 0; k < net->nproj; k++)
    if (net->proj[k]->post == net->pop[p] && net->proj[k]->rule) return 0;
  return 1;
}

/* The plain line: its populations' sizes and costs (see above), per_neuron
 * for each neuron a thread holds, per_part once for each thread holding
 * some; per_neuron < 0 for a population not on it. */
typedef struct plain_line {
  double *size, *per_neuron, *per_part;
  uint32_t npop;
} plain_line;

/* The plain line of par's net (its arrays the caller's to free), EVS_OK or
 * EVS_ENOMEM. O(populations x projections). */
static int plain_line_make(const struct evs_par *par, plain_line *l) {
  const evs_net *net = par->net;
  const uint32_t np = net->npop ? net->npop : 1;
  l->npop = net->npop;
  l->size = calloc(np, sizeof *l->size);
  l->per_neuron = calloc(np, sizeof *l->per_neuron);
  l->per_part = calloc(np, sizeof *l->per_part);
  if (!l->size || !l->per_neuron || !l->per_part) return EVS_ENOMEM;
  for (uint32_t p = 0; p < net->npop; p++) {
    const evs_pop *pop = net->pop[p];
    l->size[p] = pop->rank_hi - pop->rank_lo;
    l->per_neuron[p] = -1;
    if (!lined(par, p)) continue;
    double inputs = 0, pre = 0;
    for (uint32_t k = 0; k < net->nproj; k++) {
      const evs_proj *j = net->proj[k];
      if (j->post != pop || !j->csr || !j->csr->nnz) continue;
      inputs += (double)j->csr->nnz;
      pre += j->pre->size;
    }
    l->per_neuron[p] =
        NEURON_COST + (l->size[p] > 0 ? SYN_COST * inputs / l->size[p] : 0);
    l->per_part[p] = CALL_COST * pre;
  }
  return EVS_OK;
}

static void plain_line_free(plain_line *l) {
  free(l->size);
  free(l->per_neuron);
  free(l->per_part);
}

/* The expected cost of the plain line's part [x0, x1) (neurons from the
 * line's start; the populations in index order). */
static double plain_part(const plain_line *l, double x0, double x1) {
  double at = 0, c = 0;
  for (uint32_t p = 0; p < l->npop && at < x1; p++) {
    if (l->per_neuron[p] < 0) continue;
    const double lo = fmax(x0, at), hi = fmin(x1, at + l->size[p]);
    if (hi > lo) c += (hi - lo) * l->per_neuron[p] + l->per_part[p];
    at += l->size[p];
  }
  return c;
}

/* Where thread t's part of the plain line of length len begins (cut[t],
 * t = 0 .. n): the main thread's part costs a0 of the total, the others
 * equal parts of the rest. The total depends on the cut (a population's
 * per-part cost counts once for each thread holding some): made again
 * from the last cut a few times, each cut found by bisection (out of
 * memory for the costs: the line cut by neurons alone). */
static void cut_plain(const struct evs_par *par, double a0, double len,
                      double *cut) {
  const uint32_t n = par->n;
  cut[0] = 0;
  cut[n] = len;
  for (uint32_t t = 1; t < n; t++) cut[t] = part_start(len, a0, t, n);
  plain_line l;
  int rc = plain_line_make(par, &l);
  for (int round = 0; round < 3 && rc == EVS_OK; round++) {
    double total = 0;
    for (uint32_t t = 0; t < n; t++)
      total += plain_part(&l, cut[t], cut[t + 1]);
    for (uint32_t t = 1; t < n; t++) {
      /* thread t - 1's share */
      const double want = total * (t == 1 ? a0 : (1 - a0) / (n - 1));
      double lo = cut[t - 1], hi = len;
      for (int i = 0; i < 64 && hi - lo > 1e-6; i++) {
        const double mid = 0.5 * (lo + hi);
        if (plain_part(&l, cut[t - 1], mid) < want)
          lo = mid;
        else
          hi = mid;
      }
      cut[t] = hi;
    }
  }
  plain_line_free(&l);
}

void evs__par_cut(struct evs_par *par) {
  const evs_net *net = par->net;
  const uint32_t n = par->n;
  const double a0 = main_share(par);
  /* the packed populations laid end to end, in index order, as one line
   * of their costs cut like a single population: each is whole on one
   * thread but at most n - 1 of them, which are cut between threads */
  double line = 0, at = 0, neurons = 0, plain = 0, plain_at = 0;
  for (uint32_t p = 0; p < net->npop; p++) {
    const double m = net->pop[p]->rank_hi - net->pop[p]->rank_lo;
    neurons += m;
    if (packed(par, p))
      line += pack_cost(net, net->pop[p]);
    else if (lined(par, p))
      plain += m;
  }
  /* out of memory for it: the plain populations in blocks, each alone */
  double *cut = malloc((n + 1) * sizeof *cut);
  if (cut) cut_plain(par, a0, plain, cut);
  /* the main thread's share of it: less the plug-ins' spikes (main_share)
   * in the line's units, at the assumed rate */
  double s = n > 1 && !par->tell_floats ? 0.5 / (n - 1) : 0;
  if (line > 0 && TELL_COST * RATE * neurons / line < s)
    s = TELL_COST * RATE * neurons / line;
  const double a_line = (1 - (n - 1) * s) / n;
  for (uint32_t p = 0; p < net->npop; p++) {
    if (!par->split[p]) continue;
    const evs_pop *pop = net->pop[p];
    uint32_t *b = par->bound + (size_t)p * (n + 1);
    const uint32_t lo = pop->rank_lo, m = pop->rank_hi - pop->rank_lo;
    const double c = packed(par, p) ? pack_cost(net, pop) : 0;
    const int on_line = lined(par, p);
    b[0] = lo;
    b[n] = lo + m;
    for (uint32_t t = 1; t < n; t++) {
      if (!packed(par, p) && (!cut || !on_line)) {
        b[t] = lo + (uint32_t)part_start(m, a0, t, n);
        continue;
      }
      if (!packed(par, p)) {
        const double x = cut[t] - plain_at + 1e-7; /* into this one */
        b[t] = lo + (x <= 0 ? 0 : x >= m ? m : (uint32_t)x);
        continue;
      }
      double x = part_start(line, a_line, t, n) - at; /* into this one */
      b[t] = lo + (x <= 0 || !(c > 0) ? 0
                   : x >= c           ? m
                                      : (uint32_t)fmin(m, x / c * m));
    }
    at += c;
    if (on_line) plain_at += m;
  }
  free(cut);
}
