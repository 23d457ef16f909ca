# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — helpers shared by the script tests (sourced, not run).
# Provides: $tmp (a fresh folder removed on exit), fail/pass counters,
# check (run a command, compare its exit status), need_evsnn.
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

# finish: the automake exit status (0 pass, 1 fail).
finish() {
  if [ "$fail" -ne 0 ]; then exit 1; fi
  exit 0
}
