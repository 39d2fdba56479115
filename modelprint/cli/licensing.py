"""CLI: ``revoke`` and ``chain aggregate`` -- a grantor's revocation and a chain's one BLS proof.

``chain verify`` itself lives with the other challenge verbs (:mod:`.challenge`); this module adds
what it reads besides bundles: signed revocations and chain aggregates.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..protocol.bls import ChainAggregate
from ..protocol.errors import ConfigError
from ..protocol.revocation import SignedRevocation
from ..protocol.times import iso
from ..runtime.documents import load_bundle, load_grant
from ..runtime.files import write_atomic
from .inspect import DESCRIBERS, Description
from .log import evidence_flags
from .output import Output

__all__ = ["parse_terms", "register"]


def parse_terms(items: list[str]) -> dict[int, bytes]:
    """``--terms N=FILE`` (repeatable) as {link position: the terms file's bytes}."""
    from ..runtime.files import read_bytes

    terms: dict[int, bytes] = {}
    for item in items:
        position, sep, path = item.partition("=")
        if not sep or not position.strip().isdigit() or not path:
            raise ConfigError(f"--terms {item!r}: give LINK=FILE, e.g. 1=terms.txt")
        if int(position) in terms:
            raise ConfigError(f"--terms: link {int(position)} given twice")
        terms[int(position)] = read_bytes(path)
    return terms


def _revoke(args: argparse.Namespace, out: Output) -> int:
    from ..commit.identity import Identity
    from ..commit.publish import revoke
    from ..runtime.keyfiles import load_trust_policy

    identity = Identity.load(args.identity)
    grant = load_grant(args.grant)
    policy = load_trust_policy(args.trust_log, []) if args.trust_log else None
    revocation, failures = revoke(
        identity, grant, reason=args.reason, out=args.out, log=args.log, tsa=args.tsa,
        policy=policy, claimed_time=args.time,
    )  # fmt: skip
    record = revocation.revocation()
    out.result(
        {
            "revocation": str(args.out),
            "grant": record.grant,
            "log_proofs": len(revocation.log_proofs),
            "timestamps": len(revocation.timestamps),
            "failures": list(failures),
        },
        f"wrote {args.out}: revocation of grant {record.grant.hex()[:16]}",
    )
    for failure in failures:
        out.error(f"{failure}; {args.out} was written without that evidence")
    if not (args.log or args.tsa):
        out.info(
            "note: without --log or --tsa the revocation has no trusted time and does not count"
        )
    return 2 if failures else 0


def _aggregate(args: argparse.Namespace, out: Output) -> int:
    from ..protocol.bls import registered_key
    from ..protocol.errors import CommitmentError

    bundles = [load_bundle(p) for p in args.bundles]
    signatures = []
    for path, bundle in zip(args.bundles, bundles, strict=True):
        registered_key(bundle.commitment().attachments)  # raises when it registers none
        if bundle.bls_signature is None:
            raise CommitmentError(f"{path}: carries no BLS link signature (commit with --bls)")
        signatures.append(bundle.bls_signature)
    aggregate = ChainAggregate.of([b.content_id() for b in bundles], signatures)
    if not args.no_check:
        keys = [registered_key(b.commitment().attachments) for b in bundles]
        aggregate.verify(keys)
    write_atomic(args.out, aggregate.to_bytes(), mode=0o644)
    out.result(
        {"aggregate": str(args.out), "links": len(bundles), "checked": not args.no_check},
        f"wrote {args.out}: one BLS signature over {len(bundles)} links"
        + ("" if args.no_check else " (verified)"),
    )
    return 0


def _describe_revocation(data: bytes) -> Description:
    signed = SignedRevocation.from_bytes(data)
    r = signed.revocation()
    info = {
        "kind": "revocation",
        "content_id": signed.content_id(),
        "grant": r.grant,
        "reason": r.reason,
        "claimed_time": iso(r.claimed_time),
        "log_proofs": len(signed.log_proofs),
        "timestamps": len(signed.timestamps),
    }
    text = (
        f"revocation {signed.content_id().hex()}\n"
        f"  grant    {r.grant.hex()}\n"
        f"  reason   {r.reason}\n"
        f"  claimed  {iso(r.claimed_time)} (the revoker's own clock)\n"
        f"  evidence {len(signed.log_proofs)} log proof(s), {len(signed.timestamps)} timestamp(s)"
    )
    return info, text


def _describe_aggregate(data: bytes) -> Description:
    agg = ChainAggregate.from_bytes(data)
    info = {"kind": "chain-aggregate", "links": list(agg.links), "signature": agg.signature}
    lines = [f"chain aggregate over {len(agg.links)} links"]
    lines += [f"  [{i}] {link.hex()}" for i, link in enumerate(agg.links)]
    return info, "\n".join(lines)


DESCRIBERS.update(
    {SignedRevocation.KIND: _describe_revocation, ChainAggregate.KIND: _describe_aggregate}
)


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    chain_sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add ``revoke`` to the verbs and ``aggregate`` to ``chain``."""
    p = sub.add_parser("revoke", help="revoke a grant you issued (publish it to a log)")
    p.add_argument("--identity", required=True, type=Path, help="the grantor's key")
    p.add_argument("--grant", required=True, type=Path, help="the grant to revoke (G.grant)")
    p.add_argument("--reason", default="revoked by the grantor", help="why (1..1024 characters)")
    p.add_argument("--out", required=True, type=Path, help="revocation file to write")
    evidence_flags(p)
    p.add_argument("--time", help="claimed time (ISO 8601; default now; never evidence)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_revoke)

    p = chain_sub.add_parser(
        "aggregate", help="add the links' BLS signatures into one (bundles committed with --bls)"
    )
    p.add_argument("bundles", nargs="+", type=Path, help="the chain, root first")
    p.add_argument("--out", required=True, type=Path, help="aggregate file to write (CHAIN.agg)")
    p.add_argument(
        "--no-check",
        action="store_true",
        help="write without verifying the aggregate (py_ecc: about 3 s per link)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_aggregate)
