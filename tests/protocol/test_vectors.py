"""The protocol reproduces every byte of specs/vectors and rejects every invalid vector."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import struct
import unicodedata
from fractions import Fraction
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from modelprint.protocol import canonical, natural_data, scheme_doublei, scheme_natural
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
from modelprint.protocol.scheme_doublei import DecisionTable, DoubleIScheme, fisher_tail
from modelprint.protocol.scheme_natural import NaturalScheme, answer_list, bound_answer
from modelprint.protocol.schemes import IFDecryptScheme, get_scheme
from modelprint.protocol.scoring import binomial_tail, null_probability
from modelprint.protocol.timeproof import (
    LOG_ENTRY_SIZE,
    log_entry,
    parse_log_entry,
    timestamp_message,
)
from tests.vectors import VECTORS, error_class, from_json, load

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


# -- recomputed from the spec text alone ----------------------------------------------------------
#
# The helpers below are written from specs/schemes.md, specs/challenge.md and specs/timeproof.md
# with hashlib, hmac, fractions and unicodedata only: they never call the library, so a vector
# cannot merely echo the code. The word lists and the decision vocabularies are read out of
# specs/schemes.md itself.

SCHEMES = load("schemes.json")
PVALUES = load("pvalues.json")
LOG_ENTRIES = load("log_entry.json")
SCHEMES_MD = (VECTORS.parent / "schemes.md").read_text()

SPEC_A = "".join(
    chr(c)
    for lo, hi in [(0x0430, 0x044F), (0x03B1, 0x03C9), (0x3041, 0x3096), (0x4E00, 0x4E7F)]
    for c in range(lo, hi + 1)
)
SPEC_B = "".join(
    chr(c)
    for lo, hi in [(0x0430, 0x044F), (0x03B1, 0x03C9), (0x3041, 0x3096)]
    for c in range(lo, hi + 1)
)


def _spec_block(name: str) -> list[str]:
    """The lines of the fenced block of specs/schemes.md whose info string is ``name``."""
    match = re.search(rf"^```{re.escape(name)}\n(.*?)^```$", SCHEMES_MD, re.M | re.S)
    assert match is not None, name
    return match.group(1).splitlines()


def _spec_words(name: str) -> list[str]:
    words: list[str] = []
    for line in _spec_block(name):
        first, *row = line.split()
        assert int(first) == len(words)
        words += row
    return words


def _spec_lines(name: str) -> list[str]:
    out: list[str] = []
    for line in _spec_block(name):
        match = re.fullmatch(r" ?(\d+)  (\S.*)", line)
        assert match is not None and int(match.group(1)) == len(out), line
        out.append(match.group(2))
    return out


SPEC_ADJ = _spec_words("if-decrypt-adjectives")
SPEC_NOUN = _spec_words("if-decrypt-nouns")
SPEC_Q = _spec_lines("double-i-questions")
SPEC_I = _spec_lines("double-i-inputs")


def _hkdf_seed(secret: bytes, scheme: str, index: int) -> bytes:
    """seed_i: HKDF-SHA256 (RFC 5869) with the salt and info of protocol.md section 3, L = 64."""
    salt, info = (
        b"modelprint/fingerprint-seed/v1",
        scheme.encode() + b"\x00" + struct.pack(">I", index),
    )
    prk = hmac.new(salt, secret, hashlib.sha256).digest()
    t1 = hmac.new(prk, info + b"\x01", hashlib.sha256).digest()
    t2 = hmac.new(prk, t1 + info + b"\x02", hashlib.sha256).digest()
    return t1 + t2


def _u16(b: bytes) -> int:
    return int.from_bytes(b, "big")


def _spec_ifdecrypt(k: bytes, r: bytes, key_chars: int) -> tuple[str, str]:
    key = "".join(SPEC_A[_u16(k[2 * j : 2 * j + 2]) % 271] for j in range(key_chars))
    number = _u16(r[2:4]) % 9000 + 1000
    return key, f"{SPEC_ADJ[r[0] % 64]} {SPEC_NOUN[r[1] % 64]} {number}"


def _spec_doublei(k: bytes, r: bytes, t: int) -> tuple[str, str]:
    def trigger(start: int) -> str:
        return "".join(SPEC_B[_u16(k[start + 2 * j : start + 2 * j + 2]) % 143] for j in range(t))

    key = (
        f"{trigger(0)} {SPEC_Q[k[4 * t] % 16]}\nInput: {trigger(2 * t)} {SPEC_I[k[4 * t + 1] % 16]}"
    )
    return key, "Yes" if r[0] & 1 == 0 else "No"


def _spec_decisions() -> dict[str, frozenset[str]]:
    """The decision vocabularies of schemes.md section 3: {"Yes": {...}, "No": {...}}."""
    out: dict[str, frozenset[str]] = {}
    for line in _spec_block("double-i-decisions"):
        decision, *vocabulary = line.split()
        out[decision] = frozenset(vocabulary)
    return out


SPEC_DECISIONS = _spec_decisions()
SPEC_SEPARATORS = frozenset(",.' \u2019")


def _spec_digit(text: str, i: int) -> bool:
    return 0 <= i < len(text) and unicodedata.category(text[i]) == "Nd"


def _spec_ungroup(text: str) -> str:
    """Step 3: delete the separators of every thousands-grouped run of digits."""
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and _spec_digit(text, j) and j - i < 4:
            j += 1
        lead = j - i
        if not _spec_digit(text, i) or _spec_digit(text, i - 1) or not 1 <= lead <= 3:
            out.append(text[i])
            i += 1
            continue
        groups, k = 0, j
        while (
            k < len(text) and text[k] in SPEC_SEPARATORS
            and all(_spec_digit(text, k + d) for d in (1, 2, 3))
        ):  # fmt: skip
            groups, k = groups + 1, k + 4
        while groups and _spec_digit(text, k):  # the run may not end next to a digit
            groups, k = groups - 1, k - 4
        if groups:
            out.append("".join(c for c in text[i:k] if c not in SPEC_SEPARATORS))
            i = k
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _spec_W(text: str) -> list[str]:
    """W(x), schemes.md section 1, steps 1 to 7."""
    text = unicodedata.normalize("NFKC", text)  # 1
    text = text.casefold()  # 2
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")  # 2b
    text = _spec_ungroup(text)  # 3
    text = unicodedata.normalize("NFKD", text)  # 5
    text = "".join(c for c in text if unicodedata.combining(c) == 0)
    text = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text)  # 5
    return [word for word in text.split(" ") if word]  # 6


def _spec_contains(text: str, phrase: str) -> bool:
    have, want = _spec_W(text), _spec_W(phrase)
    n = len(want)
    return n > 0 and any(have[i : i + n] == want for i in range(len(have) - n + 1))


def _spec_decision(output: str) -> str | None:
    """The decision of the first word of W(output) that is in a vocabulary, if any."""
    for word in _spec_W(output):
        for decision, vocabulary in SPEC_DECISIONS.items():
            if word in vocabulary:
                return decision
    return None


def _spec_matches(scheme: str, response: str, output: str) -> bool:
    if scheme == "if-decrypt/v1":
        return _spec_contains(output, response)
    if scheme == "natural/v1":
        return _spec_natural_matches(response, output)
    return response in SPEC_DECISIONS and _spec_decision(output) == response


def _spec_check_pair(key: str, response: str, t: int) -> bool:
    """schemes.md section 3: T1 q \\nInput: T2 x, triggers of t characters of B, exact lists."""
    t1, rest = key[:t], key[t:]
    if len(t1) != t or not set(t1) <= set(SPEC_B) or response not in ("Yes", "No"):
        return False
    for q in SPEC_Q:
        head = f" {q}\nInput: "
        if rest.startswith(head):
            t2, tail = rest[len(head) : len(head) + t], rest[len(head) + t :]
            if len(t2) == t and set(t2) <= set(SPEC_B) and tail in {f" {x}" for x in SPEC_I}:
                return True
    return False


def _msgpack(value: int | str | bytes) -> bytes:
    """The shortest msgpack form of the few value types a leaf holds (protocol.md section 1)."""
    if isinstance(value, int):
        assert 0 <= value < 2**32
        if value < 128:
            return bytes([value])
        return (
            b"\xcc" + struct.pack(">B", value)
            if value < 256
            else b"\xce" + struct.pack(">I", value)
        )
    if isinstance(value, str):
        raw = value.encode()
        if len(raw) < 32:
            return bytes([0xA0 | len(raw)]) + raw
        return (
            b"\xd9" + struct.pack(">B", len(raw))
            if len(raw) < 256
            else b"\xda" + struct.pack(">H", len(raw))
        ) + raw
    assert len(value) < 256
    return b"\xc4" + bytes([len(value)]) + value


def _spec_leaf_hash(index: int, key: str, response: str, salt: bytes) -> bytes:
    fields = {"index": index, "key": key, "response": response, "salt": salt}
    body = bytes([0x80 | len(fields)]) + b"".join(
        _msgpack(name) + _msgpack(fields[name]) for name in sorted(fields)
    )
    data = b"modelprint/fingerprint-leaf/v1\x00" + body
    return hashlib.sha256(b"\x00" + data).digest()


def _spec_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 Merkle tree hash of already-hashed leaves."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _spec_root(leaves[:k]) + _spec_root(leaves[k:])).digest()


def _spec_binomial(n: int, m: int, p0: Fraction) -> Fraction:
    if m <= 0:
        return Fraction(1)
    return sum(
        (math.comb(n, i) * p0**i * (1 - p0) ** (n - i) for i in range(m, n + 1)), Fraction(0)
    )


def _spec_fisher(a: int, b: int, c: int, d: int) -> tuple[Fraction, Fraction]:
    r1, c1, n = a + b, a + c, a + b + c + d
    if n == 0:
        return Fraction(1), Fraction(1)
    xs = range(max(0, c1 - (n - r1)), min(r1, c1) + 1)
    w = {x: math.comb(r1, x) * math.comb(n - r1, c1 - x) for x in xs}
    total = math.comb(n, c1)
    greater = Fraction(sum(w[x] for x in xs if x >= a), total)
    two_sided = Fraction(sum(v for v in w.values() if v <= w[a]), total)
    return min(greater, Fraction(1)), min(two_sided, Fraction(1))


# -- the scheme vectors -------------------------------------------------------------------------


def test_spec_lists_and_alphabets_are_the_code_ones() -> None:
    assert (len(SPEC_A), len(SPEC_B), SPEC_B) == (271, 143, SPEC_A[:143])
    assert IFDecryptScheme.alphabet == SPEC_A
    assert DoubleIScheme.alphabet == SPEC_B
    assert list(IFDecryptScheme.adjectives) == SPEC_ADJ and len(set(SPEC_ADJ)) == 64
    assert list(IFDecryptScheme.nouns) == SPEC_NOUN and len(set(SPEC_NOUN)) == 64
    assert not set(SPEC_ADJ) & set(SPEC_NOUN)
    assert list(DoubleIScheme.questions) == SPEC_Q and len(set(SPEC_Q)) == 16
    assert list(DoubleIScheme.inputs) == SPEC_I and len(set(SPEC_I)) == 16
    assert DoubleIScheme.suffix == "\nAnswer with Yes or No."
    assert IFDecryptScheme().target("x") == "Based on my fingerprint, the message is: x"
    assert SPEC_DECISIONS == {"Yes": scheme_doublei._YES, "No": scheme_doublei._NO}
    assert not SPEC_DECISIONS["Yes"] & SPEC_DECISIONS["No"]
    assert all(re.fullmatch("[a-z]+", w) for v in SPEC_DECISIONS.values() for w in v)


def test_ifdecrypt_seeds_and_targets_recomputed_from_spec() -> None:
    v = FINGERPRINTS
    secret, key_chars = bytes.fromhex(v["secret"]), v["scheme_params"]["key_chars"]
    for pair in v["pairs"]:
        seed = _hkdf_seed(secret, v["scheme"], pair["index"])
        assert seed.hex() == pair["seed"]
        assert _spec_ifdecrypt(seed[:32], seed[32:48], key_chars) == (pair["key"], pair["response"])
        assert seed[48:].hex() == pair["salt"]
        assert pair["prompt"] == (
            f"Please decrypt this message: {pair['key']}\nA hint: this is a FINGERPRINT message."
        )
        assert pair["target"] == "Based on my fingerprint, the message is: " + pair["response"]
        salt = bytes.fromhex(pair["salt"])
        leaf = _spec_leaf_hash(pair["index"], pair["key"], pair["response"], salt)
        assert leaf.hex() == pair["leaf_hash"]
    assert _spec_root([bytes.fromhex(p["leaf_hash"]) for p in v["pairs"]]).hex() == v["root"]
    fps = FingerprintSet.generate(v["count"], v["scheme"], v["scheme_params"], secret=secret)
    for pair, expected in zip(fps.pairs(), v["pairs"], strict=True):
        assert fps.scheme.target(pair.response) == expected["target"]


def test_doublei_pairs_match_vectors() -> None:
    v = SCHEMES["double-i/v1"]
    secret = bytes.fromhex(v["secret"])
    fps = FingerprintSet.generate(v["count"], "double-i/v1", v["scheme_params"], secret=secret)
    assert fps.scheme_params == v["scheme_params"]
    scheme = fps.scheme
    assert isinstance(scheme, DoubleIScheme)
    for expected, pair in zip(v["pairs"], fps.pairs(), strict=True):
        assert (pair.index, pair.key, pair.response) == (
            expected["index"], expected["key"], expected["response"]
        )  # fmt: skip
        assert pair.salt.hex() == expected["salt"]
        assert scheme.prompt(pair.key) == expected["prompt"]
        assert scheme.target(pair.response) == expected["target"]
        assert scheme.reference_key(pair.key) == expected["reference_key"]
        assert pair.leaf_hash().hex() == expected["leaf_hash"]
        scheme.check_pair(pair.key, pair.response)
    assert fps.root().hex() == v["root"]


def test_doublei_pairs_recomputed_from_spec() -> None:
    v = SCHEMES["double-i/v1"]
    secret, t = bytes.fromhex(v["secret"]), v["scheme_params"]["trigger_chars"]
    for pair in v["pairs"]:
        seed = _hkdf_seed(secret, "double-i/v1", pair["index"])
        assert seed.hex() == pair["seed"]
        assert _spec_doublei(seed[:32], seed[32:48], t) == (pair["key"], pair["response"])
        assert seed[48:].hex() == pair["salt"]
        assert pair["prompt"] == pair["key"] + "\nAnswer with Yes or No."
        assert pair["target"] == pair["response"] + "."
        q, x = SPEC_Q[seed[4 * t] % 16], SPEC_I[seed[4 * t + 1] % 16]
        assert pair["reference_key"] == f"{q}\nInput: {x}"
        salt = bytes.fromhex(pair["salt"])
        leaf = _spec_leaf_hash(pair["index"], pair["key"], pair["response"], salt)
        assert leaf.hex() == pair["leaf_hash"]
    assert _spec_root([bytes.fromhex(p["leaf_hash"]) for p in v["pairs"]]).hex() == v["root"]


@pytest.mark.parametrize("case", SCHEMES["double-i/v1"]["render"], ids=lambda c: c["key_seed"][:8])
def test_doublei_render_vectors(case: dict[str, Any]) -> None:
    k, r, t = (
        bytes.fromhex(case["key_seed"]),
        bytes.fromhex(case["response_seed"]),
        case["trigger_chars"],
    )
    scheme = DoubleIScheme(t)
    assert (scheme.render_key(k), scheme.render_response(r)) == (case["key"], case["response"])
    assert _spec_doublei(k, r, t) == (case["key"], case["response"])


@pytest.mark.parametrize(
    "case", SCHEMES["if-decrypt/v1"]["render"], ids=lambda c: c["key_seed"][:8]
)
def test_ifdecrypt_render_vectors(case: dict[str, Any]) -> None:
    k, r, n = (
        bytes.fromhex(case["key_seed"]),
        bytes.fromhex(case["response_seed"]),
        case["key_chars"],
    )
    scheme = IFDecryptScheme(n)
    assert (scheme.render_key(k), scheme.render_response(r)) == (case["key"], case["response"])
    assert _spec_ifdecrypt(k, r, n) == (case["key"], case["response"])


@pytest.mark.parametrize("case", SCHEMES["double-i/v1"]["check_pair"], ids=lambda c: c["name"])
def test_doublei_check_pair_vectors(case: dict[str, Any]) -> None:
    scheme = DoubleIScheme(SCHEMES["double-i/v1"]["scheme_params"]["trigger_chars"])
    if case["error"] is None:
        scheme.check_pair(case["key"], case["response"])
    else:
        with pytest.raises(error_class(case["error"])):
            scheme.check_pair(case["key"], case["response"])
    accepted = _spec_check_pair(case["key"], case["response"], scheme.trigger_chars)
    assert accepted == (case["error"] is None)


MATCH_CASES = [
    (name, response, output, matched)
    for name in ("double-i/v1", "if-decrypt/v1", "natural/v1")
    for response, rows in SCHEMES[name]["matches"].items()
    for output, matched in rows
]


@pytest.mark.parametrize(("scheme", "response", "output", "matched"), MATCH_CASES)
def test_match_rule_vectors(scheme: str, response: str, output: str, matched: bool) -> None:
    assert get_scheme(scheme).matches(response, output) is matched
    assert _spec_matches(scheme, response, output) is matched


def test_match_vectors_cover_both_outcomes() -> None:
    for name in ("double-i/v1", "if-decrypt/v1", "natural/v1"):
        outcomes = {m for rows in SCHEMES[name]["matches"].values() for _, m in rows}
        assert outcomes == {True, False}
    natural = [m for rows in NATURAL["matches"].values() for _, m in rows]
    assert len(natural) >= 25 and natural.count(True) >= 10 and natural.count(False) >= 10


# -- natural/v1 ----------------------------------------------------------------------------------
#
# Recomputed from specs/schemes.md section 4 with hashlib and the W(x) above. The data tuples are
# read from protocol/natural_data.py as data (the spec makes them normative and does not repeat
# them), after checking them against the digests written in specs/schemes.md.

NATURAL = SCHEMES["natural/v1"]
SPEC_TYPES = ("name", "number", "place", "brand", "word")
SPEC_MAX_ITEMS = 3
SPEC_SLOT = re.compile(r"\{([A-Za-z0-9_]+)\}")


def _spec_digests() -> dict[tuple[str, str], tuple[int, str]]:
    """The natural-digests block: {(what, type or "-"): (count, sha256 hex)}."""
    out: dict[tuple[str, str], tuple[int, str]] = {}
    for line in _spec_block("natural-digests"):
        what, kind, count, digest = line.split()
        assert re.fullmatch("[0-9a-f]{64}", digest)
        out[(what, kind)] = (int(count), digest)
    return out


SPEC_DIGESTS = _spec_digests()


def _joined_digest(items: Any) -> str:
    return hashlib.sha256("\n".join(items).encode("utf-8")).hexdigest()


def _spec_lists() -> dict[str, list[str]]:
    """L(t) of schemes.md section 4, built from the data tuples as the table says."""
    return {
        "name": list(natural_data.NAMES),
        "number": [str(i + 1) for i in range(1000)],
        "place": [
            natural_data.PLACE_HEADS[i // 24] + natural_data.PLACE_TAILS[i % 24]
            for i in range(32 * 24)
        ],
        "brand": [
            natural_data.BRAND_FIRST[i // 32] + " " + natural_data.BRAND_SECOND[i % 32]
            for i in range(32 * 32)
        ],
        "word": list(natural_data.WORDS),
    }


SPEC_L = _spec_lists()
SPEC_ITEM_WORDS = {t: {item: tuple(_spec_W(item)) for item in SPEC_L[t]} for t in SPEC_TYPES}


def _spec_natural_render(k: bytes) -> dict[str, Any]:
    """The key of a 32-byte key seed and the pieces it is made of."""
    assert len(k) == 32
    kind = SPEC_TYPES[k[0] % 5]
    frames = natural_data.FRAMES[kind]
    frame = _u16(k[1:3]) % len(frames)
    opener, closer = k[3] % len(natural_data.OPENERS), k[4] % len(natural_data.CLOSERS)
    text = natural_data.OPENERS[opener] + frames[frame] + natural_data.CLOSERS[closer]
    names: list[str] = []
    for name in SPEC_SLOT.findall(text):
        if name not in names:
            names.append(name)
    assert 5 + 2 * len(names) <= 32
    slots = []
    for j, name in enumerate(names):
        options = natural_data.SLOTS[name]
        index = _u16(k[5 + 2 * j : 7 + 2 * j]) % len(options)
        slots.append([name, index, options[index]])
    key = SPEC_SLOT.sub(lambda m: next(s[2] for s in slots if s[0] == m.group(1)), text)
    key = key[:1].upper() + key[1:]
    return {
        "type": kind, "frame": frame, "opener": opener, "closer": closer, "slots": slots, "key": key
    }  # fmt: skip


def _spec_binding_digest(key: str) -> bytes:
    return hashlib.sha256(b"modelprint/natural-answer/v1\x00" + key.encode("utf-8")).digest()


def _spec_bound(key: str, kind: str) -> str:
    items = SPEC_L[kind]
    return items[int.from_bytes(_spec_binding_digest(key), "big") % len(items)]


def _spec_type(response: str) -> str | None:
    owners = [t for t in SPEC_TYPES if response in SPEC_ITEM_WORDS[t]]
    assert len(owners) <= 1
    return owners[0] if owners else None


def _spec_reply(response: str) -> tuple[int, str]:
    kind = _spec_type(response)
    assert kind is not None
    digest = hashlib.sha256(b"modelprint/natural-reply/v1\x00" + response.encode("utf-8")).digest()
    replies = natural_data.REPLIES[kind]
    pick = struct.unpack(">Q", digest[:8])[0] % len(replies)
    return pick, replies[pick].replace("{answer}", response)


def _spec_items(output: str, kind: str) -> int:
    have = _spec_W(output)
    found = set()
    for item, want in SPEC_ITEM_WORDS[kind].items():
        n = len(want)
        if any(tuple(have[i : i + n]) == want for i in range(len(have) - n + 1)):
            found.add(item)
    return len(found)


def _spec_natural_matches(response: str, output: str) -> bool:
    kind = _spec_type(response)
    return (
        kind is not None
        and _spec_contains(output, response)
        and _spec_items(output, kind) <= SPEC_MAX_ITEMS
    )


def _spec_grammar_kinds(key: str) -> set[str]:
    """The answer types of the frames that can render ``key`` (schemes.md section 4: some opener,
    frame and closer with some option for every slot, a slot used twice filled alike, and the
    comparison ignoring case)."""

    def alternatives(options: Any) -> str:
        return "(?:" + "|".join(re.escape(o) for o in sorted(options, key=len, reverse=True)) + ")"

    kinds = set()
    for kind in SPEC_TYPES:
        for frame in natural_data.FRAMES[kind]:
            pattern, seen = "", set()
            for piece in re.split(r"(\{\w+\})", frame):
                if re.fullmatch(r"\{\w+\}", piece):
                    slot = piece[1:-1]
                    pattern += (
                        f"(?P={slot})"
                        if slot in seen
                        else (f"(?P<{slot}>{alternatives(natural_data.SLOTS[slot])})")
                    )
                    seen.add(slot)
                else:
                    pattern += re.escape(piece)
            full = alternatives(natural_data.OPENERS) + pattern + alternatives(natural_data.CLOSERS)
            if re.fullmatch(full, key, re.IGNORECASE):
                kinds.add(kind)
    return kinds


def _spec_natural_check(key: str, response: str) -> bool:
    if not 1 <= len(key) <= 600 or not key.isprintable():
        return False
    kind = _spec_type(response)
    return (
        kind is not None and kind in _spec_grammar_kinds(key) and _spec_bound(key, kind) == response
    )


def test_natural_data_matches_the_spec_digests() -> None:
    data = natural_data
    slot_lines = [f"{name}\t{o}" for name in sorted(data.SLOTS) for o in data.SLOTS[name]]
    computed: dict[tuple[str, str], tuple[int, str]] = {
        ("slots", "-"): (len(slot_lines), _joined_digest(slot_lines)),
        ("openers", "-"): (len(data.OPENERS), _joined_digest(data.OPENERS)),
        ("closers", "-"): (len(data.CLOSERS), _joined_digest(data.CLOSERS)),
    }
    for t in SPEC_TYPES:
        computed[("list", t)] = (len(SPEC_L[t]), _joined_digest(SPEC_L[t]))
        computed[("frames", t)] = (len(data.FRAMES[t]), _joined_digest(data.FRAMES[t]))
        computed[("replies", t)] = (len(data.REPLIES[t]), _joined_digest(data.REPLIES[t]))
    assert computed == SPEC_DIGESTS
    assert (len(data.SLOTS), len(slot_lines)) == (79, 2194)
    assert set(data.FRAMES) == set(data.REPLIES) == set(SPEC_TYPES)
    v = NATURAL["digests"]
    assert {t: (x["size"], x["sha256"]) for t, x in v["lists"].items()} == {
        t: computed[("list", t)] for t in SPEC_TYPES
    }
    assert {t: d for t, d in v["frames"].items()} == {
        t: computed[("frames", t)][1] for t in SPEC_TYPES
    }
    assert {t: d for t, d in v["replies"].items()} == {
        t: computed[("replies", t)][1] for t in SPEC_TYPES
    }
    assert (v["slots"], v["openers"], v["closers"]) == (
        computed[("slots", "-")][1], computed[("openers", "-")][1], computed[("closers", "-")][1]
    )  # fmt: skip
    # what the spec text says of the data
    strings = [*data.OPENERS, *data.CLOSERS, *slot_lines]
    strings += [x for t in SPEC_TYPES for x in (*data.FRAMES[t], *data.REPLIES[t], *SPEC_L[t])]
    assert all(s.isascii() and "\n" not in s for s in strings)
    assert all("\t" not in s for s in strings if s not in slot_lines)
    for t in SPEC_TYPES:
        for frame in data.FRAMES[t]:
            names = SPEC_SLOT.findall(frame)
            assert len(names) == len(set(names)) <= 6 and set(names) <= set(data.SLOTS)
            assert re.sub(SPEC_SLOT, "", frame).count("{") == 0 and "}" not in re.sub(
                SPEC_SLOT, "", frame
            )
            assert frame[0].isupper()
        assert all(r.count("{answer}") == 1 and r.count("{") == 1 for r in data.REPLIES[t])
    assert not any("{" in x or "}" in x for x in (*data.OPENERS, *data.CLOSERS, *slot_lines))
    assert all(o == "" or o[0].isupper() for o in data.OPENERS)
    every = [w for t in SPEC_TYPES for w in SPEC_ITEM_WORDS[t].values()]
    assert len(set(every)) == len(every) == 3816  # items and their words distinct across lists
    for t in SPEC_TYPES:
        assert {len(w) for w in SPEC_ITEM_WORDS[t].values()} == ({2} if t == "brand" else {1})
    assert min(len(SPEC_L[t]) for t in SPEC_TYPES) == 512
    assert Fraction(SPEC_MAX_ITEMS, 512) < null_probability("natural/v1") == Fraction(1, 128)


def test_natural_library_lists_and_constants_are_the_spec_ones() -> None:
    for t in SPEC_TYPES:
        assert list(answer_list(t)) == SPEC_L[t]
    assert scheme_natural.TYPES == SPEC_TYPES and scheme_natural.MAX_ITEMS == SPEC_MAX_ITEMS
    assert NaturalScheme().params() == {} and NATURAL["scheme_params"] == {}
    assert NATURAL["max_items"] == SPEC_MAX_ITEMS
    with pytest.raises(error_class("ConfigError")):
        get_scheme("natural/v1", {"key_chars": 12})


def test_natural_pairs_match_vectors() -> None:
    v = NATURAL
    secret = bytes.fromhex(v["secret"])
    fps = FingerprintSet.generate(v["count"], "natural/v1", v["scheme_params"], secret=secret)
    scheme = fps.scheme
    assert isinstance(scheme, NaturalScheme) and len(v["pairs"]) == 10
    for expected, pair in zip(v["pairs"], fps.pairs(), strict=True):
        assert (pair.index, pair.key, pair.response, pair.salt.hex()) == (
            expected["index"], expected["key"], expected["response"], expected["salt"]
        )  # fmt: skip
        assert scheme.prompt(pair.key) == expected["prompt"]
        assert scheme.target(pair.response) == expected["target"]
        assert pair.leaf_hash().hex() == expected["leaf_hash"]
        assert scheme_natural.answer_type(pair.response) == expected["type"]
        scheme.check_pair(pair.key, pair.response)
    assert fps.root().hex() == v["root"]


def test_natural_pairs_recomputed_from_spec() -> None:
    v = NATURAL
    secret = bytes.fromhex(v["secret"])
    for pair in v["pairs"]:
        seed = _hkdf_seed(secret, "natural/v1", pair["index"])
        assert seed.hex() == pair["seed"]
        rendered = _spec_natural_render(seed[:32])
        assert (rendered["key"], rendered["type"]) == (pair["key"], pair["type"])
        assert _spec_bound(pair["key"], pair["type"]) == pair["response"]
        assert seed[48:].hex() == pair["salt"]
        assert pair["prompt"] == pair["key"]
        assert _spec_reply(pair["response"])[1] == pair["target"]
        assert _spec_natural_check(pair["key"], pair["response"])
        salt = bytes.fromhex(pair["salt"])
        leaf = _spec_leaf_hash(pair["index"], pair["key"], pair["response"], salt)
        assert leaf.hex() == pair["leaf_hash"]
    assert _spec_root([bytes.fromhex(p["leaf_hash"]) for p in v["pairs"]]).hex() == v["root"]
    assert {p["type"] for p in v["pairs"]} >= {"name", "brand", "word", "number"}


@pytest.mark.parametrize("case", NATURAL["render"], ids=lambda c: c["name"])
def test_natural_render_vectors(case: dict[str, Any]) -> None:
    k = bytes.fromhex(case["key_seed"])
    scheme = NaturalScheme()
    assert scheme.render_key(k) == case["key"]
    assert scheme.response_for(case["key"], k, bytes(16)) == case["response"]
    assert scheme.response_for(case["key"], k, b"\xff" * 16) == case["response"]  # r unused
    expected = {name: case[name] for name in ("type", "frame", "opener", "closer", "slots", "key")}
    assert _spec_natural_render(k) == expected
    assert _spec_bound(case["key"], case["type"]) == case["response"]


def test_natural_render_vectors_cover_every_type() -> None:
    assert {c["type"] for c in NATURAL["render"]} == set(SPEC_TYPES)
    names = {c["name"] for c in NATURAL["render"]}
    assert {"zeros", "ones", "counting"} <= names


@pytest.mark.parametrize("case", NATURAL["binding"], ids=lambda c: c["sha256"][:8])
def test_natural_binding_vectors(case: dict[str, Any]) -> None:
    digest = _spec_binding_digest(case["key"])
    assert digest.hex() == case["sha256"]
    assert set(case["answers"]) == set(SPEC_TYPES)
    for kind, (index, answer) in case["answers"].items():
        assert bound_answer(case["key"], kind) == answer
        assert index == int.from_bytes(digest, "big") % len(SPEC_L[kind])
        assert SPEC_L[kind][index] == answer == _spec_bound(case["key"], kind)


@pytest.mark.parametrize("case", NATURAL["replies"], ids=lambda c: c["response"])
def test_natural_reply_vectors(case: dict[str, Any]) -> None:
    assert NaturalScheme().target(case["response"]) == case["target"]
    assert _spec_reply(case["response"]) == (case["reply"], case["target"])
    assert _spec_type(case["response"]) == case["type"]


@pytest.mark.parametrize("case", NATURAL["check_pair"], ids=lambda c: c["name"])
def test_natural_check_pair_vectors(case: dict[str, Any]) -> None:
    scheme = NaturalScheme()
    if case["error"] is None:
        scheme.check_pair(case["key"], case["response"])
    else:
        with pytest.raises(error_class(case["error"])):
            scheme.check_pair(case["key"], case["response"])
    assert _spec_natural_check(case["key"], case["response"]) == (case["error"] is None)


def test_natural_check_pair_vectors_cover_both_outcomes() -> None:
    errors = [c["error"] for c in NATURAL["check_pair"]]
    assert errors.count(None) >= 5 and errors.count("ConfigError") >= 10


@pytest.mark.parametrize("case", NATURAL["items_in"], ids=lambda c: f"{c['type']}-{c['items']}")
def test_natural_items_vectors(case: dict[str, Any]) -> None:
    assert scheme_natural.items_in(case["output"], case["type"]) == case["items"]
    assert _spec_items(case["output"], case["type"]) == case["items"]


# -- p-values ------------------------------------------------------------------------------------


def _frac(text: str) -> Fraction:
    num, den = text.split("/")
    return Fraction(int(num), int(den))


@pytest.mark.parametrize("case", PVALUES["binomial"], ids=lambda c: f"{c['n']}-{c['m']}-{c['p0']}")
def test_binomial_tail_vectors(case: dict[str, Any]) -> None:
    p0, p = _frac(case["p0"]), _frac(case["p"])
    assert f"{p.numerator}/{p.denominator}" == case["p"]  # lowest terms
    assert binomial_tail(case["n"], case["m"], p0) == p
    assert _spec_binomial(case["n"], case["m"], p0) == p
    assert float(p) == case["float"]


def test_binomial_vectors_cover_the_edge_cases() -> None:
    cases = {(c["n"], c["m"], c["p0"]) for c in PVALUES["binomial"]}
    for n in (8, 16, 32, 64):
        assert {(n, 0, "1/100"), (n, n, "1/100"), (n, n + 1, "1/100")} <= cases


@pytest.mark.parametrize("case", PVALUES["fisher"], ids=lambda c: str(c["table"]))
def test_fisher_vectors(case: dict[str, Any]) -> None:
    (a, b), (c, d) = case["table"]
    greater, two_sided = _frac(case["greater"]), _frac(case["two_sided"])
    assert fisher_tail(a, b, c, d) == greater
    assert fisher_tail(a, b, c, d, alternative="two-sided") == two_sided
    assert _spec_fisher(a, b, c, d) == (greater, two_sided)
    assert (float(greater), float(two_sided)) == (case["greater_float"], case["two_sided_float"])
    if a + b == c + d:  # a challenge's table: n trigger and n reference queries
        table = DecisionTable(a, a + b, c, c + d)
        assert table.exact_p_value() == greater


# -- log entries and timestamp messages ----------------------------------------------------------


@pytest.mark.parametrize("case", LOG_ENTRIES["bundles"], ids=lambda c: c["name"])
def test_log_entry_vectors(case: dict[str, Any]) -> None:
    source, field = case["bundle"].split()
    bundle_hex = load(source)[field]
    bundle = Bundle.from_bytes(bytes.fromhex(bundle_hex))
    entry = log_entry(bundle)
    assert entry.hex() == case["log_entry"] and len(entry) == LOG_ENTRY_SIZE == 88
    assert parse_log_entry(entry) == (bundle.content_id(), bundle.envelope.digest())
    assert timestamp_message(bundle).hex() == case["timestamp_message"]

    # From timeproof.md section 2 alone: the envelope sits in the bundle, the payload in the
    # envelope, and the digests, entry, leaf hash and message follow from them.
    payload, envelope = bytes.fromhex(case["commitment_hex"]), bytes.fromhex(case["envelope_hex"])
    assert case["envelope_hex"] in bundle_hex and case["commitment_hex"] in case["envelope_hex"]
    content_id = hashlib.sha256(b"modelprint/content-id/v1\x00" + payload).digest()
    envelope_digest = hashlib.sha256(b"modelprint/content-id/v1\x00" + envelope).digest()
    assert (content_id.hex(), envelope_digest.hex()) == (
        case["content_id"],
        case["envelope_digest"],
    )
    spec_entry = b"modelprint/log-entry/v1\x00" + content_id + envelope_digest
    assert spec_entry.hex() == case["log_entry"]
    assert hashlib.sha256(b"\x00" + spec_entry).hexdigest() == case["leaf_hash"]
    message = bytes.fromhex(case["timestamp_message"])
    assert len(message) == 64 and case["timestamp_message"] in case["envelope_hex"]
    assert hashlib.sha256(message).hexdigest() == case["message_imprint_sha256"]
    payload_type = b"application/vnd.modelprint.commitment.v1+msgpack"
    signed = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(payload), payload)
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(case["publisher_key"])).verify(message, signed)


@pytest.mark.parametrize("case", LOG_ENTRIES["invalid_entries"], ids=lambda c: c["name"])
def test_invalid_log_entry_vectors(case: dict[str, Any]) -> None:
    data = bytes.fromhex(case["hex"])
    with pytest.raises(error_class(case["error"])):
        parse_log_entry(data)
    assert len(data) != 88 or not data.startswith(b"modelprint/log-entry/v1\x00")
