/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — IF_curr_exp (exact): what a probe, a current source or the API
 * reads from or injects into a neuron between events (evs_neuron_type's
 * voltage, voltages, inject and state; lif_impl.h). Each brings the neuron
 * up to t first (its spikes before t found by lif.c's advance), then reads
 * v - v_thresh = drive + c_m E_m + c_E E_E + c_I E_I at t (lif.c's header)
 * in the neuron's own unit (lif.c, "Per-neuron parameters"). */
#include "neurons/lif_impl.h"

/* The membrane potential at t of neuron n, whose spikes before t have been
 * found, given the decay factors e at t (in volts: the state's unit is
 * the neuron's scale, lif.c, "Per-neuron parameters"). */
static double potential(lif_state *s, lif_neuron *n, double t,
                        const double e[3]) {
  const lif_own *o = s->own ? &s->own[n - s->nr] : NULL;
  if (refractory(n) && t < n->t_safe) return o ? o->v_reset : s->v_reset;
  if (refractory(n)) evs__lif_end_refractory(s, n);
  if (!o)
    return s->v_thresh + n->drive + n->c[0] * e[0] + n->c[1] * e[1] +
           n->c[2] * e[2];
  return o->v_thresh +
         (n->drive + n->c[0] * e[0] + n->c[1] * e[1] + n->c[2] * e[2]) /
             o->scale;
}

double evs__lif_voltage(evs_pop *pop, uint32_t id, double t) {
  lif_state *s = pop->state;
  keep_status(s, evs__lif_advance(pop, id, t));
  double e[3];
  decay_factors(s, t, e);
  return potential(s, &s->nr[id], t, e);
}

void evs__lif_voltages(evs_pop *pop, double t, double *v) {
  lif_state *s = pop->state;
  double e[3];
  decay_factors(s, t, e);
  for (uint32_t j = 0; j < pop->size; j++) {
    if (s->nr[j].t_safe < t) keep_status(s, evs__lif_advance(pop, j, t));
    v[j] = potential(s, &s->nr[j], t, e);
  }
}

/* A change of the injected current by delta (V, as R I) at t: the spikes
 * before t are found with the old drive; v stays continuous (the leak term
 * takes -delta back at t); a refractory neuron's reset at t_safe starts from
 * the new drive (evs__lif_end_refractory). */
void evs__lif_inject(evs_pop *pop, uint32_t id, double t, double delta) {
  lif_state *s = pop->state;
  keep_status(s, evs__lif_advance(pop, id, t));
  lif_neuron *n = &s->nr[id];
  n->drive += delta;
  if (refractory(n)) return;
  double e[3];
  decay_factors(s, t, e);
  n->c[0] -= delta / e[0];
  evs__lif_recertify(s, id, t, e);
}

const evs_recordable evs__lif_recordables[2] = {
    {"i_syn_exc", "A"}, /* x_E / R */
    {"i_syn_inh", "A"}, /* x_I / R (negative: inhibitory weights are) */
};

/* The synaptic current of receptor var at t: the voltage response of term
 * 1 + var is k x, x = R I (spikes change no synaptic term). The neuron is
 * advanced to t first, so its background inputs before t are in x_E; a
 * refractory neuron's, which advance leaves for the period's end, are
 * added to x_E now (bg_catch_up; the reset then adds only later ones). */
double evs__lif_state(evs_pop *pop, uint32_t id, double t, int var) {
  lif_state *s = pop->state;
  keep_status(s, evs__lif_advance(pop, id, t));
  if (s->bg_next && refractory(&s->nr[id])) evs__lif_bg_catch_up(s, id, t);
  double e[3];
  decay_factors(s, t, e);
  double r_m = pop->par[P_TAU_M] / pop->par[P_CM];
  return s->nr[id].c[1 + var] * e[1 + var] / s->k[var] / r_m;
}
