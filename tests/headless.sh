# Headless Chromium for the scripts that render hubc's HTML (tests/drift_html.sh,
# tests/doc_html.sh), sourced by them: finding the browser, running it with the network turned
# off and a profile of its own, and checking a screenshot.

# Sets `browser` to the Chromium on PATH. Without one, prints that WHAT was not rendered and
# exits 0; under HUBC_REQUIRE_CORPUS (CI) it fails instead.
find_browser() {
  local what=$1 candidate
  browser=""
  for candidate in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then
      browser=$(command -v "$candidate")
      return
    fi
  done
  if [ -n "${HUBC_REQUIRE_CORPUS:-}" ]; then
    echo "error: chromium is not installed, and HUBC_REQUIRE_CORPUS is set (apt-get install -y chromium)" >&2
    exit 1
  fi
  echo "skipped: chromium is not installed, so $what was not rendered"
  exit 0
}

# Runs the browser headless on ARGS (the page's URL among them), with the network turned off
# and the profile in `$profile`, its own, so that no state from another run (or the user's
# browser) is read.
chromium() {
  mkdir -p "$profile"
  timeout 120 "$browser" \
    --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --no-default-browser-check \
    --disable-sync --disable-extensions --user-data-dir="$profile" \
    --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server="127.0.0.1:9" \
    "$@"
}

# Checks that a screenshot is a PNG of 1280x2000 pixels with more than a blank page in it (more
# than 10 KB), WHAT naming what it should show; sets `width`, `height` and `size`.
check_png() {
  local png=$1 what=$2 signature
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
    echo "error: $png is $size bytes: a blank page, not $what" >&2
    exit 1
  fi
}
