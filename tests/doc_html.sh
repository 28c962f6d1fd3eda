#!/usr/bin/env bash
# Renders the HTML documentation of a fleet (`hubc doc`) in headless Chromium, with the network
# turned off: screenshots the index and an archetype page and checks that each is a real
# picture of a page (a PNG of 1280x2000 pixels, more than 10 KB); dumps the index as Chromium
# built it from `index.html?q=QUERY` and checks that its script kept exactly the paths that
# contain QUERY; and dumps it with scripts forbidden and checks that every path is listed.
# Run by tests/doc.rs.
#
# Usage: tests/doc_html.sh [HUBC] [OUT_DIR] [FLEET] [QUERY]
#   HUBC     the hubc binary (default: target/debug/hubc)
#   OUT_DIR  where the pages (doc/), the screenshots and the dumps are written (default: a new
#            temporary directory)
#   FLEET    the fleet to document (default: examples/fleet)
#   QUERY    what to search the paths for (default: memory.limit)
#
# Without Chromium, it prints that it skipped and exits 0; under HUBC_REQUIRE_CORPUS (CI) it
# fails instead. Debian: apt-get install -y chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

hubc=${1:-target/debug/hubc}
out=${2:-$(mktemp -d)}
fleet=${3:-examples/fleet}
query=${4:-memory.limit}

. tests/headless.sh
find_browser "the HTML documentation"

mkdir -p "$out"
out=$(cd "$out" && pwd)
pages="$out/doc"
rm -rf "$pages"
"$hubc" --color never --today 2026-11-26 doc "$fleet" -o "$pages" >"$out/hubc.log" 2>&1 || {
  echo "error: hubc doc failed:" >&2
  cat "$out/hubc.log" >&2
  exit 1
}

profile="$out/chromium-profile"

archetype=$(cd "$pages" && ls archetype-*.html | head -n 1)
for page in index.html "$archetype"; do
  png="$out/${page%.html}.png"
  rm -f "$png"
  status=0
  chromium --hide-scrollbars --screenshot="$png" --window-size=1280,2000 "file://$pages/$page" \
    >"$out/chromium.log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] || [ ! -f "$png" ]; then
    echo "error: chromium did not take the screenshot of $page (exit $status):" >&2
    cat "$out/chromium.log" >&2
    exit 1
  fi
  check_png "$png" "the documentation"
  echo "rendered: $png (${width}x${height}, $size bytes)"
done

total=$(grep -c '^<li data-path="' "$pages/index.html")
expected=$(grep '^<li data-path="' "$pages/index.html" | sed 's/^<li data-path="\([^"]*\)".*/\1/' | grep -ciF -- "$query" || true)

# With its script: the paths that contain the query, and only those.
dom="$out/dom-search.html"
chromium --dump-dom "file://$pages/index.html?q=$query" >"$dom" 2>"$out/chromium-dom.log" || {
  echo "error: chromium did not dump the index:" >&2
  cat "$out/chromium-dom.log" >&2
  exit 1
}
shown=$(grep -o '<p id="search-count" data-shown="[0-9]*"' "$dom" | grep -o '[0-9]*' || true)
visible=$(grep '<li data-path="' "$dom" | grep -vc ' hidden=""' || true)
stray=$(grep '<li data-path="' "$dom" | grep -v ' hidden=""' | grep -vciF -- "$query" || true)
if grep -q '<form id="search-form" hidden' "$dom"; then
  echo "error: the script did not show the search form" >&2
  exit 1
fi
if [ -z "$shown" ] || [ "$shown" -ne "$expected" ] || [ "$visible" -ne "$expected" ] || [ "$stray" -ne 0 ]; then
  echo "error: searching for '$query' shows ${shown:-nothing} (${visible} visible, $stray not matching); $expected of $total paths contain it" >&2
  exit 1
fi
if [ "$expected" -eq 0 ] || [ "$expected" -eq "$total" ]; then
  echo "error: '$query' is in $expected of $total paths: the search was not put to the test" >&2
  exit 1
fi

# Without scripts: every path is there, and the form that would do nothing stays hidden. A copy
# of the index whose policy forbids scripts is what a browser with JavaScript turned off shows
# (headless Chromium dumps nothing under `--blink-settings=scriptEnabled=false`).
sed 's|<head>|<head><meta http-equiv="Content-Security-Policy" content="script-src '"'none'"'">|' \
  "$pages/index.html" >"$pages/index-noscript.html"
dom="$out/dom-noscript.html"
chromium --dump-dom "file://$pages/index-noscript.html?q=$query" \
  >"$dom" 2>"$out/chromium-dom.log" || {
  echo "error: chromium did not dump the index without scripts:" >&2
  cat "$out/chromium-dom.log" >&2
  exit 1
}
listed=$(grep '<li data-path="' "$dom" | grep -vc ' hidden=""' || true)
if [ "$listed" -ne "$total" ] || ! grep -q '<form id="search-form" hidden' "$dom"; then
  echo "error: without scripts the index lists $listed of $total paths" >&2
  exit 1
fi
echo "searched: '$query' keeps $expected of $total paths; without scripts all $total are listed"
