"""Regenerates the JSON test vectors in this folder from fixed secrets, keys and times.

The vectors are the normative examples of specs/protocol.md; tests load them and check every byte.
Run ``python specs/vectors/generate.py`` only when the protocol version changes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from modelprint.protocol import canonical
from modelprint.protocol.envelope import Envelope, PayloadType, key_id, pae, raw_public_key
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.merkle import MerkleTree
from modelprint.protocol.records import Bundle, Commitment, Grant
from modelprint.protocol.timeproof import log_entry, timestamp_message

HERE = Path(__file__).resolve().parent
SECRET = bytes(range(32))
SEED_PUBLISHER = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
SEED_LICENSEE = bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
TIME = 1_767_225_600  # 2026-01-01T00:00:00Z


def to_json(value: Any) -> Any:
    """Canonical values as JSON: bytes become {"$bytes": hex}."""
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def fingerprint_seed(secret: bytes, scheme: str, index: int) -> bytes:
    """seed_i of specs/protocol.md section 3 (the library keeps its own copy private)."""
    info = scheme.encode() + b"\x00" + index.to_bytes(4, "big")
    salt = b"modelprint/fingerprint-seed/v1"
    return HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=info).derive(secret)


def canonical_vectors() -> dict[str, Any]:
    values: list[Any] = [
        None,
        True,
        False,
        0,
        1,
        127,
        128,
        255,
        256,
        65535,
        65536,
        2**32,
        2**64 - 1,
        -1,
        -32,
        -33,
        -128,
        -129,
        -(2**63),
        "",
        "a",
        "é",
        "x" * 32,
        b"",
        b"\x00\xff",
        [],
        [1, [2, [3]]],
        {},
        {"b": 1, "a": 2},
        {"aa": 1, "b": 2, "ab": [b"x"]},
        {"é": 1, "z": 2},
    ]
    valid = [{"value": to_json(v), "hex": canonical.encode(v).hex()} for v in values]
    invalid = [
        {"name": "unsorted map keys", "hex": "82a16201a16102", "error": "NonCanonicalError"},
        {"name": "duplicate map key", "hex": "82a16101a16102", "error": "NonCanonicalError"},
        {"name": "non-minimal uint8 for 1", "hex": "cc01", "error": "NonCanonicalError"},
        {"name": "non-minimal uint16 for 200", "hex": "cd00c8", "error": "NonCanonicalError"},
        {"name": "str8 header for short string", "hex": "d90161", "error": "NonCanonicalError"},
        {"name": "array16 header for 1 element", "hex": "dc000101", "error": "NonCanonicalError"},
        {"name": "float64", "hex": "cb3ff0000000000000", "error": "NonCanonicalError"},
        {"name": "float32", "hex": "ca3f800000", "error": "NonCanonicalError"},
        {"name": "integer map key", "hex": "810101", "error": "DecodeError"},
        {"name": "extension type", "hex": "d40100", "error": "DecodeError"},
        {"name": "truncated string", "hex": "a3616263"[:-2], "error": "DecodeError"},
        {"name": "trailing byte", "hex": "0000", "error": "DecodeError"},
        {"name": "empty input", "hex": "", "error": "DecodeError"},
        {"name": "array32 claiming 4 billion items", "hex": "ddffffffff", "error": "DecodeError"},
        {"name": "bin32 claiming 4 GiB", "hex": "c6ffffffff00", "error": "DecodeError"},
        {"name": "invalid UTF-8 in string", "hex": "a2c328", "error": "DecodeError"},
        {"name": "reserved type byte 0xc1", "hex": "c1", "error": "DecodeError"},
    ]
    return {
        "description": "canonical msgpack: valid encodings and rejected inputs",
        "valid": valid,
        "invalid": invalid,
    }


def fingerprint_vectors() -> dict[str, Any]:
    fps = FingerprintSet.generate(8, "if-decrypt/v1", {"key_chars": 12}, secret=SECRET)
    tree = fps.tree()
    proof = tree.multiproof([1, 4, 5])
    seeds = [fingerprint_seed(SECRET, fps.scheme_name, p.index) for p in fps.pairs()]
    assert all(s[48:] == p.salt for s, p in zip(seeds, fps.pairs(), strict=True))
    return {
        "description": "fingerprint derivation, leaf encoding and Merkle root",
        "secret": SECRET.hex(),
        "scheme": fps.scheme_name,
        "scheme_params": fps.scheme_params,
        "count": fps.count,
        "pairs": [
            {
                "index": p.index,
                "seed": seed.hex(),
                "key": p.key,
                "response": p.response,
                "salt": p.salt.hex(),
                "prompt": fps.scheme.prompt(p.key),
                "target": fps.scheme.target(p.response),
                "leaf_data": p.leaf_data().hex(),
                "leaf_hash": p.leaf_hash().hex(),
            }
            for seed, p in zip(seeds, fps.pairs(), strict=True)
        ],
        "root": tree.root().hex(),
        "multiproof": {
            "indices": [1, 4, 5],
            "size": proof.size,
            "hashes": [h.hex() for h in proof.hashes],
        },
        "file_hex": fps.to_bytes().hex(),
    }


def merkle_vectors() -> dict[str, Any]:
    out = []
    for n in (1, 2, 3, 5, 7, 8, 13):
        tree = MerkleTree.from_data(bytes([i]) * (i + 1) for i in range(n))
        picks = sorted({0, n // 2, n - 1})
        mp = tree.multiproof(picks)
        out.append(
            {
                "leaves": [(bytes([i]) * (i + 1)).hex() for i in range(n)],
                "root": tree.root().hex(),
                "inclusion": [
                    {"index": i, "path": [h.hex() for h in tree.inclusion_proof(i)]}
                    for i in range(n)
                ],
                "consistency": [
                    {
                        "old_size": m,
                        "old_root": MerkleTree(tree.leaf(j) for j in range(m)).root().hex(),
                        "proof": [h.hex() for h in tree.consistency_proof(m)],
                    }
                    for m in range(1, n + 1)
                ],
                "multiproof": {"indices": picks, "hashes": [h.hex() for h in mp.hashes]},
            }
        )
    return {"description": "RFC 9162 trees over leaves i*(i+1 bytes of value i)", "trees": out}


def commitment_vectors() -> dict[str, Any]:
    publisher = Ed25519PrivateKey.from_private_bytes(SEED_PUBLISHER)
    licensee = Ed25519PrivateKey.from_private_bytes(SEED_LICENSEE)
    fps = FingerprintSet.generate(8, "if-decrypt/v1", {"key_chars": 12}, secret=SECRET)
    commitment = Commitment(
        root=fps.root(),
        count=8,
        scheme=fps.scheme_name,
        scheme_params=fps.scheme_params,
        publisher_key=raw_public_key(publisher.public_key()),
        model_name="vector-model",
        claimed_time=TIME,
    )
    payload = commitment.to_bytes()
    envelope = Envelope.sign(PayloadType.COMMITMENT, payload, publisher)
    bundle = Bundle(envelope=envelope)
    grant = Grant(
        parent=bundle.content_id(),
        grantor_key=commitment.publisher_key,
        grantee_key=raw_public_key(licensee.public_key()),
        terms_digest=bytes(32),
        stage=1,
        issued_time=TIME + 60,
    )
    grant_env = Envelope.sign(PayloadType.GRANT, grant.to_bytes(), publisher)
    child = Commitment(
        root=fps.root(),
        count=8,
        scheme=fps.scheme_name,
        scheme_params=fps.scheme_params,
        publisher_key=grant.grantee_key,
        model_name="vector-model-licensed",
        claimed_time=TIME + 120,
        parent=bundle.content_id(),
        grant=grant_env.digest(),
        terms_digest=grant.terms_digest,
    )
    child_env = Envelope.sign(PayloadType.COMMITMENT, child.to_bytes(), licensee)
    child_bundle = Bundle(envelope=child_env, grant=grant_env)

    tampered = bytearray(bundle.to_bytes())
    tampered[bytes(tampered).index(envelope.signatures[0].sig) + 10] ^= 0x01
    swapped = Bundle(
        envelope=Envelope(PayloadType.COMMITMENT, child.to_bytes(), envelope.signatures)
    )
    return {
        "description": "commitment, DSSE envelope, bundle and grant from fixed keys",
        "publisher_seed": SEED_PUBLISHER.hex(),
        "licensee_seed": SEED_LICENSEE.hex(),
        "publisher_key": commitment.publisher_key.hex(),
        "publisher_key_id": key_id(commitment.publisher_key).hex(),
        "commitment": to_json(commitment.to_value()),
        "commitment_hex": payload.hex(),
        "content_id": bundle.content_id().hex(),
        "pae_hex": pae(PayloadType.COMMITMENT, payload).hex(),
        "signature_hex": envelope.signatures[0].sig.hex(),
        "envelope_hex": envelope.to_bytes().hex(),
        "envelope_digest": envelope.digest().hex(),
        "bundle_hex": bundle.to_bytes().hex(),
        "grant_hex": grant.to_bytes().hex(),
        "grant_envelope_hex": grant_env.to_bytes().hex(),
        "child_bundle_hex": child_bundle.to_bytes().hex(),
        "invalid_bundles": [
            {
                "name": "flipped signature bit",
                "hex": bytes(tampered).hex(),
                "error": "SignatureError",
            },
            {
                "name": "payload swapped under the old signature",
                "hex": swapped.to_bytes().hex(),
                "error": "SignatureError",
            },
            {"name": "truncated", "hex": bundle.to_bytes()[:-7].hex(), "error": "DecodeError"},
            {
                "name": "unknown version",
                "hex": canonical.encode(
                    {**canonical.decode(bundle.to_bytes()), "version": 2}
                ).hex(),
                "error": "UnsupportedVersionError",
            },
            {
                "name": "fingerprint file given as bundle",
                "hex": fps.to_bytes().hex(),
                "error": "FileKindError",
            },
        ],
    }


def log_entry_vectors() -> dict[str, Any]:
    """The log entry and RFC 3161 message of the two bundles of commitment.json."""
    publisher = Ed25519PrivateKey.from_private_bytes(SEED_PUBLISHER)
    licensee = Ed25519PrivateKey.from_private_bytes(SEED_LICENSEE)
    vectors = commitment_vectors()
    bundles = []
    for name, field, signer in [
        ("root bundle", "bundle_hex", publisher),
        ("licensed child bundle (with its grant)", "child_bundle_hex", licensee),
    ]:
        bundle = Bundle.from_bytes(bytes.fromhex(vectors[field]))
        entry = log_entry(bundle)
        message = timestamp_message(bundle)
        bundles.append(
            {
                "name": name,
                "publisher_key": raw_public_key(signer.public_key()).hex(),
                "commitment_hex": bundle.envelope.payload.hex(),
                "envelope_hex": bundle.envelope.to_bytes().hex(),
                "bundle": f"commitment.json {field}",
                "content_id": bundle.content_id().hex(),
                "envelope_digest": bundle.envelope.digest().hex(),
                "log_entry": entry.hex(),
                "leaf_hash": MerkleTree.from_data([entry]).root().hex(),
                "timestamp_message": message.hex(),
                "message_imprint_sha256": hashlib.sha256(message).hexdigest(),
            }
        )
    good = bytes.fromhex(bundles[0]["log_entry"])
    return {
        "description": "88-byte log entries and RFC 3161 timestamp messages (timeproof.md)",
        "bundles": bundles,
        "invalid_entries": [
            {"name": "one byte short", "hex": good[:-1].hex(), "error": "DecodeError"},
            {"name": "one byte long", "hex": (good + b"\x00").hex(), "error": "DecodeError"},
            {
                "name": "other tag",
                "hex": (b"modelprint/log-entry/v2" + good[23:]).hex(),
                "error": "DecodeError",
            },
            {
                "name": "no NUL after the tag",
                "hex": (good[:23] + b"\x01" + good[24:]).hex(),
                "error": "DecodeError",
            },
        ],
    }


def main() -> None:
    for name, data in {
        "canonical.json": canonical_vectors(),
        "fingerprints.json": fingerprint_vectors(),
        "merkle.json": merkle_vectors(),
        "commitment.json": commitment_vectors(),
        "log_entry.json": log_entry_vectors(),
    }.items():
        (HERE / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        print("wrote", name)


if __name__ == "__main__":
    main()
