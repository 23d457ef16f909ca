/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: a bank of lazily decayed spike traces, the one place the
 * learning rules keep their pre- and postsynaptic traces (plastic.h explains
 * the shared-factor scheme and why it is exact).
 *
 * Every trace of a bank is stored as coefficients X_i = x_i(t) e^{(t - t0)/tau}
 * against the bank's one reference time t0, so a handler computes one factor
 * per trace for all the synapses it touches. Before the factors can
 * overflow, the bank moves t0 forward and rescales every coefficient
 * (a rebase, O(neurons of all its traces)). The scheduler's periodic events
 * of the post population do that (evs__trace_bank_tick, from the rule's
 * on_tick) when t - t0 exceeds EVS_TRACE_SPAN times the bank's smallest tau,
 * so the factors stay below about e^EVS_TRACE_SPAN, and the rebases fall at
 * points of the event order that every slice of a threaded run shares
 * (handler calls do not: a slice sees only its own). Handlers call
 * evs__trace_bank_advance, which rebases only far beyond the span
 * (EVS_TRACE_SAFETY spans), where a factor would come near overflow: that
 * happens when a rule's handlers run without periodic events (unit tests
 * calling handlers directly), or when the post population's periodic
 * interval exceeds EVS_TRACE_SAFETY - 1 spans (600 tau_min); a threaded
 * run of such a rule may then differ from one thread's in the last bits.
 * A rule instance owns one bank: its traces share t0, so a rule's
 * arithmetic is the same whichever of them a handler reads.
 *
 * Users: stdp_pair, stdp_triplet, stdp_triplet_homeo (stdp.c),
 * orchestrated, istdp_global (its population rate too), and SuperSpike
 * (superspike.c: one bank for the learner, its five traces each one array
 * over every layer or group that has it; the learner's clock rebases it, and
 * every tick reads every trace into the window's series, a multiply per
 * neuron as before, with one exp() per trace and tick instead of a decay
 * written back to every neuron). Decays kept elsewhere, and why they are
 * not lazy traces of a bank:
 *  - SuperSpike's eligibility filter states (s1, s2 per synapse), the
 *    windowed method's backward error filters and the RMS normaliser
 *    (ssgrad.c): discrete-time filters of series sampled on the
 *    error-broadcast clock (sigma'(U) p, e), not sums of spike kicks;
 *  - short-term plasticity (synapses/stp.c): u and x per delivery group
 *    relax to U and 1 and jump nonlinearly (u x), not sums of kicks;
 *  - the rate rules (rate_rules.c) and the rate check (plugins/
 *    rate_check.c): discrete-time filters stepped on their own clocks. */
#ifndef EVSNN_TRACE_BANK_H
#define EVSNN_TRACE_BANK_H

#include <math.h>
#include <stdint.h>

#define EVS_TRACE_SPAN 40.0   /* rebase before factors reach e^40 */
#define EVS_TRACE_SAFETY 16.0 /* handlers rebase past 16 spans (e^640) */
#define EVS_TRACE_BANK_MAX 5

typedef struct evs_trace {
  double rate;  /* 1/s: 1 / tau */
  uint32_t n;   /* neurons */
  double *coef; /* [n] coefficients X_i (owned by the bank) */
  int post;     /* 1: one per postsynaptic neuron, 0: per presynaptic one
                   (how a threaded run's parts hold it: checkpoint.h) */
  /* The last factors computed, and for which t - t0 (s; NaN: none yet):
   * a clocked population's spikes of one step, and the arrivals of one
   * step's spikes, share their t, so the handlers' exp() runs once a step
   * and trace (B3: 4 a step instead of 4 a spike). A factor depends on
   * t - t0 alone, so the memo needs no reset when t0 moves. */
  double decay_at, decay;   /* e^{-(t - t0)/tau} at t - t0 = decay_at */
  double growth_at, growth; /* e^{(t - t0)/tau} at t - t0 = growth_at */
} evs_trace;

typedef struct evs_trace_bank {
  double t0;   /* s: reference time of every coefficient (starts at 0) */
  double span; /* s: rebase when t - t0 exceeds it */
  unsigned n_traces;
  evs_trace trace[EVS_TRACE_BANK_MAX];
} evs_trace_bank;

/* Adds trace number b->n_traces (at most EVS_TRACE_BANK_MAX) of n neurons,
 * decaying with tau (s, > 0), its coefficients 0. Returns the coefficient
 * array (owned by the bank), or NULL when out of memory or when the bank
 * is full (a programming error), the bank as it was.
 * A zeroed bank is an empty one with t0 = 0. */
double *evs__trace_bank_add(evs_trace_bank *b, uint32_t n, double tau);

/* evs__trace_bank_add for a trace with one coefficient per postsynaptic
 * neuron (n of them): a threaded run's parts hold slices of it, where they
 * hold every presynaptic trace whole. */
double *evs__trace_bank_add_post(evs_trace_bank *b, uint32_t n, double tau);

/* Saves or loads (evsnn/checkpoint.h) the bank's reference time and every
 * trace's coefficients (evs_ckpt_neurons for a postsynaptic trace,
 * evs_ckpt_rows for a presynaptic one); loading fills a bank built with
 * the same traces.
 * EVS_OK or the checkpoint's error. */
struct evs_ckpt;
int evs__trace_bank_checkpoint(evs_trace_bank *b, struct evs_ckpt *ck);

/* Frees every trace's coefficients; the bank is empty afterwards. */
void evs__trace_bank_free(evs_trace_bank *b);

/* Moves t0 to t, multiplying every coefficient by e^{-(t - t0)/tau}. */
void evs__trace_bank_rebase(evs_trace_bank *b, double t);

/* Rebases when t lies more than the span past t0: called by the rule's
 * on_tick at the post population's periodic events. */
static inline void evs__trace_bank_tick(evs_trace_bank *b, double t) {
  if (t - b->t0 > b->span) evs__trace_bank_rebase(b, t);
}

/* Rebases when t lies more than EVS_TRACE_SAFETY spans past t0 (see the
 * top): called first by every handler that reads or adds to the bank's
 * traces at t. */
static inline void evs__trace_bank_advance(evs_trace_bank *b, double t) {
  if (t - b->t0 > EVS_TRACE_SAFETY * b->span) evs__trace_bank_rebase(b, t);
}

/* e^{-(t - t0)/tau} of trace k: a coefficient times it is the trace at t.
 * One exp() when t - t0 differs from the last call's (the trace's memo),
 * else a compare; the same bits either way. */
static inline double evs__trace_decay(evs_trace_bank *b, unsigned k,
                                      double t) {
  evs_trace *tr = &b->trace[k];
  const double u = t - b->t0;
  if (u != tr->decay_at) {
    tr->decay_at = u;
    tr->decay = exp(-u * tr->rate);
  }
  return tr->decay;
}

/* e^{(t - t0)/tau} of trace k: what a spike at t adds to a coefficient.
 * Memoised as evs__trace_decay. */
static inline double evs__trace_growth(evs_trace_bank *b, unsigned k,
                                       double t) {
  evs_trace *tr = &b->trace[k];
  const double u = t - b->t0;
  if (u != tr->growth_at) {
    tr->growth_at = u;
    tr->growth = exp(u * tr->rate);
  }
  return tr->growth;
}

/* Lets a spike into coefficient *X with growth factor g (evs__trace_growth):
 * adds g, or sets *X to g when reset is set (nearest-spike). */
static inline void evs__trace_spike(double *X, double g, int reset) {
  *X = reset ? g : *X + g;
}

#endif
