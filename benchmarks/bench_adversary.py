"""Issue 14 figures: what a fingerprint is worth once the suspect fights back.

Implants ``--count`` fingerprints (default 16) of every scheme into SmolLM2 with the default
implant settings, applies the suspect's toolkit one row at a time (weights: casts, GGUF round
trips, 4-bit weights, LoRA and full fine-tunes, merges; serving: system prompts, sampling, the key
inside another message, no chat template, input and output filters fitted on one earlier reveal)
and challenges every variant with all the keys, as ``modelprint verify`` does. The untouched base
model and an independent fine-tune of it go through every row too: their matches are false
matches. Prints one table per scheme (row | keys matched | p-value | verdict | controls) and
writes the JSON with ``--json FILE``.

Run: ``.venv/bin/python benchmarks/bench_adversary.py [--count 16] [--quick] [--threads 2]
[--schemes if-decrypt/v1 double-i/v1] [--rows NAME ...] [--json bench-out/adversary.json]``.
``--quick`` (natural/v1 only, 8 keys, a short implant, 8 rows) is for checking a change;
quote the full run. Quote the machine line: timings on a loaded machine are slower.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _machine import Run, describe_machine

from modelprint.adversary import BenchSettings, run_bench
from modelprint.protocol.schemes import scheme_names

THRESHOLD = 1e-6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=None, help="fingerprints per scheme (16)")
    parser.add_argument("--schemes", nargs="+", default=None, choices=scheme_names())
    parser.add_argument("--quick", action="store_true", help="the short bench (under 5 minutes)")
    parser.add_argument("--rows", nargs="+", default=None, help="only these rows (by name)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    run = Run()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    from modelprint.runtime.models import load_model

    if args.threads:
        torch.set_num_threads(args.threads)
    settings = BenchSettings.quick() if args.quick else BenchSettings()
    changes: dict[str, object] = {"seed": args.seed}
    if args.count:
        changes["count"] = args.count
    if args.schemes:
        changes["schemes"] = tuple(args.schemes)
    if args.rows:
        changes["rows"] = tuple(args.rows)
    settings = replace(settings, **changes)
    print(f"machine: {describe_machine()}", flush=True)
    started = time.perf_counter()
    loaded = load_model("smollm2")
    result = run_bench(loaded, settings, log=lambda line: print(line, flush=True))
    result.machine = describe_machine()
    for scheme in settings.schemes:
        print(f"\n== {scheme}: {settings.count} keys, every variant challenged with all of them")
        print(result.table(scheme))
        rows = [r for r in result.rows if r.scheme == scheme]
        held = [
            r.row
            for r in rows
            if r.p_value is not None and r.p_value < THRESHOLD and r.verdict == "match"
        ]
        lost = [r.row for r in rows if r.row not in held]
        print(f"  p < 1e-6 in {len(held)}/{len(rows)} rows; not in: {', '.join(lost) or 'none'}")
        false = sum(r.false_matches for r in rows)
        controls = sum(len(r.controls) for r in rows)
        print(f"  false matches on the base and its fine-tune: {false} of {controls} challenges")
        print(f"  implant: {result.implant[scheme]}")
    wall = time.perf_counter() - started
    print(f"\nwall time {wall:.0f} s; machine after: {describe_machine()}")
    run.write(args.json, result.to_dict() | {"quick": args.quick, "wall_s": round(wall, 1)})


if __name__ == "__main__":
    main()
