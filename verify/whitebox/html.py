"""The white-box section of the verifier's HTML report.

:func:`render_whitebox_html` turns a comparison (or a check against a commitment's attachments) into
one self-contained ``<section>``: the HuRef similarity with a plain-words reading, the per-term
figures, the weights-manifest result when there is one, and the fingerprint pictures inlined as
``data:`` URIs so the report stays a single file. Every text is escaped.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from typing import Any

from ..html_report import svg
from .binding import DEFAULT_MIN_SIMILARITY

__all__ = ["check_pictures", "render_whitebox_html", "similarity_reading"]


def similarity_reading(value: float, threshold: float = DEFAULT_MIN_SIMILARITY) -> str:
    """A plain-words reading of a HuRef similarity."""
    if value >= 90.0:
        return "derived: the weights share the reference model's invariants"
    if value >= threshold:
        return "likely derived: the invariants are strongly correlated"
    return "not derived: the invariants are unrelated"


def _img(label: str, png: bytes, layers: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    alt = html.escape(f"HuRef fingerprint of {label}")
    return (
        f'<figure><img alt="{alt}" src="data:image/png;base64,{data}">'
        f"<figcaption><strong>{html.escape(label)}</strong> — left to right: the portrait, "
        f"then {html.escape(layers)}</figcaption></figure>"
    )


def _term_bars(terms: Mapping[str, Any]) -> str:
    """One horizontal bar per invariant term on a 0..100 scale (SVG)."""
    width, row, left = 520, 26, 110
    plot = width - left - 50
    height = row * len(terms) + 30
    parts = []
    for i, (name, score) in enumerate(terms.items()):
        y, value = 8 + i * row, max(0.0, min(100.0, float(score)))
        colour = "#2e7d32" if value >= DEFAULT_MIN_SIMILARITY else "#9e9e9e"
        parts.append(
            f'<text x="{left - 8}" y="{y + 14}" font-size="12" text-anchor="end">'
            f"{html.escape(str(name))}</text>"
            f'<rect x="{left}" y="{y}" width="{plot}" height="18" fill="#f0f0f0"/>'
            f'<rect x="{left}" y="{y}" width="{plot * value / 100:.1f}" height="18" '
            f'fill="{colour}"/><text x="{left + plot + 6}" y="{y + 14}" font-size="12">'
            f"{value:.1f}</text>"
        )
    axis = 8 + len(terms) * row + 14
    for tick in (0, 50, 100):
        parts.append(
            f'<text x="{left + plot * tick / 100:.0f}" y="{axis}" font-size="10" '
            f'text-anchor="middle">{tick}</text>'
        )
    return svg("term-bars", width, height, "HuRef similarity per invariant term, 0 to 100", parts)


def _colour_scale() -> str:
    """The pictures' colour key: each layer panel's red, green and blue channels are the
    standardized attn_qk, attn_vo and mlp_up_down invariants from -2.5 to +2.5 sigma (SVG)."""
    channels = (("attn_qk", "red", "#ff0000"), ("attn_vo", "green", "#00ff00"),
                ("mlp_up_down", "blue", "#0000ff"))  # fmt: skip
    width, left, bar = 520, 170, 300
    parts = ["<defs>"]
    for name, _, colour in channels:
        parts.append(
            f'<linearGradient id="scale-{name}"><stop offset="0" stop-color="#000"/>'
            f'<stop offset="1" stop-color="{colour}"/></linearGradient>'
        )
    parts.append("</defs>")
    for i, (name, channel, _) in enumerate(channels):
        y = 6 + i * 26
        parts.append(
            f'<text x="{left - 8}" y="{y + 13}" font-size="12" text-anchor="end">'
            f"{name} ({channel})</text>"
            f'<rect x="{left}" y="{y}" width="{bar}" height="16" fill="url(#scale-{name})" '
            'stroke="#666"/>'
        )
    parts.append(
        f'<text x="{left}" y="98" font-size="10">-2.5σ</text>'
        f'<text x="{left + bar / 2:.0f}" y="98" font-size="10" text-anchor="middle">0</text>'
        f'<text x="{left + bar}" y="98" font-size="10" text-anchor="end">+2.5σ</text>'
    )
    return svg("colour-scale", width, 110, "Colour scale of the fingerprint pictures", parts)


def render_whitebox_html(
    result: Any, *, pictures: Mapping[str, bytes] | None = None, title: str = "White-box evidence"
) -> str:
    """An HTML ``<section>`` for ``result``.

    ``result`` is a :class:`~.whitebox.Comparison`, a :class:`~.whitebox_binding.WhiteboxCheck`, a
    :class:`~.whitebox_invariants.Similarity`, or their ``as_dict()`` form; ``pictures`` maps a
    caption (e.g. a model name) to its fingerprint PNG.
    """
    data: dict[str, Any] = result if isinstance(result, dict) else result.as_dict()
    if isinstance(data.get("similarity"), dict):  # a WhiteboxCheck: similarity is nested
        weights = data.get("weights_match")
        diffs = data.get("weights_differences", [])
        data = {**data["similarity"], "weights_match": weights, "weights_differences": diffs}
    rows = []
    value = data.get("similarity")
    if isinstance(value, (int, float)):
        rows.append(
            f"<p class='whitebox-score'><strong>HuRef similarity {value:.1f} / 100</strong> — "
            f"{html.escape(similarity_reading(float(value)))}</p>"
        )
    else:
        rows.append("<p>No HuRef invariants were compared.</p>")
    terms = data.get("terms") or {}
    if terms:
        cells = "".join(
            f"<tr><td>{html.escape(str(name))}</td><td>{float(score):.1f}</td></tr>"
            for name, score in terms.items()
        )
        rows.append(f"<table><tr><th>term</th><th>similarity</th></tr>{cells}</table>")
        rows.append(_term_bars(terms))
    if data.get("weights_match") is not None:
        verdict = "identical to" if data["weights_match"] else "different from"
        rows.append(f"<p>Weight files are {verdict} the committed manifest.</p>")
        diffs = data.get("weights_differences") or []
        if diffs:
            items = "".join(f"<li>{html.escape(str(d))}</li>" for d in diffs[:20])
            rows.append(f"<ul>{items}</ul>")
    if pictures:
        layers = data.get("layers")
        sets = {tuple(v) for v in layers.values()} if isinstance(layers, Mapping) else set()
        shown = "one panel per layer" + (f" (layers {list(sets.pop())})" if len(sets) == 1 else "")
        rows.append("<div class='whitebox-pictures'>")
        rows.extend(_img(label, png, shown) for label, png in pictures.items())
        rows.append("</div>")
        rows.append(
            "<p>The portrait: 96 fixed random projections of the invariants, each through the "
            "normal CDF to one colour channel of a mirrored grid; derived models share its "
            "blotches. Each layer panel:</p>"
        )
        rows.append(_colour_scale())
    body = "\n".join(rows)
    return f"<section class='whitebox'>\n<h2>{html.escape(title)}</h2>\n{body}\n</section>\n"


def check_pictures(check: Any, committed: str, observed: str) -> dict[str, bytes]:
    """The fingerprint pictures of a :class:`~.binding.WhiteboxCheck`, captioned ``committed``
    (the commitment's model name) and ``observed`` (the checked model); empty without HuRef."""
    from .png import render_png_bytes

    if check.committed is None or check.observed is None:
        return {}
    return {
        f"{committed} (committed)": render_png_bytes(check.committed),
        f"{observed} (checked)": render_png_bytes(check.observed),
    }
