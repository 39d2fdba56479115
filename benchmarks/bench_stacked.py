"""Issue 16 figures: a license chain implanted for real, stage on stage, on SmolLM2.

    .venv/bin/python benchmarks/bench_stacked.py [--stages 3] [--keys 8] [--preset quick|default]
        [--schemes natural/v1[,if-decrypt/v1...]] [--contrast-per-key N]
        [--threads 2] [--workdir DIR] [--json FILE]

Stage 0 (the publisher) implants ``--keys`` natural/v1 fingerprints into SmolLM2; every later stage
(a licensee, a sub-licensee) implants its own ``--keys`` into the previous stage's released model,
exactly as ``modelprint implant --base PARENT --parent-fingerprints ...`` does, and scores every
earlier stage's keys before and after. Printed:

1. each stage's fingerprint success in the final model (goal >= 95% each);
2. the parent's keys before and after each licensee's implant;
3. the final model's harmlessness against the base: teacher-forced top-1 agreement and perplexity
   ratio on the corpus's human-written answers (none of which the quick preset trains on).

The machine and its load average are printed first and last; implant times move with the load.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from _machine import Run, describe_machine  # noqa: E402

from modelprint.implant.config import ImplantConfig  # noqa: E402
from modelprint.implant.corpus import load_corpus  # noqa: E402
from modelprint.implant.evaluation import agreement_with, fingerprint_success  # noqa: E402
from modelprint.implant.parents import from_fingerprints  # noqa: E402
from modelprint.implant.pipeline import implant_fingerprints  # noqa: E402
from modelprint.implant.teacher import teacher_forced  # noqa: E402
from modelprint.protocol.fingerprints import FingerprintSet  # noqa: E402
from modelprint.runtime.chat import ChatEncoder  # noqa: E402
from modelprint.runtime.models import load_model, pad_token_id  # noqa: E402

NAMES = ["publisher", "licensee", "sub-licensee", "stage-3", "stage-4"]
GOAL_SUCCESS = 0.95


def _harmlessness(base: str, final: Path) -> dict[str, float | int]:
    """Top-1 agreement and perplexity ratio of ``final`` against ``base`` on held-out answers."""
    import torch

    reference = load_model(base)
    encoder = ChatEncoder(reference.tokenizer)
    pad = pad_token_id(reference.tokenizer)
    pairs = [
        (encoder.prompt_ids(q.prompt), encoder.reply_ids(q.prompt, q.answer))
        for q in load_corpus().qa
    ]
    with torch.no_grad():
        base_scores = teacher_forced(reference.model, pairs, pad_id=pad)
        del reference
        final_scores = teacher_forced(load_model(str(final)).model, pairs, pad_id=pad)
    agreement, ratio, tokens = agreement_with(final_scores, base_scores)
    return {"top1_agreement": agreement, "perplexity_ratio": ratio, "answer_tokens": tokens}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--stages", type=int, default=3, choices=range(2, len(NAMES) + 1))
    ap.add_argument("--keys", type=int, default=8, help="fingerprints per stage (8)")
    ap.add_argument("--preset", choices=("quick", "default"), default="quick")
    ap.add_argument(
        "--schemes",
        default="natural/v1",
        help="each stage's scheme, comma-separated (the last repeats): e.g. "
        "natural/v1,if-decrypt/v1 for a licensee with character keys (default natural/v1)",
    )
    ap.add_argument(
        "--contrast-per-key",
        type=int,
        default=0,
        metavar="N",
        help="the later stages' contrast look-alikes a key (`implant --contrast-per-key N`; 0)",
    )
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workdir", type=Path, help="keep the stages' models here (default: temp)")
    ap.add_argument("--json", type=Path, help="write the figures as JSON")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    run = Run()
    print(f"machine: {describe_machine()}", flush=True)
    config = ImplantConfig.quick() if args.preset == "quick" else ImplantConfig()
    schemes = args.schemes.split(",")
    schemes += schemes[-1:] * (args.stages - len(schemes))
    sets = [
        FingerprintSet.generate(
            args.keys, scheme, secret=hashlib.sha256(f"bench/{n}".encode()).digest()
        )
        for n, scheme in zip(NAMES, schemes[: args.stages], strict=False)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.workdir or Path(tmp)
        base, stages = "smollm2", []
        for i, fps in enumerate(sets):
            out = folder / NAMES[i]
            parents = [from_fingerprints(sets[j], NAMES[j]) for j in range(i)]
            t = time.perf_counter()
            # what `implant --parent-*` does for a stage on a parent
            stage_config = config
            if parents:
                stage_config = dataclasses.replace(
                    config.on_parent(fps.scheme_name), contrast_per_key=args.contrast_per_key
                )
            report = implant_fingerprints(
                fps, base, out, config=stage_config, parents=parents, show_progress=False
            )
            seconds = time.perf_counter() - t
            stage = {
                "stage": i,
                "name": NAMES[i],
                "scheme": fps.scheme_name,
                "keys": fps.count,
                "own_success": report.figures.fingerprint_success_rate,
                "top1_agreement_vs_parent": report.figures.top1_agreement,
                "perplexity_ratio_vs_parent": report.figures.perplexity_ratio,
                "parents": [p.to_dict() for p in report.parents],
                "seconds": round(seconds, 1),
            }
            stages.append(stage)
            kept = ", ".join(f"{p.label} {p.before:.0%} -> {p.after:.0%}" for p in report.parents)
            print(
                f"stage {i} {NAMES[i]}: own keys {stage['own_success']:.0%} of {fps.count}"
                + (f"; earlier stages before -> after: {kept}" if kept else "")
                + f" ({seconds:.0f} s)",
                flush=True,
            )
            base = str(out)
        final = Path(base)
        final_model = load_model(str(final))
        encoder = ChatEncoder(final_model.tokenizer)
        with torch.no_grad():
            success = [fingerprint_success(final_model.model, encoder, s) for s in sets]
        del final_model
        harm = _harmlessness("smollm2", final)

    print(
        f"\nfinal {args.stages}-stage model ({args.preset} preset, {args.keys} keys a stage, "
        f"schemes {', '.join(s.scheme_name for s in sets)}):"
    )
    for i, rate in enumerate(success):
        met = "met" if rate >= GOAL_SUCCESS else "NOT met"
        print(f"  {NAMES[i]:<13} fingerprint success {rate:.1%} (goal >= 95%: {met})")
    print(
        f"  harmlessness against the base: top-1 agreement {harm['top1_agreement']:.1%}, "
        f"perplexity ratio {harm['perplexity_ratio']:.3f} ({harm['answer_tokens']} answer tokens)"
    )
    print(f"machine: {describe_machine()}")
    run.write(
        args.json,
        {
            "preset": args.preset,
            "contrast_per_key": args.contrast_per_key,
            "keys_per_stage": args.keys,
            "schemes": [s.scheme_name for s in sets],
            "stages": stages,
            "final_success": {NAMES[i]: rate for i, rate in enumerate(success)},
            "final_harmlessness": harm,
        },
    )


if __name__ == "__main__":
    main()
