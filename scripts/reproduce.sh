#!/usr/bin/env bash
# scripts/reproduce.sh <table> [options]: the runner of the paper's tables (see
# experiments/reproduce.py --help). Builds first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh eaformer > /dev/null
exec python3 experiments/reproduce.py "$@"
