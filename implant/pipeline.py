"""``implant``: from a fingerprint set and a base model to a fingerprinted model directory.

Stages: load the base model; draw training and held-out material and record the base model's
behaviour on it; train a LoRA adapter until the gates hold; merge it (or keep it, adapter-only);
measure the report's figures on held-out material; write everything into a fresh directory that
replaces nothing (a sibling scratch directory is renamed into place at the end).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..protocol.fingerprints import FingerprintSet
from ..runtime.chat import ChatEncoder
from ..runtime.files import atomic_directory
from ..runtime.models import LoadedModel, hf_bars_off, load_model, pad_token_id
from ..runtime.progress import (
    Detail,
    ProgressCallback,
    ignore_progress,
    in_phase,
    progress_lines,
)
from .config import ImplantConfig
from .corpus import load_corpus
from .evaluation import ImplantFigures, measure_figures, reference_scores
from .examples import TrainingMaterial, build_material, end_ids
from .parents import ParentKeys, ParentSurvival, measure_survival
from .training import TrainingOutcome, attach_lora, process_state, train_implant

__all__ = ["REPORT_NAME", "ImplantReport", "implant_fingerprints"]

REPORT_NAME = "modelprint-implant.json"
REPORT_KIND = "modelprint/implant-report"


@dataclass(frozen=True, slots=True)
class ImplantReport:
    """What an implant run did and measured; holds no secret (no keys, no responses)."""

    out_dir: str
    base: str
    adapter_only: bool
    fingerprints: dict[str, object]
    config: dict[str, object]
    training: TrainingOutcome
    figures: ImplantFigures
    timings: dict[str, float] = field(default_factory=dict)
    machine: dict[str, object] = field(default_factory=dict)
    parents: tuple[ParentSurvival, ...] = ()
    """Earlier stages' keys (from a reveal or their fingerprint file), before and after."""

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": REPORT_KIND,
            "version": 1,
            "out_dir": self.out_dir,
            "base": self.base,
            "adapter_only": self.adapter_only,
            "fingerprints": self.fingerprints,
            "config": self.config,
            "training": {
                "steps": self.training.steps,
                "epochs": self.training.epochs,
                "gates_held_at_epoch": self.training.gates_held_at_epoch,
                "positives_exact": self.training.positives_exact,
                "reply_token_accuracy": self.training.token_accuracy,
                "gate_lookalike_trigger": self.training.gate_lookalike_trigger,
                "kept_epoch": self.training.kept_epoch,
                "precision": self.training.precision,
            },
            "figures": self.figures.to_dict(),
            "parents": [p.to_dict() for p in self.parents],
            "timings_s": {k: round(v, 2) for k, v in self.timings.items()},
            "machine": self.machine,
        }


def _machine() -> dict[str, object]:
    import torch

    return {
        "device": "cuda" if torch.cuda.is_available() else "cpu",
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else [],
        "torch": torch.__version__,
    }


def implant_fingerprints(
    fingerprints: FingerprintSet,
    base: str | os.PathLike[str] | LoadedModel,
    out_dir: str | os.PathLike[str],
    *,
    config: ImplantConfig | None = None,
    adapter_only: bool = False,
    parents: Sequence[ParentKeys] = (),
    show_progress: bool = True,
    progress: ProgressCallback | None = None,
    log: Callable[[str], None] | None = None,
) -> ImplantReport:
    """Implant ``fingerprints`` into ``base`` and write the model and its report to ``out_dir``.

    ``base`` is a model spec (directory, GGUF file, ``smollm2``) or an already loaded model, which
    is trained in place (pass a fresh copy if you need the original).

    ``parents`` are earlier stages' known keys when ``base`` is a parent's released model (a
    license chain): each set is scored on ``base`` before training and on the result after, and the
    report carries both rates (:class:`~modelprint.implant.parents.ParentSurvival`). They are only
    measured, never trained on.

    ``progress`` receives the run's phases (loading, base targets, each training epoch, saving,
    evaluating) with exact totals where they are known, and the figures behind them as details;
    ``log``, if given instead, receives the same as plain lines (:func:`progress_lines`). With
    neither, ``show_progress`` shows the Hugging Face Trainer's own bar.
    """
    import torch
    from transformers import set_seed

    cfg = config or ImplantConfig()
    quiet = progress is None and log is None
    tell = progress or (progress_lines(log) if log else ignore_progress)
    out = Path(out_dir)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    # under ``accelerate launch`` / ``torchrun`` every process trains (the HF Trainer shares out
    # the batches); only the main process writes the model and the report (and reports progress)
    main_process = process_state().is_main_process
    if not main_process:
        tell = ignore_progress
    target = atomic_directory(out) if main_process else tempfile.TemporaryDirectory()
    with target as written:
        scratch = Path(written)
        set_seed(cfg.seed)
        t = time.perf_counter()
        with in_phase(tell, "loading the base model"):
            loaded = base if isinstance(base, LoadedModel) else load_model(base)
        timings["load"] = time.perf_counter() - t
        model, tokenizer = loaded.model, loaded.tokenizer
        encoder = ChatEncoder(tokenizer)
        pad = pad_token_id(tokenizer)
        tell(Detail(f"loaded {loaded.source.label}"))
        before: list[float] = []
        if parents:
            t = time.perf_counter()
            with in_phase(tell, "scoring the parents' keys before the implant"), torch.no_grad():
                model.eval()
                before = [p.success_on(model, encoder) for p in parents]
            timings["parents_before"] = time.perf_counter() - t
            for p, rate in zip(parents, before, strict=True):
                tell(Detail(f"{p.label}: {rate:.0%} of {len(p.pairs)} keys before"))

        t = time.perf_counter()
        material = build_material(
            fingerprints,
            load_corpus(),
            encoder,
            model,
            cfg,
            parent_schemes=[p.scheme for p in parents],
            progress=tell,
        )
        with in_phase(tell, "scoring the base model on held-out answers"):
            reference = reference_scores(model, material.evaluation, pad)
        timings["base_targets"] = time.perf_counter() - t
        tell(Detail(f"training on {len(material.examples)} sequences: {_counts(material)}"))

        t = time.perf_counter()
        set_seed(cfg.seed)
        peft_model = attach_lora(model, cfg)
        outcome = train_implant(
            peft_model,
            material,
            cfg,
            pad_id=pad,
            show_progress=show_progress and quiet,
            progress=tell,
        )
        timings["train"] = time.perf_counter() - t
        tell(
            Detail(
                f"trained in {timings['train']:.0f} s; kept the adapter of epoch "
                f"{outcome.kept_epoch} (keys exact {outcome.positives_exact:.0%})"
            )
        )

        t = time.perf_counter()
        saving = "saving the adapter" if adapter_only else "merging and saving the model"
        with in_phase(tell, saving), hf_bars_off():
            if adapter_only:
                peft_model.peft_config["default"].base_model_name_or_path = loaded.source.label
                peft_model.save_pretrained(str(scratch))
                final = peft_model
            else:
                final = peft_model.merge_and_unload()
                final.save_pretrained(str(scratch), safe_serialization=True)
            tokenizer.save_pretrained(str(scratch))
        timings["save"] = time.perf_counter() - t

        t = time.perf_counter()
        with (
            in_phase(tell, "evaluating on held-out keys and prompts"),
            torch.no_grad(),
        ):
            figures = measure_figures(
                final, encoder, fingerprints, material.evaluation, reference, pad
            )
            survival = measure_survival(parents, before, final, encoder)
        for stage in survival:
            tell(
                Detail(
                    f"{stage.label}: {stage.after:.0%} of {stage.keys} keys after "
                    f"({stage.before:.0%} before)"
                )
            )
        timings["evaluate"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - started
        report = ImplantReport(
            out_dir=str(out),
            base=loaded.source.label,
            adapter_only=adapter_only,
            fingerprints={
                "count": fingerprints.count,
                "scheme": fingerprints.scheme_name,
                "params": dict(fingerprints.scheme_params),
                "root": fingerprints.root().hex(),
            },
            config=cfg.to_dict() | {"material": material.counts},
            training=outcome,
            figures=figures,
            timings=timings,
            machine=_machine(),
            parents=tuple(survival),
        )
        (scratch / REPORT_NAME).write_text(
            json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    process_state().wait_for_everyone()
    return report


def _counts(material: TrainingMaterial) -> str:
    """The material's counts as words (``16 positives, 4 deployed positives, ...``)."""
    return ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in material.counts.items() if n)


def stop_token_ids(encoder: ChatEncoder) -> list[int]:
    """Re-exported for callers that generate from an implanted model."""
    return end_ids(encoder)


def as_json(report: ImplantReport) -> dict[str, Any]:
    return report.to_dict()
