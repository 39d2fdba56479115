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

from .binding import DEFAULT_MIN_SIMILARITY

__all__ = ["render_whitebox_html", "similarity_reading"]


def similarity_reading(value: float, threshold: float = DEFAULT_MIN_SIMILARITY) -> str:
    """A plain-words reading of a HuRef similarity."""
    if value >= 90.0:
        return "derived: the weights share the reference model's invariants"
    if value >= threshold:
        return "likely derived: the invariants are strongly correlated"
    return "not derived: the invariants are unrelated"


def _img(label: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    alt = html.escape(f"HuRef fingerprint of {label}")
    return (
        f'<figure><img alt="{alt}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(label)}</figcaption></figure>"
    )


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
    if data.get("weights_match") is not None:
        verdict = "identical to" if data["weights_match"] else "different from"
        rows.append(f"<p>Weight files are {verdict} the committed manifest.</p>")
        diffs = data.get("weights_differences") or []
        if diffs:
            items = "".join(f"<li>{html.escape(str(d))}</li>" for d in diffs[:20])
            rows.append(f"<ul>{items}</ul>")
    if pictures:
        rows.append("<div class='whitebox-pictures'>")
        rows.extend(_img(label, png) for label, png in pictures.items())
        rows.append("</div>")
    body = "\n".join(rows)
    return f"<section class='whitebox'>\n<h2>{html.escape(title)}</h2>\n{body}\n</section>\n"
