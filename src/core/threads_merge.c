/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the threaded scheduler's merge at the barrier: every thread's
 * flushes in the one-thread order (atop threads.c), each flush's spikes
 * interleaved from the threads' sealed runs, handed to the plug-ins; or
 * the flushes held at the barrier and merged by the thread that hands them
 * over (evs__par_hold); and the views of them the next step lists. */
#include <stdlib.h>
#include <string.h>

#include "core/comm.h"
#include "core/threads_impl.h"

/* ---- the barrier's merge ------------------------------------------------- */

static int rec_order(const void *a, const void *b) {
  const flush_rec *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  if (x->pop != y->pop) return x->pop < y->pop ? -1 : 1;
  return (x->worker > y->worker) - (x->worker < y->worker);
}

/* Records up to this many are sorted by insertion: a window's are a few
 * runs, each thread's in its event order, so they move little (the
 * microcircuit at 10 % on two threads: 16 records a window, which glibc's
 * qsort sorted in ~3,600 instructions through the comparison's pointer;
 * by insertion the merge, which the other threads wait for, fell from
 * ~4,700 to ~3,000 instructions a window). */
#define REC_INSERTION_MAX 64

/* 1 if record x comes before y (rec_order, inline). */
static inline int rec_before(const flush_rec *x, const flush_rec *y) {
  if (x->t != y->t) return x->t < y->t;
  if (x->kind != y->kind) return x->kind < y->kind;
  if (x->pop != y->pop) return x->pop < y->pop;
  return x->worker < y->worker;
}

/* Sorts the n records a by rec_order (a total order: a thread runs one
 * periodic event of a population at a time). */
static void sort_recs(flush_rec *a, size_t n) {
  if (n > REC_INSERTION_MAX) {
    qsort(a, n, sizeof *a, rec_order);
    return;
  }
  for (size_t j = 1; j < n; j++) {
    flush_rec x = a[j];
    size_t k = j;
    for (; k > 0 && rec_before(&x, &a[k - 1]); k--) a[k] = a[k - 1];
    a[k] = x;
  }
}

/* 1 if spike x comes before y (evs__spike_order, inline). */
static inline int spike_before(const evs_spike *x, const evs_spike *y) {
  return x->t < y->t || (x->t == y->t && x->id < y->id);
}

/* Grows *arr (elements of sz bytes, room for *cap) to hold need. */
static int reserve(void **arr, size_t *cap, size_t need, size_t sz) {
  if (need <= *cap) return EVS_OK;
  size_t c = *cap ? *cap : 64;
  while (c < need) c *= 2;
  void *p = realloc(*arr, c * sz);
  if (!p) return EVS_ENOMEM;
  *arr = p;
  *cap = c;
  return EVS_OK;
}

/* Keeps a copy of pop's last flush (evs__par_uncount reads it). */
static int keep_last(struct evs_par *par, uint32_t pop, const evs_spike *spk,
                     size_t n) {
  if (reserve((void **)&par->last[pop], &par->caplast[pop], n ? n : 1,
              sizeof *spk))
    return EVS_ENOMEM;
  memcpy(par->last[pop], spk, n * sizeof *spk);
  return EVS_OK;
}

/* Hands merged flush f to the plug-ins: counts its spikes, keeps a copy
 * (evs__par_uncount) and calls the listeners' spikes hooks. */
static int tell_one(struct evs_par *par, const merged *f) {
  evs_run *r = par->run;
  r->last_n[f->pop] = f->n;
  if (f->n == 0) return EVS_OK;
  par->net->pop[f->pop]->nspikes += f->n;
  const evs_spike *spk = par->mspk + f->begin;
  int rc = keep_last(par, f->pop, spk, f->n);
  return rc ? rc : evs__run_tell(r, f->pop, spk, f->n);
}

/* 1 when a merge ends at the run's stop: while the run goes, as the
 * one-thread loop runs no event after the one whose hook stopped it; not
 * while evs__par_close closes the last windows, which the one-thread run
 * flushes and hands out after any stop (run.c, end_events). */
static int halted(const struct evs_par *par) {
  return par->run->stopped && !par->closing;
}

/* The records of every thread's flushes into par->all (held: the ones
 * the last barrier held), each with its thread's spike array; *nall of
 * them. EVS_OK or EVS_ENOMEM. */
static int gather(struct evs_par *par, int held, size_t *nall) {
  size_t n = 0;
  for (uint32_t t = 0; t < par->n; t++)
    n += held ? par->w[t].nhrec : par->w[t].nrec;
  if (reserve((void **)&par->all, &par->capall, n ? n : 1, sizeof *par->all))
    return EVS_ENOMEM;
  size_t k = 0;
  for (uint32_t t = 0; t < par->n; t++) {
    const worker *w = &par->w[t];
    const size_t m = held ? w->nhrec : w->nrec;
    for (size_t i = 0; i < m; i++, k++) {
      par->all[k] = held ? w->hrec[i] : w->rec[i];
      par->all[k].spk = held ? w->hout : w->out;
    }
  }
  *nall = n;
  return EVS_OK;
}

/* Merges the nall records of par->all into mf and mspk in key order, one
 * flush's spikes from every thread interleaved by (time, id) and cut at the
 * run's end; counts the populations' periodic events (count) and hands each
 * flush to the plug-ins unless defer; up to a stop. Returns rc, or the
 * merge's failure (out of memory: in one process; on several ranks it
 * becomes par->deferred). */
static int merge_recs(struct evs_par *par, size_t nall, int defer, int count,
                      int rc) {
  evs_run *r = par->run;
  sort_recs(par->all, nall);
  for (size_t i = 0; i < nall && rc == EVS_OK && !halted(par);) {
    size_t j = i;
    size_t total = 0;
    while (j < nall && par->all[j].t == par->all[i].t &&
           par->all[j].kind == par->all[i].kind &&
           par->all[j].pop == par->all[i].pop) {
      total += par->all[j].end - par->all[j].begin;
      j++;
    }
    uint32_t p = par->all[i].pop;
    if (reserve((void **)&par->mspk, &par->capmspk, par->nmspk + total + 1,
                sizeof *par->mspk) ||
        reserve((void **)&par->mf, &par->capmf, par->nmf + 1,
                sizeof *par->mf)) {
      if (!par->comm) return EVS_ENOMEM;
      /* this rank alone: it goes on without the window's spikes, in step
       * with the others' collectives, until its next exchange or
       * agreement fails them all (par->deferred) */
      par->deferred = EVS_ENOMEM;
      par->nmf = par->nmspk = 0;
      break;
    }
    /* the records' runs, each sorted by (time, id), interleaved: the
     * order one thread's flush sorts them into (ids are distinct) */
    evs_spike *out = par->mspk + par->nmspk;
    const evs_spike *head[EVS_PAR_MERGE_MAX], *end[EVS_PAR_MERGE_MAX];
    size_t nrun = 0, m = 0;
    for (size_t q = i; q < j; q++) {
      const flush_rec *f = &par->all[q];
      if (f->end == f->begin) continue;
      if (nrun == EVS_PAR_MERGE_MAX) { /* more runs than that: sort them */
        memcpy(out + m, f->spk + f->begin, (f->end - f->begin) * sizeof *out);
        m += f->end - f->begin;
        continue;
      }
      head[nrun] = f->spk + f->begin;
      end[nrun++] = f->spk + f->end;
    }
    if (m) { /* beyond EVS_PAR_MERGE_MAX runs */
      for (size_t k = 0; k < nrun; k++) {
        memcpy(out + m, head[k], (size_t)(end[k] - head[k]) * sizeof *out);
        m += (size_t)(end[k] - head[k]);
      }
      qsort(out, m, sizeof *out, evs__spike_order);
    } else {
      while (nrun > 1) {
        size_t best = 0;
        for (size_t k = 1; k < nrun; k++)
          if (spike_before(head[k], head[best])) best = k;
        out[m++] = *head[best]++;
        if (head[best] == end[best]) {
          head[best] = head[nrun - 1];
          end[best] = end[--nrun];
        }
      }
      if (nrun) { /* the last run's rest */
        memcpy(out + m, head[0], (size_t)(end[0] - head[0]) * sizeof *out);
        m += (size_t)(end[0] - head[0]);
      }
    }
    if (count) par->ticks[p]++;
    i = j;
    size_t n = 0;
    while (n < m && out[n].t < r->t_end) n++;
    par->mf[par->nmf++] = (merged){.pop = p, .begin = par->nmspk, .n = n};
    par->nmspk += n;
    if (!defer) rc = evs__par_tell(par);
  }
  return rc;
}

/* Appends the view (pop, spk, n) to lf. EVS_OK or EVS_ENOMEM. */
static int view(struct evs_par *par, uint32_t pop, const evs_spike *spk,
                size_t n) {
  if (reserve((void **)&par->lf, &par->caplf, par->nlf + 1, sizeof *par->lf))
    return EVS_ENOMEM;
  par->lf[par->nlf++] = (flush_view){.pop = pop, .spk = spk, .n = n};
  return EVS_OK;
}

int evs__par_tell(struct evs_par *par) {
  int rc = EVS_OK;
  if (par->held && !par->held_merged) { /* the ticks counted at the hold */
    size_t nall;
    par->held_merged = 1;
    rc = gather(par, 1, &nall);
    if (rc == EVS_OK) rc = merge_recs(par, nall, 1, 0, EVS_OK);
  }
  while (par->told < par->nmf && rc == EVS_OK && !halted(par))
    rc = tell_one(par, &par->mf[par->told++]);
  return rc;
}

void evs__par_take_tell(struct evs_par *par) {
  if (atomic_load_explicit(&par->tell_open, memory_order_relaxed) &&
      atomic_exchange(&par->tell_open, 0))
    par->tell_rc = evs__par_tell(par);
}

int evs__par_hold(struct evs_par *par) {
  const evs_run *r = par->run;
  par->nmf = par->nmspk = par->told = par->nlf = 0;
  par->held = 1;
  par->held_merged = 0;
  for (uint32_t t = 0; t < par->n; t++) {
    worker *w = &par->w[t];
    flush_rec *rec = w->rec;
    evs_spike *out = w->out;
    size_t caprec = w->caprec, capout = w->capout;
    w->rec = w->hrec;
    w->caprec = w->caphrec;
    w->out = w->hout;
    w->capout = w->caphout;
    w->hrec = rec;
    w->caphrec = caprec;
    w->hout = out;
    w->caphout = capout;
    w->nhrec = w->nrec;
    w->nrec = w->sealed = w->nout = 0;
  }
  for (uint32_t t = 0; t < par->n; t++) {
    const worker *w = &par->w[t];
    for (size_t i = 0; i < w->nhrec; i++) {
      const flush_rec *f = &w->hrec[i];
      /* the merge's count: one a periodic event, which every slice of the
       * population runs (the first thread holding one counts) */
      uint32_t first = 0;
      while (!par->w[first].slice[f->pop]) first++;
      if (first == t) par->ticks[f->pop]++;
      size_t n = 0;
      while (f->begin + n < f->end && w->hout[f->begin + n].t < r->t_end) n++;
      if (n && view(par, f->pop, w->hout + f->begin, n)) return EVS_ENOMEM;
    }
  }
  return EVS_OK;
}

int evs__par_merge(struct evs_par *par, int defer, int rc) {
  size_t nall = 0;
  par->nmf = par->nmspk = par->told = par->nlf = 0;
  par->held = 0;
  if (par->comm) { /* every rank's flushes (threads_ranks.c) */
    if ((rc = evs__par_exchange(par, rc, &nall))) return rc;
  } else {
    if (rc) return rc;
    if (gather(par, 0, &nall)) return EVS_ENOMEM;
  }
  rc = merge_recs(par, nall, defer, 1, rc);
  /* the slices dropped their flushed spikes when sealing them */
  for (uint32_t t = 0; t < par->n; t++)
    par->w[t].nrec = par->w[t].sealed = par->w[t].nout = 0;
  for (size_t f = 0; f < par->nmf && rc == EVS_OK; f++)
    if (par->mf[f].n)
      rc =
          view(par, par->mf[f].pop, par->mspk + par->mf[f].begin, par->mf[f].n);
  return rc;
}
