/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: what the current-based LIF types share about their
 * membrane (IF_curr_exp in lif.c and lif_setup.c, IF_curr_exp_grid in
 * lif_grid.c, IF_curr_alpha in lif_alpha.c): its parameters' checks, the
 * scale of weights and constant inputs, a neuron's equilibrium (which a
 * change between phases moves). */
#ifndef EVSNN_NEURONS_LIF_MEMBRANE_H
#define EVSNN_NEURONS_LIF_MEMBRANE_H

#include "core/net_impl.h"

/* Checks the membrane's parameters of pop, whose type's table starts with
 * cm, tau_m, tau_syn_E, tau_syn_I, tau_refrac, v_rest, v_reset, v_thresh,
 * i_offset (lif_params.h's P_CM .. P_I_OFFSET, in this order): all finite,
 * the four first positive, tau_refrac not negative, v_reset below
 * v_thresh, each synaptic time constant apart from tau_m (distinct: what
 * the error says after "must differ from tau_m", naming the type's
 * reason). Returns EVS_OK or evs__bad_param's error about the first
 * parameter that fails, in that order. */
int evs__lif_check_membrane(const evs_pop *pop, const char *distinct,
                            evs_error *err);

/* Factor of a weight (or DC input) of dimension dim into volts of the
 * synaptic terms: R = tau_m / cm for a current, 1 for a voltage, else 0
 * (the table's P_CM and P_TAU_M, as above). */
double evs__lif_weight_scale(const evs_pop *pop, evs_dim dim);

/* Neuron j's (of pop, a population or a thread's slice) v_rest + r_m
 * i_offset as the parameters of p give them (p: pop as it is, or as it was
 * before a change): init's per-neuron values, read again in its order
 * (v_init, v_rest, i_offset) from the neuron's stream (seed, population,
 * p->first + j, EVS_RNG_INIT). The table's P_V_REST, P_I_OFFSET and
 * P_V_INIT, as above. */
double evs__lif_equilibrium(const evs_pop *p, uint32_t j, double r_m);

#endif
