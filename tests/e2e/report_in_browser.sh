#!/usr/bin/env bash
# e2e: a 2024 backtest of the example hybrid site on real history writes a
# report that opens in a real browser (Debian's headless Chromium): the page
# renders its headline, its charts and every scenario, and loads nothing from
# the network. Usage: report_in_browser.sh MULLET_BINARY EXAMPLES_DIR DATA_DIR
set -euo pipefail
mullet=$1 examples=$2 data=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$mullet" backtest "$examples/hybrid_west_texas.yaml" --data "$data" \
  --from 2024-01-01 --to 2025-01-01 --out "$work/out" >/dev/null 2>"$work/log"
test -s "$work/out/report.html" || { echo "no report.html"; cat "$work/log"; exit 1; }

browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "FAIL: chromium is not installed (scripts/install-deps.sh --test installs it)"; exit 1; }
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --user-data-dir="$work/profile")
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/out/report.html" >"$work/dom.html" 2>"$work/browser.log"
timeout 120 "$browser" "${flags[@]}" --window-size=1280,2000 --screenshot="$work/page.png" \
  "file://$work/out/report.html" >/dev/null 2>>"$work/browser.log"

fail=0
check() {  # check DESCRIPTION PATTERN: the rendered DOM must contain PATTERN
  if grep -q -- "$2" "$work/dom.html"; then echo "ok: $1"; else echo "FAIL: $1 ($2 not in the rendered page)"; fail=1; fi
}
check "title" "West Texas 100 MW hybrid"
check "headline section" ">Headline<"
check "comparison section" "mullet vs baselines"
check "scenario hybrid" ">hybrid<"
check "scenario all-mining" ">all-mining<"
check "scenario all-ai" ">all-ai<"
check "charts render as SVG" "<svg"
check "monthly table" "2024-12"
if grep -qE '(src|href)="https?:' "$work/dom.html"; then echo "FAIL: the page loads from the network"; fail=1; fi
size=$(stat -c %s "$work/page.png" 2>/dev/null || echo 0)
if [ "$size" -gt 20000 ]; then echo "ok: screenshot ${size} bytes"; else echo "FAIL: screenshot missing or blank (${size} bytes)"; fail=1; fi
exit $fail
