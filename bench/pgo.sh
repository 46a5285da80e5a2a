#!/usr/bin/env bash
# Build triage with profile-guided optimisation (PGO) into target/pgo/. See bench/README.md.
#
#   bench/pgo.sh            prints the path of the optimised binary on its last line
#
# Three steps: an instrumented release build; that build scans training samples (synthetic,
# seed 2, so never the benchmark's own seed-1 files; plus fixtures/) and writes a profile of
# the branches it took; a release build that lays out and inlines its code by that profile.
# The source is the same as `cargo build --release`, so summaries are the same; only speed
# differs. Needs rustup's llvm-tools component for `llvm-profdata` (added here if missing).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/target/pgo-work"
TRAIN_ROWS=100000

host=$(rustc -vV | sed -n 's/^host: //p')
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [[ ! -x "$profdata" ]]; then
  echo "== pgo: rustup component add llvm-tools (for llvm-profdata)" >&2
  rustup component add llvm-tools >&2
fi
[[ -x "$profdata" ]] || { echo "pgo: no llvm-profdata at $profdata" >&2; exit 2; }

rm -rf "$WORK/profiles"
mkdir -p "$WORK/profiles" "$WORK/train"

# 1. Instrumented build, in its own target directory so that neither build invalidates the
#    other's cache.
echo "== pgo: instrumented build" >&2
RUSTFLAGS="-Cprofile-generate=$WORK/profiles" \
  cargo build --release --quiet --target-dir "$ROOT/target/pgo-gen"
GEN="$ROOT/target/pgo-gen/release/triage"

# 2. Training: the formats the benchmark reads, at a size that takes seconds, and the
#    fixtures for every other reader. The scan's exit status does not matter here (fixtures
#    hold unreadable files on purpose).
for fmt in csv jsonl; do
  dir="$WORK/train/$fmt"
  if [[ ! -f "$dir/truth.json" ]]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    "$GEN" synth --rows "$TRAIN_ROWS" --seed 2 --out "$dir" --format "$fmt" >/dev/null
  fi
  echo "== pgo: training on $dir" >&2
  "$GEN" scan "$dir" --format json --no-progress >/dev/null
done
"$GEN" scan fixtures --format json --no-progress >/dev/null || true

"$profdata" merge -o "$WORK/merged.profdata" "$WORK"/profiles/*.profraw

# 3. The optimised build. Functions the training never ran are compiled as usual; LLVM's
#    warning about each of them is noise here.
echo "== pgo: optimised build" >&2
RUSTFLAGS="-Cprofile-use=$WORK/merged.profdata -Cllvm-args=-pgo-warn-missing-function=false" \
  cargo build --release --quiet --target-dir "$ROOT/target/pgo"
echo "$ROOT/target/pgo/release/triage"
