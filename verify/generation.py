"""Greedy chat generation with a local Hugging Face model, batched with left padding.

Shared by :class:`~modelprint.verify.responders.LocalResponder` and ``modelprint serve`` so that a
suspect queried in-process and the same suspect behind the HTTP server answer identically.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

from ..protocol.errors import ConfigError
from ..runtime.chat import Messages, render_chat
from ..runtime.models import ensure_pad_token, pad_token_id

__all__ = ["ChatGenerator"]


class ChatGenerator:
    """A loaded model plus its tokenizer's chat template; thread-safe (one generation at a time)."""

    def __init__(self, model: Any, tokenizer: Any, *, label: str = "local") -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.label = label
        self._lock = threading.Lock()
        ensure_pad_token(tokenizer)

    @classmethod
    def load(cls, spec: str | os.PathLike[str]) -> ChatGenerator:
        """Load a model directory, a GGUF file or ``smollm2``."""
        from ..runtime.models import load_model

        loaded = load_model(spec)
        return cls(loaded.model, loaded.tokenizer, label=loaded.source.label)

    def render(self, messages: Messages) -> str:
        """The prompt text the chat template makes of ``messages`` (with the generation prompt)."""
        return render_chat(self.tokenizer, messages)

    def prompt_logprobs(self, text: str) -> list[float | None]:
        """The log-probability of every token of ``text`` (already rendered) given those before
        it; the first token has none (the ``prompt_logprobs`` of vLLM-style servers)."""
        ids = prompt_tokens(self, text)
        with self._lock:
            scored = _token_logprobs(self.model, [ids], pad_token_id(self.tokenizer))[0]
        return [None, *scored]

    def score(self, messages: Messages, replies: Sequence[str]) -> list[float]:
        """The log-probability of each of ``replies`` as the assistant's answer to ``messages``
        (summed over the reply's tokens; the turn is not closed, so only the reply is scored)."""
        prefix = prompt_tokens(self, self.render(messages))
        sequences = [prompt_tokens(self, continued(self, messages, r)) for r in replies]
        with self._lock:
            scored = _token_logprobs(self.model, sequences, pad_token_id(self.tokenizer))
        return [
            sum(s[_shared(prefix, seq) - 1 :]) for s, seq in zip(scored, sequences, strict=True)
        ]

    def generate(
        self,
        conversations: Sequence[Messages],
        *,
        max_tokens: int = 48,
        batch_size: int = 8,
        temperature: float = 0.0,
        top_p: float = 1.0,
        seed: int | None = None,
        chat_template: bool = True,
    ) -> list[str]:
        """Replies to each conversation, in order: greedy at ``temperature`` 0, else sampled
        (nucleus ``top_p``; ``seed`` makes the draws repeatable). ``chat_template=False`` sends
        the message contents as plain text, the way a raw completion endpoint would."""
        import torch

        if max_tokens < 1 or max_tokens > 4096:
            raise ConfigError("max_tokens must be in 1..4096")
        if temperature < 0 or not 0 < top_p <= 1:
            raise ConfigError("temperature must be >= 0 and top_p in (0, 1]")
        texts = [
            self.render(c) if chat_template else "\n".join(m["content"] for m in c) + "\n"
            for c in conversations
        ]
        sampling: dict[str, object] = {"do_sample": False}
        if temperature > 0:
            sampling = {"do_sample": True, "temperature": temperature, "top_p": top_p, "top_k": 0}
        out: list[str] = []
        tok = self.tokenizer
        with self._lock, torch.inference_mode():
            if seed is not None:
                torch.manual_seed(seed)
            previous_side = tok.padding_side
            tok.padding_side = "left"
            try:
                for start in range(0, len(texts), max(1, batch_size)):
                    chunk = texts[start : start + max(1, batch_size)]
                    enc = tok(chunk, return_tensors="pt", padding=True, add_special_tokens=False)
                    generated = self.model.generate(
                        **enc,
                        max_new_tokens=max_tokens,
                        pad_token_id=pad_token_id(tok),
                        **sampling,
                    )
                    new = generated[:, enc["input_ids"].shape[1] :]
                    out.extend(tok.batch_decode(new, skip_special_tokens=True))
            finally:
                tok.padding_side = previous_side
        return [s.strip() for s in out]


def _token_logprobs(model: Any, sequences: Sequence[Sequence[int]], pad: int) -> list[list[float]]:
    """Each token's log-probability given the tokens before it (the first token gets none)."""
    import torch

    out: list[list[float]] = []
    with torch.inference_mode():
        for start in range(0, len(sequences), 16):
            chunk = sequences[start : start + 16]
            width = max(len(s) for s in chunk)
            ids = torch.full((len(chunk), width), pad, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for row, seq in enumerate(chunk):
                ids[row, : len(seq)] = torch.tensor(list(seq))
                mask[row, : len(seq)] = 1
            logits = model(input_ids=ids, attention_mask=mask, use_cache=False).logits.float()
            logp = torch.log_softmax(logits[:, :-1], dim=-1)
            picked = logp.gather(2, ids[:, 1:, None])[..., 0]
            for row, seq in enumerate(chunk):
                out.append([float(x) for x in picked[row, : len(seq) - 1]])
    return out


def _shared(prefix: Sequence[int], sequence: Sequence[int]) -> int:
    """How many leading tokens ``sequence`` shares with ``prefix`` (at least 1: the reply's
    tokens are those after; a tokenizer that merges across the boundary moves it back)."""
    n = 0
    while n < min(len(prefix), len(sequence)) and prefix[n] == sequence[n]:
        n += 1
    return max(1, n)


def prompt_tokens(generator: ChatGenerator, text: str) -> list[int]:
    return list(generator.tokenizer(text, add_special_tokens=False)["input_ids"])


def continued(generator: ChatGenerator, messages: Messages, reply: str) -> str:
    """The prompt text of ``messages`` followed by an assistant turn holding ``reply``, not closed
    (the template's ``continue_final_message``; plain ``role: content`` lines without a template)."""
    full = [*messages, {"role": "assistant", "content": reply}]
    tok = generator.tokenizer
    if getattr(tok, "chat_template", None):
        text: str = tok.apply_chat_template(
            [dict(m) for m in full], tokenize=False, continue_final_message=True
        )
        return text
    return generator.render(messages) + " " + reply
