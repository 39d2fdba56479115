"""Commitment attachments: the committed invariants and weight manifest round-trip, bind by digest,
accept derived models and refuse unrelated or altered ones with typed errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from modelprint.protocol import canonical
from modelprint.protocol.errors import DecodeError, UnsupportedVersionError, VerificationError
from modelprint.protocol.hashing import Tag, tagged_hash
from modelprint.verify.whitebox import (
    ATTACHMENT_INVARIANTS,
    ATTACHMENT_WEIGHTS,
    InvariantsMismatchError,
    WeightsManifestMismatchError,
    WhiteboxMismatchError,
    check_whitebox_attachments,
    decode_invariants,
    encode_invariants,
    invariants_digest,
    invariants_of,
    similarity,
    weights_manifest,
    weights_manifest_digest,
    whitebox_attachments,
)
from modelprint.verify.whitebox.binding import decode_weights_manifest

Factory = Callable[..., Any]
Saver = Callable[[Any, str], Path]


def test_invariants_round_trip_through_the_attachment_within_quantization(tiny: Factory) -> None:
    inv = invariants_of(tiny(0))
    data = encode_invariants(inv)
    back = decode_invariants(data)
    assert back.token_ids == inv.token_ids and back.layers == inv.layers
    assert similarity(inv, back).similarity > 99.9
    assert encode_invariants(back) == data  # quantization is idempotent
    assert len(data) < 64 * 64 * 3 * 2 + 1024


def test_invariants_digest_is_the_tagged_hash_of_the_attachment(tiny: Factory) -> None:
    inv = invariants_of(tiny(0))
    data = encode_invariants(inv)
    assert invariants_digest(inv) == invariants_digest(data) == tagged_hash(Tag.INVARIANTS, data)
    assert invariants_digest(invariants_of(tiny(1))) != invariants_digest(data)


def test_tampered_invariant_attachments_are_rejected(tiny: Factory) -> None:
    record = canonical.decode(encode_invariants(invariants_of(tiny(0))))
    with pytest.raises(DecodeError):
        decode_invariants(canonical.encode({**record, "values": record["values"][:-1]}))
    with pytest.raises(UnsupportedVersionError):
        decode_invariants(canonical.encode({**record, "v": 2}))
    with pytest.raises(DecodeError):
        decode_invariants(canonical.encode({**record, "token_ids": ["a"]}))
    with pytest.raises(DecodeError):
        decode_invariants(b"\xc1garbage")


def test_weights_manifest_lists_every_file_with_its_sha256(tiny: Factory, tiny_dir: Saver) -> None:
    path = tiny_dir(tiny(0), "m")
    (path / ".cache").mkdir()
    (path / ".cache" / "junk").write_text("ignored")
    manifest = weights_manifest(path)
    files = decode_weights_manifest(manifest)
    assert set(files) == {"config.json", "generation_config.json", "model.safetensors"}
    size, digest = files["model.safetensors"]
    import hashlib

    raw = (path / "model.safetensors").read_bytes()
    assert size == len(raw) and digest == hashlib.sha256(raw).digest()
    assert weights_manifest_digest(manifest) == tagged_hash(Tag.WEIGHTS, manifest)
    assert weights_manifest(path) == manifest


def test_attachments_accept_the_model_itself_and_its_disguised_derivative(
    tiny: Factory, tiny_dir: Saver, disguised: Any
) -> None:
    base = tiny(0)
    attachments = whitebox_attachments(tiny_dir(base, "base"))
    assert set(attachments) == {ATTACHMENT_INVARIANTS, ATTACHMENT_WEIGHTS}
    same = check_whitebox_attachments(
        attachments, tiny_dir(base, "base"), require_identical_weights=True
    )
    assert same.weights_match is True and same.similarity is not None
    assert same.similarity.similarity > 99.9
    derived = check_whitebox_attachments(attachments, tiny_dir(disguised(base, 3), "derived"))
    assert derived.weights_match is False
    assert derived.similarity is not None and derived.similarity.similarity > 99.9


def test_attachments_refuse_an_unrelated_model(tiny: Factory, tiny_dir: Saver) -> None:
    attachments = whitebox_attachments(tiny_dir(tiny(0), "base"))
    with pytest.raises(InvariantsMismatchError, match="below"):
        check_whitebox_attachments(attachments, tiny_dir(tiny(1), "other"))


def test_changed_weight_files_fail_only_when_identity_is_required(
    tiny: Factory, tiny_dir: Saver
) -> None:
    path = tiny_dir(tiny(0), "base")
    attachments = whitebox_attachments(path)
    (path / "README.md").write_text("added after the commitment")
    check = check_whitebox_attachments(attachments, path)
    assert check.weights_match is False and check.weights_differences == ("extra README.md",)
    with pytest.raises(WeightsManifestMismatchError, match=r"README\.md"):
        check_whitebox_attachments(attachments, path, require_identical_weights=True)


def test_a_commitment_without_whitebox_attachments_is_an_error(tiny: Factory) -> None:
    with pytest.raises(WhiteboxMismatchError) as info:
        check_whitebox_attachments({}, tiny(0))
    assert isinstance(info.value, VerificationError) and info.value.exit_code == 1


def test_committed_values_are_int8_of_sixteen_steps_per_sigma(tiny: Factory) -> None:
    inv = invariants_of(tiny(0))
    record = canonical.decode(encode_invariants(inv))
    values = np.frombuffer(record["values"], dtype=np.int8)
    expected = np.clip(np.rint(inv.vector() * 16), -127, 127)
    assert np.array_equal(values, expected)
