#!/usr/bin/env bash
# Seeds every fuzz target's corpus from the fixtures (nothing large is committed):
#   bash fuzz/seed.sh          then   cd fuzz && cargo +nightly fuzz run TARGET -- -max_len=65536
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
c="$here/corpus"
# One selector byte: the format, chunk size or field role a target reads from its input.
byte() { printf "$(printf '\\x%02x' "$1")"; }
mkdir -p "$c"/{scan_text,records,sql,archive,workbook,detect,tar,sevenz,mail,record_readers}
# Text readers: every text fixture (each prefixed by a selector byte per target).
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  for t in scan_text records sql; do
    { byte $((n % 256)); head -c 65536 "$f"; } > "$c/$t/seed-$n"
  done
done < <(find "$root/fixtures/tricky" "$root/fixtures/synth" "$root/fixtures/formats" \
  -type f \( -name '*.csv' -o -name '*.tsv' -o -name '*.json' -o -name '*.jsonl' \
  -o -name '*.sql' -o -name '*.txt' -o -name '*.log' \) -print0)
# Archives and workbooks: the real containers, damaged ones included, and streams made here.
for f in "$root"/fixtures/formats/*.{zip,gz,xlsx} "$root"/fixtures-bad/*; do
  cp "$f" "$c/archive/$(basename "$f")"
done
cp "$root/fixtures/formats/people.xlsx" "$c/workbook/"
cp "$root/fixtures/formats/bundle.zip" "$c/workbook/"
src="$root/fixtures/tricky/people.tsv"
command -v bzip2 >/dev/null && bzip2 -c "$src" > "$c/archive/people.tsv.bz2"
command -v xz >/dev/null && xz -c "$src" > "$c/archive/people.tsv.xz"
command -v zstd >/dev/null && zstd -q -c "$src" > "$c/archive/people.tsv.zst"
gzip -c "$root/fixtures/formats/export.csv.gz" > "$c/archive/twice.csv.gz.gz"
# Tar, 7z and e-mail: the committed fixtures, and a 7z made here when a 7z tool is installed.
cp "$root"/fixtures/formats/*.tar "$root"/fixtures/formats/*.tar.gz "$c/tar/"
cp "$root"/fixtures/formats/*.eml "$root"/fixtures/formats/*.mbox "$c/mail/"
# 7-Zip is `7z` (p7zip) or `7zz` (7zip); solid LZMA2, and one with encrypted headers.
sz=$(command -v 7z || command -v 7zz || true)
if [ -n "$sz" ]; then
  "$sz" a -bd -bso0 "$c/sevenz/people.7z" "$src" "$root/fixtures/tricky/card_field.csv"
  "$sz" a -bd -bso0 -mhe=on -pfuzz "$c/sevenz/encrypted.7z" "$src"
fi
# Record readers: each format's fixture behind its selector byte (the order of
# `formats::records::Records::ALL`).
m="$root/fixtures/formats"
i=0
for f in "$m/people.dbf" "$m/people.sqlite" "$m/people.bson" "$m/people.pgdump" \
  "$m/medical/IM0000.dcm" "$m/medical/adt_batch.hl7" "$m/people.pdf" "$m/people.docx" \
  "$m/people.odt"; do
  { byte $i; head -c 65536 "$f"; } > "$c/record_readers/$(basename "$f")"
  i=$((i + 1))
done
{ byte 4; head -c 65536 "$m/medical/DICOMDIR"; } > "$c/record_readers/DICOMDIR"
# Detectors: one value per line of the identifier fixtures, with a role byte.
i=0
for f in nik_rules.txt nik_spaced.txt phones.txt emails.txt kk_keyword.txt card_keyword.txt dates_text.txt; do
  while IFS= read -r line; do
    i=$((i + 1))
    { byte $((i % 9)); printf '%s' "$line"; } > "$c/detect/seed-$i"
  done < "$root/fixtures/tricky/$f"
done
echo "seeded: $(for t in "$c"/*; do printf '%s=%s ' "$(basename "$t")" "$(ls "$t" | wc -l)"; done)"
