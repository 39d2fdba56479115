"""CLI: ``witness keygen`` and ``witness serve`` -- a minimal C2SP tlog-witness.

A witness cosigns a log's checkpoints (``cosignature/v1``, with its own signed timestamp) after
checking the log's signature and consistency with the last checkpoint of that log it cosigned.
Verifiers pin witnesses with ``--trust-witness W.pub``; logs ask them with
``log serve --witness URL=W.pub``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..commit.identity import Identity
from ..protocol.cosignature import WitnessSigner
from ..protocol.errors import ConfigError, DecodeError
from ..runtime.keyfiles import load_log_key, load_witness_signer, save_key_pair
from .output import Output

__all__ = ["register"]


def _keygen(args: argparse.Namespace, out: Output) -> int:
    try:
        signer = WitnessSigner(args.name, Identity.generate().private_key)
        vkey = signer.verifier().vkey()
    except DecodeError as exc:
        raise ConfigError(f"--name: {exc}") from None
    pub = save_key_pair(args.out, signer.private_key, vkey)
    out.result(
        {"key": str(args.out), "public_key": str(pub), "name": args.name, "vkey": vkey},
        f"wrote {args.out} (0600) and {pub}\nwitness verifier key {vkey}",
    )
    return 0


def _serve(args: argparse.Namespace, out: Output) -> int:
    from ..commit.witness_server import WitnessServer

    signer = load_witness_signer(args.key)
    logs = []
    for path in args.log_key:
        pinned = load_log_key(path)
        if pinned.name is None:
            raise ConfigError(f"{path}: a witness needs the log's verifier key (with its origin)")
        logs.extend(pinned.verifiers_for(pinned.name))
    state = args.state or args.key.with_suffix(".state")
    try:
        server = WitnessServer(signer, logs, state, args.host, args.port, verbose=args.verbose)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {args.host}:{args.port} ({exc.strerror})") from None

    names = ", ".join(sorted({v.name for v in logs}))
    out.info(f"modelprint witness {signer.name} for {names}: serving at {server.url}")
    server.serve_until_stopped()
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    witness = sub.add_parser("witness", help="run a transparency-log witness (keygen, serve)")
    verbs = witness.add_subparsers(
        dest="witness_command", metavar="COMMAND", parser_class=type(witness)
    )

    p = verbs.add_parser("keygen", help="create a witness key (W.key 0600, W.pub vkey)")
    p.add_argument("--out", required=True, type=Path, help="private key file (W.key)")
    p.add_argument("--name", required=True, help="the witness's key name (e.g. example.com/w1)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_keygen)

    p = verbs.add_parser("serve", help="cosign a log's checkpoints over HTTP (add-checkpoint)")
    p.add_argument(
        "--key", required=True, type=Path, help="the witness's key (W.key, W.pub beside)"
    )
    p.add_argument(
        "--log-key", required=True, action="append", type=Path, metavar="LOG.pub",
        help="a log to witness: its verifier key; repeatable",
    )  # fmt: skip
    p.add_argument(
        "--state", type=Path,
        help="where the last cosigned checkpoint of each log is kept (default: W.state)",
    )  # fmt: skip
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8081, help="port to listen on (0: a free one)")
    p.add_argument("--verbose", action="store_true", help="log every request on stderr")
    p.set_defaults(func=_serve)
