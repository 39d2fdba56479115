"""Standard formats out (protocol/export.py), each checked by an implementation we did not write
(tests/thirdparty.py says which), and refused by it once tampered with."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.exceptions import VerificationError as SslibVerificationError
from tlog_scales.tlog import InclusionProofInvalid

from modelprint.commit.commitment import create_commitment, create_grant
from modelprint.commit.identity import Identity
from modelprint.protocol import canonical
from modelprint.protocol.checkpoint import Checkpoint, NoteSigner, sign_checkpoint
from modelprint.protocol.errors import ExportError, LogError
from modelprint.protocol.export import (
    PREDICATE_TYPE,
    WEIGHTS_ATTACHMENT,
    export,
)
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.merkle import MerkleTree
from modelprint.protocol.records import Bundle
from modelprint.protocol.timeproof import LogProof, log_entry
from tests.factories import T0, Published, publish
from tests.thirdparty import parsed_statement, scales_verify, sslib_verify
from tests.vectors import load

ORIGIN = "export.test/log"


def redo(data: bytes, change: Any) -> bytes:
    value = json.loads(data)
    change(value)
    return json.dumps(value).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- DSSE -----------------------------------------------------------------------------------------


def test_dsse_export_of_the_commitment_verifies_with_securesystemslib(published: Published) -> None:
    data = export(published.bundle, "dsse")
    payload = sslib_verify(data, published.identity.public_key)
    assert payload == published.bundle.envelope.payload
    assert json.loads(data)["payloadType"] == published.bundle.envelope.payload_type


def test_dsse_export_of_a_grant_verifies_under_the_parents_key(published: Published) -> None:
    child = Identity.generate()
    grant = create_grant(
        published.identity, published.bundle, grantee_key=child.public_key, terms=b"terms"
    )
    bundle = create_commitment(
        FingerprintSet.generate(16), child, model_name="child", claimed_time=T0 + 1,
        parent=published.bundle, grant=grant,
    )  # fmt: skip
    assert sslib_verify(export(bundle, "dsse", record="grant"), published.identity.public_key)
    assert sslib_verify(export(bundle, "dsse"), child.public_key) == bundle.envelope.payload
    with pytest.raises(ExportError, match="no grant"):
        export(published.bundle, "dsse", record="grant")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v.update(payload=b64(base64.b64decode(v["payload"]) + b"\x00")),
        lambda v: v.update(payloadType="application/vnd.modelprint.grant.v1+msgpack"),
        lambda v: v["signatures"][0].update(
            sig=b64(bytes([base64.b64decode(v["signatures"][0]["sig"])[0] ^ 1]) + bytes(63))
        ),
    ],
    ids=["payload", "payload-type", "signature"],
)
def test_securesystemslib_rejects_a_tampered_dsse_export(published: Published, tamper: Any) -> None:
    data = redo(export(published.bundle, "dsse"), tamper)
    with pytest.raises(SslibVerificationError):
        sslib_verify(data, published.identity.public_key)


def test_securesystemslib_rejects_a_dsse_export_under_another_key(published: Published) -> None:
    with pytest.raises(SslibVerificationError):
        sslib_verify(export(published.bundle, "dsse"), Identity.generate().public_key)


# --- in-toto --------------------------------------------------------------------------------------


def test_intoto_statement_names_the_weights_manifest_as_its_subject() -> None:
    identity = Identity.generate()
    manifest = b"\x82\xa5files\x90\xa1v\x01"  # any bytes: the attachment is opaque here
    bundle = create_commitment(
        FingerprintSet.generate(16), identity, model_name="org/model", claimed_time=T0,
        attachments={WEIGHTS_ATTACHMENT: manifest},
    )  # fmt: skip
    statement = parsed_statement(
        export(bundle, "in-toto", key=identity.private_key), identity.public_key
    )
    assert statement["predicateType"] == PREDICATE_TYPE
    assert statement["subject"] == [
        {"name": "org/model", "digest": {"sha256": hashlib.sha256(manifest).hexdigest()}}
    ]
    predicate = statement["predicate"]
    assert predicate["subjectDigestOf"] == WEIGHTS_ATTACHMENT
    assert predicate["contentId"] == bundle.content_id().hex()
    inner = json.dumps(predicate["commitment"]).encode()  # the original signed commitment
    assert sslib_verify(inner, identity.public_key) == bundle.envelope.payload


def test_intoto_statement_without_a_manifest_names_the_commitment(published: Published) -> None:
    data = export(published.bundle, "in-toto", key=published.identity.private_key)
    statement = parsed_statement(data, published.identity.public_key)
    digest = hashlib.sha256(published.bundle.envelope.payload).hexdigest()
    assert statement["subject"][0]["digest"] == {"sha256": digest}
    assert statement["predicate"]["subjectDigestOf"] == "commitment"


def test_a_tampered_intoto_statement_is_rejected(published: Published) -> None:
    data = export(published.bundle, "in-toto", key=published.identity.private_key)

    def other_subject(value: dict[str, Any]) -> None:
        statement = json.loads(base64.b64decode(value["payload"]))
        statement["subject"][0]["digest"]["sha256"] = "00" * 32
        value["payload"] = b64(json.dumps(statement).encode())

    with pytest.raises(SslibVerificationError):
        parsed_statement(redo(data, other_subject), published.identity.public_key)


def test_only_the_publisher_signs_an_intoto_statement(published: Published) -> None:
    with pytest.raises(ExportError, match="publisher"):
        export(published.bundle, "in-toto", key=Ed25519PrivateKey.generate())
    with pytest.raises(ExportError, match="key"):
        export(published.bundle, "in-toto")


# --- tlog-proof -----------------------------------------------------------------------------------


def logged(bundle: Bundle, signer: NoteSigner, *, index: int = 2, size: int = 5) -> Bundle:
    """``bundle`` with a log proof from a log of ``size`` entries, signed without extension lines."""
    entries = [b"entry %d" % i for i in range(size)]
    entries[index] = log_entry(bundle)
    tree = MerkleTree.from_data(entries)
    note = sign_checkpoint(Checkpoint(signer.name, size, tree.root()), signer)
    proof = LogProof(index, tuple(tree.inclusion_proof(index)), note)
    return bundle.with_evidence(log_proofs=(proof.to_value(),))


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner(ORIGIN, Ed25519PrivateKey.generate())


def test_tlog_proof_export_verifies_with_tlog_scales(
    published: Published, signer: NoteSigner
) -> None:
    bundle = logged(published.bundle, signer)
    data = export(bundle, "tlog-proof")
    assert scales_verify(data, signer.verifier().vkey()) == log_entry(bundle)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.replace(b"index 2", b"index 3"),
        lambda d: d.replace(b"export.test/log\n5\n", b"export.test/log\n6\n"),
        lambda d: d.replace(d.split(b"\n")[3], b64(bytes(32)).encode()),  # first proof hash
        lambda d: d.replace(d.split(b"\n")[1], b"extra " + b64(bytes(88)).encode()),
    ],
    ids=["index", "tree-size", "proof-hash", "entry"],
)
def test_tlog_scales_rejects_a_tampered_tlog_proof(
    published: Published, signer: NoteSigner, tamper: Any
) -> None:
    data = tamper(export(logged(published.bundle, signer), "tlog-proof"))
    with pytest.raises((InclusionProofInvalid, InvalidSignature)):
        scales_verify(data, signer.verifier().vkey())


def test_tlog_scales_rejects_a_tlog_proof_under_another_log_key(
    published: Published, signer: NoteSigner
) -> None:
    data = export(logged(published.bundle, signer), "tlog-proof")
    other = NoteSigner(ORIGIN, Ed25519PrivateKey.generate()).verifier().vkey()
    with pytest.raises(RuntimeError, match="no signature matched"):
        scales_verify(data, other)


def test_tlog_proof_export_refuses_a_proof_of_another_entry(
    published: Published, signer: NoteSigner
) -> None:
    foreign = logged(publish(8).bundle, signer).log_proofs
    with pytest.raises(LogError, match="does not"):
        export(published.bundle.with_evidence(log_proofs=foreign), "tlog-proof")


def test_tlog_proof_export_picks_the_log_by_origin(
    published: Published, signer: NoteSigner
) -> None:
    with pytest.raises(ExportError, match="no log proof"):
        export(published.bundle, "tlog-proof")
    other = NoteSigner("other.test/log", Ed25519PrivateKey.generate())
    proofs = (
        logged(published.bundle, signer).log_proofs + logged(published.bundle, other).log_proofs
    )
    bundle = published.bundle.with_evidence(log_proofs=proofs)
    with pytest.raises(ExportError, match="several logs"):
        export(bundle, "tlog-proof")
    data = export(bundle, "tlog-proof", origin="other.test/log")
    assert scales_verify(data, other.verifier().vkey()) == log_entry(bundle)
    with pytest.raises(ExportError, match="no proof from log"):
        export(bundle, "tlog-proof", origin="third.test/log")


def test_an_unknown_format_is_refused(published: Published) -> None:
    with pytest.raises(ExportError, match="unknown export format"):
        export(published.bundle, "cose")


# --- the vector of specs/export.md ----------------------------------------------------------------


def test_export_vector_bytes() -> None:
    """Every byte of the exports of the vector bundle (a licensee's stage, logged at index 1)."""
    vector = load("export.json")
    bundle = Bundle.from_bytes(bytes.fromhex(load("commitment.json")["child_bundle_hex"]))
    proof = LogProof.from_value(canonical.decode(bytes.fromhex(vector["log_proof_hex"])))
    bundle = bundle.with_evidence(log_proofs=(proof.to_value(),))
    licensee = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["licensee_seed"]))
    assert export(bundle, "dsse").decode() == vector["dsse_commitment"]
    assert export(bundle, "dsse", record="grant").decode() == vector["dsse_grant"]
    assert export(bundle, "in-toto", key=licensee).decode() == vector["in_toto"]
    assert export(bundle, "tlog-proof").decode() == vector["tlog_proof"]
    assert scales_verify(vector["tlog_proof"].encode(), vector["log_vkey"]) == log_entry(bundle)
    parent_key = bytes.fromhex(load("commitment.json")["publisher_key"])
    assert sslib_verify(vector["dsse_grant"].encode(), parent_key)
    parsed_statement(vector["in_toto"].encode(), bundle.commitment().publisher_key)
