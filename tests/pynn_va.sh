#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The Vogels-Abbott benchmarks through PyNN on pynn_evsnn against
# pyNN.brian2's rates (tests/pynn_va.py).
. "$(dirname "$0")/pynn_python.sh"
exec "$PY" "$(dirname "$0")/pynn_va.py"
