#!/usr/bin/env bash
# The long-schedule study (issue 20) at the small preset's sizes for updates 0..30,000, evaluated every 500 updates
# on every stored rollout, on the recorded formal zoo (./zooscope zoo formal --runs 200 --steps 10000 --seed 1).
# Stage 1: the control, statistics, interactive and DWS, seeds 1 and 2 (shard0 | shard1: one seed each).
# Stage 2: the remaining encoders that fit a session on this CPU, flat and non-interactive, seeds 1 and 2
# (shard2 | shard3), for updates 0..10,000 only: interactive has separated from the mechanistic encoders by then
# (stage 1), and 30,000 would not fit the session; the transformer (~1.1 s per update at this preset: ~3 hours per
# seed even at 10,000) is not in it.
# Stage 3: the learning-rate control of the reading (the mechanistic encoders overfit at lr 1e-3): statistics and DWS,
# seed 1, updates 0..30,000 at lr 3e-4 (pre-training only, in lr3e-4/ENCODER).
# Two shards side by side, one GEMM thread each, one per core. Resumable: run it again after a stop and every run
# continues from its last evaluation; finished units are never redone.
#   ZOO=... OUT=... docs/results/formal-long/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
zoo=${ZOO:-$root/runs/zoos/formal200}
out=${OUT:-$root/runs/formal-long}
mkdir -p "$out"
stage() { local encoders=$1 first=$2 steps=$3
  for i in 0 1; do
    ZOOSCOPE_JVM_OPTS="-Dzooscope.threads=1 ${ZOOSCOPE_JVM_OPTS:-}" "$root/zooscope" experiment --zoo "$zoo" \
      --encoders "$encoders" --seeds 2 --steps "$steps" --eval-every 500 --eval-rollouts all \
      --out "$out/shard$((first + i))" --shard "$i/2" >> "$out/shard$((first + i)).log" 2>&1 &
  done
  wait
}
stage control,statistics,interactive,dws 0 30000
stage flat,noninteractive 2 10000
for enc in statistics dws; do
  ZOOSCOPE_JVM_OPTS="-Dzooscope.threads=1 ${ZOOSCOPE_JVM_OPTS:-}" "$root/zooscope" pretrain --zoo "$zoo" --encoder "$enc" \
    --seed 1 --steps 30000 --eval-every 500 --eval-rollouts all --lr 3e-4 --out "$out/lr3e-4/$enc" >> "$out/lr3e-4-$enc.log" 2>&1 &
done
wait
"$root/zooscope" report "$out"/shard{0,1,2,3} --out "$out/report"
