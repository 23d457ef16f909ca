/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* frozen_pattern — writes the frozen Poisson pattern that a
 * SpikeSourceFrozenPoisson population draws (src/neurons/source.c), as a .ras
 * file with every time to 17 significant digits, so that a SpikeSourceArray
 * with the same period replays exactly the same spikes (the SuperSpike models
 * ship their inputs this way: a file key that --set can point elsewhere).
 *
 *   tools/frozen_pattern SEED POPULATION SIZE RATE_HZ PERIOD_S > FILE.ras
 *
 * POPULATION is the population's index in its model (the order of the
 * [population] sections, from 0): it keys the Philox streams
 * (seed, population, neuron, EVS_RNG_PATTERN) as the source does. */
#include <stdio.h>
#include <stdlib.h>

#include <evsnn/evsnn.h>

typedef struct spike {
  double t;
  unsigned id;
} spike;

static int by_time_then_id(const void *a, const void *b) {
  const spike *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: frozen_pattern SEED POPULATION SIZE RATE_HZ "
                    "PERIOD_S > FILE.ras\n");
    return 2;
  }
  unsigned long long seed = strtoull(argv[1], NULL, 10);
  unsigned pop = (unsigned)strtoul(argv[2], NULL, 10);
  unsigned n = (unsigned)strtoul(argv[3], NULL, 10);
  double rate = atof(argv[4]), period = atof(argv[5]);
  if (!(rate > 0) || !(period > 0)) {
    fprintf(stderr, "frozen_pattern: RATE_HZ and PERIOD_S must be > 0\n");
    return 2;
  }
  size_t cap = 1024, k = 0;
  spike *s = malloc(cap * sizeof *s);
  for (unsigned i = 0; s && i < n; i++) {
    evs_rng r;
    evs_rng_init(&r, seed, pop, i, EVS_RNG_PATTERN);
    for (double t = evs_rng_exponential(&r) / rate; t < period;
         t += evs_rng_exponential(&r) / rate) {
      if (k == cap) {
        spike *p = realloc(s, 2 * cap * sizeof *s);
        if (!p) break;
        s = p;
        cap *= 2;
      }
      s[k++] = (spike){t, i};
    }
  }
  if (!s) {
    fprintf(stderr, "frozen_pattern: out of memory\n");
    return 1;
  }
  qsort(s, k, sizeof *s, by_time_then_id);
  printf("# frozen Poisson pattern (tools/frozen_pattern %s %s %s %s %s): "
         "%u neurons, %g Hz, period %g s\n# time [s] id\n",
         argv[1], argv[2], argv[3], argv[4], argv[5], n, rate, period);
  for (size_t j = 0; j < k; j++) printf("%.17g %u\n", s[j].t, s[j].id);
  free(s);
  return ferror(stdout) ? 1 : 0;
}
