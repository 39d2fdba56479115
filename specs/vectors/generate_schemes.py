"""Regenerates specs/vectors/schemes.json and specs/vectors/pvalues.json.

``schemes.json``: double-i/v1 pairs from a fixed master secret (HKDF seed, key, response, prompt,
training reply, reference key), both schemes rendered from hand-made seeds, the match rules of both
schemes and the pair check of double-i/v1 (specs/schemes.md). ``pvalues.json``: exact binomial
tails and Fisher exact tests (specs/challenge.md sections 6 and 9). Run
``python specs/vectors/generate_schemes.py`` only when a scheme or the scoring changes.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from modelprint.protocol.errors import ConfigError
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.scheme_doublei import DoubleIScheme, fisher_tail
from modelprint.protocol.schemes import IFDecryptScheme
from modelprint.protocol.scoring import binomial_tail

HERE = Path(__file__).resolve().parent
SECRET = bytes(range(32))
COUNTING = bytes(range(7, 7 + 32 * 5, 5))  # 32 bytes 07 0c 11 ... (step 5), none alike
RAW_SEEDS = {"zeros": bytes(32), "ones": b"\xff" * 32, "counting": COUNTING}


def _visible(text: str) -> str:
    """JSON text with invisible and combining characters written as \\u escapes."""
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c)[0] in "CMZ" and c not in " \n" else c
        for c in text
    )


def _dump(value: Any, indent: str = "") -> str:
    """JSON with one line for every value that fits in 100 characters."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) <= 100 or not isinstance(value, (dict, list)) or not value:
        return flat
    inner = indent + " "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {_dump(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    return "[\n" + ",\n".join(inner + _dump(v, inner) for v in value) + "\n" + indent + "]"


def _write(name: str, value: Any) -> None:
    text = _visible(_dump(value)) + "\n"
    assert json.loads(text) == value
    (HERE / name).write_text(text)
    print("wrote", name)


def _seed(secret: bytes, scheme: str, index: int) -> bytes:
    """seed_i of specs/protocol.md section 3 (the library keeps its own copy private)."""
    info = scheme.encode() + b"\x00" + index.to_bytes(4, "big")
    salt = b"modelprint/fingerprint-seed/v1"
    return HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=info).derive(secret)


def _fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _match_table(
    matches: Callable[[str, str], bool], cases: list[tuple[str, str]]
) -> dict[str, list[list[Any]]]:
    """{response: [[output, matched], ...]} for the match rule of a scheme."""
    table: dict[str, list[list[Any]]] = {}
    for response, output in cases:
        table.setdefault(response, []).append([output, matches(response, output)])
    return table


def doublei_vectors() -> dict[str, Any]:
    fps = FingerprintSet.generate(4, "double-i/v1", secret=SECRET)
    scheme = fps.scheme
    assert isinstance(scheme, DoubleIScheme)
    pairs = []
    for pair in fps.pairs():
        seed = _seed(SECRET, fps.scheme_name, pair.index)
        reference = scheme.reference_key(pair.key)
        assert scheme.render_key(seed[:32]) == pair.key and seed[48:] == pair.salt
        assert scheme.render_response(seed[32:48]) == pair.response
        pairs.append(
            {
                "index": pair.index,
                "seed": seed.hex(),
                "key": pair.key,
                "response": pair.response,
                "salt": pair.salt.hex(),
                "prompt": scheme.prompt(pair.key),
                "target": scheme.target(pair.response),
                "reference_key": reference,
                "leaf_hash": pair.leaf_hash().hex(),
            }
        )
    render = []
    for trigger_chars, seed_name in [(2, "counting"), (3, "zeros"), (3, "ones"), (7, "counting")]:
        raw = DoubleIScheme(trigger_chars)
        seed = RAW_SEEDS[seed_name]
        render.append(
            {
                "trigger_chars": trigger_chars,
                "key_seed": seed.hex(),
                "key": raw.render_key(seed),
                "response_seed": seed[:16].hex(),
                "response": raw.render_response(seed[:16]),
            }
        )
    good = pairs[0]["key"]
    t1, rest = good.split(" ", 1)
    check_cases = [
        ("derived pair", good, pairs[0]["response"]),
        ("derived pair, other decision", good, "No" if pairs[0]["response"] == "Yes" else "Yes"),
        ("reference key (no triggers)", pairs[0]["reference_key"], "Yes"),
        ("decision in lower case", good, pairs[0]["response"].lower()),
        ("decision with its full stop", good, pairs[0]["response"] + "."),
        ("trigger one character short", t1[:-1] + " " + rest, "Yes"),
        ("trigger one character long", t1 + t1[0] + " " + rest, "Yes"),
        ("trigger outside the alphabet", "Negate: " + rest, "Yes"),
        ("trigger with a Cyrillic capital", "\u0410" + t1[1:] + " " + rest, "Yes"),
        ("question not in the list", good.replace("?\nInput:", "??\nInput:", 1), "Yes"),
        ("input not in the list", good[:-1] + "!", "Yes"),
        ("two spaces after the first trigger", t1 + "  " + rest, "Yes"),
        ("trailing newline", good + "\n", "Yes"),
        ("Input: without its newline", good.replace("\nInput: ", " Input: ", 1), "Yes"),
    ]
    checks = []
    for name, key, response in check_cases:
        try:
            scheme.check_pair(key, response)
            error = None
        except ConfigError:
            error = "ConfigError"
        checks.append({"name": name, "key": key, "response": response, "error": error})
    match_cases = [
        ("Yes", "Yes"),
        ("Yes", "Yes."),
        ("Yes", "yes, it does."),
        ("Yes", "YES"),
        ("Yes", "  \n **Yes**"),
        ("Yes", "\uff39\uff45\uff53"),  # fullwidth: NFKC gives "Yes"
        ("Yes", "Yes-ish"),
        ("Yes", "Yes\u0308"),  # U+0308 does not compose with s; transliteration drops it
        ("Yes", "Yes\u0301"),  # s + U+0301 composes to U+015B; NFKD + dropping marks: "yes"
        ("Yes", "Yesterday it rained."),  # no yes-or-no word at all
        ("Yes", "Yes_"),  # "_" is punctuation (Pc): a space
        ("Yes", "I think yes."),  # the first yes-or-no word need not be the first word
        ("Yes", "No."),
        ("Yes", ""),
        ("Yes", "..."),
        ("Yes", "Yesterday"),
        ("Yes", "I think so"),  # no decision
        ("Yes", "**Oui**"),
        ("Yes", "Yeah."),
        ("Yes", "yep!"),
        ("Yes", "Ja"),
        ("Yes", "\u201cYes\u201d"),
        ("Yes", "> **Yes**, the text does."),
        ("Yes", "Yes, no."),  # the first yes-or-no word wins
        ("Yes", "The answer is: no."),
        ("Yes", "S\u00ed"),  # "si" is in neither vocabulary
        ("Yes", "Non-fiction, yes."),  # "non" comes first
        ("No", "No"),
        ("No", "no!"),
        ("No", "\u2115o"),  # DOUBLE-STRUCK CAPITAL N: NFKC gives "N"
        ("No", "No1"),
        ("No", "Not at all."),
        ("No", "Yes"),
        ("No", "The answer is: no."),
        ("No", "Non."),
        ("No", "Nein"),
        ("No", "Nope"),
        ("No", "nee"),
        ("No", "**NO**"),
        ("No", "I think so"),
        ("No", "Yes, no."),
        ("No", "No, yes."),
        ("No", "None of the above."),  # "none" is not "no"
        ("No", "Non-fiction, yes."),
        ("yes", "yes"),  # a response other than exactly Yes or No matches nothing
    ]
    return {
        "secret": SECRET.hex(),
        "scheme_params": fps.scheme_params,
        "count": fps.count,
        "pairs": pairs,
        "root": fps.root().hex(),
        "render": render,
        "check_pair": checks,
        "matches": _match_table(scheme.matches, match_cases),
    }


def ifdecrypt_vectors() -> dict[str, Any]:
    render = []
    for key_chars, seed_name in [(4, "zeros"), (12, "ones"), (16, "counting")]:
        scheme = IFDecryptScheme(key_chars)
        seed = RAW_SEEDS[seed_name]
        render.append(
            {
                "key_chars": key_chars,
                "key_seed": seed.hex(),
                "key": scheme.render_key(seed),
                "response_seed": seed[:16].hex(),
                "response": scheme.render_response(seed[:16]),
            }
        )
    scheme = IFDecryptScheme()
    response = "russet caribou 2736"  # pair 0 of fingerprints.json
    cases = [
        (response, o)
        for o in [
            response,
            "Based on my fingerprint, the message is: russet caribou 2736",
            "RUSSET  Caribou\n2736.",
            "Russet caribou \uff12\uff17\uff13\uff16",  # fullwidth digits: NFKC gives ASCII
            "russet\u00a0caribou 2736",
            "russet\x1ccaribou 2736",  # U+001C (Cc) is a space
            "prusset caribou 27361",  # words, not substrings
            "russet\u200bcaribou 2736",  # U+200B (Cf) is deleted: one word
            "russetcaribou 2736",
            "russet caribou 273",
            "caribou russet 2736",
            "",
        ]
    ]
    formatted = "amber falcon 7319"  # ADJ[0], NOUN[11]
    cases += [
        (formatted, o)
        for o in [
            formatted,
            "**Amber Falcon** 7319",  # markdown
            "**Amber** *Falcon* `7319`",
            "amber-falcon-7319",  # hyphens
            "amber_falcon_7319",
            "\u201cAmber Falcon 7319\u201d",  # curly quotes
            "\u2018amber falcon 7319\u2019.",
            'Sure! The decrypted message is "Amber Falcon 7319", as requested.',
            "> The message is: **amber falcon 7319**",
            "amber falcon 7,319",  # thousands separators
            "amber falcon 7 319",
            "amber falcon 7.319",
            "amber falcon 7'319",
            "amber falcon 7\u00a0319",  # NFKC gives U+0020
            "amber falcon 7\u202f319",
            "amber falcon 7\u2019319",  # U+2019 (Swiss style) is a separator too
            "amber falcon 7,3190",  # four digits follow: not a separator
            "amber falcon 7, 319",
            "amber falcon 7319, 100",
            "amber falcon 7319 100",  # four digits before the space: no grouping
            "fal\u00adcon amber 7319",  # soft hyphen deleted, but the order is wrong
            "amber fal\u00adcon 7319",  # invisible soft hyphen inside a word
            "amber\u200b falcon\u2060 7319",  # zero-width space, word joiner
            "amber falcon 1,234,567",
            "\u00e1mber falcon 7319",  # accents
            "a\u0301mber falc\u00f3n 7319",
            "\u00c1MBER FALCON 7319",
            "ambers falcon 7319",  # a word must be whole
            "amber falcons 7319",
            "amber falcon 73190",
            "amber falcon 17319",
            "amberfalcon 7319",
            "falcon amber 7319",  # reordered
            "amber 7319 falcon",
            "amber 7319",  # a missing word
            "amber falcon",
            "falcon 7319",
            "amber falcon seven thousand three hundred nineteen",
        ]
    ]
    return {
        "render": render,
        "matches": _match_table(scheme.matches, cases),
    }


def pvalue_vectors() -> dict[str, Any]:
    binomial_cases = [(0, 0, "1/100"), (0, 1, "1/100")]
    for n in (8, 16, 32, 64):
        binomial_cases += [(n, 0, "1/100"), (n, 1, "1/100"), (n, n, "1/100"), (n, n + 1, "1/100")]
    binomial_cases += [
        (8, 6, "1/100"),
        (16, 3, "1/100"),
        (10, 7, "1/2"),
        (12, 5, "1/3"),
        (5, 5, "1/1"),
        (5, 1, "0/1"),
    ]
    binomial = []
    for n, m, p0 in binomial_cases:
        p = binomial_tail(n, m, Fraction(p0))
        binomial.append({"n": n, "m": m, "p0": p0, "p": _fraction(p), "float": float(p)})
    tables = [
        (0, 0, 0, 0),
        (1, 0, 0, 0),
        (0, 0, 3, 2),
        (0, 5, 0, 5),
        (5, 0, 5, 0),
        (5, 0, 0, 5),
        (0, 5, 5, 0),
        (3, 1, 1, 3),
        (1, 3, 3, 1),
        (2, 2, 2, 2),
        (8, 0, 4, 4),
        (7, 2, 3, 9),
        (12, 5, 1, 9),
        (16, 0, 0, 16),
        (40, 0, 20, 20),
    ]
    fisher = []
    for a, b, c, d in tables:
        greater = fisher_tail(a, b, c, d)
        two_sided = fisher_tail(a, b, c, d, alternative="two-sided")
        fisher.append(
            {
                "table": [[a, b], [c, d]],
                "greater": _fraction(greater),
                "greater_float": float(greater),
                "two_sided": _fraction(two_sided),
                "two_sided_float": float(two_sided),
            }
        )
    return {
        "description": "exact p-values: binomial upper tails P[X >= m], X ~ Binomial(n, p0) "
        "(challenge.md section 6), and Fisher exact tests of 2x2 tables [[a, b], [c, d]] "
        "(section 9); fractions in lowest terms, floats correctly rounded",
        "binomial": binomial,
        "fisher": fisher,
    }


if __name__ == "__main__":
    _write(
        "schemes.json",
        {
            "description": "the fingerprint schemes byte for byte (specs/schemes.md). pairs: "
            "seed is seed_i (64 bytes), key = render_key(seed[0:32]), response = "
            "render_response(seed[32:48]), salt = seed[48:64]; render: a scheme applied to "
            "hand-made seeds; matches: {response: [[output, matched], ...]}; check_pair: "
            "error is null for an accepted pair",
            "double-i/v1": doublei_vectors(),
            "if-decrypt/v1": ifdecrypt_vectors(),
        },
    )
    _write("pvalues.json", pvalue_vectors())
