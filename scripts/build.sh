#!/usr/bin/env bash
# Configures (Release) and builds into build/. Extra arguments name make targets.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build -j "$(nproc)" ${1:+--target "$@"}
