"""CLI: ``check M.bundle`` -- verify a bundle's signature and the time evidence it carries.

Reports the earliest time the bundle provably existed by, and which pinned evidence proves it
(``--trust-log LOG.pub``, ``--trust-tsa ROOT.pem``, ``--trust-witness W.pub`` with
``--witness-quorum N``). Evidence from logs or TSAs that are not
pinned is shown but not trusted. ``--refresh`` brings each pinned log proof up to the log's newest
checkpoint with a consistency proof and writes it into the bundle.

Exit codes: 0 the signature holds and, when anything is pinned, pinned evidence proves a time;
1 a signature, proof or token that does not hold, or pins that prove nothing; 2 bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..protocol.envelope import key_id
from ..protocol.errors import ConfigError, DecodeError
from ..protocol.records import Bundle
from ..protocol.timeproof import LogProof
from ..protocol.times import iso, iso_or_none
from ..protocol.trust import (
    EvidenceStatus,
    PinnedLog,
    TrustPolicy,
    assess,
    describe_proven,
    pins,
)
from ..runtime.documents import load_bundle, save_bundle
from ..runtime.keyfiles import load_trust_policy
from .output import Output

__all__ = ["register"]


def _refresh(
    bundle: Bundle, logs: list[PinnedLog], url: str | None, out: Output
) -> tuple[Bundle, int]:
    """Refresh every pinned log proof to its log's newest checkpoint; returns (bundle, count)."""
    from ..commit.tlog_client import LogClient

    refreshed, count = [], 0
    for value in bundle.log_proofs:
        try:
            proof = LogProof.from_value(value)
        except DecodeError:
            refreshed.append(value)
            continue
        keys = [k for k in logs if k.matches(proof)]
        target = url or proof.url
        if not keys or target is None:
            refreshed.append(value)
            continue
        origin = proof.unverified_checkpoint().origin
        with LogClient(target) as client:
            new = client.refresh(proof, keys[0].verifiers_for(origin))
        assert new.refresh is not None
        out.info(f"refreshed the proof from {origin} against {target}")
        refreshed.append(new.to_value())
        count += 1
    return bundle.with_evidence(log_proofs=tuple(refreshed)), count


def _line(item: EvidenceStatus) -> str:
    what = {"log": "log", "tsa": "RFC 3161 token", "witness": "witness"}[item.kind]
    when = iso(item.claimed_time) if item.claimed_time is not None else "no time"
    head = f"    [{item.status}] {what} {item.authority}"
    if item.kind == "witness":
        if item.status == "trusted":
            return f"{head} cosigned log proof #{item.position} at {when}"
        return f"{head} on log proof #{item.position} -- not trusted: {item.reason}"
    if item.kind == "log":
        head += f" entry {item.detail.get('index')} of {item.detail.get('tree_size')}"
    if item.status == "trusted" and item.proven is not None:
        refreshed = item.detail.get("refreshed_size")
        extra = f", consistent with its checkpoint of {refreshed}" if refreshed else ""
        return f"{head}, proves {iso(item.proven.time)}{extra}"
    if item.status == "trusted":
        return f"{head}, {item.reason}"
    return f"{head}, says {when} -- not trusted: {item.reason}"


def _check(args: argparse.Namespace, out: Output) -> int:
    bundle = load_bundle(args.bundle)
    commitment = bundle.commitment()
    policy = policy_from_flags(args)
    if args.refresh:
        logs = [p for p in pins(policy) if isinstance(p, PinnedLog)]
        if not logs:
            raise ConfigError("--refresh needs --trust-log to check the newer checkpoint")
        bundle, count = _refresh(bundle, logs, args.log_url, out)
        if count:
            save_bundle(args.bundle, bundle)
    report = assess(bundle, policy)
    earliest = report.proven
    items: list[dict[str, Any]] = [
        {
            "kind": i.kind,
            "position": i.position,
            "status": i.status,
            "authority": i.authority,
            "claimed_time": iso_or_none(i.claimed_time),
            "proven_time": iso(i.proven.time) if i.proven else None,
            "trusted_key": i.proven.trusted_key if i.proven else None,
            "reason": i.reason,
            "detail": i.detail,
        }
        for i in report.items
    ]
    info = {
        "bundle": str(args.bundle),
        "verdict": "valid" if report.passed else "rejected",
        "content_id": bundle.content_id(),
        "signature": "valid",
        "publisher_key_id": key_id(commitment.publisher_key),
        "claimed_time": iso(commitment.claimed_time),
        "earliest_trusted_time": iso(earliest.time) if earliest else None,
        "earliest_trusted_unix": earliest.time if earliest else None,
        "proven_by": (
            {"kind": earliest.kind, "authority": earliest.authority, "key": earliest.trusted_key}
            if earliest
            else None
        ),
        "evidence": items,
        "problems": list(report.problems) if report.pinned else [],
    }
    lines = [
        f"{args.bundle}: signature valid (publisher {key_id(commitment.publisher_key).hex()[:16]})",
        f"  claimed time {iso(commitment.claimed_time)} (the publisher's claim, not evidence)",
    ]
    if earliest is not None:
        lines.append(f"  existed by {iso(earliest.time)}: {describe_proven(earliest)}")
    elif not report.items:
        lines.append("  no time evidence")
    elif not report.pinned:
        lines.append(
            "  no trusted time: pin a log (--trust-log), a TSA root (--trust-tsa) or witnesses "
            "(--trust-witness)"
        )
    else:
        lines.append("  no trusted time: no pinned evidence holds")
    if report.items:
        lines.append("  evidence:")
        lines.extend(_line(i) for i in report.items)
    out.result(info, "\n".join(lines))
    return 0 if report.passed else 1


def policy_from_flags(args: argparse.Namespace, *, unsafe: bool = False) -> TrustPolicy:
    """The trust policy of the :func:`trust_flags` a verb was given."""
    return load_trust_policy(
        args.trust_log, args.trust_tsa, args.trust_witness, args.witness_quorum,
        unsafe_claimed_time=unsafe,
    )  # fmt: skip


def trust_flags(p: argparse.ArgumentParser) -> None:
    """``--trust-log``, ``--trust-tsa``, ``--trust-witness`` and ``--witness-quorum``: the pins
    every verb that judges time evidence takes."""
    p.add_argument(
        "--trust-log", action="append", default=[], type=Path, metavar="LOG.pub",
        help="pin a transparency-log key (C2SP verifier key or PEM): its proofs count as time "
        "evidence; repeatable",
    )  # fmt: skip
    p.add_argument(
        "--trust-tsa", action="append", default=[], type=Path, metavar="CERT.pem",
        help="pin a TSA root certificate (PEM or DER): its RFC 3161 tokens count as time "
        "evidence; repeatable",
    )  # fmt: skip
    p.add_argument(
        "--trust-witness", action="append", default=[], type=Path, metavar="W.pub",
        help="pin a witness's cosigning key (C2SP verifier key, type 0x04): a log checkpoint "
        "cosigned by a quorum of pinned witnesses proves the time of the entries it covers; "
        "repeatable",
    )  # fmt: skip
    p.add_argument(
        "--witness-quorum", type=int, metavar="N",
        help="how many of the pinned witnesses must have cosigned (default: all of them); the "
        "time proven is the N-th earliest of their cosigning times",
    )  # fmt: skip


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="verify a bundle and the time evidence it carries")
    p.add_argument("bundle", type=Path, metavar="M.bundle", help="the bundle to check")
    trust_flags(p)
    p.add_argument(
        "--refresh", action="store_true",
        help="bring pinned log proofs up to the log's newest checkpoint (writes the bundle)",
    )  # fmt: skip
    p.add_argument("--log-url", metavar="URL", help="where to refresh from (default: as recorded)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_check)
