"""CLI: ``export M.bundle --format dsse|in-toto|tlog-proof --out FILE`` -- standard formats out.

``dsse`` re-encodes a signed record (``--record commitment`` or ``grant``) as a DSSE JSON envelope
with its original signature; ``in-toto`` writes an in-toto Statement v1 in a DSSE envelope, signed
afresh with the publisher's ``--identity``; ``tlog-proof`` writes a log proof (``--origin`` picks
the log when there are several) as a C2SP tlog-proof file. See specs/export.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..protocol.export import FORMATS, RECORDS
from ..runtime.export import export_bundle
from .output import Output

__all__ = ["register"]


def _export(args: argparse.Namespace, out: Output) -> int:
    data = export_bundle(
        args.bundle,
        args.out,
        args.format,
        record=args.record,
        identity=args.identity,
        origin=args.origin,
    )
    what = f"the {args.record}" if args.format == "dsse" else "the bundle"
    out.result(
        {"bundle": str(args.bundle), "format": args.format, "out": str(args.out),
         "bytes": len(data)},
        f"wrote {args.out}: {what} as {args.format} ({len(data)} bytes)",
    )  # fmt: skip
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export", help="write a bundle's records or a log proof in a standard format"
    )
    p.add_argument("bundle", type=Path, metavar="M.bundle", help="the bundle to export from")
    p.add_argument(
        "--format", required=True, choices=FORMATS,
        help="dsse: a signed record as a DSSE JSON envelope; in-toto: an in-toto Statement v1 "
        "(needs --identity); tlog-proof: a log proof as a C2SP tlog-proof file",
    )  # fmt: skip
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="the file to write")
    p.add_argument(
        "--record", choices=RECORDS, default="commitment",
        help="which signed record a dsse export carries",
    )  # fmt: skip
    p.add_argument(
        "--identity", type=Path, metavar="ID.key",
        help="the publisher's key, which signs an in-toto statement",
    )  # fmt: skip
    p.add_argument(
        "--origin", metavar="NAME",
        help="the log whose proof a tlog-proof export carries (needed when there are several)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_export)
