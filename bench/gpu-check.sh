#!/usr/bin/env bash
# GPU smoke test: a few GRPO steps of a ~0.5B Qwen on CUDA through trainer.jar; prints step times and GPU memory.
#
#   bench/gpu-check.sh [MODEL_DIR] [STEPS]        (default: a random Qwen3-0.6B-shaped model, 3 steps)
#
# MODEL_DIR  a Hugging Face Qwen2/2.5/3 directory, e.g. models/Qwen2.5-0.5B-Instruct. Without it the trainer
#            initialises a Qwen3-0.6B-shaped model randomly (model.random-init) with the real Qwen3 tokenizer
#            from the test resources: the same compute and memory, nonsense text, zero rewards.
# Environment (all optional):
#   PYTORCH_LIBRARY_PATH  torch/lib of a CUDA libtorch 2.7.1 (default: that of python3's torch)
#   PYTORCH_FLAVOR        default cu128, the only CUDA build of DJL 0.36's JNI library (pytorch-jni 2.7.1-0.36.0)
#   JAVA (default java), JAR (default trainer/target/trainer.jar), DTYPE (default bfloat16), OUT (runs/gpu-check)
# Works offline. Exits 1 with the reason when java, the GPU or a loadable CUDA libtorch is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "gpu-check: $*" >&2; exit 1; }
NEED=2.7.1   # the libtorch version DJL 0.36's JNI library is built against
JAVA=${JAVA:-java} JAR=${JAR:-trainer/target/trainer.jar} DTYPE=${DTYPE:-bfloat16} OUT=${OUT:-runs/gpu-check}
MODEL=${1:-} STEPS=${2:-3}

command -v "$JAVA" >/dev/null || die "no java: install a Java 17 runtime (apt-get install openjdk-17-jre-headless) or set JAVA=/path/to/java"
[ -f "$JAR" ] || die "$JAR not found: build it with 'mvn -B -DskipTests package' or set JAR=..."
command -v nvidia-smi >/dev/null || die "nvidia-smi not found: no NVIDIA driver here"
nvidia-smi -L >/dev/null 2>&1 || die "nvidia-smi sees no GPU"

if [ -z "${PYTORCH_LIBRARY_PATH:-}" ]; then
  PYTORCH_LIBRARY_PATH=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null) \
    || die "set PYTORCH_LIBRARY_PATH to the torch/lib directory of a CUDA libtorch $NEED (python3 has no torch to default to)"
fi
[ -f "$PYTORCH_LIBRARY_PATH/libtorch.so" ] || die "no libtorch.so in PYTORCH_LIBRARY_PATH=$PYTORCH_LIBRARY_PATH"
ls "$PYTORCH_LIBRARY_PATH"/libtorch_cuda*.so >/dev/null 2>&1 || die "$PYTORCH_LIBRARY_PATH is a CPU-only libtorch (no libtorch_cuda.so)"
TORCH=$(sed -n "s/^__version__ = '\(.*\)'$/\1/p" "$PYTORCH_LIBRARY_PATH/../version.py" 2>/dev/null || true)
# a pip torch keeps its CUDA libraries in site-packages/nvidia/*/lib; DJL finds cudart through the library path
for d in "$PYTORCH_LIBRARY_PATH"/../../nvidia/*/lib; do [ -d "$d" ] && LD_LIBRARY_PATH="$(cd "$d" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; done
export PYTORCH_LIBRARY_PATH PYTORCH_VERSION=$NEED PYTORCH_FLAVOR=${PYTORCH_FLAVOR:-cu128} LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}

echo "java:      $("$JAVA" -version 2>&1 | head -1)"
echo "gpu:       $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader -i 0)"
echo "libtorch:  ${TORCH:-unknown version} at $PYTORCH_LIBRARY_PATH; DJL JNI: $NEED-0.36.0, flavor $PYTORCH_FLAVOR"
if [ "${TORCH%%+*}" != "$NEED" ]; then
  echo "gpu-check: WARNING: libtorch ${TORCH:-of unknown version} is not $NEED, so DJL's JNI library will probably not load." >&2
  echo "  Get torch $NEED+cu128 (pip install --target DIR torch==$NEED --index-url https://download.pytorch.org/whl/cu128)" >&2
  echo "  and run with PYTORCH_LIBRARY_PATH=DIR/torch/lib." >&2
fi

rm -rf "$OUT" && mkdir -p "$OUT"
model_args=(--model.path="${MODEL:-$OUT/qwen3-0.6b-random}")
if [ -z "$MODEL" ]; then
  bench/random-qwen3-0.6b.sh "$OUT/qwen3-0.6b-random"
  model_args+=(--model.random-init=true)
fi

gpu_mb() { nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i 0; }
echo "gpu memory used before: $(gpu_mb) MiB"
(while sleep 0.5; do gpu_mb; done) > "$OUT/gpu-memory.log" 2>/dev/null &
SAMPLER=$!
set +e
"$JAVA" -jar "$JAR" train --config tiny-grpo "${model_args[@]}" --model.device=cuda --model.dtype="$DTYPE" \
  --run.output-dir="$OUT" --run.name=run --trainer.total-steps="$STEPS" --trainer.eval-every=0 \
  --trainer.save-every=0 --data.eval=null --data.chat-template=chatml --data.max-prompt-tokens=128 \
  --rollout.prompts-per-step=8 --rollout.group-size=8 --rollout.max-new-tokens=64 --trainer.micro-batch-size=16 \
  --metrics.log-every=1 2>&1 | tee "$OUT/train.log"
code=${PIPESTATUS[0]}
set -e
kill "$SAMPLER" 2>/dev/null || true
echo "gpu memory used after: $(gpu_mb) MiB; peak while training: $(sort -n "$OUT/gpu-memory.log" | tail -1) MiB"

if [ "$code" -ne 0 ]; then
  if grep -qE "UnsatisfiedLinkError|undefined symbol" "$OUT/train.log"; then
    die "FAILED: DJL's JNI library ($NEED-0.36.0, $PYTORCH_FLAVOR) does not load against libtorch ${TORCH:-?} at $PYTORCH_LIBRARY_PATH: use torch $NEED+cu128 (see above)"
  elif grep -q "cannot open shared object" "$OUT/train.log"; then
    die "FAILED: a CUDA library is missing from the library path (see $OUT/train.log); add its directory to LD_LIBRARY_PATH"
  elif grep -q "model.device: cuda" "$OUT/train.log"; then
    die "FAILED: libtorch sees no CUDA device (see $OUT/train.log)"
  fi
  die "FAILED with exit code $code (see $OUT/train.log)"
fi
[ -z "$MODEL" ] && rm -rf "$OUT/run/final"   # random weights: not worth keeping
echo "per step (from $OUT/run/metrics.jsonl):"
while read -r line; do
  f() { grep -o "\"$1\":[0-9.eE+-]*" <<<"$line" | cut -d: -f2; }
  [ "$(f step)" = 0 ] && continue
  echo "  step $(f step): rollout $(f timing/rollout_s) s, update $(f timing/update_s) s," \
    "GPU used $(f memory/gpu_used_mb) MB (whole device), process RSS $(f memory/rss_mb) MB"
done < "$OUT/run/metrics.jsonl"
grep -E "s/step" "$OUT/train.log" | tail -n "$STEPS" | sed 's/.* - /  /'
echo "gpu-check: OK ($STEPS steps on $(nvidia-smi --query-gpu=name --format=csv,noheader -i 0), model.dtype $DTYPE)"
