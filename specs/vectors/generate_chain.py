"""Regenerates specs/vectors/chain.json: grant limits, a revocation and the BLS chain aggregate.

Fixed seeds and times (Ed25519 and BLS signatures are deterministic), so every byte is stable. The
chain is the publisher's root commitment of vectors/commitment.json and one licensee stage below it.
Run ``python specs/vectors/generate_chain.py`` only when these records change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from modelprint.commit.commitment import create_commitment, create_grant, create_revocation
from modelprint.commit.identity import Identity
from modelprint.protocol import bls
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Grant

HERE = Path(__file__).resolve().parent
SEED_PUBLISHER = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
SEED_LICENSEE = bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
TIME = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY = 86_400


def chain_vectors() -> dict[str, Any]:
    publisher = Identity(Ed25519PrivateKey.from_private_bytes(SEED_PUBLISHER))
    licensee = Identity(Ed25519PrivateKey.from_private_bytes(SEED_LICENSEE))
    root = create_commitment(
        FingerprintSet.generate(4, secret=bytes(range(32))), publisher, model_name="base",
        claimed_time=TIME, bls_key=True,
    )  # fmt: skip
    grant = create_grant(
        publisher, root, grantee_key=licensee.public_key, terms=b"resale allowed\n",
        issued_time=TIME, not_before=TIME, not_after=TIME + 365 * DAY, max_depth=1,
    )  # fmt: skip
    child = create_commitment(
        FingerprintSet.generate(4, secret=bytes(range(32, 64))), licensee, model_name="tuned",
        claimed_time=TIME + DAY, parent=root, grant=grant, bls_key=True,
    )  # fmt: skip
    revocation = create_revocation(publisher, grant, reason="unpaid", claimed_time=TIME + 2 * DAY)
    keys = [bls.registered_key(b.commitment().attachments) for b in (root, child)]
    signatures = [b.bls_signature or b"" for b in (root, child)]
    aggregate = bls.ChainAggregate.of([root.content_id(), child.content_id()], signatures)
    aggregate.verify(keys)
    return {
        "description": "a grant with limits, its revocation, and a two-link BLS chain aggregate",
        "publisher_seed": SEED_PUBLISHER.hex(),
        "licensee_seed": SEED_LICENSEE.hex(),
        "grant": {
            "payload_hex": grant.payload.hex(),
            "envelope_hex": grant.to_bytes().hex(),
            "content_id": Grant.from_bytes(grant.payload).content_id().hex(),
            "not_before": TIME,
            "not_after": TIME + 365 * DAY,
            "max_depth": 1,
        },
        "revocation": {
            "payload_hex": revocation.envelope.payload.hex(),
            "signed_revocation_hex": revocation.to_bytes().hex(),
            "content_id": revocation.content_id().hex(),
        },
        "bls": {
            "ciphersuite": "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_",
            "secrets": [hex(p.bls_secret()) for p in (publisher, licensee)],
            "keys": [{"public_key": k.public_key.hex(), "proof": k.proof.hex()} for k in keys],
            "key_attachments": [k.to_bytes().hex() for k in keys],
            "links": [root.content_id().hex(), child.content_id().hex()],
            "link_messages": [bls.link_message(b.content_id()).hex() for b in (root, child)],
            "link_signatures": [s.hex() for s in signatures],
            "root_bundle_hex": root.to_bytes().hex(),
            "child_bundle_hex": child.to_bytes().hex(),
            "aggregate_hex": aggregate.to_bytes().hex(),
        },
    }


if __name__ == "__main__":
    (HERE / "chain.json").write_text(json.dumps(chain_vectors(), indent=1) + "\n")
