"""Loading causal LMs for modelprint: a Hugging Face directory, a GGUF file, or ``smollm2``."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..protocol.errors import ConfigError
from .embedded import embedded_gguf_path, is_embedded
from .gguf_cache import cached_conversion, store_conversion

__all__ = [
    "LoadedModel",
    "ensure_pad_token",
    "hf_bars_off",
    "load_model",
    "pad_token_id",
    "resolve_model_source",
]


@dataclass(frozen=True)
class ModelSource:
    """Where weights come from: a directory, plus the GGUF file name inside it when there is one."""

    directory: Path
    gguf_file: str | None
    label: str


@dataclass
class LoadedModel:
    model: Any  # transformers.PreTrainedModel
    tokenizer: Any  # transformers.PreTrainedTokenizerBase
    source: ModelSource


def resolve_model_source(spec: str | os.PathLike[str]) -> ModelSource:
    text = str(spec)
    if is_embedded(text):
        path = embedded_gguf_path()
        return ModelSource(path.parent, path.name, "smollm2")
    path = Path(text)
    if path.is_file() and path.suffix.lower() == ".gguf":
        return ModelSource(path.parent, path.name, str(path))
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ConfigError(f"{path}: not a Hugging Face model directory (no config.json)")
        return ModelSource(path, None, str(path))
    raise ConfigError(f"{text}: not a model directory, a .gguf file, or 'smollm2'")


def pad_token_id(tokenizer: Any) -> int:
    """The one pad-token rule: the tokenizer's pad token, else its end-of-sequence token, else 0.

    :func:`load_model` also sets a missing pad token to the EOS token, so the padding a batch gets
    and the id a mask compares against are the same everywhere (training, report, generation).
    """
    for candidate in (
        getattr(tokenizer, "pad_token_id", None),
        getattr(tokenizer, "eos_token_id", None),
    ):
        if isinstance(candidate, int):
            return candidate
    return 0


def ensure_pad_token(tokenizer: Any) -> None:
    """Give a tokenizer without a pad token its EOS token as pad (batched, left-padded generation
    needs one)."""
    if getattr(tokenizer, "pad_token", None) is None and getattr(tokenizer, "eos_token", None):
        tokenizer.pad_token = tokenizer.eos_token


@contextlib.contextmanager
def hf_bars_off() -> Iterator[None]:
    """transformers' own progress bars (loading, writing shards) off for the block, then as they
    were: how long loading or saving takes is the caller's to report, not a second bar's."""
    from transformers.utils import logging as hf_logging

    was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_on:
            hf_logging.enable_progress_bar()


@contextlib.contextmanager
def _quiet_gguf_conversion() -> Iterator[None]:
    """transformers' GGUF converter draws its own tqdm bar, outside its logging switches."""
    try:
        from transformers import modeling_gguf_pytorch_utils as gguf_utils
    except ImportError:  # pragma: no cover - another transformers layout
        yield
        return
    original = getattr(gguf_utils, "tqdm", None)
    if original is None:
        yield
        return
    gguf_utils.tqdm = functools.partial(original, disable=True)
    try:
        yield
    finally:
        gguf_utils.tqdm = original


def _clear_gguf_quantizer(model: Any) -> None:
    """transformers refuses save_pretrained on GGUF-loaded models until the quantizer is cleared."""
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.is_quantized = False


def load_model(spec: str | os.PathLike[str], *, dtype: Any = None) -> LoadedModel:
    """Load model and tokenizer (fp32 on CPU by default) with the tokenizer's chat template."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    source = resolve_model_source(spec)
    directory, kwargs = str(source.directory), {}
    gguf = None if source.gguf_file is None else source.directory / source.gguf_file
    converted = None if gguf is None else cached_conversion(gguf)
    if converted is not None:  # the same model, converted by an earlier load (gguf_cache)
        directory = str(converted)
    elif source.gguf_file is not None:
        kwargs["gguf_file"] = source.gguf_file
    hf_logging.set_verbosity_error()
    try:
        with hf_bars_off(), _quiet_gguf_conversion():
            tokenizer = AutoTokenizer.from_pretrained(directory, **kwargs)
            model = AutoModelForCausalLM.from_pretrained(
                directory, dtype=dtype or torch.float32, **kwargs
            )
    except (OSError, ValueError, KeyError) as exc:
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else "unreadable"
        raise ConfigError(f"{source.label}: cannot load model ({reason})") from exc
    if "gguf_file" in kwargs:
        _clear_gguf_quantizer(model)
        if gguf is not None and model.dtype == torch.float32:
            with hf_bars_off():
                store_conversion(gguf, model, tokenizer)
    ensure_pad_token(tokenizer)
    model.eval()
    return LoadedModel(model=model, tokenizer=tokenizer, source=source)
