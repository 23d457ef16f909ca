/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a net on several ranks (processes started by mpirun), private:
 * joining them, dealing the populations' neurons to them before the build
 * and agreeing on what each rank found (doc/scaling.md, "Ranks"). The
 * run's exchange of spikes is the threaded scheduler's (threads_ranks.c).
 * Not installed. */
#ifndef EVSNN_CORE_RANKS_H
#define EVSNN_CORE_RANKS_H

#include <stdint.h>

#include "core/comm.h"
#include "core/net_impl.h"

/* The number of ranks the launcher that started this process announced in
 * its environment (OpenMPI's OMPI_COMM_WORLD_SIZE, or PMI_SIZE), or 1. */
int evs__ranks_launched(void);

/* The number of ranks the launcher started on this machine
 * (OMPI_COMM_WORLD_LOCAL_SIZE, or MPI_LOCALNRANKS), or 1: they share its
 * cores. */
int evs__ranks_local(void);

/* Joins the ranks of this process when a launcher started several (net->comm,
 * net->rank, net->nranks; the communicator is the process's, shared by its
 * nets and freed at exit): collective. In one process nothing changes.
 * Built without MPI, a launch on several ranks is refused (EVS_EINVAL:
 * every rank would write the same files). EVS_OK or an error (err). */
int evs__ranks_join(evs_net *net, evs_error *err);

/* A failure (rc != EVS_OK) of this process before the net it was making
 * joined the ranks (net NULL or not yet joined: loading or checking a
 * model, its file missing on this machine): on several ranks it joins
 * them and fails the agreement every rank reaches first after joining
 * (evs__ranks_agree's, at the end of a build's projections), so that the
 * others fail alike ("another rank failed") instead of waiting for it
 * for ever. Returns rc (its message is the caller's). The model layer calls it
 * on each of its failures before evs_net_build; evs_net_build itself
 * never fails before the join. */
int evs__ranks_fail_unjoined(const evs_net *net, int rc);

/* Deals every population's neurons to the ranks before the build
 * (pop->rank_lo, rank_hi): a population of a sliceable type whose incoming
 * projections' rules and filters can be sliced is cut into equal blocks
 * of consecutive neurons, rank r holding the r-th; any other runs whole on
 * one rank (the post population of a rule whose learner runs on rank 0,
 * evs_rule_type.on_rank0, on rank 0; else population index mod ranks, every
 * rate population on the rank of the first one). One process holds every
 * neuron. */
void evs__ranks_deal(evs_net *net);

/* 1 if population pop is cut among the ranks (evs__ranks_deal). */
int evs__ranks_split(const evs_net *net, const evs_pop *pop);

/* Builds a projection's synapses onto the targets own[0..n_own) (NULL:
 * all): defined by the CSR builders (synapses/csr.c), declared with them
 * in synapses/csr_impl.h, and here for the build of a rank's part
 * (core/net_build.c), which the layers keep from including that kit. */
int evs__csr_build_part(evs_csr **out, uint32_t n_pre, uint32_t n_post,
                        const evs_conn_spec *spec, const uint32_t *own,
                        uint32_t n_own, evs_error *err);

/* The post neurons this rank builds the synapses onto (for
 * evs__csr_build_part): *own a malloc'd increasing list of *n indices, or
 * NULL (all of them) in one process. EVS_OK or EVS_ENOMEM. */
int evs__ranks_own(const evs_pop *pop, uint32_t **own, uint32_t *n);

/* The status of every rank (collective on several ranks): the worst of
 * them (EVS_OK if every rank's is). A rank whose own status was EVS_OK gets
 * a message in err saying another rank failed. In one process: rc. */
int evs__ranks_agree(evs_net *net, int rc, evs_error *err);

/* After every rank built its part of the projections: the status agreed
 * (as evs__ranks_agree), then every projection's synapse count over the
 * ranks (proj->synapses) and its shortest and longest delay (the part's
 * csr->min_delay, max_delay become the whole projection's), and the
 * synapse bytes of all ranks in *bytes (collective on several ranks). */
int evs__ranks_agree_build(evs_net *net, int rc, uint64_t *bytes,
                           evs_error *err);

/* Sums values[0..n) over the ranks in place (collective on several ranks;
 * nothing in one process). EVS_OK or the communicator's error. */
int evs__ranks_sum(evs_net *net, uint64_t *values, size_t n, evs_error *err);

/* The smallest *lo and the largest *hi over the ranks, in place
 * (collective on several ranks; nothing in one process). EVS_OK or the
 * communicator's error. */
int evs__ranks_extent(evs_net *net, uint32_t *lo, uint32_t *hi, evs_error *err);

/* The whole projection whose part (built by target, rows in increasing
 * target order) each rank holds, in the net's order, on every rank
 * (collective on several ranks: one evs__comm_allgatherv of every part's
 * row lengths, targets and weights): rows, targets and weights, no delay
 * groups. *out is the caller's (evs_csr_free). EVS_OK or an error. */
int evs__ranks_whole_csr(evs_net *net, const evs_csr *part, evs_csr **out,
                         evs_error *err);

#endif
