#!/usr/bin/env bash
# Every test: install what is missing, build the dev preset (debug, ASan and
# UBSan), and run CTest. Tests read the real history from ../shared/data.
#   bash scripts/test.sh           # all but the tests labelled slow
#   bash scripts/test.sh --all     # slow ones too
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--all" ]; then
  bash scripts/install-deps.sh --test --fuzz
else
  bash scripts/install-deps.sh --test
fi
cmake --preset dev >/dev/null
cmake --build --preset dev
if [ "${1:-}" = "--all" ]; then
  ctest --test-dir build/dev --output-on-failure -j 2 --no-tests=error
else
  ctest --preset dev
fi
