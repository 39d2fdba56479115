"""How a verifier recognises a committed answer in what a suspect wrote: match rules that survive
formatting.

A suspect's product may bold the answer, quote it, capitalise it, put it in a sentence, write its
number with a thousands separator or drop an accent. None of that may hide a fingerprint, and none
of it may turn an ordinary answer into one. Text is compared as *words*:

1. NFKC, then full case folding;
2. invisible format characters go (general category Cf: soft hyphen, zero-width space and
   joiners, word joiner, byte-order mark), so they cannot split a word that reads whole;
3. the separators inside a thousands-grouped number go (``7,319``, ``7 319``, ``7.319``,
   ``7'319``, ``7’319`` -> ``7319``; ``1,234,567`` -> ``1234567``): a run of 1-3 digits, then
   groups of one separator and three digits, with no digit on either side of the run;
4. with ``transliterate``, accents go too (NFKD, combining marks dropped: ``Zoë`` -> ``zoe``);
5. every character that is not a letter, a number or a combining mark becomes a space
   (punctuation, markdown ``*_`#>``, quotes, dashes, emoji), and the text splits into words.

:func:`contains_phrase` holds when the committed answer's words appear in the output's words as one
contiguous run (word boundaries count: ``ambers`` is not ``amber``). Every scheme's ``matches``
is built on these, specified in specs/schemes.md with vectors in specs/vectors/schemes.json.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["contains_phrase", "first_of", "words"]

_GROUPED = re.compile(r"(?<!\d)\d{1,3}(?:[,.' \u2019]\d{3})+(?!\d)")
_GROUP_SEPARATOR = re.compile(r"[,.' \u2019]")


def _keep(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM"


def words(text: str, *, transliterate: bool = False) -> list[str]:
    """``text`` as the words the match rules compare (steps 1-5 above)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    folded = _GROUPED.sub(lambda m: _GROUP_SEPARATOR.sub("", m.group(0)), folded)
    if transliterate:
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if _keep(c) else " " for c in folded).split()


def contains_phrase(output: str, phrase: str, *, transliterate: bool = False) -> bool:
    """Whether ``phrase``'s words appear as one contiguous run of ``output``'s words."""
    want = words(phrase, transliterate=transliterate)
    have = words(output, transliterate=transliterate)
    if not want:
        return False
    n = len(want)
    return any(have[i : i + n] == want for i in range(len(have) - n + 1))


def first_of(output: str, vocabularies: Sequence[frozenset[str]]) -> int | None:
    """The index of the vocabulary holding ``output``'s first word that is in any of them."""
    for word in words(output, transliterate=True):
        for position, vocabulary in enumerate(vocabularies):
            if word in vocabulary:
                return position
    return None
