/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the built-in neuron types, rules and default plug-ins,
 * as tables made from the one list src/registry.def (src/registry.c). */
#ifndef EVSNN_REGISTRY_H
#define EVSNN_REGISTRY_H

#include <stddef.h>

#include "core/plugin.h"
#include "core/neuron_type.h"
#include "evsnn/rule.h"

/* The built-in neuron and source types, in list order. */
extern const evs_neuron_type *const evs__registry_neurons[];
extern const size_t evs__registry_n_neurons;

/* The built-in learning rules, in list order. */
extern const evs_rule_type *const evs__registry_rules[];
extern const size_t evs__registry_n_rules;

/* The plug-ins every net gets, in the order their hooks run. */
extern const evs_plugin_type *const evs__registry_plugins[];
extern const size_t evs__registry_n_plugins;

#endif
