/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — what the output files' modules share (private to src/io/):
 * output.c (the folder, part files, run.log, summary.tsv, closing),
 * output_formats.c (what the plug-ins' files hold), output_resume.c (their part
 * in checkpoints and resuming), progress_line.c (the progress line on stderr).
 */
#ifndef EVS_IO_OUTPUT_IMPL_H
#define EVS_IO_OUTPUT_IMPL_H

#include <stdarg.h>
#include <stdio.h>

#include "base/clock.h"
#include "io/output.h"

#define RASTER_BUF (1u << 20) /* bytes of stdio buffer per raster */
#define PROBE_BUF (1u << 18)  /* bytes of stdio buffer per probe */
#define MAX_CREATED 16        /* folder levels evs__output_open may create */

/* One output file. */
typedef struct ofile {
  char *path;     /* final name: dir/NAME */
  char *part;     /* name while writing: dir/NAME.part */
  FILE *f;        /* open stream, NULL once closed (or never opened) */
  char *buf;      /* stdio buffer (owned), or NULL */
  int err;        /* errno of the first failure, 0 when none */
  int written;    /* 1 once part exists on disk */
  int renamed;    /* 1 once part was renamed to path */
  size_t bufsize; /* bytes of its stdio buffer (0: stdio's own) */
  const evs_output_closer *closer; /* a file another library writes (an
                                      external file), or NULL */
} ofile;

struct evs_output {
  char *dir;       /* output folder */
  char model[256]; /* model name for headers */
  ofile log;       /* run.log */
  ofile summary;   /* summary.tsv */
  ofile *files;    /* rasters and probes; handle = index */
  size_t n_files, cap_files;
  char *created[MAX_CREATED]; /* folders this run created, outermost first */
  size_t n_created;
  int silent;         /* 1: writes nothing (evs__output_open_silent) */
  double wall0;       /* s, wall clock at the opening */
  double wall_logged; /* s, wall clock of the last progress line */
  int keep;           /* 1: a checkpoint needs the files (evs__output_keep) */
};

/* "dir/namesuffix", malloc'd, or NULL when out of memory. */
char *evs__output_join(const char *dir, const char *name, const char *suffix);
/* Records the first failure (errno e) of file f. */
void evs__ofile_fail(ofile *f, int e);
/* Writes n bytes of s into f unless it already failed, recording the
 * first failure. */
void evs__ofile_write(ofile *f, const char *s, size_t n);
/* vprintf into f unless it already failed, recording the first failure. */
void evs__ofile_vprintf(ofile *f, const char *fmt, va_list ap);
/* Adds a file slot to o for the file NAME (created as a part file with a
 * stdio buffer of bufsize bytes, 0: stdio's own, and listed in run.log);
 * returns its handle or a negative status (err). A silent output's slots
 * have no file (every write to them is dropped). */
int evs__output_add_file(evs_output *o, const char *name, size_t bufsize,
                         evs_error *err);
/* printf into f, recording the first failure. */
void evs__ofile_printf(ofile *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Removes every part file of o and frees o (a run that failed); once
 * evs__output_keep was called, closes them instead, leaving them on disk
 * under their part names for the checkpoint (summary.tsv aside: a resumed
 * run writes it anew). */
void evs__output_discard(evs_output *o);

#endif
