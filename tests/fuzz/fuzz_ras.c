/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — libFuzzer harness of the .ras spike-file reader (evs__ras_read,
 * source.c), as SpikeSourceArray and SuperSpike's targets use it.
 *
 * Input: a .ras file. A first line "# SIZE PERIOD" (a comment to the
 * reader) sets the population size and the period in s; otherwise 1000
 * neurons and no period (the size only bounds ids: nothing is allocated
 * per neuron). Checked beyond the sanitizers: a success returns spikes
 * sorted by (time, id), with finite times >= 0 (before the period when
 * there is one) and ids < size; an error returns no spikes and a message. */
#include <math.h>

#include "neurons/types.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_scratch_init("ras");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char head[128];
  unsigned long n_neurons = 1000;
  double period = 0;
  fuzz_first_line(data, size, head, sizeof head);
  if (sscanf(head, "# %lu %lf", &n_neurons, &period) != 2 ||
      n_neurons > UINT32_MAX || !(period >= 0) || !isfinite(period)) {
    /* the callers pass a population size and a finite period >= 0 */
    n_neurons = 1000;
    period = 0;
  }
  const char *path = fuzz_scratch_write(data, size);
  evs_spike *spk = (evs_spike *)1;
  size_t n = 1;
  evs_error err;
  int rc = evs__ras_read(path, (uint32_t)n_neurons, period, "population P",
                         &spk, &n, &err);
  if (rc != EVS_OK) {
    FUZZ_REQUIRE(rc < 0 && err.code == rc && err.msg[0]);
    FUZZ_REQUIRE(spk == NULL && n == 0);
    return 0;
  }
  FUZZ_REQUIRE(n == 0 || spk != NULL);
  for (size_t k = 0; k < n; k++) {
    FUZZ_REQUIRE(isfinite(spk[k].t) && spk[k].t >= 0);
    FUZZ_REQUIRE(period == 0 || spk[k].t < period);
    FUZZ_REQUIRE(spk[k].id < n_neurons);
    FUZZ_REQUIRE(k == 0 || spk[k - 1].t < spk[k].t ||
                 (spk[k - 1].t == spk[k].t && spk[k - 1].id <= spk[k].id));
  }
  free(spk);
  return 0;
}
