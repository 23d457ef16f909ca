/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — exact binomial and hypergeometric deviates, private (the fixed
 * total number builder draws its per-target counts with them). Not
 * installed. */
#ifndef EVSNN_BINOMIAL_H
#define EVSNN_BINOMIAL_H

#include <stdint.h>

#include "evsnn/rng.h"

/* The probability of x successes in n trials of probability p, 0 <= x <= n,
 * 0 < p < 1, with a relative error of about 1e-14 for every n < 2^53
 * (Loader's saddle-point form, as R's dbinom). */
double evs__binomial_pmf(uint64_t x, uint64_t n, double p);

/* A Binomial(n, p) deviate, p in [0, 1] (p outside counts as the nearer
 * bound). Inversion by a search that starts at the mode, so O(1 + standard
 * deviation) work; exact up to the pmf's rounding. n < 2^53. */
uint64_t evs__rng_binomial(evs_rng *r, uint64_t n, double p);

/* A hypergeometric deviate: the successes among `draws` items taken without
 * replacement from `total` items of which `good` are successes (draws, good
 * <= total < 2^53). Same method and cost as evs__rng_binomial. */
uint64_t evs__rng_hypergeometric(evs_rng *r, uint64_t draws, uint64_t good,
                                 uint64_t total);

#endif
