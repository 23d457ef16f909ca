/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the progress line on stderr. */
#include <stdio.h>
#include <string.h>

#include "io/output_impl.h"

static struct {
  unsigned long calls;  /* calls since the last clock reading */
  unsigned long stride; /* calls between clock readings (adaptive) */
  int started;          /* wall clock started */
  int shown;            /* a line is on screen */
  double wall0;         /* s, wall clock at the first call */
  double last;          /* s, wall clock of the last update */
  double checked;       /* s, wall clock of the last reading */
  double t, t_end;      /* s, simulated time of the last call */
} progress;

static void progress_print(double now) {
  double wall = now - progress.wall0;
  double speed = wall > 0 ? progress.t / wall : 0; /* simulated s per s */
  char eta[32] = "";
  if (speed > 0 && progress.t_end > progress.t)
    snprintf(eta, sizeof eta, "  ETA %.0f s",
             (progress.t_end - progress.t) / speed);
  /* a factor >= 1 either way: 0.07x real time reads as fast */
  fprintf(stderr, "\r  t = %.2f / %.2f s  (%.2fx %s than real time)%s   ",
          progress.t, progress.t_end,
          speed >= 1 || speed == 0 ? speed : 1 / speed,
          speed >= 1 || speed == 0 ? "faster" : "slower", eta);
  fflush(stderr);
  progress.shown = 1;
  progress.last = now;
}

void evs__progress(double t, double t_end) {
  progress.t = t;
  progress.t_end = t_end;
  if (!progress.started) {
    progress.started = 1;
    progress.wall0 = progress.last = progress.checked = evs__wall_clock();
    progress.calls = 0;
    progress.stride = 1;
    return;
  }
  /* Read the clock only every `stride` calls; the stride adapts so that
   * readings come every ~10-50 ms whether the caller calls a million times
   * a second or ten times (at most every 1024 calls). */
  if (++progress.calls < progress.stride) return;
  progress.calls = 0;
  double now = evs__wall_clock();
  double gap = now - progress.checked;
  progress.checked = now;
  if (gap < 0.01 && progress.stride < 1024)
    progress.stride *= 2;
  else if (gap > 0.05 && progress.stride > 1)
    progress.stride /= 2;
  if (now - progress.last >= 0.25) progress_print(now);
}

void evs__progress_done(void) {
  if (progress.shown) {
    progress_print(evs__wall_clock());
    fputc('\n', stderr);
    fflush(stderr);
  }
  memset(&progress, 0, sizeof progress);
}
