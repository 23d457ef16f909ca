/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — communication between ranks (see comm.h): MPI when configured
 * with --with-mpi, else one rank whose collectives are copies. */
#include "config.h"

#include "core/comm.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_MPI
#include <mpi.h>
#endif

struct evs_comm {
  int rank, size;
  unsigned char *recv; /* the last allgatherv's result */
  size_t recv_cap;
  uint64_t *offset; /* [size + 1] */
  evs_comm_stats stats;
#ifdef HAVE_MPI
  MPI_Comm world;       /* a duplicate of MPI_COMM_WORLD */
  int *counts, *displs; /* [size] for MPI_Allgatherv */
#endif
};

static int fail_nomem(evs_error *err) {
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "out of memory in the rank communicator");
}

/* Makes room for cap bytes in c->recv. */
static int reserve_recv(evs_comm *c, size_t cap, evs_error *err) {
  if (cap <= c->recv_cap) return EVS_OK;
  unsigned char *p = realloc(c->recv, cap);
  if (!p) return fail_nomem(err);
  c->recv = p;
  c->recv_cap = cap;
  return EVS_OK;
}

#ifdef HAVE_MPI

/* An MPI error code as EVS_EIO with MPI's message about what failed. */
static int fail_mpi(evs_error *err, const char *what, int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) len = 0;
  text[len] = '\0';
  return evs_error_set(err, EVS_EIO, NULL, 0, "%s failed: %s", what,
                       len ? text : "MPI error");
}

/* Out of memory for what the ranks are about to send this one, between the
 * two halves of an allgatherv: the others are already in the second and
 * would wait for ever for a rank that cannot receive, and no status can
 * reach them any more. Says so on stderr and ends every rank
 * (MPI_Abort); output files keep their .part names. */
static _Noreturn void abort_all(evs_comm *c, uint64_t bytes) {
  fprintf(stderr,
          "evsnn: rank %d: out of memory for the %llu bytes the ranks "
          "exchange; ending every rank (MPI_Abort)\n",
          c->rank, (unsigned long long)bytes);
  fflush(stderr);
  MPI_Abort(c->world, 1);
  abort(); /* MPI_Abort does not return */
}

static void finalize_at_exit(void) {
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
}

int evs__comm_new(evs_comm **out, evs_error *err) {
  int started = 0, rc;
  *out = NULL;
  MPI_Initialized(&started);
  if (!started) {
    int provided;
    if ((rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided)) !=
        MPI_SUCCESS)
      return fail_mpi(err, "MPI_Init_thread", rc);
    atexit(finalize_at_exit);
  }
  evs_comm *c = calloc(1, sizeof *c);
  if (!c) return fail_nomem(err);
  if ((rc = MPI_Comm_dup(MPI_COMM_WORLD, &c->world)) != MPI_SUCCESS) {
    free(c);
    return fail_mpi(err, "MPI_Comm_dup", rc);
  }
  MPI_Comm_set_errhandler(c->world, MPI_ERRORS_RETURN);
  MPI_Comm_rank(c->world, &c->rank);
  MPI_Comm_size(c->world, &c->size);
  c->offset = malloc(((size_t)c->size + 1) * sizeof *c->offset);
  c->counts = malloc((size_t)c->size * sizeof *c->counts);
  c->displs = malloc((size_t)c->size * sizeof *c->displs);
  if (!c->offset || !c->counts || !c->displs) {
    evs__comm_free(c);
    return fail_nomem(err);
  }
  *out = c;
  return EVS_OK;
}

void evs__comm_free(evs_comm *c) {
  if (!c) return;
  MPI_Comm_free(&c->world);
  free(c->counts);
  free(c->displs);
  free(c->offset);
  free(c->recv);
  free(c);
}

int evs__comm_barrier(evs_comm *c, evs_error *err) {
  int rc = MPI_Barrier(c->world);
  c->stats.collectives++;
  return rc == MPI_SUCCESS ? EVS_OK : fail_mpi(err, "MPI_Barrier", rc);
}

int evs__comm_allgatherv(evs_comm *c, const void *send, size_t bytes,
                         const void **recv, const uint64_t **offset,
                         evs_error *err) {
  uint64_t mine = bytes;
  int rc = MPI_Allgather(&mine, 1, MPI_UINT64_T, c->offset, 1, MPI_UINT64_T,
                         c->world);
  c->stats.collectives++;
  c->stats.bytes_sent += sizeof mine;
  c->stats.bytes_received += (uint64_t)c->size * sizeof mine;
  if (rc != MPI_SUCCESS) return fail_mpi(err, "MPI_Allgather", rc);
  /* sizes to offsets, checked alike on every rank */
  uint64_t total = 0;
  int too_big = 0;
  for (int r = 0; r < c->size; r++) {
    uint64_t n = c->offset[r];
    too_big |= n > INT_MAX || total > INT_MAX - n;
    c->counts[r] = (int)(n > INT_MAX ? 0 : n);
    c->displs[r] = (int)(total > INT_MAX ? 0 : total);
    c->offset[r] = total;
    total += n;
  }
  c->offset[c->size] = total;
  if (too_big)
    return evs_error_set(
        err, EVS_ERANGE, NULL, 0,
        "%llu bytes to gather from the ranks at once (at most %d)",
        (unsigned long long)total, INT_MAX);
  if (reserve_recv(c, total ? total : 1, err) != EVS_OK) abort_all(c, total);
  rc = MPI_Allgatherv(send, (int)bytes, MPI_BYTE, c->recv, c->counts, c->displs,
                      MPI_BYTE, c->world);
  c->stats.collectives++;
  c->stats.bytes_sent += bytes;
  c->stats.bytes_received += total;
  if (rc != MPI_SUCCESS) return fail_mpi(err, "MPI_Allgatherv", rc);
  *recv = c->recv;
  *offset = c->offset;
  return EVS_OK;
}

int evs__comm_allreduce_u64(evs_comm *c, uint64_t *values, size_t n,
                            evs_comm_op op, evs_error *err) {
  MPI_Op mop = op == EVS_COMM_SUM   ? MPI_SUM
               : op == EVS_COMM_MIN ? MPI_MIN
                                    : MPI_MAX;
  if (n > INT_MAX)
    return evs_error_set(err, EVS_ERANGE, NULL, 0,
                         "%zu values to reduce at once", n);
  int rc =
      MPI_Allreduce(MPI_IN_PLACE, values, (int)n, MPI_UINT64_T, mop, c->world);
  c->stats.collectives++;
  c->stats.bytes_sent += n * sizeof *values;
  c->stats.bytes_received += n * sizeof *values;
  return rc == MPI_SUCCESS ? EVS_OK : fail_mpi(err, "MPI_Allreduce", rc);
}

#else /* one rank */

int evs__comm_new(evs_comm **out, evs_error *err) {
  evs_comm *c = calloc(1, sizeof *c);
  *out = NULL;
  if (!c) return fail_nomem(err);
  c->size = 1;
  c->offset = malloc(2 * sizeof *c->offset);
  if (!c->offset) {
    free(c);
    return fail_nomem(err);
  }
  *out = c;
  return EVS_OK;
}

void evs__comm_free(evs_comm *c) {
  if (!c) return;
  free(c->offset);
  free(c->recv);
  free(c);
}

int evs__comm_barrier(evs_comm *c, evs_error *err) {
  (void)err;
  c->stats.collectives++;
  return EVS_OK;
}

int evs__comm_allgatherv(evs_comm *c, const void *send, size_t bytes,
                         const void **recv, const uint64_t **offset,
                         evs_error *err) {
  if (bytes > INT_MAX)
    return evs_error_set(
        err, EVS_ERANGE, NULL, 0,
        "%zu bytes to gather from the ranks at once (at most %d)", bytes,
        INT_MAX);
  int rc = reserve_recv(c, bytes ? bytes : 1, err);
  if (rc != EVS_OK) return rc;
  if (bytes) memcpy(c->recv, send, bytes);
  c->offset[0] = 0;
  c->offset[1] = bytes;
  c->stats.collectives += 2; /* as the MPI version: sizes, then data */
  c->stats.bytes_sent += sizeof(uint64_t) + bytes;
  c->stats.bytes_received += sizeof(uint64_t) + bytes;
  *recv = c->recv;
  *offset = c->offset;
  return EVS_OK;
}

int evs__comm_allreduce_u64(evs_comm *c, uint64_t *values, size_t n,
                            evs_comm_op op, evs_error *err) {
  (void)values;
  (void)op;
  (void)err;
  c->stats.collectives++;
  c->stats.bytes_sent += n * sizeof *values;
  c->stats.bytes_received += n * sizeof *values;
  return EVS_OK;
}

#endif

int evs__comm_rank(const evs_comm *c) { return c->rank; }
int evs__comm_size(const evs_comm *c) { return c->size; }
evs_comm_stats evs__comm_stats(const evs_comm *c) { return c->stats; }
