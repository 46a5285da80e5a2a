#!/usr/bin/env bash
# Instructions per record under callgrind, against the budget in bench/budget.txt. See
# bench/README.md ("Instruction budget").
#
#   bench/instructions.sh [--rows N] [--update]
#
# Builds the release binary (or takes $TRIAGE), writes the `triage synth --rows N --seed 1`
# CSV and JSON Lines samples (default 100000 rows) and a start-up copy of each (the CSV header
# alone; the first JSON Lines record), and counts the instructions of `triage scan FILE -j1`
# on each. Per record = (sample − start-up) / records. Valgrind hides SHA-NI, so the custody
# hash runs sha2's soft backend here and costs far more than on the machine: each figure is
# given with and without the functions of `sha2::sha256` (their self counts; the soft
# backend calls nothing else). The figure without the hash is held to the budget (+3%).
# --update writes the figures measured now into bench/budget.txt instead.
# Exit: 0 within budget, 1 over it, 2 the measurement could not run.
set -euo pipefail

ROWS=100000
UPDATE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) ROWS="${2:?}"; shift 2 ;;
    --update) UPDATE=1; shift ;;
    -h|--help) sed -n '5p' "$0" | sed 's/^#   /usage: /' >&2; exit 2 ;;
    *) echo "bench/instructions.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$ROWS" =~ ^[1-9][0-9]*$ ]] || { echo "bad --rows value: $ROWS" >&2; exit 2; }

cd "$(dirname "$0")/.."
for tool in valgrind callgrind_annotate python3; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool (apt-get install -y valgrind)" >&2; exit 2; }
done
if [[ -z "${TRIAGE:-}" ]]; then
  echo "== cargo build --release" >&2
  cargo build --release --quiet || exit 2
  TRIAGE="$(pwd)/target/release/triage"
fi
OUT=bench/out/instructions
mkdir -p "$OUT"

# Instructions of one -j1 scan of $2, written to $OUT/$1.callgrind: "TOTAL SHA".
count() {
  local cg="$OUT/$1.callgrind"
  valgrind --tool=callgrind --callgrind-out-file="$cg" "$TRIAGE" scan "$2" -j1 --no-progress \
    --format json -o "$OUT/$1.json" 2>"$cg.log" || { cat "$cg.log" >&2; exit 2; }
  callgrind_annotate --auto=no --threshold=100 "$cg" 2>/dev/null | python3 -c '
import sys
total = sha = 0
for line in sys.stdin:
    # "  1,234 ( 0.01%)  FILE:FUNCTION [OBJECT]"; code of sha2 inlined elsewhere keeps its name.
    if "PROGRAM TOTALS" in line:
        total = int(line.split()[0].replace(",", ""))
    elif ":sha2::sha256::" in line:
        sha += int(line.split()[0].replace(",", ""))
print(total, sha)'
}

declare -A PER PER_HASH
for fmt in csv jsonl; do
  dir="$OUT/$ROWS-$fmt" file="$OUT/$ROWS-$fmt/bpjs_sample.$fmt"
  if [[ ! -f "$dir.done" ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    "$TRIAGE" synth --rows "$ROWS" --seed 1 --out "$dir" --format "$fmt" >/dev/null 2>&1 || exit 2
    head -n 1 "$file" >"$OUT/start-$fmt.$fmt"
    touch "$dir.done"
  fi
  # The CSV start-up copy holds no record; the JSON Lines one holds the first.
  records=$ROWS
  [[ "$fmt" == jsonl ]] && records=$((ROWS - 1))
  echo "== callgrind: $fmt, $ROWS rows and start-up" >&2
  read -r all all_sha < <(count "$ROWS-$fmt" "$file")
  read -r start start_sha < <(count "start-$fmt" "$OUT/start-$fmt.$fmt")
  PER_HASH[$fmt]=$(((all - start) / records))
  PER[$fmt]=$(((all - all_sha - start + start_sha) / records))
  printf '%-6s %13d instructions (start-up %d), %d of them sha2; per record: %d, %d without sha2\n' \
    "$fmt" "$all" "$start" "$all_sha" "${PER_HASH[$fmt]}" "${PER[$fmt]}"
done

BUDGET=bench/budget.txt
if [[ "$UPDATE" == 1 ]]; then
  { sed -n '/^#/p' "$BUDGET" 2>/dev/null || true
    for fmt in csv jsonl; do echo "$fmt ${PER[$fmt]}"; done; } >"$BUDGET.new"
  mv "$BUDGET.new" "$BUDGET"
  echo "budget updated: $(grep -v '^#' "$BUDGET" | tr '\n' ' ')"
  exit 0
fi
status=0
for fmt in csv jsonl; do
  budget=$(sed -n "s/^$fmt \([0-9]*\)$/\1/p" "$BUDGET")
  [[ -n "$budget" ]] || { echo "no $fmt line in $BUDGET" >&2; exit 2; }
  limit=$((budget * 103 / 100))
  if ((PER[$fmt] > limit)); then
    echo "OVER BUDGET: $fmt ${PER[$fmt]} instructions per record > $limit ($budget + 3%)"
    status=1
  else
    echo "within budget: $fmt ${PER[$fmt]} instructions per record <= $limit ($budget + 3%)"
  fi
done
exit "$status"
