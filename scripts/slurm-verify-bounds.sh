#!/usr/bin/env bash
# A Slurm job array running `cargo xtask verify-bounds` in N shards, then a dependent merge
# job (README, "Long runs"). Submit from the repository root on a shared file system:
#
#   N=16 SCALE=full scripts/slurm-verify-bounds.sh            # submits stage 1 and its merge
#
# Each array task runs one shard (--shard $SLURM_ARRAY_TASK_ID/$N --resume --out
# $WORK/shards/<i>); a killed or preempted task resubmitted with the same arguments resumes
# from its records. The merge job runs `cargo xtask merge`; while cells are missing (a later
# stage: cells that need another cell's value), it copies the merged records into every
# shard directory and submits the next stage's array and merge, up to $MAX_STAGES.
# Edit the #SBATCH-style options below (partition, time, memory) for your cluster.
set -euo pipefail

N=${N:-8}
SCALE=${SCALE:-full}
SEED=${SEED:-1}
WORK=${WORK:-$PWD/long-run-$SCALE}
STAGE=${STAGE:-1}
MAX_STAGES=${MAX_STAGES:-12}
CPUS=${CPUS:-8}
TIME=${TIME:-04:00:00}
PARTITION_OPT=${PARTITION:+--partition=$PARTITION}
NAME=verify-bounds-$SCALE
RECORDS=verify-bounds-$SCALE.records.jsonl
XTASK=${XTASK:-$PWD/target/release/xtask}
# sbatch runs a copy of this script: remember the original to resubmit stages.
SCRIPT=${SCRIPT:-$(realpath "$0")}

case "${1:-submit}" in
submit)
    # Build once, on the submitting node, so every task runs the same binary.
    [ "${SKIP_BUILD:-0}" = 1 ] || cargo build --release -p xtask
    mkdir -p "$WORK/logs"
    for i in $(seq 0 $((N - 1))); do mkdir -p "$WORK/shards/$i"; done
    array=$(sbatch --parsable $PARTITION_OPT --job-name="$NAME-s$STAGE" --array=0-$((N - 1)) \
        --cpus-per-task="$CPUS" --time="$TIME" --output="$WORK/logs/stage$STAGE-%a.log" \
        --export=ALL,N="$N",SCALE="$SCALE",SEED="$SEED",WORK="$WORK",STAGE="$STAGE",XTASK="$XTASK" \
        "$SCRIPT" shard)
    sbatch --parsable $PARTITION_OPT --job-name="$NAME-merge$STAGE" --dependency=afterok:"$array" \
        --cpus-per-task="$CPUS" --time=01:00:00 --output="$WORK/logs/merge$STAGE.log" \
        --export=ALL,N="$N",SCALE="$SCALE",SEED="$SEED",WORK="$WORK",STAGE="$STAGE",MAX_STAGES="$MAX_STAGES",XTASK="$XTASK",SCRIPT="$SCRIPT" \
        "$SCRIPT" merge
    echo "submitted stage $STAGE: array job $array ($N shards) and its merge; logs in $WORK/logs"
    ;;
shard)
    i=${SLURM_ARRAY_TASK_ID:?run as an array task}
    "$XTASK" verify-bounds --scale "$SCALE" --seed "$SEED" --threads "${SLURM_CPUS_PER_TASK:-$CPUS}" \
        --shard "$i/$N" --resume --out "$WORK/shards/$i"
    ;;
merge)
    shards=()
    for i in $(seq 0 $((N - 1))); do shards+=("$WORK/shards/$i"); done
    if "$XTASK" merge "${shards[@]}" --out "$WORK/results" --reports "$WORK/reports"; then
        echo "merged: $WORK/results, report in $WORK/reports"
        exit 0
    fi
    # Exit 1: the results were written and some check FAILed; exit 2: an error, or cells
    # missing (the log lists them), which the next stage computes.
    if [ -f "$WORK/results/$NAME.json" ] && [ "$WORK/results/$NAME.json" -nt "$WORK/results/$RECORDS" ]; then
        exit 1
    fi
    grep -q "cells are missing" "$WORK/logs/merge$STAGE.log" 2>/dev/null || exit 2
    if [ "$STAGE" -ge "$MAX_STAGES" ]; then
        echo "still missing cells after $STAGE stages: see $WORK/logs/merge$STAGE.log" >&2
        exit 2
    fi
    for i in $(seq 0 $((N - 1))); do cp "$WORK/results/$RECORDS" "$WORK/shards/$i/$RECORDS"; done
    SKIP_BUILD=1 STAGE=$((STAGE + 1)) "$SCRIPT" submit
    ;;
*)
    echo "usage: $0 [submit|shard|merge]" >&2
    exit 2
    ;;
esac
