/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private to IF_cond_ampa_nmda (cond_nmda.c, in double precision)
 * and its single-precision variant (cond_nmda_single.c, the population key
 * precision = single: IF_cond_ampa_nmda_single): the state both keep, and
 * what the double type lends the single one. */
#ifndef EVSNN_COND_NMDA_H
#define EVSNN_COND_NMDA_H

#include "neurons/cond_math.h"

/* exp(-x) in float for 0 <= x <= COND_XMAX: the degree-5 polynomial
 * interpolating exp(-x) at the Chebyshev nodes of [0, 0.5] in powers of
 * y = x - 0.25, its coefficients rounded to float (50-digit arithmetic,
 * doc/zenke2013.md). Relative error <= 2.25 u (u = 2^-24): the polynomial
 * with these coefficients is within 0.40 u of exp(-x) on [0, 0.5] (its
 * interpolation error alone 2 (1/8)^6 / 6! / e^{-1/2} = 0.29 u), and
 * Horner's roundings add at most u + 0.5 u / e^{-1/2} = 1.83 u (|y| <=
 * 1/4 damps the inner steps'); tests/check_cond_nmda.c measures 1.62 u.
 * cond_vec.h's COND_VEC_EXP_POLY_F is the same in vectors. */
static inline float exp_neg_poly_f(float x) {
  const float y = x - 0.25f;
  float p = y * -6.504507270e-03f + 3.255156800e-02f;
  p = p * y + -1.297997832e-01f;
  p = p * y + 3.893980086e-01f;
  p = p * y + -7.788007855e-01f;
  p = p * y + 7.788007855e-01f;
  return p;
}

/* V: single precision sets a threshold offset th that decays below this to
 * 0. It would reach float's subnormals 0.43 s after a spike (tau_thr = 5
 * ms), where a multiplication costs many times a normal one: 27 % of B7's
 * float step sat on th's; the flush leaves v_thresh + th the same float
 * unless |v_thresh| < 2^-76 V. */
#define NMDA_TH_MIN 0x1p-100f

struct nmda_state;
/* The vector step (cond_nmda_step.h) of the lanes chosen at init. */
typedef void (*nmda_step_fn)(struct nmda_state *restrict s, uint32_t lo,
                             uint32_t n, double t0, int pending, int refr,
                             uint32_t *thr);

/* The single-precision state, [c.cap] floats each: what the double type
 * keeps in c.v, c.ge, c.gi, c.pe, c.pi, c.ib, gn and th. */
typedef struct nmda_single {
  float *v, *ga, *gn, *gi; /* V, S, S, S */
  float *th;               /* V, the threshold offset */
  float *pe, *pi;          /* S, inputs waiting for the next tick */
  float *ib;               /* A, (float) of c.ib, which stays the sum */
} nmda_single;

typedef struct nmda_state {
  evs__cond_base c;  /* v, g_A (c.ge), g_G (c.gi), ...: first member */
  double *gn, *th;   /* S, V: g_NMDA and the threshold offset, [c.cap] each
                        (NULL in single precision) */
  double a_ampa;     /* r / (1 + r) */
  double a_nmda;     /* 1 / (1 + r) */
  double dn, can;    /* g_N <- dn g_N + can g_A (exact propagator) */
  double dth;        /* exp(-dt / tau_thr) */
  double thr_jump;   /* V */
  double v_lo, v_hi; /* V: the clip, e_rev_I and e_rev_E */
  double until_max;  /* s: the latest end of a refractory period (c.until)
                        set; COND_NEVER: none */
  nmda_step_fn step; /* the widest cond_nmda_step.h the processor runs */
  nmda_single *f;    /* single precision: the state in float, which the
                        steps and hooks use instead of c.v .. c.ib, gn,
                        th (c.until stays: times need doubles); NULL in
                        double precision */
} nmda_state;

/* What the single type shares with the double one (cond_nmda.c): the
 * parameter table; the hooks of core/neuron_type.h init (a double state),
 * destroy (the double state: the single type frees s->f first),
 * check_change and change (the constants in double, c.ib moved; the
 * single type then copies c.ib into f->ib); the recordables; and
 * evs__nmda_derive: the constants beyond the base's from the parameters p
 * (the AMPA/NMDA split, the propagators of g_N and th, the jump, the
 * clip). */
#define EVS__NMDA_N_PARAMS 18
extern const evs_param_def evs__nmda_params[EVS__NMDA_N_PARAMS];
int evs__nmda_init(evs_pop *pop, evs_error *err);
void evs__nmda_destroy(evs_pop *pop);
int evs__nmda_check_change(const evs_pop *next, int k, evs_error *err);
int evs__nmda_change(evs_pop *pop, const evs_pop *old, int k, double t);
extern const evs_recordable evs__nmda_recordables[5];
void evs__nmda_derive(const double *p, nmda_state *s);

#endif
