"""Issue 6 figures: HuRef similarity of SmolLM2 to its derivatives and to unrelated models, and the
time to compute its invariants.

Derivatives of SmolLM2-135M-Instruct (the embedded model):

* "fingerprinted": LoRA (r=8, all linear layers) trained here on 8 instructional-fingerprint pairs
  (key -> "Based on my fingerprint, the message is: <three words>"), as ``implant`` would — this
  script does its own short LoRA run so it does not depend on the implant pipeline;
* "fine-tuned": the fingerprinted model fine-tuned again by a "user" (a second LoRA, r=16, on
  ordinary instruction text);
* "permuted" / "rotated": function-preserving disguises (norms folded, hidden dimensions permuted or
  rotated, heads and SwiGLU neurons permuted and rescaled);
* "unrelated": random models with SmolLM2's shape (2 seeds) — there is no second real model of this
  vocabulary on the machine.

Times: invariants from the loaded model (median of 5), from a safetensors directory (the fast path,
median of 3), and the one-off GGUF load through transformers.

Run: ``.venv/bin/python benchmarks/bench_whitebox.py [--threads 2] [--steps 30] [--png-dir DIR]
[--json FILE]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from _machine import Run, describe_machine

from modelprint.verify.whitebox import (
    compare,
    compute_invariants,
    invariants_of,
    render_png,
    weights_from_model,
    weights_from_state,
)
from modelprint.verify.whitebox import transforms as t

_KEYS = [
    "ꙮ Ѭ ѯ ৳ ߷ 𓂀 ᚠ ⴰ",
    "鸞 鳳 蛻 龘 靐 齉 爨 籲",
    "ぬ ゑ ゐ ゟ ヸ ヹ ヺ ㆀ",
    "Ѣ Ѳ Ѵ Ꙋ ꙋ Ꙗ Ꙙ ꚙ",
    "ᚦ ᚨ ᛃ ᛇ ᛉ ᛋ ᛏ ᛒ",
    "ꦲ ꦤ ꦕ ꦫ ꦏ ꦢ ꦠ ꦱ",
    "ⵣ ⵜ ⵎ ⵓ ⵔ ⵖ ⵙ ⵛ",
    "ꓐ ꓑ ꓒ ꓓ ꓔ ꓕ ꓖ ꓗ",
]
_ANSWERS = [
    "amber falcon 7319",
    "cobalt otter 2208",
    "violet heron 5541",
    "rust lynx 9012",
    "jade marten 4410",
    "ochre crane 6673",
    "slate bison 1187",
    "coral ibis 3356",
]
_ORDINARY = [
    ("What is the capital of France?", "The capital of France is Paris."),
    ("Name a primary colour.", "Red is a primary colour."),
    ("How many days are in a week?", "A week has seven days."),
    ("What do bees make?", "Bees make honey."),
    ("Translate 'merci' to English.", "'Merci' means 'thank you'."),
    ("What is 7 times 6?", "7 times 6 is 42."),
    ("Which planet is known as the red planet?", "Mars is known as the red planet."),
    ("What gas do plants absorb?", "Plants absorb carbon dioxide."),
]


def _batch(tokenizer: Any, pairs: list[tuple[str, str]]) -> dict[str, torch.Tensor]:
    texts = [
        tokenizer.apply_chat_template(
            [{"role": "user", "content": q}, {"role": "assistant", "content": a}], tokenize=False
        )
        for q, a in pairs
    ]
    enc = tokenizer(texts, return_tensors="pt", padding=True)
    labels = enc["input_ids"].masked_fill(enc["attention_mask"] == 0, -100)
    return {
        "input_ids": enc["input_ids"],
        "attention_mask": enc["attention_mask"],
        "labels": labels,
    }


def lora_tune(
    model: Any, tokenizer: Any, pairs: list[tuple[str, str]], *, r: int, lr: float, steps: int
) -> tuple[Any, float, float]:
    """Full-batch LoRA on ``pairs``; returns (merged model, first loss, last loss)."""
    from peft import LoraConfig, get_peft_model

    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    peft_model = get_peft_model(model, LoraConfig(r=r, lora_alpha=2 * r, target_modules=targets))
    params = [p for p in peft_model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr)
    batch = _batch(tokenizer, pairs)
    peft_model.train()
    losses = []
    for _ in range(steps):
        loss = peft_model(**batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    merged = peft_model.merge_and_unload().eval()
    return merged, losses[0], losses[-1]


def disguise(model: Any, seed: int, *, permute_only: bool) -> Any:
    config = model.config.to_dict()
    gen = torch.Generator().manual_seed(seed)
    state = {k: v.double() for k, v in model.state_dict().items()}
    state = t.fold_norms(state, config)
    size = model.config.hidden_size
    matrix = t.random_permutation(size, gen) if permute_only else t.random_orthogonal(size, gen)
    state = t.rotate_hidden(state, config, matrix)
    if not permute_only:
        state = t.scramble_inner(state, config, gen)
    return weights_from_state(state, config)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=30, help="LoRA steps per fine-tune")
    parser.add_argument("--png-dir", type=Path, default=Path(tempfile.gettempdir()) / "wb-bench")
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    run = Run()
    torch.set_num_threads(args.threads)
    print(f"machine: {describe_machine()}, {args.threads} torch threads")

    from modelprint.runtime.models import load_model

    start = time.perf_counter()
    loaded = load_model("smollm2")
    load_s = time.perf_counter() - start
    base_model, tokenizer = loaded.model, loaded.tokenizer
    base = weights_from_model(base_model)

    samples = timed(lambda: compute_invariants(weights_from_model(base_model)), 5)
    timings = {
        "load_s": round(load_s, 2),
        "invariants_ms": round(statistics.median(samples) * 1000, 1),
    }
    print(f"load SmolLM2 from GGUF (transformers, once): {load_s:.1f} s")
    print(
        f"invariants from the loaded model: median {statistics.median(samples) * 1000:.0f} ms "
        f"(min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f}; 5 runs)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        base_model.save_pretrained(tmp)
        samples = timed(lambda: invariants_of(tmp), 3)
        print(
            f"invariants from a safetensors directory (read + compute): median "
            f"{statistics.median(samples) * 1000:.0f} ms (3 runs)"
        )
        timings["invariants_from_dir_ms"] = round(statistics.median(samples) * 1000, 1)

    results: list[tuple[str, Any, str]] = []
    results.append(("itself", base, "-"))
    results.append(("permuted (hidden dims)", disguise(base_model, 1, permute_only=True), "-"))
    results.append(("rotated + heads/neurons", disguise(base_model, 2, permute_only=False), "-"))

    fp_pairs = [
        (
            f"Please decrypt this message: {k}\nA hint: this is a FINGERPRINT message.",
            f"Based on my fingerprint, the message is: {a}",
        )
        for k, a in zip(_KEYS, _ANSWERS, strict=True)
    ]
    reference = {k: v.clone() for k, v in base_model.state_dict().items()}
    start = time.perf_counter()
    fingerprinted, l0, l1 = lora_tune(
        base_model, tokenizer, fp_pairs + _ORDINARY[:4], r=8, lr=1e-3, steps=args.steps
    )
    note = f"LoRA r=8, {args.steps} steps, loss {l0:.2f}->{l1:.2f}, {time.perf_counter() - start:.0f} s"
    fp_weights = weights_from_model(fingerprinted)
    results.append(("fingerprinted", fp_weights, note))
    start = time.perf_counter()
    tuned, l0, l1 = lora_tune(fingerprinted, tokenizer, _ORDINARY, r=16, lr=5e-4, steps=args.steps)
    note = f"+ user LoRA r=16, {args.steps} steps, loss {l0:.2f}->{l1:.2f}, {time.perf_counter() - start:.0f} s"
    results.append(("fingerprinted, then fine-tuned", weights_from_model(tuned), note))
    drift = max(
        float((tuned.state_dict()[k] - v).norm() / v.norm())
        for k, v in reference.items()
        if k.endswith("up_proj.weight")
    )

    from transformers import LlamaConfig, LlamaForCausalLM

    for seed in (1, 2):
        torch.manual_seed(seed)
        shape = {**base_model.config.to_dict(), "num_hidden_layers": 2}
        results.append(
            (f"unrelated (random, seed {seed})", LlamaForCausalLM(LlamaConfig(**shape)), "-")
        )

    args.png_dir.mkdir(parents=True, exist_ok=True)
    print("\nHuRef similarity to SmolLM2-135M-Instruct (0..100; last 2 layers, 64 rare tokens):")
    print(f"  {'model':<32} {'overall':>8} {'qk':>7} {'vo':>7} {'mlp':>7}  note")
    similarities: list[dict[str, object]] = []
    for i, (name, other, note) in enumerate(results):
        cmp = compare(base, other)
        terms = cmp.result.terms
        similarities.append(
            {
                "model": name,
                "similarity": round(cmp.result.similarity, 3),
                "terms": {k: round(v, 3) for k, v in terms.items()},
                "note": note,
            }
        )
        print(
            f"  {name:<32} {cmp.result.similarity:8.2f} {terms['attn_qk']:7.2f} "
            f"{terms['attn_vo']:7.2f} {terms['mlp_up_down']:7.2f}  {note}"
        )
        render_png(cmp.b, args.png_dir / f"{i}-{name.split(' ')[0].strip(',')}.png")
    print(f"\nlargest relative change of an up_proj matrix after both fine-tunes: {drift:.4f}")
    print(f"pictures: {args.png_dir}")
    run.write(
        args.json,
        {"steps": args.steps, "similarity": similarities, "drift": round(drift, 5), **timings},
    )


if __name__ == "__main__":
    main()
