#!/usr/bin/env bash
# slow: builds the libFuzzer targets with clang in their own build folder and
# runs each for a while on a corpus seeded with the hand-written replies and
# frames under tests/testdata (the same seeds the short runs of the default
# tests start from: fuzz_short.*). Any crash, sanitizer report or leak fails
# the test; the reproducer is kept under build/fuzz/artifacts/.
#   Usage: run_fuzz.sh SOURCE_DIR [SECONDS]
set -euo pipefail
src=$1 seconds=${2:-60}
build="$src/build/fuzz"
command -v clang++ >/dev/null || { echo "FAIL: clang++ is not installed (scripts/install-deps.sh --fuzz)"; exit 1; }
CXX=clang++ cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMULLET_FUZZ=ON -DMULLET_BUILD_BENCH=OFF -DMULLET_BUILD_TESTS=OFF >/dev/null
mkdir -p "$build/artifacts"
# target:seed folder under tests/testdata
for pair in cgminer_reply_fuzz:cgminer summary_scan_fuzz:fuzz/summary_scan luxos_reply_fuzz:fuzz/luxos_reply \
            whatsminer_v3_fuzz:fuzz/whatsminer_v3 modbus_request_fuzz:fuzz/modbus_request \
            api_request_fuzz:fuzz/api_request openadr_events_fuzz:fuzz/openadr_events \
            ercot_page_fuzz:fuzz/ercot_page price_csv_fuzz:fuzz/price_csv; do
  target=${pair%%:*} seeds=${pair#*:}
  cmake --build "$build" --target "$target"
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  find "$src/tests/testdata/$seeds" -type f -exec cp {} "$corpus/" \;
  "$build/$target" "$corpus" -max_total_time="$seconds" -max_len=65536 \
    -artifact_prefix="$build/artifacts/" -print_final_stats=1
done
