/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — Philox-4x32-10 for a run of consecutive counters at once (the
 * background input of clocked populations draws a block per neuron every
 * four steps). */
#ifndef EVS_BASE_PHILOX_LANES_H
#define EVS_BASE_PHILOX_LANES_H

#include <stddef.h>
#include <stdint.h>

/* Lanes the run is computed in: evs__philox4x32_run writes its output up
 * to n rounded up to a multiple of this. */
#define EVS_PHILOX_RUN_LANES 32

/* The Philox-4x32-10 blocks of the n counters {c0, c1 + l, c2, c3}, l = 0
 * .. n - 1, under the key {k0, k1}: out[i * stride + l] is word i of lane
 * l's block, the same word as Random123's philox4x32 (c1 + l wraps modulo
 * 2^32). The lanes from n up to n rounded up to EVS_PHILOX_RUN_LANES are
 * written too (the blocks of the counters that follow), so stride must be
 * at least that. Computed in the widest vectors the processor has (two
 * vectors of 16 lanes with AVX-512, 8 with AVX2, 4 with SSE2, else one
 * block at a time);
 * integer arithmetic only, so the words do not depend on which. */
void evs__philox4x32_run(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                         uint32_t k0, uint32_t k1, size_t n, uint32_t *out,
                         size_t stride);

#endif
