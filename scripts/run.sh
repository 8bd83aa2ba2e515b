#!/usr/bin/env bash
# The main job: install what is missing, build the release preset, and run
# mullet on the built-in default (no data directory, no network).
#   bash scripts/run.sh                  # mullet econ --models --power-usd-per-kwh 0.05
#   bash scripts/run.sh econ --help      # any other mullet command line
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target mullet
if [ $# -eq 0 ]; then
  set -- econ --models --power-usd-per-kwh 0.05
fi
exec ./build/release/mullet "$@"
