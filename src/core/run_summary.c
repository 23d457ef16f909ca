/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the end of a run's output: summary.tsv (the populations' spike
 * counts and rates, and the columns plug-ins add) and the run's counters
 * in run.log. */
#include <stdlib.h>
#include <string.h>

#include "core/run_impl.h"

/* Plug-ins' extra summary.tsv columns (evs_plugin_type.summary), for the n
 * (>= 1) populations: *header their tab-separated names, (*cells)[i]
 * population i's cells in cell (all NULL when no plug-in adds any).
 * EVS_OK or EVS_ENOMEM; the caller frees the three. */
enum { SUMMARY_CELLS_MAX = 128 }; /* bytes of one plug-in's cells */
static int summary_columns(const evs_run *r, size_t n, char **header,
                           char **cell, const char ***cells) {
  size_t nsum = 0, hlen = 0;
  for (uint32_t s = 0; s < r->npl; s++)
    if (r->pl[s]->type->summary) {
      nsum++;
      hlen += strlen(r->pl[s]->type->summary_columns) + 1;
    }
  if (!nsum) return EVS_OK;
  const size_t width = nsum * SUMMARY_CELLS_MAX;
  *header = malloc(hlen);
  *cell = malloc(n * width);
  *cells = malloc(n * sizeof **cells);
  if (!*header || !*cell || !*cells) return EVS_ENOMEM;
  (*header)[0] = '\0';
  for (size_t i = 0; i < n; i++) (*cell)[i * width] = '\0';
  for (uint32_t s = 0; s < r->npl; s++) {
    const evs_plugin_type *t = r->pl[s]->type;
    if (!t->summary) continue;
    if ((*header)[0]) strcat(*header, "\t");
    strcat(*header, t->summary_columns);
    for (uint32_t i = 0; i < r->net->npop; i++) {
      char *c = *cell + i * width, one[SUMMARY_CELLS_MAX];
      t->summary(r->pl[s], (evs_run *)r, i, one, sizeof one);
      if (c[0]) strcat(c, "\t");
      strcat(c, one);
    }
  }
  for (size_t i = 0; i < n; i++) (*cells)[i] = *cell + i * width;
  return EVS_OK;
}

int evs__run_write_summary(evs_run *r) {
  evs_net *net = r->net;
  size_t n = net->npop ? net->npop : 1;
  evs_pop_info *info = malloc(n * sizeof *info);
  char *header = NULL, *cell = NULL;
  const char **cells = NULL;
  int rc = summary_columns(r, n, &header, &cell, &cells);
  if (rc == EVS_OK && !info) rc = EVS_ENOMEM;
  if (rc == EVS_OK) {
    for (uint32_t i = 0; i < net->npop; i++)
      evs_net_population_info(net, (int)i, &info[i]);
    evs__output_summary_cols(r->out, info, net->npop, r->t_end, header, cells);
  }
  free(cells);
  free(cell);
  free(header);
  free(info);
  if (rc) return rc;
  const evs_run_stats *s = &net->stats;
  evs__output_log(r->out, "stat wall_build %.6f", s->wall_build);
  evs__output_log(r->out, "stat wall_run %.6f", s->wall_run);
  const struct {
    const char *name;
    uint64_t n;
  } counts[] = {{"spikes", s->spikes},
                {"syn_events", s->syn_events},
                {"queue_pushes", s->queue_pushes},
                {"queue_pops", s->queue_pops},
                {"crossings_solved", s->crossings_solved},
                {"synapses", s->synapses},
                {"synapse_bytes", s->synapse_bytes}};
  for (size_t k = 0; k < sizeof counts / sizeof *counts; k++)
    evs__output_log(r->out, "stat %s %llu", counts[k].name,
                    (unsigned long long)counts[k].n);
  return EVS_OK;
}
