"""CLI: ``check M.bundle`` -- verify a bundle's signature and report its time evidence."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..commit.commitment import load_bundle
from ..protocol.envelope import key_id
from ..protocol.errors import ModelprintError
from .inspect import iso
from .output import Output

__all__ = ["register"]


def _check(args: argparse.Namespace, out: Output) -> int:
    bundle = load_bundle(args.bundle)
    try:
        commitment = bundle.commitment()
    except ModelprintError as exc:
        raise type(exc)(f"{args.bundle}: {exc}") from exc
    info = {
        "bundle": str(args.bundle),
        "content_id": bundle.content_id(),
        "signature": "valid",
        "publisher_key_id": key_id(commitment.publisher_key),
        "claimed_time": iso(commitment.claimed_time),
        "earliest_trusted_time": None,
        "evidence": [],
    }
    text = (
        f"{args.bundle}: signature valid (publisher {key_id(commitment.publisher_key).hex()[:16]})\n"
        f"  claimed time {iso(commitment.claimed_time)} (not evidence)\n"
        "  no trusted time evidence"
    )
    out.result(info, text)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="verify a bundle and the time evidence it carries")
    p.add_argument("bundle", type=Path)
    p.add_argument("--trust-log", action="append", default=[], type=Path, metavar="LOG.pub")
    p.add_argument("--trust-tsa", action="append", default=[], type=Path, metavar="CERT.pem")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_check)
