/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — event-driven simulation of spiking networks with plasticity.
 * The umbrella header: includes every public module. */
#ifndef EVSNN_EVSNN_H
#define EVSNN_EVSNN_H

#include "checkpoint.h"
#include "csr.h"
#include "current.h"
#include "dist.h"
#include "error.h"
#include "event.h"
#include "export.h"
#include "model.h"
#include "model_desc.h"
#include "net.h"
#include "neuron.h"
#include "plugin.h"
#include "rng.h"
#include "rule.h"
#include "spikes.h"
#include "superspike.h"
#include "units.h"

/* The library's version string, "MAJOR.MINOR.PATCH". */
EVS_API const char *evs_version(void);

#endif
