#!/usr/bin/env bash
# slow e2e: the dashboard keeps up with a 100,000-miner fleet. Starts 60,000
# emulated S21 and 40,000 S19 XP (LuxOS, ramps 0) on loopback, `mullet serve`
# on them (a tick every 10 s), then dashboard_scale.mjs in Chromium, which
# prints its figures (web/README.md, "Performance").
#   bash dashboard_scale.sh MULLET_BINARY OUT_DIR [MINERS]
# Uses 127.60.0.0/16, 127.70.0.0/16 and a free port.
set -euo pipefail
M=$(realpath "$1")
OUT=$(realpath -m "$2")
MINERS=${3:-100000}
HERE=$(cd "$(dirname "$0")" && pwd)
ulimit -n "$(ulimit -Hn)"
S21=$((MINERS * 6 / 10))
XP=$((MINERS - S21))
addr() { python3 -c "import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]) + int(sys.argv[2]))" "$1" "$2"; }
S21_LAST=$(addr 127.60.0.1 $((S21 - 1)))
XP_LAST=$(addr 127.70.0.1 $((XP - 1)))
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; wait "${PIDS[i]}" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

EMU=(--firmware luxos --meters 0 --ramp-down-s 0 --ramp-up-s 0)
"$M" emulate --miners "$S21" --first-address 127.60.0.1 --models "Antminer S21" "${EMU[@]}" >"$WORK/emu1.txt" 2>&1 &
PIDS+=($!)
"$M" emulate --miners "$XP" --first-address 127.70.0.1 --models "Antminer S19 XP" "${EMU[@]}" >"$WORK/emu2.txt" 2>&1 &
PIDS+=($!)
for _ in $(seq 600); do
  grep -q "127.60" "$WORK/emu1.txt" 2>/dev/null && grep -q "127.70" "$WORK/emu2.txt" 2>/dev/null && break
  sleep 0.1
done
sleep 1

cat >"$WORK/site.yaml" <<YAML
name: Scale fleet
interconnect_mw: $((MINERS * 4 / 1000 + 100))
contract:
  index:
    fixed_usd_per_mwh: 45
miner_groups:
  - name: s21
    model: Antminer S21
    count: $S21
    addresses: 127.60.0.1-$S21_LAST
    driver: luxminer
    ramp_up_s: 2
    ramp_down_s: 1
    min_on_h: 0
    min_off_h: 0
  - name: s19xp
    model: Antminer S19 XP
    count: $XP
    addresses: 127.70.0.1-$XP_LAST
    driver: luxminer
    ramp_up_s: 2
    ramp_down_s: 1
    min_on_h: 0
    min_off_h: 0
YAML
TOKEN=$("$M" token create --role viewer --label scale --db "$WORK/site.db" 2>/dev/null | tail -1)
"$M" serve "$WORK/site.yaml" --db "$WORK/site.db" --tick-s 10 --max-commands "$MINERS" \
  --listen 127.0.0.1:0 --api-rate 1e6 >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
BASE=
for _ in $(seq 300); do
  BASE=$(grep -o 'API on http://[0-9.:]*' "$WORK/serve.log" | head -1 | cut -d' ' -f3) && [[ -n $BASE ]] && break
  sleep 0.1
done
[[ -n $BASE ]] || { cat "$WORK/serve.log" >&2; exit 1; }
cd "$HERE/../.."
node tests/e2e/dashboard_scale.mjs "$BASE" "$TOKEN" "$MINERS" "$OUT"
