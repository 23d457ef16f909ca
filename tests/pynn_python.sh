# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn — for the PyNN backend's tests (sourced, not run): $PY, a Python
# that imports PyNN, Neo, cffi and NumPy (configure's $PYTHON, else python3,
# else Debian's /usr/bin/python3, whose python3-pynn another python3 on the
# PATH may not see), and PYTHONPATH with this build's python/ folders
# (PYNN_PYTHONPATH, from AM_TESTS_ENVIRONMENT). Exits 77 (skipped) when no
# Python has PyNN.
PY=
for py in "${PYTHON:-}" python3 /usr/bin/python3; do
  if test -n "$py" && test "$py" != : &&
     "$py" -c 'import pyNN, neo, cffi, numpy' >/dev/null 2>&1; then
    PY=$py
    break
  fi
done
if test -z "$PY"; then
  echo "SKIP: no Python with pyNN, neo, cffi and numpy (Debian: python3-pynn python3-cffi)"
  exit 77
fi
PYTHONPATH="${PYNN_PYTHONPATH:?set by make check}${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
echo "python: $PY"
