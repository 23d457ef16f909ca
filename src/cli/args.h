/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn's command line: option parsing shared by the commands (args.c).
 *
 * Every command parses its options with getopt_long (so "-oDIR",
 * "--output=DIR", "--output DIR", unambiguous abbreviations such as
 * "--out=DIR", and "--" all work) and reports a usage error the same way:
 * the message, the command's synopsis (its usage text up to the first blank
 * line), a pointer to its --help, and exit status 2. */
#ifndef EVSNN_CLI_ARGS_H
#define EVSNN_CLI_ARGS_H

#include <getopt.h>
#include <stddef.h>

enum { EVS_CLI_OK = 0, EVS_CLI_ERR = 1, EVS_CLI_USAGE = 2 };

/* Prints "evsnn: MESSAGE", the synopsis of usage and "Try 'evsnn[ CMD]
 * --help' ..." on stderr. cmd is the command's name (NULL: evsnn itself).
 * Returns EVS_CLI_USAGE. */
int evs_cli_usage_error(const char *cmd, const char *usage, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

/* The candidate closest to word by edit distance (Damerau: a swap of two
 * neighbours counts 1) when that is close enough to be a likely typo (at
 * most 1 for words up to 4 letters, else 2, and less than word's length),
 * or NULL. A candidate that word is a prefix of wins at distance 0. Costs
 * O(n * |word| * |candidate|). */
const char *evs_cli_nearest(const char *word, const char *const *cands,
                            size_t n);

/* Resets getopt for a new argument vector (a process may parse twice in a
 * test). Call before the first getopt_long of a command. */
void evs_cli_getopt_reset(void);

/* Turns a '?' or ':' from getopt_long (run with opterr = 0 and a ':' first
 * in optstring) into a usage error: an unknown option (with "did you mean"
 * for a mistyped long one), an ambiguous abbreviation, a missing or an
 * unexpected value. argv is the vector given to getopt_long. Returns
 * EVS_CLI_USAGE. */
int evs_cli_bad_option(int c, char **argv, const struct option *longopts,
                       const char *cmd, const char *usage);

#endif
