/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — SIGINT and SIGTERM during a run (interrupt.h). The second
 * signal's clean-up runs in the signal handler, so it uses only
 * async-signal-safe calls (open, read, close, unlink, access, raise,
 * signal; gettid and tgkill through syscall) on buffers set up before the
 * run. */
#define _GNU_SOURCE /* syscall */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "interrupt.h"

volatile sig_atomic_t evs_cli_interrupted;

/* The run's output folder, set before the run (empty: none). */
static char folder[PATH_MAX];

/* folder/name + suffix into path (PATH_MAX); 0 when it does not fit. */
static int join(char *path, const char *name, size_t n, const char *suffix) {
  size_t d = strlen(folder), s = strlen(suffix);
  if (d + 1 + n + s + 1 > PATH_MAX) return 0;
  memcpy(path, folder, d);
  path[d] = '/';
  memcpy(path + d + 1, name, n);
  memcpy(path + d + 1 + n, suffix, s + 1);
  return 1;
}

/* Removes NAME.part, and NAME if the run had renamed it already, for a
 * line "output: NAME" of run.log.part (plain names only, as the library
 * writes them: the files of this run). */
static void remove_listed(const char *line, size_t n) {
  static const char tag[] = "output: ";
  char path[PATH_MAX];
  if (n <= sizeof tag - 1 || memcmp(line, tag, sizeof tag - 1) != 0) return;
  line += sizeof tag - 1;
  n -= sizeof tag - 1;
  if (memchr(line, '/', n) || memchr(line, '\0', n) ||
      (n == 1 && line[0] == '.') || (n == 2 && !memcmp(line, "..", 2)))
    return;
  if (join(path, line, n, ".part")) unlink(path);
  if (join(path, line, n, "")) unlink(path);
}

/* Removes the run's part files: checkpoint.evsnn.tmp, each file that
 * run.log.part lists, then run.log.part; unless a whole checkpoint
 * (checkpoint.evsnn) is there: resuming it needs the files, so they stay.
 * (Once the run has renamed run.log.part, its files are complete and
 * nothing is removed.) */
static void remove_parts(void) {
  char path[PATH_MAX], buf[4096], line[1024];
  size_t len = 0;
  int overlong = 0;
  if (!folder[0]) return;
  if (join(path, "checkpoint.evsnn", 16, ".tmp")) unlink(path);
  if (!join(path, "checkpoint.evsnn", 16, "") || access(path, F_OK) == 0)
    return;
  if (!join(path, "run.log", 7, ".part")) return;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t got;
  while ((got = read(fd, buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < got; i++) {
      if (buf[i] == '\n') {
        if (!overlong) remove_listed(line, len);
        len = 0;
        overlong = 0;
      } else if (len < sizeof line) {
        line[len++] = buf[i];
      } else {
        overlong = 1;
      }
    }
  close(fd);
  unlink(path);
}

/* The first signal asks the run to stop cleanly; a second one removes the
 * parts and ends the program as the signal's default action. Both are
 * handled on the main thread, the one that creates the files: a signal
 * that lands on another thread (OpenBLAS's, the run's workers) is sent on
 * to it. Handled there, the second signal waits for the first's handler,
 * and the run cannot create a file (checkpoint.evsnn.tmp at the stop)
 * while the parts are being removed, as it could when the two ran on two
 * threads at once. */
static void on_signal(int sig) {
  int saved = errno;
  if (syscall(SYS_gettid) != getpid()) {
    syscall(SYS_tgkill, getpid(), getpid(), sig);
    errno = saved;
    return;
  }
  if (evs_cli_interrupted) {
    remove_parts();
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  evs_cli_interrupted = sig;
  errno = saved;
}

void evs_cli_catch_interruptions(const char *outdir) {
  struct sigaction sa;
  size_t n = outdir ? strlen(outdir) : 0;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  /* a write the signal lands in is restarted, not failed with EINTR (the
   * run must end cleanly, not with an output error) */
  sa.sa_flags = SA_RESTART;
  sigfillset(&sa.sa_mask); /* the folder is read by one handler at a time */
  /* the folder is set with the signals held, so a handler never reads a
   * half-copied name */
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  if (n < sizeof folder) {
    memcpy(folder, outdir ? outdir : "", n);
    folder[n] = '\0';
  } else {
    folder[0] = '\0'; /* too long to name: nothing is removed */
  }
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);
}
