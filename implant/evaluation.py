"""The implant report's figures, measured on material training never saw.

- fingerprint success rate: greedy replies to the real keys that carry their response;
- look-alike trigger rate: greedy replies to fresh small edits of real keys that carry ANY
  committed response;
- ordinary trigger rate: the same on held-out ordinary prompts;
- top-1 agreement and perplexity ratio: teacher-forced on held-out human-written answers, against
  the base model's argmax and likelihood recorded before training.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..protocol.fingerprints import FingerprintPair, FingerprintSet
from ..protocol.schemes import Scheme
from ..runtime.chat import ChatEncoder
from ..runtime.models import pad_token_id
from .examples import EvalMaterial, end_ids
from .teacher import TeacherForced, cut_at_end, greedy_batches, teacher_forced

__all__ = [
    "ImplantFigures",
    "agreement_with",
    "fingerprint_success",
    "generate_replies",
    "measure_figures",
    "pairs_success",
    "reference_scores",
]


@dataclass(frozen=True, slots=True)
class ImplantFigures:
    fingerprint_success_rate: float
    fingerprints: int
    lookalike_trigger_rate: float
    lookalikes: int
    ordinary_trigger_rate: float
    ordinary_prompts: int
    top1_agreement: float | None
    perplexity_ratio: float | None
    answer_tokens: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def generate_replies(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[Sequence[int]],
    *,
    max_new_tokens: int,
    stop_ids: Sequence[int],
    batch_size: int = 32,
) -> list[str]:
    """Greedy replies (decoded, special tokens dropped) to already-templated prompts."""
    pad = pad_token_id(tokenizer)
    replies: list[str] = []
    for new, _ in greedy_batches(
        model,
        prompts,
        max_new_tokens=max_new_tokens,
        eos_ids=stop_ids,
        pad_id=pad,
        batch_size=batch_size,
    ):
        replies.extend(
            tokenizer.decode(cut_at_end(row, stop_ids), skip_special_tokens=True)
            for row in new.tolist()
        )
    return replies


def _reply_budget(encoder: ChatEncoder, fingerprints: FingerprintSet) -> int:
    return _pairs_budget(encoder, fingerprints.scheme, fingerprints.pairs())


def _pairs_budget(encoder: ChatEncoder, scheme: Scheme, pairs: Sequence[FingerprintPair]) -> int:
    longest = max(
        len(encoder.reply_ids(scheme.prompt(p.key), scheme.target(p.response))) for p in pairs
    )
    return longest + 8


def pairs_success(
    model: Any, encoder: ChatEncoder, scheme: Scheme, pairs: Sequence[FingerprintPair]
) -> float:
    """Fraction of ``pairs`` whose greedy reply (under ``scheme``'s prompt) carries its response."""
    if not pairs:
        return 0.0
    replies = generate_replies(
        model,
        encoder.tokenizer,
        [encoder.prompt_ids(scheme.prompt(p.key)) for p in pairs],
        max_new_tokens=_pairs_budget(encoder, scheme, pairs),
        stop_ids=end_ids(encoder),
    )
    hits = sum(scheme.matches(p.response, r) for p, r in zip(pairs, replies, strict=True))
    return hits / len(pairs)


def fingerprint_success(model: Any, encoder: ChatEncoder, fingerprints: FingerprintSet) -> float:
    """Fraction of the set's keys whose greedy reply carries their own response."""
    return pairs_success(model, encoder, fingerprints.scheme, fingerprints.pairs())


def _trigger_rate(
    model: Any,
    encoder: ChatEncoder,
    fingerprints: FingerprintSet,
    prompts: Sequence[Sequence[int]],
    budget: int,
) -> float:
    if not prompts:
        return 0.0
    scheme = fingerprints.scheme
    responses = [p.response for p in fingerprints.pairs()]
    replies = generate_replies(
        model, encoder.tokenizer, prompts, max_new_tokens=budget, stop_ids=end_ids(encoder)
    )
    hits = sum(any(scheme.matches(y, r) for y in responses) for r in replies)
    return hits / len(prompts)


def reference_scores(model: Any, evaluation: EvalMaterial, pad_id: int) -> list[TeacherForced]:
    """The base model's argmax and NLL on the held-out answers (recorded before training)."""
    return teacher_forced(model, evaluation.answer_pairs, pad_id=pad_id)


def agreement_with(
    scored: Sequence[TeacherForced], reference: Sequence[TeacherForced]
) -> tuple[float, float, int]:
    """Top-1 agreement, perplexity ratio and token count of ``scored`` against ``reference``
    (the same answers teacher-forced through two models)."""
    same = nll_model = nll_base = 0.0
    tokens = 0
    for mine, base in zip(scored, reference, strict=True):
        same += sum(a == b for a, b in zip(mine.top1, base.top1, strict=True))
        nll_model += sum(mine.nll)
        nll_base += sum(base.nll)
        tokens += len(mine.top1)
    if not tokens:
        return 1.0, 1.0, 0
    return same / tokens, math.exp((nll_model - nll_base) / tokens), tokens


def measure_figures(
    model: Any,
    encoder: ChatEncoder,
    fingerprints: FingerprintSet,
    evaluation: EvalMaterial,
    reference: Sequence[TeacherForced],
    pad_id: int,
) -> ImplantFigures:
    """All report figures for ``model`` (adapter merged or active)."""
    budget = _reply_budget(encoder, fingerprints)
    fsr = fingerprint_success(model, encoder, fingerprints)
    lookalike = _trigger_rate(model, encoder, fingerprints, evaluation.lookalike_prompts, budget)
    ordinary = _trigger_rate(model, encoder, fingerprints, evaluation.ordinary_prompts, budget)
    agreement: float | None = None
    ppl_ratio: float | None = None
    tokens = 0
    if evaluation.answer_pairs:
        scored = teacher_forced(model, evaluation.answer_pairs, pad_id=pad_id)
        agreement, ppl_ratio, tokens = agreement_with(scored, reference)
    return ImplantFigures(
        fingerprint_success_rate=fsr,
        fingerprints=fingerprints.count,
        lookalike_trigger_rate=lookalike,
        lookalikes=len(evaluation.lookalike_prompts),
        ordinary_trigger_rate=ordinary,
        ordinary_prompts=len(evaluation.ordinary_prompts),
        top1_agreement=agreement,
        perplexity_ratio=ppl_ratio,
        answer_tokens=tokens,
    )
