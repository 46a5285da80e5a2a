#!/usr/bin/env bash
# The hostile folder (every worst input at once), built and scanned with the release build:
#
#   bench/hostile.sh [--mb 300] [--keep]
#
# The folder holds a single line of --mb MB dense with identifiers (NIKs plain and dashed,
# phones, e-mails, dates, KK and BPJS keywords, decimals), a 2 GiB zip bomb, a triple gzip, a
# CSV with an unterminated quote, a FIFO, symlink loops, a file with a non-UTF-8 name, and a
# good CSV whose counts are known. The scan must finish in under 120 s and 600 MB peak RSS,
# exit 0 or 3, and count the good CSV in full. Everything is synthetic and written here; the
# folder goes to bench/out/hostile/ (git-ignored) and is removed unless --keep.
#
# Exit status: 0 every check held, 1 a check failed, 2 the benchmark could not run.
set -euo pipefail

MB=300
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --mb) MB="${2:?}"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: bench/hostile.sh [--mb 300] [--keep]" >&2; exit 2 ;;
  esac
done
[[ "$MB" =~ ^[1-9][0-9]*$ ]] || { echo "bad --mb: $MB" >&2; exit 2; }

cd "$(dirname "$0")/.."
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet
BIN=$(pwd)/target/release/triage
OUT=bench/out/hostile
rm -rf "$OUT"
mkdir -p "$OUT/dir"

python3 - "$OUT" "$MB" <<'EOF'
import gzip, io, os, sys, zipfile
out, mb = sys.argv[1], int(sys.argv[2])

# The dense line: one record of `mb` MB, no line break. Serials vary so the distinct sets grow.
with open(os.path.join(out, "dense.txt"), "wb") as f:
    written, i = 0, 0
    while written < mb * 1_000_000:
        parts = []
        for _ in range(2000):
            s = i % 10000
            parts.append(
                f"NIK 317101410190{s:04d} hp 0812{i % 100000000:08d} KK 3171010101900{s % 1000:03d} "
                f"bpjs 0001234{s:06d} tgl 01-01-1990 {i}@mail.co.id 3204-0815-0690-{s:04d} "
                f"0.3171014101900{s % 1000:03d} "
            )
            i += 1
        b = "".join(parts).encode()
        f.write(b)
        written += len(b)

# The good CSV: 1,000 people with a valid NIK and its birth date (all confirmed).
rows = ["nik,nama,tgl_lahir"]
for k in range(1000):
    rows.append(f"3171014101{90 + k // 1000:02d}{k + 1:04d},orang {k},1990-01-01")
open(os.path.join(out, "good.csv"), "w").write("\n".join(rows) + "\n")

# A 2 GiB zip bomb: one member of zeros.
with zipfile.ZipFile(os.path.join(out, "bomb.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("zeros.csv", "w", force_zip64=True) as m:
        block = b"\0" * (1 << 20)
        for _ in range(2048):
            m.write(block)

# A triple gzip of a small CSV.
data = "nik,tgl_lahir\n3171014101900002,1990-01-01\n".encode()
for _ in range(3):
    data = gzip.compress(data, mtime=0)
open(os.path.join(out, "triple.csv.gz.gz.gz"), "wb").write(data)

# An unterminated quote at the start of a 100 MB CSV body.
with open(os.path.join(out, "quote.csv"), "wb") as f:
    f.write(b'nik,nama\n"3171014101900002,unterminated\n')
    line = b"3171014101900003,budi\n" * 50_000
    for _ in range(100):
        f.write(line)

# A non-UTF-8 name.
with open(os.path.join(out.encode(), b"dir", b"nama\xff\xfe.txt"), "wb") as f:
    f.write(b"nik 3171014101900002\n")
EOF

mkfifo "$OUT/dir/pipe"
ln -s loop-b "$OUT/dir/loop-a"
ln -s loop-a "$OUT/dir/loop-b"
ln -s .. "$OUT/dir/up"

echo "hostile folder: $(du -sh --apparent-size "$OUT" | cut -f1) in $OUT"
set +e
/usr/bin/time -v "$BIN" scan "$OUT" --format json --no-progress -o "$OUT.summary.json" 2>"$OUT.time"
rc=$?
set -e
secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$OUT.time")
kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT.time")
echo "exit $rc, wall $secs, peak RSS $((kb / 1024)) MB"

(python3 - "$OUT.summary.json" "$OUT.time" "$rc" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
rc = int(sys.argv[3])
wall = [l for l in open(sys.argv[2]) if "Elapsed (wall clock)" in l][0].split(": ")[1].strip()
parts = [float(p) for p in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
kb = int([l for l in open(sys.argv[2]) if "Maximum resident" in l][0].split(": ")[1])
good = [f for f in s["files"] if f["path"] == "good.csv"]
checks = {
    "exit 0 or 3": rc in (0, 3),
    "under 120 s": secs < 120,
    "under 600 MB": kb < 600 * 1024,
    "good.csv scanned, 1000 records, 1000 confirmed": bool(good)
    and good[0]["state"] == "scanned"
    and good[0]["records"] == 1000
    and good[0]["confirmed"] == 1000,
}
for f in s["files"]:
    print(f"  {f['state']:8} {f['format']:10} {f['records']:>10} records  {f['path']}")
for p in s["ledger"]["problems"]:
    print(f"  problem: {p['path']}: {p['state']}: {p['reason']}")
bad = [k for k, ok in checks.items() if not ok]
for k, ok in checks.items():
    print(("ok    " if ok else "FAIL  ") + k)
sys.exit(1 if bad else 0)
EOF
) && status=0 || status=$?
[[ "$KEEP" == 1 ]] || rm -rf "$OUT" "$OUT.summary.json"
exit $status
