/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — large arrays on 2 MiB pages (huge.h). */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "base/huge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_MIN ((size_t)4 << 20) /* smaller arrays: plain pages */

/* Asks the kernel for huge pages under the whole 4 KiB pages of [p, p +
 * bytes); a no-op where MADV_HUGEPAGE is unknown. */
static void advise(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
  uintptr_t e = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;
  if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

void *evs__huge_alloc(size_t bytes) {
  void *p = malloc(bytes);
  if (p && bytes >= HUGE_MIN) advise(p, bytes);
  return p;
}

void *evs__huge_realloc(void *old, size_t used, size_t bytes) {
  if (bytes < HUGE_MIN) return realloc(old, bytes);
  void *p = evs__huge_alloc(bytes);
  if (!p) return NULL;
  if (old) memcpy(p, old, used < bytes ? used : bytes);
  free(old);
  return p;
}
