/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The fault-injection walk's output folders: compared file by file (run.log
 * without the lines that differ between identical runs), copied, removed,
 * all with the C library's own calls. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faultwalk.h"

int ends_with(const char *s, const char *suffix) {
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
    /* a checkpoint line names the folder; a thread's line ends with its
     * wall time waiting (wall_wait_s) */
    int skip = (e - i >= 8 && !strncmp(s + i, "started:", 8)) ||
               (e - i >= 9 && !strncmp(s + i, "stat wall", 9)) ||
               (e - i >= 7 && !strncmp(s + i, "thread ", 7)) ||
               (e - i >= 11 && !strncmp(s + i, "checkpoint:", 11));
    if (!skip) {
      memmove(s + out, s + i, e - i);
      out += e - i;
    }
    i = e;
  }
  return out;
}

/* Compares folder dir with folder ref, leaving out what skip says; a
 * difference goes into why. */
int same_folder(const char *ref, const char *dir, int skip, char *why,
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

/* Names a file of dir under its final name (not NAME.part) in why. */
int final_files_left(const char *dir, char *why, size_t len) {
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

void rm_rf(const char *dir) {
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
int copy_folder(const char *from, const char *to) {
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
