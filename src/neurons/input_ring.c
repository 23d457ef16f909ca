/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the ring buffers of a clocked type's inputs delivered ahead
 * (neurons/input_ring.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/error.h"
#include "neurons/input_ring.h"

/* Ring r with at least n slots (see evs__input_ring_reserve). */
static int reserve_one(evs__input_ring *g, int r, uint32_t n, size_t size) {
  if (n <= g->n[r]) return EVS_OK;
  double *ring = aligned_alloc(64, n * g->stride * sizeof *ring);
  if (!ring) return EVS_ENOMEM;
  memset(ring, 0, n * g->stride * sizeof *ring);
  for (uint32_t i = 1; i <= g->n[r]; i++)
    memcpy(ring + (size_t)((g->k_now + i) % n) * g->stride,
           evs__input_ring_slot(g, r, g->k_now + i), size * sizeof *ring);
  free(g->slot[r]);
  g->slot[r] = ring;
  g->n[r] = n;
  return EVS_OK;
}

int evs__input_ring_reserve(evs__input_ring *g, const double span[2],
                            size_t size, size_t stride, double h) {
  /* 64-byte aligned slots: stride a multiple of 8 doubles */
  g->stride = (stride + 7) / 8 * 8;
  g->h = h;
  g->inv_h = 1 / h;
  for (int r = 0; r < 2; r++) {
    double s = span[r] > h ? span[r] : h;
    /* the state time may lag a step behind the hand-over, and the arrival
     * rounds up to a step */
    uint32_t n = (uint32_t)ceil(s / h - 1e-6) + 2;
    if (reserve_one(g, r, n, size)) return EVS_ENOMEM;
  }
  return EVS_OK;
}

void evs__input_ring_free(evs__input_ring *g) {
  for (int r = 0; r < 2; r++) {
    free(g->slot[r]);
    g->slot[r] = NULL;
    g->n[r] = 0;
  }
}

int evs__input_ring_checkpoint(evs__input_ring *g, int64_t k_now, size_t size,
                               const char *pop_name, evs_ckpt *ck) {
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
    for (uint32_t i = 1; i <= n; i++)
      evs_ckpt_neurons(ck, evs__input_ring_slot(g, r, k_now + i), size,
                       sizeof(double));
  }
  return evs_ckpt_status(ck);
}
