#!/usr/bin/env bash
# The long-schedule study (issue 20): the control, statistics, interactive and DWS encoders, seeds 1 and 2,
# at the small preset's sizes for updates 0..30,000, evaluated every 500 updates on every stored rollout,
# on the recorded formal zoo (./zooscope zoo formal --runs 200 --steps 10000 --seed 1).
# Two shards side by side (seed 1 and seed 2), one GEMM thread each, one per core. Resumable: run it again
# after a stop and every run continues from its last evaluation; finished units are never redone.
#   ZOO=... OUT=... docs/results/formal-long/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
zoo=${ZOO:-$root/runs/zoos/formal200}
out=${OUT:-$root/runs/formal-long}
mkdir -p "$out"
for i in 0 1; do
  ZOOSCOPE_JVM_OPTS="-Dzooscope.threads=1 ${ZOOSCOPE_JVM_OPTS:-}" "$root/zooscope" experiment --zoo "$zoo" \
    --encoders control,statistics,interactive,dws --seeds 2 --steps 30000 --eval-every 500 --eval-rollouts all \
    --out "$out/shard$i" --shard "$i/2" >> "$out/shard$i.log" 2>&1 &
done
wait
"$root/zooscope" report "$out/shard0" "$out/shard1" --out "$out/report"
