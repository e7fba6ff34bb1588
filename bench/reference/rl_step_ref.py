#!/usr/bin/env python3
"""PyTorch-eager reference for `bench.jar rl-step` (bench/bench.sh --rl): one GRPO step the way Hugging Face
`generate` plus TRL's GRPOTrainer without vLLM do it, on the model of bench/reference/qwen_ref.py (imported).

Each step, on the JVM's weights and prompts:

  * rollout (HF `generate`, sampling): the P prompts repeated G times into one batch of B = P*G rows, every row
    prefilled (no prefix reuse), then one token per step for all B rows with a KV cache; a finished row is fed the
    pad id until the longest row ends. Row r stops after exactly L_r tokens (the JVM's forced lengths, a stopping
    criterion at that step as EOS would be), and at every step the token the JVM sampled for that row is taken in
    place of this side's own draw (a forced-token logits processor: the draw still runs), so both sides train on the
    same batch and their gradients can be compared;
  * reward and advantage: the bench's token reward (share of even ids in the completion) and GRPO's group-normalised
    advantage (R - mean_g) / (std_g + eps), unbiased std, with the JVM trainer's eps;
  * update (TRL's `_compute_loss`, loss_type "grpo", beta 0, one optimizer step per generation so no old
    log-probs): prompt + completion ids as one right-padded batch [B, P_len + max L], the head on the last
    max L + 1 positions minus the last, log-probs by TRL's selective_log_softmax (logsumexp row by row), entropies
    without grad, the clipped surrogate with ratio exp(l - sg(l)), per-sequence token mean then batch mean,
    backward, clip_grad_norm_, torch.optim.AdamW's step at the JVM's learning rate of that step.

Reports per-phase seconds of every timed step, the token counts, every step's loss and pre-clip gradient norm, and
the peak resident memory (VmHWM), as one JSON object on the last line of stdout. The KV cache is preallocated (HF's
default DynamicCache grows by concatenation): that favours this reference slightly.
"""
import argparse
import json
import os
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="Hugging Face model directory (config.json + safetensors)")
    p.add_argument("--inputs", required=True, help="safetensors file of the JVM's prompts, lengths and completions")
    p.add_argument("--threads", type=int, required=True, help="intra-op threads (the JVM side's count)")
    p.add_argument("--warmup", type=int, required=True, help="untimed steps first")
    p.add_argument("--iters", type=int, required=True, help="timed steps")
    p.add_argument("--weight-decay", type=float, required=True)
    p.add_argument("--betas", required=True, help="AdamW's beta1,beta2")
    p.add_argument("--eps", type=float, required=True, help="AdamW's eps")
    p.add_argument("--grad-clip", type=float, required=True, help="max global gradient norm (0: off)")
    p.add_argument("--clip-low", type=float, required=True)
    p.add_argument("--clip-high", type=float, required=True)
    p.add_argument("--adv-eps", type=float, required=True, help="eps of the GRPO advantage's denominator")
    p.add_argument("--temperature", type=float, required=True)
    p.add_argument("--seed", type=int, default=0, help="sampling seed")
    return p.parse_args()


ARGS = parse_args()
# OpenBLAS reads its thread count when it is loaded, i.e. at `import torch` (inside qwen_ref): set it first.
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ beside the sources

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import qwen_ref as ref  # noqa: E402


def log(msg):
    print("[reference] " + msg, file=sys.stderr, flush=True)


def hf_generate(model, prompt_ids, lengths, forced, pad_id, temperature, gen, phases):
    """HF `generate`'s sampling loop over a padded batch: prompt_ids [B, P] -> completion ids [B, max L], pad after
    each row's end. `forced` [B, >= max L] holds the tokens taken in place of the draws."""
    b, p = prompt_ids.shape
    longest = int(lengths.max())
    shape = (b, model.kv_heads, p + longest, model.head_dim)
    cache = [(torch.zeros(shape), torch.zeros(shape)) for _ in range(model.layers)]
    input_ids = prompt_ids
    unfinished = torch.ones(b, dtype=torch.bool)
    pad = torch.full((b,), pad_id, dtype=torch.long)
    feed, past, step = prompt_ids, 0, 0
    t0 = time.perf_counter()
    while True:
        t = feed.shape[1]
        hidden = model.forward(feed, ref.positions_for(b, t, past), cache, past)
        scores = model.logits(hidden[:, -1])  # HF keeps the last position's logits only
        if temperature != 1.0:
            scores = scores / temperature
        sampled = torch.multinomial(torch.softmax(scores, -1), 1, generator=gen).squeeze(1)
        token = torch.where(unfinished, forced[:, step], pad)
        del sampled  # drawn as HF draws; the JVM's token is kept so that both sides update on the same batch
        input_ids = torch.cat([input_ids, token[:, None]], -1)
        step += 1
        past += t
        if step == 1:
            phases["prefill_s"] = time.perf_counter() - t0
        unfinished &= lengths > step  # the row's stop token was this step's
        if not bool(unfinished.any()):  # HF: this_peer_finished
            break
        feed = token[:, None]
    phases["decode_s"] = time.perf_counter() - t0 - phases["prefill_s"]
    return input_ids[:, p:]


def selective_log_softmax(logits, index):
    """TRL's fp32 path: the chosen logit minus each row's logsumexp, computed row by row to bound memory."""
    selected = torch.gather(logits, -1, index.unsqueeze(-1)).squeeze(-1)
    logsumexp = torch.stack([torch.logsumexp(row, -1) for row in logits])
    return selected - logsumexp


def entropy_from_logits(logits, chunk_rows=128):
    """TRL's entropy_from_logits: -sum p log p over the vocabulary, in chunks of rows."""
    out = []
    for chunk in logits.reshape(-1, logits.shape[-1]).split(chunk_rows):
        logp = F.log_softmax(chunk, -1)
        out.append(-(logp.exp() * logp).sum(-1))
    return torch.cat(out).reshape(logits.shape[:-1])


def rewards_of(completion_ids, mask):
    """The bench's token reward: the share of even ids among a completion's tokens."""
    even = ((completion_ids % 2) == 0).float() * mask
    return even.sum(-1) / mask.sum(-1)


def grpo_advantages(rewards, group, eps):
    """(R - mean_g) / (std_g + eps), unbiased std over each group of G consecutive rows."""
    grouped = rewards.view(-1, group)
    mean = grouped.mean(1).repeat_interleave(group)
    std = grouped.std(1).repeat_interleave(group)
    return (rewards - mean) / (std + eps)


def grpo_update(model, params, opt, lr, prompt_ids, completion_ids, mask, advantages, phases):
    """TRL GRPOTrainer._compute_loss (loss_type "grpo", beta 0) + the Trainer's clip and optimizer step."""
    t0 = time.perf_counter()
    input_ids = torch.cat([prompt_ids, completion_ids], 1)
    keep = completion_ids.shape[1]
    hidden = model.forward(input_ids, ref.positions_for(*input_ids.shape))
    logits = model.logits(hidden[:, -(keep + 1):-1]) / ARGS.temperature
    logp = selective_log_softmax(logits, completion_ids)
    with torch.no_grad():
        entropy = entropy_from_logits(logits)
    coef_1 = torch.exp(logp - logp.detach())
    coef_2 = torch.clamp(coef_1, 1 - ARGS.clip_low, 1 + ARGS.clip_high)
    adv = advantages[:, None]
    per_token = -torch.min(coef_1 * adv, coef_2 * adv)
    loss = ((per_token * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()
    # the metrics TRL logs every step
    tokens = mask.sum()
    _ = ((entropy * mask).sum() / tokens).item()
    _ = (((coef_1 < 1 - ARGS.clip_low) & (adv < 0)).float() * mask).sum().item()
    _ = (((coef_1 > 1 + ARGS.clip_high) & (adv > 0)).float() * mask).sum().item()
    t1 = time.perf_counter()
    loss.backward()
    t2 = time.perf_counter()
    norm = torch.nn.utils.clip_grad_norm_(params, ARGS.grad_clip if ARGS.grad_clip > 0 else float("inf"))
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()
    opt.zero_grad(set_to_none=True)
    t3 = time.perf_counter()
    phases.update(forward_s=t1 - t0, backward_s=t2 - t1, optimizer_s=t3 - t2)
    return loss.item(), norm.item()


def main():
    torch.set_num_threads(ARGS.threads)
    torch.manual_seed(ARGS.seed)
    log(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    blas = ref.require_optimized_blas()
    log(f"sgemm from {blas}")
    with open(os.path.join(ARGS.model, "config.json")) as f:
        cfg = json.load(f)
    model = ref.Qwen(cfg, ref.read_model_weights(ARGS.model))
    inputs = ref.read_safetensors(ARGS.inputs)
    prompts = inputs["prompts"]
    group = int(inputs["group_size"].item())
    pad_id = int(inputs["pad_id"].item())
    lengths = inputs["lengths"]
    completions = inputs["completions"]  # [steps, B, W] the JVM's tokens, pad after each row's end
    lrs = inputs["learning_rates"].tolist()
    steps = completions.shape[0]
    if steps != ARGS.warmup + ARGS.iters or len(lrs) != steps:
        raise ValueError(f"the inputs hold {steps} steps, expected warm-up {ARGS.warmup} + {ARGS.iters}")

    params = model.parameters()
    for t in params:
        t.requires_grad_(True)
    beta1, beta2 = (float(x) for x in ARGS.betas.split(","))
    opt = torch.optim.AdamW([{"params": [t for t in params if t.dim() >= 2], "weight_decay": ARGS.weight_decay},
                             {"params": [t for t in params if t.dim() < 2], "weight_decay": 0.0}],
                            lr=lrs[0], betas=(beta1, beta2), eps=ARGS.eps)
    gen = torch.Generator().manual_seed(ARGS.seed)
    prompt_ids = prompts.repeat_interleave(group, 0)  # TRL repeats each prompt G times
    timed, losses, norms = [], [], []
    generated = trained = padded = decode_steps = 0
    for s in range(steps):
        phases = {}
        t0 = time.perf_counter()
        with torch.no_grad():
            completion_ids = hf_generate(model, prompt_ids, lengths, completions[s], pad_id, ARGS.temperature, gen,
                                         phases)
        t1 = time.perf_counter()
        width = completion_ids.shape[1]
        mask = (torch.arange(width)[None, :] < lengths[:, None]).float()
        advantages = grpo_advantages(rewards_of(completion_ids, mask), group, ARGS.adv_eps)
        t2 = time.perf_counter()
        loss, norm = grpo_update(model, params, opt, lrs[s], prompt_ids, completion_ids, mask, advantages, phases)
        t3 = time.perf_counter()
        losses.append(loss)
        norms.append(norm)
        generated = int(mask.sum().item())
        trained = generated + prompt_ids.numel()
        padded = prompt_ids.shape[0] * (prompt_ids.shape[1] + width)
        decode_steps = width
        phases.update(rollout_s=t1 - t0, reward_s=t2 - t1, update_s=t3 - t2, step_s=t3 - t0)
        log(f"step {s + 1}/{steps}{' (warm-up)' if s < ARGS.warmup else ''}: rollout {phases['rollout_s']:.2f} s "
            f"(prefill {phases['prefill_s']:.2f}), update {phases['update_s']:.2f} s, step {phases['step_s']:.2f} s")
        if s >= ARGS.warmup:
            timed.append(phases)

    print(json.dumps({
        "implementation": f"PyTorch {torch.__version__} eager",
        "threads": torch.get_num_threads(),
        "blas": blas,
        "steps": timed,
        "generated_tokens": generated,
        "update_tokens": trained,
        "padded_update_tokens": padded,
        "decode_steps": decode_steps,
        "losses": losses,
        "grad_norms": norms,
        "peak_rss_bytes": ref.peak_rss_bytes(),
        "median_step_s": statistics.median(p["step_s"] for p in timed),
    }))


if __name__ == "__main__":
    main()
