"""Issue 5 figures: challenge throughput, verifier overhead, p-values, and the false-match rate.

1. A 64-key challenge against a loopback OpenAI-compatible server (``verify.server.ChatServer``)
   whose backend answers after 200 ms: concurrency 16 vs sequential, in the same run.
2. The verifier's own overhead per query (client-side time minus the server's handler time), and
   the time to verify the reveal (signature, leaves, multiproof).
3. The p-value reached with 8, 16 and 32 keys at 100% matches under the documented null bound.
4. Calibration of the per-key null probability: fresh fingerprint keys sent to models that were
   never fingerprinted (base SmolLM2 through the same chat template, and tiny random models);
   counts exact matches of the committed response and, as a more sensitive proxy, outputs that
   contain any string of the response form ``<adjective> <noun> <4 digits>``.

Run: ``.venv/bin/python benchmarks/bench_challenge.py [--smollm2-keys 32] [--skip-smollm2]
[--json FILE]``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _machine import Run, describe_machine

from modelprint.commit.commitment import create_commitment
from modelprint.commit.identity import Identity
from modelprint.protocol.challenge import (
    Challenge,
    SignedReveal,
    create_reveal,
    verify_reveal,
)
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.schemes import IFDecryptScheme
from modelprint.protocol.scoring import binomial_tail, null_probability
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.verify.responders import OpenAIResponder
from modelprint.verify.server import ChatServer
from modelprint.verify.session import run_challenge

T0 = 1_735_689_600
RESPONSE_FORM = re.compile(
    r"\b(" + "|".join(IFDecryptScheme.adjectives) + r")\s+(" + "|".join(IFDecryptScheme.nouns)
    + r")\s+\d{4}\b",
    re.IGNORECASE,
)  # fmt: skip


def _setup(count: int, keys: int) -> tuple:
    identity = Identity.generate()
    fps = FingerprintSet.generate(count)
    bundle = create_commitment(fps, identity, model_name="bench", claimed_time=T0)
    challenge = Challenge.create(
        bundle=bundle.content_id(), count=keys, first_seen=T0 + 86_400, created=T0 + 2 * 86_400
    )
    signed = SignedReveal.sign(create_reveal(fps, challenge), identity.private_key)
    return fps, bundle, challenge, signed


def throughput(delay: float = 0.2, keys: int = 64) -> dict[str, object]:
    _, bundle, challenge, signed = _setup(256, keys)
    server_times: list[float] = []
    lock = threading.Lock()

    def slow(conversations: Sequence[Sequence[dict[str, str]]], max_tokens: int) -> list[str]:
        began = time.perf_counter()
        time.sleep(delay)
        out = ["I do not know."]
        with lock:
            server_times.append(time.perf_counter() - began)
        return out

    server = ChatServer(("127.0.0.1", 0), slow, "slow")
    server.start()
    results = {}
    try:
        for concurrency in (1, 16):
            server_times.clear()
            responder = OpenAIResponder(server.url, "slow", concurrency=concurrency, retries=0)
            began = time.perf_counter()
            outcome = run_challenge(
                bundle, challenge, signed, responder, policy=UnsafeClaimedTime()
            )
            wall = time.perf_counter() - began
            client = [r.seconds for r in outcome.replies.values()]
            results[concurrency] = (wall, client, list(server_times), outcome)
    finally:
        server.shutdown()
        server.server_close()
    seq_wall, seq_client, seq_server, _ = results[1]
    par_wall, _, _, outcome = results[16]
    print(f"\n[1] {keys}-key challenge, loopback server answering after {delay * 1000:.0f} ms")
    print(f"    sequential (concurrency 1):  {seq_wall:7.2f} s")
    print(f"    concurrency 16:              {par_wall:7.2f} s")
    print(f"    speed-up:                    {seq_wall / par_wall:7.1f}x  (goal >= 10x)")
    print(f"    verdict {outcome.verdict.kind}, {outcome.verdict.failed} failed queries")
    overhead = [c - s for c, s in zip(sorted(seq_client), sorted(seq_server), strict=False)]
    print("\n[2] per query, sequential run (median)")
    print(f"    server handler time:         {statistics.median(seq_server) * 1000:7.1f} ms")
    print(f"    client round trip:           {statistics.median(seq_client) * 1000:7.1f} ms")
    print(f"    verifier + HTTP overhead:    {statistics.median(overhead) * 1000:7.2f} ms")
    began = time.perf_counter()
    for _ in range(20):
        verify_reveal(signed, challenge, bundle.commitment(), bundle.content_id())
    per = (time.perf_counter() - began) / 20
    print(
        f"    reveal verification ({keys} pairs, tree of 256): {per * 1000:.2f} ms once per challenge"
    )
    return {
        "keys": keys,
        "server_delay_ms": delay * 1000,
        "sequential_s": round(seq_wall, 3),
        "concurrency_16_s": round(par_wall, 3),
        "speedup": round(seq_wall / par_wall, 2),
        "verdict": str(outcome.verdict.kind),
        "failed_queries": outcome.verdict.failed,
        "server_ms": round(statistics.median(seq_server) * 1000, 2),
        "client_ms": round(statistics.median(seq_client) * 1000, 2),
        "overhead_ms": round(statistics.median(overhead) * 1000, 3),
        "reveal_verification_ms": round(per * 1000, 3),
    }


def p_values() -> dict[str, object]:
    p0 = null_probability("if-decrypt/v1")
    print(f"\n[3] p-value at 100% matches, per-key null probability p0 = {float(p0):g}")
    for k in (8, 16, 32):
        print(f"    {k:2d} keys: p = {float(binomial_tail(k, k, p0)):.3g}")
    print("    (and at 75% matches:", end="")
    for k in (8, 16, 32):
        m = (3 * k) // 4
        print(f" {m}/{k}: {float(binomial_tail(k, m, p0)):.2g};", end="")
    print(")")
    return {
        "scheme": "if-decrypt/v1",
        "p0": float(p0),
        "all_match": {str(k): float(binomial_tail(k, k, p0)) for k in (8, 16, 32)},
    }


def _false_matches(generator, keys: int, label: str, max_tokens: int) -> tuple[int, int, int]:
    fps = FingerprintSet.generate(keys)
    scheme = fps.scheme
    pairs = fps.pairs()
    conversations = [[{"role": "user", "content": scheme.prompt(p.key)}] for p in pairs]
    began = time.perf_counter()
    outputs = generator.generate(conversations, max_tokens=max_tokens, batch_size=8)
    took = time.perf_counter() - began
    exact = sum(scheme.matches(p.response, o) for p, o in zip(pairs, outputs, strict=True))
    form = sum(bool(RESPONSE_FORM.search(o)) for o in outputs)
    print(
        f"    {label:<22} {keys:4d} keys: exact matches {exact}, response-form outputs {form} "
        f"({took / keys:.2f} s/query)"
    )
    if outputs:
        print(f"      e.g. {outputs[0][:90]!r}")
    return exact, form, keys


def calibration(smollm2_keys: int, skip_smollm2: bool, tiny_seeds: int) -> dict[str, object]:
    import torch

    from modelprint.verify.generation import ChatGenerator

    print("\n[4] null-bound calibration: fresh keys to never-fingerprinted models (greedy)")
    totals = [0, 0, 0]
    models: list[dict[str, object]] = []
    for seed in range(tiny_seeds):
        generator = _tiny_generator(seed)
        label = f"tiny random (seed {seed})"
        counts = _false_matches(generator, 64, label, 24)
        models.append({"model": label, "exact": counts[0], "form": counts[1], "keys": counts[2]})
        for i, v in enumerate(counts):
            totals[i] += v
    if not skip_smollm2:
        torch.manual_seed(0)
        generator = ChatGenerator.load("smollm2")
        counts = _false_matches(generator, smollm2_keys, "base SmolLM2", 32)
        models.append(
            {"model": "base SmolLM2", "exact": counts[0], "form": counts[1], "keys": counts[2]}
        )
        for i, v in enumerate(counts):
            totals[i] += v
    exact, form, n = totals
    print(
        f"    total: {exact}/{n} exact matches (false-match rate {exact / n:.3g}; 95% upper bound "
        f"{3 / n if exact == 0 else float('nan'):.3g} by the rule of three), {form}/{n} outputs "
        "of the response form"
    )
    space = len(IFDecryptScheme.adjectives) * len(IFDecryptScheme.nouns) * 9000
    print(
        f"    analytic: a model without the secret emits a given response with probability "
        f"<= (response-form strings per output) / {space:,}; documented bound p0 = "
        f"{float(null_probability('if-decrypt/v1')):g}"
    )
    return {"exact": exact, "form": form, "queries": n, "models": models}


def _tiny_generator(seed: int):
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from modelprint.verify.generation import ChatGenerator

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    tok = Tokenizer(models.BPE(vocab={c: i for i, c in enumerate(alphabet)}, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok)
    fast.add_special_tokens({"eos_token": "<|im_end|>", "pad_token": "<pad>"})
    fast.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
        "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(fast), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
        eos_token_id=fast.eos_token_id, pad_token_id=fast.pad_token_id,
    )  # fmt: skip
    return ChatGenerator(LlamaForCausalLM(config).eval(), fast, label=f"tiny-{seed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smollm2-keys", type=int, default=32)
    parser.add_argument("--skip-smollm2", action="store_true")
    parser.add_argument("--tiny-seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only-throughput", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    run = Run()
    import torch

    torch.set_num_threads(args.threads)
    print(f"machine: {describe_machine()}")
    doc: dict[str, object] = {"throughput": throughput(), "p_values": p_values()}
    if not args.only_throughput:
        doc["false_matches"] = calibration(args.smollm2_keys, args.skip_smollm2, args.tiny_seeds)
    run.write(args.json, doc)


if __name__ == "__main__":
    main()
