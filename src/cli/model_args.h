/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn's command line: the options of the commands that load a model
 * (run, resume, check) and the loading itself (model_args.c). */
#ifndef EVSNN_CLI_MODEL_ARGS_H
#define EVSNN_CLI_MODEL_ARGS_H

#include <stddef.h>

#include <evsnn/evsnn.h>

/* The options of run, resume and check. */
typedef struct evs_cli_opts {
  const char *model;  /* model path, or NULL */
  const char *outdir; /* -o */
  const char **sets;  /* --set values */
  size_t n_sets;
  int seed_set;
  unsigned long long seed;
  int quiet;
  int force;                /* --force: past the memory estimate */
  double progress_interval; /* s, --progress-interval (0: the default) */
  char *threads;            /* "simulation.threads=V" of --threads V, or NULL */
  size_t threads_at;        /* its place in sets */
  double ckpt_every;        /* s, --checkpoint-every (0: not given) */
  double until;             /* s, --until (0: not given) */
} evs_cli_opts;

/* Parses the arguments of a command (argv[0] is its name; is_run: 1 run,
 * 2 resume, 0 check) into *c, usage its help text. Returns -1 on success
 * (go on), or the exit status: EVS_CLI_OK after printing the help,
 * EVS_CLI_USAGE after a usage error, EVS_CLI_ERR when out of memory. The
 * caller frees c->sets and c->threads, also after a failure. */
int evs_cli_parse_opts(int argc, char **argv, evs_cli_opts *c, int is_run,
                       const char *usage);

/* Loads the model of c (or the demo); prints the error and returns NULL. */
evs_model *evs_cli_load(const evs_cli_opts *c);

#endif
