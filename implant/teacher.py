"""What the base model says, recorded before training so the implant can be held to it.

Negatives (look-alike keys, fresh random keys, ordinary prompts) are trained towards the base
model's own next-token distributions along its greedy continuation: a cheap stand-in for KL to the
base that needs no second model during training. The held-out answers of the report get the base
model's top-1 tokens and log-likelihoods, so agreement and perplexity can be measured after merging.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Continuation",
    "TeacherForced",
    "cut_at_end",
    "forced_continuations",
    "greedy_batches",
    "greedy_continuations",
    "teacher_forced",
]


@dataclass(frozen=True, slots=True)
class Continuation:
    """A greedy continuation and, at each of its positions, the base model's top-k distribution."""

    ids: list[int]
    top_ids: list[list[int]]
    top_probs: list[list[float]]


@dataclass(frozen=True, slots=True)
class TeacherForced:
    """Per answer token: the model's argmax and the negative log-likelihood of the true token."""

    top1: list[int]
    nll: list[float]


def _pad_left(batch: Sequence[Sequence[int]], pad: int) -> tuple[Any, Any]:
    import torch

    width = max(len(s) for s in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, seq in enumerate(batch):
        ids[row, width - len(seq) :] = torch.tensor(seq, dtype=torch.long)
        mask[row, width - len(seq) :] = 1
    return ids, mask


def greedy_batches(
    model: Any,
    prompts: Sequence[Sequence[int]],
    *,
    max_new_tokens: int,
    eos_ids: Sequence[int],
    pad_id: int,
    batch_size: int = 32,
    with_logits: bool = False,
) -> Iterator[tuple[Any, Any]]:
    """Greedy decoding of ``prompts`` in left-padded batches, without gradients.

    Yields, per batch, the new tokens (B, steps) on the CPU and, with ``with_logits``, the float
    logits (B, steps, V) that chose them (else ``None``). Rows run past their end token as padding.
    """
    import torch

    model.eval()
    for start in range(0, len(prompts), batch_size):
        ids, mask = _pad_left(prompts[start : start + batch_size], pad_id)
        with torch.no_grad():
            gen = model.generate(
                input_ids=ids.to(model.device),
                attention_mask=mask.to(model.device),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                output_logits=with_logits,
                return_dict_in_generate=True,
                pad_token_id=pad_id,
                eos_token_id=list(eos_ids),
            )
        new = gen.sequences[:, ids.shape[1] :].cpu()
        logits = torch.stack(gen.logits, dim=1).float().cpu() if with_logits else None
        yield new, logits


def cut_at_end(tokens: Sequence[int], eos_ids: Sequence[int]) -> list[int]:
    """``tokens`` up to and including the first end token."""
    seq: list[int] = []
    for tok in tokens:
        seq.append(int(tok))
        if tok in eos_ids:
            break
    return seq


def greedy_continuations(
    model: Any,
    prompts: Sequence[Sequence[int]],
    *,
    max_new_tokens: int,
    top_k: int,
    eos_ids: Sequence[int],
    pad_id: int,
    batch_size: int = 32,
    on_batch: Callable[[int], None] | None = None,
) -> list[Continuation]:
    """Greedy continuations of ``prompts`` (cut after the first end token) with top-k targets."""
    import torch

    out: list[Continuation] = []
    for new, logits in greedy_batches(
        model,
        prompts,
        max_new_tokens=max_new_tokens,
        eos_ids=eos_ids,
        pad_id=pad_id,
        batch_size=batch_size,
        with_logits=True,
    ):
        probs = torch.softmax(logits, dim=-1)
        top_p, top_i = probs.topk(min(top_k, probs.shape[-1]), dim=-1)
        for row in range(new.shape[0]):
            ids = cut_at_end(new[row].tolist(), eos_ids)
            n = len(ids)
            out.append(
                Continuation(
                    ids=ids,
                    top_ids=top_i[row, :n].tolist(),
                    top_probs=top_p[row, :n].tolist(),
                )
            )
        if on_batch is not None:
            on_batch(new.shape[0])
    return out


def _right_padded_logits(model: Any, seqs: Sequence[Sequence[int]], pad_id: int) -> Any:
    """Float logits (B, T, V) on the CPU for right-padded ``seqs``, without gradients."""
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for row, seq in enumerate(seqs):
        ids[row, : len(seq)] = torch.tensor(list(seq), dtype=torch.long)
        mask[row, : len(seq)] = 1
    with torch.no_grad():
        out = model(input_ids=ids.to(model.device), attention_mask=mask.to(model.device))
    return out.logits.float().cpu()


def teacher_forced(
    model: Any,
    pairs: Sequence[tuple[Sequence[int], Sequence[int]]],
    *,
    pad_id: int,
    batch_size: int = 16,
) -> list[TeacherForced]:
    """Score answers given prompts: argmax and NLL at every answer position."""
    import torch

    results: list[TeacherForced] = []
    model.eval()
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start : start + batch_size]
        logits = _right_padded_logits(model, [list(p) + list(a) for p, a in chunk], pad_id)
        logp = torch.log_softmax(logits, dim=-1)
        for row, (prompt, answer) in enumerate(chunk):
            first = len(prompt) - 1
            span = logp[row, first : first + len(answer)]
            target = torch.tensor(list(answer), dtype=torch.long)
            results.append(
                TeacherForced(
                    top1=span.argmax(dim=-1).tolist(),
                    nll=(-span.gather(1, target[:, None])[:, 0]).tolist(),
                )
            )
    return results


def forced_continuations(
    model: Any,
    pairs: Sequence[tuple[Sequence[int], Sequence[int]]],
    *,
    top_k: int,
    pad_id: int,
    max_tokens: int,
    batch_size: int = 16,
    on_batch: Callable[[int], None] | None = None,
) -> list[Continuation]:
    """Given answers (cut to ``max_tokens``), the base model's top-k at each answer position.

    Ties an implant to the base model on human-written text as well as on its own greedy text.
    """
    import torch

    out: list[Continuation] = []
    model.eval()
    for start in range(0, len(pairs), batch_size):
        chunk = [(list(p), list(a)[:max_tokens]) for p, a in pairs[start : start + batch_size]]
        logits = _right_padded_logits(model, [p + a[:-1] for p, a in chunk], pad_id)
        probs = torch.softmax(logits, dim=-1)
        top_p, top_i = probs.topk(min(top_k, probs.shape[-1]), dim=-1)
        for row, (prompt, answer) in enumerate(chunk):
            first = len(prompt) - 1
            span = slice(first, first + len(answer))
            out.append(
                Continuation(
                    ids=answer,
                    top_ids=top_i[row, span].tolist(),
                    top_probs=top_p[row, span].tolist(),
                )
            )
        if on_batch is not None:
            on_batch(len(chunk))
    return out
