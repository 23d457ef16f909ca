# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Sourced by bench/threads.sh and bench/b7.sh.

# median: of the numbers on standard input
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
