/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — models: the limits of what a model may ask for, checked on its
 * description before anything big is allocated or drawn (issue 15): the
 * memory of the projections' synapses, estimated from their connection
 * rules, against the machine's physical memory. The contract is in
 * model_build.h; the limits are listed in doc/manual.md ("Limits"). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "model/model_build.h"

/* The size of the population called name in d, or 0 when there is none. */
static double pop_size(const evs_model_desc *d, const char *name) {
  for (size_t i = 0; name && i < d->n_pops; i++)
    if (d->pops[i].name && !strcmp(d->pops[i].name, name))
      return d->pops[i].size;
  return 0;
}

/* What the synapses of projection p cost. */
typedef struct cost {
  double synapses;    /* expected number (0: not known, an edge list) */
  double bytes_kept;  /* B: held from the build to the end of the run */
  double bytes_build; /* B: held only while they are built */
} cost;

/* The cost model follows csr.c's builders: 8 bytes a synapse kept, 4 more
 * while built, 8 for a learning rule's transposed index; 8 bytes a row. */
static cost estimate(const evs_model_desc *d, const evs_proj_desc *p) {
  const evs_conn_spec *sp = &p->spec;
  const double n_pre = pop_size(d, p->pre), n_post = pop_size(d, p->post);
  const int learns = p->rule != NULL;
  const int same = p->pre && p->post && !strcmp(p->pre, p->post);
  double cand = n_post - (same && !sp->autapses);
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
  /* and the row offsets (the transposed index's too): 8 bytes a neuron */
  return (cost){syn,
                syn * (8 + (learns ? 8 : 0)) + 8 * (n_pre + 1) +
                    (learns ? 8 * (n_post + 1) : 0),
                syn * 4};
}

/* The machine's physical memory in bytes, or 0 when it cannot be told. */
static double machine_memory(void) {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? (double)pages * size : 0;
}

/* All projections' memory kept, plus the largest temporary of one build. */
int evs__model_check_memory(const evs_model_desc *d, int force,
                            evs_error *err) {
  const evs_proj_desc *big = NULL;
  cost bc = {0, 0, 0};
  double kept = 0, build = 0, syn = 0, have = machine_memory();
  for (size_t i = 0; i < d->n_projs; i++) {
    cost c = estimate(d, &d->projs[i]);
    kept += c.bytes_kept;
    syn += c.synapses;
    build = fmax(build, c.bytes_build);
    if (!big || c.bytes_kept + c.bytes_build > bc.bytes_kept + bc.bytes_build) {
      big = &d->projs[i];
      bc = c;
    }
  }
  double need = kept + build;
  /* an edge list's synapses are not estimated */
  if (force || have <= 0 || need <= have || !big ||
      big->spec.kind == EVS_CONN_FILE)
    return EVS_OK;
  const char *count = evs__model_count_key(big->spec.kind);
  const evs_origin *at = evs__model_key_origin(&big->origin, count);
  char msg[600];
  snprintf(msg, sizeof msg,
           "the projections' synapses need about %.3g GiB (%.3g synapses, "
           "%.3g of them in [projection %s], and their row offsets), "
           "more than this machine's %.3g GiB of memory: check the "
           "population sizes and '%s', or force it (evsnn --force, "
           "PyNN's setup(force=True), evs_model_opts.force)",
           need / 1073741824.0, syn, bc.synapses, big->name,
           have / 1073741824.0, count);
  evs__model_report(err, EVS_EMODEL, at ? at : &big->origin.at, msg);
  evs_error_about(err, EVS_ABOUT_PROJECTION, (int)(big - d->projs));
  evs_error_key(err, count);
  return EVS_EMODEL;
}
