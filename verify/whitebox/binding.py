"""Binding white-box evidence to a commitment, and checking a model against it.

A commitment can carry two attachments (``Commitment.attachments``), so a later white-box check is
bound to the same trusted time as the black-box keys:

``huref/v1`` — the base model's HuRef invariants themselves, quantized, as canonical msgpack::

    {"v": 1, "token_ids": [int], "layers": [int], "num_layers": int, "terms": [str],
     "scale": 16, "values": bin}

  ``values`` holds one signed byte per entry, ``clamp(round(16·z), -127, 127)`` of the standardized
  terms ``z``, in the order term (as in ``terms``), layer, row, column. Why the vector and not only a
  digest of it: invariants are float results, and another machine, BLAS or dtype can move an entry
  across a rounding boundary, so a digest recomputed from a suspect's weights can never be required
  to equal a committed one. Instead the commitment fixes the vector (its digest is
  :func:`invariants_digest`, ``tagged_hash(Tag.INVARIANTS, attachment)``), and a check recomputes
  the suspect's invariants at the committed tokens and compares by similarity, which rounding moves
  by far less than 0.1 point. At the default 64 tokens and 2 layers the attachment is about 24 KiB.

``weights-manifest/v1`` — the released files, in the style of OpenSSF model-signing: canonical
  msgpack ``{"v": 1, "files": [{"path": str, "size": int, "sha256": bin}]}`` sorted by path, over
  every regular file below the model directory except hidden ones (``.git``, ``.cache``), or over
  the one GGUF file. Its digest is :func:`weights_manifest_digest` (``Tag.WEIGHTS``). It proves
  byte identity only; a fine-tuned or converted derivative will not match it, and HuRef is the
  evidence for those.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...protocol import canonical
from ...protocol.errors import (
    CommitmentError,
    ConfigError,
    DecodeError,
    UnsupportedVersionError,
)
from ...protocol.hashing import Tag, tagged_hash
from .invariants import (
    TERMS,
    Invariants,
    Similarity,
    compute_invariants,
    invariants_of,
    similarity,
)
from .weights import model_weights

__all__ = [
    "ATTACHMENT_INVARIANTS",
    "ATTACHMENT_WEIGHTS",
    "DEFAULT_MIN_SIMILARITY",
    "QUANT_SCALE",
    "InvariantsMismatchError",
    "WeightsManifestMismatchError",
    "WhiteboxCheck",
    "WhiteboxMismatchError",
    "check_whitebox_attachments",
    "decode_invariants",
    "decode_weights_manifest",
    "encode_invariants",
    "invariants_digest",
    "weights_manifest",
    "weights_manifest_digest",
    "whitebox_attachments",
]

ATTACHMENT_INVARIANTS = "huref/v1"
ATTACHMENT_WEIGHTS = "weights-manifest/v1"
QUANT_SCALE = 16
"""Quantization steps per standard deviation (int8 covers ±7.9σ)."""

DEFAULT_MIN_SIMILARITY = 50.0
"""Below this a model is not taken as derived from the committed one (see the benchmark figures:
derived models score above 90, unrelated ones near 0)."""

_CHUNK = 1 << 20


class WhiteboxMismatchError(CommitmentError):
    """A model that does not match the white-box evidence in a commitment."""


class InvariantsMismatchError(WhiteboxMismatchError):
    """HuRef similarity to the committed invariants is below the threshold."""


class WeightsManifestMismatchError(WhiteboxMismatchError):
    """The model's files are not byte-identical to the committed manifest."""


# --- invariants ---------------------------------------------------------------------------------


def encode_invariants(inv: Invariants) -> bytes:
    """The ``huref/v1`` attachment: canonical msgpack of the quantized invariants."""
    values = np.concatenate([inv.terms[name].ravel() for name in TERMS])
    quantized = np.clip(np.rint(values * QUANT_SCALE), -127, 127).astype(np.int8)
    return canonical.encode(
        {
            "v": 1,
            "token_ids": list(inv.token_ids),
            "layers": list(inv.layers),
            "num_layers": inv.num_layers,
            "terms": list(TERMS),
            "scale": QUANT_SCALE,
            "values": quantized.tobytes(),
        }
    )


def _int_list(record: Mapping[str, Any], key: str) -> list[int]:
    value = record.get(key)
    if not isinstance(value, list) or not value or not all(type(i) is int for i in value):
        raise DecodeError(f"huref/v1: '{key}' is not a non-empty list of integers")
    return value


def decode_invariants(data: bytes) -> Invariants:
    """Parse a ``huref/v1`` attachment back into (dequantized) :class:`Invariants`."""
    record = canonical.decode(data)
    if not isinstance(record, dict):
        raise DecodeError("huref/v1: not a map")
    if record.get("v") != 1:
        raise UnsupportedVersionError(f"huref/v1: unknown version {record.get('v')!r}")
    if set(record) != {"v", "token_ids", "layers", "num_layers", "terms", "scale", "values"}:
        raise DecodeError("huref/v1: unexpected or missing fields")
    if record["terms"] != list(TERMS) or record["scale"] != QUANT_SCALE:
        raise UnsupportedVersionError("huref/v1: unknown terms or quantization")
    token_ids, layers = _int_list(record, "token_ids"), _int_list(record, "layers")
    num_layers, raw = record["num_layers"], record["values"]
    n, count = len(token_ids), len(layers)
    if type(num_layers) is not int or not isinstance(raw, bytes):
        raise DecodeError("huref/v1: bad num_layers or values")
    if len(raw) != len(TERMS) * count * n * n:
        raise DecodeError(f"huref/v1: {len(raw)} values for {count} layers of {n} tokens")
    values = np.frombuffer(raw, dtype=np.int8).astype(np.float64) / QUANT_SCALE
    blocks = values.reshape(len(TERMS), count, n, n)
    terms = {name: blocks[i] for i, name in enumerate(TERMS)}
    return Invariants(tuple(token_ids), tuple(layers), num_layers, terms)


def invariants_digest(data: bytes | Invariants) -> bytes:
    """``tagged_hash(Tag.INVARIANTS, huref/v1 attachment)``: binds the committed vector."""
    raw = encode_invariants(data) if isinstance(data, Invariants) else data
    return tagged_hash(Tag.INVARIANTS, raw)


# --- weights manifest ---------------------------------------------------------------------------


def _sha256_file(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.digest()


def _weight_files(spec: str | os.PathLike[str]) -> tuple[Path, list[Path]]:
    from ...runtime.models import resolve_model_source

    source = resolve_model_source(spec)
    if source.gguf_file is not None:
        return source.directory, [source.directory / source.gguf_file]
    root = source.directory
    files = [
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return root, sorted(files, key=lambda p: p.relative_to(root).as_posix())


def weights_manifest(spec: str | os.PathLike[str]) -> bytes:
    """The ``weights-manifest/v1`` attachment for a model directory, GGUF file or ``smollm2``."""
    root, files = _weight_files(spec)
    entries = [
        {
            "path": p.relative_to(root).as_posix(),
            "size": p.stat().st_size,
            "sha256": _sha256_file(p),
        }
        for p in files
    ]
    return canonical.encode({"v": 1, "files": entries})


def decode_weights_manifest(data: bytes) -> dict[str, tuple[int, bytes]]:
    """Parse a ``weights-manifest/v1`` attachment into ``{path: (size, sha256)}``."""
    record = canonical.decode(data)
    if not isinstance(record, dict) or set(record) != {"v", "files"}:
        raise DecodeError("weights-manifest/v1: not a manifest map")
    if record["v"] != 1:
        raise UnsupportedVersionError(f"weights-manifest/v1: unknown version {record['v']!r}")
    out: dict[str, tuple[int, bytes]] = {}
    for entry in record["files"] if isinstance(record["files"], list) else [None]:
        if (
            not isinstance(entry, dict)
            or set(entry) != {"path", "size", "sha256"}
            or not isinstance(entry["path"], str)
            or type(entry["size"]) is not int
            or not isinstance(entry["sha256"], bytes)
            or len(entry["sha256"]) != 32
            or entry["path"] in out
        ):
            raise DecodeError("weights-manifest/v1: malformed file entry")
        out[entry["path"]] = (entry["size"], entry["sha256"])
    return out


def weights_manifest_digest(manifest: bytes) -> bytes:
    """``tagged_hash(Tag.WEIGHTS, manifest)``."""
    return tagged_hash(Tag.WEIGHTS, manifest)


def _manifest_differences(committed: bytes, actual: bytes) -> list[str]:
    want, have = decode_weights_manifest(committed), decode_weights_manifest(actual)
    missing = [f"missing {p}" for p in sorted(set(want) - set(have))]
    extra = [f"extra {p}" for p in sorted(set(have) - set(want))]
    changed = [f"changed {p}" for p in sorted(set(want) & set(have)) if want[p] != have[p]]
    return missing + extra + changed


# --- attachments and the check ------------------------------------------------------------------


def whitebox_attachments(model_spec: str | os.PathLike[str]) -> dict[str, bytes]:
    """``{"huref/v1": ..., "weights-manifest/v1": ...}`` for a commitment's ``attachments``."""
    return {
        ATTACHMENT_INVARIANTS: encode_invariants(invariants_of(model_spec)),
        ATTACHMENT_WEIGHTS: weights_manifest(model_spec),
    }


@dataclass(frozen=True)
class WhiteboxCheck:
    """What a model showed against a commitment's white-box attachments (None: not checked)."""

    similarity: Similarity | None
    weights_match: bool | None
    weights_differences: tuple[str, ...] = ()
    committed: Invariants | None = field(default=None, repr=False, compare=False)
    """The committed invariants (for the report's pictures), when HuRef was compared."""
    observed: Invariants | None = field(default=None, repr=False, compare=False)
    """The checked model's invariants at the committed tokens, when HuRef was compared."""

    def as_dict(self) -> dict[str, object]:
        return {
            "similarity": None if self.similarity is None else self.similarity.as_dict(),
            "weights_match": self.weights_match,
            "weights_differences": list(self.weights_differences),
        }


def check_whitebox_attachments(
    attachments: Mapping[str, bytes],
    model: Any,
    *,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
    require_identical_weights: bool = False,
    loaded: Any = None,
) -> WhiteboxCheck:
    """Check ``model`` (spec, loaded model or :class:`ModelWeights`) against the attachments.

    ``loaded`` is the same model already in memory (a verifier that has just queried it): the
    invariants are then taken from it instead of loading ``model`` again, and the manifest is
    still checked against the files of ``model``.

    Raises :class:`InvariantsMismatchError` when the HuRef similarity to the committed invariants is
    below ``min_similarity``, and :class:`WeightsManifestMismatchError` when the files differ from
    the manifest and ``require_identical_weights`` is set (otherwise a derived model passes with
    ``weights_match=False``). The manifest is only checked for a model given as a path.
    """
    if not 0.0 <= min_similarity <= 100.0:
        raise ConfigError(f"min_similarity={min_similarity} is outside 0..100")
    huref, manifest = attachments.get(ATTACHMENT_INVARIANTS), attachments.get(ATTACHMENT_WEIGHTS)
    if huref is None and manifest is None:
        raise WhiteboxMismatchError("the commitment carries no white-box attachments")
    result: Similarity | None = None
    committed: Invariants | None = None
    observed: Invariants | None = None
    if huref is not None:
        committed = decode_invariants(huref)
        source = model if loaded is None else loaded
        weights = model_weights(source, last_layers=len(committed.layers))
        observed = compute_invariants(weights, committed.token_ids)
        result = similarity(committed, observed)
        if result.similarity < min_similarity:
            raise InvariantsMismatchError(
                f"HuRef similarity {result.similarity:.1f} to the committed invariants is below "
                f"{min_similarity:.1f}: not derived from the committed model"
            )
    weights_match: bool | None = None
    differences: list[str] = []
    if manifest is not None and isinstance(model, (str, os.PathLike)):
        differences = _manifest_differences(manifest, weights_manifest(model))
        weights_match = not differences
        if differences and require_identical_weights:
            shown = "; ".join(differences[:3]) + ("; ..." if len(differences) > 3 else "")
            raise WeightsManifestMismatchError(f"weights differ from the manifest: {shown}")
    elif require_identical_weights:
        raise WeightsManifestMismatchError("identical weights required, but cannot be checked")
    return WhiteboxCheck(result, weights_match, tuple(differences), committed, observed)
