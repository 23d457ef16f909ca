/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* One process of the fault walk on ranks (tests/rankfault.sh): run under
 * mpirun, every rank loads and runs the model into OUTDIR (rank 0 writes
 * the files), and rank RANK alone fails its k-th allocation (or file
 * operation) of the library, so that a failure only one rank sees is
 * walked through the build, the run's windows and the end.
 *
 *   rankfault -r RANK -k alloc|io -n K MODEL OUTDIR [SECTION.KEY=VALUE]...
 *
 * K = 0 fails nothing (the reference run). Each process prints one line
 *   rank R status NAME calls C run_from F leaked L message TEXT
 * (C: its calls of the walked kind; F: how many of them were made before
 * the run started, i.e. while loading and building; L: the library's
 * blocks still allocated after evs_model_free, the rank communicator's
 * among them, which lives until exit) and exits 0 when its run ended as a
 * run must: with success, or with a negative status and a message, and
 * every block of the library freed at exit; otherwise 1. That the ranks agree,
 * that nobody hangs and that a success wrote the reference's files is the
 * script's to check. The calls are diverted as in the one-process walk
 * (faultwalk_wrap.c). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultwalk.h"

static int me;

/* At exit, after the library left its communicator (atexit handlers run
 * in reverse order; this one is registered first): a block still
 * allocated is a leak. */
static void check_at_exit(void) {
  if (!n_live && !live_overflow) return;
  printf("rank %d: %zu blocks of the library leaked\n", me, n_live);
  fflush(stdout);
  _exit(1);
}

/* This process's rank as mpirun announced it (0 when not under mpirun). */
static int my_rank(void) {
  const char *r = getenv("OMPI_COMM_WORLD_RANK");
  if (!r) r = getenv("PMI_RANK");
  return r ? atoi(r) : 0;
}

/* Loads the model with sets and runs it to its end into dir; *before_run
 * receives the calls made before the run started. The run's status. */
static int run(const char *model, const char **sets, size_t n_sets,
               const char *dir, unsigned long *before_run, evs_error *err) {
  evs_model_opts mo = {.overrides = sets, .n_overrides = n_sets};
  evs_model *m = NULL;
  int rc = evs_model_load_file(model, &mo, &m, err);
  *before_run = calls;
  if (rc == EVS_OK) {
    m->run.outdir = dir;
    m->run.progress = 0;
    rc = evs_net_start(m->net, &m->run, err);
    *before_run = calls;
    if (rc == EVS_OK) rc = evs_net_run_until(m->net, m->run.duration, err);
    if (rc == EVS_OK || rc == EVS_ESTOPPED) /* as evs_net_run */
      rc = evs_net_finish(m->net, err);
  }
  evs_model_free(m);
  return rc;
}

int main(int argc, char **argv) {
  int victim = -1, kind = KIND_NONE, opt;
  unsigned long k = 0;
  while ((opt = getopt(argc, argv, "r:k:n:")) != -1) {
    switch (opt) {
    case 'r': victim = atoi(optarg); break;
    case 'k':
      kind = !strcmp(optarg, "alloc") ? KIND_ALLOC
             : !strcmp(optarg, "io")  ? KIND_IO
                                      : KIND_NONE;
      break;
    case 'n': k = strtoul(optarg, NULL, 10); break;
    default: break;
    }
  }
  if (victim < 0 || kind == KIND_NONE || argc - optind < 2) {
    fprintf(stderr, "usage: rankfault -r RANK -k alloc|io -n K MODEL OUTDIR "
                    "[SECTION.KEY=VALUE]...\n");
    return 2;
  }
  const char *model = argv[optind], *dir = argv[optind + 1];
  me = my_rank();
  atexit(check_at_exit);
  evs_error err;
  evs_error_clear(&err);
  armed_kind = kind; /* every rank counts; only the victim fails */
  fail_at = me == victim ? k : 0;
  unsigned long before_run = 0;
  int rc = run(model, (const char **)argv + optind + 2,
               (size_t)(argc - optind - 2), dir, &before_run, &err);
  armed_kind = KIND_NONE;
  int clean = rc == EVS_OK || rc == EVS_ESTOPPED || (rc < 0 && err.msg[0]);
  for (char *c = err.msg; *c; c++)
    if (*c == '\n') *c = ' ';
  printf("rank %d status %s calls %lu run_from %lu leaked %zu message %s\n", me,
         evs_errname(rc), calls, before_run, n_live, err.msg);
  fflush(stdout);
  return clean ? 0 : 1;
}
