#!/usr/bin/env bash
# Peak resident memory of one GRPO step of a Qwen2.5-0.5B-shaped model (random weights, drawn by the trainer:
# model.random-init) on the CPU: full fine-tuning, LoRA r=16 on every projection, LoRA + activation checkpointing, and
# that with the frozen projections held in bf16 (model.dtype: bfloat16).
# KL is on (coef 0.001), so full fine-tuning holds a reference copy of the weights and LoRA its adapter-free view.
# One process per configuration, peak RSS from GNU time (%M); the table of docs/results.md, "LoRA memory".
#
#   bench/lora-memory.sh [OUT_DIR [CONFIGURATION ...]]        (needs trainer/target/trainer.jar: mvn -B -o -pl trainer -am package)
#
# About 10 GB of RAM for the full fine-tuning run; run it alone (flock /tmp/heavy.lock on a shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-trainer/target/trainer.jar}
OUT=${1:-/tmp/lora-memory}
MODEL="$OUT/qwen2.5-0.5b-shape"
mkdir -p "$MODEL"
# Qwen2.5-0.5B's config.json (architecture fields); the tokenizer is the Qwen3 one of the test resources (same
# byte-level BPE and special tokens below 151936)
cat > "$MODEL/config.json" <<'EOF'
{
  "architectures": ["Qwen2ForCausalLM"],
  "model_type": "qwen2",
  "hidden_size": 896,
  "intermediate_size": 4864,
  "num_hidden_layers": 24,
  "num_attention_heads": 14,
  "num_key_value_heads": 2,
  "vocab_size": 151936,
  "rms_norm_eps": 1e-06,
  "rope_theta": 1000000.0,
  "tie_word_embeddings": true,
  "max_position_embeddings": 32768,
  "hidden_act": "silu",
  "use_sliding_window": false,
  "sliding_window": 32768,
  "max_window_layers": 24,
  "attention_dropout": 0.0,
  "initializer_range": 0.02,
  "torch_dtype": "bfloat16",
  "bos_token_id": 151643,
  "eos_token_id": 151643
}
EOF
cp trainer/src/test/resources/tokenizers/qwen3/tokenizer.json \
    trainer/src/test/resources/tokenizers/qwen3/tokenizer_config.json "$MODEL/"

COMMON=(--config configs/tiny-grpo.yaml "--model.path=$MODEL" --model.random-init=true
    --trainer.total-steps=1 --trainer.eval-every=0 --trainer.save-every=0 --data.eval-limit=2
    --rollout.prompts-per-step=2 --rollout.group-size=4 --rollout.max-new-tokens=16 --trainer.micro-batch-size=8
    --algorithm.kl.coef=0.001 "--run.output-dir=$OUT/runs")
LORA=(--model.lora.r=16 --model.lora.alpha=32 --model.lora.target-modules=all-linear --optim.lr=2e-4)

run() {
    local name=$1
    shift
    rm -rf "$OUT/runs/$name"
    /usr/bin/time -f "%M %e" -o "$OUT/$name.time" \
        java -Xms1g -Xmx1g -jar "$JAR" train "${COMMON[@]}" "--run.name=$name" "$@" > "$OUT/$name.log" 2>&1
    read -r kb seconds < "$OUT/$name.time"
    printf '| %s | %.2f | %.0f |\n' "$name" "$(echo "$kb / 1048576" | bc -l)" "$seconds" | tee -a "$OUT/table.md"
}

configuration() {
    case $1 in
        full-ft) run full-ft ;;
        lora-r16) run lora-r16 "${LORA[@]}" ;;
        lora-r16-ac) run lora-r16-ac "${LORA[@]}" --trainer.activation-checkpointing=true ;;
        # the frozen projections held in bf16 (bf16 GEMMs; slow on a CPU without bf16 units)
        lora-r16-ac-bf16) run lora-r16-ac-bf16 "${LORA[@]}" --trainer.activation-checkpointing=true --model.dtype=bfloat16 ;;
        *) echo "unknown configuration $1" >&2; exit 2 ;;
    esac
}

if [ ! -f "$OUT/table.md" ]; then
    echo '| configuration | peak RSS, GiB | wall, s |' > "$OUT/table.md"
    echo '|---|---|---|' >> "$OUT/table.md"
fi
shift || true
for c in "${@:-full-ft lora-r16 lora-r16-ac lora-r16-ac-bf16}"; do
    for name in $c; do
        configuration "$name"
    done
done
