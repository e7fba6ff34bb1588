#!/usr/bin/env bash
# Real-size check on the CPU: GRPO steps of a randomly initialised Qwen3-0.6B-shaped model (28 layers, hidden 1024,
# vocab 151,936; 596M parameters) in fp32 full fine-tuning through trainer.jar, then the per-phase memory of each
# step from its metrics.jsonl (memory/peak_<phase>_mb: the largest resident size while the phase ran).
#
#   bench/scale-check.sh [STEPS] [extra trainer overrides...]     (default 5 steps; 2 prompts x 4 samples x 32 tokens)
#
# Needs ~12 GB of memory (weights, gradients and AdamW moments alone are 9.5 GB) and about a minute per step on
# 2 cores. The text is nonsense and the rewards zero: this measures memory and time, not learning. Run it alone.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-java} JAR=${JAR:-trainer/target/trainer.jar} OUT=${OUT:-runs/scale-check}
STEPS=${1:-5}
shift || true
[ -f "$JAR" ] || { echo "scale-check: $JAR not found: build it with 'mvn -B -DskipTests package'" >&2; exit 1; }

rm -rf "$OUT" && mkdir -p "$OUT"
bench/random-qwen3-0.6b.sh "$OUT/qwen3-0.6b-random"
/usr/bin/time -v "$JAVA" -jar "$JAR" train --config tiny-grpo --model.path="$OUT/qwen3-0.6b-random" \
  --model.random-init=true --model.dtype=float32 --model.device=cpu \
  --run.output-dir="$OUT" --run.name=run --trainer.total-steps="$STEPS" --trainer.eval-every=0 \
  --trainer.save-every=0 --data.eval=null --data.chat-template=chatml --data.max-prompt-tokens=64 \
  --rollout.prompts-per-step=2 --rollout.group-size=4 --rollout.max-new-tokens=32 --trainer.micro-batch-size=8 \
  --metrics.log-every=1 "$@" 2>&1 | tee "$OUT/train.log"
rm -rf "$OUT/run/final"   # random weights: not worth keeping
grep -E "resident memory" "$OUT/train.log" | sed 's/.* - /after loading: /' || true
echo "per step (MB; from $OUT/run/metrics.jsonl):"
while read -r line; do
  f() { grep -o "\"$1\":[0-9.eE+-]*" <<<"$line" | cut -d: -f2; }
  [ "$(f step)" = 0 ] && continue
  echo "  step $(f step): rollout $(f timing/rollout_s) s, update $(f timing/update_s) s; peak rollout" \
    "$(f memory/peak_rollout_mb), update $(f memory/peak_update_mb), step $(f memory/peak_step_mb); RSS at the end" \
    "$(f memory/rss_mb)"
done < "$OUT/run/metrics.jsonl"
grep -E "Maximum resident set size" "$OUT/train.log" | sed 's/^\s*/process /'
