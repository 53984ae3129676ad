#!/usr/bin/env bash
# Recomputes the PCA's embeddings of a recorded grid (docs/results/KIND), whose encoders were not kept. Pre-training
# is deterministic on the CPU, so seed 1 of an encoder trained again on the regenerated zoo, by the code that ran the
# grid (the commit that added its logs, checked out as a worktree in runs/recorded-code-KIND), is the recorded run
# itself when its log.csv equals the recorded one in every column but the elapsed time; only then is that code's
# `encode --run` written to runs/reproduce-KIND/ENCODER/embeddings.npy, which regenerate-report.sh then draws.
# (Today's code does not retrace the recorded logs: summation orders changed since, e.g. the statistics encoder's
# losses differ from update 200 on in the 5th decimal and then drift.) A run that does not match is reported and
# left without embeddings (the recorded PNG stays in the report).
#   docs/results/reproduce-embeddings.sh formal|mnist [ENCODER ...]   (default: every encoder of the grid but the control)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
kind=$1; shift
src=$root/docs/results/$kind
zoo=$(sed -n 's/^ *"zoo" : "\(.*\)",$/\1/p' "$src/grid.json")
[ -d "$zoo" ] || { echo "no zoo at $zoo (the grid's recorded path): regenerate it first (README, Results)" >&2; exit 1; }
commit=$(git -C "$root" log --diff-filter=A --format=%H -- "docs/results/$kind/logs/statistics/seed1/log.csv" | tail -n 1)
code=$root/runs/recorded-code-$kind
[ -d "$code" ] || git -C "$root" worktree add --detach "$code" "$commit" > /dev/null
encoders=("$@")
[ ${#encoders[@]} -gt 0 ] || for d in "$src"/logs/*; do e=$(basename "$d"); [ "$e" = control ] || encoders+=("$e"); done
out=$root/runs/reproduce-$kind
mkdir -p "$out"
for enc in "${encoders[@]}"; do
  rec=$src/logs/$enc/seed1
  steps=$(sed -n 's/^ *"steps" : \([0-9]*\),$/\1/p' "$rec/config.json")
  every=$(sed -n 's/^ *"eval_every" : \([0-9]*\),$/\1/p' "$rec/config.json")
  run=$out/$enc
  "$code/zooscope" pretrain --zoo "$zoo" --encoder "$enc" --seed 1 --preset small --steps "$steps" --eval-every "$every" \
    --out "$run" > "$out/$enc.log" 2>&1
  if cmp -s <(cut -d, -f1-6 "$rec/log.csv") <(cut -d, -f1-6 "$run/log.csv"); then
    "$code/zooscope" encode --zoo "$zoo" --encoder "$enc" --run "$run" --out "$run/embeddings.npy" > /dev/null 2>&1
    echo "$enc: log.csv equals the recorded one (every column but the time): embeddings written"
  else
    rm -f "$run/embeddings.npy"
    echo "$enc: log.csv differs from the recorded one: not the recorded run, no embeddings" >&2
  fi
done
