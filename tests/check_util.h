/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Helpers shared by the Check suites (tests/check_*.c): cheap assertions for
 * tight loops, the suite runner of every main(), and temporary files and
 * folders. Header-only (static functions and macros): each suite includes it
 * and lists it in its *_SOURCES in Makefile.am. */
#ifndef EVSNN_CHECK_UTIL_H
#define EVSNN_CHECK_UTIL_H

#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- cheap assertions -----------------------------------------------------
 * Check's ck_assert* macros record a checkpoint through a pipe on every
 * call, which dominates tight loops; these test first and only call into
 * Check on failure (then they abort the test like ck_assert does).
 *   REQUIRE(c)            c must be true; the message names the line and c.
 *   REQUIRE_MSG(c, ...)   c must be true; the message is printf(...).
 *   REQ_INT(a, op, b)     a op b as intmax_t (each side evaluated once).
 *   REQ_UINT(a, op, b)    a op b as uintmax_t (each side evaluated once). */
#define REQUIRE(c)                                                             \
  do {                                                                         \
    if (!(c)) ck_abort_msg("line %d: %s", __LINE__, #c);                       \
  } while (0)
#define REQUIRE_MSG(c, ...)                                                    \
  do {                                                                         \
    if (!(c)) ck_abort_msg(__VA_ARGS__);                                       \
  } while (0)
#define REQ_INT(a, op, b)                                                      \
  do {                                                                         \
    intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                           \
    if (!(a_ op b_))                                                           \
      ck_abort_msg("line %d: %s %s %s (%jd vs %jd)", __LINE__, #a, #op, #b,    \
                   a_, b_);                                                    \
  } while (0)
#define REQ_UINT(a, op, b)                                                     \
  do {                                                                         \
    uintmax_t a_ = (uintmax_t)(a), b_ = (uintmax_t)(b);                        \
    if (!(a_ op b_))                                                           \
      ck_abort_msg("line %d: %s %s %s (%ju vs %ju)", __LINE__, #a, #op, #b,    \
                   a_, b_);                                                    \
  } while (0)

/* ---- the runner ------------------------------------------------------------
 * Runs every test of suite s (CK_NORMAL output), frees the runner and
 * returns the exit status for main: EXIT_SUCCESS when no test failed, else
 * EXIT_FAILURE. Use as: int main(void) { return tu_run_suite(x_suite()); } */
static inline int tu_run_suite(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- temporary files and folders ----------------------------------------- */

/* The folder for temporary files: $TMPDIR when set and not empty, else
 * /tmp. */
static inline const char *tu_tmp_root(void) {
  const char *dir = getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

/* Creates a fresh folder <tmp root>/<tag>.XXXXXX (mkdtemp) and writes its
 * path into buf (cap bytes). Aborts the test when the path does not fit or
 * the folder cannot be made. The caller removes it (tu_rm_rf). */
static inline void tu_mkdtemp(char *buf, size_t cap, const char *tag) {
  int n = snprintf(buf, cap, "%s/%s.XXXXXX", tu_tmp_root(), tag);
  ck_assert_msg(n > 0 && (size_t)n < cap, "temporary path too long");
  ck_assert_msg(mkdtemp(buf) != NULL, "cannot create %s", buf);
}

/* Writes text to a fresh file <tmp root>/<tag>_XXXXXX (mkstemp) and its path
 * into buf (cap bytes). Aborts the test when the path does not fit or the
 * file cannot be made or written. The caller unlinks it. */
static inline void tu_write_tmp(char *buf, size_t cap, const char *tag,
                                const char *text) {
  int n = snprintf(buf, cap, "%s/%s_XXXXXX", tu_tmp_root(), tag);
  ck_assert_msg(n > 0 && (size_t)n < cap, "temporary path too long");
  int fd = mkstemp(buf);
  ck_assert_msg(fd >= 0, "cannot create %s", buf);
  FILE *f = fdopen(fd, "w");
  ck_assert_msg(f != NULL, "cannot open %s", buf);
  fputs(text, f);
  ck_assert_msg(fclose(f) == 0, "cannot write %s", buf);
}

/* rm -r of path: a file, or a folder tree of files and folders (links are
 * removed, not followed). Returns 0 when path is gone (also when it never
 * existed), -1 when something could not be removed. */
static inline int tu_rm_rf(const char *path) {
  struct stat st;
  int rc = 0;
  if (lstat(path, &st) != 0) return 0;
  if (!S_ISDIR(st.st_mode)) return unlink(path) == 0 ? 0 : -1;
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      char p[1024];
      int n = snprintf(p, sizeof p, "%s/%s", path, e->d_name);
      if (n < 0 || (size_t)n >= sizeof p || tu_rm_rf(p) != 0) rc = -1;
    }
    closedir(d);
  }
  return rmdir(path) == 0 ? rc : -1;
}

/* ---- rasters ---------------------------------------------------------------
 * Reads the "time id" lines of a .ras file (comment lines skipped) into
 * t[] and, unless id is NULL, id[]; fails the test beyond cap lines or on a
 * malformed line. Returns the number read. */
static inline size_t tu_read_raster(const char *path, double *t, unsigned *id,
                                    size_t cap) {
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  char line[256];
  size_t n = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#') continue;
    ck_assert_msg(n < cap, "%s: more than %zu spikes", path, cap);
    unsigned k;
    ck_assert_int_eq(sscanf(line, "%lf %u", &t[n], &k), 2);
    if (id) id[n] = k;
    n++;
  }
  fclose(f);
  return n;
}

#endif
