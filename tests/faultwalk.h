/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The fault-injection walk's parts (faultwalk.c: the walk; faultwalk_wrap.c:
 * the library's calls diverted and counted; faultwalk_files.c: the output
 * folders compared; faultwalk_phases.c: one run of the model, saved or
 * resumed at a checkpoint, and the checks after it). */
#ifndef EVSNN_TESTS_FAULTWALK_H
#define EVSNN_TESTS_FAULTWALK_H

#include <stddef.h>
#include <stdio.h>

#include <evsnn/evsnn.h>

/* ---- the wrappers (faultwalk_wrap.c) ------------------------------------- */

enum { KIND_NONE, KIND_ALLOC, KIND_IO };

extern int armed_kind;        /* kind of call counted and failed */
extern unsigned long calls;   /* calls of armed_kind so far */
extern unsigned long fail_at; /* the call that fails (0: none) */
extern int hit;               /* 1 once the fault was injected */
extern size_t n_live;         /* the library's blocks still allocated */
extern int live_overflow;     /* more of them than the walk can track */
/* Called (when set) with the path of each open() and rename() target the
 * library makes, before the call is counted: rankfault.c finds the
 * checkpoints a run writes by it. NULL: nothing is called. */
extern void (*watch_path)(const char *path, int renamed);

/* The C library's own calls, past the wrappers (ld --wrap). */
void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
FILE *__real_fopen(const char *path, const char *mode);
int __real_fclose(FILE *f);
int __real_open(const char *path, int flags, ...);

/* ---- one run (in a child) ------------------------------------------------ */

/* What a run does: run to the end, stop at T with a checkpoint, or resume
 * from the folder's checkpoint to the end. */
enum { PHASE_RUN, PHASE_SAVE, PHASE_RESUME };

typedef struct walk {
  const char *model;
  const char **sets;
  size_t n_sets;
  const char *ref;  /* reference output folder */
  const char *work; /* output folder of the k-th run */
  const char *full; /* -c: the uninterrupted run's folder */
  const char *tmpl; /* -p resume: the checkpointed folder each run copies */
  int kind;
  int phase;
  double until; /* s, -c T */
  unsigned timeout;
} walk;

/* What a child tells its parent. */
typedef struct outcome {
  int status;          /* the run's status (EVS_OK, EVS_ESTOPPED, EVS_E*) */
  int hit;             /* the fault was injected */
  unsigned long calls; /* calls of the walked kind */
  unsigned long win_lo, win_hi; /* -c: the calls (win_lo, win_hi] were made
                                   writing or loading the checkpoint */
  char finding[2048];           /* empty: none */
} outcome;

/* ---- folders (faultwalk_files.c) ----------------------------------------- */

/* 1 when s ends with suffix. */
int ends_with(const char *s, const char *suffix);

/* Files the comparisons leave out. */
enum {
  SKIP_CKPT = 1, /* checkpoint.evsnn (its bytes hold wall times) */
  SKIP_LOG = 2,  /* run.log (a resumed run's says so) */
  SUBSET = 4     /* only dir's files under their final names, each of
                    which must be ref's (ref may have more) */
};

/* Compares folder dir with folder ref, leaving out what skip says; a
 * difference goes into why. 1 when the same, else 0. */
int same_folder(const char *ref, const char *dir, int skip, char *why,
                size_t len);

/* Names a file of dir under its final name (not NAME.part) in why; 1 when
 * there is one. */
int final_files_left(const char *dir, char *why, size_t len);

/* Removes the files of folder dir, then dir. */
void rm_rf(const char *dir);

/* Copies the files of folder from into folder to (created), with the C
 * library's own calls. 0 or -1. */
int copy_folder(const char *from, const char *to);

/* ---- one run and its checks (faultwalk_phases.c) ------------------------- */

/* Loads the model and runs it into dir as phase says (PHASE_RUN: to the
 * end; PHASE_SAVE: to until, then a checkpoint and the files completed up
 * to until, as evsnn run --until; PHASE_RESUME: from dir's checkpoint to the
 * end, as evsnn resume). The calls of the walked kind made while writing or
 * loading the checkpoint go into (*lo, *hi] (either may be NULL). Returns
 * the run's status, with its message in err. */
int run_model(const walk *w, int phase, const char *dir, unsigned long *lo,
              unsigned long *hi, evs_error *err);

/* After a run of phase save or resume into dir that ended with status rc
 * (and no leak): the checks of faultwalk.c's header comment; a finding goes
 * into why. Runs without a fault. */
void check_checkpointed(const walk *w, const char *dir, int rc, char *why,
                        size_t len);

#endif
