/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn plot: a run folder's figures through gnuplot (plot.c). */
#ifndef EVSNN_CLI_PLOT_H
#define EVSNN_CLI_PLOT_H

/* Its usage text. */
extern const char evs_cli_usage_plot[];

/* Runs `evsnn plot ARGS` (argv[0] is "plot"). Returns the exit status:
 * 0, 1 (not a run folder, no scripts, gnuplot failed) or 2 (usage). */
int evs_cli_plot(int argc, char **argv);

#endif
