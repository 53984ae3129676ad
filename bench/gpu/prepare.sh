#!/usr/bin/env bash
# Prepares, on this machine, everything the GPU check (bench/gpu/check.sh) needs on a GPU machine that has
# CUDA, cuBLAS and PyTorch but no Java, into .gpu/ (git-ignored; about 45 MB, under the device tool's 64 MiB):
#   jre.tgz       a jlink-made Java 25 runtime (TOOLCHAIN.md section 9)
#   zooscope.jar  the CLI, with the fatbin inside (this machine's nvcc builds it)
#   junit.jar     the JUnit console launcher; classes/ the kernels, engine and experiments test classes
# Then, with the device tool: run(command="bash bench/gpu/check.sh", carry=[".gpu"], timeout_s=560).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v nvcc >/dev/null || { echo "prepare: nvcc is needed here to build kernels.fatbin" >&2; exit 1; }
mvn -B -ntp -q -o install -DskipTests || mvn -B -ntp -q install -DskipTests
[ -f native/target/classes/native/cuda/kernels.fatbin ] || { echo "prepare: no fatbin was built" >&2; exit 1; }
rm -rf .gpu && mkdir -p .gpu/classes
"${JAVA_HOME:+$JAVA_HOME/bin/}jlink" --add-modules java.base,jdk.incubator.vector,java.logging,java.management,java.xml,jdk.unsupported,java.scripting \
  --strip-debug --no-header-files --no-man-pages --compress zip-9 --output .gpu/jre
tar czf .gpu/jre.tgz -C .gpu jre && rm -rf .gpu/jre
cp experiments/target/zooscope.jar .gpu/
v=6.1.3
jar=~/.m2/repository/org/junit/platform/junit-platform-console-standalone/$v/junit-platform-console-standalone-$v.jar
[ -f "$jar" ] || mvn -B -ntp -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$v
cp "$jar" .gpu/junit.jar
for m in kernels engine experiments; do cp -r $m/target/test-classes .gpu/classes/$m-tests; done # the main classes are in zooscope.jar
du -sh .gpu
