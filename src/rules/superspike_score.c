/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — SuperSpike: targets, trials and scores (include/evsnn/superspike.h,
 * src/rules/superspike_impl.h): reads the target raster, writes learning.tsv's
 * row at the end of every trial (loss, spikes, accuracy), the rasters of the
 * recorded trials, <output>_target.ras and outputs.tsv. The learner itself
 * (traces, clock, gradient, updates) is src/rules/superspike.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/superspike_impl.h"
#include "neurons/types.h"
#include "io/output.h"

int evs__ss_read_targets(evs_superspike *ss, evs_error *err) {
  uint32_t n = ss->out->pop->size;
  char owner[96];
  snprintf(owner, sizeof owner, "output population %s", ss->out->pop->name);
  int rc = evs__ras_read(ss->spec.target, n, (double)ss->P * ss->spec.dt, owner,
                         &ss->tgt, &ss->ntgt, err);
  if (rc) {
    if (rc != EVS_ENOMEM) evs_error_key(err, "target"); /* the file's fault */
    return rc;
  }
  ss->tgt_ptr = calloc((size_t)n + 1, sizeof *ss->tgt_ptr);
  ss->tgt_time = malloc((ss->ntgt + 1) * sizeof *ss->tgt_time);
  if (!ss->tgt_ptr || !ss->tgt_time)
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  for (size_t i = 0; i < ss->ntgt; i++) ss->tgt_ptr[ss->tgt[i].id + 1]++;
  for (uint32_t i = 0; i < n; i++) ss->tgt_ptr[i + 1] += ss->tgt_ptr[i];
  uint32_t *fill = calloc(n ? n : 1, sizeof *fill);
  if (!fill) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  for (size_t i = 0; i < ss->ntgt; i++) {
    uint32_t id = ss->tgt[i].id;
    ss->tgt_time[ss->tgt_ptr[id] + fill[id]++] = ss->tgt[i].t;
  }
  free(fill);
  return EVS_OK;
}

int evs__superspike_open(evs_superspike *ss, evs_output *o, double duration,
                         evs_error *err) {
  ss->o = o;
  uint64_t total = (uint64_t)floor(duration / ss->spec.trial * (1 + 1e-12));
  ss->score_from =
      total > EVS__SUPERSPIKE_LAST ? total - EVS__SUPERSPIKE_LAST + 1 : 1;
  ss->score_to = total;
  ss->table = evs__output_table_open(
      o, "learning.tsv", "trial\tloss\tspikes\taccuracy\tt_end\tr0", err);
  if (ss->table < 0) return ss->table;
  /* one trial's targets, beside the trial rasters, for the figures */
  char name[96];
  snprintf(name, sizeof name, "%s_target", ss->out->pop->name);
  int h = evs__output_raster_open(o, name, ss->out->pop->size, err);
  if (h < 0) return h;
  evs__output_raster_write(o, h, ss->tgt, ss->ntgt);
  return EVS_OK;
}

static int by_time_then_id(const void *a, const void *b) {
  const evs_spike *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

/* Fraction of output neurons whose spikes in trial spk[0..n) (sorted by
 * neuron then time, times relative to the trial) match their targets: same
 * count, and the j-th spike within tolerance of the j-th target. When score
 * is set, counts each matching neuron in ss->correct. */
static double accuracy(evs_superspike *ss, uint64_t trial, const evs_spike *spk,
                       size_t n, int score) {
  uint32_t nout = ss->out->pop->size, good = 0;
  /* this trial's targets: [off, off + trial) of the target period */
  uint64_t per = ss->P / ss->T;
  double off = (double)((trial - 1) % per) * ss->spec.trial;
  double end = off + ss->spec.trial;
  size_t a = 0;
  uint32_t best = 0, best_n = 0, class_tgt = 0, class_n = 0, ties = 0;
  for (uint32_t i = 0; i < nout; i++) {
    size_t b = a;
    while (b < n && spk[b].id == i) b++;
    uint32_t t0 = ss->tgt_ptr[i], t1 = ss->tgt_ptr[i + 1];
    while (t0 < t1 && ss->tgt_time[t0] < off) t0++;
    uint32_t nt = 0;
    while (t0 + nt < t1 && ss->tgt_time[t0 + nt] < end) nt++;
    int ok = (size_t)nt == b - a;
    for (size_t j = 0; ok && j < nt; j++)
      ok = fabs(spk[a + j].t - (ss->tgt_time[t0 + j] - off)) <=
           ss->spec.tolerance;
    good += (uint32_t)ok;
    if (score) ss->correct[i] += (uint32_t)ok;
    /* the class task: most spikes vs most targets */
    if (b - a > best_n) {
      best = i;
      best_n = (uint32_t)(b - a);
      ties = 0;
    } else if (b - a == best_n) {
      ties++;
    }
    if (nt > class_n) {
      class_tgt = i;
      class_n = nt;
    }
    a = b;
  }
  if (ss->spec.class_accuracy)
    return best_n > 0 && !ties && best == class_tgt ? 1 : 0;
  return nout ? (double)good / nout : 0;
}

static int by_id_then_time(const void *a, const void *b) {
  const evs_spike *x = a, *y = b;
  if (x->id != y->id) return (x->id > y->id) - (x->id < y->id);
  return (x->t > y->t) - (x->t < y->t);
}

static int recorded(const evs_superspike *ss, uint64_t trial) {
  for (size_t i = 0; i < ss->spec.n_record_trials; i++)
    if (ss->rec[i] == trial) return 1;
  return 0;
}

int evs__ss_end_trial(evs_superspike *ss, uint64_t n, double t_end) {
  double t0 = (double)(n - 1) * ss->spec.trial;
  int rec = ss->o && recorded(ss, n);
  double acc = 0;
  uint64_t nspikes = 0;
  for (uint32_t gi = 0; gi < ss->ngrp; gi++) {
    ss_group *g = &ss->grp[gi];
    size_t keep = 0, in = 0;
    /* the trial's spikes first, relative times */
    for (size_t i = 0; i < g->nspk; i++) {
      evs_spike sp = g->spk[i];
      if (sp.t < t_end) {
        g->spk[i] = g->spk[in];
        g->spk[in++] = (evs_spike){sp.t - t0, sp.id};
      }
    }
    if (rec) {
      if (in) qsort(g->spk, in, sizeof *g->spk, by_time_then_id);
      char name[96];
      snprintf(name, sizeof name, "%s_trial%llu", g->pop->name,
               (unsigned long long)n);
      int h = evs__output_raster_open(ss->o, name, g->pop->size, NULL);
      if (h < 0) return h;
      evs__output_raster_write(ss->o, h, g->spk, in);
    }
    if (g->output) {
      if (in) qsort(g->spk, in, sizeof *g->spk, by_id_then_time);
      acc =
          accuracy(ss, n, g->spk, in, n >= ss->score_from && n <= ss->score_to);
      nspikes = in;
    }
    for (size_t i = in; i < g->nspk; i++) g->spk[keep++] = g->spk[i];
    g->nspk = keep;
  }
  if (n >= ss->score_from && n <= ss->score_to) {
    ss->sum_loss += ss->loss;
    ss->sum_acc += acc;
    ss->n_scored++;
  }
  if (ss->nrows == ss->caprows) {
    size_t cap = ss->caprows ? 2 * ss->caprows : 64;
    evs_superspike_trial *r = realloc(ss->rows, cap * sizeof *r);
    if (!r) return EVS_ENOMEM;
    ss->rows = r;
    ss->caprows = cap;
  }
  ss->rows[ss->nrows++] =
      (evs_superspike_trial){n, ss->loss, nspikes, acc, t_end, ss->r0_now};
  if (ss->o)
    evs__output_table_printf(
        ss->o, ss->table, "%llu\t%.9g\t%llu\t%.6g\t%.9g\t%.9g\n",
        (unsigned long long)n, ss->loss, (unsigned long long)nspikes, acc,
        t_end, ss->r0_now);
  ss->loss = 0;
  ss->trials_done = n;
  return EVS_OK;
}

int evs__superspike_summary(const evs_superspike *ss, const evs_pop *pop,
                            char *cells, size_t cap) {
  if (pop != ss->out->pop || !ss->n_scored) {
    snprintf(cells, cap, "nan\tnan");
    return 0;
  }
  double n = (double)ss->n_scored;
  snprintf(cells, cap, "%.9g\t%.6g", ss->sum_loss / n, ss->sum_acc / n);
  return 1;
}

int evs__ss_write_outputs(evs_superspike *ss, evs_error *err) {
  uint64_t done = ss->trials_done;
  if (!ss->o || done < ss->score_from) return EVS_OK;
  uint64_t last = done < ss->score_to ? done : ss->score_to;
  double n = (double)(last - ss->score_from + 1);
  int h = evs__output_table_open(ss->o, "outputs.tsv",
                                 "neuron\ttargets\taccuracy_last", err);
  if (h < 0) return h;
  for (uint32_t i = 0; i < ss->out->pop->size; i++)
    evs__output_table_printf(ss->o, h, "%u\t%u\t%.6g\n", i,
                             ss->tgt_ptr[i + 1] - ss->tgt_ptr[i],
                             ss->correct[i] / n);
  return EVS_OK;
}
