"""Regenerates export.json: the standard-format exports of specs/export.md from fixed keys.

The bundle is the licensee's stage of commitment.json (``child_bundle_hex``: a commitment and the
grant it names), logged at index 1 of a three-entry log whose checkpoint carries no extension line.
Run ``python specs/vectors/generate_export.py`` only when the protocol version changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from modelprint.protocol import canonical
from modelprint.protocol.checkpoint import Checkpoint, NoteSigner, sign_checkpoint
from modelprint.protocol.export import export
from modelprint.protocol.merkle import MerkleTree
from modelprint.protocol.records import Bundle
from modelprint.protocol.timeproof import LogProof, log_entry

HERE = Path(__file__).resolve().parent
LOG_SEED = bytes(range(32, 64))
ORIGIN = "vector.example/log"


def export_vectors() -> dict[str, Any]:
    commitment = json.loads((HERE / "commitment.json").read_text())
    bundle = Bundle.from_bytes(bytes.fromhex(commitment["child_bundle_hex"]))
    signer = NoteSigner(ORIGIN, Ed25519PrivateKey.from_private_bytes(LOG_SEED))
    tree = MerkleTree.from_data([b"vector entry 0", log_entry(bundle), b"vector entry 2"])
    note = sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root()), signer)
    proof = LogProof(1, tuple(tree.inclusion_proof(1)), note)
    bundle = bundle.with_evidence(log_proofs=(proof.to_value(),))
    licensee = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(commitment["licensee_seed"]))
    return {
        "description": "exports of commitment.json's child bundle, logged at index 1 of 3",
        "licensee_seed": commitment["licensee_seed"],
        "log_seed": LOG_SEED.hex(),
        "log_vkey": signer.verifier().vkey(),
        "log_proof_hex": canonical.encode(proof.to_value()).hex(),
        "dsse_commitment": export(bundle, "dsse").decode(),
        "dsse_grant": export(bundle, "dsse", record="grant").decode(),
        "in_toto": export(bundle, "in-toto", key=licensee).decode(),
        "tlog_proof": export(bundle, "tlog-proof").decode(),
    }


def main() -> None:
    (HERE / "export.json").write_text(json.dumps(export_vectors(), indent=1) + "\n")
    print("wrote export.json")


if __name__ == "__main__":
    main()
