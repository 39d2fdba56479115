"""Signed notes, checkpoints, tiles and Merkle trees against reference vectors and bad input."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import pytest

from modelprint.protocol.checkpoint import (
    Checkpoint,
    NoteSigner,
    NoteVerifier,
    SignedNote,
    key_hash,
    open_checkpoint,
    sign_checkpoint,
)
from modelprint.protocol.errors import DecodeError, LogError, SizeLimitError
from modelprint.protocol.merkle import (
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from modelprint.protocol.tiles import (
    HashLevels,
    TileHasher,
    decode_entry_bundle,
    encode_entry_bundle,
    parse_tile_path,
    tile_path,
)

VECTORS = Path(__file__).resolve().parents[2] / "specs" / "vectors"


def _load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((VECTORS / name).read_text())


def test_merkle_roots_match_rfc6962_reference_vectors() -> None:
    v = _load("rfc6962_roots.json")
    leaves = [bytes.fromhex(x) for x in v["leaves"]]
    for n_text, root in v["roots"].items():
        n = int(n_text)
        assert MerkleTree.from_data(leaves[:n]).root().hex() == root
        levels = HashLevels()
        for leaf in leaves[:n]:
            levels.append_data(leaf)
        assert levels.root().hex() == root


def test_merkle_proofs_match_rfc6962_reference_vectors() -> None:
    v = _load("rfc6962_roots.json")
    leaves = [bytes.fromhex(x) for x in v["leaves"]]
    for case in v["inclusion"]:
        tree = MerkleTree.from_data(leaves[: case["size"]])
        assert [h.hex() for h in tree.inclusion_proof(case["index"])] == case["path"]
    for case in v["consistency"]:
        tree = MerkleTree.from_data(leaves[: case["new"]])
        assert [h.hex() for h in tree.consistency_proof(case["old"])] == case["proof"]


def test_signed_note_matches_go_sumdb_note_vector() -> None:
    v = _load("signed_note.json")
    signer = NoteSigner.from_skey(v["signer_key"])
    assert signer.verifier().vkey() == v["verifier_key"]
    assert signer.skey() == v["signer_key"]
    note = SignedNote.from_bytes(v["note"].encode())
    assert note.text == v["text"]
    assert note.verified_by([NoteVerifier.from_vkey(v["verifier_key"])]).name == "PeterNeumann"
    assert SignedNote(v["text"], (signer.sign(v["text"]),)).to_bytes() == v["note"].encode()


def test_key_id_is_c2sp_hash_of_name_type_and_key() -> None:
    signer = NoteSigner("example.com/log", NoteSigner.from_skey(
        _load("signed_note.json")["signer_key"]).private_key)  # fmt: skip
    import hashlib

    expected = hashlib.sha256(b"example.com/log\n\x01" + signer.public_key).digest()[:4]
    assert signer.verifier().key_id == expected == key_hash("example.com/log", 1, signer.public_key)


@pytest.fixture
def signer() -> NoteSigner:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return NoteSigner("example.com/log", Ed25519PrivateKey.generate())


def test_checkpoint_round_trips_and_carries_time(signer: NoteSigner) -> None:
    cp = Checkpoint("example.com/log", 12, b"\x07" * 32, ("time 1700000000",))
    note = sign_checkpoint(cp, signer)
    opened, verifier = open_checkpoint(note, [signer.verifier()])
    assert opened == cp and opened.time == 1_700_000_000 and verifier == signer.verifier()


def test_checkpoint_by_another_key_or_tampered_is_a_log_error(signer: NoteSigner) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    note = sign_checkpoint(Checkpoint("example.com/log", 3, b"\x01" * 32, ("time 5",)), signer)
    other = NoteSigner("example.com/log", Ed25519PrivateKey.generate()).verifier()
    with pytest.raises(LogError):
        open_checkpoint(note, [other])
    with pytest.raises(LogError):
        open_checkpoint(note, [NoteVerifier("other.org/log", signer.public_key)])
    tampered = note.replace(b"\n3\n", b"\n4\n")
    with pytest.raises(LogError):
        open_checkpoint(tampered, [signer.verifier()])


@pytest.mark.parametrize(
    "text",
    [
        b"no signature block\n",
        b"origin\n1\nAAAA\n\n",
        b"\xff\xfe\n\n\xe2\x80\x94 a AAAAAAAA\n",
        b"origin\n\n- origin AAAAAAAAAA==\n",
        b"origin\n\n\xe2\x80\x94 origin !!!!\n",
        b"origin\n\n\xe2\x80\x94 origin AAAA\n",
        b"ori\x01gin\n\n\xe2\x80\x94 origin AAAAAAAAAA==\n",
    ],
)
def test_malformed_notes_are_decode_errors(text: bytes) -> None:
    with pytest.raises(DecodeError):
        SignedNote.from_bytes(text)


def test_oversized_note_is_a_size_limit_error() -> None:
    with pytest.raises(SizeLimitError):
        SignedNote.from_bytes(b"x" * 20000)


@pytest.mark.parametrize(
    "body",
    [
        "o\n01\n" + base64.b64encode(b"\0" * 32).decode() + "\n",  # leading zero
        "o\n1\n" + base64.b64encode(b"\0" * 31).decode() + "\n",  # short root
        "o\n-1\n" + base64.b64encode(b"\0" * 32).decode() + "\n",
        "o\n1\n" + base64.b64encode(b"\0" * 32).decode() + "\ntime x\n",
        "o\n1\n" + base64.b64encode(b"\0" * 32).decode() + "\ntime 1\ntime 2\n",
        "o\n1\n",
    ],
)
def test_malformed_checkpoints_are_decode_errors(body: str) -> None:
    with pytest.raises(DecodeError):
        Checkpoint.from_text(body)


def test_verifier_key_with_wrong_id_is_refused(signer: NoteSigner) -> None:
    vkey = signer.verifier().vkey()
    name, kid, blob = vkey.split("+", 2)
    bad = f"{name}+{'0' * 8 if kid != '0' * 8 else '1' * 8}+{blob}"
    with pytest.raises(DecodeError):
        NoteVerifier.from_vkey(bad)
    assert NoteVerifier.from_vkey(vkey) == signer.verifier()


def test_tile_paths_follow_tlog_tiles() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(1, 5, 17) == "tile/1/005.p/17"
    assert tile_path("entries", 0) == "tile/entries/000"
    for path in ["tile/0/x001/x234/067", "tile/2/005.p/17", "tile/entries/000"]:
        ref = parse_tile_path(path)
        assert tile_path(ref.level, ref.index, ref.width) == path
    for bad in [
        "tile/0/1",
        "tile/0/x000/001",
        "tile/0/001.p/0",
        "tile/0/001.p/256",
        "tile/64/000",
        "tile/00/000",
        "tile/0/x01/000",
        "tiles/0/000",
        "tile/0/000/",
    ]:
        with pytest.raises(DecodeError):
            parse_tile_path(bad)


def test_entry_bundles_round_trip_and_reject_truncation() -> None:
    entries = [b"", b"a", b"x" * 300]
    data = encode_entry_bundle(entries)
    assert decode_entry_bundle(data) == entries
    with pytest.raises(DecodeError):
        decode_entry_bundle(data[:-1])


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 511, 1000, 65536 + 300])
def test_proofs_from_tiles_match_the_full_tree(size: int) -> None:
    rng = random.Random(size)
    levels = HashLevels()
    for i in range(size):
        levels.append_data(i.to_bytes(8, "big"))
    fetched: list[tuple[int, int, int]] = []

    def fetch(level: int, index: int, width: int) -> bytes:
        fetched.append((level, index, width))
        return levels.tile(level, index, width, size)

    tiles = TileHasher(fetch, size)
    root = levels.root()
    assert tiles.hash_range(0, size) == root
    for _ in range(5):
        index = rng.randrange(size)
        path = inclusion_proof(tiles.hash_range, index, size)
        assert path == inclusion_proof(levels.hash_range, index, size)
        verify_inclusion(levels.subtree(0, index), index, size, path, root)
        old = rng.randrange(size + 1)
        proof = consistency_proof(tiles.hash_range, old, size)
        verify_consistency(old, size, levels.root(old), root, proof)
    assert all(w <= 256 for _, _, w in fetched)


def test_short_tiles_are_a_log_error() -> None:
    tiles = TileHasher(lambda level, index, width: b"\0" * 31, 3)
    with pytest.raises(LogError):
        tiles.hash_range(0, 3)


def test_truncate_undoes_appends() -> None:
    levels = HashLevels()
    for i in range(300):
        levels.append_data(bytes([i % 256, i // 256]))
    root = levels.root(100)
    levels.truncate(100)
    assert levels.size == 100 and levels.root() == root
