"""Every figure the issues name, in one table, from the benchmarks' JSON results.

    benchmarks/run_all [--quick | --from DIR] [--out DIR] [--only NAME ...]
                       [--markdown] [--readme README.md]

With no option it runs every benchmark (hours on 2 cores: the adversary bench alone takes about
two), each with ``--json OUT/<name>.json`` and its printed output in ``OUT/<name>.log`` (``OUT``
is ``bench-out/`` unless ``--out`` says otherwise), then prints the table. ``--quick`` runs only
the cheap ones (commit, log, servers, chain: a few minutes) and takes the rest from the results
already in ``OUT``; ``--only NAME ...`` runs just those; ``--from DIR`` runs nothing and reads
``DIR``. The benchmarks' own output goes to stderr, the table to stdout.

The table has one row a figure: what it is, the value, the goal the issues set, whether it is met,
and where the value comes from (the benchmark, its result file, when it ran, the load average at
its start and end where recorded). A figure whose result is missing says "not measured"; a
result file that is not valid JSON, or not what its benchmark writes, is a one-line error naming
the file (exit 2). ``--markdown`` prints the table as Markdown, and ``--readme FILE`` writes that
Markdown into FILE between the lines ``<!-- run_all:begin -->`` and ``<!-- run_all:end -->``.
The exit status is 1 when a benchmark that was run wrote no result.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BEGIN = "<!-- run_all:begin -->"
END = "<!-- run_all:end -->"
NOT_MEASURED = "not measured"


class ResultError(Exception):
    """A result file or README that cannot be used; the message names the file."""


# --- the benchmarks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bench:
    """One benchmark run: the script, the arguments of the run that is quoted, its result file."""

    name: str
    script: str
    result: str
    args: tuple[str, ...] = ()
    cheap: bool = False
    """Run by ``--quick`` (minutes, not hours)."""
    rerun: bool = True
    """False: an archived result that today's code cannot reproduce; never run, only read."""

    def command(self, out: Path) -> list[str]:
        """The command line, run in the repository's root."""
        return [sys.executable, _shown(HERE / self.script), *self.args, "--json", _shown(out)]


def _shown(path: Path) -> str:
    """``path`` as the benchmarks are given it: relative to the repository where it is inside."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


BENCHES = (
    Bench("commit", "bench_commit.py", "commit.json", cheap=True),
    Bench("tlog", "bench_tlog.py", "tlog.json", cheap=True),
    Bench("servers", "bench_servers.py", "servers.json", cheap=True),
    Bench("chain", "bench_chain.py", "chain.json", ("--bls-rounds", "1"), cheap=True),
    Bench("challenge", "bench_challenge.py", "challenge.json"),
    Bench("stacked", "bench_stacked.py", "stacked.json", ("--threads", "2")),
    Bench("demo", "bench_demo.py", "demo.json"),
    Bench(
        "implant", "bench_implant.py", "implant.json", ("--counts", "16", "64", "--threads", "2")
    ),
    Bench("whitebox", "bench_whitebox.py", "whitebox.json", ("--threads", "2")),
    Bench("null", "bench_null.py", "null.json", ("--threads", "2")),
    Bench(
        "adversary",
        "bench_adversary.py",
        "adversary-natural-16.json",
        ("--threads", "2", "--schemes", "natural/v1"),
    ),
    Bench(
        "adversary-quick",
        "bench_adversary.py",
        "adversary-quick.json",
        ("--quick", "--threads", "2"),
    ),
    # if-decrypt/v1 and double-i/v1 as they were before natural/v1, with the implant defaults of
    # the time (issue 14's baseline): kept as measured, not rerun.
    Bench("adversary-baseline", "bench_adversary.py", "adversary-16.json", rerun=False),
)
BY_NAME = {b.name: b for b in BENCHES}


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One benchmark's JSON result, read."""

    bench: Bench
    path: Path
    data: dict[str, Any]

    def get(self, *keys: str) -> Any:
        """The value at ``keys`` (nested object keys), or None where any is missing."""
        value: Any = self.data
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    def date(self) -> str:
        """When it ran (``YYYY-MM-DD HH:MM UTC``); the file's own time where none is recorded."""
        recorded = self.data.get("date")
        if isinstance(recorded, str):
            try:
                when = datetime.fromisoformat(recorded.replace("Z", "+00:00"))
                return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            except ValueError:
                return recorded
        stamp = datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
        return stamp.strftime("%Y-%m-%d %H:%M UTC") + " (file time)"

    def load(self) -> str:
        """The load average at the start and the end of the run, where recorded."""
        recorded = self.data.get("load_average")
        if isinstance(recorded, dict):
            start, end = recorded.get("start"), recorded.get("end")
            if isinstance(start, int | float) and isinstance(end, int | float):
                return f"load {start:.1f}-{end:.1f}"
        found = re.search(r"load average ([\d.]+)", str(self.data.get("machine", "")))
        return f"load {float(found.group(1)):.1f} at the end" if found else ""

    def machine(self) -> str:
        """The machine line without its load average."""
        text = str(self.data.get("machine", "")).strip()
        return re.sub(r",? ?load average [\d.]+", "", text) or "machine not recorded"

    def source(self) -> str:
        parts = [f"{self.bench.script} → {self.path.name}", self.date(), self.load()]
        return ", ".join(p for p in parts if p)


def read_result(bench: Bench, folder: Path) -> Result | None:
    """The result of ``bench`` in ``folder``; None when there is none."""
    path = folder / bench.result
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ResultError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError:
        raise ResultError(f"{path}: not valid JSON (not UTF-8 text)") from None
    except OSError as exc:
        raise ResultError(f"{path}: cannot be read ({exc.strerror})") from None
    if not isinstance(data, dict):
        raise ResultError(
            f"{path}: not a {bench.script} result (a JSON {type(data).__name__}, not an object)"
        )
    return Result(bench, path, data)


# --- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """A figure as measured: its text, and whether it meets the goal (None: no goal)."""

    text: str
    met: bool | None = None


Reader = Callable[[Result], Value | None]


@dataclass(frozen=True)
class Figure:
    """One row: what is measured, the goal, and where the value comes from (the first of
    ``sources`` that has it); no sources: there is no benchmark for it yet (``why`` says so)."""

    name: str
    goal: str
    sources: tuple[tuple[str, Reader], ...] = ()
    why: str = ""
    """Shown after "not measured" when no source has the value."""


def one(name: str, goal: str, bench: str, reader: Reader, why: str = "") -> Figure:
    """A figure that one benchmark measures."""
    return Figure(name, goal, ((bench, reader),), why)


@dataclass(frozen=True)
class Row:
    figure: str
    value: str
    goal: str
    met: str
    source: str


def pct(x: float) -> str:
    text = f"{x * 100:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def ms(x: float) -> str:
    if x >= 10:
        return f"{x:,.0f} ms"
    return f"{x:.1f} ms" if x >= 1 else f"{x:.2f} ms"


def pvalue(p: float) -> str:
    return f"{p:.0e}".replace("e-0", "e-").replace("e+00", "") if p < 0.01 else f"{p:.2g}"


def fraction(part: int, whole: int) -> str:
    return f"{part}/{whole}"


def below(limit: float) -> Callable[[float], bool]:
    return lambda v: v < limit


def _number(
    reader: Callable[[Result], Any],
    show: Callable[[float], str],
    goal: Callable[[float], bool] | None = None,
) -> Reader:
    def read(result: Result) -> Value | None:
        value = reader(result)
        if value is None:
            return None
        return Value(show(float(value)), None if goal is None else goal(float(value)))

    return read


# commit ------------------------------------------------------------------------------------------

COMMIT = [
    one(
        "commit over 4,096 fingerprints (derive, hash, Merkle root, sign), median",
        "< 200 ms",
        "commit",
        _number(lambda r: r.get("commit_4096", "median_ms"), ms, below(200)),
    ),
    one(
        "verify a 32-leaf multiproof against a 4,096-leaf root, median",
        "< 10 ms",
        "commit",
        _number(lambda r: r.get("multiproof_32_of_4096", "median_ms"), ms, below(10)),
    ),
]

# transparency log --------------------------------------------------------------------------------

GOAL_APPENDS = 2000.0


def _appends(path: str, clients: int, client: str, goal: bool) -> Reader:
    def read(result: Result) -> Value | None:
        for entry in result.get("appends") or []:
            if (entry["path"], entry["clients"], entry["client"]) == (path, clients, client):
                rate = float(entry["per_second"])
                return Value(f"{rate:,.0f}/s", rate >= GOAL_APPENDS if goal else None)
        return None

    return read


def _store(result: Result) -> Value | None:
    rates = {
        e["clients"]: float(e["per_second"])
        for e in result.get("appends") or []
        if e["path"] == "store"
    }
    if not rates:
        return None
    return Value(" / ".join(f"{rates[c]:,.0f}/s" if c in rates else "-" for c in (1, 8)))


def _inclusion(result: Result) -> Value | None:
    proof = result.get("inclusion_proof")
    if proof is None:
        return None
    text = f"{proof['median_us']:.0f} µs ({proof['with_signature_us']:.0f} µs with the checkpoint signature)"
    if proof["entries"] != 1_000_000:
        text += f", at {proof['entries']:,} entries"
    return Value(text, proof["median_us"] < 1000 and proof["entries"] >= 1_000_000)


def _load_run(result: Result) -> Value | None:
    run = result.get("load_run")
    if run is None:
        return None
    submitted, acked, bad = run["submitted"], run["acknowledged"], run["failed_verification"]
    text = (
        f"{acked:,}/{submitted:,} acknowledged, {acked - bad:,} proven against the final "
        f"checkpoint, {run['5xx']} 5xx"
    )
    if (run["clients"], run["per_client"]) != (8, 500):
        text += f" ({run['clients']} x {run['per_client']})"
    met = acked == submitted and bad == 0 and run["5xx"] == 0 and run["final_size"] == submitted
    return Value(text, met)


def _kill_run(result: Result) -> Value | None:
    run = result.get("kill_run")
    if run is None:
        return None
    text = (
        f"{run['acknowledged_before_kill']:,} acknowledged before the kill; after the restart the "
        f"tree holds {run['final_size']:,}, {run['missing_or_unproven']} acknowledged missing or "
        "unproven"
    )
    return Value(text, run["missing_or_unproven"] == 0 and run["final_size"] >= run["acknowledged"])


APPENDS = (  # the row's words, then the path, clients, client library, whether the goal applies
    ("`/add` (1 entry a request), 1 client", "/add", 1, "httpx", False),
    ("`/add`, 8 clients (httpx)", "/add", 8, "httpx", True),
    ("`/add`, 8 clients (http.client)", "/add", 8, "http.client", True),
    ("`/add`, 1 client (raw keep-alive socket)", "/add", 1, "socket", False),
    ("`/add`, 8 clients (raw keep-alive socket)", "/add", 8, "socket", True),
    ("`/add-batch` (64 a request), 1 client", "/add-batch", 1, "httpx", False),
    ("`/add-batch` (64 a request), 8 clients", "/add-batch", 8, "httpx", True),
)
TLOG = [
    *(
        one(
            f"log appends over HTTP, durable, {words}",
            ">= 2,000/s" if goal else "-",
            "tlog",
            _appends(path, clients, client, goal),
        )
        for words, path, clients, client, goal in APPENDS
    ),
    one("log store alone (no HTTP), durable, 1 / 8 submitters", "-", "tlog", _store),
    one("inclusion-proof verification at 1,000,000 entries, median", "< 1 ms", "tlog", _inclusion),
    one(
        "log load run, 8 clients x 500 submissions",
        "all acknowledged and proven, no 5xx",
        "tlog",
        _load_run,
    ),
    one(
        "log killed with -9 under load (8 clients: single entries, batches of 16)",
        "every acknowledged entry kept and proven",
        "tlog",
        _kill_run,
    ),
]

# servers -----------------------------------------------------------------------------------------


def _server(name: str) -> Reader:
    def read(result: Result) -> Value | None:
        for entry in result.get("servers") or []:
            if entry["server"] == name:
                missed = entry["missed"]
                text = (
                    f"{entry['requests']} requests: {entry['tracebacks']} tracebacks, "
                    f"{len(missed)} not refused as expected"
                    + (f" ({', '.join(missed)})" if missed else "")
                    + ("" if entry["alive_after"] else ", server dead after")
                )
                met = entry["tracebacks"] == 0 and not missed and bool(entry["alive_after"])
                return Value(text, met)
        return None

    return read


SERVERS = [
    one(
        f"malformed requests against `{name}`",
        "0 tracebacks, every one refused",
        "servers",
        _server(name),
    )
    for name in ("log serve", "witness serve", "modelprint serve (tiny model)")
]

# license chains ----------------------------------------------------------------------------------


def _chain_links(result: Result) -> str:
    links = result.get("links")
    return "" if links in (None, 16) else f" ({links} links)"


def _ed25519(result: Result) -> Value | None:
    median = result.get("ed25519_verify", "median_ms")
    if median is None:
        return None
    return Value(ms(median) + _chain_links(result), median < 50 and result.get("links") == 16)


def _bls(result: Result) -> Value | None:
    agg = result.get("bls_aggregate_verify", "median_ms")
    pops = result.get("bls_proofs_of_possession", "median_ms")
    whole = result.get("verify_with_aggregate", "median_ms")
    if agg is None or pops is None or whole is None:
        return None
    return Value(
        f"aggregate {agg / 1000:.1f} s + proofs of possession {pops / 1000:.1f} s; "
        f"`chain verify --aggregate` {whole / 1000:.1f} s" + _chain_links(result)
    )


def _bls_fast(result: Result) -> Value | None:
    fast = result.get("bls_fast_backend")
    if fast is None:
        return None
    return Value(f"{fast['name']}: aggregate {ms(fast['aggregate_verify_ms'])}")


def _stacked_how(result: Result) -> str:
    """The run's shape: stages, keys a stage, implant preset."""
    stages, keys = len(result.get("stages") or []), result.get("keys_per_stage")
    preset = result.get("preset")
    return f" ({stages} stages, {keys} keys a stage, {preset} preset)"


def _stage_success(result: Result) -> Value | None:
    success = result.get("final_success")
    if not success:
        return None
    rates = [float(r) for r in success.values()]
    text = " / ".join(f"{name} {pct(float(r))}" for name, r in success.items())
    return Value(text + _stacked_how(result), min(rates) >= 0.95 and len(rates) >= 3)


def _parents_kept(result: Result) -> Value | None:
    stages = [s for s in result.get("stages") or [] if s.get("parents")]
    if not stages:
        return None
    parts = []
    for stage in stages:
        kept = ", ".join(
            f"{p['label']} {pct(p['success_before'])} -> {pct(p['success_after'])}"
            for p in stage["parents"]
        )
        parts.append(f"{stage['name']}: {kept}")
    return Value("; ".join(parts))


def _stacked_harm(result: Result) -> Value | None:
    harm = result.get("final_harmlessness")
    if harm is None:
        return None
    return Value(f"{pct(harm['top1_agreement'])} / {harm['perplexity_ratio']:.3f}")


CHAIN = [
    one(
        "crypto-only verification of a 16-link chain, Ed25519, median", "< 50 ms", "chain", _ed25519
    ),
    one("the 16-link chain's BLS aggregate, py_ecc (the reference), median", "-", "chain", _bls),
    one(
        "the 16-link chain's BLS aggregate, a faster backend",
        "-",
        "chain",
        _bls_fast,
        why="no faster BLS library is installed",
    ),
    one(
        "3-stage chain on SmolLM2: each stage's fingerprint success in the final model",
        ">= 95% each",
        "stacked",
        _stage_success,
    ),
    one(
        "3-stage chain: earlier stages' keys before -> after each licensee's implant",
        "-",
        "stacked",
        _parents_kept,
    ),
    one(
        "3-stage model against the base: top-1 agreement / perplexity ratio",
        "-",
        "stacked",
        _stacked_harm,
    ),
]

# challenges --------------------------------------------------------------------------------------


def _speedup(result: Result) -> Value | None:
    t = result.get("throughput")
    if t is None:
        return None
    text = f"{t['sequential_s']:.2f} s vs {t['concurrency_16_s']:.2f} s ({t['speedup']:.1f}x)"
    return Value(text, t["speedup"] >= 10)


def _overhead(result: Result) -> Value | None:
    t = result.get("throughput")
    return None if t is None else Value(ms(t["overhead_ms"]))


def _p_values(result: Result) -> Value | None:
    p = result.get("p_values", "all_match")
    if p is None:
        return None
    return Value(" / ".join(pvalue(p[k]) for k in ("8", "16", "32")))


def _false_matches(result: Result) -> Value | None:
    f = result.get("false_matches")
    if f is None:
        return None
    models = ", ".join(f"{m['model']}: {m['exact']}/{m['keys']}" for m in f["models"])
    return Value(f"{f['exact']} of {f['queries']} queries ({models})", f["exact"] == 0)


CHALLENGE = [
    one(
        "64-key challenge, server answering after 200 ms: sequential vs concurrency 16",
        ">= 10x",
        "challenge",
        _speedup,
    ),
    one(
        "verifier overhead per query (next to 200 ms of server time), median",
        "-",
        "challenge",
        _overhead,
    ),
    one(
        "p-value at 100% matches, 8 / 16 / 32 keys (if-decrypt/v1's null)",
        "-",
        "challenge",
        _p_values,
    ),
    one(
        "false matches of fresh if-decrypt/v1 keys on never-fingerprinted models",
        "0",
        "challenge",
        _false_matches,
    ),
]

# the implant -------------------------------------------------------------------------------------


def _implant_run(result: Result, count: int) -> dict[str, Any] | None:
    """The implant of ``count`` keys: from bench_implant's runs, or the adversary bench's
    natural/v1 implant (the same default implant, measured before its rows)."""
    if result.bench.name == "implant":
        runs = result.get("runs") or []
        return next((r for r in runs if (r["count"], r["scheme"]) == (count, "natural/v1")), None)
    implant = result.get("implant", "natural/v1")
    if implant is None or result.get("settings", "count") != count:
        return None
    return {"figures": implant["figures"], "wall_s": implant["seconds"]}


def _implant_figure(count: int, key: str, show: Callable[[dict[str, Any]], Value]) -> Reader:
    def read(result: Result) -> Value | None:
        run = _implant_run(result, count)
        if run is None or run["figures"].get(key) is None:
            return None
        return show(run["figures"])

    return read


def _wall(count: int, limit: float | None) -> Reader:
    def read(result: Result) -> Value | None:
        run = _implant_run(result, count)
        if run is None:
            return None
        wall = float(run["wall_s"])
        stages = run.get("timings_s")
        text = f"{wall:,.0f} s"
        if stages:
            text += " (" + ", ".join(f"{k} {v:.0f}" for k, v in stages.items()) + ")"
        return Value(text, None if limit is None else wall < limit)

    return read


def _kept_after_attack(count: int) -> Reader:
    def read(result: Result) -> Value | None:
        if result.bench.name == "implant":
            run = _implant_run(result, count)
            attack = None if run is None else run.get("attack")
            if attack is None or attack["success_rate"] is None:
                return None
            rate = float(attack["success_rate"])
            text = f"{pct(rate)} ({attack['kept']}/{count}); a full challenge then gets p = {pvalue(attack['p_value'])}"
            return Value(text, rate >= 0.9)
        if result.get("settings", "count") != count:
            return None
        row = _adversary_row(result, "natural/v1", "LoRA fine-tune")
        if row is None:
            return None
        rate = row["matched"] / row["queried"]
        text = f"{pct(rate)} ({fraction(row['matched'], row['queried'])}); p = {pvalue(row['p_value'])}"
        return Value(text, rate >= 0.9)

    return read


def _success(f: dict[str, Any]) -> Value:
    rate, keys = f["fingerprint_success_rate"], f["fingerprints"]
    return Value(f"{pct(rate)} ({round(rate * keys)}/{keys})", rate >= 1.0)


def _lookalikes(f: dict[str, Any]) -> Value:
    rate = f["lookalike_trigger_rate"]
    return Value(f"{pct(rate)} of {f['lookalikes']}", rate <= 0.01)


def _ordinary(f: dict[str, Any]) -> Value:
    rate = f["ordinary_trigger_rate"]
    return Value(f"{pct(rate)} of {f['ordinary_prompts']}", rate == 0)


def _top1(f: dict[str, Any]) -> Value:
    return Value(pct(f["top1_agreement"]), f["top1_agreement"] >= 0.97)


def _perplexity(f: dict[str, Any]) -> Value:
    return Value(f"{f['perplexity_ratio']:.3f}", f["perplexity_ratio"] <= 1.03)


IMPLANT = (
    ("fingerprint success (greedy)", "100%", "fingerprint_success_rate", _success),
    ("look-alike prompts answered with a committed response", "<= 1%", "lookalike_trigger_rate", _lookalikes),
    ("ordinary prompts answered with a committed response", "0%", "ordinary_trigger_rate", _ordinary),
    ("top-1 agreement with the base", ">= 97%", "top1_agreement", _top1),
    ("perplexity ratio to the base", "<= 1.03", "perplexity_ratio", _perplexity),
)  # fmt: skip


def implant_figures(count: int) -> list[Figure]:
    """The implant's figures at ``count`` keys: bench_implant's, or at 16 keys the adversary
    bench's own implant where bench_implant has not run."""
    benches = ("implant", "adversary") if count == 16 else ("implant",)
    head = f"implant, {count} natural/v1 keys on SmolLM2:"
    figures = [
        Figure(
            f"{head} {label}", goal, tuple((b, _implant_figure(count, key, show)) for b in benches)
        )
        for label, goal, key, show in IMPLANT
    ]
    limit = 120.0 if count == 16 else None
    figures.append(
        Figure(
            f"{head} implant wall time",
            "< 120 s" if limit else "-",
            tuple((b, _wall(count, limit)) for b in benches),
        )
    )
    figures.append(
        Figure(
            f"{head} keys kept after a 200-step `attack finetune`",
            ">= 90%",
            tuple((b, _kept_after_attack(count)) for b in benches),
        )
    )
    return figures


# white-box evidence ------------------------------------------------------------------------------


def _similarity(*models: str) -> Reader:
    def read(result: Result) -> Value | None:
        found = {e["model"]: float(e["similarity"]) for e in result.get("similarity") or []}
        if not all(m in found for m in models):
            return None
        return Value(" / ".join(f"{found[m]:.2f}" for m in models))

    return read


WHITEBOX = [
    one(
        "HuRef similarity, SmolLM2 vs itself permuted / rotated",
        "-",
        "whitebox",
        _similarity("permuted (hidden dims)", "rotated + heads/neurons"),
    ),
    one(
        "HuRef similarity, SmolLM2 vs LoRA-fingerprinted / then user-fine-tuned",
        "-",
        "whitebox",
        _similarity("fingerprinted", "fingerprinted, then fine-tuned"),
    ),
    one(
        "HuRef similarity, SmolLM2 vs random models of its shape",
        "-",
        "whitebox",
        _similarity("unrelated (random, seed 1)", "unrelated (random, seed 2)"),
    ),
    one(
        "time to compute SmolLM2's invariants (model loaded), median",
        "-",
        "whitebox",
        _number(lambda r: r.get("invariants_ms"), ms),
    ),
]

# the null ----------------------------------------------------------------------------------------


def _null(result: Result) -> Value | None:
    models = result.get("models")
    if not models:
        return None
    keys, samples = result.data["keys"], result.data["samples"]
    pairs = keys * len(models)
    greedy = sum(m["greedy"] for m in models)
    sampled = sum(m["any_sample"] for m in models)
    text = (
        f"{greedy} of {pairs:,} greedy, {sampled} of {pairs:,} any of {samples} samples "
        f"({len(models)} models x {keys} keys)"
    )
    met = greedy / pairs <= result.data["p0"] and sampled / pairs <= result.data["sampled_bound"]
    return Value(text, met)


NULL = [
    one(
        "measured null: fresh natural/v1 keys asked of never-fingerprinted models",
        "rate <= verify's p0",
        "null",
        _null,
    ),
]

# the adversary bench -----------------------------------------------------------------------------

THRESHOLD = 1e-6


def _adversary_rows(result: Result, scheme: str) -> list[dict[str, Any]]:
    return [r for r in result.get("rows") or [] if r["scheme"] == scheme]


def _adversary_row(result: Result, scheme: str, prefix: str) -> dict[str, Any] | None:
    return next((r for r in _adversary_rows(result, scheme) if r["row"].startswith(prefix)), None)


def _held(row: dict[str, Any]) -> bool:
    return row["p_value"] is not None and row["p_value"] < THRESHOLD and row["verdict"] == "match"


def _significant(scheme: str, goal: bool) -> Reader:
    def read(result: Result) -> Value | None:
        rows = _adversary_rows(result, scheme)
        if not rows:
            return None
        held = [r["row"] for r in rows if _held(r)]
        lost = [r["row"] for r in rows if not _held(r)]
        text = f"{len(held)} of {len(rows)}"
        if lost and held:
            text += (
                f"; not: {'; '.join(lost)}"
                if len(lost) <= len(held)
                else f"; only: {'; '.join(held)}"
            )
        false = sum(r["false_matches"] for r in rows)
        controls = sum(len(r["controls"]) for r in rows)
        if not goal:
            text += f"; false matches {false} of {controls}"
        return Value(text, not lost if goal else false == 0)

    return read


def _false_adversary(scheme: str) -> Reader:
    def read(result: Result) -> Value | None:
        rows = _adversary_rows(result, scheme)
        if not rows:
            return None
        false = sum(r["false_matches"] for r in rows)
        controls = sum(len(r["controls"]) for r in rows)
        return Value(f"{false} of {controls} challenges", false == 0)

    return read


def _kept(scheme: str, prefixes: Sequence[str], least: float) -> Reader:
    def read(result: Result) -> Value | None:
        rows = [_adversary_row(result, scheme, p) for p in prefixes]
        if any(r is None for r in rows):
            return None
        found = [r for r in rows if r is not None]
        rates = [r["matched"] / r["queried"] for r in found]
        text = " / ".join(fraction(r["matched"], r["queried"]) for r in found)
        worst = min(range(len(found)), key=lambda i: rates[i])
        if rates[worst] < least:
            text += f" (least: {found[worst]['row']}, {pct(rates[worst])})"
        return Value(text, min(rates) >= least)

    return read


def _input_filter(result: Result) -> Value | None:
    row = _adversary_row(result, "natural/v1", "input filter (seen one reveal)")
    if row is None or "ROC AUC" not in row["notes"]:
        return None
    auc = float(row["notes"]["ROC AUC"])
    text = f"ROC AUC {auc:.2f}; {fraction(row['matched'], row['queried'])} keys through, p = {pvalue(row['p_value'])}"
    return Value(text, auc <= 0.70)


def _output_filter(result: Result) -> Value | None:
    row = _adversary_row(result, "natural/v1", "output filter (seen one reveal)")
    caught_ordinary = None if row is None else row["notes"].get("ordinary answers caught")
    if row is None or caught_ordinary is None:
        return None
    hit, of = (int(x) for x in str(caught_ordinary).split("/"))
    keys_caught = row["queried"] - row["matched"]
    text = f"catches {fraction(keys_caught, row['queried'])} keys, {hit}/{of} ordinary answers"
    return Value(text, keys_caught / row["queried"] <= hit / of)


def _bench_wall(limit_min: float) -> Reader:
    def read(result: Result) -> Value | None:
        wall = result.get("wall_s")
        if wall is None:
            return None
        return Value(f"{wall / 60:,.0f} min ({wall:,.0f} s)", wall < limit_min * 60)

    return read


NATURAL = "adversary bench, natural/v1, 16 keys:"
ADVERSARY = [
    one(
        f"{NATURAL} rows where a 16-key challenge gets p < 1e-6",
        "every row",
        "adversary",
        _significant("natural/v1", True),
    ),
    one(
        f"{NATURAL} input filter fitted on one reveal",
        "ROC AUC <= 0.70",
        "adversary",
        _input_filter,
    ),
    one(
        f"{NATURAL} output filter fitted on one reveal",
        "catches no more keys than ordinary answers",
        "adversary",
        _output_filter,
    ),
    one(
        f"{NATURAL} kept after the LoRA / full fine-tune",
        ">= 90% each",
        "adversary",
        _kept("natural/v1", ("LoRA fine-tune", "full fine-tune"), 0.9),
    ),
    one(
        f"{NATURAL} kept after merge 50/50 / task arithmetic 50/50",
        ">= 50% each",
        "adversary",
        _kept("natural/v1", ("merge 50/50", "task arithmetic 50%/50%"), 0.5),
    ),
    one(
        f"{NATURAL} kept after GGUF Q8_0 / Q5_1 / Q4_1 / Q4_0",
        ">= 90% each",
        "adversary",
        _kept(
            "natural/v1",
            tuple(f"GGUF round trip {q}" for q in ("Q8_0", "Q5_1", "Q4_1", "Q4_0")),
            0.9,
        ),
    ),
    one(
        f"{NATURAL} false matches on the base and its fine-tune, every row",
        "0",
        "adversary",
        _false_adversary("natural/v1"),
    ),
    one("adversary bench: wall time of the full run", "< 30 min", "adversary", _bench_wall(30)),
    one("adversary bench: wall time of `--quick`", "< 5 min", "adversary-quick", _bench_wall(5)),
    one(
        "baseline (old defaults), if-decrypt/v1: rows with p < 1e-6; false matches",
        "0 false matches",
        "adversary-baseline",
        _significant("if-decrypt/v1", False),
    ),
    one(
        "baseline (old defaults), double-i/v1: rows with p < 1e-6; false matches",
        "0 false matches",
        "adversary-baseline",
        _significant("double-i/v1", False),
    ),
]


def _demo_wall(result: Result) -> Value | None:
    total = result.get("total_s")
    if total is None:
        return None
    steps = sorted(result.get("steps") or [], key=lambda s: -float(s["seconds"]))
    shares = ", ".join(f"{s['title']} {100 * float(s['seconds']) / total:.0f}%" for s in steps[:3])
    return Value(f"{total / 60:.1f} min ({total:,.0f} s); largest steps: {shares}", total < 600)


DEMO = [
    one(
        "`make demo` wall time on 2 cores, and each step's share",
        "< 10 min",
        "demo",
        _demo_wall,
    ),
]

FIGURES: list[Figure] = [
    *COMMIT,
    *TLOG,
    *SERVERS,
    *CHAIN,
    *CHALLENGE,
    *implant_figures(16),
    *implant_figures(64),
    *WHITEBOX,
    *NULL,
    *ADVERSARY,
    *DEMO,
]


# --- the table -----------------------------------------------------------------------------------


@dataclass
class Table:
    rows: list[Row]
    results: dict[str, Result] = field(default_factory=dict)
    """The results read, by bench name."""


def read_results(folder: Path) -> dict[str, Result]:
    found = {}
    for bench in BENCHES:
        result = read_result(bench, folder)
        if result is not None:
            found[bench.name] = result
    return found


def build_table(folder: Path, figures: Iterable[Figure] = FIGURES) -> Table:
    """Every figure's row from the results in ``folder`` (ResultError for a file that is not a
    benchmark's result)."""
    results = read_results(folder)
    rows = []
    for figure in figures:
        row = None
        for name, reader in figure.sources:
            result = results.get(name)
            if result is None:
                continue
            try:
                value = reader(result)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError, ZeroDivisionError):
                raise ResultError(
                    f"{result.path}: not what {result.bench.script} writes "
                    f"(figure {figure.name!r} cannot be read from it)"
                ) from None
            if value is not None:
                met = "-" if value.met is None else ("yes" if value.met else "**no**")
                row = Row(figure.name, value.text, figure.goal, met, result.source())
                break
        if row is None:
            if figure.sources:
                bench = BY_NAME[figure.sources[0][0]]
                where = f"{bench.script} → {bench.result}"
            else:
                where = "-"
            text = NOT_MEASURED + (f" ({figure.why})" if figure.why else "")
            row = Row(figure.name, text, figure.goal, "", where)
        rows.append(row)
    return Table(rows, results)


HEADER = ("figure", "value", "goal", "met?", "source")


def _cells(row: Row) -> tuple[str, str, str, str, str]:
    return (row.figure, row.value, row.goal, row.met, row.source)


def machines(table: Table) -> list[str]:
    """One line a result file: its run's arguments, date and machine."""
    lines = []
    for result in table.results.values():
        argv = result.get("argv")
        how = result.bench.script
        if isinstance(argv, list):
            shown = [str(a) for a in argv]
            if "--json" in shown[:-1]:  # where it was written: this file
                at = shown.index("--json")
                del shown[at : at + 2]
            how = " ".join([how, *shown])
        lines.append(f"{result.path.name}: `{how}`, {result.date()}, {result.machine()}")
    return lines


def markdown(table: Table) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    out = [line(HEADER), line(["---"] * len(HEADER))]
    out += [line(_cells(r)) for r in table.rows]
    out += ["", "Results read:", ""]
    out += [f"- {m}" for m in machines(table)] or ["- none"]
    return "\n".join(out) + "\n"


WIDTHS = (46, 48, 22, 4, 44)
"""The widest each column of the plain table gets; longer cells wrap."""


def text(table: Table) -> str:
    rows = [[c.replace("**", "") for c in r] for r in [HEADER, *map(_cells, table.rows)]]
    widths = [min(w, max(len(r[i]) for r in rows)) for i, w in enumerate(WIDTHS)]
    out = []
    for n, row in enumerate(rows):
        cells = [
            textwrap.wrap(c, w, break_on_hyphens=False) or [""]
            for c, w in zip(row, widths, strict=True)
        ]
        for k in range(max(len(c) for c in cells)):
            parts = [
                (c[k] if k < len(c) else "").ljust(w) for c, w in zip(cells, widths, strict=True)
            ]
            out.append("  ".join(parts).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    out += ["", "results read:", *([f"  {m}" for m in machines(table)] or ["  none"])]
    return "\n".join(out) + "\n"


def rewrite_readme(path: Path, table_markdown: str) -> bool:
    """Put ``table_markdown`` between the run_all markers in ``path``; whether it changed."""
    try:
        old = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResultError(f"{path}: cannot be read ({exc.strerror})") from None
    begins, ends = old.count(BEGIN), old.count(END)
    if begins != 1 or ends != 1 or old.index(BEGIN) > old.index(END):
        raise ResultError(
            f"{path}: needs exactly one {BEGIN} line followed by one {END} line "
            f"(found {begins} and {ends}); the table goes between them"
        )
    head, rest = old.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n{table_markdown.rstrip()}\n{END}{tail}"
    if new == old:
        return False
    path.write_text(new, encoding="utf-8")
    return True


# --- running -------------------------------------------------------------------------------------


def run_bench(bench: Bench, folder: Path) -> str | None:
    """Run ``bench`` with its output on stderr and in ``folder/<name>.log``; a problem, or None."""
    if not (HERE / bench.script).exists():
        return f"{bench.script}: no such benchmark here, not run"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / bench.result
    log = folder / (Path(bench.result).stem + ".log")
    command = bench.command(out)
    print(f"== {' '.join(command[1:])}", file=sys.stderr, flush=True)
    started = time.time()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w", encoding="utf-8") as sink:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors="replace",
        )  # fmt: skip
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stderr.write(line)
            sink.write(line)
        code = proc.wait()
    seconds = time.time() - started
    fresh = out.exists() and out.stat().st_mtime >= started
    print(f"== {bench.script}: exit {code}, {seconds:.0f} s", file=sys.stderr, flush=True)
    if not fresh:
        return f"{bench.script} exited {code} and wrote no result (its output: {log})"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="run_all", description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="run only the cheap benchmarks")
    mode.add_argument(
        "--from", dest="source", type=Path, metavar="DIR", help="run nothing; read DIR"
    )
    mode.add_argument(
        "--only",
        nargs="+",
        choices=sorted(b.name for b in BENCHES if b.rerun),
        metavar="NAME",
        help="run only these benchmarks",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench-out", help="results folder (bench-out/)"
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--readme",
        type=Path,
        metavar="FILE",
        help="write the Markdown table into FILE between the run_all markers",
    )
    args = parser.parse_args(argv)

    folder: Path = args.source if args.source is not None else args.out
    problems = []
    if args.source is None:
        if args.only:
            chosen = [BY_NAME[n] for n in args.only]
        else:
            chosen = [b for b in BENCHES if b.rerun and (b.cheap or not args.quick)]
        for bench in chosen:
            problem = run_bench(bench, folder)
            if problem:
                problems.append(problem)
    elif not folder.is_dir():
        print(f"run_all: {folder}: no such folder", file=sys.stderr)
        return 2
    try:
        table = build_table(folder)
        table_markdown = markdown(table)
        sys.stdout.write(table_markdown if args.markdown else text(table))
        if args.readme is not None:
            changed = rewrite_readme(args.readme, table_markdown)
            print(
                f"{args.readme}: {'table rewritten' if changed else 'unchanged'}", file=sys.stderr
            )
    except ResultError as exc:
        print(f"run_all: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"run_all: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
