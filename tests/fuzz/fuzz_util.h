/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — libFuzzer harnesses: what they share (tests/fuzz/, make fuzz).
 *
 * The readers of .ras files, edge lists and pictures take a path, so a
 * harness writes each input to one scratch file of its own (in $TMPDIR or
 * /tmp, removed at exit) and hands the reader that path. */
#ifndef EVSNN_FUZZ_UTIL_H
#define EVSNN_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the library's contract that failed: abort, so libFuzzer
 * keeps the input as a crash. */
#define FUZZ_REQUIRE(cond)                                                     \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__,      \
              #cond);                                                          \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static char fuzz_scratch_path[4096];

static inline void fuzz_scratch_remove(void) {
  if (fuzz_scratch_path[0]) unlink(fuzz_scratch_path);
}

/* Creates this process's scratch file (named after tag) once; aborts when
 * it cannot, as no input could be tried. */
static inline void fuzz_scratch_init(const char *tag) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir) dir = "/tmp";
  snprintf(fuzz_scratch_path, sizeof fuzz_scratch_path,
           "%s/evsnn-fuzz-%s-XXXXXX", dir, tag);
  int fd = mkstemp(fuzz_scratch_path);
  if (fd < 0) {
    perror(fuzz_scratch_path);
    abort();
  }
  close(fd);
  atexit(fuzz_scratch_remove);
}

/* Replaces the scratch file's contents with data[0..size). Returns its
 * path; aborts on a write error (the machine's fault, not the input's). */
static inline const char *fuzz_scratch_write(const uint8_t *data, size_t size) {
  FILE *f = fopen(fuzz_scratch_path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
    perror(fuzz_scratch_path);
    abort();
  }
  return fuzz_scratch_path;
}

/* The first line of data (without '\n') as a string in buf. */
static inline void fuzz_first_line(const uint8_t *data, size_t size, char *buf,
                                   size_t cap) {
  size_t n = 0;
  while (n < size && n + 1 < cap && data[n] != '\n') n++;
  memcpy(buf, data, n);
  buf[n] = '\0';
}

#endif
