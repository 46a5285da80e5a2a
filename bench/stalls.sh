#!/usr/bin/env bash
# Where a scan's time goes beside where its instructions go. See bench/README.md
# ("Profiling": time against instructions).
#
#   bench/stalls.sh FILE [THRESHOLD]
#
# Runs `triage scan FILE -j1` twice: under `perf record -e cpu-clock` (samples of time; the
# software clock works in VMs without hardware counters) and under callgrind (instructions).
# Prints each function's share of the time beside its share of the instructions, sha2
# removed from both (valgrind hides SHA-NI, so its count there is another backend's), for
# every function with at least THRESHOLD percent of the time (default 0.4). A ratio well
# above 1 is time the instruction count cannot see: mispredicted branches, cache misses,
# loads waiting for stores they could not be forwarded from. The binary is $TRIAGE, or the
# release build.
# Exit: 0 printed, 2 the measurement could not run.
set -euo pipefail

FILE=${1:?usage: bench/stalls.sh FILE [THRESHOLD]}
THRESHOLD=${2:-0.4}
cd "$(dirname "$0")/.."
TRIAGE=${TRIAGE:-target/release/triage}
for tool in perf valgrind callgrind_annotate python3; do
  command -v "$tool" >/dev/null || { echo "bench/stalls.sh: needs $tool" >&2; exit 2; }
done
[[ -x "$TRIAGE" ]] || { echo "bench/stalls.sh: no binary at $TRIAGE (cargo build --release)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

perf record -q -e cpu-clock -F 10000 -o "$work/perf.data" \
  "$TRIAGE" scan "$FILE" -j1 --no-progress -o "$work/perf.out" >/dev/null 2>&1 \
  || { echo "bench/stalls.sh: perf record failed" >&2; exit 2; }
valgrind --tool=callgrind --callgrind-out-file="$work/cg" \
  "$TRIAGE" scan "$FILE" -j1 --no-progress -o "$work/cg.out" >/dev/null 2>&1 \
  || { echo "bench/stalls.sh: callgrind failed" >&2; exit 2; }
perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null >"$work/perf.txt"
callgrind_annotate --auto=no --threshold=100 "$work/cg" >"$work/cg.txt" 2>/dev/null

python3 - "$work/perf.txt" "$work/cg.txt" "$THRESHOLD" <<'PY'
import re, sys

perf_txt, cg_txt, threshold = sys.argv[1], sys.argv[2], float(sys.argv[3])

def is_sha(name):
    return name.startswith("sha2::")

# callgrind: self instructions by function (a function's lines from several source files
# are added up; `'2` marks a recursion level of the same function).
instr, total = {}, 0
for line in open(cg_txt):
    if "PROGRAM TOTALS" in line:
        continue
    m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+\S+?:(.*?)(\s+\[.*\])?\s*$", line)
    if not m:
        continue
    name = re.sub(r"'\d+$", "", m[2].strip())
    n = int(m[1].replace(",", ""))
    if not is_sha(name):
        instr[name] = instr.get(name, 0) + n
        total += n

# perf: self share of the samples by symbol.
rows = []
for line in open(perf_txt):
    m = re.match(r"\s*([\d.]+)%\s+\[(.)\]\s+(.*?)\s*$", line)
    if m:
        rows.append((float(m[1]), re.sub(r"(\s+-)+$", "", m[3])))
sha = sum(p for p, s in rows if is_sha(s))
print(f"sha2: {sha:.1f}% of the time (removed below)")
print(f"{'function':60s} {'time%':>6s} {'instr%':>6s} {'ratio':>5s}")
for p, s in rows:
    if is_sha(s):
        continue
    p = 100 * p / (100 - sha) if sha < 100 else 0
    if p < threshold:
        continue
    i = 100 * instr.get(s, 0) / total if total else 0
    ratio = f"{p / i:5.2f}" if i else "    -"
    print(f"{s[:60]:60s} {p:6.2f} {i:6.2f} {ratio}")
PY
