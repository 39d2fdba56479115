"""Reports of a challenge: the JSON document of DESIGN.md and an HTML page a person reads.

The JSON form is ``{"verdict", "matched", "queried", "p_value", "committed_before", "reasons",
"queries": [{"index", "prompt", "expected", "output", "matched"}], ...}``; ``prompt`` is exactly the
chat messages sent. It doubles as a transcript for ``verify --transcript`` (offline re-scoring).
For a reference-scored scheme (``double-i/v1``) each query also carries ``role`` (``"trigger"`` or
``"reference"``) and ``pair`` (its leaf index), and the document a ``reference`` object with the
reference row of the Fisher table; ``matched``/``queried`` count trigger queries.
The HTML page is :mod:`.html_report`'s rendering of the JSON document.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
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
        "time_pinned": outcome.time.pinned,
        "time_policy": outcome.time.policy,
        "time_items": [
            {
                "kind": i.kind,
                "authority": i.authority,
                "status": i.status,
                "claimed_time": i.claimed_time,
                "proven_time": None if i.proven is None else i.proven.time,
                "reason": i.reason,
            }
            for i in outcome.time.items
        ],
        "time_problems": list(outcome.time.problems),
        "trusted_time_epoch": outcome.time.time,
        "first_seen_epoch": outcome.challenge.first_seen,
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


def render_html(
    outcome: Outcome,
    *,
    whitebox: dict[str, Any] | None = None,
    pictures: Mapping[str, bytes] | None = None,
) -> str:
    """A self-contained HTML page (:func:`.html_report.challenge_page` of :func:`to_json`)."""
    from .html_report import challenge_page

    return challenge_page(to_json(outcome, whitebox=whitebox), pictures=pictures)


def write_report(
    path: str | os.PathLike[str],
    outcome: Outcome,
    *,
    whitebox: dict[str, Any] | None = None,
    pictures: Mapping[str, bytes] | None = None,
) -> None:
    """Write ``FILE.json`` or ``FILE.html`` (by suffix), atomically."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        doc = to_json(outcome, whitebox=whitebox)
        data = json.dumps(doc, indent=2, ensure_ascii=False).encode() + b"\n"
    elif suffix in (".html", ".htm"):
        data = render_html(outcome, whitebox=whitebox, pictures=pictures).encode()
    else:
        raise ConfigError(f"{p}: a report is FILE.json or FILE.html")
    write_atomic(p, data, mode=0o644)
