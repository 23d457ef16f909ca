/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The rank communicator (src/comm.c) against known data, run by
 * tests/comm.sh on 1 rank without MPI and under mpirun on 1, 2 and 4 ranks
 * with it. Rank r sends r + 1 records (r, k, r * 1000 + k) of 12 bytes, so
 * every rank must receive sum (r + 1) records in rank order with values it
 * can compute; rank 2 (when there is one) sends nothing, an empty buffer
 * among full ones. Reductions of (r + 1, 7 - r, r) must give the sum
 * size (size + 1) / 2, the minimum 8 - size and the maximum size - 1. The
 * traffic counters must match the bytes handed over. Prints one line per
 * rank; exits 0 when every check passed on this rank, 1 otherwise
 * (mpirun then fails). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/comm.h"
#include "evsnn/error.h"

static int failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "comm_test: rank %d: ", rank);                           \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
      failures++;                                                              \
    }                                                                          \
  } while (0)

typedef struct record {
  uint32_t rank, k, value;
} record;

/* How many records rank r sends. */
static uint32_t records_of(int r) { return r == 2 ? 0 : (uint32_t)r + 1; }

int main(void) {
  evs_comm *c;
  evs_error err;
  evs_error_clear(&err);
  int rank = -1;
  if (evs__comm_new(&c, &err) != EVS_OK) {
    fprintf(stderr, "comm_test: %s\n", err.msg);
    return 1;
  }
  rank = evs__comm_rank(c);
  const int size = evs__comm_size(c);
  CHECK(size >= 1 && size <= 32 && rank >= 0 && rank < size,
        "rank %d of %d (1 to 32)", rank, size);
  if (failures) return 1;
  CHECK(evs__comm_barrier(c, &err) == EVS_OK, "barrier: %s", err.msg);

  /* Two rounds: the second reuses (and may grow) the receive buffer. */
  uint64_t sent = 0, received = 0;
  for (int round = 0; round < 2; round++) {
    record send[64]; /* 2 (rank + 1) at most */
    uint32_t n = records_of(rank) * (uint32_t)(round + 1);
    for (uint32_t k = 0; k < n; k++)
      send[k] = (record){(uint32_t)rank, k, (uint32_t)rank * 1000 + k};
    const void *recv;
    const uint64_t *offset;
    int rc =
        evs__comm_allgatherv(c, send, n * sizeof *send, &recv, &offset, &err);
    CHECK(rc == EVS_OK, "allgatherv: %s", err.msg);
    if (rc != EVS_OK) break;
    uint64_t at = 0;
    for (int r = 0; r < size; r++) {
      uint64_t bytes = (uint64_t)records_of(r) * (round + 1) * sizeof(record);
      CHECK(offset[r] == at,
            "round %d: offset of rank %d is %" PRIu64 ", expected %" PRIu64,
            round, r, offset[r], at);
      for (uint32_t k = 0; k < bytes / sizeof(record); k++) {
        record x;
        memcpy(&x, (const unsigned char *)recv + at + k * sizeof x, sizeof x);
        CHECK(x.rank == (uint32_t)r && x.k == k &&
                  x.value == (uint32_t)r * 1000 + k,
              "round %d: record %u of rank %d is (%u, %u, %u)", round, k, r,
              x.rank, x.k, x.value);
      }
      at += bytes;
    }
    CHECK(offset[size] == at, "round %d: total %" PRIu64 ", expected %" PRIu64,
          round, offset[size], at);
    sent += sizeof(uint64_t) + n * sizeof *send;
    received += size * sizeof(uint64_t) + at;
  }

  const evs_comm_op ops[] = {EVS_COMM_SUM, EVS_COMM_MIN, EVS_COMM_MAX};
  const uint64_t want[] = {(uint64_t)size * (size + 1) / 2,
                           (uint64_t)(8 - size), (uint64_t)size - 1};
  for (int o = 0; o < 3; o++) {
    uint64_t v[3] = {(uint64_t)rank + 1, 7 - (uint64_t)rank, (uint64_t)rank};
    CHECK(evs__comm_allreduce_u64(c, v, 3, ops[o], &err) == EVS_OK,
          "allreduce: %s", err.msg);
    CHECK(v[o] == want[o], "reduction %d gives %" PRIu64 ", expected %" PRIu64,
          o, v[o], want[o]);
    sent += sizeof v;
    received += sizeof v;
  }

  evs_comm_stats st = evs__comm_stats(c);
  CHECK(st.collectives == 1 + 2 * 2 + 3, "%" PRIu64 " collectives, expected 8",
        st.collectives);
  CHECK(st.bytes_sent == sent, "%" PRIu64 " bytes sent, expected %" PRIu64,
        st.bytes_sent, sent);
  CHECK(st.bytes_received == received,
        "%" PRIu64 " bytes received, expected %" PRIu64, st.bytes_received,
        received);
  CHECK(evs__comm_barrier(c, &err) == EVS_OK, "barrier: %s", err.msg);
  printf("comm_test: rank %d of %d: %s\n", rank, size,
         failures ? "FAILED" : "ok");
  evs__comm_free(c);
  return failures != 0;
}
