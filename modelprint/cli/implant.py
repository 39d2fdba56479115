"""CLI: ``implant`` (fingerprint a model), ``attack finetune`` (a downstream fine-tune) and
``attack permute`` (the same function behind disguised weights)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from ..implant.precision import PRECISIONS
from ..protocol.errors import ConfigError, ModelprintError
from .output import Output

if TYPE_CHECKING:
    from ..implant.parents import ParentKeys
from .progress import progress_display

__all__ = ["register"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0: {text!r}")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "implant",
        help="implant a fingerprint set into a model with LoRA",
        description="Train the fingerprint keys into MODEL (a Hugging Face directory, a GGUF file "
        "or 'smollm2') and write a merged Hugging Face model directory with an implant report "
        "(modelprint-implant.json) measured on held-out keys and prompts.",
    )
    p.add_argument("--fingerprints", required=True, metavar="FP.secret", help="fingerprint set")
    p.add_argument("--base", required=True, metavar="MODEL", help="directory, .gguf or smollm2")
    p.add_argument("--out", required=True, metavar="DIR", help="new output directory")
    p.add_argument("--adapter-only", action="store_true", help="keep the LoRA adapter unmerged")
    p.add_argument(
        "--quick",
        action="store_true",
        help="the quick preset: a short schedule on fewer negatives, minutes on two CPU cores "
        "(less specific and less persistent than the defaults; for demos and trials)",
    )
    p.add_argument("--seed", type=_positive_int, default=0, help="seed (default 0)")
    p.add_argument("--threads", type=_positive_int, default=0, help="torch CPU threads (0: auto)")
    p.add_argument(
        "--contrast-per-key",
        type=_positive_int,
        default=0,
        metavar="N",
        help="each epoch, N fresh look-alikes per key followed by the real reply and pushed off "
        "it: more specific, much slower (default 0: off)",
    )
    p.add_argument(
        "--margin",
        type=float,
        default=None,
        metavar="W",
        help="weight of the hinge that keeps every reply token 6 logits ahead of its rival: "
        "keys survive a later fine-tune better, ordinary text drifts more (default 0.1; 0: off)",
    )
    p.add_argument(
        "--max-epochs", type=_positive_int, default=None, metavar="N", help="cap on epochs (10)"
    )
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="training matmuls: auto (bf16 where the CPU/GPU has native bf16, else fp32), "
        "fp32 or bf16; the report is measured in fp32 either way",
    )
    p.add_argument(
        "--batch-size",
        type=_positive_int,
        default=None,
        metavar="N",
        help="sequences per optimizer step, shared by all processes under torchrun (default 8)",
    )
    p.add_argument(
        "--adapter-layers",
        type=float,
        default=None,
        metavar="F",
        help="fraction of the last decoder layers that carry the adapter (default 0.25)",
    )
    p.add_argument(
        "--parent-fingerprints",
        action="append",
        default=[],
        type=Path,
        metavar="FP.secret",
        help="an earlier stage's fingerprint set, when you hold it: its keys are scored on MODEL "
        "before and on the result after (measured, never trained; repeatable). With any --parent-* "
        "flag the implant trains more look-alikes and runs until they rarely trigger, so that the "
        "new keys do not overwrite the parent's",
    )
    p.add_argument(
        "--parent-bundle",
        action="append",
        default=[],
        type=Path,
        metavar="B.bundle",
        help="an earlier stage's bundle; with --parent-challenge and --parent-reveal (one of each "
        "per bundle, in order) the revealed keys are checked against it and scored before and "
        "after, as --parent-fingerprints (repeatable)",
    )
    p.add_argument(
        "--parent-challenge", action="append", default=[], type=Path, metavar="C.challenge",
        help="the challenge the parent's reveal answers (one per --parent-bundle)",
    )  # fmt: skip
    p.add_argument(
        "--parent-reveal", action="append", default=[], type=Path, metavar="R.reveal",
        help="the parent's signed reveal (one per --parent-bundle)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_implant)

    attack = sub.add_parser("attack", help="attacks that a fingerprint should survive")
    attack_sub = attack.add_subparsers(dest="attack_command", metavar="ATTACK")
    f = attack_sub.add_parser(
        "finetune",
        help="an ordinary downstream LoRA fine-tune on unrelated instruction data",
        description="Fine-tune MODEL with a fresh LoRA adapter on modelprint's own instruction "
        "set (unrelated to any keys), merge it, and write DIR2. With --fingerprints, also print "
        "how many fingerprints the fine-tuned model still answers.",
    )
    f.add_argument("--model", required=True, metavar="DIR", help="model to fine-tune")
    f.add_argument("--out", required=True, metavar="DIR2", help="new output directory")
    f.add_argument("--steps", type=_positive_int, default=200, help="optimizer steps (200)")
    f.add_argument("--learning-rate", type=float, default=2e-4, help="learning rate (2e-4)")
    f.add_argument("--rank", type=_positive_int, default=8, help="LoRA rank (8)")
    f.add_argument("--batch-size", type=_positive_int, default=4, help="batch size (4)")
    f.add_argument("--seed", type=_positive_int, default=0, help="seed (default 0)")
    f.add_argument(
        "--full", action="store_true", help="train every weight (use --learning-rate 2e-5)"
    )
    f.add_argument("--threads", type=_positive_int, default=0, help="torch CPU threads (0: auto)")
    f.add_argument("--fingerprints", metavar="FP.secret", help="measure success after the attack")
    f.add_argument("--json", action="store_true", help="print the result as JSON")
    f.set_defaults(func=_attack_finetune)

    f = attack_sub.add_parser(
        "permute",
        help="the same function behind different weights: permuted and rescaled, no training",
        description="Write DIR2, a copy of MODEL whose every weight matrix differs while its "
        "logits stay the same (RMSNorm gains folded, hidden dimensions permuted, attention heads "
        "and MLP neurons permuted and rescaled, value/output spaces mixed). The fingerprints "
        "still answer and 'whitebox compare MODEL DIR2' still finds MODEL in it.",
    )
    f.add_argument("--model", required=True, metavar="DIR", help="directory, .gguf or smollm2")
    f.add_argument("--out", required=True, metavar="DIR2", help="new output directory")
    f.add_argument("--seed", type=_positive_int, default=0, help="seed of the transforms")
    f.add_argument("--json", action="store_true", help="print the result as JSON")
    f.set_defaults(func=_attack_permute)


def _set_threads(count: int) -> None:
    if count:
        import torch

        torch.set_num_threads(count)


def _implant(args: argparse.Namespace, out: Output) -> int:
    from ..implant.config import ImplantConfig
    from ..implant.pipeline import REPORT_NAME, implant_fingerprints
    from ..runtime.documents import load_fingerprints

    fingerprints = load_fingerprints(args.fingerprints)
    parents = _parent_keys(args)
    make = ImplantConfig.quick if args.quick else ImplantConfig
    config = make(seed=args.seed, contrast_per_key=args.contrast_per_key, precision=args.precision)
    if args.max_epochs is not None:
        config = dataclasses.replace(config, max_epochs=args.max_epochs)
    if args.margin is not None:
        config = dataclasses.replace(config, margin_weight=args.margin)
    if args.batch_size is not None:
        config = dataclasses.replace(config, batch_size=max(1, args.batch_size))
    if args.adapter_layers is not None:
        config = dataclasses.replace(config, adapter_layers=args.adapter_layers)
    if parents:
        config = config.on_parent(fingerprints.scheme_name)
    _set_threads(args.threads)
    with progress_display(json_mode=out.json_mode, verbose=args.verbose) as display:
        report = implant_fingerprints(
            fingerprints,
            args.base,
            Path(args.out),
            config=config,
            adapter_only=args.adapter_only,
            parents=parents,
            show_progress=False,
            progress=display,
        )
    fig = report.figures
    text = "\n".join(
        [
            f"wrote {args.out} ({'LoRA adapter' if args.adapter_only else 'merged model'}) "
            f"and {Path(args.out) / REPORT_NAME}",
            f"fingerprint success rate   {fig.fingerprint_success_rate:.1%} "
            f"({fig.fingerprints} keys)",
            f"look-alike keys triggered  {fig.lookalike_trigger_rate:.1%} ({fig.lookalikes})",
            f"ordinary prompts triggered {fig.ordinary_trigger_rate:.1%} ({fig.ordinary_prompts})",
            f"top-1 agreement with base  {_pct(fig.top1_agreement)}",
            f"perplexity ratio to base   {_num(fig.perplexity_ratio)}",
            *(
                f"{stage.label + ' keys':<27}{stage.after:.1%} of {stage.keys} "
                f"({stage.before:.1%} before the implant, from its {stage.source})"
                for stage in report.parents
            ),
            f"wall time                  {report.timings['total']:.0f} s",
        ]
    )
    out.result(report.to_dict(), text)
    return 0


def _parent_keys(args: argparse.Namespace) -> list[ParentKeys]:
    """The earlier stages' keys named on the command line, each checked before any training."""
    from ..implant.parents import from_fingerprints, from_reveal
    from ..runtime.documents import load_bundle, load_challenge, load_fingerprints, load_reveal

    bundles, challenges, reveals = args.parent_bundle, args.parent_challenge, args.parent_reveal
    if not len(bundles) == len(challenges) == len(reveals):
        raise ConfigError(
            f"--parent-bundle, --parent-challenge and --parent-reveal come in threes: got "
            f"{len(bundles)}, {len(challenges)} and {len(reveals)}"
        )
    parents = [from_fingerprints(load_fingerprints(f), f.stem) for f in args.parent_fingerprints]
    for bundle, challenge, reveal in zip(bundles, challenges, reveals, strict=True):
        try:
            parents.append(
                from_reveal(load_bundle(bundle), load_challenge(challenge), load_reveal(reveal))
            )
        except ModelprintError as exc:
            raise type(exc)(f"{reveal}: {exc}") from exc
    return parents


def _attack_finetune(args: argparse.Namespace, out: Output) -> int:
    from ..implant.attack import FinetuneAttack, finetune_attack
    from ..runtime.documents import load_fingerprints

    if args.learning_rate <= 0 or args.steps < 1 or args.rank < 1 or args.batch_size < 1:
        raise ConfigError("steps, rank, batch size and learning rate must be positive")
    fingerprints = load_fingerprints(args.fingerprints) if args.fingerprints else None
    _set_threads(args.threads)
    attack = FinetuneAttack(
        steps=args.steps,
        learning_rate=args.learning_rate,
        rank=args.rank,
        batch_size=args.batch_size,
        seed=args.seed,
        full=args.full,
    )
    with progress_display(json_mode=out.json_mode, verbose=args.verbose) as display:
        result = finetune_attack(
            args.model,
            Path(args.out),
            attack,
            fingerprints=fingerprints,
            show_progress=False,
            progress=display,
        )
    lines = [f"wrote {args.out} after {result.steps} steps in {result.seconds:.0f} s"]
    if result.fingerprint_success_rate is not None:
        lines.append(
            f"fingerprint success rate after the attack {result.fingerprint_success_rate:.1%}"
        )
    out.result(result.to_dict(), "\n".join(lines))
    return 0


def _attack_permute(args: argparse.Namespace, out: Output) -> int:
    from ..verify.whitebox.disguise import permute_model

    result = permute_model(args.model, Path(args.out), seed=args.seed)
    out.result(
        result.to_dict(),
        f"wrote {args.out}: {result.tensors_changed} of {result.tensors} weight tensors changed, "
        f"logits within {result.max_logit_difference:.2g} of {args.model}'s "
        f"(seed {args.seed}, {result.seconds:.0f} s)",
    )
    return 0


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
