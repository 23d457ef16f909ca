/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — status codes and error records (see include/evsnn/error.h). */
#include "evsnn/error.h"
#include "base/checks.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *evs_strerror(int code) {
  switch (code) {
#define EVS__ERR_TEXT(name, value, text)                                       \
  case value: return text;
    EVS_ERRNO_MAP(EVS__ERR_TEXT)
#undef EVS__ERR_TEXT
  default: return "unknown error";
  }
}

const char *evs_errname(int code) {
  switch (code) {
#define EVS__ERR_NAME(name, value, text)                                       \
  case value: return "EVS_" #name;
    EVS_ERRNO_MAP(EVS__ERR_NAME)
#undef EVS__ERR_NAME
  default: return "EVS_E?";
  }
}

int evs_error_set(evs_error *err, int code, const char *file, int line,
                  const char *fmt, ...) {
  if (err == NULL) return code;
  err->code = code;
  err->about = EVS_ABOUT_NONE;
  err->index = -1;
  err->key[0] = '\0';
  err->line = file != NULL ? line : 0;
  err->file[0] = '\0';
  if (file != NULL) snprintf(err->file, sizeof err->file, "%s", file);

  /* The prefix names the model-file place; a truncated message is still
   * NUL-terminated, which is all a human reader needs. */
  size_t used = 0;
  err->msg[0] = '\0';
  if (file != NULL) {
    int n = line > 0
                ? snprintf(err->msg, sizeof err->msg, "%s:%d: ", file, line)
                : snprintf(err->msg, sizeof err->msg, "%s: ", file);
    if (n > 0)
      used = (size_t)n < sizeof err->msg ? (size_t)n : sizeof err->msg - 1;
  }
  if (fmt != NULL && used < sizeof err->msg - 1) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + used, sizeof err->msg - used, fmt, ap);
    va_end(ap);
  }
  return code;
}

void evs_error_key(evs_error *err, const char *key) {
  if (err == NULL || err->key[0] != '\0' || key == NULL) return;
  snprintf(err->key, sizeof err->key, "%s", key);
}

int evs__error_key_set(evs_error *err, int code, const char *key,
                       const char *fmt, ...) {
  if (err == NULL) return code;
  char msg[sizeof err->msg];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  evs_error_set(err, code, NULL, 0, "%s", msg);
  evs_error_key(err, key);
  return code;
}

void evs_error_about(evs_error *err, evs_about about, int index) {
  if (err == NULL || err->about != EVS_ABOUT_NONE) return;
  err->about = about;
  err->index = index;
}

void evs_error_clear(evs_error *err) {
  if (err == NULL) return;
  err->code = EVS_OK;
  err->about = EVS_ABOUT_NONE;
  err->index = -1;
  err->key[0] = '\0';
  err->line = 0;
  err->file[0] = '\0';
  err->msg[0] = '\0';
}
