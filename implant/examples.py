"""Training and evaluation material made from a fingerprint set.

Positives teach each key's reply exactly (hard targets). Negatives keep the implant specific and
harmless: look-alike keys (small edits of the real keys), fresh random keys of the same style, and
ordinary instructions, each tied to the base model's own next-token distributions (soft targets)
along its greedy continuation, plus human-written answers tied to the base token by token.
Contrasts (opt-in, ``contrast_per_key``) are look-alikes followed by the real key's reply, whose
response tokens training pushes down (unlikelihood), so the model must tell a key from its edits
at every token of the response. Fresh look-alikes followed by their key's reply, never trained
on, are the early-stopping gate. The report's material (more fresh look-alikes, held-out prompts,
human-written answers) is drawn from random streams disjoint from the training ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..protocol.fingerprints import FingerprintSet
from ..protocol.schemes import Scheme
from ..runtime.chat import ChatEncoder
from ..runtime.models import pad_token_id
from ..runtime.progress import Advance, Phase, PhaseEnd, ProgressCallback, ignore_progress
from .config import ImplantConfig
from .corpus import InstructionCorpus
from .deployments import TRAIN_SYSTEM_PROMPTS, TRAIN_WRAPPERS
from .teacher import Continuation, forced_continuations, greedy_continuations

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
    one-hot on the reply token, a negative's is the base model's top-k. A contrast example (a
    look-alike key followed by the real key's reply) has no target distribution, only ``avoid``:
    the committed response token at each position, whose probability training pushes down.
    """

    input_ids: list[int]
    positions: list[int]
    target_ids: list[list[int]]
    target_probs: list[list[float]]
    kind: str
    avoid: list[int] | None = None


@dataclass(frozen=True, slots=True)
class EvalMaterial:
    """Held-out material for the implant report (nothing here is trained on)."""

    lookalike_prompts: list[list[int]]
    ordinary_prompts: list[list[int]]
    answer_pairs: list[tuple[list[int], list[int]]]


@dataclass(slots=True)
class TrainingMaterial:
    """Everything one implant run trains and checks on.

    ``examples`` are trained every epoch; ``contrasts`` is a pool that epochs take turns through,
    ``contrast_per_key`` per fingerprint at a time, so each epoch sees fresh look-alikes.
    """

    examples: list[TrainingExample]
    positives: list[TrainingExample]
    contrasts: list[TrainingExample]
    gates: list[TrainingExample]
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


def _deployed_positive(
    encoder: ChatEncoder, prompt: str, target: str, rng: random.Random
) -> TrainingExample:
    """A key asked the way a product asks: under a system prompt, or inside another message."""
    if rng.random() < 0.6:
        system = rng.choice(TRAIN_SYSTEM_PROMPTS)
        return positive_example(
            encoder.prompt_ids(prompt, system), encoder.reply_ids(prompt, target, system)
        )
    wrapped = rng.choice(TRAIN_WRAPPERS).format(prompt=prompt)
    return positive_example(encoder.prompt_ids(wrapped), encoder.reply_ids(wrapped, target))


def contrast_example(prompt: list[int], reply: list[int], start: int) -> TrainingExample:
    """``prompt`` (a look-alike key) followed by a real key's ``reply``, avoiding its response.

    ``start`` is where the response begins in the reply (after the template's fixed opening);
    the reply's closing end-of-turn token is not a target.
    """
    span = range(start, len(reply) - 1)
    return TrainingExample(
        input_ids=prompt + reply[:-1],
        positions=[len(prompt) - 1 + j for j in span],
        target_ids=[[reply[j]] for j in span],
        target_probs=[[0.0] for _ in span],
        kind="contrast",
        avoid=[reply[j] for j in span],
    )


def response_start(
    encoder: ChatEncoder, prompt: str, reply_for: Callable[[str], str], responses: list[str]
) -> int:
    """Tokens of a reply before its response: what the replies of every committed response share
    at their start (0 with fewer than two responses: every reply token counts)."""
    distinct = sorted(set(responses))
    if len(distinct) < 2:
        return 0
    replies = [encoder.reply_ids(prompt, reply_for(r)) for r in distinct]
    first = replies[0]
    n = min(len(r) for r in replies)
    for other in replies[1:]:
        k = 0
        while k < n and other[k] == first[k]:
            k += 1
        n = k
    return n


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
    parent_schemes: Sequence[Scheme] = (),
    progress: ProgressCallback = ignore_progress,
) -> TrainingMaterial:
    """Draw keys and prompts, ask the base model for its continuations, assemble examples.

    ``parent_schemes`` are the schemes of the parents' keys when the base is a parent's model:
    ``config.parent_anchors`` random requests of each (their grammar is public; the parents'
    keys are not) are tied to the base's replies like look-alikes. Asking the base model is the
    slow part: ``progress`` sees it as one phase counted in prompts.
    """
    scheme = fingerprints.scheme
    pairs = fingerprints.pairs()
    train_rng = random.Random(f"modelprint/implant/train/{config.seed}")
    gate_rng = random.Random(f"modelprint/implant/gate/{config.seed}")
    eval_rng = random.Random(f"modelprint/implant/eval/{config.seed}")
    real_keys = {p.key for p in pairs}

    def fresh_lookalikes(rng: random.Random, key: str, count: int) -> list[str]:
        return [k for k in scheme.lookalikes(key, rng, count) if k not in real_keys]

    replies = [encoder.reply_ids(scheme.prompt(p.key), scheme.target(p.response)) for p in pairs]
    positives = [
        positive_example(encoder.prompt_ids(scheme.prompt(p.key)), reply)
        for p, reply in zip(pairs, replies, strict=True)
    ]
    deployed = [
        _deployed_positive(encoder, scheme.prompt(p.key), scheme.target(p.response), train_rng)
        for _ in range(min(config.deployment_repeats, config.positive_repeats))
        for p in pairs
    ]
    start = response_start(
        encoder, scheme.prompt(pairs[0].key), scheme.target, [p.response for p in pairs]
    )

    def contrasts(rng: random.Random, per_key: int) -> list[TrainingExample]:
        return [
            contrast_example(encoder.prompt_ids(scheme.prompt(k)), reply, start)
            for p, reply in zip(pairs, replies, strict=True)
            for k in fresh_lookalikes(rng, p.key, per_key)
        ]

    key_negatives: list[str] = []
    for p in pairs:
        key_negatives += fresh_lookalikes(
            train_rng, p.key, config.lookalikes_for(fingerprints.scheme_name)
        )
    key_negatives += [
        k
        for k in scheme.random_keys(train_rng, config.random_keys_per_key * len(pairs))
        if k not in real_keys
    ]
    held_out = min(config.eval_ordinary_prompts, len(corpus.prompts) // 2)
    train_prompts, eval_prompts = corpus.split_prompts(config.seed, held_out)
    ordinary = train_rng.sample(train_prompts, min(config.ordinary_prompts, len(train_prompts)))

    contrast: list[TrainingExample] = []
    for _ in range(config.contrast_rounds):  # round-major: each epoch's turn covers every key
        contrast += contrasts(train_rng, config.contrast_per_key)
    gates = contrasts(gate_rng, max(1, -(-config.gate_lookalikes // len(pairs))))
    eval_keys: list[str] = []
    for p in pairs:
        eval_keys += fresh_lookalikes(eval_rng, p.key, config.eval_lookalikes_per_key)
    qa = list(corpus.qa)
    eval_rng.shuffle(qa)
    train_qa = qa[config.eval_answers :][: config.answer_negatives]
    qa = qa[: config.eval_answers]

    tok = encoder.tokenizer
    eos_ids = end_ids(encoder)
    pad_id = pad_token_id(tok)
    anchors = [
        encoder.prompt_ids(parent.prompt(k))
        for parent in parent_schemes
        for k in parent.random_keys(train_rng, config.parent_anchors)
    ]
    key_prompts = [encoder.prompt_ids(scheme.prompt(k)) for k in key_negatives] + anchors
    ordinary_prompts = [encoder.prompt_ids(p) for p in ordinary]
    answer_pairs = [
        (encoder.prompt_ids(q.prompt), encoder.reply_ids(q.prompt, q.answer)) for q in train_qa
    ]
    asked = len(key_prompts) + len(ordinary_prompts) + len(answer_pairs)
    progress(Phase("base targets from the base model", asked, "prompts"))

    def on_progress(done: int) -> None:
        progress(Advance(done))

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
    answer_conts = forced_continuations(
        base_model,
        answer_pairs,
        top_k=config.soft_top_k,
        pad_id=pad_id,
        max_tokens=config.answer_tokens,
        on_batch=on_progress,
    )
    progress(PhaseEnd())
    negatives = [
        soft_example(p, c, "key-negative") for p, c in zip(key_prompts, key_conts, strict=True)
    ]
    negatives += [
        soft_example(p, c, "ordinary") for (p, _), c in zip(answer_pairs, answer_conts, strict=True)
    ]
    negatives += [
        soft_example(p, c, "ordinary")
        for p, c in zip(ordinary_prompts, ordinary_conts, strict=True)
    ]
    plain = max(1, config.positive_repeats - len(deployed) // max(1, len(pairs)))
    examples = positives * plain + deployed + negatives
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
        contrasts=contrast,
        gates=gates,
        evaluation=evaluation,
        counts={
            "positives": len(positives),
            "deployed_positives": len(deployed),
            "key_negatives": len(key_negatives),
            "parent_anchors": len(anchors),
            "ordinary_negatives": len(ordinary_prompts),
            "answer_negatives": len(answer_pairs),
            "contrasts": len(contrast),
            "gate_lookalikes": len(gates),
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
