"""A human-readable fingerprint: a deterministic PNG rendered from HuRef's invariants.

HuRef publishes its fingerprint as a picture (through a StyleGAN2 generator) so that people can compare
models at a glance. We draw the invariants themselves, which needs no generator and hides nothing:
one square panel per layer, whose red, green and blue channels are the standardized ``attn_qk``,
``attn_vo`` and ``mlp_up_down`` matrices (clipped at ±2.5σ), each entry a 4x4 block of pixels.
Derived models have nearly the same matrices, so their pictures look alike; unrelated models give
unrelated colour noise. The bytes are a pure function of the invariants (no timestamps or text), so
the same invariants always give the same file.
"""

from __future__ import annotations

import io
import os

import numpy as np
from PIL import Image

from .whitebox_invariants import TERMS, Invariants

__all__ = ["render_comparison_png_bytes", "render_image", "render_png", "render_png_bytes"]

_CLIP = 2.5
_CELL = 4
_GAP = 8
_MAX_TOKENS = 64
_BACKGROUND = (24, 24, 28)


def _panel(inv: Invariants, layer: int) -> np.ndarray:
    n = min(len(inv.token_ids), _MAX_TOKENS)
    channels = [inv.terms[name][layer, :n, :n] for name in TERMS]
    rgb = np.stack(channels, axis=-1)
    scaled = np.rint((np.clip(rgb, -_CLIP, _CLIP) + _CLIP) * (255.0 / (2 * _CLIP)))
    pixels = scaled.astype(np.uint8)
    return np.repeat(np.repeat(pixels, _CELL, axis=0), _CELL, axis=1)


def render_image(inv: Invariants) -> Image.Image:
    """The fingerprint picture: one panel per layer, left to right, on a dark frame."""
    panels = [_panel(inv, i) for i in range(len(inv.layers))]
    side = panels[0].shape[0]
    width = _GAP + len(panels) * (side + _GAP)
    canvas = np.empty((side + 2 * _GAP, width, 3), dtype=np.uint8)
    canvas[:] = _BACKGROUND
    for i, panel in enumerate(panels):
        left = _GAP + i * (side + _GAP)
        canvas[_GAP : _GAP + side, left : left + side] = panel
    return Image.fromarray(canvas, mode="RGB")


def render_png_bytes(inv: Invariants) -> bytes:
    """The fingerprint picture as PNG bytes (deterministic)."""
    buffer = io.BytesIO()
    render_image(inv).save(buffer, format="PNG", optimize=False, compress_level=9)
    return buffer.getvalue()


def render_png(inv: Invariants, path: str | os.PathLike[str]) -> None:
    """Write the fingerprint picture to ``path``."""
    with open(path, "wb") as handle:
        handle.write(render_png_bytes(inv))


def render_comparison_png_bytes(a: Invariants, b: Invariants) -> bytes:
    """Two fingerprint pictures, ``a`` above ``b``, as one PNG (for ``whitebox compare --png``)."""
    top, bottom = np.asarray(render_image(a)), np.asarray(render_image(b))
    width = max(top.shape[1], bottom.shape[1])
    canvas = np.empty((top.shape[0] + bottom.shape[0], width, 3), dtype=np.uint8)
    canvas[:] = _BACKGROUND
    canvas[: top.shape[0], : top.shape[1]] = top
    canvas[top.shape[0] :, : bottom.shape[1]] = bottom
    buffer = io.BytesIO()
    Image.fromarray(canvas, mode="RGB").save(buffer, format="PNG", compress_level=9)
    return buffer.getvalue()
