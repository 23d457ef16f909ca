/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — checkpoints of a run on several ranks, private (doc/scaling.md,
 * "Checkpoints on ranks"): each rank saves its own part of the state in a
 * file of its own, rank 0 into the checkpoint's file (net->ckpt_path),
 * rank r > 0 into one of two part files "NAME.rank<r>.<slot>", written by
 * turns so that the parts of the last committed checkpoint stay whole
 * while the next one's are written. Rank 0's file, renamed last, once
 * every rank's part is on disk, commits a checkpoint; a part belongs to it
 * when its time is the one rank 0's file has. Not installed. */
#ifndef EVSNN_CORE_RANKS_CKPT_H
#define EVSNN_CORE_RANKS_CKPT_H

#include <stdint.h>

#include "core/net_impl.h"
#include "io/checkpoint.h"
#include "io/output.h"

/* The file this rank writes its part of a checkpoint into: net->ckpt_path
 * on rank 0, "NAME.rank<r>.<slot>" on rank r > 0 (slot 0 or 1). Malloc'd,
 * or NULL when out of memory. */
char *evs__ranks_ckpt_part(const evs_net *net, uint32_t slot);

/* Removes this rank's part files (rank r > 0: both slots) of an earlier
 * run into the same folder, at the start of a new run. */
void evs__ranks_ckpt_clear(const evs_net *net);

/* Rank 0 of a new run (not a resumed one) on several ranks lists in
 * run.log (o, written into outdir) the names of every rank's part files,
 * "NAME.rank<r>.<slot>" for r = 1 .. nranks - 1 and both slots, when the
 * checkpoint's file is in outdir: the next run into the folder, on fewer
 * ranks or in one process, removes them as files of this run (a run on as
 * many ranks or more rewrites or removes its own; doc/reliability.md).
 * The parts a checkpoint of this run needs are never among the files its
 * resumption removes: they are listed before any checkpoint's length of
 * run.log. Nothing elsewhere, or on other ranks. */
void evs__ranks_ckpt_list(const evs_net *net, evs_output *o,
                          const char *outdir);

/* Whether a periodic checkpoint is due on every rank: rank 0's wall clock
 * decides (due there: *due nonzero), broadcast to the others (collective
 * on several ranks; in one process: due). */
int evs__ranks_ckpt_due(evs_net *net, int due);

/* Opens this rank's part of the checkpoint at net->ckpt_path to load it
 * (collective on several ranks): rank 0 opens the file itself, checks that
 * it was written on as many ranks as run now (a checkpoint of K ranks
 * resumes on K ranks only, refused naming both numbers) and tells the
 * others its time; rank r > 0 opens the part file of its rank with that
 * time (*slot: its slot, which the next checkpoint does not write). Every
 * rank fails alike when one fails (a part missing or corrupt on one rank:
 * its message there, "another rank failed" on the others). EVS_OK with ck
 * at the state and info read, or an error (err; ck closed). */
int evs__ranks_ckpt_load_open(evs_net *net, evs_ckpt *ck,
                              evs_checkpoint_info *info, uint32_t *slot,
                              evs_error *err);

#endif
