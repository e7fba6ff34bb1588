#!/usr/bin/env bash
# Writes DIR as a Qwen3-0.6B-shaped model directory without weights (config.json + the real Qwen3 tokenizer from the
# test resources), for `model.random-init: true`: the same compute and memory as the real model, nonsense text.
#   bench/random-qwen3-0.6b.sh DIR
set -euo pipefail
dir=${1:?usage: bench/random-qwen3-0.6b.sh DIR}
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$dir"
cp "$root"/trainer/src/test/resources/tokenizers/qwen3/tokenizer*.json "$dir/"
cat > "$dir/config.json" <<'EOF'
{"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 1024, "intermediate_size": 3072,
 "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 151936,
 "rms_norm_eps": 1e-06, "rope_theta": 1000000, "tie_word_embeddings": true, "max_position_embeddings": 40960,
 "hidden_act": "silu", "attention_bias": false, "bos_token_id": 151643, "eos_token_id": 151645, "torch_dtype": "bfloat16"}
EOF
