/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the threaded scheduler on several ranks: a window's exchange.
 * At each barrier every rank sends what its threads flushed (each
 * flush's key and spikes), its status and whether it was interrupted,
 * and receives every rank's (one evs__comm_allgatherv), so that every
 * rank merges the same flushes in the same total order as one process
 * does (threads.c) and stops, fails or goes on alike (doc/scaling.md,
 * "Ranks").
 *
 * A rank's part of the exchange, in native byte order (ranks on machines
 * of one kind): a header of three 64-bit words (status, signal, records),
 * then per record 32 bytes (time, kind, population, slot, 0, spikes), then
 * every record's spikes in record order, 16 bytes each (time, id, 0): the
 * layout of evs_spike, so that the merge reads them where they arrived. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/threads_impl.h"

#include "core/comm.h"

#define HEADER_BYTES 24
#define RECORD_BYTES 32
#define SPIKE_BYTES 16

_Static_assert(sizeof(evs_spike) == SPIKE_BYTES && offsetof(evs_spike, id) == 8,
               "the exchange reads spikes in place");

/* Appends n bytes of x at *at. */
static inline void put(unsigned char **at, const void *x, size_t n) {
  memcpy(*at, x, n);
  *at += n;
}

/* Packs this rank's records (every thread's, in thread order) after its
 * status and signal; *bytes receives the length. EVS_OK or EVS_ENOMEM. */
static int pack(struct evs_par *par, int rc, size_t *bytes) {
  uint64_t nrec = 0, nspk = 0;
  for (uint32_t t = 0; t < par->n; t++)
    for (size_t i = 0; i < par->w[t].nrec; i++) {
      nrec++;
      nspk += par->w[t].rec[i].end - par->w[t].rec[i].begin;
    }
  if (rc) nrec = nspk = 0; /* a failed rank sends its status only */
  size_t need = HEADER_BYTES + nrec * RECORD_BYTES + nspk * SPIKE_BYTES;
  if (need > par->capsend) {
    unsigned char *b = realloc(par->send, need);
    if (!b) return EVS_ENOMEM;
    par->send = b;
    par->capsend = need;
  }
  const volatile sig_atomic_t *intr = par->run->interrupt;
  int64_t head[3] = {rc, intr ? (int64_t)*intr : 0, (int64_t)nrec};
  unsigned char *at = par->send;
  put(&at, head, sizeof head);
  const uint32_t slot0 = (uint32_t)par->net->rank * par->n, zero = 0;
  for (uint32_t t = 0; t < par->n && nrec; t++)
    for (size_t i = 0; i < par->w[t].nrec; i++) {
      const flush_rec *f = &par->w[t].rec[i];
      uint32_t slot = slot0 + t;
      uint64_t n = f->end - f->begin;
      put(&at, &f->t, sizeof f->t);
      put(&at, &f->kind, 4);
      put(&at, &f->pop, 4);
      put(&at, &slot, 4);
      put(&at, &zero, 4);
      put(&at, &n, 8);
    }
  for (uint32_t t = 0; t < par->n && nrec; t++)
    for (size_t i = 0; i < par->w[t].nrec; i++) {
      const flush_rec *f = &par->w[t].rec[i];
      const evs_spike *spk = par->w[t].out;
      for (size_t k = f->begin; k < f->end; k++) {
        put(&at, &spk[k].t, 8);
        put(&at, &spk[k].id, 4);
        put(&at, &zero, 4);
      }
    }
  *bytes = (size_t)(at - par->send);
  return EVS_OK;
}

int evs__par_exchange(struct evs_par *par, int rc, size_t *nall) {
  size_t bytes = 0;
  *nall = 0;
  if (!rc) rc = par->deferred;
  int64_t alone[3] = {0, 0, 0};
  int prc = pack(par, rc, &bytes);
  const void *send = par->send; /* pack may have moved it */
  if (prc) { /* out of memory: still takes part, with its failure */
    alone[0] = rc ? rc : prc;
    send = alone;
    bytes = sizeof alone;
  }
  const void *recv;
  const uint64_t *off;
  int crc =
      evs__comm_allgatherv(par->comm, send, bytes, &recv, &off, &par->cerr);
  if (crc) return crc;
  const int nranks = par->net->nranks;
  const unsigned char *buf = recv;
  int first = EVS_OK, sig = 0;
  size_t total = 0;
  for (int q = 0; q < nranks; q++) {
    int64_t head[3];
    memcpy(head, buf + off[q], sizeof head);
    if (head[0] && first == EVS_OK) first = (int)head[0];
    if (head[1] && !sig) sig = (int)head[1];
    total += (size_t)head[2];
  }
  par->interrupt_all = sig;
  if (first) return first;
  if (total > par->capall) {
    flush_rec *a = realloc(par->all, total * sizeof *a);
    if (!a) { /* the others go on: they hear of it at the next exchange */
      par->deferred = EVS_ENOMEM;
      return EVS_OK;
    }
    par->all = a;
    par->capall = total;
  }
  size_t k = 0;
  for (int q = 0; q < nranks; q++) {
    const unsigned char *at = buf + off[q];
    int64_t head[3];
    memcpy(head, at, sizeof head);
    const unsigned char *rec = at + HEADER_BYTES;
    const unsigned char *spk = rec + (size_t)head[2] * RECORD_BYTES;
    for (int64_t i = 0; i < head[2]; i++, rec += RECORD_BYTES) {
      flush_rec *f = &par->all[k++];
      uint64_t n;
      memcpy(&f->t, rec, 8);
      memcpy(&f->kind, rec + 8, 4);
      memcpy(&f->pop, rec + 12, 4);
      memcpy(&f->worker, rec + 16, 4);
      memcpy(&n, rec + 24, 8);
      f->spk = (const evs_spike *)(const void *)spk;
      f->begin = 0;
      f->end = (size_t)n;
      spk += n * SPIKE_BYTES;
    }
  }
  *nall = k;
  return EVS_OK;
}

int evs__par_agree(struct evs_par *par, int rc) {
  if (!par->comm) return rc;
  uint64_t worst = rc < 0 ? (uint64_t) - (int64_t)rc : 0;
  int crc =
      evs__comm_allreduce_u64(par->comm, &worst, 1, EVS_COMM_MAX, &par->cerr);
  if (crc) return rc ? rc : crc;
  return rc ? rc : -(int)worst;
}
