# Hugging Face transformers vs the JVM trainer on the same checkpoint (written by the trainer's own HF saver):
# greedy continuations must be the same tokens, and their log-probs (log_softmax at T=1) equal to ~1e-5.
# Usage: python3 bench/hf_parity.py MODEL_DIR REFERENCE.jsonl (made by bench/hf-parity.sh). Exits 1 on a mismatch.
import json, os, sys, torch
from transformers import AutoModelForCausalLM
import transformers

model_dir, ref = sys.argv[1], sys.argv[2]
print("transformers", transformers.__version__, "torch", torch.__version__)
for device in ["cpu"] + (["cuda"] if torch.cuda.is_available() else []):
    m = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).to(device).eval()
    worst, same = 0.0, 0
    rows = [json.loads(l) for l in open(ref)]
    for r in rows:
        ids = torch.tensor([r["prompt_ids"]], device=device)
        with torch.no_grad():
            g = m.generate(ids, do_sample=False, max_new_tokens=12, eos_token_id=int(os.environ.get("EOS", 49)), pad_token_id=int(os.environ.get("EOS", 49)),
                           output_scores=True, return_dict_in_generate=True)
        out = g.sequences[0, ids.shape[1]:].tolist()
        lp = [torch.log_softmax(s[0].float(), -1)[t].item() for s, t in zip(g.scores, out)]
        same += out == r["completion_ids"]
        if out == r["completion_ids"]:
            worst = max(worst, max(abs(a - b) for a, b in zip(lp, r["logprobs"])))
        else:
            print("  mismatch", r["prompt_ids"], "hf", out, "jvm", r["completion_ids"])
    print(f"{device}: {same}/{len(rows)} greedy continuations identical; max |logprob diff| {worst:.2e}")
    if same != len(rows) or worst > 1e-4:
        sys.exit(1)
