#!/usr/bin/env bash
# Copies the long study's run folders (runs/formal-long by default) into docs/results/formal-long/shard0..3 and lr3e-4,
# checkpoints of unfinished runs included, so that a later session can resume them (OUT=docs/results/formal-long run.sh), and
# writes the interim report into docs/results/formal-long/report. embeddings.npy and files over 5 MB are left out.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
from=${OUT:-$root/runs/formal-long}
to=$root/docs/results/formal-long
zoo=$(sed -n 's/^ *"zoo" : "\(.*\)",$/\1/p' "$from/shard0/grid.json")
for r in "$from"/shard*/*/seed*/pretrain; do   # the PCA's embeddings (left out of the copies below), again from each finished run's best encoder
  u=$(dirname "$r"); enc=$(basename "$(dirname "$u")")
  [ -f "$r/result.json" ] && [ ! -f "$u/embeddings.npy" ] && [ "$enc" != control ] \
    && "$root/zooscope" encode --zoo "$zoo" --encoder "$enc" --run "$r" --out "$u/embeddings.npy" > /dev/null
done
"$root/zooscope" report "$from"/shard[0-9] --out "$to/report" > /dev/null   # from the live folders: the PCA needs embeddings.npy
for s in shard0 shard1 shard2 shard3 lr3e-4; do
  [ -d "$from/$s" ] || continue
  rm -rf "${to:?}/$s"
  cp -a "$from/$s" "$to/$s"
  # files over 5 MB stay out of the repository: the flat encoders' best states (1.8 M parameters, 7 MB each)
  find "$to/$s" \( -name embeddings.npy -o -name '*.tmp' -o -name .zooscope.lock -o -size +5M \) -delete
  for r in "$to/$s"/*/seed*/pretrain "$to/$s"/*; do [ -f "$r/result.json" ] && rm -f "$r/checkpoint.safetensors"; done   # finished: nothing to resume
done
