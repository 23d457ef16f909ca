/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files: the limits of what a model may ask for, checked
 * before anything big is allocated or drawn (issue 15): the memory of the
 * projections' synapses, estimated from their connection rules, against
 * the machine's physical memory. The contracts are in model_impl.h; the
 * limits are listed in doc/manual.md ("Limits"). */
#include "model/model_impl.h"

#include <math.h>
#include <stdint.h>
#include <unistd.h>

/* The size of population name as its section gives it (times [network]
 * scale), or 0 when it does not (its own check reports that). */
static double pop_size(const evs__model_ctx *c, const char *name) {
  const evs__model_sec *p = evs__model_sec_find(c, EVS__MODEL_POP, name);
  const evs__model_key *k = p ? evs__model_key_get(p, "size") : NULL;
  uint64_t n;
  return k && !evs__model_parse_u64(k->value, &n)
             ? (double)evs__model_scaled_size(c, n)
             : 0;
}

/* The cost model follows csr.c's builders: 8 bytes a synapse kept, 4 more
 * while built, 8 for a learning rule's transposed index; 8 bytes a row. */
void evs__model_estimate(const evs__model_ctx *c, evs__model_sec *s,
                         const evs_conn_spec *sp, const char *pre,
                         const char *post, const char *rule) {
  const double n_pre = pop_size(c, pre), n_post = pop_size(c, post);
  const int learns = rule != NULL;
  double cand = n_post - (sp->same_population && !sp->autapses);
  double n = (double)sp->n, syn = 0;
  switch (sp->kind) {
  case EVS_CONN_ALL_TO_ALL: syn = n_pre * cand; break;
  case EVS_CONN_ONE_TO_ONE: syn = n_pre; break;
  case EVS_CONN_FIXED_PROBABILITY: syn = sp->p * n_pre * n_post; break;
  case EVS_CONN_FIXED_INDEGREE: syn = n * n_post; break;
  case EVS_CONN_FIXED_OUTDEGREE: syn = n * n_pre; break;
  case EVS_CONN_FIXED_TOTAL: syn = n; break;
  case EVS_CONN_FILE: syn = 0; break;
  }
  s->synapses = syn;
  /* and the row offsets (the transposed index's too): 8 bytes a neuron */
  s->bytes_kept = syn * (8 + (learns ? 8 : 0)) + 8 * (n_pre + 1) +
                  (learns ? 8 * (n_post + 1) : 0);
  s->bytes_build = syn * 4;
  s->count_key = evs__model_key_get(
      s, sp->kind == EVS_CONN_FIXED_PROBABILITY ? "p"
         : sp->kind == EVS_CONN_ALL_TO_ALL || sp->kind == EVS_CONN_ONE_TO_ONE
             ? "connect"
             : "n");
}

/* The machine's physical memory in bytes, or 0 when it cannot be told. */
static double machine_memory(void) {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? (double)pages * size : 0;
}

/* All projections' memory kept, plus the largest temporary of one build. */
int evs__model_check_memory(evs__model_ctx *c, const evs_model_opts *mo) {
  const evs__model_sec *s, *tmp, *big = NULL;
  double kept = 0, build = 0, syn = 0, have = machine_memory();
  HASH_ITER(hh, c->secs, s, tmp) {
    if (s->kind != EVS__MODEL_PROJ) continue;
    kept += s->bytes_kept;
    syn += s->synapses;
    build = fmax(build, s->bytes_build);
    if (!big ||
        s->bytes_kept + s->bytes_build > big->bytes_kept + big->bytes_build)
      big = s;
  }
  double need = kept + build;
  if ((mo && mo->force) || have <= 0 || need <= have || !big->count_key)
    return EVS_OK;
  return evs__model_key_fail(
      c, big->count_key,
      "the projections' synapses need about %.3g GiB (%.3g synapses, %.3g "
      "of them in [%s], and their row offsets), "
      "more than this machine's %.3g GiB of memory: check the population "
      "sizes and '%s', or force it (evsnn --force)",
      need / 1073741824.0, syn, big->synapses, big->id, have / 1073741824.0,
      big->count_key->name);
}
