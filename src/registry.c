/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the registry's tables, made from src/registry.def. */
#include "registry.h"

#define EVS_NEURON(x) extern const evs_neuron_type x;
#define EVS_RULE(x) extern const evs_rule_type x;
#define EVS_PLUGIN(x) extern const evs_plugin_type x;
#include "registry.def"
#undef EVS_NEURON
#undef EVS_RULE
#undef EVS_PLUGIN

#define EVS_NEURON(x) &x,
#define EVS_RULE(x)
#define EVS_PLUGIN(x)
const evs_neuron_type *const evs__registry_neurons[] = {
#include "registry.def"
};
#undef EVS_NEURON
#undef EVS_RULE
#define EVS_NEURON(x)
#define EVS_RULE(x) &x,
const evs_rule_type *const evs__registry_rules[] = {
#include "registry.def"
};
#undef EVS_RULE
#undef EVS_PLUGIN
#define EVS_RULE(x)
#define EVS_PLUGIN(x) &x,
const evs_plugin_type *const evs__registry_plugins[] = {
#include "registry.def"
};
#undef EVS_NEURON
#undef EVS_RULE
#undef EVS_PLUGIN

const size_t evs__registry_n_neurons =
    sizeof evs__registry_neurons / sizeof *evs__registry_neurons;
const size_t evs__registry_n_rules =
    sizeof evs__registry_rules / sizeof *evs__registry_rules;
const size_t evs__registry_n_plugins =
    sizeof evs__registry_plugins / sizeof *evs__registry_plugins;
