/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a GCC vector (vector_size) loaded from, or stored to, memory of
 * any alignment: memcpy, which the compiler turns into one unaligned load
 * or store. Used by the clocked neurons' vector passes (cond_step.h,
 * lif_grid_step.h). */
#ifndef EVSNN_BASE_VEC_IO_H
#define EVSNN_BASE_VEC_IO_H

#include <string.h>

/* Vector x from the elements at p. */
#define VEC_LOAD(x, p) memcpy(&(x), (p), sizeof(x))

/* Vector x to the elements at p. */
#define VEC_STORE(p, x)                                                        \
  do {                                                                         \
    __typeof__(x) stored_ = (x);                                               \
    memcpy((p), &stored_, sizeof stored_);                                     \
  } while (0)

#endif
