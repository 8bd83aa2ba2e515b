#!/usr/bin/env bash
# Whole-process figures of `mullet serve` controlling a large emulated fleet
# on this machine (README, Performance):
#   1. a `summary` sweep of the fleet by a bare epoll client (the physical
#      limit: connect, send, read until close, nothing else) and by
#      `mullet fleet status --summary-only`;
#   2. `mullet serve` on the fleet: tick time, resident memory;
#   3. a reduce-to event that puts the whole mining fleet to sleep: time from
#      the POST to every command confirmed by measurement, and back after the
#      cancel;
#   4. API throughput (wrk, installed when missing).
#
#   bash bench/serve_fleet.sh [MINERS]      (default 100000; 60 % S21, 40 % S19 XP)
#
# Environment: RAMP_S (the emulated LuxOS ramp down and up, default 0 to time
# the controller alone; the firmware's own is 4 s down, 8 s up), TICK_S
# (default 10), EMU_PROCESSES (per emulator, default: as the descriptor limit
# needs), BUILD (default build/release). Uses 127.60.0.0/16 and 127.70.0.0/16
# and port 18090.
set -euo pipefail
cd "$(dirname "$0")/.."
MINERS=${1:-100000}
RAMP_S=${RAMP_S:-0}
TICK_S=${TICK_S:-10}
BUILD=${BUILD:-build/release}
M=$BUILD/mullet
BARE=$BUILD/bench/mullet_bare_sweep
[[ -x $M && -x $BARE ]] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
command -v wrk >/dev/null || sudo_apt=1
if [[ ${sudo_apt:-0} == 1 ]]; then
  if [[ $(id -u) == 0 ]]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; else sudo apt-get install -y -q wrk >/dev/null; fi
fi
ulimit -n "$(ulimit -Hn)"

S21=$((MINERS * 6 / 10))
XP=$((MINERS - S21))
addr() { python3 -c "import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]) + int(sys.argv[2]))" "$1" "$2"; }
S21_LAST=$(addr 127.60.0.1 $((S21 - 1)))
XP_LAST=$(addr 127.70.0.1 $((XP - 1)))
WORK=$(mktemp -d)
PIDS=()
# The daemon first, then the fleet: a tick never sees the emulators go.
cleanup() {
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; wait "${PIDS[i]}" 2>/dev/null || true; done
  [[ -n ${KEEP:-} ]] || rm -rf "$WORK"
}
trap cleanup EXIT
[[ -n ${KEEP:-} ]] && echo "work folder: $WORK"

EMU=(--firmware luxos --meters 0 --ramp-down-s "$RAMP_S" --ramp-up-s "$RAMP_S")
[[ -n ${EMU_PROCESSES:-} ]] && EMU+=(--processes "$EMU_PROCESSES")
"$M" emulate --miners "$S21" --first-address 127.60.0.1 --models "Antminer S21" "${EMU[@]}" >"$WORK/emu1.txt" 2>&1 &
PIDS+=($!)
"$M" emulate --miners "$XP" --first-address 127.70.0.1 --models "Antminer S19 XP" "${EMU[@]}" >"$WORK/emu2.txt" 2>&1 &
PIDS+=($!)
for _ in $(seq 600); do
  grep -q "listening\|127.60" "$WORK/emu1.txt" 2>/dev/null && grep -q "listening\|127.70" "$WORK/emu2.txt" 2>/dev/null && break
  sleep 0.1
done
sleep 1
echo "fleet: $S21 S21 on 127.60.0.1-$S21_LAST, $XP S19 XP on 127.70.0.1-$XP_LAST (LuxOS, ramps ${RAMP_S} s); $(head -c 200 "$WORK/emu1.txt" | head -1)"

echo "== 1. summary sweep, 3 runs each"
for run in 1 2 3; do
  a=$("$BARE" 127.60.0.1 "$S21"); b=$("$BARE" 127.70.0.1 "$XP")
  echo "bare client: $a | $b"
done
for run in 1 2 3; do
  /usr/bin/time -f "%e s wall, %M KiB peak" "$M" fleet status "127.60.0.1-$S21_LAST,127.70.0.1-$XP_LAST" \
    --summary-only --json >/dev/null 2>"$WORK/time.txt" || true
  echo "mullet fleet status --summary-only: $(tail -1 "$WORK/time.txt")"
done

cat >"$WORK/site.yaml" <<YAML
name: Bench fleet
interconnect_mw: $((MINERS * 4 / 1000 + 100))
contract:
  index:
    fixed_usd_per_mwh: 45
cooling:
  pue_air: 1.08
  pue_liquid: 1.25
miner_groups:
  - name: s21
    model: Antminer S21
    count: $S21
    addresses: 127.60.0.1-$S21_LAST
    driver: luxminer
    ramp_up_s: $((RAMP_S + 2))
    ramp_down_s: $((RAMP_S + 1))
    min_on_h: 0
    min_off_h: 0
  - name: s19xp
    model: Antminer S19 XP
    count: $XP
    addresses: 127.70.0.1-$XP_LAST
    driver: luxminer
    ramp_up_s: $((RAMP_S + 2))
    ramp_down_s: $((RAMP_S + 1))
    min_on_h: 0
    min_off_h: 0
ai:
  colocation:
    - name: tenant
      contracted_it_mw: 10
      usd_per_kw_month: 125
      load_factor: 0.85
      cooling: liquid
YAML

echo "== 2. mullet serve, tick every $TICK_S s"
"$M" serve "$WORK/site.yaml" --db "$WORK/bench.db" --tick-s "$TICK_S" --max-commands "$MINERS" \
  --listen 127.0.0.1:18090 --api-rate 1e6 >"$WORK/serve.log" 2>&1 &
SERVE=$!
PIDS+=($SERVE)
for _ in $(seq 600); do grep -q "msg=tick" "$WORK/serve.log" && break; sleep 0.1; done
echo -n "tick durations (s):"
for _ in 1 2 3 4; do sleep "$TICK_S"; echo -n " $(curl -s http://127.0.0.1:18090/metrics | awk '$1 == "mullet_tick_duration_seconds" { print $2 }')"; done
echo
echo "resident: $(grep -E 'VmRSS|VmHWM' /proc/$SERVE/status | tr -s ' \n' ' ')"
TOKEN=$("$M" token create --role operator --db "$WORK/bench.db" 2>/dev/null | tail -1)

metric() { curl -s http://127.0.0.1:18090/metrics | awk -v k="$1" '$1 == k { print $2 }'; }
wait_settled() {  # until a tick after the write has run and nothing is dispatched or pending
  local t0=$1 want=$2 ticks=$3
  for _ in $(seq 3000); do
    local d c p n
    n=$(metric 'mullet_ticks_total')
    d=$(metric 'mullet_targets{state="dispatched"}'); c=$(metric 'mullet_targets{state="confirmed"}')
    p=$(metric 'mullet_targets{state="pending"}')
    if [[ ${n:-0} -gt $ticks && ${d:-1} == 0 && ${p:-1} == 0 && ${c:-0} -ge $want ]]; then
      python3 -c "import time,sys; print(f'{time.time() - float(sys.argv[1]):.2f} s', end='')" "$t0"
      echo " ($c confirmed)"; return 0
    fi
    sleep 0.05
  done
  echo "not settled"; return 1
}
echo "== 3. a reduce-to event of 11 MW (the AI tenant's 10.6 MW stays): nearly every miner to sleep"
ticks=$(metric 'mullet_ticks_total')
t0=$(date +%s.%N)
ID=$(curl -s -H "Authorization: Bearer $TOKEN" -d '{"type":"reduce-to","kw":11000}' http://127.0.0.1:18090/api/v1/events |
  python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
echo -n "event posted -> every command confirmed: "; wait_settled "$t0" 1 "$ticks"
grep "msg=tick" "$WORK/serve.log" | tail -1 | grep -o "slept=[0-9]* .*refused=[0-9]*\|took_s=[0-9.]*" | tr '\n' ' '; echo
grep "every command confirmed" "$WORK/serve.log" | tail -1 || true
echo "resident: $(grep -E 'VmRSS|VmHWM' /proc/$SERVE/status | tr -s ' \n' ' ')"
ticks=$(metric 'mullet_ticks_total')
t0=$(date +%s.%N)
curl -s -X DELETE -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18090/api/v1/events/$ID" >/dev/null
echo -n "event cancelled -> every wake confirmed: "; wait_settled "$t0" 1 "$ticks"
grep "msg=tick" "$WORK/serve.log" | tail -1 | grep -o "woken=[0-9]* .*refused=[0-9]*\|took_s=[0-9.]*" | tr '\n' ' '; echo

echo "== 4. API throughput (wrk, 2 threads, 32 connections, 10 s)"
for path in /healthz /api/v1/site /metrics; do
  echo "$path: $(wrk -t2 -c32 -d10s "http://127.0.0.1:18090$path" | grep -E 'Requests/sec|Latency|Non-2xx' | tr -s ' \n' ' ')"
done
echo "resident at the end: $(grep -E 'VmRSS|VmHWM' /proc/$SERVE/status | tr -s ' \n' ' ')"
