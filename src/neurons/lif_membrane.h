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

/* The refusals the three types share before parameter k changes after
 * the build (evs_neuron_type.check_change): cm and tau_m (R = tau_m / cm
 * scales the weights and currents the net holds) and v_init (the value at
 * t = 0). EVS_OK for any other k, else evs__bad_param's error. */
int evs__lif_check_fixed(const evs_pop *next, int k, evs_error *err);

/* Factor of a weight (or DC input) of dimension dim into volts of the
 * synaptic terms: R = tau_m / cm for a current (cm the population's
 * value: the exact types keep each neuron's state in units of its own cm
 * over it), 1 for a voltage unless cm differs between neurons (a voltage
 * would then need each neuron's scale per synapse), else 0 (the table's
 * P_CM and P_TAU_M, as above). */
double evs__lif_weight_scale(const evs_pop *pop, evs_dim dim);

/* Neuron j's (of pop, a population or a thread's slice) v_rest + r_m
 * i_offset as the parameters of p give them (p: pop as it is, or as it was
 * before a change): init's per-neuron values, read again in its order
 * (v_init, v_rest, i_offset) from the neuron's stream (seed, population,
 * p->first + j, EVS_RNG_INIT). The table's P_V_REST, P_I_OFFSET and
 * P_V_INIT, as above. */
double evs__lif_equilibrium(const evs_pop *p, uint32_t j, double r_m);

/* Neuron j's values of the per-neuron parameters (SI). */
typedef struct lif_values {
  double v_init, v_rest, i_offset, v_thresh, v_reset, tau_ref, cm;
} lif_values;

/* Reads neuron j's (of p, a population or a thread's slice) per-neuron
 * values from the neuron's stream (seed, population, p->first + j,
 * EVS_RNG_INIT) in the documented order, the table's with the initial
 * value first: v_init, cm, tau_refrac, v_rest, v_reset, v_thresh,
 * i_offset (evs__pop_value draws only for a distribution, so where cm,
 * tau_refrac, v_reset and v_thresh are single values v_init, v_rest and
 * i_offset are drawn as before those could differ). own 0 (they are single
 * values: !evs__lif_own_varies(p)): those four are not read but taken
 * from p->par, the same values and draws for less work. Read again after
 * a change between phases, the values the change left are init's (a
 * parameter drawn at the build and changed since still takes its draws:
 * evs__pop_value). */
void evs__lif_values(const evs_pop *p, uint32_t j, int own, lif_values *v);

/* The exact types' own constants of a neuron when v_thresh, v_reset,
 * tau_refrac or cm differ between neurons: its threshold, reset,
 * refractory period, and scale = cm / the population's cm (the unit of its
 * state: lif.c, "Per-neuron parameters"). */
typedef struct lif_own {
  double v_thresh, v_reset, tau_ref, scale;
} lif_own;

/* 1 when v_thresh, v_reset, tau_refrac or cm of p may differ between its
 * neurons (a distribution or values per neuron): the exact types then keep
 * a lif_own per neuron. */
int evs__lif_own_varies(const evs_pop *p);

/* Neuron j's own constants from its values v (p's cm the scale's unit). */
lif_own evs__lif_own_of(const evs_pop *p, const lif_values *v);

/* Checks neuron j's values v of v_thresh, v_reset, tau_refrac and cm, as
 * evs__lif_check_membrane checks the population's: cm positive, tau_refrac
 * not negative, v_reset below v_thresh. EVS_OK, or EVS_EINVAL with
 * "population P: NAME of neuron J ..." about the first that fails. */
int evs__lif_check_neuron(const evs_pop *p, uint32_t j, const lif_values *v,
                          evs_error *err);

/* Before parameter k of the exact types changes after the build (next: the
 * whole population with the new values): each neuron's values checked
 * with evs__lif_check_neuron when k is v_thresh, v_reset or tau_refrac and
 * they may differ between neurons. EVS_OK or its error. */
int evs__lif_check_own_change(const evs_pop *next, int k, evs_error *err);

/* n own constants, each the population's v_thresh, v_reset and
 * tau_refrac of p and scale 1 (malloc'd; NULL: out of memory): the
 * neurons' constants until now when one starts to differ between phases. */
lif_own *evs__lif_own_uniform(const evs_pop *p, uint32_t n);

/* The field of o that holds parameter k (v_thresh, v_reset or
 * tau_refrac). */
double *evs__lif_own_param(lif_own *o, int k);

/* The new value of parameter k of neuron j after a change between phases
 * (next's values per neuron, else its single value: a distribution is
 * drawn at the build only). */
double evs__lif_changed_value(const evs_pop *next, int k, uint32_t j);

#endif
