#!/usr/bin/env bash
# zooscope against PyTorch on the same zoo-training work, measured in one run; prints the ratio table.
#   bench/train-vs-pytorch.sh [formal|mnist] [MODELS] [STEPS]
# Needs Debian's python3-torch (apt-get install python3-torch) for the peer.
set -euo pipefail
cd "$(dirname "$0")/.."
cfg=${1:-formal} models=${2:-64} steps=${3:-200}
py=/usr/bin/python3
"$py" -c 'import torch' 2>/dev/null || { echo "train-vs-pytorch: needs python3-torch (apt-get install python3-torch)" >&2; exit 1; }
rate() { sed -n 's/^median: \([0-9.]*\) model-steps.*/\1/p; s/^peer [a-z-]*: \([0-9.]*\) model-steps.*/\1/p'; }

declare -A r
for b in native vector; do
  out=$(./zooscope bench train --config "$cfg" --models "$models" --steps "$steps" --backend "$b" 2>/dev/null)
  echo "$out"
  r[$b]=$(rate <<< "$out")
done
peer="bench/python/train_peer.py --config $cfg --repeats 3 --single-models 2 --single-steps 40"
out=$("$py" $peer --mode one-at-a-time); echo "$out"; r[one]=$(rate <<< "$out")
# the reference's mode on both cores: two independent processes, rates added
"$py" $peer --mode one-at-a-time > /tmp/zs-peer-a.txt & "$py" $peer --mode one-at-a-time > /tmp/zs-peer-b.txt & wait
cat /tmp/zs-peer-a.txt /tmp/zs-peer-b.txt
r[two]=$(awk '{s+=$1} END{printf "%.1f", s}' <(rate < /tmp/zs-peer-a.txt) <(rate < /tmp/zs-peer-b.txt))
out=$("$py" $peer --mode batched --models "$models" --steps 5 --repeats 1); echo "$out"; r[bat]=$(rate <<< "$out")

printf '\n%-44s %14s %22s\n' "config $cfg, $models models" "model-steps/s" "zooscope native is"
row() { printf '%-44s %14s %21sx\n' "$1" "$2" "$(awk -v a="${r[native]}" -v b="$2" 'BEGIN{printf "%.1f", a/b}')"; }
row "zooscope, native backend (2 threads)" "${r[native]}"
row "zooscope, vector backend (2 threads)" "${r[vector]}"
row "PyTorch one model at a time (1 process)" "${r[one]}"
row "PyTorch one at a time, 2 processes" "${r[two]}"
row "PyTorch all models batched (bmm, 2 threads)" "${r[bat]}"
