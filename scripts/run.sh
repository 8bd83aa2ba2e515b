#!/usr/bin/env bash
# The main job: install what is missing, build the release preset, and run
# mullet on the built-in default (no data directory, no network): a backtest
# of the example 100 MW hybrid site over the built-in market year, writing
# out/backtest/{summary.json,timeseries.csv,report.html}.
#   bash scripts/run.sh                  # the backtest above
#   bash scripts/run.sh econ --models    # any other mullet command line
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target mullet
if [ $# -eq 0 ]; then
  ./build/release/mullet backtest examples/hybrid_west_texas.yaml --out out/backtest
  echo "Open out/backtest/report.html in a browser."
  exit 0
fi
exec ./build/release/mullet "$@"
