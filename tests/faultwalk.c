/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The fault-injection walk (issue 15, item 4): loads and runs a model with
 * output, failing the k-th allocation (or the k-th file operation) of the
 * library, for k = 1, 2, ... until a run no longer reaches a k-th call.
 *
 *   faultwalk [-k alloc|io] [-s SAMPLES] [-t SECONDS] MODEL OUTDIR
 *             [SECTION.KEY=VALUE]...
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
 * -s N walks at most N values of k: 1 to 48, the last 16, and evenly spaced
 * ones between (make check; N < 64: the first 3/4 N and the last N/4);
 * without it every k (make faultcheck). Prints a
 * line per finding and a summary; exit status 0 when nothing was found, 1
 * on a finding, 2 on a usage error. */
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

typedef struct walk {
  const char *model;
  const char **sets;
  size_t n_sets;
  const char *ref;  /* reference output folder */
  const char *work; /* output folder of the k-th run */
  int kind;
  unsigned timeout;
} walk;

/* What a child tells its parent. */
typedef struct outcome {
  int status;          /* the run's status (EVS_OK, EVS_ESTOPPED, EVS_E*) */
  int hit;             /* the fault was injected */
  unsigned long calls; /* calls of the walked kind */
  char finding[2048];  /* empty: none */
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
    int skip = (e - i >= 8 && !strncmp(s + i, "started:", 8)) ||
               (e - i >= 9 && !strncmp(s + i, "stat wall", 9));
    if (!skip) {
      memmove(s + out, s + i, e - i);
      out += e - i;
    }
    i = e;
  }
  return out;
}

/* Compares folder dir with the reference; a difference goes into why. */
static int same_as_reference(const walk *w, const char *dir, char *why,
                             size_t len) {
  const char *sides[2] = {w->ref, dir};
  for (int side = 0; side < 2; side++) {
    DIR *d = opendir(sides[side]);
    if (!d)
      return snprintf(why, len, "%s: %s", sides[side], strerror(errno)), 0;
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char a[1024], b[1024];
      snprintf(a, sizeof a, "%s/%s", w->ref, e->d_name);
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
        snprintf(why, len, "%s differs from the reference run's%s", e->d_name,
                 side ? " (not in the reference)" : "");
        closedir(d);
        return 0;
      }
    }
    closedir(d);
  }
  return 1;
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

/* Loads and runs the model into dir with the k-th call failing (k = 0:
 * none) and fills o. */
static void run_once(const walk *w, unsigned long k, const char *dir,
                     outcome *o) {
  memset(o, 0, sizeof *o);
  int fds = count_fds();
  evs_model_opts mo = {w->sets, w->n_sets, 0, 0, 0};
  evs_model *m = NULL;
  evs_error err;
  evs_error_clear(&err);
  armed_kind = w->kind;
  fail_at = k;
  int rc = evs_model_load_file(w->model, &mo, &m, &err);
  if (rc == EVS_OK) {
    m->run.outdir = dir;
    m->run.progress = 0;
    rc = evs_net_run(m->net, &m->run, &err);
  }
  evs_model_free(m);
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
  else if (!ok)
    final_files_left(dir, why, len);
  else if (k)
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
  fputs("usage: faultwalk [-k alloc|io] [-s SAMPLES] [-t SECONDS] MODEL "
        "OUTDIR [SECTION.KEY=VALUE]...\n",
        stderr);
  return 2;
}

int main(int argc, char **argv) {
  walk w = {.kind = KIND_ALLOC, .timeout = 60};
  unsigned long samples = 0;
  int c;
  while ((c = getopt(argc, argv, "k:s:t:")) != -1) {
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
    case 't': w.timeout = (unsigned)strtoul(optarg, NULL, 10); break;
    default: return usage();
    }
  }
  if (argc - optind < 2) return usage();
  w.model = argv[optind];
  const char *out = argv[optind + 1];
  w.sets = (const char **)(argv + optind + 2);
  w.n_sets = (size_t)(argc - optind - 2);
  const char *kind = w.kind == KIND_ALLOC ? "alloc" : "io";

  char ref[4096], work[4096];
  snprintf(ref, sizeof ref, "%s/reference", out);
  snprintf(work, sizeof work, "%s/faulted", out);
  w.ref = ref;
  w.work = work;
  rm_rf(ref);
  rm_rf(work);
  outcome o;
  if (run_child(&w, 0, ref, &o) != 0 || o.finding[0] ||
      (o.status != EVS_OK && o.status != EVS_ESTOPPED)) {
    fprintf(stderr, "faultwalk: %s: the reference run failed: %s (%s)\n",
            w.model, o.finding, evs_errname(o.status));
    return 1;
  }
  unsigned long total = o.calls;
  unsigned long walked = 0, errors = 0, absorbed = 0, findings = 0;
  unsigned long head = 48, tail = 16;
  if (samples && samples < head + tail) { /* a small sample: ends only */
    head = samples - samples / 4;
    tail = samples / 4;
  }
  unsigned long stride =
      samples > head + tail && total > head + tail
          ? (total - head - tail) / (samples - head - tail) + 1
      : samples ? total + 1
                : 1;
  for (unsigned long k = 1;; k++) {
    if (samples && k > head && k + tail <= total && (k - head) % stride != 0)
      continue;
    rm_rf(work);
    int r = run_child(&w, k, work, &o);
    if (r == 0 && !o.hit) break; /* the run no longer reaches a k-th call */
    walked++;
    if (o.finding[0]) {
      findings++;
      printf("FINDING %s %s k=%lu: %s\n", w.model, kind, k, o.finding);
    } else if (o.status == EVS_OK || o.status == EVS_ESTOPPED) {
      absorbed++;
    } else {
      errors++;
    }
    if (r != 0 && k > total + 8) break; /* crashing past the end */
  }
  rm_rf(work);
  rm_rf(ref);
  printf("faultwalk %s %s: %lu calls, %lu walked, %lu clean errors, "
         "%lu absorbed (identical output), %lu findings\n",
         w.model, kind, total, walked, errors, absorbed, findings);
  return findings ? 1 : 0;
}
