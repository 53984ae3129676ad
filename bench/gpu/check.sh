#!/usr/bin/env bash
# The GPU check, run on a GPU machine from the repository root after bench/gpu/prepare.sh made .gpu/ here:
#   1. the GPU suite: every CUDA kernel against the scalar reference, buffer lifetime, 50 steps of
#      64-model formal training and an 8-run formal zoo (300 updates) against the CPU, and the engine's op
#      suite with the GPU among its backends;
#   2. bench train on the GPU beside PyTorch's GPU peers (bench/python/train_peer_gpu.py).
# Each part has its own time limit (200 + 3·50 + 150 s), so one that hangs cannot eat the others' time: run it
# with timeout_s=560. Logs go to $OUT too.
set -u
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/zs-gpu}; mkdir -p "$out"
tar xzf .gpu/jre.tgz -C /tmp
J="/tmp/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
$J -jar .gpu/zooscope.jar info 2>&1 | grep -v incubator | tee "$out/info.txt"

c=.gpu/classes
cp=".gpu/zooscope.jar:$c/kernels-tests:$c/engine-tests:$c/experiments-tests"
echo "== GPU suite"
timeout 200 $J -jar .gpu/junit.jar execute -cp "$cp" --include-classname '.*' \
  --select-class zooscope.kernels.cuda.CudaBackendTest --select-class zooscope.engine.CudaTrainingTest --select-class zooscope.zoo.CudaZooTest \
  --select-class zooscope.engine.OpProperties --details=tree --disable-banner > "$out/suite.txt" 2>&1
echo "suite exit $? (124: time limit)"; grep -E "tests (successful|failed|aborted|skipped)|✘" "$out/suite.txt" | head -40

echo "== bench train, zooscope on the GPU"
for models in 64 1024 4096; do
  timeout 50 $J -jar .gpu/zooscope.jar bench train --config formal --models $models --steps 5 --repeats 1 --warmup 2 --backend cuda \
    > "$out/bench-$models.txt" 2>&1; echo "bench train --models $models: exit $? (124: time limit)"; grep -v incubator "$out/bench-$models.txt" | tail -4
done
echo "== PyTorch peers on the same GPU"
timeout 150 python3 bench/python/train_peer_gpu.py --config formal --models 1024 4096 --steps 20 --repeats 1 2>&1 | tee "$out/peer.txt"
