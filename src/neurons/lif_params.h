/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the parameters of IF_curr_exp, shared by its two integration
 * modes: the exact, event-driven one (lif.c) and the grid one (lif_grid.c). */
#ifndef EVS_LIF_PARAMS_H
#define EVS_LIF_PARAMS_H

#include "evsnn/neuron.h"

enum {
  P_CM,
  P_TAU_M,
  P_TAU_E,
  P_TAU_I,
  P_TAU_REF,
  P_V_REST,
  P_V_RESET,
  P_V_THRESH,
  P_I_OFFSET,
  P_V_INIT,
  P_BG_RATE,
  P_BG_WEIGHT,
  P_N_PARAMS
};

/* The parameter tables of the exact mode, where v_thresh, v_reset,
 * tau_refrac and cm may differ between neurons, and of the grid mode,
 * where they may not (defined in lif_setup.c). */
extern const evs_param_def evs__lif_params[P_N_PARAMS];
extern const evs_param_def evs__lif_grid_params[P_N_PARAMS];

#endif
