/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: EIF_cond_exp_isfa_ista (adex.c), the adaptive
 * exponential integrate-and-fire neuron. The type's descriptor is declared in
 * neurons/types.h; this header adds the state probe its tests use. Not
 * installed. */
#ifndef EVSNN_ADEX_H
#define EVSNN_ADEX_H

#include <stdint.h>

#include "core/net_impl.h"

/* The adaptation current w (amperes) of neuron id (< pop->size) of an
 * initialised EIF_cond_exp_isfa_ista population, at the state time (the last
 * tick). For tests and diagnostics; O(1). */
double evs__adex_w(const evs_pop *pop, uint32_t id);

#endif
