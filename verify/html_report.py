"""HTML pages a person reads: a challenge, a license chain, a white-box comparison.

Pure functions from the machine-readable reports (``verify --json``, ``chain verify --json``,
``whitebox compare/check --json``) to one self-contained page each: inline CSS, inline SVG, pictures
as ``data:`` URIs, a Content-Security-Policy that forbids every fetch, no fonts but the reader's own.
A page says the verdict and what it proves in one sentence, explains the time evidence, plots the
match count against the binomial null, draws the chain, lists every query, and for a verdict that
proves nothing says what to do next. The advice is derived from the report's fields, never from
the wording of its reasons.

Every string that reaches the page is escaped with :func:`html.escape` (suspect outputs and keys are
hostile input); text outside Latin script also carries its code points (``U+....``) in a title and
a fallback line, so a reader whose fonts lack the script can still read the key exactly.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..protocol.times import iso

__all__ = [
    "binomial_svg",
    "chain_page",
    "chain_svg",
    "challenge_page",
    "code_points",
    "next_steps",
    "svg",
    "whitebox_page",
]

e = html.escape

_CSS = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222;
background:#fff} h1{font-size:1.6rem} .verdict{font-size:2rem;font-weight:700;padding:.4rem .8rem;
border-radius:.4rem;display:inline-block} .match,.valid{background:#d4f4d4;color:#0a5a0a}
.no-match{background:#e4e4e4;color:#333} .rejected{background:#fbdada;color:#8a1010}
.meaning{font-size:1.1rem} table{border-collapse:collapse;width:100%;margin:1rem 0}
td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#f4f4f4} pre{white-space:pre-wrap;margin:0;font-size:.9rem} .yes{color:#0a5a0a}
.no{color:#8a1010} .warn{background:#fff3cd;padding:.5rem;border-radius:.3rem}
.todo{background:#fde8e8;border-left:.3rem solid #8a1010;padding:.5rem 1rem}
.cp{font-family:monospace;font-size:.75rem;color:#555;margin-top:.2rem} svg{max-width:100%}
figure{display:inline-block;margin:.5rem} figcaption{font-size:.9rem}
"""

_LATIN_END = 0x24F  # Basic Latin through Latin Extended-B: shown as is, without code points


def code_points(text: str) -> str:
    """``text`` with every character outside Latin script written ``U+XXXX`` (Latin runs kept),
    e.g. for a title: readable whatever fonts the reader has."""
    spelled = "".join(f" U+{ord(c):04X} " if ord(c) > _LATIN_END else c for c in text)
    return " ".join(spelled.split())


def _text(text: str | None, *, block: bool = True) -> str:
    """Escaped text; with its code points beside it when it holds non-Latin characters."""
    if text is None:
        return "-"
    body = f"<pre>{e(text)}</pre>" if block else e(text)
    if all(ord(c) <= _LATIN_END for c in text):
        return body
    points = e(code_points(text))
    return f'<span title="{points}">{body}</span><div class="cp">{points}</div>'


def svg(kind: str, width: float, height: float, title: str, parts: Sequence[str]) -> str:
    """An inline SVG picture of class ``kind``, titled (escaped) for screen readers and tooltips."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="{kind}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"<title>{e(title)}</title>{''.join(parts)}</svg>"
    )


def _row(label: str, value: object) -> str:
    return f"<tr><th>{e(label)}</th><td>{e('-' if value is None else str(value))}</td></tr>"


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{e(title)}</title><style>{_CSS}</style></head>
<body>
{body}
</body></html>
"""


def _when(t: int | None) -> str:
    return "none" if t is None else iso(t)


def _span(seconds: int) -> str:
    days, rest = divmod(abs(seconds), 86_400)
    return f"{days} days {rest // 3600} h" if days else f"{rest // 3600} h {rest % 3600 // 60} min"


# -- the null distribution -------------------------------------------------------------------------


def _log10_pmf(n: int, k: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    ln = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return (ln + k * math.log(p) + (n - k) * math.log1p(-p)) / math.log(10)


def binomial_svg(n: int, observed: int, p0: float, *, threshold: float | None = None) -> str:
    """The match count's pmf under the null Binomial(``n``, ``p0``), one bar per count on a log
    scale, the tail at and above ``observed`` shaded and the observed count marked."""
    width, height, left, bottom, top = 720, 260, 56, 36, 28
    logs = [_log10_pmf(n, k, p0) for k in range(n + 1)]
    finite = [x for x in logs if math.isfinite(x)]
    floor = math.floor(min([*finite, -1.0]))
    floor = max(floor, -320)
    span = max(1, -floor)
    plot_w, plot_h = width - left - 12, height - top - bottom
    bar = plot_w / (n + 1)

    def y(v: float) -> float:
        v = max(v, float(floor))
        return top + plot_h * (-v) / span

    parts = [
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
        'stroke="#999"/>',
    ]
    for k, v in enumerate(logs):
        if not math.isfinite(v):
            continue
        x0 = left + k * bar
        tail = k >= observed
        colour = "#c0392b" if tail else "#7f8c8d"
        parts.append(
            f'<rect class="{"tail" if tail else "bar"}" x="{x0 + bar * 0.1:.2f}" '
            f'y="{y(v):.2f}" width="{bar * 0.8:.2f}" height="{top + plot_h - y(v):.2f}" '
            f'fill="{colour}" fill-opacity="{0.85 if tail else 0.6}"/>'
        )
    ticks = sorted({floor, floor // 2, 0})
    for t in ticks:
        parts.append(
            f'<text x="{left - 6}" y="{y(t) + 4:.1f}" font-size="11" text-anchor="end">'
            f"1e{t}</text>"
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
            'stroke="#ddd"/>'
        )
    step = max(1, math.ceil((n + 1) / 12))
    for k in range(0, n + 1, step):
        parts.append(
            f'<text x="{left + (k + 0.5) * bar:.1f}" y="{top + plot_h + 14}" font-size="11" '
            f'text-anchor="middle">{k}</text>'
        )
    mark = left + (observed + 0.5) * bar
    parts += [
        f'<line class="observed" x1="{mark:.1f}" x2="{mark:.1f}" y1="{top - 6}" '
        f'y2="{top + plot_h}" stroke="#1f4e99" stroke-width="2.5"/>',
        f'<text x="{min(mark + 6, width - 150):.1f}" y="{top - 10}" font-size="12" '
        f'fill="#1f4e99">observed: {observed} of {n}</text>',
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" font-size="12" '
        'text-anchor="middle">matches among the scored queries</text>',
        f'<text x="12" y="{top + plot_h / 2:.0f}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2:.0f})">probability (log scale)</text>',
    ]
    if threshold is not None:
        parts.append(
            f'<text x="{left + 6}" y="{top + 14}" font-size="11" fill="#555">'
            f"a match needs the shaded tail below {threshold:.3g}</text>"
        )
    title = f"Matches under the null: Binomial({n}, {p0:.3g}); observed {observed}"
    return svg("null-plot", width, height, title, parts)


def _null_section(doc: Mapping[str, Any]) -> str:
    p = doc.get("p_value")
    p_text = "-" if p is None else f"{p:.3g}"
    if "reference" in doc:
        ref = doc["reference"]
        return (
            "<section id='null'><h2>Matches against the null</h2>"
            f"<p>Scored with Fisher's exact test against the reference row: {doc['matched']} of "
            f"{doc['queried']} trigger queries against {ref['matched']} of {ref['queried']} "
            f"reference queries gave the committed decision; p = {e(p_text)}.</p></section>"
        )
    p0 = doc.get("null_probability")
    if p0 is None or not doc.get("queried"):
        return (
            "<section id='null'><h2>Matches against the null</h2>"
            "<p>No query was scored, so there is no match count to plot.</p></section>"
        )
    svg = binomial_svg(int(doc["queried"]), int(doc["matched"]), float(p0),
                       threshold=float(doc["threshold"]))  # fmt: skip
    return (
        "<section id='null'><h2>Matches against the null</h2>"
        f"<p>If the suspect had never learned the fingerprints, each revealed key would still "
        f"get its committed answer with probability at most p0 = {float(p0):.3g} (the scheme's "
        f"documented, conservative null). The bars are the probability of each match count "
        f"under that null; the shaded tail, at or above the observed {doc['matched']}, is the "
        f"p-value: {e(p_text)} (a match needs below {float(doc['threshold']):.3g}).</p>"
        f"{svg}</section>"
    )


# -- time ------------------------------------------------------------------------------------------


def _time_section(doc: Mapping[str, Any]) -> str:
    items = doc.get("time_items") or []
    rows = []
    for it in items:
        what = {"log": "transparency log", "tsa": "RFC 3161 timestamp", "witness": "witness"}
        status = {
            "trusted": "pinned, verified",
            "unpinned": "not pinned by you: ignored",
            "invalid": "does not verify: voids the time",
        }.get(it["status"], it["status"])
        rows.append(
            f"<tr><td>{e(what.get(it['kind'], it['kind']))}</td><td>{_text(it['authority'])}</td>"
            f"<td>{e(status)}</td><td>{e(_when(it.get('claimed_time')))}</td>"
            f"<td>{e(_when(it.get('proven_time')))}</td><td>{e(it.get('reason') or '')}</td></tr>"
        )
    table = (
        "<table><tr><th>Evidence</th><th>Authority</th><th>Under your pins</th>"
        "<th>Time it states</th><th>Time it proves</th><th>Note</th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else "<p>The bundle carries no time evidence (no log inclusion, no timestamp).</p>"
    )
    trusted, first = doc.get("trusted_time_epoch"), doc.get("first_seen_epoch")
    if doc.get("time_unsafe"):
        meaning = (
            "The commitment time is the publisher's own claim, taken as trusted only because "
            "--unsafe-trust-claimed-time was given: it is not evidence."
        )
    elif trusted is None:
        meaning = (
            "No evidence proves when the commitment existed, so it cannot be shown to be older "
            "than the suspect."
        )
    elif first is not None and trusted < first:
        meaning = (
            f"The commitment provably existed by {iso(trusted)}, {_span(first - trusted)} before "
            f"the suspect was first seen ({iso(first)}): fingerprints committed then cannot have "
            "been copied from the suspect."
        )
    else:
        meaning = (
            f"The commitment is proven only from {iso(trusted)}, not before the suspect was first "
            f"seen ({_when(first)}): the publisher could have taken the fingerprints from the "
            "suspect, so the match proves no priority."
        )
    policy = doc.get("time_policy") or "-"
    pinned = "yes" if doc.get("time_pinned") else "no"
    problems = "".join(f"<li>{e(p)}</li>" for p in doc.get("time_problems") or [])
    return (
        "<section id='time'><h2>Time evidence</h2>"
        f"<p class='meaning'>{e(meaning)}</p>"
        f"<table>{_row('Your pins', policy)}{_row('Anything pinned', pinned)}"
        f"{_row('Trusted commitment time', doc.get('trusted_time') or 'none')}"
        f"{_row('Suspect first seen', doc.get('first_seen'))}</table>"
        f"{table}{f'<ul>{problems}</ul>' if problems else ''}</section>"
    )


# -- what a verdict proves, and what to do -------------------------------------------------------


def _p(doc: Mapping[str, Any]) -> str:
    return "-" if doc.get("p_value") is None else f"{doc['p_value']:.3g}"


def _meaning(doc: Mapping[str, Any]) -> str:
    kind = doc["verdict"]
    counts = f"{doc['matched']} of {doc['queried']} revealed keys"
    if kind == "match":
        return (
            f"The suspect gave the committed answers to {counts} (p = {_p(doc)}, far beyond "
            "chance) and the commitment is provably older than the suspect: the suspect carries "
            f"the fingerprints that {doc.get('model_name')}'s publisher committed to."
        )
    if kind == "no-match":
        return (
            f"The suspect gave the committed answers to only {counts} (p = {_p(doc)}, not below "
            f"{doc['threshold']:.3g}): this challenge gives no evidence that it derives from the "
            "committed model (which is not proof that it does not)."
        )
    return (
        "This challenge proves nothing either way: "
        + ((doc.get("reasons") or ["the evidence does not hold"])[0])
    )


def next_steps(doc: Mapping[str, Any]) -> list[str]:
    """What to do about a verdict that proves nothing, from the report's fields."""
    if doc["verdict"] != "rejected":
        return []
    steps: list[str] = []
    items = doc.get("time_items") or []
    kinds = {it["kind"] for it in items}
    if not doc.get("time_unsafe") and doc.get("trusted_time_epoch") is None:
        if not items:
            steps.append(
                "The bundle has no time evidence: the publisher must publish it to a log "
                "(modelprint publish M.bundle --log URL) or timestamp it, and you challenge again."
            )
        elif not doc.get("time_pinned"):
            flags = [
                f
                for k, f in (
                    ("log", "--trust-log LOG.pub"),
                    ("tsa", "--trust-tsa ROOT.pem"),
                    ("witness", "--trust-witness W.pub"),
                )
                if k in kinds
            ]
            steps.append(
                "The commitment has no trusted time under your pins: pass "
                + " or ".join(flags)
                + " for an authority you trust ("
                + ", ".join(sorted({it["authority"] for it in items}))
                + ")."
            )
        elif any(it["status"] == "invalid" for it in items):
            steps.append(
                "Some time evidence does not verify under your pins: check that the pinned keys "
                "and roots are the authorities named above, or ask the publisher for a bundle "
                "whose evidence verifies."
            )
        else:
            steps.append(
                "None of the evidence comes from an authority you pinned: pin the log, TSA or "
                "witnesses named above (if you trust them), or ask the publisher for evidence "
                "from one you do."
            )
    elif doc.get("trusted_time_epoch") is not None and not doc.get("committed_before"):
        steps.append(
            "The commitment is younger than the suspect's first-seen time: if the suspect was "
            "really first seen later, make a new challenge with the right --first-seen; "
            "otherwise this commitment cannot prove priority over this suspect."
        )
    if doc.get("queried") and doc.get("failed") == doc.get("queried"):
        steps.append(
            "No query was answered: check the --api URL, --model name and the suspect's "
            "availability, then verify again."
        )
    if not steps:
        steps.append(
            "The reveal or bundle did not verify (see the reasons): ask the publisher for a "
            "fresh reveal of this challenge signed by the committed key."
        )
    return steps


def _steps_html(steps: Sequence[str]) -> str:
    if not steps:
        return ""
    items = "".join(f"<li>{e(s)}</li>" for s in steps)
    return (
        f"<section id='next'><h2>What to do</h2><div class='todo'><ul>{items}</ul></div></section>"
    )


# -- the challenge page ----------------------------------------------------------------------------


def _queries_section(doc: Mapping[str, Any]) -> str:
    rows = []
    for q in doc["queries"]:
        prompt = "\n".join(f"[{m['role']}] {m['content']}" for m in q["prompt"])
        output = q["output"] if q["output"] is not None else f"(no output: {q['error']})"
        if not q["scored"]:
            mark = '<span class="no">burned, not scored</span>'
        elif q.get("role") == "reference":  # the control row: its "match" is not evidence
            mark = "committed decision" if q["matched"] else "other"
        else:
            mark = (
                '<span class="yes">match</span>' if q["matched"] else '<span class="no">no</span>'
            )
        label = q["index"] if "role" not in q else f"{q['pair']} ({q['role']})"
        rows.append(
            f"<tr><td>{e(str(label))}</td><td>{_text(prompt)}</td><td>{_text(q['expected'])}</td>"
            f"<td>{_text(output)}</td><td>{mark}</td></tr>"
        )
    return (
        "<section id='queries'><h2>Queries</h2>"
        "<table><tr><th>Index</th><th>Prompt sent</th><th>Expected</th><th>Suspect output</th>"
        f"<th>Matched</th></tr>{''.join(rows)}</table></section>"
    )


def _challenge_body(doc: Mapping[str, Any], pictures: Mapping[str, bytes] | None) -> str:
    """The sections of one challenge (shared by the challenge page and each chain stage)."""
    from .whitebox.html import render_whitebox_html

    summary = [
        f"<tr><th>Model (committed name)</th><td>{_text(doc['model_name'], block=False)}</td></tr>",
        _row("Bundle", doc["bundle"]),
        _row("Publisher key id", doc["publisher_key_id"]),
        _row("Suspect", doc["suspect"]),
        _row("Matches", f"{doc['matched']} of {doc['queried']} scored queries"),
        _row("p-value", f"{_p(doc)} (threshold {doc['threshold']:.3g})"),
        _row("Failed queries", doc["failed"]),
        _row("Committed before first seen", "yes" if doc["committed_before"] else "no"),
        _row("Challenge", doc["challenge"]),
    ]
    warn = ""
    if doc["partial"]:
        warn += (
            f'<p class="warn">Partial result: {doc["failed"]} queries failed and were counted '
            f"{'against the fingerprint' if 'reference' in doc else 'as non-matches'}.</p>"
        )
    if doc["time_unsafe"]:
        warn += (
            '<p class="warn">The commitment time is the publisher\'s own claim, not evidence '
            "(--unsafe-trust-claimed-time).</p>"
        )
    reasons = "".join(f"<li>{e(x)}</li>" for x in doc["reasons"])
    whitebox = doc.get("whitebox")
    wb = "" if whitebox is None else render_whitebox_html(whitebox, pictures=pictures)
    return (
        f"{warn}{_steps_html(next_steps(doc))}"
        f"<section id='why'><h2>Why</h2><ul>{reasons}</ul></section>"
        f"<section id='summary'><h2>Summary</h2><table>{''.join(summary)}</table></section>"
        f"{_time_section(doc)}{_null_section(doc)}{wb}{_queries_section(doc)}"
    )


def _verdict_head(kind: str, meaning: str) -> str:
    return (
        f'<section id="verdict"><p><span class="verdict {e(kind)}">{e(kind)}</span></p>'
        f'<p class="meaning">{e(meaning)}</p></section>'
    )


def challenge_page(doc: Mapping[str, Any], *, pictures: Mapping[str, bytes] | None = None) -> str:
    """The page for one challenge; ``doc`` is :func:`.report.to_json`'s document, ``pictures``
    maps a caption (a model name) to its white-box fingerprint PNG."""
    body = (
        "<h1>modelprint challenge report</h1>"
        f"{_verdict_head(doc['verdict'], _meaning(doc))}{_challenge_body(doc, pictures)}"
    )
    return _page(f"modelprint verdict: {doc['verdict']}", body)


# -- the chain page --------------------------------------------------------------------------------

_FILL = {"match": "#d4f4d4", "valid": "#d4f4d4", "no-match": "#e4e4e4", "rejected": "#fbdada"}


def _link_state(link: Mapping[str, Any], fatal: bool) -> str:
    if fatal:
        return "rejected"
    return str(link.get("verdict") or "valid")


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def chain_svg(doc: Mapping[str, Any]) -> str:
    """The chain as boxes (one per stage: model, key, trusted time, verdict, findings) joined by
    grant arrows, root on the left."""
    findings = doc.get("findings") or []
    reached = list(doc["links"])
    named = [f["link"] for f in findings if isinstance(f.get("link"), int)]
    # a chain stops at its first broken link: draw the links its findings name even so
    links = reached + [
        {"model_name": f"link {i}", "stage": i, "publisher_key_id": "-", "verdict": "not checked"}
        for i in range(len(reached), max(named, default=-1) + 1)
    ]
    box_w, box_h, gap, pad = 230, 150, 60, 16
    width = pad * 2 + len(links) * box_w + max(0, len(links) - 1) * gap
    height = box_h + 2 * pad + 20
    parts = [
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
    ]
    for i, link in enumerate(links):
        own = [f for f in findings if f.get("link") == i]
        state = _link_state(link, any(f.get("fatal") for f in own))
        x = pad + i * (box_w + gap)
        name = str(link["model_name"])
        parts += [
            f'<g class="stage" data-stage="{i}"><title>{e(name)} ({e(code_points(name))})</title>',
            f'<rect x="{x}" y="{pad}" width="{box_w}" height="{box_h}" rx="8" '
            f'fill="{_FILL.get(state, "#eee")}" stroke="#444" stroke-width="1.5"/>',
            f'<text x="{x + 10}" y="{pad + 20}" font-size="13" font-weight="700">'
            f"stage {link['stage']}: {e(_clip(name, 24))}</text>",
            f'<text x="{x + 10}" y="{pad + 40}" font-size="11">key '
            f"{e(str(link['publisher_key_id'])[:16])}</text>",
            f'<text x="{x + 10}" y="{pad + 58}" font-size="11">time '
            f"{e(_when(link.get('trusted_time')))}</text>",
            f'<text x="{x + 10}" y="{pad + 80}" font-size="14" font-weight="700">{e(state)}</text>',
        ]
        for j, f in enumerate(own[:3]):
            parts.append(
                f'<text x="{x + 10}" y="{pad + 100 + 14 * j}" font-size="10" fill="#8a1010">'
                f"{e(_clip(str(f.get('code')), 34))}</text>"
            )
        parts.append("</g>")
        if i:
            x0 = x - gap + 2
            mid = pad + box_h / 2
            parts.append(
                f'<line x1="{x0}" y1="{mid}" x2="{x - 4}" y2="{mid}" stroke="#444" '
                'stroke-width="2" marker-end="url(#arrow)"/>'
                f'<text x="{x0 + gap / 2 - 2:.0f}" y="{mid - 6}" font-size="10" '
                'text-anchor="middle">grant</text>'
            )
    chain_wide = [f for f in findings if f.get("link") is None]
    if chain_wide:
        parts.append(
            f'<text x="{pad}" y="{height - 6}" font-size="11" fill="#8a1010">'
            f"chain: {e(_clip('; '.join(str(f.get('code')) for f in chain_wide), 90))}</text>"
        )
    return svg("chain-plot", width, height, f"License chain of {len(links)} stages", parts)


def _chain_meaning(doc: Mapping[str, Any]) -> str:
    kind, n = doc["verdict"], len(doc["links"])
    if kind == "valid":
        return (
            f"All {n} links hold: every licensee's commitment was granted by its parent's "
            "publisher and the trusted times never go backwards (no suspect was challenged)."
        )
    if kind == "match":
        return (
            f"All {n} links hold and the suspect carries every stage's fingerprints: it derives "
            "from the last licensee's model, which descends from the root under signed grants."
        )
    if kind == "no-match":
        return (
            f"The {n} links hold, but the suspect does not carry every stage's fingerprints: no "
            "evidence that it derives from the last stage."
        )
    return "The chain proves nothing: " + ((doc.get("reasons") or ["a link does not hold"])[0])


def chain_page(doc: Mapping[str, Any]) -> str:
    """The page for ``chain verify``; ``doc`` is :meth:`.chain.ChainResult.to_json`'s document."""
    findings = "".join(
        f"<tr><td>{e('chain' if f.get('link') is None else str(f['link']))}</td>"
        f"<td>{e(str(f.get('code')))}</td><td>{'fatal' if f.get('fatal') else 'note'}</td>"
        f"<td>{e(str(f.get('text')))}</td></tr>"
        for f in doc.get("findings") or []
    )
    stages = []
    for i, link in enumerate(doc["links"]):
        challenge = link.get("challenge")
        evidence = "".join(f"<li>{e(x)}</li>" for x in link.get("time_evidence") or [])
        problems = "".join(f"<li>{e(x)}</li>" for x in link.get("time_problems") or [])
        inner = (
            f"<table>{_row('Bundle', link['bundle'])}"
            f"{_row('Publisher key id', link['publisher_key_id'])}"
            f"{_row('Trusted time', _when(link.get('trusted_time')))}</table>"
            f"<p>Time evidence:</p><ul>{evidence or '<li>none trusted</li>'}</ul>"
            f"{f'<ul>{problems}</ul>' if problems else ''}"
        )
        if challenge is not None:
            inner += _verdict_head(challenge["verdict"], _meaning(challenge))
            inner += _challenge_body(challenge, None)
        stages.append(
            f"<section class='stage' id='stage-{i}'><h2>Stage {link['stage']}: "
            f"{_text(str(link['model_name']), block=False)}</h2>{inner}</section>"
        )
    steps = (
        [
            "A link is rejected (see the findings): fix the named bundle, grant or terms, or "
            "pin the time authorities its evidence names (--trust-log / --trust-tsa / "
            "--trust-witness); --allow-untimed lets a link without a trusted time pass."
        ]
        if doc["verdict"] == "rejected"
        else []
    )
    body = (
        "<h1>modelprint chain report</h1>"
        f"{_verdict_head(doc['verdict'], _chain_meaning(doc))}{_steps_html(steps)}"
        f"<section id='chain'><h2>The chain</h2>{chain_svg(doc)}</section>"
        "<section id='findings'><h2>Findings</h2>"
        + (
            f"<table><tr><th>Link</th><th>Code</th><th>Kind</th><th>Text</th></tr>{findings}"
            "</table>"
            if findings
            else "<p>None: every check passed.</p>"
        )
        + f"</section>{''.join(stages)}"
    )
    return _page(f"modelprint chain: {doc['verdict']}", body)


# -- the white-box page ----------------------------------------------------------------------------


def whitebox_page(
    doc: Mapping[str, Any], *, pictures: Mapping[str, bytes] | None = None, title: str
) -> str:
    """The page for ``whitebox compare`` / ``whitebox check``; ``doc`` is their ``--json``."""
    from .whitebox.html import render_whitebox_html

    body = f"<h1>{e(title)}</h1>" + render_whitebox_html(
        doc, pictures=pictures, title="White-box similarity"
    )
    return _page(title, body)
