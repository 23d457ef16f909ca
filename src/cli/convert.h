/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn convert: a binary spike file as .ras text (convert.c). */
#ifndef EVSNN_CLI_CONVERT_H
#define EVSNN_CLI_CONVERT_H

/* Its usage text. */
extern const char evs_cli_usage_convert[];

/* Runs `evsnn convert ARGS` (argv[0] is "convert"). Returns the exit
 * status: 0, 1 (an unreadable or malformed spike file, an unwritable
 * output) or 2 (usage). */
int evs_cli_convert(int argc, char **argv);

#endif
