/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — libFuzzer harness of `evsnn picture` (src/cli/picture.c): the PBM
 * reader (plain P1 and raw P4) and the raster it writes.
 *
 * Input: a picture file. The command runs on it as `evsnn picture IN OUT`
 * with both files scratch files; its standard output goes to /dev/null.
 * Checked beyond the sanitizers: the status is 0 (converted) or 1 (a
 * picture refused with a message), never a usage error. */
#include "fuzz_util.h"
#include "picture.h"

static char out_path[4096];

static void out_remove(void) { unlink(out_path); }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_scratch_init("pbm");
  snprintf(out_path, sizeof out_path, "%s.ras", fuzz_scratch_path);
  atexit(out_remove);
  if (!freopen("/dev/null", "w", stdout)) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *argv[] = {"picture", (char *)fuzz_scratch_write(data, size), out_path,
                  NULL};
  int status = evs_cli_picture(3, argv);
  FUZZ_REQUIRE(status == 0 || status == 1);
  return 0;
}
