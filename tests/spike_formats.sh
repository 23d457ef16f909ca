#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Spike output formats (spike_format = ras | bin | sonata): CUBA for 1 s in
# each form must carry the same spikes. The binary files, read back by
# evsnn convert, must give the .ras files byte for byte; a binary file in
# the other byte order (made here by python's struct) too; damaged ones are
# refused. The SONATA file, read with h5py (/usr/bin/python3: Debian's
# python3-h5py), must hold /spikes/E and /spikes/I with the .ras spikes
# (times in ms within the .ras's ns rounding, ids equal, in time order), the
# sorting attribute by_time of the enum none/by_id/by_time, units = ms, and
# the root's magic 0x0A7A and version [0, 1]; h5dump, if present, must read
# it too. A build without HDF5 must refuse sonata saying why; then (or
# without h5py) the SONATA part is skipped, and the test ends with 77 if
# the rest passed.
. "$(dirname "$0")/common.sh"
need_evsnn

run() { # run FORMAT: CUBA for 1 s into $tmp/FORMAT
  expect_status 0 "run cuba spike_format = $1" "$EVSNN" run "$MODELS/cuba.ini" \
    -q -o "$tmp/$1" --set simulation.duration=1s \
    --set "simulation.spike_format=$1"
}

expect_status 1 "an unknown spike format" "$EVSNN" check "$MODELS/cuba.ini" \
  --set simulation.spike_format=csv &&
  { grep -q "spike_format: unknown spike format 'csv' (known: ras, bin, sonata)" \
      "$tmp/stderr" || say_fail "spike_format = csv: $(cat "$tmp/stderr")"; }

run ras || finish
run bin || finish
for pop in E I; do
  [ -s "$tmp/ras/$pop.ras" ] || say_fail "ras: no $pop.ras"
  [ -e "$tmp/bin/$pop.ras" ] && say_fail "bin: $pop.ras written too"
  expect_status 0 "convert $pop.spk" "$EVSNN" convert "$tmp/bin/$pop.spk" &&
    { cmp -s "$tmp/stdout" "$tmp/ras/$pop.ras" ||
      say_fail "convert $pop.spk: differs from $pop.ras"; }
done
# the header says what it should: 352 bytes, then 12 per spike
spikes=$(grep -vc '^#' "$tmp/ras/E.ras")
size=$(wc -c <"$tmp/bin/E.spk")
[ "$size" -eq $((352 + 12 * spikes)) ] ||
  say_fail "E.spk: $size bytes for $spikes spikes (expected $((352 + 12 * spikes)))"
expect_status 0 "convert -o" "$EVSNN" convert "$tmp/bin/I.spk" -o "$tmp/I.ras" &&
  { cmp -s "$tmp/I.ras" "$tmp/ras/I.ras" || say_fail "convert -o: differs"; }

# the other byte order, every field swapped
python3 - "$tmp/bin/E.spk" "$tmp/swapped.spk" <<'PY' || say_fail "byte swap script"
import struct, sys
d = open(sys.argv[1], "rb").read()
out = bytearray(d[:8])
out += struct.pack(">6I", *struct.unpack("<6I", d[8:32]))
out += d[32:352]
for i in range(352, len(d), 12):
    t, k = struct.unpack("<dI", d[i:i + 12])
    out += struct.pack(">dI", t, k)
open(sys.argv[2], "wb").write(out)
PY
expect_status 0 "convert a big-endian file" "$EVSNN" convert "$tmp/swapped.spk" &&
  { cmp -s "$tmp/stdout" "$tmp/ras/E.ras" ||
    say_fail "big-endian file: differs from E.ras"; }

# damaged files are refused
head -c 5000 "$tmp/bin/E.spk" >"$tmp/cut.spk"
expect_status 1 "convert a truncated file" "$EVSNN" convert "$tmp/cut.spk" &&
  { grep -q "whole number of 12-byte records" "$tmp/stderr" ||
    say_fail "truncated file: $(cat "$tmp/stderr")"; }
expect_status 1 "convert a .ras" "$EVSNN" convert "$tmp/ras/E.ras" &&
  { grep -q "not an evsnn binary spike file" "$tmp/stderr" ||
    say_fail "a .ras: $(cat "$tmp/stderr")"; }
python3 - "$tmp/bin/E.spk" "$tmp/bad_id.spk" <<'PY' || say_fail "bad id script"
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
d[352 + 12 * 3 + 8:352 + 12 * 4] = struct.pack("<I", 3200)
open(sys.argv[2], "wb").write(d)
PY
expect_status 1 "convert an id out of range" "$EVSNN" convert "$tmp/bad_id.spk" &&
  { grep -q "record 3: neuron 3200 out of range" "$tmp/stderr" ||
    say_fail "id out of range: $(cat "$tmp/stderr")"; }

# SONATA
"$EVSNN" run "$MODELS/cuba.ini" -q -o "$tmp/sonata" \
  --set simulation.duration=1s --set simulation.spike_format=sonata \
  >"$tmp/stdout" 2>"$tmp/stderr"
st=$?
if [ "$st" -ne 0 ]; then
  if grep -q "built without it" "$tmp/stderr"; then
    echo "SKIP: this evsnn has no HDF5: $(cat "$tmp/stderr")"
    [ "$fail" -ne 0 ] && finish
    exit 77
  fi
  say_fail "run cuba spike_format = sonata: status $st: $(cat "$tmp/stderr")"
  finish
fi
for pop in E I; do
  [ -e "$tmp/sonata/$pop.ras" ] && say_fail "sonata: $pop.ras written too"
done
[ -e "$tmp/sonata/spikes.h5.part" ] && say_fail "sonata: spikes.h5.part left"
grep -qx "output: spikes.h5" "$tmp/sonata/run.log" ||
  say_fail "sonata: run.log does not list spikes.h5"
if command -v h5dump >/dev/null 2>&1; then
  h5dump -H "$tmp/sonata/spikes.h5" >"$tmp/h5dump.out" 2>&1 &&
    grep -q 'DATASET "timestamps"' "$tmp/h5dump.out" ||
    say_fail "h5dump cannot read spikes.h5"
fi
if ! /usr/bin/python3 -c "import h5py, numpy" 2>/dev/null; then
  echo "SKIP: no h5py for /usr/bin/python3 (Debian python3-h5py)"
  [ "$fail" -ne 0 ] && finish
  exit 77
fi
/usr/bin/python3 - "$tmp/sonata/spikes.h5" "$tmp/ras" <<'PY' || fail=1
import sys
import h5py
import numpy as np
path, rasdir = sys.argv[1], sys.argv[2]
bad = []
with h5py.File(path, "r") as f:
    if int(f.attrs["magic"]) != 0x0A7A:
        bad.append("magic %r" % f.attrs["magic"])
    if list(f.attrs["version"]) != [0, 1]:
        bad.append("version %r" % f.attrs["version"])
    if sorted(f["spikes"].keys()) != ["E", "I"]:
        bad.append("groups %r" % list(f["spikes"].keys()))
    for pop in ("E", "I"):
        g = f["spikes"][pop]
        enum = h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype)
        if enum != {"none": 0, "by_id": 1, "by_time": 2}:
            bad.append("%s: sorting enum %r" % (pop, enum))
        if int(g.attrs["sorting"]) != 2:
            bad.append("%s: sorting %r" % (pop, g.attrs["sorting"]))
        ts, ids = g["timestamps"], g["node_ids"]
        if ts.attrs["units"] != "ms":
            bad.append("%s: units %r" % (pop, ts.attrs["units"]))
        if ts.dtype != np.float64 or ids.dtype != np.uint64:
            bad.append("%s: types %s %s" % (pop, ts.dtype, ids.dtype))
        t, k = ts[:], ids[:]
        ras = np.loadtxt("%s/%s.ras" % (rasdir, pop), comments="#", ndmin=2)
        if len(t) != len(ras) or len(k) != len(ras):
            bad.append("%s: %d/%d spikes, .ras has %d" % (pop, len(t), len(k), len(ras)))
            continue
        if np.any(np.diff(t) < 0):
            bad.append("%s: timestamps not in time order" % pop)
        if not np.array_equal(k, ras[:, 1].astype(np.uint64)):
            bad.append("%s: node_ids differ from the .ras ids" % pop)
        # .ras rounds to 1 ns; ms * 1e-3 adds a relative 2^-52 or so
        err = np.max(np.abs(t * 1e-3 - ras[:, 0]))
        if err > 0.5e-9 + 1e-15:
            bad.append("%s: times differ from the .ras by up to %g s" % (pop, err))
        print("%s: %d spikes agree with the .ras (largest time difference %.2g s)"
              % (pop, len(t), err))
for b in bad:
    print("FAIL: sonata:", b)
sys.exit(1 if bad else 0)
PY
finish
