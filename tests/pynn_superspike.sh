#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# SuperSpike on the PyNN backend (tests/pynn_superspike.py): S1 as a PyNN
# script learns as models/s1_single.ini (learning.tsv byte for byte), the
# learner's weights and errors.
. "$(dirname "$0")/pynn_python.sh"
exec "$PY" "$(dirname "$0")/pynn_superspike.py"
