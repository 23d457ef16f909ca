/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: learning rules on projections.
 *
 * A learning rule is a const descriptor table (evs_rule_type, public in
 * include/evsnn/rule.h) with a parameter table and handlers; a projection
 * that learns holds one rule instance (evs_rule, defined here). The
 * scheduler never learns rule names.
 *
 * When handlers run, and why this is exact. Exact neurons find their spikes
 * lazily, but every event that touches neuron i (a delivery, a probe, its
 * window's end) first advances i past all its earlier spikes. So:
 *  - on_post runs when the post neuron's spike is found (from
 *    evs__pop_emit), which is before any later input reaches that neuron. All
 *    presynaptic arrivals before the spike have been processed; none after.
 *  - on_pre runs for a delivery after the post type has received it (the
 *    PSP uses the weight as it was: Brian2's on_pre order) and after any post
 *    spikes that the delivery's advances found (their on_post ran first).
 *  - Presynaptic traces therefore count an arrival in on_pre, after the
 *    handler has read them: a post spike found during this delivery lies
 *    before the arrival and must not see it.
 * Plastic projections have one delay (their arrival time is the presynaptic
 * trace's time) and a transposed index (for on_post). */
#ifndef EVSNN_PLASTIC_H
#define EVSNN_PLASTIC_H

#include <math.h>
#include <stdint.h>

#include "core/net_impl.h"
#include "evsnn/rule.h"
#include "rules/trace_bank.h"

/* A rule at work on one projection. */
struct evs_rule {
  const evs_rule_type *type;
  evs_proj *proj; /* the projection whose weights it changes */
  double *par;    /* [type->n_params] values in internal units */
  void *state;    /* owned by the rule: traces, derived constants */
  double clock;   /* s: interval of type->on_clock, set by init; 0: none */
};

/* Spike traces with shared factors (as lif.c keeps its membrane terms): a
 * rule keeps its traces in a bank (trace_bank.h), each stored as its
 * coefficient X = x(t) e^{(t - t0)/tau} against the bank's reference time
 * t0; X changes only at the trace's own spikes. So
 *  - reading x at t is X * e^{-(t - t0)/tau}: one multiply, with a factor
 *    computed once per handler call and time constant for all synapses the
 *    call touches (no exp() per synapse);
 *  - a spike at t adds e^{(t - t0)/tau} to X (all-to-all) or sets X to it
 *    (nearest-spike);
 *  - before e^{(t - t0)/tau} can overflow, t0 moves forward (a rebase,
 *    O(neurons)), done by the rule's on_tick at the post population's
 *    periodic events (evs__trace_bank_tick; trace_bank.h says why).
 * Handler times need not increase across neurons (spikes are found lazily),
 * but a read at t < t0 only gives a factor slightly above 1. */

/* Mean, sd, min and max of proj's weights, in SI units of its weight
 * dimension, and the fractions at its rule's w_min and w_max, into out[6].
 * The weights are those of the nm CSRs m (nm >= 1, every one with the
 * same rows) taken row by row, row i being m[0]'s row i, then m[1]'s, ...:
 * p->csr or the ranks' gathered one alone (nm = 1), or a threaded run's
 * parts read in place (evs__run_proj_parts); the sums run in that order.
 * O(synapses). */
void evs__weight_stats(const evs_proj *p, const evs_csr *const *m, uint32_t nm,
                       double out[6]);

/* Helpers for rules' init (plastic.c). evs__rule_fail sets err to EVS_EINVAL
 * with "projection P: rule R: <message>" and returns EVS_EINVAL.
 * evs__rule_check_set fails unless every parameter is set (a required one
 * left unset is NaN) and finite. evs__rule_need_transpose builds the CSR's
 * transposed index if missing (idempotent); EVS_OK or an error in err. */
int evs__rule_fail(const evs_rule *pl, evs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int evs__rule_check_set(const evs_rule *pl, evs_error *err);
int evs__rule_need_transpose(const evs_rule *pl, evs_error *err);

/* Looks a rule up by name (NULL if unknown). */
const evs_rule_type *evs__rule_type_find(const char *name);

/* The rules, defined in their own modules. */
extern const evs_rule_type evs__rule_stdp_pair;          /* stdp.c */
extern const evs_rule_type evs__rule_stdp_triplet;       /* stdp.c */
extern const evs_rule_type evs__rule_stdp_triplet_homeo; /* stdp.c */
extern const evs_rule_type evs__rule_superspike;         /* superspike.c */
extern const evs_rule_type evs__rule_orchestrated;       /* orchestrated.c */
extern const evs_rule_type evs__rule_istdp_global;       /* istdp.c */

/* The reference weight w~ of synapse k (CSR position) of a projection whose
 * rule pl is orchestrated, in internal units (orchestrated.c). */
double evs__orchestrated_wref(const evs_rule *pl, uint64_t k);

/* The E population rate estimate (Hz) of rule pl, istdp_global, at time t
 * (istdp.c). */
double evs__istdp_rate(const evs_rule *pl, double t);

#endif
