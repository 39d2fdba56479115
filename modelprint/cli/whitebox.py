"""CLI: ``whitebox compare A B`` and ``whitebox png MODEL`` -- HuRef evidence from open weights.

The heavy imports (torch, transformers) happen inside the handlers, so ``modelprint --help`` and the
other verbs stay fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..runtime.files import write_atomic
from .output import Output, html_flag, write_html

__all__ = ["register"]

_MODEL_HELP = "a Hugging Face model directory, a .gguf file, or 'smollm2'"


def _write(path: Path, data: bytes) -> None:
    write_atomic(path, data)


def _compare(args: argparse.Namespace, out: Output) -> int:
    from ..verify.whitebox import compare, render_comparison_png_bytes
    from ..verify.whitebox.html import similarity_reading

    result = compare(args.a, args.b, last_layers=args.layers, token_count=args.tokens)
    data: dict[str, Any] = result.as_dict()
    if args.png is not None:
        _write(args.png, render_comparison_png_bytes(result.a, result.b))
        data["png"] = str(args.png)
    score = result.result.similarity
    lines = [f"HuRef similarity: {score:.1f} / 100 ({similarity_reading(score)})"]
    lines += [f"  {name:<12} {value:6.1f}" for name, value in result.result.terms.items()]
    if args.png is not None:
        lines.append(f"wrote {args.png} (top: {args.a}, bottom: {args.b})")
    if args.html is not None:
        from ..verify.html_report import whitebox_page
        from ..verify.whitebox import render_png_bytes

        pictures = {f"A: {args.a}": render_png_bytes(result.a)}
        pictures[f"B: {args.b}"] = render_png_bytes(result.b)
        title = f"White-box comparison: {args.a} and {args.b}"
        write_html(args.html, whitebox_page(data, pictures=pictures, title=title))
        lines.append(f"wrote {args.html}")
    out.result(data, "\n".join(lines))
    return 0


def _png(args: argparse.Namespace, out: Output) -> int:
    from ..verify.whitebox import invariants_digest, invariants_of, render_png_bytes

    inv = invariants_of(args.model, last_layers=args.layers)
    _write(args.out, render_png_bytes(inv))
    digest = invariants_digest(inv)
    out.result(
        {"png": str(args.out), "invariants_digest": digest, "layers": list(inv.layers)},
        f"wrote {args.out} (invariants digest {digest.hex()[:16]}...)",
    )
    return 0


def _check(args: argparse.Namespace, out: Output) -> int:
    from ..runtime.documents import load_bundle
    from ..verify.whitebox.binding import check_whitebox_attachments
    from ..verify.whitebox.html import similarity_reading

    commitment = load_bundle(args.bundle).commitment()
    result = check_whitebox_attachments(
        commitment.attachments,
        args.model,
        min_similarity=args.min_similarity,
        require_identical_weights=args.identical,
    )
    data: dict[str, Any] = {"bundle": str(args.bundle), "model": args.model, **result.as_dict()}
    if args.html is not None:
        from ..verify.html_report import whitebox_page
        from ..verify.whitebox.html import check_pictures

        pictures = check_pictures(result, commitment.model_name, str(args.model))
        title = f"White-box check: {args.model} against {commitment.model_name}"
        write_html(args.html, whitebox_page(data, pictures=pictures, title=title))
    lines = [f"{args.model} against the white-box evidence committed in {args.bundle}:"]
    if result.similarity is not None:
        score = result.similarity.similarity
        lines.append(f"  HuRef similarity {score:.1f} / 100 ({similarity_reading(score)})")
    if result.weights_match is not None:
        lines.append(
            "  weights identical to the committed manifest"
            if result.weights_match
            else f"  weights differ from the committed manifest ({len(result.weights_differences)})"
        )
    out.result(data, "\n".join(lines))
    return 0


def register(sub: Any) -> None:
    """Add the ``whitebox`` command group."""
    group = sub.add_parser("whitebox", help="white-box evidence from weights (HuRef invariants)")
    verbs = group.add_subparsers(dest="whitebox_command", metavar="VERB")

    p = verbs.add_parser("compare", help="HuRef similarity of two models (0..100)")
    p.add_argument("a", metavar="A", help=_MODEL_HELP)
    p.add_argument("b", metavar="B", help=_MODEL_HELP)
    p.add_argument(
        "--png",
        type=Path,
        metavar="FILE.png",
        help="also write both fingerprint pictures (A above B)",
    )
    p.add_argument("--layers", type=int, default=2, metavar="N", help="last layers to use")
    p.add_argument("--tokens", type=int, default=64, metavar="N", help="rare tokens to probe")
    html_flag(p, "the comparison (similarity, per-term bars, both pictures labelled)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_compare)

    p = verbs.add_parser("check", help="check a model against a bundle's white-box attachments")
    p.add_argument("bundle", type=Path, metavar="M.bundle", help="committed with --whitebox")
    p.add_argument("model", metavar="MODEL", help=_MODEL_HELP)
    p.add_argument(
        "--min-similarity", type=float, default=50.0, help="HuRef threshold (default 50)"
    )
    p.add_argument("--identical", action="store_true", help="also require identical weight files")
    html_flag(p, "the check (similarity, per-term bars, committed and checked pictures)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_check)

    p = verbs.add_parser("png", help="write a model's HuRef fingerprint picture")
    p.add_argument("model", metavar="MODEL", help=_MODEL_HELP)
    p.add_argument("--out", required=True, type=Path, metavar="FILE.png", help="PNG to write")
    p.add_argument("--layers", type=int, default=2, metavar="N", help="last layers to use")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_png)
