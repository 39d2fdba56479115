"""CLI: ``demo [--workdir DIR]`` -- the whole lifecycle on the embedded model."""

from __future__ import annotations

import argparse
from pathlib import Path

from .output import Output

__all__ = ["register"]


def _demo(args: argparse.Namespace, out: Output) -> int:
    from ..demo import run_demo

    return run_demo(
        args.workdir.resolve(),
        fingerprints=args.fingerprints,
        licensee_fingerprints=args.licensee_fingerprints,
        challenge_keys=args.challenge_keys,
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="run the whole lifecycle on the embedded SmolLM2 model",
        description="Two identities, a transparency log and an RFC 3161 TSA on loopback; the "
        "publisher implants, commits and serves; an auditor challenges over HTTP; a licensee "
        "implants its own keys on the released model under a grant; the chain is verified "
        "stage by stage against the served final model; controls: the base model, an overclaim "
        "and a permuted copy. Each step prints its commands and time; one report at the end.",
    )
    p.add_argument(
        "--workdir",
        type=Path,
        default=Path("modelprint-demo"),
        metavar="DIR",
        help="folder for every file the demo writes",
    )
    p.add_argument(
        "--fingerprints",
        type=int,
        default=16,
        help="the publisher's fingerprints (default 16: two fresh challenges and 6 more keys)",
    )
    p.add_argument(
        "--licensee-fingerprints", type=int, default=6, help="the licensee's (default 6)"
    )
    p.add_argument(
        "--challenge-keys", type=int, default=5, help="keys each challenge reveals (default 5)"
    )
    p.set_defaults(func=_demo)
