"""HuRef's invariant terms and their standardized cosine similarity.

HuRef (Zeng et al., NeurIPS 2024) fingerprints a model by matrices that an adversary cannot change
without changing the model's function. With ``X`` the embedding rows of a fixed set of rare tokens,
for each of the last few decoder layers (row-vector convention, ``W = weight.T``):

* ``attn_qk`` = ``Xn·Wq·Wkᵀ·Xnᵀ`` — summed over heads, each query head paired with its key/value
  group (GQA): invariant to any invertible map inside a head's query/key space (RoPE-compatible
  rotations, scaling q up and k down) and to head permutations;
* ``attn_vo`` = ``Xn·Wv·Wo·Xᵀ`` — likewise for a head's value/output space;
* ``mlp_up_down`` = ``Xn'·Wup·Wdown·Xᵀ`` — the SwiGLU path through the linear "up" branch, which is
  invariant to permuting the intermediate neurons (gate, up and down together) and to scaling a
  neuron's up row by ``c`` and its down column by ``1/c``. The gate branch feeds a SiLU, so
  ``Wgate·Wdown`` is not invariant to that scaling and is left out.

``Xn = X·diag(g)`` folds the RMSNorm gain ``g`` in front of the projections into ``X`` (HuRef folds
norms the same way): a residual-stream rotation ``R`` is only function-preserving after the gains
are folded into the adjacent matrices, and with the fold the terms are unchanged by ``X → X·R``,
``W_in → Rᵀ·W_in``, ``W_out → W_out·R``. Terms are computed in float64, each matrix is standardized
(zero mean, unit variance), and the similarity of two models is ``100·cos`` of the flattened
standardized terms, clamped to 0..100 (a global scaling of any weight, e.g. the residual stream
scaled by ``c`` — RMSNorm cancels it — changes nothing).

Token choice: BPE vocabularies are ordered by merge rank, so high ids are long, rare tokens whose
embedding rows ordinary fine-tuning barely moves. :func:`select_token_ids` takes ``count`` ids evenly
spaced over the upper half of the vocabulary, skipping its last 1% (several families keep reserved,
never-trained special tokens there). The ids depend only on the vocabulary size and are recorded
with the invariants, so a second model is always probed at the same ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ...protocol.errors import ConfigError
from .weights import (
    DEFAULT_LAST_LAYERS,
    LayerWeights,
    ModelLike,
    ModelWeights,
    model_weights,
)

__all__ = [
    "DEFAULT_TOKEN_COUNT",
    "TERMS",
    "Invariants",
    "Similarity",
    "compute_invariants",
    "invariants_of",
    "select_token_ids",
    "similarity",
]

TERMS = ("attn_qk", "attn_vo", "mlp_up_down")
"""The invariant term names, in their canonical order."""

DEFAULT_TOKEN_COUNT = 64
"""Rare tokens probed by default (each term is then a 64x64 matrix per layer)."""


def select_token_ids(vocab_size: int, count: int = DEFAULT_TOKEN_COUNT) -> tuple[int, ...]:
    """``count`` ids evenly spaced over ``[vocab/2, vocab - max(1, vocab/100))`` (see module doc)."""
    low, high = vocab_size // 2, vocab_size - max(1, vocab_size // 100)
    if count < 2 or high - low < count:
        raise ConfigError(f"cannot pick {count} rare tokens from a vocabulary of {vocab_size}")
    return tuple(low + (i * (high - low)) // count for i in range(count))


@dataclass(frozen=True)
class Invariants:
    """A model's standardized invariant terms: ``terms[name]`` is ``[layers, tokens, tokens]``."""

    token_ids: tuple[int, ...]
    layers: tuple[int, ...]
    num_layers: int
    terms: Mapping[str, np.ndarray]

    def vector(self) -> np.ndarray:
        """All terms flattened in canonical order (term, layer, row, column)."""
        return np.concatenate([self.terms[name].ravel() for name in TERMS])


@dataclass(frozen=True)
class Similarity:
    """HuRef similarity of two models: overall and per term, each ``100·cos`` clamped to 0..100."""

    similarity: float
    terms: Mapping[str, float]

    def as_dict(self) -> dict[str, object]:
        return {"similarity": self.similarity, "terms": dict(self.terms)}


def _standardize(matrix: np.ndarray) -> np.ndarray:
    std = float(matrix.std())
    if not np.isfinite(std) or std == 0.0:
        raise ConfigError("an invariant term is constant or not finite (degenerate weights)")
    out: np.ndarray = (matrix - matrix.mean()) / std
    return out


def _expand_kv(weight: torch.Tensor, w: ModelWeights) -> torch.Tensor:
    """Repeat each key/value head's rows for the query heads of its group (GQA, as repeat_kv)."""
    repeat = w.num_heads // w.num_kv_heads
    rows = weight.reshape(w.num_kv_heads, w.head_dim, -1)
    return rows.repeat_interleave(repeat, dim=0).reshape(w.num_heads * w.head_dim, -1)


def _layer_terms(x: torch.Tensor, layer: LayerWeights, w: ModelWeights) -> dict[str, torch.Tensor]:
    xa = x * layer.attn_norm
    xm = x * layer.mlp_norm
    q = xa @ layer.q.T
    k = xa @ _expand_kv(layer.k, w).T
    v = xa @ _expand_kv(layer.v, w).T
    return {
        "attn_qk": q @ k.T,
        "attn_vo": (v @ layer.o.T) @ x.T,
        "mlp_up_down": ((xm @ layer.up.T) @ layer.down.T) @ x.T,
    }


def compute_invariants(weights: ModelWeights, token_ids: Sequence[int] | None = None) -> Invariants:
    """HuRef's standardized terms for ``weights`` probed at ``token_ids`` (default: rare tokens)."""
    ids = tuple(token_ids) if token_ids is not None else select_token_ids(weights.vocab_size)
    if not ids or max(ids) >= weights.vocab_size or min(ids) < 0:
        raise ConfigError(f"token ids outside the model's vocabulary of {weights.vocab_size}")
    with torch.no_grad():
        x = weights.embedding[list(ids)].to(torch.float64)
        per_layer = [_layer_terms(x, layer, weights) for layer in weights.layers]
    terms = {name: np.stack([_standardize(t[name].numpy()) for t in per_layer]) for name in TERMS}
    return Invariants(
        token_ids=ids,
        layers=tuple(layer.index for layer in weights.layers),
        num_layers=weights.num_layers,
        terms=terms,
    )


def _percent_cos(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel(), b.ravel()
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    cos = float(a @ b) / denom if denom else 0.0
    return round(min(100.0, max(0.0, 100.0 * cos)), 4)


def similarity(a: Invariants, b: Invariants) -> Similarity:
    """Standardized cosine similarity (0..100); both must be probed at the same tokens and depth."""
    if a.token_ids != b.token_ids:
        raise ConfigError("the invariants were probed at different tokens; recompute with the same")
    if len(a.layers) != len(b.layers):
        raise ConfigError(f"invariants over {len(a.layers)} vs {len(b.layers)} layers")
    terms = {name: _percent_cos(a.terms[name], b.terms[name]) for name in TERMS}
    return Similarity(similarity=_percent_cos(a.vector(), b.vector()), terms=terms)


def invariants_of(
    model: ModelLike,
    *,
    token_ids: Sequence[int] | None = None,
    last_layers: int = DEFAULT_LAST_LAYERS,
) -> Invariants:
    """HuRef's invariants of ``model`` (rare tokens of its own vocabulary unless ``token_ids``)."""
    return compute_invariants(model_weights(model, last_layers=last_layers), token_ids)
