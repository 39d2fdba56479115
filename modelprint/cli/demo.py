"""CLI: ``demo [--workdir DIR]`` -- the whole lifecycle on the embedded model."""

from __future__ import annotations

import argparse
from pathlib import Path

from .output import Output

__all__ = ["register"]


def _demo(args: argparse.Namespace, out: Output) -> int:
    from ..demo import run_demo

    return run_demo(args.workdir.resolve(), fingerprints=args.fingerprints)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="run the whole lifecycle on the embedded SmolLM2 model")
    p.add_argument(
        "--workdir",
        type=Path,
        default=Path("modelprint-demo"),
        metavar="DIR",
        help="folder for every file the demo writes",
    )
    p.add_argument("--fingerprints", type=int, default=16, help="fingerprints to implant")
    p.set_defaults(func=_demo)
