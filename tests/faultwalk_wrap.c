/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The fault-injection walk's wrappers: the library's allocations and file
 * operations, diverted at link time (-Wl,--wrap=..., Makefile.am), count
 * the calls of the kind walked and fail the k-th once, as the C library
 * reports such a failure; allocations are tracked to find leaks. */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "faultwalk.h"

int armed_kind;        /* kind of call counted and failed */
unsigned long calls;   /* calls of armed_kind so far */
unsigned long fail_at; /* the call that fails (0: none) */
int hit;               /* 1 once the fault was injected */
void (*watch_path)(const char *path, int renamed);

/* The counters and the live set below, for a run on several threads (the
 * k-th call is then the k-th in whatever order the threads made them). */
static pthread_mutex_t guard = PTHREAD_MUTEX_INITIALIZER;

/* 1 when this call of kind must fail; with FAULTWALK_WHERE set in the
 * environment, the failing call's stack goes to stderr (to look at a
 * finding: faultwalk -n K, rankfault -n K). */
static int inject(int kind) {
  if (kind != armed_kind) return 0;
  pthread_mutex_lock(&guard);
  int now = ++calls == fail_at;
  pthread_mutex_unlock(&guard);
  if (!now) return 0;
  hit = 1;
  if (getenv("FAULTWALK_WHERE")) {
    void *at[32];
    backtrace_symbols_fd(at, backtrace(at, 32), 2);
  }
  return 1;
}

/* The library's live blocks: an open-addressing set of pointers (linear
 * probing, deletion by backward shift), in static storage so that it does
 * not allocate itself. */
#define LIVE_BITS 20
#define LIVE_CAP (1u << LIVE_BITS)
static void *live[LIVE_CAP];
size_t n_live;
int live_overflow;

static size_t slot_of(const void *p) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> (64 - LIVE_BITS));
}

static void live_add(void *p) {
  if (!p) return;
  pthread_mutex_lock(&guard);
  if (n_live >= LIVE_CAP / 2) {
    live_overflow = 1;
  } else {
    size_t i = slot_of(p);
    while (live[i]) i = (i + 1) & (LIVE_CAP - 1);
    live[i] = p;
    n_live++;
  }
  pthread_mutex_unlock(&guard);
}

/* live_remove with the guard held. */
static void live_remove_locked(void *p) {
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

static void live_remove(void *p) {
  if (!p) return;
  pthread_mutex_lock(&guard);
  live_remove_locked(p);
  pthread_mutex_unlock(&guard);
}

void *__real_calloc(size_t m, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
char *__real_strdup(const char *s);
ssize_t __real_getline(char **line, size_t *cap, FILE *f);
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

FILE *__real_fdopen(int fd, const char *mode);
size_t __real_fwrite(const void *s, size_t size, size_t n, FILE *f);
int __real_fputs(const char *s, FILE *f);
int __real_fputc(int c, FILE *f);
int __real_vfprintf(FILE *f, const char *fmt, va_list ap);
int __real_fflush(FILE *f);
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
  if (watch_path) watch_path(path, 0);
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
  if (watch_path) watch_path(to, 1);
  if (inject(KIND_IO)) return errno = EIO, -1;
  return __real_rename(from, to);
}
