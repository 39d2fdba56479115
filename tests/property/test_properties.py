"""Property tests: canonical round trips, tamper-evidence of bundles, Merkle multiproofs."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelprint.protocol import canonical
from modelprint.protocol.errors import ModelprintError, ProofError
from modelprint.protocol.merkle import MerkleTree, MultiProof, verify_multiproof
from modelprint.protocol.records import Bundle

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.text(max_size=20)
    | st.binary(max_size=20)
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


@given(values)
def test_canonical_round_trip_is_identity(value: object) -> None:
    data = canonical.encode(value)
    assert canonical.decode(data) == value
    assert canonical.encode(canonical.decode(data)) == data


@given(values, st.data())
def test_canonical_decode_never_raises_outside_the_hierarchy(
    value: object, data: st.DataObject
) -> None:
    encoded = bytearray(canonical.encode(value))
    pos = data.draw(st.integers(0, len(encoded) - 1))
    encoded[pos] ^= data.draw(st.integers(1, 255))
    cut = data.draw(st.integers(0, len(encoded)))
    for candidate in (bytes(encoded), bytes(encoded[:cut])):
        with contextlib.suppress(ModelprintError):
            canonical.decode(candidate)


@pytest.fixture(scope="module")
def signed_bundle() -> bytes:
    from modelprint.commit.commitment import create_commitment
    from modelprint.commit.identity import Identity
    from modelprint.protocol.fingerprints import FingerprintSet

    fps = FingerprintSet.generate(4, secret=bytes(32))
    bundle = create_commitment(fps, Identity.generate(), model_name="m", claimed_time=1)
    return bundle.to_bytes()


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_single_byte_change_to_a_signed_bundle_is_rejected(
    signed_bundle: bytes, data: st.DataObject
) -> None:
    tampered = bytearray(signed_bundle)
    pos = data.draw(st.integers(0, len(tampered) - 1))
    tampered[pos] ^= data.draw(st.integers(1, 255))
    with pytest.raises(ModelprintError):
        Bundle.from_bytes(bytes(tampered)).commitment()


trees = st.integers(1, 70).flatmap(
    lambda n: st.tuples(st.just(n), st.sets(st.integers(0, n - 1), min_size=1))
)


@given(trees)
def test_multiproof_verifies_for_any_subset(case: tuple[int, set[int]]) -> None:
    n, picked = case
    tree = MerkleTree.from_data(i.to_bytes(4, "big") for i in range(n))
    verify_multiproof({i: tree.leaf(i) for i in picked}, tree.multiproof(picked), tree.root())


@given(trees, st.data())
def test_multiproof_fails_for_an_altered_leaf_or_path(
    case: tuple[int, set[int]], data: st.DataObject
) -> None:
    n, picked = case
    tree = MerkleTree.from_data(i.to_bytes(4, "big") for i in range(n))
    proof = tree.multiproof(picked)
    leaves = {i: tree.leaf(i) for i in picked}
    victim = data.draw(st.sampled_from(sorted(picked)))
    bad_leaves = {**leaves, victim: bytes(32)}
    with pytest.raises(ProofError):
        verify_multiproof(bad_leaves, proof, tree.root())
    if proof.hashes:
        k = data.draw(st.integers(0, len(proof.hashes) - 1))
        hashes = list(proof.hashes)
        hashes[k] = bytes(b ^ 1 for b in hashes[k])
        with pytest.raises(ProofError):
            verify_multiproof(leaves, MultiProof(n, tuple(hashes)), tree.root())
        with pytest.raises(ProofError):
            verify_multiproof(leaves, MultiProof(n, proof.hashes[:-1]), tree.root())
    with pytest.raises(ProofError):
        verify_multiproof(leaves, MultiProof(n, (*proof.hashes, bytes(32))), tree.root())
    if n > 1:
        other = data.draw(st.sampled_from([i for i in range(n)]))
        if other not in picked:
            moved = {**{i: h for i, h in leaves.items() if i != victim}, other: leaves[victim]}
            with pytest.raises(ProofError):
                verify_multiproof(moved, tree.multiproof(picked), tree.root())
