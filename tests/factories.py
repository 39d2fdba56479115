"""Shared test factories: a publisher with a committed fingerprint set, and tiny random Llamas.

Import these from any test package; ``tests/conftest.py`` also offers them as fixtures
(``published``, ``make_published``, ``make_bundle``, ``tiny``, ``tiny_dir``, ``tiny_model_dir``).

The tiny models are random ``LlamaForCausalLM`` built in memory with a byte-level ChatML tokenizer:
small enough that a whole implant runs in seconds on a CPU, and the tokenizer covers every Unicode
string (keys are Cyrillic, Greek, Hiragana and CJK), so the real schemes can be used unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelprint.commit.commitment import create_commitment
from modelprint.commit.identity import Identity
from modelprint.protocol.challenge import Challenge, SignedReveal, create_reveal
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Bundle, Commitment

__all__ = [
    "CHATML",
    "DAY",
    "T0",
    "TINY_LLAMA",
    "WHITEBOX_LLAMA",
    "Published",
    "byte_tokenizer",
    "publish",
    "save_tiny",
    "tiny_llama",
    "tiny_loaded",
]

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


# -- tiny random Llamas ---------------------------------------------------------------------------

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

# LlamaConfig fields of every tiny model (GQA 4:2); tiny_llama's keywords override them.
TINY_LLAMA: dict[str, Any] = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 512,
    "tie_word_embeddings": True,
}

# The white-box tests' shape: no tokenizer, three layers, untied embedding and unembedding.
WHITEBOX_LLAMA: dict[str, Any] = {
    "vocab_size": 512,
    "num_hidden_layers": 3,
    "head_dim": 16,
    "max_position_embeddings": 64,
    "tie_word_embeddings": False,
}


def byte_tokenizer() -> Any:
    """A byte-level BPE tokenizer (no merges) with a ChatML template, built without any download.

    Ids 0-255 are the bytes; ``<|endoftext|>`` (pad), ``<|im_start|>`` and ``<|im_end|>`` (eos)
    follow.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}
    for special in ("<|endoftext|>", "<|im_start|>", "<|im_end|>"):
        vocab[special] = len(vocab)
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    tok.chat_template = CHATML
    return tok


def tiny_llama(
    seed: int = 0, *, tokenizer: Any = None, random_norms: bool = False, **config: Any
) -> Any:
    """A random tiny ``LlamaForCausalLM`` in eval mode, its weights drawn after ``manual_seed(seed)``.

    ``config``: LlamaConfig fields over :data:`TINY_LLAMA` (``vocab_size`` is required unless a
    ``tokenizer`` gives it; its eos and pad ids are then set too). ``random_norms``: RMSNorm gains drawn from
    [0.5, 1.5) instead of ones, so that folding them into the weights matters.
    """
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    fields = {**TINY_LLAMA, **config}
    if tokenizer is not None:
        fields.setdefault("vocab_size", len(tokenizer))
    if "vocab_size" not in fields:
        raise TypeError("tiny_llama needs vocab_size= or tokenizer=")
    torch.manual_seed(seed)
    model = LlamaForCausalLM(LlamaConfig(**fields)).eval()
    if tokenizer is not None:  # set after construction: a pad id there would freeze its embedding
        for target in (model.config, model.generation_config):
            target.eos_token_id = tokenizer.eos_token_id
            target.pad_token_id = tokenizer.pad_token_id
    if random_norms:
        with torch.no_grad():
            for name, param in model.named_parameters():
                if name.endswith("norm.weight"):
                    param.copy_(torch.rand_like(param) + 0.5)
    return model


def tiny_loaded(seed: int = 0, **config: Any) -> Any:
    """A LoadedModel wrapping a tiny model and its tokenizer (as ``load_model`` would return)."""
    from modelprint.runtime.models import LoadedModel, ModelSource

    tok = byte_tokenizer()
    model = tiny_llama(seed, tokenizer=tok, **config)
    return LoadedModel(model=model, tokenizer=tok, source=ModelSource(Path("."), None, "tiny"))


def save_tiny(directory: Path, seed: int = 0, **config: Any) -> Path:
    """Write a tiny model and its tokenizer as a Hugging Face directory."""
    loaded = tiny_loaded(seed, **config)
    loaded.model.save_pretrained(str(directory))
    loaded.tokenizer.save_pretrained(str(directory))
    return directory
