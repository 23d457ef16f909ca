/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the output files in a checkpoint: their names and lengths saved
 * (evs__output_checkpoint), and on resume the part files reopened and cut
 * back to those lengths, the rest of a killed run removed
 * (evs__output_resume). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/checkpoint.h"
#include "io/output_impl.h"

/* Saves or loads a file name. */
static int ckpt_name(evs_ckpt *ck, char *name, size_t size) {
  size_t n = strlen(name);
  void *p = name;
  if (evs_ckpt_loading(ck)) {
    char *got = NULL;
    evs_ckpt_array(ck, (void **)&got, &n, NULL, 1);
    if (!evs_ckpt_status(ck) &&
        (n == 0 || n >= size || memchr(got, '\0', n) || memchr(got, '/', n)))
      evs__ckpt_fail(ck, EVS_EINVAL, "a corrupt checkpoint: a file name");
    if (!evs_ckpt_status(ck)) {
      memcpy(name, got, n);
      name[n] = '\0';
    }
    free(got);
    return evs_ckpt_status(ck);
  }
  return evs_ckpt_array(ck, &p, &n, NULL, 1);
}

/* The length of file f once everything written is handed to the system,
 * or -1 with ck failed. */
static int64_t ckpt_length(ofile *f, const char *name, evs_ckpt *ck) {
  if (f->closer || !f->f) {
    evs_ckpt_refuse(ck,
                    "%s cannot be saved in a checkpoint yet (spike_format = "
                    "sonata)",
                    name);
    return -1;
  }
  if (!f->err && fflush(f->f) != 0) evs__ofile_fail(f, errno);
  off_t at = f->err ? -1 : ftello(f->f);
  if (at < 0) {
    evs__ckpt_fail(ck, EVS_EIO, "%s: %s", f->part,
                   strerror(f->err ? f->err : errno));
    return -1;
  }
  return (int64_t)at;
}

int evs__output_checkpoint(evs_output *o, evs_ckpt *ck) {
  /* 2: a rank's output that writes nothing (rank 0 writes the files):
   * only its count of files, which are its plug-ins' handles */
  uint32_t has = o ? (o->silent ? 2 : 1) : 0;
  evs_ckpt_label(ck, "outputs");
  evs_ckpt_bytes(ck, &has, sizeof has);
  if (!o) return evs_ckpt_status(ck);
  if (o->silent) {
    uint64_t n = o->n_files;
    return evs_ckpt_bytes(ck, &n, sizeof n);
  }
  int64_t at = ckpt_length(&o->log, "run.log", ck);
  evs_ckpt_bytes(ck, &at, sizeof at);
  uint64_t n = o->n_files;
  evs_ckpt_bytes(ck, &n, sizeof n);
  size_t skip = strlen(o->dir) + 1;
  for (size_t i = 0; i < o->n_files && !evs_ckpt_status(ck); i++) {
    ofile *f = &o->files[i];
    char name[256];
    snprintf(name, sizeof name, "%s", f->path + skip);
    uint64_t bufsize = f->bufsize;
    ckpt_name(ck, name, sizeof name);
    evs_ckpt_bytes(ck, &bufsize, sizeof bufsize);
    at = ckpt_length(f, name, ck);
    evs_ckpt_bytes(ck, &at, sizeof at);
  }
  return evs_ckpt_status(ck);
}

/* Removes the files the part of run.log after byte at lists ("output:
 * NAME"): files a run opened after its checkpoint, which the resumed run
 * opens again, or not. */
static void remove_after(const char *dir, const char *log, int64_t at) {
  FILE *f = fopen(log, "r");
  char *line = NULL;
  size_t cap = 0;
  if (!f) return;
  if (fseeko(f, (off_t)at, SEEK_SET) == 0)
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
}

/* Opens file dir/name again, as NAME.part (a finished NAME is renamed
 * back), cut to its length at the checkpoint (at bytes), positioned at its
 * end, with a stdio buffer of bufsize bytes. The log's lines after at are
 * read first (remove_after). EVS_OK or ck failed. */
static int ofile_reopen(ofile *f, const char *dir, const char *name,
                        size_t bufsize, int64_t at, int is_log, evs_ckpt *ck) {
  memset(f, 0, sizeof *f);
  f->path = evs__output_join(dir, name, "");
  f->part = evs__output_join(dir, name, ".part");
  if (!f->path || !f->part)
    return evs__ckpt_fail(ck, EVS_ENOMEM, "out of memory opening %s", name);
  struct stat st;
  if (lstat(f->part, &st) != 0 && errno == ENOENT && lstat(f->path, &st) == 0 &&
      S_ISREG(st.st_mode) && rename(f->path, f->part) != 0)
    return evs__ckpt_fail(ck, EVS_EIO, "%s: %s", f->path, strerror(errno));
  int fd = open(f->part, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return evs__ckpt_fail(ck, EVS_EINVAL,
                          "%s: %s (the run's output at the checkpoint is "
                          "needed to resume it)",
                          f->path, strerror(errno));
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < at) {
    close(fd);
    return evs__ckpt_fail(ck, EVS_EINVAL,
                          "%s: %lld bytes, shorter than the %lld it had at "
                          "the checkpoint: not this run's output",
                          f->path, (long long)st.st_size, (long long)at);
  }
  if (is_log) remove_after(dir, f->part, at);
  if (ftruncate(fd, (off_t)at) != 0 || lseek(fd, 0, SEEK_END) != at ||
      !(f->f = fdopen(fd, "w"))) {
    int e = errno;
    close(fd);
    return evs__ckpt_fail(ck, EVS_EIO, "%s: %s", f->part, strerror(e));
  }
  f->written = 1;
  f->bufsize = bufsize;
  if (bufsize) {
    f->buf = malloc(bufsize);
    if (f->buf && setvbuf(f->f, f->buf, _IOFBF, bufsize) != 0) {
      free(f->buf);
      f->buf = NULL;
    }
  }
  return EVS_OK;
}

/* Checks that dir/name (or its part) is a regular file of at least at
 * bytes, before anything is changed. EVS_OK or ck failed. */
static int resume_check(const char *dir, const char *name, int64_t at,
                        evs_ckpt *ck) {
  char *path = evs__output_join(dir, name, ""),
       *part = evs__output_join(dir, name, ".part");
  struct stat st;
  int rc = EVS_OK;
  if (!path || !part)
    rc = evs__ckpt_fail(ck, EVS_ENOMEM, "out of memory");
  else if (lstat(part, &st) != 0 && lstat(path, &st) != 0)
    rc = evs__ckpt_fail(ck, EVS_EINVAL,
                        "%s: %s (the run's output at the checkpoint is "
                        "needed to resume it)",
                        path, strerror(errno));
  else if (!S_ISREG(st.st_mode) || st.st_size < at)
    rc = evs__ckpt_fail(ck, EVS_EINVAL,
                        "%s: %lld bytes, shorter than the %lld it had at "
                        "the checkpoint: not this run's output",
                        path, (long long)st.st_size, (long long)at);
  free(path);
  free(part);
  return rc;
}

/* Closes the files of a resume that failed, leaving them on disk. */
static void resume_abandon(evs_output *o) {
  for (size_t i = 0; i < o->n_files; i++) o->files[i].written = 0;
  o->log.written = 0;
  evs__output_discard(o);
}

int evs__output_resume(evs_output **out, evs_ckpt *ck, const char *dir,
                       const char *model_name, uint64_t seed, double t) {
  uint32_t has = 0;
  int64_t at = 0;
  uint64_t n = 0;
  *out = NULL;
  evs_ckpt_label(ck, "outputs");
  evs_ckpt_bytes(ck, &has, sizeof has);
  if (evs_ckpt_status(ck)) return evs_ckpt_status(ck);
  if (has == 2 && dir) { /* a rank's that writes nothing */
    evs_error e;
    evs_ckpt_bytes(ck, &n, sizeof n);
    if (evs_ckpt_status(ck)) return evs_ckpt_status(ck);
    if (n > 1u << 20)
      return evs_ckpt_refuse(ck, "a corrupt checkpoint: its output files");
    if (evs__output_open_silent(out, model_name, &e))
      return evs__ckpt_fail(ck, EVS_ENOMEM, "out of memory");
    evs_output *o = *out;
    if (!(o->files = calloc(n ? n : 1, sizeof *o->files))) {
      evs__output_discard(o);
      *out = NULL;
      return evs__ckpt_fail(ck, EVS_ENOMEM, "out of memory");
    }
    o->n_files = o->cap_files = (size_t)n;
    if (!n) o->cap_files = 1;
    return EVS_OK;
  }
  if (has != (dir != NULL))
    return evs_ckpt_refuse(ck, has ? "the checkpoint's run wrote output files: "
                                     "the resumed run needs their folder"
                                   : "the checkpoint's run wrote no output");
  if (!has) return EVS_OK;
  evs_ckpt_bytes(ck, &at, sizeof at);
  evs_ckpt_bytes(ck, &n, sizeof n);
  if (evs_ckpt_status(ck)) return evs_ckpt_status(ck);
  if (n > 1u << 20)
    return evs_ckpt_refuse(ck, "a corrupt checkpoint: its output files");
  evs_output *o = calloc(1, sizeof *o);
  if (!o || !(o->dir = strdup(dir)) ||
      !(o->files = calloc(n ? n : 1, sizeof *o->files))) {
    if (o) free(o->dir);
    free(o);
    return evs__ckpt_fail(ck, EVS_ENOMEM, "out of memory");
  }
  o->cap_files = n ? n : 1;
  snprintf(o->model, sizeof o->model, "%s",
           model_name && *model_name ? model_name : "unnamed");
  /* every file is checked before any is touched */
  char(*names)[256] = calloc(n ? n : 1, sizeof *names);
  uint64_t *bufsize = calloc(n ? n : 1, sizeof *bufsize);
  int64_t *len = calloc(n ? n : 1, sizeof *len);
  if (!names || !bufsize || !len) {
    evs__ckpt_fail(ck, EVS_ENOMEM, "out of memory");
    goto fail;
  }
  resume_check(dir, "run.log", at, ck);
  for (uint64_t i = 0; i < n && !evs_ckpt_status(ck); i++) {
    ckpt_name(ck, names[i], sizeof names[i]);
    evs_ckpt_bytes(ck, &bufsize[i], sizeof bufsize[i]);
    evs_ckpt_bytes(ck, &len[i], sizeof len[i]);
    if (evs_ckpt_status(ck)) break;
    if (bufsize[i] > RASTER_BUF || len[i] < 0)
      evs_ckpt_refuse(ck, "a corrupt checkpoint: output file %s", names[i]);
    else
      resume_check(dir, names[i], len[i], ck);
  }
  if (!evs_ckpt_status(ck)) ofile_reopen(&o->log, dir, "run.log", 0, at, 1, ck);
  for (uint64_t i = 0; i < n && !evs_ckpt_status(ck); i++) {
    o->n_files++;
    ofile_reopen(&o->files[i], dir, names[i], (size_t)bufsize[i], len[i], 0,
                 ck);
  }
  if (evs_ckpt_status(ck)) goto fail;
  free(names);
  free(bufsize);
  free(len);
  /* the summary is written at the end, anew */
  for (int part = 0; part < 2; part++) {
    char *path = evs__output_join(dir, "summary.tsv", part ? ".part" : "");
    if (path) unlink(path);
    free(path);
  }
  char date[64] = "unknown";
  time_t now = time(NULL);
  struct tm tm;
  if (now != (time_t)-1 && localtime_r(&now, &tm))
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %z", &tm);
  evs__ofile_printf(&o->log,
                    "resumed: from the checkpoint at t = %.9g s, seed "
                    "%llu, on %s\n",
                    t, (unsigned long long)seed, date);
  o->wall0 = o->wall_logged = evs__wall_clock();
  o->keep = 1; /* the checkpoint needs the files, whatever happens next */
  *out = o;
  return EVS_OK;
fail:
  free(names);
  free(bufsize);
  free(len);
  resume_abandon(o);
  return evs_ckpt_status(ck);
}
