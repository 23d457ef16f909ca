#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Hostile inputs and output faults (issue 15) that tests/model_errors.sh
# cannot express with one broken model file: options (--force), limits
# (ulimit), timings, symbolic links, reused output folders, full output.
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): EVSNN, MODELS, TESTDATA.
. "$(dirname "$0")/common.sh"
need_evsnn
bad="$TESTDATA/bad"

# A sanitizer build reserves terabytes of address space: no ulimit -v there.
sanitized=0
if grep -q '^SANITIZE_CFLAGS = .*-fsanitize' "$(dirname "$EVSNN")/Makefile" \
     2>/dev/null; then
  sanitized=1
fi

# expect_error NAME WHERE TEXT CMD...: CMD fails (status 1, within 60 s)
# with a line of stderr holding WHERE (file:line) and TEXT.
expect_error() {
  name=$1 where=$2 text=$3
  shift 3
  timeout 60 "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  got=$?
  if [ "$got" -ne 1 ]; then
    say_fail "$name: exit status $got, expected 1"
    sed 's/^/  | /' "$tmp/stderr" | head -n 5
  elif ! grep -F -- "$where" "$tmp/stderr" | grep -qF -- "$text"; then
    say_fail "$name: stderr lacks '$where ... $text': $(head -c 300 "$tmp/stderr")"
  fi
}

# ---- --force: past the memory estimate, the build's own errors, located --
# (n too large: tests/data/bad/*_force.ini, in tests/model_errors.sh)
# 10^12 synapses: the first allocation fails (ulimit, or ASan's own limit)
f="$bad/memory_all_to_all.ini"
(
  [ "$sanitized" -eq 1 ] || ulimit -v 4000000
  ASAN_OPTIONS="$ASAN_OPTIONS:allocator_may_return_null=1" \
    expect_error "out of memory, --force" "$f:11:" \
    "out of memory building synapses" "$EVSNN" check --force "$f"
  exit "$fail"
) || fail=1

# ---- record_v: repeated ranges merged in O(m log m), not sorted in O(m^2) --
cat >"$tmp/record_v.ini" <<'INI'
[simulation]
duration = 10 ms
[population E]
type = IF_curr_exp
size = 1000000
record_v = 0-999999, 0-999999, 5, 3-7
INI
start=$(date +%s)
timeout 60 "$EVSNN" check "$tmp/record_v.ini" >"$tmp/stdout" 2>"$tmp/stderr"
got=$?
took=$(($(date +%s) - start))
if [ "$got" -ne 0 ]; then
  say_fail "record_v = 0-N, 0-N: exit status $got: $(head -c 300 "$tmp/stderr")"
elif [ "$took" -gt 20 ]; then
  say_fail "record_v = 0-N, 0-N: check took $took s"
fi

# ... into the same ids as before: sorted, each once
printf '[simulation]\nduration = 2 ms\n[population E]\ntype = IF_curr_exp\nsize = 10\nrecord_v = 7, 3, 1-2, 2, 8-9, 9\n' \
  >"$tmp/rv.ini"
if expect_status 0 "record_v ids" "$EVSNN" run "$tmp/rv.ini" -o "$tmp/rv" -q; then
  h=$(head -n 1 "$tmp/rv/v_E.tsv")
  [ "$h" = "$(printf 'time\tv1\tv2\tv3\tv7\tv8\tv9')" ] ||
    say_fail "record_v = 7, 3, 1-2, 2, 8-9, 9: v_E.tsv header '$h'"
fi

# ---- output folders: no write through a planted link; own stale files gone -
cat >"$tmp/small.ini" <<'INI'
[simulation]
duration = 0.2 s
[population noise]
type = SpikeSourcePoisson
size = 20
rate = 20 Hz
[population E]
type = IF_curr_exp
size = 5
v_thresh = -55 mV
record_v = 0-1
[projection drive]
pre = noise
post = E
connect = all_to_all
weight = 6 mV
delay = 1 ms
INI
o="$tmp/planted"
mkdir "$o"
echo precious >"$tmp/victim"
ln -s "$tmp/victim" "$o/E.ras.part"
ln -s "$tmp/victim" "$o/summary.tsv.part"
if expect_status 0 "run with planted .part links" \
     "$EVSNN" run "$tmp/small.ini" -o "$o" -q; then
  [ "$(cat "$tmp/victim")" = precious ] ||
    say_fail "a planted E.ras.part link was followed: the victim now holds $(head -c 80 "$tmp/victim")"
  if [ -L "$o/E.ras" ] || [ -L "$o/summary.tsv" ] || ! grep -q . "$o/E.ras"; then
    say_fail "E.ras or summary.tsv is a link or empty after a planted .part link"
  fi
  [ -e "$o/E.ras.part" ] && say_fail "the stale E.ras.part was left behind"
fi
o="$tmp/reused"
expect_status 0 "first run" "$EVSNN" run "$tmp/small.ini" -o "$o" -q
echo keep >"$o/notes.txt"
echo "0.1 0" >"$o/mine.ras"
if expect_status 0 "second run, no probes" \
     "$EVSNN" run "$tmp/small.ini" -o "$o" -q --set E.record_v=none; then
  [ -e "$o/v_E.tsv" ] && say_fail "reused folder: the first run's v_E.tsv is still there"
  [ -s "$o/E.ras" ] || say_fail "reused folder: no E.ras"
  [ "$(cat "$o/notes.txt" 2>/dev/null)" = keep ] &&
    [ "$(cat "$o/mine.ras" 2>/dev/null)" = "0.1 0" ] ||
    say_fail "reused folder: a file evsnn did not write was changed or removed"
fi

# a run that was killed left part files; its run.log.part names them
o="$tmp/killed"
mkdir "$o"
printf 'model: small\noutput: v_E.tsv\n' >"$o/run.log.part"
echo "0.000	-0.06" >"$o/v_E.tsv.part"
echo keep >"$o/notes.txt.part"
if expect_status 0 "run after a killed one" \
     "$EVSNN" run "$tmp/small.ini" -o "$o" -q --set E.record_v=none; then
  [ -e "$o/v_E.tsv.part" ] && say_fail "killed run: its v_E.tsv.part is still there"
  [ -e "$o/run.log.part" ] && say_fail "killed run: its run.log.part is still there"
  [ "$(cat "$o/notes.txt.part" 2>/dev/null)" = keep ] ||
    say_fail "killed run: a file evsnn did not write was removed"
fi

# ---- evsnn picture writes through a part file, never through a link -------
echo precious >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/pic1.ras"
ln -s "$tmp/victim" "$tmp/pic2.ras.part"
for out in pic1.ras pic2.ras; do
  if expect_status 0 "picture into a planted link ($out)" \
       "$EVSNN" picture "$MODELS/s4_picture.pbm" "$tmp/$out"; then
    [ "$(cat "$tmp/victim")" = precious ] ||
      say_fail "picture $out: a planted link was followed: the victim holds $(head -c 60 "$tmp/victim")"
    { [ -f "$tmp/$out" ] && [ ! -L "$tmp/$out" ] && grep -q '^# time' "$tmp/$out"; } ||
      say_fail "picture $out: not a new raster"
    [ -e "$tmp/$out.part" ] && say_fail "picture $out: $out.part left behind"
  fi
done
# a raster that cannot be written leaves nothing
expect_status 1 "picture into a missing folder" \
  "$EVSNN" picture "$MODELS/s4_picture.pbm" "$tmp/none/pic.ras" &&
  { grep -q "$tmp/none/pic.ras.part" "$tmp/stderr" ||
      say_fail "picture into a missing folder: stderr says '$(head -c 200 "$tmp/stderr")'"; }

# ---- standard output that cannot be written is an error -------------------
if [ -w /dev/full ]; then
  "$EVSNN" check "$tmp/small.ini" >/dev/full 2>"$tmp/stderr"
  got=$?
  [ "$got" -eq 1 ] || say_fail "check >/dev/full: exit status $got, expected 1"
  grep -q "standard output" "$tmp/stderr" ||
    say_fail "check >/dev/full: stderr says '$(head -c 200 "$tmp/stderr")'"
  "$EVSNN" picture "$MODELS/s4_picture.pbm" "$tmp/pic.ras" \
    >/dev/full 2>"$tmp/stderr"
  got=$?
  [ "$got" -eq 1 ] || say_fail "picture >/dev/full: exit status $got, expected 1"
  "$EVSNN" --version >/dev/full 2>/dev/null &&
    say_fail "--version >/dev/full: exit status 0"
fi

finish
