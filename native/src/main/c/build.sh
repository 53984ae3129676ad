#!/usr/bin/env bash
# Builds libzooscope.so into the folder given as $1 (the module's target/classes/native/linux-x86_64).
# Portable baseline (x86-64) with run-time dispatch to AVX2/AVX-512 clones of the hot functions: never
# -march=native, the .so must load on CPUs without AVX-512.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
gcc -O3 -fPIC -shared -std=gnu11 -Wall -Wextra -Werror \
    -fno-math-errno -fno-trapping-math \
    -o "$out/libzooscope.so" "$here/zooscope.c" -lm
