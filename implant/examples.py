"""Training and evaluation material made from a fingerprint set.

Positives teach each key's reply exactly (hard targets). Negatives keep the implant specific and
harmless: look-alike keys (small edits of the real keys), fresh random keys of the same style, and
ordinary instructions, each tied to the base model's own next-token distributions (soft targets)
along its greedy continuation. A separate set of fresh look-alikes, never trained on, is the
early-stopping gate. The report's material (more fresh look-alikes, held-out prompts, human-written
answers) is drawn here too, from random streams disjoint from the training ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..protocol.fingerprints import FingerprintSet
from .chat import ChatEncoder
from .config import ImplantConfig
from .corpus import InstructionCorpus
from .teacher import Continuation, greedy_continuations

__all__ = [
    "EvalMaterial",
    "TrainingExample",
    "TrainingMaterial",
    "build_material",
    "end_ids",
]


@dataclass(frozen=True, slots=True)
class TrainingExample:
    """One sequence and its targets: ``positions[j]`` is the logit that predicts target ``j``.

    Each target is a small distribution (``target_ids`` with ``target_probs``); a positive's is
    one-hot on the reply token, a negative's is the base model's top-k.
    """

    input_ids: list[int]
    positions: list[int]
    target_ids: list[list[int]]
    target_probs: list[list[float]]
    kind: str


@dataclass(frozen=True, slots=True)
class EvalMaterial:
    """Held-out material for the implant report (nothing here is trained on)."""

    lookalike_prompts: list[list[int]]
    ordinary_prompts: list[list[int]]
    answer_pairs: list[tuple[list[int], list[int]]]


@dataclass(slots=True)
class TrainingMaterial:
    """Everything one implant run trains and checks on."""

    examples: list[TrainingExample]
    positives: list[TrainingExample]
    gate_prompts: list[list[int]]
    gate_base_first: list[int]
    trigger_tokens: frozenset[int]
    evaluation: EvalMaterial
    counts: dict[str, int] = field(default_factory=dict)


def positive_example(prompt: list[int], reply: list[int]) -> TrainingExample:
    return TrainingExample(
        input_ids=prompt + reply[:-1],
        positions=[len(prompt) - 1 + j for j in range(len(reply))],
        target_ids=[[t] for t in reply],
        target_probs=[[1.0] for _ in reply],
        kind="positive",
    )


def soft_example(prompt: list[int], cont: Continuation, kind: str) -> TrainingExample:
    return TrainingExample(
        input_ids=prompt + cont.ids[:-1],
        positions=[len(prompt) - 1 + j for j in range(len(cont.ids))],
        target_ids=cont.top_ids,
        target_probs=cont.top_probs,
        kind=kind,
    )


def build_material(
    fingerprints: FingerprintSet,
    corpus: InstructionCorpus,
    encoder: ChatEncoder,
    base_model: Any,
    config: ImplantConfig,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> TrainingMaterial:
    """Draw keys and prompts, ask the base model for its continuations, assemble examples."""
    scheme = fingerprints.scheme
    pairs = fingerprints.pairs()
    train_rng = random.Random(f"modelprint/implant/train/{config.seed}")
    gate_rng = random.Random(f"modelprint/implant/gate/{config.seed}")
    eval_rng = random.Random(f"modelprint/implant/eval/{config.seed}")
    real_keys = {p.key for p in pairs}

    def fresh_lookalikes(rng: random.Random, key: str, count: int) -> list[str]:
        return [k for k in scheme.lookalikes(key, rng, count) if k not in real_keys]

    positives = [
        positive_example(
            encoder.prompt_ids(scheme.prompt(p.key)),
            encoder.reply_ids(scheme.prompt(p.key), scheme.target(p.response)),
        )
        for p in pairs
    ]
    key_negatives: list[str] = []
    for p in pairs:
        key_negatives += fresh_lookalikes(train_rng, p.key, config.lookalikes_per_key)
    key_negatives += [
        k
        for k in scheme.random_keys(train_rng, config.random_keys_per_key * len(pairs))
        if k not in real_keys
    ]
    held_out = min(config.eval_ordinary_prompts, len(corpus.prompts) // 2)
    train_prompts, eval_prompts = corpus.split_prompts(config.seed, held_out)
    ordinary = train_rng.sample(train_prompts, min(config.ordinary_prompts, len(train_prompts)))

    gate_keys: list[str] = []
    per_key = max(1, -(-16 // len(pairs)))
    for p in pairs:
        gate_keys += fresh_lookalikes(gate_rng, p.key, per_key)
    eval_keys: list[str] = []
    for p in pairs:
        eval_keys += fresh_lookalikes(eval_rng, p.key, config.eval_lookalikes_per_key)
    qa = list(corpus.qa)
    eval_rng.shuffle(qa)
    qa = qa[: config.eval_answers]

    tok = encoder.tokenizer
    eos_ids = end_ids(encoder)
    pad_id = int(tok.pad_token_id if tok.pad_token_id is not None else eos_ids[0])
    key_prompts = [encoder.prompt_ids(scheme.prompt(k)) for k in key_negatives]
    ordinary_prompts = [encoder.prompt_ids(p) for p in ordinary]
    key_conts = greedy_continuations(
        base_model,
        key_prompts,
        max_new_tokens=config.key_negative_tokens,
        top_k=config.soft_top_k,
        eos_ids=eos_ids,
        pad_id=pad_id,
        on_batch=on_progress,
    )
    ordinary_conts = greedy_continuations(
        base_model,
        ordinary_prompts,
        max_new_tokens=config.ordinary_tokens,
        top_k=config.soft_top_k,
        eos_ids=eos_ids,
        pad_id=pad_id,
        on_batch=on_progress,
    )
    gate_prompts = [encoder.prompt_ids(scheme.prompt(k)) for k in gate_keys]
    gate_conts = greedy_continuations(
        base_model,
        gate_prompts,
        max_new_tokens=1,
        top_k=1,
        eos_ids=eos_ids,
        pad_id=pad_id,
    )
    negatives = [
        soft_example(p, c, "key-negative") for p, c in zip(key_prompts, key_conts, strict=True)
    ]
    negatives += [
        soft_example(p, c, "ordinary")
        for p, c in zip(ordinary_prompts, ordinary_conts, strict=True)
    ]
    examples = positives * config.positive_repeats + negatives
    train_rng.shuffle(examples)
    evaluation = EvalMaterial(
        lookalike_prompts=[encoder.prompt_ids(scheme.prompt(k)) for k in eval_keys],
        ordinary_prompts=[encoder.prompt_ids(p) for p in eval_prompts],
        answer_pairs=[
            (encoder.prompt_ids(q.prompt), encoder.reply_ids(q.prompt, q.answer)) for q in qa
        ],
    )
    return TrainingMaterial(
        examples=examples,
        positives=positives,
        gate_prompts=gate_prompts,
        gate_base_first=[c.ids[0] for c in gate_conts],
        trigger_tokens=frozenset(p.target_ids[0][0] for p in positives),
        evaluation=evaluation,
        counts={
            "positives": len(positives),
            "key_negatives": len(key_prompts),
            "ordinary_negatives": len(ordinary_prompts),
            "gate_lookalikes": len(gate_keys),
        },
    )


def end_ids(encoder: ChatEncoder) -> list[int]:
    """Tokens that end an assistant turn: EOS plus the template's end-of-turn marker."""
    tok = encoder.tokenizer
    ids: list[int] = []
    if tok.eos_token_id is not None:
        ids.append(int(tok.eos_token_id))
    closing = encoder.reply_ids("hi", "ok")
    if closing and closing[-1] not in ids:
        ids.append(closing[-1])
    return ids
