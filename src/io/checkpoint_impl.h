/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private to the checkpoint stream's kit (io/checkpoint.c, the
 * stream, and io/checkpoint_parts.c, an object held in parts): the calls a
 * part's walk records, which the stream's calls hand to the parts' code. */
#ifndef EVSNN_IO_CHECKPOINT_IMPL_H
#define EVSNN_IO_CHECKPOINT_IMPL_H

#include <stddef.h>

#include "io/checkpoint.h"

/* The kinds of calls a part's walk records (checkpoint_parts.c). */
enum {
  EVS_CKOP_BYTES,
  EVS_CKOP_FIXED,
  EVS_CKOP_ARRAY,
  EVS_CKOP_NEURONS,
  EVS_CKOP_ROWS,
  EVS_CKOP_GROUPS,
  EVS_CKOP_SYNAPSES,
  EVS_CKOP_COUNT,
  EVS_CKOP_ANY
};

/* A call of kind (EVS_CKOP_*, not ARRAY) on p (n elements of elem bytes)
 * in a part's walk (ck->mode is not EVS_CK_FILE). EVS_OK or the first
 * error. */
int evs__ckpt_part_op(evs_ckpt *ck, int kind, void *p, size_t n, size_t elem);

/* evs_ckpt_array's call in a part's walk. */
int evs__ckpt_part_array(evs_ckpt *ck, void **p, size_t *n, size_t *cap,
                         size_t elem);

#endif
