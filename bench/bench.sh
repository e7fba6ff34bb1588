#!/usr/bin/env bash
# `bench.jar bench` with its PyTorch-eager reference: installs Debian's python3-torch (1.13) and OpenBLAS when
# missing, makes OpenBLAS the system libblas.so.3 / liblapack.so.3 / libopenblas.so.0 (torch on Debian links the generic BLAS
# interface; the netlib reference implementation behind it is ~30x slower), builds the jars if needed, and runs
#   java -jar bench/target/bench.jar bench "$@"      (options: java -jar bench/target/bench.jar bench --help)
# or, with --rl first, the RL-step bench (whole GRPO steps against HF generate + TRL, bench/reference/rl_step_ref.py):
#   java -jar bench/target/bench.jar rl-step "$@"    (options: java -jar bench/target/bench.jar rl-step --help)
# bench.jar (the bench module) is thin: its manifest puts trainer/target/trainer.jar on the class path, so the bench
# measures the very trainer.jar users run.
# The OpenMP build of OpenBLAS (libopenblas0-openmp, one of the packages that satisfy libopenblas0) is chosen: the
# default pthread build runs its own thread pool beside torch's OpenMP threads, and on 2 cores the two pools
# oversubscribe them (measured: rollout 45 vs 328 tokens/s, train step 5.4 vs 3.1 s on the default bench model).
# Run it alone on the machine: two libtorch processes on 2 cores slow each other down ~10x.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" \
    || { as_root apt-get update && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; }
}

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
  install python3-torch libopenblas0-openmp
fi

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")
# all three: Debian's liblapack.so.3 from OpenBLAS links libopenblas.so.0, so leaving that one on the pthread build
# loads both builds (measured: rollout 122 instead of 337 tokens/s, train step 4.9 instead of 3.0 s)
for lib in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  alt="$lib-$multiarch"
  openblas=$(update-alternatives --list "$alt" 2>/dev/null | grep -m1 openblas-openmp || true)
  if [ -z "$openblas" ]; then
    echo "bench.sh: no openblas-openmp alternative for $alt after installing libopenblas0-openmp" >&2
    exit 1
  fi
  if [ "$(readlink -f "/etc/alternatives/$alt")" != "$(readlink -f "$openblas")" ]; then
    as_root update-alternatives --set "$alt" "$openblas"
  fi
done

[ -f trainer/target/trainer.jar ] && [ -f bench/target/bench.jar ] || mvn -B -o -q -DskipTests package
command=bench
if [ "${1:-}" = "--rl" ]; then
  command=rl-step
  shift
fi
exec java -jar bench/target/bench.jar "$command" "$@"
