/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — Philox-4x32-10 for four counters at once (the background input of
 * clocked populations draws a block per neuron every four steps). */
#ifndef EVS_BASE_PHILOX_LANES_H
#define EVS_BASE_PHILOX_LANES_H

#include <stdint.h>

/* The Philox-4x32-10 blocks of the four counters {c0, c1 + l, c2, c3}, l =
 * 0..3, under the key {k0, k1}: out[i][l] is word i of lane l's block, the
 * same word as Random123's philox4x32 (c1 + l wraps modulo 2^32). With
 * SSE2 the four lanes run in one vector (about 2.5 times fewer
 * instructions than four calls of philox4x32), else one after the other. */
void evs__philox4x32_lanes(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                           uint32_t k0, uint32_t k1, uint32_t out[4][4]);

#endif
