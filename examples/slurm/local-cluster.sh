#!/usr/bin/env bash
# Proves the Slurm example on this one machine (issue 24): installs Debian's slurm-wlm and
# munge, starts a one-node cluster (munged, slurmctld and slurmd on localhost; cons_tres, no
# accounting), generates a dump (triage synth, split into 11 files of several formats,
# archives among them), submits the shard array (SHARDS tasks) and the dependent merge with
# submit.sh, waits, and checks the outcome against one scan of the same dump (check.py).
#
#   sudo bash examples/slurm/local-cluster.sh         # run, then stop the daemons it started
#   sudo KEEP=1 bash examples/slurm/local-cluster.sh  # leave the cluster up (sinfo, squeue)
#   sudo bash examples/slurm/local-cluster.sh stop    # stop what a KEEP=1 run left
#
# Environment: WORK (default /tmp/triage-slurm: config, spool, logs, dump, states, outputs;
# remade on every run), SHARDS (default 8), ROWS (default 20000), TRIAGE (a built triage;
# default target/release/triage, built when missing), TRIAGE_KEY_FILE (default: a key made
# under WORK). Needs root (packages, daemons). Re-runnable: a run first stops the daemons an
# earlier run left, by the pid files under WORK, and starts from a clean controller state.
# Without `scan --state` and `merge` in the triage build, the merge job is still submitted
# after the array and must fail with its clear message, and the check is the shards' ledgers
# against the single scan; with them, the merged summary must equal the single scan.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
WORK=${WORK:-/tmp/triage-slurm}
SHARDS=${SHARDS:-8}
ROWS=${ROWS:-20000}
conf=$WORK/etc/slurm.conf

say() { printf '==> %s\n' "$*"; }
die() { printf 'local-cluster: %s\n' "$*" >&2; exit 1; }

stop_daemons() {
    local f pid
    for f in "$WORK"/run/slurmd.pid "$WORK"/run/slurmctld.pid "$WORK"/run/munged.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
        rm -f "$f"
    done
}

install_packages() {
    local need=()
    for p in slurm-wlm munge gzip xz-utils bzip2 tar python3; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
    done
    [ ${#need[@]} = 0 ] && return
    say "installing ${need[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
}

start_munge() {
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
        say "munged already answers: using it"
        return
    fi
    [ -f /etc/munge/munge.key ] || runuser -u munge -- mungekey --create
    install -d -o munge -g munge -m 0755 /run/munge
    runuser -u munge -- munged
    for _ in $(seq 50); do
        if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
            # Ours to stop: a copy of the pid munged wrote as the munge user.
            cp /run/munge/munged.pid "$WORK/run/munged.pid"
            return
        fi
        sleep 0.1
    done
    die "munged did not start (see /var/log/munge/munged.log)"
}

write_conf() {
    local host node
    host=$(hostname -s)
    # The node as slurmd sees it (CPUs, sockets, memory), so slurmctld accepts it as is.
    node=$(slurmd -C | head -1)
    install -d "$WORK"/{etc,spool/ctld,spool/d,log,run}
    cat >"$conf" <<CONF
# One-node demo cluster for examples/slurm (written by local-cluster.sh).
ClusterName=triage-demo
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$WORK/spool/ctld
SlurmdSpoolDir=$WORK/spool/d
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=demo Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

start_slurm() {
    export SLURM_CONF=$conf
    slurmctld -c -f "$conf"
    slurmd -f "$conf"
    local host
    host=$(hostname -s)
    for _ in $(seq 100); do
        case $(sinfo -h -n "$host" -o %t 2>/dev/null) in
            idle*|mix*|alloc*) return ;;
            down*|drain*) scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
        esac
        sleep 0.2
    done
    sinfo || true
    die "the node did not come up: see $WORK/log/slurmd.log and $WORK/log/slurmctld.log"
}

build_triage() {
    TRIAGE=${TRIAGE:-$repo/target/release/triage}
    if [ ! -x "$TRIAGE" ]; then
        say "building triage (cargo build --release)"
        (cd "$repo" && cargo build --release --quiet)
    fi
    # The binary the jobs run, on the "shared file system" (here: WORK).
    install -D -m 0755 "$TRIAGE" "$WORK/bin/triage"
    TRIAGE=$WORK/bin/triage
}

# A dump of 11 files: a synthetic CSV cut into 8 parts (plain, gzip, xz, zip, tar.gz) and a
# JSON Lines sample cut into 2 (plain, bzip2), in nested folders.
make_dump() {
    local d=$WORK/dump s=$WORK/synth
    rm -rf "$d" "$s"
    mkdir -p "$d"/{ministry/2021,ministry/2022,export,misc}
    "$TRIAGE" synth --rows "$ROWS" --seed 24 --out "$s/csv" 2>/dev/null
    "$TRIAGE" synth --rows $((ROWS / 4)) --seed 25 --format jsonl --out "$s/jsonl" 2>/dev/null
    local csv=$s/csv/bpjs_sample.csv
    head -1 "$csv" >"$s/header"
    tail -n +2 "$csv" >"$s/rows"
    split -n l/8 -d -a 1 "$s/rows" "$s/part-"
    for i in 0 1 2 3 4 5 6 7; do cat "$s/header" "$s/part-$i" >"$s/p$i.csv"; done
    # Fixed times and no names in the headers: the same ROWS give the same bytes every run.
    touch -d '2021-05-20 00:00:00 UTC' "$s"/p?.csv
    cp "$s/p0.csv" "$d/ministry/2021/peserta.csv"
    cp "$s/p1.csv" "$d/ministry/2021/peserta-2.csv"
    gzip -n -c "$s/p2.csv" >"$d/ministry/2022/peserta.csv.gz"
    xz -c "$s/p3.csv" >"$d/ministry/2022/peserta-2.csv.xz"
    (cd "$s" && python3 -m zipfile -c "$d/export/batch.zip" p4.csv p5.csv)
    tar -C "$s" --mtime='2021-05-20 00:00:00 UTC' --owner=0 --group=0 --numeric-owner \
        -cf - p6.csv | gzip -n >"$d/export/batch.tar.gz"
    cp "$s/p7.csv" "$d/misc/sisa.csv"
    split -n l/2 -d -a 1 "$s/jsonl/bpjs_sample.jsonl" "$s/j-"
    cp "$s/j-0" "$d/misc/people.jsonl"
    bzip2 -c "$s/j-1" >"$d/misc/people-2.jsonl.bz2"
    printf 'catatan: dump dibagi untuk uji\n' >"$d/README.txt"
    : >"$d/misc/empty.csv"
    echo "$(find "$d" -type f | wc -l) files, $(du -sb "$d" | cut -f1) bytes"
}

job_states() {
    scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort | uniq -c \
        | tr '\n' ' '
}

wait_for() {
    local ids=$1
    for _ in $(seq 1200); do
        [ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] && return
        sleep 0.5
    done
    squeue
    die "jobs $ids still queued after 10 minutes"
}

run() {
    [ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts daemons)"
    case $SHARDS in ''|*[!0-9]*) die "SHARDS must be a number" ;; esac
    install_packages
    install -d "$WORK"/run
    stop_daemons
    rm -rf "$WORK"/{spool,log,states,out,single.json}
    write_conf
    say "starting munged, slurmctld, slurmd (slurm-wlm $(dpkg-query -W -f='${Version}' slurm-wlm))"
    start_munge
    start_slurm
    sinfo
    build_triage
    say "dump: $(make_dump)"
    local key=${TRIAGE_KEY_FILE:-$WORK/key}
    if [ ! -s "$key" ]; then
        (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$key")
    fi
    local merge_ok=no
    "$TRIAGE" merge --help >/dev/null 2>&1 && "$TRIAGE" scan --help | grep -q -- '--state' && merge_ok=yes
    say "submitting $SHARDS shards and the dependent merge (merge in this build: $merge_ok)"
    local ids array merge
    ids=$(TRIAGE=$TRIAGE TRIAGE_KEY_FILE=$key \
        "$here/submit.sh" "$WORK/dump" "$WORK/states" "$WORK/out" "$SHARDS" --chdir="$WORK")
    read -r array merge <<<"$ids"
    echo "array job $array, merge job $merge (--dependency=afterok:$array)"
    wait_for "$array,$merge"
    echo "array: $(job_states "$array")"
    echo "merge: $(job_states "$merge")"
    local bad
    bad=$(scontrol show job "$array" | grep -o 'JobState=[A-Z_]*' | grep -vc COMPLETED || true)
    [ "$bad" = 0 ] || die "some shard task did not complete: see $WORK/out/triage-shard-*.out"
    for f in "$WORK"/out/triage-shard-*.out; do grep -h 'shard ' "$f" || true; done | sort -t/ -k1,1n
    say "single scan of the same dump"
    local rc=0
    TRIAGE_KEY=$(cat "$key") "$TRIAGE" scan "$WORK/dump" --json --no-progress \
        -o "$WORK/single.json" || rc=$?
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || die "the single scan failed (exit $rc)"
    local merged=()
    if [ "$merge_ok" = yes ]; then
        scontrol show job "$merge" | grep -q 'JobState=COMPLETED' \
            || die "the merge job did not complete: see $WORK/out/triage-merge-$merge.out"
        merged=(--merged "$WORK/out/merged.json")
    else
        grep -q 'has no merge command' "$WORK/out/triage-merge-$merge.out" \
            || die "the merge job should have run after the array and said it cannot merge"
        echo "merge job ran after the array and said: $(cat "$WORK/out/triage-merge-$merge.out")"
    fi
    say "check"
    python3 "$here/check.py" "$WORK/single.json" "$WORK"/states/shard-*.json "${merged[@]}"
}

case ${1:-run} in
    run)
        if [ "${KEEP:-0}" = 1 ]; then
            run
            echo "cluster left running: SLURM_CONF=$conf sinfo; stop it with: $0 stop"
        else
            trap stop_daemons EXIT
            run
        fi
        ;;
    stop) stop_daemons ;;
    *) die "usage: $0 [run|stop]" ;;
esac
