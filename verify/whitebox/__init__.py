"""White-box evidence: when a suspect's weights are available, the weights themselves are evidence.

This module is the public face of the white-box evidence subpackage:

* :mod:`.weights` reads the tensors HuRef needs (safetensors directly, GGUF via transformers);
* :mod:`.invariants` computes HuRef's invariant terms and their similarity (0..100);
* :mod:`.png` renders them as a picture two people can compare at a glance;
* :mod:`.binding` commits to them (and to a manifest of the weight files) and checks a
  model against such a commitment;
* :mod:`.html` renders a comparison for the verifier's HTML report;
* :mod:`.transforms` holds the function-preserving attacks the tests and benchmarks use.
* :mod:`.disguise` writes a model's copy disguised by them (``modelprint attack permute``).

HuRef works for any model, fingerprinted or not, as long as it is a llama-style decoder (q/k/v/o
attention with optional GQA, SwiGLU MLP, RMSNorm) and both models share the vocabulary indices
probed (derived models do).
"""

from __future__ import annotations

from dataclasses import dataclass

from .binding import (
    ATTACHMENT_INVARIANTS,
    ATTACHMENT_WEIGHTS,
    DEFAULT_MIN_SIMILARITY,
    InvariantsMismatchError,
    WeightsManifestMismatchError,
    WhiteboxCheck,
    WhiteboxMismatchError,
    check_whitebox_attachments,
    decode_invariants,
    encode_invariants,
    invariants_digest,
    weights_manifest,
    weights_manifest_digest,
    whitebox_attachments,
)
from .html import render_whitebox_html
from .invariants import (
    DEFAULT_TOKEN_COUNT,
    TERMS,
    Invariants,
    Similarity,
    compute_invariants,
    invariants_of,
    select_token_ids,
    similarity,
)
from .png import render_comparison_png_bytes, render_png, render_png_bytes
from .weights import (
    DEFAULT_LAST_LAYERS,
    ModelLike,
    ModelWeights,
    load_weights,
    model_weights,
    weights_from_model,
    weights_from_state,
)

__all__ = [
    "ATTACHMENT_INVARIANTS",
    "ATTACHMENT_WEIGHTS",
    "DEFAULT_LAST_LAYERS",
    "DEFAULT_MIN_SIMILARITY",
    "DEFAULT_TOKEN_COUNT",
    "TERMS",
    "Comparison",
    "Invariants",
    "InvariantsMismatchError",
    "ModelLike",
    "ModelWeights",
    "Similarity",
    "WeightsManifestMismatchError",
    "WhiteboxCheck",
    "WhiteboxMismatchError",
    "check_whitebox_attachments",
    "compare",
    "compute_invariants",
    "decode_invariants",
    "encode_invariants",
    "invariants_digest",
    "invariants_of",
    "load_weights",
    "model_weights",
    "render_comparison_png_bytes",
    "render_png",
    "render_png_bytes",
    "render_whitebox_html",
    "select_token_ids",
    "similarity",
    "weights_from_model",
    "weights_from_state",
    "weights_manifest",
    "weights_manifest_digest",
    "whitebox_attachments",
]


@dataclass(frozen=True)
class Comparison:
    """Two models' invariants (probed at the same tokens) and their similarity."""

    a: Invariants
    b: Invariants
    result: Similarity

    def as_dict(self) -> dict[str, object]:
        """``{"similarity", "terms", "tokens", "layers"}`` — the ``whitebox compare --json`` shape."""
        return {
            **self.result.as_dict(),
            "tokens": len(self.a.token_ids),
            "layers": {"a": list(self.a.layers), "b": list(self.b.layers)},
        }


def compare(
    a: ModelLike,
    b: ModelLike,
    *,
    last_layers: int = DEFAULT_LAST_LAYERS,
    token_count: int = DEFAULT_TOKEN_COUNT,
) -> Comparison:
    """Compare two models: both are probed at rare tokens chosen from ``a``'s vocabulary."""
    wa = model_weights(a, last_layers=last_layers)
    inv_a = compute_invariants(wa, select_token_ids(wa.vocab_size, token_count))
    inv_b = compute_invariants(model_weights(b, last_layers=last_layers), inv_a.token_ids)
    return Comparison(inv_a, inv_b, similarity(inv_a, inv_b))
