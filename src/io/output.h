/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the run's output folder (output.c): part files renamed
 * at the end, run.log, summary.tsv, the progress line. Not installed. */
#ifndef EVSNN_IO_OUTPUT_H
#define EVSNN_IO_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evsnn/csr.h"
#include "evsnn/error.h"
#include "evsnn/net.h"
#include "evsnn/plugin.h"

typedef struct evs_output evs_output;

/* Creates the part file part for writing: exclusively, never through a
 * symbolic link, replacing a stale one once (output.c). Returns the stream
 * or NULL with errno set. A test hook: tests point it elsewhere (/dev/full)
 * to inject write failures. */
extern FILE *(*evs__output_create_part)(const char *part);

/* Opens the output folder dir (created with parents if missing). Every file
 * is written as NAME.part and renamed to NAME by evs__output_close, so a run
 * that dies leaves no file that looks complete. run.log starts with the
 * model name, seed and start date. Returns EVS_OK or EVS_EIO naming the path.
 */
int evs__output_open(evs_output **out, const char *dir, const char *model_name,
                     uint64_t seed, evs_error *err);

/* An output that takes every call of this interface and writes nothing (no
 * folder, no file, no run.log): what the ranks but rank 0 of a run on
 * several ranks write into, so that their plug-ins behave as rank 0's.
 * EVS_OK or EVS_ENOMEM. */
int evs__output_open_silent(evs_output **out, const char *model_name,
                            evs_error *err);

/* Starts <pop>.ras with a header comment (model, population, size, units:
 * "# time [s] id"). Returns a handle >= 0 or a negative status. */
int evs__output_raster_open(evs_output *o, const char *pop, uint32_t size,
                            evs_error *err);

/* Appends spikes ("%.9f %u\n": time in s with ns resolution, local id). */
void evs__output_raster_write(evs_output *o, int handle, const evs_spike *spk,
                              size_t n);

/* Starts <pop>.spk, evsnn's binary spike file (evsnn/spikes.h): its
 * header (model, population, size). Returns a handle >= 0 or a negative
 * status. */
int evs__output_spike_file_open(evs_output *o, const char *pop, uint32_t size,
                                evs_error *err);

/* Appends spikes as binary records (float64 time in s, uint32 local id). */
void evs__output_spike_file_write(evs_output *o, int handle,
                                  const evs_spike *spk, size_t n);

/* A file that another library writes (spikes.h5, through libhdf5): close
 * finishes it (abort 0: flush and close, returning 0 or an errno value that
 * makes evs__output_close fail naming the file) or discards it (abort 1:
 * release what it holds, the part file is deleted next). Called exactly
 * once per file, also when the run fails; it may free ctx. */
typedef struct evs_output_closer {
  int (*close)(void *ctx, int abort);
  void *ctx;
} evs_output_closer;

/* Registers NAME as an output written by someone else: listed in run.log,
 * a stale NAME.part removed, and *part (owned by o, valid until o closes)
 * is the path the writer must create exclusively. closer (not copied; must
 * outlive the output's close) is called by evs__output_close before NAME.part
 * is renamed to NAME, or by evs__output_abort before it is deleted. Returns
 * a handle >= 0 or a negative status (closer not called). */
int evs__output_external_open(evs_output *o, const char *name,
                              const evs_output_closer *closer,
                              const char **part, evs_error *err);

/* Starts <var>_<pop>.tsv (v_E.tsv): header "time" then "<var><id>" per
 * probed neuron (v3: the variable's SI unit). Returns a handle >= 0 or a
 * negative status. */
int evs__output_probe_open(evs_output *o, const char *var, const char *pop,
                           const uint32_t *ids, size_t n, evs_error *err);

/* Starts a tab-separated table NAME (e.g. "EE.weights.tsv") whose first line
 * is header (without the newline). Returns a handle >= 0 for
 * evs__output_probe_row, or a negative status. */
int evs__output_table_open(evs_output *o, const char *name, const char *header,
                           evs_error *err);

/* Writes NAME (e.g. "EE_500ms.mtx") in Matrix Market coordinate format:
 * a comment line, "n_pre n_post nnz", then "pre+1 post+1 weight" per synapse
 * in CSR order, weights divided by scale (internal units per SI unit).
 * Returns a handle >= 0 or a negative status. */
int evs__output_matrix(evs_output *o, const char *name, const char *comment,
                       const evs_csr *m, double scale, evs_error *err);

/* Appends one row to a probe or table file: time, then n values. */
void evs__output_probe_row(evs_output *o, int handle, double t, const double *v,
                           size_t n);

/* Appends printf-formatted text to a table opened by evs__output_table_open
 * (the caller writes whole rows, newline included). */
void evs__output_table_printf(evs_output *o, int handle, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends a line to run.log (a newline is added). */
void evs__output_log(evs_output *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Hands what run.log holds to the system at once (a line a watcher must
 * see now). */
void evs__output_log_sync(evs_output *o);

/* Writes summary.tsv: header "population\tneurons\tspikes\trate_hz" and one
 * row per population (rate = spikes / neurons / duration). */
void evs__output_summary(evs_output *o, const evs_pop_info *info, size_t n,
                         double duration);

/* The same with more columns after rate_hz: header (tab-separated names)
 * and cells[i], the tab-separated values of row i (both NULL: none). */
void evs__output_summary_cols(evs_output *o, const evs_pop_info *info, size_t n,
                              double duration, const char *header,
                              const char *const *cells);

/* Ends the run's output: last line of run.log is "completed at t = T s" when
 * reason is NULL, else "stopped at t = T s: <reason>"; flushes, checks every
 * write (a full disk is an error), renames NAME.part to NAME, frees o.
 * Returns EVS_OK or EVS_EIO naming the file that failed. */
int evs__output_close(evs_output *o, double t, const char *reason,
                      evs_error *err);

/* Saves into checkpoint ck (saving, or a trial walk) the length of every
 * file of o (NULL: a run without output) after flushing it. EVS_OK or
 * ck's error (a file another library writes cannot be saved yet). */
struct evs_ckpt;
int evs__output_checkpoint(evs_output *o, struct evs_ckpt *ck);

/* Loads from checkpoint ck (loading) the files of its run and opens them
 * again in dir (NULL: the run writes nothing; the checkpoint's run must
 * not have either), each as NAME.part cut back to its length at the
 * checkpoint (a finished NAME is renamed back to NAME.part; one missing or
 * shorter is refused), removes the files run.log lists after that point
 * and summary.tsv, and appends "resumed: from the checkpoint at t = T s"
 * to run.log. *out is the output (NULL without dir). EVS_OK or ck's error;
 * the files stay on disk after a failure. */
int evs__output_resume(evs_output **out, struct evs_ckpt *ck, const char *dir,
                       const char *model_name, uint64_t seed, double t);

/* Discards the output: closes and deletes every file written, frees o.
 * After evs__output_keep the files are closed and left as NAME.part. */
void evs__output_abort(evs_output *o);

/* Lists name (a plain file name in o's folder) in run.log as a file of
 * this run that it writes by itself (a checkpoint's part on a rank:
 * core/ranks_ckpt.h), so that the next run into the folder removes it
 * (and NAME.part), as it removes o's files. Nothing for NULL or a silent
 * output. */
void evs__output_list(evs_output *o, const char *name);

/* Marks o's files as needed by a checkpoint (one was written, or the run
 * resumed from one): from now on a run that fails (evs__output_abort, a
 * failed evs__output_close) leaves them on disk as NAME.part, at least as
 * long as at the checkpoint, so that the checkpoint still resumes the run,
 * instead of deleting them. NULL is allowed. */
void evs__output_keep(evs_output *o);

/* Progress on stderr (simulated time, real-time factor, ETA), at most a few
 * times a second; the scheduler calls it often and cheaply. */
void evs__progress(double t, double t_end);

/* Ends the progress line. */
void evs__progress_done(void);

/* For a batch run: once every interval s of wall time (from the output's
 * opening), the line "progress: t = T s of D s, W s of wall time" in
 * run.log, on disk at once. o may be NULL (nothing written). */
void evs__output_progress(evs_output *o, double t, double t_end,
                          double interval);

#endif
