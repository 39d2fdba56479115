"""Regenerates specs/vectors/challenge_*.json: index derivation, a challenge, a signed reveal.

Fixed secrets, keys and times; tests load the files and check every byte. Run
``python specs/vectors/generate_challenge.py`` only when the challenge protocol version changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from modelprint.protocol.challenge import Challenge, SignedReveal, create_reveal, derive_indices
from modelprint.protocol.envelope import Envelope, PayloadType, raw_public_key
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.records import Bundle, Commitment

HERE = Path(__file__).resolve().parent
SECRET = bytes(range(32))
SEED_PUBLISHER = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
TIME = 1_767_225_600  # 2026-01-01T00:00:00Z


def _write(name: str, value: Any) -> None:
    (HERE / name).write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n")


def index_vectors() -> dict[str, Any]:
    cases = []
    for nonce_byte, root_byte, count, size in [
        (0, 1, 1, 1), (0, 1, 1, 2), (1, 2, 3, 10), (2, 3, 8, 64), (3, 4, 16, 100),
        (4, 5, 10, 10), (5, 6, 32, 1000), (6, 7, 5, 1 << 20), (7, 8, 7, 3 * 2**30),
    ]:  # fmt: skip
        nonce, root = bytes([nonce_byte]) * 32, bytes([root_byte]) * 32
        cases.append(
            {
                "nonce": nonce.hex(),
                "root": root.hex(),
                "count": count,
                "size": size,
                "indices": list(derive_indices(nonce, root, count, size)),
            }
        )
    return {
        "description": "derive_indices(nonce, root, count, size), in draw order",
        "cases": cases,
        "errors": [
            {"nonce": "00" * 32, "root": "00" * 32, "count": 0, "size": 4, "error": "ConfigError"},
            {"nonce": "00" * 32, "root": "00" * 32, "count": 5, "size": 4, "error": "ConfigError"},
            {"nonce": "00" * 31, "root": "00" * 32, "count": 1, "size": 4, "error": "ConfigError"},
        ],
    }


def reveal_vectors() -> dict[str, Any]:
    key = Ed25519PrivateKey.from_private_bytes(SEED_PUBLISHER)
    fps = FingerprintSet.generate(16, secret=SECRET)
    commitment = Commitment(
        root=fps.root(),
        count=fps.count,
        scheme=fps.scheme_name,
        scheme_params=dict(fps.scheme_params),
        publisher_key=raw_public_key(key.public_key()),
        model_name="vector-model",
        claimed_time=TIME,
    )
    bundle = Bundle(Envelope.sign(PayloadType.COMMITMENT, commitment.to_bytes(), key))
    challenge = Challenge.create(
        bundle=bundle.content_id(),
        count=4,
        first_seen=TIME + 86400,
        created=TIME + 3600,
        nonce=bytes(range(100, 132)),
    )
    reveal = create_reveal(fps, challenge)
    signed = SignedReveal.sign(reveal, key)  # Ed25519 is deterministic
    return {
        "description": "a 16-fingerprint bundle, a 4-key challenge and its signed reveal",
        "bundle": bundle.to_bytes().hex(),
        "bundle_id": bundle.content_id().hex(),
        "challenge": challenge.to_bytes().hex(),
        "challenge_digest": challenge.digest().hex(),
        "indices": sorted(challenge.indices(fps.root(), fps.count)),
        "reveal_payload": reveal.to_bytes().hex(),
        "signed_reveal": signed.to_bytes().hex(),
        "pairs": [{"index": p.index, "key": p.key, "response": p.response} for p in reveal.pairs],
    }


if __name__ == "__main__":
    _write("challenge_indices.json", index_vectors())
    _write("challenge_reveal.json", reveal_vectors())
