/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — export macro: the library is built with hidden visibility and only
 * symbols marked EVS_API are exported from libevsnn. */
#ifndef EVSNN_EXPORT_H
#define EVSNN_EXPORT_H

#if defined(EVS_BUILDING_LIBRARY) && defined(__GNUC__)
#define EVS_API __attribute__((visibility("default")))
#else
#define EVS_API
#endif

#endif
