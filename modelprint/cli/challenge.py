"""CLI: ``challenge``, ``reveal``, ``verify``, ``serve`` and ``chain verify``.

The auditor makes a challenge for a bundle, the publisher reveals the challenged fingerprints
(recording them in its ledger), and the auditor verifies the reveal and queries the suspect.
"""

from __future__ import annotations

import argparse
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..commit.identity import Identity
from ..commit.ledger import ledger_path
from ..protocol.challenge import Challenge, SignedReveal
from ..protocol.errors import ConfigError
from ..protocol.records import Bundle
from ..protocol.times import iso
from ..protocol.trust import TrustPolicy
from ..protocol.verdicts import exit_code
from ..runtime.documents import (
    load_aggregate,
    load_bundle,
    load_challenge,
    load_fingerprints,
    load_reveal,
    load_revocation,
)
from ..runtime.files import write_atomic
from . import licensing
from .check import policy_from_flags, trust_flags
from .inspect import DESCRIBERS, Description
from .licensing import parse_terms
from .output import Output, html_flag, write_html

__all__ = ["register"]


# -- files -------------------------------------------------------------------------------------


def _describe_challenge(data: bytes) -> Description:
    c = Challenge.from_bytes(data)
    info = {
        "kind": "challenge",
        "digest": c.digest(),
        "bundle": c.bundle,
        "count": c.count,
        "first_seen": iso(c.first_seen),
        "created": iso(c.created),
        "nonce": c.nonce,
    }
    text = (
        f"challenge {c.digest().hex()}\n"
        f"  bundle     {c.bundle.hex()}\n"
        f"  count      {c.count} fingerprints\n"
        f"  first seen {iso(c.first_seen)} (the suspect's)\n"
        f"  created    {iso(c.created)}"
    )
    return info, text


def _describe_reveal(data: bytes) -> Description:
    signed = SignedReveal.from_bytes(data)
    r = signed.unverified()
    info = {
        "kind": "reveal",
        "challenge": r.challenge,
        "bundle": r.bundle,
        "count": len(r.pairs),
        "pairs": [{"index": p.index, "key": p.key, "response": p.response} for p in r.pairs],
        "burned": list(r.burned),
        "signer_key_ids": [s.keyid for s in signed.envelope.signatures],
        "signature": "not checked (verify checks it against the bundle)",
    }
    lines = [
        f"reveal of {len(r.pairs)} fingerprints for challenge {r.challenge.hex()}",
        f"  bundle {r.bundle.hex()}",
        *(f"  [{p.index}] {p.key!r} -> {p.response!r}" for p in r.pairs),
    ]
    if r.burned:
        lines.append(f"  already revealed before (not scored): {list(r.burned)}")
    return info, "\n".join(lines)


DESCRIBERS.update(
    {
        Challenge.KIND: _describe_challenge,
        SignedReveal.KIND: _describe_reveal,
    }
)


# -- challenge ---------------------------------------------------------------------------------


def _challenge(args: argparse.Namespace, out: Output) -> int:
    from ..verify.audit import new_challenge

    bundle = load_bundle(args.bundle)
    commitment = bundle.commitment()
    avoid: set[int] = set()
    for path in args.avoid:
        revealed = load_reveal(path).unverified()
        if revealed.bundle != bundle.content_id():
            raise ConfigError(f"{path}: a reveal for another bundle than {args.bundle}")
        avoid.update(p.index for p in revealed.pairs)
    try:
        challenge = new_challenge(bundle, count=args.count, first_seen=args.first_seen, avoid=avoid)
    except ConfigError as exc:
        raise ConfigError(f"--count/--first-seen/--avoid: {exc}") from None
    write_atomic(args.out, challenge.to_bytes(), mode=0o644)
    info = {
        "challenge": str(args.out),
        "digest": challenge.digest(),
        "bundle": challenge.bundle,
        "count": challenge.count,
        "first_seen": iso(challenge.first_seen),
    }
    out.result(
        info,
        f"wrote {args.out}: {challenge.count} fingerprints of {commitment.model_name}, "
        f"suspect first seen {iso(challenge.first_seen)}\n"
        f"send it to the publisher; verify with the reveal it returns",
    )
    return 0


# -- reveal ------------------------------------------------------------------------------------


def _reveal(args: argparse.Namespace, out: Output) -> int:
    from ..commit.reveal import answer_challenge

    challenge = load_challenge(args.challenge)
    fingerprints = load_fingerprints(args.fingerprints)
    identity = Identity.load(args.identity)
    ledger_file = args.ledger or ledger_path(args.fingerprints)
    result = answer_challenge(
        challenge,
        fingerprints=fingerprints,
        identity=identity,
        ledger=ledger_file,
        bundle=load_bundle(args.bundle) if args.bundle is not None else None,
    )
    if result.previously_revealed:
        out.info(
            f"warning: {len(result.previously_revealed)} of {len(result.revealed)} challenged "
            "fingerprints were revealed before; the reveal marks them and verifiers will not "
            "score them"
        )
    write_atomic(args.out, result.reveal.to_bytes(), mode=0o644)
    info = {
        "reveal": str(args.out),
        "challenge": challenge.digest(),
        "revealed": len(result.revealed),
        "previously_revealed": list(result.previously_revealed),
        "ledger": str(ledger_file),
        "burned_total": result.burned_total,
        "unrevealed": result.unrevealed,
    }
    out.result(
        info,
        f"wrote {args.out}: {len(result.revealed)} fingerprints revealed for challenge "
        f"{challenge.digest().hex()[:16]}\n"
        f"ledger {ledger_file}: {result.burned_total} of {fingerprints.count} fingerprints now burned",
    )
    if result.running_low:
        out.info("warning: fewer than a quarter of the fingerprints remain unrevealed")
    return 0


# -- verify ------------------------------------------------------------------------------------


def _fraction(text: str) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError("must lie strictly between 0 and 1")
    return value


def _responder(args: argparse.Namespace) -> Any:
    from ..verify.audit import responder_for

    if args.local:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return responder_for(
        api=args.api,
        model=args.model,
        local=args.local,
        transcript=args.transcript,
        concurrency=args.concurrency,
        timeout=args.timeout,
        retries=args.retries,
        max_tokens=args.max_tokens,
        batch_size=args.batch_size,
        temperature=args.temperature,
    )


def _policy(args: argparse.Namespace) -> TrustPolicy:
    return policy_from_flags(args, unsafe=args.unsafe_trust_claimed_time)


def _verify(args: argparse.Namespace, out: Output) -> int:
    from ..verify.audit import audit
    from ..verify.report import render_html, to_json, write_report

    bundle = load_bundle(args.bundle)
    policy = _policy(args)
    responder = _responder(args)
    done = [0]

    def progress(reply: Any) -> None:
        done[0] += 1
        if not out.json_mode and args.progress:
            out.info(f"  query {done[0]}: index {reply.index} {'ok' if reply.output else 'failed'}")

    if args.evidence == "likelihood":
        from ..verify.audit import known_burned
        from ..verify.likelihood import likelihood_challenge

        outcome = likelihood_challenge(
            bundle, load_challenge(args.challenge), load_reveal(args.reveal), responder,
            policy=policy, decoy_count=args.decoys, threshold=args.threshold,
            known_burned=known_burned(args.prior_reveal, bundle.content_id()),
            system_prompts=args.system_prompt,
        )  # fmt: skip
    else:
        outcome = audit(
            bundle, args.challenge, args.reveal, suspect=responder, policy=policy,
            threshold=args.threshold, prior_reveals=args.prior_reveal,
            system_prompts=args.system_prompt, samples=args.samples, progress=progress,
        )  # fmt: skip
    whitebox: dict[str, Any] | None = None
    pictures: dict[str, bytes] = {}
    if args.local:  # the weights the queries just ran on, not a second load
        loaded = getattr(getattr(responder, "generator", None), "model", None)
        whitebox, pictures = _whitebox_evidence(bundle, args.local, out, loaded)
    if args.report:
        write_report(args.report, outcome, whitebox=whitebox, pictures=pictures)
    if args.html:
        write_html(args.html, render_html(outcome, whitebox=whitebox, pictures=pictures))
    doc = to_json(outcome, whitebox=whitebox)
    v = outcome.verdict
    p = "-" if v.p_value is None else f"{float(v.p_value):.3g}"
    lines = [
        f"verdict: {v.kind.upper()}{' (partial)' if v.partial else ''}",
        f"  matches          {v.matched}/{v.queried} scored queries, p = {p} "
        f"(threshold {float(v.threshold):.3g})",
        f"  trusted time     {doc['trusted_time'] or 'none'}"
        f"{' (UNSAFE: publisher claim)' if outcome.time.unsafe else ''}",
        f"  first seen       {doc['first_seen']}",
        *(f"  - {r}" for r in outcome.reasons),
    ]
    if whitebox is not None and whitebox["similarity"] is not None:
        lines.append(
            f"  white-box        HuRef similarity {whitebox['similarity']['similarity']:.1f}"
        )
    for written in (args.report, args.html):
        if written:
            lines.append(f"  report           {written}")
    out.result(doc, "\n".join(lines))
    return exit_code(v.kind)


def _whitebox_evidence(
    bundle: Bundle, model: str, out: Output, loaded: Any = None
) -> tuple[dict[str, Any] | None, dict[str, bytes]]:
    """With the suspect's weights at hand, compare them to the committed white-box invariants;
    the result and the two fingerprint pictures."""
    from ..verify.whitebox.binding import ATTACHMENT_INVARIANTS, check_whitebox_attachments
    from ..verify.whitebox.html import check_pictures

    commitment = bundle.commitment()
    if ATTACHMENT_INVARIANTS not in commitment.attachments:
        return None, {}
    out.info("comparing the suspect's weights with the committed white-box invariants ...")
    result = check_whitebox_attachments(
        commitment.attachments, model, min_similarity=0.0, loaded=loaded
    )
    return result.as_dict(), check_pictures(result, commitment.model_name, model)


# -- serve -------------------------------------------------------------------------------------


def _serve(args: argparse.Namespace, out: Output) -> int:
    from ..verify.server import serve

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    server = serve(str(args.model), host=args.host, port=args.port, name=args.name)
    out.info(f"serving {server.model_name} at {server.url}/chat/completions (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


# -- chain verify ------------------------------------------------------------------------------


def _chain_verify(args: argparse.Namespace, out: Output) -> int:
    from ..verify.chain import verify_chain

    bundles = [load_bundle(p) for p in args.bundles]
    suspect = args.api or args.local or args.transcript
    if suspect and (len(args.reveal) != len(bundles) or len(args.challenge) != len(bundles)):
        raise ConfigError("with a suspect, give one --challenge and one --reveal per bundle")
    if not suspect and (args.reveal or args.challenge):
        raise ConfigError(
            "--challenge and --reveal need a suspect (--api, --local or --transcript)"
        )
    challenges = [load_challenge(p) for p in args.challenge] if suspect else []
    reveals = [load_reveal(p) for p in args.reveal] if suspect else []
    result = verify_chain(
        bundles,
        policy=_policy(args),
        require_time=not args.allow_untimed,
        terms=parse_terms(args.terms),
        revocations={str(p): load_revocation(p) for p in args.revocations},
        aggregate=load_aggregate(args.aggregate) if args.aggregate else None,
        system_prompts=args.system_prompt,
        samples=args.samples,
        responder=_responder(args) if suspect else None,
        challenges=challenges,
        reveals=reveals,
        threshold=args.threshold,
    )
    doc = result.to_json()
    if args.html:
        from ..verify.html_report import chain_page

        write_html(args.html, chain_page(doc))
    lines = [f"chain of {len(bundles)}: {result.verdict.upper()}"]
    for i, link in enumerate(doc["links"]):
        lines.append(
            f"  [{i}] {link['model_name']} {link['bundle'][:16]} trusted time "
            f"{iso(link['trusted_time']) if link['trusted_time'] is not None else 'none'} "
            f"{link.get('verdict') or ''}".rstrip()
        )
    lines += [f"  - {r}" for r in result.reasons]
    out.result(doc, "\n".join(lines))
    return exit_code(result.verdict)


# -- registration ------------------------------------------------------------------------------


def _suspect_flags(p: argparse.ArgumentParser, *, required: bool) -> None:
    group = p.add_mutually_exclusive_group(required=required)
    group.add_argument("--api", metavar="URL", help="OpenAI-compatible API base URL")
    group.add_argument("--local", metavar="DIR", help="local model directory (or smollm2)")
    group.add_argument(
        "--transcript",
        type=Path,
        metavar="FILE.json",
        help="replay a report JSON (offline re-scoring)",
    )
    p.add_argument("--model", metavar="NAME", help="model name to request from --api")
    p.add_argument("--concurrency", type=int, default=8, metavar="N", help="parallel API requests")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S", help="seconds per request")
    p.add_argument(
        "--retries", type=int, default=3, metavar="N", help="retries on 429/5xx/timeouts"
    )
    p.add_argument("--max-tokens", type=int, default=48, metavar="N", help="tokens per answer")
    p.add_argument(
        "--batch-size", type=int, default=8, metavar="N", help="--local generation batch size"
    )
    p.add_argument(
        "--system-prompt",
        action="append",
        default=[],
        metavar="TEXT",
        help="send this system message first, as the suspect's product does (repeatable: "
        "several system messages, in order)",
    )
    p.add_argument(
        "--samples",
        type=int,
        default=1,
        metavar="K",
        help="answers per key, for a suspect that samples: a key matches when any answer does, "
        "scored against a per-key null of K x p0 (double-i: the majority decides); default 1",
    )
    p.add_argument(
        "--temperature",
        type=float,
        default=0.0,
        metavar="T",
        help="sampling temperature requested from the suspect (default 0: greedy)",
    )


def _time_flags(p: argparse.ArgumentParser) -> None:
    trust_flags(p)
    p.add_argument(
        "--unsafe-trust-claimed-time",
        action="store_true",
        help="take the publisher's own claimed time as trusted (demos and tests ONLY)",
    )
    p.add_argument(
        "--threshold",
        type=_fraction,
        default=Fraction(1, 10**6),
        metavar="P",
        help="a match needs a p-value below this (default 1/1000000)",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("challenge", help="challenge a publisher to reveal some fingerprints")
    p.add_argument(
        "--bundle", required=True, type=Path, metavar="M.bundle", help="the publisher's bundle"
    )
    p.add_argument(
        "--count", required=True, type=int, metavar="K", help="how many fingerprints to reveal"
    )
    p.add_argument(
        "--first-seen",
        required=True,
        metavar="ISO_TIME",
        help="when the suspect model was first seen; the commitment must be provably older",
    )
    p.add_argument(
        "--out", required=True, type=Path, metavar="C.challenge", help="challenge file to write"
    )
    p.add_argument(
        "--avoid",
        nargs="+",
        action="extend",
        default=[],
        type=Path,
        metavar="R.reveal",
        help="earlier reveals of this bundle: draw the challenge so that none of the keys they "
        "revealed is asked again (a revealed key is queried but never scored)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_challenge)

    p = sub.add_parser("reveal", help="answer a challenge (publisher; burns the revealed pairs)")
    p.add_argument("challenge", type=Path, metavar="C.challenge", help="the auditor's challenge")
    p.add_argument(
        "--fingerprints",
        required=True,
        type=Path,
        metavar="FP.secret",
        help="the secret fingerprint set the bundle commits to",
    )
    p.add_argument(
        "--identity",
        required=True,
        type=Path,
        metavar="ID.key",
        help="the publisher's key that signed the bundle (checked before anything is burned)",
    )
    p.add_argument(
        "--bundle",
        type=Path,
        metavar="M.bundle",
        help="the challenged bundle; needed only when the ledger does not know it (commit "
        "registers every bundle it writes)",
    )
    p.add_argument(
        "--ledger", type=Path, metavar="FILE", help="ledger file (default FP.secret.ledger)"
    )
    p.add_argument(
        "--out", required=True, type=Path, metavar="R.reveal", help="reveal file to write"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_reveal)

    p = sub.add_parser("verify", help="verify a reveal and challenge a suspect model")
    p.add_argument(
        "--bundle", required=True, type=Path, metavar="M.bundle", help="the publisher's bundle"
    )
    p.add_argument(
        "--challenge", required=True, type=Path, metavar="C.challenge", help="your challenge"
    )
    p.add_argument(
        "--reveal", required=True, type=Path, metavar="R.reveal", help="the publisher's answer"
    )
    _suspect_flags(p, required=True)
    _time_flags(p)
    p.add_argument(
        "--prior-reveal",
        action="append",
        default=[],
        type=Path,
        metavar="R.reveal",
        help="an earlier reveal of this bundle; its pairs are not scored again (repeatable)",
    )
    p.add_argument(
        "--report",
        type=Path,
        metavar="FILE.json|FILE.html",
        help="also write the report: JSON, or a self-contained HTML page",
    )
    p.add_argument(
        "--evidence",
        choices=("outputs", "likelihood"),
        default="outputs",
        help="outputs: the suspect's answers must carry the committed responses (default); "
        "likelihood: the suspect's log-probabilities must rank each committed reply above "
        "--decoys replies drawn like it (needs --local or an API with vLLM's prompt_logprobs)",
    )
    p.add_argument(
        "--decoys",
        type=int,
        default=99,
        metavar="D",
        help="decoys per key for --evidence likelihood",
    )
    html_flag(p, "the challenge report")
    p.add_argument("--progress", action="store_true", help="print each query as it finishes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_verify)

    p = sub.add_parser("serve", help="serve a local model as an OpenAI-compatible API")
    p.add_argument(
        "--model", required=True, metavar="MODEL", help="model directory, GGUF file or smollm2"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (0: a free one)")
    p.add_argument(
        "--name", metavar="NAME", help="model name listed by /v1/models (default: from MODEL)"
    )
    p.set_defaults(func=_serve)

    chain = sub.add_parser("chain", help="license chains")
    chain_sub = chain.add_subparsers(dest="chain_command", metavar="COMMAND")
    p = chain_sub.add_parser("verify", help="verify a license chain, root first")
    p.add_argument("bundles", nargs="+", type=Path, help="the chain's bundles, root first")
    p.add_argument("--challenge", action="append", default=[], type=Path, help="one per bundle")
    p.add_argument("--reveal", action="append", default=[], type=Path, help="one per bundle")
    _suspect_flags(p, required=False)
    _time_flags(p)
    p.add_argument(
        "--allow-untimed",
        action="store_true",
        help="let a link without a trusted time pass (reported, not fatal); default: it fails",
    )
    p.add_argument(
        "--terms",
        action="append",
        default=[],
        metavar="LINK=FILE",
        help="the license terms of link LINK's grant (1: the root's child); its digest must "
        "match (repeatable)",
    )
    p.add_argument(
        "--revocations",
        nargs="+",
        action="extend",
        default=[],
        type=Path,
        metavar="R.revocation",
        help="signed revocations: a link whose grant its grantor revoked before the child's "
        "trusted time fails",
    )
    p.add_argument(
        "--aggregate", type=Path, metavar="CHAIN.agg", help="check the chain's aggregate BLS proof"
    )
    html_flag(p, "the chain report (stages drawn, each stage's challenge)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_chain_verify)
    licensing.register(sub, chain_sub)
