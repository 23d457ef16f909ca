/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* A read that fails part-way through an edge list or a .ras file is an
 * error naming the file, never the end of the file (issue 15: a failed read
 * was taken for the end, and the model built with the synapses or spikes
 * read so far). getline is wrapped at link time (-Wl,--wrap=getline,
 * Makefile.am) so that its n-th call fails as a read error does: -1 with
 * errno EIO. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "neurons/types.h"
#include "check_util.h"
#include "csr_test_util.h"

ssize_t __real_getline(char **line, size_t *cap, FILE *f);
ssize_t __wrap_getline(char **line, size_t *cap, FILE *f);

static int calls;   /* getline calls so far */
static int fail_at; /* the call that fails (0: none) */

ssize_t __wrap_getline(char **line, size_t *cap, FILE *f) {
  if (++calls == fail_at) {
    errno = EIO;
    return -1;
  }
  return __real_getline(line, cap, f);
}

/* Writes text into a new temporary file; its name into path. */
static void write_file(char *path, const char *text) {
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  ssize_t n = (ssize_t)strlen(text);
  ck_assert_int_eq(write(fd, text, (size_t)n), n);
  close(fd);
}

/* Three edges; the second line's read fails: an error naming the file and
 * the line, no net. Without a fault the same file gives its three edges. */
START_TEST(edge_list_read_error) {
  char path[] = "/tmp/check_read_errors_edges.XXXXXX";
  write_file(path, "0 1\n1 2\n2 3\n");
  evs_conn_spec s = base_spec(EVS_CONN_FILE);
  s.path = path;
  evs_csr *c = NULL;
  evs_error err;
  evs_error_clear(&err);
  calls = 0;
  fail_at = 0;
  ck_assert_int_eq(evs_csr_build(&c, 4, 4, &s, &err), EVS_OK);
  ck_assert_uint_eq(c->nnz, 3);
  evs_csr_free(c);
  c = NULL;
  calls = 0;
  fail_at = 2;
  ck_assert_int_eq(evs_csr_build(&c, 4, 4, &s, &err), EVS_EIO);
  ck_assert_ptr_null(c);
  ck_assert_msg(strstr(err.msg, "read error") && strstr(err.msg, path),
                "message '%s'", err.msg);
  ck_assert_int_eq(err.line, 2);
  fail_at = 0;
  unlink(path);
}
END_TEST

/* The same for a .ras file (SpikeSourceArray, SuperSpike targets). */
START_TEST(ras_read_error) {
  char path[] = "/tmp/check_read_errors_ras.XXXXXX";
  write_file(path, "0.1 0\n0.2 1\n0.3 2\n");
  evs_spike *spk = NULL;
  size_t n = 0;
  evs_error err;
  evs_error_clear(&err);
  calls = 0;
  fail_at = 0;
  ck_assert_int_eq(evs__ras_read(path, 10, 0, "in", &spk, &n, &err), EVS_OK);
  ck_assert_uint_eq(n, 3);
  free(spk);
  spk = NULL;
  n = 0;
  calls = 0;
  fail_at = 2;
  ck_assert_int_eq(evs__ras_read(path, 10, 0, "in", &spk, &n, &err), EVS_EIO);
  ck_assert_ptr_null(spk);
  ck_assert_uint_eq(n, 0);
  ck_assert_msg(strstr(err.msg, "read error") && strstr(err.msg, path),
                "message '%s'", err.msg);
  ck_assert_int_eq(err.line, 2);
  fail_at = 0;
  unlink(path);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("read_errors");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, edge_list_read_error);
  tcase_add_test(tc, ras_read_error);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(suite()); }
