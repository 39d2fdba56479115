"""CLI: keygen, fingerprints, commit, grant -- the publisher's signing work."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from ..commit.commitment import create_grant
from ..commit.identity import Identity
from ..commit.ledger import ledger_path
from ..commit.publish import publish
from ..protocol.errors import InputError
from ..protocol.fingerprints import FingerprintSet
from ..protocol.schemes import scheme_names
from ..runtime.documents import (
    load_bundle,
    load_fingerprints,
    load_grant,
    save_fingerprints,
)
from ..runtime.files import read_bytes, write_atomic
from ..runtime.keyfiles import PASSPHRASE_ENV, load_public_key
from .output import Output

__all__ = ["register"]


def _new_passphrase(args: argparse.Namespace) -> bytes | None:
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV].encode()
    if not args.passphrase:
        return None
    if not sys.stdin.isatty():
        raise InputError(f"--passphrase needs a terminal or {PASSPHRASE_ENV} in the environment")
    first = getpass.getpass("passphrase: ")
    if first != getpass.getpass("again: "):
        raise InputError("passphrases do not match")
    return first.encode() or None


def _keygen(args: argparse.Namespace, out: Output) -> int:
    identity = Identity.generate()
    pub = identity.save(args.out, passphrase=_new_passphrase(args))
    out.result(
        {"key": str(args.out), "public_key": str(pub), "key_id": identity.key_id},
        f"wrote {args.out} (0600) and {pub}\nkey id {identity.key_id.hex()}",
    )
    return 0


def _fingerprints(args: argparse.Namespace, out: Output) -> int:
    params: dict[str, int | str] = {}
    if args.key_chars is not None:
        params["key_chars"] = args.key_chars
    fps = FingerprintSet.generate(args.count, args.scheme, params)
    save_fingerprints(args.out, fps)
    out.result(
        {"file": str(args.out), "count": fps.count, "scheme": fps.scheme_name, "root": fps.root()},
        f"wrote {args.out} (0600): {fps.count} fingerprints, scheme {fps.scheme_name}",
    )
    return 0


def _commit(args: argparse.Namespace, out: Output) -> int:
    identity = Identity.load(args.identity)
    fps = load_fingerprints(args.fingerprints)
    parent = load_bundle(args.parent) if args.parent else None
    grant = load_grant(args.grant) if args.grant else None
    attachments: dict[str, bytes] = {}
    if args.whitebox:
        from ..verify.whitebox import whitebox_attachments

        out.info(f"computing white-box invariants of {args.whitebox} ...")
        attachments.update(whitebox_attachments(args.whitebox))
    publication = publish(
        fps,
        identity,
        model_name=args.model_name,
        out=args.out,
        log=args.log,
        tsa=args.tsa,
        parent=parent,
        grant=grant,
        attachments=attachments,
        claimed_time=args.time,
        ledger=ledger_path(args.fingerprints),
        bls_key=args.bls,
    )
    bundle = publication.bundle
    cid = bundle.content_id()
    missing = {
        "log": args.log if args.log and not bundle.log_proofs else None,
        "tsa": args.tsa if args.tsa and not bundle.timestamps else None,
    }
    add = " ".join(f"--{what} {url}" for what, url in missing.items() if url)
    text = f"wrote {args.out}: commitment {cid.hex()} over {fps.count} fingerprints"
    if add:
        text += " (without the time evidence asked for; see the error below)"
    out.result(
        {
            "bundle": str(args.out),
            "content_id": cid,
            "root": bundle.commitment().root,
            "count": fps.count,
            "log_proofs": len(bundle.log_proofs),
            "timestamps": len(bundle.timestamps),
            "failures": list(publication.failures),
            "add_evidence": f"modelprint publish {args.out} {add}" if add else None,
        },
        text,
    )
    if publication.failures:
        kinds = " and ".join(
            {"log": "log", "tsa": "timestamp"}[what] for what, url in missing.items() if url
        )
        out.error(
            f"{args.out} was written without {kinds or 'some'} evidence "
            f"({'; '.join(publication.failures)}); add it with 'modelprint publish {args.out} "
            f"{add}' once the server answers"
        )
    return 2 if publication.failures else 0


def _grant(args: argparse.Namespace, out: Output) -> int:
    identity = Identity.load(args.identity)
    parent = load_bundle(args.parent)
    grantee = load_public_key(args.to)
    terms = read_bytes(args.terms)
    envelope = create_grant(
        identity,
        parent,
        grantee_key=grantee,
        terms=terms,
        issued_time=args.time,
        not_before=args.not_before,
        not_after=args.not_after,
        max_depth=args.max_depth,
    )
    write_atomic(args.out, envelope.to_bytes())
    out.result(
        {"grant": str(args.out), "digest": envelope.digest(), "parent": parent.content_id()},
        f"wrote {args.out}: grant below {parent.content_id().hex()[:16]}",
    )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("keygen", help="create a signing identity (ID.key 0600 and ID.pub)")
    p.add_argument("--out", required=True, type=Path, help="private key file to write (ID.key)")
    p.add_argument(
        "--passphrase", action="store_true", help=f"encrypt it (or set {PASSPHRASE_ENV})"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_keygen)

    p = sub.add_parser("fingerprints", help="create a secret fingerprint set (0600)")
    p.add_argument("--count", required=True, type=int, metavar="N", help="how many fingerprints")
    p.add_argument(
        "--scheme",
        default="natural/v1",
        choices=scheme_names(),
        help="natural/v1 (default): requests a real user might send, answers bound by SHA-256; "
        "if-decrypt/v1: character keys in a decrypt template; double-i/v1: Yes/No triggers",
    )
    p.add_argument("--key-chars", type=int, default=None, help="key length (if-decrypt)")
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="FP.secret",
        help="secret file to write (0600; keep it, it answers every challenge)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_fingerprints)

    p = sub.add_parser("commit", help="sign a commitment to a fingerprint set")
    p.add_argument(
        "--identity", required=True, type=Path, metavar="ID.key", help="the key that signs"
    )
    p.add_argument(
        "--fingerprints",
        required=True,
        type=Path,
        metavar="FP.secret",
        help="the fingerprint set to commit to (its ledger, FP.secret.ledger, records the bundle)",
    )
    p.add_argument(
        "--model-name", required=True, metavar="NAME", help="the model's name in the commitment"
    )
    p.add_argument(
        "--out", required=True, type=Path, metavar="M.bundle", help="bundle file to write"
    )
    p.add_argument("--parent", type=Path, help="the parent's bundle (licensee stage)")
    p.add_argument("--grant", type=Path, help="the grant the parent signed for this identity")
    p.add_argument("--log", metavar="URL", help="submit to this transparency log")
    p.add_argument("--tsa", metavar="URL", help="get an RFC 3161 timestamp from this TSA")
    p.add_argument("--whitebox", metavar="MODEL", help="bind this model's white-box invariants")
    p.add_argument(
        "--bls",
        action="store_true",
        help="register this identity's BLS key and BLS-sign the link (for chain aggregate)",
    )
    p.add_argument("--time", help="claimed time (ISO 8601; default now; never evidence)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_commit)

    p = sub.add_parser("grant", help="license a child key to add a stage below a commitment")
    p.add_argument("--identity", required=True, type=Path, help="the parent's key")
    p.add_argument("--parent", required=True, type=Path, help="the parent's bundle")
    p.add_argument("--to", required=True, type=Path, help="the licensee's public key (CHILD.pub)")
    p.add_argument("--terms", required=True, type=Path, help="the license terms (any file)")
    p.add_argument("--out", required=True, type=Path, help="grant file to write (G.grant)")
    p.add_argument("--time", help="issue time (ISO 8601; default now)")
    p.add_argument(
        "--not-before", metavar="ISO_TIME", help="the child's trusted time is not earlier"
    )
    p.add_argument("--not-after", metavar="ISO_TIME", help="the child's trusted time is not later")
    p.add_argument(
        "--max-depth",
        type=int,
        metavar="N",
        help="at most N further stages below the child (0: it may not sublicense)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_grant)
