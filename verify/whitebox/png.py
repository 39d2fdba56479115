"""A human-readable fingerprint: a deterministic PNG rendered from HuRef's invariants.

HuRef publishes its fingerprint as a picture (through a StyleGAN2 generator) so that people can compare
models at a glance. Raw invariant matrices look like colour noise to a person — two noise squares are
hard to tell apart — so the picture has two parts:

* a *portrait* on the left: the standardized invariant vector is projected on 96 fixed pseudo-random
  directions (numpy PCG64, seed 20240606; random projections preserve cosine similarity, so derived
  models get nearly the same 96 numbers and unrelated ones independent ones), each number mapped
  through the normal CDF to a colour channel of one cell of a mirrored 8x8 grid, smoothly upscaled.
  Derived models give the same blotches; unrelated models give visibly different ones;
* the *detail*: one square panel per layer whose red, green and blue channels are the standardized
  ``attn_qk``, ``attn_vo`` and ``mlp_up_down`` matrices (clipped at ±2.5σ), 4x4 pixels per entry.

The bytes are a pure function of the invariants (no timestamps or text), so the same invariants
always give the same file on one installation. The picture is for people; the commitment binds
the invariants themselves (:mod:`.whitebox_binding`), never the picture.
"""

from __future__ import annotations

import io
import os

import numpy as np
from PIL import Image

from .invariants import TERMS, Invariants

__all__ = ["render_comparison_png_bytes", "render_image", "render_png", "render_png_bytes"]

_CLIP = 2.5
_CELL = 4
_GAP = 8
_MAX_TOKENS = 64
_BACKGROUND = (24, 24, 28)
_GRID = 8
_PROJECTION_SEED = 20240606


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 0.5 * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))
    return out


def _portrait(inv: Invariants, side: int) -> np.ndarray:
    """Mirrored 8x8 colour cells from 96 random projections of the invariants, smoothly scaled."""
    vector = inv.vector()
    half = _GRID // 2
    count = _GRID * half * 3
    rng = np.random.Generator(np.random.PCG64(_PROJECTION_SEED))
    directions = rng.standard_normal((count, vector.size))
    projections = directions @ vector / np.sqrt(vector.size)
    cells = np.rint(255 * _normal_cdf(projections)).astype(np.uint8).reshape(_GRID, half, 3)
    grid = np.concatenate([cells, cells[:, ::-1]], axis=1)
    image = Image.fromarray(grid, mode="RGB").resize((side, side), Image.Resampling.BICUBIC)
    return np.asarray(image)


def _panel(inv: Invariants, layer: int) -> np.ndarray:
    n = min(len(inv.token_ids), _MAX_TOKENS)
    channels = [inv.terms[name][layer, :n, :n] for name in TERMS]
    rgb = np.stack(channels, axis=-1)
    scaled = np.rint((np.clip(rgb, -_CLIP, _CLIP) + _CLIP) * (255.0 / (2 * _CLIP)))
    pixels = scaled.astype(np.uint8)
    return np.repeat(np.repeat(pixels, _CELL, axis=0), _CELL, axis=1)


def render_image(inv: Invariants) -> Image.Image:
    """The fingerprint picture: the portrait, then one panel per layer, on a dark frame."""
    detail = [_panel(inv, i) for i in range(len(inv.layers))]
    side = detail[0].shape[0]
    panels = [_portrait(inv, side), *detail]
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
