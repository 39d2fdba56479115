"""What a suspect does to the weights before re-releasing them: casts, re-quantization, merges.

Every function takes state dicts (parameter name -> tensor) and returns a new one, leaving its
inputs untouched, so one implanted model can be attacked many ways in memory:

* :func:`cast_round_trip` -- to bf16 or fp16 and back (what a half-precision re-release keeps);
* :func:`gguf_round_trip` -- every 2-D weight through a llama.cpp quantization type (``Q8_0``,
  ``Q5_1``, ``Q4_0``, ``Q4_1``, ...) with the ``gguf`` package's own quantizers and back, as a
  ``llama-quantize`` re-release and a GGUF loader would (norms and biases stay as they are);
* :func:`int4_weight_only` -- round-to-nearest symmetric 4-bit weights in groups of 128, the
  calibration-free baseline of weight-only quantizers (bitsandbytes/torchao style);
* :func:`linear_merge` and :func:`task_arithmetic` -- model soups and task-vector merges with an
  independently fine-tuned copy of the same base.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..protocol.errors import ConfigError

__all__ = [
    "GGUF_TYPES",
    "cast_round_trip",
    "gguf_round_trip",
    "int4_weight_only",
    "linear_merge",
    "task_arithmetic",
]

State = Mapping[str, Any]
GGUF_TYPES = ("Q8_0", "Q6_K", "Q5_1", "Q5_0", "Q4_1", "Q4_0", "Q4_K")


def _quantizable(name: str, tensor: Any, block: int) -> bool:
    return tensor.ndim == 2 and tensor.shape[-1] % block == 0 and tensor.is_floating_point()


def cast_round_trip(state: State, dtype: str) -> dict[str, Any]:
    """Every floating tensor cast to ``dtype`` (``"bf16"`` or ``"fp16"``) and back to its own."""
    import torch

    target = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(dtype)
    if target is None:
        raise ConfigError(f"cast to {dtype!r}: choose bf16 or fp16")
    return {
        k: v.to(target).to(v.dtype) if v.is_floating_point() else v.clone()
        for k, v in state.items()
    }


def gguf_round_trip(state: State, qtype: str) -> dict[str, Any]:
    """2-D weights quantized to the GGUF type ``qtype`` and de-quantized (``gguf.quants``)."""
    import numpy as np
    import torch
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType
    from gguf import quants as gguf_quants

    try:
        kind = GGMLQuantizationType[qtype]
    except KeyError:
        raise ConfigError(f"unknown GGUF quantization type {qtype!r}") from None
    block = GGML_QUANT_SIZES[kind][0]
    out: dict[str, Any] = {}
    for name, tensor in state.items():
        if not _quantizable(name, tensor, block):
            out[name] = tensor.clone()
            continue
        data = tensor.detach().float().cpu().numpy().astype(np.float32)
        back = gguf_quants.dequantize(gguf_quants.quantize(data, kind), kind)
        out[name] = torch.from_numpy(np.ascontiguousarray(back)).to(tensor.dtype)
    return out


def int4_weight_only(state: State, *, group: int = 128) -> dict[str, Any]:
    """Symmetric round-to-nearest int4 (levels -8..7) per group of ``group`` input weights."""
    import torch

    out: dict[str, Any] = {}
    for name, tensor in state.items():
        if not _quantizable(name, tensor, group):
            out[name] = tensor.clone()
            continue
        w = tensor.detach().float().reshape(tensor.shape[0], -1, group)
        scale = (w.abs().amax(dim=-1, keepdim=True) / 7.0).clamp(min=1e-12)
        q = torch.clamp(torch.round(w / scale), -8, 7)
        out[name] = (q * scale).reshape(tensor.shape).to(tensor.dtype)
    return out


def _same_keys(*states: State) -> None:
    keys = set(states[0])
    if any(set(s) != keys for s in states[1:]):
        raise ConfigError("the models to merge have different parameters")


def linear_merge(a: State, b: State, weight: float) -> dict[str, Any]:
    """``weight * a + (1 - weight) * b`` for every floating tensor (a model soup)."""
    if not 0.0 <= weight <= 1.0:
        raise ConfigError("a merge weight lies in 0..1")
    _same_keys(a, b)
    return {
        k: (weight * a[k].float() + (1.0 - weight) * b[k].float()).to(a[k].dtype)
        if a[k].is_floating_point()
        else a[k].clone()
        for k in a
    }


def task_arithmetic(base: State, a: State, b: State, weight: float) -> dict[str, Any]:
    """``base + weight * (a - base) + (1 - weight) * (b - base)``: two task vectors merged."""
    if not 0.0 <= weight <= 1.0:
        raise ConfigError("a merge weight lies in 0..1")
    _same_keys(base, a, b)
    out: dict[str, Any] = {}
    for k, v in base.items():
        if not v.is_floating_point():
            out[k] = v.clone()
            continue
        delta = weight * (a[k].float() - v.float()) + (1.0 - weight) * (b[k].float() - v.float())
        out[k] = (v.float() + delta).to(v.dtype)
    return out
