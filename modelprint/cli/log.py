"""CLI: ``log keygen``, ``log serve`` (the transparency log) and ``publish`` (submit a bundle);
``witness`` (:mod:`.witness`) is registered beside them."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..commit.identity import Identity
from ..protocol.checkpoint import NoteSigner
from ..protocol.errors import ConfigError, DecodeError
from ..protocol.records import Bundle
from ..protocol.timeproof import LogProof
from ..protocol.times import iso
from ..runtime.documents import load_bundle, save_bundle
from ..runtime.keyfiles import (
    load_log_signer,
    load_trust_policy,
    load_witness_key,
    save_key_pair,
)
from . import witness
from .output import Output

__all__ = ["register"]


def _keygen(args: argparse.Namespace, out: Output) -> int:
    try:
        signer = NoteSigner(args.origin, Identity.generate().private_key)
    except DecodeError as exc:
        raise ConfigError(f"--origin: {exc}") from None
    vkey = signer.verifier().vkey()
    pub = save_key_pair(args.out, signer.private_key, vkey)
    out.result(
        {"key": str(args.out), "public_key": str(pub), "origin": args.origin, "vkey": vkey},
        f"wrote {args.out} (0600) and {pub}\nverifier key {vkey}",
    )
    return 0


def _serve(args: argparse.Namespace, out: Output) -> int:
    from ..commit.tlog_server import LogServer
    from ..commit.tlog_store import LogStore
    from ..commit.witness_client import WitnessClient

    signer = load_log_signer(args.key, args.origin)
    if not args.db.parent.is_dir():
        raise ConfigError(f"{args.db.parent}: no such folder")
    witnesses = []
    for spec in args.witness:
        url, sep, pub = spec.partition("=")
        if not sep or not url or not pub:
            raise ConfigError(f"--witness {spec!r}: expected URL=W.pub")
        witnesses.append(WitnessClient(url, load_witness_key(pub).verifier))
    store = LogStore(args.db, signer, time_line=not args.no_time_line)
    try:
        server = LogServer(store, args.host, args.port, verbose=args.verbose, witnesses=witnesses)
    except OSError as exc:
        store.close()
        raise ConfigError(f"cannot listen on {args.host}:{args.port} ({exc.strerror})") from None

    checkpoint = store.checkpoint[0]
    out.info(f"modelprint log {args.origin}: {checkpoint.size} entries, serving at {server.url}")
    server.serve_until_stopped()
    return 0


def _publish(args: argparse.Namespace, out: Output) -> int:
    from ..commit.publish import add_evidence

    if not args.log and not args.tsa:
        raise ConfigError("publish needs --log URL, --tsa URL or both")
    bundle = load_bundle(args.bundle)
    policy = load_trust_policy(args.trust_log) if args.trust_log else None
    updated = add_evidence(bundle, log=args.log, tsa=args.tsa, policy=policy)
    added = len(updated.log_proofs) > len(bundle.log_proofs)
    stamped = len(updated.timestamps) > len(bundle.timestamps)
    if added or stamped:
        save_bundle(args.bundle, updated)
    if not args.log:
        out.result(
            {"bundle": str(args.bundle), "tsa": args.tsa, "timestamps": len(updated.timestamps)},
            f"{args.bundle}: RFC 3161 timestamp from {args.tsa} added to the bundle",
        )
        return 0
    proof = _newest_proof(updated, args.log)
    checkpoint = proof.unverified_checkpoint()
    when = iso(checkpoint.time) if checkpoint.time is not None else "?"
    note = "added to" if added else "already in"
    out.result(
        {
            "bundle": str(args.bundle),
            "log": checkpoint.origin,
            "index": proof.index,
            "tree_size": checkpoint.size,
            "checkpoint_time": when,
            "added": added,
            "timestamp_added": stamped,
            "checked_against_pins": policy is not None,
        },
        f"{args.bundle}: entry {proof.index} of log {checkpoint.origin} "
        f"(tree {checkpoint.size}, signed {when}); proof {note} the bundle"
        + (f"\nRFC 3161 timestamp from {args.tsa} added" if stamped else ""),
    )
    return 0


def _newest_proof(bundle: Bundle, url: str) -> LogProof:
    """The bundle's log proof from ``url`` (the one just added, or the one already there)."""
    proofs = [LogProof.from_value(v) for v in bundle.log_proofs]
    mine = [p for p in proofs if p.url == url.rstrip("/")]
    return (mine or proofs)[-1]


def evidence_flags(p: argparse.ArgumentParser) -> None:
    """``--log``, ``--tsa`` and ``--trust-log``: where a signed record gets its time evidence
    (``publish``, ``revoke``), and the pin its new log proof is checked against."""
    p.add_argument("--log", metavar="URL", help="the transparency log to submit it to")
    p.add_argument("--tsa", metavar="URL", help="the RFC 3161 TSA to get a timestamp from")
    p.add_argument(
        "--trust-log",
        action="append",
        default=[],
        type=Path,
        metavar="LOG.pub",
        help="check the log's new proof against this pinned key (C2SP vkey or PEM); repeatable",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    log = sub.add_parser("log", help="run a transparency log (keygen, serve)")
    log_sub = log.add_subparsers(dest="log_command", metavar="COMMAND", parser_class=type(log))

    p = log_sub.add_parser("keygen", help="create a log key (LOG.key 0600, LOG.pub vkey)")
    p.add_argument("--out", required=True, type=Path, help="private key file (LOG.key)")
    p.add_argument("--origin", required=True, help="the log's origin line and key name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_keygen)

    p = log_sub.add_parser("serve", help="serve a transparency log over HTTP")
    p.add_argument("--db", required=True, type=Path, help="SQLite database (created if missing)")
    p.add_argument("--key", required=True, type=Path, help="the log's private key (LOG.key)")
    p.add_argument("--origin", required=True, help="the log's origin (checkpoint first line)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (0: a free one)")
    p.add_argument("--verbose", action="store_true", help="log every request on stderr")
    p.add_argument(
        "--no-time-line", action="store_true",
        help="sign checkpoints without the 'time' extension line (as Rekor v2 and Tessera do); "
        "their entries' time then comes from witnesses or RFC 3161 tokens",
    )  # fmt: skip
    p.add_argument(
        "--witness", action="append", default=[], metavar="URL=W.pub",
        help="a witness to ask for a cosignature on each new checkpoint (C2SP tlog-witness), "
        "with its verifier key; repeatable",
    )  # fmt: skip
    p.set_defaults(func=_serve)

    p = sub.add_parser(
        "publish", help="add time evidence to a bundle: a transparency log entry, a timestamp"
    )
    p.add_argument("bundle", type=Path, metavar="M.bundle", help="the bundle (updated in place)")
    evidence_flags(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_publish)

    witness.register(sub)
