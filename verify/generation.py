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
