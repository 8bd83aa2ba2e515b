#!/usr/bin/env bash
# slow: builds the libFuzzer targets with clang in their own build folder and
# runs each for a short while on a corpus seeded with the hand-written replies.
# Any crash, sanitizer report or leak fails the test; the reproducer is kept
# under build/fuzz/artifacts/.   Usage: run_fuzz.sh SOURCE_DIR [SECONDS]
set -euo pipefail
src=$1 seconds=${2:-60}
build="$src/build/fuzz"
command -v clang++ >/dev/null || { echo "FAIL: clang++ is not installed (scripts/install-deps.sh --fuzz)"; exit 1; }
CXX=clang++ cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMULLET_FUZZ=ON -DMULLET_BUILD_BENCH=OFF -DMULLET_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target cgminer_reply_fuzz
corpus="$build/corpus/cgminer_reply"
mkdir -p "$corpus" "$build/artifacts"
find "$src/tests/testdata/cgminer" -type f -exec cp {} "$corpus/" \;
"$build/cgminer_reply_fuzz" "$corpus" -max_total_time="$seconds" -max_len=65536 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1
