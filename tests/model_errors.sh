#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Every broken model in $TESTDATA/bad is refused by `evsnn check` with a
# non-zero status, the message "FILE:LINE: ..." on stderr (LINE from the
# file's "# line:" comment, the text of its "# expect:" comment), and no
# file written anywhere; a "# options:" comment gives options of `evsnn
# check` (--force: past the memory estimate, to the build's own errors).
# The benchmark models pass.
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): EVSNN, MODELS, TESTDATA.
set -u

fail=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cwd"

say_fail() {
  printf 'FAIL: %s\n' "$*"
  fail=1
}

if [ ! -x "$EVSNN" ]; then
  echo "FAIL: $EVSNN is not an executable"
  exit 1
fi

nbad=0
before=$(ls -A "$TESTDATA/bad")
for f in "$TESTDATA"/bad/*.ini; do
  nbad=$((nbad + 1))
  expect=$(sed -n 's/^# expect: //p' "$f" | head -n 1)
  line=$(sed -n 's/^# line: //p' "$f" | head -n 1)
  options=$(sed -n 's/^# options: //p' "$f" | head -n 1)
  if [ -z "$expect" ] || [ -z "$line" ]; then
    say_fail "$f: no '# expect:' or '# line:' comment"
    continue
  fi
  # a model that would take hours (issue 15: fixed_total with n = 1e12)
  # must be refused at once, not after them
  (cd "$tmp/cwd" && timeout 120 "$EVSNN" check $options "$f") >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    say_fail "$f: accepted (exit status 0)"
  elif [ "$rc" -eq 124 ]; then
    say_fail "$f: still running after 120 s (hang?)"
  elif [ "$rc" -ge 126 ]; then
    say_fail "$f: exit status $rc (crash?)"
  fi
  if ! grep -qF -- "$f:$line:" "$tmp/err"; then
    say_fail "$f: stderr lacks '$f:$line:'; got: $(head -c 400 "$tmp/err")"
  elif ! grep -F -- "$f:$line:" "$tmp/err" | grep -qF -- "$expect"; then
    say_fail "$f: message lacks '$expect'; got: $(head -c 400 "$tmp/err")"
  fi
  if [ -n "$(ls -A "$tmp/cwd")" ]; then
    say_fail "$f: files were created: $(ls -A "$tmp/cwd" | tr '\n' ' ')"
    rm -rf "$tmp/cwd" && mkdir "$tmp/cwd"
  fi
done
if [ "$nbad" -lt 10 ]; then
  say_fail "only $nbad broken models in $TESTDATA/bad"
fi
if [ "$(ls -A "$TESTDATA/bad")" != "$before" ]; then
  say_fail "files were created in $TESTDATA/bad"
fi

for m in "$MODELS/cuba.ini" "$MODELS/coba.ini"; do
  (cd "$tmp/cwd" && "$EVSNN" check "$m") >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    say_fail "$m: refused (exit status $rc): $(head -c 400 "$tmp/err")"
  fi
  if [ -n "$(ls -A "$tmp/cwd")" ]; then
    say_fail "$m: check created files: $(ls -A "$tmp/cwd" | tr '\n' ' ')"
    rm -rf "$tmp/cwd" && mkdir "$tmp/cwd"
  fi
done

[ "$fail" -eq 0 ] && echo "PASS: $nbad broken models refused, benchmark models accepted"
exit "$fail"
