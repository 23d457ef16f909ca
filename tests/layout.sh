#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The layout of src/ that doc/hacking.md describes, derived from the code:
#  1. the include graph between modules has no cycle. A module is a file
#     pair foo.c + foo.h with its private kit header foo_impl.h
#     (core/net_impl.h, the core's types, is a module of its own); an edge
#     goes from a file's module to the module of every header it includes
#     (quoted includes; public evsnn/ headers and config.h are leaves).
#  2. a layer includes only layers above it in the order of doc/hacking.md
#     (base io core synapses neurons rules plugins model cli; registry.* on
#     top counts as core), but for the exceptions listed in EXCEPTIONS,
#     which doc/hacking.md lists too; an exception no longer needed fails
#     as well, so the list stays true.
#  3. src/core/ names no neuron model, rule, recorder or monitor: the grep
#     of doc/hacking.md finds nothing in the source tree's src/core, nor in
#     the build tree's (objects and dependency files included).
# Environment: EVSNN (its folder is the build tree; optional).
. "$(dirname "$0")/common.sh"

src=$(cd "$(dirname "$0")/../src" && pwd) || exit 99

# FILE HEADER pairs allowed to include a layer below their own.
EXCEPTIONS='core/net.c rules/plastic.h
core/net.c plugins/plugins.h
core/net_build.c rules/plastic.h
core/run.c rules/plastic.h
core/run_ckpt.c rules/plastic.h
core/threads_impl.h rules/plastic.h
neurons/rate.h rules/plastic.h'

# every quoted include as "FILE HEADER", both relative to src/, a bare
# header name (cli/) resolved in the including file's folder
(cd "$src" && find . -name '*.[ch]' | sed 's|^\./||' | sort | while read -r f; do
  sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
    while read -r h; do
      case $h in
      evsnn/* | config.h) continue ;;
      */*) ;;
      *) d=$(dirname "$f"); [ "$d" = . ] || h=$d/$h ;;
      esac
      printf '%s %s\n' "$f" "$h"
    done
done) >"$tmp/includes"
[ -s "$tmp/includes" ] || say_fail "no includes found under $src"

# 1. modules and cycles
awk 'function module(p) {
       sub(/\.(c|h|def)$/, "", p)
       if (p != "core/net_impl") sub(/_impl$/, "", p)
       return p
     }
     { a = module($1); b = module($2); if (a != b) print a, b }' \
  "$tmp/includes" | sort -u >"$tmp/modules"
if ! tsort "$tmp/modules" >/dev/null 2>"$tmp/tsort"; then
  say_fail "the include graph of src/ has a cycle:"
  sed 's/^/  | /' "$tmp/tsort"
fi

# 2. layers
awk -v exceptions="$EXCEPTIONS" '
  function layer(p) {
    sub(/\/.*/, "", p)
    if (p ~ /^registry\./) p = "core"
    return rank[p]
  }
  BEGIN {
    n = split("base io core synapses neurons rules plugins model cli", L, " ")
    for (i = 1; i <= n; i++) rank[L[i]] = i
    n = split(exceptions, E, "\n")
    for (i = 1; i <= n; i++) allowed[E[i]] = 1
  }
  { key = $1 " " $2
    if (layer($2) > layer($1)) {
      if (key in allowed) used[key] = 1
      else print "FAIL: " $1 " includes " $2 ", a layer below its own"
    } }
  END {
    for (k in allowed)
      if (!(k in used)) print "FAIL: exception \"" k "\" is no longer needed"
  }' "$tmp/includes" >"$tmp/layers"
if [ -s "$tmp/layers" ]; then
  cat "$tmp/layers"
  fail=1
fi

# 3. the core names no model, rule, recorder or monitor
pattern='superspike|stdp|rate_check|tsodyks|\bstp'
found=$(grep -rliE "$pattern" "$src/core")
[ -z "$found" ] || say_fail "src/core names a model, rule or plug-in: $found"
# (an in-tree build's objects and dependency files are in src/core already)
if [ -n "${EVSNN:-}" ]; then
  build=$(cd "$(dirname "$EVSNN")" && pwd)/src/core
  if [ -d "$build" ] && [ "$build" != "$src/core" ]; then
    found=$(grep -rliE "$pattern" "$build")
    [ -z "$found" ] || say_fail "the built src/core names one: $found"
  fi
fi
finish
