/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — physical quantities written with units ("20 ms", "-50 mV").
 *
 * All values inside evsnn are SI: seconds, volts, amperes, siemens, farads,
 * hertz. A model file writes a number followed by a unit; the unit must
 * match the dimension the key expects. */
#ifndef EVSNN_UNITS_H
#define EVSNN_UNITS_H

#include <stddef.h>
#include "export.h"

typedef enum evs_dim {
  EVS_DIM_NONE = 0,     /* dimensionless: no unit allowed */
  EVS_DIM_TIME,         /* s, ms, us */
  EVS_DIM_VOLTAGE,      /* V, mV, uV */
  EVS_DIM_CURRENT,      /* A, mA, uA, nA, pA */
  EVS_DIM_CONDUCTANCE,  /* S, mS, uS, nS, pS */
  EVS_DIM_CAPACITANCE,  /* F, uF, nF, pF */
  EVS_DIM_RATE,         /* Hz, kHz, /s, /ms */
  EVS_DIM_VOLTAGE_RATE, /* V/s, mV/ms (the same), mV/s: Izhikevich's u, d */
  EVS_DIM_COUNT_
} evs_dim;

/* Returns a short name of a dimension ("time", "voltage", ...). */
EVS_API const char *evs_dim_name(evs_dim dim);

/* Parses "<number> <unit>" (white space optional, e.g. "20 ms", "-50mV",
 * "1e-3 s", "inf s") into *value in SI units. A dimensioned quantity needs a
 * unit; a dimensionless one must have none. The whole string must be used up
 * (leading/trailing blanks allowed). On error returns EVS_EMODEL and writes a
 * short reason ("unknown unit 'mX'", "expected a time, got a voltage",
 * "malformed number 'x1'") into why[0..whylen). */
EVS_API int evs_unit_parse(const char *text, evs_dim dim, double *value,
                           char *why, size_t whylen);

/* Like evs_unit_parse but parses only a prefix of text: stops after the
 * unit and stores the position of the first unused character in *end. */
EVS_API int evs_unit_parse_prefix(const char *text, evs_dim dim, double *value,
                                  const char **end, char *why, size_t whylen);

#endif
