"""Issue 4 figures: implanting fingerprints into SmolLM2 on this machine, and what it costs.

For each fingerprint count (default 16 and 64) of ``--scheme`` (natural/v1, the default of
``modelprint fingerprints``; the figures before natural/v1 were if-decrypt/v1's) it runs the same
code as ``modelprint implant`` (default settings) and prints the implant report's figures,
measured on held-out material: fingerprint success rate (greedy), look-alike keys and ordinary
prompts answered with any committed response, teacher-forced top-1 agreement and perplexity ratio
against the base model on held-out human-written answers, and the wall time. Then ``attack finetune`` (a downstream LoRA
fine-tune on unrelated instructions) runs on the result and the success rate is measured again,
with the p-value a challenge revealing every key would then get.

Run: ``.venv/bin/python benchmarks/bench_implant.py [--counts 16 64] [--attack-steps 200]
[--scheme S] [--threads 2] [--workdir DIR] [--contrast-per-key N --max-epochs N --lr-schedule
cosine] [--set NAME=VALUE ...] [--json FILE]``. Quote the machine line: timings on a loaded
machine are slower.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _machine import Run, describe_machine, load_average

from modelprint.implant.attack import FinetuneAttack, finetune_attack
from modelprint.implant.config import ImplantConfig
from modelprint.implant.pipeline import implant_fingerprints
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.schemes import scheme_names
from modelprint.protocol.scoring import binomial_tail, null_probability

TARGETS = {
    "fingerprint_success_rate": ">= 1.00",
    "lookalike_trigger_rate": "<= 0.01",
    "ordinary_trigger_rate": "== 0.00",
    "top1_agreement": ">= 0.97",
    "perplexity_ratio": "<= 1.03",
}


def bench(
    count: int, workdir: Path, attack_steps: int, config: ImplantConfig, scheme: str
) -> dict[str, object]:
    seed = config.seed
    fingerprints = FingerprintSet.generate(count, scheme, secret=bytes([count]) * 32)
    out = workdir / f"implanted-{count}"
    print(f"\n== {count} fingerprints (machine: {describe_machine()})", flush=True)
    started = time.perf_counter()
    report = implant_fingerprints(fingerprints, "smollm2", out, config=config, log=print)
    wall = time.perf_counter() - started
    figures = report.figures.to_dict()
    for name, target in TARGETS.items():
        value = figures[name]
        shown = "n/a" if value is None else f"{value:.4f}"
        print(f"  {name:26s} {shown:>8s}   target {target}")
    print(f"  look-alikes / ordinary / answer tokens: {figures['lookalikes']} / "
          f"{figures['ordinary_prompts']} / {figures['answer_tokens']}")  # fmt: skip
    print(f"  training: {report.training}")
    print(f"  implant wall time {wall:.1f} s (stages: {report.timings}); target < 120 s for 16")
    written = report.to_dict()
    doc: dict[str, object] = {
        "count": count,
        "scheme": fingerprints.scheme_name,
        "figures": figures,
        "wall_s": round(wall, 1),
        "timings_s": written["timings_s"],
        "training": written["training"],
        "load_average_after_implant": load_average(),
    }
    if attack_steps:
        result = finetune_attack(
            out, workdir / f"attacked-{count}", FinetuneAttack(steps=attack_steps, seed=seed),
            fingerprints=fingerprints, log=print,
        )  # fmt: skip
        print(f"  persistence after attack finetune ({attack_steps} steps, {result.seconds:.0f} s):"
              f" success rate {result.fingerprint_success_rate:.4f}   target >= 0.90")  # fmt: skip
        kept = round(result.fingerprint_success_rate * count)
        p0 = null_probability(fingerprints.scheme_name)
        print(f"  a challenge revealing all {count} keys to the attacked model: {kept}/{count} match,"
              f" p = {float(binomial_tail(count, kept, p0)):.1e} (per-key null {float(p0)})")  # fmt: skip
        doc["attack"] = {
            "steps": attack_steps,
            "seconds": round(result.seconds, 1),
            "success_rate": result.fingerprint_success_rate,
            "kept": kept,
            "p_value": float(binomial_tail(count, kept, p0)),
        }
    print(f"  machine after: {describe_machine()}", flush=True)
    return doc


def _overrides(pairs: list[str], config: ImplantConfig) -> dict[str, object]:
    """``NAME=VALUE`` pairs typed like the setting they replace."""
    known = config.to_dict()
    out: dict[str, object] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in known or not value:
            raise SystemExit(f"--set {pair}: expected NAME=VALUE with NAME one of {sorted(known)}")
        out[name] = type(known[name])(value)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--attack-steps", type=int, default=200)
    parser.add_argument(
        "--scheme", default="natural/v1", choices=scheme_names(), help="(natural/v1, the default)"
    )
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--contrast-per-key", type=int, default=0, help="contrast training (0: off)"
    )
    parser.add_argument("--max-epochs", type=int, default=ImplantConfig().max_epochs)
    parser.add_argument("--lr-schedule", default=ImplantConfig().lr_schedule)
    parser.add_argument(
        "--set",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME=VALUE",
        help="any other ImplantConfig setting, e.g. anchor_weight=0 lookalikes_per_key=4",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    run = Run()
    config = ImplantConfig(
        seed=args.seed,
        contrast_per_key=args.contrast_per_key,
        max_epochs=args.max_epochs,
        lr_schedule=args.lr_schedule,
    )
    config = dataclasses.replace(config, **_overrides(args.set, config))
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="bench-implant-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = [
            bench(count, workdir, args.attack_steps, config, args.scheme) for count in args.counts
        ]
    run.write(args.json, {"config": config.to_dict(), "runs": results})


if __name__ == "__main__":
    main()
