/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the checkpoint stream (evsnn/checkpoint.h) as the run
 * (core/run_ckpt.c) opens and closes it; the file and its checks are in
 * io/checkpoint.c. */
#ifndef EVSNN_IO_CHECKPOINT_H
#define EVSNN_IO_CHECKPOINT_H

#include <stdint.h>
#include <stdio.h>

#include "evsnn/checkpoint.h"

/* How a stream is walked: the file (or a trial walk without one), or one
 * part of a threaded run's population, rule or filter (checkpoint_parts.c):
 * its calls captured (saving), read from the file for the first part or
 * replayed from what that read for the others (loading). */
typedef enum {
  EVS_CK_FILE,
  EVS_CK_CAPTURE,
  EVS_CK_SPLIT,
  EVS_CK_REPLAY
} evs_ck_mode;

struct evs_ckpt_ops;

/* The parts of one object of a threaded run (a population's slices, a
 * projection's per-thread rule instances or filters) and how their
 * per-element arrays map onto the one-thread layout (evsnn/checkpoint.h,
 * evs_ckpt_neurons ...). Arrays not needed may be NULL (a hook that uses
 * them is refused). */
typedef struct evs_ckpt_parts {
  const char *what;         /* "population E", for messages */
  uint32_t n;               /* parts */
  const uint32_t *first;    /* [n] first neuron of part k's slice */
  const uint32_t *size;     /* [n] its neurons */
  uint32_t whole;           /* neurons of the whole population */
  const uint32_t *row_part; /* [rows] the part whose value a row's is */
  uint64_t rows;
  const uint32_t *grp_part; /* [groups] the same for delivery groups */
  uint64_t groups;
  const uint32_t *syn_part; /* [synapses] synapse q is element syn_at[q] */
  const uint64_t *syn_at;   /*   of part syn_part[q] */
  uint64_t synapses;
} evs_ckpt_parts;

struct evs_ckpt {
  evs_ck_mode mode;         /* EVS_CK_FILE but in checkpoint_parts.c's walks */
  struct evs_ckpt_ops *ops; /* the calls captured or read */
  size_t cursor;            /* EVS_CK_REPLAY: the next call */
  evs_ckpt *parent;         /* EVS_CK_SPLIT: the file's stream */
  const evs_ckpt_parts *parts; /* the parts walked */
  uint32_t part;               /* the part walked */
  int loading;                 /* 1: reading, 0: writing */
  int status;                  /* first error, EVS_OK */
  evs_error *err;              /* where the first error's message goes */
  FILE *f;                     /* the file (writing: NAME.tmp) */
  char *path;                  /* NAME */
  char *tmp;                   /* NAME.tmp while writing */
  uint32_t crc;                /* writing: CRC-32 of the bytes so far */
  uint64_t len;                /* bytes written or read so far */
  uint64_t body;               /* loading: bytes before the trailer */
  int keep_tmp; /* writing: evs__ckpt_save_close leaves NAME.tmp complete,
                   for evs__ckpt_commit (a part of a run on ranks) */
};

/* Sets ck's first error to rc (a negative status) with a printf-formatted
 * message, unless it has one; returns ck's status. */
int evs__ckpt_fail(evs_ckpt *ck, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Creates path.tmp (exclusively, never through a symbolic link; a stale
 * one is removed first) and writes the header with info's fields. EVS_OK
 * or EVS_EIO / EVS_ENOMEM (message in err; nothing left on disk). */
int evs__ckpt_save_open(evs_ckpt *ck, const char *path,
                        const evs_checkpoint_info *info, evs_error *err);

/* Ends a checkpoint being written: when ck's status is EVS_OK, writes the
 * trailer (length, CRC-32), flushes it to disk (fsync) and renames
 * path.tmp to path; otherwise, or on any failure, deletes path.tmp.
 * Returns the checkpoint's status (EVS_EIO naming the file when the file
 * could not be completed). */
int evs__ckpt_save_close(evs_ckpt *ck);

/* Renames path.tmp, which evs__ckpt_save_close completed with keep_tmp
 * set, to path and flushes the rename to disk. EVS_OK or EVS_EIO naming
 * path (err). */
int evs__ckpt_commit(const char *path, evs_error *err);

/* Removes path.tmp (a part that will not be committed), if any. */
void evs__ckpt_discard(const char *path);

/* The record that says which rank of how many ranks wrote a checkpoint
 * (written on several ranks only, right after the header: a checkpoint of
 * one process has none). Saving: writes it (*nranks, *rank). Loading:
 * reads it into *nranks, *rank if the state starts with one, else leaves
 * the stream where it was and sets *nranks = 1, *rank = 0. EVS_OK or ck's
 * error. */
int evs__ckpt_ranks(evs_ckpt *ck, uint32_t *nranks, uint32_t *rank);

/* Opens the checkpoint at path, checks it whole (magic, format version,
 * build, trailer length and CRC-32) and reads its header into *info (meta
 * malloc'd; may be NULL to skip it); ck is then at the state. EVS_OK, or
 * EVS_EIO / EVS_EINVAL with a message naming path (ck closed). */
int evs__ckpt_load_open(evs_ckpt *ck, const char *path,
                        evs_checkpoint_info *info, evs_error *err);

/* Ends a checkpoint being read: refuses one with bytes left over (EVS_EINVAL)
 * when ck's status is EVS_OK, closes the file. Returns the status. */
int evs__ckpt_load_close(evs_ckpt *ck);

/* Walks part k of an object with its hook (hook(ctx, k, sub) calls the
 * part's checkpoint hook on sub). */
typedef int (*evs_ckpt_part_hook)(void *ctx, uint32_t k, evs_ckpt *sub);

/* Saves into ck the state of parts->n parts of one object as the hook of
 * the whole object would save it on one thread: each part's walk is
 * captured, then the calls are written one by one, per-element arrays
 * joined (evsnn/checkpoint.h), counters summed, flags or'ed, everything
 * else written once after checking it is the same in every part (refused
 * otherwise, naming parts->what). EVS_OK or ck's first error. */
int evs__ckpt_gather(evs_ckpt *ck, const evs_ckpt_parts *parts,
                     evs_ckpt_part_hook hook, void *ctx);

/* Loads from ck what evs__ckpt_gather saved into the parts: the first
 * part's walk reads the file (whole arrays kept), the others' replay what
 * it read; each part gets its share. EVS_OK or ck's first error. */
int evs__ckpt_scatter(evs_ckpt *ck, const evs_ckpt_parts *parts,
                      evs_ckpt_part_hook hook, void *ctx);

#endif
