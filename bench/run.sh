#!/usr/bin/env bash
# Benchmark `triage scan` against ripgrep on synthetic samples. See bench/README.md.
#
#   bench/run.sh [--rows N[,N...]] [--formats csv,jsonl,mysql,pg] [--runs 5] [--threads 1,2] [--pgo | --against BIN]
#
# mysql and pg are the csv sample of the same size written as a MySQL dump (extended INSERTs)
# or a PostgreSQL COPY block by `cargo run --release --example convert`; same truth.json.
#
# --pgo also builds triage with profile-guided optimisation (bench/pgo.sh) and times that
# binary in the same hyperfine runs, beside the plain release build. --against BIN times another
# triage build (say, one of the commit before a change) the same way, as `triage-base`: a
# before/after comparison in one run, on the same machine state. Either one must write the same
# summary as the release build (`run` aside), or the benchmark fails.
#
# Everything is written under bench/out/ (git-ignored); the table is printed and saved to
# bench/out/results.md. Exit status: 0 all good, 1 a truth.json comparison failed, other
# non-zero = the benchmark itself could not run.
set -euo pipefail

usage() {
  sed -n '4p' "$0" | sed 's/^#   /usage: /' >&2
  exit 2
}

ROWS=1000000
FORMATS=csv
RUNS=5
THREADS=2
PGO=0
AGAINST=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) ROWS="${2:?}"; shift 2 ;;
    --rows=*) ROWS="${1#*=}"; shift ;;
    --formats) FORMATS="${2:?}"; shift 2 ;;
    --formats=*) FORMATS="${1#*=}"; shift ;;
    --runs) RUNS="${2:?}"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --threads) THREADS="${2:?}"; shift 2 ;;
    --threads=*) THREADS="${1#*=}"; shift ;;
    --pgo) PGO=1; shift ;;
    --against) AGAINST="${2:?}"; shift 2 ;;
    --against=*) AGAINST="${1#*=}"; shift ;;
    -h|--help) usage ;;
    *) echo "bench/run.sh: unknown argument: $1" >&2; usage ;;
  esac
done

IFS=, read -r -a ROWS_LIST <<<"$ROWS"
IFS=, read -r -a FORMAT_LIST <<<"$FORMATS"
IFS=, read -r -a THREAD_LIST <<<"$THREADS"
for n in "${ROWS_LIST[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bad --rows value: $n" >&2; exit 2; }
done
for f in "${FORMAT_LIST[@]}"; do
  [[ "$f" =~ ^(csv|jsonl|mysql|pg)$ ]] || { echo "bad --formats value: $f (csv|jsonl|mysql|pg)" >&2; exit 2; }
done
for t in "${THREAD_LIST[@]}"; do
  [[ "$t" =~ ^[1-9][0-9]*$ ]] || { echo "bad --threads value: $t" >&2; exit 2; }
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "bad --runs value: $RUNS" >&2; exit 2; }

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=bench/out
mkdir -p "$OUT"

for tool in rg hyperfine python3 cargo; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool (apt-get install -y ripgrep hyperfine time)" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "missing /usr/bin/time (apt-get install -y time)" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------
# 1. Build.
echo "== cargo build --release" >&2
cargo build --release --quiet
TRIAGE="$ROOT/target/release/triage"
[[ -x "$TRIAGE" ]] || { echo "no $TRIAGE after build" >&2; exit 2; }
# The other build timed beside the release build: PGO, or the one given by --against.
OTHER=
OTHER_NAME=
if [[ $PGO -eq 1 && -n "$AGAINST" ]]; then
  echo "bench/run.sh: --pgo and --against are one slot: give one" >&2; exit 2
fi
if [[ -n "$AGAINST" ]]; then
  OTHER=$(realpath "$AGAINST")
  OTHER_NAME=triage-base
  [[ -x "$OTHER" ]] || { echo "--against $AGAINST: not an executable" >&2; exit 2; }
fi
if [[ $PGO -eq 1 ]]; then
  OTHER=$(bench/pgo.sh | tail -1)
  OTHER_NAME=triage-pgo
  [[ -x "$OTHER" ]] || { echo "bench/pgo.sh built no binary" >&2; exit 2; }
fi

# The baseline's four regexes: the `shape` of the nik, bpjs_card, phone and email patterns.
# Printed as `-e 'REGEX'` words, shell-quoted, for hyperfine's shell.
RG_ARGS=$(python3 - patterns/identifiers.toml <<'PY'
import shlex, sys, tomllib
with open(sys.argv[1], "rb") as f:
    pats = {p["kind"]: p for p in tomllib.load(f)["pattern"]}
words = []
for kind in ("nik", "bpjs_card", "phone", "email"):
    if kind not in pats or "shape" not in pats[kind]:
        sys.exit(f"patterns/identifiers.toml: no shape for {kind}")
    words += ["-e", pats[kind]["shape"]]
print(shlex.join(words))
PY
)
echo "== rg baseline patterns: $RG_ARGS" >&2

# ---------------------------------------------------------------------------------------------
MISMATCH=0
META_FILES=()

# Writes the `triage synth` sample of $1 rows in format $2 (csv or jsonl) with its truth.json
# into $OUT/$1-$2, unless a finished one is there.
synth_sample() {
  local rows=$1 fmt=$2
  local dir="$OUT/$rows-$fmt" file="$OUT/$rows-$fmt/bpjs_sample.$fmt"
  # The marker lives next to the directory, not in it, so that `triage scan DIR` sees
  # exactly what synth wrote.
  local done_marker="$OUT/$rows-$fmt.done"
  if [[ -f "$done_marker" && -f "$file" && -f "$dir/truth.json" ]]; then
    echo "== $rows-$fmt: reusing $file" >&2
    return
  fi
  echo "== $rows-$fmt: triage synth --rows $rows --seed 1 --format $fmt" >&2
  rm -rf "$dir" "$done_marker"
  mkdir -p "$dir"
  "$TRIAGE" synth --rows "$rows" --seed 1 --out "$dir" --format "$fmt"
  [[ -f "$file" ]] || { echo "synth did not write $file" >&2; exit 2; }
  [[ -f "$dir/truth.json" ]] || { echo "synth did not write $dir/truth.json" >&2; exit 2; }
  touch "$done_marker"
}

# Writes the csv sample of $1 rows as an SQL dump ($2: mysql or pg) into $OUT/$1-$2, with the
# csv sample's truth.json (the counts do not depend on the format), unless one is there.
dump_sample() {
  local rows=$1 fmt=$2
  local dir="$OUT/$rows-$fmt" done_marker="$OUT/$rows-$fmt.done"
  if [[ -f "$done_marker" && -f "$dir/bpjs_sample.sql" && -f "$dir/truth.json" ]]; then
    echo "== $rows-$fmt: reusing $dir/bpjs_sample.sql" >&2
    return
  fi
  synth_sample "$rows" csv
  echo "== $rows-$fmt: examples/convert $OUT/$rows-csv/bpjs_sample.csv $fmt" >&2
  rm -rf "$dir" "$done_marker"
  mkdir -p "$dir"
  cargo run --release --quiet --example convert -- "$OUT/$rows-csv/bpjs_sample.csv" "$dir" "$fmt"
  mv "$dir/sample_$fmt.sql" "$dir/bpjs_sample.sql"
  cp "$OUT/$rows-csv/truth.json" "$dir/truth.json"
  touch "$done_marker"
}

for rows in "${ROWS_LIST[@]}"; do
  for fmt in "${FORMAT_LIST[@]}"; do
    name="$rows-$fmt"
    dir="$OUT/$name"

    # 2. Generate once.
    case "$fmt" in
      csv | jsonl) synth_sample "$rows" "$fmt"; file="$dir/bpjs_sample.$fmt" ;;
      *) dump_sample "$rows" "$fmt"; file="$dir/bpjs_sample.sql" ;;
    esac
    bytes=$(stat -c %s "$file")
    echo "== $name: $(du -sh "$dir" | cut -f1) on disk, sample $bytes bytes" >&2

    # 3. Warm the page cache.
    cat "$file" >/dev/null

    # 4. All commands side by side, interleaved: one warm-up round, then $RUNS rounds that
    # each time every command once, in turn (one `hyperfine --runs 1` a round). A shift in
    # this shared machine's speed then moves every command alike; one hyperfine call timing
    # each command $RUNS times in a row let it move one command and not the next, and the
    # ratios of two such calls on the same code differed by up to a fifth.
    qfile=$(printf '%q' "$file")
    hf_args=()
    for t in "${THREAD_LIST[@]}"; do
      hf_args+=(-n "triage -j$t"
        "$(printf '%q' "$TRIAGE") scan $qfile --format json --no-progress -j $t >/dev/null")
    done
    if [[ -n "$OTHER" ]]; then
      for t in "${THREAD_LIST[@]}"; do
        hf_args+=(-n "$OTHER_NAME -j$t"
          "$(printf '%q' "$OTHER") scan $qfile --format json --no-progress -j $t >/dev/null")
      done
    fi
    # rg exits 1 when nothing matches: that is not a failure here (2 is).
    hf_args+=(-n "rg" "rg --no-config --count-matches $RG_ARGS $qfile >/dev/null || test \$? -eq 1")
    echo "== $name: hyperfine, warm-up round" >&2
    hyperfine --runs 1 "${hf_args[@]}" >/dev/null 2>&1 || true
    round_files=()
    for ((r = 1; r <= RUNS; r++)); do
      echo "== $name: hyperfine, round $r of $RUNS" >&2
      round_files+=("$OUT/$name.round$r.json")
      hyperfine --runs 1 --export-json "$OUT/$name.round$r.json" "${hf_args[@]}" >&2
    done
    # The rounds as one hyperfine export: every command's times, their median, and user and
    # system time as means over the rounds (what one `hyperfine --runs N` would report).
    python3 - "$OUT/$name.hyperfine.json" "${round_files[@]}" <<'PY'
import json, statistics, sys
out, *rounds = sys.argv[1:]
merged = {}
for path in rounds:
    for r in json.load(open(path))["results"]:
        m = merged.setdefault(r["command"], {"command": r["command"], "times": [], "user": [], "system": []})
        m["times"] += r["times"]
        m["user"].append(r["user"])
        m["system"].append(r["system"])
results = []
for m in merged.values():
    m["median"] = statistics.median(m["times"])
    m["user"] = statistics.mean(m["user"])
    m["system"] = statistics.mean(m["system"])
    results.append(m)
json.dump({"results": results, "rounds": len(rounds)}, open(out, "w"), indent=1)
PY
    rm -f "${round_files[@]}"

    # 5. Peak RSS of one `triage scan -j 2`.
    rss_log="$OUT/$name.time.txt"
    rc=0
    /usr/bin/time -v -o "$rss_log" "$TRIAGE" scan "$file" --format json --no-progress -j 2 >/dev/null || rc=$?
    [[ $rc -eq 0 ]] || echo "== $name: warning: triage scan -j 2 exited $rc under /usr/bin/time" >&2
    rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$rss_log")
    [[ -n "$rss_kb" ]] || rss_kb=0

    # 7. Correctness in passing: scan the directory, compare with truth.json.
    summary="$OUT/$name.summary.json"
    rc=0
    "$TRIAGE" scan "$dir" --format json --no-progress >"$summary" 2>"$OUT/$name.scan.err" || rc=$?
    echo "== $name: triage scan $dir exited $rc" >&2
    if ! python3 - "$dir/truth.json" "$summary" "$name" <<'PY'
import json, math, sys

truth_path, summary_path, name = sys.argv[1:4]
with open(truth_path) as f:
    truth = json.load(f)
try:
    with open(summary_path) as f:
        summary = json.load(f)
except (OSError, ValueError) as e:
    print(f"truth {name}: MISMATCH: summary is not JSON ({e})")
    sys.exit(1)

MISSING = object()
mismatches = []

def get(node, path):
    for key in path:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return MISSING
    return node

def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b

def walk(node, path):
    if isinstance(node, dict) and node:
        for k, v in node.items():
            if not path and k in ("schema", "rows", "seed"):
                continue
            walk(v, path + [k])
    elif isinstance(node, list) and node:
        got = get(summary, path)
        if isinstance(got, list) and len(got) != len(node):
            mismatches.append((path, f"{len(node)} items", f"{len(got)} items"))
        for i, v in enumerate(node):
            walk(v, path + [i])
    else:
        got = get(summary, path)
        if got is MISSING:
            mismatches.append((path, node, "missing"))
        elif not same(node, got):
            mismatches.append((path, node, got))

walk(truth, [])
fmt_path = lambda p: ".".join(str(k) if not isinstance(k, int) else f"[{k}]" for k in p)
if not mismatches:
    print(f"truth {name}: OK")
    sys.exit(0)
print(f"truth {name}: {len(mismatches)} MISMATCH(ES) (path: truth.json vs summary)")
for path, want, got in mismatches[:50]:
    print(f"  {fmt_path(path)}: {json.dumps(want)} vs {got if got == 'missing' else json.dumps(got)}")
if len(mismatches) > 50:
    print(f"  ... and {len(mismatches) - 50} more")
sys.exit(1)
PY
    then
      MISMATCH=1
    fi
    # The other build must say the same (PGO: the same source; --against: a change that
    # keeps behaviour), `run` and the scan's start (`custody.started`) aside.
    if [[ -n "$OTHER" ]]; then
      "$OTHER" scan "$dir" --format json --no-progress >"$OUT/$name.other.summary.json" \
        2>/dev/null || true
      if ! python3 - "$summary" "$OUT/$name.other.summary.json" "$name" "$OTHER_NAME" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for s in (a, b):
    s.pop("run", None)
    s.get("custody", {}).pop("started", None)
same = a == b
print(f"{sys.argv[4]} {sys.argv[3]}: {'same summary' if same else 'SUMMARY DIFFERS from the plain build'}")
sys.exit(0 if same else 1)
PY
      then
        MISMATCH=1
      fi
    fi

    meta="$OUT/$name.meta.json"
    python3 - "$meta" "$file" "$bytes" "$rss_kb" "$OUT/$name.hyperfine.json" <<'PY'
import json, sys
meta, file, size, rss_kb, hf = sys.argv[1:6]
json.dump({"file": file, "bytes": int(size), "rss_kb": int(rss_kb), "hyperfine": hf},
          open(meta, "w"))
PY
    META_FILES+=("$meta")
  done
done

# ---------------------------------------------------------------------------------------------
# 6. The table, plus machine facts.
nproc_n=$(nproc)
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
[[ -n "$cpu" ]] || cpu=$(uname -m)
rg_v=$(rg --version | sed -n 1p)
hf_v=$(hyperfine --version | sed -n 1p)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff --quiet HEAD 2>/dev/null; then rev="$rev-dirty"; fi

python3 - "$OUT/results.md" "$THREADS" "$nproc_n" "$cpu" "$rg_v" "$hf_v" "$rev" "$RUNS" "$OTHER_NAME" \
  "$OTHER" \
  "${META_FILES[@]}" <<'PY'
import datetime, json, statistics, sys

out, threads, nproc, cpu, rg_v, hf_v, rev, runs, other, other_bin, *metas = sys.argv[1:]
threads = [int(t) for t in threads.split(",")]
MB = 1e6

def secs(x):
    return f"{x:.4g}" if x is not None else "–"

def mbps(x):
    return f"{x:.1f}" if x is not None else "–"

# The -j used for the triage/rg ratio: -j2 if measured, else the largest thread count.
ratio_t = 2 if 2 in threads else max(threads)
names = [f"triage -j{t}" for t in threads]
if other:
    names += [f"{other} -j{t}" for t in threads]
names += ["rg"]

head = ["file", "size MB"]
for n in names:
    head += [f"{n} s", f"{n} MB/s"]
head += [f"triage -j{ratio_t} / rg"]
if other:
    head += [f"{other} -j{ratio_t} / rg", f"triage / {other} -j{ratio_t}"]
speedup = 1 in threads and 2 in threads
if speedup:
    # CPU time beside the ratio: a -j2 run that spent much more CPU than -j1 for the same
    # work had a contended second core, which the wall-clock ratio alone does not show.
    head += ["-j2 vs -j1", "CPU s -j1 / -j2"]
head += ["peak RSS MB (-j2)"]

rows = []
for m in metas:
    meta = json.load(open(m))
    hf = json.load(open(meta["hyperfine"]))
    med, cpu_s = {}, {}
    for r in hf["results"]:
        med[r["command"]] = r["median"] if r.get("median") is not None else statistics.median(r["times"])
        # hyperfine reports user and system time as means over the runs.
        if r.get("user") is not None and r.get("system") is not None:
            cpu_s[r["command"]] = r["user"] + r["system"]
    size = meta["bytes"] / MB
    row = [meta["file"].removeprefix("bench/out/"), f"{size:.1f}"]
    for n in names:
        s = med.get(n)
        row += [secs(s), mbps(size / s) if s else "–"]
    t, g = med.get(f"triage -j{ratio_t}"), med.get("rg")
    # Throughput ratio = (size / t) / (size / g) = g / t.
    row.append(f"{g / t:.2f}×" if t and g else "–")
    if other:
        tp = med.get(f"{other} -j{ratio_t}")
        row.append(f"{g / tp:.2f}×" if tp and g else "–")
        # Throughput of this build over the other's: above 1 = this build is faster.
        row.append(f"{tp / t:.2f}×" if tp and t else "–")
    if speedup:
        j1, j2 = med.get("triage -j1"), med.get("triage -j2")
        row.append(f"{j1 / j2:.2f}×" if j1 and j2 else "–")
        c1, c2 = cpu_s.get("triage -j1"), cpu_s.get("triage -j2")
        row.append(f"{c1:.2f} / {c2:.2f}" if c1 is not None and c2 is not None else "–")
    row.append(f"{meta['rss_kb'] * 1024 / MB:.1f}" if meta["rss_kb"] else "–")
    rows.append(row)

now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
lines = [
    f"Benchmark of `triage scan` vs `rg --count-matches` (same four patterns), {now}, git {rev}",
    "",
    f"- machine: {nproc} CPUs ({cpu})",
    f"- {rg_v}; {hf_v}",
    *([f"- triage-pgo: the same source built by bench/pgo.sh (profile-guided optimisation)"]
      if other == "triage-pgo" else []),
    *([f"- triage-base: {other_bin} (--against), timed in the same rounds"]
      if other == "triage-base" else []),
    f"- hyperfine: one warm-up round, then {runs} interleaved rounds (each times every command "
    "once, in turn), page cache warm; times are medians in seconds; MB = 10^6 bytes; "
    "CPU = user + system, mean over the rounds",
    "",
    "| " + " | ".join(head) + " |",
    "|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|",
]
lines += ["| " + " | ".join(r) + " |" for r in rows]
text = "\n".join(lines) + "\n"
print()
print(text, end="")
with open(out, "w") as f:
    f.write(text)
PY
echo "(saved to $OUT/results.md)" >&2

if [[ $MISMATCH -ne 0 ]]; then
  echo "truth: MISMATCH (see above)" >&2
  exit 1
fi
echo "truth: OK"
