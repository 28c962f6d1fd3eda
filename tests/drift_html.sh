#!/usr/bin/env bash
# Renders the HTML drift report of a fleet in headless Chromium, with the network turned off:
# takes a screenshot and checks that it is a real picture of a page (a PNG of 1280x2000 pixels,
# more than 10 KB), then dumps the page as Chromium built it and checks that its script drew the
# first page of communities. Run by tests/drift.rs.
#
# Usage: tests/drift_html.sh [HUBC] [OUT_DIR] [FLEET]
#   HUBC     the hubc binary (default: target/debug/hubc)
#   OUT_DIR  where drift.html, drift.png and dom.html are written (default: a new temporary
#            directory)
#   FLEET    the fleet to report (default: examples/drifting)
#
# Without Chromium, it prints that it skipped and exits 0; under HUBC_REQUIRE_CORPUS (CI) it
# fails instead. Debian: apt-get install -y chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

hubc=${1:-target/debug/hubc}
out=${2:-$(mktemp -d)}
fleet=${3:-examples/drifting}

. tests/headless.sh
find_browser "the HTML drift report"

mkdir -p "$out"
out=$(cd "$out" && pwd)
html="$out/drift.html"
png="$out/drift.png"
rm -f "$png"

"$hubc" --color never --today 2026-11-26 drift "$fleet" --format html >"$html"

profile="$out/chromium-profile"
status=0
chromium --hide-scrollbars --screenshot="$png" --window-size=1280,2000 "file://$html" \
  >"$out/chromium.log" 2>&1 || status=$?
if [ "$status" -ne 0 ] || [ ! -f "$png" ]; then
  echo "error: chromium did not take the screenshot (exit $status):" >&2
  cat "$out/chromium.log" >&2
  exit 1
fi

check_png "$png" "the report"

# The page as Chromium built it, after its script ran: the list of communities is drawn.
dom="$out/dom.html"
status=0
chromium --dump-dom "file://$html" >"$dom" 2>"$out/chromium-dom.log" || status=$?
if [ "$status" -ne 0 ]; then
  echo "error: chromium did not dump the page (exit $status):" >&2
  cat "$out/chromium-dom.log" >&2
  exit 1
fi
shown=$(grep -o '<div id="community-list" data-shown="[0-9]*"' "$dom" | grep -o '[0-9]*' || true)
drawn=$(grep -o '<details class="community"' "$dom" | wc -l)
if [ -z "$shown" ] || [ "$shown" -eq 0 ] || [ "$drawn" -ne "$shown" ]; then
  echo "error: the page's script did not draw the communities (shown: ${shown:-none}, drawn: $drawn)" >&2
  exit 1
fi
echo "rendered: $png (${width}x${height}, $size bytes) from $html; $drawn communities drawn"
