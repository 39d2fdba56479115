"""Witness cosignatures (cosignature/v1), the witness's rule, and time from a witness quorum."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from modelprint.protocol.checkpoint import (
    Checkpoint,
    NoteSigner,
    NoteVerifier,
    SignedNote,
    key_hash,
    sign_checkpoint,
)
from modelprint.protocol.cosignature import (
    AddCheckpoint,
    Witness,
    WitnessRefusal,
    WitnessSigner,
    WitnessVerifier,
    cosigned_message,
)
from modelprint.protocol.errors import ConfigError, DecodeError, LogError
from modelprint.protocol.merkle import consistency_proof, inclusion_proof, leaf_hash
from modelprint.protocol.records import Bundle
from modelprint.protocol.tiles import HashLevels
from modelprint.protocol.timeproof import LogProof, log_entry
from modelprint.protocol.trust import AnyOf, PinnedLog, PinnedWitness, WitnessQuorum, assess

ORIGIN = "example.test/log"


def _signer(name: str) -> WitnessSigner:
    return WitnessSigner(name, Ed25519PrivateKey.generate())


def _log() -> NoteSigner:
    return NoteSigner(ORIGIN, Ed25519PrivateKey.generate())


def _tree(*entries: bytes) -> HashLevels:
    levels = HashLevels()
    for e in entries:
        levels.append(leaf_hash(e))
    return levels


def _note(log: NoteSigner, levels: HashLevels, size: int) -> bytes:
    return sign_checkpoint(Checkpoint(ORIGIN, size, levels.root(size)), log)


def _cosigned(note: bytes, *cosigs: tuple[WitnessSigner, int]) -> bytes:
    parsed = SignedNote.from_bytes(note)
    lines = tuple(w.cosign(parsed.text, t) for w, t in cosigs)
    return SignedNote(parsed.text, (*parsed.signatures, *lines)).to_bytes()


def _logged(bundle: Bundle, log: NoteSigner, *cosigs: tuple[WitnessSigner, int]) -> Bundle:
    levels = _tree(b"other entry", log_entry(bundle))
    proof = LogProof(
        index=1,
        inclusion_proof=tuple(inclusion_proof(levels.hash_range, 1, 2)),
        checkpoint=_cosigned(_note(log, levels, 2), *cosigs),
    )
    return bundle.with_evidence(log_proofs=(proof.to_value(),))


def _pinned(*signers: WitnessSigner) -> list[PinnedWitness]:
    return [PinnedWitness(s.verifier()) for s in signers]


def test_a_cosignature_signs_header_time_and_checkpoint_under_key_type_4() -> None:
    w = _signer("witness.test/w1")
    text = "example.test/log\n1\n" + "A" * 43 + "=\n"
    line = w.cosign(text, 1_750_000_000)
    assert line.key_id == key_hash("witness.test/w1", 0x04, w.verifier().public_key)
    assert line.signature[:8] == (1_750_000_000).to_bytes(8, "big") and len(line.signature) == 72
    assert cosigned_message(text, 7) == b"cosignature/v1\ntime 7\n" + text.encode()
    assert w.verifier().verify(text, line) == 1_750_000_000
    with pytest.raises(LogError, match="does not verify"):
        w.verifier().verify(text.replace("1\n", "2\n", 1), line)


def test_witness_and_log_keys_are_not_interchangeable() -> None:
    w = _signer("witness.test/w1")
    assert WitnessVerifier.from_vkey(w.verifier().vkey()) == w.verifier()
    with pytest.raises(DecodeError, match="0x04"):
        WitnessVerifier.from_vkey(_log().verifier().vkey())
    with pytest.raises(DecodeError, match="0x01"):
        NoteVerifier.from_vkey(w.verifier().vkey())


def test_add_checkpoint_bodies_round_trip_and_garbage_is_refused() -> None:
    request = AddCheckpoint(3, (b"\x01" * 32, b"\x02" * 32), b"note\n\n- x y\n")
    assert AddCheckpoint.from_bytes(request.to_bytes()) == request
    for bad in (b"old 01\n\nx", b"new 1\n\nx", b"old 1\nAAAA\n\nx", b"old 1\nx"):
        with pytest.raises(DecodeError):
            AddCheckpoint.from_bytes(bad)


def test_the_witness_cosigns_only_a_consistent_view_and_refusals_change_nothing() -> None:
    log, w = _log(), _signer("witness.test/w1")
    witness = Witness(w, [log.verifier()])
    levels = _tree(b"a", b"b", b"c")
    line = witness.add_checkpoint(AddCheckpoint(0, (), _note(log, levels, 2)), now=100)
    assert w.verifier().verify(Checkpoint(ORIGIN, 2, levels.root(2)).text(), line) == 100
    with pytest.raises(WitnessRefusal) as conflict:
        witness.add_checkpoint(AddCheckpoint(0, (), _note(log, levels, 3)), now=101)
    assert conflict.value.reason == "conflict" and conflict.value.latest_size == 2
    fork = _tree(b"a", b"B", b"c")  # the same log key signing another view: a split view
    forked = tuple(consistency_proof(fork.hash_range, 2, 3))
    with pytest.raises(WitnessRefusal) as split:
        witness.add_checkpoint(AddCheckpoint(2, forked, _note(log, fork, 3)), now=102)
    assert split.value.reason == "inconsistent"
    with pytest.raises(WitnessRefusal) as same_size:
        witness.add_checkpoint(AddCheckpoint(2, (), _note(log, fork, 2)), now=102)
    assert same_size.value.reason == "inconsistent"
    rogue = NoteSigner(ORIGIN, Ed25519PrivateKey.generate())
    with pytest.raises(WitnessRefusal) as forged:
        witness.add_checkpoint(AddCheckpoint(2, (), _note(rogue, levels, 3)), now=103)
    assert forged.value.reason == "bad-signature"
    stranger = NoteSigner("other.test/log", Ed25519PrivateKey.generate())
    note = sign_checkpoint(Checkpoint("other.test/log", 1, levels.root(1)), stranger)
    with pytest.raises(WitnessRefusal) as unknown:
        witness.add_checkpoint(AddCheckpoint(0, (), note), now=103)
    assert unknown.value.reason == "unknown-log"
    assert witness.latest_size(ORIGIN) == 2
    proof = tuple(consistency_proof(levels.hash_range, 2, 3))
    witness.add_checkpoint(AddCheckpoint(2, proof, _note(log, levels, 3)), now=104)
    restarted = Witness(w, [log.verifier()], witness.state())
    assert restarted.latest_size(ORIGIN) == 3


def test_a_quorum_proves_the_kth_earliest_cosigning_time(make_bundle) -> None:  # type: ignore[no-untyped-def]
    log = _log()
    ws = [_signer(f"witness.test/w{i}") for i in range(3)]
    bundle = _logged(make_bundle(), log, (ws[0], 100), (ws[1], 300), (ws[2], 200))
    assert WitnessQuorum(_pinned(*ws), 2).prove(bundle).time == 200
    assert WitnessQuorum(_pinned(*ws), 1).prove(bundle).time == 100
    proven = WitnessQuorum(_pinned(*ws)).prove(bundle)
    assert proven.time == 300 and proven.kind == "witness"
    report = assess(bundle, AnyOf(PinnedLog(log.public_key, ORIGIN), WitnessQuorum(_pinned(*ws))))
    assert report.passed and report.time == 300
    assert [i.status for i in report.items] == ["trusted"] + ["trusted"] * 3
    assert "no time line" in report.items[0].reason


def test_too_few_valid_cosignatures_prove_nothing(make_bundle) -> None:  # type: ignore[no-untyped-def]
    log = _log()
    w1, w2, outsider = (_signer(f"witness.test/w{i}") for i in (1, 2, 3))
    only_one = _logged(make_bundle(), log, (w1, 100), (outsider, 100))
    with pytest.raises(LogError, match=r"1 of the pinned witnesses .* \(2 needed\)"):
        WitnessQuorum(_pinned(w1, w2), 2).prove(only_one)
    report = assess(only_one, AnyOf(WitnessQuorum(_pinned(w1, w2), 2)))
    assert not report.passed and report.time is None
    assert [i.authority for i in report.items if i.kind == "witness"] == ["witness.test/w1"]


def test_a_log_pin_alone_proves_no_time_for_a_checkpoint_without_a_time_line(make_bundle) -> None:  # type: ignore[no-untyped-def]
    log = _log()
    bundle = _logged(make_bundle(), log)
    report = assess(bundle, AnyOf(PinnedLog(log.public_key, ORIGIN)))
    assert report.items[0].status == "trusted" and not report.passed
    assert "no time line" in report.failure


def test_quorum_settings_are_checked() -> None:
    w1, w2 = _signer("witness.test/w1"), _signer("witness.test/w2")
    with pytest.raises(ConfigError, match="1 to the 2"):
        WitnessQuorum(_pinned(w1, w2), 3)
    with pytest.raises(ConfigError, match="1 to the 2"):
        WitnessQuorum(_pinned(w1, w2), 0)
    with pytest.raises(ConfigError, match="twice"):
        WitnessQuorum([*_pinned(w1), *_pinned(w1)], 2)
    with pytest.raises(ConfigError, match="at least one"):
        WitnessQuorum([], None)
