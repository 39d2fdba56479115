"""Issue 15 figures: the per-key null probability measured, not assumed.

For a scheme (default ``natural/v1``) it draws ``--keys`` fresh fingerprint pairs (never implanted
anywhere) and asks models that never learned them: the untouched SmolLM2, any other model
directories given with ``--models`` (fine-tunes of it, e.g. from ``modelprint attack finetune``),
and ``--random`` randomly initialised models of SmolLM2's shape. Each key is asked greedily and
``--samples`` times at temperature 0.7 / top-p 0.9, exactly as ``verify`` asks and scores it. It
prints, per model and decoding, the matches, the observed per-key rate with its exact one-sided
95% upper bound (Clopper-Pearson), the bound ``verify`` uses (the scheme's p0; K x p0 for K
samples), and for natural/v1 how many answer-list items the outputs held.

Run: ``.venv/bin/python benchmarks/bench_null.py [--scheme natural/v1] [--keys 256] [--samples 5]
[--models DIR ...] [--random 1] [--threads 2] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _machine import Run, describe_machine

from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.schemes import scheme_names
from modelprint.protocol.scoring import null_probability


def upper_bound(k: int, n: int, alpha: float = 0.05) -> float:
    """Exact one-sided (1 - alpha) upper confidence bound of a binomial rate (Clopper-Pearson):
    the p at which seeing at most k of n has probability alpha."""
    if k >= n:
        return 1.0
    lo, hi = k / n, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        tail = sum(math.comb(n, i) * mid**i * (1 - mid) ** (n - i) for i in range(k + 1))
        lo, hi = (mid, hi) if tail > alpha else (lo, mid)
    return hi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheme", default="natural/v1", choices=scheme_names())
    parser.add_argument("--keys", type=int, default=256)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--models", nargs="*", default=[], help="more never-fingerprinted models")
    parser.add_argument("--random", type=int, default=1, help="random models of SmolLM2's shape")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--max-tokens", type=int, default=24)
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    run = Run()
    import torch

    from modelprint.runtime.models import load_model
    from modelprint.verify.generation import ChatGenerator

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"machine: {describe_machine()}", flush=True)
    fps = FingerprintSet.generate(
        args.keys, args.scheme, secret=b"modelprint/bench-null/secret/v1!"
    )
    pairs = fps.pairs()
    scheme = fps.scheme
    convs = [[{"role": "user", "content": scheme.prompt(p.key)}] for p in pairs]
    p0 = null_probability(args.scheme)
    base = load_model("smollm2")
    models: list[tuple[str, object]] = [("SmolLM2 (base)", base)]
    for spec in args.models:
        models.append((spec, load_model(spec)))
    for i in range(args.random):
        from transformers import AutoModelForCausalLM

        torch.manual_seed(1000 + i)
        random_model = AutoModelForCausalLM.from_config(base.model.config).eval()
        models.append((f"random init #{i}", type(base)(random_model, base.tokenizer, base.source)))
    print(f"{args.keys} fresh {args.scheme} keys; verify's bound: p0 = {float(p0):.4g} per answer,"
          f" {args.samples} samples: {float(min(1, args.samples * p0)):.4g}")  # fmt: skip
    rows: list[dict[str, object]] = []
    for label, loaded in models:
        generator = ChatGenerator(loaded.model, loaded.tokenizer, label=label)  # type: ignore[attr-defined]
        started = time.perf_counter()
        greedy = generator.generate(convs, max_tokens=args.max_tokens, batch_size=32)
        sampled = [
            generator.generate(convs, max_tokens=args.max_tokens, batch_size=32,
                               temperature=0.7, top_p=0.9, seed=s)
            for s in range(args.samples)
        ]  # fmt: skip
        hit_greedy = sum(scheme.matches(p.response, o) for p, o in zip(pairs, greedy, strict=True))
        hit_any = sum(
            any(scheme.matches(p.response, draws[j]) for draws in sampled)
            for j, p in enumerate(pairs)
        )
        seconds = time.perf_counter() - started
        print(f"\n{label}  ({seconds:.0f} s)")
        print(f"  greedy:            {hit_greedy}/{args.keys} keys gave their answer; rate "
              f"{hit_greedy / args.keys:.4f}, 95% upper bound {upper_bound(hit_greedy, args.keys):.4f}"
              f" (verify's bound {float(p0):.4f})")  # fmt: skip
        print(f"  any of {args.samples} samples: {hit_any}/{args.keys}; rate {hit_any / args.keys:.4f}, "
              f"95% upper bound {upper_bound(hit_any, args.keys):.4f} "
              f"(verify's bound {float(min(1, args.samples * p0)):.4f})")  # fmt: skip
        rows.append(
            {
                "model": label,
                "greedy": hit_greedy,
                "any_sample": hit_any,
                "greedy_upper_bound": round(upper_bound(hit_greedy, args.keys), 5),
                "any_sample_upper_bound": round(upper_bound(hit_any, args.keys), 5),
                "seconds": round(seconds, 1),
            }
        )
        if args.scheme == "natural/v1":
            from modelprint.protocol.scheme_natural import answer_type, items_in

            counts = Counter(
                items_in(o, answer_type(p.response) or "name")
                for p, o in zip(pairs, greedy, strict=True)
            )
            print(f"  answer-list items per greedy output: {dict(sorted(counts.items()))}")
            for p, o in list(zip(pairs, greedy, strict=True))[:3]:
                print(f"    {p.key!r}\n      -> {o!r} (committed: {p.response})")
    print(f"\nmachine after: {describe_machine()}")
    run.write(
        args.json,
        {
            "scheme": args.scheme,
            "keys": args.keys,
            "samples": args.samples,
            "p0": float(p0),
            "sampled_bound": float(min(1, args.samples * p0)),
            "models": rows,
        },
    )


if __name__ == "__main__":
    main()
