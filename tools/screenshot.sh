#!/usr/bin/env bash
# Renders a triage HTML report the way a reader meets it, with headless Chromium: a screenshot
# of the first screen of a 1280x800 laptop (what is above the fold) and an A4 PDF (what prints).
#
#   tools/screenshot.sh REPORT.html [OUT]   OUT.png and OUT.pdf (default: the report's name)
#   tools/screenshot.sh --incomplete [OUT]  first scans an incomplete sample (the synthetic
#                                           sample beside a gzip stream and a zip cut short),
#                                           so the INCOMPLETE banner shows
#
# Needs chromium (Debian: apt-get install chromium) and, for the page count, pdfinfo
# (poppler-utils). TRIAGE names the binary (default target/debug/triage).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
triage=${TRIAGE:-$here/target/debug/triage}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "screenshot.sh: chromium not found (apt-get install chromium)" >&2; exit 2; }

incomplete_report() {
    local dir=$1 out=$2
    mkdir -p "$dir/sample"
    cp "$here/fixtures/synth/bpjs_sample.csv" "$dir/sample/"
    # A gzip stream and a zip cut short: read until they break (partial).
    cp "$here/fixtures-bad/truncated.csv.gz" "$here/fixtures-bad/truncated.zip" "$dir/sample/"
    "$triage" scan "$dir/sample" --as-of 2025-06-15 --format html -o "$out" || [ $? -eq 3 ]
}

if [ "${1:-}" = "--incomplete" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    out=${2:-incomplete}
    report="$work/report.html"
    incomplete_report "$work" "$report"
else
    report=${1:?usage: tools/screenshot.sh REPORT.html [OUT] | --incomplete [OUT]}
    out=${2:-${report%.html}}
fi

url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-pdf-header-footer)
"$browser" "${flags[@]}" --window-size=1280,800 --screenshot="$out.png" "$url" 2>/dev/null
"$browser" "${flags[@]}" --print-to-pdf="$out.pdf" "$url" 2>/dev/null
echo "$out.png: first screen at 1280x800"
if command -v pdfinfo >/dev/null; then
    pdfinfo "$out.pdf" | grep -E '^(Pages|Page size):' | sed "s|^|$out.pdf: |"
else
    echo "$out.pdf (pdfinfo not found: page count not checked)"
fi
