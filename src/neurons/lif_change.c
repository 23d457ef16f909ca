/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — IF_curr_exp (exact): a parameter changed between the phases of a
 * run (evs_neuron_type.change; lif_impl.h).
 *
 * At the phase's end t every neuron concerned is first brought up to t with
 * the old constants (advance: the spikes before t are found, and with them
 * the refractory periods they start); then the constants are derived
 * anew and each neuron's coefficients rewritten so that v and the synaptic
 * currents are continuous at t, and certified again, so that its next
 * crossing is predicted with the new constants. In the representation of
 * lif.c, v - v_thresh = drive + c_m E_m + c_E E_E + c_I E_I:
 *  - v_rest, i_offset: the equilibrium v_rest + R i_offset moves by d
 *    (per neuron: the values init read, drawn again in its order from the
 *    old and the new parameters): drive += d, c_m -= d / E_m(t);
 *  - v_thresh moves by d: drive -= d (v itself does not move);
 *  - v_reset, tau_refrac: the resets and periods after t (a period begun
 *    before t ends as it began);
 *  - tau_syn_E, tau_syn_I: the reference time moves to t (E_k(t) = 1), the
 *    synaptic current x = c_k / k_old of the receptor is kept, its term
 *    becomes k_new x and the leak term takes the difference, v unchanged
 *    (a refractory neuron's background inputs before t are added first,
 *    with the old constants).
 * With the neurons' own constants (lif.c, "Per-neuron parameters": the
 * state in units of g = cm_j / cm) a move d of v_rest enters as g d, of the
 * threshold as -g d; v_thresh, v_reset and tau_refrac given per neuron
 * (or a single value while they differ by cm) move each neuron's own.
 * A value set to itself changes nothing: no neuron is touched. */
#include <math.h>

#include "neurons/lif_impl.h"

/* Neuron j's equilibrium v_rest + R i_offset as the parameters of p give
 * it, in the unit of its state (g v_rest + R i_offset with own constants). */
static double equilibrium(const lif_state *s, const evs_pop *p, uint32_t j,
                          double r_m) {
  if (!s->own) return evs__lif_equilibrium(p, j, r_m);
  lif_values v;
  evs__lif_values(p, j, 1, &v);
  return s->own[j].scale * v.v_rest + r_m * v.i_offset;
}

/* v_rest or i_offset, one value per neuron: each neuron whose equilibrium
 * moves is brought up to t, shifted and certified anew. */
static int change_equilibrium(evs_pop *pop, const evs_pop *old, double t) {
  lif_state *s = pop->state;
  double r_m = pop->par[P_TAU_M] / pop->par[P_CM];
  for (uint32_t j = 0; j < pop->size; j++) {
    double d = equilibrium(s, pop, j, r_m) - equilibrium(s, old, j, r_m);
    if (d == 0) continue;
    int rc = evs__lif_advance(pop, j, t);
    if (rc) return rc;
    lif_neuron *n = &s->nr[j];
    n->drive += d;
    if (refractory(n)) continue; /* the reset at t_safe starts from it */
    double e[3];
    evs__rates_decay_fast(&s->rates, t - s->t0, e);
    n->c[0] -= d / e[0];
    evs__lif_recertify(s, j, t, e);
  }
  return EVS_OK;
}

/* tau_syn_E (r = 0) or tau_syn_I (r = 1) changed, the reference time at t
 * and k_old the old voltage response per unit x: x continuous, v too. */
static void change_synapse(lif_state *s, uint32_t size, int r,
                           const double k_old[2]) {
  for (uint32_t j = 0; j < size; j++) {
    lif_neuron *n = &s->nr[j];
    double a = n->c[1 + r];
    double c = s->k[r] * (a / k_old[r]);
    n->c[1 + r] = c;
    n->c[0] += a - c;
  }
}

/* v_thresh, v_reset or tau_refrac (k) of neurons with their own constants
 * (made from the population's values first if they had none): each neuron
 * whose value moves is brought up to t with its old constants, then takes
 * the new one; a threshold's move d leaves its drive as g d (v does not
 * move) and it is certified anew. EVS_OK or EVS_ENOMEM. */
static int change_own(evs_pop *pop, const evs_pop *old, int k, double t) {
  lif_state *s = pop->state;
  if (!s->own && !(s->own = evs__lif_own_uniform(old, pop->size)))
    return EVS_ENOMEM;
  double e[3];
  evs__rates_decay_fast(&s->rates, t - s->t0, e);
  for (uint32_t j = 0; j < pop->size; j++) {
    lif_own *o = &s->own[j];
    double *own = evs__lif_own_param(o, k);
    double x = evs__lif_changed_value(pop, k, j);
    if (x == *own) continue;
    int rc = evs__lif_advance(pop, j, t);
    if (rc) return rc;
    double d = x - *own;
    *own = x;
    if (k != P_V_THRESH) continue; /* the resets and periods after t */
    lif_neuron *n = &s->nr[j];
    n->drive -= o->scale * d;
    if (!refractory(n)) evs__lif_recertify(s, j, t, e);
  }
  evs__lif_rederive(pop);
  return s->status;
}

int evs__lif_change(evs_pop *pop, const evs_pop *old, int k, double t) {
  if (k == P_V_REST || k == P_I_OFFSET) return change_equilibrium(pop, old, t);
  int own = k == P_V_THRESH || k == P_V_RESET || k == P_TAU_REF;
  if (own && (((lif_state *)pop->state)->own || evs__lif_own_varies(pop)))
    return change_own(pop, old, k, t);
  if (pop->par[k] == old->par[k]) return EVS_OK;
  lif_state *s = pop->state;
  for (uint32_t j = 0; j < pop->size; j++) {
    int rc = evs__lif_advance(pop, j, t);
    if (rc) return rc;
  }
  int syn = k == P_TAU_E || k == P_TAU_I;
  if (syn) {
    if (s->bg_next)
      for (uint32_t j = 0; j < pop->size; j++)
        if (refractory(&s->nr[j])) evs__lif_bg_catch_up(s, j, t);
    evs__lif_rebase(pop, t);
  }
  double k_old[2] = {s->k[0], s->k[1]};
  double d_thresh = pop->par[P_V_THRESH] - old->par[P_V_THRESH];
  evs__lif_rederive(pop);
  double e[3];
  evs__rates_decay_fast(&s->rates, t - s->t0, e);
  if (syn) change_synapse(s, pop->size, k - P_TAU_E, k_old);
  if (!syn && k != P_V_THRESH) return EVS_OK; /* v_reset, tau_refrac */
  for (uint32_t j = 0; j < pop->size; j++) {
    lif_neuron *n = &s->nr[j];
    n->drive -= d_thresh;
    if (!refractory(n)) evs__lif_recertify(s, j, t, e);
  }
  return s->status;
}
