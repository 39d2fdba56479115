"""The HTML reports a person reads: their sections, their escaping, no network, and how a real
browser lays them out (headless Chromium, compared for structure, not pixels)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from modelprint.commit.commitment import create_commitment, create_grant
from modelprint.commit.identity import Identity
from modelprint.protocol.fingerprints import FingerprintSet
from modelprint.protocol.trust import UnsafeClaimedTime
from modelprint.runtime.keyfiles import load_trust_policy
from modelprint.verify.chain import verify_chain
from modelprint.verify.html_report import (
    binomial_svg,
    chain_page,
    challenge_page,
    code_points,
    next_steps,
    whitebox_page,
)
from modelprint.verify.report import to_json
from modelprint.verify.responders import Query, Reply
from modelprint.verify.session import run_challenge
from tests.factories import DAY, T0, Published

HOSTILE = "<script>alert(1)</script>"
RTL_CJK = "مرحبا שלום 指纹"


class _Parsed(HTMLParser):
    """Tags, ids, attributes and text of a page."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
            if name == "id" and value:
                self.ids.add(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


class _Suspect:
    """Answers half the keys with their committed responses, the rest with hostile text."""

    def __init__(self, *sets: FingerprintSet, knows: float = 0.5) -> None:
        self.responses = {p.key: p.response for fps in sets for p in fps.pairs()}
        self.knows = knows

    def describe(self) -> str:
        return "fake " + HOSTILE

    def answer(self, queries: Sequence[Query], progress: Any = None) -> list[Reply]:
        out = []
        for i, q in enumerate(queries):
            known = next((r for k, r in self.responses.items() if k in q.messages[0][1]), "no")
            good = i < len(queries) * self.knows
            out.append(Reply(q.index, known if good else f"{HOSTILE} {RTL_CJK}"))
        return out


@pytest.fixture(scope="module")
def hostile() -> Published:
    identity = Identity.generate()
    fps = FingerprintSet.generate(48, secret=bytes(range(32)))
    bundle = create_commitment(fps, identity, model_name=HOSTILE + RTL_CJK, claimed_time=T0)
    return Published(identity, fps, bundle)


def _doc(pub: Published, *, knows: float = 0.5, policy: Any = None) -> dict[str, Any]:
    c = pub.challenge(16)
    outcome = run_challenge(
        pub.bundle, c, pub.reveal(c), _Suspect(pub.fingerprints, knows=knows),
        policy=policy or UnsafeClaimedTime(),
    )  # fmt: skip
    return to_json(outcome)


def _assert_offline_and_escaped(page: str) -> _Parsed:
    parsed = _Parsed(page)
    assert "script" not in parsed.tags, "a hostile string became a tag"
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for tag, name, value in parsed.attrs:
        if name in ("src", "href"):
            assert value.startswith(("data:", "#")), f"<{tag} {name}={value[:40]}> fetches"
        assert not value.lower().startswith(("http:", "https:", "//")) or name == "xmlns"
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    return parsed


def test_challenge_page_has_every_section_and_escapes_hostile_text(hostile: Published) -> None:
    doc = _doc(hostile, knows=1.0)
    assert doc["verdict"] == "match"
    page = challenge_page(doc)
    parsed = _assert_offline_and_escaped(page)
    assert {"verdict", "why", "summary", "time", "null", "queries"} <= parsed.ids
    assert "next" not in parsed.ids  # nothing to do about a match
    assert "svg" in parsed.tags and parsed.tags.count("tr") > 16
    text = "".join(parsed.text)
    assert "carries the fingerprints" in text and RTL_CJK in text
    assert code_points("指") == "U+6307" and "U+05E9" in page  # the Hebrew shin, readable anywhere


def test_the_null_plot_shades_the_tail_from_the_observed_count() -> None:
    svg = binomial_svg(16, 5, 0.01, threshold=1e-6)
    parsed = _Parsed(svg)
    tail = [v for t, n, v in parsed.attrs if t == "rect" and n == "class" and v == "tail"]
    bars = [v for t, n, v in parsed.attrs if t == "rect" and n == "class" and v == "bar"]
    assert (len(bars), len(tail)) == (5, 12)  # counts 0..4 and 5..16
    assert 'class="observed"' in svg and "observed: 5 of 16" in svg
    assert _Parsed(binomial_svg(8, 0, 1e-9)).tags.count("rect") == 1 + 9  # no underflow


def test_a_rejected_verdict_says_what_to_do(hostile: Published) -> None:
    doc = _doc(hostile, knows=1.0, policy=load_trust_policy([]))
    assert doc["verdict"] == "rejected"
    page = challenge_page(doc)
    assert "next" in _Parsed(page).ids and "publish" in " ".join(next_steps(doc))
    logged = doc | {
        "time_items": [
            {"kind": "log", "authority": "example.test/log", "status": "unpinned",
             "claimed_time": T0, "proven_time": None, "reason": "key not pinned"},
        ],
    }  # fmt: skip
    (step,) = next_steps(logged)
    assert "no trusted time under your pins" in step and "--trust-log LOG.pub" in step
    assert "example.test/log" in step and "--trust-tsa" not in step
    late = doc | {"trusted_time_epoch": doc["first_seen_epoch"] + DAY, "time_unsafe": False}
    assert "--first-seen" in next_steps(late)[0]
    assert next_steps(_doc(hostile, knows=1.0)) == []


def _chain() -> list[Published]:
    a, b = Identity.generate(), Identity.generate()
    fa, fb = FingerprintSet.generate(32), FingerprintSet.generate(32)
    b0 = create_commitment(fa, a, model_name="base", claimed_time=T0)
    grant = create_grant(a, b0, grantee_key=b.public_key, terms=b"terms", issued_time=T0)
    b1 = create_commitment(fb, b, model_name=RTL_CJK, claimed_time=T0 + DAY, parent=b0, grant=grant)
    return [Published(a, fa, b0), Published(b, fb, b1)]


@pytest.fixture(scope="module")
def chain_doc() -> dict[str, Any]:
    links = _chain()
    challenges = [p.challenge(8, first_seen=T0 + 10 * DAY) for p in links]
    result = verify_chain(
        [p.bundle for p in links], policy=UnsafeClaimedTime(),
        responder=_Suspect(*(p.fingerprints for p in links), knows=1.0),
        challenges=challenges, reveals=[p.reveal(c) for p, c in zip(links, challenges, strict=True)],
    )  # fmt: skip
    return result.to_json()


def test_chain_page_draws_one_box_per_stage_with_its_verdict(chain_doc: dict[str, Any]) -> None:
    assert chain_doc["verdict"] == "match"
    page = chain_page(chain_doc)
    parsed = _Parsed(page)
    assert {"verdict", "chain", "findings", "stage-0", "stage-1"} <= parsed.ids
    stages = [v for t, n, v in parsed.attrs if t == "g" and n == "class" and v == "stage"]
    assert len(stages) == 2 and page.count('class="null-plot"') == 2
    assert "marker-end" in page and "U+6307" in page  # the arrow; the CJK stage's code points
    rejected = verify_chain([_chain()[1].bundle], policy=UnsafeClaimedTime()).to_json()
    assert "next" in _Parsed(chain_page(rejected)).ids


def test_whitebox_page_labels_models_terms_and_the_colour_scale(tiny: Callable[..., Any]) -> None:
    from modelprint.verify.whitebox import compare, render_png_bytes

    result = compare(tiny(0), tiny(0))
    pictures = {f"A: {HOSTILE}": render_png_bytes(result.a), "B: tiny": render_png_bytes(result.b)}
    page = whitebox_page(result.as_dict(), pictures=pictures, title="White-box " + HOSTILE)
    parsed = _assert_offline_and_escaped(page)
    assert parsed.tags.count("img") == 2 and parsed.tags.count("figcaption") == 2
    assert 'class="term-bars"' in page and 'class="colour-scale"' in page
    for term in ("attn_qk", "attn_vo", "mlp_up_down"):
        assert f"{term} (" in page  # named in the colour key beside its channel
    assert "B: tiny" in "".join(parsed.text)


# -- a real browser --------------------------------------------------------------------------------


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run_browser(browser: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp)}  # a profile of its own, nothing of the user's
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip


@pytest.mark.skipif(_browser() is None, reason="no Chromium on PATH (apt-get install chromium)")
def test_a_real_browser_lays_out_the_report(hostile: Published, tmp_path: Path) -> None:
    from PIL import Image

    browser = _browser()
    assert browser is not None
    page = tmp_path / "report.html"
    page.write_text(challenge_page(_doc(hostile, knows=0.75)), encoding="utf-8")
    shot = tmp_path / "shot.png"
    url = page.as_uri()
    done = _run_browser(browser, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", url)
    assert shot.exists(), done.stderr[-2000:]
    image = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    assert image.size == (1200, 1600)
    small = image.resize((300, 400))
    pixels = [tuple(p) for p in np.asarray(small).reshape(-1, 3).tolist()]
    inked = sum(1 for p in pixels if min(p) < 235) / len(pixels)
    assert 0.03 < inked < 0.7, f"{inked:.2%} of the page is not white"
    assert len(set(pixels)) > 50  # text, the verdict badge, tables: not one flat colour
    assert any(r > 150 and g < 120 and b < 120 for r, g, b in pixels) or any(
        g > r + 20 for r, g, b in pixels
    )  # a coloured verdict or the null plot's tail

    dom = _run_browser(browser, tmp_path, "--dump-dom", url)
    parsed = _Parsed(dom.stdout)
    assert {"verdict", "time", "null", "queries"} <= parsed.ids, dom.stderr[-2000:]
    assert "svg" in parsed.tags and "script" not in parsed.tags
    assert "&lt;script&gt;" in dom.stdout


# -- the CLI writes them ---------------------------------------------------------------------------


def test_chain_verify_html_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.cli.test_chain_cli import run, two_stages

    when = ("--time", "2025-01-01")
    p = two_stages(tmp_path, capsys, when, when)
    code, _, err = run(capsys, "chain", "verify", str(p / "acme.bundle"), str(p / "lic.bundle"),
                       "--html", str(p / "chain.html"))  # fmt: skip
    assert code == 1, err  # nothing pinned: no trusted time, the chain proves nothing
    page = (p / "chain.html").read_text(encoding="utf-8")
    parsed = _Parsed(page)
    assert {"verdict", "chain", "next", "findings"} <= parsed.ids
    assert "--trust-log" in page and 'data-stage="0"' in page and ">untimed<" in page
    code, _, err = run(capsys, "chain", "verify", str(p / "acme.bundle"), str(p / "lic.bundle"),
                       "--allow-untimed", "--html", str(p / "chain.html"))  # fmt: skip
    assert code == 0, err
    parsed = _Parsed((p / "chain.html").read_text(encoding="utf-8"))
    assert {"verdict", "chain", "stage-0", "stage-1"} <= parsed.ids and "next" not in parsed.ids


def test_whitebox_compare_html_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_model_dir: Path
) -> None:
    from tests.cli.test_chain_cli import run

    out = tmp_path / "wb.html"
    code, _, err = run(capsys, "whitebox", "compare", str(tiny_model_dir), str(tiny_model_dir),
                       "--html", str(out))  # fmt: skip
    assert code == 0, err
    parsed = _Parsed(out.read_text(encoding="utf-8"))
    assert parsed.tags.count("img") == 2 and "figcaption" in parsed.tags
    assert "A: " + str(tiny_model_dir) in "".join(parsed.text)
