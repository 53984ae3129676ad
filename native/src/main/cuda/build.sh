#!/usr/bin/env bash
# Builds the CUDA kernels of kernels.cu twice, into the folder given as $1 (target/classes/native):
#   linux-x86_64/libzscudahost.so  with gcc, always: the host emulation the tests run CudaBackend on;
#   cuda/kernels.fatbin            with nvcc where it is installed (sm_80 and sm_90 code, plus compute_90
#                                  PTX that newer GPUs compile at load); without nvcc it is skipped and the
#                                  cuda backend reports itself unavailable.
# No contraction into fused multiply-adds in either build, so float32 steps round as the Java reference's.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/linux-x86_64" "$out/cuda"
gcc -x c -O2 -fPIC -shared -std=gnu11 -Wall -Wextra -Werror -ffp-contract=off -fno-math-errno \
    -o "$out/linux-x86_64/libzscudahost.so" "$here/kernels.cu" -lm
if [ "${ZOOSCOPE_NVCC:-auto}" = off ] || ! command -v nvcc >/dev/null; then
  echo "nvcc not found (or ZOOSCOPE_NVCC=off): CUDA kernels skipped; the cuda backend will be unavailable"
  rm -f "$out/cuda/kernels.fatbin"
  exit 0
fi
fatbin="$out/cuda/kernels.fatbin"
if [ ! -f "$fatbin" ] || [ "$here/kernels.cu" -nt "$fatbin" ] || [ "$0" -nt "$fatbin" ]; then # nvcc takes a while: only when changed
  # a broken or too old nvcc must not break the build of everything else: the cuda backend is then unavailable
  if nvcc -fatbin -O3 -fmad=false -Werror all-warnings \
       -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90 \
       -o "$fatbin" "$here/kernels.cu"; then
    echo "built $fatbin ($(stat -c %s "$fatbin") bytes)"
  else
    echo "WARNING: nvcc failed on kernels.cu (above): no fatbin, the cuda backend will be unavailable"
    rm -f "$fatbin"
  fi
fi
