#!/usr/bin/env bash
# Renders an HTML report in headless Chromium (Debian package `chromium`) and writes a PNG, to
# check by eye that the report looks right in a real browser.
#
#   scripts/html-screenshot.sh [REPORT.html] [OUT.png]
#
# Without REPORT, scans fixtures/ into target/report.html first. Chromium runs without
# network use (no background networking, no component updates, a throw-away profile), and
# the report itself loads nothing from the network.
set -euo pipefail
cd "$(dirname "$0")/.."
report=${1:-}
out=${2:-target/report.png}
if [[ -z $report ]]; then
    report=target/report.html
    cargo run --release --quiet -- scan fixtures/ --no-progress --format html -o "$report" \
        --as-of 2025-06-15 || [[ $? == 3 ]]
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
    echo "no chromium: apt-get install -y chromium" >&2
    exit 2
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1200,${HEIGHT:-4200} \
    --screenshot="$(realpath -m "$out")" "file://$(realpath "$report")" 2>/dev/null
echo "wrote $out"
