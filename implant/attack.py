"""``attack finetune``: the ordinary downstream fine-tune a fingerprint has to survive.

A fresh LoRA adapter (all linear layers, the usual instruction-tuning settings), or with
``full=True`` every weight, is trained with plain next-token loss on ordinary instructions that
have nothing to do with any fingerprint key (modelprint's prompt/answer pairs and generated
downstream tasks), then merged and saved as a standard model directory.
:func:`finetune_in_memory` does the same to a loaded model without writing anything.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..protocol.errors import ConfigError
from ..protocol.fingerprints import FingerprintSet
from ..runtime.chat import ChatEncoder
from ..runtime.files import atomic_directory
from ..runtime.models import hf_bars_off, load_model, pad_token_id
from ..runtime.progress import (
    Phase,
    PhaseEnd,
    ProgressCallback,
    ignore_progress,
    in_phase,
    progress_lines,
)
from .corpus import downstream_tasks, load_corpus
from .evaluation import fingerprint_success
from .training import run_quiet_trainer

__all__ = ["AttackResult", "FinetuneAttack", "finetune_attack", "finetune_in_memory"]


@dataclass(frozen=True, slots=True)
class FinetuneAttack:
    """Settings of the downstream fine-tune (defaults: a short Alpaca-style LoRA run)."""

    steps: int = 200
    learning_rate: float = 2e-4
    rank: int = 8
    batch_size: int = 4
    seed: int = 0
    full: bool = False
    """Train every weight (a full fine-tune) instead of a LoRA adapter."""
    tasks: int = 200
    """Generated downstream tasks added to the prompt/answer pairs (:func:`downstream_tasks`)."""

    def __post_init__(self) -> None:
        if self.steps < 1 or self.rank < 1 or self.batch_size < 1:
            raise ConfigError("attack steps, rank and batch size must be positive")
        if not 0.0 < self.learning_rate < 1.0:
            raise ConfigError(f"attack learning rate {self.learning_rate} is out of range")


@dataclass(frozen=True, slots=True)
class AttackResult:
    out_dir: str
    steps: int
    seconds: float
    fingerprint_success_rate: float | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _sft_features(encoder: ChatEncoder, seed: int, tasks: int) -> list[dict[str, list[int]]]:
    """Prompt/answer pairs as ids with labels on the answer only (-100 elsewhere)."""
    rows = []
    for qa in [*load_corpus().qa, *downstream_tasks(seed, tasks)]:
        prompt = encoder.prompt_ids(qa.prompt)
        answer = encoder.reply_ids(qa.prompt, qa.answer)
        rows.append({"input_ids": prompt + answer, "labels": [-100] * len(prompt) + answer})
    return rows


def _pad(rows: Sequence[dict[str, list[int]]], pad_id: int) -> dict[str, Any]:
    import torch

    width = max(len(r["input_ids"]) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        n = len(r["input_ids"])
        ids[i, :n] = torch.tensor(r["input_ids"])
        labels[i, :n] = torch.tensor(r["labels"])
        mask[i, :n] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def finetune_in_memory(
    model: Any,
    tokenizer: Any,
    attack: FinetuneAttack,
    *,
    show_progress: bool = False,
    progress: ProgressCallback | None = None,
) -> Any:
    """Fine-tune ``model`` (trained in place) as ``attack`` says; return the merged model.

    With ``progress``, the fine-tune is one phase of exactly ``attack.steps`` steps.
    """
    from peft import LoraConfig, get_peft_model
    from transformers import set_seed

    set_seed(attack.seed)
    encoder = ChatEncoder(tokenizer)
    rows = _sft_features(encoder, attack.seed, attack.tasks)
    if attack.full:
        for p in model.parameters():
            p.requires_grad_(True)
        trained = model
    else:
        trained = get_peft_model(
            model,
            LoraConfig(
                r=attack.rank,
                lora_alpha=2 * attack.rank,
                lora_dropout=0.05,
                target_modules="all-linear",
                task_type="CAUSAL_LM",
            ),
        )
    trained.train()
    pad = pad_token_id(tokenizer)
    if progress is not None:
        kind = "every weight" if attack.full else f"a rank-{attack.rank} LoRA adapter"
        progress(Phase(f"fine-tuning {kind}", attack.steps))
    run_quiet_trainer(
        trained,
        rows,
        lambda batch: _pad(batch, pad),
        seed=attack.seed,
        show_progress=show_progress,
        progress=progress,
        prefix="modelprint-attack-",
        max_steps=attack.steps,
        per_device_train_batch_size=attack.batch_size,
        learning_rate=attack.learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=min(10, attack.steps // 10),
    )
    if progress is not None:
        progress(PhaseEnd())
    merged: Any = trained if attack.full else trained.merge_and_unload()
    merged.eval()
    for p in merged.parameters():
        p.requires_grad_(False)
    return merged


def finetune_attack(
    model_spec: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    attack: FinetuneAttack | None = None,
    *,
    fingerprints: FingerprintSet | None = None,
    show_progress: bool = True,
    progress: ProgressCallback | None = None,
    log: Callable[[str], None] | None = None,
) -> AttackResult:
    """Fine-tune ``model_spec`` on unrelated instructions; merge and save to ``out_dir``.

    ``progress`` receives the phases (loading, fine-tuning step by step, saving, measuring);
    ``log``, if given instead, receives them as plain lines (:func:`progress_lines`).
    """
    settings = attack or FinetuneAttack()
    quiet = progress is None and log is None
    tell = progress or (progress_lines(log) if log else ignore_progress)
    out = Path(out_dir)
    started = time.perf_counter()
    with atomic_directory(out) as scratch:
        with in_phase(tell, "loading the model"):
            loaded = load_model(model_spec)
        merged = finetune_in_memory(
            loaded.model,
            loaded.tokenizer,
            settings,
            show_progress=show_progress and quiet,
            progress=tell,
        )
        with in_phase(tell, "saving the fine-tuned model"), hf_bars_off():
            merged.save_pretrained(str(scratch), safe_serialization=True)
            loaded.tokenizer.save_pretrained(str(scratch))
        success = None
        if fingerprints is not None:
            with in_phase(tell, "measuring fingerprint success after the attack"):
                success = fingerprint_success(merged, ChatEncoder(loaded.tokenizer), fingerprints)
    return AttackResult(
        out_dir=str(out),
        steps=settings.steps,
        seconds=time.perf_counter() - started,
        fingerprint_success_rate=success,
    )
