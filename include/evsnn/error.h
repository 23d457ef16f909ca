/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — status codes and error records.
 *
 * Every library function that can fail returns an int: EVS_OK (0) or a
 * negative EVS_E* code. Functions that can say more take an evs_error*
 * (which may be NULL) and fill it with a human-readable message, prefixed
 * with "file:line: " when the error belongs to a place in a model file. */
#ifndef EVSNN_ERROR_H
#define EVSNN_ERROR_H

#include <stddef.h>
#include "export.h"

/* X(name, value, description): the single list of status codes. */
#define EVS_ERRNO_MAP(X)                                                       \
  X(OK, 0, "success")                                                          \
  X(ENOMEM, -1, "out of memory")                                               \
  X(EINVAL, -2, "invalid argument")                                            \
  X(EMODEL, -3, "error in model description")                                  \
  X(EIO, -4, "input/output error")                                             \
  X(ERANGE, -5, "value out of range")                                          \
  X(ENOENT, -6, "no such item")                                                \
  X(EEXIST, -7, "item already exists")                                         \
  X(ESTATE, -8, "operation not valid in this state")                           \
  X(ESTOPPED, -9, "run stopped before its end")

typedef enum evs_status {
#define EVS__ERR_ENUM(name, value, text) EVS_##name = value,
  EVS_ERRNO_MAP(EVS__ERR_ENUM)
#undef EVS__ERR_ENUM
} evs_status;

/* The object of a net an error is about (evs_error.about). */
typedef enum evs_about {
  EVS_ABOUT_NONE = 0,   /* the net as a whole, or not known */
  EVS_ABOUT_POPULATION, /* population number evs_error.index */
  EVS_ABOUT_PROJECTION, /* projection number evs_error.index */
  EVS_ABOUT_LEARNER,    /* the net's learner with a network-wide clock
                          (SuperSpike: [superspike]; index 0) */
  EVS_ABOUT_INPUT       /* input number evs_error.index of a model's
                          description (evs_model_build, model_desc.h) */
} evs_about;

/* An error record: code plus a formatted message, and what it is about
 * when the library knows, so that a caller can point at its own
 * description of that object (a model file's key) without reading msg. */
typedef struct evs_error {
  int code;       /* the evs_status returned alongside */
  int line;       /* model-file line, or 0 when not tied to a file */
  char file[256]; /* model-file path, or "" */
  char msg[768];  /* full message, already prefixed with "file:line: " */
  int about;      /* evs_about: the object at fault (EVS_ABOUT_NONE: none) */
  int index;      /* its index in the net, when about is not NONE */
  char key[32];   /* its parameter or connection key at fault ("delay",
                     "n", "connect", "tau_m"), or "" for the whole object */
} evs_error;

/* Returns the description of a status code ("out of memory"); never NULL. */
EVS_API const char *evs_strerror(int code);

/* Returns the symbolic name of a status code ("EVS_ENOMEM"); never NULL. */
EVS_API const char *evs_errname(int code);

/* Fills err (if not NULL) with code and a printf-style message, prefixed
 * with "file:line: " when file is not NULL (line 0 gives "file: "); about
 * nothing (EVS_ABOUT_NONE, no key).
 * Returns code, so callers can write `return evs_error_set(err, ...)`. */
EVS_API int evs_error_set(evs_error *err, int code, const char *file, int line,
                          const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Says which key of the object err is about caused it (see evs_error.key);
 * a key already given is kept (the innermost caller knows best). err may
 * be NULL. */
EVS_API void evs_error_key(evs_error *err, const char *key);

/* Says which object of the net err is about (evs_error.about, .index); an
 * object already given is kept. err may be NULL. */
EVS_API void evs_error_about(evs_error *err, evs_about about, int index);

/* Resets err (if not NULL) to EVS_OK with an empty message. */
EVS_API void evs_error_clear(evs_error *err);

#endif
