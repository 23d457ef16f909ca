/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn picture: the PBM-to-target-raster converter (picture.c). */
#ifndef EVSNN_CLI_PICTURE_H
#define EVSNN_CLI_PICTURE_H

/* Its usage text. */
extern const char evs_cli_usage_picture[];

/* Runs `evsnn picture ARGS` (argv[0] is "picture"). Returns the exit status:
 * 0, 1 (unreadable picture, unwritable output) or 2 (usage). */
int evs_cli_picture(int argc, char **argv);

#endif
