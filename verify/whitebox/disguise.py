"""A copy of a model disguised by function-preserving weight transforms (``attack permute``).

What an adversary who wants to hide a model's lineage can do without any training: fold the RMSNorm
gains into the matrices after them, permute the hidden dimensions, and scramble the bases inside
every block (head groups and SwiGLU neurons permuted, q/k and up/down rescaled, value/output spaces
mixed; :mod:`.transforms`). The copy computes the same logits up to float rounding while every raw
weight matrix differs; HuRef's invariants (``whitebox compare``) still find the original in it, and
the implanted fingerprints still answer.

The transforms are computed in float64 and stored in float32. Before anything is written, the copy
is run beside the original on a probe sequence: a copy whose logits drift by more than
:data:`MAX_LOGIT_DRIFT` (a model these transforms do not fit) is refused, not written.
"""

from __future__ import annotations

import copy
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ...protocol.errors import ConfigError
from ...runtime.files import atomic_directory
from ...runtime.models import hf_bars_off, load_model

__all__ = ["MAX_LOGIT_DRIFT", "PermuteResult", "permute_model"]

MAX_LOGIT_DRIFT = 1e-3
"""The largest logit difference a disguised copy may show on the probe, relative to the largest
logit there (at least 1): float32 rounding stays far below it, a transform that does not fit a
model (an unhandled bias, a norm that is not RMSNorm) far above."""

_PROBE_TOKENS = 32
"""Tokens in the probe sequence (drawn from the seed) the two models are compared on."""

_LAYER_TENSORS = frozenset(
    f"{part}.weight"
    for part in (
        "input_layernorm",
        "post_attention_layernorm",
        "self_attn.q_proj",
        "self_attn.k_proj",
        "self_attn.v_proj",
        "self_attn.o_proj",
        "mlp.gate_proj",
        "mlp.up_proj",
        "mlp.down_proj",
    )
)
_MODEL_TENSORS = frozenset({"model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"})

# What a Hugging Face directory holds besides weights and config.json, copied byte for byte.
_COPIED = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.json",
    "merges.txt",
    "tokenizer.model",
    "chat_template.jinja",
    "chat_template.json",
    "generation_config.json",
)


@dataclass(frozen=True)
class PermuteResult:
    """What ``permute_model`` wrote and how close the copy's function is to the original's."""

    out_dir: str
    seed: int
    max_logit_difference: float
    tensors_changed: int
    tensors: int
    seconds: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _check_llama_style(label: str, state: dict[str, Any], layers: int) -> None:
    """Refuse a model with tensors the transforms do not move (biases, q/k norms, ...)."""
    expected = set(_MODEL_TENSORS) | {
        f"model.layers.{i}.{name}" for i in range(layers) for name in _LAYER_TENSORS
    }
    unexpected = sorted(set(state) - expected)
    missing = sorted(expected - set(state) - {"lm_head.weight"})
    if unexpected or missing:
        what = f"unexpected tensor {unexpected[0]}" if unexpected else f"no tensor {missing[0]}"
        raise ConfigError(f"{label}: not a llama-style decoder these transforms preserve ({what})")


def _disguised_twin(model: Any, label: str, seed: int) -> Any:
    """A new model of ``model``'s class (untied) holding its disguised weights in float32."""
    import torch

    from . import transforms as t

    config = model.config.to_dict()
    original = model.state_dict()
    _check_llama_style(label, original, int(config["num_hidden_layers"]))
    generator = torch.Generator().manual_seed(seed)
    permutation = t.random_permutation(int(config["hidden_size"]), generator)
    state = t.fold_norms({k: v.detach().double() for k, v in original.items()}, config)
    state = t.rotate_hidden(state, config, permutation)
    state = t.scramble_inner(state, config, generator)
    twin_config = copy.deepcopy(model.config)
    twin_config.tie_word_embeddings = False
    twin = type(model)(twin_config)
    twin.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    return twin.eval()


def _logit_drift(model: Any, twin: Any, seed: int) -> tuple[float, float]:
    """The largest logit difference of the two models on a probe, and the bound it must meet."""
    import torch

    vocab = int(model.config.vocab_size)
    ids = torch.randint(vocab, (1, _PROBE_TOKENS), generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        original = model(input_ids=ids).logits.double()
        disguised = twin(input_ids=ids).logits.double()
    bound = MAX_LOGIT_DRIFT * max(1.0, float(original.abs().max()))
    return float((original - disguised).abs().max()), bound


def permute_model(
    model_spec: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, seed: int = 0
) -> PermuteResult:
    """Write to ``out_dir`` (new or empty) a copy of ``model_spec`` (a Hugging Face directory, a
    GGUF file or ``smollm2``) with the same function behind different weights.

    Norms folded, hidden dimensions permuted and inner bases scrambled, all drawn from ``seed``.
    A directory's tokenizer, chat template and generation config are copied as they are (a GGUF
    model's tokenizer is saved by transformers). Raises :class:`ConfigError` for a model that is
    not a llama-style decoder or whose copy would not compute the same logits.
    """
    import torch

    started = time.perf_counter()
    with atomic_directory(out_dir) as scratch:
        loaded = load_model(model_spec)
        model, label, source = loaded.model, loaded.source.label, loaded.source
        twin = _disguised_twin(model, label, seed)
        drift, bound = _logit_drift(model, twin, seed)
        if not drift <= bound:
            raise ConfigError(
                f"{label}: the disguised copy's logits differ by {drift:.3g} (over {bound:.3g}); "
                "nothing written"
            )
        before, after = model.state_dict(), twin.state_dict()
        changed = sum(1 for k, v in before.items() if not torch.equal(v, after[k]))
        with hf_bars_off():
            twin.save_pretrained(str(scratch), safe_serialization=True)
            if source.gguf_file is None:
                for name in _COPIED:
                    if (source.directory / name).is_file():
                        shutil.copyfile(source.directory / name, Path(scratch) / name)
            if not (Path(scratch) / "tokenizer_config.json").is_file():
                loaded.tokenizer.save_pretrained(str(scratch))
    return PermuteResult(
        out_dir=str(out_dir),
        seed=seed,
        max_logit_difference=drift,
        tensors_changed=changed,
        tensors=len(before),
        seconds=time.perf_counter() - started,
    )
