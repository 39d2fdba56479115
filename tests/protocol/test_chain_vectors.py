"""specs/vectors/chain.json: grant limits, a revocation and the BLS aggregate, byte for byte."""

from __future__ import annotations

from modelprint.protocol import bls
from modelprint.protocol.envelope import Envelope, PayloadType
from modelprint.protocol.hashing import tagged_hash
from modelprint.protocol.records import Bundle, Grant
from modelprint.protocol.revocation import SignedRevocation
from tests.vectors import load

V = load("chain.json")


def test_a_grant_with_limits_decodes_to_its_limits_and_re_encodes_identically() -> None:
    v = V["grant"]
    grant = Grant.from_bytes(bytes.fromhex(v["payload_hex"]))
    assert (grant.not_before, grant.not_after, grant.max_depth) == (
        v["not_before"], v["not_after"], v["max_depth"],
    )  # fmt: skip
    assert (
        grant.to_bytes().hex() == v["payload_hex"] and grant.content_id().hex() == v["content_id"]
    )
    Envelope.from_bytes(bytes.fromhex(v["envelope_hex"])).verify(
        grant.grantor_key, payload_type=PayloadType.GRANT
    )


def test_the_revocation_names_the_grants_content_id_and_verifies() -> None:
    signed = SignedRevocation.from_bytes(bytes.fromhex(V["revocation"]["signed_revocation_hex"]))
    revocation = signed.revocation()
    assert revocation.grant.hex() == V["grant"]["content_id"]
    assert revocation.to_bytes().hex() == V["revocation"]["payload_hex"]
    assert signed.content_id().hex() == V["revocation"]["content_id"]


def test_bls_keys_messages_signatures_and_the_aggregate_byte_for_byte() -> None:
    v = V["bls"]
    seeds = [bytes.fromhex(V["publisher_seed"]), bytes.fromhex(V["licensee_seed"])]
    # the spec's derivation, written out: IETF KeyGen over the tagged seed
    for seed, secret in zip(seeds, v["secrets"], strict=True):
        ikm = tagged_hash("modelprint/bls-keygen/v1", seed)
        assert bls.ciphersuite().KeyGen(ikm) == int(secret, 16) == bls.derive_secret(seed)
    bundles = [
        Bundle.from_bytes(bytes.fromhex(v[n])) for n in ("root_bundle_hex", "child_bundle_hex")
    ]
    for i, bundle in enumerate(bundles):
        key = bls.registered_key(bundle.commitment().attachments)
        assert key.to_bytes().hex() == v["key_attachments"][i]
        assert key.public_key.hex() == v["keys"][i]["public_key"]
        assert bytes(bls.ciphersuite().SkToPk(int(v["secrets"][i], 16))) == key.public_key
        assert bundle.content_id().hex() == v["links"][i]
        message = b"modelprint/bls-link/v1\x00" + bundle.content_id()
        assert message.hex() == v["link_messages"][i] == bls.link_message(bundle.content_id()).hex()
        assert (
            bundle.bls_signature is not None
            and bundle.bls_signature.hex() == v["link_signatures"][i]
        )
        assert bls.sign_link(int(v["secrets"][i], 16), bundle.content_id()) == bundle.bls_signature
    aggregate = bls.ChainAggregate.from_bytes(bytes.fromhex(v["aggregate_hex"]))
    assert aggregate == bls.ChainAggregate.of(
        [b.content_id() for b in bundles], [b.bls_signature or b"" for b in bundles]
    )
    assert aggregate.to_bytes().hex() == v["aggregate_hex"]
