#!/usr/bin/env bash
# The MNIST pair of the long-schedule study (issue 20): the constant-z control and the interactive encoder,
# seed 1 each, at the small preset's sizes for updates 0..10,000, evaluated every 500 updates on every stored
# rollout, on the recorded MNIST zoo (made here first if missing: ./zooscope zoo mnist --runs 100 --steps 10000 --seed 1).
# Two shards side by side (control, interactive), one GEMM thread each. Resumable: run it again after a stop.
#   ZOO=... OUT=... docs/results/mnist-long/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
zoo=${ZOO:-$root/runs/zoos/mnist100}
out=${OUT:-$root/runs/mnist-long}
mkdir -p "$out"
"$root/zooscope" zoo mnist --runs 100 --steps 10000 --seed 1 --out "$zoo" >> "$out/zoo.log" 2>&1   # resumes; finished runs are kept
for i in 0 1; do
  ZOOSCOPE_JVM_OPTS="-Dzooscope.threads=1 ${ZOOSCOPE_JVM_OPTS:-}" "$root/zooscope" experiment --zoo "$zoo" \
    --encoders control,interactive --seeds 1 --steps 10000 --eval-every 500 --eval-rollouts all \
    --out "$out/shard$i" --shard "$i/2" >> "$out/shard$i.log" 2>&1 &
done
wait
"$root/zooscope" report "$out/shard0" "$out/shard1" --out "$out/report"
