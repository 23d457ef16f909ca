/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private to IF_curr_exp's exact mode: the neuron record and the
 * population's state (lif.c has the dynamics and the model in its top
 * comment; lif_setup.c the parameters' checks, derived constants, the
 * state's allocation and its checkpoint). */
#ifndef EVS_LIF_IMPL_H
#define EVS_LIF_IMPL_H

#include <math.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/net_impl.h"
#include "neurons/expsum.h"
#include "neurons/lif_membrane.h"
#include "neurons/lif_params.h"

/* Rebase t0 before exp((t - t0)/tau) exceeds exp(REBASE_SPAN). */
#define REBASE_SPAN 40.0

/* One neuron's state: one cache line holds everything an input touches. */
typedef struct lif_neuron {
  double c[3];   /* V: coefficients of E_m, E_E, E_I (the voltage
                    responses to the leak, x_E and x_I) */
  double t_safe; /* s: u < -margin before this time unless excited again;
                    while refractory: the end of the refractory period */
  double margin; /* V: distance below threshold certified until t_safe
                    (below 0 once an input used it up, until the input's
                    delivery certifies anew); REFRACTORY until the reset at
                    t_safe is applied */
  /* V: v_rest + R (i_offset + dc) - v_thresh, the constant term */
  double drive;
  evs_cal_slot cal; /* where the calendar filed the neuron */
} __attribute__((aligned(64))) lif_neuron; /* one cache line each */

/* The margin of a refractory neuron: +inf, which inputs cannot use up
 * (inf - x = inf), so a delivery needs no refractory test. */
#define REFRACTORY INFINITY

_Static_assert(sizeof(lif_neuron) == 64, "a neuron fills one cache line");

static inline int refractory(const lif_neuron *n) {
  return n->margin == REFRACTORY;
}

typedef struct lif_state {
  lif_neuron *nr;   /* [size] */
  evs_calendar cal; /* when to look at which neuron */
  double t0;        /* s: reference time of the coefficients */
  double rate[3];   /* 1/s: 1/tau_m, 1/tau_syn_E, 1/tau_syn_I */
  evs_rates rates;  /* the same, with integer multiples detected */
  double k[2];      /* voltage response per unit x: tau_syn/(tau_syn - tau_m) */
  double kmax[2];   /* peak of the PSP of a unit input, per receptor */
  double grow[3]; /* exp(window / tau_k): a term's growth back over a window */
  double rebase_span; /* s: rebase when t - t0 exceeds it */
  double v_reset, v_thresh, tau_ref;
  lif_own *own;      /* [size] each neuron's v_thresh, v_reset, tau_refrac
                        and scale when they differ between neurons
                        (evs__lif_own_varies), else NULL: the three above
                        and scale 1 for every neuron */
  int slow;          /* index (0..2) of the slowest term */
  int squared[3];    /* term k decays at least twice as fast as the slowest */
  double tau_slow;   /* s: its time constant */
  double window_end; /* s: end of the window being drained */
  double e_end[3];   /* decay factors E_k(window_end) */
  double next_start; /* s: start of the window after the one drained */
  int status;        /* first failure (EVS_ENOMEM of a calendar filing or
                        of a spike record) in a handler that cannot return
                        it (deliver, voltage); the next tick returns it */
  /* background; bg_next NULL: none */
  double *bg_next;    /* [size] s: time of neuron j's next input */
  uint32_t *bg_draws; /* [size] draws made from neuron j's stream */
  double bg_rate;     /* 1/s */
  double bg_w;        /* V: the input's weight (R w_bg) */
  uint32_t pop_index; /* the streams' key */
  uint32_t first;     /* population index of neuron 0 (pop->first: a
                         thread's slice), which keys neuron j's stream */
  uint64_t seed;
} lif_state;

/* Checks pop's parameters, allocates its state (neurons zeroed, calendar,
 * background arrays when it has a background) and derives the constants
 * (pop->state). The neurons' initial states and the background's first
 * draws are init's (lif.c). EVS_OK, or an error with the state freed. */
int evs__lif_setup(evs_pop *pop, evs_error *err);

/* evs_neuron_type.init (lif_setup.c): evs__lif_setup, then the initial
 * states: each neuron's values drawn from its stream (seed, population,
 * neuron, EVS_RNG_INIT; evs__lif_values), its own constants checked and
 * kept when they differ between neurons, certified and filed; the
 * background's first inputs. On failure everything is freed. */
int evs__lif_init(evs_pop *pop, evs_error *err);

/* Frees what evs__lif_setup allocated (also after a failed init). */
void evs__lif_destroy(evs_pop *pop);

/* Derives pop's constants (decay rates, PSP factors and peaks, the
 * window's growth factors, reset, threshold, ...) from its parameters
 * again, into pop->state. */
void evs__lif_rederive(evs_pop *pop);

/* The checks of IF_curr_exp's parameters before parameter k changes after
 * the build (evs_neuron_type.check_change): cm and tau_m (R scales the
 * weights), v_init and the background are refused. */
int evs__lif_check_change(const evs_pop *next, int k, evs_error *err);

/* Parameter k changed at time t (evs_neuron_type.change; lif_change.c). */
int evs__lif_change(evs_pop *pop, const evs_pop *old, int k, double t);

/* The dynamics lif_change.c, lif_setup.c and lif_readout.c use (lif.c):
 * finds every spike of neuron j before t (afterwards t_safe >= t; EVS_OK or
 * EVS_ENOMEM); certifies neuron j at t anew, e the decay factors at t, and
 * files it (a failure kept in s->status); moves the reference time to t;
 * adds neuron j's background inputs before a to x_E (a refractory neuron's,
 * which its reset adds otherwise); draws neuron j's next background input
 * time after t. */
int evs__lif_advance(evs_pop *pop, uint32_t j, double t);
void evs__lif_recertify(lif_state *s, uint32_t j, double t, const double e[3]);
void evs__lif_rebase(evs_pop *pop, double t);
void evs__lif_bg_catch_up(lif_state *s, uint32_t j, double a);
void evs__lif_bg_draw(lif_state *s, uint32_t j, double t);

/* The readout (lif_readout.c): the membrane potential of neuron id at t
 * (its spikes before t found first), of every neuron into v[size]; a change
 * of the injected current by delta at t; the synaptic current `var` at t
 * (0: i_syn_exc, 1: i_syn_inh, evs__lif_recordables). The hooks of
 * evs_neuron_type of the same names. */
double evs__lif_voltage(evs_pop *pop, uint32_t id, double t);
void evs__lif_voltages(evs_pop *pop, double t, double *v);
void evs__lif_inject(evs_pop *pop, uint32_t id, double t, double delta);
double evs__lif_state(evs_pop *pop, uint32_t id, double t, int var);
extern const evs_recordable evs__lif_recordables[2];

/* Applies the reset that ends neuron n's refractory period at n->t_safe
 * (lif.c; its background inputs of the period first). */
void evs__lif_end_refractory(lif_state *s, lif_neuron *n);

/* The three decay factors E_k(t). */
static inline void decay_factors(const lif_state *s, double t, double e[3]) {
  evs__rates_decay_fast(&s->rates, t - s->t0, e);
}

/* The three decay factors E_k(t) for a delivery onto pop: decay_factors'
 * values, bit for bit, with the exp() shared through pop->memo (when
 * kept) by the deliveries of one time onto populations of the same rates
 * and reference time (on B1 a spike's E->E and E->I: half the exp() calls
 * of the deliveries). */
static inline void delivery_factors(const evs_pop *pop, const lif_state *s,
                                    double t, double e[3]) {
  const evs_rates *r = &s->rates;
  evs_decay_memo *m = pop->memo;
  double h = t - s->t0;
  if (!m || !r->pow2) {
    evs__rates_decay_fast(r, h, e);
    return;
  }
  if (m->h != h || m->base != r->base) {
    m->p[0] = exp(-r->base * h);
    m->p[1] = m->p[0] * m->p[0];
    m->p[2] = m->p[1] * m->p[1];
    m->p[3] = m->p[2] * m->p[2];
    m->base = r->base;
    m->h = h;
  }
  e[0] = m->p[r->bit[0]];
  e[1] = m->p[r->bit[1]];
  e[2] = m->p[r->bit[2]];
}

/* Keeps the first failure rc of a handler that returns nothing: a neuron
 * that could not be filed would never be looked at again, so its crossing
 * would be lost; the run fails at the next tick instead. */
static inline void keep_status(lif_state *s, int rc) {
  if (__builtin_expect(rc != EVS_OK, 0) && s->status == EVS_OK) s->status = rc;
}

/* The neurons (coefficients, certificates, calendar windows, drive; the
 * places in the calendar's buckets are made again on loading), the
 * calendar, the reference time and window, the background's next inputs
 * and stream positions. */
int evs__lif_checkpoint(evs_pop *pop, evs_ckpt *ck);

#endif
