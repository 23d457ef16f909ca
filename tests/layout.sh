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
#  4. in a build tree, no call loop between modules, from the symbols of
#     the library's objects.
# Environment: EVSNN (its folder is the build tree; optional).
. "$(dirname "$0")/common.sh"

src=$(cd "$(dirname "$0")/../src" && pwd) || exit 99

# FILE HEADER pairs allowed to include a layer below their own.
EXCEPTIONS='core/net.c rules/plastic.h
core/net.c plugins/plugins.h
core/net_build.c rules/plastic.h
core/pop.c rules/plastic.h
core/run.c rules/plastic.h
core/run_ckpt.c rules/plastic.h
core/ranks.c rules/plastic.h
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
# 4. no call loop between modules either: in a build tree, the library's
#    objects (.libs/libevsnn-core.a) tell which module calls which
#    module's functions (data, such as the registry's tables of
#    descriptors, is not a call); a kit (foo.c, every file that includes
#    foo_impl.h, and a kit whose header includes foo_impl.h) is one node.
lib=${EVSNN:+$(dirname "$EVSNN")/.libs/libevsnn-core.a}
if [ -n "$lib" ] && [ -f "$lib" ] && command -v nm >/dev/null 2>&1; then
  # the library's sources (not src/cli/, the program's: its run.c would
  # take core/run.c's objects, which name only the file)
  (cd "$src" && find . -name '*.c' -not -path './cli/*' | sed 's|^\./||') >"$tmp/sources"
  nm -A -g "$lib" 2>/dev/null >"$tmp/symbols"
  awk -v inc="$tmp/includes" -v srcs="$tmp/sources" '
    function kitof(k) { while (k in up) k = up[k]; return k }
    BEGIN {
      while ((getline l < srcs) > 0) {
        m = l; sub(/\.c$/, "", m); b = m; sub(/.*\//, "", b); path[b] = m
      }
      while ((getline l < inc) > 0) {
        split(l, f, " ")
        if (f[2] !~ /_impl\.h$/ || f[2] == "core/net_impl.h") continue
        k = f[2]; sub(/_impl\.h$/, "", k)
        m = f[1]; sub(/\.[ch]$/, "", m)
        if (f[1] ~ /_impl\.h$/) { sub(/_impl$/, "", m); if (m != k) up[m] = k }
        else if (f[1] ~ /\.c$/) kit[m] = k
      }
    }
    function node(member,   b, m) {
      b = member; sub(/^.*libevsnn_core_la-/, "", b); sub(/\.o$/, "", b)
      if (!(b in path)) return ""
      m = path[b]
      return kitof((m in kit) ? kit[m] : m)
    }
    # ARCHIVE:MEMBER:ADDRESS TYPE SYMBOL (no address when undefined)
    { n = split($1, a, ":"); mod = node(a[n - 1])
      if (mod == "") next
      if ($2 == "U") use[mod, $3] = 1
      else if ($2 ~ /^[TW]$/) def[$3] = mod }
    END {
      for (k in use) { split(k, u, SUBSEP)
        if ((u[2] in def) && def[u[2]] != u[1]) print u[1], def[u[2]] }
    }' "$tmp/symbols" | sort -u >"$tmp/calls"
  [ -s "$tmp/calls" ] || say_fail "no calls between modules found in $lib"
  if ! tsort "$tmp/calls" >/dev/null 2>"$tmp/tsort"; then
    say_fail "modules of src/ call each other in a loop:"
    sed 's/^/  | /' "$tmp/tsort"
  fi
fi
finish
