/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — checkpoints: the whole state of a run in one file, and a run
 * resumed from it (doc/manual.md, "Checkpoints"; doc/reliability.md).
 *
 * A checkpoint holds everything a run changes: every population's state
 * (through its type's checkpoint hook), the weights of learning
 * projections, the rules' and delivery filters' state, the pending events,
 * the plug-ins' state (recorders' positions, the rate checker), the random
 * streams' positions (kept in those states) and the byte length of every
 * output file. What the model determines (parameters, synapses, derived
 * constants) is not stored: a run is resumed on a net built again from the
 * same model, and the checkpoint names its populations, projections and
 * plug-ins so that another net is refused. A resumed run writes the same
 * bytes as the run that was never interrupted.
 *
 * The file: the magic "EVSNNCKP", a format version, the evsnn version and
 * build layout that wrote it (a checkpoint is read by the same evsnn build
 * only), the state, and a trailer with the length and the CRC-32 (zlib's
 * crc32) of every byte before it. It is written to NAME.tmp, flushed to
 * disk (fsync) and renamed to NAME, so NAME is always a whole checkpoint.
 *
 * The save/load hooks of types, rules, filters and plug-ins use one
 * function for both directions: each call below writes the bytes when the
 * checkpoint is being saved and reads them back into the same place when it
 * is being loaded (evs_ckpt_loading tells which). After a failure every
 * call does nothing and returns the first error. */
#ifndef EVSNN_CHECKPOINT_H
#define EVSNN_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "export.h"
#include "net.h"

typedef struct evs_ckpt evs_ckpt; /* a checkpoint being saved or loaded */

/* 1 while loading (calls read into the given places), 0 while saving. */
EVS_API int evs_ckpt_loading(const evs_ckpt *ck);

/* Saves or loads n bytes at p. EVS_OK or the first error. */
EVS_API int evs_ckpt_bytes(evs_ckpt *ck, void *p, size_t n);

/* Saves or loads an array of n elements of elem bytes at p whose length the
 * net built from the model fixes: loading refuses a checkpoint whose array
 * has another length. EVS_OK or the first error. */
EVS_API int evs_ckpt_fixed(evs_ckpt *ck, void *p, size_t n, size_t elem);

/* Saves or loads a growable array *p of *n elements of elem bytes: loading
 * frees *p and allocates room for the loaded elements (at least one),
 * setting *p, *n and, when cap is not NULL, *cap. EVS_OK or the first
 * error. */
EVS_API int evs_ckpt_array(evs_ckpt *ck, void **p, size_t *n, size_t *cap,
                           size_t elem);

/* Saves or loads a growable array *spk of *n spikes as evs_ckpt_array
 * does, spike by spike (time and id, not the struct's padding, so that
 * the file holds no uninitialised bytes). EVS_OK or the first error. */
struct evs_spike;
EVS_API int evs_ckpt_spikes(evs_ckpt *ck, struct evs_spike **spk, size_t *n,
                            size_t *cap);

/* Per-element arrays of a population's, rule's or filter's state. Outside
 * a threaded run each is evs_ckpt_fixed. A threaded run holds a population
 * in slices and a projection's rule and filter in parts, one per thread,
 * each walked by its hook: the checkpoint holds the one-thread layout,
 * gathered from the parts when saving and dealt out to them when loading,
 * so that a checkpoint resumes on any number of threads:
 *  - evs_ckpt_neurons: one element per neuron of the population (a rule's:
 *    of its projection's post population); the slices' arrays joined;
 *  - evs_ckpt_rows: one element per presynaptic neuron; every part holds
 *    all of them, the first part holding synapses of a row gives its value;
 *  - evs_ckpt_groups: one element per delivery group (a row without delay
 *    groups is one), taken as rows are;
 *  - evs_ckpt_synapses: one element per synapse, in the projection's order.
 * Anything else a hook saves (evs_ckpt_bytes, _fixed, _array) must be the
 * same in every part (quantities that depend on time alone): a checkpoint
 * whose parts differ there is refused. EVS_OK or the first error. */
EVS_API int evs_ckpt_neurons(evs_ckpt *ck, void *p, size_t n, size_t elem);
EVS_API int evs_ckpt_rows(evs_ckpt *ck, void *p, size_t n, size_t elem);
EVS_API int evs_ckpt_groups(evs_ckpt *ck, void *p, size_t n, size_t elem);
EVS_API int evs_ckpt_synapses(evs_ckpt *ck, void *p, size_t n, size_t elem);

/* A statistics counter: a threaded run's parts' sum is saved; loading
 * gives it to the first part and 0 to the others. EVS_OK or the first
 * error. */
EVS_API int evs_ckpt_count(evs_ckpt *ck, uint64_t *c);

/* A flag: 1 is saved when any part's is nonzero; loading gives it to every
 * part (a flag for which 1 where 0 would do changes no result, such as
 * "inputs may be pending"). EVS_OK or the first error. */
EVS_API int evs_ckpt_any(evs_ckpt *ck, int *flag);

/* Saves the label what (a name, a type), or when loading checks that the
 * checkpoint has it there: a checkpoint of another model is refused with
 * a message naming both. EVS_OK or the first error. */
EVS_API int evs_ckpt_label(evs_ckpt *ck, const char *what);

/* Fails the checkpoint with EVS_EINVAL and the printf-formatted reason
 * (something that cannot be saved or restored yet). Returns EVS_EINVAL. */
EVS_API int evs_ckpt_refuse(evs_ckpt *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The first error of ck, or EVS_OK. */
EVS_API int evs_ckpt_status(const evs_ckpt *ck);

/* Where and how often the net's run writes checkpoints, before it starts
 * (or before evs_net_resume): the file path (copied), every (s of wall
 * time between checkpoints during the run, checked at every event; 0: no
 * periodic checkpoint), and the caller's bytes meta[0..meta_len) (copied;
 * the program stores what it needs to load the model again:
 * evs_checkpoint_info gives them back). With a path set, an interruption
 * (evs_run_opts.interrupt) writes a checkpoint at the stop, before the
 * outputs are completed. A threaded run writes the same state as one
 * thread (at a barrier of its threads), and evs_net_resume resumes it on
 * opts->threads threads, whatever the number that wrote it. Returns EVS_OK,
 * EVS_EINVAL (an empty path, every not finite or < 0), EVS_ESTATE during a run,
 * or EVS_ENOMEM. */
EVS_API int evs_net_set_checkpoint(evs_net *net, const char *path, double every,
                                   const void *meta, size_t meta_len,
                                   evs_error *err);

/* Writes a checkpoint of the run in progress to the path set by
 * evs_net_set_checkpoint, between phases (after evs_net_run_until): a run
 * resumed from it continues at the phase's end. Returns EVS_OK,
 * EVS_ESTATE (no run in progress, no path set, or the run was stopped),
 * EVS_EINVAL (something in the net cannot be saved: the message says
 * what), or EVS_EIO naming the file. */
EVS_API int evs_net_checkpoint(evs_net *net, evs_error *err);

/* What a checkpoint file says about itself. */
typedef struct evs_checkpoint_info {
  double t;        /* s: the run resumes here */
  double duration; /* s: the run's planned duration */
  uint64_t seed;   /* the net's seed */
  void *meta;      /* the caller's bytes (malloc'd: free them), or NULL */
  size_t meta_len;
} evs_checkpoint_info;

/* Reads the checkpoint at path and checks it whole (magic, version, build,
 * length, CRC-32) into *info. Returns EVS_OK; EVS_EIO when it cannot be
 * read; EVS_EINVAL for a file that is not an evsnn checkpoint, is
 * truncated or corrupt, or was written by another evsnn build (the
 * message says which). */
EVS_API int evs_checkpoint_info_read(const char *path,
                                     evs_checkpoint_info *info, evs_error *err);

/* Starts the run of net (built from the checkpoint's model, with the same
 * seed and settings) from the checkpoint at the path set by
 * evs_net_set_checkpoint, instead of evs_net_start: restores the state,
 * reopens the output files in opts->outdir (the checkpoint's folder) cut
 * back to their length at the checkpoint, and appends "resumed from the
 * checkpoint at t = T s" to run.log. Then evs_net_run_until and
 * evs_net_finish run it on as if it had never stopped (opts->duration:
 * the checkpoint's). Returns EVS_OK, or EVS_EINVAL (a checkpoint that is
 * corrupt, foreign or of another model, a missing or short output file:
 * the message says which), EVS_EIO, EVS_ENOMEM, EVS_ESTATE (the net has
 * run). */
EVS_API int evs_net_resume(evs_net *net, const evs_run_opts *opts,
                           evs_error *err);

#endif
