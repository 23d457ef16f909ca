/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: what the clocked conductance types share
 * (cond.c: IF_cond_exp, cond_sfa.c: IF_cond_exp_gsfa_grr, cond_nmda.c:
 * IF_cond_ampa_nmda): numerical helpers (static inline), the common state
 * and its functions (evs__cond_*, defined in cond_base.c), and the state
 * probe of cond_sfa.c for its tests. */
#ifndef EVSNN_COND_MATH_H
#define EVSNN_COND_MATH_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/net_impl.h"

/* Largest argument of the polynomial exp(-x); larger ones call exp(). */
#define COND_XMAX 0.5

/* exp(-x) for 0 <= x <= COND_XMAX: the degree-8 polynomial interpolating
 * exp(-x) at the Chebyshev nodes of [0, 0.5], in powers of y = x - 0.25
 * (coefficients computed with 50-digit arithmetic). Relative error
 * < 6e-14 on [0, 0.5] (a Taylor polynomial needs degree 12 for that);
 * branch-free so the step loop vectorises. */
static inline double exp_neg_poly(double x) {
  const double y = x - 0.25;
  double p = 1.9345065693677845355090417e-05;
  p = p * y + -1.5482593791572832786669622e-04;
  p = p * y + 1.0816663293058213345804175e-03;
  p = p * y + -6.4899923673713624805436950e-03;
  p = p * y + 3.2450032657143100534025137e-02;
  p = p * y + -1.2980013075786056564453474e-01;
  p = p * y + 3.8940039153546379679937672e-01;
  p = p * y + -7.7880078307024969141991733e-01;
  p = p * y + 7.7880078307140532256624965e-01;
  return p;
}

/* max(z, 0) without a comparison: GCC does not if-convert floating-point
 * comparisons under the default -ftrapping-math, so a ?: would keep the step
 * loop scalar. Exact (z + |z| is 2z or 0). */
static inline double relu(double z) { return 0.5 * (z + fabs(z)); }

/* The part of the step (t0, t0 + dt] in which a neuron refractory until
 * `until` is not: dt, 0 while the refractory period lasts, the rest of the
 * step when it ends inside. Branch-free, so the step loops vectorise. */
static inline double free_time(double until, double t0, double dt) {
  return relu(dt - relu(until - t0));
}

/* exp(-x) by the polynomial (pass 1 of the step loops), with a word ORed
 * into *acc whose top bit is set when x lies outside [0, COND_XMAX] or is
 * NaN (lim: the bit pattern of COND_XMAX): then the caller recomputes the
 * factor with exp_neg_exact. Integer tests keep the loop vectorised (for
 * x >= 0 the IEEE bit pattern orders like x); they are done in unsigned
 * arithmetic, which wraps: x < 0 (negative initial conductances can make
 * g_tot < 0) has the top bit of b set, x > COND_XMAX makes lim - b wrap to
 * a word with the top bit set. */
static inline double exp_neg_checked(double x, uint64_t lim, uint64_t *acc) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  *acc |= (lim - b) | b;
  return exp_neg_poly(x);
}

/* *ex recomputed by libm's exp(-x) when x lies outside the polynomial's
 * range (the rare pass after exp_neg_checked flagged a block). */
static inline void exp_neg_exact(double *ex, double x) {
  if (!(x >= 0 && x <= COND_XMAX)) *ex = exp(-x);
}

/* A word whose top bit is set when v >= vth: the sign bit of v - vth,
 * inverted (v == vth gives +0; a NaN may set it too). ORed over a block it
 * tells, without a branch that would stop the loop vectorising, whether any
 * v may have reached threshold; the caller then tests v >= vth exactly. */
static inline uint64_t threshold_bit(double v, double vth) {
  double d = v - vth;
  uint64_t w;
  memcpy(&w, &d, sizeof w);
  return ~w;
}

/* The vectorised passes are compiled three times, for AVX-512, AVX2 and the
 * baseline, and chosen at load time. No FMA (ISO C: no contraction):
 * every element sees the same IEEE operations either way, so results are
 * bit-identical across machines. (AVX-512 over AVX2: B2 at 4,000, 2 s,
 * medians of 5 alternating runs on a loaded machine 0.668 against 0.687 s,
 * rasters identical.) */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define COND_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef COND_CLONES
#define COND_CLONES
#endif

/* Neurons per block of the step loops (the exp factors of a block are kept
 * on the stack between the vectorised passes). */
#define COND_BLOCK 256
/* Neurons per chunk of a block: IF_cond_exp's step runs over the chunks
 * that hold real neurons and looks for spikes in those where some v may
 * have reached threshold (a divisor of COND_BLOCK, at most 32 chunks). */
#define COND_CHUNK 32
/* "Never refractory": finite, so that until - t0 stays finite. */
#define COND_NEVER (-1e30)

/* The state both types share: the first member of a type's state (or all of
 * it, for IF_cond_exp), so that pop->state points to it. */
typedef struct evs__cond_base {
  /* state, struct of arrays, [cap] each */
  double *v;       /* V, membrane potential */
  double *ge, *gi; /* S, synaptic conductances at the state time */
  double *until;   /* s, end of the refractory period (COND_NEVER: none) */
  double *pe, *pi; /* S, inputs waiting for the next tick */
  double *ib;      /* A, g_L v_rest + i_offset + dc: the constant drive */
  /* parameters and derived constants */
  double g_l;               /* S, cm / tau_m */
  double inv_cm;            /* 1/F */
  double e_e, e_i;          /* V, synaptic reversal potentials */
  double v_reset, v_thresh; /* V */
  double tau_refrac;        /* s */
  double de, di;            /* exp(-dt / tau_syn_E), exp(-dt / tau_syn_I) */
  double dt;                /* s, the step (pop->tick) */
  double t_now;             /* s, time of the state (last tick) */
  double eps;               /* s, tolerance for "delivered at the state time" */
  uint64_t xmax_bits;       /* bit pattern of COND_XMAX */
  uint32_t cap; /* allocated neurons: size rounded up to COND_BLOCK */
  int pending;  /* 1: pe/pi hold something */
} evs__cond_base;

/* Where a type keeps the shared parameters in its table (indices into
 * pop->par, pop->dist and params), and which parameters it checks. The
 * parameters v_rest .. i_offset must be contiguous (all checked finite). */
typedef struct evs__cond_layout {
  const char *type;            /* type name, for messages */
  const evs_param_def *params; /* the type's parameter table */
  const int *positive;         /* must be > 0 and finite */
  size_t n_positive;
  const int *nonneg; /* must be >= 0 and finite */
  size_t n_nonneg;
  int cm, tau_m, tau_syn_e, tau_syn_i, tau_refrac, v_rest, v_reset, v_thresh,
      e_rev_e, e_rev_i, i_offset, v_init, gsyn_exc_init, gsyn_inh_init;
} evs__cond_layout;

/* Checks pop's parameters and clock step per L, then allocates a zeroed
 * state of state_size bytes (>= sizeof(evs__cond_base), the base its first
 * member) into pop->state and fills the base: arrays for COND_BLOCK-padded
 * neurons, derived constants, and per-neuron initial values drawn from
 * stream (seed, population, i, EVS_RNG_INIT) in the order v_init,
 * gsyn_exc_init, gsyn_inh_init. Returns EVS_OK, EVS_EMODEL / EVS_EINVAL
 * (bad parameters, with a message in err) or EVS_ENOMEM; on failure after
 * the allocation pop->state stays set, for the type's destroy. */
int evs__cond_init(evs_pop *pop, const evs__cond_layout *L, size_t state_size,
                   evs_error *err);

/* The base's checks of pop's parameters (laid out as L says) and its clock
 * step: each error names its parameter (evs_error.key), so that a model
 * file reports it at that key's line. EVS_OK or EVS_EMODEL / EVS_EINVAL
 * with a message in err. The build and a change between phases run it. */
int evs__cond_check(const evs_pop *pop, const evs__cond_layout *L,
                    evs_error *err);

/* The base's constants that follow from the parameters p (laid out as L
 * says) and the step dt (s): leak conductance, 1/cm, reversal potentials,
 * reset, threshold and refractory period, the conductances' decay per
 * step, the tolerance of "at the state time". */
void evs__cond_derive(const double *p, const evs__cond_layout *L, double dt,
                      evs__cond_base *s);

/* The base's check_change (core/neuron_type.h) of a type whose every
 * parameter but the initial values is one value for the population: the
 * initial values (v_init, gsyn_exc_init, gsyn_inh_init) are refused with
 * their key, the rest checked as evs__cond_check checks them. EVS_OK or
 * the error. */
int evs__cond_check_change(const evs_pop *next, int k,
                           const evs__cond_layout *L, evs_error *err);

/* The base's part of such a type's change (core/neuron_type.h): the
 * parameters of pop (a population or a thread's slice) are now pop->par,
 * old->par before; from the state time on the steps take the constants
 * derived anew (evs__cond_derive), every neuron's drive ib moves by the
 * change of g_L v_rest + i_offset (what dc and current sources added
 * stays), v and the conductances are kept. The type derives its own
 * constants after it. */
void evs__cond_change(evs_pop *pop, const evs_pop *old,
                      const evs__cond_layout *L);

/* Sets err to "out of memory" for pop; returns EVS_ENOMEM. */
int evs__cond_nomem(const evs_pop *pop, evs_error *err);

/* Frees the base's arrays and the state pop->state, sets it to NULL; a
 * type with more arrays frees them first. No-op without a state. */
void evs__cond_destroy(evs_pop *pop);

/* Saves or loads (evsnn/checkpoint.h) the base's state: v, g_e, g_i,
 * refractory ends, pending inputs, the drive (current sources change it),
 * the state time. EVS_OK or the checkpoint's error. */
int evs__cond_checkpoint(evs_pop *pop, struct evs_ckpt *ck);

/* The type hooks both types share (see evs_neuron_type in core/neuron_type.h):
 * weights are conductances (S), constant inputs currents (A); deliver adds
 * to g_e / g_i at once when t is the state time, else at the next tick;
 * voltage is v at the state time. */
double evs__cond_weight_scale(const evs_pop *pop, evs_dim dim);
double evs__cond_dc_scale(const evs_pop *pop, evs_dim dim);
void evs__cond_deliver(evs_pop *pop, double t, int receptor,
                       const uint32_t *target, const float *weight,
                       float shared, size_t n);
void evs__cond_deliver16(evs_pop *pop, double t, int receptor,
                         const uint16_t *target, const float *weight,
                         float shared, size_t n);
double evs__cond_voltage(evs_pop *pop, uint32_t id, double t);
/* inject adds delta (A) to ib at once: callers give tick times (the
 * current sources round up), so the new current drives the steps after
 * t. The recordables are gsyn_exc and gsyn_inh (S), state gives them at
 * the state time; a type with more variables lists these two first. */
void evs__cond_inject(evs_pop *pop, uint32_t id, double t, double delta);
extern const evs_recordable evs__cond_recordables[2];
double evs__cond_state(evs_pop *pop, uint32_t id, double t, int var);

/* One step of the block of COND_BLOCK neurons starting at lo, from
 * t - dt to t; only the m real neurons can spike. */
typedef int (*evs__cond_step_fn)(evs_pop *pop, double t, uint32_t lo,
                                 uint32_t m);

/* The tick hook: steps every block with step, then clears the pending
 * inputs and sets the state time to t. Returns EVS_OK or step's error. */
int evs__cond_tick(evs_pop *pop, double t, evs__cond_step_fn step);

/* IF_cond_exp_gsfa_grr (cond_sfa.c): the adaptation and relative-refractory
 * conductances of neuron id (< pop->size) of an initialised population of
 * that type, at the state time (the last tick), in siemens. For tests and
 * diagnostics; O(1). */
void evs__cond_sfa_probe(const evs_pop *pop, uint32_t id, double *g_sfa,
                         double *g_rr);

#endif
