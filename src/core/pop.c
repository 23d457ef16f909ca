/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a population at run time: the spikes its type emits, its rules
 * told of them and of its periodic events, and what evs_net_population_info
 * reports of it. Called by the neuron types and both schedulers (run.c,
 * threads.c); it calls neither, nor net.c. */
#include <stdlib.h>

#include "core/net_impl.h"
#include "rules/plastic.h"

int evs__spike_append(evs_spike **spk, size_t *n, size_t *cap, double t,
                      uint32_t id) {
  if (*n == *cap) {
    size_t ncap = *cap ? *cap * 2 : 256;
    evs_spike *p = realloc(*spk, ncap * sizeof *p);
    if (!p) return EVS_ENOMEM;
    *spk = p;
    *cap = ncap;
  }
  (*spk)[(*n)++] = (evs_spike){t, id};
  return EVS_OK;
}

int evs__pop_emit(evs_pop *pop, double t, uint32_t id) {
  if (evs__spike_append(&pop->spk, &pop->nspk, &pop->capspk, t,
                        id + pop->first))
    return pop->failed = EVS_ENOMEM;
  /* learning rules hear of the spike before any later input reaches the
   * neuron (plastic.h); a slice's rules hold the slice's synapses */
  for (uint32_t k = 0; k < pop->n_learn; k++)
    pop->learn[k]->type->on_post(pop->learn[k], t, id);
  return EVS_OK;
}

void evs__pop_ticked(evs_pop *pop, double t) {
  for (uint32_t k = 0; k < pop->n_learn; k++)
    if (pop->learn[k]->type->on_tick)
      pop->learn[k]->type->on_tick(pop->learn[k], t);
}

EVS_API int evs_net_population_count(const evs_net *net) {
  return (int)net->npop;
}

EVS_API int evs_net_population_info(const evs_net *net, int i,
                                    evs_pop_info *info) {
  if (i < 0 || (uint32_t)i >= net->npop) return EVS_EINVAL;
  const evs_pop *pop = net->pop[i];
  *info = (evs_pop_info){pop->name, pop->type->name, pop->size, pop->nspikes};
  return EVS_OK;
}
