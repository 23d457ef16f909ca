#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The PyNN backend's recording between runs (tests/pynn_recording.py):
# every spike before a run's end in get_data(), record() after the start.
. "$(dirname "$0")/pynn_python.sh"
exec "$PY" "$(dirname "$0")/pynn_recording.py"
