/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* One process of the fault walk on ranks (tests/rankfault.sh): run under
 * mpirun, every rank loads and runs the model into OUTDIR (rank 0 writes
 * the files), and rank RANK alone fails its k-th allocation (or file
 * operation) of the library, so that a failure only one rank sees is
 * walked through the build, the run's windows and the end.
 *
 *   rankfault -r RANK -k alloc|io -n K [-R] [-u T] [-e S] MODEL OUTDIR
 *             [SECTION.KEY=VALUE]...
 *
 * With checkpoints (in OUTDIR/checkpoint.evsnn, as evsnn run): -R resumes
 * the run from OUTDIR's checkpoint (as evsnn resume) instead of starting
 * it; -u T stops it at T with a checkpoint and completes the files up to
 * T (as --until); -e S writes periodic checkpoints every S of wall time
 * (S tiny: at every poll, every 16 barriers of the ranks, so at the same
 * calls from run to run).
 *
 * K = 0 fails nothing (the reference run). Each process prints one line
 *   rank R status NAME calls C run_from F ckpt W leaked L message TEXT
 * (C: its calls of the walked kind; F: how many of them were made before
 * the run started, i.e. while loading and building; W: the calls made
 * while loading or writing checkpoints, as ranges A-B (calls A+1 .. B)
 * joined by commas, "-" for none; a periodic one's from the opening of
 * its part to its rename, which misses the few calls around them; L: the
 * library's blocks still allocated after evs_model_free, the rank
 * communicator's among them, which lives until exit) and exits 0 when its
 * run ended as a run must: with success, or with a negative status and a
 * message, and every block of the library freed at exit; otherwise 1.
 * That the ranks agree, that nobody hangs, that a success wrote the
 * reference's files and that a checkpoint left behind resumes is the
 * script's to check. The calls are diverted as in the one-process walk
 * (faultwalk_wrap.c). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultwalk.h"

static int me;

/* The calls made loading or writing checkpoints: [lo, hi) ranges. */
#define MAX_WINDOWS 512
static unsigned long win_lo[MAX_WINDOWS], win_hi[MAX_WINDOWS];
static int n_win;

/* Opens a range at from (a checkpoint's loading or writing begins). */
static void window_open(unsigned long from) {
  if (n_win < MAX_WINDOWS) win_lo[n_win] = win_hi[n_win] = from;
}

/* Closes the open range at to. */
static void window_close(unsigned long to) {
  if (n_win < MAX_WINDOWS) win_hi[n_win++] = to;
}

/* watch_path for periodic checkpoints: a part's NAME.tmp opened begins
 * one, its rename to NAME (this call included) ends it. */
static void watch(const char *path, int renamed) {
  if (!strstr(path, "/checkpoint.evsnn")) return;
  size_t n = strlen(path);
  if (!renamed && n > 4 && !strcmp(path + n - 4, ".tmp"))
    window_open(calls);
  else if (renamed)
    window_close(calls + 1);
}

/* What the run does with checkpoints. */
typedef struct ckpt_opts {
  int resume;   /* 1: from OUTDIR's checkpoint */
  double until; /* s: stop there with a checkpoint; 0: run to the end */
  double every; /* s of wall time between periodic checkpoints; 0: none */
} ckpt_opts;

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

/* Loads the model with sets and runs it into dir as c says (to its end,
 * or to c->until with a checkpoint; started or resumed); *before_run
 * receives the calls made before the run started. The run's status. */
static int run(const char *model, const char **sets, size_t n_sets,
               const char *dir, const ckpt_opts *c, unsigned long *before_run,
               evs_error *err) {
  evs_model_opts mo = {.overrides = sets, .n_overrides = n_sets};
  evs_model *m = NULL;
  int rc = evs_model_load_file(model, &mo, &m, err);
  *before_run = calls;
  if (rc == EVS_OK && (c->resume || c->until > 0 || c->every > 0)) {
    char path[4096];
    snprintf(path, sizeof path, "%s/checkpoint.evsnn", dir);
    rc = evs_net_set_checkpoint(m->net, path, c->every, NULL, 0, err);
    if (c->every > 0) watch_path = watch;
  }
  if (rc == EVS_OK) {
    m->run.outdir = dir;
    m->run.progress = 0;
    if (c->resume) window_open(calls);
    rc = c->resume ? evs_net_resume(m->net, &m->run, err)
                   : evs_net_start(m->net, &m->run, err);
    if (c->resume) window_close(calls);
    *before_run = calls;
    double end = c->until > 0 && c->until < m->run.duration
                     ? c->until
                     : m->run.duration;
    if (rc == EVS_OK) rc = evs_net_run_until(m->net, end, err);
    if (rc == EVS_OK && end < m->run.duration) { /* as evsnn run --until */
      window_open(calls);
      rc = evs_net_checkpoint(m->net, err);
      window_close(calls);
      if (rc) { /* the files up to until, all the same */
        evs_error ignored;
        evs_error_clear(&ignored);
        evs_net_finish(m->net, &ignored);
      }
    }
    if (rc == EVS_OK || rc == EVS_ESTOPPED) /* as evs_net_run */
      rc = evs_net_finish(m->net, err);
  }
  watch_path = NULL;
  evs_model_free(m);
  return rc;
}

/* The ranges of calls made with checkpoints, as the line prints them. */
static void print_windows(void) {
  if (!n_win) fputs("-", stdout);
  for (int i = 0; i < n_win; i++)
    printf("%s%lu-%lu", i ? "," : "", win_lo[i], win_hi[i]);
}

int main(int argc, char **argv) {
  int victim = -1, kind = KIND_NONE, opt;
  unsigned long k = 0;
  ckpt_opts c = {0, 0, 0};
  while ((opt = getopt(argc, argv, "r:k:n:Ru:e:")) != -1) {
    switch (opt) {
    case 'R': c.resume = 1; break;
    case 'u': c.until = strtod(optarg, NULL); break;
    case 'e': c.every = strtod(optarg, NULL); break;
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
    fprintf(stderr, "usage: rankfault -r RANK -k alloc|io -n K [-R] [-u T] "
                    "[-e S] MODEL OUTDIR [SECTION.KEY=VALUE]...\n");
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
               (size_t)(argc - optind - 2), dir, &c, &before_run, &err);
  armed_kind = KIND_NONE;
  int clean = rc == EVS_OK || rc == EVS_ESTOPPED || (rc < 0 && err.msg[0]);
  for (char *c = err.msg; *c; c++)
    if (*c == '\n') *c = ' ';
  printf("rank %d status %s calls %lu run_from %lu ckpt ", me, evs_errname(rc),
         calls, before_run);
  print_windows();
  printf(" leaked %zu message %s\n", n_live, err.msg);
  fflush(stdout);
  return clean ? 0 : 1;
}
