/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the life of a run (core/run.h): begun (outputs opened, threads
 * started, plug-ins started) or resumed from a checkpoint, run in phases,
 * saved between them, finished (the plug-ins' finish, the summary, the
 * outputs closed) or discarded. The events themselves run in run.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/comm.h"
#include "core/ranks.h"
#include "core/ranks_ckpt.h"
#include "core/run_impl.h"

/* Fills r (zeroed) for a run of net as opts asks: its end, its
 * interruption flag, its tables for net and the plug-ins (extra first).
 * EVS_OK or EVS_ENOMEM. */
static int run_init(evs_run *r, evs_net *net, const evs_run_opts *opts,
                    const evs_plugin *extra) {
  r->net = net;
  r->t_end = r->t_planned = opts->duration;
  r->interrupt = opts->interrupt;
  r->ticks = calloc(net->npop + 1, sizeof *r->ticks);
  r->last_n = calloc(net->npop + 1, sizeof *r->last_n);
  r->lis = calloc(net->npop + 1, sizeof *r->lis);
  r->pl = malloc((net->nplugin + 1) * sizeof *r->pl);
  if (!r->ticks || !r->last_n || !r->lis || !r->pl ||
      evs_queue_init(&r->q, 1024))
    return EVS_ENOMEM;
  /* slot 0 is the run's own, so that the net's plug-ins have the same
   * slots in every run of the net (a checkpoint keeps their events) */
  static const evs_plugin_type none = {.name = "none"};
  r->extra = extra ? *extra : (evs_plugin){.type = &none, .net = net};
  r->has_extra = extra != NULL;
  r->pl[r->npl++] = &r->extra;
  for (uint32_t i = 0; i < net->nplugin; i++) r->pl[r->npl++] = net->plugin[i];
  for (uint32_t s = 0; s < r->npl; s++) r->pl[s]->index = s;
  return EVS_OK;
}

void evs__run_free(evs_run *r) {
  if (!r) return;
  evs__par_free(r->par);
  if (r->out) evs__output_abort(r->out);
  evs_queue_destroy(&r->q);
  for (uint32_t i = 0; r->lis && i < r->net->npop; i++) {
    free(r->lis[i].slot);
    free(r->lis[i].told);
  }
  free(r->told_scratch);
  free(r->lis);
  free(r->ticks);
  free(r->last_n);
  free(r->pl);
  evs__run_delays_free(r);
  free(r);
}

/* Readies the checkpoints of run r (net->ckpt_path set): everything in the
 * net can be saved (a trial walk), the first periodic
 * one due in ckpt_every of wall time. When that fails, a run that asked
 * for periodic checkpoints, or was resumed, fails (EVS_EINVAL, err); any
 * other runs on without them (ckpt_off, the reason in ckpt_why for its
 * interruption). */
static int checkpoints_begin(evs_run *r, int resumed, evs_error *err) {
  evs_error why;
  evs_error_clear(&why);
  /* on several ranks, every rank's part can be saved or none is */
  int rc = evs__ranks_agree(r->net, evs__run_checkpoint_check(r, &why), &why);
  if (rc && (r->net->ckpt_every > 0 || resumed)) {
    *err = why;
    return rc;
  }
  if (rc) { /* asked for at an interruption only: the run goes on */
    r->ckpt_off = 1;
    snprintf(r->ckpt_why, sizeof r->ckpt_why, "%.150s", why.msg);
    return EVS_OK;
  }
  if (r->net->ckpt_every > 0) {
    r->ckpt_poll = CKPT_POLL;
    r->ckpt_wall = evs__wall_clock() + r->net->ckpt_every;
  }
  return EVS_OK;
}

/* Out of memory for the run itself: on several ranks the others wait in
 * the run's first agreement, which this one joins failing. */
static int run_nomem(evs_net *net, evs_error *err) {
  return evs__ranks_agree(
      net, evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory"), err);
}

int evs__run_begin(evs_net *net, const evs_run_opts *opts,
                   const evs_plugin *extra, evs_error *err) {
  evs_run *r = calloc(1, sizeof *r);
  if (!r) return run_nomem(net, err);
  /* a checkpoint of an earlier run into the same file is stale */
  if (net->ckpt_path) {
    unlink(net->ckpt_path);
    evs__ranks_ckpt_clear(net);
  }
  int rc = run_init(r, net, opts, extra);
  if (rc) evs_error_set(err, rc, NULL, 0, "out of memory");
  if (rc == EVS_OK) evs__run_plan_ahead(net);
  /* on several ranks rank 0 writes the files; the others run the same
   * plug-ins into an output that writes nothing, so that every rank has
   * the same plug-in events */
  const char *name = opts->model_name ? opts->model_name : "model";
  if (rc == EVS_OK && opts->outdir)
    rc = net->rank == 0
             ? evs__output_open(&r->out, opts->outdir, name, net->seed, err)
             : evs__output_open_silent(&r->out, name, err);
  /* the ranks' part files, for the next run to remove (ranks_ckpt.h) */
  if (rc == EVS_OK) evs__ranks_ckpt_list(net, r->out, opts->outdir);
  if (rc == EVS_OK && (opts->threads > 1 || net->comm))
    rc =
        evs__par_begin(r, opts->threads > 1 ? (uint32_t)opts->threads : 1, err);
  /* after the split: a split population's rings are its slices' */
  if (rc == EVS_OK) rc = evs__run_reserve_ahead(net, err);
  if (rc == EVS_OK) rc = evs__run_start(r, err);
  if (rc == EVS_OK && net->ckpt_path) rc = checkpoints_begin(r, 0, err);
  if ((rc = evs__ranks_agree(net, rc, err))) goto fail;
  net->run = r;
  return EVS_OK;
fail:
  evs__run_free(r);
  return rc;
}

int evs__run_resume(evs_net *net, const evs_run_opts *opts,
                    const evs_plugin *extra, evs_error *err) {
  evs_run *r = calloc(1, sizeof *r);
  if (!r) return run_nomem(net, err);
  int rc = run_init(r, net, opts, extra);
  if (rc) evs_error_set(err, rc, NULL, 0, "out of memory");
  if (rc == EVS_OK) evs__run_plan_ahead(net);
  /* the threads start as a new run's would; the checkpoint then replaces
   * their state (a checkpoint of any thread count, core/threads_ckpt.c;
   * on several ranks each rank loads its own part, ranks_ckpt.h) */
  if (rc == EVS_OK && (opts->threads > 1 || net->comm))
    rc =
        evs__par_begin(r, opts->threads > 1 ? (uint32_t)opts->threads : 1, err);
  if (rc == EVS_OK) rc = evs__run_reserve_ahead(net, err);
  if ((rc = evs__ranks_agree(net, rc, err))) goto fail;
  if ((rc = evs__run_checkpoint_load(
           r, opts->outdir, opts->model_name ? opts->model_name : "model",
           err)))
    goto fail;
  if (r->extra.type->start) rc = r->extra.type->start(&r->extra, r, err);
  if ((rc = evs__ranks_agree(net, rc, err))) goto fail;
  if ((rc = checkpoints_begin(r, 1, err))) goto fail;
  net->run = r;
  return EVS_OK;
fail:
  evs__run_free(r);
  return rc;
}

double evs__run_time(const evs_run *r) { return r->t_phase; }

int evs__run_settings_change(evs_run *r, const char *what, evs_error *err) {
  if (r->net->ckpt_every > 0)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "the run saves checkpoints (checkpoint_every), "
                         "which do not hold %s: they cannot change between "
                         "its phases",
                         what);
  r->ckpt_off = 1;
  snprintf(r->ckpt_why, sizeof r->ckpt_why,
           "%s changed between phases, which a checkpoint does not hold", what);
  return EVS_OK;
}

int evs__run_params_change(evs_run *r, evs_error *err) {
  return evs__run_settings_change(r, "parameters", err);
}

int evs__run_checkpoint(evs_run *r, evs_error *err) {
  if (!r->net->ckpt_path)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "no checkpoint file was set "
                         "(evs_net_set_checkpoint)");
  if (r->stopped)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "the run was stopped: there is nothing to resume");
  if (r->ckpt_off)
    return evs_error_set(err, EVS_EINVAL, NULL, 0, "%s", r->ckpt_why);
  return evs__run_checkpoint_save(r, r->t_phase, err);
}

int evs__run_until(evs_run *r, double t, evs_error *err) {
  if (!(t >= r->t_phase) || !(t <= r->t_end))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "a phase must end between the last one's end "
                         "(%.9g s) and the run's duration (%.9g s), got %g s",
                         r->t_phase, r->t_end, t);
  evs_net *net = r->net;
  double t0 = evs__wall_clock();
  int rc = evs__run_events(r, t);
  net->stats.wall_run += evs__wall_clock() - t0;
  if (rc) {
    net->run = NULL;
    if (r->ckpt_error) /* the checkpoint's own message */
      evs_error_set(err, rc, NULL, 0, "the run failed: %s", r->reason);
    else
      evs_error_set(err, rc, NULL, 0, "the run failed: %s", evs_strerror(rc));
    evs__run_free(r);
    return rc;
  }
  if (r->stopped)
    return evs_error_set(err, EVS_ESTOPPED, NULL, 0,
                         "stopped at t = %.9g s: %s", r->t_end, r->reason);
  if ((rc = evs__run_tell_found(r))) {
    net->run = NULL;
    evs_error_set(err, rc, NULL, 0, "the run failed: %s", evs_strerror(rc));
    evs__run_free(r);
    return rc;
  }
  return EVS_OK;
}

/* Population p's spikes before t that its window has not flushed, on this
 * rank: on one thread those found (pop->spk) and those its type peeks, on
 * several every slice's. Appended to *spk (*n of *cap), unsorted. */
static int found_here(evs_run *r, uint32_t p, double t, evs_spike **spk,
                      size_t *n, size_t *cap) {
  evs_pop *pop = r->net->pop[p];
  if (r->par) return evs__par_found(r->par, p, t, spk, n, cap);
  int rc = EVS_OK;
  for (size_t i = 0; i < pop->nspk && rc == EVS_OK; i++)
    if (pop->spk[i].t < t)
      rc = evs__spike_append(spk, n, cap, pop->spk[i].t, pop->spk[i].id);
  return rc ? rc : pop->type->peek(pop, t, spk, n, cap);
}

/* Replaces *spk[0..*n) by every rank's (collective; the status the same on
 * every rank, but for EVS_ENOMEM copying them in). */
static int gather_ranks(evs_run *r, evs_spike **spk, size_t *n, size_t *cap) {
  const void *all;
  const uint64_t *off;
  evs_error e;
  evs_error_clear(&e);
  int rc = evs__comm_allgatherv(r->net->comm, *spk, *n * sizeof **spk, &all,
                                &off, &e);
  if (rc) return rc;
  size_t m = off[evs__comm_size(r->net->comm)] / sizeof **spk;
  if (m > *cap) {
    evs_spike *q = realloc(*spk, m * sizeof *q);
    if (!q) return EVS_ENOMEM;
    *spk = q;
    *cap = m;
  }
  memcpy(*spk, all, m * sizeof **spk);
  *n = m;
  return EVS_OK;
}

int evs__run_tell_found(evs_run *r) {
  evs_net *net = r->net;
  double t = r->t_phase;
  evs_spike *spk = NULL;
  size_t n = 0, cap = 0;
  int rc = EVS_OK;
  evs_error ignored; /* the caller's message says the run failed */
  for (uint32_t p = 0; p < net->npop && rc == EVS_OK; p++) {
    evs_pop *pop = net->pop[p];
    listeners *l = &r->lis[p];
    /* with no listener too: one that a recording switched on between the
     * phases adds gets only the spikes from t on */
    if (!pop->type->peek) continue;
    n = 0;
    rc = found_here(r, p, t, &spk, &n, &cap);
    if (net->comm) { /* every rank's, or every rank fails */
      rc = evs__ranks_agree(net, rc, &ignored);
      if (rc == EVS_OK) rc = gather_ranks(r, &spk, &n, &cap);
    }
    if (rc == EVS_OK) qsort(spk, n, sizeof *spk, evs__spike_order);
    /* the new ones to the listeners (evs__run_tell leaves out those an
     * earlier phase's end told); all of them kept for the flush */
    if (rc == EVS_OK && n) rc = evs__run_tell(r, p, spk, n);
    if ((rc = evs__ranks_agree(net, rc, &ignored))) break;
    /* evs__run_tell forgot the earlier ones: spk holds them too */
    evs_spike *keep = l->told;
    size_t capk = l->captold;
    l->told = spk;
    l->ntold = n;
    l->captold = cap;
    spk = keep;
    cap = capk;
  }
  free(spk);
  return rc;
}

int evs__run_finish(evs_run *r, evs_error *err) {
  evs_net *net = r->net;
  net->run = NULL;
  double t0 = evs__wall_clock();
  evs_error e;
  evs_error_clear(&e);
  /* on several ranks the last windows' failure on one fails them all
   * (what follows is collective, and rank 0's files get their names) */
  int rc = evs__ranks_agree(net, evs__run_end_events(r), &e);
  net->stats.wall_run += evs__wall_clock() - t0;
  if (rc) {
    evs_error_set(err, rc, NULL, 0, "the run failed: %s",
                  e.msg[0] ? e.msg : evs_strerror(rc));
    goto done;
  }
  net->stats.t_end = r->t_end;
  net->stats.queue_pushes = r->q.pushes;
  net->stats.queue_pops = r->q.pops;
  if (r->par) evs__par_stats(r);
  for (uint32_t i = 0; i < net->npop; i++) {
    net->stats.spikes += net->pop[i]->nspikes;
    net->stats.crossings_solved += net->pop[i]->crossings;
  }
  const char *reason = r->stopped ? r->reason : NULL;
  if (r->out) { /* every rank has one (silent but on rank 0) */
    if ((rc = evs__run_write_summary(r)))
      evs_error_set(err, rc, NULL, 0, "out of memory writing summary.tsv");
    if ((rc = evs__ranks_agree(net, rc, err))) goto done;
    if (reason) evs__output_log(r->out, "%s", r->log);
    rc = evs__ranks_agree(net, evs__output_close(r->out, r->t_end, reason, err),
                          err);
    r->out = NULL;
  }
  if (rc == EVS_OK && reason)
    rc = evs_error_set(err, EVS_ESTOPPED, NULL, 0, "stopped at t = %.9g s: %s",
                       r->t_end, reason);
done:
  evs__run_free(r);
  return rc;
}
