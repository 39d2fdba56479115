"""The data of natural/v1: list sizes, disjoint answer lists, and a grammar of natural requests."""

from __future__ import annotations

import math
import re
import string
from collections import Counter

import pytest

from modelprint.protocol import natural_data as data

TYPES = ("name", "number", "place", "brand", "word")
SLOT = re.compile(r"\{(\w+)\}")
TOKEN = re.compile(r"\{\w+\}|[a-z0-9']+")
ALPHA = re.compile(r"[A-Za-z]+")

# Given names that are also ordinary English words, and other common words: none may be a name.
_COMMON_WORDS_TEXT = """
    abbot ace amber angel apple april archer art ash aspen august aunt autumn baby baker
    bandit barb bard baron basil bean bear berry beryl bill birch biscuit bishop blue boss
    brandy bronze brook brother bud buddy bunny buster button candy captain cardinal carol
    carter cash cedar champ chance charity chase cherry chief chip cinnamon clay clover coco
    cocoa colt constance cookie cooper copper coral countess cousin cream cricket crystal
    dahlia daisy dale dawn deacon dean destiny diamond don dove drew duke dusty earl echo
    elf ember emerald eve fairy faith father fern finch fisher flint forest fox frank friar
    gale garnet gem gene genie giant gin ginger glen gold goldie grace gramps granny guy
    harmony hazel heath heather heir herald hero hickory holly honey honor hope hunter iris
    ivory ivy jade jasmine java jay jester jet journey joy judge june juniper justice king
    kit kitty kiwi knight lady lane lark latte laurel legend lemon liberty lily lime lord
    lotus lucky luna lyric major mama mango maple marigold mark marquis marshal mason
    maverick max may melody melon mercy midnight miller minstrel miracle misty mocha monk
    mother muffin myrtle nana nick noel nova nugget nun oak olive onyx opal orchid outlaw
    page papa parker pat patch patience peach peanut pearl pecan penny peony pepper pickles
    pilot piper pixie plum poem pope poppy porter prince princess prudence pumpkin queen
    rain ranger rascal raven ray rebel red reed rex rich river rob robin rocky rose rosemary
    rowan ruby rusty sable saffron sage sailor sandy sapphire scout serenity shadow sherry
    silver sister sky smoky sol song sonny sparky spring squire star sterling stone storm
    story sue sugar summer sunny sweetie taylor terra thyme tiger topaz trinity tulip uncle
    unity verity vicar violet waffles walnut warden whiskey will willow winter wolf wren
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())


def tokens(text: str) -> list[str]:
    """Lowercase words of a template, a ``{slot}`` as one token."""
    return TOKEN.findall(text.lower())


def plain_words(text: str) -> set[str]:
    """The alphabetic words of ``text``, lowercased (what an answer item could coincide with)."""
    return {w.lower() for w in ALPHA.findall(text)}


def places() -> list[str]:
    return [head + tail for head in data.PLACE_HEADS for tail in data.PLACE_TAILS]


def brands() -> list[str]:
    return [f"{first} {second}" for first in data.BRAND_FIRST for second in data.BRAND_SECOND]


def numbers() -> list[str]:
    return [str(n) for n in range(1, 1001)]


def answer_items() -> dict[str, list[str]]:
    return {
        "name": list(data.NAMES),
        "number": numbers(),
        "place": places(),
        "brand": brands(),
        "word": list(data.WORDS),
    }


def slots_of(template: str) -> list[str]:
    return SLOT.findall(template)


def all_templates() -> list[tuple[str, str]]:
    return [(kind, t) for kind in TYPES for t in data.FRAMES[kind]]


def key_space() -> int:
    per_template = [
        math.prod(len(data.SLOTS[s]) for s in set(slots_of(t))) for _, t in all_templates()
    ]
    return sum(per_template) * len(data.OPENERS) * len(data.CLOSERS)


def trigrams(text: str) -> list[tuple[str, str, str]]:
    words = tokens(text)
    return list(zip(words, words[1:], words[2:], strict=False))


def shared_trigram_fractions() -> list[float]:
    """For each template, the fraction of its word 3-grams that another template also has."""
    grams = [trigrams(t) for _, t in all_templates()]
    owners: dict[tuple[str, str, str], set[int]] = {}
    for index, gs in enumerate(grams):
        for g in gs:
            owners.setdefault(g, set()).add(index)
    return [sum(1 for g in gs if len(owners[g]) > 1) / len(gs) if gs else 0.0 for gs in grams]


# -- the module ---------------------------------------------------------------------------------


def test_module_exports_exactly_the_data() -> None:
    assert sorted(data.__all__) == sorted(
        [
            "NAMES",
            "WORDS",
            "PLACE_HEADS",
            "PLACE_TAILS",
            "BRAND_FIRST",
            "BRAND_SECOND",
            "FRAMES",
            "SLOTS",
            "OPENERS",
            "CLOSERS",
            "REPLIES",
        ]
    )
    assert data.__doc__ and "natural/v1" in data.__doc__
    for name in data.__all__:
        value = getattr(data, name)
        assert isinstance(value, tuple | dict), name


# -- the answer lists ---------------------------------------------------------------------------


def test_list_sizes() -> None:
    assert len(data.NAMES) == 512
    assert len(data.WORDS) == 512
    assert len(data.PLACE_HEADS) == 32
    assert len(data.PLACE_TAILS) == 24
    assert len(data.BRAND_FIRST) == 32
    assert len(data.BRAND_SECOND) == 32
    assert len(places()) == 768 and len(brands()) == 1024


@pytest.mark.parametrize(
    "items",
    [
        data.NAMES,
        data.WORDS,
        data.PLACE_HEADS,
        data.PLACE_TAILS,
        data.BRAND_FIRST,
        data.BRAND_SECOND,
    ],
    ids=["names", "words", "heads", "tails", "brand-first", "brand-second"],
)
def test_items_are_unique_within_each_list(items: tuple[str, ...]) -> None:
    assert all(isinstance(item, str) for item in items)
    repeated = [w for w, n in Counter(i.lower() for i in items).items() if n > 1]
    assert not repeated


def test_names_are_capitalized_ascii_given_names() -> None:
    for name in data.NAMES:
        assert name.isascii() and name.isalpha(), name
        assert 3 <= len(name) <= 10, name
        assert name[0].isupper() and name[1:].islower(), name
    assert not {n.lower() for n in data.NAMES} & COMMON_WORDS


def test_words_are_lowercase_ascii_single_words() -> None:
    for word in data.WORDS:
        assert word.isascii() and word.isalpha() and word.islower(), word
        assert 4 <= len(word) <= 10, word


def test_place_and_brand_parts_have_their_shapes() -> None:
    for part in (*data.PLACE_HEADS, *data.BRAND_FIRST, *data.BRAND_SECOND):
        assert part.isascii() and part.isalpha(), part
        assert part[0].isupper() and part[1:].islower(), part
    for tail in data.PLACE_TAILS:
        assert tail.isascii() and tail.isalpha() and tail.islower(), tail
    assert not {w.lower() for w in data.BRAND_FIRST} & {w.lower() for w in data.BRAND_SECOND}


def test_answer_items_are_unique_across_all_lists() -> None:
    everything = [item.lower() for items in answer_items().values() for item in items]
    assert len(everything) == 512 + 1000 + 768 + 1024 + 512
    repeated = [w for w, n in Counter(everything).items() if n > 1]
    assert not repeated


def test_brand_words_are_not_answers_of_other_lists() -> None:
    brand_words = {w.lower() for w in (*data.BRAND_FIRST, *data.BRAND_SECOND)}
    assert not brand_words & set(data.WORDS)
    assert not brand_words & {n.lower() for n in data.NAMES}
    assert not brand_words & {p.lower() for p in places()}


def test_no_item_is_a_word_prefix_of_another() -> None:
    sequences = {tuple(item.lower().split()) for items in answer_items().values() for item in items}
    for seq in sequences:
        for cut in range(1, len(seq)):
            assert seq[:cut] not in sequences, seq


# -- the request grammar ------------------------------------------------------------------------


def test_frames_have_every_type_and_enough_distinct_templates() -> None:
    assert set(data.FRAMES) == set(TYPES)
    for kind in TYPES:
        frames = data.FRAMES[kind]
        assert len(frames) >= 14, kind
        assert len(set(frames)) == len(frames), kind
    everything = [t for _, t in all_templates()]
    assert len(set(everything)) == len(everything)


def test_templates_are_plain_format_strings_of_known_slots() -> None:
    used: set[str] = set()
    for kind, template in all_templates():
        fields = [f for _, f, spec, conv in string.Formatter().parse(template) if f is not None]
        for _, _, spec, conv in string.Formatter().parse(template):
            assert not spec and conv is None, template
        assert fields == slots_of(template), template
        assert len(set(fields)) == len(fields), f"a slot used twice: {template}"
        assert set(fields) <= set(data.SLOTS), template
        used |= set(fields)
        assert template[0].isupper(), template
        assert template[-1] in ".?!", template
        assert "  " not in template and template == template.strip(), template
        assert not re.search(r"\b(a|an|A|An) \{", template), f"article before a slot: {template}"
        if kind == "number":
            assert "1 and 1000" in template or "1 to 1000" in template, template
    for text in (*data.OPENERS, *data.CLOSERS):
        assert "{" not in text and "}" not in text
    assert used == set(data.SLOTS), "every slot is used by a template"


def test_slots_have_enough_clean_options() -> None:
    for name, options in data.SLOTS.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        assert 16 <= len(options) <= 64, (name, len(options))
        assert len(set(options)) == len(options), name
        for option in options:
            assert isinstance(option, str) and option, name
            assert option == option.strip() and "  " not in option, (name, option)
            assert "{" not in option and "}" not in option, (name, option)
            assert option.isascii() and option.isprintable(), (name, option)
            assert not re.search(r"[0-9]", option), (name, option)


_VOWEL_SOUND_EXCEPTIONS = ("uni", "one", "use", "eu", "u-")


@pytest.mark.parametrize("name", sorted(data.SLOTS))
def test_articles_in_options_agree_with_the_next_word(name: str) -> None:
    for option in data.SLOTS[name]:
        for article, word in re.findall(r"\b(a|an|A|An) ([A-Za-z]+)", option):
            vowel = word[0].lower() in "aeiou" and not word.lower().startswith(
                _VOWEL_SOUND_EXCEPTIONS
            )
            assert (article.lower() == "an") == vowel, (name, option)


def test_openers_and_closers() -> None:
    for texts, name in ((data.OPENERS, "openers"), (data.CLOSERS, "closers")):
        assert len(texts) == 16, name
        assert len(set(texts)) == 16, name
        assert texts.count("") == 1, name
    for opener in data.OPENERS:
        if opener:
            assert opener[0].isupper() and opener.endswith(" ") and opener[-2] in ".!:", opener
    for closer in data.CLOSERS:
        if closer:
            assert closer.startswith(" ") and closer[1].isupper() and closer[-1] in ".?!", closer


def test_every_rendering_is_short_plain_ascii_on_one_line() -> None:
    longest_opener = max(data.OPENERS, key=len)
    longest_closer = max(data.CLOSERS, key=len)
    texts = [t for _, t in all_templates()] + list(data.OPENERS) + list(data.CLOSERS)
    texts += [o for options in data.SLOTS.values() for o in options]
    for text in texts:
        assert "\n" not in text and "\r" not in text, text
        assert text.isascii() and (text == "" or text.isprintable()), text
        assert not set(text) & set("\u2018\u2019\u201c\u201d\u2013\u2014`"), text
    for _, template in all_templates():
        fills = {s: max(data.SLOTS[s], key=len) for s in slots_of(template)}
        longest = longest_opener + template.format(**fills) + longest_closer
        assert len(longest) <= 300, (len(longest), longest)


def test_digits_appear_only_in_the_number_range_of_number_frames() -> None:
    for kind, template in all_templates():
        digits = set(re.findall(r"[0-9]+", template))
        if kind == "number":
            assert digits == {"1", "1000"}, template
        else:
            assert not digits, template
    for text in (*data.OPENERS, *data.CLOSERS):
        assert not re.search(r"[0-9]", text), text


def test_requests_do_not_contain_answers() -> None:
    """No request holds a name or a place; none holds an answer of its own type (a word frame
    no WORDS entry, a brand frame no brand word), so a key does not suggest its own answers."""
    names = {n.lower() for n in data.NAMES}
    place_items = {p.lower() for p in places()}
    brand_words = {w.lower() for w in (*data.BRAND_FIRST, *data.BRAND_SECOND)}
    own = {"name": names, "place": place_items, "brand": brand_words, "word": set(data.WORDS)}

    def text_of(template: str) -> set[str]:
        found = plain_words(SLOT.sub(" ", template))
        for slot in slots_of(template):
            for option in data.SLOTS[slot]:
                found |= plain_words(option)
        return found

    for kind, template in all_templates():
        found = text_of(template)
        assert not found & names, (template, found & names)
        assert not found & place_items, (template, found & place_items)
        if kind in own:
            assert not found & own[kind], (template, found & own[kind])
    framing = set().union(*(plain_words(t) for t in (*data.OPENERS, *data.CLOSERS)))
    for words in own.values():
        assert not framing & words, framing & words


def test_templates_share_few_word_trigrams() -> None:
    fractions = shared_trigram_fractions()
    mean = sum(fractions) / len(fractions)
    print(f"mean fraction of a template's word 3-grams found in another template: {mean:.3f}")
    assert mean < 0.25
    assert max(fractions) < 0.6


def test_each_type_varies_its_sentence_openings() -> None:
    for kind in TYPES:
        firsts = Counter(tokens(t)[0] for t in data.FRAMES[kind])
        assert len(firsts) >= 8, (kind, firsts)
        assert firsts.most_common(1)[0][1] <= 4, (kind, firsts)
        questions = sum(t.rstrip().endswith("?") for t in data.FRAMES[kind])
        assert 3 <= questions <= len(data.FRAMES[kind]) - 3, kind


def test_key_space_is_large() -> None:
    space = key_space()
    print(f"natural/v1 key space: {space} (about 2^{math.log2(space):.1f})")
    assert space > 2**40


# -- the replies --------------------------------------------------------------------------------


def test_replies_are_short_varied_and_hold_the_answer_once() -> None:
    assert set(data.REPLIES) == set(TYPES)
    every_item = {item.lower() for items in answer_items().values() for item in items}
    brand_words = {w.lower() for w in (*data.BRAND_FIRST, *data.BRAND_SECOND)}
    for kind, replies in data.REPLIES.items():
        assert len(replies) == 12, kind
        assert len(set(replies)) == 12, kind
        for reply in replies:
            assert reply.count("{answer}") == 1, reply
            assert [f for _, f, _, _ in string.Formatter().parse(reply) if f is not None] == [
                "answer"
            ], reply
            assert reply.isascii() and "\n" not in reply and reply == reply.strip(), reply
            assert not set(reply) & set("*_#`[]<>|"), f"markdown in {reply}"
            assert reply[-1] in ".?!", reply
            assert len(re.findall(r"[.?!](?:\s|$)", reply)) <= 2, reply
            assert len(reply) <= 80, reply
            rest = reply.replace("{answer}", " ")
            assert not re.search(r"[0-9]", rest), reply
            assert not plain_words(rest) & (every_item | brand_words), reply
            if kind == "word":
                assert not reply.startswith("{answer}"), "a lowercase word would open the reply"
        firsts = {tokens(r)[0] for r in replies}
        assert len(firsts) >= 6, (kind, firsts)
        assert sum(r.startswith("How about") for r in replies) <= 2, kind


def test_replies_render_with_an_answer_of_their_type() -> None:
    for kind, items in answer_items().items():
        for reply, item in zip(data.REPLIES[kind], items[::97], strict=False):
            text = reply.format(answer=item)
            assert item in text and "{" not in text


def test_rendered_requests_read_cleanly() -> None:
    for kind, template in all_templates():
        for k in range(16):
            fills = {
                s: data.SLOTS[s][(k * 7 + j) % len(data.SLOTS[s])]
                for j, s in enumerate(slots_of(template))
            }
            text = data.OPENERS[k] + template.format(**fills) + data.CLOSERS[(k * 5) % 16]
            assert "  " not in text and " ," not in text and " ." not in text, (kind, text)
            assert not re.search(r"[.?!,:][.?!,:]", text), (kind, text)
            assert not re.search(r"\b(\w+) \1\b", text, re.I), (kind, text)
