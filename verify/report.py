"""Reports of a challenge: the JSON document of DESIGN.md and an HTML page a person reads.

The JSON form is ``{"verdict", "matched", "queried", "p_value", "committed_before", "reasons",
"queries": [{"index", "prompt", "expected", "output", "matched"}], ...}``; ``prompt`` is exactly the
chat messages sent. It doubles as a transcript for ``verify --transcript`` (offline re-scoring).
For a reference-scored scheme (``double-i/v1``) each query also carries ``role`` (``"trigger"`` or
``"reference"``) and ``pair`` (its leaf index), and the document a ``reference`` object with the
reference row of the Fisher table; ``matched``/``queried`` count trigger queries.
Every string in the HTML page is escaped: suspect outputs are hostile input.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from ..protocol.envelope import key_id
from ..protocol.errors import ConfigError
from ..protocol.times import iso_or_none
from ..runtime.files import write_atomic
from .session import Outcome

__all__ = ["render_html", "to_json", "write_report"]


def to_json(outcome: Outcome, *, whitebox: dict[str, Any] | None = None) -> dict[str, Any]:
    """The machine-readable report (DESIGN.md's ``verify --json`` format, extended).

    ``whitebox`` is the white-box check of a local suspect against the commitment's attachments
    (``WhiteboxCheck.as_dict()``); it is evidence beside the verdict, not part of it.
    """
    v = outcome.verdict
    table = v.decisions
    queries = []
    for a in outcome.answers:
        reply = outcome.replies.get(a.query.index)
        entry: dict[str, Any] = {
            "index": a.query.index,
            "prompt": a.query.chat(),
            "expected": a.query.expected,
            "output": a.output,
            "outputs": list(a.outputs),
            "matched": a.matched,
            "scored": a.query.scored,
            "error": a.error,
            "seconds": None if reply is None else round(reply.seconds, 4),
        }
        if table is not None:
            entry |= {"role": a.query.role, "pair": a.query.leaf}
        queries.append(entry)
    reference = (
        {}
        if table is None
        else {
            "test": "fisher-exact",
            "reference": {"matched": table.reference_matched, "queried": table.reference_queried},
        }
    )
    return {
        "verdict": v.kind,
        "matched": v.matched,
        "queried": v.queried,
        "failed": v.failed,
        "partial": v.partial,
        "p_value": None if v.p_value is None else float(v.p_value),
        "threshold": float(v.threshold),
        "null_probability": None if v.null_probability is None else float(v.null_probability),
        "committed_before": v.committed_before,
        "trusted_time": iso_or_none(outcome.time.time),
        "time_evidence": list(outcome.time.evidence),
        "time_unsafe": outcome.time.unsafe,
        "first_seen": iso_or_none(outcome.challenge.first_seen),
        "reasons": list(outcome.reasons),
        "bundle": outcome.bundle_id.hex(),
        "model_name": outcome.commitment.model_name,
        "publisher_key_id": key_id(outcome.commitment.publisher_key).hex(),
        "challenge": outcome.challenge.digest().hex(),
        "suspect": outcome.suspect,
        "system_prompts": list(outcome.system_prompts),
        "samples": outcome.samples,
        "evidence": outcome.evidence,
        "whitebox": whitebox,
        **reference,
        "queries": queries,
    }


_CSS = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem} .verdict{font-size:2rem;font-weight:700;padding:.4rem .8rem;border-radius:.4rem;
display:inline-block} .match{background:#d4f4d4;color:#0a5a0a} .no-match{background:#eee;color:#333}
.rejected{background:#fbdada;color:#8a1010} table{border-collapse:collapse;width:100%;margin:1rem 0}
td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#f4f4f4} pre{white-space:pre-wrap;margin:0;font-size:.9rem} .yes{color:#0a5a0a}
.no{color:#8a1010} .warn{background:#fff3cd;padding:.5rem;border-radius:.3rem} dt{font-weight:600}
"""


def render_html(outcome: Outcome, *, whitebox: dict[str, Any] | None = None) -> str:
    """A self-contained HTML page: verdict, p-value, time evidence, white-box evidence when the
    suspect's weights were available, every query."""
    from .whitebox.html import render_whitebox_html

    doc = to_json(outcome, whitebox=whitebox)
    whitebox_section = "" if whitebox is None else render_whitebox_html(whitebox)
    e = html.escape

    def row(label: str, value: object) -> str:
        return f"<tr><th>{e(label)}</th><td>{e('-' if value is None else str(value))}</td></tr>"

    p_value = "-" if doc["p_value"] is None else f"{doc['p_value']:.3g}"
    if "reference" in doc:
        null = (
            f"Fisher's exact test; {doc['reference']['matched']} of "
            f"{doc['reference']['queried']} reference queries gave the committed decision"
        )
    else:
        null = f"per-key null probability {doc['null_probability']}"
    summary = [
        row("Model (committed name)", doc["model_name"]),
        row("Bundle", doc["bundle"]),
        row("Publisher key id", doc["publisher_key_id"]),
        row("Suspect", doc["suspect"]),
        row("Matches", f"{doc['matched']} of {doc['queried']} scored queries"),
        row("p-value", f"{p_value} (threshold {doc['threshold']:.3g}, {null})"),
        row("Failed queries", doc["failed"]),
        row("Suspect first seen", doc["first_seen"]),
        row("Trusted commitment time", doc["trusted_time"] or "none"),
        row("Committed before first seen", "yes" if doc["committed_before"] else "no"),
        row("Challenge", doc["challenge"]),
    ]  # fmt: skip
    evidence = "".join(f"<li>{e(x)}</li>" for x in doc["time_evidence"]) or "<li>none</li>"
    reasons = "".join(f"<li>{e(x)}</li>" for x in doc["reasons"])
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
            f"<tr><td>{e(str(label))}</td><td><pre>{e(prompt)}</pre></td>"
            f"<td><pre>{e(q['expected'])}</pre></td><td><pre>{e(output)}</pre></td>"
            f"<td>{mark}</td></tr>"
        )
    verdict = doc["verdict"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>modelprint verdict: {e(verdict)}</title><style>{_CSS}</style></head>
<body>
<h1>modelprint challenge report</h1>
<p><span class="verdict {e(verdict)}">{e(verdict)}</span></p>
{warn}
<h2>Why</h2><ul>{reasons}</ul>
<h2>Summary</h2><table>{"".join(summary)}</table>
<h2>Time evidence</h2><ul>{evidence}</ul>
{whitebox_section}
<h2>Queries</h2>
<table><tr><th>Index</th><th>Prompt sent</th><th>Expected</th><th>Suspect output</th>
<th>Matched</th></tr>
{"".join(rows)}
</table>
</body></html>
"""


def write_report(
    path: str | os.PathLike[str], outcome: Outcome, *, whitebox: dict[str, Any] | None = None
) -> None:
    """Write ``FILE.json`` or ``FILE.html`` (by suffix), atomically."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        doc = to_json(outcome, whitebox=whitebox)
        data = json.dumps(doc, indent=2, ensure_ascii=False).encode() + b"\n"
    elif suffix in (".html", ".htm"):
        data = render_html(outcome, whitebox=whitebox).encode()
    else:
        raise ConfigError(f"{p}: a report is FILE.json or FILE.html")
    write_atomic(p, data, mode=0o644)
