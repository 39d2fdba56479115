"""Regenerates specs/vectors/schemes.json and specs/vectors/pvalues.json.

``schemes.json``: double-i/v1 and natural/v1 pairs from a fixed master secret (HKDF seed, key,
response, prompt, training reply, reference key), every scheme rendered from hand-made seeds, the
match rules of every scheme, the pair checks of double-i/v1 and natural/v1, and natural/v1's
answer binding, reply choice and data digests (specs/schemes.md). ``pvalues.json``: exact binomial
tails and Fisher exact tests (specs/challenge.md sections 6 and 9). Run
``python specs/vectors/generate_schemes.py`` only when a scheme or the scoring changes.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from modelprint.protocol import natural_data
from modelprint.protocol.errors import ConfigError
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.scheme_doublei import DoubleIScheme, fisher_tail
from modelprint.protocol.scheme_natural import (
    REPLY_TAG,
    TYPES,
    NaturalScheme,
    answer_list,
    answer_type,
    bound_answer,
    items_in,
)
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


def _digest(items: Any) -> str:
    """SHA-256 of the items joined with "\\n" (UTF-8, no trailing newline), specs/schemes.md 4."""
    return hashlib.sha256("\n".join(items).encode()).hexdigest()


def natural_digests() -> dict[str, Any]:
    slots = [
        f"{name}\t{option}"
        for name in sorted(natural_data.SLOTS)
        for option in natural_data.SLOTS[name]
    ]
    return {
        "lists": {
            t: {"size": len(answer_list(t)), "sha256": _digest(answer_list(t))} for t in TYPES
        },
        "frames": {t: _digest(natural_data.FRAMES[t]) for t in TYPES},
        "slots": _digest(slots),
        "openers": _digest(natural_data.OPENERS),
        "closers": _digest(natural_data.CLOSERS),
        "replies": {t: _digest(natural_data.REPLIES[t]) for t in TYPES},
    }


def _natural_render(seed: bytes) -> dict[str, Any]:
    """The pieces of a natural/v1 key (specs/schemes.md 4), checked against the library."""
    scheme = NaturalScheme()
    kind = TYPES[seed[0] % 5]
    frames = natural_data.FRAMES[kind]
    frame = int.from_bytes(seed[1:3], "big") % len(frames)
    opener, closer = seed[3] % len(natural_data.OPENERS), seed[4] % len(natural_data.CLOSERS)
    text = natural_data.OPENERS[opener] + frames[frame] + natural_data.CLOSERS[closer]
    names = list(dict.fromkeys(re.findall(r"\{(\w+)\}", text)))
    slots = []
    for j, name in enumerate(names):
        options = natural_data.SLOTS[name]
        pick = int.from_bytes(seed[5 + 2 * j : 7 + 2 * j], "big") % len(options)
        slots.append([name, pick, options[pick]])
        text = text.replace("{" + name + "}", options[pick])
    key = text[0].upper() + text[1:]
    assert scheme.render_key(seed) == key
    answer = scheme.response_for(key, seed, bytes(16))
    assert answer == bound_answer(key, kind)
    return {
        "key_seed": seed.hex(),
        "type": kind,
        "frame": frame,
        "opener": opener,
        "closer": closer,
        "slots": slots,
        "key": key,
        "response": answer,
    }


def _binding(key: str) -> dict[str, Any]:
    digest = hashlib.sha256(b"modelprint/natural-answer/v1\x00" + key.encode()).digest()
    answers = {}
    for kind in TYPES:
        items = answer_list(kind)
        index = int.from_bytes(digest, "big") % len(items)
        assert bound_answer(key, kind) == items[index]
        answers[kind] = [index, items[index]]
    return {"key": key, "sha256": digest.hex(), "answers": answers}


def _reply(answer: str) -> dict[str, Any]:
    kind = answer_type(answer)
    assert kind is not None
    pick = int.from_bytes(
        hashlib.sha256(REPLY_TAG.encode() + b"\x00" + answer.encode()).digest()[:8], "big"
    )
    replies = natural_data.REPLIES[kind]
    target = NaturalScheme().target(answer)
    assert target == replies[pick % len(replies)].replace("{answer}", answer)
    return {"response": answer, "type": kind, "reply": pick % len(replies), "target": target}


def _ground_key(template: str, answer: str) -> str:
    """The first key of the template (a counter in it) whose bound answer is ``answer``."""
    kind = answer_type(answer)
    assert kind is not None
    n = 0
    while bound_answer(template.format(n), kind) != answer:
        n += 1
    return template.format(n)


def natural_vectors() -> dict[str, Any]:
    fps = FingerprintSet.generate(10, "natural/v1", secret=SECRET)
    scheme = fps.scheme
    assert isinstance(scheme, NaturalScheme) and fps.scheme_params == {}
    pairs = []
    for pair in fps.pairs():
        seed = _seed(SECRET, fps.scheme_name, pair.index)
        assert seed[48:] == pair.salt
        rendered = _natural_render(seed[:32])
        assert rendered["key"] == pair.key and rendered["response"] == pair.response
        scheme.check_pair(pair.key, pair.response)
        pairs.append(
            {
                "index": pair.index,
                "seed": seed.hex(),
                "type": rendered["type"],
                "key": pair.key,
                "response": pair.response,
                "salt": pair.salt.hex(),
                "prompt": scheme.prompt(pair.key),
                "target": scheme.target(pair.response),
                "leaf_hash": pair.leaf_hash().hex(),
            }
        )
    seeds = dict(RAW_SEEDS)
    for byte in (1, 3, 4):  # the other answer types: seed[0] mod 5 = 1 (number), 3, 4
        seeds[f"counting, byte 0 = {byte}"] = bytes([byte]) + COUNTING[1:]
    seeds["ascending"] = bytes(range(32))
    render = [{"name": name, **_natural_render(seed)} for name, seed in seeds.items()]
    assert {case["type"] for case in render} == set(TYPES)
    binding = [
        _binding(key)
        for key in (
            pairs[0]["key"],
            "Hi! What should I name my cat?",
            "Name my caf\u00e9's cat, please \u2014 something like Zo\u00eb?",
        )
    ]
    replies = [_reply(a) for a in ("Amelia", "42", "Ashford", "Copper Kettle", "ember", "1000")]
    replies += [_reply(p["response"]) for p in pairs[:3]]

    key0, answer0, type0 = pairs[0]["key"], pairs[0]["response"], pairs[0]["type"]
    items0 = answer_list(type0)
    other_item = next(item for item in items0 if item != answer0)
    other_type = next(t for t in TYPES if t != type0)
    outside = "What should I call my hamster?"
    long_key = "Please pick a name. " + "x" * 580
    assert len(long_key) == 600
    del_key = "Name my cat\x7f please."
    ground = _ground_key("Reply with just the name Marisol, nothing else. ({})", "Marisol")
    check_cases = [
        ("derived pair", key0, answer0),
        ("another derived pair", pairs[1]["key"], pairs[1]["response"]),
        *((f"derived pair {i}", pairs[i]["key"], pairs[i]["response"]) for i in range(2, 6)),
        ("another item of the same list", key0, other_item),
        ("the key's bound answer of another type than it asks for",
         key0, bound_answer(key0, other_type)),
        ("a key the grammar did not write, with its bound name", outside, bound_answer(outside, "name")),
        ("a key the grammar did not write, with another name", outside,
         next(n for n in answer_list("name") if n != bound_answer(outside, "name"))),
        ("a key ground until it binds the answer it spells out (not the grammar's)", ground,
         "Marisol"),
        ("answer in lower case", key0, answer0.lower() if answer0.lower() != answer0 else answer0.upper()),
        ("answer with a full stop", key0, answer0 + "."),
        ("answer with a leading space", key0, " " + answer0),
        ("the training reply instead of the answer", key0, pairs[0]["target"]),
        ("answer in no list", key0, "Marisola"),
        ("number with a leading zero", "Pick a number.", "0" + bound_answer("Pick a number.", "number")),
        ("number 1000 with a separator", _ground_key("Pick a number ({}).", "1000"), "1,000"),
        ("the number 1000, bound to a key the grammar did not write",
         _ground_key("Pick a number ({}).", "1000"), "1000"),
        ("key with a trailing space", key0 + " ", answer0),
        ("empty key", "", bound_answer("", "name")),
        ("key of 600 code points", long_key, bound_answer(long_key, "word")),
        ("key of 601 code points", long_key + "x", bound_answer(long_key + "x", "word")),
        ("key with a newline", "Name my cat.\nThanks!", bound_answer("Name my cat.\nThanks!", "name")),
        ("key with a tab", "Name my cat.\tThanks!", bound_answer("Name my cat.\tThanks!", "name")),
        ("key with U+007F (not printable)",
         del_key, bound_answer(del_key, "name")),
        ("non-ASCII key with its bound brand (not the grammar's)", binding[2]["key"],
         binding[2]["answers"]["brand"][1]),
    ]  # fmt: skip
    checks = []
    for name, key, response in check_cases:
        try:
            scheme.check_pair(key, response)
            error = None
        except ConfigError:
            error = "ConfigError"
        checks.append({"name": name, "key": key, "response": response, "error": error})
    assert all(c["error"] is None for c in checks[:6])  # every derived pair is accepted
    match_cases = [
        ("Amelia", "Amelia"),
        ("Amelia", "How about Amelia?"),
        ("Amelia", "**AMELIA**"),
        ("Amelia", "\u201camelia\u201d."),
        ("Amelia", "Am\u00e9lia"),  # an accent the answer does not have
        ("Amelia", "Ame\u00adlia"),  # soft hyphen (Cf) deleted
        ("Amelia", "\uff21melia"),  # fullwidth A: NFKC
        ("Amelia", "Ameliana"),  # a word must be whole
        ("Amelia", "Amelias"),
        ("Amelia", "Ame lia"),
        ("Amelia", "Harriet"),  # a different answer
        ("Amelia", "Amelia or Harriet, maybe Eleanor."),  # exactly 3 items
        ("Amelia", "Amelia, Amelia, Harriet or Eleanor."),  # 3 distinct items
        ("Amelia", "How about Amelia, Harriet, Eleanor or Felix?"),  # a spray of 4 names
        ("Amelia", "Amelia of Ashford, Bramford, Thornford and Holford"),  # other lists don't count
        ("Amelia", ""),
        ("Amelie", "Am\u00e9lie"),  # the answer without its accent: transliterated
        ("Amelie", "Ame\u0301lie"),
        ("Ines", "In\u00e9s it is."),
        ("Copper Kettle", "Copper Kettle"),
        ("Copper Kettle", "How about **Copper Kettle**?"),
        ("Copper Kettle", "Copper-Kettle"),  # a hyphen separates words
        ("Copper Kettle", "copper_kettle"),
        ("Copper Kettle", "CopperKettle"),
        ("Copper Kettle", "Kettle Copper"),  # order
        ("Copper Kettle", "The Copper Kettles"),
        ("Copper Kettle", "Copper"),
        ("Copper Kettle", "Copper Kettle, Copper Lantern or Maple Fox"),
        ("Copper Kettle", "Copper Kettle, Copper Lantern, Maple Fox or Silver Owl"),
        ("Ashford", "I'd call it Ashford."),
        ("Ashford", "Ashford-on-Sea"),
        ("Ashford", "Ash ford"),
        ("Ashford", "Ashfords"),
        ("ember", "Ember!"),
        ("ember", "*\u00c9mber*"),
        ("ember", "embers"),
        ("ember", "In a word: ember."),
        ("42", "42"),
        ("42", "I'd pick 42."),
        ("42", "#42"),
        ("42", "\uff14\uff12"),  # fullwidth digits
        ("42", "420"),
        ("42", "4 2"),
        ("42", "forty-two"),
        ("42", "3.42"),  # not a grouped number: words 3 and 42
        ("42", "42 100"),  # a grouped number: one word 42100
        ("42", "Between 1 and 1000, I'd pick 42."),  # 3 items: 1, 1000, 42
        ("42", "Between 1 and 1000, I'd pick 42 or 7."),  # 4 items
        ("42", "1, 2, 3, 42"),
        ("1000", "1000"),
        ("1000", "1,000"),
        ("1000", "1 000"),
        ("1000", "1.000"),
        ("1000", "1\u2019000"),
        ("1000", "10,000"),
        ("1000", "1000th"),
        ("amelia", "amelia"),  # not an item of any list: matches nothing
        ("Marisol ", "Marisol"),
    ]
    return {
        "secret": SECRET.hex(),
        "scheme_params": fps.scheme_params,
        "count": fps.count,
        "max_items": 3,
        "digests": natural_digests(),
        "pairs": pairs,
        "root": fps.root().hex(),
        "render": render,
        "binding": binding,
        "replies": replies,
        "check_pair": checks,
        "matches": _match_table(scheme.matches, match_cases),
        "items_in": [
            {"output": output, "type": t, "items": items_in(output, t)}
            for output, t in [
                ("Between 1 and 1000, I'd pick 42 or 7.", "number"),
                ("Amelia, Amelia, Harriet or Eleanor.", "name"),
                ("Amelia of Ashford, Bramford, Thornford and Holford", "name"),
                ("Amelia of Ashford, Bramford, Thornford and Holford", "place"),
                ("Copper Kettle Lantern, Maple-Fox", "brand"),
                ("", "word"),
            ]
        ],
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
            "error is null for an accepted pair. natural/v1: the response is the answer bound "
            "to the key (response_for), its type from seed[0]; render lists the pieces (frame, "
            "opener and closer indices, slots as [name, option index, option]); binding: "
            "SHA-256 of the tagged key and [index, answer] per type; digests: SHA-256 of each "
            "list joined with \\n",
            "double-i/v1": doublei_vectors(),
            "if-decrypt/v1": ifdecrypt_vectors(),
            "natural/v1": natural_vectors(),
        },
    )
    _write("pvalues.json", pvalue_vectors())
