# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — helpers shared by the script tests (sourced, not run).
# Provides: $tmp (a fresh folder removed on exit), fail/pass counters,
# check (run a command, compare its exit status), need_evsnn, same_outputs
# (two run folders hold the same outputs).
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): EVSNN, MODELS, TESTDATA.

set -u
fail=0

# In a --enable-sanitizers build a sanitizer report (AddressSanitizer,
# LeakSanitizer, UndefinedBehaviorSanitizer) exits with status 1 by default:
# the status of an expected error, so expect_status 1 would pass it. Give
# reports their own status (options given by the caller come later and win).
ASAN_OPTIONS="exitcode=86${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="exitcode=87:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/evsnn-test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# say_fail MESSAGE...: records a failure.
say_fail() {
  printf 'FAIL: %s\n' "$*"
  fail=1
}

# expect_status WANT NAME CMD...: runs CMD with stdout/stderr into
# $tmp/stdout and $tmp/stderr and checks its exit status.
expect_status() {
  want=$1
  name=$2
  shift 2
  "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  got=$?
  if [ "$got" -ne "$want" ]; then
    say_fail "$name: exit status $got, expected $want"
    sed 's/^/  | /' "$tmp/stderr" | head -n 5
    return 1
  fi
  return 0
}

# need_evsnn: exits 99 (hard error) when $EVSNN is not a program.
need_evsnn() {
  if [ -z "${EVSNN:-}" ] || [ ! -x "$EVSNN" ]; then
    echo "ERROR: EVSNN='${EVSNN:-}' is not an executable"
    exit 99
  fi
}

# same_outputs WHAT REF OTHER: run folder OTHER holds the same files as REF,
# each byte-identical, and the same run.log but for the lines that depend on
# the machine or the thread count (start date, wall times, queue counts,
# per-thread lines). A difference is a failure named after WHAT.
same_outputs() {
  what=$1
  ref=$2
  other=$3
  files=$(cd "$ref" && ls)
  [ -n "$files" ] || say_fail "$what: no output in $ref"
  [ "$(cd "$other" && ls)" = "$files" ] ||
    say_fail "$what: $other holds other files than $ref"
  for f in $files; do
    [ "$f" = run.log ] && continue
    cmp -s "$ref/$f" "$other/$f" || say_fail "$what: $f differs"
  done
  for d in "$ref" "$other"; do
    grep -v -e '^started:' -e '^stat wall_' -e '^stat queue_' \
      -e '^thread ' "$d/run.log" >"$d.log.cmp"
  done
  cmp -s "$ref.log.cmp" "$other.log.cmp" || say_fail "$what: run.log differs"
}

# finish: the automake exit status (0 pass, 1 fail).
finish() {
  if [ "$fail" -ne 0 ]; then exit 1; fi
  exit 0
}
