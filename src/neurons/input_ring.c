/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the ring buffers of a clocked type's inputs delivered ahead
 * (neurons/input_ring.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/error.h"
#include "neurons/input_ring.h"

/* Sets l->room (evs__input_list) from its length, capacity and g's
 * dense_at. */
static void list_room(const evs__input_ring *g, evs__input_list *l) {
  size_t top = l->cap < g->dense_at ? l->cap : g->dense_at;
  l->room = l->is_dense || top < l->len ? 0 : top - l->len;
}

/* Makes room for count more inputs in list l of ring g. EVS_OK or
 * EVS_ENOMEM. */
static int list_grow(const evs__input_ring *g, evs__input_list *l,
                     size_t count) {
  size_t cap = l->cap ? l->cap : 64;
  while (cap - l->len < count) cap *= 2;
  evs__input *in = realloc(l->in, cap * sizeof *in);
  if (!in) return EVS_ENOMEM;
  l->in = in;
  l->cap = cap;
  list_room(g, l);
  return EVS_OK;
}

/* A zeroed array of n doubles padded to 64 bytes, or NULL. */
static double *zeroed(size_t n) {
  size_t bytes = ((n ? n : 1) * sizeof(double) + 63) / 64 * 64;
  double *a = aligned_alloc(64, bytes);
  if (a) memset(a, 0, bytes);
  return a;
}

/* Turns list l of ring g dense: its inputs added in order into its dense
 * array (allocated, zeroed, the first time). EVS_OK or EVS_ENOMEM (l
 * unchanged). */
static int list_densify(const evs__input_ring *g, evs__input_list *l) {
  if (!l->dense && !(l->dense = zeroed(g->stride))) return EVS_ENOMEM;
  for (size_t q = 0; q < l->len; q++)
    l->dense[l->in[q].target] += l->in[q].weight;
  l->len = 0;
  l->is_dense = 1;
  l->room = 0;
  return EVS_OK;
}

/* The step k of a time t: t in ((k - 1) h, k h], the tolerance of "at the
 * state time" 1e-6 h (ceil() and llround() were library calls: 15 of 135 M
 * instructions of the deliveries, microcircuit at 2 % for 0.2 s). */
static inline int64_t step_of(double t, double inv_h) {
  double x = t * inv_h - 1e-6;
  int64_t k = (int64_t)x;
  return k + (k < x);
}

/* Appends weight[q] (or shared, when weight is NULL) onto target q
 * (evs__target(target, narrow, q)), q < count, to list l of ring g, which
 * goes dense when it would be longer than g's dense_at. 0, or -2 out of
 * memory (nothing added). */
static inline __attribute__((always_inline)) int
list_add(const evs__input_ring *g, evs__input_list *l, const void *target,
         int narrow, const float *weight, float shared, size_t count) {
  if (count > l->room) { /* the one test while the list has room */
    if (!l->is_dense && l->len + count > g->dense_at && list_densify(g, l))
      return -2;
    if (l->is_dense) {
      /* many inputs onto the step (a synchronous burst, or a large net): a
       * list would cost more memory than the array (the microcircuit's
       * first steps at full scale: ~0.8 GB of lists) */
      evs__add_inputs(l->dense, target, narrow, weight, shared, count);
      return 0;
    }
    if (l->cap - l->len < count && list_grow(g, l, count)) return -2;
  }
  evs__input *e = l->in + l->len;
  l->len += count;
  l->room -= count;
  /* one loop, interleaved: two arrays' copies became two memcpy calls a
   * delay group (82 of 403 M instructions at 2 %) */
  if (weight)
    for (size_t q = 0; q < count; q++)
      e[q] = (evs__input){weight[q], evs__target(target, narrow, q)};
  else
    for (size_t q = 0; q < count; q++)
      e[q] = (evs__input){shared, evs__target(target, narrow, q)};
  return 0;
}

/* evs__input_ring_add_row with narrow and weighted (a->weight not NULL)
 * constants: a group's fixed part is most of its cost (~2.5 inputs a group
 * on a thread's split of the microcircuit), so it tests neither. The
 * row's and the ring's fields are read once, into locals: the inputs'
 * stores could alias them. */
static inline __attribute__((always_inline)) int
add_row(evs__input_ring *g, int r, const evs_ahead_row *a, int narrow,
        int weighted) {
  const void *target = a->target;
  const float *weight = a->weight;
  const uint32_t *end = a->end, *delay = a->delay, n = a->n;
  const double t = a->t, res = a->res, inv_h = g->inv_h;
  const float shared = a->shared;
  /* k in (k_now, k_now + n[r]]: k - k_now - 1 < n[r], unsigned */
  const int64_t k_first = g->k_now + 1;
  const uint64_t steps = g->n[r];
  evs__input_list *slot = g->slot[r];
  const uint64_t mask = g->mask[r];
  for (uint32_t i = 0, at = 0; i < n; at = end[i++]) {
    if (end[i] == at) continue; /* a thread's split may hold none of it */
    int64_t k = step_of(t + delay[i] * res, inv_h);
    if ((uint64_t)(k - k_first) >= steps) return -1;
    const void *tg = narrow ? (const void *)((const uint16_t *)target + at)
                            : (const void *)((const uint32_t *)target + at);
    if (list_add(g, &slot[(uint64_t)k & mask], tg, narrow,
                 weighted ? weight + at : NULL, shared, end[i] - at))
      return -2;
  }
  return 0;
}

int evs__input_ring_add_row(evs__input_ring *g, int r, const evs_ahead_row *a,
                            int narrow) {
  if (a->weight)
    return narrow ? add_row(g, r, a, 1, 1) : add_row(g, r, a, 0, 1);
  return narrow ? add_row(g, r, a, 1, 0) : add_row(g, r, a, 0, 0);
}

static void free_lists(evs__input_list *slot, uint64_t count) {
  for (uint64_t i = 0; slot && i < count; i++) {
    free(slot[i].in);
    free(slot[i].dense);
  }
  free(slot);
}

/* Ring r holding at least n steps (see evs__input_ring_reserve). */
static int reserve_one(evs__input_ring *g, int r, uint32_t n, size_t stride) {
  if (!g->sum[r] && !(g->sum[r] = zeroed(stride))) return EVS_ENOMEM;
  if (n <= g->n[r]) return EVS_OK;
  uint64_t len = 1;
  while (len < n) len *= 2;
  evs__input_list *ring = calloc(len, sizeof *ring);
  if (!ring) return EVS_ENOMEM;
  uint64_t old = g->slot[r] ? g->mask[r] + 1 : 0;
  /* the pending steps' lists move to their places; the rest are freed */
  for (uint32_t i = 1; i <= g->n[r]; i++) {
    evs__input_list *l = &g->slot[r][(uint64_t)(g->k_now + i) & g->mask[r]];
    evs__input_list *to = &ring[(uint64_t)(g->k_now + i) & (len - 1)];
    *to = *l;
    list_room(g, to); /* dense_at as set anew */
    *l = (evs__input_list){0};
  }
  free_lists(g->slot[r], old);
  g->slot[r] = ring;
  g->mask[r] = len - 1;
  g->n[r] = n;
  return EVS_OK;
}

int evs__input_ring_reserve(evs__input_ring *g, const double span[2],
                            size_t stride, double h) {
  g->stride = stride;
  /* a list of 8-byte inputs as long as twice the neurons holds twice a
   * dense array's bytes: an input onto a dense array is a write to a
   * random neuron of one of the ring's ~60 arrays, which at the full
   * microcircuit (~1.2 excitatory inputs a neuron and step) missed the
   * caches, where a list is written and read in order and the take adds
   * into one array per receptor (bench/results/2026-12-07-thrmc3.md) */
  g->dense_at = 2 * stride;
  g->h = h;
  g->inv_h = 1 / h;
  for (int r = 0; r < 2; r++) {
    double s = span[r] > h ? span[r] : h;
    /* the state time may lag a step behind the hand-over, and the arrival
     * rounds up to a step */
    uint32_t n = (uint32_t)ceil(s / h - 1e-6) + 2;
    if (reserve_one(g, r, n, stride)) return EVS_ENOMEM;
  }
  return EVS_OK;
}

void evs__input_ring_free(evs__input_ring *g) {
  for (int r = 0; r < 2; r++) {
    free_lists(g->slot[r], g->slot[r] ? g->mask[r] + 1 : 0);
    free(g->sum[r]);
    g->slot[r] = NULL;
    g->sum[r] = NULL;
    g->n[r] = 0;
    g->mask[r] = 0;
  }
}

double *evs__input_ring_take(evs__input_ring *g, int r, int64_t k) {
  evs__input_list *l = &g->slot[r][(uint64_t)k & g->mask[r]];
  if (l->is_dense) {
    l->is_dense = 0;
    list_room(g, l);
    return l->dense;
  }
  double *sum = g->sum[r];
  const evs__input *e = l->in;
  for (size_t q = 0; q < l->len; q++) sum[e[q].target] += e[q].weight;
  l->len = 0;
  list_room(g, l);
  return sum;
}

/* The nonzero sums of sum[0 .. size) appended to l as floats adding up to
 * them (evs__input_ring_checkpoint). 0, or -1 when a sum is not one or out
 * of memory. */
static int load_sums(const evs__input_ring *g, evs__input_list *l,
                     const double *sum, size_t size) {
  for (size_t j = 0; j < size; j++) {
    if (sum[j] == 0) continue;
    float f[3];
    double rest = sum[j], total = 0;
    for (int i = 0; i < 3; i++) {
      f[i] = (float)rest;
      rest -= f[i];
    }
    if (l->cap - l->len < 3 && list_grow(g, l, 3)) return -1;
    for (int i = 0; i < 3 && f[i] != 0; i++) {
      total += f[i];
      l->in[l->len++] = (evs__input){f[i], (uint32_t)j};
    }
    list_room(g, l);
    if (rest != 0 || total != sum[j]) return -1;
  }
  return 0;
}

int evs__input_ring_checkpoint(evs__input_ring *g, int64_t k_now, size_t size,
                               const char *pop_name, evs_ckpt *ck) {
  int loading = evs_ckpt_loading(ck);
  g->k_now = k_now;
  for (int r = 0; r < 2; r++) {
    uint32_t n = g->n[r];
    evs_ckpt_bytes(ck, &n, sizeof n);
    if (evs_ckpt_status(ck)) return evs_ckpt_status(ck);
    if (n != g->n[r])
      return evs_ckpt_refuse(ck,
                             "population %s: %u slots of inputs ahead "
                             "saved, %u here",
                             pop_name, (unsigned)n, (unsigned)g->n[r]);
    for (uint64_t i = 0; loading && g->slot[r] && i <= g->mask[r]; i++) {
      evs__input_list *l = &g->slot[r][i];
      if (l->is_dense) memset(l->dense, 0, g->stride * sizeof *l->dense);
      l->len = 0;
      l->is_dense = 0;
      list_room(g, l);
    }
    /* each step's sum in the sum array (all +0 between ticks), as the
     * tick would take it, then cleared */
    double *sum = g->sum[r];
    for (uint32_t i = 1; i <= n; i++) {
      int64_t k = k_now + (int64_t)i;
      evs__input_list *l = &g->slot[r][(uint64_t)k & g->mask[r]];
      if (!loading && l->is_dense) {
        evs_ckpt_neurons(ck, l->dense, size, sizeof *l->dense);
        continue;
      }
      if (!loading) {
        size_t len = l->len, room = l->room;
        evs__input_ring_take(g, r, k);
        l->len = len; /* kept: the run goes on */
        l->room = room;
      }
      evs_ckpt_neurons(ck, sum, size, sizeof *sum);
      if (evs_ckpt_status(ck)) break;
      if (loading && load_sums(g, l, sum, size)) {
        memset(sum, 0, size * sizeof *sum);
        return evs_ckpt_refuse(ck,
                               "population %s: the inputs ahead of a "
                               "neuron are not a sum of floats (or out of "
                               "memory)",
                               pop_name);
      }
      memset(sum, 0, size * sizeof *sum);
    }
  }
  return evs_ckpt_status(ck);
}
