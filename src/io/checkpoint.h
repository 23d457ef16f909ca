/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the checkpoint stream (evsnn/checkpoint.h) as the run
 * (core/run_ckpt.c) opens and closes it; the file and its checks are in
 * io/checkpoint.c. */
#ifndef EVSNN_IO_CHECKPOINT_H
#define EVSNN_IO_CHECKPOINT_H

#include <stdint.h>
#include <stdio.h>

#include "evsnn/checkpoint.h"

struct evs_ckpt {
  int loading;    /* 1: reading, 0: writing */
  int status;     /* first error, EVS_OK */
  evs_error *err; /* where the first error's message goes */
  FILE *f;        /* the file (writing: NAME.tmp) */
  char *path;     /* NAME */
  char *tmp;      /* NAME.tmp while writing */
  uint32_t crc;   /* writing: CRC-32 of the bytes so far */
  uint64_t len;   /* bytes written or read so far */
  uint64_t body;  /* loading: bytes before the trailer */
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

/* Opens the checkpoint at path, checks it whole (magic, format version,
 * build, trailer length and CRC-32) and reads its header into *info (meta
 * malloc'd; may be NULL to skip it); ck is then at the state. EVS_OK, or
 * EVS_EIO / EVS_EINVAL with a message naming path (ck closed). */
int evs__ckpt_load_open(evs_ckpt *ck, const char *path,
                        evs_checkpoint_info *info, evs_error *err);

/* Ends a checkpoint being read: refuses one with bytes left over (EVS_EINVAL)
 * when ck's status is EVS_OK, closes the file. Returns the status. */
int evs__ckpt_load_close(evs_ckpt *ck);

#endif
