#!/usr/bin/env python3
"""Checks a sharded triage run against one scan of the same dump (issue 24).

    check.py SINGLE.json SHARD.json... [--merged MERGED.json]

Shards: their ledgers are disjoint and together are the single scan's ledger, row for row
(path, format, state, bytes, records, confirmed, valid), and their ledger and record counts
add up to its counts. Merged (when given): the merged summary equals the single scan outside
`run` and `custody.started`, the only parts that differ between two runs.
Prints what it checked; exits 1 on any difference.
"""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_shards(single, shards):
    problems = []
    rows = [r for s in shards for r in s["files"]]
    paths = [r["path"] for r in rows]
    if len(paths) != len(set(paths)):
        problems.append("shards overlap: some entry is in two shards")
    union = sorted(rows, key=lambda r: r["path"])
    if union != single["files"]:
        problems.append(
            f"the shards' ledgers ({len(union)} rows) differ from the single scan's "
            f"({len(single['files'])} rows)"
        )
    for section, keys in [
        ("ledger", ["entries", "bytes", "scanned", "partial", "skipped", "failed"]),
        ("records", ["total", "with_candidates", "with_valid_nik", "confirmed"]),
    ]:
        for k in keys:
            got = sum(s[section][k] for s in shards)
            if got != single[section][k]:
                problems.append(f"{section}.{k}: shards add up to {got}, single scan {single[section][k]}")
    print(
        f"shards: {len(shards)} summaries, {len(union)} ledger rows, "
        f"{sum(s['records']['total'] for s in shards)} records, "
        f"{sum(s['ledger']['bytes'] for s in shards)} bytes; "
        + ("union = single scan" if not problems else "DIFFERENT")
    )
    return problems


def outside_run(v):
    v = dict(v)
    v.pop("run", None)
    if isinstance(v.get("custody"), dict):
        v["custody"] = {k: x for k, x in v["custody"].items() if k != "started"}
    return v


def main(argv):
    merged = None
    if "--merged" in argv:
        i = argv.index("--merged")
        merged = argv[i + 1]
        argv = argv[:i] + argv[i + 2 :]
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    single = load(argv[0])
    problems = check_shards(single, [load(p) for p in argv[1:]])
    if merged is not None:
        same = outside_run(load(merged)) == outside_run(single)
        print("merged: " + ("= single scan outside run and custody.started" if same else "DIFFERENT"))
        if not same:
            problems.append("the merged summary differs from the single scan")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
