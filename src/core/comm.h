/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — communication between ranks, private: what the run loop needs
 * once a window (doc/scaling.md, "Wiring and ranks"). Built with MPI
 * (./configure --with-mpi, HAVE_MPI) the ranks are the processes of
 * MPI_COMM_WORLD, talking on a duplicate of it; without, there is one rank
 * and every collective is a copy. Not installed.
 *
 * Every function is collective where it says so: all ranks call it, in the
 * same order. Errors of the MPI library come back as EVS_EIO with its
 * message in err (the communicator returns errors instead of aborting). */
#ifndef EVSNN_COMM_H
#define EVSNN_COMM_H

#include <stddef.h>
#include <stdint.h>

#include "evsnn/error.h"

typedef struct evs_comm evs_comm;

/* What a reduction computes, element by element over the ranks. */
typedef enum evs_comm_op {
  EVS_COMM_SUM,
  EVS_COMM_MIN,
  EVS_COMM_MAX
} evs_comm_op;

/* Traffic of this rank since evs__comm_new: collectives called, and bytes
 * handed to them and received from them (payload only). */
typedef struct evs_comm_stats {
  uint64_t collectives;
  uint64_t bytes_sent;
  uint64_t bytes_received;
} evs_comm_stats;

/* Joins all ranks (collective). With MPI, initialises it when the program
 * has not (MPI_THREAD_FUNNELED: only the thread that made the comm calls
 * MPI) and finalises it at exit; a program that initialised MPI itself
 * finalises it itself, after evs__comm_free. EVS_OK, EVS_ENOMEM or EVS_EIO
 * (message in err); *out is NULL on failure. */
int evs__comm_new(evs_comm **out, evs_error *err);

/* Leaves (collective with MPI: frees the duplicate communicator). NULL is
 * allowed. */
void evs__comm_free(evs_comm *c);

/* This rank, 0 <= rank < size, and the number of ranks. */
int evs__comm_rank(const evs_comm *c);
int evs__comm_size(const evs_comm *c);

/* Waits until every rank has called it (collective). EVS_OK or EVS_EIO. */
int evs__comm_barrier(evs_comm *c, evs_error *err);

/* Every rank gives bytes bytes at send; every rank receives all ranks'
 * buffers concatenated in rank order (collective). *recv then points to
 * them, valid until the next call on c; (*offset)[r] is where rank r's
 * buffer starts, (*offset)[size] the total. The total must be below 2 GiB
 * (MPI's int counts; EVS_ERANGE otherwise, on every rank alike). EVS_OK,
 * EVS_ERANGE or EVS_EIO; EVS_ENOMEM in one process only: on several ranks
 * a rank that cannot hold the total once the sizes are known ends every
 * rank (MPI_Abort, with a message on stderr), as no status can reach the
 * others any more. Costs one gather of the sizes and one of the data. */
int evs__comm_allgatherv(evs_comm *c, const void *send, size_t bytes,
                         const void **recv, const uint64_t **offset,
                         evs_error *err);

/* Replaces values[0..n) on every rank by their sum, minimum or maximum over
 * the ranks (collective; n the same on every rank). EVS_OK or EVS_EIO. */
int evs__comm_allreduce_u64(evs_comm *c, uint64_t *values, size_t n,
                            evs_comm_op op, evs_error *err);

/* This rank's traffic so far. */
evs_comm_stats evs__comm_stats(const evs_comm *c);

#endif
