"""Issue 2 figures: commit over 4,096 fingerprints, and a 32-leaf multiproof check at 4,096 leaves.

Prints medians (and min/max) with the machine. Run: ``.venv/bin/python benchmarks/bench_commit.py
[--json bench-out/commit.json]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from _machine import Run, describe_machine

from modelprint.commit.commitment import create_commitment
from modelprint.commit.identity import Identity
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.merkle import verify_multiproof


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def report(name: str, samples: list[float], target: float) -> dict[str, float]:
    med = statistics.median(samples)
    verdict = "meets" if med < target else "MISSES"
    print(
        f"{name}: median {med * 1e3:.2f} ms (min {min(samples) * 1e3:.2f}, max "
        f"{max(samples) * 1e3:.2f}, n={len(samples)}) -- {verdict} target {target * 1e3:.0f} ms"
    )
    return {
        "median_ms": round(med * 1e3, 3),
        "min_ms": round(min(samples) * 1e3, 3),
        "max_ms": round(max(samples) * 1e3, 3),
        "n": len(samples),
        "target_ms": target * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    run = Run()
    print(f"machine: {describe_machine()}")
    identity = Identity.generate()

    def commit_4096() -> None:
        fps = FingerprintSet.generate(4096)  # fresh secret: derivation is not cached
        create_commitment(fps, identity, model_name="bench", claimed_time=int(time.time()))

    commit = report(
        "commit 4,096 fingerprints (derive, hash, Merkle root, sign)", timed(commit_4096, 15), 0.2
    )

    fps = FingerprintSet.generate(4096)
    tree = fps.tree()
    root = tree.root()
    rng = random.Random(1)
    cases = []
    for _ in range(200):
        picks = rng.sample(range(4096), 32)
        cases.append(({i: tree.leaf(i) for i in picks}, tree.multiproof(picks)))
    samples = []
    for leaves, proof in cases:
        t = time.perf_counter()
        verify_multiproof(leaves, proof, root)
        samples.append(time.perf_counter() - t)
    multiproof = report("verify 32-leaf multiproof against 4,096-leaf root", samples, 0.010)
    sizes = [len(p.hashes) for _, p in cases]
    print(f"  multiproof size: median {statistics.median(sizes):.0f} hashes")
    multiproof["hashes"] = statistics.median(sizes)
    run.write(args.json, {"commit_4096": commit, "multiproof_32_of_4096": multiproof})


if __name__ == "__main__":
    main()
