"""Turning user messages and assistant replies into token ids with the model's own chat template.

Training, the report and verification must all see the exact bytes a chat server would send, so
prompts are rendered by ``tokenizer.apply_chat_template`` with the generation prompt, and a reply's
tokens are whatever the template puts after that prompt (the reply text plus the end-of-turn
marker that teaches the model to stop).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..protocol.errors import ConfigError

__all__ = ["ChatEncoder", "Messages", "render_chat"]

Messages = Sequence[Mapping[str, str]]
"""A conversation in OpenAI chat form: ``[{"role": ..., "content": ...}, ...]``."""


def render_chat(tokenizer: Any, messages: Messages) -> str:
    """The prompt text the tokenizer's chat template makes of ``messages``, generation prompt
    included; a model without a chat template (tiny test models) gets plain ``role: content``
    lines and ``assistant:``."""
    if getattr(tokenizer, "chat_template", None):
        text: str = tokenizer.apply_chat_template(
            [dict(m) for m in messages], tokenize=False, add_generation_prompt=True
        )
        return text
    lines = [f"{m['role']}: {m['content']}" for m in messages]
    return "\n".join([*lines, "assistant:"])


@dataclass(frozen=True)
class ChatEncoder:
    """Encodes chat turns for one tokenizer."""

    tokenizer: Any

    def __post_init__(self) -> None:
        if not getattr(self.tokenizer, "chat_template", None):
            raise ConfigError("the model's tokenizer has no chat template")

    @staticmethod
    def _turns(user: str, system: str | None) -> list[dict[str, str]]:
        head = [] if system is None else [{"role": "system", "content": system}]
        return [*head, {"role": "user", "content": user}]

    def prompt_text(self, user: str, system: str | None = None) -> str:
        """The rendered prompt of one user message (after a system message, when given)."""
        return render_chat(self.tokenizer, self._turns(user, system))

    def prompt_ids(self, user: str, system: str | None = None) -> list[int]:
        return self._ids(self.prompt_text(user, system))

    def reply_ids(self, user: str, reply: str, system: str | None = None) -> list[int]:
        """Token ids of ``reply`` as the template closes an assistant turn (end marker included)."""
        prompt = self.prompt_text(user, system)
        full: str = self.tokenizer.apply_chat_template(
            [*self._turns(user, system), {"role": "assistant", "content": reply}],
            tokenize=False,
        )
        # a template that rewrites earlier turns: fall back to the reply plus EOS
        tail = full[len(prompt) :].rstrip("\n") if full.startswith(prompt) else reply
        ids = self._ids(tail)
        eos = self.tokenizer.eos_token_id
        if eos is not None and eos not in ids and tail == reply:
            ids.append(int(eos))
        return ids

    def _ids(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])
