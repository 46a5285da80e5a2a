#!/usr/bin/env bash
# Many small files: `triage scan` against `rg -uuu -c` on a tree of tiny files. See bench/README.md.
#
#   bench/small-files.sh [--files N] [--runs R] [--against BIN] [--callgrind]
#
# Writes (once, reproducibly) bench/out/small-N/: N files of about 30 bytes in nested
# directories (patient/exam/file), one in 8 holding a synthetic NIK or phone line, one in 500
# named like a DICOM or PDF export. Then times, in one hyperfine call (-N, R runs each, medians):
#   triage scan TREE -j2 --no-progress --format json -o FILE
#   rg -uuu -c <the four shapes of bench/run.sh> TREE
# (and BIN the same way with --against), prints the ratio and each triage's peak RSS
# (/usr/bin/time -v). --callgrind also counts the instructions of one -j1 scan and prints them
# per file. Output under bench/out/ (git-ignored). Exit 0, or non-zero if it could not run.
set -euo pipefail

usage() {
  sed -n '4p' "$0" | sed 's/^#   /usage: /' >&2
  exit 2
}

FILES=200000
RUNS=5
AGAINST=
CALLGRIND=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) FILES="${2:?}"; shift 2 ;;
    --runs) RUNS="${2:?}"; shift 2 ;;
    --against) AGAINST="${2:?}"; shift 2 ;;
    --callgrind) CALLGRIND=1; shift ;;
    -h|--help) usage ;;
    *) echo "bench/small-files.sh: unknown argument: $1" >&2; usage ;;
  esac
done
[[ "$FILES" =~ ^[1-9][0-9]*$ ]] || { echo "bad --files value: $FILES" >&2; exit 2; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "bad --runs value: $RUNS" >&2; exit 2; }

cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
for tool in rg hyperfine python3 cargo; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "missing /usr/bin/time (apt-get install -y time)" >&2; exit 2; }

echo "== cargo build --release" >&2
cargo build --release --quiet
TRIAGE="$(pwd)/target/release/triage"

# The tree: written by a seeded generator, so every run and machine gets the same bytes.
TREE="$OUT/small-$FILES"
if [[ ! -f "$TREE.done" ]]; then
  echo "== writing $FILES small files into $TREE" >&2
  rm -rf "$TREE"
  python3 - "$TREE" "$FILES" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(26)
for i in range(n):
    d = os.path.join(root, f"p{i // 1000:04d}", f"exam{i // 100 % 10}")
    if i % 100 == 0:
        os.makedirs(d, exist_ok=True)
    ext = ("dcm", "pdf")[i // 500 % 2] if i % 500 == 7 else "txt"
    if i % 8 == 0:
        # A synthetic NIK (region 32 01 01, a birth date, a serial) or a synthetic mobile number.
        line = (f"nik 320101{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}"
                f"{rng.randint(60, 99)}{rng.randint(1, 9999):04d}\n"
                if i % 16 == 0 else f"hp 0812{rng.randint(0, 99999999):08d}\n")
    else:
        line = f"visit {i:07d} ok {rng.randint(0, 999999):06d}\n"
    with open(os.path.join(d, f"r{i:07d}.{ext}"), "w") as f:
        f.write(line.ljust(29) + "\n")
PY
  touch "$TREE.done"
fi

RG_ARGS=$(python3 - patterns/identifiers.toml <<'PY'
import shlex, sys, tomllib
with open(sys.argv[1], "rb") as f:
    pats = {p["kind"]: p for p in tomllib.load(f)["pattern"]}
words = []
for kind in ("nik", "bpjs_card", "phone", "email"):
    words += ["-e", pats[kind]["shape"]]
print(shlex.join(words))
PY
)

scan() { echo "$1 scan $TREE -j2 --no-progress --format json -o $OUT/small-$2.json"; }
hf=(-N --warmup 1 --runs "$RUNS" --export-json "$OUT/small-$FILES.hyperfine.json")
hf+=(-n triage "$(scan "$TRIAGE" triage)")
[[ -n "$AGAINST" ]] && hf+=(-n triage-base "$(scan "$AGAINST" base)")
hf+=(-n rg "rg --no-config -uuu -c $RG_ARGS $TREE")
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
hyperfine "${hf[@]}" >&2

peak() { /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'; }
echo
python3 - "$OUT/small-$FILES.hyperfine.json" "$FILES" <<'PY'
import json, statistics, sys
res = {r["command"]: statistics.median(r["times"]) for r in json.load(open(sys.argv[1]))["results"]}
rg = res["rg"]
print(f"{sys.argv[2]} files of ~30 bytes, medians of hyperfine -N:")
for name, t in res.items():
    print(f"  {name:12} {t:7.3f} s   {t / rg:5.2f}x rg")
PY
echo "  peak RSS triage -j2: $(peak "$TRIAGE" scan "$TREE" -j2 --no-progress --format json -o "$OUT/small-rss.json") KB"
[[ -n "$AGAINST" ]] && echo "  peak RSS triage-base -j2: $(peak "$AGAINST" scan "$TREE" -j2 --no-progress --format json -o "$OUT/small-rss.json") KB"

if [[ "$CALLGRIND" == 1 ]]; then
  command -v valgrind >/dev/null || { echo "missing tool: valgrind" >&2; exit 2; }
  cg="$OUT/small-$FILES.callgrind"
  valgrind --tool=callgrind --callgrind-out-file="$cg" "$TRIAGE" scan "$TREE" -j1 --no-progress \
    --format json -o "$OUT/small-cg.json" 2>"$cg.log"
  total=$(sed -n 's/^summary: //p' "$cg")
  echo "  callgrind -j1: $total instructions, $((total / FILES)) per file ($cg)"
fi
