/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The fault-injection walk's runs: one run of the model to its end, or
 * stopped at T with a checkpoint (as evsnn run --until), or resumed from
 * it (as evsnn resume), and the checks after a saved or resumed run
 * (faultwalk.c's header comment). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "faultwalk.h"

/* Loads the model and runs it into dir as phase says (PHASE_RUN: to the
 * end; PHASE_SAVE: to until, then a checkpoint and the files completed up
 * to until, as evsnn run --until; PHASE_RESUME: from dir's checkpoint to the
 * end, as evsnn resume). The calls of the walked kind made while writing or
 * loading the checkpoint go into (*lo, *hi] (either may be NULL). Returns
 * the run's status, with its message in err. */
int run_model(const walk *w, int phase, const char *dir, unsigned long *lo,
              unsigned long *hi, evs_error *err) {
  evs_model_opts mo = {w->sets, w->n_sets, 0, 0, 0};
  evs_model *m = NULL;
  unsigned long from = 0, to = 0;
  int rc = evs_model_load_file(w->model, &mo, &m, err);
  if (rc == EVS_OK) {
    m->run.outdir = dir;
    m->run.progress = 0;
    if (phase == PHASE_RUN) {
      rc = evs_net_run(m->net, &m->run, err);
    } else {
      char path[4096];
      snprintf(path, sizeof path, "%s/checkpoint.evsnn", dir);
      rc = evs_net_set_checkpoint(m->net, path, 0, NULL, 0, err);
      from = calls;
      if (rc == EVS_OK && phase == PHASE_RESUME)
        rc = evs_net_resume(m->net, &m->run, err);
      else if (rc == EVS_OK)
        rc = evs_net_start(m->net, &m->run, err);
      to = calls;
      double end = phase == PHASE_SAVE ? w->until : m->run.duration;
      if (rc == EVS_OK) rc = evs_net_run_until(m->net, end, err);
      if (rc == EVS_OK && phase == PHASE_SAVE) {
        from = calls;
        rc = evs_net_checkpoint(m->net, err);
        to = calls;
        if (rc) { /* the files up to until, all the same (main.c) */
          evs_error ignored;
          evs_error_clear(&ignored);
          evs_net_finish(m->net, &ignored);
        }
      }
      if (rc == EVS_OK || rc == EVS_ESTOPPED) rc = evs_net_finish(m->net, err);
    }
  }
  evs_model_free(m);
  if (lo) *lo = from;
  if (hi) *hi = to;
  return rc;
}

/* After a run of phase save or resume into dir that ended with status rc
 * (and no leak): the checks of the header comment; a finding goes into why.
 * Runs without a fault. */
void check_checkpointed(const walk *w, const char *dir, int rc, char *why,
                        size_t len) {
  int ok = rc == EVS_OK || rc == EVS_ESTOPPED;
  char ckpt[4096];
  struct stat st;
  snprintf(ckpt, sizeof ckpt, "%s/checkpoint.evsnn", dir);
  if (w->phase == PHASE_SAVE) {
    if (!same_folder(w->ref, dir, SKIP_CKPT | (ok ? 0 : SUBSET), why, len))
      return;
    if (ok && stat(ckpt, &st) != 0) {
      snprintf(why, len, "a successful save left no checkpoint.evsnn");
      return;
    }
    if (stat(ckpt, &st) != 0) return; /* nothing saved, nothing to resume */
  } else if (ok) {
    same_folder(w->full, dir, SKIP_CKPT | SKIP_LOG, why, len);
    return;
  }
  /* a checkpoint left by a save, or a failed resume's folder: resuming it
   * must give the uninterrupted run's files */
  evs_error err;
  evs_error_clear(&err);
  int again = run_model(w, PHASE_RESUME, dir, NULL, NULL, &err);
  if (again != EVS_OK && again != EVS_ESTOPPED) {
    snprintf(why, len, "resuming %.200s after %s failed: %s: %.500s", ckpt,
             ok ? "the save" : "this error", evs_errname(again), err.msg);
    return;
  }
  if (!same_folder(w->full, dir, SKIP_CKPT | SKIP_LOG, why, len)) {
    size_t n = strlen(why);
    snprintf(why + n, len - n, " after resuming %.200s", ckpt);
  }
}
