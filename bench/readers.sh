#!/usr/bin/env bash
# Per-reader figures (issue 22): one synthetic sample written as an input of about MB
# megabytes in each format triage reads beyond CSV/JSON/SQL, each scanned RUNS times with the
# release build at -j THREADS; prints a Markdown table of the median wall time, MB/s of the
# input's size and the median peak RSS, with the 1-minute load average before each input's
# runs (the machine may be shared: read the figures beside it).
#   bench/readers.sh [MB] [RUNS] [THREADS]        (defaults 100, 3, 2)
# The inputs go to a temporary directory (removed at the end; KEEP=1 keeps it and says where).
# Writers: `triage synth` (the sample), examples/convert.rs (XLSX, as rust_xlsxwriter writes
# it) and examples/readers.rs (the tests' own writers in tests/common for the rest).
set -euo pipefail
mb=${1:-100}
runs=${2:-3}
threads=${3:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release --quiet --bin triage --example convert --example readers
bin=target/release
work=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
  echo "inputs kept in $work" >&2
else
  trap 'rm -rf "$work"' EXIT
fi

# Rows enough for MB of the most compact format, and for the workbook to pass MB.
rows=$((mb * 10000))
"$bin/triage" synth --rows "$rows" --seed 1 --out "$work/sample" > /dev/null
"$bin/examples/readers" "$work/sample/bpjs_sample.csv" "$work/in" "$mb" 2> "$work/readers.log"
# XLSX: about 8,500 rows a megabyte as convert writes it.
head -n $((mb * 8500 + 1)) "$work/sample/bpjs_sample.csv" > "$work/xlsx.csv"
"$bin/examples/convert" "$work/xlsx.csv" "$work/x" xlsx
mv "$work/x/sample.xlsx" "$work/in/people.xlsx"

# Median of the values on stdin.
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "| input | size MB | content MB | median s | MB/s of the file | MB/s of the content | peak RSS MB | load (1 min) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for input in people.xlsx people.dbf people.sqlite people.bson people.pgdump dicom people.pdf \
  people.docx people.odt people.hl7 csv.tar csv.tar.gz csv.7z mail.eml; do
  path="$work/in/$input"
  size=$(du -sb "$path" | cut -f1)
  # The archives and the mail hold MB of CSV; every other input is its own content.
  case $input in csv.* | mail.eml) content=$((mb * 1000000)) ;; *) content=$size ;; esac
  load=$(cut -d' ' -f1 /proc/loadavg)
  "$bin/triage" scan "$path" --no-progress --format json -j "$threads" > /dev/null || true
  : > "$work/times"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -a -o "$work/times" \
      "$bin/triage" scan "$path" --no-progress --format json -j "$threads" > /dev/null || true
  done
  secs=$(cut -d' ' -f1 "$work/times" | median)
  rss=$(cut -d' ' -f2 "$work/times" | median)
  awk -v n="$input" -v b="$size" -v c="$content" -v s="$secs" -v r="$rss" -v l="$load" 'BEGIN {
    t = s > 0 ? s : 0.001
    printf "| %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.0f | %s |\n", n, b / 1e6, c / 1e6, s, b / 1e6 / t, c / 1e6 / t, r / 1024, l
  }'
done
