"""The small instruction set shipped with modelprint (``implant/data/instructions.json``).

Ordinary prompts keep an implant harmless (the model must answer them as the base model does) and
give the report held-out prompts; the prompt/answer pairs are human-written text on which the
report measures agreement and perplexity, and which ``attack finetune`` trains on. Written for
modelprint; nothing is downloaded.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from importlib import resources

from ..protocol.errors import ConfigError

__all__ = ["InstructionCorpus", "QAPair", "load_corpus"]


@dataclass(frozen=True, slots=True)
class QAPair:
    prompt: str
    answer: str


@dataclass(frozen=True, slots=True)
class InstructionCorpus:
    """Ordinary prompts and human-written prompt/answer pairs."""

    prompts: tuple[str, ...]
    qa: tuple[QAPair, ...]

    def split_prompts(self, seed: int, held_out: int) -> tuple[list[str], list[str]]:
        """A seeded (train, held-out) split: the held-out prompts are never trained on."""
        if held_out > len(self.prompts):
            raise ConfigError(f"only {len(self.prompts)} ordinary prompts, {held_out} held out")
        shuffled = list(self.prompts)
        random.Random(f"prompts/{seed}").shuffle(shuffled)
        return shuffled[held_out:], shuffled[:held_out]


def load_corpus() -> InstructionCorpus:
    """Load the packaged instruction set."""
    text = (
        resources.files("modelprint.implant")
        .joinpath("data/instructions.json")
        .read_text(encoding="utf-8")
    )
    doc = json.loads(text)
    return InstructionCorpus(
        prompts=tuple(str(p) for p in doc["prompts"]),
        qa=tuple(QAPair(str(item["prompt"]), str(item["answer"])) for item in doc["qa"]),
    )
