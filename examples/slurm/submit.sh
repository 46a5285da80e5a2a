#!/usr/bin/env bash
# Submits a sharded triage scan to Slurm: a job array of N shard scans, then the merge, which
# starts only when every shard succeeded (afterok). Prints the two job ids.
#
#   TRIAGE=/shared/bin/triage TRIAGE_KEY_FILE=/shared/key \
#       examples/slurm/submit.sh /shared/dump /shared/states /shared/out 8 [sbatch options...]
#
# Extra arguments go to both sbatch calls (--partition, --account, --time, ...).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -lt 4 ]; then
    echo "usage: $0 DUMP STATES OUT N [sbatch options...]" >&2
    exit 2
fi
dump=$1 states=$2 out=$3 n=$4
shift 4
if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 1024 ]; then
    echo "submit.sh: N must be 1 to 1024, not $n" >&2
    exit 2
fi
mkdir -p "$states" "$out"
env="ALL,TRIAGE=${TRIAGE:-triage},DUMP=$dump,STATES=$states,OUT=$out"
[ -n "${TRIAGE_KEY_FILE:-}" ] && env+=",TRIAGE_KEY_FILE=$TRIAGE_KEY_FILE"
array=$(sbatch --parsable "$@" --array=0-$((n - 1)) --export="$env" \
    --output="$out/triage-shard-%A_%a.out" "$here/scan-shard.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable "$@" --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
    --export="$env" --output="$out/triage-merge-%j.out" "$here/merge.sbatch")
merge=${merge%%;*}
echo "$array $merge"
