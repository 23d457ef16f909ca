/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The fault-injection walk (issue 15, item 4): loads and runs a model with
 * output, failing the k-th allocation (or the k-th file operation) of the
 * library, for k = 1, 2, ... until a run no longer reaches a k-th call.
 *
 *   faultwalk [-k alloc|io] [-s SAMPLES] [-t SECONDS]
 *             [-c T -p save|resume] MODEL OUTDIR [SECTION.KEY=VALUE]...
 *
 * The library's calls are diverted at link time (-Wl,--wrap=..., see
 * Makefile.am): allocations (malloc, calloc, realloc, aligned_alloc,
 * strdup, getline) and file operations (fopen, fdopen, open, fwrite, fputs,
 * fputc, fprintf, vfprintf, fflush, fclose, rename). Only the k-th call of
 * the kind walked fails, once, with what the C library reports for such a
 * failure (NULL and ENOMEM; -1, EOF or 0 and ENOSPC, EMFILE or EIO). Each k
 * runs in a child process, so that a crash, an abort or a hang (-t, 60 s)
 * is seen as such. The walk first makes a reference run without a fault
 * (it counts the calls), then checks for every k:
 *   - the run ended: a clean error (a negative status with a message), or
 *     success (the fault was absorbed, e.g. stdio's own buffer for a
 *     failed setvbuf buffer);
 *   - nothing leaked: every block the library allocated is freed by
 *     evs_model_free (the wrappers track the live blocks), and no file
 *     descriptor stays open;
 *   - after an error, OUTDIR holds no file under its final name (only
 *     NAME.part, or nothing): a failed run never looks complete;
 *   - after a success, OUTDIR holds exactly the reference's files, byte for
 *     byte (run.log but for its start date and wall times): no silent wrong
 *     result.
 * -n K walks k = K only (to look at a finding). -s N walks at most N
 * values of k: 1 to 48, the last 16, and evenly spaced
 * ones between (make check; N < 64: the first N/2, the last N/4, and N/4
 * evenly spaced between);
 * without it every k (make faultcheck).
 *
 * Checkpoints (-c T): the walked run stops at T with a checkpoint and
 * completes its files up to T, as evsnn run --until T does (-p save), or
 * resumes from that checkpoint to the model's duration, as evsnn resume
 * does (-p resume; each k starts from a fresh copy of a checkpointed
 * folder). The walk also runs the model uninterrupted (no fault), and
 * checks besides the above:
 *   - save: after a success the folder is the reference's (the
 *     checkpoint's own bytes aside: they hold wall times); after an error a
 *     file under its final name is the reference's (a stop at T that could
 *     not be saved still completes the files up to T, as the program does),
 *     never a checkpoint.evsnn.tmp; and whenever a checkpoint.evsnn is
 *     there, resuming it (without a fault) must give the uninterrupted
 *     run's files byte for byte;
 *   - resume: after a success the files are the uninterrupted run's byte for
 *     byte; after an error, resuming again (without a fault) must give them:
 *     a failed resume loses nothing.
 * With -s N half the samples are spread over the calls made while writing
 * (save) or loading (resume) the checkpoint, the other half over the run as
 * above. Prints a line per finding and a summary; exit status 0 when
 * nothing was found, 1 on a finding, 2 on a usage error. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

/* ---- the wrappers ----------------------------------------------------------
 */

enum { KIND_NONE, KIND_ALLOC, KIND_IO };

static int armed_kind;        /* kind of call counted and failed */
static unsigned long calls;   /* calls of armed_kind so far */
static unsigned long fail_at; /* the call that fails (0: none) */
static int hit;               /* 1 once the fault was injected */

/* 1 when this call of kind must fail. */
static int inject(int kind) {
  if (kind != armed_kind) return 0;
  if (++calls != fail_at) return 0;
  hit = 1;
  return 1;
}

/* The library's live blocks: an open-addressing set of pointers (linear
 * probing, deletion by backward shift), in static storage so that it does
 * not allocate itself. */
#define LIVE_BITS 20
#define LIVE_CAP (1u << LIVE_BITS)
static void *live[LIVE_CAP];
static size_t n_live;
static int live_overflow;

static size_t slot_of(const void *p) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> (64 - LIVE_BITS));
}

static void live_add(void *p) {
  if (!p) return;
  if (n_live >= LIVE_CAP / 2) {
    live_overflow = 1;
    return;
  }
  size_t i = slot_of(p);
  while (live[i]) i = (i + 1) & (LIVE_CAP - 1);
  live[i] = p;
  n_live++;
}

static void live_remove(void *p) {
  if (!p) return;
  size_t i = slot_of(p);
  while (live[i] && live[i] != p) i = (i + 1) & (LIVE_CAP - 1);
  if (!live[i]) return; /* allocated inside the C library: not ours */
  live[i] = NULL;
  n_live--;
  /* shift the following cluster back over the hole */
  for (size_t j = (i + 1) & (LIVE_CAP - 1); live[j];
       j = (j + 1) & (LIVE_CAP - 1)) {
    size_t home = slot_of(live[j]);
    /* move live[j] into the hole i unless its home lies in (i, j] */
    int between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!between) {
      live[i] = live[j];
      live[j] = NULL;
      i = j;
    }
  }
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
char *__real_strdup(const char *s);
ssize_t __real_getline(char **line, size_t *cap, FILE *f);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
char *__wrap_strdup(const char *s);
ssize_t __wrap_getline(char **line, size_t *cap, FILE *f);
void __wrap_free(void *p);

void *__wrap_malloc(size_t n) {
  if (inject(KIND_ALLOC)) return errno = ENOMEM, NULL;
  void *p = __real_malloc(n);
  live_add(p);
  return p;
}

void *__wrap_calloc(size_t m, size_t n) {
  if (inject(KIND_ALLOC)) return errno = ENOMEM, NULL;
  void *p = __real_calloc(m, n);
  live_add(p);
  return p;
}

void *__wrap_realloc(void *p, size_t n) {
  if (inject(KIND_ALLOC)) return errno = ENOMEM, NULL;
  void *q = __real_realloc(p, n);
  if (q || n == 0) live_remove(p);
  live_add(q);
  return q;
}

void *__wrap_aligned_alloc(size_t a, size_t n) {
  if (inject(KIND_ALLOC)) return errno = ENOMEM, NULL;
  void *p = __real_aligned_alloc(a, n);
  live_add(p);
  return p;
}

char *__wrap_strdup(const char *s) {
  if (inject(KIND_ALLOC)) return errno = ENOMEM, NULL;
  char *p = __real_strdup(s);
  live_add(p);
  return p;
}

/* getline allocates its buffer: a failure is ENOMEM and -1, as glibc's. */
ssize_t __wrap_getline(char **line, size_t *cap, FILE *f) {
  if (inject(KIND_ALLOC)) return errno = ENOMEM, -1;
  char *old = *line;
  ssize_t r = __real_getline(line, cap, f);
  if (*line != old) {
    live_remove(old);
    live_add(*line);
  }
  return r;
}

void __wrap_free(void *p) {
  live_remove(p);
  __real_free(p);
}

FILE *__real_fopen(const char *path, const char *mode);
FILE *__real_fdopen(int fd, const char *mode);
int __real_open(const char *path, int flags, ...);
size_t __real_fwrite(const void *s, size_t size, size_t n, FILE *f);
int __real_fputs(const char *s, FILE *f);
int __real_fputc(int c, FILE *f);
int __real_vfprintf(FILE *f, const char *fmt, va_list ap);
int __real_fflush(FILE *f);
int __real_fclose(FILE *f);
int __real_rename(const char *from, const char *to);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__wrap_fdopen(int fd, const char *mode);
int __wrap_open(const char *path, int flags, ...);
size_t __wrap_fwrite(const void *s, size_t size, size_t n, FILE *f);
int __wrap_fputs(const char *s, FILE *f);
int __wrap_fputc(int c, FILE *f);
int __wrap_fprintf(FILE *f, const char *fmt, ...);
int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap);
int __wrap_fflush(FILE *f);
int __wrap_fclose(FILE *f);
int __wrap_rename(const char *from, const char *to);

FILE *__wrap_fopen(const char *path, const char *mode) {
  if (inject(KIND_IO)) return errno = EMFILE, NULL;
  return __real_fopen(path, mode);
}

FILE *__wrap_fdopen(int fd, const char *mode) {
  if (inject(KIND_IO)) return errno = ENOMEM, NULL;
  return __real_fdopen(fd, mode);
}

int __wrap_open(const char *path, int flags, ...) {
  mode_t mode = 0;
  if (flags & O_CREAT) {
    va_list ap;
    va_start(ap, flags);
    mode = (mode_t)va_arg(ap, int);
    va_end(ap);
  }
  if (inject(KIND_IO)) return errno = ENOSPC, -1;
  return __real_open(path, flags, mode);
}

size_t __wrap_fwrite(const void *s, size_t size, size_t n, FILE *f) {
  if (f != stderr && inject(KIND_IO)) return errno = ENOSPC, 0;
  return __real_fwrite(s, size, n, f);
}

int __wrap_fputs(const char *s, FILE *f) {
  if (f != stderr && inject(KIND_IO)) return errno = ENOSPC, EOF;
  return __real_fputs(s, f);
}

int __wrap_fputc(int c, FILE *f) {
  if (f != stderr && inject(KIND_IO)) return errno = ENOSPC, EOF;
  return __real_fputc(c, f);
}

int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap) {
  if (f != stderr && inject(KIND_IO)) return errno = ENOSPC, -1;
  return __real_vfprintf(f, fmt, ap);
}

int __wrap_fprintf(FILE *f, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = __wrap_vfprintf(f, fmt, ap);
  va_end(ap);
  return r;
}

int __wrap_fflush(FILE *f) {
  if (f != stderr && inject(KIND_IO)) return errno = ENOSPC, EOF;
  return __real_fflush(f);
}

/* A failed fclose still closes the stream (C11 7.21.5.1): the data may be
 * lost, the FILE is gone. */
int __wrap_fclose(FILE *f) {
  int fault = inject(KIND_IO);
  int r = __real_fclose(f);
  if (fault) return errno = EIO, EOF;
  return r;
}

int __wrap_rename(const char *from, const char *to) {
  if (inject(KIND_IO)) return errno = EIO, -1;
  return __real_rename(from, to);
}

/* ---- one run (in a child)
 * ---------------------------------------------------- */

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

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n - 1; /* opendir's own */
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

/* Reads path whole into a buffer from the C library's own malloc (the
 * checks run after the library's blocks were counted). */
static char *slurp(const char *path, size_t *len) {
  FILE *f = __real_fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0, got;
  char *s = __real_malloc(cap);
  while (s && (got = fread(s + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) s = __real_realloc(s, cap *= 2);
  }
  __real_fclose(f);
  *len = n;
  return s;
}

/* run.log without the lines that differ between identical runs. */
static size_t strip_log(char *s, size_t n) {
  size_t out = 0;
  for (size_t i = 0; i < n;) {
    size_t e = i;
    while (e < n && s[e] != '\n') e++;
    if (e < n) e++;
    /* a checkpoint line names the folder */
    int skip = (e - i >= 8 && !strncmp(s + i, "started:", 8)) ||
               (e - i >= 9 && !strncmp(s + i, "stat wall", 9)) ||
               (e - i >= 11 && !strncmp(s + i, "checkpoint:", 11));
    if (!skip) {
      memmove(s + out, s + i, e - i);
      out += e - i;
    }
    i = e;
  }
  return out;
}

/* Files the comparisons below leave out. */
enum {
  SKIP_CKPT = 1, /* checkpoint.evsnn (its bytes hold wall times) */
  SKIP_LOG = 2,  /* run.log (a resumed run's says so) */
  SUBSET = 4     /* only dir's files under their final names, each of
                    which must be ref's (ref may have more) */
};

/* Compares folder dir with folder ref, leaving out what skip says; a
 * difference goes into why. */
static int same_folder(const char *ref, const char *dir, int skip, char *why,
                       size_t len) {
  const char *sides[2] = {ref, dir};
  for (int side = skip & SUBSET ? 1 : 0; side < 2; side++) {
    DIR *d = opendir(sides[side]);
    if (!d && (skip & SUBSET) && errno == ENOENT) return 1; /* no file */
    if (!d)
      return snprintf(why, len, "%s: %s", sides[side], strerror(errno)), 0;
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      if (((skip & SKIP_CKPT) && !strcmp(e->d_name, "checkpoint.evsnn")) ||
          ((skip & SKIP_LOG) && !strcmp(e->d_name, "run.log")) ||
          ((skip & SUBSET) && ends_with(e->d_name, ".part")))
        continue;
      char a[1024], b[1024];
      snprintf(a, sizeof a, "%s/%s", ref, e->d_name);
      snprintf(b, sizeof b, "%s/%s", dir, e->d_name);
      size_t na = 0, nb = 0;
      char *sa = slurp(a, &na), *sb = slurp(b, &nb);
      int same = sa && sb;
      if (same && !strcmp(e->d_name, "run.log")) {
        na = strip_log(sa, na);
        nb = strip_log(sb, nb);
      }
      same = same && na == nb && !memcmp(sa, sb, na);
      __real_free(sa);
      __real_free(sb);
      if (!same) {
        snprintf(why, len, "%s differs from %s's%s", e->d_name, ref,
                 !sa   ? " (not there)"
                 : !sb ? " (missing)"
                       : "");
        closedir(d);
        return 0;
      }
    }
    closedir(d);
  }
  return 1;
}

/* Compares folder dir with the reference; a difference goes into why. */
static int same_as_reference(const walk *w, const char *dir, char *why,
                             size_t len) {
  return same_folder(w->ref, dir, 0, why, len);
}

/* Names a file of dir under its final name (not NAME.part) in why. */
static int final_files_left(const char *dir, char *why, size_t len) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  struct dirent *e;
  int found = 0;
  while (!found && (e = readdir(d)))
    if (e->d_name[0] != '.' && !ends_with(e->d_name, ".part")) {
      snprintf(why, len, "the failed run left %s/%s under its final name", dir,
               e->d_name);
      found = 1;
    }
  closedir(d);
  return found;
}

static void rm_rf(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

/* Copies the files of folder from into folder to (created), with the C
 * library's own calls. 0 or -1. */
static int copy_folder(const char *from, const char *to) {
  if (mkdir(to, 0777) != 0 && errno != EEXIST) return -1;
  DIR *d = opendir(from);
  if (!d) return -1;
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/%s", from, e->d_name);
    snprintf(b, sizeof b, "%s/%s", to, e->d_name);
    size_t n = 0;
    char *data = slurp(a, &n);
    int fd = data ? __real_open(b, O_WRONLY | O_CREAT | O_TRUNC, 0666) : -1;
    if (fd < 0 || write(fd, data, n) != (ssize_t)n) rc = -1;
    if (fd >= 0) close(fd);
    __real_free(data);
  }
  closedir(d);
  return rc;
}

/* Loads the model and runs it into dir as phase says (PHASE_RUN: to the
 * end; PHASE_SAVE: to until, then a checkpoint and the files completed up
 * to until, as evsnn run --until; PHASE_RESUME: from dir's checkpoint to the
 * end, as evsnn resume). The calls of the walked kind made while writing or
 * loading the checkpoint go into (*lo, *hi] (either may be NULL). Returns
 * the run's status, with its message in err. */
static int run_model(const walk *w, int phase, const char *dir,
                     unsigned long *lo, unsigned long *hi, evs_error *err) {
  evs_model_opts mo = {w->sets, w->n_sets, 0, 0, 0};
  evs_model *m = NULL;
  unsigned long from = 0, to = 0;
  int rc = evs_model_load_file(w->model, &mo, &m, err);
  if (rc == EVS_OK) {
    m->run.outdir = dir;
    m->run.progress = 0;
    if (phase == PHASE_RUN) {
      rc = evs_net_run(m->net, &m->run, err);
    } else {
      char path[4096];
      snprintf(path, sizeof path, "%s/checkpoint.evsnn", dir);
      rc = evs_net_set_checkpoint(m->net, path, 0, NULL, 0, err);
      from = calls;
      if (rc == EVS_OK && phase == PHASE_RESUME)
        rc = evs_net_resume(m->net, &m->run, err);
      else if (rc == EVS_OK)
        rc = evs_net_start(m->net, &m->run, err);
      to = calls;
      double end = phase == PHASE_SAVE ? w->until : m->run.duration;
      if (rc == EVS_OK) rc = evs_net_run_until(m->net, end, err);
      if (rc == EVS_OK && phase == PHASE_SAVE) {
        from = calls;
        rc = evs_net_checkpoint(m->net, err);
        to = calls;
        if (rc) { /* the files up to until, all the same (main.c) */
          evs_error ignored;
          evs_error_clear(&ignored);
          evs_net_finish(m->net, &ignored);
        }
      }
      if (rc == EVS_OK || rc == EVS_ESTOPPED) rc = evs_net_finish(m->net, err);
    }
  }
  evs_model_free(m);
  if (lo) *lo = from;
  if (hi) *hi = to;
  return rc;
}

/* After a run of phase save or resume into dir that ended with status rc
 * (and no leak): the checks of the header comment; a finding goes into why.
 * Runs without a fault. */
static void check_checkpointed(const walk *w, const char *dir, int rc,
                               char *why, size_t len) {
  int ok = rc == EVS_OK || rc == EVS_ESTOPPED;
  char ckpt[4096];
  struct stat st;
  snprintf(ckpt, sizeof ckpt, "%s/checkpoint.evsnn", dir);
  if (w->phase == PHASE_SAVE) {
    if (!same_folder(w->ref, dir, SKIP_CKPT | (ok ? 0 : SUBSET), why, len))
      return;
    if (ok && stat(ckpt, &st) != 0) {
      snprintf(why, len, "a successful save left no checkpoint.evsnn");
      return;
    }
    if (stat(ckpt, &st) != 0) return; /* nothing saved, nothing to resume */
  } else if (ok) {
    same_folder(w->full, dir, SKIP_CKPT | SKIP_LOG, why, len);
    return;
  }
  /* a checkpoint left by a save, or a failed resume's folder: resuming it
   * must give the uninterrupted run's files */
  evs_error err;
  evs_error_clear(&err);
  int again = run_model(w, PHASE_RESUME, dir, NULL, NULL, &err);
  if (again != EVS_OK && again != EVS_ESTOPPED) {
    snprintf(why, len, "resuming %.200s after %s failed: %s: %.500s", ckpt,
             ok ? "the save" : "this error", evs_errname(again), err.msg);
    return;
  }
  if (!same_folder(w->full, dir, SKIP_CKPT | SKIP_LOG, why, len)) {
    size_t n = strlen(why);
    snprintf(why + n, len - n, " after resuming %.200s", ckpt);
  }
}

/* Loads and runs the model into dir with the k-th call failing (k = 0:
 * none) and fills o. */
static void run_once(const walk *w, unsigned long k, const char *dir,
                     outcome *o) {
  memset(o, 0, sizeof *o);
  if (w->phase == PHASE_RESUME && copy_folder(w->tmpl, dir) != 0) {
    snprintf(o->finding, sizeof o->finding, "cannot copy %s to %s: %s", w->tmpl,
             dir, strerror(errno));
    return;
  }
  int fds = count_fds();
  evs_error err;
  evs_error_clear(&err);
  armed_kind = w->kind;
  fail_at = k;
  int rc = run_model(w, w->phase, dir, &o->win_lo, &o->win_hi, &err);
  armed_kind = KIND_NONE;
  o->status = rc;
  o->hit = hit;
  o->calls = calls;
  char *why = o->finding;
  size_t len = sizeof o->finding;
  int ok = rc == EVS_OK || rc == EVS_ESTOPPED;
  if (live_overflow)
    snprintf(why, len, "more live blocks than the walk can track");
  else if (n_live)
    snprintf(why, len, "%zu blocks leaked (status %s: %s)", n_live,
             evs_errname(rc), err.msg);
  else if (count_fds() != fds)
    snprintf(why, len, "%d file descriptors leaked (status %s: %s)",
             count_fds() - fds, evs_errname(rc), err.msg);
  else if (!ok && !err.msg[0])
    snprintf(why, len, "status %s without a message", evs_errname(rc));
  else if (!ok && rc >= 0)
    snprintf(why, len, "a failed run returned status %d", rc);
  else if (w->phase != PHASE_RUN && k)
    check_checkpointed(w, dir, rc, why, len);
  else if (!ok && w->phase == PHASE_RUN)
    final_files_left(dir, why, len);
  else if (k && w->phase == PHASE_RUN)
    same_as_reference(w, dir, why, len); /* a difference goes into why */
  if (o->finding[0] && !ok) {
    size_t n = strlen(o->finding);
    snprintf(o->finding + n, len - n, " [%s: %s]", evs_errname(rc), err.msg);
  }
}

/* Runs run_once in a child; returns 0 with *o filled, or -1 with the
 * finding (crash, hang, abort) in o->finding. */
static int run_child(const walk *w, unsigned long k, const char *dir,
                     outcome *o) {
  int pfd[2];
  if (pipe(pfd) != 0) return perror("faultwalk: pipe"), exit(2), -1;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return perror("faultwalk: fork"), exit(2), -1;
  if (pid == 0) {
    close(pfd[0]);
    alarm(w->timeout);
    int null = __real_open("/dev/null", O_WRONLY);
    if (null >= 0) { /* the library's progress and notes: not ours */
      dup2(null, STDERR_FILENO);
      close(null);
    }
    outcome r;
    run_once(w, k, dir, &r);
    ssize_t n = write(pfd[1], &r, sizeof r);
    _exit(n == (ssize_t)sizeof r ? 0 : 3);
  }
  close(pfd[1]);
  memset(o, 0, sizeof *o);
  ssize_t got = read(pfd[0], o, sizeof *o);
  close(pfd[0]);
  int ws = 0;
  waitpid(pid, &ws, 0);
  if (WIFSIGNALED(ws)) {
    int sig = WTERMSIG(ws);
    snprintf(o->finding, sizeof o->finding, "%s (signal %d)",
             sig == SIGALRM ? "hang: no end within the time limit"
                            : strsignal(sig),
             sig);
    return -1;
  }
  if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || got != (ssize_t)sizeof *o) {
    snprintf(o->finding, sizeof o->finding, "the child exited with status %d",
             WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
    return -1;
  }
  return 0;
}

static int usage(void) {
  fputs("usage: faultwalk [-k alloc|io] [-s SAMPLES | -n K] [-t SECONDS] "
        "[-c T -p save|resume] MODEL OUTDIR [SECTION.KEY=VALUE]...\n",
        stderr);
  return 2;
}

int main(int argc, char **argv) {
  walk w = {.kind = KIND_ALLOC, .timeout = 60, .phase = PHASE_RUN};
  unsigned long samples = 0, only = 0;
  int c;
  char *end;
  while ((c = getopt(argc, argv, "k:s:n:t:c:p:")) != -1) {
    switch (c) {
    case 'k':
      if (!strcmp(optarg, "alloc"))
        w.kind = KIND_ALLOC;
      else if (!strcmp(optarg, "io"))
        w.kind = KIND_IO;
      else
        return usage();
      break;
    case 's': samples = strtoul(optarg, NULL, 10); break;
    case 'n': only = strtoul(optarg, NULL, 10); break;
    case 't': w.timeout = (unsigned)strtoul(optarg, NULL, 10); break;
    case 'c':
      w.until = strtod(optarg, &end);
      if (*end || !(w.until > 0)) return usage();
      break;
    case 'p':
      if (!strcmp(optarg, "save"))
        w.phase = PHASE_SAVE;
      else if (!strcmp(optarg, "resume"))
        w.phase = PHASE_RESUME;
      else
        return usage();
      break;
    default: return usage();
    }
  }
  if (argc - optind < 2 || (w.phase == PHASE_RUN) != (w.until == 0))
    return usage();
  w.model = argv[optind];
  const char *out = argv[optind + 1];
  w.sets = (const char **)(argv + optind + 2);
  w.n_sets = (size_t)(argc - optind - 2);
  const char *kind = w.kind == KIND_ALLOC ? "alloc" : "io";
  const char *phase = w.phase == PHASE_SAVE     ? ", saving a checkpoint"
                      : w.phase == PHASE_RESUME ? ", resuming a checkpoint"
                                                : "";

  char ref[4096], work[4096], full[4096], tmpl[4096];
  snprintf(ref, sizeof ref, "%s/reference", out);
  snprintf(work, sizeof work, "%s/faulted", out);
  snprintf(full, sizeof full, "%s/uninterrupted", out);
  snprintf(tmpl, sizeof tmpl, "%s/checkpointed", out);
  w.ref = ref;
  w.work = work;
  w.full = full;
  w.tmpl = tmpl;
  rm_rf(ref);
  rm_rf(work);
  rm_rf(full);
  rm_rf(tmpl);
  outcome o;
  if (w.phase != PHASE_RUN) { /* the runs the walk compares with */
    walk prep = w;
    prep.phase = PHASE_RUN;
    int bad = run_child(&prep, 0, full, &o) != 0 || o.finding[0] ||
              (o.status != EVS_OK && o.status != EVS_ESTOPPED);
    prep.phase = PHASE_SAVE;
    if (!bad && w.phase == PHASE_RESUME)
      bad = run_child(&prep, 0, tmpl, &o) != 0 || o.finding[0] ||
            o.status != EVS_OK;
    if (bad) {
      fprintf(stderr, "faultwalk: %s: a run without a fault failed: %s (%s)\n",
              w.model, o.finding, evs_errname(o.status));
      return 1;
    }
  }
  if (run_child(&w, 0, ref, &o) != 0 || o.finding[0] ||
      (o.status != EVS_OK && o.status != EVS_ESTOPPED)) {
    fprintf(stderr, "faultwalk: %s: the reference run failed: %s (%s)\n",
            w.model, o.finding, evs_errname(o.status));
    return 1;
  }
  unsigned long total = o.calls, lo = o.win_lo, hi = o.win_hi;
  /* with a checkpoint, half the sample goes to the calls that write or
   * load it */
  unsigned long in_win = samples && w.phase != PHASE_RUN ? samples / 2 : 0;
  unsigned long general = samples - in_win;
  unsigned long wstride = in_win && hi > lo ? (hi - lo) / in_win + 1 : 1;
  unsigned long walked = 0, errors = 0, absorbed = 0, findings = 0;
  unsigned long head = 48, tail = 16;
  if (general && general < head + tail) { /* a small sample */
    head = general / 2;
    tail = general / 4;
  }
  unsigned long stride =
      general > head + tail && total > head + tail
          ? (total - head - tail) / (general - head - tail) + 1
      : general ? total + 1
                : 1;
  for (unsigned long k = 1;; k++) {
    int in_sample =
        !(k > head && k + tail <= total && (k - head) % stride != 0) ||
        (in_win && k > lo && k <= hi &&
         ((k - lo - 1) % wstride == 0 || k == hi));
    if (only && k > only) break;
    if ((samples && !in_sample) || (only && k != only)) continue;
    rm_rf(work);
    int r = run_child(&w, k, work, &o);
    if (r == 0 && !o.hit) break; /* the run no longer reaches a k-th call */
    walked++;
    if (o.finding[0]) {
      findings++;
      printf("FINDING %s %s%s k=%lu: %s\n", w.model, kind, phase, k, o.finding);
    } else if (o.status == EVS_OK || o.status == EVS_ESTOPPED) {
      absorbed++;
    } else {
      errors++;
    }
    if (r != 0 && k > total + 8) break; /* crashing past the end */
  }
  rm_rf(work);
  rm_rf(ref);
  rm_rf(full);
  rm_rf(tmpl);
  if (w.phase != PHASE_RUN)
    printf("faultwalk %s %s%s at %g s: %lu calls (%lu of them %s the "
           "checkpoint), %lu walked, %lu clean errors, %lu absorbed "
           "(identical output), %lu findings\n",
           w.model, kind, phase, w.until, total, hi - lo,
           w.phase == PHASE_SAVE ? "writing" : "loading", walked, errors,
           absorbed, findings);
  else
    printf("faultwalk %s %s: %lu calls, %lu walked, %lu clean errors, "
           "%lu absorbed (identical output), %lu findings\n",
           w.model, kind, total, walked, errors, absorbed, findings);
  return findings ? 1 : 0;
}
