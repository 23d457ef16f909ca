#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The README's two commands, literally, in a fresh clone of this repository
# and in a clean environment (no EVSNN_* or other variables of the test
# harness): the first must install, build, run the demo and leave its figures
# in out/demo; the second (the whole test suite) must pass. Then the clone,
# reconfigured with another prefix, must rebuild the program, and the
# installed program must draw with the installed plot scripts alone.
# Skipped (77) in a release tarball (no git checkout to clone), when not root
# (the first command installs packages with apt-get), and inside such a
# clone, where this test would otherwise run itself again.
. "$(dirname "$0")/common.sh"

top=$(cd "$MODELS/.." && pwd -P)
if [ -e "$top/../.evsnn-readme-clone" ]; then
  echo "SKIP: inside the clone of tests/readme.sh"
  exit 77
fi
# the top of a git checkout itself, not a release tarball unpacked inside one
# (make distcheck in a clone)
if ! command -v git >/dev/null 2>&1 ||
  [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" != "$top" ]; then
  echo "SKIP: $top is not the top of a git checkout"
  exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the README's first command runs apt-get, which needs root"
  exit 77
fi

# readme_command N: the N-th fenced sh block of README.md, which must be one
# line.
readme_command() {
  awk -v want="$1" '
    /^```sh$/ { n++; inside = (n == want); next }
    /^```/    { inside = 0; next }
    inside    { lines++; print }
    END       { if (lines != 1) exit 1 }' "$top/README.md"
}
cmd1=$(readme_command 1) || { say_fail "README's first sh block is not one line"; finish; }
cmd2=$(readme_command 2) || { say_fail "README's second sh block is not one line"; finish; }
echo "first:  $cmd1"
echo "second: $cmd2"

git clone -q "$top" "$tmp/r/evsnn" || { say_fail "git clone $top"; finish; }
: >"$tmp/r/.evsnn-readme-clone"
mkdir "$tmp/home"
clone=$tmp/r/evsnn
# run_clean LOG COMMAND: COMMAND by sh -x (each step traced into the log) in
# the clone, with only a root shell's PATH and a HOME; output into $tmp/LOG.
run_clean() {
  (cd "$clone" && env -i HOME="$tmp/home" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    sh -xc "$2") >"$tmp/$1" 2>&1
}

if ! run_clean first.log "$cmd1"; then
  # The first command starts with apt-get update: where the package mirror
  # cannot be reached from here just now, the README is not what failed.
  if ! run_clean apt.log "apt-get update"; then
    echo "SKIP: apt-get update fails here (the package mirror is not reachable):"
    tail -n 20 "$tmp/apt.log" | sed 's/^/  | /'
    exit 77
  fi
  say_fail "the README's first command failed; its last lines:"
  tail -n 40 "$tmp/first.log" | sed 's/^/  | /'
  finish
fi
for f in E.ras I.ras summary.tsv raster.png rates.png; do
  [ -s "$clone/out/demo/$f" ] || say_fail "the first command left no out/demo/$f"
done

if ! run_clean second.log "$cmd2"; then
  say_fail "the README's second command failed; its summary:"
  grep -E '^(# |FAIL|ERROR)' "$tmp/second.log" | sed 's/^/  | /'
fi
grep -q '^# PASS: *[1-9]' "$tmp/second.log" ||
  say_fail "the second command ran no test"

# Another prefix: the program must be rebuilt with it, and once installed it
# must find its scripts there (the clone's own plots/ moved out of reach).
before=$(cksum <"$clone/src/cli/dirs.h")
if ! run_clean prefix.log "./configure -q --prefix='$tmp/inst' && make -j2 && make install"; then
  say_fail "reconfigure with --prefix and make install failed"
  tail -n 20 "$tmp/prefix.log" | sed 's/^/  | /'
  finish
fi
[ "$(cksum <"$clone/src/cli/dirs.h")" != "$before" ] ||
  say_fail "reconfiguring with another prefix did not remake src/cli/dirs.h"
grep -q "\"$tmp/inst/share/evsnn/plots\"" "$clone/src/cli/dirs.h" ||
  say_fail "src/cli/dirs.h does not name the new prefix"
grep -aq "$tmp/inst/share/evsnn/plots" "$tmp/inst/bin/evsnn" ||
  say_fail "the installed evsnn was not rebuilt with the new prefix"
mv "$clone/plots" "$clone/plots.away"
rm -f "$clone/out/demo/raster.png"
if ! run_clean installed.log "'$tmp/inst/bin/evsnn' plot out/demo"; then
  say_fail "the installed evsnn could not plot:"
  sed 's/^/  | /' "$tmp/installed.log"
fi
[ -s "$clone/out/demo/raster.png" ] || say_fail "the installed evsnn drew no raster.png"
finish
