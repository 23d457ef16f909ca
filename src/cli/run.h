/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn run and evsnn resume: a model run into its folder, with the
 * interruptions, checkpoints and the summary (run.c). */
#ifndef EVSNN_CLI_RUN_H
#define EVSNN_CLI_RUN_H

/* Their usage texts. */
extern const char evs_cli_usage_run[];
extern const char evs_cli_usage_resume[];

/* Runs `evsnn run ARGS` (argv[0] is "run"). Returns the exit status: 0
 * (also a run its rate check stopped), 1 (an error), 2 (usage) or 128 + N
 * (stopped cleanly by signal N). */
int evs_cli_run(int argc, char **argv);

/* Runs `evsnn resume DIR ARGS` (argv[0] is "resume"): the run of DIR from
 * its checkpoint. Returns the exit status as evs_cli_run. */
int evs_cli_resume(int argc, char **argv);

#endif
