/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: rate populations and rate-based learning rules.
 *
 * A rate population is a clocked population (EVS_POP_CLOCKED) whose neurons
 * carry a real number r_i (a rate, dimensionless) instead of a membrane
 * potential. It never spikes; its voltage() returns r_i, so the probes of
 * record_v write rates. Each steps every `dt` seconds (its parameter; 0: the
 * run's resolution), at t = dt, 2 dt, ... (core/run.c): periodic events at
 * equal times pop in population creation order, so a population reads its
 * presynaptic populations' rates of the same step when they were created
 * before it (feed-forward order), else their previous step's.
 *
 *   RateGaussian  r(t_k) = mean + L z_k: a zero-mean Gaussian vector of
 *                 covariance C = L L^T redrawn at every step; z_k,j is the
 *                 k-th standard normal of stream (seed, population, j,
 *                 EVS_RNG_INPUT); the shared factor of `corr` uses neuron
 *                 index `size`.
 *   RateConstant  r_i = amplitude_i, constant.
 *   RateLinear    y_i(t_k) = sum over incoming projections p of
 *                 s_p sum_j w_ij x_j(t_k), s_p = +1 (excitatory receptor) or
 *                 -1 (inhibitory), then every incoming projection's rule
 *                 (on_rate) changes the weights with that y.
 * Rate projections have dimensionless weights (weight_scale 1 for
 * EVS_DIM_NONE, 0 otherwise) and connect rate populations only. */
#ifndef EVSNN_RATE_H
#define EVSNN_RATE_H

#include "core/net_impl.h"
#include "rules/plastic.h"

/* The current rates of a rate population (size values), or NULL when pop is
 * not a rate population. Valid until the population is freed. */
const double *evs__rate_values(const evs_pop *pop);

/* 1 if type is one of the rate population types, else 0. */
int evs__rate_is_rate_type(const evs_neuron_type *type);

/* Lower Cholesky factor of the symmetric positive semidefinite n x n matrix
 * c (row-major) into l (row-major, upper triangle zeroed). A pivot below
 * -1e-10 max|c_ii| makes the matrix not semidefinite: returns -1 (l is
 * garbage); pivots within that tolerance of 0 give a zero column. Returns 0.
 * O(n^3). */
int evs__rate_cholesky(const double *c, double *l, uint32_t n);

/* The types (rate.c). */
extern const evs_neuron_type evs__rate_gaussian;
extern const evs_neuron_type evs__rate_constant;
extern const evs_neuron_type evs__rate_linear;

/* The rate rules (rate_rules.c): rate_hebb, rate_oja,
 * rate_bcm. They have only on_rate and
 * run on projections between rate populations into a RateLinear. */
extern const evs_rule_type evs__rule_hebb;
extern const evs_rule_type evs__rule_oja;
extern const evs_rule_type evs__rule_bcm;

/* The sliding thresholds of a bcm rule instance (one per postsynaptic
 * neuron), or NULL when pl is not a bcm rule. */
const double *evs__rule_bcm_theta(const evs_rule *pl);

#endif
