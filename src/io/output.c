/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the output files of a run: spike rasters, probes, summary, log.
 *
 * Every file is written as NAME.part and renamed to NAME only when the whole
 * run's output closed cleanly, so a run that dies (or a disk that fills up)
 * never leaves a file that looks complete. Part files are created
 * exclusively, never through a symbolic link (create_part). run.log lists
 * each file of its run as it is opened ("output: NAME"), so that the next
 * run into the same folder removes them (and only them) before it starts,
 * even those of a run that was killed. Every stdio call is checked; the
 * first failure of a file is remembered (errno) and reported by
 * evs__output_close as EVS_EIO naming that file. The library never writes
 * to stdout; progress goes to stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/checkpoint.h"
#include "io/output_impl.h"

/* ---- files -------------------------------------------------------------- */

char *evs__output_join(const char *dir, const char *name, const char *suffix) {
  size_t n = strlen(dir) + 1 + strlen(name) + strlen(suffix) + 1;
  char *s = malloc(n);
  if (s) snprintf(s, n, "%s/%s%s", dir, name, suffix);
  return s;
}

/* Records the first failure of file f. */
void evs__ofile_fail(ofile *f, int e) {
  if (!f->err) f->err = e ? e : EIO;
}

/* Creates part, which must not exist, never through a symbolic link
 * (O_EXCL fails on any existing name, a dangling link included). A name
 * already there is a stale part of a run that died, or planted: the name
 * itself is removed (unlink never follows a link) and the creation tried
 * once more; if that fails too, someone is racing us and it is an error.
 * Returns the stream, or NULL with errno set. */
static FILE *create_part(const char *part) {
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = open(part, flags, 0666);
  if (fd < 0 && errno == EEXIST && unlink(part) == 0)
    fd = open(part, flags, 0666);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, "w");
  if (!f) {
    int e = errno;
    close(fd);
    unlink(part);
    errno = e;
  }
  return f;
}

FILE *(*evs__output_create_part)(const char *part) = create_part;

/* Opens dir/name.part for writing with a stdio buffer of bufsize bytes
 * (0: default). EVS_OK, EVS_ENOMEM or EVS_EIO (message in err). */
static int ofile_open(ofile *f, const char *dir, const char *name,
                      size_t bufsize, evs_error *err) {
  memset(f, 0, sizeof *f);
  f->path = evs__output_join(dir, name, "");
  f->part = evs__output_join(dir, name, ".part");
  if (!f->path || !f->part) goto nomem;
  errno = 0;
  f->f = evs__output_create_part(f->part);
  if (!f->f) {
    f->err = errno ? errno : EIO;
    return evs_error_set(err, EVS_EIO, NULL, 0, "%s: %s", f->part,
                         strerror(f->err));
  }
  f->written = 1;
  f->bufsize = bufsize;
  if (bufsize) {
    f->buf = malloc(bufsize);
    if (f->buf && setvbuf(f->f, f->buf, _IOFBF, bufsize) != 0) {
      free(f->buf); /* keep stdio's own buffer */
      f->buf = NULL;
    }
  }
  return EVS_OK;
nomem:
  f->err = ENOMEM;
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory opening %s",
                       name);
}

void evs__ofile_write(ofile *f, const char *s, size_t n) {
  if (!f->f || f->err) return;
  if (fwrite(s, 1, n, f->f) != n) evs__ofile_fail(f, errno);
}

void evs__ofile_vprintf(ofile *f, const char *fmt, va_list ap) {
  if (!f->f || f->err) return;
  if (vfprintf(f->f, fmt, ap) < 0) evs__ofile_fail(f, errno);
}

void evs__ofile_printf(ofile *f, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  evs__ofile_vprintf(f, fmt, ap);
  va_end(ap);
}

/* Flushes and closes the stream (or has its closer close an external
 * file), checking both. Returns the file's errno (0: everything it wrote is
 * on disk as far as stdio, or the closer, can tell). */
static int ofile_finish(ofile *f) {
  if (f->closer) {
    int e = f->closer->close(f->closer->ctx, 0);
    if (e) evs__ofile_fail(f, e);
    f->closer = NULL;
  }
  if (f->f) {
    errno = 0;
    if (fflush(f->f) != 0 || ferror(f->f)) evs__ofile_fail(f, errno);
    if (fclose(f->f) != 0) evs__ofile_fail(f, errno);
    f->f = NULL;
  }
  free(f->buf);
  f->buf = NULL;
  return f->err;
}

/* Closes without checking and deletes the part file. */
static void ofile_discard(ofile *f) {
  if (f->f) fclose(f->f);
  f->f = NULL;
  if (f->closer) f->closer->close(f->closer->ctx, 1);
  f->closer = NULL;
  if (f->written && f->part) unlink(f->part);
  f->written = 0;
}

static void ofile_free(ofile *f) {
  free(f->buf);
  free(f->path);
  free(f->part);
  memset(f, 0, sizeof *f);
}

/* ---- folders ------------------------------------------------------------ */

/* mkdir -p dir, remembering the levels it created in o->created. */
static int make_dirs(evs_output *o, const char *dir, evs_error *err) {
  size_t len = strlen(dir);
  char *p = malloc(len + 1);
  if (!p) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  memcpy(p, dir, len + 1);
  for (size_t i = 1; i <= len; i++) {
    if (p[i] != '/' && p[i] != '\0') continue;
    if (p[i - 1] == '/') continue; /* "a//b" */
    char c = p[i];
    p[i] = '\0';
    struct stat st;
    if (stat(p, &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        evs_error_set(err, EVS_EIO, NULL, 0, "%s: %s", p, strerror(ENOTDIR));
        goto fail;
      }
    } else if (mkdir(p, 0777) == 0) {
      if (o->n_created < MAX_CREATED) {
        o->created[o->n_created] = strdup(p);
        if (o->created[o->n_created]) o->n_created++;
      }
    } else if (errno != EEXIST) {
      evs_error_set(err, EVS_EIO, NULL, 0, "%s: %s", p, strerror(errno));
      goto fail;
    }
    p[i] = c;
  }
  free(p);
  return EVS_OK;
fail:
  free(p);
  return EVS_EIO;
}

/* Removes the folders this run created (innermost first) when empty. */
static void remove_dirs(evs_output *o) {
  for (size_t i = o->n_created; i-- > 0;) {
    rmdir(o->created[i]);
    free(o->created[i]);
  }
  o->n_created = 0;
}

static void output_free(evs_output *o) {
  for (size_t i = 0; i < o->n_files; i++) ofile_free(&o->files[i]);
  free(o->files);
  ofile_free(&o->log);
  ofile_free(&o->summary);
  for (size_t i = 0; i < o->n_created; i++) free(o->created[i]);
  free(o->dir);
  free(o);
}

/* Deletes every part file and created folder, then frees o; with o->keep,
 * leaves the part files but summary.tsv's on disk. */
void evs__output_discard(evs_output *o) {
  for (size_t i = 0; i < o->n_files; i++) {
    if (o->keep) o->files[i].written = 0;
    ofile_discard(&o->files[i]);
  }
  ofile_discard(&o->summary);
  if (o->keep) o->log.written = 0;
  ofile_discard(&o->log);
  remove_dirs(o);
  output_free(o);
}

void evs__output_keep(evs_output *o) {
  if (o) o->keep = 1;
}

/* Removes the files the run.log (or run.log.part) at log lists, as NAME
 * and NAME.part, and log itself. */
static void remove_listed(const char *dir, char *log) {
  FILE *f = log ? fopen(log, "r") : NULL;
  char *line = NULL;
  size_t cap = 0;
  if (!f) return;
  while (getline(&line, &cap, f) > 0) {
    if (strncmp(line, "output: ", 8) != 0) continue;
    char *name = line + 8;
    name[strcspn(name, "\r\n")] = '\0';
    if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
        !strcmp(name, ".."))
      continue;
    for (int part = 0; part < 2; part++) {
      char *path = evs__output_join(dir, name, part ? ".part" : "");
      if (path) unlink(path);
      free(path);
    }
  }
  free(line);
  fclose(f);
  unlink(log);
}

/* Removes the files an earlier run wrote into dir, as its run.log lists
 * them ("output: NAME", plain names only), or the run.log.part of a run
 * that was killed: a reused folder holds no stale output (a v_E.tsv of a
 * run that had probes, the part files of a killed run) next to the new
 * one. Files evsnn did not write are left alone. Best effort: a name that
 * cannot be removed is overwritten or stays. */
static void remove_earlier(const char *dir) {
  for (int part = 0; part < 2; part++) {
    char *log = evs__output_join(dir, "run.log", part ? ".part" : "");
    remove_listed(dir, log);
    free(log);
  }
}

/* Lists name in run.log as a file of this run, at once on disk: even a run
 * that is killed tells the next one what to remove. */
static void list_output(evs_output *o, const char *name) {
  evs__ofile_printf(&o->log, "output: %s\n", name);
  if (o->log.f && !o->log.err && fflush(o->log.f) != 0)
    evs__ofile_fail(&o->log, errno);
}

/* ---- the contract ------------------------------------------------------- */

void evs__output_list(evs_output *o, const char *name) {
  if (o && !o->silent) list_output(o, name);
}

int evs__output_open(evs_output **out, const char *dir, const char *model_name,
                     uint64_t seed, evs_error *err) {
  *out = NULL;
  if (!dir || !*dir)
    return evs_error_set(err, EVS_EINVAL, NULL, 0, "empty output folder name");
  evs_output *o = calloc(1, sizeof *o);
  if (!o || !(o->dir = strdup(dir))) {
    free(o);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  snprintf(o->model, sizeof o->model, "%s",
           model_name && *model_name ? model_name : "unnamed");
  int rc = make_dirs(o, dir, err);
  if (rc != EVS_OK) goto fail;
  remove_earlier(dir);
  rc = ofile_open(&o->log, dir, "run.log", 0, err);
  if (rc != EVS_OK) goto fail;

  char date[64] = "unknown";
  time_t now = time(NULL);
  struct tm tm;
  if (now != (time_t)-1 && localtime_r(&now, &tm))
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %z", &tm);
  evs__ofile_printf(&o->log, "model: %s\nseed: %llu\nstarted: %s\n", o->model,
                    (unsigned long long)seed, date);
  o->wall0 = o->wall_logged = evs__wall_clock();
  if (o->log.err) {
    rc = evs_error_set(err, EVS_EIO, NULL, 0, "%s: %s", o->log.path,
                       strerror(o->log.err));
    goto fail;
  }
  *out = o;
  return EVS_OK;
fail:
  evs__output_discard(o);
  return rc;
}

int evs__output_open_silent(evs_output **out, const char *model_name,
                            evs_error *err) {
  evs_output *o = calloc(1, sizeof *o);
  *out = NULL;
  if (!o || !(o->dir = strdup(""))) {
    free(o);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  snprintf(o->model, sizeof o->model, "%s",
           model_name && *model_name ? model_name : "unnamed");
  o->silent = 1;
  o->wall0 = o->wall_logged = evs__wall_clock();
  *out = o;
  return EVS_OK;
}

/* Room for one more file in o: its slot (zeroed, not yet counted), or
 * NULL with "out of memory" in err. */
static ofile *next_file(evs_output *o, evs_error *err) {
  if (o->n_files == o->cap_files) {
    size_t cap = o->cap_files ? 2 * o->cap_files : 8;
    ofile *f = realloc(o->files, cap * sizeof *f);
    if (!f) {
      evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
      return NULL;
    }
    o->files = f;
    o->cap_files = cap;
  }
  ofile *f = &o->files[o->n_files];
  memset(f, 0, sizeof *f);
  return f;
}

int evs__output_add_file(evs_output *o, const char *name, size_t bufsize,
                         evs_error *err) {
  ofile *f = next_file(o, err);
  if (!f) return EVS_ENOMEM;
  if (o->silent) return (int)o->n_files++;
  int rc = ofile_open(f, o->dir, name, bufsize, err);
  if (rc != EVS_OK) {
    ofile_discard(f);
    ofile_free(f);
    return rc;
  }
  list_output(o, name);
  return (int)o->n_files++;
}

int evs__output_external_open(evs_output *o, const char *name,
                              const evs_output_closer *closer,
                              const char **part, evs_error *err) {
  if (o->silent) /* its writer would create the file */
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: written by one process only: not on several "
                         "ranks yet",
                         name);
  ofile *f = next_file(o, err);
  if (!f) return EVS_ENOMEM;
  f->path = evs__output_join(o->dir, name, "");
  f->part = evs__output_join(o->dir, name, ".part");
  if (!f->path || !f->part) {
    ofile_free(f);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory opening %s",
                         name);
  }
  /* a stale part of a run that died: its name goes (never what it links
   * to), as create_part does; the writer creates the part exclusively */
  if (unlink(f->part) != 0 && errno != ENOENT) {
    int e = errno;
    evs_error_set(err, EVS_EIO, NULL, 0, "%s: %s", f->part, strerror(e));
    ofile_free(f);
    return EVS_EIO;
  }
  f->written = 1; /* from now on the part is this run's to delete */
  f->closer = closer;
  list_output(o, name);
  *part = f->part;
  return (int)o->n_files++;
}

void evs__output_log(evs_output *o, const char *fmt, ...) {
  if (!o) return;
  va_list ap;
  va_start(ap, fmt);
  evs__ofile_vprintf(&o->log, fmt, ap);
  va_end(ap);
  evs__ofile_printf(&o->log, "\n");
}

void evs__output_summary(evs_output *o, const evs_pop_info *info, size_t n,
                         double duration) {
  evs__output_summary_cols(o, info, n, duration, NULL, NULL);
}

void evs__output_summary_cols(evs_output *o, const evs_pop_info *info, size_t n,
                              double duration, const char *header,
                              const char *const *cells) {
  if (!o || o->silent) return;
  ofile_discard(&o->summary); /* a second call replaces the first */
  ofile_free(&o->summary);
  if (ofile_open(&o->summary, o->dir, "summary.tsv", 0, NULL) != EVS_OK) {
    /* Remember the failure for evs__output_close. */
    if (!o->summary.path)
      o->summary.path = evs__output_join(o->dir, "summary.tsv", "");
    evs__ofile_fail(&o->summary, ENOMEM);
    return;
  }
  list_output(o, "summary.tsv");
  ofile *f = &o->summary;
  evs__ofile_printf(f, "population\tneurons\tspikes\trate_hz%s%s\n",
                    header ? "\t" : "", header ? header : "");
  for (size_t i = 0; i < n; i++) {
    double rate = info[i].size > 0 && duration > 0
                      ? (double)info[i].spikes / info[i].size / duration
                      : 0.0;
    evs__ofile_printf(f, "%s\t%u\t%llu\t%.6g%s%s\n", info[i].name,
                      (unsigned)info[i].size,
                      (unsigned long long)info[i].spikes, rate,
                      header ? "\t" : "", header ? cells[i] : "");
  }
}

/* The i-th file of o in renaming order: rasters and probes, summary.tsv,
 * run.log (i < n_files + 2). */
static ofile *output_file(evs_output *o, size_t i) {
  return i < o->n_files    ? &o->files[i]
         : i == o->n_files ? &o->summary
                           : &o->log;
}

/* Finishes f; on failure sets err naming it. */
static int finish_checked(ofile *f, evs_error *err, int rc) {
  int e = ofile_finish(f);
  if (e && rc == EVS_OK)
    return evs_error_set(err, EVS_EIO, NULL, 0, "%s: %s",
                         f->path ? f->path : "(output)", strerror(e));
  return rc;
}

int evs__output_close(evs_output *o, double t, const char *reason,
                      evs_error *err) {
  if (!o) return EVS_OK;
  if (reason)
    evs__output_log(o, "stopped at t = %.9g s: %s", t, reason);
  else
    evs__output_log(o, "completed at t = %.9g s", t);

  int rc = EVS_OK;
  for (size_t i = 0; i < o->n_files; i++)
    rc = finish_checked(&o->files[i], err, rc);
  rc = finish_checked(&o->summary, err, rc);
  rc = finish_checked(&o->log, err, rc);
  if (rc != EVS_OK) goto fail;

  /* Everything is on disk: give the files their names, log last. If one
   * cannot be renamed, the run failed: the files renamed before it are
   * removed with the parts, so that no file of a failed run looks
   * complete. */
  size_t n_all = o->n_files + 2, i;
  for (i = 0; i < n_all; i++) {
    ofile *f = output_file(o, i);
    if (!f->written) continue;
    if (rename(f->part, f->path) != 0) {
      rc = evs_error_set(err, EVS_EIO, NULL, 0, "%s: %s", f->path,
                         strerror(errno));
      /* the files renamed before it: removed, or with o->keep renamed
       * back to NAME.part (the checkpoint needs them) */
      while (i-- > 0) {
        ofile *g = output_file(o, i);
        if (!g->renamed) continue;
        if (o->keep && g != &o->summary) {
          /* best effort: a file left under its name is whole up to the
           * failure, and evsnn resume takes NAME as well as NAME.part */
          (void)rename(g->path, g->part);
          continue;
        }
        unlink(g->path);
      }
      goto fail;
    }
    f->written = 0;
    f->renamed = 1;
  }
  output_free(o);
  return EVS_OK;
fail:
  evs__output_discard(o);
  return rc;
}

void evs__output_abort(evs_output *o) {
  if (o) evs__output_discard(o);
}

void evs__output_log_sync(evs_output *o) {
  if (o && o->log.f && !o->log.err && fflush(o->log.f) != 0)
    evs__ofile_fail(&o->log, errno);
}

void evs__output_progress(evs_output *o, double t, double t_end,
                          double interval) {
  if (!o) return;
  double now = evs__wall_clock();
  if (now - o->wall_logged < interval) return;
  o->wall_logged = now;
  evs__ofile_printf(&o->log,
                    "progress: t = %.3f s of %.9g s, %.1f s of wall time\n", t,
                    t_end, now - o->wall0);
  if (o->log.f && !o->log.err && fflush(o->log.f) != 0)
    evs__ofile_fail(&o->log, errno);
}
