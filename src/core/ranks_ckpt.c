/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — checkpoints of a run on several ranks (see ranks_ckpt.h and
 * doc/scaling.md, "Checkpoints on ranks"): the part files' names, the
 * periodic trigger decided on rank 0 and the opening of every rank's part
 * of one checkpoint. The save itself is core/run_ckpt.c's. */
#include "core/ranks_ckpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ranks.h"

char *evs__ranks_ckpt_part(const evs_net *net, uint32_t slot) {
  if (net->rank == 0) return strdup(net->ckpt_path);
  size_t n = strlen(net->ckpt_path) + 32;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s.rank%d.%u", net->ckpt_path, net->rank, slot);
  return p;
}

void evs__ranks_ckpt_clear(const evs_net *net) {
  if (!net->comm || net->rank == 0) return;
  for (uint32_t slot = 0; slot < 2; slot++) {
    char *p = evs__ranks_ckpt_part(net, slot);
    if (p) unlink(p);
    free(p);
  }
}

void evs__ranks_ckpt_list(const evs_net *net, evs_output *o,
                          const char *outdir) {
  if (!net->comm || net->rank != 0 || !o || !outdir || !net->ckpt_path) return;
  /* the checkpoint's file directly in outdir: its name after "outdir/" */
  size_t d = strlen(outdir);
  if (strncmp(net->ckpt_path, outdir, d) != 0 || net->ckpt_path[d] != '/')
    return;
  const char *name = net->ckpt_path + d + 1;
  if (!*name || strchr(name, '/')) return;
  size_t n = strlen(name) + 32;
  char *part = malloc(n);
  if (!part) return; /* best effort, as the removal is */
  for (int r = 1; r < net->nranks; r++)
    for (uint32_t slot = 0; slot < 2; slot++) {
      snprintf(part, n, "%s.rank%d.%u", name, r, slot);
      evs__output_list(o, part);
    }
  free(part);
}

int evs__ranks_ckpt_due(evs_net *net, int due) {
  if (!net->comm) return due;
  uint64_t v = net->rank == 0 && due;
  evs_error ignored;
  /* a failed collective: not due here; the next exchange fails alike */
  if (evs__comm_allreduce_u64(net->comm, &v, 1, EVS_COMM_MAX, &ignored))
    return 0;
  return v != 0;
}

/* Rank 0: opens net->ckpt_path and reads which ranks wrote it into *nranks
 * (1: one process). EVS_OK (ck at the state) or an error (ck closed). */
static int open_main(evs_net *net, evs_ckpt *ck, evs_checkpoint_info *info,
                     uint32_t *nranks, evs_error *err) {
  uint32_t rank = 0;
  int rc = evs__ckpt_load_open(ck, net->ckpt_path, info, err);
  if (rc) return rc;
  if (evs__ckpt_ranks(ck, nranks, &rank) == EVS_OK && rank != 0)
    evs_ckpt_refuse(ck, "%s: the part of rank %u, not rank 0's", net->ckpt_path,
                    (unsigned)rank);
  if (evs_ckpt_status(ck)) {
    free(info->meta);
    info->meta = NULL;
    return evs__ckpt_load_close(ck);
  }
  return EVS_OK;
}

/* Rank r > 0: opens its part of the checkpoint at time bits tbits (the
 * slot whose part has it). EVS_OK or an error (ck closed). */
static int open_part(evs_net *net, evs_ckpt *ck, evs_checkpoint_info *info,
                     uint64_t tbits, uint32_t *slot, evs_error *err) {
  evs_error first;
  int first_rc = EVS_OK;
  evs_error_clear(&first);
  for (uint32_t s = 0; s < 2; s++) {
    char *path = evs__ranks_ckpt_part(net, s);
    if (!path) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
    evs_error e;
    evs_error_clear(&e);
    uint32_t nranks = 0, rank = 0;
    uint64_t bits;
    int rc = evs__ckpt_load_open(ck, path, info, &e);
    if (rc == EVS_OK) {
      memcpy(&bits, &info->t, sizeof bits);
      evs__ckpt_ranks(ck, &nranks, &rank);
      if (!evs_ckpt_status(ck) &&
          (nranks != (uint32_t)net->nranks || rank != (uint32_t)net->rank))
        evs_ckpt_refuse(ck,
                        "%s: the part of rank %u of %u ranks, not rank %d "
                        "of %d",
                        path, (unsigned)rank, (unsigned)nranks, net->rank,
                        net->nranks);
      rc = evs_ckpt_status(ck);
      if (rc == EVS_OK && bits == tbits) {
        free(path);
        *slot = s;
        ck->err = err; /* the load's messages are the caller's, not e's */
        return EVS_OK;
      }
      free(info->meta);
      info->meta = NULL;
      ck->body = ck->len; /* not read: another checkpoint's part */
      evs__ckpt_load_close(ck);
    }
    /* a part of another time is an older checkpoint's: not an error */
    if (rc && !first_rc && access(path, F_OK) == 0) {
      first_rc = rc;
      first = e;
    }
    free(path);
  }
  if (first_rc) {
    *err = first;
    return first_rc;
  }
  double t;
  memcpy(&t, &tbits, sizeof t);
  return evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s.rank%d.0 or .1: rank %d's part of the checkpoint "
                       "at t = %.9g s is missing (every rank's part is needed "
                       "to resume)",
                       net->ckpt_path, net->rank, net->rank, t);
}

int evs__ranks_ckpt_load_open(evs_net *net, evs_ckpt *ck,
                              evs_checkpoint_info *info, uint32_t *slot,
                              evs_error *err) {
  uint32_t nranks = 1;
  int rc = EVS_OK;
  *slot = 0;
  if (net->rank == 0) rc = open_main(net, ck, info, &nranks, err);
  /* rank 0's ranks and time, to every rank */
  uint64_t v[2] = {0, 0};
  if (net->rank == 0 && rc == EVS_OK) {
    v[0] = nranks;
    memcpy(&v[1], &info->t, sizeof v[1]);
  }
  int opened = net->rank == 0 && rc == EVS_OK;
  if ((rc = evs__ranks_agree(net, rc, err)) == EVS_OK &&
      (rc = evs__comm_allreduce_u64(net->comm, v, 2, EVS_COMM_SUM, err)) ==
          EVS_OK &&
      v[0] != (uint64_t)net->nranks)
    rc = v[0] == 1 ? evs_error_set(err, EVS_EINVAL, NULL, 0,
                                   "%s: a checkpoint of a run in one process "
                                   "resumes in one process, not on %d ranks",
                                   net->ckpt_path, net->nranks)
                   : evs_error_set(err, EVS_EINVAL, NULL, 0,
                                   "%s: a checkpoint of a run on %llu ranks "
                                   "resumes on %llu ranks (mpirun -np %llu), "
                                   "not on %d",
                                   net->ckpt_path, (unsigned long long)v[0],
                                   (unsigned long long)v[0],
                                   (unsigned long long)v[0], net->nranks);
  if (rc == EVS_OK && net->rank > 0) {
    rc = open_part(net, ck, info, v[1], slot, err);
    opened = rc == EVS_OK;
    rc = evs__ranks_agree(net, rc, err);
  } else if (rc == EVS_OK) {
    rc = evs__ranks_agree(net, rc, err);
  }
  if (rc && opened) { /* closed with the agreed failure, not its own */
    free(info->meta);
    info->meta = NULL;
    ck->status = rc;
    evs__ckpt_load_close(ck);
  }
  return rc;
}
