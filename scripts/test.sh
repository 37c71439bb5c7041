#!/usr/bin/env bash
# Install what is missing, build everything, run the whole Catch2 suite through ctest.
# Tests that need the real data sets read them from $EAFORMER_DATA (default: data/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
cd build
# Serial: every test already uses all cores through OpenMP; two OpenMP processes
# busy-waiting on the same cores slow each other down by orders of magnitude.
ctest --output-on-failure
