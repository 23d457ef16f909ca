/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn convert: a binary spike file as .ras text (convert.c). */
#ifndef EVSNN_CLI_CONVERT_H
#define EVSNN_CLI_CONVERT_H

#include <stdio.h>

#include <evsnn/evsnn.h>

/* Its usage text. */
extern const char evs_cli_usage_convert[];

/* Runs `evsnn convert ARGS` (argv[0] is "convert"). Returns the exit
 * status: 0, 1 (an unreadable or malformed spike file, an unwritable
 * output) or 2 (usage). */
int evs_cli_convert(int argc, char **argv);

/* Writes the binary spike file in_path to out as the .ras text a run with
 * spike_format = ras writes (header comments, "%.9f %u" per spike).
 * Returns EVS_OK, or the reader's status with a message naming in_path in
 * err (out may then hold part of the raster). */
int evs_cli_spk_to_ras(const char *in_path, FILE *out, evs_error *err);

#endif
