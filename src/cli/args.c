/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn's command line: usage errors, "did you mean", getopt_long's
 * failures (args.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args.h"

int evs_cli_usage_error(const char *cmd, const char *usage, const char *fmt,
                        ...) {
  va_list ap;
  fputs("evsnn: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  /* the synopsis: the usage text up to its first blank line */
  const char *end = strstr(usage, "\n\n");
  size_t n = end ? (size_t)(end - usage) + 1 : strlen(usage);
  fprintf(stderr, "\n%.*sTry 'evsnn%s%s --help' for more information.\n",
          (int)n, usage, cmd ? " " : "", cmd ? cmd : "");
  return EVS_CLI_USAGE;
}

/* Optimal-string-alignment distance of a and b, or max + 1 when it exceeds
 * max (words longer than 63 letters are never close). */
static size_t distance(const char *a, const char *b, size_t max) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return max + 1;
  if ((la > lb ? la - lb : lb - la) > max) return max + 1;
  size_t d[64][64];
  for (size_t i = 0; i <= la; i++) d[i][0] = i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t cost = a[i - 1] != b[j - 1];
      size_t v = d[i - 1][j - 1] + cost;
      if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < v)
        v = d[i - 2][j - 2] + 1;
      d[i][j] = v;
    }
  return d[la][lb];
}

const char *evs_cli_nearest(const char *word, const char *const *cands,
                            size_t n) {
  size_t len = strlen(word);
  if (len == 0) return NULL;
  /* a unique prefix ("ru" for run) */
  const char *pre = NULL;
  size_t npre = 0;
  for (size_t i = 0; i < n; i++)
    if (!strncmp(cands[i], word, len)) pre = cands[i], npre++;
  if (npre == 1) return pre;
  size_t max = len <= 4 ? 1 : 2;
  if (max >= len) max = len - 1;
  const char *best = NULL;
  size_t best_d = max + 1;
  for (size_t i = 0; i < n; i++) {
    size_t d = distance(word, cands[i], max);
    if (d < best_d) best = cands[i], best_d = d;
  }
  return best;
}

void evs_cli_getopt_reset(void) {
  /* glibc reinitialises its state (permutation included) for optind 0 */
  optind = 0;
  opterr = 0;
}

int evs_cli_bad_option(int c, char **argv, const struct option *longopts,
                       const char *cmd, const char *usage) {
  const char *arg = optind > 0 ? argv[optind - 1] : "";
  int is_long = arg[0] == '-' && arg[1] == '-';
  if (!is_long) {
    if (c == ':')
      return evs_cli_usage_error(cmd, usage, "option '-%c' needs a value",
                                 optopt);
    return evs_cli_usage_error(cmd, usage, "unknown option '-%c'", optopt);
  }
  /* the name of a long option, without "--" and "=VALUE" */
  char name[64];
  snprintf(name, sizeof name, "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
  if (c == ':')
    return evs_cli_usage_error(cmd, usage, "option '%s' needs a value", arg);
  if (optopt != 0) /* "--quiet=1" */
    return evs_cli_usage_error(cmd, usage, "option '--%s' takes no value",
                               name);
  const char *names[32];
  size_t n = 0, nmatch = 0;
  char matches[256] = "";
  for (const struct option *o = longopts; o->name && n < 32; o++) {
    names[n++] = o->name;
    if (!strncmp(o->name, name, strlen(name))) {
      size_t used = strlen(matches);
      snprintf(matches + used, sizeof matches - used, "%s--%s",
               nmatch++ ? ", " : "", o->name);
    }
  }
  if (nmatch > 1)
    return evs_cli_usage_error(cmd, usage, "option '--%s' is ambiguous (%s)",
                               name, matches);
  const char *near = evs_cli_nearest(name, names, n);
  if (near)
    return evs_cli_usage_error(
        cmd, usage, "unknown option '--%s'; did you mean '--%s'?", name, near);
  return evs_cli_usage_error(cmd, usage, "unknown option '--%s'", name);
}
