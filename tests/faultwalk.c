/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The fault-injection walk (issue 15, item 4): loads and runs a model with
 * output, failing the k-th allocation (or the k-th file operation) of the
 * library, for k = 1, 2, ... until a run no longer reaches a k-th call.
 *
 *   faultwalk [-k alloc|io] [-s SAMPLES] [-t SECONDS]
 *             [-c T -p save|resume] MODEL OUTDIR [SECTION.KEY=VALUE]...
 *
 * The library's calls are diverted at link time (-Wl,--wrap=..., see
 * Makefile.am): allocations (malloc, calloc, realloc, aligned_alloc,
 * strdup, getline) and file operations (fopen, fdopen, open, fwrite, fputs,
 * fputc, fprintf, vfprintf, fflush, fclose, rename). Only the k-th call of
 * the kind walked fails, once, with what the C library reports for such a
 * failure (NULL and ENOMEM; -1, EOF or 0 and ENOSPC, EMFILE or EIO). Each k
 * runs in a child process, so that a crash, an abort or a hang (-t, 60 s)
 * is seen as such. The walk first makes a reference run without a fault
 * (it counts the calls), then checks for every k:
 *   - the run ended: a clean error (a negative status with a message), or
 *     success (the fault was absorbed, e.g. stdio's own buffer for a
 *     failed setvbuf buffer);
 *   - nothing leaked: every block the library allocated is freed by
 *     evs_model_free (the wrappers track the live blocks), and no file
 *     descriptor stays open;
 *   - after an error, OUTDIR holds no file under its final name (only
 *     NAME.part, or nothing): a failed run never looks complete;
 *   - after a success, OUTDIR holds exactly the reference's files, byte for
 *     byte (run.log but for its start date and wall times): no silent wrong
 *     result.
 * -n K walks k = K only (to look at a finding). -s N walks at most N
 * values of k: 1 to 48, the last 16, and evenly spaced
 * ones between (make check; N < 64: the first N/2, the last N/4, and N/4
 * evenly spaced between);
 * without it every k (make faultcheck).
 *
 * Checkpoints (-c T): the walked run stops at T with a checkpoint and
 * completes its files up to T, as evsnn run --until T does (-p save), or
 * resumes from that checkpoint to the model's duration, as evsnn resume
 * does (-p resume; each k starts from a fresh copy of a checkpointed
 * folder). The walk also runs the model uninterrupted (no fault), and
 * checks besides the above:
 *   - save: after a success the folder is the reference's (the
 *     checkpoint's own bytes aside: they hold wall times); after an error a
 *     file under its final name is the reference's (a stop at T that could
 *     not be saved still completes the files up to T, as the program does),
 *     never a checkpoint.evsnn.tmp; and whenever a checkpoint.evsnn is
 *     there, resuming it (without a fault) must give the uninterrupted
 *     run's files byte for byte;
 *   - resume: after a success the files are the uninterrupted run's byte for
 *     byte; after an error, resuming again (without a fault) must give them:
 *     a failed resume loses nothing.
 * With -s N half the samples are spread over the calls made while writing
 * (save) or loading (resume) the checkpoint, the other half over the run as
 * above. Prints a line per finding and a summary; exit status 0 when
 * nothing was found, 1 on a finding, 2 on a usage error. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

#include "faultwalk.h"

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n - 1; /* opendir's own */
}

/* Compares folder dir with the reference; a difference goes into why. */
static int same_as_reference(const walk *w, const char *dir, char *why,
                             size_t len) {
  return same_folder(w->ref, dir, 0, why, len);
}

/* Loads and runs the model into dir with the k-th call failing (k = 0:
 * none) and fills o. */
static void run_once(const walk *w, unsigned long k, const char *dir,
                     outcome *o) {
  memset(o, 0, sizeof *o);
  if (w->phase == PHASE_RESUME && copy_folder(w->tmpl, dir) != 0) {
    snprintf(o->finding, sizeof o->finding, "cannot copy %s to %s: %s", w->tmpl,
             dir, strerror(errno));
    return;
  }
  int fds = count_fds();
  evs_error err;
  evs_error_clear(&err);
  armed_kind = w->kind;
  fail_at = k;
  int rc = run_model(w, w->phase, dir, &o->win_lo, &o->win_hi, &err);
  armed_kind = KIND_NONE;
  o->status = rc;
  o->hit = hit;
  o->calls = calls;
  char *why = o->finding;
  size_t len = sizeof o->finding;
  int ok = rc == EVS_OK || rc == EVS_ESTOPPED;
  if (live_overflow)
    snprintf(why, len, "more live blocks than the walk can track");
  else if (n_live)
    snprintf(why, len, "%zu blocks leaked (status %s: %s)", n_live,
             evs_errname(rc), err.msg);
  else if (count_fds() != fds)
    snprintf(why, len, "%d file descriptors leaked (status %s: %s)",
             count_fds() - fds, evs_errname(rc), err.msg);
  else if (!ok && !err.msg[0])
    snprintf(why, len, "status %s without a message", evs_errname(rc));
  else if (!ok && rc >= 0)
    snprintf(why, len, "a failed run returned status %d", rc);
  else if (w->phase != PHASE_RUN && k)
    check_checkpointed(w, dir, rc, why, len);
  else if (!ok && w->phase == PHASE_RUN)
    final_files_left(dir, why, len);
  else if (k && w->phase == PHASE_RUN)
    same_as_reference(w, dir, why, len); /* a difference goes into why */
  if (o->finding[0] && !ok) {
    size_t n = strlen(o->finding);
    snprintf(o->finding + n, len - n, " [%s: %s]", evs_errname(rc), err.msg);
  }
}

/* Runs run_once in a child; returns 0 with *o filled, or -1 with the
 * finding (crash, hang, abort) in o->finding. */
static int run_child(const walk *w, unsigned long k, const char *dir,
                     outcome *o) {
  int pfd[2];
  if (pipe(pfd) != 0) return perror("faultwalk: pipe"), exit(2), -1;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return perror("faultwalk: fork"), exit(2), -1;
  if (pid == 0) {
    close(pfd[0]);
    alarm(w->timeout);
    int null = __real_open("/dev/null", O_WRONLY);
    if (null >= 0) { /* the library's progress and notes: not ours */
      dup2(null, STDERR_FILENO);
      close(null);
    }
    outcome r;
    run_once(w, k, dir, &r);
    ssize_t n = write(pfd[1], &r, sizeof r);
    _exit(n == (ssize_t)sizeof r ? 0 : 3);
  }
  close(pfd[1]);
  memset(o, 0, sizeof *o);
  ssize_t got = read(pfd[0], o, sizeof *o);
  close(pfd[0]);
  int ws = 0;
  waitpid(pid, &ws, 0);
  if (WIFSIGNALED(ws)) {
    int sig = WTERMSIG(ws);
    snprintf(o->finding, sizeof o->finding, "%s (signal %d)",
             sig == SIGALRM ? "hang: no end within the time limit"
                            : strsignal(sig),
             sig);
    return -1;
  }
  if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || got != (ssize_t)sizeof *o) {
    snprintf(o->finding, sizeof o->finding, "the child exited with status %d",
             WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
    return -1;
  }
  return 0;
}

static int usage(void) {
  fputs("usage: faultwalk [-k alloc|io] [-s SAMPLES | -n K] [-t SECONDS] "
        "[-c T -p save|resume] MODEL OUTDIR [SECTION.KEY=VALUE]...\n",
        stderr);
  return 2;
}

int main(int argc, char **argv) {
  walk w = {.kind = KIND_ALLOC, .timeout = 60, .phase = PHASE_RUN};
  unsigned long samples = 0, only = 0;
  int c;
  char *end;
  while ((c = getopt(argc, argv, "k:s:n:t:c:p:")) != -1) {
    switch (c) {
    case 'k':
      if (!strcmp(optarg, "alloc"))
        w.kind = KIND_ALLOC;
      else if (!strcmp(optarg, "io"))
        w.kind = KIND_IO;
      else
        return usage();
      break;
    case 's': samples = strtoul(optarg, NULL, 10); break;
    case 'n': only = strtoul(optarg, NULL, 10); break;
    case 't': w.timeout = (unsigned)strtoul(optarg, NULL, 10); break;
    case 'c':
      w.until = strtod(optarg, &end);
      if (*end || !(w.until > 0)) return usage();
      break;
    case 'p':
      if (!strcmp(optarg, "save"))
        w.phase = PHASE_SAVE;
      else if (!strcmp(optarg, "resume"))
        w.phase = PHASE_RESUME;
      else
        return usage();
      break;
    default: return usage();
    }
  }
  if (argc - optind < 2 || (w.phase == PHASE_RUN) != (w.until == 0))
    return usage();
  w.model = argv[optind];
  const char *out = argv[optind + 1];
  w.sets = (const char **)(argv + optind + 2);
  w.n_sets = (size_t)(argc - optind - 2);
  const char *kind = w.kind == KIND_ALLOC ? "alloc" : "io";
  const char *phase = w.phase == PHASE_SAVE     ? ", saving a checkpoint"
                      : w.phase == PHASE_RESUME ? ", resuming a checkpoint"
                                                : "";

  char ref[4096], work[4096], full[4096], tmpl[4096];
  snprintf(ref, sizeof ref, "%s/reference", out);
  snprintf(work, sizeof work, "%s/faulted", out);
  snprintf(full, sizeof full, "%s/uninterrupted", out);
  snprintf(tmpl, sizeof tmpl, "%s/checkpointed", out);
  w.ref = ref;
  w.work = work;
  w.full = full;
  w.tmpl = tmpl;
  rm_rf(ref);
  rm_rf(work);
  rm_rf(full);
  rm_rf(tmpl);
  outcome o;
  if (w.phase != PHASE_RUN) { /* the runs the walk compares with */
    walk prep = w;
    prep.phase = PHASE_RUN;
    int bad = run_child(&prep, 0, full, &o) != 0 || o.finding[0] ||
              (o.status != EVS_OK && o.status != EVS_ESTOPPED);
    prep.phase = PHASE_SAVE;
    if (!bad && w.phase == PHASE_RESUME)
      bad = run_child(&prep, 0, tmpl, &o) != 0 || o.finding[0] ||
            o.status != EVS_OK;
    if (bad) {
      fprintf(stderr, "faultwalk: %s: a run without a fault failed: %s (%s)\n",
              w.model, o.finding, evs_errname(o.status));
      return 1;
    }
  }
  if (run_child(&w, 0, ref, &o) != 0 || o.finding[0] ||
      (o.status != EVS_OK && o.status != EVS_ESTOPPED)) {
    fprintf(stderr, "faultwalk: %s: the reference run failed: %s (%s)\n",
            w.model, o.finding, evs_errname(o.status));
    return 1;
  }
  unsigned long total = o.calls, lo = o.win_lo, hi = o.win_hi;
  /* with a checkpoint, half the sample goes to the calls that write or
   * load it */
  unsigned long in_win = samples && w.phase != PHASE_RUN ? samples / 2 : 0;
  unsigned long general = samples - in_win;
  unsigned long wstride = in_win && hi > lo ? (hi - lo) / in_win + 1 : 1;
  unsigned long walked = 0, errors = 0, absorbed = 0, findings = 0;
  unsigned long head = 48, tail = 16;
  if (general && general < head + tail) { /* a small sample */
    head = general / 2;
    tail = general / 4;
  }
  unsigned long stride =
      general > head + tail && total > head + tail
          ? (total - head - tail) / (general - head - tail) + 1
      : general ? total + 1
                : 1;
  for (unsigned long k = 1;; k++) {
    int in_sample =
        !(k > head && k + tail <= total && (k - head) % stride != 0) ||
        (in_win && k > lo && k <= hi &&
         ((k - lo - 1) % wstride == 0 || k == hi));
    if (only && k > only) break;
    if ((samples && !in_sample) || (only && k != only)) continue;
    rm_rf(work);
    int r = run_child(&w, k, work, &o);
    if (r == 0 && !o.hit) break; /* the run no longer reaches a k-th call */
    walked++;
    if (o.finding[0]) {
      findings++;
      printf("FINDING %s %s%s k=%lu: %s\n", w.model, kind, phase, k, o.finding);
    } else if (o.status == EVS_OK || o.status == EVS_ESTOPPED) {
      absorbed++;
    } else {
      errors++;
    }
    if (r != 0 && k > total + 8) break; /* crashing past the end */
  }
  rm_rf(work);
  rm_rf(ref);
  rm_rf(full);
  rm_rf(tmpl);
  if (w.phase != PHASE_RUN)
    printf("faultwalk %s %s%s at %g s: %lu calls (%lu of them %s the "
           "checkpoint), %lu walked, %lu clean errors, %lu absorbed "
           "(identical output), %lu findings\n",
           w.model, kind, phase, w.until, total, hi - lo,
           w.phase == PHASE_SAVE ? "writing" : "loading", walked, errors,
           absorbed, findings);
  else
    printf("faultwalk %s %s: %lu calls, %lu walked, %lu clean errors, "
           "%lu absorbed (identical output), %lu findings\n",
           w.model, kind, total, walked, errors, absorbed, findings);
  return findings ? 1 : 0;
}
