/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn plot: the text rasters its scripts read (plot_rasters.c). */
#ifndef EVSNN_CLI_PLOT_RASTERS_H
#define EVSNN_CLI_PLOT_RASTERS_H

#include <stddef.h>

/* Finds or makes the .ras text rasters of run folder dir's populations
 * (the names of dir/summary.tsv): the folder's own when it has any;
 * else, for a run written with spike_format = bin or sonata, made from its
 * <population>.spk files or its spikes.h5 in a new temporary folder (under
 * $TMPDIR or /tmp), the same text a ras run writes. The folder that holds
 * them goes into rasdir (cap bytes). Returns 1 (rasters found or made), 0
 * (the run recorded no spikes in any of these forms) or -1 (a file could
 * not be read or written: the message is printed on stderr, and nothing is
 * left behind). */
int evs_cli_plot_rasters(const char *dir, char *rasdir, size_t cap);

/* Removes the temporary folder evs_cli_plot_rasters made (nothing when
 * rasdir is dir itself). */
void evs_cli_plot_rasters_done(const char *dir, const char *rasdir);

#endif
