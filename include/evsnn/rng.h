/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — counter-based random streams (Philox4x32-10, Random123).
 *
 * A stream is keyed by (seed, population, neuron, purpose): the numbers a
 * neuron draws for one purpose never depend on the order in which neurons are
 * visited or on how many processes run the model. Each stream holds 2^32
 * blocks of four 32-bit outputs. */
#ifndef EVSNN_RNG_H
#define EVSNN_RNG_H

#include <stdint.h>
#include "export.h"

/* What a stream is used for; part of its key. Append only (changing a value
 * changes every result drawn for that purpose). */
typedef enum evs_rng_purpose {
  EVS_RNG_INIT = 1,       /* initial state (v_init, ...) */
  EVS_RNG_CONNECT = 2,    /* which synapses exist */
  EVS_RNG_WEIGHT = 3,     /* synaptic weights */
  EVS_RNG_DELAY = 4,      /* synaptic delays */
  EVS_RNG_INPUT = 5,      /* spike trains of input sources */
  EVS_RNG_PATTERN = 6,    /* frozen patterns, jitter */
  EVS_RNG_FEEDBACK = 7,   /* fixed random feedback matrices (SuperSpike) */
  EVS_RNG_BACKGROUND = 8, /* Poisson background counts (IF_curr_exp_grid) */
  EVS_RNG_CURRENT = 9,    /* noisy current sources: source k uses 9 + 256 k
                             (evsnn/current.h) */
  EVS_RNG_COUNT = 10,     /* numbers of synapses per target (fixed total) */
  EVS_RNG_TEST = 99       /* tests only */
} evs_rng_purpose;

typedef struct evs_rng {
  uint32_t key[2]; /* the seed */
  uint32_t ctr[4]; /* population, neuron, purpose, block index */
  uint32_t buf[4]; /* outputs of the current block */
  int left;        /* unused outputs left in buf */
  int has_spare;   /* a second normal deviate is cached */
  double spare;    /* the cached normal deviate */
} evs_rng;

/* Starts the stream (seed, population, neuron, purpose) at its beginning. */
EVS_API void evs_rng_init(evs_rng *r, uint64_t seed, uint32_t population,
                          uint32_t neuron, uint32_t purpose);

/* Next 32 uniformly distributed bits. */
EVS_API uint32_t evs_rng_u32(evs_rng *r);

/* Next 64 uniformly distributed bits. */
EVS_API uint64_t evs_rng_u64(evs_rng *r);

/* Uniform double in the open interval (0, 1), 53 random bits. */
EVS_API double evs_rng_uniform(evs_rng *r);

/* Uniform integer in [0, n), without modulo bias; n > 0. */
EVS_API uint32_t evs_rng_below(evs_rng *r, uint32_t n);

/* Standard normal deviate (mean 0, sd 1). */
EVS_API double evs_rng_normal(evs_rng *r);

/* Exponential deviate with mean 1. */
EVS_API double evs_rng_exponential(evs_rng *r);

/* Poisson deviate with the given mean (>= 0); exact for any mean. */
EVS_API uint32_t evs_rng_poisson(evs_rng *r, double mean);

#endif
