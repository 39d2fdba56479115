"""License-chain figures (issue 16): crypto-only verification of a 16-link chain.

    .venv/bin/python benchmarks/bench_chain.py [--links 16] [--rounds 5] [--bls-rounds 3]
        [--json FILE]

1. Ed25519: ``verify_chain`` over a 16-link chain (every commitment and grant signature, the grant
   limits, time order under the trust policy), goal < 50 ms; the median of ``--rounds`` runs.
2. BLS (py_ecc, the reference backend): the chain's one aggregate signature, split into the proofs
   of possession (two pairings per link; a verifier that has seen a key before can skip its proof)
   and the aggregate itself (n + 1 Miller loops, one final exponentiation); median of
   ``--bls-rounds`` runs. No faster BLS backend is installed here.

Time evidence is the publisher's claimed time (``UnsafeClaimedTime``) so that what is measured is
the chain's own cryptography, not a log's proofs. The machine and its load average are printed
first and last: on a shared 2-core box the numbers move with whatever else runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from _machine import Run, describe_machine  # noqa: E402

from modelprint.commit.commitment import create_commitment, create_grant  # noqa: E402
from modelprint.commit.identity import Identity  # noqa: E402
from modelprint.protocol import bls  # noqa: E402
from modelprint.protocol.fingerprints import FingerprintSet  # noqa: E402
from modelprint.protocol.records import Bundle  # noqa: E402
from modelprint.protocol.trust import UnsafeClaimedTime  # noqa: E402
from modelprint.verify.chain import verify_chain  # noqa: E402

T0 = 1_767_225_600
DAY = 86_400


def build_chain(n: int, *, bls_key: bool) -> list[Bundle]:
    people = [Identity.generate() for _ in range(n)]
    bundles: list[Bundle] = []
    for i, who in enumerate(people):
        parent = bundles[-1] if bundles else None
        grant = None
        if parent is not None:
            grant = create_grant(
                people[i - 1], parent, grantee_key=who.public_key, terms=b"terms",
                not_before=T0, not_after=T0 + 100 * DAY,
            )  # fmt: skip
        bundles.append(
            create_commitment(
                FingerprintSet.generate(8),
                who,
                model_name=f"stage-{i}",
                claimed_time=T0 + i * DAY,
                parent=parent,
                grant=grant,
                bls_key=bls_key,
            )
        )
    return bundles


def median_ms(runs: list[float]) -> str:
    return f"{statistics.median(runs) * 1e3:.1f} ms (min {min(runs) * 1e3:.1f}, n={len(runs)})"


def figures(runs: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(runs) * 1e3, 2),
        "min_ms": round(min(runs) * 1e3, 2),
        "n": len(runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bls-rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    run = Run()
    print(f"machine: {describe_machine()}")
    policy = UnsafeClaimedTime()

    chain = build_chain(args.links, bls_key=True)
    assert verify_chain(chain, policy=policy).verdict == "valid"
    runs = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        result = verify_chain(chain, policy=policy)
        runs.append(time.perf_counter() - start)
        assert result.verdict == "valid"
    print(f"ed25519 chain verify, {args.links} links: {median_ms(runs)} (goal < 50 ms)")

    ed25519 = figures(runs)
    sigs = [b.bls_signature or b"" for b in chain]
    start = time.perf_counter()
    aggregate = bls.ChainAggregate.of([b.content_id() for b in chain], sigs)
    fold_ms = (time.perf_counter() - start) * 1e3
    print(f"bls aggregate of {args.links} link signatures: {fold_ms:.1f} ms")
    keys = [bls.registered_key(b.commitment().attachments) for b in chain]
    pops, aggs, whole = [], [], []
    for _ in range(args.bls_rounds):
        start = time.perf_counter()
        for key in keys:
            key.check()
        pops.append(time.perf_counter() - start)
        start = time.perf_counter()
        aggregate.verify_signature(keys)
        aggs.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = verify_chain(chain, policy=policy, aggregate=aggregate)
        whole.append(time.perf_counter() - start)
        assert result.verdict == "valid", result.reasons
    print(f"bls (py_ecc) proofs of possession, {args.links} keys: {median_ms(pops)}")
    print(f"bls (py_ecc) aggregate verify, {args.links} links: {median_ms(aggs)}")
    print(f"chain verify with --aggregate (ed25519 + all of bls): {median_ms(whole)}")
    print(f"machine after: {describe_machine()}")
    run.write(
        args.json,
        {
            "links": args.links,
            "ed25519_verify": ed25519,
            "bls_backend": "py_ecc",
            "bls_aggregate_ms": round(fold_ms, 2),
            "bls_proofs_of_possession": figures(pops),
            "bls_aggregate_verify": figures(aggs),
            "verify_with_aggregate": figures(whole),
        },
    )


if __name__ == "__main__":
    main()
