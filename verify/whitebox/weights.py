"""The weights HuRef needs, read from a llama-style model without running it.

HuRef's invariant terms use the token embedding and, for a few layers, the attention projections
(q, k, v, o), the SwiGLU projections (gate, up, down) and the two RMSNorm gains in front of them.
:class:`ModelWeights` holds just those tensors, in Hugging Face's ``nn.Linear`` layout (``[out, in]``),
so the invariant code works the same on a loaded model, a state dict, or safetensors files read
directly (the fast path for model directories: no model is instantiated).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ...protocol.errors import ConfigError, DecodeError
from ...runtime.files import read_json

__all__ = [
    "DEFAULT_LAST_LAYERS",
    "LayerWeights",
    "ModelLike",
    "ModelWeights",
    "load_weights",
    "model_weights",
    "weights_from_model",
    "weights_from_state",
]

DEFAULT_LAST_LAYERS = 2
"""HuRef's terms come from the last decoder layers; this many of them."""

_LAYER_KEY = re.compile(r"^(?P<prefix>.*?)layers\.(?P<index>\d+)\.(?P<rest>.+)$")

_LAYER_PARTS = {
    "q": "self_attn.q_proj.weight",
    "k": "self_attn.k_proj.weight",
    "v": "self_attn.v_proj.weight",
    "o": "self_attn.o_proj.weight",
    "gate": "mlp.gate_proj.weight",
    "up": "mlp.up_proj.weight",
    "down": "mlp.down_proj.weight",
    "attn_norm": "input_layernorm.weight",
    "mlp_norm": "post_attention_layernorm.weight",
}


@dataclass(frozen=True)
class LayerWeights:
    """One decoder layer's projections (``[out, in]``) and RMSNorm gains (``[hidden]``)."""

    index: int
    q: torch.Tensor
    k: torch.Tensor
    v: torch.Tensor
    o: torch.Tensor
    gate: torch.Tensor
    up: torch.Tensor
    down: torch.Tensor
    attn_norm: torch.Tensor
    mlp_norm: torch.Tensor


@dataclass(frozen=True)
class ModelWeights:
    """The embedding plus the selected layers of a llama-style decoder, and its head layout."""

    embedding: torch.Tensor
    layers: tuple[LayerWeights, ...]
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int

    @property
    def vocab_size(self) -> int:
        return int(self.embedding.shape[0])

    @property
    def hidden_size(self) -> int:
        return int(self.embedding.shape[1])


def _last_layers(num_layers: int, last_layers: int) -> list[int]:
    if not 1 <= last_layers <= num_layers:
        raise ConfigError(f"last_layers={last_layers} is outside 1..{num_layers}")
    return list(range(num_layers - last_layers, num_layers))


def _head_layout(config: Mapping[str, Any]) -> tuple[int, int, int, int]:
    """(num_layers, num_heads, num_kv_heads, head_dim) from a transformers config dict."""
    try:
        num_layers = int(config["num_hidden_layers"])
        num_heads = int(config["num_attention_heads"])
        hidden = int(config["hidden_size"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"model config lacks {exc} (not a llama-style decoder)") from exc
    num_kv = int(config.get("num_key_value_heads") or num_heads)
    head_dim = int(config.get("head_dim") or hidden // num_heads)
    if num_heads % num_kv:
        raise ConfigError(f"{num_heads} query heads do not divide into {num_kv} key/value heads")
    return num_layers, num_heads, num_kv, head_dim


def _find(keys: Sequence[str], suffix: str) -> str:
    matches = [k for k in keys if k == suffix or k.endswith("." + suffix)]
    if not matches:
        raise ConfigError(
            f"no tensor named *{suffix}: HuRef invariants need a llama-style model "
            "(q/k/v/o and gate/up/down projections, RMSNorm)"
        )
    return sorted(matches, key=len)[0]


def _layer_prefix(keys: Sequence[str]) -> str:
    for key in keys:
        match = _LAYER_KEY.match(key)
        if match and match.group("rest") == _LAYER_PARTS["q"]:
            return match.group("prefix") + "layers."
    raise ConfigError("no decoder layers with self_attn.q_proj found (not a llama-style model)")


def _assemble(
    get: Any, keys: Sequence[str], config: Mapping[str, Any], last_layers: int
) -> ModelWeights:
    """Build :class:`ModelWeights` from a tensor getter over ``keys`` (state dict or safetensors)."""
    num_layers, num_heads, num_kv, head_dim = _head_layout(config)
    prefix = _layer_prefix(keys)
    layers = []
    for index in _last_layers(num_layers, last_layers):
        parts: dict[str, torch.Tensor] = {}
        for name, suffix in _LAYER_PARTS.items():
            key = f"{prefix}{index}.{suffix}"
            if key not in keys:
                raise ConfigError(f"tensor {key} is missing (not a llama-style model)")
            parts[name] = get(key).detach().to(torch.float64)
        layers.append(LayerWeights(index=index, **parts))
    embedding = get(_find(keys, "embed_tokens.weight")).detach()  # rows cast when picked
    weights = ModelWeights(embedding, tuple(layers), num_layers, num_heads, num_kv, head_dim)
    _check_shapes(weights)
    return weights


def _check_shapes(w: ModelWeights) -> None:
    d, q_out, kv_out = w.hidden_size, w.num_heads * w.head_dim, w.num_kv_heads * w.head_dim
    for layer in w.layers:
        expected = {"q": (q_out, d), "k": (kv_out, d), "v": (kv_out, d), "o": (d, q_out)}
        for name, shape in expected.items():
            got = tuple(getattr(layer, name).shape)
            if got != shape:
                raise ConfigError(f"layer {layer.index} {name}_proj has shape {got}, not {shape}")
        if layer.up.shape != layer.gate.shape or layer.down.shape != layer.up.T.shape:
            raise ConfigError(f"layer {layer.index}: gate/up/down shapes do not fit together")


def weights_from_state(
    state: Mapping[str, torch.Tensor],
    config: Mapping[str, Any],
    *,
    last_layers: int = DEFAULT_LAST_LAYERS,
) -> ModelWeights:
    """Pick HuRef's tensors out of a state dict (``config``: a transformers config as a dict)."""
    keys = list(state.keys())
    return _assemble(state.__getitem__, keys, config, last_layers)


def weights_from_model(model: Any, *, last_layers: int = DEFAULT_LAST_LAYERS) -> ModelWeights:
    """Pick HuRef's tensors out of a loaded transformers model (peft wrappers are merged first)."""
    if hasattr(model, "merge_and_unload") and hasattr(model, "peft_config"):
        raise ConfigError("merge the peft adapter first (model.merge_and_unload())")
    config = model.config.to_dict()
    with torch.no_grad():
        return weights_from_state(model.state_dict(), config, last_layers=last_layers)


def _safetensors_files(directory: Path) -> list[Path]:
    index = directory / "model.safetensors.index.json"
    if index.is_file():
        doc = read_json(index)
        weight_map = doc.get("weight_map") if isinstance(doc, dict) else None
        if not isinstance(weight_map, dict) or not all(
            isinstance(n, str) and "/" not in n and n.endswith(".safetensors")
            for n in weight_map.values()
        ):
            raise DecodeError(f"{index}: no weight_map of safetensors file names")
        return [directory / n for n in sorted(set(weight_map.values()))]
    return sorted(directory.glob("*.safetensors"))


def _load_safetensors(directory: Path, last_layers: int) -> ModelWeights | None:
    """The fast path: read only the needed tensors from safetensors files; None if there are none."""
    from safetensors import SafetensorError, safe_open

    files = _safetensors_files(directory)
    if not files:
        return None
    config = read_json(directory / "config.json")
    if not isinstance(config, dict):
        raise DecodeError(f"{directory / 'config.json'}: not a model configuration")
    handles = []
    for f in files:
        try:
            handles.append(safe_open(str(f), framework="pt"))
        except (OSError, ValueError, RuntimeError, SafetensorError):
            raise DecodeError(f"{f}: not a readable safetensors file") from None
    where: dict[str, Any] = {}
    for handle in handles:
        for key in handle.keys():  # noqa: SIM118 (safe_open is not a mapping)
            where[key] = handle
    return _assemble(lambda k: where[k].get_tensor(k), list(where), config, last_layers)


def load_weights(
    spec: str | os.PathLike[str], *, last_layers: int = DEFAULT_LAST_LAYERS
) -> ModelWeights:
    """HuRef's tensors for ``spec``: a Hugging Face directory, a GGUF file, or ``smollm2``.

    Directories with safetensors are read directly; anything else goes through
    :func:`modelprint.runtime.models.load_model` (GGUF is de-quantized to fp32 by transformers).
    """
    from ...runtime.models import load_model, resolve_model_source

    source = resolve_model_source(spec)
    if source.gguf_file is None:
        fast = _load_safetensors(source.directory, last_layers)
        if fast is not None:
            return fast
    loaded = load_model(spec)
    return weights_from_model(loaded.model, last_layers=last_layers)


ModelLike = str | os.PathLike[str] | ModelWeights | Any
"""A model spec (directory, GGUF file, ``smollm2``), a :class:`ModelWeights`, or a loaded model
(a transformers model, or anything with a ``.model`` attribute holding one, e.g. ``LoadedModel``)."""


def model_weights(model: ModelLike, *, last_layers: int = DEFAULT_LAST_LAYERS) -> ModelWeights:
    """The tensors HuRef needs, from whatever ``model`` is."""
    if isinstance(model, ModelWeights):
        return model
    if isinstance(model, (str, os.PathLike)):
        return load_weights(model, last_layers=last_layers)
    inner = model.model if hasattr(model, "tokenizer") else model
    return weights_from_model(inner, last_layers=last_layers)
