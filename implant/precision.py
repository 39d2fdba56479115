"""Arithmetic precision of implant training: bf16 autocast where the hardware multiplies bf16 natively.

Training matmuls in bf16 (weights, optimizer state, losses and the saved model stay fp32) is the
usual setting for LoRA on GPUs; on CPUs with AMX or AVX512-BF16 it is also several times faster
than fp32. Where neither is present, bf16 would be emulated and slower, so ``auto`` keeps fp32.
Training's own inputs (the cached states entering the adapter and the anchors) are computed in the
same precision. Everything that produces a reported figure or a decision (the base model's
targets, the gates, the report) runs in fp32 regardless.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["PRECISIONS", "native_bf16", "resolve_precision", "training_precision"]

PRECISIONS = ("auto", "fp32", "bf16")


def native_bf16(device_type: str) -> bool:
    """Whether ``device_type`` ("cpu", "cuda", ...) multiplies bf16 matrices in hardware."""
    import torch

    if device_type == "cuda":
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    if device_type == "cpu":
        for probe in ("_is_amx_tile_supported", "_is_avx512_bf16_supported"):
            check = getattr(torch.cpu, probe, None)
            if check is not None and bool(check()):
                return True
    return False


def resolve_precision(precision: str, device_type: str) -> str:
    """``auto`` becomes ``bf16`` on hardware with native bf16 matmuls and ``fp32`` elsewhere."""
    if precision == "auto":
        return "bf16" if native_bf16(device_type) else "fp32"
    return precision


@contextlib.contextmanager
def training_precision(resolved: str, device_type: str) -> Iterator[Any]:
    """Autocast to bf16 inside the block when ``resolved`` is ``bf16``; a no-op for ``fp32``."""
    import torch

    with torch.autocast(device_type=device_type, dtype=torch.bfloat16, enabled=resolved == "bf16"):
        yield
