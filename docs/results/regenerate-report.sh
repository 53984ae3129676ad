#!/usr/bin/env bash
# Rebuilds a recorded grid's report (report.md, report.html, loss_curves.png) from the logs committed under
# docs/results/KIND/logs/ENCODER/seedS/, without rerunning anything: each unit's result.json is the best
# validation row of its log.csv (as the pre-trainer writes it; the log rounds to 7 decimals), the downstream
# results are the recorded JSON files. The PCA and clone plots need the embeddings and clone.csv, which were
# not kept: the recorded PNGs beside the report are inlined as they are. The zoo (for the constant predictor's
# row) is read where it exists at the recorded path.
#   docs/results/regenerate-report.sh formal|mnist
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
kind=$1
src=$root/docs/results/$kind
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grid=$tmp/grid
reproduced=$root/runs/reproduce-$kind   # embeddings of seed 1 recomputed by reproduce-embeddings.sh, where it matched the recorded log
mkdir -p "$grid"
for enc in $(ls "$src/logs"); do
  for d in "$src/logs/$enc"/seed*; do
    unit=$grid/$enc/$(basename "$d")
    mkdir -p "$unit/pretrain"
    cp "$d/log.csv" "$d/config.json" "$unit/pretrain/"
    cp "$d"/frozen-*.json "$d"/supervised-*.json "$unit/" 2>/dev/null || true
    [ "$(basename "$d")" = seed1 ] && cp "$reproduced/$enc/embeddings.npy" "$unit/" 2>/dev/null || true
    [ -f "$d/result.json" ] && { cp "$d/result.json" "$unit/pretrain/"; continue; }
    awk -F, 'NR > 1 && (best == "" || $3 < bv) { best = $0; bv = $3 } END { split(best, f, ",");
      printf "{\"bestStep\": %d, \"valLoss\": %s, \"oodLoss\": %s, \"cloneValMae\": %s, \"cloneOodMae\": %s, \"seconds\": %s}\n",
        f[1], f[3], f[4], (f[5] == "NaN" ? "\"NaN\"" : f[5]), (f[6] == "NaN" ? "\"NaN\"" : f[6]), f[7] }' "$d/log.csv" > "$unit/pretrain/result.json"
  done
done
# the recorded grid.json, with the control first where its logs were added later
jq --argjson control "$([ -d "$src/logs/control" ] && echo true || echo false)" \
  'if $control then .encoders = ["control"] + .encoders else . end' "$src/grid.json" > "$grid/grid.json"
out=$tmp/report
mkdir -p "$out"
cp "$src"/pca_*.png "$out/" 2>/dev/null || true
cp "$src"/clone_vs_original.png "$out/" 2>/dev/null || true
"$root/zooscope" report "$grid" --out "$out" > /dev/null
# which PCA plots are drawn here and which are the recorded run's own PNGs: the report's description says so
drawn=() kept=()
for f in "$src"/pca_*.png; do e=$(basename "$f" .png); e=${e#pca_}
  if [ -f "$reproduced/$e/embeddings.npy" ]; then drawn+=("$e"); else kept+=("$e"); fi; done
note="; limits at the 1st-99th percentile"
[ ${#drawn[@]} -gt 0 ] && note+="; here ${drawn[*]} drawn from seed 1's embeddings recomputed by reproduce-embeddings.sh (the run trained again to a log.csv equal to the recorded one)"
[ ${#kept[@]} -gt 0 ] && note+="; here ${kept[*]} the recorded run's own PNGs, drawn before axes, colour bars and robust limits existed (embeddings not kept)"
sed -i "s|; limits at the 1st-99th percentile)|$note)|" "$out/report.md" "$out/report.html"
for e in "${drawn[@]}"; do cp "$out/pca_$e.png" "$src/"; done
cp "$out/report.html" "$out/loss_curves.png" "$src/"
cp "$out/report.md" "$src/report-regenerated.md"
echo "wrote $src/report.html, loss_curves.png and report-regenerated.md"
