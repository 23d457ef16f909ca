/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the threaded scheduler's statistics at the end of a run: every
 * thread's (and, on several ranks, every rank's) line of run.log — neurons,
 * synapses, synapse bytes, synaptic events, queue peak, peak RSS, the
 * collectives and bytes of the exchange — and the counters summed into the
 * net's (doc/scaling.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/comm.h"
#include "core/threads_impl.h"

/* Peak resident memory of this process, bytes (0 if unknown). */
static uint64_t peak_rss(void) {
  struct rusage u;
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
  return (uint64_t)u.ru_maxrss * 1024; /* Linux: KiB */
}

/* CPU seconds thread t of par has run (0 if unknown): the calling
 * thread's for thread 0, which runs every evs__par_run. */
static double cpu_seconds(const struct evs_par *par, uint32_t t) {
  clockid_t c = CLOCK_THREAD_CPUTIME_ID;
  struct timespec ts;
  if (t > 0 &&
      (!par->w[t].started || pthread_getcpuclockid(par->w[t].tid, &c)))
    return 0;
  if (clock_gettime(c, &ts)) return 0;
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void evs__par_cpu(struct evs_par *par, int end) {
  for (uint32_t t = 0; t < par->n; t++)
    par->w[t].cpu += (end ? 1 : -1) * cpu_seconds(par, t);
}

/* Bytes of one thread's or rank's line of run.log, at most. */
#define LINE_MAX_BYTES 320

/* What thread t holds: neurons, synapses and their bytes, added to
 * sums[0..3). */
static void held(const struct evs_par *par, uint32_t t, uint64_t sums[3]) {
  const evs_net *net = par->net;
  const worker *w = &par->w[t];
  for (uint32_t p = 0; p < net->npop; p++)
    if (w->slice[p]) sums[0] += w->slice[p]->size;
  for (uint32_t k = 0; k < net->nproj; k++)
    if (w->csr[k]) {
      sums[1] += w->csr[k]->nnz;
      sums[2] += evs_csr_bytes(w->csr[k]);
    }
}

/* Thread t's line of run.log (no newline) into line; its length. */
static size_t thread_line(const struct evs_par *par, uint32_t t, char *line) {
  const worker *w = &par->w[t];
  uint64_t h[3] = {0, 0, 0};
  char rank[32] = "";
  held(par, t, h);
  if (par->comm) snprintf(rank, sizeof rank, " rank %d", par->net->rank);
  return (size_t)snprintf(
      line, LINE_MAX_BYTES,
      "thread %u%s neurons %llu synapses %llu synapse_bytes %llu "
      "syn_events %llu queue_peak_bytes %llu wall_wait_s %.6f cpu_s %.6f",
      t, rank, (unsigned long long)h[0], (unsigned long long)h[1],
      (unsigned long long)h[2], (unsigned long long)w->syn_events,
      (unsigned long long)(w->queue_peak * sizeof(evs_event)), w->waited,
      w->cpu);
}

/* This rank's line of run.log (no newline) into line; its length. */
static size_t rank_line(const struct evs_par *par, char *line) {
  uint64_t h[3] = {0, 0, 0};
  for (uint32_t t = 0; t < par->n; t++) held(par, t, h);
  evs_comm_stats cs = evs__comm_stats(par->comm);
  return (size_t)snprintf(
      line, LINE_MAX_BYTES,
      "rank %d threads %u neurons %llu synapses %llu synapse_bytes %llu "
      "peak_rss_bytes %llu collectives %llu bytes_sent %llu "
      "bytes_received %llu",
      par->net->rank, par->n, (unsigned long long)h[0],
      (unsigned long long)h[1], (unsigned long long)h[2],
      (unsigned long long)peak_rss(), (unsigned long long)cs.collectives,
      (unsigned long long)cs.bytes_sent, (unsigned long long)cs.bytes_received);
}

/* On several ranks: sums the counters v[0..n) over the ranks and writes
 * every rank's lines (its threads', then its own) into rank 0's run.log,
 * in rank order (collective). */
static void rank_stats(evs_run *r, uint64_t *v, size_t n) {
  struct evs_par *par = r->par;
  char *text = malloc(((size_t)par->n + 1) * (LINE_MAX_BYTES + 1));
  if (evs__par_agree(par, text ? EVS_OK : EVS_ENOMEM)) {
    free(text); /* out of memory somewhere: run.log goes without them */
    return;
  }
  size_t len = 0;
  for (uint32_t t = 0; t < par->n; t++) {
    len += thread_line(par, t, text + len);
    text[len++] = '\n';
  }
  const void *all;
  const uint64_t *off;
  int rc = evs__comm_allreduce_u64(par->comm, v, n, EVS_COMM_SUM, &par->cerr);
  if (rc == EVS_OK) {
    len += rank_line(par, text + len);
    text[len++] = '\n';
    rc = evs__comm_allgatherv(par->comm, text, len, &all, &off, &par->cerr);
  }
  free(text);
  if (rc) return;
  const char *at = all, *end = at + off[par->net->nranks];
  while (r->out && at < end) {
    const char *nl = memchr(at, '\n', (size_t)(end - at));
    if (!nl) break;
    evs__output_log(r->out, "%.*s", (int)(nl - at), at);
    at = nl + 1;
  }
}

void evs__par_stats(evs_run *r) {
  struct evs_par *par = r->par;
  evs_net *net = par->net;
  const uint32_t np = net->npop;
  uint64_t sums[3] = {0, 0, 0}; /* synaptic events, queue pushes, pops */
  for (uint32_t t = 0; t < par->n; t++) {
    worker *w = &par->w[t];
    sums[0] += w->syn_events;
    for (uint32_t p = 0; p < np; p++)
      if (w->own[p]) net->pop[p]->crossings += w->slice[p]->crossings;
  }
  evs__par_queue_counts(par, &sums[1], &sums[2]);
  if (!par->comm) {
    char line[LINE_MAX_BYTES];
    for (uint32_t t = 0; t < par->n && r->out; t++) {
      thread_line(par, t, line);
      evs__output_log(r->out, "%s", line);
    }
  } else { /* the counters of every rank, and every population's crossings */
    uint64_t *v = calloc(3 + (size_t)np, sizeof *v);
    if (evs__par_agree(par, v ? EVS_OK : EVS_ENOMEM) == EVS_OK) {
      memcpy(v, sums, sizeof sums);
      for (uint32_t p = 0; p < np; p++) v[3 + p] = net->pop[p]->crossings;
      rank_stats(r, v, 3 + (size_t)np);
      memcpy(sums, v, sizeof sums);
      for (uint32_t p = 0; p < np; p++) net->pop[p]->crossings = v[3 + p];
    }
    free(v);
  }
  net->stats.syn_events += sums[0];
  net->stats.queue_pushes += sums[1];
  net->stats.queue_pops += sums[2];
}
