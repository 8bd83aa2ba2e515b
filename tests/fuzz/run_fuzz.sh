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

# The emulated meter's Modbus TCP request handling, seeded with hand-written
# frames: a float read, an input-register read of 125, an unknown function, a
# zero quantity, two pipelined requests and a bad protocol id.
cmake --build "$build" --target modbus_request_fuzz
corpus="$build/corpus/modbus_request"
mkdir -p "$corpus"
printf '\x00\x01\x00\x00\x00\x06\x01\x03\x00\x00\x00\x02' >"$corpus/read_float"
printf '\x00\x02\x00\x00\x00\x06\x01\x04\x00\x00\x00\x7d' >"$corpus/read_input_125"
printf '\x00\x03\x00\x00\x00\x06\x01\x10\x00\x00\x00\x01' >"$corpus/illegal_function"
printf '\x00\x04\x00\x00\x00\x06\x01\x03\x00\x00\x00\x00' >"$corpus/zero_quantity"
printf '\x00\x05\x00\x00\x00\x06\x01\x03\x00\x10\x00\x02\x00\x06\x00\x00\x00\x06\x01\x03\x00\x08\x00\x02' \
  >"$corpus/pipelined"
printf '\x00\x07\x00\x01\x00\x06\x01\x03\x00\x00\x00\x02' >"$corpus/bad_protocol"
"$build/modbus_request_fuzz" "$corpus" -max_total_time="$seconds" -max_len=1024 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1

# Whatsminer API V3, both sides: the driver's frame and reply readers and the
# emulator's request handler take the same bytes. Seeded with requests (salt,
# status sections, a signed write), replies (the documented summary, an error)
# and one length-prefixed frame.
cmake --build "$build" --target whatsminer_v3_fuzz
corpus="$build/corpus/whatsminer_v3"
mkdir -p "$corpus"
printf '%s' '{"cmd":"get.device.info","param":"salt"}' >"$corpus/salt"
printf '%s' '{"cmd":"get.miner.status","param":"summary+pools+edevs"}' >"$corpus/status"
printf '%s' '{"cmd":"set.miner.power_limit","param":3000,"ts":1700000000,"account":"super","token":"zbkIwOj0"}' \
  >"$corpus/write"
printf '%s' '{"code":0,"when":1692685476,"msg":{"summary":{"elapsed":1074,"hash-realtime":101.847,"power-realtime":3268,"power-limit":3500,"board-temperature":[69.6,70.1],"fan-speed-in":4980,"up-freq-finish":1}},"desc":"get.miner.status"}' \
  >"$corpus/summary_reply"
printf '%s' '{"code":-4,"when":1,"msg":"invalid token","desc":"set.miner.service"}' >"$corpus/error_reply"
printf '\x0a\x00\x00\x00{"code":0}' >"$corpus/frame"
"$build/whatsminer_v3_fuzz" "$corpus" -max_total_time="$seconds" -max_len=65536 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1
