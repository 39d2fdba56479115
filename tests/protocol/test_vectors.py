"""The protocol reproduces every byte of specs/vectors and rejects every invalid vector."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from modelprint.protocol import canonical
from modelprint.protocol.envelope import Envelope, PayloadType, key_id, pae, raw_public_key
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.merkle import (
    MerkleTree,
    MultiProof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
    verify_multiproof,
)
from modelprint.protocol.records import Bundle, Commitment, Grant
from tests.vectors import error_class, from_json, load

CANONICAL = load("canonical.json")
FINGERPRINTS = load("fingerprints.json")
MERKLE = load("merkle.json")
COMMITMENT = load("commitment.json")


@pytest.mark.parametrize("case", CANONICAL["valid"], ids=lambda c: c["hex"][:16])
def test_canonical_valid_vectors_encode_and_decode_exactly(case: dict[str, Any]) -> None:
    value = from_json(case["value"])
    assert canonical.encode(value).hex() == case["hex"]
    assert canonical.decode(bytes.fromhex(case["hex"])) == value


@pytest.mark.parametrize("case", CANONICAL["invalid"], ids=lambda c: c["name"])
def test_canonical_invalid_vectors_raise_their_error(case: dict[str, Any]) -> None:
    with pytest.raises(error_class(case["error"])):
        canonical.decode(bytes.fromhex(case["hex"]))


def test_fingerprint_derivation_matches_vectors() -> None:
    v = FINGERPRINTS
    fps = FingerprintSet.generate(
        v["count"], v["scheme"], v["scheme_params"], secret=bytes.fromhex(v["secret"])
    )
    for expected, pair in zip(v["pairs"], fps.pairs(), strict=True):
        assert pair.key == expected["key"]
        assert pair.response == expected["response"]
        assert pair.salt.hex() == expected["salt"]
        assert fps.scheme.prompt(pair.key) == expected["prompt"]
        assert pair.leaf_data().hex() == expected["leaf_data"]
        assert pair.leaf_hash().hex() == expected["leaf_hash"]
    assert fps.root().hex() == v["root"]
    assert fps.to_bytes().hex() == v["file_hex"]
    mp = v["multiproof"]
    proof = MultiProof(mp["size"], tuple(bytes.fromhex(h) for h in mp["hashes"]))
    leaves = {i: bytes.fromhex(v["pairs"][i]["leaf_hash"]) for i in mp["indices"]}
    verify_multiproof(leaves, proof, bytes.fromhex(v["root"]))


@pytest.mark.parametrize("tree", MERKLE["trees"], ids=lambda t: f"n={len(t['leaves'])}")
def test_merkle_vectors(tree: dict[str, Any]) -> None:
    leaves = [bytes.fromhex(x) for x in tree["leaves"]]
    root = bytes.fromhex(tree["root"])
    mt = MerkleTree.from_data(leaves)
    assert mt.root() == root
    for inc in tree["inclusion"]:
        path = [bytes.fromhex(h) for h in inc["path"]]
        assert mt.inclusion_proof(inc["index"]) == path
        verify_inclusion(leaf_hash(leaves[inc["index"]]), inc["index"], len(leaves), path, root)
    for con in tree["consistency"]:
        proof = [bytes.fromhex(h) for h in con["proof"]]
        assert mt.consistency_proof(con["old_size"]) == proof
        verify_consistency(
            con["old_size"], len(leaves), bytes.fromhex(con["old_root"]), root, proof
        )
    mp = tree["multiproof"]
    proof = MultiProof(len(leaves), tuple(bytes.fromhex(h) for h in mp["hashes"]))
    assert mt.multiproof(mp["indices"]) == proof
    verify_multiproof({i: leaf_hash(leaves[i]) for i in mp["indices"]}, proof, root)


def test_commitment_envelope_and_bundle_match_vectors() -> None:
    v = COMMITMENT
    publisher = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(v["publisher_seed"]))
    assert raw_public_key(publisher.public_key()).hex() == v["publisher_key"]
    assert key_id(bytes.fromhex(v["publisher_key"])).hex() == v["publisher_key_id"]
    payload = bytes.fromhex(v["commitment_hex"])
    commitment = Commitment.from_bytes(payload)
    assert commitment.to_value() == from_json(v["commitment"])
    assert commitment.to_bytes() == payload
    assert pae(PayloadType.COMMITMENT, payload).hex() == v["pae_hex"]
    envelope = Envelope.sign(PayloadType.COMMITMENT, payload, publisher)
    assert envelope.signatures[0].sig.hex() == v["signature_hex"]  # Ed25519 is deterministic
    assert envelope.to_bytes().hex() == v["envelope_hex"]
    assert envelope.digest().hex() == v["envelope_digest"]
    bundle = Bundle.from_bytes(bytes.fromhex(v["bundle_hex"]))
    assert bundle.content_id().hex() == v["content_id"]
    assert bundle.commitment() == commitment
    assert bundle.to_bytes().hex() == v["bundle_hex"]
    grant = Grant.from_bytes(bytes.fromhex(v["grant_hex"]))
    assert grant.parent.hex() == v["content_id"]
    child = Bundle.from_bytes(bytes.fromhex(v["child_bundle_hex"]))
    child_commitment = child.commitment()
    assert child_commitment.parent == bundle.content_id()
    assert child.grant is not None and child_commitment.grant == child.grant.digest()


@pytest.mark.parametrize("case", COMMITMENT["invalid_bundles"], ids=lambda c: c["name"])
def test_invalid_bundle_vectors_raise_their_error(case: dict[str, Any]) -> None:
    with pytest.raises(error_class(case["error"])):
        Bundle.from_bytes(bytes.fromhex(case["hex"])).commitment()
