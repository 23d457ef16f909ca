/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: Tsodyks–Markram short-term plasticity on a projection.
 *
 * Every delivery group of a projection (a presynaptic neuron's synapses with
 * one delay: the whole row when the projection has one delay) keeps a
 * utilisation u and a fraction of available resources x. Between spikes
 *   du/dt = (U - u) / tau_f,   dx/dt = (1 - x) / tau_d;
 * at a spike arriving at t, in this order (Brian2's example
 * examples/synapses/STP.py; Auryn's STPConnection and the P11Connection of
 * Zenke, Agnes & Gerstner 2015, push_attributes):
 *   the synapses receive w * u * x   (u, x just before the spike),
 *   x -= u x,
 *   u += U (1 - u).
 * Start: u = U, x = 1 (the resting state). tau_f = 0 means no facilitation
 * (u = U at every spike). The state is advanced lazily at the group's own
 * arrivals in closed form (two exp() per arrival, none per synapse):
 *   u(t) = U + (u_a - U) e^{-(t - t_a)/tau_f},  x(t) = 1 + (x_a - 1) e^{-(t -
 * t_a)/tau_d}, where (u_a, x_a) is the state just after the previous arrival at
 * t_a. Groups with different delays see the same train shifted, so per-group
 * state is exact for any delays. The factor scales the weights handed to
 * the post type's deliver() through a scratch buffer (the stored weights,
 * which a learning rule may change, are untouched): evs_net_set_stp (stp.c)
 * gives the projection this as its delivery filter (core/plugin.h), made
 * with the projection at the build. */
#ifndef EVSNN_STP_H
#define EVSNN_STP_H

#include <stddef.h>
#include <stdint.h>

#include "core/plugin.h"

/* The short-term plasticity of one projection. */
typedef struct evs_stp {
  double U;         /* utilisation increment and resting value, (0, 1] */
  double tau_d;     /* s: recovery time of the resources x (> 0) */
  double tau_f;     /* s: decay time of the facilitation u (0: none) */
  double rate_d;    /* 1/s: 1 / tau_d */
  double rate_f;    /* 1/s: 1 / tau_f, or 0 when tau_f = 0 */
  uint64_t n;       /* delivery groups (state entries) */
  double *u, *x;    /* [n] state just after the last arrival */
  double *t_last;   /* [n] s: time of the last arrival */
  size_t max_group; /* synapses of the largest delivery group */
} evs_stp;

/* Checks U in (0, 1], tau_d > 0 and tau_f >= 0 (all finite). Returns EVS_OK,
 * or EVS_EINVAL with a message naming the projection in err. */
int evs__stp_check(const char *proj, double U, double tau_d, double tau_f,
                   evs_error *err);

/* Creates the state of projection p (its CSR built), one entry per delivery
 * group, every entry at rest; *out owns it (evs__stp_free). Returns EVS_OK,
 * EVS_EINVAL (bad parameters) or EVS_ENOMEM, with a message in err. O(rows). */
int evs__stp_new(evs_stp **out, const evs_csr *m, const char *proj, double U,
                 double tau_d, double tau_f, evs_error *err);

/* Frees s (NULL is fine). */
void evs__stp_free(evs_stp *s);

/* Index of the delivery group of row and group g (0 when the projection has
 * one delay) in the state arrays. */
static inline uint64_t evs__stp_group(const evs_csr *m, uint32_t row,
                                      uint32_t g) {
  return m->grp_ptr ? m->grp_ptr[row] + g : row;
}

/* A spike reaches group k at time t (not before its previous arrival):
 * returns u * x just before it and advances the state past it. */
double evs__stp_spike(evs_stp *s, uint64_t k, double t);

/* Writes w[i] * f into out[i] for i < n (the weights the post type
 * receives). */
static inline void evs__stp_scale(float *out, const float *w, size_t n,
                                  double f) {
  for (size_t i = 0; i < n; i++) out[i] = (float)(w[i] * f);
}

#endif
