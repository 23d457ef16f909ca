/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: large arrays on 2 MiB pages. A learning rule walks a
 * projection's weights one per row (the transposed index: doc/zenke2013.md),
 * a random access over the whole array; on 4 KiB pages nearly every access
 * also misses the TLB. Transparent huge pages in the kernel's "madvise"
 * mode back only the ranges advised before their pages are first written,
 * so these functions advise a fresh allocation before anything touches it
 * (realloc does not do: when glibc cannot grow a mapping in place it
 * copies into fresh pages first). Where the kernel has no such pages, or
 * for arrays under 4 MiB, they are plain malloc and realloc. An array that
 * malloc places in memory the process used before keeps the pages it has:
 * glibc maps blocks above its mmap threshold afresh, a threshold that
 * rises with the large blocks freed, up to 32 MiB. */
#ifndef EVSNN_BASE_HUGE_H
#define EVSNN_BASE_HUGE_H

#include <stddef.h>

/* malloc(bytes), its whole 4 KiB pages advised for huge pages when bytes
 * >= 4 MiB. NULL when out of memory; the caller frees it with free(). */
void *evs__huge_alloc(size_t bytes);

/* realloc(old, bytes) for an array of which the first used bytes matter:
 * for bytes >= 4 MiB a new evs__huge_alloc array with those bytes copied,
 * old freed; else realloc. NULL when out of memory, old then untouched.
 * Cost: a copy of used bytes. */
void *evs__huge_realloc(void *old, size_t used, size_t bytes);

#endif
