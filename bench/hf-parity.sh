#!/usr/bin/env bash
# Hugging Face transformers against the JVM trainer on one checkpoint: the trainer writes greedy continuations
# and their log-probs for a few prompts, transformers (python3 with torch + transformers, any device) must give the
# same tokens and log-probs within ~1e-5. Usage: bench/hf-parity.sh [MODEL_DIR]   (default models/tiny-qwen, whose
# token ids are characters; for another model pass prompt ids with PROMPTS="1,2,3;4,5" and EOS=<id>).
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-models/tiny-qwen}
jar=${JAR:-trainer/target/trainer.jar}
prompts=${PROMPTS:-"20,28,21,40,1,29,39,1,4,5,13,6,7,17,2;20,28,21,40,1,29,39,1,10,14,12,17,2;28,25,32,32,35,1,43,35,38,32,24"}
ref=$(mktemp)
IFS=';' read -ra list <<< "$prompts"
for ids in "${list[@]}"; do
  java -jar "$jar" generate --model "$model" --prompt-ids "$ids" --max-new-tokens 12 --temperature 0 --logprobs --json \
      2>/dev/null | tail -1 | python3 -c 'import json,sys; j=json.load(sys.stdin); print(json.dumps({"prompt_ids": [int(x) for x in sys.argv[1].split(",")], "completion_ids": j["completion_ids"], "logprobs": j["logprobs"]}))' "$ids" >> "$ref"
done
EOS=${EOS:-49} python3 bench/hf_parity.py "$model" "$ref"
