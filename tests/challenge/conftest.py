"""Fixtures for challenge tests: a publisher, a committed fingerprint set, tiny random models."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from modelprint.commit.commitment import create_commitment
from modelprint.commit.identity import Identity
from modelprint.protocol.challenge import Challenge, SignedReveal, create_reveal
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Bundle, Commitment

T0 = 1_735_689_600  # 2025-01-01T00:00:00Z
DAY = 86_400


@dataclass
class Published:
    identity: Identity
    fingerprints: FingerprintSet
    bundle: Bundle

    @property
    def commitment(self) -> Commitment:
        return self.bundle.commitment()

    def challenge(
        self, count: int = 8, *, first_seen: int = T0 + 30 * DAY, nonce: bytes | None = None
    ) -> Challenge:
        return Challenge.create(
            bundle=self.bundle.content_id(),
            count=count,
            first_seen=first_seen,
            created=T0 + 40 * DAY,
            nonce=nonce,
        )

    def reveal(self, challenge: Challenge) -> SignedReveal:
        return SignedReveal.sign(
            create_reveal(self.fingerprints, challenge), self.identity.private_key
        )


def publish(count: int = 64, *, secret: bytes | None = None, claimed: int = T0) -> Published:
    identity = Identity.generate()
    fps = FingerprintSet.generate(count, secret=secret)
    bundle = create_commitment(fps, identity, model_name="test-model", claimed_time=claimed)
    return Published(identity, fps, bundle)


@pytest.fixture(scope="module")
def published() -> Published:
    return publish(64, secret=bytes(range(32)))


@pytest.fixture(scope="module")
def make_published() -> Callable[..., Published]:
    return publish


def _byte_tokenizer():  # type: ignore[no-untyped-def]
    """A byte-level tokenizer with a ChatML template, built without any download (instant)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {ch: i for i, ch in enumerate(alphabet)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok)
    fast.add_special_tokens(
        {
            "eos_token": "<|im_end|>",
            "pad_token": "<pad>",
            "additional_special_tokens": ["<|im_start|>"],
        }
    )
    fast.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
        "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    return fast


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama with a byte-level chat tokenizer, saved as a Hugging Face directory."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.set_num_threads(1)
    tokenizer = _byte_tokenizer()
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    out = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
