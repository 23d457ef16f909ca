/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — libFuzzer harness of the edge-list reader (connect = file:
 * evs_csr_build with EVS_CONN_FILE, csr_file.c).
 *
 * Input: an edge list. A first line "# N_PRE N_POST FLAGS" (a comment to
 * the reader) sets the sizes (at most 4096 each: the row arrays are the
 * caller's allocation, not the file's) and FLAGS, a number whose bit 0 is
 * "pre and post are one population" and bit 1 "autapses allowed";
 * otherwise 64 x 64, two populations. Weights and delays a line leaves out
 * come from constant defaults. Checked beyond the sanitizers: a success
 * gives a well-formed CSR (rows cover the synapses, targets < N_POST, no
 * autapse unless allowed, a transpose can be built); an error gives no
 * CSR and a message. */
#include <math.h>

#include "evsnn/csr.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_scratch_init("edges");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char head[128];
  unsigned long n_pre = 64, n_post = 64, flags = 0;
  fuzz_first_line(data, size, head, sizeof head);
  if (sscanf(head, "# %lu %lu %lu", &n_pre, &n_post, &flags) != 3 ||
      n_pre > 4096 || n_post > 4096) {
    n_pre = n_post = 64;
    flags = 0;
  }
  evs_conn_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.kind = EVS_CONN_FILE;
  spec.path = fuzz_scratch_write(data, size);
  spec.same_population = (flags & 1) && n_pre == n_post;
  spec.autapses = (flags & 2) != 0;
  spec.multapses = 1;
  spec.weight = evs_dist_const(1e-9);
  spec.delay = evs_dist_const(1e-3);
  spec.delay_step = 1e-4;
  spec.seed = 1;
  evs_csr *c = (evs_csr *)1;
  evs_error err;
  int rc = evs_csr_build(&c, (uint32_t)n_pre, (uint32_t)n_post, &spec, &err);
  if (rc != EVS_OK) {
    FUZZ_REQUIRE(rc < 0 && err.code == rc && err.msg[0]);
    FUZZ_REQUIRE(c == NULL);
    return 0;
  }
  FUZZ_REQUIRE(c && c->n_pre == n_pre && c->n_post == n_post);
  FUZZ_REQUIRE(c->row_ptr[0] == 0 && c->row_ptr[c->n_pre] == c->nnz);
  for (uint32_t i = 0; i < c->n_pre; i++) {
    FUZZ_REQUIRE(c->row_ptr[i] <= c->row_ptr[i + 1]);
    for (uint64_t q = c->row_ptr[i]; q < c->row_ptr[i + 1]; q++) {
      FUZZ_REQUIRE(c->target[q] < c->n_post);
      FUZZ_REQUIRE(!spec.same_population || spec.autapses || c->target[q] != i);
      FUZZ_REQUIRE(isfinite(evs_csr_weight(c, q)));
    }
  }
  FUZZ_REQUIRE(c->nnz == 0 || c->min_delay <= c->max_delay);
  FUZZ_REQUIRE(evs_csr_build_transpose(c) == EVS_OK);
  FUZZ_REQUIRE(c->post_ptr[c->n_post] == c->nnz);
  evs_csr_free(c);
  return 0;
}
