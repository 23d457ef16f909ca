/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — SIGINT and SIGTERM during a run (doc/manual.md, "Interruption").
 * The first signal asks the run to stop cleanly: the library reads the
 * flag before each event (evs_run_opts.interrupt), writes a checkpoint at
 * the stop and completes every output file. A second signal aborts at
 * once: it removes the run's part files (those run.log.part lists, and
 * run.log.part itself) unless a checkpoint in the folder needs them to
 * resume, then ends the program as the signal's default action does. */
#ifndef EVSNN_CLI_INTERRUPT_H
#define EVSNN_CLI_INTERRUPT_H

#include <signal.h>

/* The first SIGINT or SIGTERM of a run: its number, 0 before one (for
 * evs_run_opts.interrupt). */
extern volatile sig_atomic_t evs_cli_interrupted;

/* Routes SIGINT and SIGTERM to the handler above, for a run whose output
 * folder is outdir (copied; NULL: no folder yet, a second signal removes
 * nothing). Calling it again with the folder once known is allowed. */
void evs_cli_catch_interruptions(const char *outdir);

#endif
