/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: checking the values the library takes (their bounds)
 * and the "why" message convention of the parsers (units.c, dist.c). */
#ifndef EVSNN_BASE_CHECKS_H
#define EVSNN_BASE_CHECKS_H

#include <stddef.h>

#include "evsnn/dist.h"
#include "evsnn/error.h"

/* Writes a printf-formatted message into why[0..whylen), truncated and
 * NUL-terminated; does nothing when why is NULL or whylen is 0. The "why"
 * convention of evs_unit_parse and evs_dist_parse (units.c). */
void evs__unit_say(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* evs_error_set (without a file) and evs_error_key(err, key): an error
 * about the key (a parameter) of the object the caller is building, so the
 * model reader reports it at that key's line. Returns code. */
int evs__error_key_set(evs_error *err, int code, const char *key,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The bounds of the values the library takes, through the C API as from a
 * model file (issue 15): a magnitude above EVS__MAX_MAGNITUDE in SI units
 * (far beyond any physical value; weights stay finite as floats in any
 * internal unit), and a time step or recording interval below
 * EVS__MIN_STEP (NEST's tic: smaller ones make a run endless). */
#define EVS__MAX_MAGNITUDE 1e15
#define EVS__MIN_STEP 1e-6

/* 1 when v is finite and |v| <= EVS__MAX_MAGNITUDE, else 0. */
static inline int evs__value_ok(double v) {
  return v >= -EVS__MAX_MAGNITUDE && v <= EVS__MAX_MAGNITUDE;
}

/* 1 when every parameter of d is within evs__value_ok (a clipped normal's
 * bounds may also be infinite), else 0. */
int evs__dist_ok(const evs_dist *d);

#endif
