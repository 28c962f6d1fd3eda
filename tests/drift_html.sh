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

browser=""
for candidate in chromium chromium-browser google-chrome-stable google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then
    browser=$(command -v "$candidate")
    break
  fi
done
if [ -z "$browser" ]; then
  if [ -n "${HUBC_REQUIRE_CORPUS:-}" ]; then
    echo "error: chromium is not installed, and HUBC_REQUIRE_CORPUS is set (apt-get install -y chromium)" >&2
    exit 1
  fi
  echo "skipped: chromium is not installed, so the HTML drift report was not rendered"
  exit 0
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
html="$out/drift.html"
png="$out/drift.png"
rm -f "$png"

"$hubc" --color never --today 2026-11-26 drift "$fleet" --format html >"$html"

# A profile of its own, so that no state from another run (or the user's browser) is read.
profile="$out/chromium-profile"
mkdir -p "$profile"
chromium() {
  timeout 120 "$browser" \
    --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --no-default-browser-check \
    --disable-sync --disable-extensions --user-data-dir="$profile" \
    --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server="127.0.0.1:9" \
    "$@" "file://$html"
}
status=0
chromium --hide-scrollbars --screenshot="$png" --window-size=1280,2000 \
  >"$out/chromium.log" 2>&1 || status=$?
if [ "$status" -ne 0 ] || [ ! -f "$png" ]; then
  echo "error: chromium did not take the screenshot (exit $status):" >&2
  cat "$out/chromium.log" >&2
  exit 1
fi

size=$(wc -c <"$png")
# The PNG signature, then the IHDR chunk: width and height as 4-byte big-endian numbers.
signature=$(od -An -tx1 -N8 "$png" | tr -d ' \n')
read -r -a bytes <<<"$(od -An -tu1 -j16 -N8 "$png")"
width=$(((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]))
height=$(((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]))
if [ "$signature" != "89504e470d0a1a0a" ]; then
  echo "error: $png is not a PNG" >&2
  exit 1
fi
if [ "$width" -ne 1280 ] || [ "$height" -ne 2000 ]; then
  echo "error: $png is ${width}x${height}, not 1280x2000" >&2
  exit 1
fi
if [ "$size" -le 10240 ]; then
  echo "error: $png is $size bytes: a blank page, not the report" >&2
  exit 1
fi

# The page as Chromium built it, after its script ran: the list of communities is drawn.
dom="$out/dom.html"
status=0
chromium --dump-dom >"$dom" 2>"$out/chromium-dom.log" || status=$?
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
