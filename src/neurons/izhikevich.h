/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: Izhikevich (izhikevich.c), the simple model of
 * Izhikevich (2003). The type's descriptor is declared in neurons/types.h;
 * this header adds the state probe its tests use. Not installed. */
#ifndef EVSNN_IZHIKEVICH_H
#define EVSNN_IZHIKEVICH_H

#include <stdint.h>

#include "core/net_impl.h"

/* The recovery variable u (mV/ms, the same number as V/s) of neuron id
 * (< pop->size) of an initialised Izhikevich population, at the state time
 * (the last tick). For tests and diagnostics; O(1). */
double evs__izh_u(const evs_pop *pop, uint32_t id);

#endif
