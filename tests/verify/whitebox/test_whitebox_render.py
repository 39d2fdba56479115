"""The fingerprint picture is deterministic, alike for derived models and unlike for unrelated ones;
the HTML section shows the figures and escapes what it prints."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from modelprint.verify.whitebox import (
    compare,
    invariants_of,
    render_png_bytes,
    render_whitebox_html,
)

Factory = Callable[..., Any]


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float64)


def test_png_is_deterministic_with_a_portrait_and_one_panel_per_layer(tiny: Factory) -> None:
    inv = invariants_of(tiny(0))
    png = render_png_bytes(inv)
    assert png == render_png_bytes(invariants_of(tiny(0)))
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size == (8 + 3 * (256 + 8), 256 + 16)


def test_derived_models_look_alike_and_unrelated_ones_do_not(
    tiny: Factory, disguised: Any, finetuned: Factory
) -> None:
    base = invariants_of(tiny(0))
    ids = base.token_ids
    picture = _pixels(render_png_bytes(base))
    twin = _pixels(render_png_bytes(invariants_of(disguised(tiny(0), 5), token_ids=ids)))
    tuned = _pixels(render_png_bytes(invariants_of(finetuned(tiny(0)), token_ids=ids)))
    other = _pixels(render_png_bytes(invariants_of(tiny(1), token_ids=ids)))
    assert np.abs(picture - twin).mean() < 1.0
    assert np.abs(picture - tuned).mean() < 0.5 * np.abs(picture - other).mean()
    portrait = np.s_[8:264, 8:264]  # the part people compare at a glance
    near = np.abs(picture[portrait] - tuned[portrait]).mean()
    far = np.abs(picture[portrait] - other[portrait]).mean()
    assert near < 25 < 45 < far


def test_html_section_reports_similarity_terms_and_pictures(tiny: Factory) -> None:
    result = compare(tiny(0), tiny(0))
    section = render_whitebox_html(
        result, pictures={"<base>": render_png_bytes(result.a)}, title="White-box <evidence>"
    )
    assert section.startswith("<section") and section.rstrip().endswith("</section>")
    assert "100.0 / 100" in section and "attn_qk" in section
    assert "data:image/png;base64," in section
    assert "&lt;base&gt;" in section and "&lt;evidence&gt;" in section and "<base>" not in section
    unrelated = render_whitebox_html(compare(tiny(0), tiny(1)))
    assert "not derived" in unrelated
