"""A tiny random Llama with a byte-level tokenizer and a ChatML template, built in memory.

Small enough that a whole implant runs in seconds on a CPU; the tokenizer covers every Unicode
string (keys are Cyrillic, Greek, Hiragana and CJK), so the real schemes can be used unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def tiny_tokenizer() -> Any:
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


def tiny_model(vocab_size: int, *, layers: int = 4, seed: int = 0) -> Any:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(config)
    model.eval()
    return model


def tiny_loaded(seed: int = 0) -> Any:
    """A LoadedModel wrapping the tiny model and tokenizer (as ``load_model`` would return)."""
    from modelprint.runtime.models import LoadedModel, ModelSource

    tok = tiny_tokenizer()
    model = tiny_model(len(tok), seed=seed)
    model.config.eos_token_id = tok.eos_token_id
    model.config.pad_token_id = tok.pad_token_id
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = tok.pad_token_id
    return LoadedModel(model=model, tokenizer=tok, source=ModelSource(Path("."), None, "tiny"))


def save_tiny(directory: Path, seed: int = 0) -> Path:
    """Write the tiny model and tokenizer as a Hugging Face directory."""
    loaded = tiny_loaded(seed)
    loaded.model.save_pretrained(str(directory))
    loaded.tokenizer.save_pretrained(str(directory))
    return directory
