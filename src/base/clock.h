/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the wall clock every part of the library reads (the
 * build's and the run's times, run.log's progress lines, the progress line
 * on stderr, periodic checkpoints). Not installed. */
#ifndef EVSNN_BASE_CLOCK_H
#define EVSNN_BASE_CLOCK_H

/* Seconds on the monotonic clock (CLOCK_MONOTONIC): only differences
 * mean anything. */
double evs__wall_clock(void);

#endif
