/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — what the current-based LIF types share about their membrane
 * (lif_membrane.h): its parameters' checks, the scale of weights, a
 * neuron's equilibrium. */
#include <math.h>

#include "neurons/lif_membrane.h"
#include "neurons/lif_params.h"

int evs__lif_check_membrane(const evs_pop *pop, const char *distinct,
                            evs_error *err) {
  const double *p = pop->par;
  /* an infinite potential or current turns every potential into NaN */
  for (int i = P_CM; i < P_V_INIT; i++)
    if (!isfinite(p[i])) return evs__bad_param(pop, i, "must be finite", err);
  for (int i = P_CM; i <= P_TAU_I; i++)
    if (!(p[i] > 0)) return evs__bad_param(pop, i, "must be positive", err);
  if (!(p[P_TAU_REF] >= 0))
    return evs__bad_param(pop, P_TAU_REF, "must not be negative", err);
  if (!(p[P_V_RESET] < p[P_V_THRESH]))
    return evs__bad_param(pop, P_V_RESET, "must lie below v_thresh", err);
  for (int i = P_TAU_E; i <= P_TAU_I; i++)
    if (fabs(p[i] - p[P_TAU_M]) < 1e-6 * p[P_TAU_M])
      return evs__bad_param(pop, i, distinct, err);
  return EVS_OK;
}

double evs__lif_equilibrium(const evs_pop *p, uint32_t j, double r_m) {
  evs_rng rng;
  evs_rng_init(&rng, p->seed, p->index, p->first + j, EVS_RNG_INIT);
  (void)evs__pop_value(p, P_V_INIT, j, &rng);
  double v_rest = evs__pop_value(p, P_V_REST, j, &rng);
  double i_offset = evs__pop_value(p, P_I_OFFSET, j, &rng);
  return v_rest + r_m * i_offset;
}

double evs__lif_weight_scale(const evs_pop *pop, evs_dim dim) {
  if (dim == EVS_DIM_VOLTAGE) return 1.0;
  if (dim == EVS_DIM_CURRENT) return pop->par[P_TAU_M] / pop->par[P_CM];
  return 0;
}
