/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the scheduler: runs a built net, dispatching every event to its
 * handler and calling the plug-ins' hooks (core/plugin.h) by index.
 *
 * Every population with a periodic event (exact window, clock step, source
 * window) has one such event in the queue at any time. After a periodic
 * handler returns, the population's new spikes are flushed: sorted by (time,
 * id), handed to the plug-ins that listen to the population, and turned
 * into one delivery event per outgoing projection and delay group. A
 * delivery event hands one group's targets and weights (through the
 * projection's filter, if any) to the post type's deliver(), then to the
 * projection's rule. Record and protocol events belong to plug-ins: their
 * owner is the plug-in's slot in this run. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/comm.h"
#include "core/ranks.h"
#include "core/run_impl.h"
#include "rules/plastic.h"

/* ---- what plug-ins may ask ----------------------------------------------- */

EVS_API int evs_run_push(evs_run *run, const evs_plugin *pl, double t,
                         uint32_t kind, uint32_t source, uint32_t arg) {
  if (kind != EVS_EV_RECORD && kind != EVS_EV_PROTOCOL) return EVS_EINVAL;
  evs_event ev = {
      .t = t, .kind = kind, .source = source, .owner = pl->index, .arg = arg};
  return evs_queue_push(&run->q, &ev);
}

EVS_API int evs_run_listen(evs_run *run, const evs_plugin *pl, uint32_t pop) {
  if (pop >= run->net->npop || !pl->type->spikes) return EVS_EINVAL;
  listeners *l = &run->lis[pop];
  if (l->n == l->cap) {
    uint32_t cap = l->cap ? 2 * l->cap : 4;
    uint32_t *s = realloc(l->slot, cap * sizeof *s);
    if (!s) return EVS_ENOMEM;
    l->slot = s;
    l->cap = cap;
  }
  l->slot[l->n++] = pl->index;
  return EVS_OK;
}

evs_output *evs__run_output(const evs_run *run) { return run->out; }

EVS_API double evs_run_end(const evs_run *run) { return run->t_end; }

EVS_API void evs_run_stop(evs_run *run, double t, const char *reason,
                          const char *log) {
  run->stopped = 1;
  run->t_end = t;
  snprintf(run->reason, sizeof run->reason, "%s", reason);
  snprintf(run->log, sizeof run->log, "%s", log);
}

/* ---- spikes and deliveries ----------------------------------------------- */

int evs__spike_order(const void *a, const void *b) {
  const evs_spike *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

int evs__run_tell(evs_run *r, uint32_t pop, const evs_spike *spk, size_t n) {
  const listeners *l = &r->lis[pop];
  for (uint32_t k = 0; k < l->n; k++) {
    evs_plugin *pl = r->pl[l->slot[k]];
    int rc = pl->type->spikes(pl, r, pop, spk, n);
    if (rc) return rc;
  }
  return EVS_OK;
}

evs_csr *const *evs__run_proj_csrs(evs_run *r, const evs_proj *p, uint32_t *n) {
  *n = 0;
  if (!r || !r->par) return NULL;
  return evs__par_csrs(r->par, p->index, n);
}

void evs__run_gather(evs_run *r, const evs_proj *p) {
  if (r && r->par) evs__par_gather(r->par, p);
}

evs_rule *const *evs__run_rules(evs_run *r, evs_proj *p, uint32_t *n) {
  if (r && r->par) return evs__par_rules(r->par, p, n);
  *n = p->rule ? 1 : 0;
  return &p->rule;
}

evs_pop *evs__run_neuron(evs_run *r, evs_pop *pop, uint32_t *id) {
  return r->par ? evs__par_slice(r->par, pop, id) : pop;
}

int evs__run_ranks(const evs_run *r) { return r->net->nranks; }

int evs__run_holds(const evs_run *r, const evs_pop *pop, uint32_t id) {
  (void)r;
  return id >= pop->rank_lo && id < pop->rank_hi;
}

int evs__run_share(evs_run *r, double *v, size_t n, evs_error *err) {
  evs_net *net = r->net;
  uint64_t bits[256]; /* in chunks: nothing to allocate, nothing to fail */
  for (size_t i = 0; net->comm && i < n; i += 256) {
    size_t m = n - i < 256 ? n - i : 256;
    memcpy(bits, v + i, m * sizeof *bits);
    int rc = evs__comm_allreduce_u64(net->comm, bits, m, EVS_COMM_SUM, err);
    if (rc) return rc;
    memcpy(v + i, bits, m * sizeof *bits);
  }
  return EVS_OK;
}

double evs__run_voltage(evs_run *r, evs_pop *pop, uint32_t id, double t) {
  if (r->par) return evs__par_voltage(r->par, pop, id, t);
  return pop->type->voltage(pop, id, t);
}

static int push(evs_run *r, double t, uint32_t kind, uint32_t source,
                uint32_t owner, uint32_t arg) {
  evs_event ev = {
      .t = t, .kind = kind, .source = source, .owner = owner, .arg = arg};
  return evs_queue_push(&r->q, &ev);
}

/* Schedules the deliveries of one spike of pop. */
static int schedule_spike(evs_run *r, evs_pop *pop, const evs_spike *s) {
  evs_net *net = r->net;
  uint32_t gid = pop->gid0 + s->id;
  for (uint32_t k = 0; k < pop->n_out; k++) {
    const evs_proj *p = net->proj[pop->out[k]];
    const evs_csr *m = p->csr;
    if (m->row_ptr[s->id] == m->row_ptr[s->id + 1]) continue;
    if (!m->grp_ptr) {
      if (push(r, s->t + m->const_delay * net->resolution, EVS_EV_DELIVER, gid,
               p->index, 0))
        return EVS_ENOMEM;
      continue;
    }
    for (uint64_t g = m->grp_ptr[s->id]; g < m->grp_ptr[s->id + 1]; g++)
      if (push(r, s->t + m->grp_delay[g] * net->resolution, EVS_EV_DELIVER, gid,
               p->index, (uint32_t)(g - m->grp_ptr[s->id])))
        return EVS_ENOMEM;
  }
  return EVS_OK;
}

/* Sorts the spikes pop found since the last flush, hands them to its
 * listeners and schedules their deliveries. Spikes at or after the run's
 * end are dropped. */
static int flush(evs_run *r, evs_pop *pop) {
  if (pop->failed) return pop->failed;
  r->last_n[pop->index] = 0;
  if (pop->nspk == 0) return EVS_OK;
  qsort(pop->spk, pop->nspk, sizeof *pop->spk, evs__spike_order);
  size_t n = 0;
  while (n < pop->nspk && pop->spk[n].t < r->t_end) n++;
  pop->nspikes += n;
  r->last_n[pop->index] = n;
  int rc = n ? evs__run_tell(r, pop->index, pop->spk, n) : EVS_OK;
  if (rc) return rc;
  for (size_t i = 0; i < n; i++)
    if (schedule_spike(r, pop, &pop->spk[i])) return EVS_ENOMEM;
  pop->nspk = 0;
  return EVS_OK;
}

/* The synapses [*begin, *end) of delivery event ev of projection p. */
static inline void delivery_range(const evs_proj *p, const evs_event *ev,
                                  uint64_t *begin, uint64_t *end) {
  const evs_csr *m = p->csr;
  uint32_t row = ev->source - p->pre->gid0;
  *begin = m->row_ptr[row];
  *end = m->row_ptr[row + 1];
  if (m->grp_ptr) {
    uint64_t g = m->grp_ptr[row] + ev->arg;
    if (g > m->grp_ptr[row]) *begin = m->grp_end[g - 1];
    *end = m->grp_end[g];
  }
}

/* Starts fetching the first targets of the next event if it is a delivery
 * too: a row starts at a random place of a large target array, and the
 * delivery running now gives the fetch time to arrive. */
static inline void prefetch_next_delivery(const evs_run *r) {
  const evs_event *next = evs_queue_peek(&r->q);
  if (!next || next->kind != EVS_EV_DELIVER) return;
  const evs_proj *p = r->net->proj[next->owner];
  uint64_t begin, end;
  delivery_range(p, next, &begin, &end);
  const uint32_t *target = p->csr->target + begin;
  __builtin_prefetch(target);
  if (end - begin > 16) __builtin_prefetch(target + 16);
}

static int deliver(evs_run *r, const evs_event *ev) {
  const evs_proj *p = r->net->proj[ev->owner];
  const evs_csr *m = p->csr;
  uint32_t row = ev->source - p->pre->gid0;
  uint64_t begin, end;
  delivery_range(p, ev, &begin, &end);
  prefetch_next_delivery(r);
  const float *w = m->weight ? m->weight + begin : NULL;
  if (p->filter) /* the post type receives the filtered weights */
    w = p->filter->type->apply(p->filter, ev->t, row, ev->arg, w, end - begin);
  p->post->type->deliver(p->post, ev->t, p->receptor, m->target + begin, w,
                         m->weight_shared, end - begin);
  if (p->rule) p->rule->type->on_pre(p->rule, ev->t, row, begin, end);
  r->net->stats.syn_events += end - begin;
  return p->post->failed;
}

/* ---- periodic events ----------------------------------------------------- */

uint32_t evs__periodic_kind(const evs_pop *pop) {
  switch (pop->type->kind) {
  case EVS_POP_EXACT: return EVS_EV_WINDOW;
  case EVS_POP_CLOCKED: return EVS_EV_CLOCK;
  case EVS_POP_SOURCE: return EVS_EV_SOURCE;
  }
  return EVS_EV_SOURCE;
}

double evs__periodic_time(const evs_pop *pop, uint64_t k) {
  return pop->type->kind == EVS_POP_SOURCE ? (double)k * pop->tick
                                           : (double)(k + 1) * pop->tick;
}

static int periodic(evs_run *r, const evs_event *ev) {
  evs_pop *pop = r->net->pop[ev->owner];
  int rc = pop->type->tick(pop, ev->t);
  if (rc) return rc;
  evs__pop_ticked(pop, ev->t);
  if ((rc = flush(r, pop))) return rc;
  uint64_t k = ++r->ticks[pop->index];
  return push(r, evs__periodic_time(pop, k), ev->kind, pop->gid0, pop->index,
              0);
}

/* After a stop at r->t_end: a source generates spikes up to one tick ahead
 * and a clocked type spikes at its step's end, so the last flush may have
 * counted spikes at or after the stop; they lie outside the run. (Its
 * spikes are still in pop->spk unless new ones were emitted since.) */
static void uncount_ahead(evs_run *r) {
  if (r->par) {
    evs__par_uncount(r);
    return;
  }
  for (uint32_t i = 0; i < r->net->npop; i++) {
    evs_pop *pop = r->net->pop[i];
    if (pop->nspk) continue;
    for (size_t j = 0; j < r->last_n[i]; j++)
      if (pop->spk[j].t >= r->t_end) pop->nspikes--;
  }
}

/* ---- the run ------------------------------------------------------------- */

/* The first periodic event of every population, then every plug-in's
 * start, in slot order. */
static int start(evs_run *r, evs_error *err) {
  evs_net *net = r->net;
  for (uint32_t i = 0; i < net->npop && !r->par; i++) {
    evs_pop *pop = net->pop[i];
    if (push(r, evs__periodic_time(pop, 0), evs__periodic_kind(pop), pop->gid0,
             i, 0))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  for (uint32_t s = 0; s < r->npl; s++) {
    evs_plugin *pl = r->pl[s];
    int rc = pl->type->start ? pl->type->start(pl, r, err) : EVS_OK;
    if (rc) return rc;
  }
  return EVS_OK;
}

/* Stops the run at t, the time of the next event, for an interruption by
 * signal sig: every event before t has run, the queue holds every later
 * one. (A checkpoint of the run at t would be written here, before
 * end_events closes the windows at t.) */
void evs__run_interrupted(evs_run *r, double t, int sig) {
  char why[32];
  if (sig == SIGINT)
    snprintf(why, sizeof why, "SIGINT");
  else if (sig == SIGTERM)
    snprintf(why, sizeof why, "SIGTERM");
  else
    snprintf(why, sizeof why, "signal %d", sig);
  r->stopped = 1;
  r->t_end = t;
  snprintf(r->reason, sizeof r->reason, "interrupted (%s)", why);
  snprintf(r->log, sizeof r->log, "interrupted by %s", why);
}

/* Events between two readings of the wall clock for periodic checkpoints:
 * a reading costs about as much as a few events. */
#define CKPT_POLL 4096

/* The run's error while it runs: the message of a checkpoint that could not
 * be written, kept for evs__run_until. */
static int ckpt_failed(evs_run *r, int rc, const evs_error *e) {
  snprintf(r->reason, sizeof r->reason, "%.150s", e->msg);
  r->ckpt_error = rc;
  return rc;
}

int evs__run_poll_checkpoint(evs_run *r, double t) {
  r->ckpt_poll = CKPT_POLL;
  double now = evs__wall_clock();
  if (now < r->ckpt_wall) return EVS_OK;
  evs_error e;
  evs_error_clear(&e);
  int rc = evs__run_checkpoint_save(r, t, &e);
  r->ckpt_wall = evs__wall_clock() + r->net->ckpt_every;
  return rc ? ckpt_failed(r, rc, &e) : EVS_OK;
}

int evs__run_interrupted_checkpoint(evs_run *r, double t) {
  size_t n = strlen(r->log);
  if (r->ckpt_off) {
    snprintf(r->log + n, sizeof r->log - n, "; no checkpoint: %s", r->ckpt_why);
    return EVS_OK;
  }
  evs_error e;
  evs_error_clear(&e);
  int rc = evs__run_checkpoint_save(r, t, &e);
  if (rc) return ckpt_failed(r, rc, &e);
  snprintf(r->log + n, sizeof r->log - n,
           "; the checkpoint at t = %.9g s resumes the run (evsnn resume)", t);
  return EVS_OK;
}

/* Runs every event before min(t, t_end), in the queue's order; an event at
 * or after it stays in the queue for the next phase. */
static int run_events(evs_run *r, double t) {
  double until = t < r->t_end ? t : r->t_end;
  if (r->par) {
    int rc = evs__par_run(r, until);
    if (!r->stopped) r->t_phase = until;
    return rc;
  }
  const evs_event *next;
  evs_event ev;
  int rc = EVS_OK;
  while (rc == EVS_OK && !r->stopped && (next = evs_queue_peek(&r->q)) &&
         next->t < until) {
    if (r->interrupt && *r->interrupt) {
      double t_stop = next->t;
      evs__run_interrupted(r, t_stop, (int)*r->interrupt);
      if (r->net->ckpt_path) rc = evs__run_interrupted_checkpoint(r, t_stop);
      break;
    }
    if (r->ckpt_poll && --r->ckpt_poll == 0 &&
        (rc = evs__run_poll_checkpoint(r, next->t)))
      break;
    evs_queue_pop(&r->q, &ev);
    switch (ev.kind) {
    case EVS_EV_DELIVER: rc = deliver(r, &ev); break;
    case EVS_EV_SOURCE:
    case EVS_EV_WINDOW:
    case EVS_EV_CLOCK: rc = periodic(r, &ev); break;
    default: { /* a plug-in's own clock */
      evs_plugin *pl = r->pl[ev.owner];
      rc = pl->type->clock(pl, r, &ev);
      break;
    }
    }
  }
  if (!r->stopped) r->t_phase = until;
  return rc;
}

/* Ends the run at the last phase's end (or the stop): the plug-ins' finish,
 * then the exact populations' last window. */
static int end_events(evs_run *r) {
  int rc = EVS_OK;
  if (!r->stopped && r->t_phase < r->t_end) {
    r->t_end = r->t_phase; /* finished early: as a stop there */
    uncount_ahead(r);
  }
  if (r->stopped) uncount_ahead(r);
  for (uint32_t s = 0; s < r->npl && rc == EVS_OK; s++)
    if (r->pl[s]->type->finish)
      rc = r->pl[s]->type->finish(r->pl[s], r, r->t_end);
  /* Exact populations close their last, possibly partial, window (after a
   * stop, the checked population closed it at the stop time already). On
   * several ranks they all go on, or all fail. */
  evs_error ignored;
  if ((rc = evs__ranks_agree(r->net, rc, &ignored))) return rc;
  if (r->par) return evs__par_close(r);
  for (uint32_t i = 0; i < r->net->npop && rc == EVS_OK; i++) {
    evs_pop *pop = r->net->pop[i];
    if (pop->type->kind != EVS_POP_EXACT) continue;
    if (r->ticks[i] && evs__periodic_time(pop, r->ticks[i] - 1) >= r->t_end)
      continue;
    if ((rc = pop->type->tick(pop, r->t_end)) == EVS_OK) rc = flush(r, pop);
  }
  return rc;
}

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

/* Writes the summary and the run's counters into run.log. EVS_OK, or
 * EVS_ENOMEM when the summary could not be made (a run without its
 * summary.tsv is a failed run, not a shorter output). */
static int write_summary(evs_run *r) {
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
  evs__output_log(r->out, "stat spikes %llu", (unsigned long long)s->spikes);
  evs__output_log(r->out, "stat syn_events %llu",
                  (unsigned long long)s->syn_events);
  evs__output_log(r->out, "stat queue_pushes %llu",
                  (unsigned long long)s->queue_pushes);
  evs__output_log(r->out, "stat queue_pops %llu",
                  (unsigned long long)s->queue_pops);
  evs__output_log(r->out, "stat crossings_solved %llu",
                  (unsigned long long)s->crossings_solved);
  evs__output_log(r->out, "stat synapses %llu",
                  (unsigned long long)s->synapses);
  evs__output_log(r->out, "stat synapse_bytes %llu",
                  (unsigned long long)s->synapse_bytes);
  return EVS_OK;
}

/* Allocates r's tables for net and the plug-ins (extra first). */
static int run_init(evs_run *r, evs_net *net, const evs_plugin *extra) {
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
  for (uint32_t i = 0; r->lis && i < r->net->npop; i++) free(r->lis[i].slot);
  free(r->lis);
  free(r->ticks);
  free(r->last_n);
  free(r->pl);
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
  int rc = r->net->comm ? evs_error_set(&why, EVS_EINVAL, NULL, 0,
                                        "checkpoints need a run in one "
                                        "process: a run on several ranks "
                                        "cannot be saved yet")
                        : evs__run_checkpoint_check(r, &why);
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

int evs__run_begin(evs_net *net, const evs_run_opts *opts,
                   const evs_plugin *extra, evs_error *err) {
  evs_run *r = calloc(1, sizeof *r);
  if (!r) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  r->net = net;
  r->t_end = r->t_planned = opts->duration;
  r->interrupt = opts->interrupt;
  /* a checkpoint of an earlier run into the same file is stale */
  if (net->ckpt_path) unlink(net->ckpt_path);
  int rc = run_init(r, net, extra);
  if (rc) evs_error_set(err, rc, NULL, 0, "out of memory");
  /* on several ranks rank 0 writes the files; the others run the same
   * plug-ins into an output that writes nothing, so that every rank has
   * the same plug-in events */
  const char *name = opts->model_name ? opts->model_name : "model";
  if (rc == EVS_OK && opts->outdir)
    rc = net->rank == 0
             ? evs__output_open(&r->out, opts->outdir, name, net->seed, err)
             : evs__output_open_silent(&r->out, name, err);
  if (rc == EVS_OK && (opts->threads > 1 || net->comm))
    rc =
        evs__par_begin(r, opts->threads > 1 ? (uint32_t)opts->threads : 1, err);
  if (rc == EVS_OK) rc = start(r, err);
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
  if (!r) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  r->net = net;
  r->t_end = r->t_planned = opts->duration;
  r->interrupt = opts->interrupt;
  int rc = run_init(r, net, extra);
  if (rc) {
    evs_error_set(err, rc, NULL, 0, "out of memory");
    goto fail;
  }
  if (net->comm) {
    rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "a checkpoint resumes in one process");
    goto fail;
  }
  /* the threads start as a new run's would; the checkpoint then replaces
   * their state (a checkpoint of any thread count, core/threads_ckpt.c) */
  if (opts->threads > 1 &&
      (rc = evs__par_begin(r, (uint32_t)opts->threads, err)))
    goto fail;
  if ((rc = evs__run_checkpoint_load(
           r, opts->outdir, opts->model_name ? opts->model_name : "model",
           err)))
    goto fail;
  if (r->extra.type->start && (rc = r->extra.type->start(&r->extra, r, err)))
    goto fail;
  if ((rc = checkpoints_begin(r, 1, err))) goto fail;
  net->run = r;
  return EVS_OK;
fail:
  evs__run_free(r);
  return rc;
}

double evs__run_time(const evs_run *r) { return r->t_phase; }

int evs__run_params_change(evs_run *r, evs_error *err) {
  if (r->net->ckpt_every > 0)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "the run saves checkpoints (checkpoint_every), "
                         "which do not hold parameters: they cannot change "
                         "between its phases");
  r->ckpt_off = 1;
  snprintf(r->ckpt_why, sizeof r->ckpt_why,
           "parameters changed between phases, which a checkpoint does not "
           "hold");
  return EVS_OK;
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
  int rc = run_events(r, t);
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
  return EVS_OK;
}

int evs__run_finish(evs_run *r, evs_error *err) {
  evs_net *net = r->net;
  net->run = NULL;
  double t0 = evs__wall_clock();
  int rc = end_events(r);
  net->stats.wall_run += evs__wall_clock() - t0;
  if (rc) {
    evs_error_set(err, rc, NULL, 0, "the run failed: %s", evs_strerror(rc));
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
  if (r->out) {
    if ((rc = write_summary(r))) {
      evs_error_set(err, rc, NULL, 0, "out of memory writing summary.tsv");
      goto done;
    }
    if (reason) evs__output_log(r->out, "%s", r->log);
    rc = evs__output_close(r->out, r->t_end, reason, err);
    r->out = NULL;
  }
  if (rc == EVS_OK && reason)
    rc = evs_error_set(err, EVS_ESTOPPED, NULL, 0, "stopped at t = %.9g s: %s",
                       r->t_end, reason);
done:
  evs__run_free(r);
  return rc;
}
