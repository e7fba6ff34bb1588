#!/usr/bin/env python3
"""PyTorch-eager reference for `bench.jar bench` (bench/bench.sh).

The same Qwen2/Qwen3 decoder as the JVM trainer (RMSNorm, half-split RoPE, Qwen3 QK-norm, grouped-query attention,
SwiGLU MLP, tied or separate head), written the way Hugging Face's "eager" attention path writes it, on the weights
of a Hugging Face directory that the JVM side wrote. Torch 1.13 API only (Debian bookworm's python3-torch), no
transformers. It measures, in one process:

  * check:   logits on the JVM's check input (the JVM's logits are in the inputs file): max abs and relative error;
  * gemm:    one fp32 linear layer (M x K) . (N x K)^T, GFLOP/s (median of single calls, half of them just before
             and half just after the train steps, so that the rate is that of the machine while they ran);
  * rollout: KV-cache generation at temperature 1, no stop tokens, tokens/s (prefill included, median of runs);
  * train:   log-prob forward + backward of a token-mean policy-gradient loss on fixed prompt+completion ids, plus
             torch.optim.AdamW's step, seconds (median after warm-up); the first step's loss and gradient norm and
             every step's loss, for the JVM to compare with its own;
  * optimizer step: torch.optim.AdamW's step alone (defaults: the single-tensor loop in torch 1.13), seconds
             (median over the timed train steps);
  * peak resident memory (VmHWM).

Prints one JSON object on the last line of stdout. Fails (exit 3) unless torch's sgemm comes from OpenBLAS, MKL or
BLIS (Debian's default libblas.so.3 is the netlib reference implementation, ~30x slower).
"""
import argparse
import ctypes
import json
import os
import statistics
import struct
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="Hugging Face model directory (config.json + safetensors)")
    p.add_argument("--inputs", required=True, help="safetensors file with the JVM's inputs and check logits")
    p.add_argument("--threads", type=int, required=True, help="intra-op threads (the JVM side's count)")
    p.add_argument("--iters", type=int, default=5, help="timed iterations of train and rollout")
    p.add_argument("--warmup", type=int, default=2, help="untimed train iterations first")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--gemm", default="2048,512,1536", help="M,K,N of the measured GEMM")
    p.add_argument("--seed", type=int, default=0, help="sampling seed")
    return p.parse_args()


# Imported as a module (bench/reference/rl_step_ref.py reuses the model), the importer parses its own arguments and
# sets the thread counts before importing this file.
ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    # OpenBLAS reads its thread count when it is loaded, i.e. at `import torch`: set it first.
    os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool}


def log(msg):
    print("[reference] " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- safetensors

def read_safetensors(path):
    """All tensors of one safetensors file, read straight into their own storage (no intermediate copies)."""
    out = {}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
        for name, e in header.items():
            if name == "__metadata__":
                continue
            start, end = e["data_offsets"]
            raw = torch.empty(end - start, dtype=torch.uint8)
            f.seek(base + start)
            if end > start and f.readinto(raw.numpy()) != end - start:
                raise ValueError(f"{path}: tensor '{name}' is truncated")
            out[name] = raw.view(DTYPES[e["dtype"]]).reshape(e["shape"])
    return out


def read_model_weights(model_dir):
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    weights = {}
    for name in files:
        weights.update(read_safetensors(os.path.join(model_dir, name)))
    return {k: v.float() for k, v in weights.items()}


# ---------------------------------------------------------------- model

class Qwen:
    """Qwen2/3 dense decoder over HF-named tensors; functional (weights are plain leaf tensors)."""

    def __init__(self, cfg, w):
        self.w = w
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads", self.heads)
        self.head_dim = cfg.get("head_dim") or cfg["hidden_size"] // self.heads
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.qwen3 = cfg["model_type"] == "qwen3"
        self.tied = cfg.get("tie_word_embeddings", False)
        theta = cfg.get("rope_theta", 10000.0)
        # computed in double and rounded once, as the JVM side does
        self.inv_freq = (1.0 / theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float64) / self.head_dim)).float()

    def parameters(self):
        return [t for n, t in self.w.items() if not (self.tied and n == "lm_head.weight")]

    def lm_head(self):
        return self.w["model.embed_tokens.weight" if self.tied else "lm_head.weight"]

    def rms(self, x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * weight

    def linear(self, x, prefix):
        return F.linear(x, self.w[prefix + ".weight"], self.w.get(prefix + ".bias"))

    def rope(self, positions):
        freqs = positions.float()[..., None] * self.inv_freq
        emb = torch.cat((freqs, freqs), -1)[:, None]
        return emb.cos(), emb.sin()

    @staticmethod
    def apply_rope(x, cos, sin):
        half = x.shape[-1] // 2
        rotated = torch.cat((-x[..., half:], x[..., :half]), -1)
        return x * cos + rotated * sin

    def forward(self, ids, positions, cache=None, past=0):
        """Final hidden states [B, T, H]; with a cache, reads slots [0, past) and writes [past, past+T)."""
        b, t = ids.shape
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        cos, sin = self.rope(positions)
        mask = None
        if t > 1:  # causal over slots [0, past+t): query i sits at slot past+i
            mask = torch.full((t, past + t), torch.finfo(x.dtype).min).triu(past + 1)
        nh, nkv, d = self.heads, self.kv_heads, self.head_dim
        for i in range(self.layers):
            p = f"model.layers.{i}."
            h = self.rms(x, self.w[p + "input_layernorm.weight"])
            q = self.linear(h, p + "self_attn.q_proj").view(b, t, nh, d)
            k = self.linear(h, p + "self_attn.k_proj").view(b, t, nkv, d)
            v = self.linear(h, p + "self_attn.v_proj").view(b, t, nkv, d).transpose(1, 2)
            if self.qwen3:
                q = self.rms(q, self.w[p + "self_attn.q_norm.weight"])
                k = self.rms(k, self.w[p + "self_attn.k_norm.weight"])
            q = self.apply_rope(q.transpose(1, 2), cos, sin)
            k = self.apply_rope(k.transpose(1, 2), cos, sin)
            if cache is not None:
                cache[i][0][:, :, past:past + t] = k
                cache[i][1][:, :, past:past + t] = v
                k, v = cache[i][0][:, :, :past + t], cache[i][1][:, :, :past + t]
            # grouped-query attention: query head j reads KV head j // (nh / nkv)
            k = k.repeat_interleave(nh // nkv, 1)
            v = v.repeat_interleave(nh // nkv, 1)
            scores = q @ k.transpose(2, 3) * d ** -0.5
            if mask is not None:
                scores = scores + mask
            a = torch.softmax(scores, -1) @ v
            x = x + self.linear(a.transpose(1, 2).reshape(b, t, nh * d), p + "self_attn.o_proj")
            h = self.rms(x, self.w[p + "post_attention_layernorm.weight"])
            gated = F.silu(self.linear(h, p + "mlp.gate_proj")) * self.linear(h, p + "mlp.up_proj")
            x = x + self.linear(gated, p + "mlp.down_proj")
        return self.rms(x, self.w["model.norm.weight"])

    def logits(self, hidden):
        return F.linear(hidden, self.lm_head())


# ---------------------------------------------------------------- measurements

def positions_for(b, t, start=0):
    return torch.arange(start, start + t).expand(b, t)


def check_logits(model, inputs):
    ids = inputs["check_ids"]
    expected = inputs["check_logits"]
    with torch.inference_mode():
        got = model.logits(model.forward(ids, positions_for(*ids.shape)))
    diff = (got - expected).abs().max().item()
    return {"max_abs_error": diff, "max_rel_error": diff / expected.abs().max().item()}


def gemm_seconds(m, k, n, reps=10):
    """Times of single fp32 linear-layer calls (M x K) . (N x K)^T, after 3 untimed ones."""
    gen = torch.Generator().manual_seed(1)
    x, w = torch.randn(m, k, generator=gen), torch.randn(n, k, generator=gen)
    times = []
    with torch.inference_mode():
        for i in range(reps + 3):
            t0 = time.perf_counter()
            F.linear(x, w)
            if i >= 3:
                times.append(time.perf_counter() - t0)
    return times


def generate(model, prompts, new_tokens, gen):
    """Sampled continuations at temperature 1 with a preallocated KV cache; returns tokens [B, new]."""
    b, p = prompts.shape
    shape = (b, model.kv_heads, p + new_tokens, model.head_dim)
    cache = [(torch.zeros(shape), torch.zeros(shape)) for _ in range(model.layers)]
    out, logps = [], []
    feed, past = prompts, 0
    for step in range(new_tokens):
        t = feed.shape[1]
        hidden = model.forward(feed, positions_for(b, t, past), cache, past)
        logits = model.logits(hidden[:, -1])
        token = torch.multinomial(torch.softmax(logits, -1), 1, generator=gen)
        logps.append(torch.log_softmax(logits, -1).gather(-1, token))
        out.append(token.view(-1).tolist())  # the host needs the ids each step (stop tokens, records)
        past += t
        feed = token
    return out


def rollout(model, prompts, new_tokens, iters, seed):
    gen = torch.Generator().manual_seed(seed)
    times = []
    with torch.inference_mode():
        for i in range(iters + 1):
            t0 = time.perf_counter()
            generate(model, prompts, new_tokens, gen)
            if i >= 1:
                times.append(time.perf_counter() - t0)
    return prompts.shape[0] * new_tokens / statistics.median(times)


def policy_loss(model, ids, prompt_len, advantages):
    """-sum_{b,j} A_b log pi(y_bj) / (B*C) over the completion tokens (positions prompt_len..T-1)."""
    hidden = model.forward(ids, positions_for(*ids.shape))
    predictors = hidden[:, prompt_len - 1:-1]
    logp = torch.log_softmax(model.logits(predictors), -1).gather(-1, ids[:, prompt_len:, None]).squeeze(-1)
    return -(advantages[:, None] * logp).sum() / logp.numel()


def train(model, ids, prompt_len, advantages, iters, warmup, lr, weight_decay):
    params = model.parameters()
    for t in params:
        t.requires_grad_(True)
    groups = [{"params": [t for t in params if t.dim() >= 2], "weight_decay": weight_decay},
              {"params": [t for t in params if t.dim() < 2], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    times, opt_times, losses, grad_norm = [], [], [], None
    for i in range(warmup + iters):
        t0 = time.perf_counter()
        loss = policy_loss(model, ids, prompt_len, advantages)
        loss.backward()
        if i == 0:  # untimed diagnostics on the first warm-up step
            t_diag = time.perf_counter()
            grad_norm = torch.sqrt(sum(t.grad.double().pow(2).sum() for t in params)).item()
            t0 += time.perf_counter() - t_diag
        t_opt = time.perf_counter()
        opt.step()
        opt.zero_grad(set_to_none=True)
        end = time.perf_counter()
        losses.append(loss.item())
        if i >= warmup:
            times.append(end - t0)
            opt_times.append(end - t_opt)
    return statistics.median(times), statistics.median(opt_times), losses, grad_norm


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def sgemm_provider():
    """The shared library whose sgemm_ torch's CPU library binds to (looked up from libtorch_cpu's own handle, i.e.
    through its dependencies in load order), or None when libtorch_cpu or the symbol cannot be found."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if len(line.split()) >= 6}
    torch_cpu = [p for p in libs if os.path.basename(p).startswith("libtorch_cpu.so")]
    if not torch_cpu:
        return None
    try:
        sgemm = ctypes.CDLL(torch_cpu[0]).sgemm_
    except AttributeError:
        return None
    info = _DlInfo()
    if ctypes.CDLL(None).dladdr(ctypes.cast(sgemm, ctypes.c_void_p), ctypes.byref(info)) == 0:
        return None
    return os.path.realpath(info.dli_fname.decode())


def peak_rss_bytes():
    """VmHWM of this process. (Not getrusage's ru_maxrss: started by posix_spawn from the JVM, this process inherits
    the JVM's high-water mark in ru_maxrss at exec; VmHWM belongs to the new address space.)"""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def openblas_builds():
    """The OpenBLAS builds mapped into this process (directories such as openblas-pthread, openblas-openmp)."""
    with open("/proc/self/maps") as f:
        paths = {os.path.realpath(line.split()[-1]) for line in f if "openblas" in line}
    return sorted({os.path.basename(os.path.dirname(p)) for p in paths})


def require_optimized_blas():
    """The library torch's sgemm comes from; exits 3 when it is not OpenBLAS, MKL or BLIS, or when two OpenBLAS builds
    are loaded."""
    blas = sgemm_provider()
    if blas is None or not any(name in blas for name in ("openblas", "mkl", "blis")):
        print(f"error: torch's sgemm comes from {blas or 'an unknown library'}, not OpenBLAS, MKL or BLIS: the netlib "
              f"reference BLAS is about 30x slower. Install libopenblas0-openmp and select it with update-alternatives "
              f"--set libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 "
              f"(bench/bench.sh does both).", file=sys.stderr)
        sys.exit(3)
    builds = openblas_builds()
    if len(builds) > 1:
        print(f"error: two OpenBLAS builds are loaded ({', '.join(builds)}): their thread pools oversubscribe the "
              f"cores. Select the same build for the alternatives libblas.so.3, liblapack.so.3 and libopenblas.so.0 "
              f"(bench/bench.sh selects openblas-openmp for all three).", file=sys.stderr)
        sys.exit(3)
    return blas


def main():
    torch.set_num_threads(ARGS.threads)
    m, k, n = (int(x) for x in ARGS.gemm.split(","))
    log(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    blas = require_optimized_blas()
    log(f"sgemm from {blas}")

    with open(os.path.join(ARGS.model, "config.json")) as f:
        cfg = json.load(f)
    model = Qwen(cfg, read_model_weights(ARGS.model))
    inputs = read_safetensors(ARGS.inputs)
    check = check_logits(model, inputs)
    log(f"logits vs JVM: max abs error {check['max_abs_error']:.3g}, relative {check['max_rel_error']:.3g}")

    prompts = inputs["rollout_prompts"]
    new_tokens = int(inputs["rollout_new_tokens"].item())
    tokens_per_s = rollout(model, prompts, new_tokens, ARGS.iters, ARGS.seed)
    log(f"rollout: {tokens_per_s:.1f} tokens/s")

    ids, prompt_len = inputs["train_ids"], int(inputs["train_prompt_len"].item())
    gemm_times = gemm_seconds(m, k, n)
    step_s, opt_s, losses, grad_norm = train(model, ids, prompt_len, inputs["train_advantages"], ARGS.iters,
                                             ARGS.warmup, ARGS.lr, ARGS.weight_decay)
    gemm = 2.0 * m * k * n / statistics.median(gemm_times + gemm_seconds(m, k, n)) / 1e9
    log(f"GEMM {m}x{k}x{n}: {gemm:.1f} GFLOP/s; train step: {step_s * 1e3:.1f} ms, of which the AdamW step "
        f"{opt_s * 1e3:.1f} ms")

    print(json.dumps({
        "implementation": f"PyTorch {torch.__version__} eager",
        "threads": torch.get_num_threads(),
        "blas": blas,
        "gemm_gflops": gemm,
        "rollout_tokens_per_s": tokens_per_s,
        "train_step_s": step_s,
        "optimizer_step_s": opt_s,
        "train_losses": losses,
        "first_grad_norm": grad_norm,
        "peak_rss_bytes": peak_rss_bytes(),
        "logits_max_abs_error": check["max_abs_error"],
        "logits_max_rel_error": check["max_rel_error"],
    }))


if __name__ == "__main__":
    main()
