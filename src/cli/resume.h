/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — what the program stores in a checkpoint to load its model again
 * (evs_net_set_checkpoint's caller bytes): the model file's absolute path
 * and text, the --set overrides, --force and the checkpoint interval. */
#ifndef EVSNN_CLI_RESUME_H
#define EVSNN_CLI_RESUME_H

#include <stddef.h>

/* The run a checkpoint resumes, as the program started it. */
typedef struct evs_cli_resume_info {
  char *model;       /* absolute path of the model file; "" for the demo */
  char *text;        /* the model file's text at the start */
  const char **sets; /* [n_sets] overrides, "SECTION.KEY=VALUE" */
  size_t n_sets;
  int force;    /* --force */
  double every; /* s of wall time between checkpoints; 0: none */
  char *buf;    /* owned storage of the fields */
} evs_cli_resume_info;

/* The bytes for a run of model (a path, or NULL for the demo) with
 * sets[0..n_sets), force and every: *out (malloc'd) of *len bytes. The
 * model file is read whole (its text goes in; at most 512 KiB). 0, or -1
 * with errno set (EFBIG: a larger model file). */
int evs_cli_resume_make(const char *model, const char *const *sets,
                        size_t n_sets, int force, double every, char **out,
                        size_t *len);

/* Parses the bytes meta[0..len) of a checkpoint into *r (free with
 * evs_cli_resume_free). 0, or -1 when they are not the program's. */
int evs_cli_resume_parse(const void *meta, size_t len, evs_cli_resume_info *r);

/* 1 when the model file of r still has the text it had, else 0 (a message
 * on stderr names it). */
int evs_cli_resume_same_model(const evs_cli_resume_info *r);

void evs_cli_resume_free(evs_cli_resume_info *r);

#endif
