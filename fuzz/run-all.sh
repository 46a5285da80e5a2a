#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 300), one after the other on one core,
# from a corpus seeded by seed.sh; a crash stops that target and leaves its input in
# fuzz/artifacts/TARGET/. The last libFuzzer status line of each run goes to fuzz/logs/.
#   bash fuzz/run-all.sh [SECONDS] [TARGET...]
# FUZZ_FLAGS holds extra options for `cargo fuzz run` (e.g. `-s none`).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
secs=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(scan_text records sql archive workbook detect record_readers tar sevenz mail)
[ -d corpus ] || bash seed.sh
mkdir -p logs
for t in "${targets[@]}"; do
  start=$(date +%s)
  cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=65536 \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 > "logs/$t.log" 2>&1
  rc=$?
  end=$(date +%s)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$')
  echo "$t: exit $rc, $((end - start)) s, ${execs:-?} executions, $(ls "corpus/$t" | wc -l) corpus files, $(ls "artifacts/$t" 2>/dev/null | wc -l) artifacts"
done
