/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — IF_curr_exp (exact): its parameters, their checks (before the
 * build and before a change between phases) and derived constants, the
 * state's allocation and checkpoint (lif_impl.h; the dynamics are lif.c's,
 * a change between phases lif_change.c's). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neurons/lif_membrane.h"
#include "neurons/lif_impl.h"

/* The parameter table of IF_curr_exp, OWN the flags of v_thresh, v_reset,
 * tau_refrac and cm: per neuron in the exact mode, one value for the
 * population on the grid (whose vectorised step compares every neuron with
 * one threshold). */
#define LIF_PARAMS(OWN)                                                        \
  {                                                                            \
    [P_CM] = {"cm", EVS_DIM_CAPACITANCE, 1e-9, OWN, "membrane capacitance"},   \
    [P_TAU_M] = {"tau_m", EVS_DIM_TIME, 20e-3, 0, "membrane time constant"},   \
    [P_TAU_E] = {"tau_syn_E", EVS_DIM_TIME, 5e-3, 0,                           \
                 "decay time of the excitatory synaptic current"},             \
    [P_TAU_I] = {"tau_syn_I", EVS_DIM_TIME, 5e-3, 0,                           \
                 "decay time of the inhibitory synaptic current"},             \
    [P_TAU_REF] = {"tau_refrac", EVS_DIM_TIME, 0.1e-3, OWN,                    \
                   "refractory period (v held at v_reset)"},                   \
    [P_V_REST] = {"v_rest", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_PER_NEURON,     \
                  "resting potential"},                                        \
    [P_V_RESET] = {"v_reset", EVS_DIM_VOLTAGE, -65e-3, OWN,                    \
                   "potential after a spike"},                                 \
    [P_V_THRESH] = {"v_thresh", EVS_DIM_VOLTAGE, -50e-3, OWN,                  \
                    "spike threshold"},                                        \
    [P_I_OFFSET] = {"i_offset", EVS_DIM_CURRENT, 0, EVS_PARAM_PER_NEURON,      \
                    "constant input current"},                                 \
    [P_V_INIT] = {"v_init", EVS_DIM_VOLTAGE, -65e-3, EVS_PARAM_PER_NEURON,     \
                  "membrane potential at t = 0"},                              \
    [P_BG_RATE] = {"background_rate", EVS_DIM_RATE, 0, 0,                      \
                   "rate of the Poisson background inputs onto each neuron"},  \
    [P_BG_WEIGHT] = {"background_weight", EVS_DIM_CURRENT, 0, 0,               \
                     "weight of each background input (excitatory receptor)"}, \
  }

const evs_param_def evs__lif_params[P_N_PARAMS] =
    LIF_PARAMS(EVS_PARAM_PER_NEURON);
const evs_param_def evs__lif_grid_params[P_N_PARAMS] = LIF_PARAMS(0);

void evs__lif_destroy(evs_pop *pop) {
  lif_state *s = pop->state;
  if (!s) return;
  evs_cal_destroy(&s->cal);
  free(s->nr);
  free(s->bg_next);
  free(s->bg_draws);
  free(s->own);
  free(s);
  pop->state = NULL;
}

static int check_params(const evs_pop *pop, evs_error *err) {
  const double *p = pop->par;
  int rc = evs__lif_check_membrane(pop,
                                   "must differ from tau_m (the exact solution "
                                   "needs distinct time constants)",
                                   err);
  if (rc) return rc;
  if (!(p[P_BG_RATE] >= 0) || !isfinite(p[P_BG_RATE]))
    return evs__bad_param(pop, P_BG_RATE, "must be finite and >= 0", err);
  if (!isfinite(p[P_BG_WEIGHT]))
    return evs__bad_param(pop, P_BG_WEIGHT, "must be finite", err);
  return EVS_OK;
}

/* The constants that follow from the parameters p and the calendar's
 * window (s): decay rates, PSP factors and peaks, a window's growth
 * factors, the rebase span, the slowest term, the reset and threshold. */
static void derive(const double *p, double window, lif_state *s) {
  s->rate[0] = 1 / p[P_TAU_M];
  s->rate[1] = 1 / p[P_TAU_E];
  s->rate[2] = 1 / p[P_TAU_I];
  for (int r = 0; r < 2; r++) {
    double tm = p[P_TAU_M], ts = p[P_TAU_E + r];
    s->k[r] = ts / (ts - tm);
    double peak = tm * ts / (tm - ts) * log(tm / ts);
    s->kmax[r] = ts / (tm - ts) * (exp(-peak / tm) - exp(-peak / ts));
    /* a hair of extra room against rounding in the margin arithmetic */
    s->kmax[r] *= 1 + 1e-12;
  }
  for (int k = 0; k < 3; k++) s->grow[k] = exp(window * s->rate[k]);
  evs__rates_init(&s->rates, s->rate, 3);
  double tau_min = fmin(p[P_TAU_M], fmin(p[P_TAU_E], p[P_TAU_I]));
  s->rebase_span = REBASE_SPAN * tau_min;
  s->slow = 0;
  for (int k = 1; k < 3; k++)
    if (s->rate[k] < s->rate[s->slow]) s->slow = k;
  s->tau_slow = 1 / s->rate[s->slow];
  for (int k = 0; k < 3; k++)
    s->squared[k] = s->rate[k] >= 2 * s->rate[s->slow];
  s->v_reset = p[P_V_RESET];
  s->v_thresh = p[P_V_THRESH];
  s->tau_ref = p[P_TAU_REF];
}

/* The window derive() takes: the calendar's, the population's tick. */
static double calendar_window(const evs_pop *pop) {
  return pop->tick > 0 ? pop->tick : 1e-3;
}

void evs__lif_rederive(evs_pop *pop) {
  derive(pop->par, calendar_window(pop), pop->state);
}

int evs__lif_check_change(const evs_pop *next, int k, evs_error *err) {
  if (k == P_BG_RATE || k == P_BG_WEIGHT)
    return evs__bad_param(next, k,
                          "cannot change once the net is built (the "
                          "background's inputs are drawn ahead)",
                          err);
  int rc = evs__lif_check_fixed(next, k, err);
  if (!rc) rc = check_params(next, err);
  return rc ? rc : evs__lif_check_own_change(next, k, err);
}

int evs__lif_setup(evs_pop *pop, evs_error *err) {
  int rc = check_params(pop, err);
  if (rc) return rc;
  const double *p = pop->par;
  lif_state *s = calloc(1, sizeof *s);
  if (!s) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  pop->state = s;
  size_t bytes = (pop->size ? pop->size : 1) * sizeof *s->nr;
  s->nr = aligned_alloc(64, bytes);
  if (!s->nr) goto nomem;
  memset(s->nr, 0, bytes);
  double window = calendar_window(pop);
  if (evs_cal_init(&s->cal, pop->size, window, 0.1)) goto nomem;
  evs_cal_place(&s->cal, &s->nr[0].cal, sizeof *s->nr);
  derive(p, window, s);
  if (evs__lif_own_varies(pop) &&
      !(s->own = malloc((pop->size ? pop->size : 1) * sizeof *s->own)))
    goto nomem;
  double r_m = p[P_TAU_M] / p[P_CM];
  if (p[P_BG_RATE] > 0 && p[P_BG_WEIGHT] != 0) {
    size_t m = pop->size ? pop->size : 1;
    s->bg_next = malloc(m * sizeof *s->bg_next);
    s->bg_draws = calloc(m, sizeof *s->bg_draws);
    if (!s->bg_next || !s->bg_draws) goto nomem;
    s->bg_rate = p[P_BG_RATE];
    s->bg_w = p[P_BG_WEIGHT] * r_m;
    s->pop_index = pop->index;
    s->first = pop->first;
    s->seed = pop->seed;
  }
  return EVS_OK;
nomem:
  evs__lif_destroy(pop);
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
}

int evs__lif_init(evs_pop *pop, evs_error *err) {
  int rc = evs__lif_setup(pop, err);
  if (rc) return rc;
  lif_state *s = pop->state;
  const double *p = pop->par;
  double r_m = p[P_TAU_M] / p[P_CM];
  if (s->bg_next)
    for (uint32_t j = 0; j < pop->size; j++) evs__lif_bg_draw(s, j, 0);
  for (uint32_t j = 0; j < pop->size; j++) {
    lif_neuron *n = &s->nr[j];
    lif_values v;
    evs__lif_values(pop, j, s->own != NULL, &v);
    double dc = pop->dc ? pop->dc[j] : 0;
    if (!s->own) {
      n->drive = v.v_rest + r_m * v.i_offset + dc - p[P_V_THRESH];
      n->c[0] = v.v_init - p[P_V_THRESH] - n->drive;
    } else {
      if ((rc = evs__lif_check_neuron(pop, j, &v, err))) goto fail;
      lif_own *o = &s->own[j];
      *o = evs__lif_own_of(pop, &v);
      /* as the homogeneous path computes them when scale is 1 */
      n->drive =
          o->scale * v.v_rest + r_m * v.i_offset + dc - o->scale * o->v_thresh;
      n->c[0] = o->scale * v.v_init - o->scale * o->v_thresh - n->drive;
    }
    double e[3] = {1, 1, 1};
    evs__lif_recertify(s, j, 0, e);
    if (s->status != EVS_OK) goto nomem;
  }
  return EVS_OK;
nomem:
  rc = evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
fail:
  evs__lif_destroy(pop);
  return rc;
}

int evs__lif_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  lif_state *s = pop->state;
  if (evs_ckpt_loading(ck)) {
    evs_ckpt_neurons(ck, s->nr, pop->size, sizeof *s->nr);
  } else {
    lif_neuron *copy = malloc((pop->size ? pop->size : 1) * sizeof *copy);
    if (!copy)
      return evs_ckpt_refuse(ck, "population %s: out of memory saving it",
                             pop->name);
    memcpy(copy, s->nr, pop->size * sizeof *copy);
    for (uint32_t j = 0; j < pop->size; j++) copy[j].cal.pos = 0;
    evs_ckpt_neurons(ck, copy, pop->size, sizeof *copy);
    free(copy);
  }
  evs_cal_checkpoint(&s->cal, ck);
  evs_ckpt_bytes(ck, &s->t0, sizeof s->t0);
  evs_ckpt_bytes(ck, &s->window_end, sizeof s->window_end);
  evs_ckpt_bytes(ck, s->e_end, sizeof s->e_end);
  evs_ckpt_bytes(ck, &s->next_start, sizeof s->next_start);
  evs_ckpt_bytes(ck, &s->status, sizeof s->status);
  if (s->bg_next) {
    evs_ckpt_neurons(ck, s->bg_next, pop->size, sizeof *s->bg_next);
    evs_ckpt_neurons(ck, s->bg_draws, pop->size, sizeof *s->bg_draws);
  }
  return evs_ckpt_status(ck);
}
